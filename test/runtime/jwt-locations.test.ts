/**
 * Flask-JWT-Extended 4 on Hono (src/emit/runtime/jwt.ts) against Debian's Flask-JWT-Extended
 * 4.4.4: token locations and settings beyond test/runtime/jwt.test.ts's headers.
 *
 * test/runtime/jwt4/app.py has two apps, wired here as translated code wires them:
 * - `cookies`: JWT_TOKEN_LOCATION cookies, headers, query_string and json; set_access_cookies /
 *   set_refresh_cookies (max_age=, domain=), unset_jwt_cookies / unset_access_cookies; the CSRF
 *   double submit from the X-CSRF-TOKEN header or (JWT_CSRF_CHECK_FORM) the form; cookie
 *   settings (JWT_COOKIE_SECURE, JWT_COOKIE_SAMESITE, JWT_SESSION_COOKIE, JWT_REFRESH_COOKIE_PATH);
 *   JWT_QUERY_STRING_VALUE_PREFIX; @jwt_required(locations=[...]); get_jwt_request_location().
 * - `loaders`: every error loader of its own (expired, invalid, unauthorized, needs_fresh,
 *   revoked through token_in_blocklist_loader, user_lookup_error, token_verification_failed),
 *   additional_claims_loader, user_lookup_loader and current_user, and JWT_HEADER_NAME,
 *   JWT_HEADER_TYPE, JWT_ERROR_MESSAGE_KEY, JWT_IDENTITY_CLAIM, JWT_ENCODE/DECODE_AUDIENCE,
 *   JWT_ENCODE/DECODE_ISSUER, JWT_ALGORITHM (HS384), JWT_ENCODE_NBF and JWT_DECODE_LEEWAY.
 * Every step runs with the tokens Flask issued and with the ones the service issued; the answers
 * (status, JSON, Set-Cookie attributes) must be Flask's, and Flask answers the service's tokens
 * as its own.
 */
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, describe, expect, it } from 'vitest'
import { errorHandlers, jsonify, requestHooks, useAppConfig, view, type AppEnv, type FlaskResponse } from '../../src/emit/runtime/flask.js'
import {
  JWTManager,
  createAccessToken,
  createRefreshToken,
  getCurrentUser,
  getJwt,
  getJwtIdentity,
  getJwtRequestLocation,
  initJwt,
  jwtRequired,
  setAccessCookies,
  setRefreshCookies,
  unsetAccessCookies,
  unsetJwtCookies,
} from '../../src/emit/runtime/jwt.js'
import { PyDict, PyTimeDelta, tuple, type Py } from '../../src/emit/runtime/py.js'
import { WerkzeugRouter } from '../../src/emit/runtime/router.js'

const here = join(dirname(new URL(import.meta.url).pathname), 'jwt4')
const hasExtension = spawnSync('/usr/bin/python3', ['-c', 'import flask_jwt_extended'], { stdio: 'ignore' }).status === 0
if (!hasExtension && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import flask_jwt_extended, the oracle of test/runtime/jwt-locations.test.ts')
const SECRET = 'jwt4-locations-secret'

type AppName = 'cookies' | 'loaders'
type Step =
  | { app: AppName; mint: string; identity: string; as: string }
  | { app: AppName; path: string; method?: string; headers?: Record<string, string>; cookies?: Record<string, string>; query?: Record<string, string>; json?: unknown; form?: Record<string, string> }
  | { tokens: Record<string, string> }
interface CookiePart {
  name: string
  empty: boolean
  attributes: string
}
type Answer = { token: string } | { status: number; json: unknown; cookies: CookiePart[] } | Record<string, never>

const LOADER_KINDS = ['access', 'claims', 'fresh', 'fresh-for', 'stale', 'refresh', 'expired', 'expires']
const LOADER_IDENTITIES = ['alice', 'nobody', 'revoked']

function steps(): Step[] {
  const out: Step[] = []
  // Cookies, the CSRF double submit, the other locations.
  for (const kind of ['access', 'refresh', 'expired', 'fresh']) out.push({ app: 'cookies', mint: kind, identity: 'carol', as: `c-${kind}` })
  const access = { access_token_cookie: '${c-access}' }
  const csrf = { 'X-CSRF-TOKEN': '${csrf:c-access}' }
  out.push(
    { app: 'cookies', path: '/login', method: 'POST' },
    { app: 'cookies', path: '/login-short', method: 'POST' },
    { app: 'cookies', path: '/logout', method: 'POST' },
    { app: 'cookies', path: '/logout-access', method: 'POST' },
    { app: 'cookies', path: '/protected' },
    { app: 'cookies', path: '/optional' },
    { app: 'cookies', path: '/protected', cookies: access },
    { app: 'cookies', path: '/protected', method: 'POST', cookies: access },
    { app: 'cookies', path: '/protected', method: 'PUT', cookies: access, headers: { 'X-CSRF-TOKEN': 'forged' } },
    { app: 'cookies', path: '/protected', method: 'POST', cookies: access, headers: csrf },
    { app: 'cookies', path: '/protected', method: 'DELETE', cookies: access, headers: csrf },
    { app: 'cookies', path: '/protected', method: 'POST', cookies: access, form: { csrf_token: '${csrf:c-access}' } },
    { app: 'cookies', path: '/protected', method: 'POST', cookies: access, form: { csrf_token: 'forged' } },
    { app: 'cookies', path: '/optional', method: 'POST', cookies: access },
    { app: 'cookies', path: '/optional', method: 'POST', cookies: access, headers: csrf },
    { app: 'cookies', path: '/fresh', method: 'POST', cookies: { access_token_cookie: '${c-fresh}' }, headers: { 'X-CSRF-TOKEN': '${csrf:c-fresh}' } },
    { app: 'cookies', path: '/fresh', method: 'POST', cookies: access, headers: csrf },
    { app: 'cookies', path: '/refresh', method: 'POST', cookies: { refresh_token_cookie: '${c-refresh}' }, headers: { 'X-CSRF-TOKEN': '${csrf:c-refresh}' } },
    { app: 'cookies', path: '/refresh', method: 'POST', cookies: { refresh_token_cookie: '${c-refresh}' } },
    { app: 'cookies', path: '/refresh', method: 'POST', cookies: access, headers: csrf },
    { app: 'cookies', path: '/protected', method: 'POST', cookies: { access_token_cookie: '${c-refresh}' }, headers: { 'X-CSRF-TOKEN': '${csrf:c-refresh}' } },
    { app: 'cookies', path: '/protected', method: 'POST', cookies: { access_token_cookie: '${c-expired}' }, headers: { 'X-CSRF-TOKEN': '${csrf:c-expired}' } },
    { app: 'cookies', path: '/protected', headers: { Authorization: 'Bearer ${c-access}' } },
    { app: 'cookies', path: '/protected', method: 'POST', headers: { Authorization: 'Bearer ${c-access}' } },
    { app: 'cookies', path: '/protected', query: { jwt: 'Bearer ${c-access}' } },
    { app: 'cookies', path: '/protected', query: { jwt: '${c-access}' } },
    { app: 'cookies', path: '/protected', method: 'POST', json: { access_token: '${c-access}' } },
    { app: 'cookies', path: '/protected', method: 'POST', json: { refresh_token: '${c-access}' } },
    { app: 'cookies', path: '/refresh', method: 'POST', json: { refresh_token: '${c-refresh}' } },
    { app: 'cookies', path: '/headers-only', cookies: access },
    { app: 'cookies', path: '/headers-only', headers: { Authorization: 'Bearer ${c-access}' } },
  )
  // Error loaders and settings.
  for (const kind of LOADER_KINDS) for (const identity of LOADER_IDENTITIES) out.push({ app: 'loaders', mint: kind, identity, as: `${kind}-${identity}` })
  for (const kind of LOADER_KINDS)
    for (const identity of LOADER_IDENTITIES) {
      const auth = { 'X-Auth': `JWT \${${kind}-${identity}}` }
      out.push(
        { app: 'loaders', path: '/protected', headers: auth },
        { app: 'loaders', path: '/optional', headers: auth },
        { app: 'loaders', path: '/fresh', headers: auth },
        { app: 'loaders', path: '/refresh', method: 'POST', headers: auth },
        { app: 'loaders', path: '/me', headers: auth },
      )
    }
  for (const value of ['', 'Bearer ${access-alice}', 'JWT', 'JWT a b', 'JWT abc', 'JWT ${c-access}'])
    for (const path of ['/protected', '/optional']) out.push({ app: 'loaders', path, headers: value === '' ? {} : { 'X-Auth': value } })
  out.push({ app: 'loaders', path: '/protected', headers: { Authorization: 'Bearer ${access-alice}' } })
  // A token for the loaders app's audience, at the cookies app, which expects none (4.x does not check aud then).
  out.push({ app: 'cookies', path: '/protected', headers: { Authorization: 'Bearer ${access-alice}' } })
  return out
}

function flask(input: Step[]): Answer[] {
  const result = spawnSync('/usr/bin/python3', [join(here, 'app.py')], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as Answer[]
}

// ---------------------------------------------------------------------------------------------
// The service: app.py's apps as translated code wires them

const USERS = new PyDict<string, PyDict>([
  ['alice', new PyDict([['name', 'Alice']])],
  ['bob', new PyDict([['name', 'Bob']])],
  ['revoked', new PyDict([['name', 'Revoked']])],
])

const CONFIG: Record<AppName, Record<string, unknown>> = {
  cookies: {
    JWT_SECRET_KEY: SECRET,
    JWT_TOKEN_LOCATION: ['cookies', 'headers', 'query_string', 'json'],
    JWT_COOKIE_SECURE: true,
    JWT_COOKIE_SAMESITE: 'Lax',
    JWT_SESSION_COOKIE: false,
    JWT_CSRF_CHECK_FORM: true,
    JWT_QUERY_STRING_VALUE_PREFIX: 'Bearer ',
    JWT_ACCESS_COOKIE_PATH: '/',
    JWT_REFRESH_COOKIE_PATH: '/refresh',
  },
  loaders: {
    JWT_SECRET_KEY: SECRET,
    JWT_HEADER_NAME: 'X-Auth',
    JWT_HEADER_TYPE: 'JWT',
    JWT_ERROR_MESSAGE_KEY: 'error',
    JWT_IDENTITY_CLAIM: 'uid',
    JWT_ENCODE_AUDIENCE: 'svc',
    JWT_DECODE_AUDIENCE: 'svc',
    JWT_ENCODE_ISSUER: 'issuer',
    JWT_DECODE_ISSUER: 'issuer',
    JWT_ACCESS_TOKEN_EXPIRES: new PyTimeDelta(0, 300),
    JWT_ALGORITHM: 'HS384',
    JWT_ENCODE_NBF: false,
    JWT_DECODE_LEEWAY: 10,
  },
}

const json = (...pairs: [string, Py][]): FlaskResponse => jsonify(new PyDict<string, Py>(pairs))

function claimsView(): [string, Py][] {
  const claims = getJwt()
  const fresh = claims.get('fresh')
  return [
    ['identity', getJwtIdentity()],
    ['keys', [...claims.keys()].map(String).sort()],
    ['type', claims.get('type')],
    ['fresh', typeof fresh === 'number' ? (Number.isInteger(fresh) ? 'int' : 'float') : fresh],
    ['role', claims.get('role')],
    ['location', getJwtRequestLocation()],
    ['aud', claims.get('aud')],
    ['iss', claims.get('iss')],
  ]
}

interface ServiceApp {
  app: Hono<AppEnv>
  jwt: JWTManager
}

function serviceApp(name: AppName): ServiceApp {
  const jwt = new JWTManager()
  const routes: { rule: string; endpoint: string; methods: string[] }[] = []
  const views: [string, string[], () => Py][] = []
  const route = (path: string, methods: string[], body: () => Py): void => {
    routes.push({ rule: path, endpoint: path, methods: [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'] })
    views.push([path, methods, body])
  }
  if (name === 'loaders') {
    const data = (value: Py): PyDict => value as PyDict
    jwt.additional_claims_loader((identity) => new PyDict([['role', identity === 'alice' ? 'admin' : 'member']]))
    jwt.user_lookup_loader((_header, payload) => USERS.get(data(payload).getItem('uid') as string) ?? null)
    jwt.user_lookup_error_loader((_header, payload) => tuple(json(['lookup_failed', data(payload).getItem('uid')]), 404))
    jwt.token_in_blocklist_loader((_header, payload) => data(payload).getItem('uid') === 'revoked')
    jwt.revoked_token_loader((_header, payload) => tuple(json(['revoked', data(payload).getItem('uid')], ['type', data(payload).getItem('type')]), 403))
    jwt.expired_token_loader((header, payload) => tuple(json(['expired', data(payload).getItem('uid')], ['alg', data(header).getItem('alg')]), 419))
    jwt.invalid_token_loader((reason) => tuple(json(['invalid', reason]), 400))
    jwt.unauthorized_loader((reason) => tuple(json(['unauthorized', reason]), 403))
    jwt.needs_fresh_token_loader((_header, payload) => tuple(json(['stale', data(payload).getItem('uid')]), 428))
    jwt.token_verification_loader((_header, payload) => data(payload).get('role') !== 'banned')
    jwt.token_verification_failed_loader((_header, payload) => tuple(json(['banned', data(payload).getItem('uid')]), 451))
  }
  route('/login', ['POST'], () => {
    const response = json(['login', true])
    setAccessCookies(response, createAccessToken('alice', undefined, false))
    setRefreshCookies(response, createRefreshToken('alice', false))
    return response
  })
  route('/login-short', ['POST'], () => {
    const response = json(['login', true])
    setAccessCookies(response, createAccessToken('alice'), 60, 'example.org')
    return response
  })
  route('/logout', ['POST'], () => {
    const response = json(['logout', true])
    unsetJwtCookies(response)
    return response
  })
  route('/logout-access', ['POST'], () => {
    const response = json(['logout', true])
    unsetAccessCookies(response, 'example.org')
    return response
  })
  route('/protected', ['GET', 'POST', 'PUT', 'DELETE'], () => jwtRequired()(() => json(...claimsView()))())
  route('/optional', ['GET', 'POST'], () => jwtRequired(true)(() => json(...claimsView()))())
  route('/fresh', ['GET', 'POST'], () => jwtRequired(undefined, true)(() => json(...claimsView()))())
  route('/refresh', ['POST'], () => jwtRequired(undefined, undefined, true)(() => json(...claimsView()))())
  route('/headers-only', ['GET'], () => jwtRequired(undefined, undefined, undefined, ['headers'])(() => json(...claimsView()))())
  if (name === 'loaders') route('/me', ['GET'], () => jwtRequired()(() => json(['name', (getCurrentUser() as PyDict).getItem('name')]))())
  const app = new Hono<AppEnv>({ router: new WerkzeugRouter(routes) })
  const onError = errorHandlers([...initJwt(jwt)])
  app.use(requestHooks({ errorHandler: onError }))
  app.onError(onError)
  for (const [path, methods, body] of views) app.on(methods, path, view(() => body()))
  return { app, jwt }
}

function mint(kind: string, identity: string): string {
  switch (kind) {
    case 'access':
      return createAccessToken(identity, undefined, false)
    case 'claims':
      return createAccessToken(identity, undefined, false, new PyDict<string, Py>([['role', 'banned'], ['n', 1]]))
    case 'fresh':
      return createAccessToken(identity, true, false)
    case 'fresh-for':
      return createAccessToken(identity, new PyTimeDelta(3650), false)
    case 'stale':
      return createAccessToken(identity, new PyTimeDelta(0, -60), false)
    case 'refresh':
      return createRefreshToken(identity, false)
    case 'expired':
      return createAccessToken(identity, undefined, new PyTimeDelta(0, -30))
    case 'expires':
      return createAccessToken(identity)
    default:
      throw new Error(kind)
  }
}

const apps: Record<AppName, ServiceApp> = { cookies: serviceApp('cookies'), loaders: serviceApp('loaders') }

function activate(name: AppName): void {
  useAppConfig(CONFIG[name])
  initJwt(apps[name].jwt)
}

function csrfOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { csrf?: string }
  return payload.csrf ?? ''
}

function fill<T>(value: T, tokens: Record<string, string>): T {
  if (typeof value === 'string') return value.replace(/\$\{(csrf:)?([\w-]+)\}/g, (_, csrf: string | undefined, name: string) => (csrf ? csrfOf(tokens[name]!) : tokens[name]!)) as T
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, tokens)])) as T
  return value
}

function cookieParts(header: string): CookiePart {
  const eq = header.indexOf('=')
  const rest = header.slice(eq + 1)
  const semi = rest.indexOf(';')
  let attributes = semi < 0 ? '' : rest.slice(semi + 1).trim()
  if (!attributes.includes('Max-Age=0')) attributes = attributes.replace(/Expires=[^;]*/, 'Expires=<date>')
  return { name: header.slice(0, eq), empty: (semi < 0 ? rest : rest.slice(0, semi)) === '', attributes }
}

async function service(input: Step[], given: Record<string, string> | null): Promise<Answer[]> {
  const tokens: Record<string, string> = { ...(given ?? {}) }
  const out: Answer[] = []
  for (const step of input) {
    if ('tokens' in step) {
      Object.assign(tokens, step.tokens)
      out.push({})
      continue
    }
    activate(step.app)
    if ('mint' in step) {
      if (given === null) tokens[step.as] = mint(step.mint, step.identity)
      out.push({ token: tokens[step.as]! })
      continue
    }
    const headers: Record<string, string> = fill(step.headers ?? {}, tokens)
    const cookies = Object.entries(fill(step.cookies ?? {}, tokens))
    if (cookies.length > 0) headers['Cookie'] = cookies.map(([key, value]) => `${key}=${value}`).join('; ')
    let body: string | undefined
    if (step.json !== undefined) {
      body = JSON.stringify(fill(step.json, tokens))
      headers['Content-Type'] = 'application/json'
    }
    if (step.form !== undefined) {
      body = new URLSearchParams(fill(step.form, tokens)).toString()
      headers['Content-Type'] = 'application/x-www-form-urlencoded'
    }
    const query = new URLSearchParams(fill(step.query ?? {}, tokens)).toString()
    const response = await apps[step.app].app.request(`${step.path}${query ? `?${query}` : ''}`, { method: step.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}) })
    const text = await response.text()
    let parsed: unknown = null
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = null
    }
    out.push({ status: response.status, json: parsed, cookies: response.headers.getSetCookie().map(cookieParts) })
  }
  return out
}

describe.skipIf(!hasExtension)('Flask-JWT-Extended 4: cookies with CSRF, query string, JSON body, error loaders and JWT_* settings', () => {
  afterAll(() => useAppConfig(null))
  const all = steps()
  const expected = flask(all)
  const flaskTokens: Record<string, string> = {}
  all.forEach((step, i) => {
    if ('mint' in step) flaskTokens[step.as] = (expected[i] as { token: string }).token
  })

  it("answers Flask's tokens as Flask does", async () => {
    const actual = await service(all, flaskTokens)
    all.forEach((step, i) => {
      if (!('mint' in step)) expect(actual[i], JSON.stringify(step)).toEqual(expected[i])
    })
    const statuses = expected.flatMap((answer) => ('status' in answer ? [answer.status] : []))
    // Each loader of its own answered some request, and the defaults others.
    expect(new Set(statuses)).toEqual(new Set([200, 400, 401, 403, 404, 419, 422, 428, 451]))
    const messages = JSON.stringify(expected)
    for (const text of ['Missing CSRF token', 'CSRF double submit tokens do not match', 'Missing JWT in cookies, headers, query_string or json', 'The specified alg value is not allowed', "Expected the value to start with 'Bearer '"]) expect(messages.includes(text), text).toBe(true)
  })

  it("issues tokens Flask answers as its own, and answers them as Flask does", async () => {
    const actual = await service(all, null)
    const serviceTokens: Record<string, string> = {}
    all.forEach((step, i) => {
      if ('mint' in step) serviceTokens[step.as] = (actual[i] as { token: string }).token
      else expect(actual[i], JSON.stringify(step)).toEqual(expected[i])
    })
    const flaskOnServiceTokens = flask([{ tokens: serviceTokens }, ...all.filter((step) => !('mint' in step))])
    expect(flaskOnServiceTokens.slice(1)).toEqual(expected.filter((_, i) => !('mint' in all[i]!)))
  })
})
