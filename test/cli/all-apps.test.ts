import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { auditApps, findAppRoots } from '../../src/cli/all-apps.js'
import { main } from '../../src/cli/main.js'

/**
 * `migrate <dir> --dry-run --all-apps`: every Flask app under a folder, one report with a section
 * per app (the report `--dry-run` prints for that app alone) and totals; the same bytes whatever
 * the number of worker threads; `--cache` answers an unchanged app from the cache and audits a
 * changed one again.
 */
const repo = join(dirname(new URL(import.meta.url).pathname), '..', '..')
const estate = mkdtempSync(join(tmpdir(), 'migrate-estate-'))
const cacheDir = mkdtempSync(join(tmpdir(), 'migrate-cache-'))
afterAll(() => {
  rmSync(estate, { recursive: true, force: true })
  rmSync(cacheDir, { recursive: true, force: true })
})

// A monorepo: apps at two depths, a package app with a wsgi.py beside it, and a folder with no app.
const APPS = { 'services/demo': 'demo', 'services/methods': 'routing-methods', 'tools/breadth': 'handler-breadth' } as const
for (const [target, fixture] of Object.entries(APPS)) cpSync(join(repo, 'fixtures', fixture, 'input'), join(estate, target), { recursive: true })
mkdirSync(join(estate, 'libs/shared'), { recursive: true })
writeFileSync(join(estate, 'libs/shared/util.py'), 'def helper():\n    return 1\n')

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) })
  return { code, stdout, stderr }
}

describe('--all-apps', () => {
  it('prints a section per app, the report --dry-run prints for it alone, and the totals', async () => {
    const all = await run([estate, '--dry-run', '--all-apps', '--jobs', '1'])
    expect(all.stderr).toBe('')
    expect(all.code).toBe(0)
    const sections = all.stdout.split(/^== /m).slice(1)
    expect(sections.map((section) => section.split('\n')[0])).toEqual([...Object.keys(APPS).sort().map((app) => join(estate, app)), expect.stringMatching(/^totals: 3 apps, /)])
    let routes = 0
    for (const [index, app] of Object.keys(APPS).sort().entries()) {
      const alone = await run([join(estate, app), '--dry-run'])
      expect(alone.code).toBe(0)
      // The single run's text without its last line ("dry run: … would have N files").
      const summary = alone.stdout.replace(/dry run: [^\n]*\n$/, '')
      expect(sections[index]).toBe(`${join(estate, app)}\n${summary}\n`)
      routes += Number(/: (\d+) routes,/.exec(summary)![1])
    }
    expect(sections.at(-1)).toContain(`, ${routes} routes, `)
  })

  it('writes the same bytes with one job and with worker threads, as text and as JSON', async () => {
    for (const format of ['text', 'json']) {
      const single = await run([estate, '--dry-run', '--all-apps', '--jobs', '1', '--format', format])
      const parallel = await run([estate, '--dry-run', '--all-apps', '--jobs', '3', '--format', format])
      expect(parallel.code, parallel.stderr).toBe(0)
      expect(parallel.stdout).toBe(single.stdout)
    }
    const json = JSON.parse((await run([estate, '--dry-run', '--all-apps', '--format', 'json'])).stdout) as { apps: { root: string }[]; totals: { apps: number } }
    expect(json.apps.map((app) => app.root)).toEqual(Object.keys(APPS).sort())
    expect(json.totals.apps).toBe(3)
  })

  it('audits large apps one at a time (the other workers wait), with the answers in the order of the apps', async () => {
    const { roots, pythonBytes } = findAppRoots(estate)
    const done: string[] = []
    const audits = await auditApps(estate, roots, { jobs: 3, sizes: pythonBytes, largeAppBytes: 1, onDone: (audit) => done.push(audit.root) })
    expect(audits.map((audit) => audit.root)).toEqual(roots)
    // Largest first.
    expect(done).toEqual([...roots].sort((a, b) => pythonBytes.get(b)! - pythonBytes.get(a)!))
    const single = await auditApps(estate, roots, { jobs: 1 })
    expect(JSON.stringify(audits)).toBe(JSON.stringify(single))
  })

  it('--cache: an unchanged app comes from the cache, a changed one is audited again', async () => {
    const first = await run([estate, '--dry-run', '--all-apps', '--cache', '--cache-location', cacheDir])
    expect(first.code, first.stderr).toBe(0)
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('.json'))).toHaveLength(3)
    const second = await run([estate, '--dry-run', '--all-apps', '--cache', '--cache-location', cacheDir])
    expect(second.stdout).toBe(first.stdout)
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('.json'))).toHaveLength(3)
    // A new route in one app: only its key changes, and the report shows the route.
    const app = join(estate, 'services/methods/app.py')
    writeFileSync(app, `${readFileSync(app, 'utf8')}\n\n@app.route("/added-by-the-test")\ndef added_by_the_test():\n    return "new"\n`)
    const third = await run([estate, '--dry-run', '--all-apps', '--cache', '--cache-location', cacheDir])
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('.json'))).toHaveLength(4)
    expect(third.stdout).not.toBe(first.stdout)
    expect(third.stdout).toBe((await run([estate, '--dry-run', '--all-apps'])).stdout)
  })

  it('--progress shows the progress on stderr when it is not a terminal, --quiet never', async () => {
    const shown = await run([estate, '--dry-run', '--all-apps', '--progress', '--jobs', '1'])
    expect(shown.stderr).toMatch(/^migrate: \d+\/3 apps, \d+\/\d+ Python files analysed · [\d.]+ s$/m)
    const quiet = await run([estate, '--dry-run', '--all-apps', '--progress', '--quiet', '--jobs', '1'])
    expect(quiet.stderr).toBe('')
    expect(quiet.stdout).toBe(shown.stdout)
    // One app: the stage it is in.
    const app = join(estate, 'services/demo')
    const one = await run([app, '--dry-run', '--progress'])
    expect(one.stderr).toContain(`migrate: ${app}: scan, parse, analyze · `)
    expect(one.stderr).toMatch(/: translate · [\d.]+ s\n/)
    expect((await run([app, '--dry-run'])).stderr).toBe('')
  })

  it('finds each project: the folder with its requirements or packaging, else the one holding its top-level package', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrate-roots-'))
    const write = (path: string, text: string): void => {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), text)
    }
    const app = 'from flask import Flask\napp = Flask(__name__)\n'
    write('shop/requirements.txt', 'flask\n')
    write('shop/src/shop/__init__.py', app)
    write('shop/tests/conftest.py', app) // a test app belongs to its project
    write('blog/__init__.py', app) // a project folder that is a package
    write('teams/a/api/__init__.py', app)
    write('teams/a/wsgi.py', 'from api import app\n')
    write('custom/main.py', 'from flask import Flask\nclass App(Flask):\n    pass\napp = App(__name__)\n')
    write('libs/util.py', 'def f():\n    return 1\n')
    try {
      expect(findAppRoots(dir).roots).toEqual(['blog', 'custom', 'shop', 'teams/a'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses what names one app or writes a service, and a folder without an app', async () => {
    for (const args of [['--all-apps'], ['--all-apps', '--dry-run', '--out', join(estate, 'out')], ['--all-apps', '--dry-run', '--app', 'app:app'], ['--dry-run', '--cache']]) {
      const refused = await run([estate, ...args])
      expect(refused.code, args.join(' ')).toBe(2)
      expect(refused.stderr).toMatch(/^migrate: /)
    }
    expect(existsSync(join(estate, 'out'))).toBe(false)
    const empty = await run([join(estate, 'libs'), '--dry-run', '--all-apps'])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('no Flask application found')
  })
})
