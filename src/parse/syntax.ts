import type Parser from 'tree-sitter'
import type { PythonError } from './tokens.js'

/**
 * What CPython refuses after parsing and tree-sitter accepts: `return`/`yield`/`await` outside a
 * function, `break`/`continue` outside a loop, `nonlocal` at module level, Python 2's `print`
 * and `exec` statements, `try` without `except`/`finally`, a late `from __future__` import,
 * repeated keyword arguments and parameters, a parameter without a default after one with a
 * default, and code nested deeper than CPython's compiler goes. And how deep a module nests, so
 * that analyze and translate (recursive, like CPython's compiler) never run out of stack.
 */

/**
 * CPython 3.11 compiles at most about 3,000 nested AST nodes (its recursion limit, 1000, times
 * 3); deeper code is a `RecursionError` during compilation: the module does not load.
 */
export const PYTHON_MAX_DEPTH = 2990
/**
 * The deepest syntax tree (named tree-sitter nodes) migrate reads: its stages recurse over the
 * tree. Deeper modules are left out with a finding. Real code stays far below it (Python itself
 * refuses more than 200 nested brackets and 100 indentation levels).
 */
export const MIGRATE_MAX_DEPTH = 400

export interface TreeCheck {
  /** The first construct CPython would refuse, or null. */
  error: PythonError | null
  /** Where the tree first nests deeper than MIGRATE_MAX_DEPTH, when it does (and Python accepts it). */
  tooDeep: { line: number; column: number; depth: number } | null
}

type Node = Parser.SyntaxNode

const CHECKED_TYPES = [
  'return_statement',
  'yield',
  'await',
  'break_statement',
  'continue_statement',
  'nonlocal_statement',
  'print_statement',
  'exec_statement',
  'try_statement',
  'future_import_statement',
  'argument_list',
  'parameters',
  'lambda_parameters',
  'delete_statement',
]

const LITERALS = new Set(['string', 'concatenated_string', 'integer', 'float', 'true', 'false', 'none', 'ellipsis'])

const FUNCTION_BOUNDARIES = new Set(['function_definition', 'lambda', 'class_definition', 'module'])
const MODULE_BOUNDARIES = new Set(['function_definition', 'module'])
const COMPREHENSIONS: Record<string, string> = {
  list_comprehension: 'list comprehension',
  set_comprehension: 'set comprehension',
  dictionary_comprehension: 'dict comprehension',
  generator_expression: 'generator expression',
}

export function checkTree(tree: Parser.Tree): TreeCheck {
  // Node ids are unique within a tree only.
  for (const types of [FUNCTION_BOUNDARIES, MODULE_BOUNDARIES]) enclosingMemo.delete(types)
  const errors: PythonError[] = []
  const report = (node: Node, message: string): void => {
    errors.push({ line: node.startPosition.row + 1, column: node.startPosition.column + 1, message })
  }
  const depth = measureDepth(tree)
  if (depth.pythonDepth > PYTHON_MAX_DEPTH) {
    errors.push({ ...depth.pythonAt!, message: `nested ${depth.pythonDepth} levels deep; CPython's compiler stops at about ${PYTHON_MAX_DEPTH + 10} (RecursionError: maximum recursion depth exceeded during compilation)` })
  }
  // The checks read up from each node, and tree-sitter finds a node's parent from the root down:
  // in a tree deeper than migrate reads (left out anyway) that would be quadratic.
  if (depth.depth <= MIGRATE_MAX_DEPTH) {
    for (const node of tree.rootNode.descendantsOfType(CHECKED_TYPES)) checkNode(node, report)
  }
  errors.sort((a, b) => a.line - b.line || a.column - b.column)
  const error = errors[0] ?? null
  return { error, tooDeep: error === null && depth.depth > MIGRATE_MAX_DEPTH ? { ...depth.at!, depth: depth.depth } : null }
}

function checkNode(node: Node, report: (node: Node, message: string) => void): void {
  switch (node.type) {
    case 'return_statement': {
      const scope = enclosing(node, FUNCTION_BOUNDARIES)
      if (scope?.type !== 'function_definition') report(node, "'return' outside function")
      return
    }
    case 'yield': {
      for (let child: Node = node, parent = node.parent; parent !== null; child = parent, parent = parent.parent) {
        const comprehension = COMPREHENSIONS[parent.type]
        // The first iterable of a comprehension belongs to the enclosing scope.
        if (comprehension !== undefined && !isFirstIterable(parent, child)) return report(node, `'yield' inside ${comprehension}`)
        if (parent.type === 'function_definition' || parent.type === 'lambda') return
        if (parent.type === 'class_definition' || parent.type === 'module') return report(node, "'yield' outside function")
      }
      return
    }
    case 'await': {
      const scope = enclosing(node, FUNCTION_BOUNDARIES)
      if (scope === null || scope.type === 'module' || scope.type === 'class_definition') report(node, "'await' outside function")
      else if (scope.type === 'lambda' || scope.child(0)?.type !== 'async') report(node, "'await' outside async function")
      return
    }
    case 'break_statement':
    case 'continue_statement': {
      if (!inLoop(node)) report(node, node.type === 'break_statement' ? "'break' outside loop" : "'continue' not properly in loop")
      return
    }
    case 'nonlocal_statement': {
      const scope = enclosing(node, MODULE_BOUNDARIES)
      if (scope?.type !== 'function_definition') return report(node, 'nonlocal declaration not allowed at module level')
      for (const name of node.namedChildren.filter((child) => child.type === 'identifier')) {
        if (!boundInEnclosingFunction(scope, name.text)) return report(name, `no binding for nonlocal '${name.text}' found`)
      }
      return
    }
    case 'print_statement':
      return report(node, "Missing parentheses in call to 'print'. Did you mean print(...)?")
    case 'exec_statement':
      return report(node, "Missing parentheses in call to 'exec'. Did you mean exec(...)?")
    case 'try_statement': {
      if (!node.children.some((child) => child.type === 'except_clause' || child.type === 'except_group_clause' || child.type === 'finally_clause')) {
        report(node, "expected 'except' or 'finally' block")
      }
      return
    }
    case 'future_import_statement': {
      if (!isAtFileStart(node)) report(node, 'from __future__ imports must occur at the beginning of the file')
      return
    }
    case 'argument_list': {
      const seen = new Set<string>()
      let keyword = false
      let keywordUnpacking = false
      for (const argument of node.namedChildren) {
        const type = argument.type
        if (type === 'comment') continue
        if (type === 'keyword_argument') {
          keyword = true
          const name = argument.childForFieldName('name')?.text
          if (name === undefined) continue
          if (seen.has(name)) return report(argument, `keyword argument repeated: ${name}`)
          seen.add(name)
        } else if (type === 'dictionary_splat') keywordUnpacking = true
        else if (type === 'list_splat') {
          if (keywordUnpacking) return report(argument, 'iterable argument unpacking follows keyword argument unpacking')
        } else if (keywordUnpacking) return report(argument, 'positional argument follows keyword argument unpacking')
        else if (keyword) return report(argument, 'positional argument follows keyword argument')
      }
      return
    }
    case 'delete_statement': {
      const targets = node.namedChildren.flatMap((child) => (child.type === 'expression_list' ? child.namedChildren : [child]))
      const literal = targets.find((target) => LITERALS.has(target.type))
      if (literal !== undefined) report(literal, 'cannot delete literal')
      return
    }
    case 'parameters':
    case 'lambda_parameters': {
      const seen = new Set<string>()
      let defaulted = false
      let positional = true
      for (const parameter of node.namedChildren) {
        const type = parameter.type
        if (type === 'keyword_separator' || type === 'list_splat_pattern' || type === 'dictionary_splat_pattern') positional = false
        const name = parameterName(parameter)
        if (name !== undefined) {
          if (seen.has(name)) return report(parameter, `duplicate argument '${name}' in function definition`)
          seen.add(name)
        }
        if (type === 'default_parameter' || type === 'typed_default_parameter') defaulted = true
        else if (positional && defaulted && (type === 'identifier' || type === 'typed_parameter')) return report(parameter, 'non-default argument follows default argument')
      }
      return
    }
  }
}

/** Whether a function around `fn` (classes are skipped) has `name` as a local: a parameter or a name it binds. */
function boundInEnclosingFunction(fn: Node, name: string): boolean {
  for (let scope = enclosing(fn, FUNCTION_BOUNDARIES); scope !== null && scope.type !== 'module'; scope = enclosing(scope, FUNCTION_BOUNDARIES)) {
    if (scope.type !== 'function_definition') continue
    const locals = localNames(scope)
    if (locals.bound.has(name) && !locals.declared.has(name)) return true
  }
  return false
}

/** The names a function binds (parameters, assignment and loop targets, imports, definitions…) and those it declares global or nonlocal. */
function localNames(fn: Node): { bound: Set<string>; declared: Set<string> } {
  const bound = new Set<string>()
  const declared = new Set<string>()
  for (const parameter of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    const name = parameterName(parameter)
    if (name !== undefined) bound.add(name)
  }
  const targets = (target: Node | null): void => {
    const stack = target === null ? [] : [target]
    while (stack.length > 0) {
      const node = stack.pop()!
      if (node.type === 'identifier') bound.add(node.text)
      else if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'expression_list', 'list_splat_pattern', 'parenthesized_expression', 'as_pattern_target'].includes(node.type)) stack.push(...node.namedChildren)
    }
  }
  const stack = [...(fn.childForFieldName('body')?.namedChildren ?? [])]
  while (stack.length > 0) {
    const node = stack.pop()!
    switch (node.type) {
      case 'function_definition':
      case 'class_definition':
        targets(node.childForFieldName('name'))
        continue // their bodies are their own scopes
      case 'lambda':
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression':
        continue
      case 'assignment':
      case 'augmented_assignment':
      case 'for_statement':
        targets(node.childForFieldName('left'))
        break
      case 'named_expression':
        targets(node.childForFieldName('name'))
        break
      case 'as_pattern':
        targets(node.childForFieldName('alias'))
        break
      case 'delete_statement':
        targets(node.namedChildren[0] ?? null)
        break
      case 'import_statement':
      case 'import_from_statement':
        for (const imported of node.namedChildren) {
          if (imported.type === 'aliased_import') targets(imported.childForFieldName('alias'))
          else if (imported.type === 'dotted_name' && imported.id !== node.childForFieldName('module_name')?.id) bound.add(imported.namedChildren[0]?.text ?? imported.text)
        }
        break
      case 'global_statement':
      case 'nonlocal_statement':
        for (const child of node.namedChildren) if (child.type === 'identifier') declared.add(child.text)
        break
    }
    stack.push(...node.namedChildren)
  }
  return { bound, declared }
}

function parameterName(parameter: Node): string | undefined {
  switch (parameter.type) {
    case 'identifier':
      return parameter.text
    case 'default_parameter':
    case 'typed_default_parameter':
      return parameter.childForFieldName('name')?.text
    case 'typed_parameter':
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern': {
      const inner = parameter.namedChildren[0]
      if (inner?.type === 'identifier') return inner.text
      return inner?.type === 'list_splat_pattern' || inner?.type === 'dictionary_splat_pattern' ? inner.namedChildren[0]?.text : undefined
    }
    default:
      return undefined
  }
}

/**
 * The nearest ancestor of one of `types`. Remembered for every node passed on the way up, so that
 * nodes nested inside each other (3,000 awaits deep) cost one walk, not one each.
 */
function enclosing(node: Node, types: Set<string>): Node | null {
  let memo = enclosingMemo.get(types)
  if (memo === undefined) enclosingMemo.set(types, (memo = new Map()))
  const passed: number[] = []
  let result: Node | null = null
  for (let parent = node.parent; parent !== null; parent = parent.parent) {
    const known = memo.get(parent.id)
    if (known !== undefined) {
      result = known
      break
    }
    if (types.has(parent.type)) {
      result = parent
      break
    }
    passed.push(parent.id)
  }
  for (const id of passed) memo.set(id, result)
  return result
}

const enclosingMemo = new WeakMap<Set<string>, Map<number, Node | null>>()

function isFirstIterable(comprehension: Node, child: Node): boolean {
  const first = comprehension.namedChildren.find((c) => c.type === 'for_in_clause')
  return first !== undefined && child.id === first.id
}

/** Inside the body of a `for` or `while` (not its `else`), without crossing a function or class. */
function inLoop(node: Node): boolean {
  let child = node
  for (let parent = node.parent; parent !== null; child = parent, parent = parent.parent) {
    if (parent.type === 'for_statement' || parent.type === 'while_statement') {
      if (child.type !== 'else_clause') return true
    } else if (parent.type === 'function_definition' || parent.type === 'class_definition' || parent.type === 'lambda' || parent.type === 'module') return false
  }
  return false
}

/** Only a docstring, comments and other `from __future__` imports come before it, at module level. */
function isAtFileStart(node: Node): boolean {
  const parent = node.parent
  if (parent?.type !== 'module') return false
  let index = 0
  for (const sibling of parent.namedChildren) {
    if (sibling.id === node.id) return true
    if (sibling.type === 'comment' || sibling.type === 'future_import_statement') continue
    if (index++ === 0 && sibling.type === 'expression_statement' && sibling.namedChildCount === 1 && sibling.namedChildren[0]!.type === 'string') continue
    return false
  }
  return true
}

/** Named nodes with no node of their own in Python's AST. */
const TRANSPARENT = new Set([
  'module',
  'block',
  'expression_statement',
  'parenthesized_expression',
  'argument_list',
  'decorated_definition',
  'decorator',
  'else_clause',
  'finally_clause',
  'pair',
  'type',
  'if_clause',
  'with_clause',
  'string_content',
  'string_start',
  'string_end',
  'comment',
  'as_pattern_target',
])

interface Depth {
  /** The deepest named node, in tree-sitter nodes. Exact up to MIGRATE_MAX_DEPTH, a lower bound beyond. */
  depth: number
  at: { line: number; column: number } | null
  /** The same in Python's AST (an estimate: each `elif` nests one If deeper). Exact beyond PYTHON_MAX_DEPTH when depth is. */
  pythonDepth: number
  pythonAt: { line: number; column: number } | null
}

/**
 * Walks the tree without recursion, and only into nodes that could be deep enough to matter:
 * a node spanning n characters holds at most about n nested nodes.
 */
function measureDepth(tree: Parser.Tree): Depth {
  const cursor = tree.walk()
  const result: Depth = { depth: 0, at: null, pythonDepth: 0, pythonAt: null }
  // Per level of the cursor: the depths of the node there, and how many elif clauses its children had so far.
  const treeDepths: number[] = [0]
  const pythonDepths: number[] = [0]
  const elifs: number[] = [0]
  const types: string[] = ['']
  let level = 0
  for (;;) {
    const type = cursor.nodeType
    const named = cursor.nodeIsNamed
    const parentTree = level === 0 ? 0 : treeDepths[level - 1]!
    let parentPython = level === 0 ? 0 : pythonDepths[level - 1]!
    const parentType = level === 0 ? '' : types[level - 1]!
    if (parentType === 'if_statement') {
      if (type === 'elif_clause') parentPython += elifs[level - 1]!++
      else if (type === 'else_clause') parentPython += elifs[level - 1]!
    }
    const treeDepth = parentTree + (named ? 1 : 0)
    // `a and b and c` nests in tree-sitter, one BoolOp in Python.
    const flat = type === 'boolean_operator' && parentType === 'boolean_operator'
    const pythonDepth = parentPython + (named && !flat && !TRANSPARENT.has(type) ? 1 : 0)
    treeDepths[level] = treeDepth
    pythonDepths[level] = pythonDepth
    types[level] = type
    elifs[level] = 0
    if (treeDepth > result.depth) {
      result.depth = treeDepth
      if (treeDepth === MIGRATE_MAX_DEPTH + 1) result.at = position(cursor)
    }
    if (pythonDepth > result.pythonDepth) {
      result.pythonDepth = pythonDepth
      if (pythonDepth === PYTHON_MAX_DEPTH + 1) result.pythonAt = position(cursor)
    }
    const span = cursor.endIndex - cursor.startIndex
    const bound = Math.max(treeDepth, pythonDepth) + span + 8
    // Past migrate's limit only Python's matters (is the module a syntax error, or only too deep for migrate?).
    const worthEntering = result.depth <= MIGRATE_MAX_DEPTH ? bound > MIGRATE_MAX_DEPTH : pythonDepth + span + 8 > PYTHON_MAX_DEPTH
    if (worthEntering && cursor.gotoFirstChild()) {
      level++
      continue
    }
    while (!cursor.gotoNextSibling()) {
      if (level === 0 || !cursor.gotoParent()) return result
      level--
    }
  }
}

function position(cursor: Parser.TreeCursor): { line: number; column: number } {
  const start = cursor.startPosition
  return { line: start.row + 1, column: start.column + 1 }
}
