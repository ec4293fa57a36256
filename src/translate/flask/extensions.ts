import { fail, snippet } from '../diagnostics.js'
import { emitted, jsIdentifier, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec } from '../precedence.js'
import { callArguments, bindToSignature } from '../expr/arguments.js'
import { projectReference, resolveName } from '../expr/names.js'
import { extensionName, extensionRules, type ExtensionName, type ExtensionRule } from '../../ir/extension-rules.js'
import type { ParamInfo } from '../function.js'
import { importBindings, type ModuleInfo, type ProjectIndex } from '../project.js'
import { ImportSet } from '../context.js'
import type { AppIR, Finding } from '../../ir/types.js'
import type { TranslatedExtension } from '../types.js'
import { lineComment, tsJson } from '../../ts-text.js'

/**
 * The names of a mapped extension (rules/extensions/<extension>.yaml) in translated code: the
 * translator reads the mapping, it does not know any extension itself. A function is called with
 * its arguments bound to the mapping's `parameters` in Python's order (keywords by name, a gap
 * `undefined`); a decorator with `parameters` is such a function whose result decorates; a proxy
 * (`current_user`) is a call of its runtime getter; a class is constructed with the arguments
 * its `parameters` name. The runtime functions read the request through `currentContext()`.
 */

function useRuntime(rule: ExtensionRule, name: string, ctx: Context): string {
  ctx.imports.useLib(rule.runtime, name)
  return name
}

/** A mapping's parameters; `**options` takes the other keywords (the runtime gets them as one dict), `name=` has a default. */
export function parametersOf(mapped: ExtensionName): ParamInfo[] | null {
  const names = 'parameters' in mapped ? mapped.parameters : undefined
  return names === undefined
    ? null
    : names.map((name, i) =>
        name.startsWith('**')
          ? { name: name.slice(2), hasDefault: true, kind: 'kwargs' as const }
          : name.startsWith('*')
            ? { name: name.slice(1), hasDefault: true, kind: 'varargs' as const }
            : // `req=`: a function's first parameter that has a default.
            { name: name.replace(/=$/, ''), hasDefault: i > 0 || mapped.kind !== 'function' || name.endsWith('='), kind: 'positional' as const },
      )
}

/**
 * Arguments a mapping does not carry (rules/extensions/*.yaml `unsupported_arguments`: a
 * parameter whose value contains one of `contains`, as `locations=["cookies"]`): the call is
 * not carried over; a value that is not a literal cannot be checked and is not carried either.
 */
function checkArguments(rule: ExtensionRule, params: ParamInfo[], args: ReturnType<typeof callArguments>, what: string): void {
  const conditions = (rule as ExtensionRule & { unsupported_arguments?: Record<string, { contains?: string[]; not_in?: string[]; why: string }> }).unsupported_arguments
  if (conditions === undefined) return
  for (const [parameter, condition] of Object.entries(conditions)) {
    const index = params.findIndex((param) => param.name === parameter)
    const node = args.keywords.get(parameter) ?? (index >= 0 ? args.positional[index] : undefined)
    if (node === undefined || node.type === 'none') continue
    const strings = node.type === 'string' ? [node] : ['list', 'tuple'].includes(node.type) ? node.namedChildren : null
    const texts = strings?.map((item) => (item.type === 'string' ? /^[rRuU]?(['"])([^'"\\]*)\1$/.exec(item.text)?.[2] : undefined)) ?? [undefined]
    const literal = texts.every((text) => text !== undefined)
    const values = literal ? (texts as string[]) : []
    // `contains`: values the runtime does not carry; `not_in`: the only values it carries.
    if (!literal || values.some((value) => (condition.contains ?? []).includes(value) || (condition.not_in !== undefined && !condition.not_in.includes(value)))) {
      fail('unsupported-flask-api', node, `${what} with ${parameter}=${snippet(node)}: ${literal ? condition.why : `${parameter} is not a literal the migration can check`}`)
    }
  }
}

/** A name imported from a mapped extension, used as a value; undefined when no mapping has it. */
export function translateExtensionName(module: string, name: string, node: SyntaxNode, ctx: Context): Emitted | undefined {
  const found = extensionName(module, name)
  if (found === null) return undefined
  const { rule, name: mapped } = found
  switch (mapped.kind) {
    case 'proxy':
      return emitted(`${useRuntime(rule, mapped.runtime, ctx)}()`, Prec.Call)
    case 'value':
      return emitted(useRuntime(rule, mapped.runtime, ctx), Prec.Primary)
    case 'decorator':
      // `@jwt_required` without parentheses: Flask-JWT-Extended 3's decorator (mapped.bare acts as 3.x in a 3.x project, as 4.x's broken view in a 4.x one).
      if (parametersOf(mapped) !== null && mapped.bare !== undefined) return emitted(useRuntime(rule, mapped.bare, ctx), Prec.Primary, 'function')
      if (parametersOf(mapped) !== null) return fail('unsupported-flask-api', node, `\`@${name}\` of ${rule.extension} without its call parentheses (\`@${name}()\`)`)
      return emitted(useRuntime(rule, mapped.runtime, ctx), Prec.Primary, 'function')
    case 'function':
    case 'class':
      return emitted(useRuntime(rule, mapped.runtime, ctx), Prec.Primary, 'function')
  }
}

/** A call of a name imported from a mapped extension; undefined when no mapping has it. */
export function translateExtensionCall(module: string, name: string, call: SyntaxNode, ctx: Context): Emitted | undefined {
  const found = extensionName(module, name)
  if (found === null) return undefined
  const { rule, name: mapped } = found
  const what = `\`${name}()\` of ${rule.extension}`
  const args = callArguments(call)
  const params = parametersOf(mapped)
  switch (mapped.kind) {
    case 'proxy':
    case 'value':
      return fail('unsupported-flask-api', call, `calling \`${snippet(call)}\``)
    case 'decorator':
      if (params === null) return fail('unsupported-flask-api', call, `\`${name}\` of ${rule.extension} is a decorator; calling it (\`${snippet(call)}\`) is not carried over`)
      checkArguments(rule, params, args, what)
      return emitted(`${useRuntime(rule, mapped.runtime, ctx)}(${bindToSignature(args, params, what, ctx).join(', ')})`, Prec.Call, 'function')
    case 'function':
      checkArguments(rule, params ?? [], args, what)
      return emitted(`${useRuntime(rule, mapped.runtime, ctx)}(${bindToSignature(args, params ?? [], what, ctx).join(', ')})`, Prec.Call)
    case 'class': {
      if (params !== null) return emitted(`new ${useRuntime(rule, mapped.runtime, ctx)}(${constructorArguments(rule, args, params, what, call, ctx).join(', ')})`, Prec.Call)
      // The app given to an extension's constructor is the one the service has: init_app is the emitted app's.
      const given = [...args.positional, ...[...args.keywords].filter(([key]) => key === 'app').map(([, value]) => value)]
      const onlyTheApp = args.splats.length === 0 && args.keywords.size <= (args.keywords.has('app') ? 1 : 0) && given.length <= 1 && given.every((arg) => isFlaskApp(arg, ctx))
      if (!onlyTheApp) return fail('unsupported-flask-api', call, `\`${snippet(call)}\`: ${rule.extension}'s ${name} is carried over constructed without arguments or with the app only (its init_app is the service's app setup)`)
      return emitted(`new ${useRuntime(rule, mapped.runtime, ctx)}()`, Prec.Call)
    }
  }
}

/**
 * A mapped constructor's arguments bound to its parameters; the one for a parameter named `app`
 * must be the Flask app and is not passed (the service's app setup is the init_app).
 */
function constructorArguments(rule: ExtensionRule, args: ReturnType<typeof callArguments>, params: ParamInfo[], what: string, call: SyntaxNode, ctx: Context): string[] {
  const appIndex = params.findIndex((param) => param.name === 'app')
  if (appIndex < 0) return bindToSignature(args, params, what, ctx)
  const appArg = args.keywords.get('app') ?? args.positional[appIndex]
  if (appArg !== undefined && !isFlaskApp(appArg, ctx) && !(rule.blueprints === true && isBlueprint(appArg, ctx))) fail('unsupported-flask-api', call, `${what}: its app argument is not the Flask app`)
  const rest = { ...args, positional: args.positional.filter((_, i) => i !== appIndex), keywords: new Map([...args.keywords].filter(([key]) => key !== 'app')) }
  return bindToSignature(rest, params.filter((_, i) => i !== appIndex), what, ctx)
}

/** A blueprint given to an extension's constructor (`Api(api_bp)`): a module variable made by `Blueprint(...)`. */
function isBlueprint(node: SyntaxNode, ctx: Context): boolean {
  if (node.type !== 'identifier') return false
  const binding = resolveName(node.text, node, ctx)
  if (binding.kind !== 'project' || binding.def.kind !== 'data' || binding.def.value.type !== 'call') return false
  return /^(flask\.)?Blueprint$/.test(binding.def.value.childForFieldName('function')!.text)
}

/** `app` given to an extension's constructor: the Flask app (a module variable made by `Flask(...)`, or the factory's app). */
function isFlaskApp(node: SyntaxNode, ctx: Context): boolean {
  if (node.type !== 'identifier') return false
  const binding = resolveName(node.text, node, ctx)
  if (binding.kind === 'app') return true
  if (binding.kind !== 'project' || binding.def.kind !== 'data' || binding.def.value.type !== 'call') return false
  return /^(flask\.)?Flask$/.test(binding.def.value.childForFieldName('function')!.text)
}

/**
 * `auth.current_user()`, `bcrypt.check_password_hash(h, p)`: a method of a mapped extension's
 * object held by a module-level variable, called by its Python name with its arguments bound to
 * the mapping's parameters; a method the mapping does not list is not carried over. Undefined
 * when the callee is not such an object's method.
 */
export function translateExtensionMethodCall(call: SyntaxNode, ctx: Context): Emitted | undefined {
  const fn = call.childForFieldName('function')!
  if (fn.type !== 'attribute') return undefined
  const object = fn.childForFieldName('object')!
  if (object.type !== 'identifier') return undefined
  const binding = resolveName(object.text, object, ctx)
  if (binding.kind !== 'project' || binding.def.kind !== 'data') return undefined
  const instance = extensionInstances(ctx.project).find((candidate) => candidate.module === binding.module && candidate.name === binding.name)
  if (instance === undefined) return undefined
  const method = fn.childForFieldName('attribute')!.text
  const mapped = instance.rule.methods?.[instance.className]?.[method]
  if (mapped === undefined || mapped.kind === 'class' || mapped.kind === 'proxy') {
    return fail('unsupported-flask-api', call, `\`${snippet(fn)}()\`: ${instance.rule.extension}'s ${instance.className}.${method} is not carried over`)
  }
  const receiver = projectReference(binding.module, binding.name, ctx)
  const params = parametersOf(mapped) ?? []
  return emitted(`${receiver}.${mapped.runtime}(${bindToSignature(callArguments(call), params, `\`${snippet(fn)}()\``, ctx).join(', ')})`, Prec.Call)
}

/** A module-level variable holding an instance of a mapped extension's class (`jwt = JWTManager()`). */
export interface ExtensionInstance {
  rule: ExtensionRule
  className: string
  module: string
  name: string
}

/** The module-level variables of the project that hold an instance of a mapped extension class. */
export function extensionInstances(project: ProjectIndex): ExtensionInstance[] {
  let found = instancesByProject.get(project)
  if (found === undefined) instancesByProject.set(project, (found = findInstances(project)))
  return found
}

/** Computed once per project: every method call of translated code asks. */
const instancesByProject = new WeakMap<ProjectIndex, ExtensionInstance[]>()

function findInstances(project: ProjectIndex): ExtensionInstance[] {
  const found: ExtensionInstance[] = []
  for (const module of project.modules.values()) {
    for (const [name, def] of module.symbols) {
      if (def.kind !== 'data' || def.value.type !== 'call') continue
      const made = constructedClass(module, def.value)
      if (made !== null) found.push({ ...made, module: module.name, name })
    }
  }
  // Objects the extension's objects give (`ns = api.namespace(...)`: a mapped method with `returns`), and
  // module variables bound to one kept as a class attribute (`api = UserDto.api`), until no more are found.
  for (let more = true; more; ) {
    more = false
    for (const module of project.modules.values()) {
      for (const [name, def] of module.symbols) {
        if (def.kind !== 'data' || found.some((instance) => instance.module === module.name && instance.name === name)) continue
        const derived = derivedInstance(project, module, def.value, found)
        if (derived === null) continue
        found.push({ ...derived, module: module.name, name })
        more = true
      }
    }
  }
  return found.sort((a, b) => (a.module === b.module ? a.name.localeCompare(b.name) : a.module.localeCompare(b.module)))
}

/** The mapped extension class a call constructs (`Api(...)`, `reqparse.RequestParser()` after `from flask_restful import reqparse`), or null. */
function constructedClass(module: ModuleInfo, call: SyntaxNode): { rule: ExtensionRule; className: string } | null {
  const callee = call.childForFieldName('function')
  let imported = callee?.type === 'identifier' ? importedName(module, callee.text) : null
  const owner = callee?.type === 'attribute' && callee.childForFieldName('object')!.type === 'identifier' ? importedName(module, callee.childForFieldName('object')!.text) : null
  if (owner !== null) imported = { module: `${owner.module}.${owner.name}`, name: callee!.childForFieldName('attribute')!.text }
  if (imported === null) return null
  const mapped = extensionName(imported.module, imported.name)
  return mapped?.name.kind === 'class' ? { rule: mapped.rule, className: imported.name } : null
}

/** `inst.method(...)` whose mapping `returns` one of the extension's classes, or `Cls.attr` with `attr = Ext(...)` in the class's body. */
function derivedInstance(project: ProjectIndex, module: ModuleInfo, value: SyntaxNode, found: ExtensionInstance[]): { rule: ExtensionRule; className: string } | null {
  if (value.type === 'call' && value.childForFieldName('function')?.type === 'attribute') {
    const callee = value.childForFieldName('function')!
    const object = callee.childForFieldName('object')!
    if (object.type !== 'identifier') return null
    const target = resolveData(module, object.text, project)
    const instance = target === null ? undefined : found.find((candidate) => candidate.module === target.module && candidate.name === target.name)
    const returns = (instance?.rule.methods?.[instance.className]?.[callee.childForFieldName('attribute')!.text] as { returns?: string } | undefined)?.returns
    return instance !== undefined && returns !== undefined ? { rule: instance.rule, className: returns } : null
  }
  if (value.type !== 'attribute' || value.childForFieldName('object')!.type !== 'identifier') return null
  const cls = projectClass(module, value.childForFieldName('object')!.text, project)
  const classModule = cls === null ? undefined : project.modules.get(cls.module)
  const def = cls === null ? undefined : classModule?.symbols.get(cls.name)
  if (def?.kind !== 'class' || classModule === undefined) return null
  const attribute = value.childForFieldName('attribute')!.text
  for (const member of def.node.childForFieldName('body')!.namedChildren) {
    const assignment = member.type === 'expression_statement' ? member.namedChildren[0] : undefined
    if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.text !== attribute) continue
    const right = assignment.childForFieldName('right')
    return right?.type === 'call' ? constructedClass(classModule, right) : null
  }
  return null
}

function importedName(module: ModuleInfo, name: string): { module: string; name: string } | null {
  const def = module.symbols.get(name)
  if (def?.kind !== 'import' || def.target.kind !== 'member') return null
  return { module: def.target.module, name: def.target.name }
}

/**
 * A decorator registering a callback on an extension instance (`@jwt.user_lookup_loader`): the
 * instance and the manager's method, or null when the decorator is not one.
 */
export function extensionCallback(decorator: SyntaxNode, module: ModuleInfo, project: ProjectIndex): { instance: ExtensionInstance; callback: string; method: string | null; args?: SyntaxNode[] } | null {
  let expression = decorator.namedChildren.find((child) => child.type !== 'comment')
  // `@api.errorhandler(NotFound)`: a callback registered with arguments (project names), when the mapping says so.
  let args: SyntaxNode[] | undefined
  if (expression?.type === 'call' && expression.childForFieldName('function')?.type === 'attribute') {
    args = expression.childForFieldName('arguments')!.namedChildren.filter((child) => child.type !== 'comment')
    expression = expression.childForFieldName('function')!
  }
  if (expression?.type !== 'attribute') return null
  const object = expression.childForFieldName('object')!
  if (object.type !== 'identifier') return null
  const callback = expression.childForFieldName('attribute')!.text
  const target = resolveData(module, object.text, project)
  if (target === null) return null
  const instance = extensionInstances(project).find((candidate) => candidate.module === target.module && candidate.name === target.name)
  if (instance === undefined) return null
  const method = instance.rule.callbacks?.[callback]
  const withArguments = (instance.rule as { callbacks_with_arguments?: string[] }).callbacks_with_arguments?.includes(callback) === true
  if (args !== undefined && !withArguments) return null
  if (method !== undefined) return { instance, callback, method, ...(args !== undefined ? { args } : {}) }
  if (instance.rule.unsupported_callbacks?.includes(callback)) return { instance, callback, method: null }
  return null
}

function resolveData(module: ModuleInfo, name: string, project: ProjectIndex): { module: string; name: string } | null {
  const def = module.symbols.get(name)
  if (def?.kind === 'data') return { module: module.name, name }
  if (def?.kind !== 'import' || def.target.kind !== 'member' || !project.modules.has(def.target.module)) return null
  const resolved = project.resolveSymbol(def.target.module, def.target.name)
  return resolved !== null && resolved.def.kind === 'data' ? { module: resolved.module.name, name: resolved.name } : null
}

/** A class of the project named in `module` (defined there or imported from a project module). */
function projectClass(module: ModuleInfo, name: string, project: ProjectIndex): { module: string; name: string } | null {
  const def = module.symbols.get(name)
  if (def?.kind === 'class') return { module: module.name, name }
  if (def?.kind !== 'import' || def.target.kind !== 'member' || !project.modules.has(def.target.module)) return null
  const resolved = project.resolveSymbol(def.target.module, def.target.name)
  return resolved !== null && resolved.def.kind === 'class' ? { module: resolved.module.name, name: resolved.name } : null
}

/** A callback the mapping does not carry over (`@jwt.decode_key_loader`) makes the function untranslatable. */
export function checkCallback(found: NonNullable<ReturnType<typeof extensionCallback>>, decorator: SyntaxNode): void {
  if (found.method === null) fail('unsupported-flask-api', decorator, `\`@${found.instance.name}.${found.callback}\`: ${found.instance.rule.extension}'s ${found.callback} is not carried over`)
}

/** What the emitted app does for a mapped extension set up on it (src/translate/types.ts TranslatedExtension). */
export interface ExtensionSetup {
  runtime: string
  /** A setting of the app the mapping does not carry over (`JWT_TOKEN_LOCATION` with cookies): the code using the runtime is stubbed with it. */
  unsupported: Finding | null
  /** The instance and the callbacks: project symbols (`module\0name`) the setup and the code using the runtime need. */
  dependencies: string[]
  translated: TranslatedExtension
}

/**
 * The mapped extensions the app sets up (`jwt.init_app(app)` on the instance of a module-level
 * variable): the instance's import, the registration of each callback the project's modules
 * decorate with the instance's loader decorators (in module and source order), and init_app's
 * error handlers. An extension of which the project has several instances is left to the report.
 */
export function extensionSetups(project: ProjectIndex, app: AppIR): ExtensionSetup[] {
  const setups: ExtensionSetup[] = []
  // Only what the app's code imports registers anything (another app's module of the project does not).
  const reached = reachableModules(project, app)
  const instances = extensionInstances(project).filter((instance) => reached.has(instance.module))
  // An extension with an init_app: its one instance the app sets up. One without (Flask-HTTPAuth): each instance, for its callbacks.
  const targets: { instance: ExtensionInstance; record: AppIR['extensions'][number] | null }[] = []
  for (const record of app.extensions) {
    // An extension a blueprint sets up (`Api(api_bp)`) acts on the app as the app's would, when its mapping says so (`blueprints: true`).
    if (record.init === 'import-only' || (record.blueprint !== undefined && extensionRules().find((rule) => rule.package === record.package)?.blueprints !== true)) continue
    // `from flask_wtf.csrf import CSRFProtect`: the analysis records the symbol by its path in the package (`csrf.CSRFProtect`).
    const candidates = instances.filter((instance) => instance.rule.package === record.package && (instance.className === record.symbol || record.symbol.endsWith(`.${instance.className}`)))
    if (targets.some((target) => target.instance.rule.package === record.package)) continue
    // Without an init_app (Flask-Bcrypt reads the app's config when used), any of its instances stands for it.
    // Several instances set up on the app and its blueprints (Flask-RESTX's Apis, `init_app.several`): the first stands for them, with every one's callbacks.
    if (candidates.length === 1 || (candidates.length > 1 && (candidates[0]!.rule.init_app === undefined || (candidates[0]!.rule.init_app as { several?: boolean }).several === true))) targets.push({ instance: candidates[0]!, record })
  }
  for (const instance of instances) {
    if (instance.rule.init_app !== undefined || instance.rule.callbacks === undefined) continue
    if (!targets.some((target) => target.instance === instance)) targets.push({ instance, record: null })
  }
  for (const { instance, record } of targets) {
    const rule = instance.rule
    const imports = new ImportSet()
    const legacy = legacyVersionEvidence(rule, project, reached)
    const initRuntime = legacy !== null ? rule.legacy_version!.init_app : rule.init_app?.runtime
    if (initRuntime !== undefined) imports.useLib(rule.runtime, initRuntime)
    imports.useProject(instance.module, jsIdentifier(instance.name))
    const dependencies = [`${instance.module}\0${instance.name}`]
    const where = record === null ? `${instance.module}.${instance.name}` : `${record.location.file}:${record.location.line} ${record.source.replace(/\s+/g, ' ').slice(0, 80)}`
    const setup: string[] = [lineComment(`${rule.extension} (${where}): the callbacks the project registers`)]
    if (legacy !== null) setup.push(lineComment(`${rule.extension} ${rule.legacy_version!.version}: ${legacy}, so the runtime acts as ${rule.legacy_version!.version} (${initRuntime})`))
    let uncarried: Finding | null = null
    for (const module of [...project.modules.values()].filter((candidate) => reached.has(candidate.name)).sort((a, b) => a.name.localeCompare(b.name))) {
      // A callback registered with arguments inside a function or a class (`@api.errorhandler(E)` in an app factory) is not set up: reported.
      if ((rule as { callbacks_with_arguments?: string[] }).callbacks_with_arguments !== undefined) {
        for (const nested of module.tree.rootNode.descendantsOfType('decorated_definition')) {
          if (nested.parent?.type === 'module') continue
          const decorator = nested.namedChildren.find((child) => child.type === 'decorator' && extensionCallback(child, module, project)?.instance.rule === rule)
          if (decorator === undefined) continue
          uncarried ??= {
            ruleId: 'extension-not-migrated',
            severity: 'error',
            message: `\`${snippet(decorator.namedChildren.find((child) => child.type !== 'comment')!)}\` inside a function or a class: ${rule.extension}'s callbacks are carried over at module level only; the code using ${rule.extension} (${rule.package}) is not carried over`,
            location: { file: module.file, line: decorator.startPosition.row + 1, column: decorator.startPosition.column + 1 },
            blockers: [`${rule.extension} callbacks in functions`],
          }
        }
      }
      for (const statement of module.tree.rootNode.namedChildren) {
        if (statement.type !== 'decorated_definition') continue
        const def = statement.childForFieldName('definition')
        if (def?.type !== 'function_definition') continue
        const name = def.childForFieldName('name')!.text
        for (const decorator of statement.namedChildren.filter((child) => child.type === 'decorator')) {
          const found = extensionCallback(decorator, module, project)
          // The extension's other objects (Flask-RESTX's namespaces beside its Api) register theirs with the set-up one.
          const sameObject = found !== null && found.instance.module === instance.module && found.instance.name === instance.name
          const several = (rule.init_app as { several?: boolean } | undefined)?.several === true
          if (found === null || !(sameObject || (found.instance.rule === rule && (found.instance.className !== instance.className || several)))) continue
          dependencies.push(`${module.name}\0${name}`)
          imports.useProject(module.name, jsIdentifier(name))
          if (!sameObject) {
            dependencies.push(`${found.instance.module}\0${found.instance.name}`)
            imports.useProject(found.instance.module, jsIdentifier(found.instance.name))
          }
          const method = found.method ?? found.callback
          // Arguments of the registration (`errorhandler(NotReady)`): names of the project's module, imported as they are.
          let call = ''
          if (found.args !== undefined) {
            const names = found.args.map((arg) => (arg.type === 'identifier' ? resolveData(module, arg.text, project) ?? projectClass(module, arg.text, project) : null))
            if (names.some((resolved) => resolved === null)) {
              uncarried ??= {
                ruleId: 'extension-not-migrated',
                severity: 'error',
                message: `\`${snippet(decorator.namedChildren.find((child) => child.type !== 'comment')!)}\`: ${rule.extension}'s ${found.callback} is carried over for the project's own classes only; the code using ${rule.extension} (${rule.package}) is not carried over`,
                location: { file: module.file, line: decorator.startPosition.row + 1, column: decorator.startPosition.column + 1 },
                blockers: [`${rule.extension} ${found.callback}`],
              }
              continue
            }
            for (const resolved of names) {
              dependencies.push(`${resolved!.module}\0${resolved!.name}`)
              imports.useProject(resolved!.module, jsIdentifier(resolved!.name))
            }
            call = `(${names.map((resolved) => jsIdentifier(resolved!.name)).join(', ')})`
          }
          setup.push(`${jsIdentifier(found.instance.name)}.${method}${call}(${jsIdentifier(name)}) ${lineComment(`${module.file}:${decorator.startPosition.row + 1}`)}`)
        }
      }
    }
    const exemptions = rule.exempt_blueprints !== undefined && record !== null ? blueprintExemptions(project, reached, instance, rule.exempt_blueprints) : null
    for (const line of exemptions?.lines ?? []) setup.push(line)
    if (record === null && setup.length === 1) continue
    if (setup.length === 1) setup.length = 0
    const options = (rule.init_app as { options?: boolean } | undefined)?.options === true && record !== null ? initAppOptions(rule, record) : null
    const unsupported =
      unsupportedSetting(rule, app, rule.package) ?? uncarried ?? (options !== null && 'finding' in options ? options.finding : null) ?? exemptions?.finding ?? null
    const errorHandlers = rule.init_app?.error_handlers ? `...${initRuntime}(${jsIdentifier(instance.name)})` : null
    // `init_app.hook_position`: the runtime takes the number of the app's before_request hooks registered before the set-up.
    const hooksBefore = rule.init_app?.hook_position === true && (record?.beforeRequestHooks ?? 0) > 0 ? `, ${record!.beforeRequestHooks}` : ''
    const optionsArgument = options !== null && 'code' in options ? `, ${options.code}` : hooksBefore
    if (errorHandlers === null && rule.init_app !== undefined) setup.push(`${initRuntime}(${jsIdentifier(instance.name)}${optionsArgument})`)
    setups.push({
      runtime: rule.runtime,
      unsupported,
      dependencies,
      translated: { extension: rule.extension, package: rule.package, symbol: record?.symbol ?? instance.className, imports: imports.lines('routes', null), setup, errorHandlers },
    })
  }
  return setups
}

/**
 * `csrf.exempt(api_bp)` calls in the modules the app reaches (its factory, module level): each
 * with a blueprint made by `Blueprint("name", ...)` becomes `csrf.exemptBlueprint('name')` in the
 * app's setup; one with any other argument is a finding (the extension is then not set up).
 */
function blueprintExemptions(project: ProjectIndex, reached: Set<string>, instance: ExtensionInstance, mapping: { method: string; runtime: string }): { lines: string[]; finding: Finding | null } {
  const lines: string[] = []
  let finding: Finding | null = null
  for (const module of [...project.modules.values()].filter((candidate) => reached.has(candidate.name)).sort((a, b) => a.name.localeCompare(b.name))) {
    const walk = (node: SyntaxNode): void => {
      if (node.type === 'call') {
        const fn = node.childForFieldName('function')!
        const object = fn.type === 'attribute' ? fn.childForFieldName('object')! : null
        const target = object?.type === 'identifier' ? resolveData(module, object.text, project) : null
        if (target !== null && target.module === instance.module && target.name === instance.name && fn.childForFieldName('attribute')!.text === mapping.method) {
          const args = node.childForFieldName('arguments')!.namedChildren.filter((child) => child.type !== 'comment')
          const name = args.length === 1 && args[0]!.type === 'identifier' ? blueprintName(module, args[0]!, project) : null
          const where = `${module.file}:${node.startPosition.row + 1}`
          if (name !== null) lines.push(`${jsIdentifier(instance.name)}.${mapping.runtime}(${tsJson(name)}) ${lineComment(`${where} ${node.text.replace(/\s+/g, ' ').slice(0, 60)}`)}`)
          else
            finding ??= {
              ruleId: 'extension-not-migrated',
              severity: 'error',
              message: `\`${snippet(node)}\`: only a blueprint made by Blueprint("name", ...) is carried over as ${instance.rule.extension}'s exemption here (a view is exempted with the decorator); ${instance.rule.extension} (${instance.rule.package}) is not set up`,
              location: { file: module.file, line: node.startPosition.row + 1, column: node.startPosition.column + 1 },
              blockers: [`${instance.rule.extension} ${instance.name}.${mapping.method}(...)`],
            }
          return
        }
      }
      for (const child of node.namedChildren) walk(child)
    }
    walk(module.tree.rootNode)
  }
  return { lines, finding }
}

/**
 * The name of the blueprint a module variable holds (`api_bp = Blueprint("api", __name__)`), named
 * here in the module or imported, at module level or in the enclosing function (`from .api import
 * api_bp` inside `create_app()`); null otherwise.
 */
function blueprintName(module: ModuleInfo, identifier: SyntaxNode, project: ProjectIndex): string | null {
  const name = identifier.text
  let target = resolveData(module, name, project)
  for (let scope = identifier.parent; target === null && scope !== null; scope = scope.parent) {
    if (scope.type !== 'function_definition') continue
    const imports: SyntaxNode[] = []
    const collect = (node: SyntaxNode): void => {
      if (node.type === 'import_from_statement') imports.push(node)
      else if (node.type !== 'function_definition' && node.type !== 'class_definition') for (const child of node.namedChildren) collect(child)
    }
    for (const child of scope.childForFieldName('body')?.namedChildren ?? []) collect(child)
    for (const statement of imports) {
      const bound = importBindings(project, module, statement).find(([local]) => local === name)?.[1]
      if (bound?.kind !== 'member' || !project.modules.has(bound.module)) continue
      const resolved = project.resolveSymbol(bound.module, bound.name)
      if (resolved !== null && resolved.def.kind === 'data') target = { module: resolved.module.name, name: resolved.name }
    }
  }
  const def = target === null ? undefined : project.modules.get(target.module)?.symbols.get(target.name)
  if (def?.kind !== 'data' || def.value.type !== 'call' || !/^(flask\.)?Blueprint$/.test(def.value.childForFieldName('function')!.text)) return null
  const args = callArguments(def.value)
  const first = args.keywords.get('name') ?? args.positional[0]
  const literal = first?.type === 'string' ? /^[rRuU]?(['"])([^'"\\]*)\1$/.exec(first.text) : null
  return literal?.[2] ?? null
}

/**
 * Why the project is written for the mapping's earlier major version (`legacy_version`): the
 * first of its names imported, its callbacks registered or its decorators used without call
 * parentheses in the modules the app reaches, as "<file>:<line> <what>"; null when none is.
 */
function legacyVersionEvidence(rule: ExtensionRule, project: ProjectIndex, reached: Set<string>): string | null {
  const legacy = rule.legacy_version
  if (legacy === undefined) return null
  for (const module of [...project.modules.values()].filter((candidate) => reached.has(candidate.name)).sort((a, b) => a.name.localeCompare(b.name))) {
    const imported = (name: string): string | null => {
      const def = module.symbols.get(name)
      return def?.kind === 'import' && def.target.kind === 'member' && rule.modules.includes(def.target.module) ? def.target.name : null
    }
    for (const statement of module.tree.rootNode.descendantsOfType(['import_from_statement', 'decorator', 'identifier'])) {
      const line = `${module.file}:${statement.startPosition.row + 1}`
      // `decorators = [jwt_required]` (a MethodView's, Flask-RESTful's method_decorators): the name not called.
      if (statement.type === 'identifier') {
        const parent = statement.parent
        const called = parent?.type === 'call' && parent.childForFieldName('function')?.id === statement.id
        const inImport = parent?.type === 'dotted_name' || parent?.type === 'aliased_import'
        if (!called && !inImport && parent?.type !== 'decorator' && legacy.bare_decorators.includes(imported(statement.text) ?? '')) return `${line} uses ${statement.text} without calling it`
        continue
      }
      if (statement.type === 'import_from_statement') {
        const names = statement.childrenForFieldName('name').map((child) => (child.type === 'aliased_import' ? child.childForFieldName('name')! : child).text)
        const source = statement.childForFieldName('module_name')?.text ?? ''
        const found = rule.modules.includes(source) ? names.find((name) => legacy.names.includes(name)) : undefined
        if (found !== undefined) return `${line} imports ${found}`
        continue
      }
      const expression = statement.namedChildren.find((child) => child.type !== 'comment')
      if (expression?.type === 'identifier' && legacy.bare_decorators.includes(imported(expression.text) ?? '')) return `${line} uses @${expression.text} without parentheses`
      const callback = expression?.type === 'attribute' ? expression.childForFieldName('attribute')!.text : null
      if (callback !== null && legacy.callbacks.includes(callback) && extensionCallback(statement, module, project)?.instance.rule === rule) return `${line} registers @${expression!.text}`
    }
  }
  return null
}

/**
 * The keyword options of an extension's `init_app(app, **options)` (Talisman's), for a mapping
 * whose `init_app.options` says the runtime takes them: the literal options as an object, or a
 * finding when one is not a literal (a variable holding a literal is one) or not among the
 * mapping's `init_app.parameters`.
 */
function initAppOptions(rule: ExtensionRule, record: AppIR['extensions'][number]): { code: string } | { finding: Finding } {
  const keywords = [...record.source.matchAll(/[(,]\s*([A-Za-z_]\w*)\s*=(?!=)/g)].map((match) => match[1]!)
  const allowed = (rule.init_app as { parameters?: string[] }).parameters ?? []
  const refused = /\*\*/.test(record.source) ? '**' : keywords.find((keyword) => !(keyword in record.options) || !allowed.includes(keyword) || JSON.stringify(record.options[keyword]).includes('"$float"'))
  if (refused === undefined) return { code: tsJson(record.options) }
  return {
    finding: {
      ruleId: 'extension-not-migrated',
      severity: 'error',
      message: `${rule.extension}'s init_app option ${refused} is ${allowed.includes(refused) ? 'not a literal the migration can read' : 'not carried over'}; ${rule.extension} (${rule.package}) is not set up`,
      location: record.location,
      blockers: [`${rule.extension} init_app ${refused}`],
    },
  }
}

/**
 * Extensions set up with keyword options and acting through an after-request hook (Flask-CORS):
 * one hook per setup, for its blueprint or the app, when every option is a literal the mapping
 * takes; the others stay reported by emit (extension-not-migrated).
 */
export function afterRequestSetups(app: AppIR): TranslatedExtension[] {
  const out: TranslatedExtension[] = []
  for (const rule of extensionRules()) {
    const hook = rule.after_request
    if (hook === undefined) continue
    const records = app.extensions.filter((record) => record.package === rule.package && record.symbol === hook.symbol && record.init !== 'import-only')
    const carried = records.filter((record) => literalOptionsOnly(record))
    if (carried.length === 0) continue
    const imports = new ImportSet()
    imports.useLib(rule.runtime, hook.runtime)
    out.push({
      extension: rule.extension,
      package: rule.package,
      symbol: hook.symbol,
      imports: imports.lines('routes', null),
      setup: [],
      errorHandlers: null,
      afterRequest: carried.map((record) => ({
        blueprint: record.blueprint ?? null,
        code: `${lineComment(`${rule.extension}: ${record.location.file}:${record.location.line}${record.blueprint !== undefined ? ` (blueprint ${record.blueprint})` : ''}`)}\n${hook.runtime}(${tsJson(record.options)})`,
      })),
      records: carried.map((record) => `${record.location.file}:${record.location.line}`),
    })
  }
  return out
}

/** Every keyword of the setup's call is among its literal options (the analysis keeps literals only), and none is a float. */
function literalOptionsOnly(record: AppIR['extensions'][number]): boolean {
  if (record.init === 'init_app') return false
  const open = record.source.indexOf('(')
  const keywords = [...record.source.slice(open + 1).matchAll(/[(,]\s*([A-Za-z_]\w*)\s*=(?!=)/g)].map((match) => match[1]!)
  const first = /^\(\s*([A-Za-z_]\w*)\s*=(?!=)/.exec(record.source.slice(open))
  if (first !== null) keywords.push(first[1]!)
  if (/\*\*/.test(record.source)) return false
  return keywords.every((keyword) => keyword in record.options) && !JSON.stringify(record.options).includes('"$float"')
}

/**
 * The project modules the app's module imports, directly or through others, with import
 * statements anywhere in a module (`from . import security` inside `create_app()` too), and
 * the modules of the app's views, hooks and error handlers.
 */
function reachableModules(project: ProjectIndex, app: AppIR): Set<string> {
  const start = [...project.modules.values()].filter((module) => module.file === app.location.file).map((module) => module.name)
  for (const ref of [...app.routes.flatMap((route) => (route.view ? [route.view.ref] : [])), ...app.hooks.map((hook) => hook.ref), ...app.errorHandlers.map((handler) => handler.ref)]) start.push(ref.module)
  const reached = new Set<string>()
  const pending = [...start]
  const add = (name: string): void => {
    // `import a.b.c` and `from a.b import c` run the packages on the way too.
    const parts = name.split('.')
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('.')
      if (project.modules.has(prefix) && !reached.has(prefix)) pending.push(prefix)
    }
  }
  while (pending.length > 0) {
    const name = pending.pop()!
    if (reached.has(name) || !project.modules.has(name)) continue
    reached.add(name)
    add(name)
    const module = project.modules.get(name)!
    const walk = (node: SyntaxNode): void => {
      if (node.type === 'import_statement' || node.type === 'import_from_statement') {
        for (const [, target] of importBindings(project, module, node)) {
          add(target.module)
          if (target.kind === 'member') add(`${target.module}.${target.name}`)
        }
        return
      }
      for (const child of node.namedChildren) walk(child)
    }
    walk(module.tree.rootNode)
  }
  return reached
}

/** A condition on a config value the mapping does not carry over (rules/extensions/*.yaml `unsupported_config`). */
interface UnsupportedConfig {
  contains?: unknown[]
  not_in?: unknown[]
  any?: boolean
  why: string
}

/** The first config value of the app a mapping does not carry over, as a finding at the place it is set. */
function unsupportedSetting(rule: ExtensionRule, app: AppIR, extensionPackage: string): Finding | null {
  const conditions = (rule as ExtensionRule & { unsupported_config?: Record<string, UnsupportedConfig> }).unsupported_config ?? {}
  // A key chosen by the environment when the app starts: each value it can take is checked.
  for (const entry of app.config.flatMap((read) => [read, ...(read.alternatives ?? []).map((alternative) => alternative.entry)])) {
    const condition = conditions[entry.key]
    if (condition === undefined) continue
    const value = entry.value
    const values = Array.isArray(value) ? value : [value]
    const unknown = entry.expression !== null || entry.envVar !== null
    const hit =
      condition.any === true ||
      (condition.contains !== undefined && (unknown || values.some((item) => condition.contains!.includes(item)))) ||
      (condition.not_in !== undefined && (unknown || !condition.not_in.includes(value)))
    if (!hit) continue
    return {
      ruleId: 'extension-not-migrated',
      severity: 'error',
      message: `${entry.key} ${unknown ? 'is set at run time' : `is ${JSON.stringify(value)}`}: ${condition.why}; the code using ${rule.extension} (${extensionPackage}) is not carried over`,
      location: entry.location,
      blockers: [`${rule.extension} ${entry.key}`],
    }
  }
  return null
}

/** Every mapping (for the emitted app's setup). */
export { extensionRules }
