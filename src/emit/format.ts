import * as prettier from 'prettier'
import { parsers } from 'prettier/plugins/typescript'

/** Fixed options, so the output never depends on a prettier config found on the user's machine. */
const PRETTIER_OPTIONS: prettier.Options = {
  parser: 'typescript',
  semi: false,
  singleQuote: true,
  trailingComma: 'all',
  printWidth: 100,
  tabWidth: 2,
  useTabs: false,
  endOfLine: 'lf',
  arrowParens: 'always',
  bracketSpacing: true,
}

/**
 * The generated service's `.prettierrc.json`: the options every file is emitted with (prettier
 * picks the parser by file name), so that `prettier --check .` in the service passes.
 */
export function emitPrettierConfig(): string {
  const { parser: _parser, ...options } = PRETTIER_OPTIONS
  return `${JSON.stringify(options, null, 2)}\n`
}

/** Files of the service prettier would not format: build output, the lock npm writes, and migrate's reports (rewritten by each run). */
export const PRETTIER_IGNORE = ['dist', 'package-lock.json', 'MIGRATION_REPORT.md', 'MIGRATION_REPORT.html', 'migration-report.json', '.migrate-manifest.json', '']

/** prettier's parser for a file of the service, as prettier infers it from the name; null for a file it does not format (Dockerfile, .env.example). */
export function prettierParser(path: string): string | null {
  const name = path.slice(path.lastIndexOf('/') + 1)
  if (name === 'package.json' || name === 'package-lock.json') return 'json-stringify'
  if (/\.[cm]?tsx?$/.test(name)) return 'typescript'
  if (name.endsWith('.json')) return 'json'
  if (name.endsWith('.md')) return 'markdown'
  if (/\.ya?ml$/.test(name)) return 'yaml'
  return null
}

/** Formats a file of the service by its name (`prettierParser`); a file prettier does not format is returned as it is. */
export async function formatServiceFile(path: string, content: string): Promise<string> {
  const parser = prettierParser(path)
  return parser === null ? content : prettier.format(content, { ...PRETTIER_OPTIONS, parser })
}

const formattedRuntime = new Map<string, Promise<string>>()

/**
 * A runtime module (src/emit/runtime/) formatted as the service's other files: once per process
 * and content, since every service of a run (and every emit of a test) copies the same modules
 * and formatting them all costs more CPU than emitting a small app.
 */
export function formatRuntimeModule(content: string): Promise<string> {
  let formatted = formattedRuntime.get(content)
  if (formatted === undefined) {
    formatted = formatTypeScript(content)
    formattedRuntime.set(content, formatted)
    // A failure is not kept: the next service tries again (and reports it the same way).
    formatted.catch(() => formattedRuntime.delete(content))
  }
  return formatted
}

/** Formats a TypeScript file; throws the parser's error when the code is not valid TypeScript. */
export async function formatTypeScript(code: string): Promise<string> {
  return prettier.format(code, PRETTIER_OPTIONS)
}

export type ParseCheck = { ok: true } | { ok: false; message: string }

/** Whether `expression` parses as one TypeScript expression (a translated handler must). */
export async function parsesAsExpression(expression: string): Promise<ParseCheck> {
  try {
    await prettier.format(expressionModule(expression), PRETTIER_OPTIONS)
    return { ok: true }
  } catch (error) {
    return { ok: false, message: firstLine(error) }
  }
}

function expressionModule(expression: string): string {
  return `const handler = (\n${expression}\n)\n`
}

/**
 * `parsesAsExpression` for many expressions at once, by expression. Formatting each one alone
 * (parse and print) cost more than formatting the service: instead the modules
 * `parsesAsExpression` would format are parsed together, as one file, with prettier's own
 * TypeScript parser. When that file parses and each of its statements spans exactly one of those
 * modules, each would parse alone: its tokens and statement are the same, since nothing carries
 * from one top-level statement to the next (expressions with `import`/`export`, which could make
 * the file an ES module, a carriage return or a byte-order mark, which prettier rewrites, are
 * checked alone). A file that does not parse is split in halves until the expressions that fail
 * are found; those go through `parsesAsExpression`, for its exact message.
 */
export async function parsesAsExpressions(expressions: Iterable<string>): Promise<Map<string, ParseCheck>> {
  const results = new Map<string, ParseCheck>()
  const together: string[] = []
  for (const expression of new Set(expressions)) {
    if (/\b(?:import|export)\b|[\r\uFEFF]/.test(expression)) results.set(expression, await parsesAsExpression(expression))
    else together.push(expression)
  }
  const settle = async (group: string[]): Promise<void> => {
    if (group.length === 0) return
    if (group.length > 1 && (await allParse(group.map(expressionModule)))) {
      for (const expression of group) results.set(expression, { ok: true })
    } else if (group.length <= 2) {
      for (const expression of group) results.set(expression, await parsesAsExpression(expression))
    } else {
      const middle = Math.ceil(group.length / 2)
      await settle(group.slice(0, middle))
      await settle(group.slice(middle))
    }
  }
  await settle(together)
  return results
}

/** Whether the modules, written one after the other, parse with one top-level statement each. */
async function allParse(modules: string[]): Promise<boolean> {
  const parser = parsers.typescript
  let program: { body?: unknown[] }
  try {
    program = (await parser.parse(modules.join(''), {} as prettier.ParserOptions)) as { body?: unknown[] }
  } catch {
    return false
  }
  const body = program.body
  if (!Array.isArray(body) || body.length !== modules.length) return false
  let start = 0
  for (const [index, module] of modules.entries()) {
    // Each module ends with ")\n": its statement ends before that newline.
    const end = start + module.length - 1
    if (parser.locStart(body[index]) !== start || parser.locEnd(body[index]) !== end) return false
    start = end + 1
  }
  return true
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]
}
