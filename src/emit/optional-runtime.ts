import type { TranslatedProject } from '../translate/types.js'

/**
 * Runtime files (src/emit/runtime/) that a service gets only when its translated code imports
 * them, with the npm packages they need: `sqlite.ts` brings better-sqlite3 (see that file).
 */
export const OPTIONAL_RUNTIME: Readonly<Record<string, { dependencies: Record<string, string>; devDependencies: Record<string, string> }>> = {
  'sqlite.ts': { dependencies: { 'better-sqlite3': '^12.11.1' }, devDependencies: { '@types/better-sqlite3': '^9.6.0' } },
  'resource.ts': { dependencies: {}, devDependencies: {} },
}

/** The optional runtime files some translated module, view, hook or error handler imports (`…/lib/sqlite.js'`). */
export function optionalRuntimeUsed(translation: TranslatedProject, extraCode: readonly string[] = []): Set<string> {
  const texts = [
    ...translation.modules.map((module) => module.code),
    ...[...Object.values(translation.views), ...translation.hooks, ...translation.errorHandlers].flatMap((handler) => handler.imports),
    ...extraCode,
  ]
  const used = new Set<string>()
  for (const name of Object.keys(OPTIONAL_RUNTIME)) {
    const specifier = `lib/${name.replace(/\.ts$/, '.js')}'`
    if (texts.some((text) => text.includes(specifier))) used.add(name)
  }
  return used
}

/** The packages the used optional runtime files need, merged. */
export function optionalDependencies(used: ReadonlySet<string>): { dependencies: Record<string, string>; devDependencies: Record<string, string> } {
  const dependencies: Record<string, string> = {}
  const devDependencies: Record<string, string> = {}
  for (const name of [...used].sort()) {
    Object.assign(dependencies, OPTIONAL_RUNTIME[name]?.dependencies)
    Object.assign(devDependencies, OPTIONAL_RUNTIME[name]?.devDependencies)
  }
  return { dependencies, devDependencies }
}
