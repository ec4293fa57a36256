/**
 * Flask-Compress (src/emit/runtime/compress.ts) and Flask-Talisman (src/emit/runtime/talisman.ts)
 * against Debian's python3-flask-compress 1.4.0 and python3-flask-talisman 1.0.0: small apps
 * migrated by the CLI and replayed by `migrate verify` against real Flask, for what
 * fixtures/ext-flask-compress and ext-flask-talisman do not cover: Flask-Compress's defaults
 * (mimetypes, 500 bytes), Talisman's defaults (its CSP, SAMEORIGIN, strict-origin-when-cross-origin),
 * force_https (302, 301 when permanent, none behind an https proxy), a CSP string, report-only,
 * ALLOW-FROM, and both extensions on one app (Vary and Content-Encoding beside Talisman's headers).
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

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
const hasExtensions = spawnSync(python, ['-c', 'import flask_compress, flask_talisman'], { stdio: 'ignore' }).status === 0
if (!hasExtensions && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import flask_compress and flask_talisman, the oracles of test/runtime/compress-talisman.test.ts')

const root = mkdtempSync(join(tmpdir(), 'migrate-compress-talisman-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const HEADERS = ['Content-Encoding', 'Vary', 'Content-Security-Policy', 'Content-Security-Policy-Report-Only', 'Referrer-Policy', 'Strict-Transport-Security', 'Feature-Policy']

type Line = { method?: string; path: string; headers?: Record<string, string> }

async function verify(name: string, source: string, lines: Line[]): Promise<void> {
  const dir = join(root, name)
  mkdirSync(join(dir, 'input'), { recursive: true })
  writeFileSync(join(dir, 'input', 'wsgi.py'), source)
  writeFileSync(join(dir, 'scenario.jsonl'), lines.map((line) => JSON.stringify({ method: 'GET', compare_headers: HEADERS, ...line })).join('\n') + '\n')
  const migrated = await run(process.execPath, ['bin/migrate.js', join(dir, 'input'), '--out', join(dir, 'service'), '--force'])
  if (migrated.status !== 0) throw new Error(migrated.stdout + migrated.stderr)
  expect(migrated.stdout, 'every view migrated, no finding').toMatch(/ 0 stubs[\s\S]*findings: 0 errors/)
  const replay = await run(process.execPath, ['bin/migrate.js', 'verify', join(dir, 'input'), '--out', join(dir, 'service'), '--scenario', join(dir, 'scenario.jsonl')])
  const output = `${replay.stdout}\n${replay.stderr}`
  expect(output).toContain(`${lines.length} passed, 0 failed`)
}

describe.skipIf(!hasExtensions)('Flask-Compress and Flask-Talisman against Flask (migrate verify)', () => {
  it("the defaults of both, on one app", async () => {
    await verify(
      'defaults',
      `
from flask import Flask, jsonify
from flask_compress import Compress
from flask_talisman import Talisman

app = Flask(__name__)
compress = Compress(app)
talisman = Talisman()
talisman.init_app(app, force_https=False)


@app.get("/json/<int:n>")
def json_rows(n):
    return jsonify(rows=list(range(n)))


@app.get("/css")
def css():
    return "body { color: red; } " * 40, 200, {"Content-Type": "text/css"}


@app.get("/svg")
def svg():
    return "<svg></svg>" * 100, 200, {"Content-Type": "image/svg+xml"}
`,
      [
        { path: '/json/10', headers: { 'Accept-Encoding': 'gzip' } },
        { path: '/json/200', headers: { 'Accept-Encoding': 'gzip' } },
        { path: '/json/200', headers: { 'Accept-Encoding': 'gzip', 'X-Forwarded-Proto': 'https' } },
        { path: '/css', headers: { 'Accept-Encoding': 'deflate, gzip' } },
        { path: '/svg', headers: { 'Accept-Encoding': 'gzip' } },
        { path: '/nowhere', headers: { 'Accept-Encoding': 'gzip' } },
      ],
    )
  }, 300_000)

  it('force_https, a CSP string, report-only, ALLOW-FROM, no HSTS preload or subdomains', async () => {
    await verify(
      'https',
      `
from flask import Flask
from flask_talisman import Talisman

app = Flask(__name__)
talisman = Talisman()
talisman.init_app(
    app,
    force_https_permanent=True,
    content_security_policy="default-src 'self'; script-src 'self' cdn.example.com",
    content_security_policy_report_only=True,
    content_security_policy_report_uri="https://report.example.com/csp",
    frame_options="ALLOW-FROM",
    frame_options_allow_from="https://partner.example.com",
    strict_transport_security_include_subdomains=False,
    strict_transport_security_max_age=600,
    feature_policy={"geolocation": "'none'"},
    x_xss_protection=False,
    force_file_save=True,
)


@app.get("/")
def index():
    return "hello"
`,
      [
        { path: '/' },
        { path: '/?next=/x' },
        { method: 'POST', path: '/' },
        { path: '/', headers: { 'X-Forwarded-Proto': 'https' } },
        { path: '/missing', headers: { 'X-Forwarded-Proto': 'https' } },
      ],
    )
  }, 300_000)
})
