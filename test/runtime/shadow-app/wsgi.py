"""The Flask app of test/runtime/shadow.test.ts: every view migrates natively; the test changes
one of them in the migrated service (hello) and serves this app as the legacy one."""
from datetime import datetime

from flask import Flask, jsonify, request

app = Flask(__name__)
counter = {"value": 0}


@app.route("/hello")
def hello():
    name = request.args.get("name", "world")
    return jsonify(greeting="hello " + name)


@app.route("/items/<int:item_id>")
def item(item_id):
    # A wall-clock time with microseconds: two answers to the same request never agree on it.
    return jsonify(id=item_id, name="widget", at=datetime.now().isoformat())


@app.route("/page")
def page():
    return "<p>a page</p>"


@app.route("/counter", methods=["GET", "POST"])
def count():
    if request.method == "POST":
        counter["value"] += 1
    return jsonify(value=counter["value"])
