import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

const cases: Case[] = [
  { name: 'if elif else', source: `def f():\n    out = []\n    for x in [0, 5, 15]:\n        if x == 0:\n            out.append("zero")\n        elif x < 10:\n            out.append("small")\n        else:\n            out.append("big")\n    return out` },
  { name: 'for over dict, items, range with break/continue', source: `def f():\n    d = {"a": 1, "b": 2, "c": 3}\n    keys = []\n    for k in d:\n        keys.append(k)\n    total = 0\n    for k, v in d.items():\n        if v == 2:\n            continue\n        total += v\n    for i in range(100):\n        if i > 3:\n            break\n    return [keys, total, i]` },
  { name: 'for else and while else', source: `def f():\n    out = []\n    for x in [1, 2]:\n        if x == 5:\n            break\n    else:\n        out.append("no break")\n    n = 0\n    while n < 10:\n        n += 1\n        if n == 3:\n            break\n    else:\n        out.append("never")\n    return [out, n]` },
  { name: 'enumerate with tuple target', source: `def f():\n    out = []\n    for i, ch in enumerate("xyz"):\n        out.append(f"{i}{ch}")\n    return out` },
  { name: 'try except else finally', source: `def f():\n    log = []\n    try:\n        x = int("7")\n    except ValueError as e:\n        log.append("bad")\n    else:\n        log.append(f"ok {x}")\n    finally:\n        log.append("done")\n    try:\n        int("q")\n    except (TypeError, ValueError) as e:\n        log.append(str(e))\n    return log` },
  { name: 'except Exception catches KeyError; re-raise', source: `def f():\n    d = {}\n    try:\n        try:\n            d["missing"]\n        except KeyError:\n            raise\n    except Exception as e:\n        return ["caught", str(e), isinstance(e, KeyError)]` },
  { name: 'raise custom exception with fields', source: `class ApiError(Exception):\n    def __init__(self, message, status=400):\n        super().__init__(message)\n        self.status = status\n\ndef f():\n    try:\n        raise ApiError("nope", 409)\n    except ApiError as e:\n        return [str(e), e.status, isinstance(e, Exception)]` },
  { name: 'uncaught custom exception', source: `class Boom(ValueError):\n    pass\n\ndef f():\n    raise Boom("bad thing")` },
  { name: 'assert', source: `def f():\n    x = 1\n    assert x == 2, "x must be 2"\n    return x` },
  { name: 'user class with methods and class attribute', source: `class Counter:\n    step = 2\n    def __init__(self, start=0):\n        self.value = start\n    def bump(self):\n        self.value += self.step\n        return self\n    def __str__(self):\n        return f"Counter({self.value})"\n\ndef f():\n    c = Counter(1)\n    c.bump().bump()\n    return [c.value, str(c), Counter.step]` },
  { name: 'inheritance and super()', source: `class Base:\n    def __init__(self, name):\n        self.name = name\n    def describe(self):\n        return "base " + self.name\n\nclass Child(Base):\n    def __init__(self, name, age):\n        super().__init__(name)\n        self.age = age\n    def describe(self):\n        return super().describe() + " child"\n\ndef f():\n    c = Child("x", 3)\n    return [c.describe(), c.age, isinstance(c, Base)]` },
  { name: 'nested functions, closures, nonlocal', source: `def f():\n    count = 0\n    def inc(by=1):\n        nonlocal count\n        count += by\n        return count\n    inc()\n    inc(by=5)\n    return count` },
  { name: 'lambdas', source: `def f():\n    add = lambda a, b=10: a + b\n    return [add(1), add(1, 2)]` },
  { name: 'module global state with global', source: `COUNTER = 0\nITEMS = {}\n\ndef bump():\n    global COUNTER\n    COUNTER += 1\n    ITEMS[COUNTER] = "x"\n    return COUNTER\n\ndef f():\n    bump()\n    bump()\n    return [COUNTER, list(ITEMS.keys())]` },
  { name: 'helper function with keyword arguments', source: `def helper(a, b=2, c=3):\n    return [a, b, c]\n\ndef f():\n    return [helper(1), helper(1, c=9), helper(a=5, b=6)]` },
  { name: 'while with complex condition', source: `def f():\n    items = [1, 2, 3, 4]\n    out = []\n    while items and len(out) < 2:\n        out.append(items.pop(0))\n    return [out, items]` },
  { name: 'return in finally order', source: `def f():\n    log = []\n    def g():\n        try:\n            return "try"\n        finally:\n            log.append("finally")\n    r = g()\n    return [r, log]` },
  { name: 'docstring and pass', source: `def f():\n    """Docstring."""\n    if True:\n        pass\n    return None` },
  { name: 'chained assignment', source: `def f():\n    a = b = [1]\n    a.append(2)\n    return b` },
  { name: 'os.environ.get default', source: `import os\ndef f():\n    return os.environ.get("SURELY_UNSET_VARIABLE_XYZ", "fallback")` },
]

describe('statements, classes and exceptions behave as in Python', async () => {
  await differentialSuite(cases)
})
