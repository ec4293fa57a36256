/**
 * The one path by which a string from the project (a name, a rule, a prefix, a docstring, a
 * comment, a config key or value, a file name) reaches emitted TypeScript. Flask accepts any text
 * in most of these places, so none of it may ever be able to end a literal or a comment:
 *
 * - in a string literal, through `tsString` (JSON's escaping, plus the two line terminators JSON
 *   leaves raw);
 * - in a comment, through `commentText`: every line terminator TypeScript knows (LF, CR, U+2028,
 *   U+2029) and every other control character is shown escaped, and `*∕` cannot close a block.
 *
 * translate and emit both write TypeScript; both use this module and nothing else for project text.
 */

/** A string as a TypeScript string literal. */
export function tsString(value: string): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

/** Any JSON value as TypeScript (string literals inside it escaped as by `tsString`). */
export function tsJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\u2028': '\\u2028', '\u2029': '\\u2029', '\t': '\t' }

/** Project text made safe for one line of a `//` or `/* … *∕` comment: it stays on its line and in its comment. */
export function commentText(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (ch) => ESCAPES[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/\*\//g, '*\\/')
}

/** `// text` on one line. */
export function lineComment(text: string): string {
  return `// ${commentText(text)}`
}

/** `/** text *∕` on one line. */
export function docComment(text: string): string {
  return `/** ${commentText(text)} */`
}

/** Every line break TypeScript would see, so that a quoted source keeps one comment line per source line. */
export function sourceLines(text: string): string[] {
  return text.split(/\r\n|[\n\r\u2028\u2029]/)
}

/** A block comment: a header, then quoted source line by line. */
export function blockComment(header: string, quoted = ''): string {
  const lines = [header, ...(quoted.trim() === '' ? [] : ['', ...sourceLines(quoted.replace(/\s+$/, ''))])]
  return ['/*', ...lines.map((line) => (line === '' ? ' *' : ` * ${commentText(line)}`)), ' */'].join('\n')
}
