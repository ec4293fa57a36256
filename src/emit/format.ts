import * as prettier from 'prettier'

/** Fixed options, so the output never depends on a prettier config found on the user's machine. */
const PRETTIER_OPTIONS: prettier.Options = {
  parser: 'typescript',
  semi: false,
  singleQuote: true,
  trailingComma: 'all',
  printWidth: 100,
  tabWidth: 2,
  useTabs: false,
  endOfLine: 'lf',
  arrowParens: 'always',
  bracketSpacing: true,
}

/** Formats a TypeScript file; throws the parser's error when the code is not valid TypeScript. */
export async function formatTypeScript(code: string): Promise<string> {
  return prettier.format(code, PRETTIER_OPTIONS)
}

/** Whether `expression` parses as one TypeScript expression (a translated handler must). */
export async function parsesAsExpression(expression: string): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    await prettier.format(`const handler = (\n${expression}\n)\n`, PRETTIER_OPTIONS)
    return { ok: true }
  } catch (error) {
    return { ok: false, message: firstLine(error) }
  }
}

/** Whether a module body parses as TypeScript. */
export async function parsesAsModule(code: string): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    await prettier.format(code, PRETTIER_OPTIONS)
    return { ok: true }
  } catch (error) {
    return { ok: false, message: firstLine(error) }
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]
}
