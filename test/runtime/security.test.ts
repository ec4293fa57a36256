/**
 * Werkzeug's password hashes (src/emit/runtime/security.ts) against Debian's Werkzeug 2.2:
 * hashes Werkzeug made verify here, hashes made here verify in Werkzeug, for every method form;
 * scrypt hashes in Werkzeug 3's format (made with Python's hashlib.scrypt as Werkzeug 3 does).
 */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { checkPasswordHash, generatePasswordHash } from '../../src/emit/runtime/security.js'

const hasWerkzeug = spawnSync('/usr/bin/python3', ['-c', 'import werkzeug.security'], { stdio: 'ignore' }).status === 0
if (!hasWerkzeug && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import werkzeug, the oracle of test/runtime/security.test.ts')

const ORACLE = `
import hashlib, hmac, json, sys
from werkzeug.security import generate_password_hash, check_password_hash, gen_salt

def scrypt_hash(password, n, r, p, salt):
    h = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p).hex()
    return f"scrypt:{n}:{r}:{p}\${salt}\${h}"

def check(pwhash, password):
    if pwhash.startswith("scrypt"):  # Werkzeug 3's check_password_hash
        method, salt, hashval = pwhash.split("$", 2)
        n, r, p = map(int, method.split(":")[1:])
        return hmac.compare_digest(scrypt_hash(password, n, r, p, salt).split("$", 2)[2], hashval)
    try:
        return check_password_hash(pwhash, password)
    except Exception as error:
        return f"{type(error).__name__}: {error}"

commands = json.load(sys.stdin)
out = []
for command in commands:
    if command["op"] == "generate":
        if command["method"].startswith("scrypt"):
            n, r, p = map(int, command["method"].split(":")[1:])
            out.append(scrypt_hash(command["password"], n, r, p, gen_salt(16)))
        else:
            out.append(generate_password_hash(command["password"], method=command["method"], salt_length=command["salt_length"]))
    else:
        out.append(check(command["pwhash"], command["password"]))
print(json.dumps(out))
`

function werkzeug(commands: object[]): (string | boolean)[] {
  const result = spawnSync('/usr/bin/python3', ['-c', ORACLE], { input: JSON.stringify(commands), encoding: 'utf-8' })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as (string | boolean)[]
}

function ours(pwhash: string, password: string): string | boolean {
  try {
    return checkPasswordHash(pwhash, password)
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`
  }
}

const methods: [string, number][] = [
  ['pbkdf2:sha256', 16],
  ['pbkdf2:sha256:1000', 8],
  ['pbkdf2:sha512:2000', 16],
  ['pbkdf2:sha1:5', 4],
  ['pbkdf2:md5:10', 16],
  ['pbkdf2:sha3_256:10', 16],
  ['sha256', 16],
  ['md5', 12],
  ['sha1', 3],
  ['plain', 16],
  ['scrypt:16384:8:1', 16],
  ['scrypt:32768:8:1', 16],
]
const passwords = ['correct horse', 'pässwörd ☃', '']

describe.skipIf(!hasWerkzeug)("Werkzeug's password hashes", () => {
  it('verifies what Werkzeug made, and Werkzeug verifies what the runtime made', () => {
    const plan = methods.flatMap(([method, saltLength]) => passwords.filter((password) => method !== 'plain' || /^[\x20-\x7e]*$/.test(password)).map((password) => ({ method, saltLength, password })))
    const theirs = werkzeug(plan.map(({ method, saltLength, password }) => ({ op: 'generate', method, salt_length: saltLength, password }))) as string[]
    const mine = plan.map(({ method, saltLength, password }) => generatePasswordHash(password, method, saltLength))
    plan.forEach(({ method, password }, i) => {
      expect(ours(theirs[i]!, password), `${method} ${theirs[i]}`).toBe(true)
      expect(ours(theirs[i]!, `${password}x`), method).toBe(false)
      expect(mine[i]!.split('$')[0], method).toBe(theirs[i]!.split('$')[0])
    })
    const checks = werkzeug(plan.flatMap(({ password }, i) => [{ op: 'check', pwhash: mine[i], password }, { op: 'check', pwhash: mine[i], password: `${password}x` }]))
    plan.forEach(({ method }, i) => {
      expect([checks[2 * i], checks[2 * i + 1]], `${method} ${mine[i]}`).toEqual([true, false])
    })
  })

  it('makes pbkdf2:sha256:260000 with a 16-character salt by default, and other salt lengths on request', () => {
    expect(generatePasswordHash('pw')).toMatch(/^pbkdf2:sha256:260000\$[A-Za-z0-9]{16}\$[0-9a-f]{64}$/)
    expect(generatePasswordHash('pw', 'pbkdf2:sha256:1000', 30)).toMatch(/^pbkdf2:sha256:1000\$[A-Za-z0-9]{30}\$[0-9a-f]{64}$/)
    expect(() => generatePasswordHash('pw', 'pbkdf2:sha256', 0)).toThrow('Salt length must be positive')
  })

  it('answers malformed and unknown hashes as Werkzeug 2.2 does', () => {
    const cases: [string, string][] = [
      ['no-dollars', 'pw'],
      ['one$dollar', 'pw'],
      ['pbkdf2:sha256$$abc', 'pw'],
      ['pbkdf2:sha256:x$salt$abc', 'pw'],
      ['pbkdf2:sha256:0$salt$abc', 'pw'],
      ['pbkdf2:a:b:c$salt$abc', 'pw'],
      ['nosuchhash$salt$abc', 'pw'],
      ['sha256$$' + '0'.repeat(64), 'pw'],
      ['plain$$pw', 'pw'],
      ['plain$$pw', 'pw2'],
      ['sha256$salt$ab$cd', 'pw'],
    ]
    const theirs = werkzeug(cases.map(([pwhash, password]) => ({ op: 'check', pwhash, password })))
    cases.forEach(([pwhash, password], i) => expect(ours(pwhash, password), pwhash).toBe(theirs[i]))
  })
})
