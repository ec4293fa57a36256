/**
 * The CI lint (issue 14 items 2 and 3): `migrate help`, `migrate:` error lines, syntax errors as
 * findings, no location repeated in a message, --fail-on, baselines, `# migrate: ignore`
 * suppressions, [tool.migrate] configuration, --format github, the job summary and SARIF's
 * fingerprints, repository-relative paths and rule help. Every exit code of --check is checked
 * for each combination of readiness, --fail-on, baseline and suppressions.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Log } from 'sarif'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { loadRuleDocs, type MigrationReport } from '../../src/report/index.js'

const temporary: string[] = []
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-lint-'))
  temporary.push(dir)
  return dir
}

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env })
  return { code, stdout, stderr }
}

/**
 * A project with one finding of each severity: an error (line 16, a `match` statement: its route
 * is a stub, readiness 50%), a warning (line 6, config-from-file) and an info (line 5: two Flask
 * apps).
 */
const APP_PY = `from datetime import timedelta

from flask import Flask, jsonify

app = Flask(__name__)
app.config.from_pyfile("settings.cfg")


@app.route("/ok")
def ok():
    return jsonify(ok=True)


@app.route("/bad")
def bad():
    match 1, 2:
        case _:
            return "one"
`
const OTHER_PY = `from flask import Flask

other = Flask(__name__)
`

function project(files: Record<string, string> = {}): string {
  const dir = join(tempDir(), 'app')
  mkdirSync(dir, { recursive: true })
  for (const [name, text] of Object.entries({ 'app.py': APP_PY, 'other.py': OTHER_PY, ...files })) {
    mkdirSync(join(dir, name, '..'), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

async function reportOf(dir: string, ...options: string[]): Promise<MigrationReport> {
  const { code, stdout, stderr } = await run([dir, '--dry-run', '--format', 'json', ...options])
  expect(stderr).toBe('')
  expect(code).toBe(0)
  return JSON.parse(stdout) as MigrationReport
}

describe('migrate help [command]', () => {
  it('prints the main help, or a command\'s, on stdout with exit 0', async () => {
    const main = await run(['help'])
    expect(main.code).toBe(0)
    expect(main.stdout).toContain('Usage: migrate')
    expect(main.stdout).toContain('Exit codes:')
    expect(main.stdout).toContain('--fail-on')
    expect(main.stdout).toContain('help [command]')
    const verify = await run(['help', 'verify'])
    expect(verify.code).toBe(0)
    expect(verify.stdout).toContain('Usage: migrate verify')
    expect((await run(['help', 'routes'])).stdout).toContain('Usage: migrate routes')
    expect((await run(['--help'])).stdout).toBe(main.stdout)
  })

  it('an unknown command is a usage error', async () => {
    const { code, stdout, stderr } = await run(['help', 'frobnicate'])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toBe("migrate: help: unknown command 'frobnicate' (commands: routes, verify, help)\n")
  })
})

describe('error lines start with migrate:', () => {
  it.each([
    ['an unknown option', ['.', '--frobnicate']],
    ['a bad --fail-on', ['.', '--check', '--fail-on', 'sometimes']],
    ['a bad --min-readiness', ['.', '--check', '--min-readiness', '101']],
    ['a missing argument', ['routes']],
    ['a missing folder', ['/definitely/not/here', '--check']],
  ])('%s', async (_, argv) => {
    const { code, stderr } = await run(argv)
    expect(code).toBe(2)
    expect(stderr.split('\n')[0]).toMatch(/^migrate: /)
    expect(stderr).not.toMatch(/^error:/m)
  })

  it('migrate verify: one migrate: line on stderr when it cannot compare', async () => {
    const dir = project()
    const service = tempDir()
    const saved = process.env.MIGRATE_PYTHON
    process.env.MIGRATE_PYTHON = '/bin/false'
    try {
      const { code, stdout, stderr } = await run(['verify', dir, '--out', service])
      expect(code).toBe(2)
      expect(stdout).toBe('')
      expect(stderr).toMatch(/^migrate: \/bin\/false cannot import flask[^\n]*\n$/)
    } finally {
      if (saved === undefined) delete process.env.MIGRATE_PYTHON
      else process.env.MIGRATE_PYTHON = saved
    }
  })
})

describe('a file with a syntax error', () => {
  it('is a python-syntax-error finding with its file:line, and the rest of the project is still analysed', async () => {
    const dir = project({ 'helpers.py': 'import os\n\ndef broken(:\n    pass\n' })
    const report = await reportOf(dir)
    const syntax = report.findings.filter((finding) => finding.ruleId === 'python-syntax-error')
    expect(syntax).toEqual([expect.objectContaining({ location: { file: 'helpers.py', line: 3, column: expect.any(Number) } })])
    expect(syntax[0]!.message).not.toContain('helpers.py')
    // app.py is still migrated: its routes, its findings.
    expect(report.routes.map((route) => [route.endpoint, route.status])).toEqual([
      ['static', 'migrated'],
      ['ok', 'migrated'],
      ['bad', 'stub'],
    ])
    expect(report.findings.map((finding) => finding.ruleId)).toEqual(expect.arrayContaining(['config-from-file', 'unsupported-python-construct']))
    const text = await run([dir, '--dry-run'])
    expect(text.stdout).toMatch(/^ {2}error {4}helpers\.py:3:\d+ {2}python-syntax-error: syntax error \(/m)
  })
})

describe('no finding repeats its location in its message', () => {
  const repeats = (report: MigrationReport): string[] =>
    [...report.findings, ...(report.suppressed ?? [])]
      .filter(
        (finding) =>
          finding.message.includes(`${finding.location.file}:${finding.location.line}`) ||
          finding.message.startsWith(`${finding.location.file}:`) ||
          finding.message.startsWith(`${finding.location.file} `),
      )
      .map((finding) => `${finding.ruleId} ${finding.location.file}:${finding.location.line}: ${finding.message}`)

  it('for the findings of scan and parse (syntax errors, nesting, unreadable and skipped files)', async () => {
    const outside = tempDir()
    writeFileSync(join(outside, 'elsewhere.py'), 'x = 1\n')
    const dir = project({
      'broken.py': 'def broken(:\n    pass\n',
      'tabs.py': 'def f():\n        x = 1\n\treturn x\n',
      'deep.py': `x = ${'('.repeat(300)}1${')'.repeat(300)}\n`,
      'nested.py': `x = f${'()'.repeat(1200)}\n`,
      'binary.py': 'x = 1\0\n',
    })
    writeFileSync(join(dir, 'latin1.py'), Buffer.from([0x78, 0x3d, 0x22, 0xe9, 0x22, 0x0a]))
    symlinkSync(join(outside, 'elsewhere.py'), join(dir, 'link.py'))
    const report = await reportOf(dir)
    expect(new Set(report.findings.map((finding) => finding.ruleId))).toEqual(new Set(['python-syntax-error', 'skipped-file', 'multiple-apps', 'config-from-file', 'unsupported-python-construct']))
    expect(report.findings.filter((finding) => finding.ruleId === 'skipped-file' || finding.ruleId === 'python-syntax-error').length).toBeGreaterThanOrEqual(6)
    expect(repeats(report)).toEqual([])
  })

  it('for every fixture\'s report snapshot', () => {
    const fixtures = resolve(__dirname, '../../fixtures')
    let checked = 0
    for (const name of readdirSync(fixtures)) {
      const file = join(fixtures, name, 'snapshots', '2-report.json')
      if (!existsSync(file)) continue
      expect(repeats(JSON.parse(readFileSync(file, 'utf8')) as MigrationReport), name).toEqual([])
      checked++
    }
    expect(checked).toBeGreaterThan(10)
  })
})

describe('--check exit codes: readiness × --fail-on × baseline × suppressions', () => {
  // The project's findings: E (error, line 16), W (warning, line 6), I (info, line 5); readiness 50%.
  // The suppression comment silences E; the baseline holds W. Findings in force in each case:
  //   none: E W I   suppressions: W I   baseline: E I   both: I
  // Readiness "below" is --min-readiness 51, "above" --min-readiness 50: below always fails.
  const TABLE = `
    readiness  baseline  suppressed  error warning info never
    above      no        no          1     1       1    0
    above      no        yes         0     1       1    0
    above      yes       no          1     1       1    0
    above      yes       yes         0     0       1    0
    below      no        no          1     1       1    1
    below      no        yes         1     1       1    1
    below      yes       no          1     1       1    1
    below      yes       yes         1     1       1    1`
  const rows = TABLE.trim()
    .split('\n')
    .slice(1)
    .flatMap((line) => {
      const [readiness, baseline, suppressed, ...codes] = line.trim().split(/\s+/)
      return (['error', 'warning', 'info', 'never'] as const).map((failOn, index) => ({ readiness: readiness!, baseline: baseline === 'yes', suppressed: suppressed === 'yes', failOn, exit: Number(codes[index]) }))
    })
  expect(rows).toHaveLength(32)

  const plain = project()
  const suppressed = project({ 'app.py': APP_PY.replace('    match 1, 2:', '    match 1, 2:  # migrate: ignore[unsupported-python-construct]') })
  let baselineFile = ''

  it.each(rows)('readiness $readiness, baseline $baseline, suppressed $suppressed, --fail-on $failOn: exit $exit', async (row) => {
    if (baselineFile === '') {
      const report = await reportOf(plain)
      expect(report.summary.readiness).toBe(50)
      expect(report.findings.map((finding) => `${finding.severity} ${finding.location.line}`)).toEqual(['info 5', 'warning 6', 'error 16'])
      const warning = report.findings.find((finding) => finding.severity === 'warning')!
      baselineFile = join(tempDir(), 'baseline.json')
      writeFileSync(baselineFile, JSON.stringify({ version: 1, findings: [{ fingerprint: warning.fingerprint }] }))
    }
    const dir = row.suppressed ? suppressed : plain
    const argv = [dir, '--check', '--min-readiness', row.readiness === 'below' ? '51' : '50', '--fail-on', row.failOn, ...(row.baseline ? ['--baseline', baselineFile] : [])]
    const { code, stderr } = await run(argv)
    expect(code, stderr).toBe(row.exit)
    if (row.exit === 1) expect(stderr).toMatch(/^migrate: check failed: /)
    else expect(stderr).toBe('')
    if (row.readiness === 'below') expect(stderr).toContain('readiness 50% < 51%')
  })

  it('--check --min-readiness 0 --fail-on never lets a legacy app adopt the lint; the default fails on errors', async () => {
    expect((await run([plain, '--check', '--min-readiness', '0', '--fail-on', 'never'])).code).toBe(0)
    const strict = await run([plain, '--check', '--min-readiness', '0'])
    expect(strict.code).toBe(1)
    expect(strict.stderr).toBe('migrate: check failed: 1 finding of severity error\n')
    const warning = await run([plain, '--check', '--min-readiness', '0', '--fail-on', 'warning'])
    expect(warning.stderr).toBe('migrate: check failed: 2 findings of severity error or warning (1 error, 1 warning)\n')
  })
})

describe('baseline', () => {
  it('--write-baseline records the findings in force; a check against it passes, also after unrelated lines move them', async () => {
    const dir = project()
    const baseline = join(tempDir(), 'nested', 'baseline.json')
    const written = await run([dir, '--check', '--write-baseline', baseline])
    expect(written.code).toBe(0)
    expect(written.stdout).toContain(`wrote the baseline ${baseline}: 3 findings`)
    const file = JSON.parse(readFileSync(baseline, 'utf8')) as { version: number; readiness: number; findings: { fingerprint: string; ruleId: string; line: number }[] }
    expect(file.version).toBe(1)
    expect(file.readiness).toBe(50)
    expect(file.findings.map((finding) => [finding.ruleId, finding.line])).toEqual([
      ['multiple-apps', 5],
      ['config-from-file', 6],
      ['unsupported-python-construct', 16],
    ])
    // Without --min-readiness, readiness may not drop below the baseline's (50%, not the default 100%).
    expect((await run([dir, '--check', '--baseline', baseline])).code).toBe(0)

    // Lines added above every finding, a finding's line re-indented: still the same findings.
    writeFileSync(join(dir, 'app.py'), `"""The app."""\n# a comment\n\n${APP_PY.replace('    match 1, 2:', '    match  1, 2:')}`)
    const shifted = await run([dir, '--check', '--baseline', baseline])
    expect(shifted.code, shifted.stderr).toBe(0)
    expect(shifted.stdout).toContain(`baseline ${baseline}: 3 known findings, 0 new`)
    const report = await reportOf(dir)
    expect(report.findings.map((finding) => finding.location.line)).toEqual([8, 9, 19])
    expect(report.findings.map((finding) => finding.fingerprint)).toEqual(file.findings.map((finding) => finding.fingerprint))

    // A new problem: only it fails the check.
    writeFileSync(join(dir, 'app.py'), `${readFileSync(join(dir, 'app.py'), 'utf8')}\n\n@app.route("/worse")\ndef worse():\n    match 2, 2:\n        case _:\n            return "two"\n`)
    const failed = await run([dir, '--check', '--baseline', baseline, '--min-readiness', '0'])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toBe('migrate: check failed: 1 new finding of severity error (not in the baseline)\n')
    expect(failed.stdout).toContain(`baseline ${baseline}: 3 known findings, 1 new`)
    expect(failed.stdout).toMatch(/^ {2}new {6}app\.py:26:5 {2}unsupported-python-construct$/m)
    // The readiness the baseline recorded holds when no --min-readiness is given: the new stub lowers it.
    expect((await run([dir, '--check', '--baseline', baseline, '--fail-on', 'never'])).stderr).toBe("migrate: check failed: readiness 33% < 50% (the baseline's)\n")
  })

  it('two identical findings on identical lines stay two', async () => {
    const dir = project({ 'app.py': `${APP_PY}\n\n@app.route("/bad2")\ndef bad2():\n    match 3, 3:\n        case _:\n            return "three"\n` })
    const report = await reportOf(dir)
    const withs = report.findings.filter((finding) => finding.ruleId === 'unsupported-python-construct')
    expect(withs).toHaveLength(2)
    expect(new Set(withs.map((finding) => finding.fingerprint)).size).toBe(2)
  })

  it('a missing, unreadable or foreign baseline is a usage error', async () => {
    const dir = project()
    const root = tempDir()
    writeFileSync(join(root, 'not-json'), '{')
    writeFileSync(join(root, 'sarif.json'), '{"version": "2.1.0", "runs": []}')
    for (const [file, message] of [
      [join(root, 'missing.json'), 'no such file (write one with --write-baseline FILE)'],
      [join(root, 'not-json'), 'not JSON'],
      [join(root, 'sarif.json'), 'not a migrate baseline'],
      [root, 'cannot read: EISDIR'],
    ] as const) {
      const { code, stderr } = await run([dir, '--check', '--baseline', file])
      expect(code, file).toBe(2)
      expect(stderr).toContain(`migrate: --baseline ${file}: ${message}`)
      expect(stderr.trim().split('\n')).toHaveLength(1)
    }
  })
})

describe('# migrate: ignore comments', () => {
  it('suppress on the line, alone on the line above, or for the whole file; suppressed findings are listed and counted', async () => {
    const app = APP_PY.replace('app = Flask(__name__)\n', 'app = Flask(__name__)  # migrate: ignore[multiple-apps] two apps on purpose\n')
      .replace('app.config.from_pyfile', '# migrate: ignore\napp.config.from_pyfile')
    const dir = project({ 'app.py': app })
    const report = await reportOf(dir)
    expect(report.findings.map((finding) => finding.ruleId)).toEqual(['unsupported-python-construct'])
    expect(report.summary.findings).toEqual({ error: 1, warning: 0, info: 0 })
    expect(report.summary.suppressed).toBe(2)
    expect(report.suppressed.map((finding) => [finding.ruleId, finding.suppression])).toEqual([
      ['multiple-apps', { kind: 'line', location: { file: 'app.py', line: 5, column: 24 }, rules: ['multiple-apps'] }],
      ['config-from-file', { kind: 'line', location: { file: 'app.py', line: 6, column: 1 }, rules: [] }],
    ])
    // Readiness does not change: a comment does not migrate a route.
    expect(report.summary.readiness).toBe(50)

    const text = (await run([dir, '--dry-run'])).stdout
    expect(text).toContain('findings: 1 errors, 0 warnings, 0 info, 2 suppressed;')
    expect(text).toContain('  suppressed info app.py:5:7  multiple-apps: found 2 Flask apps')
    expect(text).toContain('(# migrate: ignore[multiple-apps] at app.py:5)')
    const markdown = (await run([dir, '--dry-run', '--format', 'markdown'])).stdout
    expect(markdown).toContain('| Suppressed | 2 findings')
    expect(markdown).toContain('## Suppressed findings')
    const html = (await run([dir, '--dry-run', '--format', 'html'])).stdout
    expect(html).toContain('<a href="#suppressed">2 suppressed</a>')
    expect(html).toContain('<section id="suppressed">')
    const sarif = JSON.parse((await run([dir, '--dry-run', '--format', 'sarif'])).stdout) as Log
    const results = sarif.runs[0]!.results!
    expect(results).toHaveLength(3)
    expect(results.filter((result) => result.suppressions !== undefined).map((result) => [result.ruleId, result.suppressions![0]!.kind])).toEqual([
      ['multiple-apps', 'inSource'],
      ['config-from-file', 'inSource'],
    ])
    // Suppressed findings no longer fail --check.
    expect((await run([dir, '--check', '--min-readiness', '0', '--fail-on', 'warning'])).code).toBe(1)
    expect((await run([dir, '--check', '--min-readiness', '0', '--fail-on', 'info'])).stderr).toBe('migrate: check failed: 1 finding of severity error, warning or info (1 error, 0 warnings, 0 info)\n')
  })

  it('a code line above does not suppress the next line; other rules and near misses are not suppressed', async () => {
    const app = APP_PY.replace('app = Flask(__name__)\n', 'app = Flask(__name__)  # migrate: ignore[config-from-file]\n').replace('    match 1, 2:', '    # migrate: ignored\n    match 1, 2:  # migrate: ignore-this')
    const report = await reportOf(project({ 'app.py': app }))
    expect(report.summary.suppressed).toBe(0)
  })

  it('# migrate: ignore-file[...] in the first lines suppresses those rules in the whole file, and a syntax error\'s file can say so', async () => {
    const app = `# migrate: ignore-file[unsupported-python-construct, config-from-file]\n${APP_PY}`
    const report = await reportOf(project({ 'app.py': app, 'broken.py': '# migrate: ignore-file\ndef broken(:\n    pass\n' }))
    expect(report.findings.map((finding) => finding.ruleId)).toEqual(['multiple-apps'])
    expect(report.suppressed.map((finding) => [finding.ruleId, finding.suppression.kind, finding.suppression.location.line])).toEqual([
      ['config-from-file', 'file', 1],
      ['unsupported-python-construct', 'file', 1],
      ['python-syntax-error', 'file', 1],
    ])
    const late = `${'\n'.repeat(10)}# migrate: ignore-file\n${APP_PY}`
    expect((await reportOf(project({ 'app.py': late }))).summary.suppressed).toBe(0)
  })
})

describe('configuration: [tool.migrate] in pyproject.toml, or .migrate.toml', () => {
  it('fail-on and min-readiness from pyproject.toml; command-line options win', async () => {
    const dir = project({ 'pyproject.toml': '[project]\nname = "shop"\n\n[tool.migrate]\nfail-on = "never"\nmin-readiness = 40\n' })
    expect((await run([dir, '--check'])).code).toBe(0)
    expect((await run([dir, '--check', '--fail-on', 'error'])).stderr).toBe('migrate: check failed: 1 finding of severity error\n')
    expect((await run([dir, '--check', '--min-readiness', '60'])).stderr).toBe('migrate: check failed: readiness 50% < 60%\n')
    // A pyproject.toml without [tool.migrate] configures nothing.
    const bare = project({ 'pyproject.toml': '[project]\nname = "shop"\n' })
    expect((await run([bare, '--check'])).stderr).toBe('migrate: check failed: readiness 50% < 100%; 1 finding of severity error\n')
  })

  it('app, exclude, disable and baseline; .migrate.toml wins over pyproject.toml', async () => {
    const dir = project({
      'pyproject.toml': '[tool.migrate]\nfail-on = "info"\n',
      '.migrate.toml': 'exclude = ["other.py", "legacy/"]\ndisable = ["config-from-file"]\nbaseline = "ci/baseline.json"\nmin-readiness = 0\n',
      'legacy/old.py': 'def broken(:\n',
    })
    mkdirSync(join(dir, 'ci'))
    const report = await reportOf(dir)
    // other.py is not scanned (no multiple-apps), legacy/ neither (no syntax error).
    expect(report.findings.map((finding) => finding.ruleId)).toEqual(['unsupported-python-construct'])
    expect(report.suppressed).toEqual([
      expect.objectContaining({ ruleId: 'config-from-file', suppression: { kind: 'config', location: { file: '.migrate.toml', line: 0, column: 0 }, rules: ['config-from-file'] } }),
    ])
    // baseline: relative to the project folder; fail-on: the default (error), as pyproject.toml is not read.
    expect((await run([dir, '--check'])).stderr).toContain(`--baseline ${join(dir, 'ci/baseline.json')}: no such file`)
    expect((await run([dir, '--check', '--write-baseline', join(dir, 'ci/baseline.json')])).code).toBe(0)
    expect((await run([dir, '--check'])).code).toBe(0)
    // app: the other Flask app.
    const other = project({ '.migrate.toml': 'app = "other:other"\n' })
    expect((await reportOf(other)).app?.id).toBe('other:other')
    expect((await reportOf(other, '--app', 'app:app')).app?.id).toBe('app:app')
    const routes = await run(['routes', other])
    expect(routes.stdout).toContain('static')
    expect(routes.stdout).not.toContain('/bad')
  })

  it.each([
    ['invalid TOML', '[tool.migrate\n', 'pyproject.toml: not valid TOML (line 1'],
    ['an unknown key', '[tool.migrate]\nfail_on = "never"\n', 'pyproject.toml: [tool.migrate] fail_on: unknown key (known: app, exclude, disable, fail-on, min-readiness, baseline)'],
    ['a bad fail-on', '[tool.migrate]\nfail-on = "sometimes"\n', '[tool.migrate] fail-on: expected one of error, warning, info, never'],
    ['a bad min-readiness', '[tool.migrate]\nmin-readiness = "50"\n', '[tool.migrate] min-readiness: expected an integer from 0 to 100'],
    ['an unknown rule id', '[tool.migrate]\ndisable = ["no-such-rule"]\n', '[tool.migrate] disable: unknown rule id "no-such-rule"'],
    ['exclude not a list', '[tool.migrate]\nexclude = "tests"\n', '[tool.migrate] exclude: expected an array of strings'],
  ])('%s is a usage error naming the file and key', async (_, toml, message) => {
    const dir = project({ 'pyproject.toml': toml })
    const { code, stderr } = await run([dir, '--check'])
    expect(code).toBe(2)
    expect(stderr).toContain(message)
    expect(stderr).toMatch(/^migrate: /)
    expect(stderr.trim().split('\n')).toHaveLength(1)
  })
})

describe('--format github', () => {
  it('prints one workflow annotation per finding in force, escaped as GitHub requires', async () => {
    const dir = project({
      'app.py': APP_PY.replace('app.config.from_pyfile("settings.cfg")', 'app.config.from_pyfile("settings.cfg")  # migrate: ignore'),
    })
    const { code, stdout } = await run([dir, '--check', '--format', 'github', '--min-readiness', '0'])
    expect(code).toBe(1)
    expect(stdout).toBe(
      [
        '::notice file=app.py,line=5,col=7,title=migrate multiple-apps::found 2 Flask apps (app:app, other:other); migrating app:app (choose another with --app)',
        '::error file=app.py,line=16,col=5,title=migrate unsupported-python-construct (bad)::`match` over several subjects',
        '',
      ].join('\n'),
    )
  })

  it('escapes %, CR and LF in messages, and : and , too in properties', async () => {
    const { escapeData, escapeProperty, renderGithub } = await import('../../src/report/index.js')
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b')
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A')
    const report = { findings: [{ ruleId: 'r', severity: 'warning', message: 'line 1\nline 2: 50%', location: { file: 'a,b:c.py', line: 3, column: 0 }, docs: '', fingerprint: 'f:1' }] } as unknown as MigrationReport
    expect(renderGithub(report, { prefix: 'svc/' })).toBe('::warning file=svc/a%2Cb%3Ac.py,line=3,col=1,title=migrate r::line 1%0Aline 2: 50%25\n')
    expect(renderGithub(report, { baseline: new Set(['f:1']) })).toBe('')
  })

  it('appends a Markdown job summary to $GITHUB_STEP_SUMMARY', async () => {
    const dir = project()
    const summary = join(tempDir(), 'summary.md')
    writeFileSync(summary, '# earlier step\n')
    const { code } = await run([dir, '--check', '--format', 'github'], { GITHUB_STEP_SUMMARY: summary })
    expect(code).toBe(1)
    const text = readFileSync(summary, 'utf8')
    expect(text.startsWith('# earlier step\n## migrate: `app:app`\n')).toBe(true)
    expect(text).toContain('**Check failed:** readiness 50% < 100%; 1 finding of severity error.')
    expect(text).toContain('| Readiness | **50%** (minimum 100%): 1 of 2 views migrated |')
    expect(text).toContain('| error | `app.py:16:5` | `unsupported-python-construct` | `match` over several subjects |')
    // Without --check or --format github, and without the variable, nothing is appended.
    await run([dir, '--dry-run'], { GITHUB_STEP_SUMMARY: summary })
    expect(readFileSync(summary, 'utf8')).toBe(text)
  })
})

describe('SARIF', () => {
  it('has partialFingerprints (the baseline\'s), each rule\'s help and fullDescription from rules/<id>.yaml, and suppressions', async () => {
    const dir = project()
    const baseline = join(tempDir(), 'b.json')
    const { stdout } = await run([dir, '--check', '--fail-on', 'never', '--min-readiness', '0', '--format', 'sarif', '--write-baseline', baseline])
    const log = JSON.parse(stdout) as Log
    const run0 = log.runs[0]!
    const written = JSON.parse(readFileSync(baseline, 'utf8')) as { findings: { fingerprint: string }[] }
    expect(run0.results!.map((result) => result.partialFingerprints!['migrateFingerprint/v1'])).toEqual(written.findings.map((finding) => finding.fingerprint))
    expect(run0.results!.map((result) => result.baselineState)).toEqual(['unchanged', 'unchanged', 'unchanged'])
    const docs = loadRuleDocs(['unsupported-python-construct'])
    const rule = run0.tool.driver.rules!.find((item) => item.id === 'unsupported-python-construct')!
    expect(rule.fullDescription!.text).toBe(docs.get('unsupported-python-construct')!.what)
    expect(rule.help!.text).toContain(docs.get('unsupported-python-construct')!.howToMigrate)
    expect(rule.help!.markdown).toContain('**How to migrate**')
    expect(rule.shortDescription!.text).toBe(docs.get('unsupported-python-construct')!.message)
    expect(run0.results!.every((result) => run0.tool.driver.rules![result.ruleIndex!]!.id === result.ruleId)).toBe(true)
  })

  it('URIs are relative to the git repository containing the project, else to the project, with uriBaseId', async () => {
    const repo = tempDir()
    mkdirSync(join(repo, '.git'))
    const dir = join(repo, 'services', 'shop api')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'app.py'), APP_PY)
    const uris = async (folder: string): Promise<string[]> =>
      (JSON.parse((await run([folder, '--dry-run', '--format', 'sarif'])).stdout) as Log).runs[0]!.results!.map((result) => {
        const location = result.locations![0]!.physicalLocation!.artifactLocation!
        expect(location.uriBaseId).toBe('%SRCROOT%')
        return location.uri!
      })
    expect(await uris(dir)).toEqual(['services/shop%20api/app.py', 'services/shop%20api/app.py'])
    const annotations = (await run([dir, '--dry-run', '--format', 'github'])).stdout
    expect(annotations).toContain('::warning file=services/shop api/app.py,line=6,col=1,')
    const alone = project()
    expect(await uris(alone)).toEqual(['app.py', 'app.py', 'app.py'])
  })
})
