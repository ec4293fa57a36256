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
