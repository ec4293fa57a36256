/**
 * The comparison rules of ../shared/README.md, as one pure function over two recorded
 * responses: status; content type (charset aside); body (JSON as data, text exactly, redirect
 * bodies aside, none for HEAD); `Location` path and query; `Allow` as a set; `Set-Cookie`
 * name=value; every `X-` header Flask sent.
 */

/** One request of a scenario (../shared/README.md). */
export interface ScenarioRequest {
  method: string
  /** Path with its query string. */
  path: string
  headers?: Record<string, string>
  json?: unknown
  form?: Record<string, string | string[]>
  body?: string
}

/** A response as recorded by either side, with the request it answers. */
export interface RecordedResponse {
  method: string
  path: string
  status: number
  /** In the order received; a header sent twice appears twice. */
  headers: [string, string][]
  /** Text when the body is valid UTF-8, base64 otherwise (see `bodyEncoding`). */
  body: string
  bodyEncoding: 'utf-8' | 'base64'
  /** Set when the side could not produce a response (the app raised, the connection failed). */
  error?: string
}

export interface Difference {
  field: string
  flask: string
  service: string
}

const absent = '(absent)'

export function compareResponses(flask: RecordedResponse, service: RecordedResponse): Difference[] {
  const differences: Difference[] = []
  const report = (field: string, flaskValue: string, serviceValue: string): void => {
    differences.push({ field, flask: flaskValue, service: serviceValue })
  }

  if (service.error !== undefined) report('error', flask.error ?? '(none)', service.error)
  if (flask.status !== service.status) report('status', String(flask.status), String(service.status))

  const flaskType = mediaType(headerValue(flask.headers, 'content-type'))
  const serviceType = mediaType(headerValue(service.headers, 'content-type'))
  if (flaskType !== serviceType) report('content-type', flaskType ?? absent, serviceType ?? absent)

  const isRedirect = flask.status >= 300 && flask.status < 400
  if (!isRedirect && flask.method.toUpperCase() !== 'HEAD') {
    const bodyDifference = compareBodies(flask, service, flaskType)
    if (bodyDifference) report('body', bodyDifference.flask, bodyDifference.service)
  }

  const flaskLocation = headerValue(flask.headers, 'location')
  const serviceLocation = headerValue(service.headers, 'location')
  if (flaskLocation !== undefined || serviceLocation !== undefined) {
    const flaskTarget = flaskLocation === undefined ? absent : locationPathAndQuery(flaskLocation)
    const serviceTarget = serviceLocation === undefined ? absent : locationPathAndQuery(serviceLocation)
    if (flaskTarget !== serviceTarget) report('location', flaskTarget, serviceTarget)
  }

  const flaskAllow = headerValue(flask.headers, 'allow')
  const serviceAllow = headerValue(service.headers, 'allow')
  if (flaskAllow !== undefined || serviceAllow !== undefined) {
    const flaskMethods = flaskAllow === undefined ? absent : methodSet(flaskAllow)
    const serviceMethods = serviceAllow === undefined ? absent : methodSet(serviceAllow)
    if (flaskMethods !== serviceMethods) report('allow', flaskMethods, serviceMethods)
  }

  const flaskCookies = cookiePairs(flask.headers)
  const serviceCookies = cookiePairs(service.headers)
  if (flaskCookies !== serviceCookies) report('set-cookie', flaskCookies || absent, serviceCookies || absent)

  for (const name of xHeaderNames(flask.headers)) {
    const flaskValue = headerValue(flask.headers, name)!
    const serviceValue = headerValue(service.headers, name)
    if (flaskValue !== serviceValue) report(name, flaskValue, serviceValue ?? absent)
  }

  return differences
}

/** All values of a header (case-insensitive name) joined as HTTP would fold them, or undefined. */
export function headerValue(headers: [string, string][], name: string): string | undefined {
  const wanted = name.toLowerCase()
  const values = headers.filter(([key]) => key.toLowerCase() === wanted).map(([, value]) => value)
  return values.length === 0 ? undefined : values.join(', ')
}

/** `text/html; charset=utf-8` → `text/html`; other parameters (boundary…) stay. */
function mediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined
  const [type, ...parameters] = contentType.split(';').map((part) => part.trim())
  const kept = parameters.filter((parameter) => parameter !== '' && !/^charset\s*=/i.test(parameter))
  return [type!.toLowerCase(), ...kept].join('; ')
}

function isJsonType(type: string | undefined): boolean {
  return type !== undefined && /^application\/(?:[\w.-]+\+)?json(?:;|$)/.test(type)
}

function compareBodies(
  flask: RecordedResponse,
  service: RecordedResponse,
  flaskType: string | undefined,
): { flask: string; service: string } | undefined {
  if (isJsonType(flaskType) && flask.bodyEncoding === 'utf-8') {
    const flaskData = parseJson(flask.body)
    if (flaskData.ok) {
      const serviceData = service.bodyEncoding === 'utf-8' ? parseJson(service.body) : { ok: false as const }
      if (!serviceData.ok) return { flask: flask.body, service: showBody(service) }
      if (jsonEqual(flaskData.value, serviceData.value)) return undefined
      return { flask: JSON.stringify(flaskData.value), service: JSON.stringify(serviceData.value) }
    }
    // Flask sent something its JSON provider wrote but JSON.parse rejects (NaN): compare text.
  }
  if (flask.bodyEncoding === service.bodyEncoding && flask.body === service.body) return undefined
  return { flask: showBody(flask), service: showBody(service) }
}

function showBody(response: RecordedResponse): string {
  return response.bodyEncoding === 'base64' ? `base64:${response.body}` : JSON.stringify(response.body)
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false }
  }
}

/** Equality of JSON data: numbers by value (3 == 3.0), objects regardless of key order, arrays in order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((item, index) => jsonEqual(item, b[index]))
  }
  const aRecord = a as Record<string, unknown>
  const bRecord = b as Record<string, unknown>
  const aKeys = Object.keys(aRecord)
  if (aKeys.length !== Object.keys(bRecord).length) return false
  return aKeys.every((key) => Object.hasOwn(bRecord, key) && jsonEqual(aRecord[key], bRecord[key]))
}

/** Path and query of a Location, scheme and host aside (Flask's 308s are absolute, its redirect() relative). */
function locationPathAndQuery(location: string): string {
  try {
    const url = new URL(location, 'http://location.invalid')
    return url.pathname + url.search
  } catch {
    return location
  }
}

function methodSet(allow: string): string {
  const methods = allow
    .split(',')
    .map((method) => method.trim().toUpperCase())
    .filter((method) => method !== '')
  return [...new Set(methods)].sort().join(', ')
}

/** `name=value` of every Set-Cookie, attributes aside, sorted (the order of two cookies means nothing). */
function cookiePairs(headers: [string, string][]): string {
  return headers
    .filter(([key]) => key.toLowerCase() === 'set-cookie')
    .map(([, value]) => value.split(';')[0]!.trim())
    .sort()
    .join('; ')
}

function xHeaderNames(headers: [string, string][]): string[] {
  const names = headers.map(([key]) => key.toLowerCase()).filter((key) => key.startsWith('x-'))
  return [...new Set(names)]
}
