import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/** `async def` and `await` (Flask 2's async views and hooks), against real Python (asyncio.run on its side). */
const cases: Case[] = [
  {
    name: 'awaiting project coroutines in order',
    source: `async def double(n):\n    return n * 2\n\nasync def f():\n    x = await double(2)\n    y = await double(x) + 1\n    return [x, y, await double("ab")]`,
  },
  {
    name: 'asyncio.gather and asyncio.sleep',
    source: `import asyncio\n\nasync def slow(n, delay):\n    await asyncio.sleep(delay)\n    return n\n\nasync def f():\n    results = await asyncio.gather(slow(1, 0.02), slow(2, 0.0), slow(3, 0.01))\n    late = await asyncio.sleep(0, result="done")\n    return [results, late]`,
  },
  {
    name: 'exceptions raised in a coroutine reach the awaiting try',
    source: `async def fail(n):\n    if n > 1:\n        raise ValueError(f"too big: {n}")\n    return n\n\nasync def f():\n    out = []\n    for n in [1, 2]:\n        try:\n            out.append(await fail(n))\n        except ValueError as e:\n            out.append(str(e))\n    return out`,
  },
]

describe('async def and await behave as in Python', async () => {
  await differentialSuite(cases)
})
