import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/** Augmented assignment through any target (issue 12): evaluated once, in Python's order, in place for lists and sets. */
const cases: Case[] = [
  { name: 'nested dict item', source: `def f():\n    d = {"a": {"count": 3}, "b": {"count": 1}}\n    k = "a"\n    d[k]["count"] -= 1\n    d["b"]["count"] += 10\n    d[k]["count"] *= 4\n    return d` },
  { name: 'attribute then item', source: `class Box:\n    def __init__(self):\n        self.items = [1, 2, 3]\n        self.names = {"x": "a"}\n\ndef f():\n    obj = Box()\n    i = 1\n    obj.items[i] += 10\n    obj.items[-1] -= 1\n    obj.names["x"] += "b"\n    return [obj.items, obj.names]` },
  { name: 'self attributes, class attribute defaults', source: `class Counter:\n    total = 0\n    def __init__(self):\n        self.seen = []\n    def add(self, n):\n        self.total += n\n        self.seen += [n]\n        return self\n\ndef f():\n    c = Counter().add(2).add(3.5)\n    return [c.total, c.seen, Counter.total]` },
  { name: 'container and key evaluated once, in order', source: `def f():\n    log = []\n    data = {"a": [0, 0]}\n    def container():\n        log.append("container")\n        return data["a"]\n    def key():\n        log.append("key")\n        return 1\n    def value():\n        log.append("value")\n        return 5\n    container()[key()] += value()\n    return [data, log]` },
  { name: 'missing key raises before the right side runs', source: `def f():\n    log = []\n    def value():\n        log.append("value")\n        return 1\n    d = {}\n    try:\n        d["x"]["y"] += value()\n    except KeyError as e:\n        return ["KeyError", str(e), log]\n    return log` },
  { name: 'list += extends in place (aliases see it)', source: `def f():\n    d = {"xs": [1]}\n    alias = d["xs"]\n    d["xs"] += (2, 3)\n    d["xs"] += "ab"\n    return [alias, alias is d["xs"]]` },
  { name: 'list *= repeats in place; set -=, |=, &= in place', source: `def f():\n    d = {"xs": [1, 2], "s": {1, 2, 3}}\n    xs = d["xs"]\n    s = d["s"]\n    d["xs"] *= 2\n    d["s"] -= {1}\n    d["s"] |= {9}\n    d["s"] &= {2, 9}\n    return [xs, sorted(s), xs is d["xs"], s is d["s"]]` },
  { name: 'dict |= and int bit operators', source: `def f():\n    box = {"d": {"a": 1}, "flags": 1}\n    box["d"] |= {"b": 2}\n    box["flags"] |= 6\n    box["flags"] &= 3\n    n = 12\n    n |= 1\n    return [box, n]` },
  { name: 'int, float and str values keep their types', source: `def f():\n    d = {"i": 1, "f": 1.5, "s": "a"}\n    d["i"] += 2\n    d["f"] += 1.5\n    d["i"] /= 2\n    d["s"] *= 3\n    m = [[1, 2], [3, 4]]\n    m[1][0] //= 2\n    m[0][1] **= 3\n    m[1][1] %= 3\n    return [d, m]` },
  { name: 'slice target', source: `def f():\n    xs = [1, 2, 3, 4]\n    holder = {"xs": xs}\n    holder["xs"][1:3] += [9]\n    return xs` },
  { name: 'tuple item raises TypeError', source: `def f():\n    t = {"t": (1, 2)}\n    try:\n        t["t"][0] += 1\n    except TypeError as e:\n        return str(e)` },
  { name: 'str += on a non-str raises TypeError', source: `def f():\n    d = {"s": "a"}\n    try:\n        d["s"] += 1\n    except TypeError as e:\n        return str(e)` },
  { name: 'attribute chain', source: `class Node:\n    def __init__(self, child=None):\n        self.child = child\n        self.value = 0\n\ndef f():\n    root = Node(Node(Node()))\n    root.child.child.value += 7\n    root.child.value -= 1\n    return [root.value, root.child.value, root.child.child.value]` },
]

describe('augmented assignment through computed targets behaves as in Python', async () => {
  await differentialSuite(cases)
})
