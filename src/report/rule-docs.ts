import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** The rule documentation of this repository (`rules/<id>.yaml`), beside src/ at the package root. */
export const RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url))

/** What the HTML report shows of a rule's `rules/<id>.yaml`; each field only when the file has it. */
export interface RuleDoc {
  id: string
  message?: string
  what?: string
  why?: string
  example?: string
  howToMigrate?: string
}

const RULE_ID = /^[a-z0-9][a-z0-9-]*$/
const cache = new Map<string, RuleDoc | null>()

/**
 * The documentation of each rule id that has a readable `rules/<id>.yaml` in `dir`, by id. Ids
 * that are not rule names, missing files and files that are not YAML are left out: the report
 * then points at the file only. Read once per process.
 */
export function loadRuleDocs(ids: Iterable<string>, dir: string = RULES_DIR): Map<string, RuleDoc> {
  const docs = new Map<string, RuleDoc>()
  for (const id of [...new Set(ids)].sort()) {
    if (!RULE_ID.test(id)) continue
    const key = `${dir}\0${id}`
    if (!cache.has(key)) cache.set(key, readRuleDoc(id, dir))
    const doc = cache.get(key)
    if (doc !== null && doc !== undefined) docs.set(id, doc)
  }
  return docs
}

function readRuleDoc(id: string, dir: string): RuleDoc | null {
  let data: unknown
  try {
    data = parse(readFileSync(join(dir, `${id}.yaml`), 'utf8'))
  } catch {
    return null
  }
  if (data === null || typeof data !== 'object') return null
  const record = data as Record<string, unknown>
  const docs = (record.docs !== null && typeof record.docs === 'object' ? record.docs : {}) as Record<string, unknown>
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined)
  const doc: RuleDoc = { id }
  const fields: [keyof RuleDoc, unknown][] = [
    ['message', record.message],
    ['what', docs.what],
    ['why', docs.why],
    ['example', docs.example],
    ['howToMigrate', docs.how_to_migrate],
  ]
  for (const [field, value] of fields) {
    const found = text(value)
    if (found !== undefined) doc[field] = found
  }
  return doc
}
