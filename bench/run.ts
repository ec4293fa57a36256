/**
 * `npm run bench [-- --modules N --routes M]`: times each pipeline stage on a generated Flask
 * project (N blueprint modules × M routes each, plus helpers) and prints lines/second. Parsing
 * is the floor; the other stages should add little to it. Not a test: numbers vary by machine.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { loadProject } from '../src/analyze/index.js'
import { parseFiles } from '../src/parse/index.js'
import { scanProject } from '../src/scan/index.js'
import type { StageTimings } from '../src/pipeline.js'

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? Number(process.argv[index + 1]) : fallback
}

const moduleCount = option('modules', 200)
const routesPerModule = option('routes', 25)

function generateProject(root: string): number {
  let lines = 0
  const write = (path: string, text: string): void => {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
    lines += text.split('\n').length
  }
  const imports: string[] = []
  const registrations: string[] = []
  for (let m = 0; m < moduleCount; m++) {
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

function time<T>(label: string, lines: number, run: () => T): T {
  const start = performance.now()
  const result = run()
  const ms = performance.now() - start
  console.log(`${label.padEnd(28)} ${ms.toFixed(0).padStart(7)} ms  ${((lines / ms) * 1000).toFixed(0).padStart(9)} lines/s`)
  return result
}

const root = mkdtempSync(join(tmpdir(), 'migrate-bench-'))
try {
  const lines = generateProject(root)
  console.log(`generated project: ${moduleCount} modules, ${moduleCount * routesPerModule} routes, ${lines} lines`)
  const scanned = time('scan', lines, () => scanProject(root))
  time('parse (tree-sitter, floor)', lines, () => parseFiles(scanned.files))
  const loaded = time('scan + parse + analyze', lines, () => loadProject(root))
  if (!loaded.ok) throw new Error(loaded.error.message)
  console.log(`routes found: ${loaded.project.ir.apps[0]!.routes.length}`)
  const pipeline = await import('../src/pipeline.js')
  const stages = await pipeline.defaultStages()
  const timings: StageTimings = {}
  const start = performance.now()
  const cpuStart = process.cpuUsage()
  const result = await pipeline.runPipeline({ input: root, timings }, stages)
  const ms = performance.now() - start
  const cpu = process.cpuUsage(cpuStart)
  if (!result.ok) throw new Error(result.error.message)
  console.log(`${'whole pipeline (in memory)'.padEnd(28)} ${ms.toFixed(0).padStart(7)} ms  ${((lines / ms) * 1000).toFixed(0).padStart(9)} lines/s  (cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms)`)
  // Its stages, wall clock and CPU time (the process's, all threads: steadier when other jobs share the machine).
  // Emit's own steps are part of emit, listed under it; the rest of emit is building the files.
  const zero = { wall: 0, cpu: 0 }
  const emit = timings.emit ?? zero
  const emitSteps = Object.keys(timings).filter((name) => name.startsWith('emit: '))
  const emitRest = { wall: emit.wall, cpu: emit.cpu }
  for (const name of emitSteps) {
    emitRest.wall -= timings[name]!.wall
    emitRest.cpu -= timings[name]!.cpu
  }
  const rows: [string, { wall: number; cpu: number }][] = [
    ...Object.entries(timings).filter(([name]) => !name.startsWith('emit') && name !== 'report'),
    ['emit', emit],
    ...emitSteps.map((name): [string, { wall: number; cpu: number }] => [`  ${name}`, timings[name]!]),
    ['  emit: rest (build files)', emitRest],
    ['report', timings.report ?? zero],
  ]
  console.log(`  ${'stage'.padEnd(30)} ${'wall'.padStart(7)}     ${'cpu'.padStart(7)}`)
  for (const [name, t] of rows) {
    console.log(`  ${name.padEnd(30)} ${t.wall.toFixed(0).padStart(7)} ms  ${t.cpu.toFixed(0).padStart(7)} ms  ${((t.wall / ms) * 100).toFixed(0).padStart(3)}%`)
  }
  console.log(`readiness: ${result.result.report.summary.readiness}%  files emitted: ${result.result.files.size}`)
} finally {
  rmSync(root, { recursive: true, force: true })
}
