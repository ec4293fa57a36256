/**
 * Python's `decimal.Decimal` in the default context (28 significant digits, ROUND_HALF_EVEN):
 * a sign, an integer coefficient (BigInt) and a power of ten, as `_pydecimal` keeps them, so
 * trailing zeros survive (`Decimal('1.10') + 1` is `Decimal('2.10')`), division and quantize round
 * as Python rounds, and `str()` is Python's to-scientific-string. Infinities and NaNs are not
 * carried: building one raises.
 */
import { ArithmeticError, TypeError as PyTypeError, ZeroDivisionError } from './exceptions.js'
import { isFloat } from './float.js'
import { typeName, type Py } from './py.js'

/** `decimal.DecimalException`, and the signals handlers catch. */
export class DecimalException extends ArithmeticError {
  // DivisionByZero is also a ZeroDivisionError, which it extends: it is a DecimalException too.
  static [Symbol.hasInstance](value: unknown): boolean {
    return (
      Function.prototype[Symbol.hasInstance].call(this, value) ||
      (this === DecimalException && value instanceof DivisionByZero)
    )
  }
}
export class InvalidOperation extends DecimalException {}
export class DivisionByZero extends ZeroDivisionError {}

const PREC = 28

export const ROUND_DOWN = 'ROUND_DOWN'
export const ROUND_HALF_UP = 'ROUND_HALF_UP'
export const ROUND_HALF_EVEN = 'ROUND_HALF_EVEN'
export const ROUND_CEILING = 'ROUND_CEILING'
export const ROUND_FLOOR = 'ROUND_FLOOR'
export const ROUND_UP = 'ROUND_UP'
export const ROUND_HALF_DOWN = 'ROUND_HALF_DOWN'
export const ROUND_05UP = 'ROUND_05UP'
const ROUNDINGS = new Set([
  ROUND_DOWN,
  ROUND_HALF_UP,
  ROUND_HALF_EVEN,
  ROUND_CEILING,
  ROUND_FLOOR,
  ROUND_UP,
  ROUND_HALF_DOWN,
  ROUND_05UP,
])

const pow10 = (n: number): bigint => 10n ** BigInt(n)
const digits = (c: bigint): number => (c === 0n ? 1 : c.toString().length)

function signal(cls: typeof InvalidOperation | typeof DivisionByZero, name: string): never {
  throw new cls(`[<class 'decimal.${name}'>]`)
}

/** Drops `drop` digits of a coefficient: the kept digits, plus one when the rounding goes up. */
function roundCoefficient(coef: bigint, drop: number, sign: number, rounding: string): bigint {
  if (drop <= 0) return coef
  const unit = pow10(drop)
  const q = coef / unit
  const r = coef % unit
  const half = 5n * pow10(drop - 1)
  let up: boolean
  switch (rounding) {
    case ROUND_DOWN:
      up = false
      break
    case ROUND_UP:
      up = r > 0n
      break
    case ROUND_HALF_UP:
      up = r >= half
      break
    case ROUND_HALF_DOWN:
      up = r > half
      break
    case ROUND_CEILING:
      up = sign === 0 && r > 0n
      break
    case ROUND_FLOOR:
      up = sign === 1 && r > 0n
      break
    case ROUND_05UP:
      up = r > 0n && (q % 10n === 0n || q % 10n === 5n)
      break
    default:
      up = r > half || (r === half && q % 2n === 1n)
  }
  return up ? q + 1n : q
}

export class Decimal {
  static readonly pyName = 'decimal.Decimal'
  readonly sign: number
  readonly coef: bigint
  readonly exp: number

  /** `Decimal(value="0")` from a str, an int, a float (its exact binary value) or a Decimal. */
  constructor(value: Py = '0', sign?: number, coef?: bigint, exp?: number) {
    if (sign !== undefined) {
      this.sign = sign
      this.coef = coef!
      this.exp = exp!
      return
    }
    if (value instanceof Decimal) {
      ;[this.sign, this.coef, this.exp] = [value.sign, value.coef, value.exp]
    } else if (typeof value === 'string') {
      const m = /^([+-])?(?=\d|\.\d)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(
        value.trim().replace(/_/g, ''),
      )
      if (!m) signal(InvalidOperation, 'ConversionSyntax')
      const fraction = m[3] ?? ''
      this.sign = m[1] === '-' ? 1 : 0
      this.coef = BigInt((m[2] ?? '') + fraction || '0')
      this.exp = Number(m[4] ?? 0) - fraction.length
    } else if (typeof value === 'boolean' || (typeof value === 'number' && !isFloat(value))) {
      const n = Number(value)
      this.sign = n < 0 || Object.is(n, -0) ? 1 : 0
      this.coef = BigInt(Math.abs(n))
      this.exp = 0
    } else if (isFloat(value)) {
      const x = Number(value)
      if (!Number.isFinite(x))
        throw new ArithmeticError('the service does not carry Decimal infinities or NaN')
      const [sign, coef, exp] = exactFloat(x)
      ;[this.sign, this.coef, this.exp] = [sign, coef, exp]
    } else {
      throw new PyTypeError(`conversion from ${typeName(value)} to Decimal is not supported`)
    }
  }

  /** The exponent of the most significant digit. */
  adjusted(): number {
    return this.exp + digits(this.coef) - 1
  }

  private signed(): bigint {
    return this.sign ? -this.coef : this.coef
  }

  __add__(other: Py): Py {
    const b = operand(other)
    if (b === undefined) return undefined
    const exp = Math.min(this.exp, b.exp)
    const sum = this.signed() * pow10(this.exp - exp) + b.signed() * pow10(b.exp - exp)
    const sign = sum < 0n || (sum === 0n && this.sign === 1 && b.sign === 1) ? 1 : 0
    return fix(sign, sum < 0n ? -sum : sum, exp)
  }
  __radd__(other: Py): Py {
    return this.__add__(other)
  }
  __sub__(other: Py): Py {
    const b = operand(other)
    return b === undefined ? undefined : this.__add__(of(1 - b.sign, b.coef, b.exp))
  }
  __rsub__(other: Py): Py {
    const a = operand(other)
    return a === undefined ? undefined : a.__sub__(this)
  }
  __mul__(other: Py): Py {
    const b = operand(other)
    if (b === undefined) return undefined
    return fix(this.sign ^ b.sign, this.coef * b.coef, this.exp + b.exp)
  }
  __rmul__(other: Py): Py {
    return this.__mul__(other)
  }
  __truediv__(other: Py): Py {
    const b = operand(other)
    return b === undefined ? undefined : divide(this, b)
  }
  __rtruediv__(other: Py): Py {
    const a = operand(other)
    return a === undefined ? undefined : divide(a, this)
  }
  __floordiv__(other: Py): Py {
    const b = operand(other)
    return b === undefined ? undefined : divideInteger(this, b)[0]
  }
  __rfloordiv__(other: Py): Py {
    const a = operand(other)
    return a === undefined ? undefined : divideInteger(a, this)[0]
  }
  __mod__(other: Py): Py {
    const b = operand(other)
    return b === undefined ? undefined : divideInteger(this, b)[1]
  }
  __rmod__(other: Py): Py {
    const a = operand(other)
    return a === undefined ? undefined : divideInteger(a, this)[1]
  }
  /** `x ** n` for an integer `n >= 0`: exact, then rounded once. */
  __pow__(other: Py): Py {
    if (other instanceof Decimal && other.exp >= 0)
      other = Number(other.signed() * pow10(other.exp))
    if (typeof other !== 'number' || isFloat(other) || !Number.isInteger(other)) return undefined
    if (other < 0)
      throw new ArithmeticError('the service does not carry a Decimal raised to a negative power')
    return fix(other % 2 === 1 ? this.sign : 0, this.coef ** BigInt(other), this.exp * other)
  }
  __neg__(): Decimal {
    return fix(this.coef === 0n ? 0 : 1 - this.sign, this.coef, this.exp)
  }
  __pos__(): Decimal {
    return fix(this.coef === 0n ? 0 : this.sign, this.coef, this.exp)
  }
  __abs__(): Decimal {
    return fix(0, this.coef, this.exp)
  }
  __bool__(): boolean {
    return this.coef !== 0n
  }
  __int__(): number {
    const value = this.exp >= 0 ? this.coef * pow10(this.exp) : this.coef / pow10(-this.exp)
    return Number(this.sign ? -value : value)
  }
  __float__(): number {
    return Number(this.__str__())
  }
  /** `round(d)` is an int, `round(d, n)` a Decimal quantized to n places (both half-even). */
  __round__(ndigits: Py = null): Py {
    if (ndigits === null || ndigits === undefined)
      return this.quantize(of(0, 1n, 0), ROUND_HALF_EVEN).__int__()
    return this.quantize(of(0, 1n, -Number(ndigits)), ROUND_HALF_EVEN)
  }
  /** Python's ordering with ints, floats (their exact value) and Decimals; undefined for others. */
  __compare__(other: Py): number | undefined {
    const b = comparable(other)
    if (b === undefined) return undefined
    const exp = Math.min(this.exp, b.exp)
    const x = this.signed() * pow10(this.exp - exp)
    const y = b.signed() * pow10(b.exp - exp)
    return x < y ? -1 : x > y ? 1 : 0
  }
  __eq__(other: Py): boolean {
    return this.__compare__(other) === 0
  }

  /** `quantize(exp, rounding=None)`: the exponent of `exp`, the coefficient rounded to it. */
  quantize(exp: Py, rounding: Py = null): Decimal {
    const target = operand(exp)
    if (target === undefined)
      throw new PyTypeError(`conversion from ${typeName(exp)} to Decimal is not supported`)
    const mode = rounding ?? ROUND_HALF_EVEN
    if (!ROUNDINGS.has(mode))
      throw new PyTypeError(
        'valid values for rounding are:\n  [ROUND_CEILING, ROUND_FLOOR, ROUND_UP, ROUND_DOWN,\n   ROUND_HALF_UP, ROUND_HALF_DOWN, ROUND_HALF_EVEN,\n   ROUND_05UP]',
      )
    const result = rescale(this, target.exp, mode)
    if (digits(result.coef) > PREC) signal(InvalidOperation, 'InvalidOperation')
    return result
  }
  /** `to_integral_value(rounding=None)` (also `to_integral`). */
  to_integral_value(rounding: Py = null): Decimal {
    return this.exp >= 0 ? this : rescale(this, 0, rounding ?? ROUND_HALF_EVEN)
  }
  to_integral(rounding: Py = null): Decimal {
    return this.to_integral_value(rounding)
  }
  /** `normalize()`: trailing zeros stripped (zero is `Decimal('0')`). */
  normalize(): Decimal {
    const fixed = fix(this.sign, this.coef, this.exp)
    if (fixed.coef === 0n) return of(fixed.sign, 0n, 0)
    let { coef, exp } = fixed
    while (coef % 10n === 0n) {
      coef /= 10n
      exp += 1
    }
    return of(fixed.sign, coef, exp)
  }
  is_zero(): boolean {
    return this.coef === 0n
  }
  is_signed(): boolean {
    return this.sign === 1
  }
  copy_abs(): Decimal {
    return of(0, this.coef, this.exp)
  }

  /**
   * The key this Decimal has in a dict or set: the int or float it equals (as Python's hashes
   * agree), else a text no int, float or other Decimal value shares.
   */
  __hashvalue__(): Py {
    const n = this.normalize()
    if (n.exp >= 0) {
      const value = n.coef * pow10(n.exp)
      if (value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(n.sign ? -value : value)
    }
    const x = Number(this.__str__())
    const [sign, coef, exp] = exactFloat(x)
    if (Number.isFinite(x) && of(sign, coef, exp).__compare__(this) === 0) return x
    return `\0decimal ${n.__str__()}`
  }

  /** Python's to-scientific-string. */
  __str__(): string {
    const text = this.coef.toString()
    const leftDigits = this.exp + text.length
    const dot = this.exp <= 0 && leftDigits > -6 ? leftDigits : 1
    let body: string
    if (dot <= 0) body = '0.' + '0'.repeat(-dot) + text
    else if (dot >= text.length) body = text + '0'.repeat(dot - text.length)
    else body = text.slice(0, dot) + '.' + text.slice(dot)
    const exponent =
      leftDigits === dot ? '' : `E${leftDigits - dot >= 0 ? '+' : ''}${leftDigits - dot}`
    return (this.sign ? '-' : '') + body + exponent
  }
  __repr__(): string {
    return `Decimal('${this.__str__()}')`
  }
  /** `format(d, spec)`: fixed-point (`.2f`, `,.2f`), rounded half-even as Python's Decimal does. */
  __format__(spec: string): string {
    if (spec === '') return this.__str__()
    const m = /^(?:(.)?([<>=^]))?([+\- ])?(0)?(\d+)?(,)?(?:\.(\d+))?([fF%])?$/s.exec(spec)
    if (!m || (m[8] === undefined && m[7] === undefined))
      throw new PyTypeError(`the service does not format a Decimal with '${spec}'`)
    const [, fillChar, alignChar, signChar = '-', zero, widthText, grouping, precisionText, type] =
      m
    let value: Decimal = type === '%' ? (this.__mul__(100) as Decimal) : this
    if (precisionText !== undefined) value = rescale(value, -Number(precisionText), ROUND_HALF_EVEN)
    let [whole, fraction = ''] = value.copy_abs().plain().split('.')
    if (grouping) whole = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
    const body = whole + (fraction ? '.' + fraction : '') + (type === '%' ? '%' : '')
    const sign = value.sign ? '-' : signChar === '+' ? '+' : signChar === ' ' ? ' ' : ''
    const width = widthText ? Number(widthText) : 0
    const fill = fillChar ?? (zero && !alignChar ? '0' : ' ')
    const align = alignChar ?? (zero ? '=' : '>')
    const pad = Math.max(0, width - sign.length - body.length)
    if (align === '=') return sign + fill.repeat(pad) + body
    if (align === '<') return sign + body + fill.repeat(pad)
    if (align === '^')
      return fill.repeat(Math.floor(pad / 2)) + sign + body + fill.repeat(pad - Math.floor(pad / 2))
    return fill.repeat(pad) + sign + body
  }
  /** The digits without an exponent (for formatting). */
  private plain(): string {
    const text = this.coef.toString()
    if (this.exp >= 0) return text + '0'.repeat(this.exp)
    const padded = text.padStart(-this.exp + 1, '0')
    return padded.slice(0, padded.length + this.exp) + '.' + padded.slice(padded.length + this.exp)
  }
  /**
   * Flask's JSON provider writes a Decimal as `str(d)`: the runtime's `jsonify` writes an object
   * with `__html__` as that text. A Decimal's text needs no HTML escaping, so templates print the same.
   */
  __html__(): string {
    return this.__str__()
  }
  toString(): string {
    return this.__str__()
  }
}

function of(sign: number, coef: bigint, exp: number): Decimal {
  return new Decimal(null, sign, coef, exp)
}

/** The context's rounding to 28 significant digits. */
function fix(sign: number, coef: bigint, exp: number): Decimal {
  const n = digits(coef)
  if (n <= PREC) return of(sign, coef, exp)
  let rounded = roundCoefficient(coef, n - PREC, sign, ROUND_HALF_EVEN)
  exp += n - PREC
  if (digits(rounded) > PREC) {
    rounded /= 10n
    exp += 1
  }
  return of(sign, rounded, exp)
}

/** An operand of arithmetic: a Decimal, or an int (a float is a TypeError, as in Python). */
function operand(value: Py): Decimal | undefined {
  if (value instanceof Decimal) return value
  if (
    typeof value === 'boolean' ||
    (typeof value === 'number' && !isFloat(value) && Number.isInteger(value))
  )
    return new Decimal(value)
  return undefined
}

/** An operand of comparison: floats compare by their exact value. */
function comparable(value: Py): Decimal | undefined {
  if (isFloat(value) && Number.isFinite(Number(value))) {
    const [sign, coef, exp] = exactFloat(Number(value))
    return new Decimal(null, sign, coef, exp)
  }
  return operand(value)
}

/** A finite float's exact decimal value. */
function exactFloat(x: number): [number, bigint, number] {
  const sign = x < 0 || Object.is(x, -0) ? 1 : 0
  let a = Math.abs(x)
  if (a === 0) return [sign, 0n, 0]
  let e = 0
  while (!Number.isInteger(a)) {
    a *= 2
    e -= 1
  }
  let m = BigInt(a)
  while (e < 0 && m % 2n === 0n) {
    m /= 2n
    e += 1
  }
  return e >= 0 ? [sign, m * 2n ** BigInt(e), 0] : [sign, m * 5n ** BigInt(-e), e]
}

function rescale(d: Decimal, exp: number, rounding: string): Decimal {
  if (d.coef === 0n) return new Decimal(null, d.sign, 0n, exp)
  if (d.exp >= exp) return new Decimal(null, d.sign, d.coef * pow10(d.exp - exp), exp)
  let coef = d.coef
  let drop = exp - d.exp
  if (digits(coef) - drop < 0) {
    // Below half a unit of the target: Python rounds 10**(exp-1).
    coef = 1n
    drop = 1
  }
  return new Decimal(null, d.sign, roundCoefficient(coef, drop, d.sign, rounding), exp)
}

/** `a / b`: 28 digits, exact results at the ideal exponent, as `_pydecimal.__truediv__`. */
function divide(a: Decimal, b: Decimal): Decimal {
  const sign = a.sign ^ b.sign
  if (b.coef === 0n) {
    if (a.coef === 0n) signal(InvalidOperation, 'DivisionUndefined')
    signal(DivisionByZero, 'DivisionByZero')
  }
  let coef: bigint
  let exp: number
  if (a.coef === 0n) {
    coef = 0n
    exp = a.exp - b.exp
  } else {
    const shift = digits(b.coef) - digits(a.coef) + PREC + 1
    exp = a.exp - b.exp - shift
    let remainder: bigint
    if (shift >= 0) {
      coef = (a.coef * pow10(shift)) / b.coef
      remainder = (a.coef * pow10(shift)) % b.coef
    } else {
      coef = a.coef / (b.coef * pow10(-shift))
      remainder = a.coef % (b.coef * pow10(-shift))
    }
    if (remainder !== 0n) {
      if (coef % 5n === 0n) coef += 1n
    } else {
      const ideal = a.exp - b.exp
      while (exp < ideal && coef % 10n === 0n) {
        coef /= 10n
        exp += 1
      }
    }
  }
  return fix(sign, coef, exp)
}

/** `a // b` (truncated toward zero, unlike ints) and `a % b` (the sign of `a`). */
function divideInteger(a: Decimal, b: Decimal): [Decimal, Decimal] {
  const sign = a.sign ^ b.sign
  if (b.coef === 0n) {
    if (a.coef === 0n) signal(InvalidOperation, 'DivisionUndefined')
    signal(DivisionByZero, 'DivisionByZero')
  }
  const ideal = Math.min(a.exp, b.exp)
  const expdiff = a.adjusted() - b.adjusted()
  if (a.coef === 0n || expdiff <= -2)
    return [new Decimal(null, sign, 0n, 0), rescale(a, ideal, ROUND_HALF_EVEN)]
  if (expdiff <= PREC) {
    let x = a.coef
    let y = b.coef
    if (a.exp >= b.exp) x *= pow10(a.exp - b.exp)
    else y *= pow10(b.exp - a.exp)
    const q = x / y
    const r = x % y
    if (q < pow10(PREC)) return [new Decimal(null, sign, q, 0), new Decimal(null, a.sign, r, ideal)]
  }
  signal(InvalidOperation, 'DivisionImpossible')
}
