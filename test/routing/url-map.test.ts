import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { PrintedRule, PrintedUrlMap } from '../oracle/printed-url-map.js'

// Routing fidelity: for every fixtures/routing-*/input, `migrate routes <dir> --json` must
// print the URL map real Flask builds (test/oracle/flask_url_map.py).

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const python = '/usr/bin/python3'
const oracle = join(repoRoot, 'test/oracle/flask_url_map.py')
const hasFlask = spawnSync(python, ['-c', 'import flask'], { stdio: 'ignore' }).status === 0
// CI installs the oracle (.ci/run): there a missing one fails the run instead of skipping.
if (!hasFlask && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import Flask/Werkzeug, the oracle of test/routing/url-map.test.ts')
if (!hasFlask) {
  console.error(
    '\n' +
      '*****************************************************************************\n' +
      '*** SKIPPING test/routing/url-map.test.ts: /usr/bin/python3 cannot import   ***\n' +
      '*** flask, so there is no oracle. Install it: apt-get install -y python3-flask\n' +
      '*****************************************************************************\n',
  )
}

const fixtureDirs = readdirSync(join(repoRoot, 'fixtures'))
  .filter((name) => name.startsWith('routing-') && existsSync(join(repoRoot, 'fixtures', name, 'input')))
  .sort()
  .map((name) => ({ name, dir: join(repoRoot, 'fixtures', name, 'input') }))


function run(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 })
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? result.error?.message ?? '' }
}

function flaskUrlMap(dir: string, app?: string): PrintedUrlMap {
  const result = run(python, [oracle, dir, ...(app !== undefined ? [app] : [])])
  if (result.status !== 0) throw new Error(`flask_url_map.py failed on ${dir}:\n${result.stderr}`)
  return JSON.parse(result.stdout) as PrintedUrlMap
}

/**
 * The fields routing depends on, in a form both sides can be held to:
 * - `<x>` uses the converter Werkzeug names `default`, the same class as `string`;
 * - no defaults is null whether spelled null or {}.
 * strictSlashes is compared as the bound rule holds it (the map's setting when the rule was added).
 */
function routingFields(rule: PrintedRule) {
  return {
    rule: rule.rule,
    endpoint: rule.endpoint,
    methods: rule.methods === null ? null : [...rule.methods].sort(),
    converters: rule.converters.map((converter) => ({
      variable: converter.variable,
      name: converter.name === 'default' ? 'string' : converter.name,
      args: converter.args,
      kwargs: converter.kwargs,
    })),
    defaults: rule.defaults && Object.keys(rule.defaults).length > 0 ? rule.defaults : null,
    strictSlashes: rule.strictSlashes,
    redirectTo: rule.redirectTo ?? null,
  }
}

/** Flask's rules in the order they were registered (iter_rules(), the order compared above, groups and sorts them by endpoint). */
function inRegistrationOrder(urlMap: PrintedUrlMap): PrintedRule[] {
  return urlMap.registrationOrder ? urlMap.registrationOrder.map((index) => urlMap.rules[index]!) : urlMap.rules
}

describe.skipIf(!hasFlask)('routing fixtures: migrate routes --json matches Flask', () => {
  it('has routing fixtures to check', () => {
    expect(fixtureDirs.length).toBeGreaterThanOrEqual(10)
  })

  // A fixture with an app-specs.json is checked once per FLASK_APP value it lists (`--app` on our side).
  const checks = fixtureDirs.flatMap(({ name, dir }) => {
    const specs = join(dir, '..', 'app-specs.json')
    return existsSync(specs)
      ? (JSON.parse(readFileSync(specs, 'utf8')) as string[]).map((app) => ({ name: `${name} --app ${app}`, dir, app: app as string | undefined }))
      : [{ name, dir, app: undefined as string | undefined }]
  })

  it.each(checks)('$name', ({ dir, app }) => {
    const flask = flaskUrlMap(dir, app)
    const cli = run(process.execPath, ['bin/migrate.js', 'routes', dir, '--json', ...(app !== undefined ? ['--app', app] : [])])
    expect(cli.status, `migrate routes failed:\n${cli.stderr}`).toBe(0)
    let printed: PrintedUrlMap
    try {
      printed = JSON.parse(cli.stdout) as PrintedUrlMap
    } catch {
      throw new Error(`migrate routes --json did not print JSON:\n${cli.stdout.slice(0, 2000)}\n${cli.stderr}`)
    }
    expect(printed.strictSlashes, 'url map strict_slashes').toBe(flask.strictSlashes)
    expect(printed.hostMatching, 'url map host_matching').toBe(flask.hostMatching)
    // In app.url_map.iter_rules() order, as the oracle prints them.
    const expected = flask.rules.map(routingFields)
    const actual = printed.rules.map(routingFields)
    expect(actual).toEqual(expected)
  })
})

// The oracle itself: facts about the fixtures checked by hand against Flask 2.2's behaviour, so a
// broken oracle cannot make the comparison above pass vacuously.
describe.skipIf(!hasFlask)('flask_url_map.py oracle', () => {
  const byRule = (urlMap: PrintedUrlMap, rule: string) => urlMap.rules.filter((entry) => entry.rule === rule)

  it('reports converters with their parsed arguments', () => {
    const urlMap = flaskUrlMap(join(repoRoot, 'fixtures/routing-converters/input'))
    expect(byRule(urlMap, "/any/<any(about, help, 'contact-us'):page>")[0]!.converters).toEqual([
      { variable: 'page', name: 'any', args: ['about', 'help', 'contact-us'], kwargs: {} },
    ])
    expect(byRule(urlMap, '/int-range/<int(min=1, max=100):number>')[0]!.converters[0]!.kwargs).toEqual({ min: 1, max: 100 })
    expect(byRule(urlMap, '/default/<name>')[0]!.converters[0]!.name).toBe('default')
  })

  it('reports methods as Werkzeug holds them and automatic OPTIONS', () => {
    const urlMap = flaskUrlMap(join(repoRoot, 'fixtures/routing-methods/input'))
    expect(byRule(urlMap, '/lower-case')[0]!.methods).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST'])
    const noOptions = byRule(urlMap, '/no-automatic-options')[0] as PrintedRule & { provideAutomaticOptions: boolean }
    expect(noOptions.methods).toEqual(['GET', 'HEAD'])
    expect(noOptions.provideAutomaticOptions).toBe(false)
    // Stacked decorators register the innermost first.
    expect(inRegistrationOrder(urlMap).map((rule) => rule.rule).filter((rule) => rule.startsWith('/stacked/'))).toEqual([
      '/stacked/<int:number>',
      '/stacked/two',
      '/stacked/one',
    ])
  })

  it('reports defaults, strict slashes and redirects', () => {
    const urlMap = flaskUrlMap(join(repoRoot, 'fixtures/routing-rule-options/input'))
    expect(byRule(urlMap, '/pages/')[0]!.defaults).toEqual({ page: 1 })
    expect(byRule(urlMap, '/loose/')[0]!.strictSlashes).toBe(false)
    expect(byRule(urlMap, '/old-home')[0]!.redirectTo).toBe('/home')
    const offMap = flaskUrlMap(join(repoRoot, 'fixtures/routing-strict-slashes-off/input'))
    expect(offMap.strictSlashes).toBe(false)
    expect(byRule(offMap, '/strict-again/')[0]!.strictSlashes).toBe(true)
  })

  it('reports blueprint rules under every registration name and prefix', () => {
    const nested = flaskUrlMap(join(repoRoot, 'fixtures/routing-blueprint-nested/input'))
    expect(byRule(nested, '/api/v1-again/users/<int:user_id>')[0]!.endpoint).toBe('api.v1_again.users.user')
    const prefixes = flaskUrlMap(join(repoRoot, 'fixtures/routing-prefix-slashes/input'))
    expect(byRule(prefixes, '/trailing/').map((rule) => rule.endpoint)).toEqual(['trailing.plain_root', 'trailing.plain_empty'])
  })
})
