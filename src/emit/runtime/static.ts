/**
 * Flask's file responses for a generated service: `send_from_directory` (the `static` endpoints
 * of the app and its blueprints, whose folders emit copies into the service's `public/`) and
 * `send_file`, as Werkzeug 2.2 builds them:
 *
 * - `safe_join`: the path normalised as `posixpath.normpath`; absolute paths, `..` and anything
 *   that leaves the folder are 404, and so is a path that is not a regular file;
 * - the type from the name as Python's `mimetypes.guess_type` gives it (its table on Debian,
 *   `.gz`/`.bz2`/`.xz`/`.br` as `Content-Encoding`), `Content-Disposition: inline; filename=…`;
 * - `Last-Modified`, an `ETag` of `"<mtime>-<size>-<adler32 of the path>"`, and
 *   `Cache-Control: no-cache` (Flask 2.2's `SEND_FILE_MAX_AGE_DEFAULT` is None), or
 *   `public, max-age=N` and `Expires` for a max age;
 * - conditional requests (`If-None-Match`, `If-Modified-Since`, `If-Match` → 304 / 412) and
 *   single byte ranges (`Range`, `If-Range` → 206, 416) for GET and HEAD, the 304 without the
 *   entity headers, as Werkzeug's `make_conditional`.
 */
import type { Context } from 'hono'
import { readFile, stat } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { NotFound, RequestedRangeNotSatisfiable } from './errors.js'
import { FlaskResponse, appConfigValue, request } from './flask.js'
import { floatRepr } from './float.js'
import { PyTimeDelta } from './datetime.js'

/** The generated service's folder (src/lib/ and dist/lib/ are both two levels below it). */
export const SERVICE_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Python's `mimetypes.types_map` (with Debian's /etc/mime.types) for the extensions web apps serve: type → extensions. */
const TYPES: Record<string, string> = {
  'application/ODA': 'oda',
  'application/atom+xml': 'atom',
  'application/epub+zip': 'epub',
  'application/java-archive': 'jar',
  'application/json': 'json',
  'application/ld+json': 'jsonld',
  'application/manifest+json': 'webmanifest',
  'application/msword': 'doc wiz',
  'application/n-quads': 'nq',
  'application/n-triples': 'nt',
  'application/octet-stream': 'bin so',
  'application/pdf': 'pdf',
  'application/pkcs12': 'p12 pfx',
  'application/pkcs7-mime': 'p7c',
  'application/postscript': 'ai eps ps',
  'application/rdf+xml': 'rdf',
  'application/rls-services+xml': 'rs',
  'application/rtf': 'rtf',
  'application/sql': 'sql',
  'application/trig': 'trig',
  'application/vnd.adobe.flash.movie': 'swf',
  'application/vnd.android.package-archive': 'apk',
  'application/vnd.apple.mpegurl': 'm3u8',
  'application/vnd.mif': 'mif',
  'application/vnd.ms-excel': 'xlb xls',
  'application/vnd.ms-fontobject': 'eot',
  'application/vnd.ms-powerpoint': 'ppa pps ppt pwz',
  'application/vnd.oasis.opendocument.presentation': 'odp',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.rar': 'rar',
  'application/wasm': 'wasm',
  'application/wsdl+xml': 'wsdl',
  'application/x-7z-compressed': '7z',
  'application/x-apple-diskimage': 'dmg',
  'application/x-bcpio': 'bcpio',
  'application/x-cdf': 'cdf',
  'application/x-cpio': 'cpio',
  'application/x-dvi': 'dvi',
  'application/x-gtar': 'gtar',
  'application/x-hdf': 'hdf',
  'application/x-hdf5': 'h5',
  'application/x-iso9660-image': 'iso',
  'application/x-latex': 'latex',
  'application/x-msdos-program': 'bat dll exe',
  'application/x-netcdf': 'nc',
  'application/x-object': 'o',
  'application/x-python-code': 'pyc pyo',
  'application/x-rss+xml': 'rss',
  'application/x-ruby': 'rb',
  'application/x-shar': 'shar',
  'application/x-sv4cpio': 'sv4cpio',
  'application/x-sv4crc': 'sv4crc',
  'application/x-tar': 'tar',
  'application/x-texinfo': 'texi texinfo',
  'application/x-troff-man': 'man',
  'application/x-troff-me': 'me',
  'application/x-troff-ms': 'ms',
  'application/x-ustar': 'ustar',
  'application/x-wais-source': 'src',
  'application/xhtml+xml': 'xhtml',
  'application/xml': 'xml xpdl',
  'application/xslt+xml': 'xsl',
  'application/zip': 'zip',
  'audio/3gpp': '3gp 3gpp',
  'audio/3gpp2': '3g2 3gpp2',
  'audio/aac': 'aac adts ass',
  'audio/basic': 'au snd',
  'audio/flac': 'flac',
  'audio/mp4': 'm4a',
  'audio/mpeg': 'mp2 mp3',
  'audio/mpegurl': 'm3u',
  'audio/ogg': 'oga ogg opus',
  'audio/sp-midi': 'mid',
  'audio/usac': 'loas',
  'audio/x-aiff': 'aif aifc aiff',
  'audio/x-pn-realaudio': 'ra ram',
  'audio/x-wav': 'wav',
  'font/otf': 'otf',
  'font/ttf': 'ttf',
  'font/woff': 'woff',
  'font/woff2': 'woff2',
  'image/apng': 'apng',
  'image/avif': 'avif',
  'image/bmp': 'bmp',
  'image/gif': 'gif',
  'image/heic': 'heic',
  'image/heif': 'heif',
  'image/ief': 'ief',
  'image/jpeg': 'jfif jpe jpeg jpg',
  'image/png': 'png',
  'image/svg+xml': 'svg',
  'image/tiff': 'tif tiff',
  'image/vnd.adobe.photoshop': 'psd',
  'image/vnd.microsoft.icon': 'ico',
  'image/webp': 'webp',
  'image/x-cmu-raster': 'ras',
  'image/x-portable-anymap': 'pnm',
  'image/x-portable-bitmap': 'pbm',
  'image/x-portable-graymap': 'pgm',
  'image/x-portable-pixmap': 'ppm',
  'image/x-rgb': 'rgb',
  'image/x-xbitmap': 'xbm',
  'image/x-xpixmap': 'xpm',
  'image/x-xwindowdump': 'xwd',
  'message/rfc822': 'eml mht mhtml nws',
  'model/obj': 'obj',
  'text/SGML': 'sgm sgml',
  'text/cache-manifest': 'appcache manifest',
  'text/calendar': 'ics',
  'text/css': 'css',
  'text/csv': 'csv',
  'text/html': 'htm html',
  'text/javascript': 'js mjs',
  'text/markdown': 'md',
  'text/n3': 'n3',
  'text/plain': 'ksh pot srt txt',
  'text/richtext': 'rtx',
  'text/tab-separated-values': 'tsv',
  'text/troff': 'roff t tr',
  'text/vcard': 'vcf',
  'text/vnd.a': 'a',
  'text/vnd.graphviz': 'dot',
  'text/vnd.trolltech.linguist': 'ts',
  'text/vtt': 'vtt',
  'text/x-chdr': 'h',
  'text/x-csh': 'csh',
  'text/x-csrc': 'c',
  'text/x-java': 'java',
  'text/x-perl': 'pl',
  'text/x-python': 'py',
  'text/x-setext': 'etx',
  'text/x-sh': 'sh',
  'text/x-tcl': 'tcl',
  'text/x-tex': 'tex',
  'video/mp4': 'mp4',
  'video/mpeg': 'm1v mpa mpe mpeg mpg',
  'video/ogg': 'ogv',
  'video/quicktime': 'mov qt',
  'video/webm': 'webm',
  'video/x-msvideo': 'avi',
  'video/x-sgi-movie': 'movie',
}
const TYPES_MAP: ReadonlyMap<string, string> = new Map(
  Object.entries(TYPES).flatMap(([type, extensions]) =>
    extensions.split(' ').map((extension) => [`.${extension}`, type] as const),
  ),
)
const SUFFIX_MAP: Record<string, string> = {
  '.svgz': '.svg.gz',
  '.tgz': '.tar.gz',
  '.taz': '.tar.gz',
  '.tz': '.tar.gz',
  '.tbz2': '.tar.bz2',
  '.txz': '.tar.xz',
}
const ENCODINGS_MAP: Record<string, string> = {
  '.gz': 'gzip',
  '.Z': 'compress',
  '.bz2': 'bzip2',
  '.xz': 'xz',
  '.br': 'br',
}

/** `posixpath.splitext`. */
function splitext(path: string): [string, string] {
  const slash = path.lastIndexOf('/')
  const dot = path.lastIndexOf('.')
  if (dot <= slash) return [path, '']
  // Leading dots of the file name are not an extension.
  let start = slash + 1
  while (start < dot && path[start] === '.') start++
  return start === dot ? [path, ''] : [path.slice(0, dot), path.slice(dot)]
}

/** `mimetypes.guess_type(name)`: [type or null, encoding or null]. */
export function guessType(name: string): [string | null, string | null] {
  let [base, ext] = splitext(name)
  while (Object.hasOwn(SUFFIX_MAP, ext.toLowerCase()))
    [base, ext] = splitext(base + SUFFIX_MAP[ext.toLowerCase()])
  let encoding: string | null = null
  if (Object.hasOwn(ENCODINGS_MAP, ext)) {
    encoding = ENCODINGS_MAP[ext]!
    ;[base, ext] = splitext(base)
  }
  return [TYPES_MAP.get(ext.toLowerCase()) ?? null, encoding]
}

/** `posixpath.normpath`. */
function normpath(path: string): string {
  if (path === '') return '.'
  const initial =
    path.startsWith('//') && !path.startsWith('///') ? 2 : path.startsWith('/') ? 1 : 0
  const parts: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (
      part !== '..' ||
      (initial === 0 && parts.length === 0) ||
      (parts.length > 0 && parts[parts.length - 1] === '..')
    )
      parts.push(part)
    else if (parts.length > 0) parts.pop()
  }
  const joined = '/'.repeat(initial) + parts.join('/')
  return joined === '' ? '.' : joined
}

/** Werkzeug's `safe_join(directory, filename)` on POSIX: the joined path, or null when it would leave the folder. */
export function safeJoin(directory: string, filename: string): string | null {
  const base = directory === '' ? '.' : directory
  const name = filename === '' ? '' : normpath(filename)
  if (name.startsWith('/') || name === '..' || name.startsWith('../')) return null
  if (name === '') return base.endsWith('/') ? base : `${base}/`
  return base.endsWith('/') ? base + name : `${base}/${name}`
}

function adler32(bytes: Uint8Array): number {
  let a = 1
  let b = 0
  for (const byte of bytes) {
    a = (a + byte) % 65521
    b = (b + a) % 65521
  }
  return ((b << 16) | a) >>> 0
}

function httpDate(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toUTCString()
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

/** Werkzeug's `parse_date` (email.utils' formats), as seconds since the epoch; null when it does not parse. */
export function parseHttpDate(value: string | null | undefined): number | null {
  if (!value) return null
  const text = value.trim()
  let match =
    /^(?:[A-Za-z]+,\s*)?(\d{1,2})[\s-]+([A-Za-z]{3})[A-Za-z]*[\s-]+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(GMT|UTC|UT|Z|[+-]\d{4})?$/.exec(
      text,
    )
  let fields: [number, number, number, number, number, number, string | undefined] | null = null
  if (match)
    fields = [
      Number(match[3]),
      MONTHS.indexOf(match[2]!.toLowerCase()),
      Number(match[1]),
      Number(match[4]),
      Number(match[5]),
      Number(match[6] ?? 0),
      match[7],
    ]
  else {
    match = /^[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})$/.exec(
      text,
    )
    if (match)
      fields = [
        Number(match[6]),
        MONTHS.indexOf(match[1]!.toLowerCase()),
        Number(match[2]),
        Number(match[3]),
        Number(match[4]),
        Number(match[5]),
        undefined,
      ]
  }
  if (fields === null || fields[1] < 0) return null
  let [year] = fields
  const [, month, day, hour, minute, second, zone] = fields
  if (year < 100) year += year > 68 ? 1900 : 2000
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 61) return null
  let offset = 0
  if (zone !== undefined && /^[+-]\d{4}$/.test(zone))
    offset =
      (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(3)) * 60)
  return Date.UTC(year, month, day, hour, minute, second) / 1000 - offset
}

interface ETags {
  star: boolean
  strong: string[]
  weak: string[]
}

/** Werkzeug's `parse_etags`. */
function parseEtags(value: string | null | undefined): ETags | null {
  if (!value) return null
  const strong: string[] = []
  const weak: string[] = []
  const pattern = /([Ww]\/)?(?:"(.*?)"|(.*?))(?:\s*,\s*|$)/y
  let pos = 0
  while (pos < value.length) {
    pattern.lastIndex = pos
    const match = pattern.exec(value)
    if (match === null) break
    let raw = match[3] ?? ''
    if (raw === '*') return { star: true, strong: [], weak: [] }
    if (match[2] !== undefined && match[2] !== '') raw = match[2]
    ;(match[1] ? weak : strong).push(raw)
    if (pattern.lastIndex === pos) break
    pos = pattern.lastIndex
  }
  return strong.length > 0 || weak.length > 0 ? { star: false, strong, weak } : null
}

/** `unquote_etag`. */
function unquoteEtag(value: string): string {
  let text = value.trim()
  if (text.startsWith('W/') || text.startsWith('w/')) text = text.slice(2)
  if (text.length >= 1 && text[0] === '"' && text[text.length - 1] === '"') text = text.slice(1, -1)
  return text
}

const contains = (tags: ETags, etag: string): boolean => tags.star || tags.strong.includes(etag)

/** Werkzeug's `is_resource_modified` for a response's ETag and Last-Modified (seconds). */
function isResourceModified(
  c: Context,
  etag: string | null,
  lastModified: number | null,
  ignoreIfRange = true,
): boolean {
  const header = (name: string): string | null => c.req.header(name) ?? null
  let unmodified = false
  let ifRange: { date: number | null; etag: string | null } | null = null
  if (!ignoreIfRange && header('range') !== null) {
    const value = header('if-range')
    if (value) {
      const date = parseHttpDate(value)
      ifRange = date !== null ? { date, etag: null } : { date: null, etag: unquoteEtag(value) }
    } else ifRange = { date: null, etag: null }
  }
  const modifiedSince =
    ifRange !== null && ifRange.date !== null
      ? ifRange.date
      : parseHttpDate(header('if-modified-since'))
  if (modifiedSince !== null && lastModified !== null && Math.floor(lastModified) <= modifiedSince)
    unmodified = true
  if (etag) {
    const bare = unquoteEtag(etag)
    if (ifRange !== null && ifRange.etag !== null) {
      const tags = parseEtags(ifRange.etag)
      unmodified = tags !== null && contains(tags, bare)
    } else {
      const ifNoneMatch = parseEtags(header('if-none-match'))
      if (ifNoneMatch) unmodified = ifNoneMatch.weak.includes(bare) || contains(ifNoneMatch, bare)
      const ifMatch = parseEtags(header('if-match'))
      if (ifMatch) unmodified = !ifMatch.strong.includes(bare)
    }
  }
  return !unmodified
}

/** A single `bytes=` range of a file of `length` bytes as [start, end); null when it cannot be served (416). */
function byteRange(value: string, length: number): [number, number] | null {
  if (!value.includes('=')) return null
  const [unitsText, rest] = [
    value.slice(0, value.indexOf('=')),
    value.slice(value.indexOf('=') + 1),
  ]
  const ranges: [number, number | null][] = []
  let lastEnd = 0
  const int = (text: string): number | null => (/^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : null)
  for (const raw of rest.split(',')) {
    const item = raw.trim()
    if (!item.includes('-')) return null
    if (item.startsWith('-')) {
      if (lastEnd < 0) return null
      const begin = int(item)
      if (begin === null) return null
      ranges.push([begin, null])
      lastEnd = -1
      continue
    }
    const dash = item.indexOf('-')
    const begin = int(item.slice(0, dash).trim())
    const endText = item.slice(dash + 1).trim()
    if (begin === null || begin < lastEnd || lastEnd < 0) return null
    let end: number | null = null
    if (endText !== '') {
      const parsed = int(endText)
      if (parsed === null) return null
      end = parsed + 1
      if (begin >= end) return null
    }
    ranges.push([begin, end])
    lastEnd = end ?? -1
  }
  if (unitsText.trim().toLowerCase() !== 'bytes' || ranges.length !== 1) return null
  let [start, end] = ranges[0]!
  end ??= length
  if (start < 0) start += length
  if (start >= end || start < 0 || start >= length) return null
  return [start, Math.min(end, length)]
}

/** `send_file(path, ...)`'s keyword arguments that the runtime takes. */
export interface SendFileOptions {
  mimetype?: string | null
  as_attachment?: boolean
  download_name?: string | null
  conditional?: boolean
  etag?: boolean | string
  /** Seconds (`None`: Flask's `SEND_FILE_MAX_AGE_DEFAULT`, itself None by default). */
  max_age?: number | null
}

function quoteHeaderValue(value: string): string {
  return /^[!#$%&'*+\-.0-9A-Z^_`a-z|~]+$/.test(value)
    ? value
    : `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

const ALWAYS_SAFE = /[A-Za-z0-9\-._~$!'()*+,;]/

/** The app's `SEND_FILE_MAX_AGE_DEFAULT` in seconds, or null. */
function defaultMaxAge(): number | null {
  const value = appConfigValue('SEND_FILE_MAX_AGE_DEFAULT')
  if (value === undefined || value === null) return null
  if (value instanceof PyTimeDelta) return Math.trunc(Number(value.total_seconds()))
  return Number(value)
}

/**
 * Werkzeug's `send_file` of a file on disk (`path`, absolute or relative to the service folder):
 * the response with Flask's headers, made conditional. A missing file is an OSError in Flask;
 * here `NotFound` is thrown only by `sendFromDirectory`, so the caller checks first.
 */
export async function sendFile(
  c: Context,
  path: string,
  options: SendFileOptions = {},
): Promise<FlaskResponse> {
  const full = path.startsWith('/') ? path : `${SERVICE_ROOT}${path}`
  const info = await stat(full, { bigint: true })
  const size = Number(info.size)
  const mtime = Number(info.mtimeMs / 1000n) + Number(info.mtimeNs % 1_000_000_000n) * 1e-9
  const downloadName = options.download_name ?? full.slice(full.lastIndexOf('/') + 1)
  const headers: [string, string][] = []
  let mimetype = options.mimetype ?? null
  if (mimetype === null) {
    const [type, encoding] = guessType(downloadName)
    mimetype = type ?? 'application/octet-stream'
    if (encoding !== null && !options.as_attachment) headers.push(['Content-Encoding', encoding])
  }
  const disposition = options.as_attachment ? 'attachment' : 'inline'
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(downloadName))
    headers.push([
      'Content-Disposition',
      `${disposition}; filename=${quoteHeaderValue(downloadName)}`,
    ])
  else {
    // eslint-disable-next-line no-control-regex
    const simple = downloadName.normalize('NFKD').replace(/[^\x00-\x7f]/g, '')
    const quoted = [...new TextEncoder().encode(downloadName)]
      .map((byte) =>
        byte < 0x80 && ALWAYS_SAFE.test(String.fromCharCode(byte))
          ? String.fromCharCode(byte)
          : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
      )
      .join('')
    headers.push([
      'Content-Disposition',
      `${disposition}; filename=${quoteHeaderValue(simple)}; filename*=${quoteHeaderValue(`UTF-8''${quoted}`)}`,
    ])
  }
  const data = new Uint8Array(await readFile(full))
  const response = new FlaskResponse(data, { mimetype, headers })
  response.headers.set('Content-Length', String(size))
  response.headers.set('Last-Modified', httpDate(mtime))
  const maxAge =
    options.max_age === undefined || options.max_age === null ? defaultMaxAge() : options.max_age
  if (maxAge === null) response.headers.set('Cache-Control', 'no-cache')
  else {
    response.headers.set(
      'Cache-Control',
      maxAge > 0 ? `public, max-age=${maxAge}` : `no-cache, max-age=${maxAge}`,
    )
    response.headers.set('Expires', httpDate(Date.now() / 1000 + maxAge))
  }
  if (typeof options.etag === 'string')
    response.headers.set(
      'ETag',
      options.etag.startsWith('W/') || options.etag.startsWith('"')
        ? options.etag
        : `"${options.etag}"`,
    )
  else if (options.etag !== false)
    response.headers.set(
      'ETag',
      `"${floatRepr(mtime)}-${size}-${adler32(new TextEncoder().encode(full))}"`,
    )
  return options.conditional === false ? response : makeConditional(c, response, data, size)
}

/** Werkzeug's `make_conditional(environ, accept_ranges=True, complete_length=size)`. */
function makeConditional(
  c: Context,
  response: FlaskResponse,
  data: Uint8Array,
  size: number,
): FlaskResponse {
  const method = request(c).method
  if (method !== 'GET' && method !== 'HEAD') return response
  const etag = response.headers.get('ETag')
  const lastModified = parseHttpDate(response.headers.get('Last-Modified'))
  const range = c.req.header('range')
  if (
    size > 0 &&
    range !== undefined &&
    (c.req.header('if-range') === undefined || !isResourceModified(c, etag, lastModified, false))
  ) {
    const bounds = byteRange(range, size)
    if (bounds === null) throw new RequestedRangeNotSatisfiable(size)
    const [start, end] = bounds
    const partial = new FlaskResponse(data.subarray(start, end), {
      status: 206,
      headers: response.headers,
    })
    partial.headers.set('Content-Length', String(end - start))
    partial.headers.set('Accept-Ranges', 'bytes')
    partial.headers.set('Content-Range', `bytes ${start}-${end - 1}/${size}`)
    return partial
  }
  if (!isResourceModified(c, etag, lastModified)) {
    if (parseEtags(c.req.header('if-match'))) {
      response.status_code = 412
      return response
    }
    // Werkzeug's WSGI answer to a 304: no body, no entity headers (Expires and Content-Location stay).
    response.status_code = 304
    response.set_data(new Uint8Array(0))
    for (const name of [
      'Allow',
      'Content-Encoding',
      'Content-Language',
      'Content-Length',
      'Content-MD5',
      'Content-Range',
      'Content-Type',
      'Last-Modified',
    ])
      response.headers.remove(name)
    return response
  }
  return response
}

/**
 * Flask's `send_from_directory(directory, path)`: `safe_join` then a regular file, else
 * `NotFound` (answered by the app's error handlers, as in Flask). `directory` is absolute or
 * relative to the service folder (`public/static` for a copied static folder).
 */
export async function sendFromDirectory(
  c: Context,
  directory: string,
  filename: string,
  options: SendFileOptions = {},
): Promise<FlaskResponse> {
  const joined = safeJoin(directory, filename)
  if (joined === null || joined.includes('\0')) throw new NotFound()
  const full = joined.startsWith('/') ? joined : `${SERVICE_ROOT}${joined}`
  const info = await stat(full).catch(() => null)
  if (info === null || !info.isFile()) throw new NotFound()
  return sendFile(c, full, options)
}

/** Where emit copies the folders and files handlers send by a literal path under the app's folder (its root_path). */
export const APP_FILES_DIR = 'public/_app'

/** `send_from_directory("dir", path)` in a handler: the app's `dir`, copied into public/_app/dir. */
export async function sendFromAppDirectory(
  c: Context,
  directory: string,
  filename: string,
  options: SendFileOptions = {},
): Promise<FlaskResponse> {
  return sendFromDirectory(c, `${APP_FILES_DIR}/${directory}`, filename, options)
}

/** `send_file("dir/file")` in a handler: the app's file, copied into public/_app/dir/file. */
export async function sendAppFile(
  c: Context,
  path: string,
  options: SendFileOptions = {},
): Promise<FlaskResponse> {
  return sendFile(c, `${APP_FILES_DIR}/${path}`, options)
}
