/**
 * Flask-RESTful 0.3.9's `reqparse` (Debian's python3-flask-restful is the oracle:
 * test/translate/restful.test.ts and fixtures/ext-flask-restful-reqparse compare with it):
 * `RequestParser(trim=, bundle_errors=)`, `add_argument(name, **options)`, `parse_args(strict=)`,
 * with its conversions, choices, locations and its 400 answers (`{"message": {name: help}}`).
 */
import { BadRequest } from './errors.js'
import { AttributeError, Exception, ValueError } from './exceptions.js'
import { currentContext, request, type FlaskRequest } from './flask.js'
import { restfulAbort } from './restful.js'
import {
  Keywords,
  PyDict,
  contains,
  fromJs,
  isList,
  mappingItems,
  str,
  strFormat,
  type Py,
} from './py.js'
import { appConfigValue } from './flask.js'

const FRIENDLY_LOCATION: Record<string, string> = {
  json: 'the JSON body',
  form: 'the post body',
  args: 'the query string',
  values: 'the post body or the query string',
  headers: 'the HTTP headers',
  cookies: "the request's cookies",
  files: 'an uploaded file',
}

/** `reqparse.Namespace`: a dict whose keys read as attributes too (`args.page`). */
export class Namespace extends PyDict {
  __getattr__(name: string): Py {
    if (!this.has(name)) throw new AttributeError(name)
    return this.getItem(name)
  }
}

/** One source of arguments: the request's MultiDict, or the JSON body's dict, read as Flask-RESTful reads them. */
interface Source {
  has(name: string): boolean
  values(name: string): Py[] | Py
  multi: boolean
  entries(): [string, Py][]
}

function optionsOf(value: Py): Map<string, Py> {
  if (value === null || value === undefined) return new Map()
  if (value instanceof PyDict) return new Map(mappingItems(value))
  if (value instanceof Keywords) return new Map(value.entries)
  return new Map(Object.entries(value))
}

/** `getattr(request, location)`. */
function requestAttribute(req: FlaskRequest, location: string): Py {
  switch (location) {
    case 'json':
      return fromJs(req.json)
    case 'args':
      return req.args
    case 'form':
      return req.form
    case 'values':
      return req.values
    case 'headers':
      return req.headers
    case 'cookies':
      return req.cookies
    case 'files':
      return req.files
  }
  throw new Error(`reqparse location ${JSON.stringify(location)} is not carried over`)
}

function sourceOf(value: Py): Source {
  if (value instanceof PyDict) {
    return {
      has: (name) => value.has(name),
      values: (name) => value.getItem(name),
      multi: false,
      entries: () => mappingItems(value),
    }
  }
  if (value === null || value === undefined) return sourceOf(new PyDict())
  return {
    has: (name) => value.getlist(name).length > 0,
    values: (name) => value.getlist(name),
    multi: true,
    entries: () => value.keys().map((key: string) => [key, value.get(key)]),
  }
}

/** `MultiDict()` updated with each location's values (a JSON list adds each of its items). */
function combined(req: FlaskRequest, locations: string[]): Source {
  const lists = new Map<string, Py[]>()
  for (const location of locations) {
    const value = requestAttribute(req, location)
    if (value === null || value === undefined) continue
    const source = sourceOf(value)
    for (const [key] of source.entries()) {
      const values = source.multi ? source.values(key) : [source.values(key)]
      const flat = source.multi
        ? values
        : values.flatMap((item: Py) => (isList(item) ? item : [item]))
      lists.set(key, [...(lists.get(key) ?? []), ...flat])
    }
  }
  return {
    has: (name) => (lists.get(name)?.length ?? 0) > 0,
    values: (name) => lists.get(name) ?? [],
    multi: true,
    entries: () => [...lists].map(([key, values]) => [key, values[0]]),
  }
}

/** `reqparse.Argument`. */
export class Argument {
  name: string
  default: Py
  dest: Py
  required: boolean
  ignore: boolean
  type: Py
  location: Py
  choices: Py
  action: string
  help: Py
  operators: Py
  case_sensitive: boolean
  store_missing: boolean
  trim: boolean
  nullable: boolean

  constructor(name: Py, options: Py = null) {
    const given = optionsOf(options)
    const option = (key: string, fallback: Py): Py => (given.has(key) ? given.get(key) : fallback)
    this.name = String(name)
    this.default = option('default', null)
    this.dest = option('dest', null)
    this.required = Boolean(option('required', false))
    this.ignore = Boolean(option('ignore', false))
    this.type = option('type', (value: Py) => str(value))
    this.location = option('location', ['json', 'values'])
    this.choices = option('choices', [])
    this.action = option('action', 'store')
    this.help = option('help', null)
    this.operators = option('operators', ['='])
    this.case_sensitive = Boolean(option('case_sensitive', true))
    this.store_missing = Boolean(option('store_missing', true))
    this.trim = Boolean(option('trim', false))
    this.nullable = Boolean(option('nullable', true))
  }

  source(req: FlaskRequest): Source {
    if (typeof this.location === 'string') return sourceOf(requestAttribute(req, this.location))
    return combined(req, [...this.location])
  }

  /** `self.type(value, name, op)`, else `(value, name)`, else `(value)`: by the function's arity here. */
  convert(value: Py, op: string): Py {
    if (value === null) {
      if (this.nullable) return null
      throw new ValueError('Must not be null!')
    }
    const type = this.type
    if (type.length >= 3) return type(value, this.name, op)
    if (type.length === 2) return type(value, this.name)
    return type(value)
  }

  handleValidationError(error: Py, bundleErrors: boolean): [Py, Py] {
    const text = error instanceof Exception ? str(error) : String(error?.message ?? error)
    const message = this.help
      ? strFormat(String(this.help), [], new PyDict([['error_msg', text]]))
      : text
    const messages = new PyDict([[this.name, message]])
    if (appConfigValue('BUNDLE_ERRORS') || bundleErrors) return [error, messages]
    restfulAbort(400, messages)
  }

  parse(req: FlaskRequest, bundleErrors: boolean, unparsed: Map<string, Py>): [Py, Py] {
    const source = this.source(req)
    const results: Py[] = []
    const bundled = Boolean(appConfigValue('BUNDLE_ERRORS')) || bundleErrors
    for (const operator of [...this.operators]) {
      const name = this.name + String(operator).replace('=', '')
      if (!source.has(name)) continue
      let values = source.values(name)
      if (!source.multi && !(isList(values) && this.action === 'append')) values = [values]
      for (let value of values) {
        if (typeof value === 'string' && this.trim) value = value.trim()
        if (typeof value === 'string' && !this.case_sensitive) {
          value = value.toLowerCase()
          this.choices = [...this.choices].map((choice: Py) => String(choice).toLowerCase())
        }
        try {
          value = this.convert(value, String(operator))
        } catch (error) {
          if (this.ignore) continue
          return this.handleValidationError(error, bundleErrors)
        }
        if (this.choices && [...this.choices].length > 0 && !contains(this.choices, value)) {
          const result = this.handleValidationError(
            new ValueError(`${str(value)} is not a valid choice`),
            bundleErrors,
          )
          if (bundled) return result
        }
        unparsed.delete(name)
        results.push(value)
      }
    }
    if (results.length === 0 && this.required) {
      const locations = typeof this.location === 'string' ? [this.location] : [...this.location]
      const message = `Missing required parameter in ${locations.map((location) => FRIENDLY_LOCATION[location] ?? location).join(' or ')}`
      const result = this.handleValidationError(new ValueError(message), bundleErrors)
      if (bundled) return result
    }
    if (results.length === 0)
      return [typeof this.default === 'function' ? this.default() : this.default, false]
    if (this.action === 'append') return [results, true]
    if (this.action === 'store' || results.length === 1) return [results[0], true]
    return [results, true]
  }
}

/** `reqparse.RequestParser(argument_class=Argument, namespace_class=Namespace, trim=False, bundle_errors=False)`. */
export class RequestParser {
  args: Argument[] = []
  constructor(
    argumentClass: Py = null,
    namespaceClass: Py = null,
    public trim: Py = false,
    public bundle_errors: Py = false,
  ) {
    if ((argumentClass ?? null) !== null || (namespaceClass ?? null) !== null)
      throw new Error(
        'reqparse.RequestParser(argument_class=, namespace_class=) is not carried over',
      )
  }

  /** `parser.add_argument(name, **options)`. */
  add_argument(name: Py, options: Py = null): this {
    const argument = new Argument(name, options)
    if (this.trim) argument.trim = Boolean(optionsOf(options).get('trim') ?? this.trim)
    this.args.push(argument)
    return this
  }

  /** `parser.parse_args(req=None, strict=False, http_error_code=400)`. */
  parse_args(req: Py = null, strict: Py = false, httpErrorCode: Py = 400): Namespace {
    if (req !== null && req !== undefined)
      throw new Error('parse_args(req=...) is not carried over')
    const current = request(currentContext())
    const namespace = new Namespace()
    const unparsed = new Map<string, Py>(strict ? new Argument('').source(current).entries() : [])
    const errors = new PyDict()
    for (const argument of this.args) {
      let [value, found] = argument.parse(current, Boolean(this.bundle_errors), unparsed)
      if (value instanceof ValueError) {
        errors.update(found)
        found = null
      }
      if (found || argument.store_missing) namespace.set(argument.dest ?? argument.name, value)
    }
    if (errors.size > 0) restfulAbort(httpErrorCode, errors)
    if (strict && unparsed.size > 0)
      throw new BadRequest(`Unknown arguments: ${[...unparsed.keys()].join(', ')}`)
    return namespace
  }

  replace_argument(name: Py, options: Py = null): this {
    const argument = new Argument(name, options)
    const index = this.args.findIndex((candidate) => candidate.name === argument.name)
    if (index >= 0) {
      this.args.splice(index, 1)
      this.args.push(argument)
    }
    return this
  }

  remove_argument(name: Py): this {
    const index = this.args.findIndex((candidate) => candidate.name === name)
    if (index >= 0) this.args.splice(index, 1)
    return this
  }

  copy(): RequestParser {
    const parser = new RequestParser(null, null, this.trim, this.bundle_errors)
    parser.args = this.args.map((argument) =>
      Object.assign(Object.create(Argument.prototype), argument),
    )
    return parser
  }
}
