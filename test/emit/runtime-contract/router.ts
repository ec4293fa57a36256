import type { Params, Result, Router } from 'hono/router'

export interface RuleSpec {
  rule: string
  endpoint: string
  methods: string[]
  converters: { variable: string; name: string; args: (string | number | boolean | null)[]; kwargs: Record<string, string | number | boolean | null> }[]
  defaults: Record<string, unknown> | null
  strictSlashes: boolean
  subdomain: string | null
  host: string | null
  redirectTo: string | null
  provideAutomaticOptions: boolean
}

interface Entry<T> {
  method: string
  pattern: RegExp
  names: string[]
  handler: T
  middleware: boolean
}

export class WerkzeugRouter<T> implements Router<T> {
  name = 'WerkzeugRouter(contract)'
  private readonly entries: Entry<T>[] = []

  constructor(
    readonly urlMap: RuleSpec[],
    readonly options: { strictSlashes: boolean },
  ) {}

  add(method: string, path: string, handler: T): void {
    const middleware = path === '*' || path.endsWith('/*')
    const names: string[] = []
    const source = middleware
      ? `^${escape(path.slice(0, -1))}.*$`
      : `^${path.replace(/<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>|([^<]+)/g, (_, converter: string | undefined, name: string | undefined, text: string | undefined) => {
          if (text !== undefined) return escape(text)
          names.push(name as string)
          return converter === 'int' ? '(\\d+)' : converter === 'path' ? '(.+)' : '([^/]+)'
        })}$`
    this.entries.push({ method, pattern: new RegExp(source), names, handler, middleware })
  }

  match(method: string, path: string): Result<T> {
    const matched: [T, Params][] = []
    let routeFound = false
    for (const entry of this.entries) {
      if (entry.middleware) {
        if ((entry.method === 'ALL' || entry.method === method) && entry.pattern.test(path)) matched.push([entry.handler, {}])
        continue
      }
      if (entry.method !== method && entry.method !== 'ALL') continue
      const found = entry.pattern.exec(path)
      if (found === null || (routeFound && matched.length > 0 && !this.sameRule(entry, matched))) continue
      routeFound = true
      const params: Params = {}
      entry.names.forEach((name, index) => (params[name] = found[index + 1]))
      matched.push([entry.handler, params])
    }
    return [matched]
  }

  private sameRule(_entry: Entry<T>, _matched: [T, Params][]): boolean {
    return true
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
