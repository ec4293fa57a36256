import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { emitProject, readRuntimeFiles } from '../../src/emit/index.js'
import { RUNTIME_DIR } from '../../src/emit/runtime-files.js'
import { importedPackages, usedRuntimeModules } from '../../src/emit/runtime-use.js'
import { SERVICE_PACKAGE_VERSIONS, packageDependencies } from '../../src/emit/scaffold.js'
import { sampleProject, sampleTranslation } from './fixture.js'

const REPO = resolve(__dirname, '../..')

async function emitSample(translation = sampleTranslation()) {
  const ir = sampleProject()
  return emitProject({ ir, app: ir.apps[0], translation, runtimeFiles: await readRuntimeFiles(RUNTIME_DIR) })
}

describe('runtime modules', () => {
  const runtime = new Map([
    ['flask.ts', `import { HTTPException } from './errors.js'\nexport { abort } from './errors.js'\nimport type { RoutingInfo } from './router.js'`],
    ['errors.ts', `import { Exception } from './exceptions.js'`],
    ['exceptions.ts', 'export class Exception {}'],
    ['router.ts', `import type { Context } from 'hono'`],
    ['py.ts', `import { PyDate } from './datetime.js'`],
    ['datetime.ts', ''],
    ['sqlite.ts', `import Database from 'better-sqlite3'`],
  ])

  it('are the ones imported from outside src/lib/, with what those import (type-only imports and re-exports too)', () => {
    const files = new Map([
      ['src/app.ts', `import { errorHandlers } from './lib/flask.js'`],
      ['src/routes/users.ts', `import { x } from '../lib/py.js'`],
      ['src/lib/sqlite.ts', 'not read: only runtime modules reached from outside count'],
    ])
    expect([...usedRuntimeModules(files, runtime)].sort()).toEqual(['datetime.ts', 'errors.ts', 'exceptions.ts', 'flask.ts', 'py.ts', 'router.ts'])
  })

  it('follow dynamic imports and specifiers relative to the importing file only', () => {
    const files = new Map([
      ['src/shop/db.ts', `const sqlite = await import('../lib/sqlite.js')`],
      // ./lib/py.js from src/routes/ is src/routes/lib/py.js: not the runtime.
      ['src/routes/items.ts', `import { x } from './lib/py.js'`],
    ])
    expect([...usedRuntimeModules(files, runtime)]).toEqual(['sqlite.ts'])
  })

  it('name the packages imported, Node built-ins left out', () => {
    const files = new Map([
      ['src/app.ts', `import { Hono } from 'hono'\nimport { logger } from 'hono/logger'\nimport { readFile } from 'node:fs/promises'\nimport { createHash } from 'crypto'`],
      ['src/lib/server.ts', `import { getRequestListener } from '@hono/node-server'`],
      ['README.md', `import x from 'not-code'`],
    ])
    expect(importedPackages(files)).toEqual(['@hono/node-server', 'hono'])
  })

  it('a service that does not use sqlite.ts or session.ts gets neither, nor better-sqlite3', async () => {
    const { files } = await emitSample()
    expect(files.has('src/lib/sqlite.ts')).toBe(false)
    expect(files.has('src/lib/session.ts')).toBe(false)
    const pkg = JSON.parse(files.get('package.json') as string)
    expect(pkg.dependencies).toEqual({ '@hono/node-server': SERVICE_PACKAGE_VERSIONS['@hono/node-server'], hono: SERVICE_PACKAGE_VERSIONS.hono })
    expect(Object.keys(pkg.devDependencies)).toEqual(['@types/node', 'tsx', 'typescript'])
    // tsx brings esbuild, whose install script is not needed (its platform package holds the binary).
    expect(pkg.allowScripts).toEqual({ esbuild: false })
  })

  it('a service whose code uses sqlite.ts gets it, better-sqlite3 and its types, and runs its install script', async () => {
    const translation = sampleTranslation()
    translation.modules.push({ pythonModule: 'shop.db', code: `import * as sqlite3 from '../lib/sqlite.js'\n\nexport const db = () => sqlite3.connect('shop.db')\n` })
    const { files } = await emitSample(translation)
    expect(files.has('src/lib/sqlite.ts')).toBe(true)
    const pkg = JSON.parse(files.get('package.json') as string)
    expect(pkg.dependencies['better-sqlite3']).toBe(SERVICE_PACKAGE_VERSIONS['better-sqlite3'])
    expect(pkg.devDependencies['@types/better-sqlite3']).toBe(SERVICE_PACKAGE_VERSIONS['@types/better-sqlite3'])
    expect(pkg.allowScripts).toEqual({ 'better-sqlite3': true, esbuild: false })
  })
})

describe('package.json', () => {
  it('pins exact versions, the ones this repository installs and is tested with', () => {
    for (const [name, version] of Object.entries(SERVICE_PACKAGE_VERSIONS)) {
      expect(version, name).toMatch(/^\d+\.\d+\.\d+$/)
      const installed = JSON.parse(readFileSync(resolve(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
      expect(installed.version, `${name}: the service pins ${version}, this repository has ${installed.version}`).toBe(version)
    }
  })

  it('every dependency of an emitted service is pinned', async () => {
    const { files } = await emitSample()
    const pkg = JSON.parse(files.get('package.json') as string) as Record<string, Record<string, string>>
    for (const version of [...Object.values(pkg.dependencies), ...Object.values(pkg.devDependencies)]) expect(version).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('leaves out a package it has no version for', () => {
    expect(packageDependencies(['hono', 'left-pad']).dependencies).toEqual({ hono: SERVICE_PACKAGE_VERSIONS.hono })
  })
})
