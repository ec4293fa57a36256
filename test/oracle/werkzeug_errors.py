"""Flask 2.2 / Werkzeug 2.2 error responses, for test/runtime/errors.test.ts.

stdin:  [{"code": 404, "description": null | "text"}, ...]   (abort(code) / abort(code, text))
        plus {"redirect": "http://..."} items (a RequestRedirect raised by a view)
stdout: [{"status", "body", "headers": {name: value}} | {"error": "LookupError: ..."}]
Run with Debian's /usr/bin/python3.
"""
import json
import sys

from flask import Flask, abort
from werkzeug.exceptions import abort as werkzeug_abort
from werkzeug.routing import RequestRedirect

cases = json.load(sys.stdin)
app = Flask("errors_oracle")


@app.route("/case/<int:i>")
def case(i):
    item = cases[i]
    if "redirect" in item:
        raise RequestRedirect(item["redirect"])
    if item.get("description") is None:
        abort(item["code"])
    abort(item["code"], item["description"])


client = app.test_client()
out = []
for i, item in enumerate(cases):
    if "code" in item:
        try:
            werkzeug_abort(item["code"])
        except LookupError as e:
            out.append({"error": f"{type(e).__name__}: {e}"})
            continue
        except Exception:  # noqa: BLE001 - an HTTPException: render it through Flask below
            pass
    res = client.get(f"/case/{i}")
    headers = {k: v for k, v in res.headers.items() if k != "Content-Length"}
    out.append({"status": res.status_code, "body": res.get_data(as_text=True), "headers": headers})
json.dump(out, sys.stdout)
