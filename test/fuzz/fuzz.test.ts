import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseFiles } from '../../src/parse/index.js'
import { generateCase } from './generate.js'
import { runFuzz } from './harness.js'
import { categories, formatFailures } from './report.js'
import type { CaseResult } from './runner.js'

/**
 * The fuzz suite on a fixed seed (issue 13): a few hundred hostile projects (see generate.ts)
 * through `main()`, each within a time limit in a process the harness can kill. `npm run fuzz`
 * runs many more (FUZZ_CASES, FUZZ_SEED). A failure prints each case with the command that
 * re-runs it alone.
 */
const SEED = 13
const CASES = Number(process.env.FUZZ_CI_CASES ?? 300)
const CASE_TIMEOUT_MS = 60_000
const TYPECHECKED = 6
const REPO = resolve(__dirname, '../..')

let results: CaseResult[] = []
const keepDir = mkdtempSync(join(tmpdir(), 'migrate-fuzz-kept-'))
afterAll(() => rmSync(keepDir, { recursive: true, force: true }))

beforeAll(async () => {
  results = await runFuzz({ seed: SEED, count: CASES, workers: 2, caseTimeoutMs: CASE_TIMEOUT_MS, keepDir })
}, 30 * 60_000)

/** The failures of one kind, as the lines a reader needs (empty when there are none). */
function failures(selected: CaseResult[], keep: (result: CaseResult) => CaseResult = (result) => result): string {
  return formatFailures(SEED, selected.map(keep))
}

describe(`fuzz: ${CASES} hostile projects, seed ${SEED}`, () => {
  it('ran every case', () => {
    expect(results.map((result) => result.index)).toEqual(Array.from({ length: CASES }, (_, index) => index))
  })

  it('no exit 3, hang, crash or stack trace; nothing outside --out touched, no file of the user removed, a refusal writes nothing', () => {
    const { robustness } = categories(results)
    expect(failures(robustness, (result) => ({ ...result, service: [], notMigrated: undefined }) as CaseResult)).toBe('')
  })

  it('every valid Flask app (the hostile-strings projects, which Python compiles) is migrated', () => {
    const { notMigrated } = categories(results)
    expect(failures(notMigrated, (result) => ({ ...result, problems: [], service: [] }))).toBe('')
  })

  it('every emitted TypeScript and JSON file parses (TypeScript\'s own parser)', () => {
    const { parse } = categories(results)
    expect(failures(parse, (result) => ({ ...result, problems: [], notMigrated: undefined, service: result.service.filter((problem) => problem.kind === 'parse') }) as CaseResult)).toBe('')
  })

  // Escaping of project strings into emitted code (src/emit): a payload must stay inside its string or comment.
  it('no planted marker is code in the emitted TypeScript', () => {
    const selected = results.filter((result) => result.service.some((problem) => problem.kind === 'marker' && problem.file.endsWith('.ts')))
    expect(failures(selected, (result) => ({ ...result, problems: [], notMigrated: undefined, service: result.service.filter((problem) => problem.kind === 'marker' && problem.file.endsWith('.ts')) }) as CaseResult)).toBe('')
  })

  it('no line injected into .env.example or the Dockerfile (one NAME=value per line)', () => {
    const selected = results.filter((result) => result.service.some((problem) => problem.kind === 'marker' && !problem.file.endsWith('.ts')))
    expect(failures(selected, (result) => ({ ...result, problems: [], notMigrated: undefined, service: result.service.filter((problem) => problem.kind === 'marker' && !problem.file.endsWith('.ts')) }) as CaseResult)).toBe('')
  })

  it(`a sample of the emitted services (up to ${TYPECHECKED}) type-checks under strict, in one tsc run`, () => {
    const kept = results.filter((result) => result.kept !== undefined)
    // Hostile strings first (escaping), then mutated fixtures.
    const sample = [...kept.filter((result) => result.kind === 'strings').slice(0, TYPECHECKED - 2), ...kept.filter((result) => result.kind !== 'strings')].slice(0, TYPECHECKED)
    expect(sample.length, 'services to type-check').toBeGreaterThan(0)
    const batch = mkdtempSync(join(keepDir, 'tsc-'))
    const include: string[] = []
    for (const result of sample) {
      const name = `case-${result.index}`
      symlinkSync(result.kept!, join(batch, name), 'dir')
      include.push(`${name}/src`, `${name}/test`)
    }
    symlinkSync(join(REPO, 'node_modules'), join(batch, 'node_modules'), 'dir')
    writeFileSync(
      join(batch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, esModuleInterop: true, skipLibCheck: true, forceConsistentCasingInFileNames: true, types: ['node'] },
        include,
      }),
    )
    const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', batch], { encoding: 'utf8', timeout: 600_000 })
    const byCase = (tsc.stdout + tsc.stderr).split('\n').filter((line) => line.trim() !== '')
    expect(byCase.join('\n'), `tsc over ${sample.map((result) => `case ${result.index} (${result.description.slice(0, 60)})`).join(', ')}`).toBe('')
    expect(tsc.status).toBe(0)
    expect(readdirSync(batch).length).toBe(sample.length + 2)
  }, 600_000)

  // Python is the oracle for what is a syntax error (issue 13 item 5): CPython 3.11's compile().
  it.runIf(existsSync('/usr/bin/python3'))('every mutated file is a python-syntax-error finding exactly when CPython refuses to compile it', () => {
    const sources: Record<string, string> = {}
    for (let index = 0; index < CASES; index++) {
      const fuzzCase = generateCase(SEED, index)
      if (fuzzCase.kind !== 'mutation') continue
      for (const [file, content] of fuzzCase.files) {
        // As the scan reads files: UTF-8 without NUL (others are skipped-file findings), universal newlines.
        if (!file.endsWith('.py') || typeof content !== 'string' || content.includes('\0') || /[\ud800-\udfff]/.test(content)) continue
        sources[`case ${index}: ${file}`] = content.replace(/\r\n?/g, '\n')
      }
    }
    const python = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', 'import json,sys\nout={}\nfor k,v in json.load(sys.stdin).items():\n    try:\n        compile(v,"m.py","exec"); out[k]=None\n    except (SyntaxError, RecursionError, MemoryError) as e:\n        out[k]=type(e).__name__+": "+str(getattr(e,"msg",e))\nprint(json.dumps(out))'], {
        input: JSON.stringify(sources),
        encoding: 'utf8',
        stdio: 'pipe',
        maxBuffer: 1 << 28,
      }),
    ) as Record<string, string | null>
    const disagreements: string[] = []
    for (const [key, source] of Object.entries(sources)) {
      const { findings } = parseFiles([{ file: 'm.py', module: 'm', isPackage: false, source }])
      const ours = findings.find((finding) => finding.ruleId === 'python-syntax-error')
      if ((ours !== undefined) !== (python[key] !== null)) disagreements.push(`${key}: CPython ${python[key] ?? 'compiles it'}; migrate ${ours?.message ?? 'parses it'}`)
    }
    expect(Object.keys(sources).length).toBeGreaterThan(50)
    expect(disagreements).toEqual([])
  }, 300_000)
})
