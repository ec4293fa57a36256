/**
 * Flask-SQLAlchemy on the service: the models of src/db/schema.ts, a session with SQLAlchemy 1.4's
 * observable semantics, and `Model.query`. Statements are built and compiled by Kysely (SQLite's
 * or Postgres's SQL) and run synchronously on better-sqlite3, so model methods that read a
 * relationship (`self.author.username` in `to_dict()`) stay plain synchronous code, as in Python.
 *
 * What is kept from SQLAlchemy, because a client or the database can see it:
 * - the identity map: two lookups of one row in a session give one object;
 * - autoflush: pending changes are written before a query runs;
 * - the unit of work's order: INSERTs parent tables first and in `add` order (so ids are the same),
 *   association rows after both sides, DELETEs children first; `delete-orphan` and `delete` cascades,
 *   and a one-to-many without them sets the children's foreign key to NULL;
 * - expire on commit and on rollback: attributes are read again from the database on next access;
 * - `IntegrityError` from a flush, after which the session must be rolled back;
 * - values stored as SQLAlchemy stores them on SQLite: DATE `2024-03-01`, DATETIME
 *   `2024-03-01 12:00:00.000000`, BOOLEAN 0/1;
 * - lazy loads issue the statement SQLAlchemy issues (no ORDER BY unless the relationship has one),
 *   so rows come back in the same order.
 */
import BetterSqlite3 from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads'
import type { ClientConfig } from 'pg'
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type RawBuilder,
} from 'kysely'
import { PyDate, PyDateTime } from './datetime.js'
import { abort } from './errors.js'
import { Exception, RuntimeError, TypeError } from './exceptions.js'
import { afterThisRequest, currentContext } from './flask.js'
import {
  eq,
  ge,
  gt,
  jsonDumpsPy,
  Keywords as PyKeywords,
  le,
  lt,
  PyDict,
  takesKeywords,
  tuple,
  type Py,
} from './py.js'

export type Dialect = 'sqlite' | 'postgres'

export interface ColumnMeta {
  attribute: string
  name: string
  type: string
  primaryKey: boolean
  nullable: boolean
  foreignKey?: { table: string; column: string }
  default?: { value: unknown } | { call: string }
  onupdate?: { value: unknown } | { call: string }
}

export interface TableMeta {
  name: string
  model: string | null
  columns: ColumnMeta[]
}

export interface RelationshipMeta {
  model: string
  attribute: string
  target: string
  lazy: string
  uselist: boolean
  secondary: string | null
  backPopulates: string | null
  deleteOrphan: boolean
  cascadeDelete: boolean
  orderBy: [string, 'asc' | 'desc'][]
}

export interface SchemaSpec<DB> {
  tables: TableMeta[]
  relationships: RelationshipMeta[]
  sqlite: string[]
  postgres: string[]
  /** The app calls `db.create_all()` at start-up: the service creates missing tables when it connects. */
  createAll?: boolean
  /** Only a type: the stored rows, for Kysely. */
  readonly database?: DB
}

/** The schema module's data, typed by its `Database` interface. */
export function defineSchema<DB>(spec: SchemaSpec<DB>): SchemaSpec<DB> {
  return spec
}

/** What every entity type shares (a model instance). */
export interface Entity {
  readonly [STATE]?: InstanceState
}

// ---------------------------------------------------------------------------------------------
// Errors (sqlalchemy.exc)

export class SQLAlchemyError extends Exception {}
export class DBAPIError extends SQLAlchemyError {
  constructor(
    message: string,
    readonly orig: unknown = null,
  ) {
    super(message)
  }
}
export class IntegrityError extends DBAPIError {}
export class OperationalError extends DBAPIError {}
export class ProgrammingError extends DBAPIError {}
export class DataError extends DBAPIError {}
export class InvalidRequestError extends SQLAlchemyError {}
export class PendingRollbackError extends InvalidRequestError {}
export class NoResultFound extends InvalidRequestError {}
export class MultipleResultsFound extends InvalidRequestError {}
export class ObjectDeletedError extends InvalidRequestError {}
for (const [cls, name] of [
  [IntegrityError, 'IntegrityError'],
  [OperationalError, 'OperationalError'],
  [NoResultFound, 'NoResultFound'],
  [ProgrammingError, 'ProgrammingError'],
  [DataError, 'DataError'],
] as const) {
  Object.defineProperty(cls, 'name', { value: name })
}

function wrapDriverError(error: unknown, statement: string): never {
  const code = (error as { code?: unknown }).code
  const message = error instanceof Error ? error.message : String(error)
  if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'))
    throw new IntegrityError(`(sqlite3.IntegrityError) ${message}\n[SQL: ${statement}]`, error)
  if (typeof code === 'string' && code.startsWith('SQLITE_'))
    throw new OperationalError(`(sqlite3.OperationalError) ${message}\n[SQL: ${statement}]`, error)
  throw error
}

/** psycopg2's exception class names of the SQLSTATEs a service meets (psycopg2.errors). */
const PSYCOPG2_ERRORS: Record<string, string> = {
  '23505': 'UniqueViolation',
  '23503': 'ForeignKeyViolation',
  '23502': 'NotNullViolation',
  '23514': 'CheckViolation',
  '22001': 'StringDataRightTruncation',
  '22P02': 'InvalidTextRepresentation',
  '42P01': 'UndefinedTable',
  '42703': 'UndefinedColumn',
  '42601': 'SyntaxError',
  '25P02': 'InFailedSqlTransaction',
}

/** A Postgres error as SQLAlchemy wraps psycopg2's: IntegrityError for SQLSTATE class 23, and so on. */
function wrapPostgresError(error: PostgresError, statement: string): never {
  const name = PSYCOPG2_ERRORS[error.code ?? ''] ?? 'Error'
  const text = `(psycopg2.errors.${name}) ${error.message}${error.detail ? `\nDETAIL:  ${error.detail}` : ''}\n\n[SQL: ${statement}]`
  const sqlState = error.code ?? ''
  if (sqlState.startsWith('23')) throw new IntegrityError(text, error)
  if (sqlState.startsWith('22')) throw new DataError(text, error)
  if (sqlState.startsWith('42')) throw new ProgrammingError(text, error)
  throw new OperationalError(text, error)
}

// ---------------------------------------------------------------------------------------------
// Postgres, synchronously: the `pg` driver in a worker thread, the handler's thread blocked on
// Atomics.wait until the worker has the answer. Handlers call the data layer as Python code
// does (`self.author.username` in a `to_dict()`), so the data layer cannot be asynchronous; one
// connection serves the process, which runs one statement at a time.

interface PostgresError {
  message: string
  code?: string
  detail?: string
}

interface PostgresResult {
  rows: unknown[]
  rowCount: number
  /** The statement ran on a new connection: the transaction of the old one is gone. */
  reconnected?: boolean
}

type PostgresReply = { result: PostgresResult } | { error: PostgresError }

/** What a SQLAlchemy URL gives the `pg` driver (its ClientConfig: the worker imports `pg`). */
type PostgresSettings = Pick<ClientConfig, 'host' | 'port' | 'user' | 'password' | 'database'>

/**
 * The worker's code (it runs as the source text of this function, so it uses nothing from this
 * module). Values come back as psycopg2 hands them to SQLAlchemy's types: integers as numbers
 * (count(*) is a bigint), timestamps and dates as Postgres's text (the column types parse them
 * into datetime and date), JSON as its text, bytea as bytes.
 */
function postgresWorker(): void {
  const threads = require('node:worker_threads') as typeof import('node:worker_threads')
  const data = threads.workerData as {
    driver: string
    settings: PostgresSettings
    port: MessagePort
    signal: Int32Array
  }
  interface Client {
    connect(): Promise<void>
    query(config: object): Promise<{ rows: unknown[]; rowCount: number | null }>
    on(event: string, listener: (error: Error) => void): void
  }
  let lost: Error | null = null
  const open = async (): Promise<Client> => {
    const pg = require(data.driver) as {
      Client: new (config: object) => Client
      types: { getTypeParser(oid: number, format?: string): (text: string) => unknown }
    }
    const asText = (text: string): string => text
    const parsers: Record<number, (text: string) => unknown> = {
      20: Number, // int8
      1700: asText, // numeric
      1082: asText, // date
      1114: asText, // timestamp
      1184: asText, // timestamptz
      1083: asText, // time
      114: asText, // json
      3802: asText, // jsonb
    }
    const client = new pg.Client({
      ...data.settings,
      types: {
        getTypeParser: (oid: number, format?: string) =>
          parsers[oid] ?? pg.types.getTypeParser(oid, format),
      },
    })
    client.on('error', (error) => {
      lost = error
    })
    await client.connect()
    return client
  }
  let connected = open()
  // A failure to connect is the answer to the first request, not an unhandled rejection.
  connected.catch(() => undefined)
  const reply = (message: PostgresReply): void => {
    data.port.postMessage(message)
    Atomics.store(data.signal, 0, 1)
    Atomics.notify(data.signal, 0)
  }
  data.port.on(
    'message',
    (request: { text: string; values: unknown[]; rowMode?: 'array' } | { connect: true }) => {
      void (async () => {
        try {
          // A connection the server closed is replaced on the next statement, as SQLAlchemy's pool
          // replaces an invalidated one: the statement that met the failure failed, this one runs.
          let reconnected = false
          if (lost !== null) {
            lost = null
            reconnected = true
            connected = open()
            connected.catch(() => undefined)
          }
          const client = await connected
          if ('connect' in request) return reply({ result: { rows: [], rowCount: 0 } })
          const result = await client.query(request)
          reply({ result: { rows: result.rows, rowCount: result.rowCount ?? 0, reconnected } })
        } catch (caught) {
          const error = caught as { message?: string; code?: string; detail?: string }
          // No SQLSTATE (the socket closed), or a connection class one: the next statement reconnects.
          if (error.code === undefined || /^(08|57P|E[A-Z])/.test(error.code))
            lost ??= caught as Error
          reply({
            error: {
              message: String(error.message ?? caught),
              code: error.code,
              detail: error.detail,
            },
          })
        }
      })()
    },
  )
}

/** One connection to Postgres, used synchronously. */
export class PostgresConnection {
  private readonly worker: Worker
  private readonly port: MessagePort
  private readonly signal = new Int32Array(new SharedArrayBuffer(4))
  /** BEGIN was sent and neither COMMIT nor ROLLBACK since. */
  inTransaction = false

  constructor(settings: PostgresSettings) {
    const channel = new MessageChannel()
    // The function's own source is the worker's code. Loaders that keep function names (tsx,
    // esbuild) call a `__name` helper in it, defined here as the identity.
    this.worker = new Worker(`var __name = (f) => f;\n(${postgresWorker.toString()})()`, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('pg'),
        settings,
        port: channel.port2,
        signal: this.signal,
      },
      transferList: [channel.port2],
    })
    // The worker never keeps a stopping service alive.
    this.worker.unref()
    this.port = channel.port1
    this.port.unref()
    const answer = this.send({ connect: true })
    if ('error' in answer) {
      void this.worker.terminate()
      throw new OperationalError(
        `could not connect to Postgres: ${answer.error.message}`,
        answer.error,
      )
    }
  }

  private send(request: object): PostgresReply {
    Atomics.store(this.signal, 0, 0)
    this.port.postMessage(request)
    // A worker that stopped answering (it died) must not hang the service for ever.
    if (Atomics.wait(this.signal, 0, 0, 300_000) === 'timed-out')
      return { error: { message: 'the Postgres worker did not answer within 300 s' } }
    const message = receiveMessageOnPort(this.port)
    if (message === undefined) return { error: { message: 'the Postgres worker gave no answer' } }
    return message.message as PostgresReply
  }

  /** Runs one statement; its rows as objects, or as arrays with `rowMode: 'array'`. */
  query(text: string, values: readonly unknown[], rowMode?: 'array'): PostgresResult {
    const answer = this.send({ text, values, rowMode })
    if ('error' in answer) wrapPostgresError(answer.error, text)
    if (answer.result.reconnected) this.inTransaction = false
    if (/^(BEGIN|START TRANSACTION)\b/i.test(text)) this.inTransaction = true
    else if (/^(COMMIT|ROLLBACK|END)\b/i.test(text)) this.inTransaction = false
    return answer.result
  }

  close(): void {
    void this.worker.terminate()
  }
}

/** libpq's settings from a SQLAlchemy URL (`postgresql+psycopg2://user:pw@host:port/db?host=/socket/dir`). */
export function postgresSettings(url: string): PostgresSettings {
  const match =
    /^[^:]+:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?(\[[^\]]*\]|[^:/?]*)(?::(\d+))?(?:\/([^?]*))?(?:\?(.*))?$/.exec(
      url,
    )
  if (match === null) throw new OperationalError('SQLALCHEMY_DATABASE_URI is not a database URL')
  const [, user, password, host, port, database, query] = match
  const settings: PostgresSettings = {}
  if (host) settings.host = decodeURIComponent(host.replace(/^\[|\]$/g, ''))
  if (port) settings.port = Number(port)
  if (user) settings.user = decodeURIComponent(user)
  if (password) settings.password = decodeURIComponent(password)
  if (database) settings.database = decodeURIComponent(database)
  const parameters = new URLSearchParams(query ?? '')
  const socket = parameters.get('host')
  if (socket !== null) settings.host = socket
  const socketPort = parameters.get('port')
  if (socketPort !== null) settings.port = Number(socketPort)
  return settings
}

// ---------------------------------------------------------------------------------------------
// Values as SQLAlchemy stores them

const pad = (value: number, width: number): string => String(value).padStart(width, '0')

function toStored(value: unknown, column: ColumnMeta): unknown {
  if (value === null || value === undefined) return null
  switch (column.type) {
    case 'Boolean':
      return value ? 1 : 0
    case 'DateTime':
      if (value instanceof PyDateTime) {
        return `${pad(value.year, 4)}-${pad(value.month, 2)}-${pad(value.day, 2)} ${pad(value.hour, 2)}:${pad(value.minute, 2)}:${pad(value.second, 2)}.${pad(value.microsecond, 6)}`
      }
      throw new TypeError(
        'SQLite DateTime type only accepts Python datetime and date objects as input.',
      )
    case 'Date':
      if (value instanceof PyDate && !(value instanceof PyDateTime))
        return `${pad(value.year, 4)}-${pad(value.month, 2)}-${pad(value.day, 2)}`
      if (value instanceof PyDateTime)
        return `${pad(value.year, 4)}-${pad(value.month, 2)}-${pad(value.day, 2)}`
      throw new TypeError('SQLite Date type only accepts Python date objects as input.')
    case 'JSON':
      // SQLAlchemy's JSON type writes json.dumps's text (`{"a": [1, 2]}`), which a JSON column keeps as it is.
      return jsonDumpsPy(asPyJson(value))
    default:
      return value
  }
}

/** Plain objects (JSON.parse's, or written by hand) as the dicts they stand for, for json.dumps. */
function asPyJson(value: unknown): Py {
  if (Array.isArray(value)) return value.map(asPyJson)
  if (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  )
    return new PyDict(Object.entries(value).map(([key, item]) => [key, asPyJson(item)] as [Py, Py]))
  return value as Py
}

function fromStored(value: unknown, column: ColumnMeta): unknown {
  if (value === null || value === undefined) return null
  switch (column.type) {
    case 'Boolean':
      return value === 1 || value === true
    case 'DateTime': {
      const match = /^(\d+)-(\d+)-(\d+)(?: (\d+):(\d+):(\d+)(?:\.(\d+))?)?/.exec(String(value))
      if (!match) throw new ValueError(`Couldn't parse datetime string: '${String(value)}'`)
      const micro = match[7] ? Number(match[7].padEnd(6, '0').slice(0, 6)) : 0
      return new PyDateTime(
        Number(match[1]),
        Number(match[2]),
        Number(match[3]),
        Number(match[4] ?? 0),
        Number(match[5] ?? 0),
        Number(match[6] ?? 0),
        micro,
      )
    }
    case 'Date': {
      const match = /^(\d+)-(\d+)-(\d+)/.exec(String(value))
      if (!match) throw new ValueError(`Couldn't parse date string: '${String(value)}'`)
      return new PyDate(Number(match[1]), Number(match[2]), Number(match[3]))
    }
    case 'JSON':
      return JSON.parse(String(value))
    case 'Numeric':
      // Postgres's numeric arrives as its text; the service's Numeric is a number, as on SQLite.
      return typeof value === 'string' ? Number(value) : value
    case 'LargeBinary':
      return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value) : value
    default:
      return value
  }
}

class ValueError extends Exception {}

function defaultValue(spec: { value: unknown } | { call: string }): unknown {
  if ('value' in spec) return spec.value
  if (spec.call === 'datetime.utcnow') return PyDateTime.utcnow()
  if (spec.call === 'datetime.now') return PyDateTime.now()
  return PyDate.today()
}

// ---------------------------------------------------------------------------------------------
// Mapping

const STATE = Symbol('sqlalchemy.state')

interface Mapper {
  name: string
  cls: ModelClass
  table: TableMeta
  primaryKey: ColumnMeta
  columns: Map<string, ColumnMeta>
  relationships: Map<string, RelationshipMeta>
}

interface InstanceState {
  mapper: Mapper
  /** Column attribute → Python value. */
  values: Map<string, unknown>
  /** The values as last loaded or flushed (for UPDATE's changed columns). */
  committed: Map<string, unknown>
  /** Relationship attribute → the related object (many-to-one) or list, when loaded or set. */
  related: Map<string, unknown>
  /** Collections as loaded, for the rows a flush adds to or removes from an association table. */
  loadedCollections: Map<string, object[]>
  session: Session | null
  persistent: boolean
  expired: boolean
  deleted: boolean
}

export type ModelClass = (new (fields?: Keywords) => Model) & { readonly __mapper__?: Mapper }

/** Keyword arguments as translated code passes them: a Python dict of them (`py.dict(...)`) or an object. */
export type Keywords = Record<string, unknown> | PyDict | null | undefined

function keywordEntries(fields: Keywords): [string, unknown][] {
  if (fields === null || fields === undefined) return []
  if (fields instanceof PyDict) return fields.items().map(([key, value]) => [String(key), value])
  return Object.entries(fields)
}

function keywordRecord(fields: Keywords): Record<string, unknown> {
  return Object.fromEntries(keywordEntries(fields))
}

export class Model {
  declare readonly [STATE]: InstanceState
  constructor(fields: Keywords = {}) {
    const mapper = mapperOf(this.constructor as ModelClass)
    Object.defineProperty(this, STATE, {
      value: {
        mapper,
        values: new Map(),
        committed: new Map(),
        related: new Map(),
        loadedCollections: new Map(),
        session: null,
        persistent: false,
        expired: false,
        deleted: false,
      } satisfies InstanceState,
    })
    // SQLAlchemy's default constructor: keyword arguments are mapped attributes, nothing else.
    for (const [key, value] of keywordEntries(fields)) {
      if (!mapper.columns.has(key) && !mapper.relationships.has(key) && !(key in this))
        throw new TypeError(`'${key}' is an invalid keyword argument for ${mapper.name}`)
      ;(this as Record<string, unknown>)[key] = value
    }
  }
}

const mappers = new Map<ModelClass, Mapper>()

function mapperOf(cls: ModelClass): Mapper {
  for (let current: unknown = cls; current; current = Object.getPrototypeOf(current)) {
    const mapper = mappers.get(current as ModelClass)
    if (mapper) return mapper
  }
  throw new TypeError(`class ${cls.name} is not mapped`)
}

/** The app's `db`: the first SQLAlchemy object made (translated `db = SQLAlchemy()`), else one made for the schema. */
let defaultDatabase: SQLAlchemy | null = null

/**
 * Maps a translated model class (`class Post extends Model`) to its table of the service's
 * schema (src/db-schema.ts), as Flask-SQLAlchemy's declarative base does when the class is created.
 */
export function mapModel<C extends ModelClass>(cls: C, schema: SchemaSpec<unknown>): C {
  if (defaultDatabase === null) defaultDatabase = new SQLAlchemy(schema)
  defaultDatabase.useSchema(schema)
  return defaultDatabase.register(cls)
}

const METHOD_PARAMETERS = new WeakMap<object, Record<string, string[]>>()

/** The parameter names (after self) of a model class's methods, for calls with keywords (callModelMethod). */
export function methodParameters(cls: ModelClass, methods: Record<string, string[]>): void {
  METHOD_PARAMETERS.set(cls, methods)
}

/**
 * `obj.name(*positional, **keywords)` on a model the translator could not type
 * (`post.to_dict(with_comments=True)`): the keywords bound to the method's parameters by name,
 * with Python's TypeErrors for an unknown or repeated one.
 */
export function callModelMethod(
  obj: unknown,
  name: string,
  positional: unknown[],
  keywords: Record<string, unknown>,
): unknown {
  let params: string[] | undefined
  for (
    let cls = (obj as object | null)?.constructor;
    obj instanceof Model && cls !== undefined && cls !== Model;
    cls = Object.getPrototypeOf(cls)
  ) {
    params = METHOD_PARAMETERS.get(cls)?.[name]
    if (params !== undefined) break
  }
  const method = (obj as Record<string, unknown> | null)?.[name]
  if (typeof method !== 'function' || params === undefined)
    throw new TypeError(
      `${name}() was called with keyword arguments (${Object.keys(keywords).join(', ')}) the service cannot bind by name`,
    )
  const values: unknown[] = [...positional]
  if (values.length > params.length)
    throw new TypeError(
      `${name}() takes ${params.length + 1} positional arguments but ${values.length + 1} were given`,
    )
  for (const [key, value] of Object.entries(keywords)) {
    const index = params.indexOf(key)
    if (index < 0)
      throw new TypeError(
        `${(obj as Model).constructor.name}.${name}() got an unexpected keyword argument '${key}'`,
      )
    if (index < positional.length)
      throw new TypeError(
        `${(obj as Model).constructor.name}.${name}() got multiple values for argument '${key}'`,
      )
    values[index] = value
  }
  return (method as (...args: unknown[]) => unknown).apply(obj, values)
}

/** `db = SQLAlchemy()` / `SQLAlchemy(app)` in translated code: the app's one `db`. */
export function sqlalchemy(): SQLAlchemy {
  defaultDatabase ??= new SQLAlchemy()
  return defaultDatabase
}

/** Where the app's database is (src/db-schema.ts calls this with the service's config). */
export function configureDatabase(
  schema: SchemaSpec<unknown>,
  url: () => string | undefined,
  instanceDir: string,
): void {
  if (defaultDatabase === null) defaultDatabase = new SQLAlchemy(schema)
  defaultDatabase.useSchema(schema)
  defaultDatabase.configure(url, instanceDir)
}

function stateOf(obj: unknown): InstanceState {
  const state = (obj as { [STATE]?: InstanceState } | null)?.[STATE]
  if (!state) throw new TypeError(`${String(obj)} is not a mapped instance`)
  return state
}

/** The primary key of a mapped object, also while it is expired (SQLAlchemy keeps its identity). */
function primaryKeyOf(obj: Model): unknown {
  const state = stateOf(obj)
  const attribute = state.mapper.primaryKey.attribute
  return state.values.get(attribute) ?? state.committed.get(attribute) ?? null
}

function identityKey(mapper: Mapper, id: unknown): string {
  return `${mapper.table.name}\0${String(id)}`
}

/** `"table"."column"` as SQLite and Postgres quote identifiers. */
function quotedRef(table: string, column: string): string {
  return `"${table.replace(/"/g, '""')}"."${column.replace(/"/g, '""')}"`
}

const selectLists = new WeakMap<TableMeta, RawBuilder<unknown>>()

/** Every column of a table, qualified, for a SELECT (built once per table). */
function selectList(table: TableMeta): RawBuilder<unknown> {
  let list = selectLists.get(table)
  if (list === undefined) {
    list = sql.raw(table.columns.map((c) => quotedRef(table.name, c.name)).join(', '))
    selectLists.set(table, list)
  }
  return list
}

// ---------------------------------------------------------------------------------------------
// SQL expressions (Model.column == value, .desc(), .like(), …)

/** A column of a model used in an expression: `Post.day`, `User.username`. */
export class ColumnExpression {
  constructor(
    readonly table: string,
    readonly column: ColumnMeta,
  ) {
    this.quoted = sql.raw(quotedRef(table, column.name))
  }
  /** `"table"."column"`, quoted once (Kysely would parse the reference on every compile). */
  private readonly quoted: RawBuilder<unknown>
  ref(): RawBuilder<unknown> {
    return this.quoted
  }
  private compare(operator: string, value: unknown): Criterion {
    if (value === null || value === undefined) {
      if (operator === '=') return new Criterion(sql`${this.ref()} IS NULL`)
      if (operator === '!=') return new Criterion(sql`${this.ref()} IS NOT NULL`)
    }
    if (value instanceof ColumnExpression)
      return new Criterion(sql`${this.ref()} ${sql.raw(operator)} ${value.ref()}`)
    return new Criterion(sql`${this.ref()} ${sql.raw(operator)} ${toStored(value, this.column)}`)
  }
  eq(value: unknown): Criterion {
    return this.compare('=', value)
  }
  ne(value: unknown): Criterion {
    return this.compare('!=', value)
  }
  lt(value: unknown): Criterion {
    return this.compare('<', value)
  }
  le(value: unknown): Criterion {
    return this.compare('<=', value)
  }
  gt(value: unknown): Criterion {
    return this.compare('>', value)
  }
  ge(value: unknown): Criterion {
    return this.compare('>=', value)
  }
  like(pattern: string): Criterion {
    return new Criterion(sql`${this.ref()} LIKE ${pattern}`)
  }
  /** SQLAlchemy's ilike: lower() on both sides (SQLite and Postgres alike). */
  ilike(pattern: string): Criterion {
    return new Criterion(sql`lower(${this.ref()}) LIKE lower(${pattern})`)
  }
  in_(values: unknown[]): Criterion {
    if (values.length === 0) return new Criterion(sql`1 != 1`)
    return new Criterion(
      sql`${this.ref()} IN (${sql.join(values.map((value) => toStored(value, this.column)))})`,
    )
  }
  notin_(values: unknown[]): Criterion {
    if (values.length === 0) return new Criterion(sql`1 = 1`)
    return new Criterion(
      sql`(${this.ref()} NOT IN (${sql.join(values.map((value) => toStored(value, this.column)))}))`,
    )
  }
  not_in(values: unknown[]): Criterion {
    return this.notin_(values)
  }
  /** SQLAlchemy's contains/startswith/endswith: LIKE with the value concatenated, its % and _ not escaped. */
  contains(value: string): Criterion {
    return new Criterion(sql`(${this.ref()} LIKE '%' || ${value} || '%')`)
  }
  startswith(value: string): Criterion {
    return new Criterion(sql`(${this.ref()} LIKE ${value} || '%')`)
  }
  endswith(value: string): Criterion {
    return new Criterion(sql`(${this.ref()} LIKE '%' || ${value})`)
  }
  between(low: unknown, high: unknown): Criterion {
    return new Criterion(
      sql`${this.ref()} BETWEEN ${toStored(low, this.column)} AND ${toStored(high, this.column)}`,
    )
  }
  is_not(value: null): Criterion {
    return this.compare('!=', value)
  }
  is_(value: null): Criterion {
    return this.compare('=', value)
  }
  isnot(value: null): Criterion {
    return this.compare('!=', value)
  }
  desc(): Ordering {
    return new Ordering(this, 'desc')
  }
  asc(): Ordering {
    return new Ordering(this, 'asc')
  }
}

export class Criterion {
  constructor(readonly sql: RawBuilder<unknown>) {}
}

export class Ordering {
  constructor(
    readonly column: SqlExpression,
    readonly direction: 'asc' | 'desc',
  ) {}
}

/** What can be selected, grouped or ordered by: a column or a SQL function of columns. */
export interface SqlExpression {
  ref(): RawBuilder<unknown>
}

/** `func.count(post_tags.c.post_id)`, `func.lower(User.name)`, …: a SQL function call. */
export class FunctionExpression implements SqlExpression {
  constructor(
    readonly name: string,
    readonly args: unknown[],
  ) {}
  ref(): RawBuilder<unknown> {
    if (this.name === 'count' && this.args.length === 0) return sql`count(*)`
    return sql`${sql.raw(this.name)}(${sql.join(this.args.map((arg) => (isExpression(arg) ? arg.ref() : sql`${arg}`)))})`
  }
  desc(): Ordering {
    return new Ordering(this, 'desc')
  }
  asc(): Ordering {
    return new Ordering(this, 'asc')
  }
}

function isExpression(value: unknown): value is SqlExpression {
  return value instanceof ColumnExpression || value instanceof FunctionExpression
}

const SQL_FUNCTIONS = [
  'count',
  'max',
  'min',
  'sum',
  'avg',
  'lower',
  'upper',
  'length',
  'coalesce',
  'abs',
  'round',
] as const

/** SQLAlchemy's `func`: the SQL functions translated code calls (`func.count(...)`). */
export const func: Record<
  (typeof SQL_FUNCTIONS)[number],
  (...args: unknown[]) => FunctionExpression
> = Object.fromEntries(
  SQL_FUNCTIONS.map((name) => [name, (...args: unknown[]) => new FunctionExpression(name, args)]),
) as Record<(typeof SQL_FUNCTIONS)[number], (...args: unknown[]) => FunctionExpression>

/** A `db.Table(...)` in translated code: its columns as `table.c.name`. */
export class TableExpression {
  readonly c: Record<string, ColumnExpression>
  constructor(readonly meta: TableMeta) {
    this.c = Object.fromEntries(
      meta.columns.map((column) => [column.attribute, new ColumnExpression(meta.name, column)]),
    )
  }
}

/** `post_tags = db.Table("post_tags", ...)` in translated code: the schema's table of that name. */
export function sqlTable(name: string): TableExpression {
  return new TableExpression(sqlalchemy().tableMeta(name))
}

const MIRRORED = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' } as const

/**
 * A comparison inside `filter(...)`: SQL when a side is a column (`Post.author_id == 2`,
 * `2 == Post.author_id`), else Python's comparison of the two values, as SQLAlchemy's operators do.
 */
export function sqlCompare(
  operator: keyof typeof MIRRORED,
  left: unknown,
  right: unknown,
): Criterion | boolean {
  if (left instanceof ColumnExpression) return left[operator](right)
  if (right instanceof ColumnExpression) return right[MIRRORED[operator]](left)
  switch (operator) {
    case 'eq':
      return eq(left, right)
    case 'ne':
      return !eq(left, right)
    case 'lt':
      return lt(left, right)
    case 'le':
      return le(left, right)
    case 'gt':
      return gt(left, right)
    case 'ge':
      return ge(left, right)
  }
}

/** A criterion, or a Python bool (a comparison neither side of which is a column), which SQLAlchemy coerces to true()/false(). */
function criterionOf(criterion: Criterion | boolean): Criterion {
  if (typeof criterion === 'boolean') return new Criterion(criterion ? sql`1 = 1` : sql`1 = 0`)
  return criterion
}
export function and_(...criteria: (Criterion | boolean)[]): Criterion {
  return new Criterion(
    sql`(${sql.join(
      criteria.map((c) => criterionOf(c).sql),
      sql` AND `,
    )})`,
  )
}
export function or_(...criteria: (Criterion | boolean)[]): Criterion {
  return new Criterion(
    sql`(${sql.join(
      criteria.map((c) => criterionOf(c).sql),
      sql` OR `,
    )})`,
  )
}
export function not_(criterion: Criterion | boolean): Criterion {
  return new Criterion(sql`NOT (${criterionOf(criterion).sql})`)
}

/** `Post.tags` in a query: `.any(name="garden")`, `.has(...)` as an EXISTS subquery. */
export class RelationshipExpression {
  constructor(
    private readonly db: SQLAlchemy,
    private readonly mapper: Mapper,
    private readonly rel: RelationshipMeta,
  ) {}

  /** `query.join(Post.tags)`: the JOINs along the relationship from its model's table (through the association table of a many-to-many). */
  joinsFrom(from: Mapper): { table: string; on: RawBuilder<unknown> }[] {
    if (from !== this.mapper)
      throw new InvalidRequestError(
        `join(${this.mapper.name}.${this.rel.attribute}) from a query of ${from.name}`,
      )
    const own = this.mapper.table.name
    const target = mapperByName(this.db, this.rel.target)
    const ownId = sql.ref(`${own}.${this.mapper.primaryKey.name}`)
    if (this.rel.secondary) {
      const secondary = this.db.tableMeta(this.rel.secondary)
      const ownKey = secondary.columns.find((c) => c.foreignKey?.table === own)!
      const targetKey = secondary.columns.find(
        (c) => c.foreignKey?.table === target.table.name && c !== ownKey,
      )!
      return [
        {
          table: secondary.name,
          on: sql`${ownId} = ${sql.ref(`${secondary.name}.${ownKey.name}`)}`,
        },
        {
          table: target.table.name,
          on: sql`${sql.ref(`${target.table.name}.${targetKey.foreignKey!.column}`)} = ${sql.ref(`${secondary.name}.${targetKey.name}`)}`,
        },
      ]
    }
    const backward = target.table.columns.find((c) => c.foreignKey?.table === own)
    const forward = this.mapper.table.columns.find((c) => c.foreignKey?.table === target.table.name)
    if (this.rel.uselist && backward)
      return [
        {
          table: target.table.name,
          on: sql`${ownId} = ${sql.ref(`${target.table.name}.${backward.name}`)}`,
        },
      ]
    if (forward)
      return [
        {
          table: target.table.name,
          on: sql`${sql.ref(`${target.table.name}.${target.primaryKey.name}`)} = ${sql.ref(`${own}.${forward.name}`)}`,
        },
      ]
    throw new InvalidRequestError(
      `Don't know how to join along ${this.mapper.name}.${this.rel.attribute}`,
    )
  }

  private criteria(target: Mapper, filter: Criterion | Keywords): RawBuilder<unknown>[] {
    if (filter === undefined || filter === null) return []
    if (filter instanceof Criterion) return [filter.sql]
    return keywordEntries(filter).map(([key, value]) => column(target.cls, key).eq(value).sql)
  }

  /** `relationship.any(...)`: some related row matches (one-to-many or many-to-many). */
  any(filter?: Criterion | Keywords): Criterion {
    const own = this.mapper.table.name
    const target = mapperByName(this.db, this.rel.target)
    const ownId = sql.ref(`${own}.${this.mapper.primaryKey.name}`)
    let conditions: RawBuilder<unknown>[]
    let from: RawBuilder<unknown>
    if (this.rel.secondary) {
      const secondary = this.db.tableMeta(this.rel.secondary)
      const ownKey = secondary.columns.find((c) => c.foreignKey?.table === own)!
      const targetKey = secondary.columns.find(
        (c) => c.foreignKey?.table === target.table.name && c !== ownKey,
      )!
      from = sql`${sql.table(secondary.name)}, ${sql.table(target.table.name)}`
      conditions = [
        sql`${ownId} = ${sql.ref(`${secondary.name}.${ownKey.name}`)}`,
        sql`${sql.ref(`${target.table.name}.${targetKey.foreignKey!.column}`)} = ${sql.ref(`${secondary.name}.${targetKey.name}`)}`,
      ]
    } else {
      const fk = target.table.columns.find((c) => c.foreignKey?.table === own)
      if (!this.rel.uselist || !fk)
        throw new InvalidRequestError(
          `${this.mapper.name}.${this.rel.attribute}.any() needs a collection; use has()`,
        )
      from = sql.table(target.table.name)
      conditions = [sql`${ownId} = ${sql.ref(`${target.table.name}.${fk.name}`)}`]
    }
    conditions.push(...this.criteria(target, filter))
    return new Criterion(
      sql`(EXISTS (SELECT 1 FROM ${from} WHERE ${sql.join(conditions, sql` AND `)}))`,
    )
  }

  /** `relationship.has(...)`: the related row of a many-to-one matches. */
  has(filter?: Criterion | Keywords): Criterion {
    const own = this.mapper.table.name
    const target = mapperByName(this.db, this.rel.target)
    const fk = this.mapper.table.columns.find((c) => c.foreignKey?.table === target.table.name)
    if (this.rel.uselist || !fk)
      throw new InvalidRequestError(
        `${this.mapper.name}.${this.rel.attribute}.has() needs a many-to-one; use any()`,
      )
    const conditions = [
      sql`${sql.ref(`${target.table.name}.${target.primaryKey.name}`)} = ${sql.ref(`${own}.${fk.name}`)}`,
      ...this.criteria(target, filter),
    ]
    return new Criterion(
      sql`(EXISTS (SELECT 1 FROM ${sql.table(target.table.name)} WHERE ${sql.join(conditions, sql` AND `)}))`,
    )
  }
}

/** `db.text("...")`: a textual statement for `db.session.execute`. */
export class TextClause {
  constructor(readonly text: string) {}
}

/** `Model.attribute` as an expression: what `Post.day` is in a filter or order_by. */
export function column<M extends ModelClass>(model: M, attribute: string): ColumnExpression {
  const mapper = mapperOf(model)
  const meta = mapper.columns.get(attribute)
  if (!meta) throw new TypeError(`type object '${mapper.name}' has no column '${attribute}'`)
  return new ColumnExpression(mapper.table.name, meta)
}

// ---------------------------------------------------------------------------------------------
// Query

interface QueryState {
  where: Criterion[]
  order: Ordering[]
  limit: number | null
  offset: number | null
  joins: { table: string; on: RawBuilder<unknown> }[]
}

/** `Model.query` and a `lazy="dynamic"` relationship: Flask-SQLAlchemy's Query. */
export class Query<T = Model> {
  constructor(
    private readonly db: SQLAlchemy,
    private readonly mapper: Mapper,
    private readonly state: QueryState = {
      where: [],
      order: [],
      limit: null,
      offset: null,
      joins: [],
    },
  ) {}

  private with(change: Partial<QueryState>): Query<T> {
    return new Query<T>(this.db, this.mapper, { ...this.state, ...change })
  }

  filter_by(fields: Keywords): Query<T> {
    const criteria = keywordEntries(fields).map(([key, value]) =>
      column(this.mapper.cls, key).eq(value),
    )
    return this.with({ where: [...this.state.where, ...criteria] })
  }

  filter(...criteria: Criterion[]): Query<T> {
    // A Python comparison that was not translated to SQL (`Post.id == 3` evaluated to a bool) must not filter silently.
    for (const criterion of criteria)
      if (!(criterion instanceof Criterion))
        throw new TypeError(`filter() takes SQL expressions, not ${typeof criterion}`)
    return this.with({ where: [...this.state.where, ...criteria] })
  }

  order_by(...orderings: (Ordering | SqlExpression | null)[]): Query<T> {
    // `order_by(None)`: SQLAlchemy's way to drop the ordering so far.
    if (orderings.length === 1 && orderings[0] === null) return this.with({ order: [] })
    return this.with({
      order: [
        ...this.state.order,
        ...orderings.map((o) => {
          if (o === null) throw new TypeError('order_by(None) takes no other argument')
          return o instanceof Ordering ? o : new Ordering(o, 'asc')
        }),
      ],
    })
  }

  limit(limit: number | null): Query<T> {
    return this.with({ limit })
  }

  offset(offset: number | null): Query<T> {
    return this.with({ offset })
  }

  /** `query.join(Target)` along the one foreign key between the two tables. */
  join(target: ModelClass | RelationshipExpression): Query<T> {
    if (target instanceof RelationshipExpression)
      return this.with({ joins: [...this.state.joins, ...target.joinsFrom(this.mapper)] })
    const other = mapperOf(target)
    const forward = this.mapper.table.columns.find((c) => c.foreignKey?.table === other.table.name)
    const backward = other.table.columns.find((c) => c.foreignKey?.table === this.mapper.table.name)
    const on = forward
      ? sql`${sql.ref(`${other.table.name}.${forward.foreignKey!.column}`)} = ${sql.ref(`${this.mapper.table.name}.${forward.name}`)}`
      : backward
        ? sql`${sql.ref(`${this.mapper.table.name}.${backward.foreignKey!.column}`)} = ${sql.ref(`${other.table.name}.${backward.name}`)}`
        : null
    if (on === null) throw new InvalidRequestError(`Don't know how to join to ${other.name}`)
    return this.with({ joins: [...this.state.joins, { table: other.table.name, on }] })
  }

  private select(columns: RawBuilder<unknown>): RawBuilder<unknown> {
    const table = this.mapper.table.name
    const parts: RawBuilder<unknown>[] = [sql`SELECT ${columns} FROM ${sql.table(table)}`]
    for (const join of this.state.joins)
      parts.push(sql`JOIN ${sql.table(join.table)} ON ${join.on}`)
    if (this.state.where.length > 0)
      parts.push(
        sql`WHERE ${sql.join(
          this.state.where.map((c) => c.sql),
          sql` AND `,
        )}`,
      )
    if (this.state.order.length > 0)
      parts.push(
        sql`ORDER BY ${sql.join(this.state.order.map((o) => sql`${o.column.ref()} ${sql.raw(o.direction.toUpperCase())}`))}`,
      )
    if (this.state.limit !== null || this.state.offset !== null) {
      // SQLAlchemy on SQLite: LIMIT -1 when there is only an offset (NULL, no limit, on Postgres).
      parts.push(sql`LIMIT ${this.state.limit ?? this.db.noLimit}`)
      if (this.state.offset !== null) parts.push(sql`OFFSET ${this.state.offset}`)
    }
    return sql.join(parts, sql` `)
  }

  all(): T[] {
    this.db.session.autoflush()
    return this.db.session.loadRows(
      this.mapper,
      this.db.run(this.select(selectList(this.mapper.table))),
    ) as T[]
  }

  first(): T | null {
    return this.limit(1).all()[0] ?? null
  }

  one(): T {
    const rows = this.limit(2).all()
    if (rows.length === 0) throw new NoResultFound('No row was found when one was required')
    if (rows.length > 1)
      throw new MultipleResultsFound('Multiple rows were found when exactly one was required')
    return rows[0]!
  }

  one_or_none(): T | null {
    const rows = this.limit(2).all()
    if (rows.length > 1)
      throw new MultipleResultsFound('Multiple rows were found when one or none was required')
    return rows[0] ?? null
  }

  count(): number {
    this.db.session.autoflush()
    const inner = this.select(selectList(this.mapper.table))
    const rows = this.db.run(sql`SELECT count(*) AS count_1 FROM (${inner}) AS anon_1`)
    return Number((rows[0] as { count_1: number }).count_1)
  }

  /** `Query.get(id)`: the identity map first, then the database. */
  get(id: unknown): T | null {
    return this.db.session.get(this.mapper.cls, id) as T | null
  }

  get_or_404(id: unknown, description?: string | Keywords): T {
    if (typeof description === 'object')
      description = keywordRecord(description).description as string | undefined
    const found = this.get(id)
    if (found === null) abort(404, description)
    return found
  }

  first_or_404(description?: string | Keywords): T {
    if (typeof description === 'object')
      description = keywordRecord(description).description as string | undefined
    const found = this.first()
    if (found === null) abort(404, description)
    return found
  }

  paginate(
    options:
      | {
          page?: number | null
          per_page?: number | null
          max_per_page?: number | null
          error_out?: boolean
          count?: boolean
        }
      | PyDict = {},
  ): Pagination<T> {
    return new Pagination<T>(this, options instanceof PyDict ? keywordRecord(options) : options)
  }

  [Symbol.iterator](): Iterator<T> {
    return this.all()[Symbol.iterator]()
  }
}

/** Flask-SQLAlchemy 3.0's Pagination (page arguments given; without them, read from the request as Flask does). */
export class Pagination<T> {
  readonly page: number
  readonly per_page: number
  readonly items: T[]
  readonly total: number | null

  constructor(
    query: Query<T>,
    options: {
      page?: number | null
      per_page?: number | null
      max_per_page?: number | null
      error_out?: boolean
      count?: boolean
    },
  ) {
    const errorOut = options.error_out ?? true
    let page = options.page ?? null
    let perPage = options.per_page ?? null
    if (page === null || perPage === null) {
      let args: URLSearchParams | null = null
      try {
        args = new URL(currentContext().req.url).searchParams
      } catch {
        args = null
      }
      const intArg = (name: string, fallback: number): number => {
        const raw = args?.get(name)
        if (raw === null || raw === undefined) return fallback
        const parsed = /^\s*[+-]?\d+\s*$/.test(raw) ? Number.parseInt(raw, 10) : Number.NaN
        if (Number.isNaN(parsed)) {
          if (errorOut) abort(404)
          return fallback
        }
        return parsed
      }
      if (page === null) page = args ? intArg('page', 1) : 1
      if (perPage === null) perPage = args ? intArg('per_page', 20) : 20
    }
    const maxPerPage = options.max_per_page === undefined ? 100 : options.max_per_page
    if (maxPerPage !== null) perPage = Math.min(perPage, maxPerPage)
    if (page < 1) {
      if (errorOut) abort(404)
      page = 1
    }
    if (perPage < 1) {
      if (errorOut) abort(404)
      perPage = 20
    }
    this.page = page
    this.per_page = perPage
    this.items = query
      .limit(perPage)
      .offset((page - 1) * perPage)
      .all()
    if (this.items.length === 0 && page !== 1 && errorOut) abort(404)
    // Flask-SQLAlchemy 3.0 counts `query.order_by(None)`: no ORDER BY in the count's subquery.
    this.total = options.count === false ? null : query.order_by(null).count()
  }

  get first(): number {
    return this.items.length === 0 ? 0 : (this.page - 1) * this.per_page + 1
  }
  get last(): number {
    return Math.max(this.first, this.first + this.items.length - 1)
  }
  get pages(): number {
    return this.total === 0 || this.total === null ? 0 : Math.ceil(this.total / this.per_page)
  }
  get has_prev(): boolean {
    return this.page > 1
  }
  get prev_num(): number | null {
    return this.has_prev ? this.page - 1 : null
  }
  get has_next(): boolean {
    return this.page < this.pages
  }
  get next_num(): number | null {
    return this.has_next ? this.page + 1 : null
  }
  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]()
  }

  /**
   * Flask-SQLAlchemy 3.0's `iter_pages(*, left_edge=2, left_current=2, right_current=4,
   * right_edge=2)`: the page numbers of a pagination widget, None for each gap.
   */
  iter_pages(...args: unknown[]): (number | null)[] {
    // Keyword-only: from a template (or a translated call) the keywords come as one trailing object.
    const options = args.at(-1)
    if (
      args.length > 1 ||
      (args.length === 1 &&
        !(options instanceof PyKeywords || options instanceof PyDict || options === undefined))
    )
      throw new TypeError(
        `iter_pages() takes 1 positional argument but ${args.length + 1} were given`,
      )
    const given =
      options instanceof PyKeywords
        ? Object.fromEntries(options.entries)
        : keywordRecord(options as Keywords)
    for (const name of Object.keys(given))
      if (!['left_edge', 'left_current', 'right_current', 'right_edge'].includes(name))
        throw new TypeError(`iter_pages() got an unexpected keyword argument '${name}'`)
    const option = (name: string, fallback: number): number =>
      given[name] === undefined ? fallback : Number(given[name])
    const leftEdge = option('left_edge', 2)
    const leftCurrent = option('left_current', 2)
    const rightCurrent = option('right_current', 4)
    const rightEdge = option('right_edge', 2)
    const out: (number | null)[] = []
    const range = (start: number, end: number): void => {
      for (let n = start; n < end; n++) out.push(n)
    }
    const pagesEnd = this.pages + 1
    if (pagesEnd === 1) return out
    const leftEnd = Math.min(1 + leftEdge, pagesEnd)
    range(1, leftEnd)
    if (leftEnd === pagesEnd) return out
    const midStart = Math.max(leftEnd, this.page - leftCurrent)
    const midEnd = Math.min(this.page + rightCurrent + 1, pagesEnd)
    if (midStart - leftEnd > 0) out.push(null)
    range(midStart, midEnd)
    if (midEnd === pagesEnd) return out
    const rightStart = Math.max(midEnd, pagesEnd - rightEdge)
    if (rightStart - midEnd > 0) out.push(null)
    range(rightStart, pagesEnd)
    return out
  }
}

takesKeywords(Pagination.prototype.iter_pages)

// ---------------------------------------------------------------------------------------------
// Session

/** SQLAlchemy's `SessionTransaction` as `with session.begin():` uses it. */
export class SessionTransaction {
  constructor(private readonly session: Session) {}

  __enter__(): SessionTransaction {
    return this
  }

  __exit__(_type: unknown, error: unknown): boolean {
    if (error === null || error === undefined) this.session.commit()
    else this.session.rollback()
    return false
  }
}

export class Session {
  private readonly identityMap = new Map<string, Model>()
  /** Objects added and not yet flushed, in `add` order. */
  private readonly pending: Model[] = []
  private readonly deletedObjects: Model[] = []
  /**
   * The persistent objects a flush must look at: those an attribute was set on, or whose
   * collection is loaded (a list can change in place). Others cannot have changes to write.
   */
  private readonly watched = new Set<Model>()
  private inTransaction = false
  /** A query ran since the last commit or rollback (reads do not open a SQLite transaction here, SQLAlchemy's do). */
  private queried = false
  private needsRollback = false
  private flushing = false
  autoflushEnabled = true

  constructor(private readonly db: SQLAlchemy) {}

  /**
   * `session.begin()`, SQLAlchemy's: a transaction as a context manager (`with
   * db.session.begin():` commits when the block ends, rolls back when it raises); an
   * InvalidRequestError when the session already began one (any query or flush does).
   */
  begin(): SessionTransaction {
    if (this.inTransaction || this.queried)
      throw new InvalidRequestError('A transaction is already begun on this Session.')
    this.autobegin()
    return new SessionTransaction(this)
  }

  /** The transaction the session begins by itself before its first statement. */
  private autobegin(): void {
    if (!this.inTransaction) {
      // A transaction another session left open belongs to a request that ended without its
      // teardown (an unhandled error): rolled back, as Flask-SQLAlchemy's teardown would have.
      // Handlers run synchronously between awaits, so no other request is inside one now.
      if (this.db.connectionInTransaction()) this.db.runStatement('ROLLBACK')
      this.db.runStatement('BEGIN')
      this.inTransaction = true
    }
  }

  private checkUsable(): void {
    if (this.needsRollback) {
      throw new PendingRollbackError(
        "This Session's transaction has been rolled back due to a previous exception during flush. To begin a new transaction with this Session, first issue Session.rollback().",
      )
    }
  }

  add(obj: Model): void {
    this.checkUsable()
    const state = stateOf(obj)
    if (state.deleted) return
    if (state.session === this && (state.persistent || this.pending.includes(obj))) return
    state.session = this
    if (!state.persistent) this.pending.push(obj)
    // save-update cascade: related objects come along.
    for (const value of state.related.values()) {
      const items = Array.isArray(value) ? value : value ? [value] : []
      for (const item of items)
        if (item instanceof Model && stateOf(item).session !== this) this.add(item)
    }
  }

  add_all(objects: Iterable<Model>): void {
    for (const obj of objects) this.add(obj)
  }

  delete(obj: Model): void {
    this.checkUsable()
    const state = stateOf(obj)
    if (!state.persistent)
      throw new InvalidRequestError(`Instance '${state.mapper.name}' is not persisted`)
    state.session = this
    if (!this.deletedObjects.includes(obj)) this.deletedObjects.push(obj)
  }

  get(cls: ModelClass, id: unknown): Model | null {
    this.checkUsable()
    const mapper = mapperOf(cls)
    const key = identityKey(mapper, id)
    const cached = this.identityMap.get(key)
    if (cached && !stateOf(cached).expired) return stateOf(cached).deleted ? null : cached
    this.autoflush()
    const rows = this.db.runShape(
      `get\0${mapper.table.name}`,
      (key) =>
        sql`SELECT ${sql.join(mapper.table.columns.map((c) => sql.ref(`${mapper.table.name}.${c.name}`)))} FROM ${sql.table(mapper.table.name)} WHERE ${sql.ref(`${mapper.table.name}.${mapper.primaryKey.name}`)} = ${key}`,
      [id],
    )
    return this.loadRows(mapper, rows)[0] ?? null
  }

  /** Rows of `mapper`'s table as its objects: the identity map's when loaded (refreshed if expired). */
  loadRows(mapper: Mapper, rows: Record<string, unknown>[]): Model[] {
    return rows.map((row) => {
      const id = row[mapper.primaryKey.name]
      const key = identityKey(mapper, id)
      let obj = this.identityMap.get(key)
      if (!obj) {
        obj = Object.create(mapper.cls.prototype) as Model
        Object.defineProperty(obj, STATE, {
          value: {
            mapper,
            values: new Map(),
            committed: new Map(),
            related: new Map(),
            loadedCollections: new Map(),
            session: this,
            persistent: true,
            expired: true,
            deleted: false,
          } satisfies InstanceState,
        })
        this.identityMap.set(key, obj)
      }
      const state = stateOf(obj)
      if (state.expired) {
        for (const column of mapper.table.columns) {
          const value = fromStored(row[column.name], column)
          state.values.set(column.attribute, value)
          state.committed.set(column.attribute, value)
        }
        state.expired = false
      }
      return obj
    })
  }

  /** An expired object's attributes read again (SQLAlchemy's refresh on access after commit). */
  refresh(obj: Model): void {
    const state = stateOf(obj)
    const mapper = state.mapper
    const id = state.committed.get(mapper.primaryKey.attribute)
    this.autoflush()
    const rows = this.db.runShape(
      `get\0${mapper.table.name}`,
      (key) =>
        sql`SELECT ${sql.join(mapper.table.columns.map((c) => sql.ref(`${mapper.table.name}.${c.name}`)))} FROM ${sql.table(mapper.table.name)} WHERE ${sql.ref(`${mapper.table.name}.${mapper.primaryKey.name}`)} = ${key}`,
      [id],
    )
    if (rows.length === 0)
      throw new ObjectDeletedError(
        `Instance '<${mapper.name} at 0x...>' has been deleted, or its row is otherwise not present.`,
      )
    state.expired = true
    this.loadRows(mapper, rows)
  }

  autoflush(): void {
    // Every query comes here first: SQLAlchemy's session has begun its transaction by then.
    this.queried = true
    if (this.autoflushEnabled && !this.flushing) this.flush()
  }

  /** An object that may have changes to flush (see `watched`). */
  watch(obj: Model): void {
    this.watched.add(obj)
  }

  private dirty(): Model[] {
    const out: Model[] = []
    for (const obj of this.watched) {
      const state = stateOf(obj)
      if (state.deleted || state.expired) continue
      if (
        this.changedColumns(obj).length > 0 ||
        this.collectionChanges(obj).length > 0 ||
        this.manyToOneChanged(obj)
      )
        out.push(obj)
    }
    return out
  }

  private manyToOneChanged(obj: Model): boolean {
    const state = stateOf(obj)
    for (const rel of relationshipsOf(state.mapper)) {
      if (rel.uselist || rel.secondary || !state.related.has(rel.attribute)) continue
      // The column holding the target's key, found once per relationship (every autoflush of a read comes here).
      const fk = manyToOneKey(this.db, state.mapper, rel)
      const target = state.related.get(rel.attribute) as Model | null
      const id = target ? primaryKeyOf(target) : null
      if (fk && state.values.get(fk.attribute) !== id) return true
    }
    return false
  }

  private changedColumns(obj: Model): ColumnMeta[] {
    const state = stateOf(obj)
    return state.mapper.table.columns.filter(
      (c) =>
        state.values.has(c.attribute) &&
        !sameValue(state.values.get(c.attribute), state.committed.get(c.attribute), c),
    )
  }

  /** Association rows to add and remove: [relationship, added, removed]. */
  private collectionChanges(obj: Model): [RelationshipMeta, Model[], Model[]][] {
    const state = stateOf(obj)
    const out: [RelationshipMeta, Model[], Model[]][] = []
    for (const [attribute, rel] of state.mapper.relationships) {
      if (!state.related.has(attribute) || !rel.uselist) continue
      const current = state.related.get(attribute) as Model[]
      const loaded = (state.loadedCollections.get(attribute) ?? []) as Model[]
      const added = current.filter((item) => !loaded.includes(item))
      const removed = loaded.filter((item) => !current.includes(item))
      if (added.length > 0 || removed.length > 0) out.push([rel, added, removed])
    }
    return out
  }

  flush(): void {
    this.checkUsable()
    if (this.flushing) return
    this.flushing = true
    try {
      this.flushChanges()
    } catch (error) {
      if (error instanceof DBAPIError) {
        if (this.inTransaction) this.db.runStatement('ROLLBACK')
        this.inTransaction = false
        this.needsRollback = true
      }
      throw error
    } finally {
      this.flushing = false
    }
  }

  /** An object not saved and not in this session (made once: every autoflush of a read uses it). */
  private readonly unsaved = (item: unknown): boolean =>
    item instanceof Model && stateOf(item).session !== this && !stateOf(item).persistent

  /**
   * What the flush below would find without building its lists: nothing pending or deleted, and
   * every watched object with its columns and many-to-one keys as loaded, its collections the
   * very lists loaded (same items, same order; any other list takes the full path) and nothing
   * unsaved reachable from it. Every autoflush before a query of a read comes here.
   */
  private nothingToFlush(): boolean {
    if (this.pending.length > 0 || this.deletedObjects.length > 0) return false
    const unsaved = this.unsaved
    for (const obj of this.watched) {
      const state = stateOf(obj)
      // Keys, then values: iterating a Map's entries makes an array per entry, on every autoflush.
      for (const attribute of state.related.keys()) {
        const value = state.related.get(attribute)
        if (Array.isArray(value)) {
          const loaded = state.loadedCollections.get(attribute)
          if (loaded === undefined || loaded.length !== value.length) return false
          for (let i = 0; i < value.length; i++)
            if (value[i] !== loaded[i] || unsaved(value[i])) return false
        } else if (unsaved(value)) return false
      }
      if (state.deleted || state.expired) continue
      for (const column of state.mapper.table.columns)
        if (
          state.values.has(column.attribute) &&
          !sameValue(
            state.values.get(column.attribute),
            state.committed.get(column.attribute),
            column,
          )
        )
          return false
      if (this.manyToOneChanged(obj)) return false
    }
    return true
  }

  private flushChanges(): void {
    // Nothing added, deleted, set or loaded as a list: nothing to write (most autoflushes of a read).
    if (this.pending.length === 0 && this.deletedObjects.length === 0 && this.watched.size === 0)
      return
    if (this.nothingToFlush()) return
    // Objects reached by save-update cascade from pending or persistent ones join the session.
    for (const obj of [...this.pending, ...this.watched]) this.cascadeAdd(obj)
    const order = tableOrder(this.db)
    const inserts = [...this.pending].sort(
      (a, b) =>
        order.indexOf(stateOf(a).mapper.table.name) - order.indexOf(stateOf(b).mapper.table.name),
    )
    const dirty = this.dirty()
    const deletes = this.expandDeletes()
    if (inserts.length === 0 && dirty.length === 0 && deletes.length === 0) return
    this.autobegin()
    for (const obj of inserts) this.insert(obj)
    this.pending.length = 0
    for (const obj of [...dirty, ...inserts]) this.syncManyToOne(obj)
    for (const obj of dirty) this.update(obj)
    for (const obj of [...inserts, ...dirty]) this.syncCollections(obj)
    deletes.sort(
      (a, b) =>
        order.indexOf(stateOf(b).mapper.table.name) - order.indexOf(stateOf(a).mapper.table.name),
    )
    for (const obj of deletes) this.deleteRow(obj)
    this.deletedObjects.length = 0
  }

  private cascadeAdd(obj: Model): void {
    const state = stateOf(obj)
    for (const value of state.related.values()) {
      const items = Array.isArray(value) ? value : value ? [value] : []
      for (const item of items) {
        if (!(item instanceof Model)) continue
        const itemState = stateOf(item)
        if (itemState.session !== this && !itemState.persistent) this.add(item)
      }
    }
  }

  /** Deleted objects with what their cascades delete, and orphans removed from delete-orphan collections. */
  private expandDeletes(): Model[] {
    const out: Model[] = []
    const visit = (obj: Model): void => {
      if (out.includes(obj)) return
      out.push(obj)
      const state = stateOf(obj)
      for (const [attribute, rel] of state.mapper.relationships) {
        if (!rel.uselist || rel.secondary || rel.lazy === 'dynamic') continue
        if (rel.cascadeDelete)
          for (const child of relationshipValue(this.db, obj, attribute) as Model[]) visit(child)
      }
    }
    for (const obj of this.deletedObjects) visit(obj)
    for (const obj of this.watched) {
      const state = stateOf(obj)
      for (const [attribute, rel] of state.mapper.relationships) {
        if (!rel.deleteOrphan || !state.related.has(attribute)) continue
        const current = state.related.get(attribute) as Model[]
        for (const item of state.loadedCollections.get(attribute) ?? [])
          if (!current.includes(item as Model)) visit(item as Model)
      }
    }
    return out
  }

  private insert(obj: Model): void {
    const state = stateOf(obj)
    const mapper = state.mapper
    this.syncManyToOne(obj)
    this.syncFromParents(obj)
    for (const column of mapper.table.columns) {
      if (
        column.default &&
        (!state.values.has(column.attribute) || state.values.get(column.attribute) === undefined)
      )
        state.values.set(column.attribute, defaultValue(column.default))
    }
    // As SQLAlchemy: a column never set and without a Python default is left out of the INSERT
    // (its server default, or NULL, applies) and read back from the row on next access.
    const columns = mapper.table.columns.filter(
      (c) =>
        state.values.has(c.attribute) &&
        !(c === mapper.primaryKey && (state.values.get(c.attribute) ?? null) === null),
    )
    const omitted = mapper.table.columns.some(
      (c) => c !== mapper.primaryKey && !state.values.has(c.attribute),
    )
    const values = columns.map((c) => toStored(state.values.get(c.attribute) ?? null, c))
    const insertedKey = this.db.runInsert(
      columns.length === 0
        ? sql`INSERT INTO ${sql.table(mapper.table.name)} DEFAULT VALUES`
        : sql`INSERT INTO ${sql.table(mapper.table.name)} (${sql.join(columns.map((c) => sql.id(c.name)))}) VALUES (${sql.join(values)})`,
      mapper.primaryKey.name,
    )
    if ((state.values.get(mapper.primaryKey.attribute) ?? null) === null)
      state.values.set(mapper.primaryKey.attribute, insertedKey)
    for (const column of mapper.table.columns)
      if (state.values.has(column.attribute))
        state.committed.set(column.attribute, state.values.get(column.attribute))
    state.persistent = true
    if (omitted) state.expired = true
    this.identityMap.set(identityKey(mapper, state.values.get(mapper.primaryKey.attribute)), obj)
    this.watched.add(obj)
  }

  /** A new child appended to a parent's loaded one-to-many collection (`post.comments.append(c)`): its key is the parent's. */
  private syncFromParents(obj: Model): void {
    const state = stateOf(obj)
    for (const parent of this.watched) {
      const parentState = stateOf(parent)
      for (const [attribute, rel] of parentState.mapper.relationships) {
        if (
          !rel.uselist ||
          rel.secondary ||
          rel.target !== state.mapper.name ||
          !parentState.related.has(attribute)
        )
          continue
        if (!(parentState.related.get(attribute) as Model[]).includes(obj)) continue
        const fk = state.mapper.table.columns.find(
          (c) => c.foreignKey?.table === parentState.mapper.table.name,
        )
        if (fk) state.values.set(fk.attribute, primaryKeyOf(parent))
      }
    }
  }

  /** Foreign keys from many-to-one relationships set on the object, and one-to-many children's keys from their parent. */
  private syncManyToOne(obj: Model): void {
    const state = stateOf(obj)
    for (const [attribute, rel] of state.mapper.relationships) {
      if (!state.related.has(attribute) || rel.secondary) continue
      const targetTable = mapperByName(this.db, rel.target).table.name
      if (!rel.uselist) {
        const fk = state.mapper.table.columns.find((c) => c.foreignKey?.table === targetTable)
        const target = state.related.get(attribute) as Model | null
        if (fk) state.values.set(fk.attribute, target ? primaryKeyOf(target) : null)
      } else {
        const targetMapper = mapperByName(this.db, rel.target)
        const fk = targetMapper.table.columns.find(
          (c) => c.foreignKey?.table === state.mapper.table.name,
        )
        if (!fk) continue
        for (const child of state.related.get(attribute) as Model[]) {
          const childState = stateOf(child)
          childState.values.set(fk.attribute, primaryKeyOf(obj))
        }
      }
    }
  }

  private update(obj: Model): void {
    const state = stateOf(obj)
    const mapper = state.mapper
    for (const column of mapper.table.columns)
      if (column.onupdate && !this.changedColumns(obj).includes(column))
        state.values.set(column.attribute, defaultValue(column.onupdate))
    const changed = this.changedColumns(obj)
    if (changed.length === 0) return
    const id = state.committed.get(mapper.primaryKey.attribute)
    this.db.runWrite(
      sql`UPDATE ${sql.table(mapper.table.name)} SET ${sql.join(changed.map((c) => sql`${sql.id(c.name)}=${toStored(state.values.get(c.attribute), c)}`))} WHERE ${sql.ref(`${mapper.table.name}.${mapper.primaryKey.name}`)} = ${id}`,
    )
    for (const column of changed)
      state.committed.set(column.attribute, state.values.get(column.attribute))
  }

  private syncCollections(obj: Model): void {
    const state = stateOf(obj)
    for (const [rel, added, removed] of this.collectionChanges(obj)) {
      if (rel.secondary) {
        const secondary = this.db.tableMeta(rel.secondary)
        const ownKey = secondary.columns.find(
          (c) => c.foreignKey?.table === state.mapper.table.name,
        )!
        const targetMapper = mapperByName(this.db, rel.target)
        const targetKey = secondary.columns.find(
          (c) => c.foreignKey?.table === targetMapper.table.name && c !== ownKey,
        )!
        const ownId = primaryKeyOf(obj)
        for (const item of removed) {
          const itemId = primaryKeyOf(item)
          this.db.runWrite(
            sql`DELETE FROM ${sql.table(secondary.name)} WHERE ${sql.ref(`${secondary.name}.${ownKey.name}`)} = ${ownId} AND ${sql.ref(`${secondary.name}.${targetKey.name}`)} = ${itemId}`,
          )
        }
        for (const item of added) {
          const itemId = primaryKeyOf(item)
          this.db.runWrite(
            sql`INSERT INTO ${sql.table(secondary.name)} (${sql.id(ownKey.name)}, ${sql.id(targetKey.name)}) VALUES (${ownId}, ${itemId})`,
          )
        }
      } else if (!rel.deleteOrphan) {
        // Removed from a one-to-many without delete-orphan: the child's foreign key becomes NULL.
        const targetMapper = mapperByName(this.db, rel.target)
        const fk = targetMapper.table.columns.find(
          (c) => c.foreignKey?.table === state.mapper.table.name,
        )
        for (const item of removed) if (fk) stateOf(item).values.set(fk.attribute, null)
        for (const item of removed) this.update(item)
      }
      state.loadedCollections.set(rel.attribute, [...(state.related.get(rel.attribute) as Model[])])
    }
  }

  private deleteRow(obj: Model): void {
    const state = stateOf(obj)
    const mapper = state.mapper
    const id = state.committed.get(mapper.primaryKey.attribute)
    // Association rows of many-to-many relationships go first; one-to-many children without a
    // delete cascade get a NULL foreign key (a NOT NULL column makes that an IntegrityError).
    for (const [attribute, rel] of mapper.relationships) {
      if (rel.secondary) {
        const related = relationshipValue(this.db, obj, attribute)
        const items =
          rel.lazy === 'dynamic' ? (related as Query<Model>).all() : (related as Model[])
        const secondary = this.db.tableMeta(rel.secondary)
        const ownKey = secondary.columns.find((c) => c.foreignKey?.table === mapper.table.name)!
        const targetMapper = mapperByName(this.db, rel.target)
        const targetKey = secondary.columns.find(
          (c) => c.foreignKey?.table === targetMapper.table.name && c !== ownKey,
        )!
        for (const item of items) {
          this.db.runWrite(
            sql`DELETE FROM ${sql.table(secondary.name)} WHERE ${sql.ref(`${secondary.name}.${ownKey.name}`)} = ${id} AND ${sql.ref(`${secondary.name}.${targetKey.name}`)} = ${primaryKeyOf(item)}`,
          )
        }
      } else if (rel.uselist && !rel.cascadeDelete) {
        const related = relationshipValue(this.db, obj, attribute)
        const children =
          rel.lazy === 'dynamic' ? (related as Query<Model>).all() : (related as Model[])
        const targetMapper = mapperByName(this.db, rel.target)
        const fk = targetMapper.table.columns.find((c) => c.foreignKey?.table === mapper.table.name)
        for (const child of children) {
          if (!fk || stateOf(child).deleted) continue
          stateOf(child).values.set(fk.attribute, null)
          this.update(child)
        }
      }
    }
    this.db.runWrite(
      sql`DELETE FROM ${sql.table(mapper.table.name)} WHERE ${sql.ref(`${mapper.table.name}.${mapper.primaryKey.name}`)} = ${id}`,
    )
    state.deleted = true
    this.watched.delete(obj)
    this.identityMap.delete(identityKey(mapper, id))
  }

  commit(): void {
    this.checkUsable()
    this.flush()
    if (this.inTransaction) this.db.runStatement('COMMIT')
    this.inTransaction = false
    this.queried = false
    this.expireAll()
  }

  rollback(): void {
    if (this.inTransaction) this.db.runStatement('ROLLBACK')
    this.inTransaction = false
    this.queried = false
    this.needsRollback = false
    for (const obj of this.pending) {
      stateOf(obj).session = null
    }
    this.pending.length = 0
    this.deletedObjects.length = 0
    for (const [key, obj] of this.identityMap) {
      const state = stateOf(obj)
      if (state.deleted) this.identityMap.delete(key)
    }
    // Objects inserted in the rolled-back transaction are transient again.
    for (const [key, obj] of [...this.identityMap]) {
      const state = stateOf(obj)
      const rows = this.db.run(
        sql`SELECT 1 AS present FROM ${sql.table(state.mapper.table.name)} WHERE ${sql.ref(`${state.mapper.table.name}.${state.mapper.primaryKey.name}`)} = ${state.committed.get(state.mapper.primaryKey.attribute)}`,
      )
      if (rows.length === 0) {
        this.identityMap.delete(key)
        state.persistent = false
        state.session = null
      }
    }
    this.expireAll()
  }

  expire_all(): void {
    this.expireAll()
  }

  private expireAll(): void {
    this.watched.clear()
    for (const obj of this.identityMap.values()) {
      const state = stateOf(obj)
      state.expired = true
      state.values.clear()
      state.related.clear()
      state.loadedCollections.clear()
    }
  }

  /** The end of a request (Flask-SQLAlchemy's session.remove() at app context teardown). */
  close(): void {
    if (this.inTransaction) this.db.runStatement('ROLLBACK')
    this.inTransaction = false
    this.needsRollback = false
    this.identityMap.clear()
    this.watched.clear()
    this.pending.length = 0
    this.deletedObjects.length = 0
  }

  remove(): void {
    this.close()
  }

  /** `db.session.execute(db.text(...))`: runs in the session's transaction (autoflushed first). */
  execute(clause: TextClause): Record<string, unknown>[] {
    this.checkUsable()
    this.autoflush()
    if (/^\s*select\b/i.test(clause.text)) return this.db.run(sql.raw(clause.text))
    this.autobegin()
    this.db.runWrite(sql.raw(clause.text))
    return []
  }

  /** `db.session.query(Model)`. */
  query<M extends ModelClass>(cls: M): Query<InstanceType<M>>
  query(...columns: SqlExpression[]): ColumnQuery
  query(...entities: unknown[]): Query<Model> | ColumnQuery {
    if (entities.length === 1 && typeof entities[0] === 'function')
      return new Query<Model>(this.db, mapperOf(entities[0] as ModelClass))
    if (entities.some((entity) => !isExpression(entity)))
      throw new InvalidRequestError(
        'db.session.query() of models and columns together is not supported by the service',
      )
    return new ColumnQuery(this.db, entities as SqlExpression[])
  }
}

interface ColumnQueryState {
  joins: { kind: 'JOIN' | 'LEFT OUTER JOIN'; table: string; on: RawBuilder<unknown> }[]
  where: Criterion[]
  groupBy: SqlExpression[]
  order: Ordering[]
  limit: number | null
  offset: number | null
}

/** `db.session.query(Tag.name, func.count(...))`: rows of values (Python tuples), not objects. */
export class ColumnQuery {
  constructor(
    private readonly db: SQLAlchemy,
    private readonly columns: SqlExpression[],
    private readonly state: ColumnQueryState = {
      joins: [],
      where: [],
      groupBy: [],
      order: [],
      limit: null,
      offset: null,
    },
  ) {}

  private with(change: Partial<ColumnQueryState>): ColumnQuery {
    return new ColumnQuery(this.db, this.columns, { ...this.state, ...change })
  }

  private join_(
    kind: 'JOIN' | 'LEFT OUTER JOIN',
    target: TableExpression | ModelClass,
    on: Criterion,
  ): ColumnQuery {
    if (!(on instanceof Criterion))
      throw new TypeError('join() needs its ON clause as a SQL expression')
    const table = target instanceof TableExpression ? target.meta.name : mapperOf(target).table.name
    return this.with({ joins: [...this.state.joins, { kind, table, on: on.sql }] })
  }

  join(target: TableExpression | ModelClass, on: Criterion): ColumnQuery {
    return this.join_('JOIN', target, on)
  }

  outerjoin(target: TableExpression | ModelClass, on: Criterion): ColumnQuery {
    return this.join_('LEFT OUTER JOIN', target, on)
  }

  filter(...criteria: Criterion[]): ColumnQuery {
    for (const criterion of criteria)
      if (!(criterion instanceof Criterion))
        throw new TypeError(`filter() takes SQL expressions, not ${typeof criterion}`)
    return this.with({ where: [...this.state.where, ...criteria] })
  }

  group_by(...columns: SqlExpression[]): ColumnQuery {
    return this.with({ groupBy: [...this.state.groupBy, ...columns] })
  }

  order_by(...orderings: (Ordering | SqlExpression)[]): ColumnQuery {
    return this.with({
      order: [
        ...this.state.order,
        ...orderings.map((o) => (o instanceof Ordering ? o : new Ordering(o, 'asc'))),
      ],
    })
  }

  limit(limit: number | null): ColumnQuery {
    return this.with({ limit })
  }

  offset(offset: number | null): ColumnQuery {
    return this.with({ offset })
  }

  /** The FROM table: the first column's (SQLAlchemy's FROM of the selected entities, joined tables left out). */
  private fromTable(): string {
    const first = this.columns
      .map((column) =>
        column instanceof ColumnExpression
          ? column.table
          : column instanceof FunctionExpression
            ? column.args.find((arg): arg is ColumnExpression => arg instanceof ColumnExpression)
                ?.table
            : undefined,
      )
      .find((table) => table !== undefined)
    if (first === undefined)
      throw new InvalidRequestError('db.session.query() needs a column to select from')
    return first
  }

  private statement(): RawBuilder<unknown> {
    const parts: RawBuilder<unknown>[] = [
      sql`SELECT ${sql.join(this.columns.map((column) => column.ref()))} FROM ${sql.table(this.fromTable())}`,
    ]
    for (const join of this.state.joins)
      parts.push(sql`${sql.raw(join.kind)} ${sql.table(join.table)} ON ${join.on}`)
    if (this.state.where.length > 0)
      parts.push(
        sql`WHERE ${sql.join(
          this.state.where.map((c) => c.sql),
          sql` AND `,
        )}`,
      )
    if (this.state.groupBy.length > 0)
      parts.push(sql`GROUP BY ${sql.join(this.state.groupBy.map((c) => c.ref()))}`)
    if (this.state.order.length > 0)
      parts.push(
        sql`ORDER BY ${sql.join(this.state.order.map((o) => sql`${o.column.ref()} ${sql.raw(o.direction.toUpperCase())}`))}`,
      )
    if (this.state.limit !== null || this.state.offset !== null) {
      parts.push(sql`LIMIT ${this.state.limit ?? this.db.noLimit}`)
      if (this.state.offset !== null) parts.push(sql`OFFSET ${this.state.offset}`)
    }
    return sql.join(parts, sql` `)
  }

  all(): readonly unknown[][] {
    this.db.session.autoflush()
    const metas = this.columns.map((column) =>
      column instanceof ColumnExpression ? column.column : null,
    )
    return this.db
      .runValues(this.statement())
      .map(
        (row) =>
          tuple(
            ...row.map((value, index) => (metas[index] ? fromStored(value, metas[index]!) : value)),
          ) as unknown[],
      )
  }

  first(): readonly unknown[] | null {
    return this.limit(1).all()[0] ?? null
  }

  scalar(): unknown {
    const row = this.first()
    return row === null ? null : row[0]
  }

  [Symbol.iterator](): Iterator<readonly unknown[]> {
    return this.all()[Symbol.iterator]()
  }
}

/** Whether a column's value changed, as SQLAlchemy's history sees it: by value, dates by their fields. */
function sameValue(a: unknown, b: unknown, column: ColumnMeta): boolean {
  if (a === b) return true
  if (a instanceof PyDate && b instanceof PyDate)
    return a.constructor === b.constructor && toStored(a, column) === toStored(b, column)
  return false
}

const tableOrders = new WeakMap<object, string[]>()

/** The tables parents first (create_all's order), computed once per schema. */
function tableOrder(db: SQLAlchemy): string[] {
  const cached = tableOrders.get(db.schema)
  if (cached) return cached
  const tables = db.schema.tables
  const out: string[] = []
  let todo = [...tables]
  while (todo.length > 0) {
    const pending = new Set(todo.map((t) => t.name))
    const ready = todo.filter(
      (t) =>
        !t.columns.some(
          (c) => c.foreignKey && c.foreignKey.table !== t.name && pending.has(c.foreignKey.table),
        ),
    )
    const round = ready.length > 0 ? ready : todo
    out.push(...round.map((t) => t.name))
    todo = todo.filter((t) => !round.includes(t))
  }
  tableOrders.set(db.schema, out)
  return out
}

/** A mapper's relationships as a list (its map is fixed when the model is registered). */
const relationshipLists = new WeakMap<Mapper, RelationshipMeta[]>()
function relationshipsOf(mapper: Mapper): RelationshipMeta[] {
  let list = relationshipLists.get(mapper)
  if (list === undefined) relationshipLists.set(mapper, (list = [...mapper.relationships.values()]))
  return list
}

/** The column of `mapper`'s table that holds the key of a many-to-one relationship's target, if any. */
const manyToOneKeys = new WeakMap<
  RelationshipMeta,
  { table: TableMeta; fk: ColumnMeta | undefined }
>()
function manyToOneKey(
  db: SQLAlchemy,
  mapper: Mapper,
  rel: RelationshipMeta,
): ColumnMeta | undefined {
  const cached = manyToOneKeys.get(rel)
  if (cached !== undefined && cached.table === mapper.table) return cached.fk
  const targetTable = mapperByName(db, rel.target).table.name
  const fk = mapper.table.columns.find((c) => c.foreignKey?.table === targetTable)
  manyToOneKeys.set(rel, { table: mapper.table, fk })
  return fk
}

function mapperByName(db: SQLAlchemy, name: string): Mapper {
  const mapper = db.mapper(name)
  if (mapper) return mapper
  // A model no translated code names (only reached through a relationship): mapped on a class of its own.
  if (!db.schema.tables.some((table) => table.model === name))
    throw new InvalidRequestError(`model ${name} is not registered`)
  const cls = { [name]: class extends Model {} }[name]!
  db.register(cls, name)
  return db.mapper(name)!
}

// ---------------------------------------------------------------------------------------------
// Relationships

function relationshipValue(db: SQLAlchemy, obj: Model, attribute: string): unknown {
  const state = stateOf(obj)
  const rel = state.mapper.relationships.get(attribute)!
  const target = mapperByName(db, rel.target)
  const session = state.session ?? db.session
  if (rel.lazy === 'dynamic') return dynamicQuery(db, obj, rel, target)
  // lazy="raise" refuses to load; lazy="noload" never loads (an empty list or None unless set).
  if (rel.lazy === 'raise' && !state.related.has(attribute))
    throw new InvalidRequestError(
      `'${state.mapper.name}.${attribute}' is not available due to lazy='raise'`,
    )
  if (rel.lazy === 'noload' && !state.related.has(attribute)) {
    const empty = rel.uselist ? [] : null
    state.related.set(attribute, empty)
    return empty
  }
  if (state.related.has(attribute)) return state.related.get(attribute)
  if (state.expired && state.persistent) session.refresh(obj)
  if (!state.persistent) {
    const empty = rel.uselist ? [] : null
    state.related.set(attribute, empty)
    return empty
  }
  const ownId = primaryKeyOf(obj)
  // Built only when a statement is compiled: runShape compiles each shape once.
  const cols = (): RawBuilder<unknown> => selectList(target.table)
  let value: unknown
  if (rel.secondary) {
    // SQLAlchemy's lazy load of a many-to-many: no ORDER BY unless the relationship has one.
    const secondary = db.tableMeta(rel.secondary)
    const ownKey = secondary.columns.find((c) => c.foreignKey?.table === state.mapper.table.name)!
    const targetKey = secondary.columns.find(
      (c) => c.foreignKey?.table === target.table.name && c !== ownKey,
    )!
    session.autoflush()
    const rows = db.runShape(
      `lazy\0${rel.model}\0${attribute}`,
      (id) =>
        sql`SELECT ${cols()} FROM ${sql.table(target.table.name)}, ${sql.table(secondary.name)} WHERE ${id} = ${sql.ref(`${secondary.name}.${ownKey.name}`)} AND ${sql.ref(`${target.table.name}.${targetKey.foreignKey!.column}`)} = ${sql.ref(`${secondary.name}.${targetKey.name}`)}${orderByClause(rel, target)}`,
      [ownId],
    )
    value = session.loadRows(target, rows)
  } else if (rel.uselist) {
    const fk = target.table.columns.find((c) => c.foreignKey?.table === state.mapper.table.name)!
    session.autoflush()
    const rows = db.runShape(
      `lazy\0${rel.model}\0${attribute}`,
      (id) =>
        sql`SELECT ${cols()} FROM ${sql.table(target.table.name)} WHERE ${id} = ${sql.ref(`${target.table.name}.${fk.name}`)}${orderByClause(rel, target)}`,
      [ownId],
    )
    value = session.loadRows(target, rows)
  } else {
    const fk = state.mapper.table.columns.find((c) => c.foreignKey?.table === target.table.name)
    if (fk) {
      const id = state.values.get(fk.attribute)
      value = id === null || id === undefined ? null : session.get(target.cls, id)
    } else {
      const backFk = target.table.columns.find(
        (c) => c.foreignKey?.table === state.mapper.table.name,
      )!
      session.autoflush()
      value =
        session.loadRows(
          target,
          db.run(
            sql`SELECT ${cols()} FROM ${sql.table(target.table.name)} WHERE ${ownId} = ${sql.ref(`${target.table.name}.${backFk.name}`)}`,
          ),
        )[0] ?? null
    }
  }
  state.related.set(attribute, Array.isArray(value) ? [...value] : value)
  if (Array.isArray(value)) {
    state.loadedCollections.set(attribute, [...value])
    session.watch(obj)
  }
  return state.related.get(attribute)
}

function orderByClause(rel: RelationshipMeta, target: Mapper): RawBuilder<unknown> {
  if (rel.orderBy.length === 0) return sql``
  return sql` ORDER BY ${sql.join(rel.orderBy.map(([attribute, direction]) => sql`${sql.ref(`${target.table.name}.${target.columns.get(attribute)!.name}`)} ${sql.raw(direction.toUpperCase())}`))}`
}

function dynamicQuery(
  db: SQLAlchemy,
  obj: Model,
  rel: RelationshipMeta,
  target: Mapper,
): Query<Model> {
  const state = stateOf(obj)
  if (state.expired && state.persistent) (state.session ?? db.session).refresh(obj)
  const ownId = primaryKeyOf(obj)
  if (rel.secondary) {
    const secondary = db.tableMeta(rel.secondary)
    const ownKey = secondary.columns.find((c) => c.foreignKey?.table === state.mapper.table.name)!
    const targetKey = secondary.columns.find(
      (c) => c.foreignKey?.table === target.table.name && c !== ownKey,
    )!
    const criterion = new Criterion(
      sql`${sql.ref(`${target.table.name}.${targetKey.foreignKey!.column}`)} IN (SELECT ${sql.ref(`${secondary.name}.${targetKey.name}`)} FROM ${sql.table(secondary.name)} WHERE ${sql.ref(`${secondary.name}.${ownKey.name}`)} = ${ownId})`,
    )
    return new Query<Model>(db, target).filter(criterion)
  }
  const fk = target.table.columns.find((c) => c.foreignKey?.table === state.mapper.table.name)!
  return new Query<Model>(db, target).filter(
    new Criterion(sql`${ownId} = ${sql.ref(`${target.table.name}.${fk.name}`)}`),
  )
}

function setRelationship(db: SQLAlchemy, obj: Model, attribute: string, value: unknown): void {
  const state = stateOf(obj)
  const rel = state.mapper.relationships.get(attribute)!
  if (rel.lazy === 'dynamic')
    throw new InvalidRequestError(
      `assigning to the dynamic relationship ${state.mapper.name}.${attribute} is not supported`,
    )
  if (rel.uselist) {
    // The old collection is loaded first, so the flush knows which rows to remove.
    if (state.persistent && !state.related.has(attribute)) relationshipValue(db, obj, attribute)
    state.related.set(attribute, [...(value as Iterable<Model>)])
    for (const item of value as Iterable<Model>) backrefAppend(db, item, rel, obj)
  } else {
    state.related.set(attribute, value)
    if (value) backrefAppend(db, value as Model, rel, obj)
  }
  state.session?.watch(obj)
  // save-update cascade, and 1.4's cascade along backrefs: in the parent's session, the child joins it.
  const items = rel.uselist ? [...(value as Iterable<Model>)] : value ? [value as Model] : []
  const session =
    state.session ?? items.map((item) => stateOf(item).session).find((s) => s !== null) ?? null
  if (session !== null) {
    if (state.session === null) session.add(obj)
    for (const item of items) if (stateOf(item).session === null) session.add(item)
  }
}

/** The other side of a bidirectional relationship, when it is a loaded collection: the object appears in it. */
function backrefAppend(db: SQLAlchemy, item: Model, rel: RelationshipMeta, owner: Model): void {
  if (rel.backPopulates === null) return
  const itemState = stateOf(item)
  const other = itemState.mapper.relationships.get(rel.backPopulates)
  if (!other || other.lazy === 'dynamic') return
  if (other.uselist) {
    const list = itemState.related.get(rel.backPopulates) as Model[] | undefined
    if (list && !list.includes(owner)) list.push(owner)
  } else {
    itemState.related.set(rel.backPopulates, owner)
  }
  void db
}

// ---------------------------------------------------------------------------------------------
// The `db` object

function compiler(dialect: Dialect): Kysely<unknown> {
  return new Kysely<unknown>({
    dialect: {
      createAdapter: () => (dialect === 'sqlite' ? new SqliteAdapter() : new PostgresAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) =>
        dialect === 'sqlite' ? new SqliteIntrospector(db) : new PostgresIntrospector(db),
      createQueryCompiler: () =>
        dialect === 'sqlite' ? new SqliteQueryCompiler() : new PostgresQueryCompiler(),
    },
  })
}

/**
 * Why the data layer cannot run on the database of a SQLAlchemy URL, in one line that names no
 * credential, or null when it can (the migration report's `database-not-supported` finding says
 * the same of a URL written in the source).
 */
export function databaseUrlProblem(url: string): string | null {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase()
  const dialect = scheme?.split('+')[0]
  if (dialect === 'sqlite' || dialect === 'postgresql') return null
  // SQLAlchemy 1.4 has no `postgres` dialect name any more: the Flask app fails to start on it too.
  if (dialect === 'postgres')
    return "database: SQLALCHEMY_DATABASE_URI starts with postgres://, which SQLAlchemy 1.4 refuses (Can't load plugin: sqlalchemy.dialects:postgres); write postgresql://"

  return `database: SQLALCHEMY_DATABASE_URI names ${dialect === undefined ? 'no database dialect' : `a ${dialect} database`}; this service's data layer runs on SQLite and Postgres only (see database-not-supported in MIGRATION_REPORT.md)`
}

/** Stops the service with a one-line message on stderr (a database it cannot use). */
function stopService(message: string): never {
  console.error(message)
  process.exit(1)
}

/** A SQLite path from a SQLAlchemy URL (`sqlite:///rel.db`, `sqlite:////abs.db`, `sqlite://` in memory); relative paths under `instanceDir`. */
export function sqlitePath(url: string, instanceDir: string): string {
  if (url === 'sqlite://' || url === 'sqlite:///:memory:') return ':memory:'
  const match = /^sqlite:\/\/\/(.*)$/.exec(url)
  if (!match) throw new OperationalError(`not a SQLite URL: ${url}`)
  const path = match[1]!.replace(/\?.*$/, '')
  return path.startsWith('/') ? path : `${instanceDir.replace(/\/$/, '')}/${path}`
}

/** Flask-SQLAlchemy's `db`: the models, the session of the current request, create_all. */
export class SQLAlchemy<DB = unknown> {
  private connection: BetterSqlite3.Database | null = null
  /** The connection when the database is Postgres (then `connection` stays null). */
  private postgres: PostgresConnection | null = null
  private readonly mappersByName = new Map<string, Mapper>()
  private kysely = compiler('sqlite')
  /** The SQL dialect of the connected database. */
  dialect: Dialect = 'sqlite'
  private readonly sessions = new WeakMap<object, Session>()
  private readonly statements = new Map<string, BetterSqlite3.Statement>()
  /** The session outside requests (start-up code, CLI commands, tests). */
  private readonly globalSession = new Session(this)
  readonly Model = Model

  private spec: SchemaSpec<DB> | null

  constructor(schema?: SchemaSpec<DB>) {
    this.spec = schema ?? null
    if (defaultDatabase === null) defaultDatabase = this as SQLAlchemy<unknown>
  }

  get schema(): SchemaSpec<DB> {
    if (this.spec === null)
      throw new InvalidRequestError('no models are mapped (the service has no src/db-schema.ts)')
    return this.spec
  }

  /** The schema the models were mapped with (the first one given). */
  useSchema(schema: SchemaSpec<unknown>): void {
    this.spec ??= schema as SchemaSpec<DB>
  }

  private urlSource: { url: () => string | undefined; instanceDir: string } | null = null

  /**
   * Where the database is (the app's SQLALCHEMY_DATABASE_URI, read when first needed) and the
   * instance folder relative SQLite paths are in, as Flask-SQLAlchemy resolves them.
   */
  configure(url: () => string | undefined, instanceDir: string): void {
    this.urlSource = { url, instanceDir }
    this.failAtStartup = true
    // Once the app is created (its set-up code may change the config): a URL the data layer
    // cannot run stops the service now, not with a 500 on the first request that needs it.
    setImmediate(() => {
      const configured = url()
      const problem = typeof configured === 'string' ? databaseUrlProblem(configured) : null
      if (problem !== null) stopService(problem)
      // A Postgres server that cannot be reached (or refuses the login) stops it too.
      if (typeof configured === 'string' && !configured.startsWith('sqlite:'))
        this.ensureConnected()
    })
  }

  /** The service's own database (`configure`): a URL it cannot run stops the process with one line. */
  private failAtStartup = false

  /** Opens the database (`init_app`): a SQLite file, or a Postgres database. */
  connect(url: string, instanceDir = 'instance'): void {
    const problem = databaseUrlProblem(url)
    if (problem !== null) {
      if (this.failAtStartup) stopService(problem)
      throw new OperationalError(problem)
    }
    if (!url.startsWith('sqlite:')) {
      let settings: PostgresSettings = {}
      try {
        settings = postgresSettings(url)
        this.postgres = new PostgresConnection(settings)
      } catch (error) {
        if (!this.failAtStartup) throw error
        const where = `${settings.database ?? '(default database)'} on ${settings.host ?? 'localhost'}${settings.port === undefined ? '' : `:${settings.port}`}`
        stopService(
          `database: ${error instanceof Error ? error.message : String(error)} (${where})`.replace(
            /\s*\n\s*/g,
            ' ',
          ),
        )
      }
      this.dialect = 'postgres'
      this.kysely = compiler('postgres')
      this.shapes.clear()
      this.pgShapes.clear()
      return
    }
    const path = sqlitePath(url, instanceDir)
    // Flask-SQLAlchemy creates the instance folder for a relative SQLite path.
    if (path !== ':memory:' && !/^sqlite:\/\/\/\//.test(url))
      mkdirSync(dirname(path), { recursive: true })
    this.connection = new BetterSqlite3(path)
    this.shapes.clear()
    this.statements.clear()
  }

  /** Maps a model class to its table (what Flask-SQLAlchemy's declarative base does at class creation). */
  register<C extends ModelClass>(cls: C, name: string = cls.name): C {
    const table = this.schema.tables.find((t) => t.model === name)
    if (!table) throw new InvalidRequestError(`no table for model ${name}`)
    const primaryKey = table.columns.find((c) => c.primaryKey)!
    const relationships = new Map(
      this.schema.relationships.filter((r) => r.model === name).map((r) => [r.attribute, r]),
    )
    const mapper: Mapper = {
      name,
      cls,
      table,
      primaryKey,
      columns: new Map(table.columns.map((c) => [c.attribute, c])),
      relationships,
    }
    mappers.set(cls, mapper)
    this.mappersByName.set(name, mapper)
    const db = this
    for (const column of table.columns) {
      Object.defineProperty(cls.prototype, column.attribute, {
        configurable: true,
        get(this: Model) {
          const state = stateOf(this)
          if (state.expired && state.persistent) (state.session ?? db.session).refresh(this)
          return state.values.has(column.attribute) ? state.values.get(column.attribute) : null
        },
        set(this: Model, value: unknown) {
          const state = stateOf(this)
          if (state.expired && state.persistent) (state.session ?? db.session).refresh(this)
          state.values.set(column.attribute, value)
          state.session?.watch(this)
        },
      })
      // `Post.day` in a query: the column expression.
      Object.defineProperty(cls, column.attribute, {
        configurable: true,
        value: new ColumnExpression(table.name, column),
      })
    }
    for (const [attribute, rel] of relationships) {
      Object.defineProperty(cls, attribute, {
        configurable: true,
        value: new RelationshipExpression(this, mapper, rel),
      })
      Object.defineProperty(cls.prototype, attribute, {
        configurable: true,
        get(this: Model) {
          return relationshipValue(db, this, attribute)
        },
        set(this: Model, value: unknown) {
          setRelationship(db, this, attribute, value)
        },
      })
    }
    Object.defineProperty(cls, 'query', { configurable: true, get: () => new Query(this, mapper) })
    return cls
  }

  mapper(name: string): Mapper | undefined {
    return this.mappersByName.get(name)
  }

  tableMeta(name: string): TableMeta {
    const table = this.schema.tables.find((t) => t.name === name)
    if (!table) throw new InvalidRequestError(`no table ${name}`)
    return table
  }

  /** The session of the request being handled (one per request, as Flask-SQLAlchemy scopes it), or the global one outside requests. */
  get session(): Session {
    let c: ReturnType<typeof currentContext> | null = null
    try {
      c = currentContext()
    } catch {
      c = null
    }
    if (c === null) return this.globalSession
    const key = c.req.raw
    let session = this.sessions.get(key)
    if (!session) {
      // A transaction still open on the connection belongs to a request that ended without its
      // teardown: its uncommitted writes must not be what this request reads.
      if (this.connectionInTransaction()) this.runStatement('ROLLBACK')
      const created = new Session(this)
      session = created
      this.sessions.set(key, created)
      // Flask-SQLAlchemy removes the session when the request ends: what it did not commit is rolled back.
      afterThisRequest(c, (_c, response) => {
        created.close()
        this.sessions.delete(key)
        return response
      })
    }
    return session
  }

  /** Closes the request's session at the end of the request (Flask-SQLAlchemy's teardown). */
  middleware(): (c: { req: { raw: object } }, next: () => Promise<void>) => Promise<void> {
    return async (c, next) => {
      try {
        await next()
      } finally {
        this.sessions.get(c.req.raw)?.close()
        this.sessions.delete(c.req.raw)
      }
    }
  }

  /** Connects on first use, to the URL the app's config holds then (and creates the tables when the app does). */
  private ensureConnected(): void {
    if (this.connection === null && this.postgres === null && this.urlSource !== null) {
      const url = this.urlSource.url()
      if (url === undefined || url === null)
        throw new RuntimeError(
          "Either 'SQLALCHEMY_DATABASE_URI' or 'SQLALCHEMY_BINDS' must be set.",
        )
      this.connect(url, this.urlSource.instanceDir)
      if (this.schema.createAll) this.create_all()
    }
  }

  private db(): BetterSqlite3.Database {
    this.ensureConnected()
    if (this.connection === null)
      throw new OperationalError('the database is not connected (db.connect(url) was not called)')
    return this.connection
  }

  private prepare(text: string): BetterSqlite3.Statement {
    let statement = this.statements.get(text)
    if (!statement) {
      statement = this.db().prepare(text)
      this.statements.set(text, statement)
    }
    return statement
  }

  /** Runs a SELECT built with Kysely's `sql`. */
  private readonly shapes = new Map<string, BetterSqlite3.Statement>()
  private readonly pgShapes = new Map<string, string>()

  /** The connection when the database is Postgres (connecting on first use), or null on SQLite. */
  private postgresConnection(): PostgresConnection | null {
    if (this.postgres === null && this.connection === null) this.ensureConnected()
    return this.postgres
  }

  /**
   * A statement whose text depends only on `key` (a lazy load, a lookup by primary key): compiled
   * once, then run with `params`, which `build` places in the statement in their order.
   */
  runShape(
    key: string,
    build: (...params: unknown[]) => RawBuilder<unknown>,
    params: unknown[],
  ): Record<string, unknown>[] {
    if (this.postgres !== null) {
      let text = this.pgShapes.get(key)
      if (text === undefined) {
        text = build(...params).compile(this.kysely).sql
        this.pgShapes.set(key, text)
      }
      return this.postgres.query(text, params).rows as Record<string, unknown>[]
    }
    let statement = this.shapes.get(key)
    if (statement === undefined) {
      statement = this.prepare(build(...params).compile(this.kysely).sql)
      this.shapes.set(key, statement)
    }
    try {
      return statement.raw(false).all(...params) as Record<string, unknown>[]
    } catch (error) {
      wrapDriverError(error, statement.source)
    }
  }

  run(query: RawBuilder<unknown>): Record<string, unknown>[] {
    const postgres = this.postgresConnection()
    const compiled = query.compile(this.kysely)
    if (postgres !== null)
      return postgres.query(compiled.sql, compiled.parameters).rows as Record<string, unknown>[]
    try {
      return this.prepare(compiled.sql)
        .raw(false)
        .all(...(compiled.parameters as unknown[])) as Record<string, unknown>[]
    } catch (error) {
      wrapDriverError(error, compiled.sql)
    }
  }

  /** Runs a SELECT and returns its rows as arrays (columns of the same name stay apart). */
  runValues(query: RawBuilder<unknown>): unknown[][] {
    const postgres = this.postgresConnection()
    const compiled = query.compile(this.kysely)
    if (postgres !== null)
      return postgres.query(compiled.sql, compiled.parameters, 'array').rows as unknown[][]
    try {
      return this.prepare(compiled.sql)
        .raw(true)
        .all(...(compiled.parameters as unknown[])) as unknown[][]
    } catch (error) {
      wrapDriverError(error, compiled.sql)
    }
  }

  runWrite(query: RawBuilder<unknown>): { changes: number } {
    const postgres = this.postgresConnection()
    const compiled = query.compile(this.kysely)
    if (postgres !== null)
      return { changes: postgres.query(compiled.sql, compiled.parameters).rowCount }
    try {
      return this.prepare(compiled.sql).run(...(compiled.parameters as unknown[]))
    } catch (error) {
      wrapDriverError(error, compiled.sql)
    }
  }

  /** Runs an INSERT and gives the row's primary key: SQLite's lastrowid, Postgres's `RETURNING` (as SQLAlchemy does on each). */
  runInsert(query: RawBuilder<unknown>, primaryKey: string): unknown {
    const postgres = this.postgresConnection()
    const compiled = query.compile(this.kysely)
    if (postgres !== null) {
      const text = `${compiled.sql} RETURNING "${primaryKey.replace(/"/g, '""')}"`
      const rows = postgres.query(text, compiled.parameters, 'array').rows as unknown[][]
      return rows[0]?.[0]
    }
    try {
      return Number(
        this.prepare(compiled.sql).run(...(compiled.parameters as unknown[])).lastInsertRowid,
      )
    } catch (error) {
      wrapDriverError(error, compiled.sql)
    }
  }

  connectionInTransaction(): boolean {
    if (this.postgres !== null) return this.postgres.inTransaction
    return this.connection?.inTransaction ?? false
  }

  runStatement(text: string): void {
    const postgres = this.postgresConnection()
    if (postgres !== null) postgres.query(text, [])
    else this.db().exec(text)
  }

  /** The LIMIT of a query with only an OFFSET: SQLite's -1, Postgres's NULL (as SQLAlchemy writes them). */
  get noLimit(): number | null {
    return this.dialect === 'postgres' ? null : -1
  }

  /** `db.create_all()`: the tables and indexes that do not exist yet, as SQLAlchemy creates them. */
  create_all(): void {
    const postgres = this.postgresConnection()
    const existing = new Set(
      postgres !== null
        ? (
            postgres.query(
              'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()',
              [],
              'array',
            ).rows as [string][]
          ).map((row) => row[0])
        : (
            this.db().prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
              name: string
            }[]
          ).map((row) => row.name),
    )
    // Like SQLAlchemy's checkfirst: a table that exists is left as it is, with its indexes.
    let created = false
    for (const statement of postgres !== null ? this.schema.postgres : this.schema.sqlite) {
      const table = /^CREATE TABLE ("(?:[^"]|"")*"|\S+)/.exec(statement)
      if (table) created = !existing.has(table[1]!.replace(/^"|"$/g, '').replace(/""/g, '"'))
      if (created) this.runStatement(statement)
    }
  }

  /** Flask-SQLAlchemy 3.0's `db.get_or_404(Model, id, description=)`. */
  get_or_404(cls: ModelClass, id: unknown, description?: string | Keywords): Model {
    if (typeof description === 'object')
      description = keywordRecord(description).description as string | undefined
    const found = this.session.get(cls, id)
    if (found === null) abort(404, description)
    return found
  }

  readonly or_ = or_
  readonly and_ = and_
  readonly not_ = not_

  /** `db.func`: SQLAlchemy's `func`. */
  get func(): typeof func {
    return func
  }

  text(text: string): TextClause {
    return new TextClause(text)
  }

  drop_all(): void {
    for (const table of [...tableOrder(this)].reverse())
      this.runStatement(`DROP TABLE IF EXISTS "${table.replace(/"/g, '""')}"`)
  }
}
