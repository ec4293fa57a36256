// `npm run build` (also run by `npm install` in a clone, and before `npm pack`): compiles src/ to
// dist/, which bin/migrate.js runs, so that no TypeScript is transpiled when migrate starts.
// Types are checked by `npm run typecheck`, not here: a build never fails on a type error.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
// The stamp carries the time the build started: a source saved during the build is newer than it.
const started = new Date()
rmSync(dist, { recursive: true, force: true })
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' })
// tsc's exit status 2: it reported problems and wrote the JavaScript all the same (a file being edited
// in a clone, say); `npm install` must not fail then. Any other failure stops the build.
if (compiled.status === 2) console.warn('build: tsc reported the problems above; dist/ was written all the same')
else if (compiled.status !== 0) throw new Error(`tsc failed (exit status ${compiled.status ?? compiled.signal})`)
// emit copies the runtime's TypeScript (and its prettier settings) into each service, as text.
const runtime = join(root, 'src/emit/runtime')
mkdirSync(join(dist, 'emit/runtime'), { recursive: true })
for (const name of readdirSync(runtime)) {
  if ((name.endsWith('.ts') && !name.endsWith('.test.ts')) || name === '.prettierrc.json') cpSync(join(runtime, name), join(dist, 'emit/runtime', name))
}
const stamp = join(dist, 'BUILT')
writeFileSync(stamp, 'dist/ is compiled from src/ by npm run build; bin/migrate.js uses it while no file of src/ is newer than this one.\n')
utimesSync(stamp, started, started)
