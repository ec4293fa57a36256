import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isIgnored, parseGitignore } from '../../src/scan/gitignore.js'
import { scanProject } from '../../src/scan/index.js'
import { Random } from '../fuzz/generate.js'

/** The regular expression a pattern stands for (git's wildmatch, written as one): the oracle on short inputs. */
function oracle(line: string, baseDir: string): { regex: RegExp; negated: boolean; directoryOnly: boolean } | null {
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  let text = line.replace(/(?<!\\)\s+$/, '')
  if (text === '' || text.startsWith('#')) return null
  const negated = text.startsWith('!')
  if (negated) text = text.slice(1)
  const directoryOnly = text.endsWith('/')
  if (directoryOnly) text = text.slice(0, -1)
  const anchored = text.startsWith('/') || text.slice(0, -1).includes('/')
  if (text.startsWith('/')) text = text.slice(1)
  let body = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === '*') {
      let end = i
      while (text[end + 1] === '*') end++
      const segment = end > i && (i === 0 || text[i - 1] === '/') && (end + 1 === text.length || text[end + 1] === '/')
      if (segment && text[end + 1] === '/') {
        body += '(?:.*/)?'
        end++
      } else body += segment ? '.*' : '[^/]*'
      i = end
    } else if (ch === '?') body += '[^/]'
    else if (ch === '[') {
      // The alphabet's bracket expressions: [ab], [!a], [a-b] (no escapes inside).
      const close = text.indexOf(']', i + 2)
      if (close === -1) return { regex: /(?!)/, negated, directoryOnly }
      const inside = text.slice(i + 1, close)
      body += inside.startsWith('!') ? `[^/${inside.slice(1)}]` : `(?!/)[${inside}]`
      i = close
    }
    else if (ch === '\\' && i + 1 < text.length) body += escape(text[++i]!)
    else body += escape(ch)
  }
  const prefix = baseDir === '' ? '' : `${escape(baseDir)}/`
  return { regex: new RegExp(`^${prefix}${anchored ? '' : '(?:.*/)?'}${body}$`), negated, directoryOnly }
}

describe('.gitignore patterns', () => {
  it('match as their regular expressions do', () => {
    const random = new Random(7)
    const alphabet = ['a', 'b', '/', '*', '**', '?', '.', '\\*', '!', 'ab/', '[ab]', '[!a]', '[a-b]', '[']
    for (let round = 0; round < 3000; round++) {
      const line = Array.from({ length: random.range(1, 6) }, () => random.pick(alphabet)).join('')
      const baseDir = random.pick(['', 'sub', 'a/b'])
      const expected = oracle(line, baseDir)
      const patterns = parseGitignore(line, baseDir)
      if (expected === null) {
        expect(patterns).toEqual([])
        continue
      }
      for (let probe = 0; probe < 8; probe++) {
        const path = Array.from({ length: random.range(1, 8) }, () => random.pick(['a', 'b', '/', '.', '*', 'ab'])).join('')
        const isDirectory = random.chance(0.5)
        const want = !(expected.directoryOnly && !isDirectory) && expected.regex.test(path) ? !expected.negated : false
        expect(isIgnored(patterns, path, isDirectory), `${JSON.stringify(line)} in ${JSON.stringify(baseDir)} on ${JSON.stringify(path)}`).toBe(want)
      }
    }
  })

  it('a pattern that makes regular expressions backtrack exponentially is matched in linear steps', () => {
    // As a regular expression, this pattern on this name takes longer than the test's time limit.
    const patterns = parseGitignore('*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', '')
    expect(isIgnored(patterns, `${'a'.repeat(120)}.py`, false)).toBe(false)
    expect(isIgnored(patterns, `${'a'.repeat(40)}b`, false)).toBe(true)
    const questions = parseGitignore(`**/${'*?'.repeat(40)}x`, '')
    expect(isIgnored(questions, `${'y/'.repeat(200)}${'y'.repeat(300)}`, false)).toBe(false)
    // The `ignore` package (a regular expression per pattern) still ran on this one after a minute.
    const folders = parseGitignore(`${'**/a/'.repeat(8)}**/b`, '')
    expect(isIgnored(folders, `${'a/'.repeat(60)}c.py`, false)).toBe(false)
    expect(isIgnored(folders, `${'a/'.repeat(60)}b`, false)).toBe(true)
  })

  it('bracket expressions: sets, ranges, negation, POSIX classes; never a /', () => {
    const ignored = (pattern: string, path: string): boolean => isIgnored(parseGitignore(pattern, ''), path, false)
    expect(ignored('[abc].py', 'b.py')).toBe(true)
    expect(ignored('[abc].py', 'd.py')).toBe(false)
    expect(ignored('file[0-9].py', 'file7.py')).toBe(true)
    expect(ignored('file[0-9].py', 'filex.py')).toBe(false)
    expect(ignored('[!a]*.py', 'a1.py')).toBe(false)
    expect(ignored('[^a]*.py', 'b1.py')).toBe(true)
    expect(ignored('[]]x', ']x')).toBe(true)
    expect(ignored('[[:digit:]][[:upper:]]', '7Q')).toBe(true)
    expect(ignored('[[:digit:]][[:upper:]]', '7q')).toBe(false)
    expect(ignored('a[\\]]b', 'a]b')).toBe(true)
    expect(ignored('a[!b]c', 'a/c')).toBe(false)
    // An unterminated bracket matches nothing, as in git.
    expect(ignored('a[b', 'a[b')).toBe(false)
    expect(ignored('\\[x].py', '[x].py')).toBe(true)
  })

  it('** spans folders only as a whole segment; elsewhere it is *', () => {
    const ignored = (pattern: string, path: string): boolean => isIgnored(parseGitignore(pattern, ''), path, false)
    expect(ignored('a**b', 'axxb')).toBe(true)
    expect(ignored('/a**b', 'a/b')).toBe(false)
    expect(ignored('a/**/b', 'a/x/y/b')).toBe(true)
    expect(ignored('a/**', 'a/x/y')).toBe(true)
    expect(ignored('**/b', 'x/y/b')).toBe(true)
  })
})

describe('.git/info/exclude', () => {
  it('ignores as a root .gitignore would, below the .gitignore files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrate-info-exclude-'))
    try {
      mkdirSync(join(dir, '.git', 'info'), { recursive: true })
      writeFileSync(join(dir, '.git', 'info', 'exclude'), '# local\nscratch.py\ntools/\nkept.py\n')
      writeFileSync(join(dir, '.gitignore'), '!kept.py\n')
      mkdirSync(join(dir, 'tools'))
      for (const file of ['app.py', 'scratch.py', 'kept.py', 'tools/gen.py']) writeFileSync(join(dir, file), 'x = 1\n')
      expect(scanProject(dir).files.map((file) => file.file).sort()).toEqual(['app.py', 'kept.py'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
