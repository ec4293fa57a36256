/**
 * Legacy fallback for an incremental migration (copied to `src/lib/legacy.ts`): with
 * `LEGACY_URL=http://host:port` (the Flask app, still running), every request the service does not
 * serve natively is forwarded there, and the client gets Flask's response unchanged.
 *
 * - Forwarded: a route the migration left as a stub (its view, or a hook that runs for it, answers
 *   501 here), a path the service's url map does not know (the Flask app may have routes the
 *   analysis could not see), and endpoints named by `LEGACY_ROUTES` (`endpoint,blueprint.*`: exact
 *   names and `prefix.*`; `*` is every endpoint), an instant rollback without a rebuild. A 405 or a
 *   redirect of the router is answered here as Flask would, unless a hook or error handler that
 *   would take part in it is a stub (`legacyOnFailure`), or a rule it is about is a stub's or one
 *   `LEGACY_ROUTES` forces (a PATCH to a forced GET/PUT route gets Flask's 405, through Flask's hooks).
 * - Forwarded too, as if `LEGACY_ROUTES` named them: the endpoints of `sharedState`, whose code
 *   reads or changes data kept in process memory that requests change (the report's
 *   process-local-state), `*` when a hook or error handler does. The Flask app keeps its own copy
 *   of that data, so each such request goes to the one process that has it; `LEGACY_SPLIT_STATE=1`
 *   serves them here anyway (each side then counts, stores and reads apart).
 * - The middleware runs before the request hooks (`src/app.ts` registers it first), so a forwarded
 *   request runs none of the service's hooks: Flask runs its own. Under the service's server
 *   (server.ts) the same decision is taken before the Hono app runs (`setNodeForwarder`): a
 *   forwarded request costs no web Request, Context or middleware chain. Not for a target Hono
 *   would read differently (percent-escapes, dot segments, characters node-server normalizes, an
 *   unusual Host), the admin paths, nor with request logs on (Hono's logger runs first): those
 *   take the middleware.
 * - Forwarding keeps the method, the raw path and query, every header (the original `Host` too:
 *   Flask builds external URLs from it), adds `X-Forwarded-For` / `-Proto` / `-Host` (appended to a
 *   chain already there), drops hop-by-hop headers, and streams the body both ways. The response
 *   keeps Flask's status line, every header in order (each `Set-Cookie`, `Content-Encoding`
 *   untouched) and its bytes: under @hono/node-server it is written to the Node response directly.
 * - The request body is not read here, so `MAX_BODY_BYTES` does not apply: Flask applies its own
 *   `MAX_CONTENT_LENGTH`.
 * - `LEGACY_TIMEOUT_MS` (30000) without a byte from the Flask app: 504; a refused or reset
 *   connection: 502. Each is one small page (Werkzeug's) and a line on stderr, never a crash; once
 *   Flask's response has begun, a failure closes the client's connection.
 * - Without `LEGACY_URL` nothing is forwarded: stubs answer 501, unknown paths 404.
 * - `GET /__migrate/routes`, only when `MIGRATE_ADMIN=1`: `{ native, legacy, legacyUrl }`, the
 *   endpoints served here and those that go to the Flask app (or answer 501 without `LEGACY_URL`).
 */
import type { Context, MiddlewareHandler } from 'hono'
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { createRequire } from 'node:module'
import { Readable } from 'node:stream'
import { BadGateway, GatewayTimeout } from './errors.js'
import { logsRequests } from './flask.js'
import { routingFor, type RoutingInfo } from './router.js'
import { setNodeForwarder } from './server.js'
import {
  ADMIN_SHADOW_PATH,
  Shadow,
  shadowSettingsFromEnvironment,
  type BufferedResponse,
  type ShadowSettings,
} from './shadow.js'

/** What the router may fail with, answered natively unless listed in `legacyOnFailure`. */
export type RoutingFailure = 'methodNotAllowed' | 'redirect'

export interface LegacyOptions {
  /** Endpoints the service serves itself (the report's `nativeEndpoints`). */
  native: readonly string[]
  /** Endpoints that answer 501 here: forwarded when `LEGACY_URL` is set. */
  stubs: readonly string[]
  /** Routing failures the service cannot answer as Flask would (a stub hook or error handler takes part): forwarded too. */
  legacyOnFailure?: readonly RoutingFailure[]
  /** The Flask app's base URL; default `process.env.LEGACY_URL` (empty: no forwarding). */
  legacyUrl?: string
  /** Endpoints forced to the Flask app; default `process.env.LEGACY_ROUTES`. */
  legacyRoutes?: string
  /**
   * Native endpoints that read or change data the Flask app also keeps in process memory (as
   * LEGACY_ROUTES names them; `*`: every request): forwarded too, so that the data lives in one
   * process, unless `splitState`.
   */
  sharedState?: readonly string[]
  /** Serve `sharedState` here anyway, each process with its own copy; default `process.env.LEGACY_SPLIT_STATE === '1'`. */
  splitState?: boolean
  /** Default `process.env.LEGACY_TIMEOUT_MS`, else 30000. */
  timeoutMs?: number
  /** Serve `GET /__migrate/routes` (and `/__migrate/shadow`); default `process.env.MIGRATE_ADMIN === '1'`. */
  admin?: boolean
  /** Shadow mode (src/lib/shadow.ts); default from `SHADOW`, `SHADOW_WRITES`, `SHADOW_SAMPLE`. */
  shadow?: ShadowSettings
}

/**
 * The platform's Response, taken before @hono/node-server's serve() replaces the global one with
 * its own: a response of that kind with no body skips node-server's cached fast path, which would
 * write the head again after this module has written it to the Node response
 * (ERR_HTTP_HEADERS_SENT), and reaches its check of `x-hono-already-sent`.
 */
const PlatformResponse = globalThis.Response

/** `alreadySent`'s responses by status: one each, as nothing reads or changes them but @hono/node-server's check. */
const sentResponses = new Map<number, Response>()

/** What the middleware returns once it wrote the response to the Node response itself. */
function alreadySent(status: number): Response {
  let response = sentResponses.get(status)
  if (response === undefined) {
    response = new PlatformResponse(null, { status, headers: { 'x-hono-already-sent': 'true' } })
    sentResponses.set(status, response)
  }
  return response
}

/** The admin route (only with `MIGRATE_ADMIN=1`). */
export const ADMIN_ROUTES_PATH = '/__migrate/routes'

const DEFAULT_TIMEOUT_MS = 30_000

/** Headers of one connection, never forwarded (RFC 9110 7.6.1), and `Expect` (answered by this server). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
])
const FORWARDED = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'] as const
const FORWARDED_NAMES = {
  'x-forwarded-for': 'X-Forwarded-For',
  'x-forwarded-proto': 'X-Forwarded-Proto',
  'x-forwarded-host': 'X-Forwarded-Host',
} as const
/** Request targets @hono/node-server takes as they are (its reValidRequestUrl / reDotSegment), without percent-escapes. */
const PLAIN_TARGET = /^\/[!#$&-;=?-[\]_a-z~]*$/
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/
/** Hosts node-server takes as they are (its reValidHost). */
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/

/** Methods a request without a body may be sent again with after a stale keep-alive connection. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])

/** `LEGACY_ROUTES` as a predicate on endpoints: `a.b` exactly, `bp.*` every endpoint under `bp.`, `*` all (`every`). */
export type LegacyRoutes = ((endpoint: string) => boolean) & { every: boolean }

/** `LEGACY_ROUTES` as a predicate on endpoints: `a.b` exactly, `bp.*` every endpoint under `bp.`, `*` all. */
export function legacyRoutesMatcher(spec: string): LegacyRoutes {
  const exact = new Set<string>()
  const prefixes: string[] = []
  let all = false
  for (const item of spec
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    if (item === '*') all = true
    else if (item.endsWith('.*')) prefixes.push(item.slice(0, -1))
    else exact.add(item)
  }
  const matcher = (endpoint: string): boolean =>
    all || exact.has(endpoint) || prefixes.some((prefix) => endpoint.startsWith(prefix))
  return Object.assign(matcher, { every: all })
}

/** Reads the legacy settings from the environment; a malformed value stops the service at start-up. */
export function legacySettingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): {
  legacyUrl: URL | null
  legacyRoutes: string
  splitState: boolean
  timeoutMs: number
  admin: boolean
} {
  return {
    legacyUrl: parseLegacyUrl(env.LEGACY_URL ?? ''),
    legacyRoutes: env.LEGACY_ROUTES ?? '',
    splitState: env.LEGACY_SPLIT_STATE === '1',
    timeoutMs: parseTimeout(env.LEGACY_TIMEOUT_MS),
    admin: env.MIGRATE_ADMIN === '1',
  }
}

function parseLegacyUrl(value: string): URL | null {
  if (value.trim() === '') return null
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    throw new Error(`LEGACY_URL must be an http:// or https:// URL, not ${JSON.stringify(value)}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`LEGACY_URL must be an http:// or https:// URL, not ${JSON.stringify(value)}`)
  return url
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_TIMEOUT_MS
  if (!/^\d+$/.test(value.trim()) || Number(value) === 0)
    throw new Error(
      `LEGACY_TIMEOUT_MS must be a positive integer (milliseconds), not ${JSON.stringify(value)}`,
    )
  return Number(value)
}

/**
 * Whether a request routed as `routing` goes to the Flask app. A routing failure (405, a redirect)
 * about a rule whose endpoint `LEGACY_ROUTES` forces, or is a stub, goes there too (an extension's
 * own view answers its 405 in its own format: Flask-RESTX's JSON), and with `LEGACY_ROUTES=*`
 * every request does: Flask answers it with its own hooks and error handlers (a PATCH to a route
 * without PATCH is the 405 of the Flask app, its after_request hooks included).
 */
export function forwardsTo(
  routing: RoutingInfo | undefined,
  stubs: ReadonlySet<string>,
  forced: LegacyRoutes,
  legacyOnFailure: readonly RoutingFailure[],
): boolean {
  if (routing === undefined || forced.every) return true
  if (routing.endpoint === null) {
    const failure = routing.failure ?? 'notFound'
    return (
      failure === 'notFound' ||
      ((failure === 'methodNotAllowed' || failure === 'redirect') &&
        legacyOnFailure.includes(failure)) ||
      (routing.failureEndpoints?.some((endpoint) => forced(endpoint) || stubs.has(endpoint)) ??
        false)
    )
  }
  return stubs.has(routing.endpoint) || forced(routing.endpoint)
}

/**
 * The middleware: forwards what the service does not serve natively to `LEGACY_URL`, answers
 * `GET /__migrate/routes` with `MIGRATE_ADMIN=1`, and passes everything else on.
 */
export function legacyFallback(options: LegacyOptions): MiddlewareHandler {
  const fromEnvironment = legacySettingsFromEnvironment()
  const legacyUrl =
    options.legacyUrl !== undefined ? parseLegacyUrl(options.legacyUrl) : fromEnvironment.legacyUrl
  const legacyRoutes = options.legacyRoutes ?? fromEnvironment.legacyRoutes
  const splitState = options.splitState ?? fromEnvironment.splitState
  const timeoutMs = options.timeoutMs ?? fromEnvironment.timeoutMs
  const admin = options.admin ?? fromEnvironment.admin
  const forced = legacyRoutesMatcher(
    [legacyRoutes, ...(splitState ? [] : (options.sharedState ?? []))].join(','),
  )
  const stubs = new Set(options.stubs)
  const legacyOnFailure = options.legacyOnFailure ?? []
  const routes = {
    native: options.native.filter((endpoint) => !forced(endpoint)).sort(),
    legacy: [...new Set([...options.stubs, ...options.native.filter(forced)])].sort(),
    legacyUrl: legacyUrl !== null,
  }
  const upstream = legacyUrl === null ? null : new Upstream(legacyUrl, timeoutMs)
  const shadowSettings = options.shadow ?? shadowSettingsFromEnvironment()
  if (shadowSettings.enabled && upstream === null) {
    console.error(
      'legacy: SHADOW=1 without LEGACY_URL: nothing to compare with, shadow mode is off',
    )
  }
  const shadow = shadowSettings.enabled && upstream !== null ? new Shadow(shadowSettings) : null
  // Without LEGACY_URL and MIGRATE_ADMIN there is nothing to do for any request: no await on the way.
  if (upstream === null && !admin) return (_c, next) => next()
  if (upstream !== null && !logsRequests()) {
    setNodeForwarder((incoming, outgoing, defaultHost) => {
      const target = incoming.url ?? ''
      const host = incoming.headers.host
      // Only where Hono's path is the raw one (node-server builds the URL as is, getPath slices it).
      if (!PLAIN_TARGET.test(target) || DOT_SEGMENT.test(target)) return false
      if (host !== undefined && !PLAIN_HOST.test(host)) return false
      const end = target.search(/[?#]/)
      const path = end === -1 ? target : target.slice(0, end)
      if (admin && (path === ADMIN_ROUTES_PATH || path === ADMIN_SHADOW_PATH)) return false
      const routing = routingFor(incoming.method ?? 'GET', path)
      if (routing === null || !forwardsTo(routing, stubs, forced, legacyOnFailure)) return false
      void upstream.forwardNode(incoming, outgoing, defaultHost)
      return true
    })
  }

  return async function legacyFallbackMiddleware(c, next) {
    if (admin && (c.req.method === 'GET' || c.req.method === 'HEAD')) {
      if (c.req.path === ADMIN_ROUTES_PATH) return c.json(routes)
      if (c.req.path === ADMIN_SHADOW_PATH)
        return c.json(shadow?.counts() ?? { settings: shadowSettings })
    }
    const routing = c.get('routing') as RoutingInfo | undefined
    if (upstream === null) {
      await next()
      return
    }
    if (forwardsTo(routing, stubs, forced, legacyOnFailure)) return upstream.forward(c)
    // Served here: in shadow mode Flask answers, and the service too when the request is compared.
    const endpoint = routing?.endpoint ?? null
    if (shadow === null || endpoint === null) {
      await next()
      return
    }
    if (!shadow.takes(c.req.method)) return upstream.forward(c)
    const answer = await shadow.run(c, next, endpoint, (body) => upstream.exchange(c, body))
    // After next() the context is finalized: its response is replaced, not merged with the native one.
    c.res = undefined
    c.res = answer instanceof Response ? answer : upstream.respond(c, answer)
  }
}

/** An error with a Node system error code (`ECONNREFUSED`, …). */
type SystemError = Error & { code?: string }

class LegacyTimeout extends Error {
  code = 'ETIMEDOUT'
}

/** The Node request / response of @hono/node-server (`c.env.incoming`, `c.env.outgoing`), when they are. */
function nodeStreams(c: Context): {
  incoming: IncomingMessage | null
  outgoing: ServerResponse | null
} {
  const env = c.env as
    { incoming?: Partial<IncomingMessage>; outgoing?: Partial<ServerResponse> } | undefined
  const incoming = env?.incoming
  const outgoing = env?.outgoing
  return {
    incoming:
      incoming && Array.isArray(incoming.rawHeaders) && typeof incoming.pipe === 'function'
        ? (incoming as IncomingMessage)
        : null,
    outgoing:
      outgoing && typeof outgoing.writeHead === 'function' && outgoing.headersSent === false
        ? (outgoing as ServerResponse)
        : null,
  }
}

/** What is sent to the Flask app for one request. */
interface Outbound {
  method: string
  path: string
  /** Flat, as Node's `rawHeaders`. */
  headers: string[]
  /** null: no body. */
  body: Readable | null
}

class Upstream {
  private readonly request: typeof httpRequest
  private readonly agent: HttpAgent
  private readonly basePath: string

  constructor(
    private readonly url: URL,
    private readonly timeoutMs: number,
  ) {
    // node:https (and TLS) loaded only for an https:// LEGACY_URL: a service without one starts without it.
    const https =
      url.protocol === 'https:'
        ? (createRequire(import.meta.url)('node:https') as typeof import('node:https'))
        : null
    this.request = https ? https.request : httpRequest
    // Keep-alive to the Flask app; an idle connection is dropped after 1 s, before servers that keep
    // one for 2 s (gunicorn) close it under a request.
    const agentOptions = {
      keepAlive: true,
      maxFreeSockets: 64,
      timeout: 1_000,
      scheduling: 'lifo' as const,
    }
    this.agent = https ? new https.Agent(agentOptions) : new HttpAgent(agentOptions)
    this.basePath = url.pathname.replace(/\/+$/, '')
  }

  /** The 502 or 504 of a request Flask did not answer, and its line on stderr. */
  private failure(outbound: Outbound, error: unknown): Response {
    const timedOut = error instanceof LegacyTimeout
    const code =
      (error as SystemError).code ?? (error instanceof Error ? error.message : String(error))
    console.error(
      `legacy: ${outbound.method} ${outbound.path} -> ${timedOut ? 504 : 502}: the Flask app at ${this.url.origin} ${timedOut ? `sent nothing for ${this.timeoutMs} ms` : `failed (${code})`}`,
    )
    return (
      timedOut
        ? new GatewayTimeout('The legacy Flask app did not answer in time.')
        : new BadGateway('The legacy Flask app could not be reached.')
    ).getResponse()
  }

  /** Sends the request with this body (shadow mode) and reads Flask's answer whole; a 502/504 Response when it failed. */
  async exchange(c: Context, body: Buffer | null): Promise<BufferedResponse | Response> {
    const { incoming } = nodeStreams(c)
    const outbound = this.outboundOf(c, incoming, { body })
    try {
      const response = await this.send(outbound, null)
      const chunks: Buffer[] = []
      await new Promise<void>((resolve, reject) => {
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', resolve)
        response.on('aborted', () => reject(new Error('the response broke off')))
        response.on('error', reject)
      })
      const flat = responseHeaders(response.rawHeaders)
      const headers: [string, string][] = []
      for (let i = 0; i + 1 < flat.length; i += 2) headers.push([flat[i]!, flat[i + 1]!])
      return {
        status: response.statusCode ?? 502,
        statusMessage: response.statusMessage ?? '',
        headers,
        body: Buffer.concat(chunks),
      }
    } catch (error) {
      return this.failure(outbound, error)
    }
  }

  /** A response read whole, as the client gets it: written to the Node response when there is one. */
  respond(c: Context, answer: BufferedResponse): Response {
    const { outgoing } = nodeStreams(c)
    const flat = answer.headers.flat()
    const shown = answer.status >= 200 && answer.status <= 599 ? answer.status : 200
    if (outgoing !== null) {
      try {
        outgoing.writeHead(answer.status, answer.statusMessage, flat)
        outgoing.end(answer.body)
        return alreadySent(shown)
      } catch (error) {
        console.error(`legacy: unusable response head (${(error as Error).message})`)
        return new BadGateway('The legacy Flask app sent an unusable response.').getResponse()
      }
    }
    const headers = new Headers()
    for (const [name, value] of answer.headers) {
      try {
        headers.append(name, value)
      } catch {
        // A value Headers refuses (not a ByteString): left out of this (non-Node) path only.
      }
    }
    const bodyless =
      c.req.method === 'HEAD' ||
      answer.status === 204 ||
      answer.status === 304 ||
      shown !== answer.status
    return new Response(bodyless ? null : new Uint8Array(answer.body), {
      status: shown,
      statusText: answer.statusMessage,
      headers,
    })
  }

  /** Forwards a Node request before the Hono app saw it (server.ts): the answer is written to `outgoing`. */
  async forwardNode(
    incoming: IncomingMessage,
    outgoing: ServerResponse,
    defaultHost: () => string,
  ): Promise<void> {
    try {
      const outbound = this.outbound(
        incoming,
        () => new URL(`http://${incoming.headers.host ?? defaultHost()}${incoming.url ?? '/'}`),
        null,
        incoming.socket,
      )
      const answer = await this.forwardOutbound(outbound, incoming, outgoing)
      // Written already (Flask's answer, or nothing for a client that left).
      if (outgoing.headersSent || outgoing.destroyed || answer.headers.has('x-hono-already-sent'))
        return
      // A 502 / 504 of our own.
      const body = Buffer.from(await answer.arrayBuffer())
      const headers: string[] = []
      answer.headers.forEach((value, name) => headers.push(name, value))
      outgoing.writeHead(answer.status, headers)
      outgoing.end(incoming.method === 'HEAD' ? undefined : body)
    } catch (error) {
      console.error(`legacy: ${incoming.method} ${incoming.url}: ${(error as Error).message}`)
      if (!outgoing.headersSent) {
        outgoing.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8' })
        outgoing.end('Bad Gateway')
      } else outgoing.destroy()
    }
  }

  async forward(c: Context): Promise<Response> {
    const { incoming, outgoing } = nodeStreams(c)
    return this.forwardOutbound(this.outboundOf(c, incoming), incoming, outgoing)
  }

  /** `outbound` for a request the Hono app has: its URL parsed only when needed. */
  private outboundOf(
    c: Context,
    incoming: IncomingMessage | null,
    given?: { body: Buffer | null },
  ): Outbound {
    let parsed: URL | null = null
    const socket =
      incoming?.socket ??
      (c.env as { incoming?: { socket?: IncomingMessage['socket'] } } | undefined)?.incoming?.socket
    return this.outbound(incoming, () => (parsed ??= new URL(c.req.url)), c.req.raw, socket, given)
  }

  /**
   * Sends the request and streams Flask's answer: written to `outgoing` when there is one (an
   * already-sent Response then), else returned as a web Response; a 502 / 504 Response when Flask
   * did not answer.
   */
  private async forwardOutbound(
    outbound: Outbound,
    incoming: IncomingMessage | null,
    outgoing: ServerResponse | null,
  ): Promise<Response> {
    let response: IncomingMessage
    try {
      response = await this.send(outbound, outgoing)
    } catch (error) {
      // The client left before Flask answered: nothing to answer (@hono/node-server leaves a response with this header alone).
      if (outgoing?.destroyed) return alreadySent(499)
      if (incoming !== null && outbound.body !== null) incoming.unpipe()
      return this.failure(outbound, error)
    }
    const headers = responseHeaders(response.rawHeaders)
    const status = response.statusCode ?? 502
    // A Response may only carry 200-599; the status the client sees is Flask's either way.
    const shown = status >= 200 && status <= 599 ? status : 200
    if (outgoing !== null) {
      try {
        outgoing.writeHead(status, response.statusMessage, headers)
      } catch (error) {
        response.destroy()
        console.error(
          `legacy: ${outbound.method} ${outbound.path} -> 502: unusable response head (${(error as Error).message})`,
        )
        return new BadGateway('The legacy Flask app sent an unusable response.').getResponse()
      }
      await new Promise<void>((resolve) => {
        // pipe and listeners rather than stream.pipeline, which costs an AbortSignal per request.
        let broken = false
        const brokeOff = (error?: SystemError): void => {
          if (broken || response.complete) return
          broken = true
          console.error(
            `legacy: ${outbound.method} ${outbound.path}: the response broke off (${error?.code ?? error?.message ?? 'closed'})`,
          )
          outgoing.destroy()
        }
        response.on('error', brokeOff)
        response.on('aborted', () => brokeOff())
        outgoing.once('close', () => {
          // The client went away first: stop reading from Flask.
          if (!response.complete) response.destroy()
          resolve()
        })
        response.pipe(outgoing)
      })
      // Already written: @hono/node-server leaves a response with this header alone.
      return alreadySent(shown)
    }
    const out = new Headers()
    for (let i = 0; i < headers.length; i += 2) {
      try {
        out.append(headers[i]!, headers[i + 1]!)
      } catch {
        // A value Headers refuses (not a ByteString): left out of this (non-Node) path only.
      }
    }
    const bodyless =
      outbound.method === 'HEAD' || status === 204 || status === 304 || shown !== status
    if (bodyless) response.resume()
    const body = bodyless
      ? null
      : (Readable.toWeb(response) as unknown as ReadableStream<Uint8Array>)
    return new Response(body, {
      status: shown,
      statusText: response.statusMessage ?? '',
      headers: out,
    })
  }

  /** The request to send: raw target and headers when the Node request is there, else from the web Request. */
  private outbound(
    incoming: IncomingMessage | null,
    /** The request's URL, parsed only when the raw target, Host or scheme are not at hand (not on a forwarded request's usual path). */
    requestUrl: () => URL,
    /** The web Request, for what is not at hand without the Node one. */
    web: Request | null,
    /** The client's connection (its address for X-Forwarded-For). */
    socket: IncomingMessage['socket'] | undefined,
    given?: { body: Buffer | null },
  ): Outbound {
    const method = (incoming?.method ?? web?.method ?? 'GET').toUpperCase()
    let target = incoming?.url ?? `${requestUrl().pathname}${requestUrl().search}`
    if (!target.startsWith('/')) {
      // absolute-form (`GET http://host/path`): the origin-form of it.
      try {
        const absolute = new URL(target)
        target = `${absolute.pathname}${absolute.search}`
      } catch {
        target = `${requestUrl().pathname}${requestUrl().search}`
      }
    }
    const pairs: [string, string][] = []
    if (incoming !== null) {
      for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2)
        pairs.push([incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!])
    } else {
      web?.headers.forEach((value, name) => {
        if (name === 'set-cookie') return
        pairs.push([name, value])
      })
    }
    const connectionTokens = new Set(
      pairs
        .filter(([name]) => name.toLowerCase() === 'connection')
        .flatMap(([, value]) => value.split(',').map((token) => token.trim().toLowerCase())),
    )
    const headers: string[] = []
    const forwarded: Record<(typeof FORWARDED)[number], string[]> = {
      'x-forwarded-for': [],
      'x-forwarded-proto': [],
      'x-forwarded-host': [],
    }
    let host: string | null = null
    let contentLength: string | null = null
    let chunked = false
    for (const [name, value] of pairs) {
      const lower = name.toLowerCase()
      if (lower === 'transfer-encoding') chunked = true
      if (HOP_BY_HOP.has(lower) || connectionTokens.has(lower)) continue
      if (lower in forwarded) {
        forwarded[lower as (typeof FORWARDED)[number]].push(value)
        continue
      }
      if (lower === 'host') {
        if (host !== null) continue
        host = value
      }
      if (lower === 'content-length') contentLength = value
      headers.push(name, value)
    }
    // A request without Host is served with the service's own address (see server.ts): Flask sees the same.
    if (host === null) {
      host = requestUrl().host
      headers.push('Host', host)
    }
    const clientAddress = socket?.remoteAddress
    const proto = (socket as { encrypted?: boolean } | undefined)?.encrypted
      ? 'https'
      : incoming !== null
        ? 'http'
        : requestUrl().protocol.replace(/:$/, '')
    const chain = (name: (typeof FORWARDED)[number], value: string | undefined): void => {
      const values = [...forwarded[name], ...(value ? [value] : [])]
      if (values.length > 0) headers.push(FORWARDED_NAMES[name], values.join(', '))
    }
    chain('x-forwarded-for', clientAddress)
    chain('x-forwarded-proto', proto)
    chain('x-forwarded-host', host)

    let body: Readable | null = null
    if (given !== undefined) {
      // A body already read (shadow mode): sent as it is, the client's framing headers kept.
      if (given.body !== null && given.body.length > 0) body = Readable.from([given.body])
    } else if (incoming !== null) {
      if (chunked || (contentLength !== null && contentLength.trim() !== '0')) body = incoming
    } else if (web !== null && web.body !== null && !['GET', 'HEAD'].includes(method)) {
      body = Readable.fromWeb(web.body as import('node:stream/web').ReadableStream)
      if (contentLength === null) chunked = true
    }
    // Node frames the body again: chunked when the client sent it so (or its length is unknown).
    if (body !== null && chunked && contentLength === null)
      headers.push('Transfer-Encoding', 'chunked')
    return { method, path: `${this.basePath}${target}`, headers, body }
  }

  /** Sends the request; resolves with Flask's response head, rejects before it (refused, reset, timed out). */
  private send(
    outbound: Outbound,
    outgoing: ServerResponse | null,
    retried = false,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      let settled = false
      let request: ClientRequest
      const fail = (error: SystemError): void => {
        if (settled) return
        settled = true
        // A keep-alive connection the Flask app closed as it was reused: once more on a new one, when nothing was sent that matters.
        if (
          !retried &&
          outbound.body === null &&
          IDEMPOTENT.has(outbound.method) &&
          request.reusedSocket &&
          ['ECONNRESET', 'EPIPE'].includes(error.code ?? '')
        ) {
          this.send(outbound, outgoing, true).then(resolve, reject)
          return
        }
        reject(error)
      }
      try {
        request = this.request({
          protocol: this.url.protocol,
          hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
          port: this.url.port || (this.url.protocol === 'https:' ? 443 : 80),
          method: outbound.method,
          path: outbound.path,
          headers: outbound.headers,
          agent: this.agent,
        })
      } catch (error) {
        reject(error)
        return
      }
      request.setTimeout(this.timeoutMs, () =>
        request.destroy(new LegacyTimeout(`no answer within ${this.timeoutMs} ms`)),
      )
      request.on('error', fail)
      request.on('response', (response) => {
        if (settled) {
          response.destroy()
          return
        }
        settled = true
        // After the head: a stall or a broken connection ends the client's response too.
        response.on('error', () => {})
        resolve(response)
      })
      // The client went away before the answer: so does the request to Flask.
      outgoing?.once('close', () => {
        if (!outgoing.writableFinished) request.destroy()
      })
      if (outbound.body === null) request.end()
      else {
        const body = outbound.body
        body.on('error', () => request.destroy())
        body.on('aborted', () => request.destroy())
        body.pipe(request)
      }
    })
  }
}

/** Flask's response headers, flat, without hop-by-hop ones (Node's server frames the body again). */
function responseHeaders(raw: string[]): string[] {
  const connectionTokens = new Set<string>()
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'connection')
      raw[i + 1]!.split(',').forEach((token) => connectionTokens.add(token.trim().toLowerCase()))
  }
  const headers: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase()
    if (HOP_BY_HOP.has(lower) || connectionTokens.has(lower)) continue
    headers.push(raw[i]!, raw[i + 1]!)
  }
  return headers
}
