"""A Flask-JWT-Extended 3 app: tokens in headers, every 3.x loader set, the blacklist on.

test/runtime/jwt3/app.py runs it on the real 3.25.1 (its 'headers' app); test/runtime/jwt3-migrated.test.ts
migrates it and sends the migrated service the same requests.
"""
from flask import Flask, jsonify
from flask_jwt_extended import (
    JWTManager, create_access_token, current_user, fresh_jwt_required, get_current_user,
    get_jwt_claims, get_jwt_identity, get_raw_jwt, jwt_optional, jwt_refresh_token_required,
    jwt_required)

app = Flask(__name__)
app.config["JWT_SECRET_KEY"] = "jwt3-oracle-secret"
app.config["JWT_BLACKLIST_ENABLED"] = True
jwt = JWTManager(app)

USERS = {"alice": {"name": "Alice", "role": "admin"}, "bob": {"name": "Bob", "role": "banned"},
         "revoked": {"name": "Revoked", "role": "member"}}


def claims_view():
    raw = get_raw_jwt()
    fresh = raw.get("fresh")
    # A time until which the token is fresh differs with the second it was issued: its type only.
    if isinstance(fresh, (int, float)) and not isinstance(fresh, bool):
        fresh = "int" if isinstance(fresh, int) else "float"
    return {"identity": get_jwt_identity(), "claims": get_jwt_claims(),
            "keys": sorted(raw), "type": raw.get("type"), "fresh": fresh,
            "has_exp": "exp" in raw}


@jwt.user_claims_loader
def add_claims(identity):
    return {"role": USERS.get(identity, {}).get("role", "guest")}


@jwt.user_loader_callback_loader
def load_user(identity):
    return USERS.get(identity)


@jwt.claims_verification_loader
def check_claims(user_claims):
    return user_claims.get("role") != "banned"


@jwt.token_in_blacklist_loader
def in_blacklist(decrypted_token):
    return decrypted_token["identity"] == "revoked"


@jwt.expired_token_loader
def expired(token):
    return jsonify(expired=token["identity"], type=token["type"]), 401


@app.route("/protected")
@jwt_required
def protected():
    body = claims_view()
    body["user"] = current_user["name"]
    return jsonify(body)


@app.route("/optional")
@jwt_optional
def optional():
    user = get_current_user()
    body = claims_view()
    body["user"] = None if user is None else user["name"]
    return jsonify(body)


@app.route("/fresh")
@fresh_jwt_required
def fresh():
    return jsonify(claims_view())


@app.route("/refresh", methods=["POST"])
@jwt_refresh_token_required
def refresh():
    body = claims_view()
    body["access"] = len(create_access_token(identity=get_jwt_identity())) > 0
    return jsonify(body)


@app.route("/open")
def open_view():
    return jsonify(identity=get_jwt_identity(), raw=get_raw_jwt(), claims=get_jwt_claims())
