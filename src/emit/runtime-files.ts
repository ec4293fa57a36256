import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

/** Where the runtime copied into every generated service lives in this repository. */
export const RUNTIME_DIR = fileURLToPath(new URL('./runtime/', import.meta.url))

/** Every `.ts` file of src/emit/runtime/ (tests excluded), by file name. */
export async function readRuntimeFiles(dir: string = RUNTIME_DIR): Promise<Map<string, string>> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts')).sort()
  const files = new Map<string, string>()
  for (const name of names) files.set(name, await readFile(`${dir}/${name}`, 'utf8'))
  return files
}
