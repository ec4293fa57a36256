/**
 * Session cookies cross between the Flask app and its migrated service (issue 10): the
 * fixtures/session-flash-static app runs on Debian's Flask (its test client, /usr/bin/python3)
 * and as the generated service (built and started); a cookie one side sets is sent to the other,
 * which must read the same session (user, permanent flag, a tuple, flashed messages, a counter),
 * and a tampered cookie is an empty session on both.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'
import { buildService, installDependencies, startService, type RunningService } from '../../src/verify/service.js'

const repo = join(dirname(new URL(import.meta.url).pathname), '..', '..')
const fixture = join(repo, 'fixtures', 'session-flash-static', 'input')
const SECRET = 'interop-secret'
const hasFlask = spawnSync('/usr/bin/python3', ['-c', 'import flask'], { stdio: 'ignore' }).status === 0
if (!hasFlask && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import Flask, the oracle of test/runtime/session-interop.test.ts')

interface Call {
  method?: string
  path: string
  json?: unknown
  cookie?: string | null
}

interface Answer {
  status: number
  json: unknown
  /** The session cookie the response set ('' when it cleared it), or null when it set none. */
  cookie: string | null
}

const FLASK_CLIENT = `
import json, os, sys
sys.path.insert(0, sys.argv[1])
from wsgi import app
client = app.test_client(use_cookies=False)
out = []
for call in json.load(sys.stdin):
    headers = {"Cookie": "session=" + call["cookie"]} if call.get("cookie") else {}
    kwargs = {"json": call["json"]} if "json" in call else {}
    response = client.open(call["path"], method=call.get("method", "GET"), headers=headers, **kwargs)
    cookie = None
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("session="):
            cookie = header.split(";", 1)[0][len("session="):]
    out.append({"status": response.status_code, "json": response.get_json(silent=True), "cookie": cookie})
print(json.dumps(out))
`

function flask(calls: Call[]): Answer[] {
  const result = spawnSync('/usr/bin/python3', ['-c', FLASK_CLIENT, fixture], { input: JSON.stringify(calls), encoding: 'utf8', env: { ...process.env, SECRET_KEY: SECRET } })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as Answer[]
}

let service: RunningService | null = null
const outRoot = mkdtempSync(join(tmpdir(), 'session-interop-'))

async function call(request: Call): Promise<Answer> {
  const response = await fetch(`${service!.baseUrl}${request.path}`, {
    method: request.method ?? 'GET',
    headers: { ...(request.cookie ? { Cookie: `session=${request.cookie}` } : {}), ...(request.json !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(request.json !== undefined ? { body: JSON.stringify(request.json) } : {}),
  })
  const text = await response.text()
  const setCookie = response.headers.getSetCookie().find((header) => header.startsWith('session='))
  let json: unknown = null
  try {
    json = JSON.parse(text)
  } catch {
    json = null
  }
  return { status: response.status, json, cookie: setCookie === undefined ? null : setCookie.split(';')[0]!.slice('session='.length) }
}

describe.skipIf(!hasFlask)('session cookies between the Flask app and the migrated service', () => {
  beforeAll(async () => {
    const result = await runPipeline({ input: fixture }, await defaultStages())
    if (!result.ok) throw new Error(result.error.message)
    const dir = join(outRoot, 'service')
    for (const [path, content] of [...result.result.files, ...result.result.emitted.assets]) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), content)
    }
    const installed = installDependencies(dir, join(repo, 'node_modules'))
    if (!installed.ok) throw new Error(installed.message)
    const built = buildService(dir)
    if (!built.ok) throw new Error(built.message)
    const started = await startService(dir, 60_000, { SECRET_KEY: SECRET })
    if (!started.ok) throw new Error(started.message)
    service = started.value
  }, 300_000)

  afterAll(async () => {
    await service?.stop()
    rmSync(outRoot, { recursive: true, force: true })
  })

  it("the service reads the session Flask set after a login (user, permanent, a tuple), and Flask reads the service's", async () => {
    const [login] = flask([{ method: 'POST', path: '/login', json: { username: 'ada', password: 'lovelace', remember: true } }])
    expect(login!.status).toBe(200)
    const me = await call({ path: '/me', cookie: login!.cookie })
    expect(me.status).toBe(200)
    expect(me.json).toEqual({ user: 'ada', permanent: true, keys: ['_flashes', '_permanent', 'cart', 'user'], cart: ['apple', 2] })

    const serviceLogin = await call({ method: 'POST', path: '/login', json: { username: 'ada', password: 'lovelace' } })
    expect(serviceLogin.status).toBe(200)
    const [flaskMe, flaskMessages] = flask([
      { path: '/me', cookie: serviceLogin.cookie },
      { path: '/messages', cookie: serviceLogin.cookie },
    ])
    expect(flaskMe).toMatchObject({ status: 200, json: { user: 'ada', permanent: false, cart: ['apple', 2] } })
    expect(flaskMessages!.json).toEqual({ all: [['message', 'Welcome back, ada']], errors: [] })
  })

  it('flashed messages and a counter carry over in both directions', async () => {
    const [failed] = flask([{ method: 'POST', path: '/login', json: { username: 'ada', password: 'nope' } }])
    const messages = await call({ path: '/messages', cookie: failed!.cookie })
    expect(messages.json).toEqual({ all: [['error', 'Invalid credentials']], errors: ['Invalid credentials'] })
    // Taking the messages emptied the session: the service deletes the cookie, as Flask would.
    expect(messages.cookie).toBe('')

    const [one, two] = flask([{ path: '/counter' }, { path: '/counter', cookie: null }])
    expect(two!.json).toEqual({ visits: 1 })
    const three = await call({ path: '/counter', cookie: one!.cookie })
    expect(three.json).toEqual({ visits: 2 })
    const [four] = flask([{ path: '/counter', cookie: three.cookie }])
    expect(four!.json).toEqual({ visits: 3 })
    const five = await call({ path: '/counter', cookie: four!.cookie })
    expect(five.json).toEqual({ visits: 4 })
  })

  it('a tampered or foreign cookie is an empty session on both sides', async () => {
    const [login] = flask([{ method: 'POST', path: '/login', json: { username: 'ada', password: 'lovelace' } }])
    const cookie = login!.cookie!
    const tampered = `${cookie.slice(0, 10)}${cookie[10] === 'A' ? 'B' : 'A'}${cookie.slice(11)}`
    expect((await call({ path: '/me', cookie: tampered })).status).toBe(401)
    expect(flask([{ path: '/me', cookie: tampered }])[0]!.status).toBe(401)
    const foreign = spawnSync('/usr/bin/python3', ['-c', 'from flask import Flask; app = Flask("x"); app.secret_key = "other"; print(app.session_interface.get_signing_serializer(app).dumps({"user": "ada"}))'], { encoding: 'utf8' }).stdout.trim()
    expect((await call({ path: '/me', cookie: foreign })).status).toBe(401)
    expect(flask([{ path: '/me', cookie: foreign }])[0]!.status).toBe(401)
  })
})
