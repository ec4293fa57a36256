/**
 * Flask's templates: `render_template` / `render_template_string` with Jinja2's semantics, on
 * Nunjucks (the maintained JavaScript engine closest to Jinja2: same tags, inheritance with
 * `super()`, macros with `caller`, includes that see the loop's variables) and a shim that closes
 * the differences that change output:
 *
 * - values print as Python's `str()` (`None`, `True`, `[1, 2]`, `2.0`), escaped as MarkupSafe
 *   escapes (`&#34;` and `&#39;`), an undefined value as '';
 * - autoescaping per template as Flask selects it (`.html`, `.htm`, `.xml`, `.xhtml`, and every
 *   `render_template_string`), `Markup` / `|safe` / `__html__` kept;
 * - operators, comparisons, `in`, truthiness (`[]`, `{}` and `''` are false) and `and`/`or` as
 *   Python's, on the runtime's Python values (py.ts); tuples, dict literals with Python keys, floats;
 * - `a.b` is Jinja's getattr-then-getitem and `a['b']` getitem-then-getattr, with str, list and
 *   dict methods; `for` over dicts, strings and iterables; `loop.cycle/previtem/nextitem/changed/depth`;
 * - `{% with %}`, `**kwargs` in calls and the implicit `kwargs` of macros, Jinja2's tests and
 *   the built-in filters with Jinja2 3.1's exact output;
 * - Jinja2's source handling: line endings normalized and one trailing newline dropped.
 *
 * What the shim does not carry over is refused by `checkTemplate` (the migration reports it with
 * the template's file and line), never rendered differently.
 */
import nunjucks from 'nunjucks'
import { readFileSync, statSync } from 'node:fs'
import { join, normalize, sep } from 'node:path'
import type { Context } from 'hono'
import * as py from './py.js'
import { currentContext, g as flaskG, request as flaskRequest, appConfigValue } from './flask.js'
import { flaskSession, getFlashedMessages } from './session.js'
import { urlFor, urlForContext, type RuleSpec, type UrlMap } from './router.js'
import { TypeError as PyTypeError, ValueError } from './exceptions.js'

// Nunjucks' compiler, parser and runtime are plain JavaScript objects the shim extends.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Js = any
const nj = nunjucks as Js
const runtime: Js = nj.runtime
const nodes: Js = nj.nodes
const lexer: Js = nj.lexer
const Compiler: Js = nj.compiler.Compiler
const Parser: Js = nj.parser.Parser
const SafeString: Js = runtime.SafeString

// ---------------------------------------------------------------------------------------------
// Markup and escaping (MarkupSafe 2.1)

/** A `Markup` string: output as is by autoescaping. */
export type Markup = { readonly val: string; toString(): string }

/** `Markup(text)`. */
export function markup(text: Py): Markup {
  return new SafeString(textOf(text)) as Markup
}

/** Whether a value is markup: a `Markup` / `|safe` string or an object with `__html__`. */
export function isMarkup(value: Py): boolean {
  return (
    value instanceof SafeString ||
    (value !== null && typeof value === 'object' && typeof value.__html__ === 'function')
  )
}

type Py = py.Py

/** `str(value)`, a Markup's text as is. */
function textOf(value: Py): string {
  if (value instanceof SafeString) return value.val
  if (value !== null && typeof value === 'object' && typeof value.__html__ === 'function')
    return String(value.__html__())
  return py.str(value)
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
}

/** MarkupSafe's `escape()`: a Markup, its argument unchanged when it already is one. */
export function escape(value: Py): Markup {
  if (isMarkup(value)) return value instanceof SafeString ? value : markup(value)
  return markup(py.str(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch]))
}

/** The text of a value as output: escaped when `autoescape`, unless it is Markup. */
function output(value: Py, autoescape: boolean): string {
  if (value === undefined) return ''
  if (value instanceof Undefined) return ''
  if (!autoescape || isMarkup(value)) return textOf(value)
  return escape(value).val
}

/** Jinja2's Undefined for what the context lacks; nunjucks uses `undefined` for it. */
class Undefined {}

// ---------------------------------------------------------------------------------------------
// Source: Jinja2's lexer normalizes line endings and drops one trailing newline.

const LINE_BREAK = /\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]/

/** Template source as Jinja2 reads it (`keep_trailing_newline=False`, `newline_sequence='\n'`). */
export function jinjaSource(source: string): string {
  const lines = source.split(LINE_BREAK)
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop()
  return lines.join('\n')
}

/** Flask's `select_jinja_autoescape`: on for these extensions, and for `render_template_string`. */
export function autoescapeFor(name: string | undefined | null): boolean {
  if (name === undefined || name === null) return true
  return ['.html', '.htm', '.xml', '.xhtml'].some((ext) => name.endsWith(ext))
}

// ---------------------------------------------------------------------------------------------
// Runtime helpers the compiled templates call.

function pyValue(value: Py): Py {
  return value instanceof Undefined ? undefined : value
}

function truthy(value: Py): boolean {
  if (value === undefined) return false
  if (value instanceof SafeString) return value.val.length > 0
  return py.truthy(value)
}

function strMethod(target: string, name: string, isSafe: boolean): Py {
  const method = py.strMethods[name]
  if (method === undefined) return undefined
  return (...args: Py[]) => {
    // Markup's methods escape their str arguments (MarkupSafe's _escape_argspec).
    const result = method(
      target,
      ...args.map((a) =>
        isSafe && (typeof a === 'string' || isMarkup(a))
          ? escape(a).val
          : a instanceof SafeString
            ? a.val
            : a,
      ),
    )
    return isSafe && typeof result === 'string' ? markup(result) : result
  }
}

/** Jinja2's UndefinedError: an attribute or item of an undefined value. */
export class UndefinedError extends Error {
  override name = 'UndefinedError'
}

function undefinedLookup(name: Py): never {
  throw new UndefinedError(
    `'Undefined' has no attribute ${py.repr(name instanceof SafeString ? name.val : name)}`,
  )
}

function attribute(obj: Py, name: Py): Py {
  if (obj === undefined) undefinedLookup(name)
  if (obj === null) return undefined
  if (typeof name !== 'string') return item(obj, name, false)
  if (obj instanceof SafeString) return strMethod(obj.val, name, true)
  if (typeof obj === 'string') return strMethod(obj, name, false)
  if (Array.isArray(obj)) {
    const method = py.listMethods[name]
    return method === undefined ? undefined : (...args: Py[]) => method(obj, ...args)
  }
  if (obj instanceof py.PyDict) {
    const method = py.dictMethods[name]
    if (method !== undefined) return (...args: Py[]) => method(obj, ...args)
    return obj.has(name) ? obj.get(name) : undefined
  }
  if (obj instanceof Map) return obj.has(name) ? obj.get(name) : undefined
  const value = obj[name]
  if (typeof value === 'function' && !isClass(value)) {
    // The method's markers (it binds keywords: py.takesKeywords) stay on the bound function.
    const bound = value.bind(obj)
    for (const marker of Object.getOwnPropertySymbols(value))
      Object.defineProperty(bound, marker, { value: value[marker] })
    return bound
  }
  if (value === undefined && typeof obj.__getattr__ === 'function') {
    try {
      return obj.__getattr__(name)
    } catch {
      return undefined
    }
  }
  return value
}

function isClass(value: Py): boolean {
  return typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value))
}

function item(obj: Py, key: Py, thenAttribute = true): Py {
  if (obj === undefined) undefinedLookup(key)
  if (obj === null) return undefined
  key = pyValue(key)
  if (key instanceof SafeString) key = key.val
  if (obj instanceof SafeString) obj = obj.val
  if (
    typeof obj === 'string' ||
    Array.isArray(obj) ||
    obj instanceof py.PyDict ||
    typeof obj.__getitem__ === 'function'
  ) {
    try {
      return py.getitem(obj, key)
    } catch {
      return thenAttribute && typeof key === 'string' ? attribute(obj, key) : undefined
    }
  }
  if (obj instanceof Map) return obj.get(key)
  // A MultiDict (`request.form['title']`): its KeyError makes Jinja2 try the attribute, then Undefined.
  if (typeof obj.getItem === 'function') {
    try {
      return obj.getItem(key)
    } catch {
      return thenAttribute && typeof key === 'string' ? attribute(obj, key) : undefined
    }
  }
  return typeof key === 'string' ? attribute(obj, key) : undefined
}

function slice(obj: Py, start: Py, stop: Py, step: Py): Py {
  const safe = obj instanceof SafeString
  const result = py.slice(
    safe ? obj.val : obj,
    pyValue(start) ?? null,
    pyValue(stop) ?? null,
    pyValue(step) ?? null,
  )
  return safe ? markup(result) : result
}

/** What `for` iterates: Python's iteration order of the value. */
function iterable(value: Py): Py[] {
  if (value === undefined || value instanceof Undefined) return []
  if (value instanceof SafeString) return [...value.val]
  return py.list(value)
}

/** Jinja2's `namespace()`: the one object `{% set ns.attr = ... %}` may change. */
class Namespace {
  [name: string]: Py
}

class KeywordSplat {
  constructor(readonly value: Py) {}
}

/** A call's keyword arguments as nunjucks passes them (a trailing object marked `__keywords`). */
function keywordArgs(obj: Record<string, Py>, ...splats: Py[]): Record<string, Py> {
  for (const splat of splats) {
    const value = pyValue(splat)
    if (value instanceof py.PyDict) for (const [k, v] of value.items()) obj[String(k)] = v
    else if (value !== undefined && value !== null)
      for (const [k, v] of Object.entries(value)) obj[k] = v
  }
  return runtime.makeKeywordArgs(obj)
}

function splitArguments(args: Py[]): { positional: Py[]; keywords: Map<string, Py> } {
  const last = args.length > 0 ? args[args.length - 1] : undefined
  if (last !== null && typeof last === 'object' && Object.hasOwn(last, '__keywords')) {
    const keywords = new Map<string, Py>()
    for (const [k, v] of Object.entries(last as Record<string, Py>))
      if (k !== '__keywords') keywords.set(k, v)
    return { positional: args.slice(0, -1), keywords }
  }
  return { positional: args, keywords: new Map() }
}

/** Functions that take nunjucks' keyword object themselves (macros, the shim's globals). */
const TEMPLATE_NATIVE = Symbol('templateNative')

function native<F extends (...args: Py[]) => Py>(fn: F): F {
  ;(fn as Py)[TEMPLATE_NATIVE] = true
  return fn
}

function call(fn: Py, name: string, context: Py, args: Py[]): Py {
  if (typeof fn !== 'function') {
    if (fn !== null && fn !== undefined && typeof fn.__call__ === 'function') {
      // A callable object of the runtime (a form field: `field(**kwargs)`) binds a trailing Keywords itself.
      const { positional, keywords } = splitArguments(args)
      const values = positional.map(pyValue)
      if (keywords.size > 0)
        values.push(py.keywords(...[...keywords].map(([k, v]): [string, Py] => [k, pyValue(v)])))
      return fn.__call__(...values)
    }
    throw new PyTypeError(
      fn === undefined ? `'${name}' is undefined` : `'${py.typeName(fn)}' object is not callable`,
    )
  }
  if (fn[TEMPLATE_NATIVE] || fn.name === 'macro') return fn.apply(context, args)
  const { positional, keywords } = splitArguments(args)
  const values = positional.map(pyValue)
  if (keywords.size === 0) return fn(...values)
  // Keywords reach a function that binds them by name; any other fails loudly rather than taking them by position.
  return py.callWithKeywords(
    fn,
    values,
    new py.Keywords([...keywords].map(([k, v]): [string, Py] => [k, pyValue(v)])),
  )
}

/** The macro's `kwargs`: the keyword arguments its signature does not name. */
function macroKwargs(kwargs: Record<string, Py>, names: string[]): py.PyDict {
  const rest = new py.PyDict()
  for (const [k, v] of Object.entries(kwargs))
    if (k !== '__keywords' && k !== 'caller' && !names.includes(k)) rest.set(k, v)
  return rest
}

function concat(autoescape: boolean, ...values: Py[]): Py {
  if (autoescape && values.some(isMarkup))
    return markup(values.map((v) => escape(pyValue(v) ?? '').val).join(''))
  return values.map((v) => (v === undefined ? '' : textOf(v))).join('')
}

function binary(op: string, a: Py, b: Py): Py {
  a = pyValue(a)
  b = pyValue(b)
  if (a instanceof SafeString && op === '%') return markup(py.mod(a.val, escapeArguments(b)))
  // Markup + str escapes the str (Markup.__add__ / __radd__); Markup * n stays Markup.
  if (op === '+' && (isMarkup(a) || isMarkup(b)) && isText(a) && isText(b))
    return markup(escape(a).val + escape(b).val)
  if (op === '*' && isMarkup(a)) return markup(py.mul(textOf(a), b))
  if (a instanceof SafeString) a = a.val
  if (b instanceof SafeString) b = b.val
  switch (op) {
    case '+':
      return py.add(a, b)
    case '-':
      return py.sub(a, b)
    case '*':
      return py.mul(a, b)
    case '/':
      return py.truediv(a, b)
    case '//':
      return py.floordiv(a, b)
    case '%':
      return py.mod(a, b)
    case '**':
      return py.pow(a, b)
  }
  throw new PyTypeError(`unknown operator ${op}`)
}

function isText(value: Py): boolean {
  return typeof value === 'string' || isMarkup(value)
}

function escapeArguments(args: Py): Py {
  if (Array.isArray(args))
    return py.isTuple(args)
      ? py.tuple(...args.map((a) => (typeof a === 'string' ? escape(a).val : a)))
      : escape(args).val
  return typeof args === 'string' ? escape(args).val : args
}

function compare(op: string, a: Py, b: Py): boolean {
  a = pyValue(a)
  b = pyValue(b)
  if (a instanceof SafeString) a = a.val
  if (b instanceof SafeString) b = b.val
  switch (op) {
    case '==':
      return a === undefined || b === undefined ? a === b : py.eq(a, b)
    case '!=':
      return a === undefined || b === undefined ? a !== b : !py.eq(a, b)
    case '<':
      return py.lt(a, b)
    case '>':
      return py.gt(a, b)
    case '<=':
      return py.le(a, b)
    case '>=':
      return py.ge(a, b)
  }
  throw new PyTypeError(`unknown comparison ${op}`)
}

function inOperator(needle: Py, haystack: Py): boolean {
  haystack = pyValue(haystack)
  if (haystack === undefined) return false
  if (haystack instanceof SafeString) haystack = haystack.val
  return py.contains(haystack, needle instanceof SafeString ? needle.val : pyValue(needle))
}

function negate(value: Py): Py {
  return py.neg(pyValue(value))
}

function floatLiteral(value: number): Py {
  return py.asFloat(value)
}

function loopCycle(index: number): Py {
  return native((...values: Py[]) => {
    const { positional } = splitArguments(values)
    if (positional.length === 0) throw new PyTypeError('no items for cycling given')
    return positional[index % positional.length]
  })
}

function loopChanged(state: { last: Py; set: boolean }): Py {
  return native((...values: Py[]) => {
    const key = py.tuple(...splitArguments(values).positional.map(pyValue))
    if (state.set && py.eq(state.last, key)) return false
    state.last = key
    state.set = true
    return true
  })
}

function withContext(context: Py, autoescape: boolean): Py {
  return { context, autoescape }
}

Object.assign(runtime, {
  suppressValue: (value: Py, autoescape: boolean) => output(value, autoescape),
  memberLookup: (obj: Py, name: Py) => item(obj, name),
  jinjaAttribute: (obj: Py, name: Py) =>
    attribute(obj, name) ?? (typeof name === 'string' ? item(obj, name, false) : undefined),
  jinjaItem: (obj: Py, key: Py) => item(obj, key),
  jinjaSlice: slice,
  fromIterator: iterable,
  callWrap: call,
  jinjaTruthy: truthy,
  jinjaConcat: concat,
  jinjaBinary: binary,
  jinjaCompare: compare,
  jinjaIn: inOperator,
  jinjaNeg: negate,
  jinjaFloat: floatLiteral,
  jinjaTuple: (...items: Py[]) => py.tuple(...items),
  jinjaDict: (...entries: [Py, Py][]) => new py.PyDict(entries),
  jinjaKeywordArgs: keywordArgs,
  jinjaSplat: (value: Py) => new KeywordSplat(value),
  jinjaMacroKwargs: macroKwargs,
  jinjaLoopCycle: loopCycle,
  jinjaLoopChanged: loopChanged,
  jinjaEvalContext: withContext,
  jinjaCaptured: (text: Py, autoescape: boolean) => (autoescape ? markup(text) : text),
  jinjaFreshIteration: (frame: Js, keep: string[]) => {
    for (const name of Object.keys(frame.variables))
      if (!keep.includes(name) && name !== 'loop') delete frame.variables[name]
  },
  jinjaUnpackAll: (value: Py, count: number) =>
    iterable(value).map((entry) =>
      py.unpack(entry instanceof SafeString ? entry.val : entry, count),
    ),
  jinjaSetAttribute: (obj: Py, name: Py, value: Py) => {
    if (!(obj instanceof Namespace))
      throw new PyTypeError('cannot assign attribute on non-namespace object')
    obj[name] = value
  },
  jinjaTest: (env: Js, name: string, value: Py, ...args: Py[]) => {
    const test = env.getTest(name)
    return test(value, ...args) === true
  },
})

// ---------------------------------------------------------------------------------------------
// Parser: Jinja2 syntax nunjucks lacks, and marks the compiler needs.

const With = nodes.Node.extend('With', { fields: ['targets', 'values', 'body'] })
const KwargsSplat = nodes.Node.extend('KwargsSplat', { fields: ['value'] })
const JinjaSlice = nodes.Node.extend('JinjaSlice', { fields: ['start', 'stop', 'step'] })

// A number nunjucks does not read (`1e3`, `1_000`) would be a variable name: refused.
const Tokenizer: Js = (lexer.lex('') as Js).constructor
const originalNextToken = Tokenizer.prototype.nextToken
Tokenizer.prototype.nextToken = function nextToken(this: Js): Js {
  const tok = originalNextToken.call(this)
  if (tok && tok.type === lexer.TOKEN_SYMBOL && /^[0-9]/.test(tok.value))
    throw new nj.lib.TemplateError(
      `the number literal \`${tok.value}\` is not supported`,
      tok.lineno + 1,
      tok.colno + 1,
    )
  return tok
}

const originalParseStatement = Parser.prototype.parseStatement
Parser.prototype.parseStatement = function parseStatement(this: Js): Js {
  const tok = this.peekToken()
  if (
    tok &&
    tok.type === lexer.TOKEN_SYMBOL &&
    tok.value === 'with' &&
    !(this.breakOnBlocks ?? []).includes('with')
  ) {
    this.nextToken()
    const targets: Js[] = []
    const values: Js[] = []
    while (!this.skip(lexer.TOKEN_BLOCK_END)) {
      if (targets.length > 0 && !this.skip(lexer.TOKEN_COMMA))
        this.fail('with: expected comma', tok.lineno, tok.colno)
      const target = this.parsePrimary(true)
      if (!(target instanceof nodes.Symbol))
        this.fail('with: expected a name', tok.lineno, tok.colno)
      if (!this.skipValue(lexer.TOKEN_OPERATOR, '='))
        this.fail('with: expected =', tok.lineno, tok.colno)
      targets.push(target)
      values.push(this.parseExpression())
    }
    const body = this.parseUntilBlocks('endwith')
    this.advanceAfterBlockEnd()
    return new With(tok.lineno, tok.colno, targets, values, body)
  }
  // Tags Jinja2 does not have: nunjucks would accept them where Jinja2 fails.
  if (
    tok &&
    tok.type === lexer.TOKEN_SYMBOL &&
    ['switch', 'verbatim', 'ifAsync', 'asyncEach', 'asyncAll'].includes(tok.value)
  )
    this.fail(`unknown tag '${tok.value}'`, tok.lineno, tok.colno)
  return originalParseStatement.call(this)
}

// `a.b` is Jinja2's getattr, `a[b]` its getitem, `a[1:2]` a slice.
Parser.prototype.parsePostfix = function parsePostfix(this: Js, node: Js): Js {
  let tok = this.peekToken()
  while (tok) {
    if (tok.type === lexer.TOKEN_LEFT_PAREN) {
      node = new nodes.FunCall(tok.lineno, tok.colno, node, this.parseSignature())
    } else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
      this.nextToken()
      const parts: (Js | null)[] = [null]
      let colons = 0
      while (!this.skip(lexer.TOKEN_RIGHT_BRACKET)) {
        if (this.skip(lexer.TOKEN_COLON)) {
          colons++
          parts.push(null)
          if (colons > 2) this.fail('invalid slice', tok.lineno, tok.colno)
        } else {
          if (parts[parts.length - 1] !== null) this.fail('invalid index', tok.lineno, tok.colno)
          parts[parts.length - 1] = this.parseExpression()
        }
      }
      if (colons === 0) {
        if (parts[0] === null) this.fail('invalid index', tok.lineno, tok.colno)
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, parts[0])
      } else {
        const none = () => new nodes.Literal(tok.lineno, tok.colno, null)
        node = new nodes.LookupVal(
          tok.lineno,
          tok.colno,
          node,
          new JinjaSlice(
            tok.lineno,
            tok.colno,
            parts[0] ?? none(),
            parts[1] ?? none(),
            parts[2] ?? none(),
          ),
        )
      }
    } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '.') {
      this.nextToken()
      const val = this.nextToken()
      if (val.type !== lexer.TOKEN_SYMBOL && val.type !== lexer.TOKEN_INT)
        this.fail('expected name as lookup value, got ' + val.value, val.lineno, val.colno)
      const key = new nodes.Literal(
        val.lineno,
        val.colno,
        val.type === lexer.TOKEN_INT ? parseInt(val.value, 10) : val.value,
      )
      node = new nodes.LookupVal(tok.lineno, tok.colno, node, key)
      node.isAttribute = true
    } else {
      break
    }
    tok = this.peekToken()
  }
  return node
}

// `**kwargs` in a call.
const originalParseSignature = Parser.prototype.parseSignature
Parser.prototype.parseSignature = function parseSignature(
  this: Js,
  tolerant: boolean,
  noParens: boolean,
): Js {
  const originalParseExpression = this.parseExpression
  const splats: Js[] = []
  this.parseExpression = function parseArgument(this: Js): Js {
    const tok = this.peekToken()
    if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '**') {
      this.nextToken()
      const splat = new KwargsSplat(tok.lineno, tok.colno, originalParseExpression.call(this))
      splats.push(splat)
      return splat
    }
    if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '*')
      this.fail('`*args` in a call is not supported', tok.lineno, tok.colno)
    return originalParseExpression.call(this)
  }
  let args: Js
  try {
    args = originalParseSignature.call(this, tolerant, noParens)
  } finally {
    this.parseExpression = originalParseExpression
  }
  if (args && splats.length > 0) {
    args.children = args.children.filter((child: Js) => !(child instanceof KwargsSplat))
    let keywords = args.children.find((child: Js) => child instanceof nodes.KeywordArgs)
    if (!keywords) {
      keywords = new nodes.KeywordArgs(args.lineno, args.colno)
      args.addChild(keywords)
    }
    keywords.splats = splats
  }
  return args
}

// A float literal stays a float (`{{ 2.0 }}` prints 2.0).
const originalParsePrimary = Parser.prototype.parsePrimary
Parser.prototype.parsePrimary = function parsePrimary(this: Js, noPostfix: boolean): Js {
  const tok = this.peekToken()
  const node = originalParsePrimary.call(this, noPostfix)
  if (tok && tok.type === lexer.TOKEN_FLOAT && node instanceof nodes.Literal) node.isFloat = true
  // Jinja2 spells the constants both ways.
  if (tok && tok.type === lexer.TOKEN_SYMBOL && node instanceof nodes.Symbol) {
    if (tok.value === 'True') return new nodes.Literal(tok.lineno, tok.colno, true)
    if (tok.value === 'False') return new nodes.Literal(tok.lineno, tok.colno, false)
    if (tok.value === 'None') return new nodes.Literal(tok.lineno, tok.colno, null)
  }
  return node
}

// `{% set a, b = ... %}` unpacks in Jinja2 and assigns each in nunjucks; `{% for x in y if c %}` and `recursive`.
const originalParseSet = Parser.prototype.parseSet
Parser.prototype.parseSet = function parseSet(this: Js): Js {
  const node = originalParseSet.call(this)
  if (node.targets.length > 1)
    this.fail('`set` with several targets is not supported', node.lineno, node.colno)
  return node
}

// `{% for x in items if cond %}` is a loop filter in Jinja2; nunjucks reads `items if cond` as a conditional expression.
const originalParseFor = Parser.prototype.parseFor
Parser.prototype.parseFor = function parseFor(this: Js): Js {
  const node = originalParseFor.call(this)
  if (node.arr instanceof nodes.InlineIf)
    this.fail('a loop filter (`for ... if ...`) is not supported', node.arr.lineno, node.arr.colno)
  return node
}

// ---------------------------------------------------------------------------------------------
// Compiler: Python semantics.

const COMPARE_OPS: Record<string, string> = {
  '==': '==',
  '===': '==',
  '!=': '!=',
  '!==': '!=',
  '<': '<',
  '>': '>',
  '<=': '<=',
  '>=': '>=',
}

function autoescapeOf(compiler: Js): boolean {
  return autoescapeFor(
    compiler.templateName === 'render_template_string' ? undefined : compiler.templateName,
  )
}

Object.assign(Compiler.prototype, {
  compileOutput(this: Js, node: Js, frame: Js): void {
    const autoescape = autoescapeOf(this)
    for (const child of node.children) {
      if (child instanceof nodes.TemplateData) {
        if (child.value) {
          this._emit(`${this.buffer} += `)
          this.compileLiteral(child, frame)
          this._emitLine(';')
        }
      } else {
        this._emit(`${this.buffer} += runtime.suppressValue(`)
        this.compile(child, frame)
        this._emit(`, ${autoescape});\n`)
      }
    }
  },
  compileLiteral(this: Js, node: Js): void {
    if (typeof node.value === 'string')
      this._emit(
        JSON.stringify(node.value)
          .replace(/\u2028/g, '\\u2028')
          .replace(/\u2029/g, '\\u2029'),
      )
    else if (node.value === null) this._emit('null')
    else if (node.isFloat) this._emit(`runtime.jinjaFloat(${node.value})`)
    else this._emit(String(node.value))
  },
  compileGroup(this: Js, node: Js, frame: Js): void {
    if (node.children.length === 1) this._compileAggregate(node, frame, '(', ')')
    else this._compileAggregate(node, frame, 'runtime.jinjaTuple(', ')')
  },
  compileDict(this: Js, node: Js, frame: Js): void {
    this._emit('runtime.jinjaDict(')
    node.children.forEach((pair: Js, i: number) => {
      if (i > 0) this._emit(', ')
      this._emit('[')
      this._compileExpression(pair.key, frame)
      this._emit(', ')
      this._compileExpression(pair.value, frame)
      this._emit(']')
    })
    this._emit(')')
  },
  compileKeywordArgs(this: Js, node: Js, frame: Js): void {
    this._emit('runtime.jinjaKeywordArgs({')
    node.children.forEach((pair: Js, i: number) => {
      if (i > 0) this._emit(', ')
      this._emit(`${JSON.stringify(pair.key.value)}: `)
      this._compileExpression(pair.value, frame)
    })
    this._emit('}')
    for (const splat of node.splats ?? []) {
      this._emit(', ')
      this._compileExpression(splat.value, frame)
    }
    this._emit(')')
  },
  compileInlineIf(this: Js, node: Js, frame: Js): void {
    this._emit('(runtime.jinjaTruthy(')
    this.compile(node.cond, frame)
    this._emit(') ? ')
    this.compile(node.body, frame)
    this._emit(' : ')
    if (node.else_ !== null) this.compile(node.else_, frame)
    else this._emit('undefined')
    this._emit(')')
  },
  compileIn(this: Js, node: Js, frame: Js): void {
    this._emit('runtime.jinjaIn(')
    this.compile(node.left, frame)
    this._emit(', ')
    this.compile(node.right, frame)
    this._emit(')')
  },
  compileIs(this: Js, node: Js, frame: Js): void {
    const right = node.right
    let name: string
    let args: Js = null
    if (right instanceof nodes.FunCall) {
      name = right.name.value
      args = right.args
    } else if (right instanceof nodes.Literal)
      name = right.value === null ? 'none' : String(right.value)
    else name = right.value
    this._emit(`runtime.jinjaTest(env, ${JSON.stringify(name)}, `)
    this.compile(node.left, frame)
    if (args)
      for (const arg of args.children) {
        this._emit(', ')
        this.compile(arg, frame)
      }
    this._emit(')')
  },
  compileOr(this: Js, node: Js, frame: Js): void {
    this._emit('((t) => runtime.jinjaTruthy(t) ? t : (')
    this.compile(node.right, frame)
    this._emit('))(')
    this.compile(node.left, frame)
    this._emit(')')
  },
  compileAnd(this: Js, node: Js, frame: Js): void {
    this._emit('((t) => !runtime.jinjaTruthy(t) ? t : (')
    this.compile(node.right, frame)
    this._emit('))(')
    this.compile(node.left, frame)
    this._emit(')')
  },
  compileNot(this: Js, node: Js, frame: Js): void {
    this._emit('!runtime.jinjaTruthy(')
    this.compile(node.target, frame)
    this._emit(')')
  },
  compileConcat(this: Js, node: Js, frame: Js): void {
    this._emit(`runtime.jinjaConcat(${autoescapeOf(this)}, `)
    this.compile(node.left, frame)
    this._emit(', ')
    this.compile(node.right, frame)
    this._emit(')')
  },
  compileNeg(this: Js, node: Js, frame: Js): void {
    this._emit('runtime.jinjaNeg(')
    this.compile(node.target, frame)
    this._emit(')')
  },
  compilePos(this: Js, node: Js, frame: Js): void {
    this.compile(node.target, frame)
  },
  compileCompare(this: Js, node: Js, frame: Js): void {
    // a < b < c is a < b and b < c, as in Python (each operand evaluated once).
    this._emit(
      '((ops) => { let left = ops[0]; for (let i = 1; i < ops.length; i += 2) { if (!runtime.jinjaCompare(ops[i], left, ops[i + 1])) return false; left = ops[i + 1] } return true })([',
    )
    this.compile(node.expr, frame)
    for (const op of node.ops) {
      const symbol = COMPARE_OPS[op.type]
      if (symbol === undefined)
        this.fail(`unsupported comparison ${op.type}`, node.lineno, node.colno)
      this._emit(`, ${JSON.stringify(symbol)}, `)
      this.compile(op.expr, frame)
    }
    this._emit('])')
  },
  compileLookupVal(this: Js, node: Js, frame: Js): void {
    if (node.val instanceof JinjaSlice) {
      this._emit('runtime.jinjaSlice((')
      this._compileExpression(node.target, frame)
      for (const part of [node.val.start, node.val.stop, node.val.step]) {
        this._emit('), (')
        this._compileExpression(part, frame)
      }
      this._emit('))')
      return
    }
    this._emit(node.isAttribute ? 'runtime.jinjaAttribute((' : 'runtime.jinjaItem((')
    this._compileExpression(node.target, frame)
    this._emit('),')
    this._compileExpression(node.val, frame)
    this._emit(')')
  },
  compileFilter(this: Js, node: Js, frame: Js): void {
    this.assertType(node.name, nodes.Symbol)
    this._emit(
      `env.getFilter(${JSON.stringify(node.name.value)}).call(runtime.jinjaEvalContext(context, ${autoescapeOf(this)}), `,
    )
    this._compileAggregate(node.args, frame)
    this._emit(')')
  },
  compileSet(this: Js, node: Js, frame: Js): void {
    const target = node.targets[0]
    const valueId = this._tmpid()
    this._emit(`var ${valueId} = `)
    if (node.value) this._compileExpression(node.value, frame)
    else this.compile(node.body, frame)
    this._emitLine(';')
    if (target instanceof nodes.LookupVal) {
      // {% set ns.attr = value %}: only on a namespace(), as in Jinja2.
      this._emit('runtime.jinjaSetAttribute(')
      this._compileExpression(target.target, frame)
      this._emit(', ')
      this._compileExpression(target.val, frame)
      this._emitLine(`, ${valueId});`)
      return
    }
    const name: string = target.value
    let id = frame.lookup(name)
    if (id === null || id === undefined) {
      id = this._tmpid()
      this._emitLine(`var ${id};`)
    }
    this._emitLine(`${id} = ${valueId};`)
    // In the current scope (a loop's, a macro's, a with's), as Jinja2 scopes assignments.
    this._emitLine(`frame.set(${JSON.stringify(name)}, ${id});`)
    this._emitLine('if(frame.topLevel) {')
    this._emitLine(`context.setVariable(${JSON.stringify(name)}, ${id});`)
    if (name.charAt(0) !== '_') this._emitLine(`context.addExport(${JSON.stringify(name)}, ${id});`)
    this._emitLine('}')
  },
  compileWith(this: Js, node: Js, frame: Js): void {
    const ids = node.values.map(() => this._tmpid())
    node.values.forEach((value: Js, i: number) => {
      this._emit(`var ${ids[i]} = `)
      this._compileExpression(value, frame)
      this._emitLine(';')
    })
    frame = frame.push()
    this._emitLine('frame = frame.push();')
    node.targets.forEach((target: Js, i: number) => {
      this._emitLine(`frame.set(${JSON.stringify(target.value)}, ${ids[i]});`)
      frame.set(target.value, ids[i])
    })
    this.compile(node.body, frame)
    this._emitLine('frame = frame.pop();')
  },
  compileJinjaSlice(this: Js, node: Js): void {
    this.fail('a slice outside a subscript', node.lineno, node.colno)
  },
  compileKwargsSplat(this: Js, node: Js): void {
    this.fail('`**` outside a call', node.lineno, node.colno)
  },
})

for (const [name, op] of Object.entries({
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  FloorDiv: '//',
  Mod: '%',
  Pow: '**',
})) {
  Compiler.prototype[`compile${name}`] = function compileBinary(
    this: Js,
    node: Js,
    frame: Js,
  ): void {
    this._emit(`runtime.jinjaBinary(${JSON.stringify(op)}, `)
    this.compile(node.left, frame)
    this._emit(', ')
    this.compile(node.right, frame)
    this._emit(')')
  }
}

// A captured body (`{% set x %}…{% endset %}`, `{% filter f %}…{% endfilter %}`) is Markup when autoescaping, as in Jinja2.
const originalCompileCapture = Compiler.prototype.compileCapture
Compiler.prototype.compileCapture = function compileCapture(this: Js, node: Js, frame: Js): void {
  this._emit('runtime.jinjaCaptured(')
  originalCompileCapture.call(this, node, frame)
  this._emit(`, ${autoescapeOf(this)})`)
}

// `if` and `elif` test Python's truthiness.
const originalCompileIf = Compiler.prototype.compileIf
Compiler.prototype.compileIf = function compileIf(
  this: Js,
  node: Js,
  frame: Js,
  async: boolean,
): void {
  const cond = node.cond
  node.cond = new nodes.FunCall(
    cond.lineno,
    cond.colno,
    new TruthyMarker(cond.lineno, cond.colno),
    new nodes.NodeList(cond.lineno, cond.colno, [cond]),
  )
  try {
    originalCompileIf.call(this, node, frame, async)
  } finally {
    node.cond = cond
  }
}
const TruthyMarker = nodes.Node.extend('TruthyMarker', { fields: [] })
const UnpackMarker = nodes.Node.extend('UnpackMarker', { fields: ['count'] })

// `for a, b in items` unpacks each item as Python does (a ValueError when the counts differ).
const originalCompileFor = Compiler.prototype.compileFor
Compiler.prototype.compileFor = function compileFor(this: Js, node: Js, frame: Js): void {
  if (!(node.name instanceof nodes.Array)) return originalCompileFor.call(this, node, frame)
  const arr = node.arr
  node.arr = new nodes.FunCall(
    arr.lineno,
    arr.colno,
    new UnpackMarker(arr.lineno, arr.colno, node.name.children.length),
    new nodes.NodeList(arr.lineno, arr.colno, [arr]),
  )
  try {
    originalCompileFor.call(this, node, frame)
  } finally {
    node.arr = arr
  }
}
const originalCompileFunCall = Compiler.prototype.compileFunCall
Compiler.prototype.compileFunCall = function compileFunCall(this: Js, node: Js, frame: Js): void {
  if (node.name instanceof TruthyMarker) {
    this._emit('runtime.jinjaTruthy(')
    this.compile(node.args.children[0], frame)
    this._emit(')')
    return
  }
  if (node.name instanceof UnpackMarker) {
    this._emit('runtime.jinjaUnpackAll(')
    this.compile(node.args.children[0], frame)
    this._emit(`, ${Number(node.name.count)})`)
    return
  }
  originalCompileFunCall.call(this, node, frame)
}

// More of `loop`: Jinja2's cycle, previtem, nextitem, changed, depth.
const originalLoopBindings = Compiler.prototype._emitLoopBindings
Compiler.prototype._emitLoopBindings = function emitLoopBindings(
  this: Js,
  node: Js,
  arr: string,
  i: string,
  len: string,
): void {
  // Each iteration starts from the loop's own names: what `set` assigned in the last one is gone, as in Jinja2.
  const names =
    node.name instanceof nodes.Array
      ? node.name.children.map((child: Js) => child.value)
      : [node.name.value]
  this._emitLine(`runtime.jinjaFreshIteration(frame, ${JSON.stringify(names)});`)
  originalLoopBindings.call(this, node, arr, i, len)
  const changed = this._tmpid()
  this._emitLine(`if (${i} === 0) var ${changed} = { last: undefined, set: false };`)
  this._emitLine(`frame.set("loop.cycle", runtime.jinjaLoopCycle(${i}));`)
  this._emitLine(`frame.set("loop.changed", runtime.jinjaLoopChanged(${changed}));`)
  this._emitLine(`frame.set("loop.previtem", ${i} > 0 ? ${arr}[${i} - 1] : undefined);`)
  this._emitLine(`frame.set("loop.nextitem", ${i} < ${len} - 1 ? ${arr}[${i} + 1] : undefined);`)
  this._emitLine('frame.set("loop.depth", 1);')
  this._emitLine('frame.set("loop.depth0", 0);')
}

// A macro's `kwargs`: the keyword arguments its signature does not name.
const originalCompileMacro = Compiler.prototype._compileMacro
Compiler.prototype._compileMacro = function compileMacro(this: Js, node: Js, frame: Js): string {
  const names: string[] = []
  for (const arg of node.args.children) {
    if (arg instanceof nodes.Dict || arg instanceof nodes.KeywordArgs)
      for (const pair of arg.children) names.push(pair.key.value)
    else names.push(arg.value)
  }
  const emitLines = this._emitLines
  this._emitLines = function emitMacroLines(this: Js, ...lines: string[]): void {
    emitLines.apply(this, lines)
    if (lines[lines.length - 1] === 'frame.set("caller", kwargs.caller); }')
      this._emitLine(
        `frame.set("kwargs", runtime.jinjaMacroKwargs(kwargs, ${JSON.stringify(names)}));`,
      )
  }
  try {
    return originalCompileMacro.call(this, node, frame)
  } finally {
    this._emitLines = emitLines
  }
}

// ---------------------------------------------------------------------------------------------
// Filters and tests (Jinja2 3.1).

interface EvalContext {
  autoescape: boolean
}

/** Binds a filter's arguments as Python binds `def f(value, a=..., b=...)`. */
function bind(name: string, args: Py[], params: [string, Py][]): Py[] {
  const { positional, keywords } = splitArguments(args)
  if (positional.length > params.length)
    throw new PyTypeError(`${name}() takes ${params.length + 1} positional arguments`)
  const values = params.map(([, fallback], i) =>
    i < positional.length ? pyValue(positional[i]) : fallback,
  )
  for (const [key, value] of keywords) {
    const i = params.findIndex(([param]) => param === key)
    if (i < 0) throw new PyTypeError(`${name}() got an unexpected keyword argument '${key}'`)
    values[i] = pyValue(value)
  }
  return values
}

const MISSING = Symbol('missing')

function softStr(value: Py): Py {
  return isMarkup(value)
    ? value instanceof SafeString
      ? value
      : markup(value)
    : py.str(pyValue(value))
}

function keepSafeness(source: Py, text: string): Py {
  return isMarkup(source) ? markup(text) : text
}

function attrGetter(
  attribute: Py,
  postprocess: ((v: Py) => Py) | null = null,
  fallback: Py = MISSING,
): (item: Py) => Py {
  const parts =
    typeof attribute === 'string'
      ? attribute.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p))
      : [attribute]
  return (value: Py) => {
    for (const part of parts) {
      value = item(value, part)
      if (value === undefined && fallback !== MISSING) {
        value = fallback
        break
      }
    }
    return postprocess ? postprocess(value) : value
  }
}

function ignoreCase(value: Py): Py {
  return typeof value === 'string'
    ? value.toLowerCase()
    : value instanceof SafeString
      ? value.val.toLowerCase()
      : value
}

function wordBeginnings(text: string): string {
  return text
    .split(/([-\s({[<]+)/u)
    .filter((part) => part.length > 0)
    .map((part) => [...part][0].toUpperCase() + [...part].slice(1).join('').toLowerCase())
    .join('')
}

function unescapeHtml(text: string): string {
  const named: Record<string, string> = {
    amp: '&',
    lt: '<',
    gt: '>',
    quot: '"',
    apos: "'",
    nbsp: '\u00a0',
    laquo: '«',
    raquo: '»',
    middot: '·',
    ndash: '–',
    mdash: '—',
    hellip: '…',
    copy: '©',
  }
  return text.replace(
    /&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);/g,
    (whole, ref: string) => {
      if (ref[0] === '#') {
        const code =
          ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
        return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole
      }
      return named[ref] ?? whole
    },
  )
}

function htmlSafeJson(value: Py, indent: Py): Markup {
  const text = py.jsonDumpsPy(value, indent ?? null, true)
  return markup(
    text
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/'/g, '\\u0027'),
  )
}

function urlQuote(text: string, safe: string): string {
  const bytes = new TextEncoder().encode(text)
  let out = ''
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte)
    if (/[A-Za-z0-9_.\-~]/.test(ch) || safe.includes(ch)) out += ch
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0')
  }
  return out
}

function selectOrReject(
  context: EvalContext,
  args: Py[],
  select: boolean,
  byAttribute: boolean,
): Py[] {
  const { positional, keywords } = splitArguments(args)
  const [seq, ...rest] = positional.map(pyValue)
  let transform: (v: Py) => Py = (v) => v
  let testArgs = rest
  if (byAttribute) {
    transform = attrGetter(rest[0])
    testArgs = rest.slice(1)
  }
  let test: (v: Py) => boolean
  if (testArgs.length === 0) test = truthy
  else {
    const fn = testsTable[testArgs[0]]
    if (fn === undefined) throw new PyTypeError(`No test named '${testArgs[0]}'.`)
    test = (v) => fn(v, ...testArgs.slice(1)) === true
  }
  void keywords
  void context
  return iterable(seq).filter((v) => test(transform(v)) === select)
}

function filter(
  params: [string, Py][],
  fn: (this: EvalContext, value: Py, ...args: Py[]) => Py,
  name = '',
): (...args: Py[]) => Py {
  return function jinjaFilter(this: EvalContext, value: Py, ...args: Py[]): Py {
    return fn.call(this, pyValue(value), ...bind(name, args, params))
  }
}

function pyRound(value: Py, precision: Py, method: Py): Py {
  if (!['common', 'ceil', 'floor'].includes(method))
    throw new PyTypeError('method must be common, ceil or floor')
  if (method === 'common') return py.asFloat(Number(py.round(py.asFloat(Number(value)), precision)))
  const factor = 10 ** precision
  const f = method === 'ceil' ? Math.ceil : Math.floor
  return py.asFloat(f(Number(value) * factor) / factor)
}

const filtersTable: Record<string, (this: EvalContext, ...args: Py[]) => Py> = {
  abs: filter([], (v) => py.abs(v)),
  attr: filter([['name', undefined]], (v, name) => attribute(v, name)),
  batch: filter(
    [
      ['linecount', undefined],
      ['fill_with', null],
    ],
    (v, count, fill) => {
      const out: Py[][] = []
      let tmp: Py[] = []
      for (const x of iterable(v)) {
        if (tmp.length === count) {
          out.push(tmp)
          tmp = []
        }
        tmp.push(x)
      }
      if (tmp.length > 0) {
        if (fill !== null && tmp.length < count) while (tmp.length < count) tmp.push(fill)
        out.push(tmp)
      }
      return out
    },
  ),
  capitalize: filter([], (v) => {
    const s = softStr(v)
    return keepSafeness(s, py.strMethods.capitalize(textOf(s)))
  }),
  center: filter([['width', 80]], (v, width) => py.strMethods.center(textOf(v), width)),
  default: filter(
    [
      ['default_value', ''],
      ['boolean', false],
    ],
    (v, fallback, boolean) => (v === undefined || (boolean && !truthy(v)) ? fallback : v),
  ),
  dictsort: filter(
    [
      ['case_sensitive', false],
      ['by', 'key'],
      ['reverse', false],
    ],
    (v, caseSensitive, by, reverse) => {
      const pos = by === 'key' ? 0 : by === 'value' ? 1 : null
      if (pos === null) throw new ValueError("You can only sort by either 'key' or 'value'")
      return py.sorted(
        py.mappingItems(v).map(([a, b]) => py.tuple(a, b)),
        (entry: Py) => (caseSensitive ? entry[pos] : ignoreCase(entry[pos])),
        reverse,
      )
    },
  ),
  escape: filter([], (v) => escape(v)),
  filesizeformat: filter([['binary', false]], (v, binary) => {
    const bytes = py.float(v)
    const base = binary ? 1024 : 1000
    const prefixes = binary
      ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB']
      : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB']
    if (bytes === 1) return '1 Byte'
    if (bytes < base) return `${Math.trunc(bytes)} Bytes`
    let unit = base
    for (const prefix of prefixes) {
      unit = unit * base
      if (bytes < unit) return `${py.format(py.asFloat((base * bytes) / unit), '.1f')} ${prefix}`
    }
    return `${py.format(py.asFloat((base * bytes) / unit), '.1f')} ${prefixes[prefixes.length - 1]}`
  }),
  first: filter([], (v) => {
    const items = iterable(v)
    return items.length > 0 ? items[0] : undefined
  }),
  float: filter([['default', 0.0]], (v, fallback) => {
    try {
      return py.toFloat(v instanceof SafeString ? v.val : v)
    } catch {
      return py.asFloat(fallback)
    }
  }),
  forceescape: filter([], (v) => escape(textOf(v))),
  format: function (this: EvalContext, value: Py, ...args: Py[]): Py {
    const { positional, keywords } = splitArguments(args)
    if (positional.length > 0 && keywords.size > 0)
      throw new PyTypeError("can't handle positional and keyword arguments at the same time")
    const fmt = softStr(pyValue(value))
    const operand =
      keywords.size > 0 ? new py.PyDict([...keywords]) : py.tuple(...positional.map(pyValue))
    return binary('%', fmt, operand)
  },
  groupby: filter(
    [
      ['attribute', undefined],
      ['default', null],
      ['case_sensitive', false],
    ],
    (v, attr, fallback, caseSensitive) => {
      const key = attrGetter(
        attr,
        caseSensitive ? null : ignoreCase,
        fallback === null ? MISSING : fallback,
      )
      const sortedItems = py.sorted(iterable(v), key)
      const groups: { grouper: Py; list: Py[] }[] = []
      for (const x of sortedItems) {
        const k = key(x)
        const last = groups[groups.length - 1]
        if (last !== undefined && py.eq(last.grouper, k)) last.list.push(x)
        else groups.push({ grouper: k, list: [x] })
      }
      if (!caseSensitive) {
        const output = attrGetter(attr, null, fallback === null ? MISSING : fallback)
        for (const group of groups) group.grouper = output(group.list[0])
      }
      return groups.map((group) => groupTuple(group.grouper, group.list))
    },
  ),
  indent: filter(
    [
      ['width', 4],
      ['first', false],
      ['blank', false],
    ],
    (v, width, first, blank) => {
      const indention = typeof width === 'string' ? width : ' '.repeat(width)
      const s = textOf(softStr(v)) + '\n'
      const lines = py.strMethods.splitlines(s) as string[]
      let rv: string
      if (blank) rv = lines.join('\n' + indention)
      else {
        rv = lines.shift() ?? ''
        if (lines.length > 0)
          rv += '\n' + lines.map((line) => (line ? indention + line : line)).join('\n')
      }
      if (first) rv = indention + rv
      return keepSafeness(v, rv)
    },
  ),
  int: filter(
    [
      ['default', 0],
      ['base', 10],
    ],
    (v, fallback, base) => {
      if (typeof v === 'string' || v instanceof SafeString) {
        let text = textOf(v)
        const prefix = (
          { 16: /^(\s*[-+]?)0[xX]/, 8: /^(\s*[-+]?)0[oO]/, 2: /^(\s*[-+]?)0[bB]/ } as Record<
            number,
            RegExp
          >
        )[base]
        if (prefix !== undefined) text = text.replace(prefix, '$1')
        try {
          return base !== 10 ? py.int(text, base) : py.int(text)
        } catch {
          try {
            return py.int(py.float(text))
          } catch {
            return fallback
          }
        }
      }
      try {
        return py.int(v)
      } catch {
        return fallback
      }
    },
  ),
  items: filter([], (v) =>
    v === undefined ? [] : py.mappingItems(v).map(([a, b]) => py.tuple(a, b)),
  ),
  join: function (this: EvalContext, value: Py, ...args: Py[]): Py {
    const [d, attr] = bind('join', args, [
      ['d', ''],
      ['attribute', null],
    ])
    let items = iterable(pyValue(value))
    if (attr !== null) items = items.map(attrGetter(attr))
    if (!this.autoescape) return items.map(textOf).join(textOf(d))
    if (!isMarkup(d)) {
      const doEscape = items.some(isMarkup)
      if (doEscape) return markup(items.map((x) => escape(x).val).join(escape(d).val))
      return items.map(textOf).join(textOf(d))
    }
    return markup(items.map((x) => escape(x).val).join(textOf(d)))
  },
  last: filter([], (v) => {
    const items = iterable(v)
    return items.length > 0 ? items[items.length - 1] : undefined
  }),
  length: filter([], (v) => py.len(v instanceof SafeString ? v.val : v)),
  list: filter([], (v) => iterable(v)),
  lower: filter([], (v) => keepSafeness(v, textOf(softStr(v)).toLowerCase())),
  map: function (this: EvalContext, value: Py, ...args: Py[]): Py {
    const { positional, keywords } = splitArguments(args)
    const seq = iterable(pyValue(value))
    if (positional.length === 0 && keywords.has('attribute')) {
      const fallback = keywords.has('default') ? pyValue(keywords.get('default')) : MISSING
      return seq.map(attrGetter(pyValue(keywords.get('attribute')), null, fallback))
    }
    const [name, ...rest] = positional.map(pyValue)
    const fn = filtersTable[name]
    if (fn === undefined) throw new PyTypeError(`No filter named '${name}'.`)
    const kw = keywords.size > 0 ? [runtime.makeKeywordArgs(Object.fromEntries(keywords))] : []
    return seq.map((x) => fn.call(this, x, ...rest, ...kw))
  },
  max: filter(
    [
      ['case_sensitive', false],
      ['attribute', null],
    ],
    (v, caseSensitive, attr) => extreme(v, caseSensitive, attr, false),
  ),
  min: filter(
    [
      ['case_sensitive', false],
      ['attribute', null],
    ],
    (v, caseSensitive, attr) => extreme(v, caseSensitive, attr, true),
  ),
  reject: function (this: EvalContext, ...args: Py[]): Py {
    return selectOrReject(this, args, false, false)
  },
  rejectattr: function (this: EvalContext, ...args: Py[]): Py {
    return selectOrReject(this, args, false, true)
  },
  replace: function (this: EvalContext, value: Py, ...args: Py[]): Py {
    const [old, replacement, count] = bind('replace', args, [
      ['old', undefined],
      ['new', undefined],
      ['count', null],
    ])
    const n = count === null ? -1 : count
    value = pyValue(value)
    if (!this.autoescape)
      return py.strMethods.replace(py.str(textOf(value)), textOf(old), textOf(replacement), n)
    if ((isMarkup(old) || isMarkup(replacement)) && !isMarkup(value)) value = escape(value)
    else value = softStr(value)
    if (isMarkup(value))
      return markup(
        py.strMethods.replace(textOf(value), escape(old).val, escape(replacement).val, n),
      )
    return py.strMethods.replace(value, textOf(old), textOf(replacement), n)
  },
  reverse: filter([], (v) => {
    if (typeof v === 'string' || v instanceof SafeString)
      return keepSafeness(v, [...textOf(v)].reverse().join(''))
    return [...iterable(v)].reverse()
  }),
  round: filter(
    [
      ['precision', 0],
      ['method', 'common'],
    ],
    (v, precision, method) => pyRound(v, precision, method),
  ),
  safe: filter([], (v) => (isMarkup(v) ? v : markup(v))),
  select: function (this: EvalContext, ...args: Py[]): Py {
    return selectOrReject(this, args, true, false)
  },
  selectattr: function (this: EvalContext, ...args: Py[]): Py {
    return selectOrReject(this, args, true, true)
  },
  slice: filter(
    [
      ['slices', undefined],
      ['fill_with', null],
    ],
    (v, slices, fill) => {
      const seq = iterable(v)
      const length = seq.length
      const perSlice = Math.floor(length / slices)
      const withExtra = length % slices
      let offset = 0
      const out: Py[] = []
      for (let i = 0; i < slices; i++) {
        const start = offset + i * perSlice
        if (i < withExtra) offset += 1
        const end = offset + (i + 1) * perSlice
        const tmp = seq.slice(start, end)
        if (fill !== null && i >= withExtra) tmp.push(fill)
        out.push(tmp)
      }
      return out
    },
  ),
  sort: filter(
    [
      ['reverse', false],
      ['case_sensitive', false],
      ['attribute', null],
    ],
    (v, reverse, caseSensitive, attr) => {
      const key =
        attr === null
          ? (x: Py) => (caseSensitive ? x : ignoreCase(x))
          : attrGetter(attr, caseSensitive ? null : ignoreCase)
      return py.sorted(iterable(v), key, reverse)
    },
  ),
  string: filter([], (v) => softStr(v)),
  striptags: filter([], (v) => {
    let text = textOf(v)
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/<[\s\S]*?>/g, '')
    text = (py.strMethods.split(text) as string[]).join(' ')
    return unescapeHtml(text)
  }),
  sum: filter(
    [
      ['attribute', null],
      ['start', 0],
    ],
    (v, attr, start) => {
      let items = iterable(v)
      if (attr !== null) items = items.map(attrGetter(attr))
      return py.sum(items, start)
    },
  ),
  title: filter([], (v) => keepSafeness(v, wordBeginnings(textOf(softStr(v))))),
  tojson: filter([['indent', null]], (v, indent) => htmlSafeJson(v, indent)),
  trim: filter([['chars', null]], (v, chars) =>
    keepSafeness(v, py.strMethods.strip(textOf(softStr(v)), chars)),
  ),
  truncate: filter(
    [
      ['length', 255],
      ['killwords', false],
      ['end', '...'],
      ['leeway', 5],
    ],
    (v, length, killwords, end, leeway) => {
      const s = v instanceof SafeString ? v.val : v
      const chars = [...(s as string)]
      if (chars.length <= length + leeway) return v
      const head = chars.slice(0, Math.max(0, length - [...end].length)).join('')
      if (killwords) return head + end
      const cut = head.lastIndexOf(' ')
      return (cut >= 0 ? head.slice(0, cut) : head) + end
    },
  ),
  unique: filter(
    [
      ['case_sensitive', false],
      ['attribute', null],
    ],
    (v, caseSensitive, attr) => {
      const key =
        attr === null
          ? (x: Py) => (caseSensitive ? x : ignoreCase(x))
          : attrGetter(attr, caseSensitive ? null : ignoreCase)
      const seen = new py.PySet()
      const out: Py[] = []
      for (const x of iterable(v)) {
        const k = key(x)
        if (!seen.has(k)) {
          seen.add(k)
          out.push(x)
        }
      }
      return out
    },
  ),
  upper: filter([], (v) => keepSafeness(v, textOf(softStr(v)).toUpperCase())),
  urlencode: filter([], (v) => {
    if (typeof v === 'string' || v instanceof SafeString) return urlQuote(textOf(v), '/')
    const entries = v instanceof py.PyDict ? v.items() : iterable(v)
    const plus = (text: string) => urlQuote(text, ' ').replace(/ /g, '+')
    return entries.map(([k, x]: Py[]) => `${plus(textOf(k))}=${plus(textOf(x))}`).join('&')
  }),
  wordcount: filter([], (v) => (textOf(softStr(v)).match(/[\p{L}\p{N}_]+/gu) ?? []).length),
  xmlattr: function (this: EvalContext, value: Py, ...args: Py[]): Py {
    const [autospace] = bind('xmlattr', args, [['autospace', true]])
    const parts: string[] = []
    for (const [key, v] of py.mappingItems(pyValue(value))) {
      if (v === null || v === undefined) continue
      if (/[\s/>=]/.test(String(key)))
        throw new ValueError(`Invalid character in attribute name: ${py.repr(key)}`)
      parts.push(`${escape(key).val}="${escape(v).val}"`)
    }
    let rv = parts.join(' ')
    if (autospace && rv) rv = ' ' + rv
    return this.autoescape ? markup(rv) : rv
  },
}
filtersTable.count = filtersTable.length
filtersTable.d = filtersTable.default
filtersTable.e = filtersTable.escape

/** Jinja2's `_GroupTuple`: a (grouper, list) tuple with those attributes. */
function groupTuple(grouper: Py, list: Py[]): Py {
  const group: Py = [grouper, list]
  group.grouper = grouper
  group.list = list
  return Object.freeze(group)
}

function extreme(v: Py, caseSensitive: Py, attr: Py, smallest: boolean): Py {
  const items = iterable(v)
  if (items.length === 0) return undefined
  const key =
    attr === null
      ? (x: Py) => (caseSensitive ? x : ignoreCase(x))
      : attrGetter(attr, caseSensitive ? null : ignoreCase)
  let best = items[0]
  for (const x of items.slice(1))
    if (smallest ? py.lt(key(x), key(best)) : py.gt(key(x), key(best))) best = x
  return best
}

function isNumber(v: Py): boolean {
  return (typeof v === 'number' || v instanceof py.PyFloat) && typeof v !== 'boolean'
}

const testsTable: Record<string, (value: Py, ...args: Py[]) => boolean> = {
  boolean: (v) => v === true || v === false,
  callable: (v) =>
    typeof v === 'function' || (v !== null && v !== undefined && typeof v.__call__ === 'function'),
  defined: (v) => v !== undefined,
  divisibleby: (v, n) => Number(v) % Number(n) === 0,
  eq: (v, other) => compare('==', v, other),
  escaped: (v) => isMarkup(v),
  even: (v) => Number(v) % 2 === 0,
  false: (v) => v === false,
  float: (v) => v instanceof py.PyFloat || (typeof v === 'number' && !Number.isInteger(v)),
  ge: (v, other) => compare('>=', v, other),
  gt: (v, other) => compare('>', v, other),
  in: (v, seq) => inOperator(v, seq),
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  iterable: (v) => {
    try {
      py.iter(pyValue(v))
      return v !== undefined
    } catch {
      return false
    }
  },
  le: (v, other) => compare('<=', v, other),
  lower: (v) => textOf(v) === textOf(v).toLowerCase(),
  lt: (v, other) => compare('<', v, other),
  mapping: (v) => v instanceof py.PyDict,
  ne: (v, other) => compare('!=', v, other),
  none: (v) => v === null,
  number: (v) => isNumber(v) || typeof v === 'boolean',
  odd: (v) => Math.abs(Number(v) % 2) === 1,
  sameas: (v, other) => v === other,
  sequence: (v) =>
    typeof v === 'string' || v instanceof SafeString || Array.isArray(v) || v instanceof py.PyDict,
  string: (v) => typeof v === 'string' || v instanceof SafeString,
  true: (v) => v === true,
  undefined: (v) => v === undefined,
  upper: (v) => textOf(v) === textOf(v).toUpperCase(),
}
Object.assign(testsTable, {
  '==': testsTable.eq,
  equalto: testsTable.eq,
  '!=': testsTable.ne,
  '>': testsTable.gt,
  greaterthan: testsTable.gt,
  '>=': testsTable.ge,
  '<': testsTable.lt,
  lessthan: testsTable.lt,
  '<=': testsTable.le,
})

/** The names of Jinja2's built-in filters this runtime provides. */
export const BUILTIN_FILTERS: readonly string[] = Object.keys(filtersTable).sort()
/** The names of Jinja2's built-in tests this runtime provides. */
export const BUILTIN_TESTS: readonly string[] = Object.keys(testsTable).sort()

// ---------------------------------------------------------------------------------------------
// Loading: the app's template folder, then each blueprint's, as Flask's DispatchingJinjaLoader.

/** A template folder: a directory, or the templates themselves by name (as a migrated service carries them). */
export type TemplateFolder = string | Readonly<Record<string, string>>

class FolderLoader extends nj.Loader {
  declare folders: TemplateFolder[]
  constructor(folders: TemplateFolder[]) {
    super()
    this.folders = folders
  }
  getSource(name: string): { src: string; path: string; noCache: boolean } | null {
    // Jinja2's split_template_path: no `..`, empty and `.` parts dropped.
    const parts = name.split('/')
    if (parts.some((part) => part === '..' || part.includes(sep) || part.includes('\\')))
      return null
    const key = parts.filter((part) => part !== '' && part !== '.').join('/')
    for (const [index, folder] of this.folders.entries()) {
      if (typeof folder !== 'string') {
        if (Object.hasOwn(folder, key))
          return { src: jinjaSource(folder[key]!), path: `${index}:${key}`, noCache: false }
        continue
      }
      const path = normalize(join(folder, key))
      try {
        if (statSync(path).isFile())
          return { src: jinjaSource(readFileSync(path, 'utf8')), path, noCache: false }
      } catch {
        // not in this folder
      }
    }
    return null
  }
}

// ---------------------------------------------------------------------------------------------
// The app's template environment.

export type ContextProcessor = (c: Context) => Py

export interface TemplateSetup {
  /** Template folders, searched in order: the app's, then each blueprint's in registration order. */
  folders: TemplateFolder[]
  /** The service's URL map, for `url_for` in templates. */
  urlMap: RuleSpec[] | UrlMap
  /** `@app.context_processor` functions (each returns a dict); blueprint ones with their blueprint. */
  contextProcessors?: (ContextProcessor | { blueprint: string; fn: ContextProcessor })[]
  /** `@app.template_filter`: called with the value and the arguments, as in Python. */
  filters?: Record<string, (...args: Py[]) => Py>
  /** `@app.template_test`. */
  tests?: Record<string, (...args: Py[]) => Py>
  /** `@app.template_global`. */
  globals?: Record<string, Py>
}

let setup: TemplateSetup | null = null
let environment: Js = null

function configProxy(): Py {
  return new Proxy(
    {},
    {
      get: (_target, key) => (typeof key === 'string' ? appConfigValue(key) : undefined),
      has: (_target, key) => typeof key === 'string' && appConfigValue(key) !== undefined,
    },
  )
}

const PARAMETERS = Symbol('parameters')

/** A filter, test or global of the app, with its parameters' names (Jinja2 may pass any of them by keyword). */
export function templateFunction<F extends (...args: Py[]) => Py>(parameters: string[], fn: F): F {
  ;(fn as Py)[PARAMETERS] = parameters
  return fn
}

/** What stands for a helper that was not carried over (its finding says why): rendering with it fails. */
export function notCarriedOver(what: string): (...args: Py[]) => Py {
  return () => {
    throw new Error(`${what} was not carried over to this service (see MIGRATION_REPORT.md)`)
  }
}

function projectFunction(fn: (...args: Py[]) => Py): (...args: Py[]) => Py {
  return function projectFilter(this: EvalContext, ...args: Py[]): Py {
    const { positional, keywords } = splitArguments(args)
    const values = positional.map(pyValue)
    const parameters: string[] | undefined = (fn as Py)[PARAMETERS]
    if (parameters !== undefined && keywords.size > 0) {
      for (const [key, value] of keywords) {
        const index = parameters.indexOf(key)
        if (index < 0)
          throw new PyTypeError(
            `${fn.name || 'function'}() got an unexpected keyword argument '${key}'`,
          )
        if (index < values.length && values[index] !== undefined)
          throw new PyTypeError(
            `${fn.name || 'function'}() got multiple values for argument '${key}'`,
          )
        while (values.length < index) values.push(undefined)
        values[index] = pyValue(value)
      }
      return fn(...values)
    }
    if (keywords.size > 0)
      values.push(py.keywords(...[...keywords].map(([k, v]): [string, Py] => [k, pyValue(v)])))
    return fn(...values)
  }
}

function urlForGlobal(...args: Py[]): string {
  const { positional, keywords } = splitArguments(args)
  if (positional.length !== 1)
    throw new PyTypeError('url_for() takes exactly one positional argument')
  const c = currentContext()
  const values: Record<string, unknown> = {}
  const options: Record<string, unknown> = { ...urlForContext(c) }
  for (const [key, raw] of keywords) {
    const value = pyValue(raw)
    if (key === '_external') options.external = truthy(value)
    else if (key === '_anchor') options.anchor = textOf(value)
    else if (key === '_method') options.method = textOf(value)
    else if (key === '_scheme') options.scheme = textOf(value)
    else values[key] = value instanceof SafeString ? value.val : value
  }
  return urlFor((setup as TemplateSetup).urlMap, textOf(positional[0]), values, options)
}

function getFlashedMessagesGlobal(...args: Py[]): Py {
  const [withCategories, categoryFilter] = bind('get_flashed_messages', args, [
    ['with_categories', false],
    ['category_filter', py.tuple()],
  ])
  return getFlashedMessages(currentContext(), {
    with_categories: withCategories,
    category_filter: categoryFilter,
  })
}

function rangeGlobal(...args: Py[]): Py {
  const values = splitArguments(args).positional.map(pyValue)
  if (values.length === 1) return py.range(values[0])
  return py.range(values[0], values[1], values[2] ?? 1)
}

function dictGlobal(...args: Py[]): Py {
  const { positional, keywords } = splitArguments(args)
  const d = positional.length > 0 ? py.toDict(pyValue(positional[0])) : new py.PyDict()
  for (const [k, v] of keywords) d.set(k, pyValue(v))
  return d
}

function namespaceGlobal(...args: Py[]): Py {
  const ns = new Namespace()
  for (const [k, v] of splitArguments(args).keywords) ns[k] = pyValue(v)
  return ns
}

function buildEnvironment(options: TemplateSetup): Js {
  const env = new nj.Environment(new FolderLoader(options.folders), {
    autoescape: true,
    throwOnUndefined: false,
  })
  for (const [name, fn] of Object.entries(filtersTable)) env.addFilter(name, fn)
  for (const [name, fn] of Object.entries(options.filters ?? {}))
    env.addFilter(name, projectFunction(fn))
  const tests: Record<string, (...args: Py[]) => Py> = { ...testsTable }
  for (const [name, fn] of Object.entries(options.tests ?? {}))
    tests[name] = (...args: Py[]) => py.truthy(fn(...args.map(pyValue)))
  env.getTest = (name: string) => {
    const test = tests[name]
    if (test === undefined) throw new PyTypeError(`No test named '${name}'.`)
    return test
  }
  const globals: Record<string, Py> = {
    range: native(rangeGlobal),
    dict: native(dictGlobal),
    namespace: native(namespaceGlobal),
    url_for: native(urlForGlobal),
    get_flashed_messages: native(getFlashedMessagesGlobal),
  }
  for (const [name, value] of Object.entries(options.globals ?? {}))
    globals[name] = typeof value === 'function' ? native(projectFunction(value)) : value
  for (const [name, value] of Object.entries(globals)) env.addGlobal(name, value)
  // Flask's globals that follow the request (jinja_env.globals config, request, session, g).
  Object.defineProperty(env.globals, 'config', { get: configProxy, enumerable: true })
  Object.defineProperty(env.globals, 'request', {
    get: () => flaskRequest(currentContext()),
    enumerable: true,
  })
  Object.defineProperty(env.globals, 'session', {
    get: () => flaskSession(currentContext()),
    enumerable: true,
  })
  Object.defineProperty(env.globals, 'g', { get: () => flaskG(currentContext()), enumerable: true })
  return env
}

/** Sets up the app's templates (the generated `src/app.ts` calls it once). */
export function configureTemplates(options: TemplateSetup): void {
  setup = options
  environment = buildEnvironment(options)
}

function requireEnvironment(): Js {
  if (environment === null) throw new Error('configureTemplates() was not called')
  return environment
}

/** A render call's context: its keyword arguments, or a mapping unpacked with `**`. */
type ContextArgument = Record<string, Py> | py.Keywords | py.PyDict

function contextValues(
  c: Context,
  arguments_: (ContextArgument | undefined)[],
): Record<string, Py> {
  const values: Record<string, Py> = {}
  const request = flaskRequest(c)
  values.g = flaskG(c)
  values.request = request
  values.session = flaskSession(c)
  const blueprints: string[] = (request as Py).blueprints ?? []
  // Flask's order: the app's processors, then each blueprint's of the request, outermost first; later ones win.
  const processors = setup?.contextProcessors ?? []
  const ordered = [
    ...processors.filter((p) => typeof p === 'function'),
    ...[...blueprints]
      .reverse()
      .flatMap((name) => processors.filter((p) => typeof p !== 'function' && p.blueprint === name)),
  ]
  for (const processor of ordered) {
    const fn = typeof processor === 'function' ? processor : processor.fn
    const result = fn(c)
    for (const [k, v] of py.mappingItems(result)) values[String(k)] = v
  }
  // The call's own values win over the context processors'; a name given twice is Python's TypeError.
  const seen = new Set<string>()
  for (const given of arguments_) {
    if (given === undefined) continue
    const entries: [string, Py][] =
      given instanceof py.Keywords
        ? given.entries
        : given instanceof py.PyDict
          ? given.items().map(([k, v]: [Py, Py]): [string, Py] => {
              if (typeof k !== 'string') throw new PyTypeError('keywords must be strings')
              return [k, v]
            })
          : Object.entries(given)
    for (const [k, v] of entries) {
      if (seen.has(k))
        throw new PyTypeError(`render_template() got multiple values for keyword argument '${k}'`)
      seen.add(k)
      values[k] = v
    }
  }
  return values
}

/**
 * Flask's `render_template(template_name_or_list, **context)`: the first template of a list that
 * exists, rendered with the context processors' values and `context` (the call's keyword
 * arguments, then each mapping it unpacks with `**`).
 */
export function renderTemplate(
  c: Context,
  names: Py,
  ...context: (ContextArgument | undefined)[]
): string {
  const env = requireEnvironment()
  const candidates: string[] = Array.isArray(names) ? names.map(textOf) : [textOf(names)]
  let template: Js = null
  let lastError: unknown = null
  for (const name of candidates) {
    try {
      template = env.getTemplate(name, true)
      break
    } catch (error) {
      lastError = error
    }
  }
  if (template === null) throw lastError ?? new Error(`TemplateNotFound: ${candidates.join(', ')}`)
  return template.render(contextValues(c, context))
}

/** Flask's `render_template_string(source, **context)` (always autoescaped). */
export function renderTemplateString(
  c: Context,
  source: Py,
  ...context: (ContextArgument | undefined)[]
): string {
  const env = requireEnvironment()
  const template = new nj.Template(jinjaSource(textOf(source)), env, 'render_template_string', true)
  return template.render(contextValues(c, context))
}

// ---------------------------------------------------------------------------------------------
// Migration-time check: what the shim cannot carry over, with its line.

export interface TemplateProblem {
  /** 1-based line in the template source. */
  line: number
  message: string
}

/**
 * Parses a template as the service will and lists what would not render as Jinja2 renders it:
 * a syntax nunjucks does not read, a tag, filter or test that neither Jinja2's built-ins nor the
 * app's (`knownFilters`, `knownTests`) provide.
 */
export function checkTemplate(
  source: string,
  knownFilters: readonly string[] = [],
  knownTests: readonly string[] = [],
): TemplateProblem[] {
  const problems: TemplateProblem[] = []
  let root: Js
  try {
    root = nj.parser.parse(jinjaSource(source), [], {})
  } catch (error) {
    const failure = error as { lineno?: number; message?: string }
    const text = String(failure.message ?? error)
      .replace(/^\(unknown path\)\s*/, '')
      .replace(/\[Line \d+, Column \d+\]\s*/, '')
      .trim()
    problems.push({
      line: typeof failure.lineno === 'number' && failure.lineno > 0 ? failure.lineno : 1,
      message: text,
    })
    return problems
  }
  const filters = new Set([...BUILTIN_FILTERS, ...knownFilters])
  const tests = new Set([...BUILTIN_TESTS, ...knownTests])
  const visit = (node: Js): void => {
    if (node === null || node === undefined || typeof node !== 'object') return
    if (
      node instanceof nodes.Filter &&
      node.name instanceof nodes.Symbol &&
      !filters.has(node.name.value)
    )
      problems.push({
        line: node.name.lineno + 1,
        message: `filter \`${node.name.value}\` is neither a Jinja2 built-in the service provides nor registered by the app`,
      })
    if (node instanceof nodes.Is) {
      const right = node.right
      const name =
        right instanceof nodes.FunCall
          ? right.name.value
          : right instanceof nodes.Literal
            ? right.value === null
              ? 'none'
              : String(right.value)
            : right.value
      if (!tests.has(name))
        problems.push({
          line: node.lineno + 1,
          message: `test \`${name}\` is neither a Jinja2 built-in the service provides nor registered by the app`,
        })
    }
    // A macro's varargs and the template's `self` are Jinja2's and not the shim's.
    // Jinja2's globals cycler, joiner and lipsum are not provided either.
    if (
      node instanceof nodes.Symbol &&
      ['varargs', 'self', 'cycler', 'joiner', 'lipsum'].includes(node.value)
    )
      problems.push({ line: node.lineno + 1, message: `\`${node.value}\` is not supported` })
    if (node instanceof nodes.CallExtension)
      problems.push({ line: node.lineno + 1, message: 'a tag of a Jinja2 extension' })
    if (
      node instanceof nodes.FilterAsync ||
      node instanceof nodes.IfAsync ||
      node instanceof nodes.AsyncEach ||
      node instanceof nodes.AsyncAll
    )
      problems.push({ line: node.lineno + 1, message: 'a nunjucks-only tag' })
    for (const field of node.fields ?? []) {
      const child = node[field]
      if (Array.isArray(child)) child.forEach(visit)
      else visit(child)
    }
    for (const extra of ['splats']) if (Array.isArray(node[extra])) node[extra].forEach(visit)
  }
  visit(root)
  return problems.sort((a, b) => a.line - b.line)
}

/** What a template refers to: the templates it extends, includes or imports by name, and the names it reads. */
export interface TemplateReferences {
  templates: string[]
  /** The first template named by an expression (`{% include page %}`), which cannot be known when migrating. */
  dynamic: { text: string; line: number } | null
  /** Each name the template reads (a variable, a function), with the first line it is read on. */
  symbols: Map<string, number>
}

/** The references of a template that `checkTemplate` accepts. */
export function templateReferences(source: string): TemplateReferences {
  const refs: TemplateReferences = { templates: [], dynamic: null, symbols: new Map() }
  const root: Js = nj.parser.parse(jinjaSource(source), [], {})
  const visit = (node: Js): void => {
    if (node === null || node === undefined || typeof node !== 'object') return
    if (
      node instanceof nodes.Extends ||
      node instanceof nodes.Include ||
      node instanceof nodes.Import ||
      node instanceof nodes.FromImport
    ) {
      const template = node.template
      if (template instanceof nodes.Literal && typeof template.value === 'string')
        refs.templates.push(template.value)
      else if (refs.dynamic === null)
        refs.dynamic = { text: 'an expression', line: node.lineno + 1 }
    }
    if (node instanceof nodes.Symbol && !refs.symbols.has(node.value))
      refs.symbols.set(node.value, node.lineno + 1)
    for (const field of node.fields ?? []) {
      const child = node[field]
      if (Array.isArray(child)) child.forEach(visit)
      else visit(child)
    }
    if (Array.isArray(node.splats)) node.splats.forEach(visit)
  }
  visit(root)
  return refs
}
