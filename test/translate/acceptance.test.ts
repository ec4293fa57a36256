import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse, parseExpression } from '@babel/parser'
import { loadProject } from '../../src/analyze/index.js'
import { translateProject } from '../../src/translate/index.js'

/** The acceptance target: every view, hook and error handler of the inventory app translates (0 stubs). */
describe('inventory acceptance app', () => {
  const loaded = loadProject(fileURLToPath(new URL('../../fixtures/acceptance/inventory', import.meta.url)))
  if (!loaded.ok) throw new Error(loaded.error.message)
  const app = loaded.project.ir.apps[0]
  const out = translateProject({ modules: loaded.project.modules, app })

  it('has no translate findings but the data it keeps in memory, and no stubs', () => {
    // The store's dicts and list, which views change: one copy per process (process-local-state).
    expect(out.findings.map((finding) => `${finding.ruleId} ${finding.location.file}:${finding.location.line}`)).toEqual([
      'process-local-state inventory/store.py:1',
      'process-local-state inventory/store.py:6',
      'process-local-state inventory/store.py:7',
    ])
    const stubs = [...Object.values(out.views), ...out.hooks, ...out.errorHandlers].filter((h) => h.status !== 'migrated').map((h) => h.name)
    expect(stubs).toEqual([])
  })

  it('translates every routed view, hook and error handler', () => {
    const endpoints = new Set(app.routes.filter((r) => r.view).map((r) => r.endpoint))
    expect(Object.keys(out.views).sort()).toEqual([...endpoints].sort())
    expect(out.hooks.map((h) => h.name)).toEqual(['attach_request_id', 'add_headers'])
    expect(out.errorHandlers.map((h) => h.name)).toEqual(['not_found', 'bad_value'])
  })

  it('emits one shared module for the store, with mutable state as single instances', () => {
    const store = out.modules.find((m) => m.pythonModule === 'inventory.store')!
    expect(store.code).toMatch(/export const ITEMS = py\.dict\(\[1, /)
    expect(store.code).toMatch(/export const CATEGORIES: Py\[\] = \["hardware", "tools"\]/)
    const items = out.views['api.items.create_item']
    expect(items.imports).toContain(`import { ITEMS, next_id, public_item, validate_item } from '../inventory/store.js'`)
  })

  it('emits code that parses', () => {
    for (const handler of [...Object.values(out.views), ...out.hooks, ...out.errorHandlers]) {
      expect(() => parseExpression(handler.code, { plugins: ['typescript'] }), handler.name).not.toThrow()
    }
    for (const module of out.modules) {
      expect(() => parse(module.code, { sourceType: 'module', plugins: ['typescript'] }), module.pythonModule).not.toThrow()
    }
  })

  it('keeps Python semantics in the translated search view (int() ValueError, min, slices)', () => {
    const code = out.views['api.items.search_items'].code
    expect(code).toContain('Math.min(py.int(args(c).get("limit", "10")), 50)')
    expect(code).toContain('py.slice(hits, null, limit)')
  })
})
