import { fail } from '../diagnostics.js'
import { emitted, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec } from '../precedence.js'
import { translateExpr } from '../expr/index.js'
import { callArguments } from '../expr/arguments.js'
import { resolveName } from '../expr/names.js'

/** `click.echo(...)` (however click was imported): what a Flask CLI command prints. */
export function translateClickCall(node: SyntaxNode, ctx: Context): Emitted | undefined {
  const fn = node.childForFieldName('function')!
  let name: string | null = null
  if (fn.type === 'identifier') {
    const binding = resolveName(fn.text, fn, ctx)
    if (binding.kind === 'unknown-import' && binding.module === 'click') name = binding.name
  } else if (fn.type === 'attribute' && fn.childForFieldName('object')!.type === 'identifier') {
    const object = fn.childForFieldName('object')!
    const binding = resolveName(object.text, object, ctx)
    if (binding.kind === 'unknown-import' && binding.module === 'click' && binding.name === null) name = fn.childForFieldName('attribute')!.text
  }
  if (name === null) return undefined
  if (name !== 'echo') return fail('unsupported-import', node, `\`click.${name}()\` is not supported (only click.echo)`)
  // click.echo(message=None, file=None, nl=True, err=False, color=None)
  const args = callArguments(node)
  if (args.splats.length > 0) fail('dynamic-call-arguments', args.splats[0], 'unpacked arguments in a call to click.echo()')
  const names = ['message', 'file', 'nl', 'err', 'color']
  const bound = new Map<string, SyntaxNode>(args.positional.map((arg, i) => [names[i] ?? '', arg]))
  for (const [key, value] of args.keywords) bound.set(key, value)
  if (bound.has('') || bound.has('file') || [...bound.keys()].some((key) => !names.includes(key))) fail('unsupported-import', node, '`click.echo()` with a file or more than its known arguments')
  ctx.imports.py = true
  const message = bound.get('message')
  // None prints an empty line.
  const value = message ? translateExpr(message, ctx) : null
  const text = value === null ? "''" : value.type === 'str' ? value.code : `py.str(${value.code} ?? '')`
  const newline = bound.get('nl') ? `(py.truthy(${translateExpr(bound.get('nl')!, ctx).code}) ? '\\n' : '')` : "'\\n'"
  const stream = bound.get('err') ? `(py.truthy(${translateExpr(bound.get('err')!, ctx).code}) ? process.stderr : process.stdout)` : 'process.stdout'
  return emitted(`void ${stream}.write(${text} + ${newline})`, Prec.Unary, 'none')
}
