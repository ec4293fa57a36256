/**
 * Flask-Login between the Flask app and its migrated service, both running (issue 10): the
 * fixtures/flask-login-users app (users in a dict, so no data layer) runs on Debian's Flask and
 * Flask-Login (its test client, /usr/bin/python3) and as the generated service (built and
 * started). A session cookie from a login on one side signs the user in on the other, a
 * remember_token alone restores the user there (not fresh), and a logout on one side leaves a
 * cookie the other reads as signed out.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'
import { buildService, installDependencies, startService, type RunningService } from '../../src/verify/service.js'

const repo = join(dirname(new URL(import.meta.url).pathname), '..', '..')
const fixture = join(repo, 'fixtures', 'flask-login-users', 'input')
const SECRET = 'interop-login-secret'
const AGENT = 'interop-agent/1.0'
const hasOracle = spawnSync('/usr/bin/python3', ['-c', 'import flask_login'], { stdio: 'ignore' }).status === 0
if (!hasOracle && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import flask_login, the oracle of test/runtime/login-interop.test.ts')

interface Call {
  method?: string
  path: string
  form?: Record<string, string>
  cookies?: Record<string, string>
}

interface Answer {
  status: number
  body: string
  location: string | null
  /** Cookies the response set, by name ('' when it deleted one). */
  cookies: Record<string, string>
}

const FLASK_CLIENT = `
import json, sys
sys.path.insert(0, sys.argv[1])
from app import app
app.config["SECRET_KEY"] = ${JSON.stringify(SECRET)}
client = app.test_client(use_cookies=False)
out = []
for call in json.load(sys.stdin):
    headers = {"User-Agent": ${JSON.stringify(AGENT)}}
    if call.get("cookies"):
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in call["cookies"].items())
    r = client.open(call["path"], method=call.get("method", "GET"), headers=headers, data=call.get("form"))
    cookies = {}
    for header in r.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        cookies[name] = rest.split(";", 1)[0]
    out.append({"status": r.status_code, "body": r.get_data(as_text=True), "location": r.headers.get("Location"), "cookies": cookies})
print(json.dumps(out))
`

function flask(calls: Call[]): Answer[] {
  const result = spawnSync('/usr/bin/python3', ['-c', FLASK_CLIENT, fixture], { input: JSON.stringify(calls), encoding: 'utf8' })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as Answer[]
}

let service: RunningService | null = null
const outRoot = mkdtempSync(join(tmpdir(), 'login-interop-'))

async function call(request: Call): Promise<Answer> {
  const headers: Record<string, string> = { 'User-Agent': AGENT }
  if (request.cookies)
    headers['Cookie'] = Object.entries(request.cookies)
      .map(([key, value]) => `${key}=${value}`)
      .join('; ')
  if (request.form) headers['Content-Type'] = 'application/x-www-form-urlencoded'
  const response = await fetch(`${service!.baseUrl}${request.path}`, {
    method: request.method ?? 'GET',
    headers,
    redirect: 'manual',
    ...(request.form ? { body: new URLSearchParams(request.form).toString() } : {}),
  })
  const cookies: Record<string, string> = {}
  for (const header of response.headers.getSetCookie()) {
    const eq = header.indexOf('=')
    cookies[header.slice(0, eq)] = header.slice(eq + 1).split(';')[0]!
  }
  const location = response.headers.get('location')
  return {
    status: response.status,
    body: await response.text(),
    location: location === null ? null : location.replace(service!.baseUrl, 'http://localhost'),
    cookies,
  }
}

describe.skipIf(!hasOracle)('Flask-Login cookies between the Flask app and the migrated service', () => {
  beforeAll(async () => {
    const result = await runPipeline({ input: fixture }, await defaultStages())
    if (!result.ok) throw new Error(result.error.message)
    expect(result.result.report.summary.stubbed).toBe(0)
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

  it('a login on Flask signs the user into the service, and a login on the service into Flask', async () => {
    const [login] = flask([{ method: 'POST', path: '/login', form: { id: '1' } }])
    expect(login!.status).toBe(302)
    const session = login!.cookies['session']!
    expect(JSON.parse((await call({ path: '/me', cookies: { session } })).body)).toEqual({ id: '1', name: 'ada' })
    expect(await call({ path: '/private', cookies: { session } })).toMatchObject({ status: 200, body: 'hello ada' })
    expect(await call({ path: '/settings/4', cookies: { session } })).toMatchObject({ status: 200 })

    const serviceLogin = await call({ method: 'POST', path: '/login', form: { id: '2' } })
    expect(serviceLogin.status).toBe(302)
    const [me, privatePage, settings] = flask([
      { path: '/me', cookies: { session: serviceLogin.cookies['session']! } },
      { path: '/private', cookies: { session: serviceLogin.cookies['session']! } },
      { path: '/settings/4', cookies: { session: serviceLogin.cookies['session']! } },
    ])
    expect(JSON.parse(me!.body)).toEqual({ id: '2', name: 'bob' })
    expect(privatePage).toMatchObject({ status: 200, body: 'hello bob' })
    expect(settings!.status).toBe(200)
  })

  it('a remember_token alone restores the user on the other side, not fresh; the same token from both', async () => {
    const [flaskLogin] = flask([{ method: 'POST', path: '/login', form: { id: '1', remember: '1' } }])
    const serviceLogin = await call({ method: 'POST', path: '/login', form: { id: '1', remember: '1' } })
    const token = flaskLogin!.cookies['remember_token']!
    expect(serviceLogin.cookies['remember_token']).toBe(token)

    const restored = await call({ path: '/me', cookies: { remember_token: token } })
    expect(JSON.parse(restored.body)).toEqual({ id: '1', name: 'ada' })
    // Restored from the cookie, the login is not fresh: fresh_login_required sends it to refresh_view.
    const stale = await call({ path: '/settings/1', cookies: { remember_token: token } })
    const [flaskStale] = flask([{ path: '/settings/1', cookies: { remember_token: token } }])
    expect(stale.status).toBe(302)
    expect(stale.location).toBe(flaskStale!.location)
    // The session the service wrote while restoring is read by Flask as the same signed-in user.
    const [flaskMe] = flask([{ path: '/me', cookies: { session: restored.cookies['session']! } }])
    expect(JSON.parse(flaskMe!.body)).toEqual({ id: '1', name: 'ada' })
    // A forged token is no one on either side.
    const forged = `1|${'0'.repeat(128)}`
    expect(JSON.parse((await call({ path: '/me', cookies: { remember_token: forged } })).body)).toEqual({ anonymous: true })
    expect(JSON.parse(flask([{ path: '/me', cookies: { remember_token: forged } }])[0]!.body)).toEqual({ anonymous: true })
  })

  it('a logout on one side leaves cookies the other reads as signed out', async () => {
    const [login] = flask([{ method: 'POST', path: '/login', form: { id: '1', remember: '1' } }])
    const cookies = { session: login!.cookies['session']!, remember_token: login!.cookies['remember_token']! }
    const logout = await call({ path: '/logout', cookies })
    expect(logout.status).toBe(302)
    expect(logout.cookies['remember_token']).toBe('')
    const [me, privatePage] = flask([
      { path: '/me', cookies: { session: logout.cookies['session']! } },
      { path: '/private', cookies: { session: logout.cookies['session']! } },
    ])
    expect(JSON.parse(me!.body)).toEqual({ anonymous: true })
    expect(privatePage).toMatchObject({ status: 302, location: '/login?next=%2Fprivate' })

    const serviceLogin = await call({ method: 'POST', path: '/login', form: { id: '2', remember: '1' } })
    const [flaskLogout] = flask([
      { path: '/logout', cookies: { session: serviceLogin.cookies['session']!, remember_token: serviceLogin.cookies['remember_token']! } },
    ])
    expect(flaskLogout!.cookies['remember_token']).toBe('')
    expect(JSON.parse((await call({ path: '/me', cookies: { session: flaskLogout!.cookies['session']! } })).body)).toEqual({ anonymous: true })
  })
})
