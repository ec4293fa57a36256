/**
 * Flask-Login (src/emit/runtime/login.ts) against Debian's python3-flask-login 0.6.2: the same
 * small app (users in a dict, login_view, login_message, refresh_view) runs on Flask's test client
 * and on the runtime through Hono, and its cookies cross both ways: the session Flask-Login writes
 * after login_user (_user_id, _fresh, _id) signs the user in on the other side, a remember_token
 * from one side restores the user on the other, logout clears both, and login_required /
 * fresh_login_required redirect with the same Location, flash and session keys.
 */
import { spawnSync } from 'node:child_process'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  errorHandlers,
  jsonify,
  kwargs,
  request,
  requestHooks,
  useAppConfig,
  view,
  decoratedView,
  currentContext,
  type AppEnv,
} from '../../src/emit/runtime/flask.js'
import { withKeywords, repr, PyDict, type Py } from '../../src/emit/runtime/py.js'
import { WerkzeugRouter } from '../../src/emit/runtime/router.js'
import { SessionSerializer } from '../../src/emit/runtime/session.js'
import {
  LoginManager,
  UserMixin,
  currentUser,
  decodeCookie,
  encodeCookie,
  freshLoginRequired,
  loginRequired,
  loginUser,
  logoutUser,
  useLoginUrlMap,
} from '../../src/emit/runtime/login.js'

const hasOracle =
  spawnSync('/usr/bin/python3', ['-c', 'import flask_login'], {
    stdio: 'ignore',
  }).status === 0
if (!hasOracle && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import flask_login, the oracle of test/runtime/login.test.ts')

const SECRET = 'login-secret-é'
const HEADERS = {
  'X-Forwarded-For': '10.0.0.1',
  'User-Agent': 'agent/1.0 "ü"',
}

const FLASK_APP = `
import json, sys
from flask import Flask, jsonify, request
from flask_login import LoginManager, UserMixin, current_user, login_required, fresh_login_required, login_user, logout_user
app = Flask(__name__)
app.secret_key = ${JSON.stringify(SECRET)}
lm = LoginManager(app)
lm.login_view = "login"
lm.login_message = "Sign in first."
lm.login_message_category = "warning"
lm.refresh_view = "login"
class User(UserMixin):
    def __init__(self, id, active=True):
        self.id = id
        self.active = active
    @property
    def is_active(self):
        return self.active
USERS = {"1": User(1), "2": User(2, active=False)}
@lm.user_loader
def load(uid):
    return USERS.get(uid)
@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return "login page"
    return jsonify(ok=login_user(USERS[request.args["id"]], remember=request.args.get("remember") == "1"))
@app.route("/me")
def me():
    return jsonify(auth=current_user.is_authenticated, anon=current_user.is_anonymous, id=current_user.get_id())
@app.route("/private/<int:n>")
@login_required
def private(n):
    return f"secret {n}"
@app.route("/fresh")
@fresh_login_required
def fresh():
    return "fresh"
@app.route("/logout")
def logout():
    logout_user()
    return "bye"

client = app.test_client(use_cookies=False)
out = []
for call in json.load(sys.stdin):
    cookies = "; ".join(f"{k}={v}" for k, v in call.get("cookies", {}).items())
    headers = dict(call["headers"], **({"Cookie": cookies} if cookies else {}))
    r = client.open(call["path"], method=call["method"], headers=headers)
    out.append({"status": r.status_code, "body": r.get_data(as_text=True), "location": r.headers.get("Location"), "vary": r.headers.get("Vary"), "set_cookie": r.headers.getlist("Set-Cookie")})
print(json.dumps(out))
`

interface Call {
  method: 'GET' | 'POST'
  path: string
  cookies?: Record<string, string>
}

interface Answer {
  status: number
  body: string
  location: string | null
  vary: string | null
  set_cookie: string[]
}

function flask(calls: Call[]): Answer[] {
  const input = JSON.stringify(calls.map((call) => ({ ...call, headers: HEADERS })))
  const result = spawnSync('/usr/bin/python3', ['-c', FLASK_APP], {
    input,
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as Answer[]
}

/** The same app on the runtime, written as the translator writes it. */
class User extends UserMixin {
  constructor(
    id: number,
    readonly active = true,
  ) {
    super()
    this['id'] = id
  }
  override get is_active(): Py {
    return this.active
  }
}
const USERS = new PyDict<string, User>([
  ['1', new User(1)],
  ['2', new User(2, false)],
])

function serviceApp(): Hono<AppEnv> {
  const rules = [
    {
      rule: '/login',
      endpoint: 'login',
      methods: ['GET', 'HEAD', 'OPTIONS', 'POST'],
    },
    { rule: '/me', endpoint: 'me', methods: ['GET', 'HEAD', 'OPTIONS'] },
    {
      rule: '/private/<int:n>',
      endpoint: 'private',
      methods: ['GET', 'HEAD', 'OPTIONS'],
    },
    { rule: '/fresh', endpoint: 'fresh', methods: ['GET', 'HEAD', 'OPTIONS'] },
    {
      rule: '/logout',
      endpoint: 'logout',
      methods: ['GET', 'HEAD', 'OPTIONS'],
    },
  ]
  const lm = new LoginManager()
  lm.login_view = 'login'
  lm.login_message = 'Sign in first.'
  lm.login_message_category = 'warning'
  lm.refresh_view = 'login'
  lm.userLoader((uid: Py) => USERS.get(uid))
  useLoginUrlMap(rules)
  const app = new Hono<AppEnv>({ router: new WerkzeugRouter(rules) })
  const onError = errorHandlers([])
  app.use(requestHooks({ errorHandler: onError }))
  app.onError(onError)
  app.on(
    ['GET', 'POST'],
    '/login',
    view((c) =>
      request(c).method === 'GET'
        ? 'login page'
        : jsonify(
            kwargs({
              ok: loginUser(USERS.getItem(String(request(c).args.get('id'))), request(c).args.get('remember') === '1'),
            }),
          ),
    ),
  )
  app.get(
    '/me',
    view(() => {
      const user = currentUser()
      return jsonify(
        kwargs({
          auth: user.is_authenticated,
          anon: user.is_anonymous,
          id: user.get_id(),
        }),
      )
    }),
  )
  app.get('/private/<int:n>', decoratedView(loginRequired(withKeywords('private', ['n'], 1, (n: Py): Py => `secret ${n}`))))
  app.get('/fresh', decoratedView(freshLoginRequired(withKeywords('fresh', [], 0, (): Py => 'fresh'))))
  app.get(
    '/logout',
    view(() => {
      void currentContext()
      logoutUser()
      return 'bye'
    }),
  )
  return app
}

let app: Hono<AppEnv>

async function service(calls: Call[]): Promise<Answer[]> {
  const answers: Answer[] = []
  for (const call of calls) {
    const cookies = Object.entries(call.cookies ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join('; ')
    const response = await app.request(call.path, {
      method: call.method,
      headers: { ...HEADERS, ...(cookies ? { Cookie: cookies } : {}) },
    })
    answers.push({
      status: response.status,
      body: await response.text(),
      location: response.headers.get('location'),
      vary: response.headers.get('vary'),
      set_cookie: response.headers.getSetCookie(),
    })
  }
  return answers
}

function cookieOf(answer: Answer, name: string): string | null {
  const header = answer.set_cookie.find((line) => line.startsWith(`${name}=`))
  return header === undefined ? null : header.split(';')[0]!.slice(name.length + 1)
}

/** The session a Set-Cookie carries, as Python's repr of the dict (keys sorted), or null. */
function sessionOf(answer: Answer): string | null {
  const cookie = cookieOf(answer, 'session')
  if (cookie === null) return null
  if (cookie === '') return ''
  const loaded = new SessionSerializer(SECRET).loads(cookie) as PyDict
  return repr(new PyDict([...loaded.items()].sort((a, b) => String(a[0]).localeCompare(String(b[0])))))
}

/** A Set-Cookie line without its Expires date (it depends on the clock) and without the value of a session cookie (signed with the time). */
function shape(answer: Answer): string[] {
  return answer.set_cookie.map((line) => line.replace(/; Expires=[^;]+/, '; Expires=…').replace(/^session=[^;]+/, 'session=…')).sort()
}

/** What both sides must agree on for one response. */
function observed(answer: Answer): object {
  return {
    status: answer.status,
    body: answer.body.trim(),
    location: answer.location,
    vary: answer.vary,
    cookies: shape(answer),
    session: sessionOf(answer),
    remember: cookieOf(answer, 'remember_token'),
  }
}

describe.skipIf(!hasOracle)('Flask-Login on the runtime and on Flask, cookies crossing both ways', () => {
  beforeAll(() => {
    useAppConfig({ SECRET_KEY: SECRET })
    app = serviceApp()
  })
  afterAll(() => useAppConfig(null))

  it('answers the same sequence of requests as Flask-Login, each side with its own cookies', async () => {
    const calls: Call[] = [
      { method: 'GET', path: '/me' },
      { method: 'GET', path: '/private/3?x=1&y=%2F' },
      { method: 'GET', path: '/fresh' },
      { method: 'POST', path: '/login?id=2' },
      { method: 'POST', path: '/login?id=1' },
      { method: 'POST', path: '/login?id=1&remember=1' },
    ]
    const theirs = flask(calls)
    const ours = await service(calls)
    expect(ours.map(observed)).toEqual(theirs.map(observed))
  })

  it("a session from Flask's login signs the user into the service, and the service's into Flask", async () => {
    const [flaskLogin] = flask([{ method: 'POST', path: '/login?id=1' }])
    const flaskSession = cookieOf(flaskLogin!, 'session')!
    const fromFlask: Call[] = [
      { method: 'GET', path: '/me', cookies: { session: flaskSession } },
      {
        method: 'GET',
        path: '/private/7',
        cookies: { session: flaskSession },
      },
      { method: 'GET', path: '/fresh', cookies: { session: flaskSession } },
    ]
    const ours = await service(fromFlask)
    expect(JSON.parse(ours[0]!.body)).toEqual({
      auth: true,
      anon: false,
      id: '1',
    })
    expect(ours.map(observed)).toEqual(flask(fromFlask).map(observed))

    const [serviceLogin] = await service([{ method: 'POST', path: '/login?id=1' }])
    const serviceSession = cookieOf(serviceLogin!, 'session')!
    const fromService: Call[] = [
      { method: 'GET', path: '/me', cookies: { session: serviceSession } },
      {
        method: 'GET',
        path: '/private/8',
        cookies: { session: serviceSession },
      },
    ]
    const theirs = flask(fromService)
    expect(JSON.parse(theirs[0]!.body)).toEqual({
      auth: true,
      anon: false,
      id: '1',
    })
    expect(theirs.map(observed)).toEqual((await service(fromService)).map(observed))
  })

  it('a remember_token from either side restores the user on the other (not fresh), and logout clears it on both', async () => {
    const [flaskLogin] = flask([{ method: 'POST', path: '/login?id=1&remember=1' }])
    const [serviceLogin] = await service([{ method: 'POST', path: '/login?id=1&remember=1' }])
    const flaskToken = cookieOf(flaskLogin!, 'remember_token')!
    expect(cookieOf(serviceLogin!, 'remember_token')).toBe(flaskToken)
    expect(decodeCookie(flaskToken)).toBe('1')
    const calls: Call[] = [
      { method: 'GET', path: '/me', cookies: { remember_token: flaskToken } },
      {
        method: 'GET',
        path: '/fresh',
        cookies: { remember_token: flaskToken },
      },
      {
        method: 'GET',
        path: '/private/1',
        cookies: { remember_token: flaskToken },
      },
      {
        method: 'GET',
        path: '/logout',
        cookies: { remember_token: flaskToken },
      },
      {
        method: 'GET',
        path: '/me',
        cookies: { remember_token: `1|${'0'.repeat(128)}` },
      },
    ]
    const ours = await service(calls)
    expect(JSON.parse(ours[0]!.body)).toEqual({
      auth: true,
      anon: false,
      id: '1',
    })
    expect(ours.map(observed)).toEqual(flask(calls).map(observed))
  })

  it('encodes the remember cookie as flask_login.utils.encode_cookie does', () => {
    const script = `
from flask import Flask
from flask_login.utils import encode_cookie
app = Flask(__name__)
app.secret_key = ${JSON.stringify(SECRET)}
with app.app_context():
    print(encode_cookie("42"), encode_cookie("é|x"))
`
    const result = spawnSync('/usr/bin/python3', ['-c', script], {
      encoding: 'utf8',
    })
    expect(result.stdout.trim()).toBe(`${encodeCookie('42')} ${encodeCookie('é|x')}`)
    expect(decodeCookie(encodeCookie('é|x'))).toBe('é|x')
  })
})
