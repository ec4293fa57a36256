/**
 * Python semantics for translated code, where TypeScript's meaning differs and the translator
 * cannot prove it equal: Python's dict and set (insertion order, `1 == 1.0 == True` keys),
 * truthiness, floor division and modulo, comparisons, indexing and slicing with Python's
 * errors, `int()`/`float()` parsing, `round`, `sorted`, `str()`/`repr()`, format specs,
 * `%`-formatting, `str.format`, and the methods of str, list, dict and set.
 *
 * Value model: None is `null` (`undefined` is read as None too), bool is `boolean`, int and
 * float are `number` (an integral float boxed in a `PyFloat` where its type is not known
 * statically: see float.ts), str is `string`, list is an array, tuple is a frozen array (`tuple()`),
 * dict is `PyDict`, set is `PySet`, bytes is `Uint8Array`, exceptions are the classes of `exceptions.ts`.
 */
import {
  AttributeError,
  BaseException,
  IndexError,
  KeyError,
  LookupError,
  OverflowError,
  RuntimeError,
  StopIteration,
  TypeError as PyTypeError,
  UnicodeDecodeError,
  ValueError,
  ZeroDivisionError,
} from './exceptions.js'
import { PyFloat, asFloat as boxFloat, isFloat, floatRepr } from './float.js'
import { loadsJson } from './json.js'
import { resolve as resolvePath } from 'node:path'
import { PyDate, PyDateTime, PyTimeDelta, PyTimezone } from './datetime.js'

export { PyDate, PyDateTime, PyTimeDelta, PyTimezone }

export { PyFloat, floatRepr }

/** A float as a dynamic value (boxed when integral): what typed code hands to lists, dicts, parameters. */
export function asFloat(value: number): Py {
  return boxFloat(value)
}

/** A dynamic Python value. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Py = any

// ---------------------------------------------------------------------------------------------
// Hashing and containers

const objectIds = new WeakMap<object, number>()
let nextObjectId = 1

function hashKey(key: Py): string {
  if (key === null || key === undefined) return 'N'
  switch (typeof key) {
    case 'boolean':
      return key ? 'n1' : 'n0'
    case 'number':
      return 'n' + (Object.is(key, -0) ? 0 : key)
    case 'string':
      return 's' + key
    case 'bigint':
      return 'n' + key.toString()
  }
  if (key instanceof PyFloat) return 'n' + (Object.is(Number(key), -0) ? 0 : Number(key))
  if (Array.isArray(key)) {
    if (!isTuple(key)) throw new PyTypeError("unhashable type: 'list'")
    return 't' + JSON.stringify(key.map(hashKey))
  }
  if (key instanceof PyDict) throw new PyTypeError("unhashable type: 'dict'")
  if (typeof key.__hashkey__ === 'function') return 'h' + String(key.__hashkey__())
  // A value hashing as a builtin one it equals (an IntEnum member as its int, a Decimal as its number).
  if (typeof key.__hashvalue__ === 'function') return hashKey(key.__hashvalue__())
  if (key instanceof PySet) throw new PyTypeError("unhashable type: 'set'")
  let id = objectIds.get(key)
  if (id === undefined) {
    id = nextObjectId++
    objectIds.set(key, id)
  }
  return 'o' + id
}

/**
 * A PyDict's key-value pairs in insertion order, as it holds them (no tuple made per item): for
 * readers in the runtime that only read them (flask.ts's JSON encoder). Not a Python attribute.
 */
export const DICT_PAIRS: unique symbol = Symbol('dict pairs')

/** Python's dict: insertion-ordered, keys compared as Python does (`1`, `1.0` and `True` are one key). */
export class PyDict<K = Py, V = Py> {
  private readonly entries = new Map<string, [K, V]>()
  constructor(entries?: Iterable<readonly [K, V]>) {
    if (entries) for (const [k, v] of entries) this.set(k, v)
  }
  /** The pairs in insertion order, in a new array (the pairs themselves are the dict's: read them only). */
  [DICT_PAIRS](): (readonly [K, V])[] {
    return Array.from(this.entries.values())
  }
  get size(): number {
    return this.entries.size
  }
  has(key: K): boolean {
    return this.entries.has(hashKey(key))
  }
  /** `d[key]`: KeyError when missing. */
  getItem(key: K): V {
    const entry = this.entries.get(hashKey(key))
    if (!entry) throw new KeyError(key)
    return entry[1]
  }
  get(key: K, fallback: Py = null): Py {
    const entry = this.entries.get(hashKey(key))
    return entry ? entry[1] : fallback
  }
  set(key: K, value: V): this {
    const hash = hashKey(key)
    const entry = this.entries.get(hash)
    if (entry) entry[1] = value
    else this.entries.set(hash, [key, value])
    return this
  }
  /** `del d[key]`. */
  delItem(key: K): void {
    if (!this.entries.delete(hashKey(key))) throw new KeyError(key)
  }
  pop(key: K, ...fallback: Py[]): Py {
    const hash = hashKey(key)
    const entry = this.entries.get(hash)
    if (!entry) {
      if (fallback.length > 0) return fallback[0]
      throw new KeyError(key)
    }
    this.entries.delete(hash)
    return entry[1]
  }
  popitem(): Py {
    const last = [...this.entries.keys()].pop()
    if (last === undefined) throw new KeyError('popitem(): dictionary is empty')
    const entry = this.entries.get(last)!
    this.entries.delete(last)
    return tuple(entry[0], entry[1])
  }
  setdefault(key: K, fallback: Py = null): Py {
    if (!this.has(key)) this.set(key, fallback)
    return this.getItem(key)
  }
  update(other: Py = null, kwargs?: PyDict): void {
    if (other !== null && other !== undefined) {
      if (other instanceof PyDict) for (const [k, v] of other.items()) this.set(k, v)
      // Any other mapping (`keys()` and `[]`, as sqlite3.Row): Python reads `other[k] for k in other.keys()`.
      else if (
        typeof other === 'object' &&
        !Array.isArray(other) &&
        typeof other.keys === 'function' &&
        typeof other.__getitem__ === 'function'
      ) {
        for (const k of iter(other.keys())) this.set(k, other.__getitem__(k))
      } else
        for (const pair of iter(other)) {
          const items = [...iter(pair)]
          if (items.length !== 2)
            throw new ValueError(
              `dictionary update sequence element #0 has length ${items.length}; 2 is required`,
            )
          this.set(items[0], items[1])
        }
    }
    if (kwargs) for (const [k, v] of kwargs.items()) this.set(k as K, v as V)
  }
  clear(): void {
    this.entries.clear()
  }
  copy(): PyDict<K, V> {
    return new PyDict(this.items())
  }
  keys(): K[] {
    return [...this.entries.values()].map((e) => e[0])
  }
  values(): V[] {
    return [...this.entries.values()].map((e) => e[1])
  }
  items(): [K, V][] {
    return [...this.entries.values()].map((e) => tuple(e[0], e[1]) as unknown as [K, V])
  }
  [Symbol.iterator](): Iterator<K> {
    return this.keys()[Symbol.iterator]()
  }
  /** JSON as Python's `json.dumps` writes it: keys become strings. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [k, v] of this.entries.values()) out[jsonKey(k)] = v
    return out
  }
}

function jsonKey(key: Py): string {
  if (typeof key === 'string') return key
  if (key === null || key === undefined) return 'null'
  if (typeof key === 'boolean') return key ? 'true' : 'false'
  if (typeof key === 'number') return Number.isInteger(key) ? String(key) : floatRepr(key)
  if (key instanceof PyFloat) return floatRepr(key)
  throw new PyTypeError(`keys must be str, int, float, bool or None, not ${typeName(key)}`)
}

/** Python's set: insertion-ordered (iteration order may differ from CPython's hash order). */
export class PySet<T = Py> {
  private readonly entries = new Map<string, T>()
  constructor(items?: Iterable<T>) {
    if (items) for (const item of items) this.add(item)
  }
  get size(): number {
    return this.entries.size
  }
  has(item: T): boolean {
    return this.entries.has(hashKey(item))
  }
  add(item: T): void {
    const hash = hashKey(item)
    if (!this.entries.has(hash)) this.entries.set(hash, item)
  }
  discard(item: T): void {
    this.entries.delete(hashKey(item))
  }
  remove(item: T): void {
    if (!this.entries.delete(hashKey(item))) throw new KeyError(item)
  }
  pop(): T {
    const first = this.entries.keys().next()
    if (first.done) throw new KeyError('pop from an empty set')
    const value = this.entries.get(first.value)!
    this.entries.delete(first.value)
    return value
  }
  clear(): void {
    this.entries.clear()
  }
  copy(): PySet<T> {
    return new PySet(this.values())
  }
  values(): T[] {
    return [...this.entries.values()]
  }
  [Symbol.iterator](): Iterator<T> {
    return this.values()[Symbol.iterator]()
  }
  toJSON(): T[] {
    return this.values()
  }
}

/** A tuple: a frozen array. */
export function tuple(...items: Py[]): readonly Py[] {
  return Object.freeze(items)
}

export function isTuple(value: Py): boolean {
  return Array.isArray(value) && Object.isFrozen(value)
}

export function isList(value: Py): value is Py[] {
  return Array.isArray(value) && !Object.isFrozen(value)
}

/** A dict from a literal's entries. */
export function dict(...entries: [Py, Py][]): PyDict {
  return new PyDict(entries)
}

/** A set from a literal's items. */
export function set(...items: Py[]): PySet {
  return new PySet(items)
}

// ---------------------------------------------------------------------------------------------
// Types, truthiness, str and repr

/** Python's `type(x).__name__`. */
export function typeName(value: Py): string {
  if (value === null || value === undefined) return 'NoneType'
  switch (typeof value) {
    case 'boolean':
      return 'bool'
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float'
    case 'string':
      return 'str'
    case 'function':
      return 'function'
  }
  if (value instanceof PyFloat) return 'float'
  if (value instanceof Uint8Array) return 'bytes'
  if (Array.isArray(value)) return isTuple(value) ? 'tuple' : 'list'
  // Runtime classes standing for Python ones (`defaultdict`, `deque`) carry Python's name.
  const pyName: unknown = value.constructor?.pyName
  if (typeof pyName === 'string') return pyName
  if (value instanceof PyDict) return 'dict'
  if (value instanceof PySet) return 'set'
  if (Object.prototype.toString.call(value) === '[object Generator]') return 'generator'
  return value.constructor?.name ?? 'object'
}

export function truthy(value: Py): boolean {
  if (value === null || value === undefined) return false
  switch (typeof value) {
    case 'boolean':
      return value
    case 'number':
      return value !== 0
    case 'string':
      return value.length > 0
  }
  if (value instanceof PyFloat) return Number(value) !== 0
  if (Array.isArray(value) || value instanceof Uint8Array) return value.length > 0
  if (value instanceof PyDict || value instanceof PySet) return value.size > 0
  if (typeof value.__bool__ === 'function') return Boolean(value.__bool__())
  if (typeof value.__len__ === 'function') return value.__len__() > 0
  return true
}

/** Python's `a or b` when `a` must be evaluated once: `a` if it is true, else `b()` (evaluated only then). */
export function or<A, B>(a: A, b: () => B): A | B {
  return truthy(a as Py) ? a : b()
}

/** Python's `a and b` when `a` must be evaluated once: `b()` if `a` is true (evaluated only then), else `a`. */
export function and<A, B>(a: A, b: () => B): A | B {
  return truthy(a as Py) ? b() : a
}

function strRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of value) {
    const code = ch.codePointAt(0)!
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0')
    else out += ch
  }
  return out + quote
}

/** `repr(b'...')`: printable ASCII as is, the rest escaped, quotes as Python picks them. */
function bytesRepr(value: Uint8Array): string {
  const quote = value.includes(0x27) && !value.includes(0x22) ? '"' : "'"
  let out = 'b' + quote
  for (const byte of value) {
    const ch = String.fromCharCode(byte)
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (byte < 0x20 || byte >= 0x7f) out += '\\x' + byte.toString(16).padStart(2, '0')
    else out += ch
  }
  return out + quote
}

/** `bytes.decode(encoding='utf-8', errors='strict')` for UTF-8 and ASCII. */
function decodeBytes(value: Uint8Array, encoding: Py = 'utf-8', errors: Py = 'strict'): string {
  const name = String(encoding).toLowerCase().replace(/[-_]/g, '')
  if (name !== 'utf8' && name !== 'ascii') throw new LookupError(`unknown encoding: ${encoding}`)
  if (name === 'ascii') {
    const bad = value.findIndex((byte) => byte >= 0x80)
    if (bad >= 0 && errors === 'strict')
      throw new UnicodeDecodeError(
        `'ascii' codec can't decode byte 0x${value[bad].toString(16)} in position ${bad}: ordinal not in range(128)`,
      )
  }
  try {
    return new TextDecoder('utf-8', { fatal: errors === 'strict' }).decode(value)
  } catch {
    throw new UnicodeDecodeError(`'utf-8' codec can't decode the bytes: invalid utf-8`)
  }
}

/** Python's `repr()`. */
export function repr(value: Py): string {
  if (value === null || value === undefined) return 'None'
  switch (typeof value) {
    case 'boolean':
      return value ? 'True' : 'False'
    case 'number':
      return Number.isInteger(value) ? String(value) : floatRepr(value)
    case 'string':
      return strRepr(value)
    case 'function':
      return `<function ${value.name || '<lambda>'}>`
  }
  if (value instanceof PyFloat) return floatRepr(value)
  if (value instanceof Uint8Array) return bytesRepr(value)
  // A named tuple (collections.ts) is an array with a repr of its own.
  if (Array.isArray(value) && typeof (value as Py).__repr__ === 'function')
    return String((value as Py).__repr__())
  if (Array.isArray(value)) {
    const inner = value.map(repr).join(', ')
    if (isTuple(value)) return value.length === 1 ? `(${inner},)` : `(${inner})`
    return `[${inner}]`
  }
  if (value instanceof PyDict && typeof (value as Py).__repr__ !== 'function')
    return `{${value
      .items()
      .map(([k, v]) => `${repr(k)}: ${repr(v)}`)
      .join(', ')}}`
  if (value instanceof PySet)
    return value.size === 0 ? 'set()' : `{${value.values().map(repr).join(', ')}}`
  if (typeof value.__repr__ === 'function') return String(value.__repr__())
  if (value instanceof BaseException)
    return `${value.constructor.name}(${value.args.map(repr).join(', ')})`
  return `<${typeName(value)} object>`
}

/** Python's `str()`. */
export function str(value: Py): string {
  if (typeof value === 'string') return value
  if (value instanceof BaseException) {
    if (typeof (value as Py).__str__ === 'function') return String((value as Py).__str__())
    if (value.toString !== Error.prototype.toString) return value.toString()
    const args = value.args
    if (args.length === 0) return ''
    if (args.length === 1) return value instanceof KeyError ? repr(args[0]) : str(args[0])
    return repr(tuple(...args))
  }
  if (value !== null && typeof value === 'object' && typeof value.__str__ === 'function')
    return String(value.__str__())
  return repr(value)
}

// ---------------------------------------------------------------------------------------------
// Comparison and containment

/** Python's `==`. */
export function eq(a: Py, b: Py): boolean {
  if (a === undefined) a = null
  if (b === undefined) b = null
  if (a === b) return true
  if (isNumber(a) && isNumber(b)) return Number(a) === Number(b)
  const ta = typeof a
  const tb = typeof b
  if (a === null || b === null || ta !== 'object' || tb !== 'object') return mixedEq(a, b) ?? false
  if (a instanceof Uint8Array && b instanceof Uint8Array)
    return a.length === b.length && a.every((byte, i) => byte === b[i])
  if (Array.isArray(a) && Array.isArray(b)) {
    if (isTuple(a) !== isTuple(b) || a.length !== b.length) return false
    return a.every((item, i) => eq(item, b[i]))
  }
  if (a instanceof PyDict && b instanceof PyDict) {
    if (a.size !== b.size) return false
    return a.items().every(([k, v]) => b.has(k) && eq(v, b.getItem(k)))
  }
  if (a instanceof PySet && b instanceof PySet)
    return a.size === b.size && a.values().every((v) => b.has(v))
  if (typeof a.__eq__ === 'function') return Boolean(a.__eq__(b))
  if (typeof b.__eq__ === 'function') return Boolean(b.__eq__(a))
  return false
}

/** `a == b` between an object defining `__eq__` and a number or str (`Decimal(1) == 1`, `1 == Decimal(1)`). */
function mixedEq(a: Py, b: Py): boolean | undefined {
  if (a !== null && typeof a === 'object' && typeof a.__eq__ === 'function')
    return Boolean(a.__eq__(b))
  if (b !== null && typeof b === 'object' && typeof b.__eq__ === 'function')
    return Boolean(b.__eq__(a))
  return undefined
}

function compare(a: Py, b: Py, op: string): number {
  if (isNumber(a) && isNumber(b)) return Number(a) - Number(b)
  // Runtime values that order themselves (datetime, date, timedelta): `__compare__` gives a
  // number, or undefined when the other operand is not comparable.
  if (a !== null && typeof a === 'object' && typeof a.__compare__ === 'function') {
    const order = a.__compare__(b)
    if (order !== undefined) return order
  } else if (b !== null && typeof b === 'object' && typeof b.__compare__ === 'function') {
    const order = b.__compare__(a)
    if (order !== undefined) return -order
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!eq(a[i], b[i])) return compare(a[i], b[i], op)
    }
    return a.length - b.length
  }
  throw new PyTypeError(
    `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`,
  )
}

export function lt(a: Py, b: Py): boolean {
  return compare(a, b, '<') < 0
}
export function le(a: Py, b: Py): boolean {
  return compare(a, b, '<=') <= 0
}
export function gt(a: Py, b: Py): boolean {
  return compare(a, b, '>') > 0
}
export function ge(a: Py, b: Py): boolean {
  return compare(a, b, '>=') >= 0
}

/** Python's `item in container`. */
export function contains(container: Py, item: Py): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string')
      throw new PyTypeError(`'in <string>' requires string as left operand, not ${typeName(item)}`)
    return container.includes(item)
  }
  if (Array.isArray(container)) return container.some((x) => eq(x, item))
  if (container instanceof PyDict || container instanceof PySet) return container.has(item)
  if (isObjectOrClass(container) && typeof container.__contains__ === 'function') {
    return Boolean(container.__contains__(item))
  }
  throw new PyTypeError(`argument of type '${typeName(container)}' is not iterable`)
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

function isNumber(value: Py): boolean {
  return typeof value === 'number' || typeof value === 'boolean' || value instanceof PyFloat
}

/** The result of an arithmetic operator: a float (boxed when integral) if either operand is one, as in Python. */
function arithmeticResult(result: number, a: Py, b: Py): Py {
  return isFloat(a) || isFloat(b) ? asFloat(result) : result
}

/**
 * A binary operator defined by an operand's runtime class (`__add__`, then the right operand's
 * `__radd__`); undefined when neither defines it for these operands (Python's NotImplemented).
 */
function dunder(a: Py, b: Py, name: string): Py {
  if (a !== null && typeof a === 'object' && typeof a[`__${name}__`] === 'function') {
    const result = a[`__${name}__`](b)
    if (result !== undefined) return result
  }
  if (b !== null && typeof b === 'object' && typeof b[`__r${name}__`] === 'function')
    return b[`__r${name}__`](a)
  return undefined
}

function unsupported(op: string, a: Py, b: Py): never {
  throw new PyTypeError(
    `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`,
  )
}

export function add(a: Py, b: Py): Py {
  if (isNumber(a) && isNumber(b)) return arithmeticResult(Number(a) + Number(b), a, b)
  if (typeof a === 'string') {
    if (typeof b === 'string') return a + b
    // A str subclass's member on the right (a StrEnum's): its own `__radd__`.
    const reflected = b !== null && typeof b === 'object' ? dunder(a, b, 'add') : undefined
    if (reflected !== undefined) return reflected
    throw new PyTypeError(`can only concatenate str (not "${typeName(b)}") to str`)
  }
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
    return isTuple(a) ? tuple(...a, ...b) : [...a, ...b]
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const out = new Uint8Array(a.length + b.length)
    out.set(a)
    out.set(b, a.length)
    return out
  }
  if (isList(a)) throw new PyTypeError(`can only concatenate list (not "${typeName(b)}") to list`)
  return dunder(a, b, 'add') ?? unsupported('+', a, b)
}

/** `a += b`: lists are extended in place. */
export function iadd(a: Py, b: Py): Py {
  if (isList(a)) {
    a.push(...iter(b))
    return a
  }
  return add(a, b)
}

/** `a *= n`: a list is repeated in place. */
export function imul(a: Py, b: Py): Py {
  if (!isList(a)) return mul(a, b)
  const repeated = mul(a, b)
  a.splice(0, a.length, ...repeated)
  return a
}

/** `a -= b`: a set loses b's items in place. */
export function isub(a: Py, b: Py): Py {
  if (!(a instanceof PySet && b instanceof PySet)) return sub(a, b)
  for (const item of b.values()) a.discard(item)
  return a
}

function isIntegral(value: Py): boolean {
  return typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value))
}

/** `a |= b`: a set gains b's items, a dict b's entries, in place; ints are or-ed bit by bit. */
export function ior(a: Py, b: Py): Py {
  if (a instanceof PySet && b instanceof PySet) {
    for (const item of b.values()) a.add(item)
    return a
  }
  if (a instanceof PyDict) {
    a.update(b)
    return a
  }
  if (isIntegral(a) && isIntegral(b))
    return typeof a === 'boolean' && typeof b === 'boolean'
      ? a || b
      : Number(BigInt(Number(a)) | BigInt(Number(b)))
  throw new PyTypeError(`unsupported operand type(s) for |=: '${typeName(a)}' and '${typeName(b)}'`)
}

/** `a &= b`: a set keeps the items b has, in place; ints are and-ed bit by bit. */
export function iand(a: Py, b: Py): Py {
  if (a instanceof PySet && b instanceof PySet) {
    for (const item of a.values()) if (!b.has(item)) a.discard(item)
    return a
  }
  if (isIntegral(a) && isIntegral(b))
    return typeof a === 'boolean' && typeof b === 'boolean'
      ? a && b
      : Number(BigInt(Number(a)) & BigInt(Number(b)))
  throw new PyTypeError(`unsupported operand type(s) for &=: '${typeName(a)}' and '${typeName(b)}'`)
}

export function sub(a: Py, b: Py): Py {
  if (isNumber(a) && isNumber(b)) return arithmeticResult(Number(a) - Number(b), a, b)
  if (a instanceof PySet && b instanceof PySet)
    return new PySet(a.values().filter((x) => !b.has(x)))
  return dunder(a, b, 'sub') ?? unsupported('-', a, b)
}

export function mul(a: Py, b: Py): Py {
  if (isNumber(a) && isNumber(b)) return arithmeticResult(Number(a) * Number(b), a, b)
  const repeat = (seq: Py, n: Py): Py => {
    if (isFloat(n) || typeof n === 'string') {
      throw new PyTypeError(`can't multiply sequence by non-int of type '${typeName(n)}'`)
    }
    const times = Math.max(0, Number(n))
    if (typeof seq === 'string') return seq.repeat(times)
    const out: Py[] = []
    for (let i = 0; i < times; i++) out.push(...seq)
    return isTuple(seq) ? tuple(...out) : out
  }
  if ((typeof a === 'string' || Array.isArray(a)) && isNumber(b)) return repeat(a, b)
  if ((typeof b === 'string' || Array.isArray(b)) && isNumber(a)) return repeat(b, a)
  return dunder(a, b, 'mul') ?? unsupported('*', a, b)
}

/** `a / b` on numbers the translator knows to be numbers: the plain quotient (a float). */
export function divide(a: number | boolean, b: number | boolean): number {
  if (Number(b) === 0) throw new ZeroDivisionError('division by zero')
  return Number(a) / Number(b)
}

/** `a / b` on dynamic values: a float (boxed when integral), or what the operands' class defines (timedelta / n). */
export function truediv(a: Py, b: Py): Py {
  if (!isNumber(a) || !isNumber(b)) return dunder(a, b, 'truediv') ?? unsupported('/', a, b)
  return asFloat(divide(Number(a), Number(b)))
}

/** `a // b`. */
export function floordiv(a: Py, b: Py): Py {
  if (!isNumber(a) || !isNumber(b)) return dunder(a, b, 'floordiv') ?? unsupported('//', a, b)
  const x = Number(a)
  const y = Number(b)
  if (y === 0) {
    throw new ZeroDivisionError(
      isFloat(a) || isFloat(b)
        ? 'float floor division by zero'
        : 'integer division or modulo by zero',
    )
  }
  return arithmeticResult(Math.floor(x / y), a, b)
}

/** `a % b` on numbers (floor modulo, sign of the divisor), or `%`-formatting on a str. */
export function mod(a: Py, b: Py): Py {
  if (typeof a === 'string') return percentFormat(a, b)
  if (!isNumber(a) || !isNumber(b)) return dunder(a, b, 'mod') ?? unsupported('%', a, b)
  const x = Number(a)
  const y = Number(b)
  if (y === 0)
    throw new ZeroDivisionError(
      isFloat(a) || isFloat(b) ? 'float modulo' : 'integer modulo by zero',
    )
  const r = x % y
  return arithmeticResult(r !== 0 && r < 0 !== y < 0 ? r + y : r, a, b)
}

/** `a ** b`: an int raised to a negative int is a float, as in Python. */
export function pow(a: Py, b: Py): Py {
  if (!isNumber(a) || !isNumber(b)) return dunder(a, b, 'pow') ?? unsupported('** or pow()', a, b)
  const x = Number(a)
  const y = Number(b)
  if (x === 0 && y < 0) throw new ZeroDivisionError('0.0 cannot be raised to a negative power')
  return y < 0 ? asFloat(x ** y) : arithmeticResult(x ** y, a, b)
}

export function neg(a: Py): Py {
  if (a !== null && typeof a === 'object' && typeof a.__neg__ === 'function') return a.__neg__()
  if (!isNumber(a)) throw new PyTypeError(`bad operand type for unary -: '${typeName(a)}'`)
  return isFloat(a) ? asFloat(-Number(a)) : -Number(a)
}

// ---------------------------------------------------------------------------------------------
// Indexing, slicing, length, iteration

function normalizeIndex(length: number, index: Py, what: string): number {
  if (typeof index === 'boolean') index = Number(index)
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    throw new PyTypeError(`${what} indices must be integers or slices, not ${typeName(index)}`)
  }
  const i = index < 0 ? index + length : index
  if (i < 0 || i >= length) throw new IndexError(`${what} index out of range`)
  return i
}

/** `obj[key]`. */
export function getitem(obj: Py, key: Py): Py {
  if (obj instanceof PyDict) return obj.getItem(key)
  if (Array.isArray(obj))
    return obj[normalizeIndex(obj.length, key, isTuple(obj) ? 'tuple' : 'list')]
  if (typeof obj === 'string') {
    const chars = [...obj]
    return chars[normalizeIndex(chars.length, key, 'string')]
  }
  // A runtime class with class-level indexing too (an enum's `Color["RED"]`).
  if (isObjectOrClass(obj) && typeof obj.__getitem__ === 'function') return obj.__getitem__(key)
  throw new PyTypeError(`'${typeName(obj)}' object is not subscriptable`)
}

/** `obj[key] = value`. */
export function setitem(obj: Py, key: Py, value: Py): void {
  if (obj instanceof PyDict) obj.set(key, value)
  else if (isList(obj)) obj[normalizeIndex(obj.length, key, 'list assignment')] = value
  else if (obj !== null && typeof obj === 'object' && typeof obj.__setitem__ === 'function')
    obj.__setitem__(key, value)
  else throw new PyTypeError(`'${typeName(obj)}' object does not support item assignment`)
}

/** `del obj[key]`. */
export function delitem(obj: Py, key: Py): void {
  if (obj instanceof PyDict) obj.delItem(key)
  else if (isList(obj)) obj.splice(normalizeIndex(obj.length, key, 'list assignment'), 1)
  else throw new PyTypeError(`'${typeName(obj)}' object doesn't support item deletion`)
}

function sliceIndices(length: number, start: Py, stop: Py, step: Py): number[] {
  const s = step === null || step === undefined ? 1 : Number(step)
  if (s === 0) throw new ValueError('slice step cannot be zero')
  const clamp = (value: Py, fallback: number, low: number, high: number): number => {
    if (value === null || value === undefined) return fallback
    let v = Number(value)
    if (v < 0) v += length
    return Math.min(Math.max(v, low), high)
  }
  const indices: number[] = []
  if (s > 0) {
    const a = clamp(start, 0, 0, length)
    const b = clamp(stop, length, 0, length)
    for (let i = a; i < b; i += s) indices.push(i)
  } else {
    const a = clamp(start, length - 1, -1, length - 1)
    const b = clamp(stop, -1, -1, length - 1)
    for (let i = a; i > b; i += s) indices.push(i)
  }
  return indices
}

/** `obj[start:stop:step] = value` on a list (Python's simple and extended slice assignment). */
export function setslice(
  obj: Py,
  value: Py,
  start: Py = null,
  stop: Py = null,
  step: Py = null,
): void {
  if (!isList(obj))
    throw new PyTypeError(`'${typeName(obj)}' object does not support item assignment`)
  const items = [...iter(value)]
  if (step === null || step === undefined || Number(step) === 1) {
    const bound = (v: Py, fallback: number): number => {
      if (v === null || v === undefined) return fallback
      const n = Number(v)
      return n < 0 ? Math.max(n + obj.length, 0) : Math.min(n, obj.length)
    }
    const a = bound(start, 0)
    obj.splice(a, Math.max(a, bound(stop, obj.length)) - a, ...items)
    return
  }
  const indices = sliceIndices(obj.length, start, stop, step)
  if (indices.length !== items.length) {
    throw new ValueError(
      `attempt to assign sequence of size ${items.length} to extended slice of size ${indices.length}`,
    )
  }
  indices.forEach((index, i) => (obj[index] = items[i]))
}

/** `del obj[start:stop:step]` on a list. */
export function delslice(obj: Py, start: Py = null, stop: Py = null, step: Py = null): void {
  if (!isList(obj)) throw new PyTypeError(`'${typeName(obj)}' object doesn't support item deletion`)
  const indices = sliceIndices(obj.length, start, stop, step).sort((x, y) => y - x)
  for (const index of indices) obj.splice(index, 1)
}

/** `obj[start:stop:step]` (pass null for an omitted part). */
export function slice(obj: Py, start: Py = null, stop: Py = null, step: Py = null): Py {
  if (typeof obj === 'string') {
    const chars = [...obj]
    return sliceIndices(chars.length, start, stop, step)
      .map((i) => chars[i])
      .join('')
  }
  if (Array.isArray(obj)) {
    const items = sliceIndices(obj.length, start, stop, step).map((i) => obj[i])
    return isTuple(obj) ? tuple(...items) : items
  }
  if (obj instanceof Uint8Array)
    return Uint8Array.from(sliceIndices(obj.length, start, stop, step).map((i) => obj[i]!))
  // A runtime sequence that slices itself (sqlite3.Row).
  if (obj !== null && typeof obj === 'object' && typeof obj.__slice__ === 'function')
    return obj.__slice__(start, stop, step)
  throw new PyTypeError(`'${typeName(obj)}' object is not subscriptable`)
}

export function len(obj: Py): number {
  if (typeof obj === 'string') return [...obj].length
  if (Array.isArray(obj) || obj instanceof Uint8Array) return obj.length
  if (obj instanceof PyDict || obj instanceof PySet) return obj.size
  if (isObjectOrClass(obj) && typeof obj.__len__ === 'function') return obj.__len__()
  throw new PyTypeError(`object of type '${typeName(obj)}' has no len()`)
}

/** The items a Python `for` loop visits (a snapshot for dicts and sets). */
export function iter(obj: Py): Iterable<Py> {
  if (typeof obj === 'string' || Array.isArray(obj)) return obj
  if (obj instanceof PyDict) return obj.keys()
  if (obj instanceof PySet) return obj.values()
  if (isObjectOrClass(obj) && typeof obj[Symbol.iterator] === 'function') return obj
  throw new PyTypeError(`'${typeName(obj)}' object is not iterable`)
}

/** An object, or a class (an enum class is indexed, counted and iterated over). */
function isObjectOrClass(obj: Py): boolean {
  return obj !== null && (typeof obj === 'object' || typeof obj === 'function')
}

// ---------------------------------------------------------------------------------------------
// Iterators, generators and context managers

/** A path of the Flask project (`os.path.dirname(__file__)`…) as an absolute path under the folder the service runs from. */
export function projectPath(path: string): string {
  return resolvePath(path)
}

/** Python's `iter(x)`: an iterator (a generator is its own). */
export function iterOf(obj: Py): Iterator<Py> {
  return iter(obj)[Symbol.iterator]()
}

/** Python's `next(iterator[, default])`: StopIteration (or the default) when it is exhausted. */
export function next(it: Py, ...fallback: Py[]): Py {
  if (it === null || typeof it !== 'object' || typeof it.next !== 'function')
    throw new PyTypeError(`'${typeName(it)}' object is not an iterator`)
  const step = it.next()
  if (!step.done) return step.value
  if (fallback.length > 0) return fallback[0]
  throw new StopIteration()
}

/** A generator expression, lazy as Python's: `(body(x) for x in source if filter(x))`; `source` is evaluated at once. */
export function lazyMap(
  source: Py,
  body: (item: Py) => Py,
  filter: ((item: Py) => boolean) | null = null,
): Generator<Py> {
  const items = iter(source)
  return (function* () {
    for (const item of items) if (filter === null || filter(item)) yield body(item)
  })()
}

/** A generator expression's `for` clause followed by more clauses: each item's inner generator in turn. */
export function lazyFlatMap(
  source: Py,
  inner: (item: Py) => Iterable<Py>,
  filter: ((item: Py) => boolean) | null = null,
): Generator<Py> {
  const items = iter(source)
  return (function* () {
    for (const item of items) if (filter === null || filter(item)) yield* inner(item)
  })()
}

/** Keyword arguments a call passes to a method or nested function with `*args`/`**kwargs`: its last argument. */
export class Keywords {
  constructor(readonly entries: [string, Py][]) {}
}

export function keywords(...entries: [string, Py][]): Keywords {
  return new Keywords(entries)
}

/** The keywords of a record (Flask's view arguments) but the names a call passes by position. */
export function keywordsOf(record: Record<string, Py>, exclude: string[]): Keywords {
  return new Keywords(Object.entries(record).filter(([key]) => !exclude.includes(key)))
}

/**
 * `class C(Mixin, Base)` where the mixin is a runtime class (Flask-Login's `UserMixin`): the
 * mixin's methods and accessors become C's where C does not define them itself, as Python's
 * MRO puts the mixin before `Base`; `isinstance(x, Mixin)` holds for C's instances.
 */
export function mixInto(cls: Function, mixins: Function[]): void {
  for (const mixin of [...mixins].reverse()) {
    for (const [key, descriptor] of Object.entries(
      Object.getOwnPropertyDescriptors(mixin.prototype),
    )) {
      if (key === 'constructor' || Object.hasOwn(cls.prototype, key)) continue
      Object.defineProperty(cls.prototype, key, descriptor)
    }
    const mixed: Set<Function> = ((cls as { [MIXED_IN]?: Set<Function> })[MIXED_IN] ??= new Set())
    mixed.add(mixin)
    if (!Object.hasOwn(mixin, Symbol.hasInstance)) {
      Object.defineProperty(mixin, Symbol.hasInstance, {
        value(value: unknown): boolean {
          if (Function.prototype[Symbol.hasInstance].call(this, value)) return true
          for (
            let proto =
              value === null || typeof value !== 'object' ? null : Object.getPrototypeOf(value);
            proto;
            proto = Object.getPrototypeOf(proto)
          ) {
            if (
              (proto.constructor as { [MIXED_IN]?: Set<Function> })?.[MIXED_IN]?.has(
                this as Function,
              )
            )
              return true
          }
          return false
        },
      })
    }
  }
}
const MIXED_IN = Symbol('runtime mixins')

/** Functions that bind a trailing `Keywords` argument themselves (see `callWithKeywords`). */
const TAKES_KEYWORDS = Symbol('takes keywords')

/** Marks a function with rest parameters (it binds a trailing `Keywords` with `bindRest`). */
export function takesKeywords<F extends (...args: Py[]) => Py>(fn: F): F {
  Object.defineProperty(fn, TAKES_KEYWORDS, { value: true })
  return fn
}

/**
 * A function with plain parameters that Python code may call with keywords (a view that
 * decorators call as `view(**kwargs)`): binds positional and keyword arguments to the parameters
 * `names` (the first `required` of them without a default) as Python does, with Python's
 * TypeErrors; a parameter not given is `undefined`, so the function's own default applies.
 */
export function withKeywords<F extends (...args: Py[]) => Py>(
  name: string,
  names: string[],
  required: number,
  fn: F,
): F {
  const bound = (...rest: Py[]): Py => {
    const last = rest.length > 0 ? rest[rest.length - 1] : undefined
    const given = last instanceof Keywords ? last.entries : []
    const positional = last instanceof Keywords ? rest.slice(0, -1) : rest
    if (positional.length > names.length) {
      const takes =
        required === names.length ? `${names.length}` : `from ${required} to ${names.length}`
      throw new PyTypeError(
        `${name}() takes ${takes} positional argument${names.length === 1 ? '' : 's'} but ${positional.length} ${positional.length === 1 ? 'was' : 'were'} given`,
      )
    }
    const values: Py[] = [...positional]
    const filled = new Set(positional.map((_, i) => i))
    for (const [key, value] of given) {
      const index = names.indexOf(key)
      if (index < 0) throw new PyTypeError(`${name}() got an unexpected keyword argument '${key}'`)
      if (filled.has(index))
        throw new PyTypeError(`${name}() got multiple values for argument '${key}'`)
      values[index] = value
      filled.add(index)
    }
    const missing = names.filter((_, i) => i < required && !filled.has(i)).map((key) => `'${key}'`)
    if (missing.length > 0) {
      const list =
        missing.length === 1
          ? missing[0]
          : `${missing.slice(0, -1).join(', ')}${missing.length > 2 ? ',' : ''} and ${missing[missing.length - 1]}`
      throw new PyTypeError(
        `${name}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list}`,
      )
    }
    return fn(...values)
  }
  return takesKeywords(bound as F)
}

/**
 * `functools.wraps(wrapped)` on a nested `def`: the wrapper keeps the wrapped function as
 * `__wrapped__` (the name Flask gives an endpoint is the analysis' concern, not the runtime's).
 */
export function wraps(wrapped: Py): <F extends (...args: Py[]) => Py>(wrapper: F) => F {
  return (wrapper) => {
    Object.defineProperty(wrapper, '__wrapped__', { value: wrapped })
    return wrapper
  }
}

/**
 * `fn(*args, **kwargs)` through a value: the keywords reach a function that binds them (a view,
 * a wrapper with `*args, **kwargs`); a function that cannot bind keywords by name gets none, or
 * the call fails loudly rather than passing them by position.
 */
export function callWithKeywords(fn: Py, args: Iterable<Py>, kwargs: Py): Py {
  if (typeof fn !== 'function') throw new PyTypeError(`'${typeName(fn)}' object is not callable`)
  const entries: [string, Py][] =
    kwargs instanceof Keywords
      ? kwargs.entries
      : kwargs instanceof PyDict
        ? mappingItems(kwargs)
        : Object.entries(kwargs ?? {})
  for (const [key] of entries)
    if (typeof key !== 'string') throw new PyTypeError('keywords must be strings')
  if (entries.length === 0) return fn(...args)
  if ((fn as { [TAKES_KEYWORDS]?: boolean })[TAKES_KEYWORDS])
    return fn(...args, new Keywords(entries))
  throw new PyTypeError(
    `${fn.name || 'function'}() was called with keyword arguments (${entries.map(([key]) => key).join(', ')}) the service cannot bind by name`,
  )
}

interface RestSpec {
  positional: number
  varargs: boolean
  kwargs: boolean
  /** Keyword-only parameters: name, and the default when there is one. */
  keywordOnly: ([string] | [string, Py])[]
}

/**
 * Binds what a function with rest parameters (`m(a, ...rest)`) got beyond its positional
 * parameters as Python would: extra positionals into `*args`, keywords (a trailing `Keywords`)
 * into keyword-only parameters and `**kwargs`, with Python's TypeErrors otherwise.
 */
export function bindRest(
  rest: Py[],
  name: string,
  spec: RestSpec,
): { args: readonly Py[]; keywords: Map<string, Py>; kwargs: PyDict } {
  const last = rest.length > 0 ? rest[rest.length - 1] : undefined
  const given = last instanceof Keywords ? last.entries : []
  const extra = last instanceof Keywords ? rest.slice(0, -1) : rest
  if (extra.length > 0 && !spec.varargs) {
    const total = spec.positional + extra.length
    throw new PyTypeError(
      `${name}() takes ${spec.positional} positional argument${spec.positional === 1 ? '' : 's'} but ${total} ${total === 1 ? 'was' : 'were'} given`,
    )
  }
  const keywordValues = new Map<string, Py>()
  const kwargs = new PyDict()
  const keywordNames = new Set(spec.keywordOnly.map(([key]) => key))
  for (const [key, value] of given) {
    if (keywordNames.has(key)) keywordValues.set(key, value)
    else if (spec.kwargs) kwargs.set(key, value)
    else throw new PyTypeError(`${name}() got an unexpected keyword argument '${key}'`)
  }
  const missing = spec.keywordOnly
    .filter((entry) => entry.length === 1 && !keywordValues.has(entry[0]))
    .map(([key]) => `'${key}'`)
  if (missing.length > 0) {
    throw new PyTypeError(
      `${name}() missing ${missing.length} required keyword-only argument${missing.length === 1 ? '' : 's'}: ${missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]}`}`,
    )
  }
  for (const entry of spec.keywordOnly)
    if (entry.length === 2 && !keywordValues.has(entry[0])) keywordValues.set(entry[0], entry[1])
  return { args: tuple(...extra), keywords: keywordValues, kwargs }
}

/** `with mgr:` entering: `type(mgr).__enter__(mgr)`. */
export function enter(mgr: Py): Py {
  if (
    mgr === null ||
    typeof mgr !== 'object' ||
    typeof mgr.__enter__ !== 'function' ||
    typeof mgr.__exit__ !== 'function'
  ) {
    throw new PyTypeError(`'${typeName(mgr)}' object does not support the context manager protocol`)
  }
  return mgr.__enter__()
}

/** `with mgr:` leaving: `__exit__(type, value, traceback)` (all None without an exception); true when it suppresses the exception. */
export function exit(mgr: Py, error: Py = null): boolean {
  if (error === null) {
    mgr.__exit__(null, null, null)
    return false
  }
  return truthy(mgr.__exit__(error?.constructor ?? null, error, null))
}

/** What `@contextlib.contextmanager` makes of a generator: contextlib's `_GeneratorContextManager`. */
class GeneratorContextManager {
  constructor(private readonly gen: Generator<Py>) {}
  __enter__(): Py {
    const step = this.gen.next()
    if (step.done) throw new RuntimeError("generator didn't yield")
    return step.value
  }
  __exit__(type: Py, value: Py, _traceback: Py): boolean {
    if (type === null) {
      if (!this.gen.next().done) throw new RuntimeError("generator didn't stop")
      return false
    }
    try {
      if (!this.gen.throw(value).done) throw new RuntimeError("generator didn't stop after throw()")
      // The generator caught the exception and finished: suppressed.
      return true
    } catch (raised) {
      if (raised === value) return false
      throw raised
    }
  }
}

/** `@contextlib.contextmanager`. */
export function contextmanager<A extends Py[]>(
  fn: (...args: A) => Generator<Py>,
): (...args: A) => GeneratorContextManager {
  return (...args) => new GeneratorContextManager(fn(...args))
}

export function range(a: number, b?: number, step = 1): number[] {
  for (const arg of [a, b, step]) {
    if (
      arg !== undefined &&
      typeof arg !== 'boolean' &&
      (typeof arg !== 'number' || !Number.isInteger(arg))
    ) {
      throw new PyTypeError(`'${typeName(arg)}' object cannot be interpreted as an integer`)
    }
  }
  const [start, stop] = b === undefined ? [0, a] : [a, b]
  if (step === 0) throw new ValueError('range() arg 3 must not be zero')
  const out: number[] = []
  if (step > 0) for (let i = start; i < stop; i += step) out.push(i)
  else for (let i = start; i > stop; i += step) out.push(i)
  return out
}

export function enumerate(obj: Py, start = 0): Py[] {
  return [...iter(obj)].map((x, i) => tuple(i + start, x))
}

export function zip(...iterables: Py[]): Py[] {
  const lists = iterables.map((it) => [...iter(it)])
  const n = lists.length === 0 ? 0 : Math.min(...lists.map((l) => l.length))
  const out: Py[] = []
  for (let i = 0; i < n; i++) out.push(tuple(...lists.map((l) => l[i])))
  return out
}

export function reversed(obj: Py): Py[] {
  return [...iter(obj)].reverse()
}

/** Unpacks `a, b = value` with Python's errors. */
export function unpack(value: Py, count: number): Py[] {
  const items = [...iter(value)]
  if (items.length > count) throw new ValueError(`too many values to unpack (expected ${count})`)
  if (items.length < count)
    throw new ValueError(`not enough values to unpack (expected ${count}, got ${items.length})`)
  return items
}

// ---------------------------------------------------------------------------------------------
// Built-in functions

export function list(obj: Py = []): Py[] {
  return [...iter(obj)]
}

export function toTuple(obj: Py = []): readonly Py[] {
  return tuple(...iter(obj))
}

export function toSet(obj: Py = []): PySet {
  return new PySet(iter(obj))
}

/** The entries `**value` unpacks into a dict display. */
export function mappingItems(value: Py): [Py, Py][] {
  if (value instanceof PyDict) return value.items()
  throw new PyTypeError(`'${typeName(value)}' object is not a mapping`)
}

/** `dict(arg, **kwargs)`. */
export function toDict(arg: Py = null, kwargs?: PyDict): PyDict {
  const out = new PyDict()
  out.update(arg, kwargs)
  return out
}

const INT_PATTERN = /^[+-]?(\d+(_\d+)*)$/

/** Python's `int()`. */
export function int(value: Py = 0, base?: number): number {
  if (typeof value === 'string') {
    const text = value.trim()
    const b = base ?? 10
    if (b === 10 && INT_PATTERN.test(text)) return Number(text.replace(/_/g, ''))
    if (b !== 10) {
      const body = text.replace(/^[+-]/, '').replace(/_/g, '')
      const parsed = parseInt(body, b)
      const valid = body.length > 0 && [...body.toLowerCase()].every((ch) => parseInt(ch, b) >= 0)
      if (valid && !Number.isNaN(parsed)) return text.startsWith('-') ? -parsed : parsed
    }
    throw new ValueError(`invalid literal for int() with base ${b}: ${repr(value)}`)
  }
  if (typeof value === 'boolean') return Number(value)
  if (value instanceof PyFloat) value = Number(value)
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new ValueError('cannot convert float NaN to integer')
    if (!Number.isFinite(value)) throw new OverflowError('cannot convert float infinity to integer')
    return Math.trunc(value)
  }
  if (value !== null && typeof value === 'object' && typeof value.__int__ === 'function')
    return value.__int__()
  throw new PyTypeError(
    `int() argument must be a string, a bytes-like object or a real number, not '${typeName(value)}'`,
  )
}

const FLOAT_PATTERN = /^[+-]?((\d+(_\d+)*)?\.?\d*(_\d+)*([eE][+-]?\d+)?|inf|infinity|nan)$/i

/** Python's `float()`. */
export function float(value: Py = 0): number {
  if (typeof value === 'string') {
    const text = value.trim()
    if (text !== '' && /\d|inf|nan/i.test(text) && FLOAT_PATTERN.test(text)) {
      const lower = text.toLowerCase().replace(/_/g, '')
      if (lower.endsWith('inf') || lower.endsWith('infinity'))
        return lower.startsWith('-') ? -Infinity : Infinity
      if (lower.endsWith('nan')) return NaN
      return Number(lower)
    }
    throw new ValueError(`could not convert string to float: ${repr(value)}`)
  }
  if (isNumber(value)) return Number(value)
  if (value !== null && typeof value === 'object' && typeof value.__float__ === 'function')
    return value.__float__()
  throw new PyTypeError(
    `float() argument must be a string or a real number, not '${typeName(value)}'`,
  )
}

/** `float` used as a value (`type=float`, `key=float`): the float in its dynamic form, boxed when integral. */
export function toFloat(value: Py = 0): Py {
  return asFloat(float(value))
}

export function bool(value: Py = false): boolean {
  return truthy(value)
}

/** Python's `round()`: half to even, on the exact binary value. */
export function round(value: Py, ndigits: number | null = null): Py {
  if (value !== null && typeof value === 'object' && typeof value.__round__ === 'function')
    return value.__round__(ndigits)
  if (!isNumber(value))
    throw new PyTypeError(`type ${typeName(value)} doesn't define __round__ method`)
  const x = Number(value)
  if (ndigits === null || ndigits === undefined) {
    const floor = Math.floor(x)
    const diff = x - floor
    if (diff > 0.5) return floor + 1
    if (diff < 0.5) return floor
    return floor % 2 === 0 ? floor : floor + 1
  }
  if (!isFloat(value)) return ndigits >= 0 ? x : Number(fixedHalfEven(x, ndigits))
  if (!Number.isFinite(x)) return x
  return asFloat(Number(fixedHalfEven(x, ndigits)))
}

/** `x.toFixed(digits)` with round-half-even on exact ties, as Python's formatting does. */
function fixedHalfEven(x: number, digits: number): string {
  if (digits < 0) {
    const factor = 10 ** -digits
    return String(round(x / factor) * factor)
  }
  const d = Math.min(digits, 100)
  const a = Math.abs(x)
  let out = a.toFixed(d)
  const extra = Math.min(100, d + 40)
  const exact = a.toFixed(extra)
  const tail = exact.slice(exact.length - (extra - d))
  if (extra > d && /^50*$/.test(tail)) {
    // An exact tie: toFixed rounded away from zero; Python keeps the even neighbour.
    const truncated = exact.slice(0, exact.length - (extra - d)).replace(/\.$/, '')
    if (Number(truncated[truncated.length - 1]) % 2 === 0) out = truncated
  }
  return x < 0 || Object.is(x, -0) ? '-' + out : out
}

export function abs(value: Py): Py {
  if (value !== null && typeof value === 'object' && typeof value.__abs__ === 'function')
    return value.__abs__()
  if (!isNumber(value)) throw new PyTypeError(`bad operand type for abs(): '${typeName(value)}'`)
  return isFloat(value) ? asFloat(Math.abs(Number(value))) : Math.abs(Number(value))
}

interface MinMaxOptions {
  key?: ((x: Py) => Py) | null
  default?: Py
}

function extreme(name: 'min' | 'max', args: Py[], options: MinMaxOptions): Py {
  const items = args.length === 1 ? [...iter(args[0])] : args
  if (items.length === 0) {
    if ('default' in options) return options.default
    throw new ValueError(`${name}() arg is an empty sequence`)
  }
  const key = options.key ?? ((x: Py) => x)
  let best = items[0]
  let bestKey = key(best)
  for (const item of items.slice(1)) {
    const k = key(item)
    if (name === 'min' ? lt(k, bestKey) : gt(k, bestKey)) {
      best = item
      bestKey = k
    }
  }
  return best
}

/** `min(iterable, key=, default=)` or `min(a, b, ...)`. */
export function min(args: Py[], options: MinMaxOptions = {}): Py {
  return extreme('min', args, options)
}

export function max(args: Py[], options: MinMaxOptions = {}): Py {
  return extreme('max', args, options)
}

export function sum(iterable: Py, start: Py = 0): Py {
  let total = start
  for (const item of iter(iterable)) total = add(total, item)
  return total
}

export function any(iterable: Py): boolean {
  for (const item of iter(iterable)) if (truthy(item)) return true
  return false
}

export function all(iterable: Py): boolean {
  for (const item of iter(iterable)) if (!truthy(item)) return false
  return true
}

function pyCompare(a: Py, b: Py): number {
  return lt(a, b) ? -1 : lt(b, a) ? 1 : 0
}

/** `sorted(iterable, key=, reverse=)`: stable, like Python's. */
export function sorted(iterable: Py, key: ((x: Py) => Py) | null = null, reverse = false): Py[] {
  const items = [...iter(iterable)]
  sortInPlace(items, key, reverse)
  return items
}

function sortInPlace(items: Py[], key: ((x: Py) => Py) | null, reverse: boolean): void {
  // Only str items and no key: compared as `compare` compares two str, without decorating them
  // (equal str are alike, so the stable order of equal items cannot show).
  if (key === null && items.every((item) => typeof item === 'string')) {
    items.sort(
      reverse
        ? (a: string, b: string) => (b < a ? -1 : b > a ? 1 : 0)
        : (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0),
    )
    return
  }
  const decorated = items.map((item, index) => ({ item, index, key: key ? key(item) : item }))
  decorated.sort((a, b) => {
    const c = reverse ? pyCompare(b.key, a.key) : pyCompare(a.key, b.key)
    return c !== 0 ? c : a.index - b.index
  })
  decorated.forEach((d, i) => (items[i] = d.item))
}

/** `isinstance(value, types)`: types are builtin names (`'int'`, `'dict'`, …) or classes. */
/**
 * `isinstance(value, Mixin)` for a class other classes mix in: an instance of it, or of a class
 * whose `__mixins__` (the mixins a translation flattened into it) hold it or a subclass of it.
 */
export function isInstanceOrMixin(value: unknown, cls: Function): boolean {
  if (Function.prototype[Symbol.hasInstance].call(cls, value)) return true
  if (value === null || typeof value !== 'object') return false
  for (
    let c = (value as object).constructor;
    typeof c === 'function' && c !== Object;
    c = Object.getPrototypeOf(c)
  ) {
    const mixins = Object.hasOwn(c, '__mixins__')
      ? (c as unknown as { __mixins__: Function[] }).__mixins__
      : []
    if (
      mixins.some((m) => m === cls || Function.prototype[Symbol.hasInstance].call(cls, m.prototype))
    )
      return true
  }
  return false
}

/**
 * The built-in type a runtime class stands for in Python's class tree (`int` for an IntEnum's
 * members, `str` for a StrEnum's): `isinstance(member, int)` holds, as in Python.
 */
export const builtinBase: unique symbol = Symbol('builtinBase')

function builtinBaseOf(value: Py): string | undefined {
  return value !== null && typeof value === 'object'
    ? (value as { [builtinBase]?: string })[builtinBase]
    : undefined
}

export function isinstance(
  value: Py,
  types: (string | (abstract new (...args: never[]) => unknown))[],
): boolean {
  return types.some((t) => {
    if (typeof t !== 'string') return value instanceof t
    switch (t) {
      case 'int':
        return (
          typeof value === 'boolean' ||
          (typeof value === 'number' && Number.isInteger(value)) ||
          builtinBaseOf(value) === 'int'
        )
      case 'float':
        return isFloat(value)
      case 'bool':
        return typeof value === 'boolean'
      case 'str':
        return typeof value === 'string' || builtinBaseOf(value) === 'str'
      case 'list':
        return isList(value)
      case 'tuple':
        return isTuple(value)
      case 'dict':
        return value instanceof PyDict
      case 'set':
        return value instanceof PySet
      case 'NoneType':
        return value === null || value === undefined
      case 'object':
        return true
      default:
        return false
    }
  })
}

/** `getattr(obj, name)` / `obj.name` on a value of unknown type: AttributeError when missing. */
export function getattr(obj: Py, name: string, ...fallback: Py[]): Py {
  if (
    obj !== null &&
    obj !== undefined &&
    typeof obj === 'object' &&
    !(obj instanceof PyDict) &&
    (!Array.isArray(obj) || obj.constructor !== Array) &&
    name in obj
  ) {
    const value = obj[name]
    return typeof value === 'function' ? value.bind(obj) : value
  }
  // A dict subclass's own attributes (Werkzeug's Authorization.username): getters and methods below PyDict.
  if (obj instanceof PyDict) {
    for (
      let proto = Object.getPrototypeOf(obj);
      proto !== null && proto !== PyDict.prototype;
      proto = Object.getPrototypeOf(proto)
    ) {
      if (Object.hasOwn(proto, name) && name !== 'constructor') {
        const value = (obj as Py)[name]
        return typeof value === 'function' ? value.bind(obj) : value
      }
    }
  }
  // A class's own attribute (a static of a translated or runtime class: `Point._fields`).
  if (typeof obj === 'function' && !Object.hasOwn(FUNCTION_OWN, name)) {
    for (
      let cls = obj;
      typeof cls === 'function' && cls !== Function.prototype;
      cls = Object.getPrototypeOf(cls)
    ) {
      if (Object.hasOwn(cls, name)) {
        const value = obj[name]
        return typeof value === 'function' ? value.bind(obj) : value
      }
    }
  }
  // A class attribute (a static of a translated class) seen through an instance, as Python does.
  if (obj !== null && typeof obj === 'object' && !Object.hasOwn(FUNCTION_OWN, name)) {
    for (
      let cls = obj.constructor;
      typeof cls === 'function' && cls !== Object && cls !== Error;
      cls = Object.getPrototypeOf(cls)
    ) {
      if (Object.hasOwn(cls, name)) return cls[name]
    }
  }
  // A method of a str, list, dict or set as a value (`key=prices.get`): bound to its object.
  const table: Record<string, (self: Py, ...args: Py[]) => Py> | null =
    typeof obj === 'string'
      ? strMethods
      : isList(obj)
        ? listMethods
        : obj instanceof PyDict
          ? dictMethods
          : obj instanceof PySet
            ? setMethods
            : null
  if (table !== null && Object.hasOwn(table, name))
    return (...args: Py[]) => table[name]!(obj, ...args)
  // A class's `__getattr__` (Flask-RESTful's reqparse.Namespace): called when the lookup above finds nothing.
  if (obj !== null && typeof obj === 'object' && typeof obj.__getattr__ === 'function') {
    try {
      return obj.__getattr__(name)
    } catch (error) {
      if (!(error instanceof AttributeError) || fallback.length === 0) throw error
      return fallback[0]
    }
  }
  if (fallback.length > 0) return fallback[0]
  throw new AttributeError(`'${typeName(obj)}' object has no attribute '${name}'`)
}

/** Own properties every JavaScript class has, which are not Python class attributes. */
const FUNCTION_OWN: Record<string, true> = {
  name: true,
  length: true,
  prototype: true,
  caller: true,
  arguments: true,
}

export function hasattr(obj: Py, name: string): boolean {
  try {
    getattr(obj, name)
    return true
  } catch (error) {
    if (error instanceof AttributeError) return false
    throw error
  }
}

/** `obj.name = value` / `setattr(obj, name, value)`: builtin values have no settable attributes. */
export function setattr(obj: Py, name: string, value: Py): null {
  if (
    obj === null ||
    obj === undefined ||
    typeof obj !== 'object' ||
    obj instanceof PyDict ||
    obj instanceof PySet ||
    Array.isArray(obj)
  ) {
    throw new AttributeError(`'${typeName(obj)}' object has no attribute '${name}'`)
  }
  obj[name] = value
  return null
}

export { BaseException as BaseExceptionClass }

export function chr(code: number): string {
  return String.fromCodePoint(code)
}

export function ord(ch: string): number {
  if ([...ch].length !== 1)
    throw new PyTypeError(
      `ord() expected a character, but string of length ${[...ch].length} found`,
    )
  return ch.codePointAt(0)!
}

// ---------------------------------------------------------------------------------------------
// Methods of builtin types, dispatched on the receiver's runtime type

const WHITESPACE =
  ' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000'

function stripChars(s: string, chars: Py, left: boolean, right: boolean): string {
  const set = chars === null || chars === undefined ? WHITESPACE : String(chars)
  const cs = [...s]
  let a = 0
  let b = cs.length
  if (left) while (a < b && set.includes(cs[a])) a++
  if (right) while (b > a && set.includes(cs[b - 1])) b--
  return cs.slice(a, b).join('')
}

function splitWhitespace(s: string, maxsplit: number): string[] {
  const out: string[] = []
  let rest = stripChars(s, null, true, false)
  while (rest.length > 0) {
    if (maxsplit >= 0 && out.length === maxsplit) {
      out.push(rest)
      break
    }
    let i = 0
    while (i < rest.length && !WHITESPACE.includes(rest[i])) i++
    out.push(rest.slice(0, i))
    rest = stripChars(rest.slice(i), null, true, false)
  }
  return out
}

function isCased(ch: string): boolean {
  return ch.toLowerCase() !== ch.toUpperCase()
}

export const strMethods: Record<string, (s: string, ...args: Py[]) => Py> = {
  encode: (s, encoding: Py = 'utf-8') => {
    if (!/^utf-?8$/i.test(String(encoding)))
      throw new PyTypeError(`encoding ${repr(encoding)} is not supported (only UTF-8)`)
    return new TextEncoder().encode(s)
  },
  strip: (s, chars = null) => stripChars(s, chars, true, true),
  lstrip: (s, chars = null) => stripChars(s, chars, true, false),
  rstrip: (s, chars = null) => stripChars(s, chars, false, true),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  title: (s) => {
    let out = ''
    let prevCased = false
    for (const ch of s) {
      out += prevCased ? ch.toLowerCase() : ch.toUpperCase()
      prevCased = isCased(ch)
    }
    return out
  },
  capitalize: (s) =>
    s.length === 0 ? s : [...s][0].toUpperCase() + [...s].slice(1).join('').toLowerCase(),
  swapcase: (s) =>
    [...s].map((ch) => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase())).join(''),
  split: (s, sep = null, maxsplit = -1) => {
    if (sep === null || sep === undefined) return splitWhitespace(s, maxsplit)
    if (sep === '') throw new ValueError('empty separator')
    const parts = s.split(sep)
    if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts
    return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sep)]
  },
  rsplit: (s, sep = null, maxsplit = -1) => {
    if (maxsplit < 0) return strMethods.split(s, sep, -1)
    if (sep === null || sep === undefined) {
      const words = splitWhitespace(s, -1)
      if (words.length <= maxsplit + 1) return words
      const head = stripChars(s, null, false, true)
      let cut = head.length
      for (let n = 0; n < maxsplit; n++) {
        cut = head.lastIndexOf(words[words.length - 1 - n], cut - 1)
      }
      return [
        stripChars(head.slice(0, cut), null, false, true),
        ...words.slice(words.length - maxsplit),
      ]
    }
    const parts = s.split(sep)
    if (parts.length <= maxsplit + 1) return parts
    return [
      parts.slice(0, parts.length - maxsplit).join(sep),
      ...parts.slice(parts.length - maxsplit),
    ]
  },
  splitlines: (s) =>
    s
      .split(/\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/)
      .filter((part, i, all) => i < all.length - 1 || part !== ''),
  join: (s, iterable) =>
    [...iter(iterable)]
      .map((item, i) => {
        if (typeof item !== 'string')
          throw new PyTypeError(
            `sequence item ${i}: expected str instance, ${typeName(item)} found`,
          )
        return item
      })
      .join(s),
  replace: (s, old, replacement, count = -1) => {
    if (count < 0) return s.split(old).join(replacement)
    const parts = s.split(old)
    return (
      parts.slice(0, count + 1).join(replacement) +
      (parts.length > count + 1 ? old + parts.slice(count + 1).join(old) : '')
    )
  },
  startswith: (s, prefix, start = 0) =>
    (isTuple(prefix) ? prefix : [prefix]).some((p: string) => s.startsWith(p, start)),
  endswith: (s, suffix) => (isTuple(suffix) ? suffix : [suffix]).some((p: string) => s.endsWith(p)),
  find: (s, sub, start = 0) => s.indexOf(sub, start),
  rfind: (s, sub) => s.lastIndexOf(sub),
  index: (s, sub, start = 0) => {
    const i = s.indexOf(sub, start)
    if (i < 0) throw new ValueError('substring not found')
    return i
  },
  count: (s, sub) => (sub === '' ? [...s].length + 1 : s.split(sub).length - 1),
  isdigit: (s) => s.length > 0 && /^\p{Nd}+$/u.test(s),
  isnumeric: (s) => s.length > 0 && /^\p{N}+$/u.test(s),
  isdecimal: (s) => s.length > 0 && /^\p{Nd}+$/u.test(s),
  isalpha: (s) => s.length > 0 && /^\p{L}+$/u.test(s),
  isalnum: (s) => s.length > 0 && /^[\p{L}\p{N}]+$/u.test(s),
  isspace: (s) => s.length > 0 && [...s].every((ch) => WHITESPACE.includes(ch)),
  isupper: (s) => [...s].some(isCased) && s === s.toUpperCase(),
  islower: (s) => [...s].some(isCased) && s === s.toLowerCase(),
  zfill: (s, width) => {
    const sign = s.startsWith('-') || s.startsWith('+') ? s[0] : ''
    const body = sign ? s.slice(1) : s
    return sign + body.padStart(width - sign.length, '0')
  },
  center: (s, width, fill = ' ') => {
    const total = width - [...s].length
    if (total <= 0) return s
    const left = Math.floor(total / 2) + (total & width & 1)
    return fill.repeat(left) + s + fill.repeat(total - left)
  },
  ljust: (s, width, fill = ' ') => s + fill.repeat(Math.max(0, width - [...s].length)),
  rjust: (s, width, fill = ' ') => fill.repeat(Math.max(0, width - [...s].length)) + s,
  partition: (s, sep) => {
    const i = s.indexOf(sep)
    return i < 0 ? tuple(s, '', '') : tuple(s.slice(0, i), sep, s.slice(i + sep.length))
  },
  rpartition: (s, sep) => {
    const i = s.lastIndexOf(sep)
    return i < 0 ? tuple('', '', s) : tuple(s.slice(0, i), sep, s.slice(i + sep.length))
  },
  removeprefix: (s, prefix) => (s.startsWith(prefix) ? s.slice(prefix.length) : s),
  removesuffix: (s, suffix) =>
    suffix && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s,
  format: (s, ...args) => strFormat(s, args),
}

export const listMethods: Record<string, (l: Py[], ...args: Py[]) => Py> = {
  append: (l, x) => {
    l.push(x)
    return null
  },
  extend: (l, it) => {
    l.push(...iter(it))
    return null
  },
  insert: (l, i, x) => {
    l.splice(i < 0 ? Math.max(0, l.length + i) : Math.min(i, l.length), 0, x)
    return null
  },
  pop: (l, i = -1) => {
    if (l.length === 0) throw new IndexError('pop from empty list')
    const at = i < 0 ? i + l.length : i
    if (at < 0 || at >= l.length) throw new IndexError('pop index out of range')
    return l.splice(at, 1)[0]
  },
  remove: (l, x) => {
    const i = l.findIndex((y) => eq(y, x))
    if (i < 0) throw new ValueError('list.remove(x): x not in list')
    l.splice(i, 1)
    return null
  },
  index: (l, x) => {
    const i = l.findIndex((y) => eq(y, x))
    if (i < 0)
      throw new ValueError(
        isTuple(l) ? 'tuple.index(x): x not in tuple' : `${repr(x)} is not in list`,
      )
    return i
  },
  count: (l, x) => l.filter((y) => eq(y, x)).length,
  reverse: (l) => {
    l.reverse()
    return null
  },
  clear: (l) => {
    l.length = 0
    return null
  },
  copy: (l) => [...l],
}

export const dictMethods: Record<string, (d: PyDict, ...args: Py[]) => Py> = {
  get: (d, k, fallback = null) => d.get(k, fallback),
  keys: (d) => d.keys(),
  values: (d) => d.values(),
  items: (d) => d.items(),
  pop: (d, k, ...fallback) => d.pop(k, ...fallback),
  popitem: (d) => d.popitem(),
  setdefault: (d, k, fallback = null) => d.setdefault(k, fallback),
  update: (d, other = null) => {
    d.update(other)
    return null
  },
  copy: (d) => d.copy(),
  clear: (d) => {
    d.clear()
    return null
  },
}

export const setMethods: Record<string, (s: PySet, ...args: Py[]) => Py> = {
  add: (s, x) => {
    s.add(x)
    return null
  },
  discard: (s, x) => {
    s.discard(x)
    return null
  },
  remove: (s, x) => {
    s.remove(x)
    return null
  },
  pop: (s) => s.pop(),
  clear: (s) => {
    s.clear()
    return null
  },
  copy: (s) => s.copy(),
  update: (s, ...others) => {
    for (const o of others) for (const x of iter(o)) s.add(x)
    return null
  },
  union: (s, ...others) => new PySet([...s.values(), ...others.flatMap((o) => [...iter(o)])]),
  intersection: (s, ...others) =>
    new PySet(s.values().filter((x) => others.every((o) => contains(toSet(o), x)))),
  difference: (s, ...others) =>
    new PySet(s.values().filter((x) => !others.some((o) => contains(toSet(o), x)))),
  issubset: (s, other) => s.values().every((x) => contains(toSet(other), x)),
  issuperset: (s, other) => [...iter(other)].every((x) => s.has(x)),
}

/** `obj.name(*args)` where the receiver's type is not known statically. */
export function callMethod(obj: Py, name: string, ...args: Py[]): Py {
  const table =
    typeof obj === 'string'
      ? strMethods
      : isList(obj)
        ? listMethods
        : isTuple(obj) && (name === 'index' || name === 'count')
          ? listMethods
          : obj instanceof PyDict
            ? dictMethods
            : obj instanceof PySet
              ? setMethods
              : null
  if (isFloat(obj) && name === 'is_integer' && args.length === 0)
    return Number.isInteger(Number(obj))
  if (obj instanceof Uint8Array && name === 'decode') return decodeBytes(obj, ...args)
  // A dict subclass's own methods and overrides (`Counter.most_common`, `OrderedDict.popitem(last)`).
  if (
    table === dictMethods &&
    typeof obj[name] === 'function' &&
    obj[name] !== (PyDict.prototype as Py)[name]
  )
    return obj[name](...args) ?? null
  if (table) {
    const method = (table as Record<string, (o: Py, ...a: Py[]) => Py>)[name]
    if (!method) throw new AttributeError(`'${typeName(obj)}' object has no attribute '${name}'`)
    return method(obj, ...args)
  }
  if (obj !== null && obj !== undefined && (typeof obj === 'object' || typeof obj === 'function')) {
    if (typeof obj[name] === 'function') return obj[name](...args)
    // A method the translation renamed (`def delete(self)` is `delete_`: a reserved word in TypeScript).
    if (JS_RENAMED.has(name) && typeof obj[`${name}_`] === 'function')
      return obj[`${name}_`](...args)
    const method = getattr(obj, name) // a static or class method seen through an instance
    if (typeof method === 'function') return method(...args)
  }
  throw new AttributeError(`'${typeName(obj)}' object has no attribute '${name}'`)
}

/** Python names the translation gives a trailing underscore to (src/translate/context.ts jsIdentifier's reserved words). */
const JS_RENAMED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval undefined'.split(
    ' ',
  ),
)

/** `list.sort(key=, reverse=)`. */
export function sortList(l: Py, key: ((x: Py) => Py) | null = null, reverse = false): null {
  if (!isList(l)) throw new AttributeError(`'${typeName(l)}' object has no attribute 'sort'`)
  sortInPlace(l, key, reverse)
  return null
}

// ---------------------------------------------------------------------------------------------
// Formatting: format specs, str.format, %-formatting

const SPEC =
  /^(?:(.)?([<>=^]))?([+\- ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s

function groupDigits(intPart: string, sep: string, every: number): string {
  let out = ''
  for (let i = 0; i < intPart.length; i++) {
    if (i > 0 && (intPart.length - i) % every === 0) out += sep
    out += intPart[i]
  }
  return out
}

function expNotation(x: number, precision: number, upper: boolean): string {
  const [m, e] = x.toExponential(precision).split('e')
  const exp = Number(e)
  const text = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
  return upper ? text.toUpperCase() : text
}

function generalNotation(
  x: number,
  precision: number,
  alternate: boolean,
  upper: boolean,
  minOneDecimal: boolean,
): string {
  const p = precision === 0 ? 1 : precision
  if (x === 0) return minOneDecimal ? '0.0' : alternate ? '0.' + '0'.repeat(p - 1) : '0'
  const exp = Number(x.toExponential(p - 1).split('e')[1])
  let text: string
  if (exp >= -4 && exp < (minOneDecimal ? p - 1 : p)) {
    text = fixedHalfEven(x, p - 1 - exp).replace(/^-/, '')
    if (!alternate && text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '')
    if (minOneDecimal && !text.includes('.')) text += '.0'
  } else {
    text = expNotation(Math.abs(x), p - 1, upper)
    if (!alternate) text = text.replace(/\.?0+e/, 'e').replace(/\.?0+E/, 'E')
  }
  return text
}

/**
 * Python's `format(value, spec)`. `isFloat` says the value is a Python float even when it is
 * integral (JavaScript cannot tell `3.0` from `3`).
 */
export function format(value: Py, spec = '', isFloatValue = false): string {
  if (value instanceof PyFloat) return format(Number(value), spec, true)
  if (value !== null && typeof value === 'object' && typeof value.__format__ === 'function')
    return value.__format__(spec)
  if (spec === '') return isFloatValue && typeof value === 'number' ? floatRepr(value) : str(value)
  const m = SPEC.exec(spec)
  if (!m) throw new ValueError('Invalid format specifier')
  const [
    ,
    fillChar,
    alignChar,
    sign = '-',
    ,
    alternate,
    zero,
    widthText,
    grouping,
    precisionText,
    typeChar,
  ] = m
  let fill = fillChar ?? (zero && !alignChar ? '0' : ' ')
  let align = alignChar ?? (zero ? '=' : '')
  const width = widthText ? Number(widthText) : 0
  const precision = precisionText === undefined ? undefined : Number(precisionText)
  let body: string
  let signText = ''
  let prefix = ''
  if (typeof value === 'string') {
    if (typeChar && typeChar !== 's')
      throw new ValueError(`Unknown format code '${typeChar}' for object of type 'str'`)
    if (sign !== '-' && m[3]) throw new ValueError('Sign not allowed in string format specifier')
    body = precision === undefined ? value : [...value].slice(0, precision).join('')
    align = align || '<'
    if (align === '=') throw new ValueError("'=' alignment not allowed in string format specifier")
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    const x = Number(value)
    const floatValue = isFloatValue || !Number.isInteger(x)
    let type = typeChar ?? ''
    if (type === 's')
      throw new ValueError(
        `Unknown format code 's' for object of type '${floatValue ? 'float' : 'int'}'`,
      )
    if (!floatValue && type === '') type = 'd'
    if (floatValue && 'dbcoxX'.includes(type) && type !== '') {
      throw new ValueError(`Unknown format code '${type}' for object of type 'float'`)
    }
    if (x < 0 || Object.is(x, -0)) signText = '-'
    else if (sign === '+') signText = '+'
    else if (sign === ' ') signText = ' '
    const a = Math.abs(x)
    switch (type) {
      case 'd':
      case 'n':
        body = String(a)
        break
      case 'b':
        body = a.toString(2)
        prefix = alternate ? '0b' : ''
        break
      case 'o':
        body = a.toString(8)
        prefix = alternate ? '0o' : ''
        break
      case 'x':
      case 'X':
        body = a.toString(16)
        if (type === 'X') body = body.toUpperCase()
        prefix = alternate ? (type === 'x' ? '0x' : '0X') : ''
        break
      case 'c':
        body = String.fromCodePoint(x)
        signText = ''
        break
      case 'f':
      case 'F':
        body = Number.isFinite(a)
          ? fixedHalfEven(a, precision ?? 6)
          : a === Infinity
            ? 'inf'
            : 'nan'
        if (alternate && !body.includes('.')) body += '.'
        if (type === 'F') body = body.toUpperCase()
        break
      case 'e':
      case 'E':
        body = Number.isFinite(a)
          ? expNotation(a, precision ?? 6, type === 'E')
          : a === Infinity
            ? 'inf'
            : 'nan'
        break
      case '%':
        body = fixedHalfEven(a * 100, precision ?? 6) + '%'
        break
      case 'g':
      case 'G':
        body = Number.isFinite(a)
          ? generalNotation(a, precision ?? 6, Boolean(alternate), type === 'G', false)
          : a === Infinity
            ? 'inf'
            : 'nan'
        break
      default:
        body = !Number.isFinite(a)
          ? a === Infinity
            ? 'inf'
            : 'nan'
          : precision === undefined
            ? floatRepr(a)
            : generalNotation(a, precision, Boolean(alternate), false, true)
    }
    if (grouping) {
      const [intPart, ...frac] = body.split('.')
      const every = 'bxXo'.includes(type) ? 4 : 3
      if (/^\d+$/.test(intPart)) body = [groupDigits(intPart, grouping, every), ...frac].join('.')
    }
    align = align || '>'
  } else {
    if (spec !== '')
      throw new PyTypeError(`unsupported format string passed to ${typeName(value)}.__format__`)
    body = str(value)
  }
  const content = signText + prefix + body
  const padding = Math.max(0, width - [...content].length)
  if (padding === 0) return content
  fill = fill ?? ' '
  switch (align) {
    case '<':
      return content + fill.repeat(padding)
    case '^':
      return (
        fill.repeat(Math.floor(padding / 2)) +
        content +
        fill.repeat(padding - Math.floor(padding / 2))
      )
    case '=':
      return signText + prefix + fill.repeat(padding) + body
    default:
      return fill.repeat(padding) + content
  }
}

function formatField(value: Py, conversion: string | undefined, spec: string): string {
  if (conversion === 'r') return format(repr(value), spec)
  if (conversion === 's') return format(str(value), spec)
  if (conversion === 'a') return format(repr(value), spec)
  return format(value, spec)
}

function resolveField(
  field: string,
  args: Py[],
  kwargs: PyDict | null,
  auto: { next: number },
): Py {
  const m = /^([^.[]*)(.*)$/.exec(field)!
  const head = m[1]
  let value: Py
  if (head === '') {
    if (auto.next < 0)
      throw new ValueError(
        'cannot switch from manual field specification to automatic field numbering',
      )
    const i = auto.next++
    if (i >= args.length)
      throw new IndexError(`Replacement index ${i} out of range for positional args tuple`)
    value = args[i]
  } else if (/^\d+$/.test(head)) {
    if (auto.next > 0)
      throw new ValueError(
        'cannot switch from automatic field numbering to manual field specification',
      )
    auto.next = -1
    const i = Number(head)
    if (i >= args.length)
      throw new IndexError(`Replacement index ${i} out of range for positional args tuple`)
    value = args[i]
  } else {
    if (!kwargs || !kwargs.has(head)) throw new KeyError(head)
    value = kwargs.getItem(head)
  }
  const accessors = /\.(\w+)|\[([^\]]+)\]/g
  let a: RegExpExecArray | null
  while ((a = accessors.exec(m[2])) !== null) {
    if (a[1] !== undefined) value = getattr(value, a[1])
    else value = getitem(value, /^\d+$/.test(a[2]) ? Number(a[2]) : a[2])
  }
  return value
}

/** `fmt.format(*args, **kwargs)`. */
export function strFormat(fmt: string, args: Py[], kwargs: PyDict | null = null): string {
  const auto = { next: 0 }
  let out = ''
  let i = 0
  while (i < fmt.length) {
    const ch = fmt[i]
    if (ch === '{') {
      if (fmt[i + 1] === '{') {
        out += '{'
        i += 2
        continue
      }
      let depth = 1
      let j = i + 1
      while (j < fmt.length && depth > 0) {
        if (fmt[j] === '{') depth++
        else if (fmt[j] === '}') depth--
        j++
      }
      if (depth !== 0) throw new ValueError("expected '}' before end of string")
      const inner = fmt.slice(i + 1, j - 1)
      const m = /^([^!:]*)(?:!([rsa]))?(?::(.*))?$/s.exec(inner)
      if (!m) throw new ValueError('Invalid format string')
      const spec = (m[3] ?? '').replace(/\{([^{}]*)\}/g, (_, name: string) =>
        str(resolveField(name, args, kwargs, auto)),
      )
      out += formatField(resolveField(m[1], args, kwargs, auto), m[2], spec)
      i = j
    } else if (ch === '}') {
      if (fmt[i + 1] !== '}') throw new ValueError("Single '}' encountered in format string")
      out += '}'
      i += 2
    } else {
      out += ch
      i++
    }
  }
  return out
}

/** `fmt % args` for a str `fmt`. */
export function percentFormat(fmt: string, args: Py): string {
  const mapping = args instanceof PyDict ? args : null
  const values: Py[] = mapping ? [] : isTuple(args) ? [...args] : [args]
  let used = 0
  const take = (): Py => {
    if (used >= values.length) throw new PyTypeError('not enough arguments for format string')
    return values[used++]
  }
  const out = fmt.replace(
    /%(?:\(([^)]*)\))?([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d+))?([diouxXeEfFgGcrsa%])/g,
    (
      whole,
      key: string | undefined,
      flags: string,
      widthText: string | undefined,
      precisionText: string | undefined,
      type: string,
    ) => {
      if (type === '%') return '%'
      const width = widthText === '*' ? Number(take()) : widthText
      const precision = precisionText === '*' ? Number(take()) : precisionText
      let value = key !== undefined ? (mapping ? mapping.getItem(key) : getitem(args, key)) : take()
      let spec = ''
      let text: string
      const align = flags.includes('-') ? '<' : '>'
      const fill = flags.includes('0') && !flags.includes('-') && !'srac'.includes(type) ? '0=' : ''
      const sign = flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : ''
      const alt = flags.includes('#') ? '#' : ''
      if (type === 's' || type === 'r' || type === 'a') {
        text = type === 's' ? str(value) : repr(value)
        if (precision !== undefined) text = [...text].slice(0, Number(precision)).join('')
        spec = `${align}${width ?? ''}`
        return format(text, spec)
      }
      // `%f` of a Decimal or an IntEnum: its float (or int), as Python converts it.
      if (!isNumber(value) && value !== null && typeof value === 'object') {
        if ('diu'.includes(type) && typeof value.__int__ === 'function') value = value.__int__()
        else if (type !== 'c' && typeof value.__float__ === 'function') value = value.__float__()
      }
      if (!isNumber(value)) {
        throw new PyTypeError(
          `%${type} format: a ${type === 'c' ? 'int or char' : 'real number'} is required, not ${typeName(value)}`,
        )
      }
      const number = 'diu'.includes(type) ? Math.trunc(Number(value)) : Number(value)
      const t = type === 'i' || type === 'u' ? 'd' : type
      const p = precision !== undefined ? `.${precision}` : ''
      spec = `${fill ? '0=' : align}${sign}${alt}${width ?? ''}${'eEfFgG%'.includes(t) ? p : ''}${t}`
      if (fill) spec = `0=${sign}${alt}${width ?? ''}${'eEfFgG'.includes(t) ? p : ''}${t}`
      return format(number, spec, 'eEfFgG'.includes(t))
    },
  )
  if (!mapping && used < values.length)
    throw new PyTypeError('not all arguments converted during string formatting')
  return out
}

// ---------------------------------------------------------------------------------------------
// Keyword arguments, JSON, and a few stdlib modules

/** Keyword arguments as a dict (`f(**kwargs)` callee side, `dict(a=1)`). */
export function kwargs(record: Record<string, Py>): PyDict {
  return new PyDict(Object.entries(record))
}

/** A deep copy with every PyDict turned into a plain object and every PySet into an array, for JSON and for Flask helpers. */
export function toJs(value: Py): Py {
  if (value instanceof PyDict) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of value.items()) out[jsonKey(k)] = toJs(v)
    return out
  }
  if (value instanceof PySet) return value.values().map(toJs)
  if (Array.isArray(value)) return value.map(toJs)
  // A boxed float stays boxed: Flask's JSON writes it as a float.
  if (value === undefined) return null
  return value
}

/** Plain JSON data (objects, arrays) → Python values (PyDict, lists). */
export function fromJs(value: unknown): Py {
  if (Array.isArray(value)) return value.map(fromJs)
  if (value !== null && typeof value === 'object') {
    if (value instanceof PyDict || value instanceof PySet || value instanceof PyFloat) return value
    return new PyDict(Object.entries(value).map(([k, v]) => [k, fromJs(v)]))
  }
  return value === undefined ? null : value
}

function jsonDumps(value: Py, indent: number | null, sortKeys: boolean, level: number): string {
  const nl = indent === null ? '' : '\n' + ' '.repeat(indent * (level + 1))
  const end = indent === null ? '' : '\n' + ' '.repeat(indent * level)
  const sep = indent === null ? ', ' : ','
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (value instanceof PyFloat) return floatRepr(value)
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN'
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
    return Number.isInteger(value) ? String(value) : floatRepr(value)
  }
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'),
    )
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return (
      '[' +
      nl +
      value.map((v) => jsonDumps(v, indent, sortKeys, level + 1)).join(sep + nl) +
      end +
      ']'
    )
  }
  if (value instanceof PyDict) {
    let items = value.items().map(([k, v]) => [jsonKey(k), v] as [string, Py])
    if (items.length === 0) return '{}'
    if (sortKeys) items = items.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    return (
      '{' +
      nl +
      items
        .map(
          ([k, v]) =>
            `${jsonDumps(k, null, false, 0)}: ${jsonDumps(v, indent, sortKeys, level + 1)}`,
        )
        .join(sep + nl) +
      end +
      '}'
    )
  }
  throw new PyTypeError(`Object of type ${typeName(value)} is not JSON serializable`)
}

/** `json.dumps(value, indent=, sort_keys=)` with Python's separators and escaping. */
export function jsonDumpsPy(value: Py, indent: number | null = null, sortKeys = false): string {
  return jsonDumps(value, indent, sortKeys, 0)
}

/** `json.loads(text)`. */
export function jsonLoads(text: Py): Py {
  if (text instanceof Uint8Array) text = decodeBytes(text)
  if (typeof text !== 'string')
    throw new PyTypeError(`the JSON object must be str, bytes or bytearray, not ${typeName(text)}`)
  return fromJs(loadsJson(text))
}

/** `timedelta(days=…, hours=…)`: the parts Python's call names. */
export function timedelta(
  parts: {
    days?: Py
    seconds?: Py
    microseconds?: Py
    milliseconds?: Py
    minutes?: Py
    hours?: Py
    weeks?: Py
  } = {},
): PyTimeDelta {
  return new PyTimeDelta(
    parts.days,
    parts.seconds,
    parts.microseconds,
    parts.milliseconds,
    parts.minutes,
    parts.hours,
    parts.weeks,
  )
}

/** `os.environ[key]`. */
export function environGetItem(key: string): string {
  const value = process.env[key]
  if (value === undefined) throw new KeyError(key)
  return value
}

/** Values of `uuid.uuid4()`. */
export class UUID {
  constructor(readonly text: string) {}
  get hex(): string {
    return this.text.replace(/-/g, '')
  }
  __str__(): string {
    return this.text
  }
  __repr__(): string {
    return `UUID('${this.text}')`
  }
  __eq__(other: Py): boolean {
    return other instanceof UUID && other.text === this.text
  }
  __hashvalue__(): Py {
    return `\0uuid ${this.text}`
  }
  /** What Flask's JSON provider writes: `str(uuid)`. */
  __json__(): string {
    return this.text
  }
}

/** `uuid.UUID(hex)`: braces, `urn:uuid:` and hyphens are dropped; 32 hex digits, else ValueError. */
export function uuidFromHex(text: Py): UUID {
  if (typeof text !== 'string')
    throw new AttributeError(`'${typeName(text)}' object has no attribute 'replace'`)
  const hex = text
    .replaceAll('urn:', '')
    .replaceAll('uuid:', '')
    .replace(/^[{}]+|[{}]+$/g, '')
    .replaceAll('-', '')
  if (hex.length !== 32) throw new ValueError('badly formed hexadecimal UUID string')
  if (!/^[0-9a-fA-F]{32}$/.test(hex))
    throw new ValueError(`invalid literal for int() with base 16: ${repr(hex)}`)
  const lower = hex.toLowerCase()
  return new UUID(
    `${lower.slice(0, 8)}-${lower.slice(8, 12)}-${lower.slice(12, 16)}-${lower.slice(16, 20)}-${lower.slice(20)}`,
  )
}

export function uuid4(): UUID {
  return new UUID(globalThis.crypto.randomUUID())
}

/** A `re` match object (common subset). */
export class Match {
  constructor(private readonly m: RegExpExecArray) {}
  group(...ids: (number | string)[]): Py {
    const one = (id: number | string): Py => {
      const v = typeof id === 'number' ? this.m[id] : this.m.groups?.[id]
      if (typeof id === 'number' && id >= this.m.length) throw new IndexError('no such group')
      return v === undefined ? null : v
    }
    if (ids.length === 0) return one(0)
    if (ids.length === 1) return one(ids[0])
    return tuple(...ids.map(one))
  }
  groups(fallback: Py = null): Py {
    return tuple(...this.m.slice(1).map((v) => (v === undefined ? fallback : v)))
  }
  groupdict(fallback: Py = null): PyDict {
    return new PyDict(
      Object.entries(this.m.groups ?? {}).map(([k, v]) => [k, v === undefined ? fallback : v]),
    )
  }
  start(): number {
    return this.m.index
  }
  end(): number {
    return this.m.index + this.m[0].length
  }
  span(): Py {
    return tuple(this.start(), this.end())
  }
}

/** Python's re flags (as given by the translator: I, M, S). */
function reCompile(pattern: string, flags: string, extra: string): RegExp {
  const source = pattern
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$(?![\\s\\S])')
  return new RegExp(source, 'u' + flags + extra)
}

export function reMatch(pattern: string, text: string, flags = ''): Match | null {
  const re = reCompile(pattern, flags, 'y')
  const m = re.exec(text)
  return m ? new Match(m) : null
}

export function reFullmatch(pattern: string, text: string, flags = ''): Match | null {
  const re = reCompile(`(?:${pattern})$(?![\\s\\S])`, flags.replace('m', ''), 'y')
  const m = re.exec(text)
  return m ? new Match(m) : null
}

export function reSearch(pattern: string, text: string, flags = ''): Match | null {
  const m = reCompile(pattern, flags, '').exec(text)
  return m ? new Match(m) : null
}

export function reFindall(pattern: string, text: string, flags = ''): Py[] {
  return [...text.matchAll(reCompile(pattern, flags, 'g'))].map((m) =>
    m.length === 1
      ? m[0]
      : m.length === 2
        ? (m[1] ?? '')
        : tuple(...m.slice(1).map((v) => v ?? '')),
  )
}

export function reSub(
  pattern: string,
  replacement: Py,
  text: string,
  count = 0,
  flags = '',
): string {
  let n = 0
  return text.replace(reCompile(pattern, flags, 'g'), (...parts: Py[]) => {
    const groupsAt = parts.findIndex((p) => typeof p === 'number')
    const whole = parts.slice(0, groupsAt)
    if (count > 0 && n >= count) return whole[0]
    n++
    if (typeof replacement === 'function') {
      const arr = Object.assign([...whole], {
        index: parts[groupsAt],
        input: text,
      }) as unknown as RegExpExecArray
      return str(replacement(new Match(arr)))
    }
    return String(replacement).replace(
      /\\(\d+)|\\g<(\w+)>|\\n|\\t|\\\\/g,
      (esc, num?: string, name?: string) => {
        if (num !== undefined) return whole[Number(num)] ?? ''
        if (name !== undefined)
          return /^\d+$/.test(name)
            ? (whole[Number(name)] ?? '')
            : (parts[parts.length - 1]?.[name] ?? '')
        return esc === '\\n' ? '\n' : esc === '\\t' ? '\t' : '\\'
      },
    )
  })
}

export function reSplit(pattern: string, text: string, maxsplit = 0, flags = ''): string[] {
  const out: Py[] = []
  let last = 0
  let n = 0
  for (const m of text.matchAll(reCompile(pattern, flags, 'g'))) {
    if (maxsplit > 0 && n >= maxsplit) break
    out.push(text.slice(last, m.index), ...m.slice(1).map((v) => v ?? null))
    last = m.index! + m[0].length
    n++
  }
  out.push(text.slice(last))
  return out
}
