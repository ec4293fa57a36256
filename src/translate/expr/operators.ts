import { fail, snippet } from '../diagnostics.js'
import { emitted, isNumeric, joinTypes, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { binary, Prec, wrap } from '../precedence.js'
import { translateExpr, truthy, isSimple } from './index.js'

function py(ctx: Context, call: string, type: Emitted['type'] = 'unknown'): Emitted {
  ctx.imports.py = true
  return emitted(`py.${call}`, Prec.Call, type)
}

function numericType(a: Emitted, b: Emitted): Emitted['type'] {
  const ta = a.type === 'bool' ? 'int' : a.type
  const tb = b.type === 'bool' ? 'int' : b.type
  return joinTypes(ta, tb)
}

function isNonZeroLiteral(e: Emitted): boolean {
  return /^\d+(\.\d+)?(e[+-]?\d+)?$/.test(e.code) && Number(e.code) !== 0
}

/** Python's arithmetic operators on two translated operands. */
export function arithmetic(op: string, a: Emitted, b: Emitted, ctx: Context, node: SyntaxNode): Emitted {
  const numeric = isNumeric(a.type) && isNumeric(b.type)
  const isFloat = a.type === 'float' || b.type === 'float'
  switch (op) {
    case '+':
      if (numeric) return emitted(binary(a, '+', b, Prec.Additive), Prec.Additive, numericType(a, b))
      if (a.type === 'str' && b.type === 'str') return emitted(binary(a, '+', b, Prec.Additive), Prec.Additive, 'str')
      return py(ctx, `add(${a.code}, ${b.code})`, a.type === 'list' && b.type === 'list' ? 'list' : 'unknown')
    case '-':
      if (numeric) return emitted(binary(a, '-', b, Prec.Additive), Prec.Additive, numericType(a, b))
      return py(ctx, `sub(${a.code}, ${b.code})`)
    case '*':
      if (numeric) return emitted(binary(a, '*', b, Prec.Multiplicative), Prec.Multiplicative, numericType(a, b))
      return py(ctx, `mul(${a.code}, ${b.code})`, a.type === 'str' || b.type === 'str' ? 'str' : 'unknown')
    case '/':
      if (numeric && isNonZeroLiteral(b)) return emitted(binary(a, '/', b, Prec.Multiplicative), Prec.Multiplicative, 'float')
      return py(ctx, `truediv(${a.code}, ${b.code})`, 'float')
    case '//': {
      const type = numeric ? numericType(a, b) : 'unknown'
      if (numeric && isNonZeroLiteral(b)) return emitted(`Math.floor(${binary(a, '/', b, Prec.Multiplicative)})`, Prec.Call, type)
      return py(ctx, `floordiv(${a.code}, ${b.code}${isFloat ? ', true' : ''})`, type)
    }
    case '%':
      if (a.type === 'str') return py(ctx, `percentFormat(${a.code}, ${b.code})`, 'str')
      return py(ctx, `mod(${a.code}, ${b.code}${isFloat ? ', true' : ''})`, numeric ? numericType(a, b) : 'unknown')
    case '**': {
      const nonNegativeLiteral = /^\d+$/.test(b.code)
      // JavaScript forbids a unary operand on the left of `**`.
      const base = a.prec <= Prec.Unary || /^-/.test(a.code) ? `(${a.code})` : a.code
      if (numeric && nonNegativeLiteral) return emitted(`${base} ** ${b.code}`, Prec.Exponent, numericType(a, b))
      return py(ctx, `pow(${a.code}, ${b.code})`, isFloat ? 'float' : 'num')
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
    const inner = /^[-+]/.test(operand.code) ? `(${operand.code})` : wrap(operand, Prec.Unary)
    return emitted(`-${inner}`, Prec.Unary, operand.type === 'bool' ? 'int' : operand.type)
  }
  if (op === '-') return py(ctx, `neg(${operand.code})`, 'num')
  if (op === '+' && isNumeric(operand.type)) return operand
  return fail('unsupported-python-construct', node, `unary operator \`${op}\``)
}

/** `a and b`, `a or b`: the value of an operand, as in Python. */
export function translateBoolean(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type !== 'boolean_operator') return undefined
  const op = node.childForFieldName('operator')!.text
  const a = translateExpr(node.childForFieldName('left')!, ctx)
  const b = translateExpr(node.childForFieldName('right')!, ctx)
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
        return emitted(binary(a, negate ? '!==' : '===', b, Prec.Equality), Prec.Equality, 'bool')
      }
      ctx.imports.py = true
      return emitted(`${negate ? '!' : ''}py.eq(${a.code}, ${b.code})`, negate ? Prec.Unary : Prec.Call, 'bool')
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if ((isNumeric(a.type) && isNumeric(b.type)) || (a.type === 'str' && b.type === 'str')) {
        return emitted(binary(a, op, b, Prec.Relational), Prec.Relational, 'bool')
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

/** Comparison chains: `a < b <= c` is `a < b && b <= c` with `b` evaluated once. */
export function translateComparison(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type !== 'comparison_operator') return undefined
  const operands = node.namedChildren.filter((c) => c.type !== 'comment')
  const operators = node.childrenForFieldName('operators').map((o) => o.text.replace(/\s+/g, ' '))
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
