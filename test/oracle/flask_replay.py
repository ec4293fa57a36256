"""The Flask side of `migrate verify`: replay a scenario on a Flask app's test client with the
reference runner's own code (scenario/scenario_selfcheck.py, a copy of ../shared/tools), so the
scenario format and the comparison rules are exactly those of scenario/difftest.py.

Usage:
  /usr/bin/python3 test/oracle/flask_replay.py <project-dir> <scenario.jsonl> [app]
  /usr/bin/python3 test/oracle/flask_replay.py --observe <project-dir> <scenario.jsonl> [app]
  /usr/bin/python3 test/oracle/flask_replay.py --differential <project-dir> <scenario.jsonl> [app]

The app is found as `flask run` finds it (flask_url_map.load_app; `app` as FLASK_APP takes it).
The environment this process is started with is the Flask side's (`--env`, `{tmp}` replaced).
Whatever the app prints goes to stderr; stdout carries only JSON lines.

Flask only (no flag): one JSON line per request line of the scenario, in order:
  {"line": N, "method", "path", "status"}, or {"line": N, "method", "path", "error"} when the
  line could not be replayed (the app raised, a ${NAME} was not saved, a save path is missing).
  --observe adds "observation": what observe() saw (floats marked as in --differential), for
  `migrate verify --noise`, which compares two runs of the Flask side.

--differential: the differential run of difftest.py, with the service reached through the
process that started this one (src/verify/index.ts). Messages are JSON lines; this process
writes on stdout:
  {"type": "ready", "requests": N}     the scenario is valid and the app imported
  {"type": "fatal", "message": "..."}  it is not (then exit 2)
  {"type": "request", "line": N, "method", "path", "headers": [[name, value], ...], "body": base64 | null}
      send this to the service; answer on stdin with one line
      {"status": S, "headers": [[name, value], ...], "body": base64}  or  {"error": "..."}
  {"type": "observed", "line": N, "label": "#N METHOD PATH", "method", "volatile": [...],
   "flask": observation | null, "service": observation | null, "errors": [[what, flask, service], ...]}
      one per request line, after its request: what each side observed (observe() of the
      reference runner, the session cookie decoded with the app's serializer) and what failed on
      the way; the caller masks and compares them (src/emit/runtime/compare.ts)
  {"type": "done"}
and waits for {"type": "go"} on stdin after "ready" (the service is started meanwhile).
"""

import base64
import json
import os
import sys

sys.dont_write_bytecode = True
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, "scenario"))
sys.path.insert(0, _HERE)
from flask_url_map import load_app  # noqa: E402  (sibling oracle script)
from scenario_selfcheck import (  # noqa: E402  (the reference implementation of the format)
    ScenarioError, encode, flask_session_codec, observe, read_scenario, save_values,
)

# The oracle's folders must not shadow the project's modules (load_app drops _HERE itself).
sys.path.remove(os.path.join(_HERE, "scenario"))


def as_received(headers):
    """The header values as a WSGI server gives them to Flask: an HTTP parser drops the spaces and
    tabs around a field value (RFC 9110 5.5), which the test client would pass on (a header
    " padded " reached Flask padded here, and unpadded through Werkzeug's or gunicorn's server and
    the service's)."""
    return {name: value.strip(" \t") for name, value in headers.items()}


class TransportError(Exception):
    """The service could not be reached or did not answer (reported by the caller)."""


class ServiceThroughCaller:
    """difftest.py's HTTPSide, with the HTTP request made by the process that started this one
    (its own cookie jar, no Accept-Encoding, the request target unchanged)."""

    def __init__(self, channel, replies, number):
        self.channel, self.replies, self.number = channel, replies, number

    def send(self, method, path, headers, body):
        write(self.channel, {
            "type": "request", "line": self.number, "method": method, "path": path,
            "headers": [[name, value] for name, value in headers.items()],
            "body": None if body is None else base64.b64encode(body).decode("ascii"),
        })
        raw = self.replies.readline()
        if not raw:
            raise SystemExit(0)  # the caller went away
        reply = json.loads(raw)
        if "error" in reply:
            raise TransportError(reply["error"])
        return reply["status"], [tuple(pair) for pair in reply["headers"]], base64.b64decode(reply["body"])


def floats_marked(value):
    """Floats as {"py/float": repr}: JSON.parse would read 3.0 as 3 and refuse NaN; the caller
    keeps them as Python floats (compare.ts pythonFloat) to compare and show them as Python does."""
    if isinstance(value, float):
        return {"py/float": json.dumps(value)}
    if isinstance(value, list):
        return [floats_marked(item) for item in value]
    if isinstance(value, dict):
        return {key: floats_marked(item) for key, item in value.items()}
    return value


def write(channel, message):
    channel.write(json.dumps(message) + "\n")
    channel.flush()


def differential(lines, client, session, channel, replies):
    """difftest.run, line for line, with the observations handed to the caller to compare."""
    flask_saved, service_saved = {}, {}
    for number, line, volatile in lines:
        method = line["method"]
        label = f"#{number} {method} {line['path']}"
        diffs = []
        try:
            path, headers, body = encode(line, flask_saved)
            response = client.open(path, method=method, headers=as_received(headers), data=body)
            flask_obs = observe(response.status_code, list(response.headers.items()), response.get_data(),
                                method, line.get("compare_headers", []), session)
            save_values(line, flask_obs, flask_saved)
        except Exception as error:
            flask_obs = None
            diffs.append(("flask side", f"{type(error).__name__}: {error}", None))
        service = ServiceThroughCaller(channel, replies, number)
        service_obs = None
        try:
            path, headers, body = encode(line, service_saved)
            status, pairs, raw = service.send(method, path, headers, body)
            service_obs = observe(status, pairs, raw, method, line.get("compare_headers", []), session)
            save_values(line, service_obs, service_saved)
        except ScenarioError as error:
            diffs.append(("service side", None, str(error)))
        except Exception as error:
            if service_obs is None:
                diffs.append(("transport", None, f"{type(error).__name__}: {error}"))
        # The comparison itself is the caller's (src/emit/runtime/compare.ts, shared with shadow
        # mode): both observations go there, with the line's volatile values and what failed here.
        write(channel, {"type": "observed", "line": number, "label": label, "method": method,
                        "volatile": volatile, "flask": floats_marked(flask_obs),
                        "service": floats_marked(service_obs), "errors": [[what, a, b] for what, a, b in diffs]})
    write(channel, {"type": "done"})


def flask_only(lines, client, session, channel, with_observation=False):
    saved = {}
    for number, line, _ in lines:
        out = {"line": number, "method": line["method"], "path": line["path"]}
        try:
            path, headers, body = encode(line, saved)
            response = client.open(path, method=line["method"], headers=as_received(headers), data=body)
            obs = observe(response.status_code, list(response.headers.items()), response.get_data(),
                          line["method"], line.get("compare_headers", []), session)
            out["status"] = obs["status"]
            if with_observation:
                out["observation"] = floats_marked(obs)
            save_values(line, obs, saved)
        except Exception as error:
            out["error"] = f"{type(error).__name__}: {error}"
        write(channel, out)


def main(argv):
    mode_differential = len(argv) > 1 and argv[1] == "--differential"
    with_observation = len(argv) > 1 and argv[1] == "--observe"
    args = argv[2:] if mode_differential or with_observation else argv[1:]
    if len(args) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    project, scenario = args[0], os.path.abspath(args[1])
    # stdout is kept for the JSON lines; anything else written to fd 1 (the app's prints,
    # a C extension's output) goes to stderr.
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    replies = open(sys.stdin.fileno(), encoding="utf-8", closefd=False)
    try:
        lines = read_scenario(scenario)
    except ScenarioError as error:
        write(channel, {"type": "fatal", "message": f"scenario error: {error}"})
        return 2
    try:
        app = load_app(project, args[2] if len(args) == 3 else None)
        session = flask_session_codec(app)
        client = app.test_client()
    except Exception as error:
        write(channel, {"type": "fatal", "message": f"the Flask app could not be loaded: {type(error).__name__}: {error}"})
        return 2
    if not mode_differential:
        flask_only(lines, client, session, channel, with_observation)
        return 0
    write(channel, {"type": "ready", "requests": len(lines)})
    go = replies.readline()
    if not go or json.loads(go).get("type") != "go":
        return 0
    differential(lines, client, session, channel, replies)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
