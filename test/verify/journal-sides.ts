import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startLegacyFlask } from '../../src/verify/legacy-side.js'
import { buildService, installDependencies, startService, type RunningService } from '../../src/verify/service.js'

// The Flask journal and its migrated service side by side with one SECRET_KEY, each on a fresh
// database of its own (seeded alike at start-up): the set-up of the journal's interop tests.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const journal = join(repoRoot, 'fixtures', 'acceptance', 'journal')
const python = '/usr/bin/python3'

/** Whether /usr/bin/python3 has the journal's packages (in CI it must: bash .ci/run installs them). */
export const hasJournalOracle = spawnSync(python, ['-c', 'import flask, flask_sqlalchemy, flask_login, flask_wtf'], { encoding: 'utf8' }).status === 0
if (!hasJournalOracle && process.env.CI === 'true') throw new Error("/usr/bin/python3 cannot import the journal's packages (bash .ci/run installs them)")

export interface JournalSides {
  flask: RunningService
  service: RunningService
  stop(): Promise<void>
}

/**
 * Migrates and builds the journal, then starts the Flask journal and the service, both with
 * `SECRET_KEY` and the users' API keys, plus `env` (JOURNAL_TESTING=1 turns CSRF off).
 */
export async function startJournalSides(secretKey: string, env: Record<string, string>): Promise<JournalSides> {
  const outRoot = mkdtempSync(join(tmpdir(), 'migrate-journal-sides-'))
  const serviceDir = join(outRoot, 'service')
  const migrated = spawnSync(process.execPath, ['bin/migrate.js', journal, '--out', serviceDir, '--force'], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 })
  if (migrated.status !== 0) throw new Error(`migrate failed:\n${migrated.stdout}\n${migrated.stderr}`)
  const installed = installDependencies(serviceDir, join(repoRoot, 'node_modules'))
  if (!installed.ok) throw new Error(installed.message)
  const built = buildService(serviceDir)
  if (!built.ok) throw new Error(built.message)
  const sideEnv = (side: string): Record<string, string> => ({
    ...env,
    SECRET_KEY: secretKey,
    DATABASE_URL: `sqlite:///${mkdtempSync(join(outRoot, `${side}-`))}/journal.sqlite`,
    USERS_1_API_KEY: 'alice-key-7f3a9c',
    USERS_2_API_KEY: 'bob-key-52e1d0',
  })
  const startedFlask = await startLegacyFlask(python, journal, 'wsgi:app', sideEnv('flask'))
  if (!startedFlask.ok) throw new Error(startedFlask.message)
  const flask = startedFlask.value
  const startedService = await startService(serviceDir, 60_000, sideEnv('service'))
  if (!startedService.ok) {
    await flask.stop()
    throw new Error(startedService.message)
  }
  const service = startedService.value
  return {
    flask,
    service,
    async stop() {
      await flask.stop()
      await service.stop()
      rmSync(outRoot, { recursive: true, force: true })
    },
  }
}

/** The cookies a response sets, by name (value only). */
export function setCookies(response: Response): Map<string, string> {
  const cookies = new Map<string, string>()
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';')
    const eq = pair!.indexOf('=')
    cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim())
  }
  return cookies
}
