"""Serve a Flask app over HTTP for `migrate verify --legacy`: the legacy app the service under
test forwards to (LEGACY_URL), loaded as `flask run` loads it (flask_url_map.load_app).

Usage: /usr/bin/python3 test/oracle/flask_serve.py <project-dir> <port> [app]

Werkzeug's run_simple on 127.0.0.1, threaded (as a deployment keeps connections alive). The
environment this process is started with is the app's (`--env`, `{tmp}` replaced). Prints
nothing on stdout; Werkzeug's request log goes to stderr.
"""

import os
import sys

sys.dont_write_bytecode = True
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
from flask_url_map import load_app  # noqa: E402  (sibling oracle script)


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    from werkzeug.serving import run_simple

    app = load_app(argv[1], argv[3] if len(argv) == 4 else None)
    run_simple("127.0.0.1", int(argv[2]), app, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
