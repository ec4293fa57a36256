/**
 * Routes sharing process-local state with the Flask app (src/translate/process-state.ts
 * sharedStateRoutes): the endpoints whose code reads or changes data the report's
 * process-local-state names are emitted as `endpoints.sharedState` in src/app.ts, which the legacy
 * middleware forwards with LEGACY_URL (test/runtime/legacy.test.ts; end to end against Flask in
 * test/verify/legacy-mode.test.ts).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'

const HEAD = `from flask import Blueprint, Flask, jsonify, request\n\napp = Flask(__name__)\nITEMS = {}\n\n\ndef add(item):\n    ITEMS[item["id"]] = item\n\n\ndef all_items():\n    return list(ITEMS.values())\n\n\n@app.get("/health")\ndef health():\n    return "ok"\n`

async function migrate(body: string): Promise<{ sharedState: string | null; state: string[]; status: Record<string, string> }> {
  const input = mkdtempSync(join(tmpdir(), 'migrate-shared-state-'))
  try {
    mkdirSync(input, { recursive: true })
    writeFileSync(join(input, 'app.py'), `${HEAD}${body}`)
    const result = await runPipeline({ input }, await defaultStages())
    if (!result.ok) throw new Error(result.error.message)
    const { report, files } = result.result
    const app = files.get('src/app.ts') ?? ''
    const found = /sharedState: \[([^\]]*)\]/.exec(app)
    return {
      sharedState: found === null ? null : found[1]!.replace(/\s+/g, ' ').trim(),
      state: report.findings.filter((finding) => finding.ruleId === 'process-local-state').map((finding) => /^`(\w+)`/.exec(finding.message)![1]!),
      status: Object.fromEntries(report.routes.map((route) => [route.endpoint, route.status])),
    }
  } finally {
    rmSync(input, { recursive: true, force: true })
  }
}

describe('endpoints.sharedState', () => {
  it('lists the views that read or change the data, directly or through project functions; not the others', async () => {
    const result = await migrate(
      `\n@app.post("/items")\ndef create_item():\n    add(request.get_json())\n    return "", 201\n\n\n@app.get("/items")\ndef list_items():\n    return jsonify(all_items())\n\n\n@app.get("/items/<int:item_id>")\ndef get_item(item_id):\n    return jsonify(ITEMS.get(item_id))\n`,
    )
    expect(result.status).toMatchObject({ health: 'migrated', create_item: 'migrated', list_items: 'migrated', get_item: 'migrated' })
    expect(result.state).toEqual(['ITEMS'])
    expect(result.sharedState).toBe("'create_item', 'get_item', 'list_items'")
  }, 60_000)

  it('a stub that changes the data (the Flask app runs it behind LEGACY_URL): reported, and its native readers listed', async () => {
    const result = await migrate(
      `\n@app.post("/items")\ndef create_item():\n    if (item := request.get_json()) is not None:\n        ITEMS[item["id"]] = item\n    return "", 201\n\n\n@app.get("/items")\ndef list_items():\n    return jsonify(all_items())\n`,
    )
    expect(result.status).toMatchObject({ create_item: 'stub', list_items: 'migrated' })
    expect(result.state).toEqual(['ITEMS'])
    expect(result.sharedState).toBe("'list_items'")
  }, 60_000)

  it("a blueprint's hook that changes it: the blueprint's endpoints; an app-wide hook: every request", async () => {
    const blueprint = await migrate(
      `\nbp = Blueprint("shop", __name__)\n\n\n@bp.before_request\ndef seen():\n    ITEMS["seen"] = ITEMS.get("seen", 0) + 1\n\n\n@bp.get("/shop")\ndef shop():\n    return "shop"\n\n\napp.register_blueprint(bp)\n`,
    )
    expect(blueprint.sharedState).toBe("'shop.*'")
    const everywhere = await migrate(`\n@app.after_request\ndef count(response):\n    ITEMS["n"] = ITEMS.get("n", 0) + 1\n    return response\n`)
    expect(everywhere.sharedState).toBe("'*'")
  }, 60_000)

  it("a view behind an extension's callback that reads the data (Flask-HTTPAuth's verify_password)", async () => {
    const result = await migrate(
      `\nfrom flask_httpauth import HTTPBasicAuth\nauth = HTTPBasicAuth()\n\n\n@auth.verify_password\ndef verify(username, password):\n    return username if ITEMS.get(username) == password else None\n\n\n@app.get("/me")\n@auth.login_required\ndef me():\n    return "me"\n\n\n@app.post("/users")\ndef add_user():\n    ITEMS[request.form["u"]] = request.form["p"]\n    return "", 201\n`,
    )
    expect(result.status).toMatchObject({ me: 'migrated', add_user: 'migrated' })
    expect(result.sharedState).toBe("'add_user', 'me'")
  }, 60_000)

  it('a stateful extension used by a view (Flask-Caching): every request, and a finding at the instance', async () => {
    const result = await migrate(`\nfrom flask_caching import Cache\ncache = Cache(app, config={"CACHE_TYPE": "SimpleCache"})\n\n\n@app.get("/cached")\n@cache.cached(timeout=5)\ndef cached():\n    return "c"\n`)
    expect(result.status).toMatchObject({ cached: 'migrated' })
    expect(result.state).toEqual(['cache'])
    expect(result.sharedState).toBe("'*'")
  }, 60_000)

  it('data only read: nothing shared, no finding', async () => {
    const result = await migrate(`\n@app.get("/items")\ndef list_items():\n    return jsonify(all_items())\n`)
    expect(result.state).toEqual([])
    expect(result.sharedState).toBeNull()
  }, 60_000)
})
