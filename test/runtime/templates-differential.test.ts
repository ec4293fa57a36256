/**
 * Templates rendered by real Jinja2 (Debian's Flask 2.2 / Jinja2 3.1, test/oracle/jinja_render.py)
 * and by the service runtime (src/emit/runtime/templates.ts), byte for byte, with the same
 * context: every template of fixtures/templates-jinja (inheritance, super(), include, import and
 * from-import of macros, macros with defaults / caller / kwargs, set, with, loops and loop.*, the
 * built-in filters and tests, autoescaping and Markup, whitespace control, url_for and
 * get_flashed_messages, the app's and a blueprint's template folders) and of the journal
 * acceptance app.
 *
 * The app's own template helpers (a filter, a test, a global, context processors) are written
 * here in TypeScript as the translation emits them; the Python side runs the app's real ones.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { Hono, type Context } from 'hono'
import { describe, expect, it } from 'vitest'
import { PyDate } from '../../src/emit/runtime/datetime.js'
import { errorHandlers, g, requestHooks, useAppConfig, view, type AppEnv } from '../../src/emit/runtime/flask.js'
import * as py from '../../src/emit/runtime/py.js'
import { WerkzeugRouter, type RuleSpec } from '../../src/emit/runtime/router.js'
import { flaskSession } from '../../src/emit/runtime/session.js'
import { checkTemplate, configureTemplates, escape, markup, renderTemplate, renderTemplateString, type TemplateSetup } from '../../src/emit/runtime/templates.js'

const repo = join(dirname(new URL(import.meta.url).pathname), '..', '..')
const hasJinja = spawnSync('/usr/bin/python3', ['-c', 'import flask, jinja2'], { stdio: 'ignore' }).status === 0
if (!hasJinja && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import Flask and Jinja2, the oracle of test/runtime/templates-differential.test.ts')

type Tagged = unknown

interface Case {
  template?: string
  source?: string
  path?: string
  context?: Record<string, Tagged>
  flashes?: [string, string][]
  g?: Record<string, Tagged>
}

interface OracleAnswer {
  rules: { rule: string; endpoint: string; methods: string[] }[]
  outputs: ({ ok: string } | { error: string })[]
  config: Record<string, unknown>
}

function oracle(appDir: string, cases: Case[], env: Record<string, string> = {}, configKeys: string[] = []): OracleAnswer {
  const result = spawnSync('/usr/bin/python3', [join(repo, 'test', 'oracle', 'jinja_render.py')], {
    input: JSON.stringify({ app_dir: appDir, entry: 'wsgi:app', cases, config_keys: configKeys }),
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as OracleAnswer
}

/** The Python side's form field (jinja_render.py's Field), as the service would have it. */
class Field {
  name: string
  data: unknown
  errors: unknown[]
  description: string
  label: unknown
  constructor(spec: Record<string, unknown>) {
    this.name = spec.name as string
    this.data = spec.data ?? null
    this.errors = (spec.errors as unknown[] | undefined) ?? []
    this.description = (spec.description as string | undefined) ?? ''
    this.label = markup(`<label for="${escape(this.name).val}">${escape(spec.label ?? this.name).val}</label>`)
  }
  __call__(...args: unknown[]): unknown {
    const attrs = new Map<string, unknown>([['id', this.name], ['name', this.name]])
    const last = args[args.length - 1]
    if (last instanceof py.Keywords) for (const [key, value] of last.entries) attrs.set(key.replace(/_+$/, ''), value)
    if (this.data !== null) attrs.set('value', this.data)
    const parts: string[] = []
    for (const key of [...attrs.keys()].sort()) {
      const value = attrs.get(key)
      if (value === true) parts.push(key)
      else if (value !== false && value !== null) parts.push(`${key}="${escape(value).val}"`)
    }
    return markup(`<input ${parts.join(' ')}>`)
  }
}

function decode(value: Tagged): py.Py {
  if (Array.isArray(value)) return value.map(decode)
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
    if (entries.length === 1) {
      const [tag, inner] = entries[0] as [string, py.Py]
      if (tag === '$tuple') return py.tuple(...(inner as Tagged[]).map(decode))
      if (tag === '$dict') return new py.PyDict((inner as [Tagged, Tagged][]).map(([k, v]) => [decode(k), decode(v)]))
      if (tag === '$markup') return markup(inner)
      if (tag === '$float') return py.asFloat(inner as number)
      if (tag === '$date') return PyDate.fromisoformat(inner)
      if (tag === '$obj') return Object.fromEntries(Object.entries(inner as object).map(([k, v]) => [k, decode(v)]))
      if (tag === '$field') return new Field(inner as Record<string, unknown>)
      if (tag === '$fn') return () => decode(inner)
      if (tag === '$pagination') {
        const spec = Object.fromEntries(Object.entries(inner as object).map(([k, v]) => [k, decode(v)]))
        return { ...spec, iter_pages: () => spec.pages }
      }
    }
    return new py.PyDict(entries.map(([k, v]) => [k, decode(v)]))
  }
  return value
}

/** Renders each case in the service runtime, in a request to its path, as a generated service does. */
async function service(rules: OracleAnswer['rules'], setup: Omit<TemplateSetup, 'urlMap'>, cases: Case[]): Promise<({ ok: string } | { error: string })[]> {
  const urlMap: RuleSpec[] = rules.map((rule) => ({
    ...rule,
    ...(rule.endpoint.includes('.') ? { blueprints: [rule.endpoint.slice(0, rule.endpoint.lastIndexOf('.'))] } : {}),
  }))
  configureTemplates({ ...setup, urlMap })
  const outputs: ({ ok: string } | { error: string })[] = []
  for (const current of cases) {
    const app = new Hono<AppEnv>({ router: new WerkzeugRouter(urlMap) })
    const onError = errorHandlers([])
    app.use(requestHooks({ errorHandler: onError }))
    let result: { ok: string } | { error: string } = { error: 'not rendered' }
    const handler = view((c) => {
      if (current.flashes) flaskSession(c).set('_flashes', current.flashes.map(([category, message]) => py.tuple(category, message)))
      for (const [key, value] of Object.entries(current.g ?? {})) g(c)[key] = decode(value)
      const context = Object.fromEntries(Object.entries(current.context ?? {}).map(([k, v]) => [k, decode(v)]))
      try {
        result = { ok: current.source !== undefined ? renderTemplateString(c, current.source, context) : renderTemplate(c, current.template, context) }
      } catch (error) {
        result = { error: String(error) }
      }
      return ''
    })
    for (const rule of urlMap) app.on(rule.methods.filter((m) => m !== 'OPTIONS' && m !== 'HEAD'), rule.rule, handler)
    await app.request(current.path ?? '/')
    outputs.push(result)
  }
  return outputs
}

function templatesUnder(folder: string): string[] {
  const out: string[] = []
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else out.push(relative(folder, path).split('\\').join('/'))
    }
  }
  walk(folder)
  return out
}

// ---------------------------------------------------------------------------------------------

const SITE = join(repo, 'fixtures', 'templates-jinja', 'input')
const BOOKS = [
  { id: 1, title: 'Dune', author: 'Frank Herbert', year: 1965, price: { $float: 9.5 }, tags: ['sf', 'classic'] },
  { id: 2, title: 'emma', author: 'Jane Austen', year: 1815, price: { $float: 4.0 }, tags: [] },
  { id: 3, title: 'Neuromancer', author: 'William Gibson', year: 1984, price: { $float: 12.25 }, tags: ['sf', 'cyberpunk'] },
  { id: 4, title: 'The Left Hand of Darkness', author: 'Ursula K. Le Guin', year: 1969, price: 0, tags: ['sf'] },
]
const FLASHES: [string, string][] = [['success', 'Saved.'], ['warning', 'Careful <now>']]

const siteCases: Case[] = [
  { template: 'index.html', context: { books: BOOKS, note: '<em>new</em>', banner: { $markup: '<b>Sale</b>' } } },
  { template: 'index.html', context: { books: [], note: '', banner: { $markup: '' } } },
  ...BOOKS.map((book) => ({ template: 'book.html', path: `/book/${book.id}`, context: { book, books: BOOKS } })),
  { template: 'filters.html', path: '/filters', context: { books: BOOKS, words: 'the quick brown fox jumps over the lazy dog '.repeat(3), html: '<p>Hi &amp; <b>bye</b></p>' } },
  { template: 'messages.html', path: '/messages?x=1', flashes: FLASHES, g: { user: 'ada' } },
  { template: 'messages.html', path: '/messages' },
  { template: 'note.txt', path: '/plain', context: { note: '<raw & unescaped>' } },
  { template: 'admin/dashboard.html', path: '/admin/', context: { users: [{ $tuple: ['ada', true] }, { $tuple: ['bob', false] }] } },
  { template: 'partials/summary.html', context: { books: BOOKS } },
  { template: 'macros/forms.html' },
  { template: 'layout.html' },
  { template: 'missing.html' },
  { source: 'Hello {{ name }}! {{ "<i>" }}{% for n in range(3) %}{{ n }}{% endfor %}', path: '/inline', context: { name: '<world>' } },
  { source: '{% for a, b in pairs %}{{ a }}={{ b }}{{ "," if not loop.last }}{% endfor %} {{ pairs|length }}', context: { pairs: { $dict: [['x', 1], ['y', { $float: 2 }]] } } },
  { source: '{% for k in d %}{{ k }}{% endfor %} {{ d.x }} {{ d["y"] }} {{ d.keys()|list }} {{ "x" in d }}', context: { d: { $dict: [['x', 1], ['y', 2]] } } },
  { source: '{%- for x in xs -%}\n  {{ x }}\n{%- endfor %}\n{{ xs|join("-") }} {{ xs is iterable }}  {{- " trimmed" }}', context: { xs: [1, 2, 3] } },
  { source: '{% for x in xs %}{{ loop.changed(x) }}{% endfor %}', context: { xs: [1, 1, 2, 2, 1] } },
  { source: '{{ a == b }} {{ a != b }} {{ 1 == 1.0 }} {{ true == 1 }} {{ none }} {{ [] }} {{ {} }} {{ "" or "empty" }} {{ 0 and "x" }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % -3 }} {{ 10 / 4 }}', context: { a: [1, 2], b: [1, 2] } },
  { source: '{{ user.name }} {{ user["name"] }} {{ user.missing }}|{{ user.missing is defined }}|{{ nothing is defined }}', context: { user: { $obj: { name: 'ada' } } } },
  { source: '{{ text }} {{ text|safe }} {{ text|e|e }} {{ m ~ text }} {{ m + "x" }} {{ m|length }} {{ m|upper }} {{ "%s!"|format(text) }} {{ m.replace("b", "<i>") }}', context: { text: '<b>"q" & \'a\'</b>', m: { $markup: '<b>hi</b>' } } },
  { source: '{% macro hello(name, greeting="Hi") %}{{ greeting }}, {{ name }}{% if kwargs %} {{ kwargs|dictsort }}{% endif %}!{% endmacro %}{{ hello("A") }} {{ hello("B", "Yo") }} {{ hello(name="C", greeting="Hey", extra=1) }}' },
  { source: '{% set x = 1 %}{% for i in [1, 2] %}{% set x = x + i %}{{ x }}{% endfor %} {{ x }}' },
  { source: "{{ url_for('book', book_id=2, _external=true) }} {{ url_for('admin.dashboard', q='a&b', _anchor='x y') }}", path: '/admin/' },
  { source: 'a  {#- comment -#}  b {# plain #} c\n  {%- if true %} d {% endif -%}  \n e', context: {} },
  { source: '{% filter upper %}hi {{ name }}{% endfilter %} {% filter replace("a", "<") %}a&b{% endfilter %}', context: { name: '<ada>' } },
  { source: '{% macro m2() %}({{ caller(1) }}|{{ caller(2) }}){% endmacro %}{% call(x) m2() %}[{{ x }}]{% endcall %}' },
  { source: '{% for row in rows %}{% for cell in row %}{{ loop.index }}{{ cell }}{% endfor %};{{ loop.index }}{% endfor %}', context: { rows: [[1, 2], [3]] } },
  { source: '{{ user.missing.deeper }}', context: { user: { $obj: { name: 'ada' } } } },
  { source: '{{ 1.5 }} {{ 2.0 }} {{ 3 * 1.0 }} {{ 0.1 + 0.2 }} {{ 10 ** -1 }} {{ 2 ** 0.5 }}' },
  { source: '{{ d }} {{ d.year }} {{ items|sort|list }}', context: { d: { $date: '2024-02-29' }, items: [3, 1, 2] } },
]

describe.skipIf(!hasJinja)('templates: Jinja2 and the service runtime, byte for byte', () => {
  it('renders every template of fixtures/templates-jinja and inline sources as Jinja2 does', async () => {
    const folders = [join(SITE, 'site_app', 'templates'), join(SITE, 'site_app', 'admin_templates')]
    // Every template of the fixture is in a case (unsupported.html is the checker's, below).
    const covered = new Set(siteCases.map((c) => c.template))
    for (const folder of folders) for (const name of templatesUnder(folder)) if (name !== 'unsupported.html') expect(covered, name).toContain(name)
    const expected = oracle(SITE, siteCases, {}, ['SITE_TITLE', 'SECRET_KEY'])
    useAppConfig(expected.config)
    const actual = await service(
      expected.rules,
      {
        folders,
        filters: { shout: (text: py.Py, mark: py.Py = '!') => py.add(py.callMethod(text, 'upper'), mark) },
        tests: { classic: (book: py.Py) => py.lt(py.getitem(book, 'year'), 1970) },
        globals: { site_version: () => '1.2' },
        contextProcessors: [() => py.dict(['owner', 'Ada'], ['year_now', 2024]), { blueprint: 'admin', fn: () => py.dict(['section', 'Administration']) }],
      },
      siteCases,
    )
    useAppConfig(null)
    siteCases.forEach((c, i) => {
      const want = expected.outputs[i]!
      const got = actual[i]!
      const label = c.template ?? c.source!
      if ('error' in want) expect('error' in got, `${label}: Jinja2 failed (${want.error}), the service rendered`).toBe(true)
      else expect.soft(got, label).toEqual(want)
    })
  }, 60_000)

  it('reports what the shim cannot carry over, with the template line', () => {
    const source = readFileSync(join(SITE, 'site_app', 'templates', 'unsupported.html'), 'utf8')
    const problems = checkTemplate(source)
    expect(problems[0]).toMatchObject({ line: 4 })
    // A syntax the shim does not read stops the check there (autoescape blocks); then unknown filters, each with its line.
    expect(checkTemplate(source.replace(' if book.year > 1900', ''))).toMatchObject([{ line: 6, message: expect.stringContaining('autoescape') }])
    expect(checkTemplate(source.replace(' if book.year > 1900', '').replace(/{% autoescape false %}.*\n/, ''))).toMatchObject([{ line: 5, message: expect.stringContaining('pprint') }])
    expect(checkTemplate('{{ x|shout }}', ['shout'])).toEqual([])
    expect(checkTemplate('{{ 1 }}\n{{ 1e3 }}')).toMatchObject([{ line: 2, message: expect.stringContaining('1e3') }])
    expect(checkTemplate('{% switch x %}{% endswitch %}')).toMatchObject([{ line: 1 }])
    expect(checkTemplate('{% set a, b = 1, 2 %}')).toMatchObject([{ line: 1 }])
    expect(checkTemplate('{% macro m() %}\n{{ varargs }}{% endmacro %}')).toMatchObject([{ line: 2 }])
    expect(checkTemplate('{% block t %}x{% endblock %}{{ self.t() }}')).toMatchObject([{ line: 1 }])
    expect(checkTemplate('{% set c = cycler("a", "b") %}{{ c.next() }}')).toMatchObject([{ line: 1 }])
    expect(checkTemplate('a\n{{ x|shout }}')).toMatchObject([{ line: 2, message: expect.stringContaining('shout') }])
    expect(checkTemplate('{% if x is classic %}{% endif %}')).toMatchObject([{ line: 1, message: expect.stringContaining('classic') }])
    for (const folder of [join(SITE, 'site_app', 'templates'), join(SITE, 'site_app', 'admin_templates')])
      for (const name of templatesUnder(folder))
        if (name !== 'unsupported.html') expect(checkTemplate(readFileSync(join(folder, name), 'utf8'), ['shout'], ['classic']), name).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// The journal acceptance app's templates.

const JOURNAL = join(repo, 'fixtures', 'acceptance', 'journal')
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const alice = { $obj: { id: 1, username: 'alice', display_name: 'Alice Liddell', is_authenticated: true, is_anonymous: false } }
const bob = { $obj: { id: 2, username: 'bob_the_builder', display_name: 'Bob', is_authenticated: true, is_anonymous: false } }
const anonymous = { $obj: { is_authenticated: false, is_anonymous: true } }
const comment = (body: string, author: unknown) => ({ $obj: { body, author } })
const post = (id: number, title: string, body: string, day: string | null, author: unknown, tags: string[], comments: unknown[]) => ({
  $obj: { id, title, body, day: day === null ? null : { $date: day }, author, author_id: (author as { $obj: { id: number } }).$obj.id, tag_names: tags, tags, comments },
})
const posts = [
  post(7, 'Spring <cleaning>', 'Out with the old.\n\nIn with the "new" & shiny.', '2024-03-20', alice, ['home', 'spring'], [comment('Nice!', bob)]),
  post(6, 'A very long title that goes on and on', 'Short.', '2024-03-02', bob, [], []),
  post(5, 'Undated', 'Body text that is long enough to be truncated by the filter at sixty characters.', null, alice, ['misc'], [comment('One', bob), comment('Two <b>', alice)]),
]
const field = (name: string, extra: Record<string, unknown> = {}) => ({ $field: { name, label: name.replace(/_/g, ' '), ...extra } })
const hidden = { $markup: '<input id="csrf_token" name="csrf_token" type="hidden" value="">' }
const form = (fields: Record<string, unknown>, errors: [string, string[]][] = []) => ({ $obj: { ...fields, hidden_tag: { $fn: hidden }, errors: { $dict: errors } } })
const pagination = (page: number, pages: (number | null)[], hasPrev: boolean, hasNext: boolean) => ({
  $pagination: { page, pages, has_prev: hasPrev, has_next: hasNext, prev_num: hasPrev ? page - 1 : null, next_num: hasNext ? page + 1 : null },
})

const journalCases: Case[] = [
  { template: 'main/index.html', path: '/', context: { posts, pagination: pagination(1, [1, 2, null, 5], false, true), last_viewed: null, tag_counts: [{ $tuple: ['home', 2] }, { $tuple: ['spring', 1] }], current_user: anonymous }, flashes: [['success', 'Signed in as <alice>.']] },
  { template: 'main/index.html', path: '/?page=2', context: { posts: [], pagination: pagination(2, [1, 2], true, false), last_viewed: posts[1], tag_counts: [], current_user: alice }, g: { theme: 'dark' } },
  { template: 'main/post.html', path: '/post/7', context: { post: posts[0], form: form({ body: field('body', { errors: ['This field is required.'] }), submit: field('submit') }), current_user: alice } },
  { template: 'main/post.html', path: '/post/5', context: { post: posts[2], form: form({ body: field('body'), submit: field('submit') }), current_user: anonymous } },
  { template: 'main/post.html', path: '/post/6', context: { post: posts[1], form: form({ body: field('body'), submit: field('submit') }), current_user: alice } },
  { template: 'main/user.html', path: '/user/alice', context: { user: { $obj: { ...alice.$obj, bio: '' } }, posts: [posts[0], posts[2]], description: 'Entries by Alice Liddell', current_user: alice } },
  { template: 'main/user.html', path: '/user/bob_the_builder', context: { user: { $obj: { ...bob.$obj, bio: 'I build <things>.' } }, posts: [posts[1]], current_user: anonymous } },
  { template: 'main/list.html', path: '/tag/home', context: { heading: 'Tagged “home”', posts: [posts[0]], query: null, current_user: anonymous } },
  { template: 'main/list.html', path: '/search?q=', context: { heading: 'Search', posts: [], query: '', total: 0, page: 1, more: false, current_user: anonymous } },
  { template: 'main/list.html', path: '/search?q=x', context: { heading: 'Search', posts: [], query: 'x<y', total: 0, page: 1, more: false, current_user: anonymous } },
  { template: 'main/list.html', path: '/search?q=e', context: { heading: 'Search', posts, query: 'e', total: 5, page: 1, more: true, current_user: anonymous } },
  { template: 'main/post_form.html', path: '/post/new', context: { form: form({ title: field('title', { data: 'A "title"' }), day: field('day'), body: field('body'), tags: field('tags', { description: 'Comma-separated' }), submit: field('submit') }), heading: 'New entry', current_user: alice } },
  { template: 'main/post_form.html', path: '/post/7/edit', context: { form: form({ title: field('title'), day: field('day', { errors: ['Not a valid date value.'] }), body: field('body'), tags: field('tags'), submit: field('submit') }), heading: 'Edit “Spring”', post: posts[0], current_user: alice } },
  { template: 'auth/login.html', path: '/auth/login?next=%2Fpost%2Fnew', context: { form: form({ username: field('username'), password: field('password', { errors: ['Invalid username or password.'] }), remember_me: field('remember_me'), submit: field('submit') }), current_user: anonymous }, flashes: [['message', 'Please log in to access this page.']] },
  { template: 'auth/register.html', path: '/auth/register', context: { form: form({ username: field('username'), password: field('password'), confirm: field('confirm'), submit: field('submit') }, [['username', ['Taken.']], ['confirm', ['Must match.']]]), current_user: anonymous } },
  { template: 'auth/register.html', path: '/auth/register', context: { form: form({ username: field('username'), password: field('password'), confirm: field('confirm'), submit: field('submit') }, [['username', ['Taken.']]]), current_user: anonymous } },
  { template: 'errors/404.html', path: '/', context: { path: '/nowhere<script>', current_user: anonymous } },
  { template: 'errors/403.html', path: '/post/6/edit', context: { current_user: alice } },
  { template: '_post.html', path: '/', context: { post: posts[0] } },
  { template: '_macros.html', path: '/' },
  { template: 'base.html', path: '/', context: { current_user: anonymous } },
]

describe.skipIf(!hasJinja)('templates: the journal acceptance app, Jinja2 and the service runtime', () => {
  it('renders every template of the journal as Jinja2 does', async () => {
    const folder = join(JOURNAL, 'journal', 'templates')
    const covered = new Set(journalCases.map((c) => c.template))
    for (const name of templatesUnder(folder)) expect(covered, name).toContain(name)
    const expected = oracle(JOURNAL, journalCases, { JOURNAL_TESTING: '1', DATABASE_URL: 'sqlite://' }, ['JOURNAL_SITE_NAME', 'JOURNAL_FOOTER_HTML', 'SECRET_KEY'])
    useAppConfig(expected.config)
    const actual = await service(
      expected.rules,
      {
        folders: [folder],
        filters: {
          humandate: (value: py.Py) => (value === null ? 'undated' : `${value.day} ${MONTHS[value.month - 1]} ${value.year}`),
          paragraphs: (text: py.Py) =>
            markup(
              (py.callMethod(text, 'split', '\n') as string[])
                .map((chunk) => chunk.trim())
                .filter((chunk) => chunk)
                .map((chunk) => `<p>${escape(chunk).val}</p>`)
                .join('\n'),
            ),
        },
        contextProcessors: [
          (c: Context) =>
            py.dict(['site_name', expected.config.JOURNAL_SITE_NAME], ['footer_html', expected.config.JOURNAL_FOOTER_HTML], ['theme', g(c).get('theme', 'light')]),
        ],
      },
      journalCases,
    )
    useAppConfig(null)
    journalCases.forEach((c, i) => {
      const want = expected.outputs[i]!
      expect('ok' in want, `${c.template}: ${JSON.stringify(want)}`).toBe(true)
      expect.soft(actual[i], `${c.template} at ${c.path}`).toEqual(want)
    })
    for (const name of templatesUnder(folder)) expect(checkTemplate(readFileSync(join(folder, name), 'utf8'), ['humandate', 'paragraphs']), name).toEqual([])
  }, 60_000)
})
