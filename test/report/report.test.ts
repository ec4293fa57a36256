import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { emitProject } from '../../src/emit/index.js'
import { readRuntimeFiles } from '../../src/emit/runtime-files.js'
import { buildReport, renderJson, renderMarkdown, renderSarif, renderText, type MigrationReport } from '../../src/report/index.js'
import { sampleProject, sampleTranslation } from '../emit/fixture.js'
import { schemaErrors, validate } from './json-schema.js'

const SCHEMA = JSON.parse(readFileSync(resolve(__dirname, '../../schema/migration-report.schema.json'), 'utf8')) as Record<string, unknown>

async function sampleReport(): Promise<MigrationReport> {
  const ir = sampleProject()
  const translation = sampleTranslation()
  const emitted = await emitProject({ ir, app: ir.apps[0], translation, runtimeFiles: await readRuntimeFiles() })
  return buildReport({
    ir,
    app: ir.apps[0],
    findings: [...ir.findings, ...translation.findings, ...emitted.findings],
    routes: emitted.routes,
    files: [...emitted.files.keys()],
  })
}

describe('buildReport', () => {
  it('counts readiness over the views (the static rule only when it is a stub), rounded down; routeReadiness over every route', async () => {
    const report = await sampleReport()
    expect(report.summary.routes).toBe(9)
    expect(report.summary.stubbed).toBe(3)
    expect(report.summary.migrated).toBe(6)
    expect(report.summary.views).toBe(8)
    expect(report.summary.viewsMigrated).toBe(6)
    expect(report.summary.readiness).toBe(66)
    expect(report.summary.routeReadiness).toBe(66)
    expect(report.routes.map((route) => route.status)).toEqual(['stub', 'migrated', 'migrated', 'migrated', 'migrated', 'migrated', 'migrated', 'stub', 'stub'])
    expect(report.routes[4]).toMatchObject({ methods: ['GET', 'POST'], rule: '/api/items/', endpoint: 'items.list_items', location: { file: 'shop/items.py', line: 6 } })
  })

  it('drops duplicate findings (a stub finding is both the handler\'s and the project\'s)', async () => {
    const report = await sampleReport()
    expect(report.findings.filter((finding) => finding.ruleId === 'unsupported-call')).toHaveLength(1)
    expect(report.rules.find((rule) => rule.id === 'unsupported-call')).toEqual({ id: 'unsupported-call', severity: 'error', count: 1, docs: 'rules/unsupported-call.yaml' })
  })

  it('is 100 only when no route is a stub', () => {
    const ir = sampleProject()
    const app = ir.apps[0]
    const routes = app.routes.map((route, index) => ({ rule: route.rule, endpoint: route.endpoint, status: index === 0 ? ('stub' as const) : ('migrated' as const), reasons: [] }))
    const manyRoutes = { ...app, routes: Array.from({ length: 300 }, (_, index) => ({ ...app.routes[1], rule: `/r${index}`, endpoint: `r${index}` })) }
    const outcomes = manyRoutes.routes.map((route, index) => ({ rule: route.rule, endpoint: route.endpoint, status: index === 0 ? ('stub' as const) : ('migrated' as const), reasons: [] }))
    expect(buildReport({ ir, app: manyRoutes, findings: [], routes: outcomes, files: [] }).summary.readiness).toBe(99)
    expect(buildReport({ ir, app, findings: [], routes, files: [] }).summary.readiness).toBe(88)
    expect(buildReport({ ir, app: { ...app, routes: [] }, findings: [], routes: [], files: [] }).summary.readiness).toBe(100)
  })

  it('is never 100 while a source of routes was not read: each counts as one route not migrated', () => {
    const ir = sampleProject()
    const app = ir.apps[0]
    const routes = app.routes.map((route) => ({ rule: route.rule, endpoint: route.endpoint, status: 'migrated' as const, reasons: [] }))
    const unread = (ruleId: string) => ({ ruleId, severity: 'error' as const, message: 'x', location: { file: 'shop/__init__.py', line: 3, column: 1 } })
    const clean = buildReport({ ir, app, findings: [], routes, files: [] }).summary
    expect(clean.readiness).toBe(100)
    const one = buildReport({ ir, app, findings: [unread('dynamic-route')], routes, files: [] }).summary
    expect(one).toMatchObject({ unknownRouteSources: 1, readiness: 88, routeReadiness: 100 })
    const many = Array.from({ length: 300 }, (_, index) => ({ ...app.routes[1], rule: `/r${index}`, endpoint: `r${index}` }))
    const manyOutcomes = many.map((route) => ({ rule: route.rule, endpoint: route.endpoint, status: 'migrated' as const, reasons: [] }))
    expect(buildReport({ ir, app: { ...app, routes: many }, findings: [unread('extension-routes-unknown')], routes: manyOutcomes, files: [] }).summary.readiness).toBe(99)
  })

  it('a project whose only migrated route is static is 0% ready', () => {
    const ir = sampleProject()
    const app = ir.apps[0]
    const routes = app.routes.map((route) => ({ rule: route.rule, endpoint: route.endpoint, status: route.endpoint === 'static' ? ('migrated' as const) : ('stub' as const), reasons: [] }))
    const summary = buildReport({ ir, app, findings: [], routes, files: [] }).summary
    expect(summary.readiness).toBe(0)
    expect(summary.routeReadiness).toBe(11)
  })

  it('names the blockers, most routes first: hooks from route reasons, decorators and extensions from findings', () => {
    const ir = sampleProject()
    const app = ir.apps[0]
    const routes = app.routes.map((route, index) => ({ rule: route.rule, endpoint: route.endpoint, status: 'stub' as const, reasons: index < 5 ? ['before_request:load_user'] : [] }))
    const decorated = app.routes.slice(2, 4).map((route) => ({ ruleId: 'unknown-decorator', severity: 'error' as const, message: 'x', location: route.location, endpoint: route.endpoint, blockers: ['@login_required'] }))
    const summary = buildReport({ ir, app, findings: decorated, routes, files: [] }).summary
    expect(summary.blockers.map(({ cause, routes: count }) => [cause, count])).toEqual([
      ['before_request hook load_user', 5],
      ['@login_required', 2],
    ])
  })
})

describe('migration-report.json', () => {
  it('matches schema/migration-report.schema.json, a valid JSON Schema 2020-12 with no keyword ajv would ignore', async () => {
    expect(schemaErrors(SCHEMA)).toEqual([])
    const report = JSON.parse(renderJson(await sampleReport())) as unknown
    expect(validate(SCHEMA, report)).toEqual([])
    expect((report as { version: number }).version).toBe(1)
    // A report with every optional part the sample lacks: the demo's (legacySharedState, process-local-state).
    const demo = JSON.parse(readFileSync(resolve(__dirname, '../../fixtures/demo/snapshots/2-report.json'), 'utf8')) as { legacySharedState?: string[] }
    expect(demo.legacySharedState).toContain('api.add_book')
    expect(validate(SCHEMA, demo)).toEqual([])
  })

  it('the schema rejects a report with a wrong shape', async () => {
    const report = JSON.parse(renderJson(await sampleReport())) as Record<string, unknown>
    const broken = { ...report, version: 2, summary: { ...(report.summary as object), readiness: 140 }, extra: true }
    delete (broken as Record<string, unknown>).routes
    const errors = validate(SCHEMA, broken)
    expect(errors).toContain('$: missing routes')
    expect(errors).toContain('$.version: must be equal to constant')
    expect(errors).toContain('$.summary.readiness: must be <= 100')
    expect(errors).toContain('$: unexpected property extra')
  })

  it('a schema keyword no validator knows is an error, not ignored (ajv strict mode)', () => {
    expect(() => validate({ type: 'string', maxLenght: 3 }, 'x')).toThrow(/unknown keyword/)
  })

  it('holds no absolute path or timestamp, and is the same twice', async () => {
    const first = renderJson(await sampleReport())
    expect(renderJson(await sampleReport())).toBe(first)
    expect(first).not.toMatch(/"\/(?:work|tmp|home|Users)\//)
    expect(first).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/)
  })
})

describe('MIGRATION_REPORT.md', () => {
  it('has the summary, a row per route and findings grouped by rule with doc links', async () => {
    const markdown = renderMarkdown(await sampleReport())
    expect(markdown).toContain('| Readiness | **66%** of views (6 of 8 views migrated) |')
    expect(markdown).toContain('| Routes | 6 of 9 migrated (66%, the automatic `static` rules included) |')
    expect(markdown).toContain('| GET, POST | `/api/items/` | `items.list_items` | shop/items.py:6:1 | migrated |')
    expect(markdown).toContain('| GET | `/users/export` | `users.export` | shop/users.py:10:1 | **stub** (unsupported-call) |')
    expect(markdown).toContain('### [view-not-translated](rules/view-not-translated.yaml) (error, 1)')
    expect(markdown).toMatch(/- error shop\/users\.py:15:1 `users\.report`: No translation/)
  })
})

describe('SARIF', () => {
  it('is a 2.1.0 log with one result per finding and mapped levels', async () => {
    const report = await sampleReport()
    const sarif = JSON.parse(renderSarif(report)) as {
      version: string
      runs: { tool: { driver: { name: string; rules: { id: string; defaultConfiguration: { level: string } }[] } }; results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number } } }[] }[] }[]
    }
    expect(sarif.version).toBe('2.1.0')
    const run = sarif.runs[0]
    expect(run.tool.driver.name).toBe('migrate')
    expect(run.results).toHaveLength(report.findings.length)
    const levels = new Set(run.results.map((result) => result.level))
    for (const level of levels) expect(['error', 'warning', 'note']).toContain(level)
    const cors = run.results.find((result) => result.ruleId === 'extension-unsupported')
    expect(cors?.level).toBe('warning')
    expect(cors?.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'shop/__init__.py', uriBaseId: '%SRCROOT%' }, region: { startLine: 25, startColumn: 5 } })
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId)
  })

  it('maps info to note', () => {
    const ir = sampleProject()
    const report = buildReport({ ir, app: null, findings: [{ ruleId: 'multiple-apps', severity: 'info', message: 'two apps', location: { file: 'a.py', line: 1, column: 1 } }], routes: [], files: [] })
    const sarif = JSON.parse(renderSarif(report)) as { runs: { results: { level: string }[]; tool: { driver: { rules: { defaultConfiguration: { level: string } }[] } } }[] }
    expect(sarif.runs[0].results[0].level).toBe('note')
    expect(sarif.runs[0].tool.driver.rules[0].defaultConfiguration.level).toBe('note')
  })
})

describe('text summary', () => {
  it('lists the numbers, the stubs and the findings with file:line', async () => {
    const text = renderText(await sampleReport())
    expect(text.split('\n')[0]).toBe('shop:create_app(): 9 routes, 6 migrated, 3 stubs, readiness 66% (6 of 8 views migrated; 66% of all routes with static)')
    expect(text).toContain('stub     shop/users.py:15:1  users.report /users/report')
    expect(text).toMatch(/warning +shop\/__init__\.py:25:5 +extension-unsupported: flask_cors\.CORS is not carried over/)
  })
})
