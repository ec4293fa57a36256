import type { ConverterIR } from '../ir/types.js'

/**
 * Reads the converters out of a rule string the way Werkzeug's `parse_rule` and
 * `parse_converter_args` do: `<int(min=1):id>` → int with kwargs {min: 1}; `<name>` → default.
 */
const RULE_PART = /<(?:(?<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?<args>.*?)\))?:)?(?<variable>[a-zA-Z_][a-zA-Z0-9_]*)>/g

export function parseRuleConverters(rule: string): ConverterIR[] {
  const converters: ConverterIR[] = []
  for (const match of rule.matchAll(RULE_PART)) {
    const groups = match.groups!
    const { args, kwargs } = parseConverterArgs(groups.args ?? '')
    converters.push({ variable: groups.variable!, name: groups.converter ?? 'default', args, kwargs })
  }
  return converters
}

type ArgValue = string | number | boolean | null

const ARG = /\s*(?:(?<name>\w+)\s*=\s*)?(?<value>True|False|None|-?\d+\.\d+|-?\d+|"[^"]*"|'[^']*'|[\w.]+)\s*(?:,|$)/gy

export function parseConverterArgs(text: string): { args: ArgValue[]; kwargs: Record<string, ArgValue> } {
  const args: ArgValue[] = []
  const kwargs: Record<string, ArgValue> = {}
  if (text.trim() === '') return { args, kwargs }
  ARG.lastIndex = 0
  let match: RegExpExecArray | null
  while (ARG.lastIndex < text.length && (match = ARG.exec(text)) !== null) {
    const value = pythonishValue(match.groups!.value!)
    if (match.groups!.name) kwargs[match.groups!.name] = value
    else args.push(value)
    if (match[0] === '') break
  }
  return { args, kwargs }
}

function pythonishValue(text: string): ArgValue {
  if (text === 'True') return true
  if (text === 'False') return false
  if (text === 'None') return null
  if (/^-?\d+$/.test(text)) return Number.parseInt(text, 10)
  if (/^-?\d+\.\d+$/.test(text)) return Number.parseFloat(text)
  if (/^(["']).*\1$/.test(text)) return text.slice(1, -1)
  return text
}
