import { fail, snippet } from '../diagnostics.js'
import { emitted, floatValue, rawCode, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec, wrap } from '../precedence.js'
import { translateConstant, translateString, translateCollection } from './literals.js'
import { translateIdentifier } from './names.js'
import { translateBinary, translateUnary, translateBoolean, translateConditional, translateComparison } from './operators.js'
import { translateSubscript } from './subscript.js'
import { translateAttribute } from './attribute.js'
import { translateCall } from './calls.js'
import { translateComprehension } from './comprehensions.js'
import { translateLambda } from './lambda.js'
import { translateFlaskExpr } from '../flask/index.js'
import { translateSqlalchemyExpr } from './sqlalchemy.js'

export type ExprTranslator = (node: SyntaxNode, ctx: Context) => Emitted | undefined

/** Tried in order; the first that returns something wins. Flask's come first: they know their objects. */
const TRANSLATORS: ExprTranslator[] = [
  translateConstant,
  translateString,
  translateCollection,
  translateFlaskExpr,
  translateSqlalchemyExpr,
  translateIdentifier,
  translateBinary,
  translateUnary,
  translateBoolean,
  translateComparison,
  translateConditional,
  translateSubscript,
  translateCall,
  translateAttribute,
  translateComprehension,
  translateLambda,
  translateYield,
  translateAwait,
]

/** `yield x`, `yield`, `yield from it` inside a generator (the function becomes a `function*`). */
function translateYield(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type !== 'yield') return undefined
  let owner: SyntaxNode | null = node.parent
  while (owner && owner.type !== 'function_definition' && owner.type !== 'lambda') owner = owner.parent
  if (ctx.scope.kind !== 'function' || owner?.type !== 'function_definition') fail('unsupported-python-construct', node, '`yield` outside a function body (in a lambda or a comprehension)')
  const value = node.namedChildren.find((c) => c.type !== 'comment')
  if (node.children.some((c) => c.type === 'from')) {
    ctx.imports.py = true
    return emitted(`yield* py.iter(${translateExpr(value!, ctx).code})`, Prec.Arrow)
  }
  return emitted(value ? `yield ${translateExpr(value, ctx).code}` : 'yield null', Prec.Arrow)
}

/** `await x` in an `async def`. */
function translateAwait(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type !== 'await') return undefined
  let owner: SyntaxNode | null = node.parent
  while (owner && owner.type !== 'function_definition' && owner.type !== 'lambda') owner = owner.parent
  if (owner?.type !== 'function_definition' || !owner.children.some((c) => c.type === 'async')) fail('unsupported-python-construct', node, '`await` outside an `async def`')
  const value = node.namedChildren.find((c) => c.type !== 'comment')!
  return emitted(`await ${wrap(translateExpr(value, ctx), Prec.Unary)}`, Prec.Unary)
}

const UNSUPPORTED_EXPRESSIONS: Record<string, string> = {
  named_expression: 'assignment expression (walrus `:=`)',
  list_splat: 'unpacking `*x` in this position',
  dictionary_splat: 'unpacking `**x` in this position',
  ellipsis: '`...`',
}

/** Translates a Python expression or aborts the enclosing function with a finding. */
export function translateExpr(node: SyntaxNode, ctx: Context): Emitted {
  const precomputed = ctx.precomputed?.get(node.id)
  if (precomputed) return precomputed
  for (const translator of TRANSLATORS) {
    const result = translator(node, ctx)
    if (result === undefined) continue
    // A float gets its dynamic form beside the plain number (see Emitted).
    return result.type === 'float' && result.raw === undefined ? floatValue(result, ctx) : result
  }
  const known = UNSUPPORTED_EXPRESSIONS[node.type]
  return fail('unsupported-python-construct', node, `${known ?? `expression \`${snippet(node)}\` (${node.type})`} is not supported`)
}

/** A JavaScript condition with Python's truthiness. */
export function truthy(value: Emitted, ctx: Context): Emitted {
  // Literals fold (TypeScript rejects conditions that are always truthy).
  if (/^"(?:[^"\\]|\\.)*"$/.test(value.code)) return emitted(value.code === '""' ? 'false' : 'true', Prec.Primary, 'bool')
  const number = rawCode(value).code
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(number)) return emitted(Number(number) === 0 ? 'false' : 'true', Prec.Primary, 'bool')
  if (value.type === 'bool') return value
  if (value.type === 'str' || value.type === 'int') return value
  if (value.type === 'none') return emitted('false', Prec.Primary, 'bool')
  if (value.type === 'float') return emitted(`${wrap(rawCode(value), Prec.Equality + 1)} !== 0`, Prec.Equality, 'bool')
  ctx.imports.py = true
  return emitted(`py.truthy(${value.code})`, Prec.Call, 'bool')
}

/** An operand that can be evaluated twice without changing behaviour: a name, `this`, a literal, or `x.y` of those. */
export function isSimple(value: Emitted): boolean {
  // A float's dynamic form (`py.asFloat(x)`) is as simple as its raw form.
  const code = rawCode(value).code
  return /^(this|[A-Za-z_$][\w$]*)(\.[A-Za-z_$][\w$]*)*$/.test(code) || /^-?\d+(\.\d+)?$/.test(code) || /^"[^"\\]*"$/.test(code)
}

/** `str(value)` / a format field: `conversion` is `r`, `s`, `a` or null; `spec` is TypeScript code of the spec or null. */
export function formatValue(value: Emitted, conversion: string | null, spec: string | null, ctx: Context): Emitted {
  ctx.imports.py = true
  if (conversion === 'r' || conversion === 'a') {
    const text = emitted(`py.repr(${value.code})`, Prec.Call, 'str')
    return spec === null ? text : emitted(`py.format(${text.code}, ${spec})`, Prec.Call, 'str')
  }
  if (spec !== null && spec !== '``') return emitted(`py.format(${value.code}, ${spec})`, Prec.Call, 'str')
  switch (value.type) {
    case 'str':
      return value
    case 'int':
      return emitted(`String(${value.code})`, Prec.Call, 'str')
    case 'float':
      return emitted(`py.floatRepr(${rawCode(value).code})`, Prec.Call, 'str')
    default:
      return emitted(`py.str(${value.code})`, Prec.Call, 'str')
  }
}
