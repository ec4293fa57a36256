import type { AppIR } from '../ir/types.js'

export type RouteSort = 'endpoint' | 'methods' | 'domain' | 'rule' | 'match'
export const ROUTE_SORTS: RouteSort[] = ['endpoint', 'methods', 'domain', 'rule', 'match']

/** `flask routes` output (Flask 3.x `routes_command`): same columns, widths, sort and padding. */
export function formatRoutes(app: AppIR, sort: RouteSort, allMethods: boolean): string {
  if (app.routes.length === 0) return 'No routes were registered.\n'
  const ignored = allMethods ? new Set<string>() : new Set(['HEAD', 'OPTIONS'])
  const hostMatching = app.urlMap.hostMatching
  const hasDomain = app.routes.some((route) => (hostMatching ? route.host : route.subdomain))
  const rows = app.routes.map((route) => {
    const row = [route.endpoint, [...route.allMethods].filter((method) => !ignored.has(method)).sort(compare).join(', ')]
    if (hasDomain) row.push((hostMatching ? route.host : route.subdomain) ?? '')
    row.push(route.rule)
    return row
  })
  const headers = ['Endpoint', 'Methods']
  const sorts: string[] = ['endpoint', 'methods']
  if (hasDomain) {
    headers.push(hostMatching ? 'Host' : 'Subdomain')
    sorts.push('domain')
  }
  headers.push('Rule')
  sorts.push('rule')
  const column = sorts.indexOf(sort)
  // Python's sort is stable and compares code points; 'match' (or 'domain' without a domain column) keeps url_map order.
  if (column !== -1) rows.sort((a, b) => compare(a[column], b[column]))
  rows.unshift(headers)
  const widths = headers.map((_, index) => Math.max(...rows.map((row) => length(row[index]))))
  rows.splice(1, 0, widths.map((width) => '-'.repeat(width)))
  // click.echo of Flask's template leaves no trailing blanks on the last column.
  return rows.map((row) => row.map((cell, index) => cell + ' '.repeat(widths[index] - length(cell))).join('  ').trimEnd()).join('\n') + '\n'
}

/** The url map as JSON: the fields of `test/oracle/flask_url_map.py`, plus where each rule was declared. */
export function routesJson(app: AppIR): string {
  const rules = app.routes.map((route) => ({
    rule: route.rule,
    endpoint: route.endpoint,
    methods: [...route.allMethods].sort(compare),
    converters: route.converters,
    defaults: route.defaults !== null && Object.keys(route.defaults).length > 0 ? route.defaults : null,
    strictSlashes: route.strictSlashes ?? app.urlMap.strictSlashes,
    subdomain: route.subdomain || null,
    host: route.host || null,
    redirectTo: route.redirectTo,
    provideAutomaticOptions: route.provideAutomaticOptions,
    location: route.location,
  }))
  return `${JSON.stringify({ rules, strictSlashes: app.urlMap.strictSlashes, hostMatching: app.urlMap.hostMatching }, null, 2)}\n`
}

function compare(a: string, b: string): number {
  const left = [...a]
  const right = [...b]
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const difference = (left[index].codePointAt(0) as number) - (right[index].codePointAt(0) as number)
    if (difference !== 0) return difference
  }
  return left.length - right.length
}

/** Python's len(): code points, not UTF-16 units. */
function length(text: string): number {
  return [...text].length
}
