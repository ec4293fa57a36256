import type { SyntaxNode } from '../parse/index.js'
import type { AppState, BlueprintState, RestfulApi } from './flask-model.js'
import type { RestxApi, RestxNamespace } from './ext-restx.js'
import type { ExtensionObject } from './ext-model.js'
import type { EnvTestIR } from '../ir/types.js'

/**
 * What the analyzer knows about a Python value while it runs a project's setup code
 * (imports, factories, decorators, registrations). `unknown` carries why, so a registration that
 * depends on it becomes a finding instead of a guess.
 */
export type Value =
  /** `secret`: a credential, or built from one (see analyze/secrets.ts); never copied into emitted code. */
  | { kind: 'const'; value: string | number | boolean | null; isFloat?: boolean; secret?: true }
  | { kind: 'list' | 'tuple' | 'set'; items: Value[] }
  | { kind: 'dict'; entries: [Value, Value][] }
  | { kind: 'module'; name: string }
  | FunctionValue
  | ClassValue
  | { kind: 'instance'; cls: ClassValue }
  /** Something outside the project, by its dotted import path: `flask.Flask`, `os.environ.get`. */
  | { kind: 'external'; path: string }
  | { kind: 'app'; app: AppState }
  /** A Flask-RESTful `Api`. */
  | { kind: 'restful-api'; api: RestfulApi }
  /** A Flask-RESTX `Api` or `Namespace` (see ext-restx.ts). */
  | { kind: 'restx'; object: RestxApi | RestxNamespace }
  /** An object of another modelled extension (Flask-Admin, flasgger, Flask-Security, Flask-DebugToolbar: see ext-model.ts). */
  | { kind: 'ext-object'; object: ExtensionObject }
  | { kind: 'blueprint'; blueprint: BlueprintState }
  /** A method looked up on an app, a blueprint, a config or a url map: `app.route`. */
  | { kind: 'method'; owner: Value; name: string }
  | { kind: 'decorator'; apply: (target: Value, node: SyntaxNode) => Value }
  | { kind: 'config'; app: AppState }
  | { kind: 'url-map'; app: AppState }
  /** `app.app_context()`: pushed (`.push()` or `with`), it makes `current_app` that app. */
  | { kind: 'app-context'; app: AppState }
  /** The result of `SomeView.as_view(name)`. */
  | { kind: 'class-view'; cls: ClassValue; name: string }
  /** `os.environ.get("X", default)` and friends: config read from the environment. */
  | { kind: 'env'; name: string; fallback: Value | null; /** `os.environ.get("X") or <fallback>`: an empty value falls back too. */ or?: true; /** `.lower()` was applied. */ lower?: true }
  /** A test of an environment variable, known only when the app starts (see EnvTestIR). */
  | { kind: 'env-test'; test: EnvTestIR }
  /** One of two values by a test of the environment: what a function returns under `if <env test>: return A` and after it. */
  | { kind: 'env-choice'; test: EnvTestIR; whenTrue: Value; whenFalse: Value }
  /** `app.instance_path`, `app.root_path`, `__file__` (app null), and `os.path` functions of one with literal parts (app-extras.ts). */
  | { kind: 'path'; app: AppState | null; base: 'instance' | 'root'; parts: string[] }
  /** `app.cli`: its `command` decorator and `add_command` register the app's CLI commands. */
  | { kind: 'cli-group'; app: AppState }
  /** A function made a click command (`@click.command("init-db")`), not yet given to an app. */
  | { kind: 'cli-command'; name: string; fn: FunctionValue; parameters: string[] }
  | { kind: 'unknown'; reason: string }

export interface FunctionValue {
  kind: 'function'
  module: string
  qualname: string
  name: string
  node: SyntaxNode
  closure: Scope
  /** Decorators applied below the route decorator (the view Flask registers is their wrapper). */
  wrappers: string[]
  /** Those of `wrappers` the translator carries over (project decorators, extension mappings: view-decorators.ts). */
  carriedWrappers?: string[]
}

export interface ClassValue {
  kind: 'class'
  module: string
  qualname: string
  name: string
  node: SyntaxNode
  bases: Value[]
  attributes: Map<string, { value: Value; node: SyntaxNode }>
}

/** A name space: a module's globals, a function call's locals, or a class body. */
export class Scope {
  readonly vars = new Map<string, Value>()
  constructor(
    readonly module: string,
    readonly qualnamePrefix: string,
    readonly parent: Scope | null,
  ) {}

  lookup(name: string): Value | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name)
  }
}

export const NONE: Value = { kind: 'const', value: null }

export function unknown(reason: string): Value {
  return { kind: 'unknown', reason }
}

export function isConst(value: Value): value is { kind: 'const'; value: string | number | boolean | null } {
  return value.kind === 'const'
}

/** Python truthiness when it can be known statically; undefined otherwise. */
export function truthiness(value: Value): boolean | undefined {
  switch (value.kind) {
    case 'const':
      return value.value !== null && value.value !== false && value.value !== 0 && value.value !== ''
    case 'list':
    case 'tuple':
    case 'set':
      return value.items.length > 0
    case 'dict':
      return value.entries.length > 0
    case 'unknown':
    case 'env':
    case 'env-test':
      return undefined
    case 'env-choice': {
      const whenTrue = truthiness(value.whenTrue)
      return whenTrue === truthiness(value.whenFalse) ? whenTrue : undefined
    }
    default:
      return true
  }
}

/** A literal Python value as JSON, or undefined when the value is not a plain literal. */
export function toLiteral(value: Value): import('../ir/types.js').PyLiteral | undefined {
  switch (value.kind) {
    case 'const':
      return value.isFloat && typeof value.value === 'number' && Number.isInteger(value.value) ? { $float: value.value } : value.value
    case 'list':
    case 'tuple':
    case 'set': {
      const items = value.items.map(toLiteral)
      return items.every((item) => item !== undefined) ? (items as import('../ir/types.js').PyLiteral[]) : undefined
    }
    case 'dict': {
      const out: Record<string, import('../ir/types.js').PyLiteral> = {}
      for (const [key, item] of value.entries) {
        const literal = toLiteral(item)
        // `$float` marks a float literal (see PyLiteral): a dict using the key is not one.
        if (key.kind !== 'const' || literal === undefined || key.value === '$float') return undefined
        out[String(key.value)] = literal
      }
      return out
    }
    default:
      return undefined
  }
}

export function describe(value: Value): string {
  switch (value.kind) {
    case 'unknown':
      return value.reason
    case 'const':
      return JSON.stringify(value.value)
    default:
      return value.kind
  }
}

/** The value with every string in it marked secret (it was bound to a name of a credential). */
export function markSecret(value: Value): Value {
  switch (value.kind) {
    case 'const':
      return typeof value.value === 'string' ? { ...value, secret: true } : value
    case 'list':
    case 'tuple':
    case 'set':
      return { kind: value.kind, items: value.items.map(markSecret) }
    case 'dict':
      return { kind: 'dict', entries: value.entries.map(([key, item]) => [key, markSecret(item)]) }
    case 'env':
      return { ...value, fallback: value.fallback === null ? null : markSecret(value.fallback) }
    default:
      return value
  }
}

/** Whether any string in the value is a secret: marked, shaped like one, or under a dict key named like one. */
export function holdsSecret(value: Value, isSecretName: (name: string) => boolean, looksSecret: (text: string) => boolean): boolean {
  switch (value.kind) {
    case 'const':
      return value.secret === true || (typeof value.value === 'string' && looksSecret(value.value))
    case 'list':
    case 'tuple':
    case 'set':
      return value.items.some((item) => holdsSecret(item, isSecretName, looksSecret))
    case 'dict':
      return value.entries.some(
        ([key, item]) =>
          (key.kind === 'const' && typeof key.value === 'string' && isSecretName(key.value) && holdsString(item)) ||
          holdsSecret(item, isSecretName, looksSecret),
      )
    case 'env':
      return value.fallback !== null && holdsSecret(value.fallback, isSecretName, looksSecret)
    default:
      return false
  }
}

/**
 * The strings of a value that are secrets: marked, shaped like one, or under a dict key named like
 * a credential (`{"username": "bob", "api_key": "…"}` holds one secret, not two).
 */
export function secretStringsOf(value: Value, isSecretName: (name: string) => boolean, looksSecret: (text: string) => boolean, into: string[] = []): string[] {
  if (value.kind === 'const') {
    if (typeof value.value === 'string' && (value.secret === true || looksSecret(value.value))) into.push(value.value)
  } else if (value.kind === 'list' || value.kind === 'tuple' || value.kind === 'set') for (const item of value.items) secretStringsOf(item, isSecretName, looksSecret, into)
  else if (value.kind === 'dict') {
    for (const [key, item] of value.entries) {
      if (key.kind === 'const' && typeof key.value === 'string' && isSecretName(key.value)) stringsOf(item, into)
      else secretStringsOf(item, isSecretName, looksSecret, into)
    }
  } else if (value.kind === 'env' && value.fallback !== null) secretStringsOf(value.fallback, isSecretName, looksSecret, into)
  return into
}

/** Whether the value is or holds a non-empty string (numbers, booleans and None are never credentials). */
export function holdsString(value: Value): boolean {
  if (value.kind === 'const') return typeof value.value === 'string' && value.value !== ''
  if (value.kind === 'list' || value.kind === 'tuple' || value.kind === 'set') return value.items.some(holdsString)
  if (value.kind === 'dict') return value.entries.some(([, item]) => holdsString(item))
  return value.kind !== 'function' && value.kind !== 'class'
}

/** Every string of the value, in order. */
export function stringsOf(value: Value, into: string[] = []): string[] {
  if (value.kind === 'const' && typeof value.value === 'string') into.push(value.value)
  else if (value.kind === 'list' || value.kind === 'tuple' || value.kind === 'set') for (const item of value.items) stringsOf(item, into)
  else if (value.kind === 'dict') for (const [, item] of value.entries) stringsOf(item, into)
  else if (value.kind === 'env' && value.fallback !== null) stringsOf(value.fallback, into)
  return into
}
