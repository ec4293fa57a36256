import { spawnSync } from 'node:child_process'
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { noiseBetween, type Observation } from '../emit/runtime/compare.js'
import { shrinkDifferences } from './shrink.js'
import { dumpFlaskReads, dumpFlaskUrlMap, FlaskDifferential, findFlaskPython, replayOnFlask, type LineResult, type Outcome } from './flask-side.js'
import { generateExploreScenario, scenarioCredentials } from './explore.js'
import { HttpSide } from './http-replay.js'
import { PostgresSides, sqliteFiles, verifyRows } from './rows.js'
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
  /**
   * Also replay requests generated from what each view reads (src/verify/explore.ts), after the
   * others; each difference among them is shrunk to a smaller request that still differs.
   */
  explore?: boolean
  /** false: the service is already built (`dist/`), do not run its build (mutation testing rebuilds one file itself). */
  build?: boolean
  /** false: do not shrink the differences --explore finds (one replay less per round). */
  shrink?: boolean
  /** `module:name` or `module:factory(args)` as FLASK_APP takes it. */
  app?: string
  /**
   * A shell command run in the Flask project folder before each side starts (and before each run of
   * Flask alone), with that side's environment (`{tmp}` replaced), `FLASK_APP` (from `app`) and
   * `PYTHON` (the Python with Flask): what a deployment runs first, e.g. `$PYTHON -m flask init-db`
   * (the service and the legacy app of `--legacy` share one run, as they share the database).
   */
  setup?: string
  /**
   * A SQLite database file (one the Flask app created and seeded) copied into each side's `{tmp}`
   * folder under its own name before that side starts (and before `setup`): both sides start on a
   * copy of the same data, and the rows they leave are compared. `env` points the app at the copy
   * (`DATABASE_URL=sqlite:///{tmp}/<name>`); the file itself is never written.
   */
  seedDatabase?: string
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

  let seedDatabase: string | undefined
  if (options.seedDatabase !== undefined) {
    seedDatabase = resolve(options.seedDatabase)
    const problem = seedDatabaseProblem(seedDatabase, options.env ?? {})
    if (problem !== null) return fail(problem)
  }

  const workDir = mkdtempSync(join(tmpdir(), 'migrate-verify-'))
  const postgresSides = new PostgresSides(options.env ?? {}, basename(workDir).replace(/^migrate-verify-/, ''))
  /** The environment of one side, `{tmp}` replaced by a folder of its own (with its copy of --seed-database), `{db}` by a fresh Postgres database of its own. */
  const sideEnv = (side: string): Record<string, string> => {
    const folder = join(workDir, side)
    mkdirSync(folder)
    if (seedDatabase !== undefined) copySqliteDatabase(seedDatabase, join(folder, basename(seedDatabase)))
    let database = ''
    try {
      if (postgresSides.used) database = postgresSides.prepare(side)
    } catch (error) {
      throw new SetupFailed(`{db} in --env: no database could be created for the ${side} side: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`)
    }
    const env = Object.fromEntries(Object.entries(options.env ?? {}).map(([key, value]) => [key, value.replaceAll('{tmp}', folder).replaceAll('{db}', database)]))
    if (options.setup !== undefined) runSetup(options.setup, flaskDir, env, python.value, options.app, side)
    return env
  }
  let flask: FlaskDifferential | undefined
  let service: RunningService | undefined
  let legacy: RunningService | undefined
  try {
    if (seedDatabase !== undefined) print(`note: each side starts on its own copy of ${seedDatabase} ({tmp}/${basename(seedDatabase)})`)
    if (options.setup !== undefined) print(`note: before each side starts: ${options.setup}`)
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

    // --explore: requests generated from what each view reads, after the others (their state and saved values carry over).
    let exploreFrom: number | null = null
    if (options.explore) {
      const urlMap = dumpFlaskUrlMap(python.value, flaskDir, options.app, sideEnv('explore-url-map'))
      if (!urlMap.ok) return fail(urlMap.message)
      const reads = dumpFlaskReads(python.value, flaskDir, options.app, sideEnv('explore-reads'))
      if (!reads.ok) return fail(reads.message)
      const baseText = readFileSync(scenarioFile, 'utf8').replace(/\n*$/, '\n')
      const baseLines = baseText.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>)
      const explored = generateExploreScenario(urlMap.value, reads.value, scenarioCredentials(baseLines))
      exploreFrom = baseText.split('\n').length
      const combined = join(workDir, 'explore-scenario.jsonl')
      writeFileSync(combined, baseText + explored.map((line) => JSON.stringify(line)).join('\n') + '\n')
      scenarioFile = combined
      print(`note: --explore adds ${explored.length} requests generated from what the views read (lines ${exploreFrom} to ${exploreFrom + explored.length - 1})`)
    }

    // --noise: a first run of the Flask side alone, each line's answer kept to compare with the second.
    const firstRun = new Map<number, Observation>()
    if (options.noise) {
      const replayed = replayOnFlask(python.value, flaskDir, scenarioFile, options.app, sideEnv('flask-first-run'), true)
      if (!replayed.ok) return fail(replayed.message)
      for (const answer of replayed.value) if (answer.observation !== undefined) firstRun.set(answer.line, answer.observation)
    }

    /** One replay of a scenario on fresh instances of both sides (and of the legacy app with --legacy). */
    let pass = 0
    const replay = async (file: string, onResult: (result: LineResult) => void, onNoise: (label: string, noise: string[], line: number) => void): Promise<Outcome<{ passed: number; failed: number }>> => {
      pass += 1
      try {
        // The scenario is checked and the app imported before the service is built.
        const started = await FlaskDifferential.start(python.value, flaskDir, file, options.app, sideEnv(`flask-${pass}`))
        if (!started.ok) return started
        flask = started.value
        if (pass === 1 && options.build !== false) {
          const installed = installDependencies(serviceDir, options.linkNodeModules)
          if (!installed.ok) return installed
          const built = buildService(serviceDir)
          if (!built.ok) return built
        }
        const serviceEnv = sideEnv(`service-${pass}`)
        if (options.legacy) {
          // The legacy app shares the service's environment ({tmp} included): one database, as deployed.
          const served = await startLegacyFlask(python.value, flaskDir, options.app, serviceEnv)
          if (!served.ok) return served
          legacy = served.value
          if (pass === 1) print(`note: the service forwards to the Flask app at ${legacy.baseUrl} (LEGACY_URL)`)
        }
        const running = await startService(serviceDir, 60_000, legacy ? { ...serviceEnv, LEGACY_URL: legacy.baseUrl } : serviceEnv)
        if (!running.ok) return running
        service = running.value
        const http = new HttpSide(service.baseUrl)
        return await flask.run((request) => http.send(request), onResult, (observed) => {
          const first = pass === 1 ? firstRun.get(observed.line) : undefined
          if (first === undefined || observed.flask === null) return []
          const noise = noiseBetween(first, observed.flask)
          if (noise.length > 0) onNoise(observed.label, noise, observed.line)
          return noise
        })
      } finally {
        await flask?.close()
        await service?.stop()
        await legacy?.stop()
        flask = service = legacy = undefined
      }
    }

    /** Noise field → the lines it was ignored on. */
    const ignored = new Map<string, number[]>()
    const failedExplore: number[] = []
    const outcome = await replay(
      scenarioFile,
      ({ line, label, diffs, notes }) => {
        for (const note of notes) print(`note ${label}: ${note}`)
        for (const [what, flaskValue, serviceValue] of diffs) print(`${label}  ${what}: flask ${flaskValue} | service ${serviceValue}`)
        if (exploreFrom !== null && line >= exploreFrom && diffs.length > 0) failedExplore.push(line)
      },
      (label, noise, line) => {
        for (const field of noise) ignored.set(field, [...(ignored.get(field) ?? []), line])
        print(`noise ${label}: ${noise.join(', ')} (differ between two runs of Flask: not compared)`)
      },
    )
    if (!outcome.ok) return fail(outcome.message)
    if (options.noise) {
      const fields = [...ignored].map(([field, lines]) => `${field} (${lines.length} line${lines.length === 1 ? '' : 's'})`)
      print(`ignored as noise: ${fields.length === 0 ? 'nothing' : fields.join(', ')}`)
    }
    // The rows both sides wrote (SQLite files in their {tmp} folders): compared after the scenario (issue 17 item 7).
    let rowDifferences = 0
    if (sqliteFiles(join(workDir, 'flask-1')).size > 0 || sqliteFiles(join(workDir, 'service-1')).size > 0) {
      let noiseFolder: string | null = options.noise ? join(workDir, 'flask-first-run') : null
      if (noiseFolder === null) {
        // A second run of Flask alone tells which columns differ from run to run (salted hashes).
        const env = sideEnv('flask-rows')
        noiseFolder = replayOnFlask(python.value, flaskDir, scenarioFile, options.app, env).ok ? join(workDir, 'flask-rows') : null
      }
      rowDifferences = verifyRows({ flaskFolder: join(workDir, 'flask-1'), serviceFolder: join(workDir, 'service-1'), noiseFolder, print })
    }
    // The rows of each side's own Postgres database ({db} in --env).
    if (postgresSides.used) {
      let noiseSide: string | null = options.noise ? 'flask-first-run' : null
      if (noiseSide === null) noiseSide = replayOnFlask(python.value, flaskDir, scenarioFile, options.app, sideEnv('flask-rows-postgres')).ok ? 'flask-rows-postgres' : null
      rowDifferences += await postgresSides.compare('flask-1', 'service-1', noiseSide, print)
    }
    if (failedExplore.length > 0 && options.shrink !== false) {
      const shrunk = await shrinkDifferences(scenarioFile, exploreFrom!, failedExplore, workDir, (file) => {
        const failing = new Set<number>()
        return replay(
          file,
          ({ line, diffs }) => {
            if (diffs.length > 0) failing.add(line)
          },
          () => {},
        ).then((result) => (result.ok ? { ok: true as const, value: failing } : result))
      })
      if (!shrunk.ok) print(`note: the differences could not be shrunk: ${shrunk.message}`)
      else for (const [line, minimal] of shrunk.value) print(`shrunk #${line}: ${JSON.stringify(minimal)}`)
    }
    print(`${outcome.value.passed} passed, ${outcome.value.failed} failed`)
    return outcome.value.failed === 0 && rowDifferences === 0 ? 0 : 1
  } catch (error) {
    if (error instanceof SetupFailed) return fail(error.message)
    throw error
  } finally {
    await flask?.close()
    await service?.stop()
    await legacy?.stop()
    await postgresSides.drop()
    rmSync(workDir, { recursive: true, force: true })
  }
}

/** Why `--seed-database` cannot be used as given (a missing file, not SQLite, no side pointed at `{tmp}`), or null. */
function seedDatabaseProblem(file: string, env: Record<string, string>): string | null {
  if (!existsSync(file) || !statSync(file).isFile()) return `--seed-database ${file}: no such file`
  const header = Buffer.alloc(16)
  const fd = openSync(file, 'r')
  try {
    readSync(fd, header, 0, 16, 0)
  } finally {
    closeSync(fd)
  }
  if (header.toString('latin1') !== 'SQLite format 3\u0000') return `--seed-database ${file}: not a SQLite database`
  // Without a {tmp} value the sides would open some other database, and the copies would prove nothing.
  if (!Object.values(env).some((value) => value.includes('{tmp}'))) {
    return `--seed-database copies ${basename(file)} into each side's {tmp} folder: point the app at it with --env, e.g. --env 'DATABASE_URL=sqlite:///{tmp}/${basename(file)}'`
  }
  return null
}

/** Copies a SQLite database with its write-ahead log, when it has one (committed rows may still be there). */
function copySqliteDatabase(from: string, to: string): void {
  copyFileSync(from, to)
  if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${to}-wal`)
}

/** A failed `--setup` command: verify stops with its message (exit status 2). */
class SetupFailed extends Error {}

/** Runs the `--setup` command for one side; throws SetupFailed when it exits with an error. */
function runSetup(command: string, flaskDir: string, env: Record<string, string>, python: string, app: string | undefined, side: string): void {
  const run = spawnSync('/bin/sh', ['-c', command], {
    cwd: flaskDir,
    env: { ...process.env, PYTHONHASHSEED: '0', ...(app !== undefined ? { FLASK_APP: app } : {}), PYTHON: python, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  })
  if (run.status !== 0) {
    const output = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim().split('\n').slice(-3).join(' / ')
    throw new SetupFailed(`--setup failed for ${side} (${run.error?.message ?? `exit status ${run.status ?? run.signal}`}): ${output}`)
  }
}
