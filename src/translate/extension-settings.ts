/**
 * Settings a project gives an extension's object by assigning its attributes
 * (`login_manager.login_view = "auth.login"`), for the extensions whose mapping
 * (rules/extensions/<extension>.yaml) lists `settings`. At module level, where Python runs them
 * when the module loads, a listed setting is carried into the service's module; any other
 * assignment of the object's attributes (an unlisted attribute, or a setting made inside a
 * function such as an app factory) is reported, never dropped silently.
 */
import { extensionName, type ExtensionRule } from '../ir/extension-rules.js'
import type { Finding } from '../ir/types.js'
import type { ModuleInfo, ProjectIndex } from './project.js'
import type { SyntaxNode } from './context.js'

/** A module-level variable holding an instance of a mapped extension class that has settings. */
interface SettingsOwner {
  rule: ExtensionRule
  module: string
  name: string
}

function owners(project: ProjectIndex): SettingsOwner[] {
  const found: SettingsOwner[] = []
  for (const module of project.modules.values()) {
    for (const [name, def] of module.symbols) {
      if (def.kind !== 'data' || def.value.type !== 'call') continue
      const callee = def.value.childForFieldName('function')
      if (callee?.type !== 'identifier') continue
      const imported = module.symbols.get(callee.text)
      if (imported?.kind !== 'import' || imported.target.kind !== 'member') continue
      const mapped = extensionName(imported.target.module, imported.target.name)
      if (mapped?.name.kind === 'class' && mapped.rule.settings !== undefined) found.push({ rule: mapped.rule, module: module.name, name })
    }
  }
  return found
}

/** The owner a name of `module` refers to (defined there or imported from the owner's module). */
function ownerOf(name: string, module: ModuleInfo, all: SettingsOwner[]): SettingsOwner | undefined {
  const def = module.symbols.get(name)
  if (def?.kind === 'data') return all.find((owner) => owner.module === module.name && owner.name === name)
  if (def?.kind === 'import' && def.target.kind === 'member') {
    const target = def.target
    return all.find((owner) => owner.module === target.module && owner.name === target.name)
  }
  return undefined
}

/** `owner.attr = value` (or `owner.attr[key] = value`) as (owner, attribute, value), or null. */
function settingAssignment(statement: SyntaxNode, module: ModuleInfo, all: SettingsOwner[]): { owner: SettingsOwner; attribute: string; value: SyntaxNode } | null {
  const assignment = statement.type === 'expression_statement' ? statement.namedChildren[0] : statement
  if (assignment?.type !== 'assignment') return null
  let left = assignment.childForFieldName('left')
  const value = assignment.childForFieldName('right')
  // `api.representations["application/xml"] = output_xml`: an item of the attribute is set, which sets it too.
  if (left?.type === 'subscript' && left.childForFieldName('value')?.type === 'attribute') left = left.childForFieldName('value')
  if (left?.type !== 'attribute' || value === null) return null
  const object = left.childForFieldName('object')!
  if (object.type !== 'identifier') return null
  const owner = ownerOf(object.text, module, all)
  return owner === undefined ? null : { owner, attribute: left.childForFieldName('attribute')!.text, value }
}

/** A module-level setting of a mapped extension's object: carried (a listed setting) or not. */
export interface ModuleSetting {
  statement: SyntaxNode
  owner: string
  attribute: string
  value: SyntaxNode
  carried: boolean
  extension: string
}

/** The settings assignments at the top level of `module`. */
export function moduleSettings(project: ProjectIndex, module: ModuleInfo): ModuleSetting[] {
  const all = owners(project)
  if (all.length === 0) return []
  const out: ModuleSetting[] = []
  for (const statement of module.tree.rootNode.namedChildren) {
    const found = settingAssignment(statement, module, all)
    if (found === null) continue
    out.push({ statement, owner: found.owner.name, attribute: found.attribute, value: found.value, carried: found.owner.rule.settings!.includes(found.attribute), extension: found.owner.rule.extension })
  }
  return out
}

/** Findings for settings made inside functions (an app factory), which the service does not run. */
export function settingsInFunctions(project: ProjectIndex): Finding[] {
  const all = owners(project)
  if (all.length === 0) return []
  const findings: Finding[] = []
  for (const module of project.modules.values()) {
    const walk = (node: SyntaxNode, inFunction: boolean): void => {
      if (inFunction && node.type === 'assignment') {
        const found = settingAssignment(node, module, all)
        if (found !== null) {
          findings.push({
            ruleId: 'extension-not-migrated',
            severity: 'error',
            message: `${found.owner.rule.extension}: \`${found.owner.name}.${found.attribute}\` is set inside a function; the service keeps ${found.owner.rule.extension}'s default (set it at module level, where it is carried over)`,
            location: { file: module.file, line: node.startPosition.row + 1, column: node.startPosition.column + 1 },
          })
        }
      }
      for (const child of node.namedChildren) walk(child, inFunction || node.type === 'function_definition')
    }
    walk(module.tree.rootNode, false)
  }
  return findings
}

/**
 * Why an extension's object cannot be carried over as the project configures it: a setting made
 * inside a function, or an attribute its mapping does not carry (file:line of the first), or null.
 * The object's symbol then fails to translate, so the code that uses the extension is a stub.
 */
export function uncarriedSettings(project: ProjectIndex, module: string, name: string): string | null {
  const all = owners(project)
  const owner = all.find((candidate) => candidate.module === module && candidate.name === name)
  if (owner === undefined) return null
  for (const info of project.modules.values()) {
    let found: string | null = null
    const walk = (node: SyntaxNode, inFunction: boolean): void => {
      if (found !== null) return
      if (node.type === 'assignment') {
        const setting = settingAssignment(node, info, all)
        if (setting !== null && setting.owner === owner && (inFunction || !owner.rule.settings!.includes(setting.attribute))) {
          found = `\`${name}.${setting.attribute}\` is set ${inFunction ? 'inside a function' : 'but is not a setting the service carries over'} (${info.file}:${node.startPosition.row + 1})`
          return
        }
      }
      for (const child of node.namedChildren) walk(child, inFunction || node.type === 'function_definition')
    }
    walk(info.tree.rootNode, false)
    if (found !== null) return `${owner.rule.extension}: ${found}`
  }
  return null
}
