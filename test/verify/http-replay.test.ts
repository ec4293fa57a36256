import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpSide } from '../../src/verify/http-replay.js'

// The service side of a replay, against a raw TCP server that records the bytes it is sent and
// answers what the test queues: what goes on the wire, and the cookie jar.

let server: Server
let baseUrl = ''
const received: string[] = []
const answers: string[] = []

beforeAll(async () => {
  server = createServer((socket) => {
    let request = ''
    socket.on('data', (chunk) => {
      request += chunk.toString('latin1')
      const end = request.indexOf('\r\n\r\n')
      if (end < 0) return
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(request)?.[1] ?? 0)
      if (request.length < end + 4 + length) return
      received.push(request)
      socket.end(answers.shift() ?? 'HTTP/1.1 204 No Content\r\n\r\n')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
})
afterAll(() => server.close())

function answer(...headers: string[]): void {
  answers.push(['HTTP/1.1 200 OK', ...headers, 'Content-Length: 2', '', 'ok'].join('\r\n'))
}

describe('HttpSide', () => {
  it('sends the method, the target unchanged, the given headers in order, and only Host and Content-Length besides', async () => {
    const side = new HttpSide(baseUrl)
    answer('Content-Type: text/plain', 'X-A: 1', 'X-A: 2')
    const response = await side.send({
      method: 'POST',
      path: '/a/../b%2F?q=%41&x',
      headers: [['Content-Type', 'application/json'], ['User-Agent', 'scenario-replay']],
      body: Buffer.from('{"a": 1}'),
    })
    expect(received.at(-1)).toBe(
      `POST /a/../b%2F?q=%41&x HTTP/1.1\r\nHost: ${baseUrl.slice(7)}\r\nContent-Type: application/json\r\nUser-Agent: scenario-replay\r\nContent-Length: 8\r\n\r\n{"a": 1}`,
    )
    expect(response.status).toBe(200)
    expect(response.headers).toEqual([['Content-Type', 'text/plain'], ['X-A', '1'], ['X-A', '2'], ['Content-Length', '2']])
    expect(response.body.toString()).toBe('ok')
  })

  it('sends no Content-Length (nor chunked encoding) for a request without a body, even a POST', async () => {
    await new HttpSide(baseUrl).send({ method: 'POST', path: '/', headers: [['User-Agent', 'scenario-replay']], body: null })
    expect(received.at(-1)).toBe(`POST / HTTP/1.1\r\nHost: ${baseUrl.slice(7)}\r\nUser-Agent: scenario-replay\r\n\r\n`)
  })

  it('keeps cookies as a browser on plain http: sent back by path, replaced, cleared, expired, Secure kept back', async () => {
    const side = new HttpSide(baseUrl)
    const get = async (path: string): Promise<string | undefined> => {
      await side.send({ method: 'GET', path, headers: [], body: null })
      return /\r\nCookie: ([^\r]*)/.exec(received.at(-1)!)?.[1]
    }
    answer('Set-Cookie: a=1; Path=/', 'Set-Cookie: deep=2; Path=/admin', 'Set-Cookie: s=3; Secure; Path=/', 'Set-Cookie: old=4; Expires=Thu, 01 Jan 1970 00:00:00 GMT')
    expect(await get('/login')).toBeUndefined()
    expect(await get('/')).toBe('a=1')
    answer('Set-Cookie: a=changed; Path=/')
    expect(await get('/admin/x')).toBe('deep=2; a=1')
    expect(await get('/admin/y')).toBe('deep=2; a=changed')
    answer('Set-Cookie: a=; Max-Age=0; Path=/', 'Set-Cookie: deep=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/admin')
    await get('/logout')
    expect(await get('/admin/z')).toBeUndefined()
  })

  it('rejects when the service is not there', async () => {
    const side = new HttpSide('http://127.0.0.1:1')
    await expect(side.send({ method: 'GET', path: '/', headers: [], body: null })).rejects.toThrow(/ECONNREFUSED/)
  })
})
