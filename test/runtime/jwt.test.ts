/**
 * Flask-JWT-Extended on Hono (src/emit/runtime/jwt.ts) against Debian's Flask-JWT-Extended 4.4
 * (PyJWT 2.6): the same small API runs on both sides, every token either side issues is sent to
 * both, and each request must get the same status and JSON body (the default error callbacks'
 * messages included). Tokens the service issues also verify with jose, a third JOSE implementation.
 */
import { spawnSync } from 'node:child_process'
import { Hono } from 'hono'
import { jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorHandlers, jsonify, requestHooks, useAppConfig, view, type AppEnv } from '../../src/emit/runtime/flask.js'
import {
  JWTManager,
  createAccessToken,
  createRefreshToken,
  getCurrentUser,
  getJwt,
  getJwtIdentity,
  initJwt,
  jwtRequired,
} from '../../src/emit/runtime/jwt.js'
import { PyDict, PyTimeDelta } from '../../src/emit/runtime/py.js'
import { WerkzeugRouter } from '../../src/emit/runtime/router.js'

const hasExtension = spawnSync('/usr/bin/python3', ['-c', 'import flask_jwt_extended'], { stdio: 'ignore' }).status === 0
if (!hasExtension && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import flask_jwt_extended, the oracle of test/runtime/jwt.test.ts')

const SECRET = 'interop-jwt-secret'

/** The Flask side: one app, requests replayed through its test client; `mint` lines issue tokens. */
const FLASK_APP = `
import json, sys
from datetime import timedelta
from flask import Flask, jsonify, request
from flask_jwt_extended import (JWTManager, create_access_token, create_refresh_token, current_user,
    get_jwt, get_jwt_identity, jwt_required)

app = Flask(__name__)
app.config["JWT_SECRET_KEY"] = ${JSON.stringify(SECRET)}
app.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(minutes=5)
jwt = JWTManager(app)
USERS = {"alice": {"name": "Alice", "role": "admin"}, "bob": {"name": "Bob", "role": "member"}}

@jwt.user_lookup_loader
def load_user(header, data):
    return USERS.get(data["sub"])

def mint(kind, identity):
    if kind == "access":
        return create_access_token(identity=identity, additional_claims={"role": "admin", "n": 1})
    if kind == "fresh":
        return create_access_token(identity, fresh=True)
    if kind == "fresh-for":
        return create_access_token(identity, fresh=timedelta(minutes=10))
    if kind == "refresh":
        return create_refresh_token(identity=identity)
    if kind == "expired":
        return create_access_token(identity, expires_delta=timedelta(seconds=-30))
    if kind == "no-expiry":
        return create_access_token(identity, expires_delta=False)

@app.get("/protected")
@jwt_required()
def protected():
    claims = get_jwt()
    return jsonify(sub=get_jwt_identity(), role=claims.get("role"), n=claims.get("n"), type=claims["type"],
                   fresh=claims["fresh"], has_exp="exp" in claims, has_nbf="nbf" in claims)

@app.get("/optional")
@jwt_required(optional=True)
def optional():
    return jsonify(sub=get_jwt_identity(), claims=len(get_jwt()))

@app.post("/refresh")
@jwt_required(refresh=True)
def refresh():
    return jsonify(sub=get_jwt_identity(), type=get_jwt()["type"])

@app.get("/fresh")
@jwt_required(fresh=True)
def fresh():
    return jsonify(sub=get_jwt_identity())

@app.get("/me")
@jwt_required()
def me():
    return jsonify(user=current_user["name"])

client = app.test_client()
out = []
for line in json.load(sys.stdin):
    if "mint" in line:
        with app.app_context():
            out.append(mint(line["mint"], line["identity"]))
        continue
    response = client.open(line["path"], method=line.get("method", "GET"), headers=line.get("headers", {}))
    out.append({"status": response.status_code, "json": response.get_json(silent=True)})
print(json.dumps(out))
`

type Line = { mint: string; identity: string } | { path: string; method?: string; headers?: Record<string, string> }
type Answer = { status: number; json: unknown }

function flask(lines: Line[]): unknown[] {
  const result = spawnSync('/usr/bin/python3', ['-c', FLASK_APP], { input: JSON.stringify(lines), encoding: 'utf8' })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as unknown[]
}

const USERS = new PyDict<string, PyDict>([
  ['alice', new PyDict([['name', 'Alice'], ['role', 'admin']])],
  ['bob', new PyDict([['name', 'Bob'], ['role', 'member']])],
])

/** The same calls as the Flask side's mint(), as translated code makes them (Python's parameter order). */
function mint(kind: string, identity: string): string {
  switch (kind) {
    case 'access':
      return createAccessToken(identity, undefined, undefined, new PyDict<string, unknown>([['role', 'admin'], ['n', 1]]))
    case 'fresh':
      return createAccessToken(identity, true)
    case 'fresh-for':
      return createAccessToken(identity, new PyTimeDelta(0, 600))
    case 'refresh':
      return createRefreshToken(identity)
    case 'expired':
      return createAccessToken(identity, undefined, new PyTimeDelta(0, -30))
    case 'no-expiry':
      return createAccessToken(identity, undefined, false)
    default:
      throw new Error(kind)
  }
}

/** The same API on the runtime, as the generated app.ts and routes wire it. */
function serviceApp(): Hono<AppEnv> {
  const jwt = new JWTManager()
  jwt.user_lookup_loader((_header, data) => USERS.get(data.getItem('sub')))
  const rules = [
    { rule: '/protected', endpoint: 'protected', methods: ['GET', 'HEAD', 'OPTIONS'] },
    { rule: '/optional', endpoint: 'optional', methods: ['GET', 'HEAD', 'OPTIONS'] },
    { rule: '/refresh', endpoint: 'refresh', methods: ['POST', 'OPTIONS'] },
    { rule: '/fresh', endpoint: 'fresh', methods: ['GET', 'HEAD', 'OPTIONS'] },
    { rule: '/me', endpoint: 'me', methods: ['GET', 'HEAD', 'OPTIONS'] },
  ]
  const app = new Hono<AppEnv>({ router: new WerkzeugRouter(rules) })
  const onError = errorHandlers([...initJwt(jwt)])
  app.use(requestHooks({ errorHandler: onError }))
  app.onError(onError)
  // A view under a Python decorator: the decorator wraps the view function, Flask calls the result.
  const decorated = (decorator: (fn: () => unknown) => () => unknown, body: () => unknown) => view(() => decorator(body)())
  app.get(
    '/protected',
    decorated(jwtRequired(), () => {
      const claims = getJwt()
      return jsonify({ sub: getJwtIdentity(), role: claims.get('role'), n: claims.get('n'), type: claims.getItem('type'), fresh: claims.getItem('fresh'), has_exp: claims.has('exp'), has_nbf: claims.has('nbf') })
    }),
  )
  app.get('/optional', decorated(jwtRequired(true), () => jsonify({ sub: getJwtIdentity(), claims: getJwt().size })))
  app.post('/refresh', decorated(jwtRequired(undefined, undefined, true), () => jsonify({ sub: getJwtIdentity(), type: getJwt().getItem('type') })))
  app.get('/fresh', decorated(jwtRequired(undefined, true), () => jsonify({ sub: getJwtIdentity() })))
  app.get('/me', decorated(jwtRequired(), () => jsonify({ user: getCurrentUser().getItem('name') })))
  return app
}

const KINDS = ['access', 'fresh', 'fresh-for', 'refresh', 'expired', 'no-expiry']

/** Requests for one token: every route, with the token in the header as clients send it. */
function requestsWith(token: string): Line[] {
  const bearer = { Authorization: `Bearer ${token}` }
  return [
    { path: '/protected', headers: bearer },
    { path: '/optional', headers: bearer },
    { path: '/refresh', method: 'POST', headers: bearer },
    { path: '/fresh', headers: bearer },
    { path: '/me', headers: bearer },
  ]
}

/** Requests whose token is missing or malformed, each answered by a default error callback. */
function malformed(good: string): Line[] {
  const [header, payload, signature] = good.split('.') as [string, string, string]
  const authorization = [
    '',
    'Basic YWxpY2U6eA==',
    'Bearer',
    'Bearer a b',
    'Bearer abc',
    'Bearer a.b',
    'Bearer a.b.c',
    `Bearer ${header}.${payload}.${signature.slice(0, -3)}AAA`,
    `Bearer ${header}.${payload}`,
    `Bearer ${header}.e30.${signature}`,
    `Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.${payload}.`,
    `Bearer ${header}.bm90IGpzb24.${signature}`,
    `Token x, Bearer ${good}`,
    `Bearer ${good}, Bearer ${good}`,
  ]
  return authorization.flatMap((value): Line[] => [
    { path: '/protected', headers: value === '' ? {} : { Authorization: value } },
    { path: '/optional', headers: value === '' ? {} : { Authorization: value } },
  ])
}

async function service(app: Hono<AppEnv>, lines: Line[]): Promise<Answer[]> {
  const answers: Answer[] = []
  for (const line of lines) {
    if ('mint' in line) throw new Error('mint lines go to mint()')
    const response = await app.request(line.path, { method: line.method ?? 'GET', headers: line.headers ?? {} })
    const text = await response.text()
    let json: unknown = null
    try {
      json = JSON.parse(text)
    } catch {
      json = null
    }
    answers.push({ status: response.status, json })
  }
  return answers
}

describe.skipIf(!hasExtension)('Flask-JWT-Extended tokens between Flask and the service', () => {
  let app: Hono<AppEnv>
  beforeAll(() => {
    useAppConfig({ JWT_SECRET_KEY: SECRET, JWT_ACCESS_TOKEN_EXPIRES: new PyTimeDelta(0, 300) })
    app = serviceApp()
  })
  afterAll(() => useAppConfig(null))

  it('accepts the tokens Flask issues, and Flask accepts the ones the service issues, with the same answers', async () => {
    const identities = ['alice', 'bob', 'nobody']
    const flaskTokens = flask(KINDS.flatMap((kind) => identities.map((identity) => ({ mint: kind, identity })))) as string[]
    const serviceTokens = KINDS.flatMap((kind) => identities.map((identity) => mint(kind, identity)))
    const lines = [...flaskTokens, ...serviceTokens].flatMap(requestsWith)
    const expected = flask(lines) as Answer[]
    const actual = await service(app, lines)
    lines.forEach((line, i) => expect(actual[i], JSON.stringify(line)).toEqual(expected[i]))
    // The answers are not all one error: each route took some token and refused some.
    expect(expected.filter((answer) => answer.status === 200).length).toBeGreaterThan(20)
    expect(new Set(expected.map((answer) => answer.status))).toEqual(new Set([200, 401, 422]))
  })

  it('answers missing and malformed tokens with the default callbacks, as Flask does', async () => {
    const good = mint('access', 'alice')
    const lines = malformed(good)
    const expected = flask(lines) as Answer[]
    const actual = await service(app, lines)
    lines.forEach((line, i) => expect(actual[i], JSON.stringify(line)).toEqual(expected[i]))
    expect(expected.map((answer) => (answer.json as { msg?: string } | null)?.msg)).toContain('Signature verification failed')
  })

  it('issues tokens a third implementation (jose) verifies, with the claims Flask-JWT-Extended writes', async () => {
    const token = mint('access', 'alice')
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(SECRET), { algorithms: ['HS256'] })
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' })
    expect(Object.keys(payload).sort()).toEqual(['exp', 'fresh', 'iat', 'jti', 'n', 'nbf', 'role', 'sub', 'type'])
    expect(payload.exp! - payload.iat!).toBe(300)
  })
})
