import type { MigrationReport } from './model.js'

/** `migration-report.json`: the report object, keys in a fixed order, two-space indent. */
export function renderJson(report: MigrationReport): string {
  return `${JSON.stringify(report, null, 2)}\n`
}
