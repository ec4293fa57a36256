import { describe, expect, it } from 'vitest'
import { runCases, sameData, typecheckCases, type Case } from './harness.js'

const cases: Case[] = [
  { name: 'floor division and modulo', source: `def f():\n    return [7 // 2, -7 // 2, 7 % -3, -7 % 3, 7.5 // 2, -7.5 % 2]` },
  { name: 'true division', source: `def f():\n    a = 7\n    b = 2\n    return [a / b, 6 / 3]` },
  { name: 'zero division', source: `def f():\n    x = 0\n    return 1 // x` },
  { name: 'modulo by zero', source: `def f():\n    x = 0\n    return 5 % x` },
  { name: 'division by zero', source: `def f():\n    x = 0\n    return 5 / x` },
  { name: 'power', source: `def f():\n    n = -1\n    return [2 ** 10, 2 ** n, (-2) ** 3]` },
  { name: 'comparison chain', source: `def f():\n    x = 5\n    return [1 < x <= 5, 1 < x < 5, x == 5.0, True == 1]` },
  { name: 'in operator', source: `def f():\n    d = {"a": 1}\n    return ["a" in d, 1 in [1, 2], "b" not in "abc", 1.0 in {1}, (1, 2) in [(1, 2)]]` },
  { name: 'is None', source: `def f():\n    x = None\n    y = 0\n    return [x is None, y is None, y is not None]` },
  { name: 'truthiness', source: `def f():\n    vals = [[], {}, "", 0, None, [0], "a", 0.0, {"k": 1}]\n    return [bool(v) for v in vals]` },
  { name: 'and/or return operands', source: `def f():\n    a = []\n    b = "x"\n    return [a or b, a and b, b and 0, None or {}]` },
  { name: 'not', source: `def f():\n    x = []\n    return [not x, not "a"]` },
  { name: 'conditional expression', source: `def f():\n    x = 3\n    return "big" if x > 2 else "small"` },
  { name: 'str concatenation type error', source: `def f():\n    return "a" + 1` },
  { name: 'int plus str type error', source: `def f():\n    x = 1\n    return x + "a"` },
  { name: 'list concatenation and repeat', source: `def f():\n    a = [1]\n    return [a + [2], a * 3, "ab" * 2]` },
  { name: 'unorderable types', source: `def f():\n    return [1] < "a"` },
  { name: 'augmented assignment', source: `def f():\n    x = 1\n    x += 2\n    x *= 3\n    s = "a"\n    s += "b"\n    l = [1]\n    m = l\n    l += [2]\n    return [x, s, m]` },
  { name: 'equality of containers', source: `def f():\n    return [[1, 2] == [1, 2], {"a": 1} == {"a": 1.0}, (1,) == [1], {1, 2} == {2, 1}]` },
  { name: 'unary minus', source: `def f():\n    x = 3\n    return [-x, -(-x), +x]` },
]

describe('operators behave as in Python', () => {
  const outcomes = runCases(cases)
  for (const c of cases) {
    it(c.name, () => {
      const o = outcomes.get(c.name)!
      expect(o.findings, o.code).toEqual([])
      expect(sameData(o.python, o.typescript), `${o.code}\npython: ${o.python}\nts: ${o.typescript}`).toBe(true)
    })
  }
  it('emitted code type-checks under strict', () => {
    expect(typecheckCases(cases)).toBe('')
  })
})
