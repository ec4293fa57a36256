import type { Finding } from '../ir/types.js'
import type { SyntaxNode } from '../parse/index.js'
import { ProjectIndex, type ModuleInfo } from '../translate/project.js'
import type Parser from 'tree-sitter'

/**
 * Flask-SQLAlchemy's declarative models read from the project's source: each `db.Model` class
 * and each `db.Table(...)` becomes a table with SQLAlchemy's columns, constraints and indexes,
 * each `db.relationship(...)` a relationship the runtime loads as SQLAlchemy does. The emitted
 * schema (src/emit/db-schema.ts) must create what `db.create_all()` creates, so everything that
 * shapes the DDL is read here or reported as `sqlalchemy-model-not-migrated`.
 */

export type ColumnType =
  | { kind: 'Integer' | 'BigInteger' | 'SmallInteger' | 'Text' | 'Boolean' | 'DateTime' | 'Date' | 'Time' | 'Float' | 'JSON' | 'LargeBinary' }
  | { kind: 'String'; length: number | null }
  | { kind: 'Numeric'; precision: number | null; scale: number | null }
  | { kind: 'Enum'; values: string[]; length: number }

/** A Python value SQLAlchemy applies on insert or update: a literal, or a known callable. */
export type ColumnDefault = { kind: 'literal'; value: string | number | boolean | null } | { kind: 'callable'; name: 'datetime.utcnow' | 'datetime.now' | 'date.today' }

export interface ColumnSchema {
  /** The attribute on the model (also the column name unless `db.Column("name", …)`). */
  attribute: string
  name: string
  type: ColumnType
  primaryKey: boolean
  nullable: boolean
  unique: boolean
  index: boolean
  foreignKey: { table: string; column: string } | null
  default: ColumnDefault | null
  onupdate: ColumnDefault | null
  serverDefault: string | null
  /** `autoincrement=`: 'auto' (SQLAlchemy's default) or the literal given. */
  autoincrement: boolean | 'auto'
}

export interface TableSchema {
  name: string
  columns: ColumnSchema[]
  /** The model class mapped to this table, or null for a `db.Table(...)`. */
  model: string | null
  /** The module and the Python name the table or model is bound to. */
  module: string
  binding: string
  file: string
  line: number
}

export type LazyMode = 'select' | 'dynamic' | 'joined' | 'subquery' | 'selectin' | 'noload' | 'raise'

export interface RelationshipSchema {
  /** The model that declares it (or receives it through a backref). */
  model: string
  attribute: string
  target: string
  lazy: LazyMode
  uselist: boolean
  /** The association table of a many-to-many relationship. */
  secondary: string | null
  /** The other side's attribute (back_populates, or the backref's pair). */
  backPopulates: string | null
  cascadeDeleteOrphan: boolean
  cascadeDelete: boolean
  /** `order_by` as [attribute, direction] pairs on the target model. */
  orderBy: [string, 'asc' | 'desc'][]
}

export interface SqlalchemySchema {
  /** Tables in the order Python defines them (MetaData's order, which create_all sorts by dependency). */
  tables: TableSchema[]
  relationships: RelationshipSchema[]
  findings: Finding[]
}

const SIMPLE_TYPES = new Set(['Integer', 'BigInteger', 'SmallInteger', 'Text', 'UnicodeText', 'Boolean', 'DateTime', 'Date', 'Time', 'Float', 'JSON', 'LargeBinary'])
const LAZY_MODES = new Set<LazyMode>(['select', 'dynamic', 'joined', 'subquery', 'selectin', 'noload', 'raise'])

/** Flask-SQLAlchemy 3.0's table name for a model without `__tablename__`. */
export function camelToSnakeCase(name: string): string {
  return name
    .replace(/(?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z])/g, (match) => `_${match}`)
    .toLowerCase()
    .replace(/^_+/, '')
}

interface Pending {
  model: string
  node: SyntaxNode
  module: ModuleInfo
  attribute: string
}

class Reader {
  readonly findings: Finding[] = []
  readonly tables: TableSchema[] = []
  readonly relationships: RelationshipSchema[] = []
  private readonly pendingRelationships: Pending[] = []

  constructor(private readonly project: ProjectIndex) {}

  private report(node: SyntaxNode, module: ModuleInfo, message: string): void {
    this.findings.push({
      ruleId: 'sqlalchemy-model-not-migrated',
      severity: 'error',
      message,
      location: { file: module.file, line: node.startPosition.row + 1, column: node.startPosition.column + 1 },
    })
  }

  private readonly dbNames = new Map<string, boolean>()

  /** Whether `name` in `module` is a `SQLAlchemy()` object of flask_sqlalchemy. */
  isDb(module: ModuleInfo, name: string): boolean {
    const key = `${module.name}\0${name}`
    const known = this.dbNames.get(key)
    if (known !== undefined) return known
    this.dbNames.set(key, false) // a definition that refers to itself is not one
    const resolved = this.project.resolveSymbol(module.name, name)
    let result = false
    if (resolved?.def.kind === 'data' && resolved.def.value.type === 'call') {
      result = this.externalPath(resolved.module, resolved.def.value.childForFieldName('function')!) === 'flask_sqlalchemy.SQLAlchemy'
    }
    this.dbNames.set(key, result)
    return result
  }

  /** `sqlalchemy.Column` for `Column` imported from sqlalchemy, `flask_sqlalchemy.SQLAlchemy`…: the dotted path of an external name. */
  externalPath(module: ModuleInfo, node: SyntaxNode): string | null {
    if (node.type === 'identifier') {
      const def = module.symbols.get(node.text)
      if (def?.kind !== 'import') return null
      return def.target.kind === 'member' ? `${def.target.module}.${def.target.name}` : def.target.module
    }
    if (node.type === 'attribute') {
      const object = node.childForFieldName('object')!
      const attribute = node.childForFieldName('attribute')!.text
      if (object.type === 'identifier' && this.isDb(module, object.text)) return `db.${attribute}`
      const base = this.externalPath(module, object)
      return base === null ? null : `${base}.${attribute}`
    }
    return null
  }

  /** The SQLAlchemy name a callee stands for (`Column`, `String`, `relationship`…), from `db.X`, `sqlalchemy.X` or `sqlalchemy.orm.X`. */
  sqlName(module: ModuleInfo, node: SyntaxNode): string | null {
    const path = this.externalPath(module, node)
    if (path === null) return null
    const match = /^(?:db|sqlalchemy|sqlalchemy\.orm|sqlalchemy\.types|sqlalchemy\.schema|sqlalchemy\.sql\.sqltypes)\.([A-Za-z_]+)$/.exec(path)
    return match ? match[1]! : null
  }

  readModule(module: ModuleInfo): void {
    for (const statement of module.tree.rootNode.namedChildren) {
      const node = statement.type === 'decorated_definition' ? statement.childForFieldName('definition')! : statement
      if (node.type === 'class_definition') this.readClass(node, module)
      else if (node.type === 'expression_statement' && node.namedChildren[0]?.type === 'assignment') {
        const assignment = node.namedChildren[0]
        const left = assignment.childForFieldName('left')!
        const right = assignment.childForFieldName('right')
        if (left.type === 'identifier' && right?.type === 'call' && this.sqlName(module, right.childForFieldName('function')!) === 'Table') {
          this.readTable(left.text, right, module)
        }
      }
    }
  }

  private readTable(binding: string, call: SyntaxNode, module: ModuleInfo): void {
    const args = argumentsOf(call)
    const name = args.positional[0]
    if (name?.type !== 'string' || stringValue(name) === null) return this.report(call, module, `db.Table(...) without a literal name is not migrated`)
    const columns: ColumnSchema[] = []
    for (const arg of args.positional.slice(1)) {
      if (arg.type === 'identifier' && this.isDb(module, arg.text)) continue // db.Table("t", db.metadata, …) in older code
      if (arg.type === 'attribute' && /\.metadata$/.test(arg.text)) continue
      const column = arg.type === 'call' && this.sqlName(module, arg.childForFieldName('function')!) === 'Column' ? this.readColumn(null, arg, module) : null
      if (column === null) return this.report(arg, module, `\`${arg.text}\` in db.Table(...) is not a column the tool can migrate`)
      columns.push(column)
    }
    if (args.keywords.size > 0) return this.report(call, module, `keyword arguments of db.Table(...) are not migrated`)
    this.tables.push({ name: stringValue(name)!, columns, model: null, module: module.name, binding, file: module.file, line: call.startPosition.row + 1 })
  }

  private isModelClass(node: SyntaxNode, module: ModuleInfo): boolean {
    const bases = node.childForFieldName('superclasses')?.namedChildren ?? []
    return bases.some((base) => base.type === 'attribute' && base.childForFieldName('attribute')!.text === 'Model' && base.childForFieldName('object')!.type === 'identifier' && this.isDb(module, base.childForFieldName('object')!.text))
  }

  private readClass(node: SyntaxNode, module: ModuleInfo): void {
    const className = node.childForFieldName('name')!.text
    const bases = node.childForFieldName('superclasses')?.namedChildren ?? []
    if (!this.isModelClass(node, module)) {
      // A subclass of a model (table inheritance) changes the DDL and the queries: not modelled.
      const modelBase = bases.find((base) => base.type === 'identifier' && this.tables.some((table) => table.model === base.text))
      if (modelBase) this.report(node, module, `model \`${className}\` inherits from the model \`${modelBase.text}\`; table inheritance is not migrated`)
      return
    }
    let tableName = camelToSnakeCase(className)
    const columns: ColumnSchema[] = []
    const body = node.childForFieldName('body')!
    for (const statement of body.namedChildren) {
      if (statement.type !== 'expression_statement' || statement.namedChildren[0]?.type !== 'assignment') continue
      const assignment = statement.namedChildren[0]
      const left = assignment.childForFieldName('left')!
      const right = assignment.childForFieldName('right')
      if (left.type !== 'identifier' || !right) continue
      if (left.text === '__tablename__') {
        if (right.type !== 'string' || stringValue(right) === null) this.report(right, module, `\`__tablename__\` of \`${className}\` is not a literal string`)
        else tableName = stringValue(right)!
        continue
      }
      if (left.text.startsWith('__')) {
        if (left.text === '__table_args__' || left.text === '__mapper_args__' || left.text === '__bind_key__') this.report(statement, module, `\`${left.text}\` of model \`${className}\` is not migrated`)
        continue
      }
      if (right.type !== 'call') continue
      const kind = this.sqlName(module, right.childForFieldName('function')!)
      if (kind === 'Column') {
        const column = this.readColumn(left.text, right, module)
        if (column) columns.push(column)
      } else if (kind === 'relationship') {
        this.pendingRelationships.push({ model: className, node: right, module, attribute: left.text })
      } else if (kind !== null) {
        this.report(right, module, `\`${right.childForFieldName('function')!.text}()\` in model \`${className}\` is not migrated`)
      }
    }
    if (!columns.some((column) => column.primaryKey)) this.report(node, module, `model \`${className}\` has no primary key column`)
    this.tables.push({ name: tableName, columns, model: className, module: module.name, binding: className, file: module.file, line: node.startPosition.row + 1 })
  }

  private readType(node: SyntaxNode, module: ModuleInfo): ColumnType | null {
    const callee = node.type === 'call' ? node.childForFieldName('function')! : node
    const name = this.sqlName(module, callee)
    if (name === null) return null
    const args = node.type === 'call' ? argumentsOf(node) : { positional: [], keywords: new Map<string, SyntaxNode>() }
    const integer = (arg: SyntaxNode | undefined): number | null | undefined => (arg === undefined || arg.text === 'None' ? null : /^\d+$/.test(arg.text) ? Number(arg.text) : undefined)
    if (name === 'String' || name === 'Unicode' || name === 'VARCHAR') {
      const length = integer(args.positional[0] ?? args.keywords.get('length'))
      if (length === undefined || args.positional.length > 1) return null
      return { kind: 'String', length }
    }
    if (name === 'Numeric') {
      const precision = integer(args.positional[0] ?? args.keywords.get('precision'))
      const scale = integer(args.positional[1] ?? args.keywords.get('scale'))
      if (precision === undefined || scale === undefined || args.keywords.has('asdecimal')) return null
      return { kind: 'Numeric', precision, scale }
    }
    if (name === 'Enum') {
      const values = args.positional.map((arg) => (arg.type === 'string' ? stringValue(arg) : null))
      if (values.length === 0 || values.some((value) => value === null) || args.keywords.size > 0) return null
      return { kind: 'Enum', values: values as string[], length: Math.max(...(values as string[]).map((value) => [...value].length)) }
    }
    if (SIMPLE_TYPES.has(name) && args.positional.length === 0 && args.keywords.size === 0) {
      return { kind: name === 'UnicodeText' ? 'Text' : (name as 'Integer') }
    }
    return null
  }

  private readDefault(node: SyntaxNode, module: ModuleInfo): ColumnDefault | null {
    if (node.type === 'string' && stringValue(node) !== null) return { kind: 'literal', value: stringValue(node) }
    if (node.type === 'integer') return { kind: 'literal', value: Number(node.text) }
    if (node.type === 'float') return { kind: 'literal', value: Number(node.text) }
    if (node.type === 'true' || node.type === 'false') return { kind: 'literal', value: node.type === 'true' }
    if (node.type === 'none') return { kind: 'literal', value: null }
    const path = this.externalPath(module, node)
    if (path === 'datetime.datetime.utcnow' || path === 'datetime.utcnow') return { kind: 'callable', name: 'datetime.utcnow' }
    if (path === 'datetime.datetime.now' || path === 'datetime.now') return { kind: 'callable', name: 'datetime.now' }
    if (path === 'datetime.date.today' || path === 'date.today') return { kind: 'callable', name: 'date.today' }
    return null
  }

  private readColumn(attribute: string | null, call: SyntaxNode, module: ModuleInfo): ColumnSchema | null {
    const args = argumentsOf(call)
    const positional = [...args.positional]
    let name = attribute
    if (positional[0]?.type === 'string') name = stringValue(positional.shift()!)
    if (name === null) {
      this.report(call, module, `a column without a name: \`${call.text}\``)
      return null
    }
    let type: ColumnType | null = null
    let foreignKey: ColumnSchema['foreignKey'] = null
    for (const arg of positional) {
      const callee = arg.type === 'call' ? arg.childForFieldName('function')! : arg
      if (this.sqlName(module, callee) === 'ForeignKey' && arg.type === 'call') {
        const target = argumentsOf(arg)
        const text = target.positional[0]?.type === 'string' ? stringValue(target.positional[0]) : null
        const match = text === null ? null : /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(text)
        if (match === null || target.keywords.size > 0 || foreignKey !== null) {
          this.report(arg, module, `\`${arg.text}\` is not a foreign key the tool can migrate (a literal "table.column" without options)`)
          return null
        }
        foreignKey = { table: match[1]!, column: match[2]! }
        continue
      }
      const read: ColumnType | null = type === null ? this.readType(arg, module) : null
      if (read === null) {
        this.report(arg, module, `column type or argument \`${arg.text}\` is not migrated`)
        return null
      }
      type = read
    }
    if (type === null) {
      // Column(ForeignKey(...)) without a type takes the referenced column's type; not modelled.
      this.report(call, module, `column \`${name}\` has no type the tool can read`)
      return null
    }
    const flag = (key: string): boolean | undefined => {
      const value = args.keywords.get(key)
      if (value === undefined) return undefined
      if (value.type === 'true') return true
      if (value.type === 'false') return false
      this.report(value, module, `\`${key}=${value.text}\` of column \`${name}\` is not a literal True or False`)
      return undefined
    }
    const column: ColumnSchema = {
      attribute: attribute ?? name,
      name,
      type,
      primaryKey: flag('primary_key') ?? false,
      nullable: false,
      unique: flag('unique') ?? false,
      index: flag('index') ?? false,
      foreignKey,
      default: null,
      onupdate: null,
      serverDefault: null,
      autoincrement: flag('autoincrement') ?? 'auto',
    }
    column.nullable = flag('nullable') ?? !column.primaryKey
    for (const key of ['default', 'onupdate'] as const) {
      const value = args.keywords.get(key)
      if (value === undefined) continue
      const read = this.readDefault(value, module)
      if (read === null) this.report(value, module, `\`${key}=${value.text}\` of column \`${name}\` is not migrated`)
      column[key] = read
    }
    const server = args.keywords.get('server_default')
    if (server !== undefined) {
      if (server.type === 'string' && stringValue(server) !== null) column.serverDefault = stringValue(server)
      else this.report(server, module, `\`server_default=${server.text}\` of column \`${name}\` is not migrated (only a literal string is)`)
    }
    for (const key of args.keywords.keys()) {
      if (!['primary_key', 'nullable', 'unique', 'index', 'default', 'onupdate', 'server_default', 'autoincrement'].includes(key)) {
        this.report(args.keywords.get(key)!.parent!, module, `keyword \`${key}\` of column \`${name}\` is not migrated`)
      }
    }
    return column
  }

  /** Relationships, once every model and table is known (targets are often named before they are defined). */
  resolveRelationships(): void {
    for (const pending of this.pendingRelationships) {
      const { node, module, model, attribute } = pending
      const args = argumentsOf(node)
      const targetNode = args.positional[0]
      const target = targetNode?.type === 'string' ? stringValue(targetNode) : targetNode?.type === 'identifier' ? targetNode.text : null
      if (target === null || !this.tables.some((table) => table.model === target)) {
        this.report(node, module, `relationship \`${model}.${attribute}\` names no model the tool knows`)
        continue
      }
      const relationship: RelationshipSchema = {
        model, attribute, target, lazy: 'select', uselist: true, secondary: null, backPopulates: null, cascadeDeleteOrphan: false, cascadeDelete: false, orderBy: [],
      }
      let backref: { name: string; lazy: LazyMode } | null = null
      let ok = true
      const fail = (at: SyntaxNode, message: string): void => {
        this.report(at, module, message)
        ok = false
      }
      for (const [key, value] of args.keywords) {
        if (key === 'back_populates') {
          if (value.type === 'string' && stringValue(value) !== null) relationship.backPopulates = stringValue(value)
          else fail(value, `back_populates of \`${model}.${attribute}\` is not a literal string`)
        } else if (key === 'lazy') {
          const mode = value.type === 'string' ? stringValue(value) : value.type === 'true' ? 'select' : null
          if (mode !== null && LAZY_MODES.has(mode as LazyMode)) relationship.lazy = mode as LazyMode
          else fail(value, `lazy=${value.text} of \`${model}.${attribute}\` is not migrated`)
        } else if (key === 'uselist') {
          if (value.type === 'true' || value.type === 'false') relationship.uselist = value.type === 'true'
          else fail(value, `uselist=${value.text} of \`${model}.${attribute}\` is not a literal`)
        } else if (key === 'secondary') {
          const name = value.type === 'string' ? stringValue(value) : value.type === 'identifier' ? this.tables.find((table) => table.model === null && table.binding === value.text)?.name ?? null : null
          if (name !== null && this.tables.some((table) => table.name === name)) relationship.secondary = name
          else fail(value, `secondary=${value.text} of \`${model}.${attribute}\` names no table the tool knows`)
        } else if (key === 'cascade') {
          const text = value.type === 'string' ? stringValue(value) : null
          const parts = text?.split(',').map((part) => part.trim()) ?? null
          const known = new Set(['all', 'delete-orphan', 'delete', 'save-update', 'merge', 'refresh-expire', 'expunge'])
          if (parts === null || parts.some((part) => !known.has(part))) fail(value, `cascade=${value.text} of \`${model}.${attribute}\` is not migrated`)
          else {
            relationship.cascadeDeleteOrphan = parts.includes('delete-orphan')
            relationship.cascadeDelete = parts.includes('all') || parts.includes('delete')
          }
        } else if (key === 'order_by') {
          const order = this.readOrderBy(value, relationship.target, module)
          if (order === null) fail(value, `order_by=${value.text} of \`${model}.${attribute}\` is not migrated`)
          else relationship.orderBy = order
        } else if (key === 'backref') {
          if (value.type === 'string' && stringValue(value) !== null) backref = { name: stringValue(value)!, lazy: 'select' }
          else if (value.type === 'call' && this.sqlName(module, value.childForFieldName('function')!) === 'backref') {
            const inner = argumentsOf(value)
            const name = inner.positional[0]?.type === 'string' ? stringValue(inner.positional[0]) : null
            const lazy = inner.keywords.get('lazy')
            const lazyMode = lazy === undefined ? 'select' : lazy.type === 'string' ? stringValue(lazy) : null
            if (name === null || lazyMode === null || !LAZY_MODES.has(lazyMode as LazyMode) || inner.keywords.size > (lazy ? 1 : 0)) fail(value, `backref ${value.text} of \`${model}.${attribute}\` is not migrated`)
            else backref = { name, lazy: lazyMode as LazyMode }
          } else fail(value, `backref=${value.text} of \`${model}.${attribute}\` is not migrated`)
        } else fail(value.parent!, `keyword \`${key}\` of relationship \`${model}.${attribute}\` is not migrated`)
      }
      if (!ok) continue
      if (relationship.secondary === null && !this.foreignKeyBetween(model, target)) {
        this.report(node, module, `relationship \`${model}.${attribute}\`: no single foreign key joins ${model} and ${target}`)
        continue
      }
      // Many-to-one when the declaring model holds the foreign key to the target.
      if (relationship.secondary === null && this.holdsForeignKey(model, target) && !args.keywords.has('uselist')) relationship.uselist = false
      this.relationships.push(relationship)
      if (backref !== null) {
        relationship.backPopulates = backref.name
        this.relationships.push({
          model: target,
          attribute: backref.name,
          target: model,
          lazy: backref.lazy,
          uselist: relationship.secondary !== null || !this.holdsForeignKey(target, model),
          secondary: relationship.secondary,
          backPopulates: attribute,
          cascadeDeleteOrphan: false,
          cascadeDelete: false,
          orderBy: [],
        })
      }
    }
  }

  private tableOf(model: string): TableSchema | undefined {
    return this.tables.find((table) => table.model === model)
  }

  holdsForeignKey(model: string, target: string): boolean {
    const from = this.tableOf(model)
    const to = this.tableOf(target)
    return from !== undefined && to !== undefined && from.columns.filter((column) => column.foreignKey?.table === to.name).length === 1
  }

  private foreignKeyBetween(model: string, target: string): boolean {
    return this.holdsForeignKey(model, target) !== this.holdsForeignKey(target, model)
  }

  private readOrderBy(node: SyntaxNode, target: string, module: ModuleInfo): [string, 'asc' | 'desc'][] | null {
    const items = node.type === 'list' || node.type === 'tuple' ? node.namedChildren : [node]
    const out: [string, 'asc' | 'desc'][] = []
    for (const item of items) {
      let text = item.type === 'string' ? stringValue(item) : item.text
      if (text === null) return null
      let direction: 'asc' | 'desc' = 'asc'
      const call = /^(.*)\.(desc|asc)\(\)$/.exec(text)
      if (call) {
        text = call[1]!
        direction = call[2] as 'asc' | 'desc'
      }
      const match = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(text)
      if (!match || match[1] !== target || !this.tableOf(target)?.columns.some((column) => column.attribute === match[2])) return null
      out.push([match[2]!, direction])
    }
    void module
    return out
  }
}

/** The positional and keyword arguments of a call (a `*args` or `**kwargs` makes it unreadable: both empty and `splat` set). */
function argumentsOf(call: SyntaxNode): { positional: SyntaxNode[]; keywords: Map<string, SyntaxNode>; splat?: boolean } {
  const positional: SyntaxNode[] = []
  const keywords = new Map<string, SyntaxNode>()
  let splat = false
  for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (arg.type === 'comment') continue
    if (arg.type === 'keyword_argument') keywords.set(arg.childForFieldName('name')!.text, arg.childForFieldName('value')!)
    else if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') splat = true
    else positional.push(arg)
  }
  return { positional, keywords, splat }
}

/** A plain Python string literal's value (null for f-strings, byte strings and escapes the tool does not read). */
function stringValue(node: SyntaxNode): string | null {
  if (node.type !== 'string') return null
  const text = node.text
  const match = /^([rRuU]?)('''|"""|'|")([\s\S]*)\2$/.exec(text)
  if (!match) return null
  const body = match[3]!
  if (match[1]!.toLowerCase() !== 'r' && body.includes('\\')) return null
  return body
}

/** The models and tables of a project's modules (parsed by src/parse). */
export function readSqlalchemySchema(modules: { name: string; file: string; source: string; tree: Parser.Tree }[]): SqlalchemySchema {
  // Most projects have no models: no index of their modules is built for them.
  if (!modules.some((module) => module.source.includes('sqlalchemy'))) return { tables: [], relationships: [], findings: [] }
  return readProjectSchema(new ProjectIndex(modules))
}

/** Whether `name` in `module` is the project's `SQLAlchemy()` object (`db`). */
export function isSqlalchemyObject(project: ProjectIndex, module: string, name: string): boolean {
  const info = project.modules.get(module)
  return info !== undefined && new Reader(project).isDb(info, name)
}

/** The same, on a project index the caller has (the translator's). */
export function readProjectSchema(project: ProjectIndex): SqlalchemySchema {
  const reader = new Reader(project)
  // MetaData's order is the order Python runs the definitions: the project's files in scan order
  // stand in for import order, which they follow in the usual one-models-module layout.
  const ordered = [...project.modules.values()].filter((module) => /\bdb\.(Model|Table)\b|\bColumn\(/.test(module.source))
  for (const module of ordered) reader.readModule(module)
  reader.resolveRelationships()
  return { tables: reader.tables, relationships: reader.relationships, findings: reader.findings }
}
