import { execFileSync } from 'node:child_process'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { schemaSpecOf } from '../../src/emit/db-schema.js'
import type { SchemaSpec } from '../../src/emit/runtime/db.js'
import { compareRows, readPostgresDatabase } from '../../src/verify/rows.js'
import { journalModels } from './journal-models.js'
import { SCENARIOS } from './journal-scenarios.js'
import { JOURNAL, pythonCreateAll, pythonPostgresDriver, REPO, schemaOf } from './models.js'
import { startPostgres, type Postgres } from './postgres.js'

/**
 * The data layer's differential scenarios (journal-scenarios.ts) on Postgres: each runs once in
 * Python with real Flask-SQLAlchemy and psycopg2 (test/db/journal_session.py) and once on the
 * runtime's Postgres connection, each side on its own copy of a database the Flask app created
 * and seeded (CREATE DATABASE … TEMPLATE). The results and every row of every table must be the
 * same. Under CI a Postgres that cannot start fails the test (startPostgres).
 */

/** Raw SQL written for SQLite (`UPDATE user …`: a reserved word on Postgres), not run here. */
const SQLITE_ONLY = new Set(['expire_on_commit'])
const names = Object.keys(SCENARIOS).filter((name) => !SQLITE_ONLY.has(name))

const postgres: Postgres | null = startPostgres()
const prefix = `jsess_${process.pid}`
const databaseOf = (name: string, side: 'flask' | 'service'): string => `${prefix}_${name}_${side}`.toLowerCase()
let spec: SchemaSpec<unknown>
let python: Record<string, unknown> = {}
let driver = 'psycopg2'

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: postgres!.host, port: postgres!.port, user: postgres!.user, database: 'postgres' })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

describe.skipIf(postgres === null)('Flask-SQLAlchemy session and queries (journal models) on Postgres, against real Flask-SQLAlchemy', () => {
  beforeAll(async () => {
    driver = pythonPostgresDriver()
    const seed = postgres!.createDatabase('jsess_seed')
    pythonCreateAll(JOURNAL, 'wsgi', postgres!.sqlalchemyUrl(seed, driver), { JOURNAL_TESTING: '1' })
    await admin(async (client) => {
      for (const name of names) for (const side of ['flask', 'service'] as const) await client.query(`CREATE DATABASE "${databaseOf(name, side)}" TEMPLATE "${seed}"`)
    })
    spec = schemaSpecOf(schemaOf(JOURNAL))
    const output = execFileSync('/usr/bin/python3', [`${REPO}/test/db/journal_session.py`, JOURNAL, postgres!.sqlalchemyUrl(databaseOf('SCENARIO', 'flask').replace('scenario', 'SCENARIO'), driver), ...names], {
      encoding: 'utf8',
      env: { ...process.env, SQLALCHEMY_SILENCE_UBER_WARNING: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    })
    python = JSON.parse(output) as Record<string, unknown>
  }, 180_000)

  afterAll(() => postgres?.stop())

  it('values of every column type as Flask-SQLAlchemy + psycopg2 writes and reads them (fixtures/db-models)', async () => {
    const { DB_MODELS } = await import('./models.js')
    const { PyDate, PyDateTime } = await import('../../src/emit/runtime/datetime.js')
    const { Model, SQLAlchemy } = await import('../../src/emit/runtime/db.js')
    const flaskDb = postgres!.createDatabase('values_flask')
    const serviceDb = postgres!.createDatabase('values_service')
    for (const database of [flaskDb, serviceDb]) pythonCreateAll(DB_MODELS, 'app', postgres!.sqlalchemyUrl(database, driver))
    // What Python reads back (repr of each value), after writing two authors as the service does below.
    const readBack = `
with app.app_context():
    for a in Author.query.order_by(Author.id):
        print(repr([a.id, a.email, a.name, a.active, a.created.isoformat(), a.born and a.born.isoformat(), a.score, a.price and str(a.price), a.data, a.blob, a.big, a.notes]))`
    const python = (database: string, write: boolean): string =>
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          `import sys; sys.path.insert(0, sys.argv[1])
import os; os.environ["DATABASE_URL"] = sys.argv[2]
from datetime import date, datetime
from decimal import Decimal
from app import app, db, Author
if sys.argv[3] == "write":
    with app.app_context():
        db.session.add(Author(email="a@example.com", created=datetime(2024, 3, 1, 12, 30, 5, 123), born=date(1990, 7, 4), active=False, score=1.5, price=Decimal("12.50"), data={"tags": ["x", "y"], "n": 1}, blob=b"\\x00\\xff"))
        db.session.add(Author(email="b@example.com", created=datetime(2024, 3, 1, 0, 0), big=2**40))
        db.session.commit()
${readBack}`,
          DB_MODELS,
          postgres!.sqlalchemyUrl(database, driver),
          write ? 'write' : 'read',
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      )
    const flaskReads = python(flaskDb, true)
    const db = new SQLAlchemy(schemaSpecOf(schemaOf(DB_MODELS)))
    class Author extends Model {}
    db.register(Author)
    db.connect(postgres!.sqlalchemyUrl(serviceDb, driver))
    db.session.add(new Author({ email: 'a@example.com', created: new PyDateTime(2024, 3, 1, 12, 30, 5, 123), born: new PyDate(1990, 7, 4), active: false, score: 1.5, price: 12.5, data: { tags: ['x', 'y'], n: 1 }, blob: Buffer.from([0, 255]) }))
    db.session.add(new Author({ email: 'b@example.com', created: new PyDateTime(2024, 3, 1, 0, 0), big: 2 ** 40 }))
    db.session.commit()
    const back = (Author as unknown as { query: { get(id: number): unknown } }).query.get(1) as Record<string, unknown> & { created: InstanceType<typeof PyDateTime>; born: InstanceType<typeof PyDate> }
    expect([back.created.isoformat(), back.born.isoformat(), back.active, back.score, back.price, back.data, back.blob, back.notes, back.name]).toEqual(['2024-03-01T12:30:05.000123', '1990-07-04', false, 1.5, 12.5, { tags: ['x', 'y'], n: 1 }, Buffer.from([0, 255]), '', 'anon'])
    expect(((Author as unknown as { query: { get(id: number): unknown } }).query.get(2) as { big: number }).big).toBe(2 ** 40)
    db.session.close()
    // The rows, as Postgres's text, are the same; and Flask reads the service's rows as it reads its own.
    const settings = (database: string) => ({ host: postgres!.host, port: postgres!.port, user: postgres!.user, database })
    const compared = compareRows('values', await readPostgresDatabase(settings(flaskDb)), await readPostgresDatabase(settings(serviceDb)))
    expect(compared.differences).toEqual([])
    expect(python(serviceDb, false)).toBe(flaskReads)
  }, 120_000)

  it('a connection the server closes is replaced on the next statement, as SQLAlchemy invalidates it', async () => {
    const database = postgres!.createDatabase('journal_reconnect')
    pythonCreateAll(JOURNAL, 'wsgi', postgres!.sqlalchemyUrl(database, driver), { JOURNAL_TESTING: '1' })
    const models = journalModels(spec)
    models.db.connect(postgres!.sqlalchemyUrl(database, driver))
    expect(models.Post.query.count()).toBe(7)
    models.db.session.close()
    const terminated = await admin((client) => client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]))
    expect(terminated.rowCount).toBe(1)
    // The first statement may meet the closed connection (an OperationalError, as psycopg2's); the next runs on a new one.
    let answers: unknown[] = []
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        answers.push(models.User.query.count())
        models.db.session.close()
      } catch (error) {
        answers.push((error as Error).constructor.name)
        models.db.session.close()
      }
    }
    answers = answers.filter((answer) => answer !== 'OperationalError')
    expect(answers.at(-1)).toBe(2)
  })

  for (const name of names) {
    it(name, async () => {
      const models = journalModels(spec)
      models.db.connect(postgres!.sqlalchemyUrl(databaseOf(name, 'service'), driver))
      let result: unknown
      try {
        result = SCENARIOS[name]!(models)
      } finally {
        models.db.session.close()
      }
      expect(JSON.parse(JSON.stringify(result))).toEqual(python[name])
      const settings = (side: 'flask' | 'service') => ({ host: postgres!.host, port: postgres!.port, user: postgres!.user, database: databaseOf(name, side) })
      const compared = compareRows(name, await readPostgresDatabase(settings('flask')), await readPostgresDatabase(settings('service')))
      expect(compared.differences).toEqual([])
      expect(compared.tables).toBe(5)
    })
  }
})
