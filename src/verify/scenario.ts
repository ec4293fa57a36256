/** A request line of a generated scenario (the scenario format of ../shared/README.md). */
export interface GeneratedRequest {
  method: string
  /** Path with its query string. */
  path: string
}

/** A rule as test/oracle/flask_url_map.py prints it (the same keys `migrate routes --json` prints). */
export interface UrlMapRule {
  rule: string
  endpoint: string
  methods: string[] | null
  converters: {
    variable: string
    name: string
    args: (string | number | boolean | null)[]
    kwargs: Record<string, string | number | boolean | null>
  }[]
  defaults: Record<string, unknown> | null
  strictSlashes: boolean | null
  subdomain: string | null
  host: string | null
  redirectTo: string | null
  provideAutomaticOptions: boolean
}

export interface UrlMapDump {
  rules: UrlMapRule[]
  strictSlashes: boolean
  hostMatching: boolean
}

const wrongMethodCandidates = ['PUT', 'DELETE', 'PATCH', 'POST', 'GET']

/**
 * Requests exercising the routing of every rule: GET, HEAD and OPTIONS with sample converter
 * values, one method the rule does not allow, and the path with the other trailing slash.
 * Rules bound to a subdomain or host are left out: a loopback request cannot name them.
 */
export function generateRoutingScenario(urlMap: UrlMapDump): GeneratedRequest[] {
  const requests: GeneratedRequest[] = []
  const seen = new Set<string>()
  const add = (method: string, path: string): void => {
    const key = `${method} ${path}`
    if (seen.has(key)) return
    seen.add(key)
    requests.push({ method, path })
  }
  for (const rule of urlMap.rules) {
    if (rule.subdomain || rule.host) continue
    const path = samplePath(rule)
    const methods = rule.methods ?? []
    if (methods.includes('GET')) add('GET', path)
    add('HEAD', path)
    add('OPTIONS', path)
    const wrong = wrongMethodCandidates.find((method) => !methods.includes(method))
    if (wrong) add(wrong, path)
    const slashVariant = path.endsWith('/') ? path.replace(/\/+$/, '') : `${path}/`
    if (slashVariant !== '') add(methods.includes('GET') ? 'GET' : (methods[0] ?? 'GET'), slashVariant)
  }
  return requests
}

/** The rule's path with each placeholder replaced by a value its converter accepts. */
export function samplePath(rule: UrlMapRule): string {
  const byVariable = new Map(rule.converters.map((converter) => [converter.variable, converter]))
  return rule.rule.replace(/<(?:[a-zA-Z_][a-zA-Z0-9_]*(?:\([^)]*\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>/g, (_whole, variable: string) => {
    const converter = byVariable.get(variable)
    return converter ? sampleValue(converter) : 'abc'
  })
}

function numberArgument(kwargs: Record<string, unknown>, name: string): number | undefined {
  const value = kwargs[name]
  return typeof value === 'number' ? value : undefined
}

function sampleValue(converter: UrlMapRule['converters'][number]): string {
  const { kwargs } = converter
  switch (converter.name) {
    case 'int': {
      const min = numberArgument(kwargs, 'min')
      const max = numberArgument(kwargs, 'max')
      let value = min ?? (max !== undefined && max < 1 ? max : 1)
      if (value < 0 && kwargs.signed !== true) value = 0
      const digits = numberArgument(kwargs, 'fixed_digits')
      const text = String(Math.abs(value)).padStart(digits ?? 0, '0')
      return value < 0 ? `-${text}` : text
    }
    case 'float': {
      const min = numberArgument(kwargs, 'min')
      const max = numberArgument(kwargs, 'max')
      const value = min ?? (max !== undefined && max < 1.5 ? max : 1.5)
      return Number.isInteger(value) ? `${value}.0` : String(value)
    }
    case 'path':
      return 'a/b'
    case 'uuid':
      return '12345678-1234-5678-1234-567812345678'
    case 'any':
      return String(converter.args[0] ?? 'abc')
    default: {
      const length = numberArgument(kwargs, 'length')
      if (length !== undefined) return 'a'.repeat(length)
      const minimum = numberArgument(kwargs, 'minlength') ?? 1
      const maximum = numberArgument(kwargs, 'maxlength')
      const size = Math.max(minimum, Math.min(3, maximum ?? 3))
      return 'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil(size / 26)).slice(0, size)
    }
  }
}
