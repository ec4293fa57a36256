/**
 * Python's `functools` (`reduce`, `partial`), `itertools` and
 * `operator` (`itemgetter`, `attrgetter` and the operator functions), on the runtime's values.
 * itertools functions return lazy generators, as Python's iterators are lazy.
 */
import { TypeError as PyTypeError, ValueError } from './exceptions.js'
import { Keywords, PyDict, takesKeywords } from './py.js'
import {
  add,
  eq,
  getattr,
  getitem,
  iter,
  iterOf,
  lt,
  mul,
  sub,
  truthy,
  tuple,
  typeName,
  type Py,
} from './py.js'

function callable(fn: Py, what: string): (...args: Py[]) => Py {
  if (typeof fn !== 'function')
    throw new PyTypeError(`${what}'${typeName(fn)}' object is not callable`)
  return fn
}

function count(n: Py, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw new PyTypeError(`'${typeName(n)}' object cannot be interpreted as an integer`)
  if (n < 0) throw new ValueError(what)
  return n
}

// ---------------------------------------------------------------------------------------------
// functools

const NO_INITIAL = Symbol('no initial')

/** `functools.reduce(function, iterable[, initial])`. */
export function reduce(fn: Py, iterable: Py, initial: Py = NO_INITIAL): Py {
  const f = callable(fn, '')
  const it = iterOf(iterable)
  let acc: Py = initial
  if (acc === NO_INITIAL) {
    const first = it.next()
    if (first.done) throw new PyTypeError('reduce() of empty iterable with no initial value')
    acc = first.value
  }
  for (let step = it.next(); !step.done; step = it.next()) acc = f(acc, step.value)
  return acc
}

/** `functools.partial(func, *args)`: the arguments given first, then the call's. */
export function partial(fn: Py, ...bound: Py[]): (...args: Py[]) => Py {
  const f = callable(fn, 'the first argument must be callable: ')
  return (...args: Py[]) => f(...bound, ...args)
}

/**
 * `partial(func, *args, **keywords)` of a function whose parameters are known (`names`, the first
 * `required` without a default): each call binds the partial's and its own arguments by name as
 * Python does (the call's keywords over the partial's), with CPython's TypeErrors.
 */
export function partialNamed(
  fn: Py,
  name: string,
  names: string[],
  required: number,
  bound: Py[],
  keywords: Record<string, Py>,
): (...args: Py[]) => Py {
  const f = callable(fn, 'the first argument must be callable: ')
  return takesKeywords((...args: Py[]): Py => {
    const last = args.at(-1)
    const given = last instanceof Keywords ? last.entries : []
    const positional = [...bound, ...(last instanceof Keywords ? args.slice(0, -1) : args)]
    // CPython binds keywords before it counts positional arguments: its errors come in that order.
    const slots: Py[] = positional.slice(0, names.length)
    for (const [key, value] of Object.entries({ ...keywords, ...Object.fromEntries(given) })) {
      const index = names.indexOf(key)
      if (index < 0) throw new PyTypeError(`${name}() got an unexpected keyword argument '${key}'`)
      if (index < positional.length)
        throw new PyTypeError(`${name}() got multiple values for argument '${key}'`)
      slots[index] = value
    }
    if (positional.length > names.length)
      throw new PyTypeError(
        `${name}() takes ${required === names.length ? names.length : `from ${required} to ${names.length}`} positional argument${names.length === 1 ? '' : 's'} but ${positional.length} were given`,
      )
    const missing = names.slice(0, required).filter((_, i) => slots[i] === undefined)
    if (missing.length > 0) {
      const quoted = missing.map((item) => `'${item}'`)
      const list =
        quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`
      throw new PyTypeError(
        `${name}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list}`,
      )
    }
    return f(...slots)
  })
}

// ---------------------------------------------------------------------------------------------
// itertools

export function* chain(...iterables: Py[]): Generator<Py> {
  for (const iterable of iterables) yield* iter(iterable)
}
export function* chainFromIterable(iterables: Py): Generator<Py> {
  for (const iterable of iter(iterables)) yield* iter(iterable)
}

/** `islice(iterable, stop)` or `islice(iterable, start, stop[, step])`. */
export function* islice(iterable: Py, ...bounds: Py[]): Generator<Py> {
  if (bounds.length === 0 || bounds.length > 3)
    throw new PyTypeError(`islice expected at most 4 arguments, got ${bounds.length + 1}`)
  const message = 'Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.'
  const bound = (x: Py, fallback: number): number =>
    x === null || x === undefined ? fallback : count(x, message)
  const [start, stop, step] =
    bounds.length === 1
      ? [0, bound(bounds[0], Infinity), 1]
      : [bound(bounds[0], 0), bound(bounds[1], Infinity), bound(bounds[2], 1)]
  if (step === 0) throw new ValueError('Step for islice() must be a positive integer or None.')
  let next = start
  let i = 0
  if (i >= stop) return
  for (const item of iter(iterable)) {
    if (i === next) {
      yield item
      next += step
    }
    i++
    if (i >= stop) return
  }
}

export function* countFrom(start: Py = 0, step: Py = 1): Generator<Py> {
  for (let n = start; ; n = add(n, step)) yield n
}

export function* repeat(value: Py, times: Py = null): Generator<Py> {
  if (times === null || times === undefined) for (;;) yield value
  for (let i = 0; i < times; i++) yield value
}

export function* cycle(iterable: Py): Generator<Py> {
  const saved = [...iter(iterable)]
  if (saved.length === 0) return
  for (;;) yield* saved
}

/** `groupby(iterable, key=None)`: (key, group) pairs of consecutive equal keys; each group is a list here. */
export function* groupby(iterable: Py, key: Py = null): Generator<Py> {
  const keyOf = key === null || key === undefined ? (x: Py) => x : callable(key, '')
  let group: Py[] = []
  let current: Py = undefined
  let started = false
  for (const item of iter(iterable)) {
    const k = keyOf(item)
    if (started && !eq(k, current)) {
      yield tuple(current, group[Symbol.iterator]())
      group = []
    }
    current = k
    started = true
    group.push(item)
  }
  if (started) yield tuple(current, group[Symbol.iterator]())
}

export function* product(...args: Py[]): Generator<Py> {
  const pools = args.map((a) => [...iter(a)])
  const combine = function* (i: number, prefix: Py[]): Generator<Py> {
    if (i === pools.length) {
      yield tuple(...prefix)
      return
    }
    for (const item of pools[i]) yield* combine(i + 1, [...prefix, item])
  }
  yield* combine(0, [])
}

/** `product(*iterables, repeat=n)`. */
export function productRepeat(repeatCount: Py, ...args: Py[]): Generator<Py> {
  const times = count(repeatCount, 'repeat argument cannot be negative')
  return product(...Array.from({ length: times }, () => args).flat())
}

export function* permutations(iterable: Py, r: Py = null): Generator<Py> {
  const pool = [...iter(iterable)]
  const size = r === null || r === undefined ? pool.length : count(r, 'r must be non-negative')
  if (size > pool.length) return
  const walk = function* (used: boolean[], prefix: Py[]): Generator<Py> {
    if (prefix.length === size) {
      yield tuple(...prefix)
      return
    }
    for (let i = 0; i < pool.length; i++) {
      if (used[i]) continue
      used[i] = true
      yield* walk(used, [...prefix, pool[i]])
      used[i] = false
    }
  }
  yield* walk([], [])
}

export function* combinations(iterable: Py, r: Py): Generator<Py> {
  const pool = [...iter(iterable)]
  const size = count(r, 'r must be non-negative')
  const walk = function* (start: number, prefix: Py[]): Generator<Py> {
    if (prefix.length === size) {
      yield tuple(...prefix)
      return
    }
    for (let i = start; i < pool.length; i++) yield* walk(i + 1, [...prefix, pool[i]])
  }
  if (size <= pool.length) yield* walk(0, [])
}

export function* accumulate(iterable: Py, fn: Py = null, initial: Py = null): Generator<Py> {
  const f = fn === null || fn === undefined ? add : callable(fn, '')
  let started = initial !== null && initial !== undefined
  let total: Py = initial
  if (started) yield total
  for (const item of iter(iterable)) {
    total = started ? f(total, item) : item
    started = true
    yield total
  }
}

export function* zipLongest(fillvalue: Py, ...iterables: Py[]): Generator<Py> {
  const iterators = iterables.map((it) => iterOf(it))
  const done = iterators.map(() => false)
  for (;;) {
    const row = iterators.map((it, i) => {
      if (done[i]) return fillvalue
      const step = it.next()
      if (step.done) done[i] = true
      return step.done ? fillvalue : step.value
    })
    if (done.every(Boolean)) return
    yield tuple(...row)
  }
}

export function* takewhile(predicate: Py, iterable: Py): Generator<Py> {
  const f = callable(predicate, '')
  for (const item of iter(iterable)) {
    if (!truthy(f(item))) return
    yield item
  }
}

export function* dropwhile(predicate: Py, iterable: Py): Generator<Py> {
  const f = callable(predicate, '')
  let dropping = true
  for (const item of iter(iterable)) {
    if (dropping && truthy(f(item))) continue
    dropping = false
    yield item
  }
}

export function* starmap(fn: Py, iterable: Py): Generator<Py> {
  const f = callable(fn, '')
  for (const args of iter(iterable)) yield f(...iter(args))
}

export function* pairwise(iterable: Py): Generator<Py> {
  let previous: Py = undefined
  let first = true
  for (const item of iter(iterable)) {
    if (!first) yield tuple(previous, item)
    previous = item
    first = false
  }
}

export function* compress(data: Py, selectors: Py): Generator<Py> {
  const flags = iterOf(selectors)
  for (const item of iter(data)) {
    const flag = flags.next()
    if (flag.done) return
    if (truthy(flag.value)) yield item
  }
}

// ---------------------------------------------------------------------------------------------
// operator

/** `itemgetter(item, ...)`: one item, or a tuple of several. */
export function itemgetter(...items: Py[]): (obj: Py) => Py {
  if (items.length === 0) throw new PyTypeError('itemgetter expected 1 argument, got 0')
  return items.length === 1
    ? (obj) => getitem(obj, items[0])
    : (obj) => tuple(...items.map((item) => getitem(obj, item)))
}

/** `attrgetter('a.b', ...)`: dotted names follow attributes. */
export function attrgetter(...names: Py[]): (obj: Py) => Py {
  for (const name of names)
    if (typeof name !== 'string') throw new PyTypeError('attribute name must be a string')
  const get = (obj: Py, name: string): Py =>
    name.split('.').reduce((value, part) => getattr(value, part), obj)
  return names.length === 1
    ? (obj) => get(obj, names[0])
    : (obj) => tuple(...names.map((name) => get(obj, name)))
}

export const operatorAdd = (a: Py, b: Py): Py => add(a, b)
export const operatorSub = (a: Py, b: Py): Py => sub(a, b)
export const operatorMul = (a: Py, b: Py): Py => mul(a, b)
export const operatorEq = (a: Py, b: Py): boolean => eq(a, b)
export const operatorLt = (a: Py, b: Py): boolean => lt(a, b)

// ---------------------------------------------------------------------------------------------
// functools caches

/** `cache_info()`'s value: a named tuple `CacheInfo(hits, misses, maxsize, currsize)`. */
export class CacheInfo {
  constructor(
    readonly hits: number,
    readonly misses: number,
    readonly maxsize: number | null,
    readonly currsize: number,
  ) {}
  __getitem__(index: Py): Py {
    return getitem(tuple(this.hits, this.misses, this.maxsize, this.currsize), index)
  }
  __len__(): number {
    return 4
  }
  [Symbol.iterator](): Iterator<Py> {
    return [this.hits, this.misses, this.maxsize, this.currsize][Symbol.iterator]()
  }
  __repr__(): string {
    return `CacheInfo(hits=${this.hits}, misses=${this.misses}, maxsize=${this.maxsize === null ? 'None' : this.maxsize}, currsize=${this.currsize})`
  }
}

export interface CachedFunction {
  (...args: Py[]): Py
  cache_info(): CacheInfo
  cache_clear(): null
}

/**
 * `@functools.lru_cache(maxsize=128)` / `@functools.cache` (`maxsize` None): results by the
 * arguments (a tuple of them: an unhashable argument is a TypeError, as in Python), least
 * recently used first out.
 */
export function lruCache(maxsize: Py = 128): (fn: (...args: Py[]) => Py) => CachedFunction {
  const limit = maxsize === null || maxsize === undefined ? null : Math.max(0, Number(maxsize))
  return (fn) => {
    let cache = new PyDict()
    let hits = 0
    let misses = 0
    const cached = ((...args: Py[]): Py => {
      // CPython's key: a lone int or str argument is its own key, anything else a tuple (so f(1) and f(1.0) differ).
      const [only] = args
      const key =
        args.length === 1 &&
        (typeof only === 'string' || (typeof only === 'number' && Number.isInteger(only)))
          ? only
          : tuple(...args)
      if (limit !== 0 && cache.has(key)) {
        hits++
        const value = cache.getItem(key)
        // Most recently used last.
        cache.delItem(key)
        cache.set(key, value)
        return value
      }
      misses++
      const value = fn(...args)
      if (limit !== 0) {
        cache.set(key, value)
        if (limit !== null && cache.size > limit) cache.delItem(cache.keys()[0])
      }
      return value
    }) as CachedFunction
    cached.cache_info = () => new CacheInfo(hits, misses, limit, cache.size)
    cached.cache_clear = () => {
      cache = new PyDict()
      hits = 0
      misses = 0
      return null
    }
    return cached
  }
}
