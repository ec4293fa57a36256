import { builtinModules } from 'node:module'
import { posix } from 'node:path'

/**
 * What a service takes from the runtime (src/emit/runtime/, copied to src/lib/) and from npm:
 * the runtime modules its own files import (`./lib/flask.js`, `../lib/py.js`), with the modules
 * those import in turn, and the packages imported by every file it keeps.
 *
 * Imports are read with a pattern, not a parser: the runtime is TypeScript that prettier formats
 * and the service's own files are emitted here, so every import is a static `from '…'`,
 * `import '…'` or `import('…')` with a literal specifier. Text that only looks like one (in a
 * string or comment) can add a module, never drop one.
 */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"\n]+)\1/g

function specifiers(code: string): string[] {
  return [...code.matchAll(SPECIFIER)].map((match) => match[2])
}

/**
 * The runtime modules (`flask.ts`, …) the service's files need: imported from a file outside
 * src/lib/, or by a runtime module so needed. `files` are the service's files by path,
 * `runtime` the runtime modules by name.
 */
export function usedRuntimeModules(files: ReadonlyMap<string, string>, runtime: ReadonlyMap<string, string>): Set<string> {
  const used = new Set<string>()
  const pending: string[] = []
  const visit = (from: string, code: string): void => {
    for (const specifier of specifiers(code)) {
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) continue
      const target = /^src\/lib\/([^/]+)\.js$/.exec(posix.normalize(posix.join(posix.dirname(from), specifier)))
      const name = target === null ? undefined : `${target[1]}.ts`
      if (name !== undefined && runtime.has(name) && !used.has(name)) {
        used.add(name)
        pending.push(name)
      }
    }
  }
  for (const [path, content] of files) if (/\.[cm]?tsx?$/.test(path) && !path.startsWith('src/lib/')) visit(path, content)
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) visit(`src/lib/${name}`, runtime.get(name) as string)
  return used
}

const BUILTINS = new Set(builtinModules)

/** The npm packages the TypeScript files among `files` import (`hono/logger` is `hono`), sorted; Node's own modules left out. */
export function importedPackages(files: ReadonlyMap<string, string>): string[] {
  const packages = new Set<string>()
  for (const [path, content] of files) {
    if (!/\.[cm]?tsx?$/.test(path)) continue
    for (const specifier of specifiers(content)) {
      if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) continue
      const name = specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/')
      if (!BUILTINS.has(name)) packages.add(name)
    }
  }
  return [...packages].sort()
}

/**
 * Whether some code of the service reads Flask's context locals through `currentContext()` (the
 * request in a helper, a template, an extension's runtime): its own files, and the runtime modules
 * it uses other than flask.ts, which defines it. When none does, app.ts passes
 * `contextLocals: false` to `requestHooks` and requests run without an AsyncLocalStorage scope.
 */
export function readsContextLocals(files: ReadonlyMap<string, string>): boolean {
  for (const [path, content] of files) {
    if (!/\.[cm]?tsx?$/.test(path) || path === 'src/lib/flask.ts') continue
    if (/\bcurrentContext\b/.test(content)) return true
  }
  return false
}
