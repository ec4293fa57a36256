/**
 * Python's `hashlib`, `hmac`, `secrets` and `base64` on node:crypto and Buffer, with Python's
 * argument rules and errors (bytes in, bytes or str out; a str where bytes are needed is a
 * TypeError, as in Python). Bytes are `Uint8Array`, as everywhere in the runtime.
 */
import {
  createHash,
  createHmac,
  getHashes,
  randomBytes,
  randomInt,
  timingSafeEqual,
} from 'node:crypto'
import { IndexError, TypeError as PyTypeError, ValueError } from './exceptions.js'
import { len, getitem, typeName, type Py } from './py.js'

/** `binascii.Error` (what `base64.b64decode` raises), a ValueError as in Python. */
export const BinasciiError = class Error extends ValueError {}

function bytesLike(value: Py, what = 'a bytes-like object is required'): Uint8Array {
  if (value instanceof Uint8Array) return value
  throw new PyTypeError(`${what}, not '${typeName(value)}'`)
}

// ---------------------------------------------------------------------------------------------
// hashlib

/** Python's name of each algorithm → node:crypto's name, digest size and block size in bytes. */
const ALGORITHMS: Record<string, [string, number, number]> = {
  md5: ['md5', 16, 64],
  sha1: ['sha1', 20, 64],
  sha224: ['sha224', 28, 64],
  sha256: ['sha256', 32, 64],
  sha384: ['sha384', 48, 128],
  sha512: ['sha512', 64, 128],
  sha3_256: ['sha3-256', 32, 136],
  sha3_512: ['sha3-512', 64, 72],
  blake2b: ['blake2b512', 64, 128],
  blake2s: ['blake2s256', 32, 64],
}

/** A hash object (`hashlib.sha256(...)`): `update`, `digest`, `hexdigest`, `copy`. */
export class HashObject {
  readonly name: string
  readonly digest_size: number
  readonly block_size: number
  private chunks: Uint8Array[] = []

  constructor(name: string, data: Py = null) {
    const algorithm = ALGORITHMS[name]
    if (!algorithm || !getHashes().includes(algorithm[0]))
      throw new ValueError(`unsupported hash type ${name}`)
    this.name = name
    this.digest_size = algorithm[1]
    this.block_size = algorithm[2]
    if (data !== null && data !== undefined) this.update(data)
  }
  update(data: Py): null {
    if (typeof data === 'string') throw new PyTypeError('Strings must be encoded before hashing')
    this.chunks.push(bytesLike(data, 'object supporting the buffer API required'))
    return null
  }
  digest(): Uint8Array {
    const hash = createHash(ALGORITHMS[this.name][0])
    for (const chunk of this.chunks) hash.update(chunk)
    return new Uint8Array(hash.digest())
  }
  hexdigest(): string {
    return Buffer.from(this.digest()).toString('hex')
  }
  copy(): HashObject {
    const copy = new HashObject(this.name)
    copy.chunks = [...this.chunks]
    return copy
  }
  __repr__(): string {
    return `<${this.name} _hashlib.HASH object>`
  }
}

/** `hashlib.new(name, data=b'')`. */
export function hashNew(name: Py, data: Py = null): HashObject {
  if (typeof name !== 'string')
    throw new PyTypeError(`new() argument 'name' must be str, not ${typeName(name)}`)
  return new HashObject(name.toLowerCase(), data)
}

/** The constructors `hashlib.md5`, `hashlib.sha256`, …: also what `hmac.new(digestmod=)` takes. */
function constructor(name: string): (data?: Py) => HashObject {
  const make = (data: Py = null): HashObject => new HashObject(name, data)
  Object.defineProperty(make, 'hashName', { value: name })
  return make
}
export const md5 = constructor('md5')
export const sha1 = constructor('sha1')
export const sha224 = constructor('sha224')
export const sha256 = constructor('sha256')
export const sha384 = constructor('sha384')
export const sha512 = constructor('sha512')
export const sha3_256 = constructor('sha3_256')
export const sha3_512 = constructor('sha3_512')
export const blake2b = constructor('blake2b')
export const blake2s = constructor('blake2s')

// ---------------------------------------------------------------------------------------------
// hmac

function digestName(digestmod: Py): string {
  if (typeof digestmod === 'string' && digestmod !== '') return digestmod.toLowerCase()
  if (
    typeof digestmod === 'function' &&
    typeof (digestmod as { hashName?: string }).hashName === 'string'
  )
    return (digestmod as { hashName: string }).hashName
  if (digestmod === null || digestmod === undefined || digestmod === '')
    throw new PyTypeError("Missing required parameter 'digestmod'.")
  throw new PyTypeError(`unsupported digestmod ${typeName(digestmod)}`)
}

/** An HMAC object (`hmac.new(key, msg, digestmod)`). */
export class Hmac {
  readonly name: string
  readonly digest_size: number
  private chunks: Uint8Array[] = []

  constructor(
    private readonly key: Uint8Array,
    private readonly hashName: string,
  ) {
    const algorithm = ALGORITHMS[hashName]
    if (!algorithm) throw new ValueError(`unsupported hash type ${hashName}`)
    this.name = `hmac-${hashName}`
    this.digest_size = algorithm[1]
  }
  update(msg: Py): null {
    if (typeof msg === 'string') throw new PyTypeError('Strings must be encoded before hashing')
    this.chunks.push(bytesLike(msg))
    return null
  }
  digest(): Uint8Array {
    const mac = createHmac(ALGORITHMS[this.hashName][0], this.key)
    for (const chunk of this.chunks) mac.update(chunk)
    return new Uint8Array(mac.digest())
  }
  hexdigest(): string {
    return Buffer.from(this.digest()).toString('hex')
  }
  copy(): Hmac {
    const copy = new Hmac(this.key, this.hashName)
    copy.chunks = [...this.chunks]
    return copy
  }
}

/** `hmac.new(key, msg=None, digestmod='')`. */
export function hmacNew(key: Py, msg: Py = null, digestmod: Py = ''): Hmac {
  if (typeof key === 'string')
    throw new PyTypeError(`key: expected bytes or bytearray, but got 'str'`)
  const mac = new Hmac(
    bytesLike(key, `key: expected bytes or bytearray, but got '${typeName(key)}'`),
    digestName(digestmod),
  )
  if (msg !== null && msg !== undefined) mac.update(msg)
  return mac
}

/** `hmac.digest(key, msg, digest)`. */
export function hmacDigest(key: Py, msg: Py, digest: Py): Uint8Array {
  return hmacNew(key, msg, digest).digest()
}

/** `hmac.compare_digest(a, b)` / `secrets.compare_digest`: both str (ASCII) or both bytes, in constant time. */
export function compareDigest(a: Py, b: Py): boolean {
  const asBytes = (value: Py): Uint8Array => {
    if (value instanceof Uint8Array) return value
    if (typeof value === 'string') {
      if (/[^\x00-\x7f]/.test(value))
        throw new PyTypeError('comparing strings with non-ASCII characters is not supported')
      return new TextEncoder().encode(value)
    }
    throw new PyTypeError(
      `unsupported operand types(s) or combination of types: '${typeName(a)}' and '${typeName(b)}'`,
    )
  }
  if ((typeof a === 'string') !== (typeof b === 'string')) {
    throw new PyTypeError(
      `unsupported operand types(s) or combination of types: '${typeName(a)}' and '${typeName(b)}'`,
    )
  }
  const x = asBytes(a)
  const y = asBytes(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

// ---------------------------------------------------------------------------------------------
// secrets (values are random: the service and Flask agree on their form, never on their value)

const DEFAULT_ENTROPY = 32

function entropy(nbytes: Py): number {
  if (nbytes === null || nbytes === undefined) return DEFAULT_ENTROPY
  if (typeof nbytes !== 'number' || !Number.isInteger(nbytes))
    throw new PyTypeError(`'${typeName(nbytes)}' object cannot be interpreted as an integer`)
  if (nbytes < 0) throw new ValueError('negative argument not allowed')
  return nbytes
}

export function tokenBytes(nbytes: Py = null): Uint8Array {
  return new Uint8Array(randomBytes(entropy(nbytes)))
}
export function tokenHex(nbytes: Py = null): string {
  return randomBytes(entropy(nbytes)).toString('hex')
}
export function tokenUrlsafe(nbytes: Py = null): string {
  return randomBytes(entropy(nbytes)).toString('base64url')
}
/** `secrets.choice(seq)`: IndexError on an empty sequence, as Python. */
export function choice(seq: Py): Py {
  const n = len(seq)
  if (n === 0) throw new IndexError('Cannot choose from an empty sequence')
  return getitem(seq, randomInt(n))
}
/** `secrets.randbelow(n)`. */
export function randbelow(n: Py): number {
  if (typeof n !== 'number' || n <= 0) throw new ValueError('Upper bound must be positive.')
  return randomInt(n)
}

// ---------------------------------------------------------------------------------------------
// base64

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const DECODE_TABLE = new Map([...STANDARD].map((c, i) => [c.charCodeAt(0), i]))

/** What the decoders accept: bytes, or a str of ASCII characters. */
function decoderInput(s: Py): Uint8Array {
  if (typeof s === 'string') {
    if (/[^\x00-\x7f]/.test(s))
      throw new ValueError('string argument should contain only ASCII characters')
    return new TextEncoder().encode(s)
  }
  if (s instanceof Uint8Array) return s
  throw new PyTypeError(
    `argument should be a bytes-like object or ASCII string, not '${typeName(s)}'`,
  )
}

function translateAlt(data: Uint8Array, altchars: Py, toStandard: boolean): Uint8Array {
  if (altchars === null || altchars === undefined) return data
  const alt = decoderInput(altchars)
  if (alt.length !== 2) throw new ValueError(`altchars must be a bytes-like object of length 2`)
  const [from, to] = toStandard ? [alt, [0x2b, 0x2f]] : [[0x2b, 0x2f], alt]
  return data.map((byte) => (byte === from[0] ? to[0] : byte === from[1] ? to[1] : byte))
}

/** `base64.b64encode(s, altchars=None)`. */
export function b64encode(s: Py, altchars: Py = null): Uint8Array {
  const encoded = new TextEncoder().encode(Buffer.from(bytesLike(s)).toString('base64'))
  return translateAlt(encoded, altchars, false)
}

/** CPython's `binascii.a2b_base64` (non-strict: characters outside the alphabet are skipped). */
function a2bBase64(data: Uint8Array): Uint8Array {
  const out: number[] = []
  let quadPos = 0
  let leftChar = 0
  let pads = 0
  for (const byte of data) {
    if (byte === 0x3d) {
      if (quadPos >= 2 && quadPos + ++pads >= 4) return new Uint8Array(out)
      continue
    }
    const value = DECODE_TABLE.get(byte)
    if (value === undefined) continue
    pads = 0
    switch (quadPos) {
      case 0:
        quadPos = 1
        leftChar = value
        break
      case 1:
        quadPos = 2
        out.push((leftChar << 2) | (value >> 4))
        leftChar = value & 0x0f
        break
      case 2:
        quadPos = 3
        out.push(((leftChar << 4) | (value >> 2)) & 0xff)
        leftChar = value & 0x03
        break
      default:
        quadPos = 0
        out.push(((leftChar << 6) | value) & 0xff)
        leftChar = 0
    }
  }
  if (quadPos === 1) {
    throw new BinasciiError(
      `Invalid base64-encoded string: number of data characters (${Math.floor(out.length / 3) * 4 + 1}) cannot be 1 more than a multiple of 4`,
    )
  }
  if (quadPos !== 0) throw new BinasciiError('Incorrect padding')
  return new Uint8Array(out)
}

/** `base64.b64decode(s, altchars=None, validate=False)`. */
export function b64decode(s: Py, altchars: Py = null, validate: Py = false): Uint8Array {
  const data = translateAlt(decoderInput(s), altchars, true)
  if (validate && !/^[A-Za-z0-9+/]*={0,2}$/.test(new TextDecoder().decode(data)))
    throw new BinasciiError('Non-base64 digit found')
  return a2bBase64(data)
}

export function urlsafeB64encode(s: Py): Uint8Array {
  return b64encode(s, new Uint8Array([0x2d, 0x5f]))
}
export function urlsafeB64decode(s: Py): Uint8Array {
  return b64decode(s, new Uint8Array([0x2d, 0x5f]))
}

/** `base64.b16encode` / `binascii.hexlify`: upper-case hex for b16, lower-case for hexlify. */
export function b16encode(s: Py): Uint8Array {
  return new TextEncoder().encode(Buffer.from(bytesLike(s)).toString('hex').toUpperCase())
}
export function hexlify(s: Py): Uint8Array {
  return new TextEncoder().encode(Buffer.from(bytesLike(s)).toString('hex'))
}
