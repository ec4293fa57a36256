import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { request } from 'node:http'
import { connect } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../src/verify/service.js'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
/** Debian's Python with Debian's Flask (the pyenv python3 first on PATH has none). */
export const python = '/usr/bin/python3'
const scenarioDir = join(repoRoot, 'test', 'oracle', 'scenario')

/** Whether /usr/bin/python3 imports these modules. */
export function pythonHas(modules: string[]): { ok: boolean; message: string } {
  const check = spawnSync(python, ['-c', modules.map((name) => `import ${name}`).join('; ')], { encoding: 'utf8' })
  return { ok: check.status === 0, message: (check.stderr ?? '').trim().split('\n').at(-1) ?? '' }
}

export interface RunningFlask {
  url: string
  port: number
  /** What the server printed (Werkzeug logs one line per request). */
  log(): string
  stop(): Promise<void>
}

/**
 * A Flask app served by Werkzeug's `run_simple` (threaded, as a deployment would keep connections
 * alive) on a free 127.0.0.1 port, loaded as difftest.py loads it. `{tmp}` in env values is a fresh
 * folder; `extra` is Python run on `app` before serving (a route the analysis never saw).
 */
export async function startFlask(appDir: string, entry: string, env: Record<string, string> = {}, extra = ''): Promise<RunningFlask> {
  const port = await freePort()
  const tmp = mkdtempSync(join(tmpdir(), 'legacy-flask-'))
  const code = [
    "import sys; sys.path.insert(0, '.')",
    'from werkzeug.serving import run_simple',
    'from scenario_selfcheck import load_app',
    `app = load_app(${JSON.stringify(resolve(appDir))}, ${JSON.stringify(entry)})`,
    extra,
    `run_simple('127.0.0.1', ${port}, app, threaded=True)`,
  ].join('\n')
  const childEnv = { ...process.env, ...Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value.replaceAll('{tmp}', tmp)])) }
  const child = spawn(python, ['-c', code], { cwd: scenarioDir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-200_000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const killOnExit = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', killOnExit)
  const stop = (): Promise<void> =>
    new Promise((done) => {
      process.removeListener('exit', killOnExit)
      const finish = (): void => {
        rmSync(tmp, { recursive: true, force: true })
        done()
      }
      if (child.exitCode !== null || child.signalCode !== null) return finish()
      child.once('exit', finish)
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGKILL'), 3_000).unref()
    })
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Flask app exited with ${child.exitCode}:\n${output.slice(-2_000)}`)
    if (await listening(port)) return { url: `http://127.0.0.1:${port}`, port, log: () => output, stop }
    await new Promise((done) => setTimeout(done, 100))
  }
  await stop()
  throw new Error(`the Flask app did not listen within 60 s:\n${output.slice(-2_000)}`)
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      done(true)
    })
    socket.once('error', () => done(false))
  })
}

export interface RawResponse {
  status: number
  statusMessage: string
  /** Flat, as Node's `rawHeaders`. */
  rawHeaders: string[]
  body: Buffer
}

/** One request on a fresh connection; the response as it came (no decompression, headers as sent). */
export function send(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  body?: Buffer | string | Buffer[],
): Promise<RawResponse> {
  const url = new URL(baseUrl)
  // Node sends a DELETE's body without framing unless told its length.
  if (body !== undefined && !Array.isArray(body)) headers = { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }
  return new Promise((done, fail) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => done({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }))
      res.on('error', fail)
    })
    req.on('error', fail)
    req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')))
    if (Array.isArray(body)) {
      // Several writes without Content-Length: a chunked body (POST, PUT, PATCH).
      for (const part of body) req.write(part)
      req.end()
    } else req.end(body)
  })
}

/** Header pairs, names lower-cased, without those each hop sets itself (Date, Connection, Keep-Alive, Transfer-Encoding). */
export function endToEndHeaders(raw: string[]): [string, string][] {
  const pairs: [string, string][] = []
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    if (['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name)) continue
    pairs.push([name, raw[i + 1]!])
  }
  return pairs
}

export function headerValues(raw: string[], name: string): string[] {
  const values: string[] = []
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) values.push(raw[i + 1]!)
  return values
}
