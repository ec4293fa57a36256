import type { Context, ErrorHandler } from 'hono'
import { Exception } from './exceptions.js'
import type { AppEnv } from './flask.js'

export class HTTPException extends Exception {
  code = 500
  getResponse(): Response {
    return new Response(`<h1>${this.code}</h1>`, { status: this.code, headers: { 'Content-Type': 'text/html; charset=utf-8' } })
  }
}
export class NotFound extends HTTPException {
  override code = 404
}
export class InternalServerError extends HTTPException {
  override code = 500
}

type Handler = (error: any, c: Context<AppEnv>) => Response | Promise<Response>
export type ErrorHandlerEntry =
  | { code: number; handler: Handler }
  | { exception: abstract new (...args: any[]) => Error; handler: Handler }

export function errorHandlers(entries: ErrorHandlerEntry[], options: { rethrow?: boolean } = {}): ErrorHandler<AppEnv> {
  return async (error, c) => {
    for (const entry of entries) {
      if ('code' in entry ? error instanceof HTTPException && error.code === entry.code : error instanceof entry.exception) {
        return entry.handler(error, c)
      }
    }
    if (options.rethrow) throw error
    return error instanceof HTTPException ? error.getResponse() : new InternalServerError().getResponse()
  }
}
