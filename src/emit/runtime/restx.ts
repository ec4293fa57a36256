/**
 * Flask-RESTX 1.1 (python-restx/flask-restx 1.1.0 is the oracle: fixtures/ext-flask-restx-behaviour
 * replays its scenario against it, or against its recording when flask_restx cannot be imported).
 * The Api's and namespaces' routes are the service's route table already (src/analyze/ext-restx.ts);
 * what they keep at run time is:
 *
 * - a Resource's answer through `Api.output`: a response object as it is, else `unpack` (data,
 *   code, headers) and `output_json` (`json.dumps` plus a newline, indent 4 in debug mode,
 *   `RESTX_JSON` settings not carried over), `Content-Type: application/json`;
 * - `@ns.expect(model, validate=True)` (or `Api(validate=True)` / `RESTX_VALIDATE`): the JSON payload
 *   checked against the model's JSON schema (Draft 4, as jsonschema words its messages) before the
 *   method runs, a 400 `{"errors": {path: message}, "message": "Input payload validation failed"}`;
 * - `abort(code, message, **data)`, `ns.abort`, and the Api's `handle_error` for requests to its
 *   endpoints (a 405 at one of its URLs; a 404 only with `catch_all_404s`): its error handlers
 *   (`@api.errorhandler(Exc)`, `@ns.errorhandler`), `{"message": <description>}` for an HTTP
 *   exception, `{"message": "Internal Server Error"}` for others (or the app's handlers when
 *   PROPAGATE_EXCEPTIONS / TESTING / DEBUG), and on a 404 the "You have requested this URI […] but
 *   did you mean …" help built from the app's rules (`RESTX_ERROR_404_HELP`);
 * - models (`api.model(name, {...})`) of restx `fields`, `marshal`, `@ns.marshal_with` /
 *   `marshal_list_with` (envelope, skip_none), and restx's own `reqparse` (its 400 body is the
 *   validation one above).
 * `@ns.doc`, `@ns.response`, `@ns.param`, `@ns.header`, `@ns.produces`, `@ns.vendor`, `@ns.hide`
 * and `@ns.deprecated` only document: they return the function as it is.
 */
import type { Context } from 'hono'
import { getCloseMatches } from './difflib.js'
import { BadRequest, HTTPException, abort as flaskAbort } from './errors.js'
import { Exception, ValueError } from './exceptions.js'
import {
  FlaskResponse,
  addErrorRouter,
  appConfigValue,
  currentContext,
  request,
  view,
  type FlaskRequest,
} from './flask.js'
import { isFloat } from './float.js'
import {
  PyDict,
  asFloat,
  bool,
  callWithKeywords,
  contains,
  float,
  fromJs,
  int,
  isList,
  isTuple,
  jsonDumpsPy,
  mappingItems,
  repr,
  str,
  type Py,
} from './py.js'
import { Argument, Namespace as ParseResult, RequestParser } from './restful-reqparse.js'
import { RestfulDateTime, getValue } from './restful-fields.js'
import { appUrlMap } from './router.js'

// ---------------------------------------------------------------------------------------------
// The Api's state (one per service: its resources' endpoints, error handlers, settings)

/** The endpoints the Api's resources were registered under (with their blueprint's name). */
const ownedEndpoints = new Set<string>()
/** `_own_and_child_error_handlers`: the Api's, then its namespaces' (a class given again keeps its place). */
const errorHandlers = new Map<Py, (error: Py) => Py>()
let defaultErrorHandler: ((error: Py) => Py) | null = null
let catchAll404s = false
/** `Api(validate=)`: null lets `RESTX_VALIDATE` decide. */
let validateDefault: Py = null
/** How many Apis the service made. */
let apis = 0

/** Keyword options given as a dict (`**kwargs`), or none. */
function optionsOf(options: Py): PyDict {
  return options instanceof PyDict ? options : new PyDict()
}

/** A decorator that only documents (`@ns.doc(...)`, `@ns.response(...)`): the function as it is. */
function documents<F>(fn: F): F {
  return fn
}

/** `Namespace` and `Api` (which acts through its default namespace): the decorators and helpers a project calls. */
class NamespaceBase {
  route(_urls: Py = null, _options: Py = null): <F>(cls: F) => F {
    return documents
  }
  doc(_shortcut: Py = null, _options: Py = null): <F>(fn: F) => F {
    return documents
  }
  response(
    _code: Py = null,
    _description: Py = null,
    _model: Py = null,
    _options: Py = null,
  ): <F>(fn: F) => F {
    return documents
  }
  param(
    _name: Py = null,
    _description: Py = null,
    _in: Py = null,
    _options: Py = null,
  ): <F>(fn: F) => F {
    return documents
  }
  header(_name: Py = null, _description: Py = null, _options: Py = null): <F>(fn: F) => F {
    return documents
  }
  produces(_mimetypes: Py = null): <F>(fn: F) => F {
    return documents
  }
  vendor(_args: Py = null): <F>(fn: F) => F {
    return documents
  }
  hide<F>(fn: F): F {
    return fn
  }
  deprecated<F>(fn: F): F {
    return fn
  }
  /** `ns.model(name, model)`: the fields dict, named. */
  model(
    name: Py = null,
    model: Py = null,
    _mask: Py = null,
    _strict: Py = false,
    _options: Py = null,
  ): Model {
    return new Model(name, model)
  }
  /** `ns.expect(*inputs, validate=None)`: the payload check dispatch runs before the method. */
  expect(inputs: Py = null, options: Py = null): <F>(fn: F) => F {
    const given = optionsOf(options)
    const validate = given.has('validate') ? given.get('validate') : null
    return (fn) => {
      const own = (fn as { __apidoc__?: ApiDoc }).__apidoc__
      ;(fn as { __apidoc__?: ApiDoc }).__apidoc__ = {
        expect: [...(own?.expect ?? []), ...(inputs ?? [])],
        validate: validate ?? own?.validate ?? null,
      }
      return fn
    }
  }
  /** `ns.marshal_with(fields, as_list=False, code=200, description=None, envelope=, skip_none=, mask=)`. */
  marshal_with(
    fields: Py,
    _asList: Py = false,
    _code: Py = 200,
    _description: Py = null,
    options: Py = null,
  ): <F extends (...args: never[]) => unknown>(method: F) => F {
    const given = optionsOf(options)
    const unknown = [...given.keys()].find(
      (key) => !['envelope', 'skip_none', 'mask', 'ordered'].includes(String(key)),
    )
    if (unknown !== undefined)
      throw new Error(`marshal_with(${String(unknown)}=...) is not carried over`)
    return marshal_with(
      fields,
      given.get('envelope') ?? null,
      given.get('skip_none') ?? false,
      given.get('mask') ?? null,
    )
  }
  marshal_list_with(
    fields: Py,
    options: Py = null,
  ): <F extends (...args: never[]) => unknown>(method: F) => F {
    const given = optionsOf(options)
    const code = given.has('code') ? given.get('code') : 200
    const description = given.get('description') ?? null
    const rest = new PyDict(
      mappingItems(given).filter(
        ([key]) => !['code', 'description', 'as_list'].includes(String(key)),
      ),
    )
    return this.marshal_with(fields, true, code, description, rest)
  }
  marshal(data: Py, fields: Py, envelope: Py = null, skipNone: Py = false): Py {
    return marshal(data, fields, envelope, skipNone)
  }
  abort(code: Py = 500, message: Py = null, data: Py = null): never {
    return restxAbort(code, message, data)
  }
  /** `@ns.errorhandler(Exception)`: the handler `handle_error` calls for errors of that class on the Api's routes. */
  errorhandler(exception: Py): Py {
    if (typeof exception === 'function' && exception.prototype instanceof Error) {
      return (fn: (error: Py) => Py) => {
        errorHandlers.set(exception, fn)
        return fn
      }
    }
    defaultErrorHandler = exception
    return exception
  }
  /** `api.payload` / `ns.payload`: `request.get_json()` (the same object on each use in a request, as Flask caches it). */
  get payload(): Py {
    return payloadOf(request(currentContext()))
  }
  parser(): RestxRequestParser {
    return new RestxRequestParser()
  }
  /** Routing is the service's already: these only keep the calls' results. */
  add_resource(_args: Py = null, _options: Py = null): null {
    return null
  }
}

interface ApiDoc {
  expect: Py[]
  validate: Py
}

const payloads = new WeakMap<FlaskRequest, Py>()

/** The request's JSON as Python values, converted once per request. */
function payloadOf(req: FlaskRequest): Py {
  if (!payloads.has(req)) payloads.set(req, fromJs(req.getJson()))
  return payloads.get(req)
}

/** `flask_restx.Namespace(name, description=None, path=None, decorators=None, validate=None, ...)`. */
export class Namespace extends NamespaceBase {
  constructor(
    public name: Py = null,
    public description: Py = null,
    public path: Py = null,
    decorators: Py = null,
    validate: Py = null,
    _options: Py = null,
  ) {
    super()
    if (decorators !== null && decorators !== undefined && [...decorators].length > 0)
      throw new Error('flask_restx.Namespace(decorators=[...]) is not carried over')
    if (validate !== null && validate !== undefined)
      throw new Error('flask_restx.Namespace(validate=) is not carried over')
  }
}

/** `flask_restx.Api(app=None, ..., validate=None, prefix='', default_mediatype=, decorators=, catch_all_404s=, ...)`. */
export class Api extends NamespaceBase {
  constructor(
    validate: Py = null,
    defaultMediatype: Py = 'application/json',
    decorators: Py = null,
    catch_all_404s: Py = false,
    _options: Py = null,
  ) {
    super()
    if (defaultMediatype !== 'application/json' && defaultMediatype !== undefined)
      throw new Error(
        `flask_restx.Api(default_mediatype=${String(defaultMediatype)}) is not carried over`,
      )
    if (decorators !== null && decorators !== undefined && [...decorators].length > 0)
      throw new Error('flask_restx.Api(decorators=[...]) is not carried over')
    // The service keeps one error routing and one validation default for its Apis: several Apis (one
    // per blueprint) must agree on them, else the service refuses to start rather than answer one Api's
    // requests with another's settings.
    apis += 1
    if (
      apis > 1 &&
      (Boolean(catch_all_404s) !== catchAll404s || (validate ?? null) !== validateDefault)
    )
      throw new Error(
        'several flask_restx Apis with different catch_all_404s= or validate= are not carried over',
      )
    if (catch_all_404s) catchAll404s = true
    if (validate !== null && validate !== undefined) validateDefault = validate
  }
  init_app(_app: Py = null, _options: Py = null): null {
    return null
  }
  add_namespace(_ns: Py = null, _path: Py = null): null {
    return null
  }
  namespace(
    name: Py = null,
    description: Py = null,
    path: Py = null,
    _options: Py = null,
  ): Namespace {
    return new Namespace(name, description, path)
  }
}

/** The emitted app's `api.init_app(app)` / `Api(app)`: the error routing below is already in place. */
export function initApi(_api: Api): void {}

// ---------------------------------------------------------------------------------------------
// Responses

/** `flask_restx.utils.unpack(response, default_code=200)`. */
function unpack(value: Py, defaultCode: Py = 200): [Py, Py, Py] {
  if (!isTuple(value)) return [value, defaultCode, null]
  if (value.length === 1) return [value[0], defaultCode, null]
  if (value.length === 2) return [value[0], value[1], null]
  if (value.length === 3) return [value[0], value[1], value[2]]
  throw new ValueError('Too many response values')
}

/** `Api.output`: a response as it is, anything else through `make_response` (JSON, the only representation). */
export function output(rv: Py): Py {
  if (rv instanceof FlaskResponse || rv instanceof Response) return rv
  const [data, code, headers] = unpack(rv)
  return outputJson(data, code, headers)
}

/** `output_json(data, code, headers)` with `Api.make_response`'s Content-Type. */
function outputJson(data: Py, code: Py, headers: Py): FlaskResponse {
  if (appConfigValue('RESTX_JSON') !== undefined)
    throw new Error('RESTX_JSON settings are not carried over')
  const indent = appConfigValue('DEBUG') ? 4 : null
  const response = new FlaskResponse(jsonDumpsPy(data, indent) + '\n')
  if (code !== null && code !== undefined) response.status = code
  if (headers !== null && headers !== undefined)
    response.headers.extend(headers instanceof PyDict ? mappingItems(headers) : headers)
  response.headers.set('Content-Type', 'application/json')
  return response
}

/** `flask_restx.abort(code=500, message=None, **kwargs)`: Flask's abort, with the keywords (and message) as the exception's `data`. */
export function restxAbort(code: Py = 500, message: Py = null, data: Py = null): never {
  try {
    flaskAbort(code)
  } catch (error) {
    if (error instanceof HTTPException) {
      const kwargs = new PyDict(mappingItems(optionsOf(data)))
      if (bool(message)) kwargs.set('message', str(message))
      if (kwargs.size > 0) (error as HTTPException & { data?: Py }).data = kwargs
    }
    throw error
  }
}

/** The Hono handler of a resource: `dispatch` calls the instance's method for the request's. */
export function resourceView(
  endpoint: string,
  dispatch: (c: Context) => Py,
): (c: Context) => Promise<Response> {
  ownedEndpoints.add(endpoint)
  return view(async (c) => output(await dispatch(c)))
}

/** A resource under `decorators = [...]`: the decorated view, called with the view arguments as keywords, then the Api's output. */
export function decoratedResourceView(
  endpoint: string,
  fn: (...args: never[]) => unknown,
): (c: Context) => Promise<Response> {
  ownedEndpoints.add(endpoint)
  return view(async (c) => output(await callWithKeywords(fn, [], request(c).view_args ?? {})))
}

/** `Api.render_root`: `abort(404)`, answered by the app (the root is not one of the Api's endpoints). */
export function renderRoot(): never {
  return restxAbort(404)
}

// ---------------------------------------------------------------------------------------------
// Errors on the Api's routes

/** `Api.owns_endpoint` + `_has_fr_route`, for the service's Api. */
function hasRestxRoute(c: Context): boolean {
  const req = request(c)
  const outcome = appUrlMap()?.match(req.path, req.method)
  if (outcome?.kind === 'methodNotAllowed') {
    const other = appUrlMap()!.match(req.path, outcome.validMethods[0]!)
    return other.kind === 'rule' && ownedEndpoints.has(other.rule.endpoint)
  }
  if (outcome?.kind === 'notFound') return catchAll404s
  const endpoint = req.endpoint
  return endpoint !== null && ownedEndpoints.has(endpoint)
}

function propagateExceptions(): boolean {
  const configured = appConfigValue('PROPAGATE_EXCEPTIONS')
  if (configured !== null && configured !== undefined) return Boolean(configured)
  return Boolean(appConfigValue('TESTING')) || Boolean(appConfigValue('DEBUG'))
}

function handlerFor(error: unknown): ((error: Py) => Py) | undefined {
  for (const [cls, handler] of errorHandlers) if (error instanceof cls) return handler
  return undefined
}

/** `Api.handle_error`: null when the error goes on to the app's handlers. */
function handleError(error: unknown, c: Context): FlaskResponse | null {
  const handler = handlerFor(error)
  if (!(error instanceof HTTPException) && propagateExceptions() && handler === undefined)
    return null
  const includeMessage = appConfigValue('ERROR_INCLUDE_MESSAGE') ?? true
  let defaultData: Py = new PyDict()
  let code: Py
  let headers: [string, string][] = []
  if (handler !== undefined) {
    const [data, status, given] = unpack(handler(error), 500)
    defaultData = data
    code = status
    headers = given instanceof PyDict ? mappingItems(given) : (given ?? [])
  } else if (error instanceof HTTPException) {
    code = error.code
    if (includeMessage) defaultData = new PyDict([['message', error.description]])
    headers = error.getHeaders()
  } else if (defaultErrorHandler !== null) {
    const [data, status, given] = unpack(defaultErrorHandler(error), 500)
    defaultData = data
    code = status
    headers = given instanceof PyDict ? mappingItems(given) : (given ?? [])
  } else {
    code = 500
    if (includeMessage) defaultData = new PyDict([['message', 'Internal Server Error']])
  }
  if (includeMessage && !defaultData.has('message')) defaultData.set('message', str(error))
  const data: Py = (error as { data?: Py }).data ?? defaultData
  if (code >= 500) console.error(`Exception on ${request(c).path} [${request(c).method}]`, error)
  else if (
    code === 404 &&
    (appConfigValue('ERROR_404_HELP') ?? appConfigValue('RESTX_ERROR_404_HELP') ?? true) &&
    includeMessage
  )
    data.set('message', helpOn404(data.has('message') ? data.get('message') : null, request(c)))
  return outputJson(
    data,
    code,
    headers.filter(([key]) => key.toLowerCase() !== 'content-length'),
  )
}

/** `Api._help_on_404`: the rules whose text (without its variables) is close to the path. */
function helpOn404(message: Py, req: FlaskRequest): Py {
  const rules = new Map<string, string>()
  for (const rule of appUrlMap()?.rules ?? []) {
    const stripped = rule.rule.replace(/<.*>/s, '')
    rules.delete(stripped)
    rules.set(stripped, rule.rule)
  }
  const close = getCloseMatches(req.path, rules.keys())
  if (close.length === 0) return message
  return [
    message ? String(message).replace(/\.+$/, '') + '. ' : '',
    'You have requested this URI [',
    req.path,
    '] but did you mean ',
    close.map((match) => rules.get(match)!).join(' or '),
    ' ?',
  ].join('')
}

addErrorRouter((error, c) =>
  ownedEndpoints.size > 0 && hasRestxRoute(c) ? handleError(error, c) : null,
)

// ---------------------------------------------------------------------------------------------
// Payload validation (`@ns.expect(model, validate=True)`)

/** `Resource.validate_payload(meth)`: before the method runs, each expected model checked when validation is on. */
export function validatePayload(method: Py): void {
  const doc = (method as { __apidoc__?: ApiDoc } | null)?.__apidoc__
  if (doc === undefined) return
  const validate = doc.validate ?? validateDefault ?? appConfigValue('RESTX_VALIDATE') ?? false
  if (!validate) return
  for (const expected of doc.expect) {
    if (isList(expected) && expected.length === 1 && expected[0] instanceof Model) {
      const data = payloadOf(request(currentContext()))
      for (const item of isList(data) ? data : [data]) expected[0].validate(item)
    }
    if (expected instanceof Model) expected.validate(payloadOf(request(currentContext())))
  }
}

type ErrorOut = [path: Py[], validator: string, message: string]

/** Draft 4 `type` of a JSON value, as jsonschema's type checker sees it. */
function isType(value: Py, type: string): boolean {
  switch (type) {
    case 'object':
      return value instanceof PyDict
    case 'array':
      return isList(value)
    case 'string':
      return typeof value === 'string'
    case 'boolean':
      return typeof value === 'boolean'
    case 'null':
      return value === null || value === undefined
    case 'integer':
      return (
        (typeof value === 'number' && Number.isInteger(value) && !isFloat(value)) ||
        typeof value === 'bigint'
      )
    case 'number':
      return typeof value === 'number' || typeof value === 'bigint' || isFloat(value)
  }
  return true
}

/** A JSON schema of a field or a model (`__schema__`): the keywords in their order, what Draft 4 checks. */
type Schema = [string, Py][]

/** The errors of `value` against `schema`, in jsonschema's order (the schema's keywords in order; `$ref` alone). */
function schemaErrors(value: Py, schema: Schema | Model, path: Py[]): ErrorOut[] {
  if (schema instanceof Model) return schema.errors(value, path)
  const ref = schema.find(([key]) => key === '$ref')
  if (ref !== undefined) return (ref[1] as Model).errors(value, path)
  const out: ErrorOut[] = []
  const number = isType(value, 'number') && typeof value !== 'boolean'
  for (const [keyword, expected] of schema) {
    switch (keyword) {
      case 'type':
        if (!isType(value, expected))
          out.push([path, 'type', `${repr(value)} is not of type ${repr(expected)}`])
        break
      case 'allOf':
        for (const sub of expected as (Schema | Model)[])
          out.push(...schemaErrors(value, sub, path))
        break
      case 'items':
        if (isList(value))
          value.forEach((item: Py, index: number) =>
            out.push(...schemaErrors(item, expected, [...path, index])),
          )
        break
      case 'minItems':
        if (isList(value) && value.length < expected)
          out.push([path, keyword, `${repr(value)} is too short`])
        break
      case 'maxItems':
        if (isList(value) && value.length > expected)
          out.push([path, keyword, `${repr(value)} is too long`])
        break
      case 'minLength':
        if (typeof value === 'string' && [...value].length < expected)
          out.push([path, keyword, `${repr(value)} is too short`])
        break
      case 'maxLength':
        if (typeof value === 'string' && [...value].length > expected)
          out.push([path, keyword, `${repr(value)} is too long`])
        break
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(String(expected), 'u').test(value))
          out.push([path, keyword, `${repr(value)} does not match ${repr(expected)}`])
        break
      case 'enum':
        if (![...expected].some((candidate: Py) => jsonEqual(candidate, value)))
          out.push([path, keyword, `${repr(value)} is not one of ${repr(expected)}`])
        break
      case 'minimum': {
        if (!number) break
        const exclusive = schema.find(([key]) => key === 'exclusiveMinimum')?.[1]
        if (exclusive ? float(value) <= float(expected) : float(value) < float(expected))
          out.push([
            path,
            keyword,
            `${repr(value)} is less than ${exclusive ? 'or equal to ' : ''}the minimum of ${repr(expected)}`,
          ])
        break
      }
      case 'maximum': {
        if (!number) break
        const exclusive = schema.find(([key]) => key === 'exclusiveMaximum')?.[1]
        if (exclusive ? float(value) >= float(expected) : float(value) > float(expected))
          out.push([
            path,
            keyword,
            `${repr(value)} is greater than ${exclusive ? 'or equal to ' : ''}the maximum of ${repr(expected)}`,
          ])
        break
      }
    }
  }
  return out
}

/** jsonschema's `equal`: 1 == 1.0, but True is not 1. */
function jsonEqual(a: Py, b: Py): boolean {
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b
  if (isType(a, 'number') && isType(b, 'number')) return float(a) === float(b)
  return repr(a) === repr(b)
}

/** `api.model(name, {...})`: an ordered dict of fields, named, with its JSON schema for `validate`. */
export class Model extends PyDict {
  constructor(
    public name: Py = null,
    model: Py = null,
  ) {
    super(model === null || model === undefined ? [] : mappingItems(model))
  }

  /** `Model._schema`: required (sorted), properties, type object. */
  schema(): Schema {
    const required: string[] = []
    const properties: [string, Schema | Model][] = []
    for (const [name, field] of mappingItems(this)) {
      const made = field instanceof PyDict ? null : make(field)
      if (made === null)
        throw new Error(
          `a nested dict in model ${str(this.name)} is not carried over for validation`,
        )
      if (made.required) required.push(String(name))
      properties.push([String(name), made.schema()])
    }
    const schema: Schema = []
    if (required.length > 0)
      schema.push(['required', required.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))])
    schema.push(['properties', properties])
    schema.push(['type', 'object'])
    return schema
  }

  errors(value: Py, path: Py[]): ErrorOut[] {
    const out: ErrorOut[] = []
    for (const [keyword, expected] of this.schema()) {
      if (keyword === 'required') {
        if (!(value instanceof PyDict)) continue
        for (const name of expected as string[])
          if (!value.has(name)) out.push([path, 'required', `${repr(name)} is a required property`])
      } else if (keyword === 'properties') {
        if (!(value instanceof PyDict)) continue
        for (const [name, sub] of expected as [string, Schema | Model][])
          if (value.has(name)) out.push(...schemaErrors(value.get(name), sub, [...path, name]))
      } else if (keyword === 'type' && !isType(value, 'object')) {
        out.push([path, 'type', `${repr(value)} is not of type 'object'`])
      }
    }
    return out
  }

  /** `Model.validate(data)`: a 400 with every error, keyed by its path (a required property's name appended). */
  validate(data: Py): void {
    const found = this.errors(data, [])
    if (found.length === 0) return
    const errors = new PyDict()
    for (const [path, validator, message] of found) {
      const parts = [...path]
      if (validator === 'required') parts.push(/'(.*)' is a required property/s.exec(message)![1]!)
      errors.set(parts.map((part) => str(part)).join('.'), message)
    }
    restxAbort(400, 'Input payload validation failed', new PyDict([['errors', errors]]))
  }
}

// ---------------------------------------------------------------------------------------------
// fields

/** `fields.MarshallingError`. */
export class MarshallingError extends Exception {}

/** `fields.Raw(default=None, attribute=None, title=None, description=None, required=None, readonly=None, example=None, mask=None, **kwargs)`. */
export class RestxRaw {
  static schemaType: string | null = 'object'
  static schemaFormat: string | null = null
  default_: Py
  attribute: Py
  required: Py
  readonly: Py
  /** The Draft 4 keywords the field's options add to its schema (`minLength`, `minimum`...). */
  protected extra: Schema
  /** A fields mask given to a Raw field by a request's mask: applied to the value it outputs. */
  mask: FieldsMask | null
  constructor(
    default_: Py = null,
    attribute: Py = null,
    _title: Py = null,
    _description: Py = null,
    required: Py = null,
    readonly: Py = null,
    _example: Py = null,
    mask: Py = null,
    options: Py = null,
  ) {
    this.default_ = default_ ?? null
    this.attribute = attribute ?? null
    this.required = required ?? null
    this.readonly = readonly ?? null
    if (mask !== null && mask !== undefined) throw new Error('fields mask= is not carried over')
    this.mask = null
    this.extra = []
    this.take(optionsOf(options))
  }
  /** The keywords a subclass takes (`min_length=`, `enum=`...); others are documentation only. */
  protected take(_options: PyDict): void {}
  format(value: Py): Py {
    return value
  }
  output(key: Py, obj: Py): Py {
    const value = getValue(this.attribute ?? key, obj)
    if (value === null || value === undefined) {
      const fallback = typeof this.default_ === 'function' ? this.default_() : this.default_
      return bool(fallback) ? this.format(fallback) : fallback
    }
    try {
      const data = this.format(value)
      return this.mask !== null ? applyMask(this.mask, data) : data
    } catch (error) {
      if (error instanceof MarshallingError)
        throw new MarshallingError(
          `Unable to marshal field "${str(key)}" value "${str(value)}": ${str(error)}`,
        )
      throw error
    }
  }
  /** `__schema__`: what Draft 4 checks of it (type, then the subclass's keywords). */
  schema(): Schema {
    const cls = this.constructor as typeof RestxRaw
    return cls.schemaType === null ? [] : [['type', cls.schemaType]]
  }
}

function formatError(error: unknown): never {
  if (error instanceof ValueError || error instanceof TypeError)
    throw new MarshallingError(str(error))
  throw error
}

export class RestxString extends RestxRaw {
  static override schemaType = 'string'
  protected override take(options: PyDict): void {
    for (const [option, keyword] of [
      ['min_length', 'minLength'],
      ['max_length', 'maxLength'],
      ['pattern', 'pattern'],
      ['enum', 'enum'],
    ] as const) {
      const value = options.get(option)
      if (value !== null && value !== undefined && (keyword !== 'enum' || bool(value)))
        this.extra.push([keyword, value])
    }
    if (bool(options.get('discriminator')))
      throw new Error('fields.String(discriminator=) is not carried over')
  }
  override format(value: Py): Py {
    return str(value)
  }
  override schema(): Schema {
    return [...super.schema(), ...this.extra]
  }
}

/** Integer, Float, Arbitrary, Fixed: `min=`, `max=`, `exclusiveMin=`, `exclusiveMax=`, `multiple=` (not checked). */
class RestxNumberBase extends RestxRaw {
  static override schemaType = 'number'
  protected override take(options: PyDict): void {
    for (const [option, keyword] of [
      ['min', 'minimum'],
      ['exclusiveMin', 'exclusiveMinimum'],
      ['max', 'maximum'],
      ['exclusiveMax', 'exclusiveMaximum'],
    ] as const) {
      const value = options.get(option)
      if (value !== null && value !== undefined) this.extra.push([keyword, value])
    }
    if (options.get('multiple') !== null && options.get('multiple') !== undefined)
      throw new Error('fields multiple= is not carried over')
  }
  override schema(): Schema {
    return [...super.schema(), ...this.extra]
  }
}

export class RestxInteger extends RestxNumberBase {
  static override schemaType = 'integer'
  override format(value: Py): Py {
    try {
      if (value === null || value === undefined) return this.default_
      return int(value)
    } catch (error) {
      return formatError(error)
    }
  }
}

export class RestxFloat extends RestxNumberBase {
  override format(value: Py): Py {
    try {
      if (value === null || value === undefined) return this.default_
      return asFloat(float(value))
    } catch (error) {
      return formatError(error)
    }
  }
}

export class RestxBoolean extends RestxRaw {
  static override schemaType = 'boolean'
  override format(value: Py): Py {
    return bool(value)
  }
}

/** `fields.DateTime(dt_format='iso8601')`: ISO 8601 or RFC 822, as Flask-RESTful's. */
export class RestxDateTime extends RestxRaw {
  static override schemaType = 'string'
  private readonly formatter: RestfulDateTime
  constructor(dtFormat: Py = 'iso8601', options: Py = null) {
    const given = optionsOf(options)
    super(
      given.get('default') ?? null,
      given.get('attribute') ?? null,
      null,
      null,
      given.get('required') ?? null,
      given.get('readonly') ?? null,
    )
    this.formatter = new RestfulDateTime(dtFormat ?? 'iso8601')
  }
  override format(value: Py): Py {
    try {
      return this.formatter.format(value)
    } catch (error) {
      return formatError(error)
    }
  }
}

/** `fields.Nested(model, allow_null=False, skip_none=False, as_list=False, **kwargs)`. */
export class RestxNested extends RestxRaw {
  static override schemaType = null
  constructor(
    public nested: Py,
    public allow_null: Py = false,
    public skip_none: Py = false,
    public as_list: Py = false,
    options: Py = null,
  ) {
    const given = optionsOf(options)
    super(
      given.get('default') ?? null,
      given.get('attribute') ?? null,
      null,
      given.get('description') ?? null,
      given.get('required') ?? null,
      given.get('readonly') ?? null,
    )
    this.documented = [
      given.get('title'),
      given.get('description'),
      given.get('readonly'),
      given.get('default'),
      given.get('example'),
    ].some((value) => bool(value ?? null))
  }
  private readonly documented: boolean
  override output(key: Py, obj: Py): Py {
    const value = getValue(this.attribute ?? key, obj)
    if (value === null || value === undefined) {
      if (this.allow_null) return null
      if (this.default_ !== null) return this.default_
    }
    return marshal(value ?? null, this.nested, null, this.skip_none)
  }
  override schema(): Schema {
    if (!(this.nested instanceof Model))
      throw new Error('fields.Nested of a dict is not carried over for validation')
    if (this.as_list)
      return [
        ['type', 'array'],
        ['items', [['$ref', this.nested]]],
      ]
    // `any(schema.values())`: documentation keywords make it allOf [$ref] (the same checks).
    return this.documented ? [['allOf', [this.nested]]] : [['$ref', this.nested]]
  }
}

function make(field: Py): RestxRaw {
  if (field === RestxRaw || (typeof field === 'function' && field.prototype instanceof RestxRaw))
    return new field()
  if (field instanceof RestxRaw) return field
  throw new MarshallingError('The type of the list elements must be a subclass of fields.Raw')
}

/** `fields.List(cls_or_instance, min_items=, max_items=, unique=, **kwargs)`. */
export class RestxList extends RestxRaw {
  static override schemaType = 'array'
  container: RestxRaw
  constructor(clsOrInstance: Py, options: Py = null) {
    const given = optionsOf(options)
    super(
      given.get('default') ?? null,
      given.get('attribute') ?? null,
      null,
      null,
      given.get('required') ?? null,
      given.get('readonly') ?? null,
    )
    this.container = make(clsOrInstance)
    for (const [option, keyword] of [
      ['min_items', 'minItems'],
      ['max_items', 'maxItems'],
    ] as const) {
      const value = given.get(option)
      if (value !== null && value !== undefined) this.extra.push([keyword, value])
    }
    if (bool(given.get('unique') ?? null))
      throw new Error('fields.List(unique=True) is not carried over')
  }
  override format(value: Py): Py {
    if (value === null || value === undefined) return []
    const items = [...value]
    const nested = this.container instanceof RestxNested || this.container.constructor === RestxRaw
    return items.map((item: Py, index: number) => {
      const own =
        (item instanceof PyDict ||
          (bool(this.container.attribute) &&
            getValue(this.container.attribute, item, undefined) !== undefined)) &&
        !nested
      return this.container.output(index, own ? item : value)
    })
  }
  override output(key: Py, data: Py): Py {
    const value = getValue(this.attribute ?? key, data)
    if (
      (isList(value) ||
        isTuple(value) ||
        (value !== null &&
          typeof value === 'object' &&
          Symbol.iterator in value &&
          typeof value !== 'string')) &&
      !(value instanceof PyDict)
    )
      return this.format(value)
    if (value === null || value === undefined)
      return typeof this.default_ === 'function' ? this.default_() : this.default_
    return [marshal(value, (this.container as RestxNested).nested)]
  }
  override schema(): Schema {
    return [['type', 'array'], ...this.extra, ['items', this.container.schema()]]
  }
}

// ---------------------------------------------------------------------------------------------
// marshal

/** `flask_restx.marshal(data, fields, envelope=None, skip_none=False, mask=None, ordered=False)`. */
export function marshal(
  data: Py,
  fields: Py,
  envelope: Py = null,
  skipNone: Py = false,
  mask: Py = null,
): Py {
  if (bool(mask)) fields = applyMask(typeof mask === 'string' ? parseMask(mask) : mask, fields)
  if (isList(data) || isTuple(data)) {
    const items = [...data].map((item: Py) => marshal(item, fields, null, skipNone))
    return bool(envelope) ? new PyDict([[envelope, items]]) : items
  }
  let items: [Py, Py][] = mappingItems(fields).map(([key, field]) => [
    key,
    field instanceof PyDict ? marshal(data, field, null, skipNone) : make(field).output(key, data),
  ])
  if (bool(skipNone))
    items = items.filter(
      ([, value]) =>
        value !== null && value !== undefined && !(value instanceof PyDict && value.size === 0),
    )
  const out = new PyDict(items)
  return bool(envelope) ? new PyDict([[envelope, out]]) : out
}

/** `mask.MaskError` and `mask.ParseError`: the Api answers them with a 400 (`mask_error_handler`, `mask_parse_error_handler`). */
export class MaskError extends Exception {}
export class ParseError extends MaskError {}
errorHandlers.set(ParseError, (error) =>
  Object.freeze([new PyDict([['message', `Mask parse error: ${str(error)}`]]), 400]),
)
errorHandlers.set(MaskError, (error) =>
  Object.freeze([new PyDict([['message', `Mask error: ${str(error)}`]]), 400]),
)

/** A parsed fields mask (`mask.Mask`): field name to true, or to the nested mask. */
type FieldsMask = Map<string, true | FieldsMask>

/** `Mask.parse`: `{field,nested{a,b},last}`, the outer brackets optional. */
function parseMask(text: string): FieldsMask {
  const root: FieldsMask = new Map()
  if (text === '') return root
  let mask = text.replace(/\n/g, '').trim()
  if (mask[0] === '{') {
    if (mask.at(-1) !== '}') throw new ParseError('Missing closing bracket')
    mask = mask.slice(1, -1)
  }
  let fields = root
  let previous: string | null = null
  const stack: FieldsMask[] = []
  for (const token of mask.match(/\{|\}|,|[\p{L}\p{N}_:\-*]+/gu) ?? []) {
    if (token === '{') {
      if (previous === null || !fields.has(previous))
        throw new ParseError('Unexpected opening bracket')
      const nested: FieldsMask = new Map()
      fields.set(previous, nested)
      stack.push(fields)
      fields = nested
    } else if (token === '}') {
      if (stack.length === 0) throw new ParseError('Unexpected closing bracket')
      fields = stack.pop()!
    } else if (token === ',') {
      if (previous === ',' || previous === '{' || previous === null)
        throw new ParseError('Unexpected comma')
    } else fields.set(token, true)
    previous = token
  }
  if (stack.length > 0) throw new ParseError('Missing closing bracket')
  return root
}

/** `Mask.apply(data)` with `skip=True` (as marshal applies it): fields of a model, nested fields, or a Raw's value. */
function applyMask(mask: FieldsMask, data: Py): Py {
  if (isList(data) || isTuple(data)) return [...data].map((item: Py) => applyMask(mask, item))
  if (data instanceof RestxNested) {
    const nested = Object.assign(Object.create(RestxNested.prototype), data) as RestxNested
    nested.nested = applyMask(mask, data.nested)
    return nested
  }
  if (data instanceof RestxList) {
    const list = Object.assign(Object.create(RestxList.prototype), data) as RestxList
    list.container = applyMask(mask, data.container)
    return list
  }
  if (data === RestxRaw || (data instanceof RestxRaw && data.constructor === RestxRaw)) {
    const raw =
      data === RestxRaw
        ? new RestxRaw()
        : (Object.assign(Object.create(RestxRaw.prototype), data) as RestxRaw)
    raw.mask = mask
    return raw
  }
  if (
    data instanceof RestxRaw ||
    (typeof data === 'function' && data.prototype instanceof RestxRaw)
  )
    throw new MaskError('Mask is inconsistent with model')
  if (!(data instanceof PyDict)) throw new MaskError('Mask is inconsistent with model')
  const out = new PyDict()
  for (const [field, content] of mask) {
    if (field === '*') continue
    if (content instanceof Map) {
      const nested = data.has(field) ? data.get(field) : null
      if (nested !== null && nested !== undefined) out.set(field, applyMask(content, nested))
    } else if (data.has(field)) out.set(field, data.get(field))
  }
  if (mask.has('*'))
    for (const [key, value] of mappingItems(data)) if (!out.has(key)) out.set(key, value)
  return out
}

/** `@marshal_with(fields, envelope=None, skip_none=False, mask=None)` on a resource's method: its result (or the data of its `(data, code, headers)`) marshalled. */
export function marshal_with(
  fields: Py,
  envelope: Py = null,
  skipNone: Py = false,
  mask: Py = null,
): <F extends (...args: never[]) => unknown>(method: F) => F {
  const apply = (result: Py): Py => {
    // The `X-Fields` header (`RESTX_MASK_HEADER`), else `mask=`, picks the fields.
    const header = request(currentContext()).headers.get(
      String(appConfigValue('RESTX_MASK_HEADER') ?? 'X-Fields'),
    )
    const chosen = bool(header ?? null) ? header : mask
    if (isTuple(result)) {
      const [data, code, headers] = unpack(result)
      return Object.freeze([marshal(data, fields, envelope, skipNone, chosen), code, headers])
    }
    return marshal(result, fields, envelope, skipNone, chosen)
  }
  return (method) => {
    const wrapped = function (this: unknown, ...args: never[]) {
      const result = method.apply(this, args) as Py
      return result instanceof Promise ? result.then(apply) : apply(result)
    } as typeof method
    // functools.wraps: what @expect recorded stays visible to the dispatch.
    const doc = (method as { __apidoc__?: ApiDoc }).__apidoc__
    if (doc !== undefined) (wrapped as { __apidoc__?: ApiDoc }).__apidoc__ = doc
    return wrapped
  }
}

// ---------------------------------------------------------------------------------------------
// reqparse

/** `flask_restx.reqparse.Argument`: Flask-RESTful's, with RESTX's messages and 400 body. */
export class RestxArgument extends Argument {
  override handleValidationError(error: Py, bundleErrors: boolean): [Py, Py] {
    const text = error instanceof Exception ? str(error) : String(error?.message ?? error)
    const message = this.help ? `${str(this.help)} ${text}` : text
    const errors = new PyDict([[this.name, message]])
    if (bundleErrors) return [error instanceof ValueError ? error : new ValueError(text), errors]
    restxAbort(400, 'Input payload validation failed', new PyDict([['errors', errors]]))
  }

  override parse(req: FlaskRequest, bundleErrors: boolean, unparsed: Map<string, Py>): [Py, Py] {
    const bundled = Boolean(appConfigValue('BUNDLE_ERRORS')) || bundleErrors
    const source = this.source(req)
    const results: Py[] = []
    for (const operator of [...this.operators]) {
      const name = this.name + String(operator).replace('=', '')
      if (!source.has(name)) continue
      let values = source.values(name)
      if (!source.multi) values = [values]
      for (let value of values) {
        if (typeof value === 'string' && this.trim) value = value.trim()
        if (typeof value === 'string' && !this.case_sensitive) {
          value = value.toLowerCase()
          this.choices = [...this.choices].map((choice: Py) => String(choice).toLowerCase())
        }
        try {
          if (this.action === 'split')
            value = String(value)
              .split(',')
              .map((part) => this.convert(part, String(operator)))
          else value = this.convert(value, String(operator))
        } catch (error) {
          if (this.ignore) continue
          return this.handleValidationError(error, bundled)
        }
        if (bool(this.choices) && [...this.choices].length > 0 && !contains(this.choices, value))
          return this.handleValidationError(
            `The value '${str(value)}' is not a valid choice for '${name}'.`,
            bundled,
          )
        unparsed.delete(name)
        results.push(value)
      }
    }
    if (results.length === 0 && this.required) {
      const locations = typeof this.location === 'string' ? [this.location] : [...this.location]
      return this.handleValidationError(
        `Missing required parameter in ${locations.map((location) => FRIENDLY_LOCATION[location] ?? location).join(' or ')}`,
        bundled,
      )
    }
    if (results.length === 0)
      return [typeof this.default === 'function' ? this.default() : this.default, false]
    if (this.action === 'append') return [results, true]
    if (this.action === 'store' || results.length === 1) return [results[0], true]
    return [results, true]
  }
}

const FRIENDLY_LOCATION: Record<string, string> = {
  json: 'the JSON body',
  form: 'the post body',
  args: 'the query string',
  values: 'the post body or the query string',
  headers: 'the HTTP headers',
  cookies: "the request's cookies",
  files: 'an uploaded file',
}

/** `flask_restx.reqparse.RequestParser(argument_class=Argument, result_class=ParseResult, trim=False, bundle_errors=False)`. */
export class RestxRequestParser extends RequestParser {
  constructor(
    argumentClass: Py = null,
    resultClass: Py = null,
    trim: Py = false,
    bundleErrors: Py = false,
  ) {
    super(argumentClass, resultClass, trim, bundleErrors)
  }

  override add_argument(name: Py, options: Py = null): this {
    const argument = new RestxArgument(name, options)
    if (this.trim) argument.trim = Boolean(optionsOf(options).get('trim') ?? this.trim)
    this.args.push(argument)
    return this
  }

  /** `parser.parse_args(req=None, strict=False)`: every argument's errors in one 400. */
  override parse_args(req: Py = null, strict: Py = false): ParseResult {
    if (req !== null && req !== undefined)
      throw new Error('parse_args(req=...) is not carried over')
    const current = request(currentContext())
    const result = new ParseResult()
    const unparsed = new Map<string, Py>(
      strict ? new RestxArgument('').source(current).entries() : [],
    )
    const errors = new PyDict()
    for (const argument of this.args) {
      let [value, found] = argument.parse(current, Boolean(this.bundle_errors), unparsed)
      if (value instanceof ValueError) {
        errors.update(found)
        found = null
      }
      if (found || argument.store_missing) result.set(argument.dest ?? argument.name, value)
    }
    if (errors.size > 0)
      restxAbort(400, 'Input payload validation failed', new PyDict([['errors', errors]]))
    if (strict && unparsed.size > 0)
      throw new BadRequest(`Unknown arguments: ${[...unparsed.keys()].join(', ')}`)
    return result
  }

  override copy(): RestxRequestParser {
    const parser = new RestxRequestParser(null, null, this.trim, this.bundle_errors)
    parser.args = this.args.map((argument) =>
      Object.assign(Object.create(RestxArgument.prototype), argument),
    )
    return parser
  }
}

/** `flask_restx.Resource`: a MethodView whose methods' results the Api renders. */
export class Resource {}
