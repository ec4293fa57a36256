import { fail, snippet } from '../diagnostics.js'
import { lookupLocal, selfOf, type Context, type SyntaxNode } from '../context.js'
import { translateExpr } from '../expr/index.js'
import { translateCall } from '../expr/calls.js'
import { afterThisRequestContext, translateFlaskExpr } from '../flask/index.js'
import { importBindings } from '../project.js'
import { translateAssignment, translateAugmentedAssignment } from './assign.js'
import { generatorDecorator, signatureOf, translateFunction, usesRestConvention } from '../function.js'
import { qualifiedName, wrapsDecorator, wrapsDecoratorTarget } from '../decorators.js'
import { tsJson } from '../../ts-text.js'
import { indent } from './index.js'
import { sliceArguments } from '../expr/subscript.js'

/** Expression statements, assignments included. */
export function translateExpressionStatement(node: SyntaxNode, ctx: Context): string[] | undefined {
  if (node.type !== 'expression_statement') return undefined
  const children = node.namedChildren.filter((c) => c.type !== 'comment')
  if (children.length !== 1) fail('unsupported-python-construct', node, `statement \`${snippet(node)}\``)
  const expression = children[0]
  switch (expression.type) {
    case 'assignment':
      return translateAssignment(expression, ctx)
    case 'augmented_assignment':
      return translateAugmentedAssignment(expression, ctx)
    case 'string':
      return [] // a docstring or a bare string: no effect
    case 'call':
      return [(translateFlaskExpr(expression, ctx) ?? translateCall(expression, ctx, true)!).code]
  }
  const value = translateExpr(expression, ctx)
  return [/^[[(`{]|^function/.test(value.code) ? `void ${value.code}` : value.code]
}

/** `del d[k]`, `del l[i]`, `del l[a:b]`, and `del name` of a local that is never used again. */
export function translateDelete(node: SyntaxNode, ctx: Context): string[] | undefined {
  if (node.type !== 'delete_statement') return undefined
  const targets = node.namedChildren[0].type === 'expression_list' ? node.namedChildren[0].namedChildren : node.namedChildren
  return targets.flatMap((target) => {
    if (target.type === 'identifier') {
      deleteLocal(target, node, ctx)
      return []
    }
    const index = target.childrenForFieldName('subscript')
    if (target.type !== 'subscript' || index.length !== 1) fail('unsupported-python-construct', target, `\`del ${snippet(target)}\``)
    const object = translateExpr(target.childForFieldName('value')!, ctx)
    ctx.imports.py = true
    if (index[0].type === 'slice') return [`py.delslice(${object.code}, ${sliceArguments(index[0], ctx)})`]
    const key = translateExpr(index[0], ctx)
    if (object.type === 'dict') return [`${object.code}.delItem(${key.code})`]
    return [`py.delitem(${object.code}, ${key.code})`]
  })
}

/**
 * `del x` unbinds a local; later reads would raise. It translates to nothing when that cannot
 * be observed: an earlier statement of the same block binds `x`, the `del` is not in a loop,
 * and `x` is not mentioned after it nor by any nested function, lambda or comprehension.
 */
function deleteLocal(target: SyntaxNode, statement: SyntaxNode, ctx: Context): void {
  const name = target.text
  const unsupported = (why: string): never => fail('unsupported-python-construct', target, `\`del ${name}\` ${why}`)
  const found = lookupLocal(ctx.scope, name)
  if (!found || found.scope !== ctx.scope || ctx.scope.kind !== 'function') unsupported('of a name that is not a local of this function')
  if (ctx.loops.length > 0) unsupported('inside a loop')
  let fn: SyntaxNode | null = statement.parent
  while (fn && fn.type !== 'function_definition') fn = fn.parent
  const mentions = (node: SyntaxNode, nested: boolean): void => {
    if (node.type === 'identifier' && node.text === name && node.id !== target.id) {
      if (node.startIndex > statement.endIndex) unsupported('of a name used after it')
      if (nested) unsupported('of a name a nested function, lambda or comprehension uses')
    }
    const opens = ['function_definition', 'lambda', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression'].includes(node.type)
    for (const child of node.namedChildren) mentions(child, nested || opens)
  }
  for (const child of fn?.childForFieldName('body')?.namedChildren ?? []) mentions(child, false)
  let binds = false
  for (let previous = statement.previousNamedSibling; previous && !binds; previous = previous.previousNamedSibling) {
    binds = previous.type === 'expression_statement' && previous.namedChildren[0]?.type === 'assignment' && assignedNames(previous.namedChildren[0]).includes(name)
  }
  if (!binds) unsupported('where no earlier statement of the same block binds the name')
}

function assignedNames(assignment: SyntaxNode): string[] {
  const names: string[] = []
  const collect = (target: SyntaxNode): void => {
    if (target.type === 'identifier') names.push(target.text)
    else if (['pattern_list', 'tuple_pattern', 'list_pattern', 'parenthesized_expression'].includes(target.type)) target.namedChildren.forEach(collect)
  }
  for (let node: SyntaxNode | null = assignment; node?.type === 'assignment'; node = node.childForFieldName('right')) collect(node.childForFieldName('left')!)
  return names
}

/** `global x` (a name of this module) and `nonlocal x` (a local of an enclosing function). */
export function translateScopeDeclaration(node: SyntaxNode, ctx: Context): string[] | undefined {
  if (node.type !== 'global_statement' && node.type !== 'nonlocal_statement') return undefined
  if (ctx.scope.kind !== 'function') fail('unsupported-scope-declaration', node, `\`${node.type.split('_')[0]}\` outside a function`)
  for (const id of node.namedChildren) {
    if (node.type === 'global_statement') {
      const def = ctx.module.symbols.get(id.text)
      if (!def || def.kind !== 'data') {
        fail('unsupported-scope-declaration', node, `\`global ${id.text}\` where \`${id.text}\` is not a module-level variable the translator emits in this module`)
      }
    } else if (!lookupLocal(ctx.scope.parent, id.text)) {
      fail('unsupported-scope-declaration', node, `\`nonlocal ${id.text}\` with no enclosing function variable`)
    }
  }
  return []
}

/**
 * A `def` inside a function: a `const` arrow function (closures and `this` behave as in Python);
 * a generator is a `function*` with the enclosing `this` bound, wrapped by `@contextmanager`.
 */
export function translateNestedDef(node: SyntaxNode, ctx: Context): string[] | undefined {
  let def = node
  let wrapper: string | null = null
  let wraps: string | null = null
  if (node.type === 'decorated_definition') {
    const decorators = node.namedChildren.filter((c) => c.type === 'decorator')
    const request = decorators.length === 1 ? afterThisRequestContext(decorators[0], ctx) : null
    if (request !== null) return translateAfterThisRequest(node, request, ctx)
    wraps = wrapsDecorator(decorators, ctx)
    wrapper = wraps === null ? generatorDecorator(decorators, ctx) : null
    if (wrapper === null && wraps === null) return fail('unknown-decorator', decorators[0], `decorator \`${snippet(decorators[0])}\` on a nested function`)
    def = node.childForFieldName('definition')!
  }
  if (def.type !== 'function_definition') return undefined
  const name = def.childForFieldName('name')!.text
  const found = lookupLocal(ctx.scope, name)!
  ctx.scope.nestedDefs?.set(name, def)
  const wrapped = wraps === null ? null : wrapsDecoratorTarget(node)
  const fn = translateFunction(def, wrapped === null ? ctx : { ...ctx, wrappedCallables: new Set([...(ctx.wrappedCallables ?? []), wrapped]) }, { kind: 'function', variadic: true })
  const head = ctx.constNames.has(name) ? `const ${found.local.jsName} =` : `${found.local.jsName} =`
  if (wraps !== null) {
    // The wrapper a decorator returns: Python code calls it with keywords (`view(**kwargs)`), so it binds them by name.
    if (fn.isGenerator) fail('unsupported-python-construct', node.namedChildren[0], `\`${snippet(node.namedChildren[0])}\` on a generator`)
    const params = signatureOf(def, def)
    const open = usesRestConvention(def)
      ? 'py.takesKeywords('
      : `py.withKeywords(${tsJson(qualifiedName(def))}, [${params.map((p) => tsJson(p.name)).join(', ')}], ${params.filter((p) => !p.hasDefault).length}, `
    return [`${head} ${wraps}(`, `  ${open}(${fn.params.join(', ')}): Py => {`, ...indent(indent(fn.body)), '  }),', ')']
  }
  if (!fn.isGenerator) {
    if (wrapper !== null) fail('unsupported-python-construct', node.namedChildren[0], `\`${snippet(node.namedChildren[0])}\` on a function that does not yield`)
    return [`${head} (${fn.params.join(', ')}): Py => {`, ...indent(fn.body), '}']
  }
  const self = selfOf(ctx) !== undefined
  const open = `${wrapper ? `${wrapper}(` : ''}${self ? '(' : ''}function* (${[...(self ? ['this: Py'] : []), ...fn.params].join(', ')}): Py {`
  const close = `}${self ? ').bind(this)' : ''}${wrapper ? ')' : ''}`
  return [`${head} ${open}`, ...indent(fn.body), close]
}

/**
 * `@after_this_request` on a nested `def` (Flask's per-request response hook): the runtime's
 * `afterThisRequest`, which runs it on this request's response before the after_request hooks.
 */
function translateAfterThisRequest(node: SyntaxNode, request: string, ctx: Context): string[] {
  const def = node.childForFieldName('definition')!
  if (def.type !== 'function_definition') fail('unsupported-python-construct', node, '`@after_this_request` on a class')
  const name = def.childForFieldName('name')!.text
  const found = lookupLocal(ctx.scope, name)!
  const params = signatureOf(def, def)
  if (params.length !== 1 || params[0]!.hasDefault) fail('unsupported-flask-api', def, 'an `@after_this_request` function that does not take just the response')
  const fn = translateFunction(def, ctx, { kind: 'function', paramTypes: new Map([[params[0]!.name, 'response']]) })
  if (fn.isGenerator || fn.isAsync) fail('unsupported-python-construct', def, 'an `@after_this_request` function that yields or is async')
  const response = fn.params[0]!.split(/[:=]/)[0]!.trim()
  ctx.imports.flask.add('afterThisRequest')
  ctx.imports.flask.add('FlaskResponse')
  ctx.imports.py = true
  const head = ctx.constNames.has(name) ? `const ${found.local.jsName} =` : `${found.local.jsName} =`
  return [`${head} afterThisRequest(${request}, (_c, ${response}: FlaskResponse): Py => {`, ...indent(fn.body), '})']
}

/** `import x` / `from x import y` inside a function: bindings only, resolved like module-level imports. */
export function translateLocalImport(node: SyntaxNode, ctx: Context): string[] | undefined {
  if (node.type !== 'import_statement' && node.type !== 'import_from_statement') return undefined
  if (node.type === 'import_from_statement' && node.namedChildren.some((c) => c.type === 'wildcard_import')) {
    fail('unsupported-python-construct', node, '`from … import *`')
  }
  for (const [name, target] of importBindings(ctx.project, ctx.module, node)) ctx.scope.importBindings.set(name, target)
  return []
}
