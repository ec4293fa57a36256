import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { generateExploreScenario, scenarioCredentials, shrinkCandidates, type ReadsDump } from '../../src/verify/explore.js'
import { dumpFlaskReads } from '../../src/verify/flask-side.js'
import { runVerify } from '../../src/verify/index.js'
import type { UrlMapDump, UrlMapRule } from '../../src/verify/scenario.js'

// `migrate verify --explore`: what views read (test/oracle/flask_reads.py, on real Flask), the
// requests generated from it, and, end to end, a bug a hand-written scenario misses that the
// generated requests find and shrink.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const python = '/usr/bin/python3'
const hasFlask = spawnSync(python, ['-c', 'import flask'], { stdio: 'ignore' }).status === 0
if (!hasFlask && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import Flask, the oracle of test/verify/explore.test.ts')

const flaskApp = `
from flask import Blueprint, Flask, jsonify, request
from flask.views import MethodView

app = Flask(__name__)
NAMES = {"bolt": 1, "nut": 2}

@app.before_request
def tag():
    request.environ["tag"] = request.headers.get("X-Tag")

@app.route("/search")
def search():
    q = request.args.get("q", "").lower()
    limit = request.args.get("limit", 10, type=int)
    return jsonify(q=q, hits=[name for name in NAMES if q in name][:limit])

@app.route("/items", methods=["POST"])
def create():
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or "name" not in data:
        return jsonify(error="name"), 400
    return jsonify(name=data["name"], price=data.get("price", 0)), 201

class Theme(MethodView):
    def post(self):
        return jsonify(theme=request.form.get("theme"), seen=request.cookies.get("seen"))

app.add_url_rule("/theme", view_func=Theme.as_view("theme"))
`

// Reads behind a decorator, in the project's helpers and in a form class (flask_reads.py follows them).
const helpersApp = `
from functools import wraps
from flask import Flask, jsonify, request
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import Length

app = Flask(__name__)
app.config["WTF_CSRF_ENABLED"] = False
KEY_HEADER = "X-Key"

def key_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not request.headers.get(KEY_HEADER):
            return jsonify(error="key"), 401
        return view(*args, **kwargs)
    return wrapped

def json_body():
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}

def text_field(data, name, max_length=None):
    value = data.get(name) or ""
    if max_length is not None and len(value) > max_length:
        raise ValueError(name)
    return value

def day_of(data):
    return data.get("day")

class NoteForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=40)])
    day = DateField("Day")
    rank = IntegerField("Rank")

@app.route("/notes", methods=["POST"])
@key_required
def create_note():
    data = json_body()
    draft = data.get("mode", "").lower() == "draft"
    return jsonify(title=text_field(data, "title", 80), day=day_of(data), draft=draft)

@app.route("/form", methods=["POST"])
def form_note():
    form = NoteForm()
    return jsonify(ok=form.validate())
`

function rule(path: string, endpoint: string, methods: string[], converters: UrlMapRule['converters'] = []): UrlMapRule {
  return { rule: path, endpoint, methods, converters, defaults: null, strictSlashes: true, subdomain: null, host: null, redirectTo: null, provideAutomaticOptions: true }
}

describe.skipIf(!hasFlask)('what views read (flask_reads.py)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'explore-reads-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'app.py'), flaskApp)

  it('finds query arguments with their type, JSON keys, form fields, cookies (class views too) and the hooks\' headers', () => {
    const reads = dumpFlaskReads(python, dir)
    expect(reads.ok).toBe(true)
    if (!reads.ok) return
    expect(reads.value.search).toEqual({ args: { q: null, limit: 'int' }, form: {}, json: {}, headers: {}, cookies: {}, lengths: [], literals: [] })
    expect(reads.value.create).toMatchObject({ json: { name: null, price: null } })
    expect(reads.value.theme).toMatchObject({ form: { theme: null }, cookies: { seen: null } })
    expect(reads.value['*']).toMatchObject({ headers: { 'X-Tag': null } })
    expect(reads.value.__vocabulary__).toEqual(expect.arrayContaining(['bolt', 'nut']))
  })

  const hasWtf = spawnSync(python, ['-c', 'import flask_wtf'], { stdio: 'ignore' }).status === 0
  it.skipIf(!hasWtf)('follows decorators\' wrappers, module constants, the project\'s helpers (keys passed to them, a JSON body they return, a length bound passed in) and form classes', () => {
    const helpersDir = join(dir, 'helpers')
    mkdirSync(helpersDir, { recursive: true })
    writeFileSync(join(helpersDir, 'app.py'), helpersApp)
    const reads = dumpFlaskReads(python, helpersDir)
    expect(reads.ok, reads.ok ? '' : reads.message).toBe(true)
    if (!reads.ok) return
    expect(reads.value.create_note).toEqual({ args: {}, form: {}, json: { mode: null, title: null, day: null }, headers: { 'X-Key': null }, cookies: {}, lengths: [80], literals: ['draft'] })
    expect(reads.value.form_note).toEqual({ args: {}, form: { title: 'str', day: 'date', rank: 'int' }, json: {}, headers: {}, cookies: {}, lengths: [40], literals: [] })
  })
})

describe('generated requests', () => {
  const urlMap: UrlMapDump = {
    strictSlashes: true,
    hostMatching: false,
    rules: [
      rule('/search', 'search', ['GET', 'HEAD', 'OPTIONS']),
      rule('/items', 'create', ['POST', 'OPTIONS']),
      rule('/items/<int:item_id>', 'get_item', ['GET', 'HEAD', 'OPTIONS'], [{ variable: 'item_id', name: 'int', args: [], kwargs: {} }]),
    ],
  }
  const reads: ReadsDump = {
    search: { args: { q: null, limit: 'int' }, form: {}, json: {}, headers: {}, cookies: {} },
    create: { args: {}, form: {}, json: { name: null, price: null }, headers: {}, cookies: {} },
    get_item: { args: {}, form: {}, json: {}, headers: {}, cookies: {} },
    __vocabulary__: ['bolt', 'nut', 'GET', 'SECRET_KEY'],
  }
  const lines = generateExploreScenario(urlMap, reads, { Authorization: 'Bearer ${token}' })

  it('varies each query argument with edge values and the app\'s words, upper case too', () => {
    const paths = lines.filter((line) => line.method === 'GET').map((line) => line.path)
    for (const path of ['/search?q=', '/search?q=bolt', '/search?q=BOLT', '/search?q=%C3%A9%E2%9C%93%20unicode', '/search?limit=-1', '/search?limit=1.5', '/search?limit=abc', '/search?q=bolt&limit=2']) {
      expect(paths).toContain(path)
    }
    expect(paths).not.toContain('/search?q=GET')
  })

  it('sends whole JSON objects, each key missing, each key with every kind of value, and bodies that are not objects', () => {
    const posts = lines.filter((line) => line.method === 'POST')
    expect(posts).toContainEqual(expect.objectContaining({ path: '/items', json: { name: 'Widget', price: 2.5 } }))
    expect(posts).toContainEqual(expect.objectContaining({ json: { price: 2.5 } }))
    expect(posts).toContainEqual(expect.objectContaining({ json: { name: 'Widget', price: '' } }))
    expect(posts).toContainEqual(expect.objectContaining({ json: { name: 'Widget', price: 1.5 } }))
    expect(posts).toContainEqual(expect.objectContaining({ json: { name: null, price: 2.5 } }))
    expect(posts).toContainEqual(expect.objectContaining({ json: [] }))
    expect(posts).toContainEqual(expect.objectContaining({ body: '{not json' }))
  })

  it('tries converter edge values, carries the scenario\'s credentials, and reads again after the writes', () => {
    const paths = lines.map((line) => line.path)
    expect(paths).toEqual(expect.arrayContaining(['/items/1', '/items/0', '/items/99999']))
    expect(lines.every((line) => line.headers?.Authorization === 'Bearer ${token}')).toBe(true)
    const lastWrite = lines.map((line) => line.method).lastIndexOf('POST')
    expect(lines.slice(lastWrite + 1).map((line) => line.path)).toContain('/items/1')
  })

  it('takes credentials from the scenario: its credential headers by endpoint, and its last login', () => {
    const scenario = [
      { method: 'GET', path: '/search?q=a', headers: { Authorization: 'Bearer ${jwt}', Accept: 'x' } },
      { method: 'GET', path: '/items/${ID}', headers: { 'X-API-Key': 'wrong' } },
      { method: 'GET', path: '/items/7', headers: { 'X-API-Key': 'fixed' } },
      { method: 'GET', path: '/items/8', headers: { 'X-API-Key': 'fixed' } },
      { method: 'POST', path: '/login', form: { username: 'ada', password: 'pw' }, save: { X: 'json.x' } },
      { method: 'POST', path: '/login', form: { username: 'bob', password: 'pw2' } },
      { method: 'GET', path: '/logout' },
    ]
    const credentials = scenarioCredentials(scenario)
    expect(credentials.login).toEqual({ method: 'POST', path: '/login', form: { username: 'bob', password: 'pw2' } })
    expect(scenarioCredentials([{ method: 'DELETE', path: '/items/1' }, { method: 'POST', path: '/items/2/delete' }, { method: 'GET', path: '/items/3' }]).deleted).toEqual(['1', '2'])
    const afterDeletes = generateExploreScenario(urlMap, reads, { uses: [], login: null, deleted: ['1', '2'] })
    expect(afterDeletes.find((line) => line.path.startsWith('/items/'))?.path).toBe('/items/3')
    const explored = generateExploreScenario(urlMap, reads, credentials)
    // The endpoint's own (most frequent) credentials, and the most frequent overall elsewhere (never two schemes mixed).
    expect(explored.filter((line) => line.path.startsWith('/items/')).every((line) => line.headers?.['X-API-Key'] === 'fixed' && line.headers.Authorization === undefined)).toBe(true)
    expect(explored.filter((line) => line.path.startsWith('/search')).every((line) => line.headers?.Authorization === 'Bearer ${jwt}' && line.headers['X-API-Key'] === undefined)).toBe(true)
    // Logged in first, and again before the writes.
    expect(explored[0]).toEqual(credentials.login)
    expect(explored.filter((line) => line.path === '/login').length).toBe(3)
  })

  it('tries strings at the length bounds the code checks, the strings it compares with in other cases, dates, and each create twice', () => {
    const bounded = generateExploreScenario(urlMap, { ...reads, create: { args: {}, form: {}, json: { name: null, day: null }, headers: {}, cookies: {}, lengths: [5], literals: ['true'] } })
    const bodies = bounded.filter((line) => line.method === 'POST').map((line) => JSON.stringify(line.json))
    for (const value of ['true', 'TRUE', 'True']) expect(bodies).toContain(JSON.stringify({ name: value, day: '2024-03-01' }))
    expect(bodies).toContain(JSON.stringify({ name: 'xxxxx', day: '2024-03-01' }))
    expect(bodies).toContain(JSON.stringify({ name: 'xxxxxx', day: '2024-03-01' }))
    expect(bodies.filter((body) => body === JSON.stringify({ name: 'Widget', day: '2024-03-01' })).length).toBe(2)
  })

  it('writes creates first, then updates, then deletes, whatever the order of the rules', () => {
    const crud: UrlMapDump = {
      ...urlMap,
      rules: [
        rule('/items/<int:item_id>', 'delete_item', ['DELETE', 'OPTIONS'], [{ variable: 'item_id', name: 'int', args: [], kwargs: {} }]),
        rule('/items/<int:item_id>/remove', 'remove_item', ['POST', 'OPTIONS'], [{ variable: 'item_id', name: 'int', args: [], kwargs: {} }]),
        rule('/items/<int:item_id>', 'update_item', ['PATCH', 'OPTIONS'], [{ variable: 'item_id', name: 'int', args: [], kwargs: {} }]),
        rule('/items', 'create', ['POST', 'OPTIONS']),
      ],
    }
    const writes = generateExploreScenario(crud, { ...reads, update_item: reads.create!, delete_item: reads.get_item!, remove_item: reads.get_item! }).filter((line) => line.method !== 'GET')
    const kinds = writes.map((line) => (line.method === 'DELETE' || line.path.endsWith('/remove') ? 'delete' : line.method === 'POST' ? 'create' : 'update'))
    expect(kinds.indexOf('update')).toBeGreaterThan(kinds.lastIndexOf('create'))
    expect(kinds.indexOf('delete')).toBeGreaterThan(kinds.lastIndexOf('update'))
  })

  it('shrinks a request one part at a time', () => {
    expect(shrinkCandidates({ method: 'POST', path: '/items?a=1&b=2', json: { name: 'x', price: 1 }, headers: { 'X-A': '1' } })).toEqual([
      { method: 'POST', path: '/items?b=2', json: { name: 'x', price: 1 }, headers: { 'X-A': '1' } },
      { method: 'POST', path: '/items?a=1', json: { name: 'x', price: 1 }, headers: { 'X-A': '1' } },
      { method: 'POST', path: '/items?a=1&b=2', json: { price: 1 }, headers: { 'X-A': '1' } },
      { method: 'POST', path: '/items?a=1&b=2', json: { name: 'x' }, headers: { 'X-A': '1' } },
      { method: 'POST', path: '/items?a=1&b=2', json: { name: 'x', price: 1 } },
    ])
  })
})

// The service forgets search's .lower(): a scenario that only searches in lower case cannot see it.
const honoMain = `
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const NAMES = ['bolt', 'nut']
const app = new Hono()
app.get('/search', (c) => {
  const q = c.req.query('q') ?? ''
  const raw = c.req.query('limit')
  const limit = raw === undefined ? 10 : /^-?\\d+$/.test(raw.trim()) ? Number(raw) : 10
  const hits = NAMES.filter((name) => name.includes(q))
  return c.json({ hits: limit < 0 ? hits.slice(0, hits.length + limit) : hits.slice(0, limit), q })
})
app.post('/items', async (c) => {
  let data: unknown
  try { data = await c.req.json() } catch { data = null }
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !('name' in data)) return c.json({ error: 'name' }, 400)
  const body = data as Record<string, unknown>
  return c.json({ name: body.name, price: 'price' in body ? body.price : 0 }, 201)
})
app.post('/theme', async (c) => {
  const form = await c.req.parseBody()
  const cookie = (c.req.header('cookie') ?? '').split('; ').find((pair) => pair.startsWith('seen='))
  return c.json({ seen: cookie && cookie.length > 5 ? cookie.slice(5) : null, theme: form.theme ?? null })
})
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' })
`

describe.skipIf(!hasFlask)('runVerify --explore', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'explore-verify-'))
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
  const scenario = write('scenario.jsonl', [{ method: 'GET', path: '/search?q=bo' }, { method: 'POST', path: '/items', json: { name: 'x' } }].map((line) => JSON.stringify(line)).join('\n') + '\n')
  const linkNodeModules = join(repoRoot, 'node_modules')

  it('the scenario alone passes; with --explore the dropped .lower() is found and shrunk to one argument', async () => {
    const alone: string[] = []
    expect(await runVerify({ flaskDir, serviceDir, scenario, linkNodeModules, output: (line) => alone.push(line) })).toBe(0)
    expect(alone).toEqual(['2 passed, 0 failed'])

    const lines: string[] = []
    const code = await runVerify({ flaskDir, serviceDir, scenario, explore: true, linkNodeModules, output: (line) => lines.push(line) })
    expect(code).toBe(1)
    expect(lines[0]).toMatch(/^note: --explore adds \d+ requests generated from what the views read \(lines 3 to \d+\)$/)
    const failing = lines.filter((line) => line.startsWith('#'))
    // Upper-case queries only: Flask lowers them, the service does not.
    expect(failing.length).toBeGreaterThan(0)
    for (const line of failing) expect(line).toMatch(/^#\d+ GET \/search\?(q=[^&]*[A-Z%][^&]*&limit=2|q=[^&]*[A-Z%][^ ]*)  body: /)
    const shrunk = lines.filter((line) => line.startsWith('shrunk #'))
    expect(shrunk.length).toBeGreaterThan(0)
    // The request with both arguments shrinks to the one that matters.
    expect(shrunk.some((line) => /"path":"\/search\?q=bolt"/.test(line) || /"path":"\/search\?q=[A-Z]+"/.test(line))).toBe(true)
    expect(lines.at(-1)).toMatch(/^\d+ passed, \d+ failed$/)
  }, 180_000)
})
