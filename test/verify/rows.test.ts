import BetterSqlite3 from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyRows } from '../../src/verify/rows.js'
import { JOURNAL, pythonCreateAll } from '../db/models.js'

/**
 * The rows step of `migrate verify` (issue 17 item 7) on databases the journal's Flask app wrote:
 * identical files give no difference, each changed, added or removed row is one line naming its
 * table and both rows, and columns that differ between two runs of Flask (a salted password hash)
 * are listed as noise and not compared.
 */

const work = mkdtempSync(join(tmpdir(), 'migrate-rows-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** A side's folder with the seeded journal database, then `python` run on it in an app context. */
function side(name: string, python = ''): string {
  const folder = join(work, name)
  mkdirSync(folder, { recursive: true })
  copyFileSync(join(work, 'seed.sqlite'), join(folder, 'journal.sqlite'))
  if (python !== '') {
    const script = `import sys; sys.path.insert(0, sys.argv[1])
from journal import create_app
from journal.extensions import db
from journal.models import User, Post, Tag
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[2]})
with app.app_context():
${python.split('\n').map((line) => `    ${line}`).join('\n')}
    db.session.commit()`
    execFileSync('/usr/bin/python3', ['-c', script, JOURNAL, join(folder, 'journal.sqlite')], { env: { ...process.env, JOURNAL_TESTING: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
  }
  return folder
}

function run(flask: string, service: string, noise: string | null = null): { differences: number; lines: string[] } {
  const lines: string[] = []
  const differences = verifyRows({ flaskFolder: flask, serviceFolder: service, noiseFolder: noise, print: (line) => lines.push(line) })
  return { differences, lines }
}

describe('verify: table rows on both sides after a scenario', () => {
  beforeAll(() => pythonCreateAll(JOURNAL, 'wsgi', `sqlite:///${join(work, 'seed.sqlite')}`, { JOURNAL_TESTING: '1' }), 60_000)

  it('identical databases: every table compared, no difference', () => {
    const { differences, lines } = run(side('same-flask'), side('same-service'))
    expect(differences).toBe(0)
    expect(lines).toEqual(['rows: 5 tables, 28 rows compared in 1 database; 0 differences'])
  })

  it('a changed, an added and a removed row: one line each, with both rows', () => {
    const flask = side('diff-flask', 'Post.query.get(3).title = "Changed"\ndb.session.add(Tag(name="extra"))')
    const service = side('diff-service')
    const db = new BetterSqlite3(join(service, 'journal.sqlite'))
    db.exec('DELETE FROM post_tags WHERE post_id = 7')
    db.close()
    const { differences, lines } = run(flask, service)
    expect(differences).toBe(3)
    expect(lines).toEqual([
      'rows journal.sqlite post: flask {id: 3, title: "Changed", body: "Middlemarch, The Dispossessed, and something short by Chekhov to balance it out.", day: "2024-01-20", author_id: 1} | service {id: 3, title: "Reading list for winter", body: "Middlemarch, The Dispossessed, and something short by Chekhov to balance it out.", day: "2024-01-20", author_id: 1}',
      'rows journal.sqlite post_tags: flask {post_id: 7, tag_id: 1} | service (no row)',
      'rows journal.sqlite tag: flask {id: 6, name: "extra"} | service (no row)',
      'rows: 5 tables, 29 rows compared in 1 database; 3 differences',
    ])
  })

  it('columns that differ between two Flask runs are noise: listed, not compared', () => {
    const register = 'u = User(username="carol", api_key="carol-key")\nu.set_password("carols-secret")\ndb.session.add(u)'
    const flask = side('noise-flask', register)
    const secondFlask = side('noise-flask-2', register)
    const service = side('noise-service', `${register}\nUser.query.get(1).bio = "service wrote this"`)
    const { differences, lines } = run(flask, service, secondFlask)
    expect(lines[0]).toBe('noise rows journal.sqlite: user.password_hash (differ between two runs of Flask: not compared)')
    expect(differences).toBe(1)
    expect(lines[1]).toMatch(/^rows journal\.sqlite user: flask \{id: 1, username: "alice", bio: "Writes things down so she can forget them\.", api_key: "alice-key-7f3a9c"\} \| service \{id: 1, username: "alice", bio: "service wrote this", api_key: "alice-key-7f3a9c"\}$/)
    // Without the second run the salted hash is a difference too.
    expect(run(flask, service).differences).toBe(2)
  })

  it('a database on one side only is a difference', () => {
    const flask = side('only-flask')
    const { differences, lines } = run(flask, join(work, 'empty-service'))
    expect(differences).toBe(1)
    expect(lines[0]).toBe('rows journal.sqlite: database only on the flask side')
  })
})
