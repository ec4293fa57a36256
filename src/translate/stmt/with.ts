import { fail } from '../diagnostics.js'
import { emitted, type Context, type SyntaxNode } from '../context.js'
import { Prec } from '../precedence.js'
import { translateExpr } from '../expr/index.js'
import { translateBlock, indent } from './index.js'
import { assignTo } from './assign.js'

/**
 * `with a as x, b:` as Python runs it, one manager inside the other: `__enter__` before the body
 * (its value bound to the target), `__exit__(type, value, traceback)` after it, with the exception
 * when the body raised (re-raised unless `__exit__` returns something true), all None otherwise,
 * also when the body returns, breaks or continues.
 */
export function translateWith(node: SyntaxNode, ctx: Context): string[] | undefined {
  if (node.type !== 'with_statement') return undefined
  if (node.children.some((c) => c.type === 'async')) fail('unsupported-python-construct', node, '`async with`')
  const clause = node.namedChildren.find((c) => c.type === 'with_clause')
  const items = clause?.namedChildren.filter((c) => c.type === 'with_item') ?? []
  if (items.length === 0) fail('unsupported-python-construct', node, '`with` statement form')
  const body = node.childForFieldName('body')!
  ctx.imports.py = true
  const nest = (i: number): string[] => {
    if (i === items.length) return translateBlock(body, ctx)
    let value = items[i].childForFieldName('value')!
    let target: SyntaxNode | null = null
    if (value.type === 'as_pattern') {
      target = value.childForFieldName('alias')?.namedChildren[0] ?? null
      value = value.namedChildren[0]
      if (!target) fail('unsupported-python-construct', items[i], '`with` target')
    }
    const manager = ctx.temp('manager')
    const entered = ctx.temp('entered')
    const completed = ctx.temp('completed')
    const error = ctx.temp('error')
    return [
      `const ${manager} = ${translateExpr(value, ctx).code}`,
      target ? `const ${entered} = py.enter(${manager})` : `py.enter(${manager})`,
      `let ${completed} = true`,
      'try {',
      ...indent([...(target ? assignTo(target, emitted(entered, Prec.Primary), ctx) : []), ...nest(i + 1)]),
      `} catch (${error}) {`,
      `  ${completed} = false`,
      `  if (!py.exit(${manager}, ${error})) throw ${error}`,
      '} finally {',
      `  if (${completed}) py.exit(${manager})`,
      '}',
    ]
  }
  return nest(0)
}
