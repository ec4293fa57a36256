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
  /**
   * A parser error CPython reports as soon as it meets it (an unexpected indent), which a
   * tokenizer error later in the file does not replace. Other parser errors it reports after
   * tokenizing the rest of the file, and a tokenizer error found there wins.
   */
  final?: boolean
}

/** A span of the source the parser skips (offsets in UTF-16 units, rows and columns 0-based). */
export interface SourceRange {
  startIndex: number
  endIndex: number
  startPosition: { row: number; column: number }
  endPosition: { row: number; column: number }
}

export interface TokenScan {
  /**
   * The first error CPython's tokenizer raises at once (a character it cannot read, an
   * unterminated string, an unmatched bracket). It is what Python reports even when the parser
   * failed earlier in the file: CPython then tokenizes the rest of the file, and such an error wins.
   */
  tokenizerError: PythonError | null
  /** The first indentation error of CPython's tokenizer (TabError, too deep, a dedent to no level): reported when the parser reaches it. */
  indentError: PythonError | null
  /** The first error CPython's parser reports that tree-sitter lets through (an indentation it does not expect, a missing block). */
  parserError: PythonError | null
  /** The innermost bracket still open at the end: CPython's error when its parser fails at or after that line. */
  unclosed: PythonError | null
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

const OPENING: Record<string, string> = { ')': '(', ']': '[', '}': '{' }
const STRING_PREFIXES = new Set(['r', 'u', 'b', 'f', 'br', 'rb', 'fr', 'rf'])
/** What CPython reads as one name or number: ASCII letters, digits and `_`, and every non-ASCII character but the whitespace and line ends. */
const WORD = /(?:[A-Za-z0-9_]|[^\x00-\x7f])+/uy

function hex(char: string): string {
  return char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')
}

function isWordStart(ch: number): boolean {
  return (ch >= 0x61 && ch <= 0x7a) || (ch >= 0x41 && ch <= 0x5a) || (ch >= 0x30 && ch <= 0x39) || ch === 0x5f || ch > 0x7f
}
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
  let tokenizerError: PythonError | null = null
  let indentError: PythonError | null = null
  let parserError: PythonError | null = null
  const length = source.length
  let index = 0
  let row = 0
  let lineStart = 0
  let level = 0
  /** Open brackets: the character and where it is. */
  const brackets: { char: string; line: number; column: number }[] = []
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
  /** A tokenizer error. */
  const fail = (at: number, message: string, atRow = row, atLineStart_ = lineStart): void => {
    tokenizerError ??= { line: atRow + 1, column: at - atLineStart_ + 1, message }
  }
  /** An indentation error of the tokenizer. */
  const failIndent = (at: number, message: string): void => {
    indentError ??= { line: row + 1, column: at - lineStart + 1, message }
  }
  /** A parser error. */
  const refuse = (at: number, message: string, final = false): void => {
    parserError ??= { line: row + 1, column: at - lineStart + 1, message, ...(final ? { final } : {}) }
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
      if (!blank && level === 0 && indentError === null) {
        const top = indents[indents.length - 1]!
        const altTop = altIndents[altIndents.length - 1]!
        if (column === top) {
          if (altColumn !== altTop) failIndent(cursor, 'inconsistent use of tabs and spaces in indentation (TabError)')
          else if (expectBlock) refuse(cursor, `expected an indented block after the line ending in ':' at line ${expectBlockFrom.line} (IndentationError)`)
        } else if (column > top) {
          if (indents.length >= MAX_INDENT_LEVELS) failIndent(cursor, 'too many levels of indentation (IndentationError)')
          else if (altColumn <= altTop) failIndent(cursor, 'inconsistent use of tabs and spaces in indentation (TabError)')
          else if (!expectBlock) refuse(cursor, 'unexpected indent (IndentationError)', true)
          indents.push(column)
          altIndents.push(altColumn)
        } else {
          if (expectBlock) refuse(cursor, `expected an indented block after the line ending in ':' at line ${expectBlockFrom.line} (IndentationError)`)
          while (indents.length > 1 && column < indents[indents.length - 1]!) {
            indents.pop()
            altIndents.pop()
          }
          if (column !== indents[indents.length - 1]) failIndent(cursor, 'unindent does not match any outer indentation level (IndentationError)')
          else if (altColumn !== altIndents[altIndents.length - 1]) failIndent(cursor, 'inconsistent use of tabs and spaces in indentation (TabError)')
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
      brackets.push({ char: source[index]!, line: row + 1, column: index - lineStart + 1 })
      index++
      lineHasToken = true
      endsWithColon = false
      continue
    }
    if (ch === 0x29 || ch === 0x5d || ch === 0x7d) {
      const char = source[index]!
      const open = brackets.pop()
      if (open === undefined) fail(index, `unmatched '${char}'`)
      else if (OPENING[char] !== open.char) {
        fail(index, `closing parenthesis '${char}' does not match opening parenthesis '${open.char}'${open.line !== row + 1 ? ` on line ${open.line}` : ''}`)
      }
      if (level > 0) level--
      index++
      lineHasToken = true
      endsWithColon = false
      continue
    }
    if (isWordStart(ch)) {
      // Python reads every run of letters, digits, `_` and non-ASCII characters as one name (or number), then checks it.
      WORD.lastIndex = index
      const text = WORD.exec(source)![0]
      const end = index + text.length
      const quote = source.charCodeAt(end)
      if ((quote === 0x27 || quote === 0x22) && STRING_PREFIXES.has(text.toLowerCase())) {
        index = scanString(end, text.length)
      } else {
        if (ch >= 0x30 && ch <= 0x39) checkNumber(text, index)
        else checkName(text, index)
        index = end
      }
      lineHasToken = true
      endsWithColon = false
      continue
    }
    if (ch > 0x20 && ch < 0x7f) index++
    else {
      const codePoint = source.codePointAt(index)!
      const char = String.fromCodePoint(codePoint)
      if (NON_PRINTABLE.test(char)) fail(index, `invalid non-printable character U+${hex(char)}`)
      index += char.length
    }
    lineHasToken = true
    endsWithColon = ch === 0x3a /* : */
  }
  // The end of the file ends the last line, newline or not.
  if (level === 0 && lineHasToken && endsWithColon) {
    expectBlock = true
    expectBlockFrom = { line: row + 1, column: 1 }
  }
  if (expectBlock) refuse(length, `expected an indented block after the line ending in ':' at line ${expectBlockFrom.line} (IndentationError)`)

  const innermost = brackets[brackets.length - 1]
  const unclosed = innermost === undefined ? null : { line: innermost.line, column: innermost.column, message: `'${innermost.char}' was never closed` }
  return { tokenizerError, indentError, parserError, unclosed, excluded: commentBlocks(comments, source) }

  function refuseAt(at: number, message: string): void {
    refuse(at, message)
  }

  /** CPython's verify_identifier: a name is a letter or `_`, then letters, digits, marks and `_` (after NFKC), all printable. */
  function checkName(text: string, start: number): void {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) return
    let offset = 0
    for (const char of text) {
      if (NON_PRINTABLE.test(char)) return fail(start + offset, `invalid non-printable character U+${hex(char)}`)
      offset += char.length
    }
    if (/^[\p{ID_Start}_][\p{ID_Continue}]*$/u.test(text.normalize('NFKC'))) return
    offset = 0
    for (const char of text) {
      const normalized = char.normalize('NFKC')
      const valid = offset === 0 ? /^[\p{ID_Start}_][\p{ID_Continue}]*$/u.test(normalized) : /^[\p{ID_Continue}]+$/u.test(normalized)
      if (!valid) return fail(start + offset, `invalid character '${char}' (U+${hex(char)})`)
      offset += char.length
    }
  }

  /** After a number, Python reads on into the name: a non-ASCII character there is an invalid literal. */
  function checkNumber(text: string, start: number): void {
    const at = text.search(/[^\x00-\x7f]/)
    if (at >= 0) fail(start + at, 'invalid decimal literal')
  }

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
      if (bytes && ch > 0x7f) refuseAt(cursor, 'bytes can only contain ASCII literal characters')
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
