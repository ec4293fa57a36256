import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/** Flask's and Werkzeug's Response built directly (issue 12): status, headers, content type and body as Werkzeug makes them. */
const show = `\n\ndef show(r):\n    return [r.status, r.status_code, r.headers.get("Content-Type"), r.mimetype, r.data.decode(), r.headers.get("Content-Length"), r.headers.get("X-Extra")]`
const cases: Case[] = [
  { name: 'text with a mimetype', source: `from flask import Response\n\ndef f():\n    return show(Response("hello", mimetype="text/plain"))${show}` },
  { name: 'status only (204), and the default text/html', source: `from flask import Response\n\ndef f():\n    return [show(Response(status=204)), show(Response("<p>x</p>"))]${show}` },
  { name: 'JSON text with status, headers and content_type', source: `import json\nfrom flask import Response\n\ndef f():\n    body = {"id": 3, "tags": ["a"]}\n    r = Response(json.dumps(body), status=201, headers={"X-Extra": "yes", "Location": "/items/3"}, content_type="application/json")\n    return show(r) + [r.headers["Location"], r.is_json, r.get_json()]${show}` },
  { name: 'positional status and headers as a list of pairs', source: `from flask import Response\n\ndef f():\n    return show(Response("gone", 410, [("X-Extra", "1")]))${show}` },
  { name: 'a status line and a mimetype that takes no charset', source: `from flask import Response\n\ndef f():\n    return [show(Response("x", status="299 Custom")), show(Response("{}", mimetype="application/json")), show(Response("<a/>", mimetype="application/xml"))]${show}` },
  { name: 'bytes bodies', source: `from flask import Response\n\ndef f():\n    data = "héllo".encode()\n    return [show(Response(data)), show(Response(b"\\x00ab", mimetype="application/octet-stream")), show(Response(b"x" + b"y"))]${show}` },
  { name: 'a list of chunks and None', source: `from flask import Response\n\ndef f():\n    return [show(Response(["a", "b", b"c"])), show(Response(None, status=200))]${show}` },
  { name: 'Werkzeug Response defaults to text/plain', source: `from werkzeug.wrappers import Response\n\ndef f():\n    return show(Response("plain"))${show}` },
  { name: 'flask.Response through the module', source: `import flask\n\ndef f():\n    return show(flask.Response("m", status=202))${show}` },
  { name: 'mutating a built response', source: `from flask import Response\n\ndef f():\n    r = Response("a")\n    r.status_code = 418\n    r.headers["X-Extra"] = "set"\n    r.mimetype = "text/csv"\n    r.set_data("a,b")\n    return show(r)${show}` },
  { name: 'project subclasses: default_mimetype, charset, default_status', source: `from flask import Response\n\nclass TextResponse(Response):\n    default_mimetype = "text/plain"\n\nclass Latin1(TextResponse):\n    charset = "latin-1"\n\nclass Accepted(Response):\n    default_status = 202\n    def describe(self):\n        return f"{self.status_code} {self.mimetype}"\n\ndef f():\n    latin = Latin1("café")\n    a = Accepted("ok")\n    return [show(TextResponse("t")), latin.headers.get("Content-Type"), latin.headers.get("Content-Length"), len(latin.get_data()), show(a), a.describe(), show(TextResponse("j", mimetype="application/json")), isinstance(latin, Response)]${show}` },
]

describe('Response built directly behaves as in Flask', async () => {
  await differentialSuite(cases, { flask: true })
})
