import { appendFileSync, writeFileSync } from 'node:fs'
import { dirname, extname, join } from 'node:path'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { checkWriteTargets, makeFolders, removeFolders, WriteRefused, writeFiles } from '../emit/write.js'
import type { Severity } from '../ir/types.js'
import type { Stages, UserError } from '../pipeline.js'
import type { CheckOutcome, MigrationReport, ReportFinding } from '../report/index.js'
import { loadRuleDocs, newFindings, renderGithub, renderJson, renderMarkdown, renderSarif, renderStepSummary, renderText, TOOL_VERSION } from '../report/index.js'
import { readBaseline, renderBaseline } from './baseline.js'
import { FAIL_ON, loadProjectConfig, type FailOn, type ProjectConfig } from './config.js'
import { checkFileTarget, checkInputDir, checkOutDir, repositoryRoot } from './paths.js'
import { ProgressLine, progressMode } from './progress.js'
import { formatRoutes, ROUTE_SORTS, routesJson, type RouteSort } from './routes.js'

/** Exit codes, as documented in --help and docs/CLI.md. */
export const EXIT = {
  ok: 0,
  /** --check failed, or verify found differences. */
  checkFailed: 1,
  /** Usage error, bad input folder, no Flask app, unsafe or non-empty --out, … */
  usage: 2,
  /** A bug in migrate itself. */
  internal: 3,
} as const

const EXIT_CODES_HELP = `
Configuration: [tool.migrate] in the project's pyproject.toml, or its .migrate.toml, with the keys
  app, exclude, disable, fail-on, min-readiness, baseline (options given here win).
Suppressions: \`# migrate: ignore[rule-id]\` on a finding's line or alone on the line above,
  \`# migrate: ignore-file[rule-id]\` in a file's first 10 lines (without [...]: every rule).
  Suppressed findings are listed and counted as suppressed; --check does not count them.

Exit codes:
  0  success; with --check: readiness >= --min-readiness (default 100; with a baseline, the
     readiness it recorded) and no finding in force at or above --fail-on (default error) that
     is not suppressed, and not in the baseline when one is given
  1  --check failed (readiness below --min-readiness, or such a finding),
     or \`verify\` found differences
  2  usage error, missing or unreadable folder, no Flask application found, a bad
     pyproject.toml [tool.migrate] / .migrate.toml, a --baseline that is missing or not a baseline,
     --out not empty without --force, --out equal to / inside / containing the input folder,
     --out or --report naming the wrong kind of path, a file that cannot be read or written
  3  internal error (a bug in migrate; set DEBUG=1 for the stack trace)`

const ROUTES_EXIT_CODES_HELP = `
Exit codes:
  0  success
  2  usage error, missing folder, no Flask application found
  3  internal error (set DEBUG=1 for the stack trace)`

const VERIFY_EXIT_CODES_HELP = `
Exit codes:
  0  every response of the service matches Flask's
  1  differences found (each one is printed)
  2  usage error, missing folder, or could not compare (no Python with Flask, build or start failure, bad scenario)
  3  internal error (set DEBUG=1 for the stack trace)`

const FORMATS = ['text', 'markdown', 'json', 'sarif', 'html', 'github'] as const
type Format = (typeof FORMATS)[number]

/** Where the CLI's output goes, and the stages it runs (tests replace them). */
export interface CliContext {
  stdout: (text: string) => void
  stderr: (text: string) => void
  stages?: Stages
  /** For `migrate verify`; defaults to src/verify's runVerify. */
  runVerify?: (options: {
    flaskDir: string
    serviceDir: string
    scenario?: string
    har?: string
    accessLog?: string
    noise?: boolean
    legacy?: boolean
    explore?: boolean
    app?: string
    env?: Record<string, string>
    output?: (line: string) => void
    error?: (line: string) => void
  }) => Promise<number>
  env?: NodeJS.ProcessEnv
  /** Whether stderr is a terminal (the progress line shows there); default: process.stderr's, when stderr is not replaced. */
  stderrIsTerminal?: boolean
}

interface MigrateOptions {
  out?: string
  force?: boolean
  dryRun?: boolean
  check?: boolean
  minReadiness?: number
  failOn?: FailOn
  baseline?: string
  writeBaseline?: string
  format?: Format
  report?: string
  app?: string
  emitIr?: string
  allApps?: boolean
  cache?: boolean
  cacheLocation?: string
  jobs?: number
  progress?: boolean
  quiet?: boolean
}

/** The `migrate` command line. Returns the exit code; never throws. */
export async function main(argv: string[], context: Partial<CliContext> = {}): Promise<number> {
  const io: CliContext = {
    stdout: context.stdout ?? ((text) => void process.stdout.write(text)),
    stderr: context.stderr ?? ((text) => void process.stderr.write(text)),
    ...(context.stages !== undefined ? { stages: context.stages } : {}),
    ...(context.runVerify !== undefined ? { runVerify: context.runVerify } : {}),
    env: context.env ?? process.env,
    stderrIsTerminal: context.stderrIsTerminal ?? (context.stderr === undefined && process.stderr.isTTY === true),
  }
  try {
    return await run(argv, io)
  } catch (error) {
    // The file system refusing (permissions, full disk, read-only) is the user's situation, not a bug.
    const system = error as NodeJS.ErrnoException
    if (error instanceof Error && typeof system.code === 'string' && /^E[A-Z]+$/.test(system.code) && typeof system.path === 'string') {
      io.stderr(`migrate: cannot access ${system.path}: ${system.code}\n`)
      return EXIT.usage
    }
    if (error instanceof Error && error.name === 'ParserUnavailable') {
      io.stderr(`migrate: ${error.message.split('\n')[0]}\n`)
      return EXIT.internal
    }
    io.stderr(`migrate: internal error: ${describeError(error)}\n`)
    if (io.env?.DEBUG === '1' && error instanceof Error && error.stack !== undefined) io.stderr(`${error.stack}\n`)
    return EXIT.internal
  }
}

/** One line about anything thrown: an Error's first message line, or what a non-Error value is. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] || error.name
  if (typeof error === 'object' && error !== null) return `a ${error.constructor?.name ?? 'value'} was thrown`
  return String(error).split('\n')[0]!
}

/** The pipeline, loaded on first use: a broken install (tree-sitter's native build) is then an error main() reports in one line. */
async function pipeline(): Promise<typeof import('../pipeline.js')> {
  return import('../pipeline.js')
}

/** `--env K=V`, repeatable: collected in order (a later K wins). */
function parseEnv(value: string, previous: Record<string, string>): Record<string, string> {
  const separator = value.indexOf('=')
  if (separator <= 0) throw new InvalidArgumentError('expected K=V')
  return { ...previous, [value.slice(0, separator)]: value.slice(separator + 1) }
}

/** --app takes FLASK_APP's forms; an empty value names no app. */
function parseApp(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected module:name or "module:factory(args)", not an empty value')
  return value
}

async function run(argv: string[], io: CliContext): Promise<number> {
  let exitCode: number = EXIT.ok
  const stages = async (): Promise<Stages> => io.stages ?? (await (await pipeline()).defaultStages())
  const fail = (error: UserError): number => {
    io.stderr(`migrate: ${error.message}\n`)
    return error.exitCode
  }

  const program = new Command('migrate')
    .description('Migrate a Flask app to a Hono (TypeScript) service and report what did and did not carry over.')
    .version(TOOL_VERSION, '-V, --version')
    .argument('[dir]', 'the Flask project folder')
    .option('--out <dir>', 'write the Hono service here (must be empty unless --force)')
    .option('--force', 'write into a non-empty --out (files of a previous run are replaced)')
    .option('--dry-run', 'analyse and report only; write nothing (except --report FILE)')
    .option('--check', 'CI lint: exit 1 when readiness < --min-readiness or a finding in force is at or above --fail-on')
    .option('--min-readiness <n>', 'readiness threshold for --check, 0-100 (default: 100; with a baseline, the readiness it recorded)', parseReadiness)
    .addOption(new Option('--fail-on <severity>', 'the least severe finding that fails --check; never: findings never fail it (default: error)').choices(FAIL_ON))
    .option('--baseline <file>', 'known findings (written by --write-baseline): --check fails only on findings not in it')
    .option('--write-baseline <file>', 'record the findings in force in FILE (then checked against it)')
    .addOption(new Option('--format <format>', 'report format on stdout (or in --report FILE); github: workflow annotations').choices(FORMATS))
    .option('--report <file>', 'also write the report to FILE (format from --format or the extension: .md, .json, .sarif, .html)')
    .option('--app <app>', 'the Flask app, as FLASK_APP: module:name or "module:factory(args)"', parseApp)
    .option('--emit-ir <file>', 'write the analysed project (IR) as JSON to FILE')
    .option('--all-apps', 'with --dry-run: audit every Flask app under <dir>, one report with a section per app and totals')
    .option('--cache', 'with --all-apps: keep each app\'s audit by the content of its files and the tool version; an unchanged app is not analysed again')
    .option('--cache-location <dir>', 'the cache folder (default: node_modules/.cache/migrate in the working folder)')
    .option('--jobs <n>', 'with --all-apps: apps audited at once, in worker threads (default: the number of processors)', parseJobs)
    .option('--progress', 'show the progress line on stderr even when it is not a terminal')
    .option('--quiet', 'no progress line')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run migrate help for usage)')
    // `migrate verify <dir> --out x`: options after a subcommand are the subcommand's own.
    .enablePositionalOptions()
    .action(async (dir: string | undefined, options: MigrateOptions) => {
      exitCode = await migrate(dir, options, io, stages, fail)
    })

  program
    .command('routes')
    .description('List the routes of the Flask app as `flask routes` does (without running Python).')
    .argument('<dir>', 'the Flask project folder')
    .addOption(new Option('--sort <order>', 'sort by endpoint, methods, domain, rule, or match (url_map order)').choices(ROUTE_SORTS).default('endpoint'))
    .option('--all-methods', 'show HEAD and OPTIONS too')
    .option('--json', 'print the url map as JSON (every rule, in url_map order)')
    .option('--app <app>', 'the Flask app, as FLASK_APP: module:name or "module:factory(args)"', parseApp)
    .addHelpText('after', ROUTES_EXIT_CODES_HELP)
    .action(async (dir: string, options: { sort: RouteSort; allMethods?: boolean; json?: boolean; app?: string }) => {
      const bad = checkInputDir(dir)
      if (bad !== null) return void (exitCode = fail(bad))
      const configured = loadProjectConfig(dir)
      if (!configured.ok) return void (exitCode = fail(configured.error))
      const appSpec = options.app ?? configured.config?.app
      const exclude = configured.config?.exclude ?? []
      const loaded = await (await stages()).loadProject(dir, { ...(appSpec !== undefined ? { app: appSpec } : {}), ...(exclude.length > 0 ? { exclude } : {}) })
      if (!loaded.ok) return void (exitCode = fail(loaded.error))
      const app = (await pipeline()).selectedApp(loaded.project.ir)
      if (app === undefined) return void (exitCode = fail({ message: `${dir}: no Flask application found`, exitCode: EXIT.usage }))
      io.stdout(options.json ? routesJson(app) : formatRoutes(app, options.sort, options.allMethods === true))
    })

  program
    .command('verify')
    .description('Replay requests on the Flask app and on the generated service and report every difference.')
    .argument('<flask-dir>', 'the Flask project folder')
    .requiredOption('--out <dir>', 'the generated service folder')
    .option('--scenario <file>', 'requests to replay (JSON lines); default: generated from the url map')
    .option('--har <file>', 'requests to replay from a HAR file (those to the origin of its first request)')
    .option('--access-log <file>', 'requests to replay from an access log in Combined Log Format (its GET and HEAD lines)')
    .option('--noise', 'replay on Flask twice and ignore (and list) what differs between its two answers')
    .option('--explore', 'also replay requests generated from what each view reads (query args, form fields, JSON keys, headers, cookies; edge values; writes then reads), each difference shrunk')
    .option('--legacy', 'start the service with LEGACY_URL pointing at the Flask app served over HTTP (same {tmp}): forwarded routes are verified too')
    .option('--app <app>', 'the Flask app, as FLASK_APP: module:name or "module:factory(args)"', parseApp)
    .option('--setup <command>', 'shell command run in the Flask project folder before each side starts, with its environment, FLASK_APP and PYTHON (e.g. \'$PYTHON -m flask init-db\')')
    .option('--seed-database <file>', 'a SQLite database the Flask app created and seeded: each side starts on its own copy, {tmp}/<its name> (point the app at it with --env)')
    .option('--env <K=V>', 'environment for both sides (repeatable); {tmp} in V becomes a fresh temporary folder per side', parseEnv, {})
    .addHelpText('after', VERIFY_EXIT_CODES_HELP)
    .action(async (flaskDir: string, options: { out: string; scenario?: string; har?: string; accessLog?: string; noise?: boolean; legacy?: boolean; explore?: boolean; app?: string; setup?: string; seedDatabase?: string; env: Record<string, string> }) => {
      const bad = checkInputDir(flaskDir) ?? checkInputDir(options.out)
      if (bad !== null) return void (exitCode = fail(bad))
      const configured = loadProjectConfig(flaskDir)
      if (!configured.ok) return void (exitCode = fail(configured.error))
      const app = options.app ?? configured.config?.app
      const verify = io.runVerify ?? (await import('../verify/index.js')).runVerify
      exitCode = await verify({
        flaskDir,
        serviceDir: options.out,
        ...(options.scenario !== undefined ? { scenario: options.scenario } : {}),
        ...(options.har !== undefined ? { har: options.har } : {}),
        ...(options.accessLog !== undefined ? { accessLog: options.accessLog } : {}),
        ...(options.noise ? { noise: true } : {}),
        ...(options.legacy ? { legacy: true } : {}),
        ...(options.explore ? { explore: true } : {}),
        ...(app !== undefined ? { app } : {}),
        ...(options.setup !== undefined ? { setup: options.setup } : {}),
        ...(options.seedDatabase !== undefined ? { seedDatabase: options.seedDatabase } : {}),
        ...(Object.keys(options.env).length > 0 ? { env: options.env } : {}),
        output: (line) => io.stdout(`${line}\n`),
        error: (line) => io.stderr(`${line}\n`),
      })
    })

  program
    .command('help')
    .description('Show the help of migrate, or of one command (routes, verify).')
    .argument('[command]', 'routes or verify')
    .action((name: string | undefined) => {
      if (name === undefined) return void program.outputHelp()
      const command = program.commands.find((item) => item.name() === name)
      if (command === undefined) {
        exitCode = fail({ message: `help: unknown command '${name}' (commands: ${program.commands.map((item) => item.name()).join(', ')})`, exitCode: EXIT.usage })
        return
      }
      command.outputHelp()
    })

  for (const command of [program, ...program.commands]) {
    // Every error line starts with `migrate:`, commander's own (unknown option, bad value) too.
    command
      .exitOverride()
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(`migrate: ${text.replace(/^error: /, '')}`) })
  }
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    throw error
  }
  return exitCode
}

function parseJobs(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of at least 1')
  return Number(value)
}

/** `migrate <dir> --dry-run --all-apps`: every app under `dir`, one report (src/cli/all-apps.ts). */
async function migrateAllApps(dir: string, options: MigrateOptions, io: CliContext, fail: (error: UserError) => number): Promise<number> {
  if (options.dryRun !== true || options.out !== undefined || options.check === true) {
    return fail({ message: '--all-apps audits: use it with --dry-run (and without --out or --check)', exitCode: EXIT.usage })
  }
  for (const [given, option] of [[options.app, '--app'], [options.emitIr, '--emit-ir'], [options.baseline, '--baseline'], [options.writeBaseline, '--write-baseline']] as const) {
    if (given !== undefined) return fail({ message: `${option} names one app; it does not go with --all-apps`, exitCode: EXIT.usage })
  }
  const format = formatFor(options, options.report)
  if (format !== 'text' && format !== 'json') return fail({ message: `--all-apps writes its report as text or json, not ${format}`, exitCode: EXIT.usage })
  const badInput = checkInputDir(dir)
  if (badInput !== null) return fail(badInput)
  if (options.report !== undefined) {
    const bad = checkFileTarget('--report', options.report)
    if (bad !== null) return fail(bad)
  }
  const { auditApps, defaultJobs, findAppRoots, renderAllAppsJson, renderAllAppsText } = await import('./all-apps.js')
  const progress = new ProgressLine(io.stderr, progressMode(options, io.stderrIsTerminal === true))
  progress.update(`${dir}: looking for Flask apps`)
  const { roots, pythonFiles, pythonBytes } = findAppRoots(dir)
  if (roots.length === 0) {
    progress.done()
    return fail({ message: `${dir}: no Flask application found under this folder`, exitCode: EXIT.usage })
  }
  const totalFiles = [...pythonFiles.values()].reduce((sum, count) => sum + count, 0)
  let appsDone = 0
  let filesDone = 0
  const cacheDir = options.cache === true ? (options.cacheLocation ?? (await import('./audit-cache.js')).defaultCacheDir()) : undefined
  const audits = await auditApps(dir, roots, {
    jobs: options.jobs ?? defaultJobs(),
    sizes: pythonBytes,
    ...(cacheDir !== undefined ? { cacheDir } : {}),
    onDone: (audit) => {
      appsDone++
      filesDone += pythonFiles.get(audit.root) ?? 0
      progress.update(`${appsDone}/${roots.length} apps, ${filesDone}/${totalFiles} Python files analysed`)
    },
  }).finally(() => progress.done())
  const text = format === 'json' ? renderAllAppsJson(audits) : renderAllAppsText(dir, audits, renderText)
  if (options.report !== undefined) {
    makeFolders(dirname(options.report))
    writeFileSync(options.report, text)
    io.stdout(renderAllAppsText(dir, audits, renderText))
  } else io.stdout(text)
  const failed = audits.filter((audit) => !audit.ok)
  if (failed.length === 0) return EXIT.ok
  return failed.some((audit) => !audit.ok && audit.error.exitCode === EXIT.internal) ? EXIT.internal : EXIT.usage
}

function parseReadiness(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 100) throw new InvalidArgumentError('expected an integer from 0 to 100')
  return Number(value)
}

function formatFor(options: MigrateOptions, file: string | undefined): Format {
  if (options.format !== undefined) return options.format
  if (file === undefined) return 'text'
  const extension = extname(file).toLowerCase()
  if (extension === '.html' || extension === '.htm') return 'html'
  return extension === '.json' ? 'json' : extension === '.sarif' ? 'sarif' : extension === '.md' || extension === '.markdown' ? 'markdown' : 'text'
}

/** What the renderers need beyond the report. */
interface RenderContext {
  /** MIGRATION_REPORT.html as the pipeline renders it (it quotes the project's sources). */
  html: () => string
  /** The project folder, for repository-relative paths in SARIF and GitHub annotations. */
  dir: string
  /** Fingerprints of the baseline in force. */
  baseline?: ReadonlySet<string>
}

function render(report: MigrationReport, format: Format, context: RenderContext): string {
  switch (format) {
    case 'html':
      return context.html()
    case 'markdown':
      return renderMarkdown(report)
    case 'json':
      return renderJson(report)
    case 'sarif':
      return renderSarif(report, {
        root: repositoryRoot(context.dir),
        rules: loadRuleDocs([...report.findings, ...report.suppressed].map((finding) => finding.ruleId)),
        ...(context.baseline !== undefined ? { baseline: context.baseline } : {}),
      })
    case 'github':
      return renderGithub(report, { prefix: repositoryRoot(context.dir).prefix, ...(context.baseline !== undefined ? { baseline: context.baseline } : {}) })
    default:
      return renderText(report)
  }
}

/** Severities that fail --check at each --fail-on level. */
const FAILING: Record<FailOn, readonly Severity[]> = { error: ['error'], warning: ['error', 'warning'], info: ['error', 'warning', 'info'], never: [] }

/** The options in force: the command line's, else the project's configuration's, else the defaults. */
interface Settings {
  app?: string
  /** undefined: none given (100, or the baseline's readiness when a baseline is in force). */
  minReadiness?: number
  failOn: FailOn
  /** The baseline file to read (the command line's path, or the configuration's resolved against the project folder). */
  baseline?: string
  config: ProjectConfig | null
}

function settingsOf(dir: string, options: MigrateOptions, config: ProjectConfig | null): Settings {
  const app = options.app ?? config?.app
  // The configuration's baseline is for --check; --baseline FILE applies to any run (SARIF's baselineState, --format github).
  const baseline = options.baseline ?? (config?.baseline !== undefined && options.check === true ? join(dir, config.baseline) : undefined)
  const minReadiness = options.minReadiness ?? config?.minReadiness
  return {
    ...(app !== undefined ? { app } : {}),
    ...(minReadiness !== undefined ? { minReadiness } : {}),
    failOn: options.failOn ?? config?.failOn ?? 'error',
    ...(baseline !== undefined ? { baseline } : {}),
    config,
  }
}

async function migrate(
  dir: string | undefined,
  options: MigrateOptions,
  io: CliContext,
  stages: () => Promise<Stages>,
  fail: (error: UserError) => number,
): Promise<number> {
  if (dir === undefined) return fail({ message: 'missing the Flask project folder: migrate <dir> --out <dir> (see migrate help)', exitCode: EXIT.usage })
  if (options.allApps === true) return migrateAllApps(dir, options, io, fail)
  for (const [given, option] of [[options.cache, '--cache'], [options.jobs, '--jobs']] as const) {
    if (given !== undefined) return fail({ message: `${option} goes with --all-apps`, exitCode: EXIT.usage })
  }
  const writing = options.dryRun !== true && (options.out !== undefined || options.check !== true)
  if (options.dryRun !== true && options.check !== true && options.out === undefined) {
    return fail({ message: '--out <dir> is required (or use --dry-run / --check)', exitCode: EXIT.usage })
  }
  if (options.dryRun === true && options.emitIr !== undefined) {
    return fail({ message: '--emit-ir writes a file; --dry-run writes nothing (use one or the other)', exitCode: EXIT.usage })
  }
  const badInput = checkInputDir(dir)
  if (badInput !== null) return fail(badInput)
  const configured = loadProjectConfig(dir)
  if (!configured.ok) return fail(configured.error)
  const settings = settingsOf(dir, options, configured.config)
  let outNotEmpty = false
  if (options.out !== undefined) {
    const out = checkOutDir(options.out, dir)
    if ('error' in out) return fail(out.error)
    outNotEmpty = out.nonEmpty
    if (writing && out.nonEmpty && options.force !== true) {
      return fail({ message: `--out ${options.out}: folder is not empty (use --force to replace the files of a previous run)`, exitCode: EXIT.usage })
    }
  }
  for (const [option, path] of [['--report', options.report], ['--emit-ir', options.emitIr], ['--write-baseline', options.writeBaseline]] as const) {
    if (path === undefined) continue
    const bad = checkFileTarget(option, path)
    if (bad !== null) return fail(bad)
  }
  // The baseline is read before the (long) analysis; --write-baseline replaces it.
  let baseline: Set<string> | undefined
  let baselineReadiness: number | undefined
  if (settings.baseline !== undefined && options.writeBaseline === undefined) {
    const read = readBaseline(settings.baseline)
    if (!read.ok) return fail(read.error)
    baseline = read.fingerprints
    baselineReadiness = read.readiness
  }

  const config = settings.config
  const progress = new ProgressLine(io.stderr, progressMode(options, io.stderrIsTerminal === true))
  progress.update(`${dir}: scan, parse, analyze`)
  const outcome = await (await pipeline()).runPipeline(
    {
      input: dir,
      ...(settings.app !== undefined ? { app: settings.app } : {}),
      ...(config !== null && config.exclude.length > 0 ? { exclude: config.exclude } : {}),
      ...(config !== null && config.disable.length > 0 ? { disable: { rules: config.disable, file: config.file } } : {}),
      // Nothing is written to --out: the files are counted, never formatted or rendered.
      ...(!writing ? { audit: true } : {}),
      onStage: (stage) => progress.update(`${dir}: ${stage}`),
    },
    await stages(),
  ).finally(() => progress.done())
  if (!outcome.ok) return fail(outcome.error)
  const { result } = outcome
  const { report } = result

  // Every target is checked, and every folder made, before any file is written.
  // The static files copied from the project (public/…) are written beside the generated ones.
  const assets = result.emitted.assets
  const refused = prepareTargets(writing ? options.out : undefined, [...result.files.keys(), ...assets.keys()], [options.emitIr, options.report, options.writeBaseline])
  if (refused !== null) return fail(refused)
  if (options.emitIr !== undefined) writeFileSync(options.emitIr, `${JSON.stringify(result.ir, null, 2)}\n`)
  if (writing && options.out !== undefined) writeFiles(options.out, result.files, assets)
  if (options.writeBaseline !== undefined) {
    writeFileSync(options.writeBaseline, renderBaseline(report))
    baseline = new Set(report.findings.map((finding) => finding.fingerprint))
    baselineReadiness = report.summary.readiness
  }

  const context: RenderContext = { html: result.html, dir, ...(baseline !== undefined ? { baseline } : {}) }
  const reportFormat = formatFor(options, options.report)
  if (options.report !== undefined) writeFileSync(options.report, render(report, reportFormat, context))
  const stdoutFormat = options.report !== undefined ? 'text' : formatFor(options, undefined)
  io.stdout(render(report, stdoutFormat, context))
  // Notes beside a report: on stdout after the text summary, on stderr when stdout is a machine format.
  const note = (line: string): void => (stdoutFormat === 'text' ? io.stdout(`${line}\n`) : io.stderr(`${line}\n`))
  if (stdoutFormat === 'text') {
    const count = result.files.size + assets.size
    if (writing && options.out !== undefined) io.stdout(`wrote ${count} files to ${options.out}\n`)
    else if (options.out !== undefined) {
      io.stdout(`dry run: nothing written; would write ${count} files to ${options.out}${outNotEmpty && options.force !== true ? ' (not empty: needs --force)' : ''}\n`)
    } else if (options.dryRun === true) io.stdout(`dry run: nothing written; the service would have ${count} files\n`)
  }
  const fresh = newFindings(report, baseline)
  if (options.writeBaseline !== undefined) {
    note(`wrote the baseline ${options.writeBaseline}: ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}${report.summary.suppressed > 0 ? ` (${report.summary.suppressed} suppressed ones left out)` : ''}`)
  } else if (baseline !== undefined && stdoutFormat !== 'github') {
    const known = report.findings.length - fresh.length
    const gone = baseline.size - known
    note(`baseline ${settings.baseline}: ${known} known finding${known === 1 ? '' : 's'}, ${fresh.length} new${gone > 0 ? `, ${gone} no longer found` : ''}`)
    if (stdoutFormat === 'text') for (const finding of fresh) note(`  new      ${finding.location.file}:${finding.location.line}:${finding.location.column}  ${finding.ruleId}`)
  }

  let check: CheckOutcome | undefined
  if (options.check === true) {
    const reasons: string[] = []
    // Without a threshold given, a baseline keeps readiness from dropping below the one it recorded.
    const minReadiness = settings.minReadiness ?? baselineReadiness ?? 100
    if (report.summary.readiness < minReadiness) {
      reasons.push(`readiness ${report.summary.readiness}% < ${minReadiness}%${settings.minReadiness === undefined && baselineReadiness !== undefined ? ' (the baseline\'s)' : ''}`)
    }
    const failing = fresh.filter((finding) => FAILING[settings.failOn].includes(finding.severity))
    if (failing.length > 0) reasons.push(failingPhrase(failing, settings.failOn, baseline !== undefined))
    check = {
      passed: reasons.length === 0,
      reasons,
      minReadiness,
      failOn: settings.failOn,
      ...(settings.baseline !== undefined || options.writeBaseline !== undefined ? { baseline: options.writeBaseline ?? settings.baseline! } : {}),
    }
  }
  const summaryFile = io.env?.GITHUB_STEP_SUMMARY
  if (summaryFile !== undefined && summaryFile !== '' && (options.check === true || stdoutFormat === 'github')) {
    const markdown = renderStepSummary(report, { prefix: repositoryRoot(dir).prefix, ...(baseline !== undefined ? { baseline } : {}), ...(check !== undefined ? { check } : {}) })
    try {
      appendFileSync(summaryFile, markdown)
    } catch (error) {
      io.stderr(`migrate: warning: cannot append the job summary to GITHUB_STEP_SUMMARY ${summaryFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}\n`)
    }
  }
  if (check !== undefined && !check.passed) {
    io.stderr(`migrate: check failed: ${check.reasons.join('; ')}\n`)
    return EXIT.checkFailed
  }
  return EXIT.ok
}

/** `2 findings of severity error`, `3 new findings of severity error or warning (1 error, 2 warnings)` */
function failingPhrase(failing: readonly ReportFinding[], failOn: FailOn, baseline: boolean): string {
  const levels = FAILING[failOn]
  const count = (severity: Severity): number => failing.filter((finding) => finding.severity === severity).length
  const by = levels.length > 1 ? ` (${levels.map((severity) => `${count(severity)} ${severity === 'info' ? 'info' : `${severity}${count(severity) === 1 ? '' : 's'}`}`).join(', ')})` : ''
  const named = levels.length === 1 ? levels[0] : `${levels.slice(0, -1).join(', ')} or ${levels.at(-1)}`
  return `${failing.length} ${baseline ? 'new ' : ''}finding${failing.length === 1 ? '' : 's'} of severity ${named}${baseline ? ' (not in the baseline)' : ''}${by}`
}

/**
 * Checks every file --out will receive (no symlink out of it, no folder where a file goes) and
 * creates --out and the folders of --report / --emit-ir. On any problem, removes the folders it
 * made and returns the error (exit 2): nothing has been written then.
 */
function prepareTargets(out: string | undefined, paths: Iterable<string>, files: (string | undefined)[]): UserError | null {
  const created: string[] = []
  let option = '--out'
  let target = out ?? ''
  try {
    if (out !== undefined) {
      checkWriteTargets(out, paths)
      created.push(...makeFolders(out))
    }
    for (const [name, file] of [['--emit-ir', files[0]], ['--report', files[1]], ['--write-baseline', files[2]]] as const) {
      if (file === undefined) continue
      option = name
      target = file
      created.push(...makeFolders(dirname(file)))
    }
    return null
  } catch (error) {
    removeFolders(created)
    if (error instanceof WriteRefused) return { message: `${option} ${target}: ${error.message}`, exitCode: EXIT.usage }
    const system = error as NodeJS.ErrnoException
    // As main() words every file system refusal (and test/cli expects for a read-only parent).
    if (typeof system.code === 'string') return { message: `cannot access ${system.path ?? target}: ${system.code}`, exitCode: EXIT.usage }
    throw error
  }
}
