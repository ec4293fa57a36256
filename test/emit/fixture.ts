import type { AppIR, ProjectIR, RouteIR, SourceLocation } from '../../src/ir/types.js'
import type { TranslatedHandler, TranslatedProject } from '../../src/translate/types.js'

/** A hand-written IR of a small Flask project (what analyze would produce for it). */
export const SECRET = 'do-not-ship-this-secret'

function at(file: string, line: number): SourceLocation {
  return { file, line, column: 1 }
}

function route(partial: Partial<RouteIR> & Pick<RouteIR, 'rule' | 'endpoint' | 'location'>): RouteIR {
  const methods = partial.methods ?? ['GET']
  const all = new Set(methods)
  if (all.has('GET')) all.add('HEAD')
  all.add('OPTIONS')
  return {
    methods,
    allMethods: [...all].sort(),
    converters: [],
    defaults: null,
    strictSlashes: true,
    provideAutomaticOptions: true,
    redirectTo: null,
    subdomain: null,
    host: null,
    blueprint: null,
    view: null,
    ...partial,
  }
}

function fn(module: string, qualname: string, file: string, line: number) {
  return { kind: 'function' as const, ref: { module, qualname, location: at(file, line) } }
}

export function sampleApp(): AppIR {
  return {
    id: 'shop:create_app()',
    module: 'shop',
    variable: 'app',
    factory: 'create_app',
    importName: 'shop',
    staticFolder: 'static',
    staticUrlPath: '/static',
    staticFolderPath: 'static',
    // A static folder with files: its rule stays a reported stub (files are not copied yet).
    staticFolderHasFiles: true,
    templateFolder: null,
    urlMap: { strictSlashes: true, hostMatching: false },
    blueprints: [
      {
        name: 'items',
        localName: 'items',
        parent: null,
        urlPrefix: '/api/items',
        subdomain: null,
        staticFolder: null,
        staticUrlPath: null,
        staticFolderPath: null,
        staticFolderHasFiles: false,
        templateFolder: null,
        location: at('shop/items.py', 3),
        registeredAt: at('shop/__init__.py', 20),
      },
      {
        name: 'users',
        localName: 'users',
        parent: null,
        urlPrefix: '/users',
        subdomain: null,
        staticFolder: null,
        staticUrlPath: null,
        staticFolderPath: null,
        staticFolderHasFiles: false,
        templateFolder: null,
        location: at('shop/users.py', 2),
        registeredAt: at('shop/__init__.py', 21),
      },
    ],
    routes: [
      route({ rule: '/static/<path:filename>', endpoint: 'static', location: at('shop/__init__.py', 8), converters: [{ variable: 'filename', name: 'path', args: [], kwargs: {} }] }),
      route({ rule: '/', endpoint: 'index', location: at('shop/__init__.py', 12), view: fn('shop', 'create_app.index', 'shop/__init__.py', 13) }),
      route({ rule: '/boom', endpoint: 'boom', location: at('shop/__init__.py', 16), view: fn('shop', 'create_app.boom', 'shop/__init__.py', 17) }),
      route({ rule: '/old', endpoint: 'old', location: at('shop/__init__.py', 19), redirectTo: '/' }),
      // '/api/items/' cannot be mounted under '/api/items' (mergePath drops the slash): full rules.
      route({ rule: '/api/items/', endpoint: 'items.list_items', blueprint: 'items', methods: ['GET', 'POST'], location: at('shop/items.py', 6), view: fn('shop.items', 'list_items', 'shop/items.py', 7) }),
      route({ rule: '/api/items/<int:item_id>', endpoint: 'items.item', blueprint: 'items', methods: ['DELETE', 'GET', 'PUT'], location: at('shop/items.py', 20), converters: [{ variable: 'item_id', name: 'int', args: [], kwargs: {} }], view: { kind: 'class', base: 'MethodView', methods: ['DELETE', 'GET', 'PUT'], ref: { module: 'shop.items', qualname: 'ItemAPI', location: at('shop/items.py', 12) } } }),
      route({ rule: '/users/<int:user_id>', endpoint: 'users.get_user', blueprint: 'users', location: at('shop/users.py', 5), converters: [{ variable: 'user_id', name: 'int', args: [], kwargs: {} }], view: fn('shop.users', 'get_user', 'shop/users.py', 6) }),
      route({ rule: '/users/export', endpoint: 'users.export', blueprint: 'users', location: at('shop/users.py', 10), view: fn('shop.users', 'export', 'shop/users.py', 11) }),
      route({ rule: '/users/report', endpoint: 'users.report', blueprint: 'users', location: at('shop/users.py', 15), view: fn('shop.users', 'report', 'shop/users.py', 16) }),
    ],
    hooks: [
      { kind: 'before_request', blueprint: null, ref: { module: 'shop', qualname: 'create_app.load_user', location: at('shop/__init__.py', 30) }, location: at('shop/__init__.py', 29) },
      { kind: 'after_request', blueprint: 'users', ref: { module: 'shop.users', qualname: 'add_header', location: at('shop/users.py', 30) }, location: at('shop/users.py', 29) },
      { kind: 'url_defaults', blueprint: null, ref: { module: 'shop', qualname: 'create_app.defaults', location: at('shop/__init__.py', 40) }, location: at('shop/__init__.py', 39) },
    ],
    errorHandlers: [
      { blueprint: null, key: { code: 404 }, ref: { module: 'shop', qualname: 'create_app.not_found', location: at('shop/__init__.py', 50) }, location: at('shop/__init__.py', 49) },
      { blueprint: null, key: { exception: 'ValueError' }, ref: { module: 'shop', qualname: 'create_app.bad_value', location: at('shop/__init__.py', 55) }, location: at('shop/__init__.py', 54) },
      { blueprint: 'users', key: { exception: 'shop.errors.UserError' }, ref: { module: 'shop.users', qualname: 'user_error', location: at('shop/users.py', 40) }, location: at('shop/users.py', 39) },
    ],
    extensions: [],
    config: [
      { key: 'DEBUG', value: false, expression: null, envVar: null, secret: false, location: at('shop/__init__.py', 5) },
      { key: 'PAGE_SIZE', value: 20, expression: null, envVar: null, secret: false, location: at('shop/__init__.py', 6) },
      { key: 'SECRET_KEY', value: SECRET, expression: null, envVar: null, secret: true, location: at('shop/__init__.py', 7) },
      { key: 'DATABASE_URL', value: null, expression: 'os.environ.get("DATABASE_URL", "sqlite:///shop.db")', envVar: 'DATABASE_URL', secret: false, location: at('shop/__init__.py', 8) },
      { key: 'API_TOKEN', value: null, expression: 'os.environ["API_TOKEN"]', envVar: 'API_TOKEN', secret: true, location: at('shop/__init__.py', 9) },
    ],
    location: at('shop/__init__.py', 4),
  }
}

export function sampleProject(): ProjectIR {
  const app = sampleApp()
  return {
    version: 1,
    modules: [
      { name: 'shop', file: 'shop/__init__.py', isPackage: true },
      { name: 'shop.errors', file: 'shop/errors.py', isPackage: false },
      { name: 'shop.items', file: 'shop/items.py', isPackage: false },
      { name: 'shop.users', file: 'shop/users.py', isPackage: false },
    ],
    apps: [app],
    selectedApp: app.id,
    findings: [{ ruleId: 'extension-unsupported', severity: 'warning', message: 'flask_cors.CORS is not carried over', location: { file: 'shop/__init__.py', line: 25, column: 5 } }],
  }
}

function handler(name: string, module: string, qualname: string, line: number, code: string, extra: Partial<TranslatedHandler> = {}): TranslatedHandler {
  const file = module === 'shop' ? 'shop/__init__.py' : `${module.split('.').join('/')}.py`
  return { ref: { module, qualname, location: { file, line, column: 1 } }, name, status: 'migrated', code, imports: [], pythonSource: `def ${qualname.split('.').pop()}():\n    ...`, findings: [], ...extra }
}

/** What translate would hand over for sampleProject(); `users.report` is left out on purpose. */
export function sampleTranslation(): TranslatedProject {
  const stubFinding = { ruleId: 'unsupported-call', severity: 'error' as const, message: 'send_file is not supported', location: { file: 'shop/users.py', line: 12, column: 12 }, endpoint: 'users.export' }
  return {
    modules: [
      { pythonModule: 'shop.errors', code: `import { Exception } from '../lib/exceptions.js'\n\nexport class UserError extends Exception {}\n` },
      // A module named like one of the service's own files must move aside (src/app.ts is createApp).
      { pythonModule: 'app', code: `export const GREETING = 'hello'\n` },
    ],
    views: {
      index: handler('index', 'shop', 'create_app.index', 13, `async (c) => c.json({ greeting: GREETING, page: ${'config'}.PAGE_SIZE })`, {
        imports: [`import { GREETING } from '../app.js'`, `import { config } from '../config.js'`],
      }),
      boom: handler('boom', 'shop', 'create_app.boom', 17, `async () => { throw new ValueError('bad value') }`, { imports: [`import { ValueError } from '../lib/exceptions.js'`] }),
      'items.list_items': handler('items.list_items', 'shop.items', 'list_items', 7, `async (c) => c.json({ items: [], method: c.req.method })`),
      'items.item': handler('items.item', 'shop.items', 'ItemAPI', 12, `async (c) => c.json({ id: Number(c.req.param('item_id')), method: c.req.method })`),
      'users.get_user': handler('users.get_user', 'shop.users', 'get_user', 6, `async (c) => { const id = Number(c.req.param('user_id')); if (id === 0) throw new UserError('no user 0'); return c.json({ id }) }`, {
        imports: [`import { UserError } from '../shop/errors.js'`],
      }),
      'users.export': handler('users.export', 'shop.users', 'export', 11, `(c) => notMigrated(c, 'users.export')`, {
        status: 'stub',
        imports: [`import { notMigrated } from '../lib/flask.js'`],
        pythonSource: `@bp.route("/export")\ndef export():\n    return send_file("users.csv")  # */ tricky comment`,
        findings: [stubFinding],
      }),
    },
    hooks: [
      handler('load_user', 'shop', 'create_app.load_user', 30, `async (c) => { c.set('g', { user: 'anonymous' }) }`),
      handler('add_header', 'shop.users', 'add_header', 30, `async (c, response) => { response.headers.set('X-Users', '1'); return response }`),
      handler('defaults', 'shop', 'create_app.defaults', 40, `() => {}`),
    ],
    errorHandlers: [
      handler('not_found', 'shop', 'create_app.not_found', 50, `async (error, c) => c.json({ error: 'not found' }, 404)`),
      handler('bad_value', 'shop', 'create_app.bad_value', 55, `async (error, c) => c.json({ error: String(error.message) }, 400)`),
      handler('user_error', 'shop.users', 'user_error', 40, `async (error, c) => c.json({ error: 'user error' }, 422)`),
    ],
    findings: [stubFinding],
  }
}
