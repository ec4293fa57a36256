import { createHash } from 'node:crypto'
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'

/**
 * What a run wrote into --out, file by file with the SHA-256 of its content, so that a later
 * `--force` run removes exactly the files this tool wrote and nobody changed since.
 */
export const MANIFEST = '.migrate-manifest.json'

/** Whether `child` is `parent` or inside it (both absolute, resolved). */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

/** A service-relative path that cannot leave the output folder. */
export function isSafeRelativePath(path: string): boolean {
  return path !== '' && !isAbsolute(path) && !path.includes('\\') && path.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
}

export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex')
}

/** The longest file name, and path, file systems take (bytes). */
const NAME_MAX = 255
const PATH_MAX = 4095

/** A write that cannot happen, in one line (the CLI exits 2 with it). */
export class WriteRefused extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WriteRefused'
  }
}

/** The nearest part of `path` (absolute) that exists, following symlinks; null when none does. */
function nearestExisting(path: string): string | null {
  for (let current = path; ; current = dirname(current)) {
    if (existsSync(current)) return current
    if (dirname(current) === current) return null
  }
}

/**
 * Checks, before anything is written, that every file of `paths` can be written inside `outDir`
 * (which may not exist yet): no path leaves it, no folder on the way is a file or a symlink that
 * leads out of it, no target is a folder. Throws WriteRefused.
 */
export function checkWriteTargets(outDir: string, paths: Iterable<string>): void {
  const absolute = resolve(outDir)
  const existing = nearestExisting(absolute)
  if (existing !== null && !statSync(existing).isDirectory()) throw new WriteRefused(`${existing} is not a folder`)
  const all = [...paths]
  for (const path of all) if (!isSafeRelativePath(path)) throw new WriteRefused(`refusing to write ${path}: not a path inside --out`)
  const root = existsSync(absolute) ? realpathSync(absolute) : absolute
  for (const path of all) {
    // What Linux, macOS and Windows file systems refuse: the write would fail half-way through.
    const long = path.split('/').find((part) => Buffer.byteLength(part) > NAME_MAX)
    if (long !== undefined) throw new WriteRefused(`cannot write ${path.slice(0, 80)}…: a file name of ${Buffer.byteLength(long)} bytes (the limit is ${NAME_MAX})`)
    if (Buffer.byteLength(join(root, path)) > PATH_MAX) throw new WriteRefused(`cannot write ${path.slice(0, 80)}…: the path is longer than ${PATH_MAX} bytes`)
  }
  if (!existsSync(absolute)) return
  /** Folder path (relative) → its real location, or null when it does not exist yet. */
  const folders = new Map<string, string | null>([['', root]])
  const folder = (relativePath: string): string | null => {
    const known = folders.get(relativePath)
    if (known !== undefined) return known
    const slash = relativePath.lastIndexOf('/')
    const parent = folder(slash < 0 ? '' : relativePath.slice(0, slash))
    let real: string | null = null
    if (parent !== null) {
      const here = join(parent, relativePath.slice(slash + 1))
      let stats
      try {
        stats = lstatSync(here)
      } catch {
        stats = null
      }
      if (stats !== null) {
        if (stats.isSymbolicLink()) {
          let target: string
          try {
            target = realpathSync(here)
          } catch {
            throw new WriteRefused(`${relativePath} is a broken symlink`)
          }
          if (!isInside(target, root)) throw new WriteRefused(`${relativePath} is a symlink to ${target}, outside the output folder`)
          stats = statSync(target)
          real = target
        } else real = here
        if (!stats.isDirectory()) throw new WriteRefused(`${relativePath} is a file, not a folder`)
      }
    }
    folders.set(relativePath, real)
    return real
  }
  for (const path of all) {
    const slash = path.lastIndexOf('/')
    const parent = folder(slash < 0 ? '' : path.slice(0, slash))
    if (parent === null) continue
    const target = join(parent, path.slice(slash + 1))
    let stats
    try {
      stats = lstatSync(target)
    } catch {
      continue
    }
    if (stats.isDirectory()) throw new WriteRefused(`${path} is a folder, not a file`)
  }
}

/**
 * Creates `dir` and its missing parents, one folder at a time (mkdir's own recursion loops
 * forever where a parent refuses new folders, as in /proc). Returns the folders it created,
 * outermost first. Throws the file system's error (with `code` and `path`).
 */
export function makeFolders(dir: string): string[] {
  const missing: string[] = []
  let current = resolve(dir)
  while (!existsSync(current)) {
    missing.push(current)
    const parent = dirname(current)
    if (parent === current) break
    current = parent
  }
  if (existsSync(current) && !statSync(current).isDirectory()) {
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${missing.at(-1) ?? current}'`), { code: 'ENOTDIR', path: current })
  }
  const created: string[] = []
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && statSync(folder).isDirectory()) continue
      throw error
    }
    created.push(folder)
  }
  return created
}

/** Removes folders `makeFolders` created, innermost first, when they are still empty. */
export function removeFolders(created: readonly string[]): void {
  for (const folder of [...created].reverse()) {
    try {
      rmdirSync(folder)
    } catch {
      // not empty, or gone: leave it
    }
  }
}

/**
 * Writes the generated files under `outDir` and nowhere else (call checkWriteTargets first):
 * every path is checked, and so is the real location of every folder written into (a symlink
 * inside --out cannot lead out of it). Files the previous run wrote (its manifest) and that are
 * unchanged since (same SHA-256) are removed first when this run does not write them again, so
 * a re-run leaves exactly what it generates next to the user's own files (node_modules, .git,
 * notes, and any generated file the user edited). Writes the manifest last.
 */
export function writeFiles(outDir: string, texts: ReadonlyMap<string, string>, assets: ReadonlyMap<string, Uint8Array> = new Map()): void {
  const files = new Map<string, string | Uint8Array>([...texts, ...assets])
  for (const path of files.keys()) if (!isSafeRelativePath(path) || path === MANIFEST) throw new Error(`refusing to write ${path}: not a path inside --out`)
  makeFolders(outDir)
  const root = realpathSync(outDir)
  removePreviousRun(root, new Set(files.keys()))
  const manifest: Record<string, string> = {}
  for (const [path, content] of files) {
    const target = join(root, ...path.split('/'))
    makeFolders(dirname(target))
    const folder = realpathSync(dirname(target))
    if (!isInside(folder, root)) throw new Error(`refusing to write ${path}: ${dirname(path)} leads outside --out`)
    if (existsSync(target) && lstatSync(target).isSymbolicLink()) unlinkSync(target)
    writeFileSync(target, content)
    manifest[path] = sha256(content)
  }
  const manifestPath = join(root, MANIFEST)
  if (existsSync(manifestPath) && lstatSync(manifestPath).isSymbolicLink()) unlinkSync(manifestPath)
  writeFileSync(manifestPath, `${JSON.stringify({ tool: 'migrate', version: 1, files: manifest }, null, 2)}\n`)
}

/** The previous run's manifest: path → SHA-256. Empty when there is none or it is not ours. */
export function readManifest(root: string): Map<string, string> {
  const result = new Map<string, string>()
  const path = join(root, MANIFEST)
  try {
    if (!lstatSync(path).isFile()) return result
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { tool?: unknown; files?: unknown }
    if (parsed.tool !== 'migrate' || typeof parsed.files !== 'object' || parsed.files === null || Array.isArray(parsed.files)) return result
    for (const [file, hash] of Object.entries(parsed.files as Record<string, unknown>)) {
      if (typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash)) result.set(file, hash)
    }
  } catch {
    // no manifest, or not one this tool wrote
  }
  return result
}

/**
 * Never removed, whatever a manifest says: anything in a hidden folder (`.git/config`) or in
 * node_modules. The tool writes no such file.
 */
function isProtected(path: string): boolean {
  return path.split('/').slice(0, -1).some((part) => part.startsWith('.') || part === 'node_modules')
}

function removePreviousRun(root: string, next: Set<string>): void {
  const folders = new Set<string>()
  for (const [path, hash] of readManifest(root)) {
    if (next.has(path) || path === MANIFEST || !isSafeRelativePath(path) || isProtected(path)) continue
    const target = join(root, ...path.split('/'))
    try {
      if (!lstatSync(target).isFile()) continue
      if (!isInside(realpathSync(dirname(target)), root)) continue
      // Changed since the tool wrote it: it is the user's now.
      if (sha256(readFileSync(target)) !== hash) continue
    } catch {
      continue
    }
    unlinkSync(target)
    for (let folder = dirname(target); folder !== root && isInside(folder, root); folder = dirname(folder)) folders.add(folder)
  }
  // Deepest first, and only folders left empty.
  for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
    if (existsSync(folder) && statSync(folder).isDirectory() && readdirSync(folder).length === 0) rmdirSync(folder)
  }
}
