import BetterSqlite3 from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { schemaSpecOf } from '../../src/emit/db-schema.js'
import { PyDate } from '../../src/emit/runtime/datetime.js'
import { type SchemaSpec } from '../../src/emit/runtime/db.js'
import { journalModels } from './journal-models.js'
import { SCENARIOS } from './journal-scenarios.js'
import { JOURNAL, pythonCreateAll, REPO, schemaOf } from './models.js'

/**
 * Differential tests of the data layer: each scenario runs once in Python with real
 * Flask-SQLAlchemy (test/db/journal_session.py) and once in TypeScript on the runtime
 * (src/emit/runtime/db.ts), each on its own copy of a database that the Flask app created and
 * seeded. The results and then every row of every table must be the same.
 */

/** Every row of every table, in primary key order (what "the same writes" means). */
function tableRows(path: string): Record<string, unknown[]> {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name)
    return Object.fromEntries(tables.map((table) => [table, db.prepare(`SELECT * FROM "${table}" ORDER BY 1, 2`).raw().all()]))
  } finally {
    db.close()
  }
}

describe('Flask-SQLAlchemy session and queries (journal models), against real Flask-SQLAlchemy', () => {
  let dir = ''
  let spec: SchemaSpec<unknown>
  let python: Record<string, unknown> = {}
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'migrate-session-'))
    pythonCreateAll(JOURNAL, 'wsgi', `sqlite:///${dir}/seed.sqlite`, { JOURNAL_TESTING: '1' })
    spec = schemaSpecOf(schemaOf(JOURNAL))
    for (const name of Object.keys(SCENARIOS)) {
      copyFileSync(join(dir, 'seed.sqlite'), join(dir, `${name}.flask.sqlite`))
      copyFileSync(join(dir, 'seed.sqlite'), join(dir, `${name}.service.sqlite`))
    }
    const output = execFileSync('/usr/bin/python3', [join(REPO, 'test', 'db', 'journal_session.py'), JOURNAL, join(dir, 'SCENARIO.flask.sqlite'), ...Object.keys(SCENARIOS)], {
      encoding: 'utf8',
      env: { ...process.env, SQLALCHEMY_SILENCE_UBER_WARNING: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    })
    python = JSON.parse(output) as Record<string, unknown>
  }, 180_000)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(name, () => {
      const models = journalModels(spec)
      models.db.connect(`sqlite:///${join(dir, `${name}.service.sqlite`)}`)
      let result: unknown
      try {
        result = scenario(models)
      } finally {
        models.db.session.close()
      }
      expect(JSON.parse(JSON.stringify(result))).toEqual(python[name])
      expect(tableRows(join(dir, `${name}.service.sqlite`))).toEqual(tableRows(join(dir, `${name}.flask.sqlite`)))
    })
  }
})

describe('values as SQLAlchemy stores them on SQLite (fixtures/db-models)', () => {
  it('DateTime, Date, Boolean, Numeric-free defaults: the same text and numbers in the row', async () => {
    const { DB_MODELS } = await import('./models.js')
    const { PyDateTime } = await import('../../src/emit/runtime/datetime.js')
    const { Model, SQLAlchemy } = await import('../../src/emit/runtime/db.js')
    const dir = mkdtempSync(join(tmpdir(), 'migrate-values-'))
    try {
      for (const side of ['flask', 'service']) pythonCreateAll(DB_MODELS, 'app', `sqlite:///${dir}/${side}.sqlite`)
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          `import sys; sys.path.insert(0, sys.argv[1])
import os; os.environ["DATABASE_URL"] = "sqlite:///" + sys.argv[2]
from datetime import date, datetime
from app import app, db, Author
with app.app_context():
    db.session.add(Author(email="a@example.com", created=datetime(2024, 3, 1, 12, 30, 5, 123), born=date(1990, 7, 4), active=False, score=1.5))
    db.session.add(Author(email="b@example.com", created=datetime(2024, 3, 1, 0, 0), big=2**40))
    db.session.commit()`,
          DB_MODELS,
          join(dir, 'flask.sqlite'),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      const db = new SQLAlchemy(schemaSpecOf(schemaOf(DB_MODELS)))
      class Author extends Model {}
      db.register(Author)
      db.connect(`sqlite:///${join(dir, 'service.sqlite')}`)
      db.session.add(new Author({ email: 'a@example.com', created: new PyDateTime(2024, 3, 1, 12, 30, 5, 123), born: new PyDate(1990, 7, 4), active: false, score: 1.5 }))
      db.session.add(new Author({ email: 'b@example.com', created: new PyDateTime(2024, 3, 1, 0, 0), big: 2 ** 40 }))
      db.session.commit()
      const back = (Author as unknown as { query: { get(id: number): unknown } }).query.get(1) as { created: InstanceType<typeof PyDateTime>; active: boolean; notes: string; name: string }
      // `name` has only a server default: read back from the row, as SQLAlchemy does after the INSERT.
      expect([back.created.microsecond, back.active, back.notes, back.name]).toEqual([123, false, '', 'anon'])
      db.session.close()
      const rows = tableRows(join(dir, 'service.sqlite'))
      expect(rows.author).toEqual(tableRows(join(dir, 'flask.sqlite')).author)
      expect((rows.author as unknown[][])[0]).toContain('2024-03-01 12:30:05.000123')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('one session per request, as Flask-SQLAlchemy scopes it', () => {
  it("what a request flushed and did not commit is not what the next request reads", async () => {
    const { runInContext } = await import('../../src/emit/runtime/flask.js')
    const dir = mkdtempSync(join(tmpdir(), 'migrate-requests-'))
    try {
      pythonCreateAll(JOURNAL, 'wsgi', `sqlite:///${dir}/seed.sqlite`, { JOURNAL_TESTING: '1' })
      const models = journalModels(schemaSpecOf(schemaOf(JOURNAL)))
      models.db.connect(`sqlite:///${join(dir, 'seed.sqlite')}`)
      const request = <T>(fn: () => T): T => runInContext({ req: { raw: {}, url: 'http://localhost/' } } as unknown as Parameters<typeof runInContext>[0], fn)
      // Request A: adds a tag, a query autoflushes it (INSERT inside a transaction), then the view fails before commit.
      const seenByA = request(() => {
        models.db.session.add(new models.Tag({ name: 'uncommitted' }))
        return models.Tag.query.count()
      })
      const seenByB = request(() => models.Tag.query.count())
      const identity = request(() => [models.User.query.get(1) === models.User.query.get(1), models.db.session === models.db.session])
      expect([seenByA, seenByB, identity]).toEqual([6, 5, [true, true]])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
