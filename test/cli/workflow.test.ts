/**
 * The README's GitHub workflow, run as written on the acceptance apps: the commands are read from
 * the README ("In CI: the migration lint"), `npx flask-to-hono-migrate` is this clone's bin (what
 * npx runs where the package is installed), in a folder holding a copy of the app as `./app`.
 * A baseline is written, the check passes; a new problem is added to the copy (above other
 * findings, so they move) and the check fails with exactly that finding annotated.
 */
import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const repoRoot = resolve(__dirname, '../..')
const bin = join(repoRoot, 'bin', 'migrate.js')
const temporary: string[] = []
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
})

/** The README's commands of the CI section that run the tool, in order. */
function readmeCommands(): string[][] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### In CI: the migration lint'), readme.indexOf('\n## ', readme.indexOf('### In CI: the migration lint')))
  return section
    .split('\n')
    .map((line) => line.replace(/^\s*- run:\s*/, '').replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('npx flask-to-hono-migrate '))
    .map((line) => line.split(/\s+/).slice(2))
}

interface Outcome {
  code: number
  stdout: string
  stderr: string
}

/** Runs the tool as npx would, in `cwd`, with its output captured (nothing reaches the test's own output). */
async function runTool(args: string[], cwd: string): Promise<Outcome> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { cwd, env: { ...process.env, GITHUB_STEP_SUMMARY: '' }, maxBuffer: 64 * 1024 * 1024 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string }
    if (typeof failed.code !== 'number') throw error
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' }
  }
}

const NEW_VIEW = (endpoint: string, route: string): string => `

@${route}
def ${endpoint}():
    return str(eval("6 * 7"))
`

const APPS = [
  {
    name: 'journal',
    file: 'journal/main/views.py',
    after: 'SEARCH_PAGE_SIZE = 4\n',
    view: NEW_VIEW('archive_export', 'main_bp.route("/archive-export")'),
    annotation: '::error file=journal/main/views.py,line=14,col=16,title=migrate dynamic-code-execution (main.archive_export)::`eval()` runs or inspects code dynamically',
  },
  {
    name: 'taskapi',
    file: 'taskapi/api/misc.py',
    after: 'from .tasks import STATS_CACHE_KEY, json_body, load_task_for\n',
    view: NEW_VIEW('export_tasks', 'api_bp.get("/export")'),
    annotation: '::error file=taskapi/api/misc.py,line=14,col=16,title=migrate dynamic-code-execution (api.export_tasks)::`eval()` runs or inspects code dynamically',
  },
]

describe('the README\'s GitHub workflow on the acceptance apps', () => {
  const commands = readmeCommands()

  it('names the two commands: write the baseline, then check against it with annotations', () => {
    expect(commands).toEqual([
      ['./app', '--check', '--write-baseline', '.migrate-baseline.json'],
      ['./app', '--check', '--baseline', '.migrate-baseline.json', '--format', 'github'],
    ])
  })

  it.each(APPS)('$name: the check passes on the baselined app and fails on exactly a new finding', async (app) => {
    const workspace = mkdtempSync(join(tmpdir(), `migrate-workflow-${app.name}-`))
    temporary.push(workspace)
    cpSync(join(repoRoot, 'fixtures', 'acceptance', app.name), join(workspace, 'app'), { recursive: true })
    const [write, check] = commands as [string[], string[]]

    const written = await runTool(write, workspace)
    expect(written.code, written.stderr).toBe(0)
    const baseline = JSON.parse(readFileSync(join(workspace, '.migrate-baseline.json'), 'utf8')) as { findings: unknown[] }
    // The baseline holds every finding of the app as it is (the acceptance apps now migrate with few or none).
    const audit = await runTool(['./app', '--dry-run', '--format', 'json'], workspace)
    expect(audit.code, audit.stderr).toBe(0)
    expect(baseline.findings.length).toBe((JSON.parse(audit.stdout) as { findings: unknown[] }).findings.length)

    const passed = await runTool(check, workspace)
    expect(passed.code, passed.stderr).toBe(0)
    expect(passed.stdout).toBe('')
    expect(passed.stderr).toBe('')

    const file = join(workspace, 'app', app.file)
    const source = readFileSync(file, 'utf8')
    expect(source).toContain(app.after)
    writeFileSync(file, source.replace(app.after, `${app.after}${app.view}`))
    const failed = await runTool(check, workspace)
    expect(failed.code).toBe(1)
    expect(failed.stdout).toBe(`${app.annotation}\n`)
    expect(failed.stderr).toMatch(/^migrate: check failed: [^\n]*1 new finding of severity error \(not in the baseline\)\n$/)
  })
})
