"""Flask 2.2's url_for for a rule table, for test/runtime/router.test.ts (urlFor).

stdin:  {"rules": [{"rule", "endpoint", "methods", "defaults"?}],
         "cases": [{"endpoint", "values", "method"?, "external"?, "anchor"?, "scheme"?}]}
stdout: one result per case: {"url": "..."} or {"error": "BuildError" | "ValueError" | ...}
url_for runs inside a request to http://localhost/ (test_request_context).
Run with Debian's /usr/bin/python3.
"""
import json
import sys

from flask import Flask, url_for

table = json.load(sys.stdin)
app = Flask("build_oracle")


def view(**kwargs):
    return ""


for spec in table["rules"]:
    app.add_url_rule(
        spec["rule"],
        endpoint=spec["endpoint"],
        view_func=view,
        methods=spec["methods"],
        defaults=spec.get("defaults"),
    )

out = []
with app.test_request_context("/"):
    for case in table["cases"]:
        kwargs = dict(case["values"])
        for key in ("method", "external", "anchor", "scheme"):
            if key in case:
                kwargs[f"_{key}"] = case[key]
        try:
            out.append({"url": url_for(case["endpoint"], **kwargs)})
        except Exception as e:  # noqa: BLE001 - the oracle reports whatever Flask raises
            out.append({"error": type(e).__name__})
json.dump(out, sys.stdout)
