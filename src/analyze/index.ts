import { existsSync, readdirSync, statSync } from 'node:fs'
import { extrasIR } from './app-extras.js'
import { isAbsolute, join, posix } from 'node:path'
import type { AppIR, Finding, ProjectIR, RouteIR } from '../ir/types.js'
import { parseFiles, parsePython, type ParsedModule } from '../parse/index.js'
import { scanProject } from '../scan/index.js'
import type { AppState } from './flask-model.js'
import { Interpreter, viewClosure } from './interpreter.js'
import { secretLiterals } from './secrets.js'
import type { Value } from './values.js'
import { databaseUrlFindings } from './database-url.js'
import { readSqlalchemySchema } from './ext-sqlalchemy.js'

export interface LoadedProject {
  root: string
  ir: ProjectIR
  modules: ParsedModule[]
  /** Secret strings of the selected app's config and of the project's setup code, sorted. Never serialised: emit uses them to keep secrets out of its files. */
  secretValues?: string[]
}

export type LoadResult = { ok: true; project: LoadedProject } | { ok: false; error: { message: string; exitCode: number } }

/** Modules tried first, in this order, as `flask run` does. */
const ENTRY_MODULES = ['wsgi', 'app', 'autoapp', 'application', 'main', 'run', 'server']
const FACTORY_NAMES = ['create_app', 'make_app']

/**
 * scan → parse → analyze: reads a Flask project into the IR. `options.app` selects one app as
 * FLASK_APP does (`module:name` or `module:factory(args)`); without it every app is found and the
 * first one reached through an entry module is selected.
 */
export function loadProject(root: string, options: { app?: string; exclude?: readonly string[] } = {}): LoadResult {
  if (!existsSync(root) || !statSync(root).isDirectory()) return fail(`${root}: no such folder`)
  const scan = scanProject(root, options.exclude !== undefined ? { exclude: options.exclude } : {})
  const parse = parseFiles(scan.files)
  const findings: Finding[] = [...scan.findings, ...parse.findings]
  if (scan.files.length === 0) return fail(`${root}: no Python files found; not a Flask project`)
  // Strings bound to credentials' names anywhere in the project's setup code: kept out of every emitted file.
  const secretStrings = new Set<string>()
  for (const module of parse.modules) for (const literal of secretLiterals(module.source)) secretStrings.add(literal)
  const discovered = options.app ? selectApp(parse.modules, options.app, findings, secretStrings) : discoverApps(parse.modules, findings, secretStrings)
  if ('error' in discovered) return fail(discovered.error)
  if (discovered.apps.length === 0) return fail(`${root}: no Flask application found (no Flask(...) app or create_app factory)`)
  const apps = discovered.apps.map((found) => toAppIR(found, root))
  if (apps.length > 1) {
    findings.push({
      ruleId: 'multiple-apps',
      severity: 'info',
      message: `found ${apps.length} Flask apps (${apps.map((a) => a.id).join(', ')}); migrating ${apps[0]!.id} (choose another with --app)`,
      location: apps[0]!.location,
    })
  }
  findings.push(...discovered.findings)
  findings.push(...readSqlalchemySchema(parse.modules).findings)
  findings.push(...databaseUrlFindings(apps[0]!, parse.modules))
  const ir: ProjectIR = {
    version: 1,
    modules: parse.modules.map((m) => ({ name: m.name, file: m.file, isPackage: m.isPackage })),
    apps,
    selectedApp: apps[0]!.id,
    findings: dedupeFindings(findings),
  }
  // The translator resolves module names as the analysis did: for --app, the entry's folder wins a shared name.
  const ordered = (discovered as { modules?: ParsedModule[] }).modules
  const modules = ordered ?? parse.modules
  return { ok: true, project: { root, ir, modules, secretValues: [...new Set([...discovered.apps[0]!.app.secretValues, ...secretStrings])].sort() } }
}

interface FoundApp {
  id: string
  module: string
  variable: string
  factory: string | null
  app: AppState
}

function fail(message: string): LoadResult {
  return { ok: false, error: { message, exitCode: 2 } }
}

function discoverApps(modules: ParsedModule[], findings: Finding[], secretStrings: Set<string>): { apps: FoundApp[]; findings: Finding[] } {
  const order = [...modules].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))
  const found: FoundApp[] = []
  // One interpreter for module-level apps: modules run once, as in one Python process.
  const interpreter = new Interpreter(modules, [], secretStrings)
  let firstFindings: Finding[] = []
  // Of two files with one module name (step_1/run.py, step_2/run.py) the interpreter knows the last.
  const byName = new Map(modules.map((module) => [module.name, module]))
  for (const module of order) {
    if (byName.get(module.name) !== module) continue
    const namespace = interpreter.importModule(module.name)
    if (!namespace) continue
    for (const [variable, value] of namespace.vars) {
      if (value.kind !== 'app' || isImported(module, variable)) continue
      if (found.some((f) => sameCreation(f.app, value.app))) continue
      found.push({ id: `${appSpecOf(module)}:${variable}`, module: module.name, variable, factory: null, app: value.app })
      if (found.length === 1) firstFindings = [...interpreter.findings]
    }
    for (const name of FACTORY_NAMES) {
      const factory = namespace.vars.get(name)
      if (factory?.kind !== 'function' || factory.module !== module.name) continue
      // A factory whose Flask(...) call already made a found app (wsgi.py calling it) is that app.
      if (found.some((f) => f.app.location.file === module.file && withinNode(f.app.location, factory.node))) continue
      // Factories run in their own interpreter: a second call must not see the first call's registrations.
      const factoryInterpreter = new Interpreter(modules, [], secretStrings)
      const factoryValue = factoryInterpreter.importModule(module.name)!.vars.get(name)!
      const result = factoryInterpreter.callFunction(factoryValue, [], new Map(), factory.node)
      if (result.kind !== 'app' || found.some((f) => sameCreation(f.app, result.app))) continue
      found.push({ id: `${appSpecOf(module)}:${name}()`, module: module.name, variable: 'app', factory: name, app: result.app })
      if (found.length === 1) firstFindings = [...factoryInterpreter.findings]
    }
  }
  void findings
  // A shadowed module is reachable as its file (`--app step_1/run.py`): its app is listed too.
  for (const module of order) {
    if (byName.get(module.name) === module) continue
    const selected = selectApp(modules, module.file, [], secretStrings)
    if ('error' in selected) continue
    for (const app of selected.apps) if (!found.some((f) => sameCreation(f.app, app.app))) found.push({ ...app, id: `${module.file}${app.factory !== null ? `:${app.factory}()` : `:${app.variable}`}` })
  }
  return { apps: found, findings: firstFindings }
}

/**
 * How `--app` (and FLASK_APP) names a module unambiguously: its dotted name when that is its path
 * from the project root (`pkg/api.py` is `pkg.api`), else its file (`step_1/run.py`, `rest-server.py`).
 */
function appSpecOf(module: ParsedModule): string {
  const dotted = module.file.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.')
  return dotted === module.name && /^[A-Za-z_][\w.]*$/.test(module.name) ? module.name : module.file
}

function withinNode(location: { line: number }, node: { startPosition: { row: number }; endPosition: { row: number } }): boolean {
  return location.line >= node.startPosition.row + 1 && location.line <= node.endPosition.row + 1
}

function rank(module: ParsedModule): number {
  const index = ENTRY_MODULES.indexOf(module.name)
  return index >= 0 ? index : ENTRY_MODULES.length + module.name.split('.').length
}

function isImported(module: ParsedModule, variable: string): boolean {
  return new RegExp(`^\\s*from\\s+\\S+\\s+import\\s+.*\\b${variable}\\b`, 'm').test(module.source)
}

function sameCreation(a: AppState, b: AppState): boolean {
  return a.location.file === b.location.file && a.location.line === b.location.line && a.location.column === b.location.column
}

/**
 * `--app` as FLASK_APP takes it (Flask's ScriptInfo.load_app and prepare_import): `module`,
 * `module:name`, `module:factory(args)`, a file path (`rest-server.py:app`, `src/app.py`,
 * `pkg/__init__.py`), or a dotted module in folders without __init__.py (namespace packages).
 */
export function parseAppSpec(spec: string): { path: string; attribute: string | null; call: boolean; argsText: string } | { error: string } {
  // Flask splits at the first colon that is not followed by a path separator (a Windows drive).
  const [path = '', rest] = spec.trim().split(/:(?![\\/])(.*)/s)
  if (path === '') return { error: `--app ${spec}: expected module:name, "module:factory(args)" or a file path` }
  if (rest === undefined || rest === '') return { path, attribute: null, call: false, argsText: '' }
  const match = /^\s*([A-Za-z_]\w*)\s*(\((.*)\))?\s*$/s.exec(rest)
  if (!match) return { error: `--app ${spec}: "${rest}" is not a name or a call (module:name or "module:factory(args)")` }
  return { path, attribute: match[1]!, call: match[2] !== undefined, argsText: match[3] ?? '' }
}

/** The module a FLASK_APP path names: a .py file or package folder of the project, or a dotted module name. */
function resolveAppModule(modules: ParsedModule[], path: string): ParsedModule | undefined {
  const normalized = path.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '')
  if (normalized.endsWith('.py') || normalized.includes('/')) {
    const stem = normalized.replace(/\.py$/, '').replace(/\/__init__$/, '')
    return modules.find((module) => module.file === `${stem}.py`) ?? modules.find((module) => module.file === `${stem}/__init__.py`)
  }
  return (
    modules.find((module) => module.name === normalized) ??
    modules.find((module) => module.file === `${normalized.split('.').join('/')}.py` || module.file === `${normalized.split('.').join('/')}/__init__.py`) ??
    modules.find((module) => module.file === `${normalized}.py`)
  )
}

function selectApp(modules: ParsedModule[], spec: string, findings: Finding[], secretStrings: Set<string>): { apps: FoundApp[]; findings: Finding[]; modules?: ParsedModule[] } | { error: string } {
  const parsed = parseAppSpec(spec)
  if ('error' in parsed) return parsed
  const { attribute, call, argsText } = parsed
  const entry = resolveAppModule(modules, parsed.path)
  if (entry === undefined) return { error: `--app ${spec}: ${parsed.path} is not a module or Python file of the project` }
  // Python imports the entry's siblings from its folder first (prepare_import puts it on sys.path):
  // where two files share a module name (step_1/run.py, step_2/run.py), the entry's folder wins.
  const entryRoot = entry.file.split('/').slice(0, entry.file.split('/').length - entry.name.split('.').length - (entry.isPackage ? 1 : 0)).join('/')
  const underEntryRoot = (module: ParsedModule): boolean => entryRoot === '' || module.file.startsWith(`${entryRoot}/`)
  const ordered = [...modules.filter((module) => !underEntryRoot(module)), ...modules.filter(underEntryRoot)]
  const moduleName = entry.name
  const interpreter = new Interpreter(ordered, [], secretStrings)
  const namespace = interpreter.importModule(moduleName)
  if (!namespace) return { error: `--app ${spec}: module ${moduleName} could not be read` }
  const candidates = attribute !== null ? [attribute] : ['app', 'application', ...FACTORY_NAMES]
  for (const name of candidates) {
    const value = namespace.vars.get(name)
    if (!value) continue
    if (value.kind === 'app' && !call) return { apps: [{ id: spec, module: moduleName, variable: name, factory: null, app: value.app }], findings: interpreter.findings, modules: ordered }
    if (value.kind === 'function') {
      const args = parseLiteralArguments(argsText)
      if (!args) return { error: `--app ${spec}: only literal arguments are supported` }
      const result = interpreter.callFunction(value, args.args, args.kwargs, value.node)
      if (result.kind === 'app') return { apps: [{ id: spec, module: moduleName, variable: 'app', factory: name, app: result.app }], findings: interpreter.findings, modules: ordered }
      return { error: `--app ${spec}: ${name}() does not return a Flask app the tool can follow` }
    }
  }
  void findings
  return { error: `--app ${spec}: no Flask app named ${attribute ?? 'app'} in ${moduleName}` }
}

function parseLiteralArguments(text: string): { args: Value[]; kwargs: Map<string, Value> } | undefined {
  if (text.trim() === '') return { args: [], kwargs: new Map() }
  const tree = parsePython(`f(${text})\n`)
  const call = tree.rootNode.namedChildren[0]?.namedChildren[0]
  if (!call || call.type !== 'call' || tree.rootNode.hasError) return undefined
  const interpreter = new Interpreter([], [])
  const { Scope } = { Scope: class {} }
  void Scope
  const args: Value[] = []
  const kwargs = new Map<string, Value>()
  for (const argument of call.childForFieldName('arguments')?.namedChildren ?? []) {
    const scopeless = (node: import('../parse/index.js').SyntaxNode): Value => interpreter.evaluate(node, new (interpreterScope())('', '', null))
    if (argument.type === 'keyword_argument') kwargs.set(argument.childForFieldName('name')!.text, scopeless(argument.childForFieldName('value')!))
    else args.push(scopeless(argument))
  }
  if ([...args, ...kwargs.values()].some((value) => value.kind === 'unknown')) return undefined
  return { args, kwargs }
}

function interpreterScope() {
  return ScopeClass
}
import { Scope as ScopeClass } from './values.js'

/** Flask resolves a static folder against the root path: the folder of the module that made the app or blueprint. */
function staticFolder(root: string, moduleFile: string, folder: string | null): { staticFolderPath: string | null; staticFolderHasFiles: boolean } {
  if (folder === null) return { staticFolderPath: null, staticFolderHasFiles: false }
  const relative = posix.normalize(posix.join(posix.dirname(moduleFile), folder.replace(/\\/g, '/')))
  return { staticFolderPath: relative, staticFolderHasFiles: !isAbsolute(folder) && hasAnyFile(join(root, relative)) }
}

function hasAnyFile(dir: string, depth = 0): boolean {
  if (depth > 20 || !existsSync(dir)) return false
  try {
    return readdirSync(dir, { withFileTypes: true }).some((entry) => entry.isFile() || (entry.isDirectory() && hasAnyFile(join(dir, entry.name), depth + 1)))
  } catch {
    return false
  }
}

function toAppIR(found: FoundApp, root: string): AppIR {
  const app = found.app
  return {
    id: found.id,
    module: found.module,
    variable: found.variable,
    factory: found.factory,
    importName: app.importName,
    staticFolder: app.staticFolder,
    staticUrlPath: app.effectiveStaticUrlPath(),
    ...staticFolder(root, app.location.file, app.staticFolder),
    templateFolder: app.templateFolder,
    urlMap: { strictSlashes: app.strictSlashes, hostMatching: app.hostMatching },
    blueprints: app.blueprints.map((blueprint) => ({ ...blueprint, ...staticFolder(root, blueprint.location.file, blueprint.staticFolder) })),
    routes: urlMapOrder(app.routes).map(withClosure),
    hooks: app.hooks,
    errorHandlers: app.errorHandlers,
    extensions: app.extensions,
    config: [...app.config.values()],
    location: app.location,
    ...extrasIR(app),
  }
}

function withClosure(route: RouteIR): RouteIR {
  if (route.view?.kind !== 'function') return route
  const closure = viewClosure(route.view)
  return closure ? { ...route, view: { ...route.view, closure } } : route
}

/**
 * `app.url_map.iter_rules()` order: rules grouped by endpoint in the order endpoints first
 * appear, each group stably sorted by Werkzeug's `build_compare_key` (more arguments first, then
 * more defaults). url_for tries rules in this order too.
 */
function urlMapOrder(routes: RouteIR[]): RouteIR[] {
  const groups = new Map<string, RouteIR[]>()
  for (const route of routes) {
    const group = groups.get(route.endpoint)
    if (group) group.push(route)
    else groups.set(route.endpoint, [route])
  }
  const argumentCount = (route: RouteIR): number => new Set([...route.converters.map((c) => c.variable), ...Object.keys(route.defaults ?? {})]).size
  const defaultCount = (route: RouteIR): number => Object.keys(route.defaults ?? {}).length
  return [...groups.values()].flatMap((group) =>
    group
      .map((route, index) => ({ route, index }))
      .sort((a, b) => argumentCount(b.route) - argumentCount(a.route) || defaultCount(b.route) - defaultCount(a.route) || a.index - b.index)
      .map(({ route }) => route),
  )
}

function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>()
  return findings.filter((finding) => {
    const key = `${finding.ruleId}|${finding.location.file}|${finding.location.line}|${finding.location.column}|${finding.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
