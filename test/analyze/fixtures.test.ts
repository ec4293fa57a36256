import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadProject } from '../../src/analyze/index.js'

/**
 * jscodeshift-style fixtures: fixtures/<case>/input is a Flask app, snapshots/1-ir.json the IR
 * the analyzer must produce. `UPDATE_SNAPSHOTS=1 npx vitest run test/analyze` rewrites them;
 * review the diff like any other change. fixtures/_error_/<case> must fail with expected.json.
 */
const fixtures = join(dirname(new URL(import.meta.url).pathname), '..', '..', 'fixtures')
const cases = readdirSync(fixtures).filter((name) => !name.startsWith('_') && existsSync(join(fixtures, name, 'input'))).sort()
const errorCases = readdirSync(join(fixtures, '_error_')).sort()

describe('analyze: IR snapshots', () => {
  for (const name of cases) {
    it(name, () => {
      const result = loadProject(join(fixtures, name, 'input'))
      if (!result.ok) throw new Error(result.error.message)
      const actual = JSON.stringify(result.project.ir, null, 2) + '\n'
      const snapshot = join(fixtures, name, 'snapshots', '1-ir.json')
      if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(snapshot)) {
        mkdirSync(dirname(snapshot), { recursive: true })
        writeFileSync(snapshot, actual)
      }
      expect(actual).toBe(readFileSync(snapshot, 'utf8'))
    })
  }

  it('is deterministic: two runs give byte-identical IR', () => {
    const once = JSON.stringify(loadProject(join(fixtures, 'analyze-edge-cases', 'input')))
    const twice = JSON.stringify(loadProject(join(fixtures, 'analyze-edge-cases', 'input')))
    expect(twice).toBe(once)
  })
})

describe('analyze: inputs that must fail cleanly', () => {
  for (const name of errorCases) {
    it(name, () => {
      const expected = JSON.parse(readFileSync(join(fixtures, '_error_', name, 'expected.json'), 'utf8')) as { exitCode: number; message: string }
      const result = loadProject(join(fixtures, '_error_', name, 'input'))
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.error.exitCode).toBe(expected.exitCode)
      expect(result.error.message).toContain(expected.message)
      expect(result.error.message).not.toContain('\n')
    })
  }
})
