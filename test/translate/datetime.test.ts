import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/** The datetime basics a handler uses, against real Python (no `now()`: results must be fixed). */
const cases: Case[] = [
  {
    name: 'construct, read fields, str and isoformat',
    source: `from datetime import datetime\ndef f():\n    d = datetime(2024, 2, 29, 13, 5, 9)\n    return [d.year, d.month, d.day, d.hour, d.minute, d.second, str(d), d.isoformat(), repr(d), d.weekday(), d.isoweekday()]`,
  },
  {
    name: 'module import form and date',
    source: `import datetime\ndef f():\n    d = datetime.date(2023, 12, 31)\n    t = datetime.datetime(2023, 12, 31, 23, 59, 59, 500000)\n    return [str(d), d.isoformat(), str(t), t.isoformat(), str(t.date()), repr(d)]`,
  },
  {
    name: 'timedelta arithmetic and total_seconds',
    source: `from datetime import datetime, timedelta\ndef f():\n    start = datetime(2024, 1, 31, 22, 0)\n    later = start + timedelta(hours=3, minutes=30)\n    gap = later - start\n    return [str(later), str(gap), gap.total_seconds(), gap.days, gap.seconds, str(start - timedelta(days=31)), str(timedelta(days=-1, seconds=5)), str(gap * 2), gap / timedelta(minutes=30)]`,
  },
  {
    name: 'strftime and strptime',
    source: `from datetime import datetime\ndef f():\n    d = datetime.strptime("2024-03-05 07:08:09", "%Y-%m-%d %H:%M:%S")\n    return [d.strftime("%d/%m/%Y %H:%M"), d.strftime("%a %b %d %I%p %j %%"), d.strftime("%A %B %y")]`,
  },
  {
    name: 'strptime mismatch raises ValueError',
    source: `from datetime import datetime\ndef f():\n    return str(datetime.strptime("2024/03/05", "%Y-%m-%d"))`,
  },
  {
    name: 'fromisoformat and timezones',
    source: `from datetime import datetime, timezone, timedelta\ndef f():\n    a = datetime.fromisoformat("2024-05-06T07:08:09+02:00")\n    b = datetime(2024, 5, 6, 5, 8, 9, tzinfo=timezone.utc)\n    return [a.isoformat(), str(b), a == b, a.astimezone(timezone.utc).isoformat(), b.timestamp(), str(datetime.fromtimestamp(0, tz=timezone.utc)), str(timezone(timedelta(hours=-3)))]`,
  },
  {
    name: 'invalid dates raise Python errors',
    source: `from datetime import date\ndef f():\n    out = []\n    for month, day in [(2, 29), (13, 1), (4, 31)]:\n        try:\n            date(2023, month, day)\n        except ValueError as e:\n            out.append(str(e))\n    return out`,
  },
  {
    name: 'comparisons, sorting and dict keys',
    source: `from datetime import date, timedelta\ndef f():\n    days = [date(2024, 1, 3), date(2023, 12, 31), date(2024, 1, 1)]\n    seen = {date(2024, 1, 1): "new year"}\n    return [[str(d) for d in sorted(days)], str(max(days)), date(2024, 1, 1) in seen, seen[date(2024, 1, 1)], days[0] > days[1], (days[0] - days[1]).days, str(days[1] + timedelta(days=1))]`,
  },
  {
    name: 'isinstance against datetime classes',
    source: `from datetime import datetime, date, timedelta\ndef f():\n    d = datetime(2024, 1, 1)\n    return [isinstance(d, datetime), isinstance(d, date), isinstance(d.date(), datetime), isinstance(timedelta(1), timedelta)]`,
  },
  {
    name: 'f-strings with date formats',
    source: `from datetime import datetime\ndef f():\n    d = datetime(2024, 7, 4, 9, 30)\n    return [f"{d:%Y-%m-%d}", f"{d}", f"{d.date()}", "{:%H:%M}".format(d), "%s" % d]`,
  },
  {
    name: 'naive and aware cannot be compared',
    source: `from datetime import datetime, timezone\ndef f():\n    return datetime(2024, 1, 1) < datetime(2024, 1, 1, tzinfo=timezone.utc)`,
  },
  {
    name: 'json.dumps of a datetime is a TypeError',
    source: `import json\nfrom datetime import date\ndef f():\n    return json.dumps({"d": date(2024, 1, 1)})`,
  },
]

describe('datetime basics behave as in Python', async () => {
  await differentialSuite(cases)
})
