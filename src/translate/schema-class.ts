import { fail, snippet } from './diagnostics.js'
import { emitted, type Context, type Emitted, type SyntaxNode } from './context.js'
import { Prec, receiver } from './precedence.js'
import { callArguments } from './expr/arguments.js'
import { translateExpr } from './expr/index.js'
import { projectReference, resolveName } from './expr/names.js'
import { extensionName, extensionRules, type ExtensionRule } from '../ir/extension-rules.js'
import { extensionInstances, type ExtensionInstance } from './flask/extensions.js'
import type { ModuleInfo, ProjectIndex } from './project.js'
import { tsJson } from '../ts-text.js'
import { methodKind } from './class.js'
import { requestMapping } from './flask/index.js'

/**
 * Project classes deriving from an extension's schema class (rules/extensions/marshmallow.yaml
 * `schema_classes`): their fields, hooks and `class Meta`, read from the rule, translated into a
 * class of the runtime's Schema whose `declaredFields` keep Python's declaration order.
 */

type SchemaRule = ExtensionRule & { schema_classes: NonNullable<ExtensionRule['schema_classes']> & { field_module?: string; methods?: Record<string, string[]> } }

/** What an extension's instance offers as a schema base (rules/extensions/flask-marshmallow.yaml `schema_base`). */
interface SchemaBase {
  attribute: string
  runtime: string
  schema_rule: string
  methods?: Record<string, string[]>
}

/** `ma.Schema` where `ma` is an instance of a mapping with a `schema_base` (flask-marshmallow's `Marshmallow(app)`): that instance. */
function instanceSchemaBase(node: SyntaxNode, module: ModuleInfo, project: ProjectIndex): { instance: ExtensionInstance; base: SchemaBase } | null {
  if (node.type !== 'attribute' || node.childForFieldName('object')!.type !== 'identifier') return null
  const instance = instanceNamed(node.childForFieldName('object')!.text, module, project)
  const base = (instance?.rule as { schema_base?: SchemaBase } | undefined)?.schema_base
  return instance !== null && base !== undefined && node.childForFieldName('attribute')!.text === base.attribute ? { instance, base } : null
}

/** The extension instance a name of a module stands for (its own variable, or one imported from a project module). */
function instanceNamed(name: string, module: ModuleInfo, project: ProjectIndex): ExtensionInstance | null {
  const def = module.symbols.get(name)
  let target: { module: string; name: string } | null = def?.kind === 'data' ? { module: module.name, name } : null
  if (def?.kind === 'import' && def.target.kind === 'member' && project.modules.has(def.target.module)) {
    const resolved = project.resolveSymbol(def.target.module, def.target.name)
    if (resolved?.def.kind === 'data') target = { module: resolved.module.name, name: resolved.name }
  }
  return target === null ? null : (extensionInstances(project).find((candidate) => candidate.module === target!.module && candidate.name === target!.name) ?? null)
}

/** The runtime class a schema's base written `ma.Schema` is (`FlaskSchema`, imported); null for another base. */
export function schemaBaseClass(base: SyntaxNode, ctx: Context): string | null {
  const found = instanceSchemaBase(base, ctx.module, ctx.project)
  if (found === null) return null
  ctx.imports.useLib(found.instance.rule.runtime, found.base.runtime)
  return found.base.runtime
}

/** The methods a schema class's instances have beyond the schema rule's (`jsonify` of ma.Schema). */
function extraSchemaMethods(classNode: SyntaxNode, project: ProjectIndex, module: ModuleInfo, seen = new Set<SyntaxNode>()): Record<string, string[]> {
  if (seen.has(classNode)) return {}
  seen.add(classNode)
  const base = classNode.childForFieldName('superclasses')?.namedChildren.filter((child) => child.type !== 'comment').at(-1)
  if (base === undefined) return {}
  const found = instanceSchemaBase(base, module, project)
  if (found !== null) return found.base.methods ?? {}
  if (base.type !== 'identifier') return {}
  const def = module.symbols.get(base.text)
  const resolved = def?.kind === 'import' && def.target.kind === 'member' ? project.resolveSymbol(def.target.module, def.target.name) : def ? { module, def } : null
  return resolved?.def.kind === 'class' ? extraSchemaMethods(resolved.def.node, project, resolved.module, seen) : {}
}

/** The mapping whose schema class a project class derives from (directly or through project classes). */
export function schemaRuleOf(classNode: SyntaxNode, project: ProjectIndex, module: ModuleInfo, seen = new Set<SyntaxNode>()): SchemaRule | null {
  if (seen.has(classNode)) return null
  seen.add(classNode)
  const base = classNode.childForFieldName('superclasses')?.namedChildren.filter((child) => child.type !== 'comment').at(-1)
  if (base === undefined) return null
  const viaInstance = instanceSchemaBase(base, module, project)
  if (viaInstance !== null) return (extensionRules().find((rule) => rule.extension === viaInstance.base.schema_rule && rule.schema_classes !== undefined) as SchemaRule | undefined) ?? null
  const path = importedPath(base, module, project)
  if (path !== null) {
    const dot = path.lastIndexOf('.')
    const mapped = dot < 0 ? null : extensionName(path.slice(0, dot), path.slice(dot + 1))
    const rule = mapped?.rule
    return rule?.schema_classes !== undefined && mapped!.name.kind === 'class' && mapped!.name.runtime === rule.schema_classes.base ? (rule as SchemaRule) : null
  }
  if (base.type !== 'identifier') return null
  const def = module.symbols.get(base.text)
  const resolved = def?.kind === 'import' && def.target.kind === 'member' ? project.resolveSymbol(def.target.module, def.target.name) : def ? { module, def } : null
  return resolved?.def.kind === 'class' ? schemaRuleOf(resolved.def.node, project, resolved.module, seen) : null
}

/** `Schema`, `ma.Schema`, `marshmallow.Schema`: the dotted path of an imported name, or null for a project name. */
function importedPath(node: SyntaxNode, module: ModuleInfo, project: ProjectIndex): string | null {
  if (node.type === 'identifier') {
    const def = module.symbols.get(node.text)
    if (def?.kind !== 'import' || project.modules.has(def.target.module)) return null
    return def.target.kind === 'member' ? `${def.target.module}.${def.target.name}` : def.target.module
  }
  if (node.type === 'attribute') {
    const object = importedPath(node.childForFieldName('object')!, module, project)
    return object === null ? null : `${object}.${node.childForFieldName('attribute')!.text}`
  }
  return null
}

/** Whether a class attribute's value is one of the rule's fields (`fields.String(...)`, or `ma.String(...)` of a schema base's instance). */
export function isSchemaField(value: SyntaxNode, rule: SchemaRule, ctx: Context): boolean {
  if (value.type !== 'call') return false
  const callee = value.childForFieldName('function')!
  if (callee.type === 'attribute' && callee.childForFieldName('object')!.type === 'identifier') {
    const instance = instanceNamed(callee.childForFieldName('object')!.text, ctx.module, ctx.project)
    const method = callee.childForFieldName('attribute')!.text
    if ((instance?.rule as { schema_base?: SchemaBase } | undefined)?.schema_base !== undefined && /^[A-Z]/.test(method) && instance!.rule.methods?.[instance!.className]?.[method] !== undefined) return true
  }
  const path = importedPath(callee, ctx.module, ctx.project)
  if (path === null) return false
  const fieldModule = `${rule.package}.${rule.schema_classes.field_module ?? 'fields'}`
  return path.startsWith(`${fieldModule}.`) && path.slice(fieldModule.length + 1).indexOf('.') < 0
}

/** The hook a decorator of a schema method declares (`@post_load`, `@validates("x")`), as runtime code; null when it is not one. */
export function schemaHook(decorator: SyntaxNode, rule: SchemaRule, ctx: Context): string | null {
  const expression = decorator.namedChildren.find((child) => child.type !== 'comment')!
  const callee = expression.type === 'call' ? expression.childForFieldName('function')! : expression
  const path = importedPath(callee, ctx.module, ctx.project)
  if (path === null) return null
  const name = path.slice(path.lastIndexOf('.') + 1)
  if (!rule.schema_classes.hooks.includes(name) || !path.startsWith(`${rule.package}.`)) return null
  if (expression.type === 'call') return translateExpr(expression, ctx).code
  ctx.imports.useLib(rule.runtime, name)
  return `${name}()`
}

/** `class Meta:` of a schema: `static override Meta = { unknown: EXCLUDE }`, options outside the rule's reported. */
export function schemaMeta(classNode: SyntaxNode, rule: SchemaRule, ctx: Context): string {
  const entries: string[] = []
  for (const member of classNode.childForFieldName('body')!.namedChildren) {
    if (member.type === 'comment' || member.type === 'pass_statement') continue
    const inner = member.type === 'expression_statement' ? member.namedChildren[0] : null
    if (inner?.type === 'string') continue
    if (inner?.type !== 'assignment' || inner.childForFieldName('left')!.type !== 'identifier' || !inner.childForFieldName('right')) {
      fail('unsupported-class-feature', member, `\`${snippet(member)}\` in the \`class Meta\` of a ${rule.extension} schema`)
    }
    const option = inner.childForFieldName('left')!.text
    if (!rule.schema_classes.meta_options.includes(option)) fail('unsupported-class-feature', inner, `${rule.extension} schema option \`Meta.${option}\` (carried over: ${rule.schema_classes.meta_options.join(', ')})`)
    entries.push(`${tsJson(option)}: ${translateExpr(inner.childForFieldName('right')!, ctx).code}`)
  }
  return `static override Meta = { ${entries.join(', ')} }`
}

/** The name a schema's base is imported under, resolved to check it is a name of the project's imports. */
export function isProjectSchemaBase(base: SyntaxNode, ctx: Context): boolean {
  if (base.type !== 'identifier') return false
  const binding = resolveName(base.text, base, ctx)
  return binding.kind === 'project' && binding.def.kind === 'class'
}

/** Whether a value is an instance of a project schema class: `TaskSchema(...)`, or a module variable holding one. */
function schemaInstanceRule(node: SyntaxNode, ctx: Context): (SchemaRule & { classNode: SyntaxNode; classModule: ModuleInfo }) | null {
  let call: SyntaxNode | null = null
  let module = ctx.module
  if (node.type === 'call') call = node
  else if (node.type === 'identifier') {
    const binding = resolveName(node.text, node, ctx)
    if (binding.kind !== 'project' || binding.def.kind !== 'data' || binding.def.value.type !== 'call') return null
    call = binding.def.value
    module = ctx.project.modules.get(binding.module) ?? module
  }
  const callee = call?.childForFieldName('function')
  if (callee?.type !== 'identifier') return null
  const def = module.symbols.get(callee.text)
  const resolved = def?.kind === 'import' && def.target.kind === 'member' ? ctx.project.resolveSymbol(def.target.module, def.target.name) : def ? { module, def } : null
  if (resolved?.def.kind !== 'class') return null
  const rule = schemaRuleOf(resolved.def.node, ctx.project, resolved.module)
  if (rule === null) return null
  const extra = extraSchemaMethods(resolved.def.node, ctx.project, resolved.module)
  const where = { classNode: resolved.def.node, classModule: resolved.module }
  return Object.keys(extra).length === 0 ? { ...rule, ...where } : { ...rule, ...where, schema_classes: { ...rule.schema_classes, methods: { ...rule.schema_classes.methods, ...extra } } }
}

/**
 * `task_schema.load(data, partial=True)` on an instance of a project schema: the runtime's method
 * (rules/extensions/*.yaml `schema_classes.methods`), its keywords in a trailing `py.keywords(...)`.
 * Undefined when the receiver is not known to be a schema or the method is not the runtime's.
 */
export function translateSchemaMethodCall(node: SyntaxNode, ctx: Context): Emitted | undefined {
  const fn = node.childForFieldName('function')!
  if (fn.type !== 'attribute') return undefined
  const rule = schemaInstanceRule(fn.childForFieldName('object')!, ctx)
  const name = fn.childForFieldName('attribute')!.text
  const keywords = rule?.schema_classes.methods?.[name]
  if (rule === null) return undefined
  if (keywords === undefined) {
    // A method the project's schema class defines is its own; any other (dumps, loads, jsonify of a plain Schema…) the runtime does not have.
    if (methodKind(rule.classNode, name, ctx.project, rule.classModule.name) !== null) return undefined
    return fail('unsupported-flask-api', node, `\`${snippet(fn)}()\`: ${rule.extension}'s Schema.${name}() is not carried over (carried over: ${Object.keys(rule.schema_classes.methods ?? {}).join(', ')})`)
  }
  const args = callArguments(node)
  if (args.splats.length > 0) fail('dynamic-call-arguments', args.splats[0], `unpacked arguments in a call to ${rule.extension}'s Schema.${name}()`)
  if (args.positional.length !== 1) fail('dynamic-call-arguments', args.node, `${rule.extension}'s Schema.${name}() takes one positional argument`)
  for (const [keyword, value] of args.keywords) {
    if (!keywords.includes(keyword)) fail('unsupported-flask-api', value.parent!, `\`${keyword}=\` in ${rule.extension}'s Schema.${name}() (carried over: ${keywords.join(', ') || 'none'})`)
  }
  // `schema.load(request.args)`: the request's MultiDict, which the runtime reads as marshmallow reads a Mapping.
  // (As `request(c).args`: a local variable may be named `args`, as in `args = schema.load(request.args)`.)
  const mapping = requestMapping(args.positional[0]!, ctx)?.replace(/^(args|form)\((\w+)\)$/, (_, name: string, c: string) => {
    ctx.imports.flask.add('request')
    return `request(${c}).${name}`
  })
  const values = [mapping ?? translateExpr(args.positional[0]!, ctx).code]
  if (args.keywords.size > 0) {
    ctx.imports.py = true
    values.push(`py.keywords(${[...args.keywords].map(([keyword, value]) => `[${tsJson(keyword)}, ${translateExpr(value, ctx).code}]`).join(', ')})`)
  }
  return emitted(`${receiver(translateExpr(fn.childForFieldName('object')!, ctx))}.${name}(${values.join(', ')})`, Prec.Call)
}

/**
 * `fields.Nested("AuthorSchema")`: a schema named by a string is found in the runtime's registry
 * when first used; the class it names is a dependency (emitted, and its module loaded).
 */
export function nestedSchemaNames(value: SyntaxNode, ctx: Context): void {
  for (const call of [value, ...value.descendantsOfType('call')]) {
    if (call.type !== 'call' || !/(^|\.)Nested$/.test(call.childForFieldName('function')!.text)) continue
    const first = callArguments(call).positional[0]
    const name = first?.type === 'string' ? /^(['"])(\w+)\1$/.exec(first.text)?.[2] : undefined
    if (name === undefined || name === 'self') continue
    const def = ctx.module.symbols.get(name)
    const resolved = def?.kind === 'import' && def.target.kind === 'member' ? ctx.project.resolveSymbol(def.target.module, def.target.name) : def ? { module: ctx.module, name, def } : null
    if (resolved?.def.kind === 'class') projectReference(resolved.module.name, 'name' in resolved ? resolved.name : name, ctx)
  }
}
