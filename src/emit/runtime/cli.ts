/**
 * Flask CLI commands of the app as scripts of the service (`npm run init-db`): the command's
 * function runs with an app context of its own, as `flask init-db` runs it (`g`, `current_app`;
 * no request), then the app's teardown_appcontext functions, as Flask pops that context.
 */
import type { Context } from 'hono'
import { runInContext } from './flask.js'
import { str } from './py.js'

export type Command = (c: Context) => unknown
export type Teardown = (c: Context, error: unknown) => unknown

/** The app context of a command: `g` and the other per-context values; no request. */
function commandContext(): Context {
  const values = new Map<string, unknown>()
  const context = {
    get: (key: string) => values.get(key),
    set: (key: string, value: unknown) => void values.set(key, value),
    req: { raw: new Request('http://localhost/') },
  }
  return context as unknown as Context
}

/** Runs the command, then the teardowns (last registered first) with its exception or None; the exit code: 1 when it raised. */
export async function runCommand(
  command: Command,
  teardowns: readonly Teardown[] = [],
): Promise<number> {
  const c = commandContext()
  let error: unknown = null
  try {
    await runInContext(c, () => command(c))
  } catch (caught) {
    error = caught
  }
  for (const teardown of [...teardowns].reverse()) {
    try {
      await runInContext(c, () => teardown(c, error))
    } catch (caught) {
      console.error('teardown_appcontext function failed', caught)
    }
  }
  if (error !== null) {
    console.error(
      `Error: ${error instanceof Error ? `${error.constructor.name}: ${str(error)}` : String(error)}`,
    )
    return 1
  }
  return 0
}

/**
 * The app's start-up work (`with app.app_context():` in the factory: seeding an empty database),
 * run when the service creates the app, as Flask runs it in create_app: with an app context of
 * its own, then the teardown_appcontext functions. An exception stops the start, as it stops
 * create_app.
 */
export function runAtStartup(work: Command, teardowns: readonly Teardown[] = []): void {
  const c = commandContext()
  let error: unknown = null
  try {
    const result = runInContext(c, () => work(c))
    if (result instanceof Promise) throw new TypeError('start-up work must not be asynchronous')
  } catch (caught) {
    error = caught
  }
  for (const teardown of [...teardowns].reverse()) void runInContext(c, () => teardown(c, error))
  if (error !== null) throw error
}
