import type { SourceLocation } from '../ir/types.js'
import type { SyntaxNode } from '../parse/index.js'
import { AppState, BlueprintState, NO_RULE_OPTIONS, type ViewTarget } from './flask-model.js'
import {
  bind,
  constString,
  describeValue,
  externalBase,
  extObject,
  isNone,
  optionalString,
  ownAttributes,
  ownFunctionView,
  recordExtension,
  sourceOf,
  type ExtensionHost,
  type ExtensionModel,
  type ExtensionObject,
} from './ext-model.js'
import { NONE, unknown, type ClassValue, type FunctionValue, type Scope, type Value } from './values.js'

/**
 * Flask-Admin's route table, as flask_admin 1.6.1 builds it (flask_admin/base.py), replayed over
 * what the interpreter saw:
 *
 * - `Admin(app=None, name=, url=, subdomain=, index_view=, endpoint=, static_url_path=, …)`: the
 *   index view (`AdminIndexView(endpoint=endpoint, url=url)` unless given) is the first view; with
 *   an app every view is registered at once, else by `admin.init_app(app)` (which may replace the
 *   index view), and `add_view` after that registers at once. `add_link`, categories and menus add
 *   no route. Two Admins of one app with the same endpoint, or URL and subdomain, raise Exception.
 * - Each view becomes a blueprint named after its endpoint (`BaseView.create_blueprint`): url prefix
 *   `_get_view_url` (`admin.url + '/' + endpoint` by default, `url=` as given when it starts with '/',
 *   else under admin.url; the prefix '/' is None, and then the static files move to
 *   `/static/admin`), a static rule when the view has a static folder (the index view has
 *   flask_admin's own), then one rule per exposed URL in `AdminViewMeta`'s order: attribute names
 *   sorted (`dir(cls)`), each name's `@expose` URLs bottom decorator first.
 * - Endpoints: `endpoint=`, else the model's `__name__.lower()` for model views, `'admin'` for an
 *   `AdminIndexView`, the class name lower-cased for other views.
 *
 * Flask-Admin's standard views (`ModelView`'s list, create, edit, …) are flask_admin's own code;
 * the `@expose` methods of a project's view class are the project's but are dispatched by Flask-Admin
 * (access checks, `self.render`): both are stubs (`extension: 'flask_admin'`). A view class that
 * overrides what builds its blueprint (`__init__`, `_get_endpoint`, `_get_view_url`,
 * `create_blueprint`), a view or model the analysis cannot read, or view classes of flask_admin it
 * does not know are `extension-routes-unknown`.
 */

const EXTENSION = 'flask_admin'

/** A URL of an exposed method: `@expose(url, methods)`. */
interface ExposedUrl {
  url: string
  methods: string[]
}

/** An attribute with `@expose` URLs, and where its code is. */
interface ExposedMethod {
  name: string
  urls: ExposedUrl[]
  /** flask_admin's own method (module, qualname), or the project's function. */
  own: { module: string; qualname: string } | null
  fn: FunctionValue | null
}

/** A view class of flask_admin: its constructor's parameters, how its endpoint defaults, and its exposed methods in `dir()` order. */
interface AdminViewClass {
  name: string
  params: string[]
  /** `class`: the instance's class name lower-cased; `model`: the model's `__name__` lower-cased; `admin`: 'admin'; `collection`: a pymongo collection's name (run time). */
  endpoint: 'class' | 'model' | 'admin' | 'collection'
  /** AdminIndexView: url '/admin' when None, flask_admin's static folder. */
  index: boolean
  exposed: Map<string, ExposedMethod>
}

function exposed(module: string, owner: string, table: [string, [string, string[]][]][]): Map<string, ExposedMethod> {
  return new Map(table.map(([name, urls]) => [name, { name, urls: urls.map(([url, methods]) => ({ url, methods })), own: { module, qualname: `${owner}.${name}` }, fn: null }]))
}

// What flask_admin 1.6.1's classes expose (`cls._urls`), printed by Python from the checkout.
const MODEL_VIEW_EXPOSED: [string, [string, string[]][]][] = [
  ['action_view', [['/action/', ['POST']]]],
  ['ajax_lookup', [['/ajax/lookup/', ['GET']]]],
  ['ajax_update', [['/ajax/update/', ['POST']]]],
  ['create_view', [['/new/', ['GET', 'POST']]]],
  ['delete_view', [['/delete/', ['POST']]]],
  ['details_view', [['/details/', ['GET']]]],
  ['edit_view', [['/edit/', ['GET', 'POST']]]],
  ['export', [['/export/<export_type>/', ['GET']]]],
  ['index_view', [['/', ['GET']]]],
]
const FILE_ADMIN_EXPOSED: [string, [string, string[]][]][] = [
  ['action_view', [['/action/', ['POST']]]],
  ['delete', [['/delete/', ['POST']]]],
  ['download', [['/download/<path:path>', ['GET']]]],
  ['edit', [['/edit/', ['GET', 'POST']]]],
  ['index', [['/old_b/<path:path>', ['GET']], ['/old_index', ['GET']]]],
  ['index_view', [['/b/<path:path>', ['GET']], ['/', ['GET']]]],
  ['mkdir', [['/mkdir/<path:path>', ['GET', 'POST']], ['/mkdir/', ['GET', 'POST']]]],
  ['rename', [['/rename/', ['GET', 'POST']]]],
  ['upload', [['/upload/<path:path>', ['GET', 'POST']], ['/upload/', ['GET', 'POST']]]],
]
const MENU = ['menu_class_name', 'menu_icon_type', 'menu_icon_value']
const BASE_VIEW_PARAMS = ['name', 'category', 'endpoint', 'url', 'static_folder', 'static_url_path', ...MENU]
const MODEL_PARAMS = ['model', 'name', 'category', 'endpoint', 'url', 'static_folder', ...MENU]
const SQLA_PARAMS = ['model', 'session', 'name', 'category', 'endpoint', 'url', 'static_folder', ...MENU]
const FILE_ADMIN_PARAMS = ['base_url', 'name', 'category', 'endpoint', 'url', 'verify_path', ...MENU, 'storage']

const modelView = (name: string, params: string[], extra: Map<string, ExposedMethod> = new Map()): AdminViewClass => ({
  name,
  params,
  endpoint: 'model',
  index: false,
  exposed: new Map([...exposed('flask_admin.model.base', 'BaseModelView', MODEL_VIEW_EXPOSED), ...extra]),
})
const fileAdmin = (name: string, params: string[]): AdminViewClass => ({
  name,
  params: [...params, ...FILE_ADMIN_PARAMS],
  endpoint: 'class',
  index: false,
  exposed: exposed('flask_admin.contrib.fileadmin', 'BaseFileAdmin', FILE_ADMIN_EXPOSED),
})

const VIEW_CLASSES = new Map<string, AdminViewClass>()
function define(paths: string[], cls: AdminViewClass): void {
  for (const path of paths) VIEW_CLASSES.set(path, cls)
}
define(['flask_admin.BaseView', 'flask_admin.base.BaseView'], { name: 'BaseView', params: BASE_VIEW_PARAMS, endpoint: 'class', index: false, exposed: new Map() })
define(['flask_admin.AdminIndexView', 'flask_admin.base.AdminIndexView'], {
  name: 'AdminIndexView',
  params: ['name', 'category', 'endpoint', 'url', 'template', ...MENU],
  endpoint: 'admin',
  index: true,
  exposed: exposed('flask_admin.base', 'AdminIndexView', [['index', [['/', ['GET']]]]]),
})
define(['flask_admin.model.BaseModelView', 'flask_admin.model.base.BaseModelView'], modelView('BaseModelView', MODEL_PARAMS))
define(['flask_admin.contrib.sqla.ModelView', 'flask_admin.contrib.sqla.view.ModelView', 'flask_admin.contrib.sqlamodel.ModelView'], modelView('ModelView', SQLA_PARAMS))
define(['flask_admin.contrib.geoa.ModelView', 'flask_admin.contrib.geoa.view.ModelView'], modelView('ModelView', SQLA_PARAMS))
define(['flask_admin.contrib.peewee.ModelView', 'flask_admin.contrib.peewee.view.ModelView', 'flask_admin.contrib.peeweemodel.ModelView'], modelView('ModelView', MODEL_PARAMS))
define(
  ['flask_admin.contrib.mongoengine.ModelView', 'flask_admin.contrib.mongoengine.view.ModelView'],
  modelView('ModelView', MODEL_PARAMS, exposed('flask_admin.contrib.mongoengine.view', 'ModelView', [['api_file_view', [['/api/file/', ['GET']]]]])),
)
define(['flask_admin.contrib.pymongo.ModelView', 'flask_admin.contrib.pymongo.view.ModelView'], { ...modelView('ModelView', ['coll', 'name', 'category', 'endpoint', 'url', ...MENU]), endpoint: 'collection' })
define(['flask_admin.contrib.fileadmin.BaseFileAdmin'], fileAdmin('BaseFileAdmin', []))
define(['flask_admin.contrib.fileadmin.FileAdmin'], fileAdmin('FileAdmin', ['base_path']))
define(['flask_admin.contrib.fileadmin.s3.S3FileAdmin'], fileAdmin('S3FileAdmin', ['bucket_name', 'region', 'aws_access_key_id', 'aws_secret_access_key']))
define(['flask_admin.contrib.fileadmin.azure.AzureFileAdmin'], fileAdmin('AzureFileAdmin', ['container_name', 'connection_string']))
define(['flask_admin.contrib.rediscli.RedisCli'], {
  name: 'RedisCli',
  params: ['redis', 'name', 'category', 'endpoint', 'url'],
  endpoint: 'class',
  index: false,
  exposed: exposed('flask_admin.contrib.rediscli', 'RedisCli', [
    ['console_view', [['/', ['GET']]]],
    ['execute_view', [['/run/', ['POST']]]],
  ]),
})

const ADMIN_PATHS = new Set(['flask_admin.Admin', 'flask_admin.base.Admin'])
const EXPOSE_PATHS = new Set(['flask_admin.expose', 'flask_admin.base.expose'])
const VIEW_PATHS = new Set(VIEW_CLASSES.keys())
const ADMIN_PARAMS = ['app', 'name', 'url', 'subdomain', 'index_view', 'translations_path', 'endpoint', 'static_url_path', 'base_template', 'template_mode', 'category_icon_classes']
/** Methods of Admin that build the route table: a project subclass overriding one is not followed. */
const ADMIN_ROUTING = new Set(['__init__', 'init_app', 'add_view', 'add_views', '_set_admin_index_view', '_init_extension'])
/** Methods of a view class that decide its blueprint. */
const VIEW_ROUTING = new Set(['__init__', '_get_endpoint', '_get_view_url', 'create_blueprint'])
/** Admin methods that only build the menu. */
const MENU_METHODS = new Set(['add_link', 'add_links', 'add_category', 'add_sub_category', 'add_menu_item'])

/** `@expose(url='/', methods=('GET',))` as a decorator value of a class body. */
class Expose implements ExtensionObject {
  constructor(readonly url: ExposedUrl | string) {}
  getAttribute(name: string): Value {
    return unknown(`expose(…).${name}`)
  }
  callMethod(name: string): Value {
    return unknown(`expose(…).${name}()`)
  }
}

/** A Flask-Admin view instance (`ModelView(User, db.session)`, `MyView(name=…)`). */
export class AdminView implements ExtensionObject {
  /** Where it was added to an Admin (where its routes are said to be unknown, when they are). */
  addedAt: SourceLocation

  constructor(
    readonly className: string,
    /** `self.endpoint`; null when `opaque`. */
    readonly endpoint: string | null,
    /** `self.url` (None until create_blueprint computes it). */
    public url: string | null,
    public staticFolder: string | null,
    public staticUrlPath: string | null,
    readonly exposed: ExposedMethod[],
    readonly location: SourceLocation,
    /** Why its routes cannot be known, or null. */
    readonly opaque: string | null,
  ) {
    this.addedAt = location
  }

  getAttribute(name: string): Value {
    if (name === 'endpoint' && this.endpoint !== null) return { kind: 'const', value: this.endpoint }
    return unknown(`${this.className}.${name}`)
  }

  callMethod(name: string): Value {
    return unknown(`${this.className}.${name}() result`)
  }

  /** `BaseView._get_view_url`. */
  private viewUrl(admin: AdminObject, url: string | null): string {
    if (url === null) {
      if (admin.url !== '/') return `${admin.url}/${this.endpoint}`
      return admin.indexView === this ? '/' : `/${this.endpoint}`
    }
    return url.startsWith('/') ? url : `${admin.url}/${url}`
  }

  /** `BaseView.create_blueprint(admin)`: the blueprint, its static rule and its exposed rules (in the view's own state, as the view keeps it). */
  createBlueprint(admin: AdminObject, location: SourceLocation): BlueprintState {
    if (!this.staticUrlPath) this.staticUrlPath = admin.staticUrlPath
    this.url = this.viewUrl(admin, this.url)
    if (this.url === '/') {
      this.url = null
      if (!this.staticUrlPath) {
        this.staticFolder = 'static'
        this.staticUrlPath = '/static/admin'
      }
    }
    // The static folder is flask_admin's (a path inside its package), never the project's: the rule is added by hand.
    const blueprint = new BlueprintState(this.endpoint!, this.url, admin.subdomain, null, null, null, null, location)
    if (this.staticFolder !== null) {
      const staticPath = this.staticUrlPath ?? `/${this.staticFolder.replace(/[\\/]+$/, '').split(/[\\/]/).at(-1) ?? ''}`.replace(/\/+$/, '')
      blueprint.addUrlRule(`${staticPath}/<path:filename>`, 'static', null, NO_RULE_OPTIONS, location)
    }
    for (const method of this.exposed) {
      const target = this.target(method)
      for (const { url, methods } of method.urls) blueprint.addUrlRule(url, method.name, target, { ...NO_RULE_OPTIONS, methods }, this.location)
    }
    return blueprint
  }

  private target(method: ExposedMethod): ViewTarget {
    if (method.own !== null) return ownFunctionView(EXTENSION, method.own.module, method.own.qualname, method.name, this.location)
    const fn = method.fn!
    // The project's method, dispatched by Flask-Admin (`_handle_view`, `_run_view`): a stub all the same.
    return { view: { kind: 'function', ref: { module: fn.module, qualname: fn.qualname, location: fnLocation(fn) }, extension: EXTENSION }, name: method.name, declaredMethods: null, wrappers: [] }
  }
}

/** Where a project method is (the host locates it when the view is made). */
const FUNCTION_LOCATIONS = new WeakMap<FunctionValue, SourceLocation>()
function fnLocation(fn: FunctionValue): SourceLocation {
  return FUNCTION_LOCATIONS.get(fn) ?? { file: fn.module, line: fn.node.startPosition.row + 1, column: fn.node.startPosition.column + 1 }
}

/** `flask_admin.Admin`. */
export class AdminObject implements ExtensionObject {
  app: AppState | BlueprintState | null = null
  readonly views: AdminView[] = []
  indexView!: AdminView
  endpoint!: string
  url!: string
  private urlUnknown: string | null = null
  /** Registering a view raised (Flask's ValueError for a blueprint name already taken). */
  failed = false

  constructor(
    readonly subdomain: string | null,
    readonly staticUrlPath: string | null,
    readonly location: SourceLocation,
    private readonly model: AdminModel,
    /** Why the Admin's routes cannot be known (arguments the analysis cannot read), or null. */
    readonly opaque: string | null,
  ) {}

  /** `Admin._set_admin_index_view`. */
  setIndexView(indexView: AdminView, endpoint: string | null, url: string | null, location: SourceLocation): void {
    this.indexView = indexView
    // The Admin's URL is the index view's unless given: unknown with an index view the analysis cannot read.
    this.urlUnknown = !url && indexView.opaque !== null ? `the URL of the Admin is its index view's, and ${indexView.opaque}` : null
    this.endpoint = endpoint || indexView.endpoint || 'admin'
    this.url = url || indexView.url || '/admin'
    if (this.views.length > 0) this.views[0] = indexView
    else this.addView(indexView, location)
  }

  /** `Admin.add_view`. */
  addView(view: AdminView, location: SourceLocation): void {
    view.addedAt = location
    this.views.push(view)
    if (this.app !== null) this.register(view, location)
  }

  /** `Admin.init_app(app, index_view=None, endpoint=None, url=None)`. */
  initApp(app: AppState | BlueprintState, indexView: AdminView | null, endpoint: string | null, url: string | null, location: SourceLocation): void {
    this.app = app
    if (!this.initExtension(location)) return
    if (indexView !== null) this.setIndexView(indexView, endpoint, url, location)
    for (const view of this.views) this.register(view, location)
  }

  /** `Admin._init_extension`: two Admins of an app may not share an endpoint, nor a URL and subdomain. */
  initExtension(location: SourceLocation): boolean {
    const app = this.app!
    const admins = this.model.adminsOf(app)
    for (const other of admins) {
      const clash = other.endpoint === this.endpoint ? 'Cannot have two Admin() instances with same endpoint name.' : other.url === this.url && other.subdomain === this.subdomain ? 'Cannot assign two Admin() instances with same URL and subdomain to the same application.' : null
      if (clash !== null) {
        this.model.host.report({ ruleId: 'flask-setup-error', severity: 'error', message: `Flask-Admin raises Exception: ${clash}`, location })
        return false
      }
    }
    admins.push(this)
    return true
  }

  /** `app.register_blueprint(view.create_blueprint(self))`. */
  private register(view: AdminView, location: SourceLocation): void {
    const reason = this.opaque ?? view.opaque ?? this.urlUnknown
    if (reason !== null) {
      this.model.unknownRoutes(`Flask-Admin adds the routes of ${view.className} (its index, list, forms and actions), but ${reason}: they are not in the route table; readiness counts them as unknown`, view.addedAt)
      return
    }
    const blueprint = view.createBlueprint(this, view.location)
    const options = { urlPrefix: null, name: null, subdomain: null, urlDefaults: null, namePrefix: '' }
    // A name already registered is Flask's ValueError (registerBlueprint reports it): Python stops there.
    if (this.app instanceof AppState && this.app.blueprints.some((registered) => registered.name === blueprint.name)) this.failed = true
    if (this.app instanceof AppState) this.app.registerBlueprint(blueprint, options, location, null)
    else this.app!.children.push({ blueprint, options, location })
  }

  getAttribute(name: string): Value {
    switch (name) {
      case 'index_view':
        return extObject(this.indexView)
      case 'url':
        return { kind: 'const', value: this.url }
      case 'endpoint':
        return { kind: 'const', value: this.endpoint }
      case 'subdomain':
        return { kind: 'const', value: this.subdomain }
      default:
        if (ADMIN_ROUTING.has(name) || MENU_METHODS.has(name)) return { kind: 'method', owner: extObject(this), name }
        return unknown(`Admin.${name}`)
    }
  }

  callMethod(name: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value {
    const at = this.model.host.loc(node, scope)
    switch (name) {
      case 'add_view':
        this.model.addViews(this, [args[0] ?? kwargs.get('view')], node, scope)
        return NONE
      case 'add_views':
        this.model.addViews(this, args, node, scope)
        return NONE
      case 'init_app': {
        const bound = bind(['app', 'index_view', 'endpoint', 'url'], args, kwargs)
        const app = bound.get('app')
        if (app?.kind !== 'app' && app?.kind !== 'blueprint') {
          this.model.unknownRoutes(`Admin.init_app(${describeValue(app)}): the app is not known statically; Flask-Admin's routes are not in the route table; readiness counts them as unknown`, at)
          return NONE
        }
        const index = this.model.viewArgument(bound.get('index_view'))
        const endpoint = optionalString(bound.get('endpoint'))
        const url = optionalString(bound.get('url'))
        if (index === undefined || endpoint === undefined || url === undefined) {
          this.model.unknownRoutes(`Admin.init_app(…) with an index view, endpoint or url the analysis cannot read: Flask-Admin's routes are not in the route table; readiness counts them as unknown`, at)
          return NONE
        }
        if (app.kind === 'app') recordExtension(app.app, { package: EXTENSION, symbol: 'Admin', init: 'init_app', source: sourceOf(node), location: at }, new Map())
        this.initApp(app.kind === 'app' ? app.app : app.blueprint, index, endpoint, url, at)
        return NONE
      }
      default:
        if (MENU_METHODS.has(name)) return NONE
        return unknown(`Admin.${name}() result`)
    }
  }
}

/** Flask-Admin's `Admin`, its views and `@expose`, for the interpreter. */
export class AdminModel implements ExtensionModel {
  private readonly admins = new WeakMap<AppState | BlueprintState, AdminObject[]>()

  constructor(readonly host: ExtensionHost) {}

  adminsOf(app: AppState | BlueprintState): AdminObject[] {
    let admins = this.admins.get(app)
    if (admins === undefined) this.admins.set(app, (admins = []))
    return admins
  }

  unknownRoutes(message: string, location: SourceLocation): void {
    this.host.report({ ruleId: 'extension-routes-unknown', severity: 'error', message, location })
  }

  callExternal(path: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value | undefined {
    if (ADMIN_PATHS.has(path)) return this.createAdmin('Admin', args, kwargs, node, scope)
    if (EXPOSE_PATHS.has(path)) {
      const url = args[0] ?? kwargs.get('url')
      const methods = args[1] ?? kwargs.get('methods')
      const text = url === undefined ? '/' : constString(url)
      const list = methods === undefined ? ['GET'] : methodList(methods)
      if (text === undefined) return extObject(new Expose(`expose(${describeValue(url)}): the URL is not known statically`))
      if (list === undefined) return extObject(new Expose(`expose(methods=${describeValue(methods)}): the methods are not known statically`))
      return extObject(new Expose({ url: text, methods: list }))
    }
    const cls = VIEW_CLASSES.get(path)
    if (cls !== undefined) return this.createView(cls, null, args, kwargs, node, scope)
    return undefined
  }

  construct(cls: ClassValue, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value | undefined {
    const adminBase = externalBase(cls, ADMIN_PATHS)
    if (adminBase !== null) {
      const overrides = [...ownAttributes(cls)].filter((name) => ADMIN_ROUTING.has(name))
      if (overrides.length === 0) return this.createAdmin(cls.name, args, kwargs, node, scope)
      this.unknownRoutes(`${cls.name} subclasses flask_admin.Admin and overrides ${overrides.join(', ')}, which register its views: Flask-Admin's routes are not in the route table; readiness counts them as unknown`, this.host.loc(node, scope))
      return unknown(`${cls.name}: a flask_admin.Admin subclass the tool does not follow`)
    }
    const viewBase = externalBase(cls, VIEW_PATHS)
    if (viewBase === null) return undefined
    return this.createView(VIEW_CLASSES.get(viewBase)!, cls, args, kwargs, node, scope)
  }

  /** A view argument: an AdminView, null for None, undefined for anything else. */
  viewArgument(value: Value | undefined): AdminView | null | undefined {
    if (isNone(value)) return null
    if (value?.kind === 'ext-object' && value.object instanceof AdminView) return value.object
    return undefined
  }

  addViews(admin: AdminObject, views: (Value | undefined)[], node: SyntaxNode, scope: Scope): void {
    const at = this.host.loc(node, scope)
    for (const value of views) {
      const view = this.viewArgument(value)
      if (view) admin.addView(view, at)
      else if (view === undefined) {
        // Routes of a view the analysis cannot read: said where it is added.
        this.unknownRoutes(`Admin.add_view(${describeValue(value)}): the view is not a Flask-Admin view the analysis can read (a view class of flask_admin it does not know, or a value made at run time); its routes are not in the route table; readiness counts them as unknown`, at)
      }
    }
  }

  private createAdmin(className: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value {
    const at = this.host.loc(node, scope)
    const bound = bind(ADMIN_PARAMS, args, kwargs)
    const texts = new Map<string, string | null>()
    const unread: string[] = []
    for (const key of ['url', 'subdomain', 'endpoint', 'static_url_path']) {
      const text = optionalString(bound.get(key))
      if (text === undefined) unread.push(`${key}=${describeValue(bound.get(key))}`)
      else texts.set(key, text)
    }
    const indexValue = bound.get('index_view')
    const given = this.viewArgument(indexValue)
    if (given === undefined) unread.push(`index_view=${describeValue(indexValue)}`)
    const subdomain = texts.get('subdomain') ?? null
    if (subdomain !== null) this.host.report({ ruleId: 'subdomain-routing', severity: 'error', message: `${className}(subdomain=${JSON.stringify(subdomain)}): routing by subdomain is not carried over`, location: at })
    const admin = new AdminObject(subdomain, texts.get('static_url_path') ?? null, at, this, unread.length > 0 ? `${className}(${unread.join(', ')}) is not known statically` : null)
    const endpoint = texts.get('endpoint') ?? null
    const url = texts.get('url') ?? null
    const indexView = given ?? this.indexView(endpoint, url, at)
    const appValue = bound.get('app')
    if (!isNone(appValue)) {
      if (appValue?.kind !== 'app' && appValue?.kind !== 'blueprint') {
        this.unknownRoutes(`${className}(${describeValue(appValue)}): the app is not known statically; Flask-Admin's routes are not in the route table; readiness counts them as unknown`, at)
        return unknown(`${className} of an app not known statically`)
      }
      admin.app = appValue.kind === 'app' ? appValue.app : appValue.blueprint
      if (appValue.kind === 'app') recordExtension(appValue.app, { package: EXTENSION, symbol: 'Admin', init: 'constructor', source: sourceOf(node), location: at }, kwargs)
    }
    admin.setIndexView(indexView, endpoint, url, at)
    if (admin.app !== null && !admin.failed) admin.initExtension(at)
    return extObject(admin)
  }

  /** `AdminIndexView(endpoint=endpoint, url=url)` made by `Admin`. */
  private indexView(endpoint: string | null, url: string | null, at: SourceLocation): AdminView {
    const cls = VIEW_CLASSES.get('flask_admin.AdminIndexView')!
    return new AdminView('AdminIndexView', endpoint || 'admin', url ?? '/admin', 'static', null, [...cls.exposed.values()], at, null)
  }

  private createView(cls: AdminViewClass, project: ClassValue | null, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value {
    const at = this.host.loc(node, scope)
    const className = project?.name ?? cls.name
    const opaque = (reason: string): Value => extObject(new AdminView(className, null, null, null, null, [], at, reason))
    if (project !== null) {
      const overrides = [...ownAttributes(project)].filter((name) => VIEW_ROUTING.has(name))
      if (overrides.length > 0) return opaque(`${className} overrides ${overrides.join(', ')}, which decide its endpoint and URL`)
    }
    const methods = project !== null ? this.exposedOf(project, cls) : [...cls.exposed.values()]
    if (typeof methods === 'string') return opaque(methods)
    if (!methods.some((method) => method.urls.some((url) => url.url === '/'))) {
      this.host.report({ ruleId: 'flask-setup-error', severity: 'error', message: `Flask-Admin raises Exception: Attempted to instantiate admin view ${className} without default view (no method is exposed at '/')`, location: at })
      return unknown(`${className} without a default view`)
    }
    const bound = bind(cls.params, args, kwargs)
    const endpointArg = optionalString(bound.get('endpoint'))
    const url = optionalString(bound.get('url'))
    const staticFolder = cls.index ? 'static' : optionalString(bound.get('static_folder'))
    const staticUrlPath = cls.index ? null : optionalString(bound.get('static_url_path'))
    for (const [key, value] of [['endpoint', endpointArg], ['url', url], ['static_folder', staticFolder], ['static_url_path', staticUrlPath]] as const) {
      if (value === undefined) return opaque(`${className}(${key}=${describeValue(bound.get(key))}) is not known statically`)
    }
    let endpoint = endpointArg as string | null
    if (!endpoint) {
      if (cls.endpoint === 'admin') endpoint = 'admin'
      else if (cls.endpoint === 'class') endpoint = className.toLowerCase()
      else if (cls.endpoint === 'collection') return opaque(`a pymongo ${className} without endpoint= is named after its collection, known only at run time`)
      else {
        const model = bound.get('model')
        const name = model?.kind === 'class' ? model.name : model?.kind === 'external' ? model.path.split('.').at(-1)! : null
        if (name === null) return opaque(`its model (${describeValue(model)}) is not a class the analysis can name, and the endpoint is the model's name`)
        endpoint = name.toLowerCase()
      }
    }
    if (endpoint.includes('.')) {
      this.host.report({ ruleId: 'flask-setup-error', severity: 'error', message: `the blueprint of Flask-Admin view ${className} would be named ${JSON.stringify(endpoint)}: Flask raises ValueError ('name' may not contain a dot '.' character)`, location: at })
      return unknown(`${className} with a dotted endpoint`)
    }
    return extObject(new AdminView(className, endpoint, cls.index && url === null ? '/admin' : (url as string | null), staticFolder as string | null, staticUrlPath as string | null, methods, at, null))
  }

  /**
   * `AdminViewMeta`: the exposed methods of a project class, names sorted as `dir(cls)` sorts them.
   * A name resolves as attribute lookup does (the class, then its bases in order, flask_admin's
   * class by its table); a project method counts when it has `@expose` decorators.
   */
  private exposedOf(project: ClassValue, base: AdminViewClass): ExposedMethod[] | string {
    const names = [...new Set([...base.exposed.keys(), ...ownAttributes(project)])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const out: ExposedMethod[] = []
    for (const name of names) {
      const found = this.lookup(project, name)
      if (found === null) continue
      if ('own' in found) {
        out.push(found)
        continue
      }
      const urls = this.exposeUrls(found.value, found.node)
      if (typeof urls === 'string') return urls
      if (urls.length > 0) out.push({ name, urls, own: null, fn: found.value as FunctionValue })
    }
    return out
  }

  private lookup(cls: ClassValue, name: string): ExposedMethod | { value: Value; node: SyntaxNode } | null {
    const own = cls.attributes.get(name)
    if (own !== undefined) return own
    for (const base of cls.bases) {
      if (base.kind === 'class') {
        const found = this.lookup(base, name)
        if (found !== null) return found
      } else if (base.kind === 'external') {
        const found = VIEW_CLASSES.get(base.path)?.exposed.get(name)
        if (found !== undefined) return found
      }
    }
    return null
  }

  /** The `@expose(…)` URLs of a class attribute, bottom decorator first (as `f._urls` collects them); a string when one cannot be read. */
  private exposeUrls(value: Value, node: SyntaxNode): ExposedUrl[] | string {
    if (value.kind !== 'function' || node.type !== 'decorated_definition') return []
    FUNCTION_LOCATIONS.set(value, this.host.loc(value.node, value.closure))
    const urls: ExposedUrl[] = []
    const decorators = node.namedChildren.filter((child) => child.type === 'decorator')
    for (const decorator of decorators.reverse()) {
      const expression = decorator.namedChildren[0]
      if (expression?.type !== 'call') continue
      const callee = this.host.evaluate(expression.childForFieldName('function')!, value.closure)
      if (callee.kind !== 'external' || !EXPOSE_PATHS.has(callee.path)) continue
      const marker = this.host.evaluate(expression, value.closure)
      if (marker.kind !== 'ext-object' || !(marker.object instanceof Expose)) continue
      if (typeof marker.object.url === 'string') return `${value.qualname}: ${marker.object.url}`
      urls.push(marker.object.url)
    }
    return urls
  }
}

function methodList(value: Value): string[] | undefined {
  if (value.kind !== 'list' && value.kind !== 'tuple' && value.kind !== 'set') return undefined
  const out: string[] = []
  for (const item of value.items) {
    const text = constString(item)
    if (text === undefined) return undefined
    out.push(text.toUpperCase())
  }
  return out
}

