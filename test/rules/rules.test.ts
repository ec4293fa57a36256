import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { loadProject } from '../../src/analyze/index.js'
import { HIDES_ROUTES } from '../../src/ir/findings.js'
import { defaultStages, runPipeline } from '../../src/pipeline.js'
import { projectFileReader } from '../../src/translate/flask/resources.js'
import { translateProject } from '../../src/translate/index.js'

/**
 * typescript-eslint's docs test and ast-grep's rule tests in one: every rule id the code can
 * report has a rules/<id>.yaml with docs and cases, every `invalid` case makes it fire
 * ("missing" otherwise) and every `valid` case keeps it silent ("noisy" otherwise).
 */
type Case = string | { files: Record<string, string | { base64: string }> }
interface Rule {
  id: string
  severity: 'error' | 'warning' | 'info'
  stage: string
  message: string
  docs: { what: string; why: string; example: string; how_to_migrate?: string }
  tests: { valid: Case[]; invalid: Case[] }
  /** Why a rule has no invalid case (a defect detector that must never fire on real input). */
  untested_reason?: string
  /** Its findings mean the analysis may have missed routes (src/ir/findings.ts HIDES_ROUTES). */
  hides_routes?: boolean
}

const repo = join(dirname(new URL(import.meta.url).pathname), '..', '..')
const rulesDir = join(repo, 'rules')
const rules: Rule[] = readdirSync(rulesDir)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => ({ ...(parse(readFileSync(join(rulesDir, name), 'utf8')) as Rule), file: name }))

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'runtime' ? [] : sourceFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : []
  })
}

function ruleIdsInCode(): Set<string> {
  const ids = new Set<string>()
  const patterns = [/ruleId:\s*'([a-z0-9-]+)'/g, /[fF]inding\(\s*'([a-z0-9-]+)'/g]
  for (const file of sourceFiles(join(repo, 'src'))) {
    const text = readFileSync(file, 'utf8')
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) ids.add(match[1]!)
  }
  return ids
}

function writeCase(testCase: Case): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-rule-'))
  const files = typeof testCase === 'string' ? { 'app.py': testCase } : testCase.files
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), typeof content === 'string' ? content : Buffer.from(content.base64, 'base64'))
  }
  return dir
}

async function firedRuleIds(testCase: Case, stage: string): Promise<string[]> {
  const dir = writeCase(testCase)
  try {
    if (stage === 'emit') {
      const result = await runPipeline({ input: dir }, await defaultStages())
      if (!result.ok) return [`(pipeline failed: ${result.error.message})`]
      return result.result.report.findings.map((finding) => finding.ruleId)
    }
    const result = loadProject(dir)
    if (!result.ok) return [`(load failed: ${result.error.message})`]
    const ids = result.project.ir.findings.map((finding) => finding.ruleId)
    if (stage !== 'translate') return ids
    const app = result.project.ir.apps.find((candidate) => candidate.id === result.project.ir.selectedApp)!
    // The project's other files (templates, resources) readable as the pipeline makes them.
    const translation = translateProject({ modules: result.project.modules, app, readFile: projectFileReader(dir) })
    return [...ids, ...translation.findings.map((finding) => finding.ruleId)]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('rule catalogue', () => {
  it('has a rules/<id>.yaml for every rule id the code reports', () => {
    const documented = new Set(rules.map((rule) => rule.id))
    const missing = [...ruleIdsInCode()].filter((id) => !documented.has(id)).sort()
    expect(missing).toEqual([])
  })

  for (const rule of rules) {
    describe(rule.id, () => {
      it('is well formed and documented', () => {
        expect((rule as Rule & { file: string }).file).toBe(`${rule.id}.yaml`)
        expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
        expect(['error', 'warning', 'info']).toContain(rule.severity)
        expect(rule.message.length).toBeGreaterThan(10)
        expect(rule.docs.what.length).toBeGreaterThan(10)
        expect(rule.docs.why.length).toBeGreaterThan(10)
        expect(rule.docs.example.length).toBeGreaterThan(0)
        if (rule.severity !== 'info') expect(rule.docs.how_to_migrate?.length ?? 0).toBeGreaterThan(10)
        if (rule.untested_reason === undefined) expect(rule.tests.invalid.length).toBeGreaterThan(0)
        expect(rule.tests.valid.length).toBeGreaterThan(0)
      })

      if (!['scan', 'parse', 'analyze', 'translate', 'emit'].includes(rule.stage)) return
      rule.tests.invalid.forEach((testCase, index) => {
        it(`fires on invalid case ${index + 1} (else: missing)`, async () => {
          expect(await firedRuleIds(testCase, rule.stage)).toContain(rule.id)
        })
      })
      rule.tests.valid.forEach((testCase, index) => {
        it(`stays silent on valid case ${index + 1} (else: noisy)`, async () => {
          expect(await firedRuleIds(testCase, rule.stage)).not.toContain(rule.id)
        })
      })
    })
  }
})

it('the rules whose findings hide routes are the ones the readiness counts (hides_routes: true ⇔ HIDES_ROUTES)', () => {
  expect(rules.filter((rule) => rule.hides_routes === true).map((rule) => rule.id).sort()).toEqual([...HIDES_ROUTES].sort())
})
