/**
 * Installing, building and running the generated service for `migrate verify`.
 *
 * Processes are node:child_process, not execa: what is needed beyond spawn is stopping the
 * service's whole process group (npm → sh → node: execa signals only its direct child), killing it
 * if this process dies first, and knowing it is up by a TCP connect (an HTTP probe would be a
 * request the Flask side never saw); execa would wrap spawn without taking any of that away.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, symlinkSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import getPort from 'get-port'
import type { Outcome } from './flask-side.js'

/** What a generated service needs at build and run time when its package.json cannot say. */
const fallbackPackages = ['hono', '@hono/node-server', 'typescript', '@types/node', 'tsx']

interface PackageJson {
  scripts?: Record<string, string>
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
}

function readPackageJson(serviceDir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(serviceDir, 'package.json'), 'utf8')) as PackageJson
  } catch {
    return undefined
  }
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .pop() ?? ''
  )
}

/**
 * Gives the service a node_modules: kept if present; a symlink to `linkNodeModules` when that
 * folder holds every package the service declares; otherwise `npm install`.
 */
export function installDependencies(serviceDir: string, linkNodeModules?: string): Outcome<string> {
  const target = join(serviceDir, 'node_modules')
  if (existsSync(target)) return { ok: true, value: 'node_modules present' }
  if (linkNodeModules) {
    const manifest = readPackageJson(serviceDir)
    const declared = manifest
      ? [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]
      : fallbackPackages
    const missing = declared.filter((name) => !existsSync(join(linkNodeModules, name, 'package.json')))
    if (missing.length === 0) {
      symlinkSync(linkNodeModules, target, 'dir')
      return { ok: true, value: `linked ${linkNodeModules}` }
    }
  }
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: serviceDir,
    encoding: 'utf8',
    timeout: 600_000,
  })
  if (result.error) return { ok: false, message: `npm install failed: ${result.error.message}` }
  if (result.status !== 0) {
    const errorLine =
      result.stderr.split('\n').find((line) => /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network|offline/i.test(line)) ??
      lastLine(result.stderr)
    return { ok: false, message: `npm install failed in ${serviceDir}: ${errorLine.trim()}` }
  }
  return { ok: true, value: 'npm install' }
}

/** `npm run build` when the service has a build script. */
export function buildService(serviceDir: string): Outcome<string> {
  if (!readPackageJson(serviceDir)?.scripts?.build) return { ok: true, value: 'no build script' }
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: serviceDir, encoding: 'utf8', timeout: 600_000 })
  if (result.error) return { ok: false, message: `npm run build failed: ${result.error.message}` }
  if (result.status !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(0, 20).join('\n')
    return { ok: false, message: `npm run build failed in ${serviceDir}:\n${output}` }
  }
  return { ok: true, value: 'built' }
}

/**
 * A TCP port free on the loopback interface right now (get-port), and not handed out again by
 * this process for 15 s: services started side by side cannot be given the same port between
 * this call and their listen().
 */
export function freePort(): Promise<number> {
  return getPort({ host: '127.0.0.1' })
}

function startCommand(serviceDir: string): [string, string[]] {
  if (readPackageJson(serviceDir)?.scripts?.start) return ['npm', ['run', 'start', '--silent']]
  if (existsSync(join(serviceDir, 'dist', 'main.js'))) return [process.execPath, ['dist/main.js']]
  return [process.execPath, ['--import', 'tsx', 'src/main.ts']]
}

export interface RunningService {
  baseUrl: string
  stop(): Promise<void>
}

/** Kills the whole process group (npm → sh → node), first politely. */
export function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve()
  const pid = child.pid
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-pid, name)
    } catch {
      // The group is already gone.
    }
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal('SIGKILL')
      resolve()
    }, 5_000)
    child.once('exit', () => {
      clearTimeout(timer)
      // The service may have left children behind its npm wrapper.
      signal('SIGKILL')
      resolve()
    })
    signal('SIGTERM')
  })
}

/** Whether something listens on the loopback port (a TCP probe: an HTTP one would be a request the Flask side never saw). */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.setTimeout(1_000)
    const done = (answer: boolean): void => {
      socket.destroy()
      resolve(answer)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.once('timeout', () => done(false))
  })
}

/** Starts the service on a free loopback port and resolves once it accepts connections. */
export async function startService(serviceDir: string, timeoutMs = 60_000, env: Record<string, string> = {}): Promise<Outcome<RunningService>> {
  const port = await freePort()
  const [command, args] = startCommand(serviceDir)
  const child = spawn(command, args, {
    cwd: serviceDir,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  let exited = false
  let spawnError: Error | undefined
  child.on('exit', () => {
    exited = true
  })
  child.on('error', (error) => {
    spawnError = error
    exited = true
  })
  // If this process dies before stop() runs, the service must not outlive it.
  const killOnExit = (): void => {
    try {
      if (child.pid !== undefined && !exited) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  process.once('exit', killOnExit)
  const service: RunningService = {
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      await stopProcessGroup(child)
      process.removeListener('exit', killOnExit)
    },
  }

  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (exited) {
      await service.stop()
      const reason = spawnError ? spawnError.message : `exited with ${child.exitCode ?? child.signalCode}`
      return { ok: false, message: `service did not start (${command} ${args.join(' ')} ${reason}): ${lastLine(output)}` }
    }
    if (await acceptsConnections(port)) return { ok: true, value: service }
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
  await service.stop()
  return { ok: false, message: `service did not answer on ${service.baseUrl} within ${timeoutMs / 1000}s: ${lastLine(output)}` }
}
