/**
 * Flask-Limiter 3 on Hono (Debian's python3-flask-limiter 3.3 and limits 3 are the oracle:
 * test/runtime/limiter.test.ts): `Limiter(key_func, default_limits=, application_limits=, ...)`
 * with the app's `RATELIMIT_*` config under its options, `@limiter.limit(...)`,
 * `@limiter.shared_limit(...)`, `@limiter.exempt`, `@limiter.request_filter`, and the two hooks
 * `init_app` registers: the before-request check of the default and application limits, and the
 * after-request `X-RateLimit-*` / `Retry-After` headers. Limits are the `limits` package's
 * strings (`"5 per minute"`, `"10/hour;100/day"`), counted with its fixed-window strategy in
 * memory (`memory://`) or in Redis (`redis://`, `rediss://`) under the same keys and with the
 * same Lua script, so a Flask app and its service (and several replicas of the service) share
 * their counters. A breached limit raises `RateLimitExceeded` (a 429 `TooManyRequests` whose
 * description is the limit, `"3 per 1 minute"`), which the app's 429 handlers answer.
 *
 * The storage URI is `RATELIMIT_STORAGE_URI` from the environment when set (so replicas of the
 * service can be pointed at one Redis), else the Limiter's `storage_uri`, else the app's config.
 */
import type { Context } from 'hono'
import { createClient } from 'redis'
import { TooManyRequests } from './errors.js'
import { TypeError as PyTypeError, ValueError } from './exceptions.js'
import {
  appConfigValue,
  currentContext,
  type FlaskResponse,
  registerAppHooks,
  request,
  viewFunctionOf,
} from './flask.js'
import { Keywords, takesKeywords, type Py } from './py.js'

type PyFunction = (...args: Py[]) => Py

/* eslint-disable @typescript-eslint/naming-convention -- the Python API's names */

const GRANULARITIES: [name: string, seconds: number][] = [
  ['year', 60 * 60 * 24 * 30 * 12],
  ['month', 60 * 60 * 24 * 30],
  ['day', 60 * 60 * 24],
  ['hour', 60 * 60],
  ['minute', 60],
  ['second', 1],
]

const SINGLE = String.raw`\s*([0-9]+)\s*(/|\s*per\s*)\s*([0-9]+)*\s*(hour|minute|second|day|month|year)s?\s*`
const SEPARATORS = /[,;|]{1}/
const SINGLE_EXPR = new RegExp(`^${SINGLE}`, 'i')
const EXPR = new RegExp(`^${SINGLE}(:?[,;|]{1}${SINGLE})*$`, 'i')

/** `limits.RateLimitItem`: an amount per a number of granularity windows. */
export class RateLimitItem {
  constructor(
    readonly amount: number,
    readonly multiples: number,
    readonly granularity: string,
    readonly seconds: number,
  ) {}

  /** The window in seconds (`get_expiry()`). */
  get expiry(): number {
    return this.seconds * this.multiples
  }

  /** `key_for(*identifiers)`: `LIMITER/<identifiers>/<amount>/<multiples>/<granularity>`. */
  keyFor(identifiers: string[]): string {
    return `LIMITER/${[...identifiers, this.amount, this.multiples, this.granularity].join('/')}`
  }

  /** `str(item)`, the 429's description. */
  toString(): string {
    return `${this.amount} per ${this.multiples} ${this.granularity}`
  }
}

/** `limits.parse_many`: the limits of a rate limit string, ValueError for one it cannot read. */
export function parseMany(text: Py): RateLimitItem[] {
  if (typeof text !== 'string' || !EXPR.test(text))
    throw new ValueError(`couldn't parse rate limit string '${String(text)}'`)
  const items: RateLimitItem[] = []
  for (const part of text.split(SEPARATORS)) {
    const match = SINGLE_EXPR.exec(part)
    if (match === null) continue
    const name = match[4]!.toLowerCase()
    const [granularity, seconds] = GRANULARITIES.find(([candidate]) => candidate.includes(name))!
    items.push(new RateLimitItem(Number(match[1]), Number(match[3] || 1), granularity, seconds))
  }
  return items
}

/** A counter store with the `limits` storages' fixed-window operations. */
interface Storage {
  incr(key: string, expiry: number, amount: number): Promise<number>
  get(key: string): Promise<number>
  getExpiry(key: string): Promise<number>
  reset(): Promise<void>
}

/** `limits.storage.MemoryStorage`: counters that expire `expiry` seconds after their first hit. */
class MemoryStorage implements Storage {
  readonly #counts = new Map<string, number>()
  readonly #expirations = new Map<string, number>()

  async incr(key: string, expiry: number, amount: number): Promise<number> {
    const value = (await this.get(key)) + amount
    this.#counts.set(key, value)
    if (value === amount) this.#expirations.set(key, Date.now() / 1000 + expiry)
    return value
  }

  async get(key: string): Promise<number> {
    if ((this.#expirations.get(key) ?? 0) <= Date.now() / 1000) {
      this.#counts.delete(key)
      this.#expirations.delete(key)
    }
    return this.#counts.get(key) ?? 0
  }

  async getExpiry(key: string): Promise<number> {
    return Math.trunc(this.#expirations.get(key) ?? Date.now() / 1000)
  }

  async reset(): Promise<void> {
    this.#counts.clear()
    this.#expirations.clear()
  }
}

/** limits' `incr_expire.lua`: the first hit of a window sets its expiry. */
const INCR_EXPIRE = `local current
local amount = tonumber(ARGV[2])
current = redis.call("incrby", KEYS[1], amount)

if tonumber(current) == amount then
    redis.call("expire", KEYS[1], ARGV[1])
end

return current
`

/** `limits.storage.RedisStorage`: the same keys and script, so Flask and the service share counters. */
class RedisStorage implements Storage {
  readonly #client: ReturnType<typeof createClient>
  #connected: Promise<unknown> | null = null

  constructor(uri: string) {
    this.#client = createClient({ url: uri.replace(/^redis\+unix:/, 'unix:') })
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

  async incr(key: string, expiry: number, amount: number): Promise<number> {
    const client = await this.#ready()
    const value = await client.eval(INCR_EXPIRE, {
      keys: [key],
      arguments: [String(expiry), String(amount)],
    })
    return Number(value)
  }

  async get(key: string): Promise<number> {
    const client = await this.#ready()
    return Number((await client.get(key)) ?? 0)
  }

  async getExpiry(key: string): Promise<number> {
    const client = await this.#ready()
    return Math.trunc(Math.max(Number(await client.ttl(key)), 0) + Date.now() / 1000)
  }

  async reset(): Promise<void> {
    const client = await this.#ready()
    for await (const keys of client.scanIterator({ MATCH: 'LIMITER*', COUNT: 5000 }))
      if (keys.length > 0) await client.del(keys)
  }
}

/** `limits.storage.storage_from_string`, for the storages the service has. */
function storageFromString(uri: string): Storage {
  if (uri.startsWith('memory://')) return new MemoryStorage()
  if (/^(redis|rediss|redis\+unix):\/\//.test(uri)) return new RedisStorage(uri)
  throw new ValueError(
    `rate limit storage ${uri.split(':')[0]} is not carried over (memory:// and redis:// are)`,
  )
}

/** Flask-Limiter's `ExemptionScope` flags. */
export const ExemptionScope = { NONE: 0, APPLICATION: 1, DEFAULT: 2, DESCENDENTS: 4, ANCESTORS: 8 }

/** `flask_limiter.util.get_remote_address`: the peer's address, or 127.0.0.1. */
export function get_remote_address(): string {
  return request(currentContext()).remote_addr || '127.0.0.1'
}

/** A group of limits from one string (or a function giving it), with the options they share. */
interface LimitGroup {
  limitValue: Py
  keyFunc: PyFunction
  scope: Py
  perMethod: boolean
  methods: string[] | null
  errorMessage: Py
  exemptWhen: Py
  overrideDefaults: boolean
  cost: Py
  shared: boolean
}

/** `flask_limiter.wrappers.Limit`: one limit of a group. */
interface Limit {
  item: RateLimitItem
  group: LimitGroup
}

function limitsOf(groups: LimitGroup[]): Limit[] {
  return groups.flatMap((group) => {
    const text = typeof group.limitValue === 'function' ? group.limitValue() : group.limitValue
    return (text ? parseMany(text) : []).map((item) => ({ item, group }))
  })
}

function methodExempt(limit: Limit, method: string): boolean {
  return limit.group.methods !== null && !limit.group.methods.includes(method.toLowerCase())
}

/** `Limit.scope_for(endpoint, method)`: the bucket; a shared limit's is its scope alone. */
function scopeFor(limit: Limit, endpoint: string, method: string): string {
  const raw = limit.group.scope
  const scope = typeof raw === 'function' ? raw(endpoint) : raw
  let bucket = scope ? (limit.group.shared ? String(scope) : `${endpoint}:${scope}`) : endpoint
  if (limit.group.perMethod) bucket += `:${method.toUpperCase()}`
  return bucket
}

/** `RequestLimit`: a limit evaluated for the request, with its counter's key. */
interface RequestLimit {
  limit: Limit
  key: string[]
  breached: boolean
}

/** What one Limiter remembers of the request being handled (Flask-Limiter's `LimiterContext`). */
interface RequestState {
  viewRateLimit: RequestLimit | null
  seen: Set<Limit>
}

/** The limits and exemption the decorators gave a view function (Flask-Limiter keys them by its name). */
interface ViewMarks {
  groups: LimitGroup[]
  exemption: number
}

/** What `init_app` settles from the options and the app's config. */
interface Settings {
  enabled: boolean
  storage: Storage
  headersEnabled: boolean
  keyPrefix: string
  failOnFirstBreach: boolean
  swallowErrors: boolean
  defaults: LimitGroup[]
  application: LimitGroup[]
}

/** `flask_limiter.RateLimitExceeded`: the 429 of a breached limit, described by the limit or its error_message. */
export class RateLimitExceeded extends TooManyRequests {
  readonly limit: RateLimitItem
  constructor(limit: Limit) {
    const message = limit.group.errorMessage
    super(
      message ? String(typeof message === 'function' ? message() : message) : String(limit.item),
    )
    this.limit = limit.item
  }
}

function truthy(value: Py): boolean {
  return value !== null && value !== undefined && value !== false && value !== 0 && value !== ''
}

/** The Python keyword arguments of a call, with its positional ones bound to `names` before them. */
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

const LIMIT_PARAMETERS = [
  'limit_value',
  'key_func',
  'per_method',
  'methods',
  'error_message',
  'exempt_when',
  'override_defaults',
  'cost',
  'scope',
]

const SHARED_LIMIT_PARAMETERS = [
  'limit_value',
  'scope',
  'key_func',
  'per_method',
  'methods',
  'error_message',
  'exempt_when',
  'override_defaults',
  'cost',
]

/**
 * Flask-Limiter's `Limiter`. The constructor takes Flask-Limiter's parameters in its order
 * (without `app`: the service's setup is its `init_app`); the ones the service does not carry
 * over (strategy, deduct_when, on_breach, storage_options, in-memory fallback, a
 * request_identifier, a header name mapping) are not parameters here: the migration reports them.
 */
export class Limiter {
  readonly #options: Record<string, Py>
  readonly #views = new WeakMap<object, ViewMarks>()
  readonly #requestFilters: PyFunction[] = []
  readonly #states = new WeakMap<Context, RequestState>()
  readonly #wrappers = new WeakSet<object>()
  #settings: Settings | null = null

  constructor(
    key_func: Py,
    default_limits: Py = null,
    default_limits_per_method: Py = null,
    default_limits_exempt_when: Py = null,
    default_limits_cost: Py = null,
    application_limits: Py = null,
    application_limits_cost: Py = null,
    headers_enabled: Py = null,
    storage_uri: Py = null,
    swallow_errors: Py = null,
    fail_on_first_breach: Py = null,
    key_prefix: Py = '',
    enabled: Py = true,
  ) {
    if (typeof key_func !== 'function')
      throw new PyTypeError('Limiter() needs a key_func (flask_limiter.util.get_remote_address)')
    this.#options = {
      key_func,
      default_limits,
      default_limits_per_method,
      default_limits_exempt_when,
      default_limits_cost,
      application_limits,
      application_limits_cost,
      headers_enabled,
      storage_uri,
      swallow_errors,
      fail_on_first_breach,
      key_prefix,
      enabled,
    }
  }

  /** What `init_app` reads: the options given, else the app's `RATELIMIT_*` config, else Flask-Limiter's defaults. */
  #setup(): Settings {
    if (this.#settings !== null) return this.#settings
    const options = this.#options
    const config = (key: string, fallback: Py): Py => {
      const value = appConfigValue(key)
      return value === undefined ? fallback : (value as Py)
    }
    const strategy = config('RATELIMIT_STRATEGY', 'fixed-window')
    if (strategy !== 'fixed-window')
      throw new ValueError(`rate limiting strategy ${String(strategy)} is not carried over`)
    const uri =
      process.env['RATELIMIT_STORAGE_URI'] ||
      options['storage_uri'] ||
      config('RATELIMIT_STORAGE_URI', null) ||
      'memory://'
    const keyFunc = options['key_func'] as PyFunction
    const group = (limitValue: Py, extra: Partial<LimitGroup>): LimitGroup => ({
      limitValue,
      keyFunc,
      scope: null,
      perMethod: false,
      methods: null,
      errorMessage: null,
      exemptWhen: null,
      overrideDefaults: false,
      cost: 1,
      shared: false,
      ...extra,
    })
    const listOf = (value: Py): Py[] =>
      value === null || value === undefined ? [] : Array.isArray(value) ? value : [value]
    const givenDefaults = listOf(options['default_limits'])
    const defaultOptions = {
      perMethod: truthy(
        options['default_limits_per_method'] ?? config('RATELIMIT_DEFAULTS_PER_METHOD', false),
      ),
      exemptWhen:
        options['default_limits_exempt_when'] || config('RATELIMIT_DEFAULTS_EXEMPT_WHEN', null),
      cost: options['default_limits_cost'] || config('RATELIMIT_DEFAULTS_COST', 1),
    }
    const defaults =
      givenDefaults.length > 0
        ? givenDefaults.map((value) => group(value, defaultOptions))
        : listOf(config('RATELIMIT_DEFAULT', null))
            .filter(truthy)
            .slice(0, 1)
            .map((value) => group(value, defaultOptions))
    const givenApplication = listOf(options['application_limits'])
    const applicationCost =
      options['application_limits_cost'] || config('RATELIMIT_APPLICATION_COST', 1)
    const applicationOptions = { scope: 'global', shared: true, cost: applicationCost }
    const application =
      givenApplication.length > 0
        ? givenApplication.map((value) => group(value, applicationOptions))
        : listOf(config('RATELIMIT_APPLICATION', null))
            .filter(truthy)
            .slice(0, 1)
            .map((value) => group(value, applicationOptions))
    this.#settings = {
      enabled: truthy(config('RATELIMIT_ENABLED', options['enabled'])),
      storage: storageFromString(String(uri)),
      headersEnabled: truthy(
        options['headers_enabled'] ?? config('RATELIMIT_HEADERS_ENABLED', false),
      ),
      keyPrefix: String(options['key_prefix'] || config('RATELIMIT_KEY_PREFIX', '')),
      failOnFirstBreach: truthy(
        options['fail_on_first_breach'] ?? config('RATELIMIT_FAIL_ON_FIRST_BREACH', true),
      ),
      swallowErrors: truthy(options['swallow_errors'] ?? config('RATELIMIT_SWALLOW_ERRORS', false)),
      defaults,
      application,
    }
    return this.#settings
  }

  #state(c: Context): RequestState {
    let state = this.#states.get(c)
    if (state === undefined) this.#states.set(c, (state = { viewRateLimit: null, seen: new Set() }))
    return state
  }

  #marks(fn: unknown): ViewMarks {
    let marks = this.#views.get(fn as object)
    if (marks === undefined)
      this.#views.set(fn as object, (marks = { groups: [], exemption: ExemptionScope.NONE }))
    return marks
  }

  /** Every limit is skipped: no endpoint (a 404 or 405), `static`, disabled, or a request filter says so. */
  #allExempt(endpoint: string | null): boolean {
    const settings = this.#setup()
    return (
      !endpoint ||
      !settings.enabled ||
      endpoint === 'static' ||
      this.#requestFilters.some((fn) => truthy(fn()))
    )
  }

  async #evaluate(c: Context, endpoint: string, limits: Limit[]): Promise<void> {
    const settings = this.#setup()
    const method = request(c).method
    const failed: RequestLimit[] = []
    const evaluated: RequestLimit[] = []
    let forHeader: RequestLimit | null = null
    // Python's sorted() by the window's granularity, stable.
    const sorted = limits
      .map((limit, i) => ({ limit, i }))
      .sort((a, b) => a.limit.item.seconds - b.limit.item.seconds || a.i - b.i)
      .map(({ limit }) => limit)
    for (const limit of sorted) {
      const exemptWhen = limit.group.exemptWhen
      if ((typeof exemptWhen === 'function' && truthy(exemptWhen())) || methodExempt(limit, method))
        continue
      const key = [String(limit.group.keyFunc()), scopeFor(limit, endpoint, method)]
      if (!key.every(truthy)) continue
      if (settings.keyPrefix) key.unshift(settings.keyPrefix)
      const rawCost = limit.group.cost
      const cost = Number(typeof rawCost === 'function' ? rawCost() : rawCost)
      const requestLimit: RequestLimit = { limit, key, breached: false }
      evaluated.push(requestLimit)
      const count = await settings.storage.incr(limit.item.keyFor(key), limit.item.expiry, cost)
      if (count > limit.item.amount) {
        failed.push(requestLimit)
        requestLimit.breached = true
        forHeader = requestLimit
        if (settings.failOnFirstBreach) break
      }
    }
    if (forHeader === null && evaluated.length > 0)
      forHeader = evaluated.find((entry) => !entry.limit.group.shared) ?? evaluated[0]!
    this.#state(c).viewRateLimit = forHeader
    if (failed.length > 0) {
      const first = failed
        .map((entry, i) => ({ entry, i }))
        .sort((a, b) => a.entry.limit.item.seconds - b.entry.limit.item.seconds || a.i - b.i)[0]!
      throw new RateLimitExceeded(first.entry.limit)
    }
  }

  async #guarded(run: () => Promise<void>): Promise<void> {
    try {
      await run()
    } catch (error) {
      if (error instanceof RateLimitExceeded || !this.#setup().swallowErrors) throw error
      console.error('flask-limiter: Failed to rate limit. Swallowing error', error)
    }
  }

  /** The before-request hook `init_app` registers: the application and default limits of views without limits of their own. */
  readonly checkRequestLimit = async (c: Context): Promise<null> => {
    const endpoint = request(c).endpoint
    if (this.#allExempt(endpoint)) return null
    const settings = this.#setup()
    const marks = this.#views.get(viewFunctionOf(c) as object)
    const exemption = marks?.exemption ?? ExemptionScope.NONE
    const limits: Limit[] = []
    if (!(exemption & ExemptionScope.APPLICATION)) limits.push(...limitsOf(settings.application))
    if ((marks?.groups.length ?? 0) === 0 && !(exemption & ExemptionScope.DEFAULT)) {
      const defaults = limitsOf(settings.defaults)
      limits.push(...defaults)
      for (const limit of defaults) this.#state(c).seen.add(limit)
    }
    await this.#guarded(() => this.#evaluate(c, endpoint!, limits))
    return null
  }

  /** The after-request hook `init_app` registers: the headers of the request's most relevant limit. */
  readonly injectHeaders = async (c: Context, response: FlaskResponse): Promise<FlaskResponse> => {
    const settings = this.#setup()
    const limit = this.#states.get(c)?.viewRateLimit ?? null
    if (!settings.enabled || !settings.headersEnabled || limit === null) return response
    try {
      const key = limit.limit.item.keyFor(limit.key)
      const remaining = Math.max(0, limit.limit.item.amount - (await settings.storage.get(key)))
      let resetAt = (await settings.storage.getExpiry(key)) + 1
      response.headers.add('X-RateLimit-Limit', String(limit.limit.item.amount))
      response.headers.add('X-RateLimit-Remaining', String(remaining))
      response.headers.add('X-RateLimit-Reset', String(resetAt))
      const existing = response.headers.get('Retry-After')
      if (existing !== null) {
        const date = Date.parse(existing)
        const retryAfter = Number.isNaN(date)
          ? Math.trunc(Date.now() / 1000 + Number.parseInt(existing, 10))
          : Math.trunc(date / 1000)
        resetAt = Math.max(retryAfter, resetAt)
      }
      response.headers.set('Retry-After', String(Math.trunc(resetAt - Date.now() / 1000)))
    } catch (error) {
      if (!settings.swallowErrors) throw error
      console.error('flask-limiter: Failed to update rate limit headers. Swallowing error', error)
    }
    return response
  }

  #decorator(groupOptions: Record<string, Py>, shared: boolean): (fn: Py) => Py {
    const settings = (): LimitGroup => ({
      limitValue: groupOptions['limit_value'],
      keyFunc: (groupOptions['key_func'] || this.#options['key_func']) as PyFunction,
      scope: groupOptions['scope'] ?? null,
      perMethod: truthy(groupOptions['per_method'] ?? false),
      methods: Array.isArray(groupOptions['methods'])
        ? groupOptions['methods'].map((method: Py) => String(method).toLowerCase())
        : null,
      errorMessage: groupOptions['error_message'] ?? null,
      exemptWhen: groupOptions['exempt_when'] ?? null,
      overrideDefaults: truthy(groupOptions['override_defaults'] ?? true),
      cost: groupOptions['cost'] ?? 1,
      shared,
    })
    return (fn: Py): Py => {
      if (typeof fn !== 'function')
        throw new PyTypeError('Flask-Limiter limits on a blueprint are not carried over')
      const group = settings()
      // Stacked limits of one Limiter share the view's marks; only the innermost wrapper checks them.
      const checks = !this.#wrappers.has(fn)
      const wrapper = takesKeywords(async (...args: Py[]): Promise<Py> => {
        if (checks) {
          const c = currentContext()
          const endpoint = request(c).endpoint
          if (!this.#allExempt(endpoint)) await this.#checkView(c, endpoint!, marks)
        }
        return fn(...args)
      })
      const marks = this.#marks(fn)
      marks.groups.push(group)
      this.#views.set(wrapper, marks)
      this.#wrappers.add(wrapper)
      return wrapper
    }
  }

  /** The limits a decorated view checks when it is called (Flask-Limiter's check from the view's wrapper). */
  async #checkView(c: Context, endpoint: string, marks: ViewMarks): Promise<void> {
    const settings = this.#setup()
    const state = this.#state(c)
    const decorated = marks.exemption !== ExemptionScope.NONE ? [] : limitsOf(marks.groups)
    const method = request(c).method
    const withDefaults =
      decorated.every((limit) => methodExempt(limit, method)) ||
      decorated.every((limit) => !limit.group.overrideDefaults)
    const limits: Limit[] = []
    if (withDefaults && !(marks.exemption & ExemptionScope.DEFAULT)) {
      const seenItems = [...state.seen].map((limit) => String(limit.item))
      for (const limit of limitsOf(settings.defaults))
        if (!seenItems.includes(String(limit.item))) {
          limits.push(limit)
          state.seen.add(limit)
        }
    }
    limits.push(...decorated)
    await this.#guarded(() => this.#evaluate(c, endpoint, limits))
  }

  /** `@limiter.limit(limit_value, *, key_func=, per_method=, methods=, error_message=, exempt_when=, override_defaults=, cost=, scope=)`. */
  limit(...args: Py[]): Py {
    return this.#decorator(bindArguments('limit', LIMIT_PARAMETERS, args), false)
  }

  /** `@limiter.shared_limit(limit_value, scope, ...)`: one counter for every view it decorates. */
  shared_limit(...args: Py[]): Py {
    return this.#decorator(bindArguments('shared_limit', SHARED_LIMIT_PARAMETERS, args), true)
  }

  /** `@limiter.exempt` and `@limiter.exempt(flags=...)`: a view without the default and application limits. */
  exempt(...args: Py[]): Py {
    const { obj, flags } = bindArguments('exempt', ['obj', 'flags'], args)
    const scope =
      typeof flags === 'number' ? flags : ExemptionScope.APPLICATION | ExemptionScope.DEFAULT
    const mark = (fn: Py): Py => {
      if (typeof fn !== 'function')
        throw new PyTypeError('Flask-Limiter exemptions of a blueprint are not carried over')
      this.#marks(fn).exemption = scope
      return fn
    }
    return obj === undefined || obj === null ? mark : mark(obj)
  }

  /** `@limiter.request_filter`: a function that exempts a request from every limit when it returns true. */
  request_filter(fn: PyFunction): PyFunction {
    this.#requestFilters.push(fn)
    return fn
  }

  /** `limiter.reset()`: forgets every counter. */
  async reset(): Promise<void> {
    await this.#setup().storage.reset()
  }
}

/**
 * Flask-Limiter's `limiter.init_app(app)` in `createApp()`: registers the limit check before each
 * request and the headers after it on the app being built.
 */
export function initLimiter(limiter: Limiter): void {
  registerAppHooks({ before: limiter.checkRequestLimit, after: limiter.injectHeaders })
}
