import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadProject } from '../../src/analyze/index.js'
import type { AppIR } from '../../src/ir/types.js'

/**
 * What an app's setup code does besides routing (src/analyze/app-extras.ts): config paths under
 * the app's folders, folders it creates, its CLI commands. Command names and instance_path are
 * checked against real Flask (/usr/bin/python3) where it is installed.
 */

const scratch = mkdtempSync(join(tmpdir(), 'migrate-app-extras-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
const hasFlask = spawnSync('/usr/bin/python3', ['-c', 'import flask'], { encoding: 'utf8' }).status === 0

function project(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name)
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), text)
  }
  return dir
}

function appOf(dir: string): AppIR {
  const loaded = loadProject(dir)
  if (!loaded.ok) throw new Error(loaded.error.message)
  return loaded.project.ir.apps[0]!
}

const TUTORIAL = {
  'flaskr/__init__.py': `import os
from flask import Flask


def create_app():
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "flaskr.sqlite"),
        UPLOADS=os.environ.get("UPLOADS", os.path.join(app.root_path, "files", "up")),
    )
    try:
        os.makedirs(app.instance_path)
    except OSError:
        pass
    from . import db
    db.init_app(app)

    @app.cli.command("seed")
    def seed():
        pass

    @app.cli.command
    def report_all():
        pass

    return app
`,
  'flaskr/db.py': `import click
from flask.cli import with_appcontext


@click.command("init-db")
@with_appcontext
def init_db_command():
    click.echo("Initialized the database.")


@click.command()
@click.option("--count", default=1)
def fill_table(count):
    pass


def init_app(app):
    app.cli.add_command(init_db_command)
    app.cli.add_command(fill_table)
    app.cli.add_command(init_db_command, "reset")
`,
}

describe('config paths, folders and CLI commands of the setup code', () => {
  const dir = project('tutorial', TUTORIAL)
  const app = appOf(dir)

  it('a config value under app.instance_path or app.root_path is a path, also as an environment read\'s fallback', () => {
    const entries = Object.fromEntries(app.config.map((entry) => [entry.key, entry]))
    expect(entries.DATABASE).toMatchObject({ path: { base: 'instance', parts: ['flaskr.sqlite'] }, envVar: null, secret: false, expression: 'os.path.join(app.instance_path, "flaskr.sqlite")' })
    expect(entries.UPLOADS).toMatchObject({ path: { base: 'root', parts: ['files', 'up'] }, envVar: 'UPLOADS' })
    expect(entries.SECRET_KEY!.path).toBeUndefined()
  })

  it('os.makedirs(app.instance_path) in the factory is a folder the service creates', () => {
    expect(app.folders).toEqual([{ base: 'instance', parts: [] }])
  })

  it('commands: click commands given to add_command (under another name too), @app.cli.command(name); click options counted; @app.cli.command without parentheses registers nothing in Flask 2.2', () => {
    expect(app.commands!.map((command) => [command.name, command.ref.qualname, command.parameters.length > 0])).toEqual([
      ['init-db', 'init_db_command', false],
      ['fill-table', 'fill_table', true],
      ['reset', 'init_db_command', false],
      ['seed', 'create_app.seed', false],
    ])
  })

  it.skipIf(!hasFlask)('Flask agrees: the same command names, instance_path is the instance folder beside the package', () => {
    const script = 'import json, sys\nsys.path.insert(0, sys.argv[1])\nfrom flaskr import create_app\napp = create_app()\nprint(json.dumps([sorted(app.cli.commands), app.instance_path, app.config["DATABASE"]]))'
    const [names, instancePath, database] = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, dir], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } })) as [string[], string, string]
    expect(names).toEqual(app.commands!.map((command) => command.name).sort())
    expect(instancePath).toBe(join(dir, 'instance'))
    expect(database).toBe(join(dir, 'instance', 'flaskr.sqlite'))
  })

  it('a module\'s __file__ folder (the "basedir" of many configs) is the service\'s folder', () => {
    const basedir = appOf(
      project('basedir', {
        'config.py': `import os\nbasedir = os.path.abspath(os.path.dirname(__file__))\n\n\nclass Config:\n    DATABASE = os.path.join(basedir, "app.db")\n    TOP = os.path.join(os.path.dirname(basedir), "top.db")\n    EITHER = os.environ.get("DATABASE") or os.path.join(basedir, "app.db")\n`,
        'app.py': `from flask import Flask\nfrom config import Config\n\napp = Flask(__name__)\napp.config.from_object(Config)\n`,
      }),
    )
    const entries = Object.fromEntries(basedir.config.map((entry) => [entry.key, entry]))
    expect(entries.DATABASE!.path).toEqual({ base: 'root', parts: ['app.db'] })
    expect(entries.TOP!.path).toEqual({ base: 'root', parts: ['top.db'] })
    // `or`: an empty variable gives the path too (src/config.ts reads it with `||`).
    expect(entries.EITHER).toMatchObject({ path: { base: 'root', parts: ['app.db'] }, envVar: 'DATABASE', envOr: true })
    expect(basedir.folders).toBeUndefined()
  })
})
