import type { Finding } from './types.js'

/** Findings in the one stable order every output uses: file, line, column, rule id, message. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      compare(a.location.file, b.location.file) ||
      a.location.line - b.location.line ||
      a.location.column - b.location.column ||
      compare(a.ruleId, b.ruleId) ||
      compare(a.message, b.message),
  )
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Rules whose findings mean the analysis may not have seen every route: a rule, a blueprint, a
 * view or a module it could not read, or an extension that adds routes of its own. While one of
 * them is reported, readiness counts each as one more route of unknown status, so it is never
 * 100%. Each of these rules says `hides_routes: true` in its rules/<id>.yaml (a test checks both).
 */
export const HIDES_ROUTES: ReadonlySet<string> = new Set([
  'conditional-setup',
  'dynamic-blueprint',
  'dynamic-route',
  'extension-routes-unknown',
  'missing-definition',
  'python-syntax-error',
  'skipped-file',
  'unresolved-view',
])
