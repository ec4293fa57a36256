/**
 * The taskapi acceptance app (fixtures/acceptance/taskapi) and its migrated service running side
 * by side with the same JWT_SECRET_KEY (issue 11): an access token and a refresh token the Flask
 * app issues at POST /auth/token work on the service's /auth/whoami and /auth/refresh, and the
 * service's tokens work on the Flask app; a token signed with another key works on neither.
 */
import { spawn } from 'node:child_process'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { startLegacyFlask } from '../../src/verify/legacy-side.js'
import { buildService, installDependencies, startService } from '../../src/verify/service.js'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const appDir = join(repo, 'fixtures', 'acceptance', 'taskapi')
const hasExtensions = spawnSync('/usr/bin/python3', ['-c', 'import flask_jwt_extended, flask_limiter, flask_caching, flask_talisman, flask_compress, flask_restful, marshmallow'], { stdio: 'ignore' }).status === 0
if (!hasExtensions && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import the extensions of the taskapi acceptance app (test/runtime/jwt-taskapi-interop.test.ts)')

const root = mkdtempSync(join(tmpdir(), 'migrate-taskapi-jwt-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const ENV = { SECRET_KEY: 'dev-secret-change-me', JWT_SECRET_KEY: 'dev-jwt-secret-change-me', ADMIN_API_TOKEN: 'dev-admin-token' }
const ALICE = `Basic ${Buffer.from('alice:wonderland').toString('base64')}`

function migrate(serviceDir: string): Promise<{ status: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['bin/migrate.js', appDir, '--out', serviceDir, '--force'], { cwd: repo })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('close', (status) => done({ status, output }))
  })
}

async function tokens(baseUrl: string): Promise<{ access: string; refresh: string }> {
  const response = await fetch(`${baseUrl}/auth/token`, { method: 'POST', headers: { Authorization: ALICE } })
  expect(response.status).toBe(200)
  const body = (await response.json()) as { access_token: string; refresh_token: string }
  return { access: body.access_token, refresh: body.refresh_token }
}

async function call(baseUrl: string, method: string, path: string, token: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}${path}`, { method, headers: { Authorization: `Bearer ${token}` } })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // Not JSON: compared as text.
  }
  return { status: response.status, body }
}

describe.skipIf(!hasExtensions)('taskapi: JWTs cross between the Flask app and the migrated service', () => {
  it('each side accepts the tokens the other issues, and neither accepts a forged one', async () => {
    const serviceDir = join(root, 'service')
    const migrated = await migrate(serviceDir)
    expect(migrated.status, migrated.output).toBe(0)
    const installed = installDependencies(serviceDir, join(repo, 'node_modules'))
    if (!installed.ok) throw new Error(installed.message)
    const built = buildService(serviceDir)
    if (!built.ok) throw new Error(built.message)
    const flask = await startLegacyFlask('/usr/bin/python3', appDir, 'wsgi:app', ENV)
    if (!flask.ok) throw new Error(flask.message)
    const service = await startService(serviceDir, 60_000, ENV)
    if (!service.ok) {
      await flask.value.stop()
      throw new Error(service.message)
    }
    try {
      const sides = { flask: flask.value.baseUrl, service: service.value.baseUrl }
      for (const [issuer, verifier] of [['flask', 'service'], ['service', 'flask']] as const) {
        const issued = await tokens(sides[issuer])
        const onVerifier = await call(sides[verifier], 'GET', '/auth/whoami', issued.access)
        const onIssuer = await call(sides[issuer], 'GET', '/auth/whoami', issued.access)
        expect(onVerifier, `${issuer}'s access token on ${verifier}`).toEqual(onIssuer)
        expect(onVerifier.status).toBe(200)
        const refreshed = await call(sides[verifier], 'POST', '/auth/refresh', issued.refresh)
        expect(refreshed.status, `${issuer}'s refresh token on ${verifier}`).toBe(200)
        // An access token is not a refresh token on either side.
        const wrongType = await call(sides[verifier], 'POST', '/auth/refresh', issued.access)
        expect(wrongType).toEqual(await call(sides[issuer], 'POST', '/auth/refresh', issued.access))
      }
      // A token signed with another key: both answer the same error.
      const [head, payload] = (await tokens(sides.flask)).access.split('.')
      const forged = `${head}.${payload}.${Buffer.from('not the signature').toString('base64url')}`
      const flaskAnswer = await call(sides.flask, 'GET', '/auth/whoami', forged)
      expect(flaskAnswer.status).not.toBe(200)
      expect(await call(sides.service, 'GET', '/auth/whoami', forged)).toEqual(flaskAnswer)
    } finally {
      await Promise.all([flask.value.stop(), service.value.stop()])
    }
  }, 240_000)
})
