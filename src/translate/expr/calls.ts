import { fail, snippet } from '../diagnostics.js'
import { emitted, jsIdentifier, type Context, type Emitted, type SyntaxNode, selfOf } from '../context.js'
import { Prec, receiver } from '../precedence.js'
import { translateExpr } from './index.js'
import { callArguments, bindToSignature, requireStatic } from './arguments.js'
import { translateBuiltinCall } from './builtins.js'
import { translateMethodCall } from './methods.js'
import { translateStdlibCall } from './stdlib.js'
import { resolveName, projectReference, unknownImportRule } from './names.js'
import { signatureOf, constructorSignature } from '../function.js'
import { keywordValueCall } from '../decorators.js'
import { extensionName } from '../../ir/extension-rules.js'
import { definesMethods, methodKind, responseBaseModule } from '../class.js'
import { responseConstruction } from '../flask/index.js'
import { translateExtensionCall, translateExtensionMethodCall } from '../flask/extensions.js'


/** Calls whose callee is a plain name: builtins, project functions and classes, locals. */
function translateNamedCall(node: SyntaxNode, ctx: Context): Emitted | undefined {
  const fn = node.childForFieldName('function')!
  if (fn.type !== 'identifier') return undefined
  const binding = resolveName(fn.text, fn, ctx)
  switch (binding.kind) {
    case 'builtin':
      return translateBuiltinCall(fn.text, node, ctx)
    case 'project': {
      const args = callArguments(node)
      const code = projectReference(binding.module, binding.name, ctx)
      if (binding.def.kind === 'function') {
        const values = bindToSignature(args, signatureOf(binding.def.node, fn), `\`${fn.text}()\``, ctx)
        return emitted(`${code}(${values.join(', ')})`, Prec.Call)
      }
      if (binding.def.kind === 'class' && responseBaseModule(binding.def.node, ctx.project, binding.module) !== null) {
        // A subclass with methods of its own is called dynamically (its methods are not Werkzeug's).
        const response = responseConstruction(node, code, ctx)
        return definesMethods(binding.def.node, ctx.project, binding.module) ? { ...response, type: 'unknown' } : response
      }
      if (binding.def.kind === 'class') {
        const values = bindToSignature(args, constructorSignature(binding.def.node, ctx.project, binding.module), `\`${fn.text}()\``, ctx)
        return emitted(`new ${code}(${values.join(', ')})`, Prec.Call)
      }
      requireStatic(args, `\`${fn.text}\``)
      return emitted(`${code}(${args.positional.map((a) => translateExpr(a, ctx).code).join(', ')})`, Prec.Call)
    }
    case 'local': {
      const args = callArguments(node)
      const self = selfOf(ctx)
      if (binding.code === 'this' && self) {
        // `cls(...)` in a @classmethod: the class it was called on (a subclass too).
        const classDef = ctx.module.symbols.get(self.className)
        if (!self.isClass || classDef?.kind !== 'class') return fail('unsupported-python-construct', node, `calling \`${fn.text}\``)
        const values = bindToSignature(args, constructorSignature(classDef.node, ctx.project, ctx.module.name), `\`${fn.text}()\``, ctx)
        return emitted(`new this(${values.join(', ')})`, Prec.Call)
      }
      const def = localDefinition(fn.text, ctx)
      if (!def && ctx.wrappedCallables?.has(fn.text) && (args.keywords.size > 0 || args.splats.some((s) => s.type === 'dictionary_splat'))) return keywordValueCall(binding.code, args, ctx)
      const values = def ? bindToSignature(args, signatureOf(def, fn), `\`${fn.text}()\``, ctx) : valueCallArguments(args, `\`${fn.text}\` (a value whose signature is not known)`, ctx)
      return emitted(`${binding.code}(${values.join(', ')})`, Prec.Call)
    }
    case 'unknown-import':
      // A name of an extension mapped in rules/extensions/ (create_access_token), or not supported.
      return (binding.name === null ? undefined : translateExtensionCall(binding.module, binding.name, node, ctx)) ?? fail(unknownImportRule(binding.module), node, `\`${fn.text}()\` from module \`${binding.module}\` is not supported`)
    case 'project-module':
      return fail('unsupported-python-construct', node, `calling module \`${fn.text}\``)
    default:
      return undefined
  }
}

/**
 * `Base.__init__(self, ...)` as the first statement of an `__init__`: the older spelling of
 * `super().__init__(...)`, which the class translation turns into the constructor's `super(...)`
 * (it drops this line and checks that it comes first).
 */
function baseInitCall(node: SyntaxNode, ctx: Context): Emitted | undefined {
  const fn = node.childForFieldName('function')!
  if (fn.type !== 'attribute' || fn.childForFieldName('attribute')!.text !== '__init__' || fn.childForFieldName('object')!.type !== 'identifier') return undefined
  const self = selfOf(ctx)
  const first = node.childForFieldName('arguments')?.namedChildren.find((c) => c.type !== 'comment')
  if (!self || first?.type !== 'identifier' || first.text !== self.name) return undefined
  let def: SyntaxNode | null = node.parent
  while (def && def.type !== 'function_definition') def = def.parent
  if (def?.childForFieldName('name')?.text !== '__init__') return undefined
  return emitted('super.__init__()', Prec.Call)
}

/** The `def` node of a function nested in the current function chain, for keyword arguments. */
function localDefinition(name: string, ctx: Context): SyntaxNode | null {
  for (let s: typeof ctx.scope | null = ctx.scope; s; s = s.parent) {
    const def = s.nestedDefs?.get(name)
    if (def) return def
    if (s.locals.has(name)) return null
  }
  return null
}

/** `module.function(...)` for a project module imported whole. */
function translateModuleCall(node: SyntaxNode, ctx: Context): Emitted | undefined {
  const fn = node.childForFieldName('function')!
  if (fn.type !== 'attribute') return undefined
  const object = fn.childForFieldName('object')!
  if (object.type !== 'identifier') return undefined
  const binding = resolveName(object.text, object, ctx)
  // `fields.String(...)` after `from marshmallow import fields`: a name of a mapped extension's module.
  if (binding.kind === 'unknown-import') {
    const mapped = translateExtensionCall(binding.name === null ? binding.module : `${binding.module}.${binding.name}`, fn.childForFieldName('attribute')!.text, node, ctx)
    if (mapped) return mapped
  }
  // A method of an extension's proxy (`current_user.get_id()`): a method call on the proxied object.
  const proxy = binding.kind === 'unknown-import' && binding.name !== null && extensionName(binding.module, binding.name)?.name.kind === 'proxy'
  if (binding.kind === 'unknown-import' && !proxy) fail(unknownImportRule(binding.module), node, `\`${snippet(fn)}()\` from module \`${binding.module}\` is not supported`)
  // Werkzeug's LocalProxy: `current_user._get_current_object()` is the object the proxy stands for, which the service's proxy already gives.
  if (proxy && fn.childForFieldName('attribute')!.text === '_get_current_object' && (node.childForFieldName('arguments')?.namedChildren.length ?? 0) === 0) return translateExpr(object, ctx)
  if (binding.kind !== 'project-module') return undefined
  const name = fn.childForFieldName('attribute')!.text
  const resolved = ctx.project.resolveSymbol(binding.module, name)
  if (!resolved || resolved.def.kind === 'import' || resolved.def.kind === 'data') {
    return fail('missing-definition', fn, `\`${name}\` is not a function or class of project module ${binding.module}`)
  }
  const code = projectReference(resolved.module.name, resolved.name, ctx)
  const args = callArguments(node)
  if (resolved.def.kind === 'function') return emitted(`${code}(${bindToSignature(args, signatureOf(resolved.def.node, fn), `\`${name}()\``, ctx).join(', ')})`, Prec.Call)
  if (responseBaseModule(resolved.def.node, ctx.project, resolved.module.name) !== null) {
    const response = responseConstruction(node, code, ctx)
    return definesMethods(resolved.def.node, ctx.project, resolved.module.name) ? { ...response, type: 'unknown' } : response
  }
  return emitted(`new ${code}(${bindToSignature(args, constructorSignature(resolved.def.node, ctx.project, resolved.module.name), `\`${name}()\``, ctx).join(', ')})`, Prec.Call)
}

/** Every call: named callee, module member, stdlib, method, or a computed callee. */
export function translateCall(node: SyntaxNode, ctx: Context, discardResult = false): Emitted | undefined {
  if (node.type !== 'call') return undefined
  const named = translateNamedCall(node, ctx)
  if (named) return named
  const baseInit = baseInitCall(node, ctx)
  if (baseInit) return baseInit
  const viaModule = translateModuleCall(node, ctx) ?? translateStdlibCall(node, ctx)
  if (viaModule) return viaModule
  const fn = node.childForFieldName('function')!
  if (fn.type === 'attribute') {
    const object = fn.childForFieldName('object')!
    if (object.type === 'identifier') {
      const binding = resolveName(object.text, object, ctx)
      if (binding.kind === 'project' && binding.def.kind === 'class') {
        const method = methodKind(binding.def.node, fn.childForFieldName('attribute')!.text, ctx.project, binding.module)
        if (method?.kind !== 'static' && method?.kind !== 'classmethod') {
          fail('unsupported-class-feature', node, `calling \`${snippet(fn)}\` on the class itself (only static and class methods)`)
        }
        const params = signatureOf(method.def, fn).slice(method.kind === 'classmethod' ? 1 : 0)
        const values = bindToSignature(callArguments(node), params, `\`${snippet(fn)}()\``, ctx)
        const cls = projectReference(binding.module, binding.name, ctx)
        return emitted(`${cls}.${jsIdentifier(fn.childForFieldName('attribute')!.text)}(${values.join(', ')})`, Prec.Call)
      }
    }
    return translateExtensionMethodCall(node, ctx) ?? translateMethodCall(node, ctx, discardResult)
  }
  const callee = translateExpr(fn, ctx)
  const args = callArguments(node)
  return emitted(`${receiver(callee)}(${valueCallArguments(args, `\`${snippet(fn)}\` (a value whose signature is not known)`, ctx).join(', ')})`, Prec.Call)
}

/**
 * The arguments of a call through a value: positional ones, and `*xs` spread in place (a function
 * with rest parameters binds them as Python would); keywords need the signature.
 */
function valueCallArguments(args: ReturnType<typeof callArguments>, what: string, ctx: Context): string[] {
  const splats = args.splats.filter((s) => s.type === 'list_splat')
  requireStatic({ ...args, splats: args.splats.filter((s) => s.type !== 'list_splat') }, what)
  if (splats.length === 0) return args.positional.map((a) => translateExpr(a, ctx).code)
  ctx.imports.py = true
  // In source order: positionals and splats may interleave.
  return args.node.namedChildren
    .filter((c) => c.type !== 'comment' && c.type !== 'keyword_argument')
    .map((c) => (c.type === 'list_splat' ? `...py.iter(${translateExpr(c.namedChildren[0], ctx).code})` : translateExpr(c, ctx).code))
}

export { jsIdentifier }
