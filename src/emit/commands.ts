import type { AppIR, Finding } from '../ir/types.js'
import type { TranslatedProject } from '../translate/types.js'
import type { ResolvedHook } from './handlers.js'
import { ImportSet, relocator } from './imports.js'
import { docComment, lineComment } from '../ts-text.js'

/** Scripts every service has: a command of the same name becomes `flask:<name>`. */
const SERVICE_SCRIPTS = new Set(['build', 'start', 'dev', 'typecheck', 'test', 'format', 'format:check'])

export interface EmittedCommands {
  /** `src/commands/<name>.ts` → its code. */
  files: Map<string, string>
  /** package.json scripts: `"init-db": "node dist/commands/init-db.js"`. */
  scripts: Record<string, string>
}

/**
 * The app's Flask CLI commands (`flask init-db`) as scripts of the service (`npm run init-db`):
 * src/commands/<name>.ts runs the translated command with an app context of its own (runtime
 * cli.ts), then the app's teardown_appcontext functions. A command with click parameters, or
 * whose translation failed, gets no script and a cli-command-not-migrated finding.
 */
export function emitCommands(app: AppIR, translation: TranslatedProject, hooks: ResolvedHook[], moved: ReadonlyMap<string, string>, findings: Finding[]): EmittedCommands {
  const files = new Map<string, string>()
  const scripts: Record<string, string> = {}
  const teardowns = hooks.filter((entry) => entry.hook.kind === 'teardown_appcontext' && entry.handler.status === 'migrated')
  const relocate = relocator('src/routes', 'src/commands', moved)
  for (const command of app.commands ?? []) {
    const where = `${command.ref.location.file}:${command.ref.location.line}`
    if (command.parameters.length > 0) {
      findings.push({
        ruleId: 'cli-command-not-migrated',
        severity: 'warning',
        message: `CLI command ${JSON.stringify(command.name)} (${command.ref.qualname}) takes click parameters (${command.parameters.join(', ')}), which are not carried over: the service has no script for it.`,
        location: command.location,
      })
      continue
    }
    const translated = translation.commands?.find((handler) => handler.name === command.name && handler.ref.qualname === command.ref.qualname && handler.ref.module === command.ref.module)
    if (translated === undefined || translated.status !== 'migrated') {
      findings.push({
        ruleId: 'cli-command-not-migrated',
        severity: 'warning',
        message: `CLI command ${JSON.stringify(command.name)} (${command.ref.qualname}) did not translate (see the findings at ${where}): the service has no script for it.`,
        location: command.location,
      })
      continue
    }
    let base = command.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'command'
    while (files.has(`src/commands/${base}.ts`)) base = `${base}-`
    const path = `src/commands/${base}.ts`
    const imports = new ImportSet()
    for (const line of translated.imports) imports.addLine(line)
    for (const entry of teardowns) for (const line of entry.handler.imports) imports.addLine(line)
    imports.addNamed('../lib/cli.js', 'runCommand')
    const lines = [
      imports.mapSpecifiers(relocate).render(),
      '',
      docComment(`\`flask ${command.name}\` (${where}): \`npm run ${scriptName(command.name)}\` after \`npm run build\`. The command runs with an app context of its own, then the app's teardown_appcontext functions.`),
      `const command = ${translated.code.trim()}`,
      '',
      `process.exitCode = await runCommand(command, [`,
      ...teardowns.map((entry) => `  ${lineComment(`${entry.handler.ref?.location.file}:${entry.handler.ref?.location.line} teardown_appcontext`)}\n  ${entry.handler.code.trim()},`),
      `])`,
      '',
    ]
    files.set(path, lines.join('\n'))
    scripts[scriptName(command.name)] = `node dist/commands/${base}.js`
  }
  return { files, scripts }
}

function scriptName(name: string): string {
  return SERVICE_SCRIPTS.has(name) ? `flask:${name}` : name
}
