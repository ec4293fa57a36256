/**
 * Mutation testing of `migrate verify` (issue 18 item 6): how many small semantic changes injected
 * into a migrated service does verify catch, with the app's scenario alone and with the scenario
 * plus the requests `--explore` generates?
 *
 *   node --import tsx bench/verify-mutation.ts [app ...] [--limit N] [--sample N] [--json FILE] [--legacy]
 *
 * --sample N runs every k-th mutant (k = ceil(runnable / N)), a deterministic sample over all files;
 * --limit N the first N; --part i/n only the i-th of n interleaved parts of those (i from 1), so that
 * n processes share one sample (their JSON files are summed by hand); --skip N leaves out the first
 * N of those (a second process taking over the end of a part).
 *
 * With --legacy each verify runs as `migrate verify --legacy`: the service's stubs are forwarded to
 * the Flask app, so the unmutated service answers every line as Flask does and a mutant in a native
 * view is not hidden on a line that already differs (a stub's 501, or state the stubs did not write).
 *
 * Each acceptance app (fixtures/acceptance/<app>) is migrated and transpiled once. Mutants are made
 * in the service's own code (src/routes/ and the translated project modules; never src/lib/, the
 * runtime), one change each, by operators that keep the code type-correct: arithmetic and
 * comparison operators swapped (py.add/py.sub, py.lt/py.le, ===/!==, &&/||), a number literal
 * plus one, a negation dropped, true/false swapped, a string method call dropped
 * (`.lower()`, `.strip()`), an isinstance type list narrowed (int-or-float to int). A mutant's file
 * is transpiled alone into dist/ (TypeScript's transpileModule), verify runs (no rebuild, no shrinking), and the mutant
 * is caught when the set of differing lines is not the unmutated service's. Survivors are listed.
 *
 * Equivalent mutants (no request can tell them from the original) are excluded from the score by
 * stated rules (`equivalentBecause`), each a property of the code checked mechanically, never a
 * list of mutants:
 * - unread: the mutant changes the value of a property of src/db-schema.ts (the schema db.ts reads
 *   by property access) that nothing in the service or its runtime reads (no `.key`, no `'key'`
 *   string, no destructuring of it anywhere in src/, src/lib/ included): the columns' `nullable`
 *   flags (the tables are created from SQLAlchemy's own DDL, written in the schema).
 * - primary key: src/lib/db.ts reads a column's `primaryKey` only as
 *   `table.columns.find((c) => c.primaryKey)` when it maps a model to its table; a flag of a table
 *   mapped to no model (an association table) or of a column after the table's first primary-key
 *   column changes nothing.
 * - many-to-many cascade: db.ts reads a relationship's `cascadeDelete` only for one-to-many ones
 *   (expandDeletes skips relationships with a `secondary` table; deleteRow deletes their
 *   association rows before reading it): the flag of a relationship with `secondary` changes nothing.
 * - dynamic orphans: db.ts reads a relationship's `deleteOrphan` only for a collection held in
 *   memory (state.related: expandDeletes, syncCollections); a lazy='dynamic' relationship's value is
 *   a query, never held (assigning to it raises): its flag changes nothing.
 * - create_all: the app calls `db.create_all()` at start-up itself (src/app.ts): the schema's
 *   `createAll` (the same call when the database is first used) changes nothing.
 * - positional binding of a view: `py.withKeywords(name, names, required, …)` with `required` raised
 *   past `names.length` from `names.length`, and `varargs` of a view decorator's wrapper: both only
 *   change what happens to positional arguments, and the router calls views (and their wrappers)
 *   with the rule's values as keywords only.
 *
 * Usage for the survivors of an earlier run: `--judge FILE.json ...` migrates each app again and
 * prints each survivor with its rule (or "not equivalent") and the score without the equivalent ones.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { runVerify } from '../src/verify/index.js'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const acceptanceDir = join(repoRoot, 'fixtures', 'acceptance')
const expected = JSON.parse(readFileSync(join(repoRoot, 'test', 'verify', 'acceptance-expected.json'), 'utf8')) as Record<string, { env: Record<string, string> }>

interface Mutant {
  file: string
  /** The endpoint whose handler holds the line (route files), if any. */
  endpoint?: string
  line: number
  operator: string
  before: string
  after: string
}

/** [name, pattern, replacement]: each match of the pattern on a line is one mutant. */
const OPERATORS: [string, RegExp, (match: RegExpExecArray) => string][] = [
  ['py.add→py.sub', /\bpy\.add\(/g, () => 'py.sub('],
  ['py.sub→py.add', /\bpy\.sub\(/g, () => 'py.add('],
  ['py.mul→py.add', /\bpy\.mul\(/g, () => 'py.add('],
  ['py.lt→py.le', /\bpy\.lt\(/g, () => 'py.le('],
  ['py.le→py.lt', /\bpy\.le\(/g, () => 'py.lt('],
  ['py.gt→py.ge', /\bpy\.gt\(/g, () => 'py.ge('],
  ['py.ge→py.gt', /\bpy\.ge\(/g, () => 'py.gt('],
  ['<→<=', / < /g, () => ' <= '],
  ['>→>=', / > /g, () => ' >= '],
  ['<=→<', / <= /g, () => ' < '],
  ['>=→>', / >= /g, () => ' > '],
  ['===→!==', / === /g, () => ' !== '],
  ['!==→===', / !== /g, () => ' === '],
  ['==→!=', / == /g, () => ' != '],
  ['&&→||', / && /g, () => ' || '],
  ['||→&&', / \|\| /g, () => ' && '],
  ['number+1', /(?<![\w.'"$])(\d+)(?![\w.'"])/g, (match) => String(Number(match[1]) + 1)],
  ['drop !', /!(?=py\.|\(|[A-Za-z_])/g, () => ''],
  ['true→false', /\btrue\b/g, () => 'false'],
  ['false→true', /\bfalse\b/g, () => 'true'],
  ['py.contains→!py.contains', /(?<!!)\bpy\.contains\(/g, () => '!py.contains('],
  ["drop .lower()/.strip()/.upper()", /py\.callMethod\(((?:[^()]|\([^()]*\))*), '(?:lower|upper|strip|title|capitalize)'\)/g, (match) => `(${match[1]})`],
  ['narrow isinstance', /(py\.isinstance\((?:[^()]|\([^()]*\))*?, )\['(\w+)', '(\w+)'\]/g, (match) => `${match[1]}['${match[2]}']`],
]

function serviceFiles(serviceDir: string): string[] {
  const out: string[] = []
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) {
        if (name !== 'lib') walk(path)
      } else if (name.endsWith('.ts') && !['main.ts', 'url-map.ts', 'config.ts', 'app.ts'].includes(relative(join(serviceDir, 'src'), path))) out.push(path)
    }
  }
  walk(join(serviceDir, 'src'))
  return out.sort()
}

/** Every .ts file under the service's src/ (runtime included), read once per service. */
const sourcesOf = new Map<string, string[]>()
function serviceSources(serviceDir: string): string[] {
  let texts = sourcesOf.get(serviceDir)
  if (texts === undefined) {
    texts = allTypeScript(join(serviceDir, 'src')).map((file) => readFileSync(file, 'utf8'))
    sourcesOf.set(serviceDir, texts)
  }
  return texts
}

/** The stated rule that makes a mutant equivalent (see the module comment), or null. */
export function equivalentBecause(mutant: Pick<Mutant, 'file' | 'line' | 'before' | 'after'>, serviceDir: string): string | null {
  const file = resolve(serviceDir, mutant.file)
  const property = /^(\w+): (.*?),?$/.exec(mutant.before)
  // unread: a property of the schema nothing reads.
  if (property !== null && file.endsWith(join('src', 'db-schema.ts'))) {
    const key = property[1]!
    const read = new RegExp(`\\.${key}\\b|['"\`]${key}['"\`]|\\{[^}]*\\b${key}\\b[^}]*\\}\\s*=`)
    if (!serviceSources(serviceDir).some((text) => read.test(text))) return `unread: no code of the service or its runtime reads .${key}`
  }
  const lines = readFileSync(file, 'utf8').split('\n')
  // primary key: only the first primaryKey column of a table mapped to a model is read.
  if (file.endsWith(join('src', 'db-schema.ts')) && property?.[1] === 'primaryKey') {
    let start = mutant.line - 1
    while (start > 0 && !/^    \{$/.test(lines[start]!)) start -= 1
    const model = lines.slice(start, mutant.line).map((text) => /^      model: (null|'[^']*'),$/.exec(text)).find((match) => match !== null)
    if (model?.[1] === 'null') return 'primary key: the table is mapped to no model (db.ts reads primaryKey only in register())'
    const earlier = lines.slice(start, mutant.line - 1).some((text) => /^          primaryKey: true,$/.test(text))
    if (earlier) return "primary key: an earlier column of the table is its primary key (db.ts takes the first: columns.find((c) => c.primaryKey))"
  }
  // many-to-many cascade: never read for a relationship with a secondary table.
  if (file.endsWith(join('src', 'db-schema.ts')) && property?.[1] === 'cascadeDelete') {
    let start = mutant.line - 1
    while (start > 0 && !/^    \{$/.test(lines[start]!)) start -= 1
    const secondary = lines.slice(start, mutant.line).map((text) => /^      secondary: (null|'[^']*'),$/.exec(text)).find((match) => match !== null)
    if (secondary !== undefined && secondary[1] !== 'null') return 'many-to-many cascade: db.ts never reads cascadeDelete of a relationship with a secondary table'
  }
  // dynamic orphans: never read for a lazy='dynamic' relationship.
  if (file.endsWith(join('src', 'db-schema.ts')) && property?.[1] === 'deleteOrphan') {
    let start = mutant.line - 1
    while (start > 0 && !/^    \{$/.test(lines[start]!)) start -= 1
    if (lines.slice(start, mutant.line).some((text) => /^      lazy: 'dynamic',$/.test(text)))
      return "dynamic orphans: db.ts never reads deleteOrphan of a lazy='dynamic' relationship (its collection is a query, never held)"
  }
  // create_all: the app creates the tables at start-up itself.
  if (file.endsWith(join('src', 'db-schema.ts')) && property?.[1] === 'createAll') {
    const app = readFileSync(join(serviceDir, 'src', 'app.ts'), 'utf8')
    if (/callMethod\(db, 'create_all'\)|\bdb\.create_all\(\)/.test(app)) return 'create_all: src/app.ts calls db.create_all() at start-up'
  }
  // positional binding of a view.
  const arity = /py\.withKeywords\('[^']*', \[([^\]]*)\], (\d+),/
  const before = arity.exec(mutant.before)
  const after = arity.exec(mutant.after)
  if (before !== null && after !== null) {
    const names = before[1]!.trim() === '' ? 0 : before[1]!.split(',').length
    if (Number(before[2]) === names && Number(after[2]) > names) return 'positional binding: required raised past the parameters of a view the router calls with keywords only'
  }
  if (property?.[1] === 'varargs' && lines.slice(Math.max(0, mutant.line - 8), mutant.line).some((text) => /py\.wraps\(/.test(text)))
    return "positional binding: varargs of a view decorator's wrapper, called with keywords only"
  return null
}

/** Lines that are code (not imports, comments or route registrations). */
function mutableLine(text: string): boolean {
  const trimmed = text.trim()
  return !(trimmed.startsWith('import ') || trimmed.startsWith('//') || trimmed.startsWith('*') || trimmed.startsWith('/*') || /^routes\.\w+\(/.test(trimmed) || trimmed.startsWith('export {'))
}

function mutantsOf(serviceDir: string): Mutant[] {
  const mutants: Mutant[] = []
  for (const file of serviceFiles(serviceDir)) {
    const lines = readFileSync(file, 'utf8').split('\n')
    let endpoint: string | undefined
    lines.forEach((text, index) => {
      const handler = /^\/\/ \S+:\d+ endpoint (\S+)$/.exec(text.trim())
      if (handler) endpoint = handler[1]
      if (/^export function create\w*Routes\(/.test(text)) endpoint = undefined
      if (!mutableLine(text)) return
      // Not inside string literals: a mutation of a message is caught trivially and says nothing.
      const code = text.replace(/'(?:[^'\\]|\\.)*'/g, (literal) => ' '.repeat(literal.length))
      for (const [operator, pattern, replace] of OPERATORS) {
        const target = operator.startsWith('drop .lower') || operator === 'narrow isinstance' ? text : code
        pattern.lastIndex = 0
        for (let match = pattern.exec(target); match !== null; match = pattern.exec(target)) {
          const after = text.slice(0, match.index) + replace(match) + text.slice(match.index + match[0].length)
          if (after !== text) mutants.push({ file, line: index + 1, operator, before: text.trim(), after: after.trim(), ...(endpoint !== undefined ? { endpoint } : {}) })
          if (match[0].length === 0) pattern.lastIndex += 1
        }
      }
    })
  }
  return mutants
}

/** The service's files its app imports, directly or not (from src/main.ts): the others are code no request can run. */
function reachableFiles(serviceDir: string): Set<string> {
  const reached = new Set<string>()
  const pending = [join(serviceDir, 'src', 'main.ts')]
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (reached.has(file) || !existsSync(file)) continue
    reached.add(file)
    for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) pending.push(resolve(dirname(file), `${match[1]}.ts`))
  }
  return reached
}

/** app.ts's `endpoints` constant: what the service serves natively and what answers 501. */
function endpointLists(serviceDir: string): { native: string[]; stubs: string[] } {
  const text = readFileSync(join(serviceDir, 'src', 'app.ts'), 'utf8')
  const list = (name: string): string[] => {
    const match = new RegExp(`${name}: \\[([^\\]]*)\\]`).exec(text)
    return match === null ? [] : [...match[1]!.matchAll(/'([^']+)'/g)].map((item) => item[1]!)
  }
  return { native: list('native'), stubs: list('stubs') }
}

function allTypeScript(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? allTypeScript(path) : name.endsWith('.ts') ? [path] : []
  })
}

function transpileInto(serviceDir: string, file: string, source: string): void {
  const output = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }, fileName: file })
  const target = join(serviceDir, 'dist', relative(join(serviceDir, 'src'), file).replace(/\.ts$/, '.js'))
  mkdirSync(dirname(target), { recursive: true })
  writeFileSync(target, output.outputText)
}

/** The differing lines verify prints (its verdict), in order. */
/** --legacy: the service runs with LEGACY_URL (verify --legacy), its stubs forwarded to Flask, so the unmutated service differs on no line and a mutant's difference is not hidden among the stubs' 501s. */
let legacy = false

async function verdict(appDir: string, serviceDir: string, scenario: string, env: Record<string, string>, explore: boolean): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = []
  const code = await runVerify({ flaskDir: appDir, serviceDir, scenario, env, explore, legacy, build: false, shrink: false, output: (line) => lines.push(line), error: (line) => lines.push(line) })
  return { code, lines: lines.filter((line) => line.startsWith('#') || line.startsWith('migrate:')) }
}

interface AppResult {
  mutants: number
  caughtByScenario: number
  caughtWithExplore: number
  survivors: Mutant[]
}

/** Each survivor with its equivalence rule; the score without the equivalent mutants. */
function judge(app: string, result: AppResult, serviceDir: string): { equivalent: number; line: string } {
  let equivalent = 0
  for (const survivor of result.survivors) {
    const because = equivalentBecause(survivor, serviceDir)
    if (because !== null) equivalent += 1
    console.log(`  ${because === null ? 'not equivalent' : 'equivalent    '} ${survivor.file}:${survivor.line} ${survivor.operator}: ${survivor.after.slice(0, 90)}${because === null ? '' : `\n      ${because}`}`)
  }
  const counted = result.mutants - equivalent
  const score = counted === 0 ? 100 : (100 * result.caughtWithExplore) / counted
  return { equivalent, line: `${app}: ${result.caughtWithExplore} of ${counted} behaviour-changing mutants caught (${score.toFixed(1)}%; ${result.mutants} run, ${equivalent} equivalent by the stated rules; scenario alone ${result.caughtByScenario})` }
}

/** `--judge FILE.json ...`: the survivors of earlier runs (their apps migrated again), summed per app. */
function judgeFiles(files: string[]): void {
  const byApp = new Map<string, AppResult>()
  for (const file of files) {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { apps: Record<string, AppResult> }
    for (const [app, result] of Object.entries(data.apps)) {
      const sum = byApp.get(app) ?? { mutants: 0, caughtByScenario: 0, caughtWithExplore: 0, survivors: [] }
      sum.mutants += result.mutants
      sum.caughtByScenario += result.caughtByScenario
      sum.caughtWithExplore += result.caughtWithExplore
      sum.survivors.push(...result.survivors)
      byApp.set(app, sum)
    }
  }
  const out = mkdtempSync(join(tmpdir(), 'verify-mutation-judge-'))
  try {
    for (const [app, result] of byApp) {
      const serviceDir = join(out, app)
      const migrated = spawnSync(process.execPath, ['bin/migrate.js', join(acceptanceDir, app), '--out', serviceDir], { cwd: repoRoot, encoding: 'utf8' })
      if (migrated.status !== 0) throw new Error(`migrate ${app}: ${migrated.stderr}`)
      console.log(`${app}: ${result.survivors.length} survivors`)
      console.log(judge(app, result, serviceDir).line)
    }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const judgeIndex = argv.indexOf('--judge')
  if (judgeIndex >= 0) {
    judgeFiles(argv.slice(judgeIndex + 1).filter((arg) => !arg.startsWith('--')))
    return
  }
  const limitIndex = argv.indexOf('--limit')
  const limit = limitIndex >= 0 ? Number(argv[limitIndex + 1]) : Infinity
  const sampleIndex = argv.indexOf('--sample')
  const sample = sampleIndex >= 0 ? Number(argv[sampleIndex + 1]) : Infinity
  const partIndex = argv.indexOf('--part')
  const [partNumber, partCount] = partIndex >= 0 ? (argv[partIndex + 1] ?? '1/1').split('/').map(Number) as [number, number] : [1, 1]
  const skipIndex = argv.indexOf('--skip')
  const skip = skipIndex >= 0 ? Number(argv[skipIndex + 1]) : 0
  const jsonIndex = argv.indexOf('--json')
  const jsonFile = jsonIndex >= 0 ? argv[jsonIndex + 1] : undefined
  legacy = argv.includes('--legacy')
  const named = argv.filter((arg, index) => !arg.startsWith('--') && !['--limit', '--sample', '--json', '--part', '--skip'].includes(argv[index - 1] ?? ''))
  const apps = named.length > 0 ? named : readdirSync(acceptanceDir).filter((name) => existsSync(join(acceptanceDir, name, 'scenario.jsonl'))).sort()
  const out = mkdtempSync(join(tmpdir(), 'verify-mutation-'))
  const results: Record<string, unknown> = {}
  let total = 0
  let caughtByScenario = 0
  let caughtWithExplore = 0
  try {
    for (const app of apps) {
      const appDir = join(acceptanceDir, app)
      const serviceDir = join(out, app)
      const migrated = spawnSync(process.execPath, ['bin/migrate.js', appDir, '--out', serviceDir], { cwd: repoRoot, encoding: 'utf8' })
      if (migrated.status !== 0) throw new Error(`migrate ${app}: ${migrated.stderr}`)
      symlinkSync(join(repoRoot, 'node_modules'), join(serviceDir, 'node_modules'), 'dir')
      // Transpiled file by file, as each mutant is: no type-check (the runtime under edit elsewhere may not type-check).
      for (const file of allTypeScript(join(serviceDir, 'src'))) transpileInto(serviceDir, file, readFileSync(file, 'utf8'))
      const scenario = join(appDir, 'scenario.jsonl')
      const env = expected[app]?.env ?? {}
      const baseScenario = await verdict(appDir, serviceDir, scenario, env, false)
      const baseExplore = await verdict(appDir, serviceDir, scenario, env, true)
      // A mutant no request can run cannot change what the service answers: counted apart, not
      // run. That is one in a file the app never imports (a module only stubbed views used), in
      // the handler of a stubbed endpoint (it answers 501 before its handler), or anywhere in a
      // service with no native endpoint.
      const reachable = reachableFiles(serviceDir)
      const { native, stubs } = endpointLists(serviceDir)
      const all = mutantsOf(serviceDir)
      const runnable = (mutant: Mutant): boolean =>
        native.some((endpoint) => endpoint !== 'static') && reachable.has(mutant.file) && (mutant.endpoint === undefined || !stubs.includes(mutant.endpoint))
      const unreachable = all.filter((mutant) => !runnable(mutant))
      // --sample N: every k-th runnable mutant (k = ceil(count / N)), spread over all files and operators alike.
      const runnableMutants = all.filter(runnable)
      const stride = Number.isFinite(sample) && sample > 0 ? Math.max(1, Math.ceil(runnableMutants.length / sample)) : 1
      const mutants = runnableMutants
        .filter((_, index) => index % stride === 0)
        .slice(0, limit)
        .filter((_, index) => index % partCount === partNumber - 1)
        .slice(skip)
      if (stride > 1) console.log(`${app}: ${mutants.length} of ${runnableMutants.length} runnable mutants sampled (every ${stride}th)`)
      if (unreachable.length > 0) {
        const why = !native.some((endpoint) => endpoint !== 'static') ? 'the service serves none of the views natively' : 'in files no route imports or in stubbed handlers'
        console.log(`${app}: ${unreachable.length} mutants no request can run (${why}): not counted`)
      }
      console.log(`${app}: ${mutants.length} mutants; unmutated service: ${baseScenario.lines.length} differing lines with the scenario, ${baseExplore.lines.length} with --explore`)
      const survivors: Mutant[] = []
      const onlyExplore: Mutant[] = []
      let appScenario = 0
      let appExplore = 0
      for (const mutant of mutants) {
        const original = readFileSync(mutant.file, 'utf8')
        const lines = original.split('\n')
        lines[mutant.line - 1] = lines[mutant.line - 1]!.replace(mutant.before, mutant.after)
        transpileInto(serviceDir, mutant.file, lines.join('\n'))
        try {
          const withScenario = await verdict(appDir, serviceDir, scenario, env, false)
          const scenarioCaught = JSON.stringify(withScenario.lines) !== JSON.stringify(baseScenario.lines)
          const withExplore = scenarioCaught ? null : await verdict(appDir, serviceDir, scenario, env, true)
          const exploreCaught = scenarioCaught || JSON.stringify(withExplore!.lines) !== JSON.stringify(baseExplore.lines)
          if (scenarioCaught) appScenario += 1
          if (exploreCaught) appExplore += 1
          if (!exploreCaught) survivors.push(mutant)
          else if (!scenarioCaught) onlyExplore.push(mutant)
          const where = `${relative(serviceDir, mutant.file)}:${mutant.line}`
          console.log(`  ${exploreCaught ? (scenarioCaught ? 'caught  ' : 'explore ') : 'SURVIVED'} ${where} ${mutant.operator}: ${mutant.after.slice(0, 110)}`)
        } finally {
          transpileInto(serviceDir, mutant.file, original)
        }
      }
      total += mutants.length
      caughtByScenario += appScenario
      caughtWithExplore += appExplore
      results[app] = {
        mutants: mutants.length,
        unreachable: unreachable.length,
        caughtByScenario: appScenario,
        caughtWithExplore: appExplore,
        caughtOnlyWithExplore: onlyExplore.map((mutant) => ({ ...mutant, file: relative(serviceDir, mutant.file) })),
        survivors: survivors.map((mutant) => ({ ...mutant, file: relative(serviceDir, mutant.file) })),
      }
      console.log(`${app}: scenario caught ${appScenario}/${mutants.length}, scenario + explore ${appExplore}/${mutants.length}`)
      console.log(judge(app, { mutants: mutants.length, caughtByScenario: appScenario, caughtWithExplore: appExplore, survivors: survivors.map((mutant) => ({ ...mutant, file: relative(serviceDir, mutant.file) })) }, serviceDir).line)
    }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
  console.log(`all${legacy ? ' (--legacy)' : ''}: scenario caught ${caughtByScenario}/${total}, scenario + explore ${caughtWithExplore}/${total}`)
  if (jsonFile !== undefined) writeFileSync(jsonFile, JSON.stringify({ legacy, total, caughtByScenario, caughtWithExplore, apps: results }, null, 2) + '\n')
}

await main()
