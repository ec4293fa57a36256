import type { AppIR, CodeRef, ErrorHandlerIR, Finding, HookIR, RouteIR } from '../ir/types.js'
import type { TranslatedHandler, TranslatedProject } from '../translate/types.js'
import { checkTypeScriptSyntax, type SyntaxCheck as ParseCheck } from '../ts-syntax.js'
import { stringLiteral } from './names.js'
import { staticServing, type StaticFiles } from './static.js'
import { unshadowedMethods } from './routes.js'

/** A handler as emit will write it: the translation when there is a usable one, else a 501 stub it made itself. */
export interface ResolvedHandler {
  name: string
  ref: CodeRef | null
  status: 'migrated' | 'stub'
  code: string
  /** Import lines relative to `src/routes/`. */
  imports: string[]
  pythonSource: string
  /** Why it is a stub (rule ids of the findings), empty when migrated. */
  reasons: string[]
}

const NOT_MIGRATED_IMPORT = `import { notMigrated } from '../lib/flask.js'`

/** Whether a translated handler's code parses (`checkTypeScriptSyntax`, by default). */
export type ExpressionCheck = (expression: string) => Promise<ParseCheck>

const parsesAsExpression: ExpressionCheck = async (expression) => checkTypeScriptSyntax(expression, 'expression')

/** A stub made by emit: answers 501 naming the endpoint. */
export function stubHandler(name: string, ref: CodeRef | null, pythonSource: string, reasons: string[]): ResolvedHandler {
  return {
    name,
    ref,
    status: 'stub',
    code: `(c) => notMigrated(c, ${stringLiteral(name)})`,
    imports: [NOT_MIGRATED_IMPORT],
    pythonSource,
    reasons,
  }
}

/** Checks a translated handler: code that does not parse becomes a stub (and an error finding). */
export async function resolveTranslated(
  translated: TranslatedHandler | undefined,
  name: string,
  location: CodeRef['location'],
  ref: CodeRef | null,
  findings: Finding[],
  endpoint: string | undefined,
  missingRuleId: 'view-not-translated' | 'hook-not-translated' = 'view-not-translated',
  check: ExpressionCheck = parsesAsExpression,
): Promise<ResolvedHandler> {
  if (translated === undefined) {
    if (missingRuleId === 'hook-not-translated') {
      findings.push({
        ruleId: 'hook-not-translated',
        severity: 'error',
        message: `No translation was produced for hook ${name}; it is a stub answering 501 Not Implemented for every request it runs for.`,
        location,
      })
    } else {
      findings.push({
        ruleId: 'view-not-translated',
        severity: 'error',
        message: `No translation was produced for endpoint ${endpoint ?? name}; it answers 501 Not Implemented.`,
        location,
        ...(endpoint !== undefined ? { endpoint } : {}),
      })
    }
    return stubHandler(name, ref, '', [missingRuleId])
  }
  const parsed = await check(translated.code)
  if (!parsed.ok) {
    findings.push({
      ruleId: 'emit-invalid-translation',
      severity: 'error',
      message: `The translation of ${translated.name} is not valid TypeScript (${parsed.message}); it answers 501 Not Implemented.`,
      location: translated.ref.location,
      ...(endpoint !== undefined ? { endpoint } : {}),
    })
    return stubHandler(name, translated.ref, translated.pythonSource, ['emit-invalid-translation'])
  }
  return {
    name,
    ref: translated.ref,
    status: translated.status,
    code: translated.code,
    imports: translated.imports,
    pythonSource: translated.pythonSource,
    reasons: translated.status === 'stub' ? unique(translated.findings.map((finding) => finding.ruleId)) : [],
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort()
}

/** The views of `app` resolved by endpoint (one entry per endpoint, even when several rules share it). */
export async function resolveViews(
  app: AppIR,
  translation: TranslatedProject,
  findings: Finding[],
  sources: ReadonlyMap<string, string> = new Map(),
  check: ExpressionCheck = parsesAsExpression,
  staticFiles?: StaticFiles,
): Promise<Map<string, ResolvedHandler>> {
  const views = new Map<string, ResolvedHandler>()
  for (const route of app.routes) {
    if (views.has(route.endpoint)) continue
    const resolved = await resolveRoute(route, translation, findings, app, check, staticFiles)
    if (resolved === null) continue
    // A stub emit made itself still quotes the Python it stands for.
    if (resolved.pythonSource === '' && route.view !== null) resolved.pythonSource = pythonBlock(sources.get(route.view.ref.location.file), route.location.line, route.view.ref.location.line)
    views.set(route.endpoint, resolved)
  }
  return views
}

/** The decorators from `firstLine` and the `def`/`class` block at `defLine` (1-based), from a module's source. */
export function pythonBlock(source: string | undefined, firstLine: number, defLine: number): string {
  if (source === undefined) return ''
  const lines = source.split(/\r?\n/)
  const start = Math.max(1, Math.min(firstLine, defLine)) - 1
  const header = lines[defLine - 1]
  if (header === undefined) return ''
  const indent = /^\s*/.exec(header)?.[0].length ?? 0
  let end = defLine
  while (end < lines.length) {
    const line = lines[end]
    if (line.trim() !== '' && (/^\s*/.exec(line)?.[0].length ?? 0) <= indent) break
    end++
  }
  while (end > defLine && lines[end - 1].trim() === '') end--
  return lines.slice(start, end).join('\n')
}

async function resolveRoute(route: RouteIR, translation: TranslatedProject, findings: Finding[], app: AppIR, check: ExpressionCheck, staticFiles?: StaticFiles): Promise<ResolvedHandler | null> {
  if (route.view !== null) {
    const translated = Object.hasOwn(translation.views, route.endpoint) ? translation.views[route.endpoint] : undefined
    return resolveTranslated(translated, route.endpoint, route.location, route.view.ref, findings, route.endpoint, 'view-not-translated', check)
  }
  if (route.redirectTo !== null && !route.redirectTo.startsWith('<callable')) return null // the router answers it
  // A name for url_for only (`app.add_url_rule("/", endpoint="index")` after a blueprint's `/`): an earlier rule of the same text takes all its requests, Flask never dispatches to it.
  if (route.endpoint !== 'static' && unshadowedMethods(app, route).length === 0) return null
  const isStatic = route.endpoint === 'static' || route.endpoint.endsWith('.static')
  const owner = route.blueprint === null ? app : app.blueprints.find((blueprint) => blueprint.name === route.blueprint)
  const serving = isStatic && owner !== undefined ? staticServing(owner, staticFiles) : null
  if (serving?.kind === 'served') {
    // The folder's copy in the service (public/<folder>), served as Flask's send_from_directory does; an empty one answers 404 for every path, as in Flask.
    return {
      name: route.endpoint,
      ref: null,
      status: 'migrated',
      code: `view((c) => sendFromDirectory(c, ${stringLiteral(serving.directory)}, String(request(c).view_args?.filename)))`,
      imports: [`import { request, view } from '../lib/flask.js'`, `import { sendFromDirectory } from '../lib/static.js'`],
      pythonSource: '',
      reasons: [],
    }
  }
  const finding: Finding = isStatic
    ? {
        ruleId: 'static-files-not-migrated',
        severity: 'warning',
        message: `Static files under ${route.rule} are not served by the generated service: their folder${owner?.staticFolderPath ? ` ${owner.staticFolderPath}` : ''} is not in the project (an extension's, or a path that leaves the project), so it was not copied; serve it from a CDN or copy it into public/ by hand.`,
        location: route.location,
        endpoint: route.endpoint,
      }
    : {
        ruleId: 'route-without-view',
        severity: 'error',
        message: `Rule ${route.rule} has no view the tool can carry over (redirect_to=${route.redirectTo ?? 'None'}); it answers 501 Not Implemented.`,
        location: route.location,
        endpoint: route.endpoint,
      }
  findings.push(finding)
  const ruleId = finding.ruleId
  return stubHandler(route.endpoint, null, '', [ruleId])
}

/** Hook kinds the runtime's `requestHooks` carries, by the list they go to. */
export function hookSlot(hook: HookIR): 'before' | 'after' | 'teardown' | null {
  switch (hook.kind) {
    case 'before_request':
    case 'before_app_request':
    case 'before_first_request':
      return 'before'
    case 'after_request':
    case 'after_app_request':
      return 'after'
    case 'teardown_request':
    case 'teardown_app_request':
    // The app context ends with each request: after the teardown_request functions (see hookLists).
    case 'teardown_appcontext':
      return 'teardown'
    default:
      return null
  }
}

/** Whether a hook runs for every request (app hooks and `*_app_request` hooks of blueprints). */
export function isAppWide(hook: HookIR): boolean {
  return hook.blueprint === null || hook.kind.endsWith('_app_request')
}

export interface ResolvedHook {
  hook: HookIR
  slot: 'before' | 'after' | 'teardown'
  handler: ResolvedHandler
}

/** Hooks of the app that `requestHooks` can run; the others become findings. */
export async function resolveHooks(
  app: AppIR,
  translation: TranslatedProject,
  findings: Finding[],
  reportedAt: (...locations: CodeRef['location'][]) => boolean = () => false,
  check: ExpressionCheck = parsesAsExpression,
): Promise<ResolvedHook[]> {
  const resolved: ResolvedHook[] = []
  for (const [index, hook] of app.hooks.entries()) {
    const slot = hookSlot(hook)
    if (slot === null) {
      // translate may have said so already (unsupported-flask-api).
      if (reportedAt(hook.location, hook.ref.location)) continue
      // A context processor that translated is carried with the templates (src/templates.ts).
      if (hook.kind === 'context_processor' && translation.hooks[index]?.status === 'migrated') continue
      findings.push({
        ruleId: 'hook-not-migrated',
        severity: hook.kind === 'context_processor' ? 'warning' : 'error',
        message: `${hook.kind} hook ${hook.ref.qualname} is not carried over: the generated service never runs it.`,
        location: hook.location,
      })
      continue
    }
    const translated = translation.hooks[index]
    const name = hook.ref.qualname.split('.').pop() ?? hook.ref.qualname
    const matches = translated !== undefined && translated.ref.qualname === hook.ref.qualname && translated.ref.module === hook.ref.module
    if (!matches && slot === 'teardown') {
      findings.push({
        ruleId: 'hook-not-migrated',
        severity: 'error',
        message: `teardown hook ${hook.ref.qualname} has no translation: the generated service never runs it.`,
        location: hook.location,
      })
      continue
    }
    const handler = await resolveTranslated(matches ? translated : undefined, name, hook.location, hook.ref, findings, undefined, 'hook-not-translated', check)
    resolved.push({ hook, slot, handler })
  }
  return resolved
}

export interface ResolvedErrorHandler {
  errorHandler: ErrorHandlerIR
  handler: ResolvedHandler
}

export async function resolveErrorHandlers(
  app: AppIR,
  translation: TranslatedProject,
  findings: Finding[],
  check: ExpressionCheck = parsesAsExpression,
): Promise<ResolvedErrorHandler[]> {
  const resolved: ResolvedErrorHandler[] = []
  for (const [index, errorHandler] of app.errorHandlers.entries()) {
    const translated = translation.errorHandlers[index]
    const matches =
      translated !== undefined &&
      translated.ref.qualname === errorHandler.ref.qualname &&
      translated.ref.module === errorHandler.ref.module
    const name = errorHandler.ref.qualname.split('.').pop() ?? errorHandler.ref.qualname
    if (!matches) {
      findings.push({
        ruleId: 'error-handler-not-migrated',
        severity: 'error',
        message: `Error handler ${errorHandler.ref.qualname} for ${describeKey(errorHandler)} has no translation: Werkzeug's default error page answers instead.`,
        location: errorHandler.location,
      })
      continue
    }
    const handler = await resolveTranslated(translated, name, errorHandler.location, errorHandler.ref, findings, undefined, 'view-not-translated', check)
    resolved.push({ errorHandler, handler })
  }
  return resolved
}

export function describeKey(errorHandler: ErrorHandlerIR): string {
  return 'code' in errorHandler.key ? String(errorHandler.key.code) : errorHandler.key.exception
}
