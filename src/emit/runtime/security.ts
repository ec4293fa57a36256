/**
 * Werkzeug's password hashes (`werkzeug.security`), so that hashes the Flask app stored verify
 * here and hashes made here verify in Flask: `method$salt$hash`, with
 *
 * - `pbkdf2:<hash>[:<iterations>]`: PBKDF2-HMAC, hex digest; Werkzeug 2.2's default is
 *   `pbkdf2:sha256` with 260000 iterations (what `generate_password_hash` makes here);
 * - `scrypt[:n:r:p]`: Werkzeug 3's default (`scrypt:32768:8:1`), so hashes made by a newer
 *   Werkzeug verify too (Werkzeug 2.2 itself rejects them);
 * - a plain hash name (`sha256`, `md5`, …): HMAC keyed by the salt, or the bare digest without
 *   a salt; `plain`: the password itself (Werkzeug 2.2's legacy forms).
 *
 * Salts are `salt_length` characters of `[A-Za-z0-9]` from a CSPRNG; comparisons are constant-time.
 */
import {
  createHash,
  createHmac,
  getHashes,
  pbkdf2Sync,
  randomInt,
  scryptSync,
  timingSafeEqual,
} from 'node:crypto'
import { TypeError as PyTypeError, ValueError } from './exceptions.js'

const SALT_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
/** Werkzeug 2.2's `DEFAULT_PBKDF2_ITERATIONS`. */
export const DEFAULT_PBKDF2_ITERATIONS = 260000

/** `gen_salt(length)`. */
export function genSalt(length: number): string {
  if (length <= 0) throw new ValueError('Salt length must be positive')
  let salt = ''
  for (let i = 0; i < length; i++) salt += SALT_CHARS[randomInt(SALT_CHARS.length)]
  return salt
}

const encoder = new TextEncoder()

/** A hashlib name as OpenSSL (node:crypto) spells it, or Python's ValueError when there is none. */
function digestName(name: string, message = `unsupported hash type ${name}`): string {
  const lower = name.toLowerCase()
  const candidates = [
    lower,
    lower.replace(/_/g, '-'),
    lower.replace(/^sha3_/, 'sha3-'),
    lower.replace(/^blake2b$/, 'blake2b512').replace(/^blake2s$/, 'blake2s256'),
  ]
  const known = new Set(getHashes())
  const found = candidates.find((candidate) => known.has(candidate))
  if (found === undefined) throw new ValueError(message)
  return found
}

/** Python's `int(text)` for an iterations or scrypt argument. */
function intArgument(text: string): number {
  const trimmed = text.trim().replace(/_/g, '')
  if (!/^[+-]?\d+$/.test(trimmed))
    throw new ValueError(`invalid literal for int() with base 10: '${text}'`)
  return Number(trimmed)
}

/** Werkzeug's `_hash_internal`: the hex hash and the method as written into the result. */
function hashInternal(method: string, salt: string, password: string): [string, string] {
  if (method === 'plain') return [password, method]
  const saltBytes = encoder.encode(salt)
  const passwordBytes = encoder.encode(password)
  if (method === 'scrypt' || method.startsWith('scrypt:')) {
    const args = method.split(':').slice(1)
    let [n, r, p] = [2 ** 15, 8, 1]
    if (args.length > 0) {
      if (args.length !== 3) throw new ValueError("'scrypt' takes 3 arguments.")
      try {
        ;[n, r, p] = args.map(intArgument) as [number, number, number]
      } catch {
        throw new ValueError("'scrypt' takes 3 arguments.")
      }
    }
    const hash = scryptSync(passwordBytes, saltBytes, 64, {
      N: n,
      r,
      p,
      maxmem: 132 * n * r * p + 1024 * 1024,
    })
    return [hash.toString('hex'), `scrypt:${n}:${r}:${p}`]
  }
  if (method.startsWith('pbkdf2:')) {
    if (salt === '') throw new ValueError('Salt is required for PBKDF2')
    const args = method.slice(7).split(':')
    if (args.length !== 1 && args.length !== 2)
      throw new ValueError('Invalid number of arguments for PBKDF2')
    const name = args[0]!
    const iterations =
      args.length === 2 ? (args[1] === '' ? 0 : intArgument(args[1]!)) : DEFAULT_PBKDF2_ITERATIONS
    if (iterations < 1) throw new ValueError('iteration value must be greater than 0.')
    const digest = digestName(name)
    const length = createHash(digest).digest().length
    return [
      pbkdf2Sync(passwordBytes, saltBytes, iterations, length, digest).toString('hex'),
      `pbkdf2:${name}:${iterations}`,
    ]
  }
  // hmac.new reports OpenSSL's message, hashlib.new its own.
  const digest = digestName(
    method,
    salt !== '' ? '[digital envelope routines] unsupported' : undefined,
  )
  if (salt !== '')
    return [createHmac(digest, saltBytes).update(passwordBytes).digest('hex'), method]
  return [createHash(digest).update(passwordBytes).digest('hex'), method]
}

function requireStr(value: unknown, what: string): string {
  if (typeof value !== 'string')
    throw new PyTypeError(
      `${what} must be str, not ${value === null || value === undefined ? 'NoneType' : typeof value}`,
    )
  return value
}

/** `generate_password_hash(password, method="pbkdf2:sha256", salt_length=16)`: `method$salt$hash`. */
export function generatePasswordHash(
  password: unknown,
  method: unknown = 'pbkdf2:sha256',
  saltLength: unknown = 16,
): string {
  const methodText = requireStr(method, 'method')
  const salt = methodText !== 'plain' ? genSalt(Number(saltLength)) : ''
  const [hash, actual] = hashInternal(methodText, salt, requireStr(password, 'password'))
  return `${actual}$${salt}$${hash}`
}

/** `check_password_hash(pwhash, password)`: False for a value that is not `method$salt$hash`. */
export function checkPasswordHash(pwhash: unknown, password: unknown): boolean {
  const text = requireStr(pwhash, 'pwhash')
  const first = text.indexOf('$')
  const second = first < 0 ? -1 : text.indexOf('$', first + 1)
  if (second < 0) return false
  const [hash] = hashInternal(
    text.slice(0, first),
    text.slice(first + 1, second),
    requireStr(password, 'password'),
  )
  // hmac.compare_digest of two str: ASCII only, as in Python.
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(hash + text.slice(second + 1)))
    throw new PyTypeError('comparing strings with non-ASCII characters is not supported')
  const expected = encoder.encode(text.slice(second + 1))
  const actual = encoder.encode(hash)
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}
