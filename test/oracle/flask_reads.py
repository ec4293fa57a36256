"""What each view of a Flask app reads from the request, for `migrate verify --explore`.

Usage: /usr/bin/python3 test/oracle/flask_reads.py <project-dir> [app]

The app is loaded as `flask run` loads it (flask_url_map.load_app). For every endpoint, the view
function (unwrapped through functools.wraps; a class-based view's methods) is parsed with `ast`
and these reads are collected, with names given as string literals:
  request.args / .form / .values / .headers / .cookies / .files  .get("k", ..., type=T), ["k"], .getlist("k"), "k" in ...
  request.get_json(...) / request.json, and names assigned from an expression that contains one:
  .get("k"), ["k"], "k" in  (JSON keys)
Also followed, as the view runs them:
  - the decorators' wrappers between the view and its function (functools.wraps chains: an
    `api_key_required` that reads a header);
  - the project's own functions the view calls (up to three calls deep): what they read from the
    request, a function that returns the request's JSON (`data = json_body()`), and the keys they
    read from a parameter the view passes its JSON to (`text_field(data, "title", 120)` reads
    "title": `def text_field(data, name, ...)` does `data.get(name)`);
  - names of module constants (`request.headers.get(API_KEY_HEADER)`);
  - a Flask-WTF / WTForms form class the view instantiates: its fields are form fields (int for
    IntegerField, float for FloatField / DecimalField, date for DateField, else str);
  - a marshmallow schema the view loads the request's JSON or arguments with
    (`task_schema.load(data)`): its declared fields (dump-only ones too) are keys of that source;
  - "lengths": the integers the code compares a length with (`len(value) > max_length` with the
    number passed by the caller, a form field's Length(max=...)), boundaries for string values;
  - "literals": the strings the code compares a value with (`wanted.lower() == "true"`,
    `status in ("todo", "done")`), values worth sending in other cases too.
Prints one JSON object: {endpoint: {"args": {name: type}, "form": {...}, "json": {...},
"headers": {...}, "cookies": {...}, "lengths": [n, ...]}}, type one of "int", "float", "date",
"bool", "submit", "str" or null (unknown).
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


def wrappers(function):
    """The function and each one it wraps (functools.wraps chains: decorators' wrappers first)."""
    chain = []
    while function is not None and function not in chain and len(chain) < 20:
        chain.append(function)
        function = getattr(function, "__wrapped__", None)
    return chain


def functions_of(view):
    """The functions whose source is the view's behaviour: the view and its decorators' wrappers, or a class view's methods."""
    seen = []
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        for name in ("get", "post", "put", "patch", "delete", "head", "options", "dispatch_request"):
            method = getattr(view_class, name, None)
            if method is not None:
                seen.extend(wrappers(method))
        return seen
    return wrappers(view)


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


def contains_json(node, json_functions=()):
    for child in ast.walk(node):
        if request_source(child) == "json":
            return True
        if isinstance(child, ast.Call) and callee_name(child) in json_functions:
            return True
    return False


def callee_name(call):
    """`f` of `f(...)` and `module.f(...)`: the name the call goes through, or None."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
        return call.func.value.id + "." + call.func.attr
    return None


PROJECT_ROOT = [None]


def project_function(function, name):
    """The project's own function (or form class) that `name` names in `function`'s module, or None."""
    scope = dict(getattr(function, "__globals__", {}))
    closure = getattr(function, "__closure__", None) or ()
    for variable, cell in zip(getattr(getattr(function, "__code__", None), "co_freevars", ()), closure):
        try:
            scope[variable] = cell.cell_contents
        except ValueError:
            pass
    parts = name.split(".")
    target = scope.get(parts[0])
    for part in parts[1:]:
        # Only through modules (`store.reset`): an attribute of a proxy (`g.user`) may need a request.
        target = getattr(target, part, None) if inspect.ismodule(target) else None
    if target is None:
        return None
    if inspect.isclass(target):
        return target if form_fields(target) else None
    if not inspect.isfunction(target):
        return None
    path = os.path.abspath(getattr(target.__code__, "co_filename", ""))
    root = PROJECT_ROOT[0]
    return target if root and path.startswith(root + os.sep) else None


def form_fields(cls):
    """A WTForms form class's fields: name -> (kind, Length bounds); empty for other classes."""
    try:
        from wtforms.fields.core import UnboundField
    except ImportError:  # pragma: no cover - no WTForms: no forms
        return {}
    fields = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, UnboundField):
                field = value.field_class.__name__
                kind = (
                    "int" if "Integer" in field
                    else "float" if field in ("FloatField", "DecimalField")
                    else "date" if field.startswith("Date")
                    else "bool" if field == "BooleanField"
                    else "submit" if field == "SubmitField"
                    else "str"
                )
                bounds = []
                for validator in list(value.kwargs.get("validators") or []) + list(value.args[1] if len(value.args) > 1 and isinstance(value.args[1], (list, tuple)) else []):
                    for attribute in ("min", "max"):
                        bound = getattr(validator, attribute, None)
                        if isinstance(bound, int) and not isinstance(bound, bool) and bound > 0:
                            bounds.append(bound)
                fields[name] = (kind, bounds)
    return fields


def constant(function, node):
    """A string literal, or a module constant holding a string (`API_KEY_HEADER`)."""
    value = literal(node)
    if value is None and isinstance(node, ast.Name):
        held = getattr(function, "__globals__", {}).get(node.id)
        value = held if isinstance(held, str) else None
    return value


def parse(function):
    try:
        # The code object's source: inspect.getsource(function) follows __wrapped__ to the innermost function.
        return ast.parse(textwrap.dedent(inspect.getsource(getattr(function, "__code__", function))))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None


HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}


def empty_reads():
    return {"args": {}, "form": {}, "json": {}, "headers": {}, "cookies": {}, "lengths": [], "literals": []}


def schema_fields(function, node):
    """The declared fields of the marshmallow schema instance `node` names (`task_schema`): key -> kind; None if it is not one."""
    if not isinstance(node, ast.Name):
        return None
    schema = getattr(function, "__globals__", {}).get(node.id)
    if schema is None or not any(klass.__name__ == "Schema" and klass.__module__.startswith("marshmallow") for klass in type(schema).__mro__):
        return None
    fields = {}
    for name, field in (getattr(schema, "declared_fields", None) or {}).items():
        kind_name = type(field).__name__
        kind = "int" if kind_name == "Integer" else "float" if kind_name in ("Float", "Decimal") else "date" if kind_name == "Date" else "bool" if kind_name == "Boolean" else None
        fields[getattr(field, "data_key", None) or name] = kind
    return fields


def parameter_reads(function):
    """For a project helper: per parameter index, the literal keys read from it and the indexes of
    parameters used as keys on it; and the parameters a length is compared with."""
    tree = parse(function)
    if tree is None or not tree.body or not isinstance(tree.body[0], (ast.FunctionDef, ast.AsyncFunctionDef)):
        return {}, {}, set()
    params = [arg.arg for arg in tree.body[0].args.args]
    keys, key_params, length_params = {}, {}, set()

    def index(node):
        return params.index(node.id) if isinstance(node, ast.Name) and node.id in params else None

    def note(mapping, key_node):
        target = index(mapping)
        if target is None:
            return
        value = constant(function, key_node)
        if value is not None:
            keys.setdefault(target, set()).add(value)
        elif index(key_node) is not None:
            key_params.setdefault(target, set()).add(index(key_node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "pop", "getlist") and node.args:
            note(node.func.value, node.args[0])
        elif isinstance(node, ast.Subscript):
            note(node.value, node.slice if not isinstance(node.slice, ast.Index) else node.slice.value)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            note(node.comparators[0], node.left)
        if isinstance(node, ast.Compare) and any(is_len(side) for side in [node.left] + node.comparators):
            for side in [node.left] + node.comparators:
                if index(side) is not None:
                    length_params.add(index(side))
    return keys, key_params, length_params


def is_len(node):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"


def returns_json(function):
    """Whether a project function hands back the request's JSON (`def json_body(): data = request.get_json(); ...; return data`)."""
    tree = parse(function)
    if tree is None:
        return False
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and contains_json(node.value):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and node.value is not None:
            if contains_json(node.value) or any(isinstance(child, ast.Name) and child.id in names for child in ast.walk(node.value)):
                return True
    return False


def reads_of(function, depth=0, seen=None):
    seen = set() if seen is None else seen
    found = empty_reads()
    if function in seen:
        return found
    seen.add(function)
    tree = parse(function)
    if tree is None:
        return found
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and callee_name(node)]
    helpers = {}
    for call in calls:
        name = callee_name(call)
        if name not in helpers:
            helpers[name] = project_function(function, name)
    json_functions = {name for name, helper in helpers.items() if helper is not None and inspect.isfunction(helper) and returns_json(helper)}
    json_names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and contains_json(node.value, json_functions):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    json_names.add(target.id)

    def source_of(node):
        if isinstance(node, ast.BoolOp):  # (data or {}).get("k")
            return next((found for found in map(source_of, node.values) if found), None)
        source = request_source(node)
        if source is None and isinstance(node, ast.Name) and node.id in json_names:
            return "json"
        if source is None and isinstance(node, ast.Call) and callee_name(node) in json_functions:
            return "json"
        return source

    def note(source, key, kind=None):
        if key is not None and (key not in found[source] or found[source][key] is None):
            found[source][key] = kind

    def length(value):
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 10000 and value not in found["lengths"]:
            found["lengths"].append(value)

    def literal_value(value):
        if isinstance(value, str) and 0 < len(value) <= 40 and value not in found["literals"] and len(found["literals"]) < 12:
            found["literals"].append(value)

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "getlist", "pop"):
            source = source_of(node.func.value)
            if source and node.args:
                note(source, constant(function, node.args[0]), type_of(node))
        elif isinstance(node, ast.Subscript):
            source = source_of(node.value)
            if source:
                note(source, constant(function, node.slice if not isinstance(node.slice, ast.Index) else node.slice.value))
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            source = source_of(node.comparators[0])
            if source:
                note(source, constant(function, node.left))
        if isinstance(node, ast.Compare) and any(is_len(side) for side in [node.left] + node.comparators):
            for side in [node.left] + node.comparators:
                if isinstance(side, ast.Constant):
                    length(side.value)
        if isinstance(node, ast.Compare) and all(isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) for op in node.ops):
            for side in [node.left] + node.comparators:
                values = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                # A module constant holding strings (`status in STATUSES`).
                held = getattr(function, "__globals__", {}).get(side.id) if isinstance(side, ast.Name) else None
                if isinstance(held, (tuple, list, set, frozenset)):
                    values = [ast.Constant(item) for item in sorted(held, key=str) if isinstance(item, str)]
                for value in values:
                    text = constant(function, value)
                    # Not HTTP methods (`request.method == "POST"`): the router varies those.
                    if text not in HTTP_METHODS:
                        literal_value(text)
        # A marshmallow schema loading a request source: its fields are keys of that source.
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("load", "validate") and node.args:
            fields = schema_fields(function, node.func.value)
            source = source_of(node.args[0])
            if fields is not None and source is not None:
                for key, kind in fields.items():
                    note(source, key, kind)

    # The project's functions it calls: their own reads, and the keys they read from what is passed to them.
    for call in calls:
        helper = helpers.get(callee_name(call))
        if helper is None:
            continue
        if inspect.isclass(helper):
            for name, (kind, bounds) in form_fields(helper).items():
                note("form", name, kind)
                for bound in bounds:
                    length(bound)
            continue
        if depth < 3:
            inner = reads_of(helper, depth + 1, seen)
            for source in ("args", "form", "json", "headers", "cookies"):
                for key, kind in inner[source].items():
                    note(source, key, kind)
            for bound in inner["lengths"]:
                length(bound)
            for value in inner["literals"]:
                literal_value(value)
        keys, key_params, length_params = parameter_reads(helper)
        arguments = list(call.args)
        for position, argument in enumerate(arguments):
            source = source_of(argument)
            if position in length_params:
                length(argument.value if isinstance(argument, ast.Constant) else None)
            if source is None:
                continue
            for key in keys.get(position, ()):
                note(source, key)
            for key_position in key_params.get(position, ()):
                if key_position < len(arguments):
                    note(source, constant(function, arguments[key_position]))
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
    root = os.path.abspath(app.root_path)
    PROJECT_ROOT[0] = os.path.dirname(root) if os.path.exists(os.path.join(root, "__init__.py")) else root
    out = {}
    # The app's before_request and after_request functions read for every endpoint ("*"); a
    # blueprint's for the endpoints under it ("<blueprint>.*").
    hooks = {}
    for registry in (app.before_request_funcs, app.after_request_funcs):
        for blueprint, functions in registry.items():
            hooks.setdefault("*" if blueprint is None else blueprint + ".*", []).extend(functions)
    views = sorted(app.view_functions.items()) + sorted(hooks.items())
    for endpoint, view in views:
        merged = empty_reads()
        for function in (functions_of(view) if callable(view) else [w for f in view for w in wrappers(f)]):
            for source, keys in reads_of(function).items():
                if source in ("lengths", "literals"):
                    merged[source].extend(n for n in keys if n not in merged[source])
                    continue
                for key, kind in keys.items():
                    if merged[source].get(key) is None:
                        merged[source][key] = kind
        merged["lengths"].sort()
        out[endpoint] = merged
    out["__vocabulary__"] = vocabulary(app)
    json.dump(out, sys.stdout, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
