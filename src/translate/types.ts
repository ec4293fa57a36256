import type { CodeRef, Finding } from '../ir/types.js'

/**
 * What translate hands to emit. Code is TypeScript source text, not yet formatted (emit runs
 * prettier). Names of runtime imports refer to the files of src/emit/runtime/, which emit copies
 * to `src/lib/` of the generated service.
 */
export interface TranslatedProject {
  /** One TypeScript module per Python module whose functions, classes or data the handlers use. */
  modules: TranslatedModule[]
  /** Keyed by endpoint. Every view of the selected app has an entry, translated or stubbed. */
  views: Record<string, TranslatedHandler>
  /** Hooks and error handlers, in the order of the IR's `hooks` / `errorHandlers`. */
  hooks: TranslatedHandler[]
  errorHandlers: TranslatedHandler[]
  /** The app's CLI commands without click parameters, in the order of the IR's `commands` (name = the command's); absent when none. */
  commands?: TranslatedHandler[]
  findings: Finding[]
  /** Mapped extensions the app sets up (rules/extensions/), carried over; absent when none. */
  extensions?: TranslatedExtension[]
  /** The app's start-up work (`with app.app_context():` in its setup, beyond db.create_all()), run when the service creates the app; absent when none. */
  startup?: TranslatedHandler[]
  /**
   * Routes whose code reads or changes data kept in process memory that request-time code changes
   * (process-local-state), as LEGACY_ROUTES writes them (`endpoint`, `blueprint.*`, `*`), and the
   * names of that data: with LEGACY_URL they go to the Flask app; absent when none.
   */
  sharedState?: { routes: string[]; state: string[] }
}

/** A mapped extension the app sets up (`jwt.init_app(app)`), as the emitted app.ts sets it up. */
export interface TranslatedExtension {
  /** The mapping's name (`Flask-JWT-Extended`), the Python package and class the analysis recorded. */
  extension: string
  package: string
  symbol: string
  /** Import lines the setup needs, relative to `src/routes/` (as handlers' are). */
  imports: string[]
  /** Statements of createApp() before the error handlers: the callbacks' registration. */
  setup: string[]
  /** Spread first into the app's `errorHandlers([...])`: the handlers init_app registers; null when none. */
  errorHandlers: string | null
  /** After-request hooks the extension registers (`CORS(api_bp)`): for a blueprint's requests, or the app's (blueprint null); registered before the project's own. */
  afterRequest?: { blueprint: string | null; code: string }[]
  /** The places (`file:line`) of the setups carried over, when not every setup of the extension is: only these are not reported. */
  records?: string[]
}

export interface TranslatedModule {
  /** Python module name (`inventory.store`); emit writes it to `src/<inventory/store>.ts`. */
  pythonModule: string
  /** Module body: declarations in source order, with their own `import` lines. */
  code: string
}

export interface TranslatedHandler {
  ref: CodeRef
  /** The endpoint for views; for hooks and error handlers, the Python function's name. */
  name: string
  /** 'migrated': `code` behaves as the Python does. 'stub': `code` answers 501 and findings say why. */
  status: 'migrated' | 'stub'
  /**
   * A TypeScript function expression usable as a Hono handler (views), hook or error
   * handler, e.g. `async (c) => { ... }`. For stubs, the runtime's 501 answer.
   */
  code: string
  /** Import lines the code needs, relative to `src/routes/` of the generated service (`import { py } from '../lib/py.js'`). */
  imports: string[]
  /** The original Python source of the function, for the comment above it. */
  pythonSource: string
  findings: Finding[]
}
