import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Finding } from '../../src/ir/types.js'
import { applySuppressions, buildReport, directivesOf, fingerprintFindings, normalizeSnippet, renderJson } from '../../src/report/index.js'
import { sampleProject } from '../emit/fixture.js'
import { validate } from './json-schema.js'

const SCHEMA = JSON.parse(readFileSync(resolve(__dirname, '../../schema/migration-report.schema.json'), 'utf8')) as Record<string, unknown>

const finding = (ruleId: string, line: number, extra: Partial<Finding> = {}): Finding => ({ ruleId, severity: 'error', message: 'm', location: { file: 'app.py', line, column: 1 }, ...extra })

describe('# migrate: ignore directives', () => {
  it.each([
    ['x = 1  # migrate: ignore', [{ file: false, rules: null, column: 8 }]],
    ['x = 1  # migrate: ignore[a-rule, other] because', [{ file: false, rules: ['a-rule', 'other'], column: 8 }]],
    ['#migrate:ignore-file[a]', [{ file: true, rules: ['a'], column: 1 }]],
    ['# MIGRATE: IGNORE-FILE', [{ file: true, rules: null, column: 1 }]],
    ['# migrate: ignored', []],
    ['# migrate: ignore-this', []],
    ['# migrate: ignore[unclosed', []],
    ['# migrate: ignore[]', [{ file: false, rules: [], column: 1 }]],
    ['x = 1  # noqa', []],
  ])('%s', (line, expected) => {
    expect(directivesOf(line)).toEqual(expected)
  })

  it('an empty list suppresses nothing; a finding without a source is never suppressed by a comment', () => {
    const source = 'a = 1  # migrate: ignore[]\n'
    expect(applySuppressions([finding('r', 1)], { sourceOf: () => source }).suppressed).toEqual([])
    expect(applySuppressions([finding('r', 1)], { sourceOf: () => undefined, disable: { rules: ['r'], file: '.migrate.toml' } }).suppressed).toHaveLength(1)
  })
})

describe('fingerprints', () => {
  it('do not depend on the line number, the column or the spacing; do on rule, file, endpoint and the line', () => {
    const one = fingerprintFindings([finding('r', 2)], () => 'import os\nx = f(1)\n')[0]!.fingerprint
    expect(fingerprintFindings([finding('r', 5, { location: { file: 'app.py', line: 5, column: 9 } })], () => '\n\n\n\n  x  =  f(1)   # migrate: ignore[r]\n')[0]!.fingerprint).toBe(one)
    expect(one).toMatch(/^[0-9a-f]{32}:1$/)
    for (const other of [finding('s', 2), finding('r', 2, { endpoint: 'e' }), finding('r', 2, { location: { file: 'b.py', line: 2, column: 1 } })]) {
      expect(fingerprintFindings([other], () => 'import os\nx = f(1)\n')[0]!.fingerprint).not.toBe(one)
    }
    expect(fingerprintFindings([finding('r', 2)], () => 'import os\nx = f(2)\n')[0]!.fingerprint).not.toBe(one)
  })

  it('hash the line with secrets redacted', () => {
    const secret = 'hunter2-very-secret'
    const withSecret = fingerprintFindings([finding('r', 1)], () => `PASSWORD = "${secret}"\n`, (text) => text.replaceAll(secret, '<redacted>'))
    const redacted = fingerprintFindings([finding('r', 1)], () => 'PASSWORD = "<redacted>"\n')
    expect(withSecret[0]!.fingerprint).toBe(redacted[0]!.fingerprint)
    expect(normalizeSnippet('  a\t=  1  # migrate: ignore ')).toBe('a = 1')
  })
})

describe('the report with suppressed findings', () => {
  it('lists them apart, counts them, and matches the JSON schema', () => {
    const ir = sampleProject()
    const app = ir.apps[0]!
    const source = 'import os\n# migrate: ignore[r-one]\nx = 1\ny = 2\n'
    const report = buildReport({
      ir,
      app,
      findings: [finding('r-one', 3), finding('r-two', 4, { severity: 'warning' }), finding('r-three', 4, { severity: 'info' })],
      routes: app.routes.map((route) => ({ endpoint: route.endpoint, rule: route.rule, status: 'migrated' as const, reasons: [] })),
      files: [],
      sourceOf: () => source,
      disable: { rules: ['r-three'], file: 'pyproject.toml' },
    })
    expect(report.findings.map((item) => item.ruleId)).toEqual(['r-two'])
    expect(report.suppressed.map((item) => [item.ruleId, item.suppression.kind])).toEqual([
      ['r-one', 'line'],
      ['r-three', 'config'],
    ])
    expect(report.summary.findings).toEqual({ error: 0, warning: 1, info: 0 })
    expect(report.summary.suppressed).toBe(2)
    expect(report.rules.map((rule) => rule.id)).toEqual(['r-two'])
    expect(validate(SCHEMA, JSON.parse(renderJson(report)))).toEqual([])
  })
})
