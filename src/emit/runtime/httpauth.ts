/**
 * Flask-HTTPAuth 4 (Debian's python3-flask-httpauth) on Hono: `HTTPBasicAuth`, `HTTPTokenAuth`
 * and `MultiAuth` with their callbacks (`verify_password`, `verify_token`, `get_password`,
 * `hash_password`, `get_user_roles`, `error_handler`), `login_required(f=None, role=None,
 * optional=None)` as a Python decorator, `current_user()`, `username()`; the credentials read
 * from the request as Flask-HTTPAuth reads them, the `WWW-Authenticate` header and the default
 * `Unauthorized Access` answers (401, or 403 for a role the user lacks). OPTIONS requests are
 * not checked, as in Flask-HTTPAuth. `HTTPDigestAuth` is not carried over.
 */
import { timingSafeEqual } from 'node:crypto'
import type { Context } from 'hono'
import { TypeError as PyTypeError, ValueError } from './exceptions.js'
import { currentContext, FlaskResponse, g, makeResponse, request } from './flask.js'
import { b64decode } from './hashing.js'
import { parseAuthorization } from './request-headers.js'
import { callWithKeywords, isTuple, Keywords, takesKeywords, type Py } from './py.js'

type PyFunction = (...args: Py[]) => Py

/** The credentials of a request: Werkzeug's `Authorization` as Flask-HTTPAuth builds it. */
interface Credentials {
  type: string
  username?: string | null
  password?: string | null
  token?: string
}

/** Python's `str.split(None, 1)` (the rest keeps its trailing whitespace), when it gives two parts. */
function splitOnce(text: string): [string, string] | null {
  const match = /^\s*(\S+)\s+(\S[\s\S]*)$/.exec(text)
  return match === null ? null : [match[1]!, match[2]!]
}

/** CPython's non-strict `base64.b64decode` (runtime hashing.ts): raises on an unfinished quad. */
function b64decodeLenient(text: string): Buffer {
  return Buffer.from(b64decode(text))
}

/**
 * Werkzeug 2.2's `request.authorization` as Flask-HTTPAuth's base `get_auth` reads it: Basic
 * credentials (UTF-8, else None), else None (Digest is not carried over).
 */
function werkzeugAuthorization(value: string | null): Credentials | null {
  const auth = parseAuthorization(value)
  if (auth === null || auth.type !== 'basic') return null
  return { type: 'basic', username: auth.username as string, password: auth.password as string }
}

function utf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return null
  }
}

function constantTimeEquals(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

const USER = 'flask_httpauth_user'

/** Calls `fn` with `args` as given (a trailing `Keywords` included, which the view binds by name). */
function callThrough(fn: PyFunction, args: Py[]): Py {
  const last = args.at(-1)
  return last instanceof Keywords ? callWithKeywords(fn, args.slice(0, -1), last) : fn(...args)
}

/** Python's binding of `login_required(f=None, role=None, optional=None)`, keywords in a trailing `Keywords`. */
function loginRequiredArguments(args: Py[]): { f: PyFunction | null; role: Py; optional: Py } {
  const last = args.at(-1)
  const positional = last instanceof Keywords ? args.slice(0, -1) : args
  const bound: Record<string, Py> = {
    f: positional[0] ?? null,
    role: positional[1] ?? null,
    optional: positional[2] ?? null,
  }
  if (last instanceof Keywords) {
    for (const [key, value] of last.entries) {
      if (!(key in bound))
        throw new PyTypeError(`login_required() got an unexpected keyword argument '${key}'`)
      bound[key] = value
    }
  }
  if (bound['f'] !== null && (bound['role'] !== null || bound['optional'] !== null))
    throw new ValueError('role and optional are the only supported arguments')
  return bound as { f: PyFunction | null; role: Py; optional: Py }
}

/** What HTTPBasicAuth, HTTPTokenAuth share (Flask-HTTPAuth's `HTTPAuth`). */
export abstract class HTTPAuth {
  /* eslint-disable @typescript-eslint/naming-convention -- the Python API's names */
  scheme: string
  realm: string
  header: string | null
  get_password_callback: PyFunction = () => null
  get_user_roles_callback: PyFunction | null = null
  auth_error_callback: PyFunction

  constructor(scheme: string, realm: Py = null, header: Py = null) {
    this.scheme = scheme
    this.realm = realm || 'Authentication Required'
    this.header = header ?? null
    this.auth_error_callback = this.wrapErrorHandler((status: Py) => [
      'Unauthorized Access',
      status,
    ])
  }

  protected abstract getAuth(c: Context): Credentials | null
  protected abstract authenticate(auth: Credentials | null, stored: Py): Py

  get_password(f: PyFunction): PyFunction {
    this.get_password_callback = f
    return f
  }

  get_user_roles(f: PyFunction): PyFunction {
    this.get_user_roles_callback = f
    return f
  }

  /** `@auth.error_handler`: its answer goes through make_response; 200 becomes 401, and WWW-Authenticate is added. */
  error_handler(f: PyFunction): PyFunction {
    this.auth_error_callback = this.wrapErrorHandler(f)
    return this.auth_error_callback
  }

  private wrapErrorHandler(f: PyFunction): PyFunction {
    return (...args: Py[]) => {
      const c = currentContext()
      const result = f(...args)
      const checkStatus = !(
        isTuple(result) ||
        Array.isArray(result) ||
        result instanceof FlaskResponse ||
        result instanceof Response
      )
      const response = makeResponse(
        c,
        Array.isArray(result) && !isTuple(result) ? Object.freeze([...result]) : result,
      )
      if (checkStatus && response.status_code === 200) response.status_code = 401
      if (!response.headers.has('WWW-Authenticate'))
        response.headers.set('WWW-Authenticate', this.authenticate_header())
      return response
    }
  }

  authenticate_header(): string {
    return `${this.scheme} realm="${this.realm}"`
  }

  /** Whether the request carries credentials of this scheme (MultiAuth picks the first that does). */
  is_compatible_auth(c: Context = currentContext()): boolean {
    if (this.header === null || this.header === 'Authorization') {
      const parts = splitOnce(request(c).headers.get('Authorization') ?? '')
      return parts !== null && parts[0] === this.scheme
    }
    return request(c).headers.get(this.header) !== null
  }

  protected authorize(role: Py, user: Py, auth: Credentials | null): boolean {
    if (role === null || role === undefined) return true
    const roles: Py[] = Array.isArray(role) ? role : [role]
    if (user === true) user = auth
    if (this.get_user_roles_callback === null)
      throw new ValueError('get_user_roles callback is not defined')
    const given = this.get_user_roles_callback(user)
    const userRoles = new Set<Py>(
      given === null || given === undefined ? [] : Array.isArray(given) ? given : [given],
    )
    for (const wanted of roles) {
      if (Array.isArray(wanted)) {
        if (wanted.every((item) => userRoles.has(item))) return true
      } else if (userRoles.has(wanted)) return true
    }
    return false
  }

  /** `login_required(f=None, role=None, optional=None)`: a decorator (or, given `f`, the decorated function). */
  login_required(...args: Py[]): Py {
    const { f, role, optional } = loginRequiredArguments(args)
    const decorate = (fn: PyFunction): PyFunction =>
      takesKeywords((...callArgs: Py[]) => {
        const c = currentContext()
        const auth = this.getAuth(c)
        if (c.req.method !== 'OPTIONS') {
          const password = auth?.username ? this.get_password_callback(auth.username) : null
          let status: number | null = null
          const user = this.authenticate(auth, password)
          if (user === false || user === null || user === undefined) status = 401
          else if (!this.authorize(role, user, auth)) status = 403
          if (!optional && status !== null) return this.auth_error_callback(status)
          g(c)[USER] = user !== true ? user : auth ? (auth.username ?? null) : null
        }
        return callThrough(fn, callArgs)
      })
    return f !== null ? decorate(f) : decorate
  }

  /** `username()`: the username of the request's credentials, '' without any. */
  username(): string {
    const auth = this.getAuth(currentContext())
    return auth ? (auth.username ?? '') : ''
  }

  /** `current_user()`: what the verify callback returned for this request, None before. */
  current_user(): Py {
    const value = g(currentContext()).get(USER, undefined)
    return value === undefined ? null : value
  }
  /* eslint-enable @typescript-eslint/naming-convention */
}

/** Flask-HTTPAuth's `HTTPBasicAuth(scheme=None, realm=None)`. */
export class HTTPBasicAuth extends HTTPAuth {
  /* eslint-disable @typescript-eslint/naming-convention -- the Python API's names */
  hash_password_callback: PyFunction | null = null
  verify_password_callback: PyFunction | null = null

  constructor(scheme: Py = null, realm: Py = null) {
    super(scheme || 'Basic', realm)
  }

  hash_password(f: PyFunction): PyFunction {
    this.hash_password_callback = f
    return f
  }

  verify_password(f: PyFunction): PyFunction {
    this.verify_password_callback = f
    return f
  }

  protected getAuth(c: Context): Credentials | null {
    const value = request(c).headers.get(this.header ?? 'Authorization')
    if (value === null) return null
    const bytes = Buffer.from(value, 'utf8')
    const space = bytes.indexOf(0x20)
    if (space < 0) return null
    let decoded: Buffer
    try {
      decoded = b64decodeLenient(bytes.subarray(space + 1).toString('latin1'))
    } catch {
      return null
    }
    const colon = decoded.indexOf(0x3a)
    if (colon < 0) return null
    const username = utf8(decoded.subarray(0, colon))
    const password = utf8(decoded.subarray(colon + 1))
    const valid = username !== null && password !== null
    return {
      type: bytes.subarray(0, space).toString('utf8'),
      username: valid ? username : null,
      password: valid ? password : null,
    }
  }

  protected authenticate(auth: Credentials | null, stored: Py): Py {
    const username = auth ? auth.username : ''
    let clientPassword: Py = auth ? auth.password : ''
    if (this.verify_password_callback !== null)
      return this.verify_password_callback(username, clientPassword)
    if (!auth) return null
    if (this.hash_password_callback !== null) {
      clientPassword =
        this.hash_password_callback.length >= 2
          ? this.hash_password_callback(username, clientPassword)
          : this.hash_password_callback(clientPassword)
    }
    return clientPassword !== null &&
      stored !== null &&
      constantTimeEquals(String(clientPassword), String(stored))
      ? auth.username
      : null
  }
  /* eslint-enable @typescript-eslint/naming-convention */
}

/** Flask-HTTPAuth's `HTTPTokenAuth(scheme='Bearer', realm=None, header=None)`. */
export class HTTPTokenAuth extends HTTPAuth {
  /* eslint-disable @typescript-eslint/naming-convention -- the Python API's names */
  verify_token_callback: PyFunction | null = null

  constructor(scheme: Py = 'Bearer', realm: Py = null, header: Py = null) {
    super(scheme ?? 'Bearer', realm, header)
  }

  verify_token(f: PyFunction): PyFunction {
    this.verify_token_callback = f
    return f
  }

  protected getAuth(c: Context): Credentials | null {
    let auth: Credentials | null = null
    if (this.header === null || this.header === 'Authorization') {
      const value = request(c).headers.get('Authorization')
      auth = werkzeugAuthorization(value)
      if (auth === null && value !== null) {
        const parts = splitOnce(value)
        if (parts !== null) auth = { type: parts[0], token: parts[1] }
      }
    } else {
      const value = request(c).headers.get(this.header)
      if (value !== null) auth = { type: this.scheme, token: value }
    }
    if (auth !== null && auth.type.toLowerCase() !== this.scheme.toLowerCase()) auth = null
    return auth
  }

  protected authenticate(auth: Credentials | null): Py {
    const token = auth ? (auth.token ?? null) : ''
    if (this.verify_token_callback !== null) return this.verify_token_callback(token)
    return null
  }
  /* eslint-enable @typescript-eslint/naming-convention */
}

/** Flask-HTTPAuth's `MultiAuth(main_auth, *args)`: the first whose scheme the request uses, else the main one. */
export class MultiAuth {
  /* eslint-disable @typescript-eslint/naming-convention -- the Python API's names */
  readonly main_auth: HTTPAuth
  readonly additional_auth: HTTPAuth[]

  constructor(main_auth: HTTPAuth, ...additional: HTTPAuth[]) {
    this.main_auth = main_auth
    this.additional_auth = additional.filter((auth) => auth !== undefined && auth !== null)
  }

  login_required(...args: Py[]): Py {
    const { f, role, optional } = loginRequiredArguments(args)
    const decorate = (fn: PyFunction): PyFunction =>
      takesKeywords((...callArgs: Py[]) => {
        const c = currentContext()
        let selected = this.main_auth
        if (!this.main_auth.is_compatible_auth(c)) {
          selected =
            this.additional_auth.find((auth) => auth.is_compatible_auth(c)) ?? this.main_auth
        }
        const decorator = selected.login_required(
          new Keywords([
            ['role', role],
            ['optional', optional],
          ]),
        ) as (fn: PyFunction) => PyFunction
        return callThrough(decorator(fn), callArgs)
      })
    return f !== null ? decorate(f) : decorate
  }

  current_user(): Py {
    const value = g(currentContext()).get(USER, undefined)
    return value === undefined ? null : value
  }
  /* eslint-enable @typescript-eslint/naming-convention */
}
