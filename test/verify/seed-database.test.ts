import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { runVerify } from '../../src/verify/index.js'
import { pythonCreateAll } from '../db/models.js'

// `migrate verify --seed-database FILE` (issue 17): both sides start on a copy of ONE SQLite
// database that the Flask app itself created and seeded, as a team points the service at the
// database its Flask app already uses. The journal's whole scenario must pass with 0 differences
// and leave the same rows on both sides; the service must read the copy it was given (a seed with
// an entry of its own shows it), and the seed file is never written.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const journal = join(repoRoot, 'fixtures', 'acceptance', 'journal')
const python = '/usr/bin/python3'
const hasOracle = spawnSync(python, ['-c', 'import flask, flask_sqlalchemy, flask_login, flask_wtf'], { encoding: 'utf8' }).status === 0
if (!hasOracle && process.env.CI === 'true') throw new Error("/usr/bin/python3 cannot import the journal's packages (bash .ci/run installs them)")

const expected = JSON.parse(readFileSync(join(repoRoot, 'test', 'verify', 'acceptance-expected.json'), 'utf8')) as Record<string, { env: Record<string, string> }>
const env = expected['journal']!.env
const work = mkdtempSync(join(tmpdir(), 'verify-seed-database-'))
const serviceDir = join(work, 'service')
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** A journal database made by the Flask app's own start-up (create_all, then its seed when empty), then `extra` Python in an app context. */
function flaskSeeded(name: string, extra = ''): string {
  const folder = join(work, name)
  mkdirSync(folder)
  const file = join(folder, 'journal.sqlite')
  pythonCreateAll(journal, 'wsgi', `sqlite:///${file}`, { JOURNAL_TESTING: '1', PYTHONDONTWRITEBYTECODE: '1' })
  if (extra !== '') {
    const script = `import datetime, sys; sys.path.insert(0, sys.argv[1])
from journal import create_app
from journal.extensions import db
from journal.models import Comment, Post, Tag, User
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[2]})
with app.app_context():
${extra.split('\n').map((line) => `    ${line}`).join('\n')}
    db.session.commit()`
    execFileSync(python, ['-c', script, journal, file], { env: { ...process.env, JOURNAL_TESTING: '1', PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
  }
  return file
}

async function verify(seedDatabase: string, scenario: string, build = true): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = []
  const code = await runVerify({
    flaskDir: journal,
    serviceDir,
    scenario,
    app: 'wsgi:app',
    env,
    seedDatabase,
    python,
    build,
    linkNodeModules: join(repoRoot, 'node_modules'),
    output: (line) => lines.push(line),
  })
  return { code, lines }
}

describe('migrate verify --seed-database', () => {
  it('hands the file to runVerify', async () => {
    const calls: unknown[] = []
    const code = await main(['verify', journal, '--out', work, '--seed-database', 'seed.sqlite', '--env', 'DATABASE_URL=sqlite:///{tmp}/seed.sqlite'], {
      stdout: () => {},
      stderr: () => {},
      env: {},
      runVerify: async (options) => {
        calls.push(options)
        return 0
      },
    })
    expect(code).toBe(0)
    expect(calls).toEqual([expect.objectContaining({ seedDatabase: 'seed.sqlite', env: { DATABASE_URL: 'sqlite:///{tmp}/seed.sqlite' } })])
  })

  it.skipIf(!hasOracle)('stops with exit status 2 before anything runs: a missing file, a file that is not SQLite, no --env value with {tmp}', async () => {
    const notSqlite = join(work, 'not-sqlite.db')
    writeFileSync(notSqlite, 'just text, not a database\n'.repeat(10))
    const sqlite = join(work, 'empty-but-sqlite.db')
    execFileSync(python, ['-c', 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("CREATE TABLE t (x)"); c.commit()', sqlite])
    const cases: [string, Record<string, string>, string][] = [
      [join(work, 'missing.sqlite'), env, `migrate: --seed-database ${join(work, 'missing.sqlite')}: no such file`],
      [notSqlite, env, `migrate: --seed-database ${notSqlite}: not a SQLite database`],
      [sqlite, { JOURNAL_TESTING: '1' }, "migrate: --seed-database copies empty-but-sqlite.db into each side's {tmp} folder: point the app at it with --env, e.g. --env 'DATABASE_URL=sqlite:///{tmp}/empty-but-sqlite.db'"],
    ]
    for (const [file, sideEnv, message] of cases) {
      const lines: string[] = []
      const code = await runVerify({ flaskDir: journal, serviceDir: join(work, 'nothing-built'), scenario: join(journal, 'scenario.jsonl'), env: sideEnv, seedDatabase: file, python, output: (line) => lines.push(line) })
      expect(code).toBe(2)
      expect(lines).toEqual([message])
    }
  })

  describe.skipIf(!hasOracle)('the journal on copies of a database the Flask app created and seeded', () => {
    let seed: string
    beforeAll(() => {
      seed = flaskSeeded('seed')
      const migrated = spawnSync(process.execPath, ['bin/migrate.js', journal, '--out', serviceDir, '--force'], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 })
      if (migrated.status !== 0) throw new Error(`migrate failed:\n${migrated.stdout}\n${migrated.stderr}`)
    }, 300_000)

    it(
      'its whole scenario.jsonl: 0 differences, and the same rows on both sides after it; the seed file is left as it was',
      async () => {
        const before = readFileSync(seed)
        const { code, lines } = await verify(seed, join(journal, 'scenario.jsonl'))
        expect(lines.at(-1), lines.join('\n')).toBe('100 passed, 0 failed')
        // Every table compared; the scenario registers a user, whose salted hash differs between two Flask runs.
        expect(lines.filter((line) => line.startsWith('rows') || line.startsWith('noise rows')), lines.join('\n')).toEqual([
          'noise rows journal.sqlite: user.password_hash (differ between two runs of Flask: not compared)',
          expect.stringMatching(/^rows: 5 tables, \d+ rows compared in 1 database; 0 differences$/),
        ])
        expect(code, lines.join('\n')).toBe(0)
        expect(readFileSync(seed).equals(before)).toBe(true)
      },
      600_000,
    )

    it(
      'the service reads the copy it is given: an entry, a tag and a comment Flask wrote into the seed are in its answers',
      async () => {
        const withExtra = flaskSeeded(
          'seed-extra',
          [
            'alice = User.query.filter_by(username="alice").one()',
            'post = Post(title="Written by Flask before the copy", body="Only in the seed.", day=datetime.date(2024, 5, 1), author=alice)',
            'post.tags.append(Tag(name="seeded"))',
            'db.session.add(post)',
            'db.session.flush()',
            'db.session.add(Comment(body="A comment from the seed.", post_id=post.id, author_id=alice.id))',
          ].join('\n'),
        )
        const scenario = join(work, 'reads.jsonl')
        // A save whose path is not in the answer fails its line: these pass only where both sides have the seed's entry.
        const requests = [
          { method: 'GET', path: '/api/posts/8', save: { TAG: 'json.tags.0', COMMENT: 'json.comments.0.body' } },
          { method: 'GET', path: '/tag/${TAG}' },
          { method: 'GET', path: '/api/posts?per_page=20' },
          { method: 'GET', path: '/api/tags' },
          { method: 'GET', path: '/api/users/alice' },
          { method: 'GET', path: '/post/8' },
          { method: 'GET', path: '/search?q=seed' },
        ]
        writeFileSync(scenario, requests.map((request) => JSON.stringify(request)).join('\n') + '\n')
        const { code, lines } = await verify(withExtra, scenario, false)
        expect(lines.at(-1), lines.join('\n')).toBe('7 passed, 0 failed')
        expect(code, lines.join('\n')).toBe(0)
        // The control: on fresh databases (each side seeds its own) there is no entry 8, so the save fails on both sides.
        const fresh: string[] = []
        await runVerify({ flaskDir: journal, serviceDir, scenario, app: 'wsgi:app', env, python, build: false, linkNodeModules: join(repoRoot, 'node_modules'), output: (line) => fresh.push(line) })
        expect(fresh.at(-1), fresh.join('\n')).toMatch(/^\d+ passed, [1-9]\d* failed$/)
      },
      600_000,
    )
  })
})
