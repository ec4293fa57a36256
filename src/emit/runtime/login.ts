/**
 * Flask-Login 0.6 (Debian's python3-flask-login 0.6.2) for translated code: `LoginManager`,
 * `login_user`, `logout_user`, `confirm_login`, `login_fresh`, `current_user`, `login_required`,
 * `fresh_login_required`, `UserMixin`, `AnonymousUserMixin`.
 *
 * The session keys are Flask-Login's (`_user_id`, `_fresh`, `_id`, `_remember`,
 * `_remember_seconds`, `next`), the session identifier is its `_create_identifier` (SHA-512 of
 * the remote address and the User-Agent as Python formats their bytes) and the `remember_token`
 * cookie is `user_id|HMAC-SHA512(SECRET_KEY, user_id)`, set and cleared as `_update_remember_cookie`
 * does: a session or a remember cookie from the Flask app signs the user into the service, and the
 * reverse. The user loader is the project's `@login_manager.user_loader` function.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { Context } from 'hono'
import { abort } from './errors.js'
import { PyTimeDelta } from './datetime.js'
import {
  addResponseFinalizer,
  appConfigValue,
  currentContext,
  g,
  redirect,
  request,
  type FlaskResponse,
} from './flask.js'
import { Keywords, PyDict, callWithKeywords, takesKeywords, truthy, type Py } from './py.js'
import { AttributeError, NotImplementedError } from './exceptions.js'
import { appUrlMap, urlFor, urlForContext, type RuleSpec, type UrlMap } from './router.js'
import { flash, flaskSession } from './session.js'

const COOKIE_NAME = 'remember_token'
const COOKIE_DURATION_SECONDS = 365 * 86400
const LOGIN_MESSAGE = 'Please log in to access this page.'
const REFRESH_MESSAGE = 'Please reauthenticate to access this page.'
/** Flask-Login's `SESSION_KEYS` (each is popped, so their order does not matter). */
const SESSION_KEYS = ['_user_id', '_remember', '_remember_seconds', '_id', '_fresh', 'next']
const EXEMPT_METHODS = new Set(['OPTIONS'])

function config(key: string, fallback: Py): Py {
  const value = appConfigValue(key)
  return value === undefined ? fallback : value
}

/** `flask_login.UserMixin`. */
export class UserMixin {
  [key: string]: Py
  get is_active(): Py {
    return true
  }
  get is_authenticated(): Py {
    return this.is_active
  }
  get is_anonymous(): Py {
    return false
  }
  get_id(): Py {
    if (!('id' in this)) throw new NotImplementedError('No `id` attribute - override `get_id`')
    return String(this['id'])
  }
}

/** `flask_login.AnonymousUserMixin`. */
export class AnonymousUserMixin {
  get is_authenticated(): Py {
    return false
  }
  get is_active(): Py {
    return false
  }
  get is_anonymous(): Py {
    return true
  }
  get_id(): Py {
    return null
  }
}

let manager: LoginManager | null = null
let loginUrlMap: RuleSpec[] | UrlMap | null = null

/** The URL map `login_view` endpoints are built with; by default the app router's (`appUrlMap`). */
export function useLoginUrlMap(urlMap: RuleSpec[] | UrlMap): void {
  loginUrlMap = urlMap
}

/** `login_manager.init_app(app)`, as the generated app runs it: `manager` becomes `current_app.login_manager`. */
export function initLoginManager(lm: LoginManager): void {
  lm.init_app()
}

/** `current_app.login_manager`: the manager set up last (the service has one app). */
export function loginManager(): LoginManager {
  if (manager === null) throw new AttributeError("'Flask' object has no attribute 'login_manager'")
  return manager
}

/** `flask_login.LoginManager`, its settings as attributes of the same names. */
export class LoginManager {
  anonymous_user: new () => Py = AnonymousUserMixin
  login_view: Py = null
  blueprint_login_views: PyDict = new PyDict()
  login_message: Py = LOGIN_MESSAGE
  login_message_category: Py = 'message'
  refresh_view: Py = null
  needs_refresh_message: Py = REFRESH_MESSAGE
  needs_refresh_message_category: Py = 'message'
  session_protection: Py = 'basic'
  id_attribute = 'get_id'
  private userCallback: ((userId: Py) => Py) | null = null

  constructor() {
    manager = this
  }

  /** `init_app(app)`: the service's app is the one; this manager becomes `current_app.login_manager`. */
  init_app(): null {
    manager = this
    return null
  }

  /** `@login_manager.user_loader`. */
  userLoader<F extends (userId: Py) => Py>(callback: F): F {
    this.userCallback = callback
    return callback
  }

  /** `unauthorized()`: flash `login_message`, redirect to `login_view` with `next`; 401 without a login view. */
  unauthorized(): Py {
    const c = currentContext()
    const blueprint = request(c).blueprint
    const loginView = this.blueprint_login_views.has(blueprint)
      ? this.blueprint_login_views.getItem(blueprint)
      : this.login_view
    if (!truthy(loginView)) abort(401)
    if (truthy(this.login_message)) flash(c, this.login_message, this.login_message_category)
    if (truthy(config('USE_SESSION_FOR_NEXT', false))) {
      throw new NotImplementedError('USE_SESSION_FOR_NEXT is not carried over by the migration')
    }
    return redirect(loginUrl(c, loginView, request(c).url))
  }

  /** `needs_refresh()`: flash `needs_refresh_message`, redirect to `refresh_view` with `next`; 401 without one. */
  needs_refresh(): Py {
    const c = currentContext()
    if (!truthy(this.refresh_view)) abort(401)
    if (truthy(this.needs_refresh_message))
      flash(c, this.needs_refresh_message, this.needs_refresh_message_category)
    if (truthy(config('USE_SESSION_FOR_NEXT', false))) {
      throw new NotImplementedError('USE_SESSION_FOR_NEXT is not carried over by the migration')
    }
    return redirect(loginUrl(c, this.refresh_view, request(c).url))
  }

  /** `_load_user`: from the session's `_user_id`, else from the remember cookie. */
  loadUser(c: Context): Py {
    if (this.userCallback === null) {
      throw new Error(
        'Missing user_loader or request_loader. Refer to http://flask-login.readthedocs.io/#how-it-works for more info.',
      )
    }
    if (this.sessionProtectionFailed(c)) return this.setUser(c, null)
    const session = flaskSession(c)
    let user: Py = null
    const userId = session.get('_user_id')
    if (userId !== null && userId !== undefined) user = this.userCallback(userId)
    if (user === null || user === undefined) {
      const cookieName = config('REMEMBER_COOKIE_NAME', COOKIE_NAME) as string
      const cookies = request(c).cookies
      if (cookies.has(cookieName) && session.get('_remember') !== 'clear') {
        user = this.loadUserFromRememberCookie(c, cookies.get(cookieName) as string)
      }
    }
    return this.setUser(c, user)
  }

  private loadUserFromRememberCookie(c: Context, cookie: string): Py {
    const userId = decodeCookie(cookie)
    if (userId === null) return null
    const session = flaskSession(c)
    session.set('_user_id', userId)
    session.set('_fresh', false)
    const user = this.userCallback === null ? null : this.userCallback(userId)
    return user ?? null
  }

  /** `_update_request_context_with_user`: `g._login_user`, the anonymous user for None. */
  setUser(c: Context, user: Py): Py {
    g(c)._login_user = user === null || user === undefined ? new this.anonymous_user() : user
    return null
  }

  private sessionProtectionFailed(c: Context): boolean {
    const session = flaskSession(c)
    const ident = sessionIdentifier(c)
    const mode = config('SESSION_PROTECTION', this.session_protection)
    if (!truthy(mode) || (mode !== 'basic' && mode !== 'strong')) return false
    if (session.size > 0 && ident !== session.get('_id', null)) {
      if (mode === 'basic' || session.permanent) {
        if (session.get('_fresh') !== false) session.set('_fresh', false)
        return false
      }
      for (const key of SESSION_KEYS) session.pop(key, null)
      session.set('_remember', 'clear')
      return true
    }
    return false
  }
}

/** Python's `repr()` of a bytes value (`b'127.0.0.1'`), as f-strings format the bytes Flask-Login hashes. */
function bytesRepr(text: string): string {
  const bytes = Buffer.from(text, 'utf8')
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'"
  let out = ''
  for (const byte of bytes) {
    if (byte === 0x5c) out += '\\\\'
    else if (byte === quote.charCodeAt(0)) out += `\\${quote}`
    else if (byte === 0x09) out += '\\t'
    else if (byte === 0x0a) out += '\\n'
    else if (byte === 0x0d) out += '\\r'
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${byte.toString(16).padStart(2, '0')}`
    else out += String.fromCharCode(byte)
  }
  return `b${quote}${out}${quote}`
}

/** `_create_identifier()`: SHA-512 of `"{remote address}|{user agent}"`, each as Python formats its bytes. */
export function sessionIdentifier(c: Context): string {
  const req = request(c)
  const forwarded = req.headers.get('X-Forwarded-For', null) as string | null
  const address = forwarded ?? req.remote_addr
  const addressText =
    address === null ? 'None' : bytesRepr(address.split(',')[0]!.replace(/^[\s]+|[\s]+$/g, ''))
  const agent = req.headers.get('User-Agent', null) as string | null
  const base = `${addressText}|${agent === null ? 'None' : bytesRepr(agent)}`
  return createHash('sha512').update(base, 'utf8').digest('hex')
}

function secretKey(): Buffer {
  const key = appConfigValue('SECRET_KEY') ?? process.env['SECRET_KEY']
  if (key instanceof Uint8Array) return Buffer.from(key)
  if (typeof key !== 'string') throw new Error("KeyError: 'SECRET_KEY'")
  return Buffer.from(key, 'latin1')
}

function cookieDigest(payload: string): string {
  return createHmac('sha512', secretKey()).update(payload, 'utf8').digest('hex')
}

/** `encode_cookie(payload)`: `payload|digest`. */
export function encodeCookie(payload: string): string {
  return `${payload}|${cookieDigest(payload)}`
}

/** `decode_cookie(cookie)`: the payload when the digest matches, else null. */
export function decodeCookie(cookie: string): string | null {
  const bar = cookie.lastIndexOf('|')
  if (bar < 0) return null
  const payload = cookie.slice(0, bar)
  const expected = Buffer.from(cookieDigest(payload))
  const given = Buffer.from(cookie.slice(bar + 1))
  return expected.length === given.length && timingSafeEqual(expected, given) ? payload : null
}

/** `make_next_param(login_url, current_url)`: the current URL without scheme and host when they match the login URL's. */
export function makeNextParam(loginUrlText: string, currentUrl: string): string {
  const login = splitUrl(loginUrlText)
  const current = splitUrl(currentUrl)
  if (
    (!login.scheme || login.scheme === current.scheme) &&
    (!login.netloc || login.netloc === current.netloc)
  ) {
    return `${current.path}${current.query ? `?${current.query}` : ''}`
  }
  return currentUrl
}

/** `urllib.parse.urlsplit` for the parts Flask-Login reads. */
function splitUrl(url: string): { scheme: string; netloc: string; path: string; query: string } {
  const match = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?/.exec(
    url,
  )!
  return {
    scheme: (match[1] ?? '').toLowerCase(),
    netloc: match[2] ?? '',
    path: match[3] ?? '',
    query: match[4] ?? '',
  }
}

function expandLoginView(c: Context, loginView: string): string {
  if (/^(https:\/\/|http:\/\/|\/)/.test(loginView)) return loginView
  const urlMap = loginUrlMap ?? appUrlMap()
  if (urlMap === null) throw new Error('no URL map: login_view cannot be built (useLoginUrlMap)')
  return urlFor(urlMap, loginView, {}, urlForContext(c))
}

/** Werkzeug 2.2's `url_quote_plus` (as `url_encode` quotes keys and values): its always-safe characters, `+` quoted, space as `+`. */
function quotePlus(text: string): string {
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte)
    if (/[A-Za-z0-9\-._~$!'()*,;]/.test(ch) && byte < 0x80) out += ch
    else if (ch === ' ') out += '+'
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** `login_url(login_view, next_url)`: the login view's URL with `next` added to its query, keys sorted (Werkzeug's `url_encode(sort=True)`). */
export function loginUrl(
  c: Context,
  loginView: string,
  nextUrl: string | null,
  nextField = 'next',
): string {
  const base = expandLoginView(c, loginView)
  if (nextUrl === null) return base
  const parts = splitUrl(base)
  const pairs: [string, string][] = []
  if (parts.query) {
    for (const piece of parts.query.split(/[&;]/)) {
      if (!piece) continue
      const eq = piece.indexOf('=')
      const decode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '))
      const key = decode(eq < 0 ? piece : piece.slice(0, eq))
      if (key !== nextField) pairs.push([key, decode(eq < 0 ? '' : piece.slice(eq + 1))])
    }
  }
  pairs.push([nextField, makeNextParam(base, nextUrl)])
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const query = pairs.map(([key, value]) => `${quotePlus(key)}=${quotePlus(value)}`).join('&')
  const netloc = (config('FORCE_HOST_FOR_REDIRECTS', null) as string | null) || parts.netloc
  const fragment = base.includes('#') ? base.slice(base.indexOf('#')) : ''
  return `${parts.scheme ? `${parts.scheme}:` : ''}${netloc ? `//${netloc}` : ''}${parts.path}?${query}${fragment}`
}

/** `current_user`: the user of this request, loaded once (`_get_user`). */
export function currentUser(): Py {
  const c = currentContext()
  const state = g(c)
  if (!('_login_user' in state)) {
    rememberCookieUpdates()
    loginManager().loadUser(c)
  }
  return state._login_user
}

/** `login_user(user, remember=False, duration=None, force=False, fresh=True)`. */
export function loginUser(
  user: Py,
  remember: Py = false,
  duration: Py = null,
  force: Py = false,
  fresh: Py = true,
): boolean {
  if (!truthy(force) && !truthy(user.is_active)) return false
  const c = currentContext()
  const lm = loginManager()
  rememberCookieUpdates()
  const session = flaskSession(c)
  session.set('_user_id', user[lm.id_attribute]())
  session.set('_fresh', fresh)
  session.set('_id', sessionIdentifier(c))
  if (truthy(remember)) {
    session.set('_remember', 'set')
    if (duration !== null && duration !== undefined) {
      if (!(duration instanceof PyTimeDelta))
        throw new Error(`duration must be a datetime.timedelta, instead got: ${String(duration)}`)
      session.set(
        '_remember_seconds',
        (duration.microseconds + (duration.seconds + duration.days * 24 * 3600) * 10 ** 6) /
          10.0 ** 6,
      )
    }
  }
  lm.setUser(c, user)
  return true
}

/** `logout_user()`: the user's keys out of the session, the remember cookie cleared when the request has one. */
export function logoutUser(): boolean {
  const c = currentContext()
  currentUser()
  const session = flaskSession(c)
  for (const key of ['_user_id', '_fresh', '_id']) if (session.has(key)) session.pop(key)
  const cookieName = config('REMEMBER_COOKIE_NAME', COOKIE_NAME) as string
  if (request(c).cookies.has(cookieName)) {
    session.set('_remember', 'clear')
    if (session.has('_remember_seconds')) session.pop('_remember_seconds')
  }
  loginManager().setUser(c, null)
  return true
}

/** `confirm_login()`: the session made fresh again. */
export function confirmLogin(): null {
  const c = currentContext()
  const session = flaskSession(c)
  session.set('_fresh', true)
  session.set('_id', sessionIdentifier(c))
  return null
}

/** `login_fresh()`. */
export function loginFresh(): Py {
  return flaskSession(currentContext()).get('_fresh', false)
}

function guarded(view: Py, fresh: boolean): Py {
  return takesKeywords((...args: Py[]): Py => {
    const c = currentContext()
    if (EXEMPT_METHODS.has(request(c).method) || truthy(config('LOGIN_DISABLED', false))) {
      // exempt
    } else if (!truthy(currentUser().is_authenticated)) {
      return loginManager().unauthorized()
    } else if (fresh && !truthy(loginFresh())) {
      return loginManager().needs_refresh()
    }
    const last = args.at(-1)
    return last instanceof Keywords
      ? callWithKeywords(view, args.slice(0, -1), last)
      : callWithKeywords(view, args, {})
  })
}

/** `@login_required`. */
export function loginRequired(view: Py): Py {
  return guarded(view, false)
}

/** `@fresh_login_required`. */
export function freshLoginRequired(view: Py): Py {
  return guarded(view, true)
}

/**
 * `_update_remember_cookie`, the after_request function `init_app` registers: it runs before the
 * session is saved (it pops `_remember`), so it is registered ahead of the session's finalizer.
 */
function updateRememberCookie(c: Context, response: FlaskResponse): FlaskResponse {
  const session = flaskSession(c)
  if (!session.has('_remember') && truthy(config('REMEMBER_COOKIE_REFRESH_EACH_REQUEST', false)))
    session.set('_remember', 'set')
  if (session.has('_remember')) {
    const operation = session.pop('_remember', null)
    const cookieName = config('REMEMBER_COOKIE_NAME', COOKIE_NAME) as string
    const domain = config('REMEMBER_COOKIE_DOMAIN', null) as string | null
    const path = config('REMEMBER_COOKIE_PATH', '/') as string
    if (operation === 'set' && session.has('_user_id')) {
      let seconds: number
      if (session.has('_remember_seconds')) seconds = Number(session.get('_remember_seconds'))
      else {
        const duration = config('REMEMBER_COOKIE_DURATION', COOKIE_DURATION_SECONDS)
        seconds =
          duration instanceof PyTimeDelta ? Number(duration.total_seconds()) : Number(duration)
      }
      response.set_cookie(cookieName, encodeCookie(String(session.get('_user_id'))), {
        expires: new Date(Date.now() + seconds * 1000),
        domain,
        path,
        secure: truthy(config('REMEMBER_COOKIE_SECURE', false)),
        httponly: truthy(config('REMEMBER_COOKIE_HTTPONLY', true)),
        samesite: config('REMEMBER_COOKIE_SAMESITE', null) as string | null,
      })
    } else if (operation === 'clear') {
      response.delete_cookie(cookieName, { domain, path })
    }
  }
  return response
}

/** Registers `updateRememberCookie` ahead of the session's save (once). */
function rememberCookieUpdates(): void {
  addResponseFinalizer(updateRememberCookie, { first: true })
}
rememberCookieUpdates()
