import type { RecordedResponse, ScenarioRequest } from './compare.js'

interface StoredCookie {
  value: string
  path: string
}

/**
 * The cookies a client keeps between requests, as Flask's test client does in a replay:
 * set by Set-Cookie, dropped by Max-Age<=0 or a past Expires, sent when the path matches.
 */
export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>()

  store(setCookie: string, requestPath: string): void {
    const [pair = '', ...attributes] = setCookie.split(';')
    const separator = pair.indexOf('=')
    if (separator <= 0) return
    const name = pair.slice(0, separator).trim()
    const value = pair.slice(separator + 1).trim()
    let path = defaultCookiePath(requestPath)
    let expired = false
    for (const attribute of attributes) {
      const [key = '', ...rest] = attribute.split('=')
      const attributeValue = rest.join('=').trim()
      switch (key.trim().toLowerCase()) {
        case 'path':
          if (attributeValue.startsWith('/')) path = attributeValue
          break
        case 'max-age':
          if (Number(attributeValue) <= 0) expired = true
          break
        case 'expires': {
          const time = Date.parse(attributeValue)
          if (!Number.isNaN(time) && time <= Date.now()) expired = true
          break
        }
      }
    }
    if (expired) this.cookies.delete(name)
    else this.cookies.set(name, { value, path })
  }

  header(requestPath: string): string | undefined {
    const pathname = requestPath.split('?')[0]!
    const pairs = [...this.cookies]
      .filter(([, cookie]) => pathMatches(pathname, cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
    return pairs.length === 0 ? undefined : pairs.join('; ')
  }
}

function defaultCookiePath(requestPath: string): string {
  const pathname = requestPath.split('?')[0]!
  const lastSlash = pathname.lastIndexOf('/')
  return lastSlash <= 0 ? '/' : pathname.slice(0, lastSlash)
}

function pathMatches(pathname: string, cookiePath: string): boolean {
  if (pathname === cookiePath) return true
  if (!pathname.startsWith(cookiePath)) return false
  return cookiePath.endsWith('/') || pathname[cookiePath.length] === '/'
}

function requestInit(request: ScenarioRequest, jar: CookieJar): RequestInit {
  const headers = new Headers(request.headers ?? {})
  let body: string | undefined
  if (request.json !== undefined) {
    body = pythonJsonText(request.json)
    if (!headers.has('content-type')) headers.set('content-type', 'application/json')
  } else if (request.form !== undefined) {
    const form = new URLSearchParams()
    for (const [key, value] of Object.entries(request.form)) {
      for (const item of Array.isArray(value) ? value : [value]) form.append(key, String(item))
    }
    body = form.toString()
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded')
  } else if (request.body !== undefined) {
    body = request.body
  }
  if (!headers.has('cookie')) {
    const cookie = jar.header(request.path)
    if (cookie) headers.set('cookie', cookie)
  }
  return { method: request.method.toUpperCase(), headers, body, redirect: 'manual' }
}

function decodeBody(bytes: Uint8Array): { body: string; bodyEncoding: 'utf-8' | 'base64' } {
  try {
    return { body: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes), bodyEncoding: 'utf-8' }
  } catch {
    return { body: Buffer.from(bytes).toString('base64'), bodyEncoding: 'base64' }
  }
}

/** Sends the requests in order to `baseUrl` with Node's fetch (no redirect following, cookies kept). */
export async function replayOverHttp(baseUrl: string, requests: ScenarioRequest[]): Promise<RecordedResponse[]> {
  const jar = new CookieJar()
  const responses: RecordedResponse[] = []
  for (const request of requests) {
    const method = request.method.toUpperCase()
    try {
      const response = await fetch(`${baseUrl.replace(/\/$/, "")}${request.path}`, {
        ...requestInit(request, jar),
        signal: AbortSignal.timeout(30_000),
      })
      const headers: [string, string][] = []
      response.headers.forEach((value, name) => {
        if (name !== 'set-cookie') headers.push([name, value])
      })
      for (const cookie of response.headers.getSetCookie()) {
        headers.push(['set-cookie', cookie])
        jar.store(cookie, request.path)
      }
      const bytes = new Uint8Array(await response.arrayBuffer())
      responses.push({ method, path: request.path, status: response.status, headers, ...decodeBody(bytes) })
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code
      responses.push({
        method,
        path: request.path,
        status: 0,
        headers: [],
        body: '',
        bodyEncoding: 'utf-8',
        error: `${(error as Error).message}${cause ? ` (${cause})` : ''}`,
      })
    }
  }
  return responses
}

/**
 * A `json` request body as the Flask side sends it (the test client's `app.json.dumps`: sorted
 * keys, ASCII, `", "` and `": "`), so both sides read the same bytes from `request.data`.
 */
export function pythonJsonText(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'))
  }
  if (Array.isArray(value)) return '[' + value.map(pythonJsonText).join(', ') + ']'
  const keys = Object.keys(value).sort()
  return '{' + keys.map((k) => `${pythonJsonText(k)}: ${pythonJsonText((value as Record<string, unknown>)[k])}`).join(', ') + '}'
}
