import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'

// No string from the project can become code: every place a project string reaches the emitted
// service is fed payloads that end a `//` or `/* */` comment, a string or a template, then run
// code. Each emitted .ts file must parse, and no identifier of the payload may appear as code.

const MARKER = 'PWNED_MARKER'
const BREAKS = ['\n', '\r', '\u2028', '\u2029', '*/', '`', '${', "'", '"', '\\', '\r\n']
/** Payload i: a line/comment/string breaker, then code naming the marker. */
function payload(index: number): string {
  const open = BREAKS[index % BREAKS.length]!
  return `x${open};${MARKER}=1;${MARKER}();//${open}/*${open}*/`
}
/** The same payload as a Python string literal (Flask accepts any such name or prefix). */
function py(text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const temporary: string[] = []
const services = new Map<number, string>()
afterAll(() => {
  if (process.env.KEEP_TEMP !== "1") for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
})

function hostileProject(seed: number): string {
  const root = mkdtempSync(join(tmpdir(), 'migrate-injection-'))
  temporary.push(root)
  const p = (k: number): string => payload(seed + k)
  const app = `"""Docstring ${p(0).replace(/"/g, "'")}"""
import os
from flask import Blueprint, Flask, jsonify, render_template

app = Flask(__name__)
app.config[${py(`KEY_${p(1)}`)}] = ${py(p(2))}
app.config["PLAIN"] = ${py(p(3))}
app.config["NESTED"] = {"a": [${py(p(4))}], ${py(p(5))}: 1}

bp = Blueprint(${py(`bp${p(6)}`)}, __name__, url_prefix=${py(`/pre${p(7)}`.replace(/[<>]/g, ''))})


@bp.route(${py(`/r${p(8)}`.replace(/[<>]/g, ''))}, endpoint=${py(`ep${p(9)}`)})
def view():
    # comment ${p(10).replace(/[\n\r]/g, ' ')}
    """View docstring ${p(11).replace(/"/g, "'")}"""
    return jsonify(msg=${py(p(12))})


@app.route("/page")
def page():
    return render_template(${py(`t${p(13)}.html`)}, value=${py(p(14))})


@app.route("/stub")
def stub():
    # a view that cannot be translated: its Python is quoted beside the 501 stub
    with open("x") as f:  # ${p(15).replace(/[\n\r]/g, ' ')}
        return ${py(p(16))}


app.register_blueprint(bp, name=${py(`named${p(17)}`)}, url_prefix=${py(`/second${p(18)}`.replace(/[<>]/g, ''))})
app.register_blueprint(bp)
`
  writeFileSync(join(root, 'app.py'), app)
  return root
}

function tsFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (current: string): void => {
    for (const name of readdirSync(current)) {
      const path = join(current, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (path.endsWith('.ts')) out.push(path)
    }
  }
  walk(dir)
  return out.sort()
}

/** Identifiers of the marker anywhere in the code (not inside strings or comments). */
function markersAsCode(source: ts.SourceFile): string[] {
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text.includes(MARKER)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source))
      found.push(`${source.fileName}:${line + 1}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

describe('project strings never become code', () => {
  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('hostile project %i: every emitted file parses and the marker is never code', async (seed) => {
    const input = hostileProject(seed)
    const out = join(mkdtempSync(join(tmpdir(), 'migrate-injection-out-')), 'service')
    temporary.push(dirname(out))
    const stderr: string[] = []
    const code = await main([input, '--out', out], { stdout: () => {}, stderr: (text) => stderr.push(text) })
    expect(code, stderr.join('')).toBe(0)
    services.set(seed, out)
    const problems: string[] = []
    for (const file of tsFiles(out)) {
      const text = readFileSync(file, 'utf8')
      const source = ts.createSourceFile(relative(out, file), text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
      const diagnostics = (source as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics
      for (const diagnostic of diagnostics) problems.push(`${source.fileName}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`)
      problems.push(...markersAsCode(source))
    }
    expect(problems).toEqual([])
  })

  it('the hostile services type-check under strict (three of them, one tsc each)', () => {
    for (const seed of [0, 4, 8]) {
      const out = services.get(seed)
      expect(out, `hostile project ${seed} was not migrated`).toBeDefined()
      symlinkSync(join(repo, 'node_modules'), join(out!, 'node_modules'))
      const tsc = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', out!], { encoding: 'utf8' })
      expect(tsc.stdout + tsc.stderr, `hostile project ${seed}`).toBe('')
    }
  }, 120_000)
})
