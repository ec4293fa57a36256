/**
 * fixtures/service-bench-three-routes written by hand in Hono, as the benchmark's yardstick
 * (`npm run bench:service`): what a Hono developer would write for the same three routes.
 */
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const app = new Hono()

app.get('/ping', (c) => c.json({ ok: true }))

app.get('/users/:id{[0-9]+}', (c) => {
  const id = Number(c.req.param('id'))
  return c.json({ id, name: `user ${id}` })
})

app.post('/echo', async (c) => c.json(await c.req.json()))

const server = serve({ fetch: app.fetch, port: Number(process.env['PORT'] ?? 8080), hostname: process.env['HOST'] || undefined })
process.on('SIGTERM', () => server.close(() => process.exit(0)))
