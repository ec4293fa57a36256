import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildService, installDependencies, startService } from '../../src/verify/service.js'
import { python, pythonHas, repoRoot, startFlask } from './legacy-helpers.js'

// The acceptance check of incremental migration: each acceptance app is migrated, its Flask app is
// started (fresh state) as the legacy app, the service is started with LEGACY_URL pointing at it,
// and the app's scenario is replayed by the reference runner against the service. Every request
// must pass, forwarded or native (cookies, gzip, CORS headers, 401s with WWW-Authenticate, …).
// taskapi numbers its requests in memory (X-Request-Id, an after_request hook) and keeps its tasks in
// module dicts: the service forwards every request (endpoints.sharedState is '*'), so one process
// counts. With LEGACY_SPLIT_STATE=1 it serves them itself: #29 matches no rule and is forwarded, so
// Flask counts it and the service does not, and every later X-Request-Id differs by one.

const acceptanceDir = join(repoRoot, 'fixtures', 'acceptance')
const difftest = join(repoRoot, 'test', 'oracle', 'scenario', 'difftest.py')
const expected = JSON.parse(readFileSync(join(repoRoot, 'test', 'verify', 'acceptance-expected.json'), 'utf8')) as Record<string, { env: Record<string, string> }>
const apps = ['inventory', 'journal', 'taskapi']

const ORACLE_MODULES = [
  'flask', 'flask_sqlalchemy', 'flask_login', 'flask_wtf', 'flask_jwt_extended', 'flask_cors', 'flask_limiter',
  'flask_httpauth', 'flask_caching', 'flask_compress', 'flask_talisman', 'flask_bcrypt', 'flask_restful', 'marshmallow',
]
const oracle = pythonHas(ORACLE_MODULES)
if (!oracle.ok) {
  const message = `/usr/bin/python3 cannot import the acceptance apps' packages (bash .ci/run installs them): ${oracle.message}`
  if (process.env.CI === 'true') throw new Error(message)
  console.error(`\n*** SKIPPING test/runtime/legacy-acceptance.test.ts: ${message} ***\n`)
}

const outRoot = mkdtempSync(join(tmpdir(), 'migrate-legacy-acceptance-'))
afterAll(() => rmSync(outRoot, { recursive: true, force: true }))

/** Migrated, installed and built once per app. */
const built = new Map<string, string>()
function serviceOf(name: string): string {
  const known = built.get(name)
  if (known !== undefined) return known
  const appDir = join(acceptanceDir, name)
  const serviceDir = join(outRoot, name)
  const run = spawnSync(process.execPath, ['bin/migrate.js', appDir, '--out', serviceDir, '--force'], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 })
  expect(run.status, `migrate failed:\n${run.stdout}\n${run.stderr}`).toBe(0)
  const installed = installDependencies(serviceDir, join(repoRoot, 'node_modules'))
  expect(installed.ok, installed.ok ? '' : installed.message).toBe(true)
  const compiled = buildService(serviceDir)
  expect(compiled.ok, compiled.ok ? '' : compiled.message).toBe(true)
  built.set(name, serviceDir)
  return serviceDir
}

/** The app's scenario replayed against its service started with LEGACY_URL (and `extraEnv`): the runner's output. */
async function replayThroughService(name: string, extraEnv: Record<string, string> = {}): Promise<{ output: string; stdout: string; summary: RegExpExecArray }> {
  const appDir = join(acceptanceDir, name)
  const serviceDir = serviceOf(name)
  const { env } = expected[name]!
  const flask = await startFlask(appDir, 'wsgi:app', env)
  const serviceTmp = mkdtempSync(join(outRoot, `${name}-service-`))
  const serviceEnv = Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value.replaceAll('{tmp}', serviceTmp)]))
  const started = await startService(serviceDir, 60_000, { ...serviceEnv, ...extraEnv, LEGACY_URL: flask.url })
  if (!started.ok) {
    await flask.stop()
    throw new Error(started.message)
  }
  try {
    const args = [difftest, '--flask-dir', appDir, '--entry', 'wsgi:app', '--scenario', join(appDir, 'scenario.jsonl'), '--url', started.value.baseUrl]
    for (const [key, value] of Object.entries(env)) args.push('--env', `${key}=${value}`)
    const replay = spawnSync(python, args, { encoding: 'utf8', timeout: 300_000 })
    const output = `${replay.stdout}\n${replay.stderr}`
    const summary = /^(\d+) passed, (\d+) failed$/m.exec(replay.stdout)
    expect(summary, output).not.toBeNull()
    return { output, stdout: replay.stdout, summary: summary! }
  } finally {
    await started.value.stop()
    await flask.stop()
  }
}

describe.skipIf(!oracle.ok)('acceptance apps through LEGACY_URL (reference runner)', () => {
  it.each(apps)(
    '%s: every request of the scenario passes',
    async (name) => {
      const { output, summary } = await replayThroughService(name)
      expect(Number(summary[2]), `${name} through LEGACY_URL: ${summary[0]}\n${output}`).toBe(0)
      expect(Number(summary[1]), `${name} through LEGACY_URL: ${summary[0]}`).toBeGreaterThan(0)
    },
    600_000,
  )

  it(
    'taskapi with LEGACY_SPLIT_STATE=1: served natively, only X-Request-Id differs, from #29 on',
    async () => {
      const { output, stdout, summary } = await replayThroughService('taskapi', { LEGACY_SPLIT_STATE: '1' })
      const failures = stdout.split('\n').filter((line) => line.startsWith('FAIL '))
      const acrossTheCut = failures.filter((line) => /^FAIL #(\d+) .*: header x-request-id: /.test(line) && Number(/^FAIL #(\d+)/.exec(line)![1]) >= 29)
      expect(failures.filter((line) => !acrossTheCut.includes(line)), `taskapi with LEGACY_SPLIT_STATE=1: ${summary[0]}\n${output}`).toEqual([])
      expect(acrossTheCut.length, output).toBeGreaterThan(0)
      expect(Number(summary[2])).toBe(new Set(acrossTheCut.map((line) => /^FAIL #(\d+)/.exec(line)![1])).size)
    },
    600_000,
  )

  // LEGACY_ROUTES=* is the instant rollback: the service answers nothing itself, so every answer is
  // Flask's, X-Request-Id included (a 405, an OPTIONS or a redirect answered here would number
  // itself: #52, a PATCH to a rule without PATCH, was the service's req-0001).
  it.each(apps)(
    '%s with LEGACY_ROUTES=*: every request passes, each answered by Flask',
    async (name) => {
      const { output, summary } = await replayThroughService(name, { LEGACY_ROUTES: '*' })
      expect(Number(summary[2]), `${name} with LEGACY_ROUTES=*: ${summary[0]}\n${output}`).toBe(0)
      expect(Number(summary[1])).toBeGreaterThan(0)
    },
    600_000,
  )
})
