/**
 * Flask-Bcrypt on bcryptjs: the same `$2b$` (or `$2a$`) hashes, so a hash the Flask app stored
 * checks here and the reverse. `BCRYPT_LOG_ROUNDS` (12), `BCRYPT_HASH_PREFIX` (`2b`) and
 * `BCRYPT_HANDLE_LONG_PASSWORDS` (False) come from the app's config, as `init_app` reads them.
 * `generate_password_hash` returns bytes, as in Python (translated code `.decode("utf-8")`s it).
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import bcryptjs from 'bcryptjs'
import { ValueError } from './exceptions.js'
import { appConfigValue } from './flask.js'
import type { Py } from './py.js'

const encoder = new TextEncoder()

function asBytes(value: Py): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : (value as Uint8Array)
}

function asText(bytes: Uint8Array): string {
  // bcrypt hashes and salts are ASCII; a password's bytes go through latin1 so bcryptjs hashes them as given.
  return Buffer.from(bytes).toString('latin1')
}

/** What bcryptjs hashes: the password's bytes (UTF-8 for a str), as Python's bcrypt takes them. */
function passwordInput(password: Py, handleLongPasswords: boolean): string {
  let bytes = asBytes(password)
  if (handleLongPasswords) bytes = encoder.encode(createHash('sha256').update(bytes).digest('hex'))
  // bcryptjs encodes its string argument as UTF-8: give it the bytes as code points below 0x80 only when they are.
  return bytes.every((byte) => byte < 0x80) ? asText(bytes) : new TextDecoder('utf-8').decode(bytes)
}

function setting(key: string, fallback: unknown): unknown {
  const value = appConfigValue(key)
  return value === undefined ? fallback : value
}

function hashpw(password: string, salt: string): string {
  try {
    return bcryptjs.hashSync(password, salt)
  } catch {
    throw new ValueError('Invalid salt')
  }
}

function generate(password: Py, rounds: number, prefix: string, handleLong: boolean): Uint8Array {
  if (!password || (password instanceof Uint8Array && password.length === 0))
    throw new ValueError('Password must be non-empty.')
  const salt = bcryptjs.genSaltSync(rounds).replace(/^\$2[aby]\$/, `$${prefix}$`)
  return encoder.encode(hashpw(passwordInput(password, handleLong), salt))
}

function check(pwHash: Py, password: Py, handleLong: boolean): boolean {
  const stored = asText(asBytes(pwHash))
  const computed = encoder.encode(hashpw(passwordInput(password, handleLong), stored))
  const expected = asBytes(pwHash)
  return computed.length === expected.length && timingSafeEqual(computed, expected)
}

/** Flask-Bcrypt's `Bcrypt(app=None)`: its settings are the app's config when it is used. */
export class Bcrypt {
  /* eslint-disable @typescript-eslint/naming-convention -- the Python API's names */
  /** `generate_password_hash(password, rounds=None, prefix=None)`: the hash, as bytes. */
  generate_password_hash(password: Py, rounds: Py = null, prefix: Py = null): Uint8Array {
    return generate(
      password,
      Number(rounds ?? setting('BCRYPT_LOG_ROUNDS', 12)),
      String(prefix ?? setting('BCRYPT_HASH_PREFIX', '2b')),
      Boolean(setting('BCRYPT_HANDLE_LONG_PASSWORDS', false)),
    )
  }

  /** `check_password_hash(pw_hash, password)`: compared in constant time. */
  check_password_hash(pw_hash: Py, password: Py): boolean {
    return check(pw_hash, password, Boolean(setting('BCRYPT_HANDLE_LONG_PASSWORDS', false)))
  }
  /* eslint-enable @typescript-eslint/naming-convention */
}

/** flask_bcrypt's module function `generate_password_hash(password, rounds=None)`: Bcrypt's defaults (12 rounds, `2b`), not the app's config. */
export function generatePasswordHash(password: Py, rounds: Py = null): Uint8Array {
  return generate(password, Number(rounds ?? 12), '2b', false)
}

/** flask_bcrypt's module function `check_password_hash(pw_hash, password)`. */
export function checkPasswordHash(pw_hash: Py, password: Py): boolean {
  return check(pw_hash, password, false)
}
