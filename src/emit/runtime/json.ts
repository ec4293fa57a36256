/**
 * JSON text to values, as Python's `json.loads` reads it (request bodies, `json.loads`).
 */
import { ValueError } from './exceptions.js'
import { asFloat } from './float.js'

export class JSONDecodeError extends ValueError {}

/**
 * Python's `json.loads` grammar: JSON plus `NaN`, `Infinity`, `-Infinity`. A number written as a
 * float (`3.0`, `1e2`) is a float, boxed when integral (see float.ts); objects stay plain objects.
 */
export function loadsJson(text: string): unknown {
  // JSON.parse is exact unless the text holds an integral float or Python's extra literals.
  if (!/\d[.eE]/.test(text)) {
    try {
      return JSON.parse(text)
    } catch {
      // Fall through: Python also accepts NaN and Infinity, which JSON.parse does not.
    }
  }
  let i = 0
  const fail = (what: string): never => {
    throw new JSONDecodeError(`${what}: char ${i}`)
  }
  const skip = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const value = (): unknown => {
    skip()
    const ch = text[i]
    if (ch === '{') {
      i++
      const out: Record<string, unknown> = {}
      skip()
      if (text[i] === '}') {
        i++
        return out
      }
      for (;;) {
        skip()
        if (text[i] !== '"') fail('Expecting property name enclosed in double quotes')
        const key = string()
        skip()
        if (text[i] !== ':') fail("Expecting ':' delimiter")
        i++
        Object.defineProperty(out, key, {
          value: value(),
          enumerable: true,
          writable: true,
          configurable: true,
        })
        skip()
        if (text[i] === ',') i++
        else if (text[i] === '}') {
          i++
          return out
        } else fail("Expecting ',' delimiter")
      }
    }
    if (ch === '[') {
      i++
      const out: unknown[] = []
      skip()
      if (text[i] === ']') {
        i++
        return out
      }
      for (;;) {
        out.push(value())
        skip()
        if (text[i] === ',') i++
        else if (text[i] === ']') {
          i++
          return out
        } else fail("Expecting ',' delimiter")
      }
    }
    if (ch === '"') return string()
    for (const [literal, result] of [
      ['null', null],
      ['true', true],
      ['false', false],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['-Infinity', -Infinity],
    ] as const) {
      if (text.startsWith(literal, i)) {
        i += literal.length
        return result
      }
    }
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y
    number.lastIndex = i
    const match = number.exec(text)
    if (!match) return fail('Expecting value')
    i += match[0].length
    return /[.eE]/.test(match[0]) ? asFloat(Number(match[0])) : Number(match[0])
  }
  const string = (): string => {
    const start = i
    i++
    for (;;) {
      const ch = text[i]
      if (ch === undefined) fail('Unterminated string')
      if (ch === '"') break
      if (ch === '\\') i++
      else if (ch!.charCodeAt(0) < 0x20) fail('Invalid control character')
      i++
    }
    i++
    try {
      return JSON.parse(text.slice(start, i)) as string
    } catch {
      return fail('Invalid \\escape')
    }
  }
  const result = value()
  skip()
  if (i !== text.length) fail('Extra data')
  return result
}
