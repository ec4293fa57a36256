import { sortFindings } from '../ir/findings.js'
import type { AppIR, Finding, ProjectIR, Severity, SourceLocation } from '../ir/types.js'

export const TOOL_NAME = 'migrate'
export const TOOL_VERSION = '0.1.0'

/** Where a rule's documentation lives, relative to the tool's repository. */
export function ruleDocs(ruleId: string): string {
  return `rules/${ruleId}.yaml`
}

export interface RouteRow {
  /** Methods as `flask routes` shows them (HEAD and OPTIONS left out), sorted. */
  methods: string[]
  rule: string
  endpoint: string
  blueprint: string | null
  location: SourceLocation
  status: 'migrated' | 'stub'
  /** Rule ids explaining a stub. */
  reasons: string[]
}

export interface ReportFinding extends Finding {
  docs: string
}

export interface RuleSummary {
  id: string
  /** The most severe severity among its findings. */
  severity: Severity
  count: number
  docs: string
}

/** Everything the report formats show; `migration-report.json` is this object. */
export interface MigrationReport {
  version: 1
  tool: { name: string; version: string }
  app: { id: string; location: SourceLocation } | null
  summary: {
    routes: number
    migrated: number
    stubbed: number
    /** Share of routes migrated rather than stubbed, 0–100, rounded down (100 only when none is a stub). */
    readiness: number
    findings: Record<Severity, number>
    /** Rough hours of hand work left (see EFFORT in src/report/model.ts). */
    effortHours: number
  }
  routes: RouteRow[]
  findings: ReportFinding[]
  rules: RuleSummary[]
  /** Files of the generated service (written, or that would be written on --dry-run). */
  files: string[]
}

/** Hours per item of hand work: a stubbed route, an error not tied to a route, a warning. */
export const EFFORT = { stubbedRoute: 2, error: 1, warning: 0.25 } as const

export interface ReportInput {
  ir: ProjectIR
  app: AppIR | null
  /** Every finding of every stage (duplicates are dropped). */
  findings: Finding[]
  /** Outcome per route of the app, in url_map order (from emit). */
  routes: { endpoint: string; rule: string; status: 'migrated' | 'stub'; reasons: string[] }[]
  files: string[]
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 }

export function buildReport(input: ReportInput): MigrationReport {
  const app = input.app
  const outcomes = input.routes
  const rows: RouteRow[] = (app?.routes ?? []).map((route, index) => {
    const outcome = outcomes[index]?.rule === route.rule && outcomes[index]?.endpoint === route.endpoint ? outcomes[index] : undefined
    return {
      methods: route.allMethods.filter((method) => method !== 'HEAD' && method !== 'OPTIONS').sort(),
      rule: route.rule,
      endpoint: route.endpoint,
      blueprint: route.blueprint,
      location: route.location,
      // A route emit did not account for is not known to work.
      status: outcome?.status ?? 'stub',
      reasons: outcome?.reasons ?? (outcome === undefined ? ['not-emitted'] : []),
    }
  })
  const findings = uniqueFindings(input.findings).map((finding) => ({ ...finding, docs: ruleDocs(finding.ruleId) }))
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 }
  for (const finding of findings) counts[finding.severity]++
  const stubbed = rows.filter((row) => row.status === 'stub').length
  const migrated = rows.length - stubbed
  const readiness = rows.length === 0 ? 100 : Math.floor((migrated * 100) / rows.length)
  const stubEndpoints = new Set(rows.filter((row) => row.status === 'stub').map((row) => row.endpoint))
  const looseErrors = findings.filter((finding) => finding.severity === 'error' && !(finding.endpoint !== undefined && stubEndpoints.has(finding.endpoint))).length
  const effortHours = roundHalf(EFFORT.stubbedRoute * stubbed + EFFORT.error * looseErrors + EFFORT.warning * counts.warning)

  const rules = new Map<string, RuleSummary>()
  for (const finding of findings) {
    const rule = rules.get(finding.ruleId)
    if (rule === undefined) rules.set(finding.ruleId, { id: finding.ruleId, severity: finding.severity, count: 1, docs: finding.docs })
    else {
      rule.count++
      if (SEVERITY_RANK[finding.severity] < SEVERITY_RANK[rule.severity]) rule.severity = finding.severity
    }
  }
  return {
    version: 1,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    app: app === null ? null : { id: app.id, location: app.location },
    summary: { routes: rows.length, migrated, stubbed, readiness, findings: counts, effortHours },
    routes: rows,
    findings,
    rules: [...rules.values()].sort((a, b) => compare(a.id, b.id)),
    files: [...input.files].sort(compare),
  }
}

function roundHalf(hours: number): number {
  return Math.ceil(hours * 2) / 2
}

function uniqueFindings(findings: Finding[]): Finding[] {
  const seen = new Map<string, Finding>()
  for (const finding of findings) {
    const key = JSON.stringify([finding.ruleId, finding.severity, finding.message, finding.location.file, finding.location.line, finding.location.column, finding.endpoint ?? null])
    if (!seen.has(key)) seen.set(key, finding)
  }
  return sortFindings([...seen.values()])
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function where(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`
}
