import { fail } from '../diagnostics.js'
import { emitted, type Context, type SyntaxNode } from '../context.js'
import { Prec } from '../precedence.js'
import { translateExpr, truthy } from '../expr/index.js'
import { translateBlock, indent } from './index.js'

/** `if` / `elif` / `else`. */
export function translateIf(node: SyntaxNode, ctx: Context): string[] | undefined {
  if (node.type !== 'if_statement') return undefined
  const condition = truthy(translateExpr(node.childForFieldName('condition')!, ctx), ctx)
  const lines = [`if (${condition.code}) {`, ...indent(translateBlock(node.childForFieldName('consequence')!, ctx)), '}']
  for (const alternative of node.childrenForFieldName('alternative')) {
    if (alternative.type === 'elif_clause') {
      const c = truthy(translateExpr(alternative.childForFieldName('condition')!, ctx), ctx)
      lines[lines.length - 1] = `} else if (${c.code}) {`
      lines.push(...indent(translateBlock(alternative.childForFieldName('consequence')!, ctx)), '}')
    } else {
      lines[lines.length - 1] = '} else {'
      lines.push(...indent(translateBlock(alternative.childForFieldName('body')!, ctx)), '}')
    }
  }
  return lines
}

/** Wraps a loop with an `else` clause in a labelled block that `break` leaves. */
export function withElse(node: SyntaxNode, ctx: Context, loop: (label: string | null) => string[]): string[] {
  const elseClause = node.childForFieldName('alternative')
  if (!elseClause) {
    ctx.loops.push({ breakLabel: null })
    try {
      return loop(null)
    } finally {
      ctx.loops.pop()
    }
  }
  const label = ctx.temp('loop')
  ctx.loops.push({ breakLabel: label })
  let body: string[]
  try {
    body = loop(label)
  } finally {
    ctx.loops.pop()
  }
  return [`${label}: {`, ...indent(body), ...indent(translateBlock(elseClause.childForFieldName('body')!, ctx)), '}']
}

export function translateWhile(node: SyntaxNode, ctx: Context): string[] | undefined {
  if (node.type !== 'while_statement') return undefined
  return withElse(node, ctx, () => {
    const condition = truthy(translateExpr(node.childForFieldName('condition')!, ctx), ctx)
    return [`while (${condition.code}) {`, ...indent(translateBlock(node.childForFieldName('body')!, ctx)), '}']
  })
}

/** `break`, `continue`, `pass`. */
export function translateJump(node: SyntaxNode, ctx: Context): string[] | undefined {
  switch (node.type) {
    case 'pass_statement':
      return []
    case 'continue_statement':
      return ['continue']
    case 'break_statement': {
      const loop = ctx.loops.at(-1)
      if (!loop) fail('unsupported-python-construct', node, '`break` outside a loop')
      return [loop.breakLabel ? `break ${loop.breakLabel}` : 'break']
    }
  }
  return undefined
}

export function translateReturn(node: SyntaxNode, ctx: Context): string[] | undefined {
  if (node.type !== 'return_statement') return undefined
  const values = node.namedChildren.filter((c) => c.type !== 'comment')
  if (values.length === 0) return [ctx.returnValue(emitted('null', Prec.Primary, 'none'))]
  const value = values.length === 1 ? values[0] : null
  if (!value) fail('unsupported-python-construct', node, 'return statement form')
  return [ctx.returnValue(translateExpr(value, ctx))]
}
