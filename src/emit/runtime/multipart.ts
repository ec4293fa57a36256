/**
 * Multipart form bodies as Werkzeug 2.2 parses them (`werkzeug.sansio.multipart`,
 * `formparser.MultiPartParser`): fields decoded with their part's charset, files as
 * `FileStorage`s, and a body that does not parse giving an empty form (Werkzeug's parser is
 * silent). The web platform's `formData()` differs on details users see: a part without a
 * Content-Type becomes `text/plain`, and quoted filenames keep their backslash escapes.
 */
import { writeFileSync } from 'node:fs'
import { repr } from './py.js'
import type { Py } from './py.js'

/** Werkzeug's `FileStorage`: an uploaded file, read into memory with the body (Flask spools it). */
export class FileStorage {
  readonly #data: Uint8Array
  #position = 0

  constructor(
    /** The form field's name. */
    readonly name: string | null,
    /** The filename the client sent, unescaped but otherwise as sent (see `secure_filename`). */
    readonly filename: string | null,
    /** The part's Content-Type header, or None. */
    readonly content_type: string | null,
    data: Uint8Array,
  ) {
    this.#data = data
  }

  /** The content type without parameters, lower case ('' when there is none). */
  get mimetype(): string {
    return parseOptionsHeader(this.content_type)[0].toLowerCase()
  }

  /** Werkzeug's `__getattr__` reaches the stream: `file.stream.read()` reads the same bytes. */
  get stream(): this {
    return this
  }

  /** `read(size=-1)`: the bytes from the current position. */
  read(size: Py = -1): Uint8Array {
    const end =
      size === null || Number(size) < 0 ? this.#data.length : this.#position + Number(size)
    const chunk = this.#data.slice(this.#position, end)
    this.#position += chunk.length
    return chunk
  }

  seek(offset: Py, whence: Py = 0): number {
    const base =
      Number(whence) === 1 ? this.#position : Number(whence) === 2 ? this.#data.length : 0
    this.#position = Math.max(0, base + Number(offset))
    return this.#position
  }

  tell(): number {
    return this.#position
  }

  /** `save(dst)`: writes what is left to read to the path (Werkzeug copies from the stream's position). */
  save(dst: Py): null {
    writeFileSync(String(dst), this.read())
    return null
  }

  close(): null {
    return null
  }

  __bool__(): boolean {
    return this.filename !== null && this.filename !== ''
  }

  __repr__(): string {
    return `<FileStorage: ${repr(this.filename)} (${repr(this.content_type)})>`
  }
}

const OPTION_START = /^,\s*([^;,\s]+)([;,]\s*.+)?/
const OPTION_PIECE =
  /^;\s*,?\s*("[^"\\]*(?:\\.[^"\\]*)*"|[^\s;,=*]+)(?:\*(\d+))?\s*(?:(?:\*\s*=\s*(?:(\S+?)'(\S*?)')?|=\s*)("[^"\\]*(?:\\.[^"\\]*)*"|[^;,]+)?)?\s*/

/** Werkzeug's `unquote_header_value`: browsers' quoting, not the RFC's (a UNC filename keeps its backslashes). */
function unquoteHeaderValue(value: string, isFilename = false): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    const inner = value.slice(1, -1)
    if (!isFilename || !inner.startsWith('\\\\'))
      return inner.replaceAll('\\\\', '\\').replaceAll('\\"', '"')
    return inner
  }
  return value
}

/** Werkzeug's `parse_options_header`: `('text/html', {'charset': 'utf8'})`, RFC 2231 values decoded. */
export function parseOptionsHeader(value: string | null): [string, Map<string, string | null>] {
  if (!value) return ['', new Map()]
  const match = OPTION_START.exec(',' + value.replaceAll('\n', ','))
  if (match === null) return ['', new Map()]
  const options = new Map<string, string | null>()
  let rest = match[2] ?? ''
  let continued: string | undefined
  while (rest) {
    const piece = OPTION_PIECE.exec(rest)
    if (piece === null || piece[0] === '') break
    const [, key, count, given, , raw] = piece
    let encoding: string | undefined = given
    if (!count) continued = undefined
    else {
      encoding ??= continued
      continued = encoding
    }
    const option = unquoteHeaderValue(key!).toLowerCase()
    let optionValue: string | null =
      raw === undefined ? null : unquoteHeaderValue(raw, option === 'filename')
    if (optionValue !== null && encoding !== undefined)
      optionValue = decodeStrict(percentDecode(optionValue), encoding)
    if (count) {
      if (optionValue !== null) options.set(option, (options.get(option) ?? '') + optionValue)
    } else options.set(option, optionValue)
    rest = rest.slice(piece[0].length)
  }
  return [match[1]!, options]
}

function percentDecode(text: string): Uint8Array {
  const bytes: number[] = []
  const utf8 = new TextEncoder()
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16))
      i += 2
    } else bytes.push(...utf8.encode(text[i]!))
  }
  return Uint8Array.from(bytes)
}

/** Decodes like Python's `bytes.decode(encoding)` (strict): a ValueError when it cannot. */
function decodeStrict(bytes: Uint8Array, encoding: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes)
  } catch {
    throw new MultipartError()
  }
}

class MultipartError extends Error {}

/** Python's names for ISO-8859-1, which WHATWG's TextDecoder would read as windows-1252. */
const LATIN_1 = new Set([
  'latin-1',
  'latin1',
  'iso-8859-1',
  'iso8859-1',
  'l1',
  'iso-ir-100',
  'cp819',
  '8859',
  'latin',
])

/** `bytes.decode(charset, 'replace')`; null for a charset Python would not know (a LookupError). */
function decodeReplacing(bytes: Uint8Array, charset: string): string | null {
  const name = charset.trim().toLowerCase().replaceAll('_', '-')
  if (LATIN_1.has(name)) return latin1(bytes)
  try {
    return new TextDecoder(name).decode(bytes)
  } catch {
    return null
  }
}

/** A body as Latin-1 text: one character per byte, so that regular expressions find byte offsets. */
function latin1(bytes: Uint8Array): string {
  let text = ''
  for (let i = 0; i < bytes.length; i += 8192)
    text += String.fromCharCode(...bytes.subarray(i, i + 8192))
  return text
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Part headers as `_parse_headers` reads them: continuation lines merged, UTF-8, names kept. */
function partHeaders(block: Uint8Array): Map<string, string> {
  const headers = new Map<string, string>()
  const text = latin1(block).replace(/(?:\r\n|\n|\r)[ \t]/g, ' ')
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (line.trim() === '') continue
    const decoded = decodeStrict(
      Uint8Array.from(line, (ch) => ch.charCodeAt(0)),
      'utf-8',
    ).trim()
    const colon = decoded.indexOf(':')
    if (colon < 0) throw new MultipartError()
    const name = decoded.slice(0, colon).trim().toLowerCase()
    if (!headers.has(name)) headers.set(name, decoded.slice(colon + 1).trim())
  }
  return headers
}

/**
 * Parses a multipart/form-data body as Werkzeug does: `{ form, files }` in order, or empty ones
 * when the body does not parse (no boundary, no Content-Disposition, a missing closing boundary).
 */
export function parseMultipart(
  body: Uint8Array,
  contentType: string | null,
): { form: [string, string][]; files: [string, FileStorage][] } {
  const empty = { form: [], files: [] }
  try {
    const boundary = parseOptionsHeader(contentType)[1].get('boundary')
    if (!boundary) return empty
    const text = latin1(body)
    const quoted = escapeRegExp(latin1(new TextEncoder().encode(boundary)))
    const preamble = new RegExp(
      `(?:\\r\\n|\\n|\\r)?--${quoted}(--[^\\S\\n\\r]*(?:\\r\\n|\\n|\\r)?|[^\\S\\n\\r]*(?:\\r\\n|\\n|\\r))`,
      'g',
    )
    const delimiter = new RegExp(
      `(?:\\r\\n|\\n|\\r)--${quoted}(--[^\\S\\n\\r]*(?:\\r\\n|\\n|\\r)?|[^\\S\\n\\r]*(?:\\r\\n|\\n|\\r))`,
      'g',
    )
    const form: [string, string][] = []
    const files: [string, FileStorage][] = []
    const start = preamble.exec(text)
    if (start === null) return empty
    let ended = start[1]!.startsWith('--')
    let position = start.index + start[0].length
    while (!ended) {
      const blank = /\r\n\r\n|\r\r|\n\n/g
      blank.lastIndex = position
      const headerEnd = blank.exec(text)
      if (headerEnd === null) return empty
      const headers = partHeaders(body.subarray(position, headerEnd.index))
      position = headerEnd.index + headerEnd[0].length
      const disposition = headers.get('content-disposition')
      if (disposition === undefined) return empty
      const options = parseOptionsHeader(disposition)[1]
      delimiter.lastIndex = position
      const next = delimiter.exec(text)
      if (next === null) return empty
      const data = body.slice(position, next.index)
      position = next.index + next[0].length
      ended = next[1]!.startsWith('--')
      const name = options.get('name') ?? ''
      const filename = options.get('filename')
      const partType = headers.get('content-type') ?? null
      if (filename !== undefined && filename !== null) {
        files.push([name, new FileStorage(name, filename, partType, data)])
      } else {
        const charset = parseOptionsHeader(partType)[1].get('charset') ?? 'utf-8'
        const text = decodeReplacing(data, charset)
        if (text === null) return empty
        form.push([name, text])
      }
    }
    return { form, files }
  } catch (error) {
    if (error instanceof MultipartError) return empty
    throw error
  }
}

/** Python's `str.split()` whitespace among ASCII characters (\x1c-\x1f included). */
const ASCII_WHITESPACE = /[\t\n\x0b\x0c\r\x1c-\x1f ]+/

/** Werkzeug's `secure_filename` on a POSIX system: ASCII letters, digits, `_`, `.` and `-` only. */
export function secureFilename(filename: string): string {
  const ascii = filename.normalize('NFKD').replace(/[^\x00-\x7f]/g, '')
  const joined = ascii
    .replaceAll('/', ' ')
    .split(ASCII_WHITESPACE)
    .filter((part) => part !== '')
    .join('_')
  return joined.replace(/[^A-Za-z0-9_.-]/g, '').replace(/^[._]+|[._]+$/g, '')
}
