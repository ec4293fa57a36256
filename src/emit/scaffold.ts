import type { AppIR, RouteIR } from '../ir/types.js'
import type { ResolvedHandler } from './handlers.js'

/**
 * The exact versions a generated service installs: the ones this tool is tested with (its own
 * package-lock.json; test/emit/scaffold.test.ts checks that they agree). Exact, not ranges, so a
 * service installed today and next year gets the same packages; the first `npm install` writes
 * package-lock.json (to be committed), and the Dockerfile then installs with `npm ci`.
 */
export const SERVICE_PACKAGE_VERSIONS: Readonly<Record<string, string>> = {
  bcryptjs: '3.0.3',
  hono: '4.13.19',
  '@hono/node-server': '2.1.9',
  'better-sqlite3': '12.11.1',
  kysely: '0.29.9',
  '@types/better-sqlite3': '9.6.0',
  nunjucks: '3.2.4',
  '@types/nunjucks': '3.2.6',
  pg: '8.23.1',
  '@types/pg': '8.23.1',
  '@types/node': '20.19.43',
  prettier: '3.10.1',
  redis: '6.3.1',
  tsx: '4.23.15',
  typescript: '5.9.3',
}

/** Type declarations tsc needs beside a package the service imports. */
const TYPES_PACKAGES: Readonly<Record<string, string>> = { 'better-sqlite3': '@types/better-sqlite3', nunjucks: '@types/nunjucks', pg: '@types/pg' }

/** What every service needs to build, run its smoke test and `npm run dev` (tsx), and check its formatting (prettier). */
const DEV_DEPENDENCIES = ['@types/node', 'prettier', 'tsx', 'typescript']

/**
 * Install scripts npm 11 may run (it runs none that `allowScripts` does not list, and warns):
 * better-sqlite3 fetches or compiles its native addon; esbuild (under tsx, a development tool)
 * only checks the binary its platform package already installed, and works without it.
 */
const INSTALL_SCRIPTS: Readonly<Record<string, boolean>> = { 'better-sqlite3': true, esbuild: false }

/** What the service needs beyond the base: the packages its files import (`packageDependencies`), scripts for the app's CLI commands. */
export interface PackageExtras {
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  scripts?: Record<string, string>
}

/**
 * The dependencies of a service whose files import `imported` (runtime-use.ts), at the pinned
 * versions, with the type packages they need. A package this tool does not know is left out: tsc
 * then names it.
 */
export function packageDependencies(imported: readonly string[]): Required<Pick<PackageExtras, 'dependencies' | 'devDependencies'>> {
  const dependencies: Record<string, string> = {}
  const devDependencies: Record<string, string> = {}
  for (const name of imported) {
    const version = SERVICE_PACKAGE_VERSIONS[name]
    if (version === undefined) continue
    dependencies[name] = version
    const types = TYPES_PACKAGES[name]
    if (types !== undefined) devDependencies[types] = SERVICE_PACKAGE_VERSIONS[types] as string
  }
  for (const name of DEV_DEPENDENCIES) devDependencies[name] = SERVICE_PACKAGE_VERSIONS[name] as string
  return { dependencies, devDependencies: Object.fromEntries(Object.entries(devDependencies).sort(([a], [b]) => (a < b ? -1 : 1))) }
}

/** The service's package name (also its name in deploy/k8s/): the Flask app's module, `-hono`. */
export function packageName(app: AppIR): string {
  return `${app.module.replace(/[^a-z0-9]+/gi, '-').replace(/^-+|-+$/g, '').toLowerCase() || 'flask-app'}-hono`
}

export function emitPackageJson(app: AppIR, extras: PackageExtras = {}): string {
  const pkg = {
    name: packageName(app),
    version: '0.1.0',
    private: true,
    description: `Hono service migrated from the Flask app ${app.id}`,
    type: 'module',
    engines: { node: '>=20' },
    scripts: {
      build: 'tsc -p tsconfig.json',
      // V8 sized for memory (its heap grows less under load; no measurable cost in throughput here), and its
      // collector exposed so that the server gives back the memory of large request bodies at once: issue 13's bound.
      start: 'node --optimize-for-size --expose-gc dist/main.js',
      // The same service on Bun (no build step: Bun runs the TypeScript).
      'start:bun': 'bun src/main.ts',
      dev: 'tsx watch src/main.ts',
      typecheck: 'tsc -p tsconfig.json --noEmit',
      test: 'NODE_ENV=test node --import tsx --test test/smoke.test.ts',
      format: 'prettier --write .',
      'format:check': 'prettier --check .',
      ...extras.scripts,
    },
    dependencies: { ...extras.dependencies },
    devDependencies: { ...extras.devDependencies },
  }
  const installing = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies), ...('tsx' in pkg.devDependencies ? ['esbuild'] : [])])
  const allowScripts = Object.fromEntries(Object.entries(INSTALL_SCRIPTS).filter(([name]) => installing.has(name)))
  if (Object.keys(allowScripts).length > 0) Object.assign(pkg, { allowScripts })
  return `${JSON.stringify(pkg, null, 2)}\n`
}

export function emitTsconfig(): string {
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      outDir: 'dist',
      rootDir: 'src',
      esModuleInterop: true,
      skipLibCheck: true,
      forceConsistentCasingInFileNames: true,
      types: ['node'],
    },
    include: ['src'],
  }
  return `${JSON.stringify(tsconfig, null, 2)}\n`
}

export function emitMain(): string {
  return `/**
 * Serves the app on PORT (default 8080) and stops cleanly on SIGTERM / SIGINT: idle connections
 * close at once, requests in flight finish, then the process exits. WEB_CONCURRENCY (default 1)
 * worker processes share the port (node:cluster), as gunicorn's workers do.
 *
 * Environment (see README.md): PORT, HOST, WEB_CONCURRENCY, LOG_LEVEL (info: a line per request),
 * MAX_BODY_BYTES (16 MiB; the config's MAX_CONTENT_LENGTH wins when set), MAX_HEADER_BYTES,
 * HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, MAX_CONNECTIONS,
 * SHUTDOWN_TIMEOUT_MS; LEGACY_URL, LEGACY_ROUTES, LEGACY_SPLIT_STATE, LEGACY_TIMEOUT_MS, MIGRATE_ADMIN (src/lib/legacy.ts).
 */
import { createApp } from './app.js'
import { config } from './config.js'
import { bodyLimitFromEnvironment, useAppConfig } from './lib/flask.js'
import { createFlaskServer, runPrimary, serverSettingsFromEnvironment, webConcurrency } from './lib/server.js'

// Flask's MAX_CONTENT_LENGTH, when the config sets it, is the request body limit.
useAppConfig(config)
bodyLimitFromEnvironment() // a bad MAX_BODY_BYTES stops the service here, not on the first request
const settings = serverSettingsFromEnvironment()
const workers = webConcurrency()

// node:cluster (and the child_process machinery it loads) only when there are workers to start.
if (workers > 1 && (await import('node:cluster')).default.isPrimary) void runPrimary(workers)
else serve()

/** One server process: the only one, or a worker of \`runPrimary\`. */
function serve(): void {
  const server = createFlaskServer(createApp().fetch, settings)

  server.on('error', (error: NodeJS.ErrnoException) => {
    // Listening failed (port taken): stop. Anything else (accept failing with EMFILE when out of
    // file descriptors) is logged and the server keeps serving.
    console.error(\`server error: \${error.message}\`)
    if (error.syscall === 'listen') process.exit(1)
  })

  // HOST, when set, is the one address to listen on (every interface otherwise).
  server.listen(settings.port, settings.host || undefined, () => {
    const address = server.address()
    console.log(\`Listening on http://localhost:\${typeof address === 'object' && address !== null ? address.port : settings.port}\`)
  })

  let stopping = false

  const shutdown = (signal: string): void => {
    if (stopping) return
    stopping = true
    console.log(\`\${signal} received, closing the server\`)
    server.shutdown().then(() => process.exit(0), () => process.exit(1))
    // A last resort: requests still running after SHUTDOWN_TIMEOUT_MS do not keep a stopping container alive.
    setTimeout(() => process.exit(1), settings.shutdownTimeoutMs).unref()
  }

  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}
`
}

/** `withPublic`: the service has static files in public/ (copied from the project's static folders). */
export function emitDockerfile(withPublic = false): string {
  return `# Build stage: compile TypeScript. Node 24, the current LTS line.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json* ./
# With package-lock.json (written by the first npm install: commit it), npm ci installs exactly what
# it locks; without one, npm install takes the exact versions package.json pins. Compiling needs no
# install script.
RUN if [ -f package-lock.json ]; then npm ci --ignore-scripts --no-audit --no-fund; \\
    else npm install --ignore-scripts --no-audit --no-fund; fi
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and compiled code only, as a non-root user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
ENV PORT=8080
# Incremental migration (README "Moving traffic from Flask"), all optional, set at run time:
#   LEGACY_URL=http://flask:5000   requests the service does not serve natively go to the Flask app
#   LEGACY_ROUTES=endpoint,bp.*    endpoints forced to the Flask app (a rollback without a rebuild)
#   LEGACY_SPLIT_STATE=1           serve endpoints.sharedState here too (data both apps keep in process memory)
#   LEGACY_TIMEOUT_MS=30000        no answer from the Flask app in this time: 504
#   MIGRATE_ADMIN=1                GET /__migrate/routes lists native and legacy endpoints, GET /__migrate/shadow the shadow counts
#   SHADOW=1                       Flask answers native routes too; the service's answers are compared and differences logged
#   SHADOW_WRITES=1, SHADOW_SAMPLE=0.1   shadow writes too; compare this share of requests
WORKDIR /app
COPY package.json package-lock.json* ./
RUN if [ -f package-lock.json ]; then npm ci --omit=dev --no-audit --no-fund; \\
    else npm install --omit=dev --no-audit --no-fund; fi \\
  && npm cache clean --force
COPY --from=build /app/dist ./dist
${withPublic ? 'COPY public ./public\n' : ''}USER node
EXPOSE 8080
# A TCP check: it holds whatever routes the app has.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \\
  CMD node -e "require('net').connect(Number(process.env.PORT||8080),'127.0.0.1').on('connect',function(){this.end();process.exit(0)}).on('error',function(){process.exit(1)})"
CMD ["node", "--optimize-for-size", "--expose-gc", "dist/main.js"]
`
}

/** The service's `.gitignore`: what npm, the build and a local `.env` leave in the folder. */
export function emitGitignore(): string {
  return ['node_modules', 'dist', '.env', '.env.*', '!.env.example', 'npm-debug.log*', ''].join('\n')
}

export function emitDockerignore(): string {
  return ['node_modules', 'dist', '.env', '.env.*', '!.env.example', 'npm-debug.log*', '.git', ''].join('\n')
}

/** A sample URL for a rule, filling each converter with a value it accepts; null when it cannot. */
export function samplePath(route: RouteIR): string | null {
  if (route.subdomain || route.host) return null
  let failed = false
  const path = route.rule.replace(/<(?:([A-Za-z_][A-Za-z0-9_]*)(?:\(([^)]*)\))?:)?([A-Za-z_][A-Za-z0-9_]*)>/g, (_, converter: string | undefined, _args, variable: string) => {
    const spec = route.converters.find((item) => item.variable === variable)
    const name = spec?.name ?? converter ?? 'default'
    switch (name) {
      case 'int':
        return String(typeof spec?.kwargs.min === 'number' ? spec.kwargs.min : 1)
      case 'float':
        return String(typeof spec?.kwargs.min === 'number' ? spec.kwargs.min : 1.5)
      case 'uuid':
        return '123e4567-e89b-12d3-a456-426614174000'
      case 'any': {
        const first = spec?.args[0]
        if (typeof first === 'string') return encodeURIComponent(first)
        failed = true
        return ''
      }
      case 'default':
      case 'string':
      case 'path':
        return 'sample'
      default:
        failed = true
        return ''
    }
  })
  return failed ? null : path
}

/** `test/smoke.test.ts`: starts the app in-process and requests every migrated GET route. */
export function emitSmokeTest(routes: RouteIR[], views: Map<string, ResolvedHandler>): string {
  const samples: [string, string][] = []
  for (const route of routes) {
    if (!route.allMethods.includes('GET')) continue
    if (views.get(route.endpoint)?.status !== 'migrated') continue
    const path = samplePath(route)
    if (path !== null) samples.push([route.endpoint, path])
  }
  return `/** Smoke test: every migrated GET route answers without a server error. Run with \`npm test\`. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createApp } from '../src/app.js'

process.env.NODE_ENV = 'test'

const app = createApp()

/** [endpoint, sample URL] for each migrated GET route. */
const routes: [string, string][] = ${JSON.stringify(samples, null, 2)}

for (const [endpoint, path] of routes) {
  test(\`GET \${path} (\${endpoint})\`, async () => {
    const response = await app.request(path)
    assert.notEqual(response.status, 501, \`\${endpoint} is a stub\`)
    assert.ok(response.status < 500, \`\${endpoint} answered \${response.status}\`)
  })
}

test('an unknown URL answers 404', async () => {
  const response = await app.request('/__no_such_route__/' + 'x'.repeat(8))
  assert.equal(response.status, 404)
})
`
}

/** The README's section on the server's limits and where they make the service differ from Flask. */
const LIMITS_SECTION = [
  '## Limits',
  '',
  'The server (`src/lib/server.ts`) and the request runtime (`src/lib/flask.ts`) bound what a client can make the service hold. Each is an environment variable:',
  '',
  '| variable | default | what it bounds |',
  '| --- | --- | --- |',
  '| `MAX_BODY_BYTES` | 16777216 (16 MiB) | request body size, when the Flask config sets no `MAX_CONTENT_LENGTH` (which wins when set) |',
  '| `MAX_HEADER_BYTES` | 16384 | request line and headers together: 414 when the request line alone is longer, else 431 |',
  '| `HEADERS_TIMEOUT_MS` | 20000 | time to send the request line and headers (also for a connection that sends nothing): 408 |',
  '| `REQUEST_TIMEOUT_MS` | 120000 | time to send a whole request, body included: 408 |',
  '| `KEEP_ALIVE_TIMEOUT_MS` | 5000 | how long an idle keep-alive connection stays open |',
  '| `MAX_CONNECTIONS` | 1024 (0: none) | open connections; past it a new one closes the least recently used idle one (keep-alive, silent, or still sending headers), or is refused when every one is being answered |',
  '| `SHUTDOWN_TIMEOUT_MS` | 10000 | after SIGTERM/SIGINT: idle connections close at once, requests in flight finish, the process exits 0; past this it exits 1 anyway |',
  '| `HOST`, `PORT` | every interface, 8080 | where it listens |',
  '| `WEB_CONCURRENCY` | 1 | worker processes sharing the port (node:cluster), as gunicorn\'s workers; one per container when replicas scale out |',
  '| `LOG_LEVEL` | unset: a line per request only outside production (`NODE_ENV`), the app\'s `logging` at WARNING | `info` or `debug`: a line per request (Hono\'s logger); the threshold of the app\'s `logging` |',
  '',
  'A value that is not a non-negative integer stops the service at start-up.',
  '',
  '`npm start` and the Dockerfile run Node with `--optimize-for-size --expose-gc`. With the collector exposed, the server collects garbage around large request bodies (before reading one of 1 MiB or more, after every 4 MiB read, after the answer), so the memory of an upload is given back at once (in the load test of a migrated service that `npm run bench:abuse` runs, 10 MB and 100 MB uploads, 10,000 connections and a slow-client flood keep the RSS within twice the idle RSS plus the body limit). Started without `--expose-gc` it serves the same, and V8 gives that memory back only when it next collects on its own.',
  '',
  '### Where it differs from Flask',
  '',
  "- **Request bodies** are read once, before the request hooks run (the translated `request` is synchronous), and never past the limit. A body over it is left unread; using it (`request.data`, `get_data()`, `get_json()`, `form`, `files`, `values`) raises `RequestEntityTooLarge` (413, Werkzeug's page, through the app's `errorhandler(413)`), and a view that does not use it answers as usual. Flask 2.2 answers 413 only for form data (any Content-Type) and reads `get_json()` / `get_data()` bodies past `MAX_CONTENT_LENGTH`, and chunked bodies, in full; Flask 2.3 and later answer 413 as this service does. Without `MAX_CONTENT_LENGTH` Flask has no limit; the service has `MAX_BODY_BYTES`.",
  '- After the answer, the rest of an oversized body is discarded for at most 0.5 s (64 MB) and the connection then closed if it has not ended, where Werkzeug 2.2 reads it all before answering 413. `Expect: 100-continue` is not answered for a body over the limit, so a client that waits for it sends none.',
  "- **Malformed requests** are answered as Flask's development server answers them where that is safe: a lower-case or unknown method is routed with the method upper-cased (200, or 405 with `Allow`), raw non-ASCII bytes and NUL in the path are read as latin-1 characters, a request without `Host` is served (its host is `0.0.0.0:<port>`, or `HOST`). Node's parser refuses these, so they are answered from the bytes it refused: only when the request head (and any body, which may not be chunked) arrived in one packet, otherwise 400; the connection is closed after the answer.",
  "- An HTTP/0.9 request line (no version) is answered 400 at once; Flask's development server waits for headers (GET) or closes without an answer.",
  "- Request lines and headers over `MAX_HEADER_BYTES` (16 KiB in all) are refused (414 / 431, with the development server's error page); Werkzeug's development server accepts lines up to 64 KiB and up to 100 headers (431 past that; Node keeps the first 2000 headers and drops the rest).",
  "- Slow clients are cut off (`HEADERS_TIMEOUT_MS`, `REQUEST_TIMEOUT_MS`: 408) and connections are limited (`MAX_CONNECTIONS`); Flask's development server has neither.",
  '',
]

/** The legacy-fallback settings, appended to \`.env.example\`. */
export const LEGACY_ENV_EXAMPLE = [
  '# Incremental migration (README "Moving traffic from Flask"); all optional.',
  '# The Flask app, still running: requests the service does not serve natively are forwarded there.',
  'LEGACY_URL=',
  '# Endpoints forced to the Flask app: exact names and blueprint.* (a rollback without a rebuild).',
  'LEGACY_ROUTES=',
  '# 1: serve the endpoints of endpoints.sharedState (src/app.ts) here too, although the Flask app keeps its own copy',
  '# of the process-memory data they read or change (process-local-state in the report). Unset: they go to the Flask app.',
  'LEGACY_SPLIT_STATE=',
  '# No answer from the Flask app within this many milliseconds: 504 (connection refused or reset: 502).',
  'LEGACY_TIMEOUT_MS=30000',
  '# 1: GET /__migrate/routes answers which endpoints the service serves and which go to the Flask app,',
  '# GET /__migrate/shadow the shadow counts per endpoint.',
  'MIGRATE_ADMIN=',
  '# 1: shadow mode: the Flask app answers native routes too; the service runs them as well and each difference is logged.',
  'SHADOW=',
  '# 1: shadow writes too (POST, PUT, PATCH, DELETE run on both sides: only with separate state).',
  'SHADOW_WRITES=',
  '# The share of requests compared in shadow mode, 0 to 1.',
  'SHADOW_SAMPLE=1',
  '',
].join('\n')

/** The README's section on moving traffic from the Flask app to the service, route by route. */
const CUTOVER_SECTION = [
  '## Moving traffic from Flask',
  '',
  'The service can stand in front of the Flask app while the routes that did not migrate are written by hand. With `LEGACY_URL` set (`src/lib/legacy.ts`), every request it does not serve natively is forwarded to the Flask app and the client gets Flask\'s response unchanged (status, every header and `Set-Cookie`, the body as sent, compressed or not):',
  '',
  '- the routes listed under "Not migrated" below (stubs: a view, or a hook that runs for it, that answers 501 without `LEGACY_URL`);',
  "- paths the service's url map does not know (the Flask app may have routes the analysis could not see);",
  '- the endpoints named in `LEGACY_ROUTES`.',
  '',
  "State shared across the cut must live where both sides see it: the database (both use the same one) or Redis. Data the app keeps in process memory and changes while serving requests (a module-level dict of items, a request counter) is one copy in the Flask app and another in the service, and a route served by one side does not see what the other wrote; the report lists each such variable (`process-local-state`). With `LEGACY_URL` the service therefore forwards every route whose code reads or writes such data to the Flask app (`endpoints.sharedState` in `src/app.ts`; `*`, every request, when a hook or error handler does), so that one process keeps it; `LEGACY_SPLIT_STATE=1` serves them here anyway. Move the data to the database or Redis to serve those routes natively.",
  '',
  "A forwarded request runs none of the service's hooks (Flask runs its own). It keeps its method, path, query, headers (the original `Host` too, so `url_for(..., _external=True)` in Flask names the service) and body, with `X-Forwarded-For`, `X-Forwarded-Proto` and `X-Forwarded-Host` added; the body is streamed both ways and not bounded by `MAX_BODY_BYTES` (Flask applies its own `MAX_CONTENT_LENGTH`). A Flask app that is down, refuses or resets the connection gives `502 Bad Gateway`; one that sends nothing for `LEGACY_TIMEOUT_MS` gives `504 Gateway Timeout`.",
  '',
  '| variable | default | what it does |',
  '| --- | --- | --- |',
  '| `LEGACY_URL` | unset: nothing is forwarded | the Flask app\'s base URL, `http://host:port` (or `https://`) |',
  '| `LEGACY_ROUTES` | empty | comma-separated endpoints forced to the Flask app: `auth.login`, `admin.*` (every endpoint of blueprint `admin`), `*` (all) |',
  '| `LEGACY_SPLIT_STATE` | unset | `1`: serve the endpoints of `endpoints.sharedState` here too, although the Flask app keeps its own copy of the process-memory data they read or change (the report\'s `process-local-state`) |',
  '| `LEGACY_TIMEOUT_MS` | 30000 | how long the Flask app may stay silent (504 after) |',
  '| `MIGRATE_ADMIN` | unset | `1`: `GET /__migrate/routes` answers `{ "native": [...], "legacy": [...], "legacyUrl": true }`, `GET /__migrate/shadow` the shadow counts |',
  '| `SHADOW` | unset | `1`: shadow mode (`src/lib/shadow.ts`): the Flask app answers the native routes too, the service runs them as well and compares |',
  '| `SHADOW_WRITES` | unset | `1`: POST, PUT, PATCH and DELETE are shadowed too (they run on both sides: only with state of their own) |',
  '| `SHADOW_SAMPLE` | 1 | the share of requests compared (`0.1`: one in ten); the others only go to the Flask app |',
  '',
  'Step by step:',
  '',
  '1. **Run both.** Keep the Flask app running where it is (only the service needs to reach it), build the service and start it with `LEGACY_URL` pointing at the Flask app, e.g. `LEGACY_URL=http://flask:5000 npm start`. If the Flask app sits behind a proxy that sets `X-Forwarded-*`, its `ProxyFix` now sees one more hop.',
  '2. **Check it.** With `MIGRATE_ADMIN=1`, `GET /__migrate/routes` lists what the service serves (`native`) and what goes to Flask (`legacy`); `migration-report.json` lists the same `nativeEndpoints`. Replay real traffic against both (`npx migrate verify`).',
  '3. **Point traffic at the service, in shadow mode.** Move the load balancer, ingress or DNS from the Flask app to the service, started with `SHADOW=1`: clients still get the Flask app\'s answers for every route, and for the native ones the service answers too and compares, with the rules of `migrate verify`. Each request that differs is one JSON line on stdout (`{"shadow":"difference","endpoint",...,"fields":[...]}`); `GET /__migrate/shadow` (with `MIGRATE_ADMIN=1`) counts them per endpoint. What differs between two answers of the Flask app to the same request (a timestamp, a token) is learned as noise and listed, not counted. Only GET, HEAD and OPTIONS are shadowed unless `SHADOW_WRITES=1`.',
  '4. **Watch the shadow counts, then serve natively.** When an endpoint shows no differences over real traffic, it is ready; once all are (fix or list the others in `LEGACY_ROUTES`), restart without `SHADOW`: the service now answers its native routes and forwards the rest.',
  '5. **Move routes.** Write a stubbed route by hand in `src/routes/` (and drop its endpoint from `endpoints.stubs` in `src/app.ts`), deploy, and watch it. If a native route misbehaves, put its endpoint (or `blueprint.*`) in `LEGACY_ROUTES` and restart: Flask answers it again, without a rebuild.',
  '6. **Remove `LEGACY_URL`** once no stub is left, `LEGACY_ROUTES` is empty, `endpoints.sharedState` in `src/app.ts` is empty (or you accept that the service\'s process-memory data starts afresh, as after a restart of Flask) and the Flask app\'s log shows nothing forwarded but 404s (unknown paths always go there); then stop the Flask app. Without `LEGACY_URL` a stub answers 501 and an unknown path 404, and the endpoints of `sharedState` are served here.',
  '',
]

export interface ReadmeInput {
  app: AppIR
  stubs: { endpoint: string; rule: string; where: string; reasons: string[] }[]
  notCarried: { where: string; message: string }[]
  envVars: string[]
}

export function emitReadme(input: ReadmeInput): string {
  const { app, stubs, notCarried } = input
  const lines = [
    `# ${app.module} (Hono)`,
    '',
    `Migrated from the Flask app \`${app.id}\` by \`migrate\`. See \`MIGRATION_REPORT.md\` for the full report.`,
    '',
    '## Run',
    '',
    '```sh',
    'npm install                  # writes package-lock.json: commit it',
    'npm run dev                  # tsx watch, restarts on change',
    'npm run build && npm start   # compiled, PORT defaults to 8080',
    'npm test                     # smoke test: each migrated GET route answers',
    'npm run format:check         # prettier, with .prettierrc.json',
    'docker build -t service . && docker run -p 8080:8080 service',
    '```',
    '',
    'package.json pins exact versions. The first `npm install` writes `package-lock.json`; commit it, and the Docker build installs with `npm ci` from then on (without a lock it runs `npm install`).',
    '',
    'Configuration comes from the environment, read by `src/config.ts`; `.env.example` lists every variable (secrets were not copied from the Flask code and have no value there). The service reads no file itself. To keep the settings in one, copy `.env.example` to `.env` (git and the Docker build ignore it), fill it in, and pass it: `node --env-file=.env dist/main.js`, or `docker run --env-file .env -p 8080:8080 service` (Docker takes each value literally: remove the quotes around a quoted one).',
    '',
    '## Kubernetes',
    '',
    '`deploy/k8s/` holds a Deployment (TCP readiness and liveness probes, CPU and memory requests and limits, a non-root user), a Service (port 80), a HorizontalPodAutoscaler (2 to 10 pods at 70% of the CPU requested), a ConfigMap with the settings of `.env.example` (those with no value, such as `LEGACY_URL`, commented out: an empty variable is not an unset one) and a Secret with its secrets, empty. Push the image, set its name in `deploy/k8s/deployment.yaml`, fill in `deploy/k8s/secret.yaml` (or create the Secret from your secret store), then `kubectl apply -f deploy/k8s/`.',
    '',
    ...LIMITS_SECTION,
    ...CUTOVER_SECTION,
    '## Layout',
    '',
    '- `src/main.ts`: starts the server (`src/lib/server.ts`), graceful shutdown',
    '- `src/app.ts`: `createApp()`, logger, legacy fallback, request hooks, error handlers, mounts the route files',
    '- `src/url-map.ts`: the Werkzeug url map, used by the router and `urlFor`',
    '- `src/routes/*.ts`: one Hono sub-app per blueprint (`app.ts` for the app\'s own routes)',
    '- `src/lib/*.ts`: the runtime giving Flask/Werkzeug semantics (routing, errors, Python values): the modules this service imports',
    '- `deploy/k8s/*.yaml`: the Kubernetes manifests',
    '',
    '## Not migrated',
    '',
  ]
  if (stubs.length === 0 && notCarried.length === 0) {
    lines.push('Everything was carried over.', '')
  } else {
    if (stubs.length > 0) {
      lines.push('These routes answer `501 Not Implemented` until they are written by hand (each stub in `src/routes/` quotes the Python it stands for):', '')
      for (const stub of stubs) lines.push(`- \`${stub.endpoint}\` \`${stub.rule}\` (${stub.where})${stub.reasons.length > 0 ? `: ${stub.reasons.join(', ')}` : ''}`)
      lines.push('')
    }
    if (notCarried.length > 0) {
      lines.push('Also not carried over:', '')
      for (const item of notCarried) lines.push(`- ${item.where}: ${item.message}`)
      lines.push('')
    }
  }
  return lines.join('\n')
}
