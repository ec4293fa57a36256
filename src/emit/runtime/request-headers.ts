/**
 * Request headers Werkzeug 2.2 parses for handlers: `request.accept_mimetypes` (`MIMEAccept`)
 * and `request.authorization` (`Authorization`, Basic and Digest), with Werkzeug's parsing
 * rules, ordering and results (qualities are Python ints or floats as Werkzeug makes them).
 */
import { ValueError } from './exceptions.js'
import { b64decode } from './hashing.js'
import { PyDict, str, toFloat } from './py.js'
import type { Py } from './py.js'

const ACCEPT =
  /([^\s;,]+(?:[ \t]*;[ \t]*(?:[^\s;,q][^\s;,]*|q[^\s;,=][^\s;,]*))*)(?:[ \t]*;[ \t]*q=(\d*(?:\.\d+)?)[^,]*)?/g
const MIME_SPLIT = /\/|(?:\s*;\s*)/

function normalizeMime(value: string): string[] {
  return value.toLowerCase().split(MIME_SPLIT)
}

/** Python's comparison of tuples of booleans. */
function compareTuples(a: boolean[], b: boolean[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] ? 1 : -1
  return a.length - b.length
}

/** Werkzeug's `MIMEAccept`: `(value, quality)` pairs, most specific and best first. */
export class MIMEAccept {
  readonly provided: boolean
  readonly #items: [string, Py][]

  constructor(header: string | null | undefined) {
    this.provided = Boolean(header)
    const items: [string, Py][] = []
    for (const match of header ? header.matchAll(ACCEPT) : []) {
      const q = match[2]
      // max(min(float(q), 1), 0): Python's min and max keep the first of equals (1.0 stays a float).
      const quality: Py = !q ? 1 : Number(q) > 1 ? 1 : toFloat(Number(q))
      items.push([match[1]!, quality])
    }
    this.#items = items
      .map((item, index) => ({ item, index }))
      .sort((a, b) => {
        const bySpecificity = compareTuples(
          this.#specificity(b.item[0]),
          this.#specificity(a.item[0]),
        )
        if (bySpecificity !== 0) return bySpecificity
        return Number(b.item[1]) - Number(a.item[1]) || a.index - b.index
      })
      .map(({ item }) => item)
  }

  #specificity(value: string): boolean[] {
    return value.split(MIME_SPLIT).map((part) => part !== '*')
  }

  #matches(value: string, item: string): boolean {
    if (!item.includes('/')) return false
    if (!value.includes('/')) throw new ValueError(`invalid mimetype '${value}'`)
    const [valueType, valueSubtype, ...valueParams] = normalizeMime(value)
    if (valueType === '*' && valueSubtype !== '*')
      throw new ValueError(`invalid mimetype '${value}'`)
    const [itemType, itemSubtype, ...itemParams] = normalizeMime(item)
    if (itemType === '*' && itemSubtype !== '*') return false
    const sameParams = valueParams.sort().join('\0') === itemParams.sort().join('\0')
    return (
      (itemType === '*' && itemSubtype === '*') ||
      (valueType === '*' && valueSubtype === '*') ||
      (itemType === valueType &&
        (itemSubtype === '*' ||
          valueSubtype === '*' ||
          (itemSubtype === valueSubtype && sameParams)))
    )
  }

  /** `accept["text/html"]`: the quality of the first matching entry, else 0; an int index gives the pair. */
  __getitem__(key: Py): Py {
    if (typeof key === 'string') return this.quality(key)
    return this.#items.at(Number(key)) ?? null
  }

  quality(key: string): Py {
    for (const [item, quality] of this.#items) if (this.#matches(key, item)) return quality
    return 0
  }

  __contains__(value: string): boolean {
    return this.#items.some(([item]) => this.#matches(value, item))
  }

  __len__(): number {
    return this.#items.length
  }

  [Symbol.iterator](): Iterator<[string, Py]> {
    return this.#items[Symbol.iterator]()
  }

  /** `best_match(matches, default=None)`: the server's value the client prefers. */
  best_match(matches: Iterable<string>, defaultValue: Py = null): Py {
    let result = defaultValue
    let bestQuality = -1
    let bestSpecificity: boolean[] = []
    for (const serverItem of matches) {
      const found = this.#items.find(([item]) => this.#matches(serverItem, item))
      if (found === undefined) continue
      const [clientItem, quality] = found
      const specificity = this.#specificity(clientItem)
      if (Number(quality) <= 0 || Number(quality) < bestQuality) continue
      // The first match always passes: Werkzeug starts from quality -1 and specificity (-1,).
      if (Number(quality) > bestQuality || compareTuples(specificity, bestSpecificity) > 0) {
        result = serverItem
        bestQuality = Number(quality)
        bestSpecificity = specificity
      }
    }
    return result
  }

  /** `best`: the client's first choice, or None. */
  get best(): string | null {
    return this.#items[0]?.[0] ?? null
  }

  get accept_json(): boolean {
    return this.__contains__('application/json')
  }

  get accept_xhtml(): boolean {
    return this.__contains__('application/xhtml+xml') || this.__contains__('application/xml')
  }

  get accept_html(): boolean {
    return this.__contains__('text/html') || this.accept_xhtml
  }

  to_header(): string {
    return this.#items
      .map(([value, quality]) => (Number(quality) !== 1 ? `${value};q=${str(quality)}` : value))
      .join(',')
  }

  __str__(): string {
    return this.to_header()
  }
}

/** Werkzeug's `Authorization`: a dict of the credentials with its type, `username`, `password`, … as attributes. */
export class Authorization extends PyDict<string, Py> {
  readonly #type: string

  constructor(type: string, data: Iterable<[string, Py]>) {
    super()
    this.#type = type
    for (const [key, value] of data) this.set(key, value)
  }

  /** `basic` or `digest`. */
  get type(): string {
    return this.#type
  }

  #field(name: string): Py {
    return this.has(name) ? this.get(name) : null
  }

  get username(): Py {
    return this.#field('username')
  }
  get password(): Py {
    return this.#field('password')
  }
  get realm(): Py {
    return this.#field('realm')
  }
  get nonce(): Py {
    return this.#field('nonce')
  }
  get uri(): Py {
    return this.#field('uri')
  }
  get nc(): Py {
    return this.#field('nc')
  }
  get cnonce(): Py {
    return this.#field('cnonce')
  }
  get response(): Py {
    return this.#field('response')
  }
  get opaque(): Py {
    return this.#field('opaque')
  }
  get qop(): Py {
    return this.#field('qop')
  }
}

/** `urllib.request.parse_http_list`: comma-separated items, quotes respected. */
function parseHttpList(text: string): string[] {
  const parts: string[] = []
  let part = ''
  let escape = false
  let quote = false
  for (const ch of text) {
    if (escape) {
      part += ch
      escape = false
    } else if (quote) {
      if (ch === '\\') escape = true
      else {
        if (ch === '"') quote = false
        part += ch
      }
    } else if (ch === ',') {
      parts.push(part)
      part = ''
    } else {
      if (ch === '"') quote = true
      part += ch
    }
  }
  if (part) parts.push(part)
  return parts.map((item) => item.trim())
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
    return value.slice(1, -1).replaceAll('\\\\', '\\').replaceAll('\\"', '"')
  return value
}

/** CPython's non-strict `base64.b64decode` (runtime hashing.ts), or null where it raises. */
function b64decodeOrNull(text: string): Uint8Array | null {
  try {
    return b64decode(text)
  } catch {
    return null
  }
}

function utf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return null
  }
}

/** Werkzeug 2.2's `parse_authorization_header` (the header as WSGI gives it: the bytes read as UTF-8). */
export function parseAuthorization(header: string | null | undefined): Authorization | null {
  if (!header) return null
  const match = /^\s*(\S+)\s+(\S[\s\S]*)$/.exec(header)
  if (match === null) return null
  const type = match[1]!.toLowerCase()
  const info = match[2]!
  if (type === 'basic') {
    const decoded = b64decodeOrNull(info)
    const colon = decoded?.indexOf(0x3a) ?? -1
    if (decoded === null || colon < 0) return null
    const username = utf8(decoded.subarray(0, colon))
    const password = utf8(decoded.subarray(colon + 1))
    if (username === null || password === null) return null
    return new Authorization('basic', [
      ['username', username],
      ['password', password],
    ])
  }
  if (type === 'digest') {
    const fields: [string, Py][] = []
    for (const item of parseHttpList(info)) {
      const equals = item.indexOf('=')
      if (equals < 0) fields.push([item, null])
      else {
        const value = item.slice(equals + 1)
        const quoted = value.length >= 1 && value.startsWith('"') && value.endsWith('"')
        fields.push([item.slice(0, equals), quoted ? unquote(value.slice(1, -1)) : value])
      }
    }
    const map = new Map(fields)
    if (['username', 'realm', 'nonce', 'uri', 'response'].some((key) => !map.has(key))) return null
    if (map.has('qop') && (!map.get('nc') || !map.get('cnonce'))) return null
    return new Authorization('digest', fields)
  }
  return null
}

/** What a request's parsed headers are read from: `request(c)` of runtime flask.ts. */
interface HeaderSource {
  readonly headers: { get(name: string): string | null }
}

const acceptByRequest = new WeakMap<HeaderSource, MIMEAccept>()
const authorizationByRequest = new WeakMap<HeaderSource, Authorization | null>()

/** `request.accept_mimetypes`: parsed on first read, then the same object (Werkzeug's cached property). */
export function acceptMimetypes(request: HeaderSource): MIMEAccept {
  let accept = acceptByRequest.get(request)
  if (accept === undefined) {
    accept = new MIMEAccept(request.headers.get('Accept'))
    acceptByRequest.set(request, accept)
  }
  return accept
}

/** `request.authorization`: parsed on first read, then the same object or None (Werkzeug's cached property). */
export function requestAuthorization(request: HeaderSource): Authorization | null {
  let auth = authorizationByRequest.get(request)
  if (auth === undefined) {
    auth = parseAuthorization(request.headers.get('Authorization'))
    authorizationByRequest.set(request, auth)
  }
  return auth
}
