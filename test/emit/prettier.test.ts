import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { emitPrettierConfig } from '../../src/emit/format.js'
import { RUNTIME_DIR } from '../../src/emit/runtime-files.js'
import { defaultStages, runPipeline } from '../../src/pipeline.js'

/**
 * Emit copies the runtime (src/emit/runtime/) as it is, without formatting it on each run: the
 * repository keeps it formatted. Every file of an emitted service passes `prettier --check`
 * with the service's own configuration, the runtime included.
 */
const repo = join(dirname(new URL(import.meta.url).pathname), '..', '..')
const prettier = join(repo, 'node_modules/prettier/bin/prettier.cjs')
const fixtures = join(repo, 'fixtures')
// The fixtures whose services copy the most runtime modules (the runtime as a whole is checked in the repository).
const cases = ['handler-breadth', 'session-flash-static', 'tutorial-sqlite'].filter((name) => existsSync(join(fixtures, name, 'input')))
const outRoot = mkdtempSync(join(tmpdir(), 'migrate-prettier-'))
afterAll(() => rmSync(outRoot, { recursive: true, force: true }))

function prettierCheck(cwd: string, ...args: string[]): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [prettier, '--check', ...args], { cwd, encoding: 'utf8' })
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}

describe('prettier', () => {
  it('the runtime in the repository is formatted with the options of the services it is copied into', () => {
    expect(readFileSync(join(RUNTIME_DIR, '.prettierrc.json'), 'utf8')).toBe(emitPrettierConfig())
    const check = prettierCheck(RUNTIME_DIR, '*.ts')
    expect(check.output, 'the fix: npx prettier --write src/emit/runtime/*.ts').toContain('All matched files use Prettier code style!')
    expect(check.status).toBe(0)
  })

  for (const name of cases) {
    it(`every file emitted for fixtures/${name} passes prettier --check`, async () => {
      const result = await runPipeline({ input: join(fixtures, name, 'input') }, await defaultStages())
      if (!result.ok) throw new Error(result.error.message)
      const service = join(outRoot, name)
      for (const [path, content] of result.result.files) {
        mkdirSync(dirname(join(service, path)), { recursive: true })
        writeFileSync(join(service, path), content)
      }
      expect([...result.result.files.keys()].filter((path) => path.startsWith('src/lib/')).length).toBeGreaterThan(0)
      const check = prettierCheck(service, '.')
      expect(check.output).toContain('All matched files use Prettier code style!')
      expect(check.status).toBe(0)
    }, 120_000)
  }
})
