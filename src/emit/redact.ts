import { isSecretName, isStrongSecret } from '../analyze/secrets.js'
import { tsString } from '../ts-text.js'

/**
 * The last check before files are written: no secret of the project appears in them, whoever put
 * it there. Secrets are replaced as values, never as substrings of unrelated code: a strong secret
 * (a key, a token: analyze/secrets.ts) inside any string literal, comment or text; a weak one
 * (`password`) only where it is the value of something named like a credential, since the same
 * word is also a form field or a URL rule (`/account/reset-password`) that must stay as it is.
 */

export const REDACTED = '<redacted secret>'

/**
 * Where a secret was replaced: the emitted file, its 1-based line, and how: `environment` (a
 * constant now read from the environment variable of its name: same behaviour once it is set),
 * `value` (a literal in code: the service no longer behaves as Flask there), `text` (a comment or
 * a text file: no behaviour changed).
 */
export interface Redaction {
  path: string
  line: number
  kind: 'environment' | 'value' | 'text'
  /** For `environment`: the variable. */
  variable?: string
}

interface Secrets {
  strong: string[]
  weak: Set<string>
}

function classify(secrets: readonly string[]): Secrets {
  const unique = [...new Set(secrets)].filter((secret) => secret !== '').sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
  return { strong: unique.filter(isStrongSecret), weak: new Set(unique.filter((secret) => !isStrongSecret(secret))) }
}

function replaceStrong(text: string, strong: readonly string[]): string {
  let out = text
  for (const secret of strong) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
  return out
}

const QUOTED_ASSIGNMENT = /([A-Za-z_][A-Za-z0-9_]*)(["']?\]?\s*[:=]\s*)(["'])((?:(?!\3)[^\\\n]|\\.)*)\3/g

/** Text (a comment, a report line, a README): strong secrets anywhere, weak ones where quoted as a credential's value (`PASSWORD = "x"`). */
export function redactText(text: string, secrets: readonly string[]): string {
  return redactTextWith(text, classify(secrets))
}

function redactTextWith(text: string, secrets: Secrets): string {
  let out = replaceStrong(text, secrets.strong)
  if (secrets.weak.size > 0) {
    out = out.replace(QUOTED_ASSIGNMENT, (whole, name: string, between: string, quote: string, value: string) =>
      isSecretName(name) && secrets.weak.has(value) ? `${name}${between}${quote}${REDACTED}${quote}` : whole,
    )
  }
  return out
}

type Ts = typeof import('ts-morph').ts

/** Redacts every emitted file in place (src/lib/, the runtime, is the tool's own code) and says where. */
export async function redactFiles(files: Map<string, string>, secretList: readonly string[]): Promise<Redaction[]> {
  const secrets = classify(secretList)
  if (secrets.strong.length === 0 && secrets.weak.size === 0) return []
  const redactions: Redaction[] = []
  let ts: Ts | undefined
  for (const [path, content] of files) {
    if (path.startsWith('src/lib/')) continue
    const mentions = secrets.strong.some((secret) => content.includes(secret)) || [...secrets.weak].some((secret) => content.includes(secret))
    if (!mentions) continue
    if (path.endsWith('.ts')) {
      ts ??= (await import('ts-morph')).ts
      const edits = redactTypeScript(ts, path, content, secrets)
      if (edits.length === 0) continue
      files.set(path, applyEdits(content, edits))
      for (const edit of edits.sort((a, b) => a.start - b.start)) {
        redactions.push({ path, line: content.slice(0, edit.start).split('\n').length, kind: edit.kind, ...(edit.variable !== undefined ? { variable: edit.variable } : {}) })
      }
    } else {
      const redacted = redactTextWith(content, secrets)
      if (redacted === content) continue
      files.set(path, redacted)
      redactions.push({ path, line: firstDifferentLine(content, redacted), kind: 'text' })
    }
  }
  return redactions
}

interface Edit {
  start: number
  end: number
  text: string
  kind: Redaction['kind']
  variable?: string
}

function applyEdits(content: string, edits: Edit[]): string {
  let out = content
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end)
  return out
}

/**
 * A secret read from the environment variable `name`. Unset, it is a random value of this process
 * (Node's global Web Crypto), never a constant: a password compared with it matches nothing, a key
 * signs what no one else can verify, where a fixed placeholder would be a credential anyone knows.
 */
function fromEnvironment(name: string): string {
  return `(process.env[${tsString(name)}] ?? crypto.randomUUID())`
}

function redactTypeScript(ts: Ts, path: string, content: string, secrets: Secrets): Edit[] {
  const source = ts.createSourceFile(path, content, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const edits: Edit[] = []
  /** How many secrets of each key a module constant's data held so far: `USERS_2_API_KEY` is the second `api_key` of USERS. */
  const entryCounts = new Map<string, number>()
  const visit = (node: import('ts-morph').ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const value = node.text
      const name = boundName(ts, node)
      const whole = secrets.weak.has(value) || secrets.strong.includes(value)
      const entry = whole && name === undefined ? dataEntry(ts, node) : undefined
      if (whole && name !== undefined && ts.isVariableDeclaration(node.parent) && isSecretName(name)) {
        // `const API_KEY = "…"` (a module constant of the project): the service reads it from the environment.
        edits.push({ start: node.getStart(source), end: node.getEnd(), text: fromEnvironment(name), kind: 'environment', variable: name })
      } else if (entry !== undefined && isSecretName(entry.key)) {
        // `USERS = [{"api_key": "…"}, …]` (a credential in a module constant's data, seed data say): read from the environment too, one variable per entry.
        const counted = `${entry.constant}\0${entry.key}`
        const count = (entryCounts.get(counted) ?? 0) + 1
        entryCounts.set(counted, count)
        const variable = `${entry.constant}_${count}_${entry.key}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_')
        edits.push({ start: node.getStart(source), end: node.getEnd(), text: fromEnvironment(variable), kind: 'environment', variable })
      } else {
        let replaced = replaceStrong(value, secrets.strong)
        if (secrets.weak.has(value) && isSecretName(name ?? '')) replaced = REDACTED
        if (replaced !== value) edits.push({ start: node.getStart(source), end: node.getEnd(), text: tsString(replaced), kind: 'value' })
      }
    } else if (ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      const raw = content.slice(node.getStart(source), node.getEnd())
      const replaced = replaceStrong(raw, secrets.strong)
      if (replaced !== raw) edits.push({ start: node.getStart(source), end: node.getEnd(), text: replaced, kind: 'value' })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  // Comments: each one is leading trivia of some token (the end-of-file token for the last ones).
  const inEdit = (position: number): boolean => edits.some((edit) => position >= edit.start && position < edit.end)
  const seen = new Set<number>()
  const comments = (node: import('ts-morph').ts.Node): void => {
    ts.forEachLeadingCommentRange(content, node.pos, (start, end) => {
      if (seen.has(start)) return
      seen.add(start)
      const text = content.slice(start, end)
      const replaced = redactTextWith(text, secrets)
      if (replaced !== text && !inEdit(start)) edits.push({ start, end, text: replaced, kind: 'text' })
    })
    for (const child of node.getChildren(source)) comments(child)
  }
  comments(source)
  return edits
}

/** The name a literal is the value of: `const NAME = "…"`, `{ NAME: "…" }`, `NAME = "…"`, `f(NAME = "…")`. */
function boundName(ts: Ts, node: import('ts-morph').ts.Node): string | undefined {
  const parent = node.parent
  if (parent === undefined) return undefined
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isParameter(parent) || ts.isPropertyDeclaration(parent)) && parent.initializer === node) {
    const name = parent.name
    return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined
  }
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === node) {
    const left = parent.left
    if (ts.isIdentifier(left)) return left.text
    if (ts.isPropertyAccessExpression(left)) return left.name.text
    if (ts.isElementAccessExpression(left) && ts.isStringLiteral(left.argumentExpression)) return left.argumentExpression.text
  }
  return undefined
}

/**
 * A literal that is the value of a dict entry (`py.dict(['api_key', '…'])`, `{ api_key: '…' }`)
 * inside the initializer of a module constant: the entry's key and the constant's name.
 */
function dataEntry(ts: Ts, node: import('ts-morph').ts.Node): { key: string; constant: string } | undefined {
  const parent = node.parent
  let key: string | undefined
  if (parent !== undefined && ts.isArrayLiteralExpression(parent) && parent.elements.length === 2 && parent.elements[1] === node && ts.isStringLiteral(parent.elements[0]!)) key = parent.elements[0].text
  else if (parent !== undefined && ts.isPropertyAssignment(parent) && parent.initializer === node && (ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name))) key = parent.name.text
  if (key === undefined) return undefined
  for (let outer = parent!.parent; outer !== undefined; outer = outer.parent) {
    if (ts.isFunctionLike(outer) || ts.isClassLike(outer)) return undefined
    if (ts.isVariableDeclaration(outer) && ts.isIdentifier(outer.name) && ts.isVariableStatement(outer.parent.parent) && ts.isSourceFile(outer.parent.parent.parent)) return { key, constant: outer.name.text }
  }
  return undefined
}

function firstDifferentLine(before: string, after: string): number {
  let index = 0
  while (index < before.length && before[index] === after[index]) index++
  return before.slice(0, index).split('\n').length
}
