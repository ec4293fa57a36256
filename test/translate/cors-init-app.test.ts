import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'

// Flask-CORS made without the app in an extensions module and set up with init_app (the
// application-factory layout of flask-restx-boilerplate): the mapping carries CORS(app, literals)
// only, so this one is reported, and the `cors = CORS()` object is no `new` of the hook factory
// (`new corsAfterRequest()` did not type-check: the service did not build).

const root = mkdtempSync(join(tmpdir(), 'cors-init-app-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('Flask-CORS set up with init_app in a factory', () => {
  it('is reported where init_app is called, and no module constructs the hook factory', async () => {
    mkdirSync(join(root, 'app'))
    writeFileSync(join(root, 'app', 'extensions.py'), 'from flask_cors import CORS\nfrom flask_bcrypt import Bcrypt\n\ncors = CORS()\nbcrypt = Bcrypt()\n')
    writeFileSync(
      join(root, 'app', '__init__.py'),
      [
        'from flask import Flask',
        'from .extensions import bcrypt, cors',
        '',
        '',
        'def create_app():',
        '    app = Flask(__name__)',
        '    cors.init_app(app)',
        '    bcrypt.init_app(app)',
        '',
        '    @app.get("/ping")',
        '    def ping():',
        '        return {"pong": True}',
        '',
        '    return app',
        '',
      ].join('\n'),
    )
    writeFileSync(join(root, 'wsgi.py'), 'from app import create_app\n\napp = create_app()\n')
    const result = await runPipeline({ input: root, app: 'wsgi:app' }, await defaultStages())
    if (!result.ok) throw new Error(result.error.message)
    const cors = result.result.report.findings.filter((finding) => finding.message.startsWith('flask_cors.CORS'))
    expect(cors.map((finding) => [finding.ruleId, finding.severity, `${finding.location.file}:${finding.location.line}`])).toEqual([
      ['extension-not-migrated', 'error', 'app/__init__.py:7'],
    ])
    const code = [...result.result.files].filter(([path]) => path.startsWith('src/') && !path.startsWith('src/lib/'))
    expect(code.filter(([, text]) => /new corsAfterRequest\b/.test(text)).map(([path]) => path)).toEqual([])
  }, 60_000)
})
