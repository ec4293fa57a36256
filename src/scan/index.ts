import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, sep } from 'node:path'
import type { Finding } from '../ir/types.js'
import { isIgnored, parseGitignore, type IgnorePattern } from './gitignore.js'

/** A Python file the scan keeps, with the module name its package layout gives it. */
export interface ScannedFile {
  /** POSIX path relative to the project root. */
  file: string
  /** Dotted module name (`inventory.api.items`; `inventory` for `inventory/__init__.py`). */
  module: string
  isPackage: boolean
  source: string
}

export interface ScanResult {
  files: ScannedFile[]
  findings: Finding[]
}

export interface ScanOptions {
  /** Files larger than this are skipped with a finding (default 2 MiB). */
  maxFileBytes?: number
  /**
   * Gitignore-style patterns, relative to the project, of files and folders the scan skips
   * (`exclude` of [tool.migrate]): `migrations/`, `tests/**`, `legacy_*.py`.
   */
  exclude?: readonly string[]
}

const SKIPPED_FOLDERS = new Set(['node_modules', '__pycache__', 'site-packages', 'build', 'dist', 'venv', 'env'])

/**
 * Walks the project for `.py` files, skipping virtualenvs, caches, hidden and build folders and
 * what `.gitignore` excludes. Unreadable files become findings; the scan goes on without them.
 * Symlinks are followed only when they stay inside the project: a link to `/`, to `..` or to a
 * file elsewhere is a finding, never read. Line ends are read as Python reads them (`\r\n` and
 * `\r` are `\n`).
 */
export function scanProject(root: string, options: ScanOptions = {}): ScanResult {
  const maxFileBytes = options.maxFileBytes ?? 2 * 1024 * 1024
  const excluded = parseGitignore((options.exclude ?? []).join('\n'), '')
  const findings: Finding[] = []
  const pythonFiles: string[] = []
  const packageDirs = new Set<string>()
  const visitedRealDirs = new Set<string>()
  let rootReal: string
  try {
    rootReal = realpathSync(root)
  } catch {
    rootReal = root
  }
  /** Where a symlink leads, when that is outside the project; null when it stays inside. */
  const outside = (absolutePath: string): string | null => {
    let target: string
    try {
      target = realpathSync(absolutePath)
    } catch {
      return absolutePath
    }
    const rel = relative(rootReal, target)
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) ? null : target
  }

  const walk = (relativeDir: string, ignore: IgnorePattern[]): void => {
    const absoluteDir = relativeDir === '' ? root : join(root, relativeDir)
    let realDir: string
    try {
      realDir = realpathSync(absoluteDir)
    } catch {
      return
    }
    if (visitedRealDirs.has(realDir)) return
    visitedRealDirs.add(realDir)
    let entries: string[]
    try {
      entries = readdirSync(absoluteDir).sort()
    } catch {
      findings.push(fileFinding('skipped-file', relativeDir || '.', 'folder could not be read'))
      return
    }
    if (entries.includes('pyvenv.cfg')) return
    let patterns = ignore
    if (entries.includes('.gitignore')) {
      try {
        patterns = [...ignore, ...parseGitignore(readFileSync(join(absoluteDir, '.gitignore'), 'utf8'), relativeDir)]
      } catch {
        // An unreadable .gitignore ignores nothing.
      }
    }
    if (entries.includes('__init__.py')) packageDirs.add(relativeDir)
    for (const name of entries) {
      const relativePath = relativeDir === '' ? name : `${relativeDir}/${name}`
      const absolutePath = join(absoluteDir, name)
      let stats
      let link = false
      try {
        stats = lstatSync(absolutePath)
        link = stats.isSymbolicLink()
        if (link) stats = statSync(absolutePath)
      } catch {
        continue // a dangling link
      }
      if (stats.isDirectory()) {
        if (name.startsWith('.') || SKIPPED_FOLDERS.has(name) || name.endsWith('.egg-info')) continue
        if (isIgnored(patterns, relativePath, true) || isIgnored(excluded, relativePath, true)) continue
        if (link && outside(absolutePath) !== null) {
          findings.push(fileFinding('skipped-file', relativePath, 'skipped: a symlink to a folder outside the project; not followed'))
          continue
        }
        walk(relativePath, patterns)
      } else if (stats.isFile() && name.endsWith('.py')) {
        if (isIgnored(patterns, relativePath, false) || isIgnored(excluded, relativePath, false)) continue
        if (link && outside(absolutePath) !== null) {
          findings.push(fileFinding('skipped-file', relativePath, 'skipped: a symlink to a file outside the project; not read'))
          continue
        }
        if (stats.size > maxFileBytes) {
          findings.push(fileFinding('skipped-file', relativePath, `skipped: ${stats.size} bytes is over the ${maxFileBytes}-byte limit`))
          continue
        }
        pythonFiles.push(relativePath)
      }
    }
  }
  // .git/info/exclude (a project that is a repository's root): ignored as git ignores it, below every .gitignore.
  let infoExclude: IgnorePattern[] = []
  try {
    infoExclude = parseGitignore(readFileSync(join(root, '.git', 'info', 'exclude'), 'utf8'), '')
  } catch {
    // None.
  }
  walk('', infoExclude)

  const files: ScannedFile[] = []
  const decoder = new TextDecoder('utf-8', { fatal: true })
  for (const file of pythonFiles) {
    let bytes: Buffer
    try {
      bytes = readFileSync(join(root, file))
    } catch {
      findings.push(fileFinding('skipped-file', file, 'file could not be read'))
      continue
    }
    if (bytes.includes(0)) {
      findings.push(fileFinding('skipped-file', file, 'skipped: the file holds NUL bytes, not Python source'))
      continue
    }
    let source: string
    try {
      source = decoder.decode(bytes)
    } catch {
      findings.push(fileFinding('skipped-file', file, 'skipped: the file is not valid UTF-8'))
      continue
    }
    if (source.startsWith('\uFEFF')) source = source.slice(1)
    if (source.includes('\r')) source = source.replace(/\r\n?/g, '\n')
    const { module, isPackage } = moduleNameFor(file, packageDirs)
    files.push({ file, module, isPackage, source })
  }
  return { files, findings }
}

/** `a/b/c.py` is `a.b.c` when `a/` and `a/b/` are packages; the chain stops at the first folder without `__init__.py`. */
export function moduleNameFor(file: string, packageDirs: Set<string>): { module: string; isPackage: boolean } {
  const parts = file.split('/')
  const base = parts.pop()!.replace(/\.py$/, '')
  const isPackage = base === '__init__'
  const names: string[] = isPackage ? [] : [base]
  while (parts.length > 0 && packageDirs.has(parts.join('/'))) names.unshift(parts.pop()!)
  if (names.length === 0) names.push(parts.at(-1) ?? base)
  return { module: names.join('.'), isPackage }
}

function fileFinding(ruleId: string, file: string, message: string): Finding {
  return { ruleId, severity: 'warning', message, location: { file, line: 1, column: 1 } }
}
