import { fail, snippet } from '../diagnostics.js'
import { emitted, jsIdentifier, lookupLocal, type Context, type Emitted, type PyType, type SyntaxNode } from '../context.js'
import { Prec, receiver } from '../precedence.js'
import { translateExpr } from '../expr/index.js'
import { callArguments } from '../expr/arguments.js'
import { resolveName } from '../expr/names.js'
import { translateBlock, indent } from './index.js'
import { assignTo } from './assign.js'
import { withElse } from './control.js'
import { recordAssignment } from '../function.js'

export interface Iterable {
  code: Emitted
  /** The code is a fresh or existing JavaScript array (so `.filter` / `.map` apply). */
  isArray: boolean
  /** Items are known pairs (dict items, enumerate, two-way zip): destructuring is exact. */
  pairs: boolean
  /** Static type of each item, when known. */
  itemType: PyType
}

function isBuiltinCall(node: SyntaxNode, name: string, ctx: Context): boolean {
  if (node.type !== 'call') return false
  const fn = node.childForFieldName('function')!
  return fn.type === 'identifier' && fn.text === name && resolveName(name, fn, ctx).kind === 'builtin'
}

/** What a `for` or comprehension iterates over, as a JavaScript iterable. */
export function iterableOf(node: SyntaxNode, ctx: Context): Iterable {
  if (isBuiltinCall(node, 'enumerate', ctx) || (isBuiltinCall(node, 'zip', ctx) && callArguments(node).positional.length === 2)) {
    return { code: translateExpr(node, ctx), isArray: true, pairs: true, itemType: 'tuple' }
  }
  if (isBuiltinCall(node, 'range', ctx)) return { code: translateExpr(node, ctx), isArray: true, pairs: false, itemType: 'int' }
  const value = translateExpr(node, ctx)
  if (node.type === 'call' && node.childForFieldName('function')!.type === 'attribute' && node.childForFieldName('function')!.childForFieldName('attribute')!.text === 'items') {
    const isArray = value.code.endsWith('.items()') && !value.code.startsWith('py.callMethod')
    return { code: isArray ? value : emitted(`py.iter(${value.code})`, Prec.Call), isArray, pairs: true, itemType: 'tuple' }
  }
  switch (value.type) {
    case 'list':
    case 'tuple':
      return { code: value, isArray: true, pairs: false, itemType: 'unknown' }
    case 'dict':
      return { code: emitted(`${receiver(value)}.keys()`, Prec.Call), isArray: true, pairs: false, itemType: 'unknown' }
    case 'str':
      return { code: emitted(`[...${value.code}]`, Prec.Primary), isArray: true, pairs: false, itemType: 'str' }
  }
  ctx.imports.py = true
  return { code: emitted(`py.iter(${value.code})`, Prec.Call), isArray: false, pairs: false, itemType: 'unknown' }
}

/** `for target in iterable:` (with `else`). */
export function translateFor(node: SyntaxNode, ctx: Context): string[] | undefined {
  if (node.type !== 'for_statement') return undefined
  if (node.children.some((c) => c.type === 'async')) fail('unsupported-python-construct', node, '`async for`')
  const target = node.childForFieldName('left')!
  const iterable = iterableOf(node.childForFieldName('right')!, ctx)
  return withElse(node, ctx, () => {
    let head: string
    const prelude: string[] = []
    if (target.type === 'identifier') {
      const found = lookupLocal(ctx.scope, target.text)
      if (!found) fail('unsupported-scope-declaration', target, `loop variable \`${target.text}\` is not a local`)
      // Loop variables are function locals that outlive the loop, as in Python.
      recordAssignment(target.text, iterable.itemType, ctx)
      head = found.local.jsName
    } else if ((target.type === 'pattern_list' || target.type === 'tuple_pattern') && iterable.pairs && target.namedChildren.length === 2 && target.namedChildren.every((t) => t.type === 'identifier' && lookupLocal(ctx.scope, t.text))) {
      const names = target.namedChildren.map((t) => {
        recordAssignment(t.text, 'unknown', ctx)
        return lookupLocal(ctx.scope, t.text)!.local.jsName
      })
      head = `[${names.join(', ')}]`
    } else {
      const item = ctx.temp('item')
      head = `const ${item}`
      prelude.push(...assignTo(target, emitted(item, Prec.Primary), ctx))
    }
    void jsIdentifier
    void snippet
    return [`for (${head} of ${iterable.code.code}) {`, ...indent([...prelude, ...translateBlock(node.childForFieldName('body')!, ctx)]), '}']
  })
}
