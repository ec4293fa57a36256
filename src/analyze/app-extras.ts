import type { AppPathIR, CommandIR, SourceLocation } from '../ir/types.js'
import type { AppState } from './flask-model.js'
import type { FunctionValue, Value } from './values.js'

/**
 * What an app's setup code does besides routing that a service must do too: the folders it
 * creates (`os.makedirs(app.instance_path)`) and its CLI commands (`@app.cli.command("init-db")`,
 * click commands given to `app.cli.add_command`). Paths are values of kind `path`
 * (`app.instance_path`, `app.root_path`, `os.path.join` of one with literal parts).
 */

interface Extras {
  folders: AppPathIR[]
  commands: CommandIR[]
}

const extras = new WeakMap<AppState, Extras>()

function extrasOf(app: AppState): Extras {
  let value = extras.get(app)
  if (!value) extras.set(app, (value = { folders: [], commands: [] }))
  return value
}

/** `app.instance_path` / `app.root_path`. */
export function appPath(app: AppState, name: string): Value | undefined {
  if (name === 'instance_path') return { kind: 'path', app, base: 'instance', parts: [] }
  if (name === 'root_path') return { kind: 'path', app, base: 'root', parts: [] }
  return undefined
}

/**
 * A module's `__file__`: the service has no copy of the project's folders, so a path built from a
 * module's folder (`os.path.dirname(os.path.abspath(__file__))`, the "basedir" of many configs, or
 * its parent) is one under the service's folder, as `app.root_path` is.
 */
export function moduleFilePath(file: string): Value {
  return { kind: 'path', app: null, base: 'root', parts: [file.split('/').pop() ?? file] }
}

/** `os.path.join(<path>, "a", "b")`, `os.path.dirname`/`abspath`/`realpath`/`normpath` of one, `os.makedirs(<path>)`: undefined when the call is not one of these on a path. */
export function callOnPath(path: string, args: Value[]): Value | undefined {
  const first = args[0]
  if (first?.kind !== 'path') return undefined
  if (args.length === 1 && (path === 'os.path.abspath' || path === 'os.path.realpath' || path === 'os.path.normpath')) return first
  // The folder of the service's folder stays the service's folder (see moduleFilePath).
  if (args.length === 1 && path === 'os.path.dirname') return first.parts.length === 0 ? { ...first, base: 'root' } : { ...first, parts: first.parts.slice(0, -1) }
  if (path === 'os.path.join') {
    const parts: string[] = []
    for (const arg of args.slice(1)) {
      if (arg.kind !== 'const' || typeof arg.value !== 'string' || arg.secret) return { kind: 'unknown', reason: 'os.path.join() of a value not known statically' }
      // An absolute part starts over, as os.path.join does: no longer under the app's folder.
      if (arg.value.startsWith('/')) return { kind: 'unknown', reason: 'os.path.join() with an absolute part' }
      parts.push(arg.value)
    }
    return { ...first, parts: [...first.parts, ...parts] }
  }
  if (path === 'os.makedirs' || path === 'os.mkdir') {
    if (first.app === null) return { kind: 'const', value: null }
    const list = extrasOf(first.app).folders
    if (!list.some((folder) => folder.base === first.base && folder.parts.join('/') === first.parts.join('/'))) list.push({ base: first.base, parts: first.parts })
    return { kind: 'const', value: null }
  }
  return undefined
}

/** Click's default command name (click 8.1): the function's name, lower-cased, `_` as `-`. */
function defaultName(fn: FunctionValue): string {
  return fn.name.toLowerCase().replace(/_/g, '-')
}

/** `@click.command(name)` / `@app.cli.command(name)` on a function: the command value (its click options counted as parameters). */
export function clickCommand(target: Value, name: Value | undefined): Value {
  if (target.kind !== 'function') return { kind: 'unknown', reason: 'a click command of a value not known statically' }
  const given = name?.kind === 'const' && typeof name.value === 'string' ? name.value : null
  const parameters = target.wrappers.filter((wrapper) => /(^|\.)(option|argument|password_option|confirmation_option|pass_context|pass_obj)\b/.test(wrapper))
  return { kind: 'cli-command', name: given ?? defaultName(target), fn: target, parameters }
}

/** Registers a command on the app (`app.cli.add_command(cmd, name=None)`, `@app.cli.command`). */
export function addCommand(app: AppState, command: Value, name: Value | undefined, location: SourceLocation, locate: (fn: FunctionValue) => SourceLocation): boolean {
  if (command.kind !== 'cli-command') return false
  const given = name?.kind === 'const' && typeof name.value === 'string' ? name.value : command.name
  const list = extrasOf(app).commands
  const entry: CommandIR = { name: given, ref: { module: command.fn.module, qualname: command.fn.qualname, location: locate(command.fn) }, location, parameters: command.parameters }
  // A name registered again replaces the command, as click's group does.
  const index = list.findIndex((existing) => existing.name === given)
  if (index >= 0) list[index] = entry
  else list.push(entry)
  return true
}

/** The AppIR fields for what was recorded (absent when nothing was). */
export function extrasIR(app: AppState): { folders?: AppPathIR[]; commands?: CommandIR[] } {
  const value = extras.get(app)
  return {
    ...(value && value.folders.length > 0 ? { folders: value.folders } : {}),
    ...(value && value.commands.length > 0 ? { commands: value.commands } : {}),
  }
}

/** The path a config value holds: itself, or the fallback of an environment read. */
export function configPath(value: Value): AppPathIR | undefined {
  if (value.kind === 'path') return { base: value.base, parts: value.parts }
  if (value.kind === 'env' && value.fallback?.kind === 'path') return { base: value.fallback.base, parts: value.fallback.parts }
  return undefined
}
