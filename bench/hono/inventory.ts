/**
 * The routes of fixtures/acceptance/inventory that `npm run bench:service` loads, written by hand
 * in Hono as a Hono developer would: the same in-memory store, the request-id / service headers
 * of its after_request hook, its JSON 404 under /api/ and its 400 for a ValueError.
 */
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'

interface Item {
  id: number
  name: string
  price: number
  tags: string[]
  stock: number
}

const ITEMS = new Map<number, Item>([
  [1, { id: 1, name: 'bolt', price: 0.25, tags: ['metal'], stock: 120 }],
  [2, { id: 2, name: 'nut', price: 0.1, tags: ['metal', 'small'], stock: 300 }],
  [3, { id: 3, name: 'washer', price: 0.05, tags: [], stock: 0 }],
])
const ITEMS_PER_PAGE = 2

const publicItem = (item: Item) => ({ ...item, in_stock: item.stock > 0 })

class ValidationError extends Error {}

function validateItem(data: unknown, partial = false): Partial<Item> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new ValidationError('body must be a JSON object')
  const item = data as Record<string, unknown>
  const errors: string[] = []
  if (!partial || 'name' in item) {
    if (typeof item['name'] !== 'string' || item['name'].trim() === '') errors.push('name is required')
  }
  if ('price' in item && typeof item['price'] !== 'number') errors.push('price must be a number')
  if (errors.length > 0) throw new ValidationError(errors.join(', '))
  return item as Partial<Item>
}

const app = new Hono<{ Variables: { requestId: string } }>()

app.use(async (c, next) => {
  c.set('requestId', c.req.header('x-request-id') ?? 'none')
  await next()
  c.header('X-Request-ID', c.get('requestId'))
  c.header('X-Service', 'inventory')
})

app.get('/api/health', (c) => c.json({ status: 'ok' }))

app.get('/api/v1/items', (c) => {
  const page = Number.parseInt(c.req.query('page') ?? '1', 10) || 1
  const tag = c.req.query('tag')
  const items = [...ITEMS.values()].filter((item) => tag === undefined || item.tags.includes(tag)).map(publicItem)
  const start = (page - 1) * ITEMS_PER_PAGE
  return c.json({ items: items.slice(start, start + ITEMS_PER_PAGE), page, total: items.length, has_next: start + ITEMS_PER_PAGE < items.length })
})

app.get('/api/v1/items/search', (c) => {
  const q = (c.req.query('q') ?? '').toLowerCase()
  const limit = Math.min(Number.parseInt(c.req.query('limit') ?? '10', 10), 50)
  const hits = [...ITEMS.values()].filter((item) => item.name.includes(q)).map((item) => item.name)
  return c.json({ query: q, hits: hits.slice(0, limit), count: hits.length })
})

app.get('/api/v1/items/:id{[0-9]+}', (c) => {
  const item = ITEMS.get(Number(c.req.param('id')))
  if (item === undefined) throw new HTTPException(404)
  return c.json(publicItem(item))
})

app.on(['PUT', 'PATCH'], '/api/v1/items/:id{[0-9]+}', async (c) => {
  const item = ITEMS.get(Number(c.req.param('id')))
  if (item === undefined) throw new HTTPException(404)
  const data = validateItem(await c.req.json().catch(() => null), c.req.method === 'PATCH')
  for (const key of ['name', 'price', 'tags', 'stock'] as const) if (key in data) Object.assign(item, { [key]: data[key] })
  return c.json(publicItem(item))
})

app.get('/hello/:name', (c) => {
  const name = c.req.param('name')
  return c.html(`<p>Hello, ${name.replace(/\w\S*/g, (word) => word[0]!.toUpperCase() + word.slice(1).toLowerCase())}!</p>`)
})

const notFound = (path: string) => (path.startsWith('/api/') ? { body: { error: 'not found', path }, json: true } : { body: '<h1>Page not found</h1>', json: false })

app.notFound((c) => {
  const answer = notFound(c.req.path)
  return answer.json ? c.json(answer.body, 404) : c.html(answer.body as string, 404)
})

app.onError((error, c) => {
  if (error instanceof ValidationError) return c.json({ error: error.message }, 400)
  if (error instanceof HTTPException && error.status === 404) {
    const answer = notFound(c.req.path)
    return answer.json ? c.json(answer.body, 404) : c.html(answer.body as string, 404)
  }
  console.error(error)
  return c.text('Internal Server Error', 500)
})

const server = serve({ fetch: app.fetch, port: Number(process.env['PORT'] ?? 8080), hostname: process.env['HOST'] || undefined })
process.on('SIGTERM', () => server.close(() => process.exit(0)))
