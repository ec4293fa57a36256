/**
 * Differential harness: each case is Python source defining `f()`. Real Python (/usr/bin/python3)
 * runs it; the translator turns it into TypeScript, which runs under tsx with the runtime. Results
 * are compared as Python's `json.dumps` text (or exception class + message).
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parsePython } from '../../src/parse/index.js'
import { translateSymbols } from '../../src/translate/index.js'
import type { Finding } from '../../src/ir/types.js'

export interface Case {
  name: string
  source: string
}

export interface Outcome {
  python: string
  typescript: string
  findings: Finding[]
  code: string
}

const ROOT = resolve(import.meta.dirname, '../..')
/** The runtime files translated code imports (the rest need Hono). */
const RUNTIME_FILES = ['py.ts', 'exceptions.ts', 'float.ts', 'json.ts', 'datetime.ts', 'hashing.ts', 'urls.ts', 'collections.ts', 'functional.ts', 'logging.ts', 'asyncio.ts', 'textwrap.ts', 'random.ts', 'decimal.ts', 'enums.ts', 'dataclasses.ts', 'copy.ts']
/** With `flask: true`, Flask's objects too (flask.ts imports only types from Hono, so it runs without it). */
const FLASK_RUNTIME_FILES = [...RUNTIME_FILES, 'flask.ts', 'multipart.ts', 'errors.ts', 'router.ts', 'session.ts', 'security.ts']

export interface SuiteOptions {
  /** The cases use Flask objects that need no request (Response, exceptions): flask.ts is copied beside py.ts. */
  flask?: boolean
  /** The cases use sqlite3: sqlite.ts is copied too, and better-sqlite3 comes from this repository's node_modules. */
  sqlite?: boolean
  /** Further runtime files the cases' translation imports (an extension's: `marshmallow.ts`). */
  runtime?: string[]
}

function runtimeDir(prefix: string, options: SuiteOptions): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  mkdirSync(join(dir, 'src/lib'), { recursive: true })
  for (const f of [...(options.flask ? FLASK_RUNTIME_FILES : RUNTIME_FILES), ...(options.sqlite ? ['sqlite.ts'] : []), ...(options.runtime ?? [])]) cpSync(join(ROOT, 'src/emit/runtime', f), join(dir, 'src/lib', f))
  // Hono's types, for flask.ts's type imports; better-sqlite3 for sqlite.ts.
  if (options.flask || options.sqlite) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  return dir
}

function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n')
  const width = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length))
  return lines.map((l) => l.slice(width)).join('\n')
}

const PY_RUNNER = `
import asyncio, inspect, json, sys
cases = json.load(sys.stdin)
out = []
for src in cases:
    ns = {}
    try:
        exec(src, ns)
        r = ns['f']()
        if inspect.iscoroutine(r):
            r = asyncio.run(r)
        out.append(json.dumps(r))
    except Exception as e:
        out.append(json.dumps({'error': type(e).__name__, 'message': str(e)}))
print(json.dumps(out))
`

export function runPython(sources: string[]): string[] {
  const stdout = execFileSync('/usr/bin/python3', ['-c', PY_RUNNER], { input: JSON.stringify(sources), encoding: 'utf8', stdio: 'pipe' })
  return JSON.parse(stdout) as string[]
}

/** Results compared as `json.dumps` text: `3.0` and `3` differ, as Python prints them. */
export function sameData(python: string, typescript: string): boolean {
  return python === typescript
}

/**
 * One import line per specifier: translateSymbols joins the import lines of each symbol, so two
 * symbols importing different names from one file give two lines (emit merges them the same way).
 */
function mergeImports(code: string): string {
  const named = new Map<string, Set<string>>()
  const rest: string[] = []
  for (const line of code.split('\n')) {
    const match = /^import \{ ([^}]*) \} from '([^']+)'$/.exec(line)
    if (!match) {
      rest.push(line)
      continue
    }
    if (!named.has(match[2])) named.set(match[2], new Set())
    for (const name of match[1].split(',')) named.get(match[2])!.add(name.trim())
  }
  return [...[...named].map(([from, names]) => `import { ${[...names].sort().join(', ')} } from '${from}'`), ...rest].join('\n')
}

/** Translates and runs every case; Python results alongside. */
export function runCases(cases: Case[], options: SuiteOptions = {}): Map<string, Outcome> {
  const sources = cases.map((c) => dedent(c.source))
  const python = runPython(sources)
  const dir = runtimeDir('translate-', options)
  const outcomes = new Map<string, Outcome>()
  const runnable: number[] = []
  sources.forEach((source, i) => {
    const module = `case${i}`
    const { modules, findings } = translateSymbols({ modules: [{ name: module, file: `${module}.py`, source, tree: parsePython(source) }] }, [{ module, name: 'f' }])
    const code = mergeImports(modules.find((m) => m.pythonModule === module)?.code ?? '')
    outcomes.set(cases[i].name, { python: python[i], typescript: '', findings, code })
    if (findings.length === 0) {
      writeFileSync(join(dir, 'src', `${module}.ts`), code)
      runnable.push(i)
    }
  })
  const runner = [
    `import * as py from './lib/py.js'`,
    ...runnable.map((i) => `import { f as f${i} } from './case${i}.js'`),
    'const out: Record<string, string> = {}',
    ...runnable.map(
      (i) =>
        `try { out[${i}] = py.jsonDumpsPy(await f${i}()) } catch (e: any) { out[${i}] = py.jsonDumpsPy(py.dict(['error', e instanceof py.BaseExceptionClass ? e.constructor.name : 'JS:' + e?.constructor?.name], ['message', py.str(e)])) }`,
    ),
    'console.log(JSON.stringify(out))',
  ].join('\n')
  writeFileSync(join(dir, 'src/run.ts'), runner)
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
  const stdout = execFileSync(join(ROOT, 'node_modules/.bin/tsx'), [join(dir, 'src/run.ts')], { encoding: 'utf8', cwd: dir, stdio: 'pipe' })
  const results = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, string>
  for (const i of runnable) outcomes.get(cases[i].name)!.typescript = results[i]
  return outcomes
}

/** Type-checks the emitted modules of cases under strict (returns diagnostics text, empty when clean). */
export function typecheckCases(cases: Case[], options: SuiteOptions = {}): string {
  const dir = runtimeDir('translate-tc-', options)
  cases.forEach((c, i) => {
    const source = dedent(c.source)
    const module = `case${i}`
    const { modules } = translateSymbols({ modules: [{ name: module, file: `${module}.py`, source, tree: parsePython(source) }] }, [{ module, name: 'f' }])
    for (const m of modules) writeFileSync(join(dir, 'src', `${m.pythonModule}.ts`), mergeImports(m.code))
  })
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] }, include: ['src'] }),
  )
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' })
    return ''
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error)
  }
}

/** A describe block: every case must translate without findings, run like Python, and type-check. */
export async function differentialSuite(cases: Case[], options: SuiteOptions = {}): Promise<void> {
  const { describe, expect, it } = await import('vitest')
  describe.each([0])('', () => {
    const outcomes = runCases(cases, options)
    for (const c of cases) {
      it(c.name, () => {
        const o = outcomes.get(c.name)!
        expect(o.findings, o.code).toEqual([])
        expect(sameData(o.python, o.typescript), `${o.code}\npython: ${o.python}\nts: ${o.typescript}`).toBe(true)
      })
    }
    it('emitted code type-checks under strict', () => {
      expect(typecheckCases(cases, options)).toBe('')
    })
  })
}
