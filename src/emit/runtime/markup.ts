/**
 * MarkupSafe 2.1's `Markup` and `escape` in translated code (a template filter building HTML):
 * a Markup is text that autoescaping outputs as is (templates.ts knows it by `__html__`); what is
 * combined with it (`%`, `+`, `join`, the str methods) is escaped first, as MarkupSafe does.
 */
import { TypeError as PyTypeError } from './exceptions.js'
import {
  PyDict,
  isTuple,
  iter,
  percentFormat,
  repr,
  str,
  strMethods,
  tuple,
  type Py,
} from './py.js'

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
}

function hasHtml(value: Py): boolean {
  return (
    value !== null &&
    value !== undefined &&
    typeof value === 'object' &&
    typeof value.__html__ === 'function'
  )
}

/** `markupsafe.escape(s)`: a Markup; its argument's own markup (`__html__`) unchanged. */
export function escape(s: Py): Markup {
  if (s instanceof Markup) return s
  if (hasHtml(s)) return new Markup(s)
  return new Markup(str(s).replace(/[&<>"']/g, (ch) => ESCAPES[ch]!))
}

/** What `Markup % x` formats: escaped as text (`%s`, `%r`), numbers as they are (`%d`). */
function escapeArgument(value: Py): Py {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return value
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof value.valueOf === 'function' &&
    typeof value.valueOf() === 'number'
  )
    return value
  return {
    __str__: () => escape(value).val,
    __repr__: () => escape(repr(value)).val,
  }
}

/** Methods of str that MarkupSafe wraps: their str arguments are escaped and the result is Markup. */
const WRAPPED = [
  'capitalize',
  'title',
  'lower',
  'upper',
  'replace',
  'ljust',
  'rjust',
  'lstrip',
  'rstrip',
  'center',
  'strip',
  'expandtabs',
  'swapcase',
  'zfill',
]

export class Markup {
  readonly val: string

  /** `Markup(base='')`: the text as it is (its `__html__()` when it has one). */
  constructor(base: Py = '') {
    this.val = base instanceof Markup ? base.val : hasHtml(base) ? str(base.__html__()) : str(base)
  }

  __html__(): Markup {
    return this
  }
  __str__(): string {
    return this.val
  }
  toString(): string {
    return this.val
  }
  __repr__(): string {
    return `Markup(${repr(this.val)})`
  }
  __len__(): number {
    return [...this.val].length
  }
  __bool__(): boolean {
    return this.val.length > 0
  }
  __eq__(other: Py): boolean {
    return (other instanceof Markup ? other.val : other) === this.val
  }
  __hash__(): string {
    return this.val
  }
  __add__(other: Py): Markup {
    if (typeof other === 'string' || hasHtml(other)) return new Markup(this.val + escape(other).val)
    throw new PyTypeError(`can only concatenate str (not "${typeof other}") to str`)
  }
  __radd__(other: Py): Markup {
    if (typeof other === 'string' || hasHtml(other)) return new Markup(escape(other).val + this.val)
    throw new PyTypeError(`can only concatenate str (not "${typeof other}") to str`)
  }
  __mul__(times: Py): Markup {
    return new Markup(this.val.repeat(Math.max(0, Number(times))))
  }
  __mod__(arg: Py): Markup {
    const escaped = isTuple(arg)
      ? tuple(...[...arg].map(escapeArgument))
      : arg instanceof PyDict
        ? new PyDict(arg.items().map(([key, value]: [Py, Py]) => [key, escapeArgument(value)]))
        : escapeArgument(arg)
    return new Markup(percentFormat(this.val, escaped))
  }
  /** `join(seq)`: each item escaped unless it is markup. */
  join(seq: Py): Markup {
    return new Markup([...iter(seq)].map((item) => escape(item).val).join(this.val))
  }
  split(sep: Py = null, maxsplit: Py = -1): Markup[] {
    return (strMethods.split!(this.val, sep, maxsplit) as string[]).map((part) => new Markup(part))
  }
  rsplit(sep: Py = null, maxsplit: Py = -1): Markup[] {
    return (strMethods.rsplit!(this.val, sep, maxsplit) as string[]).map((part) => new Markup(part))
  }
  splitlines(keepends: Py = false): Markup[] {
    return (strMethods.splitlines!(this.val, keepends) as string[]).map((part) => new Markup(part))
  }
  format(...args: Py[]): Markup {
    return new Markup(
      strMethods.format!(
        this.val,
        ...args.map((arg) => (arg instanceof PyDict ? arg : escapeArgument(arg))),
      ),
    )
  }
}

for (const name of WRAPPED) {
  Object.defineProperty(Markup.prototype, name, {
    value(this: Markup, ...args: Py[]): Markup {
      const method = strMethods[name]!
      return new Markup(
        method(
          this.val,
          ...args.map((arg) => (typeof arg === 'string' || hasHtml(arg) ? escape(arg).val : arg)),
        ),
      )
    },
  })
}
