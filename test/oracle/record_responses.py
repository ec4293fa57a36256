"""Record what a Flask app answers to a scenario, for a fixture whose extension CI cannot import
(flask_restx is not a Debian package): the requests as the reference runner encodes them and what
observe() saw of Flask's answers, one JSON object per request line, written to stdout as JSON lines.
test/runtime/restx-behaviour.test.ts replays the recorded requests on the migrated service and
compares its answers with the recorded ones when the extension cannot be imported (else it runs
this script live and compares with real Flask).

Usage (from the repository root):
  PYTHONPATH=<the extension's source> /usr/bin/python3 test/oracle/record_responses.py \
      <project-dir> <scenario.jsonl> [app] > expected-responses.jsonl

Each line: {"line": N, "label": "#N METHOD PATH", "method", "path", "headers": [[name, value], ...],
"body": base64 | null, "volatile": [...], "compare_headers": [...], "observation": observe()'s result, floats marked as
flask_replay.py marks them}. Lines using ${NAME} values (save) are refused: a recording replays
fixed requests.
"""

import base64
import json
import os
import sys

sys.dont_write_bytecode = True
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, "scenario"))
sys.path.insert(0, _HERE)
from flask_url_map import load_app  # noqa: E402
from flask_replay import floats_marked  # noqa: E402
from scenario_selfcheck import encode, flask_session_codec, observe, read_scenario  # noqa: E402

sys.path.remove(os.path.join(_HERE, "scenario"))


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    project, scenario = argv[1], os.path.abspath(argv[2])
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    lines = read_scenario(scenario)
    app = load_app(project, argv[3] if len(argv) == 4 else None)
    session = flask_session_codec(app)
    client = app.test_client()
    for number, line, volatile in lines:
        if "save" in line:
            raise SystemExit(f"line {number}: a recording replays fixed requests (no save)")
        method = line["method"]
        path, headers, body = encode(line, {})
        response = client.open(path, method=method, headers=headers, data=body)
        obs = observe(response.status_code, list(response.headers.items()), response.get_data(),
                      method, line.get("compare_headers", []), session)
        channel.write(json.dumps({
            "line": number, "label": f"#{number} {method} {line['path']}", "method": method, "path": path,
            "headers": [[name, value] for name, value in headers.items()],
            "body": None if body is None else base64.b64encode(body).decode("ascii"),
            "volatile": volatile, "compare_headers": line.get("compare_headers", []),
            "observation": floats_marked(obs),
        }, sort_keys=True) + "\n")
    channel.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
