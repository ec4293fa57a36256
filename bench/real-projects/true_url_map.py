"""The true route table of a real Flask project: real Flask imports the app, we read app.url_map.

Run it with Debian's Python (/usr/bin/python3 and python3-flask), never the pyenv one:

  /usr/bin/python3 bench/real-projects/true_url_map.py <dir> <app-spec>
      imports the app in <dir> as `FLASK_APP=<app-spec> flask` would (`module:app`,
      `module:create_app()`, `path/to/file.py:app`) and prints its url_map as JSON.
      The environment (PYTHONPATH, the project's env vars) is taken as it is.

  /usr/bin/python3 bench/real-projects/true_url_map.py --project NAME [--checkouts DIR] [--write]
  /usr/bin/python3 bench/real-projects/true_url_map.py --all [--checkouts DIR] [--write]
      the same for projects of projects.json, found in DIR/<checkout> (default /work/real-projects):
      each runs in its own process with the manifest's working dir, env vars and extra
      PYTHONPATH (DIR/_deps/...). --write saves tables/<name>.json instead of printing.

Each rule is printed in app.url_map.iter_rules() order: rule, endpoint, sorted methods,
strict_slashes, and defaults / subdomain / host / redirect_to when set.
"""

import contextlib
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(HERE, "projects.json")
DEFAULT_CHECKOUTS = "/work/real-projects"


def load_app(project_dir, app_spec):
    """Import the app the way `flask` does with FLASK_APP=app_spec, from project_dir."""
    sys.dont_write_bytecode = True  # leave no __pycache__ in the checkout
    project_dir = os.path.abspath(project_dir)
    os.chdir(project_dir)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
    sys.path.insert(0, project_dir)
    from flask.cli import locate_app, prepare_import

    # `path:name` splits on the last colon that is not a Windows drive (flask.cli's own rule).
    path, name = (re.split(r":(?![\\/])", app_spec, 1) + [None])[:2]
    with contextlib.redirect_stdout(sys.stderr):  # what the app prints must not spoil our JSON
        return locate_app(prepare_import(path), name)


def describe(app):
    rules = []
    for rule in app.url_map.iter_rules():
        row = {
            "rule": rule.rule,
            "endpoint": rule.endpoint,
            "methods": sorted(rule.methods or []),
            "strictSlashes": rule.strict_slashes,
        }
        if rule.defaults:
            row["defaults"] = {k: repr(v) if not isinstance(v, (str, int, float, bool, type(None))) else v
                               for k, v in rule.defaults.items()}
        if rule.subdomain:
            row["subdomain"] = rule.subdomain
        if rule.host:
            row["host"] = rule.host
        if rule.redirect_to is not None:
            row["redirectTo"] = rule.redirect_to if isinstance(rule.redirect_to, str) else "<callable>"
        rules.append(row)
    return {
        "strictSlashes": app.url_map.strict_slashes,
        "hostMatching": app.url_map.host_matching,
        "rules": rules,
    }


def read_manifest():
    with open(MANIFEST, encoding="utf-8") as handle:
        return json.load(handle)["projects"]


def run_project(project, checkouts, write):
    """One project in a fresh process: its env vars, its PYTHONPATH, its working dir."""
    root = os.path.join(checkouts, project.get("checkout", project["name"]))
    if not os.path.isdir(root):
        print(f"{project['name']}: not fetched ({root} is missing)", file=sys.stderr)
        return False
    env = dict(os.environ)
    env.update(project.get("env", {}))
    extra = [os.path.join(checkouts, p) for p in project.get("pythonpath", [])]
    env["PYTHONPATH"] = os.pathsep.join(extra + [env["PYTHONPATH"]] if env.get("PYTHONPATH") else extra)
    workdir = os.path.join(root, project.get("workdir", "."))
    done = subprocess.run(
        ["/usr/bin/python3", os.path.abspath(__file__), workdir, project["app"]],
        env=env, capture_output=True, text=True, timeout=300,
    )
    if done.returncode != 0:
        print(f"{project['name']}: FAILED\n{done.stderr[-3000:]}", file=sys.stderr)
        return False
    table = json.loads(done.stdout)
    table = {
        "project": project["name"],
        "repository": project["repository"],
        "commit": project["commit"],
        "app": project["app"],
        "workdir": project.get("workdir", "."),
        **table,
    }
    text = json.dumps(table, indent=2) + "\n"
    if write:
        with open(os.path.join(HERE, "tables", project["name"] + ".json"), "w", encoding="utf-8") as out:
            out.write(text)
        print(f"{project['name']}: {len(table['rules'])} rules", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return True


def main(argv):
    args = argv[1:]
    checkouts = DEFAULT_CHECKOUTS
    if "--checkouts" in args:
        at = args.index("--checkouts")
        checkouts = args[at + 1]
        del args[at:at + 2]
    write = "--write" in args
    args = [a for a in args if a != "--write"]
    if args[:1] == ["--all"]:
        results = [run_project(p, checkouts, write) for p in read_manifest()]
        return 0 if all(results) else 1
    if args[:1] == ["--project"] and len(args) == 2:
        chosen = [p for p in read_manifest() if p["name"] == args[1]]
        if not chosen:
            print(f"no project {args[1]!r} in {MANIFEST}", file=sys.stderr)
            return 2
        return 0 if run_project(chosen[0], checkouts, write) else 1
    if len(args) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    app = load_app(args[0], args[1])
    json.dump(describe(app), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
