import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { readRuntimeFiles } from '../../src/emit/runtime-files.js'
import { checkWriteTargets, WriteRefused } from '../../src/emit/write.js'
import type { Stages } from '../../src/pipeline.js'

/** Issue 13 items 5–7: what the CLI must refuse before writing, what --force may remove, one-line errors. */
const REPO = resolve(__dirname, '../..')
const temporary: string[] = []
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-safety-'))
  temporary.push(dir)
  return dir
}

const FLASK_APP = 'from flask import Blueprint, Flask\n\napp = Flask(__name__)\nbp = Blueprint("api", __name__, url_prefix="/api")\n\n\n@bp.route("/items")\ndef items():\n    return "items"\n\n\n@app.route("/")\ndef index():\n    return "hi"\n\n\napp.register_blueprint(bp)\n'

function workspace(): { root: string; input: string; out: string; outside: string } {
  const root = tempDir()
  const input = join(root, 'app')
  mkdirSync(input)
  writeFileSync(join(input, 'app.py'), FLASK_APP)
  const outside = join(root, 'outside')
  mkdirSync(outside)
  writeFileSync(join(outside, 'secret.txt'), 'keep me')
  return { root, input, out: join(root, 'out'), outside }
}

async function run(argv: string[], context: Partial<Parameters<typeof main>[1]> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {}, ...context })
  return { code, stdout, stderr }
}

/** Every file under `dir` (symlinks not followed) with its content hash. */
function files(dir: string): Record<string, string> {
  const result: Record<string, string> = {}
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name)
      const key = relative(dir, path)
      const stats = statSync(path, { throwIfNoEntry: false })
      if (stats === undefined) result[key] = 'dangling'
      else if (stats.isDirectory()) walk(path)
      else result[key] = createHash('sha256').update(readFileSync(path)).digest('hex')
    }
  }
  if (existsSync(dir)) walk(dir)
  return result
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

function oneLine(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /)
  expect(stderr.trim().split('\n')).toHaveLength(1)
}

describe('--force removes only what the tool wrote (item 7)', () => {
  it('a migration-report.json listing other files deletes none of them', async () => {
    const { input, out, outside } = workspace()
    mkdirSync(join(out, '.git'), { recursive: true })
    writeFileSync(join(out, '.git', 'config'), '[core]\n')
    writeFileSync(join(out, 'NOTES.md'), 'mine')
    writeFileSync(join(out, 'migration-report.json'), JSON.stringify({ files: ['.git/config', 'NOTES.md', '../outside/secret.txt', `${outside}/secret.txt`] }))
    const outsideBefore = files(outside)
    const { code, stderr } = await run([input, '--out', out, '--force'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(readFileSync(join(out, '.git', 'config'), 'utf8')).toBe('[core]\n')
    expect(readFileSync(join(out, 'NOTES.md'), 'utf8')).toBe('mine')
    expect(files(outside)).toEqual(outsideBefore)
  })

  it('the manifest of a previous run: unchanged files it no longer generates go, edited ones and foreign paths stay', async () => {
    const { input, out, outside } = workspace()
    expect((await run([input, '--out', out])).code).toBe(0)
    const manifestPath = join(out, '.migrate-manifest.json')
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Record<string, string> }
    // Every file written is recorded with the SHA-256 of its content.
    for (const [path, hash] of Object.entries(manifest.files)) expect(sha256(readFileSync(join(out, path), 'utf8')), path).toBe(hash)
    // As if an earlier run had written these, and the user had since edited one.
    writeFileSync(join(out, 'src/routes/old.ts'), '// generated\n')
    writeFileSync(join(out, 'src/routes/edited.ts'), '// generated, then edited\n')
    mkdirSync(join(out, '.git'))
    writeFileSync(join(out, '.git', 'config'), '[core]\n')
    manifest.files['src/routes/old.ts'] = sha256('// generated\n')
    manifest.files['src/routes/edited.ts'] = sha256('// generated\n')
    manifest.files['.git/config'] = sha256('[core]\n')
    manifest.files['../outside/secret.txt'] = sha256('keep me')
    writeFileSync(manifestPath, JSON.stringify(manifest))
    expect((await run([input, '--out', out, '--force'])).code).toBe(0)
    expect(existsSync(join(out, 'src/routes/old.ts'))).toBe(false)
    expect(readFileSync(join(out, 'src/routes/edited.ts'), 'utf8')).toBe('// generated, then edited\n')
    expect(readFileSync(join(out, '.git', 'config'), 'utf8')).toBe('[core]\n')
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('keep me')
    expect(existsSync(join(out, 'src/app.ts'))).toBe(true)
  })
})

describe('every target is checked before anything is written: exit 2, one line (items 6, 7)', () => {
  it('a symlinked folder in --out that leads outside', async () => {
    const { input, out, outside } = workspace()
    mkdirSync(out)
    writeFileSync(join(out, 'NOTES.md'), 'mine')
    symlinkSync(outside, join(out, 'src'))
    const before = { out: files(out), outside: files(outside) }
    const { code, stderr } = await run([input, '--out', out, '--force'])
    expect(code).toBe(2)
    oneLine(stderr)
    expect(stderr).toMatch(/^migrate: --out .*: src is a symlink to .*outside/)
    expect(files(out)).toEqual(before.out)
    expect(files(outside)).toEqual(before.outside)
  })

  it('a folder where the service has a file', async () => {
    const { input, out } = workspace()
    mkdirSync(join(out, 'src', 'app.ts'), { recursive: true })
    const { code, stderr } = await run([input, '--out', out, '--force'])
    expect(code).toBe(2)
    oneLine(stderr)
    expect(readdirSync(out)).toEqual(['src'])
  })

  it('an --out below a file', async () => {
    const { root, input } = workspace()
    writeFileSync(join(root, 'file'), 'x')
    const { code, stderr } = await run([input, '--out', join(root, 'file', 'out')])
    expect(code).toBe(2)
    oneLine(stderr)
  })

  it('an --emit-ir that cannot be created writes no --out either', async () => {
    const { root, input, out } = workspace()
    writeFileSync(join(root, 'file'), 'x')
    const { code, stderr } = await run([input, '--out', out, '--emit-ir', join(root, 'file', 'ir.json')])
    expect(code).toBe(2)
    oneLine(stderr)
    expect(existsSync(out)).toBe(false)
  })

  it('a file name too long for the file system is refused before the first write', () => {
    const { out } = workspace()
    expect(() => checkWriteTargets(out, ['package.json', `src/routes/${'a'.repeat(300)}.ts`])).toThrow(WriteRefused)
    expect(() => checkWriteTargets(out, ['package.json', `src/${'d/'.repeat(2100)}x.ts`])).toThrow(WriteRefused)
    expect(() => checkWriteTargets(out, ['package.json', `src/routes/${'a'.repeat(200)}.ts`])).not.toThrow()
    expect(existsSync(out)).toBe(false)
  })

  /** Through the real command, in its own process: a hang is then a timeout, not a stuck test run. */
  const cli = (args: string[]): { status: number | null; stderr: string } => {
    const result = spawnSync(process.execPath, [join(REPO, 'bin/migrate.js'), ...args], { encoding: 'utf8', timeout: 60_000 })
    return { status: result.status, stderr: result.stderr }
  }

  it.runIf(existsSync('/proc/self'))('--out in /proc (mkdir -p looped forever there)', () => {
    const { input } = workspace()
    for (const out of ['/proc/self/migrate-test', '/proc/self/migrate-test/deeper']) {
      const { status, stderr } = cli([input, '--out', out])
      expect(status, stderr).toBe(2)
      oneLine(stderr)
    }
  }, 130_000)

  it.runIf(existsSync('/proc/self'))('--report in /proc', () => {
    const { input } = workspace()
    const { status, stderr } = cli([input, '--dry-run', '--report', '/proc/self/migrate-test/report.md'])
    expect(status, stderr).toBe(2)
    oneLine(stderr)
  }, 70_000)
})

describe('--app must name something', () => {
  it.each([
    ['migrate', (input: string, out: string) => [input, '--out', out, '--app', '']],
    ['migrate, blank', (input: string, out: string) => [input, '--out', out, '--app', '  ']],
    ['routes', (input: string) => ['routes', input, '--app', '']],
    ['verify', (input: string, out: string) => ['verify', input, '--out', out, '--app', '']],
  ])('%s', async (_, argv) => {
    const { input, out } = workspace()
    const { code, stderr } = await run(argv(input, out), { runVerify: async () => 0 })
    expect(code).toBe(2)
    expect(stderr).toContain('--app')
    expect(existsSync(out)).toBe(false)
  })
})

describe('errors are one line (item 5)', () => {
  it('a missing native parser build: one line, no stack trace', () => {
    const dir = tempDir()
    // node-gyp-build is what finds tree-sitter's native build; make it find none.
    const preload = join(dir, 'no-native-build.cjs')
    writeFileSync(
      preload,
      `const Module = require('node:module')\nconst load = Module._load\nModule._load = function (request, ...rest) {\n  if (request === 'node-gyp-build') return () => { throw new Error('No native build was found for platform=linux arch=x64 runtime=node\\n    attempted loading from: /nowhere') }\n  return load.call(this, request, ...rest)\n}\n`,
    )
    const { input } = workspace()
    const result = spawnSync(process.execPath, ['--require', preload, join(REPO, 'bin/migrate.js'), input, '--dry-run'], { encoding: 'utf8', timeout: 60_000 })
    expect(result.status).toBe(3)
    oneLine(result.stderr)
    expect(result.stderr).toMatch(/^migrate: cannot load the Python parser.*No native build was found.*npm rebuild tree-sitter/)
  }, 70_000)

  it('a value thrown that is not an Error is named, not "[object Object]"', async () => {
    const { input } = workspace()
    const runtime = await readRuntimeFiles()
    class ReturnSignal {}
    const stages: Stages = {
      loadProject: () => {
        throw new ReturnSignal()
      },
      translateProject: null,
      runtimeFiles: async () => runtime,
    }
    const { code, stderr } = await run([input, '--dry-run'], { stages })
    expect(code).toBe(3)
    expect(stderr).toBe('migrate: internal error: a ReturnSignal was thrown\n')
  })

  it('shuffled lines (a module-level return) are a finding, not an internal error', async () => {
    const { input } = workspace()
    writeFileSync(join(input, 'helpers.py'), 'return 1\ndef helper():\n    pass\n')
    const { code, stdout, stderr } = await run([input, '--dry-run', '--format', 'json'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const report = JSON.parse(stdout) as { findings: { ruleId: string; location: { file: string; line: number } }[] }
    expect(report.findings).toContainEqual(expect.objectContaining({ ruleId: 'python-syntax-error', location: expect.objectContaining({ file: 'helpers.py', line: 1 }) }))
  })
})
