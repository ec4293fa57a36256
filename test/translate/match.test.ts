import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/** `match` statements (Python 3.10+), against real Python. */
const cases: Case[] = [
  {
    name: 'literals, or-patterns, wildcard',
    source: `def f():\n    out = []\n    for x in [1, 2, 3, "a", None, True, 0, 1.0, -1, -2.5]:\n        match x:\n            case 1 | 2:\n                out.append("small")\n            case "a":\n                out.append("letter")\n            case None:\n                out.append("none")\n            case True:\n                out.append("true")\n            case -1:\n                out.append("minus")\n            case -2.5 | 9:\n                out.append("float minus")\n            case _:\n                out.append("other")\n    return out`,
  },
  {
    name: 'captures, as-patterns and guards',
    source: `def f():\n    out = []\n    for x in [5, 50, "hi", 7]:\n        match x:\n            case int() as n if n > 10:\n                out.append(["big", n])\n            case str(s):\n                out.append(["str", s.upper()])\n            case n if n == 7:\n                out.append(["seven", n])\n            case other:\n                out.append(["other", other])\n    return out`,
  },
  {
    name: 'sequence patterns with a star',
    source: `def f():\n    out = []\n    for cmd in [["go", "north"], ["drop", "a", "b", "c"], ["look"], ("go", "x", "y"), "go", []]:\n        match cmd:\n            case ["go", direction]:\n                out.append(["go", direction])\n            case ["drop", *things]:\n                out.append(["drop", things])\n            case [single]:\n                out.append(["one", single])\n            case [first, *_, last]:\n                out.append(["ends", first, last])\n            case []:\n                out.append("empty")\n            case _:\n                out.append("no")\n    return out`,
  },
  {
    name: 'mapping patterns on JSON-like data',
    source: `def f():\n    out = []\n    events = [{"type": "click", "x": 1, "y": 2}, {"type": "key", "key": "q", "mods": []}, {"type": "key"}, {"kind": 1}, "x"]\n    for event in events:\n        match event:\n            case {"type": "click", "x": x, "y": y}:\n                out.append(["click", x + y])\n            case {"type": "key", "key": key, **rest}:\n                out.append(["key", key, rest])\n            case {"type": t}:\n                out.append(["type only", t])\n            case {}:\n                out.append("a mapping")\n            case _:\n                out.append("not a mapping")\n    return out`,
  },
  {
    name: 'class patterns with keywords on a project class',
    source: `class Point:\n    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n\ndef f():\n    out = []\n    for p in [Point(0, 0), Point(0, 5), Point(3, 3), 4]:\n        match p:\n            case Point(x=0, y=0):\n                out.append("origin")\n            case Point(x=0, y=yy):\n                out.append(["on y", yy])\n            case Point(x=a, y=b) if a == b:\n                out.append(["diagonal", a])\n            case float() | int():\n                out.append("number")\n    return out`,
  },
  {
    name: 'no case matches: nothing runs, the captures of a failed guard stay bound',
    source: `def f():\n    seen = "none"\n    match 3:\n        case n if n > 5:\n            seen = "big"\n    return [seen, n]`,
  },
]

describe('match statements behave as in Python', async () => {
  await differentialSuite(cases)
})
