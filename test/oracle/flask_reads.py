"""What each view of a Flask app reads from the request, for `migrate verify --explore`.

Usage: /usr/bin/python3 test/oracle/flask_reads.py <project-dir> [app]

The app is loaded as `flask run` loads it (flask_url_map.load_app). For every endpoint, the view
function (unwrapped through functools.wraps; a class-based view's methods) is parsed with `ast`
and these reads are collected, with names given as string literals:
  request.args / .form / .values / .headers / .cookies / .files  .get("k", ..., type=T), ["k"], .getlist("k"), "k" in ...
  request.get_json(...) / request.json, and names assigned from an expression that contains one:
  .get("k"), ["k"], "k" in  (JSON keys)
Prints one JSON object: {endpoint: {"args": {name: type}, "form": {...}, "json": {...},
"headers": {...}, "cookies": {...}}}, type one of "int", "float", "str" or null (unknown).
"""

import ast
import inspect
import json
import os
import sys
import textwrap

sys.dont_write_bytecode = True
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
from flask_url_map import load_app  # noqa: E402  (sibling oracle script)

SOURCES = {"args": "args", "form": "form", "values": "args", "headers": "headers", "cookies": "cookies", "files": "form"}


def functions_of(view):
    """The functions whose source is the view's behaviour: the unwrapped view, or a class view's methods."""
    seen = []
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        for name in ("get", "post", "put", "patch", "delete", "head", "options", "dispatch_request"):
            method = getattr(view_class, name, None)
            if method is not None:
                seen.append(inspect.unwrap(method))
        return seen
    return [inspect.unwrap(view)]


def literal(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def type_of(call):
    for keyword in call.keywords:
        if keyword.arg == "type" and isinstance(keyword.value, ast.Name) and keyword.value.id in ("int", "float", "str"):
            return keyword.value.id
    return None


def request_source(node):
    """'args' for request.args (and the like), 'json' for request.json / request.get_json(...)."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "request":
        if node.attr in SOURCES:
            return SOURCES[node.attr]
        if node.attr == "json":
            return "json"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_json":
        if isinstance(node.func.value, ast.Name) and node.func.value.id == "request":
            return "json"
    return None


def contains_json(node):
    return any(request_source(child) == "json" for child in ast.walk(node))


def reads_of(function):
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return {}
    found = {"args": {}, "form": {}, "json": {}, "headers": {}, "cookies": {}}
    json_names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and contains_json(node.value):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    json_names.add(target.id)

    def source_of(node):
        if isinstance(node, ast.BoolOp):  # (data or {}).get("k")
            return next((found for found in map(source_of, node.values) if found), None)
        source = request_source(node)
        if source is None and isinstance(node, ast.Name) and node.id in json_names:
            return "json"
        return source

    def note(source, key, kind=None):
        if key is not None and (key not in found[source] or found[source][key] is None):
            found[source][key] = kind

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "getlist", "pop"):
            source = source_of(node.func.value)
            if source and node.args:
                note(source, literal(node.args[0]), type_of(node))
        elif isinstance(node, ast.Subscript):
            source = source_of(node.value)
            if source:
                note(source, literal(node.slice if not isinstance(node.slice, ast.Index) else node.slice.value))
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            source = source_of(node.comparators[0])
            if source:
                note(source, literal(node.left))
    return found


WORD = __import__("re").compile(r"^[A-Za-z][A-Za-z0-9_-]{0,19}$")


def vocabulary(app):
    """Short word-like string literals of the project's own modules, most frequent first (values
    a filter or a lookup may match: names in seed data, tags, categories)."""
    counts = {}
    root = os.path.abspath(app.root_path)
    project = os.path.dirname(root) if os.path.exists(os.path.join(root, "__init__.py")) else root
    for name, module in sorted(sys.modules.items()):
        path = getattr(module, "__file__", None) or ""
        if not path.endswith(".py") or not os.path.abspath(path).startswith(project + os.sep):
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and WORD.match(node.value):
                counts[node.value] = counts.get(node.value, 0) + 1
    return [word for word, _ in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))][:40]


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    app = load_app(argv[1], argv[2] if len(argv) == 3 else None)
    out = {}
    # The app's before_request and after_request functions read for every endpoint ("*"); a
    # blueprint's for the endpoints under it ("<blueprint>.*").
    hooks = {}
    for registry in (app.before_request_funcs, app.after_request_funcs):
        for blueprint, functions in registry.items():
            hooks.setdefault("*" if blueprint is None else blueprint + ".*", []).extend(functions)
    views = sorted(app.view_functions.items()) + sorted(hooks.items())
    for endpoint, view in views:
        merged = {"args": {}, "form": {}, "json": {}, "headers": {}, "cookies": {}}
        for function in (functions_of(view) if callable(view) else [inspect.unwrap(f) for f in view]):
            for source, keys in reads_of(function).items():
                for key, kind in keys.items():
                    if merged[source].get(key) is None:
                        merged[source][key] = kind
        out[endpoint] = merged
    out["__vocabulary__"] = vocabulary(app)
    json.dump(out, sys.stdout, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
