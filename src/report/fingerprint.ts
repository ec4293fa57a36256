import { createHash } from 'node:crypto'
import type { Finding } from '../ir/types.js'

/**
 * A finding's fingerprint: what a baseline (`--baseline`) and SARIF's `partialFingerprints`
 * record, so that a finding keeps its identity when unrelated lines are added or removed above
 * it. It is a hash of the rule id, the file, the endpoint and the finding's source line with its
 * spacing normalised (never the line number or column), then `:N`, the finding's rank among the
 * findings of that file with the same hash (two identical findings on two identical lines stay
 * two). The line is hashed after the project's secrets are redacted from it, so a fingerprint
 * cannot be used to guess a secret.
 */
export function fingerprintFindings<T extends Finding>(
  findings: readonly T[],
  sourceOf: (file: string) => string | undefined,
  redact: (text: string) => string = (text) => text,
): (T & { fingerprint: string })[] {
  const lines = new Map<string, string[] | null>()
  const linesOf = (file: string): string[] | null => {
    if (!lines.has(file)) {
      const source = sourceOf(file)
      lines.set(file, source === undefined ? null : source.split('\n'))
    }
    return lines.get(file)!
  }
  const seen = new Map<string, number>()
  return findings.map((finding) => {
    const { file, line } = finding.location
    const text = line >= 1 ? (linesOf(file)?.[line - 1] ?? '') : ''
    const hash = createHash('sha256')
      .update(JSON.stringify(['migrate-fingerprint/v1', finding.ruleId, file, finding.endpoint ?? '', normalizeSnippet(redact(text))]))
      .digest('hex')
      .slice(0, 32)
    const rank = (seen.get(hash) ?? 0) + 1
    seen.set(hash, rank)
    return { ...finding, fingerprint: `${hash}:${rank}` }
  })
}

/**
 * The line as the fingerprint sees it: a trailing `# migrate: …` comment left out (adding or
 * editing a suppression does not make the finding new), spacing collapsed, ends trimmed.
 */
export function normalizeSnippet(line: string): string {
  return line
    .replace(/#\s*migrate:.*$/i, '')
    .replace(/\s+/g, ' ')
    .trim()
}
