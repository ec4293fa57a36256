import { posix } from 'node:path'
import type { AppIR, CodeRef, HookIR } from '../../ir/types.js'
import type { TranslatedHandler } from '../types.js'
import { Untranslatable, fail, snippet } from '../diagnostics.js'
import { emitted, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec } from '../precedence.js'
import { translateExpr } from '../expr/index.js'
import { callArguments } from '../expr/arguments.js'
import type { ProjectIndex } from '../project.js'
import type { ProjectFileReader } from './resources.js'
import { tsJson } from '../../ts-text.js'
import { checkTemplate, templateReferences } from '../../emit/runtime/templates.js'

/**
 * `render_template("page.html", **context)` / `render_template_string(source, **context)`: the
 * runtime's renderTemplate (src/emit/runtime/templates.ts, Jinja2 on Nunjucks), with the app's
 * templates carried into the service (emit/templates.ts writes them into `src/templates.ts`).
 *
 * A view renders only what was checked when it was migrated: the template it names, everything
 * that template extends, includes or imports, read from the template folders in Flask's order.
 * Whatever the runtime would not render as Jinja2 does (a construct, a filter or test of the
 * app, a value a context processor or an extension adds) keeps the view a stub, with a finding
 * at the template's file and line.
 */

/** One template folder: the app's, then each blueprint's in registration order (Flask's DispatchingJinjaLoader). */
export interface TemplateFolder {
  /** Relative to the project (POSIX). */
  path: string
  /** null for the app's folder, else the blueprint's name. */
  blueprint: string | null
  /** Template name → source, the templates the migrated views render (read when the project was migrated). */
  files: Map<string, string>
}

/** A template filter, test or global of the app (`@app.template_filter("name")`), or a context processor. */
export interface TemplateHelper {
  kind: 'filter' | 'test' | 'global' | 'context_processor'
  /** The name templates use (a context processor's: its function's). */
  name: string
  ref: CodeRef
  /** For a context processor: its hook (blueprint-scoped when `hook.blueprint` is set). */
  hook?: HookIR
  /** A blueprint's context processor applies to that blueprint's requests only. */
  blueprint: string | null
}

export interface TemplatesUse {
  folders: TemplateFolder[]
  /** Whether a migrated handler renders a template (emit then writes src/templates.ts). */
  used: boolean
  /** The helpers, with their translations (code and imports when migrated). */
  helpers: { helper: TemplateHelper; handler: TranslatedHandler }[]
  /**
   * The app sets up Flask-Login (`login_manager.init_app(app)`), whose init_app adds a context
   * processor putting `current_user` in every template: the service's templates get it too, and
   * every view rendering a template depends on Flask-Login being carried over.
   */
  loginProcessor?: true
  /** The app sets up Flask-WTF's CSRFProtect, whose init_app makes `csrf_token()` a template global. */
  csrfGlobal?: true
}

interface TemplateState extends TemplatesUse {
  /** What every template view depends on and the service does not carry over: why, and where. */
  blockers: { message: string; location: { file: string; line: number; column: number } }[]
  /** Names values of the app's extensions put in every template's context (`current_user`). */
  extensionNames: Map<string, string>
  read: ProjectFileReader | undefined
  knownFilters: string[]
  knownTests: string[]
}

/** Why a template is not carried over, and where (null: at the render_template call). */
type Problem = { message: string; location: { file: string; line: number; column: number } | null }

const STATES = new WeakMap<ProjectIndex, TemplateState>()
const USES = new WeakMap<AppIR, TemplatesUse>()

const BLOCKING_SETUP: [RegExp, string][] = [
  [/\.add_(?:app_)?template_(?:global|filter|test)\s*\(/, 'a template helper registered by a call is not carried over'],
  [/\bjinja_env\b|\bjinja_options\b|\bjinja_loader\b|\bcreate_jinja_environment\b/, "a change to the app's Jinja environment is not carried over"],
]

/** The app's template folders (read lazily, template by template) and what every template view depends on. */
export function useTemplates(project: ProjectIndex, app: AppIR, read: ProjectFileReader | undefined): void {
  const folders: TemplateFolder[] = []
  const owners = [
    { blueprint: null as string | null, module: app.location.file, folder: app.templateFolder },
    ...app.blueprints.map((bp) => ({ blueprint: bp.name as string | null, module: bp.location.file, folder: bp.templateFolder })),
  ]
  for (const owner of owners) {
    if (owner.folder === null) continue
    // Flask's root_path is the folder of the module that made the app or blueprint (import_name `__name__`).
    const path = posix.normalize(posix.join(posix.dirname(owner.module), owner.folder))
    if (path.startsWith('..') || posix.isAbsolute(path) || folders.some((f) => f.path === path)) continue
    folders.push({ path, blueprint: owner.blueprint, files: new Map() })
  }
  const blockers: TemplateState['blockers'] = []
  const extensionNames = new Map<string, string>()
  const loginSetUp = app.extensions.some((extension) => extension.package === 'flask_login' && extension.symbol === 'LoginManager' && extension.init !== 'import-only')
  const csrfSetUp = app.extensions.some((extension) => extension.package === 'flask_wtf' && /(^|\.)CSRFProtect$/.test(extension.symbol) && extension.init !== 'import-only')
  for (const module of [...project.modules.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    module.source.split('\n').forEach((text, i) => {
      if (text.trimStart().startsWith('#')) return
      for (const [pattern, message] of BLOCKING_SETUP) {
        const match = pattern.exec(text)
        if (match !== null) blockers.push({ message: `${message} (\`${text.trim()}\`)`, location: { file: module.file, line: i + 1, column: match.index + 1 } })
      }
      if (/\bflask_login\b/.test(text) && !loginSetUp) extensionNames.set('current_user', 'Flask-Login puts `current_user` in every template')
      if (/\bflask_wtf\b/.test(text) && !csrfSetUp) extensionNames.set('csrf_token', 'Flask-WTF puts `csrf_token()` in every template')
    })
  }
  const state: TemplateState = { folders, used: false, blockers, extensionNames, read, helpers: [], knownFilters: [], knownTests: [], ...(loginSetUp ? { loginProcessor: true as const } : {}), ...(csrfSetUp ? { csrfGlobal: true as const } : {}) }
  STATES.set(project, state)
  USES.set(app, state)
}

const HELPER_DECORATOR = /^@\s*[\w.]+\.(?:app_)?template_(filter|test|global)\s*(?:\(([\s\S]*)\))?\s*$/

/**
 * The app's template helpers: `@app.template_filter()` / `template_test` / `template_global` (and a
 * blueprint's `app_template_*`), read from the source, and the app's context processors (its hooks).
 */
export function templateHelpers(project: ProjectIndex, app: AppIR): TemplateHelper[] {
  const helpers: TemplateHelper[] = []
  for (const module of [...project.modules.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    const walk = (node: SyntaxNode, path: string[]): void => {
      for (const child of node.namedChildren) {
        let def = child
        const decorators: SyntaxNode[] = []
        if (def.type === 'decorated_definition') {
          decorators.push(...def.namedChildren.filter((c) => c.type === 'decorator'))
          def = def.childForFieldName('definition')!
        }
        if (def.type === 'function_definition' || def.type === 'class_definition') {
          const name = def.childForFieldName('name')!.text
          for (const decorator of decorators) {
            const match = HELPER_DECORATOR.exec(decorator.text)
            if (match === null || def.type !== 'function_definition') continue
            const named = /^\s*(?:name\s*=\s*)?(['"])([^'"\\]*)\1\s*$/.exec(match[2] ?? '')
            helpers.push({
              kind: match[1] as 'filter' | 'test' | 'global',
              name: named ? named[2] : name,
              ref: { module: module.name, qualname: [...path, name].join('.'), location: { file: module.file, line: child.startPosition.row + 1, column: child.startPosition.column + 1 } },
              blueprint: null,
            })
          }
          const body = def.childForFieldName('body')
          if (body) walk(body, [...path, name])
        } else if (['if_statement', 'try_statement', 'block', 'else_clause', 'elif_clause', 'except_clause', 'finally_clause', 'with_statement'].includes(child.type)) walk(child, path)
      }
    }
    walk(module.tree.rootNode, [])
  }
  for (const hook of app.hooks)
    if (hook.kind === 'context_processor') helpers.push({ kind: 'context_processor', name: hook.ref.qualname.split('.').pop()!, ref: hook.ref, hook, blueprint: hook.blueprint })
  return helpers
}

/**
 * The helpers as translated: those that translated are known to the templates (and emitted in
 * src/templates.ts); a context processor that did not keeps every template view a stub.
 */
export function useTemplateHelpers(project: ProjectIndex, translated: { helper: TemplateHelper; handler: TranslatedHandler; translated: boolean }[]): void {
  const state = STATES.get(project)
  if (state === undefined) return
  for (const { helper, handler, translated: ok } of translated) {
    state.helpers.push({ helper, handler })
    if (!ok) {
      if (helper.kind === 'context_processor')
        state.blockers.push({ message: `the context processor \`${helper.ref.qualname}\` did not translate: templates would render without the values it adds`, location: helper.hook?.location ?? helper.ref.location })
      else if (helper.kind === 'global')
        state.blockers.push({ message: `the template global \`${helper.name}\` did not translate`, location: helper.ref.location })
      continue
    }
    if (helper.kind === 'filter') state.knownFilters.push(helper.name)
    if (helper.kind === 'test') state.knownTests.push(helper.name)
  }
}

/** What the translation of `app` needs from emit: the folders, and whether a handler renders templates. */
export function templatesUse(app: AppIR): TemplatesUse | undefined {
  return USES.get(app)
}

function stateOf(node: SyntaxNode, ctx: Context): TemplateState {
  const state = STATES.get(ctx.project)
  if (state === undefined) return fail('template-not-migrated', node, "the app's templates could not be read")
  return state
}

function lookup(state: TemplateState, name: string): { folder: TemplateFolder; source: string } | null {
  const parts = name.split('/')
  if (parts.some((part) => part === '..' || part.includes('\\') || part.includes('\0'))) return null
  const key = parts.filter((part) => part !== '' && part !== '.').join('/')
  if (key === '') return null
  for (const folder of state.folders) {
    let source = folder.files.get(key)
    if (source === undefined) {
      const bytes = state.read?.(`${folder.path}/${key}`)
      if (bytes === undefined) continue
      source = new TextDecoder().decode(bytes)
      folder.files.set(key, source)
    }
    return { folder, source }
  }
  return null
}

/** The first problem of a template and of everything it extends, includes or imports; null when it renders as Jinja2 does. */
function problemOf(state: TemplateState, name: string, knownNames: Set<string>): Problem | null {
  const seen = new Set<string>()
  const pending = [name]
  while (pending.length > 0) {
    const current = pending.shift()!
    if (seen.has(current)) continue
    seen.add(current)
    const found = lookup(state, current)
    if (found === null) {
      if (current === name) return { message: `the template \`${name}\` is in none of the app's template folders (${state.folders.map((f) => f.path).join(', ') || 'none'})`, location: null }
      continue // a missing extended/included template fails in Jinja2 too, when rendered; the runtime raises as it does
    }
    const file = `${found.folder.path}/${current}`
    const problems = checkTemplate(found.source, state.knownFilters, state.knownTests)
    if (problems.length > 0) return { message: `template ${current}: ${problems[0].message}`, location: { file, line: problems[0].line, column: 1 } }
    const refs = templateReferences(found.source)
    if (refs.dynamic !== null) return { message: `template ${current}: a template named by an expression (\`${refs.dynamic.text}\`) cannot be checked when migrating`, location: { file, line: refs.dynamic.line, column: 1 } }
    for (const [symbol, line] of refs.symbols) {
      const reason = state.extensionNames.get(symbol)
      if (reason !== undefined && !knownNames.has(symbol)) return { message: `template ${current} uses \`${symbol}\`: ${reason}, which is not carried over`, location: { file, line, column: 1 } }
    }
    pending.push(...refs.templates)
  }
  return null
}

function templateFailure(node: SyntaxNode, problem: Problem): never {
  // Named as a blocker, so the report counts the views one template line (base.html's) or one helper keeps stubs.
  const blocker = problem.location !== null ? `template-not-migrated at ${problem.location.file}:${problem.location.line}` : undefined
  throw new Untranslatable('template-not-migrated', node, problem.message, blocker, problem.location ?? undefined)
}

function contextObject(node: SyntaxNode, keywords: Map<string, SyntaxNode>, ctx: Context): string {
  if (keywords.size === 0) return ''
  return `, { ${[...keywords].map(([k, v]) => `${tsJson(k)}: ${translateExpr(v, ctx).code}`).join(', ')} }`
}

/** `render_template(...)` / `render_template_string(...)` in a handler. */
export function translateRenderTemplate(node: SyntaxNode, name: 'render_template' | 'render_template_string', ctx: Context, contextVar: string): Emitted {
  const args = callArguments(node)
  // `**mapping` passes its items as context; `*args` has nothing to give.
  const unpacked = args.splats.filter((splat) => splat.type === 'dictionary_splat')
  const listSplat = args.splats.find((splat) => splat.type !== 'dictionary_splat')
  if (listSplat !== undefined) fail('dynamic-call-arguments', listSplat, `unpacked arguments (\`${listSplat.text}\`) in \`${name}()\``)
  const first = args.positional[0] ?? args.keywords.get(name === 'render_template' ? 'template_name_or_list' : 'source')
  if (first === undefined || args.positional.length > 1) fail('unsupported-flask-api', node, `\`${snippet(node)}\` with these arguments`)
  const keywords = new Map([...args.keywords].filter(([k]) => k !== 'template_name_or_list' && k !== 'source'))
  const state = stateOf(node, ctx)
  // The service's own src/templates.ts: a project module of that name would take its place.
  if (ctx.project.modules.has('templates')) fail('template-not-migrated', node, 'the project has a module named `templates`, the name of the service file that holds the templates')
  for (const blocker of state.blockers) templateFailure(node, blocker)
  let literal: unknown = null
  if (first.type === 'string') {
    try {
      literal = JSON.parse(translateExpr(first, ctx).code)
    } catch {
      literal = null // an f-string
    }
  }
  if (typeof literal !== 'string') fail('template-not-migrated', first, `\`${name}()\` of a template named by an expression: only a str literal is checked when migrating`)
  const known = new Set(keywords.keys())
  if (name === 'render_template') {
    const problem = problemOf(state, literal, known)
    if (problem !== null) templateFailure(node, problem)
  } else {
    const problems = checkTemplate(literal, state.knownFilters, state.knownTests)
    if (problems.length > 0) fail('template-not-migrated', first, `the template string: line ${problems[0].line}: ${problems[0].message}`)
    const refs = templateReferences(literal)
    if (refs.dynamic !== null) fail('template-not-migrated', first, `the template string names a template by an expression (\`${refs.dynamic.text}\`)`)
    for (const included of refs.templates) {
      const problem = problemOf(state, included, known)
      if (problem !== null) templateFailure(node, problem)
    }
    for (const [symbol] of refs.symbols) {
      const reason = state.extensionNames.get(symbol)
      if (reason !== undefined && !known.has(symbol)) fail('template-not-migrated', first, `the template string uses \`${symbol}\`: ${reason}, which is not carried over`)
    }
  }
  state.used = true
  // Flask-Login's context processor runs for every template (and loads the user): the view depends on its setup.
  if (state.loginProcessor) ctx.imports.useLib('login', 'currentUser')
  // CSRFProtect's `csrf_token()` global: the view depends on its setup.
  if (state.csrfGlobal) ctx.imports.useLib('forms', 'generateCsrf')
  const runtime = name === 'render_template' ? 'renderTemplate' : 'renderTemplateString'
  ctx.imports.useProject('templates', runtime)
  let extra = unpacked.map((splat) => translateExpr(splat.namedChildren[0]!, ctx).code)
  if (extra.length > 0) {
    ctx.imports.py = true
    extra = extra.map((code) => `py.toDict(${code})`)
  }
  const contextCode = contextObject(node, keywords, ctx) || (extra.length > 0 ? ', undefined' : '')
  return emitted(`${runtime}(${contextVar}, ${translateExpr(first, ctx).code}${contextCode}${extra.map((code) => `, ${code}`).join('')})`, Prec.Call, 'str')
}
