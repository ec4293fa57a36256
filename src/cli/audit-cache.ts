import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { TOOL_VERSION } from '../report/model.js'

/**
 * The audit cache (`--cache`), as ESLint's and ruff's: an app's audit is kept under a key made of
 * the content of every file of the app and the tool's own version, so an unchanged app is not
 * analysed again. An app is analysed as a whole (a module's meaning depends on the others), so
 * the key covers all its files: one changed file audits its app again.
 */

/** Where the cache lives unless `--cache-location` says otherwise: node_modules/.cache/migrate of the working folder, as find-cache-dir places ESLint's and Babel's. */
export function defaultCacheDir(cwd: string = process.cwd()): string {
  return join(cwd, 'node_modules', '.cache', 'migrate')
}

/** Folders that are never the app's input (the scan skips them too). */
const SKIPPED = new Set(['node_modules', '__pycache__', 'site-packages', 'venv', 'env'])
/** Larger files are keyed by size and modification time instead of content. */
const MAX_HASHED_BYTES = 16 * 1024 * 1024

/** The hash of every file under `root` (paths and contents), of the options and of the tool. */
export function auditKey(root: string, options: unknown): string {
  const hash = createHash('sha256')
  hash.update(`${TOOL_VERSION}\0${toolFingerprint()}\0${JSON.stringify(options)}\0`)
  const walk = (dir: string, relative: string): void => {
    let entries
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    } catch {
      hash.update(`unreadable ${relative}\0`)
      return
    }
    for (const entry of entries) {
      const path = join(dir, entry.name)
      const name = relative === '' ? entry.name : `${relative}/${entry.name}`
      if (entry.isDirectory()) {
        if (entry.name === '.git' || SKIPPED.has(entry.name)) continue
        walk(path, name)
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        try {
          const stats = statSync(path)
          if (stats.isDirectory()) {
            // A linked folder: keyed by where it leads (the scan follows links that stay inside).
            hash.update(`link ${name}\0`)
            continue
          }
          hash.update(`${name}\0${stats.size}\0`)
          hash.update(stats.size > MAX_HASHED_BYTES ? `${stats.mtimeMs}` : readFileSync(path))
        } catch {
          hash.update(`unreadable ${name}\0`)
        }
      }
    }
  }
  walk(root, '')
  return hash.digest('hex')
}

let fingerprint: string | undefined

/**
 * The tool's own code: the version alone would keep a stale answer while the code changes in a
 * clone. The size and modification time of every file of the running build (dist/ or src/) and
 * of rules/.
 */
function toolFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint
  const hash = createHash('sha256')
  const codeDir = fileURLToPath(new URL('..', import.meta.url))
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else {
        const stats = statSync(path)
        hash.update(`${path}\0${stats.size}\0${stats.mtimeMs}\0`)
      }
    }
  }
  walk(codeDir)
  walk(fileURLToPath(new URL('../../rules/', import.meta.url)))
  fingerprint = hash.digest('hex')
  return fingerprint
}

/** The cached value for `key`, or undefined. */
export function readCached<T>(cacheDir: string, key: string): T | undefined {
  try {
    return JSON.parse(readFileSync(join(cacheDir, `${key}.json`), 'utf8')) as T
  } catch {
    return undefined
  }
}

/** Stores `value` under `key` (written aside, then renamed: a reader never sees half a file). A cache that cannot be written is no error. */
export function writeCached(cacheDir: string, key: string, value: unknown): void {
  try {
    mkdirSync(cacheDir, { recursive: true })
    const temporary = join(cacheDir, `${key}.${process.pid}.tmp`)
    writeFileSync(temporary, JSON.stringify(value))
    renameSync(temporary, join(cacheDir, `${key}.json`))
  } catch {
    // Read-only or full: the next run analyses again.
  }
}
