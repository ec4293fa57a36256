import { extensionName } from '../ir/extension-rules.js'
import { parametersOf } from './flask/extensions.js'
import { schemaRuleOf } from './schema-class.js'
import { fail } from './diagnostics.js'
import { emitted, jsIdentifier, joinTypes, rawCode, tsType, type Context, type Emitted, type PyType, type Scope, type SyntaxNode } from './context.js'
import { Prec } from './precedence.js'
import { translateExpr } from './expr/index.js'
import { translateBlock } from './stmt/index.js'
import { resolveName } from './expr/names.js'
import { tsJson } from '../ts-text.js'
import type { ProjectIndex } from './project.js'
import { HTTP_EXCEPTION_BASES } from './class.js'
import { patternCaptures } from './stmt/match.js'
import { projectSchema } from './expr/sqlalchemy.js'
import { libraryClassSignature } from './stdlib-class.js'

export interface ParamInfo {
  name: string
  hasDefault: boolean
  /** `*args` collects extra positional arguments, `**kwargs` extra keywords; `keyword` parameters follow `*`. */
  kind: 'positional' | 'keyword' | 'varargs' | 'kwargs'
  /**
   * The function takes JavaScript rest parameters (methods and nested functions with `*args`,
   * `**kwargs` or keyword-only parameters): extra positionals as they come, keywords in a trailing
   * `py.keywords(...)`, so that calls that do not know the signature still bind as Python does.
   */
  rest?: boolean
}

/** A `def` at module level (its variadic parameters are bound statically: callers know it by name). */
function isModuleLevel(def: SyntaxNode): boolean {
  const parent = def.parent?.type === 'decorated_definition' ? def.parent.parent : def.parent
  return parent?.type === 'module'
}

/** Whether a `def` takes `*args`, `**kwargs` or keyword-only parameters. */
export function hasVariadicParameters(def: SyntaxNode): boolean {
  return parameterNodes(def.childForFieldName('parameters')).some((p) => variadicKind(p) !== null)
}

/** Python's `__qualname__` of a `def` (`A.m`, `f.<locals>.g`), as its TypeErrors name it. */
function qualname(def: SyntaxNode): string {
  const parts = [def.childForFieldName('name')!.text]
  for (let node = def.parent; node; node = node.parent) {
    if (node.type === 'function_definition') parts.unshift(`${node.childForFieldName('name')!.text}.<locals>`)
    else if (node.type === 'class_definition') parts.unshift(node.childForFieldName('name')!.text)
  }
  return parts.join('.')
}

/** Whether a `def` uses the rest convention (see ParamInfo.rest). */
export function usesRestConvention(def: SyntaxNode): boolean {
  return !isModuleLevel(def) && hasVariadicParameters(def)
}

function parameterNodes(params: SyntaxNode | null): SyntaxNode[] {
  return params ? params.namedChildren.filter((c) => c.type !== 'comment') : []
}

/** `*args` / `**kwargs` (possibly annotated) and the bare `*` separator; null for a plain parameter. */
function variadicKind(p: SyntaxNode): 'varargs' | 'kwargs' | 'separator' | null {
  const inner = p.type === 'typed_parameter' ? p.namedChildren[0] : p
  if (inner?.type === 'list_splat_pattern') return 'varargs'
  if (inner?.type === 'dictionary_splat_pattern') return 'kwargs'
  if (p.type === 'keyword_separator') return 'separator'
  return null
}

function checkParameter(p: SyntaxNode, allowVariadic: boolean): void {
  const variadic = variadicKind(p)
  if (variadic !== null) {
    if (allowVariadic) return
    if (variadic === 'separator') fail('unsupported-python-construct', p, `parameter separator \`${p.text}\` outside a module-level function`)
    return fail('unsupported-python-construct', p, `${variadic === 'varargs' ? 'variadic' : 'keyword-variadic'} parameter \`${p.text}\` outside a module-level function`)
  }
  switch (p.type) {
    case 'identifier':
    case 'default_parameter':
    case 'typed_parameter':
    case 'typed_default_parameter':
      return
    case 'positional_separator':
      return fail('unsupported-python-construct', p, `parameter separator \`${p.text}\``)
    default:
      return fail('unsupported-python-construct', p, `parameter \`${p.text}\``)
  }
}

function parameterName(p: SyntaxNode): string {
  if (p.type === 'identifier') return p.text
  const variadic = variadicKind(p)
  if (variadic === 'varargs' || variadic === 'kwargs') return (p.type === 'typed_parameter' ? p.namedChildren[0] : p).namedChildren[0].text
  return (p.childForFieldName('name') ?? p.namedChildren[0]).text
}

/** The parameters of a `def`, in order, with their kinds (the bare `*` separator left out). */
export function signatureOf(def: SyntaxNode, _at: SyntaxNode): ParamInfo[] {
  const params: ParamInfo[] = []
  const rest = usesRestConvention(def)
  let keywordOnly = false
  for (const p of parameterNodes(def.childForFieldName('parameters'))) {
    checkParameter(p, true)
    const variadic = variadicKind(p)
    if (variadic === 'separator') {
      keywordOnly = true
      continue
    }
    if (variadic === 'varargs') keywordOnly = true
    params.push({
      name: parameterName(p),
      hasDefault: p.type === 'default_parameter' || p.type === 'typed_default_parameter' || variadic !== null,
      kind: variadic ?? (keywordOnly ? 'keyword' : 'positional'),
      ...(rest ? { rest: true } : {}),
    })
  }
  return params
}

/** The parameters of a class's `__init__` (inherited from project bases), without `self`; null when the class takes builtin-exception arguments. */
export function constructorSignature(classNode: SyntaxNode, project: ProjectIndex, module: string): ParamInfo[] {
  const library = libraryClassSignature(classNode, project, module)
  if (library !== null) return library
  const body = classNode.childForFieldName('body')!
  for (const member of body.namedChildren) {
    const def = member.type === 'decorated_definition' ? member.childForFieldName('definition')! : member
    if (def.type === 'function_definition' && def.childForFieldName('name')!.text === '__init__') return signatureOf(def, classNode).slice(1)
  }
  return baseConstructorSignature(classNode, project, module)
}

/** The parameters of the constructor a class inherits from its (first) base. */
export function baseConstructorSignature(classNode: SyntaxNode, project: ProjectIndex, module: string): ParamInfo[] {
  // A Flask-SQLAlchemy model without __init__: SQLAlchemy's constructor takes the mapped attributes as keywords.
  const name = classNode.childForFieldName('name')?.text
  if (projectSchema(project).tables.some((table) => table.model === name && table.module === module)) return [{ name: 'kwargs', hasDefault: true, kind: 'kwargs' }]
  // With mixins (`class V(M1, M2, Base)`, none of which has an `__init__`), the last base's.
  const base = classNode.childForFieldName('superclasses')?.namedChildren.filter((c) => c.type !== 'comment').at(-1)
  // `class S(ma.Schema)` (flask-marshmallow): the schema's keyword options.
  if (base?.type === 'attribute' && project.modules.get(module) !== undefined && schemaRuleOf(classNode, project, project.modules.get(module)!) !== null) {
    return [{ name: 'options', hasDefault: true, kind: 'kwargs' }]
  }
  if (base?.type === 'identifier') {
    const info = project.modules.get(module)
    const def = info?.symbols.get(base.text)
    const resolved = def?.kind === 'import' && def.target.kind === 'member' ? project.resolveSymbol(def.target.module, def.target.name) : def ? { module: info!, def } : null
    if (resolved && resolved.def.kind === 'class') return constructorSignature(resolved.def.node, project, resolved.module.name)
    const imported = resolved ?? (def ? { def } : null)
    const external = imported?.def.kind === 'import' && imported.def.target.kind === 'member' ? imported.def.target : null
    // A class of a mapped extension with parameters (marshmallow's Schema): the mapping's.
    const mapped = external ? extensionName(external.module, external.name) : null
    const mappedParameters = mapped?.name.kind === 'class' ? parametersOf(mapped.name) : null
    if (mappedParameters !== null) return mappedParameters
    if (external && HTTP_EXCEPTION_BASES.has(external.name) && /^(werkzeug|flask)/.test(external.module)) {
      // Werkzeug's HTTPException(description=None, response=None).
      return [
        { name: 'description', hasDefault: true, kind: 'positional' },
        { name: 'response', hasDefault: true, kind: 'positional' },
      ]
    }
    // A builtin exception base: any positional arguments.
    return Array.from({ length: 8 }, (_, i) => ({ name: `\0arg${i}`, hasDefault: true, kind: 'positional' as const }))
  }
  return []
}

/** Immutable literal defaults only: Python evaluates a default once, JavaScript at every call. */
function defaultValue(node: SyntaxNode, ctx: Context): Emitted {
  const immutable = ['integer', 'float', 'string', 'true', 'false', 'none', 'unary_operator', 'concatenated_string']
  if (!immutable.includes(node.type) || (node.type === 'string' && node.text.startsWith('f'))) {
    fail('unsupported-python-construct', node, `default value \`${node.text}\` (only literal defaults are supported)`)
  }
  return translateExpr(node, ctx)
}

/** A new function scope holding the parameters; the TypeScript parameter list. */
export function translateParameters(
  paramsNode: SyntaxNode | null,
  ctx: Context,
  kind: 'function' | 'method',
  paramTypes: Map<string, PyType> = new Map(),
  allowVariadic = false,
  rest: { name: string } | null = null,
): { params: string[]; scope: Scope; names: string[]; prologue: string[] } {
  const scope: Scope = { kind: 'function', parent: ctx.scope, locals: new Map(), globals: new Set(), importBindings: new Map(), nestedDefs: new Map() }
  const params: string[] = []
  const names: string[] = []
  const prologue: string[] = []
  // The rest convention (ParamInfo.rest): positional parameters as they are, the others from `...rest`.
  let positionalCount = 0
  let keywordOnly = false
  const restVar = rest ? ctx.temp('rest') : ''
  const bound = rest ? ctx.temp('bound') : ''
  const keywordSpecs: string[] = []
  const restNames: { varargs: string | null; kwargs: string | null } = { varargs: null, kwargs: null }
  parameterNodes(paramsNode).forEach((p, i) => {
    checkParameter(p, allowVariadic)
    const variadic = variadicKind(p)
    if (variadic === 'separator' || variadic === 'varargs') keywordOnly = true
    if (variadic === 'separator') return
    const name = parameterName(p)
    if (rest && (variadic !== null || keywordOnly)) {
      const jsName = jsIdentifier(name)
      scope.locals.set(name, { jsName, type: variadic === 'varargs' ? 'tuple' : variadic === 'kwargs' ? 'dict' : 'unknown' })
      names.push(name)
      if (variadic === 'varargs') restNames.varargs = jsName
      else if (variadic === 'kwargs') restNames.kwargs = jsName
      else {
        const value = p.childForFieldName('value')
        const fallback = value ? defaultValue(value, ctx) : null
        keywordSpecs.push(`[${tsJson(name)}${fallback ? `, ${fallback.code}` : ''}]`)
        prologue.push(`let ${jsName}: Py = ${bound}.keywords.get(${tsJson(name)})`)
      }
      return
    }
    if (variadic !== null) {
      // Callers bind by the signature (bindToSignature): a tuple of the extra positionals, a dict of the extra keywords.
      const jsName = jsIdentifier(name)
      scope.locals.set(name, { jsName, type: variadic === 'varargs' ? 'tuple' : 'dict' })
      names.push(name)
      params.push(`${jsName}: ${variadic === 'varargs' ? 'Py = py.tuple()' : 'py.PyDict = new py.PyDict()'}`)
      return
    }
    if (kind === 'method' && i === 0) {
      scope.locals.set(name, { jsName: 'this', type: 'unknown' })
      return
    }
    const jsName = jsIdentifier(name)
    const type = paramTypes.get(name) ?? 'unknown'
    scope.locals.set(name, { jsName, type })
    names.push(name)
    positionalCount++
    const value = p.childForFieldName('value')
    // A parameter typed float holds the plain number (see Emitted); others the dynamic value.
    const fallback = value ? defaultValue(value, ctx) : null
    params.push(`${jsName}: ${tsType(type)}${fallback ? ` = ${type === 'float' ? rawCode(fallback).code : fallback.code}` : ''}`)
  })
  if (rest) {
    params.push(`...${restVar}: Py[]`)
    // Python counts `self` (and `cls`) among the positional arguments in its messages.
    const options = `{ positional: ${positionalCount + (kind === 'method' ? 1 : 0)}, varargs: ${restNames.varargs !== null}, kwargs: ${restNames.kwargs !== null}, keywordOnly: [${keywordSpecs.join(', ')}] }`
    prologue.unshift(`const ${bound} = py.bindRest(${restVar}, ${tsJson(rest.name)}, ${options})`)
    if (restNames.varargs !== null) prologue.push(`let ${restNames.varargs}: readonly Py[] = ${bound}.args`)
    if (restNames.kwargs !== null) prologue.push(`let ${restNames.kwargs}: Py = ${bound}.kwargs`)
  }
  ctx.imports.py = true
  return { params, scope, names, prologue }
}

type BindingKind = 'assign-top' | 'assign' | 'for' | 'except' | 'def' | 'import' | 'other'

/** Names a function body binds (Python's local variables), with how each is bound. */
export function collectBindings(body: SyntaxNode): { bindings: Map<string, BindingKind[]>; globals: Set<string>; nonlocals: Set<string> } {
  const bindings = new Map<string, BindingKind[]>()
  const globals = new Set<string>()
  const nonlocals = new Set<string>()
  const bind = (name: string, kind: BindingKind): void => {
    bindings.set(name, [...(bindings.get(name) ?? []), kind])
  }
  const bindTarget = (target: SyntaxNode, kind: BindingKind): void => {
    if (target.type === 'identifier') bind(target.text, kind)
    else if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression'].includes(target.type)) {
      for (const t of target.namedChildren) bindTarget(t, kind === 'assign-top' ? 'assign' : kind)
    } else if (target.type === 'list_splat_pattern') bindTarget(target.namedChildren[0], 'other')
  }
  const nestedNonlocals = (node: SyntaxNode): void => {
    if (node.type === 'nonlocal_statement') for (const id of node.namedChildren) bind(id.text, 'other')
    for (const child of node.namedChildren) nestedNonlocals(child)
  }
  const walk = (node: SyntaxNode, top: boolean): void => {
    switch (node.type) {
      case 'function_definition':
      case 'class_definition':
        bind(node.childForFieldName('name')!.text, 'def')
        // A nested function rebinding one of ours (`nonlocal x`) makes it a variable, not a constant.
        nestedNonlocals(node)
        return
      case 'lambda':
      case 'list_comprehension':
      case 'dictionary_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
        return
      case 'global_statement':
        for (const id of node.namedChildren) globals.add(id.text)
        return
      case 'nonlocal_statement':
        for (const id of node.namedChildren) nonlocals.add(id.text)
        return
      case 'assignment': {
        const right = node.childForFieldName('right')
        const simple = top && right !== null && right.type !== 'assignment' && node.childForFieldName('left')!.type === 'identifier'
        bindTarget(node.childForFieldName('left')!, simple ? 'assign-top' : 'assign')
        if (right) walk(right, false)
        return
      }
      case 'augmented_assignment':
        bindTarget(node.childForFieldName('left')!, 'assign')
        return
      case 'for_statement':
        bindTarget(node.childForFieldName('left')!, 'for')
        break
      case 'except_clause': {
        const alias = node.namedChildren.find((c) => c.type === 'as_pattern')?.childForFieldName('alias')
        if (alias) bind(alias.text, 'except')
        break
      }
      case 'import_statement':
      case 'import_from_statement':
        return
      case 'named_expression':
        bind(node.childForFieldName('name')!.text, 'other')
        break
      case 'case_clause':
        for (const pattern of node.namedChildren.filter((c) => c.type === 'case_pattern')) for (const name of patternCaptures(pattern)) bind(name, 'other')
        break
      case 'with_item': {
        const value = node.childForFieldName('value')
        const target = value?.type === 'as_pattern' ? value.childForFieldName('alias') : null
        if (target) for (const t of target.namedChildren) bindTarget(t, 'assign')
        break
      }
    }
    const childTop = top && node.type === 'expression_statement'
    for (const child of node.namedChildren) walk(child, childTop || (top && node.type === 'block' && false))
  }
  for (const statement of body.namedChildren) walk(statement, true)
  for (const name of [...globals, ...nonlocals]) bindings.delete(name)
  return { bindings, globals, nonlocals }
}

export interface TranslatedFunction {
  params: string[]
  body: string[]
  isAsync: boolean
  /** The body yields: the function is a generator (`function*`). */
  isGenerator: boolean
  /** How many lines at the start of `body` bind rest parameters (a constructor runs them before `super(...)`). */
  prologueLength: number
}

/**
 * The runtime wrapper for a generator function's decorators: `py.contextmanager` for
 * `@contextlib.contextmanager`, nothing for `@stream_with_context` (the request stays reachable
 * while a streamed body is read). Null for anything else (checkDecorators reports it).
 */
export function generatorDecorator(decorators: SyntaxNode[], ctx: Context): string | null {
  if (decorators.length !== 1) return null
  const expression = decorators[0].namedChildren.find((c) => c.type !== 'comment')!
  const path =
    expression.type === 'identifier'
      ? resolveName(expression.text, expression, ctx)
      : expression.type === 'attribute' && expression.childForFieldName('object')!.type === 'identifier'
        ? resolveName(expression.childForFieldName('object')!.text, expression, ctx)
        : null
  const name = expression.type === 'attribute' ? expression.childForFieldName('attribute')!.text : null
  if (path?.kind === 'unknown-import' && ((path.module === 'contextlib' && path.name === 'contextmanager') || (path.name === null && path.module === 'contextlib' && name === 'contextmanager'))) {
    ctx.imports.py = true
    return 'py.contextmanager'
  }
  if (path?.kind === 'flask' && (path.name === 'stream_with_context' || (path.name === path.module && name === 'stream_with_context'))) return ''
  return null
}

/** Whether a function body yields (not counting nested functions, lambdas and classes). */
export function isGeneratorBody(body: SyntaxNode): boolean {
  const walk = (node: SyntaxNode): boolean => {
    if (node.type === 'yield') return true
    if (['function_definition', 'lambda', 'class_definition'].includes(node.type)) return false
    return node.namedChildren.some(walk)
  }
  return body.namedChildren.some(walk)
}

/**
 * A `def`'s parameters and body. Locals assigned once at the top level become `const` where they
 * are assigned; the others are declared at the top, typed from the values assigned to them.
 */
export function translateFunction(
  def: SyntaxNode,
  ctx: Context,
  options: { kind: 'function' | 'method'; paramTypes?: Map<string, PyType>; extraParams?: string[]; variadic?: boolean; allowAsync?: boolean },
): TranslatedFunction {
  // `async def` (Flask 2 runs async views and hooks): an async function where the caller awaits it.
  const declaredAsync = def.children.some((c) => c.type === 'async')
  if (declaredAsync && !options.allowAsync) fail('unsupported-python-construct', def, `\`async def\` ${options.kind === 'method' ? 'method' : 'nested in a function'}`)
  if (declaredAsync && isGeneratorBody(def.childForFieldName('body')!)) fail('unsupported-python-construct', def, 'async generator')
  const body = def.childForFieldName('body')!
  const { bindings, globals, nonlocals } = collectBindings(body)
  const run = (assigned: Map<string, PyType>, final: boolean) => {
    const rest = options.variadic && usesRestConvention(def) ? { name: qualname(def) } : null
    const { params, scope, names, prologue } = translateParameters(def.childForFieldName('parameters'), ctx, options.kind, options.paramTypes, options.variadic, rest)
    for (const name of globals) scope.globals.add(name)
    const declared: string[] = []
    const constNames = new Set<string>()
    for (const [name, kinds] of bindings) {
      if (scope.locals.has(name)) {
        // A reassigned parameter keeps a dynamic type.
        const local = scope.locals.get(name)!
        // (Checked once the first pass has recorded the types assigned.)
        if (final && local.type !== 'unknown' && assigned.get(name) !== local.type) {
          fail('unsupported-python-construct', def, `parameter \`${name}\` is reassigned with another type`)
        }
        continue
      }
      const jsName = jsIdentifier(name)
      const single = kinds.length === 1
      const type = assigned.get(name) ?? 'unknown'
      scope.locals.set(name, { jsName, type: single && kinds[0] === 'assign-top' ? 'unknown' : type })
      if (single && (kinds[0] === 'assign-top' || kinds[0] === 'def')) {
        constNames.add(name)
        continue
      }
      if (kinds.every((k) => k === 'except')) {
        // Bound only by `except … as e`: block-scoped, as Python unbinds it after the handler.
        constNames.add(name)
        continue
      }
      declared.push(type === 'unknown' || tsType(type) === 'Py' ? `${jsName}: Py` : `${jsName}!: ${tsType(type)}`)
    }
    const inner: Context = {
      ...ctx,
      scope,
      assignedTypes: new Map(),
      constNames,
      loops: [],
      caught: [],
      needsAsync: ctx.needsAsync,
    }
    void names
    void nonlocals
    void final
    const lines = translateBlock(body, inner, true)
    const last = body.namedChildren.filter((c) => c.type !== 'comment').at(-1)
    if (!last || (last.type !== 'return_statement' && last.type !== 'raise_statement')) lines.push(inner.returnValue(emitted('null', Prec.Primary, 'none')))
    return { params: [...(options.extraParams ?? []), ...params], lines: [...prologue, ...(declared.length ? [`let ${declared.join(', ')}`] : []), ...lines], assignedTypes: inner.assignedTypes, prologueLength: prologue.length }
  }
  const first = run(new Map(), false)
  const second = run(first.assignedTypes, true)
  return { params: second.params, body: second.lines, isAsync: declaredAsync || ctx.needsAsync.value, isGenerator: isGeneratorBody(body), prologueLength: second.prologueLength }
}

/** Records the type of a value assigned to a local (first pass of `translateFunction`). */
export function recordAssignment(name: string, type: PyType, ctx: Context): void {
  const previous = ctx.assignedTypes.get(name)
  ctx.assignedTypes.set(name, previous === undefined ? type : joinTypes(previous, type))
}
