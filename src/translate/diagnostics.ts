import type Parser from 'tree-sitter'
import type { Finding, Severity } from '../ir/types.js'

/** Every rule id the translate stage reports, with its severity. */
export const TRANSLATE_RULES = {
  /** A Python statement or expression form the translator does not carry over (yield, async, with, match, walrus…). */
  'unsupported-python-construct': 'error',
  /** A call into a standard-library module or builtin that the runtime does not implement. */
  'unsupported-stdlib-call': 'error',
  /** An import of a module that is neither the project's, Flask's, nor a supported stdlib module. */
  'unsupported-import': 'error',
  /** A Flask / Werkzeug API the generated runtime does not provide. */
  'unsupported-flask-api': 'error',
  /** Attribute access whose name is computed at run time (getattr/setattr/hasattr with a non-literal name). */
  'dynamic-attribute': 'error',
  /** Dynamic code execution (eval, exec, compile, __import__, globals(), locals()). */
  'dynamic-code-execution': 'error',
  /** A decorator the translator does not know (other than Flask's registration decorators). */
  'unknown-decorator': 'error',
  /** A call with keyword or unpacked arguments whose callee's signature is not known statically. */
  'dynamic-call-arguments': 'error',
  /** A name that resolves to nothing the translator knows (not local, module, import or builtin). */
  'unresolved-name': 'error',
  /** A class feature beyond plain classes (metaclasses, multiple inheritance, class decorators, properties…). */
  'unsupported-class-feature': 'error',
  /** A `global` / `nonlocal` declaration the translator cannot map (outside functions, or nonlocal). */
  'unsupported-scope-declaration': 'error',
  /** A factory closure variable other than the app itself, read by a nested view or hook. */
  'factory-closure-variable': 'error',
  /** The emitted TypeScript did not parse: an internal translator defect, reported instead of shipping it. */
  'translation-internal-error': 'error',
  /** A referenced project function or class could not be found in the parsed modules. */
  'missing-definition': 'error',
  /** A template (or what it needs from the app) the service's Jinja2 runtime does not carry over. */
  'template-not-migrated': 'error',
} as const satisfies Record<string, Severity>

export type TranslateRuleId = keyof typeof TRANSLATE_RULES

/** Thrown inside a translator when a construct cannot be carried over; the enclosing function becomes a stub. */
export class Untranslatable extends Error {
  constructor(
    readonly ruleId: TranslateRuleId,
    readonly node: Parser.SyntaxNode,
    message: string,
    /** A cause many handlers share (a decorator): see Finding.blockers. */
    readonly blocker?: string,
    /** Where the cause is when it is not in the Python source (a template's file and line). */
    readonly location?: { file: string; line: number; column: number },
  ) {
    super(message)
  }
}

/** The finding for an untranslatable construct; its location is the construct's, so the message does not repeat it. */
export function findingFor(error: Untranslatable, file: string, endpoint?: string): Finding {
  const line = error.node.startPosition.row + 1
  const column = error.node.startPosition.column + 1
  return {
    ruleId: error.ruleId,
    severity: TRANSLATE_RULES[error.ruleId],
    message: error.message,
    location: error.location ?? { file, line, column },
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(error.blocker !== undefined ? { blockers: [error.blocker] } : {}),
  }
}

/** Shorthand: abort the current function's translation. */
export function fail(ruleId: TranslateRuleId, node: Parser.SyntaxNode, message: string, blocker?: string): never {
  throw new Untranslatable(ruleId, node, message, blocker)
}

/** `@login_required`, `@limiter.limit("5/minute")` → `@login_required`, `@limiter.limit`: the decorator as a blocker's name. */
export function decoratorName(text: string): string {
  return `@${text.replace(/^@\s*/, '').replace(/\(.*$/s, '').replace(/\s+/g, '')}`
}

/** The source text of a node, shortened for messages. */
export function snippet(node: Parser.SyntaxNode): string {
  const text = node.text.replace(/\s+/g, ' ')
  return text.length > 60 ? text.slice(0, 57) + '...' : text
}
