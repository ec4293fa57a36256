/**
 * Flask-WTF's CSRFProtect (src/emit/runtime/forms.ts CSRFProtect / initCsrf) against Debian's
 * python3-flaskext.wtf 1.1.1: the same requests, with the app's CSRF settings, get the same status
 * and body from a Flask app with CSRFProtect(app) and from the runtime's check — the methods of
 * WTF_CSRF_METHODS, WTF_CSRF_FIELD_NAME and WTF_CSRF_HEADERS, WTF_CSRF_CHECK_DEFAULT = False with
 * csrf.protect() in a view, WTF_CSRF_ENABLED = False, and on https the referrer checks of
 * WTF_CSRF_SSL_STRICT (missing referrer, another scheme, host or port) and without them.
 */
import { spawnSync } from 'node:child_process'
import { Hono } from 'hono'
import { afterAll, describe, expect, it } from 'vitest'
import { errorHandlers, request, requestHooks, useAppConfig, view, type AppEnv } from '../../src/emit/runtime/flask.js'
import { CSRFProtect, generateCsrf, initCsrf } from '../../src/emit/runtime/forms.js'
import { WerkzeugRouter } from '../../src/emit/runtime/router.js'

const python = '/usr/bin/python3'
const hasOracle = spawnSync(python, ['-c', 'import flask_wtf'], { stdio: 'ignore' }).status === 0
if (!hasOracle && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import flask_wtf, the oracle of test/runtime/csrf-protect.test.ts')

const SECRET = 'csrf-protect-secret'

interface Call {
  method: string
  path: string
  https?: boolean
  headers?: Record<string, string>
  form?: Record<string, string>
}

interface Case {
  name: string
  config: Record<string, unknown>
  calls: Call[]
}

/** `${TOKEN}` in a form value or a header: the token the side's last GET /token answered. */
const T = '${TOKEN}'

const CASES: Case[] = [
  {
    name: 'the defaults on http',
    config: {},
    calls: [
      { method: 'POST', path: '/submit' },
      { method: 'GET', path: '/token' },
      { method: 'POST', path: '/submit', form: { csrf_token: T } },
      { method: 'PUT', path: '/submit', headers: { 'X-CSRF-Token': T } },
      { method: 'PATCH', path: '/submit', headers: { 'X-CSRFToken': 'garbage' } },
      { method: 'DELETE', path: '/submit', form: { 'login-csrf_token': T } },
      { method: 'GET', path: '/submit' },
      { method: 'POST', path: '/manual' },
      { method: 'POST', path: '/nowhere' },
    ],
  },
  {
    name: 'https with WTF_CSRF_SSL_STRICT (the default): the referrer checks',
    config: {},
    calls: [
      { method: 'GET', path: '/token', https: true },
      { method: 'POST', path: '/submit', https: true },
      { method: 'POST', path: '/submit', https: true, form: { csrf_token: T } },
      { method: 'POST', path: '/submit', https: true, form: { csrf_token: T }, headers: { Referer: 'http://localhost/form' } },
      { method: 'POST', path: '/submit', https: true, form: { csrf_token: T }, headers: { Referer: 'https://localhost/form' } },
      { method: 'POST', path: '/submit', https: true, form: { csrf_token: T }, headers: { Referer: 'https://localhost:443/form' } },
      { method: 'POST', path: '/submit', https: true, form: { csrf_token: T }, headers: { Referer: 'https://other.example/form' } },
      { method: 'POST', path: '/submit', https: true, form: { csrf_token: T }, headers: { Referer: 'HTTPS://LocalHost/x?y=1' } },
      { method: 'POST', path: '/submit', https: true, form: { csrf_token: T }, headers: { Referer: 'localhost/form' } },
    ],
  },
  {
    name: 'https without WTF_CSRF_SSL_STRICT',
    config: { WTF_CSRF_SSL_STRICT: false },
    calls: [
      { method: 'GET', path: '/token', https: true },
      { method: 'POST', path: '/submit', https: true, form: { csrf_token: T } },
      { method: 'POST', path: '/submit', https: true, form: { csrf_token: T }, headers: { Referer: 'https://other.example/' } },
    ],
  },
  {
    name: 'WTF_CSRF_CHECK_DEFAULT = False with csrf.protect() in a view',
    config: { WTF_CSRF_CHECK_DEFAULT: false },
    calls: [
      { method: 'POST', path: '/submit' },
      { method: 'POST', path: '/manual' },
      { method: 'GET', path: '/token' },
      { method: 'POST', path: '/manual', form: { csrf_token: 'garbage' } },
      { method: 'POST', path: '/manual', headers: { 'X-CSRFToken': T } },
    ],
  },
  {
    name: 'WTF_CSRF_METHODS, WTF_CSRF_FIELD_NAME and WTF_CSRF_HEADERS of the app',
    config: { WTF_CSRF_METHODS: ['DELETE'], WTF_CSRF_FIELD_NAME: 'tok', WTF_CSRF_HEADERS: ['X-My-Token'] },
    calls: [
      { method: 'POST', path: '/submit' },
      { method: 'DELETE', path: '/submit' },
      { method: 'GET', path: '/token' },
      { method: 'DELETE', path: '/submit', form: { tok: T } },
      { method: 'DELETE', path: '/submit', form: { csrf_token: T } },
      { method: 'DELETE', path: '/submit', headers: { 'X-My-Token': T } },
      { method: 'DELETE', path: '/submit', headers: { 'X-CSRFToken': T } },
    ],
  },
  {
    name: 'WTF_CSRF_ENABLED = False',
    config: { WTF_CSRF_ENABLED: false },
    calls: [{ method: 'POST', path: '/submit' }, { method: 'DELETE', path: '/submit', headers: { 'X-CSRFToken': 'garbage' } }],
  },
]

const FLASK = `
import json, sys
from flask import Flask, request
from flask_wtf.csrf import CSRFProtect, generate_csrf

out = []
for case in json.load(sys.stdin):
    app = Flask(__name__)
    app.secret_key = ${JSON.stringify(SECRET)}
    app.config.update(case["config"])
    csrf = CSRFProtect(app)

    @app.route("/token")
    def token():
        return generate_csrf()

    @app.route("/submit", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def submit():
        return "ok " + request.method

    @app.route("/manual", methods=["POST"])
    def manual():
        csrf.protect()
        return "manual ok"

    client = app.test_client()
    token = ""
    answers = []
    for call in case["calls"]:
        headers = {key: value.replace("\${TOKEN}", token) for key, value in (call.get("headers") or {}).items()}
        form = {key: value.replace("\${TOKEN}", token) for key, value in (call.get("form") or {}).items()}
        r = client.open(call["path"], method=call["method"], headers=headers, data=form or None,
                        base_url="https://localhost" if call.get("https") else "http://localhost")
        body = r.get_data(as_text=True)
        if call["path"] == "/token":
            token = body
            body = "<token>"
        answers.append({"status": r.status_code, "body": body})
    out.append(answers)
print(json.dumps(out))
`

function flaskAnswers(): { status: number; body: string }[][] {
  const result = spawnSync(python, ['-c', FLASK], { input: JSON.stringify(CASES), encoding: 'utf8' })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as { status: number; body: string }[][]
}

/** The runtime's app for a case: CSRFProtect set up as the emitted app.ts sets it up (initCsrf before requestHooks). */
function serviceApp(): Hono<AppEnv> {
  const rules = [
    { rule: '/token', endpoint: 'token', methods: ['GET', 'HEAD', 'OPTIONS'] },
    { rule: '/submit', endpoint: 'submit', methods: ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] },
    { rule: '/manual', endpoint: 'manual', methods: ['OPTIONS', 'POST'] },
  ]
  const csrf = new CSRFProtect()
  const app = new Hono<AppEnv>({ router: new WerkzeugRouter(rules) })
  initCsrf(csrf)
  const onError = errorHandlers([])
  app.use(requestHooks({ errorHandler: onError }))
  app.onError(onError)
  app.get(
    '/token',
    view(() => generateCsrf()),
  )
  app.on(
    ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    '/submit',
    view((c) => `ok ${request(c).method}`),
  )
  app.post(
    '/manual',
    view(() => {
      csrf.protect()
      return 'manual ok'
    }),
  )
  return app
}

async function serviceAnswers(testCase: Case): Promise<{ status: number; body: string }[]> {
  useAppConfig({ SECRET_KEY: SECRET, ...testCase.config })
  const app = serviceApp()
  let session: string | null = null
  let token = ''
  const answers: { status: number; body: string }[] = []
  for (const call of testCase.calls) {
    const headers: Record<string, string> = Object.fromEntries(Object.entries(call.headers ?? {}).map(([key, value]) => [key, value.replace(T, token)]))
    if (session !== null) headers['Cookie'] = `session=${session}`
    const form = Object.entries(call.form ?? {}).map(([key, value]) => [key, value.replace(T, token)] as [string, string])
    if (form.length > 0) headers['Content-Type'] = 'application/x-www-form-urlencoded'
    const response = await app.request(`${call.https ? 'https' : 'http'}://localhost${call.path}`, {
      method: call.method,
      headers,
      ...(form.length > 0 ? { body: new URLSearchParams(form).toString() } : {}),
    })
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('session='))
    if (cookie !== undefined) session = cookie.split(';')[0]!.slice('session='.length)
    let body = await response.text()
    if (call.path === '/token') {
      token = body
      body = '<token>'
    }
    answers.push({ status: response.status, body })
  }
  return answers
}

describe.skipIf(!hasOracle)("CSRFProtect's check on the runtime and on Flask-WTF 1.1.1", () => {
  afterAll(() => useAppConfig(null))
  const expected = hasOracle ? flaskAnswers() : []

  it('Flask-WTF refuses what the cases mean to refuse (the oracle ran as intended)', () => {
    const bodies = expected.flat().map((answer) => answer.body)
    for (const reason of ['The CSRF token is missing.', 'The CSRF token is invalid.', 'The referrer header is missing.', 'The referrer does not match the host.'])
      expect(bodies.some((body) => body.includes(`<p>${reason}</p>`)), reason).toBe(true)
    expect(bodies).toContain('ok POST')
    expect(bodies).toContain('manual ok')
  })

  it.each(CASES.map((testCase, i) => [testCase.name, i] as const))('%s: the same statuses and bodies', async (_name, i) => {
    expect(await serviceAnswers(CASES[i]!)).toEqual(expected[i])
  })
})
