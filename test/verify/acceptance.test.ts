import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runVerify } from '../../src/verify/index.js'
import { buildService, installDependencies, startService } from '../../src/verify/service.js'

// Acceptance. Two kinds of apps, both migrated by the CLI and answered against real Flask:
// - fixtures/acceptance/<app>: the acceptance apps (copies of ../shared/acceptance), replayed by the
//   reference runner test/oracle/scenario/difftest.py. Each must pass at least the floor in
//   acceptance-expected.json, and every request that does not pass must be a loud stub: the service
//   answered 501 (or the request needs a value an earlier stub never gave). Any other difference is a
//   silent divergence and fails the test.
// - fixtures/<case> with a scenario.jsonl (the README's demo, and fixtures written for one area):
//   replayed by `migrate verify`'s own runner, and must pass every request. A fixture's env.json
//   (optional) is the environment of both sides, as `--env`: `{tmp}` is a fresh folder per side.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const acceptanceDir = join(repoRoot, 'fixtures', 'acceptance')
const difftest = join(repoRoot, 'test', 'oracle', 'scenario', 'difftest.py')
const python = '/usr/bin/python3'

interface Expected {
  passed: number
  env: Record<string, string>
}
const expected = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'acceptance-expected.json'), 'utf8')) as Record<string, Expected>

const acceptanceApps = readdirSync(acceptanceDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(acceptanceDir, entry.name, 'scenario.jsonl')))
  .map((entry) => entry.name)
  .sort()

/** The Python modules the acceptance apps import: Debian's packages, installed by .ci/run. */
const ORACLE_MODULES = [
  'flask', 'flask_sqlalchemy', 'flask_login', 'flask_wtf', 'flask_jwt_extended', 'flask_cors', 'flask_limiter',
  'flask_httpauth', 'flask_caching', 'flask_compress', 'flask_talisman', 'flask_bcrypt', 'flask_restful', 'marshmallow',
]
const oracleCheck = spawnSync(python, ['-c', ORACLE_MODULES.map((name) => `import ${name}`).join('; ')], { encoding: 'utf8' })
const hasOracle = oracleCheck.status === 0
if (!hasOracle) {
  const message = `/usr/bin/python3 cannot import the acceptance apps' packages (bash .ci/run installs them): ${(oracleCheck.stderr ?? '').trim().split('\n').at(-1)}`
  // CI installs the oracle; there a missing one is a failure, never a skip.
  if (process.env.CI === 'true') throw new Error(message)
  console.error(`\n*** SKIPPING test/verify/acceptance.test.ts: ${message} ***\n`)
}

const fixturesDir = join(repoRoot, 'fixtures')
const repoFixtures = readdirSync(fixturesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(fixturesDir, entry.name, 'scenario.jsonl')))
  .map((entry) => entry.name)
  .sort()

const outRoot = mkdtempSync(join(tmpdir(), 'migrate-acceptance-'))
afterAll(() => rmSync(outRoot, { recursive: true, force: true }))

function migrate(appDir: string, serviceDir: string): void {
  const run = spawnSync(process.execPath, ['bin/migrate.js', appDir, '--out', serviceDir, '--force'], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 })
  expect(run.status, `migrate failed:\n${run.stdout}\n${run.stderr}`).toBe(0)
}

/** difftest.py's output, one entry per request that did not pass: its label and its difference lines. */
function failuresOf(output: string): Map<string, string[]> {
  const failures = new Map<string, string[]>()
  for (const line of output.split('\n')) {
    const match = /^FAIL (#\d+ \S+ \S+): (.*)$/.exec(line)
    if (match === null) continue
    failures.set(match[1]!, [...(failures.get(match[1]!) ?? []), match[2]!])
  }
  return failures
}

/** A difference a reported stub explains: the service answered 501, or the request needs a value an earlier stub never gave. */
function isLoudStub(differences: string[]): boolean {
  return differences.some((difference) => /^status: flask=\d+ migrated=501$/.test(difference.trim()) || /^service side: .* used before it was saved"$/.test(difference.trim()))
}

describe.skipIf(!hasOracle)('acceptance apps against real Flask (reference runner)', () => {
  it('finds the three acceptance apps and an expectation for each', () => {
    expect(acceptanceApps).toEqual(['inventory', 'journal', 'taskapi'])
    expect(Object.keys(expected).filter((key) => !key.startsWith('$')).sort()).toEqual(acceptanceApps)
  })

  it.each(acceptanceApps)(
    '%s: reaches its floor, and every request it does not pass is a loud stub',
    async (name) => {
      const appDir = join(acceptanceDir, name)
      const serviceDir = join(outRoot, `acceptance-${name}`)
      migrate(appDir, serviceDir)
      const installed = installDependencies(serviceDir, join(repoRoot, 'node_modules'))
      expect(installed.ok, installed.ok ? '' : installed.message).toBe(true)
      const built = buildService(serviceDir)
      expect(built.ok, built.ok ? '' : built.message).toBe(true)

      const { env } = expected[name]!
      const serviceTmp = mkdtempSync(join(outRoot, `${name}-service-`))
      const serviceEnv = Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value.replaceAll('{tmp}', serviceTmp)]))
      const started = await startService(serviceDir, 60_000, serviceEnv)
      if (!started.ok) throw new Error(started.message)
      try {
        const args = [difftest, '--flask-dir', appDir, '--entry', 'wsgi:app', '--scenario', join(appDir, 'scenario.jsonl'), '--url', started.value.baseUrl]
        for (const [key, value] of Object.entries(env)) args.push('--env', `${key}=${value}`)
        const replay = spawnSync(python, args, { encoding: 'utf8', timeout: 300_000 })
        const output = `${replay.stdout}\n${replay.stderr}`
        const summary = /^(\d+) passed, (\d+) failed$/m.exec(replay.stdout)
        expect(summary, output).not.toBeNull()
        const passed = Number(summary![1])
        const failures = failuresOf(replay.stdout)
        expect(failures.size, output).toBe(Number(summary![2]))
        const silent = [...failures].filter(([, differences]) => !isLoudStub(differences))
        expect(silent.map(([label, differences]) => `${label}: ${differences.join(' | ')}`), 'requests answered differently without a 501 stub').toEqual([])
        expect(passed, output).toBeGreaterThanOrEqual(expected[name]!.passed)
      } finally {
        await started.value.stop()
      }
    },
    600_000,
  )
})

describe.skipIf(!hasOracle)('fixtures with a scenario, by migrate verify', () => {
  it('finds the demo and the end-to-end fixtures', () => {
    expect(repoFixtures).toEqual(expect.arrayContaining(['demo', 'blueprint-hooks', 'python-semantics', 'tutorial-sqlite']))
  })

  it.each(repoFixtures)(
    'fixtures/%s: the migrated service answers the scenario as Flask does',
    async (fixture) => {
      const appDir = join(fixturesDir, fixture, 'input')
      const serviceDir = join(outRoot, `fixture-${fixture}`)
      migrate(appDir, serviceDir)
      const envFile = join(fixturesDir, fixture, 'env.json')
      const env = existsSync(envFile) ? Object.fromEntries(Object.entries(JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, string>).filter(([key]) => !key.startsWith('$'))) : {}
      const lines: string[] = []
      const code = await runVerify({
        env,
        flaskDir: appDir,
        serviceDir,
        scenario: join(fixturesDir, fixture, 'scenario.jsonl'),
        python,
        linkNodeModules: join(repoRoot, 'node_modules'),
        output: (line) => lines.push(line),
      })
      expect(lines.at(-1) ?? '', lines.join('\n')).toMatch(/^\d+ passed, 0 failed$/)
      expect(code, lines.join('\n')).toBe(0)
    },
    600_000,
  )
})
