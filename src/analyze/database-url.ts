import type { AppIR, ConfigEntryIR, Finding } from '../ir/types.js'

/**
 * Why the service cannot run on a database of this SQLAlchemy URL scheme (`mysql+pymysql`), or
 * null when it can. The runtime (src/emit/runtime/db.ts, `databaseUrlProblem`) refuses the same
 * URLs when the service starts, with one line.
 */
export function databaseSchemeProblem(scheme: string): string | null {
  const dialect = scheme.split('+')[0]!
  if (dialect === 'sqlite' || dialect === 'postgresql') return null
  if (dialect === 'postgres') return `SQLALCHEMY_DATABASE_URI starts with ${scheme}://, which SQLAlchemy 1.4 refuses (Can't load plugin: sqlalchemy.dialects:postgres), as the service does at start-up: write postgresql://.`
  return `SQLALCHEMY_DATABASE_URI names a ${dialect} database (${scheme}://): the service's data layer runs on SQLite and Postgres only, so the service stops at start-up with that message until the URL names one of those.`
}

/**
 * `database-not-supported`: a SQLALCHEMY_DATABASE_URI whose URL, as the source line of the config
 * entry writes it (the value, or an `os.environ.get` fallback), names a database the data layer
 * does not run on. Only the scheme is read: the URL is a secret and stays out of the report.
 * A URL read only from the environment is checked by the service when it starts.
 */
export function databaseUrlFindings(app: AppIR, modules: readonly { file: string; source: string }[]): Finding[] {
  const findings: Finding[] = []
  const reported = new Set<string>()
  const entries = app.config.filter((entry) => entry.key === 'SQLALCHEMY_DATABASE_URI')
  for (const entry of entries.flatMap((entry): ConfigEntryIR[] => [entry, ...(entry.alternatives ?? []).map((alternative) => alternative.entry)])) {
    const where = `${entry.location.file}:${entry.location.line}`
    if (reported.has(where)) continue
    const line = modules.find((module) => module.file === entry.location.file)?.source.split('\n')[entry.location.line - 1] ?? ''
    for (const match of line.matchAll(/["']([A-Za-z][A-Za-z0-9+.-]*):\/\//g)) {
      const problem = databaseSchemeProblem(match[1]!.toLowerCase())
      if (problem === null) continue
      reported.add(where)
      findings.push({ ruleId: 'database-not-supported', severity: 'error', message: problem, location: entry.location })
      break
    }
  }
  return findings
}
