/**
 * Issue 18 on real public projects: each is migrated, its service started with `LEGACY_URL` pointing
 * at the project served by Werkzeug, and `migrate verify --legacy` replays a scenario written from the
 * project's own test suite (bench/real-projects/scenarios/<name>.jsonl) on it and on Flask's test
 * client: every answer must be Flask's, however many views are stubs. Each project runs twice: as
 * migrated (native views served here, the rest forwarded) and with `LEGACY_ROUTES=*` (everything
 * forwarded, the instant rollback).
 *
 *   node --import tsx bench/real-projects/legacy-run.ts [--checkouts /work/real-projects] [--only name,…]
 *
 * - flaskr: the Flask tutorial (pallets/flask examples/tutorial at 2.2.5), server-rendered pages,
 *   sqlite3, sessions, flash, a login_required decorator. Its tests build the database with
 *   `init_db()` and tests/data.sql: the same here, with `--setup` (`flask init-db`, then data.sql),
 *   in each side's own folder. Its database path is `instance/config.py`'s (the tutorial's way to
 *   configure a deployment): the script works on a copy of the checkout with one that reads
 *   DATABASE and SECRET_KEY from the environment, as the service does.
 * - restx-boilerplate (X1Zeth2X/flask-restx-boilerplate): a JSON API with Flask-RESTX, Flask-JWT-
 *   Extended (create_access_token, @jwt_required()), Flask-SQLAlchemy, marshmallow, Flask-Bcrypt
 *   and Flask-CORS; every view is a stub (Flask-RESTX resources), all forwarded. Its tests call
 *   `db.create_all()`: `--setup` does. Flask-RESTX comes from `_deps/` (see README.md).
 *
 * The checkouts are not in this repository (README.md says how to get them; flaskr is
 * `fetch github:pallets/flask`, then `git archive <commit> examples/tutorial` into
 * <checkouts>/flask-tutorial). A missing checkout is listed as not fetched. Exit status 1 when a
 * run has a difference or cannot compare.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

interface Project {
  name: string
  repository: string
  commit: string
  /** The project folder inside the checkouts folder. */
  folder: string
  app: string
  env: Record<string, string>
  setup: string
  /** Files written into the working copy (an instance folder's deployment config). */
  deployment?: Record<string, string>
  /** Folders (relative to the checkouts folder) the Flask side needs on PYTHONPATH. */
  pythonpath?: string[]
}

const PROJECTS: Project[] = [
  {
    name: 'flaskr',
    repository: 'pallets/flask (examples/tutorial)',
    commit: '47af817c8fe01045c641b97f8fb784c7ad864eee',
    folder: 'flask-tutorial/examples/tutorial',
    app: 'flaskr:create_app',
    env: { SECRET_KEY: 'dev', DATABASE: '{tmp}/flaskr.sqlite' },
    setup:
      '$PYTHON -m flask init-db && $PYTHON -c "import os, sqlite3; db = sqlite3.connect(os.environ[\'DATABASE\']); db.executescript(open(\'tests/data.sql\').read()); db.commit()"',
    deployment: {
      'instance/config.py':
        '# This deployment\'s configuration (bench/real-projects/legacy-run.ts): from the environment, as the service reads it.\nimport os\n\nDATABASE = os.environ["DATABASE"]\nSECRET_KEY = os.environ["SECRET_KEY"]\n',
    },
  },
  {
    name: 'restx-boilerplate',
    repository: 'X1Zeth2X/flask-restx-boilerplate',
    commit: '395cdb83162eac394bad0d916aee4eeb4f2f576e',
    folder: 'restx-boilerplate',
    app: 'giya:app',
    env: { SECRET_KEY: 'dev-secret', JWT_SECRET_KEY: 'dev-jwt-secret', DATABASE_URL: 'sqlite:///{tmp}/dev.sqlite' },
    setup: '$PYTHON -c "from giya import app, db; app.app_context().push(); db.create_all()"',
    pythonpath: ['_deps/flask-restx'],
  },
]

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`)
  return index < 0 ? undefined : process.argv[index + 1]
}

function main(): number {
  const checkouts = resolve(option('checkouts') ?? '/work/real-projects')
  const only = option('only')?.split(',')
  const work = mkdtempSync(join(tmpdir(), 'legacy-run-'))
  const rows: string[] = []
  let failed = false
  try {
    for (const project of PROJECTS.filter((candidate) => only === undefined || only.includes(candidate.name))) {
      const source = join(checkouts, project.folder)
      if (!existsSync(source)) {
        rows.push(`| ${project.name} | not fetched (${source}) | | |`)
        continue
      }
      // A copy: the deployment's files and what importing the app writes stay out of the checkout.
      const copy = join(work, project.name)
      cpSync(source, copy, { recursive: true })
      for (const [path, text] of Object.entries(project.deployment ?? {})) {
        mkdirSync(dirname(join(copy, path)), { recursive: true })
        writeFileSync(join(copy, path), text)
      }
      const serviceDir = join(work, `${project.name}-service`)
      const migrated = spawnSync(process.execPath, ['bin/migrate.js', copy, '--app', project.app, '--out', serviceDir, '--force'], { cwd: REPO, encoding: 'utf8' })
      if (migrated.status !== 0) {
        failed = true
        rows.push(`| ${project.name} | migrate failed: ${(migrated.stderr || migrated.stdout).trim().split('\n').at(-1)} | | |`)
        continue
      }
      const summary = migrated.stdout.split('\n')[0] ?? ''
      console.log(summary)
      const env = { ...project.env, ...(project.pythonpath ? { PYTHONPATH: project.pythonpath.map((folder) => join(checkouts, folder)).join(':') } : {}) }
      const scenario = join(REPO, 'bench', 'real-projects', 'scenarios', `${project.name}.jsonl`)
      for (const [label, extra] of [['as migrated', {}], ['LEGACY_ROUTES=*', { LEGACY_ROUTES: '*' }]] as const) {
        const args = ['bin/migrate.js', 'verify', copy, '--out', serviceDir, '--legacy', '--app', project.app, '--scenario', scenario, '--setup', project.setup]
        for (const [key, value] of Object.entries({ ...env, ...extra })) args.push('--env', `${key}=${value}`)
        const verified = spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', timeout: 900_000 })
        const output = `${verified.stdout}${verified.stderr}`.trim()
        console.log(`\n## ${project.name}, ${label}\n${output}\n`)
        const last = output.split('\n').at(-1) ?? ''
        if (verified.status !== 0) failed = true
        rows.push(`| ${project.name} | ${label} | ${summary.replace(/^[^:]+:[^:]+: /, '')} | ${last} |`)
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  console.log('| project | run | migrated | migrate verify --legacy |')
  console.log('| --- | --- | --- | --- |')
  for (const row of rows) console.log(row)
  return failed ? 1 : 0
}

process.exitCode = main()
