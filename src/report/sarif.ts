import type { Severity } from '../ir/types.js'
import { TOOL_NAME, TOOL_VERSION, type MigrationReport } from './model.js'

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' }

/** SARIF 2.1.0 log: one run, one result per finding, locations relative to the Flask project (`%SRCROOT%`). */
export function renderSarif(report: MigrationReport): string {
  const ruleIndex = new Map(report.rules.map((rule, index) => [rule.id, index]))
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: TOOL_VERSION,
            rules: report.rules.map((rule) => ({
              id: rule.id,
              name: rule.id,
              shortDescription: { text: `Flask → Hono migration rule ${rule.id}` },
              help: { text: `See ${rule.docs} in the migrate repository.` },
              defaultConfiguration: { level: LEVEL[rule.severity] },
              properties: { docs: rule.docs },
            })),
          },
        },
        columnKind: 'unicodeCodePoints',
        results: report.findings.map((finding) => ({
          ruleId: finding.ruleId,
          ruleIndex: ruleIndex.get(finding.ruleId) ?? -1,
          level: LEVEL[finding.severity],
          message: { text: finding.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeUri(finding.location.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: Math.max(1, finding.location.line), startColumn: Math.max(1, finding.location.column) },
              },
            },
          ],
          ...(finding.endpoint !== undefined ? { properties: { endpoint: finding.endpoint } } : {}),
        })),
      },
    ],
  }
  return `${JSON.stringify(log, null, 2)}\n`
}

function encodeUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}
