import type { SyntaxNode } from '../parse/index.js'
import { extensionPath } from '../ir/extension-rules.js'
import type { FunctionValue, Value } from './values.js'

/**
 * Whether the translator carries a decorator of a view over (so the analysis does not report it):
 * a decorator of an extension mapping (`flask_login.login_required`, `flask_jwt_extended.jwt_required(...)`), or a project function that,
 * called on the view, returns the view itself or a function it wraps with `functools.wraps`
 * (Flask then names the endpoint after the view, as the analysis does). `call` runs the project
 * decorator in the interpreter.
 */
export function carriesViewDecorator(decorator: Value, view: FunctionValue, call: (fn: Value, args: Value[]) => Value): boolean {
  if (decorator.kind === 'external') return extensionPath(decorator.path)?.name.kind === 'decorator'
  // `@jwt_required(...)`: the call of an extension's decorator factory (its mapping lists parameters).
  if (decorator.kind === 'instance') {
    const mapped = extensionPath(decorator.cls.qualname)?.name
    return mapped?.kind === 'decorator' && mapped.parameters !== undefined
  }
  if (decorator.kind !== 'function' || decorator.node.type === 'lambda') return false
  const result = call(decorator, [view])
  if (result.kind !== 'function') return false
  return result.node === view.node || hasWraps(result.node)
}

function hasWraps(def: SyntaxNode): boolean {
  const parent = def.parent
  if (parent?.type !== 'decorated_definition') return false
  return parent.namedChildren.some((child) => child.type === 'decorator' && /^@\s*(?:functools\s*\.\s*)?wraps\s*\(/.test(child.text))
}
