import type { ConfigEntryIR, SourceLocation } from '../ir/types.js'
import type { SyntaxNode } from '../parse/index.js'
import type { AppState } from './flask-model.js'
import type { Interpreter } from './interpreter.js'
import { toLiteral, type ClassValue, type Value } from './values.js'

/** Config keys whose values are credentials: never copied into emitted code, read from the environment instead. */
const SECRET_KEY_PATTERN = /SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE|CREDENTIAL|(DATABASE|SQLALCHEMY_DATABASE|REDIS|BROKER|MONGO)_(URI|URL)|_DSN$/i

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key)
}

/** Records `app.config[key] = value` (and its equivalents), keeping what the code shows of the value. */
export function setConfigEntry(app: AppState, key: string, value: Value, node: SyntaxNode, location: SourceLocation): void {
  const literal = toLiteral(value)
  const secret = isSecretKey(key)
  const entry: ConfigEntryIR = {
    key,
    value: literal === undefined ? null : literal,
    expression: literal === undefined ? node.text : null,
    envVar: value.kind === 'env' ? value.name : null,
    secret,
    location,
  }
  if (value.kind === 'env' && value.fallback) {
    const fallback = toLiteral(value.fallback)
    if (fallback !== undefined) entry.value = fallback
  }
  if (secret) {
    collectStrings(literal, app.secretValues)
    if (value.kind === 'env' && value.fallback) collectStrings(toLiteral(value.fallback), app.secretValues)
    // A secret's value (or its in-code fallback) never reaches the IR.
    entry.value = null
    entry.expression = entry.expression === null ? null : '<redacted>'
  }
  app.config.delete(key)
  app.config.set(key, entry)
}

/** `config.from_object(SomeClass)`: its upper-case attributes, base classes first so subclasses win. */
export function readConfigClass(app: AppState, cls: ClassValue, interpreter: Interpreter, location: SourceLocation): void {
  for (const base of cls.bases) if (base.kind === 'class') readConfigClass(app, base, interpreter, location)
  for (const [key, attribute] of cls.attributes) {
    if (key !== key.toUpperCase() || attribute.value.kind === 'function') continue
    setConfigEntry(app, key, attribute.value, attribute.node, interpreter.locate(attribute.node, cls.module))
  }
}

export function readConfigMapping(app: AppState, mapping: Value, location: SourceLocation): void {
  if (mapping.kind !== 'dict') return
  for (const [key, value] of mapping.entries) {
    if (key.kind === 'const' && typeof key.value === 'string' && key.value === key.value.toUpperCase()) {
      setConfigEntry(app, key.value, value, { text: JSON.stringify(toLiteral(value) ?? null) } as SyntaxNode, location)
    }
  }
}

/** Secret strings short enough to be ordinary words would redact unrelated code; four characters is the floor. */
function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (value.length >= 4) into.add(value)
  } else if (Array.isArray(value)) for (const item of value) collectStrings(item, into)
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) collectStrings(item, into)
}
