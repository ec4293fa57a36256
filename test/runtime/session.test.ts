/**
 * Flask's cookie session (src/emit/runtime/session.ts) against Debian's Flask 2.2 / itsdangerous
 * (test/oracle/flask_session.py): the same value signed at the same time gives the same cookie
 * text; each side reads the other's cookies; tampered, expired, future and foreign cookies give an
 * empty session on both; and in apps, the same Set-Cookie, Vary and payload for the same views.
 */
import { spawnSync } from 'node:child_process'
import { inflateSync } from 'node:zlib'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { PyDate, PyDateTime, PyTimezone } from '../../src/emit/runtime/datetime.js'
import { errorHandlers, jsonify, requestHooks, useAppConfig, view, type AppEnv } from '../../src/emit/runtime/flask.js'
import { PyDict, UUID, asFloat, repr, tuple, type Py } from '../../src/emit/runtime/py.js'
import { WerkzeugRouter } from '../../src/emit/runtime/router.js'
import { SessionSerializer, flaskSession, flash, getFlashedMessages, openSession, sessionSettings, type SecureCookieSession } from '../../src/emit/runtime/session.js'

const hasFlask = spawnSync('/usr/bin/python3', ['-c', 'import flask'], { stdio: 'ignore' }).status === 0
if (!hasFlask && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import Flask, the oracle of test/runtime/session.test.ts')

function oracle(commands: object[]): Record<string, Py>[] {
  const result = spawnSync('/usr/bin/python3', ['test/oracle/flask_session.py'], { input: JSON.stringify(commands), encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 })
  if (result.status !== 0) throw new Error(`oracle failed: ${result.stderr}`)
  return JSON.parse(result.stdout) as Record<string, Py>[]
}

/** The JSON of a compressed cookie and its timestamp. */
function inflated(cookie: string): string {
  const [payload, stamp] = cookie.slice(1).split('.') as [string, string]
  return `${inflateSync(Buffer.from(payload, 'base64url')).toString()} at ${stamp}`
}

const SECRET = 'dev-secret-é'
const T = 1_700_000_000
const d = (...entries: [Py, Py][]): PyDict => new PyDict(entries)

/** A session value, as Python writes it and as the runtime builds it. */
const values: { python: string; ts: () => Py }[] = [
  { python: `{'n': 1}`, ts: () => d(['n', 1]) },
  { python: `{}`, ts: () => d() },
  { python: `{'user_id': 42, 'name': 'Ada', 'ok': True, 'no': None, 'f': 1.0, 'g': 2.5, 'neg': -3}`, ts: () => d(['user_id', 42], ['name', 'Ada'], ['ok', true], ['no', null], ['f', asFloat(1)], ['g', 2.5], ['neg', -3]) },
  { python: `{'t': (1, 'a'), 'one': (2,), 'l': [1, [2, 3], ()], 'b': b'\\x00\\xffhi'}`, ts: () => d(['t', tuple(1, 'a')], ['one', tuple(2)], ['l', [1, [2, 3], tuple()]], ['b', Uint8Array.from([0, 255, 104, 105])]) },
  { python: `{'u': uuid.UUID('12345678-1234-5678-1234-567812345678')}`, ts: () => d(['u', new UUID('12345678-1234-5678-1234-567812345678')]) },
  { python: `{'d': datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc), 'naive': datetime(2020, 1, 2, 3, 4, 5)}`, ts: () => d(['d', new PyDateTime(2021, 3, 4, 5, 6, 7, 0, PyTimezone.utc)], ['naive', new PyDateTime(2020, 1, 2, 3, 4, 5)]) },
  { python: `{'nested': {' t': 5}, 'deep': {'a': {' di': (1,)}}}`, ts: () => d(['nested', d([' t', 5])], ['deep', d(['a', d([' di', tuple(1)])])]) },
  { python: `{'_flashes': [('message', 'hi'), ('error', 'bad')], '_permanent': True}`, ts: () => d(['_flashes', [tuple('message', 'hi'), tuple('error', 'bad')]], ['_permanent', true]) },
  { python: `{'s': 'é☃\\U0001f600 "q" \\\\ \\n'}`, ts: () => d(['s', 'é☃\u{1f600} "q" \\ \n']) },
  { python: `{'long': 'x' * 500, 'list': list(range(100))}`, ts: () => d(['long', 'x'.repeat(500)], ['list', Array.from({ length: 100 }, (_, i) => i)]) },
  { python: `{'b': 2, 'a': 1, 'c': {'z': 1, 'y': 2}}`, ts: () => d(['b', 2], ['a', 1], ['c', d(['z', 1], ['y', 2])]) },
  { python: `{1: 'a', 2: 'b'}`, ts: () => d([1, 'a'], [2, 'b']) },
  { python: `{'day': date(2020, 1, 2)}`, ts: () => d(['day', new PyDate(2020, 1, 2)]) },
]

describe.skipIf(!hasFlask)('the session cookie, byte for byte with Flask', () => {
  const flaskCookies = oracle(values.map((value, i) => ({ op: 'sign', secret: SECRET, timestamp: T + i, value: value.python })))

  it('signs every value as Flask does (same text at the same time; compressed payloads the same once inflated)', () => {
    values.forEach((value, i) => {
      const ours = new SessionSerializer(SECRET, { now: () => T + i }).dumps(value.ts())
      const theirs = flaskCookies[i]!.cookie as string
      // Node's zlib (Chromium's) may deflate the same bytes differently from the system zlib Python uses.
      if (theirs.startsWith('.')) expect(inflated(ours), value.python).toBe(inflated(theirs))
      else expect(ours, value.python).toBe(theirs)
    })
    expect(flaskCookies.filter((cookie) => !String(cookie.cookie).startsWith('.')).length).toBeGreaterThan(6)
  })

  it("reads Flask's cookies, and Flask reads the runtime's, to the same values", () => {
    const ours = values.map((value, i) => new SessionSerializer(SECRET, { now: () => T + i }).dumps(value.ts()))
    const opened = oracle([...flaskCookies, ...ours.map((cookie) => ({ cookie }))].map((entry, i) => ({ op: 'open', secret: SECRET, cookie: entry.cookie, now: T + 100 + (i % values.length) })))
    values.forEach((value, i) => {
      const fromFlask = openSession(flaskCookies[i]!.cookie, { ...sessionSettings(), secretKey: SECRET }, { now: () => T + 100 + i })
      expect(repr(new PyDict(fromFlask.items())), value.python).toBe(opened[i]!.repr)
      expect(opened[values.length + i]!.repr, value.python).toBe(opened[i]!.repr)
    })
  })

  it('ignores tampered, foreign, expired and future cookies as Flask does', () => {
    const good = new SessionSerializer(SECRET, { now: () => T }).dumps(d(['n', 1]))
    const [payload, stamp, signature] = good.split('.') as [string, string, string]
    const cookies: [string, number, Record<string, unknown>?][] = [
      [good, T + 10],
      [`${payload}x.${stamp}.${signature}`, T],
      [`${payload}.${stamp}.${signature.slice(0, -1)}A`, T],
      [`${payload}.${stamp}.${signature}!`, T],
      [`${payload}.${stamp}.${signature}=`, T],
      [`${payload}.${stamp}`, T],
      [payload, T],
      ['', T],
      ['not a cookie', T],
      [new SessionSerializer('another key', { now: () => T }).dumps(d(['n', 1])), T],
      [good, T + 31 * 86400],
      [good, T + 31 * 86400 + 1],
      [good, T - 1],
      [good, T + 61, { PERMANENT_SESSION_LIFETIME: 60 }],
      [good, T + 60, { PERMANENT_SESSION_LIFETIME: 60 }],
    ]
    const flaskSide = oracle(cookies.map(([cookie, now, config]) => ({ op: 'open', secret: SECRET, cookie, now, config: config ?? {} })))
    cookies.forEach(([cookie, now, config], i) => {
      const settings = { ...sessionSettings(), secretKey: SECRET, lifetime: Number(config?.['PERMANENT_SESSION_LIFETIME'] ?? 31 * 86400) }
      const session = openSession(cookie, settings, { now: () => now })
      expect(repr(new PyDict(session.items())), `${cookie} at ${now - T}`).toBe(flaskSide[i]!.repr)
    })
    expect(flaskSide[0]!.repr).toBe("{'n': 1}")
    expect(oracle([{ op: 'open', secret: null, cookie: good, now: T }])[0]).toEqual({ null: true })
    expect(openSession(good, { ...sessionSettings(), secretKey: null }).isNull).toBe(true)
  })
})

/** A Hono app with one view per path (each a function of the session), through requestHooks as the generated app.ts has it. */
function sessionApp(views: Record<string, (c: Parameters<Parameters<typeof view>[0]>[0], session: SecureCookieSession) => unknown>): Hono<AppEnv> {
  const rules = Object.keys(views).map((path) => ({ rule: path, endpoint: path.slice(1), methods: ['GET', 'HEAD', 'OPTIONS'] }))
  const app = new Hono<AppEnv>({ router: new WerkzeugRouter(rules) })
  const onError = errorHandlers([])
  app.use(requestHooks({ errorHandler: onError }))
  app.onError(onError)
  for (const [path, fn] of Object.entries(views)) app.get(path, view((c) => fn(c, flaskSession(c))))
  return app
}

interface Observed {
  status: number
  body: string
  vary: string | null
  /** Set-Cookie without the value and the Expires date (both change with the clock). */
  set_cookie: string[]
  /** The payload of the cookie set, as Flask's repr, or '' when cleared. */
  payload: string[]
}

function observe(name: string, status: number, body: string, vary: string | null, setCookies: string[]): Observed {
  const serializer = new SessionSerializer(SECRET)
  return {
    status,
    body: body.trim(),
    vary,
    // Expires as minutes from now (both sides answer within the same minute or so).
    set_cookie: setCookies.map((cookie) => cookie.replace(/^[^=]*=[^;]*/, `${name}=…`).replace(/Expires=([^;]*)/, (_, date: string) => `Expires=now+${Math.round((Date.parse(date) - Date.now()) / 60_000)}min`)),
    payload: setCookies.map((cookie) => {
      const value = /^[^=]*=([^;]*)/.exec(cookie)?.[1] ?? ''
      return value === '' ? '' : repr(new PyDict((serializer.loads(value) as PyDict).items()))
    }),
  }
}

describe.skipIf(!hasFlask)('the session in views, as Flask tracks and saves it', () => {
  const flaskSource = `
@app.route('/read')
def read():
    return jsonify(n=session.get('n'))
@app.route('/contains')
def contains():
    return jsonify(has='n' in session, size=len(session))
@app.route('/write')
def write():
    session['n'] = session.get('n', 0) + 1
    return jsonify(n=session['n'])
@app.route('/same')
def same():
    session['n'] = session['n']
    return 'same'
@app.route('/permanent')
def permanent():
    session.permanent = True
    session['p'] = 1
    return jsonify(permanent=session.permanent)
@app.route('/nothing')
def nothing():
    return 'nothing'
@app.route('/clear')
def clear():
    session.clear()
    return 'cleared'
@app.route('/pop')
def pop():
    return jsonify(popped=session.pop('missing', 'default'), modified=session.modified)
@app.route('/setdefault')
def setdefault():
    return jsonify(v=session.setdefault('s', [1]), modified=session.modified)
@app.route('/mark')
def mark():
    session.modified = True
    return 'marked'
@app.route('/flash')
def flash_():
    flash('saved')
    flash('careful', 'warning')
    return 'flashed'
@app.route('/messages')
def messages():
    return jsonify(all=get_flashed_messages(with_categories=True), again=get_flashed_messages(), warnings=get_flashed_messages(category_filter=['warning']))
`
  const tsApp = () =>
    sessionApp({
      '/read': (_c, s) => jsonify({ n: s.get('n') }),
      '/contains': (_c, s) => jsonify({ has: s.has('n'), size: s.size }),
      '/write': (_c, s) => {
        s.set('n', (s.get('n', 0) as number) + 1)
        return jsonify({ n: s.getItem('n') })
      },
      '/same': (_c, s) => {
        s.set('n', s.getItem('n'))
        return 'same'
      },
      '/permanent': (_c, s) => {
        s.permanent = true
        s.set('p', 1)
        return jsonify({ permanent: s.permanent })
      },
      '/nothing': () => 'nothing',
      '/clear': (_c, s) => {
        s.clear()
        return 'cleared'
      },
      '/pop': (_c, s) => jsonify({ popped: s.pop('missing', 'default'), modified: s.modified }),
      '/setdefault': (_c, s) => jsonify({ v: s.setdefault('s', [1]), modified: s.modified }),
      '/mark': (_c, s) => {
        s.modified = true
        return 'marked'
      },
      '/flash': (c) => {
        flash(c, 'saved')
        flash(c, 'careful', 'warning')
        return 'flashed'
      },
      '/messages': (c) => jsonify({ all: getFlashedMessages(c, { with_categories: true }), again: getFlashedMessages(c), warnings: getFlashedMessages(c, { category_filter: ['warning'] }) }),
    })
  const serializer = new SessionSerializer(SECRET)
  const cookieOf = (value: PyDict) => serializer.dumps(value)
  const n1 = cookieOf(d(['n', 1]))
  const permanent = cookieOf(d(['_permanent', true], ['n', 1]))
  const flashed = cookieOf(d(['_flashes', [tuple('message', 'saved'), tuple('warning', 'careful')]]))
  const requests: { path: string; cookie?: string }[] = [
    { path: '/read' },
    { path: '/read', cookie: n1 },
    { path: '/contains', cookie: n1 },
    { path: '/write' },
    { path: '/write', cookie: n1 },
    { path: '/same', cookie: n1 },
    { path: '/permanent' },
    { path: '/nothing', cookie: n1 },
    { path: '/nothing', cookie: permanent },
    { path: '/read', cookie: permanent },
    { path: '/clear', cookie: n1 },
    { path: '/clear' },
    { path: '/pop', cookie: n1 },
    { path: '/setdefault' },
    { path: '/mark', cookie: n1 },
    { path: '/mark' },
    { path: '/flash' },
    { path: '/flash', cookie: flashed },
    { path: '/messages', cookie: flashed },
    { path: '/messages' },
    { path: '/read', cookie: 'tampered.value.here' },
    { path: '/missing', cookie: permanent },
  ]

  const configs: Record<string, unknown>[] = [
    {},
    { SESSION_COOKIE_NAME: 'sid', SESSION_COOKIE_DOMAIN: 'example.com', SESSION_COOKIE_PATH: '/app', SESSION_COOKIE_SECURE: true, SESSION_COOKIE_HTTPONLY: false, SESSION_COOKIE_SAMESITE: 'Lax', SESSION_REFRESH_EACH_REQUEST: false },
    { SERVER_NAME: 'shop.example.org:8080', SESSION_COOKIE_SAMESITE: 'strict', PERMANENT_SESSION_LIFETIME: 3600 },
    { SERVER_NAME: 'localhost:5000', APPLICATION_ROOT: '/root' },
  ]
  it.each(configs.map((config) => [JSON.stringify(config), config] as const))('sets, refreshes and deletes the cookie and adds Vary as Flask does (config %s)', async (_name, config) => {
    const [expected] = oracle([{ op: 'app', source: flaskSource, secret: SECRET, config, requests }])
    useAppConfig({ ...config, SECRET_KEY: SECRET })
    const name = (config['SESSION_COOKIE_NAME'] as string | undefined) ?? 'session'
    try {
      const app = tsApp()
      for (const [i, request] of requests.entries()) {
        const response = await app.request(request.path, { headers: request.cookie ? { Cookie: `${name}=${request.cookie}` } : {} })
        const flask = expected!.responses[i] as { status: number; body: string; vary: string | null; set_cookie: string[] }
        const ours = observe(name, response.status, await response.text(), response.headers.get('vary'), response.headers.getSetCookie())
        const theirs = observe(name, flask.status, flask.body, flask.vary, flask.set_cookie)
        if (theirs.status >= 400) {
          theirs.body = ''
          ours.body = ''
        }
        expect(ours, `${request.path} ${request.cookie ?? ''}`).toEqual(theirs)
      }
    } finally {
      useAppConfig(null)
    }
  })
})
