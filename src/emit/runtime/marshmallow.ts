/**
 * marshmallow 3 (Debian's python3-marshmallow 3.18 is the oracle: test/translate/marshmallow.test.ts
 * and fixtures/ext-marshmallow compare with it): schemas, fields, validators and hooks, with
 * marshmallow's error messages and the order it stores them in.
 *
 * A project's `class TaskSchema(Schema)` becomes a class extending `Schema` here whose
 * `declaredFields` are its fields in declaration order (a base's first), and whose hooks
 * (`@post_load`, `@validates("x")`…) `registerSchema` records. Dicts are `PyDict`, lists
 * arrays, as everywhere in translated code.
 */
import { PyDate, PyDateTime, PyTimeDelta, PyTimezone } from './datetime.js'
import { Exception, TypeError as PyTypeError, ValueError } from './exceptions.js'
import {
  Keywords,
  PyDict,
  PySet,
  asFloat,
  contains,
  float,
  getattr,
  int,
  isList,
  isTuple,
  iter,
  len,
  mappingItems,
  repr,
  str,
  strFormat,
  type Py,
} from './py.js'

/** marshmallow.missing: a field's value the data does not have. */
export const missing: Py = Object.freeze({
  toString: () => '<marshmallow.missing>',
})
export const EXCLUDE = 'exclude'
export const INCLUDE = 'include'
export const RAISE = 'raise'
const SCHEMA = '_schema'

/** `marshmallow.ValidationError(message, field_name="_schema", data=None, valid_data=None)`. */
export class ValidationError extends Exception {
  messages: Py
  field_name: Py
  data: Py
  valid_data: Py
  constructor(
    message: Py,
    field_name: Py = SCHEMA,
    data: Py = null,
    valid_data: Py = null,
    ..._kwargs: Py[]
  ) {
    super(message)
    this.messages = typeof message === 'string' ? [message] : message
    this.field_name = field_name
    this.data = data
    this.valid_data = valid_data
  }
  normalized_messages(): Py {
    if (this.field_name === SCHEMA && this.messages instanceof PyDict) return this.messages
    return new PyDict([[this.field_name, this.messages]])
  }
  get messages_dict(): Py {
    return this.messages
  }
}

// ---------------------------------------------------------------------------------------------
// Options, keywords and errors

/** Keyword options given as a PyDict (the translator's `**options`), a Keywords or a record. */
function optionsOf(value: Py): Map<string, Py> {
  if (value === null || value === undefined) return new Map()
  if (value instanceof PyDict) return new Map(mappingItems(value))
  if (value instanceof Keywords) return new Map(value.entries)
  return new Map(Object.entries(value))
}

/** A trailing Keywords of a method called with keywords (`schema.dump(x, many=True)`). */
function splitKeywords(rest: Py[]): [Py[], Map<string, Py>] {
  const last = rest.at(-1)
  if (last instanceof Keywords) return [rest.slice(0, -1), new Map(last.entries)]
  return [rest, new Map()]
}

function isCollection(value: Py): boolean {
  return isList(value) || isTuple(value) || value instanceof PySet || value instanceof Set
}

/** `isinstance(value, Mapping)`: a dict, or the request's MultiDicts (`schema.load(request.args)`). */
function isMapping(value: Py): boolean {
  return (
    value instanceof PyDict ||
    (typeof value?.getlist === 'function' && typeof value?.keys === 'function')
  )
}

/** `merge_errors` of marshmallow.error_store. */
function mergeErrors(errors1: Py, errors2: Py): Py {
  const empty = (value: Py): boolean =>
    value === null ||
    value === undefined ||
    (isList(value) && value.length === 0) ||
    (value instanceof PyDict && value.size === 0)
  if (empty(errors1)) return errors2
  if (empty(errors2)) return errors1
  const withSchema = (dict: PyDict, other: Py, first: boolean): PyDict => {
    const out = dict.copy()
    const current = dict.has(SCHEMA) ? dict.getItem(SCHEMA) : null
    out.set(SCHEMA, first ? mergeErrors(other, current) : mergeErrors(current, other))
    return out
  }
  if (isList(errors1)) {
    if (isList(errors2)) return [...errors1, ...errors2]
    if (errors2 instanceof PyDict) return withSchema(errors2, errors1, true)
    return [...errors1, errors2]
  }
  if (errors1 instanceof PyDict) {
    if (isList(errors2)) return withSchema(errors1, errors2, false)
    if (errors2 instanceof PyDict) {
      const out = errors1.copy()
      for (const [key, value] of errors2.items())
        out.set(key, out.has(key) ? mergeErrors(out.getItem(key), value) : value)
      return out
    }
    return withSchema(errors1, errors2, false)
  }
  if (isList(errors2)) return [errors1, ...errors2]
  if (errors2 instanceof PyDict) return withSchema(errors2, errors1, true)
  return [errors1, errors2]
}

class ErrorStore {
  errors: Py = new PyDict()
  store(messages: Py, fieldName: Py = SCHEMA, index: Py = null): void {
    let stored = messages
    if (fieldName !== SCHEMA || !(messages instanceof PyDict))
      stored = new PyDict([[fieldName, messages]])
    if (index !== null && index !== undefined) stored = new PyDict([[index, stored]])
    this.errors = mergeErrors(this.errors, stored)
  }
  get empty(): boolean {
    return this.errors instanceof PyDict ? this.errors.size === 0 : !this.errors
  }
}

/** `str.format(**kwargs)` of an error message. */
function formatMessage(message: Py, values: Record<string, Py>): Py {
  if (typeof message !== 'string') return message
  return strFormat(message, [], new PyDict(Object.entries(values)))
}

/** `utils.get_value`: `obj[key]`, else `getattr(obj, key)`; a dotted key walks. */
function getValue(obj: Py, key: string, fallback: Py = missing): Py {
  if (key.includes('.')) {
    let value = obj
    for (const part of key.split('.')) value = getValue(value, part, fallback)
    return value
  }
  if (obj instanceof PyDict) return obj.has(key) ? obj.getItem(key) : fallback
  if (obj === null || obj === undefined || typeof obj !== 'object') return fallback
  return getattr(obj, key, fallback)
}

function callable(value: Py): boolean {
  return typeof value === 'function'
}

// ---------------------------------------------------------------------------------------------
// Validators (marshmallow.validate)

export abstract class Validator {
  error: Py = null
  abstract call(value: Py): Py
}

/** A validator as the schema calls it: a Validator, or a function whose `False` fails. */
function runValidator(validator: Py, value: Py): Py {
  if (validator instanceof Validator) return validator.call(value)
  return validator(value)
}

export class Length extends Validator {
  constructor(
    readonly min: Py = null,
    readonly max: Py = null,
    readonly equal: Py = null,
    error: Py = null,
  ) {
    super()
    if (equal !== null && (min || max))
      throw new ValueError(
        'The `equal` parameter was provided, maximum or minimum parameter must not be provided.',
      )
    this.error = error
  }
  private fail(value: Py, message: string): never {
    throw new ValidationError(
      formatMessage(this.error ?? message, {
        input: value,
        min: this.min,
        max: this.max,
        equal: this.equal,
      }),
    )
  }
  call(value: Py): Py {
    const length = len(value)
    if (this.equal !== null) {
      if (length !== this.equal) this.fail(value, 'Length must be {equal}.')
      return value
    }
    if (this.min !== null && length < this.min)
      this.fail(
        value,
        this.max === null
          ? 'Shorter than minimum length {min}.'
          : 'Length must be between {min} and {max}.',
      )
    if (this.max !== null && length > this.max)
      this.fail(
        value,
        this.min === null
          ? 'Longer than maximum length {max}.'
          : 'Length must be between {min} and {max}.',
      )
    return value
  }
}

export class Range extends Validator {
  constructor(
    readonly min: Py = null,
    readonly max: Py = null,
    readonly min_inclusive: Py = true,
    readonly max_inclusive: Py = true,
    error: Py = null,
  ) {
    super()
    this.error = error
  }
  call(value: Py): Py {
    const minOp = this.min_inclusive ? 'greater than or equal to' : 'greater than'
    const maxOp = this.max_inclusive ? 'less than or equal to' : 'less than'
    const all = `Must be ${minOp} {min} and ${maxOp} {max}.`
    const fail = (message: string): never => {
      throw new ValidationError(
        formatMessage(this.error ?? message, { input: value, min: this.min, max: this.max }),
      )
    }
    const v = Number(value)
    if (this.min !== null && (this.min_inclusive ? v < Number(this.min) : v <= Number(this.min)))
      fail(this.max === null ? `Must be ${minOp} {min}.` : all)
    if (this.max !== null && (this.max_inclusive ? v > Number(this.max) : v >= Number(this.max)))
      fail(this.min === null ? `Must be ${maxOp} {max}.` : all)
    return value
  }
}

export class OneOf extends Validator {
  readonly choicesText: string
  readonly labelsText: string
  constructor(
    readonly choices: Py,
    readonly labels: Py = null,
    error: Py = null,
  ) {
    super()
    this.choicesText = [...choices].map((choice: Py) => str(choice)).join(', ')
    this.labelsText = [...(labels ?? [])].map((label: Py) => str(label)).join(', ')
    this.error = error ?? 'Must be one of: {choices}.'
  }
  call(value: Py): Py {
    let found = false
    try {
      found = contains(this.choices, value)
    } catch {
      found = false
    }
    if (!found)
      throw new ValidationError(
        formatMessage(this.error, {
          input: value,
          choices: this.choicesText,
          labels: this.labelsText,
        }),
      )
    return value
  }
}

export class NoneOf extends Validator {
  constructor(
    readonly iterable: Py,
    error: Py = null,
  ) {
    super()
    this.error = error ?? 'Invalid input.'
  }
  call(value: Py): Py {
    let found = false
    try {
      found = contains(this.iterable, value)
    } catch {
      found = false
    }
    if (found)
      throw new ValidationError(
        formatMessage(this.error, {
          input: value,
          values: [...this.iterable].map((each: Py) => str(each)).join(', '),
        }),
      )
    return value
  }
}

export class Equal extends Validator {
  constructor(
    readonly comparable: Py,
    error: Py = null,
  ) {
    super()
    this.error = error ?? 'Must be equal to {other}.'
  }
  call(value: Py): Py {
    if (repr(value) !== repr(this.comparable))
      throw new ValidationError(formatMessage(this.error, { input: value, other: this.comparable }))
    return value
  }
}

/**
 * Python's `re` pattern as a JavaScript one, for the patterns validators use: `\Z` is `$`, and
 * `match` anchors at the start.
 */
function pythonPattern(pattern: string, flags: number): RegExp {
  const source = pattern
    .replace(/\\Z/g, '$')
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
  return new RegExp(
    `^(?:${source})`,
    `u${flags & 2 ? 'i' : ''}${flags & 8 ? 'm' : ''}${flags & 16 ? 's' : ''}`,
  )
}

export class Regexp extends Validator {
  readonly regex: RegExp
  constructor(
    readonly pattern: Py,
    flags: Py = 0,
    error: Py = null,
  ) {
    super()
    this.regex = pythonPattern(String(pattern), Number(flags))
    this.error = error ?? 'String does not match expected pattern.'
  }
  call(value: Py): Py {
    if (!this.regex.test(String(value)))
      throw new ValidationError(formatMessage(this.error, { input: value, regex: this.pattern }))
    return value
  }
}

const EMAIL_USER =
  /(^[-!#$%&'*+/=?^`{}|~\w]+(\.[-!#$%&'*+/=?^`{}|~\w]+)*$|^"([\x01-\x08\x0b\x0c\x0e-\x1f!#-[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*"$)/iu
const EMAIL_DOMAIN =
  /^(?:(?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+(?:[A-Z]{2,6}|[A-Z0-9-]{2,})$|\[(25[0-5]|2[0-4]\d|[0-1]?\d?\d)(\.(25[0-5]|2[0-4]\d|[0-1]?\d?\d)){3}\]$)/iu

export class Email extends Validator {
  constructor(error: Py = null) {
    super()
    this.error = error ?? 'Not a valid email address.'
  }
  call(value: Py): Py {
    const fail = (): never => {
      throw new ValidationError(formatMessage(this.error, { input: value }))
    }
    const text = String(value)
    if (!value || !text.includes('@')) fail()
    const at = text.lastIndexOf('@')
    const user = text.slice(0, at)
    let domain = text.slice(at + 1)
    if (!EMAIL_USER.test(user)) fail()
    if (domain !== 'localhost' && !EMAIL_DOMAIN.test(domain)) {
      try {
        domain = new URL(`http://${domain}`).hostname
      } catch {
        fail()
      }
      if (!EMAIL_DOMAIN.test(domain)) fail()
    }
    return value
  }
}

/** `validate.And(*validators, error=)`: every validator's errors, collected. */
function validateAll(validators: Py[], value: Py, error: Py): void {
  const errors: Py[] = []
  for (const validator of validators) {
    try {
      const result = runValidator(validator, value)
      if (!(validator instanceof Validator) && result === false) throw new ValidationError(error)
    } catch (caught) {
      if (!(caught instanceof ValidationError)) throw caught
      if (caught.messages instanceof PyDict) errors.push(caught.messages)
      else errors.push(...caught.messages)
    }
  }
  if (errors.length > 0) throw new ValidationError(errors)
}

// ---------------------------------------------------------------------------------------------
// Fields (marshmallow.fields)

const FIELD_MESSAGES = {
  required: 'Missing data for required field.',
  null: 'Field may not be null.',
  validator_failed: 'Invalid value.',
}

export class Field {
  static defaultErrorMessages: Record<string, string> = FIELD_MESSAGES
  /** Method and Function fields read the whole object, not one of its attributes. */
  protected checkAttribute = true
  load_default: Py
  dump_default: Py
  attribute: Py
  data_key: Py
  validators: Py[]
  required: boolean
  allow_none: boolean
  load_only: boolean
  dump_only: boolean
  error_messages: Record<string, Py>
  parent: Py = null
  name: Py = null

  constructor(options: Py = null) {
    const given = optionsOf(options)
    this.load_default = given.has('load_default')
      ? given.get('load_default')
      : given.has('missing')
        ? given.get('missing')
        : missing
    this.dump_default = given.has('dump_default')
      ? given.get('dump_default')
      : given.has('default')
        ? given.get('default')
        : missing
    this.attribute = given.get('attribute') ?? null
    this.data_key = given.get('data_key') ?? null
    const validate = given.get('validate') ?? null
    if (validate === null) this.validators = []
    else if (callable(validate) || validate instanceof Validator) this.validators = [validate]
    else if (isCollection(validate)) this.validators = [...validate]
    else
      throw new ValueError(
        "The 'validate' parameter must be a callable or a collection of callables.",
      )
    const allowNone = given.get('allow_none')
    this.allow_none =
      allowNone === null || allowNone === undefined
        ? this.load_default === null
        : Boolean(allowNone)
    this.load_only = Boolean(given.get('load_only') ?? false)
    this.dump_only = Boolean(given.get('dump_only') ?? false)
    this.required = Boolean(given.get('required') ?? false)
    if (given.get('required') === true && this.load_default !== missing)
      throw new ValueError("'load_default' must not be set for required fields.")
    const messages: Record<string, Py> = {}
    const chain: Function[] = []
    for (let cls: Py = new.target; cls && cls !== Object; cls = Object.getPrototypeOf(cls))
      chain.unshift(cls)
    for (const cls of chain)
      if (Object.hasOwn(cls, 'defaultErrorMessages'))
        Object.assign(messages, (cls as typeof Field).defaultErrorMessages)
    const overrides = given.get('error_messages')
    if (overrides) for (const [key, value] of optionsOf(overrides)) messages[key] = value
    this.error_messages = messages
  }

  makeError(key: string, values: Record<string, Py> = {}): ValidationError {
    const message = this.error_messages[key]
    if (message === undefined)
      throw new Error(
        `ValidationError raised by \`${this.constructor.name}\`, but error key \`${key}\` does not exist in the \`error_messages\` dictionary.`,
      )
    return new ValidationError(formatMessage(message, values))
  }

  bind(name: string, parent: Py): void {
    this.parent ??= parent
    this.name ??= name
  }

  /** The schema this field belongs to, through List and Nested parents. */
  get root(): Py {
    let parent = this.parent
    while (parent instanceof Field) parent = parent.parent
    return parent
  }

  serialize(
    attr: string,
    obj: Py,
    accessor: ((obj: Py, key: string, d: Py) => Py) | null = null,
  ): Py {
    let value: Py = null
    if (this.checkAttribute) {
      const key = this.attribute ?? attr
      value = accessor ? accessor(obj, key, missing) : getValue(obj, key)
      if (value === missing) {
        const fallback = this.dump_default
        value = callable(fallback) ? fallback() : fallback
      }
      if (value === missing) return value
    }
    return this.serializeValue(value, attr, obj)
  }

  deserialize(value: Py, attr: Py = null, data: Py = null, partial: Py = undefined): Py {
    if (value === missing && this.required) throw this.makeError('required')
    if (value === null && !this.allow_none) throw this.makeError('null')
    if (value === missing) {
      const fallback = this.load_default
      return callable(fallback) ? fallback() : fallback
    }
    if (this.allow_none && value === null) return null
    const output = this.deserializeValue(value, attr, data, partial)
    validateAll(this.validators, output, this.error_messages.validator_failed)
    return output
  }

  serializeValue(value: Py, _attr: Py, _obj: Py): Py {
    return value
  }

  deserializeValue(value: Py, _attr: Py, _data: Py, _partial?: Py): Py {
    return value
  }
}

export class RawField extends Field {}

/**
 * A name of `Meta.fields` the schema does not declare (`fields.Inferred`): dumped as the field
 * its value's type maps to in `Schema.TYPE_MAPPING` (a datetime or date in ISO 8601, an int or
 * float as a number), anything else as it is.
 */
class InferredField extends Field {
  override serializeValue(value: Py): Py {
    return value instanceof PyDate ? value.isoformat() : value
  }
}

export class StringField extends Field {
  static override defaultErrorMessages: Record<string, string> = {
    invalid: 'Not a valid string.',
    invalid_utf8: 'Not a valid utf-8 string.',
  }
  override serializeValue(value: Py): Py {
    return value === null ? null : str(value)
  }
  override deserializeValue(value: Py): Py {
    if (typeof value !== 'string') throw this.makeError('invalid')
    return value
  }
}

export class EmailField extends StringField {
  static override defaultErrorMessages: Record<string, string> = {
    invalid: 'Not a valid email address.',
  }
  constructor(options: Py = null) {
    super(options)
    this.validators.unshift(new Email(this.error_messages.invalid))
  }
}

export class UrlField extends StringField {
  static override defaultErrorMessages: Record<string, string> = { invalid: 'Not a valid URL.' }
  constructor(options: Py = null) {
    super(options)
    const error = this.error_messages.invalid
    this.validators.unshift((value: Py) => {
      let ok = false
      try {
        const url = new URL(String(value))
        ok =
          /^(https?|ftps?):$/.test(url.protocol) && /\.[a-z]{2,}$|^localhost$/i.test(url.hostname)
      } catch {
        ok = false
      }
      if (!ok) throw new ValidationError(formatMessage(error, { input: value }))
      return value
    })
  }
}

class NumberField extends Field {
  static override defaultErrorMessages: Record<string, string> = {
    invalid: 'Not a valid number.',
    too_large: 'Number too large.',
  }
  readonly as_string: boolean
  constructor(options: Py = null) {
    super(options)
    this.as_string = Boolean(optionsOf(options).get('as_string') ?? false)
  }
  formatNumber(value: Py): Py {
    return asFloat(float(value))
  }
  validated(value: Py): Py {
    if (value === null) return null
    if (value === true || value === false) throw this.makeError('invalid', { input: value })
    try {
      return this.formatNumber(value)
    } catch (error) {
      if (error instanceof Exception) throw this.makeError('invalid', { input: value })
      throw error
    }
  }
  override serializeValue(value: Py): Py {
    if (value === null) return null
    const number = this.formatNumber(value)
    return this.as_string ? str(number) : number
  }
  override deserializeValue(value: Py): Py {
    return this.validated(value)
  }
}

export class IntegerField extends NumberField {
  static override defaultErrorMessages: Record<string, string> = { invalid: 'Not a valid integer.' }
  readonly strict: boolean
  constructor(options: Py = null) {
    super(options)
    this.strict = Boolean(optionsOf(options).get('strict') ?? false)
  }
  override formatNumber(value: Py): Py {
    return int(value)
  }
  override validated(value: Py): Py {
    if (
      this.strict &&
      !(typeof value === 'number' && Number.isInteger(value)) &&
      typeof value !== 'boolean'
    )
      throw this.makeError('invalid', { input: value })
    return super.validated(value)
  }
}

export class FloatField extends NumberField {
  static override defaultErrorMessages: Record<string, string> = {
    special: 'Special numeric values (nan or infinity) are not permitted.',
  }
  readonly allow_nan: boolean
  constructor(options: Py = null) {
    super(options)
    this.allow_nan = Boolean(optionsOf(options).get('allow_nan') ?? false)
  }
  override validated(value: Py): Py {
    const number = super.validated(value)
    if (!this.allow_nan && !Number.isFinite(Number(number))) throw this.makeError('special')
    return number
  }
}

const TRUTHY = new Set<Py>([
  't',
  'T',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON',
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  '1',
  1,
])
const FALSY = new Set<Py>([
  'f',
  'F',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
  'n',
  'N',
  'no',
  'No',
  'NO',
  '0',
  0,
])

export class BooleanField extends Field {
  static override defaultErrorMessages: Record<string, string> = { invalid: 'Not a valid boolean.' }
  private static kind(value: Py): boolean | null {
    const key =
      typeof value === 'boolean'
        ? Number(value)
        : typeof value === 'object' && value !== null
          ? Number(value)
          : value
    if (TRUTHY.has(key)) return true
    if (FALSY.has(key)) return false
    return null
  }
  override serializeValue(value: Py): Py {
    if (value === null) return null
    return BooleanField.kind(value) ?? Boolean(value)
  }
  override deserializeValue(value: Py): Py {
    const kind = BooleanField.kind(value)
    if (kind === null) throw this.makeError('invalid', { input: value })
    return kind
  }
}

const ISO_DATETIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6})\d{0,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/

export class DateTimeField extends Field {
  static override defaultErrorMessages: Record<string, string> = {
    invalid: 'Not a valid {obj_type}.',
    invalid_awareness: 'Not a valid {awareness} {obj_type}.',
    format: '"{input}" cannot be formatted as a {obj_type}.',
  }
  protected objType = 'datetime'
  constructor(
    readonly format: Py = null,
    options: Py = null,
  ) {
    super(options)
    if (format !== null && format !== 'iso' && format !== 'iso8601')
      throw new Error(`marshmallow DateTime(format=${repr(format)}): only ISO 8601 is carried over`)
  }
  override serializeValue(value: Py): Py {
    return value === null ? null : value.isoformat()
  }
  protected parse(text: string): Py {
    const match = ISO_DATETIME.exec(text)
    if (!match) throw new ValueError('Not a valid ISO8601-formatted datetime string')
    const [, y, mo, d, h, mi, s, us, tz] = match
    let tzinfo: Py = null
    if (tz === 'Z') tzinfo = PyTimezone.utc
    else if (tz !== undefined) {
      let offset = 60 * Number(tz.slice(1, 3)) + (tz.length > 3 ? Number(tz.slice(-2)) : 0)
      if (tz[0] === '-') offset = -offset
      const hhmm = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}${String(Math.abs(offset) % 60).padStart(2, '0')}`
      tzinfo = new PyTimezone(new PyTimeDelta(0, offset * 60), hhmm)
    }
    return new PyDateTime(
      Number(y),
      Number(mo),
      Number(d),
      Number(h),
      Number(mi),
      Number(s ?? 0),
      us === undefined ? 0 : Number(us.padEnd(6, '0')),
      tzinfo,
    )
  }
  override deserializeValue(value: Py): Py {
    const invalid = (): ValidationError =>
      this.makeError('invalid', { input: value, obj_type: this.objType })
    if (!value || typeof value !== 'string') throw invalid()
    try {
      return this.parse(value)
    } catch (error) {
      if (error instanceof Exception || error instanceof RangeError) throw invalid()
      throw error
    }
  }
}

export class DateField extends DateTimeField {
  static override defaultErrorMessages: Record<string, string> = {
    invalid: 'Not a valid date.',
    format: '"{input}" cannot be formatted as a date.',
  }
  protected override objType = 'date'
  protected override parse(text: string): Py {
    const match = ISO_DATE.exec(text)
    if (!match) throw new ValueError('Not a valid ISO8601-formatted date string')
    return new PyDate(Number(match[1]), Number(match[2]), Number(match[3]))
  }
}

export class ListField extends Field {
  static override defaultErrorMessages: Record<string, string> = { invalid: 'Not a valid list.' }
  inner: Field
  constructor(inner: Py, options: Py = null) {
    super(options)
    this.inner = resolveField(inner)
  }
  override bind(name: string, parent: Py): void {
    super.bind(name, parent)
    this.inner = Object.assign(Object.create(Object.getPrototypeOf(this.inner)), this.inner)
    this.inner.bind(name, this)
  }
  override serializeValue(value: Py, attr: Py, obj: Py): Py {
    if (value === null) return null
    return [...value].map((each: Py) => this.inner.serializeValue(each, attr, obj))
  }
  override deserializeValue(value: Py, _attr: Py, _data: Py, partial?: Py): Py {
    if (!isCollection(value)) throw this.makeError('invalid')
    const result: Py[] = []
    const errors = new PyDict()
    ;[...value].forEach((each: Py, index: number) => {
      try {
        result.push(this.inner.deserialize(each, null, null, partial))
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error
        if (error.valid_data !== null) result.push(error.valid_data)
        errors.set(index, error.messages)
      }
    })
    if (errors.size > 0) throw new ValidationError(errors, SCHEMA, null, result)
    return result
  }
}

function resolveField(value: Py): Field {
  if (value instanceof Field) return value
  if (typeof value === 'function' && value.prototype instanceof Field) return new value()
  throw new ValueError(
    'The list elements must be a subclass or instance of marshmallow.base.FieldABC.',
  )
}

export class NestedField extends Field {
  static override defaultErrorMessages: Record<string, string> = { type: 'Invalid type.' }
  readonly many: boolean
  readonly only: Py
  readonly exclude: Py
  readonly unknown: Py
  private cached: Schema | null = null
  constructor(
    readonly nested: Py,
    options: Py = null,
  ) {
    super(options)
    const given = optionsOf(options)
    this.many = Boolean(given.get('many') ?? false)
    this.only = given.get('only') ?? null
    this.exclude = given.get('exclude') ?? []
    this.unknown = given.get('unknown') ?? null
  }
  get schema(): Schema {
    if (this.cached !== null) return this.cached
    let nested = this.nested
    if (typeof nested === 'function' && !(nested.prototype instanceof Schema)) nested = nested()
    if (nested instanceof Schema) {
      this.cached = nested
    } else {
      const schemaClass: typeof Schema =
        typeof nested === 'string'
          ? nested === 'self'
            ? this.root.constructor
            : schemaClassNamed(nested)
          : nested
      const options: [string, Py][] = [
        ['many', this.many],
        ['exclude', this.exclude],
      ]
      if (this.only !== null) options.push(['only', this.only])
      this.cached = new (schemaClass as new (options: Py) => Schema)(new PyDict(options))
    }
    return this.cached
  }
  override serializeValue(value: Py): Py {
    if (value === null) return null
    const schema = this.schema
    return schema.dump(value, new Keywords([['many', schema.many || this.many]]))
  }
  override deserializeValue(value: Py, _attr: Py, _data: Py, partial?: Py): Py {
    if ((this.schema.many || this.many) && !isCollection(value))
      throw this.makeError('type', { input: value, type: typeName(value) })
    try {
      return this.schema.load(
        value,
        new Keywords([
          ['unknown', this.unknown],
          ['partial', partial ?? null],
        ]),
      )
    } catch (error) {
      if (error instanceof ValidationError)
        throw new ValidationError(error.messages, SCHEMA, null, error.valid_data)
      throw error
    }
  }
}

function typeName(value: Py): string {
  if (value === null) return 'NoneType'
  if (typeof value === 'string') return 'str'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (isList(value)) return 'list'
  if (value instanceof PyDict) return 'dict'
  return value?.constructor?.name ?? 'object'
}

/** `fields.Method(serialize="name", deserialize="name")`: the schema's methods. */
export class MethodField extends Field {
  constructor(
    readonly serializeMethod: Py = null,
    readonly deserializeMethod: Py = null,
    options: Py = null,
  ) {
    super(
      new PyDict([
        ...optionsOf(options),
        ['dump_only', Boolean(serializeMethod) && !deserializeMethod],
        ['load_only', Boolean(deserializeMethod) && !serializeMethod],
      ]),
    )
    this.checkAttribute = false
  }
  private method(name: string): (...args: Py[]) => Py {
    const schema = this.root
    const method = schema[name]
    if (typeof method !== 'function') throw new TypeError(`Object ${repr(method)} is not callable.`)
    return method.bind(schema)
  }
  override serializeValue(_value: Py, _attr: Py, obj: Py): Py {
    return this.serializeMethod ? this.method(this.serializeMethod)(obj) : missing
  }
  override deserializeValue(value: Py): Py {
    return this.deserializeMethod ? this.method(this.deserializeMethod)(value) : value
  }
}

/** `fields.Function(serialize=f, deserialize=g)`: `f(obj)` (or `f(obj, context)`). */
export class FunctionField extends Field {
  constructor(
    readonly serializeFunction: Py = null,
    readonly deserializeFunction: Py = null,
    options: Py = null,
  ) {
    super(
      new PyDict([
        ...optionsOf(options),
        ['dump_only', Boolean(serializeFunction) && !deserializeFunction],
        ['load_only', Boolean(deserializeFunction) && !serializeFunction],
      ]),
    )
    this.checkAttribute = false
  }
  callFunction(fn: Py, value: Py): Py {
    return fn.length > 1 ? fn(value, this.root?.context ?? new PyDict()) : fn(value)
  }
  override serializeValue(_value: Py, _attr: Py, obj: Py): Py {
    return this.callFunction(this.serializeFunction, obj)
  }
  override deserializeValue(value: Py): Py {
    return this.deserializeFunction ? this.callFunction(this.deserializeFunction, value) : value
  }
}

export class DictField extends Field {
  static override defaultErrorMessages: Record<string, string> = {
    invalid: 'Not a valid mapping type.',
  }
  override deserializeValue(value: Py): Py {
    if (!isMapping(value)) throw this.makeError('invalid')
    return value.copy()
  }
}

// ---------------------------------------------------------------------------------------------
// Schemas

/** `class Meta:` of a schema: the options this runtime carries. */
export interface SchemaMeta {
  unknown?: Py
  ordered?: Py
  fields?: Py
  exclude?: Py
  load_only?: Py
  dump_only?: Py
  index_errors?: Py
}

/** What a hook decorator records (`@post_load(pass_many=True)`). */
export interface Hook {
  tag: 'pre_load' | 'post_load' | 'pre_dump' | 'post_dump' | 'validates' | 'validates_schema'
  passMany: boolean
  passOriginal: boolean
  skipOnFieldErrors?: boolean
  fieldName?: string
}

export function pre_load(pass_many: Py = false, pass_original: Py = false): Hook {
  return { tag: 'pre_load', passMany: Boolean(pass_many), passOriginal: Boolean(pass_original) }
}
export function post_load(pass_many: Py = false, pass_original: Py = false): Hook {
  return { tag: 'post_load', passMany: Boolean(pass_many), passOriginal: Boolean(pass_original) }
}
export function pre_dump(pass_many: Py = false): Hook {
  return { tag: 'pre_dump', passMany: Boolean(pass_many), passOriginal: false }
}
export function post_dump(pass_many: Py = false, pass_original: Py = false): Hook {
  return { tag: 'post_dump', passMany: Boolean(pass_many), passOriginal: Boolean(pass_original) }
}
export function validates(field_name: Py): Hook {
  return { tag: 'validates', passMany: false, passOriginal: false, fieldName: String(field_name) }
}
export function validates_schema(
  pass_many: Py = false,
  pass_original: Py = false,
  skip_on_field_errors: Py = true,
): Hook {
  return {
    tag: 'validates_schema',
    passMany: Boolean(pass_many),
    passOriginal: Boolean(pass_original),
    skipOnFieldErrors: Boolean(skip_on_field_errors),
  }
}

const HOOKS = Symbol('marshmallow hooks')
const registry = new Map<string, typeof Schema>()

function schemaClassNamed(name: string): typeof Schema {
  const found = registry.get(name)
  if (found === undefined)
    throw new Error(
      `Class with name ${repr(name)} was not found. You may need to import the class.`,
    )
  return found
}

/** After a schema class: its hooks (method name → hook), and its name in the class registry (`Nested("Name")`). */
export function registerSchema(
  cls: typeof Schema,
  hooks: Record<string, Hook> = {},
  signatures: Record<string, HookSignature> = {},
): void {
  ;(cls as unknown as { [HOOKS]: Record<string, Hook> })[HOOKS] = hooks
  ;(cls as unknown as { [SIGNATURES]: Record<string, HookSignature> })[SIGNATURES] = signatures
  registry.set(cls.name, cls)
}

/**
 * A hook method's Python parameters after `self` (`def unwrap(self, data, many, **kwargs)`):
 * marshmallow passes `many=` and `partial=` as keywords, which bind to such a parameter by name.
 */
export interface HookSignature {
  params: string[]
  kwargs: boolean
}
const SIGNATURES = Symbol('marshmallow hook signatures')

function keywordList(value: Py): string[] {
  return value === null || value === undefined ? [] : [...value].map((item: Py) => String(item))
}

/** `marshmallow.Schema(only=, exclude=, many=, context=, load_only=, dump_only=, partial=, unknown=)`. */
export class Schema {
  /** The fields a subclass declares, in order (translated from its class body). */
  static declaredFields: Record<string, Field> = {}
  static Meta: SchemaMeta = {}
  static error_messages: Record<string, string> = {}

  many: boolean
  partial: Py
  unknown: Py
  context: Py
  only: Py
  exclude: Set<string>
  fields: Map<string, Field> = new Map()
  load_fields: Map<string, Field> = new Map()
  dump_fields: Map<string, Field> = new Map()
  error_messages: Record<string, Py>

  constructor(...rest: Py[]) {
    const [positional, keywords] = splitKeywords(rest)
    const given = positional.length > 0 ? optionsOf(positional[0]) : keywords
    const meta = this.#meta
    this.many = Boolean(given.get('many') ?? false)
    this.partial = given.get('partial') ?? false
    this.unknown = given.get('unknown') ?? meta.unknown ?? RAISE
    if (![RAISE, EXCLUDE, INCLUDE].includes(this.unknown))
      throw new ValueError(
        'Object "{}" is not a valid value for the "unknown" parameter'.replace(
          '{}',
          String(this.unknown),
        ),
      )
    this.context = given.get('context') ?? new PyDict()
    this.only = given.get('only') ?? null
    this.exclude = new Set([...keywordList(meta.exclude), ...keywordList(given.get('exclude'))])
    const loadOnly = new Set(keywordList(given.get('load_only')))
    const dumpOnly = new Set(keywordList(given.get('dump_only')))
    for (const name of loadOnly.size > 0 ? [] : keywordList(meta.load_only)) loadOnly.add(name)
    for (const name of dumpOnly.size > 0 ? [] : keywordList(meta.dump_only)) dumpOnly.add(name)
    const declared = new Map<string, Field>()
    const chain: (typeof Schema)[] = []
    for (
      let cls = this.constructor as typeof Schema;
      cls !== Schema;
      cls = Object.getPrototypeOf(cls)
    )
      chain.unshift(cls)
    for (const cls of chain) {
      if (!Object.hasOwn(cls, 'declaredFields')) continue
      for (const [name, field] of Object.entries(cls.declaredFields))
        declared.set(name, Object.assign(Object.create(Object.getPrototypeOf(field)), field))
    }
    const available = meta.fields ? keywordList(meta.fields) : [...declared.keys()]
    let names = this.only !== null ? keywordList(this.only) : available
    const invalid = [
      ...(this.only !== null ? names.filter((name) => !available.includes(name)) : []),
      ...[...this.exclude].filter((name) => !available.includes(name)),
    ]
    if (invalid.length > 0)
      throw new ValueError(
        `Invalid fields for <${this.constructor.name}(many=${this.many ? 'True' : 'False'})>: {${invalid.map((name) => repr(name)).join(', ')}}.`,
      )
    names = names.filter((name) => !this.exclude.has(name))
    for (const name of names) {
      const field = declared.get(name) ?? new InferredField()
      if (loadOnly.has(name)) field.load_only = true
      if (dumpOnly.has(name)) field.dump_only = true
      field.bind(name, this)
      this.fields.set(name, field)
      if (!field.dump_only) this.load_fields.set(name, field)
      if (!field.load_only) this.dump_fields.set(name, field)
    }
    this.error_messages = { type: 'Invalid input type.', unknown: 'Unknown field.' }
    for (const cls of chain) Object.assign(this.error_messages, cls.error_messages)
  }

  get #meta(): SchemaMeta {
    return (this.constructor as typeof Schema).Meta ?? {}
  }

  #hooks(tag: Hook['tag'], passMany: boolean): [string, Hook][] {
    const found: [string, Hook][] = []
    const seen = new Set<string>()
    for (let cls: Py = this.constructor; cls && cls !== Schema; cls = Object.getPrototypeOf(cls)) {
      for (const [name, hook] of Object.entries((cls[HOOKS] ?? {}) as Record<string, Hook>)) {
        if (seen.has(name)) continue
        seen.add(name)
        if (hook.tag === tag && (tag === 'validates' || hook.passMany === passMany))
          found.push([name, hook])
      }
    }
    // Python finds them with dir(): in name order.
    return found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  }

  /** A hook called as marshmallow calls it: `processor(data, many=many, partial=partial)`, keywords bound by the method's signature. */
  #call(name: string, ...args: Py[]): Py {
    const method = (this as unknown as Record<string, (...args: Py[]) => Py>)[name]!
    let signature: HookSignature | undefined
    for (let cls: Py = this.constructor; cls && cls !== Schema; cls = Object.getPrototypeOf(cls)) {
      signature ??= Object.hasOwn(cls, SIGNATURES) ? cls[SIGNATURES][name] : undefined
    }
    const last = args.at(-1)
    if (signature === undefined || !(last instanceof Keywords)) return method.call(this, ...args)
    const positional = args.slice(0, -1)
    const remaining = new Map(last.entries)
    for (const param of signature.params.slice(positional.length)) {
      positional.push(remaining.has(param) ? remaining.get(param) : undefined)
      remaining.delete(param)
    }
    while (positional.length > 0 && positional.at(-1) === undefined) positional.pop()
    if (signature.kwargs) return method.call(this, ...positional, new Keywords([...remaining]))
    const unexpected = [...remaining.keys()][0]
    if (unexpected !== undefined)
      throw new PyTypeError(`${name}() got an unexpected keyword argument '${unexpected}'`)
    return method.call(this, ...positional)
  }

  #invokeProcessors(
    tag: Hook['tag'],
    passMany: boolean,
    data: Py,
    many: boolean,
    original: Py,
    partial?: Py,
  ): Py {
    const keywords = (): Keywords =>
      new Keywords(
        partial === undefined
          ? [['many', many]]
          : [
              ['many', many],
              ['partial', partial],
            ],
      )
    for (const [name, hook] of this.#hooks(tag, passMany)) {
      if (many && !passMany) {
        // Python's zip(data, original_data): as many as the shorter has.
        const items = [...data].slice(0, hook.passOriginal ? [...iter(original)].length : undefined)
        const originals = [...iter(original)]
        data = items.map((item: Py, i: number) =>
          hook.passOriginal
            ? this.#call(name, item, originals[i], keywords())
            : this.#call(name, item, keywords()),
        )
      } else {
        data = hook.passOriginal
          ? this.#call(name, data, original, keywords())
          : this.#call(name, data, keywords())
      }
    }
    return data
  }

  dump(obj: Py, ...rest: Py[]): Py {
    const [, keywords] = splitKeywords(rest)
    const givenMany = keywords.get('many')
    const many = givenMany === null || givenMany === undefined ? this.many : Boolean(givenMany)
    let processed = obj
    if (this.#hooks('pre_dump', false).length + this.#hooks('pre_dump', true).length > 0) {
      processed = this.#invokeProcessors('pre_dump', false, processed, many, obj)
      processed = this.#invokeProcessors('pre_dump', true, processed, many, obj)
    }
    let result = this.#serialize(processed, many)
    if (this.#hooks('post_dump', false).length + this.#hooks('post_dump', true).length > 0) {
      result = this.#invokeProcessors('post_dump', false, result, many, obj)
      result = this.#invokeProcessors('post_dump', true, result, many, obj)
    }
    return result
  }

  #serialize(obj: Py, many: boolean): Py {
    if (many && obj !== null) return [...obj].map((item: Py) => this.#serialize(item, false))
    const out = new PyDict()
    for (const [name, field] of this.dump_fields) {
      const value = field.serialize(name, obj)
      if (value === missing) continue
      out.set(field.data_key ?? name, value)
    }
    return out
  }

  load(data: Py, ...rest: Py[]): Py {
    const [, keywords] = splitKeywords(rest)
    return this.#doLoad(data, keywords, true)
  }

  validate(data: Py, ...rest: Py[]): Py {
    const [, keywords] = splitKeywords(rest)
    try {
      this.#doLoad(data, keywords, false)
    } catch (error) {
      if (error instanceof ValidationError) return error.messages
      throw error
    }
    return new PyDict()
  }

  /** `handle_error(error, data, many=, partial=)`: a subclass may override it. */
  handle_error(_error: Py, _data: Py, ..._rest: Py[]): Py {
    return null
  }

  #doLoad(data: Py, keywords: Map<string, Py>, postprocess: boolean): Py {
    const store = new ErrorStore()
    let errors: Py = new PyDict()
    const givenMany = keywords.get('many')
    const many = givenMany === null || givenMany === undefined ? this.many : Boolean(givenMany)
    const givenUnknown = keywords.get('unknown')
    const unknown =
      givenUnknown === null || givenUnknown === undefined ? this.unknown : givenUnknown
    const givenPartial = keywords.get('partial')
    const partial =
      givenPartial === null || givenPartial === undefined ? this.partial : givenPartial
    let result: Py = null
    let processed = data
    const hasPreLoad =
      this.#hooks('pre_load', false).length + this.#hooks('pre_load', true).length > 0
    if (hasPreLoad) {
      try {
        processed = this.#invokeProcessors('pre_load', true, data, many, data, partial)
        processed = this.#invokeProcessors('pre_load', false, processed, many, data, partial)
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error
        errors = error.normalized_messages()
      }
    }
    if (!(errors instanceof PyDict && errors.size > 0)) {
      result = this.#deserialize(processed, store, many, partial, unknown, null)
      this.#invokeFieldValidators(store, result, many)
      const schemaValidators =
        this.#hooks('validates_schema', true).length +
          this.#hooks('validates_schema', false).length >
        0
      if (schemaValidators) {
        const fieldErrors = !store.empty
        this.#invokeSchemaValidators(store, true, result, data, many, partial, fieldErrors)
        this.#invokeSchemaValidators(store, false, result, data, many, partial, fieldErrors)
      }
      errors = store.errors
      const failed = errors instanceof PyDict ? errors.size > 0 : Boolean(errors)
      if (
        !failed &&
        postprocess &&
        this.#hooks('post_load', false).length + this.#hooks('post_load', true).length > 0
      ) {
        try {
          result = this.#invokeProcessors('post_load', true, result, many, data, partial)
          result = this.#invokeProcessors('post_load', false, result, many, data, partial)
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error
          errors = error.normalized_messages()
        }
      }
    }
    if (errors instanceof PyDict ? errors.size > 0 : Boolean(errors)) {
      const error = new ValidationError(errors, SCHEMA, data, result)
      this.handle_error(
        error,
        data,
        new Keywords([
          ['many', many],
          ['partial', partial],
        ]),
      )
      throw error
    }
    return result
  }

  #deserialize(
    data: Py,
    store: ErrorStore,
    many: boolean,
    partial: Py,
    unknown: Py,
    index: Py,
  ): Py {
    const indexErrors = this.#meta.index_errors ?? true
    index = indexErrors ? index : null
    if (many) {
      if (!isCollection(data)) {
        store.store([this.error_messages.type], SCHEMA, index)
        return []
      }
      return [...data].map((item: Py, i: number) =>
        this.#deserialize(item, store, false, partial, unknown, i),
      )
    }
    const out = new PyDict()
    if (!isMapping(data)) {
      store.store([this.error_messages.type], SCHEMA, index)
      return out
    }
    const partialNames = isCollection(partial) ? keywordList(partial) : null
    for (const [name, field] of this.load_fields) {
      const key = field.data_key ?? name
      const raw = getItemOr(data, key)
      if (
        raw === missing &&
        (partial === true || (partialNames !== null && partialNames.includes(name)))
      )
        continue
      const subPartial =
        partialNames !== null
          ? partialNames
              .filter((item) => item.startsWith(`${key}.`))
              .map((item) => item.slice(key.length + 1))
          : partial
      let value: Py
      try {
        value = field.deserialize(raw, key, data, subPartial)
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error
        store.store(error.messages, key, index)
        value =
          error.valid_data !== null &&
          error.valid_data !== undefined &&
          truthyData(error.valid_data)
            ? error.valid_data
            : missing
      }
      if (value !== missing) out.set(field.attribute ?? name, value)
    }
    if (unknown !== EXCLUDE) {
      const known = new Set([...this.load_fields].map(([name, field]) => field.data_key ?? name))
      for (const key of dataKeys(data)) {
        if (known.has(key)) continue
        if (unknown === INCLUDE) out.set(key, getItemOr(data, key))
        else if (unknown === RAISE)
          store.store([this.error_messages.unknown], key, indexErrors ? index : null)
      }
    }
    return out
  }

  #invokeFieldValidators(store: ErrorStore, data: Py, many: boolean): void {
    for (const [name, hook] of this.#hooks('validates', false)) {
      const fieldName = hook.fieldName!
      const field = this.fields.get(fieldName)
      if (field === undefined) throw new ValueError(`"${fieldName}" field does not exist.`)
      const dataKey = field.data_key ?? fieldName
      const attribute = field.attribute ?? fieldName
      const check = (item: Py, index: Py): void => {
        if (!(item instanceof PyDict) || !item.has(attribute)) return
        try {
          this.#call(name, item.getItem(attribute))
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error
          store.store(error.messages, dataKey, index)
        }
      }
      if (many)
        [...data].forEach((item: Py, i: number) =>
          check(item, (this.#meta.index_errors ?? true) ? i : null),
        )
      else check(data, null)
    }
  }

  #invokeSchemaValidators(
    store: ErrorStore,
    passMany: boolean,
    data: Py,
    original: Py,
    many: boolean,
    partial: Py,
    fieldErrors: boolean,
  ): void {
    for (const [name, hook] of this.#hooks('validates_schema', passMany)) {
      if (fieldErrors && hook.skipOnFieldErrors) continue
      const run = (item: Py, orig: Py, index: Py): void => {
        const keywords = new Keywords([
          ['partial', partial],
          ['many', many],
        ])
        try {
          if (hook.passOriginal) this.#call(name, item, orig, keywords)
          else this.#call(name, item, keywords)
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error
          store.store(error.messages, error.field_name, index)
        }
      }
      if (many && !passMany) {
        const originals = [...iter(original)]
        ;[...data]
          .slice(0, originals.length)
          .forEach((item: Py, i: number) => run(item, originals[i], i))
      } else {
        run(data, original, null)
      }
    }
  }

  toString(): string {
    return `<${this.constructor.name}(many=${this.many ? 'True' : 'False'})>`
  }
}

function truthyData(value: Py): boolean {
  if (value instanceof PyDict) return value.size > 0
  if (isList(value)) return value.length > 0
  return Boolean(value)
}

/** `data.get(key, missing)` on a dict or on Flask's request.args / form (a MultiDict). */
function getItemOr(data: Py, key: string): Py {
  if (data instanceof PyDict) return data.has(key) ? data.getItem(key) : missing
  if (typeof data?.get === 'function') {
    const value = data.get(key, missing)
    return value === undefined ? missing : value
  }
  return missing
}

function dataKeys(data: Py): string[] {
  if (data instanceof PyDict) return data.keys()
  if (typeof data?.keys === 'function') return [...data.keys()]
  return []
}
