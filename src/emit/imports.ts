import { posix } from 'node:path'

/**
 * Import lines gathered from several translated handlers and the emitter itself, merged so one
 * file never imports the same name twice, and re-pointed when the importing file or the
 * imported module is not where translate expected it (translate writes specifiers relative to
 * `src/routes/`; see src/translate/types.ts).
 */
export class ImportSet {
  /** specifier → imported names (`name` or `name as alias`); `type ` prefix for type-only names. */
  private readonly named = new Map<string, Set<string>>()
  private readonly defaults = new Map<string, Set<string>>()
  private readonly namespaces = new Map<string, Set<string>>()
  private readonly other = new Set<string>()

  /**
   * Adds one `import … from '…'` line. Lines this parser does not know are kept verbatim (deduplicated).
   *
   * A pattern, not the TypeScript parser: every line here is one translate or emit wrote (a
   * single-line import with a literal specifier), never the project's text, and what the pattern
   * does not read is kept as it is, not lost. Reading them with ts-morph's `ts` instead (a
   * prototype, `npm run bench -- --modules 10`, 250 routes) cost 54 ms more CPU in emit's
   * build step (60 → 114 ms, of 2.5 s for all of emit) and 365 ms of CPU to load the TypeScript
   * compiler in every run, which today only a project with secrets pays (redact.ts), for the
   * same output. Kept as a pattern.
   */
  addLine(line: string): void {
    const text = line.trim().replace(/;$/, '')
    if (text === '') return
    const match = /^import\s+(type\s+)?(.*?)\s+from\s+(['"])([^'"]+)\3$/s.exec(text)
    if (match === null) {
      this.other.add(text)
      return
    }
    const typeOnly = match[1] !== undefined
    const clause = match[2].trim()
    const specifier = match[4]
    const braces = /\{([^}]*)\}/.exec(clause)
    const outside = clause.replace(/\{[^}]*\}/, '').replace(/,/g, ' ').trim()
    if (braces !== null) {
      for (const part of braces[1].split(',')) {
        const name = part.trim().replace(/\s+/g, ' ')
        if (name === '') continue
        this.addNamed(specifier, typeOnly && !name.startsWith('type ') ? `type ${name}` : name)
      }
    }
    if (outside !== '') {
      const namespace = /^\*\s+as\s+([\w$]+)$/.exec(outside)
      if (namespace !== null) add(this.namespaces, specifier, (typeOnly ? 'type ' : '') + namespace[1])
      else if (/^[\w$]+$/.test(outside)) {
        if (typeOnly) this.other.add(`import type ${outside} from '${specifier}'`)
        else add(this.defaults, specifier, outside)
      } else this.other.add(text)
    }
  }

  addNamed(specifier: string, name: string): void {
    add(this.named, specifier, name)
  }

  /** Every specifier passes through `rewrite` (used to re-point relative paths). */
  mapSpecifiers(rewrite: (specifier: string) => string): ImportSet {
    const result = new ImportSet()
    for (const [specifier, names] of this.named) for (const name of names) result.addNamed(rewrite(specifier), name)
    for (const [specifier, names] of this.defaults) for (const name of names) add(result.defaults, rewrite(specifier), name)
    for (const [specifier, names] of this.namespaces) for (const name of names) add(result.namespaces, rewrite(specifier), name)
    for (const line of this.other) result.other.add(rewriteSpecifiersInCode(line, rewrite))
    return result
  }

  /** Every name these imports bind in the importing file. */
  localNames(): Set<string> {
    const names = new Set<string>()
    for (const set of this.named.values()) for (const name of set) names.add(name.replace(/^type /, '').split(' as ').pop() as string)
    for (const set of [...this.defaults.values(), ...this.namespaces.values()]) for (const name of set) names.add(name.replace(/^type /, ''))
    for (const line of this.other) for (const match of line.matchAll(/\b(?:import|as|type)\s+([A-Za-z_$][\w$]*)/g)) names.add(match[1])
    return names
  }

  /** Sorted import lines: packages first, then relative paths. */
  render(): string {
    const lines: string[] = []
    const specifiers = [...new Set([...this.named.keys(), ...this.defaults.keys(), ...this.namespaces.keys()])].sort(
      compareSpecifiers,
    )
    for (const specifier of specifiers) {
      for (const name of [...(this.namespaces.get(specifier) ?? [])].sort()) {
        const typeOnly = name.startsWith('type ')
        lines.push(`import ${typeOnly ? 'type ' : ''}* as ${name.replace(/^type /, '')} from '${specifier}'`)
      }
      const defaults = [...(this.defaults.get(specifier) ?? [])].sort()
      const names = [...(this.named.get(specifier) ?? [])]
      // `type X` and `X` together: the value import covers both.
      const values = new Set(names.filter((name) => !name.startsWith('type ')))
      const merged = names.filter((name) => !(name.startsWith('type ') && values.has(name.slice(5)))).sort(compareNames)
      if (defaults.length === 0 && merged.length === 0) continue
      const [first, ...restDefaults] = defaults
      if (first === undefined && merged.every((name) => name.startsWith('type '))) {
        lines.push(`import type { ${merged.map((name) => name.slice(5)).join(', ')} } from '${specifier}'`)
        continue
      }
      const parts: string[] = []
      if (first !== undefined) parts.push(first)
      if (merged.length > 0) parts.push(`{ ${merged.join(', ')} }`)
      lines.push(`import ${parts.join(', ')} from '${specifier}'`)
      for (const extra of restDefaults) lines.push(`import ${extra} from '${specifier}'`)
    }
    lines.push(...[...this.other].sort())
    return lines.join('\n')
  }
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key)
  if (set === undefined) map.set(key, (set = new Set()))
  set.add(value)
}

function compareSpecifiers(a: string, b: string): number {
  const relativeA = a.startsWith('.')
  const relativeB = b.startsWith('.')
  if (relativeA !== relativeB) return relativeA ? 1 : -1
  return a < b ? -1 : a > b ? 1 : 0
}

function compareNames(a: string, b: string): number {
  const keyA = a.replace(/^type /, '')
  const keyB = b.replace(/^type /, '')
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0
}

/** Rewrites the specifier of every static `from '…'`, `import '…'` and `import('…')` in a piece of code. */
export function rewriteSpecifiersInCode(code: string, rewrite: (specifier: string) => string): string {
  return code
    .replace(/(\bfrom\s*)(['"])(\.{1,2}\/[^'"]*)\2/g, (_, head: string, quote: string, spec: string) => `${head}${quote}${rewrite(spec)}${quote}`)
    .replace(/(\bimport\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*)\2/g, (_, head: string, quote: string, spec: string) => `${head}${quote}${rewrite(spec)}${quote}`)
}

/**
 * A function re-pointing a relative specifier written for a file in `fromDir` to a file in
 * `toDir` (both relative to the service root), also following modules `moved` elsewhere.
 */
export function relocator(fromDir: string, toDir: string, moved: ReadonlyMap<string, string>): (specifier: string) => string {
  return (specifier) => {
    if (!specifier.startsWith('./') && !specifier.startsWith('../')) return specifier
    let target = posix.normalize(posix.join(fromDir, specifier))
    const targetTs = target.replace(/\.js$/, '.ts')
    const movedTo = moved.get(targetTs)
    if (movedTo !== undefined) target = movedTo.replace(/\.ts$/, '.js')
    let relative = posix.relative(toDir, target)
    if (!relative.startsWith('.')) relative = `./${relative}`
    return relative
  }
}
