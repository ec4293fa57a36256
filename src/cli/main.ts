import { writeFileSync } from 'node:fs'
import { dirname, extname } from 'node:path'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { checkWriteTargets, makeFolders, removeFolders, WriteRefused, writeFiles } from '../emit/write.js'
import type { Stages, UserError } from '../pipeline.js'
import type { MigrationReport } from '../report/index.js'
import { renderJson, renderMarkdown, renderSarif, renderText, TOOL_VERSION } from '../report/index.js'
import { checkFileTarget, checkInputDir, checkOutDir } from './paths.js'
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
Exit codes:
  0  success
  1  --check failed (readiness below --min-readiness, or a finding of severity error),
     or \`verify\` found differences
  2  usage error, missing or unreadable folder, no Flask application found,
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

const FORMATS = ['text', 'markdown', 'json', 'sarif', 'html'] as const
type Format = (typeof FORMATS)[number]

/** Where the CLI's output goes, and the stages it runs (tests replace them). */
export interface CliContext {
  stdout: (text: string) => void
  stderr: (text: string) => void
  stages?: Stages
  /** For `migrate verify`; defaults to src/verify's runVerify. */
  runVerify?: (options: { flaskDir: string; serviceDir: string; scenario?: string; app?: string; env?: Record<string, string> }) => Promise<number>
  env?: NodeJS.ProcessEnv
}

interface MigrateOptions {
  out?: string
  force?: boolean
  dryRun?: boolean
  check?: boolean
  minReadiness: number
  format?: Format
  report?: string
  app?: string
  emitIr?: string
}

/** The `migrate` command line. Returns the exit code; never throws. */
export async function main(argv: string[], context: Partial<CliContext> = {}): Promise<number> {
  const io: CliContext = {
    stdout: context.stdout ?? ((text) => void process.stdout.write(text)),
    stderr: context.stderr ?? ((text) => void process.stderr.write(text)),
    ...(context.stages !== undefined ? { stages: context.stages } : {}),
    ...(context.runVerify !== undefined ? { runVerify: context.runVerify } : {}),
    env: context.env ?? process.env,
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
    .option('--check', 'CI lint: exit 1 when readiness < --min-readiness or any finding is an error')
    .option('--min-readiness <n>', 'readiness threshold for --check, 0-100', parseReadiness, 100)
    .addOption(new Option('--format <format>', 'report format on stdout (or in --report FILE)').choices(FORMATS))
    .option('--report <file>', 'also write the report to FILE (format from --format or the extension: .md, .json, .sarif, .html)')
    .option('--app <app>', 'the Flask app, as FLASK_APP: module:name or "module:factory(args)"', parseApp)
    .option('--emit-ir <file>', 'write the analysed project (IR) as JSON to FILE')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run migrate --help for usage)')
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
      const loaded = await (await stages()).loadProject(dir, options.app !== undefined ? { app: options.app } : {})
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
    .option('--app <app>', 'the Flask app, as FLASK_APP: module:name or "module:factory(args)"', parseApp)
    .option('--env <K=V>', 'environment for both sides (repeatable); {tmp} in V becomes a fresh temporary folder per side', parseEnv, {})
    .addHelpText('after', VERIFY_EXIT_CODES_HELP)
    .action(async (flaskDir: string, options: { out: string; scenario?: string; app?: string; env: Record<string, string> }) => {
      const bad = checkInputDir(flaskDir) ?? checkInputDir(options.out)
      if (bad !== null) return void (exitCode = fail(bad))
      const verify = io.runVerify ?? (await import('../verify/index.js')).runVerify
      exitCode = await verify({
        flaskDir,
        serviceDir: options.out,
        ...(options.scenario !== undefined ? { scenario: options.scenario } : {}),
        ...(options.app !== undefined ? { app: options.app } : {}),
        ...(Object.keys(options.env).length > 0 ? { env: options.env } : {}),
      })
    })

  for (const command of [program, ...program.commands]) {
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
  }
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    throw error
  }
  return exitCode
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

/** `html`: MIGRATION_REPORT.html as the pipeline rendered it (it quotes the project's sources). */
function render(report: MigrationReport, format: Format, html: string): string {
  switch (format) {
    case 'html':
      return html
    case 'markdown':
      return renderMarkdown(report)
    case 'json':
      return renderJson(report)
    case 'sarif':
      return renderSarif(report)
    default:
      return renderText(report)
  }
}

async function migrate(
  dir: string | undefined,
  options: MigrateOptions,
  io: CliContext,
  stages: () => Promise<Stages>,
  fail: (error: UserError) => number,
): Promise<number> {
  if (dir === undefined) return fail({ message: 'missing the Flask project folder: migrate <dir> --out <dir> (see --help)', exitCode: EXIT.usage })
  const writing = options.dryRun !== true && (options.out !== undefined || options.check !== true)
  if (options.dryRun !== true && options.check !== true && options.out === undefined) {
    return fail({ message: '--out <dir> is required (or use --dry-run / --check)', exitCode: EXIT.usage })
  }
  if (options.dryRun === true && options.emitIr !== undefined) {
    return fail({ message: '--emit-ir writes a file; --dry-run writes nothing (use one or the other)', exitCode: EXIT.usage })
  }
  const badInput = checkInputDir(dir)
  if (badInput !== null) return fail(badInput)
  let outNotEmpty = false
  if (options.out !== undefined) {
    const out = checkOutDir(options.out, dir)
    if ('error' in out) return fail(out.error)
    outNotEmpty = out.nonEmpty
    if (writing && out.nonEmpty && options.force !== true) {
      return fail({ message: `--out ${options.out}: folder is not empty (use --force to replace the files of a previous run)`, exitCode: EXIT.usage })
    }
  }
  for (const [option, path] of [['--report', options.report], ['--emit-ir', options.emitIr]] as const) {
    if (path === undefined) continue
    const bad = checkFileTarget(option, path)
    if (bad !== null) return fail(bad)
  }

  const outcome = await (await pipeline()).runPipeline({ input: dir, ...(options.app !== undefined ? { app: options.app } : {}) }, await stages())
  if (!outcome.ok) return fail(outcome.error)
  const { result } = outcome
  const { report } = result

  // Every target is checked, and every folder made, before any file is written.
  const refused = prepareTargets(writing ? options.out : undefined, result.files.keys(), [options.emitIr, options.report])
  if (refused !== null) return fail(refused)
  if (options.emitIr !== undefined) writeFileSync(options.emitIr, `${JSON.stringify(result.ir, null, 2)}\n`)
  if (writing && options.out !== undefined) writeFiles(options.out, result.files)

  const reportFormat = formatFor(options, options.report)
  const html = result.files.get((await pipeline()).REPORT_HTML) ?? ''
  if (options.report !== undefined) writeFileSync(options.report, render(report, reportFormat, html))
  const stdoutFormat = options.report !== undefined ? 'text' : formatFor(options, undefined)
  io.stdout(render(report, stdoutFormat, html))
  if (stdoutFormat === 'text') {
    if (writing && options.out !== undefined) io.stdout(`wrote ${result.files.size} files to ${options.out}\n`)
    else if (options.out !== undefined) {
      io.stdout(`dry run: nothing written; would write ${result.files.size} files to ${options.out}${outNotEmpty && options.force !== true ? ' (not empty: needs --force)' : ''}\n`)
    } else if (options.dryRun === true) io.stdout(`dry run: nothing written; the service would have ${result.files.size} files\n`)
  }

  if (options.check === true) {
    const reasons: string[] = []
    if (report.summary.readiness < options.minReadiness) reasons.push(`readiness ${report.summary.readiness}% < ${options.minReadiness}%`)
    if (report.summary.findings.error > 0) reasons.push(`${report.summary.findings.error} finding${report.summary.findings.error === 1 ? '' : 's'} of severity error`)
    if (reasons.length > 0) {
      io.stderr(`migrate: check failed: ${reasons.join('; ')}\n`)
      return EXIT.checkFailed
    }
  }
  return EXIT.ok
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
    for (const [name, file] of [['--emit-ir', files[0]], ['--report', files[1]]] as const) {
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
