import type { AppIR, RouteIR } from '../ir/types.js'

/**
 * One rule of the url map as the generated service's router gets it: the fields of Werkzeug's
 * `Rule` (the same shape `test/oracle/flask_url_map.py` dumps), with `strict_slashes` resolved
 * against the map as Werkzeug does when it binds the rule.
 */
export interface RuleSpecData {
  rule: string
  endpoint: string
  methods: string[]
  converters: RouteIR['converters']
  defaults: RouteIR['defaults']
  strictSlashes: boolean
  subdomain: string | null
  host: string | null
  redirectTo: string | null
  provideAutomaticOptions: boolean
}

/** The url map of `app`, in url_map order. */
export function ruleSpecs(app: AppIR): RuleSpecData[] {
  return app.routes.map((route) => ({
    rule: route.rule,
    endpoint: route.endpoint,
    methods: [...route.allMethods].sort(),
    converters: route.converters,
    defaults: route.defaults,
    strictSlashes: route.strictSlashes ?? app.urlMap.strictSlashes,
    subdomain: route.subdomain === '' ? null : route.subdomain,
    host: route.host === '' ? null : route.host,
    redirectTo: route.redirectTo,
    provideAutomaticOptions: route.provideAutomaticOptions,
  }))
}

/** `src/url-map.ts` of the generated service. */
export function emitUrlMap(app: AppIR): string {
  const rules = ruleSpecs(app)
  return [
    `/** The Werkzeug url map of the Flask app \`${app.id}\`, in the order Flask added the rules. */`,
    `import type { RuleSpec } from './lib/router.js'`,
    '',
    `/** \`app.url_map.strict_slashes\` */`,
    `export const strictSlashes = ${JSON.stringify(app.urlMap.strictSlashes)}`,
    '',
    `export const urlMap: RuleSpec[] = ${JSON.stringify(rules, null, 2)}`,
    '',
  ].join('\n')
}
