import type { ProjectIndex, ModuleInfo } from '../project.js'
import type { SyntaxNode } from '../context.js'

/**
 * The app's start-up work: a `with app.app_context():` block of the setup code that does more
 * than `db.create_all()` (the factory seeding an empty database: `if User.query.first() is None:
 * seed()`). The service runs the block's statements, translated, when it creates the app, after
 * the tables exist; the models depend on it (see expr/sqlalchemy.ts), so when it does not
 * translate, every view using the database stays a stub instead of answering from a database
 * without those rows.
 */
export interface StartupBlock {
  module: ModuleInfo
  /** The `with` statement; its body is the work. */
  node: SyntaxNode
  /** The functions it is nested in (the app factory), outermost first. */
  enclosing: SyntaxNode[]
  /** The first call of the block that is not `db.create_all()`: what makes it start-up work. */
  work: { file: string; line: number; text: string }
  /**
   * The block is part of the app's setup: in the function that makes the app (the factory), or at
   * the top of the module that makes it at import, and not under `if __name__ == "__main__":`.
   * Another one (a seed script, a helper the factory calls) is not run by the service.
   */
  inSetup: boolean
}

const found = new WeakMap<ProjectIndex, StartupBlock[]>()
const appLocations = new WeakMap<ProjectIndex, { file: string; line: number }>()

/** Where the migrated app is made (its `Flask(...)` call): the setup the start-up blocks must be in. Set before startupBlocks is first called. */
export function useStartupApp(project: ProjectIndex, location: { file: string; line: number }): void {
  appLocations.set(project, location)
  found.delete(project)
}

/** The function a node is in (null: the module's top), and whether it is under `if __name__ == "__main__":`. */
function placeOf(node: SyntaxNode): { fn: SyntaxNode | null; main: boolean } {
  let main = false
  let fn: SyntaxNode | null = null
  for (let parent = node.parent; parent !== null; parent = parent.parent) {
    if (parent.type === 'if_statement' && /__name__\s*==\s*['"]__main__['"]|['"]__main__['"]\s*==\s*__name__/.test(parent.childForFieldName('condition')?.text ?? '')) main = true
    if (fn === null && (parent.type === 'function_definition' || parent.type === 'class_definition')) fn = parent
  }
  return { fn, main }
}

/**
 * A module of the project's tests (pytest's and unittest's naming: a `tests`/`test` folder,
 * `test_*.py`, `*_test.py`, `conftest.py`): the app never imports it, so its
 * `with app.app_context():` blocks are the tests' set-up, not the app's start-up.
 */
function isTestModule(file: string): boolean {
  const parts = file.split('/')
  const name = parts.at(-1)!
  return parts.slice(0, -1).some((part) => part === 'tests' || part === 'test') || /^test_.*\.py$|_test\.py$|^conftest\.py$/.test(name)
}

/** The project's start-up blocks, in module order (one scan per translation). */
export function startupBlocks(project: ProjectIndex): StartupBlock[] {
  let blocks = found.get(project)
  if (blocks !== undefined) return blocks
  blocks = []
  const app = appLocations.get(project)
  for (const module of project.modules.values()) {
    // The node of the app's `Flask(...)` call: the setup code is its function's (or the module's top).
    const appNode = app !== undefined && app.file === module.file ? module.tree.rootNode.descendantsOfType('call').find((call) => call.startPosition.row + 1 === app.line) : undefined
    const appPlace = appNode === undefined ? undefined : placeOf(appNode)
    if (!module.source.includes('app_context') || isTestModule(module.file)) continue
    for (const block of module.tree.rootNode.descendantsOfType('with_statement')) {
      const body = block.childForFieldName('body')
      if (body === null || !/\.app_context\(\s*\)/.test(block.text.slice(0, body.startIndex - block.startIndex))) continue
      const work = body.descendantsOfType('call').find((call) => !(/\.create_all$/.test(call.childForFieldName('function')!.text) && call.childForFieldName('arguments')!.namedChildren.length === 0))
      if (work === undefined) continue
      const enclosing: SyntaxNode[] = []
      for (let parent = block.parent; parent !== null; parent = parent.parent) if (parent.type === 'function_definition' || parent.type === 'class_definition') enclosing.unshift(parent)
      const place = placeOf(block)
      const inSetup = appPlace !== undefined && !place.main && !appPlace.main && (place.fn === null ? appPlace.fn === null : appPlace.fn !== null && place.fn.startIndex === appPlace.fn.startIndex)
      blocks.push({ module, node: block, enclosing, work: { file: module.file, line: work.startPosition.row + 1, text: work.text.split('\n')[0]! }, inSetup })
    }
  }
  found.set(project, blocks)
  return blocks
}

const keys = new WeakMap<ProjectIndex, string>()

/** The translation's key for the start-up work (a symbol the models depend on), set before the models are translated. */
export function setStartupKey(project: ProjectIndex, key: string): void {
  keys.set(project, key)
}

export function startupKey(project: ProjectIndex): string | undefined {
  return keys.get(project)
}
