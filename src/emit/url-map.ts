import { isFloatLiteral, type AppIR, type FloatLiteral, type RouteIR } from '../ir/types.js'
import { docComment, tsJson } from '../ts-text.js'

/** One rule as the runtime's `RuleSpec` (src/emit/runtime/router.ts) takes it; absent fields mean "Werkzeug's default". */
export interface RuleSpecData {
  rule: string
  endpoint: string
  methods: string[]
  defaults?: Record<string, DefaultValue>
  strictSlashes: boolean
  redirectTo?: string
  provideAutomaticOptions: boolean
  blueprints?: string[]
}

/** Flask's `request.blueprints` for a route: its blueprint, then each parent (`a.b`, `a`). */
export function requestBlueprints(blueprint: string | null): string[] {
  if (blueprint === null) return []
  const parts = blueprint.split('.')
  return parts.map((_, index) => parts.slice(0, parts.length - index).join('.'))
}

/** A default the router carries: a scalar, or `{ $float: n }` for an integral float. */
type DefaultValue = string | number | boolean | null | FloatLiteral

/** Defaults the router can carry (strings, numbers, bools, None); null when there are none, undefined when some cannot be. */
export function scalarDefaults(route: RouteIR): Record<string, DefaultValue> | null | undefined {
  if (route.defaults === null || Object.keys(route.defaults).length === 0) return null
  const out: Record<string, DefaultValue> = {}
  for (const [key, value] of Object.entries(route.defaults)) {
    if (typeof value === 'object' && value !== null && !isFloatLiteral(value)) return undefined
    out[key] = value
  }
  return out
}

/** The url map of `app`, in url_map order. */
export function ruleSpecs(app: AppIR): RuleSpecData[] {
  return app.routes.map((route) => {
    const spec: RuleSpecData = {
      rule: route.rule,
      endpoint: route.endpoint,
      methods: [...route.allMethods].sort(),
      strictSlashes: route.strictSlashes ?? app.urlMap.strictSlashes,
      provideAutomaticOptions: route.provideAutomaticOptions,
    }
    const defaults = scalarDefaults(route)
    if (defaults) spec.defaults = defaults
    if (route.redirectTo !== null && !route.redirectTo.startsWith('<callable')) spec.redirectTo = route.redirectTo
    if (route.blueprint !== null) spec.blueprints = requestBlueprints(route.blueprint)
    return spec
  })
}

/** `src/url-map.ts` of the generated service. */
export function emitUrlMap(app: AppIR): string {
  return [
    docComment(`The Werkzeug url map of the Flask app \`${app.id}\`, in the order Flask added the rules.`),
    `import type { RuleSpec } from './lib/router.js'`,
    '',
    `/** \`app.url_map.strict_slashes\` */`,
    `export const strictSlashes = ${tsJson(app.urlMap.strictSlashes)}`,
    '',
    `export const urlMap: RuleSpec[] = ${tsJson(ruleSpecs(app), 2)}`,
    '',
  ].join('\n')
}
