"""Issue 11's last "Done when": every Flask extension the real public projects of projects.json
set up is either carried over by a mapping (rules/extensions/*.yaml, and no finding names it) or
named in a finding of the migration report; none is left silent.

    python3 bench/real-projects/extension-coverage.py [--checkouts /work/real-projects]

Migrates each project (its checkout, fetched by fetch-and-compare.ts; never committed) into a
temporary folder with --emit-ir, and prints per project each extension use and its status:
mapped, finding, or SILENT. Exits 1 when one is SILENT. A measurement, not a test.
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
checkouts = sys.argv[sys.argv.index("--checkouts") + 1] if "--checkouts" in sys.argv else "/work/real-projects"

mapped = set()
for rule in glob.glob(os.path.join(REPO, "rules", "extensions", "*.yaml")):
    with open(rule) as handle:
        for line in handle:
            found = re.match(r"^package:\s*(\S+)", line)
            if found:
                mapped.add(found.group(1))

with open(os.path.join(HERE, "projects.json")) as handle:
    manifest = json.load(handle)
projects = manifest if isinstance(manifest, list) else manifest["projects"]
silent_total = uses_total = 0
with tempfile.TemporaryDirectory() as tmp:
    for project in projects:
        folder = os.path.join(checkouts, project.get("checkout") or project["name"], project.get("workdir", "."))
        if not os.path.isdir(folder):
            print(f"{project['name']}: no checkout")
            continue
        ir_file = os.path.join(tmp, project["name"] + ".ir.json")
        out = os.path.join(tmp, project["name"])
        env = dict(os.environ, **project.get("env", {}))
        run = subprocess.run(["node", os.path.join(REPO, "bin", "migrate.js"), folder, "--app", project["app"], "--out", out, "--force", "--emit-ir", ir_file], capture_output=True, text=True, env=env)
        if not os.path.exists(ir_file):
            print(f"{project['name']}: migrate failed: {run.stderr.strip().splitlines()[-1:]}")
            continue
        with open(ir_file) as handle:
            ir = json.load(handle)
        with open(os.path.join(out, "migration-report.json")) as handle:
            findings = json.dumps(json.load(handle)["findings"])
        apps = [app for app in ir["apps"] if app["id"] == ir.get("selectedApp")] or ir["apps"][:1]
        statuses = []
        for use in apps[0]["extensions"] if apps else []:
            named = use["symbol"] in findings or use["package"] in findings
            status = "finding" if named else "mapped" if use["package"] in mapped else "SILENT"
            silent_total += status == "SILENT"
            uses_total += 1
            statuses.append(f"{use['package']}.{use['symbol']}: {status}")
        print(f"{project['name']}: {', '.join(statuses) or 'no extensions'}")
print(f"{uses_total} extension uses in {len(projects)} projects, {silent_total} silent")
sys.exit(1 if silent_total else 0)
