"""Answer requests with small Flask apps, for the runtime tests of src/emit/runtime/flask.ts.

Usage: /usr/bin/python3 test/oracle/flask_runtime.py < cases.json

Input: a JSON list of {"name", "source", "requests"}. `source` is Python that defines `app`
(a Flask app; `LOG`, a list, is there for hooks to append to). Each request: {"method", "path",
"headers"?, "body"? (text), "json"? (sent as application/json)}.

Output: a JSON object, name -> {"responses": [{"status", "headers": [[name, value]...], "body"}],
"log": LOG}. Bodies are decoded as UTF-8 with replacement.
"""

import contextlib
import json
import sys

sys.dont_write_bytecode = True


def run_case(case):
    namespace = {"LOG": [], "__name__": "flask_runtime_case"}
    exec(compile(case["source"], case["name"], "exec"), namespace)
    app = namespace["app"]
    client = app.test_client(use_cookies=False)
    responses = []
    for request in case["requests"]:
        kwargs = {"method": request.get("method", "GET"), "headers": request.get("headers") or {}}
        if "json" in request:
            kwargs["json"] = request["json"]
        elif "body" in request:
            kwargs["data"] = request["body"].encode("utf-8")
        with contextlib.redirect_stdout(sys.stderr):
            response = client.open(request["path"], **kwargs)
        responses.append(
            {
                "status": response.status_code,
                "headers": [[name, value] for name, value in response.headers.items()],
                "body": response.get_data().decode("utf-8", "replace"),
            }
        )
        response.close()
    return {"responses": responses, "log": namespace["LOG"]}


def main():
    cases = json.load(sys.stdin)
    out = {}
    for case in cases:
        try:
            out[case["name"]] = run_case(case)
        except Exception as error:  # report per case, keep the others
            out[case["name"]] = {"error": f"{type(error).__name__}: {error}"}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
