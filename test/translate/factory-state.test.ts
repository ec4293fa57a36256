/**
 * State an app factory makes once for the handlers it defines (src/translate/factory-state.ts):
 * carried as a constant of the factory's module when nothing but those handlers can change it;
 * otherwise the handlers using it stay stubs with a factory-closure-variable finding at the use.
 * fixtures/factory-state runs the carried cases against Flask.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'

async function migrate(body: string, after = '') {
  const input = mkdtempSync(join(tmpdir(), 'migrate-factory-state-'))
  try {
    const source = `import itertools\nfrom flask import Flask, jsonify\n\ndef make():\n    return {}\n\ndef create_app():\n    app = Flask(__name__)\n${body
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n')}\n    return app\n${after}`
    writeFileSync(join(input, 'app.py'), source)
    const result = await runPipeline({ input }, await defaultStages())
    if (!result.ok) throw new Error(result.error.message)
    const { report, files } = result.result
    const status = Object.fromEntries(report.routes.map((route) => [route.endpoint, route.status]))
    return { report, status, module: [...files].find(([path]) => path === 'src/app.py.ts')?.[1] ?? '' }
  } finally {
    rmSync(input, { recursive: true, force: true })
  }
}

const VIEW = `@app.get("/")\ndef index():\n    return jsonify(items)`

describe('state of an app factory', () => {
  it('made from literals and standard constructors, used by handlers alone: a module constant', async () => {
    const { status, report, module } = await migrate(`items = {"n": [1]}\nnumbers = itertools.count(5)\n${VIEW}\n@app.after_request\ndef number(response):\n    response.headers["X-N"] = str(next(numbers))\n    return response`)
    expect(status.index).toBe('migrated')
    // The counter the after_request hook advances is one per process, and the report says so; items is only read.
    expect(report.findings.map((finding) => [finding.ruleId, finding.location.line, finding.message.split(' ')[0]])).toEqual([['process-local-state', 10, '`numbers`']])
    expect(module).toContain('// `items` of create_app() (app.py:9), which its handlers share: one per process\nexport const items = ')
    expect(module).toContain('export const numbers = functional.countFrom(5)')
  }, 60_000)

  for (const [name, body, line] of [
    ['changed by the factory itself', `items = {}\nitems["a"] = 1\n${VIEW}`, 13],
    ['made by project code', `items = make()\n${VIEW}`, 12],
    ['made from another variable of the factory', `name = app.name\nitems = {"name": name}\n${VIEW}`, 13],
    ['bound twice', `items = {}\nif app.debug:\n    items = {"debug": True}\n${VIEW}`, 14],
    ['used by a function the factory calls', `items = {}\n\ndef fill():\n    items["a"] = 1\n\n@app.before_request\ndef hook():\n    fill()\n${VIEW}`, 19],
    ['passed to a handler the factory calls', `items = {}\n@app.before_request\ndef hook():\n    items["a"] = 1\nhook()\n${VIEW}`, 16],
  ] as const) {
    it(`${name}: the view stays a stub, with a finding at the use`, async () => {
      const { status, report, module } = await migrate(body)
      expect(status.index).toBe('stub')
      const finding = report.findings.find((candidate) => candidate.endpoint === 'index')
      expect(finding).toMatchObject({ ruleId: 'factory-closure-variable', location: { file: 'app.py', line } })
      expect(module).not.toContain('export const items')
    }, 60_000)
  }

  it('two functions of one module keeping state under one name: neither is carried', async () => {
    const { status } = await migrate(`register_a(app)\nregister_b(app)`, `\ndef register_a(app):\n    seen = {}\n    @app.get("/a")\n    def a():\n        return jsonify(seen)\n\ndef register_b(app):\n    seen = []\n    @app.get("/b")\n    def b():\n        return jsonify(seen)\n`)
    expect(status).toMatchObject({ a: 'stub', b: 'stub' })
  }, 60_000)
})
