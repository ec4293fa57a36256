/**
 * Flask-HTTPAuth and Flask-Bcrypt on Hono (src/emit/runtime/httpauth.ts, bcrypt.ts) against
 * Debian's python3-flask-httpauth and python3-flask-bcrypt: the same small API on both sides,
 * every request answered with the same status, body, Content-Type and WWW-Authenticate; bcrypt
 * hashes made by either side check on the other, at the app's cost and prefix.
 */
import { spawnSync } from 'node:child_process'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorHandlers, jsonify, requestHooks, useAppConfig, view, type AppEnv } from '../../src/emit/runtime/flask.js'
import { Bcrypt, checkPasswordHash } from '../../src/emit/runtime/bcrypt.js'
import { HTTPBasicAuth, HTTPTokenAuth, MultiAuth } from '../../src/emit/runtime/httpauth.js'
import { keywords, PyDict } from '../../src/emit/runtime/py.js'
import { WerkzeugRouter } from '../../src/emit/runtime/router.js'

const hasExtensions = spawnSync('/usr/bin/python3', ['-c', 'import flask_httpauth, flask_bcrypt'], { stdio: 'ignore' }).status === 0
if (!hasExtensions && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import flask_httpauth and flask_bcrypt, the oracles of test/runtime/httpauth.test.ts')

const FLASK_APP = `
import json, sys
from flask import Flask, jsonify
from flask_bcrypt import Bcrypt, check_password_hash
from flask_httpauth import HTTPBasicAuth, HTTPTokenAuth, MultiAuth

app = Flask(__name__)
app.config["BCRYPT_LOG_ROUNDS"] = 4
bcrypt = Bcrypt(app)
basic = HTTPBasicAuth(realm="demo")
token = HTTPTokenAuth(scheme="Token", realm="api")
plain = HTTPBasicAuth()
multi = MultiAuth(basic, token)
HASHES = {"ada": bcrypt.generate_password_hash("lovelace").decode(), "bob": bcrypt.generate_password_hash("bob's pässword").decode()}
ROLES = {"ada": ["admin", "user"], "bob": "user"}
TOKENS = {"t-ada": "ada", "t-bob": "bob"}

@basic.verify_password
def verify(username, password):
    if username in HASHES and bcrypt.check_password_hash(HASHES[username], password):
        return username

@basic.get_user_roles
def roles(user):
    return ROLES.get(user)

@token.verify_token
def verify_token(value):
    return TOKENS.get(value)

@token.error_handler
def token_error(status):
    return jsonify(error="token", status=status), status

@plain.get_password
def get_password(username):
    return {"carol": "secret"}.get(username)

@app.get("/basic")
@basic.login_required
def basic_view():
    return jsonify(user=basic.current_user(), name=basic.username())

@app.get("/admin")
@basic.login_required(role="admin")
def admin_view():
    return jsonify(user=basic.current_user())

@app.get("/both")
@basic.login_required(role=[["admin", "user"]])
def both_view():
    return jsonify(user=basic.current_user())

@app.get("/optional")
@basic.login_required(optional=True)
def optional_view():
    return jsonify(user=basic.current_user())

@app.get("/token")
@token.login_required
def token_view():
    return jsonify(user=token.current_user())

@app.get("/multi")
@multi.login_required
def multi_view():
    return jsonify(user=multi.current_user())

@app.get("/plain")
@plain.login_required
def plain_view():
    return jsonify(user=plain.current_user())

def hashes(command):
    if command["op"] == "hash":
        return bcrypt.generate_password_hash(command["password"], command.get("rounds"), command.get("prefix")).decode()
    return check_password_hash(command["hash"], command["password"])

client = app.test_client()
commands = json.load(sys.stdin)
out = []
for line in commands:
    if "op" in line:
        out.append(hashes(line))
        continue
    response = client.open(line["path"], method=line.get("method", "GET"), headers=line.get("headers", {}))
    out.append({"status": response.status_code, "body": response.get_data(as_text=True), "type": response.headers.get("Content-Type"),
                "www": response.headers.get("WWW-Authenticate")})
print(json.dumps(out))
`

type Line = { path: string; method?: string; headers?: Record<string, string> } | { op: 'hash'; password: string; rounds?: number; prefix?: string } | { op: 'check'; hash: string; password: string }

function flask(lines: Line[]): unknown[] {
  const result = spawnSync('/usr/bin/python3', ['-c', FLASK_APP], { input: JSON.stringify(lines), encoding: 'utf8' })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as unknown[]
}

const basicHeader = (credentials: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(credentials).toString('base64')}` })

function serviceApp(): Hono<AppEnv> {
  const bcrypt = new Bcrypt()
  const basic = new HTTPBasicAuth(null, 'demo')
  const token = new HTTPTokenAuth('Token', 'api')
  const plain = new HTTPBasicAuth()
  const multi = new MultiAuth(basic, token)
  const hashes = new PyDict<string, string>([
    ['ada', new TextDecoder().decode(bcrypt.generate_password_hash('lovelace'))],
    ['bob', new TextDecoder().decode(bcrypt.generate_password_hash("bob's pässword"))],
  ])
  const roles = new PyDict<string, unknown>([['ada', ['admin', 'user']], ['bob', 'user']])
  const tokens = new PyDict<string, string>([['t-ada', 'ada'], ['t-bob', 'bob']])
  basic.verify_password((username, password) => (hashes.has(username) && bcrypt.check_password_hash(hashes.getItem(username), password) ? username : null))
  basic.get_user_roles((user) => roles.get(user))
  token.verify_token((value) => tokens.get(value))
  token.error_handler((status) => Object.freeze([jsonify({ error: 'token', status }), status]))
  plain.get_password((username) => new PyDict([['carol', 'secret']]).get(username))

  // The decorators as translated code applies them: `@basic.login_required` gives the view to the bound method.
  type Decorator = (fn: () => unknown) => () => unknown
  const routes: [string, Decorator, () => unknown][] = [
    ['/basic', (fn) => basic.login_required(fn), () => jsonify({ user: basic.current_user(), name: basic.username() })],
    ['/admin', basic.login_required(keywords(['role', 'admin'])), () => jsonify({ user: basic.current_user() })],
    ['/both', basic.login_required(keywords(['role', [['admin', 'user']]])), () => jsonify({ user: basic.current_user() })],
    ['/optional', basic.login_required(keywords(['optional', true])), () => jsonify({ user: basic.current_user() })],
    ['/token', (fn) => token.login_required(fn), () => jsonify({ user: token.current_user() })],
    ['/multi', (fn) => multi.login_required(fn), () => jsonify({ user: multi.current_user() })],
    ['/plain', (fn) => plain.login_required(fn), () => jsonify({ user: plain.current_user() })],
  ]
  const app = new Hono<AppEnv>({ router: new WerkzeugRouter(routes.map(([rule]) => ({ rule, endpoint: rule.slice(1), methods: ['GET', 'HEAD', 'OPTIONS'] }))) })
  const onError = errorHandlers([])
  app.use(requestHooks({ errorHandler: onError }))
  app.onError(onError)
  for (const [rule, decorator, body] of routes) app.get(rule, view(() => decorator(body)()))
  return app
}

const REQUESTS: Line[] = ['/basic', '/admin', '/both', '/optional', '/token', '/multi', '/plain'].flatMap((path) => [
  { path },
  { path, headers: basicHeader('ada:lovelace') },
  { path, headers: basicHeader('ada:wrong') },
  { path, headers: basicHeader("bob:bob's pässword") },
  { path, headers: basicHeader('carol:secret') },
  { path, headers: basicHeader('nobody') },
  { path, headers: { Authorization: 'Basic !!!' } },
  // CPython's lenient base64: extra padding after a complete quad, padding inside, an unfinished quad.
  { path, headers: { Authorization: 'Basic YWRhOmxvdmVsYWNl=' } },
  { path, headers: { Authorization: 'Basic YWRhOmxv=dmVsYWNl' } },
  { path, headers: { Authorization: 'Basic YWRhOmxvdmVsYWNlYQ' } },
  { path, headers: { Authorization: 'Basic' } },
  { path, headers: { Authorization: 'Token t-ada' } },
  { path, headers: { Authorization: 'Token   t-bob' } },
  { path, headers: { Authorization: 'token t-bob' } },
  { path, headers: { Authorization: 'Token nope' } },
  { path, headers: { Authorization: 'Bearer t-ada' } },
  { path, method: 'OPTIONS' },
])

describe.skipIf(!hasExtensions)('Flask-HTTPAuth and Flask-Bcrypt against the real extensions', () => {
  let app: Hono<AppEnv>
  beforeAll(() => {
    useAppConfig({ BCRYPT_LOG_ROUNDS: 4 })
    app = serviceApp()
  })
  afterAll(() => useAppConfig(null))

  it('answers every request as Flask-HTTPAuth does (status, body, Content-Type, WWW-Authenticate)', async () => {
    const expected = flask(REQUESTS)
    for (const [i, line] of REQUESTS.entries()) {
      if ('op' in line) continue
      const response = await app.request(line.path, { method: line.method ?? 'GET', headers: line.headers ?? {} })
      const actual = { status: response.status, body: await response.text(), type: response.headers.get('Content-Type'), www: response.headers.get('WWW-Authenticate') }
      const wanted = expected[i] as typeof actual
      expect({ ...actual, body: actual.body.trim() }, JSON.stringify(line)).toEqual({ ...wanted, body: wanted.body.trim() })
    }
    const statuses = new Set((expected as { status: number }[]).map((answer) => answer.status))
    expect(statuses).toEqual(new Set([200, 401, 403]))
  })

  it('checks the hashes Flask-Bcrypt makes, and Flask-Bcrypt checks the ones made here', () => {
    const passwords = ['lovelace', "bob's pässword", 'x', 'a'.repeat(80)]
    const made = flask(passwords.flatMap((password) => [{ op: 'hash', password }, { op: 'hash', password, rounds: 5, prefix: '2a' }])) as string[]
    expect(made[0]).toMatch(/^\$2b\$04\$/)
    expect(made[1]).toMatch(/^\$2a\$05\$/)
    made.forEach((hash, i) => {
      expect(checkPasswordHash(hash, passwords[Math.floor(i / 2)]!)).toBe(true)
      expect(checkPasswordHash(hash, 'not it')).toBe(false)
    })
    useAppConfig({ BCRYPT_LOG_ROUNDS: 5, BCRYPT_HASH_PREFIX: '2a' })
    const ours = passwords.map((password) => new TextDecoder().decode(new Bcrypt().generate_password_hash(password)))
    useAppConfig({ BCRYPT_LOG_ROUNDS: 4 })
    expect(ours[0]).toMatch(/^\$2a\$05\$/)
    const checks = flask(ours.flatMap((hash, i) => [{ op: 'check', hash, password: passwords[i]! }, { op: 'check', hash, password: 'not it' }]))
    expect(checks).toEqual(ours.flatMap(() => [true, false]))
  })
})
