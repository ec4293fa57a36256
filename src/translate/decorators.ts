/**
 * Decorators the project writes with `functools.wraps` (issue 10 item 4): the wrapper a
 * decorator returns (`py.wraps(view)(...)`, binding keywords), calls of the wrapped view with
 * `*args, **kwargs`, and a view under decorators, applied once, bottom-up, as Python stacks them.
 */
import { fail, snippet } from './diagnostics.js'
import { emitted, type Context, type Emitted, type SyntaxNode } from './context.js'
import { Prec, receiver } from './precedence.js'
import { translateExpr } from './expr/index.js'
import { resolveName } from './expr/names.js'
import { callArguments } from './expr/arguments.js'
import { signatureOf, translateFunction } from './function.js'
import { indent } from './stmt/index.js'
import { tsJson } from '../ts-text.js'

/**
 * `@functools.wraps(fn)` (or `@wraps(fn)` imported from functools) on a nested `def`: the
 * runtime's `py.wraps(<fn>)`. Null for any other decorator.
 */
export function wrapsDecorator(decorators: SyntaxNode[], ctx: Context): string | null {
  if (decorators.length !== 1) return null
  const expression = decorators[0].namedChildren.find((c) => c.type !== 'comment')!
  if (expression.type !== 'call') return null
  const callee = expression.childForFieldName('function')!
  const path =
    callee.type === 'identifier'
      ? resolveName(callee.text, callee, ctx)
      : callee.type === 'attribute' && callee.childForFieldName('object')!.type === 'identifier'
        ? resolveName(callee.childForFieldName('object')!.text, callee, ctx)
        : null
  // functools resolves as an unsupported import, or as a stdlib module where the translator models some of it.
  const member = path?.kind === 'unknown-import' ? path.name : path?.kind === 'stdlib' ? path.member : undefined
  const module = path?.kind === 'unknown-import' || path?.kind === 'stdlib' ? path.module : undefined
  const isWraps = module === 'functools' && (callee.type === 'identifier' ? member === 'wraps' : member === null && callee.childForFieldName('attribute')!.text === 'wraps')
  if (!isWraps) return null
  const args = expression.childForFieldName('arguments')!.namedChildren.filter((c) => c.type !== 'comment')
  if (args.length !== 1 || ['keyword_argument', 'list_splat', 'dictionary_splat'].includes(args[0].type)) {
    return fail('unsupported-python-construct', decorators[0], `\`${snippet(decorators[0])}\` with arguments other than the wrapped function`)
  }
  ctx.imports.py = true
  return `py.wraps(${translateExpr(args[0], ctx).code})`
}

/** The name `@wraps(name)` wraps, when it is a plain name (the decorator's parameter). */
export function wrapsDecoratorTarget(decorated: SyntaxNode): string | null {
  const decorator = decorated.namedChildren.find((c) => c.type === 'decorator')
  const call = decorator?.namedChildren.find((c) => c.type !== 'comment')
  const arg = call?.type === 'call' ? call.childForFieldName('arguments')?.namedChildren.find((c) => c.type !== 'comment') : undefined
  return arg?.type === 'identifier' ? arg.text : null
}

/** Python's `__qualname__` of a `def` (`f.<locals>.g`), for the TypeErrors of its calls. */
export function qualifiedName(def: SyntaxNode): string {
  const parts = [def.childForFieldName('name')!.text]
  for (let node = def.parent; node; node = node.parent) {
    if (node.type === 'function_definition') parts.unshift(`${node.childForFieldName('name')!.text}.<locals>`)
    else if (node.type === 'class_definition') parts.unshift(node.childForFieldName('name')!.text)
  }
  return parts.join('.')
}

/**
 * A view under decorators of the project (or of an extension's rule), applied once as Python
 * applies them, bottom-up, to the view as a function Python code can call with keywords; Flask
 * then calls the result with the view arguments as keywords (runtime `decoratedView`). The body
 * reaches the request through `currentContext()`, as the decorators' own code does.
 */
export function decoratedView(def: SyntaxNode, wrappers: SyntaxNode[], ctx: Context, closureLines: string[], moduleContext: () => Context): string {
  const fn = translateFunction(def, ctx, { kind: 'function' })
  const params = signatureOf(def, def)
  if (params.some((p) => p.kind !== 'positional')) fail('unsupported-python-construct', def, 'a decorated view with *args, **kwargs or keyword-only parameters')
  const name = def.childForFieldName('name')!.text
  ctx.imports.flask.add('decoratedView')
  ctx.imports.py = true
  const body = [...closureLines, ...fn.body]
  if (body.some((line) => /\bc\b/.test(line))) {
    ctx.imports.flask.add('currentContext')
    body.unshift('const c = currentContext()')
  }
  let code = [
    `py.withKeywords(${tsJson(name)}, [${params.map((p) => tsJson(p.name)).join(', ')}], ${params.filter((p) => !p.hasDefault).length}, (${fn.params.join(', ')}): Py => {`,
    ...indent(body),
    '})',
  ].join('\n')
  // Decorator expressions run when the module loads, outside any request, as in Python.
  const decoratorCtx = moduleContext()
  decoratorCtx.imports = ctx.imports
  decoratorCtx.dependencies = ctx.dependencies
  for (const decorator of [...wrappers].reverse()) {
    const expression = decorator.namedChildren.find((c) => c.type !== 'comment')!
    const value = translateExpr(expression, decoratorCtx)
    code = `${receiver(value)}(\n${indent(code.split('\n')).join('\n')},\n)`
  }
  return `decoratedView(\n${indent(code.split('\n')).join('\n')},\n)`
}

/**
 * `view(*args, **kwargs)` in a decorator's wrapper, where `view` is the function `@wraps(view)`
 * wraps (see Context.wrappedCallables): the keywords go to the runtime, which hands them to the
 * view or the wrapper of another decorator, both of which bind them by name.
 */
export function keywordValueCall(callee: string, args: ReturnType<typeof callArguments>, ctx: Context): Emitted {
  const dictSplats = args.splats.filter((s) => s.type === 'dictionary_splat')
  if (dictSplats.length > 1 || (dictSplats.length > 0 && args.keywords.size > 0)) {
    fail('dynamic-call-arguments', args.node, 'keyword arguments beside `**` unpacking in a call to a value whose signature is not known')
  }
  const positional = args.node.namedChildren
    .filter((c) => c.type !== 'comment' && c.type !== 'keyword_argument' && c.type !== 'dictionary_splat')
    .map((c) => (c.type === 'list_splat' ? `...py.iter(${translateExpr(c.namedChildren[0], ctx).code})` : translateExpr(c, ctx).code))
  ctx.imports.py = true
  const keywords =
    dictSplats.length > 0
      ? translateExpr(dictSplats[0].namedChildren[0], ctx).code
      : `py.keywords(${[...args.keywords].map(([name, value]) => `[${tsJson(name)}, ${translateExpr(value, ctx).code}]`).join(', ')})`
  return emitted(`py.callWithKeywords(${callee}, [${positional.join(', ')}], ${keywords})`, Prec.Call)
}

