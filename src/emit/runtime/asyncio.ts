/**
 * The parts of Python's `asyncio` that async views await: `sleep` and `gather` (results in the
 * order given; the first failure propagates, as with `return_exceptions=False`).
 */
import type { Py } from './py.js'

/** `asyncio.sleep(delay, result=None)`. */
export function sleep(delay: Py, result: Py = null): Promise<Py> {
  return new Promise((resolve) => setTimeout(() => resolve(result), Number(delay) * 1000))
}

/** `asyncio.gather(*aws)`: a list of the results. */
export async function gather(...awaitables: Py[]): Promise<Py[]> {
  return Promise.all(awaitables)
}
