/**
 * `npm run fuzz`: many more cases than CI runs. Environment:
 *   FUZZ_CASES   how many cases (default 2000)
 *   FUZZ_SEED    the seed (default: a new one each run, printed so it can be re-run)
 *   FUZZ_FROM    the first case index (default 0)
 *   FUZZ_WORKERS processes side by side (default 2)
 *   FUZZ_TIMEOUT seconds one case may take before it counts as a hang (default 60)
 *   FUZZ_BIG=1   also the big inputs (2 MiB of comments, 20,000-deep nesting)
 *   FUZZ_JSON    write every case's result to this file
 * Exits 1 when any case failed, after listing each failure with the command that re-runs it.
 */
import { writeFileSync } from 'node:fs'
import { formatFailures, summarize } from './report.js'
import { runFuzz } from './harness.js'

const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31)
const count = Number(process.env.FUZZ_CASES ?? 2000)
const from = Number(process.env.FUZZ_FROM ?? 0)
const workers = Number(process.env.FUZZ_WORKERS ?? 2)
const big = process.env.FUZZ_BIG === '1'
const caseTimeoutMs = Number(process.env.FUZZ_TIMEOUT ?? 60) * 1000

console.log(`fuzz: seed ${seed}, cases ${from}..${from + count - 1}, ${workers} worker(s)${big ? ', big inputs' : ''}`)
let done = 0
const started = Date.now()
const results = await runFuzz({
  seed,
  from,
  count,
  workers,
  big,
  caseTimeoutMs,
  onResult: (result) => {
    done++
    if (result.problems.length > 0 || result.service.length > 0 || result.notMigrated !== undefined) console.log(`  case ${result.index}: FAILED (${result.description})`)
    if (done % 100 === 0) console.log(`  ${done}/${count} cases, ${((Date.now() - started) / 1000).toFixed(0)} s`)
  },
})
console.log(summarize(results))
if (process.env.FUZZ_JSON !== undefined) writeFileSync(process.env.FUZZ_JSON, JSON.stringify(results, null, 1))
const failures = formatFailures(seed, results, big)
if (failures !== '') {
  console.log(failures)
  process.exit(1)
}
