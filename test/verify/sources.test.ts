import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runVerify } from '../../src/verify/index.js'
import { accessLogToScenario, harToScenario, requestTarget } from '../../src/verify/sources.js'

// `migrate verify`'s request sources besides a scenario (a HAR file, an access log) and --noise,
// on a hand-written Flask app and a hand-written Hono service that answers as it does, but for a
// wall-clock field of its own.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const hasFlask = spawnSync('/usr/bin/python3', ['-c', 'import flask'], { stdio: 'ignore' }).status === 0
if (!hasFlask && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import Flask, the oracle of test/verify/sources.test.ts')

describe('HAR files', () => {
  const har = {
    log: {
      entries: [
        {
          request: {
            method: 'get',
            url: 'https://shop.example/items?q=a%20b#top',
            headers: [
              { name: ':authority', value: 'shop.example' },
              { name: 'Host', value: 'shop.example' },
              { name: 'Cookie', value: 'session=recorded' },
              { name: 'Accept-Encoding', value: 'gzip, br' },
              { name: 'Accept', value: 'text/html' },
              { name: 'X-Tag', value: 'one' },
              { name: 'x-tag', value: 'two' },
            ],
          },
        },
        { request: { method: 'GET', url: 'https://cdn.example/app.js', headers: [] } },
        {
          request: {
            method: 'POST',
            url: 'https://shop.example/api/items',
            headers: [{ name: 'Content-Length', value: '12' }],
            postData: { mimeType: 'application/json', text: '{"name":"x"}' },
          },
        },
        {
          request: {
            method: 'POST',
            url: 'https://shop.example/login',
            headers: [{ name: 'Content-Type', value: 'application/x-www-form-urlencoded' }],
            postData: { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'user', value: 'ada' }] },
          },
        },
        { request: { method: 'GET', url: 'https://shop.example' } },
      ],
    },
  }

  it('keeps the requests to the first origin, their headers (not those a client or a jar sets) and bodies', () => {
    const read = harToScenario(JSON.stringify(har))
    expect(read.ok).toBe(true)
    if (!read.ok) return
    expect(read.value.skipped).toBe(1)
    expect(read.value.lines).toEqual([
      { method: 'GET', path: '/items?q=a%20b', headers: { Accept: 'text/html', 'X-Tag': 'one, two' } },
      { method: 'POST', path: '/api/items', body: '{"name":"x"}', headers: { 'Content-Type': 'application/json' } },
      { method: 'POST', path: '/login', form: { user: 'ada' }, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      { method: 'GET', path: '/' },
    ])
  })

  it('refuses what is not a HAR', () => {
    expect(harToScenario('nope')).toMatchObject({ ok: false, message: expect.stringMatching(/not JSON/) })
    expect(harToScenario('{"log": {}}')).toMatchObject({ ok: false, message: expect.stringMatching(/log.entries/) })
  })
})

describe('access logs (Combined Log Format)', () => {
  it('replays GET and HEAD lines as logged, counts the others and malformed lines', () => {
    const log = [
      '127.0.0.1 - - [30/Nov/2026:19:00:01 +0000] "GET /items?page=2 HTTP/1.1" 200 512 "-" "curl/8.0"',
      '10.0.0.2 - ada [30/Nov/2026:19:00:02 +0000] "POST /items HTTP/1.1" 201 40 "https://shop.example/" "Mozilla/5.0"',
      '10.0.0.3 - - [30/Nov/2026:19:00:03 +0000] "HEAD /health HTTP/1.0" 200 - "-" "kube-probe/1.29"',
      'not a log line',
      '10.0.0.4 - - [30/Nov/2026:19:00:04 +0000] "GET http://shop.example/a%2Fb?x=1 HTTP/1.1" 404 9',
      '',
    ].join('\n')
    expect(accessLogToScenario(log)).toEqual({
      lines: [
        { method: 'GET', path: '/items?page=2' },
        { method: 'HEAD', path: '/health' },
        { method: 'GET', path: '/a%2Fb?x=1' },
      ],
      skipped: 1,
      malformed: 1,
    })
  })

  it('reads request targets as written', () => {
    expect(requestTarget('http://h:80')).toBe('/')
    expect(requestTarget('http://h?x=1')).toBe('/?x=1')
    expect(requestTarget('/p%20q?a=1')).toBe('/p%20q?a=1')
  })
})

const flaskApp = `
import time
from flask import Flask, jsonify, request

app = Flask(__name__)

@app.route("/items")
def items():
    return jsonify(page=request.args.get("page", "1"), at=time.time())

@app.route("/health")
def health():
    return "ok"
`

const honoMain = `
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const app = new Hono()
app.get('/items', (c) => c.json({ page: c.req.query('page') ?? '1', at: Date.now() / 1000 }))
app.get('/health', (c) => c.html('ok'))
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' })
`

describe.skipIf(!hasFlask)('runVerify with an access log, a HAR file and --noise', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'verify-sources-'))
  afterAll(() => rmSync(workDir, { recursive: true, force: true }))
  const write = (path: string, text: string): string => {
    mkdirSync(dirname(join(workDir, path)), { recursive: true })
    writeFileSync(join(workDir, path), text)
    return join(workDir, path)
  }
  const flaskDir = dirname(write('flask/app.py', flaskApp))
  const serviceDir = dirname(dirname(write('service/src/main.ts', honoMain)))
  write(
    'service/package.json',
    JSON.stringify({ name: 'svc', private: true, type: 'module', scripts: { start: 'node --import tsx src/main.ts' }, dependencies: { hono: '*', '@hono/node-server': '*' }, devDependencies: { tsx: '*' } }),
  )
  const accessLog = write(
    'access.log',
    [
      '127.0.0.1 - - [30/Nov/2026:19:00:01 +0000] "GET /items?page=2 HTTP/1.1" 200 30 "-" "curl/8.0"',
      '127.0.0.1 - - [30/Nov/2026:19:00:02 +0000] "POST /items HTTP/1.1" 405 10 "-" "curl/8.0"',
      '127.0.0.1 - - [30/Nov/2026:19:00:03 +0000] "HEAD /health HTTP/1.1" 200 - "-" "curl/8.0"',
    ].join('\n'),
  )
  const harFile = write('session.har', JSON.stringify({ log: { entries: [{ request: { method: 'GET', url: 'http://localhost:5000/health', headers: [] } }] } }))
  const linkNodeModules = join(repoRoot, 'node_modules')

  it('without --noise the wall-clock field is a difference', async () => {
    const lines: string[] = []
    const code = await runVerify({ flaskDir, serviceDir, accessLog, linkNodeModules, output: (line) => lines.push(line) })
    expect(code).toBe(1)
    expect(lines[0]).toBe('note: 1 access log lines with other methods than GET and HEAD left out')
    expect(lines[1]).toMatch(/^#1 GET \/items\?page=2  body: flask \{"at": [0-9.]+, "page": "2"\} \| service \{"page": "2", "at": [0-9.]+\}$/)
    expect(lines.at(-1)).toBe('1 passed, 1 failed')
  }, 120_000)

  it('with --noise it is learned from two runs of Flask, listed and not compared', async () => {
    const lines: string[] = []
    const code = await runVerify({ flaskDir, serviceDir, accessLog, noise: true, linkNodeModules, output: (line) => lines.push(line) })
    expect(lines.slice(1)).toEqual([
      'noise #1 GET /items?page=2: json.at (differ between two runs of Flask: not compared)',
      'ignored as noise: json.at (1 line)',
      '2 passed, 0 failed',
    ])
    expect(code).toBe(0)
  }, 120_000)

  it('replays a HAR file', async () => {
    const lines: string[] = []
    const code = await runVerify({ flaskDir, serviceDir, har: harFile, linkNodeModules, output: (line) => lines.push(line) })
    expect(lines).toEqual(['1 passed, 0 failed'])
    expect(code).toBe(0)
  }, 120_000)

  it('refuses two sources at once', async () => {
    const lines: string[] = []
    const code = await runVerify({ flaskDir, serviceDir, har: harFile, accessLog, linkNodeModules, output: (line) => lines.push(line) })
    expect(code).toBe(2)
    expect(lines).toEqual(['migrate: give one of --scenario, --har and --access-log'])
  })
})
