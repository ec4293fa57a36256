import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runVerify } from '../../src/verify/index.js'

// Acceptance: every app of ../shared/acceptance, migrated by the CLI, must answer its
// scenario.jsonl exactly as Flask does (src/verify's comparison).

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const acceptanceDir = resolve(repoRoot, '../shared/acceptance')
const hasFlask = spawnSync('/usr/bin/python3', ['-c', 'import flask'], { stdio: 'ignore' }).status === 0
if (!hasFlask) {
  console.error(
    '\n*** SKIPPING test/verify/acceptance.test.ts: /usr/bin/python3 cannot import flask (apt-get install -y python3-flask) ***\n',
  )
}

const sharedApps = existsSync(acceptanceDir)
  ? readdirSync(acceptanceDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(acceptanceDir, entry.name, 'scenario.jsonl')))
      .map((entry) => entry.name)
      .sort()
  : []
// The README's bundled demo, and the fixtures written to exercise one area end to end against
// Flask, are held to the same standard (each scenario sits beside its input).
const fixturesDir = join(repoRoot, 'fixtures')
const repoFixtures = readdirSync(fixturesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(fixturesDir, entry.name, 'scenario.jsonl')))
  .map((entry) => entry.name)
  .sort()
  .map((fixture) => ({
    name: `fixtures/${fixture}`,
    appDir: join(fixturesDir, fixture, 'input'),
    scenario: join(fixturesDir, fixture, 'scenario.jsonl'),
  }))
const apps = [...sharedApps.map((name) => ({ name, appDir: join(acceptanceDir, name), scenario: join(acceptanceDir, name, 'scenario.jsonl') })), ...repoFixtures]

const outRoot = mkdtempSync(join(tmpdir(), 'migrate-acceptance-'))
afterAll(() => rmSync(outRoot, { recursive: true, force: true }))

describe.skipIf(!hasFlask)('acceptance apps', () => {
  it(`finds the acceptance apps in ${acceptanceDir}`, () => {
    expect(sharedApps.length).toBeGreaterThan(0)
    expect(repoFixtures.map((f) => f.name)).toEqual(expect.arrayContaining(['fixtures/demo', 'fixtures/blueprint-hooks', 'fixtures/python-semantics']))
  })

  it.each(apps)(
    '$name: the migrated service answers the scenario as Flask does',
    async ({ name, appDir, scenario }) => {
      const serviceDir = join(outRoot, name.replace(/\//g, '-'))
      const migrate = spawnSync(process.execPath, ['bin/migrate.js', appDir, '--out', serviceDir, '--force'], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 300_000,
      })
      expect(migrate.status, `migrate failed:\n${migrate.stdout}\n${migrate.stderr}`).toBe(0)

      const lines: string[] = []
      const code = await runVerify({
        flaskDir: appDir,
        serviceDir,
        scenario,
        python: '/usr/bin/python3',
        linkNodeModules: join(repoRoot, 'node_modules'),
        output: (line) => lines.push(line),
      })
      const summary = lines.at(-1) ?? ''
      expect(summary, lines.join('\n')).toMatch(/^\d+ passed, 0 failed$/)
      expect(code, lines.join('\n')).toBe(0)
    },
    600_000,
  )
})
