/**
 * The extension mappings of rules/extensions/ as ast-grep tests its rules: every `valid` case
 * migrates with every view carried over and no finding (else "noisy"), every `invalid` case
 * leaves at least one error finding and a stubbed view (else "missing": a divergence not reported).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { defaultStages, runPipeline } from '../../src/pipeline.js'

const dir = join(dirname(new URL(import.meta.url).pathname), '..', '..', 'rules', 'extensions')
const mappings = readdirSync(dir)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => ({ file: name, ...(parse(readFileSync(join(dir, name), 'utf8')) as { extension: string; tests?: { valid: string[]; invalid: string[] } }) }))

async function migrate(source: string): Promise<{ errors: string[]; stubs: number }> {
  const input = mkdtempSync(join(tmpdir(), 'migrate-extension-rule-'))
  try {
    writeFileSync(join(input, 'app.py'), source)
    const result = await runPipeline({ input }, await defaultStages())
    if (!result.ok) throw new Error(result.error.message)
    const report = result.result.report
    return {
      errors: report.findings.filter((finding) => finding.severity === 'error').map((finding) => `${finding.ruleId}: ${finding.message}`),
      // A static rule whose folder is the extension's own (Flask-RESTX's Swagger UI files) is reported by a warning, not a view.
      stubs: report.routes.filter((route) => route.status === 'stub' && !(route.reasons?.length === 1 && route.reasons[0] === 'static-files-not-migrated')).length,
    }
  } finally {
    rmSync(input, { recursive: true, force: true })
  }
}

for (const mapping of mappings.filter((candidate) => candidate.tests !== undefined)) {
  describe(`rules/extensions/${mapping.file} (${mapping.extension})`, () => {
    mapping.tests!.valid.forEach((source, index) => {
      it(`carries valid case ${index + 1} over whole (else: noisy)`, async () => {
        expect(await migrate(source)).toEqual({ errors: [], stubs: 0 })
      }, 60_000)
    })
    mapping.tests!.invalid.forEach((source, index) => {
      it(`reports invalid case ${index + 1} and stubs its view (else: missing)`, async () => {
        const outcome = await migrate(source)
        expect(outcome.errors.length).toBeGreaterThan(0)
        expect(outcome.stubs).toBeGreaterThan(0)
      }, 60_000)
    })
  })
}
