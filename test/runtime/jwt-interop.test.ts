/**
 * JWTs cross between a Flask app and its migrated service (issue 11): fixtures/ext-flask-jwt-extended
 * runs on Debian's Flask-JWT-Extended (test client, /usr/bin/python3) and as the generated
 * service (built and started, the same JWT_SECRET_KEY); tokens each side issues at /auth/login
 * and /auth/refresh are sent to the other, which must accept them with the same claims (identity,
 * the role its additional_claims_loader added, fresh, type) and refuse them where the other would.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'
import { buildService, installDependencies, startService, type RunningService } from '../../src/verify/service.js'

const repo = join(dirname(new URL(import.meta.url).pathname), '..', '..')
const fixture = join(repo, 'fixtures', 'ext-flask-jwt-extended', 'input')
const SECRET = 'interop-jwt-secret'
const hasExtension = spawnSync('/usr/bin/python3', ['-c', 'import flask_jwt_extended'], { stdio: 'ignore' }).status === 0
if (!hasExtension && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import flask_jwt_extended, the oracle of test/runtime/jwt-interop.test.ts')

interface Call {
  method?: string
  path: string
  json?: unknown
  token?: string
}

interface Answer {
  status: number
  json: Record<string, unknown> | null
}

const FLASK_CLIENT = `
import json, sys
sys.path.insert(0, sys.argv[1])
from wsgi import app
client = app.test_client()
out = []
for call in json.load(sys.stdin):
    headers = {"Authorization": "Bearer " + call["token"]} if call.get("token") else {}
    kwargs = {"json": call["json"]} if "json" in call else {}
    response = client.open(call["path"], method=call.get("method", "GET"), headers=headers, **kwargs)
    out.append({"status": response.status_code, "json": response.get_json(silent=True)})
print(json.dumps(out))
`

function flask(calls: Call[]): Answer[] {
  const result = spawnSync('/usr/bin/python3', ['-c', FLASK_CLIENT, fixture], { input: JSON.stringify(calls), encoding: 'utf8', env: { ...process.env, JWT_SECRET_KEY: SECRET } })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as Answer[]
}

let service: RunningService | null = null
const outRoot = mkdtempSync(join(tmpdir(), 'jwt-interop-'))

async function call(request: Call): Promise<Answer> {
  const response = await fetch(`${service!.baseUrl}${request.path}`, {
    method: request.method ?? 'GET',
    headers: { ...(request.token ? { Authorization: `Bearer ${request.token}` } : {}), ...(request.json !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(request.json !== undefined ? { body: JSON.stringify(request.json) } : {}),
  })
  const text = await response.text()
  let json: Record<string, unknown> | null = null
  try {
    json = JSON.parse(text) as Record<string, unknown>
  } catch {
    json = null
  }
  return { status: response.status, json }
}

const LOGIN = { method: 'POST', path: '/auth/login', json: { username: 'alice', password: 'wonderland' } }

describe.skipIf(!hasExtension)('JWTs between the Flask app and the migrated service', () => {
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
    // The users' passwords are credentials the service reads from the environment (secret-redacted).
    const started = await startService(dir, 60_000, { JWT_SECRET_KEY: SECRET, USERS_1_PASSWORD: 'wonderland', USERS_2_PASSWORD: 'builder' })
    if (!started.ok) throw new Error(started.message)
    service = started.value
  }, 300_000)

  afterAll(async () => {
    await service?.stop()
    rmSync(outRoot, { recursive: true, force: true })
  })

  it('the service accepts the tokens Flask issues, with their claims', async () => {
    const [login] = flask([LOGIN])
    const { access_token: access, refresh_token: refresh } = login!.json as { access_token: string; refresh_token: string }
    expect(await call({ path: '/auth/whoami', token: access })).toEqual({ status: 200, json: { authenticated: true, user: 'alice', role: 'admin', fresh: true, type: 'access', refreshed: false } })
    expect(await call({ path: '/api/notes', token: access })).toMatchObject({ status: 200, json: { user: 'Alice' } })
    // A refresh token Flask issued is one only /auth/refresh takes, here too.
    expect(await call({ path: '/api/notes', token: refresh })).toEqual({ status: 422, json: { msg: 'Only non-refresh tokens are allowed' } })
    const refreshed = await call({ method: 'POST', path: '/auth/refresh', token: refresh })
    expect(refreshed.status).toBe(200)
    // ... and the access token the service made from it goes back to Flask, not fresh.
    const [whoami, fresh] = flask([{ path: '/auth/whoami', token: refreshed.json!['access_token'] as string }, { method: 'POST', path: '/api/notes', token: refreshed.json!['access_token'] as string, json: { text: 'x' } }])
    expect(whoami).toEqual({ status: 200, json: { authenticated: true, user: 'alice', role: 'admin', fresh: false, type: 'access', refreshed: true } })
    expect(fresh).toEqual({ status: 401, json: { msg: 'Fresh token required' } })
  })

  it('Flask accepts the tokens the service issues, and both refuse a tampered one alike', async () => {
    const login = await call(LOGIN)
    const { access_token: access, refresh_token: refresh } = login.json as { access_token: string; refresh_token: string }
    const tampered = `${access.slice(0, -4)}${access.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`
    const answers = flask([
      { path: '/auth/whoami', token: access },
      { path: '/api/token', token: access },
      { method: 'POST', path: '/auth/refresh', token: refresh },
      { path: '/api/notes', token: tampered },
    ])
    expect(answers[0]).toEqual({ status: 200, json: { authenticated: true, user: 'alice', role: 'admin', fresh: true, type: 'access', refreshed: false } })
    expect(answers[1]).toEqual({ status: 200, json: { alg: 'HS256', type: 'access', has_jti: true, lifetime: 600 } })
    expect(answers[2]!.status).toBe(200)
    expect(answers[3]).toEqual({ status: 422, json: { msg: 'Signature verification failed' } })
    expect(await call({ path: '/api/notes', token: tampered })).toEqual(answers[3])
  })
})
