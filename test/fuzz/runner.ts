/**
 * Runs fuzz cases in this process, one after the other, through the CLI's `main(argv, context)`,
 * and reports each over IPC: `{ type: 'start', index }` before it, `{ type: 'result', … }` after.
 * Started by harness.ts, which kills this process when a case does not finish in time (a hang
 * blocks the event loop, so only another process can notice it) and starts a new one after it.
 *
 *   node --import tsx test/fuzz/runner.ts <seed> <from> <to> [--big] [--keep DIR]
 */
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { main } from '../../src/cli/main.js'
import { checkService, type ServiceProblem } from './check.js'
import { generateCase, OUTSIDE_FILES, type FuzzCase, type Workspace } from './generate.js'

export interface CaseResult {
  index: number
  kind: FuzzCase['kind']
  description: string
  argv: string[]
  exitCode: number | null
  ms: number
  /** Crashes, hangs, stack traces, exit codes, files touched that must not be. */
  problems: string[]
  /** What the emitted service's files show. */
  service: ServiceProblem[]
  /** A valid Flask app the tool refused (exit 2): its reason. */
  notMigrated?: string
  /** Where the service was kept for type-checking, if it was. */
  kept?: string
  stderr: string
}

/** `start` names the case's temporary folder, which the harness removes when it has to kill the runner. */
export type RunnerMessage = { type: 'start'; index: number; root?: string } | { type: 'result'; result: CaseResult }

function materialize(fuzzCase: FuzzCase): Workspace {
  const root = mkdtempSync(join(tmpdir(), `migrate-fuzz-${fuzzCase.index}-`))
  const ws: Workspace = { root, project: join(root, 'project'), out: join(root, 'out'), outside: join(root, 'outside') }
  mkdirSync(ws.project)
  mkdirSync(ws.outside)
  for (const [name, content] of Object.entries(OUTSIDE_FILES)) writeFileSync(join(ws.outside, name), content)
  const resolveTarget = (target: string): string => target.replace('{outside}', ws.outside).replace('{root}', ws.root)
  for (const [path, content] of fuzzCase.files) {
    if (path.startsWith('\u0000')) {
      // A file name that is not UTF-8.
      writeFileSync(Buffer.concat([Buffer.from(`${ws.project}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.py')]), content)
      continue
    }
    const target = join(ws.project, path)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, content)
  }
  for (const folder of fuzzCase.folders) mkdirSync(join(ws.project, folder), { recursive: true })
  for (const [path, target] of fuzzCase.links) {
    const link = join(ws.project, path)
    mkdirSync(dirname(link), { recursive: true })
    if (!existsSync(link)) symlinkSync(resolveTarget(target), link)
  }
  if (fuzzCase.outFiles.size > 0 || fuzzCase.outLinks.size > 0) mkdirSync(ws.out)
  for (const [path, content] of fuzzCase.outFiles) {
    const target = join(ws.out, path)
    mkdirSync(dirname(target), { recursive: true })
    if (path === '.migrate-manifest.json' && content === 'CRAFTED') continue
    writeFileSync(target, content)
  }
  if (fuzzCase.outFiles.get('.migrate-manifest.json') === 'CRAFTED') {
    // A manifest naming the user's files with their true hashes, and files outside --out.
    const files: Record<string, string> = {}
    for (const [path, content] of fuzzCase.outFiles) if (path !== '.migrate-manifest.json') files[path] = sha256(path === 'NOTES.md' ? `edited ${content}` : content)
    for (const [name, content] of Object.entries(OUTSIDE_FILES)) files[`../outside/${name}`] = sha256(content)
    writeFileSync(join(ws.out, '.migrate-manifest.json'), JSON.stringify({ tool: 'migrate', version: 1, files }))
  }
  for (const [path, target] of fuzzCase.outLinks) {
    const link = join(ws.out, path)
    mkdirSync(dirname(link), { recursive: true })
    symlinkSync(resolveTarget(target), link)
  }
  return ws
}

function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex')
}

/** Every file under `dir` (not following symlinks) with a hash of its content; links by their target. */
function tree(dir: string): Map<string, string> {
  const result = new Map<string, string>()
  if (!existsSync(dir)) return result
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name)
      const stats = lstatSync(path)
      const key = relative(dir, path)
      if (stats.isSymbolicLink()) result.set(key, 'link')
      else if (stats.isDirectory()) walk(path)
      else result.set(key, sha256(readFileSync(path)))
    }
  }
  walk(dir)
  return result
}

async function runCase(seed: number, index: number, big: boolean, keepDir: string | undefined, announce: (root: string) => Promise<void>): Promise<CaseResult> {
  const fuzzCase = generateCase(seed, index, { big })
  const ws = materialize(fuzzCase)
  await announce(ws.root)
  const argv = fuzzCase.argv(ws)
  const outsideBefore = tree(ws.outside)
  const outBefore = tree(ws.out)
  let stdout = ''
  let stderr = ''
  const started = performance.now()
  let exitCode: number | null = null
  const problems: string[] = []
  try {
    exitCode = await main(argv, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), env: {} })
  } catch (error) {
    problems.push(`main() threw (it must never throw): ${(error as Error)?.stack ?? String(error)}`)
  }
  const ms = performance.now() - started
  if (exitCode !== null && ![0, 1, 2].includes(exitCode)) problems.push(`exit code ${exitCode}`)
  if (/\n\s+at .+:\d+/.test(stderr) || /internal error/.test(stderr)) problems.push(`stderr: ${stderr.slice(0, 400)}`)
  if (fuzzCase.expectRefusal && exitCode !== 2) problems.push(`expected a refusal (exit 2), got exit ${exitCode}`)
  const notMigrated = fuzzCase.expectSuccess === true && exitCode !== 0 ? `a valid Flask app was not migrated: exit ${exitCode}: ${stderr.trim().slice(0, 300)}` : undefined

  const outsideAfter = tree(ws.outside)
  if (JSON.stringify([...outsideAfter]) !== JSON.stringify([...outsideBefore])) problems.push('a file outside the project and --out was changed')
  const outAfter = tree(ws.out)
  // What this run wrote (its manifest) may replace what was there: that is --force.
  const generated = new Set<string>(['.migrate-manifest.json', ...(fuzzCase.expectRemoved ?? [])])
  for (const path of fuzzCase.expectRemoved ?? []) if (exitCode === 0 && outAfter.has(path)) problems.push(`${path}, written by an earlier run and unchanged, was not removed`)
  if (outAfter.get('.migrate-manifest.json') !== outBefore.get('.migrate-manifest.json')) {
    try {
      const manifest = JSON.parse(readFileSync(join(ws.out, '.migrate-manifest.json'), 'utf8')) as { files: Record<string, string> }
      for (const path of Object.keys(manifest.files)) generated.add(path)
    } catch {
      problems.push('the manifest this run wrote is not JSON')
    }
  }
  for (const [path, hash] of outBefore) {
    if (outAfter.get(path) !== hash && !generated.has(path)) problems.push(`the user's file ${path} in --out was ${outAfter.has(path) ? 'changed' : 'removed'}`)
  }
  if (fuzzCase.expectRefusal || exitCode === 2) {
    const written = [...outAfter.keys()].filter((path) => !outBefore.has(path))
    if (written.length > 0) problems.push(`refused (exit ${exitCode}) but wrote ${written.length} files: ${written.slice(0, 5).join(', ')}`)
  }
  for (const rule of fuzzCase.forbiddenRules ?? []) {
    const reports = [stdout, ...['migration-report.json', 'MIGRATION_REPORT.md'].map((name) => (existsSync(join(ws.out, name)) ? readFileSync(join(ws.out, name), 'utf8') : ''))]
    if (reports.some((text) => text.includes(rule))) problems.push(`read a file outside the project: route ${rule} is in the report`)
  }

  let service: ServiceProblem[] = []
  let kept: string | undefined
  const wroteService = (exitCode === 0 || exitCode === 1) && existsSync(join(ws.out, 'migration-report.json')) && !outBefore.has('migration-report.json')
  if (wroteService || (exitCode !== 2 && outAfter.get('migration-report.json') !== outBefore.get('migration-report.json'))) {
    const files = new Map<string, string>()
    for (const path of outAfter.keys()) {
      if (outBefore.has(path) && outBefore.get(path) === outAfter.get(path)) continue
      const full = join(ws.out, path)
      if (lstatSync(full).isFile()) files.set(path.split('\\').join('/'), readFileSync(full, 'utf8'))
    }
    service = checkService(files)
    if (keepDir !== undefined && fuzzCase.typecheck && exitCode === 0 && service.length === 0 && problems.length === 0) {
      kept = join(keepDir, `case-${index}`)
      cpSync(ws.out, kept, { recursive: true })
    }
  }
  rmSync(ws.root, { recursive: true, force: true })
  return { index, kind: fuzzCase.kind, description: fuzzCase.description, argv: argv.map((arg) => arg.replace(ws.root, '<ws>')), exitCode, ms, problems, service, ...(notMigrated !== undefined ? { notMigrated } : {}), ...(kept !== undefined ? { kept } : {}), stderr: stderr.slice(0, 400) }
}

async function run(): Promise<void> {
  const [seedText, fromText, toText, ...rest] = process.argv.slice(2)
  const seed = Number(seedText)
  const from = Number(fromText)
  const to = Number(toText)
  const big = rest.includes('--big')
  const keepAt = rest.indexOf('--keep')
  const keepDir = keepAt >= 0 ? rest[keepAt + 1] : undefined
  const send = (message: RunnerMessage): Promise<void> => new Promise((resolve) => (process.send ? process.send(message, undefined, undefined, () => resolve()) : (console.log(JSON.stringify(message)), resolve())))
  for (let index = from; index < to; index++) {
    const result = await runCase(seed, index, big, keepDir, (root) => send({ type: 'start', index, root }))
    await send({ type: 'result', result })
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  run().then(
    () => process.exit(0),
    (error) => {
      console.error(error)
      process.exit(70)
    },
  )
}
