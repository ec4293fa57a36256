import type { Severity } from '../ir/types.js'
import type { MigrationReport, ReportFinding } from './model.js'
import { where } from './model.js'

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', info: 'notice' }

export interface GithubOptions {
  /** The project's folder relative to the repository root (`services/api/`), '' when it is the root or there is none. */
  prefix?: string
  /** Fingerprints of the baseline in force: findings in it are not annotated. */
  baseline?: ReadonlySet<string>
}

/** The outcome of `--check`, for the job summary. */
export interface CheckOutcome {
  passed: boolean
  /** Why it failed, one phrase each. */
  reasons: string[]
  minReadiness: number
  failOn: string
  /** The baseline file, when one is in force. */
  baseline?: string
}

/** Findings in force that are not in the baseline (all of them without one). */
export function newFindings(report: MigrationReport, baseline?: ReadonlySet<string>): ReportFinding[] {
  return baseline === undefined ? report.findings : report.findings.filter((finding) => !baseline.has(finding.fingerprint))
}

/**
 * GitHub Actions workflow commands, one per finding in force and not in the baseline:
 * `::error file=app/views.py,line=12,col=5,title=rule-id::message` (`warning`, `notice` for info).
 * Paths are relative to the repository root. Values are escaped as GitHub's toolkit does.
 */
export function renderGithub(report: MigrationReport, options: GithubOptions = {}): string {
  const prefix = options.prefix ?? ''
  const lines = newFindings(report, options.baseline).map((finding) => {
    const { file, line, column } = finding.location
    const properties = [`file=${escapeProperty(`${prefix}${file}`)}`]
    if (line >= 1) properties.push(`line=${line}`, `col=${Math.max(1, column)}`)
    properties.push(`title=${escapeProperty(`migrate ${finding.ruleId}${finding.endpoint !== undefined ? ` (${finding.endpoint})` : ''}`)}`)
    return `::${COMMAND[finding.severity]} ${properties.join(',')}::${escapeData(finding.message)}`
  })
  return lines.length > 0 ? `${lines.join('\n')}\n` : ''
}

/** A workflow command's message: `%`, CR and LF escaped. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** A workflow command's property value: as data, and `:` and `,` too. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/** Most findings listed in the job summary (the rest are counted). */
const SUMMARY_ROWS = 50

/** The Markdown job summary (`$GITHUB_STEP_SUMMARY`): readiness, counts, the check's outcome, the new findings. */
export function renderStepSummary(report: MigrationReport, options: GithubOptions & { check?: CheckOutcome } = {}): string {
  const { summary } = report
  const prefix = options.prefix ?? ''
  const check = options.check
  const fresh = newFindings(report, options.baseline)
  const lines: string[] = []
  lines.push(`## migrate${report.app !== null ? `: \`${cell(report.app.id)}\`` : ''}`, '')
  if (check !== undefined) {
    lines.push(check.passed ? '**Check passed.**' : `**Check failed:** ${cell(check.reasons.join('; '))}.`, '')
  }
  lines.push('| | |', '| --- | --- |')
  lines.push(`| Readiness | **${summary.readiness}%**${check !== undefined ? ` (minimum ${check.minReadiness}%)` : ''}: ${summary.viewsMigrated} of ${summary.views} views migrated |`)
  lines.push(`| Findings | ${summary.findings.error} errors, ${summary.findings.warning} warnings, ${summary.findings.info} info${check !== undefined ? ` (fail on: ${check.failOn})` : ''} |`)
  if (options.baseline !== undefined) {
    lines.push(`| Baseline | ${report.findings.length - fresh.length} known${check?.baseline !== undefined ? ` (\`${cell(check.baseline)}\`)` : ''}, **${fresh.length} new** |`)
  }
  lines.push(`| Suppressed | ${summary.suppressed} (\`# migrate: ignore\` comments, \`disable\` in the configuration) |`)
  lines.push('')
  if (fresh.length > 0) {
    lines.push(`### ${options.baseline !== undefined ? 'New findings' : 'Findings'}`, '')
    lines.push('| Severity | Where | Rule | Message |', '| --- | --- | --- | --- |')
    for (const finding of fresh.slice(0, SUMMARY_ROWS)) {
      lines.push(`| ${finding.severity} | \`${cell(prefix)}${cell(where(finding.location))}\` | \`${finding.ruleId}\` | ${cell(finding.message)} |`)
    }
    if (fresh.length > SUMMARY_ROWS) lines.push('', `… and ${fresh.length - SUMMARY_ROWS} more.`)
    lines.push('')
  }
  return `${lines.join('\n')}\n`
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')
}
