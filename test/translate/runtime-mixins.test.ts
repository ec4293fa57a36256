/**
 * A class of a mapped extension as a mixin before the last base (`class User(UserMixin, db.Model)`,
 * issue 10 item 3): the translated class extends the last base and takes the runtime mixin's
 * members where it does not define them (`py.mixInto`), in Python's MRO. Real Python with
 * Debian's flask_login runs the same source; the translation runs under tsx with the runtime.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parsePython } from '../../src/parse/index.js'
import { translateSymbols } from '../../src/translate/index.js'

const ROOT = resolve(import.meta.dirname, '../..')
const hasOracle = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import flask_login'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

const SOURCE = `
from flask_login import UserMixin


class Base:
    def get_id(self):
        return "base"

    def hello(self):
        return "hello"

    @property
    def is_active(self):
        return False


class User(UserMixin, Base):
    def __init__(self, id):
        self.id = id


class Guest(UserMixin, Base):
    def get_id(self):
        return "guest"


def f():
    u = User(7)
    g = Guest()
    return [u.get_id(), u.is_authenticated, u.is_active, u.is_anonymous, u.hello(), g.get_id(), g.is_authenticated]
`

const dir = mkdtempSync(join(tmpdir(), 'runtime-mixins-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.skipIf(!hasOracle)('a runtime class as a mixin', () => {
  it('translates to py.mixInto and answers as Python', () => {
    const result = translateSymbols({ modules: [{ name: 'mod', file: 'mod.py', source: SOURCE, tree: parsePython(SOURCE) }] }, [{ module: 'mod', name: 'f' }])
    expect(result.findings).toEqual([])
    const code = result.modules.map((m) => m.code).join('\n')
    expect(code).toContain('py.mixInto(User, [UserMixin])')
    mkdirSync(join(dir, 'src'), { recursive: true })
    cpSync(join(ROOT, 'src/emit/runtime'), join(dir, 'src/lib'), { recursive: true })
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
    writeFileSync(join(dir, 'src/mod.ts'), code)
    writeFileSync(join(dir, 'src/run.ts'), `import { f } from './mod.js'\nconsole.log(JSON.stringify(f()))\n`)
    const ours = execFileSync(process.execPath, ['--import', 'tsx', 'src/run.ts'], { cwd: dir, encoding: 'utf8' }).trim()
    const python = execFileSync('/usr/bin/python3', ['-c', `${SOURCE}\nimport json\nprint(json.dumps(f()).replace(", ", ",").replace(": ", ":"))`], { encoding: 'utf8' }).trim()
    expect(ours).toBe(python)
  })
})
