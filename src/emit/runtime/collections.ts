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
