/**
 * A Flask-JWT-Extended 3 app migrated whole (issue 11): test/runtime/jwt3/project/wsgi.py (3.x's
 * names, loaders and `@jwt_required` without parentheses) goes through the pipeline, which must
 * find it a 3.x project (its setup `initJwt3(jwt)`) and carry every view over; the built service,
 * started with the app's JWT_SECRET_KEY, then gets the requests test/runtime/jwt3.test.ts sends
 * the app (its 'headers' steps) with the tokens the real Flask-JWT-Extended 3.25.1 issued, and must
 * answer each as 3.25.1 did — LIVE when the 3.x oracle imports (JWT3_ORACLE_PATH, see
 * test/runtime/jwt3/oracle.sh), else as test/runtime/jwt3/recorded.json says it did.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'
import { buildService, installDependencies, startService, type RunningService } from '../../src/verify/service.js'

const repo = join(dirname(new URL(import.meta.url).pathname), '..', '..')
const here = join(repo, 'test', 'runtime', 'jwt3')
const ORACLE_PATH = process.env.JWT3_ORACLE_PATH ?? '/tmp/jwt3oracle'
const live =
  existsSync(ORACLE_PATH) &&
  spawnSync('/usr/bin/python3', ['-c', 'import hmac, werkzeug.security as w; w.safe_str_cmp = hmac.compare_digest; import flask_jwt_extended as f, jwt; assert f.__version__.startswith("3.") and jwt.__version__.startswith("1.")'], { env: { ...process.env, PYTHONPATH: ORACLE_PATH }, stdio: 'ignore' }).status === 0
const mode = live ? `LIVE against Flask-JWT-Extended 3 at ${ORACLE_PATH}` : 'against the recording test/runtime/jwt3/recorded.json'

type Step = { app: string; mint: string; identity: string; as: string } | { app: string; path: string; method?: string; headers?: Record<string, string> }
type Answer = { token: string } | { status: number; json: unknown; cookies: unknown[] }

/** The 'headers' steps and 3.x's answers: recorded, or (live) from the oracle now. */
function headersSteps(): { steps: Step[]; answers: Answer[] } {
  const recording = JSON.parse(readFileSync(join(here, 'recorded.json'), 'utf8')) as { steps: Step[]; answers: Answer[] }
  const indexes = recording.steps.map((step, i) => [step, i] as const).filter(([step]) => step.app === 'headers')
  const steps = indexes.map(([step]) => step)
  if (!live) return { steps, answers: indexes.map(([, i]) => recording.answers[i]!) }
  const result = spawnSync('/usr/bin/python3', [join(here, 'app.py')], { input: JSON.stringify(steps), encoding: 'utf8', env: { ...process.env, PYTHONPATH: ORACLE_PATH }, maxBuffer: 64 * 1024 * 1024 })
  if (result.status !== 0) throw new Error(result.stderr)
  return { steps, answers: JSON.parse(result.stdout) as Answer[] }
}

let service: RunningService | null = null
const outRoot = mkdtempSync(join(tmpdir(), 'jwt3-migrated-'))
let setupCode = ''
let stubs: string[] = []

describe('a Flask-JWT-Extended 3 app, migrated', () => {
  beforeAll(async () => {
    const result = await runPipeline({ input: join(here, 'project') }, await defaultStages())
    if (!result.ok) throw new Error(result.error.message)
    stubs = result.result.report.routes.filter((route) => route.status === 'stub').map((route) => route.rule)
    const dir = join(outRoot, 'service')
    for (const [path, content] of [...result.result.files, ...result.result.emitted.assets]) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), content)
      if (typeof content === 'string' && content.includes('initJwt')) setupCode += content
    }
    const installed = installDependencies(dir, join(repo, 'node_modules'))
    if (!installed.ok) throw new Error(installed.message)
    const built = buildService(dir)
    if (!built.ok) throw new Error(built.message)
    const started = await startService(dir, 60_000, { JWT_SECRET_KEY: 'jwt3-oracle-secret' })
    if (!started.ok) throw new Error(started.message)
    service = started.value
  }, 300_000)

  afterAll(async () => {
    await service?.stop()
    rmSync(outRoot, { recursive: true, force: true })
  })

  it('is found to be a 3.x project and carried over whole', () => {
    expect(stubs).toEqual([])
    expect(setupCode).toContain('...initJwt3(jwt)')
    expect(setupCode).toMatch(/Flask-JWT-Extended 3\.x: wsgi\.py:\d+ imports \w+/)
  })

  it(`answers the requests as Flask-JWT-Extended 3.25.1 does, with its tokens (${mode})`, async () => {
    const { steps, answers } = headersSteps()
    const tokens: Record<string, string> = {}
    let requests = 0
    for (const [i, step] of steps.entries()) {
      if ('mint' in step) {
        tokens[step.as] = (answers[i] as { token: string }).token
        continue
      }
      const headers = Object.fromEntries(Object.entries(step.headers ?? {}).map(([key, value]) => [key, value.replace(/\$\{([\w-]+)\}/g, (_, name: string) => tokens[name]!)]))
      const response = await fetch(`${service!.baseUrl}${step.path}`, { method: step.method ?? 'GET', headers })
      const text = await response.text()
      let json: unknown = null
      try {
        json = JSON.parse(text)
      } catch {
        json = null
      }
      const cookies = response.headers.getSetCookie()
      expect({ status: response.status, json, cookies }, JSON.stringify(step)).toEqual(answers[i])
      requests++
    }
    expect(requests).toBeGreaterThan(150)
  })
})
