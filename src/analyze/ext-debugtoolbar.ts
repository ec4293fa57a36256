import type { SourceLocation } from '../ir/types.js'
import type { SyntaxNode } from '../parse/index.js'
import { AppState, BlueprintState, NO_RULE_OPTIONS, type RuleOptions } from './flask-model.js'
import {
  describeValue,
  externalBase,
  extObject,
  isNone,
  literalTruth,
  ownAttributes,
  ownFunctionView,
  readConfig,
  recordExtension,
  sourceOf,
  type ExtensionHost,
  type ExtensionModel,
  type ExtensionObject,
} from './ext-model.js'
import { NONE, unknown, type ClassValue, type Scope, type Value } from './values.js'

/**
 * Flask-DebugToolbar's route table, as flask_debugtoolbar 0.14 builds it in
 * `DebugToolbarExtension.init_app(app)` (`DebugToolbarExtension(app)` calls it):
 *
 * nothing unless `DEBUG_TB_ENABLED` (by default `app.debug`, the app's `DEBUG` when it is set up)
 * is true; then the app rule `/_debug_toolbar/static/<path:filename>` (endpoint
 * `_debug_toolbar.static`) and the module-level `debugtoolbar` blueprint at `/_debug_toolbar/views`,
 * whose views the panels of `DEBUG_TB_PANELS` add when they are first imported (once per process):
 * the template panel's editor (`/template/<key>`, `/template/<key>/save`, `/template/<key>` POST)
 * and the SQLAlchemy panel's `sql_select` (`/sqlalchemy/sql_explain` with `explain=True`, then
 * `/sqlalchemy/sql_select`).
 *
 * All are the toolbar's own views: stubs. When `DEBUG` (or `DEBUG_TB_ENABLED`) is not set in the code,
 * Flask takes `DEBUG` from the environment (`FLASK_DEBUG`) when the app is made: whether the routes
 * exist is known only at run time, and the analysis says so (`extension-routes-unknown`) instead of
 * guessing; so it does for a computed value, and for a panel outside flask_debugtoolbar (it may add
 * views of its own to the toolbar's blueprint).
 */

const EXTENSION = 'flask_debugtoolbar'
const TOOLBAR_PATHS = new Set(['flask_debugtoolbar.DebugToolbarExtension'])
const ROUTING = new Set(['__init__', 'init_app', '_default_config'])
const WHAT = "its routes (/_debug_toolbar/static/<path:filename> and the toolbar's views under /_debug_toolbar/views)"

/** `DEBUG_TB_PANELS` by default (`_default_config`). */
const DEFAULT_PANELS = [
  'flask_debugtoolbar.panels.versions.VersionDebugPanel',
  'flask_debugtoolbar.panels.timer.TimerDebugPanel',
  'flask_debugtoolbar.panels.headers.HeaderDebugPanel',
  'flask_debugtoolbar.panels.request_vars.RequestVarsDebugPanel',
  'flask_debugtoolbar.panels.config_vars.ConfigVarsDebugPanel',
  'flask_debugtoolbar.panels.template.TemplateDebugPanel',
  'flask_debugtoolbar.panels.sqlalchemy.SQLAlchemyDebugPanel',
  'flask_debugtoolbar.panels.logger.LoggingPanel',
  'flask_debugtoolbar.panels.route_list.RouteListDebugPanel',
  'flask_debugtoolbar.panels.profiler.ProfilerDebugPanel',
  'flask_debugtoolbar.panels.g.GDebugPanel',
]

/** The `@module.route(…)` views each panel module of flask_debugtoolbar adds when imported, in order. */
const PANEL_ROUTES: Record<string, { rule: string; view: string; methods: string[] | null; defaults?: Record<string, boolean> }[]> = {
  'flask_debugtoolbar.panels.template': [
    { rule: '/template/<key>', view: 'template_editor', methods: null },
    { rule: '/template/<key>/save', view: 'save_template', methods: ['POST'] },
    { rule: '/template/<key>', view: 'template_preview', methods: ['POST'] },
  ],
  'flask_debugtoolbar.panels.sqlalchemy': [
    { rule: '/sqlalchemy/sql_explain', view: 'sql_select', methods: ['GET', 'POST'], defaults: { explain: true } },
    { rule: '/sqlalchemy/sql_select', view: 'sql_select', methods: ['GET', 'POST'] },
  ],
}

class ToolbarObject implements ExtensionObject {
  constructor(private readonly model: DebugToolbarModel) {}

  getAttribute(name: string): Value {
    if (name === 'init_app') return { kind: 'method', owner: extObject(this), name }
    return unknown(`DebugToolbarExtension.${name}`)
  }

  callMethod(name: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value {
    if (name !== 'init_app') return unknown(`DebugToolbarExtension.${name}() result`)
    this.model.initApp(args[0] ?? kwargs.get('app'), 'init_app', node, scope)
    return NONE
  }
}

export class DebugToolbarModel implements ExtensionModel {
  /** flask_debugtoolbar's module-level `Blueprint('debugtoolbar', __name__)`, shared by every app of the process. */
  private module: BlueprintState | null = null
  /** Panel modules already imported: their views are on the blueprint. */
  private readonly imported = new Set<string>()

  constructor(private readonly host: ExtensionHost) {}

  callExternal(path: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value | undefined {
    if (!TOOLBAR_PATHS.has(path)) return undefined
    const app = args[0] ?? kwargs.get('app')
    if (!isNone(app)) this.initApp(app, 'constructor', node, scope)
    return extObject(new ToolbarObject(this))
  }

  construct(cls: ClassValue, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value | undefined {
    const base = externalBase(cls, TOOLBAR_PATHS)
    if (base === null) return undefined
    const overrides = [...ownAttributes(cls)].filter((name) => ROUTING.has(name))
    if (overrides.length === 0) return this.callExternal(base, args, kwargs, node, scope)
    this.unknownRoutes(`${cls.name} subclasses flask_debugtoolbar.DebugToolbarExtension and overrides ${overrides.join(', ')}: ${WHAT} are not in the route table; readiness counts them as unknown`, this.host.loc(node, scope))
    return unknown(`${cls.name}: a DebugToolbarExtension subclass the tool does not follow`)
  }

  private unknownRoutes(message: string, location: SourceLocation): void {
    this.host.report({ ruleId: 'extension-routes-unknown', severity: 'error', message, location })
  }

  /** `DebugToolbarExtension.init_app(app)`. */
  initApp(appValue: Value | undefined, init: 'constructor' | 'init_app', node: SyntaxNode, scope: Scope): void {
    const at = this.host.loc(node, scope)
    if (appValue?.kind !== 'app') {
      this.unknownRoutes(`flask_debugtoolbar.DebugToolbarExtension set up on ${describeValue(appValue)}, which is not an app the analysis knows: ${WHAT} are not in the route table; readiness counts them as unknown`, at)
      return
    }
    const app = appValue.app
    const record = (): void => recordExtension(app, { package: EXTENSION, symbol: 'DebugToolbarExtension', init, source: sourceOf(node), location: at }, new Map())
    const enabled = this.enabled(app)
    if (enabled === false) return
    record()
    if (typeof enabled === 'string') {
      this.unknownRoutes(`flask_debugtoolbar.DebugToolbarExtension adds ${WHAT} only when the app is in debug mode when it is set up, and ${enabled}: they are not in the route table; readiness counts them as unknown`, at)
      return
    }
    const panels = readConfig(app, 'DEBUG_TB_PANELS')
    let paths: string[]
    if (panels.known === 'absent') paths = DEFAULT_PANELS
    else if (panels.known === true && Array.isArray(panels.value) && panels.value.every((item) => typeof item === 'string')) paths = panels.value as string[]
    else {
      this.unknownRoutes(`flask_debugtoolbar.DebugToolbarExtension adds the views of the panels of DEBUG_TB_PANELS, and ${panels.known === false ? panels.why : 'DEBUG_TB_PANELS is not a literal list of strings'}: ${WHAT} are not in the route table; readiness counts them as unknown`, at)
      return
    }
    const module = (this.module ??= new BlueprintState('debugtoolbar', null, null, null, null, null, null, at))
    // DebugToolbar.load_panels: importing a panel's module runs its `@module.route` decorators, once.
    const foreign: string[] = []
    for (const path of paths) {
      const moduleName = path.split('.').slice(0, -1).join('.')
      if (!moduleName.startsWith('flask_debugtoolbar.')) foreign.push(path)
      if (this.imported.has(moduleName)) continue
      this.imported.add(moduleName)
      for (const route of PANEL_ROUTES[moduleName] ?? []) {
        const target = ownFunctionView(EXTENSION, moduleName, route.view, route.view, at)
        const options: RuleOptions = { ...NO_RULE_OPTIONS, methods: route.methods, defaults: route.defaults ?? null }
        module.addUrlRule(route.rule, null, target, options, at)
      }
    }
    if (foreign.length > 0) {
      this.unknownRoutes(`DEBUG_TB_PANELS names panels outside flask_debugtoolbar (${foreign.join(', ')}), which may add views of their own to the toolbar's blueprint: those are not in the route table; readiness counts them as unknown`, at)
    }
    const staticView = ownFunctionView(EXTENSION, 'flask_debugtoolbar', 'DebugToolbarExtension.send_static_file', 'send_static_file', at)
    app.addUrlRule('/_debug_toolbar/static/<path:filename>', '_debug_toolbar.static', staticView, NO_RULE_OPTIONS, null, at)
    app.registerBlueprint(module, { urlPrefix: '/_debug_toolbar/views', name: null, subdomain: null, urlDefaults: null, namePrefix: '' }, at, null)
  }

  /** `app.config['DEBUG_TB_ENABLED']` after `setdefault(…, app.debug)`: a boolean, or why it is not known. */
  private enabled(app: AppState): boolean | string {
    const explicit = readConfig(app, 'DEBUG_TB_ENABLED')
    if (explicit.known === true) return literalTruth(explicit.value)
    if (explicit.known === false) return explicit.why
    const debug = readConfig(app, 'DEBUG')
    if (debug.known === true) return literalTruth(debug.value)
    if (debug.known === false) return debug.why
    return 'DEBUG is not set in the code: Flask takes it from the environment (FLASK_DEBUG) when the app is made'
  }
}
