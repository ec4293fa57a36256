import type { PyLiteral, SourceLocation } from '../ir/types.js'
import type { SyntaxNode } from '../parse/index.js'
import { BlueprintState, NO_RULE_OPTIONS } from './flask-model.js'
import {
  bind,
  describeValue,
  externalBase,
  extObject,
  isNone,
  literalTruth,
  ownAttributes,
  ownFunctionView,
  ownMethodView,
  readConfig,
  recordExtension,
  sourceOf,
  type ExtensionHost,
  type ExtensionModel,
  type ExtensionObject,
} from './ext-model.js'
import { NONE, truthiness, unknown, type ClassValue, type Scope, type Value } from './values.js'

/**
 * flasgger's route table, as flasgger 0.9.5 (Debian's python3-flasgger) builds it in
 * `Swagger.register_views` when `Swagger(app)` or `swagger.init_app(app)` runs:
 *
 * - the config: `config=` (replacing `Swagger.DEFAULT_CONFIG`, or merged into it with `merge=True`;
 *   the default when not given or empty), then updated with `app.config['SWAGGER']` at init;
 * - one blueprint named `config['endpoint']` (`flasgger`): with `swagger_ui` (the default) its
 *   `url_prefix` and `subdomain`, the static rule of flasgger's `ui3/static` folder at
 *   `static_url_path` (`/flasgger_static`), `specs_route` (`/apidocs/`, endpoint `apidocs`) and
 *   `/apidocs/index.html` (a lambda: endpoint `<lambda>`); then, UI or not, one rule per
 *   `config['specs']` entry (`/apispec_1.json`, endpoint `apispec_1`).
 *
 * Every view is flasgger's own (the Swagger UI page, the JSON specs, the redirect): stubs. A config
 * the analysis cannot read (a value made at run time, `SWAGGER` computed or loaded from a file) is
 * `extension-routes-unknown`.
 */

const EXTENSION = 'flasgger'
const SWAGGER_PATHS = new Set(['flasgger.Swagger', 'flasgger.Flasgger', 'flasgger.base.Swagger', 'flasgger.base.Flasgger'])
const DEFAULT_CONFIG_PATHS = new Set([...SWAGGER_PATHS].map((path) => `${path}.DEFAULT_CONFIG`))
const PARAMETERS = ['app', 'config', 'sanitizer', 'template', 'template_file', 'decorators', 'validation_function', 'validation_error_handler', 'parse', 'format_checker', 'merge']
/** Methods of Swagger that build the route table: a project subclass overriding one is not followed. */
const ROUTING = new Set(['__init__', 'init_app', 'load_config', 'register_views', '_init_config'])

/** A config value the analysis cannot read (a lambda, a value made at run time). */
class Unread {
  constructor(readonly what: string) {}
}
type Cfg = PyLiteral | Unread | CfgDict | Cfg[]
interface CfgDict {
  [key: string]: Cfg
}

/** `Swagger.DEFAULT_CONFIG` (the rule and model filters are lambdas). */
function defaultConfig(): CfgDict {
  return {
    headers: [],
    specs: [{ endpoint: 'apispec_1', route: '/apispec_1.json', rule_filter: new Unread('a lambda'), model_filter: new Unread('a lambda') }],
    static_url_path: '/flasgger_static',
    swagger_ui: true,
    specs_route: '/apidocs/',
  }
}

function toCfg(value: Value): Cfg {
  switch (value.kind) {
    case 'const':
      return value.value
    case 'list':
    case 'tuple':
      return value.items.map(toCfg)
    case 'dict': {
      const out: CfgDict = {}
      for (const [key, item] of value.entries) {
        if (key.kind !== 'const' || typeof key.value !== 'string') return new Unread('a dict with keys that are not literal strings')
        out[key.value] = toCfg(item)
      }
      return out
    }
    case 'external':
      return DEFAULT_CONFIG_PATHS.has(value.path) ? defaultConfig() : new Unread(value.path)
    default:
      return new Unread(describeValue(value))
  }
}

function isDict(value: Cfg | undefined): value is CfgDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Unread) && !('$float' in value)
}

function cfgTruth(value: Cfg): boolean | undefined {
  if (value instanceof Unread) return undefined
  if (isDict(value)) return Object.keys(value).length > 0
  return literalTruth(value as PyLiteral)
}

/** `flasgger.Swagger`. */
class SwaggerObject implements ExtensionObject {
  constructor(
    /** `self.config` before init_app, or why it cannot be read. */
    readonly config: CfgDict | string,
    private readonly model: FlasggerModel,
    readonly location: SourceLocation,
  ) {}

  getAttribute(name: string): Value {
    if (name === 'init_app') return { kind: 'method', owner: extObject(this), name }
    return unknown(`Swagger.${name}`)
  }

  callMethod(name: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value {
    if (name !== 'init_app') return unknown(`Swagger.${name}() result`)
    this.model.initApp(this, args[0] ?? kwargs.get('app'), 'init_app', node, scope, new Map())
    return NONE
  }
}

export class FlasggerModel implements ExtensionModel {
  constructor(private readonly host: ExtensionHost) {}

  callExternal(path: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value | undefined {
    return SWAGGER_PATHS.has(path) ? this.create('Swagger', args, kwargs, node, scope) : undefined
  }

  construct(cls: ClassValue, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value | undefined {
    if (externalBase(cls, SWAGGER_PATHS) === null) return undefined
    const overrides = [...ownAttributes(cls)].filter((name) => ROUTING.has(name))
    if (overrides.length === 0) return this.create(cls.name, args, kwargs, node, scope)
    this.unknownRoutes(`${cls.name} subclasses flasgger.Swagger and overrides ${overrides.join(', ')}, which build its routes (/apidocs/, the spec JSON, flasgger's static files): they are not in the route table; readiness counts them as unknown`, this.host.loc(node, scope))
    return unknown(`${cls.name}: a flasgger.Swagger subclass the tool does not follow`)
  }

  private unknownRoutes(message: string, location: SourceLocation): void {
    this.host.report({ ruleId: 'extension-routes-unknown', severity: 'error', message, location })
  }

  /** `Swagger.__init__` / `Swagger._init_config`. */
  private create(className: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value {
    const bound = bind(PARAMETERS, args, kwargs)
    const configValue = bound.get('config')
    const mergeValue = bound.get('merge')
    const merge = mergeValue === undefined ? false : mergeValue.kind === 'const' ? truthiness(mergeValue) : undefined
    let config: CfgDict | string
    const given = isNone(configValue) ? null : toCfg(configValue!)
    const givenTruth = given === null ? false : cfgTruth(given)
    if (merge === undefined) config = `${className}(merge=${describeValue(mergeValue)}) is not known statically`
    else if (givenTruth === undefined) config = `${className}(config=${describeValue(configValue)}) is not known statically`
    else if (!givenTruth) config = defaultConfig()
    else if (!isDict(given!)) config = `${className}(config=${describeValue(configValue)}) is not a dict`
    else config = merge ? { ...defaultConfig(), ...given } : given
    const swagger = new SwaggerObject(config, this, this.host.loc(node, scope))
    const app = bound.get('app')
    if (app !== undefined && !isNone(app)) this.initApp(swagger, app, 'constructor', node, scope, kwargs)
    return extObject(swagger)
  }

  /** `Swagger.init_app(app)`: `load_config`, then `register_views`. */
  initApp(swagger: SwaggerObject, appValue: Value | undefined, init: 'constructor' | 'init_app', node: SyntaxNode, scope: Scope, kwargs: Map<string, Value>): void {
    const at = this.host.loc(node, scope)
    if (appValue?.kind !== 'app') {
      this.unknownRoutes(`flasgger.Swagger set up on ${describeValue(appValue)}, which is not an app the analysis knows: its routes (/apidocs/, the spec JSON, flasgger's static files) are not in the route table; readiness counts them as unknown`, at)
      return
    }
    const app = appValue.app
    recordExtension(app, { package: EXTENSION, symbol: 'Swagger', init, source: sourceOf(node), location: at }, kwargs)
    const unread = (why: string): void =>
      this.unknownRoutes(`flasgger.Swagger adds its routes (/apidocs/, the spec JSON, flasgger's static files) from its config, and ${why}: they are not in the route table; readiness counts them as unknown`, at)
    if (typeof swagger.config === 'string') return unread(swagger.config)
    const fromApp = readConfig(app, 'SWAGGER')
    if (fromApp.known === false) return unread(`app.config['SWAGGER'] is not known statically (${fromApp.why})`)
    if (fromApp.known === true && !isDict(fromApp.value as Cfg)) return unread(`app.config['SWAGGER'] is not a dict`)
    // `self.config.update(app.config.get('SWAGGER', {}))`: the config object itself is updated.
    const config: CfgDict = Object.assign(swagger.config, fromApp.known === true ? (fromApp.value as CfgDict) : {})
    const get = (key: string, fallback: Cfg): Cfg => (key in config ? config[key]! : fallback)
    const text = (key: string, fallback: string | null): string | null | Unread => {
      const value = get(key, fallback)
      return value === null || typeof value === 'string' ? value : value instanceof Unread ? value : new Unread(`${key}=${JSON.stringify(value)}`)
    }
    const swaggerUi = cfgTruth(get('swagger_ui', true))
    const endpoint = text('endpoint', 'flasgger')
    const urlPrefix = swaggerUi ? text('url_prefix', null) : null
    const subdomain = swaggerUi ? text('subdomain', null) : null
    const staticFolder = text('static_folder', `ui${String(get('uiversion', 3))}/static`)
    const staticUrlPath = text('static_url_path', null)
    const specsRoute = text('specs_route', '/apidocs/')
    for (const [key, value] of Object.entries({ endpoint, url_prefix: urlPrefix, subdomain, static_folder: staticFolder, static_url_path: staticUrlPath, specs_route: specsRoute })) {
      if (value instanceof Unread) return unread(`its ${key} is not known statically (${value.what})`)
    }
    if (swaggerUi === undefined) return unread('its swagger_ui is not known statically')
    if (endpoint === null || specsRoute === null || endpoint instanceof Unread || specsRoute instanceof Unread) return unread('its endpoint or specs_route is None')
    const specs = config.specs
    if (specs === undefined || !Array.isArray(specs)) {
      if (specs === undefined) this.host.report({ ruleId: 'flask-setup-error', severity: 'error', message: `flasgger raises KeyError: its config has no 'specs'`, location: at })
      else unread(`its specs (${specs instanceof Unread ? specs.what : JSON.stringify(specs)}) are not a literal list`)
      return
    }
    const specRules: { route: string; endpoint: string }[] = []
    for (const spec of specs) {
      if (!isDict(spec) || typeof spec.route !== 'string' || typeof spec.endpoint !== 'string') return unread('a spec of its specs has no literal route or endpoint')
      specRules.push({ route: spec.route, endpoint: spec.endpoint })
    }
    if (endpoint.includes('.')) {
      this.host.report({ ruleId: 'flask-setup-error', severity: 'error', message: `flasgger's blueprint would be named ${JSON.stringify(endpoint)}: Flask raises ValueError ('name' may not contain a dot '.' character)`, location: at })
      return
    }
    if (subdomain !== null) this.host.report({ ruleId: 'subdomain-routing', severity: 'error', message: `flasgger's blueprint has subdomain=${JSON.stringify(subdomain)}: routing by subdomain is not carried over`, location: at })
    // flasgger's static folder is inside its package, never the project's: the static rule is added by hand.
    const blueprint = new BlueprintState(endpoint, urlPrefix as string | null, subdomain as string | null, null, null, null, null, at)
    if (swaggerUi) {
      if (staticFolder !== null) {
        const staticPath = (staticUrlPath as string | null) ?? `/${(staticFolder as string).replace(/[\\/]+$/, '').split(/[\\/]/).at(-1) ?? ''}`.replace(/\/+$/, '')
        blueprint.addUrlRule(`${staticPath}/<path:filename>`, 'static', null, NO_RULE_OPTIONS, at)
      }
      blueprint.addUrlRule(specsRoute, 'apidocs', ownMethodView(EXTENSION, 'flasgger.base', 'APIDocsView', 'apidocs', ['GET'], at), NO_RULE_OPTIONS, at)
      // Backwards compatibility with the old URL: a lambda redirecting to apidocs, so its endpoint is '<lambda>'.
      blueprint.addUrlRule('/apidocs/index.html', null, ownFunctionView(EXTENSION, 'flasgger.base', 'Swagger.register_views.<lambda>', '<lambda>', at), NO_RULE_OPTIONS, at)
    }
    for (const spec of specRules) blueprint.addUrlRule(spec.route, spec.endpoint, ownMethodView(EXTENSION, 'flasgger.base', 'APISpecsView', spec.endpoint, ['GET'], at), NO_RULE_OPTIONS, at)
    app.registerBlueprint(blueprint, { urlPrefix: null, name: null, subdomain: null, urlDefaults: null, namePrefix: '' }, at, null)
  }
}
