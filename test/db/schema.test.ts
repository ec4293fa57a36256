import BetterSqlite3 from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { camelToSnakeCase } from '../../src/analyze/ext-sqlalchemy.js'
import { createAllDdl } from '../../src/emit/db-schema.js'
import { DB_MODELS, JOURNAL, pythonCreateAll, pythonPostgresDriver, schemaOf } from './models.js'
import { startPostgres, type Postgres } from './postgres.js'

/**
 * The schema the service creates is the one `db.create_all()` creates: real Flask-SQLAlchemy
 * (Debian's python3-flask-sqlalchemy) creates one database, the emitted DDL another, and the
 * catalogues must be identical — SQLite's `sqlite_master` text and PRAGMAs, Postgres's
 * information_schema and pg_indexes.
 */

const APPS: { name: string; dir: string; module: string; env: Record<string, string> }[] = [
  { name: 'journal', dir: JOURNAL, module: 'wsgi', env: { JOURNAL_TESTING: '1' } },
  { name: 'db-models', dir: DB_MODELS, module: 'app', env: {} },
]

function sqliteCatalogue(path: string): unknown {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    const master = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all() as { type: string; name: string }[]
    const tables = master.filter((row) => row.type === 'table').map((row) => row.name)
    const pragmas = Object.fromEntries(
      tables.map((table) => [
        table,
        {
          columns: db.pragma(`table_xinfo("${table}")`),
          // SQLAlchemy 1.4 creates a table's indexes from a set (in no fixed order), so `seq` (the
          // creation order) is left out: the indexes are compared by name.
          indexes: (db.pragma(`index_list("${table}")`) as { name: string; seq: number }[])
            .map(({ seq: _seq, ...index }) => ({ ...index, columns: db.pragma(`index_xinfo("${index.name}")`) }))
            .sort((a, b) => a.name.localeCompare(b.name)),
          foreignKeys: db.pragma(`foreign_key_list("${table}")`),
        },
      ]),
    )
    // Tables in creation order (create_all's dependency order), everything else by name.
    const tableOrder = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid").all()
    return { master, tableOrder, pragmas }
  } finally {
    db.close()
  }
}

describe('the schema of Flask-SQLAlchemy models', () => {
  it('derives table names as Flask-SQLAlchemy 3.0 does', () => {
    expect(['User', 'BookReview', 'HTTPRequest', 'OAuth2Token', 'ABCThing', 'Post_Tag'].map(camelToSnakeCase)).toEqual(['user', 'book_review', 'http_request', 'o_auth2_token', 'abc_thing', 'post__tag'])
  })

  for (const app of APPS) {
    it(`${app.name}: every model is read without a finding`, () => {
      const schema = schemaOf(app.dir)
      expect(schema.findings).toEqual([])
      expect(schema.tables.length).toBeGreaterThanOrEqual(4)
    })

    it(`${app.name}: SQLite catalogue identical to db.create_all()'s`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'migrate-schema-'))
      try {
        pythonCreateAll(app.dir, app.module, `sqlite:///${dir}/flask.sqlite`, app.env)
        const service = new BetterSqlite3(join(dir, 'service.sqlite'))
        for (const statement of createAllDdl(schemaOf(app.dir), 'sqlite')) service.exec(statement)
        service.close()
        const expected = sqliteCatalogue(join(dir, 'flask.sqlite'))
        expect(sqliteCatalogue(join(dir, 'service.sqlite'))).toEqual(expected)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  }
})

async function postgresCatalogue(postgres: Postgres, database: string): Promise<unknown> {
  const client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.user, database })
  await client.connect()
  try {
    const query = async (text: string) => (await client.query(text)).rows
    return {
      columns: await query(
        `SELECT table_name, column_name, ordinal_position, column_default, is_nullable, data_type, character_maximum_length, numeric_precision, numeric_scale, datetime_precision
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
      ),
      constraints: await query(
        `SELECT tc.table_name, tc.constraint_name, tc.constraint_type, kcu.column_name, kcu.ordinal_position, ccu.table_name AS foreign_table, ccu.column_name AS foreign_column
         FROM information_schema.table_constraints tc
         LEFT JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
         LEFT JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema AND tc.constraint_type = 'FOREIGN KEY'
         WHERE tc.table_schema = 'public' AND tc.constraint_type <> 'CHECK'
         ORDER BY tc.table_name, tc.constraint_name, kcu.ordinal_position`,
      ),
      checks: await query(`SELECT conrelid::regclass::text AS table_name, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace ORDER BY 1, 2`),
      indexes: await query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname`),
      sequences: await query(`SELECT sequence_name, data_type FROM information_schema.sequences WHERE sequence_schema = 'public' ORDER BY sequence_name`),
    }
  } finally {
    await client.end()
  }
}

describe('the schema of Flask-SQLAlchemy models on Postgres', () => {
  let postgres: Postgres | null = null
  beforeAll(() => {
    postgres = startPostgres()
  }, 120_000)
  afterAll(() => postgres?.stop())

  for (const app of APPS) {
    it(`${app.name}: information_schema identical to db.create_all()'s`, async (context) => {
      if (postgres === null) return context.skip('Postgres cannot start here (CI=true makes this a failure)')
      const flaskDatabase = postgres.createDatabase('flask')
      const serviceDatabase = postgres.createDatabase('service')
      pythonCreateAll(app.dir, app.module, postgres.sqlalchemyUrl(flaskDatabase, pythonPostgresDriver()), app.env)
      const client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.user, database: serviceDatabase })
      await client.connect()
      try {
        for (const statement of createAllDdl(schemaOf(app.dir), 'postgres')) await client.query(statement)
      } finally {
        await client.end()
      }
      const expected = await postgresCatalogue(postgres, flaskDatabase)
      expect((expected as { columns: unknown[] }).columns.length).toBeGreaterThan(10)
      expect(await postgresCatalogue(postgres, serviceDatabase)).toEqual(expected)
    }, 120_000)
  }
})
