/**
 * Flask-JWT-Extended 3 on Hono (src/emit/runtime/jwt.ts after `initJwt3`) against the real
 * Flask-JWT-Extended 3.25.1 with PyJWT 1.7.1, the versions 3.x apps ran on.
 *
 * Neither is packaged by Debian nor part of this repository: test/runtime/jwt3/oracle.sh exports
 * both from their git histories into a folder given to Python as PYTHONPATH (JWT3_ORACLE_PATH,
 * default /tmp/jwt3oracle). When that folder imports, the test runs test/runtime/jwt3/app.py on
 * it LIVE; otherwise (CI) it compares with test/runtime/jwt3/recorded.json, the answers the same
 * app gave when recorded (`test/runtime/jwt3/record.sh`). Every test name says which.
 *
 * The two apps of app.py are wired here as translated code wires them: 3.x's names
 * (`@jwt_required` without parentheses, `@jwt_optional`, `@fresh_jwt_required`,
 * `@jwt_refresh_token_required`, `get_raw_jwt`, `get_jwt_claims`, `current_user`), its loaders
 * (`user_claims_loader`, `user_loader_callback_loader`, `claims_verification_loader`,
 * `token_in_blacklist_loader`, `expired_token_loader` with the token), tokens in headers, in
 * cookies with the CSRF double submit, in the query string and in a JSON body. The same steps
 * run with the tokens 3.x issued and with the ones the service issues; the answers must be 3.x's.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, describe, expect, it } from 'vitest'
import { errorHandlers, jsonify, requestHooks, useAppConfig, view, type AppEnv, type FlaskResponse } from '../../src/emit/runtime/flask.js'
import {
  JWTManager,
  createAccessToken,
  createRefreshToken,
  freshJwtRequired,
  getCurrentUser,
  getJwtClaims,
  getJwtIdentity,
  getRawJwt,
  initJwt3,
  jwtOptional,
  jwtRefreshTokenRequired,
  jwtRequiredBare,
  setAccessCookies,
  setRefreshCookies,
  unsetJwtCookies,
  verifyFreshJwtInRequest,
  verifyJwtInRequest,
  verifyJwtInRequestOptional,
  verifyJwtRefreshTokenInRequest,
} from '../../src/emit/runtime/jwt.js'
import { PyDict, PyTimeDelta, tuple, type Py } from '../../src/emit/runtime/py.js'
import { WerkzeugRouter } from '../../src/emit/runtime/router.js'

const here = join(dirname(new URL(import.meta.url).pathname), 'jwt3')
const ORACLE_PATH = process.env.JWT3_ORACLE_PATH ?? '/tmp/jwt3oracle'
const SECRET = 'jwt3-oracle-secret'
const live =
  existsSync(ORACLE_PATH) &&
  spawnSync('/usr/bin/python3', ['-c', 'import hmac, werkzeug.security as w; w.safe_str_cmp = hmac.compare_digest; import flask_jwt_extended as f, jwt; assert f.__version__.startswith("3.") and jwt.__version__.startswith("1.")'], { env: { ...process.env, PYTHONPATH: ORACLE_PATH }, stdio: 'ignore' }).status === 0
const mode = live ? `LIVE against Flask-JWT-Extended 3 at ${ORACLE_PATH}` : 'against the recording test/runtime/jwt3/recorded.json'

type AppName = 'headers' | 'cookies'
type Step =
  | { app: AppName; mint: string; identity: string; as: string }
  | { app: AppName; path: string; method?: string; headers?: Record<string, string>; cookies?: Record<string, string>; query?: Record<string, string>; json?: unknown }
  | { tokens: Record<string, string> }
interface CookiePart {
  name: string
  empty: boolean
  attributes: string
}
type Answer = { token: string } | { status: number; json: unknown; cookies: CookiePart[] } | Record<string, never>

// ---------------------------------------------------------------------------------------------
// The steps (the same for the oracle, the recording and the service)

const KINDS = ['access', 'claims', 'fresh', 'fresh-for', 'stale', 'refresh', 'expired', 'headers']
const IDENTITIES = ['alice', 'bob', 'nobody', 'revoked']

function steps(): Step[] {
  const out: Step[] = []
  for (const kind of KINDS) for (const identity of IDENTITIES) out.push({ app: 'headers', mint: kind, identity, as: `${kind}-${identity}` })
  for (const kind of KINDS)
    for (const identity of IDENTITIES) {
      const bearer = { Authorization: `Bearer \${${kind}-${identity}}` }
      out.push(
        { app: 'headers', path: '/protected', headers: bearer },
        { app: 'headers', path: '/optional', headers: bearer },
        { app: 'headers', path: '/fresh', headers: bearer },
        { app: 'headers', path: '/refresh', method: 'POST', headers: bearer },
        { app: 'headers', path: '/open', headers: bearer },
      )
    }
  // Missing and malformed headers: 3.x's messages, and @jwt_optional taking a malformed header as none.
  const good = '${access-alice}'
  for (const authorization of ['', 'Basic YWxpY2U6eA==', 'Bearer', 'Bearer a b', 'Bearer abc', 'Bearer a.b', 'Bearer a.b.c', `Token x, Bearer ${good}`, `Bearer ${good}, Bearer ${good}`, 'Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.e30.', 'bearer abc', `Bearer ${good}, `])
    for (const path of ['/protected', '/optional', '/open']) out.push({ app: 'headers', path, headers: authorization === '' ? {} : { Authorization: authorization } })
  out.push({ app: 'headers', path: '/protected', method: 'OPTIONS' })

  // Cookies with the CSRF double submit, the query string, a JSON body.
  for (const kind of ['access', 'refresh', 'expired']) out.push({ app: 'cookies', mint: kind, identity: 'carol', as: `c-${kind}` })
  const access = { access_token_cookie: '${c-access}' }
  out.push(
    { app: 'cookies', path: '/login', method: 'POST' },
    { app: 'cookies', path: '/logout', method: 'POST' },
    { app: 'cookies', path: '/protected' },
    { app: 'cookies', path: '/optional' },
    { app: 'cookies', path: '/optional', method: 'POST' },
    { app: 'cookies', path: '/protected', cookies: access },
    { app: 'cookies', path: '/protected', method: 'POST', cookies: access },
    { app: 'cookies', path: '/protected', method: 'POST', cookies: access, headers: { 'X-CSRF-TOKEN': '${csrf:c-access}' } },
    { app: 'cookies', path: '/protected', method: 'DELETE', cookies: access, headers: { 'X-CSRF-TOKEN': 'not-the-value' } },
    { app: 'cookies', path: '/optional', method: 'POST', cookies: access, headers: { 'X-CSRF-TOKEN': 'not-the-value' } },
    { app: 'cookies', path: '/optional', method: 'POST', cookies: access },
    { app: 'cookies', path: '/protected', method: 'POST', cookies: { access_token_cookie: '${c-refresh}' }, headers: { 'X-CSRF-TOKEN': '${csrf:c-refresh}' } },
    { app: 'cookies', path: '/refresh', method: 'POST', cookies: { refresh_token_cookie: '${c-refresh}' }, headers: { 'X-CSRF-TOKEN': '${csrf:c-refresh}' } },
    { app: 'cookies', path: '/refresh', method: 'POST', cookies: { refresh_token_cookie: '${c-refresh}' } },
    { app: 'cookies', path: '/protected', method: 'POST', cookies: { access_token_cookie: '${c-expired}' }, headers: { 'X-CSRF-TOKEN': '${csrf:c-expired}' } },
    { app: 'cookies', path: '/protected', query: { jwt: '${c-access}' } },
    { app: 'cookies', path: '/protected', method: 'POST', query: { jwt: '${c-access}' } },
    { app: 'cookies', path: '/protected', method: 'POST', json: { access_token: '${c-access}' } },
    { app: 'cookies', path: '/refresh', method: 'POST', json: { refresh_token: '${c-refresh}' } },
    { app: 'cookies', path: '/refresh', method: 'POST', json: { access_token: '${c-refresh}' } },
    // verify_jwt_in_request() and its 3.x variants, called in a view.
    { app: 'cookies', path: '/verify', query: { jwt: '${c-access}' } },
    { app: 'cookies', path: '/verify' },
    { app: 'cookies', path: '/verify-optional' },
    { app: 'cookies', path: '/verify-optional', method: 'POST', cookies: access },
    { app: 'cookies', path: '/verify-optional', method: 'POST', cookies: access, headers: { 'X-CSRF-TOKEN': '${csrf:c-access}' } },
    { app: 'cookies', path: '/verify-fresh', method: 'POST', json: { access_token: '${c-access}' } },
    { app: 'cookies', path: '/verify-refresh', method: 'POST', json: { refresh_token: '${c-refresh}' } },
    { app: 'cookies', path: '/verify-refresh', method: 'POST', json: { refresh_token: '${c-access}' } },
  )
  return out
}

// ---------------------------------------------------------------------------------------------
// The oracle

function oracle(input: Step[]): Answer[] {
  const result = spawnSync('/usr/bin/python3', [join(here, 'app.py')], { input: JSON.stringify(input), encoding: 'utf8', env: { ...process.env, PYTHONPATH: ORACLE_PATH }, maxBuffer: 64 * 1024 * 1024 })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as Answer[]
}

interface Recording {
  oracle: string
  steps: Step[]
  answers: Answer[]
}

function flaskAnswers(): Recording {
  const recordedFile = join(here, 'recorded.json')
  if (process.env.RECORD_JWT3 === '1' && !live) throw new Error(`RECORD_JWT3=1: the 3.x oracle does not import from ${ORACLE_PATH} (see test/runtime/jwt3/oracle.sh)`)
  if (!live) return JSON.parse(readFileSync(recordedFile, 'utf8')) as Recording
  const recording: Recording = { oracle: 'Flask-JWT-Extended 3.25.1 (217d9a9), PyJWT 1.7.1, Flask 2.2 (Debian)', steps: steps(), answers: [] }
  recording.answers = oracle(recording.steps)
  if (process.env.RECORD_JWT3 === '1') writeFileSync(recordedFile, `${JSON.stringify(recording, null, 1)}\n`)
  return recording
}

// ---------------------------------------------------------------------------------------------
// The service: app.py's two apps as translated code wires them

const USERS = new PyDict<string, PyDict>([
  ['alice', new PyDict([['name', 'Alice'], ['role', 'admin']])],
  ['bob', new PyDict([['name', 'Bob'], ['role', 'banned']])],
  ['revoked', new PyDict([['name', 'Revoked'], ['role', 'member']])],
])

const CONFIG: Record<AppName, Record<string, unknown>> = {
  headers: { JWT_SECRET_KEY: SECRET, JWT_BLACKLIST_ENABLED: true },
  cookies: { JWT_SECRET_KEY: SECRET, JWT_TOKEN_LOCATION: ['cookies', 'query_string', 'json'] },
}

function claimsView(): [string, Py][] {
  const raw = getRawJwt()
  const fresh = raw.get('fresh')
  return [
    ['identity', getJwtIdentity()],
    ['claims', getJwtClaims()],
    ['keys', [...raw.keys()].map(String).sort()],
    ['type', raw.get('type')],
    // Python's type name of a time until which the token is fresh (the JSON number of the runtime says int or float).
    ['fresh', typeof fresh === 'number' ? (Number.isInteger(fresh) ? 'int' : 'float') : fresh],
    ['has_exp', raw.has('exp')],
  ]
}

const json = (...pairs: [string, Py][]): FlaskResponse => jsonify(new PyDict<string, Py>(pairs))

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
  if (name === 'headers') {
    jwt.user_claims_loader((identity) => new PyDict([['role', (USERS.get(identity as string) ?? new PyDict()).get('role', 'guest')]]))
    jwt.user_loader_callback_loader((identity) => USERS.get(identity as string) ?? null)
    jwt.claims_verification_loader((userClaims) => (userClaims as PyDict).get('role') !== 'banned')
    jwt.token_in_blacklist_loader((token) => (token as PyDict).getItem('identity') === 'revoked')
    jwt.expired_token_loader((token) => tuple(json(['expired', (token as PyDict).getItem('identity')], ['type', (token as PyDict).getItem('type')]), 401))
    route('/protected', ['GET'], jwtRequiredBare(() => json(['user', (getCurrentUser() as PyDict).getItem('name')], ...claimsView())))
    route('/optional', ['GET'], jwtOptional(() => {
      const user = getCurrentUser() as PyDict | null
      return json(['user', user === null ? null : user.getItem('name')], ...claimsView())
    }))
    route('/fresh', ['GET'], freshJwtRequired(() => json(...claimsView())))
    route('/refresh', ['POST'], jwtRefreshTokenRequired(() => json(['access', createAccessToken(getJwtIdentity(), undefined, undefined, undefined, undefined).length > 0], ...claimsView())))
    route('/open', ['GET'], () => json(['identity', getJwtIdentity()], ['raw', getRawJwt()], ['claims', getJwtClaims()]))
  } else {
    route('/login', ['POST'], () => {
      const response = json(['login', true])
      setAccessCookies(response, createAccessToken('alice', undefined, false))
      setRefreshCookies(response, createRefreshToken('alice', false))
      return response
    })
    route('/logout', ['POST'], () => {
      const response = json(['logout', true])
      unsetJwtCookies(response)
      return response
    })
    route('/protected', ['GET', 'POST', 'DELETE'], jwtRequiredBare(() => json(...claimsView())))
    route('/optional', ['GET', 'POST'], jwtOptional(() => json(...claimsView())))
    route('/refresh', ['POST'], jwtRefreshTokenRequired(() => json(...claimsView())))
    route('/verify', ['GET', 'POST'], () => {
      verifyJwtInRequest()
      return json(...claimsView())
    })
    route('/verify-optional', ['GET', 'POST'], () => {
      verifyJwtInRequestOptional()
      return json(...claimsView())
    })
    route('/verify-fresh', ['POST'], () => {
      verifyFreshJwtInRequest()
      return json(...claimsView())
    })
    route('/verify-refresh', ['POST'], () => {
      verifyJwtRefreshTokenInRequest()
      return json(...claimsView())
    })
  }
  const app = new Hono<AppEnv>({ router: new WerkzeugRouter(routes) })
  const onError = errorHandlers([...initJwt3(jwt)])
  app.use(requestHooks({ errorHandler: onError }))
  app.onError(onError)
  for (const [path, methods, body] of views) app.on(methods, path, view(() => body()))
  return { app, jwt }
}

/** The same calls as app.py's mint(), as translated 3.x code makes them (Python's parameter order). */
function mint(kind: string, identity: string): string {
  switch (kind) {
    case 'access':
      return createAccessToken(identity, undefined, false)
    case 'claims':
      return createAccessToken(identity, false, false, new PyDict<string, Py>([['role', 'editor'], ['n', 1]]))
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
    case 'headers':
      return createAccessToken(identity, undefined, false, undefined, undefined, undefined, new PyDict([['kid', 'k1']]))
    default:
      throw new Error(kind)
  }
}

const apps: Record<AppName, ServiceApp> = { headers: serviceApp('headers'), cookies: serviceApp('cookies') }

/** Makes `name` the app the runtime serves (its config and its manager), as its own process would. */
function activate(name: AppName): void {
  useAppConfig(CONFIG[name])
  initJwt3(apps[name].jwt)
}

function csrfOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { csrf?: string }
  return payload.csrf ?? ''
}

function fill<T>(value: T, tokens: Record<string, string>): T {
  if (typeof value === 'string') return value.replace(/\$\{(csrf:)?([\w-]+)\}/g, (_, csrf: string | undefined, name: string) => (csrf ? csrfOf(tokens[name]!) : tokens[name]!)) as T
  if (Array.isArray(value)) return value.map((item) => fill(item, tokens)) as T
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, tokens)])) as T
  return value
}

function cookieParts(header: string): CookiePart {
  const eq = header.indexOf('=')
  const rest = header.slice(eq + 1)
  const semi = rest.indexOf(';')
  return { name: header.slice(0, eq), empty: (semi < 0 ? rest : rest.slice(0, semi)) === '', attributes: semi < 0 ? '' : rest.slice(semi + 1).trim() }
}

/** Runs the steps on the service; mint steps issue the service's own tokens unless `given` has them. */
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

function describeStep(step: Step): string {
  return JSON.stringify(step)
}

/** A token's header and its claims with the values that differ on every issue (times, jti, csrf) left out. */
function layout(token: string): { header: unknown; keys: string[]; stable: Record<string, unknown> } {
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>) as [Record<string, unknown>, Record<string, unknown>]
  const stable = Object.fromEntries(Object.entries(payload).map(([key, value]) => [key, key === 'fresh' && typeof value === 'number' ? `int: ${Number.isInteger(value)}` : value]).filter(([key]) => !['iat', 'nbf', 'jti', 'exp', 'csrf'].includes(key as string)))
  return { header, keys: Object.keys(payload), stable }
}

describe('Flask-JWT-Extended 3 names and semantics on the service', () => {
  const recording = flaskAnswers()
  afterAll(() => useAppConfig(null))

  it(`the steps are the recorded ones (${mode})`, () => {
    expect(recording.steps).toEqual(steps())
    expect(recording.answers).toHaveLength(recording.steps.length)
  })

  it(`answers 3.x's tokens as 3.x does (${mode})`, async () => {
    const flaskTokens: Record<string, string> = {}
    recording.steps.forEach((step, i) => {
      if ('mint' in step) flaskTokens[step.as] = (recording.answers[i] as { token: string }).token
    })
    const actual = await service(recording.steps, flaskTokens)
    recording.steps.forEach((step, i) => {
      if (!('mint' in step)) expect(actual[i], describeStep(step)).toEqual(recording.answers[i])
    })
    // Not all one answer: each route took some token and refused others, with several callbacks.
    const statuses = recording.answers.flatMap((answer) => ('status' in answer ? [answer.status] : []))
    expect(new Set(statuses)).toEqual(new Set([200, 400, 401, 422, 500]))
    expect(recording.answers.filter((answer) => 'json' in answer && JSON.stringify(answer.json).includes('Bad Authorization header')).length).toBeGreaterThan(3)
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(30)
  })

  it(`issues tokens laid out as 3.x's, which get 3.x's answers (${mode})`, async () => {
    const actual = await service(recording.steps, null)
    const serviceTokens: Record<string, string> = {}
    recording.steps.forEach((step, i) => {
      if (!('mint' in step)) {
        expect(actual[i], describeStep(step)).toEqual(recording.answers[i])
        return
      }
      const token = (actual[i] as { token: string }).token
      serviceTokens[step.as] = token
      expect(layout(token), `${step.mint} ${step.identity}`).toEqual(layout((recording.answers[i] as { token: string }).token))
    })
    if (!live) return
    // Live: 3.x itself answers the service's tokens as it answers its own.
    const withServiceTokens = oracle([{ tokens: serviceTokens }, ...recording.steps.filter((step) => !('mint' in step))])
    const expected = recording.answers.filter((_, i) => !('mint' in recording.steps[i]!))
    expect(withServiceTokens.slice(1)).toEqual(expected)
  })
})
