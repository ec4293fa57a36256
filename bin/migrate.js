#!/usr/bin/env node
// Runs the compiled JavaScript of dist/ (`npm run build`, which `npm install` runs in a clone).
// In a clone where dist/ is missing or older than a file of src/, runs the TypeScript sources
// through tsx instead, so that a change to src/ is never hidden by a stale build.
import { existsSync, readdirSync, statSync } from 'node:fs'

// A reader that stops early (`migrate … | head`) closes the pipe: end quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
}

/** Whether a file under `dir` was modified after `time` (milliseconds). */
function changedSince(dir, time) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory() ? changedSince(path, time) : statSync(path).mtimeMs > time) return true
  }
  return false
}

function useBuild() {
  const src = new URL('../src', import.meta.url).pathname
  try {
    const built = statSync(new URL('../dist/BUILT', import.meta.url)).mtimeMs
    return !existsSync(src) || !changedSince(src, built)
  } catch {
    return false
  }
}

let main
try {
  if (useBuild()) {
    ;({ main } = await import('../dist/cli/main.js'))
  } else {
    const { register } = await import('tsx/esm/api')
    register()
    ;({ main } = await import('../src/cli/main.ts'))
  }
} catch (error) {
  // A broken install (missing dependency, failed build): one line, as every other error.
  process.stderr.write(`migrate: cannot start: ${String(error?.message ?? error).split('\n')[0]}\n`)
  if (process.env.DEBUG === '1' && error?.stack) process.stderr.write(`${error.stack}\n`)
  process.exit(3)
}
process.exitCode = await main(process.argv.slice(2))
