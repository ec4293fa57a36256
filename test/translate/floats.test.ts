import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/**
 * int vs float as Python prints them: `3` and `3.0` must stay apart through every path a value
 * takes (typed arithmetic, lists, dicts, parameters, attributes, return values, JSON, str,
 * f-strings, %-formatting). Results are compared as json.dumps text, so `3.0` ≠ `3`.
 */
const cases: Case[] = [
  { name: 'float literals and arithmetic in a list', source: `def f():\n    a = 1.5\n    b = 2\n    return [3.0, a * b, a + a, 6 / 2, 7 // 2.0, 7.0 % 2, 2 ** -1, 2.0 ** 2, -a * 2]` },
  { name: 'float locals keep their type in a dict', source: `def f():\n    total = 0.0\n    for x in [1, 2]:\n        total = total + x\n    return {"total": total, "avg": total / 2, "n": 2}` },
  { name: 'int and float joined in one variable', source: `def f(flag=True):\n    x = 1 if flag else 2.0\n    y = 2.0\n    if flag:\n        y = 3\n    return [x, y, x + y]` },
  { name: 'floats through parameters and returns', source: `def half(x):\n    return x / 2\n\ndef twice(x):\n    return x * 2\n\ndef f():\n    return [half(4), twice(1.5), twice(2.0), twice(2), half(3) + 1]` },
  { name: 'dynamic arithmetic keeps float-ness', source: `def f():\n    d = {"a": 2.0, "b": 3}\n    return [d["a"] + d["b"], d["a"] * d["b"], d["b"] - d["a"], d["a"] // 1, d["a"] % 3, d["a"] ** 2, -d["a"], d["b"] ** -1, abs(-d["a"])]` },
  { name: 'str, repr and f-strings of integral floats', source: `def f():\n    x = 4 / 2\n    items = [x, 2]\n    return [str(x), repr(items), f"{x}", f"{items[0]}", f"{x:.1f}", "%s" % x, "%s and %r" % (items[0], items[1]), "{} {}".format(x, items[0]), str(items)]` },
  { name: 'round, min, max, sum keep types', source: `def f():\n    xs = [1.0, 2, 0.5]\n    return [round(2.5), round(3.0), round(2.675, 2), round(5, 1), round(xs[0], 1), min(xs), max(xs), sum(xs), sum([1.0, 2.0]), max(1, 2.0), min(3, 3.0), sum([])]` },
  { name: 'int() and float() conversions', source: `def f():\n    d = {"s": "3", "f": 3.0}\n    return [float(d["s"]), int(d["f"]), float(3), int(7.9), float("1e3"), float(True), [float(x) for x in ["1", "2.5"]]]` },
  { name: 'json.loads keeps 3.0 a float', source: `import json\ndef f():\n    data = json.loads('{"a": 3.0, "b": 3, "c": [1e2, -0.0, 2.5], "d": "3.0"}')\n    return [data, data["a"] + 1, data["b"] + 1, json.dumps(data)]` },
  { name: 'isinstance and type names of floats', source: `def f():\n    x = 2.0\n    items = [x, 2]\n    return [isinstance(x, float), isinstance(items[0], float), isinstance(items[0], int), isinstance(items[1], float)]` },
  { name: 'equality, hashing and ordering across int and float', source: `def f():\n    x = 2.0\n    d = {2: "int"}\n    d[x] = "float"\n    s = {1, 1.0, x}\n    return [x == 2, [x] == [2], d, len(s), sorted([3, 1.0, 2.5, 2]), 2 in [x], x < 3]` },
  { name: 'truthiness of float zero', source: `def f():\n    z = 0.0\n    items = [z, 1.0]\n    return [bool(z), bool(items[0]), not z, z or "empty", items[1] and "one", "yes" if items[0] else "no"]` },
  { name: 'float errors name float', source: `def f():\n    items = [2.0]\n    return "ab" * items[0]` },
  { name: 'float index is a TypeError', source: `def f():\n    items = [1, 2, 3]\n    i = 4 / 2\n    return items[i]` },
  { name: 'float floor division by zero message', source: `def f():\n    items = [2.0, 0]\n    return items[0] // items[1]` },
  { name: 'range rejects floats', source: `def f():\n    return list(range(4 / 2))` },
  { name: 'class attributes and instance fields hold floats', source: `class Account:\n    rate = 2.0\n\n    def __init__(self, balance):\n        self.balance = balance * 1.0\n\n    def interest(self):\n        return self.balance * self.rate\n\ndef f():\n    a = Account(10)\n    return [a.balance, a.interest(), Account.rate]` },
  { name: 'module constants and default parameters', source: `RATE = 2.0\nLIMIT = 10\n\ndef scaled(x, factor=1.0):\n    return x * factor\n\ndef f():\n    return [RATE, RATE * LIMIT, scaled(3), scaled(3, 2), LIMIT / RATE]` },
  { name: 'multiple targets and augmented floats', source: `def f():\n    a = b = 2.0\n    c = 1.0\n    c += 1\n    d = {"n": 1}\n    d["n"] += 1.0\n    return [a, b, c, d]` },
  { name: 'comprehensions and lambdas over floats', source: `def f():\n    xs = [1, 2]\n    return [[x * 1.0 for x in xs], {k: v / 1 for k, v in {"a": 2}.items()}, sorted(xs, key=lambda x: -x * 1.0), sorted(["10", "9.0"], key=float), [float(x) for x in ["2"]]]` },
  { name: 'math and time results are floats', source: `import math\ndef f():\n    return [math.sqrt(9), math.floor(2.0), math.fabs(-3), math.inf > 1, math.hypot(3, 4)]` },
  { name: 'float comparisons chained', source: `def f():\n    x = 2.0\n    return [1 < x <= 2, 1.0 <= x < 2, x == 2 == 2.0]` },
]

describe('int and float stay apart as in Python', async () => {
  await differentialSuite(cases)
})
