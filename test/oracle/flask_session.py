"""Flask's cookie session, for the tests of src/emit/runtime/session.ts.

Usage: /usr/bin/python3 test/oracle/flask_session.py < commands.json

Input: a JSON list of commands, each one of
- {"op": "sign", "secret", "timestamp", "value"}: `value` is a Python expression (datetime, uuid,
  timezone and date are in scope); the cookie Flask's session serializer makes of it, signed at
  `timestamp` inside a request (as save_session runs), or {"error": "Type: message"};
- {"op": "open", "secret" (null for none), "cookie", "now", "config"?}: what Flask's
  open_session makes of the cookie at time `now`: {"repr": repr(dict(session))} or {"null": true};
- {"op": "app", "source", "secret", "requests"}: `source` defines views on `app` (Flask, with the
  secret key); requests are {"path", "method"?, "cookie"?}; answers {"responses": [{"status",
  "body", "vary", "set_cookie": [..]}]} with each request's own cookie (no jar).
Output: a JSON list, one answer per command.
"""

import json
import sys
import uuid
from datetime import date, datetime, timedelta, timezone

import itsdangerous.timed
from flask import Flask

sys.dont_write_bytecode = True

_real_timestamp = itsdangerous.timed.TimestampSigner.get_timestamp


def at(timestamp):
    itsdangerous.timed.TimestampSigner.get_timestamp = lambda self: timestamp


def make_app(secret, config=None):
    app = Flask("session_oracle", root_path="/tmp")
    if secret is not None:
        app.secret_key = secret
    app.config.update(config or {})
    if "PERMANENT_SESSION_LIFETIME" in (config or {}):
        app.permanent_session_lifetime = timedelta(seconds=config["PERMANENT_SESSION_LIFETIME"])
    return app


def sign(command):
    app = make_app(command["secret"])
    value = eval(command["value"], {"datetime": datetime, "uuid": uuid, "timezone": timezone, "date": date, "timedelta": timedelta})
    at(command["timestamp"])
    try:
        with app.test_request_context():
            return {"cookie": app.session_interface.get_signing_serializer(app).dumps(value)}
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"}


def open_(command):
    app = make_app(command["secret"], command.get("config"))
    at(command["now"])
    with app.test_request_context(headers={"Cookie": f"session={command['cookie']}"} if command["cookie"] is not None else {}):
        session = app.session_interface.open_session(app, __import__("flask").request)
        if session is None:
            return {"null": True}
        return {"repr": repr(dict(session))}


def run_app(command):
    app = make_app(command["secret"], command.get("config"))
    namespace = {"app": app}
    exec("from flask import session, jsonify, flash, get_flashed_messages, g, request\n" + command["source"], namespace)
    client = app.test_client(use_cookies=False)
    out = []
    itsdangerous.timed.TimestampSigner.get_timestamp = _real_timestamp
    name = app.config["SESSION_COOKIE_NAME"]
    for request in command["requests"]:
        headers = {"Cookie": f"{name}={request['cookie']}"} if request.get("cookie") is not None else {}
        response = client.open(request["path"], method=request.get("method", "GET"), headers=headers)
        out.append(
            {
                "status": response.status_code,
                "body": response.get_data(as_text=True),
                "vary": response.headers.get("Vary"),
                "set_cookie": response.headers.getlist("Set-Cookie"),
            }
        )
    return {"responses": out}


def main():
    commands = json.load(sys.stdin)
    answers = []
    for command in commands:
        op = {"sign": sign, "open": open_, "app": run_app}[command["op"]]
        answers.append(op(command))
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
