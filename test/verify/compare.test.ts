import { describe, expect, it } from 'vitest'
import { compareResponses, jsonEqual, type RecordedResponse } from '../../src/verify/compare.js'

function response(overrides: Partial<RecordedResponse> = {}): RecordedResponse {
  return {
    method: 'GET',
    path: '/',
    status: 200,
    headers: [['Content-Type', 'text/html; charset=utf-8']],
    body: 'hello',
    bodyEncoding: 'utf-8',
    ...overrides,
  }
}

const json = (body: string, overrides: Partial<RecordedResponse> = {}): RecordedResponse =>
  response({ headers: [['Content-Type', 'application/json']], body, ...overrides })

function fields(flask: RecordedResponse, service: RecordedResponse): string[] {
  return compareResponses(flask, service).map((difference) => difference.field)
}

describe('compareResponses', () => {
  it('reports nothing for identical responses', () => {
    expect(compareResponses(response(), response())).toEqual([])
  })

  it('reports a different status with both values', () => {
    expect(compareResponses(response(), response({ status: 404 }))).toEqual([
      { field: 'status', flask: '200', service: '404' },
    ])
  })

  it('ignores the charset of the content type but not the type', () => {
    expect(fields(response(), response({ headers: [['content-type', 'text/html']] }))).toEqual([])
    expect(fields(response(), response({ headers: [['content-type', 'text/plain; charset=utf-8']] }))).toEqual([
      'content-type',
    ])
  })

  it('reports a missing content type', () => {
    expect(compareResponses(response(), response({ headers: [] }))).toEqual([
      { field: 'content-type', flask: 'text/html', service: '(absent)' },
    ])
  })

  it('compares JSON bodies as data: key order, spacing and 3 == 3.0 do not matter', () => {
    expect(fields(json('{"a":3,"b":[1,2]}\n'), json('{ "b": [1, 2], "a": 3.0 }'))).toEqual([])
  })

  it('reports JSON bodies that differ as data', () => {
    expect(fields(json('{"a":3}'), json('{"a":"3"}'))).toEqual(['body'])
    expect(fields(json('{"a":[1,2]}'), json('{"a":[2,1]}'))).toEqual(['body'])
    expect(fields(json('{"a":1}'), json('{"a":1,"b":null}'))).toEqual(['body'])
    expect(fields(json('{"a":true}'), json('{"a":1}'))).toEqual(['body'])
  })

  it('reports a service body that is not JSON where Flask sent JSON', () => {
    const differences = compareResponses(json('{"a":1}'), json('{a:1}'))
    expect(differences).toHaveLength(1)
    expect(differences[0]).toMatchObject({ field: 'body', service: '"{a:1}"' })
  })

  it('compares text bodies exactly', () => {
    expect(fields(response(), response({ body: 'hello ' }))).toEqual(['body'])
    expect(fields(response(), response({ body: 'Hello' }))).toEqual(['body'])
  })

  it('compares base64 bodies by their bytes', () => {
    const bytes = response({ body: '/w==', bodyEncoding: 'base64' })
    expect(fields(bytes, { ...bytes })).toEqual([])
    expect(fields(bytes, response({ body: '/w==' }))).toEqual(['body'])
  })

  it('ignores the body of a HEAD response and of redirects', () => {
    expect(fields(response({ method: 'HEAD', body: '' }), response({ method: 'HEAD', body: 'x' }))).toEqual([])
    const redirectHeaders: [string, string][] = [['Content-Type', 'text/html'], ['Location', '/a/']]
    const flaskRedirect = response({ status: 308, body: '<p>Redirecting</p>', headers: redirectHeaders })
    const serviceRedirect = response({ status: 308, body: '', headers: redirectHeaders })
    expect(fields(flaskRedirect, serviceRedirect)).toEqual([])
    // A redirect that should not be one is still a status difference.
    expect(fields(flaskRedirect, response({ headers: redirectHeaders, body: '' }))).toEqual(['status'])
  })

  it('compares the Location path and query, not scheme and host', () => {
    const flask = response({ status: 308, headers: [['Location', 'http://localhost/docs/?a=1']] })
    expect(fields(flask, response({ status: 308, headers: [['Location', '/docs/?a=1']] }))).toEqual([])
    const relative = response({ headers: [['Content-Type', 'text/html'], ['Location', '/docs/?a=1']] })
    expect(fields(relative, response({ headers: [['Content-Type', 'text/html'], ['Location', '/docs/?a=2']] }))).toEqual([
      'location',
    ])
    expect(fields(relative, response({ headers: [['Content-Type', 'text/html']] }))).toEqual(['location'])
    expect(fields(response(), { ...relative })).toEqual(['location'])
  })

  it('compares Allow as a set', () => {
    const flask = response({ headers: [['Content-Type', 'text/html'], ['Allow', 'POST, OPTIONS, HEAD, GET']] })
    const same = response({ headers: [['Content-Type', 'text/html'], ['allow', 'GET,HEAD,OPTIONS,POST']] })
    const fewer = response({ headers: [['Content-Type', 'text/html'], ['Allow', 'GET, HEAD, OPTIONS']] })
    expect(fields(flask, same)).toEqual([])
    expect(compareResponses(flask, fewer)).toEqual([
      { field: 'allow', flask: 'GET, HEAD, OPTIONS, POST', service: 'GET, HEAD, OPTIONS' },
    ])
  })

  it('compares Set-Cookie by name=value only', () => {
    const cookie = (value: string): RecordedResponse =>
      response({ headers: [['Content-Type', 'text/html'], ['Set-Cookie', value]] })
    expect(fields(cookie('session=abc; Path=/; HttpOnly'), cookie('session=abc; path=/'))).toEqual([])
    expect(fields(cookie('session=abc; Path=/'), cookie('session=abd; Path=/'))).toEqual(['set-cookie'])
    expect(fields(cookie('session=abc'), response())).toEqual(['set-cookie'])
  })

  it('requires every X- header Flask sent, with the same value', () => {
    const flask = response({
      headers: [
        ['Content-Type', 'text/html'],
        ['X-Request-ID', 'req-42'],
        ['X-Service', 'inventory'],
      ],
    })
    const service = response({
      headers: [
        ['content-type', 'text/html'],
        ['x-request-id', 'req-43'],
        ['x-powered-by', 'hono'],
      ],
    })
    expect(compareResponses(flask, service)).toEqual([
      { field: 'x-request-id', flask: 'req-42', service: 'req-43' },
      { field: 'x-service', flask: 'inventory', service: '(absent)' },
    ])
  })

  it('reports a service that did not answer', () => {
    const differences = compareResponses(response(), response({ status: 0, headers: [], body: '', error: 'ECONNREFUSED' }))
    expect(differences.map((difference) => difference.field)).toEqual(['error', 'status', 'content-type', 'body'])
  })
})

describe('jsonEqual', () => {
  it('treats numbers by value and nothing else loosely', () => {
    expect(jsonEqual(3, 3.0)).toBe(true)
    expect(jsonEqual(0, false)).toBe(false)
    expect(jsonEqual(null, {})).toBe(false)
    expect(jsonEqual([], {})).toBe(false)
    expect(jsonEqual({ a: undefined }, { b: undefined })).toBe(false)
  })
})
