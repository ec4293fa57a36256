/**
 * Standard-library modules carried over as runtime functions, one table row per Python name:
 * the runtime file (src/emit/runtime/<lib>.ts), its export, Python's parameter names (bound by
 * position or keyword, as Python binds them), and the result type when it is known. A name that
 * is not in a table stays an `unsupported-stdlib-call` finding.
 */
import { fail } from '../diagnostics.js'
import { emitted, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec } from '../precedence.js'
import { translateExpr } from './index.js'
import { callArguments, requireStatic } from './arguments.js'
import { resolveName } from './names.js'
import { tsJson } from '../../ts-text.js'
import { stdlibPath } from './stdlib.js'
import { signatureOf } from '../function.js'
import { ARRAY_MEMBERS } from '../stdlib-class.js'

interface Call {
  lib: string
  name: string
  /** Python's parameters in order; a `*name` takes the remaining positional arguments, those after a bare `*` are keyword-only. */
  params: string[]
  type?: Emitted['type']
}

const call = (lib: string, name: string, params: string[], type?: Emitted['type']): Call => ({ lib, name, params, type })
const hash = (name: string): Call => call('hashing', name, ['data'])
/** TextWrapper's keyword arguments, in the order the runtime's wrap/fill/shorten take them. */
const TEXTWRAP_OPTIONS = ['initial_indent', 'subsequent_indent', 'expand_tabs', 'replace_whitespace', 'fix_sentence_endings', 'break_long_words', 'drop_whitespace', 'break_on_hyphens', 'tabsize', 'max_lines', 'placeholder']

export const STDLIB_CALLS: Record<string, Call> = {
  'copy.copy': call('copy', 'copy', ['x']),
  'copy.deepcopy': call('copy', 'deepcopy', ['x']),
  'os.path.join': call('os', 'pathJoin', ['a', '*p'], 'str'),
  'os.path.basename': call('os', 'basename', ['p'], 'str'),
  'os.path.dirname': call('os', 'dirname', ['p'], 'str'),
  'os.path.splitext': call('os', 'splitext', ['p']),
  'os.path.exists': call('os', 'exists', ['path'], 'bool'),
  'os.path.isfile': call('os', 'isfile', ['path'], 'bool'),
  'os.path.isdir': call('os', 'isdir', ['path'], 'bool'),
  'os.path.getsize': call('os', 'getsize', ['filename'], 'int'),
  'os.remove': call('os', 'remove', ['path']),
  'os.unlink': call('os', 'remove', ['path']),
  'os.makedirs': call('os', 'makedirs', ['name', 'mode', 'exist_ok']),
  'os.listdir': call('os', 'listdir', ['path'], 'list'),
  'hashlib.new': call('hashing', 'hashNew', ['name', 'data']),
  'hashlib.md5': hash('md5'),
  'hashlib.sha1': hash('sha1'),
  'hashlib.sha224': hash('sha224'),
  'hashlib.sha256': hash('sha256'),
  'hashlib.sha384': hash('sha384'),
  'hashlib.sha512': hash('sha512'),
  'hashlib.sha3_256': hash('sha3_256'),
  'hashlib.sha3_512': hash('sha3_512'),
  'hashlib.blake2b': hash('blake2b'),
  'hashlib.blake2s': hash('blake2s'),
  'hmac.new': call('hashing', 'hmacNew', ['key', 'msg', 'digestmod']),
  'hmac.digest': call('hashing', 'hmacDigest', ['key', 'msg', 'digest']),
  'hmac.compare_digest': call('hashing', 'compareDigest', ['a', 'b'], 'bool'),
  'secrets.compare_digest': call('hashing', 'compareDigest', ['a', 'b'], 'bool'),
  'secrets.token_bytes': call('hashing', 'tokenBytes', ['nbytes']),
  'secrets.token_hex': call('hashing', 'tokenHex', ['nbytes'], 'str'),
  'secrets.token_urlsafe': call('hashing', 'tokenUrlsafe', ['nbytes'], 'str'),
  'secrets.choice': call('hashing', 'choice', ['seq']),
  'secrets.randbelow': call('hashing', 'randbelow', ['exclusive_upper_bound'], 'int'),
  'base64.b64encode': call('hashing', 'b64encode', ['s', 'altchars']),
  'base64.b64decode': call('hashing', 'b64decode', ['s', 'altchars', 'validate']),
  'base64.standard_b64encode': call('hashing', 'b64encode', ['s']),
  'base64.standard_b64decode': call('hashing', 'b64decode', ['s']),
  'base64.urlsafe_b64encode': call('hashing', 'urlsafeB64encode', ['s']),
  'base64.urlsafe_b64decode': call('hashing', 'urlsafeB64decode', ['s']),
  'base64.b16encode': call('hashing', 'b16encode', ['s']),
  'binascii.hexlify': call('hashing', 'hexlify', ['data']),
  'urllib.parse.quote': call('urls', 'quote', ['string', 'safe'], 'str'),
  'urllib.parse.quote_plus': call('urls', 'quotePlus', ['string', 'safe'], 'str'),
  'urllib.parse.unquote': call('urls', 'unquote', ['string'], 'str'),
  'urllib.parse.unquote_plus': call('urls', 'unquotePlus', ['string'], 'str'),
  'urllib.parse.urlsplit': call('urls', 'urlsplit', ['url', 'scheme', 'allow_fragments']),
  'urllib.parse.urlunsplit': call('urls', 'urlunsplit', ['components'], 'str'),
  'urllib.parse.urlencode': call('urls', 'urlencode', ['query', 'doseq', 'safe'], 'str'),
  'urllib.parse.parse_qs': call('urls', 'parseQs', ['qs', 'keep_blank_values', 'strict_parsing', 'encoding', 'errors', 'max_num_fields', 'separator']),
  'urllib.parse.parse_qsl': call('urls', 'parseQsl', ['qs', 'keep_blank_values', 'strict_parsing', 'encoding', 'errors', 'max_num_fields', 'separator']),
  'collections.Counter': call('collections', 'new Counter', ['iterable']),
  'collections.OrderedDict': call('collections', 'new OrderedDict', ['other']),
  'collections.deque': call('collections', 'new Deque', ['iterable', 'maxlen']),
  'functools.reduce': call('functional', 'reduce', ['function', 'iterable', 'initial']),
  'functools.partial': call('functional', 'partial', ['func', '*args']),
  'itertools.chain': call('functional', 'chain', ['*iterables']),
  'itertools.chain.from_iterable': call('functional', 'chainFromIterable', ['iterable']),
  'itertools.islice': call('functional', 'islice', ['iterable', '*bounds']),
  'itertools.count': call('functional', 'countFrom', ['start', 'step']),
  'itertools.repeat': call('functional', 'repeat', ['object', 'times']),
  'itertools.cycle': call('functional', 'cycle', ['iterable']),
  'itertools.groupby': call('functional', 'groupby', ['iterable', 'key']),
  'itertools.permutations': call('functional', 'permutations', ['iterable', 'r']),
  'itertools.combinations': call('functional', 'combinations', ['iterable', 'r']),
  'itertools.accumulate': call('functional', 'accumulate', ['iterable', 'func', 'initial']),
  'itertools.takewhile': call('functional', 'takewhile', ['predicate', 'iterable']),
  'itertools.dropwhile': call('functional', 'dropwhile', ['predicate', 'iterable']),
  'itertools.starmap': call('functional', 'starmap', ['function', 'iterable']),
  'itertools.pairwise': call('functional', 'pairwise', ['iterable']),
  'itertools.compress': call('functional', 'compress', ['data', 'selectors']),
  'operator.itemgetter': call('functional', 'itemgetter', ['*items']),
  'asyncio.sleep': call('asyncio', 'sleep', ['delay', 'result']),
  'asyncio.gather': call('asyncio', 'gather', ['*aws']),
  'logging.getLogger': call('logging', 'getLogger', ['name']),
  'logging.debug': call('logging', 'debug', ['msg', '*args'], 'none'),
  'logging.info': call('logging', 'info', ['msg', '*args'], 'none'),
  'logging.warning': call('logging', 'warning', ['msg', '*args'], 'none'),
  'logging.error': call('logging', 'error', ['msg', '*args'], 'none'),
  'logging.exception': call('logging', 'exception', ['msg', '*args'], 'none'),
  'logging.critical': call('logging', 'critical', ['msg', '*args'], 'none'),
  'logging.log': call('logging', 'log', ['level', 'msg', '*args'], 'none'),
  'operator.attrgetter': call('functional', 'attrgetter', ['*attrs']),
  'textwrap.dedent': call('textwrap', 'dedent', ['text'], 'str'),
  'textwrap.indent': call('textwrap', 'indent', ['text', 'prefix', 'predicate'], 'str'),
  'textwrap.wrap': call('textwrap', 'wrap', ['text', 'width', '*', ...TEXTWRAP_OPTIONS], 'list'),
  'textwrap.fill': call('textwrap', 'fill', ['text', 'width', '*', ...TEXTWRAP_OPTIONS], 'str'),
  'textwrap.shorten': call('textwrap', 'shorten', ['text', 'width', '*', ...TEXTWRAP_OPTIONS], 'str'),
  // CPython's Mersenne Twister and random.py's algorithms: a seeded generator gives Python's values.
  'random.seed': call('random', 'seed', ['a'], 'none'),
  'random.random': call('random', 'random', []),
  'random.getrandbits': call('random', 'getrandbits', ['k'], 'int'),
  'random.randrange': call('random', 'randrange', ['start', 'stop', 'step'], 'int'),
  'random.randint': call('random', 'randint', ['a', 'b'], 'int'),
  'random.choice': call('random', 'choice', ['seq']),
  'random.shuffle': call('random', 'shuffle', ['x'], 'none'),
  'random.sample': call('random', 'sample', ['population', 'k'], 'list'),
  'random.uniform': call('random', 'uniform', ['a', 'b']),
  'random.choices': call('random', 'choices', ['population', 'weights', '*', 'cum_weights', 'k'], 'list'),
  'random.Random': call('random', 'new Random', ['x']),
  'decimal.Decimal': call('decimal', 'new Decimal', ['value']),
  'dataclasses.asdict': call('dataclasses', 'asdict', ['obj'], 'dict'),
  'dataclasses.astuple': call('dataclasses', 'astuple', ['obj'], 'tuple'),
  'dataclasses.fields': call('dataclasses', 'fields', ['class_or_instance'], 'tuple'),
  'dataclasses.is_dataclass': call('dataclasses', 'is_dataclass', ['obj'], 'bool'),
  'enum.auto': call('enums', 'auto', []),
}

/** Names used as values: a runtime export, or a constant. */
const STDLIB_VALUES: Record<string, [lib: string | null, code: string, type: Emitted['type']]> = {
  'hashlib.md5': ['hashing', 'md5', 'function'],
  'hashlib.sha1': ['hashing', 'sha1', 'function'],
  'hashlib.sha224': ['hashing', 'sha224', 'function'],
  'hashlib.sha256': ['hashing', 'sha256', 'function'],
  'hashlib.sha384': ['hashing', 'sha384', 'function'],
  'hashlib.sha512': ['hashing', 'sha512', 'function'],
  'operator.add': ['functional', 'operatorAdd', 'function'],
  'operator.sub': ['functional', 'operatorSub', 'function'],
  'operator.mul': ['functional', 'operatorMul', 'function'],
  'operator.eq': ['functional', 'operatorEq', 'function'],
  'operator.lt': ['functional', 'operatorLt', 'function'],
  'logging.DEBUG': ['logging', 'DEBUG', 'int'],
  'logging.INFO': ['logging', 'INFO', 'int'],
  'logging.WARNING': ['logging', 'WARNING', 'int'],
  'logging.ERROR': ['logging', 'ERROR', 'int'],
  'logging.CRITICAL': ['logging', 'CRITICAL', 'int'],
  'decimal.Decimal': ['decimal', 'Decimal', 'unknown'],
  'decimal.InvalidOperation': ['decimal', 'InvalidOperation', 'unknown'],
  'decimal.DivisionByZero': ['decimal', 'DivisionByZero', 'unknown'],
  'decimal.DecimalException': ['decimal', 'DecimalException', 'unknown'],
  ...Object.fromEntries(['ROUND_DOWN', 'ROUND_HALF_UP', 'ROUND_HALF_EVEN', 'ROUND_CEILING', 'ROUND_FLOOR', 'ROUND_UP', 'ROUND_HALF_DOWN', 'ROUND_05UP'].map((mode) => [`decimal.${mode}`, [null, tsJson(mode), 'str'] as const])),
  'random.Random': ['random', 'Random', 'unknown'],
  'werkzeug.http.HTTP_STATUS_CODES': ['errors', 'httpStatusCodes', 'dict'],
  'enum.Enum': ['enums', 'Enum', 'unknown'],
  'enum.IntEnum': ['enums', 'IntEnum', 'unknown'],
  'enum.StrEnum': ['enums', 'StrEnum', 'unknown'],
  'dataclasses.FrozenInstanceError': ['dataclasses', 'FrozenInstanceError', 'unknown'],
  'string.ascii_letters': [null, tsJson('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'), 'str'],
  'string.ascii_lowercase': [null, tsJson('abcdefghijklmnopqrstuvwxyz'), 'str'],
  'string.ascii_uppercase': [null, tsJson('ABCDEFGHIJKLMNOPQRSTUVWXYZ'), 'str'],
  'string.digits': [null, tsJson('0123456789'), 'str'],
  'string.hexdigits': [null, tsJson('0123456789abcdefABCDEF'), 'str'],
  'string.octdigits': [null, tsJson('01234567'), 'str'],
  'string.punctuation': [null, tsJson('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'), 'str'],
  'string.whitespace': [null, tsJson(' \t\n\r\x0b\x0c'), 'str'],
  'string.printable': [null, tsJson('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ \t\n\r\x0b\x0c'), 'str'],
}

/** Exception classes of the tables' modules, for `except` and `raise`. */
export const STDLIB_EXCEPTIONS = new Set(['decimal.InvalidOperation', 'decimal.DivisionByZero', 'decimal.DecimalException', 'dataclasses.FrozenInstanceError'])

/** Builtin types as a `defaultdict` factory: called with no argument, named in the repr. */
const FACTORIES: Record<string, string> = { list: '() => []', dict: '() => py.dict()', set: '() => py.set()', int: '() => 0', str: "() => ''", float: '() => py.asFloat(0)' }

/** Whether a dotted path is a value of the tables (a method call on it is the value's method). */
export function isTableValue(path: string): boolean {
  return Object.hasOwn(STDLIB_VALUES, path) && STDLIB_VALUES[path]![2] === 'dict'
}

/** A stdlib name used as a value, from the tables (undefined when it is not in them). */
export function tableValue(path: string, ctx: Context): Emitted | undefined {
  const value = STDLIB_VALUES[path]
  if (!value) return undefined
  const [lib, code, type] = value
  if (lib === null) return emitted(code, Prec.Primary, type)
  ctx.imports.libNamespaces.add(lib)
  return emitted(`${lib}.${code}`, Prec.Primary, type)
}

/** A call of a stdlib function from the tables (undefined when it is not in them). */
export function translateTableCall(path: string, node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (path === 'collections.defaultdict') return translateDefaultDict(node, ctx)
  if (path === 'itertools.product') return translateProduct(node, ctx)
  if (path === 'functools.partial' && callArguments(node).keywords.size > 0) return translatePartial(node, ctx)
  if (path === 'itertools.zip_longest') return translateZipLongest(node, ctx)
  if (path === 'collections.namedtuple') return translateNamedtuple(node, ctx)
  if (path === 'typing.cast') {
    // A hint for type checkers: the value itself.
    const args = callArguments(node)
    requireStatic(args, 'typing.cast()')
    if (args.positional.length !== 2) fail('unsupported-stdlib-call', node, '`typing.cast()` takes a type and a value')
    return translateExpr(args.positional[1]!, ctx)
  }
  if (path === 'dataclasses.replace') return translateReplace('dataclasses.replace', node, ctx)
  const mapping = STDLIB_CALLS[path]
  if (!mapping) return undefined
  const args = callArguments(node)
  if (args.splats.length > 0) fail('dynamic-call-arguments', args.splats[0], `unpacked arguments (\`${args.splats[0].text}\`) in a call to \`${path}()\``)
  const keywordOnly = mapping.params.indexOf('*')
  const rest = mapping.params.findIndex((p) => p.startsWith('*') && p !== '*')
  const named = (rest < 0 ? mapping.params : mapping.params.slice(0, rest)).filter((p) => p !== '*')
  const positional = keywordOnly < 0 ? named.length : keywordOnly
  const slots: (string | undefined)[] = []
  args.positional.forEach((arg, i) => {
    if (rest < 0 && i >= positional) fail('unsupported-stdlib-call', arg, `\`${path}()\` takes at most ${positional} positional arguments`)
    slots[i] = translateExpr(arg, ctx).code
  })
  for (const [name, value] of args.keywords) {
    const index = named.indexOf(name)
    if (index < 0 || slots[index] !== undefined) fail('unsupported-stdlib-call', value.parent!, `keyword argument \`${name}\` in a call to \`${path}()\``)
    slots[index] = translateExpr(value, ctx).code
  }
  for (let i = 0; i < slots.length; i++) slots[i] ??= 'undefined'
  const isNew = mapping.name.startsWith('new ')
  ctx.imports.libNamespaces.add(mapping.lib)
  const callee = isNew ? `new ${mapping.lib}.${mapping.name.slice(4)}` : `${mapping.lib}.${mapping.name}`
  return emitted(`${callee}(${slots.join(', ')})`, isNew ? Prec.Unary : Prec.Call, mapping.type)
}

/** `defaultdict(list)`: a builtin factory keeps its name for the repr. */
function translateDefaultDict(node: SyntaxNode, ctx: Context): Emitted {
  const args = callArguments(node)
  requireStatic(args, 'collections.defaultdict()')
  if (args.positional.length > 2) fail('unsupported-stdlib-call', node, '`defaultdict()` with more than a factory and one mapping')
  const [factory, entries] = args.positional
  let factoryCode = 'null'
  let factoryName = 'null'
  if (factory) {
    const builtin = factory.type === 'identifier' && Object.hasOwn(FACTORIES, factory.text) && resolveName(factory.text, factory, ctx).kind === 'builtin'
    if (builtin) {
      factoryCode = FACTORIES[factory.text]
      factoryName = tsJson(factory.text)
      ctx.imports.py = true
    } else factoryCode = translateExpr(factory, ctx).code
  }
  ctx.imports.libNamespaces.add('collections')
  const list = [factoryCode, entries ? translateExpr(entries, ctx).code : 'null', ...(factoryName === 'null' ? [] : [factoryName])]
  return emitted(`new collections.DefaultDict(${list.join(', ')})`, Prec.Unary)
}

/** `namedtuple("Point", "x y", defaults=(0,))`: a class the runtime makes, callable as Python calls it. */
function translateNamedtuple(node: SyntaxNode, ctx: Context): Emitted {
  const args = callArguments(node)
  requireStatic(args, 'collections.namedtuple()', ['defaults', 'field_names', 'typename'])
  const typename = args.positional[0] ?? args.keywords.get('typename')
  const names = args.positional[1] ?? args.keywords.get('field_names')
  if (!typename || !names || args.positional.length > 2) fail('unsupported-stdlib-call', node, '`namedtuple()` with other than a typename, field names and defaults')
  if (typename.type !== 'string') fail('unsupported-stdlib-call', typename, '`namedtuple()` whose type name is not a literal')
  if (names.type !== 'string' && !((names.type === 'list' || names.type === 'tuple') && names.namedChildren.every((n) => n.type === 'string'))) fail('unsupported-stdlib-call', names, '`namedtuple()` whose field names are not literals')
  const fieldNames = names.type === 'string' ? names.text.slice(1, -1).replace(/,/g, ' ').split(/\s+/) : names.namedChildren.map((n) => n.text.slice(1, -1))
  const clash = fieldNames.find((name) => ARRAY_MEMBERS.has(name))
  if (clash !== undefined) fail('unsupported-stdlib-call', names, `namedtuple field \`${clash}\` (the service's named tuples are arrays, which have a member of that name)`)
  const defaults = args.keywords.get('defaults')
  ctx.imports.libNamespaces.add('collections')
  const list = [translateExpr(typename, ctx).code, translateExpr(names, ctx).code, ...(defaults ? [translateExpr(defaults, ctx).code] : [])]
  return emitted(`collections.namedtuple(${list.join(', ')})`, Prec.Call)
}

/** `dataclasses.replace(obj, **changes)` and a named tuple's `_replace(**changes)`: the changes as a dict. */
export function translateReplace(what: string, node: SyntaxNode, ctx: Context, receiver?: Emitted): Emitted {
  const args = callArguments(node)
  requireStatic(args, `${what}()`, [...args.keywords.keys()])
  if (args.positional.length !== (receiver ? 0 : 1)) fail('unsupported-stdlib-call', node, `\`${what}()\` takes ${receiver ? 'only keyword arguments' : 'one object and keyword arguments'}`)
  ctx.imports.py = true
  const changes = `py.dict(${[...args.keywords].map(([name, value]) => `[${tsJson(name)}, ${translateExpr(value, ctx).code}]`).join(', ')})`
  if (receiver) return emitted(`py.callMethod(${receiver.code}, "_replace", ${changes})`, Prec.Call)
  ctx.imports.libNamespaces.add('dataclasses')
  return emitted(`dataclasses.replace(${translateExpr(args.positional[0], ctx).code}, ${changes})`, Prec.Call)
}

/**
 * `partial(func, *args, **keywords)` with keywords: `func` must be a project function whose
 * parameters are known by name (the runtime binds each call's arguments to them).
 */
function translatePartial(node: SyntaxNode, ctx: Context): Emitted {
  const args = callArguments(node)
  const func = args.positional[0]
  if (args.splats.length > 0) fail('dynamic-call-arguments', args.splats[0], 'unpacked arguments in a call to `functools.partial()`')
  const binding = func?.type === 'identifier' ? resolveName(func.text, func, ctx) : null
  if (binding?.kind !== 'project' || binding.def.kind !== 'function' || binding.def.decorators.length > 0) {
    return fail('unsupported-stdlib-call', node, '`functools.partial()` with keywords of something other than a plain function of the project')
  }
  const params = signatureOf(binding.def.node, binding.def.node)
  if (params.some((param) => param.kind !== 'positional')) fail('unsupported-stdlib-call', node, '`functools.partial()` with keywords of a function with *args, **kwargs or keyword-only parameters')
  const keywords = [...args.keywords].map(([name, value]) => `${tsJson(name)}: ${translateExpr(value, ctx).code}`)
  const bound = args.positional.slice(1).map((arg) => translateExpr(arg, ctx).code)
  ctx.imports.libNamespaces.add('functional')
  ctx.imports.py = true
  const names = `[${params.map((param) => tsJson(param.name)).join(', ')}]`
  return emitted(
    `functional.partialNamed(${translateExpr(func!, ctx).code}, ${tsJson(func!.text)}, ${names}, ${params.filter((param) => !param.hasDefault).length}, [${bound.join(', ')}], { ${keywords.join(', ')} })`,
    Prec.Call,
  )
}

/** `product(*iterables, repeat=1)`. */
function translateProduct(node: SyntaxNode, ctx: Context): Emitted {
  const args = callArguments(node)
  requireStatic(args, 'itertools.product()', ['repeat'])
  const iterables = args.positional.map((a) => translateExpr(a, ctx).code)
  const repeat = args.keywords.get('repeat')
  if (repeat) {
    ctx.imports.libNamespaces.add('functional')
    return emitted(`functional.productRepeat(${[translateExpr(repeat, ctx).code, ...iterables].join(', ')})`, Prec.Call)
  }
  ctx.imports.libNamespaces.add('functional')
  return emitted(`functional.product(${iterables.join(', ')})`, Prec.Call)
}

/** `zip_longest(*iterables, fillvalue=None)`. */
function translateZipLongest(node: SyntaxNode, ctx: Context): Emitted {
  const args = callArguments(node)
  requireStatic(args, 'itertools.zip_longest()', ['fillvalue'])
  const fill = args.keywords.get('fillvalue')
  ctx.imports.libNamespaces.add('functional')
  return emitted(`functional.zipLongest(${[fill ? translateExpr(fill, ctx).code : 'null', ...args.positional.map((a) => translateExpr(a, ctx).code)].join(', ')})`, Prec.Call)
}

/**
 * `@functools.lru_cache`, `@lru_cache(maxsize=N)`, `@functools.cache` on a module function: the
 * runtime's cache wrapper (`functional.lruCache(N)`). Null for any other decorator.
 */
export function cacheDecorator(decorators: SyntaxNode[], ctx: Context): string | null {
  if (decorators.length !== 1) return null
  const expression = decorators[0].namedChildren.find((c) => c.type !== 'comment')!
  const callee = expression.type === 'call' ? expression.childForFieldName('function')! : expression
  const path = stdlibPath(callee, ctx)
  if (path !== 'functools.lru_cache' && path !== 'functools.cache') return null
  let maxsize = path === 'functools.cache' ? 'null' : '128'
  if (expression.type === 'call') {
    if (path === 'functools.cache') fail('unsupported-stdlib-call', expression, '`functools.cache()` takes no arguments')
    const args = callArguments(expression)
    requireStatic(args, 'functools.lru_cache()', ['maxsize'])
    const given = args.keywords.get('maxsize') ?? args.positional[0]
    if (args.positional.length > 1 || (args.positional.length === 1 && args.keywords.has('maxsize'))) fail('unsupported-stdlib-call', expression, '`lru_cache()` with arguments other than maxsize')
    if (given) maxsize = translateExpr(given, ctx).code
  }
  ctx.imports.libNamespaces.add('functional')
  return `functional.lruCache(${maxsize})`
}
