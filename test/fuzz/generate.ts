/**
 * Hostile Flask projects for the fuzz suite, deterministic from (seed, index): mutations of the
 * repository's fixtures (lines deleted, shuffled, duplicated; vertical tabs, mixed tabs and
 * spaces, code nested thousands deep, huge comment blocks, random bytes, non-UTF-8), projects
 * whose every string that can reach emitted code carries a payload (quotes, backslashes, `*​/`,
 * backticks, `${`, line terminators JavaScript has and Python has not) with a planted marker,
 * hostile file systems (symlinks to `/`, to `..`, to files outside, loops, odd file names), and
 * hostile command lines (`--out` in /proc, symlinked folders in --out, a crafted manifest or report
 * listing files that are not the tool's, empty `--app`).
 *
 * The marker is code only if injected: it appears in payloads inside Python strings and comments,
 * never as a Python name. An emitted identifier containing `PWNED` means a payload broke out.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'

export const MARKER = 'PWNED'
const SET_MARKER = 'globalThis.__PWNED__=1'
const CALL_MARKER = 'PWNED()'

const REPO = join(dirname(new URL(import.meta.url).pathname), '..', '..')

/** mulberry32: small, fast, and the same sequence everywhere. */
export class Random {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  int(below: number): number {
    return Math.floor(this.next() * below)
  }
  range(from: number, to: number): number {
    return from + this.int(to - from + 1)
  }
  chance(probability: number): boolean {
    return this.next() < probability
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      ;[items[i], items[j]] = [items[j]!, items[i]!]
    }
    return items
  }
}

/** One seed per case, so any case can be generated (and re-run) on its own. Seeds 8 and 9 share no case. */
export function caseSeed(seed: number, index: number): number {
  return mix32((mix32(seed >>> 0) + Math.imul(index + 1, 0x9e3779b9)) >>> 0)
}

/** A 32-bit integer hash (lowbias32): every input bit changes about half the output bits. */
function mix32(value: number): number {
  let x = value >>> 0
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  x ^= x >>> 16
  return x >>> 0
}

/** Paths of one case's workspace, known only when it is materialised. */
export interface Workspace {
  /** The Flask project (the input folder). */
  project: string
  /** The --out folder (may not exist before the run). */
  out: string
  /** A folder outside both, with files nothing may touch or read. */
  outside: string
  /** The case's own temporary folder, holding the others. */
  root: string
}

export type FileContent = string | Uint8Array

export interface FuzzCase {
  index: number
  seed: number
  kind: 'mutation' | 'strings' | 'filesystem' | 'options'
  /** What was done, for the failure message. */
  description: string
  /** Project files, by path relative to the project root (a path may hold raw bytes, as a Buffer path). */
  files: Map<string, FileContent>
  /** Symlinks in the project: path → target; `{outside}` and `{root}` are replaced by workspace paths. */
  links: Map<string, string>
  /** Folders created empty in the project. */
  folders: string[]
  /** Files in --out before the run (path → content), and symlinks there. */
  outFiles: Map<string, string>
  outLinks: Map<string, string>
  /** The command line, given the workspace. */
  argv: (ws: Workspace) => string[]
  /** When the command must be refused: exit 2 and nothing written. */
  expectRefusal?: boolean
  /** A valid Flask app (Python compiles every file): the migration must succeed (exit 0). */
  expectSuccess?: boolean
  /** Files in --out the run must remove (an earlier run's, unchanged since). */
  expectRemoved?: string[]
  /** Routes that must not appear in any report (they live in files the tool must not read). */
  forbiddenRules?: string[]
  /** Worth type-checking the emitted service with tsc (a sample is). */
  typecheck?: boolean
}

/** Files every case's `outside` folder holds. */
export const OUTSIDE_FILES: Record<string, string> = {
  'secret.txt': 'outside the project and --out: must stay unread and untouched\n',
  'victim.py': 'from flask import Flask\napp = Flask(__name__)\n\n@app.route("/victim-outside")\ndef victim():\n    return "read from outside the project"\n',
  'config': '[core]\n\trepositoryformatversion = 0\n',
}

// ---------------------------------------------------------------- payloads

/** Strings that break out of JS/TS string literals, template literals, comments, or lines. */
export const PAYLOADS: readonly string[] = [
  `*/ ${SET_MARKER} /*`,
  `\n${SET_MARKER}\n//`,
  `\r${SET_MARKER}\r//`,
  `\r\n${CALL_MARKER}\r\n`,
  `\u2028${SET_MARKER}\u2028//`,
  `\u2029${CALL_MARKER};//`,
  `' + ${SET_MARKER} + '`,
  `" + ${SET_MARKER} + "`,
  '` + ' + SET_MARKER + ' + `',
  '${' + SET_MARKER + '}',
  '`${' + CALL_MARKER + '}`',
  `\\'; ${CALL_MARKER}; //`,
  `\\"; ${CALL_MARKER}; //`,
  `\\\\' + ${SET_MARKER} + '`,
  `\\`,
  `\\u0027 + ${SET_MARKER} + \\u0027`,
  `'); ${CALL_MARKER}; ('`,
  `"); ${CALL_MARKER}; ("`,
  `</script><script>${CALL_MARKER}</script>`,
  `-->${CALL_MARKER}<!--`,
  `*/\n${SET_MARKER}\n/*`,
  `// ${SET_MARKER}`,
  `#{${CALL_MARKER}}{{${CALL_MARKER}}}`,
  `\x00${CALL_MARKER}`,
  `\ud800${SET_MARKER}\udfff`,
  `\u202e${CALL_MARKER}`,
  `=${CALL_MARKER}\nPWNED_ENV=1\nRUN ${CALL_MARKER}`,
  `a`.repeat(3000) + `*/${SET_MARKER}/*`,
]

/** Python module names that collide with JavaScript, the service's own files, or file systems. */
const MODULE_NAMES = ['constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty', 'lib', 'app', 'main', 'config', 'routes', 'url_map', 'url-map', 'index', 'default', 'eval', 'arguments', 'await_', 'con', 'aux', 'nul', 'é_module', 'ℌ', 'Δelta', 'x'.repeat(200), 'node_modules', 'package', 'test']

function payload(random: Random): string {
  const base = random.pick(PAYLOADS)
  return random.chance(0.3) ? `${random.pick(PAYLOADS)}${base}` : base
}

/** A Python string literal whose value is `value`, in a random quoting style. */
export function pyString(value: string, random: Random): string {
  const style = random.int(4)
  const escape = (text: string, quote: string, raw: boolean): string => {
    let out = ''
    for (const ch of text) {
      const code = ch.codePointAt(0)!
      if (ch === '\\') out += '\\\\'
      else if (ch === quote) out += `\\${quote}`
      else if (ch === '\n') out += raw ? '\n' : '\\n'
      else if (ch === '\r') out += '\\r'
      else if (code === 0) out += '\\x00'
      else if (code >= 0xd800 && code <= 0xdfff) out += `\\u${code.toString(16)}`
      else if ((ch === '\u2028' || ch === '\u2029') && random.chance(0.5)) out += `\\u${code.toString(16)}`
      else out += ch
    }
    return out
  }
  switch (style) {
    case 0:
      return `'${escape(value, "'", false)}'`
    case 1:
      return `"${escape(value, '"', false)}"`
    case 2: {
      // Triple quotes keep raw newlines; every quote is escaped, so none closes them early.
      return `"""${escape(value, '"', true)}"""`
    }
    default: {
      // Implicit concatenation of two halves.
      const cut = random.int(value.length + 1)
      return `${pyString(value.slice(0, cut), random)} ${pyString(value.slice(cut), random)}`
    }
  }
}

/** Text for a Python comment or docstring: no line ends Python knows (\n, \r), anything else. */
function commentText(value: string): string {
  // Lone surrogates cannot be written as UTF-8, a NUL makes the file binary: neither is the point here.
  return value.replace(/[\r\n\0]/g, ' ').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
}

// ---------------------------------------------------------------- fixtures

interface Fixture {
  name: string
  files: Map<string, string>
}

let fixtureCache: Fixture[] | undefined

export function fixtures(): Fixture[] {
  if (fixtureCache !== undefined) return fixtureCache
  const root = join(REPO, 'fixtures')
  const result: Fixture[] = []
  for (const name of readdirSync(root).sort()) {
    const input = join(root, name, 'input')
    if (name.startsWith('_') || !existsSync(input)) continue
    const files = new Map<string, string>()
    const walk = (dir: string, prefix: string): void => {
      for (const entry of readdirSync(dir).sort()) {
        const path = join(dir, entry)
        if (statSync(path).isDirectory()) walk(path, `${prefix}${entry}/`)
        else files.set(`${prefix}${entry}`, readFileSync(path, 'utf8'))
      }
    }
    walk(input, '')
    if ([...files.keys()].some((file) => file.endsWith('.py'))) result.push({ name, files })
  }
  fixtureCache = result
  return result
}

// ---------------------------------------------------------------- the cases

export interface GenerateOptions {
  /** Longer runs (npm run fuzz) also make the big inputs: 2 MiB of comments, 5,000-deep nesting everywhere. */
  big?: boolean
}

export function generateCase(seed: number, index: number, options: GenerateOptions = {}): FuzzCase {
  const random = new Random(caseSeed(seed, index))
  const roll = random.next()
  const kind: FuzzCase['kind'] = roll < 0.45 ? 'mutation' : roll < 0.75 ? 'strings' : roll < 0.87 ? 'filesystem' : 'options'
  const base: FuzzCase = {
    index,
    seed,
    kind,
    description: '',
    files: new Map(),
    links: new Map(),
    folders: [],
    outFiles: new Map(),
    outLinks: new Map(),
    argv: (ws) => [ws.project, '--out', ws.out],
  }
  switch (kind) {
    case 'mutation':
      return mutationCase(base, random, options)
    case 'strings':
      return stringsCase(base, random)
    case 'filesystem':
      return filesystemCase(base, random)
    default:
      return optionsCase(base, random)
  }
}

function fixtureBase(base: FuzzCase, random: Random): Fixture {
  const fixture = random.pick(fixtures())
  for (const [path, content] of fixture.files) base.files.set(path, content)
  return fixture
}

type Mutation = (lines: string[], random: Random, big: boolean) => { lines: string[]; note: string; bytes?: Uint8Array }

const DEEP_FORMS: Record<string, (n: number) => string> = {
  parens: (n) => '('.repeat(n) + '1' + ')'.repeat(n),
  lists: (n) => '['.repeat(n) + '1' + ']'.repeat(n),
  dicts: (n) => '{"k": '.repeat(n) + '1' + '}'.repeat(n),
  unary: (n) => '-'.repeat(n) + '1',
  not: (n) => 'not '.repeat(n) + 'x',
  sum: (n) => Array.from({ length: n }, () => 'x').join(' + '),
  and: (n) => Array.from({ length: n }, () => 'x').join(' and '),
  attributes: (n) => 'x' + '.a'.repeat(n),
  calls: (n) => 'f' + '()'.repeat(n),
  nestedCalls: (n) => 'f('.repeat(n) + '1' + ')'.repeat(n),
  subscripts: (n) => 'x' + '[0]'.repeat(n),
  lambdas: (n) => 'lambda: '.repeat(n) + '1',
  ternaries: (n) => '1 if x else '.repeat(n) + '0',
  powers: (n) => '2 ** '.repeat(n) + '2',
  strings: (n) => Array.from({ length: n }, () => '"s"').join(' + '),
}

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0]
}

const MUTATIONS: Record<string, Mutation> = {
  deleteLines(lines, random) {
    const count = random.chance(0.7) ? random.range(1, 2) : random.range(1, Math.max(1, Math.ceil(lines.length / 5)))
    for (let i = 0; i < count && lines.length > 0; i++) lines.splice(random.int(lines.length), 1)
    return { lines, note: `deleted ${count} lines` }
  },
  shuffleLines(lines, random) {
    if (random.chance(0.2)) return { lines: random.shuffle(lines), note: 'shuffled every line' }
    const start = random.int(lines.length)
    const window = lines.splice(start, random.range(2, 8))
    lines.splice(start, 0, ...random.shuffle(window))
    return { lines, note: `shuffled lines ${start + 1}-${start + window.length}` }
  },
  duplicateLines(lines, random) {
    const at = random.int(lines.length)
    const count = random.range(1, 4)
    lines.splice(at, 0, ...lines.slice(at, at + count))
    return { lines, note: `duplicated lines ${at + 1}-${at + count}` }
  },
  swapLines(lines, random) {
    const a = random.int(lines.length)
    const b = random.int(lines.length)
    ;[lines[a], lines[b]] = [lines[b]!, lines[a]!]
    return { lines, note: `swapped lines ${a + 1} and ${b + 1}` }
  },
  verticalTabs(lines, random) {
    const at = random.int(lines.length)
    const line = lines[at] ?? ''
    const column = random.chance(0.5) ? indentOf(line).length : random.int(line.length + 1)
    lines[at] = line.slice(0, column) + random.pick(['\v', '\v\v', '\f', '\v ']) + line.slice(column)
    return { lines, note: `vertical tab or form feed in line ${at + 1}` }
  },
  mixTabs(lines, random) {
    let count = 0
    for (let i = 0; i < lines.length; i++) {
      if (!/^ {4}/.test(lines[i]!) || !random.chance(0.4)) continue
      lines[i] = lines[i]!.replace(/^( {4})+/, (spaces) => random.pick(['\t'.repeat(spaces.length / 4), '\t', ' \t', '\t    '.slice(0, 1 + random.int(4)), `${spaces.slice(4)}\t`]))
      count++
    }
    return { lines, note: `tabs for spaces in ${count} lines` }
  },
  deepNesting(lines, random, big) {
    const form = random.pick(Object.keys(DEEP_FORMS))
    const depth = random.pick(big ? [150, 201, 399, 450, 1200, 3000, 5000, 20000] : [150, 201, 399, 450, 1200, 3000, 5000])
    const at = random.int(lines.length + 1)
    const indent = indentOf(lines[at] ?? lines[at - 1] ?? '')
    lines.splice(at, 0, `${indent}deep_value = ${DEEP_FORMS[form]!(depth)}`)
    return { lines, note: `${form} nested ${depth} deep at line ${at + 1}` }
  },
  deepIndentation(lines, random) {
    const levels = random.pick([50, 98, 99, 100, 101, 300])
    const block: string[] = []
    for (let i = 0; i < levels; i++) block.push(`${' '.repeat(i)}if x:`)
    block.push(`${' '.repeat(levels)}y = 1`)
    lines.push(...block)
    return { lines, note: `${levels} nested ifs appended` }
  },
  commentBlock(lines, random, big) {
    const count = big ? random.pick([40, 5000, 30000]) : random.pick([33, 40, 400, 4000])
    const at = random.int(lines.length + 1)
    const indent = indentOf(lines[at] ?? '')
    const text = random.pick(['# comment', '#', `# ${'x'.repeat(70)}`, '## */ `${x}` \u2028'])
    const block = Array.from({ length: count }, (_, i) => (i % 7 === 3 ? '' : `${indent}${text}`))
    lines.splice(at, 0, ...block)
    return { lines, note: `${count} comment lines at line ${at + 1}` }
  },
  randomBytes(lines, random) {
    const text = Buffer.from(lines.join('\n'), 'utf8')
    const bytes = Buffer.alloc(text.length + 16)
    text.copy(bytes)
    const at = random.int(text.length + 1)
    const junk = Buffer.from(Array.from({ length: random.range(1, 16) }, () => random.int(256)))
    const result = Buffer.concat([text.subarray(0, at), junk, text.subarray(at)])
    return { lines, note: `${junk.length} random bytes at offset ${at}`, bytes: result }
  },
  latin1(lines, random) {
    const at = random.int(lines.length)
    lines[at] = `${lines[at] ?? ''}  # café`
    return { lines, note: `latin-1 é in line ${at + 1}`, bytes: Buffer.from(lines.join('\n'), 'latin1') }
  },
  nulByte(lines, random) {
    const at = random.int(lines.length)
    lines[at] = `${lines[at] ?? ''}\0`
    return { lines, note: `NUL in line ${at + 1}` }
  },
  truncate(lines, random) {
    const text = lines.join('\n')
    const cut = random.int(text.length + 1)
    return { lines: text.slice(0, cut).split('\n'), note: `truncated at character ${cut}` }
  },
  unicodeJunk(lines, random) {
    const at = random.int(lines.length)
    const line = lines[at] ?? ''
    const column = random.int(line.length + 1)
    const junk = random.pick(['\u2028', '\u2029', '\u00a0', '\ufeff', '\u200b', '\u202e', '\u0085', '\ud800', '😀', '\u0301', '\x1b[31m'])
    lines[at] = line.slice(0, column) + junk + line.slice(column)
    return { lines, note: `U+${junk.codePointAt(0)!.toString(16)} in line ${at + 1}` }
  },
  lineEnds(lines, random) {
    const end = random.pick(['\r\n', '\r', '\n\r'])
    return { lines: [lines.join(end)], note: `line ends ${JSON.stringify(end)}` }
  },
  keywordLine(lines, random) {
    const at = random.int(lines.length + 1)
    const indent = random.pick(['', indentOf(lines[at] ?? ''), '    ', '\t'])
    const statement = random.pick(['return 1', 'break', 'continue', 'yield 1', 'await x', 'nonlocal x', 'global x', 'print "py2"', 'exec "x"', 'raise', 'del 1', 'try:', 'else:', 'from __future__ import annotations', 'f(a=1, a=2)', 'def g(a, a): pass', 'x = [(yield) for y in z]', 'lambda: (yield)', 'async def h(): await z', 'match x:', '    case 1: pass'])
    lines.splice(at, 0, `${indent}${statement}`)
    return { lines, note: `inserted ${JSON.stringify(statement)} at line ${at + 1}` }
  },
}

function mutationCase(base: FuzzCase, random: Random, options: GenerateOptions): FuzzCase {
  const fixture = fixtureBase(base, random)
  const pythonFiles = [...base.files.keys()].filter((file) => file.endsWith('.py'))
  const notes: string[] = []
  // Mostly one mutation: more of the mutated projects still hold an app, so analyze, translate and emit see them.
  const rounds = random.chance(0.6) ? 1 : random.range(2, 3)
  for (let round = 0; round < rounds; round++) {
    const file = random.pick(pythonFiles)
    const current = base.files.get(file)
    if (typeof current !== 'string') continue
    const name = random.pick(Object.keys(MUTATIONS))
    const result = MUTATIONS[name]!(current.split('\n'), random, options.big === true)
    base.files.set(file, result.bytes ?? result.lines.join('\n'))
    notes.push(`${file}: ${result.note}`)
  }
  base.description = `mutation of fixture ${fixture.name}: ${notes.join('; ')}`
  base.typecheck = true
  const mode = random.int(10)
  const format = random.pick(['json', 'sarif', 'markdown', 'text'])
  if (mode === 0) base.argv = (ws) => [ws.project, '--dry-run']
  else if (mode === 1) base.argv = (ws) => [ws.project, '--check', '--format', format]
  return base
}

function stringsCase(base: FuzzCase, random: Random): FuzzCase {
  const s = (): string => pyString(payload(random), random)
  const comment = (): string => `# ${commentText(payload(random))}`
  const moduleName = random.pick(MODULE_NAMES)
  const validModule = /^[\p{L}_][\p{L}\p{N}_]*$/u.test(moduleName)
  const blueprintName = random.chance(0.3) ? 'items' : payload(random)
  const places: string[] = []
  const lines: string[] = []
  const docstring = (indent: string): string => `${indent}"""${commentText(payload(random)).replace(/"/g, "'").replace(/\\/g, '\\\\')}"""`
  lines.push(docstring(''), 'import os', 'from flask import Blueprint, Flask, abort, jsonify, render_template, request', comment(), '')
  if (validModule) lines.push(`from helpers.${moduleName} import helper`, '')
  lines.push(`app = Flask(__name__)`)
  // Config: keys and values, literal and from the environment, secret-looking or not.
  lines.push(`app.config[${s()}] = ${s()}`)
  lines.push(`app.config[${pyString(`SECRET_KEY`, random)}] = ${s()}`)
  lines.push(`app.config.update({${s()}: ${s()}, "PAGE_SIZE": 10})`)
  lines.push(`app.config["API_TOKEN"] = os.environ.get(${s()}, ${s()})`)
  lines.push(`app.config.from_mapping(${random.pick(['DATABASE_URL', 'GREETING', 'X'])}=${s()})`)
  places.push('config keys and values')
  lines.push('', `bp = Blueprint(${pyString(blueprintName, random)}, __name__, url_prefix=${s()}, template_folder=${s()})`, '')
  places.push('blueprint name, url_prefix, template_folder')
  lines.push(`@bp.route(${pyString(`/a${payload(random)}`, random)}, endpoint=${s()})`, 'def view_a():', docstring('    '), `    ${comment()}`, `    return ${s()}`, '')
  lines.push(`@bp.route(${pyString(`/t/<name>${payload(random).replace(/[<>]/g, '')}`, random)})`, 'def view_t(name):', `    return render_template(${s()}, name=name, extra=${s()})`, '')
  // Python 3.11's f-strings cannot hold their own quote: the payloads go in through names.
  lines.push(`@bp.route("/j")`, 'def view_j():', `    data = {${s()}: ${s()}, "n": [1, ${s()}]}`, `    key, fallback = ${s()}, ${s()}`, `    label = f"{request.args.get(key, fallback)}-{key!r:>3}" + ${s()}`, '    return jsonify(data=data, label=label)', '')
  if (validModule) lines.push(`@bp.route("/h")`, 'def view_h():', '    return helper()', '')
  places.push('rules, endpoints, docstrings, comments, returned strings, template names, f-strings')
  lines.push(`@app.route(${pyString(`/stub${payload(random)}`, random)})`, 'def stub():', docstring('    '), `    ${comment()}`, `    with open(${s()}) as handle:  ${comment()}`, `        return handle.read() + ${s()}`, '')
  // A hook that is a stub makes every route a stub: half the projects keep theirs translatable.
  lines.push(`@app.before_request`, 'def hook():', `    ${comment()}`, random.chance(0.5) ? `    request.environ.get(${s()})` : `    request.headers.get(${s()}, ${s()})`, '')
  lines.push(`@app.errorhandler(404)`, 'def not_found(error):', `    return ${s()}, 404`, '')
  lines.push(`@app.route("/redirect", redirect_to=${s()})`, 'def redirected():', '    return ""', '')
  lines.push(`app.add_url_rule(${pyString(`/added${payload(random)}`, random)}, ${s()}, view_func=lambda: ${s()})`)
  lines.push(`app.register_blueprint(bp, name=${s()}, url_prefix=${s()})`)
  if (random.chance(0.5)) lines.push(`app.register_blueprint(bp, url_prefix="/again")`)
  places.push('register_blueprint(name=, url_prefix=), add_url_rule, redirect_to, hooks, error handlers')
  base.files.set('app.py', lines.join('\n') + '\n')
  if (validModule) {
    base.files.set('helpers/__init__.py', `${comment()}\n`)
    base.files.set(`helpers/${moduleName}.py`, [docstring(''), comment(), `GREETING = ${s()}`, '', 'def helper():', docstring('    '), `    ${comment()}`, `    return GREETING + ${s()}`, ''].join('\n'))
    places.push(`helper module named ${JSON.stringify(moduleName)}`)
  }
  // File and module names carrying payloads (no '/' fits in a file name); one holds a second app.
  if (random.chance(0.4)) {
    const name = random.pick([`app\u2028${SET_MARKER}//`, `m\n${CALL_MARKER}`, `x'${CALL_MARKER}'`, `y\${${CALL_MARKER}}`, `z\`${CALL_MARKER}\``, `w"${CALL_MARKER}"`])
    base.files.set(`${name}.py`, `from flask import Flask\nother = Flask(__name__)\n\n@other.route("/other")\ndef other_view():\n    return ${s()}\n`)
    places.push(`a module file named ${JSON.stringify(name)}`)
  }
  if (random.chance(0.3)) base.files.set(`templates/${[...commentText(payload(random)).replace(/[/\0]/g, '_')].slice(0, 60).join('')}.html`, '<p>{{ name }}</p>\n')
  base.description = `hostile strings in ${places.join('; ')}`
  base.typecheck = true
  base.expectSuccess = true
  return base
}

function filesystemCase(base: FuzzCase, random: Random): FuzzCase {
  fixtureBase(base, random)
  const notes: string[] = []
  const tricks = random.shuffle(['rootLink', 'parentLink', 'outsidePy', 'loop', 'dangling', 'selfLink', 'dirNamedPy', 'huge', 'deepFolders', 'oddNames', 'gitignore', 'empty', 'bytesName']).slice(0, random.range(1, 4))
  for (const trick of tricks) {
    switch (trick) {
      case 'rootLink':
        base.links.set(random.pick(['rootlink', 'pkg/root']), '/')
        notes.push('a symlink to /')
        break
      case 'parentLink':
        base.links.set(random.pick(['up', 'lib/up']), '..')
        notes.push('a symlink to ..')
        break
      case 'outsidePy':
        base.links.set(random.pick(['victim.py', 'wsgi.py', 'app.py']), '{outside}/victim.py')
        base.forbiddenRules = ['/victim-outside']
        notes.push('a .py symlink to a file outside the project')
        break
      case 'loop':
        base.links.set('loop_a', 'loop_b')
        base.links.set('loop_b', 'loop_a')
        base.links.set('loop.py', 'loop.py')
        notes.push('symlink loops')
        break
      case 'dangling':
        base.links.set('gone.py', '{root}/does-not-exist.py')
        notes.push('a dangling symlink')
        break
      case 'selfLink':
        base.links.set('self', '.')
        notes.push('a symlink to the project itself')
        break
      case 'dirNamedPy':
        base.folders.push('folder.py')
        notes.push('a folder named folder.py')
        break
      case 'huge':
        base.files.set('huge.py', `# ${'x'.repeat(78)}\n`.repeat(26215) + 'x = 1\n')
        notes.push('a file over 2 MiB')
        break
      case 'deepFolders': {
        const depth = random.pick([20, 60, 120])
        const parts = Array.from({ length: depth }, (_, i) => `d${i % 10}`)
        for (let i = 1; i <= depth; i++) base.files.set(`${parts.slice(0, i).join('/')}/__init__.py`, '')
        base.files.set(`${parts.join('/')}/leaf.py`, 'from flask import Blueprint\nleaf = Blueprint("leaf", __name__)\n')
        notes.push(`${depth} nested packages`)
        break
      }
      case 'oddNames':
        for (const name of ['with space.py', 'dash-name.py', '1digit.py', 'ünï.py', 'a.b.py', `${'n'.repeat(250)}.py`, '.hidden.py', '-rf.py', '--out.py']) base.files.set(name, 'x = 1\n')
        notes.push('odd file names')
        break
      case 'gitignore':
        base.files.set('.gitignore', ['*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', '[', '\\', '**/**/**/**/**/**/**/**/x', '!', '/', '*' + '?'.repeat(50)].join('\n'))
        base.files.set(`${'a'.repeat(120)}.py`, 'x = 1\n')
        notes.push('a .gitignore with backtracking patterns')
        break
      case 'empty':
        base.files.set('empty.py', '')
        base.files.set('bom.py', '\ufeff')
        base.files.set('blank.py', '\n\n\n')
        notes.push('empty files')
        break
      case 'bytesName':
        base.files.set('\u0000bytes-name', 'x = 1\n')
        notes.push('a file name that is not UTF-8')
        break
    }
  }
  base.description = `file system: ${notes.join('; ')}`
  return base
}

function optionsCase(base: FuzzCase, random: Random): FuzzCase {
  fixtureBase(base, random)
  const variant = random.pick(['proc-out', 'proc-report', 'out-link', 'crafted-report', 'crafted-manifest', 'non-empty', 'app', 'out-under-file', 'report-folder', 'emit-ir', 'formats'])
  switch (variant) {
    case 'proc-out': {
      const out = random.pick(['/proc/self/fuzz-out', '/proc/self/fuzz/deeper'])
      base.argv = (ws) => [ws.project, '--out', out]
      base.expectRefusal = true
      base.description = '--out inside /proc/self'
      break
    }
    case 'proc-report':
      base.argv = (ws) => [ws.project, '--dry-run', '--report', '/proc/self/fuzz/report.md']
      base.expectRefusal = true
      base.description = '--report inside /proc/self'
      break
    case 'out-link':
      const link = random.pick(['src', 'src/routes', 'test', 'src/lib'])
      base.outFiles.set('NOTES.md', 'mine\n')
      if (link !== 'src' && random.chance(0.5)) base.outFiles.set('src/keep.ts', '// mine\n')
      base.outLinks.set(link, '{outside}')
      base.argv = (ws) => [ws.project, '--out', ws.out, '--force']
      base.expectRefusal = true
      base.description = 'a folder of --out is a symlink to a folder outside'
      break
    case 'crafted-report':
      base.outFiles.set('.git/config', OUTSIDE_FILES.config!)
      base.outFiles.set('NOTES.md', 'mine\n')
      base.outFiles.set('migration-report.json', JSON.stringify({ files: ['.git/config', 'NOTES.md', '../outside/secret.txt', '/etc/hostname', 'src/../../outside/secret.txt'] }))
      base.argv = (ws) => [ws.project, '--out', ws.out, '--force']
      base.description = 'a migration-report.json in --out lists files that are not the tool\'s'
      break
    case 'crafted-manifest':
      base.outFiles.set('.git/config', OUTSIDE_FILES.config!)
      base.outFiles.set('NOTES.md', 'mine\n')
      base.outFiles.set('src/stale/old.ts', 'export const OLD = 1\n')
      base.outFiles.set('.migrate-manifest.json', 'CRAFTED')
      base.expectRemoved = ['src/stale/old.ts']
      base.argv = (ws) => [ws.project, '--out', ws.out, '--force']
      base.description = 'a manifest in --out lists .git/config and files outside with their true hashes, NOTES.md with another, and a stale file of its own'
      break
    case 'non-empty':
      base.outFiles.set('NOTES.md', 'mine\n')
      base.argv = (ws) => [ws.project, '--out', ws.out]
      base.expectRefusal = true
      base.description = 'a non-empty --out without --force'
      break
    case 'app': {
      const spec = random.pick(['', ' ', ':', 'app:', ':app', 'app:app(', 'app:create_app(1, x=2)', 'app:create_app(**{})', 'nowhere:app', 'a'.repeat(5000), 'app:app()', 'app:__class__', `app:create_app(${'('.repeat(1000)}1${')'.repeat(1000)})`, `app:create_app(${'-'.repeat(3000)}1)`, 'wsgi:app', 'bookshelf:create_app()', 'app:create_app("\\n*/")', 'app\n:app'])
      base.argv = (ws) => [ws.project, '--out', ws.out, '--app', spec]
      base.description = `--app ${JSON.stringify(spec.length > 60 ? `${spec.slice(0, 60)}…` : spec)}`
      if (spec.trim() === '') base.expectRefusal = true
      break
    }
    case 'out-under-file':
      base.outFiles.set('file', 'x')
      base.argv = (ws) => [ws.project, '--out', join(ws.out, 'file', 'below')]
      base.expectRefusal = true
      base.description = '--out below a file'
      break
    case 'report-folder':
      base.argv = (ws) => [ws.project, '--dry-run', '--report', ws.outside]
      base.expectRefusal = true
      base.description = '--report names a folder'
      break
    case 'emit-ir':
      base.argv = (ws) => [ws.project, '--out', ws.out, '--emit-ir', join(ws.root, 'ir', 'deeper', 'ir.json')]
      base.description = '--emit-ir into missing folders'
      break
    default: {
      const format = random.pick(['text', 'markdown', 'json', 'sarif'])
      const readiness = String(random.int(101))
      const extension = random.pick(['md', 'json', 'sarif', 'txt'])
      base.argv = (ws) => [ws.project, '--check', '--format', format, '--min-readiness', readiness, '--report', join(ws.root, `r.${extension}`)]
      base.description = `--check --format ${format} with --report`
    }
  }
  return base
}
