import type { MigrationReport } from './model.js'
import { readinessDetail } from './markdown.js'
import { where } from './model.js'
import { describeSuppression } from './suppress.js'

/** The short summary printed after a run or on --dry-run / --check. */
export function renderText(report: MigrationReport): string {
  const { summary } = report
  const lines: string[] = []
  const app = report.app !== null ? report.app.id : '(no app)'
  lines.push(`${app}: ${summary.routes} routes, ${summary.migrated} migrated, ${summary.stubbed} stubs, readiness ${summary.readiness}% (${readinessDetail(report)}; ${summary.routeReadiness}% of all routes with static)`)
  for (const blocker of summary.blockers.slice(0, 5)) lines.push(`  blocker  ${blocker.cause} blocks ${blocker.routes} route${blocker.routes === 1 ? '' : 's'}`)
  const suppressed = summary.suppressed > 0 ? `, ${summary.suppressed} suppressed` : ''
  lines.push(`findings: ${summary.findings.error} errors, ${summary.findings.warning} warnings, ${summary.findings.info} info${suppressed}; effort about ${summary.effortHours} h`)
  for (const route of report.routes.filter((item) => item.status === 'stub')) {
    lines.push(`  stub     ${where(route.location)}  ${route.endpoint} ${route.rule}${route.reasons.length > 0 ? `  (${route.reasons.join(', ')})` : ''}`)
  }
  for (const finding of report.findings) {
    lines.push(`  ${finding.severity.padEnd(8)} ${where(finding.location)}  ${finding.ruleId}: ${finding.message.replace(/\s*\n\s*/g, ' ')}`)
  }
  for (const finding of report.suppressed) {
    lines.push(`  suppressed ${finding.severity} ${where(finding.location)}  ${finding.ruleId}: ${finding.message.replace(/\s*\n\s*/g, ' ')}  (${describeSuppression(finding.suppression)})`)
  }
  return `${lines.join('\n')}\n`
}
