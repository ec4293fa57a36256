import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'

// Readiness never claims what the tool did not see: for every fixture and acceptance app, the
// rules of Flask's own url_map are compared with the routes of the report, and when any is
// missing the readiness must be below 100. (bench/real-projects/fetch-and-compare.ts checks the
// same on the real public projects, which are never committed.)

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const fixtures = join(repoRoot, 'fixtures')
const oracle = join(repoRoot, 'test', 'oracle', 'flask_url_map.py')
const python = '/usr/bin/python3'

interface Case {
  name: string
  input: string
  app?: string
  env: Record<string, string>
  /** A committed url_map for apps whose extensions CI cannot install (fixtures/ext-*). */
  expected?: string
}

function appSpecs(dir: string): (string | undefined)[] {
  const file = join(dir, 'app-specs.json')
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [undefined]
}

const cases: Case[] = []
for (const name of readdirSync(fixtures).sort()) {
  const dir = join(fixtures, name)
  if (name.startsWith('_') || !existsSync(join(dir, 'input'))) continue
  const expected = join(dir, 'expected-url-map.json')
  // A fixture's env.json: the environment its app needs to import (as test/emit/fixtures.test.ts gives it).
  const envFile = join(dir, 'env.json')
  const env = existsSync(envFile) ? (JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, string>) : {}
  for (const app of appSpecs(dir)) {
    cases.push({ name: app === undefined ? name : `${name} --app ${app}`, input: join(dir, 'input'), ...(app !== undefined ? { app } : {}), env, ...(existsSync(expected) ? { expected } : {}) })
  }
}
const acceptanceEnv: Record<string, Record<string, string>> = { journal: { JOURNAL_TESTING: '1' } }
for (const name of readdirSync(join(fixtures, 'acceptance')).sort()) {
  cases.push({ name: `acceptance/${name}`, input: join(fixtures, 'acceptance', name), app: 'wsgi:app', env: acceptanceEnv[name] ?? {} })
}

const hasFlask = spawnSync(python, ['-c', 'import flask'], { stdio: 'ignore' }).status === 0
if (!hasFlask && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import flask, the oracle of test/report/readiness-honesty.test.ts')

function flaskRules(testCase: Case): string[] {
  let printed: string
  if (testCase.expected !== undefined) printed = readFileSync(testCase.expected, 'utf8')
  else {
    // {tmp} in an env.json value: a fresh folder (a database file the app creates at import).
    const tmp = mkdtempSync(join(tmpdir(), 'migrate-readiness-'))
    const env = Object.fromEntries(Object.entries(testCase.env).map(([key, value]) => [key, value.replaceAll('{tmp}', tmp)]))
    const run = spawnSync(python, [oracle, testCase.input, ...(testCase.app !== undefined ? [testCase.app] : [])], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 120_000,
    })
    rmSync(tmp, { recursive: true, force: true })
    if (run.status !== 0) throw new Error(`flask_url_map.py failed on ${testCase.name}:\n${run.stderr}`)
    printed = run.stdout
  }
  const urlMap = JSON.parse(printed) as { rules: { rule: string; endpoint: string }[] }
  return urlMap.rules.map((rule) => `${rule.endpoint} ${rule.rule}`)
}

describe.skipIf(!hasFlask)('readiness never claims routes the report does not have', () => {
  it('covers every fixture and acceptance app', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25)
  })

  it.each(cases)('$name', async (testCase) => {
    const outcome = await runPipeline({ input: testCase.input, ...(testCase.app !== undefined ? { app: testCase.app } : {}) }, await defaultStages())
    if (!outcome.ok) throw new Error(outcome.error.message)
    const { report } = outcome.result
    const reported = new Set(report.routes.map((route) => `${route.endpoint} ${route.rule}`))
    const missing = flaskRules(testCase).filter((rule) => !reported.has(rule))
    if (missing.length > 0) expect(report.summary.readiness, `missing from the report: ${missing.join(', ')}`).toBeLessThan(100)
    if (report.summary.readiness === 100) expect(missing).toEqual([])
  }, 120_000)
})
