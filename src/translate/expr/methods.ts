import { fail } from '../diagnostics.js'
import { emitted, jsIdentifier, type Context, type Emitted, type PyType, type SyntaxNode, selfOf } from '../context.js'
import { Prec, receiver } from '../precedence.js'
import { translateExpr } from './index.js'
import { bindToSignature, callArguments, requireStatic, type CallArguments } from './arguments.js'
import { methodKind } from '../class.js'
import { signatureOf } from '../function.js'
import { keyAndReverse } from './builtins.js'
import { translateResponseMethod } from '../flask/index.js'
import { tsJson } from '../../ts-text.js'
import { translateQueryMethod } from './sqlalchemy.js'
import { translateReplace } from './stdlib-modules.js'
import { translateSchemaMethodCall } from '../schema-class.js'

/** Keyword parameters of builtin methods, in positional order. */
const METHOD_KEYWORDS: Record<string, string[]> = {
  split: ['sep', 'maxsplit'],
  rsplit: ['sep', 'maxsplit'],
  // decimal.Decimal's
  quantize: ['exp', 'rounding'],
  to_integral_value: ['rounding'],
  to_integral: ['rounding'],
}

const STR_RESULT: Record<string, PyType> = {
  strip: 'str', lstrip: 'str', rstrip: 'str', lower: 'str', upper: 'str', title: 'str', capitalize: 'str', swapcase: 'str',
  replace: 'str', join: 'str', format: 'str', zfill: 'str', center: 'str', ljust: 'str', rjust: 'str', removeprefix: 'str',
  removesuffix: 'str', split: 'list', rsplit: 'list', splitlines: 'list', find: 'int', rfind: 'int', index: 'int', count: 'int',
  startswith: 'bool', endswith: 'bool', isdigit: 'bool', isnumeric: 'bool', isdecimal: 'bool', isalpha: 'bool', isalnum: 'bool',
  isspace: 'bool', isupper: 'bool', islower: 'bool', partition: 'tuple', rpartition: 'tuple',
}
const LIST_METHODS = new Set(['append', 'extend', 'insert', 'pop', 'remove', 'index', 'count', 'reverse', 'clear', 'copy', 'sort'])
const DICT_METHODS = new Set(['get', 'keys', 'values', 'items', 'pop', 'popitem', 'setdefault', 'update', 'copy', 'clear'])
const SET_METHODS = new Set(['add', 'discard', 'remove', 'pop', 'clear', 'copy', 'update', 'union', 'intersection', 'difference', 'issubset', 'issuperset'])

function positional(args: CallArguments, name: string, ctx: Context): string[] {
  const order = METHOD_KEYWORDS[name] ?? []
  requireStatic(args, `.${name}()`, order)
  const values = args.positional.map((a) => translateExpr(a, ctx).code)
  order.forEach((kw, i) => {
    const value = args.keywords.get(kw)
    if (!value) return
    while (values.length < i) values.push(kw === 'maxsplit' ? '-1' : 'null')
    values[i] = translateExpr(value, ctx).code
  })
  return values
}

function resultType(type: PyType, name: string, recv: Emitted): PyType {
  if (type === 'str') return STR_RESULT[name] ?? 'unknown'
  if (name === 'copy') return recv.type
  if (type === 'dict' && (name === 'keys' || name === 'values' || name === 'items')) return 'list'
  if (name === 'index' || name === 'count') return 'int'
  return 'unknown'
}

/** `recv.name(args)` on a value (not a module): builtin methods by static type, else dispatched at run time. */
export function translateMethodCall(node: SyntaxNode, ctx: Context, discardResult = false): Emitted {
  const fn = node.childForFieldName('function')!
  const object = fn.childForFieldName('object')!
  const name = fn.childForFieldName('attribute')!.text
  const args = callArguments(node)
  if (object.type === 'call' && object.childForFieldName('function')?.text === 'super') {
    // The constructor's `super(...)` is built from this call by the class translation, arguments and all.
    if (name === '__init__') return emitted('super.__init__()', Prec.Call)
    requireStatic(args, `super().${name}()`)
    // `super().__init__(...)` becomes the constructor's `super(...)` (see class.ts), which checks its position.
    return emitted(`super.${jsIdentifier(name)}(${args.positional.map((a) => translateExpr(a, ctx).code).join(', ')})`, Prec.Call)
  }
  // `task_schema.load(data, partial=True)`: a method of a mapped extension's schema class.
  const schemaCall = translateSchemaMethodCall(node, ctx)
  if (schemaCall !== undefined) return schemaCall
  const recv = translateExpr(object, ctx)
  ctx.imports.py = true
  // A named tuple's `_replace(x=1)`.
  if (name === '_replace') return translateReplace('_replace', node, ctx, recv)
  const query = translateQueryMethod(node, recv, name, ctx)
  if (query !== undefined) return query
  if (name === 'sort' && recv.type !== 'str') {
    requireStatic(args, '.sort()', ['key', 'reverse'])
    const { key, reverse } = keyAndReverse(args, ctx)
    return emitted(`py.sortList(${recv.code}, ${key}, ${reverse})`, Prec.Call, 'none')
  }
  if (name === 'format' && (recv.type === 'str' || recv.type === 'unknown')) {
    if (args.splats.length > 0) fail('dynamic-call-arguments', args.splats[0], 'unpacked arguments in a call to str.format()')
    const values = args.positional.map((a) => translateExpr(a, ctx).code).join(', ')
    const kwargs = [...args.keywords].map(([k, v]) => `${tsJson(k)}: ${translateExpr(v, ctx).code}`).join(', ')
    if (recv.type === 'str') return emitted(`py.strFormat(${recv.code}, [${values}]${kwargs ? `, py.kwargs({ ${kwargs} })` : ''})`, Prec.Call, 'str')
  }
  if (recv.type === 'str' && name === 'encode') {
    // UTF-8 only: the encoding every str converts to without an error.
    requireStatic(args, 'str.encode()', ['encoding'])
    const encoding = args.positional[0] ?? args.keywords.get('encoding')
    if (args.positional.length > 1 || (encoding !== undefined && !/^[rRuU]?(['"])(utf-?8|UTF-?8)\1$/.test(encoding.text))) {
      fail('unsupported-stdlib-call', fn, `\`str.encode()\` to an encoding other than UTF-8`)
    }
    return emitted(`new TextEncoder().encode(${recv.code})`, Prec.Call, 'unknown')
  }
  if (recv.type === 'str') {
    if (!(name in STR_RESULT)) fail('unsupported-stdlib-call', fn, `str method \`${name}()\``)
    const values = positional(args, name, ctx)
    if (name === 'lower' && values.length === 0) return emitted(`${receiver(recv)}.toLowerCase()`, Prec.Call, 'str')
    if (name === 'upper' && values.length === 0) return emitted(`${receiver(recv)}.toUpperCase()`, Prec.Call, 'str')
    return emitted(`py.strMethods.${name}(${[recv.code, ...values].join(', ')})`, Prec.Call, STR_RESULT[name])
  }
  if (recv.type === 'list') {
    if (!LIST_METHODS.has(name)) fail('unsupported-stdlib-call', fn, `list method \`${name}()\``)
    const values = positional(args, name, ctx)
    if (name === 'append' && discardResult) return emitted(`${receiver(recv)}.push(${values.join(', ')})`, Prec.Call, 'none')
    return emitted(`py.listMethods.${name}(${[recv.code, ...values].join(', ')})`, Prec.Call, resultType('list', name, recv))
  }
  if (recv.type === 'dict') {
    if (!DICT_METHODS.has(name)) fail('unsupported-stdlib-call', fn, `dict method \`${name}()\``)
    requireStatic(args, `dict.${name}()`, name === 'update' ? [...args.keywords.keys()] : [])
    const values = args.positional.map((a) => translateExpr(a, ctx).code)
    if (name === 'update' && args.keywords.size > 0) {
      const kw = [...args.keywords].map(([k, v]) => `${tsJson(k)}: ${translateExpr(v, ctx).code}`).join(', ')
      return emitted(`${receiver(recv)}.update(${values[0] ?? 'null'}, py.kwargs({ ${kw} }))`, Prec.Call, 'none')
    }
    return emitted(`${receiver(recv)}.${name}(${values.join(', ')})`, Prec.Call, resultType('dict', name, recv))
  }
  if (recv.type === 'set') {
    if (!SET_METHODS.has(name)) fail('unsupported-stdlib-call', fn, `set method \`${name}()\``)
    const values = positional(args, name, ctx)
    return emitted(`py.setMethods.${name}(${[recv.code, ...values].join(', ')})`, Prec.Call, name === 'copy' ? 'set' : 'unknown')
  }
  if (recv.type === 'response') return translateResponseMethod(recv, name, node, ctx)
  if (recv.type !== 'unknown' && recv.type !== 'tuple') fail('unsupported-python-construct', fn, `method \`${name}()\` of a ${recv.type}`)
  if (recv.code === 'this') {
    const self = selfOf(ctx)
    const passContext = self?.passesContext && ctx.flask ? [ctx.flask.contextVar] : []
    const owner = self?.staticMethods.has(name) && !self.isClass ? '(this.constructor as Py)' : 'this'
    if (owner !== 'this') ctx.imports.py = true
    // A method of the class (or its project bases): arguments bound by its signature, keywords too.
    const classDef = self ? ctx.module.symbols.get(self.className) : undefined
    const method = classDef?.kind === 'class' ? methodKind(classDef.node, name, ctx.project, ctx.module.name) : null
    const values =
      method && method.kind !== 'property'
        ? bindToSignature(args, signatureOf(method.def, fn).slice(method.kind === 'static' ? 0 : 1), `\`self.${name}()\``, ctx)
        : (requireStatic(args, `self.${name}()`), args.positional.map((a) => translateExpr(a, ctx).code))
    return emitted(`${owner}.${jsIdentifier(name)}(${[...passContext, ...values].join(', ')})`, Prec.Call)
  }
  // `obj.m(a, *xs)`: spread in place (a method with rest parameters binds them as Python would).
  const spread = args.splats.length > 0 && args.keywords.size === 0 && args.splats.every((a) => a.type === 'list_splat')
  const values = spread
    ? args.node.namedChildren.filter((c) => c.type !== 'comment').map((c) => (c.type === 'list_splat' ? `...py.iter(${translateExpr(c.namedChildren[0], ctx).code})` : translateExpr(c, ctx).code))
    : positional(args, name, ctx)
  const type: PyType = ['strip', 'lower', 'upper', 'title', 'lstrip', 'rstrip', 'capitalize', 'join'].includes(name) ? 'str' : 'unknown'
  return emitted(`py.callMethod(${[recv.code, tsJson(name), ...values].join(', ')})`, Prec.Call, type)
}

