import { isSqlalchemyObject, readProjectSchema, type SqlalchemySchema, type TableSchema } from '../../analyze/ext-sqlalchemy.js'
import { fail } from '../diagnostics.js'
import { emitted, jsIdentifier, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec } from '../precedence.js'
import type { ProjectIndex } from '../project.js'
import { tsJson } from '../../ts-text.js'
import { translateExpr } from './index.js'
import { callArguments, type CallArguments } from './arguments.js'
import { resolveName } from './names.js'
import { startupBlocks, startupKey } from '../flask/startup.js'
import { signatureOf } from '../function.js'

/**
 * Flask-SQLAlchemy in translated code (the runtime is src/emit/runtime/db.ts):
 * - a `db.Model` class becomes `class Post extends Model`, mapped to its table of the service's
 *   schema module (src/db-schema.ts) by `mapModel(Post, schema)`; its `db.Column` and
 *   `db.relationship` attributes are the schema's, its methods and properties are translated as usual;
 * - the query methods that take keyword arguments (`filter_by(name=…)`, `paginate(page=…)`,
 *   `get_or_404(id, description=…)`, `Post.tags.any(name=…)`) pass them as one object;
 * - inside `filter(...)`, Python's comparisons of columns are SQL (`Post.id == 3` is `sqlEq(...)`:
 *   a criterion when a side is a column, Python's `==` otherwise).
 */

const schemas = new WeakMap<ProjectIndex, SqlalchemySchema>()
const mentions = new WeakMap<ProjectIndex, boolean>()

/** Whether any module of the project mentions sqlalchemy (most do not: the hooks below then cost nothing). */
function mentionsSqlalchemy(project: ProjectIndex): boolean {
  let found = mentions.get(project)
  if (found === undefined) {
    found = [...project.modules.values()].some((module) => module.source.includes('sqlalchemy'))
    mentions.set(project, found)
  }
  return found
}

/** The project's models and tables, read once per translation. */
export function projectSchema(project: ProjectIndex): SqlalchemySchema {
  let schema = schemas.get(project)
  if (schema === undefined) {
    const usesSqlalchemy = [...project.modules.values()].some((module) => module.source.includes('sqlalchemy'))
    schema = usesSqlalchemy ? readProjectSchema(project) : { tables: [], relationships: [], findings: [] }
    schemas.set(project, schema)
  }
  return schema
}

/** The table a class of the module is mapped to, when it is a `db.Model` the analysis read. */
export function modelTable(classNode: SyntaxNode, ctx: Context): TableSchema | null {
  const name = classNode.childForFieldName('name')!.text
  return projectSchema(ctx.project).tables.find((table) => table.model === name && table.module === ctx.module.name) ?? null
}

/** A class attribute the schema carries (`db.Column`, `db.relationship`, `__tablename__`): not a static of the class. */
export function isMappedAttribute(attribute: string, table: TableSchema, ctx: Context): boolean {
  if (attribute === '__tablename__') return true
  if (table.columns.some((column) => column.attribute === attribute)) return true
  return projectSchema(ctx.project).relationships.some((relationship) => relationship.model === table.model && relationship.attribute === attribute)
}

/** Names a class cannot declare as statics (Function's own properties). */
const FUNCTION_PROPERTIES = new Set(['name', 'length', 'prototype', 'caller', 'arguments'])

/** The model class's `extends` clause and its member declarations: the mapped attributes, typed for the translated code. */
export function modelClassParts(table: TableSchema, ctx: Context, classNode?: SyntaxNode): { extendsClause: string; declarations: string[]; after: string[] } {
  const startup = startupBlocks(ctx.project)
  if (startup.length > 0 && classNode !== undefined) {
    // The start-up work of the app's setup (seeding an empty database) runs in the service: a model is usable only when it is carried over.
    // Database work in an app context elsewhere (a seed script, a helper of the factory) is not run: the models stay stubs.
    const key = startupKey(ctx.project)
    const elsewhere = startup.find((block) => !block.inSetup)
    if (key === undefined || elsewhere !== undefined) {
      const work = (elsewhere ?? startup[0]!).work
      fail(
        'unsupported-flask-api',
        classNode,
        `model \`${table.model}\`: the app's start-up does database work besides db.create_all() (${work.file}:${work.line} \`${work.text}\`), which the service does not do; views using the models stay stubs rather than answer from a database that lacks what it writes`,
      )
    }
    ctx.dependencies.add(key!)
  }
  ctx.imports.useLib('db', 'Model')
  ctx.imports.useLib('db', 'mapModel')
  ctx.imports.useLib('db', 'Query')
  ctx.imports.py = true
  ctx.imports.useProject('db-schema', 'schema')
  const name = jsIdentifier(table.model!)
  const relationships = projectSchema(ctx.project).relationships.filter((relationship) => relationship.model === table.model)
  const declarations: string[] = [`  declare static query: Query<${name}>`]
  const statics: string[] = []
  for (const column of table.columns) {
    declarations.push(`  declare ${jsIdentifier(column.attribute)}: Py`)
    if (!FUNCTION_PROPERTIES.has(column.attribute)) statics.push(`  declare static ${jsIdentifier(column.attribute)}: ColumnExpression`)
  }
  for (const relationship of relationships) {
    declarations.push(`  declare ${jsIdentifier(relationship.attribute)}: Py`)
    if (!FUNCTION_PROPERTIES.has(relationship.attribute)) statics.push(`  declare static ${jsIdentifier(relationship.attribute)}: RelationshipExpression`)
  }
  if (statics.some((line) => line.endsWith(': ColumnExpression'))) ctx.imports.useLib('db', 'ColumnExpression')
  if (statics.some((line) => line.endsWith(': RelationshipExpression'))) ctx.imports.useLib('db', 'RelationshipExpression')
  // The parameters of its methods, by name: a call with keywords on a value the translator cannot type (`post.to_dict(with_comments=True)`) binds them at run time.
  const methods = classNode === undefined ? [] : modelMethodParameters(classNode)
  if (methods.length > 0) ctx.imports.useLib('db', 'methodParameters')
  const parameters = methods.length > 0 ? [`methodParameters(${name}, { ${methods.map(([method, params]) => `${tsJson(method)}: ${tsJson(params)}`).join(', ')} })`] : []
  return { extendsClause: ' extends Model', declarations: [...declarations, ...statics], after: [`mapModel(${name}, schema)`, ...parameters] }
}

/** A model's methods that take parameters besides self, with their names; methods with `*args`, `**kwargs` or keyword-only parameters are left out (the runtime then refuses keywords for them). */
function modelMethodParameters(classNode: SyntaxNode): [string, string[]][] {
  const out: [string, string[]][] = []
  for (const member of classNode.childForFieldName('body')?.namedChildren ?? []) {
    const def = member.type === 'decorated_definition' ? member.childForFieldName('definition')! : member
    if (def.type !== 'function_definition' || member.type === 'decorated_definition') continue
    const params = signatureOf(def, def).slice(1)
    if (params.length === 0 || params.some((param) => param.kind !== 'positional')) continue
    out.push([def.childForFieldName('name')!.text, params.map((param) => param.name)])
  }
  return out
}

/** The project's model classes define a method of this name (so `x.name(key=…)` on an untyped value may be one). */
function isModelMethod(name: string, ctx: Context): boolean {
  return projectSchema(ctx.project).tables.some((table) => {
    if (table.model === null || table.module === null) return false
    const def = ctx.project.modules.get(table.module)?.symbols.get(table.model)
    return def?.kind === 'class' && modelMethodParameters(def.node).some(([method]) => method === name)
  })
}

/** Query methods whose keyword arguments the runtime takes as one object, by method name: the keywords each accepts (null: any, as filter_by). */
const KEYWORD_METHODS: Record<string, { positional: number; keywords: string[] | null }> = {
  filter_by: { positional: 0, keywords: null },
  any: { positional: 1, keywords: null },
  has: { positional: 1, keywords: null },
  paginate: { positional: 0, keywords: ['page', 'per_page', 'max_per_page', 'error_out', 'count'] },
  // Query.get_or_404(id, …) and Flask-SQLAlchemy 3.0's db.get_or_404(Model, id, …).
  get_or_404: { positional: 2, keywords: ['description'] },
  first_or_404: { positional: 0, keywords: ['description'] },
}

/** Whether the project uses Flask-SQLAlchemy (so `x.filter_by(name=…)` is a query's). */
function usesModels(ctx: Context): boolean {
  return projectSchema(ctx.project).tables.length > 0
}

/**
 * `recv.filter_by(name=…)` and the other keyword-taking query methods, and `recv.filter(<comparisons>)`:
 * undefined when the call is not one of them (or the project has no models).
 */
export function translateQueryMethod(node: SyntaxNode, recv: Emitted, name: string, ctx: Context): Emitted | undefined {
  if (!usesModels(ctx) || recv.type !== 'unknown') return undefined
  const args = callArguments(node)
  if (name === 'filter' || name === 'having') {
    if (args.keywords.size > 0 || args.splats.length > 0) return undefined
    const criteria = args.positional.map((arg) => translateCriterion(arg, ctx).code)
    ctx.imports.py = true
    return emitted(`py.callMethod(${[recv.code, tsJson(name), ...criteria].join(', ')})`, Prec.Call)
  }
  if ((name === 'join' || name === 'outerjoin') && args.positional.length === 1 && args.keywords.size === 0 && args.splats.length === 0 && args.positional[0]!.type !== 'string') {
    // `Post.query.join(User)`: a query (a str's join takes an iterable of strings, never a class or a relationship).
    ctx.imports.py = true
    return emitted(`py.callMethod(${[recv.code, tsJson(name), translateExpr(args.positional[0]!, ctx).code].join(', ')})`, Prec.Call)
  }
  if ((name === 'join' || name === 'outerjoin') && args.positional.length === 2 && args.keywords.size === 0 && args.splats.length === 0) {
    // `query.outerjoin(post_tags, Tag.id == post_tags.c.tag_id)`: the ON clause is SQL.
    ctx.imports.py = true
    return emitted(`py.callMethod(${[recv.code, tsJson(name), translateExpr(args.positional[0]!, ctx).code, translateCriterion(args.positional[1]!, ctx).code].join(', ')})`, Prec.Call)
  }
  const shape = KEYWORD_METHODS[name]
  if (shape === undefined && args.keywords.size > 0 && args.splats.length === 0 && isModelMethod(name, ctx)) {
    // A model's method called with keywords (`post.to_dict(with_comments=True)`): bound by name when it runs, on whichever model it is.
    ctx.imports.useLib('db', 'callModelMethod')
    const positional = args.positional.map((arg) => translateExpr(arg, ctx).code)
    const keywords = [...args.keywords].map(([key, value]) => `${tsJson(key)}: ${translateExpr(value, ctx).code}`)
    return emitted(`callModelMethod(${recv.code}, ${tsJson(name)}, [${positional.join(', ')}], { ${keywords.join(', ')} })`, Prec.Call)
  }
  if (shape === undefined || (args.keywords.size === 0 && args.splats.length === 0)) return undefined
  if (args.splats.length > 0) return fail('dynamic-call-arguments', args.splats[0]!, `unpacked arguments in a call to .${name}()`)
  if (args.positional.length > shape.positional) return fail('dynamic-call-arguments', args.node, `too many positional arguments in a call to .${name}()`)
  return emitted(`py.callMethod(${[recv.code, tsJson(name), ...positionalThenKeywords(args, name, shape.keywords, ctx)].join(', ')})`, Prec.Call)
}

function positionalThenKeywords(args: CallArguments, name: string, allowed: string[] | null, ctx: Context): string[] {
  ctx.imports.py = true
  const values = args.positional.map((arg) => translateExpr(arg, ctx).code)
  const entries: string[] = []
  for (const [key, value] of args.keywords) {
    if (allowed !== null && !allowed.includes(key)) fail('dynamic-call-arguments', value.parent!, `keyword argument \`${key}\` in a call to .${name}()`)
    entries.push(`${tsJson(key)}: ${translateExpr(value, ctx).code}`)
  }
  return [...values, `{ ${entries.join(', ')} }`]
}

const SQL_COMPARISONS: Record<string, string> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' }

/** An argument of `filter(...)`: a comparison becomes the runtime's `sqlCompare`, which builds SQL when a side is a column. */
function translateCriterion(node: SyntaxNode, ctx: Context): Emitted {
  if (node.type === 'parenthesized_expression' && node.namedChildren.length === 1) return translateCriterion(node.namedChildren[0]!, ctx)
  if (node.type === 'comparison_operator') {
    const operators = node.children.filter((child) => !child.isNamed).map((child) => child.type)
    const operands = node.namedChildren.filter((child) => child.type !== 'comment')
    if (operators.length === 1 && operands.length === 2 && SQL_COMPARISONS[operators[0]!] !== undefined) {
      ctx.imports.useLib('db', 'sqlCompare')
      const left = translateExpr(operands[0]!, ctx).code
      const right = translateExpr(operands[1]!, ctx).code
      return emitted(`sqlCompare(${tsJson(SQL_COMPARISONS[operators[0]!]!)}, ${left}, ${right})`, Prec.Call)
    }
    if (operators.length === 1 && (operators[0] === 'is' || operators[0] === 'is not')) {
      return fail('unsupported-flask-api', node, `\`${node.text}\` in a query filter: SQLAlchemy needs \`== None\` or \`.is_(None)\` there, Python's \`is\` never builds SQL`)
    }
  }
  if (node.type === 'call') {
    // `or_(...)`, `and_(...)`, `not_(...)` (from sqlalchemy, or `db.or_`): their arguments are criteria too.
    const callee = node.childForFieldName('function')!
    const name = callee.type === 'identifier' ? callee.text : callee.type === 'attribute' ? callee.childForFieldName('attribute')!.text : ''
    const fromSqlalchemy =
      callee.type === 'identifier'
        ? (() => {
            const binding = resolveName(callee.text, callee, ctx)
            return binding.kind === 'unknown-import' && binding.module === 'sqlalchemy'
          })()
        : callee.type === 'attribute' && callee.childForFieldName('object')!.type === 'identifier' && isSqlalchemyObject(ctx.project, ctx.module.name, callee.childForFieldName('object')!.text)
    if (fromSqlalchemy && (name === 'or_' || name === 'and_' || name === 'not_')) {
      const args = callArguments(node)
      if (args.keywords.size > 0 || args.splats.length > 0) return fail('dynamic-call-arguments', args.node, `keyword or unpacked arguments in a call to ${name}()`)
      ctx.imports.useLib('db', name)
      return emitted(`${name}(${args.positional.map((arg) => translateCriterion(arg, ctx).code).join(', ')})`, Prec.Call)
    }
  }
  if (node.type === 'boolean_operator' || node.type === 'not_operator') {
    return fail('unsupported-flask-api', node, `Python's \`and\` / \`or\` / \`not\` in a query filter (SQLAlchemy needs and_(), or_(), not_())`)
  }
  return translateExpr(node, ctx)
}

/** The SQL functions the runtime's `func` has. */
const SQL_FUNCTION_NAMES = new Set(['count', 'max', 'min', 'sum', 'avg', 'lower', 'upper', 'length', 'coalesce', 'abs', 'round'])

/** sqlalchemy.exc's classes the runtime has (`except IntegrityError:` after a commit). */
const SQLALCHEMY_EXCEPTIONS = new Set(['SQLAlchemyError', 'DBAPIError', 'IntegrityError', 'OperationalError', 'InvalidRequestError', 'NoResultFound', 'MultipleResultsFound'])

/** The runtime class for `except IntegrityError` (imported from sqlalchemy.exc or sqlalchemy.orm.exc), or null. */
export function sqlalchemyExceptionClass(node: SyntaxNode, ctx: Context): string | null {
  if (node.type !== 'identifier' || !mentionsSqlalchemy(ctx.project)) return null
  const binding = resolveName(node.text, node, ctx)
  if (binding.kind !== 'unknown-import' || binding.name === null || !/^sqlalchemy(\.orm)?\.exc$/.test(binding.module) || !SQLALCHEMY_EXCEPTIONS.has(binding.name)) return null
  ctx.imports.useLib('db', binding.name)
  return binding.name
}

/**
 * `SQLAlchemy(app)` / `SQLAlchemy()`: the service's `db` (the app given is the service's own; its
 * database is configured by src/db-schema.ts from SQLALCHEMY_DATABASE_URI). undefined when `node` is not that call.
 */
export function translateSqlalchemyExpr(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if ((node.type !== 'identifier' && node.type !== 'call') || !mentionsSqlalchemy(ctx.project)) return undefined
  if (node.type === 'identifier') {
    // `from sqlalchemy import func`
    const binding = resolveName(node.text, node, ctx)
    if (binding.kind === 'unknown-import' && binding.module === 'sqlalchemy' && binding.name === 'func') {
      ctx.imports.useLib('db', 'func')
      return emitted('func', Prec.Primary)
    }
    return undefined
  }
  if (node.type !== 'call') return undefined
  const callee = node.childForFieldName('function')!
  // `func.count(post_tags.c.post_id)`: a SQL function of the runtime's `func`.
  if (callee.type === 'attribute' && callee.childForFieldName('object')!.type === 'identifier') {
    const object = callee.childForFieldName('object')!
    const binding = resolveName(object.text, object, ctx)
    if (binding.kind === 'unknown-import' && binding.module === 'sqlalchemy' && binding.name === 'func') {
      const name = callee.childForFieldName('attribute')!.text
      if (!SQL_FUNCTION_NAMES.has(name)) return fail('unsupported-import', node, `\`func.${name}()\` of SQLAlchemy is not one the service's data layer has`)
      const args = callArguments(node)
      if (args.keywords.size > 0 || args.splats.length > 0) return fail('dynamic-call-arguments', args.node, `keyword or unpacked arguments in a call to func.${name}()`)
      ctx.imports.useLib('db', 'func')
      return emitted(`func.${name}(${args.positional.map((arg) => translateExpr(arg, ctx).code).join(', ')})`, Prec.Call)
    }
  }
  // `post_tags = db.Table("post_tags", ...)`: the schema's table (its columns are the schema's).
  if (callee.type === 'attribute' && callee.childForFieldName('attribute')!.text === 'Table') {
    const object = callee.childForFieldName('object')!
    if (object.type === 'identifier' && isSqlalchemyObject(ctx.project, ctx.module.name, object.text)) {
      const name = node.childForFieldName('arguments')?.namedChildren[0]
      const table = projectSchema(ctx.project).tables.find((candidate) => candidate.model === null && candidate.module === ctx.module.name && name?.type === 'string' && name.text.slice(1, -1) === candidate.name)
      if (table === undefined) return fail('unsupported-flask-api', node, `\`${node.text}\`: a db.Table the analysis could not read (see sqlalchemy-model-not-migrated)`)
      ctx.imports.useLib('db', 'sqlTable')
      return emitted(`sqlTable(${tsJson(table.name)})`, Prec.Call)
    }
  }
  if (callee.type !== 'identifier') return undefined
  const binding = resolveName(callee.text, callee, ctx)
  if (binding.kind !== 'unknown-import' || binding.module !== 'flask_sqlalchemy' || binding.name !== 'SQLAlchemy') return undefined
  const args = callArguments(node)
  if (args.keywords.size > 0 || args.splats.length > 0 || args.positional.length > 1) {
    return fail('unsupported-flask-api', node, `\`${node.text}\`: options of SQLAlchemy() are not carried over (only SQLAlchemy() and SQLAlchemy(app))`)
  }
  ctx.imports.useLib('db', 'sqlalchemy')
  return emitted('sqlalchemy()', Prec.Call)
}
