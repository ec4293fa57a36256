import { fail } from '../diagnostics.js'
import type { Context, SyntaxNode } from '../context.js'
import { translateExpr } from './index.js'
import type { ParamInfo } from '../function.js'
import { tsJson } from '../../ts-text.js'

/** The arguments of a call, as written. */
export interface CallArguments {
  node: SyntaxNode
  positional: SyntaxNode[]
  keywords: Map<string, SyntaxNode>
  /** `*x` / `**x` arguments. */
  splats: SyntaxNode[]
}

export function callArguments(call: SyntaxNode): CallArguments {
  const node = call.childForFieldName('arguments')!
  const args: CallArguments = { node, positional: [], keywords: new Map(), splats: [] }
  if (node.type === 'generator_expression') {
    args.positional.push(node)
    return args
  }
  for (const child of node.namedChildren) {
    if (child.type === 'comment') continue
    if (child.type === 'keyword_argument') args.keywords.set(child.childForFieldName('name')!.text, child.childForFieldName('value')!)
    else if (child.type === 'list_splat' || child.type === 'dictionary_splat') args.splats.push(child)
    else args.positional.push(child)
  }
  return args
}

/** Rejects splats, and keywords outside `allowed`. */
export function requireStatic(args: CallArguments, what: string, allowed: string[] = []): void {
  if (args.splats.length > 0) fail('dynamic-call-arguments', args.splats[0], `unpacked arguments (\`${args.splats[0].text}\`) in a call to ${what}`)
  for (const [name, value] of args.keywords) {
    if (!allowed.includes(name)) fail('dynamic-call-arguments', value.parent!, `keyword argument \`${name}\` in a call to ${what}`)
  }
}

/**
 * Maps a call's arguments onto a known signature as Python binds them: positional slots in
 * order, keywords by name, extra positionals into `*args` (a tuple), extra keywords into
 * `**kwargs` (a dict); a gap before a later argument is `undefined` (the default applies).
 */
export function bindToSignature(args: CallArguments, params: ParamInfo[], what: string, ctx: Context): string[] {
  if (params.some((p) => p.rest)) return bindToRestSignature(args, params, what, ctx)
  const varargs = params.findIndex((p) => p.kind === 'varargs')
  const kwargs = params.findIndex((p) => p.kind === 'kwargs')
  const named = params.filter((p) => p.kind === 'positional' || p.kind === 'keyword').map((p) => p.name)
  // `f(**mapping)` to a function taking only `**kwargs` (a model's constructor): the mapping's items are its keywords.
  const splat = args.splats[0]
  if (splat?.type === 'dictionary_splat' && args.splats.length === 1 && args.keywords.size === 0 && args.positional.length === 0 && kwargs >= 0 && named.length === 0 && varargs < 0) {
    ctx.imports.py = true
    const mapping = translateExpr(splat.namedChildren[0]!, ctx)
    return [...params.slice(0, kwargs).map(() => 'undefined'), `py.dict(...py.mappingItems(${mapping.code}))`]
  }
  requireStatic(args, what, kwargs >= 0 ? [...args.keywords.keys()] : named)
  const positional = params.filter((p) => p.kind === 'positional')
  if (args.positional.length > positional.length && varargs < 0) fail('dynamic-call-arguments', args.node, `too many arguments in a call to ${what}`)
  const slots: (string | undefined)[] = params.map(() => undefined)
  const extra: string[] = []
  args.positional.forEach((arg, i) => {
    const code = translateExpr(arg, ctx).code
    if (i < positional.length) slots[params.indexOf(positional[i])] = code
    else extra.push(code)
  })
  if (extra.length > 0) {
    ctx.imports.py = true
    slots[varargs] = `py.tuple(${extra.join(', ')})`
  }
  const extraKeywords: string[] = []
  for (const [name, value] of args.keywords) {
    const i = params.findIndex((p) => p.name === name && (p.kind === 'positional' || p.kind === 'keyword'))
    if (i < 0) {
      extraKeywords.push(`[${tsJson(name)}, ${translateExpr(value, ctx).code}]`)
      continue
    }
    if (slots[i] !== undefined) fail('dynamic-call-arguments', value.parent!, `argument \`${name}\` given twice in a call to ${what}`)
    slots[i] = translateExpr(value, ctx).code
  }
  if (extraKeywords.length > 0) {
    ctx.imports.py = true
    slots[kwargs] = `py.dict(${extraKeywords.join(', ')})`
  }
  params.forEach((p, i) => {
    if (slots[i] === undefined && !p.hasDefault) fail('dynamic-call-arguments', args.node, `missing argument \`${p.name}\` in a call to ${what}`)
  })
  let last = slots.length
  while (last > 0 && slots[last - 1] === undefined) last--
  return slots.slice(0, last).map((s) => s ?? 'undefined')
}

/**
 * A call to a function with rest parameters (ParamInfo.rest): positional parameters by slot (a
 * keyword naming one fills it), extra positionals after them, the other keywords in a trailing
 * `py.keywords(...)`. The callee binds `*args`, keyword-only parameters and `**kwargs` itself.
 */
function bindToRestSignature(args: CallArguments, params: ParamInfo[], what: string, ctx: Context): string[] {
  if (args.splats.length > 0) fail('dynamic-call-arguments', args.splats[0], `unpacked arguments (\`${args.splats[0].text}\`) in a call to ${what}`)
  const positional = params.filter((p) => p.kind === 'positional')
  const hasVarargs = params.some((p) => p.kind === 'varargs')
  const hasKwargs = params.some((p) => p.kind === 'kwargs')
  const slots: (string | undefined)[] = positional.map(() => undefined)
  const extra: string[] = []
  args.positional.forEach((arg, i) => {
    const code = translateExpr(arg, ctx).code
    if (i < positional.length) slots[i] = code
    else extra.push(code)
  })
  if (extra.length > 0 && !hasVarargs) fail('dynamic-call-arguments', args.node, `too many arguments in a call to ${what}`)
  const keywords: string[] = []
  for (const [name, value] of args.keywords) {
    const i = positional.findIndex((p) => p.name === name)
    if (i >= 0) {
      if (slots[i] !== undefined) fail('dynamic-call-arguments', value.parent!, `argument \`${name}\` given twice in a call to ${what}`)
      slots[i] = translateExpr(value, ctx).code
    } else if (hasKwargs || params.some((p) => p.kind === 'keyword' && p.name === name)) {
      keywords.push(`[${tsJson(name)}, ${translateExpr(value, ctx).code}]`)
    } else {
      fail('dynamic-call-arguments', value.parent!, `keyword argument \`${name}\` in a call to ${what}`)
    }
  }
  positional.forEach((p, i) => {
    if (slots[i] === undefined && !p.hasDefault) fail('dynamic-call-arguments', args.node, `missing argument \`${p.name}\` in a call to ${what}`)
  })
  for (const p of params) {
    if (p.kind === 'keyword' && !p.hasDefault && !args.keywords.has(p.name)) fail('dynamic-call-arguments', args.node, `missing argument \`${p.name}\` in a call to ${what}`)
  }
  let last = slots.length
  if (extra.length === 0 && keywords.length === 0) while (last > 0 && slots[last - 1] === undefined) last--
  const values = [...slots.slice(0, last).map((s) => s ?? 'undefined'), ...extra]
  if (keywords.length > 0) {
    ctx.imports.py = true
    values.push(`py.keywords(${keywords.join(', ')})`)
  }
  return values
}
