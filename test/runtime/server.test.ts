/**
 * The generated service's HTTP server (src/emit/runtime/server.ts) on 127.0.0.1, over raw
 * sockets: malformed requests answered as Flask's development server answers them (compared with
 * a real one, Werkzeug 2.2 on Debian's /usr/bin/python3), the body limit, slow clients, and the
 * graceful shutdown. No assertion is about time: a wait that never ends fails by the test timeout.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Hono } from 'hono'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WerkzeugRouter, type RuleSpec } from '../../src/emit/runtime/router.js'
import { type AppEnv, errorHandlers, jsonify, kwargs, request, requestHooks, useAppConfig, view } from '../../src/emit/runtime/flask.js'
import { createFlaskServer, serverSettingsFromEnvironment, type FlaskServer, type ServerSettings } from '../../src/emit/runtime/server.js'
import { freePort, openConnection, rawRequest, until, type OpenConnection, type RawAnswer } from './raw-http.js'

const hasFlask = spawnSync('/usr/bin/python3', ['-c', 'import flask'], { stdio: 'ignore' }).status === 0

function rule(text: string, endpoint: string, methods: string[]): RuleSpec {
  const all = new Set(methods)
  if (all.has('GET')) all.add('HEAD')
  all.add('OPTIONS')
  return { rule: text, endpoint, methods: [...all].sort(), blueprints: [] }
}

/** Released by the test: `/slow` answers only then (requests in flight). */
let slowGates: (() => void)[] = []
let slowStarted = 0
const releaseSlow = (): void => {
  for (const release of slowGates.splice(0)) release()
}

function honoApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>({
    router: new WerkzeugRouter(
      [
        rule('/', 'index', ['GET']),
        rule('/p/<path:p>', 'p', ['GET']),
        rule('/host', 'host', ['GET']),
        rule('/nobody', 'nobody', ['POST']),
        rule('/data', 'data', ['POST']),
        rule('/slow', 'slow', ['GET']),
      ],
      { strictSlashes: true },
    ),
  })
  const onError = errorHandlers([])
  app.onError(onError)
  app.use(requestHooks({ errorHandler: onError }))
  app.get('/', view(() => 'ok'))
  app.get('/p/<path:p>', view((c) => jsonify(kwargs({ p: request(c).view_args?.['p'], path: request(c).path }))))
  app.get('/host', view((c) => jsonify(kwargs({ host: request(c).host }))))
  app.post('/nobody', view(() => 'no body read'))
  app.post('/data', view((c) => jsonify(kwargs({ len: request(c).data.length }))))
  app.get(
    '/slow',
    view(async () => {
      slowStarted++
      await new Promise<void>((resolve) => slowGates.push(resolve))
      return 'finally'
    }),
  )
  return app
}

const FLASK_APP = `
import sys
from flask import Flask, request, jsonify
app = Flask(__name__, root_path="/tmp")
@app.route("/")
def index():
    return "ok"
@app.route("/p/<path:p>")
def p(p):
    return jsonify(p=p, path=request.path)
@app.route("/host")
def host():
    return jsonify(host=request.host)
@app.route("/nobody", methods=["POST"])
def nobody():
    return "no body read"
@app.route("/data", methods=["POST"])
def data():
    return jsonify(len=len(request.data))
app.run(host="127.0.0.1", port=int(sys.argv[1]))
`

async function startServer(settings: Partial<ServerSettings> = {}): Promise<{ server: FlaskServer; port: number }> {
  const server = createFlaskServer(honoApp().fetch, settings)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return { server, port: typeof address === 'object' && address ? address.port : 0 }
}

const servers: FlaskServer[] = []

async function started(settings: Partial<ServerSettings> = {}): Promise<number> {
  const { server, port } = await startServer(settings)
  servers.push(server)
  return port
}

afterEach(async () => {
  useAppConfig(null)
  releaseSlow()
  slowStarted = 0
  for (const server of servers.splice(0)) await server.shutdown()
})

const head = (line: string, headers: string[] = ['Host: a']): string => `${line}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`

describe.skipIf(!hasFlask)("malformed requests, as Flask's development server answers them", () => {
  let flask: ChildProcess | undefined
  let flaskPort = 0
  let ourPort = 0

  beforeAll(async () => {
    flaskPort = await freePort()
    flask = spawn('/usr/bin/python3', ['-c', FLASK_APP, String(flaskPort)], { stdio: 'ignore' })
    // Up once it answers (bounded by the hook timeout).
    for (;;) {
      const answer = await rawRequest(flaskPort, head('GET / HTTP/1.1'), { waitMs: 2_000 })
      if (answer.status === 200) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    ourPort = (await startServer()).port
  })

  afterAll(() => {
    if (flask?.pid !== undefined && flask.exitCode === null) flask.kill('SIGKILL')
  })

  const cases: [string, string][] = [
    ['a lower-case method', head('get / HTTP/1.1')],
    ['a lower-case method with a body', 'post /data HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc'],
    ['an unknown method on a known rule (405)', head('FOO / HTTP/1.1')],
    ['an unknown method on an unknown URL (404)', head('FOO /nope HTTP/1.1')],
    ['an extension method Node knows (405)', head('PURGE / HTTP/1.1')],
    ['raw non-UTF-8 bytes in the path', head('GET /p/\xff\xfe HTTP/1.1')],
    ['raw UTF-8 bytes in the path', head('GET /p/\xc3\xa9 HTTP/1.1')],
    ['NUL in the path', head('GET /p/a\x00b HTTP/1.1')],
    ['a space in the path (400)', head('GET /p/a b HTTP/1.1')],
    ['HTTP/1.1 without Host', head('GET / HTTP/1.1', [])],
    ['HTTP/1.0 without Host', head('GET / HTTP/1.0', [])],
    ['a header line over 64 KiB (431)', head('GET / HTTP/1.1', ['Host: a', `X-Big: ${'a'.repeat(70_000)}`])],
    ['a Content-Length of 100 MB the view never reads, body not sent', 'POST /nobody HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n'],
  ]

  it.each(cases)('%s', async (_name, raw) => {
    const [theirs, ours] = await Promise.all([rawRequest(flaskPort, raw), rawRequest(ourPort, raw)])
    expect(theirs.status).not.toBeNull()
    expect(ours.status).toBe(theirs.status)
    const allow = (answer: RawAnswer) => answer.headers['allow']?.split(', ').sort()
    expect(allow(ours)).toEqual(allow(theirs))
    if (theirs.headers['content-type']?.startsWith('application/json')) expect(ours.body).toBe(theirs.body)
    if (theirs.status === 200 && theirs.headers['content-type']?.startsWith('text/html')) expect(ours.body).toBe(theirs.body)
  })

  it('serves a request without Host, with the listening port as its host', async () => {
    const ours = await rawRequest(ourPort, head('GET /host HTTP/1.0', []))
    expect(ours.status).toBe(200)
    expect(JSON.parse(ours.body)).toEqual({ host: `0.0.0.0:${ourPort}` })
  })
})

describe('limits', () => {
  it('answers an HTTP/0.9 request line (no version) with 400 at once instead of waiting for headers', async () => {
    // Node (and Python's http.server) would wait for headers until a timeout; the test's
    // headersTimeout is long so only the prompt answer passes.
    const port = await started({ headersTimeoutMs: 60_000 })
    const answer = await rawRequest(port, 'GET /\r\n', { untilClose: true, waitMs: 30_000 })
    expect(answer.status).toBe(400)
    expect(answer.body).toContain("Bad HTTP/0.9 request type ('GET')")
    expect(answer.closed).toBe(true)
  })

  it('answers a request line over MAX_HEADER_BYTES with 414 and headers over it with 431', async () => {
    const port = await started({ maxHeaderBytes: 4096 })
    const url = await rawRequest(port, head(`GET /p/${'a'.repeat(5000)} HTTP/1.1`))
    expect(url.status).toBe(414)
    expect(url.headers['content-type']).toBe('text/html;charset=utf-8')
    expect(url.body).toContain('<p>Error code: 414</p>')
    const header = await rawRequest(port, head('GET / HTTP/1.1', ['Host: a', `X-Big: ${'a'.repeat(5000)}`]))
    expect(header.status).toBe(431)
    // Within the limit, served.
    expect((await rawRequest(port, head(`GET /p/${'a'.repeat(3000)} HTTP/1.1`))).status).toBe(200)
  })

  it('answers 413 for a Content-Length over the limit without the body being sent, and keeps serving', async () => {
    useAppConfig({ MAX_CONTENT_LENGTH: 1000 })
    const port = await started()
    const answer = await rawRequest(port, 'POST /data HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 100000000\r\n\r\n')
    expect(answer.status).toBe(413)
    expect(answer.body).toContain('<title>413 Request Entity Too Large</title>')
    expect((await rawRequest(port, head('GET / HTTP/1.1'))).status).toBe(200)
  })

  it('does not ask for a body over the limit (Expect: 100-continue) and answers 413', async () => {
    useAppConfig({ MAX_CONTENT_LENGTH: 1000 })
    const port = await started()
    const over = await rawRequest(port, 'POST /data HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n')
    expect(over.statusLine).not.toContain('100')
    expect(over.status).toBe(413)
    const within = await rawRequest(port, 'POST /data HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n', { waitMs: 3_000 })
    expect(within.status).toBe(100)
  })

  it('stops reading a chunked body at the limit and answers 413', async () => {
    useAppConfig({ MAX_CONTENT_LENGTH: 10_000 })
    const port = await started()
    const chunk = `1000\r\n${'x'.repeat(0x1000)}\r\n`
    const raw = `POST /data HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.repeat(8)}0\r\n\r\n`
    const answer = await rawRequest(port, raw)
    expect(answer.status).toBe(413)
    const small = `POST /data HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}0\r\n\r\n`
    expect((await rawRequest(port, small)).body).toBe('{"len":4096}\n')
  })

  it('closes a connection that sends nothing after HEADERS_TIMEOUT_MS (408)', async () => {
    const port = await started({ headersTimeoutMs: 300 })
    const connection = await openConnection(port)
    await connection.closed
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 /)
  })

  it('answers 408 to a client sending its headers too slowly', async () => {
    const port = await started({ headersTimeoutMs: 300 })
    const connection = await openConnection(port)
    const bytes = head('GET / HTTP/1.1')
    let sent = 0
    const drip = setInterval(() => {
      if (sent < bytes.length - 1 && !connection.socket.destroyed) connection.socket.write(bytes[sent++]!)
    }, 100)
    await connection.closed
    clearInterval(drip)
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 /)
  })

  it('past MAX_CONNECTIONS closes the least recently used idle connection to serve a new one', async () => {
    const port = await started({ maxConnections: 3 })
    const answered = async (connection: OpenConnection): Promise<void> => {
      connection.socket.write(head('GET / HTTP/1.1'))
      await until(() => connection.received().endsWith('\r\n\r\nok'))
    }
    // Least recently used first: one that never sent anything, one still sending its headers,
    // one whose keep-alive request was answered last.
    const silent = await openConnection(port)
    const partial = await openConnection(port)
    partial.socket.write('GET / HTTP/1.1\r\nHo')
    const served = await openConnection(port)
    await answered(served)
    // Each new connection is served, closing the least recently used idle one.
    await answered(await openConnection(port))
    await silent.closed
    await answered(await openConnection(port))
    await partial.closed
    expect(served.socket.destroyed).toBe(false)
  })

  it('past MAX_CONNECTIONS, with every connection being answered, closes the new one', async () => {
    const port = await started({ maxConnections: 2 })
    const busy = [await openConnection(port), await openConnection(port)]
    for (const connection of busy) connection.socket.write(head('GET /slow HTTP/1.1'))
    await until(() => slowStarted === 2)
    const refused = await rawRequest(port, head('GET / HTTP/1.1'))
    expect(refused).toMatchObject({ status: null, closed: true })
    releaseSlow()
    for (const connection of busy) await until(() => connection.received().endsWith('finally'))
    expect((await rawRequest(port, head('GET / HTTP/1.1'))).status).toBe(200)
  })

  it('reads its settings from the environment and refuses bad values', () => {
    expect(serverSettingsFromEnvironment({})).toMatchObject({ port: 8080, host: '', maxHeaderBytes: 16384, maxConnections: 1024 })
    expect(serverSettingsFromEnvironment({ PORT: '9000', HOST: '127.0.0.1', MAX_HEADER_BYTES: '32768', HEADERS_TIMEOUT_MS: '5000' })).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      maxHeaderBytes: 32768,
      headersTimeoutMs: 5000,
      requestTimeoutMs: 120_000,
      shutdownTimeoutMs: 10_000,
    })
    expect(() => serverSettingsFromEnvironment({ REQUEST_TIMEOUT_MS: '2m' })).toThrow(/REQUEST_TIMEOUT_MS must be a non-negative integer/)
  })
})

describe('shutdown', () => {
  it('closes idle connections at once, lets a request in flight finish, then resolves', async () => {
    const { server, port } = await startServer()
    // An idle keep-alive connection (one request answered), one that never sent anything, one mid-headers.
    const idle = await openConnection(port)
    idle.socket.write(head('GET / HTTP/1.1'))
    await until(() => idle.received().includes('\r\n\r\nok'))
    const silent = await openConnection(port)
    const partial = await openConnection(port)
    partial.socket.write('GET / HTTP/1.1\r\nHo')
    const busy = await openConnection(port)
    busy.socket.write(head('GET /slow HTTP/1.1'))
    await until(() => slowStarted === 1)

    let stopped = false
    const stopping = server.shutdown().then(() => (stopped = true))
    await Promise.all([idle.closed, silent.closed, partial.closed])
    expect(stopped).toBe(false)
    // New connections are refused once stopping.
    const refused = await rawRequest(port, head('GET / HTTP/1.1'), { waitMs: 5_000 })
    expect(refused.status).toBeNull()

    releaseSlow()
    await busy.closed
    expect(busy.received()).toMatch(/^HTTP\/1\.1 200 /)
    expect(busy.received().toLowerCase()).toContain('connection: close')
    expect(busy.received()).toMatch(/\r\n\r\nfinally$/)
    await stopping
    expect(stopped).toBe(true)
  })
})

describe('memory after large bodies (issue 13)', () => {
  // V8's own collector, as `node --expose-gc` (npm start, the Dockerfile) gives it to the server; every call recorded.
  setFlagsFromString('--expose-gc')
  const collect = runInNewContext('gc') as (options?: { type?: string }) => void
  const calls: string[] = []
  const exposed = globalThis as { gc?: unknown }

  afterEach(() => {
    delete exposed.gc
    calls.length = 0
  })

  const post = (port: number, length: number): Promise<RawAnswer> =>
    rawRequest(port, Buffer.concat([Buffer.from(`POST /data HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: ${length}\r\n\r\n`), Buffer.alloc(length, 0x78)]))

  it('collects before a large body is read, while it is read and once it is answered', async () => {
    exposed.gc = (options?: { type?: string }) => {
      calls.push(options?.type ?? 'major')
      collect(options)
    }
    const port = await started()
    expect((await post(port, 1000)).body).toBe('{"len":1000}\n')
    expect(calls).toEqual([])
    const length = 10 * 1024 * 1024
    expect((await post(port, length)).body).toBe(`{"len":${length}}\n`)
    // A full collection before reading (10 MB declared), a young one per 4 MiB read, a full one after the answer.
    await until(() => calls.length >= 4)
    expect(calls).toEqual(['major', 'minor', 'minor', 'major'])
  })

  it('without the collector (node without --expose-gc), serves a large body as before', async () => {
    const port = await started()
    const length = 10 * 1024 * 1024
    expect((await post(port, length)).body).toBe(`{"len":${length}}\n`)
  })
})
