import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultStages, REPORT_HTML, runPipeline } from '../../src/pipeline.js'
import { renderHtml, type MigrationReport } from '../../src/report/index.js'

/**
 * MIGRATION_REPORT.html of the journal acceptance app in a real headless browser: Debian's
 * Chromium (`apt-get install chromium`; bash .ci/run installs it), driven by playwright-core,
 * never a downloaded browser. `UPDATE_SCREENSHOT=1` (or `npm run screenshot:report`) also saves
 * docs/report-journal.png.
 */
const CHROMIUM = '/usr/bin/chromium'
const repo = join(dirname(new URL(import.meta.url).pathname), '..', '..')
const journal = join(repo, 'fixtures', 'acceptance', 'journal')
const SCREENSHOT = join(repo, 'docs', 'report-journal.png')

const hasChromium = existsSync(CHROMIUM)
if (!hasChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing (bash .ci/run installs Debian's chromium)`)

interface Opened {
  page: Page
  problems: string[]
  requests: string[]
}

describe.skipIf(!hasChromium)('MIGRATION_REPORT.html in headless Chromium', () => {
  const work = mkdtempSync(join(tmpdir(), 'migrate-html-'))
  const reportFile = join(work, REPORT_HTML)
  let report: MigrationReport
  let context: BrowserContext

  beforeAll(async () => {
    const outcome = await runPipeline({ input: journal }, await defaultStages())
    if (!outcome.ok) throw new Error(outcome.error.message)
    report = outcome.result.report
    writeFileSync(reportFile, outcome.result.files.get(REPORT_HTML)!)
    const profile = join(work, 'profile')
    mkdirSync(profile)
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
      deviceScaleFactor: 1,
      offline: true,
    })
  })

  afterAll(async () => {
    await context?.close()
    rmSync(work, { recursive: true, force: true })
  })

  /** Opens a file, recording console errors, page errors, dialogs and every request the page makes. */
  async function open(file: string): Promise<Opened> {
    const page = await context.newPage()
    const problems: string[] = []
    const requests: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`)
    })
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`)
      void dialog.dismiss()
    })
    page.on('request', (request) => requests.push(request.url()))
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' })
    return { page, problems, requests }
  }

  const endpointsShown = (page: Page): Promise<string[]> =>
    page.$$eval('#route-table tbody tr', (rows) => rows.filter((row) => !(row as HTMLElement).hidden).map((row) => (row as HTMLTableRowElement).cells[3]!.textContent!.trim()))

  it('renders the journal report: title, readiness, one row per route, one bar per blueprint, sorting and filtering, no console error', async () => {
    const { page, problems, requests } = await open(reportFile)
    expect(await page.title()).toBe(`Migration report: ${report.app!.id}`)
    await expect.poll(() => page.isVisible('#readiness')).toBe(true)
    expect(await page.textContent('#readiness')).toBe(`${report.summary.readiness}%`)
    for (const section of ['Readiness', 'Readiness by blueprint', 'Blockers', 'Routes', 'Findings']) expect(await page.isVisible(`h2:text-is("${section}")`), section).toBe(true)

    // One row per route, in url_map order, every one shown.
    expect(await endpointsShown(page)).toEqual(report.routes.map((route) => route.endpoint))
    expect(await page.isVisible('#route-controls')).toBe(true)
    expect(await page.textContent('#route-count')).toBe(`${report.routes.length} of ${report.routes.length} routes`)

    // The chart: a bar per blueprint, the app's own routes as (app).
    const blueprints = [...new Set(report.routes.map((route) => route.blueprint ?? '(app)'))].sort()
    expect(await page.$$eval('#blueprint-chart g.bar', (bars) => bars.map((bar) => bar.getAttribute('data-blueprint')))).toEqual(blueprints)
    const box = await page.locator('#blueprint-chart').boundingBox()
    expect(box!.width).toBeGreaterThan(300)

    // Typing in the filter hides the rows that do not match.
    await page.fill('#route-filter', 'set_theme')
    expect(await endpointsShown(page)).toEqual(['main.set_theme'])
    expect(await page.textContent('#route-count')).toBe(`1 of ${report.routes.length} routes`)
    await page.fill('#route-filter', 'journal/api/')
    const api = report.routes.filter((route) => route.location.file.startsWith('journal/api/')).map((route) => route.endpoint)
    expect(api.length).toBeGreaterThan(1)
    expect(await endpointsShown(page)).toEqual(api)
    // The status select: the journal has no migrated route, so nothing matches and the table says so.
    await page.fill('#route-filter', '')
    await page.selectOption('#route-status', 'migrated')
    expect(await endpointsShown(page)).toEqual(report.routes.filter((route) => route.status === 'migrated').map((route) => route.endpoint))
    expect(await page.isVisible('#route-empty')).toBe(report.summary.migrated === 0)
    await page.selectOption('#route-status', 'stub')
    expect(await endpointsShown(page)).toEqual(report.routes.filter((route) => route.status === 'stub').map((route) => route.endpoint))
    await page.selectOption('#route-status', '')
    expect(await endpointsShown(page)).toHaveLength(report.routes.length)

    // Clicking a header sorts by that column; again, the other way; # restores url_map order.
    const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' })
    const byEndpoint = report.routes.map((route) => route.endpoint).sort((a, b) => collator.compare(a, b))
    await page.click('#route-table thead th:nth-child(4) button')
    expect(await endpointsShown(page)).toEqual(byEndpoint)
    expect(await page.getAttribute('#route-table thead th:nth-child(4)', 'aria-sort')).toBe('ascending')
    await page.click('#route-table thead th:nth-child(4) button')
    expect(await endpointsShown(page)).toEqual([...byEndpoint].reverse())
    expect(await page.getAttribute('#route-table thead th:nth-child(4)', 'aria-sort')).toBe('descending')
    await page.click('#route-table thead th:nth-child(1) button')
    expect(await endpointsShown(page)).toEqual(report.routes.map((route) => route.endpoint))

    // Findings: one section per rule, each finding's source excerpt with its line marked.
    expect(await page.locator('section.rule').count()).toBe(report.rules.length)
    expect(await page.locator('details.finding').count()).toBe(report.findings.length)
    expect(await page.locator('details.finding[open] pre.excerpt .hit').count()).toBeGreaterThanOrEqual(report.rules.length)

    expect(problems).toEqual([])
    expect(requests).toEqual([pathToFileURL(reportFile).href])

    if (process.env.UPDATE_SCREENSHOT === '1') {
      await page.reload({ waitUntil: 'load' })
      // From the top to the end of the first rule's findings: summary, chart, blockers, routes, a finding with its excerpt.
      const end = await page.$eval('section.rule', (section) => section.getBoundingClientRect().bottom + window.scrollY + 16)
      await page.screenshot({ path: SCREENSHOT, fullPage: true, clip: { x: 0, y: 0, width: 1400, height: Math.ceil(end) }, animations: 'disabled', caret: 'hide' })
    }
    await page.close()
  })

  it('the checked-in screenshot exists (npm run screenshot:report remakes it)', () => {
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000)
  })

  it("runs no script of the project's: payloads in endpoints, messages, files and sources show as text", async () => {
    const payload = (n: number) => `</style></pre></code></title><script>window.__pwned=${n}</script><img src=x onerror="window.__pwned=${n}"><svg onload='window.__pwned=${n}'>`
    const file = `journal/${payload(1)}.py`
    const hostile: MigrationReport = {
      ...report,
      app: { id: payload(2), location: { file, line: 1, column: 1 } },
      summary: { ...report.summary, blockers: [{ cause: payload(3), routes: 1, endpoints: [payload(4)] }] },
      routes: report.routes.map((route, index) => ({ ...route, rule: `/${payload(5)}/${index}`, endpoint: `${payload(6)}${index}`, blueprint: payload(7), reasons: [payload(8)] })),
      findings: report.findings.map((finding) => ({ ...finding, message: payload(9), endpoint: payload(10), location: { file, line: 2, column: 1 } })),
    }
    const hostileFile = join(work, 'hostile.html')
    writeFileSync(hostileFile, renderHtml(hostile, { sources: new Map([[file, `a = 1\nb = "${payload(11)}"\nc = 3\n`]]) }))
    const { page, problems, requests } = await open(hostileFile)
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(1)
    expect(await page.evaluate(() => document.querySelectorAll('img, iframe, svg[onload], style').length)).toBe(1)
    expect(await page.title()).toBe(`Migration report: ${payload(2)}`)
    expect(await page.textContent('pre.excerpt .hit')).toContain(`b = "${payload(11)}"`)
    await page.fill('#route-filter', 'onerror')
    expect(await endpointsShown(page)).toHaveLength(report.routes.length)
    expect(problems).toEqual([])
    expect(requests).toEqual([pathToFileURL(hostileFile).href])
    await page.close()
  })
})
