import type Parser from 'tree-sitter'
import type { ImportTarget, SyntaxNode } from './context.js'

/** A top-level definition of a module. */
export type SymbolDef =
  | { kind: 'function'; node: SyntaxNode; decorators: SyntaxNode[] }
  | { kind: 'class'; node: SyntaxNode; decorators: SyntaxNode[] }
  | { kind: 'data'; node: SyntaxNode; value: SyntaxNode; reassigned: boolean }
  | { kind: 'import'; target: ImportTarget; node: SyntaxNode }

export interface ModuleInfo {
  name: string
  file: string
  source: string
  tree: Parser.Tree
  isPackage: boolean
  symbols: Map<string, SymbolDef>
}

/** The project's modules and their top-level names, with Python's import resolution. */
export class ProjectIndex {
  readonly modules = new Map<string, ModuleInfo>()

  constructor(modules: { name: string; file: string; source: string; tree: Parser.Tree }[]) {
    for (const m of modules) {
      const isPackage = /(^|\/)__init__\.py$/.test(m.file)
      this.modules.set(m.name, { ...m, isPackage, symbols: new Map() })
    }
    for (const info of this.modules.values()) collectSymbols(this, info)
  }

  private readonly globalsCache = new Map<string, Set<string>>()

  /** Names some function of the module declares `global` (so they are rebound at run time). */
  globalsAssigned(module: string): Set<string> {
    let names = this.globalsCache.get(module)
    if (!names) {
      names = new Set()
      const info = this.modules.get(module)
      // Walking every node through tree-sitter's bindings is slow: skip modules that never say
      // `global`, and let tree-sitter find the statements in the others.
      if (info && /\bglobal\b/.test(info.source)) {
        for (const statement of info.tree.rootNode.descendantsOfType('global_statement')) for (const id of statement.namedChildren) names.add(id.text)
      }
      this.globalsCache.set(module, names)
    }
    return names
  }

  /** The absolute module named by `from <dots><name> import …` inside `from`. */
  resolveModuleName(from: ModuleInfo, level: number, name: string): string {
    if (level === 0) return name
    const parts = from.name.split('.')
    const base = from.isPackage ? parts : parts.slice(0, -1)
    const kept = base.slice(0, base.length - (level - 1))
    return [...kept, ...(name ? name.split('.') : [])].join('.')
  }

  /** Follows re-exports to the module and name that define a symbol. */
  resolveSymbol(module: string, name: string, seen = new Set<string>()): { module: ModuleInfo; name: string; def: SymbolDef } | null {
    const key = module + '\0' + name
    if (seen.has(key)) return null
    seen.add(key)
    const info = this.modules.get(module)
    if (!info) return null
    const def = info.symbols.get(name)
    if (!def) return null
    if (def.kind === 'import' && def.target.kind === 'member') {
      const submodule = `${def.target.module}.${def.target.name}`
      if (this.modules.has(submodule) && !this.modules.get(def.target.module)?.symbols.has(def.target.name)) {
        return { module: info, name, def: { kind: 'import', target: { kind: 'module', module: submodule }, node: def.node } }
      }
      return this.resolveSymbol(def.target.module, def.target.name, seen) ?? { module: info, name, def }
    }
    return { module: info, name, def }
  }
}

function importTargets(project: ProjectIndex, info: ModuleInfo, node: SyntaxNode): [string, ImportTarget][] {
  const out: [string, ImportTarget][] = []
  if (node.type === 'import_statement') {
    for (const child of node.namedChildren) {
      if (child.type === 'dotted_name') {
        // `import a.b` binds `a`.
        const first = child.text.split('.')[0]
        out.push([first, { kind: 'module', module: first }])
      } else if (child.type === 'aliased_import') {
        const name = child.childForFieldName('name')!.text
        out.push([child.childForFieldName('alias')!.text, { kind: 'module', module: name }])
      }
    }
    return out
  }
  const moduleNode = node.childForFieldName('module_name')!
  let level = 0
  let moduleText = moduleNode.text
  if (moduleNode.type === 'relative_import') {
    const prefix = moduleNode.namedChildren.find((c) => c.type === 'import_prefix')
    level = prefix ? prefix.text.length : 0
    moduleText = moduleNode.namedChildren.find((c) => c.type === 'dotted_name')?.text ?? ''
  }
  const module = project.resolveModuleName(info, level, moduleText)
  for (const child of node.childrenForFieldName('name')) {
    if (child.type === 'dotted_name') out.push([child.text, { kind: 'member', module, name: child.text }])
    else if (child.type === 'aliased_import') {
      out.push([child.childForFieldName('alias')!.text, { kind: 'member', module, name: child.childForFieldName('name')!.text }])
    }
  }
  return out
}

/** Import bindings of an import statement anywhere (module level or inside a function). */
export function importBindings(project: ProjectIndex, info: ModuleInfo, node: SyntaxNode): [string, ImportTarget][] {
  return importTargets(project, info, node)
}

function collectSymbols(project: ProjectIndex, info: ModuleInfo): void {
  const assignedCount = new Map<string, number>()
  for (const statement of info.tree.rootNode.namedChildren) {
    let node = statement
    const decorators: SyntaxNode[] = []
    if (node.type === 'decorated_definition') {
      decorators.push(...node.namedChildren.filter((c) => c.type === 'decorator'))
      node = node.childForFieldName('definition')!
    }
    if (node.type === 'function_definition' || node.type === 'class_definition') {
      const name = node.childForFieldName('name')!.text
      info.symbols.set(name, { kind: node.type === 'class_definition' ? 'class' : 'function', node, decorators })
    } else if (node.type === 'import_statement' || node.type === 'import_from_statement') {
      for (const [name, target] of importTargets(project, info, node)) info.symbols.set(name, { kind: 'import', target, node })
    } else if (node.type === 'expression_statement') {
      const assignment = node.namedChildren[0]
      if (assignment?.type === 'assignment' || assignment?.type === 'augmented_assignment') {
        const left = assignment.childForFieldName('left')!
        const value = assignment.childForFieldName('right')
        if (left.type === 'identifier') {
          const name = left.text
          assignedCount.set(name, (assignedCount.get(name) ?? 0) + 1)
          const reassigned = (assignedCount.get(name) ?? 0) > 1 || assignment.type === 'augmented_assignment'
          const previous = info.symbols.get(name)
          if (value && assignment.type === 'assignment' && value.type !== 'assignment' && (!previous || previous.kind !== 'data')) {
            info.symbols.set(name, { kind: 'data', node: assignment, value, reassigned })
          } else if (previous?.kind === 'data') {
            info.symbols.set(name, { ...previous, reassigned: true })
          }
        }
      }
    }
  }
}
