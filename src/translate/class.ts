import { fail, snippet } from './diagnostics.js'
import { tsJson } from '../ts-text.js'
import { jsIdentifier, type Context, type Scope, type SyntaxNode } from './context.js'
import { translateExpr } from './expr/index.js'
import { resolveName, EXCEPTIONS, projectReference } from './expr/names.js'
import { baseConstructorSignature, translateFunction, translateParameters } from './function.js'
import { bindToSignature, callArguments } from './expr/arguments.js'
import { indent } from './stmt/index.js'
import { responseClass } from './flask/index.js'
import type { ModuleInfo, ProjectIndex } from './project.js'
import { extensionName } from '../ir/extension-rules.js'
import { extensionInstances } from './flask/extensions.js'
import { isMappedAttribute, modelClassParts, modelTable } from './expr/sqlalchemy.js'
import { libraryClass, libraryClassEpilogue, libraryClassMembers } from './stdlib-class.js'
import { isSchemaField, nestedSchemaNames, schemaBaseClass, schemaHook, schemaMeta, schemaRuleOf } from './schema-class.js'

type MethodKind = 'method' | 'static' | 'classmethod' | 'property'

const METHOD_DECORATORS: Record<string, MethodKind | undefined> = { '@staticmethod': 'static', '@classmethod': 'classmethod', '@property': 'property' }

/** The kind of method `name` is in a class or its project bases (for calls through the class): null when it is not a method. */
export function methodKind(classNode: SyntaxNode, name: string, project: ProjectIndex, module: string): { def: SyntaxNode; kind: MethodKind } | null {
  const own = ownMethod(classNode, name)
  if (own !== undefined) return own
  // Mixins first, then the last base (Python's MRO for the usual `class V(M1, M2, Base)`).
  for (const base of basesOf(classNode)) {
    const cls = projectClass(base, project, module)
    const found = cls ? methodKind(cls.node, name, project, cls.module.name) : null
    if (found) return found
  }
  return null
}

/**
 * The Flask or Werkzeug class at the root of a project class's chain of bases (`Response`,
 * `HTTPException`, `NotFound`…): its module and name; null when the chain does not end in one.
 */
export function flaskBase(classNode: SyntaxNode, project: ProjectIndex, module: string, seen = new Set<SyntaxNode>()): { module: string; name: string } | null {
  if (seen.has(classNode)) return null
  seen.add(classNode)
  const base = basesOf(classNode).at(-1)
  const info = project.modules.get(module)
  if (base?.type !== 'identifier' || !info) return null
  const def = info.symbols.get(base.text)
  const external = (target: { module: string; name: string }) => (FLASK_CLASS_MODULES.has(target.module) ? { module: target.module, name: target.name } : null)
  if (def?.kind === 'import' && def.target.kind === 'member' && !project.modules.has(def.target.module)) return external(def.target)
  const resolved = def?.kind === 'import' && def.target.kind === 'member' ? project.resolveSymbol(def.target.module, def.target.name) : def ? { module: info, def } : null
  if (resolved?.def.kind === 'import' && resolved.def.target.kind === 'member') return external(resolved.def.target)
  return resolved?.def.kind === 'class' ? flaskBase(resolved.def.node, project, resolved.module.name, seen) : null
}

const FLASK_CLASS_MODULES = new Set(['flask', 'flask.wrappers', 'werkzeug', 'werkzeug.wrappers', 'werkzeug.wrappers.response', 'werkzeug.exceptions'])

/** For a project class derived (directly or through project classes) from Flask's or Werkzeug's `Response`: that Response's module. */
export function responseBaseModule(classNode: SyntaxNode, project: ProjectIndex, module: string): string | null {
  const root = flaskBase(classNode, project, module)
  return root?.name === 'Response' && !root.module.endsWith('exceptions') ? root.module : null
}

/** Werkzeug's exceptions a project class may extend: those whose constructor is `(description=None, response=None)`. */
export const HTTP_EXCEPTION_BASES = new Set([
  'HTTPException', 'BadRequest', 'Forbidden', 'NotFound', 'NotAcceptable', 'RequestTimeout', 'Conflict', 'Gone', 'LengthRequired',
  'PreconditionFailed', 'RequestEntityTooLarge', 'UnsupportedMediaType', 'UnprocessableEntity', 'InternalServerError', 'NotImplemented',
  'BadGateway', 'ImATeapot', 'Locked', 'FailedDependency', 'PreconditionRequired', 'ExpectationFailed', 'GatewayTimeout',
])

/** For a project class derived from one of Werkzeug's HTTP exceptions: that exception's name. */
export function httpExceptionBase(classNode: SyntaxNode, project: ProjectIndex, module: string): string | null {
  const root = flaskBase(classNode, project, module)
  return root !== null && HTTP_EXCEPTION_BASES.has(root.name) && (root.module === 'werkzeug.exceptions' || root.module === 'werkzeug' || root.module === 'flask') ? root.name : null
}

/** Werkzeug's methods a subclass could override; the runtime names them otherwise, so overriding them is not carried over. */
const HTTP_EXCEPTION_METHODS = new Set(['get_description', 'get_body', 'get_headers', 'get_response', '__call__'])

/** A project class a base names, resolved in the module that names it. */
function projectClass(base: SyntaxNode, project: ProjectIndex, module: string): { node: SyntaxNode; module: ModuleInfo; name: string } | null {
  const info = project.modules.get(module)
  if (base.type !== 'identifier' || !info) return null
  const def = info.symbols.get(base.text)
  const resolved = def?.kind === 'import' && def.target.kind === 'member' ? project.resolveSymbol(def.target.module, def.target.name) : def ? { module: info, name: base.text, def } : null
  return resolved?.def.kind === 'class' ? { node: resolved.def.node, module: resolved.module, name: resolved.name } : null
}

function basesOf(classNode: SyntaxNode): SyntaxNode[] {
  return classNode.childForFieldName('superclasses')?.namedChildren.filter((c) => c.type !== 'comment') ?? []
}

/** Whether a class body or its methods call `super()`. */
function usesSuper(node: SyntaxNode): boolean {
  if (node.type === 'call' && node.childForFieldName('function')?.text === 'super') return true
  return node.namedChildren.some(usesSuper)
}

export interface Mixin {
  node: SyntaxNode
  module: ModuleInfo
  name: string
}

/**
 * The mixins of `class V(M1, M2, Base)` in Python's method resolution order (C3): every base but
 * the last must be a plain mixin of the project (bases only other plain mixins or `object`, no
 * `__init__`, no `super()`), whose methods and class attributes V's translation then carries
 * itself, before the last base it extends. Anything else is reported.
 */
export function mixinOrder(classNode: SyntaxNode, ctx: Context): Mixin[] {
  const bases = basesOf(classNode)
  if (bases.length < 2) return []
  const linearize = (mixin: Mixin, seen: SyntaxNode[]): Mixin[] => {
    if (seen.includes(mixin.node)) fail('unsupported-class-feature', mixin.node, `class \`${mixin.name}\` inherits from itself`)
    const own = basesOf(mixin.node).filter((b) => b.text !== 'object')
    const parents = own.map((b) => {
      const cls = projectClass(b, ctx.project, mixin.module.name)
      if (!cls) fail('unsupported-class-feature', b, `base \`${b.text}\` of mixin \`${mixin.name}\` (a mixin's bases must be plain mixins of the project)`)
      return cls
    })
    return [mixin, ...merge([...parents.map((parent) => linearize(parent, [...seen, mixin.node])), parents], mixin.node)]
  }
  const merge = (sequences: Mixin[][], at: SyntaxNode): Mixin[] => {
    const out: Mixin[] = []
    const lists = sequences.map((l) => [...l]).filter((l) => l.length > 0)
    while (lists.length > 0) {
      const head = lists.map((l) => l[0]).find((candidate) => !lists.some((l) => l.slice(1).some((m) => m.node === candidate.node)))
      if (!head) fail('unsupported-class-feature', at, 'bases whose method resolution order Python cannot make (inconsistent MRO)')
      out.push(head)
      for (const l of lists) if (l[0].node === head.node) l.shift()
      for (let i = lists.length - 1; i >= 0; i--) if (lists[i].length === 0) lists.splice(i, 1)
    }
    return out
  }
  const direct = bases.slice(0, -1).filter((b) => runtimeMixin(b, ctx) === null).map((b) => {
    if (b.type !== 'identifier') fail('unsupported-class-feature', b, `base class \`${b.text}\``)
    const cls = projectClass(b, ctx.project, ctx.module.name)
    if (!cls) fail('unsupported-class-feature', b, `multiple inheritance from \`${b.text}\`, which is not a class of the project (only mixins of the project come before the last base)`)
    return cls
  })
  const order = merge([...direct.map((m) => linearize(m, [classNode])), direct], classNode)
  const primary = bases.at(-1)!
  const primaryClass = projectClass(primary, ctx.project, ctx.module.name)
  for (const mixin of order) {
    const body = mixin.node.childForFieldName('body')!
    for (const member of body.namedChildren) {
      const def = member.type === 'decorated_definition' ? member.childForFieldName('definition')! : member
      if (def.type === 'function_definition' && def.childForFieldName('name')!.text === '__init__') fail('unsupported-class-feature', def, `\`__init__\` of mixin \`${mixin.name}\``)
    }
    if (usesSuper(body)) fail('unsupported-class-feature', mixin.node, `\`super()\` in mixin \`${mixin.name}\` (its next class depends on the class it is mixed into)`)
    if (primaryClass && (primaryClass.node === mixin.node || inheritsFrom(primaryClass, mixin, ctx))) fail('unsupported-class-feature', mixin.node, `mixin \`${mixin.name}\` is also a base of \`${primary.text}\``)
  }
  return order
}

/**
 * A base before the last that is a class of a mapped extension (`class User(UserMixin, db.Model)`):
 * the runtime's class of that name, whose members the translated class takes (`py.mixInto`)
 * where it does not define them itself, as Python's MRO puts the mixin before the last base.
 */
function runtimeMixin(base: SyntaxNode, ctx: Context): { runtime: string; lib: string } | null {
  if (base.type !== 'identifier') return null
  const binding = resolveName(base.text, base, ctx)
  if (binding.kind !== 'unknown-import' || binding.name === null) return null
  const mapped = extensionName(binding.module, binding.name)
  return mapped?.name.kind === 'class' ? { runtime: mapped.name.runtime, lib: mapped.rule.runtime } : null
}

function inheritsFrom(cls: Mixin, target: Mixin, ctx: Context, depth = 0): boolean {
  if (depth > 20) return false
  return basesOf(cls.node).some((b) => {
    const parent = projectClass(b, ctx.project, cls.module.name)
    return parent !== null && (parent.node === target.node || inheritsFrom(parent, target, ctx, depth + 1))
  })
}

const MIXED = new WeakMap<ProjectIndex, Set<SyntaxNode>>()

/** Whether some class of the project mixes this one in: names it as a base before its last, or a base of such a mixin. */
function usedAsMixin(classNode: SyntaxNode, project: ProjectIndex): boolean {
  let mixed = MIXED.get(project)
  if (!mixed) {
    const found = new Set<SyntaxNode>()
    const add = (cls: { node: SyntaxNode; module: ModuleInfo }): void => {
      if (found.has(cls.node)) return
      found.add(cls.node)
      for (const b of basesOf(cls.node)) {
        const parent = projectClass(b, project, cls.module.name)
        if (parent) add(parent)
      }
    }
    for (const info of project.modules.values()) {
      for (const def of info.symbols.values()) {
        if (def.kind !== 'class') continue
        for (const b of basesOf(def.node).slice(0, -1)) {
          const cls = projectClass(b, project, info.name)
          if (cls) add(cls)
        }
      }
    }
    MIXED.set(project, (mixed = found))
  }
  return mixed.has(classNode)
}

/** Whether a class or one of its project bases defines a method (its instances then need dynamic method calls). */
export function definesMethods(classNode: SyntaxNode, project: ProjectIndex, module: string, seen = new Set<SyntaxNode>()): boolean {
  if (seen.has(classNode)) return false
  seen.add(classNode)
  const own = classNode.childForFieldName('body')!.namedChildren.some((member) => (member.type === 'decorated_definition' ? member.childForFieldName('definition')! : member).type === 'function_definition')
  if (own) return true
  return basesOf(classNode).some((base) => {
    const cls = projectClass(base, project, module)
    return cls !== null && definesMethods(cls.node, project, cls.module.name, seen)
  })
}

/** Class attributes of Werkzeug's Response that the runtime's FlaskResponse reads from a subclass. */
const RESPONSE_CLASS_ATTRIBUTES = new Set(['default_mimetype', 'charset', 'default_status'])

function ownMethod(classNode: SyntaxNode, name: string): { def: SyntaxNode; kind: MethodKind } | null | undefined {
  for (const member of classNode.childForFieldName('body')!.namedChildren) {
    const def = member.type === 'decorated_definition' ? member.childForFieldName('definition')! : member
    if (def.type !== 'function_definition' || def.childForFieldName('name')!.text !== name) continue
    const decorators = member.type === 'decorated_definition' ? member.namedChildren.filter((c) => c.type === 'decorator') : []
    const kind = decorators.length === 0 ? 'method' : decorators.length === 1 ? METHOD_DECORATORS[decorators[0].text] : undefined
    return kind ? { def, kind } : null
  }
  return undefined
}

function selfAssignments(node: SyntaxNode, selfName: string, into: Set<string>): void {
  if (node.type === 'assignment' || node.type === 'augmented_assignment') {
    const left = node.childForFieldName('left')!
    const targets = left.type === 'pattern_list' || left.type === 'tuple_pattern' ? left.namedChildren : [left]
    for (const t of targets) {
      if (t.type === 'attribute' && t.childForFieldName('object')!.text === selfName) into.add(t.childForFieldName('attribute')!.text)
    }
  }
  for (const child of node.namedChildren) selfAssignments(child, selfName, into)
}

/** A user class: fields, constructor, methods; exceptions extend the runtime's Python exceptions. MethodView methods take the Hono context first. */
export function translateClass(node: SyntaxNode, ctx: Context, options: { methodView: boolean }): string[] {
  const name = node.childForFieldName('name')!.text
  const bases = node.childForFieldName('superclasses')?.namedChildren.filter((c) => c.type !== 'comment') ?? []
  if (bases.some((b) => b.type === 'keyword_argument')) fail('unsupported-class-feature', bases.find((b) => b.type === 'keyword_argument')!, `class keyword \`${bases.find((b) => b.type === 'keyword_argument')!.text}\` (metaclasses)`)
  // `class V(M1, M2, Base)`: the mixins' members are V's own (in Python's MRO), V extends Base.
  const mixins = mixinOrder(node, ctx)
  let extendsClause = ''
  let baseIsException = false
  let argumentlessBase = false
  const base = bases.at(-1)
  // A subclass of Flask's Response: its class attributes set the runtime's defaults; constructed with Response's parameters.
  let isResponse = responseBaseModule(node, ctx.project, ctx.module.name) !== null
  const httpBase = httpExceptionBase(node, ctx.project, ctx.module.name)
  if (httpBase === null && flaskBase(node, ctx.project, ctx.module.name)?.module === 'werkzeug.exceptions') {
    fail('unsupported-class-feature', bases[0] ?? node, `subclass of Werkzeug's \`${flaskBase(node, ctx.project, ctx.module.name)!.name}\`, whose constructor takes other arguments`)
  }
  const schemaRule = schemaRuleOf(node, ctx.project, ctx.module)
  // A Flask-SQLAlchemy model: the runtime's Model, its columns and relationships from the schema module.
  const model = modelTable(node, ctx)
  const modelParts = model !== null ? modelClassParts(model, ctx, node) : null
  // An enum, a dataclass or a typed named tuple: what the standard library adds (stdlib-class.ts).
  const library = libraryClass(node, ctx)
  if (library !== null) {
    extendsClause = library.extendsClause
  } else if (modelParts !== null) {
    extendsClause = modelParts.extendsClause
  } else if (schemaRule !== null && base !== undefined && base.type === 'attribute') {
    // `class S(marshmallow.Schema)`, `class S(ma.Schema)` (flask-marshmallow): the runtime's Schema.
    extendsClause = ` extends ${schemaBaseClass(base, ctx) ?? translateExpr(base, ctx).code}`
    argumentlessBase = true
  } else if (base && !options.methodView) {
    if (base.type === 'keyword_argument') fail('unsupported-class-feature', base, `class keyword \`${base.text}\` (metaclasses)`)
    if (base.type !== 'identifier') fail('unsupported-class-feature', base, `base class \`${base.text}\``)
    const binding = resolveName(base.text, base, ctx)
    if (binding.kind === 'flask' && binding.name === 'Response' && FLASK_CLASS_MODULES.has(binding.module) && !binding.module.endsWith('exceptions')) {
      extendsClause = ` extends ${responseClass(binding.module, ctx)}`
      isResponse = true
    } else if (binding.kind === 'flask' && httpBase !== null && binding.name === httpBase) {
      // A project HTTP exception: Werkzeug's class attributes `code` and `description` are the runtime's static `code` / `defaultDescription`.
      ctx.imports.errors.add(binding.name)
      extendsClause = ` extends ${binding.name}`
      baseIsException = true
    } else if (binding.kind === 'builtin' && EXCEPTIONS.has(base.text)) {
      ctx.imports.exceptions.add(base.text)
      extendsClause = ` extends ${base.text}`
      baseIsException = true
    } else if (binding.kind === 'project' && binding.def.kind === 'class') {
      extendsClause = ` extends ${projectReference(binding.module, binding.name, ctx)}`
      baseIsException = true // its own constructor decides; keep argument passing
    } else if (binding.kind === 'unknown-import' && binding.name !== null && extensionName(binding.module, binding.name)?.name.kind === 'class') {
      // A class of a mapped extension (Flask-Login's UserMixin): the runtime's class of that name.
      const mapped = extensionName(binding.module, binding.name)!
      ctx.imports.useLib(mapped.rule.runtime, mapped.name.runtime)
      extendsClause = ` extends ${mapped.name.runtime}`
      // Its constructor takes no arguments: an `__init__` without `super().__init__()` calls `super()`.
      argumentlessBase = true
    } else if (!(binding.kind === 'builtin' && base.text === 'object')) {
      fail('unsupported-class-feature', base, `base class \`${base.text}\``)
    }
  }
  const classAttributes = new Map<string, SyntaxNode>()
  /** A schema's declared fields (rules/extensions/*.yaml schema_classes), its hooks and its `class Meta`. */
  const schemaFields: [string, SyntaxNode][] = []
  const schemaHooks: [string, string, string][] = []
  let schemaMetaLine: string | null = null
  /** Methods under an extension's method decorators (`@marshal_with(fields)`): applied to the prototype's method after the class, innermost first. */
  const methodWrappers: [string, string[]][] = []
  const methods: { def: SyntaxNode; kind: MethodKind; module: ModuleInfo }[] = []
  /** The module each class attribute is written in (a mixin's may be another). */
  const attributeModules = new Map<string, ModuleInfo>()
  for (const owner of [{ node, module: ctx.module }, ...mixins]) {
  const body = owner.node.childForFieldName('body')!
  for (const member of body.namedChildren) {
    if (member.type === 'comment' || member.type === 'pass_statement') continue
    if (library?.skips.has(member.namedChildren[0]!)) continue
    if (member.type === 'expression_statement') {
      const inner = member.namedChildren[0]
      if (inner?.type === 'string') continue
      if (inner?.type === 'assignment' && inner.childForFieldName('left')!.type === 'identifier' && inner.childForFieldName('right')) {
        const attr = inner.childForFieldName('left')!.text
        if (model !== null && owner.node === node && isMappedAttribute(attr, model, ctx)) continue
        if (schemaRule !== null && owner.node === node && isSchemaField(inner.childForFieldName('right')!, schemaRule, ctx)) {
          schemaFields.push([attr, inner.childForFieldName('right')!])
          nestedSchemaNames(inner.childForFieldName('right')!, ctx)
          continue
        }
        // The first class in the MRO that defines a name wins.
        if (!classAttributes.has(attr) && !methods.some((m) => m.def.childForFieldName('name')!.text === attr)) {
          classAttributes.set(attr, inner.childForFieldName('right')!)
          attributeModules.set(attr, owner.module)
        }
        continue
      }
    }
    if (schemaRule !== null && owner.node === node && member.type === 'class_definition' && member.childForFieldName('name')!.text === 'Meta') {
      schemaMetaLine = schemaMeta(member, schemaRule, ctx)
      continue
    }
    let def = member
    let kind: MethodKind = 'method'
    if (member.type === 'decorated_definition') {
      const decorators = member.namedChildren.filter((c) => c.type === 'decorator')
      const known = decorators.length === 1 ? METHOD_DECORATORS[decorators[0].text] : undefined
      const hook = schemaRule !== null && owner.node === node && decorators.length === 1 ? schemaHook(decorators[0], schemaRule, ctx) : null
      // A decorator's names are the class body's: its attributes so far read as `Class.attr` (the wrappers apply after the class).
      const bodyScope: Scope = { kind: 'function', parent: ctx.scope, locals: new Map([...classAttributes.keys()].map((attr) => [attr, { jsName: `${jsIdentifier(name)}.${jsIdentifier(attr)}`, type: 'unknown' as const }])), globals: new Set(), importBindings: new Map() }
      const wrappers = owner.node === node && !known && hook === null ? decorators.map((decorator) => methodWrapper(decorator, classAttributes.size > 0 ? { ...ctx, scope: bodyScope } : ctx)) : []
      if (hook !== null) schemaHooks.push([member.childForFieldName('definition')!.childForFieldName('name')!.text, hook, hookSignature(member.childForFieldName('definition')!)])
      else if (wrappers.length > 0 && wrappers.every((wrapper) => wrapper !== null)) methodWrappers.push([member.childForFieldName('definition')!.childForFieldName('name')!.text, wrappers as string[]])
      else if (known) kind = known
      else fail('unknown-decorator', decorators[0], `decorator \`${snippet(decorators[0])}\` on a method`)
      def = member.childForFieldName('definition')!
    }
    if (def.type !== 'function_definition') fail('unsupported-class-feature', member, `class body statement \`${snippet(member)}\``)
    const methodName = def.childForFieldName('name')!.text
    if (owner.node !== node && (methods.some((m) => m.def.childForFieldName('name')!.text === methodName) || classAttributes.has(methodName))) continue
    methods.push({ def, kind, module: owner.module })
  }
  }
  if (mixins.length > 0 && usesSuper(node.childForFieldName('body')!)) {
    // super() from V goes to the first mixin in Python; the translation has flattened them into V.
    const calls = node.childForFieldName('body')!.descendantsOfType('call').filter((c) => c.childForFieldName('function')?.text === 'super')
    for (const call of calls) {
      const parent = call.parent
      const method = parent?.type === 'attribute' ? parent.childForFieldName('attribute')!.text : null
      if (method !== '__init__' || mixins.some((m) => ownMethod(m.node, '__init__') !== undefined)) fail('unsupported-class-feature', call, '`super()` in a class with mixins (only `super().__init__()` past mixins without `__init__`)')
    }
  }
  if (isResponse) {
    for (const [attr, value] of classAttributes) {
      if (!RESPONSE_CLASS_ATTRIBUTES.has(attr)) fail('unsupported-class-feature', value.parent!, `class attribute \`${attr}\` of a Response subclass (only default_mimetype, charset and default_status)`)
    }
    const init = methods.find((m) => m.def.childForFieldName('name')!.text === '__init__')
    if (init) fail('unsupported-class-feature', init.def, '`__init__` of a Response subclass')
  }
  if (httpBase !== null) {
    for (const { def } of methods) {
      const methodName = def.childForFieldName('name')!.text
      if (HTTP_EXCEPTION_METHODS.has(methodName)) fail('unsupported-class-feature', def, `\`${methodName}\` overridden in a subclass of Werkzeug's HTTPException`)
    }
  }
  const staticMethods = new Set(methods.filter((m) => m.kind === 'static' || m.kind === 'classmethod').map((m) => m.def.childForFieldName('name')!.text))
  const instanceAttributes = new Set<string>()
  for (const { def } of methods) {
    const selfParam = def.childForFieldName('parameters')?.namedChildren[0]
    if (selfParam?.type === 'identifier') selfAssignments(def.childForFieldName('body')!, selfParam.text, instanceAttributes)
  }
  if (library?.kind === 'dataclass') {
    for (const field of library.fields) if (library.ownFields?.has(field.name) ?? true) instanceAttributes.add(field.name)
  }
  for (const reserved of ['args', 'name', 'stack', 'constructor', ...(httpBase !== null ? ['response'] : [])]) {
    if (instanceAttributes.has(reserved) && baseIsException) fail('unsupported-class-feature', node, `exception attribute \`self.${reserved}\``)
  }
  /** Class attributes that are the runtime's statics under another name (Werkzeug's `description` is `defaultDescription`). */
  const staticNames = new Map<string, string>(httpBase !== null ? [['code', 'code'], ['description', 'defaultDescription']] : [])
  /** Instance attributes the runtime's base class already has (set by its constructor): declared, not reset to undefined. */
  const inherited = new Set(httpBase !== null ? ['code', 'description'] : [])
  const classScope: Scope = { kind: 'class-body', parent: ctx.scope, locals: new Map(), globals: new Set(), importBindings: new Map() }
  const lines: string[] = [`export class ${jsIdentifier(name)}${extendsClause} {`, ...(modelParts?.declarations ?? [])]
  if (schemaFields.length > 0) {
    ctx.imports.useLib(schemaRule!.runtime, 'Field')
    lines.push('  static override declaredFields: Record<string, Field> = {', ...schemaFields.map(([field, value]) => `    ${tsJson(field)}: ${translateExpr(value, ctx).code},`), '  }')
  }
  if (schemaMetaLine !== null) lines.push(`  ${schemaMetaLine}`)
  for (const [attr, value] of classAttributes) {
    const renamed = staticNames.get(attr)
    // The class body's names: an attribute set above reads as the class's (`user = api.model(...)` after `api = Namespace(...)`).
    const earlier = [...classAttributes.keys()].slice(0, [...classAttributes.keys()].indexOf(attr))
    for (const name_ of earlier) classScope.locals.set(name_, { jsName: `${jsIdentifier(name)}.${staticNames.get(name_) ?? jsIdentifier(name_)}`, type: 'unknown' })
    lines.push(`  static ${isResponse || renamed ? 'override ' : ''}${renamed ?? jsIdentifier(attr)}: Py = ${translateExpr(value, { ...inModule(ctx, attributeModules.get(attr)!), scope: classScope }).code}`)
  }
  if (mixins.length > 0) {
    // isinstance(v, Mixin): the mixins' own hasInstance (below) finds them here.
    ctx.imports.py = true
    lines.push(`  static __mixins__: Py[] = [${mixins.map((m) => projectReference(m.module.name, m.name, ctx)).join(', ')}]`)
  }
  if (usedAsMixin(node, ctx.project)) {
    // A mixin reads what the classes it is mixed into have (`self.name`).
    ctx.imports.py = true
    lines.unshift(`export interface ${jsIdentifier(name)} {`, '  [attribute: string]: Py', '}')
    lines.push('  static [Symbol.hasInstance](value: unknown): boolean {', '    return py.isInstanceOrMixin(value, this)', '  }')
  }
  // An attribute of the class that instances may also set: read through py.getattr (instance, then class).
  // A model's mapped column or relationship set in a method (`self.password_hash = …`) is the mapper's accessor, declared above.
  if (model !== null) for (const attr of [...instanceAttributes]) if (isMappedAttribute(attr, model, ctx)) instanceAttributes.delete(attr)
  for (const attr of instanceAttributes) lines.push(`  ${classAttributes.has(attr) || (baseIsException && inherited.has(attr)) ? 'declare ' : ''}${jsIdentifier(attr)}: Py`)
  if (library !== null) lines.push(...libraryClassMembers(library, name, instanceAttributes, methods.some((m) => m.def.childForFieldName('name')!.text === '__post_init__'), ctx))
  // `self.code` / `self.description` of an HTTP exception read the instance, which the runtime's constructor sets from the class.
  for (const attr of staticNames.keys()) classAttributes.delete(attr)
  for (const { def, kind, module: methodModule } of methods) {
    const methodName = def.childForFieldName('name')!.text
    if (methodName.startsWith('__') && methodName.endsWith('__') && !['__init__', '__str__', '__repr__', '__eq__', '__len__', '__contains__', '__bool__', '__enter__', '__exit__', '__iter__', '__next__', '__post_init__'].includes(methodName)) {
      fail('unsupported-class-feature', def, `special method \`${methodName}\``)
    }
    const selfParam = def.childForFieldName('parameters')?.namedChildren[0]
    if (kind !== 'static' && selfParam?.type !== 'identifier') fail('unsupported-class-feature', def, `method \`${methodName}\` without a \`self\` parameter`)
    if (kind === 'property' && def.childForFieldName('parameters')!.namedChildren.length !== 1) fail('unsupported-class-feature', def, `property \`${methodName}\` with parameters besides \`self\``)
    if (kind !== 'method' && methodName.startsWith('__')) fail('unsupported-class-feature', def, `special method \`${methodName}\` as a ${kind}`)
    const methodCtx: Context = {
      ...inModule(ctx, methodModule),
      scope: {
        kind: 'function',
        parent: ctx.scope,
        locals: new Map(),
        globals: new Set(),
        importBindings: new Map(),
        self: {
          name: selfParam?.text ?? 'self',
          className: name,
          classAttributes: new Set(classAttributes.keys()),
          // A mapped extension's base (FlaskForm) may bind instance attributes over the class's: `self.x` reads the instance.
          instanceAttributes: argumentlessBase ? new Set([...instanceAttributes, ...classAttributes.keys()]) : instanceAttributes,
          passesContext: options.methodView,
          staticMethods,
          isClass: kind === 'classmethod',
        },
      },
      flask: options.methodView ? { contextVar: 'c' } : ctx.flask,
      returnValue: (value) => `return ${value.code}`,
    }
    if (options.methodView) ctx.imports.honoContext = true
    let superCall: string | null = null
    let defForBody = def
    if (methodName === '__init__' && extendsClause) {
      const first = def.childForFieldName('body')!.namedChildren.find((c) => c.type !== 'comment' && !(c.type === 'expression_statement' && c.namedChildren[0]?.type === 'string'))
      const call = first?.type === 'expression_statement' ? first.namedChildren[0] : null
      const selfName = def.childForFieldName('parameters')?.namedChildren[0]?.text
      const callee = call?.type === 'call' ? call.childForFieldName('function')!.text : ''
      // `super().__init__(...)`, or the older `Base.__init__(self, ...)`.
      const viaBase = base !== undefined && new RegExp(`^${base.text}\\s*\\.\\s*__init__$`).test(callee) && isSelfArgument(call!, selfName)
      const isSuper = /^super\(\)\s*\.\s*__init__$/.test(callee) || viaBase
      if (isSuper) {
        // The arguments are evaluated before `this` exists: they may use the parameters, not `self`.
        const { scope } = translateParameters(def.childForFieldName('parameters'), methodCtx, 'method', new Map(), true)
        const args = callArguments(call!)
        if (viaBase) args.positional = args.positional.slice(1)
        for (const a of [...args.positional, ...args.keywords.values(), ...args.splats]) {
          if (mentions(a, selfName)) fail('unsupported-class-feature', a, `\`super().__init__()\` argument that uses \`${selfName}\``)
        }
        superCall = bindToSignature(args, baseConstructorSignature(node, ctx.project, ctx.module.name), '`super().__init__()`', { ...methodCtx, scope }).join(', ')
        defForBody = def
      } else if (!baseIsException && !argumentlessBase) {
        fail('unsupported-class-feature', def, '`__init__` of a subclass that does not start with `super().__init__(...)`')
      }
    }
    const fn = translateFunction(defForBody, methodCtx, { kind: kind === 'static' ? 'function' : 'method', extraParams: options.methodView ? ['c: Context'] : [], variadic: true })
    if (fn.isGenerator && (kind === 'property' || methodName === '__init__')) fail('unsupported-python-construct', def, `${kind === 'property' ? 'a property' : '`__init__`'} that yields`)
    if (kind === 'property') {
      lines.push(`  get ${jsIdentifier(methodName)}(): Py {`, ...indent(indent(fn.body)), '  }')
      continue
    }
    if (methodName === '__iter__') {
      // `for x in obj`, `list(obj)`: JavaScript's iteration protocol calls Python's.
      ctx.imports.py = true
      lines.push('  [Symbol.iterator](): Iterator<Py> {', '    const it = this.__iter__()', '    return it === this ? (it as Iterator<Py>) : py.iterOf(it)', '  }')
    }
    if (methodName === '__next__') {
      // An iterator class: `next(obj)` and `for` call `__next__` until StopIteration.
      ctx.imports.exceptions.add('StopIteration')
      lines.push(
        '  next(): IteratorResult<Py> {',
        '    try {',
        '      return { done: false, value: this.__next__() }',
        '    } catch (error) {',
        '      if (error instanceof StopIteration) return { done: true, value: undefined }',
        '      throw error',
        '    }',
        '  }',
      )
    }
    let bodyLines = fn.body
    if (methodName === '__init__') {
      const superLines = bodyLines.filter((l) => /^super\.__init__\(/.test(l)).length
      if (superLines > (superCall !== null ? 1 : 0)) fail('unsupported-class-feature', def, '`super().__init__()` that is not the first statement of `__init__`')
      const prologue = bodyLines.slice(0, fn.prologueLength)
      bodyLines = bodyLines.slice(fn.prologueLength).filter((l) => !/^super\.__init__\(/.test(l) && l !== 'return null')
      const params = fn.params.map((p) => p.split(':')[0].trim())
      if (superCall === null && extendsClause && fn.params.some((p) => p.startsWith('...'))) {
        fail('unsupported-class-feature', def, '`__init__` with *args/**kwargs of a subclass that does not start with `super().__init__(...)`')
      }
      const head = extendsClause ? [`super(${superCall !== null ? superCall : argumentlessBase ? '' : params.join(', ')})`] : []
      // Binding rest parameters uses no `self`: it runs before `super(...)`, whose arguments may use them.
      lines.push(`  constructor(${fn.params.join(', ')}) {`, ...indent(indent([...prologue, ...head, ...bodyLines])), '  }')
      continue
    }
    lines.push(`  ${kind === 'method' ? '' : 'static '}${fn.isGenerator ? '*' : ''}${jsIdentifier(methodName)}(${fn.params.join(', ')}): Py {`, ...indent(indent(bodyLines)), '  }')
  }
  lines.push('}', ...(modelParts?.after ?? []), ...(library !== null ? libraryClassEpilogue(library, name) : []))
  for (const [method, wrappers] of methodWrappers) {
    const target = `${jsIdentifier(name)}.prototype.${jsIdentifier(method)}`
    // A documentation decorator ('') changes nothing; a method under only such decorators stays as it is.
    const applied = wrappers.filter((wrapper) => wrapper !== '')
    if (applied.length > 0) lines.push(`${target} = ${[...applied].reverse().reduce((inner, wrapper) => `${wrapper}(${inner})`, target)}`)
  }
  if (schemaRule !== null) {
    // Its hooks, and its name for `Nested("Name")`.
    ctx.imports.useLib(schemaRule.runtime, 'registerSchema')
    const hooks = schemaHooks.length > 0 ? `, { ${schemaHooks.map(([method, hook]) => `${tsJson(method)}: ${hook}`).join(', ')} }` : ''
    // Their Python parameters: marshmallow passes many= and partial= as keywords, which bind by name.
    const signatures = schemaHooks.length > 0 ? `, { ${schemaHooks.map(([method, , signature]) => `${tsJson(method)}: ${signature}`).join(', ')} }` : ''
    lines.push(`registerSchema(${jsIdentifier(name)}${hooks}${signatures})`)
  }
  const runtimeMixins = bases.slice(0, -1).map((b) => runtimeMixin(b, ctx)).filter((found) => found !== null)
  for (const mixin of runtimeMixins) {
    ctx.imports.useLib(mixin.lib, mixin.runtime)
    ctx.imports.py = true
  }
  if (runtimeMixins.length > 0) lines.push(`py.mixInto(${jsIdentifier(name)}, [${runtimeMixins.map((mixin) => mixin.runtime).join(', ')}])`)
  return lines
}

/** A schema hook's parameters after `self`, and whether it takes `**kwargs` (runtime marshmallow.ts HookSignature). */
function hookSignature(def: SyntaxNode): string {
  const params: string[] = []
  let kwargs = false
  for (const param of def.childForFieldName('parameters')!.namedChildren.slice(1)) {
    if (param.type === 'dictionary_splat_pattern') kwargs = true
    else if (param.type === 'identifier') params.push(param.text)
    else if (['default_parameter', 'typed_parameter', 'typed_default_parameter'].includes(param.type)) params.push((param.childForFieldName('name') ?? param.namedChildren[0]!).text)
  }
  return `{ params: [${params.map((param) => tsJson(param)).join(', ')}], kwargs: ${kwargs} }`
}

/**
 * A decorator of a method that a mapped extension applies to methods (`wraps_methods: true`,
 * Flask-RESTful's `@marshal_with(fields)`): its translation; null for any other decorator.
 */
function methodWrapper(decorator: SyntaxNode, ctx: Context): string | null {
  const expression = decorator.namedChildren.find((child) => child.type !== 'comment')!
  const callee = expression.type === 'call' ? expression.childForFieldName('function')! : expression
  if (callee.type === 'attribute') return instanceMethodWrapper(expression, callee, ctx)
  if (callee.type !== 'identifier') return null
  const binding = resolveName(callee.text, callee, ctx)
  if (binding.kind !== 'unknown-import' || binding.name === null) return null
  const mapped = extensionName(binding.module, binding.name)
  if (mapped?.name.kind !== 'decorator' || (mapped.name as { wraps_methods?: boolean }).wraps_methods !== true) return null
  return translateExpr(expression, ctx).code
}

/**
 * A method decorator that is a method of a mapped extension's object (`@ns.marshal_with(model)`,
 * Flask-RESTX's namespaces): its translation when the mapping applies it to methods
 * (`wraps_methods: true`), '' when it only documents (`documents: true`, `@ns.doc(...)`: dropped),
 * null for any other decorator.
 */
function instanceMethodWrapper(expression: SyntaxNode, callee: SyntaxNode, ctx: Context): string | null {
  const object = callee.childForFieldName('object')!
  if (object.type !== 'identifier') return null
  const binding = resolveName(object.text, object, ctx)
  if (binding.kind !== 'project' || binding.def.kind !== 'data') return null
  const instance = extensionInstances(ctx.project).find((candidate) => candidate.module === binding.module && candidate.name === binding.name)
  const mapped = instance?.rule.methods?.[instance.className]?.[callee.childForFieldName('attribute')!.text] as { wraps_methods?: boolean; documents?: boolean } | undefined
  if (mapped?.wraps_methods !== true) return null
  if (mapped.documents === true) return ''
  return translateExpr(expression, ctx).code
}

/** `Base.__init__(self, …)`: the first argument is the method's `self`. */
function isSelfArgument(call: SyntaxNode, selfName: string | undefined): boolean {
  const first = call.childForFieldName('arguments')?.namedChildren.find((c) => c.type !== 'comment')
  return first?.type === 'identifier' && first.text === selfName
}

/**
 * The context to translate a mixin's member in: names resolve in its module; the code lands in
 * the class's module, so the mixin module's own names are imported there (as from a route file).
 */
function inModule(ctx: Context, module: ModuleInfo): Context {
  return module === ctx.module ? ctx : { ...ctx, module, inRoutes: true }
}

function mentions(node: SyntaxNode, name: string | undefined): boolean {
  if (node.type === 'identifier' && node.text === name) return true
  return node.namedChildren.some((child) => mentions(child, name))
}
