import { createHash } from 'node:crypto'
import type { Severity } from '../ir/types.js'
import { EFFORT, TOOL_NAME, TOOL_VERSION, where, type MigrationReport, type ReportFinding, type RouteRow } from './model.js'
import type { RuleDoc } from './rule-docs.js'
import { describeSuppression } from './suppress.js'

/**
 * `MIGRATION_REPORT.html`: the report as one self-contained page (inline CSS, a small inline
 * script, inline SVG; nothing loaded from anywhere). It reads without JavaScript; the script only
 * adds sorting and filtering to the route table. Every string of the project (endpoints, rules,
 * messages, file names, source lines) goes through `escapeHtml`, and a Content-Security-Policy
 * lets only this file's own style and script run. Same report and options → same bytes.
 */
export interface HtmlOptions {
  /** Source text by project file (as in findings' `location.file`), for the excerpt around each finding. Redact secrets before. */
  sources?: ReadonlyMap<string, string>
  /** Each rule's documentation (`loadRuleDocs`), for its what and how-to-migrate. */
  rules?: ReadonlyMap<string, RuleDoc>
  /** Lines shown before and after a finding's line. Default 2. */
  context?: number
}

/** The one escaping function: text or attribute value → HTML that shows it as text. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!)
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Longest source line shown in an excerpt; longer ones are cut with an ellipsis. */
const MAX_LINE = 240
/** Endpoints listed per blocker before the rest fold into "N more". */
const BLOCKER_ENDPOINTS = 8
const APP_LABEL = '(app)'
const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 }

export function renderHtml(report: MigrationReport, options: HtmlOptions = {}): string {
  const title = `Migration report${report.app !== null ? `: ${report.app.id}` : ''}`
  const csp = `default-src 'none'; style-src '${sha256(STYLE)}'; script-src '${sha256(SCRIPT)}'; base-uri 'none'; form-action 'none'`
  const parts = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="${escapeHtml(`${TOOL_NAME} ${TOOL_VERSION}`)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    header(report),
    '<main>',
    summary(report),
    blueprintChart(report),
    blockers(report),
    routeTable(report),
    findings(report, options),
    suppressedFindings(report),
    '</main>',
    `<footer>Made by ${escapeHtml(TOOL_NAME)} ${escapeHtml(TOOL_VERSION)}. Rule documentation: <code>rules/&lt;id&gt;.yaml</code> in the ${escapeHtml(TOOL_NAME)} repository. The same facts are in <code>MIGRATION_REPORT.md</code> and <code>migration-report.json</code>.</footer>`,
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
  ]
  return `${parts.join('\n')}\n`
}

function header(report: MigrationReport): string {
  const app = report.app
  const about = app !== null ? `Flask app <code>${escapeHtml(app.id)}</code> (${escapeHtml(where(app.location))}) migrated to Hono` : 'No Flask app found'
  return [
    '<header>',
    `<h1>Migration report${app !== null ? ` <span class="app">${escapeHtml(app.id)}</span>` : ''}</h1>`,
    `<p class="about">${about}</p>`,
    `<nav><a href="#summary">Summary</a> <a href="#blueprints">By blueprint</a> <a href="#blockers">Blockers</a> <a href="#routes">Routes</a> <a href="#findings">Findings</a>${report.suppressed.length > 0 ? ' <a href="#suppressed">Suppressed</a>' : ''}</nav>`,
    '</header>',
  ].join('\n')
}

function summary(report: MigrationReport): string {
  const s = report.summary
  const unknown = s.unknownRouteSources
  const top = s.blockers[0]
  const cards = [
    card('Routes migrated', `${s.migrated} <small>of ${s.routes}</small>`, `${s.routeReadiness}% of every route, the automatic <code>static</code> rules included`),
    card('Stubs', String(s.stubbed), `route${s.stubbed === 1 ? '' : 's'} answer 501 Not Implemented and name ${s.stubbed === 1 ? 'its' : 'their'} endpoint`, s.stubbed > 0 ? 'bad' : 'good'),
    card(
      'Unknown route sources',
      String(unknown),
      unknown === 0 ? 'every source of routes was read' : `place${unknown === 1 ? '' : 's'} where routes may be missing; each counts as one route not migrated`,
      unknown > 0 ? 'bad' : 'good',
    ),
    card('Effort', `≈ ${s.effortHours} <small>h</small>`, `${EFFORT.stubbedRoute} h per stub, ${EFFORT.error} h per other error, ${EFFORT.warning} h per warning`),
    card(
      'Findings',
      String(s.findings.error + s.findings.warning + s.findings.info),
      `<span class="sev error">${s.findings.error} error${s.findings.error === 1 ? '' : 's'}</span> <span class="sev warning">${s.findings.warning} warning${s.findings.warning === 1 ? '' : 's'}</span> <span class="sev info">${s.findings.info} info</span>${
        s.suppressed > 0 ? `; <a href="#suppressed">${s.suppressed} suppressed</a>` : ''
      }`,
    ),
    top === undefined
      ? card('Top blocker', 'none', 'no cause is shared by stubbed routes')
      : card(
          'Top blocker',
          `${top.routes} <small>route${top.routes === 1 ? '' : 's'}</small>`,
          `${code(top.cause)}; <a href="#blockers">${s.blockers.length} cause${s.blockers.length === 1 ? '' : 's'} in all</a>`,
        ),
  ]
  return [
    '<section id="summary" class="summary">',
    '<div class="readiness">',
    '<h2>Readiness</h2>',
    `<p class="big ${levelOf(s.readiness)}" id="readiness">${s.readiness}%</p>`,
    meter(s.readiness, `readiness ${s.readiness}%`),
    `<p>of the project's views carried over with the same behaviour: ${s.viewsMigrated} of ${s.views} views migrated${
      unknown > 0 ? `, ${unknown} source${unknown === 1 ? '' : 's'} of routes not read` : ''
    }.</p>`,
    '</div>',
    `<div class="cards">${cards.join('')}</div>`,
    '</section>',
  ].join('\n')
}

function card(label: string, value: string, note: string, tone = ''): string {
  return `<div class="card${tone !== '' ? ` ${tone}` : ''}"><div class="label">${label}</div><div class="value">${value}</div><div class="note">${note}</div></div>`
}

function levelOf(percent: number): string {
  return percent >= 100 ? 'good' : percent >= 50 ? 'fair' : 'bad'
}

function meter(percent: number, label: string): string {
  const width = 400
  const filled = Math.round((width * Math.max(0, Math.min(100, percent))) / 100)
  return `<svg class="meter" viewBox="0 0 ${width} 12" width="${width}" height="12" role="img" aria-label="${escapeHtml(label)}"><rect class="track" width="${width}" height="12" rx="6"/>${
    filled > 0 ? `<rect class="fill ${levelOf(percent)}" width="${filled}" height="12" rx="6"/>` : ''
  }</svg>`
}

interface BlueprintStats {
  name: string
  label: string
  total: number
  migrated: number
}

/** Per blueprint (the app's own routes as `(app)` first, then by name): migrated of total. */
export function blueprintStats(routes: readonly RouteRow[]): BlueprintStats[] {
  const stats = new Map<string, BlueprintStats>()
  for (const route of routes) {
    const name = route.blueprint ?? ''
    let entry = stats.get(name)
    if (entry === undefined) {
      entry = { name, label: route.blueprint ?? APP_LABEL, total: 0, migrated: 0 }
      stats.set(name, entry)
    }
    entry.total++
    if (route.status === 'migrated') entry.migrated++
  }
  return [...stats.values()].sort((a, b) => compare(a.name, b.name))
}

function blueprintChart(report: MigrationReport): string {
  const stats = blueprintStats(report.routes)
  const lines = ['<section id="blueprints">', '<h2>Readiness by blueprint</h2>']
  if (stats.length === 0) return [...lines, '<p>The app has no routes.</p>', '</section>'].join('\n')
  const rowHeight = 34
  const labelWidth = 190
  const barWidth = 440
  const width = labelWidth + barWidth + 170
  const height = stats.length * rowHeight + 8
  lines.push(
    `<svg class="chart" id="blueprint-chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Share of routes migrated per blueprint">`,
  )
  stats.forEach((entry, index) => {
    const y = index * rowHeight + 4
    const percent = Math.floor((entry.migrated * 100) / entry.total)
    const migrated = Math.round((barWidth * entry.migrated) / entry.total)
    const label = entry.label.length > 26 ? `${entry.label.slice(0, 25)}…` : entry.label
    lines.push(
      `<g class="bar" data-blueprint="${escapeHtml(entry.label)}" transform="translate(0 ${y})">`,
      `<title>${escapeHtml(`${entry.label}: ${entry.migrated} of ${entry.total} routes migrated (${percent}%)`)}</title>`,
      `<text class="label" x="${labelWidth - 10}" y="17" text-anchor="end">${escapeHtml(label)}</text>`,
      `<rect class="stub" x="${labelWidth}" y="4" width="${barWidth}" height="18" rx="3"/>`,
      migrated > 0 ? `<rect class="migrated" x="${labelWidth}" y="4" width="${migrated}" height="18" rx="3"/>` : '',
      `<text class="value" x="${labelWidth + barWidth + 10}" y="17">${percent}% · ${entry.migrated} of ${entry.total}</text>`,
      '</g>',
    )
  })
  lines.push('</svg>')
  lines.push('<p class="legend"><span class="swatch migrated"></span>migrated <span class="swatch stub"></span>stub (answers 501)</p>')
  lines.push('</section>')
  return lines.filter((line) => line !== '').join('\n')
}

function blockers(report: MigrationReport): string {
  const list = report.summary.blockers
  const lines = ['<section id="blockers">', '<h2>Blockers</h2>']
  if (list.length === 0) return [...lines, '<p>No cause is shared by stubbed routes.</p>', '</section>'].join('\n')
  lines.push('<p>Causes shared by stubbed routes, most routes first: fixing one unblocks every route it names.</p>')
  lines.push('<table class="blockers"><thead><tr><th>Cause</th><th>Routes</th><th>Endpoints</th></tr></thead><tbody>')
  const most = Math.max(1, ...list.map((blocker) => blocker.routes))
  for (const blocker of list) {
    const shown = blocker.endpoints.slice(0, BLOCKER_ENDPOINTS).map(code).join(' ')
    const rest = blocker.endpoints.slice(BLOCKER_ENDPOINTS)
    const more = rest.length > 0 ? ` <details class="more"><summary>${rest.length} more</summary>${rest.map(code).join(' ')}</details>` : ''
    const width = Math.max(2, Math.round((120 * blocker.routes) / most))
    lines.push(
      `<tr><td>${code(blocker.cause)}</td><td class="num"><svg class="mini" viewBox="0 0 120 10" width="120" height="10" aria-hidden="true"><rect width="${width}" height="10" rx="2"/></svg> ${blocker.routes}</td><td>${shown}${more}</td></tr>`,
    )
  }
  lines.push('</tbody></table>', '</section>')
  return lines.join('\n')
}

const ROUTE_COLUMNS = ['#', 'Methods', 'Rule', 'Endpoint', 'Blueprint', 'Source', 'Status', 'Reasons']

function routeTable(report: MigrationReport): string {
  const routes = report.routes
  const lines = ['<section id="routes">', '<h2>Routes</h2>']
  if (routes.length === 0) return [...lines, '<p>The app has no routes.</p>', '</section>'].join('\n')
  const ruleIds = new Set(report.rules.map((rule) => rule.id))
  lines.push(
    '<div class="controls" id="route-controls" hidden>',
    '<label>Filter <input type="search" id="route-filter" placeholder="rule, endpoint, file, reason…" autocomplete="off"></label>',
    '<label>Status <select id="route-status"><option value="">all</option><option value="migrated">migrated</option><option value="stub">stub</option></select></label>',
    `<output id="route-count" for="route-filter route-status">${routes.length} of ${routes.length} routes</output>`,
    '</div>',
    '<div class="scroll">',
    `<table class="routes" id="route-table"><thead><tr>${ROUTE_COLUMNS.map((column) => `<th scope="col">${escapeHtml(column)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
  )
  routes.forEach((route, index) => {
    const reasons = route.reasons.map((reason) => (ruleIds.has(reason) ? `<a href="#rule-${escapeHtml(reason)}">${code(reason)}</a>` : code(reason))).join(' ')
    const location = where(route.location)
    const cells = [
      `<td class="num">${index + 1}</td>`,
      `<td class="nowrap" data-sort="${escapeHtml(route.methods.join(' '))}">${route.methods.map((method) => `<span class="method">${escapeHtml(method)}</span>`).join(' ')}</td>`,
      `<td class="nowrap">${code(route.rule)}</td>`,
      `<td class="nowrap">${code(route.endpoint)}</td>`,
      `<td>${escapeHtml(route.blueprint ?? APP_LABEL)}</td>`,
      `<td class="where nowrap">${escapeHtml(location)}</td>`,
      `<td><span class="status ${escapeHtml(route.status)}">${escapeHtml(route.status)}</span></td>`,
      `<td class="reasons">${reasons}</td>`,
    ]
    lines.push(`<tr data-status="${escapeHtml(route.status)}" data-index="${index}">${cells.join('')}</tr>`)
  })
  lines.push('</tbody>', `<tfoot><tr id="route-empty" hidden><td colspan="${ROUTE_COLUMNS.length}">No route matches the filter.</td></tr></tfoot>`, '</table>', '</div>', '</section>')
  return lines.join('\n')
}

function findings(report: MigrationReport, options: HtmlOptions): string {
  const lines = ['<section id="findings">', '<h2>Findings</h2>']
  if (report.findings.length === 0) return [...lines, '<p>None.</p>', '</section>'].join('\n')
  lines.push(
    `<p>${report.findings.length} finding${report.findings.length === 1 ? '' : 's'} under ${report.rules.length} rule${report.rules.length === 1 ? '' : 's'} (errors first), each with the rule's advice and the source around it. <button type="button" id="expand-all" hidden>Expand all</button></p>`,
  )
  const excerpts = new Excerpts(options.sources, options.context ?? 2)
  const byRule = new Map<string, ReportFinding[]>()
  for (const finding of report.findings) byRule.set(finding.ruleId, [...(byRule.get(finding.ruleId) ?? []), finding])
  // Errors first, then the rules with the most findings.
  const rules = [...report.rules].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.count - a.count || compare(a.id, b.id))
  for (const rule of rules) {
    const doc = options.rules?.get(rule.id)
    const list = byRule.get(rule.id) ?? []
    lines.push(
      `<section class="rule" id="rule-${escapeHtml(rule.id)}">`,
      `<h3>${severity(rule.severity)} <code>${escapeHtml(rule.id)}</code> <span class="count">${rule.count}</span></h3>`,
    )
    if (doc?.message !== undefined) lines.push(`<p class="rule-message">${prose(doc.message)}</p>`)
    const advice: string[] = []
    if (doc?.what !== undefined) advice.push(`<dt>What</dt><dd>${prose(doc.what)}</dd>`)
    if (doc?.howToMigrate !== undefined) advice.push(`<dt>How to migrate</dt><dd>${prose(doc.howToMigrate)}</dd>`)
    advice.push(`<dt>Docs</dt><dd><code>${escapeHtml(rule.docs)}</code>${doc?.example !== undefined ? ` <details class="example"><summary>Example</summary><pre>${escapeHtml(doc.example)}</pre></details>` : ''}</dd>`)
    lines.push(`<dl class="advice">${advice.join('')}</dl>`)
    list.forEach((finding, index) => {
      const endpoint = finding.endpoint !== undefined ? ` ${code(finding.endpoint)}` : ''
      const excerpt = excerpts.around(finding.location.file, finding.location.line)
      lines.push(
        `<details class="finding"${index === 0 ? ' open' : ''}>`,
        `<summary>${severity(finding.severity)} <span class="where">${escapeHtml(where(finding.location))}</span>${endpoint} <span class="message">${inlineCode(escapeHtml(finding.message))}</span></summary>`,
        excerpt ?? '<p class="no-source">No source excerpt for this location.</p>',
        '</details>',
      )
    })
    lines.push('</section>')
  }
  lines.push('</section>')
  return lines.join('\n')
}

/** Findings a `# migrate: ignore` comment or the configuration's `disable` suppresses: listed, never hidden. */
function suppressedFindings(report: MigrationReport): string {
  if (report.suppressed.length === 0) return ''
  const lines = ['<section id="suppressed">', '<h2>Suppressed findings</h2>']
  lines.push(
    `<p>${report.suppressed.length} finding${report.suppressed.length === 1 ? '' : 's'} suppressed by a <code># migrate: ignore</code> comment or by <code>disable</code> in the configuration; <code>--check</code> does not count them.</p>`,
    '<ul class="suppressed">',
  )
  for (const finding of report.suppressed) {
    const endpoint = finding.endpoint !== undefined ? ` ${code(finding.endpoint)}` : ''
    lines.push(
      `<li>${severity(finding.severity)} <span class="where">${escapeHtml(where(finding.location))}</span>${endpoint} <code>${escapeHtml(finding.ruleId)}</code> <span class="message">${inlineCode(escapeHtml(finding.message))}</span> <small>(${escapeHtml(describeSuppression(finding.suppression))})</small></li>`,
    )
  }
  lines.push('</ul>', '</section>')
  return lines.join('\n')
}

/** Source lines around a location, from the project's files, numbered, the location's line marked. */
class Excerpts {
  private readonly split = new Map<string, string[]>()
  constructor(
    private readonly sources: ReadonlyMap<string, string> | undefined,
    private readonly context: number,
  ) {}

  around(file: string, line: number): string | null {
    const text = this.sources?.get(file)
    if (text === undefined || !Number.isInteger(line) || line < 1) return null
    let lines = this.split.get(file)
    if (lines === undefined) {
      lines = text.split(/\r\n|\r|\n/)
      this.split.set(file, lines)
    }
    if (line > lines.length) return null
    const first = Math.max(1, line - this.context)
    const last = Math.min(lines.length, line + this.context)
    const digits = String(last).length
    const rows: string[] = []
    for (let number = first; number <= last; number++) {
      const source = lines[number - 1]!
      const shown = source.length > MAX_LINE ? `${source.slice(0, MAX_LINE)}…` : source
      rows.push(`<span class="line${number === line ? ' hit' : ''}"><span class="ln">${String(number).padStart(digits, ' ')}</span> ${escapeHtml(shown)}</span>`)
    }
    return `<pre class="excerpt">${rows.join('')}</pre>`
  }
}

function severity(level: Severity): string {
  return `<span class="sev ${escapeHtml(level)}">${escapeHtml(level)}</span>`
}

function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`
}

/** A rule doc's text: escaped, `code` spans as code, blank lines as paragraph breaks. */
function prose(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => inlineCode(escapeHtml(paragraph.replace(/\s*\n\s*/g, ' '))))
    .join('<br><br>')
}

/** Already escaped text with its `code` spans as code (the markup is added after escaping, around escaped text). */
function inlineCode(escaped: string): string {
  return escaped.replace(/`([^`\n]+)`/g, '<code>$1</code>')
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

const STYLE = `
:root{--fg:#1f2328;--muted:#59636e;--border:#d1d9e0;--subtle:#f6f8fa;--accent:#0969da;--good:#1a7f37;--fair:#9a6700;--bad:#cf222e;--good-bg:#dafbe1;--bad-bg:#ffebe9;color-scheme:light}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",sans-serif;color:var(--fg);background:#fff}
header,main,footer{max-width:1360px;margin:0 auto;padding:0 24px}
header{padding-top:24px}
h1{font-size:26px;margin:0 0 4px;font-weight:600}
h1 .app{color:var(--muted);font-weight:400;font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,monospace;font-size:22px}
h2{font-size:19px;margin:32px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--border);font-weight:600}
h3{font-size:15px;margin:0 0 8px;font-weight:600}
.about{margin:0 0 12px;color:var(--muted)}
nav{display:flex;gap:16px;padding-bottom:12px;border-bottom:1px solid var(--border)}
nav a,a{color:var(--accent);text-decoration:none}
nav a:hover,a:hover{text-decoration:underline}
code,pre,.where{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,monospace;font-size:12.5px}
code{background:var(--subtle);border-radius:4px;padding:1px 4px;overflow-wrap:anywhere}
.nowrap{white-space:nowrap}.nowrap code{overflow-wrap:normal}
.scroll{overflow-x:auto}
.reasons code{overflow-wrap:normal;white-space:nowrap;display:inline-block;margin:0 0 2px}
.blockers td:first-child{width:28%}
.summary{display:grid;grid-template-columns:minmax(260px,1fr) 2fr;gap:24px;align-items:start;margin-top:24px}
.readiness h2{margin-top:0;border:0}
.big{font-size:56px;line-height:1;font-weight:700;margin:0 0 12px}
.big.good{color:var(--good)}.big.fair{color:var(--fair)}.big.bad{color:var(--bad)}
.meter{max-width:100%;height:auto;display:block}
.meter .track{fill:#eaeef2}.fill.good,.chart .migrated,.mini rect{fill:var(--good)}.fill.fair{fill:#d4a72c}.fill.bad{fill:var(--bad)}
.mini rect{fill:#8c959f}
.cards{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:12px}
.card{border:1px solid var(--border);border-radius:8px;padding:12px 14px;background:#fff}
.card.bad{border-left:4px solid var(--bad)}.card.good{border-left:4px solid var(--good)}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:26px;font-weight:600}
.card .value small{font-size:14px;color:var(--muted);font-weight:400}
.card .note{color:var(--muted);font-size:12.5px}
.chart{max-width:100%;height:auto;display:block}
.chart text{font:13px system-ui,sans-serif;fill:var(--fg)}
.chart .value{fill:var(--muted)}
.chart .stub{fill:#ffcecb}
.legend{color:var(--muted);font-size:12.5px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 12px;vertical-align:-1px}
.swatch.migrated{background:var(--good)}.swatch.stub{background:#ffcecb}
table{border-collapse:collapse;width:100%}
.routes{font-size:13px}.routes code{font-size:12px}
th,td{text-align:left;padding:6px 7px;border-bottom:1px solid var(--border);vertical-align:top}
thead th{background:var(--subtle);position:sticky;top:0;font-weight:600;font-size:12.5px;white-space:nowrap}
tbody tr:hover{background:#f6f8fa}
td.num{text-align:right;white-space:nowrap;color:var(--muted)}
.blockers td.num{text-align:left;color:var(--fg)}
th button{font:inherit;background:none;border:0;padding:0;cursor:pointer;color:inherit}
th button::after{content:" ↕";color:#8c959f}
th[aria-sort=ascending] button::after{content:" ↑";color:var(--fg)}
th[aria-sort=descending] button::after{content:" ↓";color:var(--fg)}
.controls{display:flex;gap:16px;align-items:center;margin:0 0 10px;flex-wrap:wrap}
.controls input,.controls select{font:inherit;padding:4px 8px;border:1px solid var(--border);border-radius:6px;margin-left:6px}
.controls input{width:280px}
.controls output{color:var(--muted)}
.method{display:inline-block;font-size:11px;font-weight:600;padding:0 5px;border-radius:4px;background:#ddf4ff;color:#0550ae}
.status{display:inline-block;font-size:12px;font-weight:600;padding:0 8px;border-radius:10px}
.status.migrated{background:var(--good-bg);color:var(--good)}
.status.stub{background:var(--bad-bg);color:var(--bad)}
.sev{display:inline-block;font-size:11px;font-weight:600;text-transform:uppercase;padding:0 6px;border-radius:4px}
.sev.error{background:var(--bad-bg);color:var(--bad)}
.sev.warning{background:#fff8c5;color:var(--fair)}
.sev.info{background:#ddf4ff;color:var(--accent)}
.rule{border:1px solid var(--border);border-radius:8px;padding:14px 16px;margin:0 0 14px}
.rule .count{color:var(--muted);font-weight:400}
.rule-message{margin:0 0 8px}
.advice{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0 0 10px;font-size:13px}
.advice dt{color:var(--muted)}
.advice dd{margin:0}
.finding{border-top:1px solid var(--border);padding:6px 0}
.finding summary{cursor:pointer}
.finding .message{color:var(--fg)}
.excerpt{background:var(--subtle);border:1px solid var(--border);border-radius:6px;padding:8px 0;margin:8px 0 4px;overflow-x:auto}
.excerpt .line{display:block;padding:0 12px;white-space:pre}
.excerpt .hit{background:#fff8c5}
.excerpt .ln{color:#8c959f;user-select:none}
.no-source{color:var(--muted);margin:6px 0}
details.more,details.example{display:inline}
details.example pre{background:var(--subtle);padding:8px 12px;border-radius:6px;overflow-x:auto}
footer{color:var(--muted);font-size:12.5px;padding:24px;border-top:1px solid var(--border);margin-top:32px}
@media (max-width:800px){.summary{grid-template-columns:1fr}.cards{grid-template-columns:repeat(2,minmax(0,1fr))}}
`

const SCRIPT = `
(function () {
  "use strict";
  var table = document.getElementById("route-table");
  if (table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var texts = rows.map(function (row) { return row.textContent.replace(/\\s+/g, " ").toLowerCase(); });
    var filter = document.getElementById("route-filter");
    var status = document.getElementById("route-status");
    var count = document.getElementById("route-count");
    var empty = document.getElementById("route-empty");
    var apply = function () {
      var query = filter.value.trim().toLowerCase();
      var wanted = status.value;
      var shown = 0;
      rows.forEach(function (row, index) {
        var visible = (wanted === "" || row.getAttribute("data-status") === wanted) && (query === "" || texts[index].indexOf(query) !== -1);
        row.hidden = !visible;
        if (visible) shown++;
      });
      count.textContent = shown + " of " + rows.length + " routes";
      empty.hidden = shown !== 0;
    };
    filter.addEventListener("input", apply);
    status.addEventListener("change", apply);
    document.getElementById("route-controls").hidden = false;
    var collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var sorted = -1;
    var direction = 1;
    var key = function (row, column) {
      var cell = row.cells[column];
      var explicit = cell.getAttribute("data-sort");
      return explicit !== null ? explicit : cell.textContent.trim();
    };
    headers.forEach(function (header, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = header.textContent;
      header.textContent = "";
      header.appendChild(button);
      header.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        direction = sorted === column ? -direction : 1;
        sorted = column;
        rows.slice().sort(function (a, b) {
          return direction * collator.compare(key(a, column), key(b, column)) || Number(a.getAttribute("data-index")) - Number(b.getAttribute("data-index"));
        }).forEach(function (row) { body.appendChild(row); });
        headers.forEach(function (other, index) { other.setAttribute("aria-sort", index === column ? (direction > 0 ? "ascending" : "descending") : "none"); });
      });
    });
  }
  var expand = document.getElementById("expand-all");
  if (expand) {
    expand.hidden = false;
    expand.addEventListener("click", function () {
      var open = expand.textContent === "Expand all";
      Array.prototype.forEach.call(document.querySelectorAll("details.finding"), function (details) { details.open = open; });
      expand.textContent = open ? "Collapse all" : "Expand all";
    });
  }
})();
`
