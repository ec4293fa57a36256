import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { isSecretName, isStrongSecret, looksSecret } from '../../src/analyze/secrets.js'
import { redactText } from '../../src/emit/redact.js'

// Secrets are never copied: planted in every shape a Flask project holds them, none may reach any
// emitted file, the report, or --emit-ir. And redaction replaces values, never unrelated code.

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const temporary: string[] = []
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
})
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  temporary.push(dir)
  return dir
}

/** Strong secrets: none may appear anywhere in the output, not even as a substring. */
const STRONG = {
  classSecretKey: 'cls-Secret-Key-7f3a9c2e41b8',
  itemSecretKey: 'item-Secret-9d2b7e61f0a3c',
  nestedPassword: 'Nested-Db-Pa55-b71e02f9',
  awsKeyId: 'AKIAIOSFODNN7EXAMPLQ',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKQY',
  authTuple: 'auth-Tuple-Pw-4c9e1a77d2',
  signingKey: 'sign-Key-0e8f7d6c5b4a3921',
  encryptionSalt: 'salt-Value-93b1c7e5d2f4a6',
  fstringBase: 'fstr-Base-Pw-61d3b9f27a0c',
  stripe: 'sk_live_51HxYzAbCdEfGhIjKlMn0pQr',
  github: 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8',
  webhook: 'https://hooks.example.com/services/T0ABC/B0DEF/xYz123SeCrEt',
  envFallback: 'env-Fallback-Pw-2b8d4f6a1c3e',
  jwtSecret: 'jwt-Secret-Key-a9c8e7f6d5b4',
  apiKeyA: 'api-Key-One-5e4d3c2b1a09f8',
  apiKeyB: 'api-Key-Two-1f2e3d4c5b6a79',
  privateKey: '-----BEGIN RSA PRIVATE KEY-----MIIEpAIBAAKCAQEA7b',
  oauthSecret: 'oauth-Client-Secret-8a7b6c5d4e',
  redisPassword: 'redis-Pw-3e5c7a9b1d2f',
  urlPassword: 'url-Pa55word-c4d5e6f7a8',
  sentry: 'sentry-Dsn-Key-0f9e8d7c6b',
  attrSecret: 'attr-Secret-Key-5a6b7c8d9e0f',
  updateSecret: 'update-Secret-Key-1a2b3c4d5e',
  mappingSecret: 'mapping-Secret-7e6d5c4b3a21',
  bearerJwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZXJ2aWNlIn0.c2lnbmF0dXJlLXZhbHVlLTEyMw',
  hmacHex: '9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c',
  moduleApiKey: 'module-Api-Key-6c5b4a39281706',
  handlerToken: 'handler-Token-2f4e6d8c0b1a',
  itemSetPassword: 'item-Set-Pw-8c7d6e5f4a3b',
} as const

/** Weak secrets: ordinary words, so they must not appear as a quoted value anywhere. */
const WEAK = { adminPassword: 'hunter2', dsnPassword: 'letmein9' } as const

const PROJECT = `import os
from flask import Flask, jsonify, request

_DB_PASS = "${STRONG.fstringBase}"
WEAK_DB_PASSWORD = "${WEAK.dsnPassword}"
MODULE_API_KEY = "${STRONG.moduleApiKey}"
CREDENTIALS = {}
CREDENTIALS["db_password"] = "${STRONG.itemSetPassword}"


class Config:
    SECRET_KEY = "${STRONG.classSecretKey}"
    DATABASE = {"user": "app", "password": "${STRONG.nestedPassword}", "host": "db"}
    AWS_ACCESS_KEY_ID = "${STRONG.awsKeyId}"
    AWS_SECRET_ACCESS_KEY = "${STRONG.awsSecret}"
    AUTH = ("admin", "${STRONG.authTuple}")
    SIGNING_KEY = "${STRONG.signingKey}"
    ENCRYPTION_SALT = "${STRONG.encryptionSalt}"
    SQLALCHEMY_DATABASE_URI = f"postgresql://app:{_DB_PASS}@db/app"
    CONNECTION = f"host=db user=app password={_DB_PASS}"
    WEAK_CONNECTION = "host=db password=" + WEAK_DB_PASSWORD
    PAYMENTS = "${STRONG.stripe}"
    GITHUB = "${STRONG.github}"
    SLACK_WEBHOOK = "${STRONG.webhook}"
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "${STRONG.envFallback}")
    JWT_SECRET_KEY = "${STRONG.jwtSecret}"
    API_KEYS = ["${STRONG.apiKeyA}", "${STRONG.apiKeyB}"]
    PRIVATE_KEY = "${STRONG.privateKey}"
    OAUTH_CLIENT_SECRET = "${STRONG.oauthSecret}"
    REDIS_URL = "redis://:${STRONG.redisPassword}@localhost:6379/0"
    UPSTREAM = "https://svc:${STRONG.urlPassword}@upstream.example.com/v1"
    SENTRY_DSN = "https://${STRONG.sentry}@sentry.example.com/1"
    SERVICE_BEARER = "${STRONG.bearerJwt}"
    UPSTREAM_HMAC = "${STRONG.hmacHex}"
    DEFAULT_ADMIN_PASSWORD = "${WEAK.adminPassword}"
    JWT_ACCESS_TOKEN_EXPIRES = 3600
    ITEMS_PER_PAGE = 20


app = Flask(__name__)
app.config.from_object(Config)
app.config["ITEM_SECRET"] = "${STRONG.itemSecretKey}"
app.secret_key = "${STRONG.attrSecret}"
app.config.update(UPDATE_SECRET="${STRONG.updateSecret}", GREETING="hello")
app.config.from_mapping({"MAPPING_SECRET": "${STRONG.mappingSecret}"})


@app.route("/account/reset-password")
def reset_password():
    return jsonify(field="password")


@app.route("/check")
def check():
    if request.headers.get("X-Api-Key") == MODULE_API_KEY:
        return "ok"
    return "no", 403


@app.route("/credentials")
def credentials():
    return jsonify(count=len(CREDENTIALS))


@app.route("/stub")
def stub():
    token = "${STRONG.handlerToken}"
    with open("x") as handle:
        return handle.read() + token
`

function allFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (current: string): void => {
    for (const name of readdirSync(current)) {
      const path = join(current, name)
      if (name === 'node_modules') continue
      if (statSync(path).isDirectory()) walk(path)
      else out.set(path.slice(dir.length + 1), readFileSync(path, 'utf8'))
    }
  }
  walk(dir)
  return out
}

describe('planted secrets', () => {
  const root = tempDir('migrate-secrets-')
  const input = join(root, 'app')
  mkdirSync(input)
  writeFileSync(join(input, 'app.py'), PROJECT)
  const out = join(root, 'service')
  const ir = join(root, 'ir.json')
  let stdout = ''
  let code = -1

  it('migrates the project', async () => {
    code = await main([input, '--out', out, '--emit-ir', ir, '--format', 'json'], { stdout: (text) => void (stdout += text), stderr: () => {} })
    expect(code).toBe(0)
  })

  it(`none of the ${Object.keys(STRONG).length} strong secrets reaches an emitted file, the report or the IR`, () => {
    const outputs = allFiles(out)
    outputs.set('--emit-ir', readFileSync(ir, 'utf8'))
    outputs.set('stdout', stdout)
    const leaks: string[] = []
    for (const [name, secret] of Object.entries(STRONG)) {
      for (const [path, text] of outputs) if (text.includes(secret)) leaks.push(`${name} in ${path}`)
    }
    expect(leaks).toEqual([])
  })

  it('no weak secret appears as a quoted value', () => {
    const outputs = allFiles(out)
    outputs.set('--emit-ir', readFileSync(ir, 'utf8'))
    const leaks: string[] = []
    for (const [name, secret] of Object.entries(WEAK)) {
      for (const [path, text] of outputs) if (text.includes(`"${secret}"`) || text.includes(`'${secret}'`) || text.includes(`=${secret}`)) leaks.push(`${name} in ${path}`)
    }
    expect(leaks).toEqual([])
  })

  it('settings that only sound like secrets are copied: numbers, and non-credential keys', () => {
    const config = readFileSync(join(out, 'src/config.ts'), 'utf8')
    expect(config).toMatch(/JWT_ACCESS_TOKEN_EXPIRES: 3600/)
    expect(config).toMatch(/ITEMS_PER_PAGE: 20/)
    expect(config).toMatch(/GREETING: ['"]hello['"]/)
  })

  it('redaction replaced values, not code: the rule /account/reset-password and the "password" field are intact, and the service type-checks', () => {
    const urlMap = readFileSync(join(out, 'src/url-map.ts'), 'utf8')
    expect(urlMap).toMatch(/rule: ['"]\/account\/reset-password['"]/)
    const routes = readFileSync(join(out, 'src/routes/app.ts'), 'utf8')
    expect(routes).toMatch(/routes\.get\(['"]\/account\/reset-password['"]/)
    expect(routes).toMatch(/field: ['"]password['"]/)
    // The module constant now reads the environment variable of its name.
    expect(readFileSync(join(out, 'src/app.py.ts'), 'utf8')).toMatch(/MODULE_API_KEY = process\.env\[['"]MODULE_API_KEY['"]\]/)
    symlinkSync(join(repo, 'node_modules'), join(out, 'node_modules'))
    const tsc = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', out], { encoding: 'utf8' })
    expect(tsc.stdout + tsc.stderr).toBe('')
  }, 60_000)
})

describe('what counts as a secret', () => {
  it.each(['SECRET_KEY', 'AWS_ACCESS_KEY_ID', 'AUTH', 'SIGNING_KEY', 'ENCRYPTION_SALT', 'db_password', 'api_key', 'SENTRY_DSN', 'SLACK_WEBHOOK', 'REDIS_URL', 'WTF_CSRF_SECRET_KEY'])('%s is a credential name', (name) => {
    expect(isSecretName(name)).toBe(true)
  })
  it.each(['JWT_ACCESS_TOKEN_EXPIRES', 'JWT_TOKEN_LOCATION', 'SECURITY_PASSWORD_HASH', 'SESSION_COOKIE_NAME', 'ITEMS_PER_PAGE', 'MONKEY', 'AUTHOR', 'JSON_SORT_KEYS', 'STATS_CACHE_KEY'])('%s is not', (name) => {
    expect(isSecretName(name)).toBe(false)
  })
  it.each([STRONG.awsKeyId, STRONG.stripe, STRONG.github, STRONG.bearerJwt, STRONG.hmacHex, `postgres://u:${WEAK.dsnPassword}@h/db`, STRONG.privateKey])('%s looks like a secret by its value', (value) => {
    expect(looksSecret(value)).toBe(true)
  })
  it.each(['sqlite:///app.db', 'https://api.example.com/v1/items', '/account/reset-password', 'hello world', 'application/json', 'Content-Security-Policy'])('%s does not', (value) => {
    expect(looksSecret(value)).toBe(false)
  })
  it('weak secrets are redacted only as a credential\'s quoted value', () => {
    expect(isStrongSecret('password')).toBe(false)
    expect(redactText('PASSWORD = "password" at /account/reset-password', ['password'])).toBe('PASSWORD = "<redacted secret>" at /account/reset-password')
    expect(redactText('form["password"]', ['password'])).toBe('form["password"]')
  })
})

describe('a database URL read from the environment', () => {
  // The URL is a secret (it may hold a password), but a SQLite fallback in the source holds none:
  // the service keeps it, so an unset variable gives the Flask app's database, not no database.
  const source = `import os
from flask import Flask, jsonify

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite:///journal.sqlite")
app.config["REPORTS_DATABASE_URL"] = os.environ.get("REPORTS_URL", "postgresql://app:${STRONG.urlPassword}@db/reports")


@app.route("/")
def index():
    return jsonify(ok=True)
`
  const root = tempDir('migrate-db-url-')
  const input = join(root, 'app')
  mkdirSync(input)
  writeFileSync(join(input, 'app.py'), source)
  const out = join(root, 'service')
  let report: { findings: { ruleId: string; message: string; location: { line: number } }[] } = { findings: [] }

  it('migrates the project', async () => {
    let stdout = ''
    expect(await main([input, '--out', out, '--format', 'json'], { stdout: (text) => void (stdout += text), stderr: () => {} })).toBe(0)
    report = JSON.parse(stdout) as typeof report
  })

  it("keeps the SQLite default, and drops a credential's default with a finding on its line", () => {
    const config = readFileSync(join(out, 'src/config.ts'), 'utf8')
    expect(config).toMatch(/SQLALCHEMY_DATABASE_URI: process\.env\['DATABASE_URL'\] \?\? 'sqlite:\/\/\/journal\.sqlite'/)
    expect(config).toMatch(/REPORTS_DATABASE_URL: process\.env\['REPORTS_URL'\],/)
    expect(config).not.toContain(STRONG.urlPassword)
    const dropped = report.findings.filter((finding) => finding.ruleId === 'config-secret-not-copied')
    expect(dropped.map((finding) => finding.location.line)).toEqual([6])
    expect(dropped[0]!.message).toContain('REPORTS_URL')
    // The variable stays a secret of the deployment (a Secret, not a ConfigMap), with no value in .env.example.
    expect(readFileSync(join(out, '.env.example'), 'utf8')).toMatch(/^DATABASE_URL=$/m)
  })
})
