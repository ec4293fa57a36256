import { execFileSync } from 'node:child_process'
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A throwaway Postgres for the data-layer tests. Under .ci/run the cluster is already running and
 * its socket folder and port are in MIGRATE_TEST_PGHOST / MIGRATE_TEST_PGPORT; otherwise the tests
 * start one of their own (Debian's postgresql, run as the `postgres` user) and stop it after.
 * `null` when Postgres cannot start here; under CI=true that is a failure, not a skip.
 */
export interface Postgres {
  host: string
  port: number
  user: string
  /** A new empty database; its name. */
  createDatabase(prefix: string): string
  /** SQLAlchemy's URL of a database (psycopg2, or psycopg2cffi when that is what Python has). */
  sqlalchemyUrl(database: string, driver: string): string
  stop(): void
}

const BIN = '/usr/lib/postgresql/15/bin'

function asPostgres(args: string[]): string {
  const command = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args
  return execFileSync(command[0]!, command.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 })
}

function connected(host: string, port: number, owned: string | null): Postgres {
  let counter = 0
  return {
    host,
    port,
    user: 'postgres',
    createDatabase(prefix) {
      const name = `${prefix}_${process.pid}_${++counter}_${Date.now() % 100000}`
      asPostgres([`${BIN}/createdb`, '-h', host, '-p', String(port), '-U', 'postgres', name])
      return name
    },
    sqlalchemyUrl(database, driver) {
      return `postgresql+${driver}://postgres@/${database}?host=${host}&port=${port}`
    },
    stop() {
      if (owned === null) return
      try {
        asPostgres([`${BIN}/pg_ctl`, '-D', join(owned, 'data'), '-m', 'immediate', 'stop'])
      } finally {
        rmSync(owned, { recursive: true, force: true })
      }
    },
  }
}

export function startPostgres(): Postgres | null {
  if (process.env.MIGRATE_TEST_PGHOST && process.env.MIGRATE_TEST_PGPORT) return connected(process.env.MIGRATE_TEST_PGHOST, Number(process.env.MIGRATE_TEST_PGPORT), null)
  const dir = mkdtempSync(join(tmpdir(), 'migrate-pg-'))
  try {
    chmodSync(dir, 0o755)
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    if (process.getuid?.() === 0) chownSync(dir, uid, gid)
    const port = 20000 + (process.pid % 20000)
    asPostgres([`${BIN}/initdb`, '-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync'])
    asPostgres([`${BIN}/pg_ctl`, '-D', join(dir, 'data'), '-w', '-l', join(dir, 'log'), '-o', `-k ${dir} -p ${port} -c listen_addresses='' -c fsync=off`, 'start'])
    return connected(dir, port, dir)
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    if (process.env.CI === 'true') throw error
    return null
  }
}
