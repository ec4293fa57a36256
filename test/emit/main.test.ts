/**
 * The generated src/main.ts (src/emit/scaffold.ts emitMain) run as a process with the runtime:
 * SIGTERM with idle connections open exits 0 once requests in flight are answered (not by the
 * force timer, which exits 1 and is set far beyond the test's timeout here), the config's
 * MAX_CONTENT_LENGTH limits bodies, bad limits stop the start.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { readRuntimeFiles, RUNTIME_DIR } from '../../src/emit/runtime-files.js'
import { emitMain } from '../../src/emit/scaffold.js'
import { openConnection, rawRequest, until } from '../runtime/raw-http.js'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

const APP = `import { Hono } from 'hono'
import { type AppEnv, errorHandlers, jsonify, kwargs, request, requestHooks, view } from './lib/flask.js'
import { WerkzeugRouter } from './lib/router.js'

const urlMap = [
  { rule: '/', endpoint: 'index', methods: ['GET', 'HEAD', 'OPTIONS'], blueprints: [] },
  { rule: '/data', endpoint: 'data', methods: ['OPTIONS', 'POST'], blueprints: [] },
  { rule: '/slow', endpoint: 'slow', methods: ['GET', 'HEAD', 'OPTIONS'], blueprints: [] },
]

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ router: new WerkzeugRouter(urlMap, { strictSlashes: true }) })
  const onError = errorHandlers([])
  app.use(requestHooks({ errorHandler: onError }))
  app.onError(onError)
  app.get('/', view(() => 'ok'))
  app.post('/data', view((c) => jsonify(kwargs({ len: request(c).data.length }))))
  app.get('/slow', view(async () => {
    console.log('slow request started')
    await new Promise((resolve) => setTimeout(resolve, 500))
    return 'slow answer'
  }))
  return app
}
`

let dir = ''

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'migrate-main-'))
  mkdirSync(join(dir, 'src/lib'), { recursive: true })
  for (const [name, content] of await readRuntimeFiles(RUNTIME_DIR)) writeFileSync(join(dir, 'src/lib', name), content)
  writeFileSync(join(dir, 'src/main.ts'), emitMain())
  writeFileSync(join(dir, 'src/app.ts'), APP)
  writeFileSync(join(dir, 'src/config.ts'), 'export const config = {\n  MAX_CONTENT_LENGTH: 100,\n}\n')
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir')
})

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const children: ChildProcessWithoutNullStreams[] = []

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

interface Service {
  child: ChildProcessWithoutNullStreams
  port: number
  output: () => string
  exited: Promise<number | null>
}

async function start(env: Record<string, string> = {}): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: dir,
    // The force timer far away: only a clean shutdown exits 0 within the test's timeout.
    env: { ...process.env, PORT: '0', NODE_ENV: 'test', SHUTDOWN_TIMEOUT_MS: '600000', ...env },
  })
  children.push(child)
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)))
  let port = 0
  let gone = false
  void exited.then(() => (gone = true))
  await until(() => {
    port = Number(/Listening on http:\/\/localhost:(\d+)/.exec(output)?.[1] ?? 0)
    return port > 0 || gone
  })
  return { child, port, output: () => output, exited }
}

describe('the generated src/main.ts', () => {
  it('type-checks against the runtime', () => {
    const tsconfig = { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, include: ['src'] }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig))
    const result = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' })
    expect(result.stdout + result.stderr).toBe('')
  })

  it('exits 0 on SIGTERM with an idle keep-alive connection and a silent one open', async () => {
    const service = await start()
    const idle = await openConnection(service.port)
    idle.socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n')
    await until(() => idle.received().endsWith('\r\n\r\nok'))
    const silent = await openConnection(service.port)
    service.child.kill('SIGTERM')
    expect(await service.exited).toBe(0)
    await Promise.all([idle.closed, silent.closed])
  }, 60_000)

  it('on SIGTERM lets a request in flight finish, then exits 0', async () => {
    const service = await start()
    const busy = await openConnection(service.port)
    busy.socket.write('GET /slow HTTP/1.1\r\nHost: a\r\n\r\n')
    await until(() => service.output().includes('slow request started'))
    service.child.kill('SIGTERM')
    await busy.closed
    expect(busy.received()).toMatch(/^HTTP\/1\.1 200 [^]*\r\n\r\nslow answer$/)
    expect(await service.exited).toBe(0)
  }, 60_000)

  it("limits request bodies to the config's MAX_CONTENT_LENGTH", async () => {
    const service = await start()
    const within = await rawRequest(service.port, `POST /data HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n${'x'.repeat(100)}`)
    expect(within.body).toBe('{"len":100}\n')
    const over = await rawRequest(service.port, 'POST /data HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n')
    expect(over.status).toBe(413)
    service.child.kill('SIGTERM')
    expect(await service.exited).toBe(0)
  }, 60_000)

  it('does not start with a MAX_BODY_BYTES or timeout that is not a number', async () => {
    for (const env of [{ MAX_BODY_BYTES: '16MB' }, { HEADERS_TIMEOUT_MS: 'soon' }] as Record<string, string>[]) {
      const service = await start(env)
      expect(await service.exited).not.toBe(0)
      expect(service.output()).toMatch(/must be (a number of bytes|a non-negative integer)/)
    }
  }, 60_000)
})
