import { describe, expect, it } from 'vitest'
import { parsePython } from '../../src/parse/index.js'
import { translateSymbols } from '../../src/translate/index.js'

/**
 * Constructs outside the supported set: the function must not be translated, and the finding
 * must name the construct at its line:column with the right rule id — never a mistranslation.
 * `^` in a case's source marks nothing; positions are given explicitly as [line, column].
 */
const cases: { name: string; source: string; ruleId: string; at: [number, number] }[] = [
  { name: 'yield inside a lambda', source: `def f():\n    g = lambda: (yield 1)\n    return list(g())`, ruleId: 'unsupported-python-construct', at: [2, 18] },
  { name: 'async def nested in a function', source: `def f():\n    async def inner():\n        return 1\n    return 1`, ruleId: 'unsupported-python-construct', at: [2, 5] },
  { name: 'async generator', source: `async def f():\n    yield 1`, ruleId: 'unsupported-python-construct', at: [1, 1] },
  { name: 'await outside an async def', source: `async def g():\n    return 1\n\ndef f():\n    return [await g() for _ in [1]]`, ruleId: 'unsupported-python-construct', at: [5, 13] },
  { name: 'await', source: `def f(x):\n    return await x`, ruleId: 'unsupported-python-construct', at: [2, 12] },
  { name: 'with open(...)', source: `def f():\n    with open("x") as fh:\n        return fh.read()`, ruleId: 'unsupported-stdlib-call', at: [2, 10] },
  { name: 'open() call', source: `def f():\n    return open("x").read()`, ruleId: 'unsupported-stdlib-call', at: [2, 12] },
  { name: 'eval', source: `def f(s):\n    return eval(s)`, ruleId: 'dynamic-code-execution', at: [2, 12] },
  { name: 'exec', source: `def f(s):\n    exec(s)\n    return 1`, ruleId: 'dynamic-code-execution', at: [2, 5] },
  { name: 'globals()', source: `def f():\n    return globals()["x"]`, ruleId: 'dynamic-code-execution', at: [2, 12] },
  { name: 'unknown decorator', source: `import functools\n@functools.singledispatch\ndef f():\n    return 1`, ruleId: 'unknown-decorator', at: [2, 1] },
  { name: 'decorator on nested function', source: `def deco(fn):\n    return fn\n\ndef f():\n    @deco\n    def g():\n        return 1\n    return g()`, ruleId: 'unknown-decorator', at: [5, 5] },
  { name: '**kwargs call to an unknown function', source: `def f(cb, opts):\n    return cb(**opts)`, ruleId: 'dynamic-call-arguments', at: [2, 15] },
  { name: 'keyword call to a value of unknown signature', source: `def f(cb):\n    return cb(x=1)`, ruleId: 'dynamic-call-arguments', at: [2, 15] },
  { name: 'getattr with a dynamic name', source: `def f(obj, name):\n    return getattr(obj, name)`, ruleId: 'dynamic-attribute', at: [2, 12] },
  { name: 'setattr with a dynamic name', source: `def f(obj, name):\n    setattr(obj, name, 1)\n    return obj`, ruleId: 'dynamic-attribute', at: [2, 5] },
  { name: 'metaclass', source: `class Meta(type):\n    pass\n\nclass Model(metaclass=Meta):\n    pass\n\ndef f():\n    return Model()`, ruleId: 'unsupported-class-feature', at: [4, 13] },
  { name: 'multiple inheritance beyond mixins (a mixin with __init__)', source: `class A:\n    pass\n\nclass B:\n    def __init__(self):\n        self.x = 1\n\nclass C(B, A):\n    pass\n\ndef f():\n    return C()`, ruleId: 'unsupported-class-feature', at: [5, 5] },
  { name: 'global at module level', source: `global X\nX = 1\n\ndef f():\n    global Y\n    Y = 2\n    return Y`, ruleId: 'unsupported-scope-declaration', at: [5, 5] },
  { name: 'walrus', source: `def f(xs):\n    if (n := len(xs)) > 1:\n        return n\n    return 0`, ruleId: 'unsupported-python-construct', at: [2, 9] },
  { name: 'match over several subjects', source: `def f(x):\n    match x, 1:\n        case 1:\n            return "one"\n    return "other"`, ruleId: 'unsupported-python-construct', at: [2, 5] },
  { name: 'value pattern in a match case', source: `class Kind:\n    A = 1\n\ndef f(x):\n    match x:\n        case Kind.A:\n            return "one"\n    return "other"`, ruleId: 'unsupported-python-construct', at: [6, 14] },
  { name: 'subprocess', source: `import subprocess\ndef f():\n    return subprocess.run(["ls"])`, ruleId: 'unsupported-stdlib-call', at: [3, 12] },
  { name: 'threading', source: `import threading\ndef f():\n    lock = threading.Lock()\n    return 1`, ruleId: 'unsupported-stdlib-call', at: [3, 12] },
  { name: 'from-imported unknown package', source: `from requests import get\ndef f():\n    return get("http://x")`, ruleId: 'unsupported-import', at: [3, 12] },
  { name: 'a property that yields', source: `class A:\n    @property\n    def p(self):\n        yield 1\n\ndef f():\n    return list(A().p)`, ruleId: 'unsupported-python-construct', at: [3, 5] },
  { name: 'keyword arguments to a method of a value of unknown type', source: `class A:\n    def m(self, **kw):\n        return kw\n\ndef f(a):\n    return a.m(x=1)`, ruleId: 'dynamic-call-arguments', at: [6, 16] },
  { name: 'variadic function used as a value', source: `def g(*args):\n    return args\n\ndef f():\n    h = g\n    return h(1, 2)`, ruleId: 'unsupported-python-construct', at: [5, 9] },
  { name: 'unknown keyword to a function without **kwargs', source: `def g(a):\n    return a\n\ndef f():\n    return g(1, b=2)`, ruleId: 'dynamic-call-arguments', at: [5, 17] },
  { name: 'mutable default argument', source: `def f(x=[]):\n    x.append(1)\n    return x`, ruleId: 'unsupported-python-construct', at: [1, 9] },
  { name: 'undefined name', source: `def f():\n    return undefined_thing + 1`, ruleId: 'unresolved-name', at: [2, 12] },
  { name: 'bitwise operators (JS 32-bit)', source: `def f(a):\n    return a << 40`, ruleId: 'unsupported-python-construct', at: [2, 12] },
  { name: 'big integer literal', source: `def f():\n    return 123456789012345678901234567890`, ruleId: 'unsupported-python-construct', at: [2, 12] },
  { name: 'complex literal', source: `def f():\n    return 2j`, ruleId: 'unsupported-python-construct', at: [2, 12] },
  { name: 'class defined inside a function', source: `def f():\n    class Local:\n        pass\n    return Local()`, ruleId: 'unsupported-python-construct', at: [2, 5] },
  { name: 'starred assignment', source: `def f(xs):\n    first, *rest = xs\n    return rest`, ruleId: 'unsupported-python-construct', at: [2, 5] },
  { name: 'unsupported method of a str', source: `def f():\n    s = "abc"\n    return s.encode("cp1252")`, ruleId: 'unsupported-stdlib-call', at: [3, 12] },
  { name: 'regex with inline flags', source: `import re\ndef f(s):\n    return re.match(r"(?i)abc", s)`, ruleId: 'unsupported-stdlib-call', at: [3, 12] },
  // In a function a handler calls, `request` is the request being handled (Flask's context locals); at import time there is none.
  { name: 'request at import time', source: `from flask import request\nx = request.args.get("x")\ndef f():\n    return x`, ruleId: 'unsupported-flask-api', at: [2, 5] },
  { name: 'unsupported Flask API', source: `from flask import get_template_attribute\ndef f():\n    return get_template_attribute("x.html", "m")`, ruleId: 'unsupported-flask-api', at: [3, 12] },
  { name: 'del of a local that is read afterwards', source: `def f():\n    x = 1\n    del x\n    return x`, ruleId: 'unsupported-python-construct', at: [3, 9] },
  { name: 'del of a local inside a loop', source: `def f():\n    for i in range(2):\n        x = i\n        del x\n    return 1`, ruleId: 'unsupported-python-construct', at: [4, 13] },
  { name: 'del of a local that may be unbound', source: `def f(flag):\n    if flag:\n        x = 1\n    del x\n    return 1`, ruleId: 'unsupported-python-construct', at: [4, 9] },
  { name: 'any() over several for clauses', source: `def f(a, b):\n    return any(x == y for x in a for y in b)`, ruleId: 'unsupported-python-construct', at: [2, 15] },
  { name: 'super().__init__ argument that uses self', source: `class A(Exception):\n    def __init__(self, x):\n        super().__init__(self.describe(x))\n    def describe(self, x):\n        return str(x)\n\ndef f():\n    return str(A(1))`, ruleId: 'unsupported-class-feature', at: [3, 26] },
  { name: 'failure inside a called helper makes the caller fail', source: `def helper():\n    return 2j\n\ndef f():\n    return helper()`, ruleId: 'unsupported-python-construct', at: [2, 12] },
]

describe('constructs outside the supported set are reported, never mistranslated', () => {
  for (const c of cases) {
    it(c.name, () => {
      const tree = parsePython(c.source)
      const { modules, findings } = translateSymbols({ modules: [{ name: 'm', file: 'm.py', source: c.source, tree }] }, [{ module: 'm', name: 'f' }])
      const code = modules.map((m) => m.code).join('\n')
      // `f` itself must not be emitted.
      expect(code).not.toMatch(/export function f\(/)
      expect(findings.length, code).toBeGreaterThan(0)
      const [finding] = findings
      expect({ ruleId: finding.ruleId, line: finding.location.line, column: finding.location.column }, finding.message).toEqual({
        ruleId: c.ruleId,
        line: c.at[0],
        column: c.at[1],
      })
      expect(finding.location.file).toBe('m.py')
      expect(finding.severity).toBe('error')
    })
  }
})
