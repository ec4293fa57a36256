/**
 * Calls of project functions an app factory makes without the app (`store.reset()` filling module
 * data, translate/factory-state.ts factoryCalls): they run when the service creates the app; one
 * that does not translate stubs every view using that module's data, with a finding at the call's
 * code. taskapi's create_app() calls store.reset(): the service had started with an empty store
 * while the report said 100% (its 98 scenario requests now match Flask).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'

const FACTORY = `from flask import Flask, jsonify
from . import store


def register(app):
    @app.get("/count")
    def count():
        return jsonify(len(store.ITEMS))


def create_app():
    app = Flask(__name__)
    store.seed(3)
    register(app)

    @app.get("/items")
    def items():
        return jsonify(store.ITEMS)

    @app.get("/ping")
    def ping():
        return "pong"

    return app
`

async function migrate(store: string) {
  const input = mkdtempSync(join(tmpdir(), 'migrate-factory-calls-'))
  try {
    mkdirSync(join(input, 'shop'))
    writeFileSync(join(input, 'shop', '__init__.py'), FACTORY)
    writeFileSync(join(input, 'shop', 'store.py'), store)
    const result = await runPipeline({ input, app: 'shop:create_app()' }, await defaultStages())
    if (!result.ok) throw new Error(result.error.message)
    const { report, files } = result.result
    const status = Object.fromEntries(report.routes.map((route) => [route.endpoint, route.status]))
    return { report, status, app: files.get('src/app.ts') ?? '' }
  } finally {
    rmSync(input, { recursive: true, force: true })
  }
}

describe('calls an app factory makes', () => {
  it('run when the service creates the app, in the factory', async () => {
    const { status, report, app } = await migrate(`ITEMS = []\n\n\ndef seed(n):\n    ITEMS.clear()\n    for i in range(n):\n        ITEMS.append({"id": i + 1})\n`)
    expect(status).toMatchObject({ items: 'migrated', count: 'migrated', ping: 'migrated' })
    expect(report.findings).toEqual([])
    expect(app).toContain('// shop/__init__.py:13: a call of the app factory, when the app is created')
    expect(app).toMatch(/runAtStartup\(\(c: Context\) => \{\n\s+seed\(3\)\n\s+\}, \[\]\)/)
  }, 60_000)

  it('one that does not translate stubs the views using its module data, with a finding', async () => {
    const { status, report, app } = await migrate(`import shelve\n\nITEMS = []\n\n\ndef seed(n):\n    with shelve.open("items") as db:\n        ITEMS.extend(db.get("items", []))\n`)
    expect(status).toMatchObject({ items: 'stub', count: 'stub', ping: 'migrated' })
    expect(report.findings.find((finding) => finding.endpoint === 'items')?.location.file).toBe('shop/store.py')
    expect(app).not.toContain('runAtStartup')
  }, 60_000)
})
