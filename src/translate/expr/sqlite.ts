import { fail } from '../diagnostics.js'
import { emitted, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec } from '../precedence.js'
import { translateExpr } from './index.js'
import { callArguments, requireStatic } from './arguments.js'
import { stdlibPath } from './stdlib.js'

/**
 * Python's `sqlite3` module onto the runtime's sqlite.ts (better-sqlite3 with the DB-API's
 * semantics): `sqlite3.connect(...)`, `sqlite3.Row`, the constants and exception classes.
 * Connections, cursors and rows are runtime objects whose methods (`execute`, `fetchone`,
 * `commit`, …) translated code calls dynamically, as it calls any method of an unknown value.
 */

export const SQLITE_EXCEPTIONS = new Set([
  'Warning', 'Error', 'InterfaceError', 'DatabaseError', 'DataError', 'OperationalError', 'IntegrityError', 'InternalError', 'ProgrammingError', 'NotSupportedError',
])
const VALUES: Record<string, Emitted['type']> = {
  Row: 'unknown', Connection: 'unknown', Cursor: 'unknown', PARSE_DECLTYPES: 'int', PARSE_COLNAMES: 'int', sqlite_version: 'str',
  sqlite_version_info: 'tuple', apilevel: 'str', paramstyle: 'str', threadsafety: 'int',
}
/** `sqlite3.connect`'s parameters, in order (CPython 3.11). */
const CONNECT_PARAMETERS = ['database', 'timeout', 'detect_types', 'isolation_level', 'check_same_thread', 'factory', 'cached_statements', 'uri']

function runtime(ctx: Context): string {
  ctx.imports.useLib('sqlite', 'sqlite3')
  return 'sqlite3'
}

/** The runtime's class for `except sqlite3.IntegrityError` (null when `path` is not one). */
export function sqliteExceptionClass(path: string | null, ctx: Context): string | null {
  if (path === null || !path.startsWith('sqlite3.') || !SQLITE_EXCEPTIONS.has(path.slice('sqlite3.'.length))) return null
  return `${runtime(ctx)}.${path.slice('sqlite3.'.length)}`
}

/** `sqlite3.Row`, `sqlite3.PARSE_DECLTYPES`, `sqlite3.IntegrityError`, … used as values. */
export function sqliteValue(path: string, node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (!path.startsWith('sqlite3.')) return undefined
  const name = path.slice('sqlite3.'.length)
  if (!(name in VALUES) && !SQLITE_EXCEPTIONS.has(name)) return fail('unsupported-stdlib-call', node, `\`${path}\` is not supported`)
  return emitted(`${runtime(ctx)}.${name}`, Prec.Call, VALUES[name] ?? 'unknown')
}

/** `sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES` as its number (null when the expression is not such flags). */
function parseFlags(node: SyntaxNode, ctx: Context): number | null {
  if (node.type === 'parenthesized_expression' && node.namedChildren.length === 1) return parseFlags(node.namedChildren[0], ctx)
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '|') {
    const left = parseFlags(node.childForFieldName('left')!, ctx)
    const right = parseFlags(node.childForFieldName('right')!, ctx)
    return left === null || right === null ? null : left | right
  }
  if (node.type !== 'identifier' && node.type !== 'attribute') return null
  const path = stdlibPath(node, ctx)
  return path === 'sqlite3.PARSE_DECLTYPES' ? 1 : path === 'sqlite3.PARSE_COLNAMES' ? 2 : null
}

/** `sqlite3.connect(...)`, `sqlite3.register_converter(...)`, `sqlite3.register_adapter(...)`, `sqlite3.Row(cursor, row)`. */
export function translateSqliteCall(path: string, node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (!path.startsWith('sqlite3.')) return undefined
  const args = callArguments(node)
  const name = path.slice('sqlite3.'.length)
  if (name === 'connect') {
    if (args.splats.length > 0) fail('dynamic-call-arguments', args.splats[0], `unpacked arguments (\`${args.splats[0].text}\`) in a call to sqlite3.connect()`)
    if (args.positional.length > CONNECT_PARAMETERS.length) fail('unsupported-stdlib-call', node, `\`sqlite3.connect()\` takes at most ${CONNECT_PARAMETERS.length} arguments`)
    const bound = new Map<string, SyntaxNode>()
    args.positional.forEach((arg, i) => bound.set(CONNECT_PARAMETERS[i], arg))
    for (const [key, value] of args.keywords) {
      if (!CONNECT_PARAMETERS.includes(key) || bound.has(key)) fail('unsupported-stdlib-call', value.parent!, `keyword argument \`${key}\` in a call to sqlite3.connect()`)
      bound.set(key, value)
    }
    const database = bound.get('database')
    if (!database) fail('unsupported-stdlib-call', node, '`sqlite3.connect()` without a database')
    const options = CONNECT_PARAMETERS.slice(1)
      .filter((key) => bound.has(key))
      .map((key) => {
        const flags = key === 'detect_types' ? parseFlags(bound.get(key)!, ctx) : null
        return `${key}: ${flags !== null ? `${flags} /* ${bound.get(key)!.text.replace(/\s+/g, ' ').replace(/\*\//g, '* /')} */` : translateExpr(bound.get(key)!, ctx).code}`
      })
    const callee = runtime(ctx)
    return emitted(`${callee}.connect(${translateExpr(database, ctx).code}${options.length > 0 ? `, { ${options.join(', ')} }` : ''})`, Prec.Call)
  }
  if (name === 'register_converter' || name === 'register_adapter' || name === 'Row') {
    requireStatic(args, `sqlite3.${name}`)
    if (args.positional.length !== 2) fail('unsupported-stdlib-call', node, `\`sqlite3.${name}()\` takes 2 arguments`)
    const values = args.positional.map((arg) => translateExpr(arg, ctx).code)
    const callee = runtime(ctx)
    if (name === 'Row') return emitted(`new ${callee}.Row(${values.join(', ')})`, Prec.Call)
    return emitted(`${callee}.${name}(${values.join(', ')})`, Prec.Call, 'none')
  }
  return fail('unsupported-stdlib-call', node, `\`${path}()\` is not supported`)
}
