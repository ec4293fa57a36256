#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a clone needs no build step.
import { register } from 'tsx/esm/api'

// A reader that stops early (`migrate … | head`) closes the pipe: end quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
}

let main
try {
  register()
  ;({ main } = await import('../src/cli/main.ts'))
} catch (error) {
  // A broken install (missing dependency, failed build): one line, as every other error.
  process.stderr.write(`migrate: cannot start: ${String(error?.message ?? error).split('\n')[0]}\n`)
  if (process.env.DEBUG === '1' && error?.stack) process.stderr.write(`${error.stack}\n`)
  process.exit(3)
}
process.exitCode = await main(process.argv.slice(2))
