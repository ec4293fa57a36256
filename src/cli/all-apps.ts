import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { join, posix } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { UserError } from '../pipeline.js'
import type { MigrationReport } from '../report/model.js'
import { scanProject } from '../scan/index.js'
import { auditKey, readCached, writeCached } from './audit-cache.js'
import { loadProjectConfig } from './config.js'

/**
 * `migrate <dir> --dry-run --all-apps`: every Flask project under a folder audited in one run
 * (a legacy estate), one report with a section per app and totals. Apps are audited in worker
 * threads, one app per worker at a time; the report lists them in path order whatever the
 * scheduling, so it is the same bytes as a run with one job.
 */

/** One app's audit: its report and how many files its service would have, or why it could not be audited. */
export type AppAudit = { root: string; ok: true; report: MigrationReport; files: number; cached?: boolean } | { root: string; ok: false; error: UserError }

/** What a worker is asked: one app folder (relative to `dir`), audited as `migrate <dir>/<root> --dry-run` would. */
export interface AuditTask {
  dir: string
  root: string
  /** With --cache: where the audit is stored, and its key (auditKey). */
  cache?: { dir: string; key: string }
}

/** Python source that makes a Flask app (`Flask(__name__)`, or a subclass: `class App(Flask)`): where a project's root is looked for. */
const MAKES_APP = /\bFlask\s*\(|\(\s*Flask\s*\)/

/** Files that mark a project's folder (its dependencies, its packaging, its repository). */
const PROJECT_MARKERS = ['pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', 'Pipfile', '.migrate.toml', '.git']

/**
 * The project folders under `dir` with a Flask app. For each Python file that makes one: the
 * nearest folder above it (below `dir`) with a project marker (requirements.txt, pyproject.toml,
 * setup.py, .git, …), else the folder holding its top-level package (its own folder outside
 * packages; its top folder under `dir` when that is a package). A folder inside another such
 * folder is left to it; `dir` itself (`''`) is an app
 * only when it is the only one. Sorted.
 */
export function findAppRoots(dir: string): { roots: string[]; pythonFiles: Map<string, number>; pythonBytes: Map<string, number> } {
  const scan = scanProject(dir)
  const marked = new Map<string, boolean>()
  const isMarked = (folder: string): boolean => {
    let known = marked.get(folder)
    if (known === undefined) {
      known = PROJECT_MARKERS.some((name) => existsSync(join(dir, folder, name)))
      marked.set(folder, known)
    }
    return known
  }
  const roots = new Set<string>()
  for (const file of scan.files) {
    if (!MAKES_APP.test(file.source)) continue
    const parts = file.file.split('/')
    const folders = parts.slice(0, -1)
    let root: string | undefined
    for (let length = folders.length; length > 0 && root === undefined; length--) {
      if (isMarked(folders.slice(0, length).join('/'))) root = folders.slice(0, length).join('/')
    }
    // `a/b/pkg/sub/mod.py` is module `pkg.sub.mod`: its project is `a/b`.
    const depth = file.module.split('.').length + (file.isPackage ? 1 : 0)
    const packageRoot = parts.slice(0, Math.max(0, parts.length - depth)).join('/')
    // A project folder that is itself a package (has an __init__.py): the folder, not the estate.
    roots.add(root ?? (packageRoot === '' && folders.length > 0 ? folders[0]! : packageRoot))
  }
  const sorted = [...roots].sort()
  const nested = sorted.length > 1 ? sorted.filter((root) => root !== '') : sorted
  const kept = nested.filter((root) => !nested.some((other) => other !== root && (other === '' || root.startsWith(`${other}/`))))
  // Python files by app, for the progress line.
  const pythonFiles = new Map<string, number>(kept.map((root) => [root, 0]))
  const pythonBytes = new Map<string, number>(kept.map((root) => [root, 0]))
  for (const file of scan.files) {
    const root = kept.find((candidate) => candidate === '' || file.file.startsWith(`${candidate}/`))
    if (root === undefined) continue
    pythonFiles.set(root, pythonFiles.get(root)! + 1)
    pythonBytes.set(root, pythonBytes.get(root)! + file.source.length)
  }
  return { roots: kept, pythonFiles, pythonBytes }
}

/** The app folder of a task, and the pipeline's options from its configuration ([tool.migrate]). */
function appOptions(task: AuditTask): { input: string; options: { app?: string; exclude?: string[]; disable?: { rules: string[]; file: string } } } | { input: string; error: UserError } {
  const input = task.root === '' ? task.dir : join(task.dir, task.root)
  const configured = loadProjectConfig(input)
  if (!configured.ok) return { input, error: configured.error }
  const config = configured.config
  return {
    input,
    options: {
      ...(config?.app !== undefined ? { app: config.app } : {}),
      ...(config !== null && config.exclude.length > 0 ? { exclude: config.exclude } : {}),
      ...(config !== null && config.disable.length > 0 ? { disable: { rules: config.disable, file: config.file } } : {}),
    },
  }
}

/** With --cache: the task's key, and its audit when the cache has it (looked up before any worker starts). */
function fromCache(task: AuditTask, cacheDir: string): { task: AuditTask; cached?: AppAudit } {
  const app = appOptions(task)
  if ('error' in app) return { task }
  const key = auditKey(app.input, app.options)
  const cached = readCached<{ report: MigrationReport; files: number }>(cacheDir, key)
  const keyed = { ...task, cache: { dir: cacheDir, key } }
  return cached !== undefined ? { task: keyed, cached: { root: task.root, ok: true, report: cached.report, files: cached.files, cached: true } } : { task: keyed }
}

/** Audits one app in this thread (a worker's job, or the whole run's with --jobs 1), storing it in the cache when the task says where. */
export async function auditApp(task: AuditTask): Promise<AppAudit> {
  const { root } = task
  const app = appOptions(task)
  if ('error' in app) return { root, ok: false, error: app.error }
  const pipeline = await import('../pipeline.js')
  const outcome = await pipeline.runPipeline({ input: app.input, ...app.options, audit: true }, await pipeline.defaultStages())
  if (!outcome.ok) return { root, ok: false, error: outcome.error }
  const result = { report: outcome.result.report, files: outcome.result.files.size + outcome.result.emitted.assets.size }
  if (task.cache !== undefined) writeCached(task.cache.dir, task.cache.key, result)
  return { root, ok: true, ...result }
}

/**
 * Audits `roots` with `jobs` worker threads (in this thread when 1), calling `onDone` as each
 * app finishes. The answers are in the order of `roots`.
 */
export async function auditApps(
  dir: string,
  roots: readonly string[],
  options: {
    jobs: number
    cacheDir?: string
    onDone?: (audit: AppAudit) => void
    /** Bytes of Python code by app (findAppRoots), for the scheduling. */
    sizes?: ReadonlyMap<string, number>
    /** From this size an app is large: one large app at a time (default LARGE_APP_BYTES). */
    largeAppBytes?: number
  },
): Promise<AppAudit[]> {
  const results: AppAudit[] = new Array(roots.length)
  // Tasks left once the cache has answered, with their place in the results.
  const tasks: AuditTask[] = []
  const places: number[] = []
  for (const [index, root] of roots.entries()) {
    const looked = options.cacheDir !== undefined ? fromCache({ dir, root }, options.cacheDir) : { task: { dir, root } }
    if (looked.cached !== undefined) {
      results[index] = looked.cached
      options.onDone?.(looked.cached)
    } else {
      tasks.push(looked.task)
      places.push(index)
    }
  }
  const jobs = Math.max(1, Math.min(options.jobs, tasks.length))
  if (tasks.length === 0) return results
  if (jobs === 1) {
    for (const [index, task] of tasks.entries()) {
      const audit = await auditApp(task)
      results[places[index]!] = audit
      options.onDone?.(audit)
    }
    return results
  }
  // Largest apps first (the run ends sooner), and one large app at a time: an app's trees and
  // translation take memory in proportion to its code, and two large ones at once would double the peak.
  const size = (index: number): number => options.sizes?.get(tasks[index]!.root) ?? 0
  const large = options.largeAppBytes ?? LARGE_APP_BYTES
  const pending = tasks.map((_, index) => index).sort((a, b) => size(b) - size(a) || a - b)
  let largeRunning = false
  const waiting: (() => void)[] = []
  const take = (): number | undefined => {
    const at = pending.findIndex((index) => !largeRunning || size(index) < large)
    if (at < 0) return undefined
    const [index] = pending.splice(at, 1)
    if (size(index!) >= large) largeRunning = true
    return index
  }
  const workers: Worker[] = []
  const runWorker = (): Promise<void> =>
    new Promise((resolve, reject) => {
      let worker: Worker
      let current = -1
      const give = (): void => {
        if (pending.length === 0) {
          current = -1
          void worker.terminate().then(() => resolve())
          return
        }
        const index = take()
        if (index === undefined) {
          // Only large apps are left and one is running: wait for it.
          current = -1
          waiting.push(give)
          return
        }
        current = index
        worker.postMessage(tasks[current])
      }
      const spawn = (): void => {
        worker = startWorker()
        workers.push(worker)
        const own = worker
        own.on('message', (audit: AppAudit) => {
          results[places[current]!] = audit
          options.onDone?.(audit)
          if (size(current) >= large) {
            // A worker's heap keeps the size its largest app gave it: a fresh worker goes on.
            largeRunning = false
            current = -1
            void own.terminate()
            spawn()
          }
          give()
          for (const wake of waiting.splice(0)) wake()
        })
        own.on('error', reject)
        own.on('exit', (code) => {
          if (own === worker && current >= 0 && results[places[current]!] === undefined) reject(new Error(`an audit worker stopped (exit code ${code}) while auditing ${tasks[current]!.root}`))
        })
      }
      spawn()
      give()
    })
  try {
    await Promise.all(Array.from({ length: jobs }, runWorker))
  } catch (error) {
    // One worker failed: the others stop too, so that the process can end.
    await Promise.all(workers.map((worker) => worker.terminate()))
    throw error
  }
  return results
}

/** Python code from which an app counts as large (about 7,000 lines): one such app is audited at a time. */
const LARGE_APP_BYTES = 256 * 1024

/** A worker thread running src/cli/audit-worker: compiled JavaScript, or the TypeScript through tsx in a clone without a build. */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./audit-worker.js', import.meta.url))
  // A worker does not inherit the loader tsx registered in this thread: it registers it first.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href
  const worker = new URL('./audit-worker.ts', import.meta.url).href
  const bootstrap = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(worker)})`
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`))
}

/** The default --jobs: the processors this process may use. */
export function defaultJobs(): number {
  return availableParallelism()
}

/** Totals over the apps audited. */
export function totalsOf(audits: readonly AppAudit[]): {
  apps: number
  failed: number
  routes: number
  migrated: number
  stubbed: number
  views: number
  viewsMigrated: number
  findings: { error: number; warning: number; info: number }
  suppressed: number
  effortHours: number
  readiness: number
} {
  const totals = { apps: audits.length, failed: 0, routes: 0, migrated: 0, stubbed: 0, views: 0, viewsMigrated: 0, findings: { error: 0, warning: 0, info: 0 }, suppressed: 0, effortHours: 0, readiness: 100 }
  let counted = 0
  for (const audit of audits) {
    if (!audit.ok) {
      totals.failed++
      continue
    }
    const summary = audit.report.summary
    totals.routes += summary.routes
    totals.migrated += summary.migrated
    totals.stubbed += summary.stubbed
    totals.views += summary.views
    totals.viewsMigrated += summary.viewsMigrated
    totals.findings.error += summary.findings.error
    totals.findings.warning += summary.findings.warning
    totals.findings.info += summary.findings.info
    totals.suppressed += summary.suppressed
    totals.effortHours += summary.effortHours
    counted += summary.views + summary.unknownRouteSources
  }
  // As each app's readiness: the views migrated over the views and the unknown sources of routes; never 100 with one left.
  totals.readiness = counted === 0 ? 100 : Math.min(Math.floor((totals.viewsMigrated * 100) / counted), totals.viewsMigrated === counted ? 100 : 99)
  return totals
}

/** The text report: a section per app (the report `migrate <app> --dry-run` prints), then the totals. */
export function renderAllAppsText(dir: string, audits: readonly AppAudit[], renderText: (report: MigrationReport) => string): string {
  const parts: string[] = []
  for (const audit of audits) {
    const where = audit.root === '' ? dir : posix.join(dir.split('\\').join('/'), audit.root)
    parts.push(`== ${where}\n`)
    parts.push(audit.ok ? renderText(audit.report) : `migrate: ${audit.error.message}\n`)
    parts.push('\n')
  }
  const totals = totalsOf(audits)
  parts.push(
    `== totals: ${totals.apps} app${totals.apps === 1 ? '' : 's'}${totals.failed > 0 ? ` (${totals.failed} could not be audited)` : ''}, ${totals.routes} routes, ${totals.migrated} migrated, ${totals.stubbed} stubs, ` +
      `readiness ${totals.readiness}% (${totals.viewsMigrated} of ${totals.views} views migrated)\n`,
    `findings: ${totals.findings.error} errors, ${totals.findings.warning} warnings, ${totals.findings.info} info${totals.suppressed > 0 ? `, ${totals.suppressed} suppressed` : ''}; effort about ${totals.effortHours} h\n`,
    'dry run: nothing written\n',
  )
  return parts.join('')
}

/** The JSON report: each app's report (migration-report.json's shape) by folder, and the totals. */
export function renderAllAppsJson(audits: readonly AppAudit[]): string {
  const apps = audits.map((audit) => (audit.ok ? { root: audit.root, files: audit.files, report: audit.report } : { root: audit.root, error: audit.error.message }))
  return `${JSON.stringify({ version: 1, apps, totals: totalsOf(audits) }, null, 2)}\n`
}
