import { loadProject } from '../../src/analyze/index.js'
import { translateProject } from '../../src/translate/index.js'
const r = loadProject('/work/shared/acceptance/inventory')
if (!r.ok) throw new Error(r.error.message)
const app = r.project.ir.apps[0]
const out = translateProject({ modules: r.project.modules, app })
for (const f of out.findings) console.log('FINDING', f.ruleId, f.message)
for (const [k, v] of Object.entries(out.views)) console.log('VIEW', k, v.status, '\n' + v.imports.join('\n') + '\n' + v.code)
for (const h of [...out.hooks, ...out.errorHandlers]) console.log('HOOK', h.name, h.status, '\n' + h.imports.join('\n') + '\n' + h.code)
for (const m of out.modules) console.log('MODULE', m.pythonModule, '\n' + m.code)
