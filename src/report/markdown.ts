import type { MigrationReport } from './model.js'
import { EFFORT, where } from './model.js'
import { describeSuppression } from './suppress.js'

/** `MIGRATION_REPORT.md`. `docsBase` prefixes each rule's doc link (`rules/<id>.yaml`). */
export function renderMarkdown(report: MigrationReport, docsBase = ''): string {
  const { summary } = report
  const lines: string[] = []
  lines.push(`# Migration report${report.app !== null ? `: \`${report.app.id}\`` : ''}`, '')
  lines.push('| | |', '| --- | --- |')
  lines.push(`| Readiness | **${summary.readiness}%** of views (${readinessDetail(report)}) |`)
  lines.push(`| Routes | ${summary.migrated} of ${summary.routes} migrated (${summary.routeReadiness}%, the automatic \`static\` rules included) |`)
  lines.push(`| Stubs | ${summary.stubbed} route${summary.stubbed === 1 ? '' : 's'} answer 501 Not Implemented |`)
  lines.push(`| Findings | ${summary.findings.error} errors, ${summary.findings.warning} warnings, ${summary.findings.info} info |`)
  if (summary.suppressed > 0) lines.push(`| Suppressed | ${summary.suppressed} finding${summary.suppressed === 1 ? '' : 's'} (listed under [Suppressed findings](#suppressed-findings)) |`)
  lines.push(
    `| Effort estimate | about ${summary.effortHours} hours (${EFFORT.stubbedRoute} h per stub, ${EFFORT.error} h per other error, ${EFFORT.warning} h per warning) |`,
  )
  if (report.app !== null) lines.push(`| Flask app | \`${report.app.id}\` (${where(report.app.location)}) |`)
  lines.push('')
  lines.push(
    "Readiness is the share of the project's views carried over with the same behaviour; every other route answers 501 and names its endpoint. Each place where the analysis could not read a source of routes counts as one more route not migrated.",
    '',
  )

  if (summary.blockers.length > 0) {
    lines.push('## Blockers', '', 'Causes shared by stubbed routes, most routes first: fixing one unblocks every route it names.', '')
    lines.push('| Cause | Routes | Endpoints |', '| --- | --- | --- |')
    for (const blocker of summary.blockers) {
      const shown = blocker.endpoints.slice(0, 8).map((endpoint) => `\`${cell(endpoint)}\``).join(', ')
      lines.push(`| \`${cell(blocker.cause)}\` | ${blocker.routes} | ${shown}${blocker.endpoints.length > 8 ? `, … (${blocker.endpoints.length - 8} more)` : ''} |`)
    }
    lines.push('')
  }

  lines.push('## Routes', '')
  if (report.routes.length === 0) lines.push('The app has no routes.', '')
  else {
    lines.push('| Methods | Rule | Endpoint | Source | Status |', '| --- | --- | --- | --- | --- |')
    for (const route of report.routes) {
      const status = route.status === 'migrated' ? 'migrated' : `**stub**${route.reasons.length > 0 ? ` (${route.reasons.join(', ')})` : ''}`
      lines.push(`| ${cell(route.methods.join(', '))} | \`${cell(route.rule)}\` | \`${cell(route.endpoint)}\` | ${cell(where(route.location))} | ${status} |`)
    }
    lines.push('')
  }

  lines.push('## Findings', '')
  if (report.findings.length === 0) lines.push('None.', '')
  for (const rule of report.rules) {
    lines.push(`### [${rule.id}](${docsBase}${rule.docs}) (${rule.severity}, ${rule.count})`, '')
    for (const finding of report.findings.filter((item) => item.ruleId === rule.id)) {
      const endpoint = finding.endpoint !== undefined ? ` \`${finding.endpoint}\`` : ''
      lines.push(`- ${finding.severity} ${where(finding.location)}${endpoint}: ${oneLine(finding.message)}`)
    }
    lines.push('')
  }
  if (report.suppressed.length > 0) {
    lines.push('## Suppressed findings', '', 'Suppressed by a `# migrate: ignore` comment or by `disable` in the configuration: `--check` does not count them.', '')
    for (const finding of report.suppressed) {
      const endpoint = finding.endpoint !== undefined ? ` \`${finding.endpoint}\`` : ''
      lines.push(`- ${finding.severity} ${where(finding.location)}${endpoint} [${finding.ruleId}](${docsBase}${finding.docs}): ${oneLine(finding.message)} (${oneLine(describeSuppression(finding.suppression))})`)
    }
    lines.push('')
  }
  return lines.join('\n')
}

/** `3 of 10 views migrated; 2 route sources unread` */
export function readinessDetail(report: MigrationReport): string {
  const { summary } = report
  const unknown = summary.unknownRouteSources
  return `${summary.viewsMigrated} of ${summary.views} views migrated${unknown > 0 ? `; ${unknown} source${unknown === 1 ? '' : 's'} of routes not read, counted as routes not migrated` : ''}`
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ')
}
