/**
 * The one place that knows JavaScript operator precedence. Every emitted expression carries
 * its precedence; `wrap` parenthesises an operand only when the context binds tighter.
 */
export const Prec = {
  Arrow: 1,
  Conditional: 2,
  Or: 4,
  And: 5,
  Equality: 9,
  Relational: 10,
  Additive: 12,
  Multiplicative: 13,
  Exponent: 14,
  Unary: 15,
  Call: 17,
  Primary: 18,
} as const

export interface Code {
  code: string
  prec: number
}

/** The operand's code, parenthesised when its precedence is lower than `min`. */
export function wrap(operand: Code, min: number): string {
  return operand.prec < min ? `(${operand.code})` : operand.code
}

/** A binary operation `left op right`, left-associative at `prec`. */
export function binary(left: Code, op: string, right: Code, prec: number): string {
  return `${wrap(left, prec)} ${op} ${wrap(right, prec + 1)}`
}

/** A receiver for `.member` / `[index]` / `(args)`. Numeric literals need parentheses too. */
export function receiver(operand: Code): string {
  return /^\d/.test(operand.code) ? `(${operand.code})` : wrap(operand, Prec.Call)
}
