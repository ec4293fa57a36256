import type { AppIR } from '../ir/types.js'
import { templatesUse } from '../translate/flask/templates.js'
import { lineComment, tsString } from '../ts-text.js'
import { ImportSet, relocator } from './imports.js'

/**
 * `src/templates.ts` of a service whose handlers render templates: the app's Jinja2 templates as
 * the Flask app has them (those the migrated views render, and what they extend, include or
 * import), in Flask's search order (the app's folder, then each blueprint's), with the app's
 * context processors, template filters, tests and globals translated, given to the runtime
 * (src/lib/templates.ts) with the URL map `url_for` builds from. Handlers import
 * `renderTemplate` / `renderTemplateString` from here, so the templates are set up before any
 * renders. null when no handler renders a template.
 */
export function emitTemplatesModule(app: AppIR, moved: ReadonlyMap<string, string> = new Map()): string | null {
  const use = templatesUse(app)
  if (use === undefined || !use.used) return null
  const imports = new ImportSet()
  imports.addNamed('./lib/templates.js', 'configureTemplates')
  imports.addNamed('./url-map.js', 'urlMap')
  // Handler code carries imports relative to src/routes/; re-pointed to src/ below.
  const handlerImports = new ImportSet()
  const folders = use.folders.map((folder) => {
    const names = [...folder.files.keys()].sort()
    const entries = names.map((name) => {
      const lines = folder.files.get(name)!.split('\n')
      return `    ${tsString(name)}: [\n${lines.map((line) => `      ${tsString(line)},`).join('\n')}\n    ].join('\\n'),`
    })
    const owner = folder.blueprint === null ? "the app's template folder" : `blueprint ${folder.blueprint}'s template folder`
    return `  ${lineComment(`${folder.path}: ${owner}`)}\n  {\n${entries.join('\n')}\n  },`
  })
  const sections: Record<'context_processor' | 'filter' | 'test' | 'global', string[]> = { context_processor: [], filter: [], test: [], global: [] }
  for (const { helper, handler } of use.helpers) {
    const where = `${helper.ref.location.file}:${helper.ref.location.line} ${helper.kind.replace('_', ' ')} ${helper.ref.qualname}`
    let fn: string
    if (handler.status === 'migrated') {
      for (const line of handler.imports) handlerImports.addLine(line)
      fn = handler.code.trim()
      if (helper.kind !== 'context_processor') {
        imports.addNamed('./lib/templates.js', 'templateFunction')
        const params = paramNames(handler.code)
        fn = `templateFunction([${params.map(tsString).join(', ')}], ${fn})`
      }
    } else {
      // Its finding says why; rendering with it fails loudly instead of rendering differently.
      imports.addNamed('./lib/templates.js', 'notCarriedOver')
      fn = `notCarriedOver(${tsString(`${helper.kind.replace('_', ' ')} ${helper.ref.qualname}`)})`
    }
    const entry =
      helper.kind === 'context_processor'
        ? helper.blueprint !== null
          ? `{ blueprint: ${tsString(helper.blueprint)}, fn: ${fn} }`
          : fn
        : `${tsString(helper.name)}: ${fn}`
    sections[helper.kind].push(`    ${lineComment(where)}\n    ${entry},`)
  }
  if (use.loginProcessor) {
    // Flask-Login's init_app registers its context processor before the app's own (`current_user` in every template).
    imports.addNamed('./lib/login.js', 'currentUser')
    imports.addLine("import * as py from './lib/py.js'")
    imports.addLine("import type { Context } from 'hono'")
    sections.context_processor.unshift(`    ${lineComment("Flask-Login's context processor: current_user")}\n    (_c: Context) => py.dict(['current_user', currentUser()]),`)
  }
  if (use.csrfGlobal) {
    // Flask-WTF's CSRFProtect.init_app makes csrf_token() a template global.
    imports.addNamed('./lib/forms.js', 'generateCsrf')
    sections.global.unshift(`    ${lineComment("Flask-WTF's CSRFProtect: csrf_token()")}\n    csrf_token: generateCsrf,`)
  }
  const section = (key: string, open: string, close: string, items: string[]): string[] => (items.length === 0 ? [] : [`  ${key}: ${open}`, ...items, `  ${close},`])
  const merged = new ImportSet()
  for (const line of imports.render().split('\n')) merged.addLine(line)
  for (const line of handlerImports.mapSpecifiers(relocator('src/routes', 'src', moved)).render().split('\n')) merged.addLine(line)
  return [
    "/** The Flask app's Jinja2 templates and template helpers, rendered by src/lib/templates.ts with Jinja2's semantics. */",
    merged.render(),
    '',
    'configureTemplates({',
    '  urlMap,',
    '  // Searched in this order, as Flask searches its template folders.',
    '  folders: [',
    ...folders.map((folder) => folder.replace(/^/gm, '  ')),
    '  ],',
    ...section('contextProcessors', '[', ']', sections.context_processor),
    ...section('filters', '{', '}', sections.filter),
    ...section('tests', '{', '}', sections.test),
    ...section('globals', '{', '}', sections.global),
    '})',
    '',
    "export { renderTemplate, renderTemplateString } from './lib/templates.js'",
    '',
  ].join('\n')
}

/** The parameter names of a translated helper (`(value: Py, mark: Py = '!'): Py => …`), to bind Jinja2's keyword arguments. */
function paramNames(code: string): string[] {
  const open = code.indexOf('(')
  let depth = 0
  let end = open
  for (let i = open; i < code.length; i++) {
    if (code[i] === '(') depth++
    else if (code[i] === ')' && --depth === 0) {
      end = i
      break
    }
  }
  const inner = code.slice(open + 1, end)
  const names: string[] = []
  let level = 0
  let current = ''
  for (const ch of inner) {
    if ('([{'.includes(ch)) level++
    if (')]}'.includes(ch)) level--
    if (ch === ',' && level === 0) {
      names.push(current)
      current = ''
    } else current += ch
  }
  if (current.trim() !== '') names.push(current)
  return names.map((part) => part.trim().replace(/^\.\.\./, '').split(/[:=?\s]/)[0]!).filter((name) => name !== '')
}
