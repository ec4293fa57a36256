import type Parser from 'tree-sitter'
import { Prec, type Code } from './precedence.js'
import type { ProjectIndex, ModuleInfo, SymbolDef } from './project.js'

export type SyntaxNode = Parser.SyntaxNode

/**
 * What the translator knows statically about a Python value. `unknown` means the emitted code
 * must use the runtime's dynamic helpers (an int-or-float is `unknown`: only the dynamic value
 * knows whether `3` is `3.0`).
 */
export type PyType =
  | 'int'
  | 'float'
  | 'str'
  | 'bool'
  | 'none'
  | 'list'
  | 'tuple'
  | 'dict'
  | 'set'
  | 'function'
  | 'response'
  | 'unknown'

/**
 * An emitted TypeScript expression with its precedence and the Python type it is known to have.
 *
 * A float has two forms (see the runtime's float.ts): `raw`, the plain `number` that typed code
 * computes with, and `code`, the dynamic value (`py.asFloat(x)`, boxed when integral so that
 * `3.0` stays a float in lists, dicts, JSON and `str()`). Translators build floats from raw
 * forms (`rawCode`); translateExpr adds the dynamic form.
 */
export interface Emitted extends Code {
  type: PyType
  raw?: Code
}

export function emitted(code: string, prec: number, type: PyType = 'unknown'): Emitted {
  return { code, prec, type }
}

/** The code of a value as typed code computes with it: a float's plain number, anything else as it is. */
export function rawCode(value: Emitted): Code {
  return value.raw ?? value
}

/** A float from its plain-number code, with its dynamic form (boxed when integral). */
export function floatValue(raw: Code, ctx: Context): Emitted {
  // A literal that is not integral is a float as it stands.
  if (/^-?\d*\.\d+(e[+-]?\d+)?$|^-?\d+e-\d+$/.test(raw.code) && !Number.isInteger(Number(raw.code))) {
    return { code: raw.code, prec: raw.prec, type: 'float', raw }
  }
  ctx.imports.py = true
  return { code: `py.asFloat(${raw.code})`, prec: Prec.Call, type: 'float', raw: { code: raw.code, prec: raw.prec } }
}

export function isNumeric(type: PyType): boolean {
  return type === 'int' || type === 'float' || type === 'bool'
}

/** The least type covering both. */
export function joinTypes(a: PyType, b: PyType): PyType {
  return a === b ? a : 'unknown'
}

/** The TypeScript annotation for a variable of this type. */
export function tsType(type: PyType): string {
  switch (type) {
    case 'int':
    case 'float':
      return 'number'
    case 'str':
      return 'string'
    case 'bool':
      return 'boolean'
    default:
      return 'Py'
  }
}

export interface LocalVar {
  jsName: string
  type: PyType
}

/** A Python function scope (or the module scope, `kind: 'module'`). */
export interface Scope {
  kind: 'function' | 'module' | 'class-body' | 'comprehension'
  parent: Scope | null
  locals: Map<string, LocalVar>
  /** Names declared `global` in this function. */
  globals: Set<string>
  /** Inside a method: the Python name of `self` and the class's TypeScript name. */
  self?: {
    name: string
    className: string
    classAttributes: Set<string>
    instanceAttributes: Set<string>
    passesContext: boolean
    /** @staticmethod and @classmethod names (called on the class, also through an instance). */
    staticMethods: Set<string>
    /** In a @classmethod: `self` is the class (`cls`), not an instance. */
    isClass: boolean
  }
  /** Names bound by a function-local `import` / `from … import`. */
  importBindings: Map<string, ImportTarget>
  /** Functions defined with `def` in this scope (for keyword arguments at call sites). */
  nestedDefs?: Map<string, SyntaxNode>
  /** The locals of an app factory enclosing a nested handler (only the app itself may be used). */
  factoryLocals?: Set<string>
  /** Of those, the factory's state carried as data of its module (factory-state.ts). */
  factoryState?: Map<string, SymbolDef>
  /** In a factory-nested handler: the enclosing factory's locals that are the Flask app. */
  appNames?: Set<string>
}

export type ImportTarget = { kind: 'module'; module: string } | { kind: 'member'; module: string; name: string }

/** Runtime and project imports one emitted unit needs. */
export class ImportSet {
  py = false
  readonly exceptions = new Set<string>()
  readonly flask = new Set<string>()
  readonly errors = new Set<string>()
  readonly router = new Set<string>()
  /** `config` from the generated `src/config.ts`. */
  config = false
  /** `urlMap` from the generated `src/url-map.ts`. */
  urlMap = false
  /** `type Context` from hono (methods of class-based views take the context). */
  honoContext = false
  /** Python module name → exported names used. */
  readonly project = new Map<string, Set<string>>()
  /** Other runtime files (`session` for src/lib/session.ts) → names used. */
  readonly lib = new Map<string, Set<string>>()
  /** Runtime files imported whole, as a namespace of their name (`collections.Counter`): the stdlib modules' counterparts. */
  readonly libNamespaces = new Set<string>()

  useLib(file: string, name: string): void {
    let names = this.lib.get(file)
    if (!names) this.lib.set(file, (names = new Set()))
    names.add(name)
  }

  useProject(module: string, name: string): void {
    let names = this.project.get(module)
    if (!names) this.project.set(module, (names = new Set()))
    names.add(name)
  }

  /** Import lines for a file at `fromDir` (POSIX, relative to the generated `src/`). */
  lines(fromDir: string, selfModule: string | null): string[] {
    const rel = (target: string): string => {
      const from = fromDir === '' ? [] : fromDir.split('/')
      const to = target.split('/')
      let i = 0
      while (i < from.length && i < to.length - 1 && from[i] === to[i]) i++
      const up = from.length - i
      const path = [...Array(up).fill('..'), ...to.slice(i)].join('/')
      return up === 0 ? './' + path : path
    }
    const out: string[] = []
    if (this.py || this.exceptions.size > 0) out.push(`import * as py from '${rel('lib/py')}.js'`)
    if (this.py) out.push(`import type { Py } from '${rel('lib/py')}.js'`)
    if (this.exceptions.size > 0) out.push(`import { ${[...this.exceptions].sort().join(', ')} } from '${rel('lib/exceptions')}.js'`)
    if (this.errors.size > 0) out.push(`import { ${[...this.errors].sort().join(', ')} } from '${rel('lib/errors')}.js'`)
    if (this.flask.size > 0) out.push(`import { ${[...this.flask].sort().join(', ')} } from '${rel('lib/flask')}.js'`)
    if (this.router.size > 0) out.push(`import { ${[...this.router].sort().join(', ')} } from '${rel('lib/router')}.js'`)
    for (const [file, names] of [...this.lib].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out.push(`import { ${[...names].sort().join(', ')} } from '${rel(`lib/${file}`)}.js'`)
    for (const file of [...this.libNamespaces].sort()) out.push(`import * as ${file} from '${rel(`lib/${file}`)}.js'`)
    if (this.config) out.push(`import { config } from '${rel('config')}.js'`)
    if (this.urlMap) out.push(`import { urlMap } from '${rel('url-map')}.js'`)
    if (this.honoContext) out.push(`import type { Context } from 'hono'`)
    for (const [module, names] of [...this.project].sort(([a], [b]) => a.localeCompare(b))) {
      if (module === selfModule) continue
      out.push(`import { ${[...names].sort().join(', ')} } from '${rel(module.split('.').join('/'))}.js'`)
    }
    return out
  }
}

/** Everything a translator function needs to know about where it stands. */
export interface Context {
  project: ProjectIndex
  module: ModuleInfo
  scope: Scope
  imports: ImportSet
  /** Project symbols this code uses: `module\0name`. */
  dependencies: Set<string>
  /** Inside a Flask handler (view, hook, error handler, or a function nested in one): the Hono context variable. */
  flask: { contextVar: string } | null
  /** The code is emitted into `src/routes/` (a handler), so even same-module names are imported. */
  inRoutes: boolean
  /** Loops being translated, innermost last: the label a `break` must use to skip a `for … else`. */
  loops: { breakLabel: string | null }[]
  /** The caught exception variable of the innermost `except` (for a bare `raise`). */
  caught: string[]
  /** How a `return value` is written (views wrap the value into a response). */
  returnValue: (value: Emitted) => string
  /** Keys of the app's config (from the IR). */
  configKeys: Set<string>
  /** Locals declared `const` where they are bound (assigned exactly once). */
  constNames: Set<string>
  /** Fresh temporary names. */
  temp(prefix?: string): string
  /** Types of locals collected during the first pass (name → joined type). */
  assignedTypes: Map<string, PyType>
  /** True when the current function's body awaits (set by Flask translators that need the request body). */
  needsAsync: { value: boolean }
  /** Sub-expressions already evaluated into temporaries (node id → the temporary), so a target is evaluated once. */
  precomputed?: Map<number, Emitted>
  /**
   * Names of the functions the enclosing `@functools.wraps(name)` wrappers wrap (a decorator's
   * `view`): a view or another wrapper, both of which bind keywords, so `view(*args, **kwargs)` translates.
   */
  wrappedCallables?: Set<string>
}

/** The enclosing method's `self` (or a class method's `cls`), if any. */
export function selfOf(ctx: Context): NonNullable<Scope['self']> | undefined {
  for (let s: Scope | null = ctx.scope; s; s = s.parent) if (s.self) return s.self
  return undefined
}

export function lookupLocal(scope: Scope | null, name: string): { local: LocalVar; scope: Scope } | null {
  for (let s = scope; s; s = s.parent) {
    if (s.kind === 'class-body') continue
    if (s.globals.has(name)) return null
    const local = s.locals.get(name)
    if (local) return { local, scope: s }
    if (s.kind === 'module') return null
  }
  return null
}

const JS_RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval undefined NaN Infinity py Py c kwargs form hashing urls collections functional logging asyncio textwrap random decimal enums dataclasses os copy'.split(
    ' ',
  ),
)

/** A Python identifier as a TypeScript identifier (reserved words, and names of runtime helpers translated code imports as `kwargs` and `form` or as namespaces such as `collections`, get a trailing underscore). */
export function jsIdentifier(name: string): string {
  return JS_RESERVED.has(name) ? name + '_' : name
}
