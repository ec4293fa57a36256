import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { dumpFlaskUrlMap, replayOnFlask } from '../../src/verify/flask-side.js'
import { generateRoutingScenario, samplePath, type UrlMapRule } from '../../src/verify/scenario.js'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const hasFlask = spawnSync('/usr/bin/python3', ['-c', 'import flask'], { stdio: 'ignore' }).status === 0
// CI installs the oracle (.ci/run): there a missing one fails the run instead of skipping.
if (!hasFlask && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import Flask/Werkzeug, the oracle of test/verify/scenario.test.ts')
const workDir = mkdtempSync(join(tmpdir(), 'verify-scenario-'))
afterAll(() => rmSync(workDir, { recursive: true, force: true }))

function rule(text: string, converters: UrlMapRule['converters'], methods = ['GET', 'HEAD', 'OPTIONS']): UrlMapRule {
  return {
    rule: text,
    endpoint: 'e',
    methods,
    converters,
    defaults: null,
    strictSlashes: true,
    subdomain: null,
    host: null,
    redirectTo: null,
    provideAutomaticOptions: true,
  }
}

describe('samplePath', () => {
  it('fills each placeholder with a value its converter arguments accept', () => {
    expect(samplePath(rule('/a/<int(fixed_digits=4):y>/<string(length=2):m>', [
      { variable: 'y', name: 'int', args: [], kwargs: { fixed_digits: 4 } },
      { variable: 'm', name: 'string', args: [], kwargs: { length: 2 } },
    ]))).toBe('/a/0001/aa')
    expect(samplePath(rule('/f/<float(min=2):x>', [{ variable: 'x', name: 'float', args: [], kwargs: { min: 2 } }]))).toBe('/f/2.0')
    expect(samplePath(rule("/p/<any(x, 'y-z'):p>", [{ variable: 'p', name: 'any', args: ['x', 'y-z'], kwargs: {} }]))).toBe('/p/x')
  })
})

describe('generateRoutingScenario', () => {
  it('asks GET, HEAD, OPTIONS, a wrong method and the other slash of every rule', () => {
    const requests = generateRoutingScenario({
      rules: [rule('/items/', [], ['GET', 'HEAD', 'OPTIONS', 'PUT']), rule('/x', [], ['OPTIONS', 'POST'])],
      strictSlashes: true,
      hostMatching: false,
    })
    expect(requests).toEqual([
      { method: 'GET', path: '/items/' },
      { method: 'HEAD', path: '/items/' },
      { method: 'OPTIONS', path: '/items/' },
      { method: 'DELETE', path: '/items/' },
      { method: 'GET', path: '/items' },
      { method: 'HEAD', path: '/x' },
      { method: 'OPTIONS', path: '/x' },
      { method: 'PUT', path: '/x' },
      { method: 'OPTIONS', path: '/x/' },
    ])
  })
})

// The scenario format is read by the reference code (test/oracle/scenario/scenario_selfcheck.py)
// through test/oracle/flask_replay.py: its errors name the file and line.
describe.skipIf(!hasFlask)('the Flask side reads the scenario format', () => {
  const flaskDir = join(repoRoot, 'fixtures', 'demo', 'input')
  const scenario = (name: string, lines: string[]): string => {
    const file = join(workDir, name)
    writeFileSync(file, lines.join('\n') + '\n')
    return file
  }

  it('rejects an unknown key, or two bodies, naming the line (blank and directive lines count)', () => {
    const unknown = scenario('unknown.jsonl', ['{"method":"GET","path":"/"}', '', '{"volatile":["json"]}', '{"method":"GET","path":"/","expect":200}'])
    expect(replayOnFlask('/usr/bin/python3', flaskDir, unknown)).toEqual({ ok: false, message: `scenario error: ${unknown}:4: unknown keys ['expect']` })
    const twoBodies = scenario('two-bodies.jsonl', ['{"method":"POST","path":"/","json":{},"body":"x"}'])
    expect(replayOnFlask('/usr/bin/python3', flaskDir, twoBodies)).toEqual({ ok: false, message: `scenario error: ${twoBodies}:1: at most one of json, form, body` })
  })

  it('numbers request lines as the file does, and fails a line whose ${NAME} was never saved', () => {
    const file = scenario('numbers.jsonl', ['{"volatile":["json"]}', '{"method":"GET","path":"/"}', '', '{"method":"GET","path":"/${MISSING}"}'])
    const answers = replayOnFlask('/usr/bin/python3', flaskDir, file)
    if (!answers.ok) throw new Error(answers.message)
    expect(answers.value.map((answer) => [answer.line, answer.error ?? answer.status])).toEqual([
      [2, 200],
      [4, 'ScenarioError: ${MISSING} used before it was saved'],
    ])
  })
})

// The sample values must reach the view in real Flask, or generated scenarios test only 404s.
describe.skipIf(!hasFlask)('generated requests on the routing fixtures, in Flask', () => {
  const fixtures = readdirSync(join(repoRoot, 'fixtures')).filter((name) => name.startsWith('routing-')).sort()
  it.each(fixtures)('%s: every GET of a sample path reaches a view or a redirect', (name) => {
    const flaskDir = join(repoRoot, 'fixtures', name, 'input')
    // A fixture of several apps names them in app-specs.json: the first is the one served.
    const specs = join(repoRoot, 'fixtures', name, 'app-specs.json')
    const app = existsSync(specs) ? (JSON.parse(readFileSync(specs, 'utf8')) as string[])[0] : undefined
    const urlMap = dumpFlaskUrlMap('/usr/bin/python3', flaskDir, app)
    if (!urlMap.ok) throw new Error(urlMap.message)
    const requests = urlMap.value.rules
      .filter((entry) => entry.methods?.includes('GET') && !entry.endpoint.endsWith('static'))
      .map((entry) => ({ method: 'GET', path: samplePath(entry) }))
    expect(requests.length).toBeGreaterThan(0)
    const file = join(workDir, `${name}.jsonl`)
    writeFileSync(file, requests.map((request) => JSON.stringify(request)).join('\n') + '\n')
    const responses = replayOnFlask('/usr/bin/python3', flaskDir, file, app)
    if (!responses.ok) throw new Error(responses.message)
    const unreached = responses.value.filter((response) => response.status === 404 || response.status === 405)
    expect(unreached.map((response) => `${response.path} → ${response.status}`)).toEqual([])
  })
})
