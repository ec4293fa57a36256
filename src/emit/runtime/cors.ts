/**
 * Flask-CORS 3 on Hono: `CORS(app_or_blueprint, **options)` as the after-request hook it
 * registers, with Flask-CORS's options (`origins` incl. regexes, `methods`, `allow_headers`,
 * `expose_headers`, `supports_credentials`, `max_age`, `send_wildcard`, `vary_header`,
 * `resources`, `always_send`), the app's `CORS_*` config under them, and its exact headers: the
 * echoed or wildcard `Access-Control-Allow-Origin`, the preflight's `Access-Control-Allow-Methods`
 * / `-Headers` / `-Max-Age` only for an allowed `Access-Control-Request-Method`, and
 * `Vary: Origin` when the answer depends on the origin. Hono's `hono/cors` is not used: it
 * answers preflights itself and orders and filters the headers otherwise.
 */
import type { Context } from 'hono'
import { appConfigValue, type FlaskResponse, request } from './flask.js'
import { PyTimeDelta } from './datetime.js'
import type { Py } from './py.js'

const ACL_ORIGIN = 'Access-Control-Allow-Origin'

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS', 'PUT', 'PATCH', 'DELETE']

const DEFAULT_OPTIONS: Record<string, Py> = {
  origins: '*',
  methods: ALL_METHODS,
  allow_headers: '*',
  expose_headers: null,
  supports_credentials: false,
  max_age: null,
  send_wildcard: false,
  automatic_options: true,
  vary_header: true,
  resources: '/*',
  intercept_exceptions: true,
  always_send: true,
}

const CONFIG_OPTIONS = [
  'CORS_ORIGINS',
  'CORS_METHODS',
  'CORS_ALLOW_HEADERS',
  'CORS_EXPOSE_HEADERS',
  'CORS_SUPPORTS_CREDENTIALS',
  'CORS_MAX_AGE',
  'CORS_SEND_WILDCARD',
  'CORS_AUTOMATIC_OPTIONS',
  'CORS_VARY_HEADER',
  'CORS_RESOURCES',
  'CORS_INTERCEPT_EXCEPTIONS',
  'CORS_ALWAYS_SEND',
]

interface Options {
  origins: string[]
  methods: string | null
  allow_headers: string[]
  expose_headers: string | null
  supports_credentials: boolean
  max_age: string | null
  send_wildcard: boolean
  vary_header: boolean
  always_send: boolean
  resources: Py
}

const REGEX_CHARS = ['*', '\\', ']', '?', '$', '^', '[', '(', ')']

function probablyRegex(value: string): boolean {
  return REGEX_CHARS.some((char) => value.includes(char))
}

function reFix(value: string): string {
  return value === '*' ? '.*' : value
}

/** Python's `re.match` (anchored at the start only); an invalid pattern matches nothing. */
function reMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  try {
    return new RegExp(`^(?:${pattern})`, ignoreCase ? 'iu' : 'u').test(value)
  } catch {
    return false
  }
}

function matchPattern(value: string, pattern: string, caseSensitive: boolean): boolean {
  if (probablyRegex(pattern)) return reMatch(pattern, value, !caseSensitive)
  return caseSensitive ? value === pattern : value.toLowerCase() === pattern.toLowerCase()
}

function matchAny(value: string, patterns: string[], caseSensitive: boolean): boolean {
  return patterns.some((pattern) => matchPattern(value, pattern, caseSensitive))
}

/** Python's sorted() of strings: by code point. */
function sortedStrings(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** Flask-CORS's `flexible_str`: an iterable as its sorted items joined by ', '. */
function flexibleString(value: Py): string | null {
  if (value === null || value === undefined) return null
  if (typeof value !== 'string' && (Array.isArray(value) || value instanceof Set))
    return sortedStrings([...value].map(String)).join(', ')
  return String(value)
}

function iterable(value: Py): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value) || value instanceof Set) return [...value].map(String)
  return [String(value)]
}

/** `get_cors_options`: the defaults, the app's CORS_* config, then each dict given; serialized as Flask-CORS does. */
function corsOptions(...dicts: Record<string, Py>[]): Options {
  const merged: Record<string, Py> = { ...DEFAULT_OPTIONS }
  for (const key of CONFIG_OPTIONS) {
    const value = appConfigValue(key)
    if (value !== undefined && value !== null)
      merged[key.toLowerCase().replace('cors_', '')] = value
  }
  for (const dict of dicts) Object.assign(merged, dict)
  const maxAge = merged['max_age']
  return {
    origins: iterable(merged['origins']).map(reFix),
    allow_headers: iterable(merged['allow_headers']).map(reFix),
    expose_headers: flexibleString(merged['expose_headers']),
    methods: flexibleString(merged['methods'])?.toUpperCase() ?? null,
    supports_credentials: Boolean(merged['supports_credentials']),
    max_age:
      maxAge instanceof PyTimeDelta
        ? String(Math.trunc(Number(maxAge.total_seconds())))
        : flexibleString(maxAge),
    send_wildcard: Boolean(merged['send_wildcard']),
    vary_header: Boolean(merged['vary_header']),
    always_send: Boolean(merged['always_send']),
    resources: merged['resources'],
  }
}

function corsOrigins(options: Options, requestOrigin: string | null): string[] | null {
  const wildcard = options.origins.includes('.*')
  if (requestOrigin) {
    if (wildcard && options.send_wildcard) return ['*']
    if (matchAny(requestOrigin, options.origins, false)) return [requestOrigin]
    return null
  }
  if (options.always_send) {
    if (wildcard) return options.supports_credentials ? null : ['*']
    return sortedStrings(options.origins.filter((origin) => !probablyRegex(origin)))
  }
  return null
}

/** `get_cors_headers`: the headers to add, in Flask-CORS's order, empty values left out. */
function corsHeaders(options: Options, c: Context): [string, string][] {
  const headers = request(c).headers
  const origins = corsOrigins(options, headers.get('Origin'))
  if (!origins || origins.length === 0) return []
  const out: [string, string | null][] = origins.map((origin) => [ACL_ORIGIN, origin])
  out.push(['Access-Control-Expose-Headers', options.expose_headers])
  if (options.supports_credentials) out.push(['Access-Control-Allow-Credentials', 'true'])
  if (c.req.method === 'OPTIONS') {
    const method = (headers.get('Access-Control-Request-Method') ?? '').toUpperCase()
    if (method && (options.methods ?? '').includes(method)) {
      const requested = headers.get('Access-Control-Request-Headers')
      const allow = requested
        ? sortedStrings(
            requested
              .split(',')
              .map((header) => header.trim())
              .filter((header) => matchAny(header, options.allow_headers, false)),
          ).join(', ')
        : null
      out.push(
        ['Access-Control-Allow-Headers', allow],
        ['Access-Control-Max-Age', options.max_age],
        ['Access-Control-Allow-Methods', options.methods],
      )
    }
  }
  if (
    options.vary_header &&
    origins[0] !== '*' &&
    (options.origins.length > 1 || origins.length > 1 || options.origins.some(probablyRegex))
  )
    out.push(['Vary', 'Origin'])
  return out.filter((entry): entry is [string, string] => Boolean(entry[1]))
}

/** `parse_resources`: (pattern, options) pairs, a dict's sorted as Flask-CORS sorts them (most specific first). */
function resourcesOf(resources: Py): [string, Record<string, Py>][] {
  if (resources !== null && typeof resources === 'object' && !Array.isArray(resources)) {
    const entries: [string, Record<string, Py>][] = Object.entries(
      resources as Record<string, Record<string, Py>>,
    ).map(([key, value]) => [reFix(key), value ?? {}])
    const key = (pattern: string): [number, number, number, number] =>
      probablyRegex(pattern)
        ? [1, 1, -pattern.split('/').length + 1, -pattern.length]
        : [0, 0, -pattern.split('/').length + 1, -pattern.length]
    return entries.sort((a, b) => {
      const [x, y] = [key(a[0]), key(b[0])]
      for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i]! - y[i]!
      return 0
    })
  }
  return iterable(resources).map((pattern) => [reFix(pattern), {}])
}

/** Python's `urllib.parse.unquote`: a malformed escape stays as it is. */
function unquote(path: string): string {
  return path.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run)
    } catch {
      return run
    }
  })
}

/**
 * `CORS(app_or_blueprint, **options)`: the after-request hook Flask-CORS registers (for a
 * blueprint, on that blueprint). The options are read when the first request comes, as the app's
 * config is then set.
 */
export function corsAfterRequest(
  kwargs: Record<string, Py> = {},
): (c: Context, response: FlaskResponse) => FlaskResponse {
  let resources: [string, Options][] | null = null
  return (c, response) => {
    if (response.headers.get(ACL_ORIGIN)) return response
    if (resources === null) {
      const options = corsOptions(kwargs)
      resources = resourcesOf(options.resources).map(([pattern, resourceOptions]) => [
        pattern,
        corsOptions(kwargs, resourceOptions),
      ])
    }
    const path = unquote(c.req.path)
    for (const [pattern, options] of resources) {
      if (!matchPattern(path, pattern, true)) continue
      for (const [name, value] of corsHeaders(options, c)) response.headers.add(name, value)
      break
    }
    return response
  }
}
