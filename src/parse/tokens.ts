/**
 * What CPython's tokenizer refuses and tree-sitter lets through: indentation (TabError, more
 * than 100 levels, a dedent to no outer level, an unexpected indent, a missing indented block),
 * brackets nested more than 200 deep, and non-printable characters outside strings and comments
 * (a vertical tab, U+00A0, U+2028…). One linear pass over the source, the way
 * Parser/tokenizer.c reads it (Python 3.11), that also finds the comment-only lines the parse
 * leaves out of long comment blocks (see `excludedRanges`).
 */

/** A 1-based position and Python's own message for the first thing Python would refuse. */
export interface PythonError {
  line: number
  column: number
  message: string
}

/** A span of the source the parser skips (offsets in UTF-16 units, rows and columns 0-based). */
export interface SourceRange {
  startIndex: number
  endIndex: number
  startPosition: { row: number; column: number }
  endPosition: { row: number; column: number }
}

export interface TokenScan {
  /** The first error CPython's tokenizer would report, or null. */
  error: PythonError | null
  /** Comment-only lines of long comment blocks, which the parse skips. */
  excluded: SourceRange[]
}

/** CPython's MAXLEVEL: the 201st nested bracket is "too many nested parentheses". */
export const MAX_BRACKET_LEVEL = 200
/** CPython's MAXINDENT: the indentation stack holds at most 100 columns, column 0 included. */
export const MAX_INDENT_LEVELS = 100
const TAB_SIZE = 8

/**
 * tree-sitter-python's scanner reads ahead over every following comment line each time it
 * meets the end of a comment line, which is quadratic in the length of a block of comment
 * lines (a 2 MiB file of comments takes minutes). Blocks longer than this many comment lines
 * are left out of the parse: their comments do not become nodes. Shorter ones stay.
 */
export const COMMENT_BLOCK_LIMIT = 32

const STRING_PREFIXES = new Set(['r', 'u', 'b', 'f', 'br', 'rb', 'fr', 'rf'])
const WORD = /[\p{ID_Continue}\u00B7]+/uy
/** Not printable for Python's str.isprintable(): other, separators (except the space). */
const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u

interface CommentLine {
  row: number
  /** Index of the `#`. */
  start: number
  /** Index of the end of the line (its `\n`, or the end of the source). */
  end: number
  /** Column of the `#` (UTF-16 units). */
  column: number
}

export function scanTokens(source: string): TokenScan {
  let error: PythonError | null = null
  const length = source.length
  let index = 0
  let row = 0
  let lineStart = 0
  let level = 0
  const indents = [0]
  const altIndents = [0]
  let atLineStart = true
  /** Whether the logical line so far has a token, and the last one was a `:`. */
  let lineHasToken = false
  let endsWithColon = false
  /** The last logical line ended with `:` (outside brackets): an indented block must follow. */
  let expectBlock = false
  let expectBlockFrom = { line: 1, column: 1 }
  const comments: CommentLine[] = []
  const fail = (at: number, message: string, atRow = row, atLineStart_ = lineStart): void => {
    error ??= { line: atRow + 1, column: at - atLineStart_ + 1, message }
  }

  while (index < length) {
    if (atLineStart) {
      atLineStart = false
      let column = 0
      let altColumn = 0
      let cursor = index
      for (; cursor < length; cursor++) {
        const ch = source.charCodeAt(cursor)
        if (ch === 0x20) {
          column++
          altColumn++
        } else if (ch === 0x09) {
          column = (Math.floor(column / TAB_SIZE) + 1) * TAB_SIZE
          altColumn++
        } else if (ch === 0x0c) {
          column = 0
          altColumn = 0
        } else break
      }
      const next = source.charCodeAt(cursor)
      const blank = cursor >= length || next === 0x0a || next === 0x0d || next === 0x23 /* # */
      if (next === 0x23) {
        let end = source.indexOf('\n', cursor)
        if (end < 0) end = length
        comments.push({ row, start: cursor, end, column: cursor - lineStart })
      }
      if (!blank && level === 0 && error === null) {
        const top = indents[indents.length - 1]!
        const altTop = altIndents[altIndents.length - 1]!
        if (column === top) {
          if (altColumn !== altTop) fail(cursor, 'inconsistent use of tabs and spaces in indentation (TabError)')
          else if (expectBlock) fail(cursor, `expected an indented block after the line ending in ':' at line ${expectBlockFrom.line} (IndentationError)`)
        } else if (column > top) {
          if (indents.length >= MAX_INDENT_LEVELS) fail(cursor, 'too many levels of indentation (IndentationError)')
          else if (altColumn <= altTop) fail(cursor, 'inconsistent use of tabs and spaces in indentation (TabError)')
          else if (!expectBlock) fail(cursor, 'unexpected indent (IndentationError)')
          indents.push(column)
          altIndents.push(altColumn)
        } else {
          if (expectBlock) fail(cursor, `expected an indented block after the line ending in ':' at line ${expectBlockFrom.line} (IndentationError)`)
          while (indents.length > 1 && column < indents[indents.length - 1]!) {
            indents.pop()
            altIndents.pop()
          }
          if (column !== indents[indents.length - 1]) fail(cursor, 'unindent does not match any outer indentation level (IndentationError)')
          else if (altColumn !== altIndents[altIndents.length - 1]) fail(cursor, 'inconsistent use of tabs and spaces in indentation (TabError)')
        }
        expectBlock = false
      }
      index = cursor
      continue
    }

    const ch = source.charCodeAt(index)
    if (ch === 0x23 /* # */) {
      const end = source.indexOf('\n', index)
      index = end < 0 ? length : end
      continue
    }
    if (ch === 0x0a || ch === 0x0d) {
      // A \r\n is one line end; a lone \r is one too (Python reads files with universal newlines).
      index += ch === 0x0d && source.charCodeAt(index + 1) === 0x0a ? 2 : 1
      if (level === 0 && lineHasToken) {
        expectBlock = endsWithColon
        if (expectBlock) expectBlockFrom = { line: row + 1, column: 1 }
        lineHasToken = false
        endsWithColon = false
      }
      row++
      lineStart = index
      atLineStart = true
      continue
    }
    if (ch === 0x20 || ch === 0x09 || ch === 0x0c) {
      index++
      continue
    }
    if (ch === 0x5c /* \ */) {
      const after = source.charCodeAt(index + 1)
      if (after === 0x0a || after === 0x0d) {
        index += after === 0x0d && source.charCodeAt(index + 2) === 0x0a ? 3 : 2
        row++
        lineStart = index
        continue
      }
      if (index + 1 >= length) {
        index++
        continue
      }
      fail(index + 1, 'unexpected character after line continuation character')
      index++
      continue
    }
    if (ch === 0x27 || ch === 0x22) {
      index = scanString(index, 0)
      lineHasToken = true
      endsWithColon = false
      continue
    }
    if (ch === 0x28 || ch === 0x5b || ch === 0x7b) {
      level++
      if (level > MAX_BRACKET_LEVEL) fail(index, 'too many nested parentheses')
      index++
      lineHasToken = true
      endsWithColon = false
      continue
    }
    if (ch === 0x29 || ch === 0x5d || ch === 0x7d) {
      if (level > 0) level--
      index++
      lineHasToken = true
      endsWithColon = false
      continue
    }
    WORD.lastIndex = index
    const word = WORD.exec(source)
    if (word !== null) {
      const text = word[0]
      const end = index + text.length
      const quote = source.charCodeAt(end)
      if ((quote === 0x27 || quote === 0x22) && STRING_PREFIXES.has(text.toLowerCase())) {
        index = scanString(end, text.length)
      } else index = end
      lineHasToken = true
      endsWithColon = false
      continue
    }
    if (ch > 0x20 && ch < 0x7f) index++
    else {
      const codePoint = source.codePointAt(index)!
      const char = String.fromCodePoint(codePoint)
      if (NON_PRINTABLE.test(char)) fail(index, `invalid non-printable character U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`)
      index += char.length
    }
    lineHasToken = true
    endsWithColon = ch === 0x3a /* : */
  }
  if (expectBlock && error === null) fail(length, `expected an indented block after the line ending in ':' at line ${expectBlockFrom.line} (IndentationError)`)

  return { error, excluded: commentBlocks(comments, source) }

  /** Skips the string literal whose quote is at `quoteIndex` (its prefix is `prefixLength` long before it); returns the index after it. */
  function scanString(quoteIndex: number, prefixLength: number): number {
    const quote = source.charCodeAt(quoteIndex)
    const triple = source.charCodeAt(quoteIndex + 1) === quote && source.charCodeAt(quoteIndex + 2) === quote
    let cursor = quoteIndex + (triple ? 3 : 1)
    const startRow = row
    const startLine = lineStart
    const bytes = prefixLength > 0 && /b/i.test(source.slice(quoteIndex - prefixLength, quoteIndex))
    while (cursor < length) {
      const ch = source.charCodeAt(cursor)
      if (bytes && ch > 0x7f) fail(cursor, 'bytes can only contain ASCII literal characters')
      if (ch === 0x5c) {
        const escaped = source.charCodeAt(cursor + 1)
        cursor += 2
        if (escaped === 0x0a || escaped === 0x0d) {
          if (escaped === 0x0d && source.charCodeAt(cursor) === 0x0a) cursor++
          row++
          lineStart = cursor
        }
        continue
      }
      if (ch === 0x0a || ch === 0x0d) {
        if (!triple) {
          fail(quoteIndex - prefixLength, 'unterminated string literal', startRow, startLine)
          return cursor
        }
        cursor += ch === 0x0d && source.charCodeAt(cursor + 1) === 0x0a ? 2 : 1
        row++
        lineStart = cursor
        continue
      }
      if (ch === quote) {
        if (!triple) return cursor + 1
        if (source.charCodeAt(cursor + 1) === quote && source.charCodeAt(cursor + 2) === quote) return cursor + 3
      }
      cursor++
    }
    fail(quoteIndex - prefixLength, triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal', startRow, startLine)
    return length
  }
}

/**
 * Blocks of more than COMMENT_BLOCK_LIMIT comment-only lines (blank lines between them do not
 * end a block), each as one range from its first `#` to the end of its last comment.
 */
function commentBlocks(comments: CommentLine[], source: string): SourceRange[] {
  const ranges: SourceRange[] = []
  let first = 0
  for (let i = 1; i <= comments.length; i++) {
    const previous = comments[i - 1]!
    const current = comments[i]
    const continues = current !== undefined && onlyBlankBetween(source, previous.end, current.start)
    if (continues) continue
    if (i - first > COMMENT_BLOCK_LIMIT) {
      const start = comments[first]!
      ranges.push({
        startIndex: start.start,
        endIndex: previous.end,
        startPosition: { row: start.row, column: start.column },
        endPosition: { row: previous.row, column: previous.column + (previous.end - previous.start) },
      })
    }
    first = i
  }
  return ranges
}

function onlyBlankBetween(source: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const ch = source.charCodeAt(i)
    if (ch !== 0x0a && ch !== 0x0d && ch !== 0x20 && ch !== 0x09 && ch !== 0x0c) return false
  }
  return true
}

/** The complement of `excluded` over the whole source: what the parser reads. */
export function includedRanges(source: string, excluded: SourceRange[]): SourceRange[] | undefined {
  if (excluded.length === 0) return undefined
  const ranges: SourceRange[] = []
  let startIndex = 0
  let startPosition = { row: 0, column: 0 }
  for (const gap of excluded) {
    ranges.push({ startIndex, endIndex: gap.startIndex, startPosition, endPosition: gap.startPosition })
    startIndex = gap.endIndex
    startPosition = gap.endPosition
  }
  ranges.push({ startIndex, endIndex: source.length, startPosition, endPosition: endPosition(source) })
  return ranges
}

function endPosition(source: string): { row: number; column: number } {
  let row = 0
  let lineStart = 0
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) {
    row++
    lineStart = i + 1
  }
  return { row, column: source.length - lineStart }
}
