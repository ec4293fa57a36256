/**
 * The cost of the data layer's synchronous Postgres bridge (src/emit/runtime/db.ts: `pg` in a
 * worker thread, the caller blocked on Atomics.wait): the same primary-key SELECT run N times
 * through PostgresConnection and through pg's own asynchronous client on the same server, and a
 * bare round trip to the worker (MessagePort + Atomics, no database). Alternating rounds; read the
 * spread, not one number, on a shared machine.
 *
 *   node --import tsx bench/pg-bridge.ts      (Postgres: MIGRATE_TEST_PGHOST/PGPORT, or a throwaway cluster)
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads'
import { loadavg } from 'node:os'
import pg from 'pg'
import { PostgresConnection } from '../src/emit/runtime/db.js'
import { startPostgres } from '../test/db/postgres.js'

const N = 3000
const ROUNDS = 5
const server = startPostgres()
if (server === null) throw new Error('Postgres cannot start here (Debian postgresql 15 is needed)')
const database = server.createDatabase('bridge_bench')
const settings = { host: server.host, port: server.port, user: server.user, database }

const setup = new pg.Client(settings)
await setup.connect()
await setup.query('CREATE TABLE post (id SERIAL PRIMARY KEY, title VARCHAR(120) NOT NULL, day DATE NOT NULL)')
await setup.query("INSERT INTO post (title, day) SELECT 'post ' || n, DATE '2024-01-01' + n FROM generate_series(1, 7) AS n")

const text = 'SELECT post.id, post.title, post.day FROM post WHERE post.id = $1'
const bridge = new PostgresConnection(settings)

// A bare round trip: what the bridge adds before the database does anything.
const signal = new Int32Array(new SharedArrayBuffer(4))
const channel = new MessageChannel()
const echo = new Worker(
  "const { workerData: { port, signal } } = require('node:worker_threads'); port.on('message', () => { port.postMessage({ result: { rows: [[1, 'post 1', '2024-01-02']], rowCount: 1 } }); Atomics.store(signal, 0, 1); Atomics.notify(signal, 0) })",
  { eval: true, workerData: { port: channel.port2, signal }, transferList: [channel.port2] },
)
echo.unref()
await new Promise((resolve) => setTimeout(resolve, 200))

const microseconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / N / 1000
console.log(`load average ${loadavg().map((n) => n.toFixed(1)).join(' ')}; ${N} queries per round`)
for (let round = 1; round <= ROUNDS; round++) {
  let start = process.hrtime.bigint()
  for (let i = 0; i < N; i++) {
    Atomics.store(signal, 0, 0)
    channel.port1.postMessage({ text, values: [i] })
    Atomics.wait(signal, 0, 0)
    receiveMessageOnPort(channel.port1)
  }
  const bare = microseconds(start)
  start = process.hrtime.bigint()
  for (let i = 0; i < N; i++) bridge.query(text, [(i % 7) + 1])
  const synchronous = microseconds(start)
  start = process.hrtime.bigint()
  for (let i = 0; i < N; i++) await setup.query(text, [(i % 7) + 1])
  const asynchronous = microseconds(start)
  console.log(
    `round ${round}: bridge ${synchronous.toFixed(1)} µs/query, pg async ${asynchronous.toFixed(1)} µs/query, difference ${(synchronous - asynchronous).toFixed(1)} µs; bare worker round trip ${bare.toFixed(1)} µs`,
  )
}
bridge.close()
await setup.end()
server.stop()
