import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/** `copy.copy` and `copy.deepcopy` (runtime copy.ts), against real Python: shared and cyclic references stay shared. */
const cases: Case[] = [
  {
    name: 'deepcopy of nested containers is independent of the original',
    source: `import copy\n\ndef f():\n    seed = {"users": [{"id": 1, "tags": {"a", "b"}}], "pair": (1, [2])}\n    clone = copy.deepcopy(seed)\n    clone["users"][0]["id"] = 9\n    clone["pair"][1].append(3)\n    return [seed["users"][0]["id"], seed["pair"], clone["users"][0]["id"], clone["pair"], sorted(clone["users"][0]["tags"])]`,
  },
  {
    name: 'deepcopy keeps shared references shared and copies cycles',
    source: `import copy\n\ndef f():\n    inner = [1]\n    outer = [inner, inner]\n    outer.append(outer)\n    clone = copy.deepcopy(outer)\n    clone[0].append(2)\n    return [clone[1], inner, clone[2] is clone, clone[0] is clone[1], clone[0] is inner]`,
  },
  {
    name: 'copy is shallow; tuples and strings are themselves',
    source: `import copy\n\ndef f():\n    data = {"items": [1, 2]}\n    shallow = copy.copy(data)\n    shallow["items"].append(3)\n    shallow["new"] = True\n    t = (1, 2)\n    return [data, shallow, copy.copy(t) is t, copy.deepcopy("s") == "s", copy.copy([1, [2]])]`,
  },
  {
    name: 'deepcopy of an instance of a project class',
    source: `import copy\n\nclass Point:\n    def __init__(self, x, tags):\n        self.x = x\n        self.tags = tags\n\ndef f():\n    p = Point(1, ["a"])\n    q = copy.deepcopy(p)\n    q.tags.append("b")\n    q.x = 2\n    return [p.x, p.tags, q.x, q.tags, type(q).__name__]`,
  },
]

describe('copy.copy and copy.deepcopy behave as in Python', async () => {
  await differentialSuite(cases)
})
