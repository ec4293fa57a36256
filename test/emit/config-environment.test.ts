/**
 * Issue 17 item 6: every key of the emitted src/config.ts can be set by an environment variable of
 * its name (text as it is, a flag as true/false, other values as JSON of the same kind), and a
 * variable that does not fit stops the service at start-up with that message. The service is migrated
 * from a Flask app whose view reads the config, then run with and without the variables.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

const APP = `import os
from flask import Flask, jsonify

app = Flask(__name__)
app.config["GREETING"] = "hello"
app.config["PAGE_SIZE"] = 3
app.config["FEATURE"] = False
app.config["TAGS"] = ["a", "b"]
app.config["UPLOADS"] = os.environ.get("UPLOAD_DIR", "/tmp/uploads")


@app.route("/")
def index():
    return jsonify(
        greeting=app.config["GREETING"],
        size=app.config["PAGE_SIZE"] * 2,
        feature=app.config["FEATURE"],
        tags=app.config["TAGS"],
        uploads=app.config["UPLOADS"],
    )
`

const PROBE = `const { createApp } = await import('./src/app.ts')
const response = await createApp().request('/')
console.log(await response.text())`

let root = ''
let service = ''

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'migrate-config-env-'))
  mkdirSync(join(root, 'app'))
  writeFileSync(join(root, 'app', 'app.py'), APP)
  service = join(root, 'service')
  expect(await main([join(root, 'app'), '--out', service, '--quiet'], { stdout: () => {}, stderr: () => {} })).toBe(0)
  symlinkSync(join(REPO, 'node_modules'), join(service, 'node_modules'))
}, 120_000)

afterAll(() => {
  if (root !== '') rmSync(root, { recursive: true, force: true })
})

function probe(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], {
    cwd: service,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    timeout: 60_000,
  })
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() }
}

describe('config keys from the environment', () => {
  it("without variables, the source's values", () => {
    const result = probe({})
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({ greeting: 'hello', size: 6, feature: false, tags: ['a', 'b'], uploads: '/tmp/uploads' })
  }, 60_000)

  it('each key set by a variable of its name; an environment read keeps its own name', () => {
    const result = probe({ GREETING: 'hi there', PAGE_SIZE: '5', FEATURE: 'yes', TAGS: '["x"]', UPLOAD_DIR: '/srv/up' })
    expect(JSON.parse(result.stdout)).toEqual({ greeting: 'hi there', size: 10, feature: true, tags: ['x'], uploads: '/srv/up' })
    // The key's own name wins over the variable the source reads.
    expect(JSON.parse(probe({ UPLOAD_DIR: '/srv/up', UPLOADS: '/data' }).stdout).uploads).toBe('/data')
  }, 60_000)

  it.each([
    ['PAGE_SIZE', 'five', 'config: PAGE_SIZE in the environment is not JSON ("five")'],
    ['PAGE_SIZE', '"5"', 'config: PAGE_SIZE in the environment must be a JSON number, as in the source'],
    ['FEATURE', 'maybe', 'config: FEATURE in the environment must be true or false ("maybe")'],
    ['TAGS', '{"a": 1}', 'config: TAGS in the environment must be a JSON list, as in the source'],
  ])('%s=%s stops the start with that message', (key, value, message) => {
    const result = probe({ [key]: value })
    expect(result.status).not.toBe(0)
    expect(result.stderr).toContain(message)
  }, 60_000)

  it('.env.example lists every key, commented out, with the source value', () => {
    const example = readFileSync(join(service, '.env.example'), 'utf8')
    for (const line of ['# GREETING=hello', '# PAGE_SIZE=3', '# FEATURE=false', '# TAGS=["a","b"]']) expect(example).toContain(line)
  })
})
