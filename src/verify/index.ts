import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { compareResponses, type RecordedResponse, type ScenarioRequest } from './compare.js'
import { dumpFlaskUrlMap, findFlaskPython, replayOnFlask } from './flask-side.js'
import { replayOverHttp } from './http-replay.js'
import { describeRequest, generateRoutingScenario, readScenario } from './scenario.js'
import { buildService, installDependencies, startService, type RunningService } from './service.js'

export { compareResponses, type Difference, type RecordedResponse, type ScenarioRequest } from './compare.js'
export { generateRoutingScenario, readScenario, samplePath, type UrlMapDump, type UrlMapRule } from './scenario.js'
export { findFlaskPython } from './flask-side.js'

export interface VerifyOptions {
  /** The Flask project (the folder FLASK_APP would be resolved in). */
  flaskDir: string
  /** The generated Hono service (with its package.json). */
  serviceDir: string
  /** A scenario.jsonl; without one, requests are generated from Flask's URL map. */
  scenario?: string
  /** `module:name` or `module:factory(args)` as FLASK_APP takes it. */
  app?: string
  /** A Python that has Flask; else MIGRATE_PYTHON, /usr/bin/python3, python3. */
  python?: string
  /** A node_modules folder to symlink into the service instead of `npm install`, when it holds every package the service declares. */
  linkNodeModules?: string
  /** Where lines of output go (default: stdout). */
  output?: (line: string) => void
}

/**
 * Replays one scenario on Flask's test client and over HTTP on the generated service, and
 * prints every difference, then `N passed, M failed`.
 * Returns 0 when every response matches, 1 on any difference, 2 when it could not compare
 * (no Python with Flask, install/build/start failure, bad scenario).
 */
export async function runVerify(options: VerifyOptions): Promise<number> {
  const print = options.output ?? ((line: string) => process.stdout.write(`${line}\n`))
  const fail = (message: string): number => {
    print(`verify: ${message}`)
    return 2
  }
  const flaskDir = resolve(options.flaskDir)
  const serviceDir = resolve(options.serviceDir)

  const python = findFlaskPython(options.python)
  if (!python.ok) return fail(python.message)

  const workDir = mkdtempSync(join(tmpdir(), 'migrate-verify-'))
  let service: RunningService | undefined
  try {
    let requests: ScenarioRequest[]
    let scenarioFile: string
    if (options.scenario) {
      scenarioFile = resolve(options.scenario)
      try {
        requests = readScenario(scenarioFile)
      } catch (error) {
        return fail((error as Error).message)
      }
    } else {
      const urlMap = dumpFlaskUrlMap(python.value, flaskDir, options.app)
      if (!urlMap.ok) return fail(urlMap.message)
      requests = generateRoutingScenario(urlMap.value)
      scenarioFile = join(workDir, 'generated-scenario.jsonl')
      writeFileSync(scenarioFile, requests.map((request) => JSON.stringify(request)).join('\n') + '\n')
    }

    const flaskResponses = replayOnFlask(python.value, flaskDir, scenarioFile, options.app)
    if (!flaskResponses.ok) return fail(flaskResponses.message)
    if (flaskResponses.value.length !== requests.length) {
      return fail(`Flask replay answered ${flaskResponses.value.length} of ${requests.length} requests`)
    }

    const installed = installDependencies(serviceDir, options.linkNodeModules)
    if (!installed.ok) return fail(installed.message)
    const built = buildService(serviceDir)
    if (!built.ok) return fail(built.message)
    const started = await startService(serviceDir)
    if (!started.ok) return fail(started.message)
    service = started.value

    const serviceResponses = await replayOverHttp(service.baseUrl, requests)
    return report(requests, flaskResponses.value, serviceResponses, print)
  } finally {
    await service?.stop()
    rmSync(workDir, { recursive: true, force: true })
  }
}

function report(
  requests: ScenarioRequest[],
  flaskResponses: RecordedResponse[],
  serviceResponses: RecordedResponse[],
  print: (line: string) => void,
): number {
  let passed = 0
  let failed = 0
  requests.forEach((request, index) => {
    const differences = compareResponses(flaskResponses[index]!, serviceResponses[index]!)
    if (differences.length === 0) {
      passed += 1
      return
    }
    failed += 1
    const line = `#${index + 1} ${describeRequest(request)}`
    for (const difference of differences) {
      print(`${line}  ${difference.field}: flask ${clip(difference.flask)} | service ${clip(difference.service)}`)
    }
  })
  print(`${passed} passed, ${failed} failed`)
  return failed === 0 ? 0 : 1
}

function clip(value: string): string {
  return value.length > 300 ? `${value.slice(0, 300)}…(${value.length} chars)` : value
}
