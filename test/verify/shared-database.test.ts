import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildService, installDependencies, startService, type RunningService } from '../../src/verify/service.js'

// The migrated tutorial app (fixtures/tutorial-sqlite) and the Flask app on ONE database file, as
// during an incremental migration: the service's `npm run init-db` (the app's `flask init-db`)
// creates the schema, then what either side writes and commits, the other reads.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const python = '/usr/bin/python3'
const hasFlask = spawnSync(python, ['-c', 'import flask'], { encoding: 'utf8' }).status === 0
if (!hasFlask && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import flask (bash .ci/run installs it)')

const work = mkdtempSync(join(tmpdir(), 'shared-database-'))
const appDir = join(work, 'flask-app')
const serviceDir = join(work, 'service')
const database = join(work, 'data', 'blog.sqlite')
let service: RunningService | undefined

/** Requests to the Flask app through its test client, on the same DATABASE; their JSON answers. */
function flask(requests: { method: string; path: string; json?: unknown }[]): { status: number; json: unknown }[] {
  const script = [
    'import json, os, sys',
    'sys.path.insert(0, sys.argv[1])',
    'from flaskr import create_app',
    'client = create_app().test_client()',
    'out = []',
    'for r in json.loads(sys.stdin.read()):',
    '    response = client.open(r["path"], method=r["method"], json=r.get("json"))',
    '    out.append({"status": response.status_code, "json": response.get_json(silent=True)})',
    'print(json.dumps(out))',
  ].join('\n')
  const stdout = execFileSync(python, ['-c', script, appDir], { input: JSON.stringify(requests), encoding: 'utf8', env: { ...process.env, DATABASE: database, PYTHONDONTWRITEBYTECODE: '1' } })
  return JSON.parse(stdout) as { status: number; json: unknown }[]
}

async function call(method: string, path: string, json?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${service!.baseUrl}${path}`, { method, headers: json === undefined ? {} : { 'Content-Type': 'application/json' }, body: json === undefined ? undefined : JSON.stringify(json) })
  return { status: response.status, json: await response.json() }
}

beforeAll(async () => {
  if (!hasFlask) return
  cpSync(join(repoRoot, 'fixtures/tutorial-sqlite/input'), appDir, { recursive: true })
  const migrated = spawnSync(process.execPath, ['bin/migrate.js', appDir, '--out', serviceDir, '--force'], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 })
  expect(migrated.status, `${migrated.stdout}\n${migrated.stderr}`).toBe(0)
  const installed = installDependencies(serviceDir, join(repoRoot, 'node_modules'))
  if (!installed.ok) throw new Error(installed.message)
  const built = buildService(serviceDir)
  if (!built.ok) throw new Error(built.message)
}, 600_000)

afterAll(async () => {
  await service?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe.skipIf(!hasFlask)('the service and the Flask app share one SQLite file', () => {
  it('`npm run init-db` (flask init-db) creates the schema Flask then uses', () => {
    mkdirSync(dirname(database), { recursive: true })
    const run = spawnSync('npm', ['run', '--silent', 'init-db'], { cwd: serviceDir, encoding: 'utf8', env: { ...process.env, DATABASE: database } })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toBe('Initialized the database.\n')
    expect(flask([{ method: 'GET', path: '/auth/users' }])).toEqual([{ status: 200, json: [] }])
  })

  it('a user Flask registers is read by the service, and the service sees the UNIQUE constraint', async () => {
    expect(flask([{ method: 'POST', path: '/auth/register', json: { username: 'ada', password: 'lovelace' } }])).toEqual([{ status: 201, json: { id: 1, username: 'ada' } }])
    const started = await startService(serviceDir, 60_000, { DATABASE: database })
    if (!started.ok) throw new Error(started.message)
    service = started.value
    expect(await call('GET', '/auth/users')).toEqual({ status: 200, json: [{ id: 1, username: 'ada' }] })
    expect(await call('POST', '/auth/register', { username: 'ada', password: 'again' })).toEqual({ status: 400, json: { error: 'User ada is already registered.' } })
  })

  it('posts the service writes are read by Flask, and the reverse', async () => {
    const created = await call('POST', '/create', { title: 'From the service', body: 'hello', author_id: 1 })
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({ id: 1, title: 'From the service', username: 'ada' })
    const [listed, written] = flask([
      { method: 'GET', path: '/1' },
      { method: 'POST', path: '/create', json: { title: 'From Flask', body: 'hi', author_id: 1 } },
    ])
    expect(listed).toMatchObject({ status: 200, json: { id: 1, title: 'From the service', body: 'hello', username: 'ada' } })
    // The timestamp SQLite gave the row, as both sides print it (Flask's HTTP date).
    expect((listed!.json as { created: string }).created).toBe((created.json as { created: string }).created)
    expect(written).toMatchObject({ status: 201, json: { id: 2, title: 'From Flask' } })
    const index = await call('GET', '/')
    expect(index.status).toBe(200)
    expect((index.json as { count: number; posts: { title: string }[] }).posts.map((post) => post.title)).toEqual(['From Flask', 'From the service'])
    expect(await call('POST', '/2/delete')).toEqual({ status: 200, json: { deleted: 1 } })
    expect(flask([{ method: 'GET', path: '/2' }])[0]!.status).toBe(404)
  })
})
