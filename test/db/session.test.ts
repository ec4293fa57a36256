import BetterSqlite3 from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { schemaSpecOf } from '../../src/emit/db-schema.js'
import { PyDate } from '../../src/emit/runtime/datetime.js'
import { column, IntegrityError, sqlCompare, type Criterion, type SchemaSpec } from '../../src/emit/runtime/db.js'
import { NotFound } from '../../src/emit/runtime/errors.js'
import { journalModels } from './journal-models.js'
import { JOURNAL, pythonCreateAll, REPO, schemaOf } from './models.js'

/**
 * Differential tests of the data layer: each scenario runs once in Python with real
 * Flask-SQLAlchemy (test/db/journal_session.py) and once in TypeScript on the runtime
 * (src/emit/runtime/db.ts), each on its own copy of a database that the Flask app created and
 * seeded. The results and then every row of every table must be the same.
 */

type Scenario = (m: ReturnType<typeof journalModels>) => unknown
const ids = (items: { id: number | null }[]) => items.map((item) => item.id)

const SCENARIOS: Record<string, Scenario> = {
  paginate: ({ Post, c }) => {
    const out: unknown[] = []
    for (const [page, perPage] of [[1, 3], [2, 3], [3, 3], [9, 3], [1, 100], [0, 5]] as const) {
      try {
        const p = Post.query.order_by(c.postDay.desc(), c.postId.desc()).paginate({ page, per_page: perPage, max_per_page: 20, error_out: page !== 0 })
        out.push([ids(p.items), p.page, p.per_page, p.total, p.pages, p.has_next, p.next_num, p.has_prev, p.prev_num, p.first, p.last])
      } catch (error) {
        if (!(error instanceof NotFound)) throw error
        out.push('404')
      }
    }
    try {
      Post.query.paginate({ page: 9, per_page: 3 })
      out.push('no 404')
    } catch (error) {
      if (!(error instanceof NotFound)) throw error
      out.push('404')
    }
    return out
  },
  queries: ({ db, User, Post, Tag, c }) => {
    const bob = User.query.filter_by({ api_key: 'bob-key-52e1d0' }).first()!
    return {
      bob: [bob.id, bob.username, bob.bio, bob.display_name],
      missing: User.query.filter_by({ api_key: 'nope' }).first() === null,
      get: Post.query.get(3)!.title,
      get_missing: Post.query.get(999) === null,
      session_get: (db.session.get(User, 1) as InstanceType<typeof User>).username,
      count: Post.query.count(),
      filter: ids(Post.query.filter(c.postAuthorId.eq(2)).order_by(c.postId.desc()).all()),
      limit_offset: ids(Post.query.order_by(c.postId).offset(2).limit(3).all()),
      offset_only: ids(Post.query.order_by(c.postId).offset(5).all()),
      like: ids(Post.query.filter(c.postTitle.like('%o%')).order_by(c.postId).all()),
      ilike: ids(Post.query.filter(c.postTitle.ilike('%S%')).order_by(c.postId).all()),
      contains: ids(Post.query.filter(c.postTitle.contains('ee')).order_by(c.postId).all()),
      startswith: ids(Post.query.filter(c.postTitle.startswith('S')).order_by(c.postId).all()),
      endswith: ids(Post.query.filter(c.postTitle.endswith('s')).order_by(c.postId).all()),
      in_: ids(Post.query.filter(c.postId.in_([2, 4, 99])).order_by(c.postId).all()),
      notin_: ids(Post.query.filter(c.postId.notin_([2, 4])).order_by(c.postId).all()),
      between: ids(Post.query.filter(c.postDay.between(new PyDate(2024, 1, 14), new PyDate(2024, 2, 11))).order_by(c.postId).all()),
      day_gt: ids(Post.query.filter(sqlCompare('gt', c.postDay, new PyDate(2024, 2, 11)) as Criterion).order_by(c.postId).all()),
      tags_any: ids(Post.query.filter((Post as unknown as { tags: { any(f: object): never } }).tags.any({ name: 'garden' })).order_by(c.postId).all()),
      join: ids(Post.query.join(User).filter(c.username.eq('alice')).order_by(c.postDay.desc()).all()),
      join_count: Post.query.join(User).filter(c.username.eq('alice')).count(),
      dynamic_count: [User.query.get(1)!.posts.count(), User.query.get(2)!.comments.count()],
      dynamic_order: ids(User.query.get(1)!.posts.order_by(c.postDay.desc()).limit(2).all()),
      backref_dynamic: ids(Tag.query.filter_by({ name: 'ideas' }).first()!.posts.order_by(c.postId).all()),
      first_or_404: User.query.filter_by({ username: 'alice' }).first_or_404().id,
      date: Post.query.get(1)!.day.isoformat(),
    }
  },
  not_found: ({ Post, User }) =>
    [() => Post.query.get_or_404(999, 'post 999 does not exist'), () => User.query.filter_by({ username: 'ghost' }).first_or_404('no user called ghost')].map((thunk) => {
      try {
        thunk()
        return 'found'
      } catch (error) {
        if (!(error instanceof NotFound)) throw error
        return [error.code, error.description]
      }
    }),
  relationships: ({ Post }) => {
    const post = Post.query.get(2)!
    return {
      author: post.author.username,
      tags: post.tags.map((tag) => tag.name).sort(),
      tags_loaded_order: Post.query.get(6)!.tags.map((tag) => tag.name),
      comments: post.comments.map((comment) => [comment.id, comment.body, comment.author.username, comment.post.id]),
      comment_count: post.comments.length,
      no_comments: Post.query.get(3)!.comments.length,
    }
  },
  identity_map: ({ db, User, Post }) => {
    const a = User.query.get(1)
    const b = User.query.filter_by({ username: 'alice' }).first()
    const c = db.session.get(User, 1)
    const d = Post.query.get(1)!.author
    return [a === b, b === c, c === d]
  },
  create_post: ({ db, User, Post, Comment, get_or_create_tags }) => {
    const bob = User.query.filter_by({ api_key: 'bob-key-52e1d0' }).first()!
    const post = new Post({ title: 'Frost warning', body: 'Covered the seedlings.', day: new PyDate(2024, 3, 10), author: bob })
    post.tags = get_or_create_tags(['Garden', 'weather', 'garden'])
    db.session.add(post)
    db.session.commit()
    const comment = new Comment({ body: 'Stay warm!', post, author: User.query.get(1) })
    db.session.add(comment)
    db.session.commit()
    return [post.id, post.title, [...post.tag_names].sort(), post.comments.length, comment.id, bob.posts.count()]
  },
  update_post: ({ db, Post, Tag, get_or_create_tags }) => {
    const post = Post.query.get(4)!
    post.title = 'Seed catalogue season (revised)'
    post.day = new PyDate(2024, 2, 3)
    post.tags = get_or_create_tags(['garden', 'spring'])
    db.session.commit()
    post.tags = []
    db.session.commit()
    return [post.title, post.day.isoformat(), post.tag_names, Tag.query.count()]
  },
  delete_post: ({ db, Post, Comment, Tag }) => {
    const post = Post.query.get(2)!
    db.session.delete(post)
    db.session.commit()
    return [Post.query.count(), Comment.query.count(), Post.query.get(2) === null, Tag.query.filter_by({ name: 'cooking' }).first()!.posts.count()]
  },
  integrity_error: ({ db, Tag }) => {
    const out: unknown[] = []
    db.session.add(new Tag({ name: 'garden' }))
    try {
      db.session.commit()
      out.push('committed')
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error
      db.session.rollback()
      out.push('IntegrityError')
    }
    db.session.add(new Tag({ name: 'poetry' }))
    db.session.commit()
    out.push(Tag.query.count())
    return out
  },
  autoflush: ({ db, Tag }) => {
    db.session.add(new Tag({ name: 'autoflushed' }))
    const found = Tag.query.filter_by({ name: 'autoflushed' }).first()
    const id = found ? found.id : null
    db.session.rollback()
    return [found !== null, id, Tag.query.filter_by({ name: 'autoflushed' }).first() === null]
  },
  append_comment: ({ db, Post, User, Comment }) => {
    const post = Post.query.get(3)!
    post.comments.push(new Comment({ body: 'Appended.', author: User.query.get(2) }))
    db.session.commit()
    return [post.comments.map((comment) => [comment.id, comment.post_id, comment.author.username]), Comment.query.count()]
  },
  tag_counts: ({ db, tag_counts, Tag }) => {
    const first = db.session.query(column(Tag, 'id')).order_by(column(Tag, 'name')).first()
    return { all: tag_counts(), g: tag_counts('G'), none: tag_counts('zzz'), first }
  },
  expire_on_commit: ({ db, User }) => {
    const alice = User.query.get(1)!
    const bio = alice.bio
    db.session.execute(db.text("UPDATE user SET bio = 'changed behind its back' WHERE id = 1"))
    const before = alice.bio
    db.session.commit()
    return [bio, before, alice.bio]
  },
}

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
