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
 * - create, read, update, delete sequences: the writes, then every read again.
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

function valuesFor(kind: string | null, vocabulary: string[]): string[] {
  if (kind === 'int') return INT_VALUES
  if (kind === 'float') return FLOAT_VALUES
  return stringValues(vocabulary)
}

/** A plausible JSON value for a key, by its name. */
function jsonBase(key: string, vocabulary: string[]): unknown {
  if (/price|amount|cost|total|rate|weight/i.test(key)) return 2.5
  if (/count|stock|qty|quantity|age|page|limit|size|number|^id$|_id$|priority|year/i.test(key)) return 3
  if (/tags|items|list|ids|roles/i.test(key)) return [vocabulary[0] ?? 'x']
  if (/^(is|has)_|done|active|archived|enabled|completed|public/i.test(key)) return true
  if (/email/i.test(key)) return 'ada@example.com'
  if (/password/i.test(key)) return 'correct horse'
  return 'Widget'
}

const JSON_EDGE_VALUES: unknown[] = [null, '', '  ', 'ÉCLAIR', -1, 0, 1.5, 7, true, [], {}]

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

function readsFor(dump: ReadsDump, endpoint: string): EndpointReads {
  const empty = (): EndpointReads => ({ args: {}, form: {}, json: {}, headers: {}, cookies: {} })
  const merged = empty()
  const scopes = ['*', ...endpoint.split('.').slice(0, -1).map((_, index, parts) => `${parts.slice(0, index + 1).join('.')}.*`), endpoint]
  for (const scope of scopes) {
    const reads = dump[scope]
    if (reads === undefined || Array.isArray(reads)) continue
    for (const source of Object.keys(merged) as (keyof EndpointReads)[]) Object.assign(merged[source], reads[source] ?? {})
  }
  return merged
}

/**
 * The generated requests, in order: per rule its reads and edge values, then the create /
 * update / delete requests, then every read again (state after the writes). `credentials` are
 * headers added to every line (the scenario's `Authorization: Bearer ${token}`).
 */
export function generateExploreScenario(urlMap: UrlMapDump, dump: ReadsDump, credentials: Record<string, string> = {}): ExploreLine[] {
  const vocabulary = words(dump)
  const reads: ExploreLine[] = []
  const writes: ExploreLine[] = []
  const seen = new Set<string>()
  const add = (list: ExploreLine[], line: ExploreLine): void => {
    const withCredentials: ExploreLine = Object.keys(credentials).length > 0 ? { ...line, headers: { ...credentials, ...(line.headers ?? {}) } } : line
    const key = JSON.stringify(withCredentials)
    if (seen.has(key)) return
    seen.add(key)
    list.push(withCredentials)
  }
  const rules = urlMap.rules.filter((rule) => !rule.subdomain && !rule.host && rule.redirectTo === null && rule.endpoint !== 'static')
  for (const rule of rules) {
    const methods = (rule.methods ?? ['GET']).filter((method) => method !== 'HEAD' && method !== 'OPTIONS')
    const endpointReads = readsFor(dump, rule.endpoint)
    // A view that updates with a body it hands on whole (`item.update(data)`) names no key: it
    // gets those of a sibling view that does (the create of the same blueprint).
    if (methods.some((method) => method === 'PUT' || method === 'PATCH') && Object.keys(endpointReads.json).length === 0 && Object.keys(endpointReads.form).length === 0) {
      const sibling = siblingReads(dump, rule.endpoint)
      if (sibling !== undefined) Object.assign(endpointReads, { json: { ...sibling.json }, form: { ...sibling.form } })
    }
    const paths = [samplePath(rule)]
    for (const converter of rule.converters) for (const value of converterValues(converter)) paths.push(pathWith(rule, converter.variable, value))
    for (const method of methods) {
      const list = WRITE_METHODS.includes(method) ? writes : reads
      for (const path of paths) add(list, { method, path, ...bodyFor(method, endpointReads, vocabulary) })
      const base = paths[0]!
      // Query arguments: each alone with values of several kinds, then all together.
      const args = Object.entries(endpointReads.args)
      for (const [name, kind] of args) for (const value of valuesFor(kind, vocabulary)) add(list, { method, path: `${base}${query([[name, value]])}`, ...bodyFor(method, endpointReads, vocabulary) })
      if (args.length > 1) add(list, { method, path: `${base}${query(args.map(([name, kind]) => [name, kind === 'int' || kind === 'float' ? '2' : (vocabulary[0] ?? 'abc')]))}` })
      // Headers and cookies the view (or a hook for it) reads.
      for (const [name] of Object.entries(endpointReads.headers)) {
        if (/^(accept-encoding|content-type|content-length|host|cookie)$/i.test(name)) continue
        for (const value of ['abc', '123', 'é']) add(list, { method, path: base, headers: { [name]: value }, ...bodyFor(method, endpointReads, vocabulary) })
      }
      // Cookies a view reads are not sent here: the Flask side's test client replaces a Cookie
      // header with its own jar, so they are only exercised by the responses that set them.
      if (!['POST', 'PUT', 'PATCH'].includes(method)) continue
      // JSON bodies: whole, each key missing, each key with every kind of value, not an object.
      const keys = Object.keys(endpointReads.json)
      if (keys.length > 0) {
        const whole = Object.fromEntries(keys.map((key) => [key, jsonBase(key, vocabulary)]))
        add(list, { method, path: base, json: whole })
        for (const key of keys) {
          const { [key]: _dropped, ...rest } = whole
          add(list, { method, path: base, json: rest })
          for (const value of JSON_EDGE_VALUES) add(list, { method, path: base, json: { ...whole, [key]: value } })
        }
        for (const body of [[], 'text', 3]) add(list, { method, path: base, json: body })
        add(list, { method, path: base, body: '{not json', headers: { 'Content-Type': 'application/json' } })
        add(list, { method, path: base })
      }
      const fields = Object.entries(endpointReads.form)
      if (fields.length > 0) {
        const whole = Object.fromEntries(fields.map(([name, kind]) => [name, kind === 'int' || kind === 'float' ? '3' : String(jsonBase(name, vocabulary))]))
        add(list, { method, path: base, form: whole })
        for (const [name, kind] of fields) {
          const { [name]: _dropped, ...rest } = whole
          add(list, { method, path: base, form: rest })
          for (const value of valuesFor(kind, vocabulary)) add(list, { method, path: base, form: { ...whole, [name]: value } })
        }
      }
    }
  }
  // The reads, the writes (create, update, delete), then the reads again on the state they left.
  return [...reads, ...writes, ...reads.filter((line) => line.method === 'GET')]
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
  if (fields.length > 0) return { form: Object.fromEntries(fields.map(([name, kind]) => [name, kind === 'int' || kind === 'float' ? '3' : String(jsonBase(name, vocabulary))])) }
  return {}
}

/** Headers of a scenario that carry credentials by a saved value (`Authorization: Bearer ${token}`): the last of each name. */
export function scenarioCredentials(lines: readonly Record<string, unknown>[]): Record<string, string> {
  const credentials: Record<string, string> = {}
  for (const line of lines) {
    const headers = line.headers
    if (typeof headers !== 'object' || headers === null) continue
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      if (typeof value === 'string' && /\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(value) && /authorization|token|api-key|x-csrf/i.test(name)) credentials[name] = value
    }
  }
  return credentials
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
