/**
 * flask-marshmallow 0.14 (Debian's python3-flask-marshmallow is the oracle:
 * test/translate/marshmallow.test.ts): `ma = Marshmallow(app)`, whose `ma.Schema` is
 * marshmallow's Schema with `jsonify(obj, many=)`, and whose `ma.String(...)`, `ma.Nested(...)`…
 * are marshmallow's fields (runtime marshmallow.ts).
 */
import { jsonify } from './flask.js'
import {
  BooleanField,
  DateField,
  DateTimeField,
  DictField,
  EmailField,
  FloatField,
  FunctionField,
  IntegerField,
  ListField,
  MethodField,
  NestedField,
  RawField,
  Schema,
  StringField,
  UrlField,
} from './marshmallow.js'
import { Keywords, type Py } from './py.js'

/** `flask_marshmallow.Schema`: marshmallow's, with `jsonify`. */
export class FlaskSchema extends Schema {
  /** `schema.jsonify(obj, many=<the schema's>)`: `flask.jsonify(schema.dump(obj, many=many))`. */
  jsonify(obj: Py, ...rest: Py[]): Py {
    const last = rest.at(-1)
    const given = last instanceof Keywords ? new Map(last.entries) : new Map<string, Py>()
    const many = given.has('many') ? given.get('many') : this.many
    return jsonify(this.dump(obj, new Keywords([['many', many]])))
  }
}

/** `flask_marshmallow.Marshmallow(app)`: the Schema class and marshmallow's fields. */
export class Marshmallow {
  readonly Schema = FlaskSchema
  init_app(_app: Py = null): null {
    return null
  }
  Raw(options: Py = null): RawField {
    return new RawField(options)
  }
  String(options: Py = null): StringField {
    return new StringField(options)
  }
  Str(options: Py = null): StringField {
    return new StringField(options)
  }
  Email(options: Py = null): EmailField {
    return new EmailField(options)
  }
  Url(options: Py = null): UrlField {
    return new UrlField(options)
  }
  Integer(options: Py = null): IntegerField {
    return new IntegerField(options)
  }
  Int(options: Py = null): IntegerField {
    return new IntegerField(options)
  }
  Float(options: Py = null): FloatField {
    return new FloatField(options)
  }
  Boolean(options: Py = null): BooleanField {
    return new BooleanField(options)
  }
  Bool(options: Py = null): BooleanField {
    return new BooleanField(options)
  }
  DateTime(format: Py = null, options: Py = null): DateTimeField {
    return new DateTimeField(format, options)
  }
  Date(format: Py = null, options: Py = null): DateField {
    return new DateField(format, options)
  }
  List(inner: Py, options: Py = null): ListField {
    return new ListField(inner, options)
  }
  Nested(nested: Py, options: Py = null): NestedField {
    return new NestedField(nested, options)
  }
  Method(serialize: Py = null, deserialize: Py = null, options: Py = null): MethodField {
    return new MethodField(serialize, deserialize, options)
  }
  Function(serialize: Py = null, deserialize: Py = null, options: Py = null): FunctionField {
    return new FunctionField(serialize, deserialize, options)
  }
  Dict(options: Py = null): DictField {
    return new DictField(options)
  }
}

/** The emitted app's `ma.init_app(app)` / `Marshmallow(app)`: nothing to set up. */
export function initMarshmallow(_ma: Marshmallow): void {}
