import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** The extension mappings of this repository (`rules/extensions/<extension>.yaml`), which analysis and translation read. */
export const EXTENSION_RULES_DIR = fileURLToPath(new URL('../../rules/extensions/', import.meta.url))

/** What a Python name of an extension becomes in the service. */
export type ExtensionName =
  /** With `bare`: the runtime decorator the name is without its call parentheses (`@jwt_required`, Flask-JWT-Extended 3's form). */
  | { kind: 'decorator'; runtime: string; parameters?: string[]; bare?: string }
  | { kind: 'function'; runtime: string; parameters: string[] }
  | { kind: 'proxy'; runtime: string }
  | { kind: 'class'; runtime: string; parameters?: string[] }
  /** A constant of the extension (`marshmallow.EXCLUDE`): the runtime's export of that name. */
  | { kind: 'value'; runtime: string }

/** One extension mapping: the Python API it matches and what it becomes. */
export interface ExtensionRule {
  extension: string
  package: string
  modules: string[]
  /** The runtime module (`src/emit/runtime/<runtime>.ts`). */
  runtime: string
  names: Record<string, ExtensionName>
  settings?: string[]
  callbacks?: Record<string, string>
  unsupported_callbacks?: string[]
  config?: Record<string, unknown>
  /**
   * What the emitted app does for the extension's `init_app`: `runtime` is the runtime function
   * given the project's instance; with `error_handlers`, it returns the error handlers init_app
   * registers on the app, which go first into the app's `errorHandlers([...])`. With `optional`,
   * code using the runtime works without it (FlaskForm without CSRFProtect). With `hook_position`,
   * the runtime function also takes the number of the app's before_request hooks registered before
   * the set-up, which Flask runs before the extension's.
   */
  init_app?: { runtime: string; error_handlers?: boolean; optional?: boolean; hook_position?: boolean }
  /**
   * Calls `<instance>.<method>(bp)` on the app's set-up path with a blueprint (`csrf.exempt(api_bp)`):
   * the setup calls the runtime method `<instance>.<runtime>('<blueprint name>')`.
   */
  exempt_blueprints?: { method: string; runtime: string }
  /**
   * What the extension set up on the app or a blueprint with keyword options (`CORS(api_bp,
   * origins=[...])`) becomes: the runtime function `runtime(options)` giving the after-request
   * hook it registers. Options that are not literals are not carried over (reported).
   */
  after_request?: { runtime: string; symbol: string }
  /**
   * State the extension's instance keeps in the process (Flask-Caching's SimpleCache, Flask-Limiter's
   * counters), which the Flask app beside the service keeps apart (`what` says what it is): with
   * LEGACY_URL, a service whose handlers use the instance forwards every request to the Flask app,
   * unless LEGACY_SPLIT_STATE=1 (translate's sharedState). With `every_request`, the instance set up
   * on the app acts on every request (Flask-Limiter's default limits): set up is enough.
   */
  process_state?: { what: string; every_request?: boolean }
  /** Methods of the mapping's classes (class name → method name → mapping), called on the instance by their Python names. */
  methods?: Record<string, Record<string, ExtensionName>>
  /**
   * Project classes deriving from the mapping's class `base` (marshmallow's Schema): their class
   * attributes made by the mapping's classes are declared fields, their methods decorated by
   * `hooks` are hooks, `class Meta` sets `meta_options`.
   */
  schema_classes?: { base: string; hooks: string[]; meta_options: string[] }
  /**
   * An earlier major version of the extension with other semantics (Flask-JWT-Extended 3): a
   * project importing one of `names`, registering one of `callbacks` on the instance, or using
   * one of `bare_decorators` without call parentheses is written for it, and its setup calls
   * `init_app` (the runtime function acting as that version) instead of `init_app.runtime`.
   */
  legacy_version?: { version: string; names: string[]; callbacks: string[]; bare_decorators: string[]; init_app: string }
  /** The extension may be set up on a blueprint (`Api(api_bp)`), acting on the app as when set up on it. */
  blueprints?: boolean
}

let cache: ExtensionRule[] | null = null

/** Every extension mapping, in file-name order. */
export function extensionRules(): ExtensionRule[] {
  cache ??= readdirSync(EXTENSION_RULES_DIR)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => parse(readFileSync(EXTENSION_RULES_DIR + name, 'utf8')) as ExtensionRule)
  return cache
}

/**
 * The mapping of `module.name` (`flask_login.login_required`), if an extension rule has it. A
 * name of a submodule of a rule's module is keyed with the submodule's path (`fields.String` for
 * `marshmallow.fields.String`), as the project's code spells it after `from marshmallow import fields`.
 */
export function extensionName(module: string, name: string): { rule: ExtensionRule; name: ExtensionName } | null {
  for (const rule of extensionRules()) {
    if (!rule.modules.includes(module)) continue
    const mapped = rule.names[name]
    if (mapped !== undefined) return { rule, name: mapped }
  }
  for (const rule of extensionRules()) {
    const parent = rule.modules.find((candidate) => module.startsWith(`${candidate}.`))
    if (parent === undefined) continue
    const mapped = rule.names[`${module.slice(parent.length + 1)}.${name}`]
    if (mapped !== undefined && Object.hasOwn(rule.names, `${module.slice(parent.length + 1)}.${name}`)) return { rule, name: mapped }
  }
  return null
}

/** The mapping of a dotted import path (`flask_login.utils.login_required`), or of a mapped class's method (`flask_httpauth.HTTPBasicAuth.login_required`). */
export function extensionPath(path: string): { rule: ExtensionRule; name: ExtensionName } | null {
  const dot = path.lastIndexOf('.')
  if (dot < 0) return null
  return extensionName(path.slice(0, dot), path.slice(dot + 1)) ?? extensionMethod(path.slice(0, dot), path.slice(dot + 1))
}

/** The mapping of `method` on an instance of the mapped class at `classPath` (`flask_httpauth.HTTPBasicAuth`). */
export function extensionMethod(classPath: string, method: string): { rule: ExtensionRule; name: ExtensionName } | null {
  const dot = classPath.lastIndexOf('.')
  if (dot < 0) return null
  const cls = extensionName(classPath.slice(0, dot), classPath.slice(dot + 1))
  const mapped = cls?.name.kind === 'class' ? cls.rule.methods?.[classPath.slice(dot + 1)]?.[method] : undefined
  return cls !== null && mapped !== undefined ? { rule: cls.rule, name: mapped } : null
}
