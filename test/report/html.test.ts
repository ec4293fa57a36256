import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { emitProject } from '../../src/emit/index.js'
import { readRuntimeFiles } from '../../src/emit/runtime-files.js'
import { buildReport, escapeHtml, loadRuleDocs, renderHtml, type MigrationReport } from '../../src/report/index.js'
import { blueprintStats } from '../../src/report/html.js'
import { sampleProject, sampleTranslation } from '../emit/fixture.js'

async function sampleReport(): Promise<MigrationReport> {
  const ir = sampleProject()
  const translation = sampleTranslation()
  const emitted = await emitProject({ ir, app: ir.apps[0], translation, runtimeFiles: await readRuntimeFiles() })
  return buildReport({
    ir,
    app: ir.apps[0],
    findings: [...ir.findings, ...translation.findings, ...emitted.findings],
    routes: emitted.routes,
    files: [...emitted.files.keys()],
  })
}

/** Every finding's file, as 30 numbered lines. */
function sourcesOf(report: MigrationReport): Map<string, string> {
  const sources = new Map<string, string>()
  for (const finding of report.findings) {
    sources.set(finding.location.file, Array.from({ length: 30 }, (_, index) => `line_${index + 1} = ${index + 1}  # of ${finding.location.file}`).join('\n'))
  }
  return sources
}

function count(text: string, part: string): number {
  return text.split(part).length - 1
}

/** Strings a hostile project can put in its endpoints, rules, messages, file names and source. */
const PAYLOADS = [
  '<script>window.__pwned = 1</script>',
  '"><img src=x onerror="window.__pwned=2">',
  "'><svg onload='window.__pwned=3'>",
  '</style><script>window.__pwned=4</script>',
  '</title></pre></code></table><script>window.__pwned=5</script>',
  '<!-- --><iframe srcdoc="<script>parent.__pwned=6</script>">',
  '`</code><script>window.__pwned=7</script>`',
]

/** The sample report with a payload in every string the project controls. */
function hostileReport(report: MigrationReport): { report: MigrationReport; sources: Map<string, string> } {
  const pick = (index: number): string => PAYLOADS[index % PAYLOADS.length]!
  const file = `pkg/${pick(1)}.py`
  const hostile: MigrationReport = {
    ...report,
    app: { id: `${pick(4)}:app`, location: { file, line: 2, column: 1 } },
    summary: {
      ...report.summary,
      blockers: [{ cause: `@${pick(3)}`, routes: 2, endpoints: [pick(0), pick(2)] }, ...report.summary.blockers],
    },
    routes: report.routes.map((route, index) => ({
      ...route,
      rule: `/${pick(index)}`,
      endpoint: `${pick(index + 1)}.view`,
      blueprint: index % 2 === 0 ? pick(index + 2) : null,
      location: { file, line: 3, column: 1 },
      reasons: [...route.reasons, `before_request:${pick(index + 3)}`],
    })),
    findings: report.findings.map((finding, index) => ({
      ...finding,
      message: `${pick(index)} and ${pick(index + 5)}`,
      endpoint: pick(index + 6),
      location: { file, line: 3, column: 1 },
    })),
  }
  const sources = new Map([[file, PAYLOADS.map((payload) => `x = "${payload}"`).join('\n')]])
  return { report: hostile, sources }
}

describe('escapeHtml', () => {
  it('escapes the five characters that end text or an attribute, and nothing else', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;')
    expect(escapeHtml('plain text: ünïcode → ok')).toBe('plain text: ünïcode → ok')
  })
})

describe('MIGRATION_REPORT.html', () => {
  it('is one self-contained page: no external resource, one inline style and one inline script, both allowed by hash in the CSP', async () => {
    const html = renderHtml(await sampleReport())
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true)
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*"(?:https?:)?\/\//i)
    expect(html).not.toMatch(/<link\b/i)
    expect(html).not.toMatch(/@import|url\(/i)
    expect(count(html, '<script')).toBe(1)
    expect(count(html, '<style')).toBe(1)
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!
    const hash = (text: string) => `sha256-${createHash('sha256').update(text).digest('base64')}`
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1]!.replace(/&#39;/g, "'")
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain(`style-src '${hash(style)}'`)
    expect(csp).toContain(`script-src '${hash(script)}'`)
  })

  it('shows readiness, effort, counts, blockers, one row per route, a bar per blueprint, and the findings by rule with their advice', async () => {
    const report = await sampleReport()
    const html = renderHtml(report, { sources: sourcesOf(report), rules: loadRuleDocs(report.rules.map((rule) => rule.id)) })
    expect(html).toContain(`<title>Migration report: ${escapeHtml(report.app!.id)}</title>`)
    expect(html).toContain(`id="readiness">${report.summary.readiness}%</p>`)
    expect(html).toContain(`${report.summary.viewsMigrated} of ${report.summary.views} views migrated`)
    expect(html).toContain(`≈ ${report.summary.effortHours} <small>h</small>`)
    expect(html).toContain(`${report.summary.migrated} <small>of ${report.summary.routes}</small>`)

    const body = /<table class="routes" id="route-table">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!
    expect(count(body, '<tr ')).toBe(report.routes.length)
    expect(count(body, 'data-status="stub"')).toBe(report.summary.stubbed)
    expect(body).toContain('<td class="nowrap"><code>/api/items/</code></td><td class="nowrap"><code>items.list_items</code></td><td>items</td><td class="where nowrap">shop/items.py:6:1</td>')

    const stats = blueprintStats(report.routes)
    expect(stats.map((entry) => entry.label)).toEqual(['(app)', ...new Set(report.routes.flatMap((route) => (route.blueprint === null ? [] : [route.blueprint])))].sort((a, b) => (a === '(app)' ? -1 : b === '(app)' ? 1 : a < b ? -1 : 1)))
    expect(count(html, '<g class="bar" ')).toBe(stats.length)
    for (const entry of stats) expect(html).toContain(`${Math.floor((entry.migrated * 100) / entry.total)}% · ${entry.migrated} of ${entry.total}`)

    for (const rule of report.rules) expect(html).toContain(`<section class="rule" id="rule-${rule.id}">`)
    // A rule with docs in rules/: its how-to, as the YAML says it.
    const documented = report.rules.find((rule) => loadRuleDocs([rule.id]).has(rule.id))!
    expect(documented).toBeDefined()
    const howTo = loadRuleDocs([documented.id]).get(documented.id)!.howToMigrate!
    expect(html).toContain(escapeHtml(howTo.split('`')[0]!.trim()))
    // The excerpt: the finding's line marked, two lines on each side.
    const finding = report.findings.find((item) => item.location.line > 3)!
    const line = finding.location.line
    const hit = `<span class="line hit"><span class="ln">${String(line).padStart(String(line + 2).length)}</span> line_${line} = ${line}  # of ${finding.location.file}</span>`
    const excerpt = [...html.matchAll(/<pre class="excerpt">([\s\S]*?)<\/pre>/g)].map((match) => match[1]!).find((text) => text.includes(hit))!
    expect(excerpt).toBeDefined()
    expect([...excerpt.matchAll(/<span class="ln">\s*(\d+)<\/span>/g)].map((match) => Number(match[1]))).toEqual([line - 2, line - 1, line, line + 1, line + 2])
  })

  it('reads without sources or rule docs: no excerpt, the docs file named', async () => {
    const report = await sampleReport()
    const html = renderHtml(report)
    expect(html).toContain('No source excerpt for this location.')
    expect(html).toContain(`<code>${report.rules[0]!.docs}</code>`)
  })

  it('says so when there are no routes, blockers or findings', async () => {
    const report = await sampleReport()
    const html = renderHtml({ ...report, routes: [], findings: [], rules: [], summary: { ...report.summary, blockers: [] } })
    expect(html).toContain('The app has no routes.')
    expect(html).toContain('No cause is shared by stubbed routes.')
    expect(html).toMatch(/<h2>Findings<\/h2>\n<p>None.<\/p>/)
  })

  it('is the same bytes for the same report, whatever order the sources come in', async () => {
    const report = await sampleReport()
    const sources = sourcesOf(report)
    const rules = loadRuleDocs(report.rules.map((rule) => rule.id))
    const first = renderHtml(report, { sources, rules })
    expect(renderHtml(await sampleReport(), { sources: new Map([...sources].reverse()), rules: new Map([...rules].reverse()) })).toBe(first)
    expect(first).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/)
    expect(first).not.toMatch(/\/(?:work|tmp|home|Users)\//)
  })

  it('escapes every string of the project: no payload reaches the page as markup', async () => {
    const { report, sources } = hostileReport(await sampleReport())
    const html = renderHtml(report, { sources, rules: loadRuleDocs(report.rules.map((rule) => rule.id)) })
    expect(count(html, '<script')).toBe(1)
    expect(count(html, '</script')).toBe(1)
    expect(count(html, '<style')).toBe(1)
    expect(count(html, '</style')).toBe(1)
    expect(count(html, '<title>Migration report')).toBe(1)
    for (const tag of ['<img', '<svg onload', '<iframe', '<!--', 'onerror="', "onload='"]) expect(html, tag).not.toContain(tag)
    for (const payload of PAYLOADS) {
      expect(html).not.toContain(payload)
      expect(html).toContain(escapeHtml(payload))
    }
    // The payloads are there, as text, where each string goes.
    expect(html).toContain(`<title>Migration report: ${escapeHtml(PAYLOADS[4]!)}:app</title>`)
    expect(html).toContain(`<code>@${escapeHtml(PAYLOADS[3]!)}</code>`)
    expect(html).toContain(`data-blueprint="${escapeHtml(PAYLOADS[2]!)}"`)
    expect(html).toContain(`x = &quot;${escapeHtml(PAYLOADS[0]!)}&quot;`)
  })
})

describe('loadRuleDocs', () => {
  it("reads a rule's message, what and how-to from rules/<id>.yaml; unknown ids and names that are not rule ids are left out", () => {
    const docs = loadRuleDocs(['dynamic-route', 'no-such-rule', '../package', 'dynamic-route'])
    expect([...docs.keys()]).toEqual(['dynamic-route'])
    expect(docs.get('dynamic-route')).toMatchObject({
      id: 'dynamic-route',
      message: expect.stringContaining('computed at run time'),
      what: expect.stringContaining('Fires when'),
      howToMigrate: expect.stringContaining('Make the value a literal'),
    })
  })

  it('leaves out a file that is not YAML or has no docs fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrate-rules-'))
    try {
      writeFileSync(join(dir, 'broken.yaml'), 'id: [unclosed\n')
      writeFileSync(join(dir, 'bare.yaml'), 'id: bare\n')
      const docs = loadRuleDocs(['broken', 'bare'], dir)
      expect([...docs.keys()]).toEqual(['bare'])
      expect(docs.get('bare')).toEqual({ id: 'bare' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
