import { isFloatLiteral, type AppIR, type AppPathIR, type ConfigEntryIR, type EnvTestIR, type Finding, type PyLiteral } from '../ir/types.js'
import { stringLiteral } from './names.js'
import { commentText, docComment, lineComment, tsJson, tsString } from '../ts-text.js'

export interface EmittedConfig {
  /** `src/config.ts` */
  code: string
  /** `.env.example` */
  envExample: string
  /** The variables of `.env.example` that a deployment can set (a name a .env file can hold), in its order. */
  variables: EnvVariable[]
  findings: Finding[]
}

/** A variable `src/config.ts` reads: its example value (none for a secret). */
export interface EnvVariable {
  name: string
  value: string
  secret: boolean
}

/**
 * The Flask config as a typed object. Literals are carried over; values read from the
 * environment are read from `process.env` (keeping a literal default only for non-secrets);
 * secrets never get a value in code, whatever the Python source held.
 */
export function emitConfig(app: AppIR, reportedAt: (location: ConfigEntryIR['location']) => boolean = () => false): EmittedConfig {
  const findings: Finding[] = []
  // Python dict semantics: a key keeps its first position and takes its last value.
  const entries = new Map<string, ConfigEntryIR>()
  for (const entry of app.config) entries.set(entry.key, entry)
  const properties: string[] = []
  const envLines: string[] = []
  const variables: EnvVariable[] = []
  const addVariable = (comment: string, name: string, value: string, secret: boolean): void => {
    envLines.push(...envEntry(comment, name, value))
    if (ENV_NAME.test(name) && !variables.some((variable) => variable.name === name)) variables.push({ name, value, secret })
  }
  let usesFloat = false
  let usesTimedelta = false
  let usesPaths = (app.folders ?? []).length > 0
  // Each test of the environment that chooses config values: a constant of config.ts, read once when the service starts.
  const tests = new Map<string, { name: string; test: EnvTestIR }>()
  const testName = (test: EnvTestIR): string => {
    const key = envTestCode(test)
    let found = tests.get(key)
    if (found === undefined) {
      const base = `when${test.name.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).map((word) => word[0]!.toUpperCase() + word.slice(1)).join('')}`
      const taken = new Set([...tests.values()].map((known) => known.name))
      let name = /^when[A-Z]/.test(base) ? base : 'whenEnvironment'
      for (let n = 2; taken.has(name); n++) name = `${base}${n}`
      found = { name, test }
      tests.set(key, found)
      addVariable(`${test.name}: chooses config values (${test.location.file}:${test.location.line})`, test.name, '', false)
    }
    return found.name
  }
  /** The TypeScript value of one read of a key, with the comment lines above it. */
  const valueOf = (entry: ConfigEntryIR): { comments: string[]; code: string } => {
    const where = `${entry.location.file}:${entry.location.line}`
    if (entry.secret) {
      const envVar = entry.envVar ?? entry.key
      addVariable(`${entry.key} (secret; ${where})`, envVar, '', true)
      if (entry.droppedDefault === true && !reportedAt(entry.location)) {
        findings.push({
          ruleId: 'config-secret-not-copied',
          severity: 'warning',
          message: `Config key ${entry.key} falls back to a value written in the source when ${envVar} is unset; that value may hold a credential and was not copied, so the service has no ${entry.key} until ${envVar} is set.`,
          location: entry.location,
        })
      }
      if (entry.publicDefault !== undefined) {
        return { comments: [lineComment(`${where}: secret, read from the environment; without it, the source's SQLite database`)], code: `process.env[${stringLiteral(envVar)}] ?? ${tsString(entry.publicDefault)}` }
      }
      if (entry.envVar === null) {
        findings.push({
          ruleId: 'config-secret-not-copied',
          severity: 'warning',
          message: `Config key ${entry.key} holds a secret written in the source; the service reads it from the environment variable ${envVar} instead and has no value until you set it.`,
          location: entry.location,
        })
      }
      return { comments: [lineComment(`${where}: secret, read from the environment only`)], code: `process.env[${stringLiteral(envVar)}]` }
    }
    if (entry.path !== undefined) {
      // Under Flask's instance or root folder: the service's own (see appPath below), unless the environment names another.
      const envVar = entry.envVar ?? entry.key
      const target = appPathCode(entry.path)
      envLines.push(`# ${commentText(`${entry.key} (${where}): by default ${[entry.path.base === 'instance' ? 'instance' : '.', ...entry.path.parts].join('/')} in the service's folder`)}`)
      envLines.push(/^[A-Za-z_][A-Za-z0-9_]*$/.test(envVar) ? `# ${envVar}=` : `# (set the variable ${commentText(JSON.stringify(envVar))} in the environment)`)
      if (ENV_NAME.test(envVar) && !variables.some((variable) => variable.name === envVar)) variables.push({ name: envVar, value: '', secret: false })
      usesPaths = true
      // `os.environ.get("X") or <path>`: an empty variable gives the path too.
      return { comments: [lineComment(`${where}: ${oneLine(entry.expression ?? entry.key)}; ${envVar} in the environment wins`)], code: `process.env[${stringLiteral(envVar)}] ${entry.envOr ? '||' : '??'} ${target}` }
    }
    if (entry.envVar !== null) {
      const fallback = entry.expression === null ? undefined : literalDefault(entry.expression)
      const read = `process.env[${stringLiteral(entry.envVar)}]`
      if (fallback === undefined && entry.expression !== null && !isPlainEnvironmentRead(entry.expression) && !reportedAt(entry.location)) {
        findings.push({
          ruleId: 'config-computed-value',
          severity: 'warning',
          message: `Config key ${entry.key} is computed (${oneLine(entry.expression)}); the service reads ${entry.envVar} as a plain string with no default or conversion.`,
          location: entry.location,
        })
      }
      addVariable(`${entry.key} (${where})`, entry.envVar, fallback !== undefined && typeof JSON.parse(fallback) === 'string' ? (JSON.parse(fallback) as string) : (fallback ?? ''), false)
      return { comments: [lineComment(`${where}: ${oneLine(entry.expression ?? entry.envVar)}`)], code: fallback !== undefined ? `${read} ?? ${fallback}` : read }
    }
    const delta = entry.expression === null ? null : timedeltaLiteral(entry.expression)
    if (delta !== null) {
      // PERMANENT_SESSION_LIFETIME, SEND_FILE_MAX_AGE_DEFAULT, …: the runtime's timedelta.
      usesTimedelta = true
      return { comments: [lineComment(`${where}: ${oneLine(entry.expression!)}`)], code: delta }
    }
    if (entry.expression !== null) {
      // analyze reports computed config as dynamic-config; say it once.
      if (!reportedAt(entry.location))
        findings.push({
          ruleId: 'config-computed-value',
          severity: 'warning',
          message: `Config key ${entry.key} is computed (${oneLine(entry.expression)}) and was not carried over; set it by hand in src/config.ts.`,
          location: entry.location,
        })
      return { comments: [lineComment(`${where}: not migrated: ${oneLine(entry.expression)}`)], code: 'undefined' }
    }
    usesFloat ||= hasFloatLiteral(entry.value)
    return { comments: [lineComment(where)], code: pyLiteral(entry.value) }
  }
  for (const entry of entries.values()) {
    const key = stringLiteral(entry.key)
    const value = valueOf(entry)
    if (entry.alternatives === undefined || entry.alternatives.length === 0) {
      properties.push(...value.comments.map((line) => `  ${line}`), `  ${key}: ${value.code},`)
      continue
    }
    // A config chosen by the environment when the app starts: the first alternative whose test holds.
    const branches = entry.alternatives.map((alternative) => ({ test: testName(alternative.when), value: valueOf(alternative.entry) }))
    for (const [i, branch] of branches.entries()) properties.push(`  ${lineComment(`${branch.test}:`)}`, ...branch.value.comments.map((line) => `  ${line}`), ...(i === branches.length - 1 ? [`  ${lineComment('otherwise:')}`] : []))
    properties.push(...value.comments.map((line) => `  ${line}`))
    properties.push(`  ${key}: ${branches.map((branch) => `${branch.test} ? ${branch.value.code} : `).join('')}${value.code},`)
  }
  const code = [
    ...(usesFloat ? [`import { asFloat } from './lib/float.js'`] : []),
    ...(usesTimedelta ? [`import { timedelta } from './lib/py.js'`] : []),
    ...(usesPaths ? [`import { mkdirSync } from 'node:fs'`, `import { join } from 'node:path'`, `import { fileURLToPath } from 'node:url'`] : []),
    ...(usesFloat || usesTimedelta || usesPaths ? [''] : []),
    ...(usesPaths ? APP_PATHS : []),
    ...[...tests].flatMap(([code, { name, test }]) => [docComment(`${test.location.file}:${test.location.line}: \`${oneLine(test.source)}\`, when the service starts.`), `const ${name} = ${code}`, '']),
    ...FROM_ENVIRONMENT,
    docComment(`The Flask config of \`${app.id}\`. Secrets and environment-derived values come from process.env; any key can be set by a variable of its name.`),
    `export const config = fromEnvironment({`,
    ...properties,
    `})`,
    '',
    `export type Config = typeof config`,
    '',
    ...folderLines(app),
  ].join('\n')
  // Every key can also be set by a variable of its name (fromEnvironment): listed commented out, with the source's value.
  const overridable = [...entries.values()].filter((entry) => !entry.secret && entry.envVar !== entry.key && entry.path === undefined && ENV_NAME.test(entry.key) && !envLines.some((line) => line.startsWith(`${entry.key}=`) || line.startsWith(`# ${entry.key}=`)))
  const overrides = overridable.length === 0 ? [] : ['', '# Config keys: each one can be set by a variable of its name (text as it is, a flag as true/false, other values as JSON).', ...overridable.map((entry) => `# ${entry.key}=${envExampleValue(entry.value)}`)]
  const envExample = [
    '# Environment variables read by src/config.ts. Secrets have no value here: set them in your deployment.',
    ...envLines,
    ...overrides,
    'PORT=8080',
    '',
  ].join('\n')
  if (!variables.some((variable) => variable.name === 'PORT')) variables.push({ name: 'PORT', value: '8080', secret: false })
  return { code, envExample, variables, findings }
}

/** A literal of the source as `.env.example` writes it for a commented-out override: text as it is (on one line), others as JSON. */
function envExampleValue(value: PyLiteral): string {
  if (typeof value === 'string') return commentText(value)
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return JSON.stringify(value)
  // A list of plain values as JSON; a float or a dict cannot be set from the environment (fromEnvironment refuses it).
  if (Array.isArray(value) && value.every((item) => item === null || ['string', 'number', 'boolean'].includes(typeof item))) return commentText(JSON.stringify(value))
  return ''
}

/**
 * config.ts's own reader of the environment: a key set in the environment replaces the source's
 * value, as text for a text key, else as JSON of the same kind (as Flask's `from_prefixed_env`
 * reads values); a variable that does not fit stops the service at start-up with a message naming it.
 */
const FROM_ENVIRONMENT = [
  `const BOOLEAN_WORDS = new Map([['true', true], ['1', true], ['yes', true], ['on', true], ['false', false], ['0', false], ['no', false], ['off', false]])`,
  '',
  `/**`,
  ` * The source's config with each key replaced by the environment variable of its name when it is set:`,
  ` * text as it is for a text value, true/false (or 1/0, yes/no, on/off) for a flag, otherwise JSON of the same kind`,
  ` * (as Flask's from_prefixed_env reads values).`,
  ` */`,
  `function fromEnvironment<T extends Record<string, unknown>>(values: T): T {`,
  `  const out: Record<string, unknown> = { ...values }`,
  `  for (const [key, value] of Object.entries(values)) {`,
  `    const text = process.env[key]`,
  `    if (text === undefined || (typeof value === 'string' && text === value)) continue`,
  `    if (typeof value === 'string') {`,
  `      out[key] = text`,
  `      continue`,
  `    }`,
  `    if (typeof value === 'boolean') {`,
  `      const word = text.trim().toLowerCase()`,
  `      if (!BOOLEAN_WORDS.has(word)) throw new Error(\`config: \${key} in the environment must be true or false (\${JSON.stringify(text)})\`)`,
  `      out[key] = BOOLEAN_WORDS.get(word)`,
  `      continue`,
  `    }`,
  `    const kind = (v: unknown): string => (v === null || v === undefined ? 'null' : Array.isArray(v) ? 'list' : typeof v)`,
  `    let parsed: unknown`,
  `    try {`,
  `      parsed = JSON.parse(text)`,
  `    } catch {`,
  `      // A key without a value in the source takes text that is not JSON as it is.`,
  `      if (kind(value) !== 'null') throw new Error(\`config: \${key} in the environment is not JSON (\${JSON.stringify(text)})\`)`,
  `      parsed = text`,
  `    }`,
  `    if (kind(value) !== 'null' && kind(parsed) !== kind(value)) throw new Error(\`config: \${key} in the environment must be a JSON \${kind(value)}, as in the source\`)`,
  `    if (kind(value) === 'object') throw new Error(\`config: \${key} cannot be set from the environment; change it in src/config.ts\`)`,
  `    out[key] = parsed`,
  `  }`,
  `  return out as T`,
  `}`,
  '',
]

/**
 * A test of the environment as TypeScript: `os.environ.get("X", "").lower() in ("1", "true")` is
 * `['1', 'true'].includes((process.env['X'] ?? '').toLowerCase())`; a bare read is Python's truthiness.
 */
export function envTestCode(test: EnvTestIR): string {
  const read = `process.env[${stringLiteral(test.name)}]`
  const value = test.fallback === null ? read : `(${read} ?? ${tsString(test.fallback)})`
  const lowered = test.lower ? `${value}.toLowerCase()` : value
  let code: string
  if (test.oneOf === null) code = test.fallback === null ? `(${read} ?? '') !== ''` : `${lowered} !== ''`
  else {
    const list = `[${test.oneOf.map((item) => tsString(item)).join(', ')}]`
    // None is never one of the strings.
    code = test.fallback === null ? `${read} !== undefined && ${list}.includes(${read})` : `${list}.includes(${lowered})`
  }
  return test.negated ? `!(${code})` : `(${code})`
}

/** Flask's `app.instance_path` and `app.root_path` in the service (config.ts compiles to dist/config.js, beside src/). */
const APP_PATHS = [
  docComment("Flask's `app.instance_path` (the `instance` folder beside the app's package): the service's `instance/` folder."),
  `export const instancePath = fileURLToPath(new URL('../instance/', import.meta.url))`,
  docComment("Flask's `app.root_path` (the app's package folder): the service's folder."),
  `export const rootPath = fileURLToPath(new URL('../', import.meta.url))`,
  '',
]

function appPathCode(path: AppPathIR): string {
  return `join(${[path.base === 'instance' ? 'instancePath' : 'rootPath', ...path.parts.map((part) => stringLiteral(part))].join(', ')})`
}

/** The folders the app's setup code creates (`os.makedirs(app.instance_path)` in the factory), created when the service starts. */
function folderLines(app: AppIR): string[] {
  const folders = app.folders ?? []
  if (folders.length === 0) return []
  return [
    lineComment("Created as the app's setup code does (os.makedirs), an existing folder left as it is."),
    `for (const folder of [${folders.map(appPathCode).join(', ')}]) {`,
    '  try {',
    '    mkdirSync(folder, { recursive: true })',
    '  } catch {',
    '    // as os.makedirs in a try block: the service starts anyway',
    '  }',
    '}',
    '',
  ]
}

/** A Python literal as TypeScript: dicts become objects, None null, an integral float `asFloat(3)` (see runtime float.ts). */
export function pyLiteral(value: PyLiteral): string {
  if (value === null) return 'null'
  if (isFloatLiteral(value)) return `asFloat(${value.$float})`
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(', ')}]`
  if (typeof value === 'object') {
    return `{ ${Object.entries(value)
      .map(([key, item]) => `${stringLiteral(key)}: ${pyLiteral(item)}`)
      .join(', ')} }`
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN'
  return tsJson(value)
}

function hasFloatLiteral(value: PyLiteral): boolean {
  if (isFloatLiteral(value)) return true
  if (Array.isArray(value)) return value.some(hasFloatLiteral)
  return value !== null && typeof value === 'object' && Object.values(value).some(hasFloatLiteral)
}

const TIMEDELTA_FIELDS = ['days', 'seconds', 'microseconds', 'milliseconds', 'minutes', 'hours', 'weeks']

/** `timedelta(days=7)` / `datetime.timedelta(0, 3600)` with int literals, as the runtime's `timedelta({...})`; else null. */
export function timedeltaLiteral(expression: string): string | null {
  const match = /^(?:datetime\.)?timedelta\(\s*(.*?)\s*,?\s*\)$/s.exec(expression.trim())
  if (match === null) return null
  const parts = match[1] === '' ? [] : match[1]!.split(/\s*,\s*/)
  const fields: string[] = []
  let keywordSeen = false
  for (const [i, part] of parts.entries()) {
    const keyword = /^([a-z]+)\s*=\s*(.+)$/.exec(part)
    const name = keyword ? keyword[1]! : TIMEDELTA_FIELDS[i]
    const value = keyword ? keyword[2]! : part
    if (keyword) keywordSeen = true
    else if (keywordSeen) return null
    if (name === undefined || !TIMEDELTA_FIELDS.includes(name) || !/^-?\d+$/.test(value) || fields.some((field) => field.startsWith(`${name}:`))) return null
    fields.push(`${name}: ${value}`)
  }
  return `timedelta({ ${fields.join(', ')} })`
}

const ENV_READ = String.raw`os\.(?:environ\.get|getenv)\(\s*(?:"[^"]*"|'[^']*')`

function isPlainEnvironmentRead(expression: string): boolean {
  return new RegExp(`^(?:${ENV_READ}\\s*\\)|os\\.environ\\[\\s*(?:"[^"]*"|'[^']*')\\s*\\])$`).test(expression.trim())
}

/** The default of `os.environ.get("X", <literal>)` / `os.getenv("X", <literal>)` as a TypeScript string literal. */
function literalDefault(expression: string): string | undefined {
  const match = new RegExp(`^${ENV_READ}\\s*,\\s*("(?:[^"\\\\]|\\\\.)*"|'(?:[^'\\\\]|\\\\.)*')\\s*\\)$`).exec(expression.trim())
  if (match === null) return undefined
  const raw = match[1]
  if (raw.includes('\\')) return undefined
  return tsString(raw.slice(1, -1))
}

/**
 * Two lines of `.env.example`: a comment, then `NAME=value`. Project text cannot add lines: the
 * comment goes through commentText, a value that is not plain is double-quoted with escapes (as
 * dotenv reads it), and a name a shell could not export stays in a comment.
 */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function envEntry(comment: string, name: string, value: string): string[] {
  const quoted = /^[\w.,:/@%+-]*$/.test(value) ? value : JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return [`# ${commentText(comment)}`, `# (set the variable ${commentText(JSON.stringify(name))} in the environment: not a name a .env file can hold)`]
  return [`# ${commentText(comment)}`, `${name}=${quoted}`]
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\*\//g, '* /').trim()
}
