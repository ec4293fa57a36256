/**
 * WTForms 3.0 and Flask-WTF 1.1 (Debian's python3-wtforms / python3-flaskext.wtf) for translated
 * code: fields (StringField, PasswordField, TextAreaField, BooleanField, IntegerField, DateField,
 * SelectField, HiddenField, EmailField, SubmitField), validators (DataRequired, InputRequired,
 * Optional, Length, EqualTo, Regexp, NumberRange, AnyOf, NoneOf, Email), a form's `process`,
 * `validate` (inline `validate_<field>` methods after a field's own validators), `errors` and
 * `data` with WTForms' messages, fields and labels rendered as WTForms renders them (an object
 * with `__html__`, which templates output as is), and Flask-WTF's `FlaskForm`: form data from
 * the request, `is_submitted`, `validate_on_submit`, `hidden_tag` and its CSRF token, the same
 * token Flask-WTF signs (`itsdangerous` with salt `wtf-csrf-token`, the raw token in the
 * session's `csrf_token`), so a page rendered by one app can be posted to the other.
 *
 * A form class is written as the translator writes it: the fields are static attributes of the
 * class (unbound fields); constructing the form binds one field per attribute, in the order
 * they were made (WTForms' creation counter), as instance attributes of the same names.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { inflateSync } from 'node:zlib'
import { PyDate } from './datetime.js'
import type { Context } from 'hono'
import { BadRequest } from './errors.js'
import {
  appConfigValue,
  currentContext,
  g,
  getJson,
  registerAppHooks,
  request,
  viewFunctionOf,
} from './flask.js'
import { Keywords, PyDict, getattr, hasattr, truthy, type Py } from './py.js'
import { flaskSession } from './session.js'

/** Text that templates output without escaping (MarkupSafe's `__html__` protocol). */
export class Html {
  constructor(readonly text: string) {}
  __html__(): string {
    return this.text
  }
  __str__(): string {
    return this.text
  }
  toString(): string {
    return this.text
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
}

function escape(value: Py): string {
  if (value !== null && typeof value === 'object' && typeof value.__html__ === 'function')
    return String(value.__html__())
  return pyText(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch]!)
}

function pyText(value: Py): string {
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  return String(value)
}

/** `wtforms.widgets.html_params`: keys sorted, `class_`/`for_` without the underscore, `data_`/`aria_` with hyphens, True bare, False left out. */
export function htmlParams(params: Record<string, Py>): string {
  const out: string[] = []
  for (const key of Object.keys(params).sort()) {
    let name = key
    if (name === 'class_' || name === 'for_') name = name.slice(0, -1)
    else if (name.startsWith('data_') || name.startsWith('aria_')) name = name.replace(/_/g, '-')
    const value = params[key]
    if (value === true) out.push(name)
    else if (value === false) continue
    else out.push(`${name}="${escape(value)}"`)
  }
  return out.join(' ')
}

/** Raised by a validator: the message joins the field's errors, the next validators still run. */
export class ValidationError extends Error {
  constructor(readonly text: Py = '') {
    super(String(text))
  }
}

/** Raised by a validator: the message (if any) joins the errors and the field's validation stops. */
export class StopValidation extends Error {
  constructor(readonly text: Py = '') {
    super(String(text))
  }
}

type Flags = Record<string, Py>

/** A validator: called with the form and the bound field. */
export interface Validator {
  (form: Form, field: Field): void
  fieldFlags?: Flags
}

/** A validator as a project writes one (`DataRequired()`): an object called with the form and the field. */
export class ValidatorObject {
  readonly fieldFlags: Flags
  readonly #check: Validator
  constructor(check: Validator) {
    this.#check = check
    this.fieldFlags = check.fieldFlags ?? {}
  }
  __call__(form: Form, field: Field): void {
    this.#check(form, field)
  }
}

type AnyValidator =
  Validator | ValidatorObject | { __call__(form: Form, field: Field): void; fieldFlags?: Flags }

function runValidator(check: AnyValidator, form: Form, field: Field): void {
  if (typeof check === 'function') check(form, field)
  else check.__call__(form, field)
}

function validator(flags: Flags, check: (form: Form, field: Field) => void): Validator {
  const fn = check as Validator
  fn.fieldFlags = flags
  return fn
}

function format(message: string, values: Record<string, Py>): string {
  return message.replace(/%\((\w+)\)([sd])/g, (_, key: string) => pyText(values[key]))
}

/** `DataRequired(message=None)`. */
function dataRequiredValidator(message: Py = null): Validator {
  return validator({ required: true }, (_form, field) => {
    const data = field.data
    if (truthy(data) && (typeof data !== 'string' || data.trim() !== '')) return
    field.errors.length = 0
    throw new StopValidation(message ?? 'This field is required.')
  })
}

/** `InputRequired(message=None)`. */
function inputRequiredValidator(message: Py = null): Validator {
  return validator({ required: true }, (_form, field) => {
    if (field.raw_data.length > 0 && truthy(field.raw_data[0])) return
    field.errors.length = 0
    throw new StopValidation(message ?? 'This field is required.')
  })
}

/** `Optional(strip_whitespace=True)`: an empty field stops its validation, its errors cleared. */
function optionalValidator(stripWhitespace: Py = true): Validator {
  return validator({ optional: true }, (_form, field) => {
    const first = field.raw_data[0]
    if (
      field.raw_data.length === 0 ||
      (typeof first === 'string' && (truthy(stripWhitespace) ? first.trim() : first) === '')
    ) {
      field.errors.length = 0
      throw new StopValidation()
    }
  })
}

function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many
}

/** `Length(min=-1, max=-1, message=None)`. */
function lengthValidator(min: Py = -1, max: Py = -1, message: Py = null): Validator {
  const flags: Flags = {}
  if (min !== -1) flags['minlength'] = min
  if (max !== -1) flags['maxlength'] = max
  return validator(flags, (_form, field) => {
    const length = truthy(field.data) ? [...String(field.data)].length : 0
    if (length >= min && (max === -1 || length <= max)) return
    let text: string
    if (message !== null) text = message
    else if (max === -1)
      text = plural(
        min,
        'Field must be at least %(min)d character long.',
        'Field must be at least %(min)d characters long.',
      )
    else if (min === -1)
      text = plural(
        max,
        'Field cannot be longer than %(max)d character.',
        'Field cannot be longer than %(max)d characters.',
      )
    else if (min === max)
      text = plural(
        max,
        'Field must be exactly %(max)d character long.',
        'Field must be exactly %(max)d characters long.',
      )
    else text = 'Field must be between %(min)d and %(max)d characters long.'
    throw new ValidationError(format(text, { min, max, length }))
  })
}

/** `EqualTo(fieldname, message=None)`. */
function equalToValidator(fieldname: string, message: Py = null): Validator {
  return validator({}, (form, field) => {
    const other = form._fields.get(fieldname)
    if (other === undefined) throw new ValidationError(`Invalid field name '${fieldname}'.`)
    if (pyEqual(field.data, other.data)) return
    const values = { other_label: other.label.text || fieldname, other_name: fieldname }
    throw new ValidationError(format(message ?? 'Field must be equal to %(other_name)s.', values))
  })
}

function pyEqual(a: Py, b: Py): boolean {
  if (a instanceof PyDate && b instanceof PyDate) return a.toString() === b.toString()
  return a === b || ((a === null || a === undefined) && (b === null || b === undefined))
}

/** `Regexp(regex, flags=0, message=None)`: matched at the start of the data, as `re.match`. */
function regexpValidator(regex: Py, flags: Py = 0, message: Py = null): Validator {
  const source = typeof regex === 'string' ? regex : String(regex?.pattern ?? regex)
  const jsFlags =
    (Number(flags) & 2 ? 'i' : '') +
    (Number(flags) & 8 ? 'm' : '') +
    (Number(flags) & 16 ? 's' : '')
  const pattern = new RegExp(source, `${jsFlags}y`)
  return validator({}, (_form, field) => {
    pattern.lastIndex = 0
    if (pattern.test(truthy(field.data) ? String(field.data) : '')) return
    throw new ValidationError(message ?? 'Invalid input.')
  })
}

/** `NumberRange(min=None, max=None, message=None)`. */
function numberRangeValidator(min: Py = null, max: Py = null, message: Py = null): Validator {
  const flags: Flags = {}
  if (min !== null) flags['min'] = min
  if (max !== null) flags['max'] = max
  return validator(flags, (_form, field) => {
    const data = field.data
    if (
      data !== null &&
      data !== undefined &&
      !Number.isNaN(data) &&
      (min === null || data >= min) &&
      (max === null || data <= max)
    )
      return
    const text =
      message ??
      (max === null
        ? 'Number must be at least %(min)s.'
        : min === null
          ? 'Number must be at most %(max)s.'
          : 'Number must be between %(min)s and %(max)s.')
    throw new ValidationError(format(text, { min, max }))
  })
}

/** `AnyOf(values, message=None)`. */
function anyOfValidator(values: Py[], message: Py = null): Validator {
  return validator({}, (_form, field) => {
    if (values.some((value) => pyEqual(value, field.data))) return
    throw new ValidationError(
      format(message ?? 'Invalid value, must be one of: %(values)s.', {
        values: values.map(pyText).join(', '),
      }),
    )
  })
}

/** `NoneOf(values, message=None)`. */
function noneOfValidator(values: Py[], message: Py = null): Validator {
  return validator({}, (_form, field) => {
    if (!values.some((value) => pyEqual(value, field.data))) return
    throw new ValidationError(
      format(message ?? "Invalid value, can't be any of: %(values)s.", {
        values: values.map(pyText).join(', '),
      }),
    )
  })
}

/**
 * `Email(message=None)`, as `email_validator.validate_email(check_deliverability=False)`
 * accepts ASCII addresses: a local part of atext and dots, a domain of at least two labels of
 * letters, digits and hyphens, a last label that is not all digits. Addresses with non-ASCII
 * characters or quoted local parts are refused here (email_validator may accept them).
 */
function emailValidator(message: Py = null): Validator {
  const local = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/
  const label = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
  return validator({}, (_form, field) => {
    const data = field.data
    const text = typeof data === 'string' ? data : null
    const at = text?.lastIndexOf('@') ?? -1
    const ok =
      text !== null &&
      at > 0 &&
      local.test(text.slice(0, at)) &&
      text.slice(0, at).length <= 64 &&
      (() => {
        const labels = text.slice(at + 1).split('.')
        return (
          labels.length >= 2 &&
          labels.every((part) => label.test(part)) &&
          !/^\d+$/.test(labels.at(-1)!) &&
          text.length <= 254
        )
      })()
    if (!ok) throw new ValidationError(message ?? 'Invalid email address.')
  })
}

/** `DataRequired(message=None)`. */
export class DataRequired extends ValidatorObject {
  constructor(message: Py = null) {
    super(dataRequiredValidator(message))
  }
}
/** `InputRequired(message=None)`. */
export class InputRequired extends ValidatorObject {
  constructor(message: Py = null) {
    super(inputRequiredValidator(message))
  }
}
/** `Optional(strip_whitespace=True)`. */
export class Optional extends ValidatorObject {
  constructor(stripWhitespace: Py = true) {
    super(optionalValidator(stripWhitespace))
  }
}
/** `Length(min=-1, max=-1, message=None)`. */
export class Length extends ValidatorObject {
  constructor(min: Py = -1, max: Py = -1, message: Py = null) {
    super(lengthValidator(min, max, message))
  }
}
/** `EqualTo(fieldname, message=None)`. */
export class EqualTo extends ValidatorObject {
  constructor(fieldname: string, message: Py = null) {
    super(equalToValidator(fieldname, message))
  }
}
/** `Regexp(regex, flags=0, message=None)`. */
export class Regexp extends ValidatorObject {
  constructor(regex: Py, flags: Py = 0, message: Py = null) {
    super(regexpValidator(regex, flags, message))
  }
}
/** `NumberRange(min=None, max=None, message=None)`. */
export class NumberRange extends ValidatorObject {
  constructor(min: Py = null, max: Py = null, message: Py = null) {
    super(numberRangeValidator(min, max, message))
  }
}
/** `AnyOf(values, message=None)`. */
export class AnyOf extends ValidatorObject {
  constructor(values: Py[], message: Py = null) {
    super(anyOfValidator(values, message))
  }
}
/** `NoneOf(values, message=None)`. */
export class NoneOf extends ValidatorObject {
  constructor(values: Py[], message: Py = null) {
    super(noneOfValidator(values, message))
  }
}
/** `Email(message=None)` (see `emailValidator`). */
export class Email extends ValidatorObject {
  constructor(message: Py = null) {
    super(emailValidator(message))
  }
}

/** A field's label: `<label for="id">text</label>`. */
export class Label {
  constructor(
    readonly field_id: string,
    readonly text: string,
  ) {}
  /** `label(text=None, **kwargs)`. */
  __call__(text: Py = null, attributes: Record<string, Py> = {}): Html {
    const params = { ...attributes }
    if ('for_' in params) {
      params['for'] = params['for_']
      delete params['for_']
    } else if (!('for' in params)) params['for'] = this.field_id
    return new Html(`<label ${htmlParams(params)}>${escape(text ?? this.text)}</label>`)
  }
  __html__(): string {
    return this.__call__().text
  }
  __str__(): string {
    return this.__html__()
  }
  toString(): string {
    return this.__html__()
  }
}

/** The options of a field (WTForms' `Field(label=None, validators=None, filters=(), description="", id=None, default=None, widget=None, render_kw=None, name=None)`). */
export interface FieldOptions {
  validators?: AnyValidator[] | null
  description?: Py
  id?: Py
  default?: Py
  render_kw?: Record<string, Py> | PyDict | null
  name?: Py
  choices?: Py
  format?: Py
  false_values?: Py
}

let creationCounter = 0

/** An unbound field: what a form class holds; the form binds one `Field` per instance. */
export class UnboundField {
  readonly creationCounter = ++creationCounter
  constructor(readonly make: (name: string, form: Form) => Field) {}
}

type InputKind =
  'text' | 'password' | 'hidden' | 'checkbox' | 'submit' | 'date' | 'number' | 'email'

const VALIDATION_ATTRS: Record<string, string[]> = {
  text: ['required', 'maxlength', 'minlength', 'pattern'],
  password: ['required', 'maxlength', 'minlength', 'pattern'],
  email: ['required', 'maxlength', 'minlength', 'pattern'],
  date: ['required', 'max', 'min', 'step'],
  number: ['required', 'max', 'min', 'step'],
  hidden: ['required'],
  checkbox: ['required'],
  submit: ['required'],
  textarea: ['required', 'maxlength', 'minlength'],
  select: ['required'],
}

function renderKw(value: FieldOptions['render_kw']): Record<string, Py> {
  if (value === null || value === undefined) return {}
  if (value instanceof PyDict)
    return Object.fromEntries(value.items().map(([k, v]) => [String(k), v]))
  return { ...value }
}

/** A bound field. */
export class Field {
  data: Py = null
  raw_data: Py[] = []
  errors: Py[] = []
  process_errors: Py[] = []
  readonly label: Label
  readonly validators: AnyValidator[]
  readonly flags: Flags = {}
  readonly description: Py
  readonly id: string
  readonly name: string
  readonly default: Py
  readonly render_kw: Record<string, Py>

  constructor(
    name: string,
    label: Py,
    options: FieldOptions,
    readonly widget: InputKind | 'textarea' | 'select',
  ) {
    this.name = options.name ?? name
    this.id = options.id ?? this.name
    this.label = new Label(
      this.id,
      label ??
        name
          .replace(/_/g, ' ')
          .replace(/\w\S*/g, (word) => word[0]!.toUpperCase() + word.slice(1).toLowerCase()),
    )
    this.validators = options.validators ?? []
    this.description = options.description ?? ''
    this.default = options.default ?? null
    this.render_kw = renderKw(options.render_kw)
    for (const v of this.validators) Object.assign(this.flags, v.fieldFlags ?? {})
    if (widget === 'hidden') this.flags['hidden'] = true
  }

  /** `process(formdata, data=unset_value)`. */
  process(formdata: FormData | null, data: Py = undefined): void {
    this.process_errors = []
    const value =
      data === undefined
        ? typeof this.default === 'function'
          ? this.default()
          : this.default
        : data
    try {
      this.process_data(value)
    } catch (error) {
      if (!(error instanceof FieldValueError)) throw error
      this.process_errors.push(error.message)
    }
    if (formdata !== null) {
      this.raw_data = formdata.has(this.name) ? formdata.getlist(this.name) : []
      try {
        this.process_formdata(this.raw_data)
      } catch (error) {
        if (!(error instanceof FieldValueError)) throw error
        this.process_errors.push(error.message)
      }
    }
  }

  process_data(value: Py): void {
    this.data = value
  }

  process_formdata(valuelist: Py[]): void {
    if (valuelist.length > 0) this.data = valuelist[0]
  }

  /** `_value()`: the text the widget shows. */
  _value(): string {
    return this.data === null || this.data === undefined ? '' : pyText(this.data)
  }

  pre_validate(_form: Form): void {}

  /** `validate(form, extra_validators=())`: true when the field has no errors. */
  validate(form: Form, extra: AnyValidator[] = []): boolean {
    this.errors = [...this.process_errors]
    let stop = false
    try {
      this.pre_validate(form)
    } catch (error) {
      if (error instanceof StopValidation) {
        if (error.text) this.errors.push(error.text)
        stop = true
      } else if (error instanceof ValidationError) this.errors.push(error.text)
      else throw error
    }
    if (!stop) {
      for (const check of [...this.validators, ...extra]) {
        try {
          runValidator(check, form, this)
        } catch (error) {
          if (error instanceof StopValidation) {
            if (error.text) this.errors.push(error.text)
            break
          }
          if (error instanceof ValidationError) this.errors.push(error.text)
          else throw error
        }
      }
    }
    return this.errors.length === 0
  }

  /** `field(**kwargs)`: the field's HTML, as its WTForms widget renders it. */
  __call__(attributes: Record<string, Py> | Keywords = {}): Html {
    const given =
      attributes instanceof Keywords ? Object.fromEntries(attributes.entries) : attributes
    const params: Record<string, Py> = { ...this.render_kw, ...given }
    params['id'] ??= this.id
    const allowed = VALIDATION_ATTRS[this.widget]!
    for (const key of Object.keys(this.flags).sort())
      if (allowed.includes(key) && !(key in params)) params[key] = this.flags[key]
    return new Html(this.render(params))
  }

  protected render(params: Record<string, Py>): string {
    params['type'] ??= this.widget
    if (!('value' in params)) params['value'] = this._value()
    return `<input ${htmlParams({ name: this.name, ...params })}>`
  }

  __html__(): string {
    return this.__call__().text
  }

  __str__(): string {
    return this.__html__()
  }
  toString(): string {
    return this.__html__()
  }
}

/** A `ValueError` of field processing (its message joins `process_errors`). */
class FieldValueError extends Error {}

export class StringFieldImpl extends Field {}

export class PasswordFieldImpl extends Field {
  protected override render(params: Record<string, Py>): string {
    // PasswordInput(hide_value=True).
    params['value'] ??= ''
    return super.render(params)
  }
}

export class TextAreaFieldImpl extends Field {
  protected override render(params: Record<string, Py>): string {
    return `<textarea ${htmlParams({ name: this.name, ...params })}>\r\n${escape(this._value())}</textarea>`
  }
}

export class BooleanFieldImpl extends Field {
  readonly false_values: Py[]
  constructor(
    name: string,
    label: Py,
    options: FieldOptions,
    widget: 'checkbox' | 'submit' = 'checkbox',
  ) {
    super(name, label, options, widget)
    this.false_values = options.false_values ?? [false, 'false', '']
  }
  override process_data(value: Py): void {
    this.data = truthy(value)
  }
  override process_formdata(valuelist: Py[]): void {
    this.data = !(valuelist.length === 0 || this.false_values.includes(valuelist[0]))
  }
  override _value(): string {
    return this.raw_data.length > 0 ? pyText(this.raw_data[0]) : 'y'
  }
  protected override render(params: Record<string, Py>): string {
    if (this.widget === 'checkbox' && truthy(this.data)) params['checked'] = true
    return super.render(params)
  }
}

export class SubmitFieldImpl extends BooleanFieldImpl {
  constructor(name: string, label: Py, options: FieldOptions) {
    super(name, label, options, 'submit')
  }
  protected override render(params: Record<string, Py>): string {
    params['value'] ??= this.label.text
    return super.render(params)
  }
}

export class IntegerFieldImpl extends Field {
  override process_data(value: Py): void {
    if (value === null || value === undefined) {
      this.data = null
      return
    }
    const number = Number.parseInt(String(value), 10)
    if (Number.isNaN(number)) {
      this.data = null
      throw new FieldValueError('Not a valid integer value.')
    }
    this.data = number
  }
  override process_formdata(valuelist: Py[]): void {
    if (valuelist.length === 0) return
    const text = String(valuelist[0]).trim().replace(/_/g, '')
    if (!/^[+-]?\d+$/.test(text)) {
      this.data = null
      throw new FieldValueError('Not a valid integer value.')
    }
    this.data = Number.parseInt(text, 10)
  }
  override _value(): string {
    if (this.raw_data.length > 0) return pyText(this.raw_data[0])
    return this.data === null || this.data === undefined ? '' : pyText(this.data)
  }
}

export class DateFieldImpl extends Field {
  override process_formdata(valuelist: Py[]): void {
    if (valuelist.length === 0) return
    const text = valuelist.map(String).join(' ')
    // `datetime.strptime(text, "%Y-%m-%d")`: 1 to 4 digit year, 1 or 2 digit month and day.
    const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text)
    const date = match ? validDate(Number(match[1]), Number(match[2]), Number(match[3])) : null
    if (date === null) {
      this.data = null
      throw new FieldValueError('Not a valid date value.')
    }
    this.data = date
  }
  override _value(): string {
    if (this.raw_data.length > 0) return this.raw_data.map(String).join(' ')
    return truthy(this.data)
      ? String(this.data.strftime ? this.data.strftime('%Y-%m-%d') : this.data)
      : ''
  }
}

function validDate(year: number, month: number, day: number): PyDate | null {
  if (year < 1 || month < 1 || month > 12 || day < 1) return null
  const days =
    new Date(Date.UTC(2000, month, 0)).getUTCDate() === 29 && month === 2
      ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
        ? 29
        : 28
      : new Date(Date.UTC(2001, month, 0)).getUTCDate()
  return day > days ? null : new PyDate(year, month, day)
}

export class SelectFieldImpl extends Field {
  readonly choices: [Py, Py][]
  constructor(name: string, label: Py, options: FieldOptions) {
    super(name, label, options, 'select')
    const raw = options.choices ?? null
    const list: Py[] = raw === null ? [] : raw instanceof PyDict ? raw.items() : [...raw]
    this.choices = list.map((choice) =>
      Array.isArray(choice) ? [choice[0], choice[1]] : [choice, choice],
    )
  }
  override process_data(value: Py): void {
    this.data = value === null || value === undefined ? null : pyText(value)
  }
  override process_formdata(valuelist: Py[]): void {
    if (valuelist.length > 0) this.data = pyText(valuelist[0])
  }
  override pre_validate(_form: Form): void {
    if (!this.choices.some(([value]) => pyText(value) === this.data))
      throw new ValidationError('Not a valid choice.')
  }
  protected override render(params: Record<string, Py>): string {
    const options = this.choices.map(([value, label]) => {
      const attributes: Record<string, Py> = { value: value === true ? 'True' : value }
      if (pyText(value) === this.data) attributes['selected'] = true
      return `<option ${htmlParams(attributes)}>${escape(label)}</option>`
    })
    return `<select ${htmlParams({ name: this.name, ...params })}>${options.join('')}</select>`
  }
}

/** WTForms' `Field(label=None, validators=None, filters=(), description="", id=None, default=None, widget=None, render_kw=None, name=None)`. */
type FieldArguments = [
  label?: Py,
  validators?: AnyValidator[] | null,
  filters?: Py,
  description?: Py,
  id?: Py,
  default_?: Py,
  widget?: Py,
  render_kw?: Py,
  name?: Py,
]

function fieldOptions(
  args: FieldArguments,
  extra: FieldOptions = {},
): { label: Py; options: FieldOptions } {
  const [
    label = null,
    validators = null,
    filters = null,
    description = '',
    id = null,
    defaultValue = null,
    widget = null,
    render_kw = null,
    name = null,
  ] = args
  if (filters !== null && filters !== undefined && [...filters].length > 0)
    throw new NotCarried('filters=')
  if (widget !== null && widget !== undefined) throw new NotCarried('widget=')
  return {
    label,
    options: { ...extra, validators, description, id, default: defaultValue, render_kw, name },
  }
}

/** A field argument the runtime does not carry over: the form fails loudly where it is made. */
class NotCarried extends Error {
  constructor(what: string) {
    super(`WTForms field argument ${what} is not carried over by the migration`)
  }
}

function unbound(
  args: FieldArguments,
  make: (name: string, label: Py, options: FieldOptions) => Field,
  extra: FieldOptions = {},
): (name: string) => Field {
  const { label, options } = fieldOptions(args, extra)
  return (name) => make(name, label, options)
}

/** `StringField(label=None, validators=None, filters=(), description="", id=None, default=None, widget=None, render_kw=None, name=None)`. */
export class StringField extends UnboundField {
  constructor(...args: FieldArguments) {
    super(unbound(args, (n, l, o) => new StringFieldImpl(n, l, o, 'text')))
  }
}
/** `PasswordField(...)`, parameters as StringField's. */
export class PasswordField extends UnboundField {
  constructor(...args: FieldArguments) {
    super(unbound(args, (n, l, o) => new PasswordFieldImpl(n, l, o, 'password')))
  }
}
/** `TextAreaField(...)`, parameters as StringField's. */
export class TextAreaField extends UnboundField {
  constructor(...args: FieldArguments) {
    super(unbound(args, (n, l, o) => new TextAreaFieldImpl(n, l, o, 'textarea')))
  }
}
/** `HiddenField(...)`, parameters as StringField's. */
export class HiddenField extends UnboundField {
  constructor(...args: FieldArguments) {
    super(unbound(args, (n, l, o) => new StringFieldImpl(n, l, o, 'hidden')))
  }
}
/** `EmailField(...)`, parameters as StringField's. */
export class EmailField extends UnboundField {
  constructor(...args: FieldArguments) {
    super(unbound(args, (n, l, o) => new StringFieldImpl(n, l, o, 'email')))
  }
}
/** `SubmitField(...)`, parameters as StringField's. */
export class SubmitField extends UnboundField {
  constructor(...args: FieldArguments) {
    super(unbound(args, (n, l, o) => new SubmitFieldImpl(n, l, o)))
  }
}
/** `IntegerField(...)`, parameters as StringField's. */
export class IntegerField extends UnboundField {
  constructor(...args: FieldArguments) {
    super(unbound(args, (n, l, o) => new IntegerFieldImpl(n, l, o, 'number')))
  }
}
/** `BooleanField(label=None, validators=None, false_values=None, **kwargs)`. */
export class BooleanField extends UnboundField {
  constructor(
    label: Py = null,
    validators: AnyValidator[] | null = null,
    false_values: Py = null,
    ...rest: Py[]
  ) {
    const extra: FieldOptions =
      false_values === null || false_values === undefined ? {} : { false_values: [...false_values] }
    super(
      unbound(
        [label, validators, ...rest] as unknown as FieldArguments,
        (n, l, o) => new BooleanFieldImpl(n, l, o),
        extra,
      ),
    )
  }
}
/** `DateField(label=None, validators=None, format="%Y-%m-%d", **kwargs)`: the ISO format only. */
export class DateField extends UnboundField {
  constructor(
    label: Py = null,
    validators: AnyValidator[] | null = null,
    format: Py = '%Y-%m-%d',
    ...rest: Py[]
  ) {
    if (format !== '%Y-%m-%d' && format !== undefined)
      throw new NotCarried(`format=${String(format)}`)
    super(
      unbound(
        [label, validators, ...rest] as unknown as FieldArguments,
        (n, l, o) => new DateFieldImpl(n, l, o, 'date'),
      ),
    )
  }
}
/** `SelectField(label=None, validators=None, coerce=str, choices=None, validate_choice=True, **kwargs)`: str choices. */
export class SelectField extends UnboundField {
  constructor(
    label: Py = null,
    validators: AnyValidator[] | null = null,
    coerce: Py = null,
    choices: Py = null,
    validate_choice: Py = true,
    ...rest: Py[]
  ) {
    if (coerce !== null && coerce !== undefined) throw new NotCarried('coerce=')
    if (validate_choice === false) throw new NotCarried('validate_choice=False')
    super(
      unbound(
        [label, validators, ...rest] as unknown as FieldArguments,
        (n, l, o) => new SelectFieldImpl(n, l, o),
        { choices },
      ),
    )
  }
}

/** Form data as WTForms reads it: `name in formdata`, `formdata.getlist(name)`. */
export interface FormData {
  has(name: string): boolean
  getlist(name: string): Py[]
}

/** `wtforms.Form`: fields bound from the class's unbound fields, in creation order. */
export class Form {
  [name: string]: Py
  readonly _fields = new Map<string, Field>()
  form_errors: Py[] = []

  /** `Form(formdata=None, obj=None, data=…)`: a field takes `obj`'s attribute of its name when `obj` has one, else `data`'s entry. */
  constructor(formdata: FormData | null = null, obj: Py = null, data: Record<string, Py> = {}) {
    const unbound: [string, UnboundField][] = []
    const seen = new Set<string>()
    for (let cls = this.constructor as Py; cls && cls !== Form; cls = Object.getPrototypeOf(cls)) {
      for (const key of Object.getOwnPropertyNames(cls)) {
        if (seen.has(key)) continue
        seen.add(key)
        const value = cls[key]
        if (value instanceof UnboundField) unbound.push([key, value])
      }
    }
    unbound.sort((a, b) => a[1].creationCounter - b[1].creationCounter)
    for (const [name, field] of this.extraFields()) unbound.push([name, field])
    for (const [name, field] of unbound) {
      const bound = field.make(name, this)
      this._fields.set(name, bound)
      Object.defineProperty(this, name, {
        value: bound,
        writable: true,
        enumerable: true,
        configurable: true,
      })
    }
    this.process(formdata, obj, data)
  }

  /** Fields the form adds itself (FlaskForm's `csrf_token`). */
  protected extraFields(): [string, UnboundField][] {
    return []
  }

  process(formdata: FormData | null, obj: Py = null, data: Record<string, Py> = {}): void {
    for (const [name, field] of this._fields) {
      if (obj !== null && obj !== undefined && hasattr(obj, name))
        field.process(formdata, getattr(obj, name))
      else field.process(formdata, name in data ? data[name] : undefined)
    }
  }

  /** `validate(extra_validators=None)`: each field's validators, then its inline `validate_<name>` method. */
  validate(): boolean {
    let ok = true
    for (const [name, field] of this._fields) {
      const inline = (this as Py)[`validate_${name}`]
      const extra: Validator[] =
        typeof inline === 'function' ? [(form: Form, f: Field) => void inline.call(form, f)] : []
      if (!field.validate(this, extra)) ok = false
    }
    return ok
  }

  /** `errors`: the fields' errors by name, fields without errors left out. */
  get errors(): PyDict {
    const errors = new PyDict()
    for (const [name, field] of this._fields)
      if (field.errors.length > 0) errors.set(name, field.errors)
    if (this.form_errors.length > 0) errors.set(null, this.form_errors)
    return errors
  }

  /** `data`: each field's data by name. */
  get data(): PyDict {
    return new PyDict([...this._fields].map(([name, field]) => [name, field.data]))
  }

  *[Symbol.iterator](): Generator<Field> {
    yield* this._fields.values()
  }
}

// ---------------------------------------------------------------------------------------------
// Flask-WTF

const SUBMIT_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

function config(key: string, fallback: Py): Py {
  const value = appConfigValue(key)
  return value === undefined ? fallback : value
}

function csrfSecret(): string | Uint8Array {
  const secret =
    config('WTF_CSRF_SECRET_KEY', null) ?? config('SECRET_KEY', null) ?? process.env['SECRET_KEY']
  if (secret === null || secret === undefined)
    throw new Error('A secret key is required to use CSRF.')
  return secret
}

/**
 * itsdangerous' `URLSafeTimedSerializer(secret, salt="wtf-csrf-token")` as Flask-WTF makes it:
 * its defaults (compact JSON, HMAC-SHA1 with the `django-concat` key derivation), unlike the
 * session's serializer.
 */
class CsrfSerializer {
  readonly #key: Buffer
  constructor(secret: string | Uint8Array) {
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret)
    this.#key = createHash('sha1')
      .update(Buffer.concat([Buffer.from('wtf-csrf-token'), Buffer.from('signer'), bytes]))
      .digest()
  }
  #sign(value: string): string {
    return createHmac('sha1', this.#key).update(value).digest('base64url')
  }
  dumps(text: string): string {
    const payload = Buffer.from(JSON.stringify(text)).toString('base64url')
    let stamp = Math.floor(Date.now() / 1000)
    const bytes: number[] = []
    while (stamp > 0) {
      bytes.unshift(stamp & 0xff)
      stamp = Math.floor(stamp / 256)
    }
    const value = `${payload}.${Buffer.from(bytes).toString('base64url')}`
    return `${value}.${this.#sign(value)}`
  }
  /** The token, or 'invalid' / 'expired'. */
  loads(token: string, maxAge: number | null): { text: string } | 'invalid' | 'expired' {
    const cut = token.lastIndexOf('.')
    if (cut < 0) return 'invalid'
    const value = token.slice(0, cut)
    const expected = Buffer.from(this.#sign(value))
    const given = Buffer.from(token.slice(cut + 1))
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid'
    const dot = value.lastIndexOf('.')
    if (dot < 0) return 'invalid'
    const stamp = [...Buffer.from(value.slice(dot + 1), 'base64url')].reduce(
      (total, byte) => total * 256 + byte,
      0,
    )
    if (maxAge !== null && Math.floor(Date.now() / 1000) - stamp > maxAge) return 'expired'
    try {
      let payload = value.slice(0, dot)
      const compressed = payload.startsWith('.')
      if (compressed) payload = payload.slice(1)
      const raw = Buffer.from(payload, 'base64url')
      const text: unknown = JSON.parse((compressed ? inflateSync(raw) : raw).toString('utf8'))
      return { text: String(text) }
    } catch {
      return 'invalid'
    }
  }
}

/**
 * `flask_wtf.csrf.generate_csrf()`: the raw token kept in the session, signed with the time;
 * made once per request and kept in `g` under the field's name, as Flask-WTF keeps it.
 */
export function generateCsrf(): string {
  const c = currentContext()
  const field = config('WTF_CSRF_FIELD_NAME', 'csrf_token') as string
  const flaskG = g(c)
  if (!flaskG.has(field)) {
    const session = flaskSession(c)
    if (!session.has(field))
      session.set(field, createHash('sha1').update(randomBytes(64)).digest('hex'))
    flaskG[field] = new CsrfSerializer(csrfSecret()).dumps(String(session.get(field)))
  }
  return flaskG.get(field) as string
}

/** `flask_wtf.csrf.validate_csrf(data)`: throws a `ValidationError` with Flask-WTF's message. */
export function validateCsrf(data: Py): void {
  const c = currentContext()
  const field = config('WTF_CSRF_FIELD_NAME', 'csrf_token') as string
  const limit = config('WTF_CSRF_TIME_LIMIT', 3600)
  if (!truthy(data)) throw new ValidationError('The CSRF token is missing.')
  const session = flaskSession(c)
  if (!session.has(field)) throw new ValidationError('The CSRF session token is missing.')
  const token = new CsrfSerializer(csrfSecret()).loads(
    String(data),
    limit === null ? null : Number(limit),
  )
  if (token === 'expired') throw new ValidationError('The CSRF token has expired.')
  if (token === 'invalid') throw new ValidationError('The CSRF token is invalid.')
  const expected = Buffer.from(String(session.get(field)))
  const given = Buffer.from(token.text)
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    throw new ValidationError('The CSRF tokens do not match.')
}

class CsrfTokenField extends Field {
  constructor(name: string) {
    super(name, 'CSRF Token', {}, 'hidden')
  }
  override _value(): string {
    return this.current_token ?? generateCsrf()
  }
  override pre_validate(_form: Form): void {
    // Already checked by CSRFProtect before the request (`g.csrf_valid`).
    if (truthy(g(currentContext()).get('csrf_valid', false) as Py)) return
    validateCsrf(this.data)
  }
  override process_formdata(valuelist: Py[]): void {
    this.data = valuelist.length > 0 ? valuelist[0] : null
  }
  /** WTForms' `CSRFTokenField.process`: the token (and the session's raw token) made when the form is. */
  override process(formdata: FormData | null, data: Py = undefined): void {
    super.process(formdata, data)
    this.current_token = generateCsrf()
  }
  current_token: Py = null
}

/** `flask_wtf.FlaskForm`: form data from the request when it is submitted, CSRF as configured. */
export class FlaskForm extends Form {
  /** `FlaskForm(formdata=<the request's>, obj=None)`. */
  constructor(formdata: FormData | null | undefined = undefined, obj: Py = null) {
    super(formdata === undefined ? requestFormData() : formdata, obj)
  }

  protected override extraFields(): [string, UnboundField][] {
    if (!truthy(config('WTF_CSRF_ENABLED', true))) return []
    const name = config('WTF_CSRF_FIELD_NAME', 'csrf_token') as string
    return [[name, new UnboundField((fieldName) => new CsrfTokenField(fieldName))]]
  }

  /** `is_submitted()`: a POST, PUT, PATCH or DELETE request. */
  is_submitted(): boolean {
    return SUBMIT_METHODS.has(request(currentContext()).method)
  }

  /** `validate_on_submit()`. */
  validate_on_submit(): boolean {
    return this.is_submitted() && this.validate()
  }

  /** `hidden_tag(*fields)`: the hidden fields (the CSRF token), rendered one after the other. */
  hidden_tag(): Html {
    return new Html(
      [...this._fields.values()]
        .filter((field) => field.flags['hidden'] === true)
        .map((field) => field.__call__().text)
        .join(''),
    )
  }
}

// ---------------------------------------------------------------------------------------------
// Flask-WTF's CSRFProtect

/** `flask_wtf.csrf.CSRFError`: the 400 of a request CSRFProtect refuses, its description the reason. */
export class CSRFError extends BadRequest {
  static override readonly defaultDescription: string | null = 'CSRF validation failed.'
}

/** A config value that is a list, tuple or set of strings (`WTF_CSRF_METHODS`, `WTF_CSRF_HEADERS`). */
function configStrings(key: string, fallback: string[]): string[] {
  const value = config(key, fallback)
  if (typeof value === 'string') return [...value]
  if (value !== null && typeof value === 'object' && Symbol.iterator in value)
    return [...(value as Iterable<Py>)].map(String)
  return fallback
}

/** Python's `urlparse(uri)`: scheme, hostname (lower-cased) and port, as `same_origin` compares them. */
function originOf(uri: string): [string, string | null, number | null] {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)
  const scheme = match === null ? '' : match[1]!.toLowerCase()
  const rest = match === null ? uri : uri.slice(match[0].length)
  if (!rest.startsWith('//')) return [scheme, null, null]
  const netloc = /^\/\/([^/?#]*)/.exec(rest)![1]!
  const hostPort = netloc.slice(netloc.lastIndexOf('@') + 1)
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(hostPort)
  const colon = hostPort.lastIndexOf(':')
  const host = bracket !== null ? bracket[1]! : colon < 0 ? hostPort : hostPort.slice(0, colon)
  const port = bracket !== null ? (bracket[2] ?? '') : colon < 0 ? '' : hostPort.slice(colon + 1)
  return [scheme, host === '' ? null : host.toLowerCase(), port === '' ? null : Number(port)]
}

/** `flask_wtf.csrf.same_origin(current_uri, compare_uri)`. */
function sameOrigin(current: string, compare: string): boolean {
  const [a, b] = [originOf(current), originOf(compare)]
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2]
}

/**
 * `flask_wtf.csrf.CSRFProtect`: the check `init_app` registers before every request whose
 * method is in `WTF_CSRF_METHODS` (unless `WTF_CSRF_ENABLED` or `WTF_CSRF_CHECK_DEFAULT` is
 * false, routing failed, or the view or its blueprint is exempt), the token from the form field
 * `WTF_CSRF_FIELD_NAME` (or a field ending with it) or a header of `WTF_CSRF_HEADERS`, the
 * referrer checks of `WTF_CSRF_SSL_STRICT` on https, and a `CSRFError` with Flask-WTF's reason.
 */
export class CSRFProtect {
  readonly #exemptViews = new WeakSet<object>()
  readonly #exemptBlueprints = new Set<string>()

  /** `@csrf.exempt` on a view (Flask-WTF keys it by the view's module and name, which `functools.wraps` keeps). */
  exempt(view: Py): Py {
    if (typeof view !== 'function')
      throw new TypeError(
        'csrf.exempt() of something other than a view function is not carried over',
      )
    this.#exemptViews.add(view)
    return view
  }

  /** `csrf.exempt(blueprint)`: the blueprint's requests are not checked. */
  exemptBlueprint(name: string): void {
    this.#exemptBlueprints.add(name)
  }

  /** Whether the view of the request, or one it wraps, was given to `exempt`. */
  #isExemptView(c: Context): boolean {
    let fn: Py = viewFunctionOf(c)
    while (typeof fn === 'function') {
      if (this.#exemptViews.has(fn)) return true
      fn = (fn as { __wrapped__?: Py }).__wrapped__
    }
    return false
  }

  /** The before-request hook init_app registers (`csrf_protect`). */
  readonly csrfProtect = (c: Context): null => {
    if (!truthy(config('WTF_CSRF_ENABLED', true))) return null
    if (!truthy(config('WTF_CSRF_CHECK_DEFAULT', true))) return null
    const req = request(c)
    if (!configStrings('WTF_CSRF_METHODS', DEFAULT_METHODS).includes(req.method)) return null
    if (!req.endpoint) return null
    if (req.blueprint !== null && this.#exemptBlueprints.has(req.blueprint)) return null
    if (this.#isExemptView(c)) return null
    this.protect()
    return null
  }

  /** `_get_csrf_token()`: the form field, a field ending with its name (a form's prefix), then the headers. */
  #token(c: Context): Py {
    const req = request(c)
    const field = String(config('WTF_CSRF_FIELD_NAME', 'csrf_token'))
    const form = req.form
    const base = form.get(field)
    if (base) return base
    for (const key of form.keys()) {
      const token = form.get(key)
      if (key.endsWith(field) && token) return token
    }
    for (const header of configStrings('WTF_CSRF_HEADERS', DEFAULT_HEADERS)) {
      const token = req.headers.get(header)
      if (token) return token
    }
    return null
  }

  /** `csrf.protect()`: raises `CSRFError` with the reason, else marks the request valid (`g.csrf_valid`). */
  protect(): void {
    const c = currentContext()
    const req = request(c)
    if (!configStrings('WTF_CSRF_METHODS', DEFAULT_METHODS).includes(req.method)) return
    try {
      validateCsrf(this.#token(c))
    } catch (error) {
      if (error instanceof ValidationError) throw new CSRFError(String(error.text))
      throw error
    }
    if (req.is_secure && truthy(config('WTF_CSRF_SSL_STRICT', true))) {
      const referrer = req.referrer
      if (!referrer) throw new CSRFError('The referrer header is missing.')
      if (!sameOrigin(referrer, `https://${req.host}/`))
        throw new CSRFError('The referrer does not match the host.')
    }
    g(c).csrf_valid = true
  }
}

const DEFAULT_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE']
const DEFAULT_HEADERS = ['X-CSRFToken', 'X-CSRF-Token']

/**
 * `csrf.init_app(app)`: its before-request check, after the `afterAppHooks` app-wide before hooks
 * the app registered before calling it and before the others, as Flask runs them.
 */
export function initCsrf(csrf: CSRFProtect, afterAppHooks = 0): void {
  registerAppHooks({ before: csrf.csrfProtect, afterAppHooks })
}

function requestFormData(): FormData | null {
  const c = currentContext()
  const req = request(c)
  if (!SUBMIT_METHODS.has(req.method)) return null
  if (req.is_json) {
    const json = getJson(c) as Py
    const entries: [string, Py][] =
      json instanceof PyDict ? json.items() : Object.entries(json ?? {})
    return {
      has: (name) => entries.some(([key]) => key === name),
      getlist: (name) => entries.filter(([key]) => key === name).map(([, value]) => value),
    }
  }
  const form = req.form
  return { has: (name) => form.has(name), getlist: (name) => form.getlist(name) }
}
