/**
 * Python's `sqlite3` module (DB-API 2.0, CPython 3.11) on better-sqlite3: the same SQLite file
 * format and locking, so the service and the Flask app can share one database file.
 *
 * better-sqlite3 is synchronous like the DB-API, so translated code keeps Python's control flow.
 * What Python does on top of SQLite is done here:
 *
 * - Implicit transactions (the default `isolation_level=""`): `BEGIN` before an INSERT, UPDATE,
 *   DELETE or REPLACE when no transaction is open; `commit()` / `rollback()`; `executescript()`
 *   commits first; `close()` without `commit()` loses the changes; `isolation_level = None` is
 *   autocommit. Until `commit()`, other connections (the Flask app's too) do not see the changes.
 * - Values: INTEGER → int, REAL → float (boxed when integral, see float.ts), TEXT → str,
 *   BLOB → bytes (`Uint8Array`), NULL → None; parameters the other way (bool → 0/1, date and
 *   datetime through Python's default adapters: ISO text).
 * - `detect_types=PARSE_DECLTYPES | PARSE_COLNAMES` with the converters Python 3.11 registers
 *   (`date`, `timestamp`) and `register_converter` / `register_adapter`.
 * - `?` and named (`:name`, `@name`, `$name`) parameters from a sequence or a dict, with Python's
 *   ProgrammingError messages; one statement per `execute()`.
 * - `sqlite3.Row`: index and case-insensitive name access, `keys()`, `len()`, iteration,
 *   equality and hash; any other `row_factory(cursor, row)`.
 * - The exception classes (`IntegrityError`, `OperationalError`, …) chosen by SQLite's result
 *   code as Python chooses them, with SQLite's message ("UNIQUE constraint failed: user.username")
 *   and `sqlite_errorcode` / `sqlite_errorname`.
 *
 * Rows of a query are read when it executes (Python steps them on fetch): a result is held in
 * memory until fetched, and no statement stays open on the connection.
 *
 * better-sqlite3's SQLite differs from the one Python links in build options: foreign keys are
 * switched off on connect (SQLite's default, which Python keeps); a double-quoted identifier that
 * names no column is a string literal again (`WHERE name = "x"`: better-sqlite3 builds without
 * SQLITE_DQS; prepareWithStringFallback).
 */
import Database from 'better-sqlite3'
import { Exception, IndexError, TypeError as PyTypeError, ValueError } from './exceptions.js'
import { PyFloat, asFloat, floatRepr } from './float.js'
import { PyDate, PyDateTime } from './datetime.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Py = any

// ---------------------------------------------------------------------------------------------
// Module constants and exceptions

export const PARSE_DECLTYPES = 1
export const PARSE_COLNAMES = 2
export const apilevel = '2.0'
export const paramstyle = 'qmark'
export const threadsafety = 1

/** The SQLite library this module runs on, as `sqlite3.sqlite_version` gives it. */
export const sqlite_version: string = (() => {
  try {
    const db = new Database(':memory:')
    const version = db.prepare('SELECT sqlite_version()').pluck().get() as string
    db.close()
    return version
  } catch {
    return ''
  }
})()
export const sqlite_version_info = Object.freeze(sqlite_version.split('.').map(Number))

/** `sqlite3.Warning`. */
class SqliteWarning extends Exception {}
/** `sqlite3.Error`, the base of the module's errors. */
class SqliteError extends Exception {
  /** SQLite's extended result code, as Python 3.11 sets it (None for errors raised by the module itself). */
  sqlite_errorcode: number | null = null
  sqlite_errorname: string | null = null
}
Object.defineProperty(SqliteWarning, 'name', { value: 'Warning' })
Object.defineProperty(SqliteError, 'name', { value: 'Error' })
export class InterfaceError extends SqliteError {}
export class DatabaseError extends SqliteError {}
export class InternalError extends DatabaseError {}
export class OperationalError extends DatabaseError {}
export class ProgrammingError extends DatabaseError {}
export class IntegrityError extends DatabaseError {}
export class DataError extends DatabaseError {}
export class NotSupportedError extends DatabaseError {}
export { SqliteWarning as Warning, SqliteError as Error }

/** SQLite's primary result codes by name, and the extended ones better-sqlite3 reports most. */
const RESULT_CODES: Record<string, number> = {
  SQLITE_ERROR: 1,
  SQLITE_INTERNAL: 2,
  SQLITE_PERM: 3,
  SQLITE_ABORT: 4,
  SQLITE_BUSY: 5,
  SQLITE_LOCKED: 6,
  SQLITE_NOMEM: 7,
  SQLITE_READONLY: 8,
  SQLITE_INTERRUPT: 9,
  SQLITE_IOERR: 10,
  SQLITE_CORRUPT: 11,
  SQLITE_NOTFOUND: 12,
  SQLITE_FULL: 13,
  SQLITE_CANTOPEN: 14,
  SQLITE_PROTOCOL: 15,
  SQLITE_EMPTY: 16,
  SQLITE_SCHEMA: 17,
  SQLITE_TOOBIG: 18,
  SQLITE_CONSTRAINT: 19,
  SQLITE_MISMATCH: 20,
  SQLITE_MISUSE: 21,
  SQLITE_NOLFS: 22,
  SQLITE_AUTH: 23,
  SQLITE_FORMAT: 24,
  SQLITE_RANGE: 25,
  SQLITE_NOTADB: 26,
  SQLITE_CONSTRAINT_CHECK: 275,
  SQLITE_CONSTRAINT_COMMITHOOK: 531,
  SQLITE_CONSTRAINT_FOREIGNKEY: 787,
  SQLITE_CONSTRAINT_FUNCTION: 1043,
  SQLITE_CONSTRAINT_NOTNULL: 1299,
  SQLITE_CONSTRAINT_PRIMARYKEY: 1555,
  SQLITE_CONSTRAINT_TRIGGER: 1811,
  SQLITE_CONSTRAINT_UNIQUE: 2067,
  SQLITE_CONSTRAINT_VTAB: 2323,
  SQLITE_CONSTRAINT_ROWID: 2579,
  SQLITE_CONSTRAINT_DATATYPE: 3091,
  SQLITE_BUSY_RECOVERY: 261,
  SQLITE_BUSY_SNAPSHOT: 517,
  SQLITE_BUSY_TIMEOUT: 773,
  SQLITE_LOCKED_SHAREDCACHE: 262,
  SQLITE_READONLY_DBMOVED: 1032,
  SQLITE_CANTOPEN_ISDIR: 526,
  SQLITE_ERROR_MISSING_COLLSEQ: 257,
  SQLITE_ERROR_RETRY: 513,
}

/** The exception class Python 3.11 raises for a result code (`_pysqlite_seterror`). */
function errorClassFor(name: string): new (message: string) => SqliteError {
  const primary = /^SQLITE_[A-Z]+/.exec(name)?.[0] ?? name
  switch (primary) {
    case 'SQLITE_INTERNAL':
    case 'SQLITE_NOTFOUND':
      return InternalError
    case 'SQLITE_ERROR':
    case 'SQLITE_PERM':
    case 'SQLITE_ABORT':
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
    case 'SQLITE_READONLY':
    case 'SQLITE_INTERRUPT':
    case 'SQLITE_IOERR':
    case 'SQLITE_FULL':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PROTOCOL':
    case 'SQLITE_EMPTY':
    case 'SQLITE_SCHEMA':
      return OperationalError
    case 'SQLITE_CORRUPT':
      return DatabaseError
    case 'SQLITE_TOOBIG':
      return DataError
    case 'SQLITE_CONSTRAINT':
    case 'SQLITE_MISMATCH':
      return IntegrityError
    case 'SQLITE_MISUSE':
    case 'SQLITE_RANGE':
      return InterfaceError
    default:
      return DatabaseError
  }
}

/** An error of better-sqlite3 as the exception Python raises. Exceptions of the runtime pass through. */
function translateError(error: unknown): unknown {
  if (error instanceof Exception) return error
  if (error instanceof Database.SqliteError) {
    const cls = errorClassFor(error.code)
    const translated = new cls(error.message)
    translated.sqlite_errorname = error.code
    translated.sqlite_errorcode =
      RESULT_CODES[error.code] ?? RESULT_CODES[/^SQLITE_[A-Z]+/.exec(error.code)?.[0] ?? ''] ?? null
    return translated
  }
  if (error instanceof RangeError && /more than one statement/.test(error.message))
    return new ProgrammingError('You can only execute one statement at a time.')
  if (error instanceof TypeError && /directory does not exist|unable to open/.test(error.message))
    return new OperationalError('unable to open database file')
  if (error instanceof TypeError && /closed|not open/.test(error.message))
    return new ProgrammingError('Cannot operate on a closed database.')
  return error
}

function guard<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    throw translateError(error)
  }
}

// ---------------------------------------------------------------------------------------------
// Adapters and converters

/** `sqlite3.converters`: converter name (upper-cased) → function of the value's bytes. */
const converters = new Map<string, (value: Uint8Array) => Py>()
/** `sqlite3.adapters`: exact class → function of the value. */
const adapters = new Map<unknown, (value: Py) => Py>()

/** `sqlite3.register_converter(typename, converter)`. */
export function register_converter(typename: Py, converter: (value: Uint8Array) => Py): null {
  if (typeof typename !== 'string')
    throw new PyTypeError(
      `register_converter() argument 'typename' must be str, not ${typeNameOf(typename)}`,
    )
  converters.set(typename.toUpperCase(), converter)
  return null
}

/** `sqlite3.register_adapter(type, adapter)`. */
export function register_adapter(type: unknown, adapter: (value: Py) => Py): null {
  adapters.set(type, adapter)
  return null
}

const decoder = new TextDecoder('utf-8')
const encoder = new TextEncoder()

function bytesText(value: Uint8Array): string {
  return decoder.decode(value)
}

/** `int(b'…')` with Python's error for a bad literal. */
function intOfBytes(part: Uint8Array): number {
  const text = bytesText(part)
  if (!/^\s*[+-]?\d+(_\d+)*\s*$/.test(text))
    throw new ValueError(`invalid literal for int() with base 10: ${bytesRepr(part)}`)
  return Number(text.replace(/_/g, ''))
}

function bytesRepr(value: Uint8Array): string {
  let out = "b'"
  for (const byte of value) {
    if (byte === 0x27 || byte === 0x5c) out += '\\' + String.fromCharCode(byte)
    else if (byte < 0x20 || byte >= 0x7f) out += '\\x' + byte.toString(16).padStart(2, '0')
    else out += String.fromCharCode(byte)
  }
  return out + "'"
}

function splitBytes(value: Uint8Array, separator: string): Uint8Array[] {
  return bytesText(value)
    .split(separator)
    .map((part) => encoder.encode(part))
}

function unpackParts(parts: Uint8Array[], count: number): Uint8Array[] {
  if (parts.length > count) throw new ValueError(`too many values to unpack (expected ${count})`)
  if (parts.length < count)
    throw new ValueError(`not enough values to unpack (expected ${count}, got ${parts.length})`)
  return parts
}

/** Python 3.11's `convert_date`: `date(*map(int, val.split(b"-")))`. */
function convertDate(value: Uint8Array): PyDate {
  const parts = splitBytes(value, '-').map(intOfBytes)
  if (parts.length !== 3)
    throw new PyTypeError(`function takes exactly 3 arguments (${parts.length} given)`)
  return new PyDate(parts[0], parts[1], parts[2])
}

/** Python 3.11's `convert_timestamp`. */
function convertTimestamp(value: Uint8Array): PyDateTime {
  const [datepart, timepart] = unpackParts(splitBytes(value, ' '), 2)
  const [year, month, day] = unpackParts(splitBytes(datepart, '-'), 3).map(intOfBytes)
  const timepartFull = splitBytes(timepart, '.')
  const [hours, minutes, seconds] = unpackParts(splitBytes(timepartFull[0], ':'), 3).map(intOfBytes)
  let microseconds = 0
  if (timepartFull.length === 2) {
    // int('{:0<6.6}'.format(timepart_full[1].decode()))
    const fraction = bytesText(timepartFull[1]).slice(0, 6).padEnd(6, '0')
    microseconds = intOfBytes(encoder.encode(fraction))
  }
  return new PyDateTime(year, month, day, hours, minutes, seconds, microseconds)
}

register_converter('date', convertDate)
register_converter('timestamp', convertTimestamp)
register_adapter(PyDate, (value: PyDate) => value.isoformat())
register_adapter(PyDateTime, (value: PyDateTime) => value.isoformat(' '))

function typeNameOf(value: Py): string {
  if (value === null || value === undefined) return 'NoneType'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (typeof value === 'string') return 'str'
  if (value instanceof PyFloat) return 'float'
  if (value instanceof Uint8Array) return 'bytes'
  if (Array.isArray(value)) return Object.isFrozen(value) ? 'tuple' : 'list'
  if (isMapping(value)) return 'dict'
  return value?.constructor?.name ?? 'object'
}

function isMapping(value: Py): boolean {
  return value !== null && typeof value === 'object' && value.constructor?.name === 'PyDict'
}

/** A Python value as better-sqlite3 binds it (ints as BigInt so that SQLite stores INTEGER, floats as REAL). */
function bindValue(value: Py, position: number): unknown {
  const adapter =
    value !== null && value !== undefined
      ? adapters.get(Object.getPrototypeOf(value)?.constructor)
      : undefined
  if (adapter) value = adapter(value)
  if (value === null || value === undefined) return null
  if (typeof value === 'boolean') return value ? 1n : 0n
  if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      if (!Number.isSafeInteger(value) && Math.abs(value) >= 2 ** 63)
        throw new OverflowErrorLike('Python int too large to convert to SQLite INTEGER')
      return BigInt(value)
    }
    return value
  }
  if (value instanceof PyFloat) return Number(value)
  if (typeof value === 'string') return value
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  throw new ProgrammingError(
    `Error binding parameter ${position}: type '${typeNameOf(value)}' is not supported`,
  )
}

class OverflowErrorLike extends Exception {}
Object.defineProperty(OverflowErrorLike, 'name', { value: 'OverflowError' })

/** A value better-sqlite3 read (safe integers on) as the Python value. */
function resultValue(value: unknown): Py {
  if (value === null || value === undefined) return null
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'number') return asFloat(value)
  if (typeof value === 'string') return value
  if (value instanceof Uint8Array) return new Uint8Array(value)
  return value
}

/** The bytes a converter receives: the value as SQLite gives it through `sqlite3_column_blob`. */
function converterInput(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value)
  if (typeof value === 'bigint') return encoder.encode(value.toString())
  if (typeof value === 'number')
    return encoder.encode(Number.isInteger(value) ? `${value}.0` : floatRepr(value))
  return encoder.encode(String(value))
}

// ---------------------------------------------------------------------------------------------
// SQL text: parameters, the first keyword, whether anything but comments follows

interface SqlShape {
  /** `sqlite3_bind_parameter_count`. */
  count: number
  /** Parameter name by index (1-based) as SQLite names it (`:a`, `@a`, `$a`, `?3`), null for a plain `?`. */
  names: (string | null)[]
  /** INSERT, UPDATE, DELETE or REPLACE first (after whitespace and comments): Python opens a transaction before it. */
  isDml: boolean
  /** Only whitespace and comments. */
  empty: boolean
}

const shapes = new Map<string, SqlShape>()

function isNameChar(ch: string): boolean {
  return /[A-Za-z0-9_$]/.test(ch) || ch.charCodeAt(0) > 0x7f
}

/** Reads the SQL as SQLite's tokenizer would for parameters, comments and quoted text. */
function sqlShape(sql: string): SqlShape {
  const cached = shapes.get(sql)
  if (cached) return cached
  const names: (string | null)[] = [null]
  const byName = new Map<string, number>()
  let max = 0
  let firstWord: string | null = null
  let i = 0
  const n = sql.length
  while (i < n) {
    const ch = sql[i]
    if (ch === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++
      continue
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2)
      i = end < 0 ? n : end + 2
      continue
    }
    if (/\s/.test(ch)) {
      i++
      continue
    }
    if (ch === "'" || ch === '"' || ch === '`' || ch === '[') {
      const close = ch === '[' ? ']' : ch
      i++
      while (i < n) {
        if (sql[i] === close) {
          if (close !== ']' && sql[i + 1] === close) {
            i += 2
            continue
          }
          break
        }
        i++
      }
      i++
      firstWord ??= ''
      continue
    }
    if (ch === '?') {
      let j = i + 1
      while (j < n && /[0-9]/.test(sql[j])) j++
      if (j > i + 1) {
        const index = Number(sql.slice(i + 1, j))
        max = Math.max(max, index)
        names[index] = sql.slice(i, j)
      } else {
        max += 1
        names[max] = null
      }
      i = j
      firstWord ??= ''
      continue
    }
    if ((ch === ':' || ch === '@' || ch === '$') && i + 1 < n && isNameChar(sql[i + 1])) {
      let j = i + 1
      while (j < n && isNameChar(sql[j])) j++
      const name = sql.slice(i, j)
      if (!byName.has(name)) {
        max += 1
        byName.set(name, max)
        names[max] = name
      }
      i = j
      firstWord ??= ''
      continue
    }
    if (firstWord === null) {
      let j = i
      while (j < n && /[A-Za-z_]/.test(sql[j])) j++
      firstWord = sql.slice(i, j).toUpperCase()
      i = Math.max(j, i + 1)
      continue
    }
    i++
  }
  for (let k = 1; k <= max; k++) if (names[k] === undefined) names[k] = null
  const shape: SqlShape = {
    count: max,
    names: names.slice(0, max + 1),
    isDml: firstWord !== null && /^(INSERT|UPDATE|DELETE|REPLACE)/.test(firstWord),
    empty: firstWord === null,
  }
  if (shapes.size > 1024) shapes.clear()
  shapes.set(sql, shape)
  return shape
}

/** Python's `pysqlite_statement_bind_parameters`: the arguments for better-sqlite3's run/all. */
function bindParameters(shape: SqlShape, parameters: Py): unknown[] {
  if (parameters === null || parameters === undefined) parameters = Object.freeze([])
  const anonymous: unknown[] = []
  const named: Record<string, unknown> = {}
  let hasNamed = false
  const put = (index: number, value: unknown): void => {
    const name = shape.names[index]
    if (name === null) anonymous.push(value)
    else {
      named[name.slice(1)] = value
      hasNamed = true
    }
  }
  if (isMapping(parameters)) {
    for (let index = 1; index <= shape.count; index++) {
      const name = shape.names[index]
      if (name === null)
        throw new ProgrammingError(
          `Binding ${index} has no name, but you supplied a dictionary (which has only names).`,
        )
      const key = name.slice(1)
      if (!parameters.has(key))
        throw new ProgrammingError(`You did not supply a value for binding parameter ${name}.`)
      put(index, bindValue(parameters.getItem(key), index))
    }
  } else if (
    Array.isArray(parameters) ||
    typeof parameters === 'string' ||
    (parameters !== null &&
      typeof parameters === 'object' &&
      typeof parameters[Symbol.iterator] === 'function' &&
      typeof parameters.__getitem__ === 'function')
  ) {
    const items = typeof parameters === 'string' ? [...parameters] : [...parameters]
    if (items.length !== shape.count) {
      throw new ProgrammingError(
        `Incorrect number of bindings supplied. The current statement uses ${shape.count}, and there are ${items.length} supplied.`,
      )
    }
    items.forEach((item, i) => put(i + 1, bindValue(item, i + 1)))
  } else {
    throw new ProgrammingError('parameters are of unsupported type')
  }
  return hasNamed ? [...anonymous, named] : anonymous
}

// ---------------------------------------------------------------------------------------------
// Row

/** `sqlite3.Row`: a tuple-like row with its columns' names. */
export class Row {
  readonly #description: readonly (readonly Py[])[]
  readonly #values: readonly Py[]

  constructor(cursor: Cursor, values: readonly Py[]) {
    if (!(cursor instanceof Cursor))
      throw new PyTypeError(`Row() argument 1 must be sqlite3.Cursor, not ${typeNameOf(cursor)}`)
    if (!Array.isArray(values) || !Object.isFrozen(values))
      throw new PyTypeError(`Row() argument 2 must be tuple, not ${typeNameOf(values)}`)
    this.#description = cursor.description ?? []
    this.#values = values
  }

  /** The column names, as `cursor.description` has them. */
  keys(): string[] {
    return this.#description.map((column) => column[0] as string)
  }

  __getitem__(key: Py): Py {
    if (typeof key === 'number' && Number.isInteger(key)) {
      const index = key < 0 ? key + this.#values.length : key
      if (index < 0 || index >= this.#values.length)
        throw new IndexError('tuple index out of range')
      return this.#values[index]
    }
    if (typeof key === 'boolean') return this.__getitem__(key ? 1 : 0)
    if (typeof key === 'string') {
      // Names compare ASCII case-insensitively, as Python's Row does.
      const wanted = asciiLower(key)
      const index = this.#description.findIndex(
        (column) => asciiLower(String(column[0])) === wanted,
      )
      if (index < 0) throw new IndexError('No item with that key')
      return this.#values[index]
    }
    throw new IndexError('Index must be int or string')
  }

  __len__(): number {
    return this.#values.length
  }

  /** `row[1:3]`: a tuple, as Python's Row gives. */
  __slice__(start: Py = null, stop: Py = null, step: Py = null): readonly Py[] {
    const length = this.#values.length
    const s = step === null || step === undefined ? 1 : Number(step)
    if (s === 0) throw new ValueError('slice step cannot be zero')
    const bound = (value: Py, fallback: number, low: number, high: number): number => {
      if (value === null || value === undefined) return fallback
      let v = Number(value)
      if (v < 0) v += length
      return Math.min(Math.max(v, low), high)
    }
    const out: Py[] = []
    if (s > 0)
      for (let i = bound(start, 0, 0, length); i < bound(stop, length, 0, length); i += s)
        out.push(this.#values[i])
    else
      for (
        let i = bound(start, length - 1, -1, length - 1);
        i > bound(stop, -1, -1, length - 1);
        i += s
      )
        out.push(this.#values[i])
    return Object.freeze(out)
  }

  __contains__(item: Py): boolean {
    return this.#values.some((value) => pyEquals(value, item))
  }

  __eq__(other: Py): boolean {
    if (!(other instanceof Row)) return false
    const a = this.#description.map((column) => column[0])
    const b = other.#description.map((column) => column[0])
    return (
      a.length === b.length &&
      a.every((name, i) => name === b[i]) &&
      this.#values.length === other.#values.length &&
      this.#values.every((value, i) => pyEquals(value, other.#values[i]))
    )
  }

  __hashkey__(): string {
    return JSON.stringify([
      this.#description.map((column) => column[0]),
      this.#values.map((value) =>
        value instanceof Uint8Array
          ? [...value]
          : value instanceof PyFloat
            ? Number(value)
            : String(value),
      ),
    ])
  }

  __repr__(): string {
    return `<sqlite3.Row object at 0x${rowAddress(this).toString(16).padStart(12, '0')}>`
  }

  [Symbol.iterator](): Iterator<Py> {
    return this.#values[Symbol.iterator]()
  }
}

const addresses = new WeakMap<object, number>()
let nextAddress = 0x7f0000001000
function rowAddress(row: object): number {
  let address = addresses.get(row)
  if (address === undefined) {
    address = nextAddress
    nextAddress += 0x40
    addresses.set(row, address)
  }
  return address
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (ch) => ch.toLowerCase())
}

/** `==` on the values a row holds (numbers, text, bytes, None, converted values). */
function pyEquals(a: Py, b: Py): boolean {
  if (a === b) return true
  const number = (x: Py): boolean =>
    typeof x === 'number' || typeof x === 'boolean' || x instanceof PyFloat
  if (number(a) && number(b)) return Number(a) === Number(b)
  if (a instanceof Uint8Array && b instanceof Uint8Array)
    return a.length === b.length && a.every((byte, i) => byte === b[i])
  if (a !== null && typeof a === 'object' && typeof a.__eq__ === 'function')
    return Boolean(a.__eq__(b))
  return false
}

function isClass(fn: unknown): boolean {
  return typeof fn === 'function' && /^class\b/.test(Function.prototype.toString.call(fn))
}

// ---------------------------------------------------------------------------------------------
// Cursor

type Statement = Database.Statement<unknown[], unknown>

/** `sqlite3.Cursor`. */
export class Cursor {
  readonly connection: Connection
  /** Rows are built with this when not None: `sqlite3.Row`, or a function `(cursor, row)`. */
  row_factory: Py = null
  arraysize = 1
  /** `None` before the first `execute()`, then SQLite's last inserted rowid on the connection. */
  lastrowid: number | null = null
  rowcount = -1
  description: readonly (readonly Py[])[] | null = null
  #rows: unknown[][] = []
  #position = 0
  #converters: (((value: Uint8Array) => Py) | null)[] = []
  #closed = false

  constructor(connection: Connection) {
    if (!(connection instanceof Connection))
      throw new PyTypeError(
        `Cursor() argument 1 must be sqlite3.Connection, not ${typeNameOf(connection)}`,
      )
    this.connection = connection
  }

  #check(): void {
    this.connection.checkOpen()
    if (this.#closed) throw new ProgrammingError('Cannot operate on a closed cursor.')
  }

  #reset(): void {
    this.#rows = []
    this.#position = 0
    this.#converters = []
    this.description = null
  }

  /** `cursor.execute(sql, parameters=())`: returns the cursor. */
  execute(sql: Py, parameters: Py = Object.freeze([])): this {
    this.#check()
    if (typeof sql !== 'string')
      throw new PyTypeError(`execute() argument 1 must be str, not ${typeNameOf(sql)}`)
    this.#run(sql, [parameters], false)
    return this
  }

  /** `cursor.executemany(sql, seq_of_parameters)`: DML only; rowcount adds up. */
  executemany(sql: Py, seqOfParameters: Py): this {
    this.#check()
    if (typeof sql !== 'string')
      throw new PyTypeError(`executemany() argument 1 must be str, not ${typeNameOf(sql)}`)
    if (
      seqOfParameters === null ||
      seqOfParameters === undefined ||
      typeof seqOfParameters[Symbol.iterator] !== 'function'
    ) {
      throw new PyTypeError(`'${typeNameOf(seqOfParameters)}' object is not iterable`)
    }
    this.#run(sql, [...seqOfParameters], true)
    return this
  }

  /** `cursor.executescript(sql_script)`: commits a pending transaction, then runs every statement as written. */
  executescript(script: Py): this {
    this.#check()
    if (typeof script !== 'string')
      throw new PyTypeError(`executescript() argument 1 must be str, not ${typeNameOf(script)}`)
    this.#reset()
    this.connection.executeScriptText(script)
    return this
  }

  #run(sql: string, parameterSets: Py[], multiple: boolean): void {
    this.#reset()
    const connection = this.connection
    const shape = sqlShape(sql)
    if (sql.includes('\0')) throw new ProgrammingError('the query contains a null character')
    this.rowcount = shape.isDml ? 0 : -1
    if (shape.empty) {
      if (!multiple) this.lastrowid = connection.lastInsertRowid()
      return
    }
    const statement = connection.prepare(sql)
    if (multiple && !shape.isDml)
      throw new ProgrammingError('executemany() can only execute DML statements.')
    if (shape.isDml) connection.beginIfNeeded()
    for (const parameters of parameterSets) {
      const args = bindParameters(shape, parameters)
      if (statement.reader) {
        const rows = guard(() => statement.raw(true).all(...args) as unknown[][])
        const columns = statement.columns()
        this.description = Object.freeze(
          columns.map((column) =>
            Object.freeze([this.#columnName(column.name), null, null, null, null, null, null]),
          ),
        )
        this.#converters = columns.map((column) => this.#converterFor(column.name, column.type))
        this.#rows = multiple ? [] : rows
        if (!statement.readonly) connection.refreshLastInsertRowid()
        if (shape.isDml) this.rowcount += connection.changes()
      } else {
        const info = guard(() => statement.run(...args))
        connection.noteRun(info.lastInsertRowid)
        if (shape.isDml) this.rowcount += Number(info.changes)
      }
    }
    if (!multiple) this.lastrowid = connection.lastInsertRowid()
  }

  /** The name `description` gives: with PARSE_COLNAMES, the part before `[`. */
  #columnName(name: string): string {
    if (this.connection.detectTypes & PARSE_COLNAMES) {
      const bracket = name.indexOf('[')
      if (bracket >= 0) return name.slice(0, bracket).replace(/ +$/, '')
    }
    return name
  }

  #converterFor(name: string, declared: string | null): ((value: Uint8Array) => Py) | null {
    const detect = this.connection.detectTypes
    if (detect & PARSE_COLNAMES) {
      const match = /\[([^\]]*)\]/.exec(name)
      if (match) {
        const converter = converters.get(match[1].toUpperCase())
        if (converter) return converter
      }
    }
    if (detect & PARSE_DECLTYPES && declared) {
      const typeName = /^[^ (]*/.exec(declared)![0]
      return converters.get(typeName.toUpperCase()) ?? null
    }
    return null
  }

  #nextRow(): Py {
    this.#check()
    if (this.#position >= this.#rows.length) return null
    const raw = this.#rows[this.#position++]
    const values = Object.freeze(
      raw.map((value, i) => {
        const converter = this.#converters[i]
        if (converter && value !== null && value !== undefined)
          return converter(converterInput(value))
        return resultValue(value)
      }),
    )
    const factory = this.row_factory
    if (factory === null || factory === undefined) return values
    if (factory === Row || isClass(factory))
      return new (factory as new (cursor: Cursor, row: readonly Py[]) => Py)(this, values)
    return factory(this, values)
  }

  /** `cursor.fetchone()`: the next row, or None. */
  fetchone(): Py {
    return this.#nextRow()
  }

  /** `cursor.fetchmany(size=cursor.arraysize)`. */
  fetchmany(size: Py = this.arraysize): Py[] {
    const out: Py[] = []
    for (let i = 0; i < Number(size); i++) {
      if (this.#position >= this.#rows.length) {
        this.#check()
        break
      }
      out.push(this.#nextRow())
    }
    return out
  }

  /** `cursor.fetchall()`: the remaining rows. */
  fetchall(): Py[] {
    this.#check()
    const out: Py[] = []
    while (this.#position < this.#rows.length) out.push(this.#nextRow())
    return out
  }

  close(): null {
    this.connection.checkOpen()
    this.#closed = true
    this.#reset()
    return null
  }

  setinputsizes(_sizes: Py): null {
    return null
  }

  setoutputsize(_size: Py, _column: Py = null): null {
    return null
  }

  *[Symbol.iterator](): Iterator<Py> {
    for (;;) {
      const row = this.#nextRow()
      if (row === null) return
      yield row
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Connection

const STATEMENT_CACHE = 128

/**
 * `db.prepare(sql)`, reading a double-quoted identifier that names no column as a string literal,
 * as the SQLite Python links does (SQLITE_DQS; better-sqlite3 builds without it): on "no such
 * column: x", the token `"x"` is written `'x'` and the statement prepared again.
 */
function prepareWithStringFallback(db: Database.Database, sql: string): Statement {
  for (let attempt = 0; ; attempt++) {
    try {
      return db.prepare(sql) as Statement
    } catch (error) {
      // SQLite 3.46+ says `no such column: "x" - should this be a string literal in single-quotes?`.
      const match =
        error instanceof Database.SqliteError
          ? /^no such column: (?:"((?:[^"]|"")*)" - should this be a string literal in single-quotes\?|(.+))$/.exec(
              error.message,
            )
          : null
      const column = match
        ? match[1] !== undefined
          ? match[1].replace(/""/g, '"')
          : match[2]
        : undefined
      const rewritten = column === undefined || attempt >= 32 ? null : quotedAsString(sql, column)
      if (rewritten === null) throw error
      sql = rewritten
    }
  }
}

/** The SQL with its first double-quoted identifier reading `name` written as a string literal; null when there is none. */
function quotedAsString(sql: string, name: string): string | null {
  let i = 0
  while (i < sql.length) {
    const ch = sql[i]
    if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2)
      i = end < 0 ? sql.length : end + 2
    } else if (ch === "'" || ch === '`' || ch === '[' || ch === '"') {
      const close = ch === '[' ? ']' : ch
      let j = i + 1
      let text = ''
      while (j < sql.length) {
        if (sql[j] === close) {
          if (close !== ']' && sql[j + 1] === close) {
            text += close
            j += 2
            continue
          }
          break
        }
        text += sql[j]
        j++
      }
      if (ch === '"' && text === name)
        return `${sql.slice(0, i)}'${text.replace(/'/g, "''")}'${sql.slice(j + 1)}`
      i = j + 1
    } else i++
  }
  return null
}

/** `sqlite3.Connection`. */
export class Connection {
  readonly database: string
  readonly detectTypes: number
  /** Used by `cursor()` and `execute()` for the cursors they make. */
  row_factory: Py = null
  /** Python's default text_factory (str): the only one carried over. */
  text_factory: Py = null
  #db: Database.Database | null
  #isolationLevel: string | null
  #statements = new Map<string, Statement>()
  #lastInsertRowid = 0

  constructor(database: Py, options: ConnectOptions = {}) {
    if (typeof database !== 'string') {
      if (database instanceof Uint8Array) database = bytesText(database)
      else
        throw new PyTypeError(
          `expected str, bytes or os.PathLike object, not ${typeNameOf(database)}`,
        )
    }
    const isolation = options.isolation_level === undefined ? '' : options.isolation_level
    checkIsolationLevel(isolation)
    this.database = database
    this.detectTypes = Number(options.detect_types ?? 0)
    this.#isolationLevel = isolation
    const timeout =
      options.timeout === undefined || options.timeout === null ? 5 : Number(options.timeout)
    const target: UriTarget =
      options.uri !== undefined &&
      options.uri !== null &&
      options.uri !== false &&
      options.uri !== 0
        ? uriTarget(database)
        : { path: database }
    this.#db = guard(
      () =>
        new Database(target.path, {
          timeout: Math.max(0, Math.round(timeout * 1000)),
          readonly: target.readonly === true,
          fileMustExist: target.mustExist === true,
        }),
    )
    this.#db.defaultSafeIntegers(true)
    // better-sqlite3 builds SQLite with foreign keys enforced by default; SQLite's (and so Python's) default is off.
    guard(() => this.#db!.exec('PRAGMA foreign_keys = OFF'))
  }

  // The DB-API's exception classes as attributes of the connection: `except db.IntegrityError` (the Flask tutorial's form).
  get Warning(): typeof SqliteWarning {
    return SqliteWarning
  }
  get Error(): typeof SqliteError {
    return SqliteError
  }
  get InterfaceError(): typeof InterfaceError {
    return InterfaceError
  }
  get DatabaseError(): typeof DatabaseError {
    return DatabaseError
  }
  get InternalError(): typeof InternalError {
    return InternalError
  }
  get OperationalError(): typeof OperationalError {
    return OperationalError
  }
  get ProgrammingError(): typeof ProgrammingError {
    return ProgrammingError
  }
  get IntegrityError(): typeof IntegrityError {
    return IntegrityError
  }
  get DataError(): typeof DataError {
    return DataError
  }
  get NotSupportedError(): typeof NotSupportedError {
    return NotSupportedError
  }

  /** `conn.isolation_level`: '' (Python's default, `BEGIN`), 'DEFERRED', 'IMMEDIATE', 'EXCLUSIVE', or None (autocommit). */
  get isolation_level(): string | null {
    return this.#isolationLevel
  }

  set isolation_level(value: Py) {
    checkIsolationLevel(value)
    if (value === null || value === undefined) {
      // Python commits an open transaction to go back to autocommit.
      this.commit()
      this.#isolationLevel = null
    } else this.#isolationLevel = value
  }

  /** Whether a transaction is open (SQLite is not in autocommit mode). */
  get in_transaction(): boolean {
    return this.#open().inTransaction
  }

  /** `sqlite3_total_changes()`. */
  get total_changes(): number {
    return Number(this.prepare('SELECT total_changes() /* runtime */').pluck().get())
  }

  checkOpen(): void {
    if (this.#db === null) throw new ProgrammingError('Cannot operate on a closed database.')
  }

  #open(): Database.Database {
    this.checkOpen()
    return this.#db!
  }

  /** A prepared statement from the connection's cache (Python keeps 128 too). */
  prepare(sql: string): Statement {
    const db = this.#open()
    let statement = this.#statements.get(sql)
    if (statement) {
      this.#statements.delete(sql)
    } else {
      statement = guard(() => prepareWithStringFallback(db, sql))
      if (this.#statements.size >= STATEMENT_CACHE)
        this.#statements.delete(this.#statements.keys().next().value!)
    }
    this.#statements.set(sql, statement)
    return statement
  }

  /** Python's implicit `BEGIN` before a DML statement. */
  beginIfNeeded(): void {
    const db = this.#open()
    if (this.#isolationLevel !== null && !db.inTransaction)
      guard(() => db.exec(`BEGIN ${this.#isolationLevel}`))
  }

  noteRun(rowid: number | bigint): void {
    this.#lastInsertRowid = Number(rowid)
  }

  refreshLastInsertRowid(): void {
    this.#lastInsertRowid = Number(
      this.prepare('SELECT last_insert_rowid() /* runtime */').pluck().get(),
    )
  }

  lastInsertRowid(): number {
    return this.#lastInsertRowid
  }

  changes(): number {
    return Number(this.prepare('SELECT changes() /* runtime */').pluck().get())
  }

  executeScriptText(script: string): void {
    const db = this.#open()
    if (db.inTransaction) guard(() => db.exec('COMMIT'))
    if (script.includes('\0')) throw new ProgrammingError('the query contains a null character')
    try {
      guard(() => db.exec(script))
    } finally {
      this.refreshLastInsertRowid()
    }
  }

  /** `conn.cursor()`: with the connection's `row_factory`. */
  cursor(factory: Py = null): Cursor {
    this.checkOpen()
    const cursor =
      factory === null || factory === undefined
        ? new Cursor(this)
        : isClass(factory)
          ? new factory(this)
          : factory(this)
    if (this.row_factory !== null && this.row_factory !== undefined)
      cursor.row_factory = this.row_factory
    return cursor
  }

  /** `conn.execute(sql, parameters=())`: a new cursor's `execute`. */
  execute(sql: Py, parameters: Py = Object.freeze([])): Cursor {
    return this.cursor().execute(sql, parameters)
  }

  executemany(sql: Py, seqOfParameters: Py): Cursor {
    return this.cursor().executemany(sql, seqOfParameters)
  }

  executescript(script: Py): Cursor {
    return this.cursor().executescript(script)
  }

  /** `conn.commit()`: commits the open transaction, if any. */
  commit(): null {
    const db = this.#open()
    if (db.inTransaction) guard(() => db.exec('COMMIT'))
    return null
  }

  /** `conn.rollback()`: rolls the open transaction back, if any. */
  rollback(): null {
    const db = this.#open()
    if (db.inTransaction) guard(() => db.exec('ROLLBACK'))
    return null
  }

  /** `conn.close()`: an uncommitted transaction is rolled back, as SQLite does when a connection closes. */
  close(): null {
    const db = this.#db
    if (db === null) return null
    this.#db = null
    this.#statements.clear()
    guard(() => db.close())
    return null
  }

  /** `with conn:` commits on success and rolls back on an exception (the connection stays open). */
  __enter__(): this {
    this.checkOpen()
    return this
  }

  __exit__(type: Py, _value: Py = null, _traceback: Py = null): boolean {
    if (type === null || type === undefined) {
      try {
        this.commit()
      } catch (error) {
        this.rollback()
        throw error
      }
    } else this.rollback()
    return false
  }
}

/** Keyword arguments of `sqlite3.connect()` the runtime reads. */
export interface ConnectOptions {
  timeout?: Py
  detect_types?: Py
  isolation_level?: Py
  check_same_thread?: Py
  factory?: Py
  cached_statements?: Py
  uri?: Py
}

function checkIsolationLevel(value: Py): void {
  if (value === null || value === undefined) return
  if (typeof value !== 'string')
    throw new PyTypeError(`isolation_level must be str or None, not ${typeNameOf(value)}`)
  if (!['', 'DEFERRED', 'IMMEDIATE', 'EXCLUSIVE'].includes(value.toUpperCase())) {
    throw new ValueError(
      "isolation_level string must be '', 'DEFERRED', 'IMMEDIATE', or 'EXCLUSIVE'",
    )
  }
}

/**
 * `connect(..., uri=True)`: SQLite's `file:` URI (better-sqlite3 opens plain paths only): the
 * path percent-decoded, `mode=ro|rw|rwc|memory`, `cache=private`; other parameters are not
 * carried over (NotSupportedError). A database that is not a `file:` URI is a path, as in SQLite.
 */
interface UriTarget {
  path: string
  readonly?: boolean
  mustExist?: boolean
}

function uriTarget(database: string): UriTarget {
  if (!database.startsWith('file:')) return { path: database }
  const [location, query = ''] = database
    .slice('file:'.length)
    .split('#')[0]
    .split(/\?(.*)/s)
  let path = location
  if (path.startsWith('//')) {
    const slash = path.indexOf('/', 2)
    const authority = slash < 0 ? path.slice(2) : path.slice(2, slash)
    if (authority !== '' && authority !== 'localhost')
      throw new OperationalError(`invalid uri authority: ${authority}`)
    path = slash < 0 ? '' : path.slice(slash)
  }
  path = decodeURIComponent(path)
  const target: UriTarget = { path }
  for (const [key, value] of new URLSearchParams(query)) {
    if (key === 'mode' && value === 'ro') Object.assign(target, { readonly: true, mustExist: true })
    else if (key === 'mode' && value === 'rw') target.mustExist = true
    else if (key === 'mode' && value === 'memory') target.path = ':memory:'
    else if (key === 'mode' && value !== 'rwc')
      throw new OperationalError(`no such access mode: ${value}`)
    else if (key === 'cache' && value !== 'private')
      throw new NotSupportedError(
        `the URI parameter cache=${value} is not carried over to the service`,
      )
    else if (key !== 'mode' && key !== 'cache')
      throw new NotSupportedError(`the URI parameter ${key} is not carried over to the service`)
  }
  return target
}

/** `sqlite3.connect(database, timeout=5.0, detect_types=0, isolation_level='', …, uri=False)`. */
export function connect(database: Py, options: ConnectOptions = {}): Connection {
  if (options.factory !== undefined && options.factory !== null)
    return new options.factory(database, options)
  return new Connection(database, options)
}

/** The module as translated code names it: `sqlite3.connect(...)`, `sqlite3.Row`, `except sqlite3.IntegrityError`. */
export const sqlite3 = {
  connect,
  register_converter,
  register_adapter,
  Connection,
  Cursor,
  Row,
  PARSE_DECLTYPES,
  PARSE_COLNAMES,
  apilevel,
  paramstyle,
  threadsafety,
  sqlite_version,
  sqlite_version_info,
  Warning: SqliteWarning,
  Error: SqliteError,
  InterfaceError,
  DatabaseError,
  InternalError,
  OperationalError,
  ProgrammingError,
  IntegrityError,
  DataError,
  NotSupportedError,
}
