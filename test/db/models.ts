import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { readSqlalchemySchema, type SqlalchemySchema } from '../../src/analyze/ext-sqlalchemy.js'
import { parseFiles } from '../../src/parse/index.js'
import { scanProject } from '../../src/scan/index.js'

export const REPO = join(new URL('.', import.meta.url).pathname, '..', '..')
export const JOURNAL = join(REPO, 'fixtures', 'acceptance', 'journal')
export const DB_MODELS = join(REPO, 'fixtures', 'db-models', 'input')

/** The Flask-SQLAlchemy schema the analysis reads from a project folder. */
export function schemaOf(dir: string): SqlalchemySchema {
  const scan = scanProject(dir)
  return readSqlalchemySchema(parseFiles(scan.files).modules)
}

/** Runs real Flask-SQLAlchemy (Debian's, /usr/bin/python3): imports `module` of `dir` with DATABASE_URL set, whose start-up calls db.create_all(). */
export function pythonCreateAll(dir: string, module: string, databaseUrl: string, env: Record<string, string> = {}): void {
  execFileSync('/usr/bin/python3', [join(REPO, 'test', 'db', 'create_all.py'), dir, module], {
    env: { ...process.env, ...env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  })
}

/** The Postgres driver Debian's Python has for SQLAlchemy: psycopg2, else psycopg2cffi. */
export function pythonPostgresDriver(): string {
  for (const driver of ['psycopg2', 'psycopg2cffi']) {
    try {
      execFileSync('/usr/bin/python3', ['-c', `import ${driver}`], { stdio: 'ignore' })
      return driver
    } catch {
      // try the next one
    }
  }
  throw new Error('/usr/bin/python3 has neither psycopg2 nor psycopg2cffi (apt-get install python3-psycopg2)')
}
