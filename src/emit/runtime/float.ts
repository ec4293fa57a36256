/**
 * Python's float where JavaScript cannot tell it from an int.
 *
 * Translated code keeps Python's int and float as `number`. A number that is not integral can
 * only be a float, but an integral one (`3.0`) reads as the int `3`, and prints as `3` in
 * `str()`, f-strings and JSON. Where the translator knows a value is a float it keeps the plain
 * number; where the value goes somewhere its type is not known statically (a list, a dict, a
 * parameter, an attribute, a return value), an integral float is boxed in a `PyFloat`.
 *
 * So in a dynamic value: an integral `number` is an int, any other `number` a float, and a
 * `PyFloat` an integral float. `PyFloat` extends `Number`, so JavaScript arithmetic on a box
 * still computes with its value; the runtime's helpers (`py.add`, `py.str`, `dumps`, …) keep
 * its type.
 */
export class PyFloat extends Number {}

/** A float for a dynamic slot: boxed when integral (including -0.0), as is otherwise. */
export function asFloat(value: number | PyFloat): number | PyFloat {
  if (value instanceof PyFloat) return value
  return Number.isInteger(value) ? new PyFloat(value) : value
}

/** Whether a value is a Python float (a boxed one, or a number that is not integral). */
export function isFloat(value: unknown): boolean {
  return value instanceof PyFloat || (typeof value === 'number' && !Number.isInteger(value))
}

/** Python's `repr()` of a float: shortest round-trip digits, exponent outside [1e-4, 1e16). */
export function floatRepr(value: number | PyFloat): string {
  const x = Number(value)
  if (Number.isNaN(x)) return 'nan'
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const [mantissa, expText] = x.toExponential().split('e') as [string, string]
  const exponent = Number(expText)
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  const sign = x < 0 ? '-' : ''
  const digits = mantissa.replace('-', '').replace('.', '')
  let text: string
  if (exponent < 0) text = '0.' + '0'.repeat(-exponent - 1) + digits
  else if (digits.length <= exponent + 1)
    text = digits + '0'.repeat(exponent + 1 - digits.length) + '.0'
  else text = digits.slice(0, exponent + 1) + '.' + digits.slice(exponent + 1)
  return sign + text
}
