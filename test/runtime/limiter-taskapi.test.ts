/**
 * The migrated taskapi acceptance app (fixtures/acceptance/taskapi: Flask-Limiter with
 * RATELIMIT_DEFAULT = "100 per hour", headers enabled, memory:// in its config) run as two
 * service processes with RATELIMIT_STORAGE_URI pointing at a real Redis server (.ci/run starts
 * one: MIGRATE_TEST_REDIS_URL): the replicas count one limit, so the remaining count goes down
 * across them. A Redis database of its own, emptied first, keeps earlier runs' counters out.
 */
import { dirname, join, resolve } from 'node:path'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createClient } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import { buildService, installDependencies, startService, type RunningService } from '../../src/verify/service.js'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const redisUrl = process.env['MIGRATE_TEST_REDIS_URL']
if (redisUrl === undefined && process.env.CI === 'true') throw new Error('MIGRATE_TEST_REDIS_URL (a Redis server, .ci/run starts one) is needed by test/runtime/limiter-taskapi.test.ts')

const root = mkdtempSync(join(tmpdir(), 'migrate-taskapi-redis-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function migrate(appDir: string, serviceDir: string): Promise<{ status: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['bin/migrate.js', appDir, '--out', serviceDir, '--force'], { cwd: repo })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('close', (status) => done({ status, output }))
  })
}

async function remaining(service: RunningService, path: string): Promise<{ status: number; remaining: string | null }> {
  const response = await fetch(service.baseUrl + path)
  await response.arrayBuffer()
  return { status: response.status, remaining: response.headers.get('X-RateLimit-Remaining') }
}

describe.skipIf(redisUrl === undefined)('taskapi with RATELIMIT_STORAGE_URI on a real Redis, two service processes', () => {
  it('share the default limit', async () => {
    const serviceDir = join(root, 'taskapi')
    const migrated = await migrate(join(repo, 'fixtures', 'acceptance', 'taskapi'), serviceDir)
    expect(migrated.status, migrated.output).toBe(0)
    const installed = installDependencies(serviceDir, join(repo, 'node_modules'))
    if (!installed.ok) throw new Error(installed.message)
    const built = buildService(serviceDir)
    if (!built.ok) throw new Error(built.message)

    const database = 1 + (process.pid % 15)
    const url = `${redisUrl!.replace(/\/\d*$/, '')}/${database}`
    const client = createClient({ url })
    await client.connect()
    await client.flushDb()
    await client.quit()

    const env = {
      RATELIMIT_STORAGE_URI: url,
      SECRET_KEY: 'dev-secret-change-me',
      JWT_SECRET_KEY: 'dev-jwt-secret-change-me',
      ADMIN_API_TOKEN: 'dev-admin-token',
    }
    const first = await startService(serviceDir, 60_000, env)
    if (!first.ok) throw new Error(first.message)
    const second = await startService(serviceDir, 60_000, env)
    if (!second.ok) {
      await first.value.stop()
      throw new Error(second.message)
    }
    try {
      expect([await remaining(first.value, '/'), await remaining(second.value, '/'), await remaining(first.value, '/'), await remaining(second.value, '/')]).toEqual([
        { status: 200, remaining: '99' },
        { status: 200, remaining: '98' },
        { status: 200, remaining: '97' },
        { status: 200, remaining: '96' },
      ])
      // The exempt health check counts nowhere.
      expect(await remaining(second.value, '/api/v1/health')).toEqual({ status: 200, remaining: null })
    } finally {
      await Promise.all([first.value.stop(), second.value.stop()])
    }
  }, 600_000)
})
