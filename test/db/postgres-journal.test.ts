import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replayOnFlask } from '../../src/verify/flask-side.js'
import { compareRows, noisyColumns, readPostgresDatabase } from '../../src/verify/rows.js'
import { buildService, installDependencies, startService } from '../../src/verify/service.js'
import { JOURNAL, pythonPostgresDriver, REPO } from './models.js'
import { startPostgres, type Postgres } from './postgres.js'

/**
 * The migrated journal on Postgres (issue 17, "Postgres at run time"): real Flask with
 * Flask-SQLAlchemy and psycopg2 on one fresh database, the service on another, the whole
 * scenario replayed by the reference runner (test/oracle/scenario/difftest.py) — every line must
 * pass — then the rows of every table compared by `migrate verify`'s row comparison
 * (src/verify/rows.ts), with the columns two runs of Flask itself disagree on found by a third
 * database. And a database the service cannot use stops it at start-up with one line.
 */

const python = '/usr/bin/python3'
const scenario = join(JOURNAL, 'scenario.jsonl')
const secrets = { JOURNAL_TESTING: '1', SECRET_KEY: 'dev-journal-secret-change-me', USERS_1_API_KEY: 'alice-key-7f3a9c', USERS_2_API_KEY: 'bob-key-52e1d0' }

let postgres: Postgres | null = null
let driver = 'psycopg2'
const work = mkdtempSync(join(tmpdir(), 'migrate-pg-journal-'))
const serviceDir = join(work, 'service')

beforeAll(() => {
  postgres = startPostgres()
  if (postgres === null) {
    console.error('\n*** SKIPPING test/db/postgres-journal.test.ts: Postgres cannot start here (CI starts it: .ci/run) ***\n')
    return
  }
  driver = pythonPostgresDriver()
  const migrated = spawnSync(process.execPath, ['bin/migrate.js', JOURNAL, '--out', serviceDir, '--force'], { cwd: REPO, encoding: 'utf8', timeout: 300_000 })
  if (migrated.status !== 0) throw new Error(`migrate failed:\n${migrated.stdout}\n${migrated.stderr}`)
  const installed = installDependencies(serviceDir, join(REPO, 'node_modules'))
  if (!installed.ok) throw new Error(installed.message)
  const built = buildService(serviceDir)
  if (!built.ok) throw new Error(built.message)
}, 600_000)

afterAll(() => {
  postgres?.stop()
  rmSync(work, { recursive: true, force: true })
})

function settingsOf(pg: Postgres, database: string) {
  return { host: pg.host, port: pg.port, user: pg.user, database }
}

/** The service's `node dist/main.js` with `env`, until it exits (or 20 s): its exit code and stderr. */
function runServiceUntilExit(env: Record<string, string>): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, ['dist/main.js'], { cwd: serviceDir, env: { ...process.env, ...secrets, ...env, PORT: '0', HOST: '127.0.0.1' }, encoding: 'utf8', timeout: 20_000 })
  return { status: run.status, stderr: run.stderr }
}

describe('the migrated journal on Postgres against Flask-SQLAlchemy on Postgres', () => {
  it('answers every line of the scenario as Flask does, each side on its own fresh database, and leaves the same rows', async () => {
    if (postgres === null) return
    const flaskDb = postgres.createDatabase('journal_flask')
    const serviceDb = postgres.createDatabase('journal_service')
    const noiseDb = postgres.createDatabase('journal_flask_again')
    // The same kind of URL on both sides: SQLAlchemy's, with psycopg2 as the driver.
    const started = await startService(serviceDir, 60_000, { ...secrets, DATABASE_URL: postgres.sqlalchemyUrl(serviceDb, driver) })
    if (!started.ok) throw new Error(started.message)
    let output: string
    try {
      const args = [join(REPO, 'test', 'oracle', 'scenario', 'difftest.py'), '--flask-dir', JOURNAL, '--entry', 'wsgi:app', '--scenario', scenario, '--url', started.value.baseUrl]
      for (const [key, value] of Object.entries({ ...secrets, DATABASE_URL: postgres.sqlalchemyUrl(flaskDb, driver) })) args.push('--env', `${key}=${value}`)
      const replay = spawnSync(python, args, { encoding: 'utf8', timeout: 300_000 })
      output = `${replay.stdout}\n${replay.stderr}`
    } finally {
      await started.value.stop()
    }
    const lines = spawnSync('grep', ['-c', '.', scenario], { encoding: 'utf8' }).stdout.trim()
    expect(output, output).toMatch(new RegExp(`^${lines} passed, 0 failed$`, 'm'))

    // A second Flask run tells which columns differ between two runs of Flask itself (salted hashes).
    const again = replayOnFlask(python, JOURNAL, scenario, 'wsgi:app', { ...secrets, DATABASE_URL: postgres.sqlalchemyUrl(noiseDb, driver) })
    expect(again.ok, again.ok ? '' : again.message).toBe(true)
    const flaskRows = await readPostgresDatabase(settingsOf(postgres, flaskDb))
    const serviceRows = await readPostgresDatabase(settingsOf(postgres, serviceDb))
    const noise = noisyColumns(await readPostgresDatabase(settingsOf(postgres, noiseDb)), flaskRows)
    expect([...noise]).toEqual(['user.password_hash'])
    const compared = compareRows('journal', flaskRows, serviceRows, noise)
    expect(compared.differences).toEqual([])
    expect([...flaskRows.keys()]).toEqual(['comment', 'post', 'post_tags', 'tag', 'user'])
    expect(compared.rows).toBeGreaterThanOrEqual(30)
  }, 600_000)

  it('stops at start-up with one line on a database it cannot use: another dialect, postgres://, a database that does not exist', () => {
    if (postgres === null) return
    const mysql = runServiceUntilExit({ DATABASE_URL: 'mysql+pymysql://app:hunter2@db.example/app' })
    expect(mysql.status).toBe(1)
    expect(mysql.stderr.trim()).toBe("database: SQLALCHEMY_DATABASE_URI names a mysql database; this service's data layer runs on SQLite and Postgres only (see database-not-supported in MIGRATION_REPORT.md)")
    // SQLAlchemy 1.4 refuses the old postgres:// name, so Flask does not start on it either.
    const heroku = runServiceUntilExit({ DATABASE_URL: postgres.sqlalchemyUrl('journal', driver).replace(/^postgresql\+\w+:/, 'postgres:') })
    expect(heroku.status).toBe(1)
    expect(heroku.stderr.trim()).toBe("database: SQLALCHEMY_DATABASE_URI starts with postgres://, which SQLAlchemy 1.4 refuses (Can't load plugin: sqlalchemy.dialects:postgres); write postgresql://")
    const missing = runServiceUntilExit({ DATABASE_URL: postgres.sqlalchemyUrl('journal_no_such_database', driver) })
    expect(missing.status).toBe(1)
    expect(missing.stderr.trim().split('\n')).toHaveLength(1)
    expect(missing.stderr).toMatch(/^database: could not connect to Postgres: database "journal_no_such_database" does not exist \(journal_no_such_database on /)
    expect(mysql.stderr + missing.stderr).not.toContain('hunter2')
  }, 60_000)
})
