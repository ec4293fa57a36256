/**
 * The subset of .gitignore that decides which folders and files a scan skips: blank lines and
 * comments, `!` negation, a leading `/` (anchored), a trailing `/` (folders only), `*`, `?`
 * and `**`. Later patterns win, as in git.
 *
 * Patterns are matched by a small automaton over the path, in time proportional to pattern
 * length × path length: a regular expression of a pattern such as `*a*a*a*a*a*b` backtracks
 * exponentially on a long file name, and a .gitignore is the project's, not ours.
 */
export interface IgnorePattern {
  tokens: Token[]
  negated: boolean
  directoryOnly: boolean
}

type Token =
  /** These characters, exactly. */
  | { kind: 'text'; text: string }
  /** `?`: one character other than `/`. */
  | { kind: 'one' }
  /** `*`: any run of characters other than `/`. */
  | { kind: 'star' }
  /** `**` not followed by `/`: anything, `/` included. */
  | { kind: 'any' }
  /** `**​/` (and the implicit prefix of an unanchored pattern): nothing, or anything ending in `/`. */
  | { kind: 'folders' }

export function parseGitignore(text: string, baseDir: string): IgnorePattern[] {
  const patterns: IgnorePattern[] = []
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.replace(/(?<!\\)\s+$/, '')
    if (line === '' || line.startsWith('#')) continue
    const negated = line.startsWith('!')
    if (negated) line = line.slice(1)
    const directoryOnly = line.endsWith('/')
    if (directoryOnly) line = line.slice(0, -1)
    const anchored = line.startsWith('/') || line.slice(0, -1).includes('/')
    if (line.startsWith('/')) line = line.slice(1)
    const tokens: Token[] = []
    if (baseDir !== '') tokens.push({ kind: 'text', text: `${baseDir}/` })
    if (!anchored) tokens.push({ kind: 'folders' })
    tokens.push(...globTokens(line))
    patterns.push({ tokens, negated, directoryOnly })
  }
  return patterns
}

/** Whether `relativePath` (POSIX, from the project root) is ignored by the patterns in force. */
export function isIgnored(patterns: IgnorePattern[], relativePath: string, isDirectory: boolean): boolean {
  let ignored = false
  for (const pattern of patterns) {
    if (pattern.directoryOnly && !isDirectory) continue
    if (matches(pattern.tokens, relativePath)) ignored = !pattern.negated
  }
  return ignored
}

function globTokens(glob: string): Token[] {
  const tokens: Token[] = []
  const text = (ch: string): void => {
    const last = tokens[tokens.length - 1]
    if (last?.kind === 'text') last.text += ch
    else tokens.push({ kind: 'text', text: ch })
  }
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        const slashAfter = glob[i + 2] === '/'
        tokens.push({ kind: slashAfter ? 'folders' : 'any' })
        i += slashAfter ? 2 : 1
      } else if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' })
    } else if (ch === '?') tokens.push({ kind: 'one' })
    else if (ch === '\\' && i + 1 < glob.length) text(glob[++i]!)
    else text(ch)
  }
  return tokens
}

/** Whether the whole of `path` matches: the set of positions reachable after each token, left to right. */
function matches(tokens: Token[], path: string): boolean {
  const length = path.length
  let reachable = new Uint8Array(length + 1)
  reachable[0] = 1
  for (const token of tokens) {
    const next = new Uint8Array(length + 1)
    let any = false
    switch (token.kind) {
      case 'text':
        for (let p = 0; p + token.text.length <= length; p++) {
          if (reachable[p] && path.startsWith(token.text, p)) {
            next[p + token.text.length] = 1
            any = true
          }
        }
        break
      case 'one':
        for (let p = 0; p < length; p++) {
          if (reachable[p] && path[p] !== '/') {
            next[p + 1] = 1
            any = true
          }
        }
        break
      case 'star':
        for (let p = 0; p <= length; p++) {
          if (reachable[p] || (p > 0 && next[p - 1] && path[p - 1] !== '/')) {
            next[p] = 1
            any = true
          }
        }
        break
      case 'any':
        for (let p = 0; p <= length; p++) {
          if (reachable[p] || (p > 0 && next[p - 1])) {
            next[p] = 1
            any = true
          }
        }
        break
      case 'folders': {
        let seen = false
        for (let p = 0; p <= length; p++) {
          if (reachable[p] || (seen && path[p - 1] === '/')) {
            next[p] = 1
            any = true
          }
          if (reachable[p]) seen = true
        }
        break
      }
    }
    if (!any) return false
    reachable = next
  }
  return reachable[length] === 1
}
