/**
 * `npm run bench:service [-- --duration S --rounds R --connections C --starts N --app three|inventory|more]`:
 * the speed and memory of the service the tool emits, beside the same routes written by hand in
 * Hono (bench/hono/*.ts) and, when Debian's gunicorn is installed, the Flask app itself under
 * gunicorn (one sync worker, as `gunicorn app:app` starts it).
 *
 * Apps: fixtures/service-bench-three-routes (GET /ping, GET /users/<int:id>, POST /echo) and
 * fixtures/acceptance/inventory (five of its routes: a list with a query, a converter, a search,
 * a PATCH with a JSON body through its error handler path, and its 404 handler), each migrated
 * and built (tsc) as a user would.
 *
 * Method: every server runs pinned to core 1 (`taskset -c 1`) with NODE_ENV=production; this
 * process (autocannon 9, the load generator) pins itself to core 0. In each of R rounds every
 * route is loaded for S seconds with C keep-alive connections on each implementation in turn
 * (the order rotating per round), after a 1 s warm-up; the table shows medians over the rounds,
 * and the spread (max/min − 1) of each as the noise, since other work shares the two cores. CPU
 * per request (utime + stime of the server over the run / requests) is printed too: it depends
 * less on that noise than requests per second. Start-up is measured N times per implementation
 * on fresh processes: time from spawn to the first 200 answer (polling every 2 ms), and RSS 1 s
 * after that answer (idle).
 *
 * Then (`more`): the migrated 3-route service with WEB_CONCURRENCY=1 against 2 (node:cluster), both
 * on cores 0-1, which the load generator shares (target ≥ 1.7×); and on Bun (`bun src/main.ts`, as
 * `npm run start:bun`) against Node, both on core 1 (target ≥ 1.3×).
 *
 * Not a test: the numbers depend on the machine and its load. The targets of issue 16 are printed
 * beside the ratios (migrated/Hono ≥ 0.9 req/s, ≤ 1.2 p99, ≤ 1.1 idle RSS, ≤ 1.2 first response).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { freePort } from '../src/verify/service.js'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const HOST = '127.0.0.1'
const SERVER_CORE = '1'
const LOAD_CORE = '0'

// ---------------------------------------------------------------------------------------------
// Options

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? process.argv[index + 1] : undefined
}

function numberOption(name: string, fallback: number): number {
  const value = option(name)
  if (value === undefined) return fallback
  const parsed = Number(value)
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive number`)
  return parsed
}

const DURATION_S = numberOption('duration', 5)
const ROUNDS = numberOption('rounds', 3)
const CONNECTIONS = numberOption('connections', 50)
const STARTS = numberOption('starts', 5)

// ---------------------------------------------------------------------------------------------
// Apps and implementations

interface Route {
  label: string
  method: string
  path: string
  body?: string
  /** The status every answer must have. */
  status: number
}

interface AppCase {
  name: string
  /** The Flask project (what `migrate` reads; gunicorn's working directory). */
  input: string
  /** gunicorn's `module:app`. */
  wsgi: string
  /** The hand-written Hono server, under bench/hono/. */
  hono: string
  routes: Route[]
  /** The path polled for the first 200 at start-up. */
  probe: string
}

const APPS: AppCase[] = [
  {
    name: 'three',
    input: 'fixtures/service-bench-three-routes/input',
    wsgi: 'app:app',
    hono: 'three-routes.ts',
    probe: '/ping',
    routes: [
      { label: 'GET /ping', method: 'GET', path: '/ping', status: 200 },
      { label: 'GET /users/<int:id>', method: 'GET', path: '/users/42', status: 200 },
      { label: 'POST /echo', method: 'POST', path: '/echo', body: JSON.stringify({ name: 'bench', tags: ['a', 'b'], n: 3, nested: { ok: true } }), status: 200 },
    ],
  },
  {
    name: 'inventory',
    input: 'fixtures/acceptance/inventory',
    wsgi: 'wsgi:app',
    hono: 'inventory.ts',
    probe: '/api/health',
    routes: [
      { label: 'GET /api/v1/items?page=2', method: 'GET', path: '/api/v1/items?page=2', status: 200 },
      { label: 'GET /api/v1/items/<int:id>', method: 'GET', path: '/api/v1/items/2', status: 200 },
      { label: 'GET /api/v1/items/search?q=o', method: 'GET', path: '/api/v1/items/search?q=o', status: 200 },
      { label: 'PATCH /api/v1/items/<int:id>', method: 'PATCH', path: '/api/v1/items/1', body: JSON.stringify({ stock: 7 }), status: 200 },
      { label: 'GET /api/nope (404 handler)', method: 'GET', path: '/api/nope', status: 404 },
    ],
  },
]

interface Implementation {
  name: string
  /** The command, run under `taskset -c <cores>`. */
  command: string[]
  /** The cores it runs on (`1` unless said). */
  cores?: string
  cwd: string
  env: Record<string, string>
}

// ---------------------------------------------------------------------------------------------
// Building

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`)
}

function migrateAndBuild(app: AppCase, work: string): string {
  const out = join(work, app.name, 'migrated')
  mkdirSync(dirname(out), { recursive: true })
  run(process.execPath, [join(REPO, 'bin/migrate.js'), join(REPO, app.input), '--out', out, '--force'], REPO)
  symlinkSync(join(REPO, 'node_modules'), join(out, 'node_modules'), 'dir')
  run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', out], out)
  return out
}

/** The hand-written Hono server as JavaScript (TypeScript's transpiler: no type check, as tsx runs it). */
function buildHono(app: AppCase, work: string): string {
  const dir = join(work, app.name, 'hono')
  mkdirSync(dir, { recursive: true })
  const source = readFileSync(join(REPO, 'bench/hono', app.hono), 'utf8')
  const output = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText
  writeFileSync(join(dir, 'server.mjs'), output)
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return join(dir, 'server.mjs')
}

/** The service's `npm start` (`node <options> dist/main.js`) as arguments of this Node: it runs as deployed. */
function startArguments(dir: string): string[] {
  const start = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: { start?: string } }).scripts?.start ?? 'node dist/main.js'
  const words = start.trim().split(/\s+/)
  if (words[0] !== 'node') throw new Error(`npm start is not "node ...": ${start}`)
  return words.slice(1)
}

function gunicornAvailable(): boolean {
  if (!existsSync('/usr/bin/gunicorn')) return false
  return spawnSync('/usr/bin/python3', ['-c', 'import flask, gunicorn'], { encoding: 'utf8' }).status === 0
}

function implementations(app: AppCase, work: string, withFlask: boolean): Implementation[] {
  const migrated = migrateAndBuild(app, work)
  const hono = buildHono(app, work)
  const env = { NODE_ENV: 'production' }
  const list: Implementation[] = [
    { name: 'migrated', command: [process.execPath, ...startArguments(migrated)], cwd: migrated, env },
    { name: 'hono', command: [process.execPath, hono], cwd: dirname(hono), env },
  ]
  if (withFlask) {
    list.push({ name: 'flask', command: ['/usr/bin/gunicorn', '--workers', '1', '--bind', '{bind}', app.wsgi], cwd: join(REPO, app.input), env: {} })
  }
  return list
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Running {
  child: ChildProcess
  port: number
  /** Milliseconds from spawn to the first 200 answer. */
  firstResponseMs: number
  log: () => string
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms))

/** One request on a fresh connection; the status, or null (refused, closed, timed out). */
function status(port: number, method: string, path: string, body?: string, timeoutMs = 2_000): Promise<number | null> {
  return new Promise((done) => {
    const socket = connect(port, HOST)
    let raw = ''
    const finish = (): void => {
      clearTimeout(timer)
      socket.destroy()
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(raw)
      done(match ? Number(match[1]) : null)
    }
    const timer = setTimeout(finish, timeoutMs)
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString('latin1')
      if (raw.includes('\r\n')) finish()
    })
    socket.on('error', finish)
    socket.on('close', finish)
    const payload = body === undefined ? '' : body
    socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`)
  })
}

async function start(impl: Implementation, probe: string): Promise<Running> {
  const port = await freePort()
  const command = impl.command.map((part) => part.replace('{bind}', `${HOST}:${port}`))
  const started = performance.now()
  const child = spawn('taskset', ['-c', impl.cores ?? SERVER_CORE, ...command], {
    cwd: impl.cwd,
    env: { ...process.env, ...impl.env, PORT: String(port), HOST },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-4000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const deadline = started + 30_000
  while (performance.now() < deadline && child.exitCode === null) {
    if ((await status(port, 'GET', probe, undefined, 1_000)) === 200) return { child, port, firstResponseMs: performance.now() - started, log: () => log }
    await sleep(2)
  }
  child.kill('SIGKILL')
  throw new Error(`${impl.name} did not answer ${probe}:\n${log}`)
}

async function stop(running: Running): Promise<void> {
  if (running.child.exitCode !== null) return
  const exited = new Promise((done) => running.child.once('exit', done))
  running.child.kill('SIGTERM')
  await Promise.race([exited, sleep(3_000)])
  if (running.child.exitCode === null) running.child.kill('SIGKILL')
}

/** The processes of a server: taskset execs the command, gunicorn adds its worker. */
function processTree(pid: number): number[] {
  const pids = [pid]
  for (let i = 0; i < pids.length; i++) {
    try {
      const children = readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, 'utf8').trim()
      if (children) pids.push(...children.split(/\s+/).map(Number))
    } catch {
      // gone
    }
  }
  return pids
}

/** VmRSS of a server, its processes summed (kB). */
function rssKb(pid: number): number {
  let total = 0
  for (const p of processTree(pid)) {
    try {
      total += Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0)
    } catch {
      // gone
    }
  }
  return total
}

/** utime + stime of a server, its processes summed (ms). */
function cpuMs(pid: number): number {
  let ticks = 0
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // gone
    }
  }
  return ticks * 10
}

// ---------------------------------------------------------------------------------------------
// Load

interface AutocannonResult {
  requests: { average: number }
  latency: { p99: number }
  errors: number
  timeouts: number
  non2xx: number
  '2xx': number
  statusCodeStats?: Record<string, { count: number }>
}

type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

interface Sample {
  rps: number
  p99: number
  cpuUsPerRequest: number
  wrong: number
}

async function load(running: Running, route: Route, seconds: number): Promise<Sample> {
  const options = {
    url: `http://${HOST}:${running.port}${route.path}`,
    method: route.method,
    connections: CONNECTIONS,
    duration: seconds,
    headers: route.body === undefined ? {} : { 'content-type': 'application/json' },
    ...(route.body === undefined ? {} : { body: route.body }),
  }
  const pid = running.child.pid!
  const cpuBefore = cpuMs(pid)
  const result = await autocannon(options)
  const cpu = cpuMs(pid) - cpuBefore
  const total = Object.values(result.statusCodeStats ?? {}).reduce((n, s) => n + s.count, 0)
  const right = result.statusCodeStats?.[String(route.status)]?.count ?? 0
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    cpuUsPerRequest: total > 0 ? (cpu * 1000) / total : NaN,
    wrong: total - right + result.errors + result.timeouts,
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics and printing

function median(values: number[]): number {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

function spread(values: number[]): string {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0)
  if (finite.length < 2) return ''
  return `±${Math.round((Math.max(...finite) / Math.min(...finite) - 1) * 100)}%`
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')
  console.log(line(header))
  for (const row of rows) console.log(line(row))
}

const fixed = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : '–')
const ratio = (a: number, b: number): number => (b > 0 ? a / b : NaN)
const verdict = (value: number, bound: number, atLeast: boolean): string =>
  !Number.isFinite(value) ? '' : (atLeast ? value >= bound : value <= bound) ? 'ok' : 'MISSED'

// ---------------------------------------------------------------------------------------------

async function benchApp(app: AppCase, work: string, withFlask: boolean): Promise<void> {
  console.log(`\n=== ${app.name}: ${app.input}`)
  const impls = implementations(app, work, withFlask)

  // Start-up: fresh processes, one implementation after the other, N times.
  const firstMs = new Map<string, number[]>()
  const idleKb = new Map<string, number[]>()
  for (let i = 0; i < STARTS; i++) {
    for (const impl of i % 2 ? [...impls].reverse() : impls) {
      const running = await start(impl, app.probe)
      await sleep(1_000)
      ;(firstMs.get(impl.name) ?? firstMs.set(impl.name, []).get(impl.name)!).push(running.firstResponseMs)
      ;(idleKb.get(impl.name) ?? idleKb.set(impl.name, []).get(impl.name)!).push(rssKb(running.child.pid!))
      await stop(running)
    }
  }

  // Load: every server up, rounds interleaved.
  const servers = new Map<string, Running>()
  for (const impl of impls) servers.set(impl.name, await start(impl, app.probe))
  const samples = new Map<string, Sample[]>()
  try {
    for (const route of app.routes) {
      for (const impl of impls) {
        const answered = await status(servers.get(impl.name)!.port, route.method, route.path, route.body)
        if (answered !== route.status) console.warn(`  warning: ${impl.name} answers ${route.label} with ${answered}, expected ${route.status}`)
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = impls.map((_, i) => impls[(i + round) % impls.length]!)
      for (const route of app.routes) {
        for (const impl of order) {
          const running = servers.get(impl.name)!
          await load(running, route, 1)
          const sample = await load(running, route, DURATION_S)
          const key = `${route.label}|${impl.name}`
          ;(samples.get(key) ?? samples.set(key, []).get(key)!).push(sample)
          process.stdout.write(`  round ${round + 1} ${route.label} ${impl.name}: ${fixed(sample.rps)} req/s, p99 ${sample.p99} ms, ${fixed(sample.cpuUsPerRequest)} µs CPU/req${sample.wrong ? `, ${sample.wrong} wrong answers` : ''}\n`)
        }
      }
    }
  } finally {
    for (const running of servers.values()) await stop(running)
  }

  const of = (route: Route, impl: string, pick: (s: Sample) => number): number[] => (samples.get(`${route.label}|${impl}`) ?? []).map(pick)
  console.log(`\n${app.name}: medians of ${ROUNDS} rounds × ${DURATION_S} s, ${CONNECTIONS} connections (± = spread over rounds)`)
  const rows: string[][] = []
  for (const route of app.routes) {
    const rps = (impl: string): number => median(of(route, impl, (s) => s.rps))
    const p99 = (impl: string): number => median(of(route, impl, (s) => s.p99))
    const cpu = (impl: string): number => median(of(route, impl, (s) => s.cpuUsPerRequest))
    const rpsRatio = ratio(rps('migrated'), rps('hono'))
    const p99Ratio = ratio(p99('migrated'), p99('hono'))
    const wrong = impls.reduce((n, impl) => n + of(route, impl.name, (s) => s.wrong).reduce((a, b) => a + b, 0), 0)
    rows.push([
      route.label,
      `${fixed(rps('migrated'))} ${spread(of(route, 'migrated', (s) => s.rps))}`,
      `${fixed(rps('hono'))} ${spread(of(route, 'hono', (s) => s.rps))}`,
      withFlask ? fixed(rps('flask')) : 'n/a',
      `${fixed(rpsRatio, 2)} ${verdict(rpsRatio, 0.9, true)}`,
      `${fixed(p99('migrated'))}/${fixed(p99('hono'))} ms`,
      `${fixed(p99Ratio, 2)} ${verdict(p99Ratio, 1.2, false)}`,
      `${fixed(cpu('migrated'))}/${fixed(cpu('hono'))}${withFlask ? `/${fixed(cpu('flask'))}` : ''}`,
      wrong ? String(wrong) : '0',
    ])
  }
  table(['route', 'migrated req/s', 'hono req/s', 'flask req/s', 'ratio (≥0.9)', 'p99 mig/hono', 'p99 ratio (≤1.2)', `CPU µs/req mig/hono${withFlask ? '/flask' : ''}`, 'wrong'], rows)

  console.log(`\n${app.name}: start-up, medians of ${STARTS} fresh starts`)
  const startRows = impls.map((impl) => [
    impl.name,
    `${fixed(median(firstMs.get(impl.name)!))} ms ${spread(firstMs.get(impl.name)!)}`,
    `${fixed(median(idleKb.get(impl.name)!) / 1024, 1)} MB ${spread(idleKb.get(impl.name)!)}`,
  ])
  table(['implementation', 'time to first response', 'idle RSS (1 s after)'], startRows)
  const firstRatio = ratio(median(firstMs.get('migrated')!), median(firstMs.get('hono')!))
  const rssRatio = ratio(median(idleKb.get('migrated')!), median(idleKb.get('hono')!))
  console.log(`migrated/hono: time to first response ${fixed(firstRatio, 2)} (≤ 1.2: ${verdict(firstRatio, 1.2, false)}), idle RSS ${fixed(rssRatio, 2)} (≤ 1.1: ${verdict(rssRatio, 1.1, false)})`)
}

/**
 * Two ways of running the migrated 3-route service, loaded in interleaved rounds on each route:
 * requests per second and p99 of `variants[1]` against `variants[0]`, with the issue's target.
 */
async function compareVariants(title: string, app: AppCase, variants: [Implementation, Implementation], target: number): Promise<void> {
  console.log(`\n=== ${title}`)
  const servers = new Map<string, Running>()
  for (const impl of variants) servers.set(impl.name, await start(impl, app.probe))
  const samples = new Map<string, Sample[]>()
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const route of app.routes) {
        for (const impl of round % 2 ? [...variants].reverse() : variants) {
          const running = servers.get(impl.name)!
          await load(running, route, 1)
          const sample = await load(running, route, DURATION_S)
          const key = `${route.label}|${impl.name}`
          ;(samples.get(key) ?? samples.set(key, []).get(key)!).push(sample)
          process.stdout.write(`  round ${round + 1} ${route.label} ${impl.name}: ${fixed(sample.rps)} req/s, p99 ${sample.p99} ms${sample.wrong ? `, ${sample.wrong} wrong answers` : ''}\n`)
        }
      }
    }
  } finally {
    for (const running of servers.values()) await stop(running)
  }
  const [base, other] = variants
  const rows = app.routes.map((route) => {
    const rps = (impl: Implementation): number[] => (samples.get(`${route.label}|${impl.name}`) ?? []).map((s) => s.rps)
    const p99 = (impl: Implementation): number => median((samples.get(`${route.label}|${impl.name}`) ?? []).map((s) => s.p99))
    const r = ratio(median(rps(other)), median(rps(base)))
    return [route.label, `${fixed(median(rps(base)))} ${spread(rps(base))}`, `${fixed(median(rps(other)))} ${spread(rps(other))}`, `${fixed(r, 2)} ${verdict(r, target, true)}`, `${fixed(p99(base))}/${fixed(p99(other))} ms`]
  })
  console.log(`\n${title}: medians of ${ROUNDS} rounds × ${DURATION_S} s, ${CONNECTIONS} connections`)
  table(['route', `${base.name} req/s`, `${other.name} req/s`, `ratio (≥${target})`, `p99 ${base.name}/${other.name}`], rows)
}

async function main(): Promise<void> {
  // The load generator on core 0, the servers on core 1.
  spawnSync('taskset', ['-cp', LOAD_CORE, String(process.pid)])
  const withFlask = gunicornAvailable()
  if (!withFlask) console.log('Flask under gunicorn: not measured (no /usr/bin/gunicorn with Flask: apt-get install gunicorn)')
  const only = option('app')
  const work = mkdtempSync(join(tmpdir(), 'migrate-bench-service-'))
  try {
    for (const app of APPS) if (only === undefined || only === app.name) await benchApp(app, work, withFlask)
    if (only === undefined || only === 'more') {
      const app = APPS[0]!
      const migrated = migrateAndBuild(app, join(work, 'more'))
      const env = { NODE_ENV: 'production' }
      // Both cores for the server; the load generator shares them (there is no third core).
      spawnSync('taskset', ['-cp', '0,1', String(process.pid)])
      await compareVariants(
        'WEB_CONCURRENCY: 1 worker vs 2 workers, both on cores 0-1 (the load generator shares them)',
        app,
        [
          { name: '1 worker', command: [process.execPath, ...startArguments(migrated)], cwd: migrated, env: { ...env, WEB_CONCURRENCY: '1' }, cores: '0,1' },
          { name: '2 workers', command: [process.execPath, ...startArguments(migrated)], cwd: migrated, env: { ...env, WEB_CONCURRENCY: '2' }, cores: '0,1' },
        ],
        1.7,
      )
      spawnSync('taskset', ['-cp', LOAD_CORE, String(process.pid)])
      const bun = join(REPO, 'node_modules/.bin/bun')
      if (existsSync(bun)) {
        await compareVariants('Bun vs Node: the migrated service on core 1 (bun src/main.ts, as npm run start:bun)', app, [
          { name: 'node', command: [process.execPath, ...startArguments(migrated)], cwd: migrated, env },
          { name: 'bun', command: [bun, 'src/main.ts'], cwd: migrated, env },
        ], 1.3)
      } else console.log('Bun: not measured (node_modules/.bin/bun is missing: npm install)')
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(2)
  },
)
