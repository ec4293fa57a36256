/** Raw-socket HTTP helpers for the server tests (loopback only). */
import { connect, type Socket } from 'node:net'

export interface RawAnswer {
  /** The status code, null when nothing (or no status line) came back. */
  status: number | null
  statusLine: string
  /** Header names lower-cased. */
  headers: Record<string, string>
  body: string
  /** Whether the server closed the connection (within `waitMs`). */
  closed: boolean
  /** Everything received, latin-1. */
  raw: string
}

/** Parses what a server sent (one response; the body by Content-Length when there is one). */
export function parseAnswer(raw: string, closed: boolean): RawAnswer {
  const headEnd = raw.indexOf('\r\n\r\n')
  const head = headEnd < 0 ? raw : raw.slice(0, headEnd)
  const [statusLine = '', ...lines] = head.split('\r\n')
  const match = /^HTTP\/\d\.\d (\d{3})/.exec(statusLine)
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let body = headEnd < 0 ? '' : raw.slice(headEnd + 4)
  if (headers['content-length'] !== undefined) body = body.slice(0, Number(headers['content-length']))
  return { status: match ? Number(match[1]) : null, statusLine, headers, body: Buffer.from(body, 'latin1').toString('utf8'), closed, raw }
}

function complete(raw: string): boolean {
  const headEnd = raw.indexOf('\r\n\r\n')
  if (headEnd < 0) return false
  if (/^HTTP\/\d\.\d 1\d\d /.test(raw)) return true
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(raw.slice(0, headEnd))
  return length !== null && raw.length - headEnd - 4 >= Number(length[1])
}

/**
 * Sends `data` on a new connection to 127.0.0.1:`port` and collects the answer: until the server
 * closes the connection, a whole response arrived (`untilClose` false), or `waitMs` passed.
 */
export function rawRequest(port: number, data: string | Buffer, options: { waitMs?: number; untilClose?: boolean } = {}): Promise<RawAnswer> {
  const { waitMs = 10_000, untilClose = false } = options
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let raw = ''
    let done = false
    const finish = (closed: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve(parseAnswer(raw, closed))
    }
    const timer = setTimeout(() => finish(false), waitMs)
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString('latin1')
      if (!untilClose && complete(raw)) finish(false)
    })
    socket.on('close', () => finish(true))
    socket.on('error', () => finish(true))
    socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data)
  })
}

/** An open connection and what it received so far. */
export interface OpenConnection {
  socket: Socket
  received: () => string
  closed: Promise<void>
}

export function openConnection(port: number): Promise<OpenConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let raw = ''
    socket.on('data', (chunk: Buffer) => (raw += chunk.toString('latin1')))
    const closed = new Promise<void>((resolveClosed) => socket.on('close', () => resolveClosed()))
    socket.on('error', () => undefined)
    socket.once('connect', () => resolve({ socket, received: () => raw, closed }))
    socket.once('error', reject)
  })
}

/** Resolves once `predicate` holds, checking every 20 ms (bounded by the test's own timeout). */
export async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 20))
}

/** A TCP port free on the loopback interface right now (src/verify/service.ts: get-port). */
export { freePort } from '../../src/verify/service.js'
