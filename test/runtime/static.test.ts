/**
 * Static files (src/emit/runtime/static.ts) against Flask's own static endpoint: both serve the
 * same folder (so mtimes and paths, hence ETags, agree) and must answer every request alike:
 * status, body, and the headers Werkzeug sets (type, length, disposition, caching, validators,
 * ranges), for plain and conditional GETs, HEAD, ranges, missing and unsafe paths.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { errorHandlers, request, requestHooks, useAppConfig, view, type AppEnv } from '../../src/emit/runtime/flask.js'
import { tuple } from '../../src/emit/runtime/py.js'
import { WerkzeugRouter } from '../../src/emit/runtime/router.js'
import { guessType, safeJoin, sendFromDirectory } from '../../src/emit/runtime/static.js'

const hasFlask = spawnSync('/usr/bin/python3', ['-c', 'import flask'], { stdio: 'ignore' }).status === 0
if (!hasFlask && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import Flask, the oracle of test/runtime/static.test.ts')

interface Answer {
  status: number
  headers: [string, string][]
  body: string
}

const COMPARED = ['content-type', 'content-length', 'content-disposition', 'content-encoding', 'content-range', 'accept-ranges', 'cache-control', 'etag', 'last-modified']

function compared(status: number, headers: [string, string][], body: string, method: string): Record<string, unknown> {
  const byName = new Map(headers.map(([name, value]) => [name.toLowerCase(), value]))
  return {
    status,
    body: method === 'HEAD' ? '' : body,
    expires: byName.has('expires'),
    ...Object.fromEntries(COMPARED.map((name) => [name, byName.get(name) ?? null])),
  }
}

function folder(): string {
  const root = mkdtempSync(join(tmpdir(), 'static-runtime-'))
  const files: Record<string, string | Buffer> = {
    'static/css/site.css': 'body { margin: 0 }\n',
    'static/app.js': 'console.log("hi")\n',
    'static/data.json': '{"a": 1}',
    'static/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]),
    'static/archive.tar.gz': Buffer.from([0x1f, 0x8b, 8, 0]),
    'static/icon.svgz': Buffer.from([0x1f, 0x8b, 8, 1]),
    'static/noext': 'plain?',
    'static/.hidden': 'dot',
    'static/café.txt': 'crème',
    'static/space name.txt': 'spaced',
    'static/empty.txt': '',
    'static/a"quote.txt': 'q',
    'static/UPPER.CSS': 'x{}',
    'secret.txt': 'outside',
  }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), content)
    utimesSync(join(root, path), 1_700_000_000.25, 1_700_000_000.25)
  }
  symlinkSync(join(root, 'secret.txt'), join(root, 'static', 'link.txt'))
  return root
}

const requests: { method?: string; path: string; headers?: Record<string, string> }[] = [
  { path: '/static/css/site.css' },
  { method: 'HEAD', path: '/static/css/site.css' },
  { path: '/static/app.js' },
  { path: '/static/data.json' },
  { path: '/static/logo.png' },
  { path: '/static/archive.tar.gz' },
  { path: '/static/icon.svgz' },
  { path: '/static/noext' },
  { path: '/static/.hidden' },
  { path: '/static/caf%C3%A9.txt' },
  { path: '/static/space%20name.txt' },
  { path: '/static/a%22quote.txt' },
  { path: '/static/UPPER.CSS' },
  { path: '/static/empty.txt' },
  { path: '/static/empty.txt', headers: { Range: 'bytes=0-1' } },
  { path: '/static/link.txt' },
  { path: '/static/css/../app.js' },
  { path: '/static/css/..%2Fapp.js' },
  { path: '/static/..%2Fsecret.txt' },
  { path: '/static/css/..%2F..%2Fsecret.txt' },
  { path: '/static/%2Fetc%2Fpasswd' },
  { path: '/static/missing.css' },
  { path: '/static/css' },
  { path: '/static/css/' },
  { path: '/static/css/site.css', headers: { 'If-None-Match': '*' } },
  { method: 'HEAD', path: '/static/css/site.css', headers: { 'If-None-Match': '*' } },
  { path: '/static/css/site.css', headers: { 'If-None-Match': '"nope", W/"other"' } },
  { path: '/static/css/site.css', headers: { 'If-Modified-Since': 'Thu, 01 Jan 2099 00:00:00 GMT' } },
  { path: '/static/css/site.css', headers: { 'If-Modified-Since': 'Tue, 14 Nov 2023 22:13:20 GMT' } },
  { path: '/static/css/site.css', headers: { 'If-Modified-Since': 'Tue, 14 Nov 2023 22:13:19 GMT' } },
  { path: '/static/css/site.css', headers: { 'If-Modified-Since': 'not a date' } },
  { path: '/static/css/site.css', headers: { 'If-Match': '"nope"' } },
  { path: '/static/css/site.css', headers: { 'If-Match': '*' } },
  { path: '/static/css/site.css', headers: { Range: 'bytes=0-3' } },
  { path: '/static/css/site.css', headers: { Range: 'bytes=5-' } },
  { path: '/static/css/site.css', headers: { Range: 'bytes=-4' } },
  { path: '/static/css/site.css', headers: { Range: 'bytes=0-3,5-6' } },
  { path: '/static/css/site.css', headers: { Range: 'bytes=100-200' } },
  { path: '/static/css/site.css', headers: { Range: 'bytes=3-1' } },
  { path: '/static/css/site.css', headers: { Range: 'lines=0-3' } },
  { path: '/static/css/site.css', headers: { Range: 'bytes=0-3', 'If-Range': '"nope"' } },
  { path: '/static/css/site.css', headers: { Range: 'bytes=0-3', 'If-Range': 'Thu, 01 Jan 2099 00:00:00 GMT' } },
  { path: '/static/css/site.css', headers: { Range: 'bytes=0-3', 'If-Range': 'Thu, 01 Jan 2000 00:00:00 GMT' } },
  { method: 'POST', path: '/static/css/site.css' },
]

function honoApp(directory: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ router: new WerkzeugRouter([{ rule: '/static/<path:filename>', endpoint: 'static', methods: ['GET', 'HEAD', 'OPTIONS'] }]) })
  const onError = errorHandlers([{ code: 404, handle: () => tuple('<h1>Page not found</h1>', 404) }])
  app.use(requestHooks({ errorHandler: onError }))
  app.onError(onError)
  app.get('/static/<path:filename>', view((c) => sendFromDirectory(c, directory, String(request(c).view_args?.filename))))
  return app
}

function flaskAnswers(root: string, config: Record<string, unknown>): Answer[] {
  const source = `from flask import Flask
import datetime
app = Flask(__name__, static_folder=${JSON.stringify(join(root, 'static'))}, root_path=${JSON.stringify(root)})
app.config.update(${JSON.stringify(config)})
if isinstance(app.config.get('SEND_FILE_MAX_AGE_DEFAULT'), int) and app.config.get('SEND_FILE_MAX_AGE_DEFAULT') > 100000:
    app.config['SEND_FILE_MAX_AGE_DEFAULT'] = datetime.timedelta(seconds=app.config['SEND_FILE_MAX_AGE_DEFAULT'])
@app.errorhandler(404)
def missing(error):
    return '<h1>Page not found</h1>', 404
`
  const input = [{ name: 'static', source, requests }]
  const result = spawnSync('/usr/bin/python3', ['test/oracle/flask_runtime.py'], { input: JSON.stringify(input), encoding: 'utf-8' })
  if (result.status !== 0) throw new Error(result.stderr)
  const answer = (JSON.parse(result.stdout) as Record<string, { responses?: Answer[]; error?: string }>)['static']!
  if (answer.error) throw new Error(answer.error)
  return answer.responses!
}

describe.skipIf(!hasFlask)("static files as Flask's static endpoint serves them", () => {
  for (const config of [{}, { SEND_FILE_MAX_AGE_DEFAULT: 3600 }, { SEND_FILE_MAX_AGE_DEFAULT: 0 }]) {
    it(`answers every request alike (config ${JSON.stringify(config)})`, async () => {
      const root = folder()
      const expected = flaskAnswers(root, config)
      useAppConfig(config)
      try {
        const app = honoApp(join(root, 'static'))
        for (const [i, req] of requests.entries()) {
          const method = req.method ?? 'GET'
          const response = await app.request(req.path, { method, headers: req.headers ?? {} })
          const body = new TextDecoder().decode(await response.arrayBuffer())
          const ours = compared(response.status, [...response.headers], body, method)
          const theirs = compared(expected[i]!.status, expected[i]!.headers, expected[i]!.body, method)
          if (theirs.status === 405 || theirs.status === 416 || theirs.status === 308) {
            // Werkzeug's error pages and the router's redirects: compared in test/runtime/errors.test.ts and router tests.
            for (const answer of [ours, theirs]) for (const key of ['body', 'content-length', 'content-type']) delete answer[key]
          }
          expect(ours, `${method} ${req.path} ${JSON.stringify(req.headers ?? {})}`).toEqual(theirs)
        }
      } finally {
        useAppConfig(null)
      }
    })
  }

  it("guesses types as Python's mimetypes does (with this machine's /etc/mime.types)", () => {
    const names = ['a.css', 'a.js', 'a.mjs', 'a.json', 'a.png', 'a.svg', 'a.svgz', 'a.woff2', 'a.webp', 'a.ico', 'a.tar.gz', 'a.tgz', 'a.txt.br', 'a.xml', 'a.wasm', 'a.map', 'a.md', 'a.PDF', '.bashrc', 'a', 'a.unknownext', 'a.Z', 'a.z', 'dir.d/file', 'a.html.xz', 'a.mp4', 'a.webmanifest']
    const python = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', 'import json, mimetypes, sys; print(json.dumps([list(mimetypes.guess_type(n)) for n in sys.argv[1:]]))', ...names], { encoding: 'utf8' }),
    ) as [string | null, string | null][]
    expect(names.map(guessType)).toEqual(python)
    const table = readFileSync(new URL('../../src/emit/runtime/static.ts', import.meta.url), 'utf8')
    const extensions = [...table.matchAll(/^ {2}'[^']+': '([^']+)',$/gm)].flatMap((match) => match[1]!.split(' ').map((extension) => `f.${extension}`))
    expect(extensions.length).toBeGreaterThan(150)
    const all = JSON.parse(execFileSync('/usr/bin/python3', ['-c', 'import json, mimetypes, sys; print(json.dumps([list(mimetypes.guess_type(n)) for n in sys.argv[1:]]))', ...extensions], { encoding: 'utf8' })) as unknown[]
    expect(extensions.map(guessType)).toEqual(all)
  })

  it("joins paths as Werkzeug's safe_join does", () => {
    const cases = ['a.css', 'css/a.css', 'css/../a.css', '../a', '..', '/etc/passwd', 'a/../../b', '', '.', './a', 'a//b', 'a/./b/', 'a\\..\\b', '....', '..a']
    const python = JSON.parse(execFileSync('/usr/bin/python3', ['-c', 'import json, sys; from werkzeug.security import safe_join; print(json.dumps([safe_join("static", n) for n in sys.argv[1:]]))', ...cases], { encoding: 'utf8' })) as (string | null)[]
    expect(cases.map((name) => safeJoin('static', name))).toEqual(python)
  })
})
