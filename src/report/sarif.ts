import type { Log, ReportingDescriptor, Result } from 'sarif'
import type { Severity } from '../ir/types.js'
import { TOOL_NAME, TOOL_VERSION, type MigrationReport, type ReportFinding, type SuppressedFinding } from './model.js'
import type { RuleDoc } from './rule-docs.js'
import { describeSuppression } from './suppress.js'

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' }

/** The key of `partialFingerprints` that holds the finding's fingerprint (the baseline's). */
export const FINGERPRINT_KEY = 'migrateFingerprint/v1'

export interface SarifOptions {
  /**
   * Where the project's paths are relative to: `repository`, the root of the git repository
   * that contains the Flask project, with `prefix` the project's folder in it (`services/api/`);
   * or `project`, the Flask project's folder (no git repository). Default: the project.
   */
  root?: { kind: 'repository' | 'project'; prefix: string }
  /** Each rule's rules/<id>.yaml, for `fullDescription` and `help`. */
  rules?: ReadonlyMap<string, RuleDoc>
  /** Fingerprints of the baseline in force: each result then has a `baselineState`. */
  baseline?: ReadonlySet<string>
}

/**
 * SARIF 2.1.0 log: one run, one result per finding (suppressed findings too, with their
 * `suppressions`), locations relative to `%SRCROOT%` (the git repository's root, or the project's
 * folder when there is none), `partialFingerprints` with the baseline's fingerprint.
 */
export function renderSarif(report: MigrationReport, options: SarifOptions = {}): string {
  const root = options.root ?? { kind: 'project', prefix: '' }
  const all: (ReportFinding | SuppressedFinding)[] = [...report.findings, ...report.suppressed]
  const ruleIds = [...new Set(all.map((finding) => finding.ruleId))].sort()
  const severities = new Map<string, Severity>()
  for (const finding of all) {
    const known = severities.get(finding.ruleId)
    if (known === undefined || RANK[finding.severity] < RANK[known]) severities.set(finding.ruleId, finding.severity)
  }
  const ruleIndex = new Map(ruleIds.map((id, index) => [id, index]))
  const result = (finding: ReportFinding | SuppressedFinding): Result => ({
    ruleId: finding.ruleId,
    ruleIndex: ruleIndex.get(finding.ruleId) ?? -1,
    level: LEVEL[finding.severity],
    message: { text: finding.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeUri(`${root.prefix}${finding.location.file}`), uriBaseId: '%SRCROOT%' },
          region: { startLine: Math.max(1, finding.location.line), startColumn: Math.max(1, finding.location.column) },
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    ...(options.baseline !== undefined ? { baselineState: options.baseline.has(finding.fingerprint) ? ('unchanged' as const) : ('new' as const) } : {}),
    ...('suppression' in finding
      ? {
          suppressions: [
            {
              kind: finding.suppression.kind === 'config' ? ('external' as const) : ('inSource' as const),
              justification: describeSuppression(finding.suppression),
              location: {
                physicalLocation: {
                  artifactLocation: { uri: encodeUri(`${root.prefix}${finding.suppression.location.file}`), uriBaseId: '%SRCROOT%' },
                  ...(finding.suppression.location.line >= 1 ? { region: { startLine: finding.suppression.location.line } } : {}),
                },
              },
            },
          ],
        }
      : {}),
    ...(finding.endpoint !== undefined ? { properties: { endpoint: finding.endpoint } } : {}),
  })
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: TOOL_VERSION,
            rules: ruleIds.map((id) => ruleDescriptor(id, severities.get(id)!, options.rules?.get(id))),
          },
        },
        originalUriBaseIds: {
          '%SRCROOT%': {
            description: {
              text: root.kind === 'repository' ? 'The root of the git repository that contains the Flask project.' : 'The Flask project folder.',
            },
          },
        },
        columnKind: 'unicodeCodePoints',
        results: all.map(result),
      },
    ],
  }
  return `${JSON.stringify(log, null, 2)}\n`
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 }

function ruleDescriptor(id: string, severity: Severity, doc: RuleDoc | undefined): ReportingDescriptor {
  const docs = `rules/${id}.yaml`
  const short = doc?.message ?? `Flask → Hono migration rule ${id}`
  const text: string[] = []
  const markdown: string[] = []
  const section = (title: string, body: string | undefined, code = false): void => {
    if (body === undefined) return
    text.push(`${title}:\n${body}`)
    markdown.push(`**${title}**\n\n${code ? `\`\`\`python\n${body}\n\`\`\`` : body}`)
  }
  section('What it finds', doc?.what)
  section('Why', doc?.why)
  section('Example', doc?.example, true)
  section('How to migrate', doc?.howToMigrate)
  text.push(`Documentation: ${docs} in the flask-to-hono-migrate package.`)
  markdown.push(`Documentation: \`${docs}\` in the flask-to-hono-migrate package.`)
  return {
    id,
    name: id,
    shortDescription: { text: short },
    fullDescription: { text: doc?.what ?? short },
    help: { text: text.join('\n\n'), markdown: markdown.join('\n\n') },
    defaultConfiguration: { level: LEVEL[severity] },
    properties: { docs },
  }
}

function encodeUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}
