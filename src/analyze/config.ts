import type { ConfigEntryIR, SourceLocation } from '../ir/types.js'
import type { SyntaxNode } from '../parse/index.js'
import type { AppState } from './flask-model.js'
import type { Interpreter } from './interpreter.js'
import { isSecretName, looksSecret } from './secrets.js'
import { describe, holdsSecret, holdsString, stringsOf, toLiteral, type ClassValue, type Value } from './values.js'
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
  if (secret && value.kind === 'env' && value.fallback !== null) {
    const fallback = toLiteral(value.fallback)
    if (typeof fallback === 'string' && isCredentialFreeSqliteUrl(fallback)) entry.publicDefault = fallback
    else entry.droppedDefault = true
  }
  if (secret) {
    for (const text of stringsOf(value)) if (text.length >= 4 && text !== entry.publicDefault) app.secretValues.add(text)
    // A secret's value (or its in-code fallback) never reaches the IR.
    entry.value = null
    entry.expression = entry.expression === null ? null : '<redacted>'
  }
  app.config.delete(key)
  app.config.set(key, entry)
}

/**
 * `sqlite:///journal.sqlite`, `sqlite://` (in memory), `sqlite+pysqlite:////abs/path.db`: a file
 * path with no user, password, host or query, so nothing in it can be a credential.
 */
export function isCredentialFreeSqliteUrl(text: string): boolean {
  return /^sqlite(\+[a-z]+)?:\/\/(\/[^?#@:\s]*)?$/.test(text)
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


/**
 * `config.from_object(<choice>)` where the setup code picks the config class by the environment
 * (`pick_config()` returning `TestingConfig` under `if os.environ.get(...) …`): each branch read
 * as from_object reads it, and a key whose value differs keeps the others as `alternatives`
 * decided when the service starts. Null when read; otherwise why it could not be.
 */
export function readConfigChoice(app: AppState, choice: Extract<Value, { kind: 'env-choice' }>, interpreter: Interpreter, location: SourceLocation): string | null {
  const before = new Map(app.config)
  const read = (source: Value): Map<string, ConfigEntryIR> | string => {
    app.config.clear()
    for (const [key, entry] of before) app.config.set(key, entry)
    if (source.kind === 'class') readConfigClass(app, source, interpreter, location)
    else if (source.kind === 'env-choice') {
      const unread = readConfigChoice(app, source, interpreter, location)
      if (unread !== null) return unread
    } else return `one of its choices is ${describe(source)}`
    return new Map(app.config)
  }
  const whenTrue = read(choice.whenTrue)
  const whenFalse = read(choice.whenFalse)
  app.config.clear()
  for (const [key, entry] of before) app.config.set(key, entry)
  if (typeof whenTrue === 'string') return whenTrue
  if (typeof whenFalse === 'string') return whenFalse
  const keys = (entries: Map<string, ConfigEntryIR>): string => [...entries.keys()].sort().join('\0')
  if (keys(whenTrue) !== keys(whenFalse)) return 'its choices set different keys'
  if ([...whenTrue.values()].some((entry) => entry.alternatives !== undefined && !sameEntry(entry, whenFalse.get(entry.key)!))) return 'a choice nested under its first branch'
  for (const [key, entry] of whenFalse) {
    const other = whenTrue.get(key)!
    app.config.set(key, sameEntry(entry, other) ? entry : { ...entry, alternatives: [{ when: choice.test, entry: other }, ...(entry.alternatives ?? [])] })
  }
  return null
}

/** Whether two reads of a key give the same value (where they were written aside). */
function sameEntry(a: ConfigEntryIR, b: ConfigEntryIR): boolean {
  const { location: _a, ...restA } = a
  const { location: _b, ...restB } = b
  return JSON.stringify(restA) === JSON.stringify(restB)
}
