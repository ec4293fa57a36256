import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runVerify } from '../../src/verify/index.js'
import { buildService, installDependencies, startService } from '../../src/verify/service.js'

// `migrate verify` (src/verify) and the reference runner (test/oracle/scenario/difftest.py) judge
// the same migrated service alike: on each acceptance app, a fresh instance of the service for
// each runner, both with the app's environment (acceptance-expected.json), and the same request
// lines must fail. Which lines pass today does not matter here (acceptance.test.ts holds the
// floors); that the two runners agree does.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const acceptanceDir = join(repoRoot, 'fixtures', 'acceptance')
const difftest = join(repoRoot, 'test', 'oracle', 'scenario', 'difftest.py')
const python = '/usr/bin/python3'
const expected = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'acceptance-expected.json'), 'utf8')) as Record<
  string,
  { env: Record<string, string> }
>
const apps = readdirSync(acceptanceDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(acceptanceDir, entry.name, 'scenario.jsonl')))
  .map((entry) => entry.name)
  .sort()

const ORACLE_MODULES = [
  'flask', 'flask_sqlalchemy', 'flask_login', 'flask_wtf', 'flask_jwt_extended', 'flask_cors', 'flask_limiter',
  'flask_httpauth', 'flask_caching', 'flask_compress', 'flask_talisman', 'flask_bcrypt', 'flask_restful', 'marshmallow',
]
const oracleCheck = spawnSync(python, ['-c', ORACLE_MODULES.map((name) => `import ${name}`).join('; ')], { encoding: 'utf8' })
const hasOracle = oracleCheck.status === 0
if (!hasOracle) {
  const message = `/usr/bin/python3 cannot import the acceptance apps' packages (bash .ci/run installs them): ${(oracleCheck.stderr ?? '').trim().split('\n').at(-1)}`
  if (process.env.CI === 'true') throw new Error(message)
  console.error(`\n*** SKIPPING test/verify/difftest-parity.test.ts: ${message} ***\n`)
}

const outRoot = mkdtempSync(join(tmpdir(), 'migrate-parity-'))
afterAll(() => rmSync(outRoot, { recursive: true, force: true }))

/** What the difference lines name: `#N what` for each, and the failing line numbers. */
function differences(lines: string[], pattern: RegExp): { lines: number[]; fields: string[] } {
  const numbers = new Set<number>()
  const fields = new Set<string>()
  for (const line of lines) {
    const match = pattern.exec(line)
    if (match === null) continue
    numbers.add(Number(match[1]))
    fields.add(`#${match[1]} ${match[2]}`)
  }
  return { lines: [...numbers].sort((a, b) => a - b), fields: [...fields].sort() }
}
/** `FAIL #N METHOD PATH: what: flask=X migrated=Y` (difftest.py) */
const referenceLine = /^FAIL #(\d+) \S+ \S+: (.+?): flask=/
/** `#N METHOD PATH  what: flask X | service Y` (migrate verify) */
const verifyLine = /^#(\d+) \S+ \S+ {2}(.+?): flask /

function summary(lines: string[]): { passed: number; failed: number } {
  const match = /^(\d+) passed, (\d+) failed$/.exec(lines.at(-1) ?? '')
  expect(match, lines.join('\n')).not.toBeNull()
  return { passed: Number(match![1]), failed: Number(match![2]) }
}

describe.skipIf(!hasOracle)('migrate verify agrees with difftest.py', () => {
  it('finds the three acceptance apps', () => {
    expect(apps).toEqual(['inventory', 'journal', 'taskapi'])
  })

  it.each(apps)(
    '%s: the same request lines fail',
    async (name) => {
      const appDir = join(acceptanceDir, name)
      const scenario = join(appDir, 'scenario.jsonl')
      const serviceDir = join(outRoot, name)
      const migrated = spawnSync(process.execPath, ['bin/migrate.js', appDir, '--out', serviceDir, '--force'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 })
      expect(migrated.status, `migrate failed:\n${migrated.stdout}\n${migrated.stderr}`).toBe(0)
      const installed = installDependencies(serviceDir, join(repoRoot, 'node_modules'))
      expect(installed.ok, installed.ok ? '' : installed.message).toBe(true)
      const built = buildService(serviceDir)
      expect(built.ok, built.ok ? '' : built.message).toBe(true)
      const { env } = expected[name]!

      // The reference runner, against a service of its own ({tmp}: a fresh folder per side).
      const serviceTmp = mkdtempSync(join(outRoot, `${name}-service-`))
      const serviceEnv = Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value.replaceAll('{tmp}', serviceTmp)]))
      const started = await startService(serviceDir, 60_000, serviceEnv)
      if (!started.ok) throw new Error(started.message)
      let reference: string[]
      try {
        const args = [difftest, '--flask-dir', appDir, '--entry', 'wsgi:app', '--scenario', scenario, '--url', started.value.baseUrl]
        for (const [key, value] of Object.entries(env)) args.push('--env', `${key}=${value}`)
        const replay = spawnSync(python, args, { encoding: 'utf8', timeout: 120_000, env: { ...process.env, PYTHONHASHSEED: '0' } })
        reference = replay.stdout.trim().split('\n')
      } finally {
        await started.value.stop()
      }

      // migrate verify, which starts the service itself.
      const ours: string[] = []
      const code = await runVerify({ flaskDir: appDir, serviceDir, scenario, app: 'wsgi:app', env, python, linkNodeModules: join(repoRoot, 'node_modules'), output: (line) => ours.push(line) })

      const referenceSummary = summary(reference)
      const oursSummary = summary(ours)
      // The counts go with a failure's message, not to the output of a passing run.
      const counts = `${name}: difftest.py ${referenceSummary.passed} passed, ${referenceSummary.failed} failed; migrate verify ${oursSummary.passed} passed, ${oursSummary.failed} failed`
      const found = differences(ours, verifyLine)
      const wanted = differences(reference, referenceLine)
      expect(found.lines, `the failing request lines (${counts})`).toEqual(wanted.lines)
      expect(found.lines).toHaveLength(oursSummary.failed)
      expect(oursSummary, ours.join('\n')).toEqual(referenceSummary)
      // Beyond the verdict, each failing line fails on the same fields.
      expect(found.fields).toEqual(wanted.fields)
      expect(code).toBe(oursSummary.failed === 0 ? 0 : 1)
    },
    150_000,
  )
})
