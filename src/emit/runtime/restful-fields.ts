/**
 * Flask-RESTful 0.3.9's `fields`, `marshal` and `marshal_with` (Debian's python3-flask-restful is
 * the oracle: test/translate/restful.test.ts). A field dict is a PyDict of field classes,
 * field instances or nested dicts, as in Python; output keeps its order.
 */
import { PyDateTime, PyTimezone } from './datetime.js'
import { Exception } from './exceptions.js'
import { currentContext, request } from './flask.js'
import {
  PyDict,
  PySet,
  asFloat,
  bool,
  float,
  getattr,
  int,
  isList,
  isTuple,
  mappingItems,
  str,
  strFormat,
  type Py,
} from './py.js'
import { appUrlMap, urlFor, urlForContext } from './router.js'

/** `fields.MarshallingException`: a field that cannot format its value (a 500 through the Api). */
export class MarshallingException extends Exception {}

function isIndexableButNotString(obj: Py): boolean {
  return isList(obj) || obj instanceof PyDict || obj instanceof PySet
}

function getValueForKey(key: Py, obj: Py, fallback: Py): Py {
  if (isIndexableButNotString(obj)) {
    if (obj instanceof PyDict) {
      if (obj.has(key)) return obj.getItem(key)
    } else if (isList(obj) && typeof key === 'number') {
      if (key < obj.length && key >= -obj.length) return obj.at(key)
    }
  }
  if (typeof key !== 'string') {
    if (obj instanceof PyDict) throw new TypeError('attribute name must be string')
    return fallback
  }
  if (
    obj === null ||
    obj === undefined ||
    typeof obj !== 'object' ||
    obj instanceof PyDict ||
    isList(obj) ||
    obj instanceof PySet
  )
    return fallback
  return getattr(obj, key, fallback)
}

/** `fields.get_value(key, obj, default=None)`: an index, a function of the object, or a dotted path. */
export function getValue(key: Py, obj: Py, fallback: Py = null): Py {
  if (typeof key === 'number') return getValueForKey(key, obj, fallback)
  if (typeof key === 'function') return key(obj)
  let value = obj
  const keys = String(key).split('.')
  for (const part of keys) value = getValueForKey(part, value, fallback)
  return value
}

/** `fields.Raw(default=None, attribute=None)`. */
export class RestfulRaw {
  constructor(
    public default_: Py = null,
    public attribute: Py = null,
  ) {}
  format(value: Py): Py {
    return value
  }
  output(key: Py, obj: Py): Py {
    const value = getValue(this.attribute ?? key, obj)
    if (value === null || value === undefined) return this.default_
    return this.format(value)
  }
}

export class RestfulString extends RestfulRaw {
  override format(value: Py): Py {
    return str(value)
  }
}

export class RestfulInteger extends RestfulRaw {
  constructor(default_: Py = 0, attribute: Py = null) {
    super(default_, attribute)
  }
  override format(value: Py): Py {
    if (value === null) return this.default_
    try {
      return int(value)
    } catch (error) {
      if (error instanceof Exception && error.constructor.name === 'ValueError')
        throw new MarshallingException(str(error))
      throw error
    }
  }
}

export class RestfulFloat extends RestfulRaw {
  override format(value: Py): Py {
    try {
      return asFloat(float(value))
    } catch (error) {
      if (error instanceof Exception && error.constructor.name === 'ValueError')
        throw new MarshallingException(str(error))
      throw error
    }
  }
}

export class RestfulBoolean extends RestfulRaw {
  override format(value: Py): Py {
    return bool(value)
  }
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `fields.DateTime(dt_format='rfc822')`: RFC 822 of the UTC time (`-0000`), or ISO 8601. */
export class RestfulDateTime extends RestfulRaw {
  constructor(
    public dt_format: Py = 'rfc822',
    default_: Py = null,
    attribute: Py = null,
  ) {
    super(default_, attribute)
  }
  override format(value: Py): Py {
    if (this.dt_format === 'iso8601') return value.isoformat()
    if (this.dt_format !== 'rfc822')
      throw new MarshallingException(`Unsupported date format ${str(this.dt_format)}`)
    let utc: Py = value
    if (value instanceof PyDateTime && value.tzinfo !== null) utc = value.astimezone(PyTimezone.utc)
    const pad = (n: number): string => String(n).padStart(2, '0')
    const weekday = DAYS[utc.weekday()]
    const hour = utc.hour ?? 0
    const minute = utc.minute ?? 0
    const second = utc.second ?? 0
    return `${weekday}, ${pad(utc.day)} ${MONTHS[utc.month - 1]} ${utc.year} ${pad(hour)}:${pad(minute)}:${pad(second)} -0000`
  }
}

/** `fields.Nested(nested, allow_null=False, default=None, attribute=None)`. */
export class RestfulNested extends RestfulRaw {
  constructor(
    public nested: Py,
    public allow_null: Py = false,
    default_: Py = null,
    attribute: Py = null,
  ) {
    super(default_, attribute)
  }
  override output(key: Py, obj: Py): Py {
    const value = getValue(this.attribute ?? key, obj)
    if (value === null || value === undefined) {
      if (this.allow_null) return null
      if (this.default_ !== null) return this.default_
    }
    return marshal(value ?? null, this.nested)
  }
}

function make(field: Py): RestfulRaw {
  if (
    field === RestfulRaw ||
    (typeof field === 'function' && field.prototype instanceof RestfulRaw)
  )
    return new field()
  if (field instanceof RestfulRaw) return field
  throw new MarshallingException(
    'The type of the list elements must be a subclass of flask_restful.fields.Raw',
  )
}

/** `fields.List(cls_or_instance, default=None, attribute=None)`. */
export class RestfulList extends RestfulRaw {
  container: RestfulRaw
  constructor(clsOrInstance: Py, default_: Py = null, attribute: Py = null) {
    super(default_, attribute)
    this.container = make(clsOrInstance)
  }
  override format(value: Py): Py {
    const items = value instanceof PySet ? [...value] : [...value]
    const plainRaw = this.container.constructor === RestfulRaw
    return items.map((item: Py, index: number) => {
      const own =
        (item instanceof PyDict ||
          (this.container.attribute !== null &&
            getattr(item, this.container.attribute, undefined) !== undefined)) &&
        !(this.container instanceof RestfulNested) &&
        !plainRaw
      return this.container.output(index, own ? item : value)
    })
  }
  override output(key: Py, data: Py): Py {
    const value = getValue(this.attribute ?? key, data)
    if (isIndexableButNotString(value) && !(value instanceof PyDict)) return this.format(value)
    if (value === null || value === undefined) return this.default_
    return [marshal(value, (this.container as RestfulNested).nested)]
  }
}

/** `fields.FormattedString("{name} <{email}>")`: `str.format(**obj)`. */
export class RestfulFormattedString extends RestfulRaw {
  constructor(public src_str: Py) {
    super()
  }
  override output(_key: Py, obj: Py): Py {
    return strFormat(String(this.src_str), [], obj instanceof PyDict ? obj : new PyDict())
  }
}

/** `fields.Url(endpoint=None, absolute=False, scheme=None)`: url_for(endpoint, **obj), path only unless absolute. */
export class RestfulUrl extends RestfulRaw {
  constructor(
    public endpoint: Py = null,
    public absolute: Py = false,
    public scheme: Py = null,
    default_: Py = null,
    attribute: Py = null,
  ) {
    super(default_, attribute)
  }
  override output(_key: Py, obj: Py): Py {
    const c = currentContext()
    const endpoint = this.endpoint ?? request(c).endpoint
    const values = Object.fromEntries(
      obj instanceof PyDict ? mappingItems(obj).map(([key, value]) => [String(key), value]) : [],
    )
    const built = urlFor(appUrlMap()!, endpoint, values, {
      ...urlForContext(c),
      external: Boolean(this.absolute),
    })
    const url = new URL(built, 'http://placeholder')
    if (!this.absolute) return url.pathname
    return `${this.scheme ?? url.protocol.slice(0, -1)}://${url.host}${url.pathname}`
  }
}

/** `flask_restful.marshal(data, fields, envelope=None)`. */
export function marshal(data: Py, fields: Py, envelope: Py = null): Py {
  if (isList(data) || isTuple(data)) {
    const items = [...data].map((item: Py) => marshal(item, fields))
    return envelope ? new PyDict([[envelope, items]]) : items
  }
  const out = new PyDict()
  for (const [key, field] of mappingItems(fields)) {
    out.set(key, field instanceof PyDict ? marshal(data, field) : make(field).output(key, data))
  }
  return envelope ? new PyDict([[envelope, out]]) : out
}

/** `@marshal_with(fields, envelope=None)` on a resource's method: its result (or the data of its `(data, code, headers)`) marshalled. */
export function marshal_with(
  fields: Py,
  envelope: Py = null,
): <F extends (...args: never[]) => unknown>(method: F) => F {
  const apply = (result: Py): Py => {
    if (isTuple(result)) {
      const [data, code, headers] =
        result.length === 3
          ? result
          : result.length === 2
            ? [result[0], result[1], null]
            : [result, 200, null]
      return Object.freeze([marshal(data, fields, envelope), code, headers])
    }
    return marshal(result, fields, envelope)
  }
  return (method) =>
    function (this: unknown, ...args: never[]) {
      const result = method.apply(this, args) as Py
      return result instanceof Promise ? result.then(apply) : apply(result)
    } as typeof method
}
