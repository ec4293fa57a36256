import { emitted, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec, wrap } from '../precedence.js'
import { translateParameters } from '../function.js'
import { translateExpr } from './index.js'

/** `lambda a, b=1: expr` → `(a, b = 1) => expr`. */
export function translateLambda(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type !== 'lambda') return undefined
  const { params, scope } = translateParameters(node.childForFieldName('parameters'), ctx, 'function')
  const body = translateExpr(node.childForFieldName('body')!, { ...ctx, scope })
  const bodyCode = body.code.startsWith('{') ? `(${body.code})` : wrap(body, Prec.Arrow)
  return emitted(`(${params.join(', ')}) => ${bodyCode}`, Prec.Arrow, 'function')
}
