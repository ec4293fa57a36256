/**
 * The runtime pieces behind Flask's request APIs, value for value against Werkzeug 2.2 and
 * CPython (Debian's /usr/bin/python3): `secure_filename`, multipart bodies (`request.form` and
 * `request.files`), `request.accept_mimetypes`, `request.authorization`, `os.path`, and
 * `functools.partial` with keywords. fixtures/request-apis runs the same through a migrated app.
 */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { partialNamed } from '../../src/emit/runtime/functional.js'
import { parseMultipart, secureFilename } from '../../src/emit/runtime/multipart.js'
import { basename, dirname, pathJoin, splitext } from '../../src/emit/runtime/os.js'
import { keywords, str } from '../../src/emit/runtime/py.js'
import { MIMEAccept, parseAuthorization } from '../../src/emit/runtime/request-headers.js'

const hasWerkzeug = spawnSync('/usr/bin/python3', ['-c', 'import werkzeug'], { stdio: 'ignore' }).status === 0

/** Runs `script` (reading JSON `cases` from stdin) with Debian's Python and returns its JSON output. */
function python(script: string, cases: unknown): unknown {
  const run = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' })
  if (run.status !== 0) throw new Error(run.stderr)
  return JSON.parse(run.stdout)
}

const FILENAMES = [
  'My cool movie.mov',
  '../../../etc/passwd',
  'i contain cool \u00fcml\u00e4uts.txt',
  '  ..hidden  file..  ',
  '\u2003tab\tand\x1fsep',
  '...',
  '__init__.py',
  'a/b\\c',
  'C:\\Users\\x\\report.pdf',
  '\uff21\uff22\uff23.txt',
  'na\u00efve caf\u00e9 \u00bd.md',
  '',
]

const ACCEPTS = [
  '',
  'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'application/json',
  'text/*;q=0.5, application/json;q=0.5',
  '*/*',
  'image/png;q=0, text/html;q=1',
  'text/html;level=1;q=0.7, text/html;q=1.0, application/json;q=2',
  'application/json;q=0',
  'garbage, ;q=0.3',
  'TEXT/HTML;Q=0.5, application/*;q=0.6',
  'text/plain; charset=utf-8, text/plain;q=0.2',
]
const OFFERS = [['application/json', 'text/html'], ['text/html', 'application/json'], ['image/png'], ['text/plain', 'text/plain; charset=utf-8']]
const PROBES = ['text/html', 'application/json', 'text/plain', 'image/png', '*/*']

const AUTHORIZATIONS = [
  'Basic ' + Buffer.from('ana:s3cr:et').toString('base64'),
  'basic ' + Buffer.from('j\u00f6rg:p\u00e4ss').toString('base64'),
  'Basic ' + Buffer.from('nocolon').toString('base64'),
  'Basic ' + Buffer.from([0x61, 0xff, 0x3a, 0x62]).toString('base64'),
  'Basic !!!',
  ...['YW5hOnB3', 'YW5hOnB3=', 'YW5hOg==', 'YW5hOg', 'YW5hOg=', 'YW5hO', 'YW5hOnB=3', 'YW5h=OnB3', 'Y W5h\nOnB3', '=YW5h', 'YW==5h', 'YW5hO==='].map((info) => `Basic ${info}`),
  'Bearer abc.def',
  'Basic',
  '',
  'Digest username="ana", realm="r", nonce="n", uri="/x", response="y"',
  'Digest username="a\\"b", realm="r", nonce="n", uri="/x", response="y", qop=auth, nc=1, cnonce="c"',
  'Digest username="ana", realm="r", nonce="n", uri="/x", response="y", qop=auth',
  'Digest username="ana", realm="r"',
]

const BOUNDARY = 'XyZ'
const part = (headers: string, body: string): string => `--${BOUNDARY}\r\n${headers}\r\n\r\n${body}\r\n`
const BODIES: [string, string][] = [
  [part('Content-Disposition: form-data; name="title"', 'Hello') + part('Content-Disposition: form-data; name="doc"; filename="a b.txt"\r\nContent-Type: text/plain', 'one') + `--${BOUNDARY}--\r\n`, `multipart/form-data; boundary=${BOUNDARY}`],
  [part('Content-Disposition: form-data; name="doc"; filename="C:\\\\x\\\\y.pdf"', '%PDF') + `--${BOUNDARY}--\r\n`, `multipart/form-data; boundary=${BOUNDARY}`],
  [part('Content-Disposition: form-data; name="doc"; filename="\\\\\\\\server\\\\share.txt"', 'unc') + `--${BOUNDARY}--\r\n`, `multipart/form-data; boundary=${BOUNDARY}`],
  [part("Content-Disposition: form-data; name=\"doc\"; filename*=UTF-8''%E2%82%AC%20rates.csv", 'a,b') + `--${BOUNDARY}--\r\n`, `multipart/form-data; boundary=${BOUNDARY}`],
  [part('Content-Disposition: form-data; name="t"\r\nContent-Type: text/plain; charset=latin-1', 'caf\u00e9') + `--${BOUNDARY}--\r\n`, `multipart/form-data; boundary=${BOUNDARY}`],
  [part('Content-Disposition: form-data; name="t"', 'no end'), `multipart/form-data; boundary=${BOUNDARY}`],
  [part('Content-Type: text/plain', 'no disposition') + `--${BOUNDARY}--\r\n`, `multipart/form-data; boundary=${BOUNDARY}`],
  [part('Content-Disposition: form-data; name="t"', 'x') + `--${BOUNDARY}--\r\n`, 'multipart/form-data'],
  [`preamble\r\n${part('Content-Disposition: form-data; name="t"', 'line1\r\nline2')}--${BOUNDARY}--\r\nepilogue`, `multipart/form-data; boundary="${BOUNDARY}"`],
  [`--${BOUNDARY}--\r\n`, `multipart/form-data; boundary=${BOUNDARY}`],
]

const PATHS = ['/tmp/a.tar.gz', 'a/b/', '.bashrc', 'a/.b.c', '//x//y', '/', '', 'dir.d/file', '...a']
const JOINS = [['/tmp', 'a'], ['/tmp/', 'a', '/abs', 'b'], ['', 'x'], ['a', ''], ['a', 'b/', 'c']]

describe.skipIf(!hasWerkzeug)('request APIs of the runtime, against Werkzeug 2.2 and CPython', () => {
  it('secure_filename', () => {
    const expected = python('import json,sys\nfrom werkzeug.utils import secure_filename\nprint(json.dumps([secure_filename(n) for n in json.load(sys.stdin)]))', FILENAMES)
    expect(FILENAMES.map(secureFilename)).toEqual(expected)
  })

  it('MIMEAccept: pairs, quality, membership, best_match and its flags', () => {
    const script = `import json,sys
from werkzeug.http import parse_accept_header
from werkzeug.datastructures import MIMEAccept
out=[]
offers, probes = ${JSON.stringify(OFFERS)}, ${JSON.stringify(PROBES)}
for header in json.load(sys.stdin):
    a = parse_accept_header(header, MIMEAccept)
    out.append({"pairs": [[v, repr(q)] for v, q in a], "quality": [repr(a[p]) for p in probes], "in": [p in a for p in probes],
                "best": [a.best_match(o) for o in offers], "json": a.accept_json, "html": a.accept_html, "xhtml": a.accept_xhtml,
                "first": a.best, "provided": a.provided, "header": a.to_header()})
print(json.dumps(out))`
    const expected = python(script, ACCEPTS)
    const actual = ACCEPTS.map((header) => {
      const accept = new MIMEAccept(header)
      return {
        pairs: [...accept].map(([value, quality]) => [value, str(quality)]),
        quality: PROBES.map((probe) => str(accept.__getitem__(probe))),
        in: PROBES.map((probe) => accept.__contains__(probe)),
        best: OFFERS.map((offer) => accept.best_match(offer)),
        json: accept.accept_json,
        html: accept.accept_html,
        xhtml: accept.accept_xhtml,
        first: accept.best,
        provided: accept.provided,
        header: accept.to_header(),
      }
    })
    expect(actual).toEqual(expected)
  })

  it('parse_authorization_header', () => {
    const script = `import json,sys
from werkzeug.http import parse_authorization_header
out=[]
for header in json.load(sys.stdin):
    a = parse_authorization_header(header)
    out.append(None if a is None else {"type": a.type, "items": sorted(a.items()), "username": a.username, "password": a.password, "nonce": a.nonce})
print(json.dumps(out))`
    const expected = python(script, AUTHORIZATIONS)
    const actual = AUTHORIZATIONS.map((header) => {
      const auth = parseAuthorization(header)
      if (auth === null) return null
      return { type: auth.type, items: [...auth.keys()].sort().map((key) => [key, auth.get(key)]), username: auth.username, password: auth.password, nonce: auth.nonce }
    })
    expect(actual).toEqual(expected)
  })

  it('multipart bodies: fields, files and what does not parse', () => {
    const script = `import json,sys
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request
out=[]
for body, ctype in json.load(sys.stdin):
    r = Request(EnvironBuilder(method="POST", data=body.encode(), content_type=ctype).get_environ())
    out.append({"form": list(r.form.items(multi=True)), "files": [[k, f.name, f.filename, f.content_type, f.mimetype, f.read().decode("latin-1")] for k, f in r.files.items(multi=True)]})
print(json.dumps(out))`
    const expected = python(script, BODIES)
    const actual = BODIES.map(([body, type]) => {
      const parsed = parseMultipart(new TextEncoder().encode(body), type)
      return {
        form: parsed.form,
        files: parsed.files.map(([key, file]) => [key, file.name, file.filename, file.content_type, file.mimetype, Buffer.from(file.read()).toString('latin1')]),
      }
    })
    expect(actual).toEqual(expected)
  })

  it('os.path on run-time strings', () => {
    const script = `import json,sys,posixpath
paths, joins = json.load(sys.stdin)
print(json.dumps({"base": [posixpath.basename(p) for p in paths], "dir": [posixpath.dirname(p) for p in paths],
                  "ext": [list(posixpath.splitext(p)) for p in paths], "join": [posixpath.join(*j) for j in joins]}))`
    const expected = python(script, [PATHS, JOINS])
    expect({ base: PATHS.map(basename), dir: PATHS.map(dirname), ext: PATHS.map(splitext), join: JOINS.map(([first, ...rest]) => pathJoin(first!, ...rest)) }).toEqual(expected)
  })

  it('functools.partial with keywords binds each call as Python does, with its TypeErrors', () => {
    const scaled = (value: number, factor: number, offset = 0): number => value * factor + offset
    const triple = partialNamed(scaled, 'scaled', ['value', 'factor', 'offset'], 2, [], { factor: 3 })
    const shifted = partialNamed(scaled, 'scaled', ['value', 'factor', 'offset'], 2, [2], { offset: 1 })
    const attempt = (call: () => unknown): unknown => {
      try {
        return call()
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`
      }
    }
    const actual = [
      attempt(() => triple(4)),
      attempt(() => triple(4, keywords(['factor', 10]))),
      attempt(() => triple(4, keywords(['offset', 1]))),
      attempt(() => shifted(5)),
      attempt(() => shifted(5, 6)),
      attempt(() => shifted(5, 6, 7)),
      attempt(() => triple()),
      attempt(() => shifted()),
      attempt(() => triple(4, keywords(['scale', 1]))),
      attempt(() => shifted(5, keywords(['factor', 1]))),
    ]
    const expected = python(
      `import functools,json
def scaled(value, factor, offset=0):
    return value * factor + offset
triple = functools.partial(scaled, factor=3)
shifted = functools.partial(scaled, 2, offset=1)
def attempt(f):
    try:
        return f()
    except Exception as e:
        return f"{type(e).__name__}: {e}"
print(json.dumps([attempt(lambda: triple(4)), attempt(lambda: triple(4, factor=10)), attempt(lambda: triple(4, offset=1)),
  attempt(lambda: shifted(5)), attempt(lambda: shifted(5, 6)), attempt(lambda: shifted(5, 6, 7)), attempt(lambda: triple()),
  attempt(lambda: shifted()), attempt(lambda: triple(4, scale=1)), attempt(lambda: shifted(5, factor=1))]))`,
      null,
    )
    expect(actual).toEqual(expected)
  })
})
