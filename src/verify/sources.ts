/**
 * Where `migrate verify` takes requests from besides a scenario: a HAR file (what a browser's or a
 * proxy's network panel saves) and an access log in Combined Log Format (nginx's and gunicorn's
 * default). Both become request lines of the scenario format (../shared/README.md).
 */
import type { Outcome } from './flask-side.js'

/** A request line of the scenario format. */
export interface ScenarioLine {
  method: string
  path: string
  headers?: Record<string, string>
  body?: string
  form?: Record<string, string>
}

/**
 * Request headers a HAR records that a replay must not send as recorded: what the HTTP client sets
 * itself (Host, Content-Length, HTTP/2 pseudo-headers), connection-level ones, Cookie (each side
 * keeps its own cookie jar, as a browser would: the recorded cookies belong to the recorded
 * server) and Accept-Encoding (the format compares gzip bodies decoded, not brotli).
 */
const HAR_DROPPED_HEADERS = new Set([
  'host',
  'content-length',
  'cookie',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'upgrade',
  'accept-encoding',
])

/** The request target of a URL: path and query as written (already percent-encoded), scheme, host and fragment dropped. */
export function requestTarget(url: string): string {
  const withoutFragment = url.split('#')[0]!
  const target = withoutFragment.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?]*/, '')
  if (target === '') return '/'
  return target.startsWith('?') ? `/${target}` : target
}

function originOf(url: string): string | null {
  return /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*)/.exec(url)?.[1]?.toLowerCase() ?? null
}

interface HarEntry {
  request?: {
    method?: unknown
    url?: unknown
    headers?: { name?: unknown; value?: unknown }[]
    postData?: { mimeType?: unknown; text?: unknown; params?: { name?: unknown; value?: unknown }[] }
  }
}

/**
 * The requests of a HAR file, in order, as scenario lines: those to the origin of its first
 * request (a page's requests to CDNs and other sites are left out), with their headers (see
 * HAR_DROPPED_HEADERS) and body.
 */
export function harToScenario(text: string): Outcome<{ lines: ScenarioLine[]; skipped: number }> {
  let har: { log?: { entries?: HarEntry[] } }
  try {
    har = JSON.parse(text) as typeof har
  } catch (error) {
    return { ok: false, message: `HAR file: not JSON (${(error as Error).message})` }
  }
  const entries = har.log?.entries
  if (!Array.isArray(entries)) return { ok: false, message: 'HAR file: no log.entries' }
  const lines: ScenarioLine[] = []
  let origin: string | null = null
  let skipped = 0
  for (const entry of entries) {
    const request = entry.request
    if (typeof request?.method !== 'string' || typeof request.url !== 'string') {
      skipped += 1
      continue
    }
    origin ??= originOf(request.url)
    if (originOf(request.url) !== origin) {
      skipped += 1
      continue
    }
    const headers: Record<string, string> = {}
    const seen = new Map<string, string>()
    for (const header of request.headers ?? []) {
      if (typeof header.name !== 'string' || typeof header.value !== 'string') continue
      const lower = header.name.toLowerCase()
      if (lower.startsWith(':') || HAR_DROPPED_HEADERS.has(lower)) continue
      const name = seen.get(lower) ?? header.name
      seen.set(lower, name)
      headers[name] = name in headers ? `${headers[name]}, ${header.value}` : header.value
    }
    const line: ScenarioLine = { method: request.method.toUpperCase(), path: requestTarget(request.url) }
    const post = request.postData
    if (post !== undefined) {
      if (typeof post.text === 'string') {
        line.body = post.text
      } else if (Array.isArray(post.params)) {
        line.form = Object.fromEntries(post.params.filter((param) => typeof param.name === 'string').map((param) => [param.name as string, String(param.value ?? '')]))
      }
      const hasType = [...seen.keys()].includes('content-type')
      if (!hasType && typeof post.mimeType === 'string' && post.mimeType !== '' && line.body !== undefined) headers['Content-Type'] = post.mimeType
    }
    if (Object.keys(headers).length > 0) line.headers = headers
    lines.push(line)
  }
  return { ok: true, value: { lines, skipped } }
}

/**
 * Combined Log Format (and Common Log Format, without the two quoted fields):
 * `host ident user [time] "METHOD target HTTP/x" status size "referer" "user-agent"`.
 */
const LOG_LINE = /^\S+ \S+ \S+ \[[^\]]*\] "([A-Z]+) (\S+)(?: HTTP\/[0-9.]+)?" \d{3} \S+/

/**
 * The GET and HEAD requests of an access log, in order, as scenario lines (method and target as
 * logged). Other methods are left out (their bodies are not logged), and so are lines that are
 * not in the format; both are counted.
 */
export function accessLogToScenario(text: string): { lines: ScenarioLine[]; skipped: number; malformed: number } {
  const lines: ScenarioLine[] = []
  let skipped = 0
  let malformed = 0
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '') continue
    const match = LOG_LINE.exec(raw)
    if (match === null) {
      malformed += 1
      continue
    }
    const [, method, target] = match
    if (method !== 'GET' && method !== 'HEAD') {
      skipped += 1
      continue
    }
    lines.push({ method: method!, path: requestTarget(target!) })
  }
  return { lines, skipped, malformed }
}
