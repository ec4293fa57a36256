import { carriesViewDecorator } from './view-decorators.js'
import { extensionMethod } from '../ir/extension-rules.js'
import { isFloatLiteral, type EnvTestIR, type ExtensionIR, type Finding, type HookKind, type PyLiteral, type SourceLocation, type ViewIR } from '../ir/types.js'
import type { ParsedModule, SyntaxNode } from '../parse/index.js'
import { AppState, BlueprintState, NO_RULE_OPTIONS, RestfulApi, type RegistrationOptions, type RuleOptions, type ViewTarget } from './flask-model.js'
import { readConfigChoice, readConfigClass, readConfigMapping, setConfigEntry } from './config.js'
import { envTest, isInstanceOf } from './env-tests.js'
import { RESTX_RESOURCE_BASES, RestxModel } from './ext-restx.js'
import { AdminModel } from './ext-admin.js'
import { FlasggerModel } from './ext-flasgger.js'
import { SecurityModel } from './ext-security.js'
import { DebugToolbarModel } from './ext-debugtoolbar.js'
import type { ExtensionHost, ExtensionModel } from './ext-model.js'
import { addCommand, appPath, callOnPath, clickCommand, moduleFilePath } from './app-extras.js'
import { isSecretName, looksSecret } from './secrets.js'
import { NONE, Scope, describe, holdsSecret, holdsString, isConst, markSecret, secretStringsOf, stringsOf, toLiteral, truthiness, unknown, type ClassValue, type FunctionValue, type Value } from './values.js'

/**
 * Runs a project's setup code symbolically, the way Python would when the app is imported:
 * module bodies in import order (circular imports see the partial module, as in Python),
 * factory calls, decorators, loops over literal lists, helper functions. Handler bodies are not
 * run here; they are translated later. What cannot be known statically becomes a finding.
 */

const HTTP_METHOD_SHORTCUTS: Record<string, string> = { get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE' }
const HOOK_KINDS = new Set<HookKind>([
  'before_request',
  'after_request',
  'teardown_request',
  'before_app_request',
  'after_app_request',
  'teardown_app_request',
  'before_first_request',
  'url_value_preprocessor',
  'url_defaults',
  'context_processor',
  'teardown_appcontext',
])
const VIEW_METHODS = ['get', 'post', 'head', 'options', 'delete', 'put', 'trace', 'patch']
const MAX_CALL_DEPTH = 25

const NONLOCALS = new WeakMap<SyntaxNode, Set<string>>()

/** Names some `nonlocal` statement of the module declares (computed once per module). */
function nonlocalNames(root: SyntaxNode): Set<string> {
  let names = NONLOCALS.get(root)
  if (!names) {
    names = new Set()
    if (root.text.includes('nonlocal')) {
      for (const statement of root.descendantsOfType('nonlocal_statement')) for (const id of statement.namedChildren) names.add(id.text)
    }
    NONLOCALS.set(root, names)
  }
  return names
}

/** The function value behind each function view, to read its closure once setup code has run. */
const VIEW_FUNCTIONS = new WeakMap<ViewIR, FunctionValue>()

/**
 * The variables of enclosing functions a view reads, with their values once the setup code has
 * run (Python closures read variables late), when each is a str, int, bool, None or a float that
 * prints as itself. Other values, and variables some function rebinds with `nonlocal`, are left
 * out: the translator then reports the view instead of guessing.
 */
export function viewClosure(view: ViewIR): Record<string, PyLiteral> | null {
  const fn = VIEW_FUNCTIONS.get(view)
  if (!fn) return null
  const names = new Set<string>()
  const walk = (node: SyntaxNode): void => {
    if (node.type === 'identifier') names.add(node.text)
    for (const child of node.namedChildren) {
      if (node.type === 'attribute' && child === node.childForFieldName('attribute')) continue
      if (node.type === 'keyword_argument' && child === node.childForFieldName('name')) continue
      walk(child)
    }
  }
  walk(fn.node.childForFieldName('body') ?? fn.node)
  let root: SyntaxNode = fn.node
  while (root.parent) root = root.parent
  const rebound = (name: string): boolean => nonlocalNames(root).has(name)
  const closure: Record<string, PyLiteral> = {}
  for (const name of [...names].sort()) {
    for (let scope: Scope | null = fn.closure; scope && scope.parent; scope = scope.parent) {
      const value = scope.vars.get(name)
      if (!value) continue
      const plain = value.kind === 'const' && !(value.isFloat && Number.isInteger(value.value)) && !(typeof value.value === 'number' && !Number.isFinite(value.value))
      if (plain && !rebound(name)) closure[name] = value.value
      break
    }
  }
  return Object.keys(closure).length > 0 ? closure : null
}

class ReturnSignal {
  constructor(readonly value: Value) {}
}

export interface InterpreterResult {
  apps: { app: AppState; id: string; variable: string; factory: string | null; module: string }[]
}

export class Interpreter {
  private readonly modulesByName = new Map<string, ParsedModule>()
  private readonly modulesByPath = new Map<string, ParsedModule>()
  private readonly namespaceDirs = new Set<string>()
  /** Apps whose app context is pushed, innermost last: what `current_app` is. */
  private readonly contextApps: AppState[] = []
  /** Flask subclasses whose `__init__` is running, innermost last: their app is made by the base `__init__` call. */
  private readonly flaskInits: { at: SourceLocation; app: Value | null }[] = []
  private readonly namespaces = new Map<string, Scope>()
  private depth = 0
  /** Per running project function, innermost last: the `if <env test>: return …` it passed, whose value is its result when the test holds. */
  private readonly envReturns: { test: EnvTestIR; value: Value }[][] = []
  readonly apps: AppState[] = []
  readonly blueprints: BlueprintState[] = []
  readonly extensionClasses = new Map<string, { package: string; symbol: string }>()
  /** Flask-RESTX's Api and Namespace (ext-restx.ts). */
  private readonly restx = new RestxModel({
    report: (finding) => void this.findings.push(finding),
    classView: (cls, endpoint, at) => this.viewTarget({ kind: 'class-view', cls, name: endpoint }, at),
    ruleOptions: (options, at) => this.ruleOptions(options, at),
    loc: (node, scope) => this.loc(node, scope),
  })
  /** Flask-Admin, flasgger, Flask-Security and Flask-DebugToolbar (ext-admin.ts, …; see ext-model.ts). */
  private readonly extensionModels: ExtensionModel[] = ((host: ExtensionHost) => [new AdminModel(host), new FlasggerModel(host), new SecurityModel(host), new DebugToolbarModel(host)])({
    report: (finding) => void this.findings.push(finding),
    loc: (node, scope) => this.loc(node, scope),
    evaluate: (node, scope) => this.evaluate(node, scope),
  })

  constructor(
    modules: ParsedModule[],
    readonly findings: Finding[],
    /** Strings of every value bound to a credential's name or shaped like one, for emit's last check (never serialised). */
    readonly secretStrings = new Set<string>(),
  ) {
    for (const module of modules) this.modulesByName.set(module.name, module)
    // Python 3 imports any folder as a (namespace) package: `project/api/users.py` is also
    // `project.api.users` from the project root, whatever __init__.py files there are.
    for (const module of modules) {
      const path = module.file.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/')
      const dotted = path.join('.')
      if (!this.modulesByName.has(dotted) && !this.modulesByPath.has(dotted)) this.modulesByPath.set(dotted, module)
      for (let i = 1; i < path.length; i++) this.namespaceDirs.add(path.slice(0, i).join('.'))
    }
  }

  hasModule(name: string): boolean {
    // A modelled extension's package inside the project (vendored, or the library's own repository) is read through its model.
    if (MODELLED_PACKAGES.has(name.split('.')[0]!)) return false
    return this.modulesByName.has(name) || this.modulesByPath.has(name) || this.namespaceDirs.has(name)
  }

  /** Imports a project module (running its body once) and returns its globals. */
  importModule(name: string): Scope | undefined {
    const existing = this.namespaces.get(name)
    if (existing) return existing
    const module = this.modulesByName.get(name)
    if (!module) {
      // The same file reached by its path from the project root runs once, under its own name.
      const byPath = this.modulesByPath.get(name)
      const scope = byPath !== undefined ? this.importModule(byPath.name) : this.namespaceDirs.has(name) ? new Scope(name, '', null) : undefined
      if (scope !== undefined) this.namespaces.set(name, scope)
      return scope
    }
    const scope = new Scope(name, '', null)
    scope.vars.set('__name__', { kind: 'const', value: name })
    scope.vars.set('__file__', moduleFilePath(module.file))
    this.namespaces.set(name, scope)
    this.runBlock(module.tree.rootNode.namedChildren, scope)
    return scope
  }

  /** Calls a function value with literal arguments (for `--app "module:factory(args)"` and factories found by name). */
  callFunction(fn: Value, args: Value[], kwargs: Map<string, Value>, at: SyntaxNode): Value {
    return this.call(fn, args, kwargs, at)
  }

  locate(node: SyntaxNode, module: string): SourceLocation {
    return { file: this.modulesByName.get(module)?.file ?? module, line: node.startPosition.row + 1, column: node.startPosition.column + 1 }
  }

  private loc(node: SyntaxNode, scope: Scope): SourceLocation {
    return this.locate(node, scope.module)
  }

  private finding(ruleId: string, severity: Finding['severity'], message: string, node: SyntaxNode, scope: Scope): void {
    this.findings.push({ ruleId, severity, message, location: this.loc(node, scope) })
  }

  // ---- statements -------------------------------------------------------------------------

  private runBlock(statements: SyntaxNode[], scope: Scope): void {
    for (const statement of statements) this.runStatement(statement, scope)
  }

  private runStatement(node: SyntaxNode, scope: Scope): void {
    switch (node.type) {
      case 'expression_statement':
        for (const child of node.namedChildren) {
          if (child.type === 'assignment') this.runAssignment(child, scope)
          else if (child.type === 'augmented_assignment') this.runAugmentedAssignment(child, scope)
          else this.evaluate(child, scope)
        }
        return
      case 'import_statement':
        return this.runImport(node, scope)
      case 'import_from_statement':
        return this.runImportFrom(node, scope)
      case 'function_definition':
        scope.vars.set(this.nameOf(node), this.defineFunction(node, scope, []))
        return
      case 'class_definition':
        scope.vars.set(this.nameOf(node), this.defineClass(node, scope))
        return
      case 'decorated_definition':
        return this.runDecorated(node, scope)
      case 'if_statement':
        return this.runIf(node, scope)
      case 'for_statement':
        return this.runFor(node, scope)
      case 'try_statement':
        for (const child of node.namedChildren) {
          if (child.type === 'block') this.runBlock(child.namedChildren, scope)
          else if (child.type === 'else_clause' || child.type === 'finally_clause') this.runBlock(child.childForFieldName('body')?.namedChildren ?? child.namedChildren.filter((c) => c.type === 'block').flatMap((b) => b.namedChildren), scope)
        }
        return
      case 'with_statement': {
        const body = node.childForFieldName('body')
        // `with app.app_context():` makes current_app that app inside the block.
        const contexts = node.descendantsOfType('with_item').map((item) => this.evaluate(item.namedChildren[0]!, scope)).filter((value) => value.kind === 'app-context')
        for (const context of contexts) this.contextApps.push(context.app)
        try {
          if (body) this.runBlock(body.namedChildren, scope)
        } finally {
          for (let i = 0; i < contexts.length; i++) this.contextApps.pop()
        }
        return
      }
      case 'return_statement': {
        const value = node.namedChildren[0]
        throw new ReturnSignal(value ? this.evaluate(value, scope) : NONE)
      }
      case 'global_statement':
      case 'nonlocal_statement':
      case 'pass_statement':
      case 'comment':
        return
      default:
        return
    }
  }

  /** A value bound to a name: marked secret when the name is a credential's or the value looks like one, and remembered. */
  private secretBinding(name: string, value: Value): Value {
    const bound = isSecretName(name) && holdsString(value) ? markSecret(value) : value
    // Only the secrets among its strings: the others of a record holding a key (a username, a bio) stay as they are.
    for (const text of secretStringsOf(bound, isSecretName, looksSecret)) if (text.length >= 4) this.secretStrings.add(text)
    return bound
  }

  private nameOf(node: SyntaxNode): string {
    return node.childForFieldName('name')?.text ?? '<anonymous>'
  }

  private runAssignment(node: SyntaxNode, scope: Scope): void {
    const left = node.childForFieldName('left')
    const right = node.childForFieldName('right')
    if (!left || !right) return
    // `x: int = 1` and chained `a = b = value`
    const value = right.type === 'assignment' ? (this.runAssignment(right, scope), this.evaluate(right.childForFieldName('left')!, scope)) : this.evaluate(right, scope)
    this.assign(left, value, scope, right)
  }

  private assign(target: SyntaxNode, value: Value, scope: Scope, valueNode: SyntaxNode): void {
    if (target.type === 'identifier') {
      scope.vars.set(target.text, this.secretBinding(target.text, value))
      return
    }
    if (target.type === 'pattern_list' || target.type === 'tuple_pattern' || target.type === 'list_pattern' || target.type === 'tuple') {
      const targets = target.namedChildren
      const items = value.kind === 'tuple' || value.kind === 'list' ? value.items : null
      targets.forEach((child, index) => this.assign(child, items && items.length === targets.length ? items[index]! : unknown('unpacked value'), scope, valueNode))
      return
    }
    if (target.type === 'attribute') {
      const owner = this.evaluate(target.childForFieldName('object')!, scope)
      const attribute = target.childForFieldName('attribute')!.text
      if (owner.kind === 'url-map') {
        if (attribute === 'strict_slashes') {
          const flag = truthiness(value)
          if (flag === undefined || value.kind !== 'const') this.finding('dynamic-config', 'error', `url_map.strict_slashes is set from a value that cannot be read statically (${describe(value)})`, target, scope)
          else owner.app.strictSlashes = flag
        } else if (attribute === 'host_matching') {
          owner.app.hostMatching = truthiness(value) ?? false
        }
        return
      }
      if (owner.kind === 'app') {
        const configKey = { secret_key: 'SECRET_KEY', debug: 'DEBUG', testing: 'TESTING', permanent_session_lifetime: 'PERMANENT_SESSION_LIFETIME' }[attribute]
        if (configKey) setConfigEntry(owner.app, configKey, value, valueNode, this.loc(target, scope))
        return
      }
      if (owner.kind === 'class') {
        owner.attributes.set(attribute, { value: this.secretBinding(attribute, value), node: valueNode })
      }
      return
    }
    if (target.type === 'subscript') {
      const owner = this.evaluate(target.childForFieldName('value')!, scope)
      const key = this.evaluate(target.childForFieldName('subscript')!, scope)
      if (owner.kind === 'config') {
        if (key.kind === 'const' && typeof key.value === 'string') setConfigEntry(owner.app, key.value, value, valueNode, this.loc(target, scope))
        else this.finding('dynamic-config', 'warning', 'a config key is set from a name that cannot be read statically', target, scope)
        return
      }
      if (owner.kind === 'method' && owner.name === 'converters' && owner.owner.kind === 'url-map') {
        this.finding('custom-converter', 'error', `custom URL converter ${describe(key)} is registered; its to_python/to_url logic is not carried over`, target, scope)
        return
      }
      if (owner.kind === 'dict' && key.kind === 'const') {
        const index = owner.entries.findIndex(([k]) => k.kind === 'const' && k.value === key.value)
        if (index >= 0) owner.entries[index] = [key, value]
        else owner.entries.push([key, value])
      }
    }
  }

  private runAugmentedAssignment(node: SyntaxNode, scope: Scope): void {
    const left = node.childForFieldName('left')
    const right = node.childForFieldName('right')
    if (!left || !right || left.type !== 'identifier') return
    const current = scope.lookup(left.text)
    const value = this.evaluate(right, scope)
    if (current && node.children[1]?.text === '+=') {
      if ((current.kind === 'list' || current.kind === 'tuple') && (value.kind === 'list' || value.kind === 'tuple')) {
        scope.vars.set(left.text, { kind: current.kind, items: [...current.items, ...value.items] })
        return
      }
      if (current.kind === 'const' && value.kind === 'const' && typeof current.value === 'string' && typeof value.value === 'string') {
        const joined: Value = { kind: 'const', value: current.value + value.value }
        scope.vars.set(left.text, current.secret || value.secret ? { ...joined, secret: true } : joined)
        return
      }
    }
    scope.vars.set(left.text, unknown(`${left.text} changed by ${node.children[1]?.text ?? 'an operator'}`))
  }

  private runImport(node: SyntaxNode, scope: Scope): void {
    for (const child of node.namedChildren) {
      if (child.type === 'dotted_name') {
        const name = child.text
        this.importChain(name, scope)
        const top = name.split('.')[0]!
        scope.vars.set(top, this.moduleValue(top))
      } else if (child.type === 'aliased_import') {
        const name = child.childForFieldName('name')!.text
        const alias = child.childForFieldName('alias')!.text
        this.importChain(name, scope)
        scope.vars.set(alias, this.moduleValue(name))
      }
    }
  }

  private importChain(name: string, scope: Scope): void {
    const parts = name.split('.')
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('.')
      if (this.hasModule(prefix)) this.importModule(prefix)
    }
    void scope
  }

  private moduleValue(name: string): Value {
    return this.hasModule(name) ? { kind: 'module', name } : { kind: 'external', path: name }
  }

  private runImportFrom(node: SyntaxNode, scope: Scope): void {
    const moduleNode = node.childForFieldName('module_name')
    if (!moduleNode) return
    const target = this.resolveRelative(moduleNode.text, scope)
    const isProject = this.hasModule(target)
    if (isProject) this.importChain(target, scope)
    const names = node.namedChildren.filter((child) => child !== moduleNode)
    for (const child of names) {
      if (child.type === 'wildcard_import') {
        const namespace = isProject ? this.importModule(target) : undefined
        if (namespace) for (const [key, value] of this.publicNames(namespace)) scope.vars.set(key, value)
        continue
      }
      const imported = child.type === 'aliased_import' ? child.childForFieldName('name')!.text : child.text
      const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')!.text : imported
      if (child.type !== 'dotted_name' && child.type !== 'aliased_import') continue
      scope.vars.set(alias, this.importName(target, imported, isProject))
      if (!isProject && (target.split('.')[0]!.startsWith('flask_') || ROUTE_ADDING_EXTENSIONS.has(target.split('.')[0]!))) {
        this.extensionClasses.set(alias, { package: target.split('.')[0]!, symbol: imported })
      }
    }
  }

  /**
   * `@x.route(…)` (or `.get`, `.post`, … and `x.add_url_rule(…)`) where `x` is not an app or blueprint
   * the analysis knows: Flask may well register a route there (`current_app` outside an app
   * context, an object made at run time), so the route table may miss it; said, never guessed.
   */
  private checkUnresolvedRoute(expression: SyntaxNode, scope: Scope): void {
    const call = expression.type === 'call' ? expression.childForFieldName('function') : expression
    if (call?.type !== 'attribute' || !ROUTE_METHODS.has(call.childForFieldName('attribute')?.text ?? '')) return
    const owner = this.evaluate(call.childForFieldName('object')!, scope)
    if (owner.kind === 'unknown' || (owner.kind === 'external' && /^(flask|werkzeug)\./.test(owner.path))) {
      this.finding('dynamic-route', 'error', `${call.text}(…) registers a route on ${describe(owner)}, which the analysis cannot tie to an app or blueprint (current_app outside an app context, or an object made at run time); the route table may miss it`, expression, scope)
    }
  }

  /** What `from module import *` binds: the names in `__all__` when it is a literal list, else every name not starting with `_`. */
  private publicNames(namespace: Scope): [string, Value][] {
    const all = namespace.vars.get('__all__')
    const listed = all !== undefined ? this.iterate(all) : undefined
    if (listed !== undefined && listed.every((item) => item.kind === 'const' && typeof item.value === 'string')) {
      return listed.flatMap((item) => {
        const name = (item as { value: string }).value
        const value = namespace.vars.get(name)
        return value !== undefined ? [[name, value] as [string, Value]] : []
      })
    }
    return [...namespace.vars].filter(([key]) => !key.startsWith('_'))
  }

  private importName(target: string, name: string, isProject: boolean): Value {
    if (isProject) {
      const namespace = this.importModule(target)
      const value = namespace?.vars.get(name)
      if (value) return value
      const submodule = `${target}.${name}`
      if (this.hasModule(submodule)) {
        this.importModule(submodule)
        return { kind: 'module', name: submodule }
      }
      return unknown(`${name} is not defined in ${target} when it is imported`)
    }
    return { kind: 'external', path: `${target}.${name}` }
  }

  private resolveRelative(text: string, scope: Scope): string {
    const match = /^(\.*)(.*)$/.exec(text)!
    const dots = match[1]!.length
    if (dots === 0) return text
    const module = this.modulesByName.get(scope.module)
    const relativeTo = (name: string, isPackage: boolean): string => {
      const packageParts = name === '' ? [] : name.split('.')
      if (!isPackage) packageParts.pop()
      for (let i = 1; i < dots; i++) packageParts.pop()
      return [...packageParts, ...(match[2] ? [match[2]] : [])].join('.')
    }
    const byName = relativeTo(scope.module, module?.isPackage === true)
    if (module === undefined || this.hasModule(byName)) return byName
    // A module in folders without __init__.py is named from its first package folder, but Python
    // imported it through the namespace package of its path (project/webroot.py as project.webroot),
    // and resolves its relative imports from there.
    const byPath = relativeTo(module.file.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.'), module.isPackage)
    return this.hasModule(byPath) ? byPath : byName
  }

  private defineFunction(node: SyntaxNode, scope: Scope, wrappers: string[]): FunctionValue {
    const name = this.nameOf(node)
    return { kind: 'function', module: scope.module, qualname: scope.qualnamePrefix + name, name, node, closure: scope, wrappers }
  }

  private defineClass(node: SyntaxNode, scope: Scope): ClassValue {
    const name = this.nameOf(node)
    const bases = (node.childForFieldName('superclasses')?.namedChildren ?? []).filter((b) => b.type !== 'keyword_argument').map((b) => this.evaluate(b, scope))
    const cls: ClassValue = { kind: 'class', module: scope.module, qualname: scope.qualnamePrefix + name, name, node, bases, attributes: new Map() }
    const body = node.childForFieldName('body')
    const classScope = new Scope(scope.module, `${scope.qualnamePrefix}${name}.`, scope)
    for (const statement of body?.namedChildren ?? []) {
      if (statement.type === 'expression_statement' && statement.namedChildren[0]?.type === 'assignment') {
        const assignment = statement.namedChildren[0]
        const left = assignment.childForFieldName('left')
        const right = assignment.childForFieldName('right')
        if (left?.type === 'identifier' && right) {
          const value = this.evaluate(right, classScope)
          classScope.vars.set(left.text, value)
          cls.attributes.set(left.text, { value, node: right })
        }
      } else if (statement.type === 'function_definition') {
        cls.attributes.set(this.nameOf(statement), { value: this.defineFunction(statement, classScope, []), node: statement })
      } else if (statement.type === 'decorated_definition') {
        const definition = statement.childForFieldName('definition')
        if (definition?.type === 'function_definition') {
          cls.attributes.set(this.nameOf(definition), { value: this.defineFunction(definition, classScope, []), node: statement })
        }
      }
    }
    return cls
  }

  private runDecorated(node: SyntaxNode, scope: Scope): void {
    const definition = node.childForFieldName('definition')
    if (!definition) return
    const decorators = node.namedChildren.filter((child) => child.type === 'decorator')
    let value: Value = definition.type === 'class_definition' ? this.defineClass(definition, scope) : this.defineFunction(definition, scope, [])
    for (const decorator of [...decorators].reverse()) {
      const expression = decorator.namedChildren[0]
      if (!expression) continue
      const applied = this.evaluate(expression, scope)
      if (applied.kind === 'decorator') {
        value = applied.apply(value, decorator)
      } else if (applied.kind === 'external' && CLICK_COMMAND.test(applied.path)) {
        // `@click.command` without parentheses.
        value = clickCommand(value, undefined)
      } else if (applied.kind === 'method' && (applied.owner.kind === 'app' || applied.owner.kind === 'blueprint' || applied.owner.kind === 'cli-group')) {
        // `@app.before_request` without parentheses: the method itself is the decorator.
        value = this.call(applied, [value], new Map(), decorator, scope)
      } else {
        this.checkUnresolvedRoute(expression, scope)
        if (value.kind === 'function') {
          const carried = carriesViewDecorator(applied, value, (fn, args) => this.call(fn, args, new Map(), decorator, scope))
          value = { ...value, wrappers: [...value.wrappers, expression.text], ...(carried ? { carriedWrappers: [...(value.carriedWrappers ?? []), expression.text] } : {}) }
        }
      }
    }
    scope.vars.set(this.nameOf(definition), value)
  }

  private runIf(node: SyntaxNode, scope: Scope): void {
    const condition = this.evaluate(node.childForFieldName('condition')!, scope)
    const truth = truthiness(condition)
    if (truth === undefined && this.runEnvReturn(node, condition, scope)) return
    if (truth === true) {
      this.runBlock(node.childForFieldName('consequence')?.namedChildren ?? [], scope)
      return
    }
    const alternatives = node.namedChildren.filter((child) => child.type === 'elif_clause' || child.type === 'else_clause')
    if (truth === false) {
      for (const alternative of alternatives) {
        if (alternative.type === 'else_clause') {
          this.runBlock(alternative.childForFieldName('body')?.namedChildren ?? [], scope)
          return
        }
        const elifCondition = truthiness(this.evaluate(alternative.childForFieldName('condition')!, scope))
        if (elifCondition === true) {
          this.runBlock(alternative.childForFieldName('consequence')?.namedChildren ?? [], scope)
          return
        }
        if (elifCondition === undefined) break
      }
      if (alternatives.every((alternative) => alternative.type === 'else_clause' || truthiness(this.evaluate(alternative.childForFieldName('condition')!, scope)) === false)) return
    }
    if (this.containsRegistration(node)) {
      this.finding(
        'conditional-setup',
        'error',
        `setup code under \`if ${node.childForFieldName('condition')!.text}\` depends on a value known only at run time (${describe(condition)}); registrations inside it were not migrated`,
        node,
        scope,
      )
    }
  }

  /**
   * `if <env test>: return A` (with `else: return B`, or followed by more code) in a project
   * function, with no registration in the branches: the function's result is a choice between
   * them made when the app starts (`pick_config()` returning a config class by `os.environ`).
   * False when the `if` is not of that shape (nothing ran).
   */
  private runEnvReturn(node: SyntaxNode, condition: Value, scope: Scope): boolean {
    const frame = this.envReturns.at(-1)
    const test = condition.kind === 'env-test' ? condition.test : condition.kind === 'env' ? envTest(condition, null, false, node.childForFieldName('condition')!, this.loc(node, scope)) : null
    const alternatives = node.namedChildren.filter((child) => child.type === 'elif_clause' || child.type === 'else_clause')
    const branches = [node.childForFieldName('consequence'), ...alternatives].filter((branch): branch is SyntaxNode => branch !== null)
    if (frame === undefined || test === null || branches.some((branch) => this.containsRegistration(branch))) return false
    const consequence = node.childForFieldName('consequence')?.namedChildren.filter((child) => child.type !== 'comment') ?? []
    const otherwise = alternatives[0]?.childForFieldName('body')?.namedChildren.filter((child) => child.type !== 'comment') ?? []
    // Only a bare `return <value>` per branch: what one branch does must not leak into the other.
    const returns = (block: SyntaxNode[]): boolean => block.length === 1 && block[0]!.type === 'return_statement'
    if (!returns(consequence) || alternatives.length > 1 || alternatives.some((alternative) => alternative.type === 'elif_clause') || (alternatives.length === 1 && !returns(otherwise))) return false
    const returned = (block: SyntaxNode[]): Value => {
      try {
        this.runBlock(block, scope)
      } catch (signal) {
        if (signal instanceof ReturnSignal) return signal.value
        throw signal
      }
      return NONE
    }
    const whenTrue = returned(consequence)
    if (alternatives.length === 1) throw new ReturnSignal({ kind: 'env-choice', test, whenTrue, whenFalse: returned(otherwise) })
    frame.push({ test, value: whenTrue })
    return true
  }

  private containsRegistration(node: SyntaxNode): boolean {
    return /\.(route|get|post|put|patch|delete|add_url_rule|register_blueprint|before_request|after_request|errorhandler|register_error_handler)\s*\(/.test(node.text)
  }

  private runFor(node: SyntaxNode, scope: Scope): void {
    const iterable = this.evaluate(node.childForFieldName('right')!, scope)
    const items = this.iterate(iterable)
    const left = node.childForFieldName('left')!
    const body = node.childForFieldName('body')?.namedChildren ?? []
    if (!items) {
      if (this.containsRegistration(node)) {
        this.finding('dynamic-route', 'error', `a loop over ${node.childForFieldName('right')!.text} registers routes, but what it iterates over cannot be read statically (${describe(iterable)})`, node, scope)
      }
      return
    }
    for (const item of items) {
      this.assign(left, item, scope, node)
      this.runBlock(body, scope)
    }
  }

  private iterate(value: Value): Value[] | undefined {
    if (value.kind === 'list' || value.kind === 'tuple' || value.kind === 'set') return value.items
    if (value.kind === 'dict') return value.entries.map(([key]) => key)
    if (value.kind === 'const' && typeof value.value === 'string') return [...value.value].map((ch) => ({ kind: 'const', value: ch }))
    return undefined
  }

  // ---- expressions ------------------------------------------------------------------------

  evaluate(node: SyntaxNode, scope: Scope): Value {
    switch (node.type) {
      case 'string':
        return this.evaluateString(node, scope)
      case 'concatenated_string': {
        let out = ''
        let secret = false
        for (const part of node.namedChildren) {
          const value = this.evaluateString(part, scope)
          if (value.kind !== 'const' || typeof value.value !== 'string') return unknown('formatted string')
          out += value.value
          secret ||= value.secret === true
        }
        return secret ? { kind: 'const', value: out, secret } : { kind: 'const', value: out }
      }
      case 'integer':
        return { kind: 'const', value: Number.parseInt(node.text.replace(/_/g, ''), node.text.startsWith('0x') ? 16 : 10) }
      case 'float':
        return { kind: 'const', value: Number.parseFloat(node.text.replace(/_/g, '')), isFloat: true }
      case 'true':
        return { kind: 'const', value: true }
      case 'false':
        return { kind: 'const', value: false }
      case 'none':
        return NONE
      case 'identifier':
        return this.lookup(node.text, scope)
      case 'parenthesized_expression':
        return node.namedChildren[0] ? this.evaluate(node.namedChildren[0], scope) : NONE
      case 'list':
      case 'set':
      case 'tuple':
        return { kind: node.type, items: node.namedChildren.filter((c) => c.type !== 'comment').map((child) => this.evaluate(child, scope)) }
      case 'expression_list':
        // `return app, db` and `x = 1, 2`: a tuple without parentheses.
        return { kind: 'tuple', items: node.namedChildren.filter((c) => c.type !== 'comment').map((child) => this.evaluate(child, scope)) }
      case 'dictionary': {
        // A later key replaces an earlier one's value in its place, as in Python.
        const entries: [Value, Value][] = []
        const put = (key: Value, value: Value): void => {
          const index = key.kind === 'const' ? entries.findIndex(([k]) => k.kind === 'const' && k.value === key.value) : -1
          if (index >= 0) entries[index] = [entries[index]![0], value]
          else entries.push([key, value])
        }
        for (const child of node.namedChildren) {
          if (child.type === 'pair') put(this.evaluate(child.childForFieldName('key')!, scope), this.evaluate(child.childForFieldName('value')!, scope))
          else if (child.type === 'dictionary_splat') {
            // `{**base, key: value}`: the base's entries; a base the analysis cannot read makes the whole dict unknown.
            const inner = this.evaluate(child.namedChildren[0]!, scope)
            if (inner.kind !== 'dict') return unknown(`${child.text} in a dict display cannot be expanded statically`)
            for (const [key, value] of inner.entries) put(key, value)
          }
        }
        return { kind: 'dict', entries }
      }
      case 'attribute':
        return this.getAttribute(this.evaluate(node.childForFieldName('object')!, scope), node.childForFieldName('attribute')!.text, node, scope)
      case 'call':
        return this.evaluateCall(node, scope)
      case 'subscript':
        return this.evaluateSubscript(node, scope)
      case 'binary_operator':
        return this.evaluateBinary(node, scope)
      case 'boolean_operator': {
        const left = this.evaluate(node.childForFieldName('left')!, scope)
        const truth = truthiness(left)
        const isOr = node.children[1]?.text === 'or'
        if (truth === undefined && isOr && left.kind === 'env' && left.fallback === null) {
          // `os.environ.get("DATABASE") or os.path.join(basedir, "app.db")` (app-extras.ts).
          const right = this.evaluate(node.childForFieldName('right')!, scope)
          if (right.kind === 'path') return { ...left, fallback: right, or: true }
        }
        if (truth === undefined) return unknown(`${node.text}`)
        if (isOr) return truth ? left : this.evaluate(node.childForFieldName('right')!, scope)
        return truth ? this.evaluate(node.childForFieldName('right')!, scope) : left
      }
      case 'not_operator': {
        const argument = this.evaluate(node.childForFieldName('argument')!, scope)
        const tested = argument.kind === 'env' ? envTest(argument, null, false, node, this.loc(node, scope)) : argument.kind === 'env-test' ? argument.test : null
        if (tested !== null) return { kind: 'env-test', test: { ...tested, ...(tested.negated ? {} : { negated: true as const }), source: node.text } }
        const truth = truthiness(argument)
        return truth === undefined ? unknown(node.text) : { kind: 'const', value: !truth }
      }
      case 'comparison_operator':
        return this.evaluateComparison(node, scope)
      case 'conditional_expression': {
        const [whenTrue, condition, whenFalse] = node.namedChildren
        const truth = truthiness(this.evaluate(condition!, scope))
        if (truth === undefined) return unknown(node.text)
        return this.evaluate(truth ? whenTrue! : whenFalse!, scope)
      }
      case 'lambda':
        return { kind: 'function', module: scope.module, qualname: `${scope.qualnamePrefix}<lambda>`, name: '<lambda>', node, closure: scope, wrappers: [] }
      default:
        return unknown(`${node.type} expression`)
    }
  }

  private evaluateString(node: SyntaxNode, scope: Scope): Value {
    if (node.type !== 'string') return this.evaluate(node, scope)
    const prefix = /^[a-zA-Z]*/.exec(node.text)![0].toLowerCase()
    let out = ''
    let secret = false
    for (const child of node.namedChildren) {
      if (child.type === 'string_content') out += prefix.includes('r') ? child.text : unescapePython(child.text)
      else if (child.type === 'escape_sequence') out += prefix.includes('r') ? child.text : unescapePython(child.text)
      else if (child.type === 'interpolation') {
        // Only `{name}` with a str or int value: format specs and conversions are left unknown.
        const [expression, ...rest] = child.namedChildren
        if (!expression || rest.length > 0) return unknown('f-string with a format spec')
        const value = this.evaluate(expression, scope)
        if (value.kind !== 'const' || !(typeof value.value === 'string' || (typeof value.value === 'number' && Number.isInteger(value.value) && !value.isFloat))) {
          return unknown(`f-string of ${describe(value)}`)
        }
        out += String(value.value)
        secret ||= value.secret === true
      }
    }
    return secret ? { kind: 'const', value: out, secret } : { kind: 'const', value: out }
  }

  private lookup(name: string, scope: Scope): Value {
    const value = scope.lookup(name)
    if (value) return value
    const builtins: Record<string, Value> = {
      dict: { kind: 'external', path: 'builtins.dict' },
      list: { kind: 'external', path: 'builtins.list' },
      tuple: { kind: 'external', path: 'builtins.tuple' },
      set: { kind: 'external', path: 'builtins.set' },
      str: { kind: 'external', path: 'builtins.str' },
      int: { kind: 'external', path: 'builtins.int' },
      bool: { kind: 'external', path: 'builtins.bool' },
      isinstance: { kind: 'external', path: 'builtins.isinstance' },
      Exception: { kind: 'external', path: 'builtins.Exception' },
    }
    if (builtins[name]) return builtins[name]!
    if (/^[A-Z][A-Za-z]*(Error|Exception|Warning)$/.test(name) || ['KeyboardInterrupt', 'StopIteration'].includes(name)) return { kind: 'external', path: `builtins.${name}` }
    return unknown(`name ${name} is not known here`)
  }

  private evaluateSubscript(node: SyntaxNode, scope: Scope): Value {
    const owner = this.evaluate(node.childForFieldName('value')!, scope)
    const key = this.evaluate(node.childForFieldName('subscript')!, scope)
    if (owner.kind === 'dict' && key.kind === 'const') {
      const entry = owner.entries.find(([k]) => k.kind === 'const' && k.value === key.value)
      return entry ? entry[1] : unknown(`key ${describe(key)} is not in the dict`)
    }
    if ((owner.kind === 'list' || owner.kind === 'tuple') && key.kind === 'const' && typeof key.value === 'number') {
      const index = key.value < 0 ? owner.items.length + key.value : key.value
      return owner.items[index] ?? unknown('index out of range')
    }
    if (owner.kind === 'external' && owner.path === 'os.environ' && key.kind === 'const' && typeof key.value === 'string') {
      return { kind: 'env', name: key.value, fallback: null }
    }
    return unknown(node.text)
  }

  private evaluateBinary(node: SyntaxNode, scope: Scope): Value {
    const left = this.evaluate(node.childForFieldName('left')!, scope)
    const right = this.evaluate(node.childForFieldName('right')!, scope)
    const operator = node.childForFieldName('operator')?.text ?? node.children[1]?.text
    if (left.kind === 'const' && right.kind === 'const') {
      if (operator === '+' && typeof left.value === 'string' && typeof right.value === 'string') {
        return left.secret || right.secret ? { kind: 'const', value: left.value + right.value, secret: true } : { kind: 'const', value: left.value + right.value }
      }
      if (typeof left.value === 'number' && typeof right.value === 'number') {
        const isFloat = left.isFloat === true || right.isFloat === true
        switch (operator) {
          case '+':
            return { kind: 'const', value: left.value + right.value, isFloat }
          case '-':
            return { kind: 'const', value: left.value - right.value, isFloat }
          case '*':
            return { kind: 'const', value: left.value * right.value, isFloat }
        }
      }
    }
    if (operator === '+' && (left.kind === 'list' || left.kind === 'tuple') && left.kind === right.kind) return { kind: left.kind, items: [...left.items, ...right.items] }
    return unknown(node.text)
  }

  private evaluateComparison(node: SyntaxNode, scope: Scope): Value {
    const operands = node.namedChildren
    if (operands.length !== 2) return unknown(node.text)
    const operator = node.children[1]?.text
    const left = this.evaluate(operands[0]!, scope)
    const right = this.evaluate(operands[1]!, scope)
    if (left.kind === 'env') {
      // `os.environ.get("X", "").lower() in ("1", "true")`: decided when the app starts (config chosen by the environment).
      const operatorText = node.children.slice(1, -1).map((child) => child.text).join(' ')
      const values = right.kind === 'const' ? [right] : right.kind === 'tuple' || right.kind === 'list' || right.kind === 'set' ? right.items : null
      const strings = values?.every((item) => item.kind === 'const' && typeof item.value === 'string') ? values.map((item) => (item as { value: string }).value) : null
      const inOperator = operatorText === 'in' || operatorText === 'not in'
      if (strings !== null && (inOperator ? right.kind !== 'const' : right.kind === 'const') && ['in', 'not in', '==', '!='].includes(operatorText)) {
        const test = envTest(left, strings, operatorText === 'not in' || operatorText === '!=', node, this.loc(node, scope))
        if (test !== null) return { kind: 'env-test', test }
      }
    }
    if (left.kind !== 'const' || right.kind !== 'const') return unknown(node.text)
    if (operator === '==') return { kind: 'const', value: left.value === right.value }
    if (operator === '!=') return { kind: 'const', value: left.value !== right.value }
    if (operator === 'is') return { kind: 'const', value: left.value === right.value }
    return unknown(node.text)
  }

  private getAttribute(owner: Value, name: string, node: SyntaxNode, scope: Scope): Value {
    switch (owner.kind) {
      case 'module': {
        const namespace = this.importModule(owner.name)
        const value = namespace?.vars.get(name)
        if (value) return value
        const submodule = `${owner.name}.${name}`
        if (this.hasModule(submodule)) return { kind: 'module', name: submodule }
        return unknown(`${owner.name}.${name}`)
      }
      case 'external': {
        // `current_app` inside a pushed app context is that app.
        const app = CURRENT_APP.test(owner.path) ? this.contextApps.at(-1) : undefined
        if (app !== undefined) return this.getAttribute({ kind: 'app', app }, name, node, scope)
        return { kind: 'external', path: `${owner.path}.${name}` }
      }
      case 'app-context':
        return name === 'push' ? { kind: 'method', owner, name } : unknown(`app_context().${name}`)
      case 'app':
        if (name === 'config') return { kind: 'config', app: owner.app }
        if (name === 'url_map') return { kind: 'url-map', app: owner.app }
        if (name === 'cli') return { kind: 'cli-group', app: owner.app }
        return appPath(owner.app, name) ?? { kind: 'method', owner, name }
      case 'blueprint':
      case 'config':
      case 'restful-api':
      case 'cli-group':
        return { kind: 'method', owner, name }
      case 'env':
        return name === 'lower' || name === 'casefold' ? { kind: 'method', owner, name } : unknown(`attribute ${name} of an environment variable`)
      case 'restx':
        return this.restx.getAttribute(owner.object, name)
      case 'ext-object':
        return owner.object.getAttribute(name, node, scope)
      case 'url-map':
        if (name === 'converters') return { kind: 'method', owner, name }
        return { kind: 'method', owner, name }
      case 'class': {
        if (name === 'as_view') return { kind: 'method', owner, name }
        const found = this.classAttribute(owner, name)
        return found ?? unknown(`${owner.name}.${name}`)
      }
      case 'instance': {
        if (name === 'init_app') return { kind: 'method', owner, name }
        // A method of a mapped extension's object (`auth.login_required`): known by its path to the rules of rules/extensions/.
        if (extensionMethod(owner.cls.qualname, name) !== null) return { kind: 'external', path: `${owner.cls.qualname}.${name}` }
        const found = this.classAttribute(owner.cls, name)
        return found ?? unknown(`attribute ${name}`)
      }
      default:
        void node
        void scope
        return unknown(`attribute ${name} of ${describe(owner)}`)
    }
  }

  classAttribute(cls: ClassValue, name: string): Value | undefined {
    const own = cls.attributes.get(name)
    if (own) return own.value
    for (const base of cls.bases) {
      if (base.kind === 'class') {
        const found = this.classAttribute(base, name)
        if (found) return found
      }
    }
    return undefined
  }

  private evaluateCall(node: SyntaxNode, scope: Scope): Value {
    const pending = this.flaskInits.at(-1)
    if (pending !== undefined && pending.app === null && isBaseInitCall(node) && this.namesFlaskBase(node, scope)) return this.runFlaskBaseInit(pending, node, scope)
    const fn = this.evaluate(node.childForFieldName('function')!, scope)
    if (fn.kind === 'unknown' || fn.kind === 'external') {
      const callee = node.childForFieldName('function')!
      if (callee.type === 'attribute' && (callee.childForFieldName('attribute')?.text === 'add_url_rule' || callee.childForFieldName('attribute')?.text === 'register_blueprint')) this.checkUnresolvedRoute(callee, scope)
    }
    const args: Value[] = []
    const kwargs = new Map<string, Value>()
    for (const argument of node.childForFieldName('arguments')?.namedChildren ?? []) {
      if (argument.type === 'keyword_argument') {
        kwargs.set(argument.childForFieldName('name')!.text, this.evaluate(argument.childForFieldName('value')!, scope))
      } else if (argument.type === 'list_splat' || argument.type === 'dictionary_splat') {
        const inner = this.evaluate(argument.namedChildren[0]!, scope)
        if (argument.type === 'list_splat' && (inner.kind === 'list' || inner.kind === 'tuple')) args.push(...inner.items)
        else if (argument.type === 'dictionary_splat' && inner.kind === 'dict' && inner.entries.every(([k]) => k.kind === 'const')) {
          for (const [key, value] of inner.entries) kwargs.set(String((key as { value: unknown }).value), value)
        } else args.push(unknown(`${argument.text} cannot be expanded statically`))
      } else if (argument.type !== 'comment') {
        args.push(this.evaluate(argument, scope))
      }
    }
    return this.call(fn, args, kwargs, node, scope)
  }

  private call(fn: Value, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, callerScope?: Scope): Value {
    const scope = callerScope ?? new Scope('', '', null)
    const at = (): SourceLocation => (callerScope ? this.loc(node, callerScope) : { file: '', line: node.startPosition.row + 1, column: node.startPosition.column + 1 })
    switch (fn.kind) {
      case 'external':
        return this.callExternal(fn.path, args, kwargs, node, scope, at())
      case 'function':
        return this.callProjectFunction(fn, args, kwargs, node)
      case 'class':
        if (this.extendsFlask(fn)) return this.instantiateFlaskSubclass(fn, args, kwargs, node, scope, at())
        return this.restx.construct(fn, args, kwargs, node, scope) ?? this.extensionModels.reduce<Value | undefined>((made, model) => made ?? model.construct(fn, args, kwargs, node, scope), undefined) ?? { kind: 'instance', cls: fn }
      case 'method':
        return this.callMethod(fn.owner, fn.name, args, kwargs, node, scope, at())
      default:
        return unknown(`call of ${describe(fn)}`)
    }
  }

  private callProjectFunction(fn: FunctionValue, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode): Value {
    if (fn.node.type === 'lambda') return unknown('lambda result')
    if (this.depth >= MAX_CALL_DEPTH) return unknown('call depth limit')
    const parameters = fn.node.childForFieldName('parameters')?.namedChildren ?? []
    const local = new Scope(fn.module, `${fn.qualname}.`, fn.closure)
    let position = 0
    for (const parameter of parameters) {
      let name: string | undefined
      let fallback: SyntaxNode | null = null
      if (parameter.type === 'identifier') name = parameter.text
      else if (parameter.type === 'default_parameter' || parameter.type === 'typed_default_parameter') {
        name = parameter.childForFieldName('name')?.text
        fallback = parameter.childForFieldName('value')
      } else if (parameter.type === 'typed_parameter') name = parameter.namedChildren[0]?.text
      else if (parameter.type === 'list_splat_pattern') {
        local.vars.set(parameter.namedChildren[0]?.text ?? '_', { kind: 'tuple', items: args.slice(position) })
        position = args.length
        continue
      } else if (parameter.type === 'dictionary_splat_pattern') {
        local.vars.set(parameter.namedChildren[0]?.text ?? '_', { kind: 'dict', entries: [...kwargs].map(([k, v]) => [{ kind: 'const', value: k }, v] as [Value, Value]) })
        continue
      }
      if (!name) continue
      if (position < args.length) local.vars.set(name, args[position++]!)
      else if (kwargs.has(name)) local.vars.set(name, kwargs.get(name)!)
      else if (fallback) local.vars.set(name, this.evaluate(fallback, fn.closure))
      else local.vars.set(name, unknown(`parameter ${name}`))
    }
    const body = fn.node.childForFieldName('body')?.namedChildren ?? []
    this.depth++
    const envReturns: { test: EnvTestIR; value: Value }[] = []
    this.envReturns.push(envReturns)
    // Returns passed under a test of the environment: the result is a choice made when the app starts.
    const result = (value: Value): Value => envReturns.reduceRight<Value>((whenFalse, taken) => ({ kind: 'env-choice', test: taken.test, whenTrue: taken.value, whenFalse }), value)
    try {
      this.runBlock(body, local)
    } catch (signal) {
      if (signal instanceof ReturnSignal) return result(signal.value)
      throw signal
    } finally {
      this.depth--
      this.envReturns.pop()
    }
    void node
    return result(NONE)
  }

  private callExternal(path: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope, at: SourceLocation): Value {
    const short = path.replace(/^flask\.(app|blueprints|views)\./, 'flask.')
    if (short === 'flask.Flask') return this.createApp(args, kwargs, node, scope, at)
    if (short === 'flask.Blueprint') return this.createBlueprint(args, kwargs, node, scope, at)
    const onPath = callOnPath(path, args)
    if (onPath !== undefined) return onPath
    if (CLICK_COMMAND.test(path)) return { kind: 'decorator', apply: (target) => clickCommand(target, args[0] ?? kwargs.get('name')) }
    if (path === 'os.environ.get' || path === 'os.getenv') {
      const name = args[0]
      if (name?.kind === 'const' && typeof name.value === 'string') return { kind: 'env', name: name.value, fallback: args[1] ?? kwargs.get('default') ?? null }
      return unknown('environment lookup')
    }
    if (path === 'builtins.isinstance') {
      const known = isInstanceOf(args[0], args[1])
      return known === undefined ? unknown('isinstance() of a value known only at run time') : { kind: 'const', value: known }
    }
    if (path === 'builtins.dict') {
      const base = args[0]
      const entries: [Value, Value][] = base?.kind === 'dict' ? [...base.entries] : []
      for (const [key, value] of kwargs) entries.push([{ kind: 'const', value: key }, value])
      return base && base.kind !== 'dict' ? unknown('dict() of a non-literal') : { kind: 'dict', entries }
    }
    if (path === 'builtins.list' || path === 'builtins.tuple') {
      const items = args[0] ? this.iterate(args[0]) : []
      return items ? { kind: path === 'builtins.list' ? 'list' : 'tuple', items } : unknown(`${path}() of a non-literal`)
    }
    if (path === 'flask_restful.Api') return this.createRestfulApi(args, kwargs, node, scope, at)
    const restx = this.restx.callExternal(path, args, kwargs, node, scope)
    if (restx !== undefined) return restx
    for (const model of this.extensionModels) {
      const made = model.callExternal(path, args, kwargs, node, scope)
      if (made !== undefined) return made
    }
    const root = path.split('.')[0]!
    if (root.startsWith('flask_') || this.extensionClasses.has(root)) {
      return this.recordExtension(path, args, kwargs, node, scope, at)
    }
    return unknown(`${path}() result`)
  }

  private recordExtension(path: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope, at: SourceLocation): Value {
    const parts = path.split('.')
    const extension = { package: parts[0]!, symbol: parts.slice(1).join('.') || parts[0]! }
    const app = args[0]?.kind === 'app' ? args[0].app : kwargs.get('app')?.kind === 'app' ? (kwargs.get('app') as { app: AppState }).app : null
    const record: ExtensionIR = {
      package: extension.package,
      symbol: extension.symbol,
      init: app ? 'constructor' : 'import-only',
      options: literalKwargs(kwargs),
      source: node.text.length > 300 ? node.text.slice(0, 300) + '…' : node.text,
      location: at,
    }
    if (app) app.extensions.push(withHooksBefore(record, app))
    // Set up on a blueprint (`CORS(api_bp)`): it acts on the requests of that blueprint, wherever it is registered.
    const blueprint = args[0]?.kind === 'blueprint' ? args[0].blueprint : kwargs.get('app')?.kind === 'blueprint' ? (kwargs.get('app') as { blueprint: BlueprintState }).blueprint : null
    if (blueprint) blueprint.record((state) => (state.app.extensions.push({ ...record, init: 'constructor', blueprint: state.name }), true), at)
    // Set up on the app, or on a blueprint whose registration brings its routes along.
    if (app || args[0]?.kind === 'blueprint' || kwargs.get('app')?.kind === 'blueprint') this.extensionRoutes(record, node, scope)
    const instance: ClassValue = { kind: 'class', module: scope.module, qualname: path, name: extension.symbol, node, bases: [], attributes: new Map() }
    ;(instance as ClassValue & { extension?: ExtensionIR }).extension = record
    return { kind: 'instance', cls: instance }
  }

  /** `flask_restful.Api(app=None, prefix='', …)`: reported as an extension, and its resources routed as Flask-RESTful does. */
  private createRestfulApi(args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope, at: SourceLocation): Value {
    this.recordExtension('flask_restful.Api', args, kwargs, node, scope, at)
    const prefixValue = kwargs.get('prefix') ?? args[1]
    const prefix = prefixValue === undefined ? '' : constString(prefixValue)
    if (prefix === undefined) {
      this.finding('dynamic-route', 'error', `Api(prefix=…) is not known statically (${describe(prefixValue!)}); its resources' rules cannot be known`, node, scope)
      return unknown('Api with a dynamic prefix')
    }
    const api = new RestfulApi(prefix, at)
    const target = args[0] ?? kwargs.get('app')
    if (target !== undefined && !(target.kind === 'const' && target.value === null)) {
      const owner = target.kind === 'app' ? target.app : target.kind === 'blueprint' ? target.blueprint : null
      if (owner === null) {
        this.finding('dynamic-route', 'error', `Api(${describe(target)}): the app or blueprint is not known statically; its resources' routes cannot be known`, node, scope)
        return unknown('Api of an unknown app')
      }
      api.app = owner
      api.initApp(owner, at)
    }
    return { kind: 'restful-api', api }
  }

  private callRestfulApi(api: RestfulApi, name: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope, at: SourceLocation): Value {
    if (name === 'init_app') {
      const target = args[0] ?? kwargs.get('app')
      const owner = target?.kind === 'app' ? target.app : target?.kind === 'blueprint' ? target.blueprint : null
      if (owner === null) this.finding('dynamic-route', 'error', `Api.init_app(${target ? describe(target) : ''}): the app or blueprint is not known statically; its resources' routes cannot be known`, node, scope)
      else api.initApp(owner, at)
      return NONE
    }
    if (name === 'add_resource') {
      const [resource, ...urls] = args
      this.addRestfulResource(api, resource, urls, kwargs, node, scope, at)
      return NONE
    }
    if (name === 'resource') {
      return { kind: 'decorator', apply: (target, decoratorNode) => (this.addRestfulResource(api, target, args, kwargs, decoratorNode, scope, this.loc(decoratorNode, scope)), target) }
    }
    return unknown(`Api.${name}() result`)
  }

  private addRestfulResource(api: RestfulApi, resource: Value | undefined, urls: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope, at: SourceLocation): void {
    if (resource?.kind !== 'class') {
      this.finding('unresolved-view', 'error', `add_resource(${resource ? describe(resource) : ''}, …): the resource class could not be resolved statically; its routes were not migrated`, node, scope)
      return
    }
    const endpointValue = kwargs.get('endpoint')
    const endpoint = endpointValue === undefined || (endpointValue.kind === 'const' && endpointValue.value === null) ? resource.name.toLowerCase() : constString(endpointValue)
    if (endpoint === undefined) {
      this.finding('dynamic-route', 'error', `the endpoint of resource ${resource.name} is not known statically`, node, scope)
      return
    }
    const texts: string[] = []
    for (const url of urls) {
      const text = constString(url)
      if (text === undefined) {
        this.finding('dynamic-route', 'error', `a URL of resource ${resource.name} is not known statically (${describe(url)}); the route was not migrated`, node, scope)
        continue
      }
      texts.push(text)
    }
    const options = new Map(kwargs)
    for (const key of ['endpoint', 'resource_class_args', 'resource_class_kwargs']) options.delete(key)
    const ruleOptions = this.ruleOptions(options, at)
    const target = this.viewTarget({ kind: 'class-view', cls: resource, name: endpoint }, at)
    if (!ruleOptions || !target) return
    api.addResource({ target, urls: texts, endpoint, options: ruleOptions, location: at })
  }

  /** An extension set up on the app that registers URL rules of its own the tool does not model. */
  private extensionRoutes(extension: ExtensionIR, node: SyntaxNode, scope: Scope): void {
    const adds = ROUTE_ADDING_EXTENSIONS.get(extension.package)
    if (adds === undefined || (adds.symbols !== null && !adds.symbols.includes(extension.symbol.split('.').at(-1)!))) return
    this.finding('extension-routes-unknown', 'error', `${extension.package}.${extension.symbol} adds routes of its own (${adds.what}) that are not in the route table; readiness counts them as unknown`, node, scope)
  }

  /** Whether a project class subclasses flask.Flask (directly or through project classes). */
  private extendsFlask(cls: ClassValue): boolean {
    return cls.bases.some((base) => (base.kind === 'external' && /^flask(\.app)?\.Flask$/.test(base.path)) || (base.kind === 'class' && this.extendsFlask(base)))
  }

  /**
   * `MyFlask(__name__, …)` for `class MyFlask(Flask)`: the app is made where the subclass's
   * `__init__` calls `super().__init__(…)` (or `Flask.__init__(self, …)`) with the arguments it
   * passes there, and `self` is that app for the rest of `__init__`. Without an `__init__`, the
   * call's own arguments make it.
   */
  private instantiateFlaskSubclass(cls: ClassValue, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope, at: SourceLocation): Value {
    const init = this.classAttribute(cls, '__init__')
    if (init?.kind !== 'function') return this.createApp(args, kwargs, node, scope, at)
    const pending = { at, app: null as Value | null }
    this.flaskInits.push(pending)
    try {
      this.callProjectFunction(init, [unknown('self before Flask.__init__ ran'), ...args], kwargs, node)
    } finally {
      this.flaskInits.pop()
    }
    return pending.app ?? this.createApp(args, kwargs, node, scope, at)
  }

  /** `super()…`, or a class that is Flask or one of its project subclasses. */
  private namesFlaskBase(node: SyntaxNode, scope: Scope): boolean {
    const object = node.childForFieldName('function')!.childForFieldName('object')!
    if (object.type === 'call') return true
    const value = this.evaluate(object, scope)
    return (value.kind === 'external' && /^flask(\.app)?\.Flask$/.test(value.path)) || (value.kind === 'class' && this.extendsFlask(value))
  }

  /** `super().__init__(…)` / `Flask.__init__(self, …)` inside a Flask subclass's `__init__`: makes the app, and `self` becomes it. */
  private runFlaskBaseInit(pending: { at: SourceLocation; app: Value | null }, node: SyntaxNode, scope: Scope): Value {
    const args: Value[] = []
    const kwargs = new Map<string, Value>()
    const viaClass = node.childForFieldName('function')?.childForFieldName('object')?.type !== 'call'
    for (const [index, argument] of (node.childForFieldName('arguments')?.namedChildren ?? []).filter((child) => child.type !== 'comment').entries()) {
      if (viaClass && index === 0) continue
      if (argument.type === 'keyword_argument') kwargs.set(argument.childForFieldName('name')!.text, this.evaluate(argument.childForFieldName('value')!, scope))
      else if (argument.type === 'list_splat') {
        const inner = this.evaluate(argument.namedChildren[0]!, scope)
        if (inner.kind === 'tuple' || inner.kind === 'list') args.push(...inner.items)
      } else if (argument.type === 'dictionary_splat') {
        const inner = this.evaluate(argument.namedChildren[0]!, scope)
        if (inner.kind === 'dict') for (const [key, value] of inner.entries) if (key.kind === 'const') kwargs.set(String(key.value), value)
      } else args.push(this.evaluate(argument, scope))
    }
    pending.app = this.createApp(args, kwargs, node, scope, pending.at)
    scope.vars.set('self', pending.app)
    return NONE
  }

  private createApp(args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope, at: SourceLocation): Value {
    const importName = constString(args[0] ?? kwargs.get('import_name')) ?? scope.module
    const option = (key: string, fallback: string | null): string | null => {
      const value = kwargs.get(key)
      if (!value) return fallback
      const text = constStringOrNull(value)
      return text === undefined ? fallback : text
    }
    const staticFolder = option('static_folder', 'static')
    const staticUrlPath = option('static_url_path', null)
    const templateFolder = option('template_folder', 'templates')
    for (const key of ['static_folder', 'static_url_path']) {
      const value = kwargs.get(key)
      if (value && value.kind !== 'const') this.finding('dynamic-config', 'warning', `Flask(${key}=…) is not a literal; the static rule may differ`, node, scope)
    }
    if (kwargs.get('host_matching') && truthiness(kwargs.get('host_matching')!)) {
      this.finding('subdomain-routing', 'error', 'Flask(host_matching=True): routing by host is not carried over', node, scope)
    }
    if (kwargs.has('subdomain_matching')) this.finding('subdomain-routing', 'error', 'Flask(subdomain_matching=…): routing by subdomain is not carried over', node, scope)
    const app = new AppState(importName, staticFolder, staticUrlPath, templateFolder, at, this.findings)
    if (kwargs.get('host_matching') && truthiness(kwargs.get('host_matching')!)) app.hostMatching = true
    this.apps.push(app)
    return { kind: 'app', app }
  }

  private createBlueprint(args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope, at: SourceLocation): Value {
    const name = constString(args[0] ?? kwargs.get('name'))
    if (name === undefined) {
      this.finding('dynamic-blueprint', 'error', 'Blueprint name is not a literal; its routes cannot be named', node, scope)
      return unknown('blueprint with a dynamic name')
    }
    const option = (key: string, position: number): string | null => {
      const value = kwargs.get(key) ?? args[position]
      if (!value) return null
      const text = constStringOrNull(value)
      if (text === undefined) {
        this.finding('dynamic-blueprint', 'error', `Blueprint(${key}=…) is not a literal (${describe(value)})`, node, scope)
        return null
      }
      return text
    }
    const subdomain = option('subdomain', 7)
    if (subdomain !== null) this.finding('subdomain-routing', 'error', `Blueprint ${JSON.stringify(name)} has subdomain=${JSON.stringify(subdomain)}: routing by subdomain is not carried over`, node, scope)
    const urlDefaultsValue = kwargs.get('url_defaults')
    const blueprint = new BlueprintState(
      name,
      option('url_prefix', 6),
      subdomain,
      option('static_folder', 2),
      option('static_url_path', 3),
      option('template_folder', 4),
      urlDefaultsValue ? ((toLiteral(urlDefaultsValue) as Record<string, PyLiteral> | undefined) ?? null) : null,
      at,
    )
    this.blueprints.push(blueprint)
    return { kind: 'blueprint', blueprint }
  }

  private callMethod(owner: Value, name: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope, at: SourceLocation): Value {
    if (owner.kind === 'cli-group') {
      // `app.cli.add_command(cmd, name=None)`, `@app.cli.command(name=None)` (app-extras.ts).
      const locate = (fn: FunctionValue): SourceLocation => this.locate(fn.node, fn.module)
      if (name === 'add_command') {
        if (!addCommand(owner.app, args[0] ?? NONE, args[1] ?? kwargs.get('name'), at, locate)) {
          this.finding('cli-command-not-migrated', 'warning', `app.cli.add_command(${describe(args[0] ?? NONE)}): the command could not be resolved statically; it is not carried over`, node, scope)
        }
        return NONE
      }
      if (name === 'command' && args[0]?.kind === 'function') {
        // `@app.cli.command` without parentheses: Flask 2.2's AppGroup.command then returns its decorator and registers nothing.
        return unknown('app.cli.command(<function>) result')
      }
      if (name === 'command') {
        return { kind: 'decorator', apply: (target, decoratorNode) => (addCommand(owner.app, clickCommand(target, args[0] ?? kwargs.get('name')), undefined, this.loc(decoratorNode, scope), locate), target) }
      }
      return unknown(`app.cli.${name}() result`)
    }
    if (owner.kind === 'env' && (name === 'lower' || name === 'casefold') && args.length === 0) return { ...owner, lower: true }
    if (owner.kind === 'app' || owner.kind === 'blueprint') return this.callScaffoldMethod(owner, name, args, kwargs, node, scope, at)
    if (owner.kind === 'restful-api') return this.callRestfulApi(owner.api, name, args, kwargs, node, scope, at)
    if (owner.kind === 'app-context') {
      if (name === 'push') this.contextApps.push(owner.app)
      return NONE
    }
    if (owner.kind === 'restx') return this.restx.callMethod(owner.object, name, args, kwargs, node, scope)
    if (owner.kind === 'ext-object') return owner.object.callMethod(name, args, kwargs, node, scope)
    if (owner.kind === 'config') {
      if (name === 'from_object') {
        const source = args[0]
        if (source?.kind === 'class') readConfigClass(owner.app, source, this, at)
        else if (source?.kind === 'env-choice') {
          const unread = readConfigChoice(owner.app, source, this, at)
          if (unread !== null) {
            this.finding('dynamic-config', 'warning', `config.from_object(…) chooses its config by the environment (${source.test.source}), and ${unread}: config values could not be read`, node, scope)
            owner.app.unreadConfig.push(node.text)
          }
        }
        else if (source?.kind === 'const' && typeof source.value === 'string') {
          const resolved = this.resolveDottedObject(source.value)
          if (resolved?.kind === 'class') readConfigClass(owner.app, resolved, this, at)
          else {
            this.finding('dynamic-config', 'warning', `config.from_object(${JSON.stringify(source.value)}) could not be resolved in the project`, node, scope)
            owner.app.unreadConfig.push(node.text)
          }
        } else {
          this.finding('dynamic-config', 'warning', `config.from_object(…) of ${describe(source ?? NONE)}: config values could not be read`, node, scope)
          owner.app.unreadConfig.push(node.text)
        }
      } else if (name === 'from_mapping' || name === 'update') {
        if (args[0]) readConfigMapping(owner.app, args[0], at)
        if (args[0] && args[0].kind !== 'dict') owner.app.unreadConfig.push(node.text)
        for (const [key, value] of kwargs) setConfigEntry(owner.app, key, value, node, at)
      } else if (['from_pyfile', 'from_envvar', 'from_file', 'from_prefixed_env', 'from_json'].includes(name)) {
        this.finding('config-from-file', 'warning', `config.${name}(…) loads values at run time from outside the code; set them as environment variables of the new service`, node, scope)
        owner.app.unreadConfig.push(node.text)
      } else if (name === 'setdefault' && args[0]?.kind === 'const' && typeof args[0].value === 'string') {
        if (!owner.app.config.has(args[0].value)) setConfigEntry(owner.app, args[0].value, args[1] ?? NONE, node, at)
      }
      return NONE
    }
    if (owner.kind === 'class' && name === 'as_view') {
      const viewName = constString(args[0] ?? kwargs.get('name'))
      if (viewName === undefined) return unknown('as_view with a dynamic name')
      if (args.length > 1 || [...kwargs.keys()].some((k) => k !== 'name')) {
        this.finding('class-view-arguments', 'error', `${owner.name}.as_view(${JSON.stringify(viewName)}, …) passes constructor arguments, which are not carried over`, node, scope)
      }
      return { kind: 'class-view', cls: owner, name: viewName }
    }
    if (owner.kind === 'instance' && name === 'init_app') {
      const record = (owner.cls as ClassValue & { extension?: ExtensionIR }).extension
      const app = args[0]?.kind === 'app' ? args[0].app : null
      // init_app's keyword options (Talisman's), literals only, over the constructor's.
      if (record && app) app.extensions.push(withHooksBefore({ ...record, init: 'init_app', options: { ...record.options, ...literalKwargs(kwargs) }, location: at, source: node.text }, app))
      if (record && args[0]?.kind === 'blueprint') {
        args[0].blueprint.record((state) => (state.app.extensions.push({ ...record, init: 'init_app', location: at, source: node.text, blueprint: state.name }), true), at)
      }
      if (record && (app || args[0]?.kind === 'blueprint')) this.extensionRoutes(record, node, scope)
      return NONE
    }
    return unknown(`${name}() result`)
  }

  private resolveDottedObject(dotted: string): Value | undefined {
    const parts = dotted.split('.')
    for (let i = parts.length - 1; i > 0; i--) {
      const module = parts.slice(0, i).join('.')
      if (this.hasModule(module)) {
        let value: Value | undefined = this.importModule(module)?.vars.get(parts[i]!)
        for (const part of parts.slice(i + 1)) value = value?.kind === 'class' ? this.classAttribute(value, part) : undefined
        return value
      }
    }
    return undefined
  }

  private callScaffoldMethod(
    owner: { kind: 'app'; app: AppState } | { kind: 'blueprint'; blueprint: BlueprintState },
    name: string,
    args: Value[],
    kwargs: Map<string, Value>,
    node: SyntaxNode,
    scope: Scope,
    at: SourceLocation,
  ): Value {
    if (owner.kind === 'app' && name === 'app_context') return { kind: 'app-context', app: owner.app }
    const addRule = (rule: Value, endpoint: Value | undefined, view: Value | undefined, options: Map<string, Value>, location: SourceLocation): void => {
      const ruleText = constString(rule)
      if (ruleText === undefined) {
        this.findings.push({ ruleId: 'dynamic-route', severity: 'error', message: `a route's rule is not known statically (${describe(rule)}); the route was not migrated`, location })
        return
      }
      const endpointText = endpoint === undefined || (endpoint.kind === 'const' && endpoint.value === null) ? null : constString(endpoint)
      if (endpointText === undefined) {
        this.findings.push({ ruleId: 'dynamic-route', severity: 'error', message: `the endpoint of rule ${JSON.stringify(ruleText)} is not known statically`, location })
        return
      }
      const target = view === undefined || (view.kind === 'const' && view.value === null) ? null : this.viewTarget(view, location)
      if (target === undefined) return
      const ruleOptions = this.ruleOptions(options, location)
      if (!ruleOptions) return
      if (owner.kind === 'app') owner.app.addUrlRule(ruleText, endpointText, target, ruleOptions, null, location)
      else {
        if (endpointText?.includes('.')) {
          this.findings.push({ ruleId: 'flask-setup-error', severity: 'error', message: `endpoint ${JSON.stringify(endpointText)} contains a dot: Flask raises ValueError`, location })
          return
        }
        owner.blueprint.addUrlRule(ruleText, endpointText, target, ruleOptions, location)
      }
    }

    if (name === 'route' || name in HTTP_METHOD_SHORTCUTS) {
      const rule = args[0] ?? kwargs.get('rule') ?? unknown('missing rule')
      const options = new Map(kwargs)
      options.delete('rule')
      if (name !== 'route') {
        if (options.has('methods')) this.finding('flask-setup-error', 'error', `@${name}(…) does not accept methods=: Flask raises TypeError`, node, scope)
        options.set('methods', { kind: 'list', items: [{ kind: 'const', value: HTTP_METHOD_SHORTCUTS[name]! }] })
      }
      const endpoint = options.get('endpoint')
      options.delete('endpoint')
      return {
        kind: 'decorator',
        apply: (target, decoratorNode) => {
          addRule(rule, endpoint, target, options, this.loc(decoratorNode, scope))
          return target
        },
      }
    }
    if (name === 'add_url_rule') {
      const rule = args[0] ?? kwargs.get('rule') ?? unknown('missing rule')
      const endpoint = args[1] ?? kwargs.get('endpoint')
      const view = args[2] ?? kwargs.get('view_func')
      const options = new Map(kwargs)
      for (const key of ['rule', 'endpoint', 'view_func']) options.delete(key)
      if (args[3]) options.set('provide_automatic_options', args[3])
      addRule(rule, endpoint, view, options, at)
      return NONE
    }
    if (name === 'register_blueprint') {
      const child = args[0] ?? kwargs.get('blueprint')
      if (child?.kind !== 'blueprint') {
        this.finding('dynamic-blueprint', 'error', `register_blueprint(${node.childForFieldName('arguments')?.namedChildren[0]?.text ?? ''}): the blueprint could not be resolved statically (${describe(child ?? NONE)})`, node, scope)
        return NONE
      }
      const options = this.registrationOptions(kwargs, node, scope)
      if (owner.kind === 'app') owner.app.registerBlueprint(child.blueprint, options, at, null)
      else owner.blueprint.children.push({ blueprint: child.blueprint, options, location: at })
      return NONE
    }
    if (HOOK_KINDS.has(name as HookKind)) {
      const register = (target: Value, location: SourceLocation): Value => {
        const ref = this.codeRef(target, location)
        if (!ref) return target
        if (owner.kind === 'app') {
          const kind = name.replace('_app_request', '_request') as HookKind
          owner.app.hooks.push({ kind, blueprint: null, ref, location })
        } else owner.blueprint.hooks.push({ kind: name as HookKind, ref, location })
        return target
      }
      if (args[0]) return register(args[0], at)
      return { kind: 'decorator', apply: (target, decoratorNode) => register(target, this.loc(decoratorNode, scope)) }
    }
    if (name === 'errorhandler' || name === 'app_errorhandler' || name === 'register_error_handler') {
      const keyValue = args[0] ?? kwargs.get('code_or_exception')
      const key = this.errorKey(keyValue, node, scope)
      const register = (target: Value, location: SourceLocation): Value => {
        const ref = this.codeRef(target, location)
        if (!ref || !key) return target
        if (owner.kind === 'app') owner.app.errorHandlers.push({ blueprint: null, key, ref, location })
        else owner.blueprint.errorHandlers.push({ key, ref, location, appWide: name === 'app_errorhandler' })
        return target
      }
      if (name === 'register_error_handler') return register(args[1] ?? kwargs.get('f') ?? NONE, at)
      return { kind: 'decorator', apply: (target, decoratorNode) => register(target, this.loc(decoratorNode, scope)) }
    }
    if (['template_filter', 'template_global', 'template_test', 'context_processor', 'shell_context_processor', 'cli', 'app_template_filter'].includes(name)) {
      return { kind: 'decorator', apply: (target) => target }
    }
    return unknown(`${name}() result`)
  }

  private errorKey(value: Value | undefined, node: SyntaxNode, scope: Scope): { code: number } | { exception: string } | null {
    if (value?.kind === 'const' && typeof value.value === 'number') return { code: value.value }
    if (value?.kind === 'external') {
      const name = value.path.replace(/^builtins\./, '').replace(/^werkzeug\.exceptions\./, 'werkzeug.exceptions.')
      return { exception: name }
    }
    if (value?.kind === 'class') return { exception: `${value.module}.${value.qualname}` }
    this.finding('unresolved-view', 'error', `errorhandler(${describe(value ?? NONE)}): the error it handles is not known statically`, node, scope)
    return null
  }

  private registrationOptions(kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): RegistrationOptions {
    const text = (key: string): string | null => {
      const value = kwargs.get(key)
      if (!value) return null
      const result = constStringOrNull(value)
      if (result === undefined) {
        this.finding('dynamic-blueprint', 'error', `register_blueprint(${key}=…) is not known statically (${describe(value)})`, node, scope)
        return null
      }
      return result
    }
    const subdomain = text('subdomain')
    if (subdomain !== null) this.finding('subdomain-routing', 'error', `blueprint registered with subdomain=${JSON.stringify(subdomain)}: routing by subdomain is not carried over`, node, scope)
    const urlDefaults = kwargs.get('url_defaults')
    return {
      urlPrefix: text('url_prefix'),
      name: text('name'),
      subdomain,
      urlDefaults: urlDefaults ? ((toLiteral(urlDefaults) as Record<string, PyLiteral> | undefined) ?? null) : null,
      namePrefix: '',
    }
  }

  private ruleOptions(options: Map<string, Value>, location: SourceLocation): RuleOptions | null {
    const result: RuleOptions = { ...NO_RULE_OPTIONS }
    for (const [key, value] of options) {
      switch (key) {
        case 'methods': {
          const items = value.kind === 'const' && typeof value.value === 'string' ? null : this.iterate(value)
          if (!items || !items.every((item) => item.kind === 'const' && typeof item.value === 'string')) {
            this.findings.push({ ruleId: 'dynamic-route', severity: 'error', message: `methods= is not a literal collection of strings (${describe(value)}); the route was not migrated`, location })
            return null
          }
          result.methods = items.map((item) => String((item as { value: string }).value))
          break
        }
        case 'defaults': {
          const literal = toLiteral(value)
          if (literal === undefined || literal === null || typeof literal !== 'object' || Array.isArray(literal) || isFloatLiteral(literal)) {
            this.findings.push({ ruleId: 'dynamic-route', severity: 'error', message: `defaults= is not a literal dict; the route was not migrated`, location })
            return null
          }
          result.defaults = literal as Record<string, PyLiteral>
          break
        }
        case 'strict_slashes':
        case 'provide_automatic_options': {
          const truth = value.kind === 'const' ? truthiness(value) : undefined
          if (truth === undefined) {
            this.findings.push({ ruleId: 'dynamic-route', severity: 'error', message: `${key}= is not a literal; the route was not migrated`, location })
            return null
          }
          if (key === 'strict_slashes') result.strictSlashes = value.kind === 'const' && value.value === null ? null : truth
          else result.provideAutomaticOptions = value.kind === 'const' && value.value === null ? null : truth
          break
        }
        case 'redirect_to': {
          const text = constString(value)
          if (text === undefined) {
            this.findings.push({ ruleId: 'dynamic-route', severity: 'error', message: `redirect_to= is not a literal string (${describe(value)}); the route was not migrated`, location })
            return null
          }
          result.redirectTo = text
          break
        }
        case 'subdomain':
        case 'host': {
          const text = constStringOrNull(value)
          if (text !== null) this.findings.push({ ruleId: 'subdomain-routing', severity: 'error', message: `rule option ${key}=${JSON.stringify(text ?? describe(value))}: routing by ${key} is not carried over`, location })
          if (key === 'subdomain') result.subdomain = text ?? null
          else result.host = text ?? null
          break
        }
        case 'merge_slashes':
        case 'alias':
        case 'build_only':
        case 'websocket':
          this.findings.push({ ruleId: 'unsupported-rule-option', severity: 'error', message: `rule option ${key}= is not carried over`, location })
          break
        default:
          break
      }
    }
    return result
  }

  private viewTarget(view: Value, location: SourceLocation): ViewTarget | undefined {
    if (view.kind === 'function') {
      const ir: ViewIR = { kind: 'function', ref: { module: view.module, qualname: view.qualname, location: this.locate(view.node, view.module) } }
      VIEW_FUNCTIONS.set(ir, view)
      return { view: ir, name: view.name, declaredMethods: null, wrappers: view.wrappers, ...(view.carriedWrappers ? { carriedWrappers: view.carriedWrappers } : {}) }
    }
    if (view.kind === 'class-view') {
      const cls = view.cls
      const base = this.classViewBase(cls)
      if (!base) {
        this.findings.push({ ruleId: 'unresolved-view', severity: 'error', message: `${cls.name}.as_view: ${cls.name} is not a flask.views.View or MethodView subclass the tool can read`, location })
        return { view: null, name: view.name, declaredMethods: null, wrappers: [] }
      }
      const methods = base === 'MethodView' ? VIEW_METHODS.filter((method) => this.classAttribute(cls, method)?.kind === 'function').map((m) => m.toUpperCase()) : []
      const declared = this.classAttribute(cls, 'methods')
      const declaredMethods = declared && this.iterate(declared)?.every(isConst) ? this.iterate(declared)!.map((m) => String((m as { value: unknown }).value).toUpperCase()) : methods.length > 0 ? methods : null
      const extension = this.classExtension(cls)
      return {
        view: { kind: 'class', ref: { module: cls.module, qualname: cls.qualname, location: this.locate(cls.node, cls.module) }, base, methods, ...(extension !== null ? { extension } : {}) },
        name: view.name,
        declaredMethods,
        wrappers: [],
      }
    }
    this.findings.push({ ruleId: 'unresolved-view', severity: 'error', message: `the view function could not be resolved statically (${describe(view)}); the route was not migrated`, location })
    return undefined
  }

  /** The extension package whose view class a class view extends (`flask_restful.Resource`), if any. */
  private classExtension(cls: ClassValue): string | null {
    for (const base of cls.bases) {
      if (base.kind === 'external' && RESOURCE_BASES.has(base.path)) return base.path.split('.')[0]!
      if (base.kind === 'class') {
        const found = this.classExtension(base)
        if (found) return found
      }
    }
    return null
  }

  private classViewBase(cls: ClassValue): 'MethodView' | 'View' | null {
    for (const base of cls.bases) {
      if (base.kind === 'external') {
        if (/(^|\.)MethodView$/.test(base.path) || RESOURCE_BASES.has(base.path)) return 'MethodView'
        if (/(^|\.)View$/.test(base.path)) return 'View'
      }
      if (base.kind === 'class') {
        const found = this.classViewBase(base)
        if (found) return found
      }
    }
    return null
  }

  private codeRef(target: Value, location: SourceLocation) {
    if (target.kind === 'function') return { module: target.module, qualname: target.qualname, location: this.locate(target.node, target.module) }
    this.findings.push({ ruleId: 'unresolved-view', severity: 'error', message: `a hook or error handler could not be resolved statically (${describe(target)})`, location })
    return null
  }
}

/** click's `command` decorator however it was imported (`flask.cli` re-exports click's names too). */
const CLICK_COMMAND = /^(click|click\.decorators)\.command$/

/** `flask.current_app` however it was imported. */
const CURRENT_APP = /^flask(\.globals)?\.current_app$/

/** Scaffold methods that register a route. */
const ROUTE_METHODS = new Set(['route', 'get', 'post', 'put', 'delete', 'patch', 'add_url_rule', 'register_blueprint'])

/** `super().__init__(…)`, `super(Cls, self).__init__(…)` or `Flask.__init__(self, …)`. */
function isBaseInitCall(node: SyntaxNode): boolean {
  const fn = node.childForFieldName('function')
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== '__init__') return false
  const object = fn.childForFieldName('object')
  if (object?.type === 'call') return object.childForFieldName('function')?.text === 'super'
  return object?.type === 'identifier' || object?.type === 'attribute'
}

/** Extensions that register URL rules on the app when set up (see rules/extension-routes-unknown.yaml); `symbols` null: any. */
const ROUTE_ADDING_EXTENSIONS = new Map<string, { symbols: string[] | null; what: string }>([
  ['flask_restplus', { symbols: ['Api'], what: 'namespaces, /swagger.json and the documentation page' }],
  ['flask_socketio', { symbols: ['SocketIO'], what: 'the Socket.IO endpoint' }],
  ['flask_security_too', { symbols: ['Security'], what: 'login, logout, registration and the other security views' }],
  ['flask_swagger_ui', { symbols: null, what: 'the Swagger UI blueprint' }],
])

/** View classes of extensions that are MethodViews (`flask_restful.Resource` subclasses `flask.views.MethodView`). */
const RESOURCE_BASES = new Set(['flask_restful.Resource', ...RESTX_RESOURCE_BASES])

/** Extensions whose route table the analysis models: their package is never run as project code. */
const MODELLED_PACKAGES = new Set(['flask_restx', 'flask_admin', 'flasgger', 'flask_security', 'flask_debugtoolbar'])

function constString(value: Value | undefined): string | undefined {
  return value?.kind === 'const' && typeof value.value === 'string' ? value.value : undefined
}

function constStringOrNull(value: Value): string | null | undefined {
  if (value.kind === 'const' && value.value === null) return null
  return constString(value)
}

function literalKwargs(kwargs: Map<string, Value>): Record<string, PyLiteral> {
  const out: Record<string, PyLiteral> = {}
  for (const [key, value] of kwargs) {
    const literal = toLiteral(value)
    if (literal !== undefined) out[key] = literal
  }
  return out
}

function unescapePython(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]+\}|[0-7]{1,3}|.|\n)/g, (_, escape: string) => {
    switch (escape[0]) {
      case 'n':
        return '\n'
      case 't':
        return '\t'
      case 'r':
        return '\r'
      case '\\':
        return '\\'
      case "'":
        return "'"
      case '"':
        return '"'
      case '\n':
        return ''
      case 'x':
      case 'u':
      case 'U':
        return String.fromCodePoint(Number.parseInt(escape.slice(1), 16))
      case 'a':
        return '\x07'
      case 'b':
        return '\b'
      case 'f':
        return '\f'
      case 'v':
        return '\v'
      default:
        if (/^[0-7]+$/.test(escape)) return String.fromCodePoint(Number.parseInt(escape, 8))
        return '\\' + escape
    }
  })
}

/** An extension set up on the app, with the number of app-wide before_request hooks registered before it (when any). */
function withHooksBefore(record: ExtensionIR, app: AppState): ExtensionIR {
  const count = app.hooks.filter((hook) => hook.kind === 'before_request' && hook.blueprint === null).length
  return count > 0 ? { ...record, beforeRequestHooks: count } : record
}
