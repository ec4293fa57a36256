import { readFileSync } from 'node:fs'
import type { UserError } from '../pipeline.js'
import type { MigrationReport } from '../report/index.js'

/**
 * A baseline file (`--write-baseline FILE`, `--baseline FILE`): the fingerprints of the findings
 * in force when it was written, with what each was, for people reading it. Only `fingerprint`
 * counts when it is read: a finding keeps its fingerprint when lines are added or removed above
 * it (see src/report/fingerprint.ts). Suppressed findings are not recorded. `readiness` is the
 * readiness then: `--check` with a baseline and no --min-readiness (option or configuration)
 * fails when readiness drops below it.
 */
export interface BaselineFile {
  version: 1
  tool: 'flask-to-hono-migrate'
  readiness: number
  findings: { fingerprint: string; ruleId: string; severity: string; file: string; line: number; message: string }[]
}

export function renderBaseline(report: MigrationReport): string {
  const file: BaselineFile = {
    version: 1,
    tool: 'flask-to-hono-migrate',
    readiness: report.summary.readiness,
    findings: report.findings.map((finding) => ({
      fingerprint: finding.fingerprint,
      ruleId: finding.ruleId,
      severity: finding.severity,
      file: finding.location.file,
      line: finding.location.line,
      message: finding.message,
    })),
  }
  return `${JSON.stringify(file, null, 2)}\n`
}

/** The fingerprints of a baseline file; a file that is missing, unreadable or not a baseline is a usage error (exit 2). */
export function readBaseline(path: string): { ok: true; fingerprints: Set<string>; readiness?: number } | { ok: false; error: UserError } {
  const bad = (message: string): { ok: false; error: UserError } => ({ ok: false, error: { message: `--baseline ${path}: ${message}`, exitCode: 2 } })
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return bad(code === 'ENOENT' ? 'no such file (write one with --write-baseline FILE)' : `cannot read: ${code ?? 'error'}`)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return bad('not JSON (a baseline is the file --write-baseline writes)')
  }
  const findings = (data as { findings?: unknown } | null)?.findings
  if (data === null || typeof data !== 'object' || (data as { version?: unknown }).version !== 1 || !Array.isArray(findings)) {
    return bad('not a migrate baseline (expected {"version": 1, "findings": [...]}, as --write-baseline writes)')
  }
  const fingerprints = new Set<string>()
  for (const item of findings) {
    const fingerprint = (item as { fingerprint?: unknown } | null)?.fingerprint
    if (typeof fingerprint !== 'string') return bad('a finding without a "fingerprint"')
    fingerprints.add(fingerprint)
  }
  const readiness = (data as { readiness?: unknown }).readiness
  if (readiness !== undefined && !(typeof readiness === 'number' && Number.isInteger(readiness) && readiness >= 0 && readiness <= 100)) {
    return bad('"readiness" is not an integer from 0 to 100')
  }
  return { ok: true, fingerprints, ...(typeof readiness === 'number' ? { readiness } : {}) }
}
