import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runVerify } from '../../src/verify/index.js'

// runVerify end to end on a hand-written Flask app and a hand-written Hono service, so the
// harness is tested without waiting for the translator.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const hasFlask = spawnSync('/usr/bin/python3', ['-c', 'import flask'], { stdio: 'ignore' }).status === 0
// CI installs the oracle (.ci/run): there a missing one fails the run instead of skipping.
if (!hasFlask && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import Flask/Werkzeug, the oracle of test/verify/run-verify.test.ts')
if (!hasFlask) {
  console.warn('\n*** SKIPPING test/verify/run-verify.test.ts: /usr/bin/python3 cannot import flask (apt-get install -y python3-flask) ***\n')
}

const flaskApp = `
from flask import Flask, jsonify, redirect, request

app = Flask(__name__)

@app.after_request
def stamp(response):
    response.headers["X-Thing"] = "yes"
    return response

@app.route("/")
def index():
    return "hi"

@app.route("/items/<int:item_id>")
def item(item_id):
    return jsonify(id=item_id, price=3.0)

@app.route("/login", methods=["POST"])
def login():
    response = redirect("/?from=login")
    response.set_cookie("session", request.form["user"])
    return response

@app.route("/whoami")
def whoami():
    return jsonify(user=request.cookies.get("session"))
`

function honoService(itemId: string): string {
  return `
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { setCookie, getCookie } from 'hono/cookie'

const app = new Hono()
app.use('*', async (c, next) => {
  c.header('X-Thing', 'yes')
  await next()
})
app.get('/', (c) => c.html('hi'))
app.get('/items/:id{[0-9]+}', (c) => c.json({ price: 3, id: ${itemId} }))
app.post('/login', async (c) => {
  const form = await c.req.parseBody()
  setCookie(c, 'session', String(form.user), { path: '/' })
  return c.html('<p>Redirecting...</p>', 302, { Location: '/?from=login' })
})
app.get('/whoami', (c) => c.json({ user: getCookie(c, 'session') ?? null }))
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' })
`
}

const scenario = [
  { method: 'GET', path: '/' },
  { method: 'HEAD', path: '/' },
  { method: 'GET', path: '/items/3' },
  { method: 'POST', path: '/login', form: { user: 'ada' } },
  { method: 'GET', path: '/whoami' },
]

const workDir = mkdtempSync(join(tmpdir(), 'verify-test-'))
afterAll(() => rmSync(workDir, { recursive: true, force: true }))

function writeProject(name: string, files: Record<string, string>): string {
  const root = join(workDir, name)
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true })
    writeFileSync(join(root, file), text)
  }
  return root
}

function service(name: string, itemId: string): string {
  return writeProject(name, {
    'package.json': JSON.stringify({
      name,
      private: true,
      type: 'module',
      scripts: { start: 'node --import tsx src/main.ts' },
      dependencies: { hono: '*', '@hono/node-server': '*' },
      devDependencies: { tsx: '*' },
    }),
    'src/main.ts': honoService(itemId),
  })
}

describe.skipIf(!hasFlask)('runVerify', () => {
  const flaskDir = writeProject('flask', { 'app.py': flaskApp })
  const scenarioFile = join(workDir, 'scenario.jsonl')
  writeFileSync(scenarioFile, scenario.map((request) => JSON.stringify(request)).join('\n') + '\n')
  const linkNodeModules = join(repoRoot, 'node_modules')

  it('returns 0 when the service answers as Flask does (cookies carried over)', async () => {
    const lines: string[] = []
    const serviceDir = service('same', 'Number(c.req.param("id"))')
    const code = await runVerify({ flaskDir, serviceDir, scenario: scenarioFile, linkNodeModules, output: (line) => lines.push(line) })
    expect(lines).toEqual(['5 passed, 0 failed'])
    expect(code).toBe(0)
    expect(existsSync(join(serviceDir, 'node_modules', 'hono'))).toBe(true)
  })

  it('returns 1 and names the request, field and both values on a difference', async () => {
    const lines: string[] = []
    const serviceDir = service('different', 'c.req.param("id")')
    const code = await runVerify({ flaskDir, serviceDir, scenario: scenarioFile, linkNodeModules, output: (line) => lines.push(line) })
    expect(code).toBe(1)
    expect(lines).toEqual([
      '#3 GET /items/3  body: flask {"id":3,"price":3} | service {"price":3,"id":"3"}',
      '4 passed, 1 failed',
    ])
  })

  it('generates routing requests from the URL map without a scenario', async () => {
    const lines: string[] = []
    const serviceDir = service('generated', 'Number(c.req.param("id"))')
    const code = await runVerify({ flaskDir, serviceDir, linkNodeModules, output: (line) => lines.push(line) })
    // The hand-written service has neither Werkzeug's error pages nor automatic OPTIONS.
    expect(code).toBe(1)
    expect(lines.at(-1)).toMatch(/^\d+ passed, [1-9]\d* failed$/)
    expect(lines.some((line) => line.startsWith('#') && line.includes('OPTIONS /items/1  allow: flask GET, HEAD, OPTIONS'))).toBe(true)
    expect(lines.some((line) => line.includes('PUT / ') && line.includes('status: flask 405'))).toBe(true)
  })

  it('exits 2 with one line when the Python cannot import flask', async () => {
    const lines: string[] = []
    const code = await runVerify({ flaskDir, serviceDir: join(workDir, 'none'), python: '/bin/false', output: (line) => lines.push(line) })
    expect(code).toBe(2)
    expect(lines).toEqual(['verify: /bin/false cannot import flask (install Flask for it, or pass another --python)'])
  })

  it('exits 2 when the service does not start', async () => {
    const lines: string[] = []
    const serviceDir = writeProject('broken', {
      'package.json': JSON.stringify({ name: 'broken', type: 'module', scripts: { start: 'node -e "process.exit(3)"' } }),
    })
    const code = await runVerify({ flaskDir, serviceDir, scenario: scenarioFile, linkNodeModules, output: (line) => lines.push(line) })
    expect(code).toBe(2)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^verify: service did not start/)
  })
})
