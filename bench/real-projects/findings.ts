/**
 * Handler-breadth findings on the real public projects of projects.json (issue 12): how many
 * findings of the kinds that mean "a construct of ordinary handler code was not carried over"
 * each project gets, and what they say.
 *
 *   node --import tsx bench/real-projects/findings.ts [--checkouts DIR] [--tool DIR] [--json FILE]
 *
 * --tool DIR: the migrate checkout to run (default: this one), so that an older commit checked
 * out elsewhere (`git worktree add /tmp/before <commit>`) gives the "before" numbers.
 * Counted: unsupported-python-construct, unsupported-stdlib-call, error-handler-not-migrated,
 * and unsupported-flask-api outside templates (findings in .py files) and outside extensions
 * (a message that names an extension object is left out).
 * Always exits 0: this is a measurement, not a test.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))

interface Project {
  name: string
  checkout?: string
  app: string
  workdir?: string
}
interface Finding {
  ruleId: string
  message: string
  location: { file: string; line: number }
}

const COUNTED = ['unsupported-python-construct', 'unsupported-stdlib-call', 'error-handler-not-migrated', 'unsupported-flask-api']

function option(name: string, fallback: string | null): string | null {
  const index = process.argv.indexOf(name)
  return index >= 0 ? process.argv[index + 1] : fallback
}

const checkouts = option('--checkouts', '/work/real-projects')!
const tool = resolve(option('--tool', resolve(HERE, '..', '..'))!)
const jsonFile = option('--json', null)
const manifest = JSON.parse(readFileSync(join(HERE, 'projects.json'), 'utf8')) as { projects: Project[] }

function counted(finding: Finding): boolean {
  if (!COUNTED.includes(finding.ruleId)) return false
  if (finding.ruleId !== 'unsupported-flask-api') return true
  return finding.location.file.endsWith('.py') && !/\b(api|jwt|login_manager|limiter|cache|cors|ma|db|bcrypt|auth|socketio)\./.test(finding.message)
}

const totals = new Map<string, number>()
const messages = new Map<string, number>()
const results: { name: string; findings: number; byRule: Record<string, number> }[] = []
for (const project of manifest.projects) {
  const dir = join(checkouts, project.checkout ?? project.name, project.workdir ?? '.')
  if (!existsSync(dir)) {
    console.log(`${project.name.padEnd(22)} not fetched`)
    continue
  }
  const run = spawnSync(process.execPath, [join(tool, 'bin', 'migrate.js'), dir, '--dry-run', '--app', project.app, '--format', 'json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 600_000 })
  if (run.status !== 0 && run.status !== 1) {
    console.log(`${project.name.padEnd(22)} tool failed (exit ${run.status}): ${run.stderr.trim().split('\n')[0]}`)
    continue
  }
  const findings = (JSON.parse(run.stdout) as { findings: Finding[] }).findings.filter(counted)
  const byRule: Record<string, number> = {}
  for (const finding of findings) {
    byRule[finding.ruleId] = (byRule[finding.ruleId] ?? 0) + 1
    totals.set(finding.ruleId, (totals.get(finding.ruleId) ?? 0) + 1)
    // The message without its quoted specifics, to group what remains.
    const shape = `${finding.ruleId}: ${finding.message.replace(/`[^`]*`/g, (quoted) => (quoted.length > 40 ? '`…`' : quoted))}`
    messages.set(shape, (messages.get(shape) ?? 0) + 1)
  }
  results.push({ name: project.name, findings: findings.length, byRule })
  console.log(`${project.name.padEnd(22)} ${String(findings.length).padStart(4)}  ${Object.entries(byRule).map(([rule, n]) => `${rule} ${n}`).join(', ')}`)
}
const total = results.reduce((sum, r) => sum + r.findings, 0)
console.log(`\ntotal ${total} findings in ${results.length} projects: ${[...totals].map(([rule, n]) => `${rule} ${n}`).join(', ')}`)
console.log('\nwhat remains, by message:')
for (const [shape, n] of [...messages].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) console.log(`${String(n).padStart(4)}  ${shape}`)
const commit = spawnSync('git', ['-C', tool, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim()
if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ commit, total, totals: Object.fromEntries(totals), results, messages: Object.fromEntries(messages) }, null, 2) + '\n')
