import { fail } from '../diagnostics.js'
import { emitted, jsIdentifier, lookupLocal, type Context, type Emitted, type ImportTarget, type PyType, type SyntaxNode } from '../context.js'
import { Prec } from '../precedence.js'
import type { SymbolDef } from '../project.js'
import { stdlibValue } from './stdlib.js'
import { tsJson } from '../../ts-text.js'
import { translateExtensionName } from '../flask/extensions.js'

/** What a Python name refers to. */
export type Binding =
  | { kind: 'local'; code: string; type: PyType }
  | { kind: 'self'; className: string }
  | { kind: 'project'; module: string; name: string; def: SymbolDef }
  | { kind: 'project-module'; module: string }
  | { kind: 'flask'; name: string; module: string }
  | { kind: 'stdlib'; module: string; member: string | null }
  | { kind: 'builtin'; name: string }
  | { kind: 'app' }
  | { kind: 'unknown-import'; module: string; name: string | null }

export const BUILTINS = new Set(
  'len str int float bool round abs min max sum sorted any all enumerate zip range dict list set tuple isinstance print repr getattr hasattr setattr reversed chr ord format divmod iter next type id hash callable issubclass super object open eval exec compile __import__ globals locals vars input map filter frozenset bytes bytearray memoryview staticmethod classmethod property'.split(
    ' ',
  ),
)

const BUILTIN_VALUES = new Set(['len', 'str', 'int', 'float', 'abs', 'bool', 'repr'])

export const EXCEPTIONS = new Set(
  'BaseException Exception ArithmeticError ZeroDivisionError OverflowError AssertionError AttributeError LookupError IndexError KeyError NameError RuntimeError NotImplementedError RecursionError StopIteration TypeError ValueError UnicodeError OSError'.split(' '),
)

const FLASK_MODULES = new Set(['flask', 'flask.views', 'werkzeug.exceptions', 'werkzeug', 'flask.json', 'flask.wrappers', 'werkzeug.wrappers', 'werkzeug.wrappers.response', 'werkzeug.security', 'werkzeug.utils'])
export const STDLIB_MODULES = new Set([
  'os', 'json', 'math', 'uuid', 're', 'time', 'os.path', 'datetime', 'sqlite3',
  // The modules of the tables in stdlib-modules.ts.
  'hashlib', 'hmac', 'secrets', 'base64', 'binascii', 'urllib', 'urllib.parse', 'string', 'copy', 'collections', 'functools', 'itertools', 'operator', 'logging', 'asyncio', 'textwrap', 'random', 'decimal', 'enum', 'dataclasses', 'typing',
  // Werkzeug's constants in those tables (HTTP_STATUS_CODES).
  'werkzeug.http',
])

function fromTarget(target: ImportTarget, ctx: Context, node: SyntaxNode): Binding {
  if (target.kind === 'module') {
    if (ctx.project.modules.has(target.module)) return { kind: 'project-module', module: target.module }
    if (STDLIB_MODULES.has(target.module)) return { kind: 'stdlib', module: target.module, member: null }
    if (FLASK_MODULES.has(target.module)) return { kind: 'flask', name: target.module, module: target.module }
    return { kind: 'unknown-import', module: target.module, name: null }
  }
  if (ctx.project.modules.has(target.module)) {
    const resolved = ctx.project.resolveSymbol(target.module, target.name)
    if (resolved && resolved.def.kind !== 'import') {
      return { kind: 'project', module: resolved.module.name, name: resolved.name, def: resolved.def }
    }
    // A package's own `from . import store` resolves to that import again: the submodule, not a loop.
    const submodule = `${target.module}.${target.name}`
    const self = resolved?.def.kind === 'import' && resolved.def.target.kind === 'member' && resolved.def.target.module === target.module && resolved.def.target.name === target.name
    if (resolved && resolved.def.kind === 'import' && !(self && ctx.project.modules.has(submodule))) return fromTarget(resolved.def.target, ctx, node)
    if (ctx.project.modules.has(submodule)) return { kind: 'project-module', module: submodule }
    fail('missing-definition', node, `\`${target.name}\` is not defined in project module ${target.module}`)
  }
  if (FLASK_MODULES.has(target.module)) return { kind: 'flask', name: target.name, module: target.module }
  if (STDLIB_MODULES.has(target.module)) return { kind: 'stdlib', module: target.module, member: target.name }
  return { kind: 'unknown-import', module: target.module, name: target.name }
}

/** The app the translation is for, when a module variable holds it (`app = Flask(__name__)`): `module\0name`. */
const APP_SYMBOLS = new WeakMap<object, string>()

export function useAppSymbol(project: object, app: { module: string; variable: string; factory: string | null }): void {
  if (app.factory === null) APP_SYMBOLS.set(project, `${app.module}\0${app.variable}`)
}

/**
 * Inside a function, the module variable holding the app (`app.config[...]`, `app.logger`,
 * `with app.app_context()` in a view) is the app, as the app factory's local is; module-level
 * code keeps it a project symbol (extension set-up such as `db = SQLAlchemy(app)` matches it so).
 */
function asApp(binding: Binding, ctx: Context): Binding {
  if (binding.kind !== 'project' || APP_SYMBOLS.get(ctx.project) !== `${binding.module}\0${binding.name}`) return binding
  for (let s: typeof ctx.scope | null = ctx.scope; s; s = s.parent) if (s.kind === 'function') return { kind: 'app' }
  return binding
}

/** Resolves a Python name at `node` with Python's LEGB rule. */
export function resolveName(name: string, node: SyntaxNode, ctx: Context): Binding {
  return asApp(resolveLexically(name, node, ctx), ctx)
}

function resolveLexically(name: string, node: SyntaxNode, ctx: Context): Binding {
  for (let s: typeof ctx.scope | null = ctx.scope; s; s = s.parent) {
    // A class body's names are seen by its own statements only (not by its methods or comprehensions).
    if (s.kind === 'class-body' && s !== ctx.scope) continue
    if (s.self && s.self.name === name && s.locals.get(name)?.jsName === 'this') return { kind: 'self', className: s.self.className }
    if (s.globals.has(name)) break
    const local = s.locals.get(name)
    if (local) return { kind: 'local', code: local.jsName, type: local.type }
    const imported = s.importBindings.get(name)
    if (imported) return fromTarget(imported, ctx, node)
    if (s.appNames?.has(name)) return { kind: 'app' }
    const state = s.factoryState?.get(name)
    if (state) return { kind: 'project', module: ctx.module.name, name, def: state }
    if (s.factoryLocals?.has(name)) fail('factory-closure-variable', node, `\`${name}\` is a variable of the enclosing function that is neither a known str, int, bool or None nor state made by the standard library and used by the function's handlers alone (only those, and the app itself, carry over)`)
    if (s.kind === 'module') break
  }
  const def = ctx.module.symbols.get(name)
  if (def) {
    if (def.kind === 'import') return fromTarget(def.target, ctx, node)
    return { kind: 'project', module: ctx.module.name, name, def }
  }
  if (EXCEPTIONS.has(name) || BUILTINS.has(name) || name === '__name__') return { kind: 'builtin', name }
  fail('unresolved-name', node, `name \`${name}\` is not defined anywhere the translator can see`)
}

/** The emitted reference to a project symbol, recording the import / dependency. */
export function projectReference(module: string, name: string, ctx: Context): string {
  ctx.dependencies.add(module + '\0' + name)
  if (module !== ctx.module.name || ctx.inRoutes) ctx.imports.useProject(module, jsIdentifier(name))
  return jsIdentifier(name)
}

/** The static type of a module-level data symbol, when its value is a literal and it is never rebound. */
export function dataType(def: SymbolDef, ctx: Context, module: string): PyType {
  if (def.kind !== 'data' || def.reassigned || ctx.project.globalsAssigned(module).has(def.node.childForFieldName('left')!.text)) return 'unknown'
  switch (def.value.type) {
    case 'dictionary':
    case 'dictionary_comprehension':
      return 'dict'
    case 'list':
    case 'list_comprehension':
      return 'list'
    case 'string':
    case 'concatenated_string':
      return 'str'
    case 'integer':
      return 'int'
    case 'float':
      return 'float'
    case 'true':
    case 'false':
      return 'bool'
    default:
      return 'unknown'
  }
}

/** Identifiers used as values. */
export function translateIdentifier(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type !== 'identifier') return undefined
  const binding = resolveName(node.text, node, ctx)
  switch (binding.kind) {
    case 'local':
      return emitted(binding.code, Prec.Primary, binding.type)
    case 'self':
      return emitted('this', Prec.Primary, 'unknown')
    case 'project': {
      if (binding.def.kind === 'function' && hasVariadicParameters(binding.def.node)) {
        // Calls by name bind *args/**kwargs statically; a call through a value could not.
        fail('unsupported-python-construct', node, `function \`${node.text}\` with *args/**kwargs used as a value`)
      }
      const code = projectReference(binding.module, binding.name, ctx)
      // A function under @lru_cache is the runtime's cached function, with methods (`cache_info()`): dynamic.
      const cached = binding.def.kind === 'function' && binding.def.decorators.some((d) => /\b(lru_cache|cache)\b/.test(d.text))
      const type = binding.def.kind === 'function' ? (cached ? 'unknown' : 'function') : dataType(binding.def, ctx, binding.module)
      return emitted(code, Prec.Primary, type)
    }
    case 'builtin':
      if (node.text === '__name__') return emitted(tsJson(ctx.module.name), Prec.Primary, 'str')
      if (EXCEPTIONS.has(node.text)) {
        ctx.imports.exceptions.add(node.text)
        return emitted(node.text, Prec.Primary, 'unknown')
      }
      if (BUILTIN_VALUES.has(node.text)) {
        // `key=len`, `map`-like uses: one-argument builtins as runtime functions.
        ctx.imports.py = true
        return emitted(`((x: Py) => py.${node.text === 'float' ? 'toFloat' : node.text}(x))`, Prec.Primary, 'function')
      }
      if (node.text === 'list' || node.text === 'dict') {
        // `load_default=list`, `defaultdict(list)`-like uses: a fresh container per call.
        ctx.imports.py = true
        return emitted(`((x?: Py) => py.${node.text === 'list' ? 'list' : 'toDict'}(x))`, Prec.Primary, 'function')
      }
      return fail('unsupported-python-construct', node, `builtin \`${node.text}\` used as a value`)
    case 'stdlib':
      return binding.member === null ? undefined : stdlibValue(`${binding.module}.${binding.member}`, node, ctx)
    case 'unknown-import':
      // A name of an extension mapped in rules/extensions/ (current_user), or not supported.
      return (binding.name === null ? undefined : translateExtensionName(binding.module, binding.name, node, ctx)) ?? fail(unknownImportRule(binding.module), node, `\`${node.text}\` comes from module \`${binding.module}\`, which the translator does not support`)
    default:
      return undefined
  }
}

const PYTHON_STDLIB = new Set(
  'abc argparse asyncio base64 binascii bisect calendar collections concurrent contextlib copy csv ctypes datetime decimal difflib enum fractions ftplib functools glob gzip hashlib heapq hmac html http importlib inspect io ipaddress itertools logging marshal mimetypes multiprocessing operator pathlib pickle platform pprint queue random secrets select shelve shlex shutil signal smtplib socket sqlite3 ssl statistics string struct subprocess sys tempfile textwrap threading traceback types typing unicodedata urllib warnings weakref xml zipfile zlib'.split(' '),
)

/** The rule for a name imported from a module the translator does not support. */
export function unknownImportRule(module: string): 'unsupported-stdlib-call' | 'unsupported-import' {
  return PYTHON_STDLIB.has(module.split('.')[0]) || STDLIB_MODULES.has(module.split('.')[0]) ? 'unsupported-stdlib-call' : 'unsupported-import'
}

function hasVariadicParameters(def: SyntaxNode): boolean {
  return (def.childForFieldName('parameters')?.namedChildren ?? []).some((p) => {
    const inner = p.type === 'typed_parameter' ? p.namedChildren[0] : p
    return inner?.type === 'list_splat_pattern' || inner?.type === 'dictionary_splat_pattern' || p.type === 'keyword_separator'
  })
}
