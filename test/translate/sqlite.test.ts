import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/**
 * The sqlite3 DB-API as the official Flask tutorial and JSON APIs use it, translated and run on
 * the runtime's sqlite.ts (better-sqlite3) against real CPython 3.11's sqlite3. Each case opens
 * its own `:memory:` database; sharing a file with CPython is test/runtime/sqlite.test.ts, and the
 * migrated tutorial app beside Flask test/verify/shared-database.test.ts.
 */

const SCHEMA = `
SCHEMA = """
DROP TABLE IF EXISTS user;
DROP TABLE IF EXISTS post;
CREATE TABLE user (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT UNIQUE NOT NULL,
  password TEXT NOT NULL
);
CREATE TABLE post (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  author_id INTEGER NOT NULL,
  created TIMESTAMP NOT NULL DEFAULT '2024-01-02 03:04:05',
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  score REAL,
  FOREIGN KEY (author_id) REFERENCES user (id)
);
"""

def open_db():
    db = sqlite3.connect(":memory:", detect_types=sqlite3.PARSE_DECLTYPES)
    db.row_factory = sqlite3.Row
    db.executescript(SCHEMA)
    return db
`
  .split('\n')
  .map((line) => (line ? `      ${line}` : line))
  .join('\n')

const cases: Case[] = [
  {
    name: 'connect, executescript, insert with ?, lastrowid, fetchone and fetchall as tuples',
    source: `
      import sqlite3
      def f():
          db = sqlite3.connect(":memory:")
          db.executescript("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER);")
          cur = db.execute("INSERT INTO item (name, qty) VALUES (?, ?)", ("lamp", 3))
          first = cur.lastrowid
          cur = db.execute("INSERT INTO item (name, qty) VALUES (?, ?)", ["desk", None])
          db.commit()
          one = db.execute("SELECT id, name, qty FROM item WHERE id = ?", (first,)).fetchone()
          missing = db.execute("SELECT id FROM item WHERE id = ?", (99,)).fetchone()
          rows = db.execute("SELECT name, qty FROM item ORDER BY id").fetchall()
          db.close()
          return [first, cur.lastrowid, list(one), missing, [list(r) for r in rows], repr(rows[0]), cur.rowcount]
    `,
  },
  {
    name: 'sqlite3.Row: by name (any case) and index, keys, dict, len, iteration, equality, isinstance',
    source: `
      import sqlite3
${SCHEMA}
      def f():
          db = open_db()
          db.execute("INSERT INTO user (username, password) VALUES (?, ?)", ("ada", "pw"))
          row = db.execute("SELECT id, username AS Name FROM user").fetchone()
          again = db.execute("SELECT id, username AS Name FROM user").fetchone()
          other = db.execute("SELECT id, username FROM user").fetchone()
          return [row["id"], row["name"], row["NAME"], row[0], row[-1], row.keys(), dict(row), len(row), list(row), tuple(row),
                  row == again, row == other, row != other, "ada" in row, isinstance(row, sqlite3.Row), row[0:1], row[::-1], row[5:]]
    `,
  },
  {
    name: 'Row errors: unknown key, index out of range, other index types, attribute access',
    source: `
      import sqlite3
      def f():
          db = sqlite3.connect(":memory:")
          db.row_factory = sqlite3.Row
          row = db.execute("SELECT 1 AS a").fetchone()
          out = []
          for key in ["b", 3, 1.5]:
              try:
                  row[key]
              except IndexError as e:
                  out.append(str(e))
          return out
    `,
  },
  {
    name: 'named parameters from a dict, executemany, rowcount of UPDATE and DELETE',
    source: `
      import sqlite3
${SCHEMA}
      def f():
          db = open_db()
          db.executemany("INSERT INTO user (username, password) VALUES (?, ?)", [("a", "1"), ("b", "2"), ("c", "3")])
          db.execute("INSERT INTO post (author_id, title, body) VALUES (:author, :title, :body)", {"author": 1, "title": "T", "body": "B", "extra": 0})
          updated = db.execute("UPDATE user SET password = :pw WHERE id > :low", {"pw": "x", "low": 1}).rowcount
          deleted = db.execute("DELETE FROM user WHERE username = ?", ("c",)).rowcount
          select = db.execute("SELECT * FROM user").rowcount
          names = [r["username"] for r in db.execute("SELECT username FROM user WHERE password = @pw ORDER BY username", {"pw": "x"})]
          return [updated, deleted, select, names, db.execute("SELECT title, body FROM post").fetchone()["title"]]
    `,
  },
  {
    name: 'IntegrityError for UNIQUE and NOT NULL, caught as in the tutorial, with SQLite\'s message',
    source: `
      import sqlite3
${SCHEMA}
      def register(db, username):
          error = None
          try:
              db.execute("INSERT INTO user (username, password) VALUES (?, ?)", (username, "pw"))
              db.commit()
          except sqlite3.IntegrityError:
              error = f"User {username} is already registered."
          return error
      def f():
          db = open_db()
          out = [register(db, "ada"), register(db, "ada")]
          try:
              db.execute("INSERT INTO user (username) VALUES ('x')")
          except sqlite3.IntegrityError as e:
              out.append(str(e))
              out.append(e.sqlite_errorname)
              out.append(isinstance(e, sqlite3.DatabaseError))
          return out
    `,
  },
  {
    name: 'OperationalError and ProgrammingError messages; except sqlite3.Error catches both',
    source: `
      import sqlite3
      from sqlite3 import OperationalError, ProgrammingError
      def f():
          db = sqlite3.connect(":memory:")
          out = []
          attempts = [
              ("SELECT * FROM nope", ()),
              ("SELEC 1", ()),
              ("SELECT ?", (1, 2)),
              ("SELECT ?", ()),
              ("SELECT :a", {"b": 1}),
              ("SELECT ?", {"a": 1}),
              ("SELECT 1; SELECT 2", ()),
              ("SELECT ?", ([1],)),
          ]
          for sql, params in attempts:
              try:
                  db.execute(sql, params)
                  out.append("ok")
              except OperationalError as e:
                  out.append("OperationalError: " + str(e))
              except ProgrammingError as e:
                  out.append("ProgrammingError: " + str(e))
          try:
              db.execute("SELECT * FROM missing")
          except sqlite3.Error as e:
              out.append("caught by sqlite3.Error: " + str(e))
          return out
    `,
  },
  {
    name: 'implicit transactions: BEGIN before DML, not before SELECT or DDL; rollback, commit, executescript commits',
    source: `
      import sqlite3
      def f():
          db = sqlite3.connect(":memory:")
          out = [db.in_transaction]
          db.execute("CREATE TABLE t (x)")
          out.append(db.in_transaction)
          db.execute("SELECT * FROM t")
          out.append(db.in_transaction)
          db.execute("INSERT INTO t VALUES (1)")
          out.append(db.in_transaction)
          db.rollback()
          out.append(db.execute("SELECT count(*) FROM t").fetchone()[0])
          db.execute("-- a comment first\\nINSERT INTO t VALUES (2)")
          out.append(db.in_transaction)
          db.commit()
          out.append(db.in_transaction)
          db.execute("INSERT INTO t VALUES (3)")
          db.executescript("INSERT INTO t VALUES (4);")
          out.append(db.in_transaction)
          db.rollback()
          out.append([r[0] for r in db.execute("SELECT x FROM t ORDER BY x")])
          db.isolation_level = None
          db.execute("INSERT INTO t VALUES (5)")
          out.append(db.in_transaction)
          out.append(db.isolation_level)
          return out
    `,
  },
  {
    name: 'value types: int, float (3.0 stays a float), str, bytes, None, bool; REAL affinity',
    source: `
      import sqlite3
      def f():
          db = sqlite3.connect(":memory:")
          db.execute("CREATE TABLE v (any_value, real_value REAL, int_value INTEGER, text_value TEXT)")
          for value in [7, 3.0, 2.5, "text", b"\\x00\\xff", None, True, 10 ** 15]:
              db.execute("INSERT INTO v VALUES (?, ?, ?, ?)", (value, value, value, value))
          rows = db.execute("SELECT any_value, typeof(any_value), real_value, int_value, text_value FROM v").fetchall()
          return [[repr(x) for x in row] for row in rows]
    `,
  },
  {
    name: 'detect_types=PARSE_DECLTYPES: TIMESTAMP and DATE columns become datetime and date',
    source: `
      import sqlite3
      from datetime import datetime, date
      def f():
          db = sqlite3.connect(":memory:", detect_types=sqlite3.PARSE_DECLTYPES)
          db.execute("CREATE TABLE e (at TIMESTAMP, day DATE, plain TEXT)")
          db.execute("INSERT INTO e VALUES (?, ?, ?)", (datetime(2024, 2, 29, 13, 5, 9, 120), date(2024, 3, 1), datetime(2024, 1, 1)))
          db.execute("INSERT INTO e VALUES ('2023-12-31 23:59:59', '2023-12-31', 'x')")
          db.execute("INSERT INTO e (plain) VALUES ('nulls')")
          rows = db.execute("SELECT at, day, plain FROM e").fetchall()
          out = [[repr(x) for x in row] for row in rows]
          out.append(rows[0][0].strftime("%d %b %Y %H:%M"))
          out.append(str(rows[1][0] - rows[0][0]))
          return out
    `,
  },
  {
    name: 'a malformed timestamp raises ValueError when fetched',
    source: `
      import sqlite3
      def f():
          db = sqlite3.connect(":memory:", detect_types=sqlite3.PARSE_DECLTYPES)
          db.execute("CREATE TABLE e (at TIMESTAMP)")
          db.execute("INSERT INTO e VALUES ('yesterday')")
          cur = db.execute("SELECT at FROM e")
          try:
              cur.fetchone()
          except ValueError as e:
              return str(e)
    `,
  },
  {
    name: 'iteration over a cursor, comprehensions, fetchmany, description, cursor()',
    source: `
      import sqlite3
      def f():
          db = sqlite3.connect(":memory:")
          cur = db.cursor()
          cur.execute("CREATE TABLE n (k INTEGER, label TEXT)")
          cur.executemany("INSERT INTO n VALUES (?, ?)", [(i, "n%d" % i) for i in range(5)])
          db.commit()
          squares = [k * k for (k, _label) in db.execute("SELECT k, label FROM n ORDER BY k")]
          cur.execute("SELECT k AS key, label FROM n ORDER BY k DESC")
          first_two = cur.fetchmany(2)
          rest = cur.fetchall()
          names = [d[0] for d in cur.description]
          total = 0
          for row in db.execute("SELECT k FROM n"):
              total += row[0]
          return [squares, [list(r) for r in first_two], len(rest), names, total, cur.fetchone(), cur.arraysize]
    `,
  },
  {
    name: 'a row_factory function building dicts from cursor.description',
    source: `
      import sqlite3
      def dict_factory(cursor, row):
          return {col[0]: row[i] for i, col in enumerate(cursor.description)}
      def f():
          db = sqlite3.connect(":memory:")
          db.row_factory = dict_factory
          db.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, title TEXT)")
          db.execute("INSERT INTO p (title) VALUES ('hello')")
          return db.execute("SELECT id, title FROM p").fetchall()
    `,
  },
  {
    name: 'the tutorial blog queries: JOIN with users, ORDER BY created DESC, get_post, update and delete',
    source: `
      import sqlite3
${SCHEMA}
      def get_post(db, id):
          post = db.execute(
              "SELECT p.id, title, body, created, author_id, username"
              " FROM post p JOIN user u ON p.author_id = u.id"
              " WHERE p.id = ?",
              (id,),
          ).fetchone()
          return post
      def f():
          db = open_db()
          db.execute("INSERT INTO user (username, password) VALUES (?, ?)", ("ada", "pw"))
          db.execute("INSERT INTO post (title, body, author_id, created) VALUES (?, ?, ?, ?)", ("First", "Hello", 1, "2024-01-01 10:00:00"))
          db.execute("INSERT INTO post (title, body, author_id) VALUES (?, ?, ?)", ("Second", "World", 1))
          db.commit()
          posts = db.execute(
              "SELECT p.id, title, body, created, author_id, username"
              " FROM post p JOIN user u ON p.author_id = u.id"
              " ORDER BY created DESC"
          ).fetchall()
          listing = [{"id": p["id"], "title": p["title"], "author": p["username"], "created": p["created"].isoformat()} for p in posts]
          db.execute("UPDATE post SET title = ?, body = ? WHERE id = ?", ("First!", "Hi", 1))
          db.execute("DELETE FROM post WHERE id = ?", (2,))
          db.commit()
          post = get_post(db, 1)
          return [listing, dict(post)["title"], post["created"].year, get_post(db, 2) is None, db.total_changes]
    `,
  },
  {
    name: 'aggregates and NULL: count, sum of REAL, avg, group by, coalesce',
    source: `
      import sqlite3
      def f():
          db = sqlite3.connect(":memory:")
          db.execute("CREATE TABLE s (cat TEXT, amount REAL, n INTEGER)")
          db.executemany("INSERT INTO s VALUES (?, ?, ?)", [("a", 1.5, 1), ("a", 2.5, 2), ("b", 4, None)])
          out = [list(r) for r in db.execute("SELECT cat, count(*), sum(amount), avg(n), coalesce(max(n), -1) FROM s GROUP BY cat ORDER BY cat")]
          out.append(db.execute("SELECT sum(n) FROM s WHERE cat = 'zzz'").fetchone()[0])
          return out
    `,
  },
  {
    name: '`with db:` commits, or rolls back when the block raises (the connection stays open)',
    source: `
      import sqlite3
      def f():
          db = sqlite3.connect(":memory:")
          db.execute("CREATE TABLE t (x UNIQUE)")
          with db:
              db.execute("INSERT INTO t VALUES (1)")
          err = None
          try:
              with db:
                  db.execute("INSERT INTO t VALUES (2)")
                  db.execute("INSERT INTO t VALUES (1)")
          except sqlite3.IntegrityError as e:
              err = str(e)
          return [[r[0] for r in db.execute("SELECT x FROM t")], err, db.in_transaction]
    `,
  },
  {
    name: 'foreign keys are not enforced until PRAGMA foreign_keys = ON, as in Python',
    source: `
      import sqlite3
      def f():
          db = sqlite3.connect(":memory:")
          db.executescript("CREATE TABLE a (id INTEGER PRIMARY KEY); CREATE TABLE b (a_id INTEGER REFERENCES a (id));")
          db.execute("INSERT INTO b VALUES (7)")
          out = [db.execute("PRAGMA foreign_keys").fetchone()[0]]
          db.execute("PRAGMA foreign_keys = ON")
          try:
              db.execute("INSERT INTO b VALUES (8)")
          except sqlite3.IntegrityError as e:
              out.append(str(e))
          return out
    `,
  },
  {
    name: 'register_converter and register_adapter, PARSE_COLNAMES',
    source: `
      import sqlite3
      class Point:
          def __init__(self, x, y):
              self.x = x
              self.y = y
      def adapt_point(point):
          return f"{point.x};{point.y}"
      def f():
          sqlite3.register_adapter(Point, adapt_point)
          sqlite3.register_converter("POINT", lambda v: tuple(float(part) for part in v.decode().split(";")))
          db = sqlite3.connect(":memory:", detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
          db.execute("CREATE TABLE shapes (p point, q TEXT)")
          db.execute("INSERT INTO shapes VALUES (?, ?)", (Point(1, 2.5), "3;4"))
          row = db.execute('SELECT p, q AS "q [point]", q FROM shapes').fetchone()
          cur = db.execute('SELECT q AS "q [point]" FROM shapes')
          return [list(row), [d[0] for d in cur.description]]
    `,
  },
  {
    name: 'a double-quoted word that names no column is a string literal, as in Python\'s SQLite',
    source: `
      import sqlite3
      def f():
          db = sqlite3.connect(":memory:")
          db.execute('CREATE TABLE "user" ("name" TEXT, role TEXT)')
          db.execute('INSERT INTO user (name, role) VALUES ("ada", "admin")')
          db.execute("INSERT INTO user VALUES ('bob', 'name')")
          out = [list(r) for r in db.execute('SELECT "name", role FROM "user" WHERE role = "admin" OR role = "name" ORDER BY "name"')]
          try:
              db.execute('SELECT missing FROM user')
          except sqlite3.OperationalError as e:
              out.append(str(e))
          return out
    `,
  },
  {
    name: 'uri=True: file: URIs with mode=memory, ro and rw',
    source: `
      import sqlite3
      def f():
          out = []
          db = sqlite3.connect("file:whatever?mode=memory", uri=True)
          out.append(db.execute("SELECT 1 + 1").fetchone()[0])
          for target in ["file:/nonexistent/dir/x.db?mode=ro", "file:///nonexistent/x.db?mode=rw"]:
              try:
                  sqlite3.connect(target, uri=True)
              except sqlite3.OperationalError as e:
                  out.append(str(e))
          return out
    `,
  },
  {
    name: 'a closed connection raises ProgrammingError',
    source: `
      import sqlite3
      def f():
          db = sqlite3.connect(":memory:")
          cur = db.execute("SELECT 1")
          db.close()
          db.close()
          out = []
          for action in ["execute", "fetch", "commit"]:
              try:
                  if action == "execute":
                      db.execute("SELECT 1")
                  elif action == "fetch":
                      cur.fetchall()
                  else:
                      db.commit()
              except sqlite3.ProgrammingError as e:
                  out.append(str(e))
          return out
    `,
  },
]

describe('sqlite3 (DB-API) translated onto better-sqlite3 behaves as CPython 3.11', async () => {
  await differentialSuite(cases, { sqlite: true })
})
