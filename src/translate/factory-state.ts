/**
 * State an app factory keeps for its handlers: `request_numbers = itertools.count(1)` or
 * `seen = {}` in `create_app()`, used by a hook or view defined in it. The service carries such a
 * variable as a module constant of the factory's module: one per process, as the Flask app made
 * one per `create_app()` call. Only a value that cannot depend on what the factory did before it
 * qualifies: literals, containers, and calls of the standard library's constructors, with no
 * other variable of the factory and no project code in it; and only the handlers it defines may
 * use the variable (the factory's own statements could change it before the first request).
 */
import type { SyntaxNode } from './context.js'
import { collectBindings } from './function.js'
import { BUILTINS } from './expr/names.js'
import type { ModuleInfo, ProjectIndex, SymbolDef } from './project.js'

/** Builtins whose call makes a fresh value and runs no project code. */
const CONSTRUCTORS = new Set(['dict', 'list', 'set', 'tuple', 'frozenset', 'str', 'int', 'float', 'bool', 'bytes', 'bytearray', 'object', 'range'])

/** Standard modules whose constructors touch nothing outside the value they make (not os, sqlite3 or asyncio). */
const PURE_MODULES = new Set(['collections', 'itertools', 'functools', 'operator', 'string', 'datetime', 'json', 'math', 're', 'hashlib', 'hmac', 'secrets', 'base64', 'uuid', 'time', 'urllib.parse', 'logging'])

/** The factory's variables carried as module data, by name (see the module comment). */
export function factoryState(factory: SyntaxNode, module: ModuleInfo): Map<string, SymbolDef> {
  const body = factory.childForFieldName('body')!
  const { bindings } = collectBindings(body)
  const params = new Set(
    (factory.childForFieldName('parameters')?.namedChildren ?? []).map((p) => (p.type === 'identifier' ? p.text : (p.childForFieldName('name') ?? p.namedChildren[0])?.text ?? '')),
  )
  const locals = new Set([...bindings.keys(), ...params])
  const state = new Map<string, SymbolDef>()
  for (const statement of body.namedChildren) {
    const assignment = statement.type === 'expression_statement' ? statement.namedChildren[0] : undefined
    if (assignment?.type !== 'assignment') continue
    const left = assignment.childForFieldName('left')
    const value = assignment.childForFieldName('right')
    if (left?.type !== 'identifier' || !value || assignment.childForFieldName('type')) continue
    const name = left.text
    // Bound once, by this statement; not a name of the module (the constant would shadow it).
    if (bindings.get(name)?.length !== 1 || bindings.get(name)![0] !== 'assign-top' || params.has(name) || module.symbols.has(name)) continue
    if (!independent(value, module, locals) || !onlyHandlersUse(name, body, statement)) continue
    state.set(name, { kind: 'data', node: assignment, value, reassigned: false })
  }
  return state
}

/** Whether `value` reads no variable of the factory and calls only builtin or standard library constructors. */
function independent(value: SyntaxNode, module: ModuleInfo, locals: Set<string>): boolean {
  const walk = (node: SyntaxNode): boolean => {
    if (['lambda', 'list_comprehension', 'dictionary_comprehension', 'set_comprehension', 'generator_expression', 'await', 'yield'].includes(node.type)) return false
    if (node.type === 'identifier' && locals.has(node.text)) return false
    if (node.type === 'call' && !standardCallee(node.childForFieldName('function')!, module)) return false
    return node.namedChildren.every(walk)
  }
  return walk(value)
}

function standardCallee(callee: SyntaxNode, module: ModuleInfo): boolean {
  let root = callee
  while (root.type === 'attribute') root = root.childForFieldName('object')!
  if (root.type !== 'identifier') return false
  const def = module.symbols.get(root.text)
  if (def === undefined) return root === callee && BUILTINS.has(root.text) && CONSTRUCTORS.has(root.text)
  return def.kind === 'import' && PURE_MODULES.has(def.target.module)
}

/** Whether only decorated functions of the factory (its handlers, not called by the factory) use `name` after `assignment`. */
function onlyHandlersUse(name: string, body: SyntaxNode, assignment: SyntaxNode): boolean {
  const uses = (node: SyntaxNode, target: string): boolean => (node.type === 'identifier' && node.text === target) || node.namedChildren.some((child) => uses(child, target))
  const handlers: string[] = []
  const others: SyntaxNode[] = []
  for (const statement of body.namedChildren) {
    if (statement.id === assignment.id) continue
    if (statement.type === 'decorated_definition') {
      const name_ = statement.childForFieldName('definition')?.childForFieldName('name')?.text
      if (name_ !== undefined && uses(statement, name)) handlers.push(name_)
    } else if (uses(statement, name)) {
      return false
    } else {
      others.push(statement)
    }
  }
  const calls = (node: SyntaxNode): boolean =>
    (node.type === 'call' && handlers.includes(node.childForFieldName('function')?.text ?? '')) || node.namedChildren.some(calls)
  return !others.some(calls)
}

/** A call of a project function the app factory makes at its top level without passing the app (`store.reset()`). */
export interface FactoryCall {
  module: ModuleInfo
  /** The factory's `def`. */
  factory: SyntaxNode
  /** The `expression_statement` of the call. */
  node: SyntaxNode
  /** The module of the function called: its data is what the call prepares. */
  callee: string
}

/**
 * The calls of project functions at the top of the app factory that do not take the app: work
 * such as `store.reset()` or `seed()` that fills module data before the first request. Calls
 * passing the app are set-up the analysis follows (`register_error_handlers(app)`).
 */
export function factoryCalls(project: ProjectIndex, app: { module: string; variable: string; factory: string | null }): FactoryCall[] {
  // The factory FLASK_APP names, or the one a module variable holds the result of (`wsgi.py`: `app = create_app()`),
  // which may live in another module.
  let found = app.factory === null ? null : project.resolveSymbol(app.module, app.factory.replace(/\(.*$/, ''))
  const variable = app.factory === null ? project.modules.get(app.module)?.symbols.get(app.variable) : undefined
  if (variable?.kind === 'data' && variable.value.type === 'call') {
    const callee = variable.value.childForFieldName('function')!
    if (callee.type === 'identifier') found = project.resolveSymbol(app.module, callee.text)
  }
  if (found === null || found.def.kind !== 'function') return []
  const module = found.module
  const factory = found.def
  const calls: FactoryCall[] = []
  for (const statement of factory.node.childForFieldName('body')!.namedChildren) {
    const call = statement.type === 'expression_statement' ? statement.namedChildren[0] : undefined
    if (call?.type !== 'call') continue
    const args = call.childForFieldName('arguments')?.namedChildren ?? []
    if (args.some((arg) => (arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg)?.text === app.variable)) continue
    const callee = projectFunctionModule(call.childForFieldName('function')!, module, project)
    if (callee !== null) calls.push({ module, factory: factory.node, node: statement, callee })
  }
  return calls
}

/** The module of the project function `callee` names (`reset`, `store.reset`), or null. */
function projectFunctionModule(callee: SyntaxNode, module: ModuleInfo, project: ProjectIndex): string | null {
  const resolve = (moduleName: string, name: string): string | null => {
    const found = project.resolveSymbol(moduleName, name)
    return found?.def.kind === 'function' ? found.module.name : null
  }
  if (callee.type === 'identifier') return resolve(module.name, callee.text)
  if (callee.type !== 'attribute') return null
  const object = callee.childForFieldName('object')!
  const name = callee.childForFieldName('attribute')!.text
  if (object.type !== 'identifier') return null
  const def = module.symbols.get(object.text)
  if (def?.kind !== 'import') return null
  const target = def.target.kind === 'module' ? def.target.module : `${def.target.module}.${def.target.name}`
  return project.modules.has(target) ? resolve(target, name) : null
}
