import type { ConfigEntryIR, SourceLocation } from '../ir/types.js'
import type { SyntaxNode } from '../parse/index.js'
import type { AppState } from './flask-model.js'
import type { Interpreter } from './interpreter.js'
import { isSecretName, looksSecret } from './secrets.js'
import { holdsSecret, holdsString, stringsOf, toLiteral, type ClassValue, type Value } from './values.js'
import { configPath } from './app-extras.js'

/**
 * Records `app.config[key] = value` (and its equivalents), keeping what the code shows of the value.
 * A secret (by its key, by its value, or built from a secret: analyze/secrets.ts) keeps neither.
 */
export function setConfigEntry(app: AppState, key: string, value: Value, node: SyntaxNode, location: SourceLocation): void {
  const literal = toLiteral(value)
  const secret = (isSecretName(key) && holdsString(value)) || holdsSecret(value, isSecretName, looksSecret)
  const entry: ConfigEntryIR = {
    key,
    value: literal === undefined ? null : literal,
    expression: literal === undefined ? node.text : null,
    envVar: value.kind === 'env' ? value.name : null,
    secret,
    location,
  }
  const path = configPath(value)
  if (path !== undefined && !secret) {
    entry.path = path
    if (value.kind === 'env' && value.or) entry.envOr = true
    const joined = `os.path.join(app.${path.base === 'instance' ? 'instance_path' : 'root_path'}${path.parts.map((part) => `, ${JSON.stringify(part)}`).join('')})`
    const fromModule = (value.kind === 'path' ? value : value.kind === 'env' ? value.fallback : null)?.kind === 'path' && (value.kind === 'path' ? value.app : (value as { fallback: { app: unknown } }).fallback.app) === null
    if (!fromModule) entry.expression = value.kind !== 'env' ? joined : value.or ? `os.environ.get(${JSON.stringify(value.name)}) or ${joined}` : `os.environ.get(${JSON.stringify(value.name)}, ${joined})`
  }
  if (value.kind === 'env' && value.fallback) {
    const fallback = toLiteral(value.fallback)
    if (fallback !== undefined) entry.value = fallback
  }
  if (secret) {
    for (const text of stringsOf(value)) if (text.length >= 4) app.secretValues.add(text)
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

