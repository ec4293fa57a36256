import { fail, snippet } from './diagnostics.js'
import { jsIdentifier, type Context, type Scope, type SyntaxNode } from './context.js'
import { translateExpr } from './expr/index.js'
import { resolveName, EXCEPTIONS, projectReference } from './expr/names.js'
import { baseConstructorSignature, translateFunction, translateParameters } from './function.js'
import { bindToSignature, callArguments } from './expr/arguments.js'
import { indent } from './stmt/index.js'
import { responseClass } from './flask/index.js'
import type { ProjectIndex } from './project.js'

type MethodKind = 'method' | 'static' | 'classmethod' | 'property'

const METHOD_DECORATORS: Record<string, MethodKind | undefined> = { '@staticmethod': 'static', '@classmethod': 'classmethod', '@property': 'property' }

/** The kind of method `name` is in a class or its project bases (for calls through the class): null when it is not a method. */
export function methodKind(classNode: SyntaxNode, name: string, project: ProjectIndex, module: string): { def: SyntaxNode; kind: MethodKind } | null {
  const own = ownMethod(classNode, name)
  if (own !== undefined) return own
  const base = classNode.childForFieldName('superclasses')?.namedChildren[0]
  const info = project.modules.get(module)
  if (base?.type !== 'identifier' || !info) return null
  const def = info.symbols.get(base.text)
  const resolved = def?.kind === 'import' && def.target.kind === 'member' ? project.resolveSymbol(def.target.module, def.target.name) : def ? { module: info, def } : null
  return resolved?.def.kind === 'class' ? methodKind(resolved.def.node, name, project, resolved.module.name) : null
}

/**
 * The Flask or Werkzeug class at the root of a project class's chain of bases (`Response`,
 * `HTTPException`, `NotFound`…): its module and name; null when the chain does not end in one.
 */
export function flaskBase(classNode: SyntaxNode, project: ProjectIndex, module: string, seen = new Set<SyntaxNode>()): { module: string; name: string } | null {
  if (seen.has(classNode)) return null
  seen.add(classNode)
  const base = classNode.childForFieldName('superclasses')?.namedChildren.find((c) => c.type !== 'comment')
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

/** Whether a class or one of its project bases defines a method (its instances then need dynamic method calls). */
export function definesMethods(classNode: SyntaxNode, project: ProjectIndex, module: string, seen = new Set<SyntaxNode>()): boolean {
  if (seen.has(classNode)) return false
  seen.add(classNode)
  const own = classNode.childForFieldName('body')!.namedChildren.some((member) => (member.type === 'decorated_definition' ? member.childForFieldName('definition')! : member).type === 'function_definition')
  if (own) return true
  const base = classNode.childForFieldName('superclasses')?.namedChildren.find((c) => c.type !== 'comment')
  const info = project.modules.get(module)
  if (base?.type !== 'identifier' || !info) return false
  const def = info.symbols.get(base.text)
  const resolved = def?.kind === 'import' && def.target.kind === 'member' ? project.resolveSymbol(def.target.module, def.target.name) : def ? { module: info, def } : null
  return resolved?.def.kind === 'class' ? definesMethods(resolved.def.node, project, resolved.module.name, seen) : false
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
  if (bases.length > 1) fail('unsupported-class-feature', bases[1], `multiple inheritance (\`${snippet(node.childForFieldName('superclasses')!)}\`)`)
  let extendsClause = ''
  let baseIsException = false
  const base = bases[0]
  // A subclass of Flask's Response: its class attributes set the runtime's defaults; constructed with Response's parameters.
  let isResponse = responseBaseModule(node, ctx.project, ctx.module.name) !== null
  const httpBase = httpExceptionBase(node, ctx.project, ctx.module.name)
  if (httpBase === null && flaskBase(node, ctx.project, ctx.module.name)?.module === 'werkzeug.exceptions') {
    fail('unsupported-class-feature', bases[0] ?? node, `subclass of Werkzeug's \`${flaskBase(node, ctx.project, ctx.module.name)!.name}\`, whose constructor takes other arguments`)
  }
  if (base && !options.methodView) {
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
    } else if (!(binding.kind === 'builtin' && base.text === 'object')) {
      fail('unsupported-class-feature', base, `base class \`${base.text}\``)
    }
  }
  const body = node.childForFieldName('body')!
  const classAttributes = new Map<string, SyntaxNode>()
  const methods: { def: SyntaxNode; kind: MethodKind }[] = []
  for (const member of body.namedChildren) {
    if (member.type === 'comment' || member.type === 'pass_statement') continue
    if (member.type === 'expression_statement') {
      const inner = member.namedChildren[0]
      if (inner?.type === 'string') continue
      if (inner?.type === 'assignment' && inner.childForFieldName('left')!.type === 'identifier' && inner.childForFieldName('right')) {
        classAttributes.set(inner.childForFieldName('left')!.text, inner.childForFieldName('right')!)
        continue
      }
    }
    let def = member
    let kind: MethodKind = 'method'
    if (member.type === 'decorated_definition') {
      const decorators = member.namedChildren.filter((c) => c.type === 'decorator')
      const known = decorators.length === 1 ? METHOD_DECORATORS[decorators[0].text] : undefined
      if (known) kind = known
      else fail('unknown-decorator', decorators[0], `decorator \`${snippet(decorators[0])}\` on a method`)
      def = member.childForFieldName('definition')!
    }
    if (def.type !== 'function_definition') fail('unsupported-class-feature', member, `class body statement \`${snippet(member)}\``)
    methods.push({ def, kind })
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
  for (const reserved of ['args', 'name', 'stack', 'constructor', ...(httpBase !== null ? ['response'] : [])]) {
    if (instanceAttributes.has(reserved) && baseIsException) fail('unsupported-class-feature', node, `exception attribute \`self.${reserved}\``)
  }
  /** Class attributes that are the runtime's statics under another name (Werkzeug's `description` is `defaultDescription`). */
  const staticNames = new Map<string, string>(httpBase !== null ? [['code', 'code'], ['description', 'defaultDescription']] : [])
  /** Instance attributes the runtime's base class already has (set by its constructor): declared, not reset to undefined. */
  const inherited = new Set(httpBase !== null ? ['code', 'description'] : [])
  const classScope: Scope = { kind: 'class-body', parent: ctx.scope, locals: new Map(), globals: new Set(), importBindings: new Map() }
  const lines: string[] = [`export class ${jsIdentifier(name)}${extendsClause} {`]
  for (const [attr, value] of classAttributes) {
    const renamed = staticNames.get(attr)
    lines.push(`  static ${isResponse || renamed ? 'override ' : ''}${renamed ?? jsIdentifier(attr)}: Py = ${translateExpr(value, { ...ctx, scope: classScope }).code}`)
  }
  // An attribute of the class that instances may also set: read through py.getattr (instance, then class).
  for (const attr of instanceAttributes) lines.push(`  ${classAttributes.has(attr) || (baseIsException && inherited.has(attr)) ? 'declare ' : ''}${jsIdentifier(attr)}: Py`)
  // `self.code` / `self.description` of an HTTP exception read the instance, which the runtime's constructor sets from the class.
  for (const attr of staticNames.keys()) classAttributes.delete(attr)
  for (const { def, kind } of methods) {
    const methodName = def.childForFieldName('name')!.text
    if (methodName.startsWith('__') && methodName.endsWith('__') && !['__init__', '__str__', '__repr__', '__eq__', '__len__', '__contains__', '__bool__', '__enter__', '__exit__', '__iter__', '__next__'].includes(methodName)) {
      fail('unsupported-class-feature', def, `special method \`${methodName}\``)
    }
    const selfParam = def.childForFieldName('parameters')?.namedChildren[0]
    if (kind !== 'static' && selfParam?.type !== 'identifier') fail('unsupported-class-feature', def, `method \`${methodName}\` without a \`self\` parameter`)
    if (kind === 'property' && def.childForFieldName('parameters')!.namedChildren.length !== 1) fail('unsupported-class-feature', def, `property \`${methodName}\` with parameters besides \`self\``)
    if (kind !== 'method' && methodName.startsWith('__')) fail('unsupported-class-feature', def, `special method \`${methodName}\` as a ${kind}`)
    const methodCtx: Context = {
      ...ctx,
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
          instanceAttributes,
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
      } else if (!baseIsException) {
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
      const head = extendsClause ? [`super(${superCall !== null ? superCall : params.join(', ')})`] : []
      // Binding rest parameters uses no `self`: it runs before `super(...)`, whose arguments may use them.
      lines.push(`  constructor(${fn.params.join(', ')}) {`, ...indent(indent([...prologue, ...head, ...bodyLines])), '  }')
      continue
    }
    lines.push(`  ${kind === 'method' ? '' : 'static '}${fn.isGenerator ? '*' : ''}${jsIdentifier(methodName)}(${fn.params.join(', ')}): Py {`, ...indent(indent(bodyLines)), '  }')
  }
  lines.push('}')
  return lines
}

/** `Base.__init__(self, …)`: the first argument is the method's `self`. */
function isSelfArgument(call: SyntaxNode, selfName: string | undefined): boolean {
  const first = call.childForFieldName('arguments')?.namedChildren.find((c) => c.type !== 'comment')
  return first?.type === 'identifier' && first.text === selfName
}

function mentions(node: SyntaxNode, name: string | undefined): boolean {
  if (node.type === 'identifier' && node.text === name) return true
  return node.namedChildren.some((child) => mentions(child, name))
}
