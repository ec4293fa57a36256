import { fail } from '../diagnostics.js'
import { emitted, rawCode, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec } from '../precedence.js'
import { translateExpr } from './index.js'
import { callArguments, requireStatic } from './arguments.js'
import { resolveName } from './names.js'

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
const RE_FUNCTIONS: Record<string, string> = { match: 'reMatch', search: 'reSearch', fullmatch: 'reFullmatch', findall: 'reFindall', sub: 'reSub', split: 'reSplit' }
const RE_FLAGS: Record<string, string> = { I: 'i', IGNORECASE: 'i', M: 'm', MULTILINE: 'm', S: 's', DOTALL: 's' }

/** `math.pi`, `os.environ` used as values. */
export function translateStdlibAttribute(node: SyntaxNode, ctx: Context): Emitted | undefined {
  const path = stdlibPath(node, ctx)
  if (path === null) return undefined
  const constant = CONSTANTS[path]
  if (constant) return emitted(constant[0], Prec.Call, constant[1])
  return fail('unsupported-stdlib-call', node, `\`${path}\` used as a value`)
}

/** Calls into os, json, math, uuid, re, time. */
export function translateStdlibCall(node: SyntaxNode, ctx: Context): Emitted | undefined {
  const path = stdlibPath(node.childForFieldName('function')!, ctx)
  if (path === null) return undefined
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
  if (path === 'json.dumps') {
    requireStatic(args, path, ['indent', 'sort_keys'])
    const indent = args.keywords.get('indent')
    const sortKeys = args.keywords.get('sort_keys')
    const extra = indent || sortKeys ? `, ${indent ? translateExpr(indent, ctx).code : 'null'}, ${sortKeys ? translateExpr(sortKeys, ctx).code : 'false'}` : ''
    return py(`jsonDumpsPy(${values()[0]}${extra})`, 'str')
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
      return py(`reSub(${list.slice(0, 3).join(', ')}, ${count ? translateExpr(count, ctx).code : list[3] ?? '0'}, ${JSON.stringify(flags)})`, 'str')
    }
    if (name === 'reSplit') {
      const max = args.keywords.get('maxsplit')
      return py(`reSplit(${list.slice(0, 2).join(', ')}, ${max ? translateExpr(max, ctx).code : list[2] ?? '0'}, ${JSON.stringify(flags)})`, 'list')
    }
    return py(`${name}(${list.slice(0, 2).join(', ')}${flags ? `, ${JSON.stringify(flags)}` : ''})`, name === 'reFindall' ? 'list' : 'unknown')
  }
  return fail('unsupported-stdlib-call', node, `\`${path}()\` is not supported`)
}
