import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runVerify } from '../../src/verify/index.js'
import { startService } from '../../src/verify/service.js'

// runVerify end to end on hand-written Flask apps and hand-written Hono services, so the
// harness is tested without waiting for the translator: exit codes and output, and, on a
// scenario that uses every part of the format, the same report as the reference runner
// (test/oracle/scenario/difftest.py) against the same service.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const python = '/usr/bin/python3'
const difftest = join(repoRoot, 'test', 'oracle', 'scenario', 'difftest.py')
const hasFlask = spawnSync(python, ['-c', 'import flask'], { stdio: 'ignore' }).status === 0
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
    response.set_cookie("user", request.form["user"])
    return response

@app.route("/whoami")
def whoami():
    return jsonify(user=request.cookies.get("user"))
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
  setCookie(c, 'user', String(form.user), { path: '/' })
  return c.html('<p>Redirecting...</p>', 302, { Location: '/?from=login' })
})
app.get('/whoami', (c) => c.json({ user: getCookie(c, 'user') ?? null }))
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

function honoProject(name: string, main: string): string {
  return writeProject(name, {
    'package.json': JSON.stringify({
      name,
      private: true,
      type: 'module',
      scripts: { start: 'node --import tsx src/main.ts' },
      dependencies: { hono: '*', '@hono/node-server': '*' },
      devDependencies: { tsx: '*' },
    }),
    'src/main.ts': main,
  })
}

const linkNodeModules = join(repoRoot, 'node_modules')

describe.skipIf(!hasFlask)('runVerify', () => {
  const flaskDir = writeProject('flask', { 'app.py': flaskApp })
  const scenarioFile = join(workDir, 'scenario.jsonl')
  writeFileSync(scenarioFile, scenario.map((request) => JSON.stringify(request)).join('\n') + '\n')

  it('returns 0 when the service answers as Flask does (cookies carried over)', async () => {
    const lines: string[] = []
    const serviceDir = honoProject('same', honoService('Number(c.req.param("id"))'))
    const code = await runVerify({ flaskDir, serviceDir, scenario: scenarioFile, linkNodeModules, output: (line) => lines.push(line) })
    expect(lines).toEqual(['5 passed, 0 failed'])
    expect(code).toBe(0)
    expect(existsSync(join(serviceDir, 'node_modules', 'hono'))).toBe(true)
  })

  it('returns 1 and names the request, field and both values on a difference', async () => {
    const lines: string[] = []
    const serviceDir = honoProject('different', honoService('c.req.param("id")'))
    const code = await runVerify({ flaskDir, serviceDir, scenario: scenarioFile, linkNodeModules, output: (line) => lines.push(line) })
    expect(code).toBe(1)
    expect(lines).toEqual([
      '#3 GET /items/3  body: flask {"id": 3, "price": 3.0} | service {"price": 3, "id": "3"}',
      '4 passed, 1 failed',
    ])
  })

  it('generates routing requests from the URL map without a scenario', async () => {
    const lines: string[] = []
    const serviceDir = honoProject('generated', honoService('Number(c.req.param("id"))'))
    const code = await runVerify({ flaskDir, serviceDir, linkNodeModules, output: (line) => lines.push(line) })
    // The hand-written service has neither Werkzeug's error pages nor automatic OPTIONS.
    expect(code).toBe(1)
    expect(lines.at(-1)).toMatch(/^\d+ passed, [1-9]\d* failed$/)
    expect(lines).toContain('#8 OPTIONS /  Allow: flask ["GET", "HEAD", "OPTIONS"] | service null')
    expect(lines).toContain('#9 PUT /  status: flask 405 | service 404')
  })

  it('exits 2 with one line when the Python cannot import flask', async () => {
    const lines: string[] = []
    const code = await runVerify({ flaskDir, serviceDir: join(workDir, 'none'), python: '/bin/false', output: (line) => lines.push(line) })
    expect(code).toBe(2)
    expect(lines).toEqual(['migrate: /bin/false cannot import flask (install Flask for it, or pass another --python)'])
  })

  it('exits 2 on a scenario error, naming the line, before the service is built', async () => {
    const lines: string[] = []
    const bad = join(workDir, 'bad.jsonl')
    writeFileSync(bad, '{"method":"GET","path":"/"}\n\n{"method":"GET","path":"/","expect":200}\n')
    const code = await runVerify({ flaskDir, serviceDir: join(workDir, 'none'), scenario: bad, output: (line) => lines.push(line) })
    expect(code).toBe(2)
    expect(lines).toEqual([`migrate: scenario error: ${bad}:3: unknown keys ['expect']`])
  })

  it('exits 2 when the service does not start', async () => {
    const lines: string[] = []
    const serviceDir = writeProject('broken', {
      'package.json': JSON.stringify({ name: 'broken', type: 'module', scripts: { start: 'node -e "process.exit(3)"' } }),
    })
    const code = await runVerify({ flaskDir, serviceDir, scenario: scenarioFile, linkNodeModules, output: (line) => lines.push(line) })
    expect(code).toBe(2)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^migrate: service did not start/)
  })
})

// ------------------------------------------------ the whole scenario format, against difftest.py

const featureFlaskApp = `
import gzip, json, os, secrets
from flask import Flask, jsonify, redirect, request, session

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]  # --env, before the app is imported
DATA = os.environ["DATA_DIR"]  # {tmp}: a folder of this side's own
os.makedirs(DATA, exist_ok=True)

@app.after_request
def stamp(response):
    response.headers["X-Thing"] = "yes"
    response.headers["X-Request-Token"] = secrets.token_hex(4)
    return response

@app.route("/")
def index():
    return "hi"

@app.route("/items/<int:item_id>")
def item(item_id):
    return jsonify(id=item_id, price=3.0)

@app.route("/login", methods=["POST"])
def login():
    session["user"] = request.form["user"]
    response = redirect("/?from=login")
    response.set_cookie("theme", "dark")
    return response

@app.route("/whoami")
def whoami():
    return jsonify(user=session.get("user"), theme=request.cookies.get("theme"))

@app.route("/logout", methods=["POST"])
def logout():
    session.clear()
    response = jsonify(ok=True)
    response.delete_cookie("theme")
    return response

@app.route("/notes", methods=["POST"])
def create_note():
    token = secrets.token_hex(8)
    with open(os.path.join(DATA, token), "w") as handle:
        json.dump(request.get_json(), handle)
    return jsonify(token=token, count=len(os.listdir(DATA))), 201

@app.route("/notes/<token>")
def note(token):
    with open(os.path.join(DATA, token)) as handle:
        return jsonify(json.load(handle))

@app.route("/echo", methods=["POST", "PUT"])
def echo():
    return jsonify(seen="flask")

@app.route("/gz")
def gz():
    return gzip.compress(b'{"zipped": true}'), 200, {"Content-Type": "application/json", "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
`

/** A Hono service for the feature app; `different` changes what the scenario should catch. */
function featureService(sessions: { ada: string; bob: string }, different: boolean): string {
  return `
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const different = ${different}
const sessions = ${JSON.stringify(sessions)}
const data = process.env.DATA_DIR
mkdirSync(data, { recursive: true })
const cookies = (c) => Object.fromEntries((c.req.header('cookie') ?? '').split('; ').filter(Boolean).map((pair) => pair.split('=')))
const user = (c) => Object.keys(sessions).find((name) => sessions[name] === cookies(c).session) ?? null

const app = new Hono()
app.use('*', async (c, next) => {
  if (!(different && c.req.path === '/whoami')) c.header('X-Thing', 'yes')
  c.header('X-Request-Token', randomBytes(4).toString('hex'))
  await next()
})
app.on(['GET', 'HEAD'], '/', (c) => c.html('hi'))
app.get('/items/:id{[0-9]+}', (c) => c.json({ price: 3, id: different ? c.req.param('id') : Number(c.req.param('id')) }))
app.options('/items/:id{[0-9]+}', (c) => c.html('', 200, { Allow: different ? 'GET, OPTIONS' : 'OPTIONS, HEAD, GET' }))
app.post('/login', async (c) => {
  const form = await c.req.parseBody()
  c.header('Set-Cookie', 'session=' + (different ? 'not-a-flask-session' : sessions[form.user]) + '; HttpOnly; Path=/', { append: true })
  c.header('Set-Cookie', 'theme=dark; Path=/', { append: true })
  // Scheme and host aside, only the path and query of Location are compared.
  return c.html('<p>Redirecting...</p>', 302, { Location: different ? '/?from=signin' : 'http://elsewhere.example/?from=login' })
})
app.get('/whoami', (c) => c.json({ user: user(c), theme: cookies(c).theme ?? null }))
app.post('/logout', (c) => {
  c.header('Set-Cookie', different ? 'session=' + sessions.bob + '; Path=/' : 'session=; Max-Age=0; Path=/', { append: true })
  c.header('Set-Cookie', 'theme=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/', { append: true })
  return c.json({ ok: true })
})
app.post('/notes', async (c) => {
  const token = randomBytes(8).toString('hex')
  writeFileSync(join(data, token), await c.req.text())
  return c.json({ count: readdirSync(data).length, token }, 201)
})
app.get('/notes/:token', (c) => c.json(JSON.parse(readFileSync(join(data, c.req.param('token')), 'utf8'))))
app.on(['POST', 'PUT'], '/echo', async (c) => {
  // The request as it arrived (the Host port and the Cookie value aside): the runners must send the same.
  const incoming = c.env.incoming
  const lines = [incoming.method + ' ' + incoming.url]
  for (let index = 0; index < incoming.rawHeaders.length; index += 2) {
    const name = incoming.rawHeaders[index]
    lines.push(name + ': ' + (['host', 'cookie'].includes(name.toLowerCase()) ? '…' : incoming.rawHeaders[index + 1]))
  }
  return c.json({ sent: lines.join('|') + '||' + (await c.req.text()) })
})
app.get('/gz', (c) => {
  const body = '{"zipped":true}'
  return different
    ? c.body(body, 200, { 'Content-Type': 'application/json', Vary: 'Accept-Encoding' })
    : c.body(gzipSync(body), 200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' })
})
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' })
`
}

/** Every kind of line and key of the scenario format (../shared/README.md). */
const featureScenario = [
  { volatile: ['headers.X-Request-Token'] },
  { method: 'GET', path: '/' },
  { method: 'HEAD', path: '/' },
  { method: 'GET', path: '/items/3' },
  { method: 'OPTIONS', path: '/items/3' },
  { method: 'POST', path: '/login', form: { user: 'ada' } },
  { method: 'GET', path: '/whoami', save: { WHO: 'json.user' } },
  null, // a blank line counts
  { method: 'POST', path: '/notes', json: { text: 'note of ${WHO}', tags: ['b', 'é'], n: 1 }, save: { TOKEN: 'json.token' }, volatile: ['json.token'] },
  { method: 'GET', path: '/notes/${TOKEN}' },
  { method: 'PUT', path: '/echo?who=${WHO}', headers: { 'Content-Type': 'text/plain', 'X-Who': '${WHO}' }, body: 'body of ${WHO}' },
  { method: 'POST', path: '/echo', form: { a: '1', b: 'x y&z', who: '${WHO}' } },
  { method: 'POST', path: '/echo', json: { z: [1, { y: '${WHO}' }], a: null } },
  { method: 'POST', path: '/echo' },
  { method: 'GET', path: '/gz', compare_headers: ['Content-Encoding', 'Vary'] },
  { method: 'POST', path: '/logout' },
  { method: 'GET', path: '/whoami' },
  { method: 'GET', path: '/notes/${NEVER_SAVED}' },
  { method: 'GET', path: '/items/4', save: { NOPE: 'json.nope' } },
]

/** difftest.py's `FAIL label: what: flask=X migrated=Y` and `note label: …` as migrate verify prints them. */
function asVerifyLine(line: string): string {
  const fail = /^FAIL (#\d+ \S+ \S+): (.+?): flask=(.*) migrated=(.*)$/.exec(line)
  return fail ? `${fail[1]}  ${fail[2]}: flask ${fail[3]} | service ${fail[4]}` : line
}

describe.skipIf(!hasFlask)('the whole scenario format, as difftest.py judges it', () => {
  const flaskDir = writeProject('feature-flask', { 'app.py': featureFlaskApp })
  const scenarioFile = join(workDir, 'feature.jsonl')
  writeFileSync(scenarioFile, featureScenario.map((line) => (line === null ? '' : JSON.stringify(line))).join('\n') + '\n')
  const env = { SECRET_KEY: 'feature-secret', DATA_DIR: '{tmp}/notes' }
  // Session cookies as Flask signs them for this app: the service hands out the same payloads.
  const signed = spawnSync(python, ['-c', [
    'import flask',
    'app = flask.Flask("x"); app.secret_key = "feature-secret"',
    's = app.session_interface.get_signing_serializer(app)',
    'print(s.dumps({"user": "ada"})); print(s.dumps({"user": "bob"}))',
  ].join('\n')], { encoding: 'utf8' }).stdout.trim().split('\n')
  const sessions = { ada: signed[0]!, bob: signed[1]! }

  async function bothRunners(name: string, different: boolean): Promise<{ ours: string[]; reference: string[]; code: number }> {
    const serviceDir = honoProject(name, featureService(sessions, different))
    const ours: string[] = []
    const code = await runVerify({ flaskDir, serviceDir, scenario: scenarioFile, env, linkNodeModules, output: (line) => ours.push(line) })
    const serviceTmp = mkdtempSync(join(workDir, `${name}-tmp-`))
    const started = await startService(serviceDir, 60_000, { ...env, DATA_DIR: `${serviceTmp}/notes` })
    if (!started.ok) throw new Error(started.message)
    try {
      const args = [difftest, '--flask-dir', flaskDir, '--entry', 'app:app', '--scenario', scenarioFile, '--url', started.value.baseUrl]
      for (const [key, value] of Object.entries(env)) args.push('--env', `${key}=${value}`)
      const replay = spawnSync(python, args, { encoding: 'utf8', timeout: 60_000 })
      return { ours, reference: replay.stdout.trim().split('\n').map(asVerifyLine), code }
    } finally {
      await started.value.stop()
    }
  }

  it('a service that matches fails only the lines the scenario breaks on both sides, as difftest.py reports them', async () => {
    const { ours, reference, code } = await bothRunners('feature-same', false)
    expect(ours).toEqual(reference)
    expect(code).toBe(1)
    // The echo lines fail by design (Flask does not echo); their service values show what was sent.
    expect(ours.filter((line) => !/^#1[1-4] \S+ \/echo/.test(line))).toEqual([
      '#18 GET /notes/${NEVER_SAVED}  flask side: flask "ScenarioError: ${NEVER_SAVED} used before it was saved" | service null',
      '#18 GET /notes/${NEVER_SAVED}  service side: flask null | service "${NEVER_SAVED} used before it was saved"',
      '#19 GET /items/4  flask side: flask "ScenarioError: save NOPE: json.nope is not in this response\'s JSON body" | service null',
      '#19 GET /items/4  service side: flask null | service "save NOPE: json.nope is not in this response\'s JSON body"',
      '11 passed, 6 failed',
    ])
    // What was sent: the method and target, the line's headers, its body's content type,
    // User-Agent, the jar's cookies, Content-Length only with a body, and nothing else.
    expect(ours.filter((line) => /^#1[1-4] \S+ \/echo/.test(line))).toEqual([
      '#11 PUT /echo?who=${WHO}  body: flask {"seen": "flask"} | service {"sent": "PUT /echo?who=ada|Host: \\u2026|Content-Type: text/plain|X-Who: ada|User-Agent: scenario-replay|Cookie: \\u2026|Content-Length: 11||body of ada"}',
      '#12 POST /echo  body: flask {"seen": "flask"} | service {"sent": "POST /echo|Host: \\u2026|Content-Type: application/x-www-form-urlencoded|User-Agent: scenario-replay|Cookie: \\u2026|Content-Length: 21||a=1&b=x+y%26z&who=ada"}',
      '#13 POST /echo  body: flask {"seen": "flask"} | service {"sent": "POST /echo|Host: \\u2026|Content-Type: application/json|User-Agent: scenario-replay|Cookie: \\u2026|Content-Length: 35||{\\"z\\": [1, {\\"y\\": \\"ada\\"}], \\"a\\": null}"}',
      '#14 POST /echo  body: flask {"seen": "flask"} | service {"sent": "POST /echo|Host: \\u2026|User-Agent: scenario-replay|Cookie: \\u2026||"}',
    ])
  }, 120_000)

  it('a service that differs: the same differences and notes as difftest.py', async () => {
    const { ours, reference, code } = await bothRunners('feature-different', true)
    expect(ours).toEqual(reference)
    expect(code).toBe(1)
    const fields = ours.filter((line) => !/^#1[1-4] \S+ \/echo/.test(line)).map((line) => line.replace(/: flask .*/, ''))
    expect(fields).toEqual([
      '#4 GET /items/3  body',
      '#5 OPTIONS /items/3  Allow',
      "note #6 POST /login: Set-Cookie session: not decodable with Flask's session serializer and the app's SECRET_KEY; compared by name only",
      '#6 POST /login  Location',
      '#7 GET /whoami  body',
      '#7 GET /whoami  header x-thing',
      '#10 GET /notes/${TOKEN}  body',
      '#15 GET /gz  header content-encoding',
      '#16 POST /logout  Set-Cookie session (cleared vs set)',
      '#17 GET /whoami  body',
      '#17 GET /whoami  header x-thing',
      '#18 GET /notes/${NEVER_SAVED}  flask side',
      '#18 GET /notes/${NEVER_SAVED}  service side',
      '#19 GET /items/4  flask side',
      '#19 GET /items/4  service side',
      '3 passed, 14 failed',
    ])
  }, 120_000)
})
