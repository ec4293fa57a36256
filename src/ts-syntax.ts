import { parse, parseExpression } from '@babel/parser'

export type SyntaxCheck = { ok: true } | { ok: false; message: string }

/** Answers already given, by kind and code: translate checks each fragment it prints, emit asks again for the same strings. */
const answers = { expression: new Map<string, SyntaxCheck>(), module: new Map<string, SyntaxCheck>() }
const MAX_ANSWERS = 50_000

/**
 * Whether `code` parses as TypeScript: one expression (a handler), or a module (a translated
 * symbol, a whole file). The one syntax check of the pipeline: translate decides
 * migrated-or-stub with it, emit asks it again for the handlers it is given (answered from
 * memory when translate asked first), and a full run's formatting parses each file once more
 * only to print it.
 */
export function checkTypeScriptSyntax(code: string, kind: 'expression' | 'module'): SyntaxCheck {
  const known = answers[kind].get(code)
  if (known !== undefined) return known
  let answer: SyntaxCheck
  try {
    if (kind === 'expression') parseExpression(code, { plugins: ['typescript'] })
    else parse(code, { sourceType: 'module', plugins: ['typescript'] })
    answer = { ok: true }
  } catch (error) {
    answer = { ok: false, message: (error instanceof Error ? error.message : String(error)).split('\n')[0]! }
  }
  // Bounded: a long process (a test run, a monorepo audit) does not keep every fragment alive.
  if (answers[kind].size >= MAX_ANSWERS) answers[kind].clear()
  answers[kind].set(code, answer)
  return answer
}
