import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runVerify } from '../../src/verify/index.js'

// `migrate verify --legacy` (issue 18, "Done when"): every acceptance app and every fixture,
// migrated, its service started with LEGACY_URL pointing at the Flask app served over HTTP (both
// with the same {tmp}: one database), answers every request as Flask's test client does: the
// app's scenario (the fixture's scenario.jsonl, else requests generated from the url map),
// forwarded routes and native ones alike, with --noise (random CSRF tokens and the like, which
// differ between two runs of Flask too, are not compared). 0 differences.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const python = '/usr/bin/python3'
const ORACLE_MODULES = [
  'flask', 'flask_sqlalchemy', 'flask_login', 'flask_wtf', 'flask_jwt_extended', 'flask_cors', 'flask_limiter',
  'flask_httpauth', 'flask_caching', 'flask_compress', 'flask_talisman', 'flask_bcrypt', 'flask_restful', 'marshmallow',
]
const oracle = spawnSync(python, ['-c', ORACLE_MODULES.map((name) => `import ${name}`).join('; ')], { encoding: 'utf8' })
if (oracle.status !== 0) {
  const message = `/usr/bin/python3 cannot import the apps' packages (bash .ci/run installs them): ${(oracle.stderr ?? '').trim().split('\n').at(-1)}`
  if (process.env.CI === 'true') throw new Error(message)
  console.error(`\n*** SKIPPING test/verify/legacy-mode.test.ts: ${message} ***\n`)
}

const expected = JSON.parse(readFileSync(join(repoRoot, 'test', 'verify', 'acceptance-expected.json'), 'utf8')) as Record<string, { env: Record<string, string> }>
const acceptance = ['inventory', 'journal', 'taskapi'].map((name) => ({
  name: `acceptance/${name}`,
  appDir: join(repoRoot, 'fixtures', 'acceptance', name),
  scenario: join(repoRoot, 'fixtures', 'acceptance', name, 'scenario.jsonl'),
  env: expected[name]!.env,
  apps: [undefined] as (string | undefined)[],
}))
const fixtures = readdirSync(join(repoRoot, 'fixtures'))
  .filter((name) => !name.startsWith('_') && existsSync(join(repoRoot, 'fixtures', name, 'input')))
  .sort()
  .map((name) => ({
    name,
    appDir: join(repoRoot, 'fixtures', name, 'input'),
    scenario: existsSync(join(repoRoot, 'fixtures', name, 'scenario.jsonl')) ? join(repoRoot, 'fixtures', name, 'scenario.jsonl') : undefined,
    // A fixture's env.json: environment for both sides, as test/emit/fixtures.test.ts gives it.
    // A folder of several apps names them in app-specs.json: each is verified.
    apps: existsSync(join(repoRoot, 'fixtures', name, 'app-specs.json'))
      ? (JSON.parse(readFileSync(join(repoRoot, 'fixtures', name, 'app-specs.json'), 'utf8')) as (string | undefined)[])
      : [undefined],
    env: existsSync(join(repoRoot, 'fixtures', name, 'env.json'))
      ? (JSON.parse(readFileSync(join(repoRoot, 'fixtures', name, 'env.json'), 'utf8')) as Record<string, string>)
      : {},
  }))

/**
 * Apps that keep data in process memory and change it while serving requests: the service forwards
 * every route whose code reads or changes it (`endpoints.sharedState`; here a hook does, so every
 * request), and `migrate verify --legacy` finds 0 differences. With LEGACY_SPLIT_STATE=1 the service
 * serves them itself, the data lives twice, and exactly these lines differ, each for its reason.
 * The report names each variable in `state` (process-local-state) either way. taskapi's split run is
 * test/runtime/legacy-acceptance.test.ts's.
 */
const ACROSS_THE_CUT: Record<string, { lines: string[]; why: string; state: string[]; split?: false }> = {
  'blueprint-hooks': {
    lines: ['#32 GET /admin/teardowns'],
    state: ['TEARDOWNS'],
    why:
      'the teardown hooks append to a list in memory (helpdesk/store.py TEARDOWNS): /admin/nothing, an unknown path, ' +
      'is forwarded and recorded in the Flask process, not in the service whose list /admin/teardowns shows',
  },
  'acceptance/taskapi': {
    // Every line from #29 on differs only in X-Request-Id.
    split: false,
    state: ['request_numbers'],
    lines: ["#29 GET /api/v1/tasks/abc", "#30 GET /api/v1/stats", "#31 GET /api/v1/projects", "#32 GET /api/v1/projects?archived=false", "#33 POST /api/v1/tasks", "#34 POST /api/v1/tasks", "#35 POST /api/v1/tasks", "#36 POST /api/v1/tasks", "#37 POST /api/v1/tasks", "#38 POST /api/v1/tasks", "#39 POST /api/v1/tasks", "#40 POST /api/v1/tasks", "#41 POST /api/v1/tasks", "#42 POST /api/v1/tasks", "#43 GET /api/v1/stats", "#44 GET /api/v1/projects", "#45 GET /api/v1/projects?archived=false", "#46 GET /api/v1/projects/1", "#47 GET /api/v1/tasks/${NEW_TASK}", "#48 PUT /api/v1/tasks/${NEW_TASK}", "#49 PUT /api/v1/tasks/${NEW_TASK}", "#50 PUT /api/v1/tasks/${NEW_TASK}", "#51 PUT /api/v1/tasks/4", "#52 PATCH /api/v1/tasks/${NEW_TASK}", "#53 POST /api/v1/tasks/${NEW_TASK}/comments", "#54 POST /api/v1/tasks/${NEW_TASK}/comments", "#55 POST /api/v1/tasks/7/comments", "#56 POST /api/v1/tasks/999/comments", "#57 GET /api/v1/tasks/${NEW_TASK}", "#58 POST /api/v1/projects", "#59 POST /api/v1/projects", "#60 POST /api/v1/projects", "#61 GET /api/v1/projects", "#62 GET /api/v1/projects?archived=true", "#63 GET /api/v1/projects/${NEW_PROJECT}", "#64 GET /api/v1/projects/42", "#65 GET /api/v1/projects/1", "#66 DELETE /api/v1/tasks/${NEW_TASK}", "#67 DELETE /api/v1/tasks/${NEW_TASK}", "#68 DELETE /api/v1/tasks/${NEW_TASK}", "#69 GET /api/v1/stats", "#70 POST /admin/cache/clear", "#71 POST /admin/cache/clear", "#72 GET /admin/stats", "#73 GET /admin/stats", "#74 POST /admin/cache/clear", "#75 GET /api/v1/stats", "#76 GET /api/v1/users/me", "#77 POST /api/v1/users", "#78 POST /api/v1/users", "#79 POST /api/v1/users", "#80 POST /auth/token", "#81 GET /api/v1/users/me", "#82 GET /api/v1/users/zed", "#83 GET /api/v1/tasks", "#84 OPTIONS /api/v1/tasks", "#85 OPTIONS /api/v1/tasks", "#86 GET /api/v1/projects?archived=false", "#87 GET /api/v1/tasks/1", "#88 GET /auth/whoami", "#89 GET /api/v1/reports/summary", "#90 GET /api/v1/reports/summary?project_id=1", "#91 GET /api/v1/reports/summary?project_id=x", "#92 GET /api/v1/reports/summary", "#93 GET /api/v1/reports/summary", "#94 GET /api/v1/tasks?per_page=50", "#95 GET /api/v1/tasks?per_page=50", "#96 GET /api/v1/health", "#97 GET /api/v1/nothing-here", "#98 GET /nothing-here", "#99 DELETE /api/v1/health"],
    why:
      'X-Request-Id numbers the requests each process saw (itertools.count in create_app): #29 GET /api/v1/tasks/abc matches no rule, ' +
      'is forwarded and counted by the Flask process, so the service numbers every later request one lower',
  },
  'factory-state': {
    lines: ["#4 GET /missing", "#5 POST /ping", "#6 GET /stats", "#7 GET /stats"],
    state: ['request_numbers', 'clients', 'hits'],
    why:
      'the factory keeps a request counter and per-client hit counts in memory: #4 GET /missing and #5 POST /ping (a 405) ' +
      'are forwarded and counted by the Flask process, not by the service whose counts /stats shows',
  },
  'first-request-hooks': {
    lines: ["#4 GET /missing", "#5 GET /state"],
    state: ['STATE'],
    why:
      'before_first_request runs once per process: #4 GET /missing is forwarded to a Flask process whose first request it is, ' +
      'so its boot runs (and fails with X-Break-Boot) there, and /state in the service never sees it',
  },
}

const outRoot = mkdtempSync(join(tmpdir(), 'migrate-verify-legacy-'))
afterAll(() => rmSync(outRoot, { recursive: true, force: true }))

describe.skipIf(oracle.status !== 0)('migrate verify --legacy: 0 differences', () => {
  it.each([...acceptance, ...fixtures])(
    '$name',
    async ({ name, appDir, scenario, env, apps }) => {
      for (const app of apps) {
        const serviceDir = join(outRoot, `${name.replace('/', '-')}${app === undefined ? '' : `-${apps.indexOf(app)}`}`)
        const migrated = spawnSync(process.execPath, ['bin/migrate.js', appDir, '--out', serviceDir, '--force', ...(app === undefined ? [] : ['--app', app])], {
          cwd: repoRoot,
          encoding: 'utf8',
          timeout: 300_000,
        })
        expect(migrated.status, `migrate failed:\n${migrated.stdout}\n${migrated.stderr}`).toBe(0)
        const verify = async (extra: Record<string, string> = {}): Promise<{ code: number; lines: string[] }> => {
          const lines: string[] = []
          const code = await runVerify({
            flaskDir: appDir,
            serviceDir,
            ...(scenario !== undefined ? { scenario } : {}),
            ...(app !== undefined ? { app } : {}),
            env: { ...env, ...extra },
            legacy: true,
            noise: true,
            linkNodeModules: join(repoRoot, 'node_modules'),
            output: (line) => lines.push(line),
          })
          return { code, lines }
        }
        const { code, lines } = await verify()
        const missing = lines.find((line) => /ModuleNotFoundError/.test(line))
        if (missing !== undefined) {
          // The fixture's extension is not installed for /usr/bin/python3 (Debian has no package for it): no oracle here.
          console.error(`\n*** ${name}: the Flask app does not import here, not verified: ${missing} ***\n`)
          continue
        }
        expect(lines.at(-1), `${app ?? ''}\n${lines.join('\n')}`).toMatch(/^\d+ passed, 0 failed$/)
        expect(code).toBe(0)
        const known = ACROSS_THE_CUT[name]
        if (known !== undefined) {
          // Never a silent difference: the report names the state, and the service forwards what shares it.
          const report = JSON.parse(readFileSync(join(serviceDir, 'migration-report.json'), 'utf8')) as { findings: { ruleId: string; message: string }[] }
          const reported = report.findings.filter((finding) => finding.ruleId === 'process-local-state').map((finding) => /^`(\w+)`/.exec(finding.message)?.[1])
          for (const name of known.state) expect(reported, known.why).toContain(name)
          expect(readFileSync(join(serviceDir, 'src', 'app.ts'), 'utf8')).toContain("sharedState: ['*']")
          if (known.split === false) continue
          const split = await verify({ LEGACY_SPLIT_STATE: '1' })
          const failing = [...new Set(split.lines.filter((line) => line.startsWith('#')).map((line) => line.split('  ')[0]!))]
          expect(failing, `${known.why}\n${split.lines.join('\n')}`).toEqual(known.lines)
        }
      }
    },
    1_200_000,
  )
})
