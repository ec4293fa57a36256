import type { ConfigEntryIR, ExtensionIR, Finding, PyLiteral, SourceLocation, ViewIR } from '../ir/types.js'
import type { SyntaxNode } from '../parse/index.js'
import { AppState, BlueprintState, type ViewTarget } from './flask-model.js'
import { describe, toLiteral, type ClassValue, type Scope, type Value } from './values.js'

/**
 * What the models of route-adding extensions share (ext-admin.ts, ext-flasgger.ts, ext-security.ts,
 * ext-debugtoolbar.ts): the interpreter's side of them, and small helpers over values and config.
 * An extension's objects (`Admin`, a Flask-Admin view, `Swagger`, …) are `ext-object` values that
 * answer attribute reads and method calls themselves.
 */

/** An object of a modelled extension, as an `ext-object` value. */
export interface ExtensionObject {
  getAttribute(name: string, node: SyntaxNode, scope: Scope): Value
  callMethod(name: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value
}

/** One extension's model, as the interpreter calls it. */
export interface ExtensionModel {
  /** `pkg.Symbol(…)` of the extension: its value, or undefined when the path is not the model's. */
  callExternal(path: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value | undefined
  /** An instance of a project class deriving from one of the extension's classes, or undefined when it does not. */
  construct(cls: ClassValue, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, scope: Scope): Value | undefined
}

/** What the models need from the interpreter. */
export interface ExtensionHost {
  report(finding: Finding): void
  loc(node: SyntaxNode, scope: Scope): SourceLocation
  /** Evaluates an expression (a decorator of a class body) in a scope. */
  evaluate(node: SyntaxNode, scope: Scope): Value
}

export function extObject(object: ExtensionObject): Value {
  return { kind: 'ext-object', object }
}

/** Python's binding of positional and keyword arguments to named parameters. */
export function bind(parameters: string[], args: Value[], kwargs: Map<string, Value>): Map<string, Value> {
  const bound = new Map<string, Value>()
  args.forEach((arg, index) => {
    if (index < parameters.length) bound.set(parameters[index]!, arg)
  })
  for (const [key, value] of kwargs) if (!bound.has(key)) bound.set(key, value)
  return bound
}

export function constString(value: Value | undefined): string | undefined {
  return value?.kind === 'const' && typeof value.value === 'string' ? value.value : undefined
}

export function isNone(value: Value | undefined): boolean {
  return value === undefined || (value.kind === 'const' && value.value === null)
}

/** A str-or-None argument: null for None or absent, undefined when it is not a literal. */
export function optionalString(value: Value | undefined): string | null | undefined {
  if (isNone(value)) return null
  return constString(value)
}

export function sourceOf(node: SyntaxNode): string {
  return node.text.length > 300 ? node.text.slice(0, 300) + '…' : node.text
}

/** The app a call sets the extension up on; a blueprint or anything else is reported by the caller. */
export function appOf(value: Value | undefined): AppState | BlueprintState | null {
  if (value?.kind === 'app') return value.app
  if (value?.kind === 'blueprint') return value.blueprint
  return null
}

export function describeValue(value: Value | undefined): string {
  if (value === undefined) return 'nothing'
  if (value.kind === 'external') return value.path
  if (value.kind === 'class' || value.kind === 'function') return value.name
  return describe(value)
}

/** The extension as the report lists it (`extension-not-migrated`: what it does to requests is not carried over). */
export function recordExtension(app: AppState, record: Omit<ExtensionIR, 'options'>, kwargs: Map<string, Value>): void {
  const options: Record<string, PyLiteral> = {}
  for (const [key, value] of kwargs) {
    const converted = toLiteral(value)
    if (converted !== undefined) options[key] = converted
  }
  app.extensions.push({ ...record, options })
}

/** What the analysis knows of a config key of an app at this point of its setup. */
export type ConfigRead = { known: true; value: PyLiteral } | { known: false; why: string } | { known: 'absent' }

/**
 * `app.config.get(key)` as the analysis knows it: a literal set in the code; unknown when computed,
 * read from the environment, or possibly loaded from where the analysis cannot read (a file, an
 * object it could not resolve); absent otherwise.
 */
export function readConfig(app: AppState, key: string): ConfigRead {
  const entry: ConfigEntryIR | undefined = app.config.get(key)
  if (entry !== undefined) {
    if (entry.alternatives !== undefined) return { known: false, why: `${key} depends on ${entry.alternatives[0]!.when.source}, known when the app starts` }
    if (entry.envVar !== null) return { known: false, why: `${key} is read from the environment variable ${entry.envVar}` }
    if (entry.expression !== null || entry.secret) return { known: false, why: `${key} is computed (${entry.expression ?? 'a secret'})` }
    return { known: true, value: entry.value }
  }
  if (app.unreadConfig.length > 0) return { known: false, why: `${key} may be set by ${app.unreadConfig[0]!.replace(/\s+/g, ' ').slice(0, 120)}, which the analysis cannot read` }
  return { known: 'absent' }
}

/** Python truthiness of a literal. */
export function literalTruth(value: PyLiteral): boolean {
  if (value === null || value === false || value === 0 || value === '') return false
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object') return '$float' in value ? value.$float !== 0 : Object.keys(value).length > 0
  return true
}

/** A rule's view that is the extension's own code (`extension-not-migrated` stub in translate). */
export function ownFunctionView(extension: string, module: string, qualname: string, name: string, location: SourceLocation): ViewTarget {
  const view: ViewIR = { kind: 'function', ref: { module, qualname, location }, extension }
  return { view, name, declaredMethods: null, wrappers: [] }
}

/** An extension's own `MethodView` (its `get` is the only method). */
export function ownMethodView(extension: string, module: string, qualname: string, name: string, methods: string[], location: SourceLocation): ViewTarget {
  const view: ViewIR = { kind: 'class', ref: { module, qualname, location }, base: 'MethodView', methods, extension }
  return { view, name, declaredMethods: methods, wrappers: [] }
}

/** Which of `paths` a project class derives from (directly or through project classes), or null. */
export function externalBase(cls: ClassValue, paths: ReadonlySet<string>): string | null {
  for (const base of cls.bases) {
    if (base.kind === 'external' && paths.has(base.path)) return base.path
    if (base.kind === 'class') {
      const found = externalBase(base, paths)
      if (found !== null) return found
    }
  }
  return null
}

/** Names a project class and its project bases define. */
export function ownAttributes(cls: ClassValue, into = new Set<string>()): Set<string> {
  for (const name of cls.attributes.keys()) into.add(name)
  for (const base of cls.bases) if (base.kind === 'class') ownAttributes(base, into)
  return into
}
