import { fail } from '../diagnostics.js'
import { emitted, rawCode, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec } from '../precedence.js'
import { translateExpr } from './index.js'
import { callArguments, requireStatic, type CallArguments } from './arguments.js'
import { resolveName } from './names.js'
import { tsJson } from '../../ts-text.js'
import { translateStaticPath } from './files.js'
import { sqliteValue, translateSqliteCall } from './sqlite.js'
import { isTableValue, tableValue, translateTableCall } from './stdlib-modules.js'

/** The dotted stdlib path of an expression like `os.environ.get` (null when it is not one). */
export function stdlibPath(node: SyntaxNode, ctx: Context): string | null {
  if (node.type === 'identifier') {
    const binding = resolveName(node.text, node, ctx)
    if (binding.kind !== 'stdlib') return null
    return binding.member ? `${binding.module}.${binding.member}` : binding.module
  }
  if (node.type === 'attribute') {
    const base = stdlibPath(node.childForFieldName('object')!, ctx)
    return base === null ? null : `${base}.${node.childForFieldName('attribute')!.text}`
  }
  return null
}

const MATH_FUNCTIONS: Record<string, [string, Emitted['type']]> = {
  floor: ['Math.floor', 'int'], ceil: ['Math.ceil', 'int'], sqrt: ['Math.sqrt', 'float'], log10: ['Math.log10', 'float'],
  log2: ['Math.log2', 'float'], exp: ['Math.exp', 'float'], sin: ['Math.sin', 'float'], cos: ['Math.cos', 'float'],
  tan: ['Math.tan', 'float'], fabs: ['Math.abs', 'float'], trunc: ['Math.trunc', 'int'], hypot: ['Math.hypot', 'float'],
}
const CONSTANTS: Record<string, [string, Emitted['type']]> = {
  'math.pi': ['Math.PI', 'float'], 'math.e': ['Math.E', 'float'], 'math.inf': ['Infinity', 'float'], 'math.nan': ['NaN', 'float'],
}
/** Classes of the datetime module as runtime values (`isinstance(x, datetime)`, `timezone.utc`). */
const DATETIME_VALUES: Record<string, string> = {
  'datetime.datetime': 'py.PyDateTime', 'datetime.date': 'py.PyDate', 'datetime.timedelta': 'py.PyTimeDelta',
  'datetime.timezone': 'py.PyTimezone', 'datetime.timezone.utc': 'py.PyTimezone.utc',
}

/** Calls into the datetime module: the runtime callee (src/emit/runtime/datetime.ts) and Python's parameter names. */
const DATETIME_CALLS: Record<string, [string, string[]]> = {
  'datetime.datetime': ['new py.PyDateTime', ['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond', 'tzinfo']],
  'datetime.date': ['new py.PyDate', ['year', 'month', 'day']],
  'datetime.timezone': ['new py.PyTimezone', ['offset', 'name']],
  'datetime.datetime.now': ['py.PyDateTime.now', ['tz']],
  'datetime.datetime.utcnow': ['py.PyDateTime.utcnow', []],
  'datetime.datetime.today': ['py.PyDateTime.today', []],
  'datetime.datetime.fromisoformat': ['py.PyDateTime.fromisoformat', ['date_string']],
  'datetime.datetime.strptime': ['py.PyDateTime.strptime', ['date_string', 'format']],
  'datetime.datetime.fromtimestamp': ['py.PyDateTime.fromtimestamp', ['timestamp', 'tz']],
  'datetime.datetime.utcfromtimestamp': ['py.PyDateTime.utcfromtimestamp', ['timestamp']],
  'datetime.date.today': ['py.PyDate.today', []],
  'datetime.date.fromisoformat': ['py.PyDate.fromisoformat', ['date_string']],
  'datetime.date.fromtimestamp': ['py.PyDate.fromtimestamp', ['timestamp']],
  'datetime.date.fromordinal': ['py.PyDate.fromordinal', ['ordinal']],
}
const TIMEDELTA_PARAMS = ['days', 'seconds', 'microseconds', 'milliseconds', 'minutes', 'hours', 'weeks']

/** Arguments bound to Python parameter names by position or keyword (positional-or-keyword parameters only). */
function bindNamed(args: CallArguments, names: string[], what: string, node: SyntaxNode, ctx: Context): Map<string, string> {
  if (args.splats.length > 0) fail('dynamic-call-arguments', args.splats[0], `unpacked arguments (\`${args.splats[0].text}\`) in a call to ${what}`)
  if (args.positional.length > names.length) fail('unsupported-stdlib-call', node, `\`${what}()\` takes at most ${names.length} arguments`)
  const bound = new Map<string, string>()
  args.positional.forEach((arg, i) => bound.set(names[i], translateExpr(arg, ctx).code))
  for (const [name, value] of args.keywords) {
    if (!names.includes(name) || bound.has(name)) fail('unsupported-stdlib-call', value.parent!, `keyword argument \`${name}\` in a call to ${what}`)
    bound.set(name, translateExpr(value, ctx).code)
  }
  return bound
}

const RE_FUNCTIONS: Record<string, string> = { match: 'reMatch', search: 'reSearch', fullmatch: 'reFullmatch', findall: 'reFindall', sub: 'reSub', split: 'reSplit' }
const RE_FLAGS: Record<string, string> = { I: 'i', IGNORECASE: 'i', M: 'm', MULTILINE: 'm', S: 's', DOTALL: 's' }

/** `math.pi`, `os.environ` used as values. */
export function translateStdlibAttribute(node: SyntaxNode, ctx: Context): Emitted | undefined {
  const path = stdlibPath(node, ctx)
  if (path === null) return undefined
  return stdlibValue(path, node, ctx)
}

/** A stdlib name used as a value: a math constant or a datetime class. */
export function stdlibValue(path: string, node: SyntaxNode, ctx: Context): Emitted {
  const constant = CONSTANTS[path]
  if (constant) return emitted(constant[0], Prec.Call, constant[1])
  const sqlite = sqliteValue(path, node, ctx)
  if (sqlite) return sqlite
  const value = DATETIME_VALUES[path]
  if (value) {
    ctx.imports.py = true
    return emitted(value, Prec.Call)
  }
  const fromTable = tableValue(path, ctx)
  if (fromTable) return fromTable
  return fail('unsupported-stdlib-call', node, `\`${path}\` used as a value`)
}

/** Calls into os, json, math, uuid, re, time. */
export function translateStdlibCall(node: SyntaxNode, ctx: Context): Emitted | undefined {
  const path = stdlibPath(node.childForFieldName('function')!, ctx)
  if (path === null) return undefined
  // A method of a value of the tables (`HTTP_STATUS_CODES.get(code)`): a method call on that value.
  if (isTableValue(path.slice(0, path.lastIndexOf('.')))) return undefined
  if (path.startsWith('os.path.')) {
    const projectPath = translateStaticPath(node, ctx)
    if (projectPath) return projectPath
  }
  const args = callArguments(node)
  const values = (): string[] => args.positional.map((a) => translateExpr(a, ctx).code)
  const py = (code: string, type: Emitted['type'] = 'unknown'): Emitted => {
    ctx.imports.py = true
    return emitted(`py.${code}`, Prec.Call, type)
  }
  if (path === 'os.environ.get' || path === 'os.getenv') {
    requireStatic(args, path)
    const [key, fallback] = values()
    return emitted(`process.env[${key}] ?? ${fallback ?? 'null'}`, Prec.Or - 1, fallback !== undefined && /^"/.test(fallback) ? 'str' : 'unknown')
  }
  if (path === 'time.time') {
    requireStatic(args, path)
    return emitted('Date.now() / 1000', Prec.Multiplicative, 'float')
  }
  if (path === 'uuid.uuid4') {
    requireStatic(args, path)
    return py('uuid4()')
  }
  if (path === 'uuid.UUID' && args.positional.length === 1) {
    // `uuid.UUID(hex)` only: the bytes=, fields= and int= forms stay unsupported.
    requireStatic(args, path)
    return py(`uuidFromHex(${values()[0]})`)
  }
  if (path === 'json.dumps') {
    requireStatic(args, path, ['indent', 'sort_keys'])
    const indent = args.keywords.get('indent')
    const sortKeys = args.keywords.get('sort_keys')
    const extra = indent || sortKeys ? `, ${indent ? translateExpr(indent, ctx).code : 'null'}, ${sortKeys ? translateExpr(sortKeys, ctx).code : 'false'}` : ''
    return py(`jsonDumpsPy(${values()[0]}${extra})`, 'str')
  }
  if (path === 'json.load') {
    // A file object's content (`json.load(f)` of a file `open()` or `open_resource()` gave).
    requireStatic(args, path)
    return py(`jsonLoads(py.callMethod(${values()[0]}, "read"))`)
  }
  if (path === 'json.loads') {
    requireStatic(args, path)
    return py(`jsonLoads(${values()[0]})`)
  }
  if (path.startsWith('math.') && MATH_FUNCTIONS[path.slice(5)]) {
    requireStatic(args, path)
    const [fn, type] = MATH_FUNCTIONS[path.slice(5)]
    return emitted(`${fn}(${args.positional.map((a) => rawCode(translateExpr(a, ctx)).code).join(', ')})`, Prec.Call, type)
  }
  if (path === 'datetime.timedelta') {
    // `timedelta(hours=2)` reads best as an object of the parts given.
    const bound = bindNamed(args, TIMEDELTA_PARAMS, path, node, ctx)
    return py(`timedelta({ ${[...bound].map(([name, code]) => `${name}: ${code}`).join(', ')} })`)
  }
  const datetimeCall = DATETIME_CALLS[path]
  if (datetimeCall) {
    const [callee, names] = datetimeCall
    const bound = bindNamed(args, names, path, node, ctx)
    const last = Math.max(-1, ...[...bound.keys()].map((name) => names.indexOf(name)))
    const list = names.slice(0, last + 1).map((name) => bound.get(name) ?? 'undefined')
    ctx.imports.py = true
    return emitted(`${callee}(${list.join(', ')})`, callee.startsWith('new ') ? Prec.Unary : Prec.Call)
  }
  const sqlite = translateSqliteCall(path, node, ctx)
  if (sqlite) return sqlite
  if (path.startsWith('re.') && RE_FUNCTIONS[path.slice(3)]) {
    requireStatic(args, path, ['flags', 'count', 'maxsplit'])
    const pattern = args.positional[0]
    if (!pattern || pattern.type !== 'string' || /\(\?[aiLmsux]|\(\?#|\\[Z]|\(\?\(/.test(pattern.text)) {
      fail('unsupported-stdlib-call', node, `\`${path}()\` with a pattern that is not a plain literal of the supported syntax`)
    }
    const flagsNode = args.keywords.get('flags')
    let flags = ''
    if (flagsNode) {
      for (const part of flagsNode.text.split('|').map((p) => p.trim())) {
        const f = RE_FLAGS[part.replace(/^re\./, '')]
        if (!f) fail('unsupported-stdlib-call', flagsNode, `regular-expression flag \`${part}\``)
        flags += f
      }
    }
    const list = values()
    const name = RE_FUNCTIONS[path.slice(3)]
    if (name === 'reSub') {
      const count = args.keywords.get('count')
      return py(`reSub(${list.slice(0, 3).join(', ')}, ${count ? translateExpr(count, ctx).code : list[3] ?? '0'}, ${tsJson(flags)})`, 'str')
    }
    if (name === 'reSplit') {
      const max = args.keywords.get('maxsplit')
      return py(`reSplit(${list.slice(0, 2).join(', ')}, ${max ? translateExpr(max, ctx).code : list[2] ?? '0'}, ${tsJson(flags)})`, 'list')
    }
    return py(`${name}(${list.slice(0, 2).join(', ')}${flags ? `, ${tsJson(flags)}` : ''})`, name === 'reFindall' ? 'list' : 'unknown')
  }
  const fromTable = translateTableCall(path, node, ctx)
  if (fromTable) return fromTable
  return fail('unsupported-stdlib-call', node, `\`${path}()\` is not supported`)
}
