/**
 * Which Flask-JWT-Extended a project is written for (rules/extensions/flask-jwt-extended.yaml
 * `legacy_version`): 3.x when it imports one of 3.x's names, registers one of its loaders, or uses
 * `@jwt_required` without parentheses; its setup is then `initJwt3(jwt)` with a comment saying
 * why, else `initJwt(jwt)`. The behaviour of each is tested against the real extensions in
 * test/runtime/jwt*.test.ts; here, only the choice.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'

async function setup(source: string): Promise<{ app: string; stubs: number }> {
  const input = mkdtempSync(join(tmpdir(), 'migrate-jwt-version-'))
  try {
    writeFileSync(join(input, 'app.py'), source)
    const result = await runPipeline({ input }, await defaultStages())
    if (!result.ok) throw new Error(result.error.message)
    const app = [...result.result.files].find(([path]) => path === 'src/app.ts')?.[1] ?? ''
    return { app: String(app), stubs: result.result.report.routes.filter((route) => route.status === 'stub').length }
  } finally {
    rmSync(input, { recursive: true, force: true })
  }
}

const HEAD = `from flask import Flask, jsonify
from flask_jwt_extended import JWTManager, get_jwt_identity, jwt_required
app = Flask(__name__)
jwt = JWTManager(app)
`

describe('Flask-JWT-Extended 3.x or 4.x', () => {
  it('4.x: @jwt_required() and 4.x names', async () => {
    const { app, stubs } = await setup(`${HEAD}
@app.get("/me")
@jwt_required()
def me():
    return jsonify(user=get_jwt_identity())
`)
    expect(stubs).toBe(0)
    expect(app).toContain('...initJwt(jwt)')
    expect(app).not.toContain('initJwt3')
  })

  it('3.x: @jwt_required without parentheses is enough', async () => {
    const { app, stubs } = await setup(`${HEAD}
@app.get("/me")
@jwt_required
def me():
    return jsonify(user=get_jwt_identity())
`)
    expect(stubs).toBe(0)
    expect(app).toContain('...initJwt3(jwt)')
    expect(app).toContain('// Flask-JWT-Extended 3.x: app.py:7 uses @jwt_required without parentheses, so the runtime acts as 3.x (initJwt3)')
  })

  it('3.x: a 3.x loader registered on the manager', async () => {
    const { app, stubs } = await setup(`${HEAD}
@jwt.user_claims_loader
def claims(identity):
    return {"role": "admin"}

@app.get("/me")
@jwt_required()
def me():
    return jsonify(user=get_jwt_identity())
`)
    expect(stubs).toBe(0)
    expect(app).toContain('...initJwt3(jwt)')
    expect(app).toContain('app.py:6 registers @jwt.user_claims_loader')
  })

  it("3.x: jwt_required not called, in a MethodView's decorators", async () => {
    const { app, stubs } = await setup(`${HEAD}from flask.views import MethodView

class Me(MethodView):
    decorators = [jwt_required]

    def get(self):
        return jsonify(user=get_jwt_identity())

app.add_url_rule("/me", view_func=Me.as_view("me"))
`)
    expect(stubs).toBe(0)
    expect(app).toContain('app.py:8 uses jwt_required without calling it')
  })

  it('4.x: jwt_required() called in a MethodView\'s decorators', async () => {
    const { app, stubs } = await setup(`${HEAD}from flask.views import MethodView

class Me(MethodView):
    decorators = [jwt_required()]

    def get(self):
        return jsonify(user=get_jwt_identity())

app.add_url_rule("/me", view_func=Me.as_view("me"))
`)
    expect(stubs).toBe(0)
    expect(app).toContain('...initJwt(jwt)')
  })

  it('3.x: a 3.x name imported', async () => {
    const { app } = await setup(`${HEAD}from flask_jwt_extended import get_raw_jwt

@app.get("/me")
@jwt_required
def me():
    return jsonify(raw=get_raw_jwt())
`)
    expect(app).toContain('app.py:5 imports get_raw_jwt')
  })
})
