/**
 * Python's `datetime` module for translated code: `timedelta`, `timezone` (fixed offsets),
 * `date` and `datetime`, with CPython 3.11's arithmetic, normalisation, str()/repr(), ISO
 * parsing, `strftime` (glibc's C-locale conversions, as Python on Linux delegates to it) and
 * `strptime` (a port of `_strptime`), and 3.11's error messages.
 *
 * Values follow the runtime's model (see py.ts): int and float are `number` (an integral float
 * boxed as `PyFloat`), so every method that returns a Python float goes through `asFloat`.
 * Calendar arithmetic is done on proleptic Gregorian ordinals (0001-01-01 is day 1) as CPython
 * does; JavaScript's `Date` is used only to read the clock and the local UTC offset.
 *
 * The runtime calls these protocols: `__str__`, `__repr__`, `__eq__`, `__compare__` (negative,
 * zero or positive; `undefined` when not comparable), `__hashkey__`, the arithmetic dunders
 * (`undefined` for NotImplemented), `__bool__`, `__format__`, and `toJsDate()` (the instant
 * Flask's JSON provider prints with `http_date`; naive values are read as UTC).
 *
 * Not covered: `datetime.time`, `fold=1`, `tzinfo` subclasses other than `timezone`
 * (no IANA zones), locales other than C.
 */
import {
  Exception,
  OSError,
  OverflowError,
  TypeError as PyTypeError,
  ValueError,
  ZeroDivisionError,
} from './exceptions.js'
import { PyFloat, asFloat, isFloat } from './float.js'

// ---------------------------------------------------------------------------------------------
// Small helpers

const MINYEAR = 1
const MAXYEAR = 9999
/** date(9999, 12, 31).toordinal() */
const MAXORDINAL = 3652059
const MAX_DELTA_DAYS = 999999999
/** date(1970, 1, 1).toordinal() */
const EPOCH_ORDINAL = 719163
const US_PER_SECOND = 1000000n
const US_PER_DAY = 86400000000n
const INT_MAX = 2147483647
const INT_MIN = -2147483648

/** Python's `type(x).__name__` for the values the runtime uses. */
function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (typeof value === 'bigint') return 'int'
  if (typeof value === 'string') return 'str'
  if (value instanceof PyFloat) return 'float'
  if (Array.isArray(value)) return Object.isFrozen(value) ? 'tuple' : 'list'
  if (typeof value === 'function') return 'function'
  const name = (value as { constructor?: { name?: string } }).constructor?.name
  return name === 'PyDict' ? 'dict' : name === 'PySet' ? 'set' : (name ?? 'object')
}

/** Python's repr() of a str (quotes and escapes as CPython picks them). */
function strRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (code < 0x20 || (code >= 0x7f && code <= 0xa0))
      out += '\\x' + code.toString(16).padStart(2, '0')
    else if (ch !== ' ' && /^[\p{C}\p{Z}]$/u.test(ch)) {
      out +=
        code <= 0xffff
          ? '\\u' + code.toString(16).padStart(4, '0')
          : '\\U' + code.toString(16).padStart(8, '0')
    } else out += ch
  }
  return out + quote
}

/** An int argument as CPython's "i" format converts it (bool is an int; float is refused). */
function intArg(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (value > INT_MAX) throw new OverflowError('signed integer is greater than maximum')
    if (value < INT_MIN) throw new OverflowError('signed integer is less than minimum')
    return value === 0 ? 0 : value
  }
  throw new PyTypeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer`)
}

function isInt(value: unknown): value is number | boolean {
  return typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value))
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0')
}

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b)
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b
}

function bigFloorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q
}

function bigMod(a: bigint, b: bigint): bigint {
  return a - bigFloorDiv(a, b) * b
}

/** Nearest integer to a / b, halves to even (CPython's `divide_nearest`). */
function divideNearest(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new ZeroDivisionError('integer division or modulo by zero')
  if (b < 0n) {
    a = -a
    b = -b
  }
  let q = bigFloorDiv(a, b)
  const twice = 2n * (a - q * b)
  if (twice > b || (twice === b && (q & 1n) === 1n)) q += 1n
  return q
}

/** a / b correctly rounded to a double, as Python's int / int. */
function divToFloat(a: bigint, b: bigint): number {
  if (b === 0n) throw new ZeroDivisionError('division by zero')
  const negative = a < 0n !== b < 0n
  if (a < 0n) a = -a
  if (b < 0n) b = -b
  let result: number
  const limit = 1n << 53n
  if (a <= limit && b <= limit) result = Number(a) / Number(b)
  else {
    // Scale to a quotient of 55+ bits, fold the remainder into a sticky bit, let Number() round.
    const shift = a.toString(2).length - b.toString(2).length - 55
    if (shift > 0) b <<= BigInt(shift)
    else a <<= BigInt(-shift)
    let q = a / b
    if (a % b !== 0n) q |= 1n
    result = Number(q) * 2 ** shift
  }
  return negative ? -result : result
}

/** float.as_integer_ratio() */
function integerRatio(x: number): [bigint, bigint] {
  if (Number.isNaN(x)) throw new ValueError('cannot convert NaN to integer ratio')
  if (!Number.isFinite(x)) throw new OverflowError('cannot convert Infinity to integer ratio')
  let denominator = 1n
  while (!Number.isInteger(x)) {
    x *= 2
    denominator *= 2n
  }
  return [BigInt(x), denominator]
}

/** C's round(): halves away from zero. */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x))
}

function roundHalfEven(x: number): number {
  if (Math.abs(x - Math.trunc(x)) === 0.5) return 2 * Math.round(x / 2)
  return Math.round(x)
}

// ---------------------------------------------------------------------------------------------
// Proleptic Gregorian calendar (CPython's helpers)

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const DAYS_BEFORE_MONTH = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
const DI400Y = 146097
const DI100Y = 36524
const DI4Y = 1461

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
}

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month]
}

function daysBeforeYear(year: number): number {
  const y = year - 1
  return y * 365 + floorDiv(y, 4) - floorDiv(y, 100) + floorDiv(y, 400)
}

function daysBeforeMonth(year: number, month: number): number {
  return DAYS_BEFORE_MONTH[month] + (month > 2 && isLeap(year) ? 1 : 0)
}

function ymdToOrd(year: number, month: number, day: number): number {
  return daysBeforeYear(year) + daysBeforeMonth(year, month) + day
}

/** ordinal → [year, month, day]; any ordinal (years outside 1..9999 for range errors). */
function ordToYmd(ordinal: number): [number, number, number] {
  let n = ordinal - 1
  const n400 = floorDiv(n, DI400Y)
  n = mod(n, DI400Y)
  let year = n400 * 400 + 1
  const n100 = floorDiv(n, DI100Y)
  n = mod(n, DI100Y)
  const n4 = floorDiv(n, DI4Y)
  n = mod(n, DI4Y)
  const n1 = floorDiv(n, 365)
  n = mod(n, 365)
  year += n100 * 100 + n4 * 4 + n1
  if (n1 === 4 || n100 === 4) return [year - 1, 12, 31]
  const leap = n1 === 3 && (n4 !== 24 || n100 === 3)
  let month = (n + 50) >> 5
  let preceding = DAYS_BEFORE_MONTH[month] + (month > 2 && leap ? 1 : 0)
  if (preceding > n) {
    month -= 1
    preceding -= DAYS_IN_MONTH[month] + (month === 2 && leap ? 1 : 0)
  }
  return [year, month, n - preceding + 1]
}

/** Ordinal of the Monday of ISO week 1 of `year`. */
function isoWeek1Monday(year: number): number {
  const firstDay = ymdToOrd(year, 1, 1)
  const firstWeekday = (firstDay + 6) % 7
  let week1Monday = firstDay - firstWeekday
  if (firstWeekday > 3) week1Monday += 7
  return week1Monday
}

function checkDate(year: number, month: number, day: number): void {
  if (year < MINYEAR || year > MAXYEAR) throw new ValueError(`year ${year} is out of range`)
  if (month < 1 || month > 12) throw new ValueError('month must be in 1..12')
  if (day < 1 || day > daysInMonth(year, month))
    throw new ValueError('day is out of range for month')
}

function checkTime(hour: number, minute: number, second: number, microsecond: number): void {
  if (hour < 0 || hour > 23) throw new ValueError('hour must be in 0..23')
  if (minute < 0 || minute > 59) throw new ValueError('minute must be in 0..59')
  if (second < 0 || second > 59) throw new ValueError('second must be in 0..59')
  if (microsecond < 0 || microsecond > 999999)
    throw new ValueError('microsecond must be in 0..999999')
}

function checkTzinfo(tzinfo: unknown): PyTimezone | null {
  if (tzinfo === null || tzinfo === undefined) return null
  if (tzinfo instanceof PyTimezone) return tzinfo
  throw new PyTypeError(
    `tzinfo argument must be None or of a tzinfo subclass, not type '${pyTypeName(tzinfo)}'`,
  )
}

// ---------------------------------------------------------------------------------------------
// Local time (the only place JavaScript's Date is used, with the clock)

/** The local UTC offset, in seconds, at a Unix time (read from the local wall clock, to keep LMT's seconds). */
function localOffset(unixSeconds: number): number {
  const ms = unixSeconds * 1000
  if (!(Math.abs(ms) <= 8.64e15)) return 0
  const local = new Date(ms)
  const wall = new Date(0)
  wall.setUTCFullYear(local.getFullYear(), local.getMonth(), local.getDate())
  wall.setUTCHours(
    local.getHours(),
    local.getMinutes(),
    local.getSeconds(),
    local.getMilliseconds(),
  )
  const offset = Math.round((wall.getTime() - ms) / 1000)
  return Number.isNaN(offset) ? 0 : offset
}

/** Unix time of a local wall time, choosing the earlier time on folds (CPython's `local_to_seconds`, fold=0). */
function localToUnix(ordinal: number, hour: number, minute: number, second: number): number {
  const t = (ordinal - EPOCH_ORDINAL) * 86400 + hour * 3600 + minute * 60 + second
  const local = (u: number): number => u + localOffset(u)
  const a = local(t) - t
  const u1 = t - a
  const t1 = local(u1)
  let b: number
  if (t1 === t) {
    const u2 = u1 - 86400
    b = local(u2) - u2
    if (a === b) return u1
  } else b = t1 - u1
  const u2 = t - b
  if (local(u2) === t) return u2
  if (t1 === t) return u1
  return Math.max(u1, u2)
}

const zoneNameFormats = new Map<string, Intl.DateTimeFormat>()

/** A letter abbreviation of the local zone from Intl in `locale`, if it has one. */
function intlZoneName(locale: string, unixSeconds: number): string | null {
  let format = zoneNameFormats.get(locale)
  if (!format)
    zoneNameFormats.set(
      locale,
      (format = new Intl.DateTimeFormat(locale, { timeZoneName: 'short' })),
    )
  const part = format
    .formatToParts(new Date(unixSeconds * 1000))
    .find((p) => p.type === 'timeZoneName')
  return part && /^[A-Za-z]+$/.test(part.value) ? part.value : null
}

/**
 * The local zone as `timezone(offset, abbreviation)` at a Unix time. glibc's abbreviation
 * (tm_zone) is not available to JavaScript: this takes Intl's en-US one (en-GB's in Europe),
 * else tzdata's numeric style (`+03`, `+0530`), which tzdata itself uses for most other zones.
 */
function localTimezone(unixSeconds: number): PyTimezone {
  const seconds = localOffset(unixSeconds)
  let name: string | null = null
  try {
    name = intlZoneName('en-US', unixSeconds)
    if (name === null && Intl.DateTimeFormat().resolvedOptions().timeZone.startsWith('Europe/'))
      name = intlZoneName('en-GB', unixSeconds)
  } catch {
    name = null
  }
  if (name === null) {
    const magnitude = Math.abs(seconds)
    const hhmm =
      pad(Math.floor(magnitude / 3600), 2) +
      (magnitude % 3600 ? pad(Math.floor((magnitude % 3600) / 60), 2) : '')
    name = (seconds < 0 ? '-' : '+') + hhmm
  }
  return new PyTimezone(new PyTimeDelta(0, seconds), name)
}

/** Current Unix time in microseconds. */
function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000)
}

/** A timestamp argument as [seconds, microseconds], rounded as CPython (`round` = half even or floor). */
function timestampParts(value: unknown, round: 'half-even' | 'floor'): [number, number] {
  if (isInt(value)) {
    const seconds = Number(value)
    if (!(seconds >= -(2 ** 63) && seconds < 2 ** 63))
      throw new OverflowError('timestamp out of range for platform time_t')
    return [seconds, 0]
  }
  if (typeof value === 'number' || value instanceof PyFloat) {
    const x = Number(value)
    if (Number.isNaN(x)) throw new ValueError('Invalid value NaN (not a number)')
    let whole = Math.trunc(x)
    let frac = (x - whole) * 1e6
    frac = round === 'half-even' ? roundHalfEven(frac) : Math.floor(frac)
    if (frac >= 1e6) {
      frac -= 1e6
      whole += 1
    } else if (frac < 0) {
      frac += 1e6
      whole -= 1
    }
    if (!(whole >= -(2 ** 63) && whole < 2 ** 63))
      throw new OverflowError('timestamp out of range for platform time_t')
    return [whole, frac]
  }
  throw new PyTypeError(`'${pyTypeName(value)}' object cannot be interpreted as an integer`)
}

/** Fields of a Unix time (already shifted to local time if wanted), with gmtime's range errors. */
function fieldsOfUnix(seconds: number): [number, number, number, number, number, number] {
  const days = floorDiv(seconds, 86400)
  const rest = seconds - days * 86400
  const [year, month, day] = ordToYmd(days + EPOCH_ORDINAL)
  if (year - 1900 > INT_MAX || year - 1900 < INT_MIN)
    throw new OSError('[Errno 75] Value too large for defined data type')
  if (year < MINYEAR || year > MAXYEAR) throw new ValueError(`year ${year} is out of range`)
  return [year, month, day, Math.floor(rest / 3600), Math.floor((rest % 3600) / 60), rest % 60]
}

// ---------------------------------------------------------------------------------------------
// timedelta

const TD_COMPONENTS: [string, bigint][] = [
  ['microseconds', 1n],
  ['milliseconds', 1000n],
  ['seconds', US_PER_SECOND],
  ['minutes', 60n * US_PER_SECOND],
  ['hours', 3600n * US_PER_SECOND],
  ['days', US_PER_DAY],
  ['weeks', 7n * US_PER_DAY],
]

/** Total microseconds → [days, seconds, microseconds], with Python's range errors. */
function splitMicros(total: bigint): [number, number, number] {
  const seconds = bigFloorDiv(total, US_PER_SECOND)
  const micros = Number(total - seconds * US_PER_SECOND)
  const days = bigFloorDiv(seconds, 86400n)
  const secs = Number(seconds - days * 86400n)
  if (days > BigInt(INT_MAX) || days < BigInt(INT_MIN))
    throw new OverflowError('Python int too large to convert to C int')
  const d = Number(days)
  if (Math.abs(d) > MAX_DELTA_DAYS)
    throw new OverflowError(`days=${d}; must have magnitude <= ${MAX_DELTA_DAYS}`)
  return [d, secs, micros]
}

function tdFromMicros(total: bigint): PyTimeDelta {
  const [d, s, us] = splitMicros(total)
  return new PyTimeDelta(d, s, us)
}

/**
 * Python's `timedelta`: normalised to days, seconds in [0, 86400) and microseconds in
 * [0, 1000000); the constructor takes Python's positional order and accepts floats, rounding
 * the sum of fractional microseconds half to even as CPython does.
 */
export class PyTimeDelta {
  readonly days: number
  readonly seconds: number
  readonly microseconds: number

  constructor(
    days: unknown = 0,
    seconds: unknown = 0,
    microseconds: unknown = 0,
    milliseconds: unknown = 0,
    minutes: unknown = 0,
    hours: unknown = 0,
    weeks: unknown = 0,
  ) {
    const values: Record<string, unknown> = {
      days,
      seconds,
      microseconds,
      milliseconds,
      minutes,
      hours,
      weeks,
    }
    let total = 0n
    let leftover = 0
    for (const [name, factor] of TD_COMPONENTS) {
      const value = values[name]
      if (isInt(value)) {
        total += BigInt(Number(value)) * factor
      } else if (typeof value === 'number' || value instanceof PyFloat) {
        const x = Number(value)
        if (Number.isNaN(x)) throw new ValueError('cannot convert float NaN to integer')
        if (!Number.isFinite(x)) throw new OverflowError('cannot convert float infinity to integer')
        const whole = Math.trunc(x)
        total += BigInt(whole) * factor
        const frac = x - whole
        if (frac !== 0) {
          const scaled = Number(factor) * frac
          const scaledWhole = Math.trunc(scaled)
          total += BigInt(scaledWhole)
          leftover += scaled - scaledWhole
        }
      } else {
        throw new PyTypeError(
          `unsupported type for timedelta ${name} component: ${pyTypeName(value)}`,
        )
      }
    }
    if (leftover !== 0) {
      let whole = roundHalfAway(leftover)
      if (Math.abs(whole - leftover) === 0.5) {
        const odd = Number(total & 1n)
        whole = 2 * roundHalfAway((leftover + odd) * 0.5) - odd
      }
      total += BigInt(whole)
    }
    const [d, s, us] = splitMicros(total)
    this.days = d
    this.seconds = s
    this.microseconds = us
  }

  static readonly min: PyTimeDelta = new PyTimeDelta(-MAX_DELTA_DAYS)
  static readonly max: PyTimeDelta = new PyTimeDelta(MAX_DELTA_DAYS, 86399, 999999)
  static readonly resolution: PyTimeDelta = new PyTimeDelta(0, 0, 1)

  /** Total microseconds, exactly. */
  toMicros(): bigint {
    return (
      (BigInt(this.days) * 86400n + BigInt(this.seconds)) * US_PER_SECOND +
      BigInt(this.microseconds)
    )
  }

  total_seconds(): unknown {
    return asFloat(divToFloat(this.toMicros(), US_PER_SECOND))
  }

  __str__(): string {
    const hh = Math.floor(this.seconds / 3600)
    const mm = Math.floor((this.seconds % 3600) / 60)
    const ss = this.seconds % 60
    let text = `${hh}:${pad(mm, 2)}:${pad(ss, 2)}`
    if (this.days) text = `${this.days} day${Math.abs(this.days) !== 1 ? 's' : ''}, ` + text
    if (this.microseconds) text += '.' + pad(this.microseconds, 6)
    return text
  }

  __repr__(): string {
    const parts: string[] = []
    if (this.days) parts.push(`days=${this.days}`)
    if (this.seconds) parts.push(`seconds=${this.seconds}`)
    if (this.microseconds) parts.push(`microseconds=${this.microseconds}`)
    return `datetime.timedelta(${parts.length ? parts.join(', ') : '0'})`
  }

  __eq__(other: unknown): boolean {
    return (
      other instanceof PyTimeDelta &&
      other.days === this.days &&
      other.seconds === this.seconds &&
      other.microseconds === this.microseconds
    )
  }

  __compare__(other: unknown): number | undefined {
    if (!(other instanceof PyTimeDelta)) return undefined
    return (
      this.days - other.days ||
      this.seconds - other.seconds ||
      this.microseconds - other.microseconds
    )
  }

  __hashkey__(): string {
    return `timedelta:${this.days},${this.seconds},${this.microseconds}`
  }

  __bool__(): boolean {
    return this.days !== 0 || this.seconds !== 0 || this.microseconds !== 0
  }

  __add__(other: unknown): PyTimeDelta | undefined {
    if (!(other instanceof PyTimeDelta)) return undefined
    return tdFromMicros(this.toMicros() + other.toMicros())
  }

  __radd__(other: unknown): PyTimeDelta | undefined {
    return this.__add__(other)
  }

  __sub__(other: unknown): PyTimeDelta | undefined {
    if (!(other instanceof PyTimeDelta)) return undefined
    return tdFromMicros(this.toMicros() - other.toMicros())
  }

  __rsub__(other: unknown): PyTimeDelta | undefined {
    if (!(other instanceof PyTimeDelta)) return undefined
    return tdFromMicros(other.toMicros() - this.toMicros())
  }

  /** td * int, td * float (exact product, rounded half to even). */
  __mul__(other: unknown): PyTimeDelta | undefined {
    if (isInt(other)) return tdFromMicros(this.toMicros() * BigInt(Number(other)))
    if (isFloat(other)) {
      const [n, d] = integerRatio(Number(other))
      return tdFromMicros(divideNearest(this.toMicros() * n, d))
    }
    return undefined
  }

  __rmul__(other: unknown): PyTimeDelta | undefined {
    return this.__mul__(other)
  }

  /** td / td → float; td / int, td / float → timedelta (rounded half to even). */
  __truediv__(other: unknown): unknown {
    if (other instanceof PyTimeDelta) return asFloat(divToFloat(this.toMicros(), other.toMicros()))
    if (isInt(other)) return tdFromMicros(divideNearest(this.toMicros(), BigInt(Number(other))))
    if (isFloat(other)) {
      const [n, d] = integerRatio(Number(other))
      return tdFromMicros(divideNearest(this.toMicros() * d, n))
    }
    return undefined
  }

  /** td // td → int; td // int → timedelta. */
  __floordiv__(other: unknown): unknown {
    if (other instanceof PyTimeDelta) {
      const divisor = other.toMicros()
      if (divisor === 0n) throw new ZeroDivisionError('integer division or modulo by zero')
      return Number(bigFloorDiv(this.toMicros(), divisor))
    }
    if (isInt(other)) {
      if (Number(other) === 0) throw new ZeroDivisionError('integer division or modulo by zero')
      return tdFromMicros(bigFloorDiv(this.toMicros(), BigInt(Number(other))))
    }
    return undefined
  }

  __mod__(other: unknown): PyTimeDelta | undefined {
    if (!(other instanceof PyTimeDelta)) return undefined
    const divisor = other.toMicros()
    if (divisor === 0n) throw new ZeroDivisionError('integer modulo by zero')
    return tdFromMicros(bigMod(this.toMicros(), divisor))
  }

  __neg__(): PyTimeDelta {
    return tdFromMicros(-this.toMicros())
  }

  __pos__(): PyTimeDelta {
    return this
  }

  __abs__(): PyTimeDelta {
    return this.days < 0 ? this.__neg__() : this
  }
}

// ---------------------------------------------------------------------------------------------
// timezone

/** `UTC±HH:MM[:SS[.ffffff]]`, the name of a timezone without one. */
function offsetName(offset: PyTimeDelta): string {
  const total = offset.toMicros()
  if (total === 0n) return 'UTC'
  const sign = total < 0n ? '-' : '+'
  const text = formatOffset(total < 0n ? -total : total, ':')
  return `UTC${sign}${text}`
}

/** HH<sep>MM[<sep>SS[.ffffff]] of a non-negative offset in microseconds. */
function formatOffset(micros: bigint, sep: string): string {
  const us = Number(micros % US_PER_SECOND)
  const seconds = Number(micros / US_PER_SECOND)
  const hh = Math.floor(seconds / 3600)
  const mm = Math.floor((seconds % 3600) / 60)
  const ss = seconds % 60
  let text = `${pad(hh, 2)}${sep}${pad(mm, 2)}`
  if (ss || us) text += `${sep}${pad(ss, 2)}`
  if (us) text += '.' + pad(us, 6)
  return text
}

/** Python's `timezone`: a fixed offset strictly between -24h and 24h, with an optional name. */
export class PyTimezone {
  readonly offset: PyTimeDelta
  readonly name: string | null

  constructor(offset: unknown, name: unknown = null) {
    if (!(offset instanceof PyTimeDelta))
      throw new PyTypeError(
        `timezone() argument 1 must be datetime.timedelta, not ${pyTypeName(offset)}`,
      )
    if (name !== null && name !== undefined && typeof name !== 'string')
      throw new PyTypeError(`timezone() argument 2 must be str, not ${pyTypeName(name)}`)
    const micros = offset.toMicros()
    if (micros <= -US_PER_DAY || micros >= US_PER_DAY) {
      throw new ValueError(
        `offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), not ${offset.__repr__()}.`,
      )
    }
    this.offset = offset
    this.name = typeof name === 'string' ? name : null
    // timezone(timedelta(0)) is timezone.utc, as in CPython.
    if (micros === 0n && this.name === null && PyTimezone.utc) return PyTimezone.utc
  }

  static readonly utc: PyTimezone = new PyTimezone(new PyTimeDelta(0))
  static readonly min: PyTimezone = new PyTimezone(new PyTimeDelta(0, -86399, -999999))
  static readonly max: PyTimezone = new PyTimezone(new PyTimeDelta(0, 86399, 999999))

  utcoffset(_dt?: unknown): PyTimeDelta {
    return this.offset
  }

  tzname(_dt?: unknown): string {
    return this.name ?? offsetName(this.offset)
  }

  dst(_dt?: unknown): null {
    return null
  }

  /** The wall time in this zone of a UTC datetime whose tzinfo is this zone. */
  fromutc(dt: unknown): PyDateTime {
    if (!(dt instanceof PyDateTime))
      throw new PyTypeError('fromutc() argument must be a datetime instance or None')
    if (dt.tzinfo !== this) throw new ValueError('fromutc: dt.tzinfo is not self')
    return dt.__add__(this.offset)!
  }

  __str__(): string {
    return this.tzname()
  }

  __repr__(): string {
    if (this === PyTimezone.utc) return 'datetime.timezone.utc'
    if (this.name === null) return `datetime.timezone(${this.offset.__repr__()})`
    return `datetime.timezone(${this.offset.__repr__()}, ${strRepr(this.name)})`
  }

  __eq__(other: unknown): boolean {
    return other instanceof PyTimezone && this.offset.__eq__(other.offset)
  }

  __hashkey__(): string {
    return 'timezone:' + this.offset.toMicros()
  }
}

// ---------------------------------------------------------------------------------------------
// replace() keyword arguments

function readChanges(changes: unknown, allowed: readonly string[]): Map<string, unknown> {
  const result = new Map<string, unknown>()
  if (changes === null || changes === undefined) return result
  let entries: Iterable<readonly [unknown, unknown]>
  const items = (changes as { items?: unknown }).items
  if (typeof items === 'function')
    entries = items.call(changes) as Iterable<readonly [unknown, unknown]>
  else if (typeof changes === 'object') entries = Object.entries(changes as Record<string, unknown>)
  else throw new PyTypeError('replace() arguments must be keywords')
  for (const [key, value] of entries) {
    if (typeof key !== 'string' || !allowed.includes(key))
      throw new PyTypeError(`'${String(key)}' is an invalid keyword argument for replace()`)
    result.set(key, value)
  }
  return result
}

// ---------------------------------------------------------------------------------------------
// date

const WEEKDAY_ABBR = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
const WEEKDAY_FULL = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
const MONTH_ABBR = [
  '',
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
]
const MONTH_FULL = [
  '',
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]

/** Python's `date` (proleptic Gregorian, years 1..9999). */
export class PyDate {
  readonly year: number
  readonly month: number
  readonly day: number

  constructor(year: unknown, month: unknown, day: unknown) {
    const y = intArg(year)
    const m = intArg(month)
    const d = intArg(day)
    checkDate(y, m, d)
    this.year = y
    this.month = m
    this.day = d
  }

  static readonly min: PyDate = new PyDate(1, 1, 1)
  static readonly max: PyDate = new PyDate(9999, 12, 31)
  static readonly resolution: PyTimeDelta = new PyTimeDelta(1)

  /** The local date. */
  static today(): PyDate {
    return PyDate.fromtimestamp(Math.floor(nowMicros() / 1e6))
  }

  /** The local date of a POSIX timestamp. */
  static fromtimestamp(timestamp: unknown): PyDate {
    const [seconds] = timestampParts(timestamp, 'floor')
    const [y, m, d] = fieldsOfUnix(seconds + localOffset(seconds))
    return new PyDate(y, m, d)
  }

  static fromordinal(ordinal: unknown): PyDate {
    const [y, m, d] = ymdOfOrdinal(ordinal)
    return new PyDate(y, m, d)
  }

  /** YYYY-MM-DD, YYYYMMDD, YYYY-Www[-D] and YYYYWww[D] (CPython 3.11). */
  static fromisoformat(text: unknown): PyDate {
    if (typeof text !== 'string') throw new PyTypeError('fromisoformat: argument must be str')
    const bytes = isoBytes(text)
    const parsed =
      bytes && (bytes.length === 7 || bytes.length === 8 || bytes.length === 10)
        ? parseIsoDate(bytes, 0, bytes.length)
        : null
    if (!parsed) throw new ValueError(`Invalid isoformat string: ${strRepr(text)}`)
    return new PyDate(...parsed)
  }

  static fromisocalendar(year: unknown, week: unknown, day: unknown): PyDate {
    const [y, m, d] = isoCalendarToYmd(intArg(year), intArg(week), intArg(day))
    return new PyDate(y, m, d)
  }

  toordinal(): number {
    return ymdToOrd(this.year, this.month, this.day)
  }

  /** Monday is 0. */
  weekday(): number {
    return (this.toordinal() + 6) % 7
  }

  /** Monday is 1. */
  isoweekday(): number {
    return this.weekday() + 1
  }

  /** [ISO year, ISO week, ISO weekday] as a tuple. */
  isocalendar(): readonly number[] {
    let year = this.year
    let week1Monday = isoWeek1Monday(year)
    const today = this.toordinal()
    let week = floorDiv(today - week1Monday, 7)
    if (week < 0) {
      year -= 1
      week1Monday = isoWeek1Monday(year)
      week = floorDiv(today - week1Monday, 7)
    } else if (week >= 52 && today >= isoWeek1Monday(year + 1)) {
      year += 1
      week = 0
    }
    return Object.freeze([year, week + 1, mod(today - week1Monday, 7) + 1])
  }

  isoformat(): string {
    return `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}`
  }

  ctime(): string {
    const [hh, mm, ss] = timeOf(this)
    return `${WEEKDAY_ABBR[this.weekday()]} ${MONTH_ABBR[this.month]} ${String(this.day).padStart(2, ' ')} ${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)} ${pad(this.year, 4)}`
  }

  strftime(format: unknown): string {
    return strftime(this, format)
  }

  replace(changes?: unknown): PyDate {
    const c = readChanges(changes, ['year', 'month', 'day'])
    return new PyDate(
      c.has('year') ? c.get('year') : this.year,
      c.has('month') ? c.get('month') : this.month,
      c.has('day') ? c.get('day') : this.day,
    )
  }

  /** f'{d:%Y}' */
  __format__(spec: unknown): string {
    if (typeof spec !== 'string')
      throw new PyTypeError(`__format__() argument 1 must be str, not ${pyTypeName(spec)}`)
    return spec === '' ? this.__str__() : this.strftime(spec)
  }

  /** Midnight UTC of this date. */
  toJsDate(): Date {
    return new Date((this.toordinal() - EPOCH_ORDINAL) * 86400000)
  }

  __str__(): string {
    return this.isoformat()
  }

  __repr__(): string {
    return `datetime.date(${this.year}, ${this.month}, ${this.day})`
  }

  __eq__(other: unknown): boolean {
    if (other instanceof PyDateTime || !(other instanceof PyDate)) return false
    return this.year === other.year && this.month === other.month && this.day === other.day
  }

  __compare__(other: unknown): number | undefined {
    if (other instanceof PyDateTime)
      throw new PyTypeError("can't compare datetime.datetime to datetime.date")
    if (!(other instanceof PyDate)) return undefined
    return this.toordinal() - other.toordinal()
  }

  __hashkey__(): string {
    return `date:${this.year}-${this.month}-${this.day}`
  }

  /** date + timedelta (only its days count). */
  __add__(other: unknown): PyDate | undefined {
    if (!(other instanceof PyTimeDelta)) return undefined
    return PyDate.fromordinal(shiftedOrdinal(this.toordinal() + other.days))
  }

  __radd__(other: unknown): PyDate | undefined {
    return this.__add__(other)
  }

  /** date - timedelta → date; date - date → timedelta. */
  __sub__(other: unknown): PyDate | PyTimeDelta | undefined {
    if (other instanceof PyTimeDelta)
      return PyDate.fromordinal(shiftedOrdinal(this.toordinal() - other.days))
    if (other instanceof PyDate && !(other instanceof PyDateTime))
      return new PyTimeDelta(this.toordinal() - other.toordinal())
    return undefined
  }
}

function ymdOfOrdinal(ordinal: unknown): [number, number, number] {
  const n = intArg(ordinal)
  if (n < 1) throw new ValueError('ordinal must be >= 1')
  const ymd = ordToYmd(n)
  if (ymd[0] > MAXYEAR) throw new ValueError(`year ${ymd[0]} is out of range`)
  return ymd
}

function shiftedOrdinal(ordinal: number): number {
  if (ordinal < 1 || ordinal > MAXORDINAL) throw new OverflowError('date value out of range')
  return ordinal
}

function isoCalendarToYmd(year: number, week: number, day: number): [number, number, number] {
  if (year < MINYEAR || year > MAXYEAR) throw new ValueError(`Year is out of range: ${year}`)
  if (week <= 0 || week >= 53) {
    let outOfRange = true
    if (week === 53) {
      const firstWeekday = (ymdToOrd(year, 1, 1) + 6) % 7
      if (firstWeekday === 3 || (firstWeekday === 2 && isLeap(year))) outOfRange = false
    }
    if (outOfRange) throw new ValueError(`Invalid week: ${week}`)
  }
  if (day <= 0 || day >= 8) throw new ValueError(`Invalid weekday: ${day} (range is [1, 7])`)
  return ordToYmd(isoWeek1Monday(year) + (week - 1) * 7 + day - 1)
}

/** [hour, minute, second, microsecond] of a date or datetime. */
function timeOf(value: PyDate): [number, number, number, number] {
  return value instanceof PyDateTime
    ? [value.hour, value.minute, value.second, value.microsecond]
    : [0, 0, 0, 0]
}

// ---------------------------------------------------------------------------------------------
// datetime

/** The datetime of a Unix time: in `zone`, else local wall time (`local`) or naive UTC. */
function datetimeFromUnix(
  seconds: number,
  micros: number,
  zone: PyTimezone | null,
  local: boolean,
): PyDateTime {
  if (zone === null) {
    const [y, m, d, hh, mm, ss] = fieldsOfUnix(local ? seconds + localOffset(seconds) : seconds)
    return new PyDateTime(y, m, d, hh, mm, ss, micros)
  }
  const [y, m, d, hh, mm, ss] = fieldsOfUnix(seconds)
  return zone.fromutc(new PyDateTime(y, m, d, hh, mm, ss, micros, zone))
}

const DATETIME_FIELDS = [
  'year',
  'month',
  'day',
  'hour',
  'minute',
  'second',
  'microsecond',
  'tzinfo',
  'fold',
] as const

/** Python's `datetime`: naive (tzinfo None) or aware with a fixed-offset `timezone`. */
export class PyDateTime extends PyDate {
  readonly hour: number
  readonly minute: number
  readonly second: number
  readonly microsecond: number
  readonly tzinfo: PyTimezone | null

  constructor(
    year: unknown,
    month: unknown,
    day: unknown,
    hour: unknown = 0,
    minute: unknown = 0,
    second: unknown = 0,
    microsecond: unknown = 0,
    tzinfo: unknown = null,
  ) {
    // CPython converts every argument before checking any.
    const fields = [year, month, day, hour, minute, second, microsecond].map(intArg)
    super(fields[0], fields[1], fields[2])
    checkTime(fields[3], fields[4], fields[5], fields[6])
    this.tzinfo = checkTzinfo(tzinfo)
    this.hour = fields[3]
    this.minute = fields[4]
    this.second = fields[5]
    this.microsecond = fields[6]
  }

  static override readonly min: PyDateTime = new PyDateTime(1, 1, 1)
  static override readonly max: PyDateTime = new PyDateTime(9999, 12, 31, 23, 59, 59, 999999)
  static override readonly resolution: PyTimeDelta = new PyTimeDelta(0, 0, 1)

  /** The local wall clock (naive), or the current time in `tz`. */
  static now(tz: unknown = null): PyDateTime {
    const micros = nowMicros()
    return datetimeFromUnix(Math.floor(micros / 1e6), mod(micros, 1e6), checkTzinfo(tz), true)
  }

  static utcnow(): PyDateTime {
    const micros = nowMicros()
    return datetimeFromUnix(Math.floor(micros / 1e6), mod(micros, 1e6), null, false)
  }

  static override today(): PyDateTime {
    return PyDateTime.now()
  }

  /** Local wall time (naive) of a POSIX timestamp, or the time in `tz`. */
  static override fromtimestamp(timestamp: unknown, tz: unknown = null): PyDateTime {
    const [seconds, micros] = timestampParts(timestamp, 'half-even')
    return datetimeFromUnix(seconds, micros, checkTzinfo(tz), true)
  }

  /** Naive UTC of a POSIX timestamp. */
  static utcfromtimestamp(timestamp: unknown): PyDateTime {
    const [seconds, micros] = timestampParts(timestamp, 'half-even')
    return datetimeFromUnix(seconds, micros, null, false)
  }

  static override fromordinal(ordinal: unknown): PyDateTime {
    const [y, m, d] = ymdOfOrdinal(ordinal)
    return new PyDateTime(y, m, d)
  }

  static override fromisocalendar(year: unknown, week: unknown, day: unknown): PyDateTime {
    const [y, m, d] = isoCalendarToYmd(intArg(year), intArg(week), intArg(day))
    return new PyDateTime(y, m, d)
  }

  /** CPython 3.11's ISO 8601 subset: a date form, any one-character separator, HH[:MM[:SS[.f…]]], Z or ±HH[:MM[:SS[.f]]]. */
  static override fromisoformat(text: unknown): PyDateTime {
    if (typeof text !== 'string') throw new PyTypeError('fromisoformat: argument must be str')
    const parsed = parseIsoDateTime(text)
    if (!parsed) throw new ValueError(`Invalid isoformat string: ${strRepr(text)}`)
    const [y, m, d, hh, mm, ss, us, offset] = parsed
    let tz: PyTimezone | null = null
    if (offset !== null)
      tz =
        offset[0] === 0 ? PyTimezone.utc : new PyTimezone(new PyTimeDelta(0, offset[0], offset[1]))
    return new PyDateTime(y, m, d, hh, mm, ss, us, tz)
  }

  static strptime(text: unknown, format: unknown): PyDateTime {
    return strptime(text, format)
  }

  date(): PyDate {
    return new PyDate(this.year, this.month, this.day)
  }

  utcoffset(): PyTimeDelta | null {
    return this.tzinfo ? this.tzinfo.utcoffset(this) : null
  }

  tzname(): string | null {
    return this.tzinfo ? this.tzinfo.tzname(this) : null
  }

  dst(): PyTimeDelta | null {
    return null
  }

  /** POSIX timestamp (float); a naive datetime is local time. */
  timestamp(): unknown {
    if (this.tzinfo === null) {
      const seconds = localToUnix(this.toordinal(), this.hour, this.minute, this.second)
      return asFloat(seconds + this.microsecond / 1e6)
    }
    return asFloat(divToFloat(this.utcMicros() - BigInt(EPOCH_ORDINAL) * US_PER_DAY, US_PER_SECOND))
  }

  /** Microseconds since 0001-01-01 00:00 of the wall time, minus the UTC offset when aware. */
  private utcMicros(): bigint {
    const wall =
      BigInt(this.toordinal() * 86400 + this.hour * 3600 + this.minute * 60 + this.second) *
        US_PER_SECOND +
      BigInt(this.microsecond)
    return this.tzinfo ? wall - this.tzinfo.offset.toMicros() : wall
  }

  isoformat(sep: unknown = 'T', timespec: unknown = 'auto'): string {
    if (typeof sep !== 'string' || [...sep].length !== 1) {
      throw new PyTypeError(
        `isoformat() argument 1 must be a unicode character, not ${pyTypeName(sep)}`,
      )
    }
    if (typeof timespec !== 'string')
      throw new PyTypeError(`isoformat() argument 2 must be str, not ${pyTypeName(timespec)}`)
    const hh = pad(this.hour, 2)
    const mm = pad(this.minute, 2)
    const ss = pad(this.second, 2)
    let time: string
    const spec = timespec === 'auto' ? (this.microsecond ? 'microseconds' : 'seconds') : timespec
    switch (spec) {
      case 'hours':
        time = hh
        break
      case 'minutes':
        time = `${hh}:${mm}`
        break
      case 'seconds':
        time = `${hh}:${mm}:${ss}`
        break
      case 'milliseconds':
        time = `${hh}:${mm}:${ss}.${pad(Math.floor(this.microsecond / 1000), 3)}`
        break
      case 'microseconds':
        time = `${hh}:${mm}:${ss}.${pad(this.microsecond, 6)}`
        break
      default:
        throw new ValueError('Unknown timespec value')
    }
    let text = super.isoformat() + sep + time
    if (this.tzinfo) {
      const offset = this.tzinfo.offset.toMicros()
      text += (offset < 0n ? '-' : '+') + formatOffset(offset < 0n ? -offset : offset, ':')
    }
    return text
  }

  override replace(changes?: unknown): PyDateTime {
    const c = readChanges(changes, DATETIME_FIELDS)
    if (c.has('fold')) {
      const fold = intArg(c.get('fold'))
      if (fold !== 0 && fold !== 1) throw new ValueError('fold must be either 0 or 1')
      if (fold === 1) throw new ValueError('fold=1 is not supported by this runtime')
    }
    const pick = (key: (typeof DATETIME_FIELDS)[number]): unknown =>
      c.has(key) ? c.get(key) : this[key as Exclude<typeof key, 'fold'>]
    return new PyDateTime(
      pick('year'),
      pick('month'),
      pick('day'),
      pick('hour'),
      pick('minute'),
      pick('second'),
      pick('microsecond'),
      pick('tzinfo'),
    )
  }

  /** The same instant in `tz` (local time, as a fixed-offset timezone, when tz is None). */
  astimezone(tz: unknown = null): PyDateTime {
    if (tz !== null && tz !== undefined && !(tz instanceof PyTimezone)) {
      throw new PyTypeError(
        `tzinfo argument must be None or of a tzinfo subclass, not type '${pyTypeName(tz)}'`,
      )
    }
    let mine = this.tzinfo
    if (mine === null)
      mine = localTimezone(localToUnix(this.toordinal(), this.hour, this.minute, this.second))
    if (tz === mine) return this
    const utc = this.shifted(mine.offset, -1).replace({ tzinfo: PyTimezone.utc })
    const target =
      tz instanceof PyTimezone
        ? tz
        : localTimezone(Number(bigFloorDiv(utc.utcMicros(), US_PER_SECOND)) - EPOCH_ORDINAL * 86400)
    return target.fromutc(utc.replace({ tzinfo: target }))
  }

  override toJsDate(): Date {
    return new Date(
      Number(bigFloorDiv(this.utcMicros() - BigInt(EPOCH_ORDINAL) * US_PER_DAY, 1000n)),
    )
  }

  override __str__(): string {
    return this.isoformat(' ')
  }

  override __repr__(): string {
    const fields = [this.year, this.month, this.day, this.hour, this.minute]
    if (this.microsecond) fields.push(this.second, this.microsecond)
    else if (this.second) fields.push(this.second)
    const tz = this.tzinfo ? `, tzinfo=${this.tzinfo.__repr__()}` : ''
    return `datetime.datetime(${fields.join(', ')}${tz})`
  }

  /** Comparison key, or null when naive. */
  private compareWith(other: PyDateTime): bigint | null {
    if (this.tzinfo === other.tzinfo || (this.tzinfo === null) === (other.tzinfo === null)) {
      if (this.tzinfo === other.tzinfo || this.tzinfo === null)
        return this.wallMicros() - other.wallMicros()
      return this.utcMicros() - other.utcMicros()
    }
    return null
  }

  private wallMicros(): bigint {
    return (
      BigInt(this.toordinal() * 86400 + this.hour * 3600 + this.minute * 60 + this.second) *
        US_PER_SECOND +
      BigInt(this.microsecond)
    )
  }

  override __eq__(other: unknown): boolean {
    if (!(other instanceof PyDateTime)) return false
    return this.compareWith(other) === 0n
  }

  override __compare__(other: unknown): number | undefined {
    if (!(other instanceof PyDate)) return undefined
    if (!(other instanceof PyDateTime))
      throw new PyTypeError("can't compare datetime.datetime to datetime.date")
    const difference = this.compareWith(other)
    if (difference === null)
      throw new PyTypeError("can't compare offset-naive and offset-aware datetimes")
    return difference < 0n ? -1 : difference > 0n ? 1 : 0
  }

  override __hashkey__(): string {
    if (this.tzinfo) return 'datetime@' + this.utcMicros()
    return `datetime:${this.year}-${this.month}-${this.day} ${this.hour}:${this.minute}:${this.second}.${this.microsecond}`
  }

  /** This datetime moved by `sign` × delta, tzinfo kept. */
  private shifted(delta: PyTimeDelta, sign: 1 | -1): PyDateTime {
    let us = this.microsecond + sign * delta.microseconds
    let seconds = this.hour * 3600 + this.minute * 60 + this.second + sign * delta.seconds
    let days = this.toordinal() + sign * delta.days
    seconds += floorDiv(us, 1000000)
    us = mod(us, 1000000)
    days += floorDiv(seconds, 86400)
    seconds = mod(seconds, 86400)
    const [y, m, d] = ordToYmd(shiftedOrdinal(days))
    return new PyDateTime(
      y,
      m,
      d,
      Math.floor(seconds / 3600),
      Math.floor((seconds % 3600) / 60),
      seconds % 60,
      us,
      this.tzinfo,
    )
  }

  override __add__(other: unknown): PyDateTime | undefined {
    if (!(other instanceof PyTimeDelta)) return undefined
    return this.shifted(other, 1)
  }

  override __radd__(other: unknown): PyDateTime | undefined {
    return this.__add__(other)
  }

  /** datetime - timedelta → datetime; datetime - datetime → timedelta (aware ones by UTC instant). */
  override __sub__(other: unknown): PyDateTime | PyTimeDelta | undefined {
    if (other instanceof PyTimeDelta) return this.shifted(other, -1)
    if (!(other instanceof PyDateTime)) return undefined
    if (this.tzinfo !== other.tzinfo && (this.tzinfo === null) !== (other.tzinfo === null)) {
      throw new PyTypeError("can't subtract offset-naive and offset-aware datetimes")
    }
    if (this.tzinfo === other.tzinfo || this.tzinfo === null)
      return tdFromMicros(this.wallMicros() - other.wallMicros())
    return tdFromMicros(this.utcMicros() - other.utcMicros())
  }
}

for (const [cls, name] of [
  [PyTimeDelta, 'timedelta'],
  [PyTimezone, 'timezone'],
  [PyDate, 'date'],
  [PyDateTime, 'datetime'],
] as const) {
  Object.defineProperty(cls, 'name', { value: name })
}

// ---------------------------------------------------------------------------------------------
// ISO 8601 parsing: a port of CPython 3.11's C parser, which works on the UTF-8 bytes

/** UTF-8 bytes of an ISO string as CPython sees them (a surrogate separator read as 'T'), or null. */
function isoBytes(text: string, sanitize = false): Uint8Array | null {
  const chars = Array.from(text)
  const lone = (ch: string | undefined): boolean =>
    ch !== undefined && ch.length === 1 && ch >= '\ud800' && ch <= '\udfff'
  if (sanitize) {
    for (const pos of [7, 8, 10]) {
      if (pos > chars.length) break
      if (lone(chars[pos])) {
        chars[pos] = 'T'
        break
      }
    }
  }
  if (chars.some(lone)) return null
  return new TextEncoder().encode(chars.join(''))
}

const ZERO = 0x30
const DASH = 0x2d

function byteAt(bytes: Uint8Array, i: number): number {
  return i < bytes.length ? bytes[i] : 0
}

/** Reads `count` ASCII digits at `pos`; [value, next position] or null. */
function parseDigits(bytes: Uint8Array, pos: number, count: number): [number, number] | null {
  let value = 0
  for (let i = 0; i < count; i++) {
    const digit = byteAt(bytes, pos + i) - ZERO
    if (digit < 0 || digit > 9) return null
    value = value * 10 + digit
  }
  return [value, pos + count]
}

/** The date part [start, start+len): YYYY-MM-DD, YYYYMMDD, YYYY-Www-D, YYYYWwwD, YYYY-Www, YYYYWww. */
function parseIsoDate(
  bytes: Uint8Array,
  start: number,
  len: number,
): [number, number, number] | null {
  const year = parseDigits(bytes, start, 4)
  if (!year) return null
  let p = year[1]
  const usesSeparator = byteAt(bytes, p) === DASH
  if (usesSeparator) p++
  if (byteAt(bytes, p) === 0x57 /* W */) {
    const week = parseDigits(bytes, p + 1, 2)
    if (!week) return null
    p = week[1]
    let isoDay = 1
    if (p - start < len) {
      if (usesSeparator && byteAt(bytes, p++) !== DASH) return null
      const day = parseDigits(bytes, p, 1)
      if (!day) return null
      isoDay = day[0]
    }
    try {
      const y = year[0]
      if (week[0] <= 0 || week[0] >= 53) {
        const firstWeekday = (ymdToOrd(y, 1, 1) + 6) % 7
        if (!(week[0] === 53 && (firstWeekday === 3 || (firstWeekday === 2 && isLeap(y)))))
          return null
      }
      if (isoDay <= 0 || isoDay >= 8) return null
      return ordToYmd(isoWeek1Monday(y) + (week[0] - 1) * 7 + isoDay - 1)
    } catch {
      return null
    }
  }
  const month = parseDigits(bytes, p, 2)
  if (!month) return null
  p = month[1]
  if (usesSeparator && byteAt(bytes, p++) !== DASH) return null
  const day = parseDigits(bytes, p, 2)
  if (!day) return null
  return [year[0], month[0], day[0]]
}

/** HH[:?MM[:?SS[{.,}ffffff…]]] in [start, end); [rv, h, m, s, us] with rv 1 when not at the string's end, or null. */
function parseHhMmSsFf(
  bytes: Uint8Array,
  start: number,
  end: number,
): [number, number, number, number, number] | null {
  const values = [0, 0, 0]
  let p = start
  let hasSeparator = true
  for (let i = 0; i < 3; i++) {
    const parsed = parseDigits(bytes, p, 2)
    if (!parsed) return null
    values[i] = parsed[0]
    p = parsed[1]
    const c = byteAt(bytes, p++)
    if (i === 0) hasSeparator = c === 0x3a
    if (p >= end) return [c !== 0 ? 1 : 0, values[0], values[1], values[2], 0]
    if (hasSeparator && c === 0x3a) continue
    if (c === 0x2e || c === 0x2c) break
    if (!hasSeparator) p--
    else return null
  }
  const remaining = end - p
  const toParse = Math.min(remaining, 6)
  const fraction = parseDigits(bytes, p, toParse)
  if (!fraction) return null
  let micros = fraction[0]
  p = fraction[1]
  if (toParse < 6) micros *= 10 ** (6 - toParse)
  while (byteAt(bytes, p) >= ZERO && byteAt(bytes, p) <= ZERO + 9) p++
  return [byteAt(bytes, p) !== 0 ? 1 : 0, values[0], values[1], values[2], micros]
}

type IsoDateTime = [number, number, number, number, number, number, number, [number, number] | null]

function parseIsoDateTime(text: string): IsoDateTime | null {
  if (Array.from(text).length < 7) return null
  const bytes = isoBytes(text, true)
  if (!bytes) return null
  const len = bytes.length
  const separator = findIsoSeparator(bytes)
  const date = parseIsoDate(bytes, 0, separator < 0 ? Infinity : separator)
  if (!date) return null
  if (len <= separator) return [...date, 0, 0, 0, 0, null]
  // Skip the separator, whatever its UTF-8 length.
  const lead = bytes[separator]
  const start =
    separator +
    ((lead & 0x80) === 0 ? 1 : (lead & 0xf0) === 0xe0 ? 3 : (lead & 0xf0) === 0xf0 ? 4 : 2)
  let tzPos = start
  do {
    const c = byteAt(bytes, tzPos)
    if (c === 0x5a /* Z */ || c === 0x2b || c === DASH) break
  } while (++tzPos < len)
  const time = parseHhMmSsFf(bytes, start, tzPos)
  if (!time) return null
  const [rv, hh, mm, ss, us] = time
  if (tzPos >= len) return rv === 1 ? null : [...date, hh, mm, ss, us, null]
  if (byteAt(bytes, tzPos) === 0x5a)
    return byteAt(bytes, tzPos + 1) !== 0 ? null : [...date, hh, mm, ss, us, [0, 0]]
  const sign = byteAt(bytes, tzPos) === DASH ? -1 : 1
  const zone = parseHhMmSsFf(bytes, tzPos + 1, len)
  if (!zone || zone[0] !== 0) return null
  return [
    ...date,
    hh,
    mm,
    ss,
    us,
    [sign * (zone[1] * 3600 + zone[2] * 60 + zone[3]), sign * zone[4]],
  ]
}

/** Where the date part ends (CPython's `_find_isoformat_datetime_separator`); -1 for none. */
function findIsoSeparator(bytes: Uint8Array): number {
  const len = bytes.length
  if (len === 7) return 7
  const isDigit = (i: number): boolean => byteAt(bytes, i) >= ZERO && byteAt(bytes, i) <= ZERO + 9
  if (byteAt(bytes, 4) === DASH) {
    if (byteAt(bytes, 5) !== 0x57) return 10
    if (len < 8) return -1
    if (len > 8 && byteAt(bytes, 8) === DASH) {
      if (len === 9) return -1
      if (len > 10 && isDigit(10)) return 8
      return 10
    }
    return 8
  }
  if (byteAt(bytes, 4) === 0x57) {
    let idx = 7
    while (idx < len && isDigit(idx)) idx++
    if (idx < 9) return idx
    return idx % 2 === 0 ? 7 : 8
  }
  return 8
}

// ---------------------------------------------------------------------------------------------
// strftime: Python's own %f %z %Z, then glibc's conversions in the C locale

/** Python's `wrap_strftime`: substitutes %f, %z and %Z; leaves the rest for strftime(3). */
function wrapStrftime(value: PyDate, format: string): string {
  let out = ''
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]
    if (ch !== '%') {
      out += ch
      continue
    }
    if (i + 1 >= format.length) {
      out += '%'
      continue
    }
    const next = format[++i]
    if (next === 'f') out += pad(timeOf(value)[3], 6)
    else if (next === 'z') {
      const offset =
        value instanceof PyDateTime && value.tzinfo ? value.tzinfo.offset.toMicros() : null
      if (offset !== null)
        out += (offset < 0n ? '-' : '+') + formatOffset(offset < 0n ? -offset : offset, '')
    } else if (next === 'Z') {
      const name = value instanceof PyDateTime ? value.tzname() : null
      if (name !== null) out += name.replace(/%/g, '%%')
    } else out += '%' + next
  }
  return out
}

function strftime(value: PyDate, format: unknown): string {
  if (typeof format !== 'string')
    throw new PyTypeError(`strftime() argument 1 must be str, not ${pyTypeName(format)}`)
  const wrapped = wrapStrftime(value, format)
  const text = glibcStrftime(value, wrapped)
  // time.strftime grows its buffer up to 256 bytes per format byte, then gives up with ''.
  const encoder = new TextEncoder()
  let size = 1024
  while (size < 256 * encoder.encode(wrapped).length) size *= 2
  return encoder.encode(text).length < size ? text : ''
}

/** Field widths beyond this cannot fit time.strftime's buffer anyway. */
const MAX_WIDTH = 1 << 20

/** Conversions that refuse the E or O modifier (glibc prints them back verbatim). */
const REFUSES_E = new Set('bBdeHIjkMlmSUVgGWwh')
const REFUSES_O = new Set('cxXY')
const REFUSES_ANY = new Set('aADF')

/** glibc's strftime in the C locale: flags _ - 0 ^ #, a field width, E/O modifiers, GNU conversions. */
function glibcStrftime(value: PyDate, format: string): string {
  const [hour, minute, second] = timeOf(value)
  const weekday = value.weekday()
  const cWeekday = (weekday + 1) % 7
  const yday = value.toordinal() - ymdToOrd(value.year, 1, 1)
  const hour12 = hour % 12 === 0 ? 12 : hour % 12
  let out = ''
  let i = 0
  while (i < format.length) {
    const ch = format[i]
    if (ch !== '%') {
      out += ch
      i++
      continue
    }
    const start = i
    let padChar = ''
    let upper = false
    let changeCase = false
    let width = -1
    i++
    for (; i < format.length; i++) {
      const f = format[i]
      if (f === '_' || f === '-' || f === '0') padChar = f
      else if (f === '^') upper = true
      else if (f === '#') changeCase = true
      else break
    }
    if (i < format.length && format[i] >= '0' && format[i] <= '9') {
      width = 0
      while (i < format.length && format[i] >= '0' && format[i] <= '9')
        width = Math.min(width * 10 + Number(format[i++]), MAX_WIDTH)
    }
    let modifier = ''
    if (format[i] === 'E' || format[i] === 'O') modifier = format[i++]
    // A directive cut short by the end of the format is printed back as it is.
    const conversion = i < format.length ? format[i] : ''
    const end = i < format.length ? i + 1 : format.length
    i = end
    let lower = false
    /** glibc's `add`: pads to the width with spaces (zeros with the 0 flag). */
    const emit = (text: string): void => {
      if (lower) text = text.toLowerCase()
      else if (upper) text = text.toUpperCase()
      if (width > text.length)
        text = (padChar === '0' ? '0' : ' ').repeat(width - text.length) + text
      out += text
    }
    /** glibc's DO_NUMBER: zero-padded (space-padded for %e %k %l) to max(digits, width); the - flag pads nothing. */
    const number = (digits: number, n: number, spacePad = false): void => {
      const style = padChar === '' && spacePad ? '_' : padChar
      let text = String(n)
      if (style !== '-' && Math.max(digits, width) > text.length)
        text = (style === '_' ? ' ' : '0').repeat(Math.max(digits, width) - text.length) + text
      emit(text)
    }
    const sub = (subformat: string): void => emit(glibcStrftime(value, subformat))
    const bad = (): void => emit(format.slice(start, end))
    // glibc applies # to %b and %h before refusing a modifier.
    if (changeCase && (conversion === 'b' || conversion === 'h')) upper = true
    if (
      (modifier === 'E' && REFUSES_E.has(conversion)) ||
      (modifier === 'O' && REFUSES_O.has(conversion)) ||
      (modifier && REFUSES_ANY.has(conversion))
    ) {
      bad()
      continue
    }
    switch (conversion) {
      case '%':
        emit('%')
        break
      case 'n':
        emit('\n')
        break
      case 't':
        emit('\t')
        break
      case 'a':
      case 'A':
      case 'b':
      case 'h':
      case 'B':
        if (changeCase) upper = true
        emit(
          conversion === 'a'
            ? WEEKDAY_ABBR[weekday]
            : conversion === 'A'
              ? WEEKDAY_FULL[weekday]
              : conversion === 'B'
                ? MONTH_FULL[value.month]
                : MONTH_ABBR[value.month],
        )
        break
      case 'p':
      case 'P':
        if (changeCase || conversion === 'P') lower = true
        emit(hour < 12 ? 'AM' : 'PM')
        break
      case 'Z':
        // Python substituted %Z; a flagged one reaches strftime(3) with no zone (tm_isdst is -1).
        if (changeCase) lower = true
        emit('')
        break
      case 'z':
        break
      case 'c':
        sub('%a %b %e %H:%M:%S %Y')
        break
      case 'D':
      case 'x':
        sub('%m/%d/%y')
        break
      case 'F':
        sub('%Y-%m-%d')
        break
      case 'r':
        sub('%I:%M:%S %p')
        break
      case 'R':
        sub('%H:%M')
        break
      case 'T':
      case 'X':
        sub('%H:%M:%S')
        break
      case 'C':
        number(1, Math.floor(value.year / 100))
        break
      case 'd':
        number(2, value.day)
        break
      case 'e':
        number(2, value.day, true)
        break
      case 'H':
        number(2, hour)
        break
      case 'I':
        number(2, hour12)
        break
      case 'k':
        number(2, hour, true)
        break
      case 'l':
        number(2, hour12, true)
        break
      case 'j':
        number(3, yday + 1)
        break
      case 'm':
        number(2, value.month)
        break
      case 'M':
        number(2, minute)
        break
      case 'S':
        number(2, second)
        break
      case 's':
        number(1, localToUnix(value.toordinal(), hour, minute, second))
        break
      case 'u':
        number(1, weekday + 1)
        break
      case 'w':
        number(1, cWeekday)
        break
      case 'U':
        number(2, Math.floor((yday - cWeekday + 7) / 7))
        break
      case 'W':
        number(2, Math.floor((yday - weekday + 7) / 7))
        break
      case 'G':
        number(1, value.isocalendar()[0])
        break
      case 'g':
        number(2, value.isocalendar()[0] % 100)
        break
      case 'V':
        number(2, value.isocalendar()[1])
        break
      case 'Y':
        number(1, value.year)
        break
      case 'y':
        number(2, value.year % 100)
        break
      default:
        bad()
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// strptime: a port of CPython 3.11's _strptime in the C locale

const LOCALE = {
  aWeekday: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  fWeekday: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'],
  aMonth: ['', 'jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  fMonth: [
    '',
    'january',
    'february',
    'march',
    'april',
    'may',
    'june',
    'july',
    'august',
    'september',
    'october',
    'november',
    'december',
  ],
  amPm: ['am', 'pm'],
  /** time.tzname is not known here: the names every locale accepts. */
  timezone: ['utc', 'gmt'],
}

/** Letters matched either case (Python compiles the format with IGNORECASE; %z's `Z` is the exception). */
function caseless(pattern: string): string {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]
    if (ch === '\\') {
      out += ch + (pattern[i + 1] ?? '')
      i++
      continue
    }
    const lower = ch.toLowerCase()
    const upper = ch.toUpperCase()
    out += lower !== upper && lower.length === 1 && upper.length === 1 ? `[${lower}${upper}]` : ch
  }
  return out
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
}

/**
 * A directive's regex twice over: for JavaScript (named groups `(?<x>`, letters as `[xX]`
 * classes since there is no inline `(?-i:…)`), and in Python's own syntax, kept only to
 * report a repeated directive with re's message (group numbers and positions).
 */
interface Pattern {
  js: string
  py: string
}

/** _strptime's fixed patterns (Python syntax; `\d` is ASCII in both once `[0-9]` is all we accept). */
function fixed(name: string, body: string): Pattern {
  return { js: `(?<${name}>${body})`, py: `(?P<${name}>${body})` }
}

/** `TimeRE.__seqToRE`: `(?P<name>longest|…|shortest)`, case-insensitive. */
function seqToRe(values: string[], name: string): Pattern {
  const sorted = [...values].sort((a, b) => b.length - a.length)
  if (sorted.every((v) => v === '')) return { js: '', py: '' }
  return {
    js: `(?<${name}>${sorted.map((v) => caseless(escapeRegex(v))).join('|')})`,
    py: `(?P<${name}>${sorted.map(escapeRegex).join('|')})`,
  }
}

/** A format directive _strptime has no pattern for (Python's KeyError inside TimeRE). */
class BadDirective extends Error {}

/** Python's `re.error`, which _strptime lets through when a directive repeats. */
class ReError extends Exception {}
Object.defineProperty(ReError, 'name', { value: 'error' })

const DIRECTIVES: Record<string, Pattern> = {
  d: fixed('d', '3[0-1]|[1-2]\\d|0[1-9]|[1-9]| [1-9]'),
  f: fixed('f', '[0-9]{1,6}'),
  H: fixed('H', '2[0-3]|[0-1]\\d|\\d'),
  I: fixed('I', '1[0-2]|0[1-9]|[1-9]'),
  G: fixed('G', '\\d\\d\\d\\d'),
  j: fixed('j', '36[0-6]|3[0-5]\\d|[1-2]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9]'),
  m: fixed('m', '1[0-2]|0[1-9]|[1-9]'),
  M: fixed('M', '[0-5]\\d|\\d'),
  S: fixed('S', '6[0-1]|[0-5]\\d|\\d'),
  U: fixed('U', '5[0-3]|[0-4]\\d|\\d'),
  W: fixed('W', '5[0-3]|[0-4]\\d|\\d'),
  w: fixed('w', '[0-6]'),
  u: fixed('u', '[1-7]'),
  V: fixed('V', '5[0-3]|0[1-9]|[1-4]\\d|\\d'),
  y: fixed('y', '\\d\\d'),
  Y: fixed('Y', '\\d\\d\\d\\d'),
  // The Z of %z is case-sensitive even under IGNORECASE; the JS pattern has no i flag at all.
  z: {
    js: '(?<z>[+-]\\d\\d:?[0-5]\\d(:?[0-5]\\d(\\.\\d{1,6})?)?|Z)',
    py: '(?P<z>[+-]\\d\\d:?[0-5]\\d(:?[0-5]\\d(\\.\\d{1,6})?)?|(?-i:Z))',
  },
  A: seqToRe(LOCALE.fWeekday, 'A'),
  a: seqToRe(LOCALE.aWeekday, 'a'),
  B: seqToRe(LOCALE.fMonth.slice(1), 'B'),
  b: seqToRe(LOCALE.aMonth.slice(1), 'b'),
  p: seqToRe(LOCALE.amPm, 'p'),
  Z: seqToRe(LOCALE.timezone, 'Z'),
  '%': { js: '%', py: '%' },
}
DIRECTIVES.c = timePattern('%a %b %d %H:%M:%S %Y', '')
DIRECTIVES.x = timePattern('%m/%d/%y', '')
DIRECTIVES.X = timePattern('%H:%M:%S', '')

/** `TimeRE.pattern`: escape, whitespace runs to \s+, then directives (a stray % or unknown one throws). */
function timePattern(format: string, original: string): Pattern {
  let rest = format.replace(/[\\.^$*+?(){}[\]|]/g, '\\$&').replace(/\s+/g, '\\s+')
  let js = ''
  let py = ''
  for (let index = rest.indexOf('%'); index >= 0; index = rest.indexOf('%')) {
    if (index + 1 >= rest.length) throw new ValueError(`stray % in format '${original}'`)
    const directive = rest[index + 1]
    const pattern = DIRECTIVES[directive]
    if (pattern === undefined) throw new BadDirective(directive === '\\' ? '%' : directive)
    js += caseless(rest.slice(0, index)) + pattern.js
    py += rest.slice(0, index) + pattern.py
    rest = rest.slice(index + 2)
  }
  return { js: js + caseless(rest), py: py + rest }
}

/** re's error for a group name defined twice in a Python pattern, or null. */
function redefinedGroup(pattern: string): string | null {
  const seen = new Map<string, number>()
  let group = 0
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]
    if (ch === '\\') i++
    else if (inClass) inClass = ch !== ']'
    else if (ch === '[') inClass = true
    else if (ch === '(' && pattern[i + 1] !== '?') group++
    else if (pattern.startsWith('(?P<', i)) {
      group++
      const at = i + 4
      const name = pattern.slice(at, pattern.indexOf('>', at))
      const previous = seen.get(name)
      if (previous !== undefined)
        return `redefinition of group name ${strRepr(name)} as group ${group}; was group ${previous} at position ${at}`
      seen.set(name, group)
    }
  }
  return null
}

const strptimeCache = new Map<string, RegExp>()

function compileFormat(format: string): RegExp {
  let regex = strptimeCache.get(format)
  if (regex) return regex
  let pattern: Pattern
  try {
    pattern = timePattern(format, format)
  } catch (error) {
    if (error instanceof BadDirective)
      throw new ValueError(`'${error.message}' is a bad directive in format '${format}'`)
    throw error
  }
  const redefined = redefinedGroup(pattern.py)
  if (redefined !== null) throw new ReError(redefined)
  regex = new RegExp('^(?:' + pattern.js + ')')
  if (strptimeCache.size > 64) strptimeCache.clear()
  strptimeCache.set(format, regex)
  return regex
}

/** Python's int() of a str, for the few places _strptime applies it to unchecked text. */
function parseInt10(text: string): number {
  if (!/^\s*[+-]?\d+(_\d+)*\s*$/.test(text))
    throw new ValueError(`invalid literal for int() with base 10: ${strRepr(text)}`)
  return Number(text.replace(/_/g, ''))
}

function julianFromUOrW(
  year: number,
  weekOfYear: number,
  dayOfWeek: number,
  weekStartsMon: boolean,
): number {
  let firstWeekday = new PyDate(year, 1, 1).weekday()
  if (!weekStartsMon) {
    firstWeekday = (firstWeekday + 1) % 7
    dayOfWeek = (dayOfWeek + 1) % 7
  }
  const week0Length = (7 - firstWeekday) % 7
  if (weekOfYear === 0) return 1 + dayOfWeek - firstWeekday
  return 1 + week0Length + 7 * (weekOfYear - 1) + dayOfWeek
}

function julianFromV(isoYear: number, isoWeek: number, isoWeekday: number): [number, number] {
  const correction = new PyDate(isoYear, 1, 4).isoweekday() + 3
  let ordinal = isoWeek * 7 + isoWeekday - correction
  if (ordinal < 1) {
    ordinal += new PyDate(isoYear, 1, 1).toordinal()
    isoYear -= 1
    ordinal -= new PyDate(isoYear, 1, 1).toordinal()
  }
  return [isoYear, ordinal]
}

function strptime(text: unknown, format: unknown): PyDateTime {
  if (typeof text !== 'string')
    throw new PyTypeError(`strptime() argument 1 must be str, not ${pyTypeName(text)}`)
  if (typeof format !== 'string')
    throw new PyTypeError(`strptime() argument 2 must be str, not ${pyTypeName(format)}`)
  const found = compileFormat(format).exec(text)
  if (!found)
    throw new ValueError(`time data ${strRepr(text)} does not match format ${strRepr(format)}`)
  if (found[0].length !== text.length)
    throw new ValueError(`unconverted data remains: ${text.slice(found[0].length)}`)

  let isoYear: number | null = null
  let year: number | null = null
  let month = 1
  let day = 1
  let hour = 0
  let minute = 0
  let second = 0
  let fraction = 0
  let gmtoff: number | null = null
  let gmtoffFraction = 0
  let isoWeek: number | null = null
  let weekOfYear: number | null = null
  let weekOfYearStart: number | null = null
  let weekday: number | null = null
  let julian: number | null = null
  const groups = found.groups ?? {}
  for (const [key, matched] of Object.entries(groups)) {
    if (matched === undefined) continue
    switch (key) {
      case 'y':
        year = Number(matched)
        year += year <= 68 ? 2000 : 1900
        break
      case 'Y':
        year = Number(matched)
        break
      case 'G':
        isoYear = Number(matched)
        break
      case 'm':
        month = Number(matched)
        break
      case 'B':
        month = LOCALE.fMonth.indexOf(matched.toLowerCase())
        break
      case 'b':
        month = LOCALE.aMonth.indexOf(matched.toLowerCase())
        break
      case 'd':
        day = Number(matched)
        break
      case 'H':
        hour = Number(matched)
        break
      case 'I': {
        hour = Number(matched)
        const ampm = (groups.p ?? '').toLowerCase()
        if (ampm === '' || ampm === LOCALE.amPm[0]) {
          if (hour === 12) hour = 0
        } else if (ampm === LOCALE.amPm[1] && hour !== 12) hour += 12
        break
      }
      case 'M':
        minute = Number(matched)
        break
      case 'S':
        second = Number(matched)
        break
      case 'f':
        fraction = Number(matched.padEnd(6, '0'))
        break
      case 'A':
        weekday = LOCALE.fWeekday.indexOf(matched.toLowerCase())
        break
      case 'a':
        weekday = LOCALE.aWeekday.indexOf(matched.toLowerCase())
        break
      case 'w':
        weekday = Number(matched)
        weekday = weekday === 0 ? 6 : weekday - 1
        break
      case 'u':
        weekday = Number(matched) - 1
        break
      case 'j':
        julian = Number(matched)
        break
      case 'U':
      case 'W':
        weekOfYear = Number(matched)
        weekOfYearStart = key === 'U' ? 6 : 0
        break
      case 'V':
        isoWeek = Number(matched)
        break
      case 'z': {
        let z = matched
        if (z === 'Z') gmtoff = 0
        else {
          if (z[3] === ':') {
            z = z.slice(0, 3) + z.slice(4)
            if (z.length > 5) {
              if (z[5] !== ':') throw new ValueError(`Inconsistent use of : in ${matched}`)
              z = z.slice(0, 5) + z.slice(6)
            }
          }
          const hours = parseInt10(z.slice(1, 3))
          const minutes = parseInt10(z.slice(3, 5))
          const seconds = z.slice(5, 7) ? parseInt10(z.slice(5, 7)) : 0
          gmtoff = hours * 3600 + minutes * 60 + seconds
          const remainder = z.slice(8)
          gmtoffFraction = parseInt10(remainder + '0'.repeat(6 - remainder.length))
          if (z.startsWith('-')) {
            gmtoff = -gmtoff
            gmtoffFraction = -gmtoffFraction
          }
        }
        break
      }
    }
  }
  if (year === null && isoYear !== null) {
    if (isoWeek === null || weekday === null) {
      throw new ValueError(
        "ISO year directive '%G' must be used with the ISO week directive '%V' and a weekday directive ('%A', '%a', '%w', or '%u').",
      )
    }
    if (julian !== null)
      throw new ValueError(
        "Day of the year directive '%j' is not compatible with ISO year directive '%G'. Use '%Y' instead.",
      )
  } else if (weekOfYear === null && isoWeek !== null) {
    if (weekday === null) {
      throw new ValueError(
        "ISO week directive '%V' must be used with the ISO year directive '%G' and a weekday directive ('%A', '%a', '%w', or '%u').",
      )
    }
    throw new ValueError(
      "ISO week directive '%V' is incompatible with the year directive '%Y'. Use the ISO year '%G' instead.",
    )
  }
  let leapYearFix = false
  if (year === null && month === 2 && day === 29) {
    year = 1904
    leapYearFix = true
  } else if (year === null) year = 1900
  if (julian === null && weekday !== null) {
    if (weekOfYear !== null)
      julian = julianFromUOrW(year, weekOfYear, weekday, weekOfYearStart === 0)
    else if (isoYear !== null && isoWeek !== null)
      [year, julian] = julianFromV(isoYear, isoWeek, weekday + 1)
    if (julian !== null && julian <= 0) {
      year -= 1
      julian += isLeap(year) ? 366 : 365
    }
  }
  if (julian === null) {
    new PyDate(year, month, day) // validates, as _strptime's toordinal() does
  } else {
    const result = PyDate.fromordinal(julian - 1 + new PyDate(year, 1, 1).toordinal())
    year = result.year
    month = result.month
    day = result.day
  }
  if (leapYearFix) year = 1900
  let tz: PyTimezone | null = null
  if (gmtoff !== null) {
    const delta = new PyTimeDelta(0, gmtoff, gmtoffFraction)
    tz = groups.Z ? new PyTimezone(delta, groups.Z) : new PyTimezone(delta)
  }
  return new PyDateTime(year, month, day, hour, minute, second, fraction, tz)
}
