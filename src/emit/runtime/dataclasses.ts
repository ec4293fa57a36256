/**
 * Python's `dataclasses`: a translated `@dataclass` class has its fields and constructor written
 * out; `dataclass(Cls, fields, options)` after it adds what the decorator generates — the repr,
 * `==` over the fields, the orderings of `order=True` — unless the class defines its own, and
 * `asdict`, `astuple`, `replace`, `fields`, `is_dataclass` read the fields it records.
 */
import { AttributeError, TypeError as PyTypeError } from './exceptions.js'
import { PyDict, isTuple, lt, eq, repr, tuple, type Py } from './py.js'

interface FieldSpec {
  name: string
  repr?: boolean
  compare?: boolean
}

interface Options {
  frozen?: boolean
  order?: boolean
  eq?: boolean
}

const FIELDS = Symbol('dataclass fields')
const OPTIONS = new WeakMap<object, Options>()
/** The Python names of dataclasses (a class attribute `name` would hide a JavaScript class's own). */
const NAMES = new WeakMap<object, string>()

function classNameOf(instance: Py): string {
  return NAMES.get(instance.constructor) ?? instance.constructor.name
}

/** `dataclasses.FrozenInstanceError`. */
export class FrozenInstanceError extends AttributeError {}

function specsOf(value: Py): FieldSpec[] | undefined {
  return value?.constructor?.[FIELDS] ?? value?.[FIELDS]
}

function compared(value: Py): Py[] {
  return specsOf(value)!
    .filter((f) => f.compare !== false)
    .map((f) => value[f.name])
}

/** What `@dataclass` adds to a class whose fields and constructor are translated. */
export function dataclass(cls: Py, name: string, fields: FieldSpec[], options: Options = {}): void {
  Object.defineProperty(cls, FIELDS, { value: fields })
  NAMES.set(cls, name)
  OPTIONS.set(cls, options)
  const proto = cls.prototype
  if (!Object.hasOwn(proto, '__repr__')) {
    proto.__repr__ = function (this: Py): string {
      const shown = fields
        .filter((f) => f.repr !== false)
        .map((f) => `${f.name}=${repr(this[f.name])}`)
      return `${classNameOf(this)}(${shown.join(', ')})`
    }
  }
  if (options.eq !== false && !Object.hasOwn(proto, '__eq__')) {
    proto.__eq__ = function (this: Py, other: Py): boolean {
      return (
        other?.constructor === this.constructor &&
        eq(tuple(...compared(this)), tuple(...compared(other)))
      )
    }
  }
  if (options.order) {
    proto.__compare__ = function (this: Py, other: Py): number | undefined {
      if (other?.constructor !== this.constructor) return undefined
      const a = tuple(...compared(this))
      const b = tuple(...compared(other))
      return lt(a, b) ? -1 : lt(b, a) ? 1 : 0
    }
  }
}

/** A frozen dataclass: assigning a field or a new attribute raises FrozenInstanceError. */
export function freeze(instance: Py): void {
  for (const { name } of specsOf(instance) ?? []) {
    const value = instance[name]
    Object.defineProperty(instance, name, {
      enumerable: true,
      get: () => value,
      set: () => {
        throw new FrozenInstanceError(`cannot assign to field '${name}'`)
      },
    })
  }
  Object.preventExtensions(instance)
}

function requireDataclass(value: Py, what: string): FieldSpec[] {
  const specs = value !== null && typeof value === 'object' ? specsOf(value) : undefined
  if (specs === undefined)
    throw new PyTypeError(`${what}() should be called on dataclass instances`)
  return specs
}

function convert(value: Py, asTuple: boolean): Py {
  if (value !== null && typeof value === 'object' && specsOf(value) !== undefined) {
    const items = specsOf(value)!.map((f) => [f.name, convert(value[f.name], asTuple)] as [Py, Py])
    return asTuple ? tuple(...items.map(([, v]) => v)) : new PyDict(items)
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => convert(item, asTuple))
    return isTuple(value) ? tuple(...items) : items
  }
  if (value instanceof PyDict)
    return new PyDict(value.items().map(([k, v]) => [convert(k, asTuple), convert(v, asTuple)]))
  return value
}

/** `asdict(obj)`: fields to a dict, recursively through dataclasses, lists, tuples and dicts. */
export function asdict(obj: Py): PyDict {
  requireDataclass(obj, 'asdict')
  return convert(obj, false)
}

/** `astuple(obj)`. */
export function astuple(obj: Py): readonly Py[] {
  requireDataclass(obj, 'astuple')
  return convert(obj, true)
}

/** `replace(obj, **changes)`: a new instance through the constructor, with the changes. */
export function replace(obj: Py, changes: PyDict | null = null): Py {
  const specs = requireDataclass(obj, 'replace')
  const values = new Map<string, Py>(specs.map((f) => [f.name, obj[f.name]]))
  for (const [name, value] of changes?.items() ?? []) {
    if (!values.has(name))
      throw new PyTypeError(
        `${obj.constructor.name}.__init__() got an unexpected keyword argument '${name}'`,
      )
    values.set(name, value)
  }
  return new obj.constructor(...values.values())
}

/** `fields(obj_or_class)`: objects with the fields' `name`s. */
export function fields(value: Py): readonly Py[] {
  const specs = typeof value === 'function' ? value[FIELDS] : specsOf(value)
  if (specs === undefined) throw new PyTypeError('must be called with a dataclass type or instance')
  return tuple(...specs.map((f: FieldSpec) => ({ name: f.name })))
}

/** `is_dataclass(obj_or_class)`. */
export function is_dataclass(value: Py): boolean {
  return (typeof value === 'function' ? value[FIELDS] : specsOf(value)) !== undefined
}

/**
 * The end of a dataclass's constructor: `__post_init__` and freezing, run once by the constructor
 * of the nearest dataclass of the instance's class (a dataclass subclass runs its own).
 */
export function initialized(instance: Py, newTarget: Py, cls: Py): void {
  let nearest = newTarget
  while (typeof nearest === 'function' && !Object.hasOwn(nearest, FIELDS))
    nearest = Object.getPrototypeOf(nearest)
  if (nearest !== cls) return
  if (typeof instance.__post_init__ === 'function') instance.__post_init__()
  if (OPTIONS.get(cls)?.frozen) freeze(instance)
}
