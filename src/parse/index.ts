import { createRequire } from 'node:module'
import type Parser from 'tree-sitter'
import type { Finding } from '../ir/types.js'
import type { ScannedFile } from '../scan/index.js'
import { checkTree, MIGRATE_MAX_DEPTH } from './syntax.js'
import { includedRanges, scanTokens, type PythonError, type TokenScan } from './tokens.js'

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

/** tree-sitter's native build could not be loaded: an installation problem, reported in one line. */
export class ParserUnavailable extends Error {
  constructor(cause: unknown) {
    const reason = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]!.trim()
    super(`cannot load the Python parser, tree-sitter's native build (${reason}); reinstall it with: npm rebuild tree-sitter tree-sitter-python`)
    this.name = 'ParserUnavailable'
  }
}

let sharedParser: Parser | undefined
/** The tree-sitter module, loaded on first use so that a missing native build is an error the CLI can report. */
let TreeSitter: typeof Parser

function parser(): Parser {
  if (!sharedParser) {
    let Python: unknown
    try {
      const require = createRequire(import.meta.url)
      TreeSitter = require('tree-sitter') as typeof Parser
      Python = require('tree-sitter-python')
      const created = new TreeSitter()
      created.setLanguage(Python as Parser.Language)
      sharedParser = created
    } catch (error) {
      throw new ParserUnavailable(error)
    }
    cacheNodeTypes(Python as { nodeSubclasses?: unknown[] })
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
  const base = (TreeSitter as unknown as { SyntaxNode: { prototype: object } }).SyntaxNode
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
  const prototype = (TreeSitter as unknown as { SyntaxNode: { prototype: Record<PropertyKey, unknown> } }).SyntaxNode.prototype
  if (Object.hasOwn(prototype, REMEMBERED)) return
  prototype[REMEMBERED] = undefined
  // node-tree-sitter holds node objects weakly: once nothing refers to a tree's root node, the
  // next `tree.rootNode` is a new object, with nothing remembered, and so are all nodes read
  // from it. Each tree keeps its root node, so what its nodes remember lasts as long as the tree
  // (a view lookup scanning 2,500 top-level definitions read them all natively again each time).
  const treePrototype = (TreeSitter as unknown as { Tree: { prototype: Record<PropertyKey, unknown> } }).Tree.prototype
  const rootNode = Object.getOwnPropertyDescriptor(treePrototype, 'rootNode')?.get
  if (rootNode !== undefined) {
    Object.defineProperty(treePrototype, 'rootNode', {
      configurable: true,
      get(this: Record<PropertyKey, unknown>): unknown {
        return (this[REMEMBERED] ??= rootNode.call(this))
      },
    })
  }
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

/**
 * Parses Python source; tree-sitter's string input is read in chunks so large files work.
 * `skip` are ranges the parser leaves out (long blocks of comment lines, see scanTokens).
 */
export function parsePython(source: string, skip?: Parameters<typeof includedRanges>[1]): Tree {
  const ranges = skip === undefined ? undefined : includedRanges(source, skip)
  return parser().parse((index: number) => (index < source.length ? source.slice(index, index + 65536) : null), undefined, ranges !== undefined ? { includedRanges: ranges } : {})
}

/**
 * Parses every scanned file. A file Python would refuse (a syntax, indentation or tab error, or
 * code nested deeper than CPython compiles) becomes a `python-syntax-error` finding with its
 * line and is left out; so is a file nested deeper than migrate reads (`skipped-file`). The
 * other files go on.
 */
export function parseFiles(files: ScannedFile[]): ParseResult {
  const modules: ParsedModule[] = []
  const findings: Finding[] = []
  for (const file of files) {
    const tokens = scanTokens(file.source)
    const tree = parsePython(file.source, tokens.excluded)
    const error = firstPythonError(tokens, tree)
    const checked = error === null ? checkTree(tree) : null
    const refused = error ?? checked?.error ?? null
    if (refused !== null) {
      findings.push({
        ruleId: 'python-syntax-error',
        severity: 'error',
        message: `syntax error (${refused.message}); the module was left out of the migration`,
        location: { file: file.file, line: refused.line, column: refused.column },
      })
      continue
    }
    if (checked?.tooDeep) {
      const { line, column, depth } = checked.tooDeep
      findings.push({
        ruleId: 'skipped-file',
        severity: 'warning',
        message: `skipped: code nested more than ${MIGRATE_MAX_DEPTH} levels deep (${depth}), deeper than migrate follows; the module was left out of the migration`,
        location: { file: file.file, line, column },
      })
      continue
    }
    modules.push({ name: file.module, file: file.file, isPackage: file.isPackage, source: file.source, tree })
  }
  return { modules, findings }
}

function before(a: PythonError, b: PythonError): boolean {
  return a.line < b.line || (a.line === b.line && a.column < b.column)
}

/**
 * The error CPython reports for the file, or null when its tokenizer and parser accept it (the
 * compiler's own checks come after, in checkTree). CPython stops at the first error it meets
 * reading the file; when that is a parser error other than an unexpected indent, it tokenizes the
 * rest of the file, and a tokenizer error found there, or a bracket left open on an earlier
 * line, is reported instead.
 */
function firstPythonError(tokens: TokenScan, tree: Tree): PythonError | null {
  let parser = tokens.parserError
  /** The end of tree-sitter's error, when the parser error is tree-sitter's. */
  let treeEnd: PythonError | null = null
  if (tree.rootNode.hasError) {
    const bad = firstErrorNode(tree.rootNode)
    const start = bad?.startPosition ?? { row: 0, column: 0 }
    const end = bad?.endPosition ?? start
    const treeError: PythonError = { line: start.row + 1, column: start.column + 1, message: 'invalid syntax' }
    // tree-sitter's error spans the tokens it skipped, and often the line before the one Python
    // names: an error the scan found inside that span, or on the next line, is the precise one.
    const precise = (error: PythonError | null): boolean => error !== null && !before(error, treeError) && end.row + 1 >= error.line - 1
    if (parser === null || (!precise(parser) && before(treeError, parser))) {
      parser = treeError
      treeEnd = { line: end.row + 1, column: end.column + 1, message: '' }
    }
    if (precise(tokens.indentError) && !before(parser, tokens.indentError!)) parser = null
    if (precise(tokens.tokenizerError) && !before(parser ?? tokens.tokenizerError!, tokens.tokenizerError!)) parser = null
  }
  const first = [tokens.tokenizerError, tokens.indentError, parser].filter((error): error is PythonError => error !== null).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0))[0]
  if (first === undefined) return tokens.unclosed
  if (first !== parser || parser.final === true) return first
  if (tokens.tokenizerError !== null) return tokens.tokenizerError
  const unclosed = tokens.unclosed
  // tree-sitter's error begins where its recovery did, often before the bracket: one that reaches past the bracket is Python's error after it.
  if (unclosed !== null && (unclosed.line < parser.line || (parser === tokens.unclosed) || (treeEnd !== null && !before(treeEnd, unclosed)))) return unclosed
  return parser
}

/** The first ERROR or MISSING node in document order, found without recursion (trees can be thousands of levels deep). */
function firstErrorNode(root: SyntaxNode): SyntaxNode | undefined {
  let node = root
  for (;;) {
    if (node.type === 'ERROR' || node.isMissing) return node
    const next = node.children.find((child) => child.hasError || child.type === 'ERROR' || child.isMissing)
    if (next === undefined) return node.hasError ? node : undefined
    node = next
  }
}
