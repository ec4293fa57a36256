import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import * as sqlite3 from '../../src/emit/runtime/sqlite.js'
import * as py from '../../src/emit/runtime/py.js'

// The runtime's sqlite3 and CPython's sqlite3 (/usr/bin/python3) on one database file: what one
// writes and commits the other reads, uncommitted changes stay invisible, values keep their types.
// The translated DB-API calls themselves are compared with CPython in test/translate/sqlite.test.ts.

const dir = mkdtempSync(join(tmpdir(), 'runtime-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs Python with `db` (the file's path) bound, returning the JSON of `result`. */
function python(path: string, body: string): unknown {
  const source = `import json, sqlite3, datetime\ndb = ${JSON.stringify(path)}\n${body}\nprint(json.dumps(result))`
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', source], { encoding: 'utf8' }))
}

function fresh(name: string): string {
  const path = join(dir, name)
  const conn = sqlite3.connect(path)
  conn.executescript('CREATE TABLE item (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE NOT NULL, price REAL, extra, data BLOB, made TIMESTAMP, day DATE);')
  conn.close()
  return path
}

describe('sqlite3 runtime and CPython on one file', () => {
  it('rows the runtime commits are read by CPython, and the reverse', () => {
    const path = fresh('both.sqlite')
    const conn = sqlite3.connect(path)
    // `extra` has no declared type: a value is stored with the type it is bound with.
    const cursor = conn.execute('INSERT INTO item (name, extra) VALUES (?, ?)', py.tuple('lamp', py.asFloat(12)))
    expect(cursor.lastrowid).toBe(1)
    conn.commit()
    expect(python(path, `c = sqlite3.connect(db)\nresult = c.execute("SELECT id, name, extra, typeof(extra) FROM item").fetchall()`)).toEqual([[1, 'lamp', 12, 'real']])

    python(path, `c = sqlite3.connect(db)\nc.execute("INSERT INTO item (name, extra) VALUES (:n, :p)", {"n": "desk", "p": 80})\nc.commit()\nresult = None`)
    conn.row_factory = sqlite3.Row
    const rows = conn.execute('SELECT id, name, extra, typeof(extra) AS kind FROM item ORDER BY id').fetchall()
    expect(rows.map((row: sqlite3.Row) => py.repr(py.toTuple(row)))).toEqual(["(1, 'lamp', 12.0, 'real')", "(2, 'desk', 80, 'integer')"])
    conn.close()
  })

  it('changes are invisible to the other side until commit, and lost on close without commit', () => {
    const path = fresh('tx.sqlite')
    const conn = sqlite3.connect(path)
    conn.execute("INSERT INTO item (name) VALUES ('pending')")
    expect(conn.in_transaction).toBe(true)
    expect(python(path, `result = sqlite3.connect(db).execute("SELECT count(*) FROM item").fetchone()[0]`)).toBe(0)
    conn.commit()
    expect(conn.in_transaction).toBe(false)
    expect(python(path, `result = sqlite3.connect(db).execute("SELECT count(*) FROM item").fetchone()[0]`)).toBe(1)

    conn.execute("UPDATE item SET name = 'changed'")
    conn.rollback()
    conn.execute("DELETE FROM item")
    conn.close()
    expect(python(path, `result = sqlite3.connect(db).execute("SELECT name FROM item").fetchall()`)).toEqual([['pending']])
  })

  it('a transaction CPython leaves open is invisible to the runtime, then a UNIQUE violation once committed', () => {
    const path = fresh('unique.sqlite')
    python(path, `c = sqlite3.connect(db)\nc.execute("INSERT INTO item (name) VALUES ('same')")\nresult = None`)
    const conn = sqlite3.connect(path)
    expect(conn.execute('SELECT count(*) FROM item').fetchone()[0]).toBe(0)
    python(path, `c = sqlite3.connect(db)\nc.execute("INSERT INTO item (name) VALUES ('same')")\nc.commit()\nresult = None`)
    let caught: unknown
    try {
      conn.execute("INSERT INTO item (name) VALUES ('same')")
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(sqlite3.IntegrityError)
    expect(caught).toBeInstanceOf(sqlite3.DatabaseError)
    expect(py.str(caught)).toBe('UNIQUE constraint failed: item.name')
    expect((caught as sqlite3.IntegrityError).sqlite_errorname).toBe('SQLITE_CONSTRAINT_UNIQUE')
    conn.close()
  })

  it('values keep their SQLite types both ways, and dates go through Python 3.11 adapters and converters', () => {
    const path = fresh('types.sqlite')
    const conn = sqlite3.connect(path, { detect_types: sqlite3.PARSE_DECLTYPES })
    conn.execute('INSERT INTO item (name, price, data, made, day) VALUES (?, ?, ?, ?, ?)', py.tuple('a', 2.5, new Uint8Array([0, 255]), new py.PyDateTime(2024, 2, 29, 13, 5, 9, 120), new py.PyDate(2024, 3, 1)))
    conn.execute('INSERT INTO item (name, price, data, made, day) VALUES (?, ?, ?, ?, ?)', py.tuple('b', true, null, null, null))
    conn.commit()
    expect(
      python(
        path,
        `c = sqlite3.connect(db, detect_types=sqlite3.PARSE_DECLTYPES)\nresult = [[repr(v) for v in row] for row in c.execute("SELECT name, price, typeof(price), data, made, day, typeof(made) FROM item ORDER BY id")]`,
      ),
    ).toEqual([
      ["'a'", '2.5', "'real'", "b'\\x00\\xff'", 'datetime.datetime(2024, 2, 29, 13, 5, 9, 120)', 'datetime.date(2024, 3, 1)', "'text'"],
      // REAL affinity: True is stored as 1.0, as from Python.
      ["'b'", '1.0', "'real'", 'None', 'None', 'None', "'null'"],
    ])
    python(path, `c = sqlite3.connect(db)\nc.execute("INSERT INTO item (name, price, made, day) VALUES (?, ?, ?, ?)", ("c", 3.0, datetime.datetime(2020, 1, 2, 3, 4, 5), datetime.date(2020, 1, 2)))\nc.commit()\nresult = None`)
    const row = conn.execute("SELECT name, price, made, day FROM item WHERE name = 'c'").fetchone()
    expect(py.repr(row)).toBe("('c', 3.0, datetime.datetime(2020, 1, 2, 3, 4, 5), datetime.date(2020, 1, 2))")
    conn.close()
  })

  it('executescript commits the pending transaction first', () => {
    const path = fresh('script.sqlite')
    const conn = sqlite3.connect(path)
    conn.execute("INSERT INTO item (name) VALUES ('before')")
    conn.executescript("INSERT INTO item (name) VALUES ('script');")
    conn.close()
    expect(python(path, `result = [r[0] for r in sqlite3.connect(db).execute("SELECT name FROM item ORDER BY id")]`)).toEqual(['before', 'script'])
  })

  it('`with conn:` commits, or rolls back on an exception', () => {
    const path = fresh('with.sqlite')
    const conn = sqlite3.connect(path)
    conn.__enter__()
    conn.execute("INSERT INTO item (name) VALUES ('kept')")
    conn.__exit__(null)
    conn.__enter__()
    conn.execute("INSERT INTO item (name) VALUES ('dropped')")
    conn.__exit__(Error, new Error("boom"))
    expect(python(path, `result = [r[0] for r in sqlite3.connect(db).execute("SELECT name FROM item")]`)).toEqual(['kept'])
    conn.close()
  })
})
