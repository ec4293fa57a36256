/**
 * `--app step_1/run.py:app` where another folder has files of the same module names
 * (step_2/run.py, step_2/helpers.py): Python imports the entry's siblings first, and the service
 * must carry the code of those same files. The route tables were right before; the translator
 * took step_2's helpers.py for step_1's app (a view answering another app's text, unreported).
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultStages, runPipeline } from '../../src/pipeline.js'

const input = join(import.meta.dirname, '..', '..', 'fixtures', 'routing-app-discovery', 'input')

async function routesCode(app: string): Promise<string> {
  const result = await runPipeline({ input, app }, await defaultStages())
  if (!result.ok) throw new Error(result.error.message)
  return [...result.result.files].filter(([path]) => path.startsWith('src/routes/')).map(([, code]) => code).join('\n')
}

describe('--app picks the entry folder\'s modules for translation too', () => {
  it.each([
    ['step_1/run.py:app', "return 'step one'", "'step two'"],
    ['step_2/run.py', "return 'step two'", "'step one'"],
  ])('%s', async (app, wanted, other) => {
    const code = await routesCode(app)
    expect(code).toContain(wanted)
    expect(code).not.toContain(other)
  }, 60_000)
})
