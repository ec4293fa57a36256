/**
 * `migrate verify` on stateful apps: after the scenario, the rows each side wrote. Every SQLite
 * database file in a side's folder (`{tmp}` of `--env`, e.g. DATABASE_URL=sqlite:///{tmp}/app.db)
 * is paired with the file of the same name on the other side, and every table's rows compared,
 * matched by primary key. Columns whose values differ between two runs of Flask itself (salted
 * password hashes) are noise: found by a second Flask run, listed, not compared. A timestamp of
 * "now" (`CURRENT_TIMESTAMP`, `datetime.utcnow`) differs whenever the two sides' requests fall in
 * different seconds, which two Flask runs may not show: two such values, each within a day of the
 * comparison, are taken as the same.
 */
import BetterSqlite3 from 'better-sqlite3'
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { ClientConfig } from 'pg'
import { PostgresConnection, postgresSettings } from '../emit/runtime/db.js'

type Row = unknown[]

interface TableRows {
  columns: string[]
  /** Indexes of the primary key columns (every column when the table has none). */
  key: number[]
  rows: Row[]
}

/** A database's rows by table name. */
export type Database = Map<string, TableRows>

/** A SQLite file by its path, or the rows already read (a Postgres database: `readPostgresDatabase`). */
type Source = string | Database

function load(source: Source): Database {
  return typeof source === 'string' ? readDatabase(source) : source
}

function isSqliteFile(path: string): boolean {
  try {
    if (!statSync(path).isFile() || statSync(path).size < 100) return false
    const fd = openSync(path, 'r')
    try {
      const header = Buffer.alloc(16)
      readSync(fd, header, 0, 16, 0)
      return header.toString('latin1') === 'SQLite format 3\u0000'
    } finally {
      closeSync(fd)
    }
  } catch {
    return false
  }
}

/** The SQLite database files under `folder` (two levels deep, as apps put them in `{tmp}` or `{tmp}/instance`), by relative path. */
export function sqliteFiles(folder: string, depth = 3): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (dir: string, level: number): void => {
    if (level > depth || !existsSync(dir)) return
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path, level + 1)
      else if (isSqliteFile(path)) out.set(relative(folder, path), path)
    }
  }
  walk(folder, 0)
  return out
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

function readDatabase(path: string): Database {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true })
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((row) => row.name)
    const out: Database = new Map()
    for (const table of tables) {
      const info = db.pragma(`table_info(${quote(table)})`) as { name: string; pk: number }[]
      const columns = info.map((column) => column.name)
      const keyColumns = info.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk)
      const key = keyColumns.length > 0 ? keyColumns.map((column) => columns.indexOf(column.name)) : columns.map((_, index) => index)
      const order = key.map((index) => quote(columns[index]!)).join(', ')
      const rows = db.prepare(`SELECT * FROM ${quote(table)} ORDER BY ${order}`).raw().all() as Row[]
      out.set(table, { columns, key, rows })
    }
    return out
  } finally {
    db.close()
  }
}

/**
 * The rows of every table of a Postgres database's current schema, each value as Postgres writes
 * it as text (`2024-03-01 12:00:00.5`, `t`, `\\x00ff`), matched by primary key as on SQLite.
 */
export async function readPostgresDatabase(config: ClientConfig): Promise<Database> {
  // pg is loaded only here: a tool installed without it still verifies SQLite apps.
  const { default: pg } = await import('pg')
  const client = new pg.Client({ ...config, types: { getTypeParser: () => (text: string) => text } })
  await client.connect()
  try {
    const tables = (await client.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")).rows.map((row) => row.name)
    const out: Database = new Map()
    for (const table of tables) {
      const columns = (await client.query<{ name: string }>('SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position', [table])).rows.map((row) => row.name)
      const keyColumns = (
        await client.query<{ name: string }>(
          "SELECT k.column_name AS name FROM information_schema.table_constraints c JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema AND k.table_name = c.table_name WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = current_schema() AND c.table_name = $1 ORDER BY k.ordinal_position",
          [table],
        )
      ).rows.map((row) => row.name)
      const key = keyColumns.length > 0 ? keyColumns.map((column) => columns.indexOf(column)) : columns.map((_, index) => index)
      const order = key.map((index) => quote(columns[index]!)).join(', ')
      const rows = (await client.query<Row>({ text: `SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} ORDER BY ${order}`, rowMode: 'array' })).rows
      out.set(table, { columns, key, rows })
    }
    return out
  } finally {
    await client.end()
  }
}

function cell(value: unknown): string {
  if (value instanceof Uint8Array) return `x'${Buffer.from(value).toString('hex')}'`
  return JSON.stringify(value)
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$/

/** A SQL timestamp text within a day of now (either time zone): written by the run itself. */
function isRunTimestamp(value: unknown): boolean {
  if (typeof value !== 'string' || !TIMESTAMP.test(value)) return false
  const time = Date.parse(`${value.replace(' ', 'T').replace(/(\.\d{3})\d+$/, '$1')}Z`)
  return Number.isFinite(time) && Math.abs(time - Date.now()) < 86_400_000
}

function sameCell(a: unknown, b: unknown): boolean {
  return cell(a) === cell(b) || (isRunTimestamp(a) && isRunTimestamp(b))
}

function keyOf(row: Row, key: number[]): string {
  return JSON.stringify(key.map((index) => cell(row[index])))
}

function rowText(columns: string[], row: Row): string {
  return `{${columns.map((column, index) => `${column}: ${cell(row[index])}`).join(', ')}}`
}

/** `table.column` of every column whose value differs between two databases for rows of the same key (two runs of Flask). */
export function noisyColumns(first: Source, second: Source): Set<string> {
  const out = new Set<string>()
  const a = load(first)
  const b = load(second)
  for (const [table, rowsA] of a) {
    const rowsB = b.get(table)
    if (!rowsB || rowsB.columns.join() !== rowsA.columns.join()) continue
    const byKey = new Map(rowsB.rows.map((row) => [keyOf(row, rowsB.key), row]))
    for (const row of rowsA.rows) {
      const other = byKey.get(keyOf(row, rowsA.key))
      if (!other) continue
      rowsA.columns.forEach((column, index) => {
        if (cell(row[index]) !== cell(other[index])) out.add(`${table}.${column}`)
      })
    }
  }
  return out
}

/**
 * The differences between the rows of two databases, one line each:
 * `rows <file> <table>: key … flask {…} | service {…}`; `ignored` columns (`table.column`) are not compared.
 */
export function compareRows(label: string, flaskPath: Source, servicePath: Source, ignored: ReadonlySet<string> = new Set()): { tables: number; rows: number; differences: string[] } {
  const flask = load(flaskPath)
  const service = load(servicePath)
  const differences: string[] = []
  let rows = 0
  for (const table of [...new Set([...flask.keys(), ...service.keys()])].sort()) {
    const a = flask.get(table)
    const b = service.get(table)
    if (!a || !b) {
      differences.push(`rows ${label} ${table}: table only on the ${a ? 'flask' : 'service'} side`)
      continue
    }
    if (a.columns.join() !== b.columns.join()) {
      differences.push(`rows ${label} ${table}: columns flask (${a.columns.join(', ')}) | service (${b.columns.join(', ')})`)
      continue
    }
    const compared = a.columns.map((column) => !ignored.has(`${table}.${column}`))
    const text = (row: Row) => rowText(a.columns.filter((_, index) => compared[index]), row.filter((_, index) => compared[index]))
    const serviceByKey = new Map(b.rows.map((row) => [keyOf(row, b.key), row]))
    const flaskKeys = new Set<string>()
    for (const row of a.rows) {
      rows++
      const key = keyOf(row, a.key)
      flaskKeys.add(key)
      const other = serviceByKey.get(key)
      if (!other) differences.push(`rows ${label} ${table}: flask ${text(row)} | service (no row)`)
      else if (a.columns.some((_, index) => compared[index] && !sameCell(row[index], other[index]))) differences.push(`rows ${label} ${table}: flask ${text(row)} | service ${text(other)}`)
    }
    for (const row of b.rows) if (!flaskKeys.has(keyOf(row, b.key))) differences.push(`rows ${label} ${table}: flask (no row) | service ${text(row)}`)
  }
  return { tables: flask.size, rows, differences }
}

/**
 * The rows step of `migrate verify`: compares the SQLite files of the Flask side's folder with the
 * service's, prints each difference and a summary line, and returns the number of differences.
 * `noiseFolder` is the folder of a second Flask run of the same scenario (null: no noise known).
 */
export function verifyRows(options: { flaskFolder: string; serviceFolder: string; noiseFolder: string | null; print: (line: string) => void }): number {
  const { print } = options
  const flaskFiles = sqliteFiles(options.flaskFolder)
  const serviceFiles = sqliteFiles(options.serviceFolder)
  if (flaskFiles.size === 0 && serviceFiles.size === 0) return 0
  const noiseFiles = options.noiseFolder === null ? new Map<string, string>() : sqliteFiles(options.noiseFolder)
  let differences = 0
  let tables = 0
  let rows = 0
  for (const name of [...new Set([...flaskFiles.keys(), ...serviceFiles.keys()])].sort()) {
    const flask = flaskFiles.get(name)
    const service = serviceFiles.get(name)
    if (!flask || !service) {
      print(`rows ${name}: database only on the ${flask ? 'flask' : 'service'} side`)
      differences++
      continue
    }
    const noise = noiseFiles.has(name) ? noisyColumns(noiseFiles.get(name)!, flask) : new Set<string>()
    if (noise.size > 0) print(`noise rows ${name}: ${[...noise].sort().join(', ')} (differ between two runs of Flask: not compared)`)
    const result = compareRows(name, flask, service, noise)
    for (const line of result.differences) print(line)
    differences += result.differences.length
    tables += result.tables
    rows += result.rows
  }
  print(`rows: ${tables} tables, ${rows} rows compared in ${flaskFiles.size} database${flaskFiles.size === 1 ? '' : 's'}; ${differences} difference${differences === 1 ? '' : 's'}`)
  return differences
}

/**
 * `{db}` in an `--env` value holding a Postgres URL (`DATABASE_URL=postgresql://user@host/{db}`):
 * each side gets a fresh database of its own on that server, created before the side starts and
 * dropped when verify ends, and after the scenario their rows are compared as SQLite files' are.
 */
export class PostgresSides {
  private readonly url: string | undefined
  private readonly databases = new Map<string, string>()

  constructor(
    env: Readonly<Record<string, string>>,
    private readonly runId: string,
  ) {
    this.url = Object.values(env).find((value) => value.includes('{db}') && /^postgres(ql)?(\+\w+)?:\/\//.test(value))
  }

  /** Whether some `--env` value asks for a database per side. */
  get used(): boolean {
    return this.url !== undefined
  }

  /** The server's settings with `database` (`postgres`, the maintenance database, to create and drop). */
  private settings(database: string): ClientConfig {
    return postgresSettings(this.url!.replaceAll('{db}', database))
  }

  /** Creates `side`'s fresh database (synchronously: through the service's own Postgres bridge); its name, for `{db}`. */
  prepare(side: string): string {
    const name = `migrate_verify_${this.runId}_${side}`.toLowerCase().replace(/[^a-z0-9_]/g, '_')
    const connection = new PostgresConnection(this.settings('postgres'))
    try {
      connection.query(`CREATE DATABASE "${name}"`, [])
    } finally {
      connection.close()
    }
    this.databases.set(side, name)
    return name
  }

  /** The rows step for the two sides' databases (noise: a second Flask run's, when there is one). */
  async compare(flaskSide: string, serviceSide: string, noiseSide: string | null, print: (line: string) => void): Promise<number> {
    const read = async (side: string): Promise<Database> => readPostgresDatabase(this.settings(this.databases.get(side)!))
    const flask = await read(flaskSide)
    const noise = noiseSide !== null && this.databases.has(noiseSide) ? noisyColumns(await read(noiseSide), flask) : new Set<string>()
    if (noise.size > 0) print(`noise rows postgres: ${[...noise].sort().join(', ')} (differ between two runs of Flask: not compared)`)
    const result = compareRows('postgres', flask, await read(serviceSide), noise)
    for (const line of result.differences) print(line)
    print(`rows: ${result.tables} tables, ${result.rows} rows compared in 1 Postgres database per side; ${result.differences.length} difference${result.differences.length === 1 ? '' : 's'}`)
    return result.differences.length
  }

  /** Drops every database it created. */
  async drop(): Promise<void> {
    if (this.databases.size === 0) return
    const { default: pg } = await import('pg')
    const client = new pg.Client(this.settings('postgres'))
    await client.connect()
    try {
      for (const name of this.databases.values()) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    } finally {
      await client.end()
    }
  }
}
