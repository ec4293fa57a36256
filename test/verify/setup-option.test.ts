import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { runVerify } from '../../src/verify/index.js'

// `migrate verify --setup <command>`: what a deployment runs before it starts (`flask init-db`, a
// schema, a seed), run for each side with that side's environment; with --legacy the service and
// the Flask app it forwards to share one run, as they share the database.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const python = '/usr/bin/python3'
const hasFlask = spawnSync(python, ['-c', 'import flask'], { stdio: 'ignore' }).status === 0
if (!hasFlask && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import Flask, the oracle of test/verify/setup-option.test.ts')
const fixture = join(repoRoot, 'fixtures', 'routing-same-rule')
const root = mkdtempSync(join(tmpdir(), 'verify-setup-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('migrate verify --setup', () => {
  it('hands the command to runVerify', async () => {
    const calls: unknown[] = []
    const code = await main(['verify', join(fixture, 'input'), '--out', root, '--setup', '$PYTHON -m flask init-db'], {
      stdout: () => {},
      stderr: () => {},
      env: {},
      runVerify: async (options) => {
        calls.push(options)
        return 0
      },
    })
    expect(code).toBe(0)
    expect(calls).toEqual([expect.objectContaining({ setup: '$PYTHON -m flask init-db' })])
  })

  it.skipIf(!hasFlask)('stops with exit status 2 and the command\'s output when it fails, before anything is built', async () => {
    const lines: string[] = []
    const code = await runVerify({
      flaskDir: join(fixture, 'input'),
      serviceDir: root,
      scenario: join(fixture, 'scenario.jsonl'),
      setup: 'echo "no database server" >&2; exit 3',
      python,
      output: (line) => lines.push(line),
    })
    expect(code).toBe(2)
    expect(lines.at(-1)).toMatch(/^migrate: --setup failed for flask-1 \(exit status 3\): no database server$/)
  })

  it.skipIf(!hasFlask)(
    "runs once per side before it starts, in the project folder, with the side's environment, FLASK_APP and PYTHON (--legacy: one run for the service and its Flask app)",
    async () => {
      const serviceDir = join(root, 'service')
      const migrated = spawnSync(process.execPath, ['bin/migrate.js', join(fixture, 'input'), '--out', serviceDir, '--force'], { cwd: repoRoot, encoding: 'utf8' })
      expect(migrated.status, migrated.stderr).toBe(0)
      const log = join(root, 'setup.log')
      const lines: string[] = []
      const code = await runVerify({
        flaskDir: join(fixture, 'input'),
        serviceDir,
        scenario: join(fixture, 'scenario.jsonl'),
        legacy: true,
        app: 'app:app',
        env: { SIDE_FOLDER: '{tmp}' },
        setup: `echo "$(basename "$SIDE_FOLDER") $FLASK_APP $PYTHON $(basename "$PWD")" >> ${JSON.stringify(log)}`,
        python,
        linkNodeModules: join(repoRoot, 'node_modules'),
        output: (line) => lines.push(line),
      })
      expect(code, lines.join('\n')).toBe(0)
      expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([`flask-1 app:app ${python} input`, `service-1 app:app ${python} input`])
    },
    300_000,
  )
})
