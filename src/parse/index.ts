import Parser from 'tree-sitter'
import Python from 'tree-sitter-python'
import type { Finding } from '../ir/types.js'
import type { ScannedFile } from '../scan/index.js'

export type SyntaxNode = Parser.SyntaxNode
export type Tree = Parser.Tree

/** A Python module with its tree-sitter tree. Modules with syntax errors are kept out of analysis. */
export interface ParsedModule {
  name: string
  file: string
  isPackage: boolean
  source: string
  tree: Tree
}

export interface ParseResult {
  modules: ParsedModule[]
  findings: Finding[]
}

let sharedParser: Parser | undefined

function parser(): Parser {
  if (!sharedParser) {
    sharedParser = new Parser()
    sharedParser.setLanguage(Python as unknown as Parser.Language)
    cacheNodeTypes(Python as unknown as { nodeSubclasses?: unknown[] })
    rememberNodeReads()
  }
  return sharedParser
}

/**
 * node-tree-sitter makes one SyntaxNode subclass per named node type and means to answer `type`
 * from it (`subclass.prototype.type = name`), but that assignment is silently dropped (the base
 * class has a getter-only `type`), so every `node.type` crosses into native code: the most called
 * node property of analyze and translate. Each subclass holds nodes of one type id, so its first
 * node's type is every node's type: it is kept on the subclass's prototype.
 */
function cacheNodeTypes(language: { nodeSubclasses?: unknown[] }): void {
  const base = (Parser as unknown as { SyntaxNode: { prototype: object } }).SyntaxNode
  const nativeType = Object.getOwnPropertyDescriptor(base.prototype, 'type')?.get
  if (nativeType === undefined) return
  for (const subclass of new Set(language.nodeSubclasses ?? [])) {
    if (typeof subclass !== 'function' || subclass === base) continue
    const prototype = (subclass as { prototype: object }).prototype
    if (Object.hasOwn(prototype, 'type')) continue
    Object.defineProperty(prototype, 'type', {
      configurable: true,
      get(this: object): string {
        const type = nativeType.call(this) as string
        Object.defineProperty(prototype, 'type', { value: type, configurable: true })
        return type
      },
    })
  }
}

const REMEMBERED = Symbol('remembered node reads')

interface Remembered {
  namedChildren?: unknown[]
  children?: unknown[]
  startIndex?: number
  endIndex?: number
  fields?: Map<string, unknown>
  fieldLists?: Map<string, unknown[]>
}

/**
 * Every read of a node's children, fields or offsets goes through native code and builds new
 * node arrays, and analyze and translate read the same nodes many times over (each pass over a
 * function body, each lookup of a definition). Trees are never edited after parsing, so each
 * node remembers what it answered the first time; arrays are handed out as copies, so a caller
 * that changes one changes nothing else. (Nodes are the same objects each time they are reached:
 * node-tree-sitter caches them by id.)
 */
function rememberNodeReads(): void {
  const prototype = (Parser as unknown as { SyntaxNode: { prototype: Record<PropertyKey, unknown> } }).SyntaxNode.prototype
  if (Object.hasOwn(prototype, REMEMBERED)) return
  prototype[REMEMBERED] = undefined
  const remembered = (node: Record<PropertyKey, unknown>): Remembered => (node[REMEMBERED] ??= {}) as Remembered
  const getter = (name: string): ((this: unknown) => unknown) => {
    const get = Object.getOwnPropertyDescriptor(prototype, name)?.get
    if (get === undefined) throw new Error(`tree-sitter's SyntaxNode has no ${name} getter`)
    return get
  }
  for (const name of ['namedChildren', 'children'] as const) {
    const read = getter(name)
    Object.defineProperty(prototype, name, {
      configurable: true,
      get(this: Record<PropertyKey, unknown>): unknown[] {
        const cache = remembered(this)
        return (cache[name] ??= read.call(this) as unknown[]).slice()
      },
    })
  }
  for (const name of ['startIndex', 'endIndex'] as const) {
    const read = getter(name)
    Object.defineProperty(prototype, name, {
      configurable: true,
      get(this: Record<PropertyKey, unknown>): number {
        const cache = remembered(this)
        return (cache[name] ??= read.call(this) as number)
      },
    })
  }
  const childForFieldName = prototype.childForFieldName as (this: unknown, name: string) => unknown
  prototype.childForFieldName = function (this: Record<PropertyKey, unknown>, name: string): unknown {
    const fields = (remembered(this).fields ??= new Map())
    if (!fields.has(name)) fields.set(name, childForFieldName.call(this, name))
    return fields.get(name)
  }
  const childrenForFieldName = prototype.childrenForFieldName as (this: unknown, name: string) => unknown[]
  prototype.childrenForFieldName = function (this: Record<PropertyKey, unknown>, name: string): unknown[] {
    const lists = (remembered(this).fieldLists ??= new Map())
    let list = lists.get(name)
    if (list === undefined) lists.set(name, (list = childrenForFieldName.call(this, name)))
    return list.slice()
  }
}

/** Parses Python source; tree-sitter's string input is read in chunks so large files work. */
export function parsePython(source: string): Tree {
  return parser().parse((index: number) => (index < source.length ? source.slice(index, index + 65536) : null))
}

/** Parses every scanned file. A file with a syntax error becomes a finding and is left out; the others go on. */
export function parseFiles(files: ScannedFile[]): ParseResult {
  const modules: ParsedModule[] = []
  const findings: Finding[] = []
  for (const file of files) {
    const tree = parsePython(file.source)
    if (tree.rootNode.hasError) {
      const bad = firstErrorNode(tree.rootNode)
      const line = (bad?.startPosition.row ?? 0) + 1
      const column = (bad?.startPosition.column ?? 0) + 1
      findings.push({
        ruleId: 'python-syntax-error',
        severity: 'error',
        message: `${file.file}:${line}:${column}: syntax error; the module was left out of the migration`,
        location: { file: file.file, line, column },
      })
      continue
    }
    modules.push({ name: file.module, file: file.file, isPackage: file.isPackage, source: file.source, tree })
  }
  return { modules, findings }
}

function firstErrorNode(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type === 'ERROR' || node.isMissing) return node
  for (const child of node.children) {
    if (child.hasError || child.type === 'ERROR' || child.isMissing) {
      const found = firstErrorNode(child)
      if (found) return found
    }
  }
  return node.hasError ? node : undefined
}
