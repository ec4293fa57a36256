import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'

// The app's start-up work (translate/flask/startup.ts): a `with app.app_context():` block of the
// app's own setup runs when the service creates the app; one anywhere else (a seed script, the
// `__main__` block) is not run, and the views using the models stay stubs as before.

const APP = `
from flask import Flask, jsonify
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
db = SQLAlchemy(app)


class Item(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(20))


@app.route("/items")
def items():
    return jsonify([item.name for item in Item.query.all()])
`

async function migrate(files: Record<string, string>): Promise<{ app: string; stubs: string[]; messages: string[] }> {
  const input = mkdtempSync(join(tmpdir(), 'migrate-startup-'))
  try {
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(input, path)), { recursive: true })
      writeFileSync(join(input, path), source)
    }
    const result = await runPipeline({ input, app: 'app:app' }, await defaultStages())
    if (!result.ok) throw new Error(result.error.message)
    return {
      app: result.result.files.get('src/app.ts') ?? '',
      stubs: result.result.report.routes.filter((route) => route.status === 'stub').map((route) => route.endpoint),
      messages: result.result.report.findings.map((finding) => finding.message),
    }
  } finally {
    rmSync(input, { recursive: true, force: true })
  }
}

describe('start-up work of the app setup', () => {
  it('runs the setup module\'s block (seeding when empty) when the service creates the app', async () => {
    const outcome = await migrate({ 'app.py': `${APP}\nwith app.app_context():\n    db.create_all()\n    if Item.query.first() is None:\n        db.session.add(Item(name="first"))\n        db.session.commit()\n` })
    expect(outcome.stubs).toEqual([])
    expect(outcome.app).toContain('runAtStartup(')
  })

  it('does not run a seed script\'s block: the models stay stubs, with the finding', async () => {
    const outcome = await migrate({
      'app.py': `${APP}\nwith app.app_context():\n    db.create_all()\n`,
      'seed.py': 'from app import app, db, Item\n\nwith app.app_context():\n    db.drop_all()\n    db.create_all()\n',
    })
    expect(outcome.app).not.toContain('runAtStartup(')
    expect(outcome.stubs).toEqual(['items'])
    expect(outcome.messages.some((message) => message.includes('seed.py:4 `db.drop_all()`'))).toBe(true)
  })

  it("does not run the __main__ block's", async () => {
    const outcome = await migrate({ 'app.py': `${APP}\nif __name__ == "__main__":\n    with app.app_context():\n        db.drop_all()\n    app.run()\n` })
    expect(outcome.app).not.toContain('runAtStartup(')
    expect(outcome.stubs).toEqual(['items'])
  })
})
