import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/** Werkzeug's generate_password_hash / check_password_hash in project code (issue 10): hashes Werkzeug made verify, new ones verify again. */
const STORED = 'pbkdf2:sha256:1000$JVXEPQKt$8ec223482dba0f3acd6e4e85239d1e08bd649306cb314a920eb66347b9d198d9'
const HMAC = 'sha256$3AS5rUxfezF0Zvpe$2a1b932ca706107339545acf4390bc144c55d3b06e836ef4d1395edf24de13ef'
const cases: Case[] = [
  { name: 'a stored pbkdf2 hash, right and wrong password', source: `from werkzeug.security import check_password_hash\n\ndef f():\n    return [check_password_hash("${STORED}", "s3cret"), check_password_hash("${STORED}", "S3cret"), check_password_hash(pwhash="${HMAC}", password="s3cret")]` },
  { name: 'malformed hashes are False', source: `from werkzeug.security import check_password_hash\n\ndef f():\n    return [check_password_hash("", "x"), check_password_hash("a$b", "x")]` },
  {
    name: 'generated hashes verify, with method= and salt_length=',
    source: `from werkzeug.security import generate_password_hash, check_password_hash\n\ndef f():\n    out = []\n    for method in ["pbkdf2:sha256:1000", "pbkdf2:sha512:10", "sha1"]:\n        h = generate_password_hash("pw", method=method, salt_length=5)\n        out.append([h.split("$")[0], len(h.split("$")[1]), check_password_hash(h, "pw"), check_password_hash(h, "nope")])\n    d = generate_password_hash("pw")\n    return out + [d.split("$")[0], len(d.split("$")[1]), check_password_hash(d, "pw")]`,
  },
  { name: 'an unknown method is a ValueError', source: `from werkzeug.security import check_password_hash\n\ndef f():\n    return check_password_hash("pbkdf2:sha256:0$salt$00", "pw")` },
]

describe('werkzeug.security password hashes behave as in Werkzeug', async () => {
  await differentialSuite(cases, { flask: true })
})
