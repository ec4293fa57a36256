import type { Context, MiddlewareHandler } from 'hono'

export type AppEnv = {
  Variables: {
    routing: { endpoint: string | null; rule: string | null; viewArgs: Record<string, string>; blueprints: string[] }
    g: Record<string, unknown>
  }
}

type Before = (c: Context<AppEnv>) => unknown
type After = (c: Context<AppEnv>, response: Response) => Response | Promise<Response>
type Teardown = (c: Context<AppEnv>, error: unknown) => unknown

export function requestHooks(hooks: { before?: Before[]; after?: After[]; teardown?: Teardown[] }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let error: unknown = null
    try {
      for (const before of hooks.before ?? []) {
        const result = await before(c)
        if (result instanceof Response) {
          c.res = result
          return
        }
      }
      await next()
      for (const after of [...(hooks.after ?? [])].reverse()) c.res = await after(c, c.res)
    } catch (caught) {
      error = caught
      throw caught
    } finally {
      for (const teardown of [...(hooks.teardown ?? [])].reverse()) await teardown(c, error)
    }
  }
}

export function notMigrated(c: Context<AppEnv>, endpoint: string): Response {
  return c.text(`Not migrated: ${endpoint}`, 501)
}
