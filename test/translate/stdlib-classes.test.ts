import { describe, expect, it } from 'vitest'
import { parsePython } from '../../src/parse/index.js'
import { translateSymbols } from '../../src/translate/index.js'
import { differentialSuite, type Case } from './harness.js'

/**
 * Classes the standard library makes (issue 12): enums, dataclasses and named tuples, against
 * real Python: members and lookups, generated constructors, reprs and equality, tuple behaviour.
 */
const cases: Case[] = [
  {
    name: 'Enum members: name, value, lookup by value and by name, iteration, comparison',
    source: `from enum import Enum\nclass Color(Enum):\n    RED = 1\n    GREEN = 2\n    BLUE = 3\n    CRIMSON = 1\n    def describe(self):\n        return f"{self.name.lower()}={self.value}"\ndef f():\n    c = Color(2)\n    return [c.name, c.value, Color["BLUE"].value, Color.RED.describe(), [m.name for m in Color], len(Color), Color.CRIMSON is Color.RED, Color.RED == Color.RED, Color.RED == 1, Color.RED != Color.GREEN, str(Color.GREEN), repr(Color.BLUE), Color.RED in Color, isinstance(Color.RED, Color), f"{Color.GREEN}", list(Color)[1].name, {Color.RED: "r"}[Color.RED], Color(Color.BLUE).name, Color["CRIMSON"].name]`,
  },
  {
    name: 'Enum lookups that fail',
    source: `from enum import Enum\nclass Status(Enum):\n    OPEN = "open"\n    DONE = "done"\ndef f():\n    out = [Status("open").name]\n    try:\n        Status("nope")\n    except ValueError as e:\n        out.append(str(e))\n    try:\n        Status["NOPE"]\n    except KeyError as e:\n        out.append(str(e))\n    return out`,
  },
  {
    name: 'IntEnum and StrEnum behave as their values; auto()',
    source: `from enum import IntEnum, StrEnum, Enum, auto\nclass Priority(IntEnum):\n    LOW = 1\n    HIGH = 3\nclass Mode(StrEnum):\n    FAST = auto()\n    SAFE = "safe"\nclass Step(Enum):\n    ONE = auto()\n    TWO = auto()\ndef f():\n    return [Priority.HIGH == 3, Priority.LOW < Priority.HIGH, Priority.HIGH > 2, Priority.HIGH + 1, str(Priority.HIGH), f"{Priority.LOW}", repr(Priority.LOW), Priority(3).name, int(Priority.HIGH), sorted([Priority.HIGH, Priority.LOW])[0].name, Mode.FAST.value, Mode.SAFE == "safe", str(Mode.SAFE), f"mode={Mode.FAST}", Mode("safe").name, [s.value for s in Step], repr(Mode.SAFE), Mode.SAFE.upper(), Mode.FAST.startswith("fa"), len(Mode.SAFE), Mode.SAFE + "!", "mode:" + Mode.FAST, {"safe": 1}[Mode.SAFE], {Priority.HIGH: "h"}[3], 3 in {Priority.HIGH}, Mode.SAFE in {"safe", "x"}]`,
  },
  {
    name: 'dataclass: generated __init__, defaults, default_factory, repr, eq, asdict, methods, __post_init__',
    source: `from dataclasses import dataclass, field, asdict, astuple, replace\nimport dataclasses\n@dataclass\nclass Item:\n    name: str\n    price: float = 0.0\n    tags: list = field(default_factory=list)\n    qty: int = 1\n    def total(self):\n        return self.price * self.qty\n@dataclass\nclass Order:\n    id: int\n    items: list = field(default_factory=list)\n    note: str = field(default="", repr=False)\n    def __post_init__(self):\n        self.count = len(self.items)\ndef f():\n    a = Item("pen", 1.5, qty=4)\n    b = Item("pen", 1.5, [], 4)\n    c = Item(name="ink")\n    c.tags.append("x")\n    o = Order(7, [a, c], note="hi")\n    return [repr(a), a == b, a == c, a.total(), c.tags, Item("z").tags, asdict(o), astuple(a), repr(o), o.count, replace(a, qty=2).total(), dataclasses.is_dataclass(a), [f.name for f in dataclasses.fields(Item)], Item.price, str(c)]`,
  },
  {
    name: 'frozen and ordered dataclasses',
    source: `from dataclasses import dataclass, FrozenInstanceError\n@dataclass(frozen=True, order=True)\nclass Version:\n    major: int\n    minor: int = 0\ndef f():\n    v = Version(1, 2)\n    out = [v < Version(1, 3), Version(2) > v, sorted([Version(2), Version(1, 5), Version(1)]) == [Version(1), Version(1, 5), Version(2)], v == Version(1, 2), repr(v)]\n    try:\n        v.major = 3\n    except FrozenInstanceError as e:\n        out.append(str(e))\n    return out`,
  },
  {
    name: 'dataclass inheritance: base fields first, a redefined default, __post_init__ once',
    source: `from dataclasses import dataclass, field, asdict\nLOG = []\n@dataclass\nclass Base:\n    id: int\n    kind: str = "base"\n    def __post_init__(self):\n        LOG.append(self.id)\n@dataclass\nclass User(Base):\n    name: str = ""\n    kind: str = "user"\n    roles: list = field(default_factory=list)\nclass Plain(Base):\n    def hello(self):\n        return f"{self.id}:{self.kind}"\ndef f():\n    u = User(1, name="ana")\n    v = User(2, "admin", "bo", ["x"])\n    p = Plain(3)\n    return [repr(u), asdict(v), LOG, p.hello(), repr(p), u == User(1, "user", "ana", []), u == Base(1, "user"), isinstance(u, Base)]`,
  },
  {
    name: 'namedtuple and typing.NamedTuple: fields, indexing, unpacking, _asdict, _replace, repr',
    source: `from collections import namedtuple\nfrom typing import NamedTuple\nPoint = namedtuple("Point", ["x", "y"])\nPair = namedtuple("Pair", "left right", defaults=[None])\nclass Employee(NamedTuple):\n    name: str\n    dept: str = "eng"\n    def badge(self):\n        return f"{self.name}@{self.dept}"\ndef f():\n    p = Point(1, 2)\n    x, y = p\n    e = Employee("ana")\n    return [p.x, p[1], x + y, len(p), repr(p), p == (1, 2), p._asdict(), repr(p._replace(y=5)), list(p), repr(Pair("a")), e.name, e[1], e.badge(), repr(e), e._asdict(), repr(e._replace(dept="ops")), isinstance(p, tuple), Point._fields, sum(p), max(Employee("b", "x"), e)]`,
  },
]

cases.push({
  name: 'typing: annotations ignored, cast() is its value, NamedTuple and Optional imported together',
  source: `from typing import Optional, List, Dict, Any, cast\nimport typing\ndef f(x: Optional[int] = None, ys: List[str] = None) -> Dict[str, Any]:\n    out: Dict[str, Any] = {"x": x, "ys": ys}\n    n: int = cast(int, "3")\n    out["n"] = typing.cast(str, n) * 2\n    return out`,
})

describe('enums, dataclasses and named tuples behave as in Python', async () => {
  await differentialSuite(cases)
})

/** What the library classes do not carry: reported at the construct, never mistranslated. */
const unsupported: { name: string; source: string; ruleId: string; at: [number, number] }[] = [
  { name: 'a mutable dataclass default (a ValueError in Python)', source: `from dataclasses import dataclass\n@dataclass\nclass A:\n    xs: list = []\ndef f():\n    return A()`, ruleId: 'unsupported-class-feature', at: [4, 16] },
  { name: 'a dataclass default that is not a literal (evaluated once in Python)', source: `from dataclasses import dataclass\nimport time\n@dataclass\nclass A:\n    at: float = time.time()\ndef f():\n    return A()`, ruleId: 'unsupported-class-feature', at: [5, 17] },
  { name: 'a dataclass field without a default after one with a default', source: `from dataclasses import dataclass\n@dataclass\nclass A:\n    x: int = 0\n    y: int\ndef f():\n    return A(1, 2)`, ruleId: 'unsupported-class-feature', at: [5, 5] },
  { name: 'a frozen dataclass inheriting from a non-frozen one', source: `from dataclasses import dataclass\n@dataclass\nclass Base:\n    x: int\n@dataclass(frozen=True)\nclass A(Base):\n    y: int = 0\ndef f():\n    return A(1)`, ruleId: 'unsupported-class-feature', at: [6, 9] },
  { name: 'a dataclass with a base class', source: `from dataclasses import dataclass\nclass Base:\n    pass\n@dataclass\nclass A(Base):\n    x: int\ndef f():\n    return A(1)`, ruleId: 'unsupported-class-feature', at: [5, 9] },
  { name: 'field() options beyond default, default_factory, init, repr and compare', source: `from dataclasses import dataclass, field\n@dataclass\nclass A:\n    x: int = field(default=0, metadata={"k": 1})\ndef f():\n    return A()`, ruleId: 'unsupported-class-feature', at: [4, 31] },
  { name: 'a NamedTuple field named as an array member', source: `from typing import NamedTuple\nclass Stat(NamedTuple):\n    values: list\ndef f():\n    return Stat(1)`, ruleId: 'unsupported-class-feature', at: [3, 5] },
  { name: 'a namedtuple() field named as an array member', source: `from collections import namedtuple\nRow = namedtuple("Row", "id length")\ndef f():\n    return Row(1, 2)`, ruleId: 'unsupported-stdlib-call', at: [2, 25] },
  { name: 'a Decimal context change', source: `import decimal\ndef f():\n    decimal.getcontext().prec = 6\n    return decimal.Decimal(1) / 7`, ruleId: 'unsupported-stdlib-call', at: [3, 5] },
  { name: 'random.sample(counts=)', source: `import random\ndef f():\n    return random.sample(["a", "b"], 2, counts=[1, 1])`, ruleId: 'unsupported-stdlib-call', at: [3, 41] },
]

describe('library classes report what they do not carry', () => {
  for (const c of unsupported) {
    it(c.name, () => {
      const { modules, findings } = translateSymbols({ modules: [{ name: 'm', file: 'm.py', source: c.source, tree: parsePython(c.source) }] }, [{ module: 'm', name: 'f' }])
      const code = modules.map((m) => m.code).join('\n')
      expect(findings.length, code).toBeGreaterThan(0)
      const [finding] = findings
      expect({ ruleId: finding.ruleId, line: finding.location.line, column: finding.location.column }, finding.message).toEqual({ ruleId: c.ruleId, line: c.at[0], column: c.at[1] })
    })
  }
})
