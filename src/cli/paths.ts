import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { isInside } from '../emit/write.js'
import type { UserError } from '../pipeline.js'

/** The real path of `path`, following symlinks of the part that exists (so a symlinked --out is seen for what it is). */
export function realPath(path: string): string {
  const absolute = resolve(path)
  if (existsSync(absolute)) return realpathSync(absolute)
  const parent = dirname(absolute)
  return parent === absolute ? absolute : join(realPath(parent), basename(absolute))
}

/** The nearest part of `path` that exists (following symlinks), or null. */
function nearestExisting(path: string): string | null {
  for (let current = resolve(path); ; current = dirname(current)) {
    if (existsSync(current)) return current
    if (dirname(current) === current) return null
  }
}

/** A path that is to be created: the nearest existing part of it must be a folder. */
function parentProblem(option: string, path: string): UserError | null {
  const existing = nearestExisting(path)
  if (existing !== null && existing !== resolve(path) && !statSync(existing).isDirectory()) {
    return { message: `${option} ${path}: ${existing} is a file, not a folder`, exitCode: 2 }
  }
  return null
}

export function checkInputDir(dir: string): UserError | null {
  if (!existsSync(dir)) return { message: `${dir}: no such folder`, exitCode: 2 }
  if (!statSync(dir).isDirectory()) return { message: `${dir}: not a folder`, exitCode: 2 }
  return null
}

/**
 * --out must be a folder (or not exist yet), apart from the input: not the input, not inside
 * it, not containing it. Returns whether it holds anything already.
 */
export function checkOutDir(out: string, input: string): { error: UserError } | { nonEmpty: boolean } {
  const outReal = realPath(out)
  const inputReal = realPath(input)
  if (existsSync(outReal) && !statSync(outReal).isDirectory()) return { error: { message: `--out ${out}: is a file, not a folder`, exitCode: 2 } }
  const badParent = parentProblem('--out', out)
  if (badParent !== null) return { error: badParent }
  if (outReal === inputReal) return { error: { message: `--out ${out}: is the input folder; choose another folder`, exitCode: 2 } }
  if (isInside(outReal, inputReal)) return { error: { message: `--out ${out}: is inside the input folder ${input}; choose a folder outside it`, exitCode: 2 } }
  if (isInside(inputReal, outReal)) return { error: { message: `--out ${out}: contains the input folder ${input}; choose another folder`, exitCode: 2 } }
  return { nonEmpty: existsSync(outReal) && readdirSync(outReal).length > 0 }
}

/** --report / --emit-ir targets: a file path, never an existing folder. */
export function checkFileTarget(option: string, path: string): UserError | null {
  const real = realPath(path)
  if (existsSync(real) && statSync(real).isDirectory()) return { message: `${option} ${path}: is a folder, not a file`, exitCode: 2 }
  return parentProblem(option, path)
}

/**
 * What the project's paths are relative to in SARIF and GitHub annotations: the root of the git
 * repository that contains it (the nearest folder above it, or itself, with a `.git` folder or
 * file), with the project's folder in it as `prefix` (`services/api/`, '' at the root); without
 * one, the project folder itself.
 */
export function repositoryRoot(dir: string): { kind: 'repository' | 'project'; prefix: string } {
  const real = realPath(dir)
  for (let current = real; ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) {
      const inside = relative(current, real)
      return { kind: 'repository', prefix: inside === '' ? '' : `${inside.split(sep).join('/')}/` }
    }
    if (dirname(current) === current) return { kind: 'project', prefix: '' }
  }
}
