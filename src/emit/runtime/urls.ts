/**
 * Python's `urllib.parse` quoting and query strings (`quote`, `quote_plus`, `unquote`,
 * `unquote_plus`, `urlencode`, `parse_qs`, `parse_qsl`, `urlsplit`, `urlunsplit`), as CPython 3.11 writes them.
 */
import { TypeError as PyTypeError, ValueError } from './exceptions.js'
import { isIPv4, isIPv6 } from 'node:net'
import { NamedTuple } from './collections.js'
import { PyDict, iter, mappingItems, repr, str, tuple, typeName, type Py } from './py.js'

const ALWAYS_SAFE = new Set(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~'].map((c) =>
    c.charCodeAt(0),
  ),
)

function utf8(value: Py, what: string): Uint8Array {
  if (typeof value === 'string') return new TextEncoder().encode(value)
  if (value instanceof Uint8Array) return value
  throw new PyTypeError(`${what} argument must be str or bytes, not ${typeName(value)}`)
}

/** `quote(string, safe='/')`: bytes outside the unreserved set and `safe` become `%XX`. */
export function quote(string: Py, safe: Py = '/'): string {
  if (typeof string === 'string' && string === '') return ''
  const keep = new Set(ALWAYS_SAFE)
  for (const byte of utf8(safe ?? '', 'quote() safe')) if (byte < 0x80) keep.add(byte)
  let out = ''
  for (const byte of utf8(string, 'quote()'))
    out += keep.has(byte)
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  return out
}

/** `quote_plus(string, safe='')`: as quote, with spaces as `+`. */
export function quotePlus(string: Py, safe: Py = ''): string {
  const text = typeof string === 'string' ? string : string instanceof Uint8Array ? null : string
  const hasSpace =
    text === null
      ? (string as Uint8Array).includes(0x20)
      : typeof text === 'string' && text.includes(' ')
  if (!hasSpace) return quote(string, safe)
  const safeText =
    typeof safe === 'string' ? safe + ' ' : new Uint8Array([...(safe as Uint8Array), 0x20])
  return quote(string, safeText).replaceAll(' ', '+')
}

/** `unquote(string)`: `%XX` sequences decoded as UTF-8 (invalid bytes become U+FFFD), anything else kept. */
export function unquote(string: Py): string {
  if (string instanceof Uint8Array) string = new TextDecoder().decode(string)
  if (typeof string !== 'string')
    throw new PyTypeError(`a bytes-like object is required, not '${typeName(string)}'`)
  if (!string.includes('%')) return string
  return string.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3)
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16)
    return new TextDecoder('utf-8').decode(bytes)
  })
}

/** `unquote_plus(string)`. */
export function unquotePlus(string: Py): string {
  if (typeof string !== 'string')
    throw new PyTypeError(`a bytes-like object is required, not '${typeName(string)}'`)
  return unquote(string.replaceAll('+', ' '))
}

/** `urlencode(query, doseq=False, safe='')` with `quote_plus`, as Python does. */
export function urlencode(query: Py, doseq: Py = false, safe: Py = ''): string {
  let pairs: [Py, Py][]
  if (query instanceof PyDict) pairs = mappingItems(query)
  else {
    pairs = []
    try {
      for (const pair of iter(query)) {
        const items = [...iter(pair)]
        if (items.length !== 2)
          throw new PyTypeError('not a valid non-string sequence or mapping object')
        pairs.push([items[0], items[1]])
      }
    } catch (error) {
      if (error instanceof PyTypeError)
        throw new PyTypeError('not a valid non-string sequence or mapping object')
      throw error
    }
  }
  const piece = (value: Py): string =>
    quotePlus(typeof value === 'string' || value instanceof Uint8Array ? value : str(value), safe)
  const out: string[] = []
  for (const [key, value] of pairs) {
    if (!doseq || typeof value === 'string' || value instanceof Uint8Array) {
      out.push(`${piece(key)}=${piece(value)}`)
      continue
    }
    let items: Py[] | null = null
    try {
      items = [...iter(value)]
    } catch (error) {
      if (!(error instanceof PyTypeError)) throw error
    }
    if (items === null) out.push(`${piece(key)}=${piece(value)}`)
    else for (const item of items) out.push(`${piece(key)}=${piece(item)}`)
  }
  return out.join('&')
}

/** `parse_qsl(qs, keep_blank_values=False, strict_parsing=False, …, separator='&')`. */
export function parseQsl(
  qs: Py,
  keepBlankValues: Py = false,
  strictParsing: Py = false,
  _encoding: Py = 'utf-8',
  _errors: Py = 'replace',
  maxNumFields: Py = null,
  separator: Py = '&',
): readonly Py[][] {
  if (qs instanceof Uint8Array) qs = new TextDecoder().decode(qs)
  if (qs === null || qs === undefined || qs === '') return []
  if (typeof qs !== 'string')
    throw new PyTypeError(`a bytes-like object is required, not '${typeName(qs)}'`)
  if (typeof separator !== 'string' || separator === '')
    throw new ValueError('Separator must be of type string or bytes.')
  if (
    maxNumFields !== null &&
    maxNumFields !== undefined &&
    1 + qs.split(separator).length - 1 > maxNumFields
  )
    throw new ValueError('Max number of fields exceeded')
  const out: Py[] = []
  for (const field of qs.split(separator)) {
    if (!field && !strictParsing) continue
    const nv = field.split('=')
    const pair = nv.length > 1 ? [nv[0], nv.slice(1).join('=')] : nv
    if (pair.length !== 2) {
      if (strictParsing) throw new ValueError(`bad query field: ${repr(field)}`)
      if (keepBlankValues) pair.push('')
      else continue
    }
    if (pair[1].length > 0 || keepBlankValues)
      out.push(tuple(unquote(pair[0].replaceAll('+', ' ')), unquote(pair[1].replaceAll('+', ' '))))
  }
  return out as readonly Py[][]
}

/** `parse_qs(...)`: a dict of lists, keys in first-seen order. */
export function parseQs(
  qs: Py,
  keepBlankValues: Py = false,
  strictParsing: Py = false,
  encoding: Py = 'utf-8',
  errors: Py = 'replace',
  maxNumFields: Py = null,
  separator: Py = '&',
): PyDict {
  const out = new PyDict()
  for (const pair of parseQsl(
    qs,
    keepBlankValues,
    strictParsing,
    encoding,
    errors,
    maxNumFields,
    separator,
  )) {
    const [name, value] = pair as unknown as [string, string]
    if (out.has(name)) (out.getItem(name) as Py[]).push(value)
    else out.set(name, [value])
  }
  return out
}

/** `urllib.parse.SplitResult`: the named tuple urlsplit returns. */
export class SplitResult extends NamedTuple {
  static override _fields = ['scheme', 'netloc', 'path', 'query', 'fragment']
  declare readonly scheme: string
  declare readonly netloc: string
  declare readonly path: string
  declare readonly query: string
  declare readonly fragment: string

  /** `geturl()`: urlunsplit of the parts. */
  geturl(): string {
    return urlunsplit(this)
  }
}

const WHATWG_C0_CONTROL_OR_SPACE = /^[\x00-\x20]+/
const SCHEME_CHARS = /^[A-Za-z0-9+\-.]*$/

/**
 * `urlsplit(url, scheme='', allow_fragments=True)` as CPython 3.11 (Debian's, with the
 * leading C0-control strip and the bracketed-host checks) splits it.
 */
export function urlsplit(url: Py, scheme: Py = '', allowFragments: Py = true): SplitResult {
  if (typeof url !== 'string') throw new PyTypeError(`Cannot mix str and non-str arguments`)
  let rest = url.replace(WHATWG_C0_CONTROL_OR_SPACE, '').replace(/[\t\r\n]/g, '')
  let schemeOut = String(scheme)
    .replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '')
    .replace(/[\t\r\n]/g, '')
  let netloc = ''
  let query = ''
  let fragment = ''
  const colon = rest.indexOf(':')
  if (colon > 0 && /^[A-Za-z]/.test(rest) && SCHEME_CHARS.test(rest.slice(0, colon))) {
    schemeOut = rest.slice(0, colon).toLowerCase()
    rest = rest.slice(colon + 1)
  }
  if (rest.startsWith('//')) {
    let delim = rest.length
    for (const c of '/?#') {
      const at = rest.indexOf(c, 2)
      if (at >= 0) delim = Math.min(delim, at)
    }
    netloc = rest.slice(2, delim)
    rest = rest.slice(delim)
    if (netloc.includes('[') !== netloc.includes(']')) throw new ValueError('Invalid IPv6 URL')
    if (netloc.includes('[') && netloc.includes(']')) checkBracketedNetloc(netloc)
  }
  if (allowFragments && rest.includes('#')) {
    const at = rest.indexOf('#')
    fragment = rest.slice(at + 1)
    rest = rest.slice(0, at)
  }
  if (rest.includes('?')) {
    const at = rest.indexOf('?')
    query = rest.slice(at + 1)
    rest = rest.slice(0, at)
  }
  checkNetloc(netloc)
  return new SplitResult(schemeOut, netloc, rest, query, fragment)
}

function checkBracketedNetloc(netloc: string): void {
  const hostAndPort = netloc.slice(netloc.lastIndexOf('@') + 1)
  const open = hostAndPort.indexOf('[')
  let hostname: string
  if (open >= 0) {
    if (open > 0) throw new ValueError('Invalid IPv6 URL')
    const bracketed = hostAndPort.slice(open + 1)
    const close = bracketed.indexOf(']')
    hostname = close < 0 ? bracketed : bracketed.slice(0, close)
    const port = close < 0 ? '' : bracketed.slice(close + 1)
    if (port !== '' && !port.startsWith(':')) throw new ValueError('Invalid IPv6 URL')
  } else hostname = hostAndPort.split(':')[0]!
  if (hostname.startsWith('v')) {
    if (!/^v[a-fA-F0-9]+\..+$/s.test(hostname)) throw new ValueError('IPvFuture address is invalid')
  } else if (isIPv4(hostname)) throw new ValueError('An IPv4 address cannot be in brackets')
  else if (!isIPv6(hostname))
    throw new ValueError(`${repr(hostname)} does not appear to be an IPv4 or IPv6 address`)
}

function checkNetloc(netloc: string): void {
  if (netloc === '' || /^[\x00-\x7f]*$/.test(netloc)) return
  const bare = netloc.replace(/[@:#?]/g, '')
  const normalized = bare.normalize('NFKC')
  if (bare === normalized) return
  for (const c of '/?#@:')
    if (normalized.includes(c))
      throw new ValueError(
        `netloc '${netloc}' contains invalid characters under NFKC normalization`,
      )
}

/** `urlunsplit((scheme, netloc, url, query, fragment))`. */
export function urlunsplit(parts: Py): string {
  const [scheme, netloc, path, query, fragment] = [...iter(parts)].map((part) => str(part))
  let url = path!
  if (netloc || (scheme && USES_NETLOC.has(scheme) && url.slice(0, 2) !== '//')) {
    if (url && url[0] !== '/') url = `/${url}`
    url = `//${netloc ?? ''}${url}`
  }
  if (scheme) url = `${scheme}:${url}`
  if (query) url = `${url}?${query}`
  if (fragment) url = `${url}#${fragment}`
  return url
}

const USES_NETLOC = new Set([
  '',
  'ftp',
  'http',
  'gopher',
  'nntp',
  'telnet',
  'imap',
  'wais',
  'file',
  'mms',
  'https',
  'shttp',
  'snews',
  'prospero',
  'rtsp',
  'rtspu',
  'rsync',
  'svn',
  'svn+ssh',
  'sftp',
  'nfs',
  'git',
  'git+ssh',
  'ws',
  'wss',
])
