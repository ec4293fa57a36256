import type { EnvTestIR, SourceLocation } from '../ir/types.js'
import type { SyntaxNode } from '../parse/index.js'
import type { Value } from './values.js'

/**
 * A test of an environment variable made by setup code, decided when the app starts: the value
 * read (`os.environ.get("X", "")`, maybe `.lower()`) against literal strings (`in (...)`, `==`),
 * or its truthiness (`strings` null). Null when the read's default is not a literal string or
 * None, or `.lower()` would be applied to None (Python raises there).
 */
export function envTest(read: Extract<Value, { kind: 'env' }>, strings: string[] | null, negated: boolean, node: SyntaxNode, location: SourceLocation): EnvTestIR | null {
  if (read.or) return null
  const fallback = read.fallback === null ? null : read.fallback.kind === 'const' && (typeof read.fallback.value === 'string' || read.fallback.value === null) ? read.fallback.value : undefined
  if (fallback === undefined || (fallback === null && read.lower)) return null
  return {
    name: read.name,
    fallback,
    ...(read.lower ? { lower: true as const } : {}),
    oneOf: strings,
    ...(negated ? { negated: true as const } : {}),
    source: node.text.replace(/\s+/g, ' '),
    location,
  }
}

/** `isinstance(value, cls)` when it is known statically: a literal against a builtin type. */
export function isInstanceOf(value: Value | undefined, cls: Value | undefined): boolean | undefined {
  if (value === undefined || cls === undefined) return undefined
  const types = cls.kind === 'tuple' ? cls.items : [cls]
  if (!types.every((type) => type.kind === 'external' && type.path.startsWith('builtins.'))) return undefined
  const names = types.map((type) => (type as { path: string }).path.slice('builtins.'.length))
  const own = (): string | undefined => {
    switch (value.kind) {
      case 'const':
        if (value.value === null) return 'NoneType'
        if (typeof value.value === 'string') return 'str'
        if (typeof value.value === 'boolean') return 'bool'
        return value.isFloat || !Number.isInteger(value.value) ? 'float' : 'int'
      case 'list':
      case 'tuple':
      case 'set':
      case 'dict':
        return value.kind
      default:
        return undefined
    }
  }
  const type = own()
  if (type === undefined) return undefined
  // bool is a subclass of int; every one of these is an object.
  return names.some((name) => name === type || name === 'object' || (name === 'int' && type === 'bool'))
}
