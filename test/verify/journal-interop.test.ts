import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningService } from '../../src/verify/service.js'
import { hasJournalOracle, setCookies, startJournalSides, type JournalSides } from './journal-sides.js'

// The Flask journal and the migrated journal running side by side with the same SECRET_KEY (each
// on its own fresh database, seeded alike at start-up): the session cookie and Flask-Login's
// remember_token one of them sets sign the user into the other, both ways (issue 10).

const SECRET_KEY = 'interop-secret-key'
let sides: JournalSides
let flask: RunningService
let service: RunningService

async function get(base: string, path: string, cookies: Record<string, string>): Promise<Response> {
  const cookie = Object.entries(cookies).map(([name, value]) => `${name}=${value}`).join('; ')
  return fetch(`${base}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} })
}

async function signIn(base: string, username: string, password: string): Promise<Map<string, string>> {
  const response = await fetch(`${base}/auth/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password, remember_me: 'y' }).toString(),
  })
  expect(response.status).toBe(302)
  const cookies = setCookies(response)
  expect([...cookies.keys()].sort()).toEqual(['remember_token', 'session'])
  return cookies
}

/** Signed in as `name` (display name) on that side: the guarded page answers and the header names the user. */
async function expectSignedIn(base: string, cookies: Record<string, string>, name: string): Promise<void> {
  const guarded = await get(base, '/post/new', cookies)
  expect(guarded.status).toBe(200)
  const page = await (await get(base, '/', cookies)).text()
  expect(page).toContain(`>${name}</a>`)
  expect(page).toContain('Sign out')
}

async function expectSignedOut(base: string, cookies: Record<string, string>): Promise<void> {
  const guarded = await get(base, '/post/new', cookies)
  expect(guarded.status).toBe(302)
  expect(guarded.headers.get('location')).toBe('/auth/login?next=%2Fpost%2Fnew')
}

describe.skipIf(!hasJournalOracle)('the Flask journal and the migrated journal share sign-ins', () => {
  beforeAll(async () => {
    sides = await startJournalSides(SECRET_KEY, { JOURNAL_TESTING: '1' })
    flask = sides.flask
    service = sides.service
  }, 600_000)

  afterAll(async () => {
    await sides?.stop()
  })

  it('signed out on both sides without a cookie, and with a tampered one', async () => {
    for (const base of [flask.baseUrl, service.baseUrl]) await expectSignedOut(base, {})
    const cookies = await signIn(flask.baseUrl, 'alice', 'wonderland')
    const session = cookies.get('session')!
    const tampered = `${session.slice(0, -2)}${session.endsWith('AA') ? 'BB' : 'AA'}`
    for (const base of [flask.baseUrl, service.baseUrl]) await expectSignedOut(base, { session: tampered })
    const token = cookies.get('remember_token')!
    for (const base of [flask.baseUrl, service.baseUrl]) await expectSignedOut(base, { remember_token: `${token}0` })
  })

  it("Flask's session cookie and its remember_token sign the user into the service", async () => {
    const cookies = await signIn(flask.baseUrl, 'alice', 'wonderland')
    await expectSignedIn(service.baseUrl, { session: cookies.get('session')! }, 'Alice')
    // The remember cookie alone: the service restores the user and sets a session of its own, which Flask accepts too.
    const restored = await get(service.baseUrl, '/post/new', { remember_token: cookies.get('remember_token')! })
    expect(restored.status).toBe(200)
    const session = setCookies(restored).get('session')
    expect(session).toBeDefined()
    await expectSignedIn(flask.baseUrl, { session: session! }, 'Alice')
  })

  it("the service's session cookie and its remember_token sign the user into Flask", async () => {
    const cookies = await signIn(service.baseUrl, 'bob_the_builder', 'builder-bob')
    await expectSignedIn(flask.baseUrl, { session: cookies.get('session')! }, 'Bob The Builder')
    const restored = await get(flask.baseUrl, '/post/new', { remember_token: cookies.get('remember_token')! })
    expect(restored.status).toBe(200)
    const session = setCookies(restored).get('session')
    expect(session).toBeDefined()
    await expectSignedIn(service.baseUrl, { session: session! }, 'Bob The Builder')
  })
})
