import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { Markup, escape } from '../../src/emit/runtime/markup.js'
import * as py from '../../src/emit/runtime/py.js'

// MarkupSafe's Markup and escape in translated code, against Debian's python3-markupsafe.
const python = '/usr/bin/python3'
const hasMarkupSafe = spawnSync(python, ['-c', 'import markupsafe'], { encoding: 'utf8' }).status === 0

const CASES: [string, () => unknown][] = [
  ['escape("<a href=\'x\'>&\\"</a>")', () => escape('<a href=\'x\'>&"</a>')],
  ['escape(Markup("<b>"))', () => escape(new Markup('<b>'))],
  ['escape(5)', () => escape(5)],
  ['escape(None)', () => escape(null)],
  ['Markup("<p>%s</p>") % "<i>"', () => py.mod(new Markup('<p>%s</p>'), '<i>')],
  ['Markup("<p>%s</p>") % Markup("<i>")', () => py.mod(new Markup('<p>%s</p>'), new Markup('<i>'))],
  ['Markup("%s and %d and %r") % ("<x>", 3, "<y>")', () => py.mod(new Markup('%s and %d and %r'), py.tuple('<x>', 3, '<y>'))],
  ['Markup("%(a)s!") % {"a": "<&>"}', () => py.mod(new Markup('%(a)s!'), py.dict(['a', '<&>']))],
  ['Markup("\\n").join(["<a>", Markup("<b>"), "c"])', () => new Markup('\n').join(['<a>', new Markup('<b>'), 'c'])],
  ['Markup("<b>") + "<i>"', () => py.add(new Markup('<b>'), '<i>')],
  ['Markup("<b>") * 2', () => py.mul(new Markup('<b>'), 2)],
  ['Markup("  <b> ").strip()', () => py.callMethod(new Markup('  <b> '), 'strip')],
  ['Markup("<b>x</b>").replace("x", "<y>")', () => py.callMethod(new Markup('<b>x</b>'), 'replace', 'x', '<y>')],
  ['Markup("<b>").upper()', () => py.callMethod(new Markup('<b>'), 'upper')],
  ['Markup("a<br>b").split("<br>")', () => new Markup('a<br>b').split('<br>')],
  ['Markup("{} {}").format("<a>", Markup("<b>"))', () => new Markup('{} {}').format('<a>', new Markup('<b>'))],
  ['len(Markup("<b>é"))', () => py.len(new Markup('<b>é'))],
  ['bool(Markup(""))', () => py.truthy(new Markup(''))],
  ['Markup("<b>") == "<b>"', () => py.eq(new Markup('<b>'), '<b>')],
]

describe.skipIf(!hasMarkupSafe)('markupsafe.Markup / escape as MarkupSafe 2.1', () => {
  it('gives the same value and type for each operation', () => {
    const program = `
import json, sys
from markupsafe import Markup, escape
out = []
for source in json.load(sys.stdin):
    value = eval(source)
    out.append(repr(value))
print(json.dumps(out))
`
    const run = spawnSync(python, ['-c', program], { input: JSON.stringify(CASES.map(([source]) => source)), encoding: 'utf8' })
    expect(run.status, run.stderr).toBe(0)
    const expected = JSON.parse(run.stdout) as string[]
    const actual = CASES.map(([, make]) => {
      const value = make()
      return Array.isArray(value) ? `[${value.map((item) => py.repr(item)).join(', ')}]` : py.repr(value)
    })
    expect(actual).toEqual(expected)
  })
})
