/**
 * Flask-Limiter on Hono (src/emit/runtime/limiter.ts) against Debian's python3-flask-limiter 3.3:
 * small apps migrated by the CLI and replayed by `migrate verify` against real Flask (status, body,
 * every X- header Flask sends: X-RateLimit-Limit and -Remaining; -Reset is a wall-clock epoch,
 * volatile), for what fixtures/ext-flask-limiter does not cover: a key_func of the app's own,
 * exempt_when, per_method, cost, application limits, override_defaults=False, a key prefix, a
 * request filter, Werkzeug's default 429 page, RATELIMIT_ENABLED = False.
 *
 * With a Redis server (MIGRATE_TEST_REDIS_URL; .ci/run starts one): the service shares its
 * counters with the Flask app (same keys and script), and two processes of the migrated service
 * share one limit.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildService, installDependencies, startService, type RunningService } from '../../src/verify/service.js'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const python = '/usr/bin/python3'

/** A command run without blocking the test worker (vitest's RPC times out under a long spawnSync). */
function run(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: repo, env: options.env ?? process.env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', (status) => done({ status, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}
const hasExtension = spawnSync(python, ['-c', 'import flask_limiter'], { stdio: 'ignore' }).status === 0
if (!hasExtension && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import flask_limiter, the oracle of test/runtime/limiter.test.ts')
const redisUrl = process.env['MIGRATE_TEST_REDIS_URL']
const hasRedis = redisUrl !== undefined && spawnSync(python, ['-c', 'import redis'], { stdio: 'ignore' }).status === 0
if (!hasRedis && process.env.CI === 'true') throw new Error('MIGRATE_TEST_REDIS_URL (a Redis server, .ci/run starts one) and python3-redis are needed by test/runtime/limiter.test.ts')

const root = mkdtempSync(join(tmpdir(), 'migrate-limiter-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

type Line = { method?: string; path: string; headers?: Record<string, string> }

function writeApp(name: string, source: string, lines: Line[]): string {
  const dir = join(root, name)
  mkdirSync(join(dir, 'input'), { recursive: true })
  writeFileSync(join(dir, 'input', 'wsgi.py'), source)
  const scenario = [{ volatile: ['headers.X-RateLimit-Reset'] }, ...lines.map((line) => ({ method: 'GET', ...line }))]
  writeFileSync(join(dir, 'scenario.jsonl'), scenario.map((line) => JSON.stringify(line)).join('\n') + '\n')
  return dir
}

async function verify(dir: string): Promise<{ output: string; passed: number; failed: number }> {
  const migrated = await run(process.execPath, ['bin/migrate.js', join(dir, 'input'), '--out', join(dir, 'service'), '--force'])
  if (migrated.status !== 0) throw new Error(migrated.stdout + migrated.stderr)
  const replay = await run(process.execPath, ['bin/migrate.js', 'verify', join(dir, 'input'), '--out', join(dir, 'service'), '--scenario', join(dir, 'scenario.jsonl')])
  const output = `${replay.stdout}\n${replay.stderr}`
  const summary = /(\d+) passed, (\d+) failed/.exec(output)
  return { output, passed: Number(summary?.[1] ?? 0), failed: Number(summary?.[2] ?? -1) }
}

const HEADER = `
from flask import Flask, jsonify, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
`

describe.skipIf(!hasExtension)('Flask-Limiter options against Flask (migrate verify)', () => {
  it('key_func of the app, exempt_when, per_method, cost, application limits, override_defaults=False, key prefix, request filter', async () => {
    const dir = writeApp(
      'options',
      `${HEADER}
def api_key():
    return request.headers.get("X-Api-Key", "anonymous")

app = Flask(__name__)
app.config["RATELIMIT_HEADERS_ENABLED"] = True
app.config["RATELIMIT_KEY_PREFIX"] = "svc"
limiter = Limiter(get_remote_address, app=app, default_limits=["3 per minute"], application_limits=["40 per hour"])

@limiter.request_filter
def internal():
    return request.headers.get("X-Internal") == "yes"

@app.get("/keyed")
@limiter.limit("2 per minute", key_func=api_key)
def keyed():
    return jsonify(key=api_key())

@app.get("/unless-admin")
@limiter.limit("1 per minute", exempt_when=lambda: request.args.get("admin") == "1")
def unless_admin():
    return jsonify(ok=True)

@app.route("/per-method", methods=["GET", "POST"])
@limiter.limit("2 per minute", per_method=True)
def per_method():
    return jsonify(method=request.method)

@app.get("/costly")
@limiter.limit("5 per minute", cost=2)
def costly():
    return jsonify(ok=True)

@app.get("/plus-defaults")
@limiter.limit("10 per minute", override_defaults=False)
def plus_defaults():
    return jsonify(ok=True)

@app.get("/plain")
def plain():
    return jsonify(ok=True)
`,
      [
        ...Array.from({ length: 3 }, () => ({ path: '/keyed', headers: { 'X-Api-Key': 'k1' } })),
        { path: '/keyed', headers: { 'X-Api-Key': 'k2' } },
        { path: '/keyed' },
        { path: '/unless-admin' },
        { path: '/unless-admin' },
        { path: '/unless-admin?admin=1' },
        { path: '/unless-admin?admin=1' },
        { path: '/per-method' },
        { path: '/per-method' },
        { path: '/per-method' },
        { method: 'POST', path: '/per-method' },
        { path: '/costly' },
        { path: '/costly' },
        { path: '/costly' },
        ...Array.from({ length: 4 }, () => ({ path: '/plus-defaults' })),
        ...Array.from({ length: 3 }, () => ({ path: '/plain' })),
        { path: '/plain', headers: { 'X-Internal': 'yes' } },
        { path: '/plain' },
      ],
    )
    const { output, passed, failed } = await verify(dir)
    expect(failed, output).toBe(0)
    expect(passed, output).toBe(25)
  }, 300_000)

  it("Werkzeug's 429 page without a handler, and RATELIMIT_ENABLED = False", async () => {
    const dir = writeApp(
      'defaults',
      `${HEADER}
import os
app = Flask(__name__)
limiter = Limiter(get_remote_address, default_limits=["2/minute"])
limiter.init_app(app)

@app.get("/")
def index():
    return "hello"

@app.get("/two")
@limiter.limit("1 per second;1 per day")
def two():
    return "two"
`,
      [{ path: '/' }, { path: '/' }, { path: '/' }, { method: 'HEAD', path: '/two' }, { path: '/two' }, { path: '/two' }],
    )
    const { output, passed, failed } = await verify(dir)
    expect(failed, output).toBe(0)
    expect(passed, output).toBe(6)

    const disabled = writeApp(
      'disabled',
      `${HEADER}
app = Flask(__name__)
app.config["RATELIMIT_ENABLED"] = False
limiter = Limiter(get_remote_address, app=app, default_limits=["1/minute"])

@app.get("/")
@limiter.limit("1 per minute")
def index():
    return "hello"

@app.get("/plain")
def plain():
    return "plain"
`,
      [{ path: '/' }, { path: '/' }, { path: '/plain' }, { path: '/plain' }],
    )
    const second = await verify(disabled)
    expect(second.failed, second.output).toBe(0)
    expect(second.passed, second.output).toBe(4)
  }, 300_000)
})

const REDIS_APP = `${HEADER}
import os
app = Flask(__name__)
app.config["RATELIMIT_STORAGE_URI"] = os.environ.get("LIMITS_URI", "memory://")
app.config["RATELIMIT_KEY_PREFIX"] = os.environ.get("LIMITS_PREFIX", "")
app.config["RATELIMIT_HEADERS_ENABLED"] = True
limiter = Limiter(get_remote_address, app=app, default_limits=["5 per minute"])

@app.get("/ping")
@limiter.limit("3 per minute")
def ping():
    return jsonify(pong=True)

@app.get("/plain")
def plain():
    return jsonify(plain=True)
`

/** Requests on the Flask app's test client (remote address 127.0.0.1, as the service sees the test's connections). */
function flask(dir: string, env: Record<string, string>, paths: string[]): { status: number; remaining: string | null }[] {
  const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(join(dir, 'input'))})
from wsgi import app
client = app.test_client()
print(json.dumps([{"status": r.status_code, "remaining": r.headers.get("X-RateLimit-Remaining")} for r in (client.get(p) for p in json.load(sys.stdin))]))
`
  const run = spawnSync(python, ['-c', script], { input: JSON.stringify(paths), encoding: 'utf8', env: { ...process.env, ...env } })
  if (run.status !== 0) throw new Error(run.stderr)
  return JSON.parse(run.stdout) as { status: number; remaining: string | null }[]
}

async function get(service: RunningService, path: string): Promise<{ status: number; remaining: string | null }> {
  const response = await fetch(service.baseUrl + path)
  await response.arrayBuffer()
  return { status: response.status, remaining: response.headers.get('X-RateLimit-Remaining') }
}

describe.skipIf(!hasExtension || !hasRedis)('Flask-Limiter with Redis storage (a real Redis server)', () => {
  let dir: string
  let serviceDir: string
  beforeAll(async () => {
    dir = writeApp('redis', REDIS_APP, [])
    serviceDir = join(dir, 'service')
    const migrated = await run(process.execPath, ['bin/migrate.js', join(dir, 'input'), '--out', serviceDir, '--force'])
    if (migrated.status !== 0) throw new Error(migrated.stdout + migrated.stderr)
    const installed = installDependencies(serviceDir, join(repo, 'node_modules'))
    if (!installed.ok) throw new Error(installed.message)
    const built = buildService(serviceDir)
    if (!built.ok) throw new Error(built.message)
  }, 300_000)

  it('shares its counters with the Flask app: hits on one side count on the other', async () => {
    const prefix = `flask-and-service-${process.pid}-${Date.now()}`
    const env = { LIMITS_URI: redisUrl!, LIMITS_PREFIX: prefix }
    expect(flask(dir, env, ['/ping', '/ping'])).toEqual([
      { status: 200, remaining: '2' },
      { status: 200, remaining: '1' },
    ])
    const started = await startService(serviceDir, 60_000, env)
    if (!started.ok) throw new Error(started.message)
    try {
      expect(await get(started.value, '/ping')).toEqual({ status: 200, remaining: '0' })
      expect(await get(started.value, '/ping')).toEqual({ status: 429, remaining: '0' })
      expect(await get(started.value, '/plain')).toEqual({ status: 200, remaining: '4' })
    } finally {
      await started.value.stop()
    }
    expect(flask(dir, env, ['/ping', '/plain'])).toEqual([
      { status: 429, remaining: '0' },
      { status: 200, remaining: '3' },
    ])
  }, 120_000)

  it('two processes of the service with RATELIMIT_STORAGE_URI set share one limit', async () => {
    // The Flask config says memory://; the service's environment points both replicas at Redis.
    const env = { RATELIMIT_STORAGE_URI: redisUrl!, LIMITS_PREFIX: `replicas-${process.pid}-${Date.now()}` }
    const first = await startService(serviceDir, 60_000, env)
    if (!first.ok) throw new Error(first.message)
    const second = await startService(serviceDir, 60_000, env)
    if (!second.ok) {
      await first.value.stop()
      throw new Error(second.message)
    }
    try {
      expect(first.value.baseUrl).not.toBe(second.value.baseUrl)
      const answers = [
        await get(first.value, '/ping'),
        await get(second.value, '/ping'),
        await get(first.value, '/ping'),
        await get(second.value, '/ping'),
        await get(first.value, '/ping'),
      ]
      expect(answers).toEqual([
        { status: 200, remaining: '2' },
        { status: 200, remaining: '1' },
        { status: 200, remaining: '0' },
        { status: 429, remaining: '0' },
        { status: 429, remaining: '0' },
      ])
    } finally {
      await Promise.all([first.value.stop(), second.value.stop()])
    }
  }, 120_000)
})
