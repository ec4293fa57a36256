import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadProject } from '../../src/analyze/index.js'
import { parseFiles } from '../../src/parse/index.js'
import { COMMENT_BLOCK_LIMIT } from '../../src/parse/tokens.js'

/**
 * Python is the oracle: a file CPython 3.11 refuses to compile is a python-syntax-error finding
 * (with its line) and is left out; a file it compiles is parsed. Issue 13 item 5: these crashed
 * the tool (exit 3) or went through as if Python would run them.
 */
const deep = (n: number, open: string, close = ''): string => `${open.repeat(n)}1${close.repeat(n)}`
const CASES: Record<string, { source: string; refused: boolean; line?: number }> = {
  'vertical tab at a line start': { source: 'x = 1\n\vy = 2\n', refused: true, line: 2 },
  'vertical tab in a line': { source: 'x =\v1\n', refused: true, line: 1 },
  'no-break space': { source: 'x =\u00a01\n', refused: true, line: 1 },
  'U+2028 in a string': { source: 'x = "a\u2028b"\n', refused: false },
  'U+2028 in a comment': { source: 'x = 1  # a\u2028b\n', refused: false },
  'form feed at a line start': { source: 'if 1:\n    x = 1\n\f    y = 2\n', refused: false },
  'tabs and spaces mixed': { source: 'if 1:\n        x = 1\n\ty = 2\n', refused: true, line: 3 },
  'tabs then spaces, ambiguous': { source: 'if 1:\n\tif 2:\n\t    x = 1\n\t\ty = 2\n', refused: true, line: 4 },
  'tabs only': { source: 'if 1:\n\tx = 1\n\ty = 2\n', refused: false },
  'unindent to no level': { source: 'if 1:\n    x = 1\n  y = 2\n', refused: true, line: 3 },
  'unexpected indent': { source: 'x = 1\n    y = 2\n', refused: true, line: 2 },
  'no indented block': { source: 'if 1:\nx = 1\n', refused: true, line: 2 },
  'no block at the end': { source: 'x = 1\nif 1:\n', refused: true },
  'return at module level': { source: 'x = 1\nreturn x\n', refused: true, line: 2 },
  'return in a class body': { source: 'class A:\n    return 1\n', refused: true, line: 2 },
  'yield at module level': { source: 'yield 1\n', refused: true, line: 1 },
  'yield in a lambda': { source: 'f = lambda: (yield)\n', refused: false },
  'yield in a comprehension': { source: 'def f():\n    return [(yield) for x in y]\n', refused: true, line: 2 },
  'yield in the first iterable': { source: 'def f():\n    return [x for x in (yield)]\n', refused: false },
  'await outside async': { source: 'def f():\n    await x\n', refused: true, line: 2 },
  'await in async def': { source: 'async def f():\n    await x\n', refused: false },
  'break outside a loop': { source: 'def f():\n    break\n', refused: true, line: 2 },
  'break in a def in a loop': { source: 'for x in y:\n    def g():\n        break\n', refused: true, line: 3 },
  'continue in a loop else': { source: 'for x in y:\n    pass\nelse:\n    continue\n', refused: true, line: 4 },
  'continue in finally': { source: 'for x in y:\n    try:\n        pass\n    finally:\n        continue\n', refused: false },
  'nonlocal at module level': { source: 'nonlocal x\n', refused: true, line: 1 },
  'nonlocal with no binding around': { source: 'def f():\n    def g():\n        nonlocal x\n', refused: true, line: 3 },
  'nonlocal bound by an import two functions out': { source: 'def f():\n    import os as x\n    def g():\n        def h():\n            nonlocal x\n', refused: false },
  'nonlocal bound only in a comprehension': { source: 'def f():\n    [x for x in y]\n    def g():\n        nonlocal x\n', refused: true, line: 4 },
  'print statement': { source: 'print "x"\n', refused: true, line: 1 },
  'try without except': { source: 'try:\n    pass\nx = 1\n', refused: true },
  'late __future__ import': { source: 'import os\nfrom __future__ import annotations\n', refused: true, line: 2 },
  '__future__ after a docstring': { source: '"""doc"""\n# c\nfrom __future__ import annotations\n', refused: false },
  'keyword argument repeated': { source: 'f(a=1,\n  a=2)\n', refused: true, line: 2 },
  'positional after keyword': { source: 'f(a=1, 2)\n', refused: true, line: 1 },
  'duplicate parameter': { source: 'def f(a, a):\n    pass\n', refused: true, line: 1 },
  'parameter without default after one with': { source: 'def f(a=1, b):\n    pass\n', refused: true, line: 1 },
  'keyword-only without default': { source: 'def f(a, *, b=1, c):\n    pass\n', refused: false },
  'delete a literal': { source: 'del 1\n', refused: true, line: 1 },
  'non-ASCII in bytes': { source: 'x = b"\u00e9"\n', refused: true, line: 1 },
  '200 nested parentheses': { source: `x = ${deep(200, '(', ')')}\n`, refused: false },
  '201 nested parentheses': { source: `x = ${deep(201, '(', ')')}\n`, refused: true, line: 1 },
  'brackets in a string': { source: `x = "${'('.repeat(300)}"\n`, refused: false },
  '99 indentation levels': { source: `${Array.from({ length: 99 }, (_, i) => `${' '.repeat(i)}if 1:\n`).join('')}${' '.repeat(99)}pass\n`, refused: false },
  '100 indentation levels': { source: `${Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}if 1:\n`).join('')}${' '.repeat(100)}pass\n`, refused: true, line: 101 },
  'unary minus 5,000 deep': { source: `x = ${deep(5000, '-')}\n`, refused: true, line: 1 },
  'sum of 5,000 terms': { source: `x = ${Array(5000).fill('a').join(' + ')}\n`, refused: true, line: 1 },
  'attributes 5,000 deep': { source: `x = a${'.b'.repeat(5000)}\n`, refused: true, line: 1 },
  '3,000 elifs': { source: `if a:\n    pass\n${'elif a:\n    pass\n'.repeat(3000)}`, refused: true },
  'parentheses 5,000 deep': { source: `x = ${deep(5000, '(', ')')}\n`, refused: true, line: 1 },
  '5,000 and-ed names (one BoolOp)': { source: `x = ${Array(5000).fill('a').join(' and ')}\n`, refused: false },
  'unmatched closing bracket': { source: 'x = 1)\n', refused: true, line: 1 },
  'mismatched brackets': { source: 'x = (1,\n 2]\n', refused: true, line: 2 },
  'a bracket never closed': { source: 'x = [1,\n  (2,\ny = 3\n', refused: true, line: 2 },
  'an emoji in code': { source: 'x = 1\ny = \u{1F600}\n', refused: true, line: 2 },
  'a combining mark starting a name': { source: 'x = \u0301a\n', refused: true, line: 1 },
  'a non-ASCII name': { source: 'caf\u00e9 = 1\n\u210c = 2\n', refused: false },
  'a header at the very end, no newline': { source: 'x = 1\nmatch x:', refused: true, line: 2 },
  'a tokenizer error after a parser error: Python names the tokenizer\'s': { source: 'def f(:\n    pass\ny = 1\u00a0\n', refused: true, line: 3 },
  'an unexpected indent before a tokenizer error: Python names the indent': { source: 'x = 1\n    y = 2\nz = 1\u00a0\n', refused: true, line: 2 },
  'a TabError before a tokenizer error': { source: 'if 1:\n        x = 1\n\ty = 2\nz = 1\u00a0\n', refused: true, line: 3 },
  'CRLF line ends': { source: 'x = 1\r\nif x:\r\n    y = 2\r\n', refused: false },
  'backslash continuation': { source: 'x = 1 + \\\n  2\nif x:\n    y = 1\n', refused: false },
  'hash lines in a string': { source: 'x = """\n# not a comment\n    indented\n"""\ny = 1\n', refused: false },
}

function verdict(source: string): { refused: boolean; line?: number; ruleId?: string } {
  const { findings } = parseFiles([{ file: 'm.py', module: 'm', isPackage: false, source }])
  const syntax = findings.find((finding) => finding.ruleId === 'python-syntax-error')
  return syntax === undefined ? { refused: false, ...(findings[0] ? { ruleId: findings[0].ruleId } : {}) } : { refused: true, line: syntax.location.line }
}

describe('files Python refuses are python-syntax-error findings with their line', () => {
  it.each(Object.entries(CASES))('%s', (_, { source, refused, line }) => {
    const ours = verdict(source)
    expect(ours.refused).toBe(refused)
    if (line !== undefined) expect(ours.line).toBe(line)
  })

  it.runIf(existsSync('/usr/bin/python3'))('the table says what CPython says', () => {
    const verdicts = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', 'import json,sys\nout={}\nfor k,v in json.load(sys.stdin).items():\n    try:\n        compile(v,"m.py","exec"); out[k]=None\n    except (SyntaxError, RecursionError, MemoryError) as e:\n        out[k]=getattr(e,"lineno",None) or 0\nprint(json.dumps(out))'], {
        input: JSON.stringify(Object.fromEntries(Object.entries(CASES).map(([name, { source }]) => [name, source.replace(/\r\n/g, '\n')]))),
        encoding: 'utf8',
        stdio: 'pipe',
        maxBuffer: 1 << 26,
      }),
    ) as Record<string, number | null>
    for (const [name, { refused, line }] of Object.entries(CASES)) {
      expect(verdicts[name] !== null, name).toBe(refused)
      if (line !== undefined && verdicts[name]) expect(verdicts[name], name).toBe(line)
    }
  })
})

describe('deep nesting', () => {
  it('Python accepts 1,200 nested calls; migrate leaves the module out with a skipped-file finding instead of overflowing its stack', () => {
    const ours = verdict(`x = f${'()'.repeat(1200)}\n`)
    expect(ours).toEqual({ refused: false, ruleId: 'skipped-file' })
  })
})

const temporary: string[] = []
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
})

it('a project with one file Python refuses: a finding for it, the others analysed', () => {
  const root = mkdtempSync(join(tmpdir(), 'migrate-syntax-'))
  temporary.push(root)
  writeFileSync(join(root, 'app.py'), 'from flask import Flask\n\napp = Flask(__name__)\n\n@app.route("/")\ndef index():\n    return "ok"\n')
  writeFileSync(join(root, 'tabs.py'), 'def f():\n        x = 1\n\treturn x\n')
  mkdirSync(join(root, 'pkg'))
  writeFileSync(join(root, 'pkg', '__init__.py'), `VALUE = ${'-'.repeat(5000)}1\n`)
  const loaded = loadProject(root)
  if (!loaded.ok) throw new Error(loaded.error.message)
  expect(loaded.project.ir.apps[0]!.routes.map((route) => route.rule)).toContain('/')
  const syntax = loaded.project.ir.findings.filter((finding) => finding.ruleId === 'python-syntax-error')
  expect(syntax.map((finding) => `${finding.location.file}:${finding.location.line}`).sort()).toEqual(['pkg/__init__.py:1', 'tabs.py:3'])
  expect(syntax.find((finding) => finding.location.file === 'tabs.py')!.message).toContain('TabError')
})

describe('long blocks of comment lines (tree-sitter reads ahead over all of them at each line end)', () => {
  it('2 MiB of comments after a function parses, with the right lines after the block', () => {
    const head = 'from flask import Flask\napp = Flask(__name__)\n\n@app.route("/")\ndef index():\n    x = 1\n'
    const comments = '    # a comment line, many times over, as in a generated file\n'.repeat(Math.floor((2 * 1024 * 1024 - 200) / 62))
    const source = `${head}${comments}    return "hi"  # kept\n`
    const { modules, findings } = parseFiles([{ file: 'app.py', module: 'app', isPackage: false, source }])
    expect(findings).toEqual([])
    const tree = modules[0]!.tree
    const returned = tree.rootNode.descendantsOfType('return_statement')[0]!
    expect(returned.startPosition.row).toBe(source.split('\n').length - 2)
    expect(returned.text).toBe('return "hi"')
    // The comment after the block is a node; the block's comments are not.
    expect(tree.rootNode.descendantsOfType('comment').map((node) => node.text)).toEqual(['# kept'])
  }, 60_000)

  it('blocks up to the limit keep their comments', () => {
    const block = '# c\n'.repeat(COMMENT_BLOCK_LIMIT)
    const { modules } = parseFiles([{ file: 'm.py', module: 'm', isPackage: false, source: `def f():\n${block}    return 1\n` }])
    expect(modules[0]!.tree.rootNode.descendantsOfType('comment')).toHaveLength(COMMENT_BLOCK_LIMIT)
  })
})
