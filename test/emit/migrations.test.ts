/**
 * Issue 17 item 4: Alembic/Flask-Migrate folders are kept and reported, not re-generated. The
 * project's migrations/ is copied into the service as it is (secrets redacted, bytecode left out),
 * with one finding for the folder and one for the Flask-Migrate set-up, which does nothing to
 * requests and so is not an extension the service fails to carry over.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'

const PASSWORD = 'alembic-Url-Pa55-7d1e9c'
const FILES: Record<string, string> = {
  'app.py': `import os
from flask import Flask, jsonify
from flask_sqlalchemy import SQLAlchemy
from flask_migrate import Migrate

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite:///app.db")
db = SQLAlchemy(app)
migrate = Migrate(app, db)


class Note(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.String(200), nullable=False)


@app.route("/notes")
def notes():
    return jsonify([note.body for note in Note.query.order_by(Note.id).all()])
`,
  'config.py': `REPORTS_DATABASE_PASSWORD = "${PASSWORD}"\n`,
  'migrations/alembic.ini': `[alembic]\n# sqlalchemy.url = postgresql://app:${PASSWORD}@db/app\n`,
  'migrations/env.py': 'from alembic import context\n',
  'migrations/script.py.mako': '"""${message}"""\n',
  'migrations/versions/1a2b3c_init.py': 'revision = "1a2b3c"\ndown_revision = None\n',
  'migrations/versions/4d5e6f_body.py': 'revision = "4d5e6f"\ndown_revision = "1a2b3c"\n',
  'migrations/versions/__pycache__/1a2b3c_init.cpython-311.pyc': 'bytecode',
}

const root = mkdtempSync(join(tmpdir(), 'migrate-alembic-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('an Alembic folder', () => {
  const input = join(root, 'app')
  const out = join(root, 'service')
  for (const [path, content] of Object.entries(FILES)) {
    mkdirSync(dirname(join(input, path)), { recursive: true })
    writeFileSync(join(input, path), content)
  }
  let report: { findings: { ruleId: string; severity: string; message: string; location: { file: string; line: number } }[] } = { findings: [] }

  it('migrates the project', async () => {
    let stdout = ''
    expect(await main([input, '--out', out, '--format', 'json'], { stdout: (text) => void (stdout += text), stderr: () => {} })).toBe(0)
    report = JSON.parse(stdout) as typeof report
  }, 120_000)

  it('is copied into migrations/ as it is, without bytecode, and left out of prettier', () => {
    expect(readFileSync(join(out, 'migrations/env.py'), 'utf8')).toBe(FILES['migrations/env.py'])
    expect(readFileSync(join(out, 'migrations/versions/4d5e6f_body.py'), 'utf8')).toBe(FILES['migrations/versions/4d5e6f_body.py'])
    expect(readFileSync(join(out, 'migrations/script.py.mako'), 'utf8')).toBe(FILES['migrations/script.py.mako'])
    expect(existsSync(join(out, 'migrations/versions/__pycache__'))).toBe(false)
    expect(readFileSync(join(out, '.prettierignore'), 'utf8').split('\n')).toContain('migrations')
  })

  it('with the project\'s secrets redacted', () => {
    const ini = readFileSync(join(out, 'migrations/alembic.ini'), 'utf8')
    expect(ini).not.toContain(PASSWORD)
    expect(ini).toContain('[alembic]')
  })

  it('is reported once for the folder and once for Migrate(app, db), as info; Flask-Migrate is not an extension left out', () => {
    const kept = report.findings.filter((finding) => finding.ruleId === 'alembic-migrations-kept')
    expect(kept.map((finding) => [finding.severity, finding.location.file, finding.location.line])).toEqual([
      ['info', 'app.py', 9],
      ['info', 'migrations/alembic.ini', 1],
    ])
    expect(kept[1]!.message).toContain('(2 revisions)')
    expect(report.findings.filter((finding) => finding.ruleId === 'extension-not-migrated')).toEqual([])
  })
})
