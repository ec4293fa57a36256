import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'

/** The HTML report through the command line: --format html, --report FILE.html, and --out. */
const temporary: string[] = []
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
})

const SECRET = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'

const FLASK_APP = `import os
from flask import Flask, g

app = Flask(__name__)
app.config["SECRET_KEY"] = "${SECRET}"


@app.route("/")
def index():
    return "hi"


@app.route("/gen")
def gen():
    with open("x") as handle:
        return handle.read()
`

function workspace(): { root: string; input: string } {
  const root = mkdtempSync(join(tmpdir(), 'migrate-html-cli-'))
  temporary.push(root)
  const input = join(root, 'app')
  mkdirSync(input)
  writeFileSync(join(input, 'app.py'), FLASK_APP)
  return { root, input }
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) })
  return { code, stdout, stderr }
}

describe('MIGRATION_REPORT.html from the command line', () => {
  it('--out writes MIGRATION_REPORT.html beside MIGRATION_REPORT.md, lists it in the report, and quotes the source with secrets redacted', async () => {
    const { root, input } = workspace()
    const out = join(root, 'out')
    const result = await run([input, '--out', out])
    expect(result.code, result.stderr).toBe(0)
    const html = readFileSync(join(out, 'MIGRATION_REPORT.html'), 'utf8')
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).toContain('<title>Migration report: app:app</title>')
    expect((JSON.parse(readFileSync(join(out, 'migration-report.json'), 'utf8')) as { files: string[] }).files).toContain('MIGRATION_REPORT.html')
    // The stubbed view's finding quotes its source; the config-secret finding quotes its line, redacted.
    expect(html).toContain('<pre class="excerpt">')
    expect(html).toContain('with open(&quot;x&quot;) as handle:')
    expect(html).toContain('app.config[&quot;SECRET_KEY&quot;] = &quot;&lt;redacted secret&gt;&quot;')
    expect(html).not.toContain(SECRET)
    expect(html).not.toContain(root)
    // Same input, same bytes.
    expect((await run([input, '--out', join(root, 'again')])).code).toBe(0)
    expect(readFileSync(join(root, 'again', 'MIGRATION_REPORT.html'), 'utf8')).toBe(html)
  })

  it('--format html prints the page; --report FILE.html writes it, by extension', async () => {
    const { root, input } = workspace()
    const printed = await run([input, '--dry-run', '--format', 'html'])
    expect(printed.code, printed.stderr).toBe(0)
    expect(printed.stdout.startsWith('<!doctype html>')).toBe(true)
    expect(printed.stdout.trimEnd().endsWith('</html>')).toBe(true)

    const file = join(root, 'report', 'migration.HTML')
    const written = await run([input, '--dry-run', '--report', file])
    expect(written.code, written.stderr).toBe(0)
    expect(written.stdout).toContain('readiness')
    expect(readFileSync(file, 'utf8')).toBe(printed.stdout)

    const markdown = join(root, 'forced.html')
    expect((await run([input, '--dry-run', '--report', markdown, '--format', 'markdown'])).code).toBe(0)
    expect(readFileSync(markdown, 'utf8').startsWith('# Migration report')).toBe(true)
  })
})
