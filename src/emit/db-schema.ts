import { readSqlalchemySchema, type ColumnSchema, type ColumnType, type RelationshipSchema, type SqlalchemySchema, type TableSchema } from '../analyze/ext-sqlalchemy.js'
import type { AppIR, ProjectIR } from '../ir/types.js'
import { parsePython } from '../parse/index.js'
import { scanTokens } from '../parse/tokens.js'
import { commentText, tsJson, tsString } from '../ts-text.js'
import type { SchemaSpec } from './runtime/db.js'

/**
 * The service's schema module (src/db/schema.ts) from the project's Flask-SQLAlchemy models:
 * an entity type per model, a Kysely `Database` type, and the DDL that `db.create_all()` runs
 * (SQLAlchemy 1.4's text for SQLite, which SQLite keeps verbatim in `sqlite_master`, and for
 * Postgres), in create_all's order. The runtime (src/emit/runtime/db.ts) runs it.
 */

export type Dialect = 'sqlite' | 'postgres'

// SQLAlchemy 1.4's reserved words of each dialect's identifier preparer (an identifier among them is quoted).
const SQLITE_RESERVED = new Set(
  ('add after all alter analyze and as asc attach autoincrement before begin between by cascade case cast check collate column commit conflict constraint create cross current_date ' +
    'current_time current_timestamp database default deferrable deferred delete desc detach distinct drop each else end escape except exclusive exists explain fail false for foreign ' +
    'from full glob group having if ignore immediate in index indexed initially inner insert instead intersect into is isnull join key left like limit match natural not notnull null of ' +
    'offset on or order outer plan pragma primary query raise references reindex rename replace restrict right rollback row select set table temp temporary then to transaction trigger ' +
    'true union unique update using vacuum values view virtual when where').split(' '),
)
const POSTGRES_RESERVED = new Set(
  ('all analyse analyze and any array as asc asymmetric authorization between binary both case cast check collate column constraint create cross current_catalog current_date ' +
    'current_role current_schema current_time current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign freeze from full grant group ' +
    'having ilike in initially inner intersect into is isnull join leading left like limit localtime localtimestamp natural new not notnull null of off offset old on only or order outer ' +
    'over overlaps placing primary references returning right select session_user similar some symmetric table then to trailing true union unique user using variadic verbose when where ' +
    'window with').split(' '),
)

/** An identifier as SQLAlchemy's IdentifierPreparer writes it: quoted when reserved, mixed-case or not a plain name. */
export function quoteIdentifier(name: string, dialect: Dialect): string {
  const reserved = dialect === 'sqlite' ? SQLITE_RESERVED : POSTGRES_RESERVED
  const lower = name.toLowerCase()
  const needsQuotes = reserved.has(lower) || /^[$0-9]/.test(name) || !/^[A-Z0-9_$]+$/i.test(name) || lower !== name
  return needsQuotes ? `"${name.replace(/"/g, '""')}"` : name
}

function typeDdl(type: ColumnType, dialect: Dialect): string {
  switch (type.kind) {
    case 'Integer':
      return 'INTEGER'
    case 'BigInteger':
      return 'BIGINT'
    case 'SmallInteger':
      return 'SMALLINT'
    case 'Text':
      return 'TEXT'
    case 'Boolean':
      return 'BOOLEAN'
    case 'DateTime':
      return dialect === 'sqlite' ? 'DATETIME' : 'TIMESTAMP WITHOUT TIME ZONE'
    case 'Date':
      return 'DATE'
    case 'Time':
      return dialect === 'sqlite' ? 'TIME' : 'TIME WITHOUT TIME ZONE'
    case 'Float':
      return 'FLOAT'
    case 'JSON':
      return 'JSON'
    case 'LargeBinary':
      return dialect === 'sqlite' ? 'BLOB' : 'BYTEA'
    case 'String':
      return type.length === null ? 'VARCHAR' : `VARCHAR(${type.length})`
    case 'Numeric':
      return type.precision === null ? 'NUMERIC' : type.scale === null ? `NUMERIC(${type.precision})` : `NUMERIC(${type.precision}, ${type.scale})`
    case 'Enum':
      return `VARCHAR(${type.length})`
  }
}

/** SQLAlchemy's autoincrement="auto": the table's only primary key column, an integer, without a foreign key or default. */
function isAutoincrement(column: ColumnSchema, table: TableSchema): boolean {
  const keys = table.columns.filter((candidate) => candidate.primaryKey)
  if (column.autoincrement === false || keys.length !== 1 || keys[0] !== column || !['Integer', 'BigInteger', 'SmallInteger'].includes(column.type.kind) || column.serverDefault !== null) return false
  // "auto" leaves out a column with a foreign key; autoincrement=True does not.
  return column.autoincrement === true || column.foreignKey === null
}

function columnDdl(column: ColumnSchema, table: TableSchema, dialect: Dialect): string {
  let type = typeDdl(column.type, dialect)
  if (dialect === 'postgres' && isAutoincrement(column, table)) type = { INTEGER: 'SERIAL', BIGINT: 'BIGSERIAL', SMALLINT: 'SMALLSERIAL' }[type] ?? type
  let spec = `${quoteIdentifier(column.name, dialect)} ${type}`
  if (column.serverDefault !== null) spec += ` DEFAULT '${column.serverDefault.replace(/'/g, "''")}'`
  if (!column.nullable) spec += ' NOT NULL'
  return spec
}

/** `CREATE TABLE` as SQLAlchemy 1.4 writes it (without the blank lines around it). */
export function createTableDdl(table: TableSchema, dialect: Dialect): string {
  const q = (name: string) => quoteIdentifier(name, dialect)
  const lines = table.columns.map((column) => columnDdl(column, table, dialect))
  const keys = table.columns.filter((column) => column.primaryKey)
  if (keys.length > 0) lines.push(`PRIMARY KEY (${keys.map((column) => q(column.name)).join(', ')})`)
  for (const column of table.columns) {
    if (column.unique && !column.index) lines.push(`UNIQUE (${q(column.name)})`)
    if (column.foreignKey) lines.push(`FOREIGN KEY(${q(column.name)}) REFERENCES ${q(column.foreignKey.table)} (${q(column.foreignKey.column)})`)
  }
  return `CREATE TABLE ${q(table.name)} (\n\t${lines.join(', \n\t')}\n)`
}

/** The `CREATE INDEX` statements of `index=True` columns (`ix_<table>_<column>`, unique when the column is). */
export function createIndexDdl(table: TableSchema, dialect: Dialect): string[] {
  const q = (name: string) => quoteIdentifier(name, dialect)
  return table.columns
    .filter((column) => column.index)
    .map((column) => `CREATE ${column.unique ? 'UNIQUE ' : ''}INDEX ${q(`ix_${table.name}_${column.name}`)} ON ${q(table.name)} (${q(column.name)})`)
}

/** The tables in create_all's order: SQLAlchemy's topological sort by foreign keys, ties in definition order. */
export function sortedTables(tables: TableSchema[]): TableSchema[] {
  const parents = new Map(tables.map((table) => [table.name, new Set(table.columns.flatMap((column) => (column.foreignKey && column.foreignKey.table !== table.name ? [column.foreignKey.table] : [])))]))
  const out: TableSchema[] = []
  let todo = [...tables]
  while (todo.length > 0) {
    const pending = new Set(todo.map((table) => table.name))
    const ready = todo.filter((table) => ![...parents.get(table.name)!].some((parent) => pending.has(parent)))
    // A cycle: SQLAlchemy drops the cycle's foreign keys from the sort; keep definition order.
    const round = ready.length > 0 ? ready : todo
    out.push(...round)
    todo = todo.filter((table) => !round.includes(table))
  }
  return out
}

/** Every statement `db.create_all()` runs on a new database, in order. */
export function createAllDdl(schema: Pick<SqlalchemySchema, 'tables'>, dialect: Dialect): string[] {
  return sortedTables(schema.tables).flatMap((table) => [createTableDdl(table, dialect), ...createIndexDdl(table, dialect)])
}

/** The TypeScript type of a column's Python value, as the runtime hands it to translated code. */
function valueType(type: ColumnType): string {
  switch (type.kind) {
    case 'Integer':
    case 'BigInteger':
    case 'SmallInteger':
    case 'Float':
      return 'number'
    case 'Boolean':
      return 'boolean'
    case 'DateTime':
      return 'PyDateTime'
    case 'Date':
      return 'PyDate'
    case 'LargeBinary':
      return 'Uint8Array'
    case 'JSON':
    case 'Time':
    case 'Numeric':
      return 'Py'
    default:
      return 'string'
  }
}

/** The TypeScript type of a column as stored (what the driver returns), for Kysely's `Database`. */
function storedType(type: ColumnType): string {
  switch (type.kind) {
    case 'Integer':
    case 'BigInteger':
    case 'SmallInteger':
    case 'Float':
    case 'Boolean':
      return 'number'
    case 'LargeBinary':
      return 'Uint8Array'
    case 'Numeric':
      return 'number | string'
    default:
      return 'string'
  }
}

function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('')
}

function propertyName(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : tsString(name)
}

/** The data of the schema module (`defineSchema({...})`): what the runtime (src/emit/runtime/db.ts) maps models and runs create_all with. */
export function schemaSpecOf(schema: SqlalchemySchema): SchemaSpec<unknown> {
  const defaultSpec = (value: ColumnSchema['default']) => (value === null ? undefined : value.kind === 'literal' ? { value: value.value } : { call: value.name })
  return {
    tables: schema.tables.map((table) => ({
      name: table.name,
      model: table.model,
      columns: table.columns.map((column) => ({
        attribute: column.attribute,
        name: column.name,
        type: column.type.kind,
        primaryKey: column.primaryKey,
        nullable: column.nullable,
        ...(column.foreignKey ? { foreignKey: column.foreignKey } : {}),
        ...(column.default ? { default: defaultSpec(column.default) } : {}),
        ...(column.onupdate ? { onupdate: defaultSpec(column.onupdate) } : {}),
      })),
    })),
    relationships: schema.relationships.map((relationship: RelationshipSchema) => ({
      model: relationship.model,
      attribute: relationship.attribute,
      target: relationship.target,
      lazy: relationship.lazy,
      uselist: relationship.uselist,
      secondary: relationship.secondary,
      backPopulates: relationship.backPopulates,
      deleteOrphan: relationship.cascadeDeleteOrphan,
      cascadeDelete: relationship.cascadeDelete,
      orderBy: relationship.orderBy,
    })),
    sqlite: createAllDdl(schema, 'sqlite'),
    postgres: createAllDdl(schema, 'postgres'),
  }
}

/** The entity type's name of a table: its model's class name, or the table's name in PascalCase with `Row`. */
export function entityTypeName(table: TableSchema): string {
  return table.model !== null ? `${table.model}Entity` : `${pascalCase(table.name)}Row`
}

/** The service's schema module, src/db-schema.ts (translated model modules import `schema` from it). */
export const SCHEMA_MODULE_PATH = 'src/db-schema.ts'

/**
 * src/db-schema.ts when a translated module imports it (a model class was translated), else null.
 * The models are read again from the project's sources, as the analysis read them.
 */
export function schemaModuleFor(ir: ProjectIR, sources: ReadonlyMap<string, string> | undefined, files: ReadonlyMap<string, string>): string | null {
  if (sources === undefined || ![...files].some(([path, code]) => path.endsWith('.ts') && /from '(?:\.\.\/)*(?:\.\/)?db-schema\.js'/.test(code))) return null
  const modules = ir.modules.flatMap((module) => {
    const source = sources.get(module.file)
    // As parseFiles reads it: long blocks of comment lines left out (tree-sitter reads ahead over all of them at each line end; issue 13 item 6).
    return source === undefined ? [] : [{ name: module.name, file: module.file, source, tree: parsePython(source, scanTokens(source).excluded) }]
  })
  const schema = readSqlalchemySchema(modules)
  const createAll = modules.some((module) => /\.create_all\(\s*\)/.test(module.source))
  return emitSchemaModule(schema, { createAll })
}

/** src/db-schema.ts of the service. */
export function emitSchemaModule(schema: SqlalchemySchema, options: { createAll?: boolean; libPath?: string } = {}): string {
  const libPath = options.libPath ?? './lib'
  const out: string[] = []
  const types = new Set<string>()
  for (const table of schema.tables) for (const column of table.columns) types.add(valueType(column.type))
  const datetimeTypes = ['PyDate', 'PyDateTime'].filter((name) => types.has(name))
  out.push(`import { fileURLToPath } from 'node:url'`)
  out.push(`import { config } from './config.js'`)
  out.push(`import { configureDatabase, defineSchema, type Entity, type Query } from '${libPath}/db.js'`)
  if (datetimeTypes.length > 0) out.push(`import type { ${datetimeTypes.join(', ')} } from '${libPath}/datetime.js'`)
  if (types.has('Py')) out.push(`import type { Py } from '${libPath}/py.js'`)
  out.push('')
  out.push('/*')
  out.push(' * The Flask-SQLAlchemy models as the service sees them. The tables are the ones db.create_all()')
  out.push(' * creates, so the service and the Flask app can share one database.')
  out.push(' */')
  for (const table of schema.tables) {
    const name = entityTypeName(table)
    const relationships = schema.relationships.filter((relationship) => relationship.model === table.model)
    out.push('')
    out.push(`/** ${commentText(`${table.file}:${table.line} ${table.model ? `class ${table.model}` : `db.Table(${JSON.stringify(table.name)})`}`)} */`)
    out.push(`export interface ${name}${table.model ? ' extends Entity' : ''} {`)
    for (const column of table.columns) out.push(`  ${propertyName(column.attribute)}: ${valueType(column.type)}${column.nullable || column.primaryKey ? ' | null' : ''}`)
    for (const relationship of relationships) {
      const target = relationship.target
      const type = relationship.lazy === 'dynamic' ? `Query<${target}Entity>` : relationship.uselist ? `${target}Entity[]` : `${target}Entity | null`
      out.push(`  ${propertyName(relationship.attribute)}: ${type}`)
    }
    out.push('}')
  }
  out.push('')
  out.push('/** The stored rows, for Kysely. */')
  out.push('export interface Database {')
  for (const table of schema.tables) {
    out.push(`  ${propertyName(table.name)}: {`)
    for (const column of table.columns) out.push(`    ${propertyName(column.name)}: ${storedType(column.type)}${column.nullable ? ' | null' : ''}`)
    out.push('  }')
  }
  out.push('}')
  out.push('')
  out.push(`export const schema = defineSchema<Database>(${tsJson({ ...schemaSpecOf(schema), createAll: options.createAll === true }, 2)})`)
  out.push('')
  out.push("// The app's SQLALCHEMY_DATABASE_URI, read when the database is first used; relative SQLite paths are in the instance folder, as in Flask-SQLAlchemy.")
  out.push("configureDatabase(schema, () => (config as Record<string, unknown>)['SQLALCHEMY_DATABASE_URI'] as string | undefined, fileURLToPath(new URL('../instance/', import.meta.url)))")
  return out.join('\n') + '\n'
}

/**
 * Flask-SQLAlchemy's set-up beyond its models, which the data layer does not carry: the options of
 * `SQLAlchemy(...)` that change the session, engine, model base or metadata, and the config keys
 * that add databases or engine settings. Empty when the extension is what the data layer emulates
 * (one database, the default session, engine and naming).
 */
export function sqlalchemySetupNotCarried(app: AppIR, sources: ReadonlyMap<string, string> | undefined): string[] {
  const found = new Set<string>()
  for (const source of sources?.values() ?? []) {
    if (!source.includes('SQLAlchemy(')) continue
    for (const call of source.matchAll(/\bSQLAlchemy\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g)) {
      for (const keyword of call[1]!.matchAll(/\b(session_options|engine_options|model_class|metadata|query_class|disable_autonaming)\s*=/g)) found.add(`SQLAlchemy(${keyword[1]}=…)`)
    }
  }
  for (const entry of app.config) if (SQLALCHEMY_KEYS_NOT_CARRIED.has(entry.key)) found.add(entry.key)
  return [...found].sort()
}

const SQLALCHEMY_KEYS_NOT_CARRIED = new Set(['SQLALCHEMY_BINDS', 'SQLALCHEMY_ENGINE_OPTIONS', 'SQLALCHEMY_POOL_SIZE', 'SQLALCHEMY_MAX_OVERFLOW', 'SQLALCHEMY_POOL_RECYCLE', 'SQLALCHEMY_POOL_TIMEOUT'])
