/**
 * Flask's cookie session (Flask 2.2's `SecureCookieSessionInterface`), byte for byte, so that a
 * cookie the Flask app set is read here and the reverse, with the same `SECRET_KEY`:
 *
 * - itsdangerous' `URLSafeTimedSerializer` with salt `cookie-session`: HMAC-SHA1 signatures with
 *   the `hmac` key derivation, the signing time as a big-endian integer, base64url without padding,
 *   a payload zlib-compressed (and marked by a leading `.`) when that makes it shorter;
 * - Flask's `TaggedJSONSerializer` (compact, sorted keys, ASCII): tuples (` t`), bytes (` b`),
 *   markup (` m`), UUIDs (` u`), datetimes (` d`, HTTP dates) and one-key dicts whose key is a
 *   tag (` di`) survive the round trip;
 * - a cookie that does not verify, is older than `PERMANENT_SESSION_LIFETIME` or signed in the
 *   future gives an empty session, as in Flask;
 * - `SecureCookieSession`'s tracking: reads mark it accessed (`Vary: Cookie`), writes modified;
 *   the cookie is set only when modified (or permanent with `SESSION_REFRESH_EACH_REQUEST`) and
 *   deleted when modified to empty; without a secret key the session is Flask's `NullSession`
 *   (readable, empty; writing raises RuntimeError);
 * - `SESSION_COOKIE_NAME` / `DOMAIN` (or `SERVER_NAME`) / `PATH` (or `APPLICATION_ROOT`) /
 *   `HTTPONLY` / `SECURE` / `SAMESITE` from the app's config (`useAppConfig`), Flask's defaults
 *   otherwise; `SECRET_KEY` from the config (which reads it from the environment), else the
 *   `SECRET_KEY` environment variable.
 *
 * The session is opened on first use in a request and saved by `requestHooks` after the
 * after_request hooks (Flask's `process_response`). Also here: `flash` and `get_flashed_messages`.
 */
import type { Context } from 'hono'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { deflateSync, inflateSync } from 'node:zlib'
import { PyDateTime, PyTimeDelta, PyTimezone } from './datetime.js'
import { AttributeError, Exception, RuntimeError, TypeError as PyTypeError } from './exceptions.js'
import {
  addResponseFinalizer,
  appConfigValue,
  dumps,
  request,
  type FlaskResponse,
} from './flask.js'
import { asFloat } from './float.js'
import { PyDict, UUID, contains, getitem, isTuple, truthy, tuple, typeName, type Py } from './py.js'

// ---------------------------------------------------------------------------------------------
// itsdangerous: base64, signer, URL-safe timed serializer

/** itsdangerous' `BadData`: a value that does not verify or does not load. */
export class BadData extends Exception {}
/** A signature that does not match, a missing timestamp (`BadSignature`, `BadTimeSignature`). */
export class BadSignature extends BadData {}
/** A valid signature older than the max age, or from the future. */
export class SignatureExpired extends BadSignature {}
/** A signed payload that does not decode (Flask lets it through as an error; see `openSession`). */
export class BadPayload extends BadData {}

const B64_VALUES = new Map(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((ch, i) => [
    ch.charCodeAt(0),
    i,
  ]),
)

/**
 * itsdangerous' `base64_decode`: `=` padding added, `-_` read as `+/`, then CPython's
 * non-strict `a2b_base64` (other characters skipped, a pad ends the input once it is complete).
 */
export function base64Decode(bytes: Uint8Array): Uint8Array {
  const padded = [...bytes, ...Array<number>((4 - (bytes.length % 4)) % 4).fill(0x3d)]
  const out: number[] = []
  let quad = 0
  let left = 0
  let pads = 0
  for (const raw of padded) {
    const ch = raw === 0x2d ? 0x2b : raw === 0x5f ? 0x2f : raw
    if (ch === 0x3d) {
      // A complete pad sequence ends the input (CPython counts pads only after two data characters).
      if (quad >= 2 && quad + ++pads >= 4) return Uint8Array.from(out)
      continue
    }
    const value = B64_VALUES.get(ch)
    if (value === undefined) continue
    pads = 0
    switch (quad) {
      case 0:
        left = value
        quad = 1
        break
      case 1:
        out.push(((left << 2) | (value >> 4)) & 0xff)
        left = value & 0x0f
        quad = 2
        break
      case 2:
        out.push(((left << 4) | (value >> 2)) & 0xff)
        left = value & 0x03
        quad = 3
        break
      default:
        out.push(((left << 6) | value) & 0xff)
        quad = 0
    }
  }
  if (quad !== 0) throw new BadData('Invalid base64-encoded data')
  return Uint8Array.from(out)
}

/** itsdangerous' `base64_encode`: base64url without padding. */
export function base64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url')
}

const encoder = new TextEncoder()

function lastIndexOfDot(bytes: Uint8Array): number {
  return bytes.lastIndexOf(0x2e)
}

/** A secret key as itsdangerous takes it: str (UTF-8) or bytes. */
export type SecretKey = string | Uint8Array

export interface SerializerOptions {
  /** `salt` of the serializer; Flask's session uses `cookie-session`. */
  salt?: string
  /** The clock, in seconds (itsdangerous' `get_timestamp`, `int(time.time())`). */
  now?: () => number
}

/**
 * itsdangerous' `URLSafeTimedSerializer` with Flask's session settings (HMAC-SHA1, `hmac` key
 * derivation, `TaggedJSONSerializer`). `secretKeys`: the signing key last, older ones before it
 * (all of them verify).
 */
export class SessionSerializer {
  readonly #keys: Uint8Array[]
  readonly #salt: Uint8Array
  readonly #now: () => number

  constructor(secretKeys: SecretKey | readonly SecretKey[], options: SerializerOptions = {}) {
    const keys = Array.isArray(secretKeys)
      ? (secretKeys as readonly SecretKey[])
      : [secretKeys as SecretKey]
    this.#keys = keys.map((key) => (typeof key === 'string' ? encoder.encode(key) : key))
    this.#salt = encoder.encode(options.salt ?? 'cookie-session')
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000))
  }

  #derive(secret: Uint8Array): Buffer {
    return createHmac('sha1', secret).update(this.#salt).digest()
  }

  #signature(value: Uint8Array, secret: Uint8Array): Buffer {
    return createHmac('sha1', this.#derive(secret)).update(value).digest()
  }

  /** `dumps(value)`: the signed, timestamped, URL-safe text. */
  dumps(value: Py): string {
    const json = encoder.encode(taggedDumps(value))
    const compressed = deflateSync(json)
    const payload =
      compressed.length < json.length - 1 ? `.${base64Encode(compressed)}` : base64Encode(json)
    const signed = `${payload}.${base64Encode(intToBytes(this.#now()))}`
    return `${signed}.${base64Encode(this.#signature(encoder.encode(signed), this.#keys[this.#keys.length - 1]!))}`
  }

  /** `loads(text, max_age=)`: the value, or `BadSignature` / `SignatureExpired` / `BadPayload`. */
  loads(text: string, maxAge: number | null = null): Py {
    const signedValue = encoder.encode(text)
    const sep = lastIndexOfDot(signedValue)
    if (sep < 0) throw new BadSignature("No b'.' found in value")
    const value = signedValue.subarray(0, sep)
    if (!this.#verify(value, signedValue.subarray(sep + 1)))
      throw new BadSignature('Signature does not match')
    const tsSep = lastIndexOfDot(value)
    if (tsSep < 0) throw new BadSignature('timestamp missing')
    const payload = value.subarray(0, tsSep)
    let timestamp: number | null = null
    try {
      timestamp = bytesToInt(base64Decode(value.subarray(tsSep + 1)))
    } catch {
      timestamp = null
    }
    if (timestamp === null) throw new BadSignature('Malformed timestamp')
    if (maxAge !== null) {
      const age = this.#now() - timestamp
      if (age > maxAge) throw new SignatureExpired(`Signature age ${age} > ${maxAge} seconds`)
      if (age < 0) throw new SignatureExpired(`Signature age ${age} < 0 seconds`)
    }
    return loadPayload(payload)
  }

  #verify(value: Uint8Array, signature: Uint8Array): boolean {
    let given: Uint8Array
    try {
      given = base64Decode(signature)
    } catch {
      return false
    }
    for (const secret of [...this.#keys].reverse()) {
      const expected = this.#signature(value, secret)
      if (given.length === expected.length && timingSafeEqual(given, expected)) return true
    }
    return false
  }
}

/** itsdangerous' `int_to_bytes`: big-endian, leading zero bytes dropped. */
function intToBytes(value: number): Uint8Array {
  const bytes: number[] = []
  for (let rest = BigInt(Math.trunc(value)); rest > 0n; rest >>= 8n)
    bytes.unshift(Number(rest & 0xffn))
  return Uint8Array.from(bytes)
}

/** itsdangerous' `bytes_to_int`: at most 8 bytes, big-endian. */
function bytesToInt(bytes: Uint8Array): number | null {
  if (bytes.length > 8) return null
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  return Number(value)
}

function loadPayload(payload: Uint8Array): Py {
  let data: Uint8Array
  const compressed = payload[0] === 0x2e
  try {
    data = base64Decode(compressed ? payload.subarray(1) : payload)
  } catch {
    throw new BadPayload('Could not base64 decode the payload because of an exception')
  }
  if (compressed) {
    try {
      data = inflateSync(data)
    } catch {
      throw new BadPayload('Could not zlib decompress the payload before decoding the payload')
    }
  }
  try {
    return taggedLoads(new TextDecoder('utf-8', { fatal: true }).decode(data))
  } catch {
    throw new BadPayload(
      'Could not load the payload because an exception occurred on unserializing the data.',
    )
  }
}

// ---------------------------------------------------------------------------------------------
// Flask's TaggedJSONSerializer

const TAGS = new Set([' di', ' t', ' b', ' m', ' u', ' d'])

/** The entries of a value Python would see as a dict (PyDict, Map, plain object), else null. */
function dictItems(value: unknown): [Py, Py][] | null {
  if (value instanceof PyDict) return value.items().map(([k, v]) => [k, v])
  if (value instanceof Map) return [...value.entries()]
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const proto = Object.getPrototypeOf(value)
    if (proto === Object.prototype || proto === null) return Object.entries(value)
  }
  return null
}

/** `TaggedJSONSerializer.tag`: the value with its non-JSON types marked, for `dumps`. */
function tag(value: Py): Py {
  const items = dictItems(value)
  if (items !== null) {
    if (items.length === 1 && typeof items[0]![0] === 'string' && TAGS.has(items[0]![0])) {
      return new PyDict([[' di', new PyDict([[`${items[0]![0]}__`, tag(items[0]![1])]])]])
    }
    return new PyDict(items.map(([k, v]) => [k, tag(v)]))
  }
  if (Array.isArray(value))
    return isTuple(value) ? new PyDict([[' t', value.map(tag)]]) : value.map(tag)
  if (value instanceof Uint8Array)
    return new PyDict([[' b', Buffer.from(value).toString('base64')]])
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { __html__?: unknown }).__html__ === 'function'
  ) {
    return new PyDict([[' m', String((value as { __html__: () => unknown }).__html__())]])
  }
  if (value instanceof UUID) return new PyDict([[' u', value.hex]])
  if (value instanceof PyDateTime) return new PyDict([[' d', value.toJsDate().toUTCString()]])
  return value
}

/** `TaggedJSONSerializer.dumps`: Flask's JSON (compact, sorted keys, ASCII) of the tagged value. */
export function taggedDumps(value: Py): string {
  return dumps(tag(value))
}

/** `TaggedJSONSerializer.untag`, the object hook: a one-key dict whose key is a tag becomes its value. */
function untag(dict: PyDict): Py {
  if (dict.size !== 1) return dict
  const [key, value] = dict.items()[0]!
  switch (key) {
    case ' di': {
      const [inner, innerValue] = (value as PyDict).items()[0]!
      return new PyDict([[(inner as string).slice(0, -2), innerValue]])
    }
    case ' t':
      return tuple(...(value as Py[]))
    case ' b':
      return Uint8Array.from(Buffer.from(String(value), 'base64'))
    case ' m':
      return String(value)
    case ' u': {
      const hex = String(value).toLowerCase()
      if (!/^[0-9a-f]{32}$/.test(hex)) throw new PyTypeError('badly formed hexadecimal UUID string')
      return new UUID(
        `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
      )
    }
    case ' d':
      return parseHttpDate(String(value))
  }
  return dict
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** Werkzeug's `parse_date` of an HTTP date: an aware datetime in UTC, or None. */
function parseHttpDate(text: string): PyDateTime | null {
  const match =
    /^\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s*(?:GMT|UTC|UT|Z|[+-]0000)?\s*$/.exec(
      text,
    )
  if (match === null) return null
  const month = MONTHS.findIndex((name) => name.toLowerCase() === match[2]!.toLowerCase())
  if (month < 0) return null
  try {
    return new PyDateTime(
      Number(match[3]),
      month + 1,
      Number(match[1]),
      Number(match[4]),
      Number(match[5]),
      Number(match[6] ?? 0),
      0,
      PyTimezone.utc,
    )
  } catch {
    return null
  }
}

/** `json.loads(text, object_hook=untag)`: dicts as PyDict in the text's key order, floats kept apart from ints. */
export function taggedLoads(text: string): Py {
  let i = 0
  const fail = (): never => {
    throw new BadPayload(`invalid JSON at char ${i}`)
  }
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const string = (): string => {
    const start = i++
    while (text[i] !== '"') {
      if (i >= text.length || text.charCodeAt(i) < 0x20) fail()
      i += text[i] === '\\' ? 2 : 1
    }
    i++
    try {
      return JSON.parse(text.slice(start, i)) as string
    } catch {
      return fail()
    }
  }
  const value = (): Py => {
    space()
    const ch = text[i]
    if (ch === '{') {
      i++
      const dict = new PyDict()
      space()
      if (text[i] === '}') {
        i++
        return untag(dict)
      }
      for (;;) {
        space()
        if (text[i] !== '"') fail()
        const key = string()
        space()
        if (text[i++] !== ':') fail()
        dict.set(key, value())
        space()
        const next = text[i++]
        if (next === '}') return untag(dict)
        if (next !== ',') fail()
      }
    }
    if (ch === '[') {
      i++
      const list: Py[] = []
      space()
      if (text[i] === ']') {
        i++
        return list
      }
      for (;;) {
        list.push(value())
        space()
        const next = text[i++]
        if (next === ']') return list
        if (next !== ',') fail()
      }
    }
    if (ch === '"') return string()
    for (const [literal, result] of [
      ['null', null],
      ['true', true],
      ['false', false],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['-Infinity', -Infinity],
    ] as const) {
      if (text.startsWith(literal, i)) {
        i += literal.length
        return result
      }
    }
    const number = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y
    number.lastIndex = i
    const match = number.exec(text)
    if (match === null) return fail()
    i += match[0].length
    return match[1] !== undefined || match[2] !== undefined
      ? asFloat(Number(match[0]))
      : Number(match[0])
  }
  const result = value()
  space()
  if (i !== text.length) fail()
  return result
}

// ---------------------------------------------------------------------------------------------
// The session object

const NULL_SESSION_MESSAGE =
  'The session is unavailable because no secret key was set.  Set the secret_key on the application to something unique and secret.'

/**
 * Flask's `SecureCookieSession`: a dict (py.ts `PyDict`) that records whether it was read
 * (`accessed`: `session[k]`, `get`, `setdefault`) and changed (`modified`: every write, as
 * Werkzeug's `CallbackDict`), with `permanent` (the `_permanent` key). A null session (no secret
 * key) reads as empty and refuses every write with Flask's RuntimeError.
 */
export class SecureCookieSession extends PyDict {
  modified = false
  accessed = false
  /** Flask cannot tell a new session from an empty one: always False. */
  readonly new = false
  readonly #isNull: boolean

  constructor(initial: PyDict | null = null, isNull = false) {
    super()
    this.#isNull = isNull
    if (initial !== null) for (const [key, value] of initial.items()) super.set(key, value)
  }

  /** Flask's `NullSession`: no secret key was set. */
  get isNull(): boolean {
    return this.#isNull
  }

  #update(): void {
    this.modified = true
    this.accessed = true
  }

  #refuse(): void {
    if (this.#isNull) throw new RuntimeError(NULL_SESSION_MESSAGE)
  }

  /** `session.permanent`: the `_permanent` key, False when missing. */
  get permanent(): Py {
    return this.get('_permanent', false)
  }
  set permanent(value: Py) {
    this.set('_permanent', truthy(value))
  }

  override getItem(key: Py): Py {
    this.accessed = true
    return super.getItem(key)
  }

  override get(key: Py, fallback: Py = null): Py {
    this.accessed = true
    return super.get(key, fallback)
  }

  override set(key: Py, value: Py): this {
    this.#refuse()
    super.set(key, value)
    this.#update()
    return this
  }

  override setdefault(key: Py, fallback: Py = null): Py {
    this.#refuse()
    this.accessed = true
    if (!this.has(key)) {
      super.set(key, fallback)
      this.#update()
    }
    return super.getItem(key)
  }

  override delItem(key: Py): void {
    this.#refuse()
    super.delItem(key)
    this.#update()
  }

  override pop(key: Py, ...fallback: Py[]): Py {
    this.#refuse()
    const present = this.has(key)
    const value = super.pop(key, ...fallback)
    if (present) this.#update()
    return value
  }

  override popitem(): Py {
    this.#refuse()
    const item = super.popitem()
    this.#update()
    return item
  }

  override update(other: Py = null, kwargs?: PyDict): void {
    this.#refuse()
    const plain = new PyDict()
    plain.update(other, kwargs)
    for (const [key, value] of plain.items()) super.set(key, value)
    this.#update()
  }

  override clear(): void {
    this.#refuse()
    super.clear()
    this.#update()
  }
}

// ---------------------------------------------------------------------------------------------
// The session interface: settings, open, save

/** The session settings of Flask's config, with Flask 2.2's defaults. */
export interface SessionSettings {
  secretKey: SecretKey | null
  cookieName: string
  domain: string | null
  path: string
  httponly: boolean
  secure: boolean
  samesite: string | null
  /** `PERMANENT_SESSION_LIFETIME` in seconds. */
  lifetime: number
  refreshEachRequest: boolean
}

function configValue(key: string): unknown {
  const value = appConfigValue(key)
  return value === undefined ? undefined : value
}

/** A lifetime as Flask takes it: a timedelta, or a number of seconds. */
function seconds(value: unknown, fallback: number): number {
  if (value instanceof PyTimeDelta) return Number(value.total_seconds())
  if (typeof value === 'number' || value instanceof Number) return Number(value)
  return fallback
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':')
}

/** The settings now: the app config (`useAppConfig`), Flask's defaults for what it does not set. */
export function sessionSettings(): SessionSettings {
  const secret = configValue('SECRET_KEY') ?? process.env['SECRET_KEY']
  const path =
    (configValue('SESSION_COOKIE_PATH') as string | null | undefined) ||
    (configValue('APPLICATION_ROOT') as string | undefined) ||
    '/'
  let domain = configValue('SESSION_COOKIE_DOMAIN') as string | false | null | undefined
  if (domain === undefined || domain === null) {
    // Flask's get_cookie_domain: from SERVER_NAME, without the port, '.'-prefixed for a root path.
    const server = configValue('SERVER_NAME') as string | null | undefined
    domain = null
    if (server) {
      const host = server.replace(/:[^:]*$/, '').replace(/^\.+/, '')
      if (host.includes('.')) domain = path === '/' && !isIp(host) ? `.${host}` : host
    }
  }
  const flag = (key: string, fallback: boolean): boolean => {
    const value = configValue(key)
    return value === undefined || value === null ? fallback : truthy(value)
  }
  return {
    secretKey:
      typeof secret === 'string' || secret instanceof Uint8Array
        ? secret.length > 0
          ? secret
          : null
        : null,
    cookieName: (configValue('SESSION_COOKIE_NAME') as string | undefined) ?? 'session',
    domain: domain || null,
    path,
    httponly: flag('SESSION_COOKIE_HTTPONLY', true),
    secure: flag('SESSION_COOKIE_SECURE', false),
    samesite: (configValue('SESSION_COOKIE_SAMESITE') as string | null | undefined) ?? null,
    lifetime: seconds(configValue('PERMANENT_SESSION_LIFETIME'), 31 * 86400),
    refreshEachRequest: flag('SESSION_REFRESH_EACH_REQUEST', true),
  }
}

/** The serializer Flask's session uses (`get_signing_serializer`), or null without a secret key. */
export function signingSerializer(
  settings: SessionSettings = sessionSettings(),
  options: Omit<SerializerOptions, 'salt'> = {},
): SessionSerializer | null {
  return settings.secretKey === null
    ? null
    : new SessionSerializer(settings.secretKey, { ...options, salt: 'cookie-session' })
}

/**
 * `open_session`: the session of a cookie value. An empty or missing value, a bad signature, an
 * expired one: an empty session. A validly signed value that does not load (only someone holding
 * the secret key can make one) also gives an empty session here, where Flask answers 500.
 */
export function openSession(
  cookie: string | null | undefined,
  settings: SessionSettings = sessionSettings(),
  options: Omit<SerializerOptions, 'salt'> = {},
): SecureCookieSession {
  const serializer = signingSerializer(settings, options)
  if (serializer === null) return new SecureCookieSession(null, true)
  if (!cookie) return new SecureCookieSession()
  try {
    const data = serializer.loads(cookie, Math.trunc(settings.lifetime))
    if (!(data instanceof PyDict)) return new SecureCookieSession()
    return new SecureCookieSession(data)
  } catch (error) {
    if (error instanceof BadData) return new SecureCookieSession()
    throw error
  }
}

/** Werkzeug's `response.vary.add(value)`: added once, case-insensitively. */
function addVary(response: FlaskResponse, value: string): void {
  const current = response.headers.get('Vary')
  const items =
    current === null
      ? []
      : current
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '')
  if (items.some((item) => item.toLowerCase() === value.toLowerCase())) return
  response.headers.set('Vary', [...items, value].join(', '))
}

/** `save_session`: Vary, the Set-Cookie (or its deletion) as Flask 2.2 writes them. */
export function saveSession(
  session: SecureCookieSession,
  response: FlaskResponse,
  settings: SessionSettings = sessionSettings(),
  options: Omit<SerializerOptions, 'salt'> = {},
): void {
  if (session.isNull) return
  const { cookieName: name, domain, path, secure, samesite, httponly } = settings
  if (session.accessed) addVary(response, 'Cookie')
  if (session.size === 0) {
    if (session.modified) {
      response.delete_cookie(name, { domain, path, secure, samesite, httponly })
      addVary(response, 'Cookie')
    }
    return
  }
  if (!(session.modified || (truthy(session.permanent) && settings.refreshEachRequest))) return
  const expires = truthy(session.permanent) ? new Date(Date.now() + settings.lifetime * 1000) : null
  const value = signingSerializer(settings, options)!.dumps(session)
  response.set_cookie(name, value, { expires, httponly, domain, path, secure, samesite })
  addVary(response, 'Cookie')
}

// ---------------------------------------------------------------------------------------------
// Per request: `session`, `flash`, `get_flashed_messages`

interface SessionState {
  session: SecureCookieSession
  /** `request_ctx.flashes`: the messages `get_flashed_messages` took out of the session. */
  flashes: Py[] | null
}

const states = new WeakMap<object, SessionState>()

function stateOf(c: Context): SessionState {
  let state = states.get(c.req.raw)
  if (state === undefined) {
    const settings = sessionSettings()
    state = {
      session: openSession(request(c).cookies.get(settings.cookieName), settings),
      flashes: null,
    }
    states.set(c.req.raw, state)
  }
  return state
}

/** Flask's `session` for this request, opened from its cookie on first use. */
export function flaskSession(c: Context): SecureCookieSession {
  return stateOf(c).session
}

/** `flash(message, category="message")`: appended to the session's `_flashes`, as Flask stores them. */
export function flash(c: Context, message: Py, category: Py = 'message'): null {
  const session = flaskSession(c)
  const flashes = session.get('_flashes', [])
  if (!Array.isArray(flashes) || isTuple(flashes))
    throw new AttributeError(`'${typeName(flashes)}' object has no attribute 'append'`)
  flashes.push(tuple(category, message))
  session.set('_flashes', flashes)
  return null
}

/** `get_flashed_messages(with_categories=False, category_filter=())`: taken out of the session once per request. */
export function getFlashedMessages(
  c: Context,
  options: { with_categories?: Py; category_filter?: Py } = {},
): Py[] {
  const state = stateOf(c)
  if (state.flashes === null)
    state.flashes = state.session.has('_flashes') ? (state.session.pop('_flashes') as Py[]) : []
  let flashes = state.flashes
  const filter = options.category_filter ?? tuple()
  if (truthy(filter)) flashes = flashes.filter((entry) => contains(filter, getitem(entry, 0)))
  if (!truthy(options.with_categories ?? false)) return flashes.map((entry) => getitem(entry, 1))
  return flashes
}

addResponseFinalizer((c, response) => {
  // Opened here when no handler used it: a permanent session is refreshed on every request.
  if (states.has(c.req.raw) || truthy(request(c).cookies.get(sessionSettings().cookieName)))
    saveSession(flaskSession(c), response)
  return response
})
