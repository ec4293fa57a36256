import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { ValidationSeverity, validate as validateDockerfile } from 'dockerfile-utils'
import { afterAll, describe, expect, it } from 'vitest'
import { emitProject, readRuntimeFiles } from '../../src/emit/index.js'
import { RUNTIME_DIR } from '../../src/emit/runtime-files.js'
import { importedPackages, usedRuntimeModules } from '../../src/emit/runtime-use.js'
import { SERVICE_PACKAGE_VERSIONS, packageDependencies } from '../../src/emit/scaffold.js'
import { defaultStages, runPipeline } from '../../src/pipeline.js'
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
    expect(Object.keys(pkg.devDependencies)).toEqual(['@types/node', 'prettier', 'tsx', 'typescript'])
    // tsx brings esbuild, whose install script is not needed (its platform package holds the binary).
    expect(pkg.allowScripts).toEqual({ esbuild: false })
  })

  it('a service whose code uses db.ts gets pg and its types beside better-sqlite3 and kysely (Postgres at run time)', async () => {
    const translation = sampleTranslation()
    translation.modules.push({ pythonModule: 'shop.models', code: `import { SQLAlchemy } from '../lib/db.js'\n\nexport const db = new SQLAlchemy()\n` })
    const { files } = await emitSample(translation)
    expect(files.has('src/lib/db.ts')).toBe(true)
    const pkg = JSON.parse(files.get('package.json') as string)
    expect([pkg.dependencies.pg, pkg.devDependencies['@types/pg']]).toEqual([SERVICE_PACKAGE_VERSIONS.pg, SERVICE_PACKAGE_VERSIONS['@types/pg']])
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['better-sqlite3', 'kysely']))
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

describe('a deployable service', () => {
  const temporary: string[] = []
  afterAll(() => {
    for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
  })

  /** The demo app through the whole pipeline, written as --out would be (reports included), with this repository's node_modules. */
  async function writtenDemo(): Promise<{ dir: string; files: Map<string, string> }> {
    const result = await runPipeline({ input: resolve(REPO, 'fixtures/demo/input') }, await defaultStages())
    if (!result.ok) throw new Error(result.error.message)
    const dir = mkdtempSync(join(tmpdir(), 'migrate-deploy-'))
    temporary.push(dir)
    for (const [path, content] of result.result.files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), content)
    }
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir')
    return { dir, files: result.result.files }
  }

  it('passes prettier --check with its own .prettierrc.json, runtime included', async () => {
    const { dir, files } = await writtenDemo()
    expect([...files.keys()].filter((path) => path.startsWith('src/lib/')).length).toBeGreaterThan(3)
    const check = spawnSync(process.execPath, [join(REPO, 'node_modules/prettier/bin/prettier.cjs'), '--check', '.'], { cwd: dir, encoding: 'utf8' })
    expect(check.stdout + check.stderr, 'prettier --check .').toContain('All matched files use Prettier code style!')
    expect(check.status).toBe(0)
    // It did look at the runtime, the README, package.json and the rest.
    const listed = spawnSync(process.execPath, [join(REPO, 'node_modules/prettier/bin/prettier.cjs'), '--list-different', '--no-config', '--ignore-path', '.prettierignore', 'src/lib/flask.ts'], { cwd: dir, encoding: 'utf8' })
    expect(listed.stdout.trim(), 'without the config, flask.ts would differ: the check used it').toBe('src/lib/flask.ts')
  })

  it('has a Dockerfile that dockerfile-utils finds nothing wrong with, on the Node 24 LTS image, installing with npm ci when locked', async () => {
    const { files } = await emitSample()
    const dockerfile = files.get('Dockerfile') as string
    // Every check dockerfile-utils (the VS Code Docker extension's linter) has, at error level.
    const everyCheck = Object.fromEntries(
      ['deprecatedMaintainer', 'directiveCasing', 'emptyContinuationLine', 'instructionCasing', 'instructionCmdMultiple', 'instructionEntrypointMultiple', 'instructionHealthcheckMultiple', 'instructionJSONInSingleQuotes', 'instructionWorkdirRelative'].map((name) => [name, ValidationSeverity.ERROR]),
    )
    expect(validateDockerfile(dockerfile, everyCheck).map((problem) => `${problem.range.start.line + 1}: ${problem.message}`)).toEqual([])
    // What hadolint would also ask (it is not packaged for Debian): tagged base images, a non-root user, exec-form CMD.
    const from = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((match) => match[1])
    expect(from).toEqual(['node:24-bookworm-slim', 'node:24-bookworm-slim'])
    expect(dockerfile).toMatch(/^USER node$/m)
    // As npm start runs it: V8 sized for memory, its collector exposed to the server (issue 13's bound under abuse).
    expect(dockerfile).toMatch(/^CMD \["node", "--optimize-for-size", "--expose-gc", "dist\/main\.js"\]$/m)
    const installs = [...dockerfile.matchAll(/^RUN if \[ -f package-lock\.json \]; then (npm ci[^;]*); \\\n\s+else (npm install[^;]*); fi/gm)]
    expect(installs.map((match) => [match[1], match[2]])).toEqual([
      ['npm ci --ignore-scripts --no-audit --no-fund', 'npm install --ignore-scripts --no-audit --no-fund'],
      ['npm ci --omit=dev --no-audit --no-fund', 'npm install --omit=dev --no-audit --no-fund'],
    ])
  })

  it('runs the Dockerfile install step as a shell would: npm ci with a lock, npm install without', async () => {
    const { files } = await emitSample()
    const step = /^RUN (if \[ -f package-lock\.json \];[\s\S]*?fi)$/m.exec(files.get('Dockerfile') as string)?.[1].replace(/\\\n/g, '\n')
    expect(step).toBeDefined()
    const dir = mkdtempSync(join(tmpdir(), 'migrate-docker-step-'))
    temporary.push(dir)
    const run = (): string => execFileSync('sh', ['-c', `npm() { echo "npm $*"; }\n${step}`], { cwd: dir, encoding: 'utf8' }).trim()
    expect(run()).toBe('npm install --ignore-scripts --no-audit --no-fund')
    writeFileSync(join(dir, 'package-lock.json'), '{}')
    expect(run()).toBe('npm ci --ignore-scripts --no-audit --no-fund')
  })

  it('has a README that names only files the service has, and says how to make the .env it mentions', async () => {
    const { files } = await writtenDemo()
    const readme = files.get('README.md') as string
    const named = [...readme.matchAll(/`((?:\.\/)?(?:\.[\w.-]+|(?:src|test|deploy|public)\/[\w./*<>-]*))`/g)].map((match) => match[1])
    expect(named.length).toBeGreaterThan(5)
    for (const path of named) {
      if (path === '.env') continue
      const prefix = path.replace(/[*<].*$/, '')
      expect([...files.keys()].some((file) => file === prefix || file.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`) || (prefix !== path && file.startsWith(prefix))), `README names ${path}`).toBe(true)
    }
    expect(files.has('.env')).toBe(false)
    expect(readme).toContain('copy `.env.example` to `.env` (git and the Docker build ignore it)')
    for (const ignoreFile of ['.gitignore', '.dockerignore']) expect(files.get(ignoreFile), ignoreFile).toMatch(/^\.env$/m)
    for (const mention of readme.matchAll(/--env-file[ =]\.env\b/g)) expect(readme.slice(0, mention.index)).toContain('copy `.env.example` to `.env`')
  })
})
