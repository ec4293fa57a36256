/**
 * Flask-Caching 2 on Hono (Debian's python3-flask-caching 2.0.2 is the oracle:
 * test/runtime/caching.test.ts): `Cache(config=)` with `init_app` and the app's `CACHE_*` config;
 * `@cache.cached(timeout=, key_prefix=, unless=, query_string=, cache_none=, response_filter=,
 * forced_update=)` with Flask-Caching's keys (`view/<request.path>`, the path and the MD5 of the
 * sorted query arguments' repr with `query_string=True`, `%s` in a key prefix); `@cache.memoize`
 * with `delete_memoized(f, *args)`; `get`, `set`, `add`, `has`, `delete`, `delete_many`, `clear`,
 * `get_many`, `set_many`. Backends: SimpleCache (in memory, CACHE_THRESHOLD,
 * timeouts, values copied in and out as pickle does), NullCache (nothing is kept), and RedisCache
 * (`CACHE_REDIS_URL` or host/port/db, `CACHE_KEY_PREFIX`) shared by the service's replicas: the
 * decorators and delete/clear work on it; the service's values are its own JSON encoding, not
 * Python pickles, so a Flask app and its service must not share cache keys.
 */
import { createHash, randomUUID } from 'node:crypto'
import { createClient } from 'redis'
import { RuntimeError, TypeError as PyTypeError } from './exceptions.js'
import {
  appConfigValue,
  currentContext,
  FlaskResponse,
  registerAppHooks,
  request,
} from './flask.js'
import { PyFloat } from './float.js'
import { isTuple, Keywords, PyDict, repr, takesKeywords, tuple, type Py } from './py.js'

type PyFunction = (...args: Py[]) => Py

/* eslint-disable @typescript-eslint/naming-convention -- the Python API's names */

/** A copy of a cached value, as pickling it in and out gives (a dict, list or response the caller changes later is not the cached one). */
function copyValue(value: Py): Py {
  if (value instanceof PyDict) return new PyDict(value.items().map(([k, v]) => [k, copyValue(v)]))
  if (Array.isArray(value)) {
    const items = value.map(copyValue)
    return isTuple(value) ? tuple(...items) : items
  }
  if (value instanceof FlaskResponse)
    return new FlaskResponse(value.get_data(), {
      status: value.status,
      headers: value.headers.items(),
    })
  return value
}

/** The tagged JSON the Redis backend stores (Python's pickles cannot be read here). */
function encode(value: Py): unknown {
  if (
    value === null ||
    value === undefined ||
    typeof value === 'boolean' ||
    typeof value === 'string'
  )
    return value ?? null
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $float: String(value) }
  if (value instanceof PyFloat) return { $float: String(Number(value)) }
  if (value instanceof PyDict)
    return { $dict: value.items().map(([k, v]) => [encode(k), encode(v)]) }
  if (Array.isArray(value))
    return isTuple(value) ? { $tuple: value.map(encode) } : { $list: value.map(encode) }
  if (value instanceof FlaskResponse)
    return {
      $response: {
        status: value.status,
        headers: value.headers.items(),
        data: Buffer.from(value.get_data()).toString('base64'),
      },
    }
  throw new PyTypeError(`cannot store a ${typeof value} object in the Redis cache`)
}

function decode(value: unknown): Py {
  if (value === null || typeof value !== 'object') return value as Py
  const tagged = value as Record<string, unknown>
  if ('$float' in tagged) return new PyFloat(Number(tagged['$float']))
  if ('$dict' in tagged)
    return new PyDict(
      (tagged['$dict'] as [unknown, unknown][]).map(([k, v]) => [decode(k), decode(v)]),
    )
  if ('$tuple' in tagged) return tuple(...(tagged['$tuple'] as unknown[]).map(decode))
  if ('$list' in tagged) return (tagged['$list'] as unknown[]).map(decode)
  const response = tagged['$response'] as {
    status: string
    headers: [string, string][]
    data: string
  }
  return new FlaskResponse(new Uint8Array(Buffer.from(response.data, 'base64')), {
    status: response.status,
    headers: response.headers,
  })
}

/** What a backend keeps; a timeout of 0 never expires, None is the default timeout. */
interface Backend {
  readonly sync: boolean
  get(key: string): Py | Promise<Py>
  has(key: string): boolean | Promise<boolean>
  set(key: string, value: Py, timeout: number): boolean | Promise<boolean>
  add(key: string, value: Py, timeout: number): boolean | Promise<boolean>
  delete(key: string): boolean | Promise<boolean>
  clear(): boolean | Promise<boolean>
}

/** cachelib's SimpleCache: in memory, pruned past `threshold` entries. */
class SimpleBackend implements Backend {
  readonly sync = true
  readonly #entries = new Map<string, { expires: number; value: Py }>()
  constructor(
    readonly threshold: number,
    readonly keyPrefix: string,
  ) {}

  #live(key: string): { expires: number; value: Py } | undefined {
    const entry = this.#entries.get(this.keyPrefix + key)
    if (entry === undefined) return undefined
    if (entry.expires !== 0 && entry.expires <= Date.now() / 1000) return undefined
    return entry
  }

  #prune(): void {
    if (this.#entries.size <= this.threshold) return
    const now = Date.now() / 1000
    for (const [key, entry] of this.#entries)
      if (entry.expires !== 0 && entry.expires <= now) this.#entries.delete(key)
    // cachelib then drops the entries that expire soonest until it is under the threshold.
    const excess = this.#entries.size - this.threshold
    if (excess <= 0) return
    const byExpiry = [...this.#entries].sort(
      ([, a], [, b]) => (a.expires || Infinity) - (b.expires || Infinity),
    )
    for (const [key] of byExpiry.slice(0, excess)) this.#entries.delete(key)
  }

  get(key: string): Py {
    const entry = this.#live(key)
    return entry === undefined ? null : copyValue(entry.value)
  }
  has(key: string): boolean {
    return this.#live(key) !== undefined
  }
  set(key: string, value: Py, timeout: number): boolean {
    this.#prune()
    this.#entries.set(this.keyPrefix + key, {
      expires: timeout === 0 ? 0 : Date.now() / 1000 + timeout,
      value: copyValue(value),
    })
    return true
  }
  add(key: string, value: Py, timeout: number): boolean {
    if (this.has(key)) return false
    return this.set(key, value, timeout)
  }
  delete(key: string): boolean {
    return this.#entries.delete(this.keyPrefix + key)
  }
  clear(): boolean {
    this.#entries.clear()
    return true
  }
}

/** cachelib's NullCache: keeps nothing. */
class NullBackend implements Backend {
  readonly sync = true
  get(): Py {
    return null
  }
  has(): boolean {
    return false
  }
  set(): boolean {
    return true
  }
  add(): boolean {
    return true
  }
  delete(): boolean {
    return true
  }
  clear(): boolean {
    return true
  }
}

/** cachelib's RedisCache under the service's own encoding: `clear()` deletes the keys of its prefix. */
class RedisBackend implements Backend {
  readonly sync = false
  readonly #client: ReturnType<typeof createClient>
  #connected: Promise<unknown> | null = null
  constructor(
    url: string,
    readonly keyPrefix: string,
  ) {
    this.#client = createClient({ url })
    this.#client.on('error', () => {
      // A lost connection fails the commands that need it; the client reconnects by itself.
    })
  }
  async #ready(): Promise<ReturnType<typeof createClient>> {
    if (this.#connected === null) {
      this.#connected = this.#client.connect()
      this.#client.unref()
    }
    await this.#connected
    return this.#client
  }
  async get(key: string): Promise<Py> {
    const raw = await (await this.#ready()).get(this.keyPrefix + key)
    return raw === null ? null : decode(JSON.parse(raw))
  }
  async has(key: string): Promise<boolean> {
    return (await (await this.#ready()).exists(this.keyPrefix + key)) > 0
  }
  async set(key: string, value: Py, timeout: number): Promise<boolean> {
    const client = await this.#ready()
    const data = JSON.stringify(encode(value))
    if (timeout === 0) await client.set(this.keyPrefix + key, data)
    else await client.set(this.keyPrefix + key, data, { EX: timeout })
    return true
  }
  async add(key: string, value: Py, timeout: number): Promise<boolean> {
    const client = await this.#ready()
    const data = JSON.stringify(encode(value))
    const done =
      timeout === 0
        ? await client.set(this.keyPrefix + key, data, { NX: true })
        : await client.set(this.keyPrefix + key, data, { NX: true, EX: timeout })
    return done !== null
  }
  async delete(key: string): Promise<boolean> {
    return (await (await this.#ready()).del(this.keyPrefix + key)) > 0
  }
  async clear(): Promise<boolean> {
    const client = await this.#ready()
    if (!this.keyPrefix) await client.flushDb()
    else
      for await (const keys of client.scanIterator({ MATCH: `${this.keyPrefix}*` }))
        if (keys.length > 0) await client.del(keys)
    return true
  }
}

const TYPES: Record<string, 'simple' | 'null' | 'redis'> = {
  simple: 'simple',
  SimpleCache: 'simple',
  'flask_caching.backends.SimpleCache': 'simple',
  'flask_caching.backends.simplecache.SimpleCache': 'simple',
  null: 'null',
  NullCache: 'null',
  'flask_caching.backends.NullCache': 'null',
  'flask_caching.backends.nullcache.NullCache': 'null',
  redis: 'redis',
  RedisCache: 'redis',
  'flask_caching.backends.RedisCache': 'redis',
  'flask_caching.backends.rediscache.RedisCache': 'redis',
}

function truthy(value: Py): boolean {
  return value !== null && value !== undefined && value !== false && value !== 0 && value !== ''
}

/** Python's binding of a call's arguments (a trailing `Keywords`) to `names`. */
function bindArguments(name: string, names: string[], args: Py[]): Record<string, Py> {
  const last = args.at(-1)
  const positional = last instanceof Keywords ? args.slice(0, -1) : args
  const bound: Record<string, Py> = {}
  positional.forEach((value, i) => {
    if (i >= names.length) throw new PyTypeError(`${name}() got too many positional arguments`)
    if (value !== undefined) bound[names[i]!] = value
  })
  if (last instanceof Keywords)
    for (const [key, value] of last.entries) {
      if (!names.includes(key))
        throw new PyTypeError(`${name}() got an unexpected keyword argument '${key}'`)
      bound[key] = value
    }
  return bound
}

/** `unless(f, *args, **kwargs)` when it takes arguments, else `unless()`; only `True` bypasses. */
function bypass(unless: Py, f: Py, args: Py[]): boolean {
  if (typeof unless !== 'function') return false
  return (unless.length > 0 ? unless(f, ...args) : unless()) === true
}

/** Flask-Caching's `Cache`: the backend is chosen by `init_app` (the service's app setup) from the config. */
export class Cache {
  readonly #config: PyDict | null
  #backend: Backend | null = null
  #defaultTimeout = 300
  readonly #memoized = new WeakMap<object, string>()

  constructor(config: Py = null) {
    // `app` is the service's app setup (init_app); `config` goes over the app's config.
    this.#config = config instanceof PyDict ? config : null
  }

  #setting(key: string, fallback: Py): Py {
    if (this.#config?.has(key)) return this.#config.get(key)
    const value = appConfigValue(key)
    return value === undefined ? fallback : (value as Py)
  }

  get #cache(): Backend {
    if (this.#backend !== null) return this.#backend
    this.#defaultTimeout = Number(this.#setting('CACHE_DEFAULT_TIMEOUT', 300))
    const type = String(this.#setting('CACHE_TYPE', 'null'))
    const kind = TYPES[type]
    if (kind === undefined) throw new RuntimeError(`CACHE_TYPE ${type} is not carried over`)
    if (kind === 'null') this.#backend = new NullBackend()
    else if (kind === 'simple')
      this.#backend = new SimpleBackend(
        Number(this.#setting('CACHE_THRESHOLD', 500)),
        String(this.#setting('CACHE_KEY_PREFIX', '') ?? ''),
      )
    else {
      const url =
        process.env['CACHE_REDIS_URL'] ||
        (this.#setting('CACHE_REDIS_URL', null) as string | null) ||
        `redis://${String(this.#setting('CACHE_REDIS_HOST', 'localhost'))}:${String(this.#setting('CACHE_REDIS_PORT', 6379))}/${String(this.#setting('CACHE_REDIS_DB', 0))}`
      this.#backend = new RedisBackend(
        url,
        String(this.#setting('CACHE_KEY_PREFIX', 'flask_cache_') ?? ''),
      )
    }
    return this.#backend
  }

  #timeout(timeout: Py): number {
    return timeout === null || timeout === undefined ? this.#defaultTimeout : Number(timeout)
  }

  #syncOnly(what: string): Backend {
    const backend = this.#cache
    if (!backend.sync)
      throw new RuntimeError(
        `cache.${what}() with the Redis backend is not carried over (its answer would come later)`,
      )
    return backend
  }

  get(key: Py): Py {
    return this.#syncOnly('get').get(String(key)) as Py
  }
  has(key: Py): boolean {
    return this.#syncOnly('has').has(String(key)) as boolean
  }
  set(key: Py, value: Py, timeout: Py = null): boolean {
    return this.#syncOnly('set').set(String(key), value, this.#timeout(timeout)) as boolean
  }
  add(key: Py, value: Py, timeout: Py = null): boolean {
    return this.#syncOnly('add').add(String(key), value, this.#timeout(timeout)) as boolean
  }
  get_many(...keys: Py[]): Py[] {
    return keys.map((key) => this.get(key))
  }
  set_many(mapping: Py, timeout: Py = null): Py[] {
    const items: [Py, Py][] = mapping instanceof PyDict ? mapping.items() : Object.entries(mapping)
    return items.filter(([key, value]) => !this.set(key, value, timeout)).map(([key]) => key)
  }
  /** Redis deletions a request started: its response waits for them (`initCache`'s hook), as Python's call waits. */
  readonly #pending = new Set<Promise<unknown>>()

  #track(done: Promise<unknown>, what: string): void {
    const settled = done.catch((error: unknown) =>
      console.error(`flask-caching: ${what} failed`, error),
    )
    this.#pending.add(settled)
    void settled.finally(() => this.#pending.delete(settled))
  }

  /** Waits for the deletions started so far (the after-request hook `initCache` registers). */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending])
  }

  /** `cache.delete(key)`: with Redis, sent now and done before the response leaves. */
  delete(key: Py): boolean {
    const done = this.#cache.delete(String(key))
    if (done instanceof Promise) {
      this.#track(done, 'delete')
      return true
    }
    return done
  }
  delete_many(...keys: Py[]): Py[] {
    return keys.filter((key) => this.delete(key))
  }
  clear(): boolean {
    const done = this.#cache.clear()
    if (done instanceof Promise) {
      this.#track(done, 'clear')
      return true
    }
    return done
  }

  /**
   * A decorated call through the cache: the cached value when there is one (None counts only
   * with cache_none), else the function's result, stored unless response_filter refuses it. In
   * memory (Simple, Null) it is synchronous, as in Python, so a memoized helper still returns its
   * value to its callers; with Redis it is a promise (awaited by the view that returns it).
   */
  #through(
    key: string | Promise<string>,
    options: Record<string, Py>,
    call: () => Py,
  ): Py | Promise<Py> {
    const backend = this.#cache
    const forcedUpdate = options['forced_update']
    const forced = typeof forcedUpdate === 'function' && truthy(forcedUpdate())
    const cacheNone = truthy(options['cache_none'])
    const filter = options['response_filter']
    const timeout = this.#timeout(options['timeout'] ?? null)
    const keep = (rv: Py): boolean => typeof filter !== 'function' || truthy(filter(rv))
    if (backend.sync && typeof key === 'string') {
      if (!forced) {
        const value = backend.get(key) as Py
        if (value !== null && value !== undefined) return value
        if (cacheNone && backend.has(key)) return null
      }
      const rv = call()
      if (rv instanceof Promise)
        return rv.then((value: Py) => {
          if (keep(value)) backend.set(key, value, timeout)
          return value
        })
      if (keep(rv)) backend.set(key, rv, timeout)
      return rv
    }
    return (async () => {
      const resolved = await key
      if (!forced) {
        const value = await backend.get(resolved)
        if (value !== null && value !== undefined) return value
        if (cacheNone && (await backend.has(resolved))) return null
      }
      const rv = await call()
      if (keep(rv)) {
        try {
          await backend.set(resolved, rv, timeout)
        } catch (error) {
          // Flask-Caching logs a backend's failure and answers with the value.
          console.error('flask-caching: Exception possibly due to cache backend.', error)
        }
      }
      return rv
    })()
  }

  /** `@cache.cached(timeout=None, key_prefix="view/%s", unless=None, forced_update=None, response_filter=None, query_string=False, cache_none=False, make_cache_key=None)` (hash_method and source_check are not carried over). */
  cached(...args: Py[]): Py {
    const options = bindArguments(
      'cached',
      [
        'timeout',
        'key_prefix',
        'unless',
        'forced_update',
        'response_filter',
        'query_string',
        'cache_none',
        'make_cache_key',
      ],
      args,
    )
    const keyPrefix = options['key_prefix'] ?? 'view/%s'
    return (f: PyFunction): PyFunction => {
      const keyFor = (callArgs: Py[]): string => {
        const makeKey = options['make_cache_key']
        if (typeof makeKey === 'function') return String(makeKey(...callArgs))
        const req = request(currentContext())
        if (truthy(options['query_string'])) {
          const pairs = req.args
            .items(true)
            .map(([key, value]) => tuple(key, value))
            .sort((a, b) => compareTuples(a, b))
          const hash = createHash('md5')
            .update(repr(tuple(...pairs)), 'utf8')
            .digest('hex')
          return req.path + hash
        }
        if (typeof keyPrefix === 'function') return String(keyPrefix())
        const prefix = String(keyPrefix)
        return prefix.includes('%s') ? prefix.replace('%s', req.path) : prefix
      }
      return takesKeywords((...callArgs: Py[]): Py => {
        if (bypass(options['unless'], f, callArgs)) return f(...callArgs)
        return this.#through(keyFor(callArgs), options, () => f(...callArgs))
      })
    }
  }

  /** `@cache.memoize(timeout=None, make_name=None, unless=None, forced_update=None, response_filter=None, cache_none=False)`: one entry per function and arguments. */
  memoize(...args: Py[]): Py {
    const options = bindArguments(
      'memoize',
      ['timeout', 'make_name', 'unless', 'forced_update', 'response_filter', 'cache_none'],
      args,
    )
    return (f: PyFunction): PyFunction => {
      // The function's name and the order of memoize calls: the same in every process of the service.
      const name = `${f.name || 'function'}#${++memoizedFunctions}`
      const wrapper = takesKeywords((...callArgs: Py[]): Py => {
        if (bypass(options['unless'], f, callArgs)) return f(...callArgs)
        return this.#through(this.#memoKey(name, callArgs), options, () => f(...callArgs))
      })
      this.#memoized.set(wrapper, name)
      this.#memoized.set(f, name)
      return wrapper
    }
  }

  /**
   * A memoized call's key: the function's version (kept in the cache as Flask-Caching keeps its
   * `<name>_memver`, so delete_memoized(f) reaches every process sharing a Redis cache) and the
   * MD5 of the arguments' repr.
   */
  #memoKey(name: string, callArgs: Py[]): string | Promise<string> {
    const last = callArgs.at(-1)
    const positional = last instanceof Keywords ? callArgs.slice(0, -1) : callArgs
    const keywords =
      last instanceof Keywords ? [...last.entries].sort(([a], [b]) => (a < b ? -1 : 1)) : []
    const args = repr(tuple(...positional)) + repr(tuple(...keywords.map(([k, v]) => tuple(k, v))))
    const hash = createHash('md5').update(args, 'utf8').digest('hex')
    const backend = this.#cache
    const versionKey = `${name}_memver`
    const fresh = randomUUID().slice(0, 8)
    if (backend.sync) {
      if (!backend.has(versionKey)) backend.set(versionKey, fresh, this.#timeout(null))
      return `${name}${String(backend.get(versionKey))}${hash}`
    }
    return (async () => {
      let version = await backend.get(versionKey)
      if (version === null) {
        version = fresh
        await backend.set(versionKey, version, this.#timeout(null))
      }
      return `${name}${String(version)}${hash}`
    })()
  }

  /** `cache.delete_memoized(f, *args)`: every entry of `f` (a new version), or the one of these arguments. */
  delete_memoized(f: Py, ...given: Py[]): void {
    // The arguments the migration bound by position, without the ones not given.
    const args = [...given]
    while (args.length > 0 && args.at(-1) === undefined) args.pop()
    const name = this.#memoized.get(f as object)
    if (name === undefined) return
    if (args.length === 0) {
      this.delete(`${name}_memver`)
      return
    }
    const key = this.#memoKey(name, args)
    if (typeof key === 'string') this.delete(key)
    else
      this.#track(
        key.then((value) => this.#cache.delete(value)),
        'delete_memoized',
      )
  }

  /** `cache.delete_memoized_verhash(f)`: as delete_memoized(f). */
  delete_memoized_verhash(f: Py): void {
    this.delete_memoized(f)
  }
}

function compareTuples(a: readonly Py[], b: readonly Py[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = String(a[i])
    const y = String(b[i])
    if (x !== y) return x < y ? -1 : 1
  }
  return a.length - b.length
}

let memoizedFunctions = 0

/**
 * Flask-Caching's `cache.init_app(app)`: the backend is read from the app's config when first
 * used; with Redis, each response waits for the deletions its request started.
 */
export function initCache(cache: Cache): void {
  registerAppHooks({
    after: async (_c, response) => {
      await cache.settle()
      return response
    },
  })
}
