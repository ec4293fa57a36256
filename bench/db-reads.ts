/**
 * `npm run bench:db` (also the last part of `npm run bench`): the migrated journal's JSON API reads
 * against the same queries written by hand with the library the runtime uses, Kysely compiling and
 * better-sqlite3 running them (issue 17: the migrated reads must reach ≥ 0.9× the hand-written
 * requests per second).
 *
 * Three apps answer GET /api/posts (pages) and GET /api/posts/<id>, in this process, one request at
 * a time through `app.fetch` (the handlers and the data layer, not sockets), on one seeded database
 * (the Flask app's own create_all and seed, then 200 more entries with a tag and a comment each):
 *
 * - migrated: fixtures/acceptance/journal migrated by the CLI and built, its `createApp()`;
 * - by hand in the service: a copy of that service whose two views are bench/journal-by-hand.ts
 *   (the same statements by hand with Kysely and better-sqlite3), everything else the same (Flask's
 *   request hooks, session, Flask-Login, error handlers): the ratio of the goal, migrated / this;
 * - bare Hono: the same hand-written views in a Hono app with nothing else, for scale (what the
 *   Flask semantics around a view cost, which no data layer can win back).
 *
 * Every path is first sent to each app and the answers must be equal (status, JSON body,
 * X-Journal-API), so all three do the same work. Rounds rotate which app goes first; each round
 * gives a ratio, the verdict is the median. Each rate is measured on the wall clock and on the
 * process's CPU time: the work is one thread doing synchronous SQLite, so on an idle core the
 * two agree, and on a shared machine (2 cores, load 10-20 while this was written: single rounds
 * moved by ±30% on the wall clock) the CPU time is what still measures the code; the verdict uses
 * the CPU-time ratio and both are printed, with the spread of the rounds and the load average.
 *
 * Options: --rounds N (default 9), --requests N per app per round (default 2000). Not a test.
 */
import BetterSqlite3 from 'better-sqlite3'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import { Hono } from 'hono'
import { buildService, installDependencies } from '../src/verify/service.js'
import { JOURNAL, pythonCreateAll } from '../test/db/models.js'
import { type EntryJson, journalDataByHand, journalReadsByHand } from './journal-by-hand.js'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? Number(process.argv[index + 1]) : fallback
}
const rounds = option('rounds', 9)
const requestsPerRound = option('requests', 2000)

/** A bare Hono app with the hand-written views (and the blueprint's X-Journal-API header). */
function bareHonoApp(path: string): Hono {
  const views = journalReadsByHand(path)
  const app = new Hono()
  app.use('/api/*', async (c, next) => {
    await next()
    c.header('X-Journal-API', '1')
  })
  app.get('/api/posts', views.listPosts)
  app.get('/api/posts/:post_id{[0-9]+}', views.getPost)
  return app
}

/** A copy of the migrated service whose two read views are the hand-written ones. */
function serviceWithHandWrittenViews(serviceDir: string, copy: string): void {
  cpSync(serviceDir, copy, { recursive: true, filter: (source) => !/^(node_modules|dist)(\/|$)/.test(relative(serviceDir, source)) })
  cpSync(join(repo, 'bench', 'journal-by-hand.ts'), join(copy, 'src', 'journal-by-hand.ts'))
  const routes = join(copy, 'src', 'routes', 'api.ts')
  let text = readFileSync(routes, 'utf8')
  const replacements: [string, string][] = [
    ["routes.get('/posts', listPosts)", "routes.get('/posts', view(byHand.listPosts))"],
    ["routes.get('/posts/<int:post_id>', getPost)", "routes.get('/posts/<int:post_id>', view(byHand.getPost))"],
  ]
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`${routes}: no ${from} (the migrated journal changed: update bench/db-reads.ts)`)
    text = text.replace(from, to)
  }
  // JSON as Flask writes it, with the runtime's encoder (the service's answers must be Flask's bytes).
  text = `import { journalReadsByHand } from '../journal-by-hand.js'\nimport { dumps } from '../lib/flask.js'\n${text}
const byHand = journalReadsByHand(process.env['DATABASE_URL']!.replace(/^sqlite:\\/\\/\\//, ''), (c, body, status) =>
  c.body(\`\${dumps(body)}\\n\`, status, { 'Content-Type': 'application/json' }),
)\n`
  writeFileSync(routes, text)
}

/** What the bench reads of the migrated models (the service's own classes, loaded from its build). */
interface MigratedPost {
  id: number
  title: string
  body: string
  day: { isoformat(): string }
  author: { username: string }
  tags: { name: string }[]
  comments: { id: number; body: string; post_id: number; author: { username: string } }[]
}
interface MigratedQuery {
  order_by(...orderings: unknown[]): MigratedQuery
  paginate(options: Record<string, unknown>): { items: MigratedPost[]; total: number }
  get(id: number): MigratedPost | null
}
interface MigratedPostClass {
  query: MigratedQuery
  day: { desc(): unknown }
  id: { desc(): unknown }
}

interface App {
  fetch(request: Request): Response | Promise<Response>
}

interface Answer {
  status: number
  body: string
  type: string | null
  api: string | null
}

async function answer(app: App, path: string): Promise<Answer> {
  const response = await app.fetch(new Request(`http://localhost${path}`))
  return { status: response.status, body: await response.text(), type: response.headers.get('Content-Type'), api: response.headers.get('X-Journal-API') }
}

interface Rate {
  wall: number
  cpu: number
}

/**
 * `count` calls of `one(i)`, one at a time: calls per second of wall time, and per second of this
 * process's CPU time (user + system), which waiting for a core on a shared machine does not inflate.
 */
async function callsPerSecond(one: (i: number) => unknown, count: number): Promise<Rate> {
  ;(globalThis as { gc?: () => void }).gc?.()
  const start = performance.now()
  const cpuStart = process.cpuUsage()
  for (let i = 0; i < count; i++) await one(i)
  const cpu = process.cpuUsage(cpuStart)
  return { wall: count / ((performance.now() - start) / 1000), cpu: count / ((cpu.user + cpu.system) / 1e6) }
}

/**
 * Interleaved rounds of `sides` (the first is the migrated one, the second what it is held to):
 * prints each round and the medians, and returns the median CPU-time ratio of the first two.
 */
async function compareRounds(unit: string, sides: { name: string; one: (i: number) => unknown }[]): Promise<number> {
  // Warm-up: every side's code optimised before the first round counts.
  for (const { one } of sides) await callsPerSecond(one, Math.min(1000, requestsPerRound))
  const rates: Rate[][] = sides.map(() => [])
  const wallRatios: number[] = []
  const cpuRatios: number[] = []
  const fixed = (value: number): string => value.toFixed(0)
  for (let round = 1; round <= rounds; round++) {
    // The side that goes first changes every round.
    const order = sides.map((_, index) => (index + round - 1) % sides.length)
    const rate: Rate[] = []
    for (const side of order) rate[side] = await callsPerSecond(sides[side]!.one, requestsPerRound)
    rate.forEach((value, side) => rates[side]!.push(value))
    wallRatios.push(rate[0]!.wall / rate[1]!.wall)
    cpuRatios.push(rate[0]!.cpu / rate[1]!.cpu)
    console.log(`  round ${String(round).padStart(2)}: ${sides.map(({ name }, side) => `${name} ${fixed(rate[side]!.wall)} (${fixed(rate[side]!.cpu)})`).join(', ')}; ratio ${wallRatios.at(-1)!.toFixed(2)} (${cpuRatios.at(-1)!.toFixed(2)})`)
  }
  const medianOf = (side: number, kind: keyof Rate): number => median(rates[side]!.map((rate) => rate[kind]))
  const spread = (values: number[]): string => `rounds ${Math.min(...values).toFixed(2)} to ${Math.max(...values).toFixed(2)}`
  console.log(`  median ${unit}/s wall (per CPU second): ${sides.map(({ name }, side) => `${name} ${fixed(medianOf(side, 'wall'))} (${fixed(medianOf(side, 'cpu'))})`).join(', ')}; load average ${load()}`)
  for (let side = 2; side < sides.length; side++) console.log(`  ${sides[0]!.name} / ${sides[side]!.name}, for scale: ${(medianOf(0, 'wall') / medianOf(side, 'wall')).toFixed(2)}× wall, ${(medianOf(0, 'cpu') / medianOf(side, 'cpu')).toFixed(2)}× CPU`)
  const ratio = median(cpuRatios)
  console.log(`  ${sides[0]!.name} / ${sides[1]!.name}, median of ${rounds} rounds: wall clock ${median(wallRatios).toFixed(2)}× (${spread(wallRatios)}), CPU time ${ratio.toFixed(2)}× (${spread(cpuRatios)})`)
  return ratio
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(' ')

const dir = mkdtempSync(join(tmpdir(), 'migrate-bench-db-'))
try {
  const database = join(dir, 'journal.sqlite')
  pythonCreateAll(JOURNAL, 'wsgi', `sqlite:///${database}`, { JOURNAL_TESTING: '1', PYTHONDONTWRITEBYTECODE: '1' })
  // More rows than the seed, so a page is a real page: 200 entries with a tag and a comment each.
  const seed = new BetterSqlite3(database)
  seed.exec('BEGIN')
  for (let i = 0; i < 200; i++) {
    const id = Number(seed.prepare("INSERT INTO post (title, body, day, author_id) VALUES (?, 'body', ?, ?)").run(`Post ${i}`, `2024-04-${String((i % 28) + 1).padStart(2, '0')}`, (i % 2) + 1).lastInsertRowid)
    seed.prepare('INSERT INTO post_tags (post_id, tag_id) VALUES (?, ?)').run(id, (i % 5) + 1)
    seed.prepare("INSERT INTO comment (body, post_id, author_id) VALUES ('c', ?, ?)").run(id, (i % 2) + 1)
  }
  seed.exec('COMMIT')
  seed.close()

  const serviceDir = join(dir, 'service')
  const migrated = spawnSync(process.execPath, ['bin/migrate.js', JOURNAL, '--out', serviceDir, '--force'], { cwd: repo, encoding: 'utf8' })
  if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`)
  const byHandDir = join(dir, 'service-by-hand')
  serviceWithHandWrittenViews(serviceDir, byHandDir)
  for (const folder of [serviceDir, byHandDir]) {
    const installed = installDependencies(folder, join(repo, 'node_modules'))
    if (!installed.ok) throw new Error(installed.message)
    const built = buildService(folder)
    if (!built.ok) throw new Error(built.message)
  }

  Object.assign(process.env, { DATABASE_URL: `sqlite:///${database}`, JOURNAL_TESTING: '1', LOG_LEVEL: 'WARNING', SECRET_KEY: 'bench', USERS_1_API_KEY: 'alice-key-7f3a9c', USERS_2_API_KEY: 'bob-key-52e1d0' })
  console.log(`load average before: ${load()} on ${availableParallelism()} processors`)
  // 1. The data layer alone: the migrated models (the service's dist/journal/models.js on its
  // runtime, in a request context of their own) against the same reads by hand.
  const models = (await import(pathToFileURL(join(serviceDir, 'dist', 'journal', 'models.js')).href)) as { Post: MigratedPostClass }
  const { runInContext } = (await import(pathToFileURL(join(serviceDir, 'dist', 'lib', 'flask.js')).href)) as { runInContext<T>(c: unknown, fn: () => T): T }
  const { db } = (await import(pathToFileURL(join(serviceDir, 'dist', 'journal', 'extensions.js')).href)) as { db: { session: { close(): void } } }
  const { Post } = models
  const entryOf = (post: MigratedPost, withComments: boolean): EntryJson => {
    const entry: EntryJson = { author: post.author.username, body: post.body, comment_count: post.comments.length, day: post.day.isoformat(), id: post.id, tags: post.tags.map((tag) => tag.name).sort(), title: post.title }
    if (withComments) entry.comments = post.comments.map((comment) => ({ author: comment.author.username, body: comment.body, id: comment.id, post_id: comment.post_id }))
    return entry
  }
  /** One read as a request's handler makes it: its own session, closed at the end. */
  const inRequest = <T>(read: () => T): T => runInContext({ req: { raw: {}, url: 'http://localhost/api/posts' } }, () => {
    try {
      return read()
    } finally {
      db.session.close()
    }
  })
  const migratedData = {
    page: (page: number, perPage: number) => inRequest(() => {
      const pagination = Post.query.order_by(Post.day.desc(), Post.id.desc()).paginate({ page, per_page: perPage, max_per_page: 20, error_out: false })
      return { entries: pagination.items.map((post) => entryOf(post, false)), total: pagination.total }
    }),
    entry: (id: number) => inRequest(() => {
      const post = Post.query.get(id)
      return post === null ? undefined : entryOf(post, true)
    }),
  }
  const handData = journalDataByHand(database)
  const reads: ((data: typeof handData) => unknown)[] = [1, 2, 3, 7, 20, 41].map((page) => (data: typeof handData) => data.page(page, 5))
  reads.push((data) => data.page(2, 20), (data) => data.entry(3), (data) => data.entry(120), (data) => data.entry(999))
  for (const [index, read] of reads.entries())
    if (!isDeepStrictEqual(read(migratedData), read(handData))) throw new Error(`read ${index}: the migrated models read otherwise than the hand-written statements:\n${JSON.stringify(read(migratedData))}\n${JSON.stringify(read(handData))}`)
  console.log(`\njournal reads, data layer only: ${reads.length} reads (pages of entries with author, tags and comments; an entry with its comments), equal results on both sides; ${rounds} rounds of ${requestsPerRound} reads a side; reads/s wall (per CPU second)`)
  const dataRatio = await compareRounds('reads', [
    { name: 'migrated models', one: (i) => reads[i % reads.length]!(migratedData) },
    { name: 'by hand', one: (i) => reads[i % reads.length]!(handData) },
  ])

  // 2. Whole API requests through the apps.
  Object.assign(process.env, { LOG_LEVEL: 'WARNING' })
  const appOf = async (folder: string): Promise<App> => ((await import(pathToFileURL(join(folder, 'dist', 'app.js')).href)) as { createApp(): App }).createApp()
  const apps: { name: string; app: App }[] = [
    { name: 'migrated', app: await appOf(serviceDir) },
    { name: 'by hand in the service', app: await appOf(byHandDir) },
    { name: 'bare Hono, by hand', app: bareHonoApp(database) },
  ]
  const paths = [1, 2, 3, 7, 20, 41].map((page) => `/api/posts?page=${page}`).concat(['/api/posts?page=2&per_page=20', '/api/posts/3', '/api/posts/120', '/api/posts/999'])
  for (const path of paths) {
    const [first, ...others] = await Promise.all(apps.map(({ app }) => answer(app, path)))
    // The two services answer with the same bytes; bare Hono's c.json writes the same JSON otherwise spaced.
    const comparable = (given: Answer, bare: boolean): unknown => (bare ? { ...given, body: JSON.parse(given.body) as unknown, type: null } : given)
    for (const [index, other] of others.entries())
      if (!isDeepStrictEqual(comparable(first!, index === 1), comparable(other, index === 1))) throw new Error(`${apps[index + 1]!.name} answers ${path} otherwise than the migrated service:\n${JSON.stringify(first)}\n${JSON.stringify(other)}`)
  }
  console.log(`\njournal API requests: ${paths.length} paths (GET /api/posts pages, GET /api/posts/<id>) answered alike by the ${apps.length} apps through app.fetch; ${rounds} rounds of ${requestsPerRound} requests an app; req/s wall (per CPU second)`)
  const requestRatio = await compareRounds('req', apps.map(({ name, app }) => ({ name, one: (i: number) => Promise.resolve(app.fetch(new Request(`http://localhost${paths[i % paths.length]}`))).then((response) => response.text()) })))

  const verdict = (ratio: number): string => `${ratio.toFixed(2)}× (goal ≥ 0.90×: ${ratio >= 0.9 ? 'met' : 'NOT met'})`
  console.log(`\nmigrated / hand-written, median CPU-time ratio: data layer ${verdict(dataRatio)}; whole API request in the service ${verdict(requestRatio)}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
// The service's app keeps timers of its own (its database set-up); the numbers are printed.
process.exit(0)
