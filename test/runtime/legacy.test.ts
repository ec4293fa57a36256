import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { legacyFallback, legacyRoutesMatcher } from '../../src/emit/runtime/legacy.js'
import { WerkzeugRouter, type RoutingVariables } from '../../src/emit/runtime/router.js'
import { buildService, freePort, installDependencies, startService, type RunningService } from '../../src/verify/service.js'
import { endToEndHeaders, headerValues, pythonHas, repoRoot, send, startFlask, type RunningFlask } from './legacy-helpers.js'

// Legacy fallback (src/emit/runtime/legacy.ts) end to end: test/runtime/legacy-app is migrated (its
// @legacy_only views are stubs), served by real Flask (Debian's, /usr/bin/python3) as the legacy app,
// and the migrated service is started with LEGACY_URL pointing at it. Views answer {"side": $SIDE}:
// "flask" on the legacy app, "service" on the service, so each answer says who gave it.

const flaskCheck = pythonHas(['flask'])
if (!flaskCheck.ok) {
  const message = `/usr/bin/python3 cannot import flask (bash .ci/run installs python3-flask): ${flaskCheck.message}`
  if (process.env.CI === 'true') throw new Error(message)
  console.error(`\n*** SKIPPING test/runtime/legacy.test.ts: ${message} ***\n`)
}

describe('LEGACY_ROUTES patterns', () => {
  it('matches exact endpoints, blueprint.* and *', () => {
    const match = legacyRoutesMatcher(' auth.login , admin.* ,,')
    expect(['auth.login', 'auth.logout', 'admin.stats', 'admin.users.list', 'admin', 'administer.x'].filter(match)).toEqual([
      'auth.login',
      'admin.stats',
      'admin.users.list',
    ])
    expect(legacyRoutesMatcher('*')('anything')).toBe(true)
    expect(legacyRoutesMatcher('')('anything')).toBe(false)
  })

  it('refuses a LEGACY_URL that is not http(s) and a bad LEGACY_TIMEOUT_MS at start-up', () => {
    expect(() => legacyFallback({ native: [], stubs: [], legacyUrl: 'ftp://x' })).toThrow(/LEGACY_URL/)
    expect(() => legacyFallback({ native: [], stubs: [], legacyUrl: 'not a url' })).toThrow(/LEGACY_URL/)
    const saved = process.env.LEGACY_TIMEOUT_MS
    process.env.LEGACY_TIMEOUT_MS = '10s'
    try {
      expect(() => legacyFallback({ native: [], stubs: [] })).toThrow(/LEGACY_TIMEOUT_MS/)
    } finally {
      if (saved === undefined) delete process.env.LEGACY_TIMEOUT_MS
      else process.env.LEGACY_TIMEOUT_MS = saved
    }
  })
})

describe.skipIf(!flaskCheck.ok)('legacy fallback against a real Flask app', () => {
  const appDir = join(repoRoot, 'test', 'runtime', 'legacy-app')
  const out = mkdtempSync(join(tmpdir(), 'migrate-legacy-'))
  const serviceDir = join(out, 'service')
  let flask: RunningFlask
  /**
   * LEGACY_URL → Flask, LEGACY_ROUTES=forceable,bp.*, MIGRATE_ADMIN=1, a small timeout and body
   * limit; no request log, as deployed: forwarded before the Hono app runs (server.ts's forwarder).
   */
  let service: RunningService
  /** The same with request logs on (LOG_LEVEL=INFO): forwarded by the middleware, after Hono's logger. */
  let logged: RunningService
  /** LEGACY_URL → a port nobody listens on (no request log). */
  let down: RunningService
  /** The same with request logs on. */
  let downLogged: RunningService
  /** No LEGACY_URL. */
  let plain: RunningService
  let serviceHost: string

  beforeAll(async () => {
    const run = spawnSync(process.execPath, ['bin/migrate.js', appDir, '--out', serviceDir, '--force'], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 })
    if (run.status !== 0) throw new Error(`migrate failed:\n${run.stdout}\n${run.stderr}`)
    const installed = installDependencies(serviceDir, join(repoRoot, 'node_modules'))
    if (!installed.ok) throw new Error(installed.message)
    const built = buildService(serviceDir)
    if (!built.ok) throw new Error(built.message)
    // A route only the Flask app has: the analysis never saw it.
    flask = await startFlask(appDir, 'wsgi:app', { SIDE: 'flask' }, "app.add_url_rule('/only-in-flask', 'only_in_flask', lambda: {'hidden': True, 'side': 'flask'})")
    const closedPort = await freePort()
    const settings = {
      SIDE: 'service',
      LEGACY_URL: flask.url,
      LEGACY_ROUTES: 'forceable,bp.*',
      LEGACY_TIMEOUT_MS: '1500',
      MIGRATE_ADMIN: '1',
      MAX_BODY_BYTES: '1000',
    }
    const started = await Promise.all([
      startService(serviceDir, 60_000, { ...settings, LOG_LEVEL: 'WARNING' }),
      startService(serviceDir, 60_000, { ...settings, LOG_LEVEL: 'INFO' }),
      startService(serviceDir, 60_000, { SIDE: 'service', LEGACY_URL: `http://127.0.0.1:${closedPort}`, LOG_LEVEL: 'WARNING' }),
      startService(serviceDir, 60_000, { SIDE: 'service', LEGACY_URL: `http://127.0.0.1:${closedPort}`, LOG_LEVEL: 'INFO' }),
      startService(serviceDir, 60_000, { SIDE: 'service', LEGACY_URL: '' }),
    ])
    for (const outcome of started) if (!outcome.ok) throw new Error(outcome.message)
    ;[service, logged, down, downLogged, plain] = started.map((outcome) => (outcome as { ok: true; value: RunningService }).value) as [RunningService, RunningService, RunningService, RunningService, RunningService]
    serviceHost = new URL(service.baseUrl).host
  }, 600_000)

  afterAll(async () => {
    await Promise.all([service?.stop(), logged?.stop(), down?.stop(), downLogged?.stop(), plain?.stop(), flask?.stop()])
    rmSync(out, { recursive: true, force: true })
  })

  /** Each forwarding test runs on both paths: before the Hono app (no request log) and through the middleware. */
  const paths: [string, () => RunningService][] = [
    ['before the Hono app', () => service],
    ['through the middleware', () => logged],
  ]
  const json = (body: Buffer): Record<string, unknown> => JSON.parse(body.toString('utf8')) as Record<string, unknown>
  /** echo's answer without what depends on the host the client called. */
  const hostless = (body: Record<string, unknown>): Record<string, unknown> => {
    const { host: _host, external: _external, forwarded_for: _for, forwarded_proto: _proto, forwarded_host: _host2, connection: _connection, te: _te, ...rest } = body
    return rest
  }

  it('writes the native endpoints into the report and the service', () => {
    const report = JSON.parse(readFileSync(join(serviceDir, 'migration-report.json'), 'utf8')) as { nativeEndpoints: string[] }
    expect(report.nativeEndpoints).toEqual(['bp.ping', 'directory', 'forceable', 'native', 'native_post', 'static'])
    const appTs = readFileSync(join(serviceDir, 'src', 'app.ts'), 'utf8')
    expect(appTs).toContain("stubs: ['cookies', 'echo', 'gzipped', 'slow', 'stream']")
    expect(readFileSync(join(serviceDir, '.env.example'), 'utf8')).toMatch(/^LEGACY_URL=$/m)
    expect(readFileSync(join(serviceDir, 'README.md'), 'utf8')).toContain('## Moving traffic from Flask')
    expect(readFileSync(join(serviceDir, 'Dockerfile'), 'utf8')).toContain('LEGACY_URL=')
  })

  it.each(paths)('forwards a stub with its method, query, JSON body and headers, as Flask answers it directly (%s)', async (_path, which) => {
    const target = which()
    const path = '/echo?x=1&x=2&y=%20z&e=%C3%A9'
    const headers = { 'Content-Type': 'application/json', 'X-Custom': ['a', 'b'] }
    const body = JSON.stringify({ name: 'widget', tags: ['a', 'b'], n: 3.0 })
    const direct = await send(flask.url, 'POST', path, headers, body)
    const forwarded = await send(target.baseUrl, 'POST', path, headers, body)
    expect(forwarded.status).toBe(200)
    expect(json(forwarded.body).side).toBe('flask')
    expect(json(forwarded.body).method).toBe('POST')
    expect(json(forwarded.body).full_path).toBe(path)
    expect(hostless(json(forwarded.body))).toEqual(hostless(json(direct.body)))
    expect(endToEndHeaders(forwarded.rawHeaders).filter(([name]) => name !== 'content-length')).toEqual(
      endToEndHeaders(direct.rawHeaders).filter(([name]) => name !== 'content-length'),
    )
  })

  it.each(paths)('forwards form bodies and every method the rule has (%s)', async (_path, which) => {
    const target = which()
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const headers = { 'Content-Type': 'application/x-www-form-urlencoded' }
      const body = 'a=1&a=2&b=%E2%82%AC+x'
      const direct = await send(flask.url, method, '/echo', headers, body)
      const forwarded = await send(target.baseUrl, method, '/echo', headers, body)
      expect(forwarded.status, method).toBe(200)
      expect(json(forwarded.body).method).toBe(method)
      expect(json(forwarded.body).form).toEqual({ a: ['1', '2'], b: ['€ x'] })
      expect(hostless(json(forwarded.body))).toEqual(hostless(json(direct.body)))
    }
  })

  it('keeps the Host the client used and adds X-Forwarded-For, -Proto and -Host', async () => {
    const answer = json((await send(service.baseUrl, 'GET', '/echo')).body)
    expect(answer.host).toBe(serviceHost)
    expect(answer.external).toBe(`http://${serviceHost}/echo`)
    expect(answer.forwarded_for).toBe('127.0.0.1')
    expect(answer.forwarded_proto).toBe('http')
    expect(answer.forwarded_host).toBe(serviceHost)
    const chained = json((await send(service.baseUrl, 'GET', '/echo', { 'X-Forwarded-For': '203.0.113.7', Host: 'public.example:8443' })).body)
    expect(chained.forwarded_for).toBe('203.0.113.7, 127.0.0.1')
    expect(chained.host).toBe('public.example:8443')
    expect(chained.external).toBe('http://public.example:8443/echo')
  })

  it.each(paths)('passes every Set-Cookie and repeated header through, in order (%s)', async (_path, which) => {
    const target = which()
    const direct = await send(flask.url, 'GET', '/cookies')
    const forwarded = await send(target.baseUrl, 'GET', '/cookies')
    expect(forwarded.status).toBe(201)
    expect(headerValues(forwarded.rawHeaders, 'set-cookie')).toHaveLength(3)
    expect(headerValues(forwarded.rawHeaders, 'set-cookie')).toEqual(headerValues(direct.rawHeaders, 'set-cookie'))
    expect(headerValues(forwarded.rawHeaders, 'x-multi')).toEqual(['one', 'two'])
    expect(endToEndHeaders(forwarded.rawHeaders)).toEqual(endToEndHeaders(direct.rawHeaders))
    expect(forwarded.body.toString()).toBe('cookies')
  })

  it.each(paths)('passes a gzip-encoded response through untouched (%s)', async (_path, which) => {
    const target = which()
    const direct = await send(flask.url, 'GET', '/gzip', { 'Accept-Encoding': 'gzip' })
    const forwarded = await send(target.baseUrl, 'GET', '/gzip', { 'Accept-Encoding': 'gzip' })
    expect(headerValues(forwarded.rawHeaders, 'content-encoding')).toEqual(['gzip'])
    expect(forwarded.body.equals(direct.body)).toBe(true)
    expect(gunzipSync(forwarded.body).toString()).toBe('hello legacy '.repeat(200))
    expect(headerValues(forwarded.rawHeaders, 'content-length')).toEqual([String(direct.body.length)])
  })

  it.each(paths)('streams a chunked request body past MAX_BODY_BYTES (Flask applies its own limit) and a streamed response (%s)', async (_path, which) => {
    const target = which()
    const part = Buffer.alloc(50_000, 'x')
    const forwarded = await send(target.baseUrl, 'POST', '/echo', { 'Content-Type': 'application/octet-stream' }, [part, part, part, part])
    expect(forwarded.status).toBe(200)
    expect(json(forwarded.body).length).toBe(200_000)
    expect(json(forwarded.body).te).toBe('chunked')
    const streamed = await send(target.baseUrl, 'GET', '/stream')
    expect(streamed.body.toString()).toBe([0, 1, 2, 3, 4].map((i) => `chunk ${i}\n`).join(''))
  })

  it.each(paths)('forwards paths the url map does not know (%s)', async (_path, which) => {
    const target = which()
    const hidden = await send(target.baseUrl, 'GET', '/only-in-flask')
    expect(hidden.status).toBe(200)
    expect(json(hidden.body)).toEqual({ hidden: true, side: 'flask' })
    const direct = await send(flask.url, 'GET', '/no/such/page')
    const missing = await send(target.baseUrl, 'GET', '/no/such/page')
    expect(missing.status).toBe(404)
    expect(missing.body.equals(direct.body)).toBe(true)
  })

  it.each(paths)('serves native routes itself, 405s and redirects included (%s)', async (_path, which) => {
    const target = which()
    expect(json((await send(target.baseUrl, 'GET', '/native')).body)).toEqual({ side: 'service' })
    expect(json((await send(target.baseUrl, 'POST', '/native-post')).body)).toEqual({ side: 'service' })
    // The app's errorhandler(405) is migrated: the service answers the 405.
    const notAllowed = await send(target.baseUrl, 'GET', '/native-post')
    expect(notAllowed.status).toBe(405)
    expect(json(notAllowed.body)).toEqual({ side: 'service', status: 405 })
    const redirect = await send(target.baseUrl, 'GET', '/dir?q=1')
    expect(redirect.status).toBe(308)
    expect(headerValues(redirect.rawHeaders, 'location')).toEqual([`http://${new URL(target.baseUrl).host}/dir/?q=1`])
    expect(flask.log()).not.toMatch(/"(GET \/native|POST \/native-post|GET \/dir)[ ?]/)
  })

  it('sends the endpoints of LEGACY_ROUTES to Flask, and lists them on /__migrate/routes with MIGRATE_ADMIN=1', async () => {
    expect(json((await send(service.baseUrl, 'GET', '/forceable')).body)).toEqual({ side: 'flask' })
    expect(json((await send(service.baseUrl, 'GET', '/bp/ping')).body)).toEqual({ side: 'flask' })
    expect(json((await send(down.baseUrl, 'GET', '/forceable')).body)).toEqual({ side: 'service' })
    const routes = await send(service.baseUrl, 'GET', '/__migrate/routes')
    expect(json(routes.body)).toEqual({
      native: ['directory', 'native', 'native_post', 'static'],
      legacy: ['bp.ping', 'cookies', 'echo', 'forceable', 'gzipped', 'slow', 'stream'],
      legacyUrl: true,
    })
    // Without MIGRATE_ADMIN the path is just a path (404 from the service here).
    expect((await send(plain.baseUrl, 'GET', '/__migrate/routes')).status).toBe(404)
  })

  it.each(paths)('sends the 405 of a forced endpoint to Flask too: a method the rule lacks is answered by Flask\'s hooks and error handlers (%s)', async (_path, which) => {
    const target = which()
    // /forceable (GET only) is forced; /native-post is not: the app's errorhandler(405) answers each, on its own side.
    const forced = await send(target.baseUrl, 'POST', '/forceable')
    expect(forced.status).toBe(405)
    expect(json(forced.body)).toEqual({ side: 'flask', status: 405 })
    expect(flask.log()).toMatch(/"POST \/forceable HTTP\/1\.1" 405/)
    expect(json((await send(target.baseUrl, 'GET', '/native-post')).body)).toEqual({ side: 'service', status: 405 })
  })

  it('with LEGACY_ROUTES=* forwards every request: native routes, 405s, redirects and automatic OPTIONS', async () => {
    const urlMap = [
      { rule: '/native', endpoint: 'native', methods: ['GET', 'HEAD', 'OPTIONS'] },
      { rule: '/native-post', endpoint: 'native_post', methods: ['POST', 'OPTIONS'] },
      { rule: '/dir/', endpoint: 'directory', methods: ['GET', 'HEAD', 'OPTIONS'] },
    ]
    const app = new Hono<{ Variables: RoutingVariables }>({ router: new WerkzeugRouter(urlMap) })
    app.use(legacyFallback({ native: ['native', 'native_post', 'directory'], stubs: [], legacyUrl: flask.url, legacyRoutes: '*' }))
    app.get('/native', (c) => c.json({ side: 'service' }))
    app.post('/native-post', (c) => c.json({ side: 'service' }))
    app.get('/dir/', (c) => c.json({ side: 'service' }))
    app.onError((error, c) => c.json({ side: 'service', error: String(error) }, 500))
    expect(await (await app.request('/native')).json()).toEqual({ side: 'flask' })
    const notAllowed = await app.request('/native-post')
    expect(notAllowed.status).toBe(405)
    expect(await notAllowed.json()).toEqual({ side: 'flask', status: 405 })
    const redirect = await app.request('/dir?q=1', { redirect: 'manual' })
    expect(redirect.status).toBe(308)
    expect(redirect.headers.get('location')).toMatch(/\/dir\/\?q=1$/)
    const options = await app.request('/native', { method: 'OPTIONS' })
    expect(options.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'OPTIONS'])
    expect(flask.log()).toMatch(/"OPTIONS \/native HTTP\/1\.1" 200/)
    expect(flask.log()).toMatch(/"GET \/dir\?q=1 HTTP\/1\.1" 308/)
  })

  it('sends the endpoints of sharedState (data kept in process memory) to Flask, unless LEGACY_SPLIT_STATE=1', async () => {
    const urlMap = [
      { rule: '/native', endpoint: 'native', methods: ['GET', 'HEAD', 'OPTIONS'] },
      { rule: '/forceable', endpoint: 'forceable', methods: ['GET', 'HEAD', 'OPTIONS'] },
    ]
    const appWith = (options: { splitState?: boolean }, sharedState: string[]) => {
      const app = new Hono<{ Variables: RoutingVariables }>({ router: new WerkzeugRouter(urlMap) })
      app.use(legacyFallback({ native: ['native', 'forceable'], stubs: [], sharedState, legacyUrl: flask.url, legacyRoutes: '', admin: true, ...options }))
      app.get('/native', (c) => c.json({ side: 'service' }))
      app.get('/forceable', (c) => c.json({ side: 'service' }))
      return app
    }
    const shared = appWith({}, ['forceable'])
    expect(await (await shared.request('/forceable')).json()).toEqual({ side: 'flask' })
    expect(await (await shared.request('/native')).json()).toEqual({ side: 'service' })
    // A method the rule lacks is Flask's 405 too, as for LEGACY_ROUTES.
    expect(await (await shared.request('/forceable', { method: 'POST' })).json()).toEqual({ side: 'flask', status: 405 })
    expect(await (await shared.request('/__migrate/routes')).json()).toEqual({ native: ['native'], legacy: ['forceable'], legacyUrl: true })
    const everything = appWith({}, ['*'])
    expect(await (await everything.request('/native')).json()).toEqual({ side: 'flask' })
    const split = appWith({ splitState: true }, ['*'])
    expect(await (await split.request('/native')).json()).toEqual({ side: 'service' })
    expect(await (await split.request('/forceable')).json()).toEqual({ side: 'service' })
  })

  it.each(paths)('answers 504 when Flask is slower than LEGACY_TIMEOUT_MS, and keeps serving (%s)', async (_path, which) => {
    const target = which()
    const started = Date.now()
    const slow = await send(target.baseUrl, 'GET', '/slow?s=4')
    expect(slow.status).toBe(504)
    expect(slow.body.toString()).toContain('Gateway Timeout')
    expect(Date.now() - started).toBeLessThan(3_500)
    expect((await send(target.baseUrl, 'GET', '/slow?s=0.1')).body.toString()).toBe('late')
  })

  it.each([
    ['before the Hono app', () => down],
    ['through the middleware', () => downLogged],
  ] as [string, () => RunningService][])('answers 502 when the Flask app is down, and still serves native routes (%s)', async (_path, which) => {
    const down = which()
    for (const [method, body] of [['GET', undefined], ['POST', '{"a": 1}'], ['POST', [Buffer.alloc(100_000, 'y')]]] as const) {
      const answer = await send(down.baseUrl, method, '/echo', { 'Content-Type': 'application/json' }, body as never)
      expect(answer.status).toBe(502)
      expect(answer.body.toString()).toContain('Bad Gateway')
    }
    expect((await send(down.baseUrl, 'GET', '/only-in-flask')).status).toBe(502)
    expect(json((await send(down.baseUrl, 'GET', '/native')).body)).toEqual({ side: 'service' })
  })

  it('without LEGACY_URL: stubs answer 501 and unknown paths 404', async () => {
    const stub = await send(plain.baseUrl, 'GET', '/echo')
    expect(stub.status).toBe(501)
    expect(json(stub.body)).toEqual({ endpoint: 'echo', error: 'not migrated' })
    expect((await send(plain.baseUrl, 'GET', '/only-in-flask')).status).toBe(404)
    expect(json((await send(plain.baseUrl, 'GET', '/forceable')).body)).toEqual({ side: 'service' })
  })

  it('forwards from app.request() too (no Node request): a web Response with each Set-Cookie', async () => {
    const app = new Hono<{ Variables: RoutingVariables }>({ router: new WerkzeugRouter([{ rule: '/cookies', endpoint: 'cookies', methods: ['GET', 'HEAD', 'OPTIONS'] }]) })
    app.use(legacyFallback({ native: [], stubs: ['cookies'], legacyUrl: flask.url }))
    app.get('/cookies', (c) => c.text('native'))
    const response = await app.request('/cookies')
    expect(response.status).toBe(201)
    expect(response.headers.getSetCookie()).toHaveLength(3)
    expect(await response.text()).toBe('cookies')
    const hidden = await app.request('/only-in-flask')
    expect(await hidden.json()).toEqual({ hidden: true, side: 'flask' })
  })

})
