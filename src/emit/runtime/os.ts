/**
 * Python's `os.path` (posixpath) and the file functions of `os` that handlers use with run-time
 * paths (an upload folder and a file name): the same strings, and the same OSError messages.
 * Relative paths are relative to the working directory, as in the Flask app.
 */
import { existsSync, mkdirSync, opendirSync, statSync, unlinkSync } from 'node:fs'
import { OSError } from './exceptions.js'
import { repr, truthy } from './py.js'
import type { Py } from './py.js'

/** `os.path.join(a, *p)`: a component starting with `/` restarts the path. */
export function pathJoin(first: string, ...rest: string[]): string {
  let path = first
  for (const part of rest) {
    if (part.startsWith('/')) path = part
    else if (path === '' || path.endsWith('/')) path += part
    else path += '/' + part
  }
  return path
}

/** `os.path.basename(p)`: what follows the last `/`. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** `os.path.dirname(p)`: up to the last `/`, trailing slashes removed unless it is all slashes. */
export function dirname(path: string): string {
  const head = path.slice(0, path.lastIndexOf('/') + 1)
  return head !== '' && !/^\/+$/.test(head) ? head.replace(/\/+$/, '') : head
}

/** `os.path.splitext(p)`: `(root, ext)`; leading dots of the file name are not an extension. */
export function splitext(path: string): [string, string] {
  const sep = path.lastIndexOf('/')
  const dot = path.lastIndexOf('.')
  if (dot > sep) {
    for (let i = sep + 1; i < dot; i++)
      if (path[i] !== '.') return [path.slice(0, dot), path.slice(dot)]
  }
  return [path, '']
}

function stat(path: string) {
  try {
    return statSync(path)
  } catch {
    return null
  }
}

/** `os.path.exists(p)`: false for any path it cannot stat. */
export function exists(path: Py): boolean {
  return stat(String(path)) !== null
}

export function isfile(path: Py): boolean {
  return stat(String(path))?.isFile() ?? false
}

export function isdir(path: Py): boolean {
  return stat(String(path))?.isDirectory() ?? false
}

/** An OSError with CPython's message: `[Errno 2] No such file or directory: 'x'`. */
function osError(error: unknown, path: string): OSError {
  const code = (error as { code?: string; errno?: number }).code
  const messages: Record<string, [number, string]> = {
    ENOENT: [2, 'No such file or directory'],
    EEXIST: [17, 'File exists'],
    EACCES: [13, 'Permission denied'],
    EISDIR: [21, 'Is a directory'],
    ENOTDIR: [20, 'Not a directory'],
    ENOTEMPTY: [39, 'Directory not empty'],
  }
  const [errno, text] = messages[code ?? ''] ?? [
    Math.abs((error as { errno?: number }).errno ?? 0),
    String(error),
  ]
  const failure = new OSError(`[Errno ${errno}] ${text}: ${repr(path)}`)
  Object.assign(failure, { errno, strerror: text, filename: path })
  return failure
}

/** `os.path.getsize(p)`. */
export function getsize(path: string): number {
  try {
    return statSync(path).size
  } catch (error) {
    throw osError(error, path)
  }
}

/** `os.remove(p)` / `os.unlink(p)`. */
export function remove(path: string): null {
  try {
    if (stat(path)?.isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' })
    unlinkSync(path)
    return null
  } catch (error) {
    throw osError(error, path)
  }
}

/** `os.makedirs(name, mode=0o777, exist_ok=False)`. */
export function makedirs(name: string, mode: Py = 0o777, existOk: Py = false): null {
  if (existsSync(name)) {
    if (truthy(existOk) && stat(name)?.isDirectory()) return null
    throw osError({ code: 'EEXIST' }, name)
  }
  try {
    mkdirSync(name, { recursive: true, mode: Number(mode) })
    return null
  } catch (error) {
    throw osError(error, name)
  }
}

/** `os.listdir(path='.')`: names in the directory's own order, as CPython lists them (Node's readdir sorts them). */
export function listdir(path: string = '.'): string[] {
  try {
    const dir = opendirSync(path)
    const names: string[] = []
    try {
      for (let entry = dir.readSync(); entry !== null; entry = dir.readSync())
        names.push(entry.name)
    } finally {
      dir.closeSync()
    }
    return names
  } catch (error) {
    throw osError(error, path)
  }
}
