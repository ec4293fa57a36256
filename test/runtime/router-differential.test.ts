/**
 * Differential test of WerkzeugRouter against real Werkzeug 2.2 (Debian's /usr/bin/python3):
 * a request matrix generated from each rule table goes through a Hono app using the router and
 * through `werkzeug.routing.Map` (test/oracle/werkzeug_match.py); the outcomes must be identical.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'
import { describe, expect, test } from 'vitest'
import { WerkzeugRouter, type RoutingVariables, type RuleSpec } from '../../src/emit/runtime/router.js'

const PYTHON = '/usr/bin/python3'
const ORACLE = fileURLToPath(new URL('../oracle/werkzeug_match.py', import.meta.url))
const hasWerkzeug = spawnSync(PYTHON, ['-c', 'import werkzeug.routing'], { stdio: 'ignore' }).status === 0
// CI installs the oracle (.ci/run): there a missing one fails the run instead of skipping.
if (!hasWerkzeug && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import Flask/Werkzeug, the oracle of test/runtime/router-differential.test.ts')

type Outcome =
  | { kind: 'match'; endpoint: string; viewArgs: Record<string, unknown> }
  | { kind: 'options'; allowed: string[] }
  | { kind: '404' }
  | { kind: '405'; allowed: string[] }
  | { kind: 'redirect'; location: string }
  | { kind: 'error'; type?: string }

type Request = [method: string, rawPath: string, query: string]

interface Table {
  name: string
  strictSlashes: boolean
  rules: RuleSpec[]
  /** Paths tried besides the generated ones. */
  extraPaths: string[]
}

const GET = ['GET', 'HEAD', 'OPTIONS']
const POST = ['OPTIONS', 'POST']
const PUT = ['OPTIONS', 'PUT']

const mainTable: Table = {
  name: 'main',
  strictSlashes: true,
  rules: [
    { rule: '/', endpoint: 'index', methods: GET },
    { rule: '/items', endpoint: 'items.list', methods: GET, blueprints: ['items'] },
    { rule: '/items', endpoint: 'items.create', methods: POST, blueprints: ['items'] },
    { rule: '/items/<int:item_id>', endpoint: 'items.get', methods: GET },
    { rule: '/items/<int:item_id>', endpoint: 'items.update', methods: ['DELETE', 'OPTIONS', 'PUT'] },
    { rule: '/items/<name>', endpoint: 'items.by_name', methods: GET },
    { rule: '/items/new', endpoint: 'items.new', methods: GET },
    { rule: '/items/<float:price>/price', endpoint: 'items.price', methods: GET },
    { rule: '/users/', endpoint: 'users.list', methods: GET },
    { rule: '/users/<uuid:uid>', endpoint: 'users.get', methods: GET },
    { rule: '/files/<path:p>', endpoint: 'files.get', methods: GET },
    { rule: '/files/<path:p>/edit', endpoint: 'files.edit', methods: ['GET', 'HEAD', 'OPTIONS', 'POST'] },
    { rule: '/pages/<any(about, help, "foo,bar"):page>', endpoint: 'pages', methods: GET },
    { rule: '/lang/<string(length=2):code>', endpoint: 'lang', methods: GET },
    { rule: '/short/<string(minlength=2, maxlength=4):s>', endpoint: 'short', methods: GET },
    { rule: '/num/<int(min=1, max=100):n>', endpoint: 'num', methods: GET },
    { rule: '/fixed/<int(fixed_digits=4):year>', endpoint: 'fixed', methods: GET },
    { rule: '/signed/<int(signed=True):n>', endpoint: 'signed', methods: GET },
    { rule: '/signedf/<float(signed=True, min=-1.5):f>', endpoint: 'signedf', methods: GET },
    { rule: '/all/', endpoint: 'entries', methods: GET, defaults: { page: 1 } },
    { rule: '/all/page/<int:page>', endpoint: 'entries', methods: GET },
    { rule: '/loose', endpoint: 'loose', methods: GET, strictSlashes: false },
    { rule: '/loose-branch/', endpoint: 'loose_branch', methods: GET, strictSlashes: false },
    { rule: '/old/<slug>', endpoint: 'old', methods: GET, redirectTo: 'new/<slug>' },
    { rule: '/older', endpoint: 'older', methods: GET, redirectTo: '/items' },
    { rule: '/file-<int:id>.txt', endpoint: 'file_txt', methods: GET },
    { rule: '/v<int:major>.<int:minor>/info', endpoint: 'version', methods: GET },
    { rule: '/opts', endpoint: 'opts', methods: GET, provideAutomaticOptions: false },
    { rule: '/cap/<int(max=5):n>', endpoint: 'cap.int', methods: GET },
    { rule: '/cap/<name>', endpoint: 'cap.name', methods: GET },
    { rule: '/wiki/<path:page>', endpoint: 'wiki', methods: GET },
    { rule: '/wiki/<path:page>/history/<int:rev>', endpoint: 'wiki.history', methods: GET },
    { rule: '/wiki/special/<name>', endpoint: 'wiki.special', methods: GET },
    { rule: '/caf\u00e9/<x>', endpoint: 'unicode', methods: GET },
    { rule: '/a/<x>/<y>', endpoint: 'two', methods: GET },
    { rule: '/a/<int:x>/b', endpoint: 'two_int', methods: GET },
    { rule: '/any', endpoint: 'any_method', methods: ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] },
  ],
  extraPaths: [
    '/nope', '//items', '/items//5', '///', '/items/', '/items/5/', '/items%2F5', '/items/%35', '/items/%31%32',
    '/items/caf%C3%A9', '/items/%FF', '/items/a%20b', '/items/a%25b', '/items/a%2Fb', '/items/%E2%82%AC',
    '/items/a+b', '/items/a;b', '/items/%3F', '/items/%23', '/items/0x1', '/items/%D9%A1%D9%A2',
    '/files/a%2Fb', '/files/a/b/c', '/files/a//b', '/files/', '/files/a%0Ab', '/files/x/edit', '/files/edit',
    '/files/a/b/edit/', '/users', '/users/?x', '/all', '/all/page/1', '/all/page/2', '/all/page/01',
    '/loose/', '/loose-branch', '/loose-branch/', '/old/abc', '/old/a%20b', '/older', '/cap/3', '/cap/10',
    '/cap/x', '/wiki/a/b', '/wiki/special/x', '/wiki/a/history/3', '/wiki/special', '/caf%C3%A9/1', '/café/2',
    '/a/1/b', '/a/x/b', '/a/1/c', '/a/1/b/', '/v1.2/info', '/v1/info', '/file-12.txt', '/file-x.txt',
    '/opts', '/any', '/items/new/', '/pages/foo,bar', '/pages/foo', '/%7Eitems', '/items/%7E',
  ],
}

const looseTable: Table = {
  name: 'strict_slashes=False',
  strictSlashes: false,
  rules: [
    { rule: '/', endpoint: 'index', methods: GET },
    { rule: '/branch/', endpoint: 'branch', methods: GET },
    { rule: '/leaf', endpoint: 'leaf', methods: GET },
    { rule: '/strict/', endpoint: 'strict', methods: GET, strictSlashes: true },
    { rule: '/x/<int:n>/', endpoint: 'x', methods: ['OPTIONS', 'POST'] },
    { rule: '/x/<name>', endpoint: 'x.name', methods: GET },
  ],
  extraPaths: ['/branch', '/branch/', '/leaf/', '/leaf', '/strict', '/x/1', '/x/1/', '/x/a/', '/x/a'],
}

const edgeTable: Table = {
  name: 'edge cases',
  strictSlashes: true,
  rules: [
    { rule: '/x/<int:a>', endpoint: 'x.first', methods: GET },
    { rule: '/x/<int(min=5):b>', endpoint: 'x.second', methods: POST },
    { rule: '/dl/<path:file>.zip', endpoint: 'zip', methods: GET },
    { rule: '/s/<any(a.b, "c+d", e):v>', endpoint: 'any_special', methods: GET },
    { rule: '/r/<int:id>/', endpoint: 'branch_int', methods: GET },
    { rule: '/mix/<a>-<b>', endpoint: 'mix.str', methods: GET },
    { rule: '/mix/<int:a>-<b>', endpoint: 'mix.int', methods: GET },
    { rule: '/dbl//x', endpoint: 'dbl', methods: GET },
    { rule: '/emptyish/<string(minlength=0):s>', endpoint: 'emptyish', methods: GET },
    { rule: '/def/<int:n>', endpoint: 'def', methods: GET, defaults: { n: 3 } },
    { rule: '/<lang>/', endpoint: 'lang', methods: GET },
    { rule: '/<lang>/about', endpoint: 'about', methods: GET },
    { rule: '/static/<path:filename>', endpoint: 'static', methods: GET },
  ],
  extraPaths: [
    '/x/1', '/x/7', '/dl/a/b.zip', '/dl/.zip', '/dl/a.zip/', '/s/a.b', '/s/axb', '/s/c+d', '/s/e', '/r/1', '/r/1/',
    '/r/x/', '/mix/a-b', '/mix/1-b', '/mix/1-2-3', '/mix/-', '/dbl/x', '/dbl//x', '/emptyish/', '/emptyish',
    '/emptyish/a', '/def/5', '/en', '/en/', '/en/about', '/en/about/', '/static/css/a.css', '/static/', '/static',
  ],
}

/** Sample values per converter: accepted and rejected ones. */
function samples(converter: string, args: string): string[] {
  switch (converter) {
    case 'int':
      if (args.includes('fixed_digits')) return ['2024', '0999', '999', '12345', 'abcd']
      if (args.includes('signed')) return ['5', '-5', '-0', '+5', '--5', 'x']
      if (args.includes('max=100')) return ['1', '0', '100', '101', '050', '-1']
      return ['5', '02', '0', '-1', 'abc', '1.5', '99999999999999999999', '%D9%A3']
    case 'float':
      return ['1.5', '1', '-1.5', '-2.0', '01.50', '1.', '.5', 'x', '1e5']
    case 'uuid':
      return ['1b4e28ba-2fa1-11d2-883f-0016d3cca427', '1B4E28BA-2FA1-11D2-883F-0016D3CCA427', '1b4e28ba2fa111d2883f0016d3cca427', 'nope']
    case 'any':
      return ['about', 'help', 'foo,bar', 'foo', 'About']
    case 'path':
      return ['a', 'a/b', 'a/b/', '.x', 'a%2Fb', 'a%20b']
    default:
      if (args.includes('length=2')) return ['en', 'e', 'eng', '%C3%A9x']
      if (args.includes('minlength')) return ['a', 'ab', 'abcd', 'abcde', '%F0%9F%98%80%F0%9F%98%80']
      return ['x', 'hello', 'a%20b', '42', '%E2%82%AC', 'new']
  }
}

/** Paths generated from a rule: every combination of converter samples, with slash variants. */
function pathsFor(rule: string): string[] {
  const pieces = rule.split(/(<[^>]+>)/)
  let paths = ['']
  for (const piece of pieces) {
    const m = /^<(?:([a-zA-Z_]\w*)(?:\(([^)]*)\))?:)?\w+>$/.exec(piece)
    const options = m ? samples(m[1] ?? 'default', m[2] ?? '') : [encodeURI(piece)]
    const next: string[] = []
    for (const path of paths) for (const option of options) next.push(path + option)
    paths = next.slice(0, 40)
  }
  const variants = new Set<string>()
  for (const path of paths) {
    variants.add(path)
    variants.add(path.endsWith('/') ? path.slice(0, -1) || '/' : `${path}/`)
  }
  variants.add(`/${paths[0]!}`)
  variants.add(paths[0]!.replace(/\/([^/]*)$/, '//$1'))
  return [...variants]
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']

function requestsFor(table: Table): Request[] {
  const paths = new Set<string>(table.extraPaths)
  for (const spec of table.rules) for (const path of pathsFor(spec.rule)) paths.add(path)
  const requests: Request[] = []
  let i = 0
  for (const raw of paths) {
    // What the Request URL keeps of the path is what both sides see.
    const path = new URL(`http://localhost${raw.startsWith('/') ? raw : `/${raw}`}`).pathname
    const query = i++ % 3 === 0 ? 'q=1&r=%20x' : ''
    for (const method of METHODS) requests.push([method, path, query])
  }
  return requests
}

function werkzeugOutcomes(table: Table, requests: Request[]): Outcome[] {
  const input = JSON.stringify({ strictSlashes: table.strictSlashes, rules: table.rules, requests })
  return JSON.parse(execFileSync(PYTHON, [ORACLE], { input, encoding: 'utf8', maxBuffer: 64 << 20, stdio: 'pipe' })) as Outcome[]
}

function honoApp(table: Table): Hono<{ Variables: RoutingVariables }> {
  const app = new Hono<{ Variables: RoutingVariables }>({
    router: new WerkzeugRouter<never>(table.rules, { strictSlashes: table.strictSlashes }),
  })
  // Registration order is the reverse of the map's: precedence must come from Werkzeug's weights.
  for (const spec of [...table.rules].reverse()) {
    if (spec.redirectTo !== undefined) continue
    const methods = spec.methods.filter((m) => m !== 'HEAD' && (m !== 'OPTIONS' || spec.provideAutomaticOptions === false))
    app.on(methods, spec.rule, (c) => {
      const routing = c.var.routing
      const outcome = { kind: 'match', endpoint: routing.endpoint, viewArgs: routing.viewArgs, params: c.req.param() }
      return c.body(null, 200, { 'X-Outcome': encodeURIComponent(JSON.stringify(outcome)) })
    })
  }
  return app
}

async function honoOutcome(app: Hono<{ Variables: RoutingVariables }>, [method, path, query]: Request): Promise<Outcome & { params?: Record<string, string> }> {
  const res = await app.request(`http://localhost${path}${query ? `?${query}` : ''}`, { method })
  const header = res.headers.get('X-Outcome')
  const sortedAllow = (): string[] => (res.headers.get('Allow') ?? '').split(', ').filter(Boolean).sort()
  if (res.status === 200 && header !== null) return JSON.parse(decodeURIComponent(header)) as Outcome
  if (res.status === 200) return { kind: 'options', allowed: sortedAllow() }
  if (res.status === 404) return { kind: '404' }
  if (res.status === 405) return { kind: '405', allowed: sortedAllow() }
  if (res.status === 308) return { kind: 'redirect', location: res.headers.get('Location') ?? '' }
  return { kind: 'error' }
}

describe.skipIf(!hasWerkzeug)('WerkzeugRouter agrees with Werkzeug 2.2 (differential)', () => {
  for (const table of [mainTable, looseTable, edgeTable]) {
    test(`rule table "${table.name}"`, async () => {
      const requests = requestsFor(table)
      const expected = werkzeugOutcomes(table, requests)
      expect(expected).toHaveLength(requests.length)
      const app = honoApp(table)
      const mismatches: string[] = []
      const kinds = new Map<string, number>()
      for (const [i, request] of requests.entries()) {
        const want = expected[i]!
        const got = await honoOutcome(app, request)
        kinds.set(want.kind, (kinds.get(want.kind) ?? 0) + 1)
        const { params, ...comparable } = got
        if (want.kind === 'error') delete (want as { type?: string }).type
        if (JSON.stringify(comparable) !== JSON.stringify(want)) {
          mismatches.push(`${request[0]} ${request[1]}?${request[2]}\n  werkzeug: ${JSON.stringify(want)}\n  hono:     ${JSON.stringify(comparable)}`)
        }
        // c.req.param() gives the matched text decoded exactly once: equal to string view args.
        if (want.kind === 'match' && params) {
          for (const [key, value] of Object.entries(params)) {
            const arg = want.viewArgs[key]
            if (typeof arg === 'string' && !/^[0-9a-f-]{36}$/i.test(value)) expect(value, `${request[1]} param ${key}`).toBe(arg)
          }
        }
      }
      expect(mismatches.slice(0, 15).join('\n')).toBe('')
      // The matrix exercises every outcome kind.
      for (const kind of ['match', 'options', '404', '405', 'redirect']) expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(0)
    }, 60_000)
  }
})

test.runIf(!hasWerkzeug)('differential test skipped: /usr/bin/python3 cannot import werkzeug', () => {
  console.warn('router-differential: /usr/bin/python3 cannot import werkzeug; differential test skipped')
})
