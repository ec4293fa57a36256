import { fail } from '../diagnostics.js'
import { emitted, isNumeric, joinTypes, rawCode, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec, receiver } from '../precedence.js'
import { translateExpr, truthy, formatValue } from './index.js'
import { callArguments, requireStatic, type CallArguments } from './arguments.js'
import { comprehensionParts } from './comprehensions.js'
import { resolveName, EXCEPTIONS, projectReference } from './names.js'
import { tsJson } from '../../ts-text.js'
import { translateOpen } from './files.js'

const DYNAMIC_CODE = new Set(['eval', 'exec', 'compile', '__import__', 'globals', 'locals', 'vars'])
const BUILTIN_TYPE_NAMES = new Set(['int', 'float', 'bool', 'str', 'list', 'tuple', 'dict', 'set', 'object'])

function pyCall(ctx: Context, code: string, type: Emitted['type'] = 'unknown'): Emitted {
  ctx.imports.py = true
  return emitted(`py.${code}`, Prec.Call, type)
}

function arg(args: CallArguments, i: number, ctx: Context): Emitted {
  return translateExpr(args.positional[i], ctx)
}

function arity(args: CallArguments, name: string, min: number, max: number): void {
  if (args.positional.length < min || args.positional.length > max) {
    fail('unsupported-stdlib-call', args.node, `${name}() with ${args.positional.length} positional arguments`)
  }
}

/** A type in `isinstance(x, T)`: a builtin type name or a class. */
function isinstanceType(node: SyntaxNode, ctx: Context): string {
  if (node.type === 'identifier') {
    if (BUILTIN_TYPE_NAMES.has(node.text)) {
      const binding = resolveName(node.text, node, ctx)
      if (binding.kind === 'builtin') return tsJson(node.text)
    }
    const binding = resolveName(node.text, node, ctx)
    if (binding.kind === 'builtin' && EXCEPTIONS.has(node.text)) {
      ctx.imports.exceptions.add(node.text)
      return node.text
    }
    if (binding.kind === 'project' && binding.def.kind === 'class') return projectReference(binding.module, binding.name, ctx)
    if (binding.kind === 'flask' && binding.name === 'Response') {
      // Flask's Response is a Werkzeug Response: the runtime's base class stands for both.
      ctx.imports.flask.add('FlaskResponse')
      return 'FlaskResponse'
    }
  }
  const value = translateExpr(node, ctx)
  if (value.type !== 'unknown') fail('unsupported-python-construct', node, `isinstance() against \`${node.text}\``)
  return value.code
}

/** The key function / reverse flag of sorted(), min(), max(), list.sort(). */
export function keyAndReverse(args: CallArguments, ctx: Context): { key: string; reverse: string } {
  const key = args.keywords.get('key')
  const reverse = args.keywords.get('reverse')
  return {
    key: key ? translateExpr(key, ctx).code : 'null',
    reverse: reverse ? truthy(translateExpr(reverse, ctx), ctx).code : 'false',
  }
}

/** `any(pred for x in xs)` stays lazy, as Python's short-circuits. */
function shortCircuit(name: 'any' | 'all', node: SyntaxNode, ctx: Context): Emitted {
  const { param, inner, filtered } = comprehensionParts(node, ctx)
  const body = truthy(translateExpr(node.childForFieldName('body')!, inner), inner)
  return emitted(`${filtered}.${name === 'any' ? 'some' : 'every'}((${param}) => ${body.code})`, Prec.Call, 'bool')
}

/** Calls of Python builtins. */
export function translateBuiltinCall(name: string, node: SyntaxNode, ctx: Context): Emitted {
  const args = callArguments(node)
  if (DYNAMIC_CODE.has(name)) fail('dynamic-code-execution', node, `\`${name}()\` runs or inspects code dynamically`)
  if (EXCEPTIONS.has(name)) {
    requireStatic(args, name)
    ctx.imports.exceptions.add(name)
    return emitted(`new ${name}(${args.positional.map((a) => translateExpr(a, ctx).code).join(', ')})`, Prec.Call, 'unknown')
  }
  switch (name) {
    case 'len': {
      requireStatic(args, name)
      arity(args, name, 1, 1)
      const value = arg(args, 0, ctx)
      if (value.type === 'list' || value.type === 'tuple') return emitted(`${receiver(value)}.length`, Prec.Call, 'int')
      if (value.type === 'dict' || value.type === 'set') return emitted(`${receiver(value)}.size`, Prec.Call, 'int')
      return pyCall(ctx, `len(${value.code})`, 'int')
    }
    case 'str':
      requireStatic(args, name)
      arity(args, name, 0, 1)
      return args.positional.length === 0 ? emitted('""', Prec.Primary, 'str') : formatValue(arg(args, 0, ctx), null, null, ctx)
    case 'repr':
      requireStatic(args, name)
      arity(args, name, 1, 1)
      return pyCall(ctx, `repr(${arg(args, 0, ctx).code})`, 'str')
    case 'int': {
      requireStatic(args, name, ['base'])
      arity(args, name, 0, 2)
      if (args.positional.length === 0) return emitted('0', Prec.Primary, 'int')
      const value = arg(args, 0, ctx)
      const base = args.positional[1] ?? args.keywords.get('base')
      if (!base && value.type === 'int') return value
      if (!base && value.type === 'float') return emitted(`Math.trunc(${rawCode(value).code})`, Prec.Call, 'int')
      return pyCall(ctx, `int(${value.code}${base ? ', ' + translateExpr(base, ctx).code : ''})`, 'int')
    }
    case 'float':
      requireStatic(args, name)
      arity(args, name, 0, 1)
      return args.positional.length === 0 ? emitted('0', Prec.Primary, 'float') : pyCall(ctx, `float(${arg(args, 0, ctx).code})`, 'float')
    case 'bool':
      requireStatic(args, name)
      arity(args, name, 0, 1)
      return args.positional.length === 0 ? emitted('false', Prec.Primary, 'bool') : truthy(arg(args, 0, ctx), ctx)
    case 'round': {
      requireStatic(args, name, ['ndigits'])
      arity(args, name, 1, 2)
      const digits = args.positional[1] ?? args.keywords.get('ndigits')
      if (!digits) return pyCall(ctx, `round(${arg(args, 0, ctx).code})`, 'int')
      const value = arg(args, 0, ctx)
      // An int stays an int; a float comes back boxed when integral, so its type is left dynamic.
      return pyCall(ctx, `round(${value.code}, ${translateExpr(digits, ctx).code})`, value.type === 'int' ? 'int' : 'unknown')
    }
    case 'abs': {
      requireStatic(args, name)
      arity(args, name, 1, 1)
      const value = arg(args, 0, ctx)
      if (isNumeric(value.type)) return emitted(`Math.abs(${rawCode(value).code})`, Prec.Call, value.type === 'bool' ? 'int' : value.type)
      return pyCall(ctx, `abs(${value.code})`)
    }
    case 'min':
    case 'max': {
      requireStatic(args, name, ['key', 'default'])
      if (args.positional.length === 0) fail('unsupported-stdlib-call', node, `${name}() without arguments`)
      const values = args.positional.map((a) => translateExpr(a, ctx))
      const type = values.map((v) => v.type).reduce(joinTypes)
      if (values.length >= 2 && args.keywords.size === 0 && (type === 'int' || type === 'float')) {
        return emitted(`Math.${name}(${values.map((v) => rawCode(v).code).join(', ')})`, Prec.Call, type)
      }
      const options: string[] = []
      const key = args.keywords.get('key')
      if (key) options.push(`key: ${translateExpr(key, ctx).code}`)
      const fallback = args.keywords.get('default')
      if (fallback) options.push(`default: ${translateExpr(fallback, ctx).code}`)
      return pyCall(ctx, `${name}([${values.map((v) => v.code).join(', ')}]${options.length ? `, { ${options.join(', ')} }` : ''})`)
    }
    case 'sum':
      requireStatic(args, name, ['start'])
      arity(args, name, 1, 2)
      return pyCall(ctx, `sum(${[...args.positional, ...(args.keywords.has('start') ? [args.keywords.get('start')!] : [])].map((a) => translateExpr(a, ctx).code).join(', ')})`)
    case 'sorted': {
      requireStatic(args, name, ['key', 'reverse'])
      arity(args, name, 1, 1)
      const { key, reverse } = keyAndReverse(args, ctx)
      const extra = reverse !== 'false' ? `, ${key}, ${reverse}` : key !== 'null' ? `, ${key}` : ''
      return pyCall(ctx, `sorted(${arg(args, 0, ctx).code}${extra})`, 'list')
    }
    case 'any':
    case 'all':
      requireStatic(args, name)
      arity(args, name, 1, 1)
      if (args.positional[0].type === 'generator_expression') return shortCircuit(name, args.positional[0], ctx)
      return pyCall(ctx, `${name}(${arg(args, 0, ctx).code})`, 'bool')
    case 'map': {
      // Lazy, as Python's map object: `map(f, xs)`, and `map(f, xs, ys)` over the shortest.
      requireStatic(args, name)
      if (args.positional.length < 2) fail('unsupported-stdlib-call', node, 'map() with fewer than two arguments')
      const [fn, ...iterables] = args.positional.map((a) => translateExpr(a, ctx).code)
      if (iterables.length === 1) return pyCall(ctx, `lazyMap(${iterables[0]}, (item: Py) => (${fn})(item))`)
      return pyCall(ctx, `lazyMap(py.zip(${iterables.join(', ')}), (items: Py) => ((${fn}) as (...args: Py[]) => Py)(...items))`)
    }
    case 'filter': {
      // `filter(None, xs)` keeps the truthy items; `filter(f, xs)` those f finds truthy. Lazy, as Python's.
      requireStatic(args, name)
      arity(args, name, 2, 2)
      const [fn, iterable] = args.positional
      const test = fn.type === 'none' ? 'py.truthy(item)' : `py.truthy((${translateExpr(fn, ctx).code})(item))`
      return pyCall(ctx, `lazyMap(${translateExpr(iterable, ctx).code}, (item: Py) => item, (item: Py) => ${test})`)
    }
    case 'enumerate':
      requireStatic(args, name, ['start'])
      arity(args, name, 1, 2)
      return pyCall(ctx, `enumerate(${[...args.positional, ...(args.keywords.has('start') ? [args.keywords.get('start')!] : [])].map((a) => translateExpr(a, ctx).code).join(', ')})`, 'list')
    case 'zip':
    case 'range':
    case 'reversed':
    case 'chr':
    case 'ord':
      requireStatic(args, name)
      if (name === 'range') arity(args, name, 1, 3)
      return pyCall(ctx, `${name}(${args.positional.map((a) => translateExpr(a, ctx).code).join(', ')})`, name === 'chr' ? 'str' : name === 'ord' ? 'int' : 'list')
    case 'list':
    case 'tuple':
    case 'set': {
      requireStatic(args, name)
      arity(args, name, 0, 1)
      if (args.positional.length === 0) {
        return name === 'list' ? emitted('[]', Prec.Primary, 'list') : pyCall(ctx, name === 'set' ? 'set()' : 'tuple()', name)
      }
      const fn = { list: 'list', tuple: 'toTuple', set: 'toSet' }[name]
      return pyCall(ctx, `${fn}(${arg(args, 0, ctx).code})`, name)
    }
    case 'dict': {
      if (args.splats.length > 0) fail('dynamic-call-arguments', args.splats[0], 'unpacked arguments in a call to dict()')
      arity(args, name, 0, 1)
      const source = args.positional.length ? arg(args, 0, ctx).code : 'null'
      if (args.keywords.size === 0) return args.positional.length ? pyCall(ctx, `toDict(${source})`, 'dict') : pyCall(ctx, 'dict()', 'dict')
      const kw = [...args.keywords].map(([k, v]) => `${tsJson(k)}: ${translateExpr(v, ctx).code}`).join(', ')
      return pyCall(ctx, `toDict(${source}, py.kwargs({ ${kw} }))`, 'dict')
    }
    case 'isinstance': {
      requireStatic(args, name)
      arity(args, name, 2, 2)
      const value = arg(args, 0, ctx)
      const typesNode = args.positional[1]
      const types = typesNode.type === 'tuple' ? typesNode.namedChildren.map((t) => isinstanceType(t, ctx)) : [isinstanceType(typesNode, ctx)]
      if (types.length === 1 && types[0] === '"str"') return emitted(`typeof ${value.code} === "string"`, Prec.Equality, 'bool')
      return pyCall(ctx, `isinstance(${value.code}, [${types.join(', ')}])`, 'bool')
    }
    case 'print': {
      requireStatic(args, name)
      ctx.imports.py = true
      return emitted(`console.log(${args.positional.map((a) => formatValue(translateExpr(a, ctx), null, null, ctx).code).join(` + " " + `) || '""'})`, Prec.Call, 'none')
    }
    case 'getattr':
    case 'hasattr':
    case 'setattr': {
      requireStatic(args, name)
      const attribute = args.positional[1]
      if (!attribute || attribute.type !== 'string' || attribute.text.startsWith('f')) {
        fail('dynamic-attribute', node, `\`${name}()\` with a computed attribute name`)
      }
      const values = args.positional.map((a) => translateExpr(a, ctx).code)
      return pyCall(ctx, `${name}(${values.join(', ')})`, name === 'hasattr' ? 'bool' : 'unknown')
    }
    case 'open':
      return translateOpen(node, ctx)
    case 'next':
      requireStatic(args, name)
      arity(args, name, 1, 2)
      return pyCall(ctx, `next(${args.positional.map((a) => translateExpr(a, ctx).code).join(', ')})`)
    case 'iter':
      requireStatic(args, name)
      arity(args, name, 1, 1)
      return pyCall(ctx, `iterOf(${arg(args, 0, ctx).code})`)
    case 'format':
      requireStatic(args, name)
      arity(args, name, 1, 2)
      return formatValue(arg(args, 0, ctx), null, args.positional[1] ? arg(args, 1, ctx).code : null, ctx)
  }
  return fail('unsupported-stdlib-call', node, `builtin \`${name}()\` is not supported`)
}

/** Python's names of the builtin types `type(x)` is compared with. */
const TYPE_NAMES = new Set(['bool', 'int', 'float', 'str', 'list', 'dict', 'tuple', 'set', 'bytes'])

/** `x` of a call `type(x)` to the builtin `type` (null for anything else). */
export function typeCallArgument(node: SyntaxNode, ctx: Context): SyntaxNode | null {
  if (node.type !== 'call') return null
  const fn = node.childForFieldName('function')!
  if (fn.type !== 'identifier' || fn.text !== 'type' || resolveName('type', fn, ctx).kind !== 'builtin') return null
  const args = node.childForFieldName('arguments')!.namedChildren.filter((c) => c.type !== 'comment')
  return args.length === 1 && !['keyword_argument', 'list_splat', 'dictionary_splat'].includes(args[0].type) ? args[0] : null
}

/** A builtin type's name (`bool`) when `node` names one, for `type(x) is bool`. */
export function builtinTypeName(node: SyntaxNode, ctx: Context): string | null {
  return node.type === 'identifier' && TYPE_NAMES.has(node.text) && resolveName(node.text, node, ctx).kind === 'builtin' ? node.text : null
}
