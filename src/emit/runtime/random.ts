/**
 * Python's `random`: CPython's Mersenne Twister (MT19937, seeded by `init_by_array` as
 * `_randommodule.c` does) and `random.py`'s algorithms on top of it, so a seeded generator gives
 * the same numbers, choices, shuffles and samples as CPython 3.11. Unseeded, it starts from the
 * operating system's randomness, as Python does.
 */
import { createHash, randomBytes } from 'node:crypto'
import { IndexError, TypeError as PyTypeError, ValueError } from './exceptions.js'
import { asFloat, getitem, isList, len, PyDict, PySet, typeName, type Py } from './py.js'
import { isFloat } from './float.js'

const N = 624
const M = 397

function bitLength(n: number): number {
  return n === 0 ? 0 : Math.abs(n).toString(2).length
}

/** A non-negative integer's 32-bit words, least significant first (at least one). */
function words(n: bigint): number[] {
  const out: number[] = []
  do {
    out.push(Number(n & 0xffffffffn))
    n >>= 32n
  } while (n > 0n)
  return out
}

function integer(value: Py, what: string): number {
  if (typeof value === 'boolean') return Number(value)
  if (isFloat(value) || (typeof value === 'number' && !Number.isInteger(value))) {
    if (!Number.isInteger(Number(value)))
      throw new ValueError(`non-integer ${what} for randrange()`)
    return Number(value)
  }
  if (typeof value !== 'number')
    throw new PyTypeError(`'${typeName(value)}' object cannot be interpreted as an integer`)
  return value
}

/** `random.Random(x=None)`. */
export class Random {
  static readonly pyName = 'Random'
  private readonly mt = new Uint32Array(N)
  private index = N

  constructor(x: Py = null) {
    this.seed(x)
  }

  /** `seed(a=None)`: an int uses all its bits; a str or bytes its bytes and their SHA-512. */
  seed(a: Py = null): null {
    let n: bigint
    if (a === null || a === undefined) n = BigInt('0x' + randomBytes(32).toString('hex'))
    else if (typeof a === 'boolean') n = BigInt(Number(a))
    else if (typeof a === 'number' && Number.isInteger(a) && !isFloat(a)) n = BigInt(Math.abs(a))
    else if (typeof a === 'string' || a instanceof Uint8Array) {
      const bytes = typeof a === 'string' ? Buffer.from(a, 'utf8') : Buffer.from(a)
      const all = Buffer.concat([bytes, createHash('sha512').update(bytes).digest()])
      n = BigInt('0x' + all.toString('hex'))
    } else if (isFloat(a)) {
      // Python seeds with hash(a); only an integral float's hash is its value.
      if (!Number.isInteger(Number(a)))
        throw new ValueError('seeding with a non-integral float is not supported by the service')
      n = BigInt(Math.abs(Number(a)))
    } else
      throw new PyTypeError(
        'The only supported seed types are: None,\nint, float, str, bytes, and bytearray.',
      )
    this.initByArray(words(n))
    return null
  }

  private initGenrand(s: number): void {
    const mt = this.mt
    mt[0] = s >>> 0
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0
    }
    this.index = N
  }

  private initByArray(key: number[]): void {
    const mt = this.mt
    this.initGenrand(19650218)
    let i = 1
    let j = 0
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0
      i++
      j++
      if (i >= N) {
        mt[0] = mt[N - 1]!
        i = 1
      }
      if (j >= key.length) j = 0
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0
      i++
      if (i >= N) {
        mt[0] = mt[N - 1]!
        i = 1
      }
    }
    mt[0] = 0x80000000
  }

  private genrand(): number {
    const mt = this.mt
    if (this.index >= N) {
      const twist = (a: number, b: number, c: number): number => {
        const y = (a & 0x80000000) | (b & 0x7fffffff)
        return (c ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)) >>> 0
      }
      let kk = 0
      for (; kk < N - M; kk++) mt[kk] = twist(mt[kk]!, mt[kk + 1]!, mt[kk + M]!)
      for (; kk < N - 1; kk++) mt[kk] = twist(mt[kk]!, mt[kk + 1]!, mt[kk + M - N]!)
      mt[N - 1] = twist(mt[N - 1]!, mt[0]!, mt[M - 1]!)
      this.index = 0
    }
    let y = mt[this.index++]!
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }

  /** `random()`: 53 random bits as a float in [0, 1). */
  random(): Py {
    const a = this.genrand() >>> 5
    const b = this.genrand() >>> 6
    return asFloat((a * 67108864 + b) * (1 / 9007199254740992))
  }

  /** `getrandbits(k)`: 32-bit words, least significant first; the last one's top bits. */
  getrandbits(k: Py): number {
    k = integer(k, 'arg')
    if (k < 0) throw new ValueError('number of bits must be non-negative')
    if (k <= 32) return k === 0 ? 0 : this.genrand() >>> (32 - k)
    let result = 0n
    let shift = 0n
    for (let left = k; left > 0; left -= 32, shift += 32n) {
      let r = this.genrand()
      if (left < 32) r >>>= 32 - left
      result |= BigInt(r) << shift
    }
    return Number(result)
  }

  private randbelow(n: number): number {
    const k = bitLength(n)
    let r = this.getrandbits(k)
    while (r >= n) r = this.getrandbits(k)
    return r
  }

  /** `randrange(start, stop=None, step=1)`. */
  randrange(start: Py, stop: Py = null, step: Py = 1): number {
    const istart = integer(start, 'arg 1')
    if (stop === null || stop === undefined) {
      if (step !== 1) throw new PyTypeError('Missing a non-None stop argument')
      if (istart > 0) return this.randbelow(istart)
      throw new ValueError('empty range for randrange()')
    }
    const istop = integer(stop, 'stop')
    const width = istop - istart
    const istep = integer(step, 'step')
    if (istep === 1) {
      if (width > 0) return istart + this.randbelow(width)
      throw new ValueError(`empty range for randrange() (${istart}, ${istop}, ${width})`)
    }
    let n: number
    if (istep > 0) n = Math.floor((width + istep - 1) / istep)
    else if (istep < 0) n = Math.floor((width + istep + 1) / istep)
    else throw new ValueError('zero step for randrange()')
    if (n <= 0) throw new ValueError('empty range for randrange()')
    return istart + istep * this.randbelow(n)
  }

  /** `randint(a, b)`: both ends included. */
  randint(a: Py, b: Py): number {
    return this.randrange(a, integer(b, 'stop') + 1)
  }

  /** `choice(seq)`. */
  choice(seq: Py): Py {
    const size = len(seq)
    if (size === 0) throw new IndexError('Cannot choose from an empty sequence')
    return getitem(seq, this.randbelow(size))
  }

  /** `shuffle(x)`: in place, from the end, as random.py does. */
  shuffle(x: Py): null {
    if (!isList(x))
      throw new PyTypeError(`'${typeName(x)}' object does not support item assignment`)
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1)
      const swap = x[i]
      x[i] = x[j]
      x[j] = swap
    }
    return null
  }

  /** `sample(population, k)`: random.py's pool for small populations, its set of indices otherwise. */
  sample(population: Py, k: Py): Py[] {
    if (population instanceof PySet || population instanceof PyDict || !hasLength(population))
      throw new PyTypeError('Population must be a sequence.  For dicts or sets, use sorted(d).')
    const items: Py[] = typeof population === 'string' ? [...population] : [...population]
    const n = items.length
    k = integer(k, 'k')
    if (!(k >= 0 && k <= n)) throw new ValueError('Sample larger than population or is negative')
    const result: Py[] = new Array(k).fill(null)
    let setsize = 21
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4))
    if (n <= setsize) {
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i)
        result[i] = items[j]
        items[j] = items[n - i - 1]
      }
    } else {
      const selected = new Set<number>()
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n)
        while (selected.has(j)) j = this.randbelow(n)
        selected.add(j)
        result[i] = items[j]
      }
    }
    return result
  }

  /** `uniform(a, b)`: `a + (b - a) * random()`. */
  uniform(a: Py, b: Py): Py {
    return asFloat(Number(a) + (Number(b) - Number(a)) * Number(this.random()))
  }

  /** `choices(population, weights=None, *, cum_weights=None, k=1)`. */
  choices(population: Py, weights: Py = null, cumWeights: Py = null, k: Py = 1): Py[] {
    const n = len(population)
    const count = integer(k, 'k')
    if (cumWeights === null || cumWeights === undefined) {
      if (weights === null || weights === undefined) {
        return Array.from({ length: count }, () =>
          getitem(population, Math.floor(Number(this.random()) * n)),
        )
      }
      let total = 0
      cumWeights = [...weights].map((w: Py) => (total += Number(w)))
    } else if (weights !== null && weights !== undefined)
      throw new PyTypeError('Cannot specify both weights and cumulative weights')
    const cum: number[] = [...cumWeights].map(Number)
    if (cum.length !== n)
      throw new ValueError('The number of weights does not match the population')
    const total = cum[cum.length - 1] ?? 0
    if (total <= 0) throw new ValueError('Total of weights must be greater than zero')
    if (!Number.isFinite(total)) throw new ValueError('Total of weights must be finite')
    return Array.from({ length: count }, () => {
      const x = Number(this.random()) * total
      // bisect_right(cum_weights, x, 0, n - 1)
      let lo = 0
      let hi = n - 1
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (x < cum[mid]!) hi = mid
        else lo = mid + 1
      }
      return getitem(population, lo)
    })
  }
}

function hasLength(value: Py): boolean {
  return typeof value === 'string' || Array.isArray(value)
}

/** The module's generator, behind `random.random()`, `random.seed()`… */
const shared = new Random()

export const seed = (a: Py = null): null => shared.seed(a)
export const random = (): Py => shared.random()
export const getrandbits = (k: Py): number => shared.getrandbits(k)
export const randrange = (start: Py, stop: Py = null, step: Py = 1): number =>
  shared.randrange(start, stop, step)
export const randint = (a: Py, b: Py): number => shared.randint(a, b)
export const choice = (seq: Py): Py => shared.choice(seq)
export const shuffle = (x: Py): null => shared.shuffle(x)
export const sample = (population: Py, k: Py): Py[] => shared.sample(population, k)
export const uniform = (a: Py, b: Py): Py => shared.uniform(a, b)
export const choices = (
  population: Py,
  weights: Py = null,
  cumWeights: Py = null,
  k: Py = 1,
): Py[] => shared.choices(population, weights, cumWeights, k)
