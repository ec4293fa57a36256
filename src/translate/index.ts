import type Parser from 'tree-sitter'
import { checkTypeScriptSyntax } from '../ts-syntax.js'
import { isFloatLiteral, type AppIR, type CodeRef, type Finding, type PyLiteral, type RouteIR } from '../ir/types.js'
import type { TranslatedHandler, TranslatedModule, TranslatedProject } from './types.js'
import { Untranslatable, findingFor, fail } from './diagnostics.js'
import { ImportSet, emitted, jsIdentifier, rawCode, type Context, type PyType, type Scope, type SyntaxNode } from './context.js'
import { Prec, receiver } from './precedence.js'
import { decoratedView } from './decorators.js'
import { moduleSettings, settingsInFunctions, uncarriedSettings } from './extension-settings.js'
import { ProjectIndex, type ModuleInfo, type SymbolDef } from './project.js'
import { translateFunction, collectBindings, signatureOf, generatorDecorator, type ParamInfo } from './function.js'
import { cacheDecorator } from './expr/stdlib-modules.js'
import { factoryCalls, factoryState, type FactoryCall } from './factory-state.js'
import { processLocalState, sharedStateRoutes, type CarriedData, type HandlerScope, type RequestTimeCode } from './process-state.js'
import { translateClass } from './class.js'
import { dataclassDecorator } from './stdlib-class.js'
import { translateExpr } from './expr/index.js'
import { translateStatement } from './stmt/index.js'
import { globalSetter } from './stmt/assign.js'
import { indent } from './stmt/index.js'
import { decoratorName, snippet } from './diagnostics.js'
import { lineComment, tsJson } from '../ts-text.js'
import { useResources, type ProjectFileReader } from './flask/resources.js'
import { templateHelpers, useTemplateHelpers, useTemplates } from './flask/templates.js'
import { stdlibPath } from './expr/stdlib.js'
import { useAppSymbol } from './expr/names.js'
import { setStartupKey, startupBlocks, useStartupApp, type StartupBlock } from './flask/startup.js'
import { afterRequestSetups, checkCallback, extensionCallback, extensionInstances, extensionRules, extensionSetups, type ExtensionSetup } from './flask/extensions.js'

export interface TranslateInput {
  modules: { name: string; file: string; source: string; tree: Parser.Tree }[]
  app: AppIR
  /** The project's other files (`open_resource("schema.sql")`), by path relative to the project. */
  readFile?: ProjectFileReader
}

const FLASK_REGISTRATION = /^@\s*[\w.]+\.(route|get|post|put|patch|delete|before_request|after_request|teardown_request|before_app_request|after_app_request|teardown_app_request|errorhandler|app_errorhandler|before_first_request|url_value_preprocessor|url_defaults|context_processor|teardown_appcontext|template_filter|template_test|template_global|app_template_filter|app_template_test|app_template_global)\b/

/** A translated top-level symbol of a module (function, class or data). */
interface SymbolResult {
  module: string
  name: string
  start: number
  code: string | null
  imports: ImportSet
  dependencies: Set<string>
  error: Untranslatable | null
  file: string
}

function baseContext(project: ProjectIndex, module: ModuleInfo, configKeys: Set<string>, scope: Scope, inRoutes: boolean): Context {
  let counter = 0
  return {
    project,
    module,
    scope,
    imports: new ImportSet(),
    dependencies: new Set(),
    flask: null,
    temp: (prefix = 'tmp') => `${prefix}_${++counter}`,
    assignedTypes: new Map(),
    needsAsync: { value: false },
    inRoutes,
    loops: [],
    caught: [],
    returnValue: (value) => `return ${value.code}`,
    configKeys,
    constNames: new Set(),
  }
}

function moduleScope(): Scope {
  return { kind: 'module', parent: null, locals: new Map(), globals: new Set(), importBindings: new Map() }
}

/** Checks that emitted TypeScript parses; a failure is a translator defect, reported as such. */
function checkParses(code: string, kind: 'expression' | 'module', node: SyntaxNode): void {
  const parsed = checkTypeScriptSyntax(code, kind)
  if (!parsed.ok) fail('translation-internal-error', node, `the TypeScript produced for this code does not parse (${parsed.message})`)
}

/** Finds a (possibly nested) function or class by qualname: `create_app.add_headers`. */
function findDefinition(module: ModuleInfo, qualname: string, line?: number): { node: SyntaxNode; decorators: SyntaxNode[]; enclosing: SyntaxNode[] } | null {
  const parts = qualname.split('.')
  let scope: SyntaxNode = module.tree.rootNode
  const enclosing: SyntaxNode[] = []
  let found: { node: SyntaxNode; decorators: SyntaxNode[] } | null = null
  for (const [i, part] of parts.entries()) {
    found = null
    const search = (container: SyntaxNode): void => {
      for (const statement of container.namedChildren) {
        if (found) return
        let def = statement
        const decorators: SyntaxNode[] = []
        if (def.type === 'decorated_definition') {
          decorators.push(...def.namedChildren.filter((c) => c.type === 'decorator'))
          def = def.childForFieldName('definition')!
        }
        if ((def.type === 'function_definition' || def.type === 'class_definition') && def.childForFieldName('name')!.text === part) {
          // A name defined twice (in a loop, in two branches): the definition the analysis saw run.
          const last = i === parts.length - 1
          if (!last || !line || def.startPosition.row + 1 === line || statement.startPosition.row + 1 === line) {
            found = { node: def, decorators }
            return
          }
          fallback ??= { node: def, decorators }
        }
        // Definitions inside if/try/for/while/with blocks of the same scope.
        if (['if_statement', 'try_statement', 'for_statement', 'while_statement', 'with_statement', 'block', 'else_clause', 'elif_clause', 'except_clause', 'finally_clause'].includes(statement.type)) search(statement)
      }
    }
    let fallback: { node: SyntaxNode; decorators: SyntaxNode[] } | null = null
    search(scope.type === 'module' ? scope : scope.childForFieldName('body')!)
    found ??= fallback
    if (!found) return null
    if (i < parts.length - 1) {
      enclosing.push((found as { node: SyntaxNode }).node)
      scope = (found as { node: SyntaxNode }).node
    }
  }
  return found ? { ...(found as { node: SyntaxNode; decorators: SyntaxNode[] }), enclosing } : null
}

/** Decorators of a CLI command: click's `command` (also through `app.cli`), flask.cli's `with_appcontext`. */
const CLI_DECORATOR = /^@\s*(?:(?:click\.)?command\b|[\w.]+\.cli\.command\b|(?:flask\.cli\.)?with_appcontext\s*$)/

function checkDecorators(decorators: SyntaxNode[], allowFlask: boolean | 'command'): void {
  for (const decorator of decorators) {
    if (allowFlask === 'command' ? CLI_DECORATOR.test(decorator.text) : allowFlask && FLASK_REGISTRATION.test(decorator.text)) continue
    fail('unknown-decorator', decorator, `decorator \`${snippet(decorator)}\` is not one the translator knows`, decoratorName(decorator.text))
  }
}

function literalType(value: PyLiteral): PyType {
  if (value === null) return 'none'
  if (isFloatLiteral(value)) return 'float'
  if (typeof value === 'string') return 'str'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  return 'unknown'
}

/** Parameter types of a view from its rules' converters and defaults (a value typed differently by two rules is dynamic). */
function viewParamTypes(routes: RouteIR[]): Map<string, PyType> {
  const types = new Map<string, PyType>()
  const add = (name: string, type: PyType): void => {
    const previous = types.get(name)
    types.set(name, previous === undefined || previous === type ? type : 'unknown')
  }
  for (const route of routes) {
    for (const converter of route.converters) {
      add(converter.variable, converter.name === 'int' ? 'int' : converter.name === 'float' ? 'float' : ['default', 'string', 'path'].includes(converter.name) ? 'str' : 'unknown')
    }
  }
  for (const route of routes) {
    for (const [name, value] of Object.entries(route.defaults ?? {})) if (types.has(name)) add(name, literalType(value))
  }
  return types
}

/** Translates every view, hook and error handler of the app, and what they use, across modules. */
export function translateProject(input: TranslateInput): TranslatedProject {
  const project = new ProjectIndex(input.modules)
  useAppSymbol(project, input.app)
  useResources(project, input.app.importName, input.readFile)
  useTemplates(project, input.app, input.readFile)
  const configKeys = new Set(input.app.config.map((c) => c.key))
  const findings: Finding[] = settingsInFunctions(project)
  const symbols = new Map<string, SymbolResult>()
  // App factory state carried as module data (factory-state.ts), by symbol key; null when two factories clash.
  const factoryData = new Map<string, SymbolDef | null>()
  const pending: string[] = []
  const request = (deps: Set<string>): void => {
    for (const dep of deps) if (!symbols.has(dep) && !pending.includes(dep)) pending.push(dep)
  }

  interface HandlerDraft {
    handler: TranslatedHandler
    imports: ImportSet | null
    dependencies: Set<string>
    error: Untranslatable | null
    file: string
    endpoint?: string
  }

  const translateHandler = (
    ref: CodeRef,
    name: string,
    kind: 'view' | 'class-view' | 'before' | 'after' | 'teardown' | 'errorhandler' | 'command' | 'template-helper' | 'other',
    options: { routes?: RouteIR[]; methods?: string[]; endpoint?: string; restful?: 'flask_restful' | 'flask_restx' },
  ): HandlerDraft => {
    const module = project.modules.get(ref.module)
    const file = module?.file ?? ref.location.file
    const draft: HandlerDraft = {
      handler: { ref, name, status: 'stub', code: '', imports: [], pythonSource: '', findings: [] },
      imports: null,
      dependencies: new Set(),
      error: null,
      file,
      endpoint: options.endpoint,
    }
    if (!module) {
      draft.handler.findings.push({ ruleId: 'missing-definition', severity: 'error', message: `module ${ref.module} was not parsed`, location: ref.location, ...(options.endpoint ? { endpoint: options.endpoint } : {}) })
      return draft
    }
    const found = findDefinition(module, ref.qualname, ref.location.line)
    if (!found) {
      draft.handler.findings.push({ ruleId: 'missing-definition', severity: 'error', message: `${ref.module}.${ref.qualname} was not found`, location: ref.location, ...(options.endpoint ? { endpoint: options.endpoint } : {}) })
      return draft
    }
    draft.handler.pythonSource = (found.decorators[0] ? module.source.slice(found.decorators[0].startIndex, found.node.endIndex) : found.node.text)
    try {
      // A handler nested in an app factory sees the factory's locals: only the app itself is usable.
      let scope = moduleScope()
      for (const outer of found.enclosing) {
        if (outer.type !== 'function_definition') fail('unsupported-python-construct', outer, 'handler nested in a class')
        const bindings = collectBindings(outer.childForFieldName('body')!)
        const params = signatureOf(outer, outer).map((p) => p.name)
        scope = {
          kind: 'function',
          parent: scope,
          locals: new Map(),
          globals: new Set(),
          importBindings: new Map(),
          appNames: new Set([input.app.variable]),
          factoryLocals: new Set([...bindings.bindings.keys(), ...params]),
          factoryState: new Map(),
        }
        for (const [name, def] of factoryState(outer, module)) {
          // One module constant per name: two factories of a module keeping state under one name keep neither.
          const key = module.name + '\0' + name
          const known = factoryData.get(key)
          if (known !== undefined && known !== null && known.node.id !== def.node.id) factoryData.set(key, null)
          else if (known === undefined) factoryData.set(key, def)
          const carried = factoryData.get(key)
          if (carried) scope.factoryState!.set(name, carried)
        }
      }
      // Variables of enclosing functions the analysis knows as literals become constants of the view.
      const closureLines: string[] = []
      const closure = kind === 'view' && options.routes?.[0]?.view?.kind === 'function' ? options.routes[0].view.closure : undefined
      if (closure && found.node.type === 'function_definition') {
        const own = new Set([...collectBindings(found.node.childForFieldName('body')!).bindings.keys(), ...signatureOf(found.node, found.node).map((p) => p.name)])
        for (const [name, value] of Object.entries(closure)) {
          if (own.has(name)) continue
          for (let s: Scope | null = scope; s; s = s.parent) {
            if (!s.factoryLocals?.has(name)) continue
            s.locals.set(name, { jsName: jsIdentifier(name), type: literalType(value) })
            const owner = found.enclosing.at(-1)?.childForFieldName('name')?.text
            closureLines.push(`const ${jsIdentifier(name)} = ${tsJson(value)} ${lineComment(`${owner ? `\`${name}\` of ${owner}()` : name}, as it was when the rule was registered`)}`)
            break
          }
        }
      }
      const ctx = baseContext(project, module, configKeys, scope, true)
      ctx.flask = { contextVar: 'c' }
      let code: string
      if (kind === 'class-view') {
        // `@api.resource("/url")` registers a Flask-RESTful resource (the analysis routed it); it does not wrap the class.
        // Flask-RESTX's `@ns.route(...)`, `@ns.doc(...)`, `@ns.param(...)` on the class: routed by the analysis, or documentation only.
        const registration = options.restful === 'flask_restx' ? RESTX_CLASS_DECORATOR : RESOURCE_REGISTRATION
        checkDecorators(options.restful ? found.decorators.filter((decorator) => !registration.test(decorator.text)) : found.decorators, false)
        const restfulLib = options.restful === 'flask_restx' ? 'restx' : 'restful'
        const node = found.node
        const className = node.childForFieldName('name')!.text
        const classRef = projectReferenceForClass(ctx, module.name, className)
        const body = node.childForFieldName('body')!
        const defs = new Map<string, SyntaxNode>()
        for (const member of body.namedChildren) {
          const def = member.type === 'decorated_definition' ? member.childForFieldName('definition')! : member
          if (def.type === 'function_definition') defs.set(def.childForFieldName('name')!.text, def)
        }
        ctx.imports.flask.add('view')
        ctx.imports.flask.add('request')
        ctx.imports.exceptions.add('AssertionError')
        const cases: string[] = []
        const methods = [...(options.methods ?? [])]
        // A Flask-RESTful resource's `method_decorators = [...]`: dispatch_request wraps the bound method in each, the first innermost, at every request.
        const methodDecoratorsNode = options.restful ? classAttributeOf(body, 'method_decorators')?.namedChildren[0]?.childForFieldName('right') : undefined
        if (methodDecoratorsNode && (methodDecoratorsNode.type !== 'list' || methodDecoratorsNode.namedChildren.some((item) => item.type === 'list_splat'))) {
          fail('unsupported-flask-api', methodDecoratorsNode, `\`method_decorators\` of ${className} that is not a list of decorators (a dict per HTTP method is not carried over)`)
        }
        const methodDecorators = methodDecoratorsNode?.namedChildren.filter((item) => item.type !== 'comment') ?? []
        const methodDecoratorCtx = baseContext(project, module, configKeys, moduleScope(), true)
        methodDecoratorCtx.imports = ctx.imports
        methodDecoratorCtx.dependencies = ctx.dependencies
        for (const method of methods) {
          const def = defs.get(method.toLowerCase()) ?? (method === 'HEAD' ? defs.get('get') : undefined)
          if (!def) continue
          const args = ['c', ...viewArguments(signatureOf(def, def).slice(1))]
          const call = `instance.${jsIdentifier(def.childForFieldName('name')!.text)}(${args.join(', ')})`
          // Flask-RESTX checks the payload against `@ns.expect(model, validate=True)` before calling the method.
          const validate = options.restful === 'flask_restx' ? [`    validatePayload(instance.${jsIdentifier(def.childForFieldName('name')!.text)})`] : []
          if (validate.length > 0) ctx.imports.useLib('restx', 'validatePayload')
          if (methodDecorators.length === 0) {
            cases.push(`  case ${tsJson(method)}:`, ...validate, `    return ${call}`)
            continue
          }
          let wrapped = `py.takesKeywords((..._viewArgs: Py[]): Py => ${call})`
          for (const decorator of methodDecorators) wrapped = `${receiver(translateExpr(decorator, methodDecoratorCtx))}(${wrapped})`
          cases.push(`  case ${tsJson(method)}:`, ...validate, `    return py.callWithKeywords(${wrapped}, [], viewArgs)`)
        }
        ctx.imports.py = true
        const dispatch = defs.get('dispatch_request')
        if (dispatch !== undefined) {
          // flask.views.View (or a class overriding dispatch_request): Flask calls dispatch_request(**view_args).
          const args = ['c', ...viewArguments(signatureOf(dispatch, dispatch).slice(1))]
          cases.length = 0
          cases.push('  default:', `    return instance.dispatch_request(${args.join(', ')})`)
        } else if (cases.length === 0) {
          fail('unsupported-python-construct', node, `class-based view \`${className}\` has neither dispatch_request nor a method for ${methods.join(', ') || 'any HTTP method'}`)
        }
        const classAttribute = (attribute: string): SyntaxNode | undefined =>
          body.namedChildren.find((member) => member.type === 'expression_statement' && member.namedChildren[0]?.type === 'assignment' && member.namedChildren[0].childForFieldName('left')?.text === attribute)
        if (options.restful) {
          // A Flask-RESTful resource: the Api renders what its methods return (rules/extensions/flask-restful.yaml).
          for (const attribute of ['representations']) {
            const assigned = classAttribute(attribute)
            if (assigned) fail('unsupported-flask-api', assigned, `\`${attribute}\` of a Flask-RESTful resource`)
          }
        }
        const dispatchLines = [
          '  const viewArgs: Py = request(c).view_args ?? {}',
          `  const instance = new ${classRef}()`,
          '  switch (request(c).method) {',
          ...cases,
          '  }',
          '  throw new AssertionError(`Unimplemented method ${py.repr(request(c).method)}`)',
        ]
        // `decorators = [...]`: as_view applies them to the view, the first innermost; Flask calls the result with the view arguments as keywords.
        const decoratorList = classAttribute('decorators')?.namedChildren[0]?.childForFieldName('right')
        if (decoratorList && (decoratorList.type !== 'list' || decoratorList.namedChildren.some((item) => item.type === 'list_splat'))) {
          fail('unsupported-python-construct', decoratorList, `\`decorators\` of ${className} that is not a list of decorators`)
        }
        const decorators = decoratorList?.namedChildren.filter((item) => item.type !== 'comment') ?? []
        if (decorators.length > 0) {
          ctx.imports.flask.add('currentContext')
          const decoratorCtx = baseContext(project, module, configKeys, moduleScope(), true)
          decoratorCtx.imports = ctx.imports
          decoratorCtx.dependencies = ctx.dependencies
          let decorated = ['py.takesKeywords((..._viewArgs: Py[]): Py => {', '  const c = currentContext()', ...dispatchLines, '})'].join('\n')
          for (const decorator of decorators) decorated = `${receiver(translateExpr(decorator, decoratorCtx))}(\n${indent(decorated.split('\n')).join('\n')},\n)`
          if (options.restful) ctx.imports.useLib(restfulLib, 'decoratedResourceView')
          else ctx.imports.flask.add('decoratedView')
          code = `${options.restful ? `decoratedResourceView(${tsJson(options.endpoint!)}, ` : 'decoratedView('}\n${indent(decorated.split('\n')).join('\n')},\n)`
        } else {
          if (options.restful) ctx.imports.useLib(restfulLib, 'resourceView')
          code = [options.restful ? `resourceView(${tsJson(options.endpoint!)}, (c) => {` : 'view(async (c) => {', ...dispatchLines, '})'].join('\n')
        }
      } else {
        // Decorators below the last registration wrap the view Flask registers (applied bottom-up).
        const lastRegistration = kind === 'view' ? found.decorators.map((d) => FLASK_REGISTRATION.test(d.text)).lastIndexOf(true) : -1
        const wrappers = kind === 'view' ? found.decorators.slice(lastRegistration + 1) : []
        checkDecorators(found.decorators.slice(0, found.decorators.length - wrappers.length), kind === 'command' ? 'command' : true)
        if (found.node.type !== 'function_definition') fail('unsupported-python-construct', found.node, 'a class registered as a function view')
        if (wrappers.length > 0) {
          code = decoratedView(found.node, wrappers, ctx, closureLines, () => baseContext(project, module, configKeys, moduleScope(), true))
          checkParses(code, 'expression', found.node)
          draft.handler.code = code
          draft.handler.status = 'migrated'
          draft.imports = ctx.imports
          draft.dependencies = ctx.dependencies
          request(ctx.dependencies)
          return draft
        }
        const paramTypes = new Map<string, PyType>()
        let extraParams: string[] = []
        let head = ''
        let prelude: string[] = []
        const params = signatureOf(found.node, found.node)
        if (kind === 'view') {
          for (const [k, v] of viewParamTypes(options.routes ?? [])) paramTypes.set(k, v)
          ctx.imports.flask.add('view')
          head = 'view(async (c) => '
          if (params.length > 0) {
            ctx.imports.flask.add('request')
            ctx.imports.py = true
            prelude = [`const viewArgs: Py = request(c).view_args ?? {}`]
          }
        } else if (kind === 'after') {
          if (params[0]) paramTypes.set(params[0].name, 'response')
          head = ''
        }
        // The view's parameters come from view_args; hooks and error handlers get theirs from the runtime.
        const fn = translateFunction(found.node, ctx, { kind: 'function', paramTypes, allowAsync: true })
        // The runtime awaits what hooks and error handlers return: an `async def` one is an async arrow.
        const async = fn.isAsync ? 'async ' : ''
        const paramNames = fn.params.map((p) => p.split(/[:=]/)[0].trim())
        if (kind === 'view') {
          // A float converter's value is boxed when integral (3.0): a float parameter holds the plain number.
          // A parameter the body assigns to is a `let`.
          const assigned = collectBindings(found.node.childForFieldName('body')!).bindings
          prelude.push(
            ...paramNames.map((p, i) => {
              const value = `viewArgs[${tsJson(params[i].name)}]`
              const declare = assigned.has(params[i].name) ? 'let' : 'const'
              if (paramTypes.get(params[i].name) === 'float') return `${declare} ${p}: number = Number(${value})`
              return `${declare} ${p}${fn.params[i].includes(': number') ? ': number' : fn.params[i].includes(': string') ? ': string' : ''} = ${value}`
            }),
          )
          code = fn.isGenerator
            ? // A view that yields streams its response (Flask 2.2 takes an iterator as the body); the body runs as it is read.
              `${head}(function* () {\n${indent([...closureLines, ...prelude, ...fn.body]).join('\n')}\n})())`
            : `${head}{\n${indent([...closureLines, ...prelude, ...fn.body]).join('\n')}\n})`
        } else if (fn.isGenerator) {
          fail('unsupported-python-construct', found.node, `a ${kind === 'errorhandler' ? 'error handler' : 'request hook'} that yields`)
        } else if (kind === 'errorhandler') {
          extraParams = [`${paramNames[0] ?? '_error'}: Py`, 'c: Context']
          ctx.imports.honoContext = true
          code = `${async}(${extraParams.join(', ')}) => {\n${indent(fn.body).join('\n')}\n}`
        } else if (kind === 'after') {
          ctx.imports.honoContext = true
          ctx.imports.flask.add('FlaskResponse')
          code = `${async}(c: Context, ${paramNames[0] ?? '_response'}: FlaskResponse): ${fn.isAsync ? 'Promise<Py>' : 'Py'} => {\n${indent(fn.body).join('\n')}\n}`
        } else if (kind === 'teardown') {
          ctx.imports.honoContext = true
          code = `${async}(c: Context, ${paramNames[0] ?? '_error'}: Py) => {\n${indent(fn.body).join('\n')}\n}`
        } else if (kind === 'template-helper') {
          // A template filter, test or global: called from templates with the arguments Jinja2 passes.
          ctx.imports.py = true
          code = `(${fn.params.join(', ')}): Py => {\n${indent(fn.body).join('\n')}\n}`
        } else if (kind === 'command') {
          // A CLI command runs with an app context of its own (runtime cli.ts); click's parameters are not carried over.
          ctx.imports.honoContext = true
          if (paramNames.length > 0) fail('unsupported-flask-api', found.node, 'a CLI command with parameters')
          if (fn.isAsync) fail('unsupported-python-construct', found.node, 'an `async def` CLI command')
          code = `(c: Context) => {\n${indent(fn.body).join('\n')}\n}`
        } else {
          ctx.imports.honoContext = true
          if (paramNames.length > 0) fail('unsupported-flask-api', found.node, 'a before-request hook with parameters')
          code = `${async}(c: Context) => {\n${indent(fn.body).join('\n')}\n}`
        }
      }
      checkParses(code, 'expression', found.node)
      draft.handler.code = code
      draft.handler.status = 'migrated'
      draft.imports = ctx.imports
      draft.dependencies = ctx.dependencies
      request(ctx.dependencies)
    } catch (error) {
      if (!(error instanceof Untranslatable)) throw error
      draft.error = error
    }
    return draft
  }

  const drafts: HandlerDraft[] = []
  /** Where each request-time handler runs, for the routes sharing process-local state (process-state.ts). */
  const scopes = new Map<HandlerDraft, HandlerScope>()
  const views: Record<string, TranslatedHandler> = {}
  const viewRoutes = new Map<string, RouteIR[]>()
  for (const route of input.app.routes) {
    if (!route.view) continue
    viewRoutes.set(route.endpoint, [...(viewRoutes.get(route.endpoint) ?? []), route])
  }
  // The app's template helpers (context processors, filters, tests, globals), before the views that render with them.
  const templateDrafts = templateHelpers(project, input.app).map((helper) => {
    const draft = translateHandler(helper.ref, helper.ref.qualname.split('.').pop()!, helper.kind === 'context_processor' ? 'before' : 'template-helper', {})
    drafts.push(draft)
    scopes.set(draft, 'every request')
    return { helper, handler: draft.handler, translated: draft.error === null }
  })
  useTemplateHelpers(project, templateDrafts)
  for (const [endpoint, routes] of viewRoutes) {
    const viewIR = routes[0].view!
    const methods = [...new Set(routes.flatMap((r) => r.allMethods))].filter((m) => m !== 'OPTIONS')
    // Flask-RESTX's API root: `abort(404)`, which the app answers (the root is not one of the Api's endpoints);
    // under the Swagger UI's page at the same URL (`doc="/"`, the default), the page answers and both stay stubs.
    const underDoc = input.app.routes.some((route) => route.rule === routes[0].rule && route.view?.ref.qualname === 'Api.render_doc')
    if (viewIR.extension === 'flask_restx' && viewIR.ref.module === 'flask_restx.api' && viewIR.ref.qualname === 'Api.render_root' && !underDoc) {
      const imports = new ImportSet()
      imports.flask.add('view')
      imports.useLib('restx', 'renderRoot')
      const handler: TranslatedHandler = { ref: viewIR.ref, name: endpoint, status: 'migrated', code: 'view(async () => renderRoot())', imports: [], pythonSource: '', findings: [] }
      drafts.push({ handler, imports, dependencies: new Set(), error: null, file: viewIR.ref.location.file, endpoint })
      views[endpoint] = handler
      continue
    }
    if (viewIR.extension !== undefined && !project.modules.has(viewIR.ref.module)) {
      // An extension's own view (flask_restx's Swagger spec, doc page and API root): no project code to translate.
      const handler: TranslatedHandler = { ref: viewIR.ref, name: endpoint, status: 'stub', code: '', imports: [], pythonSource: '', findings: [] }
      handler.findings.push({
        ruleId: 'extension-not-migrated',
        severity: 'error',
        message: `${endpoint} is ${viewIR.extension}'s own view (${viewIR.ref.module}.${viewIR.ref.qualname}): what it answers is the extension's and is not carried over`,
        location: viewIR.ref.location,
        endpoint,
        blockers: [`${viewIR.extension} own views`],
      })
      drafts.push({ handler, imports: null, dependencies: new Set(), error: null, file: viewIR.ref.location.file, endpoint })
      views[endpoint] = handler
      continue
    }
    const draft =
      viewIR.kind === 'class'
        ? translateHandler(viewIR.ref, endpoint, 'class-view', { methods: [...new Set([...viewIR.methods, ...methods])], endpoint, restful: viewIR.extension === 'flask_restful' || viewIR.extension === 'flask_restx' ? viewIR.extension : undefined })
        : translateHandler(viewIR.ref, endpoint, 'view', { routes, endpoint })
    if (viewIR.extension !== undefined && !((viewIR.extension === 'flask_restful' || viewIR.extension === 'flask_restx') && viewIR.kind === 'class')) {
      // An extension's resource (or a method of an extension's view class, as Flask-Admin's `@expose`):
      // the extension dispatches it and shapes its responses and errors.
      draft.error = null
      draft.handler.status = 'stub'
      draft.handler.findings.push({
        ruleId: 'extension-not-migrated',
        severity: 'error',
        message:
          viewIR.kind === 'class'
            ? `${viewIR.ref.qualname} is a ${viewIR.extension} resource: its dispatch, response representation and error handling are the extension's and are not carried over`
            : `${viewIR.ref.qualname} is a view method of a ${viewIR.extension} view class: the extension dispatches it (its access checks, rendering and error handling) and it is not carried over`,
        location: viewIR.ref.location,
        endpoint,
        blockers: [viewIR.kind === 'class' ? `${viewIR.extension} resources` : `${viewIR.extension} views`],
      })
    }
    drafts.push(draft)
    scopes.set(draft, { endpoint })
    views[endpoint] = draft.handler
  }
  const hookKind = (kind: string): 'before' | 'after' | 'teardown' | 'other' =>
    kind.startsWith('before') ? 'before' : kind.startsWith('after') ? 'after' : kind.startsWith('teardown') ? 'teardown' : 'other'
  const hooks = input.app.hooks.map((hook) => {
    // A context processor is carried with the templates (src/templates.ts).
    const carried = templateDrafts.find((t) => t.helper.hook === hook)
    if (carried !== undefined) return carried.handler
    const kind = hookKind(hook.kind)
    if (kind === 'other') {
      const draft = translateHandler(hook.ref, hook.ref.qualname.split('.').pop()!, 'other', {})
      draft.error = null
      draft.handler.status = 'stub'
      draft.handler.code = ''
      draft.handler.findings.push({ ruleId: 'unsupported-flask-api', severity: 'error', message: `hook kind \`${hook.kind}\` is not supported`, location: hook.location })
      drafts.push(draft)
      return draft.handler
    }
    const draft = translateHandler(hook.ref, hook.ref.qualname.split('.').pop()!, kind, {})
    drafts.push(draft)
    scopes.set(draft, hook.blueprint === null || hook.kind.endsWith('_app_request') ? 'every request' : { blueprint: hook.blueprint })
    return draft.handler
  })
  const errorHandlers = input.app.errorHandlers.map((handler) => {
    const draft = translateHandler(handler.ref, handler.ref.qualname.split('.').pop()!, 'errorhandler', {})
    // The project's exception class it handles is emitted with it, even when no translated code raises it.
    const key = 'exception' in handler.key ? handler.key.exception : null
    const dot = key?.lastIndexOf('.') ?? -1
    const resolved = key !== null && dot > 0 ? project.resolveSymbol(key.slice(0, dot), key.slice(dot + 1)) : null
    if (draft.handler.status === 'migrated' && resolved?.def.kind === 'class') {
      const dependency = resolved.module.name + '\0' + resolved.name
      draft.dependencies.add(dependency)
      request(new Set([dependency]))
    }
    drafts.push(draft)
    scopes.set(draft, handler.blueprint === null ? 'every request' : { blueprint: handler.blueprint })
    return draft.handler
  })

  // Mapped extensions set up on the app (rules/extensions/): the instance, and the callbacks the project registers on it.
  const extensionSetupList = extensionSetups(project, input.app)
  for (const setup of extensionSetupList) request(new Set(setup.dependencies))

  // The app's CLI commands without click parameters (emit reports the others): `npm run <name>` scripts of the service.
  const commands = (input.app.commands ?? [])
    .filter((command) => command.parameters.length === 0)
    .map((command) => {
      const draft = translateHandler(command.ref, command.name, 'command', {})
      drafts.push(draft)
      return draft.handler
    })

  // The app's start-up work (flask/startup.ts): run when the service creates the app; the models depend on it.
  useStartupApp(project, input.app.location)
  const startupDrafts = startupBlocks(project).filter((block) => block.inSetup).map((block) => {
    const draft = translateStartup(block, project, input.app, configKeys)
    const key = `${block.module.name}\0<start-up:${block.node.startPosition.row + 1}>`
    symbols.set(key, { module: block.module.name, name: key, start: block.node.startIndex, code: null, imports: draft.imports ?? new ImportSet(), dependencies: draft.dependencies, error: draft.error, file: block.module.file })
    setStartupKey(project, key)
    request(draft.dependencies)
    drafts.push(draft)
    return draft
  })

  // Calls of project functions the app factory makes without the app (`store.reset()` filling module data):
  // run when the service creates the app; the data of the called function's module depends on them.
  const factoryCallModules = new Map<string, string>()
  for (const call of factoryCalls(project, input.app)) {
    const draft = translateFactoryCall(call, project, input.app, configKeys)
    const key = `${call.module.name}\0<factory-call:${call.node.startPosition.row + 1}>`
    symbols.set(key, { module: call.module.name, name: key, start: call.node.startIndex, code: null, imports: draft.imports ?? new ImportSet(), dependencies: draft.dependencies, error: draft.error, file: call.module.file })
    factoryCallModules.set(key, call.callee)
    request(draft.dependencies)
    drafts.push(draft)
    startupDrafts.push(draft)
  }

  // Project symbols used by handlers, transitively; with a module, what it does at import that the service must do too.
  const setups = new Map<string, SymbolResult[]>()
  const mutated = new Set<string>()
  for (;;) {
    while (pending.length > 0) {
      const key = pending.shift()!
      const [moduleName, name] = key.split('\0')
      const result = translateSymbol(project, moduleName, name, configKeys, factoryData.get(key) ?? undefined)
      symbols.set(key, result)
      request(result.dependencies)
      if (!setups.has(moduleName)) {
        const calls = setupCalls(project, project.modules.get(moduleName)!, configKeys)
        setups.set(moduleName, calls)
        for (const call of calls) request(call.dependencies)
      }
    }
    // What a module does at import to data the service carries (`ITEMS.append(...)`, `USERS["a"] = ...`):
    // the same statements, run when the module loads; the data depends on them, so one that does
    // not translate stubs every handler using that data.
    let added = false
    for (const [key, result] of [...symbols]) {
      if (mutated.has(key) || result.error !== null || result.code === null) continue
      mutated.add(key)
      const [moduleName, name] = key.split('\0')
      for (const mutation of dataMutations(project, project.modules.get(moduleName)!, name, configKeys)) {
        const mutationKey = `${moduleName}\0${mutation.name}`
        if (symbols.has(mutationKey)) continue
        symbols.set(mutationKey, mutation)
        result.dependencies.add(mutationKey)
        request(mutation.dependencies)
        added = true
      }
    }
    if (!added && pending.length === 0) break
  }

  for (const [callKey, calleeModule] of factoryCallModules) {
    for (const [key, result] of symbols) {
      if (result.module !== calleeModule || key === callKey) continue
      const name = key.split('\0')[1]!
      if (project.modules.get(calleeModule)?.symbols.get(name)?.kind === 'data') result.dependencies.add(callKey)
    }
  }

  // A symbol is usable when it and everything it uses translated.
  const broken = new Map<string, SymbolResult>()
  const brokenCause = (key: string, seen = new Set<string>()): SymbolResult | null => {
    if (broken.has(key)) return broken.get(key)!
    if (seen.has(key)) return null
    seen.add(key)
    const result = symbols.get(key)
    if (!result) return null
    if (result.error) return result
    for (const dep of result.dependencies) {
      const cause = brokenCause(dep, seen)
      if (cause) return cause
    }
    return null
  }
  for (const key of symbols.keys()) {
    const cause = brokenCause(key)
    if (cause) broken.set(key, cause)
  }

  // Code using an extension's runtime depends on its setup: a callback that did not translate stubs it.
  for (const draft of drafts) {
    for (const rule of extensionRules()) {
      if (rule.init_app === undefined || rule.init_app.optional === true || !draft.imports?.lib.has(rule.runtime) || extensionSetupList.some((setup) => setup.runtime === rule.runtime)) continue
      draft.handler.findings.push({
        ruleId: 'extension-not-migrated',
        severity: 'error',
        message: `${draft.handler.name} uses ${rule.extension}, but the app's ${rule.extension} instance is not known (none set up with init_app on the app, or several): the service cannot set it up`,
        location: draft.handler.ref.location,
        ...(draft.endpoint !== undefined ? { endpoint: draft.endpoint } : {}),
        blockers: [`${rule.extension} not set up`],
      })
    }
    for (const setup of extensionSetupList) {
      if (!draft.imports?.lib.has(setup.runtime)) continue
      for (const dependency of setup.dependencies) draft.dependencies.add(dependency)
      if (setup.unsupported !== null) draft.handler.findings.push({ ...setup.unsupported, ...(draft.endpoint !== undefined ? { endpoint: draft.endpoint } : {}) })
    }
  }
  // An optional setup not carried over whose runtime no handler uses (CSRFProtect's check alone): its reason is the app's finding.
  for (const setup of extensionSetupList) {
    const optional = extensionRules().find((rule) => rule.runtime === setup.runtime)?.init_app?.optional === true
    if (optional && setup.unsupported !== null && !drafts.some((draft) => draft.imports?.lib.has(setup.runtime))) findings.push(setup.unsupported)
  }
  for (const draft of drafts) {
    const endpoint = draft.endpoint
    if (draft.error) {
      draft.handler.findings.push(findingFor(draft.error, draft.file, endpoint))
    } else if (draft.handler.status === 'migrated') {
      for (const dep of draft.dependencies) {
        const cause = broken.get(dep) ?? (symbols.get(dep)?.error ? symbols.get(dep)! : null)
        if (cause?.error) {
          draft.handler.findings.push(findingFor(cause.error, cause.file, endpoint))
          break
        }
      }
    }
    if (draft.handler.findings.length > 0 || draft.handler.status === 'stub') {
      draft.handler.status = 'stub'
      draft.handler.code = `(c) => notMigrated(c, ${tsJson(draft.handler.name)})`
      draft.handler.imports = [`import { notMigrated } from '../lib/flask.js'`]
    } else {
      draft.handler.imports = draft.imports!.lines('routes', null)
    }
    findings.push(...draft.handler.findings)
  }
  const processState = processLocalState(project, carriedData(project, symbols, broken, factoryData), requestTimeCode(project, symbols, broken, drafts.filter((draft) => !startupDrafts.includes(draft)), commands))
  findings.push(...processState.findings)
  const sharedState = sharedStateOf(
    project,
    processState.changed,
    drafts.filter((draft) => draft.handler.status === 'migrated' && scopes.has(draft)).map((draft) => ({ name: draft.handler.name, scope: scopes.get(draft)!, dependencies: draft.dependencies })),
    extensionSetupList,
    symbols,
    findings,
  )
  // One TypeScript module per Python module used, declarations in source order.
  const modules: TranslatedModule[] = []
  const byModule = new Map<string, SymbolResult[]>()
  for (const [key, result] of symbols) {
    if (broken.has(key) || result.code === null) continue
    byModule.set(result.module, [...(byModule.get(result.module) ?? []), result])
  }
  for (const [moduleName, results] of byModule) {
    for (const setup of setups.get(moduleName) ?? []) {
      const cause = setup.error ? setup : [...setup.dependencies].map((dep) => broken.get(dep) ?? (symbols.get(dep)?.error ? symbols.get(dep)! : null)).find((found) => found)
      if (cause?.error) findings.push(findingFor(cause.error, cause.file))
      else results.push(setup)
    }
    results.sort((a, b) => a.start - b.start)
    const imports = new ImportSet()
    const dir = moduleName.split('.').slice(0, -1).join('/')
    const importLines = new Set<string>()
    for (const r of results) for (const line of r.imports.lines(dir, moduleName)) importLines.add(line)
    void imports
    const code = [...importLines, '', ...results.map((r) => r.code!)].join('\n')
    modules.push({ pythonModule: moduleName, code })
  }
  const usable = extensionSetupList.filter((setup) => setup.unsupported === null && setup.dependencies.every((dependency) => !broken.has(dependency) && symbols.get(dependency)?.error === null))
  const extensions = [...usable.map((setup) => setup.translated), ...afterRequestSetups(input.app)]
  // In the factory's order: its calls and its app-context blocks.
  const startup = startupDrafts.map((draft) => draft.handler).sort((a, b) => (a.ref.location.file === b.ref.location.file ? a.ref.location.line - b.ref.location.line : 0))
  return { modules, views, hooks, errorHandlers, findings, ...(commands.length > 0 ? { commands } : {}), ...(extensions.length > 0 ? { extensions } : {}), ...(startup.length > 0 ? { startup } : {}), ...(sharedState.routes.length > 0 ? { sharedState } : {}) }
}

/**
 * The routes that share process-local state with the Flask app (process-state.ts sharedStateRoutes):
 * the data processLocalState found changed, and the instances of extensions that keep state in the
 * process (rules/extensions `process_state`), each used instance reported where it is made.
 */
function sharedStateOf(
  project: ProjectIndex,
  changed: CarriedData[],
  handlers: { name: string; scope: HandlerScope; dependencies: Set<string> }[],
  setups: ExtensionSetup[],
  symbols: Map<string, SymbolResult>,
  findings: Finding[],
): { routes: string[]; state: string[] } {
  const instances = new Map(extensionInstances(project).map((instance) => [`${instance.module}\0${instance.name}`, instance]))
  // An extension instance leads to the callbacks its set-up registers (verify_password reading USERS).
  const setupsByInstance = new Map<string, string[]>()
  for (const setup of setups) {
    for (const key of setup.dependencies) if (instances.has(key)) setupsByInstance.set(key, [...(setupsByInstance.get(key) ?? []), ...setup.dependencies])
  }
  const state = new Map(changed.map((item) => [`${item.module.name}\0${item.name}`, { name: item.name, everyRequest: false }]))
  for (const [key, instance] of instances) {
    if (instance.rule.process_state !== undefined) state.set(key, { name: `${instance.name} (${instance.rule.extension})`, everyRequest: true })
  }
  // An extension acting on every request once set up on the app (Flask-Limiter's default limits).
  const everyRequest = setups
    .filter((setup) => setup.unsupported === null && extensionRules().find((rule) => rule.runtime === setup.runtime)?.process_state?.every_request === true)
    .map((setup) => ({ name: setup.runtime, scope: 'every request' as const, dependencies: new Set(setup.dependencies) }))
  const shared = sharedStateRoutes(state, [...handlers, ...everyRequest], (key) => {
    const own = symbols.get(key)?.dependencies
    const callbacks = setupsByInstance.get(key)
    return callbacks === undefined ? (own ?? null) : new Set([...(own ?? []), ...callbacks])
  })
  for (const key of shared.keys) {
    const instance = instances.get(key)
    const def = project.modules.get(instance?.module ?? '')?.symbols.get(instance?.name ?? '')
    if (instance?.rule.process_state === undefined || def === undefined) continue
    findings.push({
      ruleId: 'process-local-state',
      severity: 'warning',
      message:
        `\`${instance.name}\` (${instance.rule.extension}) keeps ${instance.rule.process_state.what}: the Flask app beside the service (LEGACY_URL, SHADOW) keeps its own. ` +
        'With LEGACY_URL the service forwards every request to the Flask app, so that one process keeps it; LEGACY_SPLIT_STATE=1 serves the routes here anyway ' +
        '(src/app.ts lists them as `endpoints.sharedState`)',
      location: { file: project.modules.get(instance.module)!.file, line: def.node.startPosition.row + 1, column: def.node.startPosition.column + 1 },
    })
  }
  return { routes: shared.routes, state: shared.state }
}

type StartupDraft = { handler: TranslatedHandler; imports: ImportSet | null; dependencies: Set<string>; error: Untranslatable | null; file: string }

/**
 * Start-up work as `(c: Context) => { … }`, which the emitted app runs when it is created
 * (runtime cli.ts): `translate` gets a maker of handler contexts and answers its statements.
 */
function startupDraft(
  module: ModuleInfo,
  node: SyntaxNode,
  handler: Pick<TranslatedHandler, 'name'> & { qualname: string },
  translate: (context: (scope: Scope) => Context) => { ctx: Context; body: string[] },
  project: ProjectIndex,
  configKeys: Set<string>,
): StartupDraft {
  const location = { file: module.file, line: node.startPosition.row + 1, column: node.startPosition.column + 1 }
  const draft: StartupDraft = {
    handler: { ref: { module: module.name, qualname: handler.qualname, location }, name: handler.name, status: 'stub', code: '', imports: [], pythonSource: node.text, findings: [] },
    imports: null,
    dependencies: new Set<string>(),
    error: null,
    file: module.file,
  }
  const context = (scope: Scope): Context => ({ ...baseContext(project, module, configKeys, scope, true), flask: { contextVar: 'c' } })
  try {
    const { ctx, body } = translate(context)
    if (ctx.needsAsync.value) fail('unsupported-python-construct', node, 'start-up work that awaits')
    ctx.imports.honoContext = true
    const code = `(c: Context) => {\n${indent(body).join('\n')}\n}`
    checkParses(code, 'expression', node)
    draft.handler.code = code
    draft.handler.status = 'migrated'
    draft.handler.imports = ctx.imports.lines('routes', null)
    draft.imports = ctx.imports
    draft.dependencies = ctx.dependencies
  } catch (error) {
    if (!(error instanceof Untranslatable)) throw error
    draft.error = error
  }
  return draft
}

/** The scope of code in an app factory: the app and the factory's locals. */
function factoryScope(factory: SyntaxNode, parent: Scope, appNames: string[]): Scope {
  const bindings = collectBindings(factory.childForFieldName('body')!)
  const params = signatureOf(factory, factory).map((p) => p.name)
  return { kind: 'function', parent, locals: new Map(), globals: new Set(), importBindings: new Map(), appNames: new Set(appNames), factoryLocals: new Set([...bindings.bindings.keys(), ...params]) }
}

/** A start-up block (`with app.app_context():` in the factory), run with an app context of its own. */
function translateStartup(block: StartupBlock, project: ProjectIndex, app: AppIR, configKeys: Set<string>): StartupDraft {
  const qualname = [...block.enclosing.map((outer) => outer.childForFieldName('name')!.text), '<app_context>'].join('.')
  return startupDraft(block.module, block.node, { name: 'start-up', qualname }, (context) => {
    let scope = moduleScope()
    for (const outer of block.enclosing) {
      if (outer.type !== 'function_definition') fail('unsupported-python-construct', outer, 'start-up work nested in a class')
      scope = factoryScope(outer, scope, [app.variable, 'app'])
    }
    // The block's body runs as the body of a function without parameters.
    const ctx = context(scope)
    const fn = translateFunction(block.node, ctx, { kind: 'function' })
    if (fn.isAsync) fail('unsupported-python-construct', block.node, 'start-up work that awaits')
    return { ctx, body: fn.body }
  }, project, configKeys)
}

/** A factory call (factory-state.ts `factoryCalls`) as start-up work: `(c: Context) => { reset() }`. */
function translateFactoryCall(call: FactoryCall, project: ProjectIndex, app: AppIR, configKeys: Set<string>): StartupDraft {
  const qualname = `${call.factory.childForFieldName('name')!.text}.<call>`
  return startupDraft(call.module, call.node, { name: 'factory-call', qualname }, (context) => {
    const ctx = context(factoryScope(call.factory, moduleScope(), [app.variable]))
    return { ctx, body: translateStatement(call.node, ctx) }
  }, project, configKeys)
}

/**
 * Translates named top-level symbols of the project's modules (and what they use) without any
 * Flask app: for libraries and tests. Failed symbols are left out and returned as findings.
 */
export function translateSymbols(
  input: { modules: { name: string; file: string; source: string; tree: Parser.Tree }[] },
  requested: { module: string; name: string }[],
): { modules: TranslatedModule[]; findings: Finding[] } {
  const project = new ProjectIndex(input.modules)
  const results = new Map<string, SymbolResult>()
  const pending = requested.map((r) => r.module + '\0' + r.name)
  while (pending.length > 0) {
    const key = pending.shift()!
    if (results.has(key)) continue
    const [moduleName, name] = key.split('\0')
    const result = translateSymbol(project, moduleName, name, new Set())
    results.set(key, result)
    for (const dep of result.dependencies) if (!results.has(dep)) pending.push(dep)
  }
  const findings = [...results.values()].filter((r) => r.error).map((r) => findingFor(r.error!, r.file))
  // A symbol that uses a failed one is left out too (its code would reference a missing name).
  const failed = new Set([...results].filter(([, r]) => r.error).map(([k]) => k))
  let changed = true
  while (changed) {
    changed = false
    for (const [key, r] of results) {
      if (!failed.has(key) && [...r.dependencies].some((d) => failed.has(d))) {
        failed.add(key)
        changed = true
      }
    }
  }
  const byModule = new Map<string, SymbolResult[]>()
  for (const [key, r] of results) if (r.code !== null && !failed.has(key)) byModule.set(r.module, [...(byModule.get(r.module) ?? []), r])
  const modules = [...byModule].map(([moduleName, rs]) => {
    rs.sort((a, b) => a.start - b.start)
    const dir = moduleName.split('.').slice(0, -1).join('/')
    const lines = new Set(rs.flatMap((r) => r.imports.lines(dir, moduleName)))
    return { pythonModule: moduleName, code: [...lines, '', ...rs.map((r) => r.code!)].join('\n') }
  })
  return { modules, findings }
}

/**
 * Flask calls a class-based view's method with the view arguments as keywords: each positional
 * parameter by name; a method with `**kwargs` (rest parameters) gets the others as keywords.
 */
function viewArguments(params: ParamInfo[]): string[] {
  const positional = params.filter((p) => p.kind === 'positional')
  const args = positional.map((p) => `viewArgs[${tsJson(p.name)}]`)
  if (params.some((p) => p.rest)) args.push(`py.keywordsOf(viewArgs, [${positional.map((p) => tsJson(p.name)).join(', ')}])`)
  return args
}

/** `name = value` in a class body (the statement), if the class assigns it. */
function classAttributeOf(body: SyntaxNode, attribute: string): SyntaxNode | undefined {
  return body.namedChildren.find((member) => member.type === 'expression_statement' && member.namedChildren[0]?.type === 'assignment' && member.namedChildren[0].childForFieldName('left')?.text === attribute)
}

function projectReferenceForClass(ctx: Context, module: string, name: string): string {
  ctx.dependencies.add(module + '\0' + name)
  ctx.imports.useProject(module, name)
  return name
}

/** `@api.resource("/url")` on a Flask-RESTful resource: a registration the analysis routed, not a wrapper. */
const RESOURCE_REGISTRATION = /^@\s*[\w.]+\.resource\s*\(/

/** Flask-RESTX's decorators of a Resource class: its registration (`@ns.route`) and documentation, which change no answer. */
const RESTX_CLASS_DECORATOR = /^@\s*[\w.]+\.(route|doc|param|response|header|produces|vendor|hide|deprecated|expect)\b/

/** A subclass of Flask-RESTful's Resource (its last base). */
function isRestfulResource(def: SymbolDef, module: ModuleInfo, extension = 'flask_restful'): boolean {
  if (def.kind !== 'class') return false
  const base = def.node.childForFieldName('superclasses')?.namedChildren.filter((c) => c.type !== 'comment').at(-1)
  const binding = base ? module.symbols.get(base.text) : undefined
  return binding?.kind === 'import' && binding.target.kind === 'member' && binding.target.module === extension && binding.target.name === 'Resource'
}

function isMethodView(def: SymbolDef, project: ProjectIndex, module: ModuleInfo): boolean {
  if (def.kind !== 'class') return false
  // The last base: mixins come before it (`class ItemView(JsonMixin, MethodView)`).
  const base = def.node.childForFieldName('superclasses')?.namedChildren.filter((c) => c.type !== 'comment').at(-1)
  if (!base) return false
  const binding = module.symbols.get(base.text)
  if (binding?.kind !== 'import' || binding.target.kind !== 'member') return false
  // A Flask-RESTful Resource is a MethodView too.
  if (binding.target.module === 'flask_restful' || binding.target.module === 'flask_restx') return binding.target.name === 'Resource'
  return binding.target.module.startsWith('flask') && (binding.target.name === 'MethodView' || binding.target.name === 'View')
}

/** When `name` is the setter of a module variable rebound with `global`: that variable. */
function setterVariable(project: ProjectIndex, module: ModuleInfo, name: string): { name: string; node: SyntaxNode } | null {
  if (module.symbols.has(name) || !name.startsWith(globalSetter(''))) return null
  const variable = name.slice(globalSetter('').length)
  const def = module.symbols.get(variable)
  if (def?.kind !== 'data' || !project.globalsAssigned(module.name).has(variable)) return null
  return { name: variable, node: def.node }
}

/** Module-level calls the service makes when it loads the module, as Python does at import: `sqlite3.register_converter(...)`, `sqlite3.register_adapter(...)`. */
const SETUP_CALLS = new Set(['sqlite3.register_converter', 'sqlite3.register_adapter'])

function setupCalls(project: ProjectIndex, module: ModuleInfo, configKeys: Set<string>): SymbolResult[] {
  const results: SymbolResult[] = []
  // `login_manager.login_view = "auth.login"`: a setting of a mapped extension's object, run when the module loads.
  for (const setting of moduleSettings(project, module)) {
    const ctx = baseContext(project, module, configKeys, moduleScope(), false)
    const line = setting.statement.startPosition.row + 1
    results.push(
      loadTimeStatement(module, `${setting.owner}.${setting.attribute}:${line}`, setting.statement, ctx, () => {
        if (!setting.carried) fail('unsupported-flask-api', setting.statement, `${setting.extension}: \`${setting.owner}.${setting.attribute}\` is not a setting the service carries over`)
        ctx.dependencies.add(`${module.name}\0${setting.owner}`)
        return `${jsIdentifier(setting.owner)}.${setting.attribute} = ${translateExpr(setting.value, ctx).code} ${lineComment(`${module.file}:${line}, when the module loads`)}`
      }),
    )
  }
  for (const statement of module.tree.rootNode.namedChildren) {
    const call = statement.type === 'expression_statement' ? statement.namedChildren[0] : undefined
    if (call?.type !== 'call') continue
    const ctx = baseContext(project, module, configKeys, moduleScope(), false)
    let path: string | null = null
    try {
      path = stdlibPath(call.childForFieldName('function')!, ctx)
    } catch (error) {
      if (!(error instanceof Untranslatable)) throw error
    }
    if (path === null || !SETUP_CALLS.has(path)) continue
    results.push(loadTimeStatement(module, `${path}:${statement.startPosition.row + 1}`, statement, ctx, () => `${translateExpr(call, ctx).code} ${lineComment(`${module.file}:${statement.startPosition.row + 1}, when the module loads`)}`))
  }
  return results
}

/** A statement the service runs when a module loads, as Python runs it at import: its code, or the reason it does not translate. */
function loadTimeStatement(module: ModuleInfo, name: string, statement: SyntaxNode, ctx: Context, translate: () => string): SymbolResult {
  const result: SymbolResult = { module: module.name, name, start: statement.startIndex, code: null, imports: ctx.imports, dependencies: ctx.dependencies, error: null, file: module.file }
  try {
    result.code = translate()
    checkParses(result.code, 'module', statement)
  } catch (error) {
    if (!(error instanceof Untranslatable)) throw error
    result.error = error
    result.code = null
  }
  return result
}

/** Module-level statements that change the data `name` holds, after its definition (its import-time state). */
function dataMutations(project: ProjectIndex, module: ModuleInfo, name: string, configKeys: Set<string>): SymbolResult[] {
  const def = module.symbols.get(name)
  if (def?.kind !== 'data' || !(carriesPlainData(def.value, module) || builtAtLoadTime(project, module, name))) return []
  const results: SymbolResult[] = []
  for (const statement of module.tree.rootNode.namedChildren) {
    if (statement.startIndex <= def.node.startIndex || !mutatesData(statement, name, module)) continue
    const line = statement.startPosition.row + 1
    const ctx = baseContext(project, module, configKeys, moduleScope(), false)
    ctx.dependencies.add(`${module.name}\0${name}`)
    results.push(loadTimeStatement(module, `${name}:${line}`, statement, ctx, () => [lineComment(`${module.file}:${line}, when the module loads`), ...translateStatement(statement, ctx)].join('\n')))
  }
  return results
}

/** Whether a module-level statement changes `name`'s value in place: a method call on it, an item or attribute set, or a block that mentions it. */
function mutatesData(statement: SyntaxNode, name: string, module: ModuleInfo): boolean {
  const rootOf = (node: SyntaxNode): SyntaxNode => {
    let current = node
    for (;;) {
      if (current.type === 'attribute') current = current.childForFieldName('object')!
      else if (current.type === 'subscript') current = current.childForFieldName('value')!
      else if (current.type === 'call') current = current.childForFieldName('function')!
      else return current
    }
  }
  if (statement.type === 'expression_statement') {
    const inner = statement.namedChildren[0]
    if (inner?.type === 'call') {
      const callee = inner.childForFieldName('function')!
      // `seed()`: a function of this module that mentions the data may fill it.
      const called = callee.type === 'identifier' ? module.symbols.get(callee.text) : undefined
      if (called?.kind === 'function') return called.node.descendantsOfType('identifier').some((identifier) => identifier.text === name)
      return callee.type === 'attribute' && rootOf(callee).type === 'identifier' && rootOf(callee).text === name
    }
    if (inner?.type === 'assignment' || inner?.type === 'augmented_assignment') {
      const left = inner.childForFieldName('left')!
      return (left.type === 'subscript' || left.type === 'attribute') && rootOf(left).text === name
    }
    return false
  }
  if (statement.type === 'augmented_assignment') return false
  // `if __name__ == "__main__":` runs only as a script; other blocks that mention the data may change it.
  if (!['for_statement', 'if_statement', 'while_statement', 'with_statement', 'try_statement'].includes(statement.type)) return false
  if (statement.type === 'if_statement' && /__name__/.test(statement.childForFieldName('condition')?.text ?? '')) return false
  return statement.descendantsOfType('identifier').some((identifier) => identifier.text === name)
}

/** A module variable holding plain data (literals, builtins, the standard library, project code), not an app, blueprint or extension object. */
/**
 * An instance of a mapped extension's class that the module builds up when it loads (rules/extensions/*.yaml
 * `load_time`: Flask-RESTful's `parser = reqparse.RequestParser()` then `parser.add_argument(...)`).
 */
function builtAtLoadTime(project: ProjectIndex, module: ModuleInfo, name: string): boolean {
  const instance = extensionInstances(project).find((candidate) => candidate.module === module.name && candidate.name === name)
  return instance !== undefined && (instance.rule as { load_time?: string[] }).load_time?.includes(instance.className) === true
}

/** The plain data the service carries (module variables and app factory state), for process-local-state. */
function carriedData(project: ProjectIndex, symbols: Map<string, SymbolResult>, broken: Map<string, SymbolResult>, factoryData: Map<string, SymbolDef | null>): CarriedData[] {
  const data: CarriedData[] = []
  for (const [key, result] of symbols) {
    if (broken.has(key) || result.code === null) continue
    const [moduleName, name] = key.split('\0') as [string, string]
    const module = project.modules.get(moduleName)
    const def = factoryData.get(key) ?? module?.symbols.get(name)
    if (module === undefined || def?.kind !== 'data' || !carriesPlainData(def.value, module)) continue
    let factory: SyntaxNode | null = def.node.parent
    while (factory !== null && factory.type !== 'function_definition') factory = factory.parent
    data.push({ module, name, node: def.node, ...(factory !== null ? { factory } : {}) })
  }
  return data
}

/**
 * What runs while serving requests: the handlers (not CLI commands; a stub's own body, which the
 * Flask app runs behind LEGACY_URL) and the project functions and classes the migrated ones use,
 * transitively (not what runs when a module loads or the factory runs: a data's load-time
 * statements are not followed).
 */
function requestTimeCode(project: ProjectIndex, symbols: Map<string, SymbolResult>, broken: Map<string, SymbolResult>, drafts: { handler: TranslatedHandler; dependencies: Set<string> }[], commands: TranslatedHandler[]): RequestTimeCode[] {
  const code: RequestTimeCode[] = []
  const pending: string[] = []
  for (const { handler, dependencies } of drafts) {
    if (commands.includes(handler)) continue
    // A stub's own body too: with LEGACY_URL the Flask app runs it, and what it changes is Flask's copy.
    const module = project.modules.get(handler.ref.module)
    const found = module !== undefined ? findDefinition(module, handler.ref.qualname, handler.ref.location.line) : null
    if (module !== undefined && found !== null) code.push({ module, node: found.node })
    if (handler.status === 'migrated') pending.push(...dependencies)
  }
  const seen = new Set<string>()
  while (pending.length > 0) {
    const key = pending.pop()!
    if (seen.has(key)) continue
    seen.add(key)
    const result = symbols.get(key)
    if (result === undefined || broken.has(key) || result.code === null) continue
    const [moduleName, name] = key.split('\0') as [string, string]
    const module = project.modules.get(moduleName)
    const def = module?.symbols.get(name)
    if (module === undefined || (def?.kind !== 'function' && def?.kind !== 'class')) continue
    code.push({ module, node: def.node })
    pending.push(...result.dependencies)
  }
  return code
}

function carriesPlainData(value: SyntaxNode, module: ModuleInfo): boolean {
  if (value.type !== 'call') return true
  let callee = value.childForFieldName('function')!
  while (callee.type === 'attribute') callee = callee.childForFieldName('object')!
  if (callee.type !== 'identifier') return true
  const imported = module.symbols.get(callee.text)
  if (imported?.kind !== 'import') return true
  const from = imported.target.module.split('.')[0]
  return !(from === 'flask' || from === 'werkzeug' || from.startsWith('flask_'))
}

/**
 * The decorators of a module function when each is a decorator method of a mapped extension's
 * instance (`@cache.memoize(60)`, `@cache.cached(key_prefix="x")`: rules/extensions/*.yaml
 * `methods` of kind decorator); null otherwise.
 */
function extensionDecorators(decorators: SyntaxNode[], module: ModuleInfo, project: ProjectIndex): SyntaxNode[] | null {
  if (decorators.length === 0) return null
  for (const decorator of decorators) {
    let expression = decorator.namedChildren.find((child) => child.type !== 'comment')
    if (expression?.type === 'call') expression = expression.childForFieldName('function')!
    if (expression?.type !== 'attribute') return null
    const object = expression.childForFieldName('object')!
    if (object.type !== 'identifier') return null
    const def = module.symbols.get(object.text)
    const target =
      def?.kind === 'data' ? { module: module.name, name: object.text } : def?.kind === 'import' && def.target.kind === 'member' ? project.resolveSymbol(def.target.module, def.target.name) : null
    const location = target === null ? null : 'def' in target ? { module: target.module.name, name: target.name } : target
    const instance = location === null ? undefined : extensionInstances(project).find((candidate) => candidate.module === location.module && candidate.name === location.name)
    const mapped = instance?.rule.methods?.[instance.className]?.[expression.childForFieldName('attribute')!.text]
    if (mapped?.kind !== 'decorator') return null
  }
  return decorators
}

/**
 * A module function under decorators of a mapped extension (`@cache.memoize(60)`): the function
 * as Python code can call it (keywords bound by name), the decorators applied once when the module
 * loads, bottom-up, as Python applies them; exported as the value they return.
 */
function extensionDecoratedFunction(def: SyntaxNode, decorators: SyntaxNode[], ctx: Context): string {
  const name = def.childForFieldName('name')!.text
  const fn = translateFunction(def, ctx, { kind: 'function' })
  const params = signatureOf(def, def)
  if (fn.isGenerator || fn.isAsync || params.some((param) => param.kind !== 'positional')) {
    fail('unsupported-python-construct', def, `\`${snippet(decorators[0]!)}\` on a generator, an async function or a function with *args, **kwargs or keyword-only parameters`)
  }
  ctx.imports.py = true
  let code = [
    `py.withKeywords(${tsJson(name)}, [${params.map((param) => tsJson(param.name)).join(', ')}], ${params.filter((param) => !param.hasDefault).length}, (${fn.params.join(', ')}): Py => {`,
    ...indent(fn.body),
    '})',
  ].join('\n')
  for (const decorator of [...decorators].reverse()) {
    const value = translateExpr(decorator.namedChildren.find((child) => child.type !== 'comment')!, ctx)
    code = `${receiver(value)}(\n${indent(code.split('\n')).join('\n')},\n)`
  }
  return `export const ${jsIdentifier(name)} = ${code}`
}

/** One top-level function, class or data definition as exported TypeScript. */
function translateSymbol(project: ProjectIndex, moduleName: string, name: string, configKeys: Set<string>, factoryDef?: SymbolDef): SymbolResult {
  const module = project.modules.get(moduleName)!
  const def = factoryDef ?? module.symbols.get(name)!
  const ctx = baseContext(project, module, configKeys, moduleScope(), false)
  const result: SymbolResult = { module: moduleName, name, start: 0, code: null, imports: ctx.imports, dependencies: ctx.dependencies, error: null, file: module.file }
  try {
    const variable = factoryDef ? null : setterVariable(project, module, name)
    if (variable) {
      // The setter handlers in src/routes/ call to rebind a module variable (see assignName).
      result.start = variable.node.endIndex
      result.code = `export function ${name}(value: Py): void {\n  ${jsIdentifier(variable.name)} = value\n}`
      ctx.imports.py = true
      return result
    }
    if (!def || def.kind === 'import') fail('missing-definition', module.tree.rootNode, `${moduleName}.${name} is not defined`)
    result.start = def.node.startIndex
    if (def.kind === 'function') {
      // `@jwt.user_lookup_loader`: a callback of a mapped extension, registered by the app's setup (extensionSetups).
      const callbacks = def.decorators.map((decorator) => extensionCallback(decorator, module, project))
      const registered = def.decorators.length > 0 && callbacks.every((found) => found !== null)
      for (const [i, found] of callbacks.entries()) if (found !== null) checkCallback(found, def.decorators[i]!)
      const generator = registered ? null : generatorDecorator(def.decorators, ctx)
      const cache = registered || generator !== null ? null : cacheDecorator(def.decorators, ctx)
      const wrapper = generator ?? cache
      const extensionWrappers = wrapper === null && !registered ? extensionDecorators(def.decorators, module, project) : null
      checkDecorators(wrapper === null && !registered && extensionWrappers === null ? def.decorators : [], false)
      if (extensionWrappers !== null) {
        result.code = extensionDecoratedFunction(def.node, extensionWrappers, ctx)
        return result
      }
      const fn = translateFunction(def.node, ctx, { kind: 'function', variadic: true, allowAsync: wrapper === null })
      if (cache !== null && (fn.isGenerator || fn.isAsync)) fail('unsupported-python-construct', def.decorators[0], `\`${snippet(def.decorators[0])}\` on a generator or an async function`)
      if (generator !== null && !fn.isGenerator) fail('unsupported-python-construct', def.decorators[0], `\`${snippet(def.decorators[0])}\` on a function that does not yield`)
      const head = fn.isAsync ? `async function ${jsIdentifier(name)}(${fn.params.join(', ')}): Promise<Py> {` : `function${fn.isGenerator ? '*' : ''} ${jsIdentifier(name)}(${fn.params.join(', ')}): Py {`
      // A cached function's recursive calls go through the cache, as in Python: the function expression is anonymous.
      result.code =
        wrapper === null
          ? [`export ${head}`, ...indent(fn.body), '}'].join('\n')
          : cache !== null
            ? [`export const ${jsIdentifier(name)}: functional.CachedFunction = ${cache}(function (${fn.params.join(', ')}): Py {`, ...indent(fn.body), '})'].join('\n')
            : [`export const ${jsIdentifier(name)} = ${wrapper}(${head}`, ...indent(fn.body), '})'].join('\n')
    } else if (def.kind === 'class') {
      const registration = isRestfulResource(def, module, 'flask_restx') ? RESTX_CLASS_DECORATOR : isRestfulResource(def, module) ? RESOURCE_REGISTRATION : null
      checkDecorators((registration !== null ? def.decorators.filter((decorator) => !registration.test(decorator.text)) : def.decorators).filter((decorator) => dataclassDecorator(decorator, module) === null), false)
      result.code = translateClass(def.node, ctx, { methodView: isMethodView(def, project, module) }).join('\n')
    } else {
      // An extension object the project configures in ways the service does not carry (login_manager.x = ... in a factory).
      const uncarried = uncarriedSettings(project, moduleName, name)
      if (uncarried !== null) fail('unsupported-flask-api', def.node, uncarried)
      const rebound = def.reassigned || project.globalsAssigned(moduleName).has(name)
      const value = translateExpr(def.value, ctx)
      if (rebound || value.type === 'list') ctx.imports.py = true // the `Py` annotation
      // Read back as typed (dataType) when never rebound: a float constant is its plain number.
      const code = !rebound && value.type === 'float' ? rawCode(value).code : value.code
      result.code = `export ${rebound ? 'let' : 'const'} ${jsIdentifier(name)}${rebound ? ': Py' : value.type === 'list' ? ': Py[]' : ''} = ${code}`
      if (factoryDef) {
        let factory = def.node.parent
        while (factory && factory.type !== 'function_definition') factory = factory.parent
        const owner = factory?.childForFieldName('name')?.text ?? 'the app factory'
        result.code = `${lineComment(`\`${name}\` of ${owner}() (${module.file}:${def.node.startPosition.row + 1}), which its handlers share: one per process`)}\n${result.code}`
      }
    }
    checkParses(result.code, 'module', def.node)
  } catch (error) {
    if (!(error instanceof Untranslatable)) throw error
    result.error = error
    result.code = null
  }
  return result
}

export { emitted, Prec }
