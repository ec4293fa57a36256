/**
 * Python's `enum`: `Enum`, `IntEnum`, `StrEnum` (3.11) and `auto()`. A translated enum class
 * extends one of these and declares its members as static fields; `seal(Color)` after the class
 * turns each into the member object Python makes (`.name`, `.value`), in definition order, with
 * aliases for repeated values. `Color(1)` (`new Color(1)`) is the member with that value,
 * `Color["RED"]` the member of that name, and the class iterates over its members.
 */
import { KeyError, TypeError as PyTypeError, ValueError } from './exceptions.js'
import {
  PyDict,
  add,
  builtinBase,
  eq,
  format,
  gt,
  lt,
  mul,
  repr,
  str,
  strMethods,
  sub,
  type Py,
} from './py.js'

const AUTO = Symbol('enum.auto')
/** While `seal` makes the members, `new Color()` builds one instead of looking one up. */
let defining = false

/** `auto()`: the next value (the last int plus one, from 1; a StrEnum's lower-cased name). */
export function auto(): Py {
  return { [AUTO]: true }
}

/** A sealed enum class's members in definition order (aliases left out). */
const MEMBERS = Symbol('enum members')
type EnumClass = typeof Enum & { [MEMBERS]?: Enum[] }

export class Enum {
  declare readonly name: string
  declare readonly value: Py

  /** `Color(value)`: the member with that value (a ValueError if none). */
  constructor(value?: Py) {
    if (defining) return
    const cls = new.target as unknown as EnumClass
    if (value instanceof cls) return value
    const found = (cls[MEMBERS] ?? []).find((member) => eq(member.value, value))
    if (found === undefined) throw new ValueError(`${repr(value)} is not a valid ${cls.name}`)
    return found
  }

  /** `Color["RED"]`. */
  static __getitem__(name: Py): Py {
    const byName: PyDict | undefined = (this as unknown as { __members__?: PyDict }).__members__
    if (byName === undefined || !byName.has(name)) throw new KeyError(name)
    return byName.getItem(name)
  }
  static __len__(): number {
    return ((this as unknown as EnumClass)[MEMBERS] ?? []).length
  }
  static __contains__(value: Py): boolean {
    return value instanceof this
  }
  static [Symbol.iterator](): Iterator<Py> {
    return [...((this as unknown as EnumClass)[MEMBERS] ?? [])][Symbol.iterator]()
  }

  __repr__(): string {
    return `<${this.constructor.name}.${this.name}: ${repr(this.value)}>`
  }
  __str__(): string {
    return `${this.constructor.name}.${this.name}`
  }
  __format__(spec: string): string {
    return format(str(this), spec)
  }
  /** What Flask's JSON provider writes: an IntEnum or StrEnum as its value; a plain Enum is a TypeError. */
  __json__(): Py {
    throw new PyTypeError(`Object of type ${this.constructor.name} is not JSON serializable`)
  }
}

/** `IntEnum`: members are ints (compare, add, format and print as their value). */
export class IntEnum extends Enum {
  get [builtinBase](): string {
    return 'int'
  }
  override __str__(): string {
    return str(this.value)
  }
  override __format__(spec: string): string {
    return format(this.value, spec)
  }
  override __json__(): Py {
    return this.value
  }
  /** An IntEnum member and its int are one dict key. */
  __hashvalue__(): Py {
    return this.value
  }
  __eq__(other: Py): boolean {
    return eq(this.value, other instanceof Enum ? other.value : other)
  }
  __compare__(other: Py): number | undefined {
    const b = other instanceof Enum ? other.value : other
    if (typeof b !== 'number' && typeof b !== 'boolean') return undefined
    return lt(this.value, b) ? -1 : gt(this.value, b) ? 1 : 0
  }
  __int__(): number {
    return this.value
  }
  __float__(): number {
    return Number(this.value)
  }
  __index__(): number {
    return this.value
  }
  __add__(other: Py): Py {
    return add(this.value, other instanceof Enum ? other.value : other)
  }
  __radd__(other: Py): Py {
    return add(other, this.value)
  }
  __sub__(other: Py): Py {
    return sub(this.value, other instanceof Enum ? other.value : other)
  }
  __rsub__(other: Py): Py {
    return sub(other, this.value)
  }
  __mul__(other: Py): Py {
    return mul(this.value, other instanceof Enum ? other.value : other)
  }
  __rmul__(other: Py): Py {
    return mul(other, this.value)
  }
  __bool__(): boolean {
    return this.value !== 0
  }
}

/** `StrEnum` (3.11): members are strs (compare, format and print as their value). */
export class StrEnum extends Enum {
  get [builtinBase](): string {
    return 'str'
  }
  override __str__(): string {
    return this.value
  }
  override __format__(spec: string): string {
    return format(this.value, spec)
  }
  override __json__(): Py {
    return this.value
  }
  /** A StrEnum member and its str are one dict key. */
  __hashvalue__(): Py {
    return this.value
  }
  __eq__(other: Py): boolean {
    return this.value === (other instanceof Enum ? other.value : other)
  }
  __compare__(other: Py): number | undefined {
    const b = other instanceof Enum ? other.value : other
    if (typeof b !== 'string') return undefined
    return this.value < b ? -1 : this.value > b ? 1 : 0
  }
  __add__(other: Py): Py {
    return add(this.value, other instanceof Enum ? other.value : other)
  }
  __radd__(other: Py): Py {
    return add(other, this.value)
  }
  __len__(): number {
    return [...this.value].length
  }
}

// A StrEnum member is a str: the str methods act on its value (`Mode.FAST.upper()`).
for (const [name, method] of Object.entries(strMethods)) {
  if (!(name in StrEnum.prototype))
    Object.defineProperty(StrEnum.prototype, name, {
      value: function (this: StrEnum, ...args: Py[]): Py {
        return method(this.value, ...args)
      },
    })
}

/** Reading a member's fields for JSON: Python's TypeError for an Enum, a loud one for the others. */
function jsonifyGuard(member: Enum): never {
  const name = member.constructor.name
  if (member instanceof IntEnum || member instanceof StrEnum)
    throw new PyTypeError(
      `Object of type ${name} is not JSON serializable by the migrated service (Flask writes its value): jsonify ${name}.${member.name}.value`,
    )
  throw new PyTypeError(`Object of type ${name} is not JSON serializable`)
}

/**
 * Turns the static fields of a translated enum class into its members, in definition order. A
 * value already taken makes an alias of the first member; names starting with `_` stay attributes.
 */
export function seal(cls: typeof Enum): void {
  const members: Enum[] = []
  let last: Py = 0
  defining = true
  try {
    for (const key of Object.keys(cls)) {
      if (key.startsWith('_')) continue
      let value: Py = (cls as unknown as Record<string, Py>)[key]
      if (typeof value === 'function') continue
      if (value !== null && typeof value === 'object' && AUTO in value) {
        value =
          cls.prototype instanceof StrEnum
            ? key.toLowerCase()
            : typeof last === 'number'
              ? last + 1
              : 1
      }
      if (cls.prototype instanceof StrEnum && typeof value !== 'string')
        throw new PyTypeError(`${repr(value)} is not a string`)
      if (
        cls.prototype instanceof IntEnum &&
        (typeof value !== 'number' || !Number.isInteger(value))
      )
        throw new ValueError(`invalid literal for int() with base 10: ${repr(value)}`)
      last = value
      const alias = members.find((member) => eq(member.value, value))
      const member = alias ?? new cls()
      if (alias === undefined) {
        Object.defineProperty(member, 'name', { value: key, enumerable: true })
        Object.defineProperty(member, 'value', { value, enumerable: true })
        // jsonify writes a class instance's own fields: this one stops it, as Flask stops at an
        // Enum member (a TypeError, so a 500); an IntEnum or StrEnum member, which Flask writes as
        // its value, fails loudly too rather than becoming {"name": …, "value": …}.
        Object.defineProperty(member, '__jsonify__', {
          get: () => jsonifyGuard(member),
          enumerable: true,
        })
        members.push(member)
      }
      Object.defineProperty(cls, key, { value: member, enumerable: true, writable: false })
    }
  } finally {
    defining = false
  }
  Object.defineProperty(cls, MEMBERS, { value: members })
  // `Color.__members__`: every name, aliases too, to its member.
  const byName = new PyDict(
    Object.keys(cls)
      .filter((key) => (cls as unknown as Record<string, Py>)[key] instanceof cls)
      .map((key) => [key, (cls as unknown as Record<string, Py>)[key]]),
  )
  Object.defineProperty(cls, '__members__', { value: byName })
}
