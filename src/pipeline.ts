import { lstatSync, readFileSync, realpathSync } from 'node:fs'
import { isAbsolute, join, relative, sep } from 'node:path'
import { loadProject as analyzeProject, type LoadedProject, type LoadResult } from './analyze/index.js'
import type { EmitResult, StageTimings } from './emit/index.js'
import type { AppIR, ProjectIR } from './ir/types.js'
import type { MigrationReport } from './report/index.js'
import type { TranslatedProject } from './translate/types.js'

export type { LoadedProject, LoadResult, StageTimings }

/** An error a user can meet: one line, and the exit code the CLI documents for it. */
export interface UserError {
  message: string
  exitCode: number
}

export interface TranslateInput {
  modules: LoadedProject['modules']
  app: AppIR
  ir: ProjectIR
  root: string
}

/** The stages, replaceable in tests. */
export interface Stages {
  loadProject: (root: string, options: { app?: string; exclude?: readonly string[] }) => LoadResult | Promise<LoadResult>
  /** null while translate is not available: every view becomes a reported stub. */
  translateProject: ((input: TranslateInput) => TranslatedProject | Promise<TranslatedProject>) | null
  runtimeFiles: () => Promise<ReadonlyMap<string, string>>
}

export const REPORT_MARKDOWN = 'MIGRATION_REPORT.md'
export const REPORT_JSON = 'migration-report.json'
export const REPORT_HTML = 'MIGRATION_REPORT.html'

export interface PipelineResult {
  ir: ProjectIR
  app: AppIR
  emitted: EmitResult
  report: MigrationReport
  /**
   * Everything --out receives: the service and the report files (markdown, JSON, HTML), sorted by
   * path. In an audit (`audit: true`) the paths are all there, but the service's files are not
   * formatted and the report files are empty: nothing is written.
   */
  files: Map<string, string>
  /** MIGRATION_REPORT.html (in `files` too, but for an audit): rendered on the first call. */
  html: () => string
}

export async function defaultStages(): Promise<Stages> {
  return {
    loadProject: (root, options) => analyzeProject(root, { ...(options.app !== undefined ? { app: options.app } : {}), ...(options.exclude !== undefined ? { exclude: options.exclude } : {}) }),
    // translate, emit and report are loaded by the runs that use them (`routes` does not).
    translateProject: async (input) => {
      const [{ translateProject }, { projectFileReader }] = await Promise.all([import('./translate/index.js'), import('./translate/flask/resources.js')])
      return translateProject({ modules: input.modules, app: input.app, readFile: projectFileReader(input.root) })
    },
    runtimeFiles: async () => (await import('./emit/runtime-files.js')).readRuntimeFiles(),
  }
}

/** Selects the app to migrate: the IR's `selectedApp`. */
export function selectedApp(ir: ProjectIR): AppIR | undefined {
  return ir.apps.find((app) => app.id === ir.selectedApp)
}

const EMPTY_TRANSLATION: TranslatedProject = { modules: [], views: {}, hooks: [], errorHandlers: [], findings: [] }

/**
 * scan → parse → analyze → translate → emit → report, in memory. Writes nothing. `timings`, when
 * given, receives the time each stage took (`load (scan + parse + analyze)`, `translate`, `emit`,
 * `report`, and emit's own steps `emit: …`), for `npm run bench`.
 */
export async function runPipeline(
  options: {
    input: string
    app?: string
    timings?: StageTimings
    /** Gitignore-style globs of project files the scan skips (`exclude` of [tool.migrate]). */
    exclude?: readonly string[]
    /** Rule ids whose findings are suppressed (`disable` of [tool.migrate]), and the file that says so. */
    disable?: { rules: readonly string[]; file: string }
    /**
     * The files are counted, not written (--dry-run, --check without --out): emit formats
     * nothing and the report files are not rendered. The report and findings are a full run's.
     */
    audit?: boolean
    /** Called as each stage starts (`translate`, `emit`, `report`): the CLI's progress line. */
    onStage?: (stage: string) => void
  },
  stages: Stages,
): Promise<{ ok: true; result: PipelineResult } | { ok: false; error: UserError }> {
  const { timings } = options
  const [{ emitProject, timed }, { redactText }, { appFilesUsed, appRootOf, readStaticFolders, translatedCode }, { buildReport, loadRuleDocs, renderHtml, renderJson, renderMarkdown }] = await Promise.all([
    import('./emit/index.js'),
    import('./emit/redact.js'),
    import('./emit/static.js'),
    import('./report/index.js'),
  ])
  const loadOptions = { ...(options.app !== undefined ? { app: options.app } : {}), ...(options.exclude !== undefined && options.exclude.length > 0 ? { exclude: options.exclude } : {}) }
  const loaded = await timed(timings, 'load (scan + parse + analyze)', () => stages.loadProject(options.input, loadOptions))
  if (!loaded.ok) return loaded
  const { ir } = loaded.project
  const app = selectedApp(ir)
  if (app === undefined) return { ok: false, error: { message: `${options.input}: no Flask application found`, exitCode: 2 } }
  options.onStage?.('translate')
  const translation =
    stages.translateProject === null
      ? EMPTY_TRANSLATION
      : await timed(timings, 'translate', () => stages.translateProject!({ modules: loaded.project.modules, app, ir, root: loaded.project.root }))
  const sources = new Map(loaded.project.modules.map((module) => [module.file, module.source]))
  const secretValues = [...(loaded.project.secretValues ?? []), ...configSecrets(app)]
  const runtimeFiles = await stages.runtimeFiles()
  options.onStage?.(options.audit === true ? 'emit (counting the files)' : 'emit')
  const emitted = await timed(timings, 'emit', () =>
    emitProject({
      ir,
      app,
      translation,
      runtimeFiles,
      sources,
      secretValues,
      staticFiles: readStaticFolders(loaded.project.root, app, { appRoot: appRootOf(ir, app), ...appFilesUsed(translatedCode(translation)) }),
      ...(timings !== undefined ? { timings } : {}),
      ...(options.audit === true ? { format: false } : {}),
    }),
  )
  options.onStage?.('report')
  const { report, files, html } = await timed(timings, 'report', () => {
    const paths = [...emitted.files.keys(), ...emitted.assets.keys(), REPORT_MARKDOWN, REPORT_JSON, REPORT_HTML]
    const report = buildReport({
      ir,
      app,
      findings: [...ir.findings, ...translation.findings, ...emitted.findings],
      routes: emitted.routes,
      files: paths,
      sourceOf: projectSources(options.input, sources),
      redact: (text) => redactText(text, secretValues),
      ...(options.disable !== undefined ? { disable: options.disable } : {}),
      sharedState: emitted.sharedState,
    })
    // Finding messages quote Python; a secret's value must not reach any report either.
    report.findings = report.findings.map((finding) => ({ ...finding, message: redactText(finding.message, secretValues) }))
    report.suppressed = report.suppressed.map((finding) => ({ ...finding, message: redactText(finding.message, secretValues) }))
    let html: string | undefined
    const renderReportHtml = (): string =>
      (html ??= renderHtml(report, { sources: excerptSources(report, sources, (text) => redactText(text, secretValues)), rules: loadRuleDocs(report.rules.map((rule) => rule.id)) }))
    const audit = options.audit === true
    const files = new Map(emitted.files)
    files.set(REPORT_MARKDOWN, audit ? '' : renderMarkdown(report))
    files.set(REPORT_JSON, audit ? '' : renderJson(report))
    files.set(REPORT_HTML, audit ? '' : renderReportHtml())
    return { report, files, html: renderReportHtml }
  })
  return { ok: true, result: { ir, app, emitted, report, files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), html } }
}

/** Largest file read for a finding's fingerprint or `# migrate: ignore` comments when it is not a parsed module. */
const MAX_SOURCE_BYTES = 2 * 1024 * 1024

/**
 * A project file's text by its relative path: the parsed module's source, else (a file left out
 * of the migration, such as one with a syntax error) read from the project, only when it is a
 * regular file inside it (never through a symlink leading out) and not too large.
 */
export function projectSources(root: string, sources: ReadonlyMap<string, string>): (file: string) => string | undefined {
  const read = new Map<string, string | undefined>()
  let rootReal: string | null = null
  return (file) => {
    const parsed = sources.get(file)
    if (parsed !== undefined) return parsed
    if (read.has(file)) return read.get(file)
    let text: string | undefined
    try {
      rootReal ??= realpathSync(root)
      const path = join(root, file)
      const real = realpathSync(path)
      const inside = relative(rootReal, real)
      const stats = lstatSync(path)
      if (!isAbsolute(file) && stats.isFile() && stats.size <= MAX_SOURCE_BYTES && inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside)) {
        text = readFileSync(real, 'utf8').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
      }
    } catch {
      text = undefined
    }
    read.set(file, text)
    return text
  }
}

/** The project files the HTML report quotes (those with findings), secrets redacted as in every other file. */
function excerptSources(report: MigrationReport, sources: ReadonlyMap<string, string>, redact: (text: string) => string): Map<string, string> {
  const quoted = new Map<string, string>()
  for (const finding of report.findings) {
    const file = finding.location.file
    const text = sources.get(file)
    if (text !== undefined && !quoted.has(file)) quoted.set(file, redact(text))
  }
  return quoted
}

/** Strings of the secret config entries an IR still holds (analyze keeps none; an IR from elsewhere might). */
function configSecrets(app: AppIR): string[] {
  const strings: string[] = []
  const collect = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.length >= 4) strings.push(value)
    } else if (Array.isArray(value)) value.forEach(collect)
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect)
  }
  for (const entry of app.config.flatMap((read) => [read, ...(read.alternatives ?? []).map((alternative) => alternative.entry)])) if (entry.secret) collect(entry.value)
  return strings
}
