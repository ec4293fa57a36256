import gzip
import os
import time

from flask import Blueprint, Flask, Response, jsonify, make_response, request, url_for

app = Flask(__name__)
bp = Blueprint("bp", __name__, url_prefix="/bp")


def legacy_only(view):
    """A decorator the migration does not translate (eval() stays unsupported): the views under it are stubs."""
    eval("0")
    return view


@app.route("/native")
def native():
    return {"side": os.environ.get("SIDE", "unknown")}


@app.route("/native-post", methods=["POST"])
def native_post():
    return {"side": os.environ.get("SIDE", "unknown")}


@app.route("/forceable")
def forceable():
    return {"side": os.environ.get("SIDE", "unknown")}


@app.route("/dir/")
def directory():
    return {"side": os.environ.get("SIDE", "unknown")}


@bp.route("/ping")
def ping():
    return {"side": os.environ.get("SIDE", "unknown")}


@app.errorhandler(405)
def method_not_allowed(error):
    return {"side": os.environ.get("SIDE", "unknown"), "status": 405}, 405


@app.route("/echo", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
@legacy_only
def echo():
    data = request.get_data()
    return jsonify(
        side=os.environ.get("SIDE", "unknown"),
        method=request.method,
        full_path=request.full_path,
        query=request.query_string.decode("latin-1"),
        args=request.args.to_dict(flat=False),
        json=request.get_json(silent=True),
        form=request.form.to_dict(flat=False),
        length=len(data),
        content_type=request.headers.get("Content-Type"),
        custom=request.headers.getlist("X-Custom"),
        host=request.host,
        external=url_for("echo", _external=True),
        forwarded_for=request.headers.get("X-Forwarded-For"),
        forwarded_proto=request.headers.get("X-Forwarded-Proto"),
        forwarded_host=request.headers.get("X-Forwarded-Host"),
        connection=request.headers.get("Connection"),
        te=request.headers.get("Transfer-Encoding"),
    )


@app.route("/cookies")
@legacy_only
def cookies():
    response = make_response("cookies", 201)
    response.set_cookie("a", "1")
    response.set_cookie("b", "2", httponly=True, path="/bp")
    response.set_cookie("c", "3, with comma", max_age=60)
    response.headers.add("X-Multi", "one")
    response.headers.add("X-Multi", "two")
    return response


@app.route("/gzip")
@legacy_only
def gzipped():
    body = gzip.compress(b"hello legacy " * 200, mtime=0)
    return Response(body, headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}, mimetype="text/plain")


@app.route("/slow")
@legacy_only
def slow():
    time.sleep(float(request.args.get("s", "2")))
    return "late"


@app.route("/stream")
@legacy_only
def stream():
    def generate():
        for i in range(5):
            yield f"chunk {i}\n"
    return Response(generate(), mimetype="text/plain")


app.register_blueprint(bp)
