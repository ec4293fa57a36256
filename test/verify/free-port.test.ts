import { createServer } from 'node:net'
import { expect, it } from 'vitest'
import { freePort } from '../../src/verify/service.js'

it('freePort hands out loopback ports that can be listened on, never the same one twice in a row', async () => {
  const ports = await Promise.all([freePort(), freePort(), freePort()])
  expect(new Set(ports).size).toBe(3)
  for (const port of ports) {
    await new Promise<void>((resolve, reject) => {
      const server = createServer()
      server.on('error', reject)
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()))
    })
  }
})
