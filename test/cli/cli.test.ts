import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { readRuntimeFiles } from '../../src/emit/runtime-files.js'
import type { Stages } from '../../src/pipeline.js'
import type { ProjectIR } from '../../src/ir/types.js'
import { sampleProject, sampleTranslation } from '../emit/fixture.js'

const temporary: string[] = []
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-cli-'))
  temporary.push(dir)
  return dir
}

const FLASK_APP = `from flask import Blueprint, Flask, jsonify

app = Flask(__name__)
bp = Blueprint("api", __name__, url_prefix="/api")


@bp.route("/items/<int:item_id>", methods=["GET", "PUT"])
def item(item_id):
    return jsonify(id=item_id)


@app.route("/")
def index():
    return "hi"


@app.route("/about/")
def about():
    return "about"


@app.post("/login")
def login():
    return "ok"


app.register_blueprint(bp)
`

/** A workspace with a Flask project in `app/`; returns its root. */
function flaskWorkspace(): { root: string; input: string } {
  const root = tempDir()
  const input = join(root, 'app')
  mkdirSync(input)
  writeFileSync(join(input, 'app.py'), FLASK_APP)
  return { root, input }
}

async function run(argv: string[], context: Partial<Parameters<typeof main>[1]> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {}, ...context })
  return { code, stdout, stderr }
}

/** Every file and folder under `root` with its mtime and content, to prove a run touched nothing. */
function snapshot(root: string): Map<string, string> {
  const result = new Map<string, string>()
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      const stat = statSync(path)
      const key = relative(root, path)
      if (stat.isDirectory()) {
        result.set(`${key}/`, String(stat.mtimeMs))
        walk(path)
      } else result.set(key, `${stat.mtimeMs} ${readFileSync(path, 'base64')}`)
    }
  }
  walk(root)
  return result
}

function treeContents(root: string): Map<string, string> {
  return new Map([...snapshot(root)].filter(([key]) => !key.endsWith('/')).map(([key, value]) => [key, value.split(' ')[1]]))
}

/** Stages over a hand-made IR and translation (independent of analyze/translate progress). */
async function fakeStages(ir: ProjectIR = sampleProject(), translate = true): Promise<Stages> {
  const runtime = await readRuntimeFiles()
  return {
    loadProject: (root) => ({ ok: true, project: { root, ir, modules: [] } }),
    translateProject: translate ? () => sampleTranslation() : null,
    runtimeFiles: async () => runtime,
  }
}

describe('usage errors exit 2 with one line on stderr', () => {
  it.each([
    ['no folder', []],
    ['missing folder', ['/definitely/not/here', '--out', '/tmp/x-never']],
    ['no --out', ['.']],
    ['bad --format', ['.', '--dry-run', '--format', 'yaml']],
    ['bad --min-readiness', ['.', '--check', '--min-readiness', '101']],
    ['unknown option', ['.', '--frobnicate']],
  ])('%s', async (_, argv) => {
    const { code, stderr } = await run(argv)
    expect(code).toBe(2)
    expect(stderr).not.toMatch(/\n\s+at /)
    expect(stderr.trim().split('\n')[0]).toMatch(/error|migrate:/)
  })

  it('no Flask application found', async () => {
    const root = tempDir()
    writeFileSync(join(root, 'tool.py'), 'print("hello")\n')
    const { code, stderr } = await run([root, '--dry-run'])
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
  })

  it('--out equal to, inside, or containing the input, or a file', async () => {
    const { root, input } = flaskWorkspace()
    writeFileSync(join(root, 'a-file'), 'x')
    for (const out of [input, join(input, 'out'), root, join(root, 'a-file')]) {
      const before = snapshot(root)
      const { code, stderr } = await run([input, '--out', out])
      expect(code, out).toBe(2)
      expect(stderr.trim().split('\n')).toHaveLength(1)
      expect(snapshot(root)).toEqual(before)
    }
  })

  it('a non-empty --out without --force', async () => {
    const { root, input } = flaskWorkspace()
    const out = join(root, 'out')
    mkdirSync(out)
    writeFileSync(join(out, 'keep.txt'), 'mine')
    const { code, stderr } = await run([input, '--out', out])
    expect(code).toBe(2)
    expect(stderr).toContain('--force')
    expect(readdirSync(out)).toEqual(['keep.txt'])
  })

  it('--emit-ir with --dry-run', async () => {
    const { root, input } = flaskWorkspace()
    expect((await run([input, '--dry-run', '--emit-ir', join(root, 'ir.json')])).code).toBe(2)
    expect(existsSync(join(root, 'ir.json'))).toBe(false)
  })
})

describe('help', () => {
  it('documents the exit codes', async () => {
    const { code, stdout } = await run(['--help'])
    expect(code).toBe(0)
    expect(stdout).toContain('Exit codes:')
    for (const line of ['0  success', '1  --check failed', '2  usage error', '3  internal error']) expect(stdout).toContain(line)
    expect(stdout).toContain('--min-readiness')
  })
})

describe('migrate <dir> --out', () => {
  it('writes the service and both reports, byte-identical on a second run', async () => {
    const { root, input } = flaskWorkspace()
    const first = join(root, 'first')
    const second = join(root, 'second')
    const inputBefore = snapshot(input)
    const result = await run([input, '--out', first])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    expect((await run([input, '--out', second])).code).toBe(0)
    const files = treeContents(first)
    for (const path of ['MIGRATION_REPORT.md', 'migration-report.json', 'package.json', 'src/app.ts', 'src/url-map.ts', 'Dockerfile']) expect(files.has(path), path).toBe(true)
    expect(treeContents(second)).toEqual(files)
    expect(snapshot(input)).toEqual(inputBefore)
    expect(readFileSync(join(first, 'migration-report.json'), 'utf8')).not.toContain(root)
  })

  it('--force replaces a previous run and keeps the user\'s own files', async () => {
    const { root, input } = flaskWorkspace()
    const out = join(root, 'out')
    expect((await run([input, '--out', out])).code).toBe(0)
    writeFileSync(join(out, 'NOTES.md'), 'mine')
    // A file an earlier run wrote (recorded in its manifest, unchanged since) is removed when no longer generated.
    writeFileSync(join(out, 'src/routes/stale.ts'), '// from an older run')
    const manifest = JSON.parse(readFileSync(join(out, '.migrate-manifest.json'), 'utf8')) as { files: Record<string, string> }
    manifest.files['src/routes/stale.ts'] = createHash('sha256').update('// from an older run').digest('hex')
    writeFileSync(join(out, '.migrate-manifest.json'), JSON.stringify(manifest))
    expect((await run([input, '--out', out, '--force'])).code).toBe(0)
    expect(readFileSync(join(out, 'NOTES.md'), 'utf8')).toBe('mine')
    expect(existsSync(join(out, 'src/routes/stale.ts'))).toBe(false)
    expect(existsSync(join(out, 'src/app.ts'))).toBe(true)
  })

  it('--emit-ir writes the IR as JSON', async () => {
    const { root, input } = flaskWorkspace()
    expect((await run([input, '--out', join(root, 'out'), '--emit-ir', join(root, 'ir.json')])).code).toBe(0)
    const ir = JSON.parse(readFileSync(join(root, 'ir.json'), 'utf8')) as ProjectIR
    expect(ir.version).toBe(1)
    expect(ir.apps[0].routes.map((route) => route.rule)).toContain('/api/items/<int:item_id>')
  })
})

describe('--dry-run', () => {
  it('writes nothing anywhere', async () => {
    const { root, input } = flaskWorkspace()
    const before = snapshot(root)
    const { code, stdout } = await run([input, '--dry-run', '--out', join(root, 'out')])
    expect(code).toBe(0)
    expect(stdout).toContain('readiness')
    expect(stdout).toContain('dry run: nothing written')
    expect(snapshot(root)).toEqual(before)
  })

  it('writes only --report FILE', async () => {
    const { root, input } = flaskWorkspace()
    const before = snapshot(root)
    expect((await run([input, '--dry-run', '--report', join(root, 'report.sarif')])).code).toBe(0)
    const after = snapshot(root)
    after.delete('report.sarif')
    after.delete('/')
    expect([...after.keys()]).toEqual([...before.keys()])
    const sarif = JSON.parse(readFileSync(join(root, 'report.sarif'), 'utf8')) as { version: string }
    expect(sarif.version).toBe('2.1.0')
  })
})

describe('--check', () => {
  it('exits 1 below --min-readiness (default 100) and names why', async () => {
    const { input } = flaskWorkspace()
    const { code, stderr } = await run([input, '--check'], { stages: await fakeStages() })
    expect(code).toBe(1)
    expect(stderr).toMatch(/check failed: readiness 66% < 100%; \d+ findings of severity error/)
  })

  it('exits 1 on an error finding even when readiness is enough', async () => {
    const { input } = flaskWorkspace()
    expect((await run([input, '--check', '--min-readiness', '50'], { stages: await fakeStages() })).code).toBe(1)
  })

  it('exits 0 when readiness is enough and nothing is an error', async () => {
    const { input } = flaskWorkspace()
    const ir = sampleProject()
    const app = ir.apps[0]
    // Only the fully translated routes, no hooks or handlers that cannot be carried over.
    ir.apps[0] = { ...app, routes: app.routes.filter((route) => ['index', 'boom', 'items.list_items', 'items.item'].includes(route.endpoint)), hooks: [app.hooks[0]], errorHandlers: app.errorHandlers.slice(0, 2), config: app.config.filter((entry) => !entry.secret || entry.envVar !== null) }
    ir.findings = []
    const translation = sampleTranslation()
    translation.findings = []
    const stages = { ...(await fakeStages(ir)), translateProject: () => translation }
    const { code, stdout, stderr } = await run([input, '--check', '--format', 'json'], { stages })
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect((JSON.parse(stdout) as { summary: { readiness: number } }).summary.readiness).toBe(100)
  })

  it('prints SARIF on stdout with --format sarif', async () => {
    const { input } = flaskWorkspace()
    const { stdout } = await run([input, '--check', '--format', 'sarif'], { stages: await fakeStages() })
    const sarif = JSON.parse(stdout) as { runs: { results: { level: string }[] }[] }
    expect(sarif.runs[0].results.some((result) => result.level === 'error')).toBe(true)
  })
})

describe('internal errors', () => {
  const crashing = async (): Promise<Stages> => ({
    ...(await fakeStages()),
    translateProject: () => {
      throw new Error('boom in translate\nsecond line')
    },
  })

  it('print one line and exit 3', async () => {
    const { input } = flaskWorkspace()
    const { code, stderr } = await run([input, '--dry-run'], { stages: await crashing() })
    expect(code).toBe(3)
    expect(stderr).toBe('migrate: internal error: boom in translate\n')
  })

  it('print the stack with DEBUG=1', async () => {
    const { input } = flaskWorkspace()
    const { code, stderr } = await run([input, '--dry-run'], { stages: await crashing(), env: { DEBUG: '1' } })
    expect(code).toBe(3)
    expect(stderr).toMatch(/\n\s+at /)
  })
})

describe('migrate verify', () => {
  it('passes its options to runVerify and returns its exit code', async () => {
    const { root, input } = flaskWorkspace()
    mkdirSync(join(root, 'svc'))
    const calls: unknown[] = []
    const runVerify = async (options: unknown): Promise<number> => {
      calls.push(options)
      return 1
    }
    const { code } = await run(['verify', input, '--out', join(root, 'svc'), '--scenario', 's.jsonl', '--app', 'app:app'], { runVerify })
    expect(code).toBe(1)
    expect(calls).toEqual([{ flaskDir: input, serviceDir: join(root, 'svc'), scenario: 's.jsonl', app: 'app:app', output: expect.any(Function), error: expect.any(Function) }])
  })

  it('exits 2 when a folder is missing', async () => {
    const { input } = flaskWorkspace()
    expect((await run(['verify', input, '--out', '/no/such/service'], { runVerify: async () => 0 })).code).toBe(2)
  })
})

function python(): string | null {
  for (const candidate of [process.env.MIGRATE_PYTHON, '/usr/bin/python3', 'python3']) {
    if (candidate === undefined) continue
    try {
      execFileSync(candidate, ['-c', 'import flask'], { stdio: 'ignore' })
      return candidate
    } catch {
      // try the next one
    }
  }
  return null
}

const PYTHON = python()

describe.runIf(PYTHON !== null)('migrate routes, compared with Flask', () => {
  const flask = (input: string, args: string[]): string =>
    execFileSync(PYTHON as string, ['-m', 'flask', '--app', 'app', 'routes', ...args], { cwd: input, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } })

  it.each([['endpoint'], ['methods'], ['rule'], ['match']])('prints what `flask routes --sort %s` prints', async (sort) => {
    const { input } = flaskWorkspace()
    for (const extra of [[], ['--all-methods']]) {
      const ours = await run(['routes', input, '--sort', sort, ...extra])
      expect(ours.code).toBe(0)
      expect(ours.stdout).toBe(flask(input, ['--sort', sort, ...extra]))
    }
  })

  it('--json matches the url map oracle (plus locations)', async () => {
    const { input } = flaskWorkspace()
    const oracle = JSON.parse(
      execFileSync(PYTHON as string, [resolve(__dirname, '../oracle/flask_url_map.py'), input], { encoding: 'utf8', stdio: 'pipe', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } }),
    ) as { rules: Record<string, unknown>[]; registrationOrder?: unknown }
    // The oracle's own diagnostic (whether iteration order is registration order) is not part of the url map.
    delete oracle.registrationOrder
    const ours = JSON.parse((await run(['routes', input, '--json'])).stdout) as { rules: Record<string, unknown>[] }
    for (const rule of ours.rules) {
      expect(rule.location).toMatchObject({ file: 'app.py' })
      delete rule.location
    }
    expect(ours).toEqual(oracle)
  })
})

it('migrate routes exits 2 on a folder with no Flask app', async () => {
  const root = tempDir()
  writeFileSync(join(root, 'tool.py'), 'x = 1\n')
  const { code, stderr } = await run(['routes', root])
  expect(code).toBe(2)
  expect(stderr.trim().split('\n')).toHaveLength(1)
})

it('a secret value quoted in a finding reaches neither the reports nor stdout', async () => {
  const { root, input } = flaskWorkspace()
  const ir = sampleProject()
  const secret = ir.apps[0].config.find((entry) => entry.key === 'SECRET_KEY')?.value as string
  ir.findings.push({ ruleId: 'config-secret-hardcoded', severity: 'warning', message: `SECRET_KEY = "${secret}" is hard-coded`, location: { file: 'shop/__init__.py', line: 7, column: 1 } })
  const out = join(root, 'out')
  const { code, stdout } = await run([input, '--out', out, '--format', 'markdown'], { stages: await fakeStages(ir) })
  expect(code).toBe(0)
  expect(stdout).toContain('<redacted secret>')
  expect(stdout).not.toContain(secret)
  for (const [path, content] of treeContents(out)) expect(Buffer.from(content, 'base64').toString('utf8').includes(secret), path).toBe(false)
})

it.runIf(process.getuid?.() !== 0)('a --out that cannot be written exits 2 with one line', async () => {
  const { root, input } = flaskWorkspace()
  const locked = join(root, 'locked')
  mkdirSync(locked, { mode: 0o500 })
  const { code, stderr } = await run([input, '--out', join(locked, 'out')])
  expect(code).toBe(2)
  expect(stderr).toMatch(/^migrate: cannot access .*locked.*: EACCES\n$/)
})

it('a file system error surfacing as an exception exits 2, not 3', async () => {
  const { input } = flaskWorkspace()
  const stages: Stages = {
    ...(await fakeStages()),
    loadProject: () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', path: '/some/file.py' })
    },
  }
  const { code, stderr } = await run([input, '--dry-run'], { stages })
  expect(code).toBe(2)
  expect(stderr).toBe('migrate: cannot access /some/file.py: EACCES\n')
})
