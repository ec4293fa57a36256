/**
 * Shadow mode for an incremental migration (copied to `src/lib/shadow.ts`), as GitHub's Scientist
 * runs an experiment: with `SHADOW=1` and `LEGACY_URL` set, a request to a route the service serves
 * natively is answered by the Flask app (the control), and, when sampled, also run here (the
 * candidate); the two answers are compared with the rules of `migrate verify` (`./compare.js`) and
 * the client always gets Flask's.
 *
 * - Only safe methods (GET, HEAD, OPTIONS) run here too, unless `SHADOW_WRITES=1`: a write would
 *   otherwise happen twice on shared state. Other requests go to the Flask app alone.
 * - `SHADOW_SAMPLE` (0 to 1, default 1): the share of requests compared; the others only go to Flask.
 * - Noise is learned as Twitter's Diffy does: a safe request is sent to the Flask app twice, and
 *   what differs between those two answers (a timestamp, a request id) is noise for that endpoint
 *   from then on: masked before every comparison, listed, never counted as a difference.
 * - Each request that differs is one JSON line on stdout:
 *   `{"shadow":"difference","endpoint","request":{"method","path"},"fields":[{"field","legacy","service"}]}`.
 * - `GET /__migrate/shadow` with `MIGRATE_ADMIN=1` answers the counts per endpoint.
 * - The session cookie is compared by payload when `SECRET_KEY` is in the environment (its
 *   signature checked with it), by name otherwise. Native answers are read whole: an endless
 *   stream must not be shadowed.
 */
import type { Context, Next } from 'hono'
import {
  compareObservations,
  decodeFlaskSessionCookie,
  mask,
  noiseBetween,
  observe,
  showPair,
  type Observation,
  type SessionCodec,
} from './compare.js'

/** The admin route of the shadow counts (only with `MIGRATE_ADMIN=1`). */
export const ADMIN_SHADOW_PATH = '/__migrate/shadow'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export interface ShadowSettings {
  enabled: boolean
  /** Unsafe methods run on both sides too. */
  writes: boolean
  /** The share of requests compared, 0 to 1. */
  sample: number
}

/** `SHADOW`, `SHADOW_WRITES`, `SHADOW_SAMPLE`; a malformed sample stops the service at start-up. */
export function shadowSettingsFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): ShadowSettings {
  const sample =
    env.SHADOW_SAMPLE === undefined || env.SHADOW_SAMPLE.trim() === ''
      ? 1
      : Number(env.SHADOW_SAMPLE)
  if (!Number.isFinite(sample) || sample < 0 || sample > 1) {
    throw new Error(
      `SHADOW_SAMPLE must be a number from 0 to 1, not ${JSON.stringify(env.SHADOW_SAMPLE)}`,
    )
  }
  return { enabled: env.SHADOW === '1', writes: env.SHADOW_WRITES === '1', sample }
}

/** A response read whole: header pairs in order (each Set-Cookie apart), the body's bytes. */
export interface BufferedResponse {
  status: number
  statusMessage: string
  headers: [string, string][]
  body: Buffer
}

/** Sends the request to the Flask app, with this body; a Response when it failed (502, 504). */
export type LegacyExchange = (body: Buffer | null) => Promise<BufferedResponse | Response>

interface EndpointState {
  compared: number
  differing: number
  /** Differing requests per field (`status`, `body`, `Set-Cookie session (decoded session)`, …). */
  fields: Map<string, number>
  /** Learned noise: volatile entries (`json.at`, `headers.x-request-id`, `body`). */
  noise: Set<string>
}

/** What `GET /__migrate/shadow` answers. */
export interface ShadowCounts {
  settings: ShadowSettings
  /** Requests to native routes seen in shadow mode. */
  requests: number
  /** Of those, compared (sampled, and safe or with SHADOW_WRITES). */
  compared: number
  differing: number
  /** Native answers that could not be read (already streamed to the client). */
  skipped: number
  endpoints: Record<
    string,
    { compared: number; differing: number; fields: Record<string, number>; noise: string[] }
  >
}

function sessionCodec(env: NodeJS.ProcessEnv): SessionCodec {
  const secret = env.SECRET_KEY
  return {
    name: env.SESSION_COOKIE_NAME || 'session',
    decode: secret ? (value: string) => decodeFlaskSessionCookie(value, secret) : null,
  }
}

async function nativeAnswer(response: Response): Promise<BufferedResponse | null> {
  if (response.headers.get('x-hono-already-sent') !== null) return null
  const headers: [string, string][] = []
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers.push([name, value])
  })
  for (const cookie of response.headers.getSetCookie()) headers.push(['set-cookie', cookie])
  const body = response.body === null ? Buffer.alloc(0) : Buffer.from(await response.arrayBuffer())
  return { status: response.status, statusMessage: response.statusText, headers, body }
}

function sorted(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** The experiment runner: one per service, its counts in memory. */
export class Shadow {
  private readonly endpoints = new Map<string, EndpointState>()
  private requests = 0
  private compared = 0
  private differing = 0
  private skipped = 0
  private readonly session: SessionCodec

  constructor(
    readonly settings: ShadowSettings,
    env: NodeJS.ProcessEnv = process.env,
    private readonly log: (line: string) => void = (line) => void process.stdout.write(`${line}\n`),
    private readonly random: () => number = Math.random,
  ) {
    this.session = sessionCodec(env)
  }

  /** Whether this request runs here too (safe or SHADOW_WRITES, and sampled); counts it. */
  takes(method: string): boolean {
    this.requests += 1
    if (!SAFE_METHODS.has(method) && !this.settings.writes) return false
    return this.settings.sample >= 1 || this.random() < this.settings.sample
  }

  /**
   * Runs one request on both sides: the Flask app's answer (`legacy`), the native one (`next`),
   * for a safe method the Flask app's second answer to learn noise; compares, logs, counts.
   * Resolves with the Flask app's answer, which the client gets.
   */
  async run(
    c: Context,
    next: Next,
    endpoint: string,
    legacy: LegacyExchange,
  ): Promise<BufferedResponse | Response> {
    const method = c.req.method
    const safe = SAFE_METHODS.has(method)
    const body = safe ? null : Buffer.from(await c.req.raw.clone().arrayBuffer())
    const control = await legacy(body)
    if (control instanceof Response) return control // Flask failed: nothing to compare with
    await next()
    const candidate = await nativeAnswer(c.res)
    if (candidate === null) {
      this.skipped += 1
      return control
    }
    const state = this.endpoint(endpoint)
    const reference = this.observe(control, method)
    if (safe) {
      const again = await legacy(null)
      if (!(again instanceof Response))
        for (const entry of noiseBetween(reference, this.observe(again, method)))
          state.noise.add(entry)
    }
    const noise = [...state.noise]
    const { differences } = compareObservations(
      mask(reference, noise),
      mask(this.observe(candidate, method), noise),
      method,
    )
    this.compared += 1
    state.compared += 1
    if (differences.length > 0) {
      this.differing += 1
      state.differing += 1
      for (const [field] of differences) state.fields.set(field, (state.fields.get(field) ?? 0) + 1)
      const url = new URL(c.req.url)
      this.log(
        JSON.stringify({
          shadow: 'difference',
          endpoint,
          request: { method, path: `${url.pathname}${url.search}` },
          fields: differences.map(([field, legacyValue, serviceValue]) => {
            const [shownLegacy, shownService] = showPair(legacyValue, serviceValue)
            return { field, legacy: shownLegacy, service: shownService }
          }),
        }),
      )
    }
    return control
  }

  /** The counts, for `GET /__migrate/shadow`. */
  counts(): ShadowCounts {
    const endpoints: ShadowCounts['endpoints'] = {}
    for (const name of sorted(this.endpoints.keys())) {
      const state = this.endpoints.get(name)!
      endpoints[name] = {
        compared: state.compared,
        differing: state.differing,
        fields: Object.fromEntries(
          sorted(state.fields.keys()).map((field) => [field, state.fields.get(field)!]),
        ),
        noise: sorted(state.noise),
      }
    }
    return {
      settings: this.settings,
      requests: this.requests,
      compared: this.compared,
      differing: this.differing,
      skipped: this.skipped,
      endpoints,
    }
  }

  private endpoint(name: string): EndpointState {
    let state = this.endpoints.get(name)
    if (state === undefined) {
      state = { compared: 0, differing: 0, fields: new Map(), noise: new Set() }
      this.endpoints.set(name, state)
    }
    return state
  }

  private observe(response: BufferedResponse, method: string): Observation {
    return observe(response.status, response.headers, response.body, method, [], this.session)
  }
}
