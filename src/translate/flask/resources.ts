import { lstatSync, readFileSync, realpathSync } from 'node:fs'
import { isAbsolute, join, posix, relative, sep } from 'node:path'
import { fail, snippet } from '../diagnostics.js'
import { emitted, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec } from '../precedence.js'
import { callArguments } from '../expr/arguments.js'
import type { ProjectIndex } from '../project.js'
import { tsJson } from '../../ts-text.js'

/**
 * `current_app.open_resource("schema.sql")`: a file beside the app's package, opened for reading.
 * The file is read when the project is migrated and its content carried in the generated code
 * (runtime resource.ts), so the service holds it wherever it runs, as it was then.
 */

/** Reads a project file by its path relative to the project (undefined when it is not a regular file inside it). */
export type ProjectFileReader = (file: string) => Uint8Array | undefined

/** The app's root_path relative to the project, and how to read the project's files. */
interface Resources {
  appRoot: string
  read: ProjectFileReader
}

const RESOURCES = new WeakMap<ProjectIndex, Resources>()

/** Largest resource carried into generated code. */
const MAX_RESOURCE_BYTES = 1024 * 1024

/** Called once per translation: `importName` is the app's (Flask's root_path is the folder of that module or package). */
export function useResources(project: ProjectIndex, importName: string, read: ProjectFileReader | undefined): void {
  if (read === undefined) return
  const module = project.modules.get(importName)
  if (module === undefined) return
  RESOURCES.set(project, { appRoot: posix.dirname(module.file), read })
}

/** A file of the project by its path relative to the project (undefined when it is not one, or the project's files are not available). */
export function readProjectFile(project: ProjectIndex, path: string): Uint8Array | undefined {
  return RESOURCES.get(project)?.read(path)
}

/** A reader of files inside `root`: never through a symlink leading out, never above MAX_RESOURCE_BYTES. */
export function projectFileReader(root: string): ProjectFileReader {
  let rootReal: string | null = null
  return (file) => {
    try {
      rootReal ??= realpathSync(root)
      if (isAbsolute(file)) return undefined
      const path = join(root, file)
      const real = realpathSync(path)
      const inside = relative(rootReal, real)
      if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return undefined
      const stats = lstatSync(real)
      if (!stats.isFile() || stats.size > MAX_RESOURCE_BYTES) return undefined
      return new Uint8Array(readFileSync(real))
    } catch {
      return undefined
    }
  }
}

/** `current_app.open_resource(resource, mode="rb")` (Flask 2.2): the file's content, from the project, in the runtime's file object. */
export function translateOpenResource(node: SyntaxNode, ctx: Context): Emitted {
  const args = callArguments(node)
  if (args.splats.length > 0) fail('dynamic-call-arguments', args.splats[0], 'unpacked arguments in a call to open_resource()')
  const resource = args.positional[0] ?? args.keywords.get('resource')
  const modeNode = args.positional[1] ?? args.keywords.get('mode')
  if ([...args.keywords.keys()].some((key) => key !== 'resource' && key !== 'mode') || args.positional.length > 2) fail('unsupported-flask-api', node, '`open_resource()` with arguments other than resource and mode')
  const literal = (value: SyntaxNode | undefined): string | null => (value?.type === 'string' && /^[rRuU]?(['"])[^'"\\{}]*\1$/.test(value.text) ? value.text.replace(/^[rRuU]?['"]|['"]$/g, '') : null)
  const name = literal(resource)
  if (name === null) return fail('unsupported-flask-api', node, `\`${snippet(node)}\`: open_resource() of a file not named by a plain string literal`)
  const mode = modeNode === undefined ? 'rb' : literal(modeNode)
  if (mode === null || !['r', 'rb', 'rt'].includes(mode)) return fail('unsupported-flask-api', node, `\`${snippet(node)}\`: open_resource() in a mode other than "r", "rt" or "rb"`)
  const resources = RESOURCES.get(ctx.project)
  if (resources === undefined) return fail('unsupported-flask-api', node, '`open_resource()`: the project\'s files are not available to this translation')
  const path = posix.normalize(posix.join(resources.appRoot, name))
  const data = path.startsWith('../') || path === '..' || posix.isAbsolute(name) ? undefined : resources.read(path)
  if (data === undefined) return fail('unsupported-flask-api', node, `\`${snippet(node)}\`: ${path} is not a file of the project (or is larger than 1 MiB)`)
  let content: string
  try {
    content = `{ text: ${tsJson(new TextDecoder('utf-8', { fatal: true }).decode(data))} }`
  } catch {
    content = `{ base64: ${tsJson(Buffer.from(data).toString('base64'))} }`
  }
  ctx.imports.useLib('resource', 'openResource')
  return emitted(`openResource(${tsJson(path)}, ${content}, ${tsJson(mode)})`, Prec.Call)
}
