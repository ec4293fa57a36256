/**
 * Flask-Caching on Hono (src/emit/runtime/caching.ts) against Debian's python3-flask-caching
 * 2.0.2: small apps migrated by the CLI and replayed by `migrate verify` against real Flask, for
 * what fixtures/ext-flask-caching does not cover: NullCache, response_filter, cache_none,
 * forced_update, a callable key_prefix, the cache API called by views (get, set, add, has,
 * delete), memoize on a view, memoize and cached on module functions with delete_memoized.
 *
 * With a Redis server (MIGRATE_TEST_REDIS_URL; .ci/run starts one): two processes of the
 * migrated service with CACHE_TYPE = "RedisCache" share a cached view, its cache.delete and clear.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
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
const hasExtension = spawnSync(python, ['-c', 'import flask_caching'], { stdio: 'ignore' }).status === 0
if (!hasExtension && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import flask_caching, the oracle of test/runtime/caching.test.ts')
const redisUrl = process.env['MIGRATE_TEST_REDIS_URL']
if (redisUrl === undefined && process.env.CI === 'true') throw new Error('MIGRATE_TEST_REDIS_URL (a Redis server, .ci/run starts one) is needed by test/runtime/caching.test.ts')

const root = mkdtempSync(join(tmpdir(), 'migrate-caching-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

type Line = { method?: string; path: string }

async function migrateApp(name: string, source: string, lines: Line[]): Promise<string> {
  const dir = join(root, name)
  mkdirSync(join(dir, 'input'), { recursive: true })
  writeFileSync(join(dir, 'input', 'wsgi.py'), source)
  writeFileSync(join(dir, 'scenario.jsonl'), lines.map((line) => JSON.stringify({ method: 'GET', ...line })).join('\n') + '\n')
  const migrated = await run(process.execPath, ['bin/migrate.js', join(dir, 'input'), '--out', join(dir, 'service'), '--force'])
  if (migrated.status !== 0) throw new Error(migrated.stdout + migrated.stderr)
  expect(migrated.stdout, 'every view migrated').toMatch(/ 0 stubs/)
  return dir
}

async function verify(dir: string): Promise<{ output: string; passed: number; failed: number }> {
  const replay = await run(process.execPath, ['bin/migrate.js', 'verify', join(dir, 'input'), '--out', join(dir, 'service'), '--scenario', join(dir, 'scenario.jsonl')])
  const output = `${replay.stdout}\n${replay.stderr}`
  const summary = /(\d+) passed, (\d+) failed/.exec(output)
  return { output, passed: Number(summary?.[1] ?? 0), failed: Number(summary?.[2] ?? -1) }
}

describe.skipIf(!hasExtension)('Flask-Caching against Flask (migrate verify)', () => {
  it('response_filter, cache_none, forced_update, a callable key_prefix, the cache API, memoize on a view', async () => {
    const lines: Line[] = [
      { path: '/filtered?ok=0' },
      { path: '/filtered?ok=0' },
      { path: '/filtered?ok=1' },
      { path: '/filtered?ok=0' },
      { path: '/none' },
      { path: '/none' },
      { path: '/forced' },
      { path: '/forced?refresh=1' },
      { path: '/forced' },
      { path: '/by-lang?lang=fr' },
      { path: '/by-lang?lang=de' },
      { path: '/api?op=get&key=a' },
      { path: '/api?op=set&key=a&value=1' },
      { path: '/api?op=get&key=a' },
      { path: '/api?op=add&key=a&value=2' },
      { path: '/api?op=add&key=b&value=3' },
      { path: '/api?op=has&key=b' },
      { path: '/api?op=delete&key=a' },
      { path: '/api?op=get&key=a' },
      { path: '/square/3' },
      { path: '/square/3' },
      { path: '/square/4' },
      { path: '/square/3' },
    ]
    const dir = await migrateApp(
      'options',
      `
from flask import Flask, jsonify, request
from flask_caching import Cache

app = Flask(__name__)
app.config["CACHE_TYPE"] = "simple"
cache = Cache(app)
CALLS = {"n": 0}


def count():
    CALLS["n"] += 1
    return CALLS["n"]


@app.get("/filtered")
@cache.cached(response_filter=lambda rv: rv["ok"])
def filtered():
    return {"ok": request.args.get("ok") == "1", "call": count()}


@app.get("/none")
@cache.cached(cache_none=True)
def none():
    count()
    return jsonify(None)


@app.get("/forced")
@cache.cached(forced_update=lambda: request.args.get("refresh") == "1", key_prefix="forced")
def forced():
    return {"call": count()}


def language_key():
    return "lang-" + request.args.get("lang", "en")


@app.get("/by-lang")
@cache.cached(key_prefix=language_key)
def by_lang():
    return {"lang": request.args.get("lang"), "call": count()}


@app.get("/api")
def api():
    op = request.args["op"]
    key = request.args["key"]
    if op == "get":
        return jsonify(value=cache.get(key))
    if op == "set":
        return jsonify(done=cache.set(key, request.args["value"]))
    if op == "add":
        return jsonify(done=cache.add(key, request.args["value"]))
    if op == "has":
        return jsonify(has=cache.has(key))
    return jsonify(done=cache.delete(key))


@app.get("/square/<int:n>")
@cache.memoize(60)
def square(n):
    return {"square": n * n, "call": count()}
`,
      lines,
    )
    const { output, passed, failed } = await verify(dir)
    expect(failed, output).toBe(0)
    expect(passed, output).toBe(lines.length)
  }, 300_000)

  it('memoize and cached on module functions, delete_memoized of one call and of every call', async () => {
    const lines: Line[] = [
      { path: '/price/apple' },
      { path: '/price/apple' },
      { path: '/price/pear' },
      { path: '/prices' },
      { path: '/prices' },
      { method: 'POST', path: '/price/apple/5' },
      { path: '/price/apple' },
      { path: '/price/pear' },
      { path: '/prices' },
      { method: 'POST', path: '/forget' },
      { path: '/price/pear' },
      { path: '/price/apple' },
      { path: '/price/apple' },
    ]
    const dir = await migrateApp(
      'memoize',
      `
from flask import Flask, jsonify
from flask_caching import Cache

app = Flask(__name__)
app.config["CACHE_TYPE"] = "SimpleCache"
cache = Cache(app)
PRICES = {"apple": 3, "pear": 4}
CALLS = {"n": 0}


@cache.memoize(timeout=120)
def price_of(name, currency="EUR"):
    CALLS["n"] += 1
    return {"name": name, "price": PRICES.get(name), "currency": currency, "call": CALLS["n"]}


@cache.cached(timeout=60, key_prefix="all-prices")
def all_prices():
    CALLS["n"] += 1
    return {"prices": dict(PRICES), "call": CALLS["n"]}


@app.get("/price/<name>")
def price(name):
    return jsonify(price_of(name))


@app.get("/prices")
def prices():
    return jsonify(all_prices())


@app.post("/price/<name>/<int:value>")
def set_price(name, value):
    PRICES[name] = value
    cache.delete_memoized(price_of, name)
    cache.delete("all-prices")
    return {"name": name, "price": value}


@app.post("/forget")
def forget():
    cache.delete_memoized(price_of)
    return {"forgotten": True}
`,
      lines,
    )
    const { output, passed, failed } = await verify(dir)
    expect(failed, output).toBe(0)
    expect(passed, output).toBe(lines.length)
  }, 300_000)

  it('NullCache keeps nothing', async () => {
    const lines = [{ path: '/' }, { path: '/' }, { path: '/get' }]
    const dir = await migrateApp(
      'null',
      `
from flask import Flask, jsonify
from flask_caching import Cache

app = Flask(__name__)
app.config["CACHE_TYPE"] = "NullCache"
app.config["CACHE_NO_NULL_WARNING"] = True
cache = Cache(app)
CALLS = {"n": 0}


@app.get("/")
@cache.cached(timeout=60)
def index():
    CALLS["n"] += 1
    cache.set("k", 1)
    return {"call": CALLS["n"]}


@app.get("/get")
def get():
    return jsonify(value=cache.get("k"), has=cache.has("k"))
`,
      lines,
    )
    const { output, passed, failed } = await verify(dir)
    expect(failed, output).toBe(0)
    expect(passed, output).toBe(lines.length)
  }, 300_000)
})

async function get(service: RunningService, path: string, method = 'GET'): Promise<unknown> {
  const response = await fetch(service.baseUrl + path, { method })
  return response.json()
}

describe.skipIf(redisUrl === undefined)('Flask-Caching with RedisCache (a real Redis server)', () => {
  it('two processes of the service share a cached view, cache.delete and clear', async () => {
    const dir = await migrateApp(
      'redis',
      `
import os
from flask import Flask
from flask_caching import Cache

app = Flask(__name__)
app.config["CACHE_TYPE"] = "RedisCache"
app.config["CACHE_KEY_PREFIX"] = os.environ.get("CACHE_PREFIX", "flask_cache_")
cache = Cache(app)
CALLS = {"n": 0}
NODE = os.environ.get("NODE_NAME", "flask")


@app.get("/report")
@cache.cached(timeout=60, key_prefix="report")
def report():
    CALLS["n"] += 1
    return {"node": NODE, "call": CALLS["n"]}


@app.post("/report/forget")
def forget():
    cache.delete("report")
    return {"deleted": True}


@app.post("/clear")
def clear():
    cache.clear()
    return {"cleared": True}
`,
      [],
    )
    const serviceDir = join(dir, 'service')
    const installed = installDependencies(serviceDir, join(repo, 'node_modules'))
    if (!installed.ok) throw new Error(installed.message)
    const built = buildService(serviceDir)
    if (!built.ok) throw new Error(built.message)
    const env = { CACHE_REDIS_URL: redisUrl!, CACHE_PREFIX: `caching-test-${process.pid}-${Date.now()}:` }
    const first = await startService(serviceDir, 60_000, { ...env, NODE_NAME: 'first' })
    if (!first.ok) throw new Error(first.message)
    const second = await startService(serviceDir, 60_000, { ...env, NODE_NAME: 'second' })
    if (!second.ok) {
      await first.value.stop()
      throw new Error(second.message)
    }
    try {
      expect(await get(first.value, '/report')).toEqual({ node: 'first', call: 1 })
      // The second process answers from the entry the first one stored.
      expect(await get(second.value, '/report')).toEqual({ node: 'first', call: 1 })
      expect(await get(second.value, '/report/forget', 'POST')).toEqual({ deleted: true })
      expect(await get(first.value, '/report')).toEqual({ node: 'first', call: 2 })
      expect(await get(second.value, '/report')).toEqual({ node: 'first', call: 2 })
      expect(await get(first.value, '/clear', 'POST')).toEqual({ cleared: true })
      expect(await get(second.value, '/report')).toEqual({ node: 'second', call: 1 })
      expect(await get(first.value, '/report')).toEqual({ node: 'second', call: 1 })
    } finally {
      await Promise.all([first.value.stop(), second.value.stop()])
    }
  }, 300_000)
})
