import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// fixtures/acceptance and test/oracle/scenario are the project's own copies of ../shared/acceptance
// and ../shared/tools, so that a clone stands alone. When ../shared is beside the clone, they must
// not have drifted from it: copy the folder again when this fails.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const shared = resolve(repoRoot, '..', 'shared')

function files(root: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === '__pycache__' || entry.name.endsWith('.pyc')) continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else out.set(relative(root, path), readFileSync(path, 'utf8'))
    }
  }
  walk(root)
  return out
}

describe('the copies of ../shared', () => {
  it.skipIf(!existsSync(join(shared, 'acceptance')))('fixtures/acceptance is identical to ../shared/acceptance (skipped when no ../shared is beside the clone)', () => {
    expect(files(join(repoRoot, 'fixtures', 'acceptance'))).toEqual(files(join(shared, 'acceptance')))
  })

  it.skipIf(!existsSync(join(shared, 'tools')))('test/oracle/scenario holds ../shared/tools unchanged (skipped when no ../shared is beside the clone)', () => {
    const ours = files(join(repoRoot, 'test', 'oracle', 'scenario'))
    for (const [name, text] of files(join(shared, 'tools'))) expect(ours.get(name), name).toBe(text)
  })
})
