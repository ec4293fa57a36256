import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/** `type(x) is T` and `type(x).__name__`, against real Python (exact types: a bool is not an int). */
const cases: Case[] = [
  {
    name: 'type(x) is / is not / == a builtin type',
    source: `def f():\n    values = [True, 1, 1.5, "s", [1], {"a": 1}, (1,), None, 2.0]\n    return [[type(v) is bool, type(v) is int, type(v) == float, type(v) is not str, list == type(v), type(v) != dict, type(v) is tuple] for v in values]`,
  },
  {
    name: 'type(x).__name__',
    source: `def f():\n    return [type(v).__name__ for v in [True, 1, 1.5, "s", [1], {"a": 1}, (1,), None, 2.0, b"x"]]`,
  },
]

describe('exact type checks behave as in Python', async () => {
  await differentialSuite(cases)
})
