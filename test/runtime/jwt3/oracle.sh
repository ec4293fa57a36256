#!/bin/sh
# Exports the 3.x oracle of test/runtime/jwt3.test.ts into $1 (default /tmp/jwt3oracle):
# Flask-JWT-Extended 3.25.1 (commit 217d9a9, the last 3.x release) and PyJWT 1.7.1 (the PyJWT it
# requires: 'PyJWT>=1.6.4,<2.0'), each from a git clone of its repository (GIT_FJWE, GIT_PYJWT:
# git directories of github.com/vimalloc/flask-jwt-extended and github.com/jpadilla/pyjwt).
# Neither is copied into this repository. Debian's Flask 2.2 runs them (app.py supplies the
# werkzeug.security.safe_str_cmp that Werkzeug 2.1 removed).
set -eu
out=${1:-/tmp/jwt3oracle}
: "${GIT_FJWE:?git directory of vimalloc/flask-jwt-extended}" "${GIT_PYJWT:?git directory of jpadilla/pyjwt}"
mkdir -p "$out"
git --git-dir="$GIT_FJWE" archive 217d9a9 flask_jwt_extended | tar -x -C "$out"
git --git-dir="$GIT_PYJWT" archive 1.7.1 jwt | tar -x -C "$out"
PYTHONPATH="$out" /usr/bin/python3 -c 'import jwt; print("PyJWT", jwt.__version__)'
grep -h "__version__ =" "$out/flask_jwt_extended/__init__.py"
