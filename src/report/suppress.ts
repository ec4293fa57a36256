import type { Finding, SourceLocation } from '../ir/types.js'

/**
 * Why a finding is suppressed. Suppressed findings stay in the report (listed and counted, never
 * hidden); they only stop counting for `--check`.
 *
 * - `line`: `# migrate: ignore[rule-id, …]` (or `# migrate: ignore`, every rule) on the finding's
 *   line, or alone on the line above it;
 * - `file`: `# migrate: ignore-file[rule-id, …]` (or `# migrate: ignore-file`) in the first
 *   FILE_DIRECTIVE_LINES lines of the file;
 * - `config`: the rule id is in `disable` of `[tool.migrate]` (pyproject.toml) or `.migrate.toml`.
 */
export interface Suppression {
  kind: 'line' | 'file' | 'config'
  /** Where it is said: the comment (file:line:column), or the configuration file (line 0). */
  location: SourceLocation
  /** The rule ids the comment or `disable` names; empty for a bare `# migrate: ignore`. */
  rules: string[]
}

/** A file-level `# migrate: ignore-file` counts in this many first lines of the file. */
export const FILE_DIRECTIVE_LINES = 10

interface Directive {
  file: boolean
  /** null: every rule. */
  rules: string[] | null
  column: number
}

/**
 * `# migrate: ignore`, `# migrate: ignore[a, b]`, and the `ignore-file` forms. Text may follow a
 * bracketed list (a reason); without brackets, the word must end there (`# migrate: ignored`
 * is not a directive). As flake8's `noqa`, a directive is read from the line's text, so one
 * written inside a string literal counts too.
 */
const DIRECTIVE = /#\s*migrate:\s*ignore(-file)?(?:\[([^\]\n]*)\]|(?=\s|$|#))/gi

export function directivesOf(line: string): Directive[] {
  const found: Directive[] = []
  for (const match of line.matchAll(DIRECTIVE)) {
    const rules =
      match[2] === undefined
        ? null
        : match[2]
            .split(',')
            .map((id) => id.trim())
            .filter((id) => id !== '')
    found.push({ file: match[1] !== undefined, rules, column: (match.index ?? 0) + 1 })
  }
  return found
}

function covers(directive: Directive, ruleId: string): boolean {
  return directive.rules === null || directive.rules.includes(ruleId)
}

export interface SuppressOptions {
  /** The project's source text of a file (relative path), when it has one. */
  sourceOf: (file: string) => string | undefined
  /** Rule ids disabled by the configuration, and the configuration file (relative to the project). */
  disable?: { rules: readonly string[]; file: string }
}

/** Splits findings into those still in force and the suppressed ones, each with its suppression. */
export function applySuppressions<T extends Finding>(findings: readonly T[], options: SuppressOptions): { active: T[]; suppressed: (T & { suppression: Suppression })[] } {
  const lines = new Map<string, string[] | null>()
  const linesOf = (file: string): string[] | null => {
    if (!lines.has(file)) {
      const source = options.sourceOf(file)
      lines.set(file, source === undefined ? null : source.split('\n'))
    }
    return lines.get(file)!
  }
  const disabled = new Set(options.disable?.rules ?? [])
  const active: T[] = []
  const suppressed: (T & { suppression: Suppression })[] = []
  for (const finding of findings) {
    const suppression = suppressionOf(finding, linesOf(finding.location.file))
    if (suppression !== null) suppressed.push({ ...finding, suppression })
    else if (disabled.has(finding.ruleId)) {
      suppressed.push({ ...finding, suppression: { kind: 'config', location: { file: options.disable!.file, line: 0, column: 0 }, rules: [finding.ruleId] } })
    } else active.push(finding)
  }
  return { active, suppressed }
}

function suppressionOf(finding: Finding, lines: string[] | null): Suppression | null {
  if (lines === null) return null
  const { file, line } = finding.location
  const at = (index: number, kind: 'line' | 'file', directive: Directive): Suppression => ({
    kind,
    location: { file, line: index + 1, column: directive.column },
    rules: directive.rules ?? [],
  })
  if (line >= 1 && line <= lines.length) {
    for (const directive of directivesOf(lines[line - 1]!)) if (!directive.file && covers(directive, finding.ruleId)) return at(line - 1, 'line', directive)
    const above = lines[line - 2]
    if (above !== undefined && above.trimStart().startsWith('#')) {
      for (const directive of directivesOf(above)) if (!directive.file && covers(directive, finding.ruleId)) return at(line - 2, 'line', directive)
    }
  }
  for (let index = 0; index < Math.min(FILE_DIRECTIVE_LINES, lines.length); index++) {
    for (const directive of directivesOf(lines[index]!)) if (directive.file && covers(directive, finding.ruleId)) return at(index, 'file', directive)
  }
  return null
}

/** `# migrate: ignore[rule-id] at app.py:12`, `rule disabled in pyproject.toml` */
export function describeSuppression(suppression: Suppression): string {
  const { kind, location, rules } = suppression
  if (kind === 'config') return `rule disabled in ${location.file}`
  return `# migrate: ${kind === 'file' ? 'ignore-file' : 'ignore'}${rules.length > 0 ? `[${rules.join(', ')}]` : ''} at ${location.file}:${location.line}`
}
