import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/** Mixins and multiple inheritance in the usual MRO cases (issue 12): `class V(M1, M2, Base)`. */
const cases: Case[] = [
  { name: 'methods and class attributes from mixins, in MRO order', source: `class Base:\n    kind = "base"\n    def __init__(self, name):\n        self.name = name\n    def describe(self):\n        return f"{self.kind}:{self.name}"\n    def hello(self):\n        return "base hello"\n\nclass Loud:\n    kind = "loud"\n    def hello(self):\n        return self.name.upper() + "!"\n\nclass Polite:\n    kind = "polite"\n    greeting = "please"\n    def hello(self):\n        return "polite " + self.name\n    def ask(self):\n        return f"{self.greeting}, {self.hello()}"\n\nclass Person(Loud, Polite, Base):\n    pass\n\ndef f():\n    p = Person("ann")\n    return [p.hello(), p.ask(), p.describe(), p.kind, Person.greeting, isinstance(p, Loud), isinstance(p, Polite), isinstance(p, Base), isinstance(Base("x"), Loud)]` },
  { name: 'a diamond of mixins (C3 order) and mixins of mixins', source: `class Root:\n    def who(self):\n        return "root"\n    def tag(self):\n        return "root-tag"\n\nclass Left(Root):\n    def who(self):\n        return "left"\n\nclass Right(Root):\n    def who(self):\n        return "right"\n    def tag(self):\n        return "right-tag"\n\nclass Thing:\n    def __init__(self):\n        self.made = True\n\nclass Both(Left, Right, Thing):\n    pass\n\ndef f():\n    b = Both()\n    return [b.who(), b.tag(), b.made, isinstance(b, Root), isinstance(b, Right), isinstance(Left(), Right)]` },
  { name: 'a subclass __init__ calling super().__init__ past mixins', source: `class Named:\n    def label(self):\n        return "<" + self.name + ">"\n\nclass Item:\n    def __init__(self, name, qty=1):\n        self.name = name\n        self.qty = qty\n\nclass Product(Named, Item):\n    def __init__(self, name, price):\n        super().__init__(name, 2)\n        self.price = price\n\ndef f():\n    p = Product("pen", 3)\n    return [p.label(), p.qty, p.price, isinstance(p, Named)]` },
  { name: 'exceptions with a mixin are caught by either class', source: `class Coded:\n    code = 400\n    def payload(self):\n        return {"code": self.code, "error": str(self)}\n\nclass Invalid(Coded, ValueError):\n    code = 422\n\ndef f():\n    out = []\n    try:\n        raise Invalid("bad value")\n    except Invalid as e:\n        out.append([e.payload(), isinstance(e, Coded)])\n    try:\n        raise Invalid("again")\n    except ValueError as e:\n        out.append(["ValueError", str(e)])\n    return out` },
]

describe('mixins behave as in Python', async () => {
  await differentialSuite(cases)
})
