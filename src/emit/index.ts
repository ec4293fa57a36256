import { extensionName } from '../ir/extension-rules.js'
import { sortFindings } from '../ir/findings.js'
import { posix } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { AppIR, ErrorHandlerIR, Finding, ProjectIR } from '../ir/types.js'
import type { TranslatedExtension, TranslatedHandler, TranslatedProject } from '../translate/types.js'
import { emitConfig } from './config.js'
import { SCHEMA_MODULE_PATH, schemaModuleFor, sqlalchemySetupNotCarried } from './db-schema.js'
import { PRETTIER_IGNORE, emitPrettierConfig, formatRuntimeModule, formatServiceFile, formatTypeScript } from './format.js'
import { checkTypeScriptSyntax } from '../ts-syntax.js'
import {
  describeKey,
  resolveErrorHandlers,
  resolveHooks,
  resolveViews,
  stubHandler,
  type ResolvedErrorHandler,
  type ResolvedHandler,
  type ResolvedHook,
  isAppWide,
} from './handlers.js'
import { ImportSet, relocator, rewriteSpecifiersInCode } from './imports.js'
import { handlerComment, hookLists, emitRouteFile, planRouteFiles } from './routes.js'
import {
  LEGACY_ENV_EXAMPLE,
  emitDockerfile,
  emitDockerignore,
  emitGitignore,
  emitMain,
  emitPackageJson,
  emitReadme,
  packageDependencies,
  packageName,
  emitSmokeTest,
  emitTsconfig,
} from './scaffold.js'
import { emitUrlMap, requestBlueprints, scalarDefaults } from './url-map.js'
import { importedPackages, readsContextLocals, usedRuntimeModules } from './runtime-use.js'
import { emitK8sManifests, envExampleVariables } from './k8s.js'
import { emitCommands } from './commands.js'
import { docComment, lineComment, tsString } from '../ts-text.js'
import { REDACTED, redactFiles, type Redaction } from './redact.js'
import { keptMigrations, staticAssets, type StaticFiles } from './static.js'
import { emitTemplatesModule } from './templates.js'

export { readRuntimeFiles } from './runtime-files.js'

export interface EmitInput {
  ir: ProjectIR
  /** The selected app (one of `ir.apps`). */
  app: AppIR
  translation: TranslatedProject
  /** Files of src/emit/runtime/ by file name (`router.ts`), copied verbatim to `src/lib/`. */
  runtimeFiles: ReadonlyMap<string, string>
  /** Secret literals the analyzer saw (never in the IR): redacted wherever they appear in emitted files. */
  secretValues?: readonly string[]
  /** Python sources by project-relative file, to quote the original code above stubs emit makes itself. */
  sources?: ReadonlyMap<string, string>
  /** When given, receives the time spent in emit's costly steps (for `npm run bench`). */
  timings?: StageTimings
  /** The static folders' files (src/emit/static.ts readStaticFolders): copied into public/ and served. */
  staticFiles?: StaticFiles
  /**
   * false when the files are counted, not written (--dry-run, --check): nothing is formatted;
   * each translated module's syntax is still checked, so the findings are those of a full run.
   */
  format?: boolean
}

/** Wall-clock and CPU milliseconds by step name, added to by the pipeline and emit. */
export type StageTimings = Record<string, { wall: number; cpu: number }>

/** Runs `step`, adding its wall-clock and CPU time (the process's, all threads) to `timings[name]` when timings are kept. */
export async function timed<T>(timings: StageTimings | undefined, name: string, step: () => T | Promise<T>): Promise<T> {
  if (timings === undefined) return step()
  const wall = performance.now()
  const cpu = process.cpuUsage()
  try {
    return await step()
  } finally {
    const used = process.cpuUsage(cpu)
    const entry = (timings[name] ??= { wall: 0, cpu: 0 })
    entry.wall += performance.now() - wall
    entry.cpu += (used.user + used.system) / 1000
  }
}

/** What happened to one rule of the url map. */
export interface RouteOutcome {
  rule: string
  endpoint: string
  status: 'migrated' | 'stub'
  /** Rule ids explaining a stub. */
  reasons: string[]
}

export interface EmitResult {
  /** Service-relative POSIX path → content, sorted by path. */
  files: Map<string, string>
  /** The static files copied into the service (`public/…` → bytes), sorted by path. */
  assets: Map<string, Uint8Array>
  /** Findings of the emit stage itself (translate's and analyze's are not repeated). */
  findings: Finding[]
  /** One per route of the app, in url_map order. */
  routes: RouteOutcome[]
  /** The native endpoints that go to LEGACY_URL too, sharing process-local state (src/app.ts `endpoints.sharedState`). */
  sharedState: string[]
}

/** Builds every file of the Hono service. Pure: same input, same bytes. */
export async function emitProject(input: EmitInput): Promise<EmitResult> {
  const { app, translation, runtimeFiles } = input
  const format = input.format !== false
  const findings: Finding[] = []
  const files = new Map<string, string>()

  // The runtime modules the service's files do not import are dropped below, before package.json is written.
  for (const [name, content] of [...runtimeFiles].sort(([a], [b]) => compare(a, b))) files.set(`src/lib/${name}`, content)

  const earlier = [...input.ir.findings, ...translation.findings]
  const reportedLines = new Set(earlier.map((finding) => `${finding.location.file}:${finding.location.line}`))
  const reportedAt = (...locations: Finding['location'][]): boolean => locations.some((location) => reportedLines.has(`${location.file}:${location.line}`))
  const { views, hooks, errorHandlers } = await timed(input.timings, 'emit: check handlers', async () => {
    // Every translated handler must parse: the check translate made, remembered (src/ts-syntax.ts).
    const check = async (expression: string) => checkTypeScriptSyntax(expression, 'expression')
    const views = await resolveViews(app, translation, findings, input.sources, check, input.staticFiles)
    stubUnroutableEndpoints(app, views)
    const hooks = await resolveHooks(app, translation, findings, reportedAt, check)
    const errorHandlers = await resolveErrorHandlers(app, translation, findings, check)
    return { views, hooks, errorHandlers }
  })
  const routeFiles = planRouteFiles(app)

  // Translated modules go to src/<dotted/path>.ts unless that path is one of the service's own files.
  const reserved = new Set(['src/main.ts', 'src/app.ts', 'src/url-map.ts', 'src/config.ts', 'src/templates.ts', ...routeFiles.map((file) => file.path)])
  for (const name of runtimeFiles.keys()) reserved.add(`src/lib/${name}`)
  const moved = new Map<string, string>()
  const modulePaths = new Map<string, string>()
  for (const module of [...translation.modules].sort((a, b) => compare(a.pythonModule, b.pythonModule))) {
    const natural = `src/${module.pythonModule.split('.').join('/')}.ts`
    const path = reserved.has(natural) ? natural.replace(/\.ts$/, '.py.ts') : natural
    if (path !== natural) moved.set(natural, path)
    modulePaths.set(module.pythonModule, path)
  }
  const formattedModules = new Map<string, { code: string; formatted: Formatted }>()
  for (const module of translation.modules) {
    const path = modulePaths.get(module.pythonModule) as string
    const dir = posix.dirname(path)
    const naturalDir = posix.dirname(`src/${module.pythonModule.split('.').join('/')}.ts`)
    const code = mergeHeaderImports(rewriteSpecifiersInCode(module.code, relocator(naturalDir, dir, moved)))
    // Formatting is the check that the module parses; the result is kept for the formatting below.
    const formatted = format ? await timed(input.timings, 'emit: format modules', () => tryFormat(code)) : syntaxOnly(code)
    formattedModules.set(path, { code, formatted })
    if (!formatted.ok) {
      findings.push({
        ruleId: 'emit-invalid-translation',
        severity: 'error',
        message: `The translation of module ${module.pythonModule} is not valid TypeScript (${formatted.message}); ${path} is written unformatted.`,
        location: { file: moduleFile(input.ir, module.pythonModule), line: 1, column: 1 },
      })
    }
    files.set(path, code)
  }

  // The models' schema module, when a translated model class imports it (issue 17).
  const dbSchema = schemaModuleFor(input.ir, input.sources, files)
  if (dbSchema !== null) files.set(SCHEMA_MODULE_PATH, dbSchema)

  const exceptionExports = exportedClasses(runtimeFiles.get('exceptions.ts') ?? '')
  const httpExceptionExports = exportedClasses(runtimeFiles.get('errors.ts') ?? '')
  /** `{ code | exception, blueprint?, handle }` for app.ts, adding the imports it needs; null when the class does not exist in the service. */
  const errorHandlerEntry = (entry: ResolvedErrorHandler, imports: ImportSet): string | null => {
    const { key, blueprint } = entry.errorHandler
    const scope = blueprint !== null ? ` blueprint: ${tsString(blueprint)},` : ''
    const comment = handlerComment(entry.handler, `errorhandler(${describeKey(entry.errorHandler)})${blueprint !== null ? ` (blueprint ${blueprint})` : ''}`)
    const handle = entry.handler.code.trim()
    if ('code' in key) {
      for (const line of entry.handler.imports) imports.addLine(line)
      return `${comment}\n{ code: ${key.code},${scope} handle: ${handle} }`
    }
    const dot = key.exception.lastIndexOf('.')
    const owner = dot === -1 ? '' : key.exception.slice(0, dot)
    const className = key.exception.slice(dot + 1)
    let specifier: string | null = null
    if ((owner === '' || owner === 'builtins') && exceptionExports.has(className)) specifier = 'src/lib/exceptions.js'
    else if ((owner === '' || /^(werkzeug|flask)(\.|$)/.test(owner)) && httpExceptionExports.has(className)) specifier = 'src/lib/errors.js'
    else if (extensionName(owner, className)?.name.kind === 'class') {
      // An exception class of a mapped extension (marshmallow's ValidationError): the runtime's.
      const mapped = extensionName(owner, className)!
      for (const line of entry.handler.imports) imports.addLine(line)
      imports.addNamed(`../lib/${mapped.rule.runtime}.js`, mapped.name.runtime)
      return `${comment}\n{ exception: ${mapped.name.runtime},${scope} handle: ${handle} }`
    } else {
      const module = translation.modules.find((candidate) => candidate.pythonModule === owner)
      if (module !== undefined && new RegExp(`export\\s+(?:abstract\\s+)?class\\s+${className}\\b`).test(module.code)) {
        specifier = (modulePaths.get(owner) as string).replace(/\.ts$/, '.js')
      }
    }
    if (specifier === null) {
      findings.push({
        ruleId: 'error-handler-not-migrated',
        severity: 'error',
        message: `Error handler ${entry.errorHandler.ref.qualname} is for ${key.exception}, a class the generated service does not have; it is not registered.`,
        location: entry.errorHandler.location,
      })
      return null
    }
    for (const line of entry.handler.imports) imports.addLine(line)
    // Written relative to src/routes/ like translate's imports; app.ts re-points them all.
    imports.addNamed(posix.relative('src/routes', specifier), className)
    return `${comment}\n{ exception: ${className},${scope} handle: ${handle} }`
  }

  for (const file of routeFiles) {
    files.set(
      file.path,
      emitRouteFile({
        app,
        file,
        views,
        relocate: relocator('src/routes', 'src/routes', moved),
      }),
    )
  }

  const routes = routeOutcomes(app, views, hooks, earlier, findings)
  // A mapped extension carried over (translation.extensions) is set up in app.ts and not reported.
  const extensions = translation.extensions ?? []
  // Flask-SQLAlchemy is the data layer's (issue 17) when its models were carried and its set-up is the default one.
  const sqlalchemyLeft = dbSchema !== null ? sqlalchemySetupNotCarried(app, input.sources) : []
  const dataLayerCarriesSqlalchemy = dbSchema !== null && sqlalchemyLeft.length === 0
  const isCarried = (record: AppIR['extensions'][number]): boolean =>
    (dataLayerCarriesSqlalchemy && record.package === 'flask_sqlalchemy' && record.symbol === 'SQLAlchemy') ||
    // Flask-Migrate only adds CLI commands: reported with the Alembic folder it manages (alembic-migrations-kept).
    (record.package === 'flask_migrate' && record.init !== 'import-only') ||
    extensions.some((carried) => carried.package === record.package && carried.symbol === record.symbol && (carried.records === undefined || carried.records.includes(`${record.location.file}:${record.location.line}`)))
  const notCarried: AppIR = { ...app, extensions: app.extensions.filter((record) => !isCarried(record)) }
  const legacy = legacyPlan(notCarried, routes, hooks, errorHandlers, translation.sharedState)
  files.set('src/app.ts', emitAppFile(app, routeFiles, hooks, errorHandlers, errorHandlerEntry, moved, legacy, extensions, translation.startup))
  files.set('src/url-map.ts', emitUrlMap(app))
  const templates = emitTemplatesModule(app, moved)
  if (templates !== null) files.set('src/templates.ts', templates)
  const config = emitConfig(app, reportedAt)
  findings.push(...config.findings)
  files.set('src/config.ts', config.code)
  files.set('.env.example', `${config.envExample}${LEGACY_ENV_EXAMPLE}`)
  const manifests = emitK8sManifests({ name: packageName(app), variables: [...config.variables, ...envExampleVariables(LEGACY_ENV_EXAMPLE)] })
  for (const [path, content] of manifests) files.set(path, content)
  files.set('src/main.ts', emitMain())
  files.set('test/smoke.test.ts', emitSmokeTest(app.routes, views))
  // The app's CLI commands as scripts: src/commands/<name>.ts, `npm run <name>`.
  const commands = emitCommands(app, translation, hooks, moved, findings)
  for (const [path, code] of commands.files) files.set(path, code)
  // Only the runtime modules some file imports (transitively), and the packages the files kept import.
  const usedRuntime = usedRuntimeModules(files, runtimeFiles)
  for (const name of runtimeFiles.keys()) if (!usedRuntime.has(name)) files.delete(`src/lib/${name}`)
  if (!readsContextLocals(files)) files.set('src/app.ts', files.get('src/app.ts')!.replace('app.use(requestHooks({ ', 'app.use(requestHooks({ contextLocals: false, '))
  files.set('package.json', emitPackageJson(app, { ...packageDependencies(importedPackages(files)), scripts: commands.scripts }))
  files.set('tsconfig.json', emitTsconfig())
  const statics = staticAssets(app, input.staticFiles)
  findings.push(...statics.findings)
  const migrations = keptMigrations(app, input.staticFiles)
  for (const [path, content] of migrations.files) files.set(path, content)
  findings.push(...migrations.findings)
  files.set('Dockerfile', emitDockerfile(statics.assets.size > 0))
  files.set('.dockerignore', emitDockerignore())
  files.set('.prettierrc.json', emitPrettierConfig())
  files.set('.gitignore', emitGitignore())
  files.set('.prettierignore', PRETTIER_IGNORE.join('\n'))

  const partly = new Map(sqlalchemyLeft.length > 0 ? [['flask_sqlalchemy.SQLAlchemy', `its models and session are carried by the data layer, but not ${sqlalchemyLeft.join(', ')}`]] : [])
  accountForExtensions(notCarried, earlier, findings, partly)

  const allFindings = [...input.ir.findings, ...translation.findings, ...findings]
  files.set(
    'README.md',
    emitReadme({
      app,
      stubs: app.routes.flatMap((route, index) =>
        routes[index].status === 'stub'
          ? [{ endpoint: route.endpoint, rule: route.rule, where: `${route.location.file}:${route.location.line}`, reasons: routes[index].reasons }]
          : [],
      ),
      notCarried: allFindings
        .filter((finding) => finding.endpoint === undefined && finding.severity !== 'info')
        .map((finding) => ({ where: `${finding.location.file}:${finding.location.line}`, message: finding.message })),
      envVars: [],
    }),
  )

  // No secret of the project in any file (before formatting, so that what replaced one is formatted too).
  const redactions = await redactFiles(files, input.secretValues ?? [])
  for (const redaction of redactions) findings.push(redactionFinding(redaction, app))
  // A secret constant now read from the environment is listed in .env.example, without its value.
  const envExample = files.get('.env.example')
  if (envExample !== undefined) {
    const listed = new Set(envExample.split('\n').map((line) => /^#?\s*([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1]).filter((name) => name !== undefined))
    const added: string[] = []
    for (const redaction of redactions) {
      if (redaction.kind !== 'environment' || redaction.variable === undefined || listed.has(redaction.variable) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(redaction.variable)) continue
      listed.add(redaction.variable)
      added.push(`# ${redaction.variable} (secret; a value of the project's code, ${redaction.path}): set it to the value the Flask app uses`, `${redaction.variable}=`)
    }
    if (added.length > 0) files.set('.env.example', `${envExample.replace(/\n*$/, '\n')}${added.join('\n')}\n`)
  }

  // Formatting, file by file, as the service's .prettierrc.json says (`prettier --check .` passes there):
  // a translation prettier cannot parse stays as it is (and was reported above).
  for (const [path, content] of format ? files : []) {
    // The Alembic folder is the project's, kept as it is (and in .prettierignore).
    if (path.startsWith('migrations/')) continue
    if (path.startsWith('src/lib/')) {
      // The runtime is formatted in the repository (test/emit/prettier.test.ts): copied as it is,
      // unless a redaction above changed it.
      if (content !== runtimeFiles.get(path.slice('src/lib/'.length))) files.set(path, await timed(input.timings, 'emit: format runtime', () => formatRuntimeModule(content)))
      continue
    }
    if (!path.endsWith('.ts')) {
      // README.md, package.json, tsconfig.json, the manifests; a file prettier cannot read (it should never happen) stays as written.
      files.set(path, await timed(input.timings, 'emit: format', () => formatServiceFile(path, content).catch(() => content)))
      continue
    }
    const module = formattedModules.get(path)
    const formatted = module !== undefined && module.code === content ? module.formatted : await timed(input.timings, 'emit: format', () => tryFormat(content))
    if (formatted.ok) files.set(path, formatted.code)
    else if (module === undefined) {
      findings.push({
        ruleId: 'emit-invalid-translation',
        severity: 'error',
        message: `${path} could not be formatted (${formatted.message}); it is written as generated.`,
        location: app.location,
      })
    }
  }

  const sorted = new Map([...files].sort(([a], [b]) => compare(a, b)))
  return { files: sorted, assets: statics.assets, findings: sortFindings(findings), routes, sharedState: legacy.sharedState }
}

function emitAppFile(
  app: AppIR,
  routeFiles: ReturnType<typeof planRouteFiles>,
  hooks: ResolvedHook[],
  errorHandlers: ResolvedErrorHandler[],
  errorHandlerEntry: (entry: ResolvedErrorHandler, imports: ImportSet) => string | null,
  moved: ReadonlyMap<string, string>,
  legacy: LegacyPlan,
  extensions: readonly TranslatedExtension[] = [],
  startup: readonly TranslatedHandler[] = [],
): string {
  const imports = new ImportSet()
  imports.addNamed('hono', 'Hono')
  imports.addNamed('hono/logger', 'logger')
  imports.addNamed('./lib/router.js', 'WerkzeugRouter')
  imports.addNamed('./lib/flask.js', 'errorHandlers')
  imports.addNamed('./lib/flask.js', 'requestHooks')
  imports.addNamed('./lib/flask.js', 'logsRequests')
  imports.addNamed('./lib/flask.js', 'type AppEnv')
  imports.addNamed('./lib/legacy.js', 'legacyFallback')
  imports.addNamed('./url-map.js', 'strictSlashes')
  imports.addNamed('./url-map.js', 'urlMap')
  for (const file of routeFiles) imports.addNamed(`./${file.path.replace(/^src\//, '').replace(/\.ts$/, '.js')}`, file.factory)

  // Handler code carries imports relative to src/routes/; collect them apart and re-point them to src/.
  const handlerImports = new ImportSet()
  // init_app of a mapped extension registers its error handlers before the app's own (rules/extensions/).
  const entries = [
    ...extensions.flatMap((extension) => (extension.errorHandlers === null ? [] : [extension.errorHandlers])),
    ...errorHandlers.map((entry) => errorHandlerEntry(entry, handlerImports)).filter((entry) => entry !== null),
  ]
  for (const extension of extensions) for (const line of extension.imports) handlerImports.addLine(line)
  const hookLines = withExtensionHooks(hookLists(hooks, handlerImports), extensions)
  const lines: string[] = []
  const sharedState = legacy.sharedState.length > 0 ? `, sharedState: [${legacy.sharedState.map(tsString).join(', ')}]` : ''
  lines.push(
    docComment(
      legacy.sharedState.length > 0
        ? 'Endpoints the service serves itself, and those it answers 501 for: with LEGACY_URL set, these go to the Flask app (src/lib/legacy.ts), ' +
            `and so do those of \`sharedState\` (as LEGACY_ROUTES names them) unless LEGACY_SPLIT_STATE=1: they read or change data both apps keep in process memory (${legacy.sharedData.join(', ')}; process-local-state in the report).`
        : 'Endpoints the service serves itself, and those it answers 501 for: with LEGACY_URL set, these go to the Flask app (src/lib/legacy.ts).',
    ),
  )
  lines.push(`export const endpoints = { native: [${legacy.native.map(tsString).join(', ')}], stubs: [${legacy.stubs.map(tsString).join(', ')}]${sharedState} }`, '')
  lines.push(docComment(`The Flask app \`${app.id}\` (${app.location.file}:${app.location.line}) as a Hono app.`))
  lines.push('export function createApp(): Hono<AppEnv> {')
  const customConverters = [...new Set(app.routes.flatMap((route) => route.converters.map((converter) => converter.name)))].filter((name) => !BUILTIN_CONVERTERS.has(name)).sort()
  if (customConverters.length > 0) {
    imports.addNamed('./lib/router.js', 'baseConverter')
    lines.push(lineComment(`The project's own converters (${customConverters.join(', ')}) match like BaseConverter here; the views behind them are stubs.`))
    lines.push(`const converters = { ${customConverters.map((name) => `${tsString(name)}: baseConverter`).join(', ')} }`)
    lines.push('const app = new Hono<AppEnv>({ router: new WerkzeugRouter(urlMap, { strictSlashes, converters }) })')
  } else {
    lines.push('const app = new Hono<AppEnv>({ router: new WerkzeugRouter(urlMap, { strictSlashes }) })')
  }
  lines.push(`// A line per request with LOG_LEVEL=info (or debug), and in development; not in production by default.`)
  lines.push('if (logsRequests()) app.use(logger())')
  lines.push(`// LEGACY_URL (the Flask app, still running): stubs, unknown paths and LEGACY_ROUTES go there, before any hook runs here.`)
  if (legacy.onFailure.length > 0) {
    const failures = legacy.onFailure.map((failure) => (failure === 'redirect' ? 'redirects' : '405s')).join(' and ')
    lines.push(lineComment(`The router's ${failures} go there too: these take part in them and are not migrated: ${legacy.onFailureBecause.join(', ')}.`))
    lines.push(`app.use(legacyFallback({ ...endpoints, legacyOnFailure: [${legacy.onFailure.map(tsString).join(', ')}] }))`)
  } else {
    lines.push('app.use(legacyFallback(endpoints))')
  }
  for (const extension of extensions) lines.push(...extension.setup)
  lines.push(`// Flask's error handler lookup: by code, then by class; blueprint handlers before the app's.`)
  lines.push(`const onError = errorHandlers([${entries.join(',\n')}])`)
  lines.push(`// before_request / after_request / teardown_request, app-wide and per blueprint, in Flask's order.`)
  lines.push(`app.use(requestHooks({ ${[...hookLines, 'errorHandler: onError'].join(',\n')} }))`)
  lines.push('app.onError(onError)')
  for (const file of routeFiles) {
    const label = file.blueprint === null ? "the app's own routes" : `blueprint ${file.blueprint}`
    lines.push(`app.route(${tsString(file.mountAt)}, ${file.factory}()) ${lineComment(label)}`)
  }
  // The start-up work of the app's setup (`with app.app_context():` seeding the database), with an app context of its own, then teardown_appcontext.
  const carriedStartup = startup.filter((handler) => handler.status === 'migrated')
  if (carriedStartup.length > 0) {
    const teardowns = hooks.filter((entry) => entry.hook.kind === 'teardown_appcontext' && entry.handler.status === 'migrated')
    imports.addNamed('./lib/cli.js', 'runAtStartup')
    for (const entry of teardowns) for (const line of entry.handler.imports) handlerImports.addLine(line)
    for (const handler of carriedStartup) {
      for (const line of handler.imports) handlerImports.addLine(line)
      // A call the factory makes (`store.reset()`) has no app context of its own: no teardown_appcontext after it.
      const call = handler.name === 'factory-call'
      lines.push(lineComment(`${handler.ref.location.file}:${handler.ref.location.line}: ${call ? 'a call of the app factory' : "the app's start-up work"}, when the app is created`))
      lines.push(`runAtStartup(${handler.code.trim()}, [${call ? '' : teardowns.map((entry) => entry.handler.code.trim()).join(', ')}])`)
    }
  }
  lines.push('return app', '}', '')
  const merged = new ImportSet()
  for (const line of imports.render().split('\n')) merged.addLine(line)
  for (const line of handlerImports.mapSpecifiers(relocator('src/routes', 'src', moved)).render().split('\n')) merged.addLine(line)
  return [merged.render(), '', ...lines].join('\n')
}

/**
 * The after-request hooks of mapped extensions (`CORS(api_bp)`) first in the after list: set up
 * before the project's own hooks, Flask runs them after those (blueprint ones for their blueprint).
 */
function withExtensionHooks(hookLines: string[], extensions: readonly TranslatedExtension[]): string[] {
  const entries = extensions.flatMap((extension) => extension.afterRequest ?? []).map((hook) => {
    const [comment, code] = hook.code.split('\n', 2) as [string, string]
    return `${comment}\n${hook.blueprint === null ? code : `{ blueprint: ${tsString(hook.blueprint)}, fn: ${code} }`}`
  })
  if (entries.length === 0) return hookLines
  const index = hookLines.findIndex((line) => line.startsWith('after: [\n'))
  if (index >= 0) return hookLines.map((line, i) => (i === index ? `after: [\n${entries.join(',\n')},\n${line.slice('after: [\n'.length)}` : line))
  const teardown = hookLines.findIndex((line) => line.startsWith('teardown: ['))
  const after = `after: [\n${entries.join(',\n')},\n]`
  return teardown < 0 ? [...hookLines, after] : [...hookLines.slice(0, teardown), after, ...hookLines.slice(teardown)]
}

/** What `legacyFallback` gets in app.ts. */
interface LegacyPlan {
  /** Endpoints every rule of which is migrated. */
  native: string[]
  /** Endpoints with a rule that answers 501. */
  stubs: string[]
  /** Routing failures (405, redirects) the service cannot answer as Flask would, and why. */
  onFailure: ('methodNotAllowed' | 'redirect')[]
  onFailureBecause: string[]
  /** Native endpoints (LEGACY_ROUTES' syntax) that share process-local state with the Flask app, and the names of that data (translate's sharedState). */
  sharedState: string[]
  sharedData: string[]
}

/** Endpoints served natively and stubbed: an endpoint with one stub rule is a stub (it is forwarded whole). */
export function endpointLists(routes: readonly { endpoint: string; status: 'migrated' | 'stub' }[]): { native: string[]; stubs: string[] } {
  const stubs = new Set(routes.filter((route) => route.status === 'stub').map((route) => route.endpoint))
  const native = new Set(routes.map((route) => route.endpoint).filter((endpoint) => !stubs.has(endpoint)))
  return { native: [...native].sort(compare), stubs: [...stubs].sort(compare) }
}

/**
 * A 405 or a redirect of the router runs the app-wide hooks (Flask runs before_request before it
 * raises a routing error) and, for a 405, the app's error handlers: when one of those, or an
 * extension acting on every response, is not migrated, Flask answers it (with LEGACY_URL).
 */
function legacyPlan(app: AppIR, routes: RouteOutcome[], hooks: ResolvedHook[], errorHandlers: ResolvedErrorHandler[], sharedState: TranslatedProject['sharedState']): LegacyPlan {
  const hookCauses = hooks.filter((entry) => entry.handler.status === 'stub' && isAppWide(entry.hook)).map((entry) => `${entry.hook.kind} hook ${entry.handler.name}`)
  const extensionCauses = app.extensions.filter((extension) => extension.init !== 'import-only').map((extension) => `extension ${extension.package}.${extension.symbol}`)
  const handlesMethodNotAllowed = (key: ErrorHandlerIR['key']): boolean =>
    'code' in key ? key.code === 405 : /(^|\.)(MethodNotAllowed|HTTPException|Exception|BaseException)$/.test(key.exception)
  const handlerCauses = errorHandlers
    .filter((entry) => entry.handler.status === 'stub' && entry.errorHandler.blueprint === null && handlesMethodNotAllowed(entry.errorHandler.key))
    .map((entry) => `error handler ${entry.handler.name}`)
  // A rule that allows HEAD but not GET is a stub the router cannot match (it answers 405): Flask answers those 405s.
  const headOnlyCauses = routes.filter((route) => route.status === 'stub' && route.reasons.includes('head-only-rule')).map((route) => `HEAD-only rule ${route.rule}`)
  const both = [...new Set([...hookCauses, ...extensionCauses])]
  const onFailure: LegacyPlan['onFailure'] = both.length > 0 ? ['methodNotAllowed', 'redirect'] : handlerCauses.length + headOnlyCauses.length > 0 ? ['methodNotAllowed'] : []
  const lists = endpointLists(routes)
  // A stub goes to the Flask app anyway; a blueprint's endpoints, or every one, stay as patterns.
  const native = new Set(lists.native)
  const shared = (sharedState?.routes ?? []).filter((route) => route.endsWith('*') || native.has(route))
  return { ...lists, onFailure, onFailureBecause: [...both, ...handlerCauses, ...headOnlyCauses], sharedState: shared, sharedData: shared.length > 0 ? sharedState!.state : [] }
}

/**
 * A view whose rule the runtime cannot route as Werkzeug would (subdomain or host matching,
 * defaults that are lists or dicts) answers 501 on every rule of its endpoint, so that the
 * service never answers where the report says it does not. routeOutcomes reports why.
 */
function stubUnroutableEndpoints(app: AppIR, views: Map<string, ResolvedHandler>): void {
  for (const route of app.routes) {
    const view = views.get(route.endpoint)
    if (view === undefined || view.status === 'stub') continue
    const reasons = [
      ...(route.subdomain !== null || route.host !== null ? ['subdomain-routing'] : []),
      ...(scalarDefaults(route) === undefined ? ['route-defaults-not-migrated'] : []),
      ...(isHeadOnly(route) ? ['head-only-rule'] : []),
      ...(route.converters.some((converter) => !BUILTIN_CONVERTERS.has(converter.name)) ? ['custom-converter'] : []),
    ]
    if (reasons.length > 0) views.set(route.endpoint, stubHandler(route.endpoint, view.ref, view.pythonSource, reasons))
  }
}

/**
 * What each rule ends up as. A rule is a stub when its view is, when a hook that runs for it is
 * (a stub before hook answers 501 for every request it sees), or when the runtime cannot route it
 * as Werkzeug would (subdomain / host matching, non-scalar defaults).
 */
function routeOutcomes(app: AppIR, views: Map<string, ResolvedHandler>, hooks: ResolvedHook[], earlier: Finding[], findings: Finding[]): RouteOutcome[] {
  const stubHooks = hooks.filter((entry) => entry.handler.status === 'stub')
  return app.routes.map((route) => {
    const view = views.get(route.endpoint)
    const reasons = new Set(view?.reasons ?? [])
    let stub = view?.status === 'stub'
    const chain = new Set(requestBlueprints(route.blueprint))
    for (const entry of stubHooks) {
      if (isAppWide(entry.hook) || chain.has(entry.hook.blueprint as string)) {
        stub = true
        reasons.add(`${entry.hook.kind}:${entry.handler.name}`)
      }
    }
    if (route.subdomain || route.host) {
      stub = true
      reasons.add('subdomain-routing')
      // analyze reports subdomain-routing where the subdomain is set; emit adds one only for a rule it missed.
      if (!earlier.some((finding) => finding.ruleId === 'subdomain-routing' && (finding.endpoint === route.endpoint || sameLine(finding.location, route.location)))) {
        findings.push({
          ruleId: 'subdomain-routing',
          severity: 'error',
          message: `Rule ${route.rule} matches on ${route.host ? `host ${route.host}` : `subdomain ${route.subdomain}`}; the generated router matches paths only, so this rule is not migrated.`,
          location: route.location,
          endpoint: route.endpoint,
        })
      }
    }
    if (scalarDefaults(route) === undefined) {
      stub = true
      reasons.add('route-defaults-not-migrated')
      findings.push({
        ruleId: 'route-defaults-not-migrated',
        severity: 'error',
        message: `Rule ${route.rule} has defaults that are lists or dicts (${JSON.stringify(route.defaults)}); the generated router cannot carry them.`,
        location: route.location,
        endpoint: route.endpoint,
      })
    }
    if (route.converters.some((converter) => !BUILTIN_CONVERTERS.has(converter.name))) {
      // analyze reported the converter where it is registered (custom-converter).
      stub = true
      reasons.add('custom-converter')
    }
    if (isHeadOnly(route)) {
      stub = true
      reasons.add('head-only-rule')
      findings.push({
        ruleId: 'head-only-rule',
        severity: 'error',
        message: `Rule ${route.rule} accepts HEAD without GET; Hono routes every HEAD request as GET, so the generated service cannot answer it as Flask does.`,
        location: route.location,
        endpoint: route.endpoint,
      })
    }
    return { rule: route.rule, endpoint: route.endpoint, status: stub ? 'stub' : 'migrated', reasons: [...reasons].sort() }
  })
}

/** Werkzeug's own converters, which the generated router implements. */
const BUILTIN_CONVERTERS = new Set(['default', 'string', 'int', 'float', 'path', 'uuid', 'any'])

/** A rule that lists HEAD but not GET: Hono dispatches HEAD as GET before any router sees it. */
function isHeadOnly(route: AppIR['routes'][number]): boolean {
  return route.methods.includes('HEAD') && !route.methods.includes('GET')
}

/** Extensions the emitted service does not carry over: reported here unless an earlier stage already did at that place. */
function accountForExtensions(app: AppIR, earlier: Finding[], findings: Finding[], partly: ReadonlyMap<string, string>): void {
  const reported = new Set(earlier.map((finding) => `${finding.location.file}:${finding.location.line}`))
  for (const extension of app.extensions) {
    if (reported.has(`${extension.location.file}:${extension.location.line}`)) continue
    const name = `${extension.package}.${extension.symbol}`
    const what = partly.get(name) ?? 'the generated service does not do what it did'
    findings.push({
      ruleId: 'extension-not-migrated',
      severity: extension.init === 'import-only' ? 'warning' : 'error',
      message: `${name} (${extension.source.replace(/\s+/g, ' ')}) is not carried over: ${what}${affectedRoutes(app, extension)}.`,
      location: extension.location,
    })
  }
}

/** The routes an extension set up on the app or on a blueprint may act on, named in its finding. */
function affectedRoutes(app: AppIR, extension: AppIR['extensions'][number]): string {
  if (extension.init === 'import-only') return ''
  const scope = extension.blueprint
  const endpoints = [...new Set(app.routes.filter((route) => scope === undefined || route.endpoint.startsWith(`${scope}.`)).map((route) => route.endpoint))]
  if (endpoints.length === 0) return ''
  const listed = endpoints.length > 12 ? `${endpoints.slice(0, 12).join(', ')} and ${endpoints.length - 12} more` : endpoints.join(', ')
  return scope === undefined ? `; it is set up on the app, whose routes are ${listed}` : `; it is set up on blueprint ${scope}, whose routes are ${listed}`
}

/** A module's leading block of one-line imports, merged so the same name is never imported twice. */
export function mergeHeaderImports(code: string): string {
  const lines = code.split('\n')
  let end = 0
  while (end < lines.length && (lines[end].trim() === '' || /^import\s.*\sfrom\s+['"][^'"]+['"];?\s*$/.test(lines[end]))) end++
  const header = lines.slice(0, end).filter((line) => line.trim() !== '')
  if (header.length < 2) return code
  const imports = new ImportSet()
  for (const line of header) imports.addLine(line)
  return `${imports.render()}\n\n${lines.slice(end).join('\n')}`
}

type Formatted = { ok: true; code: string } | { ok: false; message: string }

/** prettier's output, or the first line of its error (the code does not parse). */
async function tryFormat(code: string): Promise<Formatted> {
  try {
    return { ok: true, code: await formatTypeScript(code) }
  } catch (error) {
    return { ok: false, message: (error instanceof Error ? error.message : String(error)).split('\n')[0] }
  }
}

/** The check formatting makes, without the formatting: `code` as it is when it parses. */
function syntaxOnly(code: string): Formatted {
  const parsed = checkTypeScriptSyntax(code, 'module')
  return parsed.ok ? { ok: true, code } : parsed
}

function sameLine(a: Finding['location'], b: Finding['location']): boolean {
  return a.file === b.file && a.line === b.line
}

function exportedClasses(code: string): Set<string> {
  return new Set([...code.matchAll(/export\s+(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/g)].map((match) => match[1]))
}

function moduleFile(ir: ProjectIR, name: string): string {
  return ir.modules.find((module) => module.name === name)?.file ?? `${name.split('.').join('/')}.py`
}

function redactionFinding(redaction: Redaction, app: AppIR): Finding {
  const where = `${redaction.path}:${redaction.line}`
  switch (redaction.kind) {
    case 'environment':
      return {
        ruleId: 'secret-redacted',
        severity: 'warning',
        message: `A secret constant of the project was not copied into ${where}: the service reads the environment variable ${redaction.variable} instead; set it to the value the Flask app uses.`,
        location: app.location,
      }
    case 'value':
      return {
        ruleId: 'secret-redacted',
        severity: 'error',
        message: `A secret of the project appeared in code at ${where}; it was replaced by "${REDACTED}", so the service does not behave as Flask there. Read it from the environment instead.`,
        location: app.location,
      }
    default:
      return {
        ruleId: 'secret-redacted',
        severity: 'info',
        message: `A secret of the project appeared in a comment or text at ${where}; it was replaced by "${REDACTED}".`,
        location: app.location,
      }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export { sortFindings }

export type { ResolvedHandler }
