import { fail } from '../diagnostics.js'
import { emitted, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec, receiver } from '../precedence.js'
import { translateExpr } from './index.js'

function part(node: SyntaxNode | undefined, ctx: Context): string {
  return node ? translateExpr(node, ctx).code : 'null'
}

/** `x[a:b:c]` as the arguments of `py.slice`. */
export function sliceArguments(slice: SyntaxNode, ctx: Context): string {
  // tree-sitter keeps the colons as anonymous children; place each expression by its position.
  const slots: (SyntaxNode | undefined)[] = [undefined, undefined, undefined]
  let index = 0
  for (const child of slice.children) {
    if (child.type === ':') index++
    else if (child.isNamed && child.type !== 'comment') slots[index] = child
  }
  const [start, stop, step] = slots.map((s) => part(s, ctx))
  return step === 'null' ? (stop === 'null' ? `${start}` : `${start}, ${stop}`) : `${start}, ${stop}, ${step}`
}

/** `x[i]`, `d[k]`, `x[a:b]`. */
export function translateSubscript(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type !== 'subscript') return undefined
  const subscripts = node.childrenForFieldName('subscript')
  if (subscripts.length !== 1) fail('unsupported-python-construct', node, 'subscript with several indexes (x[a, b])')
  const value = translateExpr(node.childForFieldName('value')!, ctx)
  const index = subscripts[0]
  ctx.imports.py = true
  if (index.type === 'slice') {
    const type = value.type === 'str' || value.type === 'list' || value.type === 'tuple' ? value.type : 'unknown'
    return emitted(`py.slice(${value.code}, ${sliceArguments(index, ctx)})`, Prec.Call, type)
  }
  const key = translateExpr(index, ctx)
  if (value.type === 'dict') return emitted(`${receiver(value)}.getItem(${key.code})`, Prec.Call, 'unknown')
  return emitted(`py.getitem(${value.code}, ${key.code})`, Prec.Call, value.type === 'str' ? 'str' : 'unknown')
}
