import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, sep } from 'node:path'
import type { AppIR, Finding, ProjectIR } from '../ir/types.js'
import type { TranslatedProject } from '../translate/types.js'

/** Where the service keeps the project's static folders: `public/<folder as in the project>/…`. */
export const PUBLIC_DIR = 'public'
/** A static file larger than this is not copied (and reported). */
export const MAX_STATIC_FILE_BYTES = 10 * 1024 * 1024

/** The static folders of the app and its blueprints, and what handlers send from the app's folder, read from the project. */
export interface StaticFiles {
  /** Project-relative folder → its files (folder-relative POSIX path → bytes), in path order. */
  folders: Map<string, Map<string, Uint8Array>>
  /** Files under the app's folder (root_path) that handlers send: app-relative path → bytes. */
  appFiles: Map<string, Uint8Array>
  /** Files left out, and why (`folder` is project-relative, or the app-relative path for handlers' files). */
  skipped: { folder: string; file: string; reason: string; handler?: boolean }[]
  /** The project's Alembic folders (Flask-Migrate's `migrations/`): project-relative folder → its files, kept as they are. */
  migrations?: Map<string, Map<string, Uint8Array>>
}

/** Where the service keeps the project's Alembic folders: `migrations/` (or `migrations/<folder>/` when there are several). */
export const MIGRATIONS_DIR = 'migrations'

/**
 * The project's Alembic folders, as Flask-Migrate lays them out: a folder holding `env.py` and a
 * `versions/` folder (with `alembic.ini` beside them, or above). Searched to a depth of 4 from the
 * project's root, leaving out dot-folders, `node_modules` and virtual environments.
 */
export function readMigrationFolders(root: string): Map<string, Map<string, Uint8Array>> {
  const found = new Map<string, Map<string, Uint8Array>>()
  let rootReal: string
  try {
    rootReal = realpathSync(root)
  } catch {
    return found
  }
  const skipped: StaticFiles['skipped'] = []
  const visit = (dir: string, folder: string, depth: number): void => {
    let names: string[]
    try {
      names = readdirSync(dir).sort(compare)
    } catch {
      return
    }
    if (names.includes('env.py') && names.includes('versions') && statSync(join(dir, 'versions'), { throwIfNoEntry: false })?.isDirectory()) {
      const files = readFolder(rootReal, dir, folder, skipped)
      for (const file of [...files.keys()]) if (file.includes('__pycache__/') || file.endsWith('.pyc')) files.delete(file)
      found.set(folder, files)
      return
    }
    if (depth >= 4) return
    for (const name of names) {
      if (name.startsWith('.') || name === 'node_modules' || name === '__pycache__' || name === 'venv' || name === 'site-packages') continue
      const path = join(dir, name)
      if (statSync(path, { throwIfNoEntry: false })?.isDirectory() && !lstatIsLink(path)) visit(path, folder === '' ? name : `${folder}/${name}`, depth + 1)
    }
  }
  visit(root, '', 0)
  return found
}

function lstatIsLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return true
  }
}

/** The number of revision files of an Alembic folder (`versions/*.py`). */
export function revisionCount(files: ReadonlyMap<string, Uint8Array>): number {
  return [...files.keys()].filter((file) => /^versions\/[^/]+\.py$/.test(file) && file !== 'versions/__init__.py').length
}

/** A folder inside the project (relative, not climbing out): the only ones copied. */
function insideProject(folder: string): boolean {
  return !isAbsolute(folder) && folder !== '..' && !folder.startsWith('../')
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** One regular file inside the project (links followed while they stay in it), or why not. */
function readProjectFile(rootReal: string, path: string): Uint8Array | string {
  let real: string
  try {
    real = realpathSync(path)
  } catch {
    return 'not in the project'
  }
  const inside = relative(rootReal, real)
  if (inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) return 'a symbolic link that leads outside the project'
  const stats = statSync(real, { throwIfNoEntry: false })
  if (stats === undefined || !stats.isFile()) return 'not a regular file'
  if (stats.size > MAX_STATIC_FILE_BYTES) return `${stats.size} bytes, over the ${MAX_STATIC_FILE_BYTES}-byte limit`
  return new Uint8Array(readFileSync(real))
}

/** Every file under `dir` (names in code point order; dotfiles, links out of the project and large files left out and recorded). */
function readFolder(rootReal: string, dir: string, folder: string, skipped: StaticFiles['skipped'], handler = false): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>()
  const walk = (current: string, prefix: string, depth: number): void => {
    let names: string[]
    try {
      names = readdirSync(current).sort(compare)
    } catch {
      return
    }
    for (const name of names) {
      const file = prefix + name
      const path = join(current, name)
      if (name.startsWith('.')) {
        skipped.push({ folder, file, reason: 'a dotfile', handler })
        continue
      }
      const stats = statSync(path, { throwIfNoEntry: false })
      if (stats === undefined) continue // a dangling link
      if (stats.isDirectory()) {
        let real: string
        try {
          real = realpathSync(path)
        } catch {
          continue
        }
        const inside = relative(rootReal, real)
        if (inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) skipped.push({ folder, file, reason: 'a symbolic link that leads outside the project', handler })
        else if (depth < 20) walk(path, `${file}/`, depth + 1)
        continue
      }
      const content = readProjectFile(rootReal, path)
      if (typeof content === 'string') {
        if (stats.isFile()) skipped.push({ folder, file, reason: content, handler })
      } else files.set(file, content)
    }
  }
  walk(dir, '', 0)
  return files
}

/**
 * Reads every static folder of `app` (and of its blueprints) that lies inside `root` and holds
 * files, and the folders and files handlers send from the app's folder (`appRoot`, project-relative,
 * null when unknown), deterministically: names in code point order, dotfiles and dot-folders left
 * out, symbolic links followed only when they stay inside the project, files over
 * MAX_STATIC_FILE_BYTES left out.
 */
export function readStaticFolders(root: string, app: AppIR, sent: { appRoot: string | null; folders: readonly string[]; files: readonly string[] } = { appRoot: null, folders: [], files: [] }): StaticFiles {
  const result: StaticFiles = { folders: new Map(), appFiles: new Map(), skipped: [] }
  let rootReal: string
  try {
    rootReal = realpathSync(root)
  } catch {
    return result
  }
  for (const owner of [app, ...app.blueprints]) {
    const folder = owner.staticFolderPath
    if (folder === null || !owner.staticFolderHasFiles || !insideProject(folder) || result.folders.has(folder)) continue
    const dir = join(root, ...folder.split('/'))
    // A folder that cannot be read is not copied: its static rule stays a reported stub.
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue
    result.folders.set(folder, readFolder(rootReal, dir, folder, result.skipped))
  }
  const base = sent.appRoot === null ? null : join(root, ...sent.appRoot.split('/').filter((part) => part !== '' && part !== '.'))
  for (const folder of sent.folders) {
    const dir = base === null ? null : join(base, ...folder.split('/'))
    if (dir === null || !statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      result.skipped.push({ folder, file: '', reason: base === null ? "the app's folder is not known" : 'no such folder in the project (made at run time?)', handler: true })
      continue
    }
    for (const [file, content] of readFolder(rootReal, dir, folder, result.skipped, true)) result.appFiles.set(`${folder}/${file}`, content)
  }
  for (const file of sent.files) {
    const content = base === null ? "the app's folder is not known" : readProjectFile(rootReal, join(base, ...file.split('/')))
    if (typeof content === 'string') result.skipped.push({ folder: file, file: '', reason: content, handler: true })
    else result.appFiles.set(file, content)
  }
  result.migrations = readMigrationFolders(root)
  return result
}

/** Where handlers' `send_from_directory("dir", …)` / `send_file("dir/file")` find their files in the service (runtime static.ts). */
export const APP_FILES_DIR = `${PUBLIC_DIR}/_app`

/** The app-relative folders and files translated handlers send (`sendFromAppDirectory(c, "dir"`, `sendAppFile(c, "dir/file"`). */
export function appFilesUsed(codes: readonly string[]): { folders: string[]; files: string[] } {
  const found = (pattern: RegExp): string[] => [...new Set(codes.flatMap((code) => [...code.matchAll(pattern)].map((match) => JSON.parse(match[1]!) as string)))].sort(compare)
  return { folders: found(/sendFromAppDirectory\(\w+, ("(?:[^"\\]|\\.)*")/g), files: found(/sendAppFile\(\w+, ("(?:[^"\\]|\\.)*")/g) }
}

/** How emit serves one owner's `static` endpoint. */
export type StaticServing = { kind: 'served'; directory: string } | { kind: 'not-copied' }

/**
 * The `static` endpoint of an app or blueprint: served from `public/<folder>` when its files were
 * copied (or it has none: every request is a 404, as in Flask), from the absolute folder as it is,
 * or not at all (a folder outside the project that holds files).
 */
export function staticServing(owner: Pick<AppIR, 'staticFolderPath' | 'staticFolderHasFiles'>, files: StaticFiles | undefined): StaticServing | null {
  const folder = owner.staticFolderPath
  if (folder === null) return null
  if (isAbsolute(folder)) return owner.staticFolderHasFiles ? { kind: 'not-copied' } : { kind: 'served', directory: folder }
  if (!owner.staticFolderHasFiles) return { kind: 'served', directory: `${PUBLIC_DIR}/${folder}` }
  if (files !== undefined && files.folders.has(folder)) return { kind: 'served', directory: `${PUBLIC_DIR}/${folder}` }
  return { kind: 'not-copied' }
}

/** The service's copies of the static files (`public/<folder>/<file>` → bytes) and a finding per file left out. */
export function staticAssets(app: AppIR, files: StaticFiles | undefined): { assets: Map<string, Uint8Array>; findings: Finding[] } {
  const assets = new Map<string, Uint8Array>()
  const findings: Finding[] = []
  if (files === undefined) return { assets, findings }
  for (const [folder, contents] of [...files.folders].sort(([a], [b]) => compare(a, b))) {
    for (const [file, bytes] of contents) assets.set(`${PUBLIC_DIR}/${folder}/${file}`, bytes)
  }
  for (const [file, bytes] of [...files.appFiles].sort(([a], [b]) => compare(a, b))) assets.set(`${APP_FILES_DIR}/${file}`, bytes)
  for (const skipped of files.skipped) {
    if (skipped.handler) {
      const what = skipped.file === '' ? skipped.folder : `${skipped.folder}/${skipped.file}`
      findings.push({
        ruleId: 'static-file-not-copied',
        severity: 'warning',
        message: `${what} (${skipped.reason}), sent by a handler from the app's folder, was not copied into the service: the service answers 404 (or 500) for it where Flask sends the file.`,
        location: app.location,
      })
      continue
    }
    const owner = [app, ...app.blueprints].find((candidate) => candidate.staticFolderPath === skipped.folder)
    const endpoint = owner === app || owner === undefined ? 'static' : `${(owner as AppIR['blueprints'][number]).name}.static`
    findings.push({
      ruleId: 'static-file-not-copied',
      severity: 'warning',
      message: `${skipped.folder}/${skipped.file} (${skipped.reason}) was not copied into the service: it answers 404 there where Flask serves the file.`,
      location: (owner ?? app).location,
      endpoint,
    })
  }
  return { assets: new Map([...assets].sort(([a], [b]) => compare(a, b))), findings }
}

/** The app's root_path relative to the project: the folder of the module named by its import name (null when not a project module). */
export function appRootOf(ir: ProjectIR, app: AppIR): string | null {
  const module = ir.modules.find((candidate) => candidate.name === app.importName)
  if (module === undefined) return null
  const slash = module.file.lastIndexOf('/')
  return slash < 0 ? '' : module.file.slice(0, slash)
}

/** Every piece of translated code: modules and the handlers' code. */
export function translatedCode(translation: TranslatedProject): string[] {
  return [...translation.modules.map((module) => module.code), ...[...Object.values(translation.views), ...translation.hooks, ...translation.errorHandlers].map((handler) => handler.code)]
}

/**
 * The project's Alembic folders as files of the service (`migrations/`, or `migrations/<folder>/`
 * when there are several), as they are, with one finding each; and one for each Flask-Migrate
 * set-up (its `flask db` commands stay the Flask project's).
 */
export function keptMigrations(app: AppIR, files: StaticFiles | undefined): { files: Map<string, string>; findings: Finding[] } {
  const kept = new Map<string, string>()
  const findings: Finding[] = []
  const folders = [...(files?.migrations ?? new Map<string, Map<string, Uint8Array>>())].sort(([a], [b]) => compare(a, b))
  const decoder = new TextDecoder('utf-8', { fatal: true })
  for (const [folder, contents] of folders) {
    const target = folders.length === 1 ? MIGRATIONS_DIR : `${MIGRATIONS_DIR}/${folder}`
    const left: string[] = []
    for (const [file, bytes] of contents) {
      try {
        kept.set(`${target}/${file}`, decoder.decode(bytes))
      } catch {
        left.push(file)
      }
    }
    const where = folder === '' ? '' : `${folder}/`
    findings.push({
      ruleId: 'alembic-migrations-kept',
      severity: 'info',
      message: `The Alembic migrations in ${folder === '' ? 'the project' : folder}/ (${revisionCount(contents)} revisions) are copied into the service's ${target}/ as they are, not re-generated: the schema stays managed by Alembic (\`flask db upgrade\` from the Flask project).${left.length > 0 ? ` Not copied (not UTF-8 text): ${left.join(', ')}.` : ''}`,
      location: { file: `${where}${contents.has('alembic.ini') ? 'alembic.ini' : 'env.py'}`, line: 1, column: 1 },
    })
  }
  for (const extension of app.extensions) {
    if (extension.package !== 'flask_migrate' || extension.init === 'import-only') continue
    findings.push({
      ruleId: 'alembic-migrations-kept',
      severity: 'info',
      message: `Flask-Migrate (${extension.source.replace(/\s+/g, ' ')}) adds the \`flask db\` commands and does nothing to requests: the service has no such commands; keep running them from the Flask project${folders.length === 0 ? ' (no Alembic folder was found in the project)' : ''}.`,
      location: extension.location,
    })
  }
  return { files: kept, findings }
}
