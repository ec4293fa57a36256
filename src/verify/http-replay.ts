import { request as httpRequest } from 'node:http'
import { CookieJar } from 'tough-cookie'

/** A request as the scenario format sends it (already encoded: `${NAME}` substituted, body bytes). */
export interface OutgoingRequest {
  method: string
  /** The request target, sent unchanged. */
  path: string
  /** In order; `User-Agent` and the body's content type already among them. */
  headers: [string, string][]
  /** null: no body (and no Content-Length). */
  body: Buffer | null
}

/** What came back, as received: header pairs in order (a repeated header appears twice), the body's bytes. */
export interface RawResponse {
  status: number
  headers: [string, string][]
  body: Buffer
}

/**
 * The service side of a replay, as difftest.py's HTTPSide: one connection per request, its own
 * cookie jar, redirects not followed, and nothing added to the request beyond `Host`,
 * `Content-Length` (when there is a body) and `Cookie` (from the jar): no `Connection`, no
 * `Accept-Encoding`, no default `Accept` or `User-Agent`.
 *
 * Hand-written on node:http on purpose: the requests must reach the service byte for byte as
 * difftest.py sends them to Werkzeug, and fetch (undici) or an HTTP client package adds headers,
 * decodes bodies or normalises the target on the way.
 *
 * The jar is tough-cookie (RFC 6265: domain and path matching, Max-Age and Expires, a cleared
 * cookie dropped), set up as Python's http.cookiejar behaves over plain HTTP, which is what
 * difftest.py and Flask's test client use: a `Secure` cookie is stored but not sent over http,
 * even to 127.0.0.1.
 */
export class HttpSide {
  private readonly jar = new CookieJar(undefined, { allowSecureOnLocal: false, enforceSecureOriginOnStorage: false })
  private readonly base: URL

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.base = new URL(baseUrl)
  }

  async send(request: OutgoingRequest): Promise<RawResponse> {
    const url = `${this.base.origin}${request.path}`
    const headers = new Map<string, [string, string]>()
    const set = (name: string, value: string): void => void headers.set(name.toLowerCase(), [name, value])
    for (const [name, value] of request.headers) set(name, value)
    const cookie = await this.cookieHeader(url)
    if (cookie !== '') set('Cookie', cookie)
    if (request.body !== null) set('Content-Length', String(request.body.length))
    const response = await exchange(this.base, request, [...headers.values()], this.timeoutMs)
    for (const [name, value] of response.headers) {
      if (name.toLowerCase() === 'set-cookie') await this.jar.setCookie(value, url, { ignoreError: true })
    }
    return response
  }

  private async cookieHeader(url: string): Promise<string> {
    try {
      return await this.jar.getCookieString(url)
    } catch {
      return '' // a request target that is not a URL path (`*`): no cookie applies
    }
  }
}

function exchange(base: URL, request: OutgoingRequest, headers: [string, string][], timeoutMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({
      host: base.hostname,
      port: base.port === '' ? 80 : Number(base.port),
      method: request.method,
      path: request.path,
      agent: false,
    })
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)))
    outgoing.on('error', reject)
    outgoing.on('response', (incoming) => {
      const chunks: Buffer[] = []
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
      incoming.on('error', reject)
      incoming.on('end', () => {
        const raw = incoming.rawHeaders
        const pairs: [string, string][] = []
        for (let index = 0; index + 1 < raw.length; index += 2) pairs.push([raw[index]!, raw[index + 1]!])
        resolve({ status: incoming.statusCode ?? 0, headers: pairs, body: Buffer.concat(chunks) })
      })
    })
    try {
      for (const [name, value] of headers) outgoing.setHeader(name, value)
    } catch (error) {
      outgoing.destroy()
      reject(error as Error) // a header value Node refuses to send (a character outside Latin-1)
      return
    }
    // Python's http.client sends no Connection header; the connection serves this request only.
    outgoing.removeHeader('Connection')
    if (request.body === null) {
      // Node would add `Content-Length: 0` (or chunked encoding) to a POST without a body.
      outgoing.removeHeader('Content-Length')
      outgoing.removeHeader('Transfer-Encoding')
      outgoing.end()
    } else {
      outgoing.end(request.body)
    }
  })
}
