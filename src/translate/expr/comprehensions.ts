import { fail } from '../diagnostics.js'
import { emitted, jsIdentifier, type Context, type Emitted, type Scope, type SyntaxNode } from '../context.js'
import { Prec, receiver } from '../precedence.js'
import { translateExpr, truthy } from './index.js'
import { iterableOf } from '../stmt/loops.js'

/** Binds a comprehension target (`x` or `k, v`) in a fresh scope; returns the arrow parameter. */
export function bindTarget(target: SyntaxNode, scope: Scope, pairs: boolean, ctx: Context): string {
  if (target.type === 'identifier') {
    const jsName = jsIdentifier(target.text)
    scope.locals.set(target.text, { jsName, type: 'unknown' })
    return jsName
  }
  if (target.type === 'pattern_list' || target.type === 'tuple_pattern') {
    const names = target.namedChildren.map((n) => {
      if (n.type !== 'identifier') fail('unsupported-python-construct', n, 'nested unpacking in a comprehension target')
      const jsName = jsIdentifier(n.text)
      scope.locals.set(n.text, { jsName, type: 'unknown' })
      return jsName
    })
    if (names.length === 2 || !pairs) return `[${names.join(', ')}]`
  }
  return fail('unsupported-python-construct', target, `comprehension target \`${target.text}\``)
}

/** The array a `for` clause iterates; items a tuple target unpacks go through `py.unpack` (Python's length check). */
function unpacked(forClause: SyntaxNode, iterable: ReturnType<typeof iterableOf>, ctx: Context): string {
  const source = iterable.code.prec >= Prec.Call && iterable.isArray ? receiver(iterable.code) : `[...${iterable.code.code}]`
  const target = forClause.childForFieldName('left')!
  if (iterable.pairs || (target.type !== 'pattern_list' && target.type !== 'tuple_pattern')) return source
  ctx.imports.py = true
  return `${source}.map((item) => py.unpack(item, ${target.namedChildren.length}))`
}

/**
 * `[expr for x in xs if cond]` → `xs.filter((x) => cond).map((x) => expr)`. One `for` clause only;
 * generator expressions are built eagerly (callers that short-circuit use `someOf`).
 */
export function comprehensionParts(node: SyntaxNode, ctx: Context) {
  const clauses = node.namedChildren.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause')
  const fors = clauses.filter((c) => c.type === 'for_in_clause')
  if (fors.length !== 1 || clauses[0].type !== 'for_in_clause') {
    fail('unsupported-python-construct', node, 'comprehension with several `for` clauses')
  }
  const forClause = fors[0]
  if (forClause.children.some((c) => c.type === 'async')) fail('unsupported-python-construct', forClause, 'async comprehension')
  const iterable = iterableOf(forClause.childForFieldName('right')!, ctx)
  const scope: Scope = { kind: 'comprehension', parent: ctx.scope, locals: new Map(), globals: new Set(), importBindings: new Map() }
  const param = bindTarget(forClause.childForFieldName('left')!, scope, iterable.pairs, ctx)
  // The arrow parameters are typed `Py`: the source may be a variable declared `Py` (reassigned), whose items TypeScript cannot infer.
  ctx.imports.py = true
  const inner: Context = { ...ctx, scope }
  const conditions = clauses.filter((c) => c.type === 'if_clause').map((c) => truthy(translateExpr(c.namedChildren[0], inner), inner))
  const source = unpacked(forClause, iterable, ctx)
  const filtered = conditions.length === 0 ? source : `${source}.filter((${param}: Py) => ${conditions.map((c) => (conditions.length > 1 ? `(${c.code})` : c.code)).join(' && ')})`
  return { param, inner, filtered }
}

function mapped(filtered: string, param: string, body: string, identity: boolean): string {
  return identity ? filtered : `${filtered}.map((${param}: Py) => ${body})`
}

/**
 * Several `for` clauses: `[e for x in xs if c for y in f(x)]` →
 * `xs.filter((x) => c).flatMap((x) => [...f(x)].map((y) => e))`, each clause nested in the last.
 */
function nestedComprehension(node: SyntaxNode, ctx: Context, body: (inner: Context) => string): string {
  ctx.imports.py = true
  const clauses = node.namedChildren.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause')
  const build = (at: number, outer: Context): string => {
    const forClause = clauses[at]
    if (forClause.children.some((c) => c.type === 'async')) fail('unsupported-python-construct', forClause, 'async comprehension')
    let next = at + 1
    while (next < clauses.length && clauses[next].type === 'if_clause') next++
    const iterable = iterableOf(forClause.childForFieldName('right')!, outer)
    const scope: Scope = { kind: 'comprehension', parent: outer.scope, locals: new Map(), globals: new Set(), importBindings: new Map() }
    const param = bindTarget(forClause.childForFieldName('left')!, scope, iterable.pairs, outer)
    const inner: Context = { ...outer, scope }
    const conditions = clauses.slice(at + 1, next).map((c) => truthy(translateExpr(c.namedChildren[0], inner), inner).code)
    const source = unpacked(forClause, iterable, outer)
    const filtered = conditions.length === 0 ? source : `${source}.filter((${param}: Py) => ${conditions.map((c) => (conditions.length > 1 ? `(${c})` : c)).join(' && ')})`
    if (next < clauses.length) return `${filtered}.flatMap((${param}: Py) => ${build(next, inner)})`
    const value = body(inner)
    // The innermost list is flattened into a new array by its caller's flatMap: no copy needed.
    return value === param ? filtered : `${filtered}.map((${param}: Py) => ${value})`
  }
  return build(0, ctx)
}

/**
 * A generator expression, lazy as in Python: `py.lazyMap(xs, (x) => body, (x) => cond)`, each
 * further `for` clause nested through `py.lazyFlatMap`. The first iterable is evaluated at once,
 * the rest as items are asked for; `next()`, `for` and every consumer read it item by item.
 */
function lazyGenerator(node: SyntaxNode, ctx: Context): Emitted {
  const clauses = node.namedChildren.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause')
  ctx.imports.py = true
  const build = (at: number, outer: Context): string => {
    const forClause = clauses[at]
    if (forClause.children.some((c) => c.type === 'async')) fail('unsupported-python-construct', forClause, 'async comprehension')
    let next = at + 1
    while (next < clauses.length && clauses[next].type === 'if_clause') next++
    const iterable = iterableOf(forClause.childForFieldName('right')!, outer)
    const scope: Scope = { kind: 'comprehension', parent: outer.scope, locals: new Map(), globals: new Set(), importBindings: new Map() }
    const target = forClause.childForFieldName('left')!
    const param = bindTarget(target, scope, iterable.pairs, outer)
    const inner: Context = { ...outer, scope }
    let source = iterable.code.code
    if (!iterable.pairs && (target.type === 'pattern_list' || target.type === 'tuple_pattern')) source = `py.lazyMap(${source}, (item) => py.unpack(item, ${target.namedChildren.length}))`
    const conditions = clauses.slice(at + 1, next).map((c) => truthy(translateExpr(c.namedChildren[0], inner), inner).code)
    const filter = conditions.length === 0 ? '' : `, (${param}: Py) => ${conditions.map((c) => (conditions.length > 1 ? `(${c})` : c)).join(' && ')}`
    if (next < clauses.length) return `py.lazyFlatMap(${source}, (${param}: Py) => ${build(next, inner)}${filter})`
    const body = translateExpr(node.childForFieldName('body')!, inner).code
    return `py.lazyMap(${source}, (${param}: Py) => ${body.startsWith('{') ? `(${body})` : body}${filter})`
  }
  return emitted(build(0, ctx), Prec.Call, 'unknown')
}

function forClauses(node: SyntaxNode): number {
  return node.namedChildren.filter((c) => c.type === 'for_in_clause').length
}

export function translateComprehension(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type === 'generator_expression') return lazyGenerator(node, ctx)
  if (forClauses(node) > 1 && node.type !== 'dictionary_comprehension') {
    const list = nestedComprehension(node, ctx, (inner) => {
      const code = translateExpr(node.childForFieldName('body')!, inner).code
      return code.startsWith('{') ? `(${code})` : code
    })
    if (node.type !== 'set_comprehension') return emitted(list, Prec.Call, 'list')
    ctx.imports.py = true
    return emitted(`new py.PySet(${list})`, Prec.Call, 'set')
  }
  if (forClauses(node) > 1) {
    const pair = node.childForFieldName('body')!
    ctx.imports.py = true
    const pairs = nestedComprehension(node, ctx, (inner) => `[${translateExpr(pair.childForFieldName('key')!, inner).code}, ${translateExpr(pair.childForFieldName('value')!, inner).code}] as [Py, Py]`)
    return emitted(`new py.PyDict(${pairs})`, Prec.Call, 'dict')
  }
  switch (node.type) {
    case 'list_comprehension':
    case 'generator_expression':
    case 'set_comprehension': {
      const { param, inner, filtered } = comprehensionParts(node, ctx)
      const body = translateExpr(node.childForFieldName('body')!, inner)
      const bodyCode = body.code.startsWith('{') ? `(${body.code})` : body.code
      const list = mapped(filtered, param, bodyCode, body.code === param && filtered.includes('.filter('))
      const listCode = list.startsWith('[...') || list.includes('.filter(') || list.includes('.map(') ? list : `[...${list}]`
      if (node.type === 'set_comprehension') {
        ctx.imports.py = true
        return emitted(`new py.PySet(${listCode})`, Prec.Call, 'set')
      }
      return emitted(listCode, Prec.Call, 'list')
    }
    case 'dictionary_comprehension': {
      const { param, inner, filtered } = comprehensionParts(node, ctx)
      const pair = node.childForFieldName('body')!
      const key = translateExpr(pair.childForFieldName('key')!, inner)
      const value = translateExpr(pair.childForFieldName('value')!, inner)
      ctx.imports.py = true
      return emitted(`new py.PyDict(${filtered}.map((${param}: Py): [Py, Py] => [${key.code}, ${value.code}]))`, Prec.Call, 'dict')
    }
  }
  return undefined
}
