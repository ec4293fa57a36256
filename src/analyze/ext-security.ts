import type { PyLiteral, SourceLocation } from '../ir/types.js'
import type { SyntaxNode } from '../parse/index.js'
import { AppState, BlueprintState, NO_RULE_OPTIONS } from './flask-model.js'
import {
  bind,
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
import { NONE, truthiness, unknown, type ClassValue, type Scope, type Value } from './values.js'

/**
 * Flask-Security's route table, as Flask-Security-Too 5.1 (Debian's python3-flask-security 5.1.2)
 * builds it when `Security(app, datastore)` or `security.init_app(app, datastore)` runs
 * (flask_security/core.py `init_app`, views.py `create_blueprint`, tf_plugin.py, oauth_glue.py):
 *
 * one blueprint, `SECURITY_BLUEPRINT_NAME` (`security`) at `SECURITY_URL_PREFIX` and
 * `SECURITY_SUBDOMAIN`, unless `register_blueprint=False`: the static rule of its own folder at
 * `SECURITY_STATIC_FOLDER_URL` (`/fs-static`), `logout` (`SECURITY_LOGOUT_METHODS`, unless None),
 * `login` (the passwordless or unified sign-in view when those replace it, with `token_login`),
 * `verify` while `SECURITY_FRESHNESS` is not negative, then the views of each feature turned on by
 * its flag, in this order: `SECURITY_UNIFIED_SIGNIN`, `SECURITY_TWO_FACTOR`, `SECURITY_REGISTERABLE`,
 * `SECURITY_RECOVERABLE`, `SECURITY_CHANGEABLE`, `SECURITY_CONFIRMABLE`,
 * `SECURITY_MULTI_FACTOR_RECOVERY_CODES` (with two-factor or WebAuthn), `SECURITY_WEBAUTHN`, the
 * two-factor `tf_select` (with two-factor or WebAuthn) and `SECURITY_OAUTH_ENABLE`, each at its
 * `SECURITY_*_URL` (`/register`, `/reset` + `/reset/<token>`, …). `SECURITY_TRACKABLE` adds no route.
 *
 * The settings are read from the app's config when the extension is set up (Flask-Security's
 * defaults where the code sets nothing). All views are Flask-Security's own: stubs. A setting the
 * analysis cannot read (computed, from the environment, possibly loaded from a file), or custom
 * `SECURITY_TWO_FACTOR_IMPLEMENTATIONS`, is `extension-routes-unknown`, naming the setting.
 */

const EXTENSION = 'flask_security'
const SECURITY_PATHS = new Set(['flask_security.Security', 'flask_security.core.Security'])
const CONSTRUCTOR = ['app', 'datastore', 'register_blueprint']
const ROUTING = new Set(['__init__', 'init_app'])

/** Flask-Security's defaults of the settings its route table depends on (`_default_config`, without `SECURITY_`). */
const DEFAULTS: Record<string, PyLiteral> = {
  BLUEPRINT_NAME: 'security',
  URL_PREFIX: null,
  SUBDOMAIN: null,
  STATIC_FOLDER: 'static',
  STATIC_FOLDER_URL: '/fs-static',
  LOGIN_URL: '/login',
  LOGOUT_URL: '/logout',
  REGISTER_URL: '/register',
  RESET_URL: '/reset',
  CHANGE_URL: '/change',
  CONFIRM_URL: '/confirm',
  VERIFY_URL: '/verify',
  TWO_FACTOR_SETUP_URL: '/tf-setup',
  TWO_FACTOR_TOKEN_VALIDATION_URL: '/tf-validate',
  TWO_FACTOR_RESCUE_URL: '/tf-rescue',
  TWO_FACTOR_SELECT_URL: '/tf-select',
  LOGOUT_METHODS: ['GET', 'POST'],
  CONFIRMABLE: false,
  REGISTERABLE: false,
  RECOVERABLE: false,
  PASSWORDLESS: false,
  CHANGEABLE: false,
  TWO_FACTOR: false,
  MULTI_FACTOR_RECOVERY_CODES: false,
  MULTI_FACTOR_RECOVERY_CODES_URL: '/mf-recovery-codes',
  MULTI_FACTOR_RECOVERY_URL: '/mf-recovery',
  OAUTH_ENABLE: false,
  OAUTH_START_URL: '/login/oauthstart',
  OAUTH_RESPONSE_URL: '/login/oauthresponse',
  UNIFIED_SIGNIN: false,
  US_SIGNIN_URL: '/us-signin',
  US_SIGNIN_SEND_CODE_URL: '/us-signin/send-code',
  US_SETUP_URL: '/us-setup',
  US_VERIFY_URL: '/us-verify',
  US_VERIFY_SEND_CODE_URL: '/us-verify/send-code',
  US_VERIFY_LINK_URL: '/us-verify-link',
  US_SIGNIN_REPLACES_LOGIN: false,
  WEBAUTHN: false,
  WAN_REGISTER_URL: '/wan-register',
  WAN_SIGNIN_URL: '/wan-signin',
  WAN_DELETE_URL: '/wan-delete',
  WAN_VERIFY_URL: '/wan-verify',
  WAN_ALLOW_AS_VERIFY: ['first', 'secondary'],
}

/** Where each view function is (module of flask_security). */
const VIEW_MODULES: Record<string, string> = {
  us_signin: 'unified_signin',
  us_signin_send_code: 'unified_signin',
  us_setup: 'unified_signin',
  us_setup_validate: 'unified_signin',
  us_verify: 'unified_signin',
  us_verify_send_code: 'unified_signin',
  us_verify_link: 'unified_signin',
  mf_recovery_codes: 'recovery_codes',
  mf_recovery: 'recovery_codes',
  tf_select: 'tf_plugin',
  oauthstart: 'oauth_glue',
  oauthresponse: 'oauth_glue',
}

/** A setting the analysis cannot read: the route table is not built. */
class Unknown extends Error {}

/** `slash_url_suffix`. */
function withSuffix(url: string, suffix: string): string {
  return url.endsWith('/') ? `${suffix}/` : `/${suffix}`
}

/** The sign of a `timedelta(…)` written in the code (`SECURITY_FRESHNESS`): its total seconds, or undefined. */
function timedeltaSeconds(expression: string): number | undefined {
  const match = /^(?:datetime\.)?timedelta\(([^()]*)\)$/.exec(expression.replace(/\s+/g, ''))
  if (!match) return undefined
  const units: Record<string, number> = { days: 86400, seconds: 1, microseconds: 1e-6, milliseconds: 1e-3, minutes: 60, hours: 3600, weeks: 604800 }
  const order = Object.keys(units)
  let total = 0
  const parts = match[1] === '' ? [] : match[1]!.split(',').filter((part) => part !== '')
  for (const [index, part] of parts.entries()) {
    const [name, text] = part.includes('=') ? part.split('=') : [order[index], part]
    const number = Number(text)
    if (name === undefined || !(name in units) || !/^-?\d+(\.\d+)?$/.test(text ?? '')) return undefined
    total += number * units[name]!
  }
  return total
}

/** `flask_security.Security`. */
class SecurityObject implements ExtensionObject {
  /** `self._datastore` is set (a value the analysis reads as not None). */
  datastore: boolean
  registerBlueprint: boolean | undefined

  constructor(
    datastore: Value | undefined,
    registerBlueprint: boolean | undefined,
    private readonly model: SecurityModel,
  ) {
    this.datastore = !isNone(datastore)
    this.registerBlueprint = registerBlueprint
  }

  getAttribute(name: string): Value {
    if (name === 'init_app') return { kind: 'method', owner: extObject(this), name }
    return unknown(`Security.${name}`)
  }

  callMethod(name: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value {
    if (name !== 'init_app') return unknown(`Security.${name}() result`)
    const bound = bind(['app', 'datastore', 'register_blueprint'], args, kwargs)
    this.model.initApp(this, bound.get('app'), bound.get('datastore'), bound.get('register_blueprint'), 'init_app', node, scope, new Map())
    return NONE
  }
}

export class SecurityModel implements ExtensionModel {
  constructor(private readonly host: ExtensionHost) {}

  callExternal(path: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value | undefined {
    return SECURITY_PATHS.has(path) ? this.create(args, kwargs, node, scope) : undefined
  }

  construct(cls: ClassValue, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value | undefined {
    if (externalBase(cls, SECURITY_PATHS) === null) return undefined
    const overrides = [...ownAttributes(cls)].filter((name) => ROUTING.has(name))
    if (overrides.length === 0) return this.create(args, kwargs, node, scope)
    this.unknownRoutes(`${cls.name} subclasses flask_security.Security and overrides ${overrides.join(', ')}: Flask-Security's views (login, logout, …) are not in the route table; readiness counts them as unknown`, this.host.loc(node, scope))
    return unknown(`${cls.name}: a flask_security.Security subclass the tool does not follow`)
  }

  private unknownRoutes(message: string, location: SourceLocation): void {
    this.host.report({ ruleId: 'extension-routes-unknown', severity: 'error', message, location })
  }

  private create(args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value {
    const bound = bind(CONSTRUCTOR, args, kwargs)
    const register = bound.get('register_blueprint')
    const security = new SecurityObject(bound.get('datastore'), register === undefined ? true : register.kind === 'const' ? truthiness(register) : undefined, this)
    const app = bound.get('app')
    if (!isNone(app) && security.datastore) this.initApp(security, app, undefined, undefined, 'constructor', node, scope, kwargs)
    return extObject(security)
  }

  /** `Security.init_app(app, datastore=None, register_blueprint=None)`. */
  initApp(security: SecurityObject, appValue: Value | undefined, datastore: Value | undefined, register: Value | undefined, init: 'constructor' | 'init_app', node: SyntaxNode, scope: Scope, kwargs: Map<string, Value>): void {
    const at = this.host.loc(node, scope)
    if (appValue?.kind !== 'app') {
      this.unknownRoutes(`flask_security.Security set up on ${describeValue(appValue)}, which is not an app the analysis knows: its views (login, logout, …) are not in the route table; readiness counts them as unknown`, at)
      return
    }
    const app = appValue.app
    if (!isNone(datastore)) security.datastore = true
    if (!security.datastore) {
      this.host.report({ ruleId: 'flask-setup-error', severity: 'error', message: 'Flask-Security raises ValueError: Datastore must be provided', location: at })
      return
    }
    if (register !== undefined && !isNone(register)) security.registerBlueprint = register.kind === 'const' ? truthiness(register) : undefined
    recordExtension(app, { package: EXTENSION, symbol: 'Security', init, source: sourceOf(node), location: at }, kwargs)
    // Its token serializers are made from SECRET_KEY before the blueprint: without one, init_app raises.
    if (readConfig(app, 'SECRET_KEY').known === 'absent') {
      this.host.report({ ruleId: 'flask-setup-error', severity: 'error', message: "Flask-Security fails at start-up: SECRET_KEY is not set (TypeError: 'NoneType' object is not iterable, from its token serializers)", location: at })
      return
    }
    if (security.registerBlueprint === false) return
    try {
      if (security.registerBlueprint === undefined) throw new Unknown('whether it registers its blueprint (register_blueprint=…) is not known statically')
      this.createBlueprint(app, at)
    } catch (error) {
      if (!(error instanceof Unknown)) throw error
      this.unknownRoutes(`flask_security.Security adds its views (login, logout, and those its SECURITY_* settings turn on) from the app's config, and ${error.message}: they are not in the route table; readiness counts them as unknown`, at)
    }
  }

  /** `create_blueprint(app, state)`, the two-factor plugins' and OAuth's rules, then `app.register_blueprint(bp)`. */
  private createBlueprint(app: AppState, at: SourceLocation): void {
    const setting = (key: string): PyLiteral => {
      const read = readConfig(app, `SECURITY_${key}`)
      if (read.known === false) throw new Unknown(read.why)
      return read.known === true ? read.value : DEFAULTS[key]!
    }
    const flag = (key: string): boolean => literalTruth(setting(key))
    const text = (key: string): string => {
      const value = setting(key)
      if (typeof value !== 'string') throw new Unknown(`SECURITY_${key} is ${JSON.stringify(value)}, not a string`)
      return value
    }
    const optionalText = (key: string): string | null => (setting(key) === null ? null : text(key))
    const freshness = this.freshness(app)
    const implementations = readConfig(app, 'SECURITY_TWO_FACTOR_IMPLEMENTATIONS')
    if (implementations.known !== 'absent') throw new Unknown('SECURITY_TWO_FACTOR_IMPLEMENTATIONS is set: its two-factor plugins may add views of their own')

    const name = text('BLUEPRINT_NAME')
    const urlPrefix = optionalText('URL_PREFIX')
    const subdomain = optionalText('SUBDOMAIN')
    const staticFolder = optionalText('STATIC_FOLDER')
    const staticUrlPath = optionalText('STATIC_FOLDER_URL')
    const rules: { rule: string; endpoint: string; methods: string[] | null; view: string }[] = []
    const route = (rule: string, endpoint: string, methods: string[] | null, view = endpoint): void => void rules.push({ rule, endpoint, methods, view })
    const GP = ['GET', 'POST']

    const logoutMethods = setting('LOGOUT_METHODS')
    if (logoutMethods !== null) {
      if (!Array.isArray(logoutMethods) || !logoutMethods.every((method) => typeof method === 'string')) throw new Unknown('SECURITY_LOGOUT_METHODS is not a literal list of methods')
      route(text('LOGOUT_URL'), 'logout', logoutMethods as string[])
    }
    const loginUrl = text('LOGIN_URL')
    if (flag('PASSWORDLESS')) {
      route(loginUrl, 'login', GP, 'send_login')
      route(loginUrl + withSuffix(loginUrl, '<token>'), 'token_login', null)
    } else if (flag('US_SIGNIN_REPLACES_LOGIN')) route(loginUrl, 'login', GP, 'us_signin')
    else route(loginUrl, 'login', GP)
    if (freshness >= 0) route(text('VERIFY_URL'), 'verify', GP)
    if (flag('UNIFIED_SIGNIN')) {
      const setup = text('US_SETUP_URL')
      route(text('US_SIGNIN_URL'), 'us_signin', GP)
      route(text('US_SIGNIN_SEND_CODE_URL'), 'us_signin_send_code', ['POST'])
      route(setup, 'us_setup', GP)
      route(setup + withSuffix(setup, '<token>'), 'us_setup_validate', GP)
      if (freshness >= 0) {
        route(text('US_VERIFY_URL'), 'us_verify', GP)
        route(text('US_VERIFY_SEND_CODE_URL'), 'us_verify_send_code', ['POST'])
      }
      route(text('US_VERIFY_LINK_URL'), 'us_verify_link', ['GET'])
    }
    const twoFactor = flag('TWO_FACTOR')
    if (twoFactor) {
      route(text('TWO_FACTOR_SETUP_URL'), 'two_factor_setup', GP)
      route(text('TWO_FACTOR_TOKEN_VALIDATION_URL'), 'two_factor_token_validation', GP)
      route(text('TWO_FACTOR_RESCUE_URL'), 'two_factor_rescue', GP)
    }
    if (flag('REGISTERABLE')) route(text('REGISTER_URL'), 'register', GP)
    if (flag('RECOVERABLE')) {
      const reset = text('RESET_URL')
      route(reset, 'forgot_password', GP)
      route(reset + withSuffix(reset, '<token>'), 'reset_password', GP)
    }
    if (flag('CHANGEABLE')) route(text('CHANGE_URL'), 'change_password', GP)
    if (flag('CONFIRMABLE')) {
      const confirm = text('CONFIRM_URL')
      route(confirm, 'send_confirmation', GP)
      route(confirm + withSuffix(confirm, '<token>'), 'confirm_email', GP)
    }
    const webauthn = flag('WEBAUTHN')
    const supportMfa = webauthn || twoFactor
    if (flag('MULTI_FACTOR_RECOVERY_CODES') && supportMfa) {
      route(text('MULTI_FACTOR_RECOVERY_CODES_URL'), 'mf_recovery_codes', GP)
      route(text('MULTI_FACTOR_RECOVERY_URL'), 'mf_recovery', GP)
    }
    if (webauthn) {
      const register = text('WAN_REGISTER_URL')
      const signin = text('WAN_SIGNIN_URL')
      route(register, 'wan_register', GP, 'webauthn_register')
      route(register + withSuffix(register, '<token>'), 'wan_register_response', ['POST'], 'webauthn_register_response')
      route(signin, 'wan_signin', GP, 'webauthn_signin')
      route(signin + withSuffix(signin, '<token>'), 'wan_signin_response', ['POST'], 'webauthn_signin_response')
      route(text('WAN_DELETE_URL'), 'wan_delete', GP, 'webauthn_delete')
      if (freshness >= 0 && flag('WAN_ALLOW_AS_VERIFY')) {
        const verify = text('WAN_VERIFY_URL')
        route(verify, 'wan_verify', GP, 'webauthn_verify')
        route(verify + withSuffix(verify, '<token>'), 'wan_verify_response', ['POST'], 'webauthn_verify_response')
      }
    }
    // TfPlugin.create_blueprint: the code and WebAuthn plugins add nothing, then the selection view.
    if (supportMfa) route(text('TWO_FACTOR_SELECT_URL'), 'tf_select', GP)
    if (flag('OAUTH_ENABLE')) {
      const start = text('OAUTH_START_URL')
      const response = text('OAUTH_RESPONSE_URL')
      route(start + withSuffix(start, '<name>'), 'oauthstart', ['POST'])
      route(response + withSuffix(response, '<name>'), 'oauthresponse', ['GET'])
    }

    if (name.includes('.')) {
      this.host.report({ ruleId: 'flask-setup-error', severity: 'error', message: `SECURITY_BLUEPRINT_NAME ${JSON.stringify(name)}: Flask raises ValueError ('name' may not contain a dot '.' character)`, location: at })
      return
    }
    if (subdomain !== null) this.host.report({ ruleId: 'subdomain-routing', severity: 'error', message: `Flask-Security's blueprint has SECURITY_SUBDOMAIN=${JSON.stringify(subdomain)}: routing by subdomain is not carried over`, location: at })
    // Its static folder is inside the flask_security package, never the project's: the static rule is added by hand.
    const blueprint = new BlueprintState(name, urlPrefix, subdomain, null, null, null, null, at)
    if (staticFolder !== null) {
      const staticPath = staticUrlPath ?? `/${staticFolder.replace(/[\\/]+$/, '').split(/[\\/]/).at(-1) ?? ''}`.replace(/\/+$/, '')
      blueprint.addUrlRule(`${staticPath}/<path:filename>`, 'static', null, NO_RULE_OPTIONS, at)
    }
    for (const { rule, endpoint, methods, view } of rules) {
      const target = ownFunctionView(EXTENSION, `flask_security.${VIEW_MODULES[view] ?? (view.startsWith('webauthn_') ? 'webauthn' : 'views')}`, view, view, at)
      blueprint.addUrlRule(rule, endpoint, target, { ...NO_RULE_OPTIONS, methods }, at)
    }
    app.registerBlueprint(blueprint, { urlPrefix: null, name: null, subdomain: null, urlDefaults: null, namePrefix: '' }, at, null)
    // After registering, init_app checks the code-based sign-in settings: without TOTP secrets it raises.
    const codes = twoFactor || flag('UNIFIED_SIGNIN') || flag('MULTI_FACTOR_RECOVERY_CODES')
    if (codes && readConfig(app, 'SECURITY_TOTP_SECRETS').known === 'absent' && readConfig(app, 'SECURITY_TWO_FACTOR_SECRET').known === 'absent') {
      this.host.report({ ruleId: 'flask-setup-error', severity: 'error', message: 'Flask-Security raises ValueError at start-up: Both TOTP_SECRETS and TOTP_ISSUER must be set (SECURITY_TOTP_SECRETS is not set, and two-factor, unified sign-in or recovery codes are on)', location: at })
    }
  }

  /** `cv("FRESHNESS").total_seconds()`: 24 hours by default; a `timedelta(…)` of literals in the code; else unknown. */
  private freshness(app: AppState): number {
    const entry = app.config.get('SECURITY_FRESHNESS')
    if (entry !== undefined && entry.envVar === null && entry.expression !== null) {
      const seconds = timedeltaSeconds(entry.expression)
      if (seconds !== undefined) return seconds
    }
    const read = readConfig(app, 'SECURITY_FRESHNESS')
    if (read.known === 'absent') return 86400
    throw new Unknown(read.known === false ? read.why : 'SECURITY_FRESHNESS is not a timedelta')
  }
}
