/**
 * The journal's two JSON API reads (GET /api/posts and GET /api/posts/<id>, fixtures/acceptance/
 * journal/journal/api/posts.py) written by hand as a Hono developer would, with the library the
 * migrated data layer uses: Kysely builds the statements, better-sqlite3 runs them (each prepared
 * once). The statements are those SQLAlchemy runs for these views (a page and its count, each
 * author once per request, each entry's tags and comments), and the JSON is the journal's, keys
 * sorted as Flask writes them. bench/db-reads.ts runs these handlers inside a copy of the migrated
 * service (in place of the migrated views) and in a bare Hono app. Imports only hono, kysely and
 * better-sqlite3, so the file compiles in the repository and in a service.
 */
import BetterSqlite3 from 'better-sqlite3'
import type { Context } from 'hono'
import { type Compilable, DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely'

interface DB {
  post: { id: number; title: string; body: string; day: string; author_id: number }
  user: { id: number; username: string; password_hash: string; bio: string | null; api_key: string | null }
  tag: { id: number; name: string }
  post_tags: { post_id: number; tag_id: number }
  comment: { id: number; body: string; post_id: number; author_id: number }
}

const PER_PAGE = 5
const MAX_PER_PAGE = 20

/** An entry as the API shows it (Post.to_dict()), without its url. */
export interface EntryJson {
  author: string
  body: string
  comment_count: number
  comments?: { author: string; body: string; id: number; post_id: number }[]
  day: string
  id: number
  tags: string[]
  title: string
}

/**
 * The reads of the two views, by hand: a page of entries (newest first) with the count of all,
 * and one entry with its comments. Each call is one request's worth (authors are read once per call).
 */
export function journalDataByHand(path: string): { page(page: number, perPage: number): { entries: EntryJson[]; total: number }; entry(id: number): EntryJson | undefined } {
  const db = new BetterSqlite3(path)
  const k = new Kysely<DB>({
    dialect: { createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (d) => new SqliteIntrospector(d), createQueryCompiler: () => new SqliteQueryCompiler() },
  })
  const prepared = new Map<string, BetterSqlite3.Statement>()
  const all = <R>(query: Compilable<R>): R[] => {
    const { sql, parameters } = query.compile()
    let statement = prepared.get(sql)
    if (statement === undefined) prepared.set(sql, (statement = db.prepare(sql)))
    return statement.all(...parameters) as R[]
  }
  const userOf = (users: Map<number, DB['user']>, id: number): DB['user'] => {
    let user = users.get(id)
    if (user === undefined) users.set(id, (user = all(k.selectFrom('user').selectAll().where('id', '=', id))[0]!))
    return user
  }
  const entryJson = (post: DB['post'], users: Map<number, DB['user']>, withComments: boolean): EntryJson => {
    const tags = all(k.selectFrom(['tag', 'post_tags']).select(['tag.id', 'tag.name']).where('post_tags.post_id', '=', post.id).whereRef('tag.id', '=', 'post_tags.tag_id'))
    const comments = all(k.selectFrom('comment').selectAll().where('post_id', '=', post.id).orderBy('id', 'asc'))
    const json: EntryJson = { author: userOf(users, post.author_id).username, body: post.body, comment_count: comments.length, day: post.day, id: post.id, tags: tags.map((tag) => tag.name).sort(), title: post.title }
    if (withComments) json.comments = comments.map((comment) => ({ author: userOf(users, comment.author_id).username, body: comment.body, id: comment.id, post_id: comment.post_id }))
    return json
  }
  return {
    page(page, perPage) {
      const users = new Map<number, DB['user']>()
      const posts = all(k.selectFrom('post').selectAll().orderBy('day', 'desc').orderBy('id', 'desc').limit(perPage).offset((page - 1) * perPage))
      const total = all(k.selectFrom('post').select((eb) => eb.fn.countAll<number>().as('count_1')))[0]!.count_1
      return { entries: posts.map((post) => entryJson(post, users, false)), total }
    },
    entry(id) {
      const post = all(k.selectFrom('post').selectAll().where('id', '=', id))[0]
      return post === undefined ? undefined : entryJson(post, new Map(), true)
    },
  }
}

/** How a view writes its JSON answer: Hono's `c.json` by default. */
export type JsonWriter = (c: Context, body: unknown, status: 200 | 400 | 404) => Response

/**
 * The two views on the SQLite database at `path`. In a migrated service, `json` is the runtime's
 * Flask-compatible encoder (sorted keys, ASCII escapes, the trailing newline): the service must
 * answer with Flask's bytes, which `c.json` does not write.
 */
export function journalReadsByHand(path: string, json: JsonWriter = (c, body, status) => c.json(body, status)): { listPosts: (c: Context) => Response; getPost: (c: Context) => Response } {
  const data = journalDataByHand(path)
  const withUrl = (entry: EntryJson): Record<string, unknown> => ({ ...entry, url: `/api/posts/${entry.id}` })
  const intArgument = (value: string | undefined, fallback: number): number => (value !== undefined && /^\s*[+-]?\d+\s*$/.test(value) ? Number.parseInt(value, 10) : fallback)

  return {
    listPosts(c) {
      const page = intArgument(c.req.query('page'), 1)
      const perPage = intArgument(c.req.query('per_page'), PER_PAGE)
      if (page < 1 || perPage < 1) return json(c, { error: 'bad request', message: 'page and per_page must be positive integers' }, 400)
      const size = Math.min(perPage, MAX_PER_PAGE)
      const { entries, total } = data.page(page, size)
      const pages = Math.ceil(total / size)
      const link = (number: number): string => `/api/posts?page=${number}&per_page=${size}`
      return json(c, {
        links: { next: page < pages ? link(page + 1) : null, prev: page > 1 ? link(page - 1) : null, self: link(page) },
        meta: { page, pages, per_page: size, total },
        posts: entries.map(withUrl),
      }, 200)
    },
    getPost(c) {
      const id = Number(new URL(c.req.url).pathname.split('/').at(-1))
      const entry = data.entry(id)
      if (entry === undefined) return json(c, { error: 'not found', message: `post ${id} does not exist` }, 404)
      return json(c, withUrl(entry), 200)
    },
  }
}
