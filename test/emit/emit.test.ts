import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { emitProject, readRuntimeFiles, type EmitResult } from '../../src/emit/index.js'
import { RUNTIME_DIR } from '../../src/emit/runtime-files.js'
import { formatTypeScript } from '../../src/emit/format.js'
import { SECRET, sampleApp, sampleProject, sampleTranslation } from './fixture.js'

const REPO = resolve(__dirname, '../..')
const temporary: string[] = []

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
})

async function emitSample(runtimeDir: string): Promise<EmitResult> {
  const ir = sampleProject()
  return emitProject({ ir, app: ir.apps[0], translation: sampleTranslation(), runtimeFiles: await readRuntimeFiles(runtimeDir) })
}

function writeService(files: Map<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-emit-'))
  temporary.push(dir)
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

function typecheck(dir: string): string {
  // The service's own tsconfig checks src/; the smoke test is checked with a sibling config.
  writeFileSync(
    join(dir, 'tsconfig.check.json'),
    JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true, rootDir: '.' }, include: ['src', 'test'] }),
  )
  try {
    execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', join(dir, 'tsconfig.check.json')], { encoding: 'utf8' })
    return ''
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error)
  }
}

describe('emitProject', () => {
  it('emits the documented tree, sorted', async () => {
    const { files } = await emitSample(RUNTIME_DIR)
    const paths = [...files.keys()]
    expect(paths).toEqual([...paths].sort())
    for (const expected of [
      '.dockerignore',
      '.env.example',
      'Dockerfile',
      'README.md',
      'package.json',
      'src/app.ts',
      'src/config.ts',
      'src/lib/errors.ts',
      'src/lib/exceptions.ts',
      'src/lib/flask.ts',
      'src/lib/legacy.ts',
      'src/lib/router.ts',
      'src/lib/server.ts',
      'src/main.ts',
      'src/routes/app.ts',
      'src/routes/items.ts',
      'src/routes/users.ts',
      'src/shop/errors.ts',
      'src/url-map.ts',
      'test/smoke.test.ts',
      'tsconfig.json',
    ]) {
      expect(paths).toContain(expected)
    }
    // The Python module `app` would overwrite createApp's file: it moves aside.
    expect(paths).toContain('src/app.py.ts')
    expect(files.get('src/routes/app.ts')).toContain(`from '../app.py.js'`)
  })

  it('is deterministic', async () => {
    const first = await emitSample(RUNTIME_DIR)
    const second = await emitSample(RUNTIME_DIR)
    expect([...second.files]).toEqual([...first.files])
    expect(second.findings).toEqual(first.findings)
  })

  it('copies the runtime modules the service imports, formatted as its other files, and no other', async () => {
    const { files } = await emitSample(RUNTIME_DIR)
    const runtime = await readRuntimeFiles(RUNTIME_DIR)
    const copied = [...runtime.keys()].filter((name) => files.has(`src/lib/${name}`))
    for (const name of copied) expect(files.get(`src/lib/${name}`)).toBe(await formatTypeScript(runtime.get(name) as string))
    // The sample's translated code reads no database and no session: sqlite.ts and session.ts stay out.
    expect(copied).not.toContain('sqlite.ts')
    expect(copied).not.toContain('session.ts')
    expect(copied).toEqual(expect.arrayContaining(['errors.ts', 'exceptions.ts', 'flask.ts', 'legacy.ts', 'router.ts', 'server.ts']))
  })

  it('never writes a secret value and reads secrets from the environment', async () => {
    const { files } = await emitSample(RUNTIME_DIR)
    for (const [path, content] of files) expect(content.includes(SECRET), path).toBe(false)
    const config = files.get('src/config.ts') ?? ''
    expect(config).toContain(`SECRET_KEY: process.env['SECRET_KEY']`)
    expect(config).toContain(`API_TOKEN: process.env['API_TOKEN'],`)
    expect(config).toContain(`DATABASE_URL: process.env['DATABASE_URL'] ?? 'sqlite:///shop.db'`)
    expect(config).toContain('PAGE_SIZE: 20')
    expect(files.get('.env.example')).toMatch(/^SECRET_KEY=$/m)
    expect(files.get('.env.example')).toMatch(/^API_TOKEN=$/m)
  })

  it('mounts a blueprint under its prefix only when mergePath rebuilds every rule', async () => {
    const { files } = await emitSample(RUNTIME_DIR)
    const app = files.get('src/app.ts') ?? ''
    expect(app).toContain(`app.route('/users', createUsersRoutes())`)
    expect(app).toContain(`app.route('/', createItemsRoutes())`)
    expect(files.get('src/routes/users.ts')).toContain(`routes.get('/<int:user_id>', getUser)`)
    expect(files.get('src/routes/items.ts')).toContain(`routes.on(['GET', 'POST'], '/api/items/', listItems)`)
    expect(files.get('src/routes/items.ts')).toContain(`routes.on(['DELETE', 'GET', 'PUT'], '/api/items/<int:item_id>', ItemAPI)`)
  })

  it('comments each handler with its origin and quotes the Python of stubs', async () => {
    const { files } = await emitSample(RUNTIME_DIR)
    const users = files.get('src/routes/users.ts') ?? ''
    expect(users).toContain('// shop/users.py:6 endpoint users.get_user')
    expect(users).toMatch(/shop\/users\.py:11 endpoint users\.export: NOT MIGRATED, answers 501 \(unsupported-call\)/)
    expect(users).toContain('return send_file("users.csv")  # *\\/ tricky comment')
  })

  it('turns a view with no translation, the static rule and unsupported hooks into findings', async () => {
    const { findings, routes, files } = await emitSample(RUNTIME_DIR)
    const byRule = (id: string) => findings.filter((finding) => finding.ruleId === id)
    expect(byRule('view-not-translated').map((finding) => finding.endpoint)).toEqual(['users.report'])
    expect(byRule('static-files-not-migrated').map((finding) => finding.location.line)).toEqual([8])
    expect(byRule('hook-not-migrated').map((finding) => finding.location.line)).toEqual([39])
    expect(byRule('config-secret-not-copied').map((finding) => finding.location.line)).toEqual([7])
    expect(routes.filter((route) => route.status === 'stub').map((route) => route.endpoint)).toEqual(['static', 'users.export', 'users.report'])
    expect(files.get('src/url-map.ts')).toContain(`redirectTo: '/'`)
    // The redirect rule has no view: the router answers it from the url map.
    expect(routes.find((route) => route.endpoint === 'old')?.status).toBe('migrated')
  })

  it('replaces a translation that is not TypeScript with a stub', async () => {
    const ir = sampleProject()
    const translation = sampleTranslation()
    translation.views.index = { ...translation.views.index, code: 'async (c) => { return c.json({ ' }
    const result = await emitProject({ ir, app: ir.apps[0], translation, runtimeFiles: await readRuntimeFiles(RUNTIME_DIR) })
    expect(result.findings.some((finding) => finding.ruleId === 'emit-invalid-translation')).toBe(true)
    expect(result.routes.find((route) => route.endpoint === 'index')?.status).toBe('stub')
    expect(result.files.get('src/routes/app.ts')).toContain(`notMigrated(c, 'index')`)
  })

  it('type-checks under strict and answers requests', async () => {
    const { files } = await emitSample(RUNTIME_DIR)
    const dir = writeService(files)
    expect(typecheck(dir)).toBe('')
    process.env.NODE_ENV = 'test'
    const { createApp } = (await import(join(dir, 'src/app.ts'))) as { createApp: () => { request: (path: string, init?: RequestInit) => Promise<Response> } }
    const app = createApp()
    const index = await app.request('/')
    expect(index.status).toBe(200)
    expect(await index.json()).toEqual({ greeting: 'hello', page: 20 })
    expect((await app.request('/users/7')).status).toBe(200)
    const users = await app.request('/users/7')
    expect(users.headers.get('X-Users')).toBe('1')
    expect(await (await app.request('/users/0')).json()).toEqual({ error: 'user error' })
    expect(await (await app.request('/api/items/3', { method: 'PUT' })).json()).toEqual({ id: 3, method: 'PUT' })
    const stub = await app.request('/users/export')
    expect(stub.status).toBe(501)
    expect(await stub.text()).toContain('users.export')
    expect((await app.request('/users/report')).status).toBe(501)
    const boom = await app.request('/boom')
    expect(boom.status).toBe(400)
    expect(await boom.json()).toEqual({ error: 'bad value' })
  })
})

it('a sample app with no routes still emits a service that type-checks', async () => {
  const app = { ...sampleApp(), routes: [], hooks: [], errorHandlers: [], blueprints: [], config: [] }
  const ir = { ...sampleProject(), apps: [app] }
  const result = await emitProject({
    ir,
    app,
    translation: { modules: [], views: {}, hooks: [], errorHandlers: [], findings: [] },
    runtimeFiles: await readRuntimeFiles(RUNTIME_DIR),
  })
  expect(typecheck(writeService(result.files))).toBe('')
})

it('a stub before_request hook makes every route it runs for a stub', async () => {
  const ir = sampleProject()
  const translation = sampleTranslation()
  translation.hooks[0] = { ...translation.hooks[0], status: 'stub', code: `(c) => notMigrated(c, 'load_user')`, imports: [`import { notMigrated } from '../lib/flask.js'`] }
  const result = await emitProject({ ir, app: ir.apps[0], translation, runtimeFiles: await readRuntimeFiles(RUNTIME_DIR) })
  expect(result.routes.find((route) => route.endpoint === 'index')).toEqual({ rule: '/', endpoint: 'index', status: 'stub', reasons: ['before_request:load_user'] })
})

it('a subdomain rule is reported and counted as a stub (the router matches paths only)', async () => {
  const ir = sampleProject()
  ir.apps[0].routes[1] = { ...ir.apps[0].routes[1], subdomain: 'admin' }
  const result = await emitProject({ ir, app: ir.apps[0], translation: sampleTranslation(), runtimeFiles: await readRuntimeFiles(RUNTIME_DIR) })
  expect(result.routes[1]).toMatchObject({ endpoint: 'index', status: 'stub', reasons: ['subdomain-routing'] })
  expect(result.findings.some((finding) => finding.ruleId === 'subdomain-routing' && finding.location.line === 12)).toBe(true)
})

it('quotes the Python of a view it stubs itself, from the module source', async () => {
  const ir = sampleProject()
  const source = ['from flask import Blueprint', '', '', '', '', '', '', '', '', '', '', '', '', '', '@bp.route("/report")', 'def report():', '    rows = build()', '', '    return render(rows)', '', 'def other():', '    pass'].join('\n')
  const result = await emitProject({ ir, app: ir.apps[0], translation: sampleTranslation(), runtimeFiles: await readRuntimeFiles(RUNTIME_DIR), sources: new Map([['shop/users.py', source]]) })
  const users = result.files.get('src/routes/users.ts') ?? ''
  expect(users).toContain(' * @bp.route("/report")\n * def report():\n *     rows = build()\n *\n *     return render(rows)\n */')
  expect(users).not.toContain('def other')
})

it('names a handler apart from what the handlers import (a class view imports its class)', async () => {
  const ir = sampleProject()
  const translation = sampleTranslation()
  translation.modules.push({ pythonModule: 'shop.items', code: `export class ItemAPI {\n  get(): string {\n    return 'item'\n  }\n}\n` })
  translation.views['items.item'] = { ...translation.views['items.item'], code: `async (c) => c.text(new ItemAPI().get())`, imports: [`import { ItemAPI } from '../shop/items.js'`] }
  const result = await emitProject({ ir, app: ir.apps[0], translation, runtimeFiles: await readRuntimeFiles(RUNTIME_DIR) })
  const items = result.files.get('src/routes/items.ts') ?? ''
  expect(items).toContain(`import { ItemAPI } from '../shop/items.js'`)
  expect(items).toContain('const ItemAPI2: Handler<AppEnv> = async (c) => c.text(new ItemAPI().get())')
  expect(typecheck(writeService(result.files))).toBe('')
})

it('reports an extension no earlier stage reported', async () => {
  const ir = sampleProject()
  ir.apps[0].extensions = [
    { package: 'flask_cors', symbol: 'CORS', init: 'constructor', options: {}, source: 'CORS(app)', location: { file: 'shop/__init__.py', line: 25, column: 5 } },
    { package: 'flask_compress', symbol: 'Compress', init: 'init_app', options: {}, source: 'compress.init_app(app)', location: { file: 'shop/__init__.py', line: 26, column: 5 } },
  ]
  const result = await emitProject({ ir, app: ir.apps[0], translation: sampleTranslation(), runtimeFiles: await readRuntimeFiles(RUNTIME_DIR) })
  // Line 25 already has analyze's finding (sampleProject); line 26 does not.
  expect(result.findings.filter((finding) => finding.ruleId === 'extension-not-migrated').map((finding) => [finding.location.line, finding.severity])).toEqual([[26, 'error']])
})

it('builds with tsc, serves on PORT and exits 0 on SIGTERM', async () => {
  const { files } = await emitSample(RUNTIME_DIR)
  const dir = writeService(files)
  execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' })
  const { spawn } = await import('node:child_process')
  const server = spawn(process.execPath, [join(dir, 'dist/main.js')], { cwd: dir, env: { ...process.env, PORT: '0', NODE_ENV: 'test' }, stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    const port = await new Promise<number>((resolvePort, reject) => {
      let output = ''
      server.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        const match = /Listening on http:\/\/localhost:(\d+)/.exec(output)
        if (match !== null) resolvePort(Number(match[1]))
      })
      server.on('exit', (code) => reject(new Error(`server exited early with ${code}`)))
      setTimeout(() => reject(new Error(`no listening line: ${output}`)), 15_000)
    })
    const response = await fetch(`http://127.0.0.1:${port}/users/5`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ id: 5 })
    const exited = new Promise<number | null>((resolveExit) => server.on('exit', (code) => resolveExit(code)))
    server.kill('SIGTERM')
    expect(await exited).toBe(0)
  } finally {
    if (server.exitCode === null) server.kill('SIGKILL')
  }
})

it("the service's own smoke test passes (npm test)", async () => {
  const { files } = await emitSample(RUNTIME_DIR)
  const smoke = files.get('test/smoke.test.ts') ?? ''
  // Migrated GET routes only, with a sample value for each converter; stubs and the static rule left out.
  expect(smoke).toContain('["users.get_user", "/users/1"]'.replace(/"/g, "'"))
  expect(smoke).not.toContain('users.export')
  expect(smoke).not.toContain('static')
  const dir = writeService(files)
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--test', 'test/smoke.test.ts'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'test' } })
  expect(output).toMatch(/# pass [1-9]/)
  expect(output).toContain('# fail 0')
})

it("merges a translated module's header imports so no name is imported twice", async () => {
  const { mergeHeaderImports } = await import('../../src/emit/index.js')
  const merged = mergeHeaderImports(
    [`import * as py from './lib/py.js'`, `import type { Py } from './lib/py.js'`, `import { jsonify, kwargs } from './lib/flask.js'`, `import type { Context } from 'hono'`, `import { jsonify, kwargs, request } from './lib/flask.js'`, '', 'export const x = 1', ''].join('\n'),
  )
  expect(merged).toBe(
    [`import type { Context } from 'hono'`, `import { jsonify, kwargs, request } from './lib/flask.js'`, `import * as py from './lib/py.js'`, `import type { Py } from './lib/py.js'`, '', 'export const x = 1', ''].join('\n'),
  )
})
