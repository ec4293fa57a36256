import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { noiseBetween, type Observation } from '../emit/runtime/compare.js'
import { dumpFlaskUrlMap, FlaskDifferential, findFlaskPython, replayOnFlask } from './flask-side.js'
import { HttpSide } from './http-replay.js'
import { startLegacyFlask } from './legacy-side.js'
import { generateRoutingScenario } from './scenario.js'
import { buildService, installDependencies, startService, type RunningService } from './service.js'
import { accessLogToScenario, harToScenario, type ScenarioLine } from './sources.js'

export { generateRoutingScenario, samplePath, type GeneratedRequest, type UrlMapDump, type UrlMapRule } from './scenario.js'
export { findFlaskPython, type LineResult } from './flask-side.js'

export interface VerifyOptions {
  /** The Flask project (the folder FLASK_APP would be resolved in). */
  flaskDir: string
  /** The generated Hono service (with its package.json). */
  serviceDir: string
  /** A scenario.jsonl (the format of ../shared/README.md); without one (or a HAR, or an access log), requests are generated from Flask's URL map. */
  scenario?: string
  /** A HAR file: its requests to the origin of its first one, in order. */
  har?: string
  /** An access log in Combined Log Format: its GET and HEAD requests, in order. */
  accessLog?: string
  /** Replay on Flask a second time first, and ignore what differs between Flask's two answers (listed). */
  noise?: boolean
  /**
   * Verify the service as deployed in front of the Flask app: the project is also served over
   * HTTP, and the service started with `LEGACY_URL` pointing at it, both with the same `{tmp}`
   * (the same database), so forwarded and native routes share state as in production.
   */
  legacy?: boolean
  /** `module:name` or `module:factory(args)` as FLASK_APP takes it. */
  app?: string
  /**
   * Environment for both sides, as `--env K=V`: the Flask side has it before the app is
   * imported, the service process in its environment. `{tmp}` in a value becomes a fresh
   * temporary folder of each side's own.
   */
  env?: Record<string, string>
  /** A Python that has Flask; else MIGRATE_PYTHON, /usr/bin/python3, python3. */
  python?: string
  /** A node_modules folder to symlink into the service instead of `npm install`, when it holds every package the service declares. */
  linkNodeModules?: string
  /** Where lines of output go (default: stdout). */
  output?: (line: string) => void
  /** Where the one error line goes when it could not compare (default: `output` when given, else stderr). */
  error?: (line: string) => void
}

/**
 * Replays a scenario on Flask's test client and over HTTP on the generated service, and
 * prints every difference (`#N METHOD PATH  field: flask X | service Y`), then
 * `N passed, M failed`. The scenario format and the comparison are those of the reference
 * runner, test/oracle/scenario/difftest.py: the Flask side runs its code
 * (test/oracle/flask_replay.py), which also observes the service's raw responses; this side
 * sends the service's requests (src/verify/http-replay.ts, its own cookie jar) and compares the
 * observations with src/emit/runtime/compare.ts, the comparison shadow mode (`SHADOW=1`) uses.
 * Returns 0 when every request line passes, 1 on any difference, 2 when it could not compare
 * (no Python with Flask, install/build/start failure, bad scenario, an app that does not import),
 * with one `migrate: …` line.
 */
export async function runVerify(options: VerifyOptions): Promise<number> {
  const print = options.output ?? ((line: string) => process.stdout.write(`${line}\n`))
  const printError = options.error ?? options.output ?? ((line: string) => process.stderr.write(`${line}\n`))
  // One line, `migrate: …`, as every other error of the command line.
  const fail = (message: string): number => {
    printError(`migrate: ${message}`)
    return 2
  }
  const flaskDir = resolve(options.flaskDir)
  const serviceDir = resolve(options.serviceDir)

  const python = findFlaskPython(options.python)
  if (!python.ok) return fail(python.message)

  const workDir = mkdtempSync(join(tmpdir(), 'migrate-verify-'))
  /** The environment of one side, `{tmp}` replaced by a folder of its own. */
  const sideEnv = (side: string): Record<string, string> => {
    const folder = join(workDir, side)
    mkdirSync(folder)
    return Object.fromEntries(Object.entries(options.env ?? {}).map(([key, value]) => [key, value.replaceAll('{tmp}', folder)]))
  }
  let flask: FlaskDifferential | undefined
  let service: RunningService | undefined
  let legacy: RunningService | undefined
  try {
    const sources = [options.scenario, options.har, options.accessLog].filter((source) => source !== undefined)
    if (sources.length > 1) return fail('give one of --scenario, --har and --access-log')
    let scenarioFile: string
    if (options.scenario) {
      scenarioFile = resolve(options.scenario)
    } else if (options.har !== undefined || options.accessLog !== undefined) {
      const file = resolve((options.har ?? options.accessLog)!)
      let text: string
      try {
        text = readFileSync(file, 'utf8')
      } catch (error) {
        return fail(`cannot read ${file}: ${(error as Error).message}`)
      }
      let lines: ScenarioLine[]
      if (options.har !== undefined) {
        const read = harToScenario(text)
        if (!read.ok) return fail(`${file}: ${read.message}`)
        lines = read.value.lines
        if (read.value.skipped > 0) print(`note: ${read.value.skipped} HAR entries to other origins (or without a request) left out`)
      } else {
        const read = accessLogToScenario(text)
        lines = read.lines
        if (read.skipped > 0) print(`note: ${read.skipped} access log lines with other methods than GET and HEAD left out`)
        if (read.malformed > 0) print(`note: ${read.malformed} access log lines not in Combined Log Format left out`)
      }
      if (lines.length === 0) return fail(`${file}: no request to replay`)
      scenarioFile = join(workDir, 'requests.jsonl')
      writeFileSync(scenarioFile, lines.map((line) => JSON.stringify(line)).join('\n') + '\n')
    } else {
      // Importing the app to read its url map may create files (a database): not in the replay's folder.
      const urlMap = dumpFlaskUrlMap(python.value, flaskDir, options.app, sideEnv('url-map'))
      if (!urlMap.ok) return fail(urlMap.message)
      scenarioFile = join(workDir, 'generated-scenario.jsonl')
      writeFileSync(scenarioFile, generateRoutingScenario(urlMap.value).map((request) => JSON.stringify(request)).join('\n') + '\n')
    }

    // --noise: a first run of the Flask side alone, each line's answer kept to compare with the second.
    const firstRun = new Map<number, Observation>()
    if (options.noise) {
      const replayed = replayOnFlask(python.value, flaskDir, scenarioFile, options.app, sideEnv('flask-first-run'), true)
      if (!replayed.ok) return fail(replayed.message)
      for (const answer of replayed.value) if (answer.observation !== undefined) firstRun.set(answer.line, answer.observation)
    }

    // The scenario is checked and the app imported before the service is built.
    const started = await FlaskDifferential.start(python.value, flaskDir, scenarioFile, options.app, sideEnv('flask'))
    if (!started.ok) return fail(started.message)
    flask = started.value

    const installed = installDependencies(serviceDir, options.linkNodeModules)
    if (!installed.ok) return fail(installed.message)
    const built = buildService(serviceDir)
    if (!built.ok) return fail(built.message)
    const serviceEnv = sideEnv('service')
    if (options.legacy) {
      // The legacy app shares the service's environment ({tmp} included): one database, as deployed.
      const served = await startLegacyFlask(python.value, flaskDir, options.app, serviceEnv)
      if (!served.ok) return fail(served.message)
      legacy = served.value
      print(`note: the service forwards to the Flask app at ${legacy.baseUrl} (LEGACY_URL)`)
    }
    const running = await startService(serviceDir, 60_000, legacy ? { ...serviceEnv, LEGACY_URL: legacy.baseUrl } : serviceEnv)
    if (!running.ok) return fail(running.message)
    service = running.value

    const http = new HttpSide(service.baseUrl)
    /** Noise field → the lines it was ignored on. */
    const ignored = new Map<string, number[]>()
    const outcome = await flask.run(
      (request) => http.send(request),
      ({ label, diffs, notes }) => {
        for (const note of notes) print(`note ${label}: ${note}`)
        for (const [what, flaskValue, serviceValue] of diffs) print(`${label}  ${what}: flask ${flaskValue} | service ${serviceValue}`)
      },
      (observed) => {
        const first = firstRun.get(observed.line)
        if (first === undefined || observed.flask === null) return []
        const noise = noiseBetween(first, observed.flask)
        for (const field of noise) ignored.set(field, [...(ignored.get(field) ?? []), observed.line])
        if (noise.length > 0) print(`noise ${observed.label}: ${noise.join(', ')} (differ between two runs of Flask: not compared)`)
        return noise
      },
    )
    if (!outcome.ok) return fail(outcome.message)
    if (options.noise) {
      const fields = [...ignored].map(([field, lines]) => `${field} (${lines.length} line${lines.length === 1 ? '' : 's'})`)
      print(`ignored as noise: ${fields.length === 0 ? 'nothing' : fields.join(', ')}`)
    }
    print(`${outcome.value.passed} passed, ${outcome.value.failed} failed`)
    return outcome.value.failed === 0 ? 0 : 1
  } finally {
    await flask?.close()
    await service?.stop()
    await legacy?.stop()
    rmSync(workDir, { recursive: true, force: true })
  }
}
