/**
 * Flask-JWT-Extended 4.x (with PyJWT 2) on Hono: the same tokens, checks, errors and answers.
 *
 * A token the Flask app issued is accepted here and the reverse, given the same
 * `JWT_SECRET_KEY` (else `SECRET_KEY`): HS256/HS384/HS512 compact JWS, the claims
 * Flask-JWT-Extended writes (`fresh`, `iat`, `jti`, `type`, `sub`, `nbf`, `exp`, `csrf` when
 * cookies are protected, `aud`/`iss` when configured, then the additional claims), checked as
 * PyJWT checks them (signature, `iat`/`nbf`/`exp` with `JWT_DECODE_LEEWAY`, `aud`, `iss`) in
 * PyJWT's order and with its error messages, which reach the invalid-token callback.
 *
 * Signing and verifying use node:crypto's HMAC, synchronously: translated Python calls
 * `create_access_token()` from any function, and the maintained JOSE libraries (jose, hono/jwt)
 * only sign and verify asynchronously (Web Crypto). test/runtime/jwt.test.ts checks these tokens
 * against the real Flask-JWT-Extended both ways and against jose.
 *
 * ```ts
 * const jwt = new JWTManager()
 * jwt.user_lookup_loader((header, data) => users.get(data.get('sub')))
 * const onError = errorHandlers([...initJwt(jwt), ...appHandlers])
 * app.post('/token', view((c) => jsonify({ access_token: createAccessToken(c, { identity: 'bob' }) })))
 * app.get('/me', jwtRequired()(view((c) => jsonify({ user: getJwtIdentity(c) }))))
 * ```
 *
 * Token locations: `headers`, `cookies` (with the CSRF double submit: `set_access_cookies`,
 * `unset_jwt_cookies`, the `X-CSRF-TOKEN` header or form field), `query_string` and `json`.
 * Asymmetric algorithms (RS*, ES*, PS*) are not carried over.
 *
 * Flask-JWT-Extended 3 (3.25, on PyJWT 1.7): a project the migration finds to be a 3.x one gets
 * `initJwt3(jwt)` instead of `initJwt(jwt)`, and the runtime then acts as 3.x does — its claims
 * (`identity`, `user_claims`), its decorators (`@jwt_required` without parentheses,
 * `@jwt_optional`, `@fresh_jwt_required`, `@jwt_refresh_token_required`), its callbacks'
 * arguments, its messages and PyJWT 1.7's checks. test/runtime/jwt3.test.ts compares it with
 * the real 3.25.1.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import type { Context } from 'hono'
import { Exception, IndexError, RuntimeError, TypeError } from './exceptions.js'
import {
  appConfigValue,
  currentContext,
  dumps,
  type CookieOptions,
  type ErrorHandlerEntry,
  type FlaskResponse,
  jsonify,
  request,
} from './flask.js'
import { PyTimeDelta } from './datetime.js'
import { loadsJson } from './json.js'
import {
  callWithKeywords,
  fromJs,
  Keywords,
  PyDict,
  str,
  takesKeywords,
  truthy,
  tuple,
  type Py,
} from './py.js'

// ---------------------------------------------------------------------------------------------
// PyJWT's exceptions (jwt.exceptions) and Flask-JWT-Extended's (flask_jwt_extended.exceptions)

export class PyJWTError extends Exception {}
export class InvalidTokenError extends PyJWTError {}
export class DecodeError extends InvalidTokenError {}
export class InvalidSignatureError extends DecodeError {}
/** Carries the token's header and claims, as Flask-JWT-Extended sets them for the expired callback. */
export class ExpiredSignatureError extends InvalidTokenError {
  jwt_header: Py = null
  jwt_data: Py = null
}
export class InvalidAudienceError extends InvalidTokenError {}
export class InvalidIssuerError extends InvalidTokenError {}
export class InvalidIssuedAtError extends InvalidTokenError {}
export class ImmatureSignatureError extends InvalidTokenError {}
export class InvalidAlgorithmError extends InvalidTokenError {}
export class MissingRequiredClaimError extends InvalidTokenError {
  readonly claim: string
  constructor(claim: string) {
    super(`Token is missing the "${claim}" claim`)
    this.claim = claim
  }
}

export class JWTExtendedException extends Exception {}
export class JWTDecodeError extends JWTExtendedException {}
export class InvalidHeaderError extends JWTExtendedException {}
export class InvalidQueryParamError extends JWTExtendedException {}
export class NoAuthorizationError extends JWTExtendedException {}
export class CSRFError extends JWTExtendedException {}
export class WrongTokenError extends JWTExtendedException {}
/** The exceptions that carry the token (`jwt_header`, `jwt_data`) to their callback. */
class TokenCarryingError extends JWTExtendedException {
  readonly jwt_header: Py
  readonly jwt_data: Py
  constructor(message: string, jwtHeader: Py, jwtData: Py) {
    super(message)
    this.jwt_header = jwtHeader
    this.jwt_data = jwtData
  }
}
export class RevokedTokenError extends TokenCarryingError {}
export class FreshTokenRequired extends TokenCarryingError {}
export class UserLookupError extends TokenCarryingError {}
export class UserClaimsVerificationError extends TokenCarryingError {}
/** Flask-JWT-Extended 3's error when its user loader returns None. */
export class UserLoadError extends JWTExtendedException {}
/** Python's `RuntimeWarning`, which 3.x's `set_access_cookies` raises without cookies configured. */
export class RuntimeWarning extends Exception {}

// ---------------------------------------------------------------------------------------------
// Settings: the app config (`useAppConfig`) with Flask-JWT-Extended's defaults

function setting(key: string, fallback: unknown): unknown {
  const value = appConfigValue(key)
  return value === undefined ? fallback : value
}

function stringSetting(key: string, fallback: string): string {
  return String(setting(key, fallback))
}

const HMAC_ALGORITHMS: Readonly<Record<string, string>> = {
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
}

function algorithm(): string {
  const name = stringSetting('JWT_ALGORITHM', 'HS256')
  if (!(name in HMAC_ALGORITHMS))
    throw new RuntimeError(`JWT_ALGORITHM ${name} is not carried over (only HS256, HS384, HS512)`)
  return name
}

function decodeAlgorithms(): string[] {
  const value = setting('JWT_DECODE_ALGORITHMS', null)
  if (value === null || value === undefined) return [algorithm()]
  return Array.isArray(value) ? value.map(String) : [String(value)]
}

function secretKey(): string {
  const key =
    setting('JWT_SECRET_KEY', null) ||
    setting('SECRET_KEY', null) ||
    process.env['JWT_SECRET_KEY'] ||
    process.env['SECRET_KEY']
  if (!key)
    throw new RuntimeError(
      `JWT_SECRET_KEY or flask SECRET_KEY must be set when using symmetric algorithm "${algorithm()}"`,
    )
  return String(key)
}

/** A `JWT_*_EXPIRES` value in seconds: a timedelta or a number of seconds; null for False. */
function expiresSeconds(value: unknown): number | null {
  if (value === false) return null
  if (value instanceof PyTimeDelta) return Number(value.total_seconds())
  if (typeof value === 'number' || value instanceof Number) return Number(value)
  throw new RuntimeError(`JWT expiry ${String(value)} must be a datetime.timedelta or False`)
}

function tokenLocations(): string[] {
  const value = setting('JWT_TOKEN_LOCATION', ['headers'])
  return typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.map(String)
      : ['headers']
}

function errorMessageKey(): string {
  return stringSetting('JWT_ERROR_MESSAGE_KEY', 'msg')
}

/** The Flask-JWT-Extended major version the app was written for (`initJwt3` makes it 3). */
let major: 3 | 4 = 4

function identityClaim(): string {
  return stringSetting('JWT_IDENTITY_CLAIM', major === 3 ? 'identity' : 'sub')
}

/** 3.x's `JWT_USER_CLAIMS`: the claim holding the user claims. */
function userClaimsKey(): string {
  return stringSetting('JWT_USER_CLAIMS', 'user_claims')
}

/** `config.csrf_protect`: tokens in cookies with `JWT_COOKIE_CSRF_PROTECT`. */
function csrfProtect(): boolean {
  return tokenLocations().includes('cookies') && Boolean(setting('JWT_COOKIE_CSRF_PROTECT', true))
}

// ---------------------------------------------------------------------------------------------
// The manager: callbacks, and its error handlers

type Callback = (...args: Py[]) => Py

function messageResponse(message: string, status: number): FlaskResponse {
  const response = jsonify({ [errorMessageKey()]: message })
  response.status_code = status
  return response
}

/** Flask-JWT-Extended's `JWTManager`: the loader decorators keep their Python names. */
export class JWTManager {
  /* eslint-disable @typescript-eslint/naming-convention -- the Python API's names */
  additionalClaims: Callback = () => new PyDict()
  additionalHeaders: Callback = () => new PyDict()
  userIdentity: Callback = (identity) => identity
  userLookup: Callback | null = null
  userLookupError: Callback = (_header, data) =>
    messageResponse(`Error loading the user ${str(getItem(data, identityClaim()))}`, 401)
  tokenInBlocklist: Callback = () => false
  tokenVerification: Callback = () => true
  tokenVerificationFailed: Callback = () => messageResponse('User claims verification failed', 400)
  expiredToken: Callback = () => messageResponse('Token has expired', 401)
  invalidToken: Callback = (reason) => messageResponse(String(reason), 422)
  unauthorized: Callback = (reason) => messageResponse(String(reason), 401)
  needsFreshToken: Callback = () => messageResponse('Fresh token required', 401)
  revokedToken: Callback = () => messageResponse('Token has been revoked', 401)

  additional_claims_loader<F extends Callback>(fn: F): F {
    this.additionalClaims = fn
    return fn
  }
  additional_headers_loader<F extends Callback>(fn: F): F {
    this.additionalHeaders = fn
    return fn
  }
  user_identity_loader<F extends Callback>(fn: F): F {
    this.userIdentity = fn
    return fn
  }
  user_lookup_loader<F extends Callback>(fn: F): F {
    this.userLookup = fn
    return fn
  }
  user_lookup_error_loader<F extends Callback>(fn: F): F {
    this.userLookupError = fn
    return fn
  }
  token_in_blocklist_loader<F extends Callback>(fn: F): F {
    this.tokenInBlocklist = fn
    return fn
  }
  token_verification_loader<F extends Callback>(fn: F): F {
    this.tokenVerification = fn
    return fn
  }
  token_verification_failed_loader<F extends Callback>(fn: F): F {
    this.tokenVerificationFailed = fn
    return fn
  }
  expired_token_loader<F extends Callback>(fn: F): F {
    this.expiredToken = fn
    return fn
  }
  invalid_token_loader<F extends Callback>(fn: F): F {
    this.invalidToken = fn
    return fn
  }
  unauthorized_loader<F extends Callback>(fn: F): F {
    this.unauthorized = fn
    return fn
  }
  needs_fresh_token_loader<F extends Callback>(fn: F): F {
    this.needsFreshToken = fn
    return fn
  }
  revoked_token_loader<F extends Callback>(fn: F): F {
    this.revokedToken = fn
    return fn
  }

  // Flask-JWT-Extended 3's loaders (`initJwt3`): each is called with 3.x's arguments.
  userClaims: Callback = () => new PyDict()
  userLoader: Callback | null = null
  userLoaderError: Callback = (identity) =>
    messageResponse(`Error loading the user ${str(identity)}`, 401)
  tokenInBlacklist: Callback | null = null
  claimsVerification: Callback = () => true
  claimsVerificationFailed: Callback = () => messageResponse('User claims verification failed', 400)

  user_claims_loader<F extends Callback>(fn: F): F {
    this.userClaims = fn
    return fn
  }
  user_loader_callback_loader<F extends Callback>(fn: F): F {
    this.userLoader = fn
    return fn
  }
  user_loader_error_loader<F extends Callback>(fn: F): F {
    this.userLoaderError = fn
    return fn
  }
  token_in_blacklist_loader<F extends Callback>(fn: F): F {
    this.tokenInBlacklist = fn
    return fn
  }
  claims_verification_loader<F extends Callback>(fn: F): F {
    this.claimsVerification = fn
    return fn
  }
  claims_verification_failed_loader<F extends Callback>(fn: F): F {
    this.claimsVerificationFailed = fn
    return fn
  }
  /* eslint-enable @typescript-eslint/naming-convention */
}

let appManager: JWTManager | null = null

function manager(): JWTManager {
  if (appManager === null)
    throw new RuntimeError(
      'You must initialize a JWTManager with this flask application before using this method',
    )
  return appManager
}

/**
 * `jwt.init_app(app)`: makes `jwt` the app's manager and gives the error handlers it registers on
 * the app, in its order, for the app's `errorHandlers([...])` (before the app's own).
 */
export function initJwt(jwt: JWTManager): ErrorHandlerEntry[] {
  appManager = jwt
  major = 4
  const reason = (error: Error): string => error.message
  const carried = (error: { jwt_header: Py; jwt_data: Py }): [Py, Py] => [
    error.jwt_header,
    error.jwt_data,
  ]
  return [
    { exception: CSRFError, handle: (e) => jwt.unauthorized(reason(e)) },
    { exception: DecodeError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: ExpiredSignatureError, handle: (e) => jwt.expiredToken(...carried(e)) },
    { exception: FreshTokenRequired, handle: (e) => jwt.needsFreshToken(...carried(e)) },
    { exception: MissingRequiredClaimError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: InvalidAudienceError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: InvalidIssuerError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: InvalidHeaderError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: InvalidTokenError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: JWTDecodeError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: NoAuthorizationError, handle: (e) => jwt.unauthorized(reason(e)) },
    { exception: InvalidQueryParamError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: RevokedTokenError, handle: (e) => jwt.revokedToken(...carried(e)) },
    {
      exception: UserClaimsVerificationError,
      handle: (e) => jwt.tokenVerificationFailed(...carried(e)),
    },
    { exception: UserLookupError, handle: (e) => jwt.userLookupError(...carried(e)) },
    { exception: WrongTokenError, handle: (e) => jwt.invalidToken(reason(e)) },
  ]
}

/**
 * Flask-JWT-Extended 3's `jwt.init_app(app)`: as `initJwt`, with 3.x's error handlers and the
 * runtime acting as 3.x (its claims, messages and callbacks' arguments).
 */
export function initJwt3(jwt: JWTManager): ErrorHandlerEntry[] {
  appManager = jwt
  major = 3
  const reason = (error: Error): string => error.message
  return [
    { exception: NoAuthorizationError, handle: (e) => jwt.unauthorized(reason(e)) },
    { exception: CSRFError, handle: (e) => jwt.unauthorized(reason(e)) },
    // 3.x calls it with the expired token's claims, and without them if it takes none.
    { exception: ExpiredSignatureError, handle: (e) => jwt.expiredToken(e.jwt_data) },
    { exception: InvalidHeaderError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: DecodeError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: InvalidTokenError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: JWTDecodeError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: WrongTokenError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: InvalidAudienceError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: InvalidIssuerError, handle: (e) => jwt.invalidToken(reason(e)) },
    { exception: RevokedTokenError, handle: () => jwt.revokedToken() },
    { exception: FreshTokenRequired, handle: () => jwt.needsFreshToken() },
    // 3.x answers with the identity of the token the request carried (get_jwt_identity()).
    { exception: UserLoadError, handle: () => jwt.userLoaderError(getJwtIdentity()) },
    { exception: UserClaimsVerificationError, handle: () => jwt.claimsVerificationFailed() },
  ]
}

// ---------------------------------------------------------------------------------------------
// Encoding and decoding (PyJWT's jwt.encode / jwt.decode)

function base64url(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64url')
}

/** PyJWT's `base64url_decode`: padded, decoded leniently as Python's binascii does; throws on an impossible length. */
function base64urlDecode(segment: string): Buffer {
  const data = segment
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .replace(/[^A-Za-z0-9+/]/g, '')
  if (data.length % 4 === 1) throw new Error('Invalid base64-encoded string')
  return Buffer.from(data, 'base64')
}

function sign(signingInput: string, algorithmName: string, secret: string): Buffer {
  return createHmac(HMAC_ALGORITHMS[algorithmName]!, secret).update(signingInput).digest()
}

function pyText(value: Py): string {
  return typeof value === 'string' ? value : dumps(value)
}

function getItem(dict: Py, key: string): Py {
  return dict instanceof PyDict ? dict.getItem(key) : (dict as Record<string, Py>)[key]
}

/**
 * Claims as PyJWT writes them: `json.dumps(payload, separators=(",", ":"), cls=<Flask's
 * encoder>)`, dicts in their insertion order (not sorted), other values as Flask's encoder writes them.
 */
function encodeJson(value: Py): string {
  const entries =
    value instanceof PyDict
      ? ([...value.items()] as [Py, Py][])
      : value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.getPrototypeOf(value) === Object.prototype
        ? Object.entries(value as Record<string, Py>)
        : null
  if (entries === null)
    return Array.isArray(value)
      ? `[${value.map((item) => encodeJson(item as Py)).join(',')}]`
      : dumps(value)
  // Python's json writes a key that is not a string as the JSON text of the key, quoted.
  const key = (k: Py): string => dumps(typeof k === 'string' ? k : dumps(k))
  return `{${entries.map(([k, v]) => `${key(k)}:${encodeJson(v)}`).join(',')}}`
}

/** `jwt.encode(payload, secret, algorithm, headers=...)`: datetime claims are already seconds here. */
function encodeToken(
  payload: PyDict,
  secret: string,
  algorithmName: string,
  headers: PyDict,
): string {
  const header = new PyDict<Py, Py>([
    ['alg', algorithmName],
    ['typ', 'JWT'],
  ])
  for (const [key, value] of headers.items()) header.set(key, value)
  // PyJWT 2 writes the header with sorted keys, the claims in their order.
  const signingInput = `${base64url(dumps(header))}.${base64url(encodeJson(payload))}`
  return `${signingInput}.${base64url(sign(signingInput, String(header.get('alg')), secret))}`
}

interface LoadedToken {
  header: PyDict
  payloadText: string
  signingInput: string
  signature: Buffer
}

/** PyJWT's `PyJWS._load`: the segments, with its messages for each malformed part. */
function loadToken(token: string): LoadedToken {
  const last = token.lastIndexOf('.')
  const first = token.indexOf('.')
  if (last < 0 || first === last) throw new DecodeError('Not enough segments')
  const signingInput = token.slice(0, last)
  const [headerSegment, payloadSegment] = [
    signingInput.slice(0, first),
    signingInput.slice(first + 1),
  ]
  let headerBytes: Buffer
  try {
    headerBytes = base64urlDecode(headerSegment)
  } catch {
    throw new DecodeError('Invalid header padding')
  }
  let header: unknown
  try {
    header = loadsJson(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes))
  } catch (error) {
    throw new DecodeError(
      `Invalid header string: ${jsonErrorMessage(error, headerBytes.toString('utf8'))}`,
    )
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw new DecodeError('Invalid header string: must be a json object')
  let payloadBytes: Buffer
  try {
    payloadBytes = base64urlDecode(payloadSegment)
  } catch {
    throw new DecodeError('Invalid payload padding')
  }
  let signature: Buffer
  try {
    signature = base64urlDecode(token.slice(last + 1))
  } catch {
    throw new DecodeError('Invalid crypto padding')
  }
  return {
    header: fromJs(header) as PyDict,
    payloadText: payloadBytes.toString('utf8'),
    signingInput,
    signature,
  }
}

/** Python's `JSONDecodeError` text: `<what>: line L column C (char N)`. */
function jsonErrorMessage(error: unknown, text: string): string {
  const message = (error as Error).message
  const match = /^(.*): char (\d+)$/.exec(message)
  if (match === null) return message
  const position = Number(match[2])
  const before = text.slice(0, position)
  const line = before.split('\n').length
  const column = position - (before.lastIndexOf('\n') + 1) + 1
  return `${match[1]}: line ${line} column ${column} (char ${position})`
}

function parsePayload(text: string): PyDict {
  let payload: unknown
  try {
    payload = loadsJson(text)
  } catch (error) {
    throw new DecodeError(`Invalid payload string: ${jsonErrorMessage(error, text)}`)
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
    throw new DecodeError('Invalid payload string: must be a json object')
  return fromJs(payload) as PyDict
}

function integerClaim(value: Py, error: () => Error): number {
  const number = typeof value === 'string' ? Number(value.trim()) : Number(value)
  if (typeof value === 'boolean' || !Number.isFinite(number)) throw error()
  return Math.trunc(number)
}

interface DecodeOptions {
  verify: boolean
  verifyExp: boolean
}

/** `jwt.decode(token, secret, algorithms=..., audience=..., issuer=..., leeway=...)`. */
function pyjwtDecode(token: string, secret: string, options: DecodeOptions): PyDict {
  const loaded = loadToken(token)
  if (options.verify) {
    const alg = loaded.header.get('alg')
    const allowed = decodeAlgorithms()
    if (!alg || !allowed.includes(String(alg)))
      throw new InvalidAlgorithmError('The specified alg value is not allowed')
    if (!(String(alg) in HMAC_ALGORITHMS))
      throw new InvalidAlgorithmError('Algorithm not supported')
    const expected = sign(loaded.signingInput, String(alg), secret)
    if (expected.length !== loaded.signature.length || !timingSafeEqual(expected, loaded.signature))
      throw new InvalidSignatureError('Signature verification failed')
  }
  const payload = parsePayload(loaded.payloadText)
  if (!options.verify) return payload
  const leewayValue = setting('JWT_DECODE_LEEWAY', 0)
  const leeway =
    leewayValue instanceof PyTimeDelta ? Number(leewayValue.total_seconds()) : Number(leewayValue)
  const now = Math.floor(Date.now() / 1000)
  if (payload.has('iat')) {
    const iat = payload.get('iat')
    integerClaim(iat, () => new InvalidIssuedAtError('Issued At claim (iat) must be an integer.'))
    // PyJWT 1.7 (Flask-JWT-Extended 3) checks only that iat is an integer.
    if (major === 4 && Number(iat) > now + leeway)
      throw new ImmatureSignatureError('The token is not yet valid (iat)')
  }
  if (payload.has('nbf')) {
    const nbf = integerClaim(
      payload.get('nbf'),
      () => new DecodeError('Not Before claim (nbf) must be an integer.'),
    )
    if (nbf > now + leeway) throw new ImmatureSignatureError('The token is not yet valid (nbf)')
  }
  if (payload.has('exp') && options.verifyExp) {
    const exp = integerClaim(
      payload.get('exp'),
      () => new DecodeError('Expiration Time claim (exp) must be an integer.'),
    )
    // PyJWT 2 refuses a token in the second it expires, PyJWT 1.7 from the next one.
    if (major === 4 ? exp <= now - leeway : exp < now - leeway)
      throw new ExpiredSignatureError('Signature has expired')
  }
  const issuer = setting('JWT_DECODE_ISSUER', null)
  if (issuer !== null && issuer !== undefined) {
    if (!payload.has('iss')) throw new MissingRequiredClaimError('iss')
    if (payload.get('iss') !== issuer) throw new InvalidIssuerError('Invalid issuer')
  }
  const audience = setting('JWT_DECODE_AUDIENCE', null)
  // PyJWT 2 takes a missing or empty aud as none, PyJWT 1.7 only a missing one.
  const claim = payload.get('aud')
  const noAudience =
    major === 4
      ? !payload.has('aud') ||
        claim === null ||
        claim === '' ||
        claim === false ||
        claim === 0 ||
        (Array.isArray(claim) && claim.length === 0) ||
        (claim instanceof PyDict && claim.size === 0)
      : !payload.has('aud')
  if (audience === null || audience === undefined) {
    // A token for an audience, read by an app that expects none: 4.x turns PyJWT's aud check
    // off then (verify_aud=False); 3.x leaves PyJWT 1.7's on, which refuses it.
    if (major === 3 && !noAudience) throw new InvalidAudienceError('Invalid audience')
  } else {
    if (noAudience) throw new MissingRequiredClaimError('aud')
    const claims = typeof claim === 'string' ? [claim] : claim
    if (!Array.isArray(claims) || claims.some((item) => typeof item !== 'string'))
      throw new InvalidAudienceError('Invalid claim format in token')
    const wanted = typeof audience === 'string' ? [audience] : (audience as string[])
    if (wanted.every((aud) => !claims.includes(aud)))
      throw new InvalidAudienceError('Invalid audience')
  }
  return payload
}

/**
 * Flask-JWT-Extended's `decode_token(encoded_token, csrf_value=None, allow_expired=False)`: the
 * claims, with `type`, `fresh` and `jti` filled in as it does (3.x: and `user_claims`), the CSRF
 * double submit value checked when given; an expired token raises `ExpiredSignatureError`
 * carrying its header and claims.
 */
export function decodeJwt(token: string, allowExpired = false, csrfValue: Py = null): PyDict {
  // Both versions read the claims unverified first: a payload that is not JSON fails before the signature.
  pyjwtDecode(token, '', { verify: false, verifyExp: false })
  const header = loadToken(token).header
  const secret = secretKey()
  let claims: PyDict
  try {
    claims = pyjwtDecode(token, secret, { verify: true, verifyExp: !allowExpired })
  } catch (error) {
    if (error instanceof ExpiredSignatureError) {
      error.jwt_header = header
      error.jwt_data = decodeJwt(token, true, csrfValue)
    }
    throw error
  }
  const identity = identityClaim()
  if (major === 3) {
    if (!claims.has('jti')) claims.set('jti', null)
    if (!claims.has(identity)) throw new JWTDecodeError(`Missing claim: ${identity}`)
    if (!claims.has('type')) claims.set('type', 'access')
    if (claims.get('type') !== 'refresh' && claims.get('type') !== 'access')
      throw new JWTDecodeError('Missing or invalid claim: type')
    if (claims.get('type') === 'access' && !claims.has('fresh')) claims.set('fresh', false)
    if (!claims.has(userClaimsKey())) claims.set(userClaimsKey(), new PyDict())
  } else {
    if (!claims.has(identity)) throw new JWTDecodeError(`Missing claim: ${identity}`)
    if (!claims.has('type')) claims.set('type', 'access')
    if (!claims.has('fresh')) claims.set('fresh', false)
    if (!claims.has('jti')) claims.set('jti', null)
  }
  if (csrfValue) {
    if (!claims.has('csrf')) throw new JWTDecodeError('Missing claim: csrf')
    if (!sameText(claims.get('csrf'), csrfValue))
      throw new CSRFError('CSRF double submit tokens do not match')
  }
  return claims
}

/** `hmac.compare_digest` of two strings, in constant time. */
function sameText(a: Py, b: Py): boolean {
  const left = Buffer.from(String(a))
  const right = Buffer.from(String(b))
  return left.length === right.length && timingSafeEqual(left, right)
}

interface TokenArguments {
  identity: Py
  fresh?: Py
  expires_delta?: Py
  additional_claims?: Py
  additional_headers?: Py
}

function createToken(tokenType: 'access' | 'refresh', args: TokenArguments): string {
  if (major === 3) return createToken3(tokenType, args)
  const jwt = manager()
  const headers = jwt.additionalHeaders(args.identity) as PyDict
  if (args.additional_headers !== null && args.additional_headers !== undefined)
    for (const [key, value] of entriesOf(args.additional_headers)) headers.set(key, value)
  const claims = jwt.additionalClaims(args.identity) as PyDict
  if (args.additional_claims !== null && args.additional_claims !== undefined)
    for (const [key, value] of entriesOf(args.additional_claims)) claims.set(key, value)
  const expires =
    args.expires_delta === null || args.expires_delta === undefined
      ? expiresSeconds(
          tokenType === 'access'
            ? setting('JWT_ACCESS_TOKEN_EXPIRES', new PyTimeDelta(0, 15 * 60))
            : setting('JWT_REFRESH_TOKEN_EXPIRES', new PyTimeDelta(30)),
        )
      : expiresSeconds(args.expires_delta)
  const nowMs = Date.now()
  const now = Math.floor(nowMs / 1000)
  let fresh: Py = args.fresh ?? false
  if (fresh instanceof PyTimeDelta) fresh = nowMs / 1000 + Number(fresh.total_seconds())
  const payload = new PyDict<Py, Py>([
    ['fresh', fresh],
    ['iat', now],
    ['jti', randomUUID()],
    ['type', tokenType],
    [identityClaim(), jwt.userIdentity(args.identity)],
  ])
  if (setting('JWT_ENCODE_NBF', true)) payload.set('nbf', now)
  if (csrfProtect()) payload.set('csrf', randomUUID())
  const audience = setting('JWT_ENCODE_AUDIENCE', null)
  if (audience) payload.set('aud', audience)
  const issuer = setting('JWT_ENCODE_ISSUER', null)
  if (issuer) payload.set('iss', issuer)
  if (expires) payload.set('exp', Math.floor(now + expires))
  for (const [key, value] of claims.items()) payload.set(key, value)
  return encodeToken(payload, secretKey(), algorithm(), headers)
}

/**
 * Flask-JWT-Extended 3's `encode_access_token` / `encode_refresh_token` with PyJWT 1.7's
 * `jwt.encode`: `additional_claims` is 3.x's `user_claims` (stored under `JWT_USER_CLAIMS`),
 * `additional_headers` its `headers`; the claims and header in 3.x's order.
 */
function createToken3(tokenType: 'access' | 'refresh', args: TokenArguments): string {
  const jwt = manager()
  let userClaims = args.additional_claims ?? null
  if (
    userClaims === null &&
    (tokenType === 'access' || setting('JWT_CLAIMS_IN_REFRESH_TOKEN', false))
  )
    userClaims = jwt.userClaims(args.identity)
  let headers = args.additional_headers ?? null
  if (headers === null) headers = jwt.additionalHeaders(args.identity) ?? null
  const expires =
    args.expires_delta === null || args.expires_delta === undefined
      ? expiresSeconds(
          tokenType === 'access'
            ? setting('JWT_ACCESS_TOKEN_EXPIRES', new PyTimeDelta(0, 15 * 60))
            : setting('JWT_REFRESH_TOKEN_EXPIRES', new PyTimeDelta(30)),
        )
      : expiresSeconds(args.expires_delta)
  const now = Math.floor(Date.now() / 1000)
  const claims = new PyDict<Py, Py>([[identityClaim(), jwt.userIdentity(args.identity)]])
  if (tokenType === 'access') {
    let fresh: Py = args.fresh ?? false
    if (fresh instanceof PyTimeDelta) fresh = Math.floor(now + Number(fresh.total_seconds()))
    claims.set('fresh', fresh)
  }
  claims.set('type', tokenType)
  if (truthy(userClaims)) claims.set(userClaimsKey(), userClaims)
  if (csrfProtect()) claims.set('csrf', randomUUID())
  const issuer = setting('JWT_ENCODE_ISSUER', null)
  if (tokenType === 'access' && issuer !== null && issuer !== undefined) claims.set('iss', issuer)
  const payload = new PyDict<Py, Py>([
    ['iat', now],
    ['nbf', now],
    ['jti', randomUUID()],
  ])
  if (expires) payload.set('exp', Math.floor(now + expires))
  for (const [key, value] of claims.items()) payload.set(key, value)
  // PyJWT 1.7's header: typ first, then alg, then the token's own headers.
  const header = new PyDict<Py, Py>([
    ['typ', 'JWT'],
    ['alg', algorithm()],
  ])
  if (headers !== null) for (const [key, value] of entriesOf(headers)) header.set(key, value)
  const signingInput = `${base64url(encodeJson(header))}.${base64url(encodeJson(payload))}`
  return `${signingInput}.${base64url(sign(signingInput, String(header.get('alg')), secretKey()))}`
}

function entriesOf(value: Py): [Py, Py][] {
  if (value instanceof PyDict) return [...value.items()] as [Py, Py][]
  return Object.entries(value as Record<string, Py>)
}

/**
 * The claims and headers given to `create_*_token`: 4.x names them `additional_claims` and
 * `additional_headers`, 3.x `user_claims` and `headers` (the same positions); the other
 * version's keyword is Python's TypeError.
 */
function givenClaims(
  name: string,
  additional: [Py, Py],
  legacy: [Py, Py],
): { claims: Py; headers: Py } {
  if (major === 4) {
    const keyword =
      legacy[0] !== undefined ? 'user_claims' : legacy[1] !== undefined ? 'headers' : null
    if (keyword !== null)
      throw new TypeError(`${name}() got an unexpected keyword argument '${keyword}'`)
    return { claims: additional[0], headers: additional[1] }
  }
  return { claims: legacy[0] ?? additional[0], headers: legacy[1] ?? additional[1] }
}

/**
 * `create_access_token(identity, fresh=False, expires_delta=None, additional_claims=None,
 * additional_headers=None)`, parameters in Python's order (undefined for one not given); 3.x's
 * `user_claims=` and `headers=` keywords come last.
 */
export function createAccessToken(
  identity: Py,
  fresh: Py = false,
  expires_delta: Py = null,
  additional_claims: Py = null,
  additional_headers: Py = null,
  user_claims?: Py,
  headers?: Py,
): string {
  const given = givenClaims(
    'create_access_token',
    [additional_claims, additional_headers],
    [user_claims, headers],
  )
  return createToken('access', {
    identity,
    fresh,
    expires_delta,
    additional_claims: given.claims,
    additional_headers: given.headers,
  })
}

/**
 * `create_refresh_token(identity, expires_delta=None, additional_claims=None,
 * additional_headers=None)`; 3.x's `user_claims=` and `headers=` keywords come last.
 */
export function createRefreshToken(
  identity: Py,
  expires_delta: Py = null,
  additional_claims: Py = null,
  additional_headers: Py = null,
  user_claims?: Py,
  headers?: Py,
): string {
  const given = givenClaims(
    'create_refresh_token',
    [additional_claims, additional_headers],
    [user_claims, headers],
  )
  return createToken('refresh', {
    identity,
    fresh: false,
    expires_delta,
    additional_claims: given.claims,
    additional_headers: given.headers,
  })
}

/** `decode_token(encoded_token, csrf_value=None, allow_expired=False)`. */
export function decodeToken(
  encoded_token: string,
  csrf_value: Py = null,
  allow_expired: Py = false,
): PyDict {
  return decodeJwt(encoded_token, truthy(allow_expired ?? false), csrf_value ?? null)
}

/** `get_jti(encoded_token)`. */
export function getJti(encoded_token: string): Py {
  return decodeJwt(encoded_token).get('jti')
}

/** `get_unverified_jwt_headers(encoded_token)`. */
export function getUnverifiedJwtHeaders(encoded_token: string): PyDict {
  return loadToken(encoded_token).header
}

// ---------------------------------------------------------------------------------------------
// The request: verify_jwt_in_request, jwt_required, get_jwt, current_user

interface RequestJwt {
  claims: PyDict
  header: PyDict
  user: { loaded_user: Py } | null
  location: string | null
}

const verified = new WeakMap<Request, RequestJwt>()

function pySplit(text: string): string[] {
  return text.split(/\s+/).filter((part) => part !== '')
}

function tokenFromHeaders(c: Context): string {
  const headerName = stringSetting('JWT_HEADER_NAME', 'Authorization')
  const headerType = stringSetting('JWT_HEADER_TYPE', 'Bearer')
  const authHeader = (request(c).headers.get(headerName) ?? '').trim().replace(/^,+|,+$/g, '')
  if (!authHeader) throw new NoAuthorizationError(`Missing ${headerName} Header`)
  if (headerType) {
    const fields = authHeader.split(/,\s*/)
    const matching = fields.filter((field) => {
      const words = pySplit(field)
      if (words.length === 0) throw new IndexError('list index out of range')
      return words[0] === headerType
    })
    if (matching.length !== 1)
      throw new NoAuthorizationError(
        `Missing '${headerType}' type in '${headerName}' header. Expected '${headerName}: ${headerType} <JWT>'`,
      )
    const parts = pySplit(matching[0]!)
    if (parts.length !== 2)
      throw new InvalidHeaderError(
        `Bad ${headerName} header. Expected '${headerName}: ${headerType} <JWT>'`,
      )
    return parts[1]!
  }
  const parts = pySplit(authHeader)
  if (parts.length !== 1)
    throw new InvalidHeaderError(`Bad ${headerName} header. Expected '${headerName}: <JWT>'`)
  return parts[0]!
}

function tokenFromQueryString(c: Context): string {
  const name = stringSetting('JWT_QUERY_STRING_NAME', 'jwt')
  const prefix = stringSetting('JWT_QUERY_STRING_VALUE_PREFIX', '')
  const value = request(c).args.get(name)
  // The misspelling is Flask-JWT-Extended's own.
  if (!value) throw new NoAuthorizationError(`Missing '${name}' query paramater`)
  if (!value.startsWith(prefix))
    throw new InvalidQueryParamError(
      `Invalid value for query parameter '${name}'. Expected the value to start with '${prefix}'`,
    )
  return value.slice(prefix.length)
}

function tokenFromJson(c: Context, refresh: boolean): string {
  const flaskRequest = request(c)
  if (!flaskRequest.is_json)
    throw new NoAuthorizationError('Invalid content-type. Must be application/json.')
  const key = refresh
    ? stringSetting('JWT_REFRESH_JSON_KEY', 'refresh_token')
    : stringSetting('JWT_JSON_KEY', 'access_token')
  let token: unknown = null
  try {
    const body = flaskRequest.getJson()
    token =
      body instanceof PyDict
        ? body.get(key)
        : body && typeof body === 'object'
          ? (body as Record<string, unknown>)[key]
          : null
  } catch {
    token = null
  }
  if (!token) throw new NoAuthorizationError(`Missing "${key}" key in json data.`)
  return String(token)
}

/**
 * `_decode_jwt_from_cookies(refresh)` (both versions): the token from its cookie and, when CSRF
 * protection applies to the method, the double submit value from the `X-CSRF-TOKEN` header (or
 * the form field with `JWT_CSRF_CHECK_FORM`).
 */
function tokenFromCookies(c: Context, refresh: boolean): [string, string | null] {
  const kind = refresh ? 'REFRESH' : 'ACCESS'
  const cookieKey = stringSetting(
    `JWT_${kind}_COOKIE_NAME`,
    `${refresh ? 'refresh' : 'access'}_token_cookie`,
  )
  const flaskRequest = request(c)
  const token = flaskRequest.cookies.get(cookieKey)
  if (!token) throw new NoAuthorizationError(`Missing cookie "${cookieKey}"`)
  const methods = setting('JWT_CSRF_METHODS', ['POST', 'PUT', 'PATCH', 'DELETE'])
  const csrfMethods =
    typeof methods === 'string' ? methods : Array.isArray(methods) ? methods.map(String) : []
  if (!(csrfProtect() && csrfMethods.includes(c.req.method))) return [String(token), null]
  let csrfValue: Py =
    flaskRequest.headers.get(stringSetting(`JWT_${kind}_CSRF_HEADER_NAME`, 'X-CSRF-TOKEN')) ?? null
  if (!csrfValue && setting('JWT_CSRF_CHECK_FORM', false))
    csrfValue =
      flaskRequest.form.get(stringSetting(`JWT_${kind}_CSRF_FIELD_NAME`, 'csrf_token')) ?? null
  if (!csrfValue) throw new CSRFError('Missing CSRF token')
  return [String(token), String(csrfValue)]
}

interface VerifyOptions {
  optional?: boolean
  fresh?: boolean
  refresh?: boolean
  locations?: string | string[] | null
  verify_type?: boolean
}

/**
 * `verify_jwt_in_request(optional=False, fresh=False, refresh=False, locations=None,
 * verify_type=True)`: finds the token in the configured locations, decodes and checks it, loads
 * the user; throws the exceptions the error handlers of `initJwt` answer. Returns
 * `(header, claims)`, or None (OPTIONS requests; no token with `optional`).
 */
export function verifyJwtInRequest(
  optional: Py = false,
  fresh: Py = false,
  refresh: Py = false,
  locations: Py = null,
  verify_type: Py = true,
): Py {
  if (major === 3) {
    verifyRequest3(currentContext(), 'required')
    return null
  }
  const result = verifyRequest(currentContext(), {
    optional,
    fresh,
    refresh,
    locations,
    verify_type,
  })
  return result === null ? null : tuple(...result)
}

function verifyRequest(c: Context, options: VerifyOptions): [PyDict, PyDict] | null {
  const {
    optional = false,
    fresh = false,
    refresh = false,
    verify_type: verifyType = true,
  } = options
  if (c.req.method === 'OPTIONS') return null
  let locations = typeof options.locations === 'string' ? [options.locations] : options.locations
  if (!locations || locations.length === 0) locations = tokenLocations()
  const errors: string[] = []
  let found: { claims: PyDict; header: PyDict; location: string } | null = null
  for (const location of locations) {
    try {
      let token: string
      let csrfValue: string | null = null
      if (location === 'headers') token = tokenFromHeaders(c)
      else if (location === 'query_string') token = tokenFromQueryString(c)
      else if (location === 'json') token = tokenFromJson(c, refresh)
      else if (location === 'cookies') [token, csrfValue] = tokenFromCookies(c, refresh)
      else throw new RuntimeError(`'${location}' is not a valid location`)
      const claims = decodeJwt(token, false, csrfValue)
      found = { claims, header: loadToken(token).header, location }
      break
    } catch (error) {
      if (!(error instanceof NoAuthorizationError)) throw error
      errors.push(error.message)
    }
  }
  if (found === null) {
    const reason =
      locations.length > 1
        ? `Missing JWT in ${locations.slice(0, -1).join(', ')} or ${locations.at(-1)} (${errors.join('; ')})`
        : errors[0]!
    if (!optional) throw new NoAuthorizationError(reason)
    verified.set(c.req.raw, {
      claims: new PyDict(),
      header: new PyDict(),
      user: { loaded_user: null },
      location: null,
    })
    return null
  }
  const { claims, header } = found
  if (verifyType) {
    if (!refresh && claims.get('type') === 'refresh')
      throw new WrongTokenError('Only non-refresh tokens are allowed')
    if (refresh && claims.get('type') !== 'refresh')
      throw new WrongTokenError('Only refresh tokens are allowed')
  }
  if (fresh) {
    const value = claims.get('fresh')
    if (typeof value === 'boolean' ? !value : Number(value) < Date.now() / 1000)
      throw new FreshTokenRequired('Fresh token required', header, claims)
  }
  const jwt = manager()
  if (jwt.tokenInBlocklist(header, claims)) throw new RevokedTokenError('', header, claims)
  if (!jwt.tokenVerification(header, claims))
    throw new UserClaimsVerificationError('User claims verification failed', header, claims)
  let user: RequestJwt['user'] = null
  if (jwt.userLookup !== null) {
    const loaded = jwt.userLookup(header, claims)
    if (loaded === null || loaded === undefined)
      throw new UserLookupError(
        `user_lookup returned None for ${pyText(claims.get(identityClaim()))}`,
        header,
        claims,
      )
    user = { loaded_user: loaded }
  }
  verified.set(c.req.raw, { claims, header, user, location: found.location })
  return [header, claims]
}

/** A Python function (a view, or what another decorator made of it), called with its arguments as they come. */
type PyFunction = (...args: Py[]) => Py

/** A decorator that verifies the request's token, then calls the function it wraps. */
function verifying(options: VerifyOptions): (fn: PyFunction) => PyFunction {
  return (fn) =>
    takesKeywords((...args: Py[]) => {
      verifyRequest(currentContext(), options)
      return callThrough(fn, args)
    })
}

/** Calls `fn` with `args` as given, a trailing `Keywords` included (the view binds them by name). */
function callThrough(fn: PyFunction, args: Py[]): Py {
  const last = args.at(-1)
  return last instanceof Keywords ? callWithKeywords(fn, args.slice(0, -1), last) : fn(...args)
}

/** `@jwt_required(optional=False, fresh=False, refresh=False, locations=None, verify_type=True)`. */
export function jwtRequired(
  optional: Py = false,
  fresh: Py = false,
  refresh: Py = false,
  locations: Py = null,
  verify_type: Py = true,
): (fn: PyFunction) => PyFunction {
  return verifying({ optional, fresh, refresh, locations, verify_type })
}

// ---------------------------------------------------------------------------------------------
// Flask-JWT-Extended 3's request checks (initJwt3)

type Check3 = 'required' | 'optional' | 'fresh' | 'refresh'

/** 3.x's `_decode_jwt_from_headers`: its own messages, no trimming of stray commas. */
function tokenFromHeaders3(c: Context): string {
  const headerName = stringSetting('JWT_HEADER_NAME', 'Authorization')
  const headerType = stringSetting('JWT_HEADER_TYPE', 'Bearer')
  const authHeader = request(c).headers.get(headerName)
  if (!authHeader) throw new NoAuthorizationError(`Missing ${headerName} Header`)
  let jwtHeader = authHeader
  if (headerType) {
    const matching = authHeader.split(/,\s*/).filter((field) => {
      const words = pySplit(field)
      if (words.length === 0) throw new IndexError('list index out of range')
      return words[0] === headerType
    })
    if (matching.length < 1 || pySplit(matching[0]!).length !== 2)
      throw new InvalidHeaderError(`Bad ${headerName} header. Expected value '${headerType} <JWT>'`)
    jwtHeader = matching[0]!
  }
  const parts = pySplit(jwtHeader)
  if (!headerType) {
    if (parts.length !== 1)
      throw new InvalidHeaderError(`Bad ${headerName} header. Expected value '<JWT>'`)
    return parts[0]!
  }
  return parts[1]!
}

function tokenFromQueryString3(c: Context): string {
  const name = stringSetting('JWT_QUERY_STRING_NAME', 'jwt')
  const value = request(c).args.get(name)
  // The misspelling is Flask-JWT-Extended's own.
  if (!value) throw new NoAuthorizationError(`Missing "${name}" query paramater`)
  return value
}

/** 3.x's `_decode_jwt_from_json`: the Content-Type must be exactly application/json. */
function tokenFromJson3(c: Context, refresh: boolean): string {
  const flaskRequest = request(c)
  if (flaskRequest.content_type !== 'application/json')
    throw new NoAuthorizationError('Invalid content-type. Must be application/json.')
  return tokenFromJson(c, refresh)
}

/**
 * 3.x's `verify_jwt_in_request` (and its `_optional`, `fresh_` and `_refresh_token_`
 * variants): the token from `JWT_TOKEN_LOCATION`, its type, the blacklist
 * (`JWT_BLACKLIST_ENABLED`), freshness, the user claims verification and the user loader,
 * in 3.x's order. Optional: a missing token or a malformed header is no token.
 */
function verifyRequest3(c: Context, check: Check3): void {
  if (c.req.method === 'OPTIONS') return
  try {
    const refresh = check === 'refresh'
    const locations = tokenLocations()
    const errors: string[] = []
    let found: { claims: PyDict; header: PyDict } | null = null
    for (const location of locations) {
      try {
        let token: string
        let csrfValue: string | null = null
        if (location === 'cookies') [token, csrfValue] = tokenFromCookies(c, refresh)
        else if (location === 'query_string') token = tokenFromQueryString3(c)
        else if (location === 'headers') token = tokenFromHeaders3(c)
        else if (location === 'json') token = tokenFromJson3(c, refresh)
        else
          throw new RuntimeError(
            'JWT_TOKEN_LOCATION can only contain "headers", "cookies", "query_string", or "json"',
          )
        const claims = decodeJwt(token, false, csrfValue)
        found = { claims, header: loadToken(token).header }
        break
      } catch (error) {
        if (!(error instanceof NoAuthorizationError)) throw error
        errors.push(error.message)
      }
    }
    if (found === null)
      throw new NoAuthorizationError(
        locations.length !== 1
          ? `Missing JWT in ${locations.slice(0, -1).join(', ')} or ${locations.at(-1)} (${errors.join('; ')})`
          : errors[0]!,
      )
    const { claims, header } = found
    const expected = refresh ? 'refresh' : 'access'
    if (claims.get('type') !== expected)
      throw new WrongTokenError(`Only ${expected} tokens are allowed`)
    verifyNotBlacklisted(claims, expected)
    verified.set(c.req.raw, { claims, header, user: null, location: null })
    if (check === 'fresh') {
      const value = claims.get('fresh')
      if (typeof value === 'boolean' ? !value : Number(value) < Math.floor(Date.now() / 1000))
        throw new FreshTokenRequired('Fresh token required', header, claims)
    }
    const jwt = manager()
    if (!refresh && !truthy(jwt.claimsVerification(claims.get(userClaimsKey()))))
      throw new UserClaimsVerificationError('User claims verification failed', header, claims)
    if (jwt.userLoader !== null) {
      const identity = claims.get(identityClaim())
      const user = jwt.userLoader(identity)
      if (user === null || user === undefined)
        throw new UserLoadError(`user_loader returned None for ${str(identity)}`)
      verified.set(c.req.raw, { claims, header, user: { loaded_user: user }, location: null })
    }
  } catch (error) {
    if (
      check === 'optional' &&
      (error instanceof NoAuthorizationError || error instanceof InvalidHeaderError)
    )
      return
    throw error
  }
}

/** 3.x's blacklist check: with `JWT_BLACKLIST_ENABLED`, for the types `JWT_BLACKLIST_TOKEN_CHECKS` lists. */
function verifyNotBlacklisted(claims: PyDict, tokenType: 'access' | 'refresh'): void {
  if (!truthy(setting('JWT_BLACKLIST_ENABLED', false) as Py)) return
  const jwt = manager()
  if (jwt.tokenInBlacklist === null)
    throw new RuntimeError(
      "A token_in_blacklist_callback must be provided via the '@token_in_blacklist_loader' if JWT_BLACKLIST_ENABLED is True",
    )
  const checks = setting('JWT_BLACKLIST_TOKEN_CHECKS', ['access', 'refresh'])
  const types =
    typeof checks === 'string' ? [checks] : Array.isArray(checks) ? checks.map(String) : []
  if (types.includes(tokenType) && truthy(jwt.tokenInBlacklist(claims)))
    throw new RevokedTokenError('Token has been revoked', null, null)
}

/** A 3.x decorator: verifies the request as `check` says, then calls the view. */
function verifying3(check: Check3): (fn: PyFunction) => PyFunction {
  return (fn) =>
    takesKeywords((...args: Py[]) => {
      verifyRequest3(currentContext(), check)
      return callThrough(fn, args)
    })
}

/**
 * `@jwt_required` without parentheses: Flask-JWT-Extended 3's decorator. In a 4.x app it is
 * what 4.x makes of it: the view becomes the decorator, and calling it is a TypeError (a 500).
 */
export function jwtRequiredBare(fn: PyFunction): PyFunction {
  return takesKeywords((...args: Py[]) => {
    if (major === 4) throw new TypeError("wrapper() missing 1 required positional argument: 'fn'")
    verifyRequest3(currentContext(), 'required')
    return callThrough(fn, args)
  })
}

/** Flask-JWT-Extended 3's `@jwt_optional`: an invalid token is refused, a missing one or a malformed header is none. */
export const jwtOptional = verifying3('optional')
/** Flask-JWT-Extended 3's `@jwt_refresh_token_required`. */
export const jwtRefreshTokenRequired = verifying3('refresh')
/** Flask-JWT-Extended 3's `@fresh_jwt_required`. */
export const freshJwtRequired = verifying3('fresh')

/** 3.x's `verify_jwt_in_request_optional()`. */
export function verifyJwtInRequestOptional(): void {
  verifyRequest3(currentContext(), 'optional')
}

/** 3.x's `verify_fresh_jwt_in_request()`. */
export function verifyFreshJwtInRequest(): void {
  verifyRequest3(currentContext(), 'fresh')
}

/** 3.x's `verify_jwt_refresh_token_in_request()`. */
export function verifyJwtRefreshTokenInRequest(): void {
  verifyRequest3(currentContext(), 'refresh')
}

/** 3.x's `get_raw_jwt()`: the request's claims, {} without a token. */
export function getRawJwt(c: Context = currentContext()): PyDict {
  return verified.get(c.req.raw)?.claims ?? new PyDict()
}

/** 3.x's `get_raw_jwt_header()`. */
export function getRawJwtHeader(c: Context = currentContext()): PyDict {
  return verified.get(c.req.raw)?.header ?? new PyDict()
}

/** 3.x's `get_jwt_claims()`: the token's user claims, {} without them. */
export function getJwtClaims(c: Context = currentContext()): Py {
  return getRawJwt(c).get(userClaimsKey(), new PyDict())
}

function requestJwt(c: Context): RequestJwt {
  const state = verified.get(c.req.raw)
  if (state === undefined)
    throw new RuntimeError(
      'You must call `@jwt_required()` or `verify_jwt_in_request()` before using this method',
    )
  return state
}

/** `get_jwt()`: the claims of the request's token ({} without one under `optional`). */
export function getJwt(c: Context = currentContext()): PyDict {
  return requestJwt(c).claims
}

/** `get_jwt_header()`. */
export function getJwtHeader(c: Context = currentContext()): PyDict {
  return requestJwt(c).header
}

/** `get_jwt_identity()`: the identity claim, None without a token. */
export function getJwtIdentity(c: Context = currentContext()): Py {
  if (major === 3) return getRawJwt(c).get(identityClaim(), null)
  return getJwt(c).get(identityClaim(), null)
}

/** `get_jwt_request_location()`. */
export function getJwtRequestLocation(c: Context = currentContext()): string | null {
  return verified.get(c.req.raw)?.location ?? null
}

/** `get_current_user()` and `current_user`: what the user lookup loader returned. */
export function getCurrentUser(c: Context = currentContext()): Py {
  // 3.x: None without a user loader or a token.
  if (major === 3) return verified.get(c.req.raw)?.user?.loaded_user ?? null
  const state = requestJwt(c)
  if (state.user === null)
    throw new RuntimeError(
      'You must provide a `@jwt.user_lookup_loader` callback to use this method',
    )
  return state.user.loaded_user
}

// ---------------------------------------------------------------------------------------------
// Cookies: set_access_cookies, set_refresh_cookies, unset_jwt_cookies, get_csrf_token

/** `get_csrf_token(encoded_token)`: the token's CSRF double submit value. */
export function getCsrfToken(encoded_token: string): Py {
  return decodeJwt(encoded_token).getItem('csrf')
}

interface CookieResponse {
  set_cookie(key: string, value?: string, options?: CookieOptions): void
}

function cookieMaxAge(maxAge: Py): number | null {
  if (truthy(maxAge ?? null)) return Number(maxAge)
  return truthy(setting('JWT_SESSION_COOKIE', true) as Py) ? null : 31540000
}

function setTokenCookies(
  kind: 'access' | 'refresh',
  response: CookieResponse,
  token: string | null,
  maxAge: Py,
  domain: Py,
): void {
  const upper = kind.toUpperCase()
  const setCookie = token !== null
  // 3.x refuses without cookies configured; its unset_access_cookies names unset_refresh_cookies.
  if (major === 3 && !tokenLocations().includes('cookies'))
    throw new RuntimeWarning(
      `${setCookie ? `set_${kind}` : 'unset_refresh'}_cookies() called without 'JWT_TOKEN_LOCATION' configured to use cookies`,
    )
  const common: CookieOptions = {
    secure: Boolean(setting('JWT_COOKIE_SECURE', false)),
    domain: ((truthy(domain ?? null) ? domain : setting('JWT_COOKIE_DOMAIN', null)) ?? null) as
      string | null,
    samesite: (setting('JWT_COOKIE_SAMESITE', null) ?? null) as string | null,
  }
  const lifetime: CookieOptions = setCookie ? { max_age: cookieMaxAge(maxAge) } : { expires: 0 }
  response.set_cookie(
    stringSetting(`JWT_${upper}_COOKIE_NAME`, `${kind}_token_cookie`),
    token ?? '',
    {
      ...lifetime,
      ...common,
      httponly: true,
      path: stringSetting(`JWT_${upper}_COOKIE_PATH`, '/'),
    },
  )
  if (csrfProtect() && setting('JWT_CSRF_IN_COOKIES', true))
    response.set_cookie(
      stringSetting(`JWT_${upper}_CSRF_COOKIE_NAME`, `csrf_${kind}_token`),
      token === null ? '' : String(getCsrfToken(token)),
      {
        ...lifetime,
        ...common,
        httponly: false,
        path: stringSetting(`JWT_${upper}_CSRF_COOKIE_PATH`, '/'),
      },
    )
}

/** `set_access_cookies(response, encoded_access_token, max_age=None, domain=None)`. */
export function setAccessCookies(
  response: CookieResponse,
  encoded_access_token: string,
  max_age: Py = null,
  domain: Py = null,
): void {
  setTokenCookies('access', response, encoded_access_token, max_age, domain)
}

/** `set_refresh_cookies(response, encoded_refresh_token, max_age=None, domain=None)`. */
export function setRefreshCookies(
  response: CookieResponse,
  encoded_refresh_token: string,
  max_age: Py = null,
  domain: Py = null,
): void {
  setTokenCookies('refresh', response, encoded_refresh_token, max_age, domain)
}

/** `unset_access_cookies(response, domain=None)`: expires the access cookie (and its CSRF cookie). */
export function unsetAccessCookies(response: CookieResponse, domain: Py = null): void {
  setTokenCookies('access', response, null, null, domain)
}

/** `unset_refresh_cookies(response, domain=None)`. */
export function unsetRefreshCookies(response: CookieResponse, domain: Py = null): void {
  setTokenCookies('refresh', response, null, null, domain)
}

/** `unset_jwt_cookies(response, domain=None)`: both. */
export function unsetJwtCookies(response: CookieResponse, domain: Py = null): void {
  unsetAccessCookies(response, domain)
  unsetRefreshCookies(response, domain)
}
