import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, sep } from 'node:path'

/** Whether `child` is `parent` or inside it (both absolute, resolved). */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

/** A service-relative path that cannot leave the output folder. */
export function isSafeRelativePath(path: string): boolean {
  return path !== '' && !isAbsolute(path) && !path.includes('\\') && path.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
}

/**
 * Writes the generated files under `outDir` and nowhere else: every path is checked, and so is
 * the real location of every folder written into (a symlink inside --out cannot lead out of it).
 * Files a previous run listed in its migration-report.json are removed first, so a re-run leaves
 * exactly what it generates next to the user's own files (node_modules, .git).
 */
export function writeFiles(outDir: string, files: ReadonlyMap<string, string>, previousReport = 'migration-report.json'): void {
  mkdirSync(outDir, { recursive: true })
  const root = realpathSync(outDir)
  for (const path of files.keys()) if (!isSafeRelativePath(path)) throw new Error(`refusing to write ${path}: not a path inside --out`)
  removePreviousRun(root, previousReport)
  for (const [path, content] of files) {
    const target = join(root, ...path.split('/'))
    mkdirSync(dirname(target), { recursive: true })
    const folder = realpathSync(dirname(target))
    if (!isInside(folder, root)) throw new Error(`refusing to write ${path}: ${dirname(path)} leads outside --out`)
    if (existsSync(target) && lstatSync(target).isSymbolicLink()) unlinkSync(target)
    writeFileSync(target, content)
  }
}

function removePreviousRun(root: string, reportName: string): void {
  const reportPath = join(root, reportName)
  if (!existsSync(reportPath)) return
  let listed: unknown
  try {
    listed = (JSON.parse(readFileSync(reportPath, 'utf8')) as { files?: unknown }).files
  } catch {
    return
  }
  if (!Array.isArray(listed)) return
  const folders = new Set<string>()
  for (const path of listed) {
    if (typeof path !== 'string' || !isSafeRelativePath(path)) continue
    const target = join(root, ...path.split('/'))
    if (!existsSync(target) || !lstatSync(target).isFile()) continue
    if (!isInside(realpathSync(dirname(target)), root)) continue
    unlinkSync(target)
    for (let folder = dirname(target); folder !== root && isInside(folder, root); folder = dirname(folder)) folders.add(folder)
  }
  // Deepest first, and only folders left empty.
  for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
    if (existsSync(folder) && statSync(folder).isDirectory() && readdirSync(folder).length === 0) rmdirSync(folder)
  }
}
