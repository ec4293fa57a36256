/**
 * The intermediate representation: what the analyze stage knows about a Flask project.
 * Everything here is plain JSON (no class instances, no tree-sitter nodes) so that
 * `--emit-ir` can dump it and snapshots can compare it byte for byte.
 */

/** Where a construct stands in the Flask project. `file` is relative to the project root, POSIX separators; line and column are 1-based. */
export interface SourceLocation {
  file: string
  line: number
  column: number
}

export type Severity = 'error' | 'warning' | 'info'

/** One thing the tool could not carry over with the same behaviour, or wants the user to know. `ruleId` names a file `rules/<ruleId>.yaml`. */
export interface Finding {
  ruleId: string
  severity: Severity
  message: string
  location: SourceLocation
  /** The endpoint the finding makes a stub of, when there is one. */
  endpoint?: string
  /**
   * Causes shared by many routes that this finding stands for (`@login_required`, a hook, an
   * extension's resources): the report's summary counts the routes each one blocks.
   */
  blockers?: string[]
}

/** A Python module of the project. */
export interface ModuleIR {
  /** Dotted name derived from the package layout (`inventory.api.items`). */
  name: string
  file: string
  isPackage: boolean
}

/** A reference to a Python function or class of the project (the code itself stays in the parsed tree). */
export interface CodeRef {
  module: string
  /** Dotted path inside the module: `create_app.add_headers` for a function nested in a factory, `CategoryAPI` for a class. */
  qualname: string
  location: SourceLocation
}

export type ViewIR =
  | {
      kind: 'function'
      ref: CodeRef
      /** Variables of enclosing functions (a view made by a helper or a factory) the view reads, when known literals. */
      closure?: Record<string, PyLiteral>
      /** An extension's own view (`ref.module` is the extension's, e.g. flask_restx's `Api.render_doc`): not the project's code. */
      extension?: string
    }
  /** A class-based view (`MethodView` / `View`) registered through `as_view(name)`. `methods` are the HTTP methods the class implements (upper case). */
  | {
      kind: 'class'
      ref: CodeRef
      base: 'MethodView' | 'View'
      methods: string[]
      /** The extension whose base class the view extends (`flask_restful` for a `Resource`): its dispatch and output are the extension's. When `ref.module` is not a project module, the class is the extension's own (flask_restx's `SwaggerView`). */
      extension?: string
    }

/** One converter use inside a rule: `<int(min=1):item_id>` → { name: 'int', variable: 'item_id', args: { min: 1 } }. */
export interface ConverterIR {
  variable: string
  name: string
  /** Positional arguments (for `any(a, b)`), as Python literals. */
  args: (string | number | boolean | null)[]
  kwargs: Record<string, string | number | boolean | null>
}

/**
 * A Python literal as JSON. JSON cannot tell the float `3.0` from the int `3`, so a float with an
 * integral value is `{ "$float": 3 }` (a Python dict with a `$float` key is not a literal).
 */
export type PyLiteral = string | number | boolean | null | FloatLiteral | PyLiteral[] | { [key: string]: PyLiteral }

export interface FloatLiteral {
  $float: number
}

export function isFloatLiteral(value: PyLiteral | undefined): value is FloatLiteral {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof value.$float === 'number'
}

/** A rule of the URL map, as Flask would hold it after every blueprint is registered. */
export interface RouteIR {
  /** Full rule with every prefix applied, exactly as `str(rule)` in Flask. */
  rule: string
  endpoint: string
  /** The methods given (upper case, sorted), before Flask adds HEAD and OPTIONS. */
  methods: string[]
  /** Methods as Werkzeug holds them: with HEAD when GET is there and OPTIONS when automatic options apply (sorted). */
  allMethods: string[]
  converters: ConverterIR[]
  defaults: Record<string, PyLiteral> | null
  /** As Werkzeug resolves it when the rule is added: the rule's own setting, else the url map's at that moment. */
  strictSlashes: boolean
  provideAutomaticOptions: boolean
  redirectTo: string | null
  subdomain: string | null
  host: string | null
  /** Dotted blueprint name (`api.items`) or null for routes of the app itself. */
  blueprint: string | null
  /** null for rules with no view (the `static` rule, `redirect_to` rules). */
  view: ViewIR | null
  /** Where the rule was declared (the decorator or add_url_rule call). */
  location: SourceLocation
}

/** A registered blueprint: one entry per registration (a blueprint registered twice under two names appears twice). */
export interface BlueprintIR {
  /** Dotted name as Flask reports it in endpoints: `api.items`. */
  name: string
  /** The name given to the Blueprint constructor. */
  localName: string
  /** Dotted name of the parent blueprint, null when registered on the app. */
  parent: string | null
  /** Effective prefix of this registration (parents' prefixes included), '' when none. */
  urlPrefix: string
  subdomain: string | null
  staticFolder: string | null
  staticUrlPath: string | null
  /** The static folder relative to the project root (POSIX), and whether it holds any file. */
  staticFolderPath: string | null
  staticFolderHasFiles: boolean
  templateFolder: string | null
  /** Where the Blueprint(...) object is constructed. */
  location: SourceLocation
  /** Where it was registered. */
  registeredAt: SourceLocation
}

export type HookKind =
  | 'before_request'
  | 'after_request'
  | 'teardown_request'
  | 'before_app_request'
  | 'after_app_request'
  | 'teardown_app_request'
  | 'before_first_request'
  | 'url_value_preprocessor'
  | 'url_defaults'
  | 'context_processor'
  | 'teardown_appcontext'

export interface HookIR {
  kind: HookKind
  /** Blueprint name for blueprint-scoped hooks, null for app-wide ones. */
  blueprint: string | null
  ref: CodeRef
  location: SourceLocation
}

export interface ErrorHandlerIR {
  blueprint: string | null
  /** An HTTP status code, or the dotted name of an exception class (`ValueError`, `inventory.errors.ApiError`). */
  key: { code: number } | { exception: string }
  ref: CodeRef
  location: SourceLocation
}

export interface ExtensionIR {
  /** Python package: `flask_cors`. */
  package: string
  /** The imported symbol: `CORS`. */
  symbol: string
  /** How it was attached to the app. */
  init: 'constructor' | 'init_app' | 'import-only'
  /** Set up on a blueprint (`CORS(api_bp)`): the name that blueprint is registered under; it acts on that blueprint's requests. */
  blueprint?: string
  /** Keyword arguments whose values are literals. */
  options: Record<string, PyLiteral>
  /** App-wide before_request hooks registered before this set-up (absent when none): Flask runs them before the hooks it registers. */
  beforeRequestHooks?: number
  /** The call's source text, for the report. */
  source: string
  location: SourceLocation
}

export interface ConfigEntryIR {
  key: string
  /** The value when it is a literal; null when it is computed (see `expression`). */
  value: PyLiteral
  /** Python source of a computed value (`os.environ.get("SECRET_KEY", "change-me")`). */
  expression: string | null
  /** Environment variable the value is read from, when that can be seen. */
  envVar: string | null
  /** The key names a secret: its value must never be copied into emitted code. */
  secret: boolean
  /**
   * A secret read from the environment whose in-code fallback holds no credential: a SQLite URL
   * (`os.environ.get("DATABASE_URL", "sqlite:///app.db")`), kept as the service's default.
   */
  publicDefault?: string
  /** A secret read from the environment had an in-code fallback that was not copied (it may hold a credential). */
  droppedDefault?: true
  location: SourceLocation
  /** A path under one of the app's folders (`os.path.join(app.instance_path, "flaskr.sqlite")`), the value or the environment read's fallback. */
  path?: AppPathIR
  /** The environment read is `or`-ed with the path (`os.environ.get("X") or <path>`): an empty variable gives the path too. */
  envOr?: true
  /**
   * Other values the key takes by a test of the environment made when the app starts (a config
   * class chosen by `os.environ`, as `app.config.from_object(pick_config())` does): the first whose
   * test holds wins, this entry otherwise.
   */
  alternatives?: { when: EnvTestIR; entry: ConfigEntryIR }[]
}

/**
 * A test of an environment variable the setup code makes: `os.environ.get("X", "").lower() in ("1", "true")`,
 * `os.environ.get("X") == "yes"`, `os.environ.get("X")` as a condition.
 */
export interface EnvTestIR {
  name: string
  /** The value when the variable is unset; null is Python's None. */
  fallback: string | null
  /** `.lower()` is applied to the value. */
  lower?: true
  /** `in (...)` / `==`: the values that pass; null: Python's truthiness of the value. */
  oneOf: string[] | null
  /** `not in` / `!=` / `not`. */
  negated?: true
  /** The Python source of the test. */
  source: string
  location: SourceLocation
}

/** A path Flask computes from the app's folders: `base` is `app.instance_path` or `app.root_path`, `parts` the literal parts joined to it. */
export interface AppPathIR {
  base: 'instance' | 'root'
  parts: string[]
}

/** A Flask CLI command of the app (`@app.cli.command("init-db")`, a click command given to `app.cli.add_command`). */
export interface CommandIR {
  /** As `flask <name>` runs it. */
  name: string
  ref: CodeRef
  location: SourceLocation
  /** Decorated with click options or arguments (not carried over). */
  parameters: string[]
}

export interface AppIR {
  /** `module:name` or `module:factory()` as FLASK_APP would name it. */
  id: string
  module: string
  /** Variable holding the app inside its module or factory. */
  variable: string
  /** Name of the factory function that builds the app, when there is one. */
  factory: string | null
  importName: string
  staticFolder: string | null
  staticUrlPath: string | null
  /** The static folder relative to the project root (POSIX), and whether it holds any file. */
  staticFolderPath: string | null
  staticFolderHasFiles: boolean
  templateFolder: string | null
  urlMap: {
    strictSlashes: boolean
    hostMatching: boolean
  }
  blueprints: BlueprintIR[]
  /** In registration order, as Werkzeug adds them to the map (static rule first when the app has a static folder). */
  routes: RouteIR[]
  hooks: HookIR[]
  errorHandlers: ErrorHandlerIR[]
  extensions: ExtensionIR[]
  config: ConfigEntryIR[]
  location: SourceLocation
  /** Folders the app's setup code creates (`os.makedirs(app.instance_path)`); absent when none. */
  folders?: AppPathIR[]
  /** The app's CLI commands, in registration order; absent when none. */
  commands?: CommandIR[]
}

export interface ProjectIR {
  /** Version of this format; bump when a field changes meaning. */
  version: 1
  modules: ModuleIR[]
  /** Every Flask application found. */
  apps: AppIR[]
  /** Id of the app this run migrates. */
  selectedApp: string | null
  /** Findings of scan, parse and analyze (translate adds its own later). */
  findings: Finding[]
}
