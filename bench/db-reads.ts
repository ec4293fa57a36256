/**
 * `npm run bench:db`: the journal's API read path (GET /api/posts: a page of 5 posts, the count,
 * and per post its author, tags and comment count, as Post.to_dict() reads them) on the data
 * layer the migrated service uses (src/emit/runtime/db.ts: session, identity map, lazy loads),
 * against the same statements written by hand with Kysely on better-sqlite3 (issue 17: the
 * migrated reads must reach ≥ 0.9× the hand-written ones). A seeded journal database is made by
 * real Flask-SQLAlchemy first. Not a test: the numbers vary by machine.
 */
import BetterSqlite3 from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely'
import { schemaSpecOf } from '../src/emit/db-schema.js'
import { runInContext } from '../src/emit/runtime/flask.js'
import { journalModels } from '../test/db/journal-models.js'
import { JOURNAL, pythonCreateAll, schemaOf } from '../test/db/models.js'

interface DB {
  post: { id: number; title: string; body: string; day: string; author_id: number }
  user: { id: number; username: string }
  tag: { id: number; name: string }
  post_tags: { post_id: number; tag_id: number }
  comment: { id: number; post_id: number }
}

const dir = mkdtempSync(join(tmpdir(), 'migrate-bench-db-'))
const path = join(dir, 'journal.sqlite')
pythonCreateAll(JOURNAL, 'wsgi', `sqlite:///${path}`, { JOURNAL_TESTING: '1' })

// More rows than the seed, so a page is a real page: 200 posts with tags and comments.
const seed = new BetterSqlite3(path)
seed.exec('BEGIN')
for (let i = 0; i < 200; i++) {
  const id = Number(seed.prepare("INSERT INTO post (title, body, day, author_id) VALUES (?, 'body', ?, ?)").run(`Post ${i}`, `2024-04-${String((i % 28) + 1).padStart(2, '0')}`, (i % 2) + 1).lastInsertRowid)
  seed.prepare('INSERT INTO post_tags (post_id, tag_id) VALUES (?, ?)').run(id, (i % 5) + 1)
  seed.prepare("INSERT INTO comment (body, post_id, author_id) VALUES ('c', ?, 1)").run(id)
}
seed.exec('COMMIT')
seed.close()

const pages = [1, 2, 3, 7, 20]

/** The service's way: Post.query.order_by(...).paginate(...) and to_dict()'s reads, in a session per request. */
function migrated(): () => number {
  const m = journalModels(schemaSpecOf(schemaOf(JOURNAL)))
  m.db.connect(`sqlite:///${path}`)
  let n = 0
  // Each read in a request context of its own, as a handler runs (one session per request).
  return () => runInContext({ req: { raw: {}, url: 'http://localhost/api/posts' } } as unknown as Parameters<typeof runInContext>[0], () => read())
  function read(): number {
    const page = pages[n++ % pages.length]!
    const pagination = m.Post.query.order_by(m.c.postDay.desc(), m.c.postId.desc()).paginate({ page, per_page: 5, max_per_page: 20, error_out: false })
    let size = 0
    for (const post of pagination.items) size += post.author.username.length + post.tag_names.length + post.comments.length + post.day.isoformat().length
    m.db.session.close()
    return size + (pagination.total ?? 0)
  }
}

/** The same statements by hand: Kysely compiles them, better-sqlite3 runs them. */
function handWritten(): () => number {
  const db = new BetterSqlite3(path)
  const k = new Kysely<DB>({ dialect: { createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (d) => new SqliteIntrospector(d), createQueryCompiler: () => new SqliteQueryCompiler() } })
  const statements = new Map<string, BetterSqlite3.Statement>()
  const run = (q: { compile(): { sql: string; parameters: readonly unknown[] } }): unknown[] => {
    const compiled = q.compile()
    let statement = statements.get(compiled.sql)
    if (!statement) statements.set(compiled.sql, (statement = db.prepare(compiled.sql)))
    return statement.all(...compiled.parameters)
  }
  let n = 0
  return () => {
    const page = pages[n++ % pages.length]!
    const posts = run(k.selectFrom('post').selectAll().orderBy('day', 'desc').orderBy('id', 'desc').limit(5).offset((page - 1) * 5)) as DB['post'][]
    const total = (run(k.selectFrom('post').select((eb) => eb.fn.countAll().as('n'))) as { n: number }[])[0]!.n
    let size = 0
    for (const post of posts) {
      const author = (run(k.selectFrom('user').select(['id', 'username']).where('id', '=', post.author_id)) as DB['user'][])[0]!
      const tags = run(k.selectFrom('tag').innerJoin('post_tags', 'post_tags.tag_id', 'tag.id').select('tag.name').where('post_tags.post_id', '=', post.id)) as { name: string }[]
      const comments = run(k.selectFrom('comment').select('id').where('post_id', '=', post.id).orderBy('id')) as unknown[]
      size += author.username.length + tags.map((t) => t.name).sort().length + comments.length + post.day.length
    }
    return size + total
  }
}

function measure(name: string, fn: () => number, seconds = 2): number {
  for (let i = 0; i < 200; i++) fn() // warm up
  let count = 0
  const start = performance.now()
  while (performance.now() - start < seconds * 1000) {
    fn()
    count++
  }
  const perSecond = count / ((performance.now() - start) / 1000)
  console.log(`${name.padEnd(40)} ${perSecond.toFixed(0).padStart(8)} reads/s`)
  return perSecond
}

try {
  const service = measure('migrated (runtime db.ts)', migrated())
  const byHand = measure('hand-written (Kysely + better-sqlite3)', handWritten())
  console.log(`ratio migrated / hand-written: ${(service / byHand).toFixed(2)} (goal ≥ 0.90)`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
