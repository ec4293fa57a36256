import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/**
 * The standard-library pieces handlers use for data and text (issue 12): decimal, textwrap and
 * random, against real Python. random is CPython's Mersenne Twister: a seeded generator's values
 * are compared as they are; unseeded ones by their range.
 */
const cases: Case[] = [
  {
    name: 'textwrap.dedent and indent',
    source: `import textwrap\ndef f():\n    text = "    first\\n      second\\n\\n    third\\n"\n    mixed = "  a\\n\\tb\\n"\n    return [textwrap.dedent(text), textwrap.dedent(mixed), textwrap.dedent("  x\\n   \\n  y"), textwrap.indent("a\\n\\nb\\r\\nc", "> "), textwrap.indent("a\\n b", "+", lambda line: line.startswith(" ")), textwrap.indent("", "x")]`,
  },
  {
    name: 'textwrap.wrap and fill: hyphens, long words, indents, whitespace',
    source: `from textwrap import wrap, fill\ndef f():\n    text = "The well-known quick brown fox -- a fox of some renown -- jumps over the extraordinarily-long-hyphenated dog.\\tTabs\\tand\\nnewlines too."\n    return [wrap(text, 20), wrap(text, width=12, break_on_hyphens=False), fill(text, 30, initial_indent="* ", subsequent_indent="  "), wrap("supercalifragilisticexpialidocious word", 10), wrap("supercalifragilisticexpialidocious word", 10, break_long_words=False), wrap("  leading and trailing  ", 8, drop_whitespace=False), wrap("", 10), fill("a b c d e f g", 3), wrap("one two three four five six", 12, max_lines=2), wrap("End. Next one! Go", 40, fix_sentence_endings=True)]`,
  },
  {
    name: 'textwrap.shorten and its errors',
    source: `import textwrap\ndef f():\n    out = [textwrap.shorten("Hello  world!", width=12), textwrap.shorten("Hello  world!", width=11), textwrap.shorten("The quick brown fox jumps over the lazy dog", 25, placeholder="..."), textwrap.shorten("   spaced    out   ", 50)]\n    try:\n        textwrap.shorten("abc def", 3)\n    except ValueError as e:\n        out.append(str(e))\n    try:\n        textwrap.wrap("abc", 0)\n    except ValueError as e:\n        out.append(str(e))\n    return out`,
  },
  {
    name: 'random with a seed gives CPython values',
    source: `import random\ndef f():\n    random.seed(42)\n    deck = list(range(10))\n    random.shuffle(deck)\n    out = [random.random(), random.randint(1, 6), random.randrange(10), random.randrange(0, 100, 5), random.choice("abcdef"), deck, random.sample(range(1000), 5), random.sample(["a", "b", "c", "d"], 2), random.uniform(1, 2), random.choices(["x", "y", "z"], weights=[5, 1, 1], k=6), random.choices("ab", k=3), random.getrandbits(12), random.getrandbits(45)]\n    random.seed("a string seed")\n    out.append(random.random())\n    random.seed(2 ** 40 + 3)\n    out.append(random.randint(-5, 5))\n    rng = random.Random(7)\n    out.append([rng.random(), rng.randint(1, 100), rng.choice([10, 20, 30])])\n    return out`,
  },
  {
    name: 'random without a seed stays in range; errors as Python raises them',
    source: `import random\ndef f():\n    xs = [random.random() for _ in range(50)]\n    ns = [random.randint(3, 5) for _ in range(50)]\n    out = [all(0 <= x < 1 for x in xs), all(n in (3, 4, 5) for n in ns), sorted(random.sample([1, 2, 3], 3))]\n    for bad in [lambda: random.choice([]), lambda: random.randint(5, 1), lambda: random.sample([1], 2), lambda: random.sample({1, 2}, 1), lambda: random.randrange(0)]:\n        try:\n            bad()\n        except (IndexError, ValueError, TypeError) as e:\n            out.append([type(e).__name__, str(e)])\n    return out`,
  },
  {
    name: 'Decimal arithmetic keeps trailing zeros and rounds to 28 digits',
    source: `from decimal import Decimal\ndef f():\n    a = Decimal("1.10")\n    b = Decimal("2.205")\n    return [str(a + b), str(a * b), str(a - b), str(b - b), str(Decimal(1) / Decimal(3)), str(Decimal("10") / Decimal("4")), str(Decimal("1.00") / 3), str(a * 3), str(2 - a), str(Decimal("7") // 2), str(Decimal("-7") // 2), str(Decimal("-7") % 3), str(-a), str(abs(Decimal("-0.5"))), str(Decimal("1.5") ** 2), str(sum([Decimal("0.1")] * 3)), str(Decimal("0.1") + Decimal("0.2") == Decimal("0.3")), repr(Decimal("3.14")), str(Decimal(0.1)), str(Decimal("1e-7")), str(Decimal("1.5e3")), str(Decimal("123E+5")), str(Decimal(" -0.000 ")), str(Decimal(5)), str(Decimal("1_000.5"))]`,
  },
  {
    name: 'Decimal quantize with ROUND_HALF_UP and ROUND_HALF_EVEN, comparison, conversions',
    source: `from decimal import Decimal, ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN, ROUND_CEILING\nimport decimal\ndef f():\n    cent = Decimal("0.01")\n    values = [Decimal(v) for v in ["2.675", "2.665", "-2.675", "0.005", "0.015", "1234.5"]]\n    return [[str(v.quantize(cent, rounding=ROUND_HALF_UP)) for v in values], [str(v.quantize(cent, rounding=ROUND_HALF_EVEN)) for v in values], [str(v.quantize(cent)) for v in values], str(Decimal("2.679").quantize(cent, ROUND_DOWN)), str(Decimal("2.671").quantize(cent, rounding=ROUND_CEILING)), str(Decimal("1234.5").quantize(Decimal("1"), rounding=decimal.ROUND_HALF_UP)), str(Decimal("7").quantize(Decimal("0.00"))), Decimal("1.0") == Decimal("1.00"), Decimal("1.5") == 1.5, Decimal("2") == 2, 2 == Decimal("2.0"), Decimal("1.1") < Decimal("1.2"), Decimal("3") > 2, [str(d) for d in sorted([Decimal("2.5"), Decimal("-1"), Decimal("10")])], str(max(Decimal("1"), Decimal("1.5"))), int(Decimal("-3.99")), float(Decimal("2.5")), round(Decimal("2.5")), str(round(Decimal("3.14159"), 2)), bool(Decimal("0.00")), isinstance(Decimal("1"), Decimal), f"{Decimal('1234.5'):,.2f}", f"{Decimal('2.675'):.2f}", "%s" % Decimal("9.90"), "{:.1f}|{}".format(Decimal("0.25"), Decimal("1E+2")), "%.2f" % Decimal("1.005"), {Decimal("1.0"): "one"}[Decimal("1")], {1: "int"}[Decimal("1.00")], Decimal("0.5") in {0.5}, Decimal("0.1") in {0.1}, len({Decimal("2"), Decimal("2.0"), 2})]`,
  },
  {
    name: 'Decimal errors: bad text, float operands, division by zero',
    source: `from decimal import Decimal, InvalidOperation\ndef f():\n    out = []\n    for text in ["abc", "1.2.3", "", "12"]:\n        try:\n            out.append(str(Decimal(text)))\n        except InvalidOperation as e:\n            out.append(["invalid", text])\n    try:\n        Decimal("1") + 1.5\n    except TypeError as e:\n        out.append(str(e))\n    try:\n        Decimal("1") / 0\n    except ZeroDivisionError as e:\n        out.append("division by zero")\n    try:\n        Decimal("0") / Decimal("0")\n    except InvalidOperation:\n        out.append("undefined")\n    return out`,
  },
]

describe('decimal, textwrap and random behave as in Python', async () => {
  await differentialSuite(cases)
})
