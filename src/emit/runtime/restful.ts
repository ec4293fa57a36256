/**
 * Flask-RESTful 0.3.9 (Debian's python3-flask-restful is the oracle: fixtures/ext-flask-restful).
 *
 * - A Resource's answer goes through the Api's `output`: `unpack` (data, status, headers), then
 *   `output_json`: Python's `json.dumps` of the data plus a newline, `Content-Type:
 *   application/json`. A response object is returned as it is.
 * - `abort(code, message=…)` raises the HTTP exception with `data = {"message": …}`.
 * - The Api's `error_router` replaces the app's `handle_user_exception` and `handle_exception`:
 *   for a request to one of its endpoints (a 405 at one of its URLs; a 404 only with
 *   `catch_all_404s`), an error is answered as JSON before the app's own error handlers: the
 *   exception's `data`, or `{"message": <description>}`, or `{"message": "Internal Server
 *   Error"}` for an error that is not an HTTP one.
 */
import type { Context } from 'hono'
import { HTTPException, abort as flaskAbort } from './errors.js'
import { FlaskResponse, addErrorRouter, appConfigValue, request, view } from './flask.js'
import { appUrlMap } from './router.js'
import { PyDict, callWithKeywords, isTuple, jsonDumpsPy, mappingItems, type Py } from './py.js'

/** The endpoints the Api's resources were registered under (with their blueprint's name). */
const ownedEndpoints = new Set<string>()
let catchAll404s = false

/** `flask_restful.Resource`: a MethodView whose methods' results the Api renders. */
export class Resource {}

/**
 * `flask_restful.Api(app, prefix, default_mediatype, decorators, catch_all_404s)`: its routes are
 * the service's route table already; what it keeps at run time is how it answers errors.
 */
export class Api {
  constructor(
    _app: Py = null,
    _prefix: Py = '',
    defaultMediatype: Py = 'application/json',
    decorators: Py = null,
    catch_all_404s: Py = false,
  ) {
    if (defaultMediatype !== 'application/json')
      throw new Error(
        `flask_restful.Api(default_mediatype=${String(defaultMediatype)}) is not carried over`,
      )
    if (decorators !== null && decorators !== undefined && [...decorators].length > 0)
      throw new Error('flask_restful.Api(decorators=[...]) is not carried over')
    if (catch_all_404s) catchAll404s = true
  }
  /** `api.init_app(app)`: nothing more to do (see the constructor). */
  init_app(_app: Py = null): null {
    return null
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

/** `flask_restful.utils.unpack`: (data, code, headers) from a view's return value. */
function unpack(value: Py): [Py, Py, Py] {
  if (!isTuple(value)) return [value, 200, null]
  if (value.length === 3) return [value[0], value[1], value[2]]
  if (value.length === 2) return [value[0], value[1], null]
  return [value, 200, null]
}

/** `Api.output`: a response as it is, anything else through `make_response` (JSON, the only representation). */
export function output(rv: Py): Py {
  if (rv instanceof FlaskResponse || rv instanceof Response) return rv
  const [data, code, headers] = unpack(rv)
  return outputJson(data, code, headers)
}

/** `output_json(data, code, headers)` with `Api.make_response`'s Content-Type. */
function outputJson(data: Py, code: Py, headers: Py): FlaskResponse {
  const response = new FlaskResponse(jsonDumpsPy(data) + '\n')
  if (code !== null && code !== undefined) response.status = code
  if (headers !== null && headers !== undefined)
    response.headers.extend(headers instanceof PyDict ? mappingItems(headers) : headers)
  response.headers.set('Content-Type', 'application/json')
  return response
}

/** `flask_restful.abort(http_status_code, message=…)`: Flask's abort, with the keywords as the exception's `data`. */
export function restfulAbort(httpStatusCode: Py, message?: Py): never {
  try {
    flaskAbort(httpStatusCode)
  } catch (error) {
    if (error instanceof HTTPException && message !== undefined)
      (error as HTTPException & { data?: Py }).data = new PyDict([['message', message]])
    throw error
  }
}

/** `Api._has_fr_route`, for the app's only Api. */
function hasRestfulRoute(c: Context): boolean {
  const req = request(c)
  const outcome = appUrlMap()?.match(req.path, req.method)
  if (outcome?.kind === 'methodNotAllowed') {
    // Whether the other methods at this URL would reach the Api.
    const other = appUrlMap()!.match(req.path, outcome.validMethods[0]!)
    return other.kind === 'rule' && ownedEndpoints.has(other.rule.endpoint)
  }
  if (outcome?.kind === 'notFound') return catchAll404s
  const endpoint = req.endpoint
  return endpoint !== null && ownedEndpoints.has(endpoint)
}

/**
 * `current_app.propagate_exceptions` (Flask 2.2): `PROPAGATE_EXCEPTIONS` when set, else `TESTING`
 * or `DEBUG`. Then `Api.handle_error` re-raises an error that is not an HTTP one, and its
 * `error_router` leaves it to the app's own error handlers.
 */
function propagateExceptions(): boolean {
  const configured = appConfigValue('PROPAGATE_EXCEPTIONS')
  if (configured !== null && configured !== undefined) return Boolean(configured)
  return Boolean(appConfigValue('TESTING')) || Boolean(appConfigValue('DEBUG'))
}

/** `Api.handle_error`: null when the error goes on to the app's handlers. */
function handleError(error: unknown): FlaskResponse | null {
  if (!(error instanceof HTTPException) && propagateExceptions()) return null
  if (error instanceof HTTPException) {
    if (error.response !== null) return FlaskResponse.fromResponse(error.getResponse())
    const data =
      (error as HTTPException & { data?: Py }).data ?? new PyDict([['message', error.description]])
    // Werkzeug's response headers but Content-Length (and Content-Type, which make_response sets).
    const headers = error.getHeaders().filter(([key]) => key.toLowerCase() !== 'content-length')
    return outputJson(data, error.code, headers)
  }
  console.error('Exception on a Flask-RESTful resource', error)
  return outputJson(new PyDict([['message', 'Internal Server Error']]), 500, null)
}

addErrorRouter((error, c) =>
  ownedEndpoints.size > 0 && hasRestfulRoute(c) ? handleError(error) : null,
)

/** The emitted app's `api.init_app(app)` / `Api(app)`: the error routing above is already in place. */
export function initApi(_api: Api): void {}

/** A resource under `decorators = [...]`: the decorated view, called with the view arguments as keywords, then the Api's output. */
export function decoratedResourceView(
  endpoint: string,
  fn: (...args: never[]) => unknown,
): (c: Context) => Promise<Response> {
  ownedEndpoints.add(endpoint)
  return view(async (c) => output(await callWithKeywords(fn, [], request(c).view_args ?? {})))
}

export { RequestParser, Argument, Namespace } from './restful-reqparse.js'
export {
  RestfulRaw,
  RestfulString,
  RestfulInteger,
  RestfulFloat,
  RestfulBoolean,
  RestfulDateTime,
  RestfulNested,
  RestfulList,
  RestfulUrl,
  RestfulFormattedString,
  marshal,
  marshal_with,
} from './restful-fields.js'
