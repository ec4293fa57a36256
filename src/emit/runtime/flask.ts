/**
 * Flask's request/response runtime for a generated Hono service (copied to `src/lib/flask.ts`).
 *
 * Everything takes the Hono `Context` where Flask reads its context locals (`request`, `g`).
 * Translated code returns Python-shaped values and this module turns them into responses as
 * Flask 2.2 / Werkzeug 2.2 would:
 *
 * - a view is `view(async (c) => <python return value>)`, a hook or error handler is a plain
 *   function; `makeResponse` applies Flask's return conventions (str → HTML, dict/list → JSON,
 *   tuples `(body, status)`, `(body, headers)`, `(body, status, headers)`, responses, HTTP errors);
 * - a Python tuple is a frozen array (py.ts's `tuple(...)`: `Object.freeze([...])`); a plain
 *   array is a list and becomes JSON;
 * - None is `null` (`undefined` is read as None too), a dict is a plain object or py.ts's `PyDict`;
 * - the request body is read once, asynchronously, before hooks and views run
 *   (`flaskContext()` / `requestHooks()` do it; `await loadRequest(c)` anywhere else), so
 *   `request(c)` is synchronous like Flask's `request`. It is never read past `maxBodyBytes()`
 *   (the config's `MAX_CONTENT_LENGTH`, else `MAX_BODY_BYTES`, else 16 MiB): a larger body is
 *   left unread and using it raises `RequestEntityTooLarge` (413), as Flask does on access.
 *
 * Pipeline, in the root app:
 * ```ts
 * const onError = errorHandlers([{ code: 404, handle: notFound }, { exception: ValueError, handle: badValue }])
 * app.onError(onError)
 * app.use(requestHooks({ before: [attachRequestId], after: [addHeaders], errorHandler: onError }))
 * ```
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Context, ErrorHandler, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import { type FileStorage, parseMultipart } from './multipart.js'
import {
  HTTP_STATUS_CODES,
  HTTPException,
  InternalServerError,
  BadRequest,
  RequestEntityTooLarge,
  RequestRedirect,
  defaultExceptions,
  useWerkzeugResponse,
} from './errors.js'
import {
  ValueError,
  KeyError,
  TypeError as PyTypeError,
  LookupError,
  RuntimeError,
} from './exceptions.js'
import type { RoutingInfo } from './router.js'
import { DICT_PAIRS, PyDict, callWithKeywords } from './py.js'
import { PyFloat, floatRepr } from './float.js'
import { loadsJson } from './json.js'

export { abort } from './errors.js'

// ---------------------------------------------------------------------------------------------
// Context: AppEnv, g, per-request state

/** The Env of a generated app: `c.var.g` is Flask's `g`, `c.var.routing` is set by `WerkzeugRouter`. */
export type AppEnv = {
  Variables: {
    g: FlaskG
    routing: RoutingInfo
  }
}

/**
 * Flask's `g` for one request: attributes (`g.user = u` → `g(c).user = u`) and the methods of
 * `_AppCtxGlobals`: `get`, `pop`, `setdefault`, `has` (Python's `'x' in g`).
 */
export class FlaskG {
  // Attributes of g are whatever the app stores; translated code reads them untyped as Python does.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [name: string]: any

  /** `g.get(name, default=None)`. */
  get(name: string, defaultValue: unknown = null): unknown {
    return Object.hasOwn(this, name) ? this[name] : defaultValue
  }

  /** `g.pop(name[, default])`: KeyError without a default when missing. */
  pop(name: string, ...defaultValue: unknown[]): unknown {
    if (Object.hasOwn(this, name)) {
      const value: unknown = this[name]
      delete this[name]
      return value
    }
    if (defaultValue.length > 0) return defaultValue[0]
    throw new KeyError(name)
  }

  /** `g.setdefault(name, default=None)`. */
  setdefault(name: string, defaultValue: unknown = null): unknown {
    if (!Object.hasOwn(this, name)) this[name] = defaultValue
    return this[name]
  }

  /** Python's `name in g`. */
  has(name: string): boolean {
    return Object.hasOwn(this, name)
  }

  /** `name in g` from code that does not know the type (py.contains). */
  __contains__(name: string): boolean {
    return this.has(name)
  }
}

interface RequestState {
  request: FlaskRequest | null
  /** Functions registered with `afterThisRequest`, run first by `requestHooks`' after phase. */
  afterThisRequest: AfterRequestFunction[]
  /** The exception that became a 500 without a handler taking it: what Flask passes to teardown. */
  unhandledError: unknown
  /** The app's teardown_appcontext functions (set by `requestHooks`), for the app contexts a handler pushes. */
  appContextTeardowns?: TeardownRequestFunction[]
}

/** Where a request's state lives: a property of the web `Request`, the same across sub-apps (a WeakMap costs the GC more). */
const STATE = Symbol('flask request state')

function stateOf(c: Context): RequestState {
  const raw = c.req.raw as Request & { [STATE]?: RequestState }
  let state = raw[STATE]
  if (!state) {
    state = { request: null, afterThisRequest: [], unhandledError: undefined }
    raw[STATE] = state
  }
  return state
}

/** The request being handled, for code that is not a view, hook or error handler (Flask's context locals). */
const requestContext = new AsyncLocalStorage<Context>()

/** The Hono context of the request being handled: what `g`, `request` and `current_app` are in a helper function. */
export function currentContext(): Context {
  const c = requestContext.getStore()
  if (c === undefined) throw new RuntimeError('Working outside of application context.')
  return c
}

/** Runs `fn` as the handling of `c`: `requestHooks` does for every request, a CLI command script for its run. */
export function runInContext<T>(c: Context, fn: () => T): T {
  return requestContext.run(c, fn)
}

/** Flask's `g` for this request (created on first use). */
export function g(c: Context): FlaskG {
  let value = c.get('g') as FlaskG | undefined
  if (!(value instanceof FlaskG)) {
    value = new FlaskG()
    c.set('g', value)
  }
  return value
}

function routingOf(c: Context): RoutingInfo | null {
  const routing = c.get('routing') as RoutingInfo | undefined
  return routing ?? null
}

function blueprintsOf(c: Context): string[] {
  return routingOf(c)?.blueprints ?? []
}

/**
 * Middleware that sets up Flask's request context: a fresh `g`, and the request body read once
 * so `request(c)` works synchronously. `requestHooks` does the same; use this when an app has no hooks.
 */
export function flaskContext(): MiddlewareHandler {
  return async function flaskContextMiddleware(c, next) {
    const prepared = prepareRequest(c)
    if (prepared instanceof Promise) await prepared
    await runInContext(c, next)
  }
}

/**
 * Whether the service logs one line per request (Hono's `logger()`, as Flask's development server
 * logs each request at INFO): with `LOG_LEVEL` DEBUG or INFO; without `LOG_LEVEL`, only outside
 * production and tests (NODE_ENV neither `production` nor `test`), so a production service, like
 * gunicorn by default, keeps the request path free of console writes.
 */
export function logsRequests(
  env: { readonly [name: string]: string | undefined } = process.env,
): boolean {
  const level = env['LOG_LEVEL']?.trim().toUpperCase()
  if (level) return level === 'DEBUG' || level === 'INFO'
  return env['NODE_ENV'] !== 'production' && env['NODE_ENV'] !== 'test'
}

// ---------------------------------------------------------------------------------------------
// Python-compatible text helpers

/** Python's `str.isspace` characters, for `strip()`. */
const PY_WHITESPACE =
  '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const PY_STRIP = new RegExp(`^[${PY_WHITESPACE}]+|[${PY_WHITESPACE}]+$`, 'g')

function pyStrip(text: string): string {
  return text.replace(PY_STRIP, '')
}

const utf8Encoder = new TextEncoder()

function latin1Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff
  return bytes
}

function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes)
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  if (code >= 0x41 && code <= 0x46) return code - 0x37
  if (code >= 0x61 && code <= 0x66) return code - 0x57
  return -1
}

/** Werkzeug's `_unquote_to_bytes`: `%XX` decoded, anything else (including bad escapes) kept. */
function unquoteToBytes(bytes: Uint8Array, plusAsSpace: boolean): Uint8Array {
  // Never longer than the input: one typed array, not an array of numbers (a large form body).
  const out = new Uint8Array(bytes.length)
  let length = 0
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    if (byte === 0x25 && i + 2 < bytes.length) {
      const high = hexValue(bytes[i + 1]!)
      const low = hexValue(bytes[i + 2]!)
      if (high >= 0 && low >= 0) {
        out[length++] = high * 16 + low
        i += 2
        continue
      }
    }
    out[length++] = plusAsSpace && byte === 0x2b ? 0x20 : byte
  }
  return out.subarray(0, length)
}

/** Werkzeug's `url_decode`: `&`-separated pairs, `+` as space, UTF-8 with replacement, empty values kept. */
function urlDecode(query: Uint8Array): [string, string][] {
  const pairs: [string, string][] = []
  let start = 0
  for (let i = 0; i <= query.length; i++) {
    if (i < query.length && query[i] !== 0x26) continue
    const pair = query.subarray(start, i)
    start = i + 1
    if (pair.length === 0) continue
    const equals = pair.indexOf(0x3d)
    const key = equals < 0 ? pair : pair.subarray(0, equals)
    const value = equals < 0 ? new Uint8Array(0) : pair.subarray(equals + 1)
    pairs.push([decodeUtf8(unquoteToBytes(key, true)), decodeUtf8(unquoteToBytes(value, true))])
  }
  return pairs
}

const ALWAYS_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~$!'()*+,;"

/** Werkzeug's `url_quote(string, safe)`. */
function urlQuote(text: string, safe = '/:'): string {
  const allowed = ALWAYS_SAFE + safe
  let out = ''
  for (const byte of utf8Encoder.encode(text)) {
    const char = String.fromCharCode(byte)
    out +=
      byte < 0x80 && allowed.includes(char)
        ? char
        : '%' + byte.toString(16).toUpperCase().padStart(2, '0')
  }
  return out
}

/** Werkzeug's `uri_to_iri` for a path or query: `%XX` of non-ASCII and always-safe bytes decoded. */
function uriToIri(text: string): string {
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const high = hexValue(text.charCodeAt(i + 1))
    const low = hexValue(text.charCodeAt(i + 2))
    if (text[i] === '%' && high >= 0 && low >= 0) {
      const byte = high * 16 + low
      if (byte >= 0x80 || ALWAYS_SAFE.includes(String.fromCharCode(byte))) {
        bytes.push(byte)
        i += 2
        continue
      }
    }
    for (const byte of utf8Encoder.encode(text[i]!)) bytes.push(byte)
  }
  return decodeUtf8(Uint8Array.from(bytes))
}

/** `iri_to_uri(location, safe_conversion=True)`. */
function iriToUri(location: string): string {
  // eslint-disable-next-line no-control-regex
  if (
    /^[\x00-\x7f]*$/.test(location) &&
    location.split(/[ \t\n\r\x0b\x0c]+/).filter((p) => p !== '').length === 1
  ) {
    return location
  }
  return urlQuote(location, ":/?#[]@!$&'()*+,;=%")
}

// ---------------------------------------------------------------------------------------------
// MultiDict, request headers

/**
 * A `type=` converter for `MultiDict.get` / `getlist`: py.ts's `int`, `float`, `str`, `bool` or any
 * function. As in Werkzeug, a `ValueError` it throws means "not convertible" (the default is
 * returned / the value is skipped); anything else propagates.
 */
export type Converter<T> = (value: string) => T

function isConversionFailure(error: unknown): boolean {
  return error instanceof ValueError
}

/**
 * Werkzeug's `MultiDict` (`request.args`, `request.form`, `request.cookies`): several values per
 * key, `get` answering the first.
 */
export class MultiDict<V = string> {
  readonly #lists = new Map<string, V[]>()

  constructor(pairs: Iterable<readonly [string, V]> = []) {
    for (const [key, value] of pairs) this.add(key, value)
  }

  /** `d.add(key, value)`: appends a value. */
  add(key: string, value: V): void {
    const list = this.#lists.get(key)
    if (list) list.push(value)
    else this.#lists.set(key, [value])
  }

  /**
   * `d.get(key, default=None, type=None)`: the first value, `default` when the key is missing,
   * converted by `type` when given (a `ValueError` from it gives `default`).
   */
  get(key: string): V | null
  get<D>(key: string, defaultValue: D): V | D
  get<T, D>(key: string, defaultValue: D, type: Converter<T> | null): T | D
  get(key: string, defaultValue: unknown = null, type: Converter<unknown> | null = null): unknown {
    const list = this.#lists.get(key)
    if (!list) return defaultValue
    const value = list[0]
    if (type === null) return value
    try {
      return type(value as unknown as string)
    } catch (error) {
      if (isConversionFailure(error)) return defaultValue
      throw error
    }
  }

  /** `d.getlist(key, type=None)`: every value; with `type`, those it converts (a `ValueError` skips one). */
  getlist(key: string): V[]
  getlist<T>(key: string, type: Converter<T> | null): T[]
  getlist(key: string, type: Converter<unknown> | null = null): unknown[] {
    const list = this.#lists.get(key) ?? []
    if (type === null) return [...list]
    const out: unknown[] = []
    for (const value of list) {
      try {
        out.push(type(value as unknown as string))
      } catch (error) {
        if (!isConversionFailure(error)) throw error
      }
    }
    return out
  }

  /** `d[key]`: the first value; a missing key is Werkzeug's `BadRequestKeyError` (400, also a `KeyError`). */
  getItem(key: string): V {
    const list = this.#lists.get(key)
    if (!list) throw new BadRequestKeyError(key)
    return list[0] as V
  }

  /** Python's `key in d`. */
  has(key: string): boolean {
    return this.#lists.has(key)
  }

  __contains__(key: string): boolean {
    return this.#lists.has(key)
  }

  get size(): number {
    return this.#lists.size
  }

  __len__(): number {
    return this.#lists.size
  }

  keys(): string[] {
    return [...this.#lists.keys()]
  }

  /** `d.values()`: the first value of each key. */
  values(): V[] {
    return [...this.#lists.values()].map((list) => list[0] as V)
  }

  /** `d.items(multi=False)`: `[key, first value]` pairs, or every pair with `multi`. */
  items(multi = false): [string, V][] {
    const out: [string, V][] = []
    for (const [key, list] of this.#lists) {
      if (multi) for (const value of list) out.push([key, value])
      else out.push([key, list[0] as V])
    }
    return out
  }

  /** `d.lists()`: `[key, values]` pairs. */
  lists(): [string, V[]][] {
    return [...this.#lists].map(([key, list]) => [key, [...list]])
  }

  /** `d.to_dict(flat=True)`: first values, or every value list with `flat = false`. */
  toDict(flat = true): Record<string, V | V[]> {
    const out: Record<string, V | V[]> = {}
    for (const [key, list] of this.#lists) out[key] = flat ? (list[0] as V) : [...list]
    return out
  }

  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]()
  }
}

/** Werkzeug's `BadRequestKeyError`: a missing key in `request.args[...]` / `request.form[...]`. */
export class BadRequestKeyError extends BadRequest {
  readonly key: string
  constructor(key: string) {
    super()
    this.key = key
  }
}
// Python: `class BadRequestKeyError(BadRequest, KeyError)`; `errorhandler(KeyError)` catches it.
// JS has single inheritance, so the error handler lookup adds KeyError to its MRO (see mroOf).

/**
 * Werkzeug's `CombinedMultiDict` (`request.values`): args then form. Its `get` with `type` tries
 * the next dict when a conversion fails, as Werkzeug's does.
 */
export class CombinedMultiDict {
  readonly dicts: MultiDict[]
  constructor(dicts: MultiDict[]) {
    this.dicts = dicts
  }

  get(key: string): string | null
  get<D>(key: string, defaultValue: D): string | D
  get<T, D>(key: string, defaultValue: D, type: Converter<T> | null): T | D
  get(key: string, defaultValue: unknown = null, type: Converter<unknown> | null = null): unknown {
    for (const dict of this.dicts) {
      if (!dict.has(key)) continue
      const value = dict.getItem(key)
      if (type === null) return value
      try {
        return type(value)
      } catch (error) {
        if (!isConversionFailure(error)) throw error
      }
    }
    return defaultValue
  }

  getlist(key: string): string[]
  getlist<T>(key: string, type: Converter<T> | null): T[]
  getlist(key: string, type: Converter<unknown> | null = null): unknown[] {
    return this.dicts.flatMap((dict) => dict.getlist(key, type))
  }

  getItem(key: string): string {
    for (const dict of this.dicts) if (dict.has(key)) return dict.getItem(key)
    throw new BadRequestKeyError(key)
  }

  has(key: string): boolean {
    return this.dicts.some((dict) => dict.has(key))
  }

  keys(): string[] {
    return [...new Set(this.dicts.flatMap((dict) => dict.keys()))]
  }

  toDict(flat = true): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {}
    for (const key of this.keys()) out[key] = flat ? this.getItem(key) : this.getlist(key)
    return out
  }
}

/** `request.headers`: case-insensitive, `get(key, default=None, type=None)` as Werkzeug's `Headers`. */
export class RequestHeaders {
  readonly #headers: Headers
  constructor(headers: Headers) {
    this.#headers = headers
  }

  get(key: string): string | null
  get<D>(key: string, defaultValue: D): string | D
  get<T, D>(key: string, defaultValue: D, type: Converter<T> | null): T | D
  get(key: string, defaultValue: unknown = null, type: Converter<unknown> | null = null): unknown {
    const value = this.#headers.get(key)
    if (value === null) return defaultValue
    if (type === null) return value
    try {
      return type(value)
    } catch (error) {
      if (isConversionFailure(error)) return defaultValue
      throw error
    }
  }

  getlist(key: string): string[] {
    const value = this.#headers.get(key)
    return value === null ? [] : [value]
  }

  /** `headers[key]`: a missing header is `BadRequestKeyError` (400). */
  getItem(key: string): string {
    const value = this.#headers.get(key)
    if (value === null) throw new BadRequestKeyError(key)
    return value
  }

  /** Python's `key in request.headers` (case-insensitive). */
  has(key: string): boolean {
    return this.#headers.has(key)
  }

  keys(): string[] {
    return [...this.#headers.keys()]
  }

  items(): [string, string][] {
    return [...this.#headers.entries()]
  }
}

// ---------------------------------------------------------------------------------------------
// Cookies

const LEGAL_COOKIE_CHARS = new Set(
  [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/=!#$%&'*+-.^_`|~:"].map(
    (ch) => ch.charCodeAt(0),
  ),
)

/** Werkzeug's `_cookie_quote`: bytes outside the legal set escaped, the value then double-quoted. */
function cookieQuote(bytes: Uint8Array): string {
  let out = ''
  let allLegal = true
  for (const byte of bytes) {
    if (LEGAL_COOKIE_CHARS.has(byte)) {
      out += String.fromCharCode(byte)
      continue
    }
    allLegal = false
    if (byte === 0x2c) out += '\\054'
    else if (byte === 0x3b) out += '\\073'
    else if (byte === 0x22) out += '\\"'
    else if (byte === 0x5c) out += '\\\\'
    else if (byte < 32 || byte >= 127) out += '\\' + byte.toString(8).padStart(3, '0')
    else out += String.fromCharCode(byte)
  }
  return allLegal ? out : `"${out}"`
}

function cookieUnquote(value: string): string {
  if (value.length < 2 || value[0] !== '"' || value[value.length - 1] !== '"') return value
  const inner = value.slice(1, -1)
  let out = ''
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!
    if (ch === '\\' && /^[0-3][0-7][0-7]$/.test(inner.slice(i + 1, i + 4))) {
      out += String.fromCharCode(parseInt(inner.slice(i + 1, i + 4), 8))
      i += 3
    } else if (ch === '\\' && i + 1 < inner.length) {
      out += inner[i + 1]
      i += 1
    } else out += ch
  }
  return out
}

const COOKIE_PAIR =
  /([^=;]*)(?:[ \t\n\r\f\v]*=[ \t\n\r\f\v]*("(?:[^\\"]|\\.)*"|(?:.*?)))?[ \t\n\r\f\v]*;/y

/** Werkzeug's `parse_cookie` on the (latin-1) `Cookie` header. */
function parseCookieHeader(header: string): [string, string][] {
  const pairs: [string, string][] = []
  const text = header + ';'
  COOKIE_PAIR.lastIndex = 0
  while (COOKIE_PAIR.lastIndex < header.length) {
    const match = COOKIE_PAIR.exec(text)
    if (!match) break
    const key = match[1]!.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, '')
    if (!key) continue
    pairs.push([
      decodeUtf8(latin1Bytes(key)),
      decodeUtf8(latin1Bytes(cookieUnquote(match[2] ?? ''))),
    ])
  }
  return pairs
}

function httpDate(date: Date): string {
  return date.toUTCString()
}

/** Keyword arguments of `response.set_cookie(key, value, ...)`; `maxAge` in seconds, `expires` a Date, epoch seconds or text. */
export interface CookieOptions {
  max_age?: number | null
  expires?: Date | number | PyFloat | string | null
  path?: string | null
  domain?: string | null
  secure?: boolean
  httponly?: boolean
  samesite?: string | null
}

/** Werkzeug's `dump_cookie`: the `Set-Cookie` value, attributes in Werkzeug's order. */
export function dumpCookie(key: string, value = '', options: CookieOptions = {}): string {
  const {
    max_age = null,
    expires = null,
    path = '/',
    domain = null,
    secure = false,
    httponly = false,
  } = options
  let samesite = options.samesite ?? null
  let expiresText: string | null = null
  if (expires !== null) {
    expiresText =
      typeof expires === 'string'
        ? expires
        : httpDate(
            typeof expires === 'number' || expires instanceof PyFloat
              ? new Date(Number(expires) * 1000)
              : expires,
          )
  } else if (max_age !== null) {
    expiresText = httpDate(new Date(Date.now() + max_age * 1000))
  }
  if (samesite !== null) {
    samesite = samesite.charAt(0).toUpperCase() + samesite.slice(1).toLowerCase()
    if (!['Strict', 'Lax', 'None'].includes(samesite))
      throw new ValueError("SameSite must be 'Strict', 'Lax', or 'None'.")
  }
  let cookieDomain: string | null = null
  if (domain !== null) {
    cookieDomain = domain.split(':')[0]!
    if (!cookieDomain.includes('.')) {
      throw new ValueError(
        "Setting 'domain' for a cookie on a server running locally (ex: localhost) is not supported by complying browsers.",
      )
    }
  }
  const parts = [
    `${decodeLatin1(utf8Encoder.encode(key))}=${cookieQuote(utf8Encoder.encode(value))}`,
  ]
  if (cookieDomain !== null) parts.push(`Domain=${cookieQuote(utf8Encoder.encode(cookieDomain))}`)
  if (expiresText !== null) parts.push(`Expires=${expiresText}`)
  if (max_age !== null) parts.push(`Max-Age=${Math.trunc(max_age)}`)
  if (secure) parts.push('Secure')
  if (httponly) parts.push('HttpOnly')
  if (path !== null) parts.push(`Path=${iriToUri(path)}`)
  if (samesite !== null) parts.push(`SameSite=${samesite}`)
  return parts.join('; ')
}

function decodeLatin1(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += String.fromCharCode(byte)
  return out
}

// ---------------------------------------------------------------------------------------------
// JSON: Python's json.loads / Flask's DefaultJSONProvider.dumps

function jsonNumber(value: number | PyFloat): string {
  if (value instanceof PyFloat) return floatRepr(value)
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
  // JS has one number type: integral values below 1e16 print as Python ints (where a Python float
  // would print `.0`), larger ones as Python floats (`1e+300`; a Python int that large has lost
  // digits in JS anyway); bigints print as ints.
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value === 0 ? 0 : value)
  return floatRepr(value)
}

/** `json.dumps(s, ensure_ascii=True)` of a str. */
function jsonString(text: string): string {
  // One regex pass: building the result a character at a time makes a rope of millions of
  // pieces for a large string (a 10 MB body echoed back took seconds and hundreds of MB).
  // eslint-disable-next-line no-control-regex
  return '"' + text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, jsonEscape) + '"'
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
}

function jsonEscape(ch: string): string {
  return JSON_ESCAPES[ch] ?? '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0')
}

/** Code point order, as Python compares str. */
function comparePyStrings(a: string, b: string): number {
  // UTF-16 order is code point order up to the first surrogate: compare code units until then.
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    if (x < 0xd800 && y < 0xd800) return x - y
    return compareCodePoints(a, b)
  }
  return a.length - b.length
}

function compareCodePoints(a: string, b: string): number {
  const left = [...a]
  const right = [...b]
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const diff = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!
    if (diff !== 0) return diff
  }
  return left.length - right.length
}

function typeNameOf(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType'
  if (value instanceof PyFloat) return 'float'
  if (typeof value === 'object' || typeof value === 'function')
    return (value as object).constructor?.name ?? 'object'
  return typeof value
}

function isTuple(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && Object.isFrozen(value)
}

/** A py.ts `PyDict` or a `Map`: entries with their original (possibly non-str) keys. */
function dictEntries(value: object): [unknown, unknown][] | null {
  if (value instanceof Map) return [...value.entries()]
  const candidate = value as { items?: unknown; getItem?: unknown; keys?: unknown }
  if (
    typeof candidate.items === 'function' &&
    typeof candidate.getItem === 'function' &&
    typeof candidate.keys === 'function'
  ) {
    return [...(candidate.items as () => Iterable<[unknown, unknown]>).call(value)].map(
      ([k, v]) => [k, v],
    )
  }
  return null
}

function jsonKey(key: unknown): string {
  if (typeof key === 'string') return key
  if (key === null || key === undefined) return 'null'
  if (typeof key === 'boolean') return key ? 'true' : 'false'
  if (typeof key === 'number' || key instanceof PyFloat) return jsonNumber(key)
  throw new PyTypeError(`keys must be str, int, float, bool or None, not ${typeNameOf(key)}`)
}

function compareKeys(a: unknown, b: unknown): number {
  const rank = (k: unknown) =>
    typeof k === 'string'
      ? 1
      : typeof k === 'number' || typeof k === 'boolean' || k instanceof PyFloat
        ? 0
        : 2
  if (rank(a) !== rank(b) || rank(a) === 2) {
    throw new PyTypeError(
      `'<' not supported between instances of '${typeNameOf(b)}' and '${typeNameOf(a)}'`,
    )
  }
  if (typeof a === 'string') return comparePyStrings(a, b as string)
  return Number(a) - Number(b)
}

/**
 * `json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"))` with Flask's
 * `DefaultJSONProvider.default`: dates as HTTP dates, objects with `__html__` as their markup,
 * other class instances by their own fields (as Flask does for dataclasses). Sets and functions
 * are a `TypeError`, as in Python.
 */
export function dumps(value: unknown): string {
  const seen = new Set<object>()
  const encode = (item: unknown): string => {
    if (item === null || item === undefined) return 'null'
    switch (typeof item) {
      case 'boolean':
        return item ? 'true' : 'false'
      case 'number':
        return jsonNumber(item)
      case 'bigint':
        return item.toString()
      case 'string':
        return jsonString(item)
      case 'function':
      case 'symbol':
        throw new PyTypeError(`Object of type ${typeNameOf(item)} is not JSON serializable`)
    }
    const object = item as object
    if (object instanceof PyFloat) return jsonNumber(object)
    if (object instanceof Date) return jsonString(httpDate(object))
    // datetime and date (runtime datetime.ts): Flask writes them as HTTP dates, naive ones as UTC.
    const toJsDate = (object as { toJsDate?: unknown }).toJsDate
    if (typeof toJsDate === 'function') return jsonString(httpDate(toJsDate.call(object) as Date))
    if (seen.has(object)) throw new ValueError('Circular reference detected')
    seen.add(object)
    try {
      if (Array.isArray(object)) return '[' + object.map(encode).join(',') + ']'
      // A runtime value that says how Python's json writes it (an IntEnum or StrEnum member: its value).
      const json = (object as { __json__?: unknown }).__json__
      if (typeof json === 'function') return encode(json.call(object))
      // A PyDict whose items() is the dict's own: its pairs as it holds them (no tuple per item).
      const entries =
        object instanceof PyDict && object.items === PyDict.prototype.items
          ? (object as PyDict)[DICT_PAIRS]()
          : dictEntries(object)
      if (entries) {
        entries.sort(
          entries.every((entry) => typeof entry[0] === 'string')
            ? (a, b) => comparePyStrings(a[0] as string, b[0] as string)
            : (a, b) => compareKeys(a[0], b[0]),
        )
        let out = '{'
        for (let i = 0; i < entries.length; i++) {
          const [k, v] = entries[i]!
          if (i > 0) out += ','
          out += jsonString(jsonKey(k)) + ':' + encode(v)
        }
        return out + '}'
      }
      if (object instanceof Set || typeNameOf(object) === 'PySet' || object instanceof MultiDict) {
        throw new PyTypeError(
          `Object of type ${typeNameOf(object) === 'PySet' ? 'set' : typeNameOf(object)} is not JSON serializable`,
        )
      }
      const html = (object as { __html__?: unknown }).__html__
      if (typeof html === 'function') return jsonString(String(html.call(object)))
      const keys = Object.keys(object).sort(comparePyStrings)
      return (
        '{' +
        keys
          .map((k) => jsonString(k) + ':' + encode((object as Record<string, unknown>)[k]))
          .join(',') +
        '}'
      )
    } finally {
      seen.delete(object)
    }
  }
  return encode(value)
}

// ---------------------------------------------------------------------------------------------
// Request

function mimetypeOf(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase()
}

function isJsonMimetype(mimetype: string): boolean {
  return (
    mimetype === 'application/json' ||
    (mimetype.startsWith('application/') && mimetype.endsWith('+json'))
  )
}

/** Options of `request.get_json(force=False, silent=False, cache=True)`. */
export interface GetJsonOptions {
  force?: boolean
  silent?: boolean
  cache?: boolean
}

/**
 * Flask's `request` for one request, with Werkzeug's attribute names. Created by
 * `loadRequest(c)` (which reads the body) and then available synchronously as `request(c)`.
 */
export class FlaskRequest {
  readonly #c: Context
  /** The body, or null when it is larger than the limit (`maxBodyBytes()`) and was not read. */
  readonly #body: Uint8Array | null
  /** Form fields and files: parsed on first use (multipart bodies by multipart.ts, as Werkzeug does). */
  #formPairs: [string, string][] | null
  #filePairs: [string, FileStorage][]
  #jsonCache: [unknown, unknown] = [NOT_LOADED, NOT_LOADED]
  #args: MultiDict | null = null
  /** Werkzeug's `_cached_data`: fixed by the first `get_data()` / `data`. */
  #cachedData: Uint8Array | null = null
  /** Whether form parsing consumed the body stream (it does for form content types). */
  #formParsed = false
  /** Whether `get_data(cache=False)` read the stream without keeping it: later reads get nothing, as in Werkzeug. */
  #streamConsumed = false
  #cookies: MultiDict | null = null

  /** `body` null means too large (not read). Forms are parsed on first use. */
  constructor(c: Context, body: Uint8Array | null) {
    this.#c = c
    this.#body = body
    this.#formPairs = null
    this.#filePairs = []
  }

  /** Whether the body was larger than the limit and left unread (any use of it answers 413). Not Flask's. */
  get bodyTooLarge(): boolean {
    return this.#body === null
  }

  /** The body bytes; `RequestEntityTooLarge` (413) when it was over the limit. */
  #bytes(): Uint8Array {
    if (this.#body === null) throw new RequestEntityTooLarge()
    return this.#body
  }

  /**
   * Werkzeug 2.2's `_load_form_data`: with any Content-Type the form parser runs, and it answers
   * 413 when the body is over the limit; without one the form is empty and the body untouched.
   */
  #loadForm(): [string, string][] {
    this.#formParsed = true
    if (this.#formPairs !== null) return this.#formPairs
    if (!this.content_type) return (this.#formPairs = [])
    // Werkzeug parses the cached data when there is some, else the stream (empty once read uncached).
    const body = this.#cachedData ?? (this.#streamConsumed ? new Uint8Array(0) : this.#bytes())
    if (this.mimetype === 'multipart/form-data') {
      const parsed = parseMultipart(body, this.content_type)
      this.#filePairs = parsed.files
      return (this.#formPairs = parsed.form)
    }
    this.#formPairs = this.mimetype === 'application/x-www-form-urlencoded' ? urlDecode(body) : []
    return this.#formPairs
  }

  #url(): URL {
    return new URL(this.#c.req.url)
  }

  /** `request.method`, upper case. */
  get method(): string {
    return this.#c.req.method.toUpperCase()
  }

  /** `request.scheme`: `http` or `https`. */
  get scheme(): string {
    return this.#url().protocol.replace(/:$/, '')
  }

  /** `request.path`: the percent-decoded path. */
  get path(): string {
    return decodeUtf8(unquoteToBytes(utf8Encoder.encode(this.#url().pathname), false))
  }

  /** `request.query_string` (Python bytes; here the raw text after `?`). */
  get query_string(): string {
    return this.#url().search.replace(/^\?/, '')
  }

  /** `request.full_path`: path, `?`, query string (the `?` is there even when the query is empty). */
  get full_path(): string {
    return `${this.path}?${this.query_string}`
  }

  /** `request.host`: the Host header, without the default port. */
  get host(): string {
    let host = this.#c.req.header('host') ?? this.#url().host
    if (this.scheme === 'http' && host.endsWith(':80')) host = host.slice(0, -3)
    else if (this.scheme === 'https' && host.endsWith(':443')) host = host.slice(0, -4)
    return host
  }

  /** `request.host_url`: `scheme://host/`. */
  get host_url(): string {
    return `${this.scheme}://${this.host}/`
  }

  /** `request.url_root` (no script root in a generated service). */
  get url_root(): string {
    return this.host_url
  }

  /** `request.script_root`: always empty. */
  get script_root(): string {
    return ''
  }

  /** `request.base_url`: the URL without the query string (an IRI, as Werkzeug's). */
  get base_url(): string {
    return `${this.scheme}://${this.host}/${uriToIri(urlQuote(this.path.replace(/^\/+/, '')))}`
  }

  /** `request.url`: the full URL (an IRI, as Werkzeug's). */
  get url(): string {
    const query = this.query_string
    return this.base_url + (query ? '?' + uriToIri(urlQuote(query, ":&%=+$!*'(),")) : '')
  }

  /** `request.is_secure`. */
  get is_secure(): boolean {
    return this.scheme === 'https'
  }

  /** `request.remote_addr`: the peer address when served by @hono/node-server (IPv4 as IPv4, not `::ffff:` mapped), else None. */
  get remote_addr(): string | null {
    const env = this.#c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
    const address = env?.incoming?.socket?.remoteAddress ?? null
    return address !== null && /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address)
      ? address.slice(7)
      : address
  }

  /** `request.access_route`: `X-Forwarded-For` entries, else the remote address. */
  get access_route(): string[] {
    const forwarded = this.#c.req.header('x-forwarded-for')
    if (forwarded !== undefined)
      return forwarded
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '')
    return this.remote_addr === null ? [] : [this.remote_addr]
  }

  /** `request.headers`. */
  get headers(): RequestHeaders {
    return new RequestHeaders(this.#c.req.raw.headers)
  }

  /** `request.content_type`: the Content-Type header or None. */
  get content_type(): string | null {
    return this.#c.req.header('content-type') ?? null
  }

  /** `request.mimetype`: the content type without parameters, lower case ('' when none). */
  get mimetype(): string {
    return mimetypeOf(this.content_type)
  }

  /** `request.content_length`: the Content-Length header as int, or None. */
  get content_length(): number | null {
    const value = this.#c.req.header('content-length')
    if (value === undefined || !/^\s*\d+\s*$/.test(value)) return null
    return Number(value)
  }

  /** `request.user_agent.string`. */
  get user_agent(): string {
    return this.#c.req.header('user-agent') ?? ''
  }

  /** `request.referrer`. */
  get referrer(): string | null {
    return this.#c.req.header('referer') ?? null
  }

  /** `request.args`: the query string. */
  get args(): MultiDict {
    return (this.#args ??= new MultiDict(urlDecode(latin1Bytes(this.query_string))))
  }

  /** `request.form`: url-encoded or multipart fields; empty for other content types. */
  get form(): MultiDict {
    return new MultiDict(this.#loadForm())
  }

  /** `request.files`: uploaded files of a multipart body, as Werkzeug's `FileStorage`s (multipart.ts). */
  get files(): MultiDict<FileStorage> {
    this.#loadForm()
    return new MultiDict(this.#filePairs)
  }

  /** `request.values`: args, then form for methods other than GET. */
  get values(): CombinedMultiDict {
    if (this.method !== 'GET') this.#loadForm()
    return new CombinedMultiDict(this.method === 'GET' ? [this.args] : [this.args, this.form])
  }

  /** `request.cookies`. */
  get cookies(): MultiDict {
    return (this.#cookies ??= new MultiDict(parseCookieHeader(this.#c.req.header('cookie') ?? '')))
  }

  /** `request.data`: `get_data(parse_form_data=True)`, so empty for a form body (unless `getData()` ran first). */
  get data(): Uint8Array {
    this.#loadForm()
    return this.#readData()
  }

  /**
   * `request.get_data(as_text=False)`: the raw body as bytes, or decoded as UTF-8 (with
   * replacement). As in Werkzeug, a form body already parsed (`form`, `values`, `files`, `data`
   * read first) was consumed, so this is then empty.
   */
  getData(options: { as_text?: boolean } = {}): Uint8Array | string {
    const data = this.#readData()
    return options.as_text ? decodeUtf8(data) : data
  }

  /** Werkzeug's `get_data(cache=cache)`: the cached data, else what is left of the stream (kept with `cache`). */
  #readData(cache = true): Uint8Array {
    if (this.#cachedData !== null) return this.#cachedData
    const consumed = this.#streamConsumed || (this.#formParsed && isFormMimetype(this.mimetype))
    const data = consumed ? new Uint8Array(0) : this.#bytes()
    if (cache) this.#cachedData = data
    else this.#streamConsumed = true
    return data
  }

  /** `request.is_json`: `application/json` or `application/*+json`. */
  get is_json(): boolean {
    return isJsonMimetype(this.mimetype)
  }

  /** `request.json`: `get_json()`, so a 400 for a non-JSON content type or a malformed body. */
  get json(): unknown {
    return this.getJson()
  }

  /**
   * `request.get_json(force=False, silent=False, cache=True)` as Flask 2.2 answers outside debug
   * mode: not JSON content type (without `force`) or malformed JSON → `BadRequest()` (400, the
   * default description), or None with `silent`. The parsed value is cached per `silent`, as Werkzeug does.
   */
  getJson(options: GetJsonOptions = {}): unknown {
    const { force = false, silent = false, cache = true } = options
    const slot = silent ? 1 : 0
    if (cache && this.#jsonCache[slot] !== NOT_LOADED) return this.#jsonCache[slot]
    if (!(force || this.is_json)) {
      if (!silent) throw new BadRequest()
      return null
    }
    let result: unknown
    try {
      result = loadsJson(decodeJsonBytes(this.#readData(cache)))
    } catch (error) {
      if (!(error instanceof ValueError || error instanceof SyntaxError)) throw error
      if (!silent) throw new BadRequest()
      if (cache) this.#jsonCache = [this.#jsonCache[0], null]
      return null
    }
    if (cache) this.#jsonCache = [result, result]
    return result
  }

  /** `request.endpoint`: the matched endpoint (`api.items.get_item`), None when routing failed. */
  get endpoint(): string | null {
    return routingOf(this.#c)?.endpoint ?? null
  }

  /** `request.view_args`: the converted URL parameters, None when routing failed. */
  get view_args(): Record<string, unknown> | null {
    const routing = routingOf(this.#c)
    return routing && routing.endpoint !== null ? routing.viewArgs : null
  }

  /** `str(request.url_rule)`: the matched rule text, None when routing failed. */
  get url_rule(): string | null {
    return routingOf(this.#c)?.rule ?? null
  }

  /** `request.blueprint`: the innermost blueprint's dotted name, or None. */
  get blueprint(): string | null {
    return blueprintsOf(this.#c)[0] ?? null
  }

  /** `request.blueprints`: innermost first (`['api.items', 'api']`). */
  get blueprints(): string[] {
    return [...blueprintsOf(this.#c)]
  }
}

const NOT_LOADED: unique symbol = Symbol('not loaded')

function isFormMimetype(mimetype: string): boolean {
  return mimetype === 'multipart/form-data' || mimetype === 'application/x-www-form-urlencoded'
}

/** `json.loads(bytes)`: UTF-8 (a BOM allowed); invalid UTF-8 is a ValueError, as UnicodeDecodeError is. */
function decodeJsonBytes(bytes: Uint8Array): string {
  let start = 0
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(start))
  } catch {
    throw new ValueError('invalid utf-8')
  }
}

// ---------------------------------------------------------------------------------------------
// Request body: read once, never past the limit

/** The body limit when the app's config sets no `MAX_CONTENT_LENGTH` (and `MAX_BODY_BYTES` is not set): 16 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024

let appConfig: { readonly [key: string]: unknown } | null = null

/**
 * Gives the runtime the app's config (the generated `src/main.ts` passes `src/config.ts`'s): its
 * `MAX_CONTENT_LENGTH`, read on each request, is then the body limit. `null` forgets it.
 */
export function useAppConfig(config: object | null): void {
  appConfig = config as { readonly [key: string]: unknown } | null
}

/** A key of the config given to `useAppConfig`; undefined when it is not set (or there is no config). */
export function appConfigValue(key: string): unknown {
  return appConfig !== null && Object.hasOwn(appConfig, key) ? appConfig[key] : undefined
}

/** A byte count from config or the environment: a non-negative integer, or a string of digits. */
function byteCount(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value) && Number.isSafeInteger(Number(value)))
    return Number(value)
  return null
}

/**
 * The body limit of the environment: `MAX_BODY_BYTES` (a number of bytes), else 16 MiB. Throws
 * for a value that is not a number of bytes (`src/main.ts` checks it at start-up).
 */
export function bodyLimitFromEnvironment(
  env: { readonly [name: string]: string | undefined } = process.env,
): number {
  const raw = env['MAX_BODY_BYTES']
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_BODY_BYTES
  const bytes = byteCount(raw)
  if (bytes === null)
    throw new Error(`MAX_BODY_BYTES must be a number of bytes, not ${JSON.stringify(raw)}`)
  return bytes
}

/**
 * The request body limit now: the app config's `MAX_CONTENT_LENGTH` when it is set (see
 * `useAppConfig`), else `MAX_BODY_BYTES` from the environment, else 16 MiB. A body over it is
 * never read: using it (`data`, `get_json`, `form`, …) raises `RequestEntityTooLarge` (413).
 */
export function maxBodyBytes(): number {
  return byteCount(appConfig?.['MAX_CONTENT_LENGTH']) ?? bodyLimitFromEnvironment()
}

/** The declared Content-Length, or null (absent or not a number). */
export function declaredContentLength(value: string | null | undefined): number | null {
  if (value === null || value === undefined || !/^\s*\d+\s*$/.test(value)) return null
  return Number(value)
}

/** The parts of a Node `IncomingMessage` the body reader uses (`c.env.incoming` under @hono/node-server). */
interface NodeBodyStream {
  /** Node's parsed headers (lower-case names): read here so the web `Request`'s headers are not built for it. */
  readonly headers: { readonly [name: string]: string | string[] | undefined }
  on(event: string, listener: (...args: never[]) => void): unknown
  off(event: string, listener: (...args: never[]) => void): unknown
  pause(): unknown
  readonly readableEnded: boolean
  readonly destroyed: boolean
}

function nodeIncoming(c: Context): NodeBodyStream | null {
  const incoming = (c.env as { incoming?: Partial<NodeBodyStream> } | undefined)?.incoming
  if (
    incoming &&
    typeof incoming.on === 'function' &&
    typeof incoming.pause === 'function' &&
    typeof incoming.headers === 'object' &&
    typeof incoming.readableEnded === 'boolean'
  ) {
    return incoming as NodeBodyStream
  }
  return null
}

/** Werkzeug's `ClientDisconnected` (a `BadRequest`): the client went away before the body ended. */
export class ClientDisconnected extends BadRequest {}

function joinChunks(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/** Reads a Node request stream to its end, or stops (pausing it) once it passes `limit`: null. */
function readNodeBody(incoming: NodeBodyStream, limit: number): Promise<Uint8Array | null> {
  if (incoming.readableEnded) return Promise.resolve(new Uint8Array(0))
  if (incoming.destroyed) return Promise.reject(new ClientDisconnected())
  // With a Content-Length (within the limit: larger ones are never read), the body is copied into
  // one buffer of that size as it arrives: no list of chunks held until a second copy joins them.
  const length = incoming.headers['content-length']
  const declared = declaredContentLength(typeof length === 'string' ? length : undefined)
  let into =
    declared !== null && declared > 0 && declared <= limit ? new Uint8Array(declared) : null
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    let total = 0
    const cleanup = (): void => {
      incoming.off('data', onData)
      incoming.off('end', onEnd)
      incoming.off('error', onClose)
      incoming.off('close', onClose)
    }
    const onData = (chunk: Uint8Array): void => {
      total += chunk.length
      if (total > limit) {
        // Stop here: what is left is drained (bounded) or the connection closed by the server
        // after the response, never kept.
        cleanup()
        incoming.pause()
        chunks.length = 0
        resolve(null)
        return
      }
      if (into !== null) {
        if (total <= into.length) {
          into.set(chunk, total - chunk.length)
          return
        }
        // More than declared (Node's parser never gives that): the rest as chunks.
        chunks.push(into.subarray(0, total - chunk.length))
        into = null
      }
      chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))
    }
    const onEnd = (): void => {
      cleanup()
      resolve(
        into === null
          ? joinChunks(chunks, total)
          : total === into.length
            ? into
            : into.subarray(0, total),
      )
    }
    const onClose = (): void => {
      cleanup()
      reject(new ClientDisconnected())
    }
    incoming.on('data', onData)
    incoming.on('end', onEnd)
    incoming.on('error', onClose)
    incoming.on('close', onClose)
  })
}

/** Reads a web body stream (requests made in-process with `app.request`) up to `limit`: null past it. */
async function readWebBody(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array | null> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return joinChunks(chunks, total)
    total += value.length
    if (total > limit) {
      await reader.cancel().catch(() => undefined)
      return null
    }
    chunks.push(value)
  }
}

/**
 * The request body, or null when it is over `limit`: a Content-Length over the limit is answered
 * without reading a byte; a chunked body is counted as it arrives and left at the limit.
 */
async function readBody(c: Context, limit: number): Promise<Uint8Array | null> {
  const incoming = nodeIncoming(c)
  if (incoming) {
    const known = nodeBodyWithoutReading(incoming, () => limit)
    return known !== undefined ? known : readNodeBody(incoming, limit)
  }
  const headers = c.req.raw.headers
  const declared = declaredContentLength(headers.get('content-length'))
  if (declared !== null && declared > limit) return null
  const body = c.req.raw.body
  return body === null ? new Uint8Array(0) : readWebBody(body, limit)
}

/**
 * What a Node request's body is without reading it: empty when HTTP/1.x says there is none (no
 * Content-Length or 0, and no Transfer-Encoding; a GET with a body is read, as Flask does), null
 * when its Content-Length is over the limit (never read), undefined when it must be read.
 */
function nodeBodyWithoutReading(
  incoming: NodeBodyStream,
  limit: () => number,
): Uint8Array | null | undefined {
  const length = incoming.headers['content-length']
  const declared = declaredContentLength(typeof length === 'string' ? length : undefined)
  if (declared === null ? incoming.headers['transfer-encoding'] === undefined : declared === 0)
    return new Uint8Array(0)
  if (declared !== null && declared > limit()) return null
  return undefined
}

/**
 * `loadRequest` without a promise when the body is known without reading it (a request without
 * one, most GETs, or one over the limit): what the middleware calls on every request.
 */
function prepareRequest(c: Context): FlaskRequest | Promise<FlaskRequest> {
  const state = stateOf(c)
  if (state.request) return state.request
  const incoming = nodeIncoming(c)
  const known = incoming === null ? undefined : nodeBodyWithoutReading(incoming, maxBodyBytes)
  if (known === undefined) return loadRequest(c)
  state.request = new FlaskRequest(c, known)
  return state.request
}

/**
 * Reads the request body once (awaiting it, never past `maxBodyBytes()`) and answers Flask's
 * `request` for `c`. Middleware (`flaskContext`, `requestHooks`) calls it before hooks and views
 * run, after which `request(c)` is enough; calling it again is cheap. Parsing is lazy: JSON and
 * forms on first use.
 */
export async function loadRequest(c: Context): Promise<FlaskRequest> {
  const state = stateOf(c)
  if (state.request) return state.request
  const body = await readBody(c, maxBodyBytes())
  if (state.request) return state.request
  state.request = new FlaskRequest(c, body)
  return state.request
}

/** Flask's `request` for `c`; its body must have been read (`flaskContext()`, `requestHooks()` or `await loadRequest(c)`). */
export function request(c: Context): FlaskRequest {
  const loaded = stateOf(c).request
  if (!loaded)
    throw new Error(
      'request body not loaded: add flaskContext() or requestHooks() middleware, or await loadRequest(c)',
    )
  return loaded
}

/** `request.args` of `c`. */
export function args(c: Context): MultiDict {
  return request(c).args
}

/** `request.form` of `c`. */
export function form(c: Context): MultiDict {
  return request(c).form
}

/** `request.get_json(force=False, silent=False)` of `c` (see `FlaskRequest.getJson`). */
export function getJson(c: Context, options: GetJsonOptions = {}): unknown {
  return request(c).getJson(options)
}

// ---------------------------------------------------------------------------------------------
// Response

/** Header values as Flask accepts them: a dict (plain object, `Map`, PyDict), a list of pairs, or `ResponseHeaders`. */
export type HeadersLike =
  | ResponseHeaders
  | Record<string, unknown>
  | Map<unknown, unknown>
  | Iterable<readonly [string, unknown]>

/** Werkzeug's response `Headers`: ordered, several values per name, names case-insensitive. */
export class ResponseHeaders {
  #list: [string, string][] = []

  constructor(init?: HeadersLike | null) {
    if (init) for (const [key, value] of headerPairs(init)) this.add(key, value)
  }

  /** `headers[key]`, `headers[key] = value`, `key in headers` from code that does not know the type (py.getitem, …). */
  __getitem__(key: string): string {
    return this.getItem(key)
  }
  __setitem__(key: string, value: unknown): void {
    this.set(key, value)
  }
  __contains__(key: string): boolean {
    return this.has(key)
  }

  /** `headers.get(key, default=None, type=None)`. */
  get(key: string): string | null
  get<D>(key: string, defaultValue: D): string | D
  get<T, D>(key: string, defaultValue: D, type: Converter<T> | null): T | D
  get(key: string, defaultValue: unknown = null, type: Converter<unknown> | null = null): unknown {
    const lower = key.toLowerCase()
    const found = this.#list.find(([k]) => k.toLowerCase() === lower)
    if (!found) return defaultValue
    if (type === null) return found[1]
    try {
      return type(found[1])
    } catch (error) {
      if (isConversionFailure(error)) return defaultValue
      throw error
    }
  }

  getlist(key: string): string[] {
    const lower = key.toLowerCase()
    return this.#list.filter(([k]) => k.toLowerCase() === lower).map(([, v]) => v)
  }

  /** `headers[key]`: KeyError when missing. */
  getItem(key: string): string {
    const value = this.get(key)
    if (value === null) throw new KeyError(key)
    return value
  }

  /** `headers[key] = value` / `headers.set(key, value)`: replaces every value of `key` in place of the first. */
  set(key: string, value: unknown): void {
    const lower = key.toLowerCase()
    const text = headerValue(value)
    const index = this.#list.findIndex(([k]) => k.toLowerCase() === lower)
    if (index < 0) {
      this.#list.push([key, text])
      return
    }
    this.#list[index] = [this.#list[index]![0], text]
    for (let i = index + 1; i < this.#list.length; i++) {
      if (this.#list[i]![0].toLowerCase() === lower) {
        this.#list = this.#list.filter(([k], j) => j <= index || k.toLowerCase() !== lower)
        break
      }
    }
  }

  /** `headers.add(key, value)`: appends. */
  add(key: string, value: unknown): void {
    this.#list.push([key, headerValue(value)])
  }

  /** `headers.setlist(key, values)`. */
  setlist(key: string, values: Iterable<unknown>): void {
    const list = [...values]
    if (list.length === 0) {
      this.remove(key)
      return
    }
    this.set(key, list[0])
    for (const value of list.slice(1)) this.add(key, value)
  }

  /** `headers.setdefault(key, default)`. */
  setdefault(key: string, defaultValue: unknown): string {
    const value = this.get(key)
    if (value !== null) return value
    this.add(key, defaultValue)
    return headerValue(defaultValue)
  }

  /** `del headers[key]` / `headers.remove(key)`: no error when missing. */
  remove(key: string): void {
    const lower = key.toLowerCase()
    this.#list = this.#list.filter(([k]) => k.toLowerCase() !== lower)
  }

  /** `headers.pop(key[, default])`. */
  pop(key: string, ...defaultValue: unknown[]): unknown {
    const value = this.get(key)
    if (value === null) {
      if (defaultValue.length > 0) return defaultValue[0]
      throw new KeyError(key)
    }
    this.remove(key)
    return value
  }

  /** Python's `key in headers`. */
  has(key: string): boolean {
    return this.get(key) !== null
  }

  /** `headers.extend(...)`: appends every pair. */
  extend(other: HeadersLike): void {
    for (const [key, value] of headerPairs(other)) this.add(key, value)
  }

  /** `headers.update(...)`: replaces the names given (a list value sets several). */
  update(other: HeadersLike): void {
    if (other instanceof ResponseHeaders) {
      for (const key of new Set(other.keys().map((k) => k.toLowerCase())))
        this.setlist(key === '' ? key : other.#originalName(key), other.getlist(key))
      return
    }
    const entries = dictLikeEntries(other)
    if (entries) {
      for (const [key, value] of entries) {
        if (Array.isArray(value)) this.setlist(String(key), value)
        else this.set(String(key), value)
      }
      return
    }
    for (const [key, value] of other as Iterable<readonly [string, unknown]>) this.set(key, value)
  }

  #originalName(lower: string): string {
    return this.#list.find(([k]) => k.toLowerCase() === lower)?.[0] ?? lower
  }

  keys(): string[] {
    return this.#list.map(([k]) => k)
  }

  items(): [string, string][] {
    return this.#list.map(([k, v]) => [k, v])
  }

  get size(): number {
    return this.#list.length
  }

  [Symbol.iterator](): Iterator<[string, string]> {
    return this.items()[Symbol.iterator]()
  }
}

function headerValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : floatRepr(value)
  if (value instanceof PyFloat) return floatRepr(value)
  if (value === null || value === undefined) return 'None'
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  return String(value)
}

function dictLikeEntries(value: unknown): [unknown, unknown][] | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null
  const entries = dictEntries(value)
  if (entries) return entries
  if (Symbol.iterator in value) return null
  return Object.entries(value)
}

/** Pairs of a headers argument as `Headers(...)` takes them: a dict's list values are several headers. */
function headerPairs(init: HeadersLike): [string, unknown][] {
  if (init instanceof ResponseHeaders) return init.items()
  const entries = dictLikeEntries(init)
  if (entries) {
    const out: [string, unknown][] = []
    for (const [key, value] of entries) {
      if (Array.isArray(value)) for (const item of value) out.push([String(key), item])
      else out.push([String(key), value])
    }
    return out
  }
  return [...(init as Iterable<readonly [string, unknown]>)].map((pair) => [
    String(pair[0]),
    pair[1],
  ])
}

/** Werkzeug's `get_content_type`: `; charset=utf-8` for text types. */
const CHARSET_TYPES = new Set([
  'application/ecmascript',
  'application/javascript',
  'application/sql',
  'application/xml',
  'application/xml-dtd',
  'application/xml-external-parsed-entity',
])

function contentTypeFor(mimetype: string, charset = 'utf-8'): string {
  if (mimetype.startsWith('text/') || CHARSET_TYPES.has(mimetype) || mimetype.endsWith('+xml'))
    return `${mimetype}; charset=${charset}`
  return mimetype
}

function isUtf8(charset: string): boolean {
  if (charset === 'utf-8') return true
  const name = charset.toLowerCase().replace(/_/g, '-')
  return name === 'utf-8' || name === 'utf8'
}

/** A str body in a response's charset: UTF-8, or Latin-1 / ASCII (Werkzeug's `charset` class attribute). */
function encodeText(text: string, charset: string): Uint8Array {
  if (isUtf8(charset)) return utf8Encoder.encode(text)
  const name = charset.toLowerCase().replace(/_/g, '-')
  const limit =
    name === 'ascii' || name === 'us-ascii'
      ? 0x7f
      : ['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1', 'l1'].includes(name)
        ? 0xff
        : -1
  if (limit < 0) throw new LookupError(`unknown encoding: ${charset}`)
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code > limit)
      throw new ValueError(
        `'${limit === 0x7f ? 'ascii' : 'latin-1'}' codec can't encode character '\\u${code.toString(16).padStart(4, '0')}' in position ${i}`,
      )
    bytes[i] = code
  }
  return bytes
}

/** A generator or other iterator (not a list): a body Werkzeug streams as it is read. */
function isIterator(value: unknown): value is Iterator<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof (value as { next?: unknown }).next === 'function' &&
    Symbol.iterator in value
  )
}

/** A streamed body: each chunk (str in `charset`, or bytes) read from the iterator when the client asks for more. */
function streamFrom(it: Iterator<unknown>, charset: string): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      for (;;) {
        const step = it.next()
        if (step.done) {
          controller.close()
          return
        }
        const chunk = step.value
        if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array))
          throw new PyTypeError(`response chunks must be str or bytes, not ${typeNameOf(chunk)}`)
        const bytes = typeof chunk === 'string' ? encodeText(chunk, charset) : chunk
        if (bytes.length === 0) continue
        controller.enqueue(bytes)
        return
      }
    },
    cancel() {
      // The client went away: close the generator (its `finally` blocks run), as a WSGI server does.
      ;(it as Generator<unknown>).return?.(undefined)
    },
  })
}

/** A response body given as an iterable of chunks (a list), joined; each str chunk in `charset`. */
function bodyChunks(value: unknown, charset: string): Uint8Array {
  if (value === null || typeof value !== 'object' || !(Symbol.iterator in value))
    throw new PyTypeError(`'${typeNameOf(value)}' object is not iterable`)
  const chunks = [...(value as Iterable<unknown>)].map((chunk) => {
    if (typeof chunk === 'string') return encodeText(chunk, charset)
    if (chunk instanceof Uint8Array) return chunk
    throw new PyTypeError(`response chunks must be str or bytes, not ${typeNameOf(chunk)}`)
  })
  return joinChunks(
    chunks,
    chunks.reduce((n, chunk) => n + chunk.length, 0),
  )
}

/** The status line phrases: Werkzeug's table, shared with errors.ts. */
const STATUS_PHRASES: Readonly<Record<number, string>> = HTTP_STATUS_CODES

/** Keyword arguments of `Response(response, status, headers, mimetype, content_type)`. */
export interface ResponseInit {
  status?: number | string | null
  headers?: HeadersLike | null
  mimetype?: string | null
  content_type?: string | null
}

/**
 * Flask's `Response`, mutable as in Python (`resp.status_code = 201`,
 * `resp.headers.set('Location', url)`, `resp.set_cookie(...)`), turned into a web `Response` by
 * `toResponse()` at the end of the pipeline. The body is bytes, or a web body stream when the
 * response wraps one (`await load()` reads it).
 */
export class FlaskResponse {
  readonly headers: ResponseHeaders
  #status = '200 OK'
  #statusCode = 200
  #data: Uint8Array | null = new Uint8Array(0)
  /** A str body in UTF-8 not encoded yet (then `#data` is null): sent as it is, encoded only if read as bytes. */
  #text: string | null = null
  #stream: ReadableStream<Uint8Array> | null = null

  /** Werkzeug's class attributes, which a project's subclass of Response may override. */
  static default_mimetype: string | null = 'text/html'
  static charset = 'utf-8'
  static default_status: number | string = 200

  /** `body`: str or bytes (Content-Length set), None (empty), or an iterable of str/bytes chunks (joined, no Content-Length), as Werkzeug's. */
  constructor(body: unknown = null, init: ResponseInit = {}) {
    const defaults = new.target as typeof FlaskResponse
    this.headers =
      init.headers instanceof ResponseHeaders
        ? init.headers
        : new ResponseHeaders(init.headers ?? null)
    let contentType = init.content_type ?? null
    if (contentType === null) {
      let mimetype = init.mimetype ?? null
      if (mimetype === null && !this.headers.has('content-type'))
        mimetype = defaults.default_mimetype
      if (mimetype !== null) contentType = contentTypeFor(mimetype, defaults.charset)
    }
    if (contentType !== null) this.headers.set('Content-Type', contentType)
    this.status = init.status ?? defaults.default_status
    if (typeof body === 'string' || body instanceof Uint8Array) this.set_data(body)
    else if (isIterator(body)) {
      // A generator (`Response(generate())`): streamed, no Content-Length.
      this.#data = null
      this.#stream = streamFrom(body, defaults.charset)
    } else
      this.#data =
        body === null || body === undefined ? new Uint8Array(0) : bodyChunks(body, defaults.charset)
  }

  /** A FlaskResponse around a web `Response` (status, headers, body stream kept as is). */
  static fromResponse(response: Response): FlaskResponse {
    const wrapped = new FlaskResponse(null, {
      headers: [...response.headers.entries()].flatMap(webHeaderPairs(response)),
    })
    wrapped.headers.remove('content-length')
    if (response.headers.has('content-length'))
      wrapped.headers.set('Content-Length', response.headers.get('content-length'))
    wrapped.#setStatus(response.status, response.statusText)
    wrapped.#data = null
    wrapped.#stream = response.body
    if (wrapped.#stream === null) wrapped.#data = new Uint8Array(0)
    return wrapped
  }

  #setStatus(code: number, phrase: string): void {
    this.#statusCode = code
    this.#status = `${code} ${phrase || (STATUS_PHRASES[code] ?? 'UNKNOWN').toUpperCase()}`
  }

  /** `response.status_code`. */
  get status_code(): number {
    return this.#statusCode
  }
  set status_code(code: number) {
    this.status = code
  }

  /** `response.status`: `"201 CREATED"`; set with an int or a status line (`"418 Teapot"`). */
  get status(): string {
    return this.#status
  }
  set status(value: number | string) {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
      this.#statusCode = value
      this.#status = statusLine(value)
      return
    }
    const text = String(value).trim()
    if (text === '') throw new ValueError('Empty status argument')
    const [first, ...rest] = text.split(/\s+/)
    if (!/^[+-]?\d+$/.test(first!)) {
      this.#status = `0 ${text}`
      this.#statusCode = 0
      return
    }
    const code = Number(first)
    this.#statusCode = code
    this.#status =
      rest.length > 0 ? text : `${code} ${(STATUS_PHRASES[code] ?? 'UNKNOWN').toUpperCase()}`
  }

  /** `response.mimetype`: the content type without parameters, or None. */
  get mimetype(): string | null {
    const contentType = this.headers.get('content-type')
    return contentType ? contentType.split(';')[0]!.trim() : null
  }
  set mimetype(value: string) {
    this.headers.set(
      'Content-Type',
      contentTypeFor(value, (this.constructor as typeof FlaskResponse).charset),
    )
  }

  /** `response.content_type`. */
  get content_type(): string | null {
    return this.headers.get('content-type')
  }
  set content_type(value: string) {
    this.headers.set('Content-Type', value)
  }

  /** `response.is_json`. */
  get is_json(): boolean {
    return isJsonMimetype(this.mimetype ?? '')
  }

  /** `response.data` (bytes). Requires a loaded body (`await load()`) for a wrapped stream. */
  get data(): Uint8Array {
    if (this.#text !== null) {
      this.#data = utf8Encoder.encode(this.#text)
      this.#text = null
    }
    if (this.#data === null)
      throw new Error('response body is a stream: await response.load() first')
    return this.#data
  }
  set data(value: string | Uint8Array) {
    this.set_data(value)
  }

  /** `response.get_data(as_text=False)`. */
  get_data(options: { as_text?: boolean } = {}): Uint8Array | string {
    return options.as_text ? decodeUtf8(this.data) : this.data
  }

  /** `response.set_data(value)`: replaces the body and sets Content-Length, as Werkzeug does. */
  set_data(value: string | Uint8Array): void {
    this.#stream = null
    const charset = (this.constructor as typeof FlaskResponse).charset
    if (typeof value === 'string' && isUtf8(charset)) {
      this.#text = value
      this.#data = null
      this.headers.set('Content-Length', String(Buffer.byteLength(value, 'utf8')))
      return
    }
    this.#text = null
    this.#data = typeof value === 'string' ? encodeText(value, charset) : value
    this.headers.set('Content-Length', String(this.#data.length))
  }

  /** `response.get_json(force=False, silent=False)`. */
  get_json(options: { force?: boolean; silent?: boolean } = {}): unknown {
    if (!(options.force || this.is_json)) return null
    try {
      return loadsJson(decodeJsonBytes(this.data))
    } catch (error) {
      if (options.silent) return null
      throw error
    }
  }

  /** `response.json`. */
  get json(): unknown {
    return this.get_json()
  }

  /** `response.set_cookie(key, value='', max_age=None, expires=None, path='/', domain=None, secure=False, httponly=False, samesite=None)`. */
  set_cookie(key: string, value = '', options: CookieOptions = {}): void {
    this.headers.add('Set-Cookie', dumpCookie(key, value, options))
  }

  /** `response.delete_cookie(key, path='/', domain=None, secure=False, httponly=False, samesite=None)`. */
  delete_cookie(key: string, options: Omit<CookieOptions, 'max_age' | 'expires'> = {}): void {
    this.set_cookie(key, '', { ...options, expires: 0, max_age: 0 })
  }

  /** Reads a wrapped body stream into bytes so `data` works (no-op otherwise). */
  async load(): Promise<this> {
    if (this.#data === null && this.#stream !== null) {
      this.#data = new Uint8Array(await new Response(this.#stream).arrayBuffer())
      this.#stream = null
    }
    return this
  }

  /**
   * The web `Response`: Werkzeug's WSGI rules applied (no body and no Content-Length for 1xx/204,
   * no body for 304, `Location` through `iri_to_uri`).
   */
  toResponse(): Response {
    const code = this.#statusCode
    const noBody = (code >= 100 && code < 200) || code === 204 || code === 205 || code === 304
    const body = noBody ? null : (this.#stream ?? this.#text ?? this.#data)
    const phrase = this.#status.slice(this.#status.indexOf(' ') + 1)
    const status = code < 200 || code > 599 ? 500 : code
    const record = plainHeaders(this.headers, noBody, body)
    if (record !== null) {
      const response = new Response(body as BodyInit | null, {
        status,
        statusText: phrase,
        headers: record,
      })
      ;(response as OriginTagged)[ORIGIN] = this
      if ('content-type' in record) (response as OriginTagged)[TYPED] = true
      return response
    }
    const headers = new Headers()
    for (const [key, value] of this.#list()) {
      const lower = key.toLowerCase()
      if (lower === 'content-length' && noBody) continue
      headers.append(key, lower === 'location' ? iriToUri(value) : value)
    }
    if (body instanceof Uint8Array && !headers.has('content-length'))
      headers.set('Content-Length', String(body.length))
    else if (typeof body === 'string' && !headers.has('content-length'))
      headers.set('Content-Length', String(Buffer.byteLength(body, 'utf8')))
    const response = new Response(body as BodyInit | null, { status, statusText: phrase, headers })
    ;(response as OriginTagged)[ORIGIN] = this
    return response
  }

  #list(): [string, string][] {
    return this.headers.items()
  }
}

// `e.get_response()` in an error handler: a response it can change, as Werkzeug's.
useWerkzeugResponse((response) => FlaskResponse.fromResponse(response))

/** `werkzeug.wrappers.Response`: Flask's Response without Flask's `text/html` default. */
export class WerkzeugResponse extends FlaskResponse {
  static override default_mimetype: string | null = 'text/plain'
}

function webHeaderPairs(response: Response): (entry: [string, string]) => [string, string][] {
  let cookiesDone = false
  return ([key, value]) => {
    if (key.toLowerCase() !== 'set-cookie') return [[canonicalHeaderName(key), value]]
    if (cookiesDone) return []
    cookiesDone = true
    return response.headers
      .getSetCookie()
      .map((cookie) => ['Set-Cookie', cookie] as [string, string])
  }
}

function canonicalHeaderName(name: string): string {
  return name.replace(
    /(^|-)([a-z])/g,
    (_, dash: string, letter: string) => dash + letter.toUpperCase(),
  )
}

/** `200 OK`, `404 NOT FOUND`: the status line Werkzeug makes for a code. */
function statusLine(code: number): string {
  let line = statusLines.get(code)
  if (line === undefined) {
    line = `${code} ${(STATUS_PHRASES[code] ?? 'UNKNOWN').toUpperCase()}`
    statusLines.set(code, line)
  }
  return line
}
const statusLines = new Map<number, string>()

/** A header name (an HTTP token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** A header value both the web `Headers` and Node take as it is: printable ASCII, no space at either end. */
const PLAIN_HEADER_VALUE = /^(?:[!-~](?:[\t -~]*[!-~])?)?$/

/**
 * The response headers as a plain object with lower-case names, which @hono/node-server hands to
 * Node's `writeHead` as they are (no web `Headers` built): when every name appears once and every
 * value is plain. null otherwise (the web `Headers` then validate, normalise and join them, as before).
 */
function plainHeaders(
  headers: ResponseHeaders,
  noBody: boolean,
  body: unknown,
): Record<string, string> | null {
  const record: Record<string, string> = {}
  for (const [key, value] of headers) {
    const lower = key.toLowerCase()
    if (lower === 'content-length' && noBody) continue
    if (Object.hasOwn(record, lower) || !HEADER_NAME.test(key) || lower === '__proto__') return null
    const sent = lower === 'location' ? iriToUri(value) : value
    if (!PLAIN_HEADER_VALUE.test(sent)) return null
    record[lower] = sent
  }
  if (!Object.hasOwn(record, 'content-length')) {
    if (body instanceof Uint8Array) record['content-length'] = String(body.length)
    else if (typeof body === 'string')
      record['content-length'] = String(Buffer.byteLength(body, 'utf8'))
  }
  return record
}

/** Responses `toResponse` made with a Content-Type, known without reading their headers (see `hasContentType`). */
const TYPED = Symbol('has a Content-Type')

/**
 * Whether a response has a Content-Type header. For a response `toResponse` made, answered
 * without building its web `Headers` (which @hono/node-server would then have to read back).
 */
export function hasContentType(response: Response): boolean {
  return (response as OriginTagged)[TYPED] === true || response.headers.has('content-type')
}

/** Web responses made by `toResponse`, to find the FlaskResponse again without re-reading the body. */
const ORIGIN = Symbol('FlaskResponse')

/** A web Response `toResponse` made, tagged with its FlaskResponse (a property: a WeakMap costs the GC more). */
type OriginTagged = Response & { [ORIGIN]?: FlaskResponse; [TYPED]?: boolean }

/** A FlaskResponse for a web Response (the one it was made from, when it was), body loaded. */
async function flaskResponseOf(response: Response): Promise<FlaskResponse> {
  const origin = (response as OriginTagged)[ORIGIN]
  if (origin) return origin
  return FlaskResponse.fromResponse(response).load()
}

/**
 * A value makeResponse could not turn into a response (None, a wrong tuple, an unknown type).
 * Flask raises it outside the view's try block, so it skips the app's error handlers and becomes
 * a 500 through `handle_exception`; `errorHandlers` does the same.
 */
export class InvalidResponseError extends PyTypeError {}

function isStatus(value: unknown): value is number | string {
  return typeof value === 'number' || typeof value === 'string'
}

function isHeadersValue(value: unknown): boolean {
  if (value instanceof ResponseHeaders || value instanceof Map || Array.isArray(value)) return true
  return value !== null && typeof value === 'object' && dictEntries(value) !== null
    ? true
    : value !== null &&
        typeof value === 'object' &&
        Object.getPrototypeOf(value) === Object.prototype
}

function isDictOrList(value: unknown): boolean {
  if (Array.isArray(value)) return !isTuple(value)
  if (value === null || typeof value !== 'object') return false
  if (value instanceof Map || dictEntries(value) !== null) return true
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Flask's `make_response(rv)`: str/bytes → `text/html; charset=utf-8`; dict (plain object,
 * PyDict, Map) or list (array) → JSON as `jsonify`; a FlaskResponse as is; a web `Response`
 * wrapped; an `HTTPException` → its response; a tuple (frozen array) `[body, status]`,
 * `[body, headers]` or `[body, status, headers]`, headers given as a dict or list of pairs
 * (replacing same-named headers, or added for a str body as Werkzeug's constructor does).
 * `make_response()` with several arguments, as in Python, is `makeResponse(c, tuple(...args))`.
 * An invalid value throws `InvalidResponseError`.
 */
export function makeResponse(c: Context, rv: unknown): FlaskResponse {
  void c
  let body = rv
  let status: number | string | null = null
  let headers: HeadersLike | null = null
  if (isTuple(rv)) {
    if (rv.length === 3) [body, status, headers] = rv as [unknown, number | string, HeadersLike]
    else if (rv.length === 2) {
      if (isHeadersValue(rv[1])) [body, headers] = rv as [unknown, HeadersLike]
      else [body, status] = rv as [unknown, number | string]
    } else {
      throw new InvalidResponseError(
        'The view function did not return a valid response tuple. The tuple must have the form (body, status, headers), (body, status), or (body, headers).',
      )
    }
  }
  if (body === null || body === undefined) {
    throw new InvalidResponseError(
      'The view function did not return a valid response. The function either returned None or ended without a return statement.',
    )
  }
  let response: FlaskResponse
  if (body instanceof FlaskResponse) response = body
  else if (typeof body === 'string' || body instanceof Uint8Array || isIterator(body)) {
    // A generator returned by the view is streamed (Flask 2.2).
    response = new FlaskResponse(body, { status, headers })
    status = null
    headers = null
  } else if (isDictOrList(body)) response = jsonify(body)
  else if (body instanceof HTTPException) {
    // Werkzeug's get_response builds a Response from the body, so it has a Content-Length.
    response =
      body.response === null &&
      Object.getPrototypeOf(body).getResponse === HTTPException.prototype.getResponse
        ? new FlaskResponse(body.getBody(), {
            status: body.code ?? 500,
            headers: body.getHeaders(),
          })
        : FlaskResponse.fromResponse(body.getResponse())
  } else if (body instanceof Response) response = FlaskResponse.fromResponse(body)
  else {
    throw new InvalidResponseError(
      `The view function did not return a valid response. The return type must be a string, dict, list, tuple with headers or status, Response instance, or WSGI callable, but it was a ${typeNameOf(body)}.`,
    )
  }
  if (status !== null && status !== undefined) {
    if (!isStatus(status)) throw new PyTypeError('Invalid status argument')
    response.status = status
  }
  if (headers) response.headers.update(headers)
  return response
}

/** `makeResponse` then the web `Response`: what a Hono handler returns. */
export function toResponse(c: Context, rv: unknown): Response {
  return makeResponse(c, rv).toResponse()
}

/**
 * A Hono handler from a translated view: `view(async (c) => <python return value>)`. The return
 * value goes through `makeResponse`.
 */
export function view(fn: (c: Context) => unknown): (c: Context) => Promise<Response> {
  return async (c) => toResponse(c, await fn(c))
}

/**
 * A view wrapped by decorators (the project's, or Flask-Login's `login_required`): Flask calls
 * the decorated function with the view arguments as keywords, `view_func(**req.view_args)`.
 */
export function decoratedView(
  fn: (...args: never[]) => unknown,
): (c: Context) => Promise<Response> {
  const handler = async (c: Context): Promise<Response> =>
    toResponse(c, await callWithKeywords(fn, [], request(c).view_args ?? {}))
  viewFunctions.set(handler, fn)
  return handler
}

/** The decorated function behind each handler `decoratedView` made. */
const viewFunctions = new WeakMap<object, (...args: never[]) => unknown>()

/**
 * Flask's `current_app.view_functions[request.endpoint]` for a decorated view: the function
 * (with its decorators) whose handler the router matched for `c`; undefined for another handler.
 * An extension's before-request hook reads it (Flask-Limiter: whether the view has limits of its own).
 */
export function viewFunctionOf(c: Context): ((...args: never[]) => unknown) | undefined {
  for (const route of matchedRoutes(c)) {
    const handler = (route.handler as { [COMPOSED]?: object })[COMPOSED] ?? route.handler
    const fn = viewFunctions.get(handler)
    if (fn !== undefined) return fn
  }
  return undefined
}

/** Where Hono's `app.route()` keeps a sub-app's handler it wrapped in the sub-app's error handler. */
const COMPOSED = '__COMPOSED_HANDLER'

/** Keyword arguments of `jsonify(...)`, as a marker so `jsonify(kwargs({...}))` differs from `jsonify({...})`. */
export class Kwargs {
  readonly values: Record<string, unknown>
  constructor(values: Record<string, unknown>) {
    this.values = values
  }
}

/** Marks a dict as Python keyword arguments: `jsonify(error='x')` → `jsonify(kwargs({ error: 'x' }))`. */
export function kwargs(values: Record<string, unknown>): Kwargs {
  return new Kwargs(values)
}

/**
 * Flask 2.2's `jsonify(*args, **kwargs)`: no argument → `null`; one → that value; several → a
 * list; keyword arguments (a trailing `kwargs({...})`) → a dict; both → TypeError. Serialised as
 * `DefaultJSONProvider` does (sorted keys, compact, ASCII, trailing newline), `application/json`.
 */
export function jsonify(...args: unknown[]): FlaskResponse {
  let value: unknown
  const last = args[args.length - 1]
  if (last instanceof Kwargs) {
    if (args.length > 1)
      throw new PyTypeError('app.json.response() takes either args or kwargs, not both')
    value = last.values
  } else if (args.length === 0) value = null
  else if (args.length === 1) value = args[0]
  else value = args
  return new FlaskResponse(`${dumps(value)}\n`, { mimetype: 'application/json' })
}

/**
 * Werkzeug's `redirect(location, code=302)`: the "Redirecting..." page and `Location` (made
 * ASCII-safe with `iri_to_uri`; relative locations stay relative, as in Werkzeug 2.2).
 */
export function redirect(location: string, code = 302): FlaskResponse {
  const display = escapeHtml(location)
  const uri = iriToUri(location)
  const body =
    '<!doctype html>\n' +
    '<html lang=en>\n' +
    '<title>Redirecting...</title>\n' +
    '<h1>Redirecting...</h1>\n' +
    '<p>You should be redirected automatically to the target URL: ' +
    `<a href="${escapeHtml(uri)}">${display}</a>. If not, click the link.\n`
  const response = new FlaskResponse(body, { status: code, mimetype: 'text/html' })
  response.headers.set('Location', uri)
  return response
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/>/g, '&gt;')
    .replace(/</g, '&lt;')
    .replace(/'/g, '&#39;')
    .replace(/"/g, '&#34;')
}

/**
 * The answer of every view the tool could not translate: `501 {"endpoint": ..., "error": "not migrated"}`
 * (through `jsonify`, so after-request hooks still apply).
 */
export function notMigrated(c: Context, endpoint: string): Response {
  const response = jsonify({ error: 'not migrated', endpoint })
  response.status_code = 501
  return response.toResponse()
}

// ---------------------------------------------------------------------------------------------
// Error handlers: Flask's handle_user_exception / handle_http_exception / handle_exception

/** A class of exceptions (`ValueError`, `NotFound`, `HTTPException`, an app's own class). */
// Constructor parameters differ per class; only identity and the prototype chain matter here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ExceptionClass = abstract new (...args: any[]) => Error

/** A translated error handler: receives the exception, returns a view-like value (or throws). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorHandlerFunction = (error: any, c: Context) => unknown

/**
 * One `@app.errorhandler(...)` / `@bp.errorhandler(...)` registration, in registration order.
 * `blueprint` is the blueprint's dotted name for a blueprint's handler (applies to requests
 * routed to that blueprint or its children, as Flask's `request.blueprints`), null/absent for the app's.
 */
export type ErrorHandlerEntry =
  | { code: number; handle: ErrorHandlerFunction; blueprint?: string | null }
  | { exception: ExceptionClass; handle: ErrorHandlerFunction; blueprint?: string | null }

/** The prototype chain of an error's class: Python's `type(e).__mro__`, most specific first. */
function mroOf(error: object): unknown[] {
  const chain: unknown[] = []
  let cls: unknown = error.constructor
  while (typeof cls === 'function' && cls !== Function.prototype) {
    chain.push(cls)
    // `class BadRequestKeyError(BadRequest, KeyError)`: Python's C3 order puts KeyError and
    // LookupError right after HTTPException.
    if (cls === HTTPException && error instanceof BadRequestKeyError)
      chain.push(KeyError, LookupError)
    cls = Object.getPrototypeOf(cls)
  }
  return chain
}

function staticCode(cls: unknown): number | null {
  let current: unknown = cls
  while (typeof current === 'function') {
    if (current === HTTPException) return null
    if (Object.hasOwn(current, 'code')) {
      const code = (current as unknown as { code: unknown }).code
      return typeof code === 'number' ? code : null
    }
    current = Object.getPrototypeOf(current)
  }
  return null
}

function isSubclassOf(cls: unknown, base: unknown): boolean {
  let current: unknown = cls
  while (typeof current === 'function') {
    if (current === base) return true
    current = Object.getPrototypeOf(current)
  }
  return false
}

type HandlerSpec = Map<string | null, Map<number | null, Map<unknown, ErrorHandlerFunction>>>

/** `Flask._get_exc_class_and_code` applied to a registration. */
function registrationKey(entry: ErrorHandlerEntry): [unknown, number | null] {
  if ('code' in entry) {
    const cls = defaultExceptions.get(entry.code)
    if (cls === undefined) {
      throw new KeyError(
        `'${entry.code}' is not a recognized HTTP error code. Use a subclass of HTTPException with that code instead.`,
      )
    }
    return [cls, entry.code]
  }
  const cls = entry.exception
  return [cls, isSubclassOf(cls, HTTPException) ? staticCode(cls) : null]
}

/** Options of `errorHandlers`. */
export interface ErrorHandlersOptions {
  /** Re-throw errors no entry takes (for a blueprint sub-app's `onError`). */
  rethrow?: boolean
}

/** How `requestHooks` reaches the error handling that `errorHandlers` built. */
interface FlaskErrorHandling {
  /** `handle_user_exception` + `make_response`, falling back to `handleException` as Flask does. */
  handleUserException(error: Error, c: Context): Promise<FlaskResponse>
  /** `handle_exception`: an unhandled error becomes the 500 response (its handler, or the default page). */
  handleException(error: unknown, c: Context): Promise<FlaskResponse>
}

const errorHandlings = new WeakMap<object, FlaskErrorHandling>()

/**
 * An extension that answers errors before the app's handlers (Flask-RESTful's `error_router`,
 * which replaces `handle_user_exception` and `handle_exception`): a response, or null to leave
 * the error to Flask's handling. A router that throws is skipped, as Flask-RESTful falls back.
 */
export type ErrorRouter = (error: unknown, c: Context) => FlaskResponse | null

const errorRouters: ErrorRouter[] = []

export function addErrorRouter(router: ErrorRouter): void {
  errorRouters.push(router)
}

function routeError(error: unknown, c: Context): FlaskResponse | null {
  for (const router of errorRouters) {
    try {
      const response = router(error, c)
      if (response !== null) return response
    } catch {
      // Falls through to the next router, then to Flask's handling.
    }
  }
  return null
}

/** The Flask error handler built by `errorHandlers`, usable as `app.onError(...)` and by `requestHooks`. */
export type FlaskErrorHandler = ErrorHandler & { readonly flask: true }

/**
 * The `app.onError` handler with Flask 2.2's lookup (`_find_error_handler`): for an
 * `HTTPException`, handlers registered for its code, then handlers for its classes (most specific
 * first); for other errors, by class. Within each step blueprint handlers (innermost first) come
 * before the app's. `RequestRedirect` (routing's 308) is answered directly. An error no handler
 * takes, or one a handler throws, becomes `InternalServerError` (wrapping it as
 * `originalException`), answered by its handler or Werkzeug's default 500 page. Handler return
 * values go through `makeResponse`.
 *
 * With `{ rethrow: true }` (a blueprint sub-app's `onError`, which Hono runs for errors in that
 * sub-app's routes) an error none of these entries takes is re-thrown so the parent app's
 * `onError` runs. Flask checks the app's code handlers before a blueprint's class handlers; for
 * that exact order give every entry to the root app's `errorHandlers` with `blueprint` set instead.
 */
export function errorHandlers(
  entries: readonly ErrorHandlerEntry[] = [],
  options: ErrorHandlersOptions = {},
): FlaskErrorHandler {
  const spec: HandlerSpec = new Map()
  for (const entry of entries) {
    const [cls, code] = registrationKey(entry)
    const name = entry.blueprint ?? null
    let byCode = spec.get(name)
    if (!byCode) spec.set(name, (byCode = new Map()))
    let byClass = byCode.get(code)
    if (!byClass) byCode.set(code, (byClass = new Map()))
    byClass.set(cls, entry.handle)
  }

  const findHandler = (error: Error, c: Context): ErrorHandlerFunction | null => {
    const code = error instanceof HTTPException ? error.code : null
    const names = [...blueprintsOf(c), null]
    const mro = mroOf(error)
    for (const step of code !== null ? [code, null] : [null]) {
      for (const name of names) {
        const byClass = spec.get(name)?.get(step)
        if (!byClass) continue
        for (const cls of mro) {
          const handler = byClass.get(cls)
          if (handler) return handler
        }
      }
    }
    return null
  }

  const handleException = async (error: unknown, c: Context): Promise<FlaskResponse> => {
    const routed = routeError(error, c)
    if (routed !== null) return routed
    stateOf(c).unhandledError = error
    console.error(`Exception on ${c.req.path} [${c.req.method}]`, error)
    const serverError = new InternalServerError(null, null, error)
    const handler = findHandler(serverError, c)
    if (!handler) return makeResponse(c, serverError)
    try {
      return makeResponse(c, await handler(serverError, c))
    } catch (handlerError) {
      // Flask lets this one reach the WSGI server, which answers a bare 500.
      console.error('Error handler for InternalServerError failed', handlerError)
      return makeResponse(c, new InternalServerError())
    }
  }

  const handleUserException = async (error: Error, c: Context): Promise<FlaskResponse> => {
    const routed = routeError(error, c)
    if (routed !== null) return routed
    if (error instanceof InvalidResponseError) return handleException(error, c)
    try {
      if (error instanceof HTTPException) {
        if (error.code === null || error instanceof RequestRedirect) return makeResponse(c, error)
        const handler = findHandler(error, c)
        return makeResponse(c, handler ? await handler(error, c) : error)
      }
      const handler = findHandler(error, c)
      if (!handler) return await handleException(error, c)
      return makeResponse(c, await handler(error, c))
    } catch (raised) {
      return handleException(raised, c)
    }
  }

  const onError = async (error: Error, c: Context): Promise<Response> => {
    if (
      options.rethrow &&
      !(error instanceof InvalidResponseError || error instanceof RequestRedirect) &&
      findHandler(error, c) === null
    )
      throw error
    return (await handleUserException(error, c)).toResponse()
  }
  errorHandlings.set(onError, { handleUserException, handleException })
  return Object.assign(onError, { flask: true as const })
}

// ---------------------------------------------------------------------------------------------
// Request hooks

/** `@before_request`: returns None (`undefined`/`null`) to continue, or a response value to answer with. */
export type BeforeRequestFunction = (c: Context) => unknown
/** `@after_request`: receives the response, returns it (or another; a web `Response` is accepted too). */
export type AfterRequestFunction = (
  c: Context,
  response: FlaskResponse,
) => FlaskResponse | Response | Promise<FlaskResponse | Response>
/** `@teardown_request`: receives the unhandled exception or None; its return value is ignored. */
export type TeardownRequestFunction = (c: Context, error: unknown) => unknown

/** A hook, app-wide, or scoped to a blueprint (dotted name) as `@bp.before_request` is. */
export type Hook<F> = F | { blueprint: string; fn: F }

/** Hook registrations in registration order, as Flask keeps them. */
export interface RequestHooksOptions {
  before?: readonly Hook<BeforeRequestFunction>[]
  after?: readonly Hook<AfterRequestFunction>[]
  teardown?: readonly Hook<TeardownRequestFunction>[]
  /**
   * The app's `errorHandlers(...)`, so an error in a before hook or an after hook is answered by
   * the app's handlers and the after hooks still run, as in Flask. Without it such errors go to
   * Hono's `onError` directly and the after hooks are skipped.
   */
  errorHandler?: ErrorHandler
  /**
   * Whether views, hooks and what they call may read the request through `currentContext()`
   * (default true). The generated app passes false when no code of the service does: the
   * AsyncLocalStorage scope that makes it work costs every request (every promise, under Node 20).
   */
  contextLocals?: boolean
}

function hooksFor<F>(hooks: readonly Hook<F>[], name: string | null): F[] {
  const out: F[] = []
  for (const hook of hooks) {
    if (typeof hook === 'function') {
      if (name === null) out.push(hook)
    } else if ((hook as { blueprint: string }).blueprint === name) out.push((hook as { fn: F }).fn)
  }
  return out
}

/**
 * The rest of Flask's `process_response`, after the after_request hooks, on every response that
 * `requestHooks` finishes (session.ts saves the session here), in registration order.
 */
const responseFinalizers: AfterRequestFunction[] = []

/**
 * Registers a step of `responseFinalizers` (once, however often it is called); `first` puts it
 * ahead of those registered so far (Flask-Login's remember cookie update, before the session is saved).
 */
export function addResponseFinalizer(
  fn: AfterRequestFunction,
  options: { first?: boolean } = {},
): void {
  if (responseFinalizers.includes(fn)) return
  if (options.first) responseFinalizers.unshift(fn)
  else responseFinalizers.push(fn)
}

const FIRST_REQUEST = Symbol('before_first_request')

/**
 * `@app.before_first_request` (Flask 2.2, deprecated there): `fn` runs once, before the hooks of
 * the app's first request; its value is ignored, and a request where it raises is answered by
 * `handle_exception` (a 500) and tries again next time, as Flask's `full_dispatch_request` does.
 */
export function beforeFirstRequest(fn: BeforeRequestFunction): BeforeRequestFunction {
  return Object.assign((c: Context) => fn(c), { [FIRST_REQUEST]: true })
}

function isFirstRequestHook(hook: Hook<BeforeRequestFunction>): boolean {
  return typeof hook === 'function' && FIRST_REQUEST in hook
}

const APP_CONTEXT_TEARDOWN = Symbol('teardown_appcontext')

/**
 * A teardown_appcontext function among `requestHooks`' teardowns: it also ends the app contexts
 * a handler pushes (`appContext`), as Flask runs it whenever an app context is popped.
 */
export function appContextTeardown(fn: TeardownRequestFunction): TeardownRequestFunction {
  return Object.assign((c: Context, error: unknown) => fn(c, error), {
    [APP_CONTEXT_TEARDOWN]: true,
  })
}

/**
 * `app.app_context()` inside a request: while it is pushed, `g` is a new one of its own (Flask
 * 2.2 keeps `g` on the app context); when it ends, the teardown_appcontext functions run with
 * the exception that ended it (in reverse order, errors propagating), and the request's `g` is back.
 */
export function appContext(c: Context): {
  __enter__(): unknown
  __exit__(type: unknown, error: unknown): boolean
} {
  let saved: unknown
  const context = {
    __enter__(): unknown {
      saved = c.get('g')
      c.set('g', new FlaskG())
      return context
    },
    __exit__(_type: unknown, error: unknown): boolean {
      try {
        const teardowns = stateOf(c).appContextTeardowns ?? []
        for (const fn of [...teardowns].reverse()) fn(c, error ?? null)
      } finally {
        c.set('g', saved as FlaskG)
      }
      return false
    },
  }
  return context
}

/** `after_this_request(f)`: `f` runs for this request only, before the registered after hooks. */
export function afterThisRequest(c: Context, fn: AfterRequestFunction): AfterRequestFunction {
  stateOf(c).afterThisRequest.push(fn)
  return fn
}

function setResponse(c: Context, response: Response): void {
  // Hono's `c.res` setter merges the previous response's headers into the new one; clear it first
  // so the after hooks' result is sent exactly.
  c.res = undefined as unknown as Response
  c.res = response
}

/** App-wide hooks extensions' init_app registered, which the next `requestHooks` takes. */
const extensionHooks: { before: BeforeRequestFunction[]; after: AfterRequestFunction[] } = {
  before: [],
  after: [],
}

/** The number of the app's own app-wide before hooks Flask runs before an extension's (registered before its init_app). */
const beforeHookPositions = new WeakMap<BeforeRequestFunction, number>()

/**
 * An extension's `init_app(app)` registering app-wide hooks (Flask-Limiter's limit check and
 * headers): called in `createApp()` before the app's `requestHooks(...)`, which puts them before
 * the project's own hooks, where Flask has them when init_app runs first. With
 * `afterAppHooks: n`, the before hook runs after the app's first n app-wide before hooks (those
 * the app registered before calling init_app).
 */
export function registerAppHooks(hooks: {
  before?: BeforeRequestFunction
  after?: AfterRequestFunction
  afterAppHooks?: number
}): void {
  if (hooks.before) {
    extensionHooks.before.push(hooks.before)
    if (hooks.afterAppHooks) beforeHookPositions.set(hooks.before, hooks.afterAppHooks)
  }
  if (hooks.after) extensionHooks.after.push(hooks.after)
}

/** The app's before hooks with the extensions' placed where Flask has them (see `registerAppHooks`). */
function withExtensionBeforeHooks(
  own: readonly Hook<BeforeRequestFunction>[],
  extensions: BeforeRequestFunction[],
): Hook<BeforeRequestFunction>[] {
  const position = (hook: BeforeRequestFunction): number => beforeHookPositions.get(hook) ?? 0
  const pending = [...extensions].sort((a, b) => position(a) - position(b))
  const out: Hook<BeforeRequestFunction>[] = []
  let seen = 0
  for (const hook of own) {
    while (pending.length > 0 && position(pending[0]!) <= seen) out.push(pending.shift()!)
    out.push(hook)
    if (typeof hook === 'function' && !isFirstRequestHook(hook)) seen++
  }
  return [...out, ...pending]
}

/**
 * Flask's request pipeline as Hono middleware: a fresh `g` and the body read; before hooks in
 * registration order (app-wide first, then the routed blueprints outermost first); a value a
 * before hook returns answers the request; after hooks in reverse registration order
 * (`afterThisRequest` ones, then blueprints innermost first, then the app's) on every response,
 * including error responses and short-circuits; teardown hooks always, in reverse order, with the
 * unhandled exception or None. An after hook that throws gives the 500 response, which the after
 * hooks process again (their errors then ignored), as Flask's `finalize_request` does.
 *
 * Blueprint hooks are either given here with `{ blueprint, fn }` (exact Flask order, routing
 * decides) or passed to another `requestHooks` used as per-route middleware of the blueprint.
 */
export function requestHooks(options: RequestHooksOptions): MiddlewareHandler {
  const { teardown = [], errorHandler } = options
  // An extension's init_app (registerAppHooks) registered its hooks before the app's own.
  const hooks = withExtensionBeforeHooks(options.before ?? [], extensionHooks.before.splice(0))
  const firstRequest = hooks.filter(isFirstRequestHook) as BeforeRequestFunction[]
  const before = hooks.filter((hook) => !isFirstRequestHook(hook))
  let gotFirstRequest = firstRequest.length === 0
  const appContextTeardowns = teardown.filter(
    (hook): hook is TeardownRequestFunction =>
      typeof hook === 'function' && APP_CONTEXT_TEARDOWN in hook,
  )
  const after = [...extensionHooks.after.splice(0), ...(options.after ?? [])]
  const handling = errorHandler ? errorHandlings.get(errorHandler) : undefined
  const handleUserException = async (error: unknown, c: Context): Promise<FlaskResponse> => {
    if (handling && error instanceof Error) return handling.handleUserException(error, c)
    if (errorHandler && error instanceof Error) return flaskResponseOf(await errorHandler(error, c))
    throw error
  }
  const handleException = async (error: unknown, c: Context): Promise<FlaskResponse> => {
    if (handling) return handling.handleException(error, c)
    return handleUserException(error, c)
  }

  const hasHooks =
    before.length > 0 || after.length > 0 || teardown.length > 0 || firstRequest.length > 0
  const run: MiddlewareHandler = async function flaskRequestHooks(c, next) {
    const prepared = prepareRequest(c)
    if (prepared instanceof Promise) await prepared
    const state = stateOf(c)
    if (appContextTeardowns.length > 0) state.appContextTeardowns = appContextTeardowns
    if (!hasHooks) {
      // Nothing registered: the view runs, and the after phase only for after_this_request or a
      // response finalizer (the session).
      await next()
      if (state.afterThisRequest.length === 0 && responseFinalizers.length === 0) return
    }
    const blueprints = blueprintsOf(c)
    const names = [...blueprints, null]
    let teardownError: unknown = null
    try {
      let shortCircuit: FlaskResponse | null = null
      // Outside Flask's try: an error here is handle_exception's (a 500), and after hooks ignore theirs.
      let firstRequestFailed = false
      if (!gotFirstRequest) {
        try {
          for (const fn of firstRequest) await fn(c)
          gotFirstRequest = true
        } catch (error) {
          shortCircuit = await handleException(error, c)
          firstRequestFailed = true
        }
      }
      if (!firstRequestFailed)
        try {
          for (const name of [null, ...[...blueprints].reverse()]) {
            for (const fn of hooksFor(before, name)) {
              const rv = await fn(c)
              if (rv !== undefined && rv !== null) {
                shortCircuit = makeResponse(c, rv)
                break
              }
            }
            if (shortCircuit) break
          }
        } catch (error) {
          shortCircuit = await handleUserException(error, c)
        }
      if (shortCircuit) setResponse(c, shortCircuit.toResponse())
      else if (hasHooks) await next()

      const afterFunctions = [...state.afterThisRequest]
      for (const name of names) afterFunctions.push(...hooksFor(after, name).reverse())
      if (afterFunctions.length === 0 && responseFinalizers.length === 0) return
      const runAfter = async (
        response: FlaskResponse,
        ignoreErrors: boolean,
      ): Promise<FlaskResponse> => {
        for (const fn of [...afterFunctions, ...responseFinalizers]) {
          try {
            const returned = await fn(c, response)
            if (returned instanceof FlaskResponse) response = returned
            else if (returned instanceof Response) response = await flaskResponseOf(returned)
            else
              throw new InvalidResponseError('an after_request function did not return a response')
          } catch (error) {
            if (!ignoreErrors) throw error
            console.error('Request finalizing failed with an error while handling an error', error)
          }
        }
        return response
      }
      let response = await flaskResponseOf(c.res)
      try {
        response = await runAfter(response, firstRequestFailed)
      } catch (error) {
        response = await runAfter(await handleException(error, c), true)
      }
      setResponse(c, response.toResponse())
    } finally {
      teardownError = state.unhandledError ?? null
      for (const name of names) {
        for (const fn of hooksFor(teardown, name).reverse()) {
          try {
            await fn(c, teardownError)
          } catch (error) {
            console.error('teardown_request function failed', error)
          }
        }
      }
    }
  }
  if (options.contextLocals === false) return run
  // Views, hooks and error handlers, and whatever they call, run inside the request's context.
  return (c, next) => runInContext(c, () => run(c, next))
}
