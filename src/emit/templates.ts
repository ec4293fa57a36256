import type { AppIR } from '../ir/types.js'
import { templatesUse } from '../translate/flask/templates.js'
import { lineComment, tsString } from '../ts-text.js'

/**
 * `src/templates.ts` of a service whose handlers render templates: the app's Jinja2 templates as
 * the Flask app has them (those the migrated views render, and what they extend, include or
 * import), in Flask's search order (the app's folder, then each blueprint's), given to the
 * runtime (src/lib/templates.ts) with the URL map `url_for` builds from. Handlers import
 * `renderTemplate` / `renderTemplateString` from here, so the templates are set up before any
 * renders. null when no handler renders a template.
 */
export function emitTemplatesModule(app: AppIR): string | null {
  const use = templatesUse(app)
  if (use === undefined || !use.used) return null
  const folders = use.folders.map((folder) => {
    const names = [...folder.files.keys()].sort()
    const entries = names.map((name) => {
      const lines = folder.files.get(name)!.split('\n')
      return `    ${tsString(name)}: [\n${lines.map((line) => `      ${tsString(line)},`).join('\n')}\n    ].join('\\n'),`
    })
    const owner = folder.blueprint === null ? "the app's template folder" : `blueprint ${folder.blueprint}'s template folder`
    return `  ${lineComment(`${folder.path}: ${owner}`)}\n  {\n${entries.join('\n')}\n  },`
  })
  return [
    "/** The Flask app's Jinja2 templates, rendered by src/lib/templates.ts with Jinja2's semantics. */",
    "import { configureTemplates } from './lib/templates.js'",
    "import { urlMap } from './url-map.js'",
    '',
    'configureTemplates({',
    '  urlMap,',
    '  // Searched in this order, as Flask searches its template folders.',
    '  folders: [',
    ...folders.map((folder) => folder.replace(/^/gm, '  ')),
    '  ],',
    '})',
    '',
    "export { renderTemplate, renderTemplateString } from './lib/templates.js'",
    '',
  ].join('\n')
}
