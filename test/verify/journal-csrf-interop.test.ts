import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningService } from '../../src/verify/service.js'
import { hasJournalOracle, setCookies, startJournalSides, type JournalSides } from './journal-sides.js'

// The Flask journal and the migrated journal side by side with CSRF ON (its production
// configuration: no JOURNAL_TESTING, so WTF_CSRF_ENABLED is True and csrf.init_app(app) checks every
// POST) and the same SECRET_KEY: a CSRF token from a page one side renders, with that side's session
// cookie, is accepted by the other side's form posts (sign-in, a new entry, the theme through the
// X-CSRFToken header), both ways; requests without a token, without the session's token, with a
// tampered token or another session's token are refused by both with the same 400 page; the API
// blueprint, exempted with csrf.exempt(api_bp), takes posts without a token on both (issue 10).

const SECRET_KEY = 'csrf-interop-secret-key'
let sides: JournalSides
let flask: RunningService
let service: RunningService

async function request(base: string, path: string, options: { session?: string; form?: Record<string, string>; headers?: Record<string, string>; json?: unknown } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) }
  if (options.session !== undefined) headers['cookie'] = `session=${options.session}`
  let body: string | undefined
  if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    body = new URLSearchParams(options.form).toString()
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(options.json)
  }
  return fetch(`${base}${path}`, { method: body === undefined ? 'GET' : 'POST', redirect: 'manual', headers, ...(body !== undefined ? { body } : {}) })
}

/** A page with a form on that side: its CSRF token (the hidden field hidden_tag() renders) and the session cookie holding its raw token. */
async function formPage(base: string, path: string, session?: string): Promise<{ token: string; session: string }> {
  const response = await request(base, path, session !== undefined ? { session } : {})
  expect(response.status).toBe(200)
  const page = await response.text()
  const token = /<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)">/.exec(page)?.[1]
  expect(token, page).toBeDefined()
  const cookie = setCookies(response).get('session') ?? session
  expect(cookie).toBeDefined()
  return { token: token!, session: cookie! }
}

/** Signs in on `base` with a page (token and session) from `pageBase`; the session cookie `base` sets. */
async function signIn(pageBase: string, base: string, username: string, password: string): Promise<string> {
  const page = await formPage(pageBase, '/auth/login')
  const response = await request(base, '/auth/login', { session: page.session, form: { csrf_token: page.token, username, password } })
  expect(response.status, await response.clone().text()).toBe(302)
  expect(response.headers.get('location')).toBe('/')
  const session = setCookies(response).get('session')
  expect(session).toBeDefined()
  return session!
}

/** Status and body of a refused request, which the other side must answer alike. */
async function answer(response: Response): Promise<{ status: number; body: string }> {
  return { status: response.status, body: await response.text() }
}

describe.skipIf(!hasJournalOracle)('the Flask journal and the migrated journal with CSRF on accept each other\'s tokens', () => {
  beforeAll(async () => {
    // No JOURNAL_TESTING: the journal's Config, WTF_CSRF_ENABLED = True.
    sides = await startJournalSides(SECRET_KEY, {})
    flask = sides.flask
    service = sides.service
  }, 600_000)

  afterAll(async () => {
    await sides?.stop()
  })

  for (const [from, to] of [
    ['Flask', 'the service'],
    ['the service', 'Flask'],
  ] as const) {
    it(`tokens of ${from}'s pages are accepted by ${to}: sign-in, a new entry, the theme by X-CSRFToken`, async () => {
      const pageBase = from === 'Flask' ? flask.baseUrl : service.baseUrl
      const base = from === 'Flask' ? service.baseUrl : flask.baseUrl
      const session = await signIn(pageBase, base, 'alice', 'wonderland')
      // The session the other side set keeps the raw token: the page side renders its form with it.
      const page = await formPage(pageBase, '/post/new', session)
      const created = await request(base, '/post/new', {
        session: page.session,
        form: { csrf_token: page.token, title: `Posted across (${from})`, day: '2024-04-01', body: 'A token from the other side.', tags: 'interop' },
      })
      expect(created.status, await created.clone().text()).toBe(302)
      expect(created.headers.get('location')).toMatch(/^\/post\/\d+$/)
      const shown = await request(base, created.headers.get('location')!, { session: setCookies(created).get('session') ?? page.session })
      expect(await shown.text()).toContain(`Posted across (${from})`)
      const theme = await request(base, '/theme', { session: page.session, form: { theme: 'dark' }, headers: { 'X-CSRFToken': page.token } })
      expect(theme.status, await theme.clone().text()).toBe(302)
    })
  }

  it('refuses missing, session-less, tampered and foreign tokens with the same 400 on both', async () => {
    const answers: Record<string, { status: number; body: string }[]> = {}
    for (const [name, base] of [
      ['flask', flask.baseUrl],
      ['service', service.baseUrl],
    ] as const) {
      const first = await formPage(base, '/auth/login')
      const second = await formPage(base, '/auth/login')
      const tampered = `${first.token.slice(0, -2)}${first.token.endsWith('AA') ? 'BB' : 'AA'}`
      const login = { username: 'alice', password: 'wonderland' }
      answers[name] = [
        await answer(await request(base, '/auth/login', { form: login })),
        await answer(await request(base, '/auth/login', { session: first.session, form: login })),
        await answer(await request(base, '/auth/login', { form: { ...login, csrf_token: first.token } })),
        await answer(await request(base, '/auth/login', { session: first.session, form: { ...login, csrf_token: tampered } })),
        await answer(await request(base, '/auth/login', { session: first.session, form: { ...login, csrf_token: second.token } })),
        await answer(await request(base, '/theme', { session: second.session, form: { theme: 'dark' }, headers: { 'X-CSRFToken': first.token } })),
        // The API blueprint is exempt: its key authenticates, no token needed.
        await answer(await request(base, '/api/tags', { json: { name: `exempt-${name}` }, headers: { 'X-API-Key': 'alice-key-7f3a9c' } })),
      ]
    }
    expect(answers['flask']!.map((entry) => entry.status)).toEqual([400, 400, 400, 400, 400, 400, 201])
    const reasons = ['The CSRF token is missing.', 'The CSRF token is missing.', 'The CSRF session token is missing.', 'The CSRF token is invalid.', 'The CSRF tokens do not match.', 'The CSRF tokens do not match.']
    reasons.forEach((reason, i) => expect(answers['flask']![i]!.body).toContain(`<p>${reason}</p>`))
    expect(answers['service']!.slice(0, 6)).toEqual(answers['flask']!.slice(0, 6))
    expect(answers['service']![6]!.status).toBe(201)
  })
})
