import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'

/**
 * Every fixture through the whole pipeline: the report snapshots (2-report.json, 3-report.md)
 * hold, and the emitted service type-checks under strict and passes its own smoke test (each
 * migrated GET route answers below 500 and not 501). `UPDATE_SNAPSHOTS=1` rewrites snapshots.
 */
const repo = join(dirname(new URL(import.meta.url).pathname), '..', '..')
const fixtures = join(repo, 'fixtures')
const cases = readdirSync(fixtures).filter((name) => !name.startsWith('_') && existsSync(join(fixtures, name, 'input'))).sort()
const outRoot = mkdtempSync(join(tmpdir(), 'migrate-fixtures-'))
afterAll(() => rmSync(outRoot, { recursive: true, force: true }))

function checkSnapshot(path: string, actual: string): void {
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, actual)
  }
  expect(actual, relative(repo, path)).toBe(readFileSync(path, 'utf8'))
}

describe('fixtures: report snapshots and a service that compiles and answers', () => {
  for (const name of cases) {
    it(name, async () => {
      const result = await runPipeline({ input: join(fixtures, name, 'input') }, await defaultStages())
      if (!result.ok) throw new Error(result.error.message)
      const files = result.result.files
      checkSnapshot(join(fixtures, name, 'snapshots', '2-report.json'), files.get('migration-report.json')!)
      checkSnapshot(join(fixtures, name, 'snapshots', '3-report.md'), files.get('MIGRATION_REPORT.md')!)

      const service = join(outRoot, name)
      for (const [path, content] of [...files, ...result.result.emitted.assets]) {
        mkdirSync(dirname(join(service, path)), { recursive: true })
        writeFileSync(join(service, path), content)
      }
      symlinkSync(join(repo, 'node_modules'), join(service, 'node_modules'))
      const tsc = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', service], { encoding: 'utf8' })
      expect(tsc.stdout + tsc.stderr, 'tsc --noEmit under strict').toBe('')
      expect(tsc.status).toBe(0)
      // A fixture's env.json (the secrets a deployment sets, as for the scenario) is the smoke test's environment too.
      const envFile = join(fixtures, name, 'env.json')
      const env = existsSync(envFile)
        ? Object.fromEntries(Object.entries(JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, string>).filter(([key]) => !key.startsWith('$')).map(([key, value]) => [key, value.replaceAll('{tmp}', service)]))
        : {}
      const smoke = spawnSync(process.execPath, ['--import', 'tsx', '--test', 'test/smoke.test.ts'], { cwd: service, encoding: 'utf8', env: { ...process.env, ...env, NODE_ENV: 'test' } })
      expect(smoke.stdout, smoke.stderr).toContain('# fail 0')
      expect(smoke.status).toBe(0)
    }, 120_000)
  }
})

/** Every file under `dir` with its size and mtime: a change anywhere shows. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name)
      const stats = statSync(path)
      out.set(relative(dir, path), `${stats.size}:${stats.mtimeMs}`)
      if (entry.isDirectory()) walk(path)
    }
  }
  walk(dir)
  return out
}

describe('--dry-run on the acceptance app', () => {
  const inventory = join(repo, 'fixtures', 'acceptance', 'inventory')
  it('changes no file in the app, the working folder or the repository', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'migrate-dry-run-'))
    const beforeApp = tree(inventory)
    const beforeRepo = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: repo, encoding: 'utf8' })
    const run = spawnSync(process.execPath, [join(repo, 'bin/migrate.js'), inventory, '--dry-run'], { cwd, encoding: 'utf8' })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toContain('readiness 100%')
    expect(tree(inventory)).toEqual(beforeApp)
    expect(readdirSync(cwd)).toEqual([])
    expect(execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: repo, encoding: 'utf8' })).toBe(beforeRepo)
  })
})
