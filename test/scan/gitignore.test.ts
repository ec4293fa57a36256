import { describe, expect, it } from 'vitest'
import { isIgnored, parseGitignore } from '../../src/scan/gitignore.js'
import { Random } from '../fuzz/generate.js'

/** The regular expression a pattern stands for (what the scan used before): the oracle on short inputs. */
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
      if (text[i + 1] === '*') {
        const slashAfter = text[i + 2] === '/'
        body += slashAfter ? '(?:.*/)?' : '.*'
        i += slashAfter ? 2 : 1
      } else body += '[^/]*'
    } else if (ch === '?') body += '[^/]'
    else if (ch === '\\' && i + 1 < text.length) body += escape(text[++i]!)
    else body += escape(ch)
  }
  const prefix = baseDir === '' ? '' : `${escape(baseDir)}/`
  return { regex: new RegExp(`^${prefix}${anchored ? '' : '(?:.*/)?'}${body}$`), negated, directoryOnly }
}

describe('.gitignore patterns', () => {
  it('match as their regular expressions do', () => {
    const random = new Random(7)
    const alphabet = ['a', 'b', '/', '*', '**', '?', '.', '\\*', '!', 'ab/']
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
  })
})
