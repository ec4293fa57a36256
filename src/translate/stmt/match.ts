import { fail } from '../diagnostics.js'
import { lookupLocal, type Context, type SyntaxNode } from '../context.js'
import { translateExpr, truthy } from '../expr/index.js'
import { resolveName } from '../expr/names.js'
import { recordAssignment } from '../function.js'
import { translateBlock, indent } from './index.js'
import { tsJson } from '../../ts-text.js'

/**
 * `match` statements (Python 3.10) as an `if` / `else if` chain over the subject, evaluated once.
 * Each case's pattern becomes a test that binds its captures as it goes (Python binds them
 * before the guard runs): literals compare with `==` (None, True and False by identity),
 * sequences match lists and tuples by length, mappings match dicts by their keys, class patterns
 * check `isinstance` (builtins with one positional sub-pattern, any class with keyword ones).
 * Value patterns (`case Color.RED`) and positional sub-patterns of project classes (which need
 * `__match_args__`) are reported, not guessed.
 */
export function translateMatch(node: SyntaxNode, ctx: Context): string[] | undefined {
  if (node.type !== 'match_statement') return undefined
  const subjects = node.childrenForFieldName('subject')
  if (subjects.length !== 1) fail('unsupported-python-construct', node, '`match` over several subjects')
  const subject = ctx.temp('subject')
  const lines = [`const ${subject} = ${translateExpr(subjects[0], ctx).code}`]
  const clauses = node.childForFieldName('body')!.namedChildren.filter((c) => c.type === 'case_clause')
  let opened = false
  for (const clause of clauses) {
    const pattern = clause.namedChildren.find((c) => c.type === 'case_pattern')!
    const guardNode = clause.childForFieldName('guard')
    const test = patternTest(pattern, subject, ctx)
    const guard = guardNode ? truthy(translateExpr(guardNode.namedChildren[0], ctx), ctx).code : null
    const condition = [test, guard].filter((part): part is string => part !== null && part !== 'true')
    const body = indent(translateBlock(clause.childForFieldName('consequence')!, ctx))
    if (condition.length === 0) {
      // An irrefutable case without a guard: the last one Python allows.
      if (!opened) return [...lines, '{', ...body, '}']
      lines[lines.length - 1] = '} else {'
      lines.push(...body, '}')
      return lines
    }
    if (opened) lines[lines.length - 1] = `} else if (${condition.join(' && ')}) {`
    else lines.push(`if (${condition.join(' && ')}) {`)
    lines.push(...body, '}')
    opened = true
  }
  return lines
}

/** The names a pattern binds (for the function's locals). */
export function patternCaptures(pattern: SyntaxNode): string[] {
  const names: string[] = []
  const visit = (node: SyntaxNode, capturing: boolean): void => {
    switch (node.type) {
      case 'dotted_name':
        if (capturing && node.namedChildren.length === 1 && node.text !== '_') names.push(node.text)
        return
      case 'as_pattern': {
        const [inner, alias] = node.namedChildren
        visit(inner, true)
        if (alias?.type === 'identifier') names.push(alias.text)
        return
      }
      case 'splat_pattern': {
        const name = node.namedChildren[0]
        if (name && name.text !== '_') names.push(name.text)
        return
      }
      case 'class_pattern':
        // The class name is not a capture.
        for (const child of node.namedChildren.slice(1)) visit(child, true)
        return
      case 'keyword_pattern':
        for (const child of node.namedChildren.slice(1)) visit(child, true)
        return
      case 'dict_pattern':
        for (const value of node.childrenForFieldName('value')) visit(value, true)
        for (const child of node.namedChildren) if (child.type === 'splat_pattern') visit(child, true)
        return
    }
    for (const child of node.namedChildren) visit(child, true)
  }
  visit(pattern, true)
  return names
}

function bind(name: SyntaxNode, value: string, ctx: Context): string {
  const found = lookupLocal(ctx.scope, name.text)
  if (!found) return fail('unsupported-scope-declaration', name, `capture \`${name.text}\` in a case pattern outside a function`)
  recordAssignment(name.text, 'unknown', ctx)
  return `((${found.local.jsName} = ${value}), true)`
}

const BUILTIN_CLASSES = new Set(['str', 'int', 'float', 'bool', 'list', 'dict', 'tuple', 'set', 'bytes'])
const LITERALS = new Set(['integer', 'float', 'string', 'concatenated_string'])

/** A boolean expression: whether `subject` matches `pattern` (binding captures as it tests). */
function patternTest(pattern: SyntaxNode, subject: string, ctx: Context): string {
  const node = pattern.type === 'case_pattern' ? pattern.namedChildren[0] : pattern
  if (!node) return 'true'
  if (LITERALS.has(node.type)) {
    if (node.type === 'string' && node.namedChildren.some((c) => c.type === 'interpolation')) fail('unsupported-python-construct', node, 'f-string in a case pattern')
    ctx.imports.py = true
    // `case -1`: the sign is a token of the pattern, before the number.
    const negative = node.previousSibling?.type === '-'
    return `py.eq(${subject}, ${negative ? '-' : ''}${translateExpr(node, ctx).code})`
  }
  switch (node.type) {
    case 'none':
      return `${subject} == null`
    case 'true':
      return `${subject} === true`
    case 'false':
      return `${subject} === false`
    case 'dotted_name':
      if (node.namedChildren.length === 1) return node.text === '_' ? 'true' : bind(node.namedChildren[0], subject, ctx)
      return fail('unsupported-python-construct', node, `value pattern \`${node.text}\` in a case`)
    case 'union_pattern':
      return `(${node.namedChildren.map((alternative) => patternTest(alternative, subject, ctx)).join(' || ')})`
    case 'as_pattern': {
      const [inner, alias] = node.namedChildren
      const test = patternTest(inner, subject, ctx)
      return [test, bind(alias, subject, ctx)].filter((part) => part !== 'true').join(' && ')
    }
    case 'list_pattern':
    case 'tuple_pattern':
      return sequenceTest(node, subject, ctx)
    case 'dict_pattern':
      return mappingTest(node, subject, ctx)
    case 'class_pattern':
      return classTest(node, subject, ctx)
  }
  return fail('unsupported-python-construct', node, `case pattern \`${node.text}\``)
}

function sequenceTest(node: SyntaxNode, subject: string, ctx: Context): string {
  const items = node.namedChildren.filter((c) => c.type !== 'comment')
  const star = items.findIndex((item) => (item.type === 'case_pattern' ? item.namedChildren[0]?.type : item.type) === 'splat_pattern')
  const after = star < 0 ? 0 : items.length - star - 1
  const fixed = star < 0 ? items.length : items.length - 1
  const tests = [`Array.isArray(${subject})`, star < 0 ? `${subject}.length === ${fixed}` : `${subject}.length >= ${fixed}`]
  items.forEach((item, i) => {
    if (i === star) {
      const splat = item.type === 'case_pattern' ? item.namedChildren[0] : item
      const name = splat.namedChildren[0]
      if (name && name.text !== '_') tests.push(bind(name, `${subject}.slice(${star}${after > 0 ? `, ${subject}.length - ${after}` : ''})`, ctx))
      return
    }
    const index = star >= 0 && i > star ? `${subject}.length - ${items.length - i}` : String(i)
    tests.push(patternTest(item, `${subject}[${index}]`, ctx))
  })
  return tests.filter((t) => t !== 'true').join(' && ')
}

function mappingTest(node: SyntaxNode, subject: string, ctx: Context): string {
  ctx.imports.py = true
  const keys = node.childrenForFieldName('key')
  const values = node.childrenForFieldName('value')
  const tests = [`${subject} instanceof py.PyDict`]
  const keyCodes: string[] = []
  keys.forEach((key, i) => {
    if (!LITERALS.has(key.type) && !['none', 'true', 'false'].includes(key.type)) fail('unsupported-python-construct', key, `mapping pattern key \`${key.text}\``)
    const code = translateExpr(key, ctx).code
    keyCodes.push(code)
    tests.push(`${subject}.has(${code})`, patternTest(values[i], `${subject}.getItem(${code})`, ctx))
  })
  const rest = node.namedChildren.find((c) => c.type === 'splat_pattern')?.namedChildren[0]
  if (rest && rest.text !== '_') {
    tests.push(bind(rest, `new py.PyDict(${subject}.items().filter(([key]) => !py.contains([${keyCodes.join(', ')}], key)))`, ctx))
  }
  return tests.filter((t) => t !== 'true').join(' && ')
}

function classTest(node: SyntaxNode, subject: string, ctx: Context): string {
  const [name, ...args] = node.namedChildren.filter((c) => c.type !== 'comment')
  const positional = args.filter((a) => (a.type === 'case_pattern' ? a.namedChildren[0]?.type : a.type) !== 'keyword_pattern')
  const keywords = args.filter((a) => !positional.includes(a)).map((a) => (a.type === 'case_pattern' ? a.namedChildren[0] : a))
  ctx.imports.py = true
  let tests: string[]
  const builtin = name.namedChildren.length === 1 && BUILTIN_CLASSES.has(name.text) && resolveName(name.text, name, ctx).kind === 'builtin'
  if (builtin) {
    tests = [`py.isinstance(${subject}, [${tsJson(name.text)}])`]
    if (positional.length > 1) fail('unsupported-python-construct', node, `\`${name.text}()\` pattern with ${positional.length} positional sub-patterns`)
    if (positional.length === 1) tests.push(patternTest(positional[0], subject, ctx))
  } else {
    if (name.namedChildren.length !== 1) fail('unsupported-python-construct', name, `class pattern \`${name.text}\` (a dotted name)`)
    if (positional.length > 0) fail('unsupported-python-construct', node, `positional sub-patterns of \`${name.text}()\` (they need its \`__match_args__\`)`)
    tests = [`py.isinstance(${subject}, [${translateExpr(name.namedChildren[0], ctx).code}])`]
  }
  for (const keyword of keywords) {
    const [attribute, value] = keyword.namedChildren
    const read = `py.getattr(${subject}, ${tsJson(attribute.text)})`
    tests.push(`py.hasattr(${subject}, ${tsJson(attribute.text)})`, patternTest(value, read, ctx))
  }
  return tests.filter((t) => t !== 'true').join(' && ')
}
