/**
 * `migrate verify --explore`: requests generated from what each view reads, so that verify does
 * not depend on a scenario written by hand. From Flask's URL map and, per endpoint, the query
 * arguments, form fields, JSON keys, headers and cookies its view reads
 * (test/oracle/flask_reads.py), it writes scenario lines:
 *
 * - each rule with sample values of its converters, edge values included (0, negative, large,
 *   floats around the sample data, unicode, spaces);
 * - each query argument, form field and header alone with values of several types and
 *   edge cases (empty, unicode, negative, a float for an int, upper case words of the app's own
 *   vocabulary), then all of them together (cookies are read but not sent: the Flask side's test
 *   client replaces a Cookie header with its own jar, so the scenario format cannot set one);
 * - for a view that reads JSON: a whole object, then each key missing and each key with a value of
 *   every JSON type (null, "", words, negative, 0, float, int, true, a list), and bodies that are
 *   not objects;
 * - the strings the code compares values with (`wanted.lower() == "true"`), as they are, upper
 *   case and capitalized;
 * - strings at the length bounds the code checks (`len(value) > 120`, a form's `Length(max=...)`:
 *   flask_reads.py's `lengths`), N and N + 1 characters long, and date fields with real dates;
 * - each whole create sent twice (a unique constraint answers the second one differently);
 * - create, read, update, delete sequences: the writes (creates, updates, then deletes), then
 *   every read again;
 * - the scenario's credentials, per endpoint: each request carries the credential headers
 *   (Authorization, X-API-Key, …) the scenario sent most often to the same endpoint, else the
 *   ones it sent most often anywhere; and when the scenario logs in with a password (a form or
 *   JSON body with a password field), its last such request is sent again first, so that views
 *   behind a login are explored logged in; and the bodies go to a row the scenario did not delete
 *   (an int variable skips the numbers of the scenario's deleting requests).
 *
 * Each line is a small variation of a base request, so a difference already points at the input
 * that causes it; `shrinkCandidates` gives smaller versions of a failing line for a second pass.
 */
import { samplePath, type UrlMapDump, type UrlMapRule } from './scenario.js'
import type { ScenarioLine } from './sources.js'

/** What one endpoint's view reads (flask_reads.py): name → type (`int`, `float`, `str`) or null. */
export interface EndpointReads {
  args: Record<string, string | null>
  form: Record<string, string | null>
  json: Record<string, string | null>
  headers: Record<string, string | null>
  cookies: Record<string, string | null>
  /** Lengths the code compares a string's length with (boundaries to try). */
  lengths?: number[]
  /** Strings the code compares a value with (sent as they are and in other cases). */
  literals?: string[]
}

/** What the scenario authenticates with (scenarioCredentials). */
export interface ScenarioCredentials {
  /** Credential headers of the scenario's lines, with the line's method and path. */
  uses: { method: string; path: string; headers: Record<string, string> }[]
  /** The scenario's last request that sends a password (a login), if any. */
  login: ExploreLine | null
  /** Numbers in the paths of the scenario's deleting requests (rows that may be gone). */
  deleted?: string[]
}

/** flask_reads.py's output: endpoint (or `*`, `<blueprint>.*` for hooks) → reads, and `__vocabulary__`. */
export type ReadsDump = Record<string, EndpointReads | string[]>

/** An explore line: a scenario line with what it varies, for the report and for shrinking. */
export interface ExploreLine extends ScenarioLine {
  json?: unknown
}

const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE']

function encode(value: string): string {
  return encodeURIComponent(value)
}

function query(pairs: [string, string][]): string {
  return pairs.length === 0 ? '' : `?${pairs.map(([key, value]) => `${encode(key)}=${encode(value)}`).join('&')}`
}

/** The app's own words, lower case first (a tag, a seed item's name), without methods and config keys. */
function words(dump: ReadsDump): string[] {
  const vocabulary = Array.isArray(dump.__vocabulary__) ? dump.__vocabulary__ : []
  return vocabulary.filter((word) => /^[a-z][a-z0-9_]*$/.test(word)).slice(0, 8)
}

function stringValues(vocabulary: string[]): string[] {
  const upper = vocabulary.slice(0, 3).map((word) => word.toUpperCase())
  return ['', 'abc', ' padded ', 'é✓ unicode', '0', '-1', '1.5', '10', ...vocabulary, ...upper]
}

const INT_VALUES = ['0', '1', '2', '3', '-1', '1.5', 'abc', '', '99999']
const FLOAT_VALUES = ['0', '1', '1.5', '-1', 'abc', '']
const DATE_VALUES = ['2024-03-01', '2024-02-29', '2023-02-29', '2024-13-01', '01/03/2024', '']
const DATE_SAMPLE = '2024-03-01'
const BOOL_VALUES = ['y', 'false', '']
/** A list typed into one field: commas, spaces around the items, capitals (tags, names). */
const LIST_TEXT = ' Alpha, beta ,GAMMA '
/** The same with a blank item and a trailing comma. */
const LIST_WITH_BLANKS = 'Alpha, ,beta,'

/**
 * Values of a query argument (`field` false: every word of the app's vocabulary, a filter may
 * match one) or of a form field (a few of its words).
 */
function valuesFor(kind: string | null, vocabulary: string[], lengths: readonly number[] = [], field = false, literals: readonly string[] = []): string[] {
  if (kind === 'int') return INT_VALUES
  if (kind === 'float') return FLOAT_VALUES
  if (kind === 'date') return DATE_VALUES
  if (kind === 'bool') return BOOL_VALUES
  // A submit button's value is its label: sent, not varied.
  if (kind === 'submit') return []
  return [...stringValues(field ? vocabulary.slice(0, 2) : vocabulary), LIST_TEXT, LIST_WITH_BLANKS, ...literalVariants(literals), ...boundaryStrings(lengths)]
}

/** Each literal as it is, upper case and capitalized. */
function literalVariants(literals: readonly string[]): string[] {
  return [...new Set(literals.flatMap((value) => [value, value.toUpperCase(), value.charAt(0).toUpperCase() + value.slice(1)]))]
}

/** Strings exactly at each length bound and one character over it. */
function boundaryStrings(lengths: readonly number[]): string[] {
  return lengths.flatMap((length) => ['x'.repeat(length), 'x'.repeat(length + 1)])
}

/** A form field's value in a whole, valid-looking form. */
function formBase(name: string, kind: string | null, vocabulary: string[]): string {
  if (kind === 'int' || kind === 'float') return '3'
  if (kind === 'date') return DATE_SAMPLE
  if (kind === 'bool') return 'y'
  return String(jsonBase(name, vocabulary))
}

/** A plausible JSON value for a key, by its name. */
function jsonBase(key: string, vocabulary: string[]): unknown {
  if (/price|amount|cost|total|rate|weight/i.test(key)) return 2.5
  if (/count|stock|qty|quantity|age|page|limit|size|number|^id$|_id$|priority|year/i.test(key)) return 3
  if (/tags|items|list|ids|roles/i.test(key)) return [vocabulary[0] ?? 'x']
  if (/^(is|has)_|done|active|archived|enabled|completed|public/i.test(key)) return true
  if (/^(day|date)$|_(day|date|on)$/i.test(key)) return DATE_SAMPLE
  if (/email/i.test(key)) return 'ada@example.com'
  if (/password/i.test(key)) return 'correct horse'
  return 'Widget'
}

const JSON_EDGE_VALUES: unknown[] = [null, '', '  ', 'ÉCLAIR', ' Mixed Case ', LIST_TEXT, -1, 0, 1.5, 7, true, [], {}, ['ALPHA', ' beta ']]

/** A converter's edge values (already percent-encoded path segments). */
function converterValues(converter: UrlMapRule['converters'][number]): string[] {
  switch (converter.name) {
    case 'int':
      return ['1', '2', '3', '4', '0', '99999']
    case 'float':
      return ['0.0', '0.05', '0.1', '0.25', '1.0', '1.5', '100.0']
    case 'path':
      return ['a/b', 'x.txt', 'a%20b/c']
    case 'uuid':
      return ['12345678-1234-5678-1234-567812345678']
    case 'any':
      return converter.args.map(String)
    default:
      return ['abc', 'Ada', 'a%20b', '%C3%A9t%C3%A9', '123']
  }
}

/** The rule's path with one variable set to `value` and the others to their samples. */
function pathWith(rule: UrlMapRule, variable: string, value: string): string {
  const placeholder = new RegExp(`<(?:[a-zA-Z_][a-zA-Z0-9_]*(?:\\([^)]*\\))?:)?${variable}>`)
  return samplePath({
    ...rule,
    rule: rule.rule.replace(placeholder, () => value),
    converters: rule.converters.filter((converter) => converter.variable !== variable),
  })
}

const SOURCES = ['args', 'form', 'json', 'headers', 'cookies'] as const

function readsFor(dump: ReadsDump, endpoint: string): EndpointReads & { lengths: number[]; literals: string[] } {
  const merged = { args: {}, form: {}, json: {}, headers: {}, cookies: {}, lengths: [] as number[], literals: [] as string[] }
  const scopes = ['*', ...endpoint.split('.').slice(0, -1).map((_, index, parts) => `${parts.slice(0, index + 1).join('.')}.*`), endpoint]
  for (const scope of scopes) {
    const reads = dump[scope]
    if (reads === undefined || Array.isArray(reads)) continue
    for (const source of SOURCES) Object.assign(merged[source], reads[source] ?? {})
    for (const length of reads.lengths ?? []) if (!merged.lengths.includes(length)) merged.lengths.push(length)
    // The view's own comparisons (and its blueprint's hooks'); the app-wide hooks' compare headers, not inputs.
    if (scope !== '*') for (const value of reads.literals ?? []) if (!merged.literals.includes(value)) merged.literals.push(value)
  }
  merged.lengths.sort((a, b) => a - b)
  return merged
}

/** A rule as a regular expression over scenario paths (a `${saved}` value matches a variable too). */
function rulePattern(rule: UrlMapRule): RegExp {
  const body = rule.rule
    .split(/(<[^>]+>)/)
    .map((part) => {
      if (!part.startsWith('<')) return part.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')
      return /^<path(\([^)]*\))?:/.test(part) ? '.+' : '[^/]+'
    })
    .join('')
  return new RegExp(`^${body}$`)
}

/**
 * The credential headers for each endpoint: the values the scenario sent most often to that
 * endpoint (its method and path matching the rule), else the most frequent anywhere.
 */
function credentialsByEndpoint(rules: UrlMapRule[], given: ScenarioCredentials | Record<string, string>): (endpoint: string) => Record<string, string> {
  if (!('uses' in given && Array.isArray(given.uses))) {
    const fixed = given as Record<string, string>
    return () => fixed
  }
  const count = (table: Map<string, Map<string, number>>, name: string, value: string): void => {
    const values = table.get(name) ?? new Map<string, number>()
    values.set(value, (values.get(value) ?? 0) + 1)
    table.set(name, values)
  }
  const mostFrequent = (table: Map<string, Map<string, number>>): Record<string, string> =>
    Object.fromEntries([...table].map(([name, values]) => [name, [...values].sort((a, b) => b[1] - a[1])[0]![0]]))
  const overall = new Map<string, Map<string, number>>()
  const byEndpoint = new Map<string, Map<string, Map<string, number>>>()
  const patterns = rules.map((rule) => [rule, rulePattern(rule)] as const)
  for (const use of given.uses) {
    const path = use.path.split('?')[0]!
    const match = patterns.find(([rule, pattern]) => pattern.test(path) && (rule.methods === null || rule.methods.includes(use.method)))
    for (const [name, value] of Object.entries(use.headers)) {
      count(overall, name, value)
      if (match === undefined) continue
      const table = byEndpoint.get(match[0].endpoint) ?? new Map<string, Map<string, number>>()
      count(table, name, value)
      byEndpoint.set(match[0].endpoint, table)
    }
  }
  const fallback = mostFrequent(overall)
  const cache = new Map<string, Record<string, string>>()
  return (endpoint) => {
    let headers = cache.get(endpoint)
    if (headers === undefined) {
      const own = byEndpoint.get(endpoint)
      // An endpoint the scenario reached: exactly its credentials (none of another scheme).
      headers = own !== undefined ? mostFrequent(own) : fallback
      cache.set(endpoint, headers)
    }
    return headers
  }
}

/**
 * The generated requests, in order: per rule its reads and edge values, then the create /
 * update / delete requests, then every read again (state after the writes). `credentials` are
 * headers added to every line (the scenario's `Authorization: Bearer ${token}`).
 */
export function generateExploreScenario(urlMap: UrlMapDump, dump: ReadsDump, given: ScenarioCredentials | Record<string, string> = {}): ExploreLine[] {
  const vocabulary = words(dump)
  const reads: ExploreLine[] = []
  const writes: ExploreLine[] = []
  const seen = new Set<string>()
  const rules = urlMap.rules.filter((rule) => !rule.subdomain && !rule.host && rule.redirectTo === null && rule.endpoint !== 'static')
  const credentialsFor = credentialsByEndpoint(rules, given)
  let credentials: Record<string, string> = {}
  /** `again`: sent even when the same request is already there (a create twice). */
  const add = (list: ExploreLine[], line: ExploreLine, again = false): void => {
    const withCredentials: ExploreLine = Object.keys(credentials).length > 0 ? { ...line, headers: { ...credentials, ...(line.headers ?? {}) } } : line
    const key = JSON.stringify(withCredentials)
    if (seen.has(key) && !again) return
    seen.add(key)
    list.push(withCredentials)
  }
  for (const rule of rules) {
    const methods = (rule.methods ?? ['GET']).filter((method) => method !== 'HEAD' && method !== 'OPTIONS')
    const endpointReads = readsFor(dump, rule.endpoint)
    credentials = credentialsFor(rule.endpoint)
    const lengths = endpointReads.lengths
    const literals = endpointReads.literals
    // A view that updates with a body it hands on whole (`item.update(data)`) names no key: it
    // gets those of a sibling view that does (the create of the same blueprint).
    if (methods.some((method) => method === 'PUT' || method === 'PATCH') && Object.keys(endpointReads.json).length === 0 && Object.keys(endpointReads.form).length === 0) {
      const sibling = siblingReads(dump, rule.endpoint)
      if (sibling !== undefined) Object.assign(endpointReads, { json: { ...sibling.json }, form: { ...sibling.form } })
    }
    // The base request acts on a row the scenario left in place: an int variable takes the first
    // small number no deleting request of the scenario named (a deleted row answers every body 404).
    const deleted = 'deleted' in given && Array.isArray(given.deleted) ? given.deleted : []
    const ints = rule.converters.filter((converter) => converter.name === 'int')
    const kept = ['1', '2', '3', '4', '5', '6', '7', '8'].find((value) => !deleted.includes(value))
    const paths = [ints.length === 1 && kept !== undefined && kept !== '1' ? pathWith(rule, ints[0]!.variable, kept) : samplePath(rule)]
    for (const converter of rule.converters) for (const value of converterValues(converter)) paths.push(pathWith(rule, converter.variable, value))
    for (const method of methods) {
      const list = WRITE_METHODS.includes(method) ? writes : reads
      for (const path of paths) add(list, { method, path, ...bodyFor(method, endpointReads, vocabulary) })
      const base = paths[0]!
      // Query arguments: each alone with values of several kinds, then all together.
      const args = Object.entries(endpointReads.args)
      for (const [name, kind] of args) for (const value of valuesFor(kind, vocabulary, lengths, false, literals)) add(list, { method, path: `${base}${query([[name, value]])}`, ...bodyFor(method, endpointReads, vocabulary) })
      if (args.length > 1) add(list, { method, path: `${base}${query(args.map(([name, kind]) => [name, kind === 'int' || kind === 'float' ? '2' : (vocabulary[0] ?? 'abc')]))}` })
      // Headers and cookies the view (or a hook for it) reads.
      for (const [name] of Object.entries(endpointReads.headers)) {
        if (/^(accept-encoding|content-type|content-length|host|cookie)$/i.test(name)) continue
        // A credential header the scenario sends here is varied too (wrong, empty, padded), the others kept.
        const own = Object.keys(credentials).find((header) => header.toLowerCase() === name.toLowerCase())
        // ASCII only: a header value outside it is read as Latin-1 off the wire and as text by the
        // Flask side's test client, which differ whatever the service does.
        const values = ['abc', '123', ' padded ', ...(own !== undefined ? ['', ` ${credentials[own]!} `] : [])]
        for (const value of values) {
          const headers = own !== undefined ? { ...Object.fromEntries(Object.entries(credentials).filter(([header]) => header !== own)), [name]: value } : { [name]: value }
          const line: ExploreLine = { method, path: base, headers, ...bodyFor(method, endpointReads, vocabulary) }
          if (own !== undefined) {
            // Not merged with the credentials: this header replaces the scenario's.
            const key = JSON.stringify(line)
            if (!seen.has(key)) {
              seen.add(key)
              list.push(line)
            }
          } else add(list, line)
        }
      }
      // Cookies a view reads are not sent here: the Flask side's test client replaces a Cookie
      // header with its own jar, so they are only exercised by the responses that set them.
      if (!['POST', 'PUT', 'PATCH'].includes(method)) continue
      // JSON bodies: whole, each key missing, each key with every kind of value, not an object.
      const keys = Object.keys(endpointReads.json)
      if (keys.length > 0) {
        const whole = Object.fromEntries(keys.map((key) => [key, jsonBase(key, vocabulary)]))
        add(list, { method, path: base, json: whole })
        // The same create again: a unique constraint (or a counter) answers it differently.
        if (method === 'POST') add(list, { method, path: base, json: whole }, true)
        for (const key of keys) {
          const { [key]: _dropped, ...rest } = whole
          add(list, { method, path: base, json: rest })
          for (const value of JSON_EDGE_VALUES) add(list, { method, path: base, json: { ...whole, [key]: value } })
          if (typeof whole[key] === 'string') for (const value of [...literalVariants(literals), ...boundaryStrings(lengths)]) add(list, { method, path: base, json: { ...whole, [key]: value } })
        }
        for (const body of [[], 'text', 3]) add(list, { method, path: base, json: body })
        add(list, { method, path: base, body: '{not json', headers: { 'Content-Type': 'application/json' } })
        add(list, { method, path: base })
      }
      const fields = Object.entries(endpointReads.form)
      if (fields.length > 0) {
        const whole = Object.fromEntries(fields.map(([name, kind]) => [name, formBase(name, kind, vocabulary)]))
        add(list, { method, path: base, form: whole })
        if (method === 'POST') add(list, { method, path: base, form: whole }, true)
        for (const [name, kind] of fields) {
          if (kind === 'submit') continue
          const { [name]: _dropped, ...rest } = whole
          add(list, { method, path: base, form: rest })
          for (const value of valuesFor(kind, vocabulary, lengths, true, literals)) add(list, { method, path: base, form: { ...whole, [name]: value } })
        }
      }
    }
  }
  // Logged in as the scenario last did, then the reads, the writes (create, update, delete), then
  // the reads again on the state they left. Writes that log out (a GET /logout is a read) come last.
  const login = 'login' in given && given.login !== null && typeof given.login === 'object' ? [given.login as ExploreLine] : []
  const loggingOut = (line: ExploreLine): boolean => /log_?out|sign_?out/i.test(line.path)
  const readsFirst = [...reads.filter((line) => !loggingOut(line)), ...reads.filter(loggingOut)]
  const again = reads.filter((line) => line.method === 'GET' && !loggingOut(line))
  // Creates, then updates, then deletes (a DELETE, or a write whose path says delete/remove): a
  // delete early would leave the other writes to the same row nothing to act on.
  const deleting = (line: ExploreLine): boolean => line.method === 'DELETE' || /delete|remove|destroy/i.test(line.path)
  const rank = (line: ExploreLine): number => (deleting(line) ? 2 : line.method === 'POST' ? 0 : 1)
  const ordered = writes.map((line, index) => [line, index] as const).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([line]) => line)
  return [...login, ...readsFirst, ...login, ...ordered, ...login, ...again]
}

function siblingReads(dump: ReadsDump, endpoint: string): EndpointReads | undefined {
  const prefix = endpoint.includes('.') ? endpoint.slice(0, endpoint.lastIndexOf('.') + 1) : ''
  return Object.entries(dump)
    .filter(([name, reads]) => name !== endpoint && !name.endsWith('*') && name.startsWith(prefix) && !Array.isArray(reads))
    .map(([, reads]) => reads as EndpointReads)
    .find((reads) => Object.keys(reads.json ?? {}).length > 0 || Object.keys(reads.form ?? {}).length > 0)
}

function bodyFor(method: string, reads: EndpointReads, vocabulary: string[]): Pick<ExploreLine, 'json' | 'form'> {
  if (!['POST', 'PUT', 'PATCH'].includes(method)) return {}
  const keys = Object.keys(reads.json)
  if (keys.length > 0) return { json: Object.fromEntries(keys.map((key) => [key, jsonBase(key, vocabulary)])) }
  const fields = Object.entries(reads.form)
  if (fields.length > 0) return { form: Object.fromEntries(fields.map(([name, kind]) => [name, formBase(name, kind, vocabulary)])) }
  return {}
}

const CREDENTIAL_HEADER = /authorization|token|api-?key|x-csrf/i
const PASSWORD_FIELD = /pass(word)?|secret/i

/**
 * What the scenario authenticates with: every credential header it sends (Authorization,
 * X-API-Key, …, with the line's method and path: generateExploreScenario picks per endpoint the
 * most frequent), and its last request that sends a password in a form or JSON body (a login).
 */
export function scenarioCredentials(lines: readonly Record<string, unknown>[]): ScenarioCredentials {
  const uses: ScenarioCredentials['uses'] = []
  const deleted = new Set<string>()
  let login: ExploreLine | null = null
  for (const line of lines) {
    const method = typeof line.method === 'string' ? line.method.toUpperCase() : 'GET'
    const path = typeof line.path === 'string' ? line.path : '/'
    if (method === 'DELETE' || /delete|remove|destroy/i.test(path)) for (const number of path.split('?')[0]!.match(/(?<=\/)\d+(?=\/|$)/g) ?? []) deleted.add(number)
    const headers = line.headers
    if (typeof headers === 'object' && headers !== null) {
      const credentials = Object.fromEntries(Object.entries(headers as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && CREDENTIAL_HEADER.test(entry[0])))
      if (Object.keys(credentials).length > 0) uses.push({ method, path, headers: credentials })
    }
    const body = [line.form, line.json].find((value) => typeof value === 'object' && value !== null && !Array.isArray(value)) as Record<string, unknown> | undefined
    if (method === 'POST' && body !== undefined && Object.keys(body).some((key) => PASSWORD_FIELD.test(key))) {
      // The request as sent, without what the scenario saves from its answer or how it compares it.
      const { save: _save, volatile: _volatile, compare_headers: _compare, ...request } = line
      login = request as unknown as ExploreLine
    }
  }
  return { uses, login, deleted: [...deleted].sort() }
}

/**
 * Smaller versions of a request line, each one part less: a query argument, a JSON key (or the
 * whole body), a form field, a header. The smallest one that still differs is the shrunk request.
 */
export function shrinkCandidates(line: ExploreLine): ExploreLine[] {
  const candidates: ExploreLine[] = []
  const [path, search] = line.path.split('?', 2) as [string, string | undefined]
  if (search !== undefined) {
    const pairs = search.split('&')
    pairs.forEach((_, index) => {
      const rest = pairs.filter((__, other) => other !== index)
      candidates.push({ ...line, path: rest.length === 0 ? path : `${path}?${rest.join('&')}` })
    })
  }
  if (line.json !== undefined && typeof line.json === 'object' && line.json !== null && !Array.isArray(line.json)) {
    for (const key of Object.keys(line.json)) {
      const { [key]: _dropped, ...rest } = line.json as Record<string, unknown>
      candidates.push({ ...line, json: rest })
    }
  }
  if (line.form !== undefined) {
    for (const key of Object.keys(line.form)) {
      const { [key]: _dropped, ...rest } = line.form
      candidates.push({ ...line, form: rest })
    }
  }
  for (const name of Object.keys(line.headers ?? {})) {
    const { [name]: _dropped, ...rest } = line.headers!
    const { headers: _all, ...withoutHeaders } = line
    candidates.push(Object.keys(rest).length === 0 ? withoutHeaders : { ...line, headers: rest })
  }
  return candidates
}

/** The size of a request line, for picking the smallest of those that still differ. */
export function lineSize(line: ExploreLine): number {
  return JSON.stringify(line).length
}
