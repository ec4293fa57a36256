import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { urlsplit, urlunsplit } from '../../src/emit/runtime/urls.js'
import { repr } from '../../src/emit/runtime/py.js'

// urllib.parse.urlsplit / urlunsplit against Debian's CPython (the oracle the services are compared with).
const python = '/usr/bin/python3'
const hasPython = spawnSync(python, ['-c', 'import urllib.parse'], { encoding: 'utf8' }).status === 0

const URLS = [
  '/post/new',
  '/post/new?x=1#frag',
  'http://example.com/a/b?q=1#top',
  'HTTPS://User:Pw@Example.COM:8443/p;params?q#f',
  '//evil.example/path',
  ' //evil.example/path',
  '\x01\x02http://a/b',
  '/a\tb\nc',
  'a:b',
  '1a:b',
  'mailto:someone@example.com',
  'http://[::1]:80/x',
  'http://[::1/x',
  'http://::1]/x',
  'http://[v1.fe]/x',
  'http://[127.0.0.1]/x',
  'http://[::1]x/y',
  'http://ex%61mple.com/',
  '',
  '?only=query',
  '#only-fragment',
  '///triple',
  'http:relative',
  'javascript:alert(1)',
  'http://exa\u2100mple.com/',
  'http://\u00e9xample.com/',
]

function pythonSplits(urls: string[]): string[] {
  const program = `
import json, sys
from urllib.parse import urlsplit, urlunsplit
out = []
for url in json.load(sys.stdin):
    try:
        parts = urlsplit(url)
        out.append(repr(tuple(parts)) + " " + urlunsplit(parts) + " " + urlsplit(url, allow_fragments=False).fragment + urlsplit(url, "ftp").scheme)
    except ValueError as error:
        out.append("ValueError: " + str(error))
print(json.dumps(out))
`
  const run = spawnSync(python, ['-c', program], { input: JSON.stringify(urls), encoding: 'utf8' })
  if (run.status !== 0) throw new Error(run.stderr)
  return JSON.parse(run.stdout) as string[]
}

describe.skipIf(!hasPython)('urllib.parse.urlsplit as CPython splits', () => {
  it('gives the same parts, the same urlunsplit and the same errors', () => {
    const expected = pythonSplits(URLS)
    const actual = URLS.map((url) => {
      try {
        const parts = urlsplit(url)
        return `${repr([...parts] as unknown as never).replace(/^\[(.*)\]$/, '($1)')} ${urlunsplit(parts)} ${urlsplit(url, '', false).fragment}${urlsplit(url, 'ftp').scheme}`
      } catch (error) {
        return `${(error as Error).constructor.name}: ${(error as Error).message}`
      }
    })
    expect(actual).toEqual(expected)
  })

  it('is a named tuple: fields by name, geturl()', () => {
    const parts = urlsplit('https://a.example/x?y#z')
    expect([parts.scheme, parts.netloc, parts.path, parts.query, parts.fragment]).toEqual(['https', 'a.example', '/x', 'y', 'z'])
    expect(parts.geturl()).toBe('https://a.example/x?y#z')
    expect(parts.length).toBe(5)
  })
})
