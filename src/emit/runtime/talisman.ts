/**
 * Flask-Talisman 1.0 on Hono (Debian's python3-flask-talisman 1.0.0 is the oracle:
 * test/runtime/compress-talisman.test.ts): `talisman.init_app(app, **options)` as the hooks it
 * registers. Before each request, `force_https` redirects plain-HTTP requests (not secure, no
 * `X-Forwarded-Proto: https`) to https with 302 (301 with `force_https_permanent`). After it,
 * Talisman's headers: Feature-Policy, Permissions-Policy, Document-Policy, X-Frame-Options,
 * X-XSS-Protection, X-Content-Type-Options, X-Download-Options, Content-Security-Policy (or
 * -Report-Only, with report-uri) rendered from a dict or string as Talisman renders it,
 * Strict-Transport-Security on secure requests, Referrer-Policy. Hono's `secureHeaders` is not
 * used: its defaults and CSP rendering differ from Talisman's.
 */
import type { Context } from 'hono'
import { ValueError } from './exceptions.js'
import { type FlaskResponse, registerAppHooks, redirect, request } from './flask.js'
import { PyDict, type Py } from './py.js'

const DEFAULTS: Record<string, Py> = {
  feature_policy: {},
  permissions_policy: {},
  document_policy: {},
  force_https: true,
  force_https_permanent: false,
  force_file_save: false,
  frame_options: 'SAMEORIGIN',
  frame_options_allow_from: null,
  strict_transport_security: true,
  strict_transport_security_preload: false,
  strict_transport_security_max_age: 31556926,
  strict_transport_security_include_subdomains: true,
  content_security_policy: { 'default-src': "'self'", 'object-src': "'none'" },
  content_security_policy_report_uri: null,
  content_security_policy_report_only: false,
  referrer_policy: 'strict-origin-when-cross-origin',
  session_cookie_secure: true,
  session_cookie_http_only: true,
  session_cookie_samesite: 'Lax',
  x_content_type_options: true,
  x_xss_protection: true,
}

/* eslint-disable @typescript-eslint/naming-convention -- the Python API's names */

/** A policy's sections in order, from a dict (a PyDict or an object) or a string; null when empty. */
function sections(policy: Py): [string, Py][] | null {
  if (policy instanceof PyDict) return policy.items() as [string, Py][]
  if (policy !== null && typeof policy === 'object' && !Array.isArray(policy))
    return Object.entries(policy)
  return null
}

function truthy(value: Py): boolean {
  if (value instanceof PyDict) return value.size > 0
  if (value !== null && typeof value === 'object' && !Array.isArray(value))
    return Object.keys(value).length > 0
  return value !== null && value !== undefined && value !== false && value !== 0 && value !== ''
}

/** Talisman's `_parse_policy`: `section value; section value`, a string split and joined again. */
function parsePolicy(policy: Py): string {
  let parts = sections(policy)
  if (parts === null) {
    parts = String(policy)
      .split(';')
      .map((part) => {
        const words = part.trim().split(' ')
        return [words[0]!, words.slice(1).join(' ')] as [string, Py]
      })
    // A dict keeps one value per section, the last.
    parts = [...new Map(parts)]
  }
  return parts
    .map(
      ([section, content]) =>
        `${section} ${typeof content === 'string' ? content : (content as string[]).join(' ')}`,
    )
    .join('; ')
}

/** Talisman's `_parse_structured_header_policy`: `section=value, section=value`, or the string. */
function parseStructuredPolicy(policy: Py): string {
  const parts = sections(policy)
  if (parts === null) return String(policy)
  return parts.map(([section, content]) => `${section}=${String(content)}`).join(', ')
}

function isSecure(c: Context): boolean {
  return request(c).is_secure || c.req.header('X-Forwarded-Proto') === 'https'
}

/** Flask-Talisman's `Talisman`: `init_app(app, **options)` is the service's `initTalisman(talisman, options)`. */
export class Talisman {
  #options: Record<string, Py> = { ...DEFAULTS }

  /** Talisman's init_app: the options over its defaults (the app is the service's). */
  configure(options: Record<string, Py>): void {
    this.#options = { ...DEFAULTS, ...options }
    if (
      truthy(this.#options['content_security_policy_report_only']) &&
      this.#options['content_security_policy_report_uri'] == null
    )
      throw new ValueError(
        'Setting content_security_policy_report_only to True also requires a URI to be specified in content_security_policy_report_uri',
      )
  }

  /** The before-request hook: the https redirect of `force_https`. */
  readonly forceHttps = (c: Context): FlaskResponse | null => {
    const options = this.#options
    if (!truthy(options['force_https']) || isSecure(c)) return null
    const url = request(c).url
    if (!url.startsWith('http://')) return null
    return redirect(
      url.replace('http://', 'https://'),
      truthy(options['force_https_permanent']) ? 301 : 302,
    )
  }

  /** The after-request hook: Talisman's headers. */
  readonly setResponseHeaders = (c: Context, response: FlaskResponse): FlaskResponse => {
    const options = this.#options
    const headers = response.headers
    if (truthy(options['feature_policy']))
      headers.set('Feature-Policy', parsePolicy(options['feature_policy']))
    if (truthy(options['permissions_policy']))
      headers.set('Permissions-Policy', parseStructuredPolicy(options['permissions_policy']))
    if (truthy(options['document_policy']))
      headers.set('Document-Policy', parseStructuredPolicy(options['document_policy']))
    if (truthy(options['frame_options'])) {
      let value = String(options['frame_options'])
      if (value === 'ALLOW-FROM') value += ` ${String(options['frame_options_allow_from'])}`
      headers.set('X-Frame-Options', value)
    }
    if (truthy(options['x_xss_protection'])) headers.set('X-XSS-Protection', '1; mode=block')
    if (truthy(options['x_content_type_options'])) headers.set('X-Content-Type-Options', 'nosniff')
    if (truthy(options['force_file_save'])) headers.set('X-Download-Options', 'noopen')
    if (truthy(options['content_security_policy'])) {
      let policy = parsePolicy(options['content_security_policy'])
      const reportUri = options['content_security_policy_report_uri']
      if (reportUri && !policy.includes('report-uri')) policy += `; report-uri ${String(reportUri)}`
      const name = truthy(options['content_security_policy_report_only'])
        ? 'Content-Security-Policy-Report-Only'
        : 'Content-Security-Policy'
      headers.set(name, policy)
    }
    if (truthy(options['strict_transport_security']) && isSecure(c)) {
      let value = `max-age=${String(options['strict_transport_security_max_age'])}`
      if (truthy(options['strict_transport_security_include_subdomains']))
        value += '; includeSubDomains'
      if (truthy(options['strict_transport_security_preload'])) value += '; preload'
      headers.set('Strict-Transport-Security', value)
    }
    headers.set('Referrer-Policy', String(options['referrer_policy']))
    return response
  }
}

/** Flask-Talisman's `talisman.init_app(app, **options)`: the https redirect before each request, the headers after. */
export function initTalisman(talisman: Talisman, options: Record<string, Py> = {}): void {
  talisman.configure(options)
  registerAppHooks({ before: talisman.forceHttps, after: talisman.setResponseHeaders })
}
