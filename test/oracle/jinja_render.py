"""Render templates with real Flask + Jinja2: the oracle of test/runtime/templates-differential.test.ts.

Usage: /usr/bin/python3 test/oracle/jinja_render.py < request.json

The request: {"app_dir": ..., "entry": "wsgi:app", "cases": [{"template": name, "source": text,
"path": "/", "context": {...}, "flashes": [[category, message]], "g": {...}}]}. Each case renders
`render_template(template, **context)` (or `render_template_string(source, **context)`) inside
`app.test_request_context(path)`, so the app's context processors, filters, tests, globals and
blueprint template folders apply as in a request. Context values are JSON with tags for what JSON
lacks: {"$tuple": [...]}, {"$dict": [[k, v], ...]}, {"$markup": "..."}, {"$float": 2},
{"$date": "2024-01-31"}, {"$obj": {...}} (an object with attributes), {"$field": {...}} (a form
field: callable, with label/errors/description), {"$pagination": {...}} (iter_pages()),
{"$fn": value} (a callable returning the value).
Prints {"rules": the URL map, "outputs": [{"ok": text} | {"error": message}], "config": the
values of the app's config keys named in "config_keys"}.
"""

import datetime
import importlib
import json
import os
import sys
import types

from markupsafe import Markup, escape


class Field:
    """A form field as WTForms renders one: `field(**kwargs)` is an <input> with the attributes sorted."""

    def __init__(self, spec):
        self.name = spec["name"]
        self.data = spec.get("data")
        self.errors = spec.get("errors", [])
        self.description = spec.get("description", "")
        self.label = Markup('<label for="%s">%s</label>') % (self.name, spec.get("label", self.name))

    def __call__(self, **kwargs):
        attrs = {"id": self.name, "name": self.name}
        for key, value in kwargs.items():
            attrs[key.rstrip("_")] = value
        if self.data is not None:
            attrs["value"] = self.data
        parts = []
        for key in sorted(attrs):
            value = attrs[key]
            if value is True:
                parts.append(key)
            elif value is not False and value is not None:
                parts.append('%s="%s"' % (key, escape(value)))
        return Markup("<input %s>" % " ".join(parts))


class Pagination:
    def __init__(self, spec):
        for key, value in spec.items():
            if key != "pages":
                setattr(self, key, value)
        self._pages = spec["pages"]

    def iter_pages(self):
        return iter(self._pages)


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, inner), = value.items()
            if tag == "$tuple":
                return tuple(decode(v) for v in inner)
            if tag == "$dict":
                return {decode(k): decode(v) for k, v in inner}
            if tag == "$markup":
                return Markup(inner)
            if tag == "$float":
                return float(inner)
            if tag == "$date":
                return datetime.date.fromisoformat(inner)
            if tag == "$obj":
                return types.SimpleNamespace(**{k: decode(v) for k, v in inner.items()})
            if tag == "$fn":
                result = decode(inner)
                return lambda *args, **kwargs: result
            if tag == "$field":
                return Field(inner)
            if tag == "$pagination":
                return Pagination(decode(inner))
        return {k: decode(v) for k, v in value.items()}
    return value


def main():
    request = json.load(sys.stdin)
    sys.path.insert(0, request["app_dir"])
    os.chdir(request["app_dir"])
    module_name, _, attr = request.get("entry", "wsgi:app").partition(":")
    app = getattr(importlib.import_module(module_name), attr or "app")
    from flask import g, render_template, render_template_string, session

    outputs = []
    for case in request["cases"]:
        try:
            with app.test_request_context(case.get("path", "/")):
                if case.get("flashes"):
                    session["_flashes"] = [tuple(f) for f in case["flashes"]]
                for key, value in (case.get("g") or {}).items():
                    setattr(g, key, decode(value))
                context = decode(case.get("context") or {})
                if case.get("source") is not None:
                    text = render_template_string(case["source"], **context)
                else:
                    text = render_template(case["template"], **context)
            outputs.append({"ok": text})
        except Exception as error:  # the service must fail too
            outputs.append({"error": "%s: %s" % (type(error).__name__, error)})
    rules = [
        {"rule": rule.rule, "endpoint": rule.endpoint, "methods": sorted(rule.methods)}
        for rule in app.url_map.iter_rules()
    ]
    config = {key: app.config[key] for key in request.get("config_keys", [])}
    print(json.dumps({"rules": rules, "outputs": outputs, "config": config}))


main()
