import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'
import { freePort } from '../../src/verify/service.js'

/**
 * The migrated 3-route service (fixtures/service-bench-three-routes) on the runtimes it is meant
 * to run on besides a single Node process: on Bun (`bun run start:bun`, Bun from the repo's
 * devDependencies, the npm package `bun`), and on Node with WEB_CONCURRENCY=2 (node:cluster).
 * Each answers what Flask answers (Flask's test client is the oracle) and stops on SIGTERM.
 */
const repo = join(dirname(new URL(import.meta.url).pathname), '..', '..')
const fixture = join(repo, 'fixtures', 'service-bench-three-routes', 'input')
const bun = join(repo, 'node_modules', '.bin', 'bun')
const hasBun = existsSync(bun) && spawnSync(bun, ['--version'], { encoding: 'utf8' }).status === 0
const hasFlask = spawnSync('/usr/bin/python3', ['-c', 'import flask'], { encoding: 'utf8' }).status === 0

interface Probe {
  method: string
  path: string
  contentType?: string
  body?: string
}

const PROBES: Probe[] = [
  { method: 'GET', path: '/ping' },
  { method: 'GET', path: '/users/42' },
  { method: 'GET', path: '/users/007' },
  { method: 'GET', path: '/users/abc' },
  { method: 'POST', path: '/ping' },
  { method: 'POST', path: '/echo', contentType: 'application/json', body: '{"name": "b\\u00e9", "tags": ["a", 1, 2.5, null], "z": 1, "a": true}' },
  { method: 'POST', path: '/echo', contentType: 'application/json', body: '{"broken": ' },
  { method: 'POST', path: '/echo', contentType: 'text/plain', body: '{"a": 1}' },
]

interface Answer {
  status: number
  contentType: string | null
  body: string
}

/** What Flask answers each probe (its test client on the fixture's app). */
function flaskAnswers(): Answer[] {
  const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(fixture)})
from app import app
client = app.test_client()
out = []
for probe in json.load(sys.stdin):
    headers = {"Content-Type": probe["contentType"]} if probe.get("contentType") else {}
    r = client.open(probe["path"], method=probe["method"], data=probe.get("body"), headers=headers)
    out.append({"status": r.status_code, "contentType": r.headers.get("Content-Type"), "body": r.get_data(as_text=True)})
print(json.dumps(out))
`
  const result = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(PROBES), encoding: 'utf8' })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as Answer[]
}

async function serviceAnswers(port: number): Promise<Answer[]> {
  const answers: Answer[] = []
  for (const probe of PROBES) {
    const response = await fetch(`http://127.0.0.1:${port}${probe.path}`, {
      method: probe.method,
      headers: probe.contentType ? { 'Content-Type': probe.contentType } : {},
      body: probe.body,
    })
    answers.push({ status: response.status, contentType: response.headers.get('content-type'), body: await response.text() })
  }
  return answers
}

let service = ''
let work = ''

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'migrate-runtimes-'))
  service = join(work, 'service')
  const result = await runPipeline({ input: fixture }, await defaultStages())
  if (!result.ok) throw new Error(result.error.message)
  for (const [path, content] of [...result.result.files, ...result.result.emitted.assets]) {
    mkdirSync(dirname(join(service, path)), { recursive: true })
    writeFileSync(join(service, path), content)
  }
  symlinkSync(join(repo, 'node_modules'), join(service, 'node_modules'))
}, 120_000)
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Starts `command` in the service folder on a free port; resolves once it answers /ping. */
async function start(command: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number; log: () => string }> {
  const port = await freePort()
  const child = spawn(command[0]!, command.slice(1), { cwd: service, env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/ping`).then((r) => r.ok, () => false)
    if (ok) return { child, port, log: () => log }
    await new Promise((done) => setTimeout(done, 100))
  }
  child.kill('SIGKILL')
  throw new Error(`the service did not start:\n${log}`)
}

/** SIGTERM, then the exit code (null if it did not exit within 10 s). */
async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  child.kill('SIGTERM')
  const code = await Promise.race([exited, new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), 10_000))])
  if (code === 'timeout') {
    child.kill('SIGKILL')
    return null
  }
  return code
}

describe.skipIf(!hasFlask)('the migrated 3-route service on other runtimes answers as Flask', () => {
  it('on Bun: bun run start:bun', async () => {
    if (!hasBun) {
      if (process.env.CI === 'true') throw new Error(`bun is not installed (${bun}): npm ci installs it from the npm registry (devDependency "bun")`)
      console.warn(`skipped: bun is not installed (${bun}); npm ci installs it (devDependency "bun")`)
      return
    }
    const running = await start([bun, 'run', 'start:bun'], { PATH: `${dirname(bun)}:${process.env.PATH ?? ''}` })
    try {
      expect(await serviceAnswers(running.port), running.log()).toEqual(flaskAnswers())
    } finally {
      expect(await stop(running.child), running.log()).toBe(0)
    }
  }, 120_000)

  it('on Node with WEB_CONCURRENCY=2: two workers serve, SIGTERM stops them all', async () => {
    const build = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', service], { encoding: 'utf8' })
    expect(build.stdout + build.stderr).toBe('')
    const running = await start([process.execPath, 'dist/main.js'], { WEB_CONCURRENCY: '2' })
    try {
      expect(await serviceAnswers(running.port), running.log()).toEqual(flaskAnswers())
      // Each worker says it listens: two of them, besides the primary that does not.
      for (let i = 0; i < 50 && (running.log().match(/Listening on/g) ?? []).length < 2; i++) await new Promise((done) => setTimeout(done, 100))
      expect((running.log().match(/Listening on/g) ?? []).length, running.log()).toBe(2)
    } finally {
      expect(await stop(running.child), running.log()).toBe(0)
    }
    expect((running.log().match(/SIGTERM received/g) ?? []).length, running.log()).toBe(2)
  }, 180_000)
})
