import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { errorHandlers, flaskContext, request, sendFromDirectory, view, type AppEnv } from '../../src/emit/runtime/flask.js'
import { tuple } from '../../src/emit/runtime/py.js'
import { WerkzeugRouter } from '../../src/emit/runtime/router.js'

const runtime = readFileSync(new URL('../../src/emit/runtime/flask.ts', import.meta.url), 'utf8')
const mimeTable = Object.fromEntries([...runtime.matchAll(/'(\.[a-z0-9]+)': '([^']+)'/g)].map((m) => [m[1]!, m[2]!]))

function staticApp(folder: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ router: new WerkzeugRouter([{ rule: '/static/<path:filename>', endpoint: 'static', methods: ['GET', 'HEAD', 'OPTIONS'] }]) })
  app.use(flaskContext())
  app.onError(errorHandlers([{ code: 404, handle: () => tuple('<h1>Page not found</h1>', 404) }]))
  app.get('/static/<path:filename>', view((c) => sendFromDirectory(c, folder, String(request(c).view_args?.filename))))
  return app
}

describe('sendFromDirectory (Flask static files)', () => {
  it("guesses types as Python's mimetypes does", () => {
    const extensions = Object.keys(mimeTable)
    expect(extensions.length).toBeGreaterThan(20)
    const python = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', 'import json, mimetypes, sys; print(json.dumps({e: mimetypes.guess_type("a" + e)[0] for e in sys.argv[1:]}))', ...extensions], { encoding: 'utf8', stdio: 'pipe' }),
    ) as Record<string, string>
    expect(mimeTable).toEqual(python)
  })

  it('serves a file, and answers 404 through the app handlers for missing and unsafe paths', async () => {
    const root = mkdtempSync(join(tmpdir(), 'static-'))
    mkdirSync(join(root, 'static', 'css'), { recursive: true })
    writeFileSync(join(root, 'static', 'css', 'site.css'), 'body{}')
    writeFileSync(join(root, 'secret.txt'), 'no')
    const app = staticApp(join(root, 'static'))
    const ok = await app.request('/static/css/site.css')
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toMatch(/^text\/css/)
    expect(await ok.text()).toBe('body{}')
    for (const path of ['/static/missing.css', '/static/css', '/static/..%2Fsecret.txt', '/static/css/..%2F..%2Fsecret.txt']) {
      const response = await app.request(path)
      expect(response.status, path).toBe(404)
      expect(await response.text(), path).toBe('<h1>Page not found</h1>')
    }
  })
})
