/**
 * The HTTP server of a generated service (copied to `src/lib/server.ts`, used by `src/main.ts`):
 * @hono/node-server's request listener on a Node `http.Server` that survives abuse and answers
 * malformed requests as Flask's development server (Werkzeug on Python's `http.server`) does
 * where that is safe.
 *
 * - Bounded: request headers `MAX_HEADER_BYTES` (16 KiB), headers within `HEADERS_TIMEOUT_MS`
 *   (20 s; also a connection that sends nothing: 408), a whole request within
 *   `REQUEST_TIMEOUT_MS` (120 s), idle keep-alive closed after `KEEP_ALIVE_TIMEOUT_MS` (5 s).
 *   Request bodies are limited by the runtime (flask.ts `maxBodyBytes()`); `Expect:
 *   100-continue` is not answered for a body over that limit, so the client need not send it.
 * - Like Flask: a lower-case or unknown method (`get`, `FOO`) is routed as Werkzeug does (the
 *   method upper-cased: 200, or 405 with `Allow`), as are raw non-ASCII bytes and NUL in the
 *   path (latin-1 characters, as the development server reads them), and a request without a
 *   `Host` header is served (its host is `0.0.0.0:<port>`, the address Flask binds to in a
 *   container, or `HOST`). Node's parser rejects these, so they are answered here from the bytes it
 *   rejected: only a request whose head (and body) arrived whole in one packet, and the
 *   connection is then closed.
 * - An HTTP/0.9 request line (`GET /`, no version) is answered 400 at once (Node would wait for
 *   headers that never come). Header overflow is 431, or 414 while still in the request line;
 *   these error pages are `http.server`'s, as Flask's development server sends them.
 * - At most `MAX_CONNECTIONS` (1024) connections: past it a new connection closes the least
 *   recently used idle one (keep-alive, silent, or still sending headers), so a flood of
 *   connections neither grows memory without bound nor locks out new clients.
 * - `shutdown()`: stops accepting, closes idle connections (keep-alive or not yet a request) at
 *   once, lets requests in flight finish (each then closes its connection) and resolves when
 *   every connection is gone.
 * - Memory after large bodies is given back at once when V8's collector is exposed (`node
 *   --expose-gc`, as `npm start` and the Dockerfile run the service): see `bodyMemory`.
 */
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { Socket } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { declaredContentLength, hasContentType, maxBodyBytes } from './flask.js'

/** What `createFlaskServer` reads from the environment (see `serverSettingsFromEnvironment`). */
export interface ServerSettings {
  /** `PORT` (8080). */
  port: number
  /** `HOST`: the address to listen on; every interface when empty (the default). */
  host: string
  /** `MAX_HEADER_BYTES` (16384): request line and headers together; more is 431 (414 in the request line). */
  maxHeaderBytes: number
  /** `HEADERS_TIMEOUT_MS` (20000): time to receive the request head; also how long a silent new connection lives. */
  headersTimeoutMs: number
  /** `REQUEST_TIMEOUT_MS` (120000): time to receive a whole request, body included. */
  requestTimeoutMs: number
  /** `KEEP_ALIVE_TIMEOUT_MS` (5000): how long an idle keep-alive connection is kept. */
  keepAliveTimeoutMs: number
  /**
   * `MAX_CONNECTIONS` (1024; 0 for no limit): open connections at most. A new connection past it
   * closes the least recently used one that is not being answered (idle keep-alive, silent, or
   * still sending its headers); when every one is being answered the new one is closed.
   */
  maxConnections: number
  /** `SHUTDOWN_TIMEOUT_MS` (10000): after SIGTERM, how long requests in flight may take before the process exits anyway. */
  shutdownTimeoutMs: number
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = {
  port: 8080,
  host: '',
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
  shutdownTimeoutMs: 10_000,
}

const SETTING_VARIABLES: [Exclude<keyof ServerSettings, 'host'>, string][] = [
  ['port', 'PORT'],
  ['maxHeaderBytes', 'MAX_HEADER_BYTES'],
  ['headersTimeoutMs', 'HEADERS_TIMEOUT_MS'],
  ['requestTimeoutMs', 'REQUEST_TIMEOUT_MS'],
  ['keepAliveTimeoutMs', 'KEEP_ALIVE_TIMEOUT_MS'],
  ['maxConnections', 'MAX_CONNECTIONS'],
  ['shutdownTimeoutMs', 'SHUTDOWN_TIMEOUT_MS'],
]

/** The settings from the environment; a variable that is set must be a non-negative integer (else this throws). */
export function serverSettingsFromEnvironment(
  env: { readonly [name: string]: string | undefined } = process.env,
): ServerSettings {
  const settings = { ...DEFAULT_SERVER_SETTINGS, host: env['HOST']?.trim() ?? '' }
  for (const [key, variable] of SETTING_VARIABLES) {
    const raw = env[variable]
    if (raw === undefined || raw.trim() === '') continue
    if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(Number(raw)))
      throw new Error(`${variable} must be a non-negative integer, not ${JSON.stringify(raw)}`)
    settings[key] = Number(raw)
  }
  if (settings.headersTimeoutMs > settings.requestTimeoutMs && settings.requestTimeoutMs > 0)
    settings.headersTimeoutMs = settings.requestTimeoutMs
  return settings
}

/** A server made by `createFlaskServer`. */
export interface FlaskServer extends Server {
  /** Graceful stop: see the module comment. Resolves once every connection is closed. */
  shutdown(): Promise<void>
}

type FetchCallback = Parameters<typeof getRequestListener>[0]

/**
 * A handler of the Node request tried before the Hono app: true when it took the request (it then
 * answers it). legacy.ts's forwarding registers one, so a forwarded request costs no Request,
 * Context or middleware chain. `defaultHost` is the Host of a request without one.
 */
export type NodeForwarder = (
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  defaultHost: () => string,
) => boolean

let nodeForwarder: NodeForwarder | null = null

/** Registers (or with null removes) the handler every server of this process tries first. */
export function setNodeForwarder(forwarder: NodeForwarder | null): void {
  nodeForwarder = forwarder
}

interface ConnectionState {
  /** Requests received on the connection whose response has not finished. */
  active: number
  /** Whether the first request line has been seen whole (until then an overflow is 414). */
  firstLineDone: boolean
  /** Bytes of the first request line seen so far (while `firstLineDone` is false). */
  firstLineBytes: number
  /** Whether this module answered on the raw socket (after a parse error). */
  answered: boolean
}

/**
 * A Node HTTP server for a Hono app's `fetch` (not listening yet: call `listen(port)`), with the
 * limits of `settings` and the behaviours of the module comment.
 */
export function createFlaskServer(
  fetch: FetchCallback,
  settings: Partial<ServerSettings> = {},
): FlaskServer {
  const options = { ...DEFAULT_SERVER_SETTINGS, ...settings }
  // The host of a request without Host: the port the server listens on (known once it does).
  const defaultHost = (): string => {
    const address = server.address()
    const host =
      options.host === '' || options.host === '::'
        ? '0.0.0.0'
        : options.host.includes(':')
          ? `[${options.host}]`
          : options.host
    return `${host}:${typeof address === 'object' && address !== null ? address.port : options.port}`
  }
  let listener: ReturnType<typeof getRequestListener> | null = null
  // @hono/node-server writes `Content-Type: text/plain; charset=UTF-8` for a response that has
  // none; Werkzeug sends none (a 304 of a conditional request, a 204): those go out without one.
  const withoutDefaultType = (response: ServerResponse): void => {
    const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse
    response.writeHead = ((...args: unknown[]) => {
      const headers = args.find(
        (arg, i) => i > 0 && arg !== null && typeof arg === 'object' && !Array.isArray(arg),
      ) as Record<string, unknown> | undefined
      if (headers !== undefined && headers['content-type'] === 'text/plain; charset=UTF-8')
        delete headers['content-type']
      return writeHead(...args)
    }) as ServerResponse['writeHead']
  }
  const typedFetch: FetchCallback = async (request, env) => {
    const response = await fetch(request, env)
    const outgoing = (env as { outgoing?: ServerResponse } | undefined)?.outgoing
    if (outgoing !== undefined && response instanceof Response && !hasContentType(response))
      withoutDefaultType(outgoing)
    return response
  }
  const server = createServer(
    {
      maxHeaderSize: options.maxHeaderBytes,
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      // How often Node looks for connections past headersTimeout / requestTimeout (30 s by default).
      connectionsCheckingInterval: Math.max(250, Math.min(2_000, options.headersTimeoutMs)),
      // Flask serves a request without Host (HTTP/1.0 or not); request.host is then the server's address.
      requireHostHeader: false,
    },
    (request, response) => {
      if (nodeForwarder !== null && nodeForwarder(request, response, defaultHost)) return
      void (listener ??= getRequestListener(typedFetch, { hostname: defaultHost() }))(
        request,
        response,
      )
    },
  ) as FlaskServer
  server.keepAliveTimeout = options.keepAliveTimeoutMs

  const memory = bodyMemory(exposedCollector())
  // Least recently used first: a connection moves to the end when it connects and when a response on it ends.
  const connections = new Map<Socket, ConnectionState>()
  let stopping = false
  let closed: Promise<void> | null = null

  /** Makes room for one more connection: closes the least recently used one not being answered. */
  const makeRoom = (newcomer: Socket): boolean => {
    for (const [socket, state] of connections) {
      if (socket === newcomer || state.active > 0) continue
      connections.delete(socket)
      socket.destroy()
      return true
    }
    return false
  }

  server.on('connection', (socket: Socket) => {
    const state: ConnectionState = {
      active: 0,
      firstLineDone: false,
      firstLineBytes: 0,
      answered: false,
    }
    if (
      stopping ||
      (options.maxConnections > 0 &&
        connections.size >= options.maxConnections &&
        !makeRoom(socket))
    ) {
      socket.destroy()
      return
    }
    connections.set(socket, state)
    socket.once('close', () => connections.delete(socket))
    sniffFirstLine(socket, state, options.maxHeaderBytes)
    if (memory !== null) socket.on('data', memory.read)
  })

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket
    const state = connections.get(socket)
    if (!state) return
    state.firstLineDone = true
    state.active++
    memory?.request(request)
    if (stopping) response.shouldKeepAlive = false
    response.once('close', () => {
      memory?.responded()
      state.active--
      if (stopping && state.active === 0) closeSoon(socket)
      else if (connections.delete(socket)) connections.set(socket, state)
    })
  })

  // Expect: 100-continue. Ask for the body only when it may be read: over the limit, the answer
  // (413 if the view uses the body) comes without the client sending it.
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const declared = declaredContentLength(request.headers['content-length'])
    if (declared === null || declared <= maxBodyBytes()) response.writeContinue()
    server.emit('request', request, response)
  })

  server.on('clientError', (error: ParserError, socket: Socket) => {
    const state = connections.get(socket)
    if (state?.answered) return
    if (state) {
      state.answered = true
      // Being answered: not closed to make room, and waited for by shutdown().
      state.active++
    }
    void answerClientError(error, socket, state, fetch, defaultHost(), options)
      .catch(() => socket.destroy())
      .finally(() => {
        if (state) state.active--
      })
  })

  server.shutdown = () => {
    if (closed) return closed
    stopping = true
    closed = new Promise<void>((resolve) => {
      server.close(() => resolve())
      // Idle connections (keep-alive between requests, or a request not yet received whole)
      // close now; a connection answering a request closes once its response is sent.
      for (const [socket, state] of connections) {
        if (state.active === 0) socket.destroy()
        else {
          const response = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage
          if (response && !response.headersSent) response.shouldKeepAlive = false
        }
      }
    })
    return closed
  }

  return server
}

// ---------------------------------------------------------------------------------------------
// Memory after large request bodies

/** V8's collector, as `node --expose-gc` exposes it. */
type Collector = (options?: { type?: 'minor' | 'major' }) => void

/** `globalThis.gc` when the process runs with `--expose-gc`, else null. */
function exposedCollector(): Collector | null {
  const gc = (globalThis as { gc?: unknown }).gc
  return typeof gc === 'function' ? (gc as Collector) : null
}

/** Bytes read from clients between two young-generation collections. */
const YOUNG_COLLECTION_BYTES = 4 * 1024 * 1024
/** Bytes read from clients after which the next response to end is followed by a full collection. */
const FULL_COLLECTION_BYTES = 8 * 1024 * 1024
/** A body declared at least this large (and within the limit) is preceded by a full collection (at most one a second). */
const LARGE_BODY_BYTES = 1024 * 1024

/** What the server tells `bodyMemory`. */
interface BodyMemory {
  /** A chunk read from a client (a socket's `data`). */
  read: (chunk: Buffer) => void
  /** A request arrived (its head): before its body is read. */
  request: (request: IncomingMessage) => void
  /** A response ended (or its connection closed). */
  responded: () => void
}

/**
 * Gives back at once the memory large request bodies leave behind; null without a collector.
 * Node reads a socket into a new buffer each time (up to 64 KiB, outside V8's heap), and V8
 * frees those buffers, a finished request's body and its JSON text only when it next collects,
 * which the growth of its own heap decides, not the megabytes held outside it. Meanwhile the
 * next upload allocates more, and the C allocator keeps what it handed out: 10 MB uploads grew
 * the RSS by tens of MB that stayed (issue 13's bound). So:
 * - a young-generation collection (about a millisecond) after every `YOUNG_COLLECTION_BYTES`
 *   read from clients frees the read buffers already parsed;
 * - a full collection after the first response to end once `FULL_COLLECTION_BYTES` have been
 *   read since the last frees the bodies of finished requests;
 * - a full collection before a body declared `LARGE_BODY_BYTES` or more is read (unless one ran
 *   in the last second) frees what earlier traffic left (a flood of connections) before the
 *   body is allocated on top of it.
 * Ordinary traffic (small requests) reaches these counts rarely.
 */
function bodyMemory(collect: Collector | null): BodyMemory | null {
  if (collect === null) return null
  let sinceYoung = 0
  let sinceFull = 0
  let lastFull = 0
  const full = (): void => {
    sinceYoung = 0
    sinceFull = 0
    lastFull = performance.now()
    collect({ type: 'major' })
  }
  return {
    read: (chunk) => {
      sinceYoung += chunk.length
      sinceFull += chunk.length
      if (sinceYoung < YOUNG_COLLECTION_BYTES) return
      sinceYoung = 0
      collect({ type: 'minor' })
    },
    request: (request) => {
      const declared = declaredContentLength(request.headers['content-length'])
      if (
        declared !== null &&
        declared >= LARGE_BODY_BYTES &&
        declared <= maxBodyBytes() &&
        performance.now() - lastFull >= 1_000
      )
        full()
    },
    responded: () => {
      if (sinceFull >= FULL_COLLECTION_BYTES) full()
    },
  }
}

/** Ends a connection once what was written is flushed; destroys it if that takes too long. */
function closeSoon(socket: Socket): void {
  if (socket.destroyed) return
  socket.end()
  setTimeout(() => socket.destroy(), 1_000).unref()
}

// ---------------------------------------------------------------------------------------------
// Malformed requests

/** An error of Node's HTTP parser as `clientError` receives it. */
interface ParserError extends Error {
  code?: string
  /** The bytes being parsed when the error happened (the packet, not necessarily the whole request). */
  rawPacket?: Buffer
}

/** Python's `str.split()` whitespace (what `http.server` splits the request line on), for latin-1 text. */
const PY_WHITESPACE = /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0]+/

function pySplit(line: string): string[] {
  return line.split(PY_WHITESPACE).filter((word) => word !== '')
}

/**
 * Reads the first request line as it arrives, to answer an HTTP/0.9 request (no version) with
 * 400 at once and to tell a too-long request line (414) from too-long headers (431). Reading
 * `data` events moves Node's parser from native to JavaScript input for this connection.
 */
function sniffFirstLine(socket: Socket, state: ConnectionState, limit: number): void {
  let seen = ''
  const onData = (chunk: Buffer): void => {
    if (state.firstLineDone || state.answered) {
      // Node's parser (which reads each packet first) already has the request.
      socket.off('data', onData)
      return
    }
    seen += chunk.toString('latin1', 0, Math.min(chunk.length, limit + 2 - seen.length))
    const start = seen.search(/[^\r\n]/)
    const lineEnd = start < 0 ? -1 : seen.indexOf('\n', start)
    state.firstLineBytes = start < 0 ? 0 : seen.length - start
    if (lineEnd < 0 && seen.length <= limit) return
    socket.off('data', onData)
    if (lineEnd < 0) return
    state.firstLineDone = true
    const words = pySplit(seen.slice(start, lineEnd))
    if (words.length === 2 && !state.answered) {
      state.answered = true
      writeErrorPage(socket, 400, `Bad HTTP/0.9 request type ('${words[0]}')`)
    }
  }
  socket.on('data', onData)
}

/** `http.server`'s error page (`send_error`), as Flask's development server answers a request it cannot parse. */
function errorPage(code: number, message: string): { head: string; body: Buffer } {
  const explain = HTTP_SERVER_EXPLAIN[code] ?? STATUS_CODES[code] ?? ''
  const body = Buffer.from(
    '<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n        <title>Error response</title>\n    </head>\n' +
      `    <body>\n        <h1>Error response</h1>\n        <p>Error code: ${code}</p>\n        <p>Message: ${escapeHtml(message)}.</p>\n` +
      `        <p>Error code explanation: ${code} - ${escapeHtml(explain)}.</p>\n    </body>\n</html>\n`,
    'utf8',
  )
  const head =
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\nDate: ${new Date().toUTCString()}\r\nConnection: close\r\n` +
    `Content-Type: text/html;charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n`
  return { head, body }
}

/** Python's `HTTPStatus(code).description` for the codes answered here. */
const HTTP_SERVER_EXPLAIN: Record<number, string> = {
  400: 'Bad request syntax or unsupported method',
  413: 'Entity is too large',
  408: 'Request timed out; try again later',
  414: 'URI is too long',
  431: 'The server is unwilling to process the request because its header fields are too large',
  505: 'Cannot fulfill request',
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function writeErrorPage(socket: Socket, code: number, message: string): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const { head, body } = errorPage(code, message)
  socket.write(head, 'latin1')
  socket.write(body)
  closeSoon(socket)
}

async function answerClientError(
  error: ParserError,
  socket: Socket,
  state: ConnectionState | undefined,
  fetch: FetchCallback,
  defaultHost: string,
  options: ServerSettings,
): Promise<void> {
  const inResponse = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage
  if (error.code === 'ECONNRESET' || !socket.writable || inResponse?.headersSent) {
    socket.destroy()
    return
  }
  switch (error.code) {
    case 'HPE_INVALID_METHOD':
    case 'HPE_INVALID_URL': {
      const response =
        error.rawPacket && !inResponse
          ? await answerRawRequest(error.rawPacket, socket, fetch, defaultHost, options)
          : null
      if (response === null) writeErrorPage(socket, 400, 'Bad request syntax')
      return
    }
    case 'HPE_HEADER_OVERFLOW':
      if (state && overflowInRequestLine(state, error.rawPacket, options.maxHeaderBytes))
        writeErrorPage(socket, 414, 'Request-URI Too Long')
      else writeErrorPage(socket, 431, 'Line too long')
      return
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      writeErrorPage(socket, 408, 'Request Timeout')
      return
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      writeErrorPage(socket, 413, 'Request Entity Too Large')
      return
    case 'HPE_INVALID_VERSION':
      writeErrorPage(socket, 505, 'Invalid HTTP version')
      return
    default:
      writeErrorPage(socket, 400, 'Bad request syntax')
  }
}

/**
 * Whether a header overflow happened in the first request line. Node's parser sees each packet
 * before `sniffFirstLine` does, so the packet that overflowed may hold the end of the line.
 */
function overflowInRequestLine(
  state: ConnectionState,
  packet: Buffer | undefined,
  limit: number,
): boolean {
  if (state.firstLineDone) return false
  if (!packet) return true
  let offset = 0
  if (state.firstLineBytes === 0)
    while (packet[offset] === 0x0d || packet[offset] === 0x0a) offset++
  const lineEnd = packet.indexOf(0x0a, offset)
  return lineEnd < 0 || state.firstLineBytes + (lineEnd - offset) > limit
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * Answers a request Node's parser refused for its method or the bytes of its target, by parsing
 * it as `http.server` would and handing it to the app; null when that is not possible (the head
 * or body did not arrive whole in this packet, chunked bodies, malformed headers).
 */
async function answerRawRequest(
  raw: Buffer,
  socket: Socket,
  fetch: FetchCallback,
  defaultHost: string,
  options: ServerSettings,
): Promise<true | null> {
  const text = raw.toString('latin1')
  const headEnd = text.search(/\r?\n\r?\n/)
  if (headEnd < 0 || headEnd > options.maxHeaderBytes) return null
  const bodyStart = headEnd + (/^\r?\n\r?\n/.exec(text.slice(headEnd))?.[0].length ?? 0)
  const lines = text
    .slice(0, headEnd)
    .replace(/^(?:\r?\n)+/, '')
    .split(/\r?\n/)
  const words = pySplit(lines[0] ?? '')
  if (words.length !== 3) return null
  const [rawMethod, target, version] = words as [string, string, string]
  if (!/^HTTP\/1\.\d+$/.test(version) || !target.startsWith('/')) return null
  const method = rawMethod.toUpperCase()
  if (!TOKEN.test(method) || method === 'CONNECT' || method === 'TRACE' || method === 'TRACK')
    return null
  const pairs: [string, string][] = []
  for (const line of lines.slice(1)) {
    const match = /^([^:\s]+):[ \t]*(.*?)[ \t]*$/.exec(line)
    if (!match || !TOKEN.test(match[1]!)) return null
    pairs.push([match[1]!, match[2]!])
  }
  if (pairs.length > 100) return null
  let headers: Headers
  try {
    headers = new Headers(pairs)
  } catch {
    return null
  }
  if (headers.has('transfer-encoding')) return null
  const declared = headers.has('content-length')
    ? declaredContentLength(headers.get('content-length'))
    : 0
  if (declared === null) return null
  let body: Uint8Array | undefined
  if (declared > 0) {
    if (raw.length - bodyStart >= declared) body = raw.subarray(bodyStart, bodyStart + declared)
    // A body over the limit is never read anyway (413 if the view uses it); anything else must be here.
    else if (declared <= maxBodyBytes()) return null
  }
  let url: URL
  try {
    url = new URL(`http://${headers.get('host') || defaultHost}${target}`)
  } catch {
    return null
  }
  const hasBody = body !== undefined && method !== 'GET' && method !== 'HEAD'
  const request = new Request(url, {
    method,
    headers,
    ...(hasBody ? { body: body as Uint8Array<ArrayBuffer> } : {}),
  })
  const timer = setTimeout(() => socket.destroy(), options.requestTimeoutMs || 120_000)
  try {
    const response = (await fetch(request, { incoming: { socket } } as never)) as Response
    const payload =
      method === 'HEAD' ? new Uint8Array(0) : new Uint8Array(await response.arrayBuffer())
    let head = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n`
    if (!response.headers.has('date')) head += `Date: ${new Date().toUTCString()}\r\n`
    for (const [name, value] of response.headers) {
      if (
        name === 'set-cookie' ||
        name === 'connection' ||
        name === 'transfer-encoding' ||
        name === 'keep-alive'
      )
        continue
      if (name === 'content-length' && method !== 'HEAD') continue
      head += `${name}: ${value}\r\n`
    }
    for (const cookie of response.headers.getSetCookie()) head += `set-cookie: ${cookie}\r\n`
    if (method !== 'HEAD') head += `content-length: ${payload.length}\r\n`
    head += 'connection: close\r\n\r\n'
    if (!socket.writable) return true
    socket.write(Buffer.from(head, 'latin1'))
    if (payload.length > 0) socket.write(payload)
    closeSoon(socket)
    return true
  } finally {
    clearTimeout(timer)
  }
}

// ---------------------------------------------------------------------------------------------
// Workers: WEB_CONCURRENCY

/**
 * `WEB_CONCURRENCY` (as gunicorn reads it): how many worker processes serve the app, 1 by default
 * (one process per container, replicas scale out). Throws for a value that is not a positive integer.
 */
export function webConcurrency(
  env: { readonly [name: string]: string | undefined } = process.env,
): number {
  const raw = env['WEB_CONCURRENCY']
  if (raw === undefined || raw.trim() === '') return 1
  if (!/^\s*\d+\s*$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw new Error(`WEB_CONCURRENCY must be a positive integer, not ${JSON.stringify(raw)}`)
  }
  return Number(raw)
}

/**
 * The primary process when `WEB_CONCURRENCY` > 1: forks that many workers with `node:cluster`
 * (they share the listening socket; each runs `src/main.ts` as a single server), forks a new one
 * when a worker that was serving dies, and on SIGTERM / SIGINT passes the signal on and exits once
 * every worker has stopped (each finishes its requests in flight, as a single process does). A
 * worker that exits before it listens (a bad setting, the port taken) stops the service.
 */
export async function runPrimary(count: number): Promise<void> {
  const { default: cluster } = await import('node:cluster')
  let stopping = false
  const listening = new WeakSet<object>()
  const fork = (): void => {
    const worker = cluster.fork()
    worker.once('listening', () => listening.add(worker))
  }
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0)
      return
    }
    if (!listening.has(worker)) {
      console.error(
        `worker ${worker.process.pid} exited before listening (${signal ?? code}): stopping`,
      )
      stopping = true
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM')
      process.exitCode = typeof code === 'number' && code !== 0 ? code : 1
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit()
      return
    }
    console.error(`worker ${worker.process.pid} died (${signal ?? code}); starting another`)
    fork()
  })
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return
    stopping = true
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal)
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0)
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  for (let i = 0; i < count; i++) fork()
}
