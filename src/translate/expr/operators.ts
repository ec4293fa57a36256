import { fail, snippet } from '../diagnostics.js'
import { emitted, isNumeric, joinTypes, rawCode, type Context, type Emitted, type PyType, type SyntaxNode } from '../context.js'
import { binary, Prec, wrap, type Code } from '../precedence.js'
import { translateExpr, truthy, isSimple } from './index.js'
import { typeCallArgument, builtinTypeName } from './builtins.js'
import { tsJson } from '../../ts-text.js'

function py(ctx: Context, call: string, type: Emitted['type'] = 'unknown'): Emitted {
  ctx.imports.py = true
  return emitted(`py.${call}`, Prec.Call, type)
}

/** The type of an arithmetic result on two numbers: int for ints (and bools), float when either is a float. */
function numericType(a: Emitted, b: Emitted): PyType {
  return a.type === 'float' || b.type === 'float' ? 'float' : 'int'
}

function isNonZeroLiteral(e: Code): boolean {
  return /^\d+(\.\d+)?(e[+-]?\d+)?$/.test(e.code) && Number(e.code) !== 0
}

/**
 * Python's arithmetic operators on two translated operands. Numbers whose types are known
 * compute in plain JavaScript (on a float's raw form); anything else goes through the runtime,
 * which keeps int and float apart in dynamic values.
 */
export function arithmetic(op: string, a: Emitted, b: Emitted, ctx: Context, node: SyntaxNode): Emitted {
  const numeric = isNumeric(a.type) && isNumeric(b.type)
  const bothInt = numeric && numericType(a, b) === 'int'
  const x = rawCode(a)
  const y = rawCode(b)
  switch (op) {
    case '+':
      if (numeric) return emitted(binary(x, '+', y, Prec.Additive), Prec.Additive, numericType(a, b))
      if (a.type === 'str' && b.type === 'str') return emitted(binary(a, '+', b, Prec.Additive), Prec.Additive, 'str')
      return py(ctx, `add(${a.code}, ${b.code})`, a.type === 'list' && b.type === 'list' ? 'list' : 'unknown')
    case '-':
      if (numeric) return emitted(binary(x, '-', y, Prec.Additive), Prec.Additive, numericType(a, b))
      return py(ctx, `sub(${a.code}, ${b.code})`)
    case '*':
      if (numeric) return emitted(binary(x, '*', y, Prec.Multiplicative), Prec.Multiplicative, numericType(a, b))
      return py(ctx, `mul(${a.code}, ${b.code})`, a.type === 'str' || b.type === 'str' ? 'str' : 'unknown')
    case '/':
      if (numeric && isNonZeroLiteral(y)) return emitted(binary(x, '/', y, Prec.Multiplicative), Prec.Multiplicative, 'float')
      if (numeric) return py(ctx, `divide(${x.code}, ${y.code})`, 'float')
      return py(ctx, `truediv(${a.code}, ${b.code})`)
    case '//':
      if (numeric && isNonZeroLiteral(y)) return emitted(`Math.floor(${binary(x, '/', y, Prec.Multiplicative)})`, Prec.Call, numericType(a, b))
      return py(ctx, `floordiv(${a.code}, ${b.code})`, bothInt ? 'int' : 'unknown')
    case '%':
      if (a.type === 'str') return py(ctx, `percentFormat(${a.code}, ${b.code})`, 'str')
      return py(ctx, `mod(${a.code}, ${b.code})`, bothInt ? 'int' : 'unknown')
    case '**': {
      // JavaScript forbids a unary operand on the left of `**`.
      const base = x.prec <= Prec.Unary || /^-/.test(x.code) ? `(${x.code})` : x.code
      if (numeric && /^\d+$/.test(y.code) && b.type === 'int') return emitted(`${base} ** ${y.code}`, Prec.Exponent, numericType(a, b))
      return py(ctx, `pow(${a.code}, ${b.code})`)
    }
  }
  return fail('unsupported-python-construct', node, `operator \`${op}\` (${snippet(node)})`)
}

/** `a + b`, `a // b`, … */
export function translateBinary(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type !== 'binary_operator') return undefined
  const op = node.childForFieldName('operator')!.text
  const a = translateExpr(node.childForFieldName('left')!, ctx)
  const b = translateExpr(node.childForFieldName('right')!, ctx)
  return arithmetic(op, a, b, ctx, node)
}

export function translateUnary(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type === 'not_operator') {
    const operand = translateExpr(node.childForFieldName('argument')!, ctx)
    return emitted(`!${wrap(truthy(operand, ctx), Prec.Unary)}`, Prec.Unary, 'bool')
  }
  if (node.type !== 'unary_operator') return undefined
  const op = node.childForFieldName('operator')!.text
  const operand = translateExpr(node.childForFieldName('argument')!, ctx)
  if (op === '-' && isNumeric(operand.type)) {
    const number = rawCode(operand)
    const inner = /^[-+]/.test(number.code) ? `(${number.code})` : wrap(number, Prec.Unary)
    return emitted(`-${inner}`, Prec.Unary, operand.type === 'bool' ? 'int' : operand.type)
  }
  if (op === '-') return py(ctx, `neg(${operand.code})`)
  if (op === '+' && isNumeric(operand.type)) return operand
  return fail('unsupported-python-construct', node, `unary operator \`${op}\``)
}

/** `a and b`, `a or b`: the value of an operand, as in Python. */
export function translateBoolean(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type !== 'boolean_operator') return undefined
  const op = node.childForFieldName('operator')!.text
  let a = translateExpr(node.childForFieldName('left')!, ctx)
  let b = translateExpr(node.childForFieldName('right')!, ctx)
  if (a.type === 'float' && b.type === 'float') {
    // Two floats make a float: built from their raw forms (translateExpr adds the dynamic one).
    a = { ...rawCode(a), type: 'float' }
    b = { ...rawCode(b), type: 'float' }
  }
  const jsOp = op === 'and' ? '&&' : '||'
  const prec = op === 'and' ? Prec.And : Prec.Or
  // JavaScript's && / || agree with Python when the left operand's truthiness is JavaScript's.
  if (a.type === 'bool' || a.type === 'str' || a.type === 'int') {
    return emitted(binary(a, jsOp, b, prec), prec, joinTypes(a.type, b.type))
  }
  if (!isSimple(a)) {
    // Evaluate the left operand once, the right one only when Python would.
    return py(ctx, `${op}(${a.code}, () => ${wrap(b, Prec.Arrow + 1)})`, joinTypes(a.type, b.type))
  }
  const test = truthy(a, ctx)
  const type = joinTypes(a.type, b.type)
  const code = op === 'and' ? `${wrap(test, Prec.Conditional + 1)} ? ${wrap(b, Prec.Arrow + 1)} : ${a.code}` : `${wrap(test, Prec.Conditional + 1)} ? ${a.code} : ${wrap(b, Prec.Arrow + 1)}`
  return emitted(code, Prec.Conditional, type)
}

/** `b if cond else c`. */
export function translateConditional(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type !== 'conditional_expression') return undefined
  const [whenTrue, condition, whenFalse] = node.namedChildren.map((c) => translateExpr(c, ctx))
  if (whenTrue.type === 'float' && whenFalse.type === 'float') {
    const test = truthy(condition, ctx)
    const [t, f] = [rawCode(whenTrue), rawCode(whenFalse)]
    return emitted(`${wrap(test, Prec.Conditional + 1)} ? ${wrap(t, Prec.Arrow + 1)} : ${wrap(f, Prec.Arrow + 1)}`, Prec.Conditional, 'float')
  }
  const test = truthy(condition, ctx)
  return emitted(
    `${wrap(test, Prec.Conditional + 1)} ? ${wrap(whenTrue, Prec.Arrow + 1)} : ${wrap(whenFalse, Prec.Arrow + 1)}`,
    Prec.Conditional,
    joinTypes(whenTrue.type, whenFalse.type),
  )
}

function isNoneLiteral(e: Emitted): boolean {
  return e.code === 'null'
}

/** `===` agrees with Python's `==` (bool vs int does not: `True == 1`). */
function strictlyComparable(a: Emitted, b: Emitted): boolean {
  const plainNumber = (e: Emitted): boolean => isNumeric(e.type) && e.type !== 'bool'
  return (plainNumber(a) && plainNumber(b)) || (a.type === 'str' && b.type === 'str') || (a.type === 'bool' && b.type === 'bool')
}

/** One comparison `a op b`. */
export function compare(op: string, a: Emitted, b: Emitted, ctx: Context): Emitted {
  switch (op) {
    case '==':
    case '!=': {
      const negate = op === '!='
      if (isNoneLiteral(a) || isNoneLiteral(b)) return emitted(binary(a, negate ? '!=' : '==', b, Prec.Equality), Prec.Equality, 'bool')
      if (strictlyComparable(a, b)) {
        return emitted(binary(rawCode(a), negate ? '!==' : '===', rawCode(b), Prec.Equality), Prec.Equality, 'bool')
      }
      ctx.imports.py = true
      return emitted(`${negate ? '!' : ''}py.eq(${a.code}, ${b.code})`, negate ? Prec.Unary : Prec.Call, 'bool')
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if ((isNumeric(a.type) && isNumeric(b.type)) || (a.type === 'str' && b.type === 'str')) {
        return emitted(binary(rawCode(a), op, rawCode(b), Prec.Relational), Prec.Relational, 'bool')
      }
      const name = { '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' }[op]
      ctx.imports.py = true
      return emitted(`py.${name}(${a.code}, ${b.code})`, Prec.Call, 'bool')
    }
    case 'in':
    case 'not in': {
      const negate = op === 'not in' ? '!' : ''
      if (b.type === 'dict' || b.type === 'set') return emitted(`${negate}${wrap(b, Prec.Call)}.has(${a.code})`, negate ? Prec.Unary : Prec.Call, 'bool')
      if (b.type === 'str' && a.type === 'str') return emitted(`${negate}${wrap(b, Prec.Call)}.includes(${a.code})`, negate ? Prec.Unary : Prec.Call, 'bool')
      ctx.imports.py = true
      return emitted(`${negate}py.contains(${b.code}, ${a.code})`, negate ? Prec.Unary : Prec.Call, 'bool')
    }
    case 'is':
    case 'is not': {
      const negate = op === 'is not'
      if (isNoneLiteral(a) || isNoneLiteral(b)) return emitted(binary(a, negate ? '!=' : '==', b, Prec.Equality), Prec.Equality, 'bool')
      return emitted(binary(a, negate ? '!==' : '===', b, Prec.Equality), Prec.Equality, 'bool')
    }
  }
  throw new Error(`unknown comparison ${op}`)
}

/** `type(x) is bool` (also `is not`, `==`, `!=`): the exact type, as Python's `type()` gives it (a bool is not an int here). */
function typeComparison(operands: SyntaxNode[], operators: string[], ctx: Context): Emitted | null {
  if (operators.length !== 1 || !['is', 'is not', '==', '!='].includes(operators[0])) return null
  const [left, right] = operands
  const subject = typeCallArgument(left, ctx) ?? typeCallArgument(right, ctx)
  const name = builtinTypeName(right, ctx) ?? builtinTypeName(left, ctx)
  if (subject === null || name === null) return null
  ctx.imports.py = true
  const negate = operators[0] === 'is not' || operators[0] === '!='
  return emitted(`py.typeName(${translateExpr(subject, ctx).code}) ${negate ? '!==' : '==='} ${tsJson(name)}`, Prec.Equality, 'bool')
}

/** Comparison chains: `a < b <= c` is `a < b && b <= c` with `b` evaluated once. */
export function translateComparison(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type !== 'comparison_operator') return undefined
  const operands = node.namedChildren.filter((c) => c.type !== 'comment')
  const operators = node.childrenForFieldName('operators').map((o) => o.text.replace(/\s+/g, ' '))
  const exactType = typeComparison(operands, operators, ctx)
  if (exactType) return exactType
  const values = operands.map((o) => translateExpr(o, ctx))
  const parts: Emitted[] = []
  for (let i = 0; i < operators.length; i++) {
    if (i > 0 && !isSimple(values[i])) {
      fail('unsupported-python-construct', operands[i], `comparison chain with a computed middle operand (${snippet(node)})`)
    }
    parts.push(compare(operators[i], values[i], values[i + 1], ctx))
  }
  if (parts.length === 1) return parts[0]
  return emitted(parts.map((p) => wrap(p, Prec.And + 1)).join(' && '), Prec.And, 'bool')
}
