/**
 * TypeScript names for Python ones. A reader of the emitted service should recognise the Flask
 * app in it, so names keep their words and only change case (`get_item` → `getItem`).
 */

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false ' +
    'finally for function if import in instanceof new null return super switch this throw true try ' +
    'typeof var void while with as implements interface let package private protected public static ' +
    'yield await async of type arguments eval undefined NaN Infinity globalThis'
  ).split(' '),
)

/** `get_item` → `getItem`, `CategoryAPI` stays, `__init__` → `init`; always a valid identifier. */
export function camelCase(pythonName: string): string {
  const words = pythonName.split(/[^A-Za-z0-9]+/).filter((word) => word !== '')
  if (words.length === 0) return '_'
  const [first, ...rest] = words
  let name = first + rest.map((word) => word[0].toUpperCase() + word.slice(1)).join('')
  if (/^[0-9]/.test(name)) name = `_${name}`
  if (RESERVED.has(name)) name = `${name}_`
  return name
}

/** Hands out names unique within one emitted file, in the order asked. */
export class NameScope {
  private readonly taken = new Set<string>()

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.taken.add(name)
  }

  claim(wanted: string): string {
    let name = wanted
    for (let counter = 2; this.taken.has(name); counter++) name = `${wanted}${counter}`
    this.taken.add(name)
    return name
  }
}

/** A string as a TypeScript string literal (see src/ts-text.ts, the one escaping path). */
export { tsString as stringLiteral } from '../ts-text.js'
