import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { parse, TomlError } from 'smol-toml'
import type { UserError } from '../pipeline.js'
import { RULES_DIR } from '../report/index.js'

export const FAIL_ON = ['error', 'warning', 'info', 'never'] as const
export type FailOn = (typeof FAIL_ON)[number]

/**
 * `[tool.migrate]` of the Flask project's pyproject.toml, or its `.migrate.toml` (the same keys at
 * the top level; it wins when both exist, as ruff's .ruff.toml does). Paths are relative to the
 * project folder. Command-line options win over each key.
 */
export interface ProjectConfig {
  /** The file it came from, relative to the project: `pyproject.toml` or `.migrate.toml`. */
  file: string
  app?: string
  /** Gitignore-style globs of files and folders the scan skips. */
  exclude: string[]
  /** Rule ids whose findings are suppressed (listed as suppressed, not checked). */
  disable: string[]
  failOn?: FailOn
  minReadiness?: number
  /** The baseline file, relative to the project folder as written (resolved by the caller). */
  baseline?: string
}

const KEYS = ['app', 'exclude', 'disable', 'fail-on', 'min-readiness', 'baseline'] as const

/** The configuration of the project in `dir`; null when it has none. */
export function loadProjectConfig(dir: string): { ok: true; config: ProjectConfig | null } | { ok: false; error: UserError } {
  for (const file of ['.migrate.toml', 'pyproject.toml']) {
    const path = join(dir, file)
    if (!existsSync(path) || !statSync(path).isFile()) continue
    const bad = (message: string): { ok: false; error: UserError } => ({ ok: false, error: { message: `${path}: ${message}`, exitCode: 2 } })
    let data: Record<string, unknown>
    try {
      data = parse(readFileSync(path, 'utf8')) as Record<string, unknown>
    } catch (error) {
      if (error instanceof TomlError) return bad(`not valid TOML (line ${error.line}, column ${error.column}): ${error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '')}`)
      throw error
    }
    let table: unknown = data
    if (file === 'pyproject.toml') {
      const tool = data.tool
      table = tool !== null && typeof tool === 'object' ? (tool as Record<string, unknown>).migrate : undefined
      if (table === undefined) continue
    }
    const where = file === 'pyproject.toml' ? '[tool.migrate] ' : ''
    if (table === null || typeof table !== 'object' || Array.isArray(table)) return bad(`${where}must be a table`)
    const values = table as Record<string, unknown>
    const config: ProjectConfig = { file, exclude: [], disable: [] }
    for (const [key, value] of Object.entries(values)) {
      const name = `${where}${key}`
      switch (key as (typeof KEYS)[number]) {
        case 'app':
          if (typeof value !== 'string' || value.trim() === '') return bad(`${name}: expected a string such as "module:name"`)
          config.app = value
          break
        case 'exclude':
        case 'disable': {
          if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return bad(`${name}: expected an array of strings`)
          if (key === 'disable') {
            const known = knownRules()
            const unknown = value.filter((id) => !known.has(id))
            if (unknown.length > 0) return bad(`${name}: unknown rule id ${unknown.map((id) => JSON.stringify(id)).join(', ')} (the rule ids are the names of rules/*.yaml)`)
            config.disable = [...value]
          } else config.exclude = [...value]
          break
        }
        case 'fail-on':
          if (typeof value !== 'string' || !(FAIL_ON as readonly string[]).includes(value)) return bad(`${name}: expected one of ${FAIL_ON.join(', ')}`)
          config.failOn = value as FailOn
          break
        case 'min-readiness':
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) return bad(`${name}: expected an integer from 0 to 100`)
          config.minReadiness = value
          break
        case 'baseline':
          if (typeof value !== 'string' || value === '') return bad(`${name}: expected a file path`)
          if (isAbsolute(value)) return bad(`${name}: expected a path relative to the project folder`)
          config.baseline = value
          break
        default:
          return bad(`${name}: unknown key (known: ${KEYS.join(', ')})`)
      }
    }
    return { ok: true, config }
  }
  return { ok: true, config: null }
}

let rules: Set<string> | undefined

/** Rule ids: the names of rules/*.yaml. */
export function knownRules(): Set<string> {
  rules ??= new Set(
    readdirSync(RULES_DIR)
      .filter((name) => name.endsWith('.yaml'))
      .map((name) => name.slice(0, -'.yaml'.length)),
  )
  return rules
}
