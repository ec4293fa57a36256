import { reproduce } from './harness.js'
import type { CaseResult } from './runner.js'

/** Failures by what they mean: robustness (exit 3, hangs, crashes, stack traces, files), compiling, escaping. */
export function categories(results: readonly CaseResult[]): { robustness: CaseResult[]; notMigrated: CaseResult[]; parse: CaseResult[]; marker: CaseResult[] } {
  return {
    robustness: results.filter((result) => result.problems.length > 0),
    notMigrated: results.filter((result) => result.notMigrated !== undefined),
    parse: results.filter((result) => result.service.some((problem) => problem.kind === 'parse')),
    marker: results.filter((result) => result.service.some((problem) => problem.kind === 'marker')),
  }
}

export function summarize(results: readonly CaseResult[]): string {
  const byExit = new Map<string, number>()
  for (const result of results) byExit.set(String(result.exitCode), (byExit.get(String(result.exitCode)) ?? 0) + 1)
  const byKind = new Map<string, number>()
  for (const result of results) byKind.set(result.kind, (byKind.get(result.kind) ?? 0) + 1)
  const slowest = [...results].sort((a, b) => b.ms - a.ms)[0]
  const { robustness, notMigrated, parse, marker } = categories(results)
  return [
    `cases: ${results.length} (${[...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ')})`,
    `exit codes: ${[...byExit].sort().map(([code, n]) => `${code}: ${n}`).join(', ')}`,
    slowest !== undefined ? `slowest case: ${slowest.index} (${(slowest.ms / 1000).toFixed(1)} s)` : '',
    `failed: ${robustness.length} robustness (exit 3, hang, crash, stack trace, files), ${notMigrated.length} valid app not migrated, ${parse.length} emitted code that does not parse, ${marker.length} planted marker as code`,
  ].join('\n')
}

export function formatFailures(seed: number, results: readonly CaseResult[], big = false): string {
  const lines: string[] = []
  for (const result of results) {
    if (result.problems.length === 0 && result.service.length === 0 && result.notMigrated === undefined) continue
    lines.push(`case ${result.index} [${result.kind}] ${result.description}`)
    if (result.argv.length > 0) lines.push(`  migrate ${result.argv.map((arg) => JSON.stringify(arg.length > 80 ? `${arg.slice(0, 80)}…` : arg)).join(' ')} → exit ${result.exitCode}`)
    for (const problem of result.problems) lines.push(`  - ${problem.split('\n').slice(0, 6).join('\n    ')}`)
    if (result.notMigrated !== undefined) lines.push(`  - ${result.notMigrated}`)
    for (const problem of result.service.slice(0, 6)) lines.push(`  - ${problem.kind === 'marker' ? 'escaping' : 'does not parse'}: ${problem.file}: ${problem.message}`)
    lines.push(`  re-run: ${reproduce(seed, result.index, big)}`)
  }
  return lines.join('\n')
}
