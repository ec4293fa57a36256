import { fail } from '../diagnostics.js'
import { emitted, type Context, type Emitted, type SyntaxNode } from '../context.js'
import { Prec, receiver } from '../precedence.js'
import { translateExpr, formatValue } from './index.js'
import { tsJson } from '../../ts-text.js'

/** `None`, `True`, `False`, numbers. */
export function translateConstant(node: SyntaxNode): Emitted | undefined {
  switch (node.type) {
    case 'none':
      return emitted('null', Prec.Primary, 'none')
    case 'true':
      return emitted('true', Prec.Primary, 'bool')
    case 'false':
      return emitted('false', Prec.Primary, 'bool')
    case 'integer': {
      const text = node.text.replace(/_/g, '')
      if (/[jJ]$/.test(text)) fail('unsupported-python-construct', node, `complex literal ${node.text}`)
      const value = Number(text.replace(/^0([oO])/, '0o'))
      if (!Number.isSafeInteger(value)) fail('unsupported-python-construct', node, `integer literal ${node.text} is beyond JavaScript's exact integer range`)
      return emitted(String(value), Prec.Primary, 'int')
    }
    case 'float': {
      if (/[jJ]$/.test(node.text)) fail('unsupported-python-construct', node, `complex literal ${node.text}`)
      const value = Number(node.text.replace(/_/g, ''))
      return emitted(String(value), Prec.Primary, 'float')
    }
  }
  return undefined
}

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '' }

/** Decodes the escapes of a Python (non-raw) string body. */
function decodeEscapes(text: string, node: SyntaxNode): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|N\{[^}]*\}|[\s\S])/g, (whole, esc: string) => {
    if (esc in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[esc]
    if (/^[xuU]/.test(esc) && esc.length > 1) return String.fromCodePoint(parseInt(esc.slice(1), 16))
    if (/^[0-7]+$/.test(esc)) return String.fromCodePoint(parseInt(esc, 8))
    if (esc.startsWith('N{')) fail('unsupported-python-construct', node, `named unicode escape ${whole}`)
    return whole
  })
}

function stringPrefix(node: SyntaxNode): string {
  const start = node.namedChildren.find((c) => c.type === 'string_start') ?? node.child(0)!
  return start.text.replace(/['"]+$/, '').toLowerCase()
}

/** The literal text of a string_content node, with its escapes decoded. */
function contentText(node: SyntaxNode, raw: boolean): string {
  return raw ? node.text : decodeEscapes(node.text, node)
}

function templateEscape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')
}

type Part = { text: string } | { code: string }

function stringParts(node: SyntaxNode, ctx: Context): Part[] {
  const prefix = stringPrefix(node)
  if (prefix.includes('b')) fail('unsupported-python-construct', node, 'bytes literal')
  const raw = prefix.includes('r')
  const isF = prefix.includes('f')
  const parts: Part[] = []
  for (const child of node.namedChildren) {
    if (child.type === 'string_content') {
      if (isF) {
        // Escaped braces (`{{`) sit inside the content as their own nodes.
        parts.push({ text: contentText(child, raw).replace(/\{\{/g, '{').replace(/\}\}/g, '}') })
      } else parts.push({ text: contentText(child, raw) })
    } else if (child.type === 'interpolation') {
      parts.push({ code: interpolation(child, ctx) })
    }
  }
  return parts
}

function interpolation(node: SyntaxNode, ctx: Context): string {
  const expression = node.childForFieldName('expression')!
  if (node.children.some((c) => c.type === '=')) fail('unsupported-python-construct', node, `self-documenting f-string field ${node.text}`)
  const value = translateExpr(expression, ctx)
  const conversion = node.childForFieldName('type_conversion')?.text.slice(1)
  const specNode = node.childForFieldName('format_specifier')
  let spec: string | null = null
  if (specNode) {
    // The spec is literal text with nested `{expr}` fields; build it as a template.
    let text = ''
    let cursor = specNode.startIndex + 1
    for (const child of specNode.namedChildren) {
      if (child.type !== 'format_expression') continue
      text += templateEscape(ctx.module.source.slice(cursor, child.startIndex))
      const nested = translateExpr(child.childForFieldName('expression') ?? child.namedChildren[0], ctx)
      text += '${py.str(' + nested.code + ')}'
      ctx.imports.py = true
      cursor = child.endIndex
    }
    text += templateEscape(ctx.module.source.slice(cursor, specNode.endIndex))
    spec = '`' + text + '`'
  }
  return formatValue(value, conversion ?? null, spec, ctx).code
}

/** A bytes literal's bytes (`\\x..`, octal and the simple escapes; `\\u` is no escape in bytes). */
function bytesOf(piece: SyntaxNode): number[] {
  const raw = stringPrefix(piece).includes('r')
  const bytes: number[] = []
  for (const child of piece.namedChildren) {
    if (child.type !== 'string_content') continue
    const text = raw ? child.text : child.text.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|[\s\S])/g, (whole, esc: string) => {
      if (esc in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[esc]
      if (esc.startsWith('x') && esc.length === 3) return String.fromCharCode(parseInt(esc.slice(1), 16))
      if (/^[0-7]+$/.test(esc)) return String.fromCharCode(parseInt(esc, 8) & 0xff)
      return whole
    })
    for (const ch of text) {
      if (ch.charCodeAt(0) > 0xff) fail('unsupported-python-construct', piece, 'bytes literal with a character that is not a byte')
      bytes.push(ch.charCodeAt(0))
    }
  }
  return bytes
}

/** String literals, implicit concatenation and f-strings; bytes literals as `Uint8Array`s. */
export function translateString(node: SyntaxNode, ctx: Context): Emitted | undefined {
  let pieces: SyntaxNode[]
  if (node.type === 'string') pieces = [node]
  else if (node.type === 'concatenated_string') pieces = node.namedChildren
  else return undefined
  if (pieces.every((piece) => stringPrefix(piece).includes('b'))) {
    return emitted(`new Uint8Array([${pieces.flatMap(bytesOf).join(', ')}])`, Prec.Unary, 'unknown')
  }
  const parts = pieces.flatMap((piece) => stringParts(piece, ctx))
  if (parts.every((p): p is { text: string } => 'text' in p)) {
    return emitted(tsJson(parts.map((p) => p.text).join('')), Prec.Primary, 'str')
  }
  const body = parts.map((p) => ('text' in p ? templateEscape(p.text) : '${' + p.code + '}')).join('')
  return emitted('`' + body + '`', Prec.Primary, 'str')
}

function elements(node: SyntaxNode, ctx: Context): string[] {
  return node.namedChildren
    .filter((c) => c.type !== 'comment')
    .map((child) => {
      if (child.type === 'list_splat') {
        ctx.imports.py = true
        return `...py.iter(${translateExpr(child.namedChildren[0], ctx).code})`
      }
      return translateExpr(child, ctx).code
    })
}

/** `[a, b]`, `(a, b)`, `{a, b}`, `{k: v}`. */
export function translateCollection(node: SyntaxNode, ctx: Context): Emitted | undefined {
  switch (node.type) {
    case 'list':
      return emitted(`[${elements(node, ctx).join(', ')}]`, Prec.Primary, 'list')
    case 'tuple':
    case 'expression_list':
      ctx.imports.py = true
      return emitted(`py.tuple(${elements(node, ctx).join(', ')})`, Prec.Call, 'tuple')
    case 'set':
      ctx.imports.py = true
      return emitted(`py.set(${elements(node, ctx).join(', ')})`, Prec.Call, 'set')
    case 'dictionary': {
      ctx.imports.py = true
      const entries = node.namedChildren
        .filter((c) => c.type !== 'comment')
        .map((pair) => {
          if (pair.type === 'dictionary_splat') {
            const mapping = translateExpr(pair.namedChildren[0], ctx)
            return mapping.type === 'dict' ? `...${receiver(mapping)}.items()` : `...py.mappingItems(${mapping.code})`
          }
          if (pair.type !== 'pair') fail('unsupported-python-construct', pair, `dict literal entry ${pair.text}`)
          const key = translateExpr(pair.childForFieldName('key')!, ctx)
          const value = translateExpr(pair.childForFieldName('value')!, ctx)
          return `[${key.code}, ${value.code}]`
        })
      return emitted(`py.dict(${entries.join(', ')})`, Prec.Call, 'dict')
    }
    case 'parenthesized_expression': {
      const inner = node.namedChildren.filter((c) => c.type !== 'comment')
      if (inner.length !== 1) return undefined
      return translateExpr(inner[0], ctx)
    }
  }
  return undefined
}
