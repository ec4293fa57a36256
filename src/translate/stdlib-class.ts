/**
 * Classes the standard library makes out of a class statement: enums (`class Color(Enum)`,
 * `IntEnum`, `StrEnum`), dataclasses (`@dataclass`, `@dataclass(frozen=True, order=True)`) and
 * typed named tuples (`class Point(NamedTuple)`). class.ts translates their bodies and methods as
 * for any class; this module says what the library adds: the base in the runtime (enums.ts,
 * collections.ts), the fields and generated constructor, and the call that finishes the class.
 */
import { fail, snippet } from './diagnostics.js'
import { jsIdentifier, type Context, type SyntaxNode } from './context.js'
import { translateExpr } from './expr/index.js'
import { callArguments } from './expr/arguments.js'
import { projectReference, resolveName } from './expr/names.js'
import { tsJson } from '../ts-text.js'
import type { ParamInfo } from './function.js'
import type { ModuleInfo, ProjectIndex } from './project.js'

/** Names a named tuple cannot use for a field or method: the service's named tuples are JavaScript arrays. */
export const ARRAY_MEMBERS = new Set(Object.getOwnPropertyNames(Array.prototype))

const ENUM_BASES: Record<string, string> = { 'enum.Enum': 'Enum', 'enum.IntEnum': 'IntEnum', 'enum.StrEnum': 'StrEnum' }

interface Field {
  name: string
  /** The annotated assignment. */
  node: SyntaxNode
  /** The default's expression, a `field(default_factory=f)`'s factory, or null. */
  defaultValue: SyntaxNode | null
  factory: SyntaxNode | null
  init: boolean
  repr: boolean
  compare: boolean
}

export interface LibraryClass {
  kind: 'enum' | 'dataclass' | 'namedtuple'
  extendsClause: string
  fields: Field[]
  /** Statements of the class body class.ts leaves to this module (fields that are not class attributes). */
  skips: Set<SyntaxNode>
  options: { frozen: boolean; order: boolean; eq: boolean }
  /** A dataclass's own fields (the others are its base's). */
  ownFields?: Set<string>
  /** A dataclass extending another: the base constructor's parameters. */
  parentInit?: string[] | null
}

/** The dotted path an identifier or attribute names through the module's imports (`dataclasses.dataclass`), or null. */
function importedPath(node: SyntaxNode, info: ModuleInfo): string | null {
  if (node.type === 'identifier') {
    const def = info.symbols.get(node.text)
    if (def?.kind !== 'import') return null
    return def.target.kind === 'module' ? def.target.module : `${def.target.module}.${def.target.name}`
  }
  if (node.type === 'attribute') {
    const base = importedPath(node.childForFieldName('object')!, info)
    return base === null ? null : `${base}.${node.childForFieldName('attribute')!.text}`
  }
  return null
}

function decoratorsOf(classNode: SyntaxNode): SyntaxNode[] {
  return classNode.parent?.type === 'decorated_definition' ? classNode.parent.namedChildren.filter((c) => c.type === 'decorator') : []
}

/** `@dataclass` or `@dataclass(...)`: the call, or the bare name; null for another decorator. */
export function dataclassDecorator(decorator: SyntaxNode, info: ModuleInfo): SyntaxNode | null {
  const expression = decorator.namedChildren.find((c) => c.type !== 'comment')!
  const callee = expression.type === 'call' ? expression.childForFieldName('function')! : expression
  return importedPath(callee, info) === 'dataclasses.dataclass' ? expression : null
}

function lastBase(classNode: SyntaxNode): SyntaxNode | undefined {
  return classNode.childForFieldName('superclasses')?.namedChildren.filter((c) => c.type !== 'comment').at(-1)
}

/** Annotated statements of a class body: `name: T` and `name: T = default`, ClassVar ones left out. */
function annotatedFields(classNode: SyntaxNode, info: ModuleInfo, kind: 'dataclass' | 'namedtuple'): Field[] {
  const fields: Field[] = []
  for (const member of classNode.childForFieldName('body')!.namedChildren) {
    const inner = member.type === 'expression_statement' ? member.namedChildren[0] : null
    if (inner?.type !== 'assignment' || !inner.childForFieldName('type') || inner.childForFieldName('left')!.type !== 'identifier') continue
    if (/^(typing\.)?ClassVar\b/.test(inner.childForFieldName('type')!.text)) continue
    const right = inner.childForFieldName('right')
    const field: Field = { name: inner.childForFieldName('left')!.text, node: inner, defaultValue: right, factory: null, init: true, repr: true, compare: true }
    if (right?.type === 'call' && importedPath(right.childForFieldName('function')!, info) === 'dataclasses.field') {
      if (kind !== 'dataclass') fail('unsupported-class-feature', right, '`field()` outside a dataclass')
      const args = callArguments(right)
      if (args.positional.length > 0 || args.splats.length > 0) fail('unsupported-class-feature', right, '`field()` takes keyword arguments only')
      field.defaultValue = null
      for (const [name, value] of args.keywords) {
        if (name === 'default') field.defaultValue = value
        else if (name === 'default_factory') field.factory = value
        else if ((name === 'init' || name === 'repr' || name === 'compare') && (value.type === 'true' || value.type === 'false')) field[name] = value.type === 'true'
        else fail('unsupported-class-feature', value.parent!, `\`field(${name}=…)\``)
      }
    }
    fields.push(field)
  }
  return fields
}

/** Immutable literal defaults only: Python evaluates a default once, the constructor at every call. */
function checkDefault(field: Field, kind: string): void {
  const value = field.defaultValue
  if (value === null) return
  if (['list', 'dictionary', 'set'].includes(value.type)) {
    const type = value.type === 'dictionary' ? 'dict' : value.type
    fail('unsupported-class-feature', value, `mutable default <class '${type}'> for field ${field.name} is not allowed: use default_factory (Python raises ValueError)`)
  }
  const literal = (node: SyntaxNode): boolean =>
    ['integer', 'float', 'string', 'true', 'false', 'none', 'concatenated_string'].includes(node.type) ||
    (node.type === 'unary_operator' && literal(node.namedChildren.at(-1)!)) ||
    (node.type === 'tuple' && node.namedChildren.every(literal)) ||
    (node.type === 'attribute' && node.childForFieldName('object')!.type === 'identifier')
  if (!literal(value) || (value.type === 'string' && /^[a-zA-Z]*f/i.test(value.text))) {
    fail('unsupported-class-feature', value, `default \`${snippet(value)}\` of ${kind} field \`${field.name}\` (only literal defaults; Python evaluates it once)`)
  }
}

/** The library class a class statement makes, or null for a plain class. */
export function libraryClass(classNode: SyntaxNode, ctx: Context): LibraryClass | null {
  const info = ctx.module
  const base = lastBase(classNode)
  const basePath = base ? importedPath(base, info) : null
  const decorators = decoratorsOf(classNode)
  const dataclass = decorators.map((d) => dataclassDecorator(d, info)).find((d) => d !== null) ?? null
  const none = { frozen: false, order: false, eq: true }
  if (basePath !== null && ENUM_BASES[basePath]) {
    if (dataclass) fail('unsupported-class-feature', dataclass, '`@dataclass` on an enum')
    ctx.imports.libNamespaces.add('enums')
    return { kind: 'enum', extendsClause: ` extends enums.${ENUM_BASES[basePath]}`, fields: [], skips: new Set(), options: none }
  }
  if (basePath === 'typing.NamedTuple') {
    if (dataclass) fail('unsupported-class-feature', dataclass, '`@dataclass` on a NamedTuple')
    if ((classNode.childForFieldName('superclasses')?.namedChildren.filter((c) => c.type !== 'comment').length ?? 0) > 1) fail('unsupported-class-feature', base!, 'a NamedTuple with other bases')
    const fields = annotatedFields(classNode, info, 'namedtuple')
    fields.forEach((f) => checkDefault(f, 'NamedTuple'))
    for (const member of classNode.childForFieldName('body')!.namedChildren) {
      const def = member.type === 'decorated_definition' ? member.childForFieldName('definition')! : member
      const name = def.type === 'function_definition' ? def.childForFieldName('name')! : null
      if (name !== null && ARRAY_MEMBERS.has(name.text)) fail('unsupported-class-feature', name, `method \`${name.text}\` of a NamedTuple (the service's named tuples are arrays, which have a member of that name)`)
    }
    for (const f of fields) if (ARRAY_MEMBERS.has(f.name)) fail('unsupported-class-feature', f.node, `NamedTuple field \`${f.name}\` (the service's named tuples are arrays, which have a member of that name)`)
    requireDefaultsLast(fields)
    ctx.imports.libNamespaces.add('collections')
    return { kind: 'namedtuple', extendsClause: ' extends collections.NamedTuple', fields, skips: new Set(fields.map((f) => f.node)), options: none }
  }
  if (dataclass === null) return null
  const options = dataclassOptions(dataclass)
  let extendsClause = ''
  let parent: ProjectClass | null = null
  if (base !== undefined) {
    parent = dataclassParent(classNode, info, ctx.project)
    if (parent === null) fail('unsupported-class-feature', base, 'a dataclass whose base class is not a dataclass of the project')
    const parentDecorator = decoratorsOf(parent.node).map((d) => dataclassDecorator(d, parent!.module)).find((d) => d !== null)!
    if (dataclassOptions(parentDecorator).frozen !== options.frozen) fail('unsupported-class-feature', base, `a ${options.frozen ? 'frozen' : 'non-frozen'} dataclass inheriting from a ${options.frozen ? 'non-frozen' : 'frozen'} one (Python raises TypeError)`)
    extendsClause = ` extends ${projectReference(parent.module.name, parent.name, ctx)}`
  }
  for (const member of classNode.childForFieldName('body')!.namedChildren) {
    const def = member.type === 'decorated_definition' ? member.childForFieldName('definition')! : member
    if (def.type === 'function_definition' && def.childForFieldName('name')!.text === '__init__') fail('unsupported-class-feature', def, '`__init__` of a dataclass (the dataclass makes its own)')
  }
  const own = annotatedFields(classNode, info, 'dataclass')
  own.forEach((f) => checkDefault(f, 'dataclass'))
  const inherited = parent === null ? [] : dataclassFields(parent.node, parent.module, ctx.project)
  const fields = mergeFields(inherited, own)
  requireDefaultsLast(fields.filter((f) => f.init))
  ctx.imports.libNamespaces.add('dataclasses')
  // A field whose default is a plain value stays a class attribute, as in Python; `field(...)` ones do not.
  const skips = new Set(own.filter((f) => f.defaultValue === null || f.defaultValue !== f.node.childForFieldName('right')).map((f) => f.node))
  const parentInit = inherited.filter((f) => f.init).map((f) => f.name)
  return { kind: 'dataclass', extendsClause, fields, skips, options, ownFields: new Set(own.map((f) => f.name)), parentInit: parent === null ? null : parentInit }
}

interface ProjectClass {
  node: SyntaxNode
  module: ModuleInfo
  name: string
}

/** `@dataclass(frozen=True, order=True)`'s options (others are reported). */
function dataclassOptions(dataclass: SyntaxNode): LibraryClass['options'] {
  const options = { frozen: false, order: false, eq: true }
  if (dataclass.type !== 'call') return options
  const args = callArguments(dataclass)
  if (args.positional.length > 0 || args.splats.length > 0) fail('unsupported-class-feature', dataclass, '`@dataclass(...)` with positional arguments')
  for (const [name, value] of args.keywords) {
    if ((name === 'frozen' || name === 'order' || name === 'eq') && (value.type === 'true' || value.type === 'false')) options[name] = value.type === 'true'
    else if (name === 'repr' && value.type === 'true') continue
    else fail('unsupported-class-feature', value.parent!, `\`@dataclass(${name}=${value.text})\``)
  }
  return options
}

/** The base of a class when it is a dataclass of the project (null otherwise). */
function dataclassParent(classNode: SyntaxNode, info: ModuleInfo, project: ProjectIndex): ProjectClass | null {
  const bases = classNode.childForFieldName('superclasses')?.namedChildren.filter((c) => c.type !== 'comment') ?? []
  if (bases.length !== 1 || bases[0]!.type !== 'identifier') return null
  const def = info.symbols.get(bases[0]!.text)
  const resolved = def?.kind === 'import' && def.target.kind === 'member' ? project.resolveSymbol(def.target.module, def.target.name) : def ? { module: info, name: bases[0]!.text, def } : null
  if (resolved?.def.kind !== 'class') return null
  const found = { node: resolved.def.node, module: resolved.module, name: resolved.name }
  return decoratorsOf(found.node).some((d) => dataclassDecorator(d, found.module) !== null) ? found : null
}

/** A dataclass's fields in Python's order: its bases' first, a redefined one keeping its place. */
function dataclassFields(classNode: SyntaxNode, info: ModuleInfo, project: ProjectIndex, depth = 0): Field[] {
  const parent = depth < 20 ? dataclassParent(classNode, info, project) : null
  return mergeFields(parent === null ? [] : dataclassFields(parent.node, parent.module, project, depth + 1), annotatedFields(classNode, info, 'dataclass'))
}

function mergeFields(inherited: Field[], own: Field[]): Field[] {
  const merged = [...inherited]
  for (const field of own) {
    const at = merged.findIndex((f) => f.name === field.name)
    if (at >= 0) merged[at] = field
    else merged.push(field)
  }
  return merged
}

function requireDefaultsLast(fields: Field[]): void {
  let seenDefault = false
  for (const field of fields) {
    const has = field.defaultValue !== null || field.factory !== null
    if (seenDefault && !has) fail('unsupported-class-feature', field.node, `non-default argument '${field.name}' follows default argument (Python raises TypeError)`)
    seenDefault ||= has
  }
}

/** A builtin as a `default_factory`, called: the empty value it makes. */
const BUILTIN_FACTORIES: Record<string, string> = { list: '[]', dict: 'py.dict()', set: 'py.set()', int: '0', str: "''", tuple: 'py.tuple()' }

/** `default_factory=f` called once per instance: `[]` for `list`, `f()` for another callable. */
function factoryCall(factory: SyntaxNode, ctx: Context): string {
  if (factory.type === 'identifier' && Object.hasOwn(BUILTIN_FACTORIES, factory.text) && resolveName(factory.text, factory, ctx).kind === 'builtin') {
    ctx.imports.py = true
    return BUILTIN_FACTORIES[factory.text]!
  }
  return `(${translateExpr(factory, ctx).code})()`
}

/** Members class.ts adds to the class: the fields and the generated constructor. */
export function libraryClassMembers(record: LibraryClass, className: string, declared: Set<string>, _hasPostInit: boolean, ctx: Context): string[] {
  if (record.kind === 'enum') return []
  const params = record.fields.filter((f) => f.init).map((f) => {
    const value = f.factory !== null ? factoryCall(f.factory, ctx) : f.defaultValue !== null ? translateExpr(f.defaultValue, ctx).code : null
    return `${jsIdentifier(f.name)}: Py${value === null ? '' : ` = ${value}`}`
  })
  ctx.imports.py = true
  if (record.kind === 'namedtuple') {
    return [
      `  static override _fields = py.tuple(${record.fields.map((f) => tsJson(f.name)).join(', ')}) as string[]`,
      `  declare readonly ${record.fields.map((f) => `${jsIdentifier(f.name)}: Py`).join('\n  declare readonly ')}`,
      `  constructor(${params.join(', ')}) {`,
      `    super(${record.fields.map((f) => jsIdentifier(f.name)).join(', ')})`,
      '  }',
    ]
  }
  const own = record.fields.filter((f) => !record.parentInit || record.ownFields!.has(f.name))
  const lines = own.filter((f) => !declared.has(f.name)).map((f) => `  ${jsIdentifier(f.name)}: Py`)
  lines.push(`  constructor(${params.join(', ')}) {`)
  if (record.parentInit) lines.push(`    super(${record.parentInit.map(jsIdentifier).join(', ')})`)
  for (const f of record.fields) {
    if (record.parentInit && !record.ownFields!.has(f.name)) continue
    if (f.init) lines.push(`    this.${jsIdentifier(f.name)} = ${jsIdentifier(f.name)}`)
    else if (f.factory !== null) lines.push(`    this.${jsIdentifier(f.name)} = ${factoryCall(f.factory, ctx)}`)
    else if (f.defaultValue !== null) lines.push(`    this.${jsIdentifier(f.name)} = ${translateExpr(f.defaultValue, ctx).code}`)
  }
  // `__post_init__` (its own or a base's) and freezing, once, by the class whose constructor Python runs.
  lines.push(`    dataclasses.initialized(this, new.target, ${jsIdentifier(className)})`)
  lines.push('  }')
  return lines
}

/** The statement after the class that finishes it (an enum's members, a dataclass's repr and equality). */
export function libraryClassEpilogue(record: LibraryClass, className: string): string[] {
  const cls = jsIdentifier(className)
  if (record.kind === 'enum') return [`enums.seal(${cls})`]
  if (record.kind === 'namedtuple') return []
  const fields = record.fields.map((f) => `{ name: ${tsJson(f.name)}${f.repr ? '' : ', repr: false'}${f.compare ? '' : ', compare: false'} }`)
  const options = (['frozen', 'order'] as const).filter((o) => record.options[o]).map((o) => `${o}: true`)
  if (!record.options.eq) options.push('eq: false')
  return [`dataclasses.dataclass(${cls}, ${tsJson(className)}, [${fields.join(', ')}]${options.length > 0 ? `, { ${options.join(', ')} }` : ''})`]
}

/** The constructor's parameters of a library class, for calls (`Point(1, y=2)`, `Color(1)`); null for a plain class. */
export function libraryClassSignature(classNode: SyntaxNode, project: ProjectIndex, module: string): ParamInfo[] | null {
  const info = project.modules.get(module)
  if (!info) return null
  const base = lastBase(classNode)
  const basePath = base ? importedPath(base, info) : null
  if (basePath !== null && ENUM_BASES[basePath]) return [{ name: 'value', hasDefault: false, kind: 'positional' }]
  const dataclass = decoratorsOf(classNode).some((d) => dataclassDecorator(d, info) !== null)
  if (basePath !== 'typing.NamedTuple' && !dataclass) return null
  try {
    return (dataclass ? dataclassFields(classNode, info, project) : annotatedFields(classNode, info, 'namedtuple'))
      .filter((f) => f.init)
      .map((f) => ({ name: f.name, hasDefault: f.defaultValue !== null || f.factory !== null, kind: 'positional' as const }))
  } catch {
    // The class itself is reported where it is translated.
    return null
  }
}
