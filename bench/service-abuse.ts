/**
 * `npm run bench:abuse [-- --app DIR --connections N --slow N --slow-seconds S --rounds R]`:
 * migrates a Flask app (the inventory acceptance app by default: fixtures/acceptance/inventory,
 * else ../shared/acceptance/inventory, or --app / ABUSE_APP), builds the service, starts it on
 * 127.0.0.1 and abuses it, R times over (2): 10 MB and 100 MB request bodies (Content-Length and
 * chunked), N concurrent connections (10,000) each sending a keep-alive GET, a flood of slow
 * clients (3,000) sending their headers one byte a second; then SIGTERM with a request in
 * flight, and with idle connections open. It prints a table and exits 1 when a bound is broken:
 *
 * - every answer is the expected one (400 for a 10 MB JSON the app rejects, 413 past the body
 *   limit), and the service answers a GET after each phase and during the connection floods;
 * - peak RSS (VmHWM, and the highest VmRSS sampled every 50 ms) ≤ 2 × idle RSS + the body
 *   limit (issue 13), where idle is the cold idle: the service just started (1 s after 50
 *   requests); the warm idle (at rest after 5,000 GETs on 50 keep-alive connections, when V8
 *   has sized its heap) and the looser bound it would give are printed beside it;
 * - after SIGTERM the process exits with 0 within 1 s, with idle connections open, and within
 *   1 s of answering the request that was in flight.
 *
 * Not a test: the numbers depend on the machine. Every loop is bounded in count and time; the
 * only target is 127.0.0.1. 10,000 connections need about 2 × 10,000 file descriptors (both
 * ends are on this machine): `npm run bench:abuse` raises the soft limit to the hard one, and the
 * counts are lowered (with a warning) when that is still not enough. The service runs with its
 * defaults (MAX_BODY_BYTES, MAX_CONNECTIONS, … from the environment pass through).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { freePort } from '../src/verify/service.js'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const HOST = '127.0.0.1'
const MB = 1024 * 1024

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? process.argv[index + 1] : undefined
}

function numberOption(name: string, fallback: number): number {
  const value = option(name)
  if (value === undefined) return fallback
  const parsed = Number(value)
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative integer`)
  return parsed
}

function appDir(): string {
  const given = option('app') ?? process.env['ABUSE_APP']
  if (given) return resolve(given)
  for (const candidate of ['fixtures/acceptance/inventory', '../shared/acceptance/inventory']) {
    const dir = resolve(REPO, candidate)
    if (existsSync(dir)) return dir
  }
  throw new Error('no inventory app: pass --app DIR (fixtures/acceptance/inventory and ../shared/acceptance/inventory are missing)')
}

const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms))

// ---------------------------------------------------------------------------------------------
// Process and memory

function openFileLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'))
  const soft = line?.split(/\s{2,}/)[1]
  return soft === undefined || soft === 'unlimited' ? Infinity : Number(soft)
}

interface Memory {
  rssKb: number
  hwmKb: number
}

function memoryOf(pid: number): Memory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0)
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') }
  } catch {
    return null
  }
}

/** Samples VmRSS every 50 ms and keeps the highest. */
class RssSampler {
  peakKb = 0
  /** The highest since `phase()` was last called. */
  phasePeakKb = 0
  #timer: NodeJS.Timeout
  constructor(readonly pid: number) {
    this.#timer = setInterval(() => this.sample(), 50)
  }
  sample(): void {
    const memory = memoryOf(this.pid)
    if (memory && memory.rssKb > this.peakKb) this.peakKb = memory.rssKb
    if (memory && memory.rssKb > this.phasePeakKb) this.phasePeakKb = memory.rssKb
  }
  /** Starts a phase; answers the peak (kB) of the one before. */
  phase(): number {
    this.sample()
    const peak = this.phasePeakKb
    this.phasePeakKb = 0
    return peak
  }
  stop(): void {
    clearInterval(this.#timer)
  }
}


interface Service {
  child: ChildProcess
  pid: number
  port: number
  exited: Promise<{ code: number | null; at: number }>
  log: () => string
}

/** The service's `npm start` (`node <options> dist/main.js`) as arguments of this Node: the service runs as deployed. */
function startArguments(dir: string): string[] {
  const start = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: { start?: string } }).scripts?.start ?? 'node dist/main.js'
  const words = start.trim().split(/\s+/)
  if (words[0] !== 'node') throw new Error(`npm start is not "node ...": ${start}`)
  return words.slice(1)
}

async function startService(dir: string): Promise<Service> {
  const port = await freePort()
  const child = spawn(process.execPath, startArguments(dir), {
    cwd: dir,
    env: { ...process.env, PORT: String(port), HOST, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // Keep the last lines only (the logger writes one per request).
  let log = ''
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-4000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<{ code: number | null; at: number }>((done) => child.on('exit', (code) => done({ code, at: performance.now() })))
  const deadline = performance.now() + 30_000
  while (performance.now() < deadline) {
    if ((await get(port, '/', 1_000)).status === 200) return { child, pid: child.pid!, port, exited, log: () => log }
    if (child.exitCode !== null) break
    await sleep(100)
  }
  child.kill('SIGKILL')
  throw new Error(`the service did not start:\n${log}`)
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP on 127.0.0.1

interface Answer {
  status: number | null
  ms: number
  sentBytes: number
}

function statusOf(raw: string): number | null {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(raw)
  return match ? Number(match[1]) : null
}

/** One GET on a fresh connection (Connection: close); status null on error or timeout. */
function get(port: number, path: string, timeoutMs = 5_000): Promise<Answer> {
  return new Promise((done) => {
    const start = performance.now()
    const socket = connect(port, HOST)
    let raw = ''
    let finished = false
    const finish = (): void => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      socket.destroy()
      done({ status: statusOf(raw), ms: performance.now() - start, sentBytes: 0 })
    }
    const timer = setTimeout(finish, timeoutMs)
    socket.on('data', (chunk: Buffer) => (raw += chunk.toString('latin1')))
    socket.on('close', finish)
    socket.on('error', finish)
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nConnection: close\r\n\r\n`)
  })
}

/**
 * POSTs `size` bytes of a JSON document (`{"junk": "xxxx…"}`) as fast as the server takes them
 * (or at `bytesPerSecond`), with Content-Length or chunked; stops sending once the response
 * arrives or the connection closes. Bounded by `timeoutMs`.
 */
function post(port: number, path: string, size: number, options: { chunked?: boolean; bytesPerSecond?: number; timeoutMs?: number; onStart?: () => void } = {}): Promise<Answer> {
  const { chunked = false, bytesPerSecond = 0, timeoutMs = 60_000 } = options
  return new Promise((done) => {
    const start = performance.now()
    const socket = connect(port, HOST)
    let raw = ''
    let sent = 0
    let finished = false
    const finish = (): void => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      socket.destroy()
      done({ status: statusOf(raw), ms: performance.now() - start, sentBytes: sent })
    }
    const timer = setTimeout(finish, timeoutMs)
    const prefix = Buffer.from('{"junk": "')
    const suffix = Buffer.from('"}')
    const block = Buffer.alloc(64 * 1024, 0x78)
    const answered = (): boolean => raw.includes('\r\n\r\n') && !/^HTTP\/1\.1 100 /.test(raw)
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString('latin1')
      if (raw.startsWith('HTTP/1.1 100 ')) raw = raw.slice(raw.indexOf('\r\n\r\n') + 4)
      if (answered()) finish()
    })
    socket.on('close', finish)
    socket.on('error', finish)
    const head =
      `POST ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nContent-Type: application/json\r\n` +
      (chunked ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${size}\r\n`) +
      '\r\n'
    socket.write(head)
    options.onStart?.()
    const piece = (offset: number, length: number): Buffer => {
      // The document: prefix, x…x, suffix; `length` bytes of it from `offset`.
      const out = Buffer.alloc(length, 0x78)
      for (let i = 0; i < length; i++) {
        const at = offset + i
        if (at < prefix.length) out[i] = prefix[at]!
        else if (at >= size - suffix.length) out[i] = suffix[at - (size - suffix.length)]!
      }
      return out
    }
    const write = (): void => {
      while (!finished && sent < size) {
        const length = Math.min(block.length, size - sent)
        const data = sent < prefix.length || sent + length > size - suffix.length ? piece(sent, length) : block.subarray(0, length)
        sent += length
        const more = socket.write(chunked ? Buffer.concat([Buffer.from(`${length.toString(16)}\r\n`), data, Buffer.from('\r\n')]) : data)
        if (bytesPerSecond > 0) {
          setTimeout(write, (length / bytesPerSecond) * 1000)
          return
        }
        if (!more) {
          socket.once('drain', write)
          return
        }
      }
      if (!finished && chunked && sent >= size) socket.write('0\r\n\r\n')
    }
    write()
  })
}

/** Opens up to `count` connections, at most `parallel` connecting at a time; each calls `onOpen`. */
async function openMany(port: number, count: number, parallel: number, onOpen: (socket: Socket) => Promise<void>, deadlineMs: number): Promise<void> {
  let next = 0
  const deadline = performance.now() + deadlineMs
  const worker = async (): Promise<void> => {
    while (next < count && performance.now() < deadline) {
      next++
      await new Promise<void>((done) => {
        const socket = connect(port, HOST)
        socket.setNoDelay(true)
        const timer = setTimeout(() => {
          socket.destroy()
          done()
        }, 10_000)
        socket.once('connect', () => {
          clearTimeout(timer)
          onOpen(socket).then(done, done)
        })
        socket.once('error', () => {
          clearTimeout(timer)
          done()
        })
      })
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
}

/** Ordinary traffic: `total` GETs over `parallel` keep-alive connections (each request after the previous answer). */
async function warmUp(port: number, total: number, parallel: number): Promise<number> {
  let sent = 0
  let ok = 0
  const connection = (): Promise<void> =>
    new Promise((done) => {
      const socket = connect(port, HOST)
      let raw = ''
      const timer = setTimeout(() => socket.destroy(), 60_000)
      const next = (): void => {
        if (sent >= total) {
          socket.end()
          return
        }
        sent++
        raw = ''
        socket.write(`GET ${sent % 3 ? '/api/v1/items' : '/api/v1/items/1'} HTTP/1.1\r\nHost: ${HOST}:${port}\r\n\r\n`)
      }
      socket.on('data', (chunk: Buffer) => {
        raw += chunk.toString('latin1')
        const end = raw.indexOf('\r\n\r\n')
        const length = Number(/content-length: (\d+)/i.exec(raw)?.[1] ?? -1)
        if (end >= 0 && length >= 0 && raw.length >= end + 4 + length) {
          if (statusOf(raw) === 200) ok++
          next()
        }
      })
      socket.on('error', () => undefined)
      socket.on('close', () => {
        clearTimeout(timer)
        done()
      })
      socket.on('connect', next)
    })
  await Promise.all(Array.from({ length: parallel }, connection))
  return ok
}

// ---------------------------------------------------------------------------------------------
// Phases

interface Row {
  what: string
  value: string
  bound: string
  ok: boolean | null
}

const rows: Row[] = []
function row(what: string, value: string, bound = '', ok: boolean | null = null): void {
  rows.push({ what, value, bound, ok })
  console.log(`  ${ok === false ? 'FAIL ' : ''}${what}: ${value}${bound ? ` (bound ${bound})` : ''}`)
}

async function answersGet(service: Service, phase: string): Promise<void> {
  const answer = await get(service.port, '/api/v1/items', 10_000)
  row(`GET /api/v1/items after ${phase}`, String(answer.status ?? 'no answer'), '200', answer.status === 200)
}

async function bodies(service: Service, limitBytes: number, sampler: RssSampler): Promise<number> {
  let peakKb = 0
  for (const [label, size, chunked] of [
    ['10 MB JSON body, Content-Length', 10 * MB, false],
    ['10 MB JSON body, chunked', 10 * MB, true],
    ['100 MB JSON body, Content-Length', 100 * MB, false],
    ['100 MB JSON body, chunked', 100 * MB, true],
  ] as const) {
    const answer = await post(service.port, '/api/v1/items', size, { chunked })
    const expected = size > limitBytes ? '413' : '400 (read, the app rejects the item)'
    const ok = size > limitBytes ? answer.status === 413 : answer.status === 400
    const peak = sampler.phase()
    peakKb = Math.max(peakKb, peak)
    row(`${label}: status, time, bytes sent, peak RSS`, `${answer.status ?? 'no answer'}, ${Math.round(answer.ms)} ms, ${(answer.sentBytes / MB).toFixed(1)} MB, ${mb(peak)}`, expected, ok)
    await answersGet(service, label)
  }
  return Math.max(peakKb, sampler.phase())
}

async function manyConnections(service: Service, count: number): Promise<void> {
  // All connections first (200 connecting at a time, none waits for its answer), each sending a
  // keep-alive GET at once; then wait until each is answered or closed by the server.
  const entries: { socket: Socket; raw: string; closed: boolean }[] = []
  const start = performance.now()
  await openMany(
    service.port,
    count,
    200,
    async (socket) => {
      const entry = { socket, raw: '', closed: false }
      entries.push(entry)
      socket.on('error', () => undefined)
      socket.on('data', (chunk: Buffer) => (entry.raw += chunk.toString('latin1')))
      socket.on('close', () => (entry.closed = true))
      socket.write(`GET /api/v1/items HTTP/1.1\r\nHost: ${HOST}:${service.port}\r\n\r\n`)
    },
    120_000,
  )
  const opened = performance.now() - start
  const probe = await get(service.port, '/api/v1/items', 10_000)
  const settled = (entry: (typeof entries)[number]): boolean => entry.closed || /\r\n\r\n[^]*\]/.test(entry.raw)
  const deadline = performance.now() + 60_000
  while (performance.now() < deadline && !entries.every(settled)) await sleep(100)
  const answered = entries.filter((entry) => statusOf(entry.raw) === 200).length
  const closedUnanswered = entries.filter((entry) => entry.closed && statusOf(entry.raw) === null).length
  const open = entries.filter((entry) => !entry.closed).length
  row(`${count} connections opened (${Math.round(opened)} ms); GET on a new one meanwhile`, String(probe.status ?? 'no answer'), '200', probe.status === 200)
  row(`${count} connections: answered 200 / closed unanswered (room for newer) / open at the end`, `${answered} / ${closedUnanswered} / ${open}`, `sum ${entries.length}`, answered + closedUnanswered === entries.length && entries.length === count)
  for (const entry of entries) entry.socket.destroy()
  await answersGet(service, `${count} connections`)
}

async function slowFlood(service: Service, count: number, seconds: number): Promise<void> {
  const head = Buffer.from(`GET /api/v1/items HTTP/1.1\r\nHost: ${HOST}:${service.port}\r\nUser-Agent: ${'slow'.repeat(20)}\r\n\r\n`)
  const flood: { socket: Socket; sent: number; closed: boolean; raw: string }[] = []
  await openMany(
    service.port,
    count,
    200,
    async (socket) => {
      const entry = { socket, sent: 0, closed: false, raw: '' }
      flood.push(entry)
      socket.on('error', () => undefined)
      socket.on('data', (chunk: Buffer) => (entry.raw += chunk.toString('latin1')))
      socket.on('close', () => (entry.closed = true))
    },
    60_000,
  )
  // One byte per connection per second, for at most `seconds` (never the whole head).
  const start = performance.now()
  let probes = 0
  let probesOk = 0
  while (performance.now() - start < seconds * 1000 && flood.some((entry) => !entry.closed)) {
    for (const entry of flood) {
      if (!entry.closed && entry.sent < head.length - 1) entry.socket.write(head.subarray(entry.sent, ++entry.sent))
    }
    const probe = await get(service.port, '/api/v1/items', 5_000)
    probes++
    if (probe.status === 200) probesOk++
    await sleep(Math.max(0, 1000 - probe.ms))
  }
  const closed = flood.filter((entry) => entry.closed).length
  const timedOut = flood.filter((entry) => statusOf(entry.raw) === 408).length
  row(`slow-client flood (${flood.length} connections, 1 byte/s): GETs answered during it`, `${probesOk}/${probes}`, `${probes}`, probes > 0 && probesOk === probes)
  row(`slow-client flood: connections closed by the server within ${seconds} s (of them with 408)`, `${closed} (${timedOut})`, `${flood.length}`, closed === flood.length)
  for (const entry of flood) entry.socket.destroy()
  await answersGet(service, 'the slow-client flood')
}

async function sigtermIdle(service: Service): Promise<void> {
  // An idle keep-alive connection (one request answered) and one that never sent anything.
  const idle = connect(service.port, HOST)
  idle.on('error', () => undefined)
  await new Promise<void>((done) => {
    idle.once('data', () => done())
    idle.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`)
  })
  const silent = connect(service.port, HOST)
  silent.on('error', () => undefined)
  await new Promise<void>((done) => silent.once('connect', () => done()))
  await sleep(200)
  const sent = performance.now()
  service.child.kill('SIGTERM')
  const exit = await Promise.race([service.exited, sleep(15_000).then(() => null)])
  idle.destroy()
  silent.destroy()
  if (exit === null) {
    service.child.kill('SIGKILL')
    row('SIGTERM with idle keep-alive and silent connections: exit', 'none within 15 s', '0 within 1000 ms', false)
    return
  }
  const ms = exit.at - sent
  row('SIGTERM with idle keep-alive and silent connections: exit code, time to exit', `${exit.code}, ${Math.round(ms)} ms`, '0 within 1000 ms', exit.code === 0 && ms <= 1000)
}

async function sigtermInFlight(service: Service): Promise<void> {
  // A 5 MB body sent at 2 MB/s: SIGTERM while it is being received, with an idle connection open too.
  const idle = connect(service.port, HOST)
  idle.on('error', () => undefined)
  await new Promise<void>((done) => {
    idle.once('data', () => done())
    idle.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`)
  })
  let signalled = 0
  const upload = post(service.port, '/api/v1/items', 5 * MB, {
    bytesPerSecond: 2 * MB,
    timeoutMs: 30_000,
    onStart: () => {
      setTimeout(() => {
        signalled = performance.now()
        service.child.kill('SIGTERM')
      }, 500)
    },
  })
  const answer = await upload
  const answeredAt = performance.now()
  const exit = await Promise.race([service.exited, sleep(15_000).then(() => null)])
  idle.destroy()
  if (exit === null) service.child.kill('SIGKILL')
  row('SIGTERM during a 5 MB upload: the upload still answered', `${answer.status ?? 'no answer'} after ${Math.round(answer.ms)} ms (SIGTERM at ${Math.round(signalled - (answeredAt - answer.ms))} ms)`, '400', answer.status === 400)
  const ms = exit === null ? Infinity : exit.at - answeredAt
  row('SIGTERM during a 5 MB upload: exit code, time from its answer to exit', exit === null ? 'none within 15 s' : `${exit.code}, ${Math.round(ms)} ms`, '0 within 1000 ms', exit !== null && exit.code === 0 && ms <= 1000)
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const app = appDir()
  let connections = numberOption('connections', 10_000)
  let slow = numberOption('slow', 3_000)
  const slowSeconds = numberOption('slow-seconds', 30)
  const rounds = Math.max(1, numberOption('rounds', 2))
  const fds = openFileLimit()
  // Both ends of every connection live on this machine, in two processes with this limit each.
  if (connections + 200 > fds || slow + 200 > fds) {
    const fit = Math.max(0, fds - 200)
    console.warn(`warning: the open file limit is ${fds}; connections ${connections} → ${Math.min(connections, fit)}, slow clients ${slow} → ${Math.min(slow, fit)} (raise it with ulimit -n)`)
    connections = Math.min(connections, fit)
    slow = Math.min(slow, fit)
  }
  const work = mkdtempSync(join(tmpdir(), 'migrate-abuse-'))
  let service: Service | null = null
  try {
    const serviceDir = join(work, 'service')
    console.log(`migrating ${app}`)
    const migrate = spawnSync(process.execPath, [join(REPO, 'bin/migrate.js'), app, '--out', serviceDir, '--force'], { encoding: 'utf8' })
    if (migrate.status !== 0) throw new Error(`migrate failed:\n${migrate.stdout}${migrate.stderr}`)
    symlinkSync(join(REPO, 'node_modules'), join(serviceDir, 'node_modules'), 'dir')
    const build = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', serviceDir], { encoding: 'utf8' })
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`)

    service = await startService(serviceDir)
    // The inventory app sets no MAX_CONTENT_LENGTH: the default limit (or MAX_BODY_BYTES) applies.
    const limitBytes = Number(process.env['MAX_BODY_BYTES'] ?? 16 * MB)
    row('body limit', mb(limitBytes / 1024))
    for (let i = 0; i < 50; i++) await get(service.port, i % 2 ? '/' : '/api/v1/items')
    await sleep(1_000)
    const cold = memoryOf(service.pid)!.rssKb
    row('idle RSS, cold (after 50 requests)', mb(cold))
    // V8 sizes its heap for the traffic it sees: idle is measured at rest after ordinary traffic.
    const warmOk = await warmUp(service.port, 5_000, 50)
    await sleep(2_000)
    const idle = memoryOf(service.pid)!.rssKb
    row('idle RSS, warm (at rest after 5000 GETs on 50 keep-alive connections)', `${mb(idle)} (${warmOk} answered 200)`, '5000', warmOk === 5000)
    const bound = 2 * cold + limitBytes / 1024
    const sampler = new RssSampler(service.pid)
    let peakKb = 0
    for (let round = 1; round <= rounds; round++) {
      console.log(`round ${round}: request bodies`)
      sampler.phase()
      const bodiesPeak = await bodies(service, limitBytes, sampler)
      console.log(`round ${round}: ${connections} connections`)
      await manyConnections(service, connections)
      const connectionsPeak = sampler.phase()
      console.log(`round ${round}: slow-client flood of ${slow} connections`)
      await slowFlood(service, slow, slowSeconds)
      const floodPeak = sampler.phase()
      const roundPeak = Math.max(bodiesPeak, connectionsPeak, floodPeak)
      peakKb = Math.max(peakKb, roundPeak)
      row(`round ${round}: peak RSS in the bodies / connections / flood phases`, `${mb(bodiesPeak)} / ${mb(connectionsPeak)} / ${mb(floodPeak)}`, mb(bound), roundPeak <= bound)
      row(`round ${round}: RSS at its end`, mb(memoryOf(service.pid)!.rssKb))
    }
    sampler.stop()
    const end = memoryOf(service.pid)!
    row('peak RSS (highest VmRSS sampled every 50 ms)', mb(peakKb), `2 × cold idle + limit = ${mb(bound)}`, peakKb <= bound)
    row('peak RSS (VmHWM)', mb(end.hwmKb), `2 × cold idle + limit = ${mb(bound)}`, end.hwmKb <= bound)
    // Not the bound this script enforces (see the comment at the top): what the warm idle would allow.
    row('for comparison: 2 × warm idle + limit', `${mb(2 * idle + limitBytes / 1024)} (${end.hwmKb <= 2 * idle + limitBytes / 1024 ? 'held' : 'exceeded'})`)

    console.log('SIGTERM with a request in flight')
    await sigtermInFlight(service)
    service = await startService(serviceDir)
    console.log('SIGTERM with idle connections')
    await sigtermIdle(service)
    service = null
  } finally {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL')
    rmSync(work, { recursive: true, force: true })
  }

  const width = Math.max(...rows.map((r) => r.what.length))
  const valueWidth = Math.max(...rows.map((r) => r.value.length))
  console.log('')
  console.log(`${'measure'.padEnd(width)}  ${'value'.padEnd(valueWidth)}  bound`)
  for (const r of rows) console.log(`${r.what.padEnd(width)}  ${r.value.padEnd(valueWidth)}  ${r.bound}${r.ok === false ? '  BROKEN' : ''}`)
  const broken = rows.filter((r) => r.ok === false).length
  console.log(broken === 0 ? '\nevery bound holds' : `\n${broken} bound(s) broken`)
  return broken === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(2)
  },
)
