import { fail, snippet } from '../diagnostics.js'
import { emitted, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec, receiver } from '../precedence.js'
import { translateExpr, truthy } from '../expr/index.js'
import { callArguments, requireStatic } from '../expr/arguments.js'
import { resolveName, type Binding } from '../expr/names.js'
import { translateOpenResource } from './resources.js'
import { translateClickCall } from './cli.js'
import { translateRenderTemplate } from './templates.js'
import { tsJson } from '../../ts-text.js'
import { posix } from 'node:path'

const REQUEST_ATTRIBUTES: Record<string, Emitted['type']> = {
  method: 'str', path: 'str', full_path: 'str', url: 'str', base_url: 'str', url_root: 'str', host: 'str', host_url: 'str',
  scheme: 'str', query_string: 'unknown', remote_addr: 'unknown', endpoint: 'unknown', blueprint: 'unknown', content_type: 'unknown',
  mimetype: 'str', is_json: 'bool', is_secure: 'bool', user_agent: 'str', referrer: 'unknown', content_length: 'unknown',
}
const WERKZEUG_EXCEPTIONS = new Set([
  'HTTPException', 'BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'MethodNotAllowed', 'NotAcceptable', 'RequestTimeout',
  'Conflict', 'Gone', 'LengthRequired', 'PreconditionFailed', 'RequestEntityTooLarge', 'UnsupportedMediaType', 'UnprocessableEntity',
  'TooManyRequests', 'InternalServerError', 'NotImplemented', 'BadGateway', 'ServiceUnavailable',
])
const TYPE_CONVERTERS: Record<string, string> = { int: 'py.int', float: 'py.toFloat', str: 'py.str', bool: 'py.bool' }

/**
 * The Hono context variable in a handler; in a function it calls (`get_db()` reading `g`), the
 * request being handled, as Flask's context locals are (runtime `currentContext()`). Code run at
 * import time has no request: a finding.
 */
function contextVar(node: SyntaxNode, ctx: Context): string {
  if (ctx.flask) return ctx.flask.contextVar
  let inFunction = false
  for (let s: Context['scope'] | null = ctx.scope; s; s = s.parent) if (s.kind === 'function') inFunction = true
  if (!inFunction) fail('unsupported-flask-api', node, `\`${snippet(node)}\` needs Flask's request context, which code run at import time does not have`)
  ctx.imports.flask.add('currentContext')
  return 'currentContext()'
}

/** For `@after_this_request` (or `@flask.after_this_request`): the request's context variable; else null. */
export function afterThisRequestContext(decorator: SyntaxNode, ctx: Context): string | null {
  const expression = decorator.namedChildren[0]
  if (expression === undefined) return null
  const named = expression.type === 'identifier' ? flaskName(expression, ctx) : flaskCallee(expression, ctx)?.name ?? null
  return named === 'after_this_request' ? contextVar(expression, ctx) : null
}

function flaskName(node: SyntaxNode, ctx: Context): string | null {
  if (node.type !== 'identifier') return null
  const binding = resolveName(node.text, node, ctx)
  if (binding.kind === 'app') return 'app'
  return binding.kind === 'flask' ? binding.name : null
}

/** `session` or `flask.session`: Flask's session for this request, a dict (session.ts's SecureCookieSession). */
function sessionExpr(node: SyntaxNode, ctx: Context): Emitted | null {
  let isSession = flaskName(node, ctx) === 'session'
  if (!isSession && node.type === 'attribute' && node.childForFieldName('attribute')!.text === 'session') {
    const object = node.childForFieldName('object')!
    const binding = object.type === 'identifier' ? resolveName(object.text, object, ctx) : null
    isSession = binding?.kind === 'flask' && binding.name === 'flask' && binding.module === 'flask'
  }
  if (!isSession) return null
  ctx.imports.useLib('session', 'flaskSession')
  return emitted(`flaskSession(${contextVar(node, ctx)})`, Prec.Call, 'dict')
}

/** Attributes of Flask's session object besides its keys. */
const SESSION_ATTRIBUTES: Record<string, Emitted['type']> = { permanent: 'unknown', modified: 'bool', accessed: 'bool', new: 'bool' }

/** `raise NotFound()` / `except HTTPException`: Werkzeug's classes from errors.ts. */
export function flaskExceptionClass(binding: Binding, ctx: Context): string | null {
  if (binding.kind === 'flask' && WERKZEUG_EXCEPTIONS.has(binding.name)) {
    ctx.imports.errors.add(binding.name)
    return binding.name
  }
  return null
}

function kwargsObject(keywords: Map<string, SyntaxNode>, ctx: Context): string {
  return `{ ${[...keywords].map(([k, v]) => `${tsJson(k)}: ${translateExpr(v, ctx).code}`).join(', ')} }`
}

/** `request.args.get(...)`, `request.headers[...]`, … on a MultiDict-like of the request. */
export function requestMapping(object: SyntaxNode, ctx: Context): string | null {
  if (object.type !== 'attribute') return null
  const base = object.childForFieldName('object')!
  if (flaskName(base, ctx) !== 'request') return null
  const name = object.childForFieldName('attribute')!.text
  const c = contextVar(object, ctx)
  switch (name) {
    case 'args':
    case 'form':
      ctx.imports.flask.add(name)
      return `${name}(${c})`
    case 'headers':
    case 'cookies':
    case 'values':
    case 'files':
      ctx.imports.flask.add('request')
      return `request(${c}).${name}`
  }
  return null
}

/** Werkzeug's `Response(response=None, status=None, headers=None, mimetype=None, content_type=None, direct_passthrough=False)`. */
const RESPONSE_PARAMETERS = ['response', 'status', 'headers', 'mimetype', 'content_type', 'direct_passthrough']

/**
 * `Response(...)` of Flask or Werkzeug, or of a project subclass (`className`): the runtime's
 * FlaskResponse (its class attributes `default_mimetype`, `charset` and `default_status` are
 * Werkzeug's); the body is a str, bytes, None or an iterable of chunks, as Werkzeug takes it.
 */
export function responseConstruction(node: SyntaxNode, className: string, ctx: Context): Emitted {
  const args = callArguments(node)
  if (args.splats.length > 0) fail('dynamic-call-arguments', args.splats[0], `unpacked arguments in a call to \`${snippet(node.childForFieldName('function')!)}()\``)
  if (args.positional.length > RESPONSE_PARAMETERS.length) fail('unsupported-flask-api', node, `\`Response()\` with ${args.positional.length} positional arguments`)
  const bound = new Map<string, SyntaxNode>()
  args.positional.forEach((arg, i) => bound.set(RESPONSE_PARAMETERS[i], arg))
  for (const [name, value] of args.keywords) {
    if (!RESPONSE_PARAMETERS.includes(name) || bound.has(name)) fail('unsupported-flask-api', value.parent!, `keyword argument \`${name}\` of \`Response()\``)
    bound.set(name, value)
  }
  ctx.imports.flask.add('FlaskResponse')
  const bodyNode = bound.get('response')
  const body = bodyNode ? translateExpr(bodyNode, ctx).code : 'null'
  // direct_passthrough only lets a WSGI server pass a file wrapper through: nothing to carry over.
  const options = ['status', 'headers', 'mimetype', 'content_type'].filter((name) => bound.has(name)).map((name) => {
    const value = translateExpr(bound.get(name)!, ctx)
    if (name !== 'headers') return `${name}: ${value.code}`
    ctx.imports.py = true
    return `headers: ${value.code} as Py`
  })
  return emitted(`new ${className}(${body}${options.length > 0 ? `, { ${options.join(', ')} }` : ''})`, Prec.Call, 'response')
}

/** The runtime class for Flask's or Werkzeug's `Response` (Werkzeug's defaults to text/plain). */
export function responseClass(module: string, ctx: Context): string {
  const name = module.startsWith('werkzeug') ? 'WerkzeugResponse' : 'FlaskResponse'
  ctx.imports.flask.add(name)
  return name
}

function translateFlaskCall(node: SyntaxNode, ctx: Context): Emitted | undefined {
  const fn = node.childForFieldName('function')!
  const args = callArguments(node)
  const positional = (): string[] => args.positional.map((a) => translateExpr(a, ctx).code)
  const named = flaskCallee(fn, ctx)
  if (named?.name === 'Response') return responseConstruction(node, responseClass(named.module, ctx), ctx)
  if (named !== null && fn.type === 'attribute') return translateFlaskNamedCall(node, named.name, ctx)
  if (fn.type === 'attribute') {
    const object = fn.childForFieldName('object')!
    const method = fn.childForFieldName('attribute')!.text
    const mapping = requestMapping(object, ctx)
    if (mapping) {
      if (method === 'get') {
        requireStatic(args, `request.${object.childForFieldName('attribute')!.text}.get()`, ['default', 'type'])
        const values = positional()
        const fallback = args.keywords.get('default')
        if (fallback) values[1] = translateExpr(fallback, ctx).code
        const typeNode = args.keywords.get('type') ?? args.positional[2]
        if (typeNode) {
          const converter = typeNode.type === 'identifier' && resolveName(typeNode.text, typeNode, ctx).kind === 'builtin' ? TYPE_CONVERTERS[typeNode.text] : undefined
          if (!converter) fail('unsupported-flask-api', typeNode, `\`type=${typeNode.text}\` in \`${snippet(fn)}()\``)
          ctx.imports.py = true
          values[1] = values[1] ?? 'null'
          values[2] = converter
        }
        const type = values[1] !== undefined && /^"/.test(values[1]) && !typeNode ? 'str' : 'unknown'
        return emitted(`${mapping}.get(${values.join(', ')})`, Prec.Call, type)
      }
      if (method === 'getlist' || method === 'keys' || method === 'items' || method === 'values' || method === 'to_dict') {
        requireStatic(args, `request mapping .${method}()`)
        const name = method === 'to_dict' ? 'toDict' : method
        return emitted(`${mapping}.${name}(${positional().join(', ')})`, Prec.Call)
      }
      return fail('unsupported-flask-api', fn, `\`${snippet(fn)}()\``)
    }
    const root = flaskName(object, ctx)
    // session.get/pop/setdefault/…: dict methods of the session value (see sessionExpr).
    if (sessionExpr(object, ctx) !== null) return undefined
    if (root === 'request' && method === 'get_json') {
      requireStatic(args, 'request.get_json()', ['silent', 'force', 'cache'])
      const options = [...args.keywords].map(([k, v]) => `${k}: ${translateExpr(v, ctx).code}`)
      ctx.imports.flask.add('getJson')
      ctx.imports.py = true
      return emitted(`py.fromJs(getJson(${contextVar(node, ctx)}${options.length ? `, { ${options.join(', ')} }` : ''}))`, Prec.Call)
    }
    if (root === 'request' && method === 'get_data') {
      requireStatic(args, 'request.get_data()', ['as_text'])
      if (args.positional.length > 0) fail('unsupported-flask-api', fn, '`request.get_data()` with positional arguments')
      ctx.imports.flask.add('request')
      const asText = args.keywords.get('as_text')
      return emitted(`request(${contextVar(node, ctx)}).getData(${asText ? `{ as_text: ${translateExpr(asText, ctx).code} }` : ''})`, Prec.Call)
    }
    if (root === 'g' && ['get', 'pop', 'setdefault'].includes(method)) {
      requireStatic(args, `g.${method}()`)
      ctx.imports.flask.add('g')
      return emitted(`g(${contextVar(node, ctx)}).${method}(${positional().join(', ')})`, Prec.Call)
    }
    if ((root === 'current_app' || root === 'app') && object.type === 'identifier' && method === 'open_resource') return translateOpenResource(node, ctx)
    if ((root === 'current_app' || root === 'app') && object.type === 'identifier' && method === 'app_context') {
      // `with app.app_context():` in a handler: a context of its own, with its own `g` (runtime appContext).
      if (args.positional.length > 0 || args.keywords.size > 0 || args.splats.length > 0) fail('unsupported-flask-api', node, '`app_context()` with arguments')
      ctx.imports.flask.add('appContext')
      return emitted(`appContext(${contextVar(node, ctx)})`, Prec.Call)
    }
    if ((root === 'current_app' || root === 'app') && object.type === 'identifier') {
      return fail('unsupported-flask-api', node, `\`${snippet(fn)}()\``)
    }
    const config = configObject(object, ctx)
    if (config !== null && method === 'get') {
      requireStatic(args, 'config.get()')
      const key = args.positional[0]
      const fallback = args.positional[1] ? translateExpr(args.positional[1], ctx).code : 'null'
      const known = key?.type === 'string' ? configKey(key, ctx) : null
      if (known === null) fail('unsupported-flask-api', node, `\`${snippet(node)}\` reads a config key the analysis does not know`)
      return emitted(`${config}[${known}] ?? ${fallback}`, Prec.Or - 1)
    }
    if (root === 'request' || root === 'g' || root === 'current_app' || root === 'session') {
      return fail('unsupported-flask-api', fn, `\`${snippet(fn)}()\``)
    }
    return undefined
  }
  const name = flaskName(fn, ctx)
  if (name === null) return undefined
  return translateFlaskNamedCall(node, name, ctx)
}

/** A Flask or Werkzeug callee by name (`jsonify`) or through its module (`flask.jsonify`). */
function flaskCallee(fn: SyntaxNode, ctx: Context): { name: string; module: string } | null {
  if (fn.type === 'identifier') {
    const binding = resolveName(fn.text, fn, ctx)
    return binding.kind === 'flask' && binding.name !== binding.module ? { name: binding.name, module: binding.module } : null
  }
  if (fn.type !== 'attribute') return null
  const object = fn.childForFieldName('object')!
  if (object.type !== 'identifier') return null
  const binding = resolveName(object.text, object, ctx)
  // `import flask` binds the module: `flask.jsonify(...)` is Flask's `jsonify`.
  if (binding.kind !== 'flask' || binding.name !== binding.module) return null
  return { name: fn.childForFieldName('attribute')!.text, module: binding.module }
}

/** Flask's functions called by name. */
function translateFlaskNamedCall(node: SyntaxNode, name: string, ctx: Context): Emitted {
  const fn = node.childForFieldName('function')!
  const args = callArguments(node)
  const positional = (): string[] => args.positional.map((a) => translateExpr(a, ctx).code)
  switch (name) {
    case 'jsonify': {
      if (args.splats.length > 0) fail('dynamic-call-arguments', args.splats[0], 'unpacked arguments in jsonify()')
      ctx.imports.flask.add('jsonify')
      const values = positional()
      if (args.keywords.size > 0) {
        ctx.imports.flask.add('kwargs')
        values.push(`kwargs(${kwargsObject(args.keywords, ctx)})`)
      }
      return emitted(`jsonify(${values.join(', ')})`, Prec.Call, 'response')
    }
    case 'abort':
      // `description=` reaches the exception's description; Werkzeug's 405 and 416 take another first argument.
      const code = args.positional.length === 1 && args.positional[0].type === 'integer' ? Number(args.positional[0].text) : null
      requireStatic(args, 'abort()', code !== null && code !== 405 && code !== 416 ? ['description'] : [])
      ctx.imports.flask.add('abort')
      const description = args.keywords.get('description')
      return emitted(`abort(${[...positional(), ...(description ? [translateExpr(description, ctx).code] : [])].join(', ')})`, Prec.Call, 'none')
    case 'redirect':
      requireStatic(args, 'redirect()', ['code'])
      ctx.imports.flask.add('redirect')
      {
        // `redirect(request.args.get("next") or url_for("index"))`: a location not known to be a str is passed as it is
        // (the runtime, as Werkzeug, fails on a non-string), typed for TypeScript.
        const location = args.positional.map((a) => {
          const value = translateExpr(a, ctx)
          return value.type === 'str' ? value.code : `${value.code} as string`
        })
        return emitted(`redirect(${[...location, ...(args.keywords.has('code') ? [translateExpr(args.keywords.get('code')!, ctx).code] : [])].join(', ')})`, Prec.Call, 'response')
      }
    case 'make_response': {
      requireStatic(args, 'make_response()')
      ctx.imports.flask.add('makeResponse')
      const values = positional()
      const c = contextVar(node, ctx)
      if (values.length === 1) return emitted(`makeResponse(${c}, ${values[0]})`, Prec.Call, 'response')
      ctx.imports.py = true
      return emitted(`makeResponse(${c}, py.tuple(${values.join(', ')}))`, Prec.Call, 'response')
    }
    case 'flash': {
      requireStatic(args, 'flash()', ['message', 'category'])
      const message = args.keywords.get('message') ?? args.positional[0]
      const category = args.keywords.get('category') ?? args.positional[1]
      if (!message || args.positional.length > 2 || (args.keywords.has('message') && args.positional.length > 0)) fail('unsupported-flask-api', node, '`flash()` with these arguments')
      ctx.imports.useLib('session', 'flash')
      const values = [contextVar(node, ctx), translateExpr(message, ctx).code, ...(category ? [translateExpr(category, ctx).code] : [])]
      return emitted(`flash(${values.join(', ')})`, Prec.Call, 'none')
    }
    case 'get_flashed_messages': {
      requireStatic(args, 'get_flashed_messages()', ['with_categories', 'category_filter'])
      const names = ['with_categories', 'category_filter']
      if (args.positional.length > 2) fail('unsupported-flask-api', node, '`get_flashed_messages()` with more than two arguments')
      const bound = new Map<string, SyntaxNode>(args.positional.map((arg, i) => [names[i], arg]))
      for (const [key, value] of args.keywords) {
        if (bound.has(key)) fail('unsupported-flask-api', node, `\`get_flashed_messages()\` given \`${key}\` twice`)
        bound.set(key, value)
      }
      ctx.imports.useLib('session', 'getFlashedMessages')
      const options = names.filter((key) => bound.has(key)).map((key) => `${key}: ${translateExpr(bound.get(key)!, ctx).code}`)
      return emitted(`getFlashedMessages(${contextVar(node, ctx)}${options.length > 0 ? `, { ${options.join(', ')} }` : ''})`, Prec.Call, 'list')
    }
    case 'generate_password_hash':
    case 'check_password_hash': {
      const names = name === 'generate_password_hash' ? ['password', 'method', 'salt_length'] : ['pwhash', 'password']
      requireStatic(args, `${name}()`, names)
      if (args.positional.length > names.length) fail('unsupported-flask-api', node, `\`${name}()\` with ${args.positional.length} arguments`)
      const bound = new Map<string, SyntaxNode>(args.positional.map((arg, i) => [names[i], arg]))
      for (const [key, value] of args.keywords) {
        if (bound.has(key)) fail('unsupported-flask-api', node, `\`${name}()\` given \`${key}\` twice`)
        bound.set(key, value)
      }
      const required = name === 'generate_password_hash' ? 1 : 2
      if (names.slice(0, required).some((key) => !bound.has(key))) fail('unsupported-flask-api', node, `\`${name}()\` without its required arguments`)
      const last = names.reduce((end, key, i) => (bound.has(key) ? i + 1 : end), 0)
      const values = names.slice(0, last).map((key) => (bound.has(key) ? translateExpr(bound.get(key)!, ctx).code : 'undefined'))
      const runtime = name === 'generate_password_hash' ? 'generatePasswordHash' : 'checkPasswordHash'
      ctx.imports.useLib('security', runtime)
      return emitted(`${runtime}(${values.join(', ')})`, Prec.Call, name === 'generate_password_hash' ? 'str' : 'bool')
    }
    case 'secure_filename': {
      requireStatic(args, 'secure_filename()')
      if (args.positional.length !== 1) fail('unsupported-flask-api', node, '`secure_filename()` without a single argument')
      ctx.imports.useLib('multipart', 'secureFilename')
      return emitted(`secureFilename(${translateExpr(args.positional[0], ctx).code})`, Prec.Call, 'str')
    }
    case 'stream_with_context': {
      // The request stays reachable while a streamed body is read: the generator as it is.
      requireStatic(args, 'stream_with_context()')
      if (args.positional.length !== 1) fail('unsupported-flask-api', node, 'stream_with_context() without a single argument')
      return translateExpr(args.positional[0], ctx)
    }
    case 'send_from_directory':
    case 'send_file':
      return sendFileCall(node, name, ctx)
    case 'render_template':
    case 'render_template_string':
      return translateRenderTemplate(node, name, ctx, contextVar(node, ctx))
    case 'url_for': {
      const listSplat = args.splats.find((splat) => splat.type !== 'dictionary_splat')
      if (listSplat !== undefined) fail('dynamic-call-arguments', listSplat, 'unpacked arguments in url_for()')
      const endpoint = args.positional[0]
      if (!endpoint || args.positional.length > 1) fail('unsupported-flask-api', node, 'url_for() without a single positional endpoint')
      const urlOptions: string[] = []
      for (const [k, value] of args.keywords) {
        if (!k.startsWith('_')) continue
        const option = URL_FOR_OPTIONS[k]
        if (!option) fail('unsupported-flask-api', node, `url_for() option \`${k}\``)
        const code = translateExpr(value, ctx)
        urlOptions.push(`${option}: ${option === 'external' ? truthy(code, ctx).code : code.code}`)
      }
      ctx.imports.router.add('urlFor')
      ctx.imports.urlMap = true
      let values = kwargsObject(new Map([...args.keywords].filter(([k]) => !k.startsWith('_'))), ctx)
      if (args.splats.length > 0) {
        // `**filters`: the mapping's items are values too (runtime urlForValues).
        ctx.imports.router.add('urlForValues')
        values = `urlForValues(${values}, ${args.splats.map((splat) => translateExpr(splat.namedChildren[0]!, ctx).code).join(', ')})`
      }
      const relative = endpoint.type !== 'string' || endpoint.text.replace(/^[rRuU]?['"]/, '').startsWith('.')
      let options = ''
      if (urlOptions.length > 0) {
        // The request's host and scheme (and blueprint, for a relative endpoint), as Flask builds external URLs.
        ctx.imports.router.add('urlForContext')
        options = `, { ...urlForContext(${contextVar(node, ctx)}), ${urlOptions.join(', ')} }`
      } else if (relative) {
        ctx.imports.flask.add('request')
        options = `, { blueprint: request(${contextVar(node, ctx)}).blueprint }`
      }
      return emitted(`urlFor(urlMap, ${translateExpr(endpoint, ctx).code}, ${values}${options})`, Prec.Call, 'str')
    }
  }
  if (WERKZEUG_EXCEPTIONS.has(name)) {
    requireStatic(args, name, ['description'])
    ctx.imports.errors.add(name)
    const values = positional()
    if (args.keywords.has('description')) values[0] = translateExpr(args.keywords.get('description')!, ctx).code
    return emitted(`new ${name}(${values.join(', ')})`, Prec.Call)
  }
  return fail('unsupported-flask-api', node, `\`${name}()\` from Flask is not supported`)
}

/** url_for's underscore options → the runtime's UrlForOptions. */
const URL_FOR_OPTIONS: Record<string, string> = { _external: 'external', _anchor: 'anchor', _method: 'method', _scheme: 'scheme' }

/** Keyword arguments of Flask's send_file / send_from_directory the runtime (static.ts) takes. */
const SEND_FILE_OPTIONS = ['mimetype', 'as_attachment', 'download_name', 'conditional', 'etag', 'max_age']

/** A str literal naming a path under the app's folder: relative, without `..` (what emit can copy into the service). */
function appRelativeLiteral(node: SyntaxNode | undefined, ctx: Context): string | null {
  if (node?.type !== 'string') return null
  const code = translateExpr(node, ctx).code
  if (!code.startsWith('"')) return null
  const text = JSON.parse(code) as string
  const parts = text.split('/')
  if (text === '' || text.startsWith('/') || text.includes('\\') || text.includes('\0') || parts.some((part) => part === '..')) return null
  return parts.filter((part) => part !== '' && part !== '.').join('/') || null
}

/**
 * `send_from_directory("dir", path, **options)` / `send_file("dir/file", **options)` with a literal
 * path under the app's folder (its root_path): emit copies that folder or file into the service
 * (public/_app/…, found by these calls' first argument) and static.ts serves it as Werkzeug does.
 */
function sendFileCall(node: SyntaxNode, name: string, ctx: Context): Emitted {
  const args = callArguments(node)
  const pathNames = name === 'send_from_directory' ? ['directory', 'path'] : ['path_or_file']
  requireStatic(args, `${name}()`, [...pathNames, 'filename', ...SEND_FILE_OPTIONS])
  if (args.positional.length > pathNames.length) fail('unsupported-flask-api', node, `\`${name}()\` with ${args.positional.length} positional arguments`)
  const bound = new Map<string, SyntaxNode>(args.positional.map((arg, i) => [pathNames[i], arg]))
  for (const [key, value] of args.keywords) {
    const target = key === 'filename' && name === 'send_from_directory' ? 'path' : key
    if (bound.has(target) || (key === 'filename' && name !== 'send_from_directory')) fail('unsupported-flask-api', value.parent!, `keyword argument \`${key}\` of \`${name}()\``)
    bound.set(target, value)
  }
  const literal = appRelativeLiteral(bound.get(pathNames[0]), ctx)
  if (literal === null) fail('unsupported-flask-api', node, `\`${name}()\` of a path that is not a str literal under the app's folder (only those are copied into the service)`)
  if (name === 'send_from_directory' && !bound.has('path')) fail('unsupported-flask-api', node, '`send_from_directory()` without a path')
  const options = SEND_FILE_OPTIONS.filter((key) => bound.has(key)).map((key) => `${key}: ${translateExpr(bound.get(key)!, ctx).code}`)
  const optionText = options.length > 0 ? `, { ${options.join(', ')} }` : ''
  const c = contextVar(node, ctx)
  if (name === 'send_file') {
    ctx.imports.useLib('static', 'sendAppFile')
    return emitted(`(await sendAppFile(${c}, ${tsJson(literal)}${optionText}))`, Prec.Primary, 'response')
  }
  ctx.imports.useLib('static', 'sendFromAppDirectory')
  ctx.imports.py = true
  return emitted(`(await sendFromAppDirectory(${c}, ${tsJson(literal)}, py.str(${translateExpr(bound.get('path')!, ctx).code})${optionText}))`, Prec.Primary, 'response')
}

/** `current_app.config` / `app.config` → the generated `config` object. */
function configObject(node: SyntaxNode, ctx: Context): string | null {
  if (node.type !== 'attribute' || node.childForFieldName('attribute')!.text !== 'config') return null
  const root = flaskName(node.childForFieldName('object')!, ctx)
  if (root !== 'current_app' && root !== 'app') return null
  ctx.imports.config = true
  return 'config'
}

function configKey(key: SyntaxNode, ctx: Context): string | null {
  const value = translateExpr(key, ctx).code
  const text = JSON.parse(value) as string
  return ctx.configKeys.has(text) ? value : null
}

/** Flask objects in expressions: `request.*`, `g.*`, `current_app.config[...]`, Flask calls. */
/** Werkzeug's parameters of the response methods translated, in order (the first ones positional in the runtime). */
const RESPONSE_METHODS: Record<string, { positional: string[]; options: string[] }> = {
  set_cookie: { positional: ['key', 'value'], options: ['max_age', 'expires', 'path', 'domain', 'secure', 'httponly', 'samesite'] },
  delete_cookie: { positional: ['key'], options: ['path', 'domain', 'secure', 'httponly', 'samesite'] },
  get_data: { positional: [], options: ['as_text'] },
  get_json: { positional: [], options: ['force', 'silent'] },
  set_data: { positional: ['value'], options: [] },
}

/** `response.set_cookie(...)`, `delete_cookie`, `get_data`, `get_json` on a Flask response. */
export function translateResponseMethod(recv: Emitted, name: string, node: SyntaxNode, ctx: Context): Emitted {
  const fn = node.childForFieldName('function')!
  const signature = RESPONSE_METHODS[name]
  if (!signature) return fail('unsupported-flask-api', fn, `response method \`${name}()\``)
  const args = callArguments(node)
  if (args.splats.length > 0) fail('dynamic-call-arguments', args.splats[0], `unpacked arguments in \`response.${name}()\``)
  const names = [...signature.positional, ...signature.options]
  if (args.positional.length > names.length) fail('unsupported-flask-api', fn, `\`response.${name}()\` with ${args.positional.length} arguments`)
  const bound = new Map<string, string>()
  args.positional.forEach((arg, i) => bound.set(names[i], translateExpr(arg, ctx).code))
  for (const [key, value] of args.keywords) {
    if (!names.includes(key) || bound.has(key)) fail('unsupported-flask-api', value.parent!, `keyword argument \`${key}\` of \`response.${name}()\``)
    bound.set(key, translateExpr(value, ctx).code)
  }
  const list = signature.positional.filter((p) => bound.has(p)).map((p) => bound.get(p)!)
  if (list.length < signature.positional.filter((p) => p === 'key').length) fail('unsupported-flask-api', fn, `\`response.${name}()\` without a key`)
  const options = signature.options.filter((o) => bound.has(o)).map((o) => `${o}: ${bound.get(o)}`)
  if (options.length > 0) {
    // The runtime takes the options after the positional parameters, so a skipped `value` is ''.
    if (name === 'set_cookie' && list.length === 1) list.push('""')
    list.push(`{ ${options.join(', ')} }`)
  }
  if (name === 'get_json') {
    ctx.imports.py = true
    return emitted(`py.fromJs(${receiver(recv)}.get_json(${list.join(', ')}))`, Prec.Call)
  }
  return emitted(`${receiver(recv)}.${name}(${list.join(', ')})`, Prec.Call, name === 'get_data' ? 'unknown' : 'none')
}

export function translateFlaskExpr(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type === 'call') return translateClickCall(node, ctx) ?? translateFlaskCall(node, ctx)
  if (node.type === 'subscript') {
    const value = node.childForFieldName('value')!
    const index = node.childrenForFieldName('subscript')
    const config = configObject(value, ctx)
    if (config !== null) {
      const known = index.length === 1 && index[0].type === 'string' ? configKey(index[0], ctx) : null
      if (known === null) fail('unsupported-flask-api', node, `\`${snippet(node)}\` reads a config key the analysis does not know`)
      return emitted(`${config}[${known}]`, Prec.Call)
    }
    const mapping = requestMapping(value, ctx)
    if (mapping && index.length === 1) return emitted(`${mapping}.getItem(${translateExpr(index[0], ctx).code})`, Prec.Call, mapping.endsWith('.files') ? 'unknown' : 'str')
    if (value.type === 'attribute' && value.childForFieldName('attribute')!.text === 'headers' && index.length === 1 && index[0].type !== 'slice') {
      // `response.headers["X"]`: KeyError when missing, as Werkzeug's Headers.
      const owner = translateExpr(value.childForFieldName('object')!, ctx)
      if (owner.type === 'response') return emitted(`${receiver(owner)}.headers.getItem(${translateExpr(index[0], ctx).code})`, Prec.Call, 'str')
    }
    return undefined
  }
  if (node.type === 'attribute') {
    const object = node.childForFieldName('object')!
    const name = node.childForFieldName('attribute')!.text
    const whole = sessionExpr(node, ctx)
    if (whole !== null) return whole
    const session = sessionExpr(object, ctx)
    if (session !== null) {
      if (!(name in SESSION_ATTRIBUTES)) fail('unsupported-flask-api', node, `\`session.${name}\``)
      return emitted(`${session.code}.${name}`, Prec.Call, SESSION_ATTRIBUTES[name])
    }
    const root = flaskName(object, ctx)
    if (root === 'request') {
      const c = contextVar(node, ctx)
      ctx.imports.flask.add('request')
      if (name in REQUEST_ATTRIBUTES) return emitted(`request(${c}).${name}`, Prec.Call, REQUEST_ATTRIBUTES[name])
      if (name === 'json') {
        ctx.imports.py = true
        return emitted(`py.fromJs(request(${c}).json)`, Prec.Call)
      }
      if (name === 'data') return emitted(`request(${c}).data`, Prec.Call)
      // Werkzeug's parsed headers (runtime request-headers.ts): parsed on first read, then the same object, as Werkzeug's cached properties.
      if (name === 'accept_mimetypes') {
        ctx.imports.useLib('request-headers', 'acceptMimetypes')
        return emitted(`acceptMimetypes(request(${c}))`, Prec.Call)
      }
      if (name === 'authorization') {
        ctx.imports.useLib('request-headers', 'requestAuthorization')
        return emitted(`requestAuthorization(request(${c}))`, Prec.Call)
      }
      // `"doc" in request.files`, `for f in request.files`: a MultiDict of Werkzeug's FileStorage (runtime multipart.ts).
      if (name === 'files') return emitted(`request(${c}).files`, Prec.Call)
      if (name === 'view_args') {
        ctx.imports.py = true
        return emitted(`py.fromJs(request(${c}).view_args)`, Prec.Call)
      }
      return fail('unsupported-flask-api', node, `\`request.${name}\``)
    }
    if (root === 'g') {
      ctx.imports.flask.add('g')
      return emitted(`g(${contextVar(node, ctx)}).${name}`, Prec.Call)
    }
    if (root === null && name === 'json') {
      // `response.json`: Python values, as `response.get_json()`.
      const owner = translateExpr(object, ctx)
      if (owner.type === 'response') {
        ctx.imports.py = true
        return emitted(`py.fromJs(${receiver(owner)}.json)`, Prec.Call)
      }
    }
    if ((root === 'current_app' || root === 'app') && name === 'logger') {
      // Flask's default format names the module the message comes from.
      ctx.imports.libNamespaces.add('logging')
      return emitted(`logging.appLogger(${tsJson(posix.basename(ctx.module.file, '.py'))})`, Prec.Call)
    }
    if (root !== null) {
      if (name === 'config') fail('unsupported-flask-api', node, '`config` used as a whole (only `config[...]` and `config.get(...)`)')
      return fail('unsupported-flask-api', node, `\`${snippet(node)}\``)
    }
    return undefined
  }
  if (node.type === 'identifier') {
    const name = flaskName(node, ctx)
    if (name === null) return undefined
    const exception = WERKZEUG_EXCEPTIONS.has(name) ? name : null
    if (exception) {
      ctx.imports.errors.add(exception)
      return emitted(exception, Prec.Primary)
    }
    if (name === 'session') return sessionExpr(node, ctx)!
    if (name === 'g') {
      // `'user' in g`, `getattr(g, name)`: the request's g object.
      ctx.imports.flask.add('g')
      return emitted(`g(${contextVar(node, ctx)})`, Prec.Call)
    }
    return fail('unsupported-flask-api', node, `Flask's \`${node.text}\` used as a value`)
  }
  return undefined
}

/** `g.x = v`, `response.headers[k] = v`. */
export function translateFlaskStatement(node: SyntaxNode, ctx: Context): string[] | undefined {
  if (node.type !== 'expression_statement') return undefined
  const assignment = node.namedChildren[0]
  if (assignment?.type !== 'assignment') return undefined
  const target = assignment.childForFieldName('left')!
  const right = assignment.childForFieldName('right')
  if (!right || right.type === 'assignment') return undefined
  if (target.type === 'attribute') {
    const session = sessionExpr(target.childForFieldName('object')!, ctx)
    const name = target.childForFieldName('attribute')!.text
    if (session !== null) {
      if (name !== 'permanent' && name !== 'modified' && name !== 'accessed') fail('unsupported-flask-api', target, `assignment to \`session.${name}\``)
      const value = translateExpr(right, ctx).code
      if (name === 'permanent') return [`${session.code}.permanent = ${value}`]
      ctx.imports.py = true
      return [`${session.code}.${name} = py.truthy(${value})`]
    }
  }
  if (target.type === 'attribute' && flaskName(target.childForFieldName('object')!, ctx) === 'g') {
    ctx.imports.flask.add('g')
    return [`g(${contextVar(target, ctx)}).${target.childForFieldName('attribute')!.text} = ${translateExpr(right, ctx).code}`]
  }
  if (target.type === 'subscript') {
    const value = target.childForFieldName('value')!
    if (value.type === 'attribute' && value.childForFieldName('attribute')!.text === 'headers') {
      const owner = translateExpr(value.childForFieldName('object')!, ctx)
      if (owner.type === 'response') {
        const key = translateExpr(target.childrenForFieldName('subscript')[0], ctx)
        return [`${receiver(owner)}.headers.set(${key.code}, ${translateExpr(right, ctx).code})`]
      }
    }
  }
  return undefined
}
