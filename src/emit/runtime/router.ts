/**
 * Werkzeug 2.2's URL routing for Hono: `WerkzeugRouter` implements Hono's `Router` with the
 * matching of `werkzeug.routing` (StateMachineMatcher, converter weights, strict slashes,
 * merged slashes, default and `redirect_to` redirects), and `urlFor` builds URLs as Flask's
 * `url_for`. Copied verbatim into every generated service as `src/lib/router.ts`.
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { Params, Result, Router } from 'hono/router'
import { LookupError, ValueError } from './exceptions.js'
import { MethodNotAllowed, NotFound, RequestRedirect } from './errors.js'
import { PyFloat, asFloat, floatRepr } from './float.js'

/** One Werkzeug `Rule` of the app's URL map, as `src/url-map.ts` lists them. */
/**
 * A value of a rule's `defaults`: what a Python literal default can be once it reaches the URL map.
 * `{ $float: 3 }` is the float `3.0` (JSON would make it the int `3`).
 */
export type DefaultValue = string | number | boolean | null | PyFloat | { $float: number }

function defaultValues(
  defaults: Record<string, DefaultValue> | undefined,
): Record<string, DefaultValue> | null {
  if (!defaults || Object.keys(defaults).length === 0) return null
  const out: Record<string, DefaultValue> = {}
  for (const [key, value] of Object.entries(defaults)) {
    out[key] =
      value !== null && typeof value === 'object' && !(value instanceof PyFloat)
        ? asFloat(value.$float)
        : value
  }
  return out
}

export interface RuleSpec {
  rule: string
  endpoint: string
  /** Werkzeug's method set: HEAD when GET is there, OPTIONS when automatic (sorted). */
  methods: string[]
  defaults?: Record<string, DefaultValue>
  /** The rule's own `strict_slashes`; absent means the map's setting. */
  strictSlashes?: boolean
  redirectTo?: string
  /** Flask's `provide_automatic_options`; absent means "OPTIONS is in methods and no OPTIONS handler is bound". */
  provideAutomaticOptions?: boolean
  /** Flask's `request.blueprints`, innermost first. */
  blueprints?: string[]
}

/** What routing decided for a request: `request.endpoint`, `request.url_rule`, `request.view_args`, `request.blueprints`. */
export interface RoutingInfo {
  /** null when routing failed (404, 405, redirect). */
  endpoint: string | null
  rule: string | null
  /** Converted values (numbers for `int` / `float`) plus the rule's defaults; null when routing failed. */
  viewArgs: Record<string, unknown> | null
  blueprints: string[]
  /** Why routing failed (absent when a rule matched): what legacy.ts forwards to the Flask app. */
  failure?: 'notFound' | 'methodNotAllowed' | 'redirect' | 'error'
  /**
   * When routing failed: the endpoints of the rules the failure is about (those matching the path
   * for other methods, the rule a redirect leads to or comes from), for `LEGACY_ROUTES`.
   */
  failureEndpoints?: string[]
}

/** The Hono `Variables` fragment the router fills: `c.var.routing`. */
export type RoutingVariables = { routing: RoutingInfo }

/** A positional or keyword argument of a converter in rule text: `<int(min=1):id>`. */
export type ConverterArg = string | number | boolean | null

/** A bound converter, as a Werkzeug `BaseConverter` instance. `regex` is JavaScript syntax (compiled with the `u` flag). */
export interface Converter {
  regex: string
  weight: number
  /** False for converters that match across slashes (`path`). */
  partIsolating: boolean
  /** Throws `ValidationError` to make the rule not match. */
  toPython(value: string): unknown
  toUrl(value: unknown): string
}

/** A converter class: builds a `Converter` from the arguments written in the rule. */
export type CustomConverter = (
  args: ConverterArg[],
  kwargs: Record<string, ConverterArg>,
) => Converter

export interface WerkzeugRouterOptions {
  /** `url_map.strict_slashes` (default true). */
  strictSlashes?: boolean
  /** Extra converters by name (`app.url_map.converters`). */
  converters?: Record<string, CustomConverter>
}

/** `werkzeug.routing.ValidationError`: a converter rejects the value, the rule does not match. */
export class ValidationError extends ValueError {}

/** `werkzeug.routing.BuildError`: `urlFor` found no rule for the endpoint and values. */
export class BuildError extends LookupError {
  readonly endpoint: string
  readonly values: Record<string, unknown>
  readonly method: string | null
  constructor(endpoint: string, values: Record<string, unknown>, method: string | null) {
    super(endpoint, values, method)
    this.endpoint = endpoint
    this.values = values
    this.method = method
    const keys = Object.keys(values)
    this.message =
      `Could not build url for endpoint ${pyRepr(endpoint)}` +
      (method ? ` (${pyRepr(method)})` : '') +
      (keys.length > 0 ? ` with values [${keys.sort().map(pyRepr).join(', ')}]` : '') +
      '.'
  }
  override toString(): string {
    return this.message
  }
}

// ---------------------------------------------------------------------------------------------
// Python helpers: the few bits of Python's str/int/float the converters need.

function pyRepr(text: string): string {
  return text.includes("'") && !text.includes('"')
    ? `"${text}"`
    : `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/** Unicode decimal digits (Python's `\d`) to ASCII: Nd digits come in runs of ten, 0 to 9. */
function asciiDigits(text: string): string {
  return text.replace(/\p{Nd}/gu, (digit) => {
    let start = digit.codePointAt(0)!
    const cp = start
    while (start > 0 && /\p{Nd}/u.test(String.fromCodePoint(start - 1)) && cp - start < 9) start--
    // Adjacent runs (the mathematical digits) are aligned on ten from the first one.
    let runStart = start
    while (runStart > 0 && /\p{Nd}/u.test(String.fromCodePoint(runStart - 1))) runStart--
    return String((cp - runStart) % 10)
  })
}

const PY_INT = /^[+-]?\d(?:_?\d)*$/
const PY_FLOAT = /^[+-]?(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?$/

/** Python's `int(text)` for a str: a bigint, or null where Python raises ValueError. */
function pyInt(text: string): bigint | null {
  const stripped = asciiDigits(text.trim())
  if (!PY_INT.test(stripped)) return null
  return BigInt(stripped.replace(/_/g, ''))
}

/** Python's `float(text)` for a str: a number, or null where Python raises ValueError. */
function pyFloat(text: string): number | null {
  const stripped = asciiDigits(text.trim())
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(stripped)
  if (special)
    return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity
  if (!PY_FLOAT.test(stripped)) return null
  return Number(stripped.replace(/_/g, ''))
}

/** Python's `str(value)` for the values a handler passes to `urlFor`. */
function pyStr(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'number')
    return Number.isInteger(value) && Math.abs(value) < 1e16 ? String(value) : floatRepr(value)
  if (value instanceof PyFloat) return floatRepr(value)
  if (value === null || value === undefined) return 'None'
  return String(value)
}

/** Python's `==` between the values of `defaults` and matched or given values. */
function pyEquals(a: unknown, b: unknown): boolean {
  const numeric = (v: unknown): unknown =>
    typeof v === 'boolean' || typeof v === 'bigint' || v instanceof PyFloat ? Number(v) : v
  return numeric(a) === numeric(b)
}

function pyLength(text: string): number {
  let n = 0
  for (const _ of text) n++
  return n
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')
}

// Werkzeug's `_always_safe` bytes.
const ALWAYS_SAFE = new Set(
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~$!'()*+,;",
)
const PLAIN = /^[\w.~-]*$/
const utf8 = new TextEncoder()

/** `werkzeug.urls.url_quote(text, safe=safe)` (UTF-8). */
export function urlQuote(text: string, safe = '/:', unsafe = ''): string {
  // Letters, digits and -._~ are always left as they are: such a text (a page number, an id, a
  // name) comes back unchanged, without encoding it (url_for runs this for every value it builds).
  if (PLAIN.test(text) && !/[\w.~-]/.test(unsafe)) return text
  let out = ''
  for (const byte of utf8.encode(text)) {
    const char = String.fromCharCode(byte)
    if (byte < 128 && (ALWAYS_SAFE.has(char) || safe.includes(char)) && !unsafe.includes(char))
      out += char
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** Werkzeug's `_fast_url_quote_plus` for query keys and values. */
function urlQuotePlus(text: string): string {
  // A plain text (letters, digits, -._~) has no space and nothing to quote.
  if (PLAIN.test(text)) return text
  return urlQuote(text, ' ', '+').replace(/ /g, '+')
}

/** `werkzeug.urls.url_encode` of a dict (a list value gives one pair per item; None is left out). */
function urlEncode(values: [string, unknown][]): string {
  const pairs: string[] = []
  for (const [key, value] of values) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === null || item === undefined) continue
      pairs.push(`${urlQuotePlus(pyStr(key))}=${urlQuotePlus(pyStr(item))}`)
    }
  }
  return pairs.join('&')
}

/**
 * PATH_INFO as a WSGI server gives it to Werkzeug: every escape decoded to bytes, then UTF-8 with
 * replacement. Hono has already decoded what `decodeURI` decodes; the rest (`%2F`, `%25`, …) is done here.
 */
export function decodePathInfo(path: string): string {
  if (!path.includes('%')) return path
  const bytes: number[] = []
  const encoder = new TextEncoder()
  for (let i = 0; i < path.length;) {
    if (path[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(path.slice(i + 1, i + 3))) {
      bytes.push(parseInt(path.slice(i + 1, i + 3), 16))
      i += 3
    } else {
      const cp = path.codePointAt(i)!
      const char = String.fromCodePoint(cp)
      for (const byte of encoder.encode(char)) bytes.push(byte)
      i += char.length
    }
  }
  return new TextDecoder('utf-8').decode(new Uint8Array(bytes))
}

// ---------------------------------------------------------------------------------------------
// Converters (werkzeug/routing/converters.py).

function numberArg(value: ConverterArg | undefined, name: string): number | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'number') return value
  if (typeof value === 'boolean') return Number(value)
  throw new TypeError(`converter argument ${name} must be a number, got ${pyRepr(value)}`)
}

function checkKwargs(
  converter: string,
  kwargs: Record<string, ConverterArg>,
  allowed: string[],
): void {
  for (const key of Object.keys(kwargs)) {
    if (!allowed.includes(key))
      throw new TypeError(`${converter} converter got an unexpected keyword argument '${key}'`)
  }
}

function positional<T extends ConverterArg>(
  args: ConverterArg[],
  kwargs: Record<string, ConverterArg>,
  names: string[],
): Record<string, T> {
  const out: Record<string, T> = {}
  args.forEach((value, i) => {
    const name = names[i]
    if (name === undefined) throw new TypeError(`too many positional arguments for converter`)
    out[name] = value as T
  })
  for (const [key, value] of Object.entries(kwargs)) out[key] = value as T
  return out
}

function baseToUrl(value: unknown): string {
  return urlQuote(pyStr(value))
}

const unicodeConverter: CustomConverter = (args, kwargs) => {
  checkKwargs('string', kwargs, ['minlength', 'maxlength', 'length'])
  const a = positional(args, kwargs, ['minlength', 'maxlength', 'length'])
  const length = numberArg(a.length, 'length')
  const minlength = numberArg(a.minlength, 'minlength') ?? 1
  const maxlength = numberArg(a.maxlength, 'maxlength')
  const quantifier =
    length !== null
      ? `{${Math.trunc(length)}}`
      : `{${Math.trunc(minlength)},${maxlength === null ? '' : Math.trunc(maxlength)}}`
  return {
    regex: `[^/]${quantifier}`,
    weight: 100,
    partIsolating: true,
    toPython: (v) => v,
    toUrl: baseToUrl,
  }
}

const anyConverter: CustomConverter = (args, kwargs) => {
  checkKwargs('any', kwargs, [])
  const items = args.map((item) => pyStr(item))
  return {
    regex: `(?:${items.map(escapeRegex).join('|')})`,
    weight: 100,
    partIsolating: true,
    toPython: (v) => v,
    toUrl: (value) => {
      if (items.includes(value as string)) return pyStr(value)
      const valid = [...new Set(items)]
        .sort()
        .map((item) => `'${item}'`)
        .join(', ')
      throw new ValueError(`'${pyStr(value)}' is not one of ${valid}`)
    },
  }
}

const pathConverter: CustomConverter = (args, kwargs) => {
  checkKwargs('path', kwargs, [])
  if (args.length > 0) throw new TypeError('path converter takes no arguments')
  // Python's `.` is everything but "\n".
  return {
    regex: '[^/][^\\n]*?',
    weight: 200,
    partIsolating: false,
    toPython: (v) => v,
    toUrl: baseToUrl,
  }
}

function pyIntOf(value: unknown): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'boolean') return value ? 1n : 0n
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new ValueError(`cannot convert float ${floatRepr(value)} to integer`)
    return BigInt(Math.trunc(value))
  }
  const parsed = pyInt(String(value))
  if (parsed === null)
    throw new ValueError(`invalid literal for int() with base 10: ${pyRepr(String(value))}`)
  return parsed
}

function pyFloatOf(value: unknown): number {
  if (typeof value === 'number' || value instanceof PyFloat) return Number(value)
  if (typeof value === 'boolean' || typeof value === 'bigint') return Number(value)
  const parsed = pyFloat(String(value))
  if (parsed === null)
    throw new ValueError(`could not convert string to float: ${pyRepr(String(value))}`)
  return parsed
}

function numberConverter(kind: 'int' | 'float'): CustomConverter {
  return (args, kwargs) => {
    const names =
      kind === 'int' ? ['fixed_digits', 'min', 'max', 'signed'] : ['min', 'max', 'signed']
    checkKwargs(kind, kwargs, names)
    const a = positional(args, kwargs, names)
    const fixedDigits = kind === 'int' ? (numberArg(a.fixed_digits, 'fixed_digits') ?? 0) : 0
    const min = numberArg(a.min, 'min')
    const max = numberArg(a.max, 'max')
    const signed = Boolean(a.signed)
    const base = kind === 'int' ? '\\p{Nd}+' : '\\p{Nd}+\\.\\p{Nd}+'
    return {
      regex: signed ? `-?${base}` : base,
      weight: 50,
      partIsolating: true,
      toPython(value: string): unknown {
        if (fixedDigits && pyLength(value) !== fixedDigits) throw new ValidationError()
        // The usual case: a few ASCII digits, no bounds (Python's int(), exactly, without BigInt).
        if (
          kind === 'int' &&
          min === null &&
          max === null &&
          value.length <= 15 &&
          /^[0-9]+$/.test(value)
        )
          return Number(value)
        if (kind === 'int') {
          const n = pyInt(value)!
          // Compare exactly, as Python's ints are unbounded.
          if (
            (min !== null && compareIntTo(n, min) < 0) ||
            (max !== null && compareIntTo(n, max) > 0)
          )
            throw new ValidationError()
          return Number(n)
        }
        const n = pyFloat(value)!
        if ((min !== null && n < min) || (max !== null && n > max)) throw new ValidationError()
        return asFloat(n)
      },
      toUrl(value: unknown): string {
        // A safe integer's digits are those of its BigInt (str(int(value)) in Python).
        let text =
          kind === 'int'
            ? typeof value === 'number' && Number.isSafeInteger(value)
              ? String(value)
              : pyIntOf(value).toString()
            : floatRepr(pyFloatOf(value))
        if (fixedDigits) text = zfill(text, fixedDigits)
        return text
      },
    }
  }
}

function compareIntTo(n: bigint, limit: number): number {
  if (Number.isInteger(limit)) {
    const l = BigInt(limit)
    return n < l ? -1 : n > l ? 1 : 0
  }
  const x = Number(n)
  return x < limit ? -1 : x > limit ? 1 : 0
}

/** Python's `str.zfill`. */
function zfill(text: string, width: number): string {
  const sign = text[0] === '-' || text[0] === '+' ? text[0] : ''
  const body = sign ? text.slice(1) : text
  return sign + body.padStart(width - sign.length, '0')
}

const uuidConverter: CustomConverter = (args, kwargs) => {
  checkKwargs('uuid', kwargs, [])
  return {
    regex: '[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}',
    weight: 100,
    partIsolating: true,
    // Python gives a uuid.UUID; its str() is the lower-case canonical form.
    toPython: (v) => v.toLowerCase(),
    toUrl: (value) => pyStr(value),
  }
}

/** Werkzeug's `DEFAULT_CONVERTERS`. */
/**
 * Stands in for a project's own converter class: it matches as Werkzeug's `BaseConverter` does
 * (`[^/]+`, weight 100) and passes the text through. The tool stubs every view behind it, since
 * the class's to_python/to_url were not carried over; this keeps the URL map whole.
 */
export const baseConverter: CustomConverter = () => ({
  regex: '[^/]+',
  weight: 100,
  partIsolating: true,
  toPython: (value) => value,
  toUrl: (value) => urlQuote(String(value)),
})

export const DEFAULT_CONVERTERS: Readonly<Record<string, CustomConverter>> = {
  default: unicodeConverter,
  string: unicodeConverter,
  any: anyConverter,
  path: pathConverter,
  int: numberConverter('int'),
  float: numberConverter('float'),
  uuid: uuidConverter,
}

// `_converter_args_re` (Python's `.` and `\w` spelled out for JavaScript).
const CONVERTER_ARGS =
  /((?<name>[\p{L}\p{N}_]+)\s*=\s*)?(?<value>True|False|\p{Nd}+[^\n]\p{Nd}+|\p{Nd}+[^\n]|\p{Nd}+|[\p{L}\p{N}_.]+|[urUR]?(?<stringval>"[^"]*?"|'[^']*'))\s*,/gu

function pythonize(value: string): ConverterArg {
  if (value === 'None') return null
  if (value === 'True') return true
  if (value === 'False') return false
  const asInt = pyInt(value)
  if (asInt !== null) return Number(asInt)
  const asFloat = pyFloat(value)
  if (asFloat !== null) return asFloat
  if (
    value.length > 0 &&
    value[0] === value[value.length - 1] &&
    (value[0] === '"' || value[0] === "'")
  )
    return value.slice(1, -1)
  return value
}

/** `werkzeug.routing.rules.parse_converter_args`. */
export function parseConverterArgs(argstr: string): [ConverterArg[], Record<string, ConverterArg>] {
  const args: ConverterArg[] = []
  const kwargs: Record<string, ConverterArg> = {}
  for (const match of `${argstr},`.matchAll(CONVERTER_ARGS)) {
    const groups = match.groups!
    const value = pythonize(groups.stringval ?? groups.value!)
    if (groups.name === undefined) args.push(value)
    else kwargs[groups.name] = value
  }
  return [args, kwargs]
}

// ---------------------------------------------------------------------------------------------
// Rules and the state machine (werkzeug/routing/rules.py, matcher.py).

type Weighting = [number, [number, number][], number, number[]]

interface RulePart {
  content: string
  final: boolean
  static: boolean
  weight: Weighting
}

/** A dynamic part's matcher: the converter groups of the part's text, or null when it does not match. */
type PartMatcher = (target: string) => string[] | null

interface State {
  dynamic: [RulePart, State, PartMatcher][]
  rules: CompiledRule[]
  static: Map<string, State>
}

/**
 * The matcher of a dynamic part: its regex (`^` + the part's pattern, Unicode), or, for a part
 * that is one `<name>` or `<int:name>` and nothing else (the usual case), the same test without a
 * regex: any non-empty text (a part has no `/`), or ASCII digits (other text goes to the regex,
 * which knows every Unicode digit).
 */
function partMatcher(content: string): PartMatcher {
  const regex = new RegExp(`^${content}`, 'u')
  const slow: PartMatcher = (target) => {
    const match = regex.exec(target)
    return match === null ? null : match.slice(1).map((group) => group ?? '')
  }
  if (content === '([^/]{1,})$') return (target) => (target.length > 0 ? [target] : null)
  if (content === '(\\p{Nd}+)$') {
    return (target) => {
      if (target.length === 0) return null
      for (let i = 0; i < target.length; i++) {
        const code = target.charCodeAt(i)
        if (code < 0x30 || code > 0x39) return slow(target)
      }
      return [target]
    }
  }
  return slow
}

interface CompiledRule {
  spec: RuleSpec
  rule: string
  endpoint: string
  methods: Set<string> | null
  strictSlashes: boolean
  defaults: Record<string, DefaultValue> | null
  arguments: Set<string>
  converters: Map<string, Converter>
  /** (isDynamic, data) pieces of the URL part, for building. */
  trace: [boolean, string][]
  /**
   * The trace as `buildRule` uses it: runs of static pieces URL-quoted once and joined (Werkzeug's
   * `_compile_builder` quotes them when it compiles the rule), and the variables' names.
   */
  builder: (string | { name: string })[]
  /** The rule's arguments and the keys of its defaults: the values that do not go to the query string. */
  known: Set<string>
  parts: RulePart[]
}

const PART_RE =
  /(?:(?<slash>\/)|(?<static>[^</]+)|(?:<(?:(?<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?<arguments>[^\n]*?)\))?:)?(?<variable>[a-zA-Z_][a-zA-Z0-9_]*)>))/y

function compareLists<T>(a: T[], b: T[], compare: (x: T, y: T) => number): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compare(a[i]!, b[i]!)
    if (c !== 0) return c
  }
  return a.length - b.length
}

const compareNumbers = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0)

function compareWeights(a: Weighting, b: Weighting): number {
  return (
    compareNumbers(a[0], b[0]) ||
    compareLists(a[1], b[1], (x, y) => compareNumbers(x[0], y[0]) || compareNumbers(x[1], y[1])) ||
    compareNumbers(a[2], b[2]) ||
    compareLists(a[3], b[3], compareNumbers)
  )
}

function samePart(a: RulePart, b: RulePart): boolean {
  return (
    a.content === b.content &&
    a.final === b.final &&
    a.static === b.static &&
    compareWeights(a.weight, b.weight) === 0
  )
}

function compileRule(
  spec: RuleSpec,
  strictSlashesDefault: boolean,
  converters: Record<string, CustomConverter>,
): CompiledRule {
  if (!spec.rule.startsWith('/')) throw new ValueError('urls must start with a leading slash')
  const compiled: CompiledRule = {
    spec,
    rule: spec.rule,
    endpoint: spec.endpoint,
    methods: isAllMethods(spec) ? null : new Set(spec.methods.map((m) => m.toUpperCase())),
    strictSlashes: spec.strictSlashes ?? strictSlashesDefault,
    defaults: defaultValues(spec.defaults),
    arguments: new Set(Object.keys(spec.defaults ?? {})),
    converters: new Map(),
    trace: [],
    builder: [],
    known: new Set(),
    parts: [{ content: '', final: false, static: true, weight: [0, [], 0, []] }],
  }
  if (compiled.methods?.has('GET')) compiled.methods.add('HEAD')
  // merge_slashes (Flask's map default) compiles the rule with doubled slashes merged.
  const rule = spec.rule.replace(/\/{2,}?/g, '/')
  let content = ''
  let isStatic = true
  let argumentWeights: number[] = []
  let staticWeights: [number, number][] = []
  let final = false
  const flush = (): RulePart => ({
    content,
    final,
    static: isStatic,
    weight: [-staticWeights.length, staticWeights, -argumentWeights.length, argumentWeights],
  })
  let pos = 0
  while (pos < rule.length) {
    PART_RE.lastIndex = pos
    const match = PART_RE.exec(rule)
    if (match === null) throw new ValueError(`malformed url rule: ${pyRepr(rule)}`)
    const data = match.groups!
    if (data.static !== undefined) {
      staticWeights.push([staticWeights.length, -pyLength(data.static)])
      compiled.trace.push([false, data.static])
      content += isStatic ? data.static : escapeRegex(data.static)
    }
    if (data.variable !== undefined) {
      if (isStatic) content = escapeRegex(content)
      isStatic = false
      const [cArgs, cKwargs] = parseConverterArgs(data.arguments ?? '')
      const name = data.converter ?? 'default'
      const factory = converters[name]
      if (factory === undefined) throw new LookupError(`the converter '${name}' does not exist`)
      const converter = factory(cArgs, cKwargs)
      compiled.converters.set(data.variable, converter)
      compiled.arguments.add(data.variable)
      if (!converter.partIsolating) final = true
      content += `(${converter.regex})`
      argumentWeights.push(converter.weight)
      compiled.trace.push([true, data.variable])
    }
    if (data.slash !== undefined) {
      compiled.trace.push([false, '/'])
      if (final) content += '/'
      else {
        if (!isStatic) content += '$'
        compiled.parts.push(flush())
        content = ''
        isStatic = true
        argumentWeights = []
        staticWeights = []
        final = false
      }
    }
    pos = PART_RE.lastIndex
  }
  if (!isStatic) content += '$'
  compiled.parts.push(flush())
  let staticRun: string | null = null
  for (const [isDynamic, data] of compiled.trace) {
    if (isDynamic && compiled.converters.has(data)) {
      if (staticRun !== null) compiled.builder.push(urlQuote(staticRun, '/:|+'))
      staticRun = null
      compiled.builder.push({ name: data })
    } else staticRun = (staticRun ?? '') + data
  }
  if (staticRun !== null) compiled.builder.push(urlQuote(staticRun, '/:|+'))
  compiled.known = new Set([...compiled.arguments, ...Object.keys(compiled.defaults ?? {})])
  return compiled
}

/** A spec made by `add` for a path with no RuleSpec, or with method ALL: Werkzeug's methods=None. */
const ALL_METHODS = Symbol('all methods')
function isAllMethods(spec: RuleSpec): boolean {
  return (spec as RuleSpec & { [ALL_METHODS]?: boolean })[ALL_METHODS] === true
}

class SlashRequired {
  constructor(readonly endpoint: string) {}
}

type MatchOutcome =
  | {
      kind: 'rule'
      rule: CompiledRule
      raw: Record<string, string>
      viewArgs: Record<string, unknown>
    }
  /** Location is `<scheme>://<host>/` + path (+ the request's query when `keepQuery`). */
  | { kind: 'redirect'; path: string; keepQuery: boolean; endpoints: string[] }
  /** `redirect_to`: joined against `<scheme>://<host>/`. */
  | { kind: 'redirectTo'; target: string; endpoints: string[] }
  | { kind: 'notFound' }
  | { kind: 'methodNotAllowed'; validMethods: string[]; endpoints: string[] }
  | { kind: 'error'; error: unknown }

class NoMatch {
  constructor(
    readonly haveMatchFor: Set<string>,
    /** The endpoints of the rules that matched the path for other methods. */
    readonly endpoints: Set<string>,
  ) {}
}

class RequestPath {
  constructor(
    readonly pathInfo: string,
    /** The endpoint of the rule the redirect leads to. */
    readonly endpoint: string,
  ) {}
}

/**
 * The compiled URL map: Werkzeug's `Map` with `StateMachineMatcher`, restricted for matching to the
 * rules `isActive` accepts (the router's rules with a handler), complete for building.
 */
export class UrlMap {
  readonly rules: CompiledRule[] = []
  private readonly byEndpoint = new Map<string, CompiledRule[]>()
  private root: State | null = null
  /** Rules reached by static parts alone, by path (`build` fills it). */
  private staticPaths: Map<string, CompiledRule[]> | null = null
  private readonly strictSlashes: boolean
  private readonly converters: Record<string, CustomConverter>
  private isActive: (rule: CompiledRule) => boolean = () => true

  constructor(specs: RuleSpec[], options: WerkzeugRouterOptions = {}) {
    this.strictSlashes = options.strictSlashes ?? true
    this.converters = { ...DEFAULT_CONVERTERS, ...options.converters }
    for (const spec of specs) this.addSpec(spec)
  }

  /** @internal */
  addSpec(spec: RuleSpec): CompiledRule {
    const rule = compileRule(spec, this.strictSlashes, this.converters)
    this.rules.push(rule)
    const list = this.byEndpoint.get(rule.endpoint) ?? []
    list.push(rule)
    // `Map.update` orders each endpoint's rules by `build_compare_key` (a stable sort).
    list.sort(
      (a, b) =>
        b.arguments.size - a.arguments.size ||
        Object.keys(b.defaults ?? {}).length - Object.keys(a.defaults ?? {}).length,
    )
    this.byEndpoint.set(rule.endpoint, list)
    this.root = null
    return rule
  }

  /** @internal */
  setActive(isActive: (rule: CompiledRule) => boolean): void {
    this.isActive = isActive
    this.root = null
  }

  /** @internal */
  invalidate(): void {
    this.root = null
  }

  private build(): State {
    const root: State = { dynamic: [], rules: [], static: new Map() }
    for (const rule of this.rules) {
      if (!this.isActive(rule)) continue
      let state = root
      for (const part of rule.parts) {
        if (part.static) {
          let next = state.static.get(part.content)
          if (next === undefined) {
            next = { dynamic: [], rules: [], static: new Map() }
            state.static.set(part.content, next)
          }
          state = next
        } else {
          const existing = state.dynamic.find(([test]) => samePart(test, part))
          if (existing) state = existing[1]
          else {
            const next: State = { dynamic: [], rules: [], static: new Map() }
            state.dynamic.push([part, next, partMatcher(part.content)])
            state = next
          }
        }
      }
      state.rules.push(rule)
    }
    const sortState = (state: State): void => {
      state.dynamic.sort((a, b) => compareWeights(a[0].weight, b[0].weight))
      for (const next of state.static.values()) sortState(next)
      for (const [, next] of state.dynamic) sortState(next)
    }
    sortState(root)
    // Paths of the states reached by static parts alone, each with its rules: a request path that
    // is one of them and a rule there that takes the method is what the state machine finds first.
    this.staticPaths = new Map()
    const collect = (state: State, key: string): void => {
      if (state.rules.length > 0) this.staticPaths!.set(key, state.rules)
      for (const [content, next] of state.static) collect(next, `${key}/${content}`)
    }
    for (const [content, next] of root.static) collect(next, content)
    return root
  }

  /** `StateMachineMatcher.match`: the rule and converted values, or throws RequestPath / NoMatch. */
  private matchPath(
    path: string,
    method: string,
  ): [CompiledRule, Record<string, string>, Record<string, unknown>] {
    this.root ??= this.build()
    const root = this.root
    // The static fast path: the rule the state machine below would find first for such a path.
    const statics = this.staticPaths!.get(`/${path}`)
    if (statics !== undefined) {
      for (const rule of statics) {
        if (rule.methods === null || rule.methods.has(method))
          return [rule, {}, rule.defaults ? { ...rule.defaults } : {}]
      }
    }
    const haveMatchFor = new Set<string>()
    const haveMatchEndpoints = new Set<string>()
    let parts: string[] = []
    // Converter groups of the parts matched so far (truncated on backtracking).
    const values: string[] = []

    const step = (state: State, index: number): CompiledRule | null => {
      if (index === parts.length) {
        for (const rule of state.rules) {
          if (rule.methods !== null && !rule.methods.has(method)) {
            rule.methods.forEach((m) => haveMatchFor.add(m))
            haveMatchEndpoints.add(rule.endpoint)
          } else return rule
        }
        const slashState = state.static.get('')
        if (slashState !== undefined) {
          for (const rule of slashState.rules) {
            if (rule.methods === null || rule.methods.has(method)) {
              if (rule.strictSlashes) throw new SlashRequired(rule.endpoint)
              return rule
            }
          }
        }
        return null
      }
      const part = parts[index]!
      const next = state.static.get(part)
      if (next !== undefined) {
        const rv = step(next, index + 1)
        if (rv !== null) return rv
      }
      for (const [testPart, newState, matcher] of state.dynamic) {
        const groups = matcher(testPart.final ? parts.slice(index).join('/') : part)
        if (groups !== null) {
          const length = values.length
          values.push(...groups)
          const rv = step(newState, testPart.final ? parts.length : index + 1)
          if (rv !== null) return rv
          values.length = length
        }
      }
      if (index === parts.length - 1 && part === '') {
        for (const rule of state.rules) {
          if (rule.strictSlashes) continue
          if (rule.methods !== null && !rule.methods.has(method)) {
            rule.methods.forEach((m) => haveMatchFor.add(m))
            haveMatchEndpoints.add(rule.endpoint)
          } else return rule
        }
      }
      return null
    }

    const attempt = (p: string): [CompiledRule, string[]] | null => {
      parts = ['', ...p.split('/')]
      values.length = 0
      try {
        const rule = step(root, 0)
        return rule === null ? null : [rule, values]
      } catch (error) {
        if (error instanceof SlashRequired) throw new RequestPath(`${p}/`, error.endpoint)
        throw error
      }
    }

    let rv = attempt(path)
    if (rv === null) {
      // merge_slashes: match again with "//" merged and redirect there when that matches.
      const merged = path.replace(/\/{2,}?/g, '/')
      rv = attempt(merged)
      if (rv === null) throw new NoMatch(haveMatchFor, haveMatchEndpoints)
      throw new RequestPath(merged, rv[0].endpoint)
    }
    const [rule] = rv
    const raw: Record<string, string> = {}
    const result: Record<string, unknown> = {}
    let i = 0
    for (const [name, converter] of rule.converters) {
      if (i >= values.length) break
      const value = values[i++]!
      raw[name] = value
      try {
        result[name] = converter.toPython(value)
      } catch (error) {
        if (error instanceof ValidationError) throw new NoMatch(haveMatchFor, haveMatchEndpoints)
        throw error
      }
    }
    if (rule.defaults) Object.assign(result, rule.defaults)
    return [rule, raw, result]
  }

  /** `MapAdapter.match` for a decoded PATH_INFO, with the redirects Werkzeug raises. */
  match(pathInfo: string, method: string): MatchOutcome {
    const path = pathInfo ? `/${pathInfo.replace(/^\/+/, '')}` : ''
    let matched: [CompiledRule, Record<string, string>, Record<string, unknown>]
    try {
      matched = this.matchPath(path, method)
    } catch (error) {
      if (error instanceof RequestPath)
        return {
          kind: 'redirect',
          path: urlQuote(error.pathInfo, '/:|+'),
          keepQuery: true,
          endpoints: [error.endpoint],
        }
      if (error instanceof NoMatch) {
        return error.haveMatchFor.size > 0
          ? {
              kind: 'methodNotAllowed',
              validMethods: [...error.haveMatchFor].sort(),
              endpoints: [...error.endpoints],
            }
          : { kind: 'notFound' }
      }
      return { kind: 'error', error }
    }
    const [rule, raw, viewArgs] = matched
    try {
      // redirect_defaults: a rule of the same endpoint with defaults is the canonical URL.
      for (const other of this.byEndpoint.get(rule.endpoint) ?? []) {
        if (other === rule) break
        if (providesDefaultsFor(other, rule) && suitableFor(other, viewArgs, method)) {
          const values = { ...viewArgs, ...other.defaults }
          const built = buildRule(other, values, true)
          if (built !== null)
            return { kind: 'redirect', path: built, keepQuery: true, endpoints: [rule.endpoint] }
        }
      }
      if (rule.spec.redirectTo !== undefined) {
        const target = rule.spec.redirectTo.replace(/<([^>]+)>/g, (_, name: string) => {
          const converter = rule.converters.get(name)
          if (converter === undefined || !(name in viewArgs)) throw new LookupError(name)
          return converter.toUrl(viewArgs[name])
        })
        return { kind: 'redirectTo', target, endpoints: [rule.endpoint] }
      }
    } catch (error) {
      return { kind: 'error', error }
    }
    return { kind: 'rule', rule, raw, viewArgs }
  }

  /** `MapAdapter.allowed_methods`: every method some rule accepts for this path. */
  allowedMethods(pathInfo: string): string[] {
    const outcome = this.match(pathInfo, '--')
    return outcome.kind === 'methodNotAllowed' ? outcome.validMethods : []
  }

  /** `MapAdapter._partial_build`: the built path (and query) or null. */
  partialBuild(
    endpoint: string,
    values: Record<string, unknown>,
    method: string | null,
  ): string | null {
    if (method === null) {
      const rv = this.partialBuild(endpoint, values, 'GET')
      if (rv !== null) return rv
    }
    for (const rule of this.byEndpoint.get(endpoint) ?? []) {
      if (suitableFor(rule, values, method ?? undefined)) {
        const built = buildRule(rule, values, true)
        if (built !== null) return built
      }
    }
    return null
  }
}

function sameTrace(a: CompiledRule, b: CompiledRule): boolean {
  return (
    a.trace.length === b.trace.length &&
    a.trace.every(([d, t], i) => b.trace[i]![0] === d && b.trace[i]![1] === t)
  )
}

/** `Rule.provides_defaults_for`. */
function providesDefaultsFor(rule: CompiledRule, other: CompiledRule): boolean {
  return (
    rule.defaults !== null &&
    rule.endpoint === other.endpoint &&
    !sameTrace(rule, other) &&
    rule.arguments.size === other.arguments.size &&
    [...rule.arguments].every((a) => other.arguments.has(a))
  )
}

/** `Rule.suitable_for`. */
function suitableFor(
  rule: CompiledRule,
  values: Record<string, unknown>,
  method?: string,
): boolean {
  if (method !== undefined && rule.methods !== null && !rule.methods.has(method)) return false
  const defaults = rule.defaults
  if (defaults === null) {
    for (const key of rule.arguments) if (!(key in values)) return false
    return true
  }
  for (const key of rule.arguments) if (!(key in defaults) && !(key in values)) return false
  for (const [key, value] of Object.entries(defaults))
    if (key in values && !pyEquals(value, values[key])) return false
  return true
}

/** `Rule.build` (the compiled builder): path with the unknown values as a query string, or null on ValidationError. */
function buildRule(
  rule: CompiledRule,
  values: Record<string, unknown>,
  appendUnknown: boolean,
): string | null {
  const defaults = rule.defaults
  let url = ''
  try {
    for (const piece of rule.builder) {
      if (typeof piece === 'string') url += piece
      else {
        const { name } = piece
        url += rule.converters
          .get(name)!
          .toUrl(defaults !== null && name in defaults ? defaults[name] : values[name])
      }
    }
  } catch (error) {
    if (error instanceof ValidationError) return null
    throw error
  }
  if (appendUnknown) {
    const unknown: [string, unknown][] = []
    for (const key of Object.keys(values))
      if (!rule.known.has(key)) unknown.push([key, values[key]])
    if (unknown.length > 0) {
      const query = urlEncode(unknown)
      if (query) url += `?${query}`
    }
  }
  return url
}

// ---------------------------------------------------------------------------------------------
// URL joining for `redirect_to` (werkzeug.urls.url_join).

interface ParsedUrl {
  scheme: string
  netloc: string
  path: string
  query: string
  fragment: string
}

function urlParse(url: string, defaultScheme = ''): ParsedUrl {
  let scheme = defaultScheme
  let netloc = ''
  let query = ''
  let fragment = ''
  const i = url.indexOf(':')
  if (i > 0 && /^[a-zA-Z0-9+\-.]+$/.test(url.slice(0, i))) {
    const rest = url.slice(i + 1)
    if (!rest || /[^0-9]/.test(rest)) {
      scheme = url.slice(0, i).toLowerCase()
      url = rest
    }
  }
  if (url.startsWith('//')) {
    let delim = url.length
    for (const c of '/?#') {
      const w = url.indexOf(c, 2)
      if (w >= 0) delim = Math.min(delim, w)
    }
    netloc = url.slice(2, delim)
    url = url.slice(delim)
  }
  const hash = url.indexOf('#')
  if (hash >= 0) [url, fragment] = [url.slice(0, hash), url.slice(hash + 1)]
  const q = url.indexOf('?')
  if (q >= 0) [url, query] = [url.slice(0, q), url.slice(q + 1)]
  return { scheme, netloc, path: url, query, fragment }
}

function urlUnparse({ scheme, netloc, path, query, fragment }: ParsedUrl): string {
  let url = ''
  if (netloc || (scheme && path.startsWith('/'))) {
    if (path && !path.startsWith('/')) path = `/${path}`
    url = `//${netloc}${path}`
  } else if (path) url += path
  if (scheme) url = `${scheme}:${url}`
  if (query) url += `?${query}`
  if (fragment) url += `#${fragment}`
  return url
}

/** `werkzeug.urls.url_join`. */
export function urlJoin(base: string, url: string): string {
  if (!base) return url
  if (!url) return base
  const b = urlParse(base)
  const u = urlParse(url, b.scheme)
  if (u.scheme !== b.scheme) return url
  if (u.netloc) return urlUnparse(u)
  let segments: string[]
  let query = u.query
  if (u.path.startsWith('/')) segments = u.path.split('/')
  else if (!u.path) {
    segments = b.path.split('/')
    if (!query) query = b.query
  } else segments = [...b.path.split('/').slice(0, -1), ...u.path.split('/')]
  if (segments[segments.length - 1] === '.') segments[segments.length - 1] = ''
  segments = segments.filter((s) => s !== '.')
  for (;;) {
    let i = 1
    const n = segments.length - 1
    let removed = false
    while (i < n) {
      if (segments[i] === '..' && segments[i - 1] !== '' && segments[i - 1] !== '..') {
        segments.splice(i - 1, 2)
        removed = true
        break
      }
      i++
    }
    if (!removed) break
  }
  while (segments.length >= 2 && segments[0] === '' && segments[1] === '..') segments.splice(1, 1)
  return urlUnparse({
    scheme: b.scheme,
    netloc: b.netloc,
    path: segments.join('/'),
    query,
    fragment: u.fragment,
  })
}

// ---------------------------------------------------------------------------------------------
// The Hono router.

type Handler = MiddlewareHandler<{ Variables: RoutingVariables }>

interface Middleware<T> {
  method: string
  pattern: RegExp
  /** `*` or `/*`: every path, no test needed. */
  everyPath: boolean
  handler: T
}

/** The handlers bound to a rule, in registration order, each for one method or 'ALL'. */
type Binding<T> = { method: string; handler: T }[]

/** Hono's pattern for middleware paths: `*` is anything, a trailing `/*` also matches the bare prefix. */
function middlewarePattern(path: string): RegExp {
  const body = path
    .split('*')
    .map((piece) => piece.replace(/[\\^$.+?()[\]{}|]/g, '\\$&'))
    .join('.*')
  const trailing = /\/\.\*$/.test(body) ? `${body.slice(0, -3)}(?:|/.*)` : body
  return new RegExp(`^${trailing}$`)
}

function origin(requestUrl: string): string {
  const url = new URL(requestUrl)
  return `${url.protocol}//${url.host}`
}

function queryOf(requestUrl: string): string {
  return new URL(requestUrl).search
}

/** A param value such that Hono's `c.req.param()` (decodeURIComponent when '%' is there) gives it back exactly. */
function encodeParam(value: string): string {
  return value.replace(/%/g, '%25')
}

/**
 * Hono `Router` with Werkzeug 2.2's matching. `add` binds Flask rules (by rule text and method) to
 * the `RuleSpec`s of the URL map and collects middleware (`*` patterns); `match` returns the
 * middleware, then the chain of the rule Werkzeug picks, or a synthetic handler that throws
 * `NotFound` / `MethodNotAllowed` / `RequestRedirect` or answers an automatic OPTIONS.
 */
let lastUrlMap: UrlMap | null = null

/**
 * The URL map of the router made last: the app's (a service has one), for runtime modules that
 * build URLs of endpoints the project names in settings (Flask-Login's `login_view`).
 */
export function appUrlMap(): UrlMap | null {
  return lastUrlMap
}

/** What `c.var.routing` says for a match outcome. */
function routingInfoOf(outcome: MatchOutcome): RoutingInfo {
  if (outcome.kind === 'rule') {
    const { rule } = outcome
    return {
      endpoint: rule.endpoint,
      rule: rule.rule,
      viewArgs: outcome.viewArgs,
      blueprints: rule.spec.blueprints ?? [],
    }
  }
  const info: RoutingInfo = { endpoint: null, rule: null, viewArgs: null, blueprints: [] }
  info.failure = outcome.kind === 'redirectTo' ? 'redirect' : outcome.kind
  if ('endpoints' in outcome) info.failureEndpoints = outcome.endpoints
  return info
}

/**
 * The routing of a request by the app's router (the last made), as `c.var.routing` will say, for
 * a path as Hono hands it to the router (HEAD routed as GET, as Hono does); null before a router
 * exists. legacy.ts decides with it before the Hono app runs.
 */
export function routingFor(method: string, path: string): RoutingInfo | null {
  if (lastUrlMap === null) return null
  const upper = method.toUpperCase()
  return routingInfoOf(lastUrlMap.match(decodePathInfo(path), upper === 'HEAD' ? 'GET' : upper))
}

export class WerkzeugRouter<T> implements Router<T> {
  name = 'WerkzeugRouter'
  readonly urlMap: UrlMap
  private readonly middleware: Middleware<T>[] = []
  private readonly bindings = new Map<CompiledRule, Binding<T>>()
  /** `handlersFor`'s answers, by rule and method (cleared by `add`). */
  private readonly handlerCache = new Map<CompiledRule, Map<string, T[]>>()
  /** Rules made by `add` for paths with no spec, by path. */
  private readonly madeRules = new Map<string, CompiledRule>()

  constructor(urlMap: RuleSpec[], options: WerkzeugRouterOptions = {}) {
    this.urlMap = new UrlMap(urlMap, options)
    this.urlMap.setActive((rule) => this.bindings.has(rule) || rule.spec.redirectTo !== undefined)
    lastUrlMap = this.urlMap
  }

  add(method: string, path: string, handler: T): void {
    method = method.toUpperCase()
    if (path.includes('*')) {
      this.middleware.push({
        method,
        pattern: middlewarePattern(path),
        everyPath: path === '*' || path === '/*',
        handler,
      })
      return
    }
    const made = this.madeRules.get(path)
    const specified = this.urlMap.rules.filter(
      (r) =>
        r !== made &&
        r.rule === path &&
        (method === 'ALL' || r.methods === null || r.methods.has(method)),
    )
    // A specific method binds to the first rule Werkzeug would try for it; ALL (per-route
    // middleware) to every rule with that text.
    const targets =
      specified.length === 0
        ? [this.madeRule(method, path)]
        : method === 'ALL'
          ? specified
          : [specified[0]!]
    for (const rule of targets) {
      const binding = this.bindings.get(rule) ?? []
      binding.push({ method, handler })
      this.bindings.set(rule, binding)
    }
    this.handlerCache.clear()
    this.urlMap.invalidate()
  }

  /** A rule for a path added by hand: endpoint = path, methods grow with each add (ALL: any method). */
  private madeRule(method: string, path: string): CompiledRule {
    const existing = this.madeRules.get(path)
    if (existing !== undefined) {
      if (method === 'ALL') existing.methods = null
      else if (existing.methods !== null) {
        existing.methods.add(method)
        if (method === 'GET') existing.methods.add('HEAD')
        existing.methods.add('OPTIONS')
      }
      return existing
    }
    const spec: RuleSpec = {
      rule: path,
      endpoint: path,
      methods: method === 'ALL' ? [] : [method, 'OPTIONS'],
    }
    if (method === 'ALL') (spec as RuleSpec & { [ALL_METHODS]?: boolean })[ALL_METHODS] = true
    const rule = this.urlMap.addSpec(spec)
    this.madeRules.set(path, rule)
    return rule
  }

  match(method: string, path: string): Result<T> {
    method = method.toUpperCase()
    const pathInfo = decodePathInfo(path)
    const outcome = this.urlMap.match(pathInfo, method)
    const entry = (handler: Handler, routePath: string): T =>
      [handler, { basePath: '/', path: routePath, method, handler }] as unknown as T

    const info = routingInfoOf(outcome)
    let params: Params = {}
    let chain: T[]
    switch (outcome.kind) {
      case 'notFound':
        chain = [
          entry(() => {
            throw new NotFound()
          }, path),
        ]
        break
      case 'methodNotAllowed':
        chain = [
          entry(() => {
            throw new MethodNotAllowed(outcome.validMethods)
          }, path),
        ]
        break
      case 'redirect':
        chain = [
          entry((c) => {
            throw new RequestRedirect(
              `${origin(c.req.url)}/${outcome.path.replace(/^\/+/, '')}${outcome.keepQuery ? queryOf(c.req.url) : ''}`,
            )
          }, path),
        ]
        break
      case 'redirectTo':
        chain = [
          entry((c) => {
            throw new RequestRedirect(urlJoin(`${origin(c.req.url)}/`, outcome.target))
          }, path),
        ]
        break
      case 'error':
        chain = [
          entry(() => {
            throw outcome.error
          }, path),
        ]
        break
      case 'rule': {
        const { rule } = outcome
        params = Object.fromEntries(
          Object.entries(outcome.raw).map(([k, v]) => [k, encodeParam(v)]),
        )
        const binding = this.bindings.get(rule) ?? []
        const automaticOptions =
          rule.spec.provideAutomaticOptions ??
          (rule.methods?.has('OPTIONS') === true && !binding.some((b) => b.method === 'OPTIONS'))
        if (method === 'OPTIONS' && automaticOptions) {
          const allow = this.urlMap.allowedMethods(pathInfo)
          chain = [
            entry((c) => {
              // Flask's make_default_options_response: empty 200 with every method valid for the URL.
              c.res = new Response('', {
                status: 200,
                headers: { 'Content-Type': 'text/html; charset=utf-8', Allow: allow.join(', ') },
              })
              return Promise.resolve(c.res)
            }, rule.rule),
          ]
        } else {
          const found = this.handlersFor(rule, binding, method)
          // A rule picked for a method it has no view for (none registered): nothing to dispatch to.
          chain =
            found.length > 0
              ? found
              : [
                  entry(() => {
                    throw new NotFound()
                  }, rule.rule),
                ]
        }
        break
      }
    }
    const setRouting = entry((c, next) => {
      c.set('routing', info)
      return next()
    }, path)
    const matched: [T, Params][] = [[setRouting, params]]
    for (const m of this.middleware) {
      if ((m.method === 'ALL' || m.method === method) && (m.everyPath || m.pattern.test(path)))
        matched.push([m.handler, params])
    }
    for (const handler of chain) matched.push([handler, params])
    return [matched]
  }

  /** The handlers bound to `rule` for `method` (or ALL), in registration order; kept until the next `add`. */
  private handlersFor(rule: CompiledRule, binding: Binding<T>, method: string): T[] {
    let byMethod = this.handlerCache.get(rule)
    if (byMethod === undefined) this.handlerCache.set(rule, (byMethod = new Map()))
    let found = byMethod.get(method)
    if (found === undefined) {
      found = binding.filter((b) => b.method === method || b.method === 'ALL').map((b) => b.handler)
      byMethod.set(method, found)
    }
    return found
  }
}

// ---------------------------------------------------------------------------------------------
// url_for.

export interface UrlForOptions {
  /** `_external`; default: false in a request unless `scheme` is given, true outside one. */
  external?: boolean
  /** `_anchor`. */
  anchor?: string
  /** `_method`. */
  method?: string
  /** `_scheme` (needs `external`). */
  scheme?: string
  /** The request's host (`Host` header); default 'localhost'. */
  host?: string
  /** The request's scheme; default 'http'. */
  urlScheme?: string
  /** SCRIPT_NAME, without trailing slash; default ''. */
  scriptRoot?: string
  /** `request.blueprint`, for endpoints starting with '.'. */
  blueprint?: string | null
  /** Whether a request is active (default true). */
  inRequest?: boolean
  /** Map options when `urlMap` is a spec list. */
  mapOptions?: WerkzeugRouterOptions
}

const compiledMaps = new WeakMap<RuleSpec[], UrlMap>()

/**
 * Flask's `url_for(endpoint, **values)`: values that are not rule arguments go to the query
 * string; null / undefined values are dropped; throws `BuildError` when no rule fits.
 */
export function urlFor(
  urlMap: RuleSpec[] | UrlMap | WerkzeugRouter<unknown>,
  endpoint: string,
  values: Record<string, unknown> = {},
  options: UrlForOptions = {},
): string {
  let map: UrlMap
  if (urlMap instanceof WerkzeugRouter) map = urlMap.urlMap
  else if (urlMap instanceof UrlMap) map = urlMap
  else {
    let compiled = compiledMaps.get(urlMap)
    if (compiled === undefined) {
      compiled = new UrlMap(urlMap, options.mapOptions)
      compiledMaps.set(urlMap, compiled)
    }
    map = compiled
  }
  const inRequest = options.inRequest ?? true
  if (endpoint.startsWith('.')) {
    endpoint =
      inRequest && options.blueprint ? `${options.blueprint}${endpoint}` : endpoint.slice(1)
  }
  const external = options.external ?? (inRequest ? options.scheme !== undefined : true)
  if (options.scheme !== undefined && !external)
    throw new ValueError("When specifying '_scheme', '_external' must be True.")
  // The values without None (a copy: url_for's keywords are the caller's).
  const given: Record<string, unknown> = {}
  for (const key of Object.keys(values)) {
    const value = values[key]
    if (value === null || value === undefined) continue
    if (key === '__proto__')
      Object.defineProperty(given, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    else given[key] = value
  }
  const path = map.partialBuild(endpoint, given, options.method?.toUpperCase() ?? null)
  if (path === null) throw new BuildError(endpoint, given, options.method ?? null)
  const scriptRoot = options.scriptRoot ?? ''
  const scriptName = scriptRoot === '' ? '/' : `${scriptRoot.replace(/\/+$/, '')}/`
  let url: string
  // No script root and one leading slash (every rule starts with one): the path is the URL.
  if (!external && scriptName === '/' && path.charCodeAt(0) === 47 && path.charCodeAt(1) !== 47)
    url = path
  else if (!external) url = `${scriptName.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`
  else {
    const requested = options.scheme ?? options.urlScheme ?? 'http'
    const scheme = requested === 'https' || requested === 'wss' ? 'https' : 'http'
    url = `${scheme}://${options.host ?? 'localhost'}${scriptName.slice(0, -1)}/${path.replace(/^\/+/, '')}`
  }
  if (options.anchor !== undefined) url += `#${urlQuote(options.anchor)}`
  return url
}

/** Builds `urlFor`'s request options from a Hono context (host, scheme, blueprint of the matched rule). */
/**
 * `url_for(endpoint, key=value, **mapping)`'s values: the keywords, then each unpacked mapping's
 * items, with Python's TypeError for a key given twice. An option among a mapping's keys
 * (`_anchor`, …), which Flask would take as the option, is refused loudly.
 */
export function urlForValues(
  keywords: Record<string, unknown>,
  ...mappings: unknown[]
): Record<string, unknown> {
  const values: Record<string, unknown> = { ...keywords }
  for (const mapping of mappings) {
    // A dict of the runtime (py.ts's PyDict: router.ts stays without it).
    const items = (mapping as { items?: () => [unknown, unknown][] } | null)?.items
    if (typeof items !== 'function')
      throw new TypeError(`url_for() argument after ** must be a mapping, not ${typeof mapping}`)
    for (const [key, value] of items.call(mapping)) {
      if (typeof key !== 'string') throw new TypeError('keywords must be strings')
      if (Object.hasOwn(values, key))
        throw new TypeError(`url_for() got multiple values for keyword argument '${key}'`)
      if (['_anchor', '_method', '_scheme', '_external'].includes(key))
        throw new TypeError(
          `url_for(): the option ${key} given in an unpacked mapping is not carried over`,
        )
      values[key] = value
    }
  }
  return values
}

export function urlForContext(c: Context): Pick<UrlForOptions, 'host' | 'urlScheme' | 'blueprint'> {
  const url = new URL(c.req.url)
  const routing = (c.var as Partial<RoutingVariables>).routing
  const endpoint = routing?.endpoint ?? null
  const blueprint =
    endpoint !== null && endpoint.includes('.')
      ? endpoint.slice(0, endpoint.lastIndexOf('.'))
      : null
  return { host: url.host, urlScheme: url.protocol.replace(/:$/, ''), blueprint }
}
