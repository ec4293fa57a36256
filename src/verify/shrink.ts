/**
 * Shrinking the differences `--explore` finds, as property-based testing shrinks a failing input:
 * each failing generated request is replayed again beside its smaller versions (one query
 * argument, JSON key, form field or header less: explore.ts shrinkCandidates), after the same
 * prefix (the scenario before the generated requests), and the smallest version that still
 * differs is kept; up to three rounds, each on fresh instances of both sides.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { lineSize, shrinkCandidates, type ExploreLine } from './explore.js'
import type { Outcome } from './flask-side.js'

/** At most this many differences are shrunk (the first ones). */
const MAX_SHRUNK = 25
const ROUNDS = 3

/**
 * The smallest request that still differs, per failing line (by its number in `scenarioFile`).
 * `replay` runs a scenario file on fresh instances and resolves with the numbers of the lines that differ.
 */
export async function shrinkDifferences(
  scenarioFile: string,
  exploreFrom: number,
  failedLines: number[],
  workDir: string,
  replay: (file: string) => Promise<Outcome<Set<number>>>,
): Promise<Outcome<Map<number, ExploreLine>>> {
  const fileLines = readFileSync(scenarioFile, 'utf8').split('\n')
  const prefix = fileLines.slice(0, exploreFrom - 1)
  const minimal = new Map<number, ExploreLine>()
  for (const line of failedLines.slice(0, MAX_SHRUNK)) minimal.set(line, JSON.parse(fileLines[line - 1]!) as ExploreLine)
  let open = [...minimal.keys()]
  for (let round = 0; round < ROUNDS && open.length > 0; round += 1) {
    const body: string[] = []
    /** File line number → [failing line, candidate]. */
    const where = new Map<number, [number, ExploreLine]>()
    for (const line of open) {
      for (const candidate of shrinkCandidates(minimal.get(line)!)) {
        body.push(JSON.stringify(candidate))
        where.set(prefix.length + body.length, [line, candidate])
      }
    }
    if (body.length === 0) break
    const file = join(workDir, `shrink-${round + 1}.jsonl`)
    writeFileSync(file, [...prefix, ...body].join('\n') + '\n')
    const failing = await replay(file)
    if (!failing.ok) return failing
    const progressed = new Set<number>()
    for (const number of [...failing.value].sort((a, b) => a - b)) {
      const found = where.get(number)
      if (found === undefined) continue
      const [line, candidate] = found
      if (lineSize(candidate) < lineSize(minimal.get(line)!)) {
        minimal.set(line, candidate)
        progressed.add(line)
      }
    }
    open = [...progressed]
  }
  return { ok: true, value: minimal }
}
