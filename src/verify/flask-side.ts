import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { RecordedResponse } from './compare.js'
import type { UrlMapDump } from './scenario.js'

const oracleDirectory = fileURLToPath(new URL('../../test/oracle/', import.meta.url))
export const urlMapScript = `${oracleDirectory}flask_url_map.py`
export const replayScript = `${oracleDirectory}flask_replay.py`

export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string }

function canImportFlask(python: string): boolean {
  const result = spawnSync(python, ['-c', 'import flask'], { stdio: 'ignore', timeout: 30_000 })
  return result.status === 0
}

/**
 * A Python that can `import flask`: the one asked for (`--python`, else `MIGRATE_PYTHON`),
 * otherwise Debian's /usr/bin/python3, otherwise `python3` on PATH.
 */
export function findFlaskPython(requested?: string): Outcome<string> {
  const explicit = requested ?? process.env.MIGRATE_PYTHON
  if (explicit) {
    return canImportFlask(explicit)
      ? { ok: true, value: explicit }
      : { ok: false, message: `${explicit} cannot import flask (install Flask for it, or pass another --python)` }
  }
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    if (candidate.startsWith('/') && !existsSync(candidate)) continue
    if (canImportFlask(candidate)) return { ok: true, value: candidate }
  }
  return {
    ok: false,
    message:
      'no Python that can import flask: tried /usr/bin/python3 and python3 (apt-get install -y python3-flask, or pass --python / MIGRATE_PYTHON)',
  }
}

function runOracle(python: string, args: string[]): Outcome<string> {
  const result = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 300_000 })
  if (result.error) return { ok: false, message: `${python} ${args[0]}: ${result.error.message}` }
  if (result.status !== 0) {
    const lastLine = result.stderr.trim().split('\n').pop() ?? ''
    return { ok: false, message: `Flask side failed (${python} exited with ${result.status}): ${lastLine}` }
  }
  return { ok: true, value: result.stdout }
}

/** The app's URL map as Flask holds it (test/oracle/flask_url_map.py). */
export function dumpFlaskUrlMap(python: string, flaskDir: string, app?: string): Outcome<UrlMapDump> {
  const output = runOracle(python, [urlMapScript, flaskDir, ...(app ? [app] : [])])
  if (!output.ok) return output
  return { ok: true, value: JSON.parse(output.value) as UrlMapDump }
}

/** Responses of Flask's test client to every request of the scenario file, in order. */
export function replayOnFlask(python: string, flaskDir: string, scenarioFile: string, app?: string): Outcome<RecordedResponse[]> {
  const output = runOracle(python, [replayScript, flaskDir, scenarioFile, ...(app ? [app] : [])])
  if (!output.ok) return output
  const responses = output.value
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedResponse)
  return { ok: true, value: responses }
}
