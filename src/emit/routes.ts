import { mergePath } from 'hono/utils/url'
import type { AppIR, BlueprintIR, RouteIR } from '../ir/types.js'
import type { ResolvedHandler, ResolvedHook } from './handlers.js'
import { ImportSet } from './imports.js'
import { blockComment, docComment, lineComment, tsJson } from '../ts-text.js'
import { camelCase, NameScope, stringLiteral } from './names.js'

/** One `src/routes/<file>.ts`: the app's own routes, or one blueprint registration's. */
export interface RouteFile {
  /** Dotted blueprint name, null for the app's routes. */
  blueprint: string | null
  /** `src/routes/items.ts` */
  path: string
  /** Exported factory building the sub-app. */
  factory: string
  /** Where app.ts mounts it with `app.route(prefix, …)`. */
  mountAt: string
  /** The rule text each route registers with (relative to `mountAt`), by index into app.routes. */
  registeredRules: Map<RouteIR, string>
  routes: RouteIR[]
}

const SHORTHAND = new Map([
  ['GET', 'get'],
  ['POST', 'post'],
  ['PUT', 'put'],
  ['PATCH', 'patch'],
  ['DELETE', 'delete'],
])

/** Groups the routes by blueprint and decides where each group mounts. */
export function planRouteFiles(app: AppIR): RouteFile[] {
  const groups = new Map<string | null, RouteIR[]>([[null, []]])
  for (const blueprint of app.blueprints) if (!groups.has(blueprint.name)) groups.set(blueprint.name, [])
  for (const route of app.routes) {
    const group = groups.get(route.blueprint)
    if (group === undefined) groups.set(route.blueprint, [route])
    else group.push(route)
  }
  const usedPaths = new Set<string>()
  const files: RouteFile[] = []
  for (const [blueprint, routes] of groups) {
    if (routes.length === 0) continue
    const registration = app.blueprints.find((candidate) => candidate.name === blueprint)
    // A file name from the blueprint's name: safe characters only, and short (a name can be any length).
    let base = blueprint === null ? 'app' : blueprint.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_').slice(0, 64)
    if (blueprint !== null && base === 'app') base = 'app_'
    let path = `src/routes/${base}.ts`
    for (let counter = 2; usedPaths.has(path); counter++) path = `src/routes/${base}${counter}.ts`
    usedPaths.add(path)
    const factory = blueprint === null ? 'createAppRoutes' : `create${capitalize(camelCase(blueprint))}Routes`
    const { mountAt, registeredRules } = mountPlan(registration, routes)
    files.push({ blueprint, path, factory, mountAt, registeredRules, routes })
  }
  return files
}

/**
 * Mounting under the blueprint's prefix keeps the rules short, as a Hono user would write them,
 * but only when Hono's `mergePath(prefix, rule)` rebuilds Flask's rule for every route
 * (`mergePath('/api', '/')` is `/api` where Flask has `/api/`); otherwise full rules at `/`.
 */
function mountPlan(registration: BlueprintIR | undefined, routes: RouteIR[]): Pick<RouteFile, 'mountAt' | 'registeredRules'> {
  const prefix = (registration?.urlPrefix ?? '').replace(/\/+$/, '')
  if (prefix !== '' && routes.length > 0) {
    const relative = new Map<RouteIR, string>()
    for (const route of routes) {
      if (!route.rule.startsWith(prefix)) break
      const rest = route.rule.slice(prefix.length)
      if (!rest.startsWith('/') || mergePath(prefix, rest) !== route.rule) break
      relative.set(route, rest)
    }
    if (relative.size === routes.length) return { mountAt: prefix, registeredRules: relative }
  }
  return { mountAt: '/', registeredRules: new Map(routes.map((route) => [route, route.rule])) }
}

function capitalize(name: string): string {
  return name.replace(/^_+/, '').replace(/^./, (first) => first.toUpperCase())
}

/** Comment above a handler: where it came from, and for stubs the Python it stands for. */
export function handlerComment(handler: ResolvedHandler, label: string): string {
  const where = handler.ref !== null ? `${handler.ref.location.file}:${handler.ref.location.line}` : 'no Python view'
  if (handler.status === 'migrated') return lineComment(`${where} ${label}`)
  const why = handler.reasons.length > 0 ? ` (${handler.reasons.join(', ')})` : ''
  return blockComment(`${where} ${label}: NOT MIGRATED, answers 501${why}`, handler.pythonSource)
}

export interface RouteFileInput {
  app: AppIR
  file: RouteFile
  views: Map<string, ResolvedHandler>
  /** Re-points a handler's import specifier for this file. */
  relocate: (specifier: string) => string
}

/** Blueprint names a route of `blueprint` belongs to, outermost first (`a`, `a.b`): Flask's request.blueprints, reversed. */
export function blueprintChain(blueprint: string): string[] {
  const parts = blueprint.split('.')
  return parts.map((_, index) => parts.slice(0, index + 1).join('.'))
}

/** The text of `src/routes/<file>.ts`. */
export function emitRouteFile(input: RouteFileInput): string {
  const { file, views } = input
  const imports = new ImportSet()
  imports.addNamed('hono', 'Hono')
  imports.addNamed('hono', 'type Handler')
  imports.addNamed('../lib/flask.js', 'type AppEnv')
  // Methods each route registers: those an earlier rule of the same text takes first in Flask are left out (Werkzeug never dispatches them to it).
  const registered = new Map(file.routes.map((route) => [route, unshadowedMethods(input.app, route)]))
  const reachable = file.routes.filter((route) => registered.get(route)!.length > 0)
  for (const route of reachable) for (const line of views.get(route.endpoint)?.imports ?? []) imports.addLine(line)
  // A handler's name must not clash with what the handlers import (a class view imports its class).
  const scope = new NameScope(['Hono', 'Handler', 'AppEnv', 'notMigrated', file.factory, ...imports.localNames()])
  const body: string[] = []
  const constants = new Map<string, string>()
  for (const route of reachable) {
    const handler = views.get(route.endpoint)
    if (handler === undefined || constants.has(route.endpoint)) continue
    const pythonName = route.view?.ref.qualname.split('.').pop() ?? route.endpoint.split('.').pop() ?? route.endpoint
    const constant = scope.claim(camelCase(pythonName))
    constants.set(route.endpoint, constant)
    body.push(handlerComment(handler, `endpoint ${route.endpoint}`))
    body.push(`const ${constant}: Handler<AppEnv> = ${handler.code.trim()}`, '')
  }

  const factoryLines: string[] = []
  const label = file.blueprint === null ? 'the app itself' : `blueprint ${file.blueprint}`
  factoryLines.push(docComment(`Routes of ${label}, registered with their Flask rules${file.mountAt !== '/' ? ` relative to ${file.mountAt}` : ''}.`))
  factoryLines.push(`export function ${file.factory}(): Hono<AppEnv> {`, `const routes = new Hono<AppEnv>()`)
  for (const route of file.routes) {
    const methods = registered.get(route)!
    if (methods.length === 0) {
      const first = shadowingRoute(input.app, route)
      factoryLines.push(lineComment(`${route.location.file}:${route.location.line} ${route.endpoint}: not registered, Flask always matches ${first?.endpoint ?? 'an earlier rule'} (the same rule ${route.rule}) first`))
      continue
    }
    const constant = constants.get(route.endpoint)
    if (constant === undefined) continue
    const rule = stringLiteral(file.registeredRules.get(route) ?? route.rule)
    const shorthand = methods.length === 1 ? SHORTHAND.get(methods[0]) : undefined
    factoryLines.push(lineComment(`${route.location.file}:${route.location.line} ${route.endpoint}`))
    if (shorthand !== undefined) factoryLines.push(`routes.${shorthand}(${rule}, ${constant})`)
    else factoryLines.push(`routes.on(${tsJson(methods)}, ${rule}, ${constant})`)
  }
  factoryLines.push('return routes', '}')

  const relocated = imports.mapSpecifiers(input.relocate)
  return [relocated.render(), '', ...body, ...factoryLines, ''].join('\n')
}

/** The methods a route registers: its own, without HEAD and OPTIONS unless given. */
function routeMethods(route: RouteIR): string[] {
  return route.methods.length > 0 ? route.methods : route.allMethods.filter((method) => method !== 'HEAD' && method !== 'OPTIONS')
}

/** Whether `earlier` matches every request `route` could for `method` (the same rule text, host and defaults), so Werkzeug dispatches to it first. */
function takesFirst(earlier: RouteIR, route: RouteIR, method: string): boolean {
  return (
    earlier.rule === route.rule &&
    earlier.subdomain === route.subdomain &&
    earlier.host === route.host &&
    earlier.redirectTo === null &&
    earlier.defaults === null &&
    route.defaults === null &&
    earlier.allMethods.includes(method)
  )
}

/**
 * The methods `route` registers, without those an earlier rule of the url map takes first: two
 * rules with the same text (`app.add_url_rule("/", endpoint="index")` after a blueprint's `/`)
 * both match, and Werkzeug dispatches to the one added first. The router binds a handler to the
 * first rule of a text that has the method, so registering the later one too would run it in
 * place of the earlier one whenever its file is mounted first.
 */
export function unshadowedMethods(app: AppIR, route: RouteIR): string[] {
  const index = app.routes.indexOf(route)
  const earlier = index < 0 ? [] : app.routes.slice(0, index)
  return routeMethods(route).filter((method) => !earlier.some((other) => takesFirst(other, route, method)))
}

/** The first earlier rule that takes `route`'s requests (see `unshadowedMethods`). */
function shadowingRoute(app: AppIR, route: RouteIR): RouteIR | undefined {
  const index = app.routes.indexOf(route)
  return app.routes.slice(0, Math.max(0, index)).find((other) => routeMethods(route).some((method) => takesFirst(other, route, method)))
}

/**
 * The hook lists of `requestHooks({ before, after, teardown })`, each hook's code inline (so it is
 * contextually typed), in registration order; blueprint hooks as `{ blueprint, fn }` so the
 * runtime runs them only for requests routed to that blueprint, in Flask's order.
 */
export function hookLists(hooks: ResolvedHook[], imports: ImportSet): string[] {
  const slots: Record<'before' | 'after' | 'teardown', string[]> = { before: [], after: [], teardown: [] }
  let appContextTeardowns = 0
  for (const entry of hooks) {
    for (const line of entry.handler.imports) imports.addLine(line)
    const code = entry.handler.code.trim()
    const scoped = entry.hook.blueprint !== null && !entry.hook.kind.endsWith('_app_request')
    // A before_first_request function runs once, before the first request's hooks (runtime beforeFirstRequest).
    const first = entry.hook.kind === 'before_first_request'
    if (first) imports.addNamed('../lib/flask.js', 'beforeFirstRequest')
    // A teardown_appcontext function also ends the app contexts handlers push (runtime appContextTeardown).
    const appTeardown = entry.hook.kind === 'teardown_appcontext'
    if (appTeardown) imports.addNamed('../lib/flask.js', 'appContextTeardown')
    const wrapped = first ? `beforeFirstRequest(${code})` : appTeardown ? `appContextTeardown(${code})` : code
    const value = scoped ? `{ blueprint: ${stringLiteral(entry.hook.blueprint as string)}, fn: ${code} }` : wrapped
    const line = `${handlerComment(entry.handler, `${entry.hook.kind}${entry.hook.blueprint !== null ? ` (blueprint ${entry.hook.blueprint})` : ''}`)}\n${value}`
    // Teardowns run in reverse: teardown_appcontext functions first in the list run after every teardown_request, as Flask pops the app context last.
    if (entry.hook.kind === 'teardown_appcontext') slots.teardown.splice(appContextTeardowns++, 0, line)
    else slots[entry.slot].push(line)
  }
  return (['before', 'after', 'teardown'] as const)
    .filter((slot) => slots[slot].length > 0)
    .map((slot) => `${slot}: [\n${slots[slot].join(',\n')},\n]`)
}
