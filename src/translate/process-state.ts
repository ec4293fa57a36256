/**
 * Data the service keeps in process memory that its handlers change while serving requests (rule
 * process-local-state): `ITEMS[new_id] = item` in a view, `next(request_numbers)` in a hook,
 * `global hits; hits += 1`. The service carries such data as a module constant, one copy per
 * process, as each Flask worker process has its own; a single process behaves as Flask does. Beside
 * the Flask app (LEGACY_URL, shadow mode) or as several processes, each copy changes apart from the
 * others: a warning at the data's definition says so, naming the code that changes it.
 *
 * A change is found by syntax, in the functions the service runs at request time (the handlers,
 * and the project functions and classes translated for them): a call of a mutating method on the
 * data or on an item of it (`.append`, `.update`, `.pop`, …), `next(data)`, an item or attribute
 * set or deleted on it, or a rebinding declared `global` / `nonlocal`. Changes through another name
 * (`items = ITEMS; items.append(x)`) or through a project method are not seen.
 */
import type { Finding } from '../ir/types.js'
import type { SyntaxNode } from './context.js'
import { collectBindings } from './function.js'
import type { ModuleInfo, ProjectIndex } from './project.js'

/** Data the service carries: where it is defined (a module variable, or an app factory's state). */
export interface CarriedData {
  module: ModuleInfo
  name: string
  /** The assignment that defines it. */
  node: SyntaxNode
  /** The app factory defining it (factory state), else undefined. */
  factory?: SyntaxNode
}

/** A function or class the service runs at request time, in its module. */
export interface RequestTimeCode {
  module: ModuleInfo
  node: SyntaxNode
}

/** Methods of Python's containers (list, dict, set, deque, Counter, OrderedDict) that change them. */
const MUTATORS = new Set([
  'append', 'extend', 'insert', 'pop', 'remove', 'clear', 'update', 'setdefault', 'add', 'discard', 'popitem',
  'sort', 'reverse', 'appendleft', 'extendleft', 'popleft', 'rotate', 'subtract', 'move_to_end',
  'difference_update', 'intersection_update', 'symmetric_difference_update', '__setitem__', '__delitem__',
])

const SCOPES = new Set(['function_definition', 'class_definition', 'lambda'])

/** The process-local-state findings (one per carried data that request-time code changes), and that data. */
export function processLocalState(project: ProjectIndex, data: CarriedData[], code: RequestTimeCode[]): { findings: Finding[]; changed: CarriedData[] } {
  const changes = new Map<CarriedData, { file: string; line: number; name: string }[]>()
  // By file and offset: tree-sitter may hand out a new object for a node it gave before.
  const seen = new Set<string>()
  const imports = new Map<ModuleInfo, Map<string, string>>()
  for (const { module, node } of code) {
    const functions = node.type === 'function_definition' ? [node, ...node.descendantsOfType('function_definition')] : node.descendantsOfType('function_definition')
    for (const fn of functions) {
      const key = `${module.file}\0${fn.startIndex}`
      if (seen.has(key)) continue
      seen.add(key)
      const body = fn.childForFieldName('body')
      if (!body) continue
      const { bindings, globals, nonlocals } = collectBindings(body)
      for (const item of data) {
        const local = localName(project, module, item, fn, imports)
        if (local === null) continue
        const declared = globals.has(local) || nonlocals.has(local)
        if (bindings.has(local) && !declared) continue
        const at = changeOf(body, local, declared)
        if (at === null) continue
        changes.set(item, [...(changes.get(item) ?? []), { file: module.file, line: at.startPosition.row + 1, name: fn.childForFieldName('name')!.text }])
      }
    }
  }
  const findings: Finding[] = []
  for (const item of data) {
    const found = changes.get(item)
    if (!found) continue
    found.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
    const first = found[0]!
    const more = found.length > 1 ? `, and ${found.length - 1} more place${found.length > 2 ? 's' : ''}` : ''
    findings.push({
      ruleId: 'process-local-state',
      severity: 'warning',
      message:
        `\`${item.name}\` is kept in process memory and changed while serving requests (${first.file}:${first.line}, in ${first.name}${more}): ` +
        'each process of the service keeps its own copy, as each Flask worker does; beside the Flask app (LEGACY_URL, SHADOW) or with several ' +
        'processes (WEB_CONCURRENCY, replicas), a request does not see what another process wrote. With LEGACY_URL the service forwards to the ' +
        'Flask app every route whose code reads or changes it (every request, when a hook or error handler does), so that one process keeps it; ' +
        'LEGACY_SPLIT_STATE=1 serves those routes here anyway (src/app.ts lists them as `endpoints.sharedState`)',
      location: { file: item.module.file, line: item.node.startPosition.row + 1, column: item.node.startPosition.column + 1 },
    })
  }
  return { findings, changed: data.filter((item) => changes.has(item)) }
}

/** Where a handler runs: for one endpoint, for the requests of a blueprint, or for every request. */
export type HandlerScope = { endpoint: string } | { blueprint: string } | 'every request'

/**
 * The endpoints the Flask app must answer, with LEGACY_URL, for process-local state to live in one
 * process: those of every handler whose code reads or changes it, directly or through what it uses
 * (`dependencies`, by `<module>\0<name>`, followed through every symbol: a data's own
 * dependencies too, so an extension instance leads to the callbacks registered on it; more than
 * request time runs, never less). `state` is the data processLocalState found changed, and the
 * stateful extension instances (`everyRequest`: any use of one forwards every request). As
 * LEGACY_ROUTES writes them: `endpoint`, `blueprint.*`, or `*` when a handler that runs for every
 * request (an app-wide hook, an error handler, a template helper) takes part; with the names of
 * the state they share.
 */
export function sharedStateRoutes(
  state: Map<string, { name: string; everyRequest: boolean }>,
  handlers: { name: string; scope: HandlerScope; dependencies: Set<string> }[],
  dependenciesOf: (key: string) => Set<string> | null,
): { routes: string[]; state: string[]; keys: string[] } {
  const routes = new Set<string>()
  const shared = new Set<string>()
  const keys = new Set<string>()
  for (const handler of handlers) {
    const touched = new Set<string>()
    let everyRequest = false
    const seen = new Set<string>()
    const pending = [...handler.dependencies]
    while (pending.length > 0) {
      const key = pending.pop()!
      if (seen.has(key)) continue
      seen.add(key)
      const found = state.get(key)
      if (found !== undefined) {
        touched.add(found.name)
        keys.add(key)
        everyRequest ||= found.everyRequest
      }
      pending.push(...(dependenciesOf(key) ?? []))
    }
    if (touched.size === 0) continue
    const scope = handler.scope
    routes.add(everyRequest || scope === 'every request' ? '*' : 'endpoint' in scope ? scope.endpoint : `${scope.blueprint}.*`)
    for (const name of touched) shared.add(name)
  }
  return { routes: routes.has('*') ? ['*'] : [...routes].sort(), state: [...shared].sort(), keys: [...keys].sort() }
}

/** The name `item` has inside `fn` of `module` (its own name in its module, or the name it is imported as), or null. */
function localName(project: ProjectIndex, module: ModuleInfo, item: CarriedData, fn: SyntaxNode, imports: Map<ModuleInfo, Map<string, string>>): string | null {
  if (item.factory !== undefined) {
    // Factory state is seen only by the functions the factory defines.
    return module === item.module && fn.startIndex > item.factory.startIndex && fn.endIndex <= item.factory.endIndex ? item.name : null
  }
  if (module === item.module) return item.name
  let names = imports.get(module)
  if (names === undefined) {
    // The module's imported names, by the `<module>\0<name>` they resolve to: resolved once per module.
    names = new Map()
    for (const [name, def] of module.symbols) {
      if (def.kind !== 'import' || def.target.kind !== 'member') continue
      const resolved = project.resolveSymbol(module.name, name)
      if (resolved !== null && !names.has(`${resolved.module.name}\0${resolved.name}`)) names.set(`${resolved.module.name}\0${resolved.name}`, name)
    }
    imports.set(module, names)
  }
  return names.get(`${item.module.name}\0${item.name}`) ?? null
}

/** The first statement of `body` (outside nested scopes) that changes the data named `local`, or null. */
function changeOf(body: SyntaxNode, local: string, rebinds: boolean): SyntaxNode | null {
  /** Whether `node` is the data or a part of it reached by items (`DATA[k]`, `DATA.get(k)[j]`). */
  const isPart = (node: SyntaxNode | null): boolean => {
    let current = node
    while (current !== null) {
      if (current.type === 'identifier') return current.text === local
      if (current.type === 'subscript') current = current.childForFieldName('value')
      else if (current.type === 'call') {
        const callee = current.childForFieldName('function')
        current = callee?.type === 'attribute' && ['get', 'setdefault'].includes(callee.childForFieldName('attribute')!.text) ? callee.childForFieldName('object') : null
      } else return false
    }
    return false
  }
  /** An assignment or deletion target that changes the data. */
  const changesByTarget = (target: SyntaxNode): boolean => {
    if (target.type === 'identifier') return rebinds && target.text === local
    if (target.type === 'subscript') return isPart(target.childForFieldName('value'))
    if (target.type === 'attribute') return isPart(target.childForFieldName('object'))
    if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression', 'expression_list'].includes(target.type)) return target.namedChildren.some(changesByTarget)
    return false
  }
  let found: SyntaxNode | null = null
  const walk = (node: SyntaxNode): void => {
    if (found !== null || SCOPES.has(node.type)) return
    switch (node.type) {
      case 'call': {
        const callee = node.childForFieldName('function')!
        const first = node.childForFieldName('arguments')?.namedChildren[0]
        if (callee.type === 'attribute' && MUTATORS.has(callee.childForFieldName('attribute')!.text) && isPart(callee.childForFieldName('object'))) found = node
        else if (callee.type === 'identifier' && callee.text === 'next' && first?.type === 'identifier' && first.text === local) found = node
        break
      }
      case 'assignment':
      case 'augmented_assignment':
        if (changesByTarget(node.childForFieldName('left')!)) found = node
        break
      case 'delete_statement':
        if (node.namedChildren.some(changesByTarget)) found = node
        break
    }
    if (found === null) for (const child of node.namedChildren) walk(child)
  }
  for (const statement of body.namedChildren) walk(statement)
  return found
}
