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
 * Token locations: `headers`, `query_string` and `json`. `cookies` (and its CSRF double submit)
 * is not carried over: a token looked for there raises `JWTLocationNotMigrated` (a 500), and the
 * migration reports it. Asymmetric algorithms (RS*, ES*, PS*) are not carried over either.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import type { Context } from 'hono'
import { Exception, IndexError, RuntimeError } from './exceptions.js'
import {
  appConfigValue,
  currentContext,
  dumps,
  type ErrorHandlerEntry,
  type FlaskResponse,
  jsonify,
  request,
} from './flask.js'
import { PyTimeDelta } from './datetime.js'
import { loadsJson } from './json.js'
import { callWithKeywords, fromJs, Keywords, PyDict, takesKeywords, tuple, type Py } from './py.js'

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
/** A token location this service does not carry over (`cookies`): a loud 500, never a silent pass. */
export class JWTLocationNotMigrated extends RuntimeError {}

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

function identityClaim(): string {
  return stringSetting('JWT_IDENTITY_CLAIM', 'sub')
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
    messageResponse(`Error loading the user ${pyText(getItem(data, identityClaim()))}`, 401)
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

/** Claims or headers as JSON (Flask's JSON encoder, as Flask-JWT-Extended passes it to PyJWT). */
function encodeJson(value: PyDict): string {
  return dumps(value)
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
  const signingInput = `${base64url(encodeJson(header))}.${base64url(encodeJson(payload))}`
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
    if (Number(iat) > now + leeway)
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
    if (exp <= now - leeway) throw new ExpiredSignatureError('Signature has expired')
  }
  const issuer = setting('JWT_DECODE_ISSUER', null)
  if (issuer !== null && issuer !== undefined) {
    if (!payload.has('iss')) throw new MissingRequiredClaimError('iss')
    if (payload.get('iss') !== issuer) throw new InvalidIssuerError('Invalid issuer')
  }
  const audience = setting('JWT_DECODE_AUDIENCE', null)
  if (audience !== null && audience !== undefined) {
    const claim = payload.get('aud')
    if (claim === null || claim === '' || (Array.isArray(claim) && claim.length === 0))
      throw new MissingRequiredClaimError('aud')
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
 * claims, with `type`, `fresh` and `jti` filled in as it does; an expired token raises
 * `ExpiredSignatureError` carrying its header and claims.
 */
export function decodeJwt(token: string, allowExpired = false): PyDict {
  const unverifiedClaims = pyjwtDecode(token, '', { verify: false, verifyExp: false })
  const header = loadToken(token).header
  void unverifiedClaims
  const secret = secretKey()
  let claims: PyDict
  try {
    claims = pyjwtDecode(token, secret, { verify: true, verifyExp: !allowExpired })
  } catch (error) {
    if (error instanceof ExpiredSignatureError) {
      error.jwt_header = header
      error.jwt_data = decodeJwt(token, true)
    }
    throw error
  }
  const identity = identityClaim()
  if (!claims.has(identity)) throw new JWTDecodeError(`Missing claim: ${identity}`)
  if (!claims.has('type')) claims.set('type', 'access')
  if (!claims.has('fresh')) claims.set('fresh', false)
  if (!claims.has('jti')) claims.set('jti', null)
  return claims
}

interface TokenArguments {
  identity: Py
  fresh?: Py
  expires_delta?: Py
  additional_claims?: Py
  additional_headers?: Py
}

function createToken(tokenType: 'access' | 'refresh', args: TokenArguments): string {
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
  if (tokenLocations().includes('cookies') && setting('JWT_COOKIE_CSRF_PROTECT', true))
    payload.set('csrf', randomUUID())
  const audience = setting('JWT_ENCODE_AUDIENCE', null)
  if (audience) payload.set('aud', audience)
  const issuer = setting('JWT_ENCODE_ISSUER', null)
  if (issuer) payload.set('iss', issuer)
  if (expires) payload.set('exp', Math.floor(now + expires))
  for (const [key, value] of claims.items()) payload.set(key, value)
  return encodeToken(payload, secretKey(), algorithm(), headers)
}

function entriesOf(value: Py): [Py, Py][] {
  if (value instanceof PyDict) return [...value.items()] as [Py, Py][]
  return Object.entries(value as Record<string, Py>)
}

/**
 * `create_access_token(identity, fresh=False, expires_delta=None, additional_claims=None,
 * additional_headers=None)`, parameters in Python's order (undefined for one not given).
 */
export function createAccessToken(
  identity: Py,
  fresh: Py = false,
  expires_delta: Py = null,
  additional_claims: Py = null,
  additional_headers: Py = null,
): string {
  return createToken('access', {
    identity,
    fresh,
    expires_delta,
    additional_claims,
    additional_headers,
  })
}

/** `create_refresh_token(identity, expires_delta=None, additional_claims=None, additional_headers=None)`. */
export function createRefreshToken(
  identity: Py,
  expires_delta: Py = null,
  additional_claims: Py = null,
  additional_headers: Py = null,
): string {
  return createToken('refresh', {
    identity,
    fresh: false,
    expires_delta,
    additional_claims,
    additional_headers,
  })
}

/** `decode_token(encoded_token, csrf_value=None, allow_expired=False)` (a CSRF value is not carried over). */
export function decodeToken(
  encoded_token: string,
  csrf_value: Py = null,
  allow_expired: Py = false,
): PyDict {
  if (csrf_value !== null && csrf_value !== undefined)
    throw new JWTLocationNotMigrated(
      'decode_token(csrf_value=...) is not carried over to this service',
    )
  return decodeJwt(encoded_token, Boolean(allow_expired))
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
      if (location === 'headers') token = tokenFromHeaders(c)
      else if (location === 'query_string') token = tokenFromQueryString(c)
      else if (location === 'json') token = tokenFromJson(c, refresh)
      else if (location === 'cookies')
        throw new JWTLocationNotMigrated(
          'JWTs in cookies (JWT_TOKEN_LOCATION "cookies") are not carried over to this service',
        )
      else throw new RuntimeError(`'${location}' is not a valid location`)
      const claims = decodeJwt(token)
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

/** Flask-JWT-Extended 3's `@jwt_optional`: 4's `@jwt_required(optional=True)`. */
export const jwtOptional = verifying({ optional: true })
/** Flask-JWT-Extended 3's `@jwt_refresh_token_required`: 4's `@jwt_required(refresh=True)`. */
export const jwtRefreshTokenRequired = verifying({ refresh: true })
/** Flask-JWT-Extended 3's `@fresh_jwt_required`: 4's `@jwt_required(fresh=True)`. */
export const freshJwtRequired = verifying({ fresh: true })

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
  return getJwt(c).get(identityClaim(), null)
}

/** `get_jwt_request_location()`. */
export function getJwtRequestLocation(c: Context = currentContext()): string | null {
  return verified.get(c.req.raw)?.location ?? null
}

/** `get_current_user()` and `current_user`: what the user lookup loader returned. */
export function getCurrentUser(c: Context = currentContext()): Py {
  const state = requestJwt(c)
  if (state.user === null)
    throw new RuntimeError(
      'You must provide a `@jwt.user_lookup_loader` callback to use this method',
    )
  return state.user.loaded_user
}
