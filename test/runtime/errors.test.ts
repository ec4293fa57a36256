import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'
import { describe, expect, test } from 'vitest'
import {
  abort,
  BadRequest,
  defaultExceptions,
  HTTPException,
  InternalServerError,
  MethodNotAllowed,
  NotFound,
  RequestRedirect,
  TooManyRequests,
  Unauthorized,
} from '../../src/emit/runtime/errors.js'
import { Exception, LookupError } from '../../src/emit/runtime/exceptions.js'

const PYTHON = '/usr/bin/python3'
const ORACLE = fileURLToPath(new URL('../oracle/werkzeug_errors.py', import.meta.url))
const hasFlask = spawnSync(PYTHON, ['-c', 'import flask'], { stdio: 'ignore' }).status === 0
// CI installs the oracle (.ci/run): there a missing one fails the run instead of skipping.
if (!hasFlask && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import Flask/Werkzeug, the oracle of test/runtime/errors.test.ts')

type Case = { code: number; description: string | null } | { redirect: string }
type Expected = { status: number; body: string; headers: Record<string, string> } | { error: string }

const CASES: Case[] = [
  ...[400, 401, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 422, 423, 424, 428,
    429, 431, 451, 500, 501, 502, 503, 504, 505].map((code) => ({ code, description: null })),
  { code: 404, description: 'No item <b>"x"</b> & \'y\'\nsecond line' },
  { code: 400, description: 'Missing field' },
  { code: 405, description: 'PUT' },
  { code: 416, description: '100' },
  { code: 308, description: null },
  { code: 999, description: null },
  { code: 200, description: null },
  { redirect: 'http://localhost/items/?a=1&b=2' },
  { redirect: 'http://localhost/caf\u00e9 x' },
]

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('did not throw')
}

async function ours(item: Case): Promise<Expected> {
  let error: unknown
  if ('redirect' in item) error = new RequestRedirect(item.redirect)
  else error = thrown(() => abort(item.code, item.description ?? undefined))
  if (!(error instanceof HTTPException)) return { error: `${(error as Error).constructor.name}: ${(error as Error).message}` }
  // Through Hono's default error handler, as a generated app without its own handlers.
  const app = new Hono()
  app.get('/', () => {
    throw error
  })
  const res = await app.request('/')
  const headers: Record<string, string> = {}
  res.headers.forEach((value, key) => {
    if (key !== 'content-length') headers[key] = value
  })
  return { status: res.status, body: await res.text(), headers }
}

function lowerKeys(expected: Expected): Expected {
  if ('error' in expected) return expected
  return { ...expected, headers: Object.fromEntries(Object.entries(expected.headers).map(([k, v]) => [k.toLowerCase(), v])) }
}

describe.skipIf(!hasFlask)('responses equal Flask 2.2 / Werkzeug 2.2', () => {
  test('status, body and headers for every abort code, custom descriptions and redirects', async () => {
    const expected = JSON.parse(execFileSync(PYTHON, [ORACLE], { input: JSON.stringify(CASES), encoding: 'utf8', stdio: 'pipe' })) as Expected[]
    expect(expected).toHaveLength(CASES.length)
    for (const [i, item] of CASES.entries()) {
      expect(await ours(item), JSON.stringify(item)).toEqual(lowerKeys(expected[i]!))
    }
  })
})

test.runIf(!hasFlask)('errors oracle skipped: /usr/bin/python3 cannot import flask', () => {
  console.warn('errors.test: /usr/bin/python3 cannot import flask; comparison with Flask skipped')
})

describe('HTTPException family', () => {
  test('code, name, description and the Python class hierarchy', () => {
    const e = new NotFound()
    expect(e.code).toBe(404)
    expect(e.name).toBe('Not Found')
    expect(e.constructor.name).toBe('NotFound')
    expect(e.description).toMatch(/^The requested URL was not found on the server\./)
    expect(e).toBeInstanceOf(HTTPException)
    expect(e).toBeInstanceOf(Exception)
    expect(String(e)).toBe(`404 Not Found: ${e.description}`)
    expect(new BadRequest('bad').description).toBe('bad')
  })

  test('the exact default page', async () => {
    const res = new NotFound().getResponse()
    expect(res.status).toBe(404)
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8')
    expect(await res.text()).toBe(
      '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
        '<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n',
    )
  })

  test('MethodNotAllowed carries Allow; RequestRedirect carries Location', async () => {
    const res = new MethodNotAllowed(['GET', 'HEAD']).getResponse()
    expect(res.status).toBe(405)
    expect(res.headers.get('Allow')).toBe('GET, HEAD')
    expect(new MethodNotAllowed().getResponse().headers.get('Allow')).toBeNull()
    const redirect = new RequestRedirect('http://localhost/a/?x=1')
    expect(redirect.code).toBe(308)
    expect(redirect.newUrl).toBe('http://localhost/a/?x=1')
    expect(redirect.getResponse().headers.get('Location')).toBe('http://localhost/a/?x=1')
  })

  test('optional headers: WWW-Authenticate, Retry-After', () => {
    const auth = new Unauthorized(null, null, ['Basic realm="a"', 'Bearer'])
    expect(auth.getResponse().headers.get('WWW-Authenticate')).toBe('Basic realm="a", Bearer')
    expect(new TooManyRequests(null, null, 30).getResponse().headers.get('Retry-After')).toBe('30')
    const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5))
    expect(new TooManyRequests(null, null, date).getResponse().headers.get('Retry-After')).toBe('Tue, 02 Jan 2024 03:04:05 GMT')
  })

  test('a response given to the exception is returned as is', () => {
    const response = new Response('custom', { status: 418 })
    const error = thrown(() => abort(response)) as HTTPException
    expect(error).toBeInstanceOf(HTTPException)
    expect(error.getResponse()).toBe(response)
  })

  test('abort: known codes throw their class, unknown codes LookupError', () => {
    expect(thrown(() => abort(404))).toBeInstanceOf(NotFound)
    expect(thrown(() => abort(500, 'boom'))).toMatchObject({ description: 'boom' })
    expect(thrown(() => abort(500))).toBeInstanceOf(InternalServerError)
    const unknown = thrown(() => abort(999))
    expect(unknown).toBeInstanceOf(LookupError)
    expect((unknown as Error).message).toBe('no exception for 999')
    expect(thrown(() => abort(308))).toBeInstanceOf(LookupError)
    expect([...defaultExceptions.keys()]).toHaveLength(30)
  })
})
