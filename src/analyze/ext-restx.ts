import type { ExtensionIR, Finding, PyLiteral, SourceLocation, ViewIR } from '../ir/types.js'
import type { SyntaxNode } from '../parse/index.js'
import { AppState, BlueprintState, NO_RULE_OPTIONS, type RuleOptions, type SetupRule, type SetupState, type ViewTarget } from './flask-model.js'
import { NONE, describe, toLiteral, truthiness, unknown, type ClassValue, type Scope, type Value } from './values.js'

/**
 * Flask-RESTX's route table, as flask_restx 1.1 builds it (flask_restx/api.py, namespace.py,
 * apidoc.py), replayed over what the interpreter saw:
 *
 * - `Api(app)` / `api.init_app(app)`: the specs rule (`prefix + '/swagger.json'`, endpoint `specs`),
 *   `doc` (the doc path, not prefixed) unless `doc` is false, `root` (`prefix or '/'`), then the
 *   resources kept while the Api had no app, then the `restx_doc` blueprint (once per app:
 *   `/swaggerui/<path:filename>`, endpoint `restx_doc.static`). `add_specs` is an `init_app`
 *   option only: the constructor does not pass it on.
 * - `Api(bp)` / `init_app(bp)`: specs, doc and root are ordinary blueprint rules; the Api's
 *   `_deferred_blueprint_init` is recorded on the blueprint. When it runs it patches that
 *   registration's `add_url_rule` (plain `url_prefix + rule`, endpoints named after
 *   `blueprint.name`), registers the kept resources through it (blueprint prefix + url, no Api
 *   prefix) and the restx_doc blueprint on the app; a second registration raises ValueError.
 *   Resources added to an Api with a blueprint are callable rules completed at registration
 *   (`_complete_url`: blueprint prefix + Api prefix + url), or, once the blueprint is registered,
 *   added to the app at once through the kept setup state.
 * - Namespaces: `Namespace(name, description, path)`; `path` is `(path or '/' + name).rstrip('/')`;
 *   `api.add_namespace(ns, path=)` registers the resources the namespace has, and the namespace
 *   registers later ones on every Api it was added to; URLs are `(api's path for ns or ns.path) + url`.
 *   `api.add_resource`/`api.route` go to the default namespace (path ''), `api.namespace()` makes and
 *   adds one.
 * - Endpoints: `endpoint=`, else `camel_to_dash(Resource.__name__)`, prefixed `<ns.name>_` outside
 *   the default namespace, with `_2`, `_3`… when the Api already has it.
 *
 * Resource views are the project's classes (stubbed as the extension's: `extension: 'flask_restx'`);
 * specs, doc and root are flask_restx's own views (`flask_restx.api.SwaggerView`, `Api.render_doc`,
 * `Api.render_root`), and the restx_doc static rule serves files of the flask_restx package.
 */

/** A resource as `Namespace.add_resource` keeps it (`ResourceRoute`). */
export interface RestxResource {
  cls: ClassValue
  urls: string[]
  /** `endpoint=`, when given (and not empty). */
  endpoint: string | null
  options: RuleOptions
  location: SourceLocation
}

/** `flask_restx.Namespace`. */
export class RestxNamespace {
  readonly resources: RestxResource[] = []
  readonly apis: RestxApi[] = []

  constructor(
    readonly name: string,
    /** `path=` as given (`self._path`). */
    readonly pathOption: string | null,
    readonly location: SourceLocation,
  ) {}

  /** `Namespace.path`. */
  get path(): string {
    return (this.pathOption || `/${this.name}`).replace(/\/+$/, '')
  }

  /** `Namespace.add_resource`: kept, and registered on every Api the namespace belongs to. */
  addResource(resource: RestxResource): void {
    this.resources.push(resource)
    for (const api of this.apis) api.registerResource(this, resource, api.nsUrls(this, resource.urls))
  }
}

interface KeptResource {
  resource: RestxResource
  namespace: RestxNamespace
  urls: string[]
  endpoint: string
}

/** What the Api needs from the interpreter. */
export interface RestxHost {
  report(finding: Finding): void
  /** `Resource.as_view(endpoint)` as a rule's view, or undefined (the interpreter made a finding). */
  classView(cls: ClassValue, endpoint: string, at: SourceLocation): ViewTarget | undefined
  ruleOptions(options: Map<string, Value>, at: SourceLocation): RuleOptions | null
  loc(node: SyntaxNode, scope: Scope): SourceLocation
}

/** `flask_restx.Api`. */
export class RestxApi {
  /** `self.app`: the app or blueprint of the constructor or the last `init_app`. */
  app: AppState | BlueprintState | null = null
  /** `self.blueprint`: set by `init_app(bp)` once its specs and doc rules are added. */
  blueprint: BlueprintState | null = null
  /** `self.blueprint_setup`: the setup state of the blueprint's registration, kept by the deferred init. */
  blueprintSetup: SetupState | null = null
  readonly endpoints = new Set<string>()
  /** `self.resources`: registered while `self.app` was None, registered again by each `_init_app`. */
  readonly kept: KeptResource[] = []
  readonly namespaces: RestxNamespace[] = []
  readonly nsPaths = new Map<RestxNamespace, string>()
  readonly defaultNamespace: RestxNamespace
  private addSpecs = true
  /** How the Api was set up on its app, for the report's extension list. */
  private init: { kind: ExtensionIR['init']; source: string; location: SourceLocation } | null = null

  constructor(
    readonly prefix: string,
    /** `doc=`: the documentation path, or null when false. */
    readonly doc: string | null,
    readonly swaggerFilename: string,
    defaultName: string,
    readonly options: Record<string, PyLiteral>,
    readonly location: SourceLocation,
    private readonly host: RestxHost,
  ) {
    this.defaultNamespace = new RestxNamespace(defaultName, '/', location)
    this.defaultNamespace.apis.push(this)
    this.addNamespace(this.defaultNamespace, null)
  }

  /** `Api.init_app(app_or_blueprint, add_specs=…)`. */
  initApp(target: AppState | BlueprintState, addSpecs: boolean, init: { kind: ExtensionIR['init']; source: string; location: SourceLocation }): void {
    this.app = target
    this.addSpecs = addSpecs
    this.init = init
    this.registerSpecs(target, init.location)
    this.registerDoc(target, init.location)
    if (target instanceof BlueprintState) {
      target.record((state) => this.deferredBlueprintInit(state), init.location)
      this.blueprint = target
    } else this.initOn(target)
  }

  /** `Api.add_namespace(ns, path=None)`. */
  addNamespace(ns: RestxNamespace, path: string | null): void {
    if (!this.namespaces.includes(ns)) {
      this.namespaces.push(ns)
      if (!ns.apis.includes(this)) ns.apis.push(this)
      if (path !== null) this.nsPaths.set(ns, path)
    }
    for (const resource of ns.resources) this.registerResource(ns, resource, this.nsUrls(ns, resource.urls))
  }

  /** `Api.ns_urls`. */
  nsUrls(ns: RestxNamespace, urls: string[]): string[] {
    const path = this.nsPaths.get(ns) || ns.path
    return urls.map((url) => path + url)
  }

  /** `Api.register_resource`. */
  registerResource(namespace: RestxNamespace, resource: RestxResource, urls: string[]): void {
    const endpoint = resource.endpoint || this.defaultEndpoint(resource.cls.name, namespace)
    this.endpoints.add(endpoint)
    if (this.app !== null) this.registerView(this.app, resource, urls, endpoint)
    else this.kept.push({ resource, namespace, urls, endpoint })
  }

  /** `Api.default_endpoint`. */
  private defaultEndpoint(name: string, namespace: RestxNamespace): string {
    let endpoint = camelToDash(name)
    if (namespace !== this.defaultNamespace) endpoint = `${namespace.name}_${endpoint}`
    if (this.endpoints.has(endpoint)) {
      let suffix = 2
      while (this.endpoints.has(`${endpoint}_${suffix}`)) suffix++
      endpoint = `${endpoint}_${suffix}`
    }
    return endpoint
  }

  /** `Api._complete_url`. */
  private completeUrl(url: string, registrationPrefix: string | null): string {
    return [registrationPrefix, this.prefix, url].filter((part) => part !== null && part !== '').join('')
  }

  /** `Api._register_view` (the endpoint reaches add_url_rule as the view's `__name__`). */
  private registerView(app: AppState | BlueprintState, resource: RestxResource, urls: string[], endpoint: string): void {
    const target = this.host.classView(resource.cls, endpoint, resource.location)
    if (target === undefined) return
    // Whatever the class derives from, the Api dispatches it (`Api.output` shapes what it returns).
    const view = target.view?.kind === 'class' && target.view.extension === undefined ? { ...target.view, extension: 'flask_restx' } : target.view
    this.addViewRules(app, urls, endpoint, { ...target, view }, resource.options, resource.location)
  }

  private addViewRules(app: AppState | BlueprintState, urls: string[], endpoint: string, target: ViewTarget, options: RuleOptions, location: SourceLocation): void {
    for (const url of urls) {
      let rule: SetupRule
      if (this.blueprint !== null) {
        if (this.blueprintSetup !== null) {
          this.blueprintSetup.addUrlRule(url, endpoint, target, options, location)
          continue
        }
        rule = (urlPrefix) => this.completeUrl(url, urlPrefix)
      } else rule = this.completeUrl(url, null)
      addUrlRule(app, rule, endpoint, target, options, location, this.host)
    }
  }

  /** `Api._register_specs`: the SwaggerView resource at `/<default_swagger_filename>`. */
  private registerSpecs(app: AppState | BlueprintState, location: SourceLocation): void {
    if (!this.addSpecs) return
    const target = ownView('class', 'SwaggerView', 'specs', location)
    this.addViewRules(app, [`/${this.swaggerFilename}`], 'specs', target, NO_RULE_OPTIONS, location)
    this.endpoints.add('specs')
  }

  /** `Api._register_doc`: `doc` (before root) and `root`, neither with the Api prefix but root's own. */
  private registerDoc(app: AppState | BlueprintState, location: SourceLocation): void {
    if (this.addSpecs && this.doc !== null) addUrlRule(app, this.doc, 'doc', ownView('function', 'Api.render_doc', 'doc', location), NO_RULE_OPTIONS, location, this.host)
    addUrlRule(app, this.prefix || '/', 'root', ownView('function', 'Api.render_root', 'root', location), NO_RULE_OPTIONS, location, this.host)
  }

  /** `Api._deferred_blueprint_init`, run when the blueprint is registered. */
  private deferredBlueprintInit(state: SetupState): boolean {
    this.blueprintSetup = state
    if (state.patchedBy !== PATCH_NAME) {
      state.patchedBy = PATCH_NAME
      state.addUrlRule = (rule, endpoint, target, options, at) => patchedAddUrlRule(state, rule, endpoint, target, options, at)
    }
    if (!state.firstRegistration) {
      this.host.report({ ruleId: 'flask-setup-error', severity: 'error', message: 'flask-restx blueprints can only be registered once: Flask-RESTX raises ValueError', location: state.location })
      return false
    }
    this.initOn(state.app)
    return true
  }

  /** `Api._init_app(app)`: the kept resources, then the restx_doc blueprint (once per app). */
  private initOn(app: AppState): void {
    if (this.init !== null) {
      app.extensions.push({ package: 'flask_restx', symbol: 'Api', init: this.init.kind, options: this.options, source: this.init.source, location: this.init.location })
    }
    for (const kept of this.kept) this.registerView(app, kept.resource, kept.urls, kept.endpoint)
    if (APIDOC_REGISTERED.has(app)) return
    APIDOC_REGISTERED.add(app)
    const location = this.init?.location ?? this.location
    // The apidoc blueprint's static folder is flask_restx's own (swagger-ui files), not the project's.
    const apidoc = new BlueprintState('restx_doc', null, null, null, '/swaggerui', null, null, location)
    app.registerBlueprint(apidoc, { urlPrefix: null, name: null, subdomain: null, urlDefaults: null, namePrefix: '' }, location, null)
    app.addUrlRule('/swaggerui/<path:filename>', 'restx_doc.static', null, NO_RULE_OPTIONS, 'restx_doc', location)
  }
}

const PATCH_NAME = '_blueprint_setup_add_url_rule_patch'

/** Apps the restx_doc blueprint is registered on (`app.extensions['restx']['apidoc_registered']`). */
const APIDOC_REGISTERED = new WeakSet<AppState>()

/** `Api._blueprint_setup_add_url_rule_patch`: the registration's add_url_rule once an Api's blueprint init ran. */
function patchedAddUrlRule(state: SetupState, rule: SetupRule, endpoint: string | null, target: ViewTarget | null, options: RuleOptions, at: SourceLocation): void {
  const text = typeof rule === 'string' ? (state.urlPrefix ? state.urlPrefix + rule : rule) : rule(state.urlPrefix)
  const name = endpoint ?? target?.name ?? null
  if (name === null) {
    state.app.findings.push({ ruleId: 'unresolved-view', severity: 'error', message: `rule ${JSON.stringify(text)} has no endpoint and no view function whose name could be read`, location: at })
    return
  }
  const defaults = options.defaults ? { ...state.urlDefaults, ...options.defaults } : state.urlDefaults
  state.app.addUrlRule(text, `${state.blueprint.name}.${name}`, target, { ...options, defaults, subdomain: options.subdomain ?? state.subdomain }, state.name, at)
}

/** `app_or_blueprint.add_url_rule(rule, endpoint, view_func, **options)`. */
function addUrlRule(app: AppState | BlueprintState, rule: SetupRule, endpoint: string, target: ViewTarget, options: RuleOptions, location: SourceLocation, host: RestxHost): void {
  if (app instanceof BlueprintState) {
    if (endpoint.includes('.')) {
      host.report({ ruleId: 'flask-setup-error', severity: 'error', message: `endpoint ${JSON.stringify(endpoint)} of blueprint ${JSON.stringify(app.name)} contains a dot: Flask raises ValueError`, location })
      return
    }
    app.addUrlRule(rule, endpoint, target, options, location)
  } else if (typeof rule === 'string') app.addUrlRule(rule, endpoint, target, options, null, location)
  else {
    // An Api whose blueprint init never ran (it was init_app'ed on an app after a blueprint): Werkzeug gets a callable rule.
    host.report({ ruleId: 'flask-setup-error', severity: 'error', message: `a resource URL of endpoint ${JSON.stringify(endpoint)} reaches the app as a callable rule: Flask fails at start-up`, location })
  }
}

/** flask_restx's own views: the specs resource, the doc page and the API root. */
function ownView(kind: 'class' | 'function', qualname: string, endpoint: string, location: SourceLocation): ViewTarget {
  const ref = { module: 'flask_restx.api', qualname, location }
  const view: ViewIR = kind === 'class' ? { kind: 'class', ref, base: 'MethodView', methods: ['GET'], extension: 'flask_restx' } : { kind: 'function', ref, extension: 'flask_restx' }
  return { view, name: endpoint, declaredMethods: kind === 'class' ? ['GET'] : null, wrappers: [] }
}

/** `flask_restx.utils.camel_to_dash`. */
export function camelToDash(value: string): string {
  return value
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
}

// ---- the interpreter's side -------------------------------------------------------------------

/** Methods of Api / Namespace that build the route table: a subclass overriding one is not followed. */
const ROUTING_METHODS: Record<'Api' | 'Namespace', Set<string>> = {
  Api: new Set([
    '__init__',
    '__getattr__',
    'init_app',
    '_init_app',
    '_complete_url',
    '_register_apidoc',
    '_register_specs',
    '_register_doc',
    'register_resource',
    '_register_view',
    'default_endpoint',
    'get_ns_path',
    'ns_urls',
    'add_namespace',
    'namespace',
    '_blueprint_setup_add_url_rule_patch',
    '_deferred_blueprint_init',
    'add_resource',
    'route',
  ]),
  Namespace: new Set(['__init__', 'path', 'add_resource', 'route']),
}

const API_PATHS = new Set(['flask_restx.Api', 'flask_restx.api.Api'])
const NAMESPACE_PATHS = new Set(['flask_restx.Namespace', 'flask_restx.namespace.Namespace'])

/** flask_restx's MethodView base for resources. */
export const RESTX_RESOURCE_BASES = ['flask_restx.Resource', 'flask_restx.resource.Resource']

/** Parameters of `Api.__init__` up to the last one the route table depends on, in order. */
const API_PARAMETERS = ['app', 'version', 'title', 'description', 'terms_url', 'license', 'license_url', 'contact', 'contact_url', 'contact_email', 'authorizations', 'security', 'doc', 'default_id', 'default', 'default_label', 'validate', 'tags', 'prefix', 'ordered', 'default_mediatype', 'decorators', 'catch_all_404s', 'serve_challenge_on_401', 'format_checker', 'url_scheme', 'default_swagger_filename']
const NAMESPACE_PARAMETERS = ['name', 'description', 'path', 'decorators', 'validate', 'authorizations', 'ordered']

/** The Api and Namespace values of the interpreter, and what setup code does with them. */
export class RestxModel {
  constructor(private readonly host: RestxHost) {}

  /** `flask_restx.Api(…)` / `flask_restx.Namespace(…)`; undefined for anything else. */
  callExternal(path: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value | undefined {
    if (API_PATHS.has(path)) return this.createApi(args, kwargs, node, scope, 'Api')
    if (NAMESPACE_PATHS.has(path)) return this.createNamespace(args, kwargs, node, scope)
    return undefined
  }

  /** An instance of a project class deriving from Api or Namespace: followed when it overrides nothing that routes. */
  construct(cls: ClassValue, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value | undefined {
    const base = restxBase(cls)
    if (base === null) return undefined
    const overrides = [...ownAttributes(cls)].filter((name) => ROUTING_METHODS[base].has(name))
    if (overrides.length > 0) {
      this.finding('extension-routes-unknown', `${cls.name} subclasses flask_restx.${base} and overrides ${overrides.join(', ')}, which build the route table: its routes are not in the route table; readiness counts them as unknown`, node, scope)
      return unknown(`${cls.name}: a flask_restx.${base} subclass the tool does not follow`)
    }
    return base === 'Api' ? this.createApi(args, kwargs, node, scope, cls.name) : this.createNamespace(args, kwargs, node, scope)
  }

  getAttribute(owner: RestxApi | RestxNamespace, name: string): Value {
    const value: Value = { kind: 'restx', object: owner }
    if (owner instanceof RestxApi) {
      if (name === 'default_namespace') return { kind: 'restx', object: owner.defaultNamespace }
      if (name === 'prefix') return { kind: 'const', value: owner.prefix }
      if (['models', 'namespaces', 'payload', 'endpoints', 'resources', 'app', 'blueprint', 'specs_url', 'base_url', 'base_path', 'title', 'version', 'description'].includes(name)) return unknown(`Api.${name}`)
      return { kind: 'method', owner: value, name }
    }
    if (name === 'name') return { kind: 'const', value: owner.name }
    if (name === 'path') return { kind: 'const', value: owner.path }
    if (['models', 'resources', 'apis', 'payload', 'description', 'decorators', 'urls', 'error_handlers'].includes(name)) return unknown(`Namespace.${name}`)
    return { kind: 'method', owner: value, name }
  }

  callMethod(owner: RestxApi | RestxNamespace, name: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value {
    if (owner instanceof RestxApi) {
      switch (name) {
        case 'init_app': {
          const target = this.appOf(args[0] ?? kwargs.get('app'), 'Api.init_app', node, scope)
          const addSpecs = this.flag(kwargs.get('add_specs'), true, 'init_app(add_specs=…)', node, scope)
          if (target !== null && addSpecs !== null) owner.initApp(target, addSpecs, { kind: 'init_app', source: sourceOf(node), location: this.host.loc(node, scope) })
          return NONE
        }
        case 'add_namespace': {
          const ns = args[0] ?? kwargs.get('ns')
          const pathValue = args[1] ?? kwargs.get('path')
          const path = pathValue === undefined || isNone(pathValue) ? null : constString(pathValue)
          if (ns?.kind !== 'restx' || !(ns.object instanceof RestxNamespace)) return this.dynamic(`Api.add_namespace(${ns ? describe(ns) : ''}): the namespace is not known statically`, node, scope)
          if (path === undefined) return this.dynamic(`Api.add_namespace(path=${describe(pathValue!)}) is not known statically`, node, scope)
          owner.addNamespace(ns.object, path)
          return NONE
        }
        case 'namespace': {
          const ns = this.createNamespace(args, kwargs, node, scope)
          if (ns.kind === 'restx' && ns.object instanceof RestxNamespace) owner.addNamespace(ns.object, null)
          return ns
        }
        case 'add_resource':
        case 'route':
          return this.callMethod(owner.defaultNamespace, name, args, kwargs, node, scope)
        default:
          return unknown(`Api.${name}() result`)
      }
    }
    if (name === 'add_resource') {
      const [resource, ...urls] = args
      this.addResource(owner, resource, urls, kwargs, node, scope)
      return NONE
    }
    if (name === 'route') {
      return {
        kind: 'decorator',
        apply: (target, decoratorNode) => {
          const options = new Map(kwargs)
          options.delete('doc')
          this.addResource(owner, target, args, options, decoratorNode, scope)
          return target
        },
      }
    }
    return unknown(`Namespace.${name}() result`)
  }

  private addResource(ns: RestxNamespace, resource: Value | undefined, urls: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): void {
    const at = this.host.loc(node, scope)
    if (resource?.kind !== 'class') {
      this.finding('unresolved-view', `add_resource(${resource ? describe(resource) : ''}, …): the resource class could not be resolved statically; its routes were not migrated`, node, scope)
      return
    }
    const endpointValue = kwargs.get('endpoint')
    const endpoint = endpointValue === undefined || isNone(endpointValue) ? null : constString(endpointValue)
    if (endpoint === undefined) {
      this.dynamic(`the endpoint of resource ${resource.name} is not known statically (${describe(endpointValue!)})`, node, scope)
      return
    }
    const texts: string[] = []
    for (const url of urls) {
      const text = constString(url)
      if (text === undefined) this.dynamic(`a URL of resource ${resource.name} is not known statically (${describe(url)}); the route was not migrated`, node, scope)
      else texts.push(text)
    }
    const options = new Map(kwargs)
    for (const key of ['endpoint', 'route_doc', 'resource_class_args', 'resource_class_kwargs']) options.delete(key)
    const ruleOptions = this.host.ruleOptions(options, at)
    if (ruleOptions === null) return
    ns.addResource({ cls: resource, urls: texts, endpoint: endpoint || null, options: ruleOptions, location: at })
  }

  private createApi(args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope, className: string): Value {
    const bound = bind(API_PARAMETERS, args, kwargs)
    const prefix = this.text(bound.get('prefix'), '', 'prefix', node, scope)
    const swaggerFilename = this.text(bound.get('default_swagger_filename'), 'swagger.json', 'default_swagger_filename', node, scope)
    const defaultName = this.text(bound.get('default'), 'default', 'default', node, scope)
    const docValue = bound.get('doc')
    let doc: string | null | undefined = '/'
    if (docValue !== undefined) {
      const truth = docValue.kind === 'const' ? truthiness(docValue) : undefined
      doc = truth === false ? null : constString(docValue)
      if (doc === undefined) this.dynamic(`${className}(doc=${describe(docValue)}): the documentation path is not known statically`, node, scope)
    }
    if (prefix === undefined || swaggerFilename === undefined || defaultName === undefined || doc === undefined) return unknown(`${className} with arguments not known statically`)
    const options: Record<string, PyLiteral> = {}
    for (const [key, value] of kwargs) {
      const literal = toLiteral(value)
      if (literal !== undefined) options[key] = literal
    }
    const api = new RestxApi(prefix, doc, swaggerFilename, defaultName, options, this.host.loc(node, scope), this.host)
    const appValue = bound.get('app')
    if (appValue !== undefined && !isNone(appValue)) {
      const target = this.appOf(appValue, className, node, scope)
      if (target === null) return unknown(`${className} of an app not known statically`)
      api.initApp(target, true, { kind: 'constructor', source: sourceOf(node), location: api.location })
    }
    return { kind: 'restx', object: api }
  }

  private createNamespace(args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value {
    const bound = bind(NAMESPACE_PARAMETERS, args, kwargs)
    const name = constString(bound.get('name'))
    const pathValue = bound.get('path')
    const path = pathValue === undefined || isNone(pathValue) ? null : constString(pathValue)
    if (name === undefined) return this.dynamic(`Namespace(${describe(bound.get('name') ?? NONE)}): the name is not known statically; its routes cannot be named`, node, scope)
    if (path === undefined) return this.dynamic(`Namespace(${JSON.stringify(name)}, path=${describe(pathValue!)}): the path is not known statically`, node, scope)
    const ns = new RestxNamespace(name, path, this.host.loc(node, scope))
    const api = kwargs.get('api')
    if (api?.kind === 'restx' && api.object instanceof RestxApi) ns.apis.push(api.object)
    return { kind: 'restx', object: ns }
  }

  private appOf(value: Value | undefined, what: string, node: SyntaxNode, scope: Scope): AppState | BlueprintState | null {
    if (value?.kind === 'app') return value.app
    if (value?.kind === 'blueprint') return value.blueprint
    this.dynamic(`${what}(${value ? describe(value) : ''}): the app or blueprint is not known statically; its routes cannot be known`, node, scope)
    return null
  }

  /** A string argument with a default; undefined (and a finding) when not a literal. */
  private text(value: Value | undefined, fallback: string, name: string, node: SyntaxNode, scope: Scope): string | undefined {
    if (value === undefined) return fallback
    const text = constString(value)
    if (text === undefined) this.dynamic(`Api(${name}=${describe(value)}) is not known statically; the Api's routes cannot be known`, node, scope)
    return text
  }

  private flag(value: Value | undefined, fallback: boolean, what: string, node: SyntaxNode, scope: Scope): boolean | null {
    if (value === undefined) return fallback
    const truth = value.kind === 'const' ? truthiness(value) : undefined
    if (truth === undefined) {
      this.dynamic(`${what} is not known statically (${describe(value)}); the Api's routes cannot be known`, node, scope)
      return null
    }
    return truth
  }

  /** A finding that hides routes: the value the tool cannot follow. */
  private dynamic(message: string, node: SyntaxNode, scope: Scope): Value {
    this.finding('dynamic-route', message, node, scope)
    return unknown(message)
  }

  private finding(ruleId: string, message: string, node: SyntaxNode, scope: Scope): void {
    this.host.report({ ruleId, severity: 'error', message, location: this.host.loc(node, scope) })
  }
}

/** Which flask_restx class a project class derives from. */
function restxBase(cls: ClassValue): 'Api' | 'Namespace' | null {
  for (const base of cls.bases) {
    if (base.kind === 'external' && API_PATHS.has(base.path)) return 'Api'
    if (base.kind === 'external' && NAMESPACE_PATHS.has(base.path)) return 'Namespace'
    if (base.kind === 'class') {
      const found = restxBase(base)
      if (found !== null) return found
    }
  }
  return null
}

/** Names a project class and its project bases define. */
function ownAttributes(cls: ClassValue, into = new Set<string>()): Set<string> {
  for (const name of cls.attributes.keys()) into.add(name)
  for (const base of cls.bases) if (base.kind === 'class') ownAttributes(base, into)
  return into
}

/** Python's binding of positional and keyword arguments to named parameters. */
function bind(parameters: string[], args: Value[], kwargs: Map<string, Value>): Map<string, Value> {
  const bound = new Map<string, Value>()
  args.forEach((arg, index) => {
    if (index < parameters.length) bound.set(parameters[index]!, arg)
  })
  for (const [key, value] of kwargs) if (!bound.has(key)) bound.set(key, value)
  return bound
}

function constString(value: Value | undefined): string | undefined {
  return value?.kind === 'const' && typeof value.value === 'string' ? value.value : undefined
}

function isNone(value: Value): boolean {
  return value.kind === 'const' && value.value === null
}

function sourceOf(node: SyntaxNode): string {
  return node.text.length > 300 ? node.text.slice(0, 300) + '…' : node.text
}
