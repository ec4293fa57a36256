import { fail, snippet } from '../diagnostics.js'
import { jsIdentifier, lookupLocal, type Context, type SyntaxNode } from '../context.js'
import { translateExpr, truthy } from '../expr/index.js'
import { resolveName, EXCEPTIONS, projectReference } from '../expr/names.js'
import { translateBlock, indent } from './index.js'
import { flaskExceptionClass } from '../flask/index.js'
import { stdlibPath } from '../expr/stdlib.js'
import { SQLITE_EXCEPTIONS, sqliteExceptionClass } from '../expr/sqlite.js'
import { tsJson } from '../../ts-text.js'
import { sqlalchemyExceptionClass } from '../expr/sqlalchemy.js'
import { STDLIB_EXCEPTIONS } from '../expr/stdlib-modules.js'
import { extensionMember } from '../expr/attribute.js'
import { extensionName } from '../../ir/extension-rules.js'

/** The class an `except` clause or a `raise` names. */
function exceptionClass(node: SyntaxNode, ctx: Context): string {
  if (node.type === 'identifier') {
    const binding = resolveName(node.text, node, ctx)
    if (binding.kind === 'builtin' && EXCEPTIONS.has(node.text)) {
      ctx.imports.exceptions.add(node.text)
      return node.text
    }
    if (binding.kind === 'project' && binding.def.kind === 'class') return projectReference(binding.module, binding.name, ctx)
    const flask = flaskExceptionClass(binding, ctx)
    if (flask) return flask
  }
  // `from sqlalchemy.exc import IntegrityError`: the data layer's (src/emit/runtime/db.ts).
  const sqlalchemy = sqlalchemyExceptionClass(node, ctx)
  if (sqlalchemy) return sqlalchemy
  // `except sqlite3.IntegrityError`, `from sqlite3 import OperationalError`.
  const sqlite = sqliteExceptionClass(node.type === 'identifier' || node.type === 'attribute' ? stdlibPath(node, ctx) : null, ctx)
  if (sqlite) return sqlite
  // `except db.IntegrityError`: the DB-API's exception classes are attributes of a connection too (the Flask tutorial's form).
  if (node.type === 'attribute' && SQLITE_EXCEPTIONS.has(node.childForFieldName('attribute')!.text)) {
    const owner = translateExpr(node.childForFieldName('object')!, ctx)
    if (owner.type === 'unknown') {
      ctx.imports.py = true
      return `py.getattr(${owner.code}, ${tsJson(node.childForFieldName('attribute')!.text)})`
    }
  }
  // `except ValidationError` (marshmallow's): an exception class of a mapped extension is the runtime's.
  if (node.type === 'identifier' || node.type === 'attribute') {
    const mapped = translateExpr(node, ctx)
    const binding = node.type === 'identifier' ? resolveName(node.text, node, ctx) : null
    const member = node.type === 'attribute' ? extensionMember(node, ctx) : null
    const found = binding?.kind === 'unknown-import' && binding.name !== null ? extensionName(binding.module, binding.name) : member !== null ? extensionName(member.module, member.name) : null
    if (found?.name.kind === 'class') return mapped.code
  }
  // `except InvalidOperation` (decimal's): the runtime module's class.
  if ((node.type === 'identifier' || node.type === 'attribute') && STDLIB_EXCEPTIONS.has(stdlibPath(node, ctx) ?? '')) return translateExpr(node, ctx).code
  return fail('unsupported-python-construct', node, `exception type \`${snippet(node)}\``)
}

/** `raise X(...)`, `raise X`, `raise e`, bare `raise`. */
export function translateRaise(node: SyntaxNode, ctx: Context): string[] | undefined {
  if (node.type !== 'raise_statement') return undefined
  const value = node.namedChildren.find((c) => c !== node.childForFieldName('cause'))
  if (!value) {
    const caught = ctx.caught.at(-1)
    if (!caught) fail('unsupported-python-construct', node, 'bare `raise` outside an `except` block')
    return [`throw ${caught}`]
  }
  if (value.type === 'identifier') {
    const binding = resolveName(value.text, value, ctx)
    if (binding.kind !== 'local') return [`throw new ${exceptionClass(value, ctx)}()`]
  }
  return [`throw ${translateExpr(value, ctx).code}`]
}

/** `try` / `except` / `else` / `finally`. */
export function translateTry(node: SyntaxNode, ctx: Context): string[] | undefined {
  if (node.type !== 'try_statement') return undefined
  const body = translateBlock(node.childForFieldName('body')!, ctx)
  const handlers = node.namedChildren.filter((c) => c.type === 'except_clause' || c.type === 'except_group_clause')
  const elseClause = node.namedChildren.find((c) => c.type === 'else_clause')
  const finallyClause = node.namedChildren.find((c) => c.type === 'finally_clause')
  let lines: string[]
  if (handlers.length === 0) lines = [`try {`, ...indent(body), '}']
  else {
    const error = ctx.temp('error')
    const okFlag = elseClause ? ctx.temp('completed') : null
    const chain: string[] = []
    let catchAll = false
    for (const handler of handlers) {
      if (handler.type === 'except_group_clause') fail('unsupported-python-construct', handler, '`except*`')
      const asPattern = handler.namedChildren.find((c) => c.type === 'as_pattern')
      const typeNode = asPattern ? asPattern.namedChildren[0] : handler.namedChildren.find((c) => c.type !== 'block' && c.type !== 'comment')
      const alias = asPattern?.childForFieldName('alias')?.namedChildren[0] ?? asPattern?.childForFieldName('alias')
      let test: string | null = null
      if (typeNode) {
        const types = typeNode.type === 'tuple' ? typeNode.namedChildren : [typeNode]
        test = types
          .map((t) => {
            const cls = exceptionClass(t, ctx)
            // `except Exception` also catches JavaScript errors (they stand for Python's TypeError, AttributeError, …).
            if (cls === 'Exception' || cls === 'BaseException') return `!(${error} instanceof py.BaseExceptionClass) || ${error} instanceof ${cls}`
            return `${error} instanceof ${cls}`
          })
          .join(' || ')
        if (test.includes('py.BaseExceptionClass')) ctx.imports.py = true
      }
      ctx.caught.push(error)
      let block: string[]
      try {
        const bind: string[] = []
        if (alias) {
          const found = lookupLocal(ctx.scope, alias.text)
          bind.push(found && !ctx.constNames.has(alias.text) && found.scope === ctx.scope ? `${found.local.jsName} = ${error}` : `const ${jsIdentifier(alias.text)} = ${error}`)
        }
        block = [...bind, ...translateBlock(handler.namedChildren.find((c) => c.type === 'block')!, ctx)]
      } finally {
        ctx.caught.pop()
      }
      if (test === null) {
        catchAll = true
        chain.push(chain.length === 0 ? '{' : '} else {', ...indent(block))
        break
      }
      chain.push(`${chain.length === 0 ? '' : '} else '}if (${test}) {`, ...indent(block))
    }
    if (!catchAll) chain.push('} else {', `  throw ${error}`)
    chain.push('}')
    const tryBody = okFlag ? [...body, `${okFlag} = true`] : body
    lines = [...(okFlag ? [`let ${okFlag} = false`] : []), 'try {', ...indent(tryBody), `} catch (${error}) {`, ...indent(chain), '}']
    if (okFlag && elseClause) lines.push(`if (${okFlag}) {`, ...indent(translateBlock(elseClause.childForFieldName('body')!, ctx)), '}')
    if (finallyClause) lines = ['try {', ...indent(lines), '}']
  }
  if (finallyClause) {
    lines[lines.length - 1] = '} finally {'
    lines.push(...indent(translateBlock(finallyClause.namedChildren.find((c) => c.type === 'block')!, ctx)), '}')
  }
  return lines
}

export function translateAssert(node: SyntaxNode, ctx: Context): string[] | undefined {
  if (node.type !== 'assert_statement') return undefined
  const [condition, message] = node.namedChildren.map((c) => translateExpr(c, ctx))
  ctx.imports.exceptions.add('AssertionError')
  return [`if (!${truthy(condition, ctx).code.match(/^[\w.]+$/) ? truthy(condition, ctx).code : `(${truthy(condition, ctx).code})`}) throw new AssertionError(${message ? message.code : ''})`]
}
