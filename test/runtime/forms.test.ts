/**
 * WTForms / Flask-WTF (src/emit/runtime/forms.ts) against Debian's python3-wtforms 3.0 and
 * python3-flaskext.wtf 1.1: the same forms, given the same form data, validate to the same
 * result with the same `errors` (WTForms' messages, inline `validate_<field>` after the field's
 * validators) and the same `data`, and render every field and label byte for byte; the CSRF token
 * of one side is accepted by the other with the session it came with, and refused with
 * Flask-WTF's messages when missing, tampered, or from another session.
 */
import { spawnSync } from 'node:child_process'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorHandlers, form, requestHooks, useAppConfig, view, type AppEnv } from '../../src/emit/runtime/flask.js'
import { PyDict, type Py } from '../../src/emit/runtime/py.js'
import { WerkzeugRouter } from '../../src/emit/runtime/router.js'
import {
  AnyOf,
  BooleanField,
  DataRequired,
  DateField,
  Email,
  EqualTo,
  Form,
  HiddenField,
  InputRequired,
  IntegerField,
  Length,
  NoneOf,
  NumberRange,
  Optional,
  PasswordField,
  Regexp,
  SelectField,
  StringField,
  SubmitField,
  TextAreaField,
  ValidationError,
  generateCsrf,
  validateCsrf,
  type Field,
  type FormData,
} from '../../src/emit/runtime/forms.js'

const hasOracle =
  spawnSync('/usr/bin/python3', ['-c', 'import wtforms, flask_wtf'], {
    stdio: 'ignore',
  }).status === 0
if (!hasOracle && process.env.CI === 'true') throw new Error('/usr/bin/python3 cannot import wtforms / flask_wtf, the oracle of test/runtime/forms.test.ts')

const PYTHON_FORMS = `
import json, sys
from werkzeug.datastructures import MultiDict
from wtforms import Form, BooleanField, DateField, PasswordField, StringField, SubmitField, TextAreaField, IntegerField, SelectField, HiddenField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, Regexp, ValidationError, Email, NumberRange, AnyOf, NoneOf

class Registration(Form):
    username = StringField("Username", validators=[DataRequired(), Length(3, 12), Regexp(r"^[a-z][a-z0-9_]*$", message="Use lowercase letters, digits and underscores.")])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=8)])
    confirm = PasswordField("Repeat password", validators=[EqualTo("password", message="Passwords must match.")])
    email = StringField("Email", validators=[Optional(), Email()])
    remember_me = BooleanField("Keep me <signed> in")
    submit = SubmitField("Create account")

class Post(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=10)], render_kw={"placeholder": "A \\"title\\""})
    day = DateField("Day", validators=[InputRequired()])
    body = TextAreaField("Entry", validators=[DataRequired()])
    tags = StringField("Tags", validators=[Optional(), Length(max=20)], description="Comma separated")
    count = IntegerField("Count", validators=[NumberRange(min=1, max=5)])
    kind = SelectField("Kind", choices=[("a", "Alpha"), ("b", "Beta & Co")])
    color = StringField(validators=[AnyOf(["red", "blue"])])
    word = StringField(validators=[NoneOf(["bad", "worse"]), Length(2, 2)])
    secret = HiddenField()

    def validate_tags(self, field):
        names = [name.strip() for name in field.data.split(",") if name.strip()]
        if len(names) > 2:
            raise ValidationError("At most two tags.")

out = []
for case in json.load(sys.stdin):
    cls = {"Registration": Registration, "Post": Post}[case["form"]]
    form = cls(MultiDict(case["data"]))
    ok = form.validate()
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in form.data.items()}
    rendered = {name: [str(field.label), str(field())] for name, field in form._fields.items()}
    extra = [str(form.username(class_="big", size=3, data_user_id=7, disabled=False, required=False))] if case["form"] == "Registration" else [str(form.title.label("Other <text>", class_="l")), str(form.kind(id="k2"))]
    out.append({"ok": ok, "errors": form.errors, "data": data, "rendered": rendered, "extra": extra})
print(json.dumps(out))
`

class Registration extends Form {
  static username = new StringField('Username', [
    new DataRequired(),
    new Length(3, 12),
    new Regexp('^[a-z][a-z0-9_]*$', 0, 'Use lowercase letters, digits and underscores.'),
  ])
  static password = new PasswordField('Password', [new DataRequired(), new Length(8)])
  static confirm = new PasswordField('Repeat password', [new EqualTo('password', 'Passwords must match.')])
  static email = new StringField('Email', [new Optional(), new Email()])
  static remember_me = new BooleanField('Keep me <signed> in')
  static submit = new SubmitField('Create account')
}

class Post extends Form {
  static title = new StringField('Title', [new DataRequired(), new Length(-1, 10)], null, '', null, null, null, { placeholder: 'A "title"' })
  static day = new DateField('Day', [new InputRequired()])
  static body = new TextAreaField('Entry', [new DataRequired()])
  static tags = new StringField('Tags', [new Optional(), new Length(-1, 20)], null, 'Comma separated')
  static count = new IntegerField('Count', [new NumberRange(1, 5)])
  static kind = new SelectField('Kind', null, null, [
    ['a', 'Alpha'],
    ['b', 'Beta & Co'],
  ])
  static color = new StringField(null, [new AnyOf(['red', 'blue'])])
  static word = new StringField(null, [new NoneOf(['bad', 'worse']), new Length(2, 2)])
  static secret = new HiddenField()

  validate_tags(field: Field): void {
    const names = String(field.data)
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '')
    if (names.length > 2) throw new ValidationError('At most two tags.')
  }
}

function formData(pairs: [string, string][]): FormData {
  return {
    has: (name) => pairs.some(([key]) => key === name),
    getlist: (name) => pairs.filter(([key]) => key === name).map(([, value]) => value),
  }
}

function plain(value: Py): Py {
  if (value instanceof PyDict) return Object.fromEntries(value.items().map(([k, v]) => [String(k), plain(v)]))
  if (Array.isArray(value)) return value.map(plain)
  if (value !== null && typeof value === 'object' && typeof value.isoformat === 'function') return value.isoformat()
  return value
}

const cases: { form: 'Registration' | 'Post'; data: [string, string][] }[] = [
  { form: 'Registration', data: [] },
  {
    form: 'Registration',
    data: [
      ['username', 'Al'],
      ['password', 'short'],
      ['confirm', 'other'],
      ['email', 'nope'],
    ],
  },
  {
    form: 'Registration',
    data: [
      ['username', '  '],
      ['password', 'long enough'],
      ['confirm', 'long enough'],
      ['email', ''],
      ['remember_me', 'y'],
    ],
  },
  {
    form: 'Registration',
    data: [
      ['username', 'ada_l'],
      ['password', 'long enough'],
      ['confirm', 'long enough'],
      ['email', 'ada@example.org'],
      ['remember_me', 'false'],
    ],
  },
  {
    form: 'Registration',
    data: [
      ['username', 'x'.repeat(13)],
      ['password', 'p"<&>\'ssword'],
      ['email', 'a@b'],
      ['submit', 'Create account'],
    ],
  },
  { form: 'Post', data: [] },
  {
    form: 'Post',
    data: [
      ['title', 'A title that is long'],
      ['day', '2024-02-30'],
      ['body', ' '],
      ['tags', 'a, b, c'],
      ['count', 'x'],
      ['kind', 'z'],
      ['color', 'green'],
      ['word', 'bad'],
    ],
  },
  {
    form: 'Post',
    data: [
      ['title', '<b>Hi</b>'],
      ['day', '2024-2-3'],
      ['body', 'text\nmore <i>'],
      ['tags', ''],
      ['count', '9'],
      ['kind', 'b'],
      ['color', 'red'],
      ['word', 'ok'],
      ['secret', 's"s'],
    ],
  },
  {
    form: 'Post',
    data: [
      ['title', 'Fine'],
      ['day', ''],
      ['body', 'x'],
      ['tags', 'one,two'],
      ['count', '3'],
      ['kind', 'a'],
      ['color', 'blue'],
      ['word', 'hi'],
    ],
  },
]

describe.skipIf(!hasOracle)('WTForms forms on the runtime and on WTForms', () => {
  const expected = (() => {
    const result = spawnSync('/usr/bin/python3', ['-c', PYTHON_FORMS], {
      input: JSON.stringify(cases.map((c) => ({ form: c.form, data: c.data }))),
      encoding: 'utf8',
    })
    if (result.status !== 0) throw new Error(result.stderr)
    return JSON.parse(result.stdout) as {
      ok: boolean
      errors: Record<string, string[]>
      data: Record<string, Py>
      rendered: Record<string, [string, string]>
      extra: string[]
    }[]
  })()

  it.each(cases.map((c, i) => [i, c] as const))('case %i validates, reports errors and renders as WTForms', (i, c) => {
    const cls = c.form === 'Registration' ? Registration : Post
    const instance = new cls(formData(c.data))
    const ok = instance.validate()
    const rendered = Object.fromEntries([...instance._fields].map(([name, field]) => [name, [String(field.label), String(field.__call__())]]))
    const extra =
      c.form === 'Registration'
        ? [
            String(
              instance['username'].__call__({
                class_: 'big',
                size: 3,
                data_user_id: 7,
                disabled: false,
                required: false,
              }),
            ),
          ]
        : [
            String(
              instance['title'].label.__call__('Other <text>', {
                class_: 'l',
              }),
            ),
            String(instance['kind'].__call__({ id: 'k2' })),
          ]
    expect({
      ok,
      errors: plain(instance.errors),
      data: plain(instance.data),
      rendered,
      extra,
    }).toEqual(expected[i])
  })
})

const SECRET = 'csrf-secret'

const FLASK_CSRF = `
import json, sys
from flask import Flask, request, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError
app = Flask(__name__)
app.secret_key = ${JSON.stringify(SECRET)}
@app.route("/token")
def token():
    return generate_csrf()
@app.route("/check", methods=["POST"])
def check():
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError as e:
        return e.args[0]
    return "ok"
client = app.test_client(use_cookies=False)
out = []
for call in json.load(sys.stdin):
    headers = {"Cookie": "session=" + call["cookie"]} if call.get("cookie") else {}
    r = client.open(call["path"], method=call["method"], headers=headers, data=call.get("form"))
    cookie = None
    for header in r.headers.getlist("Set-Cookie"):
        if header.startswith("session="):
            cookie = header.split(";", 1)[0][len("session="):]
    out.append({"body": r.get_data(as_text=True), "cookie": cookie})
print(json.dumps(out))
`

interface CsrfCall {
  method: 'GET' | 'POST'
  path: string
  cookie?: string | null
  form?: Record<string, string>
}

function flaskCsrf(calls: CsrfCall[]): { body: string; cookie: string | null }[] {
  const result = spawnSync('/usr/bin/python3', ['-c', FLASK_CSRF], {
    input: JSON.stringify(calls),
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as { body: string; cookie: string | null }[]
}

describe.skipIf(!hasOracle)("Flask-WTF's CSRF token on the runtime and on Flask-WTF", () => {
  let app: Hono<AppEnv>
  beforeAll(() => {
    useAppConfig({ SECRET_KEY: SECRET })
    const rules = [
      {
        rule: '/token',
        endpoint: 'token',
        methods: ['GET', 'HEAD', 'OPTIONS'],
      },
      { rule: '/check', endpoint: 'check', methods: ['OPTIONS', 'POST'] },
    ]
    app = new Hono<AppEnv>({ router: new WerkzeugRouter(rules) })
    const onError = errorHandlers([])
    app.use(requestHooks({ errorHandler: onError }))
    app.onError(onError)
    app.get(
      '/token',
      view(() => generateCsrf()),
    )
    app.post(
      '/check',
      view((c) => {
        try {
          validateCsrf(form(c).get('csrf_token'))
        } catch (error) {
          if (error instanceof ValidationError) return error.text
          throw error
        }
        return 'ok'
      }),
    )
  })
  afterAll(() => useAppConfig(null))

  async function service(call: CsrfCall): Promise<{ body: string; cookie: string | null }> {
    const response = await app.request(call.path, {
      method: call.method,
      headers: {
        ...(call.cookie ? { Cookie: `session=${call.cookie}` } : {}),
        ...(call.form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(call.form ? { body: new URLSearchParams(call.form).toString() } : {}),
    })
    const header = response.headers.getSetCookie().find((line) => line.startsWith('session='))
    return {
      body: await response.text(),
      cookie: header === undefined ? null : header.split(';')[0]!.slice('session='.length),
    }
  }

  it("accepts the other side's token with its session, both ways", async () => {
    const [fromFlask] = flaskCsrf([{ method: 'GET', path: '/token' }])
    expect(
      (
        await service({
          method: 'POST',
          path: '/check',
          cookie: fromFlask!.cookie,
          form: { csrf_token: fromFlask!.body },
        })
      ).body,
    ).toBe('ok')
    const fromService = await service({ method: 'GET', path: '/token' })
    expect(fromService.cookie).not.toBeNull()
    const [checked] = flaskCsrf([
      {
        method: 'POST',
        path: '/check',
        cookie: fromService.cookie,
        form: { csrf_token: fromService.body },
      },
    ])
    expect(checked!.body).toBe('ok')
  })

  it("refuses missing, tampered and foreign tokens with Flask-WTF's messages", async () => {
    const [first, second] = flaskCsrf([
      { method: 'GET', path: '/token' },
      { method: 'GET', path: '/token' },
    ])
    const tampered = `${first!.body.slice(0, -2)}${first!.body.endsWith('A') ? 'BB' : 'AA'}`
    const calls: CsrfCall[] = [
      { method: 'POST', path: '/check', cookie: first!.cookie, form: {} },
      {
        method: 'POST',
        path: '/check',
        cookie: null,
        form: { csrf_token: first!.body },
      },
      {
        method: 'POST',
        path: '/check',
        cookie: first!.cookie,
        form: { csrf_token: tampered },
      },
      {
        method: 'POST',
        path: '/check',
        cookie: first!.cookie,
        form: { csrf_token: second!.body },
      },
      {
        method: 'POST',
        path: '/check',
        cookie: first!.cookie,
        form: { csrf_token: 'garbage' },
      },
    ]
    const theirs = flaskCsrf(calls).map((answer) => answer.body)
    const ours: string[] = []
    for (const call of calls) ours.push((await service(call)).body)
    expect(theirs).toEqual([
      'The CSRF token is missing.',
      'The CSRF session token is missing.',
      'The CSRF token is invalid.',
      'The CSRF tokens do not match.',
      'The CSRF token is invalid.',
    ])
    expect(ours).toEqual(theirs)
  })
})
