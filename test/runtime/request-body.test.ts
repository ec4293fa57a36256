/**
 * The request body limit of the runtime (src/emit/runtime/flask.ts): `MAX_CONTENT_LENGTH` from
 * the app config (`useAppConfig`), else `MAX_BODY_BYTES`, else 16 MiB. Where Flask 2.2 answers
 * 413 (the form parser, on access) the runtime must agree with real Flask (its test client, via
 * test/oracle/flask_runtime.py); where it is stricter by design (a body over the limit is never
 * read, so `get_json` / `get_data` answer 413 too, as Flask 2.3+ does) the test says so.
 */
import { spawnSync } from 'node:child_process'
import { Hono } from 'hono'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WerkzeugRouter, type RuleSpec } from '../../src/emit/runtime/router.js'
import {
  type AppEnv,
  DEFAULT_MAX_BODY_BYTES,
  bodyLimitFromEnvironment,
  errorHandlers,
  jsonify,
  kwargs,
  maxBodyBytes,
  request,
  requestHooks,
  useAppConfig,
  view,
} from '../../src/emit/runtime/flask.js'

const hasFlask = spawnSync('/usr/bin/python3', ['-c', 'import flask'], { stdio: 'ignore' }).status === 0

function rule(text: string, endpoint: string, methods: string[]): RuleSpec {
  return { rule: text, endpoint, methods: [...new Set([...methods, 'OPTIONS'])].sort(), blueprints: [] }
}

/** The Hono twin of FLASK_APP below. */
function honoApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>({
    router: new WerkzeugRouter(
      [rule('/nobody', 'nobody', ['POST']), rule('/form', 'form', ['POST']), rule('/data', 'data', ['POST']), rule('/values', 'values', ['POST']), rule('/json', 'json', ['POST'])],
      { strictSlashes: true },
    ),
  })
  const onError = errorHandlers([])
  app.onError(onError)
  app.use(requestHooks({ errorHandler: onError }))
  app.post('/nobody', view(() => 'no body read'))
  app.post('/form', view((c) => jsonify(kwargs({ form: request(c).form.toDict() }))))
  app.post('/data', view((c) => jsonify(kwargs({ length: request(c).data.length }))))
  app.post('/values', view((c) => jsonify(kwargs({ n: request(c).values.get('n') }))))
  app.post('/json', view((c) => jsonify(kwargs({ json: request(c).getJson({ silent: true }) }))))
  return app
}

const FLASK_APP = `from flask import Flask, request, jsonify
app = Flask(__name__, root_path="/tmp")
app.config["MAX_CONTENT_LENGTH"] = 10
@app.route("/nobody", methods=["POST"])
def nobody():
    return "no body read"
@app.route("/form", methods=["POST"])
def form():
    return jsonify(form=request.form.to_dict())
@app.route("/data", methods=["POST"])
def data():
    return jsonify(length=len(request.data))
@app.route("/values", methods=["POST"])
def values():
    return jsonify(n=request.values.get("n"))
@app.route("/json", methods=["POST"])
def json():
    return jsonify(json=request.get_json(silent=True))
`

interface Req {
  method: string
  path: string
  headers: Record<string, string>
  body: string
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' }
const SAME_AS_FLASK: Req[] = [
  // Over MAX_CONTENT_LENGTH (10): Werkzeug 2.2's form parser answers 413 when the body is used...
  { method: 'POST', path: '/form', headers: FORM, body: 'n=1&m=23456789' },
  { method: 'POST', path: '/values', headers: FORM, body: 'n=1&m=23456789' },
  { method: 'POST', path: '/data', headers: { 'Content-Type': 'text/plain' }, body: '0123456789ab' },
  { method: 'POST', path: '/form', headers: { 'Content-Type': 'application/json' }, body: '{"a": "bcdefgh"}' },
  // ... and not when it is not.
  { method: 'POST', path: '/nobody', headers: FORM, body: 'n=1&m=23456789' },
  // Within the limit.
  { method: 'POST', path: '/form', headers: FORM, body: 'n=1&m=2' },
  { method: 'POST', path: '/values', headers: FORM, body: 'n=1' },
  { method: 'POST', path: '/json', headers: { 'Content-Type': 'application/json' }, body: '{"a": 1}' },
]

let flask: { responses?: { status: number; headers: [string, string][]; body: string }[]; error?: string } = {}

beforeAll(() => {
  if (!hasFlask) return
  const input = [{ name: 'limits', source: FLASK_APP, requests: SAME_AS_FLASK }]
  const result = spawnSync('/usr/bin/python3', ['test/oracle/flask_runtime.py'], { input: JSON.stringify(input), encoding: 'utf-8' })
  if (result.status !== 0) throw new Error(`oracle failed: ${result.stderr}`)
  flask = (JSON.parse(result.stdout) as Record<string, typeof flask>)['limits']!
})

afterEach(() => {
  useAppConfig(null)
  delete process.env['MAX_BODY_BYTES']
})

const encoder = new TextEncoder()

async function send(app: Hono<AppEnv>, req: Req): Promise<{ status: number; contentType: string | null; body: string }> {
  // A Uint8Array body: a string body would get a text/plain Content-Type Flask's test client does not add.
  const body = encoder.encode(req.body)
  const response = await app.request(req.path, { method: req.method, headers: { ...req.headers, 'Content-Length': String(body.length) }, body })
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() }
}

describe.skipIf(!hasFlask)('MAX_CONTENT_LENGTH against Flask 2.2', () => {
  it('answers 413 with Werkzeug page exactly where Flask does (the body is used), and normally otherwise', async () => {
    expect(flask.error).toBeUndefined()
    useAppConfig({ MAX_CONTENT_LENGTH: 10 })
    const app = honoApp()
    const actual = []
    for (const req of SAME_AS_FLASK) actual.push(await send(app, req))
    const expected = flask.responses!.map((answer) => ({
      status: answer.status,
      contentType: answer.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? null,
      body: answer.body,
    }))
    expect(actual).toEqual(expected)
    expect(actual[0]!.status).toBe(413)
    expect(actual[0]!.body).toContain('<title>413 Request Entity Too Large</title>')
  })
})

describe('the body limit', () => {
  it('is MAX_CONTENT_LENGTH when the config sets it, else MAX_BODY_BYTES, else 16 MiB', () => {
    expect(maxBodyBytes()).toBe(DEFAULT_MAX_BODY_BYTES)
    expect(DEFAULT_MAX_BODY_BYTES).toBe(16 * 1024 * 1024)
    process.env['MAX_BODY_BYTES'] = '2048'
    expect(maxBodyBytes()).toBe(2048)
    useAppConfig({ MAX_CONTENT_LENGTH: 100 })
    expect(maxBodyBytes()).toBe(100)
    useAppConfig({ MAX_CONTENT_LENGTH: null })
    expect(maxBodyBytes()).toBe(2048)
    useAppConfig({ MAX_CONTENT_LENGTH: '4096' })
    expect(maxBodyBytes()).toBe(4096)
  })

  it('rejects a MAX_BODY_BYTES that is not a number of bytes', () => {
    expect(() => bodyLimitFromEnvironment({ MAX_BODY_BYTES: '16MB' })).toThrow(/MAX_BODY_BYTES must be a number of bytes/)
    expect(bodyLimitFromEnvironment({ MAX_BODY_BYTES: ' 10 ' })).toBe(10)
    expect(bodyLimitFromEnvironment({})).toBe(DEFAULT_MAX_BODY_BYTES)
  })

  // Stricter than Flask 2.2 by design (Flask 2.3+ does the same): the body over the limit is not
  // there to give, so get_json and get_data answer 413 too.
  it('answers 413 for get_json and data without a form content type when the body is over the limit', async () => {
    useAppConfig({ MAX_CONTENT_LENGTH: 10 })
    const app = honoApp()
    const json = await send(app, { method: 'POST', path: '/json', headers: { 'Content-Type': 'application/json' }, body: '{"a": "bcdefghijk"}' })
    expect(json.status).toBe(413)
    const data = await send(app, { method: 'POST', path: '/data', headers: {}, body: '0123456789ab' })
    expect(data.status).toBe(413)
    // Without a Content-Type the form is empty and the body untouched, as in Flask.
    const form = await send(app, { method: 'POST', path: '/form', headers: {}, body: '0123456789ab' })
    expect(form).toMatchObject({ status: 200, body: '{"form":{}}\n' })
  })

  it('applies the default limit (MAX_BODY_BYTES) when the app sets none', async () => {
    process.env['MAX_BODY_BYTES'] = '8'
    const app = honoApp()
    expect((await send(app, { method: 'POST', path: '/data', headers: {}, body: '12345678' })).body).toBe('{"length":8}\n')
    expect((await send(app, { method: 'POST', path: '/data', headers: {}, body: '123456789' })).status).toBe(413)
  })

  it('stops reading a body without Content-Length at the limit (counted as it streams), and 413 on use', async () => {
    useAppConfig({ MAX_CONTENT_LENGTH: 1000 })
    let pulled = 0
    const chunk = new Uint8Array(100).fill(0x61)
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        if (pulled > 10_000) controller.close()
        else controller.enqueue(chunk)
      },
    })
    const app = honoApp()
    const response = await app.request('/data', { method: 'POST', body: endless, duplex: 'half' } as RequestInit)
    expect(response.status).toBe(413)
    expect(await response.text()).toContain('The data value transmitted exceeds the capacity limit.')
    // Read a little past 1000 bytes, then stopped: never the whole 1 MB stream.
    expect(pulled).toBeLessThan(50)
  })

  it('answers 413 through the app error handlers, as Flask does (errorhandler(413))', async () => {
    useAppConfig({ MAX_CONTENT_LENGTH: 4 })
    const app = new Hono<AppEnv>({ router: new WerkzeugRouter([rule('/form', 'form', ['POST'])], { strictSlashes: true }) })
    const onError = errorHandlers([{ code: 413, handle: () => jsonify(kwargs({ error: 'too big' })) }])
    app.onError(onError)
    app.use(requestHooks({ errorHandler: onError }))
    app.post('/form', view((c) => jsonify(kwargs({ form: request(c).form.toDict() }))))
    const response = await send(app, { method: 'POST', path: '/form', headers: FORM, body: 'n=12345' })
    expect(response).toMatchObject({ status: 200, body: '{"error":"too big"}\n' })
  })
})
