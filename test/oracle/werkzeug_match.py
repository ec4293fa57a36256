"""Werkzeug's routing outcome for a rule table and a list of requests (the oracle of
test/runtime/router-differential.test.ts).

stdin:  {"strictSlashes": true,
         "rules": [{"rule", "endpoint", "methods", "defaults"?, "strictSlashes"?,
                    "redirectTo"?, "provideAutomaticOptions"?}],
         "requests": [[method, raw_path, query_string], ...]}
stdout: one JSON outcome per request, in order:
         {"kind": "match", "endpoint", "viewArgs"}            a view would run
         {"kind": "options", "allowed"}                       Flask's automatic OPTIONS answer
         {"kind": "404"} | {"kind": "405", "allowed"}         routing errors (allowed sorted)
         {"kind": "redirect", "location"}                     RequestRedirect (308)
         {"kind": "error", "type"}                            any other exception

raw_path is percent-encoded as on the request line; PATH_INFO is made from it as a WSGI
server does (unquoted to bytes, latin-1), so Werkzeug's own decoding applies.
Run with Debian's /usr/bin/python3 (Werkzeug 2.2.2).
"""
import json
import sys
import uuid
from urllib.parse import unquote_to_bytes

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, RequestRedirect, Rule


def to_json(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def main():
    table = json.load(sys.stdin)
    rules = []
    automatic = []
    for spec in table["rules"]:
        rules.append(
            Rule(
                spec["rule"],
                endpoint=spec["endpoint"],
                methods=spec["methods"],
                defaults=spec.get("defaults"),
                strict_slashes=spec.get("strictSlashes"),
                redirect_to=spec.get("redirectTo"),
            )
        )
        automatic.append(spec.get("provideAutomaticOptions", "OPTIONS" in spec["methods"]))
    url_map = Map(rules, strict_slashes=table.get("strictSlashes", True))
    automatic_by_rule = {id(rule): flag for rule, flag in zip(rules, automatic)}

    out = []
    for method, raw_path, query in table["requests"]:
        environ = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(raw_path).decode("latin1"),
            "QUERY_STRING": query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "HTTP_HOST": "localhost",
            "wsgi.url_scheme": "http",
        }
        adapter = url_map.bind_to_environ(environ)
        try:
            rule, view_args = adapter.match(method=method, return_rule=True)
        except RequestRedirect as e:
            out.append({"kind": "redirect", "location": e.new_url})
        except MethodNotAllowed as e:
            out.append({"kind": "405", "allowed": sorted(e.valid_methods)})
        except NotFound:
            out.append({"kind": "404"})
        except Exception as e:  # noqa: BLE001 - the oracle reports whatever Werkzeug raises
            out.append({"kind": "error", "type": type(e).__name__})
        else:
            if method == "OPTIONS" and automatic_by_rule[id(rule)]:
                out.append({"kind": "options", "allowed": sorted(adapter.allowed_methods())})
            else:
                out.append(
                    {
                        "kind": "match",
                        "endpoint": rule.endpoint,
                        "viewArgs": {k: to_json(v) for k, v in view_args.items()},
                    }
                )
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
