/**
 * What a module does at import to the data the service carries: `ITEMS.append(1)` or
 * `USERS["a"] = ...` after the definition run when the service's module loads, in source order;
 * a statement that does not translate (a module-level loop) stubs every view using that data,
 * with a finding at the statement. Before this, such statements were dropped without a word.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'

async function migrate(source: string) {
  const input = mkdtempSync(join(tmpdir(), 'migrate-module-mutations-'))
  try {
    writeFileSync(join(input, 'app.py'), source)
    const result = await runPipeline({ input }, await defaultStages())
    if (!result.ok) throw new Error(result.error.message)
    const { report, files } = result.result
    return { report, module: [...files].find(([path]) => path.startsWith('src/app.py'))?.[1] ?? '' }
  } finally {
    rmSync(input, { recursive: true, force: true })
  }
}

const HEADER = `from collections import OrderedDict\nfrom flask import Flask, jsonify\napp = Flask(__name__)\n`

describe('module-level statements that change carried data', () => {
  it('run when the module loads, after the definition, in source order', async () => {
    const { report, module } = await migrate(
      `${HEADER}ITEMS = []\nITEMS.append(1)\nITEMS.extend([2, 3])\nORDERED = OrderedDict()\nORDERED["z"] = 1\nORDERED["a"] = 2\nORDERED.move_to_end("z")\nUNUSED = []\nUNUSED.append(0)\n\n@app.route("/")\ndef index():\n    return jsonify(items=ITEMS, keys=list(ORDERED))\n\nif __name__ == "__main__":\n    ITEMS.append(99)\n`,
    )
    expect(report.routes.find((route) => route.endpoint === 'index')?.status).toBe('migrated')
    expect(report.findings).toEqual([])
    const lines = module.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('import'))
    expect(lines).toEqual([
      'export const ITEMS: Py[] = []',
      '// app.py:5, when the module loads',
      'ITEMS.push(1)',
      '// app.py:6, when the module loads',
      expect.stringContaining('ITEMS'),
      'export const ORDERED = new collections.OrderedDict()',
      '// app.py:8, when the module loads',
      expect.stringContaining("'z', 1"),
      '// app.py:9, when the module loads',
      expect.stringContaining("'a', 2"),
      '// app.py:10, when the module loads',
      expect.stringContaining('move_to_end'),
    ])
    // Data no handler uses is not emitted, nor what changes it; the __main__ block never runs.
    expect(module).not.toContain('UNUSED')
    expect(module).not.toContain('99')
  }, 60_000)

  it('a call of a module function that fills the data runs too', async () => {
    const { report, module } = await migrate(`${HEADER}STOCK = {}\n\ndef seed(count):\n    for item in ["pen", "ink"]:\n        STOCK[item] = count\n\nseed(3)\n\n@app.route("/")\ndef index():\n    return jsonify(STOCK)\n`)
    expect(report.findings).toEqual([])
    expect(module).toContain('// app.py:10, when the module loads\nseed(3)')
  }, 60_000)

  it('one that does not translate stubs the views using the data, with a finding at the statement', async () => {
    const { report } = await migrate(`${HEADER}USERS = {}\nfor name in ["ana", "bo"]:\n    USERS[name] = name.title()\n\n@app.route("/users")\ndef users():\n    return jsonify(USERS)\n\n@app.route("/ping")\ndef ping():\n    return "pong"\n`)
    const status = Object.fromEntries(report.routes.map((route) => [route.endpoint, route.status]))
    expect(status).toMatchObject({ users: 'stub', ping: 'migrated' })
    const finding = report.findings.find((candidate) => candidate.endpoint === 'users')
    expect(finding?.location).toMatchObject({ file: 'app.py', line: 5 })
  }, 60_000)
})
