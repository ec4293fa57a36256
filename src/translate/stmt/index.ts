import { fail, snippet } from '../diagnostics.js'
import type { Context, SyntaxNode } from '../context.js'
import { translateAssignment, translateAugmentedAssignment } from './assign.js'
import { translateIf, translateWhile, translateJump, translateReturn } from './control.js'
import { translateFor } from './loops.js'
import { translateTry, translateRaise, translateAssert } from './exceptions.js'
import { translateExpressionStatement, translateDelete, translateScopeDeclaration, translateNestedDef, translateLocalImport } from './misc.js'
import { translateFlaskStatement } from '../flask/index.js'
import { translateWith } from './with.js'
import { translateMatch } from './match.js'
import { commentText } from '../../ts-text.js'

/** A statement translator: TypeScript lines, or undefined when the statement is not its kind. */
export type StmtTranslator = (node: SyntaxNode, ctx: Context) => string[] | undefined

const TRANSLATORS: StmtTranslator[] = [
  translateFlaskStatement,
  translateExpressionStatement,
  translateReturn,
  translateIf,
  translateFor,
  translateWhile,
  translateJump,
  translateTry,
  translateRaise,
  translateAssert,
  translateDelete,
  translateScopeDeclaration,
  translateNestedDef,
  translateLocalImport,
  translateWith,
  translateMatch,
]

const UNSUPPORTED_STATEMENTS: Record<string, string> = {
  class_definition: 'class defined inside a function',
  exec_statement: '`exec` statement',
  print_statement: 'Python 2 `print` statement',
  type_alias_statement: '`type` alias statement',
}

export function translateStatement(node: SyntaxNode, ctx: Context): string[] {
  if (node.type === 'comment') return [`//${commentText(node.text.slice(1))}`]
  for (const translator of TRANSLATORS) {
    const lines = translator(node, ctx)
    if (lines !== undefined) return lines
  }
  const known = UNSUPPORTED_STATEMENTS[node.type]
  return fail('unsupported-python-construct', node, `${known ?? `statement \`${snippet(node)}\` (${node.type})`} is not supported`)
}

/** The statements of a block; `functionBody` skips a leading docstring. */
export function translateBlock(block: SyntaxNode, ctx: Context, functionBody = false): string[] {
  const statements = block.namedChildren
  const lines: string[] = []
  statements.forEach((statement, i) => {
    if (functionBody && i === 0 && statement.type === 'expression_statement' && statement.namedChildren[0]?.type === 'string') {
      return
    }
    lines.push(...translateStatement(statement, ctx))
  })
  return lines
}

export function indent(lines: string[]): string[] {
  return lines.map((l) => (l === '' ? l : '  ' + l))
}
