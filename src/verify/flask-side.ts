import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { compareObservations, mask, reviveFloats, showPair, type Difference, type Observation } from '../emit/runtime/compare.js'
import type { ReadsDump } from './explore.js'
import type { OutgoingRequest, RawResponse } from './http-replay.js'
import type { UrlMapDump } from './scenario.js'

const oracleDirectory = fileURLToPath(new URL('../../test/oracle/', import.meta.url))
export const urlMapScript = `${oracleDirectory}flask_url_map.py`
export const replayScript = `${oracleDirectory}flask_replay.py`
export const readsScript = `${oracleDirectory}flask_reads.py`

export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string }

function canImportFlask(python: string): boolean {
  const result = spawnSync(python, ['-c', 'import flask'], { stdio: 'ignore', timeout: 30_000 })
  return result.status === 0
}

/**
 * A Python that can `import flask`: the one asked for (`--python`, else `MIGRATE_PYTHON`),
 * otherwise Debian's /usr/bin/python3, otherwise `python3` on PATH.
 */
export function findFlaskPython(requested?: string): Outcome<string> {
  const explicit = requested ?? process.env.MIGRATE_PYTHON
  if (explicit) {
    return canImportFlask(explicit)
      ? { ok: true, value: explicit }
      : { ok: false, message: `${explicit} cannot import flask (install Flask for it, or pass another --python)` }
  }
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    if (candidate.startsWith('/') && !existsSync(candidate)) continue
    if (canImportFlask(candidate)) return { ok: true, value: candidate }
  }
  return {
    ok: false,
    message:
      'no Python that can import flask: tried /usr/bin/python3 and python3 (apt-get install -y python3-flask, or pass --python / MIGRATE_PYTHON)',
  }
}

function runOracle(python: string, args: string[], env?: Record<string, string>): Outcome<string> {
  const result = spawnSync(python, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 300_000,
    ...(env ? { env: { ...process.env, ...env } } : {}),
  })
  if (result.error) return { ok: false, message: `${python} ${args[0]}: ${result.error.message}` }
  if (result.status !== 0) {
    const fatal = fatalMessage(result.stdout)
    const lastLine = result.stderr.trim().split('\n').pop() ?? ''
    return { ok: false, message: fatal ?? `Flask side failed (${python} exited with ${result.status}): ${lastLine}` }
  }
  return { ok: true, value: result.stdout }
}

function fatalMessage(stdout: string): string | undefined {
  for (const line of stdout.split('\n')) {
    try {
      const message = JSON.parse(line) as { type?: string; message?: string }
      if (message.type === 'fatal') return message.message
    } catch {
      // not one of ours
    }
  }
  return undefined
}

/** The app's URL map as Flask holds it (test/oracle/flask_url_map.py). */
export function dumpFlaskUrlMap(python: string, flaskDir: string, app?: string, env?: Record<string, string>): Outcome<UrlMapDump> {
  const output = runOracle(python, [urlMapScript, flaskDir, ...(app ? [app] : [])], env)
  if (!output.ok) return output
  return { ok: true, value: JSON.parse(output.value) as UrlMapDump }
}

/** What each view reads from the request (test/oracle/flask_reads.py), for `--explore`. */
export function dumpFlaskReads(python: string, flaskDir: string, app?: string, env?: Record<string, string>): Outcome<ReadsDump> {
  const output = runOracle(python, [readsScript, flaskDir, ...(app ? [app] : [])], env)
  if (!output.ok) return output
  return { ok: true, value: JSON.parse(output.value) as ReadsDump }
}

/** Flask's answer to one request line (flask_replay.py without --differential). */
export interface FlaskAnswer {
  /** What observe() saw (with `--observe`). */
  observation?: Observation
  /** The line's number in the scenario file. */
  line: number
  method: string
  path: string
  status?: number
  /** The line could not be replayed (the app raised, `${NAME}` unsaved, a save path missing). */
  error?: string
}

/** Flask's test client's status for every request line of the scenario, in order (Flask side only). */
export function replayOnFlask(
  python: string,
  flaskDir: string,
  scenarioFile: string,
  app?: string,
  env?: Record<string, string>,
  withObservations = false,
): Outcome<FlaskAnswer[]> {
  const output = runOracle(python, [replayScript, ...(withObservations ? ['--observe'] : []), flaskDir, scenarioFile, ...(app ? [app] : [])], env)
  if (!output.ok) return output
  const answers = output.value
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line, reviveFloats) as FlaskAnswer)
  return { ok: true, value: answers }
}

/** One request line's outcome (as difftest.py prints it): the differences of the service's answer from Flask's. */
export interface LineResult {
  line: number
  /** `#N METHOD PATH`, the path as the scenario writes it (before `${NAME}` substitution). */
  label: string
  /** [what, Flask's value, the service's value]: values as JSON text, cut around their first difference. */
  diffs: [string, string, string][]
  /** Where a comparison was weakened (a session cookie Flask's serializer cannot decode). */
  notes: string[]
}

/** Both sides' observations of one request line (null: that side failed, see `errors`). */
export interface ObservedLine {
  type: 'observed'
  line: number
  label: string
  method: string
  volatile: string[]
  flask: Observation | null
  service: Observation | null
  errors: Difference[]
}

type DriverMessage =
  | { type: 'ready'; requests: number }
  | { type: 'fatal'; message: string }
  | ({ type: 'request'; line: number; body: string | null } & Omit<OutgoingRequest, 'body'>)
  | ObservedLine
  | { type: 'done' }

/**
 * One line's outcome from both sides' observations: masked by the line's volatile values and
 * compared with src/emit/runtime/compare.ts (the comparison shadow mode uses too), then what failed
 * on the way; values shown as the reference runner shows them.
 */
export function judgeLine(observed: Omit<ObservedLine, 'type'>, noise: readonly string[] = []): LineResult {
  let differences: Difference[] = []
  let notes: string[] = []
  if (observed.flask !== null && observed.service !== null) {
    const volatile = [...observed.volatile, ...noise]
    ;({ differences, notes } = compareObservations(mask(observed.flask, volatile), mask(observed.service, volatile), observed.method))
  }
  const diffs = [...differences, ...observed.errors].map(([what, flask, service]): [string, string, string] => [what, ...showPair(flask, service)])
  return { line: observed.line, label: observed.label, diffs, notes }
}

/** How long one message of the Flask side may take (one request on the test client, or importing the app). */
const messageTimeoutMs = 300_000

/**
 * The differential run (flask_replay.py --differential): Python replays each request line on
 * Flask's test client, hands this process the service's request and observes the service's raw
 * response, with the reference runner's code; this process sends requests over HTTP (`send`),
 * compares the two observations (`judgeLine`) and reports.
 */
export class FlaskDifferential {
  private stderr = ''
  /** Resolves with how the process ended (its exit, or why it could not start). */
  private readonly ended: Promise<string>
  private hasEnded = false

  private constructor(
    private readonly child: ReturnType<typeof spawn>,
    private readonly messages: AsyncIterator<string>,
  ) {
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4_000)
    })
    this.ended = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve(`exited with ${code ?? signal}`))
      child.once('error', (error) => resolve(error.message))
    })
    void this.ended.then(() => {
      this.hasEnded = true
    })
    // Writing to a Python that died is reported by next(), not as an unhandled error.
    child.stdin!.on('error', () => {})
  }

  /** Starts Python, which reads the scenario and imports the app; resolves once it is ready. */
  static async start(
    python: string,
    flaskDir: string,
    scenarioFile: string,
    app: string | undefined,
    env: Record<string, string>,
  ): Promise<Outcome<FlaskDifferential>> {
    const child = spawn(python, [replayScript, '--differential', flaskDir, scenarioFile, ...(app ? [app] : [])], {
      // A fixed hash seed: the order of a set or of a dict built from one (marshmallow's
      // errors) is then the same on every run, and so is the output.
      env: { PYTHONHASHSEED: '0', ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const side = new FlaskDifferential(child, createInterface({ input: child.stdout! })[Symbol.asyncIterator]())
    const first = await side.next()
    if (!first.ok) return first
    if (first.value.type === 'fatal') return side.failWith(first.value.message)
    if (first.value.type !== 'ready') return side.failWith(`Flask side: unexpected message ${JSON.stringify(first.value)}`)
    return { ok: true, value: side }
  }

  /** Replays every line; `send` reaches the service, `onResult` gets each line's outcome in order. */
  async run(
    send: (request: OutgoingRequest) => Promise<RawResponse>,
    onResult: (result: LineResult) => void,
    /** Volatile entries learned for a line (`--noise`), masked with its own. */
    noiseFor: (observed: ObservedLine) => string[] = () => [],
  ): Promise<Outcome<{ passed: number; failed: number }>> {
    this.write({ type: 'go' })
    let passed = 0
    let failed = 0
    for (;;) {
      const next = await this.next()
      if (!next.ok) return next
      const message = next.value
      switch (message.type) {
        case 'request': {
          const { type: _type, line: _line, body, ...rest } = message
          try {
            const response = await send({ ...rest, body: body === null ? null : Buffer.from(body, 'base64') })
            this.write({ status: response.status, headers: response.headers, body: response.body.toString('base64') })
          } catch (error) {
            const code = (error as { code?: string }).code
            this.write({ error: `${(error as Error).message}${code && !(error as Error).message.includes(code) ? ` (${code})` : ''}` })
          }
          break
        }
        case 'observed': {
          const result = judgeLine(message, noiseFor(message))
          if (result.diffs.length > 0) failed += 1
          else passed += 1
          onResult(result)
          break
        }
        case 'done':
          return { ok: true, value: { passed, failed } }
        case 'fatal':
          return this.failWith(message.message)
        default:
          return this.failWith(`Flask side: unexpected message ${JSON.stringify(message)}`)
      }
    }
  }

  /** Ends the Python process (it may be waiting for "go"). */
  async close(): Promise<void> {
    if (this.hasEnded) return
    this.child.stdin!.end()
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000)
    await this.ended
    clearTimeout(timer)
  }

  private write(message: unknown): void {
    this.child.stdin!.write(`${JSON.stringify(message)}\n`)
  }

  private async failWith(message: string): Promise<Outcome<never>> {
    await this.close()
    return { ok: false, message }
  }

  private async next(): Promise<Outcome<DriverMessage>> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), messageTimeoutMs)
    })
    const next = await Promise.race([this.messages.next(), timeout])
    clearTimeout(timer)
    if (next === 'timeout') {
      this.child.kill('SIGKILL')
      return { ok: false, message: `Flask side did not answer within ${messageTimeoutMs / 1000}s` }
    }
    if (next.done) {
      const how = await this.ended
      const lastLine = this.stderr.trim().split('\n').pop() ?? ''
      return { ok: false, message: `Flask side failed (${how}): ${lastLine}` }
    }
    try {
      return { ok: true, value: JSON.parse(next.value, reviveFloats) as DriverMessage }
    } catch {
      return { ok: false, message: `Flask side wrote something else than a message: ${next.value.slice(0, 200)}` }
    }
  }
}
