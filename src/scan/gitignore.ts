/**
 * .gitignore as git reads it, for the folders and files a scan skips: blank lines and comments,
 * `!` negation, a leading `/` (anchored), a trailing `/` (folders only), `*`, `?`, bracket
 * expressions (`[abc]`, `[a-z]`, `[!a-z]`, `[^…]`, `[[:digit:]]`) and `**` where git gives it
 * its meaning (`**​/x`, `x/**`, `x/**​/y`; elsewhere it is `*`). Later patterns win, as in git.
 * The scan adds `.git/info/exclude` (src/scan/index.ts).
 *
 * Patterns are matched by a small automaton over the path, in time proportional to pattern
 * length × path length: a regular expression of a pattern such as `*a*a*a*a*a*b` backtracks
 * exponentially on a long file name, and a .gitignore is the project's, not ours. That is also
 * why this is not the `ignore` package (ESLint's and Prettier's), which compiles each pattern to
 * a regular expression: with ignore 7.0.17, `**​/a/**​/a/**​/a/**​/a/**​/a/**​/a/**​/a/**​/a/**​/b`
 * against a path 60 folders `a/` deep still ran after a minute (test/scan/gitignore.test.ts
 * matches that pattern here).
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
  /** A bracket expression: one character other than `/` that `test` accepts. */
  | { kind: 'class'; test: (ch: string) => boolean }
  /** An unterminated `[`: git's wildmatch then matches nothing. */
  | { kind: 'never' }
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
      let end = i
      while (glob[end + 1] === '*') end++
      // `**` spans folders only as a whole segment (git's wildmatch); any other run of stars is one `*`.
      const segment = end > i && (i === 0 || glob[i - 1] === '/') && (end + 1 === glob.length || glob[end + 1] === '/')
      if (segment && glob[end + 1] === '/') {
        tokens.push({ kind: 'folders' })
        end++
      } else if (segment) tokens.push({ kind: 'any' })
      else if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' })
      i = end
    } else if (ch === '?') tokens.push({ kind: 'one' })
    else if (ch === '[') {
      const parsed = bracket(glob, i)
      if (parsed === null) return [{ kind: 'never' }]
      tokens.push({ kind: 'class', test: parsed.test })
      i = parsed.end
    } else if (ch === '\\' && i + 1 < glob.length) text(glob[++i]!)
    else text(ch)
  }
  return tokens
}

const POSIX_CLASSES: Record<string, (ch: string) => boolean> = {
  alnum: (ch) => /[A-Za-z0-9]/.test(ch),
  alpha: (ch) => /[A-Za-z]/.test(ch),
  blank: (ch) => ch === ' ' || ch === '\t',
  cntrl: (ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127,
  digit: (ch) => /[0-9]/.test(ch),
  graph: (ch) => ch.charCodeAt(0) > 32 && ch.charCodeAt(0) < 127,
  lower: (ch) => /[a-z]/.test(ch),
  print: (ch) => ch.charCodeAt(0) >= 32 && ch.charCodeAt(0) < 127,
  punct: (ch) => /[!-\/:-@[-`{-~]/.test(ch),
  space: (ch) => /[ \t\n\v\f\r]/.test(ch),
  upper: (ch) => /[A-Z]/.test(ch),
  xdigit: (ch) => /[0-9A-Fa-f]/.test(ch),
}

/**
 * The bracket expression opening at `glob[start]`, as git's wildmatch reads it: `!` or `^` first
 * negates, a `]` first is a member, `a-z` ranges, `\\x` escapes, `[:name:]` POSIX classes. null
 * when it has no closing `]` (or names an unknown class): the pattern then matches nothing.
 */
function bracket(glob: string, start: number): { test: (ch: string) => boolean; end: number } | null {
  let i = start + 1
  const negated = glob[i] === '!' || glob[i] === '^'
  if (negated) i++
  const members: ((ch: string) => boolean)[] = []
  let first = true
  for (; i < glob.length; i++) {
    let ch = glob[i]!
    if (ch === ']' && !first) {
      const test = (candidate: string): boolean => candidate !== '/' && members.some((member) => member(candidate)) !== negated
      return { test, end: i }
    }
    first = false
    if (ch === '[' && glob[i + 1] === ':') {
      const close = glob.indexOf(':]', i + 2)
      if (close === -1) return null
      const named = POSIX_CLASSES[glob.slice(i + 2, close)]
      if (named === undefined) return null
      members.push(named)
      i = close + 1
      continue
    }
    if (ch === '\\') {
      if (i + 1 >= glob.length) return null
      ch = glob[++i]!
    }
    if (glob[i + 1] === '-' && i + 2 < glob.length && glob[i + 2] !== ']') {
      let high = glob[i + 2]!
      i += 2
      if (high === '\\') {
        if (i + 1 >= glob.length) return null
        high = glob[++i]!
      }
      const low = ch
      members.push((candidate) => candidate >= low && candidate <= high)
    } else {
      const member = ch
      members.push((candidate) => candidate === member)
    }
  }
  return null
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
      case 'class':
        for (let p = 0; p < length; p++) {
          if (reachable[p] && token.test(path[p]!)) {
            next[p + 1] = 1
            any = true
          }
        }
        break
      case 'never':
        return false
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
