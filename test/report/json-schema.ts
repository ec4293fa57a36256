/**
 * The subset of JSON Schema (2020-12) that schema/migration-report.schema.json uses: type, const,
 * enum, required, properties, additionalProperties:false, items, minimum, maximum, pattern, and
 * local `$ref`s to `#/$defs/...`. Anything else in a schema is reported as unsupported, so the
 * schema cannot quietly grow a keyword this checker ignores.
 */
type Schema = Record<string, unknown>

const KNOWN = new Set([
  '$schema', '$id', 'title', 'description', '$defs', '$ref', 'type', 'const', 'enum', 'required',
  'properties', 'additionalProperties', 'items', 'minimum', 'maximum', 'pattern',
])

export function validate(schema: Schema, value: unknown, root: Schema = schema, path = '$'): string[] {
  const errors: string[] = []
  for (const key of Object.keys(schema)) if (!KNOWN.has(key)) errors.push(`${path}: unsupported schema keyword ${key}`)
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref.replace(/^#\//, '').split('/').reduce<unknown>((node, part) => (node as Schema)[part], root)
    return [...errors, ...validate(target as Schema, value, root, path)]
  }
  if ('const' in schema && value !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`)
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`)
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type]
    if (!types.some((type) => hasType(value, type as string))) {
      errors.push(`${path}: expected ${types.join(' | ')}, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`)
      return errors
    }
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`)
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`)
  }
  if (typeof value === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
    errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`)
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((item, index) => errors.push(...validate(schema.items as Schema, item, root, `${path}[${index}]`)))
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in object)) errors.push(`${path}: missing ${key}`)
    const properties = (schema.properties as Record<string, Schema> | undefined) ?? {}
    for (const [key, item] of Object.entries(object)) {
      if (key in properties) errors.push(...validate(properties[key], item, root, `${path}.${key}`))
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property ${key}`)
    }
  }
  return errors
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null
    case 'array':
      return Array.isArray(value)
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value)
    case 'integer':
      return Number.isInteger(value)
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    default:
      return typeof value === type
  }
}
