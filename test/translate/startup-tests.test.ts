/**
 * A project's tests are not its start-up (src/translate/flask/startup.ts): a
 * `with app.app_context():` block in tests/test_*.py or conftest.py seeds a test database, and the
 * app never imports it. It had counted as the app's start-up work, which stubbed every view using
 * the models (blacklist-api, a real project: its unittest classes' set-up).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'

const APP = `import os
from flask import Flask, jsonify
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite://")
db = SQLAlchemy(app)


class Note(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    text = db.Column(db.String(80), nullable=False)


@app.get("/notes")
def notes():
    return jsonify([note.text for note in Note.query.order_by(Note.id).all()])
`

const SET_UP = `import unittest
from app import app, db, Note


class NotesTest(unittest.TestCase):
    def setUp(self):
        with app.app_context():
            db.create_all()
            db.session.add(Note(text="x"))
            db.session.commit()
`

describe("the project's tests are not its start-up", () => {
  for (const path of ['tests/test_notes.py', 'test/helpers.py', 'conftest.py', 'notes_test.py']) {
    it(`a with app.app_context() block in ${path}: the views using the models are migrated`, async () => {
      const input = mkdtempSync(join(tmpdir(), 'migrate-startup-tests-'))
      try {
        writeFileSync(join(input, 'app.py'), APP)
        mkdirSync(join(input, path, '..'), { recursive: true })
        writeFileSync(join(input, path), SET_UP)
        const result = await runPipeline({ input }, await defaultStages())
        if (!result.ok) throw new Error(result.error.message)
        const { report } = result.result
        expect(report.routes.find((route) => route.endpoint === 'notes')?.status).toBe('migrated')
        expect(report.findings.filter((finding) => finding.location.file === path)).toEqual([])
      } finally {
        rmSync(input, { recursive: true, force: true })
      }
    }, 60_000)
  }
})
