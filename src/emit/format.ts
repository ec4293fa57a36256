import type { Options } from 'prettier'

/** prettier, loaded on first use: a run that formats nothing (--dry-run, --check, routes) never loads it. */
const prettier = (): Promise<typeof import('prettier')> => import('prettier')

/** Fixed options, so the output never depends on a prettier config found on the user's machine. */
const PRETTIER_OPTIONS: Options = {
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
export const PRETTIER_IGNORE = ['dist', 'migrations', 'package-lock.json', 'MIGRATION_REPORT.md', 'MIGRATION_REPORT.html', 'migration-report.json', '.migrate-manifest.json', '']

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
  return parser === null ? content : (await prettier()).format(content, { ...PRETTIER_OPTIONS, parser })
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
  return (await prettier()).format(code, PRETTIER_OPTIONS)
}

export type { SyntaxCheck as ParseCheck } from '../ts-syntax.js'
