import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/** The project's own exception classes, as error handlers use them (issue 12). */
const cases: Case[] = [
  {
    name: 'Flask docs APIError with Exception.__init__(self) and class-attribute defaults',
    source: `class APIError(Exception):\n    status_code = 400\n    message = "bad request"\n\n    def __init__(self, message=None, status_code=None, payload=None):\n        Exception.__init__(self)\n        if message is not None:\n            self.message = message\n        if status_code is not None:\n            self.status_code = status_code\n        self.payload = payload\n\n    def to_dict(self):\n        rv = dict(self.payload or ())\n        rv["message"] = self.message\n        return rv\n\nclass NotFoundError(APIError):\n    status_code = 404\n\nclass Legacy(APIError):\n    def __init__(self, what):\n        APIError.__init__(self, f"legacy {what}", status_code=410)\n\ndef f():\n    a = APIError(payload={"n": 1})\n    b = NotFoundError("gone")\n    l = Legacy("x")\n    return [str(a), list(a.args), a.to_dict(), a.status_code, b.to_dict(), b.status_code, str(b), l.to_dict(), l.status_code, isinstance(l, APIError), APIError.status_code]`,
  },
  {
    name: 'subclasses of Werkzeug HTTP exceptions: code, description, super().__init__(description=...)',
    source: `from werkzeug.exceptions import HTTPException, NotFound\n\nclass Teapot(HTTPException):\n    code = 418\n    description = "short and stout"\n\nclass MissingThing(NotFound):\n    description = "no such thing"\n    def __init__(self, thing):\n        super().__init__(description=f"no {thing}")\n        self.thing = thing\n\nclass Plain(NotFound):\n    pass\n\ndef f():\n    t = Teapot()\n    m = MissingThing("spoon")\n    p = Plain()\n    return [str(t), t.code, t.description, t.name, str(Teapot("custom")), str(m), m.code, m.description, m.thing, isinstance(m, NotFound), isinstance(t, HTTPException), str(p), p.description[:20], p.code]`,
  },
  {
    name: 'exceptions raised and caught by the project class',
    source: `class AppError(Exception):\n    def __init__(self, message, status_code=500):\n        super().__init__(message)\n        self.message = message\n        self.status_code = status_code\n\nclass Conflict(AppError):\n    def __init__(self, what):\n        super().__init__(f"{what} exists", 409)\n\ndef f():\n    out = []\n    for make in [lambda: Conflict("ann"), lambda: AppError("boom")]:\n        try:\n            raise make()\n        except Conflict as e:\n            out.append(["conflict", e.status_code, str(e)])\n        except AppError as e:\n            out.append(["app", e.status_code, e.message])\n    return out`,
  },
]

describe("the project's exception classes behave as in Python", async () => {
  await differentialSuite(cases, { flask: true })
})
