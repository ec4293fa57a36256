import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { camelToDash } from '../../src/analyze/ext-restx.js'
import type { PrintedUrlMap } from '../oracle/printed-url-map.js'

/**
 * Flask-RESTX's route table (src/analyze/ext-restx.ts) in the report, and cases checked by hand.
 * `migrate routes --json` against the url_map of real Flask + flask_restx 1.1.0 committed for
 * fixtures/ext-flask-restx*: test/analyze/extensions.test.ts, with the other extensions' fixtures.
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const scratch = mkdtempSync(join(tmpdir(), 'migrate-restx-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))


function migrate(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin/migrate.js'), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 })
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' }
}

interface ReportJson {
  summary: { readiness: number; views: number; viewsMigrated: number; unknownRouteSources: number }
  routes: { endpoint: string; rule: string; status: 'migrated' | 'stub'; reasons: string[] }[]
  findings: { ruleId: string; message: string; endpoint?: string }[]
}

function report(dir: string): ReportJson {
  const run = migrate([dir, '--dry-run', '--format', 'json'])
  expect(run.status, run.stderr).toBe(0)
  return JSON.parse(run.stdout) as ReportJson
}

function project(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

describe('Flask-RESTX in the report', () => {
  it("carries resources over, stubs RESTX's own Swagger views with extension-not-migrated, and does not serve /swaggerui", () => {
    const json = report(join(repoRoot, 'fixtures/ext-flask-restx/input'))
    const row = (endpoint: string) => json.routes.find((route) => route.endpoint === endpoint)!
    // The Swagger documents and pages, and an API root under the doc page at the same URL (doc="/"), are the extension's.
    for (const endpoint of ['specs', 'doc', 'root', 'v1.specs', 'v1.doc', 'v3.specs', 'v3.doc', 'v3.root', 'parent.child.specs']) {
      expect(row(endpoint), endpoint).toMatchObject({ status: 'stub', reasons: ['extension-not-migrated'] })
    }
    // Resources (rules/extensions/flask-restx.yaml), and an API root of its own (its 404), are carried over.
    for (const endpoint of ['hello_world', 'todos_todo_list', 'v1.users_user_list', 'v2.early_early_one', 'child.hello_world', 'v1.users_late_user', 'v1.root', 'v2.root', 'parent.child.root']) {
      expect(row(endpoint), endpoint).toMatchObject({ status: 'migrated', reasons: [] })
    }
    expect(row('restx_doc.static')).toMatchObject({ status: 'stub', reasons: ['static-files-not-migrated'] })
    // The project's own views stay migrated.
    for (const endpoint of ['home', 'v1.before_api', 'v1.after_api', 'v2.plain_v2']) expect(row(endpoint).status, endpoint).toBe('migrated')
    expect(json.findings.some((finding) => finding.ruleId === 'extension-routes-unknown')).toBe(false)
    expect(json.findings.find((finding) => finding.endpoint === 'v1.specs')?.message).toContain("flask_restx's own view (flask_restx.api.SwaggerView)")
    expect(json.summary.unknownRouteSources).toBe(0)
    // Every route but the two static rules is a view; RESTX's own views count as views not migrated,
    // and the /swaggerui static rule the service does not serve as work left.
    expect(json.summary.views).toBe(json.routes.length - 2)
    expect(json.summary.viewsMigrated).toBe(json.summary.views - 9)
    expect(json.summary.readiness).toBeLessThan(100)
  })

  // Routes of the blueprint part checked against real Flask + flask_restx 1.1.0 by hand (OwnEndpoints is not followed).
  it('follows an Api subclass that overrides only properties, and not one that overrides what routes', () => {
    const dir = project('subclass', {
      'app.py': [
        'from flask import Blueprint, Flask',
        'from flask.views import MethodView',
        'from flask_restx import Api, Resource',
        '',
        'class DocsApi(Api):',
        '    @property',
        '    def specs_url(self):',
        '        return "/swagger.json"',
        '',
        'class OwnEndpoints(Api):',
        '    def default_endpoint(self, resource, namespace):',
        '        return resource.__name__',
        '',
        'class Ping(Resource):',
        '    def get(self):',
        '        return "pong"',
        '',
        'class Plain(MethodView):',
        '    def get(self):',
        '        return "plain"',
        '',
        'app = Flask(__name__)',
        'bp = Blueprint("b", __name__)',
        'docs = DocsApi(bp, doc=False)',
        'docs.add_resource(Ping, "/ping")',
        'docs.add_resource(Plain, "/plain")',
        'own = OwnEndpoints(app)',
        'own.add_resource(Ping, "/own-ping")',
        'app.register_blueprint(bp, url_prefix="/b")',
        '',
      ].join('\n'),
    })
    const routes = migrate(['routes', dir, '--json'])
    expect(routes.status, routes.stderr).toBe(0)
    const rules = (JSON.parse(routes.stdout) as PrintedUrlMap).rules.map((rule) => `${rule.rule} ${rule.endpoint}`)
    expect(rules).toEqual(['/static/<path:filename> static', '/b/swagger.json b.specs', '/b/ b.root', '/swaggerui/<path:filename> restx_doc.static', '/b/ping b.ping', '/b/plain b.plain'])
    const json = report(dir)
    // A plain MethodView added to an Api is dispatched by the Api all the same.
    expect(json.routes.find((route) => route.endpoint === 'b.plain')).toMatchObject({ status: 'stub', reasons: ['extension-not-migrated'] })
    const unknown = json.findings.filter((finding) => finding.ruleId === 'extension-routes-unknown')
    expect(unknown.map((finding) => finding.message)).toEqual([expect.stringContaining('OwnEndpoints subclasses flask_restx.Api and overrides default_endpoint')])
    expect(json.summary.unknownRouteSources).toBe(1)
  })

  it('a RESTX blueprint registered twice is the ValueError Flask-RESTX raises', () => {
    const dir = project('twice', {
      'app.py': [
        'from flask import Blueprint, Flask',
        'from flask_restx import Api',
        'app = Flask(__name__)',
        'bp = Blueprint("bp", __name__)',
        'Api(bp)',
        'app.register_blueprint(bp)',
        'app.register_blueprint(bp, name="again")',
        '',
      ].join('\n'),
    })
    const json = report(dir)
    expect(json.findings.filter((finding) => finding.ruleId === 'flask-setup-error').map((finding) => finding.message)).toEqual([
      'flask-restx blueprints can only be registered once: Flask-RESTX raises ValueError',
    ])
  })
})

describe('camel_to_dash (flask_restx.utils), values printed by flask_restx 1.1.0', () => {
  it.each([
    ['HTTPStatusCheck', 'http_status_check'],
    ['getHTTPResponseCode', 'get_http_response_code'],
    ['HTTPResponseCodeXYZ', 'http_response_code_xyz'],
    ['TodoListV2', 'todo_list_v2'],
    ['Ping', 'ping'],
    ['users2Go', 'users2_go'],
    ['ABC', 'abc'],
    ['A1B2Cd', 'a1_b2_cd'],
  ])('%s → %s', (name, expected) => {
    expect(camelToDash(name)).toBe(expected)
  })
})
