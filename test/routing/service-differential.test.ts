import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'
import { runVerify, samplePath } from '../../src/verify/index.js'

/**
 * Routing fidelity over HTTP: for every routing fixture, the generated service (built and
 * started) and Flask's test client answer a request matrix generated from the route table
 * (valid and rejected converter values, wrong methods, HEAD, OPTIONS, slash variants) alike.
 * The only differences allowed are requests the service answers 501 (endpoints the report
 * names as stubs, for instance views that close over a factory's variables), and HEAD requests
 * to a rule the report flags as head-only-rule (Hono routes HEAD as GET before any router), and,
 * with the same status, the error body of a rule whose view the report names as an extension's
 * resource (Flask-RESTful answers 404/405 on its own routes in its own JSON; reported as
 * extension-not-migrated until that extension is carried over).
 */
const repo = join(dirname(new URL(import.meta.url).pathname), '..', '..')
const fixtures = join(repo, 'fixtures')
const cases = readdirSync(fixtures).filter((name) => name.startsWith('routing-')).sort()
const hasFlask = spawnSync('/usr/bin/python3', ['-c', 'import flask'], { stdio: 'ignore' }).status === 0
// CI installs the oracle (.ci/run): there a missing one fails the run instead of skipping.
if (!hasFlask && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import Flask/Werkzeug, the oracle of test/routing/service-differential.test.ts')
const outRoot = mkdtempSync(join(tmpdir(), 'migrate-routing-http-'))
afterAll(() => rmSync(outRoot, { recursive: true, force: true }))

describe.skipIf(!hasFlask)('generated service vs Flask over HTTP (generated request matrix)', () => {
  for (const name of cases) {
    it(name, async () => {
      const input = join(fixtures, name, 'input')
      // A fixture of several apps names them in app-specs.json: the first is served.
      const specs = join(fixtures, name, 'app-specs.json')
      const app = existsSync(specs) ? (JSON.parse(readFileSync(specs, 'utf8')) as string[])[0] : undefined
      const result = await runPipeline({ input, ...(app !== undefined ? { app } : {}) }, await defaultStages())
      if (!result.ok) throw new Error(result.error.message)
      const service = join(outRoot, name)
      for (const [path, content] of [...result.result.files, ...result.result.emitted.assets]) {
        mkdirSync(dirname(join(service, path)), { recursive: true })
        writeFileSync(join(service, path), content)
      }
      const lines: string[] = []
      await runVerify({ flaskDir: input, serviceDir: service, ...(app !== undefined ? { app } : {}), python: '/usr/bin/python3', linkNodeModules: join(repo, 'node_modules'), output: (line) => lines.push(line) })
      const summary = lines.at(-1) ?? ''
      expect(summary, lines.join('\n')).toMatch(/^\d+ passed, \d+ failed$/)
      expect(Number(summary.split(' ')[0]), 'requests compared').toBeGreaterThan(10)
      const byRequest = new Map<string, string[]>()
      for (const line of lines) {
        const match = /^(#\d+ \S+ \S+)\s+(.*)$/.exec(line)
        if (match) byRequest.set(match[1]!, [...(byRequest.get(match[1]!) ?? []), match[2]!])
      }
      const headOnlyRules = new Set(
        result.result.report.findings
          .filter((finding) => finding.ruleId === 'head-only-rule')
          .map((finding) => result.result.app.routes.find((route) => route.endpoint === finding.endpoint)?.rule),
      )
      const extensionEndpoints = new Set(result.result.report.findings.filter((finding) => finding.ruleId === 'extension-not-migrated' && finding.endpoint !== undefined).map((finding) => finding.endpoint))
      const extensionPaths = new Set(result.result.app.routes.filter((route) => extensionEndpoints.has(route.endpoint)).map((route) => samplePath(route)))
      const explained = (request: string, differences: string[]): boolean =>
        differences.some((d) => /^status: flask \d+ \| service 501$/.test(d)) ||
        (request.split(' ')[1] === 'HEAD' && headOnlyRules.has(request.split(' ')[2])) ||
        (extensionPaths.has(request.split(' ')[2]!) && !differences.some((d) => d.startsWith('status:')))
      const unexplained = [...byRequest].filter(([request, differences]) => !explained(request, differences))
      expect(unexplained.map(([request, differences]) => `${request}: ${differences.join('; ')}`)).toEqual([])
      if (result.result.report.summary.stubbed === 0 && headOnlyRules.size === 0) expect(summary).toMatch(/ 0 failed$/)
    }, 180_000)
  }
})
