/**
 * The datetime runtime (src/emit/runtime/datetime.ts) against CPython 3.11: every case is a
 * Python expression (evaluated after `from datetime import *` by /usr/bin/python3, all in one
 * process) and the same computation written with the runtime. Both sides must agree on
 * `repr()` and `str()` of the result, or on the exception class and message.
 *
 * Local-time results depend on the machine's zone, so only aware conversions are asserted.
 */
import { spawnSync } from 'node:child_process'
import { beforeAll, describe, expect, it } from 'vitest'
import { PyDate, PyDateTime, PyTimeDelta, PyTimezone } from '../../src/emit/runtime/datetime.js'
import { BaseException } from '../../src/emit/runtime/exceptions.js'
import { PyFloat, floatRepr } from '../../src/emit/runtime/float.js'

type Outcome = { repr: string; str: string } | { error: string }

interface Case {
  python: string
  run: () => unknown
}

const cases: Case[] = []
let oracle: Outcome[] = []

// ---------------------------------------------------------------------------------------------
// The TypeScript side: Python's repr()/str() of what the runtime returns

function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  const body = [...text]
    .map((ch) => (ch === quote || ch === '\\' ? '\\' + ch : ch === '\n' ? '\\n' : ch === '\t' ? '\\t' : ch))
    .join('')
  return quote + body + quote
}

function repr(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (value instanceof PyFloat) return floatRepr(value)
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : floatRepr(value)
  if (typeof value === 'string') return pyStrRepr(value)
  if (Array.isArray(value)) {
    const items = value.map(repr)
    if (!Object.isFrozen(value)) return `[${items.join(', ')}]`
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`
  }
  const object = value as { __repr__?: () => string }
  if (typeof object.__repr__ === 'function') return object.__repr__()
  throw new Error(`no repr for ${String(value)}`)
}

function str(value: unknown): string {
  if (typeof value === 'string') return value
  const object = value as { __str__?: () => string } | null
  if (object !== null && typeof object === 'object' && typeof object.__str__ === 'function') return object.__str__()
  return repr(value)
}

function outcome(run: () => unknown): Outcome {
  try {
    const value = run()
    return { repr: repr(value), str: str(value) }
  } catch (error) {
    if (error instanceof BaseException) return { error: `${error.constructor.name}: ${error.message}` }
    throw error
  }
}

function check(python: string, run: () => unknown): void {
  const index = cases.push({ python, run }) - 1
  it(python, () => {
    expect(outcome(run)).toEqual(oracle[index])
  })
}

// Shorthands for the runtime calls (Python's keyword arguments become positions).
const td = (days: unknown = 0, seconds: unknown = 0, microseconds: unknown = 0, milliseconds: unknown = 0, minutes: unknown = 0, hours: unknown = 0, weeks: unknown = 0): PyTimeDelta =>
  new PyTimeDelta(days, seconds, microseconds, milliseconds, minutes, hours, weeks)
const date = (y: unknown, m: unknown, d: unknown): PyDate => new PyDate(y, m, d)
const datetime = (y: unknown, mo: unknown, d: unknown, h: unknown = 0, mi: unknown = 0, s: unknown = 0, us: unknown = 0, tz: unknown = null): PyDateTime =>
  new PyDateTime(y, mo, d, h, mi, s, us, tz)
const utc = PyTimezone.utc
const zone = (seconds: number, name?: string): PyTimezone => new PyTimezone(new PyTimeDelta(0, seconds), name)
const float = (x: number): PyFloat => new PyFloat(x)
/** Stands in for a PyDict: anything with items() yielding [key, value] pairs. */
const dictLike = (pairs: [string, unknown][]): { items(): Iterable<[string, unknown]> } => ({ items: () => pairs })

/** What py.ts does with `__compare__` for `<`: undefined means not comparable. */
function lt(a: { __compare__(other: unknown): number | undefined }, b: unknown): boolean {
  const order = a.__compare__(b)
  if (order === undefined) throw new Error('not comparable')
  return order < 0
}

beforeAll(() => {
  const program = `
import json, sys
from datetime import *
out = []
for source in json.load(sys.stdin):
    try:
        value = eval(source)
        out.append({'repr': repr(value), 'str': str(value)})
    except Exception as e:
        out.append({'error': type(e).__name__ + ': ' + str(e)})
print(json.dumps(out))
`
  const result = spawnSync('/usr/bin/python3', ['-c', program], { input: JSON.stringify(cases.map((c) => c.python)), encoding: 'utf-8' })
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`)
  oracle = JSON.parse(result.stdout) as Outcome[]
  expect(oracle).toHaveLength(cases.length)
})

// ---------------------------------------------------------------------------------------------

describe('timedelta', () => {
  check('timedelta(days=1, seconds=5)', () => td(1, 5))
  check('timedelta()', () => td())
  check('timedelta(seconds=-1)', () => td(0, -1))
  check('timedelta(hours=-25.5)', () => td(0, 0, 0, 0, 0, -25.5))
  check('timedelta(0.5, 0.5, 0.5)', () => td(0.5, 0.5, 0.5))
  check('timedelta(microseconds=1.5)', () => td(0, 0, 1.5))
  check('timedelta(microseconds=2.5)', () => td(0, 0, 2.5))
  check('timedelta(microseconds=-0.5)', () => td(0, 0, -0.5))
  check('timedelta(seconds=1.5)', () => td(0, 1.5))
  check('timedelta(days=3)', () => td(3))
  check('timedelta(weeks=1, days=-1, hours=2.0, minutes=3, milliseconds=4)', () => td(-1, 0, 0, 4, 3, float(2), 1))
  check('timedelta(days=1/3)', () => td(1 / 3))
  check('timedelta(days=999999999, hours=24)', () => td(999999999, 0, 0, 0, 0, 24))
  check('timedelta(days=-10**9)', () => td(-1e9))
  check('timedelta(days=10**12)', () => td(1e12))
  check("timedelta(seconds='x', days='y')", () => td('y', 'x'))
  check("timedelta(days=float('inf'))", () => td(Infinity))
  check("timedelta(microseconds=float('nan'))", () => td(0, 0, NaN))
  check('timedelta(days=1, microseconds=500000)', () => td(1, 0, 500000))
  check('timedelta(days=-2, seconds=3)', () => td(-2, 3))
  check('timedelta(minutes=1).total_seconds()', () => td(0, 0, 0, 0, 1).total_seconds())
  check('timedelta(microseconds=1).total_seconds()', () => td(0, 0, 1).total_seconds())
  check('timedelta(days=999999999, microseconds=999999).total_seconds()', () => td(999999999, 0, 999999).total_seconds())
  check('timedelta(days=1) + timedelta(hours=1)', () => td(1).__add__(td(0, 0, 0, 0, 0, 1)))
  check('timedelta(hours=1) - timedelta(days=1)', () => td(0, 0, 0, 0, 0, 1).__sub__(td(1)))
  check('timedelta(hours=1, microseconds=1) * 2', () => td(0, 0, 1, 0, 0, 1).__mul__(2))
  check('3 * timedelta(seconds=7)', () => td(0, 7).__rmul__(3))
  check('timedelta(seconds=1) * 0.5', () => td(0, 1).__mul__(0.5))
  check('timedelta(microseconds=3) * 0.5', () => td(0, 0, 3).__mul__(0.5))
  check('timedelta(microseconds=5) * 0.5', () => td(0, 0, 5).__mul__(0.5))
  check('timedelta(days=1) * 2.0', () => td(1).__mul__(float(2)))
  check("timedelta(1) * float('nan')", () => td(1).__mul__(NaN))
  check('timedelta(days=1) / timedelta(hours=1)', () => td(1).__truediv__(td(0, 0, 0, 0, 0, 1)))
  check('timedelta(days=1) / timedelta(hours=7)', () => td(1).__truediv__(td(0, 0, 0, 0, 0, 7)))
  check('timedelta(0) / timedelta(-1)', () => td(0).__truediv__(td(-1)))
  check('timedelta(1) / timedelta(0)', () => td(1).__truediv__(td(0)))
  check('timedelta(seconds=7) / 2', () => td(0, 7).__truediv__(2))
  check('timedelta(microseconds=5) / 2', () => td(0, 0, 5).__truediv__(2))
  check('timedelta(seconds=1) / 3.0', () => td(0, 1).__truediv__(float(3)))
  check('timedelta(1) / 0', () => td(1).__truediv__(0))
  check('timedelta(hours=25) // timedelta(days=1)', () => td(0, 0, 0, 0, 0, 25).__floordiv__(td(1)))
  check('timedelta(seconds=-7) // 2', () => td(0, -7).__floordiv__(2))
  check('timedelta(hours=25) % timedelta(days=1)', () => td(0, 0, 0, 0, 0, 25).__mod__(td(1)))
  check('-timedelta(hours=1)', () => td(0, 0, 0, 0, 0, 1).__neg__())
  check('abs(timedelta(seconds=-5))', () => td(0, -5).__abs__())
  check('bool(timedelta(0)), bool(timedelta(microseconds=1))', () => Object.freeze([td(0).__bool__(), td(0, 0, 1).__bool__()]))
  check('timedelta(hours=24) == timedelta(days=1), timedelta(1) == 1', () => Object.freeze([td(0, 0, 0, 0, 0, 24).__eq__(td(1)), td(1).__eq__(1)]))
  check('timedelta(seconds=-1) < timedelta(0), timedelta(days=1) > timedelta(hours=23)', () =>
    Object.freeze([lt(td(0, -1), td(0)), lt(td(0, 0, 0, 0, 0, 23), td(1))]))
  check('timedelta(999999999) + timedelta(1)', () => td(999999999).__add__(td(1)))
  check('timedelta.max, timedelta.min, timedelta.resolution', () => Object.freeze([PyTimeDelta.max, PyTimeDelta.min, PyTimeDelta.resolution]))
})

describe('timezone', () => {
  check('timezone.utc', () => utc)
  check('timezone(timedelta(0))', () => new PyTimezone(td(0)))
  check('timezone(timedelta(0)) is timezone.utc', () => new PyTimezone(td(0)) === utc)
  check("timezone(timedelta(0), 'UTC')", () => new PyTimezone(td(0), 'UTC'))
  check('timezone(timedelta(hours=2))', () => new PyTimezone(td(0, 0, 0, 0, 0, 2)))
  check("timezone(timedelta(hours=2), 'CET')", () => zone(7200, 'CET'))
  check('timezone(timedelta(hours=-5, minutes=-30)).tzname(None)', () => zone(-19800).tzname(null))
  check('timezone(timedelta(hours=2, seconds=15, microseconds=3))', () => new PyTimezone(td(0, 7215, 3)))
  check('timezone(timedelta(hours=24))', () => new PyTimezone(td(0, 0, 0, 0, 0, 24)))
  check('timezone(5)', () => new PyTimezone(5))
  check('timezone(timedelta(0), 5)', () => new PyTimezone(td(0), 5))
  check('timezone(timedelta(hours=2)).utcoffset(None)', () => zone(7200).utcoffset(null))
  check('timezone(timedelta(hours=1)) == timezone(timedelta(hours=1), "x")', () => zone(3600).__eq__(zone(3600, 'x')))
})

describe('date', () => {
  check('date(2024, 1, 2)', () => date(2024, 1, 2))
  check('date(2024, 2, 29)', () => date(2024, 2, 29))
  check('date(2023, 2, 29)', () => date(2023, 2, 29))
  check('date(1900, 2, 29)', () => date(1900, 2, 29))
  check('date(2000, 2, 29)', () => date(2000, 2, 29))
  check('date(2024, 13, 1)', () => date(2024, 13, 1))
  check('date(0, 1, 1)', () => date(0, 1, 1))
  check('date(10000, 1, 1)', () => date(10000, 1, 1))
  check('date(2**31, 1, 1)', () => date(2 ** 31, 1, 1))
  check('date(2024.0, 1, 1)', () => date(float(2024), 1, 1))
  check("date('2024', 1, 1)", () => date('2024', 1, 1))
  check('date(None, 1, 1)', () => date(null, 1, 1))
  check('date(2024, True, 1)', () => date(2024, true, 1))
  check('date(2024, 4, 31)', () => date(2024, 4, 31))
  check('date(2024, 1, 31) + timedelta(days=1)', () => date(2024, 1, 31).__add__(td(1)))
  check('date(2024, 2, 28) + timedelta(days=1)', () => date(2024, 2, 28).__add__(td(1)))
  check('date(2023, 12, 31) + timedelta(hours=23)', () => date(2023, 12, 31).__add__(td(0, 0, 0, 0, 0, 23)))
  check('timedelta(days=366) + date(2024, 1, 1)', () => date(2024, 1, 1).__radd__(td(366)))
  check('date(2024, 3, 1) - timedelta(days=1)', () => date(2024, 3, 1).__sub__(td(1)))
  check('date(2025, 1, 1) - date(2024, 1, 1)', () => date(2025, 1, 1).__sub__(date(2024, 1, 1)))
  check('date(2024, 1, 1) - date(2024, 3, 1)', () => date(2024, 1, 1).__sub__(date(2024, 3, 1)))
  check('date(9999, 12, 31) + timedelta(1)', () => date(9999, 12, 31).__add__(td(1)))
  check('date(1, 1, 1) - timedelta(1)', () => date(1, 1, 1).__sub__(td(1)))
  check('date(2024, 1, 1) < date(2024, 1, 2), date(2024, 1, 2) == date(2024, 1, 2)', () =>
    Object.freeze([lt(date(2024, 1, 1), date(2024, 1, 2)), date(2024, 1, 2).__eq__(date(2024, 1, 2))]))
  check('date(2024, 1, 1) == datetime(2024, 1, 1)', () => date(2024, 1, 1).__eq__(datetime(2024, 1, 1)))
  check('date(2024, 1, 1) < datetime(2024, 1, 1)', () => lt(date(2024, 1, 1), datetime(2024, 1, 1)))
  check('datetime(2024, 1, 1) < date(2024, 1, 1)', () => lt(datetime(2024, 1, 1), date(2024, 1, 1)))
  check('date(2024, 1, 2).toordinal(), date(1, 1, 1).toordinal(), date(9999, 12, 31).toordinal()', () =>
    Object.freeze([date(2024, 1, 2).toordinal(), date(1, 1, 1).toordinal(), date(9999, 12, 31).toordinal()]))
  check('date.fromordinal(738887)', () => PyDate.fromordinal(738887))
  check('date.fromordinal(0)', () => PyDate.fromordinal(0))
  check('date.fromordinal(3652060)', () => PyDate.fromordinal(3652060))
  check('date(2024, 1, 7).weekday(), date(2024, 1, 7).isoweekday()', () => Object.freeze([date(2024, 1, 7).weekday(), date(2024, 1, 7).isoweekday()]))
  check('tuple(date(2024, 12, 30).isocalendar())', () => date(2024, 12, 30).isocalendar())
  check('tuple(date(2021, 1, 3).isocalendar())', () => date(2021, 1, 3).isocalendar())
  check('tuple(date(2020, 12, 31).isocalendar())', () => date(2020, 12, 31).isocalendar())
  check('date(5, 1, 2).isoformat()', () => date(5, 1, 2).isoformat())
  check('date(2024, 1, 2).ctime()', () => date(2024, 1, 2).ctime())
  check('date(2024, 1, 31).replace(**{"month": 2})', () => date(2024, 1, 31).replace({ month: 2 }))
  check('date(2024, 1, 31).replace(**{"month": 4, "day": 30})', () => date(2024, 1, 31).replace({ month: 4, day: 30 }))
  check('date(2024, 1, 2).replace(foo=1)', () => date(2024, 1, 2).replace({ foo: 1 }))
  check("date.fromisoformat('2024-01-02')", () => PyDate.fromisoformat('2024-01-02'))
  check("date.fromisoformat('20240102')", () => PyDate.fromisoformat('20240102'))
  check("date.fromisoformat('2024-W01-2')", () => PyDate.fromisoformat('2024-W01-2'))
  check("date.fromisoformat('2024W01')", () => PyDate.fromisoformat('2024W01'))
  check("date.fromisoformat('2024-02-30')", () => PyDate.fromisoformat('2024-02-30'))
  check("date.fromisoformat('2024-01-02T00')", () => PyDate.fromisoformat('2024-01-02T00'))
  check("date.fromisoformat('2024-0102')", () => PyDate.fromisoformat('2024-0102'))
  check('date.fromisoformat(5)', () => PyDate.fromisoformat(5))
  check('date.fromisocalendar(2020, 53, 7)', () => PyDate.fromisocalendar(2020, 53, 7))
  check('date.fromisocalendar(2024, 53, 1)', () => PyDate.fromisocalendar(2024, 53, 1))
  check("date(2024, 1, 2).strftime('%Y-%m-%d %a %A %b %B %j %U %W %w %u %V %G %g %y %C')", () =>
    date(2024, 1, 2).strftime('%Y-%m-%d %a %A %b %B %j %U %W %w %u %V %G %g %y %C'))
  check("date(2024, 1, 2).strftime('%H:%M:%S.%f|%z|%Z|%I %p|%c|%x|%X|%D|%F|%e|%%')", () =>
    date(2024, 1, 2).strftime('%H:%M:%S.%f|%z|%Z|%I %p|%c|%x|%X|%D|%F|%e|%%'))
  check("date(5, 1, 2).strftime('%Y|%4Y|%_4Y|%-4Y|%y|%C|%3C|%G|%F|%c')", () => date(5, 1, 2).strftime('%Y|%4Y|%_4Y|%-4Y|%y|%C|%3C|%G|%F|%c'))
  check("date(2024, 1, 2).strftime('%Q|%-d|%_d|%0e|%^a|%#a|%10Y|%-z|%5Q|%Ed|%EY|%Ob|%OY|%')", () =>
    date(2024, 1, 2).strftime('%Q|%-d|%_d|%0e|%^a|%#a|%10Y|%-z|%5Q|%Ed|%EY|%Ob|%OY|%'))
  check('date(2024, 1, 2).strftime(5)', () => date(2024, 1, 2).strftime(5))
  check("format(date(2024, 1, 2), '%d/%m/%Y'), format(date(2024, 1, 2), '')", () =>
    Object.freeze([date(2024, 1, 2).__format__('%d/%m/%Y'), date(2024, 1, 2).__format__('')]))
})

describe('datetime', () => {
  check('datetime(2024, 1, 2, 3, 4, 5)', () => datetime(2024, 1, 2, 3, 4, 5))
  check('datetime(2024, 1, 2)', () => datetime(2024, 1, 2))
  check('datetime(2024, 1, 2, 3, 4, 5, 123)', () => datetime(2024, 1, 2, 3, 4, 5, 123))
  check('datetime(2024, 1, 2, 3, 4, 0, 123, tzinfo=timezone.utc)', () => datetime(2024, 1, 2, 3, 4, 0, 123, utc))
  check('datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5)))', () => datetime(2024, 1, 2, 3, 4, 5, 0, zone(-18000)))
  check("datetime(2024, 1, 2, tzinfo=timezone(timedelta(hours=5, minutes=30), 'IST'))", () => datetime(2024, 1, 2, 0, 0, 0, 0, zone(19800, 'IST')))
  check('datetime(2024, 1, 1, 24)', () => datetime(2024, 1, 1, 24))
  check('datetime(2024, 1, 1, 1, 60)', () => datetime(2024, 1, 1, 1, 60))
  check('datetime(2024, 1, 1, 1, 1, 60)', () => datetime(2024, 1, 1, 1, 1, 60))
  check('datetime(2024, 1, 1, 1, 1, 1, 10**6)', () => datetime(2024, 1, 1, 1, 1, 1, 1e6))
  check("datetime(2024, 1, 1, tzinfo='x')", () => datetime(2024, 1, 1, 0, 0, 0, 0, 'x'))
  check("datetime(0, 1, 1, 'x')", () => datetime(0, 1, 1, 'x'))
  check('datetime(2024, 2, 28, 23, 59, 59, 999999) + timedelta(microseconds=1)', () => datetime(2024, 2, 28, 23, 59, 59, 999999).__add__(td(0, 0, 1)))
  check('datetime(2023, 12, 31, 23, 30) + timedelta(minutes=45)', () => datetime(2023, 12, 31, 23, 30).__add__(td(0, 0, 0, 0, 45)))
  check('datetime(2024, 3, 1, tzinfo=timezone.utc) - timedelta(seconds=1)', () => datetime(2024, 3, 1, 0, 0, 0, 0, utc).__sub__(td(0, 1)))
  check('timedelta(hours=-1) + datetime(2024, 1, 1)', () => datetime(2024, 1, 1).__radd__(td(0, 0, 0, 0, 0, -1)))
  check('datetime(9999, 12, 31, 23) + timedelta(hours=1)', () => datetime(9999, 12, 31, 23).__add__(td(0, 0, 0, 0, 0, 1)))
  check('datetime(2024, 1, 2, 12) - datetime(2024, 1, 1, 13, 30)', () => datetime(2024, 1, 2, 12).__sub__(datetime(2024, 1, 1, 13, 30)))
  check('datetime(2024, 1, 1) - datetime(2024, 1, 1, 0, 0, 0, 1)', () => datetime(2024, 1, 1).__sub__(datetime(2024, 1, 1, 0, 0, 0, 1)))
  check('datetime(2024, 1, 1, 12, tzinfo=timezone.utc) - datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))', () =>
    datetime(2024, 1, 1, 12, 0, 0, 0, utc).__sub__(datetime(2024, 1, 1, 12, 0, 0, 0, zone(7200))))
  check('datetime(2024, 1, 1) - datetime(2024, 1, 1, tzinfo=timezone.utc)', () => datetime(2024, 1, 1).__sub__(datetime(2024, 1, 1, 0, 0, 0, 0, utc)))
  check('datetime(2024, 1, 1) == datetime(2024, 1, 1, tzinfo=timezone.utc)', () => datetime(2024, 1, 1).__eq__(datetime(2024, 1, 1, 0, 0, 0, 0, utc)))
  check('datetime(2024, 1, 1) < datetime(2024, 1, 1, tzinfo=timezone.utc)', () => lt(datetime(2024, 1, 1), datetime(2024, 1, 1, 0, 0, 0, 0, utc)))
  check('datetime(2024, 1, 1, 12, tzinfo=timezone.utc) == datetime(2024, 1, 1, 14, tzinfo=timezone(timedelta(hours=2)))', () =>
    datetime(2024, 1, 1, 12, 0, 0, 0, utc).__eq__(datetime(2024, 1, 1, 14, 0, 0, 0, zone(7200))))
  check('datetime(2024, 1, 1, 12, tzinfo=timezone.utc) < datetime(2024, 1, 1, 13, tzinfo=timezone(timedelta(hours=2)))', () =>
    lt(datetime(2024, 1, 1, 12, 0, 0, 0, utc), datetime(2024, 1, 1, 13, 0, 0, 0, zone(7200))))
  check('datetime(2024, 1, 1, 1) < datetime(2024, 1, 1, 2), datetime(2024, 1, 1) == date(2024, 1, 1)', () =>
    Object.freeze([lt(datetime(2024, 1, 1, 1), datetime(2024, 1, 1, 2)), datetime(2024, 1, 1).__eq__(date(2024, 1, 1))]))
  check('datetime(2024, 1, 2, 3, 4, 5).date()', () => datetime(2024, 1, 2, 3, 4, 5).date())
  check('datetime(2024, 1, 7, 3).weekday(), datetime(2024, 1, 7, 3).toordinal()', () => Object.freeze([datetime(2024, 1, 7, 3).weekday(), datetime(2024, 1, 7, 3).toordinal()]))
  check('tuple(datetime(2027, 1, 1, 5).isocalendar())', () => datetime(2027, 1, 1, 5).isocalendar())
  check('datetime(2024, 1, 2, 3, 4, 5, 123456).isoformat()', () => datetime(2024, 1, 2, 3, 4, 5, 123456).isoformat())
  check("datetime(2024, 1, 2, 3, 4, 5, 123456).isoformat(timespec='milliseconds')", () => datetime(2024, 1, 2, 3, 4, 5, 123456).isoformat('T', 'milliseconds'))
  check("datetime(2024, 1, 2, 3, 4, 5, 123456, timezone.utc).isoformat(' ', 'minutes')", () => datetime(2024, 1, 2, 3, 4, 5, 123456, utc).isoformat(' ', 'minutes'))
  check("datetime(2024, 1, 2).isoformat(timespec='hours')", () => datetime(2024, 1, 2).isoformat('T', 'hours'))
  check("datetime(2024, 1, 2).isoformat(timespec='x')", () => datetime(2024, 1, 2).isoformat('T', 'x'))
  check("datetime(2024, 1, 2).isoformat(sep='ab')", () => datetime(2024, 1, 2).isoformat('ab'))
  check('datetime(2024, 1, 2, tzinfo=timezone(timedelta(hours=-2, seconds=15, microseconds=3))).isoformat()', () =>
    datetime(2024, 1, 2, 0, 0, 0, 0, new PyTimezone(td(0, -7185, 3))).isoformat())
  check('datetime(2024, 1, 2, 13, 4, 5).ctime()', () => datetime(2024, 1, 2, 13, 4, 5).ctime())
  check('datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc).utcoffset(), datetime(2024, 1, 2).utcoffset()', () =>
    Object.freeze([datetime(2024, 1, 2, 3, 4, 5, 0, utc).utcoffset(), datetime(2024, 1, 2).utcoffset()]))
  check('datetime(2024, 1, 2, tzinfo=timezone(timedelta(hours=2))).tzname(), datetime(2024, 1, 2).tzname()', () =>
    Object.freeze([datetime(2024, 1, 2, 0, 0, 0, 0, zone(7200)).tzname(), datetime(2024, 1, 2).tzname()]))
  check("datetime(2024, 1, 2, 3, 4, 5).replace(**{'hour': 23, 'tzinfo': timezone.utc})", () => datetime(2024, 1, 2, 3, 4, 5).replace({ hour: 23, tzinfo: utc }))
  check("datetime(2024, 1, 2, tzinfo=timezone.utc).replace(**{'tzinfo': None, 'year': 2020})", () =>
    datetime(2024, 1, 2, 0, 0, 0, 0, utc).replace(dictLike([['tzinfo', null], ['year', 2020]])))
  check("datetime(2024, 2, 29).replace(**{'year': 2023})", () => datetime(2024, 2, 29).replace({ year: 2023 }))
  check('datetime(2024, 1, 2).replace(foo=1)', () => datetime(2024, 1, 2).replace({ foo: 1 }))
  check('datetime(2024, 1, 2, 3, tzinfo=timezone.utc).astimezone(timezone(timedelta(hours=-5)))', () =>
    datetime(2024, 1, 2, 3, 0, 0, 0, utc).astimezone(zone(-18000)))
  check('datetime(2024, 1, 2, 3, tzinfo=timezone(timedelta(hours=9))).astimezone(timezone.utc)', () =>
    datetime(2024, 1, 2, 3, 0, 0, 0, zone(32400)).astimezone(utc))
  check('datetime(1, 1, 1, tzinfo=timezone.utc).astimezone(timezone(timedelta(hours=-5)))', () => datetime(1, 1, 1, 0, 0, 0, 0, utc).astimezone(zone(-18000)))
  check("datetime(2024, 1, 1).astimezone('x')", () => datetime(2024, 1, 1).astimezone('x'))
  check('datetime.min, datetime.max', () => Object.freeze([PyDateTime.min, PyDateTime.max]))
  check('datetime.fromordinal(738887)', () => PyDateTime.fromordinal(738887))
})

describe('timestamps (aware only)', () => {
  check('datetime(2024, 1, 2, 3, tzinfo=timezone.utc).timestamp()', () => datetime(2024, 1, 2, 3, 0, 0, 0, utc).timestamp())
  check('datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc).timestamp()', () => datetime(2024, 1, 2, 3, 4, 5, 123456, utc).timestamp())
  check('datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc).timestamp()', () => datetime(9999, 12, 31, 23, 59, 59, 999999, utc).timestamp())
  check('datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=timezone(timedelta(hours=1))).timestamp()', () =>
    datetime(1969, 12, 31, 23, 59, 59, 500000, zone(3600)).timestamp())
  check('datetime.fromtimestamp(1700000000, timezone.utc)', () => PyDateTime.fromtimestamp(1700000000, utc))
  check('datetime.fromtimestamp(1700000000.25, timezone(timedelta(hours=-3)))', () => PyDateTime.fromtimestamp(1700000000.25, zone(-10800)))
  check('datetime.fromtimestamp(1.0000005, timezone.utc)', () => PyDateTime.fromtimestamp(1.0000005, utc))
  check('datetime.fromtimestamp(-1.0000005, timezone.utc)', () => PyDateTime.fromtimestamp(-1.0000005, utc))
  check('datetime.fromtimestamp(1.9999999, timezone.utc)', () => PyDateTime.fromtimestamp(1.9999999, utc))
  check('datetime.fromtimestamp(True, timezone.utc)', () => PyDateTime.fromtimestamp(true, utc))
  check('datetime.fromtimestamp(-62135596800, timezone.utc)', () => PyDateTime.fromtimestamp(-62135596800, utc))
  check('datetime.fromtimestamp(-62135596801, timezone.utc)', () => PyDateTime.fromtimestamp(-62135596801, utc))
  check('datetime.fromtimestamp(1e12, timezone.utc)', () => PyDateTime.fromtimestamp(1e12, utc))
  check('datetime.fromtimestamp(1e19, timezone.utc)', () => PyDateTime.fromtimestamp(1e19, utc))
  check('datetime.fromtimestamp(253402300799, timezone(timedelta(hours=1)))', () => PyDateTime.fromtimestamp(253402300799, zone(3600)))
  check("datetime.fromtimestamp(float('nan'), timezone.utc)", () => PyDateTime.fromtimestamp(NaN, utc))
  check("datetime.fromtimestamp('x', timezone.utc)", () => PyDateTime.fromtimestamp('x', utc))
  check("datetime.fromtimestamp(1.5, 'x')", () => PyDateTime.fromtimestamp(1.5, 'x'))
  check('datetime.utcfromtimestamp(1700000000.25)', () => PyDateTime.utcfromtimestamp(1700000000.25))
  check('datetime.fromtimestamp(datetime(2024, 5, 6, 7, 8, 9, 10, timezone.utc).timestamp(), timezone.utc)', () =>
    PyDateTime.fromtimestamp(datetime(2024, 5, 6, 7, 8, 9, 10, utc).timestamp(), utc))
  check("datetime.now('x')", () => PyDateTime.now('x'))
  check('datetime.now(timezone.utc).tzinfo', () => PyDateTime.now(utc).tzinfo)
})

describe('fromisoformat', () => {
  for (const text of [
    '2024-01-02',
    '2024-01-02T03',
    '2024-01-02T0304',
    '2024-01-02T03:04:05',
    '2024-01-02 03:04:05.1',
    '2024-01-02 03:04:05,1234567',
    '2024-01-02 03:04:05.1234567x',
    '2024-01-02T03:04:05Z',
    '2024-01-02T03:04:05+00:00',
    '2024-01-02T03:04:05-05:30',
    '2024-01-02T03:04:05+0530',
    '2024-01-02T03:04:05+05',
    '2024-01-02T03:04:05+05:30:15.5',
    '2024-01-02T03:04:05+00:00:00.000001',
    '2024-01-02T03:04:05+5',
    '2024-01-02T',
    '2024-01-02X03:04',
    '2024-01-02é03:04',
    '20240102T030405',
    '2024-W01-2T03',
    '2024W012',
    '2024-W53',
    '2020-W53-7',
    '2024-02-30T01:00',
    '2024-01-02T24:00',
    '2024-01-02T03:04:05Z+01',
    '2024-01-02T03:04:05+24:00',
    '2024-01-02T03:04:05.+01:00',
    '2024-01-02T03:04:05:06',
    '2024-01-02T03:0405',
    '2024-1-02',
    ' 2024-01-02',
    '2024-01-02T03-01:00',
    '2024-01-02TZ',
    '0000-01-02',
    '2024-01',
  ]) {
    check(`datetime.fromisoformat(${JSON.stringify(text)})`, () => PyDateTime.fromisoformat(text))
  }
  check('datetime.fromisoformat(5)', () => PyDateTime.fromisoformat(5))
  check("datetime.fromisoformat(datetime(2024, 1, 2, 3, 4, 5, 6, timezone(timedelta(hours=-1))).isoformat())", () =>
    PyDateTime.fromisoformat(datetime(2024, 1, 2, 3, 4, 5, 6, zone(-3600)).isoformat()))
  check("datetime.fromisoformat(str(datetime(2024, 12, 31, 23, 59, 59, 999999)))", () => PyDateTime.fromisoformat(datetime(2024, 12, 31, 23, 59, 59, 999999).__str__()))
})

describe('strftime', () => {
  const moment = (): PyDateTime => datetime(2024, 1, 2, 13, 4, 5, 6, new PyTimezone(td(0, -17997)))
  const moment_py = 'datetime(2024, 1, 2, 13, 4, 5, 6, tzinfo=timezone(timedelta(hours=-5, seconds=3)))'
  for (const format of [
    '%Y-%m-%dT%H:%M:%S.%f%z %Z',
    '%a, %d %b %Y %H:%M:%S GMT',
    '%A %B %-d, %Y at %-I:%M %p',
    '%r|%R|%T|%h|%n|%t|%e|%j|%U|%W|%w|%u|%%|%k|%l|%P',
    '%Ez|%Od|%5d|%-5d|%_5d|%05e|%^B|%#B|%#p|%^p|%#Z|%10z|%10f|%10%|%^c',
    '%Ea|%EA|%Eb|%EB|%Ec|%EC|%Ed|%ED|%Ee|%EF|%EG|%Eg|%EH|%EI|%Ej|%Ek|%El|%Em|%EM|%En|%Ep|%EP|%Er|%ER|%ES|%Et|%ET|%Eu|%EU|%EV|%Ew|%EW|%Ex|%EX|%Ey|%EY|%E%',
    '%Oa|%OA|%Ob|%OB|%Oc|%OC|%Od|%OD|%Oe|%OF|%OG|%Og|%OH|%OI|%Oj|%Ok|%Ol|%Om|%OM|%On|%Op|%OP|%Or|%OR|%OS|%Ot|%OT|%Ou|%OU|%OV|%Ow|%OW|%Ox|%OX|%Oy|%OY|%O%',
    '%-',
    '%E',
    '100%% %q',
  ]) {
    check(`${moment_py}.strftime(${JSON.stringify(format)})`, () => moment().strftime(format))
  }
  check("datetime(2024, 12, 30, 0, 5).strftime('%G-W%V-%u %I %p %y')", () => datetime(2024, 12, 30, 0, 5).strftime('%G-W%V-%u %I %p %y'))
  check("datetime(2023, 1, 1, 12).strftime('%U %W %V %G %j %I%p')", () => datetime(2023, 1, 1, 12).strftime('%U %W %V %G %j %I%p'))
  check("datetime(2024, 1, 2, tzinfo=timezone.utc).strftime('%z %Z')", () => datetime(2024, 1, 2, 0, 0, 0, 0, utc).strftime('%z %Z'))
  check("datetime(2024, 1, 2).strftime('[%z][%Z]')", () => datetime(2024, 1, 2).strftime('[%z][%Z]'))
  check("datetime(2024, 1, 2, tzinfo=timezone(timedelta(0), '%H')).strftime('%Z')", () => datetime(2024, 1, 2, 0, 0, 0, 0, new PyTimezone(td(0), '%H')).strftime('%Z'))
  check("datetime(2024, 1, 2).strftime('%9999d')", () => datetime(2024, 1, 2).strftime('%9999d'))
})

describe('strptime', () => {
  for (const [text, format] of [
    ['2024-01-02', '%Y-%m-%d'],
    ['2024-01-02x', '%Y-%m-%d'],
    ['2024/01/02', '%Y-%m-%d'],
    ["it's", '%Y'],
    ['2024', '%Q'],
    ['2024', '%Y%'],
    ['2024', '%Y% '],
    ['2024', '%-d'],
    ['Tue, 02 JAN 2024 13:04:05 +0100', '%a, %d %b %Y %H:%M:%S %z'],
    ['Tuesday January 2 2024 1:04:05.5 PM', '%A %B %d %Y %I:%M:%S.%f %p'],
    ['24-01-02 12am', '%y-%m-%d %I%p'],
    ['69-01-02', '%y-%m-%d'],
    ['2024 366', '%Y %j'],
    ['2023 366', '%Y %j'],
    ['02/29', '%m/%d'],
    ['2024-02-30', '%Y-%m-%d'],
    ['2024-01-02T03:04:05Z', '%Y-%m-%dT%H:%M:%S%z'],
    ['2024-01-02t03:04:05z', '%Y-%m-%dT%H:%M:%S%z'],
    ['2024-01-02 03:04:05 +05:30:15.5', '%Y-%m-%d %H:%M:%S %z'],
    ['2024-01-02 03:04:05 +0530:15', '%Y-%m-%d %H:%M:%S %z'],
    ['2024-01-02 03:04:05 +05:3015', '%Y-%m-%d %H:%M:%S %z'],
    ['2024-01-02 03:04:05 -0000 UTC', '%Y-%m-%d %H:%M:%S %z %Z'],
    ['2024-01-02 gmt', '%Y-%m-%d %Z'],
    ['2024 1 2', '%G %V %u'],
    ['2024 1', '%G %V'],
    ['2024 1 2', '%Y %V %u'],
    ['2024 0 2', '%Y %U %w'],
    ['2024 10 3', '%Y %W %w'],
    ['2023 0 Sunday', '%Y %W %A'],
    ['Tue Jan  2 13:04:05 2024', '%c'],
    ['01/02/24 13:04:05', '%x %X'],
    ['2024%', '%Y%%'],
    ['2024   01', '%Y %m'],
    ['2024\t01', '%Y %m'],
    ['202401', '%Y%m'],
    ['2024 61', '%Y %S'],
    ['12 pm 5', '%I %p %M'],
    ['', ''],
    ['X(', 'x('],
    ['1.5', '%S.%f'],
    ['2024-01-02 03:04:05.123456', '%Y-%m-%d %H:%M:%S.%f'],
    ['Jun 1 2005  1:33PM', '%b %d %Y %I:%M%p'],
    ['9999-12-31 23:59:59 +2359', '%Y-%m-%d %H:%M:%S %z'],
    ['2024 2024', '%Y %Y'],
    ['Tue Jan  2 13:04:05 2024 02', '%c %d'],
  ]) {
    check(`datetime.strptime(${JSON.stringify(text)}, ${JSON.stringify(format)})`, () => PyDateTime.strptime(text, format))
  }
  check("datetime.strptime(5, '%Y')", () => PyDateTime.strptime(5, '%Y'))
  check("datetime.strptime('2024', 5)", () => PyDateTime.strptime('2024', 5))
  check("datetime.strptime(datetime(2024, 7, 8, 9, 10, 11, 12).strftime('%a %d %B %Y %H:%M:%S.%f'), '%a %d %B %Y %H:%M:%S.%f')", () =>
    PyDateTime.strptime(datetime(2024, 7, 8, 9, 10, 11, 12).strftime('%a %d %B %Y %H:%M:%S.%f'), '%a %d %B %Y %H:%M:%S.%f'))
})

describe('runtime protocols', () => {
  it('type names are Python’s', () => {
    expect([PyTimeDelta.name, PyTimezone.name, PyDate.name, PyDateTime.name]).toEqual(['timedelta', 'timezone', 'date', 'datetime'])
  })

  it('hash keys: equal values, equal keys', () => {
    expect(td(0, 0, 0, 0, 0, 24).__hashkey__()).toBe(td(1).__hashkey__())
    expect(datetime(2024, 1, 1, 12, 0, 0, 0, utc).__hashkey__()).toBe(datetime(2024, 1, 1, 14, 0, 0, 0, zone(7200)).__hashkey__())
    expect(datetime(2024, 1, 1).__hashkey__()).not.toBe(date(2024, 1, 1).__hashkey__())
    expect(datetime(2024, 1, 1).__hashkey__()).not.toBe(datetime(2024, 1, 1, 0, 0, 0, 0, utc).__hashkey__())
  })

  it('toJsDate: naive and dates as UTC, aware converted', () => {
    expect(date(2024, 1, 2).toJsDate().toISOString()).toBe('2024-01-02T00:00:00.000Z')
    expect(datetime(2024, 1, 2, 3, 4, 5, 678901).toJsDate().toISOString()).toBe('2024-01-02T03:04:05.678Z')
    expect(datetime(2024, 1, 2, 3, 0, 0, 0, zone(7200)).toJsDate().toISOString()).toBe('2024-01-02T01:00:00.000Z')
    expect(datetime(1, 1, 1).toJsDate().toISOString()).toBe('0001-01-01T00:00:00.000Z')
  })

  it('not comparable with other types', () => {
    expect(td(1).__compare__(1)).toBeUndefined()
    expect(date(2024, 1, 1).__compare__('2024-01-01')).toBeUndefined()
    expect(td(1).__add__(1)).toBeUndefined()
    expect(date(2024, 1, 1).__sub__(datetime(2024, 1, 1))).toBeUndefined()
    expect(datetime(2024, 1, 1).__sub__(date(2024, 1, 1))).toBeUndefined()
  })

  it('now/today/utcnow read the clock', () => {
    const before = Date.now()
    const aware = PyDateTime.now(utc)
    const after = Date.now()
    const ms = aware.toJsDate().getTime()
    expect(ms).toBeGreaterThanOrEqual(before - 1)
    expect(ms).toBeLessThanOrEqual(after + 1)
    expect(Math.abs(PyDateTime.utcnow().toJsDate().getTime() - Date.now())).toBeLessThan(1000)
    expect(PyDateTime.now().tzinfo).toBeNull()
    expect(PyDate.today()).toBeInstanceOf(PyDate)
    expect(PyDateTime.today()).toBeInstanceOf(PyDateTime)
  })
})
