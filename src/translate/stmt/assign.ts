import { fail, snippet } from '../diagnostics.js'
import { emitted, isNumeric, lookupLocal, rawCode, tsType, type Context, type Emitted, type PyType, type SyntaxNode } from '../context.js'
import { Prec, receiver } from '../precedence.js'
import { translateExpr, isSimple } from '../expr/index.js'
import { arithmetic } from '../expr/operators.js'
import { resolveName, projectReference } from '../expr/names.js'
import { recordAssignment } from '../function.js'
import { sliceArguments } from '../expr/subscript.js'
import { tsJson } from '../../ts-text.js'

/** The setter a module exports for a variable that functions rebind with `global` (see translateSymbol). */
export function globalSetter(name: string): string {
  return `set_${name}`
}

/** What a local of this type holds: a float local the plain number, any other the dynamic value. */
function localValue(type: PyType, value: Emitted, target: SyntaxNode): string {
  if (type !== 'float') return value.code
  if (value.type !== 'float') fail('translation-internal-error', target, `a ${value.type} value assigned to \`${target.text}\`, a local typed float`)
  return rawCode(value).code
}

/** `name = value` for a local, a global, or a `nonlocal`. */
function assignName(target: SyntaxNode, value: Emitted, ctx: Context, declare: boolean): string {
  const name = target.text
  const found = lookupLocal(ctx.scope, name)
  if (found) {
    recordAssignment(name, value.type, ctx)
    if (declare && found.scope === ctx.scope && ctx.constNames.has(name)) {
      found.local.type = value.type
      const annotation = value.type === 'list' ? ': Py[]' : ['int', 'float', 'str', 'bool'].includes(value.type) ? `: ${tsType(value.type)}` : ''
      return `const ${found.local.jsName}${annotation} = ${localValue(found.local.type, value, target)}`
    }
    return `${found.local.jsName} = ${localValue(found.local.type, value, target)}`
  }
  const binding = resolveName(name, target, ctx)
  if (binding.kind === 'project' && binding.module === ctx.module.name && ctx.scope.kind !== 'module') {
    const reference = projectReference(binding.module, binding.name, ctx)
    if (!ctx.inRoutes) return `${reference} = ${value.code}`
    // A handler lives in src/routes/, where the module's variable is an import (read-only):
    // the module exports a setter for each variable some function declares `global`.
    if (binding.def.kind === 'data' && ctx.project.globalsAssigned(binding.module).has(name) && !ctx.module.symbols.has(globalSetter(name))) {
      ctx.imports.useProject(binding.module, globalSetter(name))
      ctx.dependencies.add(binding.module + '\0' + globalSetter(name))
      return `${globalSetter(name)}(${value.code})`
    }
  }
  return fail('unsupported-scope-declaration', target, `assignment to \`${name}\`, which is not a local of this function or a global of its own module`)
}

/** `obj[key] = value`, `obj.attr = value`, `a, b = value`, `name = value`. */
export function assignTo(target: SyntaxNode, value: Emitted, ctx: Context, declare = false): string[] {
  switch (target.type) {
    case 'identifier':
      return [assignName(target, value, ctx, declare)]
    case 'subscript': {
      const object = translateExpr(target.childForFieldName('value')!, ctx)
      const index = target.childrenForFieldName('subscript')
      if (index.length !== 1) fail('unsupported-python-construct', target, `assignment to \`${snippet(target)}\``)
      if (index[0].type === 'slice') {
        ctx.imports.py = true
        return [`py.setslice(${object.code}, ${value.code}, ${sliceArguments(index[0], ctx)})`]
      }
      const key = translateExpr(index[0], ctx)
      if (object.type === 'dict') return [`${receiver(object)}.set(${key.code}, ${value.code})`]
      ctx.imports.py = true
      return [`py.setitem(${object.code}, ${key.code}, ${value.code})`]
    }
    case 'attribute': {
      const object = translateExpr(target.childForFieldName('object')!, ctx)
      const name = target.childForFieldName('attribute')!.text
      if (object.code === 'this') return [`this.${name} = ${value.code}`]
      // Flask responses are mutable objects with Werkzeug's attribute names (status_code, …).
      if (object.type === 'response' && ['status_code', 'status', 'mimetype', 'content_type'].includes(name)) {
        return [`${receiver(object)}.${name} = ${value.code}`]
      }
      ctx.imports.py = true
      return [`py.setattr(${object.code}, ${tsJson(name)}, ${value.code})`]
    }
    case 'pattern_list':
    case 'tuple_pattern':
    case 'list_pattern':
    case 'tuple':
    case 'list': {
      const targets = target.namedChildren.filter((c) => c.type !== 'comment')
      if (targets.some((t) => t.type === 'list_splat_pattern' || t.type === 'list_splat')) {
        fail('unsupported-python-construct', target, `starred assignment \`${snippet(target)}\``)
      }
      const temp = ctx.temp('items')
      ctx.imports.py = true
      const lines = [`const ${temp} = py.unpack(${value.code}, ${targets.length})`]
      targets.forEach((t, i) => lines.push(...assignTo(t, emitted(`${temp}[${i}]`, Prec.Call), ctx)))
      return lines
    }
    case 'parenthesized_expression':
      return assignTo(target.namedChildren[0], value, ctx, declare)
  }
  return fail('unsupported-python-construct', target, `assignment target \`${snippet(target)}\``)
}

export function translateAssignment(node: SyntaxNode, ctx: Context): string[] {
  const targets: SyntaxNode[] = []
  let current: SyntaxNode = node
  while (current.type === 'assignment') {
    targets.push(current.childForFieldName('left')!)
    const right = current.childForFieldName('right')
    if (!right) return [] // a bare annotation: `x: int`
    current = right
  }
  const value = translateExpr(current, ctx)
  if (targets.length === 1) return assignTo(targets[0], value, ctx, true)
  const temp = ctx.temp('value')
  // The temporary holds the dynamic value; a float's plain number is read back from it.
  const copy: Emitted = value.type === 'float' ? { code: temp, prec: Prec.Primary, type: 'float', raw: { code: `Number(${temp})`, prec: Prec.Call } } : emitted(temp, Prec.Primary, value.type)
  return [`const ${temp} = ${value.code}`, ...targets.flatMap((t) => assignTo(t, copy, ctx))]
}

/** Evaluates a part of a target once: a temporary when evaluating it twice could differ (a call, an item, an attribute read). */
function evaluateOnce(part: SyntaxNode, ctx: Context, lines: string[]): void {
  const value = translateExpr(part, ctx)
  if (isSimple(value)) return
  const temp = ctx.temp('target')
  lines.push(`const ${temp} = ${value.code}`)
  // The temporary holds the dynamic value; a float's plain number is read back from it.
  const copy: Emitted = value.type === 'float' ? { code: temp, prec: Prec.Primary, type: 'float', raw: { code: `Number(${temp})`, prec: Prec.Call } } : emitted(temp, Prec.Primary, value.type)
  ctx.precomputed!.set(part.id, copy)
}

/** In-place operators on mutable values: `+=` extends a list, `*=` repeats it, `-=` / `|=` / `&=` update a set. */
const IN_PLACE: Record<string, string> = { '+': 'iadd', '*': 'imul', '-': 'isub', '|': 'ior', '&': 'iand' }

/**
 * `x += 1`, `d[k]["count"] -= 1`, `obj.items[i] += x`, `self.total += n`, `l[a:b] += m`: the
 * target's container and key are evaluated once (Python's order: container, key, current value,
 * right operand), lists and sets change in place, as Python's augmented operators.
 */
export function translateAugmentedAssignment(node: SyntaxNode, ctx: Context): string[] {
  let target = node.childForFieldName('left')!
  while (target.type === 'parenthesized_expression' && target.namedChildren.length === 1) target = target.namedChildren[0]
  const op = node.childForFieldName('operator')!.text.slice(0, -1)
  if (target.type !== 'identifier' && target.type !== 'attribute' && target.type !== 'subscript') {
    fail('unsupported-python-construct', target, `augmented assignment to \`${snippet(target)}\``)
  }
  const lines: string[] = []
  const precomputed = (ctx.precomputed ??= new Map())
  const owned: number[] = []
  try {
    let flaskG = false
    if (target.type === 'subscript') {
      const parts = [target.childForFieldName('value')!]
      for (const index of target.childrenForFieldName('subscript')) {
        if (index.type === 'slice') parts.push(...index.namedChildren.filter((c) => c.type !== 'comment'))
        else parts.push(index)
      }
      for (const part of parts) {
        evaluateOnce(part, ctx, lines)
        owned.push(part.id)
      }
    } else if (target.type === 'attribute') {
      const object = target.childForFieldName('object')!
      const binding = object.type === 'identifier' ? resolveName(object.text, object, ctx) : null
      // `g.count += 1`: Flask's `g` is an object the runtime gives each request.
      flaskG = binding?.kind === 'flask' && binding.name === 'g'
      if (!flaskG) {
        evaluateOnce(object, ctx, lines)
        owned.push(object.id)
      }
    }
    const current = translateExpr(target, ctx)
    const right = translateExpr(node.childForFieldName('right')!, ctx)
    let result: Emitted
    const inPlace = IN_PLACE[op]
    const numeric = isNumeric(current.type) && isNumeric(right.type)
    if (inPlace !== undefined && (!numeric || op === '|' || op === '&') && !(op === '+' && current.type === 'str')) {
      ctx.imports.py = true
      result = emitted(`py.${inPlace}(${current.code}, ${right.code})`, Prec.Call, op === '+' && current.type === 'list' ? 'list' : 'unknown')
    } else {
      result = arithmetic(op, current, right, ctx, node)
    }
    if (flaskG) return [`${current.code} = ${result.code}`]
    if (target.type === 'identifier' && (op === '+' || op === '-' || op === '*') && result.code === `${rawCode(current).code} ${op} ${rawCode(right).code}`) {
      const found = lookupLocal(ctx.scope, target.text)
      if (found && found.local.type === result.type) {
        recordAssignment(target.text, result.type, ctx)
        return [`${found.local.jsName} ${op}= ${rawCode(right).code}`]
      }
    }
    return [...lines, ...assignTo(target, result, ctx)]
  } finally {
    for (const id of owned) precomputed.delete(id)
  }
}
