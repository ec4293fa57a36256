import type {
  BlueprintIR,
  CodeRef,
  ConfigEntryIR,
  ErrorHandlerIR,
  ExtensionIR,
  Finding,
  HookIR,
  HookKind,
  PyLiteral,
  RouteIR,
  SourceLocation,
  ViewIR,
} from '../ir/types.js'
import { parseRuleConverters } from './rule-text.js'

/**
 * Flask's own registration algorithms (Flask 2.2 `Flask.add_url_rule`, `Blueprint.register`,
 * `BlueprintSetupState.add_url_rule`), replayed over what the interpreter saw, so the route
 * table equals `app.url_map` rule for rule.
 */

/** The view a rule points at, as the interpreter resolved it. */
export interface ViewTarget {
  view: ViewIR | null
  /** `view_func.__name__`: the default endpoint. */
  name: string | null
  /** Methods a class-based view declares (`View.methods`), used when `methods=` is not given. */
  declaredMethods: string[] | null
  /** Decorators wrapping the function under its route decorator. */
  wrappers: string[]
  /** Those of `wrappers` the translator carries over (see view-decorators.ts). */
  carriedWrappers?: string[]
}

export interface RuleOptions {
  methods: string[] | null
  defaults: Record<string, PyLiteral> | null
  strictSlashes: boolean | null
  provideAutomaticOptions: boolean | null
  redirectTo: string | null
  subdomain: string | null
  host: string | null
}

export const NO_RULE_OPTIONS: RuleOptions = {
  methods: null,
  defaults: null,
  strictSlashes: null,
  provideAutomaticOptions: null,
  redirectTo: null,
  subdomain: null,
  host: null,
}

interface DeferredRule {
  rule: string
  endpoint: string | null
  target: ViewTarget | null
  options: RuleOptions
  location: SourceLocation
  /** A Flask-RESTful resource URL on an `Api(bp)`: the rule is completed at registration (`_complete_url`: blueprint prefix + api prefix + url). */
  restfulUrl?: { api: RestfulApi; url: string }
  /** `Api.init_app(bp)` / `Api(bp)`: Flask-RESTful's `_deferred_blueprint_init`, recorded on the blueprint. */
  restfulInit?: RestfulApi
  /** A callable rule (an extension's `partial(_complete_url, url)`): only an extension's patched `add_url_rule` takes one. */
  ruleOf?: (urlPrefix: string | null) => string
  /** A deferred function (`Blueprint.record(fn)`), run with the registration's setup state; false when it raises (the registration stops). */
  record?: (state: SetupState) => boolean
}

/** A rule as `BlueprintSetupState.add_url_rule` takes it: text, or a callable of the url prefix. */
export type SetupRule = string | ((urlPrefix: string | null) => string)

/**
 * Flask's `BlueprintSetupState` for one registration, as deferred functions see it. `addUrlRule` is
 * replaceable, as extensions patch `setup_state.add_url_rule` (`patchedBy` names the patch). It
 * stays usable after the registration (an extension may keep the state and add rules later).
 */
export interface SetupState {
  readonly app: AppState
  readonly blueprint: BlueprintState
  /** The name the blueprint is registered under (with its parents' names). */
  readonly name: string
  readonly urlPrefix: string | null
  readonly subdomain: string | null
  readonly urlDefaults: Record<string, PyLiteral>
  readonly firstRegistration: boolean
  readonly location: SourceLocation
  addUrlRule: (rule: SetupRule, endpoint: string | null, target: ViewTarget | null, options: RuleOptions, at: SourceLocation) => void
  patchedBy: string | null
}

/** A resource added to a Flask-RESTful `Api` (`api.add_resource(Resource, *urls, endpoint=…, **options)`). */
export interface RestfulResource {
  target: ViewTarget
  urls: string[]
  /** `endpoint=`, else `Resource.__name__.lower()`. */
  endpoint: string
  options: RuleOptions
  location: SourceLocation
}

/**
 * A Flask-RESTful `Api` (flask_restful/__init__.py, 0.3.x), kept as the library keeps it:
 * `Api(app)` registers resources on the app at once (`prefix + url`); `Api(bp)` records its
 * blueprint init and adds each URL to the blueprint as a callable rule completed at registration;
 * `Api()` keeps resources until `init_app`, and one given a blueprint there registers them when the
 * blueprint is registered, with the blueprint prefix only.
 */
export class RestfulApi {
  /** `self.app`: set only by the constructor (`Api(app)` or `Api(bp)`). */
  app: AppState | BlueprintState | null = null
  /** `self.blueprint`: set by `init_app(bp)`. */
  blueprint: BlueprintState | null = null
  /** `self.resources`: added while `self.app` was None, registered by a later `init_app`. */
  readonly resources: RestfulResource[] = []

  constructor(
    readonly prefix: string,
    readonly location: SourceLocation,
  ) {}

  /** `Api._complete_url` with the default `url_part_order='bae'`. */
  completeUrl(url: string, registrationPrefix: string): string {
    return [registrationPrefix, this.prefix, url].filter((part) => part !== '').join('')
  }

  /** `Api.init_app(app_or_blueprint)`. */
  initApp(target: AppState | BlueprintState, location: SourceLocation): void {
    if (target instanceof BlueprintState) {
      this.blueprint = target
      target.deferred.push({ rule: '', endpoint: null, target: null, options: NO_RULE_OPTIONS, location, restfulInit: this })
    } else {
      for (const resource of this.resources) this.registerOn(target, resource)
    }
  }

  /** `Api.add_resource`: registered now when the Api has `self.app`, else kept. */
  addResource(resource: RestfulResource): void {
    if (this.app === null) this.resources.push(resource)
    else if (this.app instanceof BlueprintState) {
      for (const url of resource.urls) {
        this.app.deferred.push({ rule: url, endpoint: null, target: { ...resource.target, name: resource.endpoint }, options: resource.options, location: resource.location, restfulUrl: { api: this, url } })
      }
    } else this.registerOn(this.app, resource)
  }

  /** `_register_view` on an app without a blueprint: `app.add_url_rule(prefix + url, view_func=…)`. */
  private registerOn(app: AppState, resource: RestfulResource): void {
    for (const url of resource.urls) app.addUrlRule(this.completeUrl(url, ''), resource.endpoint, resource.target, resource.options, null, resource.location)
  }
}

interface ScopedHook {
  kind: HookKind
  ref: CodeRef
  location: SourceLocation
}

interface ScopedErrorHandler {
  key: ErrorHandlerIR['key']
  ref: CodeRef
  location: SourceLocation
  appWide: boolean
}

export interface RegistrationOptions {
  urlPrefix: string | null
  name: string | null
  subdomain: string | null
  urlDefaults: Record<string, PyLiteral> | null
  namePrefix: string
}

export class BlueprintState {
  readonly deferred: DeferredRule[] = []
  readonly children: { blueprint: BlueprintState; options: RegistrationOptions; location: SourceLocation }[] = []
  readonly hooks: ScopedHook[] = []
  readonly errorHandlers: ScopedErrorHandler[] = []
  registeredOnce = false

  constructor(
    readonly name: string,
    readonly urlPrefix: string | null,
    readonly subdomain: string | null,
    readonly staticFolder: string | null,
    readonly staticUrlPath: string | null,
    readonly templateFolder: string | null,
    readonly urlDefaults: Record<string, PyLiteral> | null,
    readonly location: SourceLocation,
  ) {}

  addUrlRule(rule: SetupRule, endpoint: string | null, target: ViewTarget | null, options: RuleOptions, location: SourceLocation): void {
    if (typeof rule === 'string') this.deferred.push({ rule, endpoint, target, options, location })
    else this.deferred.push({ rule: '', ruleOf: rule, endpoint, target, options, location })
  }

  /** `Blueprint.record(fn)`: `fn(state)` runs at each registration; it returns false when it raises. */
  record(fn: (state: SetupState) => boolean, location: SourceLocation): void {
    this.deferred.push({ rule: '', endpoint: null, target: null, options: NO_RULE_OPTIONS, location, record: fn })
  }

  /** `static_url_path` as Flask's Scaffold derives it. */
  effectiveStaticUrlPath(): string | null {
    if (this.staticUrlPath !== null) return this.staticUrlPath
    if (this.staticFolder !== null) return `/${basename(this.staticFolder)}`.replace(/\/+$/, '')
    return null
  }
}

export class AppState {
  readonly routes: RouteIR[] = []
  readonly blueprints: BlueprintIR[] = []
  readonly hooks: HookIR[] = []
  readonly errorHandlers: ErrorHandlerIR[] = []
  readonly extensions: ExtensionIR[] = []
  readonly config = new Map<string, ConfigEntryIR>()
  readonly viewFunctions = new Map<string, string>()
  /** Literal values of secret config entries (and their in-code fallbacks): kept out of the IR, used only to keep them out of emitted files. */
  readonly secretValues = new Set<string>()
  strictSlashes = true
  hostMatching = false
  /** Config loaded from where the analysis cannot read it (`config.from_pyfile(…)`, an object it could not resolve), in order. */
  readonly unreadConfig: string[] = []
  private readonly registeredNames = new Map<string, BlueprintState>()

  constructor(
    readonly importName: string,
    readonly staticFolder: string | null,
    readonly staticUrlPath: string | null,
    readonly templateFolder: string | null,
    readonly location: SourceLocation,
    readonly findings: Finding[],
  ) {
    const staticPath = this.effectiveStaticUrlPath()
    if (staticFolder !== null && staticPath !== null) {
      this.addUrlRule(`${staticPath}/<path:filename>`, 'static', null, NO_RULE_OPTIONS, null, location)
    }
  }

  effectiveStaticUrlPath(): string | null {
    if (this.staticUrlPath !== null) return this.staticUrlPath
    if (this.staticFolder !== null) return `/${basename(this.staticFolder)}`.replace(/\/+$/, '')
    return null
  }

  /** Flask.add_url_rule. */
  addUrlRule(
    rule: string,
    endpoint: string | null,
    target: ViewTarget | null,
    options: RuleOptions,
    blueprint: string | null,
    location: SourceLocation,
  ): void {
    const resolvedEndpoint = endpoint ?? target?.name ?? null
    if (resolvedEndpoint === null) {
      this.findings.push({
        ruleId: 'unresolved-view',
        severity: 'error',
        message: `rule ${JSON.stringify(rule)} has no endpoint and no view function whose name could be read`,
        location,
      })
      return
    }
    const given = options.methods ?? target?.declaredMethods ?? ['GET']
    const methods = new Set(given.map((method) => method.toUpperCase()))
    let provideAutomaticOptions = options.provideAutomaticOptions
    if (provideAutomaticOptions === null) provideAutomaticOptions = !methods.has('OPTIONS')
    const allMethods = new Set(methods)
    if (provideAutomaticOptions) allMethods.add('OPTIONS')
    if (allMethods.has('GET')) allMethods.add('HEAD')
    if (!rule.startsWith('/')) {
      this.findings.push({
        ruleId: 'flask-setup-error',
        severity: 'error',
        message: `rule ${JSON.stringify(rule)} does not start with '/': Flask refuses it (ValueError: urls must start with a leading slash)`,
        location,
      })
      return
    }
    const previous = this.viewFunctions.get(resolvedEndpoint)
    const viewKey = target?.view ? `${target.view.ref.module}:${target.view.ref.qualname}` : null
    if (previous !== undefined && viewKey !== null && previous !== viewKey) {
      this.findings.push({
        ruleId: 'flask-setup-error',
        severity: 'error',
        message: `endpoint ${JSON.stringify(resolvedEndpoint)} is mapped to two different view functions: Flask raises AssertionError at start-up`,
        location,
      })
    }
    if (viewKey !== null && previous === undefined) this.viewFunctions.set(resolvedEndpoint, viewKey)
    this.routes.push({
      rule,
      endpoint: resolvedEndpoint,
      methods: [...methods].sort(),
      allMethods: [...allMethods].sort(),
      converters: parseRuleConverters(rule),
      defaults: options.defaults && Object.keys(options.defaults).length > 0 ? options.defaults : null,
      // Werkzeug's Rule.bind takes the map's setting at the moment the rule is added.
      strictSlashes: options.strictSlashes ?? this.strictSlashes,
      provideAutomaticOptions,
      redirectTo: options.redirectTo,
      subdomain: options.subdomain,
      host: options.host,
      blueprint,
      view: target?.view ?? null,
      location,
    })
    const uncarried = target?.wrappers.filter((wrapper) => !target.carriedWrappers?.includes(wrapper)) ?? []
    if (uncarried.length > 0) {
      this.findings.push({
        ruleId: 'unknown-view-decorator',
        severity: 'error',
        message: `view ${JSON.stringify(resolvedEndpoint)} is wrapped by ${uncarried.map((w) => `@${w}`).join(', ')}, whose behaviour the tool cannot carry over`,
        location: target!.view?.ref.location ?? location,
        endpoint: resolvedEndpoint,
        blockers: uncarried.map((wrapper) => `@${wrapper.replace(/\(.*$/s, '').replace(/\s+/g, '')}`),
      })
    }
  }

  /** Blueprint.register with BlueprintSetupState, children included. */
  registerBlueprint(blueprint: BlueprintState, options: RegistrationOptions, location: SourceLocation, parent: string | null): void {
    const selfName = options.name ?? blueprint.name
    const name = `${options.namePrefix}.${selfName}`.replace(/^\.+/, '')
    const existing = this.registeredNames.get(name)
    if (existing !== undefined) {
      this.findings.push({
        ruleId: 'flask-setup-error',
        severity: 'error',
        message: `a blueprint is already registered under the name ${JSON.stringify(name)}: Flask raises ValueError; give the second registration a unique name=`,
        location,
      })
      return
    }
    const firstRegistration = ![...this.registeredNames.values()].includes(blueprint)
    this.registeredNames.set(name, blueprint)
    blueprint.registeredOnce = true

    const urlPrefix = options.urlPrefix ?? blueprint.urlPrefix
    const subdomain = options.subdomain ?? blueprint.subdomain
    const urlDefaults = { ...(blueprint.urlDefaults ?? {}), ...(options.urlDefaults ?? {}) }
    this.blueprints.push({
      name,
      localName: blueprint.name,
      parent,
      urlPrefix: urlPrefix ?? '',
      subdomain,
      staticFolder: blueprint.staticFolder,
      staticUrlPath: blueprint.effectiveStaticUrlPath(),
      // Filled in by toAppIR, which knows the project root.
      staticFolderPath: null,
      staticFolderHasFiles: false,
      templateFolder: blueprint.templateFolder,
      location: blueprint.location,
      registeredAt: location,
    })

    const addRule = (rule: string, endpoint: string | null, target: ViewTarget | null, ruleOptions: RuleOptions, at: SourceLocation): void => {
      let fullRule = rule
      if (urlPrefix !== null) fullRule = rule ? [urlPrefix.replace(/\/+$/, ''), rule.replace(/^\/+/, '')].join('/') : urlPrefix
      const localEndpoint = endpoint ?? target?.name ?? null
      const defaults = ruleOptions.defaults ? { ...urlDefaults, ...ruleOptions.defaults } : urlDefaults
      this.addUrlRule(
        fullRule,
        localEndpoint === null ? null : `${options.namePrefix}.${selfName}.${localEndpoint}`.replace(/^\.+/, ''),
        target,
        { ...ruleOptions, defaults, subdomain: ruleOptions.subdomain ?? subdomain },
        name,
        at,
      )
    }

    const staticPath = blueprint.effectiveStaticUrlPath()
    if (blueprint.staticFolder !== null && staticPath !== null) {
      addRule(`${staticPath}/<path:filename>`, 'static', null, NO_RULE_OPTIONS, blueprint.location)
    }
    if (firstRegistration || !this.hooks.some((hook) => hook.blueprint === name)) {
      for (const hook of blueprint.hooks) {
        const appWide = hook.kind.endsWith('_app_request')
        const kind = appWide ? (hook.kind.replace('_app_request', '_request') as HookKind) : hook.kind
        this.hooks.push({ kind, blueprint: appWide ? null : name, ref: hook.ref, location: hook.location })
      }
      for (const handler of blueprint.errorHandlers) {
        this.errorHandlers.push({ blueprint: handler.appWide ? null : name, key: handler.key, ref: handler.ref, location: handler.location })
      }
    }
    // Flask-RESTful's blueprint init replaces this registration's add_url_rule (`_blueprint_setup_add_url_rule_patch`):
    // from then on a rule is the prefix + the rule as plain text (a resource URL: `_complete_url`), and the
    // endpoint is named after blueprint.name, whatever name the blueprint is registered under.
    let restfulPatched = false
    const addPatchedRule = (fullRule: string, endpoint: string, target: ViewTarget | null, ruleOptions: RuleOptions, at: SourceLocation): void => {
      const defaults = ruleOptions.defaults ? { ...urlDefaults, ...ruleOptions.defaults } : urlDefaults
      this.addUrlRule(fullRule, `${blueprint.name}.${endpoint}`, target, { ...ruleOptions, defaults, subdomain: ruleOptions.subdomain ?? subdomain }, name, at)
    }
    const prefixed = (rule: string): string => (urlPrefix ? urlPrefix + rule : rule)
    const state: SetupState = {
      app: this,
      blueprint,
      name,
      urlPrefix,
      subdomain,
      urlDefaults,
      firstRegistration,
      location,
      patchedBy: null,
      addUrlRule: (rule, endpoint, target, ruleOptions, at) => {
        if (typeof rule === 'string') addRule(rule, endpoint, target, ruleOptions, at)
        else this.findings.push({ ruleId: 'flask-setup-error', severity: 'error', message: `a callable URL rule reached Flask's own add_url_rule on blueprint ${JSON.stringify(name)}: Flask fails at start-up`, location: at })
      },
    }
    for (const rule of blueprint.deferred) {
      const endpoint = rule.endpoint ?? rule.target?.name ?? null
      if (rule.record !== undefined) {
        if (!rule.record(state)) return
      } else if (rule.restfulInit !== undefined) {
        if (!firstRegistration) {
          this.findings.push({ ruleId: 'flask-setup-error', severity: 'error', message: 'flask-restful blueprints can only be registered once: Flask-RESTful raises ValueError', location })
          return
        }
        restfulPatched = true
        for (const resource of rule.restfulInit.resources) {
          for (const url of resource.urls) addPatchedRule(prefixed(url), resource.endpoint, resource.target, resource.options, resource.location)
        }
      } else if (rule.restfulUrl !== undefined && endpoint !== null) {
        addPatchedRule(rule.restfulUrl.api.completeUrl(rule.restfulUrl.url, urlPrefix ?? ''), endpoint, rule.target, rule.options, rule.location)
      } else if (restfulPatched && endpoint !== null) {
        addPatchedRule(prefixed(rule.rule), endpoint, rule.target, rule.options, rule.location)
      } else state.addUrlRule(rule.ruleOf ?? rule.rule, rule.endpoint, rule.target, rule.options, rule.location)
    }
    for (const child of blueprint.children) {
      const childPrefix = child.options.urlPrefix ?? child.blueprint.urlPrefix
      let prefix: string | null = null
      if (urlPrefix !== null && childPrefix !== null) prefix = urlPrefix.replace(/\/+$/, '') + '/' + childPrefix.replace(/^\/+/, '')
      else if (childPrefix !== null) prefix = childPrefix
      else if (urlPrefix !== null) prefix = urlPrefix
      this.registerBlueprint(child.blueprint, { ...child.options, urlPrefix: prefix, namePrefix: name }, child.location, name)
    }
  }
}

function basename(path: string): string {
  const parts = path.replace(/[\\/]+$/, '').split(/[\\/]/)
  return parts.at(-1) ?? ''
}
