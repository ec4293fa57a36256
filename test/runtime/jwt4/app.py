"""Flask-JWT-Extended 4 apps driven by test/runtime/jwt-locations.test.ts (Debian's 4.4.4).

Reads a JSON list of steps on stdin, prints one answer per step (the format of
test/runtime/jwt3/app.py): mint steps issue tokens kept by name; request steps name them as
${NAME} (or ${csrf:NAME}, the token's CSRF double submit value) in headers, cookies, query, json
or form; {"tokens": {...}} gives tokens issued elsewhere.
"""
import base64
import json
import re
import sys
from datetime import timedelta

from flask import Flask, jsonify, make_response
from flask_jwt_extended import (
    JWTManager, create_access_token, create_refresh_token, current_user, get_jwt,
    get_jwt_identity, get_jwt_request_location, jwt_required, set_access_cookies,
    set_refresh_cookies, unset_access_cookies, unset_jwt_cookies)

SECRET = "jwt4-locations-secret"
USERS = {"alice": {"name": "Alice"}, "bob": {"name": "Bob"}, "revoked": {"name": "Revoked"}}


def claims_view():
    claims = get_jwt()
    fresh = claims.get("fresh")
    if type(fresh) in (int, float):
        fresh = type(fresh).__name__
    return {"identity": get_jwt_identity(), "keys": sorted(claims), "type": claims.get("type"),
            "fresh": fresh, "role": claims.get("role"), "location": get_jwt_request_location(),
            "aud": claims.get("aud"), "iss": claims.get("iss")}


def routes(app):
    @app.route("/login", methods=["POST"])
    def login():
        response = make_response(jsonify(login=True))
        set_access_cookies(response, create_access_token(identity="alice", expires_delta=False))
        set_refresh_cookies(response, create_refresh_token(identity="alice", expires_delta=False))
        return response

    @app.route("/login-short", methods=["POST"])
    def login_short():
        response = make_response(jsonify(login=True))
        set_access_cookies(response, create_access_token(identity="alice"), max_age=60, domain="example.org")
        return response

    @app.route("/logout", methods=["POST"])
    def logout():
        response = make_response(jsonify(logout=True))
        unset_jwt_cookies(response)
        return response

    @app.route("/logout-access", methods=["POST"])
    def logout_access():
        response = make_response(jsonify(logout=True))
        unset_access_cookies(response, domain="example.org")
        return response

    @app.route("/protected", methods=["GET", "POST", "PUT", "DELETE"])
    @jwt_required()
    def protected():
        return jsonify(**claims_view())

    @app.route("/optional", methods=["GET", "POST"])
    @jwt_required(optional=True)
    def optional():
        return jsonify(**claims_view())

    @app.route("/fresh", methods=["GET", "POST"])
    @jwt_required(fresh=True)
    def fresh():
        return jsonify(**claims_view())

    @app.route("/refresh", methods=["POST"])
    @jwt_required(refresh=True)
    def refresh():
        return jsonify(**claims_view())

    @app.route("/headers-only")
    @jwt_required(locations=["headers"])
    def headers_only():
        return jsonify(**claims_view())


def cookies_app():
    """Every location, cookie settings changed, the CSRF value also read from the form."""
    app = Flask("cookies")
    app.config.update(JWT_SECRET_KEY=SECRET, JWT_TOKEN_LOCATION=["cookies", "headers", "query_string", "json"],
                      JWT_COOKIE_SECURE=True, JWT_COOKIE_SAMESITE="Lax", JWT_SESSION_COOKIE=False,
                      JWT_CSRF_CHECK_FORM=True, JWT_QUERY_STRING_VALUE_PREFIX="Bearer ",
                      JWT_ACCESS_COOKIE_PATH="/", JWT_REFRESH_COOKIE_PATH="/refresh")
    JWTManager(app)
    routes(app)
    return app


def loaders_app():
    """Headers only, HS384 without nbf and a leeway, other settings and every error loader of its own."""
    app = Flask("loaders")
    app.config.update(JWT_SECRET_KEY=SECRET, JWT_HEADER_NAME="X-Auth", JWT_HEADER_TYPE="JWT",
                      JWT_ERROR_MESSAGE_KEY="error", JWT_IDENTITY_CLAIM="uid",
                      JWT_ENCODE_AUDIENCE="svc", JWT_DECODE_AUDIENCE="svc",
                      JWT_ENCODE_ISSUER="issuer", JWT_DECODE_ISSUER="issuer",
                      JWT_ACCESS_TOKEN_EXPIRES=timedelta(minutes=5), JWT_ALGORITHM="HS384",
                      JWT_ENCODE_NBF=False, JWT_DECODE_LEEWAY=10)
    jwt = JWTManager(app)

    @jwt.additional_claims_loader
    def claims(identity):
        return {"role": "admin" if identity == "alice" else "member"}

    @jwt.user_lookup_loader
    def lookup(header, data):
        return USERS.get(data["uid"])

    @jwt.user_lookup_error_loader
    def lookup_error(header, data):
        return jsonify(lookup_failed=data["uid"]), 404

    @jwt.token_in_blocklist_loader
    def blocked(header, data):
        return data["uid"] == "revoked"

    @jwt.revoked_token_loader
    def revoked(header, data):
        return jsonify(revoked=data["uid"], type=data["type"]), 403

    @jwt.expired_token_loader
    def expired(header, data):
        return jsonify(expired=data["uid"], alg=header["alg"]), 419

    @jwt.invalid_token_loader
    def invalid(reason):
        return jsonify(invalid=reason), 400

    @jwt.unauthorized_loader
    def unauthorized(reason):
        return jsonify(unauthorized=reason), 403

    @jwt.needs_fresh_token_loader
    def needs_fresh(header, data):
        return jsonify(stale=data["uid"]), 428

    @jwt.token_verification_loader
    def verify(header, data):
        return data.get("role") != "banned"

    @jwt.token_verification_failed_loader
    def verify_failed(header, data):
        return jsonify(banned=data["uid"]), 451

    routes(app)

    @app.route("/me")
    @jwt_required()
    def me():
        return jsonify(name=current_user["name"])

    return app


def mint(kind, identity):
    if kind == "access":
        return create_access_token(identity=identity, expires_delta=False)
    if kind == "claims":
        return create_access_token(identity, additional_claims={"role": "banned", "n": 1}, expires_delta=False)
    if kind == "fresh":
        return create_access_token(identity, fresh=True, expires_delta=False)
    if kind == "fresh-for":
        return create_access_token(identity, fresh=timedelta(days=3650), expires_delta=False)
    if kind == "stale":
        return create_access_token(identity, fresh=timedelta(seconds=-60), expires_delta=False)
    if kind == "refresh":
        return create_refresh_token(identity, expires_delta=False)
    if kind == "expired":
        return create_access_token(identity, expires_delta=timedelta(seconds=-30))
    if kind == "expires":
        return create_access_token(identity)
    raise ValueError(kind)


def cookie_parts(header):
    name, _, rest = header.partition("=")
    value, _, attributes = rest.partition(";")
    # An Expires date of a cookie with a Max-Age differs with the second it was set.
    attributes = re.sub(r"Expires=[^;]*", "Expires=<date>", attributes.strip()) if "Max-Age=0" not in attributes else attributes.strip()
    return {"name": name, "empty": value == "", "attributes": attributes}


def main():
    apps = {"cookies": cookies_app(), "loaders": loaders_app()}
    clients = {name: app.test_client() for name, app in apps.items()}
    tokens = {}

    def fill(value):
        if isinstance(value, str):
            def token(match):
                name = match.group(2)
                if match.group(1):
                    payload = tokens[name].split(".")[1]
                    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get("csrf", "")
                return tokens[name]
            return re.sub(r"\$\{(csrf:)?([\w-]+)\}", token, value)
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
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
        if "form" in step:
            kwargs["data"] = fill(step["form"])
        response = client.open(step["path"], method=step.get("method", "GET"), headers=fill(step.get("headers", {})),
                               query_string=fill(step.get("query", {})), **kwargs)
        out.append({"status": response.status_code, "json": response.get_json(silent=True),
                    "cookies": [cookie_parts(value) for value in response.headers.getlist("Set-Cookie")]})
    print(json.dumps(out))


main()
