/**
 * The Flask runtime (src/emit/runtime/flask.ts) against real Flask: every case is a small Flask
 * app and its Hono equivalent written with the runtime; both answer the same requests (Flask
 * through its test client, via test/oracle/flask_runtime.py) and must agree on status, headers
 * and body, and on what the hooks logged.
 */
import { spawnSync } from 'node:child_process'
import { Hono, type Context } from 'hono'
import { beforeAll, describe, expect, it } from 'vitest'
import { WerkzeugRouter, type RuleSpec } from '../../src/emit/runtime/router.js'
import { BadRequest, HTTPException, InternalServerError, NotFound, abort } from '../../src/emit/runtime/errors.js'
import { Exception, IndexError, KeyError, LookupError, RuntimeError, ValueError } from '../../src/emit/runtime/exceptions.js'
import { int } from '../../src/emit/runtime/py.js'
import {
  type AppEnv,
  type ErrorHandlerEntry,
  type RequestHooksOptions,
  FlaskResponse,
  afterThisRequest,
  errorHandlers,
  g,
  jsonify,
  kwargs,
  makeResponse,
  redirect,
  request,
  requestHooks,
  view,
} from '../../src/emit/runtime/flask.js'

interface Req {
  method?: string
  path: string
  headers?: Record<string, string>
  body?: string
  json?: unknown
}

interface Answer {
  status: number
  headers: [string, string][]
  body: string
}

interface Case {
  name: string
  /** Python defining routes on `app` (already `Flask(__name__)`); `LOG` is a list to append to. */
  flask: string
  /** The Hono side; `log` is its LOG. */
  hono: (log: unknown[]) => Hono<AppEnv>
  requests: Req[]
}

const PRELUDE = `from flask import Flask, Blueprint, request, jsonify, make_response, redirect, abort, g, after_this_request
from werkzeug.exceptions import HTTPException, NotFound, BadRequest, InternalServerError
app = Flask(__name__, root_path="/tmp")
`

const cases: Case[] = []
let oracle: Record<string, { responses?: Answer[]; log?: unknown[]; error?: string }> = {}

/** A Werkzeug rule spec with the method set Flask gives it (HEAD with GET, automatic OPTIONS). */
function rule(text: string, endpoint: string, methods: string[] = ['GET'], blueprints: string[] = []): RuleSpec {
  const all = new Set(methods)
  if (all.has('GET')) all.add('HEAD')
  all.add('OPTIONS')
  return { rule: text, endpoint, methods: [...all].sort(), blueprints }
}

function honoApp(specs: RuleSpec[]): Hono<AppEnv> {
  return new Hono<AppEnv>({ router: new WerkzeugRouter(specs, { strictSlashes: true }) })
}

function oracleCase(testCase: Case): void {
  cases.push(testCase)
  it(testCase.name, async () => {
    const expected = oracle[testCase.name]
    expect(expected?.error, 'the Flask side failed').toBeUndefined()
    const log: unknown[] = []
    const app = testCase.hono(log)
    const actual: Answer[] = []
    for (const req of testCase.requests) {
      const headers: Record<string, string> = { ...(req.headers ?? {}) }
      let body: string | undefined = req.body
      if (req.json !== undefined) {
        body = JSON.stringify(req.json)
        headers['Content-Type'] = 'application/json'
      }
      const response = await app.request(req.path, { method: req.method ?? 'GET', headers, body })
      actual.push({ status: response.status, headers: webHeaders(response), body: await response.text() })
    }
    const flask = expected!.responses!.map((answer) => ({ ...answer, headers: normaliseHeaders(answer.headers) }))
    expect(actual).toEqual(flask)
    expect(log).toEqual(expected!.log)
  })
}

function normaliseHeaders(pairs: [string, string][]): [string, string][] {
  const byName = new Map<string, string[]>()
  for (const [name, value] of pairs) {
    const key = name.toLowerCase()
    byName.set(key, [...(byName.get(key) ?? []), value])
  }
  const out: [string, string][] = []
  for (const [name, values] of byName) {
    if (name === 'set-cookie') for (const value of values) out.push([name, value])
    // Werkzeug lists Allow in set order; the acceptance rules compare it as a set.
    else if (name === 'allow') out.push([name, values.join(', ').split(', ').sort().join(', ')])
    else out.push([name, values.join(', ')])
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
}

function webHeaders(response: Response): [string, string][] {
  const pairs: [string, string][] = []
  for (const [name, value] of response.headers) if (name !== 'set-cookie') pairs.push([name, value])
  for (const cookie of response.headers.getSetCookie()) pairs.push(['set-cookie', cookie])
  return normaliseHeaders(pairs)
}

beforeAll(() => {
  const input = cases.map((testCase) => ({ name: testCase.name, source: PRELUDE + testCase.flask, requests: testCase.requests }))
  const result = spawnSync('/usr/bin/python3', ['test/oracle/flask_runtime.py'], { input: JSON.stringify(input), encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 })
  if (result.status !== 0) throw new Error(`oracle failed: ${result.stderr}`)
  oracle = JSON.parse(result.stdout) as typeof oracle
})

const withErrors = (app: Hono<AppEnv>, entries: ErrorHandlerEntry[] = [], hooks: RequestHooksOptions = {}): Hono<AppEnv> => {
  const onError = errorHandlers(entries)
  app.onError(onError)
  app.use(requestHooks({ ...hooks, errorHandler: onError }))
  return app
}

describe('request.get_json', () => {
  oracleCase({
    name: 'get_json: dict, list, malformed, wrong type, force, silent, NaN',
    flask: `
@app.route('/j', methods=['POST'])
def j():
    return jsonify(got=request.get_json())
@app.route('/s', methods=['POST'])
def s():
    data = request.get_json(silent=True)
    return jsonify(got=data, none=data is None)
@app.route('/f', methods=['POST'])
def f():
    return jsonify(got=request.get_json(force=True))
@app.route('/p', methods=['POST'])
def p():
    return jsonify(json=request.json, again=request.get_json(), silent=request.get_json(silent=True))
`,
    hono: () => {
      const app = withErrors(honoApp([rule('/j', 'j', ['POST']), rule('/s', 's', ['POST']), rule('/f', 'f', ['POST']), rule('/p', 'p', ['POST'])]))
      app.post('/j', view((c) => jsonify(kwargs({ got: request(c).getJson() }))))
      app.post('/s', view((c) => {
        const data = request(c).getJson({ silent: true })
        return jsonify(kwargs({ got: data, none: data === null }))
      }))
      app.post('/f', view((c) => jsonify(kwargs({ got: request(c).getJson({ force: true }) }))))
      app.post('/p', view((c) => jsonify(kwargs({ json: request(c).json, again: request(c).getJson(), silent: request(c).getJson({ silent: true }) }))))
      return app
    },
    requests: [
      { method: 'POST', path: '/j', json: { b: 1, a: [1, 2, { z: null, y: true }] } },
      { method: 'POST', path: '/j', json: [3, 'x'] },
      { method: 'POST', path: '/j', json: 'text' },
      { method: 'POST', path: '/j', body: '{"a": 1,', headers: { 'Content-Type': 'application/json' } },
      { method: 'POST', path: '/j', body: '', headers: { 'Content-Type': 'application/json' } },
      { method: 'POST', path: '/j', body: '{"a": 1}', headers: { 'Content-Type': 'text/plain' } },
      { method: 'POST', path: '/j', body: '{"a": 1}' },
      { method: 'POST', path: '/j', body: '{"a": 1}', headers: { 'Content-Type': 'application/vnd.api+json; charset=utf-8' } },
      { method: 'POST', path: '/j', body: '{"a": NaN, "b": [Infinity, -Infinity]}', headers: { 'Content-Type': 'application/json' } },
      { method: 'POST', path: '/s', body: '{"a": 1,', headers: { 'Content-Type': 'application/json' } },
      { method: 'POST', path: '/s', body: '{"a": 1}', headers: { 'Content-Type': 'text/plain' } },
      { method: 'POST', path: '/s', json: { ok: 'ü€😀' } },
      { method: 'POST', path: '/f', body: '{"a": 1}', headers: { 'Content-Type': 'text/plain' } },
      { method: 'POST', path: '/f', body: 'nope', headers: { 'Content-Type': 'text/plain' } },
      { method: 'POST', path: '/p', json: { a: 1 } },
      { method: 'POST', path: '/p', body: 'x', headers: { 'Content-Type': 'text/plain' } },
    ],
  })
})

describe('request data', () => {
  oracleCase({
    name: 'args.get with type, getlist, values, headers, cookies, path and url',
    flask: `
@app.route('/a')
def a():
    return jsonify(
        page=request.args.get('page', 1, type=int),
        missing=request.args.get('missing'),
        text=request.args.get('q', ''),
        ids=request.args.getlist('id', type=int),
        all=request.args.getlist('id'),
        has='q' in request.args,
        values=request.values.get('page', -1, type=int),
        header=request.headers.get('X-Thing', 'none'),
        number=request.headers.get('X-Number', 0, type=int),
        cookie=request.cookies.get('session'),
        other=request.cookies.get('other', 'dflt'),
        method=request.method,
        path=request.path,
        full_path=request.full_path,
        url=request.url,
        base_url=request.base_url,
        host=request.host,
        endpoint=request.endpoint,
    )
@app.route('/items/<int:item_id>/<name>')
def item(item_id, name):
    return jsonify(view_args=request.view_args, endpoint=request.endpoint, full_path=request.full_path)
@app.route('/form', methods=['POST'])
def form():
    return jsonify(form=request.form.to_dict(flat=False), n=request.form.get('n', 0, type=int),
                   values=request.values.getlist('n'), data=request.get_data(as_text=True), data2=len(request.data))
`,
    hono: () => {
      const app = withErrors(honoApp([rule('/a', 'a'), rule('/items/<int:item_id>/<name>', 'item'), rule('/form', 'form', ['POST'])]))
      app.get('/a', view((c) => {
        const req = request(c)
        return jsonify(kwargs({
          page: req.args.get('page', 1, int),
          missing: req.args.get('missing'),
          text: req.args.get('q', ''),
          ids: req.args.getlist('id', int),
          all: req.args.getlist('id'),
          has: req.args.has('q'),
          values: req.values.get('page', -1, int),
          header: req.headers.get('X-Thing', 'none'),
          number: req.headers.get('X-Number', 0, int),
          cookie: req.cookies.get('session'),
          other: req.cookies.get('other', 'dflt'),
          method: req.method,
          path: req.path,
          full_path: req.full_path,
          url: req.url,
          base_url: req.base_url,
          host: req.host,
          endpoint: req.endpoint,
        }))
      }))
      app.get('/items/<int:item_id>/<name>', view((c) => {
        const req = request(c)
        return jsonify(kwargs({ view_args: req.view_args, endpoint: req.endpoint, full_path: req.full_path }))
      }))
      app.post('/form', view((c) => {
        const req = request(c)
        // Evaluated in Python's keyword order: the form is parsed before get_data runs.
        const form = req.form.toDict(false)
        return jsonify(kwargs({ form, n: req.form.get('n', 0, int), values: req.values.getlist('n'), data: req.getData({ as_text: true }), data2: req.data.length }))
      }))
      return app
    },
    requests: [
      { path: '/a?page=3&id=1&id=x&id=2&q=hello+world%21' },
      { path: '/a?page=abc&q=' },
      { path: '/a?page=%204%20&id=', headers: { 'X-Thing': 'yes', 'X-Number': 'nan', Cookie: 'session="a\\054b"; other=2; bad' } },
      { path: '/a?page=1_000', headers: { Cookie: 'session=abc; session=def', 'X-Number': ' 12 ' } },
      { path: '/a?q=%C3%BC%zz&&page=-2' },
      { path: '/items/7/caf%C3%A9?x=1' },
      { method: 'POST', path: '/form?n=9', body: 'n=5&n=x&name=a+b&empty=&flag', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      { method: 'POST', path: '/form', body: 'n=5', headers: { 'Content-Type': 'text/plain' } },
    ],
  })
})

describe('make_response conventions', () => {
  oracleCase({
    name: 'str, dict, list, tuples with status and headers, 204, Response mutation',
    flask: `
@app.route('/str')
def s(): return 'héllo'
@app.route('/dict')
def d(): return {'b': 1, 'a': {'y': [1, 2.5, None, True], 'x': 'é'}}
@app.route('/list')
def l(): return [1, 'two', {'three': 3}]
@app.route('/created')
def created(): return {'id': 1}, 201
@app.route('/headers')
def headers(): return 'body', {'X-One': '1', 'Content-Type': 'text/plain'}
@app.route('/three')
def three(): return jsonify(ok=True), 202, [('X-A', 'a'), ('X-B', 'b')]
@app.route('/listheaders')
def listheaders(): return {'a': 1}, [('X-A', '1'), ('X-A', '2')]
@app.route('/strlistheaders')
def strlistheaders(): return 'x', [('X-A', '1'), ('X-A', '2')]
@app.route('/empty', methods=['DELETE'])
def empty(): return '', 204
@app.route('/mutate')
def mutate():
    response = jsonify({'id': 5})
    response.status_code = 201
    response.headers['Location'] = '/items/5'
    response.headers['X-Extra'] = 'yes'
    return response
@app.route('/made')
def made():
    response = make_response('made', 418)
    response.mimetype = 'text/plain'
    response.headers.add('X-Multi', 'a')
    response.headers.add('X-Multi', 'b')
    return response
@app.route('/status-text')
def status_text(): return 'teapot', '299 CUSTOM THING'
@app.route('/none')
def none(): return None
@app.route('/four')
def four(): return 'a', 200, {}, 'extra'
@app.route('/int')
def integer(): return 5
@app.route('/abort-response')
def abort_response(): return jsonify(e='x'), 400
`,
    hono: () => {
      const app = withErrors(honoApp([
        rule('/str', 's'), rule('/dict', 'd'), rule('/list', 'l'), rule('/created', 'created'), rule('/headers', 'headers'),
        rule('/three', 'three'), rule('/listheaders', 'listheaders'), rule('/strlistheaders', 'strlistheaders'), rule('/empty', 'empty', ['DELETE']),
        rule('/mutate', 'mutate'), rule('/made', 'made'), rule('/status-text', 'status_text'), rule('/none', 'none'), rule('/four', 'four'),
        rule('/int', 'integer'), rule('/abort-response', 'abort_response'),
      ]))
      const t = (...items: unknown[]) => Object.freeze(items)
      app.get('/str', view(() => 'héllo'))
      app.get('/dict', view(() => ({ b: 1, a: { y: [1, 2.5, null, true], x: 'é' } })))
      app.get('/list', view(() => [1, 'two', { three: 3 }]))
      app.get('/created', view(() => t({ id: 1 }, 201)))
      app.get('/headers', view(() => t('body', { 'X-One': '1', 'Content-Type': 'text/plain' })))
      app.get('/three', view(() => t(jsonify(kwargs({ ok: true })), 202, [['X-A', 'a'], ['X-B', 'b']])))
      app.get('/listheaders', view(() => t({ a: 1 }, [['X-A', '1'], ['X-A', '2']])))
      app.get('/strlistheaders', view(() => t('x', [['X-A', '1'], ['X-A', '2']])))
      app.delete('/empty', view(() => t('', 204)))
      app.get('/mutate', view(() => {
        const response = jsonify({ id: 5 })
        response.status_code = 201
        response.headers.set('Location', '/items/5')
        response.headers.set('X-Extra', 'yes')
        return response
      }))
      app.get('/made', view((c) => {
        const response = makeResponse(c, t('made', 418))
        response.mimetype = 'text/plain'
        response.headers.add('X-Multi', 'a')
        response.headers.add('X-Multi', 'b')
        return response
      }))
      app.get('/status-text', view(() => t('teapot', '299 CUSTOM THING')))
      app.get('/none', view(() => null))
      app.get('/four', view(() => t('a', 200, {}, 'extra')))
      app.get('/int', view(() => 5))
      app.get('/abort-response', view(() => t(jsonify(kwargs({ e: 'x' })), 400)))
      return app
    },
    requests: [
      { path: '/str' }, { path: '/dict' }, { path: '/list' }, { path: '/created' }, { path: '/headers' }, { path: '/three' },
      { path: '/listheaders' }, { path: '/strlistheaders' }, { method: 'DELETE', path: '/empty' }, { path: '/mutate' }, { path: '/made' },
      { path: '/status-text' }, { path: '/none' }, { path: '/four' }, { path: '/int' }, { path: '/abort-response' }, { method: 'HEAD', path: '/str' },
    ],
  })

  oracleCase({
    name: 'jsonify: args, kwargs, both, floats, unicode, sorting, nothing',
    flask: `
@app.route('/none')
def none(): return jsonify()
@app.route('/one')
def one(): return jsonify([1, 2])
@app.route('/several')
def several(): return jsonify(1, 'a', None)
@app.route('/kw')
def kw(): return jsonify(zeta=1, alpha={'b': 2, 'a': 1, 'B': 0, '10': 1, '9': 2})
@app.route('/both')
def both(): return jsonify(1, a=2)
@app.route('/numbers')
def numbers(): return jsonify([0.1, 1.5, 1e-05, 1.25e-7, 123456.789, 2**53, -3, 1e300, float('inf'), float('nan')])
@app.route('/text')
def text(): return jsonify('é"\\\\\\n\\t\\x01\\x7f</script>😀')
@app.route('/scalar')
def scalar(): return jsonify(True)
`,
    hono: () => {
      const app = withErrors(honoApp([rule('/none', 'none'), rule('/one', 'one'), rule('/several', 'several'), rule('/kw', 'kw'), rule('/both', 'both'), rule('/numbers', 'numbers'), rule('/text', 'text'), rule('/scalar', 'scalar')]))
      app.get('/none', view(() => jsonify()))
      app.get('/one', view(() => jsonify([1, 2])))
      app.get('/several', view(() => jsonify(1, 'a', null)))
      app.get('/kw', view(() => jsonify(kwargs({ zeta: 1, alpha: { b: 2, a: 1, B: 0, '10': 1, '9': 2 } }))))
      app.get('/both', view(() => jsonify(1, kwargs({ a: 2 }))))
      app.get('/numbers', view(() => jsonify([0.1, 1.5, 1e-5, 1.25e-7, 123456.789, 2 ** 53, -3, 1e300, Infinity, NaN])))
      app.get('/text', view(() => jsonify('é"\\\n\t\x01\x7f</script>😀')))
      app.get('/scalar', view(() => jsonify(true)))
      return app
    },
    requests: [{ path: '/none' }, { path: '/one' }, { path: '/several' }, { path: '/kw' }, { path: '/both' }, { path: '/numbers' }, { path: '/text' }, { path: '/scalar' }],
  })

  oracleCase({
    name: 'redirect and cookies',
    flask: `
@app.route('/r')
def r(): return redirect('/target?a=1&b=<2>')
@app.route('/r301')
def r301(): return redirect('http://example.com/ünï code?x=a b', 301)
@app.route('/cookies')
def cookies():
    response = make_response('ok')
    response.set_cookie('plain', 'value')
    response.set_cookie('spaced', 'a b;c,"d"\\\\é', path='/x', domain='example.com', secure=True, httponly=True, samesite='lax')
    response.set_cookie('dated', 'v', expires=0, max_age=60)
    response.set_cookie('empty')
    response.delete_cookie('gone', path='/p')
    return response
`,
    hono: () => {
      const app = withErrors(honoApp([rule('/r', 'r'), rule('/r301', 'r301'), rule('/cookies', 'cookies')]))
      app.get('/r', view(() => redirect('/target?a=1&b=<2>')))
      app.get('/r301', view(() => redirect('http://example.com/ünï code?x=a b', 301)))
      app.get('/cookies', view(() => {
        const response = new FlaskResponse('ok')
        response.set_cookie('plain', 'value')
        response.set_cookie('spaced', 'a b;c,"d"\\é', { path: '/x', domain: 'example.com', secure: true, httponly: true, samesite: 'lax' })
        response.set_cookie('dated', 'v', { expires: 0, max_age: 60 })
        response.set_cookie('empty')
        response.delete_cookie('gone', { path: '/p' })
        return response
      }))
      return app
    },
    requests: [{ path: '/r' }, { path: '/r301' }, { path: '/cookies' }],
  })
})

describe('request hooks', () => {
  oracleCase({
    name: 'before order and short-circuit, after in reverse on every response, teardown, g',
    flask: `
@app.before_request
def first():
    LOG.append('before1 ' + request.path)
    g.user = request.args.get('user', 'anon')
@app.before_request
def second():
    LOG.append('before2')
    if request.args.get('stop'):
        return 'stopped by hook', 403
    if request.args.get('raise'):
        raise ValueError('from before')
@app.after_request
def after1(response):
    LOG.append('after1 %d' % response.status_code)
    response.headers['X-After1'] = g.get('user', 'none')
    return response
@app.after_request
def after2(response):
    LOG.append('after2')
    response.headers['X-Order'] = response.headers.get('X-Order', '') + '2'
    return response
@app.teardown_request
def down(error):
    LOG.append('teardown %r' % (type(error).__name__ if error else None))
@app.errorhandler(ValueError)
def value_error(e):
    LOG.append('handler ' + str(e))
    return {'error': str(e)}, 400
@app.route('/ok')
def ok():
    @after_this_request
    def once(response):
        LOG.append('once')
        response.headers['X-Order'] = 'once'
        return response
    return 'hello ' + g.user
@app.route('/boom')
def boom():
    raise RuntimeError('boom')
@app.route('/missing')
def missing():
    abort(404)
`,
    hono: (log) => {
      const app = honoApp([rule('/ok', 'ok'), rule('/boom', 'boom'), rule('/missing', 'missing')])
      const onError = errorHandlers([{ exception: ValueError, handle: (e: ValueError) => {
        log.push('handler ' + e.message)
        return Object.freeze([{ error: e.message }, 400])
      } }])
      app.onError(onError)
      app.use(requestHooks({
        errorHandler: onError,
        before: [
          (c) => {
            log.push('before1 ' + request(c).path)
            g(c).user = request(c).args.get('user', 'anon')
          },
          (c) => {
            log.push('before2')
            if (request(c).args.get('stop')) return Object.freeze(['stopped by hook', 403])
            if (request(c).args.get('raise')) throw new ValueError('from before')
            return null
          },
        ],
        after: [
          (c, response) => {
            log.push(`after1 ${response.status_code}`)
            response.headers.set('X-After1', g(c).get('user', 'none'))
            return response
          },
          (_c, response) => {
            log.push('after2')
            response.headers.set('X-Order', response.headers.get('X-Order', '') + '2')
            return response
          },
        ],
        teardown: [(_c, error) => { log.push(`teardown ${error ? `'${(error as Error).constructor.name}'` : 'None'}`) }],
      }))
      app.get('/ok', view((c) => {
        afterThisRequest(c, (_c, response) => {
          log.push('once')
          response.headers.set('X-Order', 'once')
          return response
        })
        return 'hello ' + g(c).user
      }))
      app.get('/boom', view(() => { throw new RuntimeError('boom') }))
      app.get('/missing', view(() => abort(404)))
      return app
    },
    requests: [
      { path: '/ok?user=ann' }, { path: '/ok?stop=1' }, { path: '/ok?raise=1' }, { path: '/boom' }, { path: '/missing' }, { path: '/nowhere' },
      { method: 'POST', path: '/ok' },
    ],
  })

  oracleCase({
    name: 'an after hook that raises gives the 500 page, after hooks then run again',
    flask: `
@app.after_request
def breaks(response):
    LOG.append('breaks %d' % response.status_code)
    if response.status_code == 200:
        raise KeyError('after')
    response.headers['X-Seen'] = '1'
    return response
@app.errorhandler(KeyError)
def key_error(e):
    LOG.append('key handler')
    return 'key', 400
@app.route('/')
def index(): return 'fine'
`,
    hono: (log) => {
      const app = honoApp([rule('/', 'index')])
      const onError = errorHandlers([{ exception: KeyError, handle: () => { log.push('key handler'); return Object.freeze(['key', 400]) } }])
      app.onError(onError)
      app.use(requestHooks({ errorHandler: onError, after: [(_c, response) => {
        log.push(`breaks ${response.status_code}`)
        if (response.status_code === 200) throw new KeyError('after')
        response.headers.set('X-Seen', '1')
        return response
      }] }))
      app.get('/', view(() => 'fine'))
      return app
    },
    requests: [{ path: '/' }],
  })
})

describe('blueprint hooks and handlers', () => {
  oracleCase({
    name: 'blueprint-scoped hooks: app before first, blueprint after first, app short-circuit still runs blueprint afters',
    flask: `
bp = Blueprint('api', __name__)
@app.before_request
def app_before():
    LOG.append('app before ' + str(request.blueprints))
    if request.args.get('stop'):
        return 'app stop'
@bp.before_request
def bp_before(): LOG.append('bp before')
@bp.after_request
def bp_after(response):
    LOG.append('bp after')
    return response
@app.after_request
def app_after(response):
    LOG.append('app after')
    return response
@bp.teardown_request
def bp_down(e): LOG.append('bp teardown')
@bp.route('/x')
def x(): return 'x'
@app.route('/y')
def y(): return 'y'
app.register_blueprint(bp, url_prefix='/api')
`,
    hono: (log) => {
      const app = withErrors(honoApp([rule('/api/x', 'api.x', ['GET'], ['api']), rule('/y', 'y')]), [], {
        before: [
          (c) => {
            log.push(`app before [${request(c).blueprints.map((b) => `'${b}'`).join(', ')}]`)
            return request(c).args.get('stop') ? 'app stop' : null
          },
          { blueprint: 'api', fn: () => { log.push('bp before') } },
        ],
        after: [
          { blueprint: 'api', fn: (_c, response) => { log.push('bp after'); return response } },
          (_c, response) => { log.push('app after'); return response },
        ],
        teardown: [{ blueprint: 'api', fn: () => { log.push('bp teardown') } }],
      })
      app.get('/api/x', view(() => 'x'))
      app.get('/y', view(() => 'y'))
      return app
    },
    requests: [{ path: '/api/x' }, { path: '/api/x?stop=1' }, { path: '/y' }],
  })

  it('errorHandlers({ rethrow: true }) on a sub-app answers what it handles and passes the rest to the app', async () => {
    const app = withErrors(honoApp([rule('/api/a', 'api.a', ['GET'], ['api']), rule('/api/b', 'api.b', ['GET'], ['api'])]), [
      { code: 404, handle: () => Object.freeze(['app 404', 404]) },
    ])
    const sub = new Hono<AppEnv>()
    sub.onError(errorHandlers([{ exception: ValueError, handle: (e: ValueError) => Object.freeze([`bp ${e.message}`, 400]) }], { rethrow: true }))
    sub.get('/a', view(() => { throw new ValueError('v') }))
    sub.get('/b', view(() => abort(404)))
    app.route('/api', sub)
    const a = await app.request('/api/a')
    expect([a.status, await a.text()]).toEqual([400, 'bp v'])
    const b = await app.request('/api/b')
    expect([b.status, await b.text()]).toEqual([404, 'app 404'])
  })
})

describe('error handlers', () => {
  class AppError extends Exception {}
  class SpecificError extends AppError {}
  class MyNotFound extends NotFound {}

  oracleCase({
    name: 'lookup: code before class, most specific class, Exception catches HTTP errors, handler raising → 500',
    flask: `
class AppError(Exception): pass
class SpecificError(AppError): pass
class MyNotFound(NotFound): pass
@app.errorhandler(404)
def not_found(e): return 'code 404: ' + e.description[:20], 404
@app.errorhandler(HTTPException)
def http(e): return 'http %d %s' % (e.code, e.name), e.code
@app.errorhandler(LookupError)
def lookup(e): return 'lookup ' + type(e).__name__, 409
@app.errorhandler(KeyError)
def key(e): return 'key', 410
@app.errorhandler(AppError)
def app_error(e):
    if request.path == '/broken-handler':
        raise RuntimeError('handler fails')
    return jsonify(kind=type(e).__name__), 422
@app.errorhandler(500)
def server_error(e): return 'custom 500 for ' + type(e.original_exception).__name__, 500
@app.route('/nf')
def nf(): abort(404)
@app.route('/mynf')
def mynf(): raise MyNotFound()
@app.route('/bad')
def bad(): abort(400, 'nope')
@app.route('/index')
def index(): raise IndexError('i')
@app.route('/key')
def key_(): raise KeyError('k')
@app.route('/specific')
def specific(): raise SpecificError()
@app.route('/runtime')
def runtime(): raise RuntimeError('r')
@app.route('/args')
def args(): return request.args['missing']
@app.route('/broken-handler')
def broken(): raise AppError('x')
@app.route('/only-post', methods=['POST'])
def only_post(): return 'post'
`,
    hono: () => {
      const app = withErrors(honoApp([
        rule('/nf', 'nf'), rule('/mynf', 'mynf'), rule('/bad', 'bad'), rule('/index', 'index'), rule('/key', 'key_'), rule('/specific', 'specific'),
        rule('/runtime', 'runtime'), rule('/args', 'args'), rule('/broken-handler', 'broken'), rule('/only-post', 'only_post', ['POST']),
      ]), [
        { code: 404, handle: (e: HTTPException) => Object.freeze(['code 404: ' + (e.description ?? '').slice(0, 20), 404]) },
        { exception: HTTPException, handle: (e: HTTPException) => Object.freeze([`http ${e.code} ${e.name}`, e.code]) },
        { exception: LookupError, handle: (e: Error) => Object.freeze(['lookup ' + e.constructor.name, 409]) },
        { exception: KeyError, handle: () => Object.freeze(['key', 410]) },
        { exception: AppError, handle: (e: Error, c: Context) => {
          if (request(c).path === '/broken-handler') throw new RuntimeError('handler fails')
          return Object.freeze([jsonify(kwargs({ kind: e.constructor.name })), 422])
        } },
        { code: 500, handle: (e: InternalServerError) => Object.freeze(['custom 500 for ' + (e.originalException as Error).constructor.name, 500]) },
      ])
      app.get('/nf', view(() => abort(404)))
      app.get('/mynf', view(() => { throw new MyNotFound() }))
      app.get('/bad', view(() => abort(400, 'nope')))
      app.get('/index', view(() => { throw new IndexError('i') }))
      app.get('/key', view(() => { throw new KeyError('k') }))
      app.get('/specific', view(() => { throw new SpecificError() }))
      app.get('/runtime', view(() => { throw new RuntimeError('r') }))
      app.get('/args', view((c) => request(c).args.getItem('missing')))
      app.get('/broken-handler', view(() => { throw new AppError('x') }))
      app.post('/only-post', view(() => 'post'))
      return app
    },
    requests: [
      { path: '/nf' }, { path: '/mynf' }, { path: '/bad' }, { path: '/index' }, { path: '/key' }, { path: '/specific' }, { path: '/runtime' },
      { path: '/args' }, { path: '/broken-handler' }, { path: '/only-post' }, { path: '/nowhere' },
    ],
  })

  oracleCase({
    name: 'default 404, 405 and 500 pages without handlers; a handler for a subclass does not take its base',
    flask: `
class MyNotFound(NotFound): pass
@app.errorhandler(MyNotFound)
def mine(e): return 'mine', 404
@app.route('/boom')
def boom(): raise ValueError('x')
@app.route('/nf')
def nf(): abort(404)
@app.route('/only-post', methods=['POST'])
def only_post(): return 'post'
@app.route('/bad-json', methods=['POST'])
def bad_json(): return request.get_json()
`,
    hono: () => {
      const app = withErrors(honoApp([rule('/boom', 'boom'), rule('/nf', 'nf'), rule('/only-post', 'only_post', ['POST']), rule('/bad-json', 'bad_json', ['POST'])]), [
        { exception: MyNotFound, handle: () => Object.freeze(['mine', 404]) },
      ])
      app.get('/boom', view(() => { throw new ValueError('x') }))
      app.get('/nf', view(() => abort(404)))
      app.post('/only-post', view(() => 'post'))
      app.post('/bad-json', view((c) => request(c).getJson()))
      return app
    },
    requests: [
      { path: '/boom' }, { path: '/nf' }, { path: '/nowhere' }, { path: '/only-post' }, { method: 'DELETE', path: '/only-post' },
      { method: 'POST', path: '/bad-json', body: '{', headers: { 'Content-Type': 'application/json' } },
    ],
  })

  oracleCase({
    name: 'blueprint handlers: blueprint code, app code before blueprint class, blueprint class before app class',
    flask: `
bp = Blueprint('api', __name__)
@bp.errorhandler(Exception)
def bp_any(e): return 'bp any ' + type(e).__name__, 500
@bp.errorhandler(400)
def bp_400(e): return 'bp 400', 400
@app.errorhandler(404)
def app_404(e): return 'app 404', 404
@app.errorhandler(ValueError)
def app_value(e): return 'app value', 400
@bp.route('/nf')
def nf(): abort(404)
@bp.route('/bad')
def bad(): abort(400)
@bp.route('/value')
def value(): raise ValueError()
@app.route('/value')
def app_value_view(): raise ValueError()
app.register_blueprint(bp, url_prefix='/api')
`,
    hono: () => {
      const app = withErrors(honoApp([
        rule('/api/nf', 'api.nf', ['GET'], ['api']), rule('/api/bad', 'api.bad', ['GET'], ['api']), rule('/api/value', 'api.value', ['GET'], ['api']),
        rule('/value', 'app_value_view'),
      ]), [
        { exception: Exception, blueprint: 'api', handle: (e: Error) => Object.freeze(['bp any ' + e.constructor.name, 500]) },
        { code: 400, blueprint: 'api', handle: () => Object.freeze(['bp 400', 400]) },
        { code: 404, handle: () => Object.freeze(['app 404', 404]) },
        { exception: ValueError, handle: () => Object.freeze(['app value', 400]) },
      ])
      app.get('/api/nf', view(() => abort(404)))
      app.get('/api/bad', view(() => abort(400)))
      app.get('/api/value', view(() => { throw new ValueError() }))
      app.get('/value', view(() => { throw new ValueError() }))
      return app
    },
    requests: [{ path: '/api/nf' }, { path: '/api/bad' }, { path: '/api/value' }, { path: '/value' }, { path: '/api/nowhere' }],
  })
})


describe('runtime units', () => {
  it('notMigrated answers 501 with the endpoint', async () => {
    const { notMigrated } = await import('../../src/emit/runtime/flask.js')
    const app = withErrors(honoApp([rule('/x', 'main.x')]))
    app.get('/x', (c) => notMigrated(c, 'main.x'))
    const response = await app.request('/x')
    expect(response.status).toBe(501)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.text()).toBe('{"endpoint":"main.x","error":"not migrated"}\n')
  })

  it('request(c) without a loaded body is a clear error, loadRequest reads it once', async () => {
    const { loadRequest } = await import('../../src/emit/runtime/flask.js')
    const app = new Hono()
    app.post('/a', (c) => c.text(String((() => { try { request(c); return 'loaded' } catch (e) { return (e as Error).message } })())))
    app.post('/b', async (c) => {
      const first = await loadRequest(c)
      const second = await loadRequest(c)
      return c.json({ same: first === second, json: second.getJson() })
    })
    expect(await (await app.request('/a', { method: 'POST', body: 'x' })).text()).toMatch(/not loaded/)
    expect(await (await app.request('/b', { method: 'POST', body: '[1]', headers: { 'Content-Type': 'application/json' } })).json()).toEqual({ same: true, json: [1] })
  })

  it('getJson caches per silent flag and raises BadRequest with the default description', async () => {
    const { loadRequest } = await import('../../src/emit/runtime/flask.js')
    const app = new Hono()
    app.post('/', async (c) => {
      const req = await loadRequest(c)
      let error: unknown
      try { req.getJson() } catch (e) { error = e }
      return c.json({ bad: error instanceof BadRequest, description: (error as BadRequest).description, silent: req.getJson({ silent: true }) })
    })
    const body = await (await app.request('/', { method: 'POST', body: '{', headers: { 'Content-Type': 'application/json' } })).json()
    expect(body).toEqual({ bad: true, description: 'The browser (or proxy) sent a request that this server could not understand.', silent: null })
  })

  it('g is per request, with get, pop, setdefault and has', async () => {
    const app = new Hono<AppEnv>()
    app.get('/', (c) => {
      const before = g(c).has('x')
      g(c).x = 1
      const got = [g(c).get('x'), g(c).get('y', 'd'), g(c).setdefault('y', 2), g(c).pop('x'), g(c).pop('x', 'gone'), g(c).has('get')]
      return c.json({ before, got })
    })
    expect(await (await app.request('/')).json()).toEqual({ before: false, got: [1, 'd', 2, 1, 'gone', false] })
    expect(await (await app.request('/')).json()).toEqual({ before: false, got: [1, 'd', 2, 1, 'gone', false] })
  })

  it('RequestRedirect from routing is answered directly, not by handlers', async () => {
    const app = withErrors(honoApp([rule('/docs/', 'docs')]), [{ exception: HTTPException, handle: () => 'handled' }])
    app.get('/docs/', view(() => 'docs'))
    const response = await app.request('/docs?x=1')
    expect(response.status).toBe(308)
    expect(response.headers.get('location')).toBe('http://localhost/docs/?x=1')
  })
})
