/**
 * JSON Schema validation for the report tests, by ajv (2020-12, the dialect of
 * schema/migration-report.schema.json). Strict mode: a keyword ajv does not know, or one it
 * would ignore, is an error when the schema is compiled, so the schema cannot quietly say what
 * no validator checks; and the schema itself is checked against the 2020-12 meta-schema.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js'

type Schema = Record<string, unknown>

const ajv = new Ajv2020({ strict: true, allErrors: true })
const compiled = new WeakMap<Schema, ReturnType<typeof ajv.compile>>()

/** The schema's own errors against the JSON Schema 2020-12 meta-schema (none: []). */
export function schemaErrors(schema: Schema): string[] {
  return ajv.validateSchema(schema) ? [] : (ajv.errors ?? []).map(describe)
}

/** Where `value` breaks `schema`: one line per error, `$.path: message` (none: []). */
export function validate(schema: Schema, value: unknown): string[] {
  let check = compiled.get(schema)
  if (check === undefined) {
    check = ajv.compile(schema)
    compiled.set(schema, check)
  }
  return check(value) ? [] : (check.errors ?? []).map(describe)
}

function describe(error: ErrorObject): string {
  const path = `$${error.instancePath.replace(/\/([^/]*)/g, (_, part: string) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`))}`
  switch (error.keyword) {
    case 'required':
      return `${path}: missing ${(error.params as { missingProperty: string }).missingProperty}`
    case 'additionalProperties':
      return `${path}: unexpected property ${(error.params as { additionalProperty: string }).additionalProperty}`
    default:
      return `${path}: ${error.message ?? error.keyword}`
  }
}
