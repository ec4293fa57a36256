/**
 * The subset of .gitignore that decides which folders and files a scan skips: blank lines and
 * comments, `!` negation, a leading `/` (anchored), a trailing `/` (folders only), `*`, `?`
 * and `**`. Later patterns win, as in git.
 */
export interface IgnorePattern {
  regex: RegExp
  negated: boolean
  directoryOnly: boolean
}

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
    const body = globToRegex(line)
    const prefix = baseDir === '' ? '' : escapeRegex(baseDir) + '/'
    const regex = new RegExp('^' + prefix + (anchored ? '' : '(?:.*/)?') + body + '$')
    patterns.push({ regex, negated, directoryOnly })
  }
  return patterns
}

/** Whether `relativePath` (POSIX, from the project root) is ignored by the patterns in force. */
export function isIgnored(patterns: IgnorePattern[], relativePath: string, isDirectory: boolean): boolean {
  let ignored = false
  for (const pattern of patterns) {
    if (pattern.directoryOnly && !isDirectory) continue
    if (pattern.regex.test(relativePath)) ignored = !pattern.negated
  }
  return ignored
}

function globToRegex(glob: string): string {
  let out = ''
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        const slashAfter = glob[i + 2] === '/'
        out += slashAfter ? '(?:.*/)?' : '.*'
        i += slashAfter ? 2 : 1
      } else out += '[^/]*'
    } else if (ch === '?') out += '[^/]'
    else if (ch === '\\' && i + 1 < glob.length) out += escapeRegex(glob[++i]!)
    else out += escapeRegex(ch)
  }
  return out
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
