/**
 * What counts as a secret: by name (config keys, variables, dict keys), by value (known key
 * formats, credentials in URLs, high-entropy tokens), and by origin (a value built from a secret:
 * the interpreter marks it, see `Value.secret`). A secret is never copied into emitted code: the
 * service reads it from the environment. When in doubt, a value is a secret: reading a setting from
 * the environment is reported and safe, copying a credential is neither.
 */

/** Names of credentials. Case-insensitive: config keys, module variables, keys of nested dicts. */
const SECRET_NAME =
  /SECRET|PASSWORD|PASSWD|PASSPHRASE|(?:^|_)(?:PWD|PASS|AUTH|DSN)(?:$|_)|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE|CREDENTIAL|SIGNING|SALT|[A-Z0-9]_KEY$|WEBHOOK|(?:DATABASE|SQLALCHEMY_DATABASE|REDIS|BROKER|MONGO|CELERY_RESULT_BACKEND|CACHE_REDIS|AMQP|RABBITMQ|ELASTICSEARCH)_(?:URI|URL)|SQLALCHEMY_BINDS/i

/** Settings named like credentials that are not credentials (`JWT_ACCESS_TOKEN_EXPIRES`, `SECURITY_PASSWORD_HASH`, `STATS_CACHE_KEY`: the name of a cache entry). */
const SETTING_SUFFIX =
  /_(?:EXPIRES|EXPIRATION|EXPIRATION_DELTA|LOCATION|LOCATIONS|NAME|TYPE|PATH|ALGORITHM|ALGORITHMS|ROUNDS|LENGTH|HEADER|PREFIX|ENABLED|REQUIRED|METHODS|FIELD|FIELDS|HASH|SCHEMES|COMPLEXITY|SECURE|HTTPONLY|SAMESITE|DOMAIN|CSRF_PROTECT|CHECK_FORM|IN_COOKIES|TIME_LIMIT|SSL_STRICT|BLOCKLIST_ENABLED|DEFAULT|TIMEOUT|CACHE_KEY)$/i

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !SETTING_SUFFIX.test(name)
}

const KNOWN_FORMATS: RegExp[] = [
  /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b/, // AWS access key id
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{10,}/, // Stripe
  /\b(?:ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{20,}|\bgithub_pat_[0-9A-Za-z_]{20,}/, // GitHub
  /\bxox[abposr]-[0-9A-Za-z-]{10,}/, // Slack
  /\bAIza[0-9A-Za-z_-]{30,}/, // Google API key
  /\beyJ[0-9A-Za-z_-]{8,}\.eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}/, // a JWT
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i, // scheme://user:password@host
  /(?:^|[\s;&?])(?:password|passwd|pwd|secret|token|api_?key)=[^\s;&]+/i, // key=value credentials in a DSN or query
]

/** Shannon entropy of the text, in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>()
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1)
  let bits = 0
  for (const count of counts.values()) {
    const p = count / text.length
    bits -= p * Math.log2(p)
  }
  return bits
}

/** A value that is a credential whatever it is called: a known key format, credentials in a URL, a random-looking token. */
export function looksSecret(value: string): boolean {
  if (KNOWN_FORMATS.some((format) => format.test(value))) return true
  // A token: one word of key characters, letters and digits mixed, random-looking.
  return /^[A-Za-z0-9+/=_-]{20,}$/.test(value) && !value.startsWith('/') && /\d/.test(value) && /[A-Za-z]/.test(value) && entropy(value) >= 3.5
}

/**
 * A secret that cannot be mistaken for ordinary code: found inside any string or comment of the
 * output, it is the secret. A weak one (`password`, `hunter2`) is also a word of ordinary code
 * (`request.form["password"]`), so the emitted files are only checked for it where it is the value
 * of something named like a credential.
 */
export function isStrongSecret(value: string): boolean {
  return looksSecret(value) || (value.length >= 10 && entropy(value) * value.length >= 40)
}

/** `name = "…"`, `name: str = "…"`, `name="…"` (a keyword argument), `"name": "…"` (a dict entry), `d["name"] = "…"` (an item set): the name, then the literal. The name and its annotation are on the `=`'s line (`elif not password:` above `error = "…"` is no annotation). */
const NAMED_LITERAL = /(?:\b([A-Za-z_]\w*)[ \t]*(?::[ \t]*[\w[\], .]+?)?[ \t]*=(?!=)|(["'])([A-Za-z_][\w-]*)\2\s*(?::|\][ \t]*=(?!=)))\s*[rRuU]?(["'])((?:(?!\4)[^\\\n])*)\4/g
const ANY_STRING = /(["'])((?:(?!\1)[^\\\n]){16,})\1/g

/**
 * String literals of a Python source that are credentials, found without running it: those bound
 * to a credential's name anywhere (in a view as well as in setup code), and those shaped like one.
 * Literals with escapes are skipped (their text is not their value).
 */
export function secretLiterals(source: string): string[] {
  const found: string[] = []
  for (const match of source.matchAll(NAMED_LITERAL)) {
    const name = match[1] ?? match[3]
    const value = match[5]
    if (name !== undefined && value !== undefined && value.length >= 4 && isSecretName(name)) found.push(value)
  }
  for (const match of source.matchAll(ANY_STRING)) if (looksSecret(match[2]!)) found.push(match[2]!)
  return found
}
