import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

const cases: Case[] = [
  { name: 'dict keeps insertion order with int keys', source: `def f():\n    d = {3: "c", 1: "a"}\n    d[2] = "b"\n    return list(d.items())` },
  { name: 'dict key equality 1 == 1.0 == True', source: `def f():\n    d = {1: "int"}\n    d[1.0] = "float"\n    d[True] = "bool"\n    return [len(d), d[1]]` },
  { name: 'dict methods', source: `def f():\n    d = {"a": 1, "b": 2}\n    x = d.pop("a")\n    y = d.pop("zz", None)\n    d.update({"c": 3})\n    d.setdefault("e", 5)\n    return [x, y, d.get("b"), d.get("q", 0), list(d.keys()), list(d.values()), "c" in d]` },
  { name: 'missing key raises KeyError', source: `def f():\n    d = {"a": 1}\n    return d["b"]` },
  { name: 'dict() copies and kwargs', source: `def f():\n    a = {"x": 1}\n    b = dict(a)\n    b["y"] = 2\n    return [a, b, dict(k=1, j=2), dict([("p", 1)])]` },
  { name: 'list methods', source: `def f():\n    l = [3, 1, 2]\n    l.append(4)\n    l.extend([5])\n    l.insert(0, 9)\n    p = l.pop()\n    l.remove(1)\n    return [l, p, l.index(2), l.count(3)]` },
  { name: 'pop from empty list', source: `def f():\n    l = []\n    return l.pop()` },
  { name: 'remove missing', source: `def f():\n    l = [1]\n    l.remove(5)\n    return l` },
  { name: 'sorted with key and reverse, stable', source: `def f():\n    words = ["bb", "a", "ccc", "dd", "e"]\n    return [sorted(words), sorted(words, key=len), sorted(words, key=len, reverse=True), sorted([3, 1, 2], reverse=True)]` },
  { name: 'sorted str without key (reverse, list.sort, an empty list)', source: `def f():\n    words = ["pear", "Apple", "apple", "", "éclair", "b", "pear"]\n    l = list(words)\n    l.sort(reverse=True)\n    e = []\n    e.sort()\n    return [sorted(words), sorted(words, reverse=True), l, e, sorted(w for w in words if w)]` },
  { name: 'list.sort with key', source: `def f():\n    l = [{"n": 2}, {"n": 1}]\n    l.sort(key=lambda x: x["n"])\n    return l` },
  { name: 'min max sum any all', source: `def f():\n    l = [3, 1, 2]\n    return [min(l), max(l), min(4, 9), max(l, key=lambda x: -x), max([], default=0), sum(l), sum([0.5, 0.25]), any(x > 2 for x in l), all(x > 2 for x in l), any([]), all([])]` },
  { name: 'min of empty raises', source: `def f():\n    return min([])` },
  { name: 'len of containers', source: `def f():\n    return [len([1, 2]), len({"a": 1}), len("héllo"), len((1, 2, 3)), len({1, 2})]` },
  { name: 'isinstance with tuples; bool is int', source: `def f():\n    return [isinstance(True, int), isinstance(1, (int, float)), isinstance(1.5, int), isinstance("a", str), isinstance([], list), isinstance({}, dict), isinstance((1,), tuple), isinstance(None, (int, str))]` },
  { name: 'list comprehension with condition', source: `def f():\n    xs = [1, 2, 3, 4]\n    return [x * 10 for x in xs if x % 2 == 0]` },
  { name: 'dict comprehension over items', source: `def f():\n    d = {"a": 1, "b": 2, "c": 3}\n    return {k: v for k, v in d.items() if k in ("a", "c")}` },
  { name: 'set comprehension and set ops', source: `def f():\n    s = {x % 3 for x in range(10)}\n    s.add(7)\n    return [sorted(s), 7 in s, len(s)]` },
  { name: 'generator into sorted and join', source: `def f():\n    d = {"x": {"name": "b"}, "y": {"name": "a"}}\n    return ", ".join(sorted(v["name"] for v in d.values()))` },
  { name: 'enumerate and zip', source: `def f():\n    return [list(enumerate("ab")), list(enumerate(["x"], 1)), list(zip([1, 2, 3], "ab"))]` },
  { name: 'range forms', source: `def f():\n    return [list(range(3)), list(range(1, 4)), list(range(10, 0, -3))]` },
  { name: 'tuple unpacking', source: `def f():\n    a, b = 1, 2\n    a, b = b, a\n    (c, d) = [3, 4]\n    return [a, b, c, d]` },
  { name: 'unpacking errors', source: `def f():\n    a, b = [1, 2, 3]\n    return a` },
  { name: 'del and nested subscripts', source: `def f():\n    d = {"a": {"b": [1, 2]}}\n    d["a"]["b"][0] = 9\n    del d["a"]["b"][1]\n    d["c"] = 1\n    del d["c"]\n    return d` },
  { name: 'augmented subscripts', source: `def f():\n    d = {"n": 1}\n    d["n"] += 5\n    l = [1, 2]\n    l[0] -= 1\n    return [d, l]` },
  { name: 'json round trip', source: `import json\ndef f():\n    s = json.dumps({"b": [1, 2.5, None, True], "a": "é"}, sort_keys=True)\n    return [s, json.loads('{"x": [1, {"y": null}]}')]` },
  { name: 'math functions', source: `import math\ndef f():\n    return [math.floor(2.7), math.ceil(2.1), math.sqrt(16), round(math.pi, 3)]` },
  { name: 're subset', source: `import re\ndef f():\n    m = re.match(r"(\\w+)-(?P<num>\\d+)", "abc-123 rest")\n    return [m.group(1), m.group("num"), re.sub(r"\\d", "#", "a1b22"), re.findall(r"\\d+", "1 22 333"), re.search(r"z", "abc") is None, re.split(r",\\s*", "a, b,c")]` },
  { name: 'abs and round types', source: `def f():\n    x = -3\n    return [abs(x), abs(-2.5), round(7.5), round(-0.5), round(2.675, 2)]` },
  { name: 'comprehensions with several for clauses', source: `def f():\n    pairs = [(x, y) for x in range(3) if x != 1 for y in "ab"]\n    grid = [[r * c for c in range(3)] for r in range(2)]\n    flat = [v for row in grid for v in row if v]\n    d = {f"{k}{i}": i for k in ["a", "b"] for i in range(2)}\n    s = {x * y for x in [1, 2] for y in [2, 1]}\n    total = sum(x * y for x in [1, 2] for y in [3, 4])\n    return [pairs, grid, flat, d, sorted(s), total]` },
  { name: 'dict display with ** unpacking', source: `def f():\n    base = {"a": 1, "b": 2}\n    merged = {**base, "b": 3, **{"c": 4}}\n    first = {"b": 0, **base}\n    return [merged, list(first.keys()), first]` },
  { name: 'dict display ** of a non-mapping', source: `def f():\n    items = [1, 2]\n    return {**items}` },
  { name: 'slice assignment and deletion', source: `def f():\n    a = [0, 1, 2, 3, 4, 5]\n    a[1:3] = ["x", "y", "z"]\n    b = [0, 1, 2, 3, 4, 5]\n    b[::2] = [9, 9, 9]\n    c = [0, 1, 2, 3]\n    c[3:1] = [7]\n    d = [0, 1, 2, 3, 4, 5, 6]\n    del d[1:5:2]\n    e = [0, 1, 2, 3]\n    del e[-2:]\n    g = [1, 2, 3]\n    g[:] = (x * 2 for x in g)\n    h = [1, 2, 3]\n    h[-10:1] = []\n    return [a, b, c, d, e, g, h]` },
  { name: 'extended slice assignment of the wrong size', source: `def f():\n    a = [0, 1, 2, 3]\n    a[::2] = [1, 2, 3]\n    return a` },
  { name: 'del of a local that is not used again', source: `def f():\n    out = []\n    tmp = [1, 2]\n    out.extend(tmp)\n    big = {"k": "v"}\n    del big\n    return out` },
  { name: 'comprehension targets unpacking tuples of any iterable', source: `def f():\n    d = {"b": 2, "a": 1}\n    pairs = [(1, "x"), (2, "y")]\n    out = [f"{k}={v}" for k, v in sorted(d.items())]\n    m = {v: k for k, v in pairs if k > 1}\n    t = [a + b + c for a, b, c in [(1, 2, 3), (4, 5, 6)]]\n    ok = any(k == "a" for k, _ in sorted(d.items()))\n    return [out, m, t, ok]` },
  { name: 'comprehension target of the wrong length', source: `def f():\n    return [a for a, b in [(1, 2, 3)]]` },
]

describe('collections and builtins behave as in Python', async () => {
  await differentialSuite(cases)
})
