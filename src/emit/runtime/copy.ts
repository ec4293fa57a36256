/**
 * Python's `copy.copy` and `copy.deepcopy` on the runtime's values: dicts, lists, tuples, sets
 * and instances of translated classes are copied (a deep copy keeps shared and cyclic references
 * shared, as Python's memo does); str, numbers, bytes, None, functions and classes are themselves.
 * A runtime object the module does not know how to copy is a TypeError, not a silent alias.
 */
import { TypeError as PyTypeError } from './exceptions.js'
import { PyDict, PyFloat, PySet, isTuple, tuple, typeName } from './py.js'
import type { Py } from './py.js'

/** Values Python's copy module returns as they are. */
function atomic(value: Py): boolean {
  return (
    value === null ||
    value === undefined ||
    typeof value !== 'object' ||
    value instanceof PyFloat ||
    value instanceof Uint8Array ||
    value instanceof Date
  )
}

/** A dict, set or list whose class is exactly the builtin (subclasses such as Counter keep state elsewhere). */
function plainInstance(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === PyDict.prototype || proto === PySet.prototype || proto === Array.prototype
}

/**
 * An instance of a class translated from the project: its attributes are its own properties.
 * (Runtime containers other than the plain ones, such as Counter or a request, are not.)
 */
function projectInstance(value: object): boolean {
  return !(
    value instanceof PyDict ||
    value instanceof PySet ||
    Array.isArray(value) ||
    value instanceof Map ||
    value instanceof Set
  )
}

function uncopyable(value: Py): never {
  throw new PyTypeError(`cannot copy '${typeName(value)}' object in the migrated service`)
}

/** `copy.copy(x)`: a shallow copy. */
export function copy(value: Py): Py {
  if (atomic(value) || isTuple(value)) return value
  if (Array.isArray(value) && plainInstance(value)) return [...value]
  if (value instanceof PyDict && plainInstance(value)) return new PyDict(value.items())
  if (value instanceof PySet && plainInstance(value)) return new PySet([...value])
  if (projectInstance(value))
    return Object.assign(Object.create(Object.getPrototypeOf(value)), value)
  return uncopyable(value)
}

/** `copy.deepcopy(x)`: every container copied once, shared references kept shared. */
export function deepcopy(value: Py, memo: Map<object, Py> = new Map()): Py {
  if (atomic(value)) return value
  const known = memo.get(value)
  if (known !== undefined) return known
  if (isTuple(value)) {
    const items = (value as Py[]).map((item) => deepcopy(item, memo))
    const result = items.every((item, i) => item === (value as Py[])[i]) ? value : tuple(...items)
    memo.set(value, result)
    return result
  }
  if (Array.isArray(value) && plainInstance(value)) {
    const result: Py[] = []
    memo.set(value, result)
    for (const item of value) result.push(deepcopy(item, memo))
    return result
  }
  if (value instanceof PyDict && plainInstance(value)) {
    const result = new PyDict()
    memo.set(value, result)
    for (const [key, item] of value.items()) result.set(deepcopy(key, memo), deepcopy(item, memo))
    return result
  }
  if (value instanceof PySet && plainInstance(value)) {
    const result = new PySet()
    memo.set(value, result)
    for (const item of value) result.add(deepcopy(item, memo))
    return result
  }
  if (projectInstance(value)) {
    const result = Object.create(Object.getPrototypeOf(value))
    memo.set(value, result)
    for (const [key, item] of Object.entries(value)) result[key] = deepcopy(item, memo)
    return result
  }
  return uncopyable(value)
}
