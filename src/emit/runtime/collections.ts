/**
 * Python's `collections`: `defaultdict`, `Counter` and `OrderedDict` as dicts (PyDict
 * subclasses, so `json.dumps`, `jsonify`, `isinstance(x, dict)` and the dict methods keep
 * working), and `deque`. Reprs, errors and orderings are CPython 3.11's.
 */
import { IndexError, KeyError, TypeError as PyTypeError, ValueError } from './exceptions.js'
import { PyDict, eq, iter, len, repr, sorted, typeName, type Py } from './py.js'

function dictRepr(d: PyDict): string {
  return repr(new PyDict(d.items()))
}

/** `defaultdict(default_factory=None, *args)`: a missing key is set to `default_factory()` when read. */
export class DefaultDict extends PyDict {
  static readonly pyName = 'defaultdict'
  readonly default_factory: (() => Py) | null

  /** `factoryName` is the Python name of a builtin factory (`list`), for the repr. */
  constructor(
    factory: Py = null,
    entries: Py = null,
    private readonly factoryName: string | null = null,
  ) {
    super()
    if (factory !== null && factory !== undefined && typeof factory !== 'function')
      throw new PyTypeError('first argument must be callable or None')
    this.default_factory = factory ?? null
    if (entries !== null && entries !== undefined) this.update(entries)
  }
  override getItem(key: Py): Py {
    if (this.has(key)) return super.getItem(key)
    if (this.default_factory === null) throw new KeyError(key)
    const value = this.default_factory()
    this.set(key, value)
    return value
  }
  override copy(): DefaultDict {
    return new DefaultDict(this.default_factory, this.items(), this.factoryName)
  }
  __repr__(): string {
    const factory =
      this.default_factory === null
        ? 'None'
        : this.factoryName !== null
          ? `<class '${this.factoryName}'>`
          : repr(this.default_factory)
    return `defaultdict(${factory}, ${dictRepr(this)})`
  }
}

/** `Counter(iterable_or_mapping=None)`: counts, 0 for a missing key (not inserted). */
export class Counter extends PyDict {
  static readonly pyName = 'Counter'

  constructor(source: Py = null, kwargs: PyDict | null = null) {
    super()
    this.update(source, kwargs ?? undefined)
  }
  override getItem(key: Py): Py {
    return this.has(key) ? super.getItem(key) : 0
  }
  /** Adds counts: from a mapping its values, from an iterable one per element. */
  override update(source: Py = null, kwargs?: PyDict): void {
    this.combine(source, kwargs, 1)
  }
  subtract(source: Py = null, kwargs?: PyDict): null {
    this.combine(source, kwargs, -1)
    return null
  }
  private combine(source: Py, kwargs: PyDict | undefined, sign: 1 | -1): void {
    const add = (key: Py, count: Py): void => {
      this.set(key, this.getItem(key) + sign * count)
    }
    if (source !== null && source !== undefined) {
      if (source instanceof PyDict) for (const [key, count] of source.items()) add(key, count)
      else for (const item of iter(source)) add(item, 1)
    }
    if (kwargs) for (const [key, count] of kwargs.items()) add(key, count)
  }
  /** `most_common(n=None)`: by count, highest first; ties keep insertion order (a stable sort). */
  most_common(n: Py = null): Py[] {
    const ordered = sorted(this.items(), (pair: Py) => pair[1], true) as Py[]
    if (n === null || n === undefined) return ordered
    return ordered.slice(0, Math.max(0, n))
  }
  elements(): Py[] {
    return this.items().flatMap(([key, count]) => (count > 0 ? Array<Py>(count).fill(key) : []))
  }
  total(): Py {
    return this.values().reduce((sum: number, count: Py) => sum + count, 0)
  }
  override copy(): Counter {
    return new Counter(new PyDict(this.items()))
  }
  __repr__(): string {
    return this.size === 0 ? 'Counter()' : `Counter(${repr(new PyDict(this.most_common()))})`
  }
}

/** `OrderedDict(...)`: a dict with `move_to_end` and `popitem(last=)`. */
export class OrderedDict extends PyDict {
  static readonly pyName = 'OrderedDict'

  constructor(entries: Py = null, kwargs: PyDict | null = null) {
    super()
    this.update(entries, kwargs ?? undefined)
  }
  move_to_end(key: Py, last: Py = true): null {
    const value = this.pop(key)
    if (last) {
      this.set(key, value)
      return null
    }
    const rest = this.items()
    this.clear()
    this.set(key, value)
    for (const [k, v] of rest) this.set(k, v)
    return null
  }
  override popitem(last: Py = true): Py {
    if (this.size === 0) throw new KeyError('dictionary is empty')
    if (last) return super.popitem()
    const [key] = this.keys()
    const value = this.pop(key)
    return Object.freeze([key, value])
  }
  override copy(): OrderedDict {
    return new OrderedDict(this.items())
  }
  __repr__(): string {
    return this.size === 0 ? 'OrderedDict()' : `OrderedDict(${repr(this.items())})`
  }
}

/** `deque(iterable=(), maxlen=None)`. */
export class Deque {
  static readonly pyName = 'deque'
  private items: Py[]
  readonly maxlen: number | null

  constructor(iterable: Py = null, maxlen: Py = null) {
    if (maxlen !== null && maxlen !== undefined) {
      if (typeof maxlen !== 'number' || !Number.isInteger(maxlen))
        throw new PyTypeError('an integer is required')
      if (maxlen < 0) throw new ValueError('maxlen must be non-negative')
    }
    this.maxlen = maxlen ?? null
    this.items = []
    if (iterable !== null && iterable !== undefined) this.extend(iterable)
  }
  private trimLeft(): void {
    if (this.maxlen !== null && this.items.length > this.maxlen)
      this.items.splice(0, this.items.length - this.maxlen)
  }
  private trimRight(): void {
    if (this.maxlen !== null && this.items.length > this.maxlen) this.items.length = this.maxlen
  }
  append(x: Py): null {
    this.items.push(x)
    this.trimLeft()
    return null
  }
  appendleft(x: Py): null {
    this.items.unshift(x)
    this.trimRight()
    return null
  }
  extend(iterable: Py): null {
    for (const x of [...iter(iterable)]) this.append(x)
    return null
  }
  extendleft(iterable: Py): null {
    for (const x of [...iter(iterable)]) this.appendleft(x)
    return null
  }
  pop(): Py {
    if (this.items.length === 0) throw new IndexError('pop from an empty deque')
    return this.items.pop()
  }
  popleft(): Py {
    if (this.items.length === 0) throw new IndexError('pop from an empty deque')
    return this.items.shift()
  }
  clear(): null {
    this.items = []
    return null
  }
  rotate(n: Py = 1): null {
    const size = this.items.length
    if (size > 1) {
      const k = ((n % size) + size) % size
      this.items = [...this.items.slice(size - k), ...this.items.slice(0, size - k)]
    }
    return null
  }
  count(x: Py): number {
    return this.items.filter((item) => eq(item, x)).length
  }
  index(x: Py): number {
    const i = this.items.findIndex((item) => eq(item, x))
    if (i < 0) throw new ValueError(`${repr(x)} is not in deque`)
    return i
  }
  remove(x: Py): null {
    const i = this.items.findIndex((item) => eq(item, x))
    if (i < 0) throw new ValueError(`${repr(x)} is not in deque`)
    this.items.splice(i, 1)
    return null
  }
  reverse(): null {
    this.items.reverse()
    return null
  }
  copy(): Deque {
    return new Deque(this.items, this.maxlen)
  }
  __len__(): number {
    return this.items.length
  }
  __getitem__(index: Py): Py {
    if (typeof index !== 'number' || !Number.isInteger(index))
      throw new PyTypeError(`sequence index must be integer, not '${typeName(index)}'`)
    const i = index < 0 ? index + this.items.length : index
    if (i < 0 || i >= this.items.length) throw new IndexError('deque index out of range')
    return this.items[i]
  }
  __setitem__(index: Py, value: Py): void {
    this.__getitem__(index)
    this.items[index < 0 ? index + this.items.length : index] = value
  }
  __contains__(x: Py): boolean {
    return this.items.some((item) => eq(item, x))
  }
  __eq__(other: Py): boolean {
    return (
      other instanceof Deque &&
      len(other) === this.items.length &&
      this.items.every((item, i) => eq(item, other.items[i]))
    )
  }
  [Symbol.iterator](): Iterator<Py> {
    return [...this.items][Symbol.iterator]()
  }
  __repr__(): string {
    const inner = `[${this.items.map(repr).join(', ')}]`
    return this.maxlen === null ? `deque(${inner})` : `deque(${inner}, maxlen=${this.maxlen})`
  }
}

/**
 * A named tuple: `class Point(NamedTuple)` extends it (its fields and constructor translated),
 * `namedtuple("Point", "x y")` makes one. A frozen array, so it indexes, unpacks, compares and
 * writes to JSON as the tuple it is; its fields are getters by position.
 */
export class NamedTuple extends Array<Py> {
  static _fields: string[] = []
  static _field_defaults: PyDict = new PyDict()
  static get [Symbol.species](): ArrayConstructor {
    return Array
  }

  constructor(...values: Py[]) {
    super()
    const cls = new.target as typeof NamedTuple
    const fields = cls._fields
    const defaults = cls._field_defaults
    if (values.length > fields.length)
      throw new PyTypeError(
        `${cls.name}.__new__() takes ${fields.length + 1} positional arguments but ${values.length + 1} were given`,
      )
    for (let i = values.length; i < fields.length; i++) {
      if (!defaults.has(fields[i])) {
        const missing = fields.slice(i).filter((f) => !defaults.has(f))
        throw new PyTypeError(
          `${cls.name}.__new__() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${missing.map((f) => `'${f}'`).join(' and ')}`,
        )
      }
      values.push(defaults.getItem(fields[i]))
    }
    this.push(...values)
    accessors(cls)
    Object.freeze(this)
  }
  /** `Point._make(iterable)`. */
  static _make(iterable: Py): NamedTuple {
    return new this(...iter(iterable))
  }
  _asdict(): PyDict {
    const fields = (this.constructor as typeof NamedTuple)._fields
    return new PyDict(fields.map((f, i) => [f, this[i]]))
  }
  /** `_replace(**changes)`: the keywords as a dict. */
  _replace(changes: PyDict | null = null): NamedTuple {
    const cls = this.constructor as typeof NamedTuple
    const values = [...this]
    for (const [name, value] of changes?.items() ?? []) {
      const i = cls._fields.indexOf(name)
      if (i < 0) throw new ValueError(`Got unexpected field names: [${repr(name)}]`)
      values[i] = value
    }
    return new cls(...values)
  }
  __repr__(): string {
    const cls = this.constructor as typeof NamedTuple
    return `${cls.name}(${cls._fields.map((f, i) => `${f}=${repr(this[i])}`).join(', ')})`
  }
}

const WITH_ACCESSORS = new WeakSet<object>()

function accessors(cls: typeof NamedTuple): void {
  if (WITH_ACCESSORS.has(cls)) return
  WITH_ACCESSORS.add(cls)
  cls._fields.forEach((field, i) => {
    if (!Object.hasOwn(cls.prototype, field))
      Object.defineProperty(cls.prototype, field, {
        get(this: NamedTuple) {
          return this[i]
        },
      })
  })
}

/**
 * `namedtuple(typename, field_names, defaults=None)`: a NamedTuple class, callable without
 * `new` as Python calls it.
 */
export function namedtuple(typename: string, fieldNames: Py, defaults: Py = null): Py {
  const fields: string[] =
    typeof fieldNames === 'string'
      ? fieldNames.replace(/,/g, ' ').split(/\s+/).filter(Boolean)
      : [...iter(fieldNames)].map(String)
  const given = defaults === null || defaults === undefined ? [] : [...iter(defaults)]
  if (given.length > fields.length)
    throw new PyTypeError('Got more default values than field names')
  const cls = {
    [typename]: class extends NamedTuple {
      static override _fields = Object.freeze(fields) as string[]
      static override _field_defaults = new PyDict(
        given.map((value, i) => [fields[fields.length - given.length + i], value]),
      )
    },
  }[typename]!
  return new Proxy(cls, {
    apply: (target, _self, args: Py[]) => new target(...args),
  })
}
