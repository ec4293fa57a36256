"""Replay a scenario on Flask's test client and print one JSON line per request.

Usage: /usr/bin/python3 test/oracle/flask_replay.py <project-dir> <scenario.jsonl> [app]

Scenario lines (see ../shared/README.md): {"method", "path" (with query string),
"headers"?, and at most one of "json" | "form" | "body"}. All requests run in order on one
app and one test client, so state and cookies carry over as they would against one process.

Output lines: {"index", "method", "path", "status", "headers": [[name, value], ...],
"body": text or base64, "bodyEncoding": "utf-8" | "base64", "content_type"}, plus "error"
when the app raised instead of answering.
"""

import base64
import contextlib
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flask_url_map import load_app  # noqa: E402  (sibling oracle script)


def read_scenario(path):
    requests = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                request = json.loads(line)
            except ValueError as error:
                raise SystemExit(f"{path}:{number}: not JSON: {error}")
            bodies = [key for key in ("json", "form", "body") if key in request]
            if len(bodies) > 1:
                raise SystemExit(f"{path}:{number}: at most one of json, form, body")
            requests.append(request)
    return requests


def encode_body(data):
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii"), "base64"


def replay(client, request):
    kwargs = {"method": request["method"].upper(), "headers": request.get("headers") or {}}
    if "json" in request:
        kwargs["json"] = request["json"]
    elif "form" in request:
        kwargs["data"] = request["form"]
    elif "body" in request:
        kwargs["data"] = request["body"].encode("utf-8")
    response = client.open(request["path"], **kwargs)
    try:
        body, encoding = encode_body(response.get_data())
        return {
            "status": response.status_code,
            "headers": [[name, value] for name, value in response.headers.items()],
            "body": body,
            "bodyEncoding": encoding,
            "content_type": response.headers.get("Content-Type"),
        }
    finally:
        response.close()


def main(argv):
    if len(argv) < 3 or len(argv) > 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    scenario = os.path.abspath(argv[2])
    app = load_app(argv[1], argv[3] if len(argv) == 4 else None)
    client = app.test_client()
    out = sys.stdout
    for index, request in enumerate(read_scenario(scenario)):
        echo = {"index": index, "method": request["method"].upper(), "path": request["path"]}
        # The app's own prints go to stderr so stdout stays one JSON line per request.
        with contextlib.redirect_stdout(sys.stderr):
            try:
                result = replay(client, request)
            except Exception as error:  # the app raised (TESTING / PROPAGATE_EXCEPTIONS)
                result = {
                    "status": 500,
                    "headers": [],
                    "body": "",
                    "bodyEncoding": "utf-8",
                    "content_type": None,
                    "error": f"{type(error).__name__}: {error}",
                }
        out.write(json.dumps({**echo, **result}) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
