import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runVerify } from '../../src/verify/index.js'
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
 * database. The same for the data-layer fixtures with a scenario (fixtures/db-models,
 * fixtures/db-session-begin). And a database the service cannot use stops it at start-up with one line.
 */

const python = '/usr/bin/python3'
const scenario = join(JOURNAL, 'scenario.jsonl')
const secrets = { JOURNAL_TESTING: '1', SECRET_KEY: 'dev-journal-secret-change-me', USERS_1_API_KEY: 'alice-key-7f3a9c', USERS_2_API_KEY: 'bob-key-52e1d0' }

let postgres: Postgres | null = null
let driver = 'psycopg2'
const work = mkdtempSync(join(tmpdir(), 'migrate-pg-journal-'))
const serviceDir = join(work, 'service')

/** The data-layer fixtures with a scenario: the Flask app, its entry, its scenario, the tables it has. */
const FIXTURES = ['db-models', 'db-session-begin'].map((name) => ({
  name,
  appDir: join(REPO, 'fixtures', name, 'input'),
  scenario: join(REPO, 'fixtures', name, 'scenario.jsonl'),
  serviceDir: join(work, name),
}))

/** Migrates, installs and builds one app's service. */
function buildServiceOf(appDir: string, out: string): void {
  const migrated = spawnSync(process.execPath, ['bin/migrate.js', appDir, '--out', out, '--force'], { cwd: REPO, encoding: 'utf8', timeout: 300_000 })
  if (migrated.status !== 0) throw new Error(`migrate failed:\n${migrated.stdout}\n${migrated.stderr}`)
  const installed = installDependencies(out, join(REPO, 'node_modules'))
  if (!installed.ok) throw new Error(installed.message)
  const built = buildService(out)
  if (!built.ok) throw new Error(built.message)
}

/**
 * One app's scenario with Flask on one fresh Postgres database and its service on another (both
 * given SQLAlchemy's URL), replayed by difftest.py; the runner's output and the two databases.
 */
async function replayOnPostgres(pg: Postgres, app: { name: string; appDir: string; entry: string; scenario: string; serviceDir: string; env: Record<string, string> }) {
  const prefix = app.name.replace(/-/g, '_')
  const flaskDb = pg.createDatabase(`${prefix}_flask`)
  const serviceDb = pg.createDatabase(`${prefix}_service`)
  const started = await startService(app.serviceDir, 60_000, { ...app.env, DATABASE_URL: pg.sqlalchemyUrl(serviceDb, driver) })
  if (!started.ok) throw new Error(started.message)
  try {
    const args = [join(REPO, 'test', 'oracle', 'scenario', 'difftest.py'), '--flask-dir', app.appDir, '--entry', app.entry, '--scenario', app.scenario, '--url', started.value.baseUrl]
    for (const [key, value] of Object.entries({ ...app.env, DATABASE_URL: pg.sqlalchemyUrl(flaskDb, driver) })) args.push('--env', `${key}=${value}`)
    const replay = spawnSync(python, args, { encoding: 'utf8', timeout: 300_000 })
    return { output: `${replay.stdout}\n${replay.stderr}`, flaskDb, serviceDb }
  } finally {
    await started.value.stop()
  }
}

beforeAll(() => {
  postgres = startPostgres()
  if (postgres === null) {
    console.error('\n*** SKIPPING test/db/postgres-journal.test.ts: Postgres cannot start here (CI starts it: .ci/run) ***\n')
    return
  }
  driver = pythonPostgresDriver()
})

// Each service is built by the first test that needs it (a build blocks the test worker for a
// while: one per test keeps vitest's own messages answered).
const built = new Set<string>()
function serviceOf(appDir: string, out: string): string {
  if (!built.has(out)) buildServiceOf(appDir, out)
  built.add(out)
  return out
}

afterAll(() => {
  postgres?.stop()
  rmSync(work, { recursive: true, force: true })
})

function settingsOf(pg: Postgres, database: string) {
  return { host: pg.host, port: pg.port, user: pg.user, database }
}

/** The service's `node dist/main.js` with `env`, until it exits (or 20 s): its exit code and stderr. */
function runServiceUntilExit(env: Record<string, string>): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, ['dist/main.js'], { cwd: serviceOf(JOURNAL, serviceDir), env: { ...process.env, ...secrets, ...env, PORT: '0', HOST: '127.0.0.1' }, encoding: 'utf8', timeout: 20_000 })
  return { status: run.status, stderr: run.stderr }
}

describe('the migrated journal on Postgres against Flask-SQLAlchemy on Postgres', () => {
  it('answers every line of the scenario as Flask does, each side on its own fresh database, and leaves the same rows', async () => {
    if (postgres === null) return
    const noiseDb = postgres.createDatabase('journal_flask_again')
    // The same kind of URL on both sides: SQLAlchemy's, with psycopg2 as the driver.
    const { output, flaskDb, serviceDb } = await replayOnPostgres(postgres, { name: 'journal', appDir: JOURNAL, entry: 'wsgi:app', scenario, serviceDir: serviceOf(JOURNAL, serviceDir), env: secrets })
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

  it.each(FIXTURES)('fixtures/$name: every line of its scenario as Flask answers it, and the same rows', async (fixture) => {
    if (postgres === null) return
    const { output, flaskDb, serviceDb } = await replayOnPostgres(postgres, { ...fixture, serviceDir: serviceOf(fixture.appDir, fixture.serviceDir), entry: 'app:app', env: {} })
    const lines = spawnSync('grep', ['-c', '.', fixture.scenario], { encoding: 'utf8' }).stdout.trim()
    expect(output, output).toMatch(new RegExp(`^${lines} passed, 0 failed$`, 'm'))
    const flaskRows = await readPostgresDatabase(settingsOf(postgres, flaskDb))
    const compared = compareRows(fixture.name, flaskRows, await readPostgresDatabase(settingsOf(postgres, serviceDb)))
    expect(compared.differences).toEqual([])
    expect(compared.rows).toBeGreaterThan(0)
  }, 300_000)

  it('migrate verify with {db} in --env: each side on a fresh Postgres database of its own, rows compared, the databases dropped after', async () => {
    if (postgres === null) return
    const fixture = FIXTURES.find((candidate) => candidate.name === 'db-models')!
    const lines: string[] = []
    const code = await runVerify({
      env: { DATABASE_URL: postgres.sqlalchemyUrl('{db}', driver) },
      flaskDir: fixture.appDir,
      serviceDir: serviceOf(fixture.appDir, fixture.serviceDir),
      scenario: fixture.scenario,
      python,
      linkNodeModules: join(REPO, 'node_modules'),
      output: (line) => lines.push(line),
    })
    expect(lines.at(-1), lines.join('\n')).toBe('24 passed, 0 failed')
    expect(lines).toContain('rows: 4 tables, 4 rows compared in 1 Postgres database per side; 0 differences')
    expect(code).toBe(0)
    const client = new pg.Client(settingsOf(postgres, 'postgres'))
    await client.connect()
    const left = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'migrate_verify_%'")
    await client.end()
    expect(left.rows).toEqual([])
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
