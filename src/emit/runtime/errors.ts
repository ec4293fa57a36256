/**
 * Werkzeug 2.2's HTTP exceptions (`werkzeug.exceptions`, `werkzeug.routing.RequestRedirect`)
 * with their exact default pages, and `abort` with Werkzeug's code → class mapping.
 * Copied verbatim into every generated service as `src/lib/errors.ts`.
 */
import { Exception, LookupError } from './exceptions.js'
import { PyDict } from './py.js'

/** `werkzeug.http.HTTP_STATUS_CODES`: the reason phrase Werkzeug shows for a code. */
export const HTTP_STATUS_CODES: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  102: 'Processing',
  103: 'Early Hints',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi Status',
  208: 'Already Reported',
  226: 'IM Used',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  306: 'Switch Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  414: 'Request URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Requested Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Entity',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  449: 'Retry With',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  510: 'Not Extended',
  511: 'Network Authentication Failed',
}

/** `werkzeug.http.HTTP_STATUS_CODES` as the project's code reads it: a dict from code to reason phrase. */
export const httpStatusCodes = new PyDict(
  Object.entries(HTTP_STATUS_CODES).map(([code, phrase]) => [Number(code), phrase]),
)

/** markupsafe's `escape`. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/>/g, '&gt;')
    .replace(/</g, '&lt;')
    .replace(/'/g, '&#39;')
    .replace(/"/g, '&#34;')
}

const HTML_CONTENT_TYPE = 'text/html; charset=utf-8'

/** Wraps a web Response as flask.ts's FlaskResponse, which this module cannot import (flask.ts imports it). */
let asWerkzeugResponse: ((response: Response) => unknown) | null = null

/** Called by flask.ts: `get_response()` gives a FlaskResponse. */
export function useWerkzeugResponse(wrap: (response: Response) => unknown): void {
  asWerkzeugResponse = wrap
}

/**
 * `werkzeug.exceptions.HTTPException`. `code` and the default `description` are per class
 * (static `code` / `defaultDescription`), as Werkzeug's class attributes are. `name` is the
 * status name ("Not Found"), as Werkzeug's `name` property; the class name stays `constructor.name`.
 */
export class HTTPException extends Exception {
  static readonly code: number | null = null
  static readonly defaultDescription: string | null = null

  readonly code: number | null
  description: string | null
  /** A response given to the exception (`abort(response)`), returned as is by `getResponse`. */
  readonly response: Response | null

  constructor(description?: string | null, response?: Response | null) {
    super()
    const cls = new.target as typeof HTTPException
    this.code = cls.code
    this.description = description ?? cls.defaultDescription
    this.response = response ?? null
    this.name = HTTP_STATUS_CODES[this.code ?? -1] ?? 'Unknown Error'
    this.message = this.toString()
  }

  /** `get_description()`: the escaped description in a paragraph, newlines as `<br>`. */
  getDescription(): string {
    return `<p>${escapeHtml(this.description ?? '').replace(/\n/g, '<br>')}</p>`
  }

  /** `get_body()`: Werkzeug's default HTML page. */
  getBody(): string {
    const name = escapeHtml(this.name)
    return (
      '<!doctype html>\n' +
      '<html lang=en>\n' +
      `<title>${this.code} ${name}</title>\n` +
      `<h1>${name}</h1>\n` +
      `${this.getDescription()}\n`
    )
  }

  /** `get_headers()`, in Werkzeug's order. */
  getHeaders(): [string, string][] {
    return [['Content-Type', HTML_CONTENT_TYPE]]
  }

  /** `get_response()`: the given response, or the default page with this exception's status. */
  getResponse(): Response {
    if (this.response !== null) return this.response
    const headers = new Headers()
    for (const [key, value] of this.getHeaders()) headers.append(key, value)
    return new Response(this.getBody(), { status: this.code ?? 500, headers })
  }

  /**
   * Python's `e.get_response()`: a Werkzeug response an error handler may change (`.data`,
   * `.content_type`, `.headers`), as a FlaskResponse (see `useWerkzeugResponse`).
   */
  get_response(_environ: unknown = null): unknown {
    const response = this.getResponse()
    return asWerkzeugResponse === null ? response : asWerkzeugResponse(response)
  }

  /** Python's `str(e)`: `404 Not Found: <description>`. */
  override toString(): string {
    return `${this.code ?? '???'} ${this.name}: ${this.description ?? 'None'}`
  }
}

export class BadRequest extends HTTPException {
  static override readonly code: number | null = 400
  static override readonly defaultDescription: string | null =
    'The browser (or proxy) sent a request that this server could not understand.'
}

/** `werkzeug.exceptions.Unauthorized`; each `wwwAuthenticate` value becomes one `WWW-Authenticate` header. */
export class Unauthorized extends HTTPException {
  static override readonly code: number | null = 401
  static override readonly defaultDescription: string | null =
    "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required."
  readonly wwwAuthenticate: string[] | null
  constructor(
    description?: string | null,
    response?: Response | null,
    wwwAuthenticate?: string | string[] | null,
  ) {
    super(description, response)
    this.wwwAuthenticate =
      wwwAuthenticate == null
        ? null
        : Array.isArray(wwwAuthenticate)
          ? wwwAuthenticate
          : [wwwAuthenticate]
  }
  override getHeaders(): [string, string][] {
    const headers = super.getHeaders()
    for (const value of this.wwwAuthenticate ?? []) headers.push(['WWW-Authenticate', value])
    return headers
  }
}

export class Forbidden extends HTTPException {
  static override readonly code: number | null = 403
  static override readonly defaultDescription: string | null =
    "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server."
}

export class NotFound extends HTTPException {
  static override readonly code: number | null = 404
  static override readonly defaultDescription: string | null =
    'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.'
}

/** `werkzeug.exceptions.MethodNotAllowed`: `validMethods` become the `Allow` header. */
export class MethodNotAllowed extends HTTPException {
  static override readonly code: number | null = 405
  static override readonly defaultDescription: string | null =
    'The method is not allowed for the requested URL.'
  readonly validMethods: string[] | null
  constructor(
    validMethods?: Iterable<string> | null,
    description?: string | null,
    response?: Response | null,
  ) {
    super(description, response)
    this.validMethods = validMethods == null ? null : [...validMethods]
  }
  /** Werkzeug's name for it, as translated code reads it (`error.valid_methods`). */
  get valid_methods(): string[] | null {
    return this.validMethods
  }
  override getHeaders(): [string, string][] {
    const headers = super.getHeaders()
    if (this.validMethods && this.validMethods.length > 0)
      headers.push(['Allow', this.validMethods.join(', ')])
    return headers
  }
}

export class NotAcceptable extends HTTPException {
  static override readonly code: number | null = 406
  static override readonly defaultDescription: string | null =
    'The resource identified by the request is only capable of generating response entities which have content characteristics not acceptable according to the accept headers sent in the request.'
}

export class RequestTimeout extends HTTPException {
  static override readonly code: number | null = 408
  static override readonly defaultDescription: string | null =
    "The server closed the network connection because the browser didn't finish the request within the specified time."
}

export class Conflict extends HTTPException {
  static override readonly code: number | null = 409
  static override readonly defaultDescription: string | null =
    'A conflict happened while processing the request. The resource might have been modified while the request was being processed.'
}

export class Gone extends HTTPException {
  static override readonly code: number | null = 410
  static override readonly defaultDescription: string | null =
    'The requested URL is no longer available on this server and there is no forwarding address. If you followed a link from a foreign page, please contact the author of this page.'
}

export class LengthRequired extends HTTPException {
  static override readonly code: number | null = 411
  static override readonly defaultDescription: string | null =
    'A request with this method requires a valid <code>Content-Length</code> header.'
}

export class PreconditionFailed extends HTTPException {
  static override readonly code: number | null = 412
  static override readonly defaultDescription: string | null =
    'The precondition on the request for the URL failed positive evaluation.'
}

export class RequestEntityTooLarge extends HTTPException {
  static override readonly code: number | null = 413
  static override readonly defaultDescription: string | null =
    'The data value transmitted exceeds the capacity limit.'
}

export class RequestURITooLarge extends HTTPException {
  static override readonly code: number | null = 414
  static override readonly defaultDescription: string | null =
    'The length of the requested URL exceeds the capacity limit for this server. The request cannot be processed.'
}

export class UnsupportedMediaType extends HTTPException {
  static override readonly code: number | null = 415
  static override readonly defaultDescription: string | null =
    'The server does not support the media type transmitted in the request.'
}

/** `werkzeug.exceptions.RequestedRangeNotSatisfiable`: `length` gives `Content-Range: <units> *\/<length>`. */
export class RequestedRangeNotSatisfiable extends HTTPException {
  static override readonly code: number | null = 416
  static override readonly defaultDescription: string | null =
    'The server cannot provide the requested range.'
  readonly length: number | string | null
  readonly units: string
  constructor(
    length?: number | string | null,
    units = 'bytes',
    description?: string | null,
    response?: Response | null,
  ) {
    super(description, response)
    this.length = length ?? null
    this.units = units
  }
  override getHeaders(): [string, string][] {
    const headers = super.getHeaders()
    if (this.length !== null) headers.push(['Content-Range', `${this.units} */${this.length}`])
    return headers
  }
}

export class ExpectationFailed extends HTTPException {
  static override readonly code: number | null = 417
  static override readonly defaultDescription: string | null =
    'The server could not meet the requirements of the Expect header'
}

export class ImATeapot extends HTTPException {
  static override readonly code: number | null = 418
  static override readonly defaultDescription: string | null =
    'This server is a teapot, not a coffee machine'
}

export class UnprocessableEntity extends HTTPException {
  static override readonly code: number | null = 422
  static override readonly defaultDescription: string | null =
    'The request was well-formed but was unable to be followed due to semantic errors.'
}

export class Locked extends HTTPException {
  static override readonly code: number | null = 423
  static override readonly defaultDescription: string | null =
    'The resource that is being accessed is locked.'
}

export class FailedDependency extends HTTPException {
  static override readonly code: number | null = 424
  static override readonly defaultDescription: string | null =
    'The method could not be performed on the resource because the requested action depended on another action and that action failed.'
}

export class PreconditionRequired extends HTTPException {
  static override readonly code: number | null = 428
  static override readonly defaultDescription: string | null =
    'This request is required to be conditional; try using "If-Match" or "If-Unmodified-Since".'
}

/** Werkzeug's `_RetryAfter`: a number of seconds or a date becomes `Retry-After`. */
abstract class RetryAfter extends HTTPException {
  readonly retryAfter: number | Date | null
  constructor(
    description?: string | null,
    response?: Response | null,
    retryAfter?: number | Date | null,
  ) {
    super(description, response)
    this.retryAfter = retryAfter ?? null
  }
  override getHeaders(): [string, string][] {
    const headers = super.getHeaders()
    if (this.retryAfter instanceof Date)
      headers.push(['Retry-After', this.retryAfter.toUTCString()])
    else if (this.retryAfter) headers.push(['Retry-After', String(this.retryAfter)])
    return headers
  }
}

export class TooManyRequests extends RetryAfter {
  static override readonly code: number | null = 429
  static override readonly defaultDescription: string | null =
    'This user has exceeded an allotted request count. Try again later.'
}

export class RequestHeaderFieldsTooLarge extends HTTPException {
  static override readonly code: number | null = 431
  static override readonly defaultDescription: string | null =
    'One or more header fields exceeds the maximum size.'
}

export class UnavailableForLegalReasons extends HTTPException {
  static override readonly code: number | null = 451
  static override readonly defaultDescription: string | null = 'Unavailable for legal reasons.'
}

/** `werkzeug.exceptions.InternalServerError`; `originalException` is what Flask wraps for an unhandled error. */
export class InternalServerError extends HTTPException {
  static override readonly code: number | null = 500
  static override readonly defaultDescription: string | null =
    'The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.'
  readonly originalException: unknown
  constructor(
    description?: string | null,
    response?: Response | null,
    originalException?: unknown,
  ) {
    super(description, response)
    this.originalException = originalException ?? null
  }
  /** Flask's name for it (`error.original_exception` in a 500 handler). */
  get original_exception(): unknown {
    return this.originalException
  }
}

/** Werkzeug's `NotImplemented` (501). */
export class NotImplemented extends HTTPException {
  static override readonly code: number | null = 501
  static override readonly defaultDescription: string | null =
    'The server does not support the action requested by the browser.'
}

export class BadGateway extends HTTPException {
  static override readonly code: number | null = 502
  static override readonly defaultDescription: string | null =
    'The proxy server received an invalid response from an upstream server.'
}

export class ServiceUnavailable extends RetryAfter {
  static override readonly code: number | null = 503
  static override readonly defaultDescription: string | null =
    'The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.'
}

export class GatewayTimeout extends HTTPException {
  static override readonly code: number | null = 504
  static override readonly defaultDescription: string | null =
    'The connection to an upstream server timed out.'
}

export class HTTPVersionNotSupported extends HTTPException {
  static override readonly code: number | null = 505
  static override readonly defaultDescription: string | null =
    'The server does not support the HTTP protocol version used in the request.'
}

// Characters `iri_to_uri` keeps: Werkzeug's `_always_safe` plus `_to_uri_safe`.
const URI_SAFE = /[A-Za-z0-9\-._~$!'()*+,;:/?#[\]@&=%]/

/** `iri_to_uri(location, safe_conversion=True)` as `redirect()` applies it to `Location`. */
function iriToUri(location: string): string {
  // eslint-disable-next-line no-control-regex
  if (
    /^[\x00-\x7f]*$/.test(location) &&
    location.split(/[ \t\n\r\x0b\x0c]+/).filter((p) => p !== '').length === 1
  ) {
    return location
  }
  let out = ''
  for (const char of location) {
    if (URI_SAFE.test(char)) out += char
    else
      for (const byte of new TextEncoder().encode(char))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** `werkzeug.utils.redirect(location, code)`: the redirect page and `Location`. */
export function redirectResponse(location: string, code = 302): Response {
  const display = escapeHtml(location)
  const uri = iriToUri(location)
  const body =
    '<!doctype html>\n' +
    '<html lang=en>\n' +
    '<title>Redirecting...</title>\n' +
    '<h1>Redirecting...</h1>\n' +
    '<p>You should be redirected automatically to the target URL: ' +
    `<a href="${escapeHtml(uri)}">${display}</a>. If not, click the link.\n`
  return new Response(body, {
    status: code,
    headers: { 'Content-Type': HTML_CONTENT_TYPE, Location: uri },
  })
}

/** `werkzeug.routing.RequestRedirect`: 308 to `newUrl` (absolute), raised by routing. */
export class RequestRedirect extends HTTPException {
  static override readonly code: number | null = 308
  readonly newUrl: string
  constructor(newUrl: string) {
    super(newUrl)
    this.newUrl = newUrl
  }
  override getResponse(): Response {
    return redirectResponse(this.newUrl, this.code ?? 308)
  }
}

type HTTPExceptionClass = new (description?: string | null) => HTTPException

/** `werkzeug.exceptions.default_exceptions`: the classes `abort` knows, by code. */
export const defaultExceptions: ReadonlyMap<number, HTTPExceptionClass> = new Map<
  number,
  HTTPExceptionClass
>([
  [400, BadRequest],
  [401, Unauthorized],
  [403, Forbidden],
  [404, NotFound],
  [405, MethodNotAllowed as unknown as HTTPExceptionClass],
  [406, NotAcceptable],
  [408, RequestTimeout],
  [409, Conflict],
  [410, Gone],
  [411, LengthRequired],
  [412, PreconditionFailed],
  [413, RequestEntityTooLarge],
  [414, RequestURITooLarge],
  [415, UnsupportedMediaType],
  [416, RequestedRangeNotSatisfiable as unknown as HTTPExceptionClass],
  [417, ExpectationFailed],
  [418, ImATeapot],
  [422, UnprocessableEntity],
  [423, Locked],
  [424, FailedDependency],
  [428, PreconditionRequired],
  [429, TooManyRequests],
  [431, RequestHeaderFieldsTooLarge],
  [451, UnavailableForLegalReasons],
  [500, InternalServerError],
  [501, NotImplemented],
  [502, BadGateway],
  [503, ServiceUnavailable],
  [504, GatewayTimeout],
  [505, HTTPVersionNotSupported],
])

/**
 * Flask's `abort(code, description)`: throws the exception class Werkzeug maps the code to, or
 * `HTTPException(response=...)` for a `Response`; an unknown code throws `LookupError` as Werkzeug does.
 */
export function abort(status: number | Response, description?: string): never {
  if (status instanceof Response) throw new HTTPException(null, status)
  const cls = defaultExceptions.get(status)
  if (cls === undefined) throw new LookupError(`no exception for ${status}`)
  // Werkzeug passes the positional argument on as is: for 405 it is `valid_methods` (a string's
  // characters end up in `Allow`), for 416 `length`; the default description stays.
  if (cls === (MethodNotAllowed as unknown)) throw new MethodNotAllowed(description)
  if (cls === (RequestedRangeNotSatisfiable as unknown))
    throw new RequestedRangeNotSatisfiable(description)
  throw new cls(description)
}
