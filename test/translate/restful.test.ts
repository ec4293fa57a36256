import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/**
 * Flask-RESTful 0.3.9's `fields` and `marshal` (rules/extensions/flask-restful.yaml, runtime
 * restful-fields.ts) against Debian's python3-flask-restful: the marshalled data must be the same
 * JSON text, keys in the same order. reqparse needs a request: fixtures/ext-flask-restful-reqparse
 * replays it against Flask (with fields.Url and marshal_with on resources).
 */
const cases: Case[] = [
  {
    name: 'marshal: field classes and instances, defaults, attribute paths, nested dicts, envelopes',
    source: `import datetime
from flask_restful import fields, marshal

author_fields = {"name": fields.String, "born": fields.Integer}
book_fields = {
    "id": fields.Integer,
    "title": fields.String,
    "label": fields.FormattedString("{title} ({year})"),
    "author": fields.Nested(author_fields),
    "editor": fields.Nested(author_fields, allow_null=True),
    "ghost": fields.Nested(author_fields),
    "fallback": fields.Nested(author_fields, default={"name": "anon"}),
    "year": fields.Integer(default=0),
    "price": fields.Float,
    "tags": fields.List(fields.String),
    "scores": fields.List(fields.Integer, default=[]),
    "available": fields.Boolean,
    "added": fields.DateTime,
    "added_iso": fields.DateTime(dt_format="iso8601", attribute="added"),
    "missing": fields.String(default="n/a"),
    "raw": fields.Raw,
    "meta": {"first_tag": fields.String(attribute="tags.0"), "author_name": fields.String(attribute="author.name")},
}
BOOK = {"id": "7", "title": "Dune", "author": {"name": "Frank", "born": 1920.7}, "year": 1965, "price": 9,
        "tags": ["scifi", 3], "available": "", "added": datetime.datetime(2024, 1, 2, 3, 4, 5), "raw": {"k": [1, 2]}}

def f():
    return [
        marshal(BOOK, book_fields),
        marshal({}, dict((k, v) for k, v in book_fields.items() if k != "label")),
        marshal([BOOK, {"title": None}], {"title": fields.String, "id": fields.Integer}),
        marshal([BOOK], {"title": fields.String}, envelope="items"),
        marshal(BOOK, {"title": fields.String}, envelope="book"),
        marshal({"authors": [{"name": "a"}, {"name": "b", "born": 1}]}, {"authors": fields.List(fields.Nested(author_fields))}),
        marshal({"when": datetime.datetime(2020, 2, 29, 23, 59, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))}, {"when": fields.DateTime}),
    ]`,
  },
]

describe('Flask-RESTful fields and marshal behave as under Flask-RESTful 0.3.9', async () => {
  await differentialSuite(cases, { flask: true, runtime: ['multipart.ts', 'restful.ts', 'restful-reqparse.ts', 'restful-fields.ts'] })
})
