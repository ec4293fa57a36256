/**
 * How far is `migrate routes` from the real url_map of real Flask projects?
 *
 *   node --import tsx bench/real-projects/fetch-and-compare.ts [--checkouts DIR] [--only NAME,...]
 *        [--checkout-from MIRRORS] [--json FILE]
 *
 * For each project of projects.json whose checkout is in DIR (default /work/real-projects), runs
 * `node bin/migrate.js routes <checkout>/<workdir> --json --app <app>` and compares its rules with
 * tables/<name>.json (computed by real Flask, see true_url_map.py) on (rule, endpoint, methods
 * without HEAD and OPTIONS). Then runs `--dry-run` and reads its `readiness N%`, to flag a 100%
 * claim while routes are missing. Projects whose checkout is missing are listed as "not fetched".
 *
 * --checkout-from MIRRORS: first lay out missing checkouts with `git archive <commit>` from bare
 * repositories under MIRRORS/<owner>+<name>/repo (what the search tool's `fetch` leaves in /work/.mirror).
 * --json FILE: also write the per-project results as JSON.
 * Always exits 0: this is a measurement, not a test.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))
const REPO = resolve(HERE, '..', '..')
const CLI = join(REPO, 'bin', 'migrate.js')
const IGNORED_METHODS = new Set(['HEAD', 'OPTIONS'])

interface Project {
  name: string
  checkout?: string
  repository: string
  commit: string
  app: string
  workdir?: string
  /** The same app as a plain `module:name` from another folder, for a file-path `app` the tool refuses. */
  moduleSpec?: { workdir: string; app: string }
  covers: string[]
}
interface Dep { dir: string; repository: string; commit: string }
interface Manifest { projects: Project[]; deps: Dep[] }
interface Rule { rule: string; endpoint: string; methods: string[] | null; strictSlashes?: boolean | null }

interface Result {
  name: string
  status: 'compared' | 'not fetched' | 'tool failed'
  toolExit?: number
  toolError?: string
  total: number
  found: number
  missing: Rule[]
  extra: Rule[]
  methodsDiffer: { rule: string; endpoint: string; flask: string[]; tool: string[] }[]
  readiness: number | null
  readinessLine?: string
  false100: boolean
  identical: boolean
  /** When the FLASK_APP spec was refused: the same app measured with `moduleSpec`. */
  viaModule?: Result
}

function parseArgs(argv: string[]) {
  const options = { checkouts: '/work/real-projects', only: null as string[] | null, mirrors: null as string | null, json: null as string | null }
  for (let index = 0; index < argv.length; index++) {
    const value = argv[index + 1]
    switch (argv[index]) {
      case '--checkouts': options.checkouts = value; index++; break
      case '--only': options.only = value.split(','); index++; break
      case '--checkout-from': options.mirrors = value; index++; break
      case '--json': options.json = value; index++; break
      default:
        console.error(`unknown option ${argv[index]}`)
        process.exit(2)
    }
  }
  return options
}

/** `git archive` of the recorded commit from a bare mirror, when the checkout is missing. */
function checkoutFromMirror(mirrors: string, repository: string, commit: string, target: string): string {
  if (existsSync(target)) return 'present'
  let gitDir = join(mirrors, repository.replace('/', '+'), 'repo')
  if (existsSync(join(gitDir, '.git'))) gitDir = join(gitDir, '.git')
  if (!existsSync(gitDir)) return `no mirror at ${gitDir}`
  mkdirSync(target, { recursive: true })
  const archive = spawnSync('sh', ['-c', `git --git-dir="$0" archive "$1" | tar -x -C "$2"`, gitDir, commit, target], { encoding: 'utf8' })
  return archive.status === 0 ? 'checked out' : `git archive failed: ${archive.stderr.trim()}`
}

const methodsOf = (rule: Rule) => (rule.methods ?? []).filter((method) => !IGNORED_METHODS.has(method)).sort()
const keyOf = (rule: Rule) => `${rule.rule}\u0000${rule.endpoint}\u0000${methodsOf(rule).join(',')}`
const pairOf = (rule: Rule) => `${rule.rule}\u0000${rule.endpoint}`

function compare(truth: Rule[], tool: Rule[]) {
  // Multisets: a rule may legitimately appear twice (same text, other endpoint or methods).
  const pending = new Map<string, Rule[]>()
  for (const rule of tool) pending.set(keyOf(rule), [...(pending.get(keyOf(rule)) ?? []), rule])
  const missing: Rule[] = []
  let found = 0
  for (const rule of truth) {
    const same = pending.get(keyOf(rule))
    if (same && same.length > 0) {
      same.shift()
      found++
    } else missing.push(rule)
  }
  const extra = [...pending.values()].flat()
  // Same rule and endpoint on both sides, but other methods: one cause, shown once.
  const methodsDiffer: Result['methodsDiffer'] = []
  for (const rule of missing) {
    const twin = extra.find((candidate) => pairOf(candidate) === pairOf(rule))
    if (twin) methodsDiffer.push({ rule: rule.rule, endpoint: rule.endpoint, flask: methodsOf(rule), tool: methodsOf(twin) })
  }
  return { found, missing, extra, methodsDiffer }
}

function runTool(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 600_000, maxBuffer: 256 * 1024 * 1024 })
}

function measure(project: Project, checkouts: string, fallback = true): Result {
  const base: Result = { name: project.name, status: 'not fetched', total: 0, found: 0, missing: [], extra: [], methodsDiffer: [], readiness: null, false100: false, identical: false }
  const tablePath = join(HERE, 'tables', `${project.name}.json`)
  const truth: Rule[] = JSON.parse(readFileSync(tablePath, 'utf8')).rules
  base.total = truth.length
  base.missing = truth
  const dir = join(checkouts, project.checkout ?? project.name, project.workdir ?? '.')
  if (!existsSync(dir)) return base

  const routes = runTool(['routes', dir, '--json', '--app', project.app])
  const dry = runTool([dir, '--dry-run', '--app', project.app])
  const readinessLine = (dry.stdout ?? '').split('\n').find((line) => /readiness \d+%/.test(line))
  const readiness = readinessLine ? Number(/readiness (\d+)%/.exec(readinessLine)![1]) : null
  if (routes.status !== 0) {
    const error = (routes.stderr || routes.error?.message || '').trim().split('\n')[0]
    const failed: Result = { ...base, status: 'tool failed', toolExit: routes.status ?? -1, toolError: error, readiness, readinessLine: readinessLine?.trim() }
    if (fallback && project.moduleSpec) {
      failed.viaModule = measure({ ...project, app: project.moduleSpec.app, workdir: join(project.workdir ?? '.', project.moduleSpec.workdir) }, checkouts, false)
    }
    return failed
  }
  const tool: Rule[] = JSON.parse(routes.stdout).rules
  const { found, missing, extra, methodsDiffer } = compare(truth, tool)
  return {
    ...base,
    status: 'compared',
    toolExit: 0,
    found,
    missing,
    extra,
    methodsDiffer,
    readiness,
    readinessLine: readinessLine?.trim(),
    false100: readiness === 100 && missing.length > 0,
    identical: missing.length === 0 && extra.length === 0,
  }
}

const show = (rule: Rule) => `${rule.rule}  ${rule.endpoint}  [${methodsOf(rule).join(', ')}]`

function report(result: Result, project: Project) {
  console.log(`\n== ${project.name}  (${project.repository}@${project.commit.slice(0, 10)}, --app ${project.app}${project.workdir && project.workdir !== '.' ? `, in ${project.workdir}` : ''})`)
  if (result.status === 'not fetched') {
    console.log(`   not fetched: no checkout ${project.checkout ?? project.name} (see README.md)`)
    return
  }
  if (result.status === 'tool failed') console.log(`   tool failed (exit ${result.toolExit}): ${result.toolError}`)
  console.log(`   found ${result.found}/${result.total}; missing ${result.missing.length}; extra ${result.extra.length}; ` +
    `readiness ${result.readiness === null ? 'n/a' : `${result.readiness}%`}${result.false100 ? '  <-- claims 100% while routes are missing' : ''}`)
  const differ = new Set(result.methodsDiffer.map((item) => `${item.rule}\u0000${item.endpoint}`))
  for (const item of result.methodsDiffer) console.log(`   ~ methods differ: ${item.rule}  ${item.endpoint}  flask [${item.flask.join(', ')}] tool [${item.tool.join(', ')}]`)
  for (const rule of result.missing) if (!differ.has(pairOf(rule))) console.log(`   - missing: ${show(rule)}`)
  for (const rule of result.extra) if (!differ.has(pairOf(rule))) console.log(`   + extra:   ${show(rule)}`)
  if (result.viaModule) {
    const spec = project.moduleSpec!
    report(result.viaModule, { ...project, name: `${project.name} (same app as --app ${spec.app} in ${spec.workdir})`, app: spec.app, workdir: spec.workdir })
  }
}

function table(rows: string[][]) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n')
}

function main() {
  const options = parseArgs(process.argv.slice(2))
  const manifest: Manifest = JSON.parse(readFileSync(join(HERE, 'projects.json'), 'utf8'))
  const projects = manifest.projects.filter((project) => !options.only || options.only.includes(project.name))
  if (options.mirrors) {
    for (const dep of manifest.deps) console.log(`${dep.dir}: ${checkoutFromMirror(options.mirrors, dep.repository, dep.commit, join(options.checkouts, dep.dir))}`)
    for (const project of projects) {
      const name = project.checkout ?? project.name
      console.log(`${name}: ${checkoutFromMirror(options.mirrors, project.repository, project.commit, join(options.checkouts, name))}`)
    }
  }
  const results = projects.map((project) => {
    const result = measure(project, options.checkouts)
    report(result, project)
    return result
  })
  const rows = [['project', 'status', 'found/total', 'missing', 'extra', 'methods differ', 'readiness', 'identical', 'as module:name']]
  for (const result of results) {
    const via = result.viaModule
    rows.push([
      result.name,
      result.status === 'tool failed' ? `tool exit ${result.toolExit}` : result.status,
      result.status === 'not fetched' ? '-' : `${result.found}/${result.total}`,
      result.status === 'not fetched' ? '-' : String(result.missing.length),
      result.status === 'not fetched' ? '-' : String(result.extra.length),
      result.status === 'not fetched' ? '-' : String(result.methodsDiffer.length),
      result.readiness === null ? '-' : `${result.readiness}%${result.false100 ? ' (false 100%)' : ''}`,
      result.status === 'not fetched' ? '-' : result.identical ? 'yes' : 'no',
      via ? (via.status === 'compared' ? `${via.found}/${via.total}${via.identical ? ' identical' : ''}, readiness ${via.readiness ?? '-'}%${via.false100 ? ' (false 100%)' : ''}` : `tool exit ${via.toolExit}`) : '',
    ])
  }
  const measured = results.filter((result) => result.status !== 'not fetched')
  const found = measured.reduce((sum, result) => sum + result.found, 0)
  const total = measured.reduce((sum, result) => sum + result.total, 0)
  console.log(`\n${table(rows)}`)
  console.log(`\n${measured.length} of ${results.length} projects measured; ${found}/${total} rules found; ` +
    `${measured.filter((result) => result.identical).length} identical; ` +
    `${measured.filter((result) => result.false100).length} claim readiness 100% with routes missing; ` +
    `not fetched: ${results.filter((result) => result.status === 'not fetched').map((result) => result.name).join(', ') || 'none'}`)
  if (options.json) writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`)
}

main()
