/**
 * Checks of an emitted service that need no build: every TypeScript file parses (the TypeScript
 * compiler's own parser), no planted marker is code (an identifier named like it), the JSON files
 * parse, and the marker starts no line of .env.example or the Dockerfile.
 */
import { createHash } from 'node:crypto'
import ts from 'typescript'
import { MARKER } from './generate.js'

export interface ServiceProblem {
  /** `parse`: a file that does not parse; `marker`: a payload that became code (escaping). */
  kind: 'parse' | 'marker'
  file: string
  message: string
}

/** The names the payloads use as code: `PWNED()` and `globalThis.__PWNED__=1`. */
const MARKER_NAMES = new Set([MARKER, `__${MARKER}__`])

/** Files copied verbatim (the runtime) are the same in every service: checked once per content. */
const checked = new Map<string, ServiceProblem[]>()

export function checkService(files: ReadonlyMap<string, string>): ServiceProblem[] {
  const problems: ServiceProblem[] = []
  for (const [file, text] of files) {
    const key = `${file}\0${createHash('sha256').update(text).digest('hex')}`
    let found = checked.get(key)
    if (found === undefined) {
      found = checkFile(file, text)
      if (file.startsWith('src/lib/')) checked.set(key, found)
    }
    problems.push(...found)
  }
  return problems
}

function checkFile(file: string, text: string): ServiceProblem[] {
  if (file.endsWith('.ts')) return checkTypeScript(file, text)
  if (file.endsWith('.json')) {
    try {
      JSON.parse(text)
      return []
    } catch (error) {
      return [{ kind: 'parse', file, message: `not JSON: ${(error as Error).message}` }]
    }
  }
  if (file === '.env.example' || file === 'Dockerfile' || file === '.dockerignore') {
    const problems: ServiceProblem[] = []
    text.split(/\r\n|\r|\n/).forEach((line, index) => {
      const trimmed = line.trim()
      if (trimmed === '' || trimmed.startsWith('#')) return
      if (file === '.env.example' && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(trimmed)) {
        problems.push({ kind: 'marker', file, message: `line ${index + 1} is not NAME=value: ${JSON.stringify(line.slice(0, 120))}` })
      } else if (trimmed.includes(MARKER) && (file !== '.env.example' || trimmed.split('=')[0]!.includes(MARKER))) {
        problems.push({ kind: 'marker', file, message: `line ${index + 1} carries the marker outside a comment: ${JSON.stringify(line.slice(0, 120))}` })
      }
    })
    return problems
  }
  return []
}

function checkTypeScript(file: string, text: string): ServiceProblem[] {
  const problems: ServiceProblem[] = []
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const diagnostics = (source as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? []
  for (const diagnostic of diagnostics.slice(0, 3)) {
    const { line, character } = source.getLineAndCharacterOfPosition(diagnostic.start)
    problems.push({ kind: 'parse', file, message: `${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}` })
  }
  // Identifiers are code; string literals and comments are not. Iterative: emitted code can nest deep.
  const stack: ts.Node[] = [source]
  while (stack.length > 0) {
    const node = stack.pop()!
    // Exactly the planted names: an identifier made from a payload (createPWNEDRoutes) is a safe rename.
    if ((ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) && MARKER_NAMES.has(node.text)) {
      const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source))
      const context = text.split('\n')[line] ?? ''
      problems.push({ kind: 'marker', file, message: `${line + 1}:${character + 1}: the marker is code (${node.text}): ${JSON.stringify(context.slice(0, 160))}` })
      if (problems.length > 5) break
    }
    node.forEachChild((child) => void stack.push(child))
  }
  return problems
}
