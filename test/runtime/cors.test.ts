/**
 * Flask-CORS on Hono (src/emit/runtime/cors.ts) against Debian's python3-flask-cors 3.0.10: one
 * app with app-wide resources (a dict with a regex, origins as a list and a regex, credentials,
 * max_age as a timedelta, expose_headers) and a blueprint with CORS of its own, on both sides;
 * simple requests and preflights from allowed, refused and absent origins must give the same
 * CORS headers (names and values; a web Response does not keep their order) and status.
 */
import { spawnSync } from 'node:child_process'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { corsAfterRequest } from '../../src/emit/runtime/cors.js'
import { errorHandlers, jsonify, requestHooks, useAppConfig, view, type AppEnv } from '../../src/emit/runtime/flask.js'
import { PyTimeDelta } from '../../src/emit/runtime/py.js'
import { WerkzeugRouter } from '../../src/emit/runtime/router.js'

const hasExtension = spawnSync('/usr/bin/python3', ['-c', 'import flask_cors'], { stdio: 'ignore' }).status === 0
if (!hasExtension && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import flask_cors, the oracle of test/runtime/cors.test.ts')

const FLASK_APP = `
import json, sys
from datetime import timedelta
from flask import Blueprint, Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
app.config["CORS_EXPOSE_HEADERS"] = ["X-Total", "X-Page"]
CORS(app, resources={r"/api/*": {"origins": ["https://app.example.com", r"https://.*\\.example\\.org"], "supports_credentials": True,
                                  "max_age": timedelta(minutes=10), "allow_headers": ["Content-Type", "Authorization"]},
                     "/public/*": {"origins": "*", "methods": ["GET"]}})
bp = Blueprint("partner", __name__)
CORS(bp, origins="https://partner.example.net", methods=["GET", "POST"], expose_headers="X-Request-Id", vary_header=True)

@app.route("/api/items", methods=["GET", "POST"])
def items():
    return jsonify(items=[])

@app.get("/public/info")
def info():
    return jsonify(info=True)

@app.get("/private")
def private():
    return jsonify(private=True)

@bp.route("/orders", methods=["GET", "POST"])
def orders():
    return jsonify(orders=[])

app.register_blueprint(bp, url_prefix="/partner")
client = app.test_client()
out = []
for line in json.load(sys.stdin):
    response = client.open(line["path"], method=line.get("method", "GET"), headers=line.get("headers", {}))
    out.append({"status": response.status_code, "headers": [[k, v] for k, v in response.headers if k.startswith("Access-Control") or k == "Vary"]})
print(json.dumps(out))
`

type Line = { path: string; method?: string; headers?: Record<string, string> }
type Answer = { status: number; headers: [string, string][] }

function flask(lines: Line[]): Answer[] {
  const result = spawnSync('/usr/bin/python3', ['-c', FLASK_APP], { input: JSON.stringify(lines), encoding: 'utf8' })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as Answer[]
}

function serviceApp(): Hono<AppEnv> {
  const rules = [
    { rule: '/api/items', endpoint: 'items', methods: ['GET', 'HEAD', 'OPTIONS', 'POST'] },
    { rule: '/public/info', endpoint: 'info', methods: ['GET', 'HEAD', 'OPTIONS'] },
    { rule: '/private', endpoint: 'private', methods: ['GET', 'HEAD', 'OPTIONS'] },
    { rule: '/partner/orders', endpoint: 'partner.orders', methods: ['GET', 'HEAD', 'OPTIONS', 'POST'], blueprints: ['partner'] },
  ]
  const app = new Hono<AppEnv>({ router: new WerkzeugRouter(rules) })
  const onError = errorHandlers([])
  app.use(
    requestHooks({
      errorHandler: onError,
      after: [
        corsAfterRequest({
          resources: {
            '/api/*': { origins: ['https://app.example.com', 'https://.*\\.example\\.org'], supports_credentials: true, max_age: new PyTimeDelta(0, 600), allow_headers: ['Content-Type', 'Authorization'] },
            '/public/*': { origins: '*', methods: ['GET'] },
          },
        }),
        { blueprint: 'partner', fn: corsAfterRequest({ origins: 'https://partner.example.net', methods: ['GET', 'POST'], expose_headers: 'X-Request-Id', vary_header: true }) },
      ],
    }),
  )
  app.onError(onError)
  app.on(['GET', 'POST'], '/api/items', view(() => jsonify({ items: [] })))
  app.get('/public/info', view(() => jsonify({ info: true })))
  app.get('/private', view(() => jsonify({ private: true })))
  app.on(['GET', 'POST'], '/partner/orders', view(() => jsonify({ orders: [] })))
  return app
}

const ORIGINS = [null, 'https://app.example.com', 'https://shop.example.org', 'https://APP.example.com', 'https://evil.example.com', 'https://partner.example.net']
const PATHS = ['/api/items', '/public/info', '/private', '/partner/orders']

const REQUESTS: Line[] = PATHS.flatMap((path) =>
  ORIGINS.flatMap((origin): Line[] => {
    const base: Record<string, string> = origin === null ? {} : { Origin: origin }
    return [
      { path, headers: base },
      { path, method: 'OPTIONS', headers: { ...base, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, X-Custom, authorization' } },
      { path, method: 'OPTIONS', headers: { ...base, 'Access-Control-Request-Method': 'delete' } },
      { path, method: 'OPTIONS', headers: base },
    ]
  }),
)

describe.skipIf(!hasExtension)('Flask-CORS against the real extension', () => {
  let app: Hono<AppEnv>
  beforeAll(() => {
    useAppConfig({ CORS_EXPOSE_HEADERS: ['X-Total', 'X-Page'] })
    app = serviceApp()
  })
  afterAll(() => useAppConfig(null))

  it('sets the same CORS headers on simple requests and preflights', async () => {
    const expected = flask(REQUESTS)
    for (const [i, line] of REQUESTS.entries()) {
      const response = await app.request(line.path, { method: line.method ?? 'GET', headers: line.headers ?? {} })
      const headers = [...response.headers.entries()].filter(([name]) => name.startsWith('access-control') || name === 'vary')
      const wanted = expected[i]!
      // A web Response lists its headers sorted by name: compared as sets of (name, value).
      const sorted = (list: [string, string][]) => list.map(([name, value]) => `${name.toLowerCase()}: ${value}`).sort()
      expect({ status: response.status, headers: sorted(headers) }, JSON.stringify(line)).toEqual({ status: wanted.status, headers: sorted(wanted.headers) })
    }
    // Not all alike: some requests got CORS headers and some none.
    expect(expected.filter((answer) => answer.headers.length === 0).length).toBeGreaterThan(10)
    expect(expected.filter((answer) => answer.headers.some(([name]) => name === 'Access-Control-Max-Age')).length).toBeGreaterThan(2)
  })
})
