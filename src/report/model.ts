import { HIDES_ROUTES, sortFindings } from '../ir/findings.js'
import type { AppIR, Finding, ProjectIR, Severity, SourceLocation } from '../ir/types.js'
import { fingerprintFindings } from './fingerprint.js'
import { applySuppressions, type Suppression } from './suppress.js'

export type { Suppression } from './suppress.js'

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

/** One cause that makes stubs of several routes: what a team fixes first. */
export interface Blocker {
  cause: string
  /** Stubbed routes this cause applies to (a route with two causes counts for both). */
  routes: number
  endpoints: string[]
}

export interface ReportFinding extends Finding {
  docs: string
  /**
   * Identity of the finding across runs, for baselines and SARIF's partialFingerprints: a hash
   * of rule id, file, endpoint and the normalised source line, then `:N` (see fingerprint.ts).
   * Unrelated lines added above it do not change it.
   */
  fingerprint: string
}

/** A finding a `# migrate: ignore…` comment or the configuration's `disable` suppresses: listed, counted, not checked. */
export interface SuppressedFinding extends ReportFinding {
  suppression: Suppression
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
    /** Routes with a view of the project's: every route but the automatic `static` ones. */
    views: number
    viewsMigrated: number
    /** Places where the analysis may have missed routes (findings of a rule in HIDES_ROUTES). */
    unknownRouteSources: number
    /**
     * Share of the project's views migrated, 0–100, rounded down, over the views found, the static
     * rules the service does not serve, and one unknown route per unknown route source: never 100
     * while a route is a stub or a source of routes was not read. What --check compares with
     * --min-readiness.
     */
    readiness: number
    /** The same share over every route found, `static` included and unknown sources left out. */
    routeReadiness: number
    /** Causes shared by stubbed routes (a decorator, a hook, an extension's resources), most routes first. */
    blockers: Blocker[]
    /** Findings in force (suppressed ones are not counted here). */
    findings: Record<Severity, number>
    /** Findings suppressed by a comment or the configuration (listed in `suppressed`). */
    suppressed: number
    /** Rough hours of hand work left (see EFFORT in src/report/model.ts). */
    effortHours: number
  }
  routes: RouteRow[]
  /** Endpoints the service serves itself (every rule migrated), sorted: the rest go to LEGACY_URL when it is set. */
  nativeEndpoints: string[]
  /**
   * Of those, what goes to LEGACY_URL too when it is set, unless LEGACY_SPLIT_STATE=1 (as LEGACY_ROUTES
   * names endpoints: `endpoint`, `blueprint.*`, `*`): their code reads or changes data kept in
   * process memory (process-local-state), which the Flask app keeps apart. Absent when none.
   */
  legacySharedState?: string[]
  findings: ReportFinding[]
  /** Findings suppressed by `# migrate: ignore…` comments or the configuration's `disable`, in the same order. */
  suppressed: SuppressedFinding[]
  /** The rules of `findings` (suppressed findings left out). */
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
  /** A project file's source text (path relative to the project), for fingerprints and `# migrate: ignore` comments. */
  sourceOf?: (file: string) => string | undefined
  /** Applied to a source line before it is hashed into a fingerprint (the pipeline redacts secrets). */
  redact?: (text: string) => string
  /** Rule ids the configuration disables, and its file (relative to the project): their findings are suppressed. */
  disable?: { rules: readonly string[]; file: string }
  /** The native endpoints that share process-local state with the Flask app (emit's `endpoints.sharedState`). */
  sharedState?: string[]
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
  const sourceOf = input.sourceOf ?? (() => undefined)
  // Every finding, suppressed or not, counts for readiness, blockers and effort: a comment does not migrate a route.
  const findings = fingerprintFindings(
    uniqueFindings(input.findings).map((finding) => ({ ...finding, docs: ruleDocs(finding.ruleId) })),
    sourceOf,
    input.redact,
  )
  const { active, suppressed } = applySuppressions(findings, { sourceOf, ...(input.disable !== undefined ? { disable: input.disable } : {}) })
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 }
  for (const finding of findings) counts[finding.severity]++
  const activeCounts: Record<Severity, number> = { error: 0, warning: 0, info: 0 }
  for (const finding of active) activeCounts[finding.severity]++
  const stubbed = rows.filter((row) => row.status === 'stub').length
  const migrated = rows.length - stubbed
  const routeReadiness = rows.length === 0 ? 100 : Math.floor((migrated * 100) / rows.length)
  const viewRows = rows.filter((_, index) => !isStaticRule(app!.routes[index]!))
  const viewsMigrated = viewRows.filter((row) => row.status === 'migrated').length
  const unknownRouteSources = findings.filter((finding) => HIDES_ROUTES.has(finding.ruleId)).length
  // A static rule the service serves adds nothing to the views; one it does not serve is work left.
  const stubbedStatic = rows.length - viewRows.length - rows.filter((row, index) => row.status === 'migrated' && isStaticRule(app!.routes[index]!)).length
  const counted = viewRows.length + stubbedStatic + unknownRouteSources
  const readiness = counted === 0 ? 100 : Math.min(Math.floor((viewsMigrated * 100) / counted), viewsMigrated === counted ? 100 : 99)
  const blockers = blockersOf(rows, findings)
  const stubEndpoints = new Set(rows.filter((row) => row.status === 'stub').map((row) => row.endpoint))
  const looseErrors = findings.filter((finding) => finding.severity === 'error' && !(finding.endpoint !== undefined && stubEndpoints.has(finding.endpoint))).length
  const effortHours = roundHalf(EFFORT.stubbedRoute * stubbed + EFFORT.error * looseErrors + EFFORT.warning * counts.warning)

  const rules = new Map<string, RuleSummary>()
  for (const finding of active) {
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
    summary: {
      routes: rows.length,
      migrated,
      stubbed,
      views: viewRows.length,
      viewsMigrated,
      unknownRouteSources,
      readiness,
      routeReadiness,
      blockers,
      findings: activeCounts,
      suppressed: suppressed.length,
      effortHours,
    },
    routes: rows,
    nativeEndpoints: [...new Set(rows.map((row) => row.endpoint))].filter((endpoint) => !stubEndpoints.has(endpoint)).sort(compare),
    ...(input.sharedState !== undefined && input.sharedState.length > 0 ? { legacySharedState: input.sharedState } : {}),
    findings: active,
    suppressed,
    rules: [...rules.values()].sort((a, b) => compare(a.id, b.id)),
    files: [...input.files].sort(compare),
  }
}

/** Flask's automatic rule for a static folder (the app's or a blueprint's): not a view of the project. */
function isStaticRule(route: AppIR['routes'][number]): boolean {
  return route.view === null && (route.endpoint === 'static' || route.endpoint.endsWith('.static'))
}

const HOOK_REASON = /^(before_request|after_request|teardown_request|before_app_request|after_app_request|teardown_app_request|before_first_request|url_value_preprocessor|url_defaults|context_processor):(.+)$/

/** Causes shared by stubbed routes: untranslated hooks (route reasons) and findings' blockers (decorators, extensions). */
function blockersOf(rows: RouteRow[], findings: ReportFinding[]): Blocker[] {
  const byCause = new Map<string, Set<number>>()
  const add = (cause: string, row: number): void => {
    if (!byCause.has(cause)) byCause.set(cause, new Set())
    byCause.get(cause)!.add(row)
  }
  const rowsByEndpoint = new Map<string, number[]>()
  rows.forEach((row, index) => {
    if (row.status !== 'stub') return
    rowsByEndpoint.set(row.endpoint, [...(rowsByEndpoint.get(row.endpoint) ?? []), index])
    for (const reason of row.reasons) {
      const hook = HOOK_REASON.exec(reason)
      if (hook) add(`${hook[1]} hook ${hook[2]}`, index)
    }
  })
  for (const finding of findings) {
    if (finding.endpoint === undefined || finding.blockers === undefined) continue
    for (const index of rowsByEndpoint.get(finding.endpoint) ?? []) for (const cause of finding.blockers) add(cause, index)
  }
  return [...byCause]
    .map(([cause, indexes]) => ({ cause, routes: indexes.size, endpoints: [...new Set([...indexes].map((index) => rows[index]!.endpoint))].sort(compare) }))
    .sort((a, b) => b.routes - a.routes || compare(a.cause, b.cause))
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
