import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type { PrintedRule, PrintedUrlMap } from '../oracle/printed-url-map.js'

/**
 * Extensions that register routes of their own (src/analyze/ext-*.ts). Flask-RESTX, Flask-Admin
 * and Flask-DebugToolbar are not Debian packages (and CI installs only python3-flask), so the
 * url_map real Flask + the extension build for each fixtures/ext-*\/input is committed as
 * expected-url-map.json (how each was computed: the fixture's README.md); `migrate routes --json`
 * must print the same rules in the same order. No Python runs here.
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const fixtureNames = readdirSync(join(repoRoot, 'fixtures'))
  .filter((name) => name.startsWith('ext-') && existsSync(join(repoRoot, 'fixtures', name, 'expected-url-map.json')))
  .sort()
const scratch = mkdtempSync(join(tmpdir(), 'migrate-extensions-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))


/** The CLI in a child process, awaited (a synchronous spawn would block the test worker's event loop). */
function migrate(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [join(repoRoot, 'bin/migrate.js'), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      done({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr })
    })
  })
}

/** The fields routing depends on, as test/routing/url-map.test.ts compares them. */
function routingFields(rule: PrintedRule) {
  return {
    rule: rule.rule,
    endpoint: rule.endpoint,
    methods: rule.methods === null ? null : [...rule.methods].sort(),
    converters: rule.converters.map((converter) => ({ ...converter, name: converter.name === 'default' ? 'string' : converter.name })),
    defaults: rule.defaults && Object.keys(rule.defaults).length > 0 ? rule.defaults : null,
    strictSlashes: rule.strictSlashes,
    redirectTo: rule.redirectTo ?? null,
  }
}

interface ReportJson {
  summary: { readiness: number; views: number; viewsMigrated: number; unknownRouteSources: number; blockers: { cause: string; routes: number }[] }
  routes: { endpoint: string; rule: string; status: 'migrated' | 'stub'; reasons: string[] }[]
  findings: { ruleId: string; message: string; endpoint?: string }[]
}

async function report(dir: string): Promise<ReportJson> {
  const run = await migrate([dir, '--dry-run', '--format', 'json'])
  expect(run.status, run.stderr).toBe(0)
  return JSON.parse(run.stdout) as ReportJson
}

async function routes(dir: string): Promise<string[]> {
  const run = await migrate(['routes', dir, '--json'])
  expect(run.status, run.stderr).toBe(0)
  return (JSON.parse(run.stdout) as PrintedUrlMap).rules.map((rule) => `${rule.rule} ${rule.endpoint}`)
}

function project(name: string, lines: string[]): string {
  const dir = join(scratch, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'app.py'), lines.join('\n') + '\n')
  return dir
}

const row = (json: ReportJson, endpoint: string) => {
  const found = json.routes.find((route) => route.endpoint === endpoint)
  expect(found, endpoint).toBeDefined()
  return found!
}
const unknownFindings = (json: ReportJson) => json.findings.filter((finding) => finding.ruleId === 'extension-routes-unknown').map((finding) => finding.message)

describe('extensions: migrate routes --json equals the url_map of real Flask + the extension', () => {
  it('has the extension fixtures', async () => {
    expect(fixtureNames).toEqual(['ext-flasgger', 'ext-flask-admin', 'ext-flask-debugtoolbar', 'ext-flask-restx', 'ext-flask-restx-behaviour', 'ext-flask-restx-init', 'ext-flask-security'])
  })

  it.each(fixtureNames)('%s', async (name) => {
    const expected = JSON.parse(readFileSync(join(repoRoot, 'fixtures', name, 'expected-url-map.json'), 'utf8')) as PrintedUrlMap
    const cli = await migrate(['routes', join('fixtures', name, 'input'), '--json'])
    expect(cli.status, cli.stderr).toBe(0)
    const printed = JSON.parse(cli.stdout) as PrintedUrlMap
    expect(printed.strictSlashes).toBe(expected.strictSlashes)
    expect(printed.hostMatching).toBe(expected.hostMatching)
    expect(printed.rules.map(routingFields)).toEqual(expected.rules.map(routingFields))
  })
})

describe('extensions in the report: their views are stubs, their static files not served', () => {
  it("Flask-Admin: flask_admin's own views and the project's @expose methods are extension-not-migrated", async () => {
    const json = await report(join(repoRoot, 'fixtures/ext-flask-admin/input'))
    for (const endpoint of ['admin.index', 'user.index_view', 'products.create_view', 'order.export', 'fileadmin.upload', 'rootadmin.index', 'people.details_view']) {
      expect(row(json, endpoint), endpoint).toMatchObject({ status: 'stub', reasons: ['extension-not-migrated'] })
    }
    for (const endpoint of ['order.stats', 'reports.Export', 'reports.both', 'backoffice.about', 'status.index']) {
      expect(row(json, endpoint), endpoint).toMatchObject({ status: 'stub', reasons: ['extension-not-migrated'] })
    }
    for (const endpoint of ['admin.static', 'backoffice.static', 'rootadmin.static']) expect(row(json, endpoint), endpoint).toMatchObject({ status: 'stub', reasons: ['static-files-not-migrated'] })
    expect(row(json, 'home').status).toBe('migrated')
    expect(json.findings.find((finding) => finding.endpoint === 'user.index_view')?.message).toContain("flask_admin's own view (flask_admin.model.base.BaseModelView.index_view)")
    expect(json.findings.find((finding) => finding.endpoint === 'order.stats')?.message).toContain('OrderView.stats is a view method of a flask_admin view class')
    expect(json.summary.blockers.map((blocker) => blocker.cause)).toEqual(expect.arrayContaining(['flask_admin own views', 'flask_admin views']))
    expect(unknownFindings(json)).toEqual([])
    expect(json.summary.unknownRouteSources).toBe(0)
    expect(json.summary.readiness).toBeLessThan(100)
  })

  it("flasgger: the UI page, the redirect and the spec JSON are flasgger's own views", async () => {
    const json = await report(join(repoRoot, 'fixtures/ext-flasgger/input'))
    for (const endpoint of ['flasgger.apidocs', 'flasgger.<lambda>', 'flasgger.apispec_1', 'api_docs.apidocs', 'api_docs.v2', 'internal.internal_spec']) {
      expect(row(json, endpoint), endpoint).toMatchObject({ status: 'stub', reasons: ['extension-not-migrated'] })
    }
    for (const endpoint of ['flasgger.static', 'api_docs.static']) expect(row(json, endpoint), endpoint).toMatchObject({ status: 'stub', reasons: ['static-files-not-migrated'] })
    expect(row(json, 'pets.list_pets').status).toBe('migrated')
    expect(unknownFindings(json)).toEqual([])
  })

  it("Flask-Security: every view its settings turn on is Flask-Security's own", async () => {
    const json = await report(join(repoRoot, 'fixtures/ext-flask-security/input'))
    const security = json.routes.filter((route) => route.endpoint.startsWith('security.') && route.endpoint !== 'security.static')
    expect(security.length).toBe(19)
    for (const route of security) expect(route, route.endpoint).toMatchObject({ status: 'stub', reasons: ['extension-not-migrated'] })
    expect(row(json, 'security.static')).toMatchObject({ status: 'stub', reasons: ['static-files-not-migrated'] })
    expect(json.findings.find((finding) => finding.endpoint === 'security.us_setup')?.message).toContain('(flask_security.unified_signin.us_setup)')
    expect(row(json, 'index').status).toBe('migrated')
    expect(unknownFindings(json)).toEqual([])
  })

  it("Flask-DebugToolbar: the toolbar's views, its static rule included, are its own", async () => {
    const json = await report(join(repoRoot, 'fixtures/ext-flask-debugtoolbar/input'))
    for (const endpoint of ['_debug_toolbar.static', 'debugtoolbar.sql_select', 'debugtoolbar.template_editor', 'debugtoolbar.save_template']) {
      expect(row(json, endpoint), endpoint).toMatchObject({ status: 'stub', reasons: ['extension-not-migrated'] })
    }
    for (const endpoint of ['index', 'go']) expect(row(json, endpoint).status).toBe('migrated')
    expect(unknownFindings(json)).toEqual([])
  })
})

// Each case was checked against real Flask 2.2.2 with the extension (flask_admin 1.6.1,
// flasgger 0.9.5, Flask-Security-Too 5.1.2, flask_debugtoolbar 0.14.1) where Flask can run it.
describe('extensions: what the analysis cannot know is said, never guessed', () => {
  it('Flask-DebugToolbar with DEBUG not set in the code: its routes depend on FLASK_DEBUG at start-up', async () => {
    const dir = project('toolbar-env', [
      'from flask import Flask',
      'from flask_debugtoolbar import DebugToolbarExtension',
      'app = Flask(__name__)',
      'app.config["SECRET_KEY"] = "dev"',
      'DebugToolbarExtension(app)',
      '@app.route("/")',
      'def index():',
      '    return "home"',
    ])
    expect(await routes(dir)).toEqual(['/static/<path:filename> static', '/ index'])
    const json = await report(dir)
    expect(unknownFindings(json)).toEqual([expect.stringContaining('DEBUG is not set in the code: Flask takes it from the environment (FLASK_DEBUG)')])
    expect(json.summary.unknownRouteSources).toBe(1)
    expect(json.summary.readiness).toBeLessThan(100)
  })

  it('Flask-DebugToolbar with DEBUG off, or DEBUG_TB_ENABLED off, adds nothing', async () => {
    for (const [name, line] of [
      ['toolbar-off', 'app.debug = False'],
      ['toolbar-disabled', 'app.config.update(DEBUG=True, DEBUG_TB_ENABLED=False)'],
    ]) {
      const dir = project(name, ['from flask import Flask', 'from flask_debugtoolbar import DebugToolbarExtension', 'app = Flask(__name__)', line!, 'DebugToolbarExtension(app)'])
      expect(await routes(dir)).toEqual(['/static/<path:filename> static'])
      expect(unknownFindings(await report(dir))).toEqual([])
    }
  })

  it('Flask-Security with a setting read from the environment or a file names it', async () => {
    const fromEnv = project('security-env', [
      'import os',
      'from flask import Flask',
      'from flask_security import Security',
      'app = Flask(__name__)',
      'app.config["SECRET_KEY"] = "dev"',
      'app.config["SECURITY_REGISTERABLE"] = os.environ.get("REGISTERABLE")',
      'Security(app, object())',
    ])
    expect(await routes(fromEnv)).toEqual(['/static/<path:filename> static'])
    expect(unknownFindings(await report(fromEnv))).toEqual([expect.stringContaining('SECURITY_REGISTERABLE is read from the environment variable REGISTERABLE')])
    const fromFile = project('security-file', ['from flask import Flask', 'from flask_security import Security', 'app = Flask(__name__)', 'app.config["SECRET_KEY"] = "dev"', 'app.config.from_pyfile("settings.cfg")', 'Security(app, object())'])
    expect(unknownFindings(await report(fromFile))).toEqual([expect.stringContaining('may be set by app.config.from_pyfile("settings.cfg")')])
  })

  it('Flask-Security: no blueprint with register_blueprint=False, none without a datastore, and its start-up errors', async () => {
    const off = project('security-off', ['from flask import Flask', 'from flask_security import Security', 'app = Flask(__name__)', 'app.config["SECRET_KEY"] = "dev"', 'Security(app, object(), register_blueprint=False)', 'Security(app)'])
    expect(await routes(off)).toEqual(['/static/<path:filename> static'])
    const totp = project('security-totp', ['from flask import Flask', 'from flask_security import Security', 'app = Flask(__name__)', 'app.config["SECRET_KEY"] = "dev"', 'app.config["SECURITY_TWO_FACTOR"] = True', 'Security(app, object())'])
    expect(await routes(totp)).toContain('/tf-select security.tf_select')
    const noKey = project('security-no-key', ['from flask import Flask', 'from flask_security import Security', 'app = Flask(__name__)', 'Security(app, object())'])
    expect(await routes(noKey)).toEqual(['/static/<path:filename> static'])
    expect((await report(noKey)).findings.filter((finding) => finding.ruleId === 'flask-setup-error').map((finding) => finding.message)).toEqual([expect.stringContaining('SECRET_KEY is not set')])
    expect((await report(totp)).findings.filter((finding) => finding.ruleId === 'flask-setup-error').map((finding) => finding.message)).toEqual([expect.stringContaining('Both TOTP_SECRETS and TOTP_ISSUER must be set')])
  })

  it('Flask-Admin: a view overriding __init__, or of a model it cannot name, is unknown; the other views are routed', async () => {
    const dir = project('admin-unknown', [
      'from flask import Flask',
      'from flask_admin import Admin, BaseView',
      'from flask_admin.contrib.sqla import ModelView',
      'from models import model_for',
      'class User:',
      '    pass',
      'class UserView(ModelView):',
      '    def __init__(self, session, **kwargs):',
      '        super().__init__(User, session, **kwargs)',
      'app = Flask(__name__)',
      'admin = Admin(app)',
      'admin.add_view(UserView(None))',
      'admin.add_view(ModelView(model_for("tag"), None))',
      'admin.add_view(ModelView(User, None, endpoint="people"))',
    ])
    const table = await routes(dir)
    expect(table.slice(0, 4)).toEqual(['/static/<path:filename> static', '/admin/static/<path:filename> admin.static', '/admin/ admin.index', '/admin/people/action/ people.action_view'])
    expect(table).toHaveLength(3 + 9)
    const json = await report(dir)
    expect(unknownFindings(json)).toEqual([expect.stringContaining('UserView overrides __init__'), expect.stringContaining('its model (models.model_for() result) is not a class the analysis can name')])
    expect(json.summary.unknownRouteSources).toBe(2)
  })

  it('Flask-Admin: the errors Flask-Admin raises at start-up', async () => {
    const dir = project('admin-errors', [
      'from flask import Flask',
      'from flask_admin import Admin, BaseView, expose',
      'class NoIndex(BaseView):',
      '    @expose("/other/")',
      '    def other(self):',
      '        return "other"',
      'app = Flask(__name__)',
      'Admin(app)',
      'Admin(app, endpoint="other")',
      'Admin(app, url="/third")',
      'NoIndex()',
    ])
    const messages = (await report(dir)).findings.filter((finding) => finding.ruleId === 'flask-setup-error').map((finding) => finding.message)
    expect(messages).toEqual([
      expect.stringContaining('Cannot assign two Admin() instances with same URL and subdomain to the same application'),
      expect.stringContaining('already registered under the name "admin"'),
      expect.stringContaining('Attempted to instantiate admin view NoIndex without default view'),
    ])
  })

  it('flasgger: a config the analysis cannot read is unknown', async () => {
    const dir = project('flasgger-unknown', ['from flask import Flask', 'from flasgger import Swagger', 'from settings import SWAGGER_CONFIG', 'app = Flask(__name__)', 'Swagger(app, config=SWAGGER_CONFIG)'])
    expect(await routes(dir)).toEqual(['/static/<path:filename> static'])
    expect(unknownFindings(await report(dir))).toEqual([expect.stringContaining('Swagger(config=settings.SWAGGER_CONFIG) is not known statically')])
  })
})
