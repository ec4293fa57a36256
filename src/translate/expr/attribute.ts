import { fail } from '../diagnostics.js'
import { emitted, jsIdentifier, type Context, type Emitted, type SyntaxNode, selfOf } from '../context.js'
import { Prec, receiver } from '../precedence.js'
import { translateExpr } from './index.js'
import { resolveName, projectReference, dataType } from './names.js'
import { translateStdlibAttribute } from './stdlib.js'
import { typeCallArgument } from './builtins.js'
import { tsJson } from '../../ts-text.js'
import { extensionInstances, translateExtensionName } from '../flask/extensions.js'

/** `module.name` for a project module imported as a whole (`from . import store` → `store.ITEMS`). */
function moduleMember(node: SyntaxNode, ctx: Context): Emitted | undefined {
  const object = node.childForFieldName('object')!
  if (object.type !== 'identifier') return undefined
  const binding = resolveName(object.text, object, ctx)
  if (binding.kind !== 'project-module') return undefined
  const name = node.childForFieldName('attribute')!.text
  const resolved = ctx.project.resolveSymbol(binding.module, name)
  if (!resolved || resolved.def.kind === 'import') fail('missing-definition', node, `\`${name}\` is not defined in project module ${binding.module}`)
  const code = projectReference(resolved.module.name, resolved.name, ctx)
  return emitted(code, Prec.Primary, resolved.def.kind === 'function' ? 'function' : dataType(resolved.def, ctx, resolved.module.name))
}

/**
 * `fields.String` after `from marshmallow import fields` (or `import marshmallow`): a name of a
 * mapped extension's module (rules/extensions/*.yaml), through the module's name.
 */
export function extensionMember(node: SyntaxNode, ctx: Context): { module: string; name: string } | null {
  const object = node.childForFieldName('object')!
  if (object.type !== 'identifier') return null
  const binding = resolveName(object.text, object, ctx)
  if (binding.kind !== 'unknown-import') return null
  return { module: binding.name === null ? binding.module : `${binding.module}.${binding.name}`, name: node.childForFieldName('attribute')!.text }
}

/** `self.x` / `obj.x` / `Class.x`. */
export function translateAttribute(node: SyntaxNode, ctx: Context): Emitted | undefined {
  if (node.type !== 'attribute') return undefined
  const member = extensionMember(node, ctx)
  const mapped = member === null ? undefined : translateExtensionName(member.module, member.name, node, ctx)
  if (mapped) return mapped
  const viaModule = moduleMember(node, ctx) ?? translateStdlibAttribute(node, ctx)
  if (viaModule) return viaModule
  const object = node.childForFieldName('object')!
  const name = node.childForFieldName('attribute')!.text
  const typeOf = name === '__name__' ? typeCallArgument(object, ctx) : null
  if (typeOf) {
    // `type(x).__name__`: Python's name of the value's type.
    ctx.imports.py = true
    return emitted(`py.typeName(${translateExpr(typeOf, ctx).code})`, Prec.Call, 'str')
  }
  if (name.startsWith('__') && name.endsWith('__') && name !== '__name__') {
    fail('unsupported-python-construct', node, `dunder attribute \`${name}\``)
  }
  const value = translateExpr(object, ctx)
  if (value.code === 'this') {
    const self = selfOf(ctx)
    if (self?.isClass) return emitted(`this.${jsIdentifier(name)}`, Prec.Call, 'unknown')
    if (self && (self.classAttributes.has(name) || self.staticMethods.has(name)) && !self.instanceAttributes.has(name)) {
      return emitted(`(this.constructor as Py).${jsIdentifier(name)}`, Prec.Call, 'unknown')
    }
    if (self && self.classAttributes.has(name)) {
      ctx.imports.py = true
      return emitted(`py.getattr(this, ${tsJson(name)})`, Prec.Call, 'unknown')
    }
    return emitted(`this.${jsIdentifier(name)}`, Prec.Call, 'unknown')
  }
  if (object.type === 'identifier') {
    const binding = resolveName(object.text, object, ctx)
    if (binding.kind === 'project' && binding.def.kind === 'class') return emitted(`${value.code}.${jsIdentifier(name)}`, Prec.Call, 'unknown')
    // `@csrf.exempt`: a decorator method of a mapped extension's instance, called where it decorates.
    if (binding.kind === 'project' && binding.def.kind === 'data' && node.parent?.type === 'decorator') {
      const instance = extensionInstances(ctx.project).find((candidate) => candidate.module === binding.module && candidate.name === binding.name)
      const mapped = instance?.rule.methods?.[instance.className]?.[name]
      if (mapped?.kind === 'decorator' && mapped.parameters === undefined) return emitted(`${value.code}.${jsIdentifier(mapped.runtime)}`, Prec.Call, 'function')
    }
  }
  if (['str', 'list', 'dict', 'set', 'tuple', 'int', 'float', 'bool', 'none'].includes(value.type)) {
    fail('unsupported-python-construct', node, `attribute \`${name}\` of a ${value.type} used as a value`)
  }
  ctx.imports.py = true
  return emitted(`py.getattr(${value.code}, ${tsJson(name)})`, Prec.Call, 'unknown')
}


export { receiver }
