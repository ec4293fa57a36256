/**
 * `npm run bench [-- --lines N --app-lines M --routes R --no-build]`: the speed of migrate itself
 * (issue 15), against the floor of a plain single-threaded tree-sitter parse of the same files.
 * Prints, in one run:
 *
 *  1. an estate of about N lines (default 1,000,000) made of copies of the real Flask apps of
 *     bench/real-projects (their checkouts in /work/real-projects, or MIGRATE_BENCH_APPS): `migrate <estate> --dry-run --all-apps` wall
 *     time and peak RSS against the raw parse (goal: ≤ 1.25× and ≤ 1 GB), then a rerun with
 *     `--cache` (goal: ≤ 10% of the cold run);
 *  2. a generated app of about M lines (default 20,000): a full `--out` run against its raw parse
 *     (goal: ≤ 3×), and its stages, wall clock and CPU (the in-memory pipeline).
 *  3. the migrated journal's API reads against the same queries written by hand with Kysely and
 *     better-sqlite3 (goal: ≥ 0.9×; bench/db-reads.ts, alone: `npm run bench:db`).
 *
 * migrate runs as its users run it, a process of the compiled build (dist/, rebuilt first). Not a
 * test: numbers vary by machine and by what else runs on it; run it twice and compare.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import type Parser from 'tree-sitter'
import type { StageTimings } from '../src/pipeline.js'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? Number(process.argv[index + 1]) : fallback
}

const estateLines = option('lines', 1_000_000)
const appLines = option('app-lines', 20_000)
const routesPerModule = option('routes', 25)

/** Python files under `dir` (as the scan walks them: no hidden, cache or virtualenv folders). */
function pythonFiles(dir: string): string[] {
  const files: string[] = []
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(current, entry.name)
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && !['node_modules', '__pycache__', 'venv', 'env', 'site-packages', 'build', 'dist'].includes(entry.name)) walk(path)
      } else if (entry.isFile() && entry.name.endsWith('.py')) files.push(path)
    }
  }
  walk(dir)
  return files
}

function countLines(files: string[]): number {
  let lines = 0
  for (const file of files) lines += readFileSync(file, 'utf8').split('\n').length
  return lines
}

/** The floor: read and parse every file with tree-sitter, one after the other, in this thread. */
function rawParse(files: string[]): number {
  const require = createRequire(import.meta.url)
  const TreeSitter = require('tree-sitter') as typeof Parser
  const parser = new TreeSitter()
  parser.setLanguage(require('tree-sitter-python') as Parser.Language)
  const start = performance.now()
  let nodes = 0
  for (const file of files) nodes += parser.parse(readFileSync(file, 'utf8')).rootNode.descendantCount
  const ms = performance.now() - start
  if (nodes === 0) throw new Error('nothing parsed')
  return ms
}

/** `migrate …args` as a process of the build: its wall time, peak RSS (all its threads) and exit code. */
function migrate(args: string[]): { ms: number; maxRssMiB: number; status: number | null; stdout: string } {
  const start = performance.now()
  const run = spawnSync(process.execPath, [wrapper, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 })
  const ms = performance.now() - start
  const rss = /maxrss (\d+)/.exec(run.stderr)
  if (rss === null || run.status === 3) throw new Error(`migrate ${args.join(' ')} failed: ${run.stderr}`)
  return { ms, maxRssMiB: Number(rss[1]) / 1024, status: run.status, stdout: run.stdout }
}

/** Copies of the real apps, each in a folder of its own, until the estate has about `target` lines. */
function buildEstate(root: string, target: number): { lines: number; apps: number } {
  // The checkouts of bench/real-projects/projects.json (bench/real-projects/README.md), or MIGRATE_BENCH_APPS.
  const source = [process.env.MIGRATE_BENCH_APPS, '/work/real-projects'].find((dir) => dir !== undefined && existsSync(dir))
  if (source === undefined) throw new Error('no real Flask apps to copy: set MIGRATE_BENCH_APPS to a folder of Flask projects')
  const projects = readdirSync(source)
    .filter((name) => !name.startsWith('_') && !name.startsWith('.') && statSync(join(source, name)).isDirectory())
    .sort()
    .map((name) => ({ name, lines: countLines(pythonFiles(join(source, name))) }))
    .filter((project) => project.lines > 0)
  if (projects.length === 0) throw new Error(`no Python files in the projects of ${source}`)
  let lines = 0
  let apps = 0
  for (let copy = 0; lines < target; copy++) {
    for (const project of projects) {
      if (lines >= target) break
      cpSync(join(source, project.name), join(root, `copy${String(copy).padStart(3, '0')}`, project.name), {
        recursive: true,
        filter: (path) => !/\/(\.git|node_modules|__pycache__)(\/|$)/.test(path),
      })
      lines += project.lines
      apps++
    }
  }
  return { lines, apps }
}

/** A generated app: blueprint modules of `routesPerModule` routes each, with helpers, until about `target` lines. */
function generateApp(root: string, target: number): number {
  let lines = 0
  const write = (path: string, text: string): void => {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
    lines += text.split('\n').length
  }
  const imports: string[] = []
  const registrations: string[] = []
  for (let m = 0; lines < target; m++) {
    const body = [`from flask import Blueprint, jsonify, request, abort`, ``, `bp${m} = Blueprint("bp${m}", __name__)`, `DATA = {i: {"id": i, "name": f"n{i}"} for i in range(10)}`, ``]
    for (let r = 0; r < routesPerModule; r++) {
      body.push(
        `@bp${m}.route("/items${r}/<int:item_id>", methods=["GET", "PUT"])`,
        `def view_${r}(item_id):`,
        `    item = DATA.get(item_id)`,
        `    if item is None:`,
        `        abort(404)`,
        `    limit = request.args.get("limit", ${10 + m * routesPerModule + r}, type=int)`, // every handler differs, as in a real app
        `    names = [v["name"] for v in DATA.values() if v["id"] < limit]`,
        `    return jsonify(item=item, names=names[:limit], total=len(names))`,
        ``,
      )
    }
    write(`bigapp/blueprints/mod${m}.py`, body.join('\n'))
    imports.push(`    from .blueprints.mod${m} import bp${m}`)
    registrations.push(`    app.register_blueprint(bp${m}, url_prefix="/m${m}")`)
  }
  write('bigapp/blueprints/__init__.py', '')
  write('bigapp/__init__.py', ['from flask import Flask', '', 'def create_app():', '    app = Flask(__name__)', ...imports, ...registrations, '    return app', ''].join('\n'))
  write('wsgi.py', 'from bigapp import create_app\n\napp = create_app()\n')
  return lines
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1).padStart(6)} s`
const verdict = (ok: boolean): string => (ok ? 'holds' : 'DOES NOT HOLD')

const work = mkdtempSync(join(tmpdir(), 'migrate-bench-'))
/**
 * bin/migrate.js on dist/, and the process's peak RSS (all its threads) on stderr at the end, in
 * KiB: Linux's VmHWM, which starts anew at exec (getrusage's maxRSS would start from this
 * process's size, the fork's), else maxRSS.
 */
const wrapper = join(work, 'migrate.mjs')
writeFileSync(
  wrapper,
  [
    `import { readFileSync } from 'node:fs'`,
    `const { main } = await import(${JSON.stringify(join(repo, 'dist/cli/main.js'))})`,
    `process.exitCode = await main(process.argv.slice(2))`,
    `let peak = process.resourceUsage().maxRSS`,
    `try { peak = Number(/^VmHWM:\\s*(\\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]) } catch {}`,
    `process.stderr.write('\\nmaxrss ' + peak + '\\n')`,
    '',
  ].join('\n'),
)
try {
  const build = performance.now()
  if (!process.argv.includes('--no-build')) execFileSync(process.execPath, [join(repo, 'scripts/build.mjs')], { stdio: 'inherit' })
  console.log(`build (dist/): ${seconds(performance.now() - build)}; ${availableParallelism()} processors; load average ${(await import('node:os')).loadavg().map((load) => load.toFixed(1)).join(' ')}`)

  // 1. The estate.
  const estate = join(work, 'estate')
  const { lines, apps } = buildEstate(estate, estateLines)
  const estateFiles = pythonFiles(estate)
  console.log(`\nestate: ${apps} app copies, ${estateFiles.length} Python files, ${lines.toLocaleString('en')} lines`)
  const parseMs = rawParse(estateFiles)
  console.log(`  raw tree-sitter parse, one thread       ${seconds(parseMs)}  ${Math.round((lines / parseMs) * 1000).toLocaleString('en')} lines/s`)
  const cache = join(work, 'cache')
  const cold = migrate([estate, '--dry-run', '--all-apps', '--quiet'])
  console.log(`  --dry-run --all-apps                    ${seconds(cold.ms)}  ${(cold.ms / parseMs).toFixed(2)}× the parse (goal ≤ 1.25×: ${verdict(cold.ms <= 1.25 * parseMs)}), peak RSS ${cold.maxRssMiB.toFixed(0)} MiB (goal ≤ 1024: ${verdict(cold.maxRssMiB <= 1024)}), exit ${cold.status}`)
  const filled = migrate([estate, '--dry-run', '--all-apps', '--quiet', '--cache', '--cache-location', cache])
  const cached = migrate([estate, '--dry-run', '--all-apps', '--quiet', '--cache', '--cache-location', cache])
  console.log(`  the same with --cache, cold (filling)   ${seconds(filled.ms)}`)
  console.log(`  the same with --cache, unchanged tree   ${seconds(cached.ms)}  ${((cached.ms / filled.ms) * 100).toFixed(1)}% of the cold run (goal ≤ 10%: ${verdict(cached.ms <= 0.1 * filled.ms)})`)
  const same = cached.stdout === cold.stdout && filled.stdout === cold.stdout
  console.log(`  reports of the three runs identical: ${same ? 'yes' : 'NO'}`)
  rmSync(estate, { recursive: true, force: true })

  // 2. One large app.
  const app = join(work, 'app')
  const generated = generateApp(app, appLines)
  const appFiles = pythonFiles(app)
  console.log(`\ngenerated app: ${appFiles.length} Python files, ${generated.toLocaleString('en')} lines`)
  const appParseMs = rawParse(appFiles)
  console.log(`  raw tree-sitter parse, one thread       ${seconds(appParseMs)}`)
  const full = migrate([app, '--out', join(work, 'out'), '--force'])
  console.log(`  full --out                              ${seconds(full.ms)}  ${(full.ms / appParseMs).toFixed(2)}× the parse (goal ≤ 3×: ${verdict(full.ms <= 3 * appParseMs)}), peak RSS ${full.maxRssMiB.toFixed(0)} MiB, exit ${full.status}`)
  const dry = migrate([app, '--dry-run'])
  console.log(`  --dry-run                               ${seconds(dry.ms)}  ${(dry.ms / appParseMs).toFixed(2)}× the parse, peak RSS ${dry.maxRssMiB.toFixed(0)} MiB`)

  // Its stages, in this process (the sources through tsx), wall clock and CPU (the process's, all threads).
  const pipeline = await import('../src/pipeline.js').catch((error: unknown) => {
    console.log(`  (no stage times: the sources do not load: ${String(error).split('\n')[0]})`)
    return null
  })
  const stages = pipeline === null ? null : await pipeline.defaultStages()
  for (const audit of stages === null ? [] : [false, true]) {
    const timings: StageTimings = {}
    const start = performance.now()
    const result = await pipeline!.runPipeline({ input: app, timings, audit }, stages!)
    const ms = performance.now() - start
    if (!result.ok) throw new Error(result.error.message)
    console.log(`  stages of the in-memory pipeline, ${audit ? '--dry-run (audit)' : 'full run'}: ${seconds(ms)}`)
    for (const [name, t] of Object.entries(timings)) console.log(`    ${name.padEnd(30)} ${t.wall.toFixed(0).padStart(7)} ms wall ${t.cpu.toFixed(0).padStart(7)} ms cpu`)
  }

  // 3. The journal's API reads, migrated against by hand (issue 17), in a process of their own.
  console.log('')
  execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(repo, 'bench', 'db-reads.ts')], { stdio: 'inherit', cwd: repo })
} finally {
  rmSync(work, { recursive: true, force: true })
}
