import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { scanProject } from '../../src/scan/index.js'

const temporary: string[] = []
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
})

function project(): { root: string; project: string; outside: string } {
  const root = mkdtempSync(join(tmpdir(), 'migrate-scan-'))
  temporary.push(root)
  const projectDir = join(root, 'project')
  const outside = join(root, 'outside')
  mkdirSync(projectDir)
  mkdirSync(outside)
  writeFileSync(join(projectDir, 'app.py'), 'from flask import Flask\napp = Flask(__name__)\n')
  writeFileSync(join(outside, 'victim.py'), 'SECRET = "outside the project"\n')
  return { root, project: projectDir, outside }
}

describe('symlinks are followed only inside the project (issue 13 items 6, 7)', () => {
  it('a link to / or to .. is not walked', () => {
    const { project: dir } = project()
    symlinkSync('/', join(dir, 'rootlink'))
    symlinkSync('..', join(dir, 'up'))
    mkdirSync(join(dir, 'pkg'))
    symlinkSync('../..', join(dir, 'pkg', 'upup'))
    const { files, findings } = scanProject(dir)
    expect(files.map((file) => file.file)).toEqual(['app.py'])
    expect(findings.map((finding) => [finding.ruleId, finding.location.file])).toEqual([
      ['skipped-file', 'pkg/upup'],
      ['skipped-file', 'rootlink'],
      ['skipped-file', 'up'],
    ])
    expect(findings[0]!.message).toContain('outside the project')
  }, 60_000)

  it('a .py link to a file outside the project is not read', () => {
    const { project: dir, outside } = project()
    symlinkSync(join(outside, 'victim.py'), join(dir, 'victim.py'))
    const { files, findings } = scanProject(dir)
    expect(files.map((file) => file.file)).toEqual(['app.py'])
    expect(files.some((file) => file.source.includes('outside the project'))).toBe(false)
    expect(findings).toEqual([expect.objectContaining({ ruleId: 'skipped-file', location: { file: 'victim.py', line: 1, column: 1 } })])
  })

  it('links that stay inside are followed, once', () => {
    const { project: dir } = project()
    mkdirSync(join(dir, 'pkg'))
    writeFileSync(join(dir, 'pkg', 'views.py'), 'X = 1\n')
    symlinkSync('pkg', join(dir, 'alias'))
    symlinkSync('.', join(dir, 'self'))
    symlinkSync('app.py', join(dir, 'also.py'))
    const { files, findings } = scanProject(dir)
    expect(findings).toEqual([])
    expect(files.map((file) => file.file)).toEqual(['alias/views.py', 'also.py', 'app.py'])
  })
})

it('\\r\\n and \\r end lines, as Python reads files', () => {
  const { project: dir } = project()
  writeFileSync(join(dir, 'crlf.py'), 'x = 1\r\ny = """a\r\nb"""\rz = 3\r')
  const file = scanProject(dir).files.find((scanned) => scanned.file === 'crlf.py')!
  expect(file.source).toBe('x = 1\ny = """a\nb"""\nz = 3\n')
})
