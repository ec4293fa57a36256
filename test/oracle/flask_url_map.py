"""Print a Flask app's URL map as JSON: the oracle for `migrate routes <dir> --json`.

Usage: /usr/bin/python3 test/oracle/flask_url_map.py <project-dir> [module:name | "module:factory(args)"]

The app is found the way `flask run` finds it (flask.cli's own prepare_import /
locate_app / find_best_app): with an explicit app string as FLASK_APP would take it,
otherwise wsgi.py, then app.py (Flask's defaults), then autoapp.py.
"""

import contextlib
import json
import os
import re
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


# Rules in the order Map.add received them: Werkzeug 2.2's iter_rules() groups rules by
# endpoint, so it is not the registration order the matcher breaks ties with.
_ADDED_RULES = []


def _record_registration_order():
    from werkzeug.routing import Map, Rule

    if getattr(Map.add, "_oracle_records", False):
        return
    original_add = Map.add

    def add(self, rulefactory):
        original_add(self, rulefactory)
        if isinstance(rulefactory, Rule):
            _ADDED_RULES.append(rulefactory)

    add._oracle_records = True
    Map.add = add


def load_app(project_dir, app_spec=None):
    """Import the Flask app of `project_dir` as FLASK_APP / `flask run` would."""
    # Reading a project must not leave __pycache__ folders in it.
    sys.dont_write_bytecode = True
    # The oracle's own folder must not shadow the project's modules.
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
    project_dir = os.path.abspath(project_dir)
    os.chdir(project_dir)
    sys.path.insert(0, project_dir)

    from flask.cli import NoAppException, locate_app, prepare_import

    _record_registration_order()

    # Anything the app prints while importing must not end up in our JSON on stdout.
    with contextlib.redirect_stdout(sys.stderr):
        if app_spec:
            path, name = (re.split(r":(?![\\/])", app_spec, 1) + [None])[:2]
            return locate_app(prepare_import(path), name)
        for candidate in ("wsgi.py", "app.py", "autoapp.py"):
            if not os.path.exists(candidate):
                continue
            app = locate_app(prepare_import(candidate), None, raise_if_not_found=False)
            if app:
                return app
    raise NoAppException(
        f"Could not locate a Flask application in {project_dir} "
        "(tried wsgi.py, app.py, autoapp.py); pass module:name."
    )


def _rule_parts(rule_text):
    """Yield (converter, arguments, variable) for every placeholder of a rule text."""
    try:  # Werkzeug < 2.2 exposes the parser.
        from werkzeug.routing import parse_rule  # type: ignore

        for converter, arguments, variable in parse_rule(rule_text):
            if converter is not None:
                yield converter, arguments, variable
        return
    except ImportError:
        pass
    from werkzeug.routing.rules import _part_re  # Werkzeug >= 2.2

    pos = 0
    while pos < len(rule_text):
        match = _part_re.match(rule_text, pos)
        if match is None:
            raise ValueError(f"malformed url rule: {rule_text!r}")
        data = match.groupdict()
        if data["variable"] is not None:
            yield data["converter"] or "default", data["arguments"], data["variable"]
        pos = match.end()


def _converters(rule_text):
    from werkzeug.routing.rules import parse_converter_args

    out = []
    for converter, arguments, variable in _rule_parts(rule_text):
        args, kwargs = parse_converter_args(arguments) if arguments else ((), {})
        out.append(
            {"variable": variable, "name": converter, "args": list(args), "kwargs": kwargs}
        )
    return out


def _json_value(value):
    """What json.dumps cannot carry is shown by its repr (never happens for literal defaults)."""
    return repr(value)


def _literal(value):
    """A default as the IR writes Python literals: an integral float is {"$float": n} (JSON's 3 is the int)."""
    if isinstance(value, float) and value.is_integer():
        return {"$float": value}
    if isinstance(value, (list, tuple)):
        return [_literal(item) for item in value]
    if isinstance(value, dict):
        return {key: _literal(item) for key, item in value.items()}
    return value


def describe_url_map(app):
    url_map = app.url_map
    rules = []
    ordered = list(url_map.iter_rules())
    for rule in ordered:
        redirect_to = rule.redirect_to
        if redirect_to is not None and not isinstance(redirect_to, str):
            redirect_to = f"<callable {getattr(redirect_to, '__qualname__', repr(redirect_to))}>"
        rules.append(
            {
                "rule": rule.rule,
                "endpoint": rule.endpoint,
                "methods": sorted(rule.methods) if rule.methods is not None else None,
                "converters": _converters(rule.rule),
                "defaults": _literal(dict(rule.defaults)) if rule.defaults else None,
                # Werkzeug resolves an unset strict_slashes to the map's setting when binding.
                "strictSlashes": rule.strict_slashes,
                # Binding turns "no subdomain" into the map's default_subdomain ('').
                "subdomain": rule.subdomain or None,
                "host": rule.host or None,
                "redirectTo": redirect_to,
                "provideAutomaticOptions": bool(
                    getattr(rule, "provide_automatic_options", False)
                ),
            }
        )
    index_of = {id(rule): index for index, rule in enumerate(ordered)}
    added = [index_of[id(rule)] for rule in _ADDED_RULES if rule.map is url_map]
    return {
        "rules": rules,
        # Indexes into "rules" in registration order; null when some rule came from a factory.
        "registrationOrder": added if sorted(added) == list(range(len(ordered))) else None,
        "strictSlashes": url_map.strict_slashes,
        "hostMatching": url_map.host_matching,
    }


def main(argv):
    if len(argv) < 2 or len(argv) > 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    app = load_app(argv[1], argv[2] if len(argv) == 3 else None)
    json.dump(describe_url_map(app), sys.stdout, indent=2, default=_json_value)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
