/**
 * Python's `textwrap` (dedent, indent, wrap, fill, shorten): CPython 3.11's algorithm line for
 * line, with its chunking regular expression (words split after hyphens of compound words,
 * em-dashes), so lines break where Python breaks them.
 */
import { ValueError } from './exceptions.js'
import { truthy, type Py } from './py.js'

const WS = '[\\t\\n\\x0b\\x0c\\r ]'
const NWS = '[^\\t\\n\\x0b\\x0c\\r ]'
// Python's `\w` is Unicode-aware: letters, digits and the underscore.
const WORD = '[\\p{L}\\p{N}_]'
const WORD_PUNCT = '[\\p{L}\\p{N}_!"\'&.,?]'
const LETTER = '[\\p{L}\\p{Nl}\\p{No}_]'
const WORDSEP = new RegExp(
  `(${WS}+` +
    `|(?<=${WORD_PUNCT})-{2,}(?=${WORD})` +
    `|${NWS}+?(?:-(?:(?<=${LETTER}{2}-)|(?<=${LETTER}-${LETTER}-))(?=${LETTER}-?${LETTER})` +
    `|(?=${WS}|$)` +
    `|(?<=${WORD_PUNCT})(?=-{2,}${WORD})))`,
  'u',
)
const WORDSEP_SIMPLE = new RegExp(`(${WS}+)`, 'u')
const SENTENCE_END = /[a-z][.!?]["']?$/

interface Options {
  width: number
  initial_indent: string
  subsequent_indent: string
  expand_tabs: Py
  replace_whitespace: Py
  fix_sentence_endings: Py
  break_long_words: Py
  drop_whitespace: Py
  break_on_hyphens: Py
  tabsize: number
  max_lines: number | null
  placeholder: string
}

const DEFAULTS: Options = {
  width: 70,
  initial_indent: '',
  subsequent_indent: '',
  expand_tabs: true,
  replace_whitespace: true,
  fix_sentence_endings: false,
  break_long_words: true,
  drop_whitespace: true,
  break_on_hyphens: true,
  tabsize: 8,
  max_lines: null,
  placeholder: ' [...]',
}

/** `str.expandtabs(tabsize)`: columns restart after each newline. */
function expandTabs(text: string, tabsize: number): string {
  let out = ''
  let column = 0
  for (const ch of text) {
    if (ch === '\t') {
      const spaces = tabsize > 0 ? tabsize - (column % tabsize) : 0
      out += ' '.repeat(spaces)
      column += spaces
    } else {
      out += ch
      column = ch === '\n' || ch === '\r' ? 0 : column + 1
    }
  }
  return out
}

/** Python's `chunk.strip() == ''`. */
function isBlank(s: string): boolean {
  return s.replace(/[\s\x1c-\x1f]+/gu, '') === ''
}

function chunksOf(text: string, o: Options): string[] {
  if (truthy(o.expand_tabs)) text = expandTabs(text, o.tabsize)
  if (truthy(o.replace_whitespace)) text = text.replace(/[\t\n\x0b\x0c\r]/g, ' ')
  const chunks = text.split(o.break_on_hyphens === true ? WORDSEP : WORDSEP_SIMPLE).filter((c) => c)
  if (truthy(o.fix_sentence_endings)) {
    let i = 0
    while (i < chunks.length - 1) {
      if (chunks[i + 1] === ' ' && SENTENCE_END.test(chunks[i]!)) {
        chunks[i + 1] = '  '
        i += 2
      } else i += 1
    }
  }
  return chunks
}

function handleLongWord(
  reversed: string[],
  line: string[],
  length: number,
  width: number,
  o: Options,
): void {
  const spaceLeft = width < 1 ? 1 : width - length
  if (truthy(o.break_long_words)) {
    let end = spaceLeft
    const chunk = reversed[reversed.length - 1]!
    if (truthy(o.break_on_hyphens) && chunk.length > spaceLeft) {
      const hyphen = chunk.lastIndexOf('-', spaceLeft - 1)
      if (hyphen > 0 && [...chunk.slice(0, hyphen)].some((c) => c !== '-')) end = hyphen + 1
    }
    line.push(chunk.slice(0, end))
    reversed[reversed.length - 1] = chunk.slice(end)
  } else if (line.length === 0) line.push(reversed.pop()!)
}

function wrapChunks(chunks: string[], o: Options): string[] {
  const lines: string[] = []
  if (o.width <= 0) throw new ValueError(`invalid width ${o.width} (must be > 0)`)
  if (o.max_lines !== null) {
    const indent = o.max_lines > 1 ? o.subsequent_indent : o.initial_indent
    if (indent.length + o.placeholder.trimStart().length > o.width)
      throw new ValueError('placeholder too large for max width')
  }
  const reversed = [...chunks].reverse()
  const drop = truthy(o.drop_whitespace)
  while (reversed.length > 0) {
    const line: string[] = []
    let length = 0
    const indent = lines.length > 0 ? o.subsequent_indent : o.initial_indent
    const width = o.width - indent.length
    if (drop && isBlank(reversed[reversed.length - 1]!) && lines.length > 0) reversed.pop()
    while (reversed.length > 0) {
      const size = reversed[reversed.length - 1]!.length
      if (length + size > width) break
      line.push(reversed.pop()!)
      length += size
    }
    if (reversed.length > 0 && reversed[reversed.length - 1]!.length > width) {
      handleLongWord(reversed, line, length, width, o)
      length = line.reduce((sum, c) => sum + c.length, 0)
    }
    if (drop && line.length > 0 && isBlank(line[line.length - 1]!)) {
      length -= line.pop()!.length
    }
    if (line.length === 0) continue
    if (
      o.max_lines === null ||
      lines.length + 1 < o.max_lines ||
      ((reversed.length === 0 || (drop && reversed.length === 1 && isBlank(reversed[0]!))) &&
        length <= width)
    ) {
      lines.push(indent + line.join(''))
      continue
    }
    let placed = false
    while (line.length > 0) {
      if (!isBlank(line[line.length - 1]!) && length + o.placeholder.length <= width) {
        line.push(o.placeholder)
        lines.push(indent + line.join(''))
        placed = true
        break
      }
      length -= line.pop()!.length
    }
    if (!placed) {
      const previous = lines.length > 0 ? lines[lines.length - 1]!.trimEnd() : null
      if (previous !== null && previous.length + o.placeholder.length <= o.width) {
        lines[lines.length - 1] = previous + o.placeholder
      } else lines.push(indent + o.placeholder.trimStart())
    }
    break
  }
  return lines
}

function options(
  width: Py,
  rest: Py[],
  names: (keyof Options)[] = [
    'initial_indent',
    'subsequent_indent',
    'expand_tabs',
    'replace_whitespace',
    'fix_sentence_endings',
    'break_long_words',
    'drop_whitespace',
    'break_on_hyphens',
    'tabsize',
    'max_lines',
    'placeholder',
  ],
): Options {
  const o: Options = { ...DEFAULTS }
  if (width !== undefined) o.width = width
  names.forEach((name, i) => {
    if (rest[i] !== undefined) (o as unknown as Record<string, Py>)[name] = rest[i]
  })
  return o
}

/** `textwrap.wrap(text, width=70, **kwargs)`; the keywords in TextWrapper's order. */
export function wrap(text: string, width?: number, ...kwargs: Py[]): string[] {
  const o = options(width, kwargs)
  return wrapChunks(chunksOf(text, o), o)
}

/** `textwrap.fill(text, width=70, **kwargs)`. */
export function fill(text: string, width?: number, ...kwargs: Py[]): string {
  return wrap(text, width, ...kwargs).join('\n')
}

/** `textwrap.shorten(text, width, **kwargs)`: whitespace collapsed, one line, the placeholder. */
export function shorten(text: string, width: number, ...kwargs: Py[]): string {
  const o = options(width, kwargs)
  o.max_lines = 1
  const collapsed = text
    .split(/[\s\x1c-\x1f\x85]+/u)
    .filter((w) => w)
    .join(' ')
  return wrapChunks(chunksOf(collapsed, o), o).join('\n')
}

/** `textwrap.dedent(text)`: the common leading blanks of the lines removed; blank lines emptied. */
export function dedent(text: string): string {
  text = text.replace(/^[ \t]+$/gm, '')
  let margin: string | null = null
  for (const match of text.matchAll(/^([ \t]*)[^ \t\n]/gm)) {
    const indent = match[1]!
    if (margin === null) margin = indent
    else if (indent.startsWith(margin)) continue
    else if (margin.startsWith(indent)) margin = indent
    else {
      let i = 0
      while (i < margin.length && i < indent.length && margin[i] === indent[i]) i++
      margin = margin.slice(0, i)
    }
  }
  if (!margin) return text
  const prefix = margin
  return text
    .split('\n')
    .map((line) => (line.startsWith(prefix) ? line.slice(prefix.length) : line))
    .join('\n')
}

/** `textwrap.indent(text, prefix, predicate=None)`: lines split as `str.splitlines(True)` does. */
export function indent(text: string, prefix: string, predicate: Py = null): string {
  const test = predicate ?? ((line: string) => line.trim() !== '')
  const lines = text.match(
    /[^\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]|$)/g,
  )!
  return lines
    .filter((line) => line !== '')
    .map((line) => (truthy(test(line)) ? prefix + line : line))
    .join('')
}
