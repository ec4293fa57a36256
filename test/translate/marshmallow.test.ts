import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/**
 * marshmallow 3 schemas (rules/extensions/marshmallow.yaml, runtime marshmallow.ts): each case
 * runs under Debian's marshmallow 3.18 and as translated TypeScript; loaded data, dumped data and
 * ValidationError.messages must be the same JSON text (so the same keys in the same order).
 */
const ATTEMPT = `
def attempt(fn):
    try:
        return {"ok": fn()}
    except ValidationError as err:
        return {"messages": err.messages}
`

/**
 * marshmallow 3.18 keeps a schema's fields in a set unless `Meta.ordered` (their order then
 * follows the hash seed, differing from one Python process to the next): results are compared
 * with their keys sorted, but for the `ordered` case, which compares the order too.
 */
const SORTED = `
import json

def f():
    return json.dumps(g(), sort_keys=True)
`

const cases: Case[] = [
  {
    name: 'load and dump: required, dump_only, load_only, load_default, allow_none, validators and their messages',
    source: `from marshmallow import Schema, ValidationError, fields, validate
${ATTEMPT}
class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String(required=True, validate=[validate.Length(min=3, max=8), validate.Regexp(r"^[a-z]+$", error="Lowercase only.")])
    email = fields.Email(required=True)
    role = fields.String(load_default="member", validate=validate.OneOf(["member", "admin"]))
    age = fields.Integer(validate=validate.Range(min=18, max=99))
    score = fields.Float(validate=validate.Range(min=0, min_inclusive=False))
    password = fields.String(load_only=True, required=True, validate=validate.Length(min=6))
    nickname = fields.String(load_default=None)
    bio = fields.String(allow_none=True)
    contact = fields.String(validate=validate.Email(error="{input} is no address."))

s = UserSchema()

def g():
    return [
        attempt(lambda: s.load({"username": "ada", "email": "ada@example.com", "password": "secret1"})),
        attempt(lambda: s.load({})),
        attempt(lambda: s.load({"username": "Ad", "email": "nope", "role": "root", "age": 12, "score": 0, "password": "x", "bio": None, "nickname": None})),
        attempt(lambda: s.load({"username": 5, "email": None, "password": "secret1", "age": "x", "score": "1.5", "bio": 3})),
        attempt(lambda: s.load({"username": "abcdefghij", "email": "a@b.io", "password": "secret1", "age": 100, "score": "2"})),
        s.dump({"id": 1, "username": "ada", "email": "ada@example.com", "password": "secret", "role": "admin", "extra": 1}),
        s.dump({"id": 2, "username": "bob", "score": 2, "age": "41", "bio": None}),
        attempt(lambda: s.load({"username": "ada", "email": "ada@example.com", "password": "secret1", "id": 3})),
        attempt(lambda: s.load({"username": "ada", "email": "a.b+c@sub.example.org", "password": "secret1", "contact": "x@localhost"})),
        attempt(lambda: s.load({"username": "ada", "email": "a@b", "password": "secret1", "contact": "no-at-sign"})),
        attempt(lambda: s.load({"username": "ada", "email": '"quoted"@example.com', "password": "secret1", "contact": "a@[127.0.0.1]"})),
    ]${SORTED}`,
  },
  {
    name: 'many=True on the schema and per call: indexed errors, lists dumped',
    source: `from marshmallow import Schema, ValidationError, fields, validate
${ATTEMPT}
class ItemSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    qty = fields.Integer(load_default=1)

many = ItemSchema(many=True)
one = ItemSchema()

def g():
    return [
        attempt(lambda: many.load([{"name": "a"}, {"name": ""}, {"qty": "x"}])),
        attempt(lambda: many.load({"name": "a"})),
        attempt(lambda: one.load([{"name": "a"}, {"name": "b", "qty": "3"}], many=True)),
        attempt(lambda: one.load("text")),
        many.dump([{"name": "a", "qty": 2}, {"name": "b"}]),
        one.dump([{"name": "c"}], many=True),
        many.validate([{"name": ""}]),
        one.validate({"name": "ok"}),
    ]${SORTED}`,
  },
  {
    name: 'unknown: RAISE by default, EXCLUDE and INCLUDE from Meta, the constructor and load()',
    source: `from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, ValidationError, fields
${ATTEMPT}
class Strict(Schema):
    a = fields.Integer()

class Lenient(Schema):
    class Meta:
        unknown = EXCLUDE
    a = fields.Integer()

def g():
    return [
        attempt(lambda: Strict().load({"a": 1, "zz": 2})),
        attempt(lambda: Strict().load({"a": "bad", "zz": 2})),
        attempt(lambda: Lenient().load({"a": 1, "zz": 2})),
        attempt(lambda: Strict(unknown=INCLUDE).load({"a": 1, "zz": 2})),
        attempt(lambda: Strict().load({"a": 1, "zz": 2}, unknown=EXCLUDE)),
        attempt(lambda: Lenient().load({"a": 1, "zz": 2}, unknown=RAISE)),
    ]${SORTED}`,
  },
  {
    name: 'partial: True, a tuple of names, and on the schema',
    source: `from marshmallow import Schema, ValidationError, fields
${ATTEMPT}
class TaskSchema(Schema):
    title = fields.String(required=True)
    project_id = fields.Integer(required=True)
    status = fields.String(load_default="todo")

s = TaskSchema()

def g():
    return [
        attempt(lambda: s.load({"status": "done"}, partial=True)),
        attempt(lambda: s.load({"status": "done"}, partial=("title",))),
        attempt(lambda: TaskSchema(partial=True).load({})),
        attempt(lambda: TaskSchema(partial=True).load({"title": 3})),
    ]${SORTED}`,
  },
  {
    name: 'hooks: pre_load, post_load, validates, validates_schema (skipped on field errors), post_dump, pre_dump',
    source: `from marshmallow import Schema, ValidationError, fields, post_dump, post_load, pre_dump, pre_load, validates, validates_schema
${ATTEMPT}
class RangeSchema(Schema):
    low = fields.Integer(required=True)
    high = fields.Integer(required=True)
    label = fields.String()

    @pre_load
    def strip_label(self, data, **kwargs):
        if "label" in data:
            data = dict(data, label=data["label"].strip())
        return data

    @validates("label")
    def label_not_reserved(self, value):
        if value == "admin":
            raise ValidationError("Reserved.")

    @validates_schema
    def check_order(self, data, **kwargs):
        if data["low"] > data["high"]:
            raise ValidationError("low must not exceed high", "low")

    @validates_schema(skip_on_field_errors=False)
    def always(self, data, **kwargs):
        if data.get("label") == "x":
            raise ValidationError("no x")

    @post_load
    def make_tuple(self, data, **kwargs):
        data["span"] = data["high"] - data["low"]
        return data

    @pre_dump
    def add_label(self, obj, **kwargs):
        return dict(obj, label=obj.get("label", "none"))

    @post_dump
    def upper(self, data, **kwargs):
        data["label"] = data["label"].upper()
        return data

s = RangeSchema()

def g():
    return [
        attempt(lambda: s.load({"low": 1, "high": 3, "label": "  ok "})),
        attempt(lambda: s.load({"low": 5, "high": 3})),
        attempt(lambda: s.load({"low": 5, "high": 3, "label": "admin"})),
        attempt(lambda: s.load({"low": "bad", "high": 3, "label": "x"})),
        attempt(lambda: s.load({"low": 1, "high": 2, "label": "x"})),
        s.dump({"low": 1, "high": 2}),
        RangeSchema(many=True).dump([{"low": 1, "high": 2, "label": "a"}]),
    ]${SORTED}`,
  },
  {
    name: 'Nested and List: a class, an instance with many, a name, a lambda; nested errors',
    source: `from marshmallow import Schema, ValidationError, fields, validate
${ATTEMPT}
class TagSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(max=5))

class PostSchema(Schema):
    title = fields.String(required=True)
    author = fields.Nested("AuthorSchema", required=True)
    tags = fields.List(fields.Nested(TagSchema), load_default=list)
    main_tag = fields.Nested(TagSchema(), allow_none=True)
    related = fields.Nested(lambda: TagSchema(many=True), dump_only=True)
    scores = fields.List(fields.Integer())

class AuthorSchema(Schema):
    name = fields.String(required=True)

s = PostSchema()

def g():
    return [
        attempt(lambda: s.load({"title": "t", "author": {"name": "a"}})),
        attempt(lambda: s.load({"title": "t", "author": {}, "tags": [{"name": "ok"}, {"name": "toolong"}, {}], "main_tag": None})),
        attempt(lambda: s.load({"title": "t", "author": "x", "tags": "x", "scores": [1, "b", 3]})),
        attempt(lambda: s.load({"title": "t", "author": {"name": "a", "bad": 1}})),
        s.dump({"title": "t", "author": {"name": "a", "x": 1}, "tags": [{"name": "p"}], "main_tag": None, "related": [{"name": "r"}], "scores": [1, 2]}),
    ]${SORTED}`,
  },
  {
    name: 'Method and Function fields, data_key and attribute',
    source: `from marshmallow import Schema, ValidationError, fields
${ATTEMPT}
class PersonSchema(Schema):
    first = fields.String(data_key="firstName")
    last = fields.String(attribute="surname")
    full = fields.Method("get_full")
    initials = fields.Function(lambda obj: obj["first"][0] + obj["surname"][0])
    shout = fields.Method("get_full", deserialize="load_shout")

    def get_full(self, obj):
        return obj["first"] + " " + obj["surname"]

    def load_shout(self, value):
        return value.upper()

s = PersonSchema()

def g():
    return [
        s.dump({"first": "Ada", "surname": "Lovelace"}),
        attempt(lambda: s.load({"firstName": "Ada", "last": "L", "shout": "hey"})),
        attempt(lambda: s.load({"first": "Ada"})),
    ]${SORTED}`,
  },
  {
    name: 'Integer, Float, Boolean, DateTime and Date: what loads, what fails, what dumps',
    source: `import datetime
from marshmallow import Schema, ValidationError, fields
${ATTEMPT}
class ValueSchema(Schema):
    n = fields.Integer()
    strict = fields.Integer(strict=True)
    x = fields.Float()
    b = fields.Boolean()
    when = fields.DateTime()
    day = fields.Date()

s = ValueSchema()

def g():
    out = []
    for payload in [{"n": "12"}, {"n": 3.7}, {"n": "1.5"}, {"n": True}, {"strict": "3"}, {"strict": 3}, {"x": "1e3"}, {"x": "nan"}, {"x": 2}, {"x": "x"},
                    {"b": "yes"}, {"b": "off"}, {"b": 1}, {"b": "maybe"}, {"b": None}, {"when": "2024-02-03T04:05:06"}, {"when": "2024-02-03T04:05:06.5+02:00"},
                    {"when": "2024-02-03"}, {"when": ""}, {"day": "2024-02-30"}, {"day": "2024-02-03"}, {"day": 5}]:
        result = attempt(lambda: s.load(payload))
        if "ok" in result:
            result = {"ok": {k: str(v) if isinstance(v, (datetime.date, float)) else v for k, v in result["ok"].items()}}
        out.append(result)
    out.append(s.dump({"n": 4.9, "x": 2, "b": "t", "when": datetime.datetime(2024, 1, 2, 3, 4, 5), "day": datetime.date(2024, 1, 2)}))
    return out${SORTED}`,
  },
  {
    name: 'ValidationError raised by hand, its messages, field_name, str(); validate() and Schema inheritance',
    source: `from marshmallow import Schema, ValidationError, fields, validates
${ATTEMPT}
class Base(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True)

class Child(Base):
    size = fields.Integer(load_default=0)

    @validates("size")
    def positive(self, value):
        if value < 0:
            raise ValidationError(["Negative.", "Really."])

def g():
    e = ValidationError("Bad thing.", "thing")
    d = ValidationError({"a": ["x"]})
    return [
        e.messages, e.field_name, str(e), d.messages, str(ValidationError("plain")),
        Child().validate({"size": -1}),
        attempt(lambda: Child().load({"name": "n", "size": -1})),
        Child().dump({"id": 1, "name": "n", "size": 2}),
        Child(only=("name",)).dump({"id": 1, "name": "n", "size": 2}),
        Child(exclude=("id",)).dump({"id": 1, "name": "n", "size": 2}),
    ]${SORTED}`,
  },
  {
    name: "the taskapi acceptance app's schemas (post_load normalising, validates against a store, partial updates)",
    source: `from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates
${ATTEMPT}
USERS = {"alice": 1, "bob": 2}
STATUSES = ("todo", "in_progress", "done")

class TaskSchema(Schema):
    id = fields.Integer(dump_only=True)
    project_id = fields.Integer(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = fields.String(load_default="")
    status = fields.String(load_default="todo", validate=validate.OneOf(STATUSES))
    priority = fields.Integer(load_default=3, validate=validate.Range(min=1, max=5))
    assignee = fields.String(load_default=None, allow_none=True)
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=20)), load_default=list)
    created_by = fields.String(dump_only=True)

    @post_load
    def normalise(self, data, **kwargs):
        if "title" in data:
            data["title"] = data["title"].strip()
        if "tags" in data:
            seen = []
            for tag in data["tags"]:
                tag = tag.strip().lower()
                if tag not in seen:
                    seen.append(tag)
            data["tags"] = seen
        return data

class ProjectSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=3, max=60))
    lead = fields.String(required=True)
    members = fields.List(fields.String(), load_default=list)

    @validates("lead")
    def lead_must_exist(self, value):
        if value not in USERS:
            raise ValidationError("Unknown user.")

    @post_load
    def lead_is_member(self, data, **kwargs):
        members = [m for m in data["members"] if m != data["lead"]]
        data["members"] = [data["lead"]] + members
        return data

class QuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE
    project_id = fields.Integer()

task = TaskSchema()
update = TaskSchema(partial=True)

def g():
    return [
        attempt(lambda: task.load({"project_id": 1, "title": "  Write  ", "tags": ["A", " a", "b"]})),
        attempt(lambda: task.load({"project_id": "x", "title": "", "status": "later", "priority": 9, "tags": ["", "x" * 21], "id": 4})),
        attempt(lambda: update.load({"status": "done"})),
        attempt(lambda: update.load({"priority": 0, "assignee": None})),
        task.dump({"id": 7, "project_id": 1, "title": "t", "description": "", "status": "todo", "priority": 3, "assignee": None, "tags": [], "created_by": "alice", "comments": []}),
        attempt(lambda: ProjectSchema().load({"name": "Site", "lead": "bob", "members": ["alice", "bob"]})),
        attempt(lambda: ProjectSchema().load({"name": "S", "lead": "zed"})),
        attempt(lambda: QuerySchema().load({"project_id": "2", "page": "1"})),
    ]${SORTED}`,
  },
  {
    name: 'Meta.ordered: dumped and loaded keys, and errors, in declaration order',
    source: `from marshmallow import Schema, ValidationError, fields
${ATTEMPT}
class OrderedSchema(Schema):
    class Meta:
        ordered = True
    zeta = fields.String(required=True)
    alpha = fields.Integer(load_default=1)
    mid = fields.String(dump_only=True)
    beta = fields.List(fields.String())

s = OrderedSchema()

def f():
    return [
        dict(s.dump({"beta": ["b"], "mid": "m", "alpha": 2, "zeta": "z"})),
        attempt(lambda: dict(s.load({"beta": ["x"], "zeta": "z"}))),
        attempt(lambda: s.load({"beta": [1], "alpha": "x"})),
    ]`,
  },
  {
    name: 'Meta.fields naming attributes the schema does not declare: dumped by their value type (fields.Inferred)',
    source: `import datetime
from marshmallow import Schema, fields

class RowSchema(Schema):
    class Meta:
        fields = ("id", "name", "when", "day", "score", "flag", "tags", "total")
    total = fields.Integer()

s = RowSchema()

def g():
    return s.dump({"id": 1, "name": "n", "when": datetime.datetime(2024, 1, 2, 3, 4, 5), "day": datetime.date(2024, 1, 2),
                   "score": 2.5, "flag": True, "tags": ["a"], "total": "7", "hidden": 1})
${SORTED}`,
  },
  {
    name: 'pass_many and pass_original hooks, Nested only/exclude, Schema(load_only=, dump_only=), a Function field with the context',
    source: `from marshmallow import Schema, ValidationError, fields, post_dump, post_load, pre_load, validates_schema
${ATTEMPT}
class ItemSchema(Schema):
    name = fields.String(required=True)
    qty = fields.Integer(load_default=1)
    secret = fields.String()
    label = fields.Function(lambda obj, ctx: ctx.get("prefix", "") + obj["name"])

    @pre_load(pass_many=True)
    def unwrap(self, data, many, **kwargs):
        return data["items"] if many and isinstance(data, dict) else data

    @post_load(pass_original=True)
    def keep_raw(self, data, original, **kwargs):
        data["raw_keys"] = sorted(original)
        return data

    @validates_schema(pass_many=True)
    def not_too_many(self, data, many, **kwargs):
        if many and len(data) > 2:
            raise ValidationError("Too many items.")

    @post_dump(pass_many=True)
    def envelope(self, data, many, **kwargs):
        return {"items": data} if many else data

class OrderSchema(Schema):
    id = fields.Integer()
    first = fields.Nested(ItemSchema, only=("name",))
    rest = fields.List(fields.Nested(ItemSchema, exclude=("secret", "label")))

items = ItemSchema(many=True, context={"prefix": "#"})
one = ItemSchema(context={"prefix": "@"})
order = OrderSchema()
limited = ItemSchema(load_only=("secret",), dump_only=("qty",))

def g():
    return [
        attempt(lambda: items.load({"items": [{"name": "a"}, {"name": "b", "qty": "2"}]})),
        attempt(lambda: items.load([{"name": "a"}, {"name": "b"}, {"name": "c"}])),
        attempt(lambda: one.load({"name": "x", "secret": "s"})),
        items.dump([{"name": "a", "qty": 1, "secret": "s"}]),
        one.dump({"name": "b", "qty": 2}),
        order.dump({"id": 1, "first": {"name": "f", "qty": 9, "secret": "s"}, "rest": [{"name": "r", "qty": 3, "secret": "t"}]}),
        limited.dump({"name": "n", "qty": 4, "secret": "s"}),
        attempt(lambda: limited.load({"name": "n", "qty": 4, "secret": "s"})),
    ]
${SORTED}`,
  },
]

describe('marshmallow schemas behave as under marshmallow 3.18', async () => {
  await differentialSuite(cases, { runtime: ['marshmallow.ts'] })
})
