import { posix } from 'node:path'
import { fail, snippet } from '../diagnostics.js'
import { emitted, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec } from '../precedence.js'
import { callArguments } from './arguments.js'
import { stdlibPath } from './stdlib.js'
import { readProjectFile } from '../flask/resources.js'
import type { ModuleInfo } from '../project.js'
import { collectBindings } from '../function.js'
import { tsJson } from '../../ts-text.js'

/** A plain string literal's text (no f-string, no escapes); null for anything else. */
function literalText(node: SyntaxNode): string | null {
  return node.type === 'string' && /^[rRuU]?(['"])[^'"\\{}]*\1$/.test(node.text) ? node.text.replace(/^[rRuU]?['"]|['"]$/g, '') : null
}

/**
 * A path the translator can compute, relative to the project folder: a literal (relative to the
 * working directory, which is the project folder when Flask runs from it), the folder of
 * `__file__` (`os.path.dirname(os.path.abspath(__file__))`), `os.path.join` of those, or a
 * module constant holding one (`BASE_DIR`). Null when it is anything else.
 */
function staticPath(node: SyntaxNode, module: ModuleInfo, ctx: Context, depth = 0): string | null {
  if (depth > 8) return null
  const literal = literalText(node)
  if (literal !== null) return posix.isAbsolute(literal) ? null : posix.normalize(literal)
  if (node.type === 'identifier') {
    if (node.text === '__file__') return module.file
    if (module === ctx.module) {
      // A local assigned once, at the top of its function (`path = os.path.join(...)`).
      const assigned = singleAssignment(node)
      if (assigned !== undefined) return assigned === null ? null : staticPath(assigned, module, ctx, depth + 1)
    }
    const def = module.symbols.get(node.text)
    if (def?.kind === 'data' && !def.reassigned) return staticPath(def.value, module, ctx, depth + 1)
    return null
  }
  if (node.type !== 'call') return null
  const fn = node.childForFieldName('function')!
  const path = fn.type === 'attribute' ? stdlibPathIn(fn, module, ctx) : null
  const args = callArguments(node)
  if (args.keywords.size > 0 || args.splats.length > 0) return null
  const parts = args.positional.map((a) => staticPath(a, module, ctx, depth + 1))
  if (parts.some((p) => p === null)) return null
  const values = parts as string[]
  switch (path) {
    case 'os.path.dirname':
      return values.length === 1 ? posix.dirname(values[0]) : null
    case 'os.path.abspath':
    case 'os.path.realpath':
    case 'os.path.normpath':
      return values.length === 1 ? posix.normalize(values[0]) : null
    case 'os.path.join':
      return values.length > 0 ? posix.normalize(posix.join(...values)) : null
  }
  return null
}

/**
 * The value of the only assignment to a name in the body of the function around `node`, when that
 * is a statement of the body itself; null when the function binds the name otherwise; undefined
 * when the name is not the function's (a global).
 */
function singleAssignment(node: SyntaxNode): SyntaxNode | null | undefined {
  let def: SyntaxNode | null = node.parent
  while (def && def.type !== 'function_definition') def = def.parent
  if (!def) return undefined
  const bindings = collectBindings(def.childForFieldName('body')!).bindings.get(node.text)
  const params = def.childForFieldName('parameters')?.namedChildren.some((p) => (p.type === 'identifier' ? p.text : p.childForFieldName('name')?.text) === node.text)
  if (!bindings && !params) return undefined
  if (params || bindings?.length !== 1 || bindings[0] !== 'assign-top') return null
  for (const statement of def.childForFieldName('body')!.namedChildren) {
    const assignment = statement.type === 'expression_statement' ? statement.namedChildren[0] : null
    if (assignment?.type === 'assignment' && assignment.childForFieldName('left')?.text === node.text) return assignment.childForFieldName('right')
  }
  return null
}

/** `os.path.x` in a module (names resolve in that module, which may not be the one being translated). */
function stdlibPathIn(fn: SyntaxNode, module: ModuleInfo, ctx: Context): string | null {
  if (module === ctx.module) return stdlibPath(fn, ctx)
  return stdlibPath(fn, { ...ctx, module, scope: { kind: 'module', parent: null, locals: new Map(), globals: new Set(), importBindings: new Map() } })
}

/**
 * `open(path, mode="r", encoding=...)` of a file of the project, for reading: the file's content
 * is carried into the generated code when the project is migrated (runtime resource.ts), so the
 * service reads what Flask read from its folder. Writing, and paths the translator cannot
 * compute, are reported.
 */
export function translateOpen(node: SyntaxNode, ctx: Context): Emitted {
  const args = callArguments(node)
  const names = ['file', 'mode', 'buffering', 'encoding', 'errors', 'newline']
  if (args.splats.length > 0 || args.positional.length > 2) fail('unsupported-stdlib-call', node, `\`${snippet(node)}\`: open() with arguments other than file, mode and encoding`)
  const bound = new Map<string, SyntaxNode>(args.positional.map((a, i) => [names[i], a]))
  for (const [key, value] of args.keywords) {
    if (!['file', 'mode', 'encoding'].includes(key) || bound.has(key)) fail('unsupported-stdlib-call', value.parent!, `\`${snippet(node)}\`: open() argument \`${key}\``)
    bound.set(key, value)
  }
  const fileNode = bound.get('file')
  const path = fileNode ? staticPath(fileNode, ctx.module, ctx) : null
  if (path === null || path === '..' || path.startsWith('../')) {
    return fail('unsupported-stdlib-call', node, `\`${snippet(node)}\`: open() of a path that is not a file of the project the translator can name`)
  }
  const modeNode = bound.get('mode')
  const mode = modeNode === undefined ? 'r' : literalText(modeNode)
  if (mode === null || !['r', 'rt', 'rb'].includes(mode)) return fail('unsupported-stdlib-call', node, `\`${snippet(node)}\`: open() in a mode other than "r", "rt" or "rb" (writing files is not carried over)`)
  const encoding = bound.get('encoding')
  if (encoding !== undefined && !/^utf-?8$/i.test(literalText(encoding) ?? '')) fail('unsupported-stdlib-call', encoding, `\`${snippet(node)}\`: open() with an encoding other than UTF-8`)
  const data = readProjectFile(ctx.project, path)
  if (data === undefined) return fail('unsupported-stdlib-call', node, `\`${snippet(node)}\`: ${path} is not a file of the project (or is larger than 1 MiB)`)
  let content: string
  try {
    content = `{ text: ${tsJson(new TextDecoder('utf-8', { fatal: true }).decode(data))} }`
  } catch {
    content = `{ base64: ${tsJson(Buffer.from(data).toString('base64'))} }`
  }
  ctx.imports.useLib('resource', 'openResource')
  return emitted(`openResource(${tsJson(path)}, ${content}, ${tsJson(mode)})`, Prec.Call)
}

/**
 * `os.path.join(os.path.dirname(__file__), "data")` and the like used as a value: the same path
 * under the folder the service runs from, where Flask has it under its project folder (both are
 * where the deployment puts them). Undefined when the expression is no such path.
 */
export function translateStaticPath(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (!mentionsFile(node)) return undefined
  const path = staticPath(node, ctx.module, ctx)
  if (path === null) return undefined
  ctx.imports.py = true
  return emitted(`py.projectPath(${tsJson(path)})`, Prec.Call, 'str')
}

function mentionsFile(node: SyntaxNode): boolean {
  return (node.type === 'identifier' && node.text === '__file__') || node.namedChildren.some(mentionsFile)
}
