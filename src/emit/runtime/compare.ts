/**
 * The comparison of two HTTP responses, as the scenario format (../shared/README.md, "Comparison")
 * defines it: the one copy of it that `migrate verify` (src/verify/) and shadow mode
 * (`SHADOW=1`, src/lib/shadow.ts) both use (copied to `src/lib/compare.ts`).
 *
 * - `observe` reduces a response to what is compared: status, content-type family, body (gzip
 *   decoded; JSON as data), Location's path and query, Allow as a set, cookies set (the session
 *   cookie by decoded payload), `X-` headers, the headers a line lists in `compare_headers`.
 * - `mask` replaces volatile values (`json`, `json.<path>`, `headers.<Name>`, and, for learned
 *   noise, `cookies.<name>` and `body`): what is present stays present.
 * - `compareObservations` lists the differences of a candidate from a reference (Flask's answer).
 * - `noiseBetween` is Diffy's idea: what differs between two answers of the reference to the same
 *   request is noise, as volatile entries.
 *
 * Values are compared as Python compares the parsed JSON (`1 == 1.0`, `True == 1`), since the
 * reference runner (test/oracle/scenario/scenario_selfcheck.py) does.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { gunzipSync, inflateSync } from 'node:zlib'

/**
 * A float of a Python-made observation (`migrate verify`'s Flask side marks them): JSON.parse
 * would read `3.0` as `3`, which Python shows as `3.0`. Compared by value, shown by its repr.
 */
export class PythonFloat {
  readonly value: number
  constructor(readonly repr: string) {
    this.value = Number(repr)
  }
}

/** JSON.parse reviver of `{"py/float": repr}` (test/oracle/flask_replay.py's floats_marked). */
export function reviveFloats(_key: string, value: unknown): unknown {
  if (isObject(value) && Object.keys(value).length === 1 && typeof value['py/float'] === 'string')
    return new PythonFloat(value['py/float'])
  return value
}

/** What replaces a volatile value. */
export const VOLATILE = '<volatile>'
const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** A cookie value: text, or the session cookie by its decoded payload (or not decodable). */
export type ObservedCookie = string | { session: unknown } | { undecoded: true }

export interface Observation {
  status: number
  family: string
  body?: unknown
  location?: string
  allow?: string[]
  cookies?: Record<string, ObservedCookie>
  x: Record<string, string>
  compared: Record<string, string[] | null>
}

/** A difference: what, the reference's value, the candidate's. */
export type Difference = [what: string, reference: unknown, candidate: unknown]

/** The session cookie: its name, and how to read its payload (throws when it cannot). */
export interface SessionCodec {
  name: string
  decode: ((value: string) => unknown) | null
}

/** The content-type family: `json` for any …/json or …+json, `html`, else the media type, `none` without one. */
export function contentFamily(contentType: string | undefined): string {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (media.endsWith('/json') || media.endsWith('+json')) return 'json'
  if (media === 'text/html') return 'html'
  return media === '' ? 'none' : media
}

/** lower-case name → value (repeated fields joined with `, `), and the Set-Cookie values apart. */
function headerMap(pairs: readonly (readonly [string, string])[]): {
  headers: Map<string, string>
  setCookies: string[]
} {
  const headers = new Map<string, string>()
  const setCookies: string[] = []
  for (const [name, value] of pairs) {
    const key = name.toLowerCase()
    if (key === 'set-cookie') setCookies.push(value)
    else if (headers.has(key)) headers.set(key, `${headers.get(key)!}, ${value}`)
    else headers.set(key, value)
  }
  return { headers, setCookies }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Python's str.strip() of the characters it strips by default (ASCII whitespace here). */
function splitItems(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

/** Python's sorted() of strings: by code point. */
function sortStrings(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** What a client observes of one response, as `compareObservations` takes it. */
export function observe(
  status: number,
  pairs: readonly (readonly [string, string])[],
  raw: Uint8Array,
  method: string,
  compareHeaders: readonly string[] = [],
  session: SessionCodec | null = null,
): Observation {
  const { headers, setCookies } = headerMap(pairs)
  let body: Uint8Array = raw
  if ((headers.get('content-encoding') ?? '').trim().toLowerCase() === 'gzip' && raw.length > 0)
    body = gunzipSync(raw)
  const observation: Observation = {
    status,
    family: contentFamily(headers.get('content-type')),
    x: {},
    compared: {},
  }
  if (method !== 'HEAD') {
    let text: string | null = null
    try {
      text = utf8.decode(body)
    } catch {
      text = null
    }
    if (observation.family === 'json') {
      try {
        if (text === null) throw new Error('not UTF-8')
        observation.body = JSON.parse(text === '' ? 'null' : text)
      } catch {
        observation.body = ['<invalid json>', Buffer.from(body.subarray(0, 300)).toString('utf8')]
      }
    } else {
      observation.body = text ?? `<base64>${Buffer.from(body).toString('base64')}`
    }
  }
  const location = headers.get('location')
  if (location !== undefined) observation.location = locationPathAndQuery(location)
  const allow = headers.get('allow')
  if (allow !== undefined) observation.allow = sortStrings(new Set(splitItems(allow)))
  const cookies: Record<string, ObservedCookie> = {}
  for (const value of setCookies) {
    const first = value.split(';')[0]!
    const equals = first.indexOf('=')
    const name = (equals < 0 ? first : first.slice(0, equals)).trim()
    const cookieValue = (equals < 0 ? '' : first.slice(equals + 1)).trim().replace(/^"+|"+$/g, '')
    if (session !== null && name === session.name && cookieValue !== '') {
      try {
        cookies[name] = session.decode
          ? { session: session.decode(cookieValue) }
          : { undecoded: true }
      } catch {
        cookies[name] = { undecoded: true }
      }
    } else {
      cookies[name] = cookieValue
    }
  }
  if (Object.keys(cookies).length > 0) observation.cookies = cookies
  for (const [name, value] of headers) if (name.startsWith('x-')) observation.x[name] = value
  for (const name of compareHeaders) {
    const value = headers.get(name.toLowerCase())
    observation.compared[name.toLowerCase()] =
      value === undefined ? null : sortStrings(splitItems(value))
  }
  return observation
}

/** urllib.parse.urlsplit(location): path + (`?` query), scheme, host and fragment dropped. */
function locationPathAndQuery(location: string): string {
  let rest = location.split('#')[0]!
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(rest)
  if (scheme) rest = rest.slice(scheme[0].length)
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?]/)
    rest = end < 0 ? '' : rest.slice(2 + end)
  }
  const question = rest.indexOf('?')
  const path = question < 0 ? rest : rest.slice(0, question)
  const query = question < 0 ? '' : rest.slice(question + 1)
  return path + (query !== '' ? `?${query}` : '')
}

function clone<T>(value: T): T {
  if (value instanceof PythonFloat || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(clone) as T
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, clone(item)])) as T
}

function isIndex(part: string, node: unknown[]): boolean {
  return /^\d+$/.test(part) && Number(part) < node.length
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof PythonFloat)
  )
}

function maskPath(document: unknown, dotted: string): void {
  const parts = dotted.split('.').slice(1)
  let node = document
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(node) && isIndex(part, node)) node = node[Number(part)]
    else if (isObject(node) && Object.hasOwn(node, part)) node = node[part]
    else return
  }
  const last = parts.at(-1)!
  if (isObject(node) && Object.hasOwn(node, last)) node[last] = VOLATILE
  else if (Array.isArray(node) && isIndex(last, node)) node[Number(last)] = VOLATILE
}

/** A copy of the observation with the volatile values replaced (what is present stays present). */
export function mask(observation: Observation, volatile: readonly string[]): Observation {
  const masked = clone(observation)
  for (const entry of volatile) {
    if (entry.startsWith('headers.')) {
      const name = entry.slice('headers.'.length).toLowerCase()
      if (masked.x[name] !== undefined && masked.x[name] !== null) masked.x[name] = VOLATILE
      if (masked.compared[name] !== undefined && masked.compared[name] !== null)
        masked.compared[name] = [VOLATILE]
    } else if (entry.startsWith('cookies.')) {
      const name = entry.slice('cookies.'.length)
      if (masked.cookies !== undefined && Object.hasOwn(masked.cookies, name))
        masked.cookies[name] = VOLATILE
    } else if (!('body' in masked)) {
      continue
    } else if (entry === 'json' || entry === 'body') {
      masked.body = VOLATILE
    } else if (entry.startsWith('json.')) {
      maskPath(masked.body, entry)
    }
  }
  return masked
}

/** Python's == on parsed JSON: numbers by value (bool as 0/1), dicts as unordered maps, lists in order. */
export function pyEqual(a: unknown, b: unknown): boolean {
  const number = (value: unknown): number | undefined =>
    typeof value === 'number'
      ? value
      : typeof value === 'boolean'
        ? Number(value)
        : value instanceof PythonFloat
          ? value.value
          : undefined
  const x = number(a)
  const y = number(b)
  if (x !== undefined || y !== undefined) return x !== undefined && y !== undefined && x === y
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((item, index) => pyEqual(item, b[index]))
  }
  const keysA = Object.keys(a)
  const keysB = Object.keys(b)
  if (keysA.length !== keysB.length) return false
  return keysA.every(
    (key) =>
      Object.hasOwn(b, key) &&
      pyEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  )
}

/**
 * The differences of `candidate` from `reference` (both masked), and notes where the comparison
 * was weakened. `bothWays` also requires the candidate's `X-` headers of the reference.
 */
export function compareObservations(
  reference: Observation,
  candidate: Observation,
  method: string,
  bothWays = false,
): { differences: Difference[]; notes: string[] } {
  const differences: Difference[] = []
  const notes: string[] = []
  const differ = (what: string, a: unknown, b: unknown): void => {
    if (!pyEqual(a, b)) differences.push([what, a, b])
  }
  differ('status', reference.status, candidate.status)
  if (reference.status !== 204) {
    differ('content type', reference.family, candidate.family)
    if (method !== 'HEAD' && !REDIRECTS.has(reference.status))
      differ('body', reference.body ?? null, candidate.body ?? null)
  }
  differ('Location', reference.location ?? null, candidate.location ?? null)
  differ('Allow', reference.allow ?? null, candidate.allow ?? null)
  const referenceCookies = reference.cookies ?? {}
  const candidateCookies = candidate.cookies ?? {}
  differ(
    'Set-Cookie names',
    sortStrings(Object.keys(referenceCookies)),
    sortStrings(Object.keys(candidateCookies)),
  )
  for (const name of sortStrings(
    Object.keys(referenceCookies).filter((name) => Object.hasOwn(candidateCookies, name)),
  )) {
    const a = referenceCookies[name]!
    const b = candidateCookies[name]!
    if (isObject(a) || isObject(b)) {
      if (!(isObject(a) && isObject(b))) differ(`Set-Cookie ${name} (cleared vs set)`, a, b)
      else if ('session' in a && 'session' in b)
        differ(`Set-Cookie ${name} (decoded session)`, a.session, b.session)
      else
        notes.push(
          `Set-Cookie ${name}: not decodable with Flask's session serializer and the app's SECRET_KEY; compared by name only`,
        )
    } else {
      differ(`Set-Cookie ${name}`, a, b)
    }
  }
  const names = new Set(Object.keys(reference.x))
  if (bothWays) for (const name of Object.keys(candidate.x)) names.add(name)
  for (const name of sortStrings(names))
    differ(`header ${name}`, reference.x[name] ?? null, candidate.x[name] ?? null)
  for (const name of sortStrings(
    new Set([...Object.keys(reference.compared), ...Object.keys(candidate.compared)]),
  )) {
    differ(`header ${name}`, reference.compared[name] ?? null, candidate.compared[name] ?? null)
  }
  return { differences, notes }
}

/** The JSON paths (`json.a.0.b`) at which two parsed bodies differ: the deepest node where they part. */
function differingPaths(a: unknown, b: unknown, path: string, out: string[]): void {
  if (pyEqual(a, b)) return
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)])
    // A key present in one answer only: its parent is what varies.
    if ([...keys].some((key) => !Object.hasOwn(a, key) || !Object.hasOwn(b, key))) {
      out.push(path)
      return
    }
    for (const key of sortStrings(keys)) differingPaths(a[key], b[key], `${path}.${key}`, out)
    return
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, index) => differingPaths(item, b[index], `${path}.${index}`, out))
    return
  }
  out.push(path)
}

/**
 * Noise, as Diffy learns it: the volatile entries (`json.<path>`, `json`/`body`, `headers.<name>`,
 * `cookies.<name>`) at which two answers of the reference to the same request differ.
 */
export function noiseBetween(first: Observation, second: Observation): string[] {
  const noise: string[] = []
  if ('body' in first || 'body' in second) {
    if (first.family === 'json' && second.family === 'json') {
      const paths: string[] = []
      differingPaths(first.body ?? null, second.body ?? null, 'json', paths)
      noise.push(...paths)
    } else if (!pyEqual(first.body ?? null, second.body ?? null)) {
      noise.push('body')
    }
  }
  for (const name of sortStrings(
    new Set([
      ...Object.keys(first.x),
      ...Object.keys(second.x),
      ...Object.keys(first.compared),
      ...Object.keys(second.compared),
    ]),
  )) {
    if (
      !pyEqual(first.x[name] ?? null, second.x[name] ?? null) ||
      !pyEqual(first.compared[name] ?? null, second.compared[name] ?? null)
    )
      noise.push(`headers.${name}`)
  }
  const cookiesA = first.cookies ?? {}
  const cookiesB = second.cookies ?? {}
  for (const name of sortStrings(new Set([...Object.keys(cookiesA), ...Object.keys(cookiesB)]))) {
    if (
      Object.hasOwn(cookiesA, name) &&
      Object.hasOwn(cookiesB, name) &&
      !pyEqual(cookiesA[name], cookiesB[name])
    )
      noise.push(`cookies.${name}`)
  }
  return noise
}

/** Python's json.dumps (`, ` and `: ` separators, non-ASCII escaped), as the reference runner shows values. */
export function pythonJson(value: unknown): string {
  if (value === undefined || value === null) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (value instanceof PythonFloat) return value.repr
  if (typeof value === 'number')
    return Number.isFinite(value)
      ? String(value)
      : Number.isNaN(value)
        ? 'NaN'
        : value > 0
          ? 'Infinity'
          : '-Infinity'
  if (typeof value === 'string')
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`
  if (typeof value === 'object')
    return `{${Object.entries(value)
      .map(([key, item]) => `${pythonJson(key)}: ${pythonJson(item)}`)
      .join(', ')}}`
  return pythonJson(String(value))
}

/** Both values as JSON text; long ones cut around their first difference (show_pair of the reference runner). */
export function showPair(a: unknown, b: unknown, width = 200): [string, string] {
  const x = pythonJson(a)
  const y = pythonJson(b)
  if (x.length <= width && y.length <= width) return [x, y]
  let start = 0
  while (start < Math.min(x.length, y.length) && x[start] === y[start]) start += 1
  start = Math.max(0, start - 60)
  const cut = (text: string): string =>
    (start ? '...' : '') +
    text.slice(start, start + width) +
    (text.length > start + width ? '...' : '')
  return [cut(x), cut(y)]
}

function base64UrlDecode(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
}

/**
 * Flask's session cookie payload (itsdangerous URLSafeTimedSerializer, salt `cookie-session`,
 * HMAC-SHA1 key derivation), its signature checked with `secretKey`: the tagged JSON data, as
 * parsed JSON. Throws when the value is not of that form or not signed with that key.
 */
export function decodeFlaskSessionCookie(value: string, secretKey: string): unknown {
  const parts = value.split('.')
  if (parts.length < 3) throw new Error('not a signed session cookie')
  const signature = parts.pop()!
  const signed = parts.join('.')
  const key = createHmac('sha1', secretKey).update('cookie-session').digest()
  const expected = createHmac('sha1', key).update(signed).digest()
  const given = base64UrlDecode(signature)
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new Error('bad signature')
  parts.pop() // the timestamp
  const compressed = parts[0] === ''
  const payload = base64UrlDecode(compressed ? parts[1]! : parts[0]!)
  return JSON.parse((compressed ? inflateSync(payload) : payload).toString('utf8'))
}
