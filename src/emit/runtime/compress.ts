/**
 * Flask-Compress 1.4 on Hono (Debian's python3-flask-compress 1.4.0 is the oracle:
 * test/runtime/compress-talisman.test.ts): the after-request hook `init_app` registers. A response
 * is gzipped at `COMPRESS_LEVEL` when its mimetype is in `COMPRESS_MIMETYPES`, the request's
 * `Accept-Encoding` contains `gzip`, its status is 2xx, its `Content-Length` (when it has one) is
 * at least `COMPRESS_MIN_SIZE` and it has no `Content-Encoding` yet; it then gets
 * `Content-Encoding: gzip`, the compressed `Content-Length` and `Accept-Encoding` added to `Vary`.
 * Hono's `hono/compress` is not used: it has other thresholds and types, and drops Content-Length.
 */
import { gzipSync } from 'node:zlib'
import type { Context } from 'hono'
import { appConfigValue, type FlaskResponse, registerAppHooks } from './flask.js'

const DEFAULTS: Record<string, unknown> = {
  COMPRESS_MIMETYPES: [
    'text/html',
    'text/css',
    'text/xml',
    'application/json',
    'application/javascript',
  ],
  COMPRESS_LEVEL: 6,
  COMPRESS_MIN_SIZE: 500,
  COMPRESS_REGISTER: true,
}

function setting(key: string): unknown {
  const value = appConfigValue(key)
  return value === undefined ? DEFAULTS[key] : value
}

/** Flask-Compress's `Compress`: its settings are the app's config. */
export class Compress {
  /** The after-request hook: gzips the response when Flask-Compress would. */
  readonly afterRequest = async (c: Context, response: FlaskResponse): Promise<FlaskResponse> => {
    const mimetypes = setting('COMPRESS_MIMETYPES') as string[]
    const acceptEncoding = c.req.header('Accept-Encoding') ?? ''
    const length = response.headers.get('Content-Length')
    if (
      !mimetypes.includes(response.mimetype ?? '') ||
      !acceptEncoding.toLowerCase().includes('gzip') ||
      response.status_code < 200 ||
      response.status_code >= 300 ||
      (length !== null && Number(length) < Number(setting('COMPRESS_MIN_SIZE'))) ||
      response.headers.has('Content-Encoding')
    )
      return response
    await response.load()
    const body = response.get_data() as Uint8Array
    response.set_data(gzipSync(body, { level: Number(setting('COMPRESS_LEVEL')) }))
    response.headers.set('Content-Encoding', 'gzip')
    const vary = response.headers.get('Vary')
    if (vary) {
      if (!vary.toLowerCase().includes('accept-encoding'))
        response.headers.set('Vary', `${vary}, Accept-Encoding`)
    } else response.headers.set('Vary', 'Accept-Encoding')
    return response
  }
}

/** Flask-Compress's `compress.init_app(app)`: registers its after-request hook when COMPRESS_REGISTER and COMPRESS_MIMETYPES say so. */
export function initCompress(compress: Compress): void {
  const mimetypes = setting('COMPRESS_MIMETYPES') as unknown[] | null
  if (setting('COMPRESS_REGISTER') && mimetypes && mimetypes.length > 0)
    registerAppHooks({ after: compress.afterRequest })
}
