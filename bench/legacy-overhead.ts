/**
 * `npm run bench:legacy [-- --rounds R --requests N --warmup W --logs]`: what the legacy fallback
 * costs. For two Flask apps, each migrated and built, served by Werkzeug's threaded `run_simple`
 * (Debian's /usr/bin/python3) with the service started beside it with LEGACY_URL pointing at it,
 * LEGACY_ROUTES=* (every request forwarded) and NODE_ENV=production (as its Dockerfile runs it: no
 * line per request; Werkzeug's request log is off too; `--logs` keeps both, which this process, the
 * client, then reads in the middle of its timings), all on 127.0.0.1, it sends, per probe and after
 * W (200) of each to warm up, R rounds (7) of N requests (300) one at a time, alternating between
 * the Flask app directly and the service (forwarded; which goes first changes every request). Each
 * round gives a p50 per side and their ratio; the verdict is the median of the rounds' ratios (a
 * round the machine's other work slowed weighs no more than one), printed with the rounds' range,
 * the pooled p50 / p90 / p99 per side and the milliseconds the hop adds (median of the rounds). The
 * machine's load average is printed before and after.
 *
 * Werkzeug's development server closes the connection after each response (`Connection: close`), as
 * gunicorn's sync workers do: each forwarded request opens a new connection to the Flask app, as the
 * direct client does; the hop's cost is mostly the kernel's (a second connection and its writes).
 *
 * - test/runtime/legacy-app: `/echo`, a stub that does almost nothing (GET, and POST with a JSON
 *   body). The overhead floor: Flask answers in about a millisecond, so the ratio shows the cost of
 *   the hop itself. Not held to the bound.
 * - fixtures/acceptance/journal (JOURNAL_TESTING=1, SQLite): `GET /` (a Jinja page from the
 *   database) and `GET /api/posts` (JSON from the database), forwarded: pages of a real app,
 *   held to issue 18's bound, the median of the rounds' p50 forwarded / p50 direct ≤ 1.3 (exit 1 otherwise).
 *
 * Not a test: the numbers depend on the machine (and on what else runs on it). Loops are bounded;
 * the only target is 127.0.0.1.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { buildService, installDependencies, startService } from '../src/verify/service.js'
import { startFlask } from '../test/runtime/legacy-helpers.js'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const BOUND = 1.3
const QUIET_WERKZEUG = "import logging; logging.getLogger('werkzeug').setLevel(logging.WARNING)"

function numberOption(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`)
  if (index < 0) return fallback
  const parsed = Number(process.argv[index + 1])
  if (!Number.isSafeInteger(parsed) || parsed <= 0 || parsed > 1_000_000) throw new Error(`--${name} must be a positive integer`)
  return parsed
}

interface Probe {
  label: string
  method: string
  path: string
  headers: Record<string, string>
  body?: string
}

/** One request on the agent's keep-alive connection; resolves with its latency in ms once the body is read. */
function timed(baseUrl: string, agent: Agent, probe: Probe): Promise<number> {
  const url = new URL(baseUrl)
  const started = performance.now()
  return new Promise((done, fail) => {
    const req = request({ host: url.hostname, port: url.port, method: probe.method, path: probe.path, headers: probe.headers, agent }, (res) => {
      res.on('data', () => {})
      res.on('end', () => {
        if (res.statusCode !== 200) fail(new Error(`${probe.label} on ${baseUrl}: ${res.statusCode}`))
        else done(performance.now() - started)
      })
      res.on('error', fail)
    })
    req.on('error', fail)
    req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')))
    req.end(probe.body)
  })
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

interface Case {
  name: string
  appDir: string
  env: Record<string, string>
  bounded: boolean
  probes: Probe[]
}

async function main(): Promise<void> {
  const rounds = numberOption('rounds', 7)
  const requests = numberOption('requests', 300)
  const warmup = numberOption('warmup', 200)
  const logs = process.argv.includes('--logs')
  const body = JSON.stringify({ name: 'widget', quantity: 3, tags: ['a', 'b'] })
  const cases: Case[] = [
    {
      name: 'legacy-app',
      appDir: join(REPO, 'test', 'runtime', 'legacy-app'),
      env: { SIDE: 'flask' },
      bounded: false,
      probes: [
        { label: 'GET /echo?x=1', method: 'GET', path: '/echo?x=1', headers: {} },
        { label: 'POST /echo (JSON)', method: 'POST', path: '/echo', headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }, body },
      ],
    },
    {
      name: 'journal',
      appDir: join(REPO, 'fixtures', 'acceptance', 'journal'),
      env: { JOURNAL_TESTING: '1', DATABASE_URL: 'sqlite:///{tmp}/journal.sqlite' },
      bounded: true,
      probes: [
        { label: 'GET / (HTML)', method: 'GET', path: '/', headers: {} },
        { label: 'GET /api/posts', method: 'GET', path: '/api/posts', headers: {} },
      ],
    },
  ]
  const out = mkdtempSync(join(tmpdir(), 'bench-legacy-'))
  let failed = false
  const load = (): string => loadavg().map((value) => value.toFixed(2)).join(' ')
  console.log(`legacy fallback overhead${logs ? ' (request logs on)' : ''}: ${rounds} rounds of ${requests} requests per side and probe, alternating, one at a time (after ${warmup} to warm up)`)
  console.log(`load average at the start: ${load()}\n`)
  console.log('app          probe                 side        p50 ms   p90 ms   p99 ms   (all rounds pooled)')
  try {
    for (const item of cases) {
      const serviceDir = join(out, item.name)
      const run = spawnSync(process.execPath, ['bin/migrate.js', item.appDir, '--out', serviceDir, '--force'], { cwd: REPO, encoding: 'utf8' })
      if (run.status !== 0) throw new Error(`migrate ${item.name} failed: ${run.stderr}`)
      for (const step of [installDependencies(serviceDir, join(REPO, 'node_modules')), buildService(serviceDir)]) if (!step.ok) throw new Error(step.message)
      // Without --logs, neither side writes a line per request (the service as its Dockerfile runs it,
      // NODE_ENV=production; Werkzeug's request log off): both logs are read by this process, the
      // client, in the middle of its timings.
      const flask = await startFlask(item.appDir, 'wsgi:app', item.env, logs ? '' : QUIET_WERKZEUG)
      const serviceEnv = Object.fromEntries(Object.entries(item.env).map(([key, value]) => [key, value.replaceAll('{tmp}', serviceDir)]))
      // LEGACY_ROUTES=*: every request is forwarded, whatever the migration serves natively today.
      const started = await startService(serviceDir, 60_000, { ...serviceEnv, ...(logs ? {} : { NODE_ENV: 'production' }), LEGACY_URL: flask.url, LEGACY_ROUTES: '*' })
      if (!started.ok) {
        await flask.stop()
        throw new Error(started.message)
      }
      const service = started.value
      try {
        for (const probe of item.probes) {
          const agents = { direct: new Agent({ keepAlive: true, maxSockets: 1 }), forwarded: new Agent({ keepAlive: true, maxSockets: 1 }) }
          const samples = { direct: [] as number[], forwarded: [] as number[] }
          for (let i = 0; i < warmup; i++) {
            await timed(flask.url, agents.direct, probe)
            await timed(service.baseUrl, agents.forwarded, probe)
          }
          const roundRatios: number[] = []
          const roundAdded: number[] = []
          for (let round = 0; round < rounds; round++) {
            const direct: number[] = []
            const forwarded: number[] = []
            for (let i = 0; i < requests; i++) {
              // Which side goes first changes every request: neither always follows the other.
              if (i % 2 === 0) {
                direct.push(await timed(flask.url, agents.direct, probe))
                forwarded.push(await timed(service.baseUrl, agents.forwarded, probe))
              } else {
                forwarded.push(await timed(service.baseUrl, agents.forwarded, probe))
                direct.push(await timed(flask.url, agents.direct, probe))
              }
            }
            const p50Direct = percentile(direct.sort((a, b) => a - b), 50)
            const p50Forwarded = percentile(forwarded.sort((a, b) => a - b), 50)
            roundRatios.push(p50Forwarded / p50Direct)
            roundAdded.push(p50Forwarded - p50Direct)
            samples.direct.push(...direct)
            samples.forwarded.push(...forwarded)
          }
          agents.direct.destroy()
          agents.forwarded.destroy()
          for (const side of ['direct', 'forwarded'] as const) {
            const sorted = samples[side].sort((a, b) => a - b)
            console.log(`${item.name.padEnd(13)}${probe.label.padEnd(22)}${side.padEnd(10)}${[50, 90, 99].map((p) => percentile(sorted, p).toFixed(3).padStart(9)).join('')}`)
          }
          const ratio = median(roundRatios)
          const verdict = item.bounded ? (ratio > BOUND ? `  ABOVE THE BOUND (${BOUND}x)` : ` (bound ${BOUND}x)`) : ' (overhead floor, not bounded)'
          console.log(`${''.padEnd(13)}${probe.label.padEnd(22)}p50 forwarded / direct = ${ratio.toFixed(2)}x (median of ${rounds} rounds; rounds ${Math.min(...roundRatios).toFixed(2)}-${Math.max(...roundRatios).toFixed(2)}x), +${median(roundAdded).toFixed(3)} ms${verdict}\n`)
          if (item.bounded && ratio > BOUND) failed = true
        }
      } finally {
        await service.stop()
        await flask.stop()
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
  console.log(`load average at the end: ${load()}`)
  process.exitCode = failed ? 1 : 0
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = 1
})
