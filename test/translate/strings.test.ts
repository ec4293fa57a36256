import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

const cases: Case[] = [
  { name: 'str of float keeps .0', source: `def f():\n    x = 3.0\n    return [str(x), str(1e16), str(0.1), str(1e-05), str(-2.5)]` },
  { name: 'str of int, bool, None, list', source: `def f():\n    return [str(3), str(True), str(None), str([1, "a", None, (1,)]), str({"a": [True]})]` },
  { name: 'f-string with format specs', source: `def f():\n    x = 3.14159\n    n = 1234567\n    s = "ab"\n    return f"{x:.2f}|{n:,}|{s:>5}|{s:*^6}|{n:08d}|{x:e}|{0.5:%}|{255:#x}|{s!r}"` },
  { name: 'f-string nested spec and escaped braces', source: `def f():\n    w = 6\n    v = 2.5\n    return f"{{{v:{w}.1f}}}"` },
  { name: 'f-string of float value', source: `def f():\n    v = 2.0\n    return f"v={v}"` },
  { name: 'percent formatting', source: `def f():\n    return "%5.2f|%-4d|%s|%r|%03d|%x" % (3.14159, 42, None, "a", 7, 255)` },
  { name: 'percent formatting single value and mapping', source: `def f():\n    return ["%s!" % "hi", "%(a)s-%(b)d" % {"a": "x", "b": 2}]` },
  { name: 'percent formatting errors', source: `def f():\n    return "%s %s" % ("a",)` },
  { name: 'str.format', source: `def f():\n    return "{} {name} {0} {1:>3}".format("a", 5, name="n")` },
  { name: 'banker rounding in format', source: `def f():\n    return [format(2.5, ".0f"), format(0.125, ".2f"), format(1.005, ".2f"), round(2.5), round(3.5), round(0.125, 2)]` },
  { name: 'title, strip, split, join', source: `def f():\n    s = "  hello wORLD o'neil  "\n    return [s.title(), s.strip(), s.split(), "a,b,,c".split(","), "a,b,c".split(",", 1), ", ".join(["x", "y"])]` },
  { name: 'join with non-str raises', source: `def f():\n    return ", ".join(["a", 1])` },
  { name: 'str methods', source: `def f():\n    s = "Hello"\n    return [s.lower(), s.upper(), s.startswith("He"), s.endswith("lo"), s.find("l"), s.replace("l", "L"), s.count("l"), s.zfill(8), s.center(9, "*"), s.isalpha(), "42".isdigit()]` },
  { name: 'str index errors', source: `def f():\n    return "abc".index("z")` },
  { name: 'negative indexes and slices with steps', source: `def f():\n    s = "abcdef"\n    l = [1, 2, 3, 4, 5]\n    return [s[-1], s[1:4], s[::-1], s[::2], l[-2], l[1:], l[:-1], l[::-2], l[10:], l[-100:2]]` },
  { name: 'index out of range', source: `def f():\n    l = [1]\n    return l[3]` },
  { name: 'int parsing error message', source: `def f():\n    return int("zz")` },
  { name: 'int and float parsing', source: `def f():\n    return [int("  12 "), int("-3"), int("1_000"), float("1.5"), float("  -2 "), int(3.9), int("ff", 16)]` },
  { name: 'float parsing error', source: `def f():\n    return float("abc")` },
  { name: 'repr of strings', source: `def f():\n    return [repr("a'b"), repr('a"b'), repr("x\\ny")]` },
  { name: 'string in string', source: `def f():\n    q = "ell"\n    return [q in "hello", "" in "x"]` },
]

describe('strings and formatting behave as in Python', async () => {
  await differentialSuite(cases)
})
