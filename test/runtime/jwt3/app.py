"""Flask-JWT-Extended 3.x apps driven by test/runtime/jwt3.test.ts (and record.sh).

Runs on the real Flask-JWT-Extended 3.25.1 with PyJWT 1.7.1, found on PYTHONPATH (oracle.sh
exports both from their git histories; neither is part of this repository). Reads a JSON list of
steps on stdin and prints one answer per step:
  {"app": A, "mint": KIND, "identity": I, "as": NAME}  -> {"token": ...} (kept as NAME)
  {"app": A, "path": P, "method": M, "headers": {...}, "cookies": {...}, "json": ...,
   "query": {...}}                                      -> {"status", "json", "cookies"}
Strings in headers, cookies, query and json may name a token as ${NAME}, or its CSRF double
submit value as ${csrf:NAME}. A step {"tokens": {NAME: token}} gives tokens issued elsewhere.
"""
import base64
import hmac
import json
import os
import re
import sys
from datetime import timedelta

import werkzeug.security

# Werkzeug 2.1 removed safe_str_cmp, which 3.x imports to compare CSRF double submit values.
if not hasattr(werkzeug.security, "safe_str_cmp"):
    werkzeug.security.safe_str_cmp = hmac.compare_digest

import flask_jwt_extended  # noqa: E402
from flask import Flask, jsonify, make_response  # noqa: E402
from flask_jwt_extended import (  # noqa: E402
    JWTManager, create_access_token, create_refresh_token, get_jwt_claims, get_jwt_identity,
    get_raw_jwt, jwt_optional, jwt_refresh_token_required, jwt_required, set_access_cookies,
    set_refresh_cookies, unset_jwt_cookies, verify_fresh_jwt_in_request, verify_jwt_in_request,
    verify_jwt_in_request_optional, verify_jwt_refresh_token_in_request)

assert flask_jwt_extended.__version__.startswith("3."), flask_jwt_extended.__version__

SECRET = "jwt3-oracle-secret"


def claims_view():
    raw = get_raw_jwt()
    fresh = raw.get("fresh")
    # A time until which the token is fresh differs with the second it was issued: its type only.
    if isinstance(fresh, (int, float)) and not isinstance(fresh, bool):
        fresh = "int" if isinstance(fresh, int) else "float"
    return {"identity": get_jwt_identity(), "claims": get_jwt_claims(),
            "keys": sorted(raw), "type": raw.get("type"), "fresh": fresh,
            "has_exp": "exp" in raw}


def headers_app():
    """test/runtime/jwt3/project/wsgi.py: tokens in headers; every 3.x loader set; the blacklist on."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "project"))
    from wsgi import app
    return app


def cookies_app():
    """Tokens in cookies (CSRF double submit), the query string or the JSON body; default callbacks."""
    app = Flask("cookies")
    app.config["JWT_SECRET_KEY"] = SECRET
    app.config["JWT_TOKEN_LOCATION"] = ["cookies", "query_string", "json"]
    JWTManager(app)

    @app.route("/login", methods=["POST"])
    def login():
        response = make_response(jsonify(login=True))
        set_access_cookies(response, create_access_token(identity="alice", expires_delta=False))
        set_refresh_cookies(response, create_refresh_token(identity="alice", expires_delta=False))
        return response

    @app.route("/logout", methods=["POST"])
    def logout():
        response = make_response(jsonify(logout=True))
        unset_jwt_cookies(response)
        return response

    @app.route("/protected", methods=["GET", "POST", "DELETE"])
    @jwt_required
    def protected():
        return jsonify(**claims_view())

    @app.route("/optional", methods=["GET", "POST"])
    @jwt_optional
    def optional():
        return jsonify(**claims_view())

    @app.route("/refresh", methods=["POST"])
    @jwt_refresh_token_required
    def refresh():
        return jsonify(**claims_view())

    @app.route("/verify", methods=["GET", "POST"])
    def verify():
        verify_jwt_in_request()
        return jsonify(**claims_view())

    @app.route("/verify-optional", methods=["GET", "POST"])
    def verify_optional():
        verify_jwt_in_request_optional()
        return jsonify(**claims_view())

    @app.route("/verify-fresh", methods=["POST"])
    def verify_fresh():
        verify_fresh_jwt_in_request()
        return jsonify(**claims_view())

    @app.route("/verify-refresh", methods=["POST"])
    def verify_refresh():
        verify_jwt_refresh_token_in_request()
        return jsonify(**claims_view())

    return app


def mint(kind, identity):
    if kind == "access":
        return create_access_token(identity=identity, expires_delta=False)
    if kind == "claims":
        return create_access_token(identity, False, False, {"role": "editor", "n": 1})
    if kind == "fresh":
        return create_access_token(identity, fresh=True, expires_delta=False)
    if kind == "fresh-for":
        return create_access_token(identity, fresh=timedelta(days=3650), expires_delta=False)
    if kind == "stale":
        return create_access_token(identity, fresh=timedelta(seconds=-60), expires_delta=False)
    if kind == "refresh":
        return create_refresh_token(identity=identity, expires_delta=False)
    if kind == "expired":
        return create_access_token(identity, expires_delta=timedelta(seconds=-30))
    if kind == "headers":
        return create_access_token(identity, expires_delta=False, headers={"kid": "k1"})
    raise ValueError(kind)


def cookie_parts(header):
    """A Set-Cookie header with its value left out (tokens differ on each side): name, empty or not, attributes."""
    name, _, rest = header.partition("=")
    value, _, attributes = rest.partition(";")
    return {"name": name, "empty": value == "", "attributes": attributes.strip()}


def main():
    apps = {"headers": headers_app(), "cookies": cookies_app()}
    clients = {name: app.test_client() for name, app in apps.items()}
    tokens = {}

    def fill(value):
        if isinstance(value, str):
            def token(match):
                name = match.group(2)
                if match.group(1):
                    # Read without verification: an expired token's CSRF value is sent too.
                    payload = tokens[name].split(".")[1]
                    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get("csrf", "")
                return tokens[name]
            return re.sub(r"\$\{(csrf:)?([\w-]+)\}", token, value)
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item) for item in value]
        return value

    out = []
    for step in json.load(sys.stdin):
        if "tokens" in step:
            tokens.update(step["tokens"])
            out.append({})
            continue
        app = apps[step["app"]]
        if "mint" in step:
            with app.app_context():
                tokens[step["as"]] = mint(step["mint"], step["identity"])
            out.append({"token": tokens[step["as"]]})
            continue
        client = clients[step["app"]]
        client.cookie_jar.clear()
        for name, value in fill(step.get("cookies", {})).items():
            client.set_cookie("localhost", name, value)
        kwargs = {}
        if "json" in step:
            kwargs["json"] = fill(step["json"])
        response = client.open(step["path"], method=step.get("method", "GET"), headers=fill(step.get("headers", {})),
                               query_string=fill(step.get("query", {})), **kwargs)
        out.append({"status": response.status_code, "json": response.get_json(silent=True),
                    "cookies": [cookie_parts(value) for value in response.headers.getlist("Set-Cookie")]})
    print(json.dumps(out))


main()
