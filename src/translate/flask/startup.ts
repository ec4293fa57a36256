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
}

const found = new WeakMap<ProjectIndex, StartupBlock[]>()

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
  for (const module of project.modules.values()) {
    if (!module.source.includes('app_context') || isTestModule(module.file)) continue
    for (const block of module.tree.rootNode.descendantsOfType('with_statement')) {
      const body = block.childForFieldName('body')
      if (body === null || !/\.app_context\(\s*\)/.test(block.text.slice(0, body.startIndex - block.startIndex))) continue
      const work = body.descendantsOfType('call').find((call) => !(/\.create_all$/.test(call.childForFieldName('function')!.text) && call.childForFieldName('arguments')!.namedChildren.length === 0))
      if (work === undefined) continue
      const enclosing: SyntaxNode[] = []
      for (let parent = block.parent; parent !== null; parent = parent.parent) if (parent.type === 'function_definition' || parent.type === 'class_definition') enclosing.unshift(parent)
      blocks.push({ module, node: block, enclosing, work: { file: module.file, line: work.startPosition.row + 1, text: work.text.split('\n')[0]! } })
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
