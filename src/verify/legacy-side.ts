/**
 * The legacy Flask app of `migrate verify --legacy`: the project served over HTTP by Werkzeug
 * (test/oracle/flask_serve.py), for the service under test to forward to (`LEGACY_URL`).
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Outcome } from './flask-side.js'
import { acceptsConnections, freePort, stopProcessGroup, type RunningService } from './service.js'

const serveScript = fileURLToPath(new URL('../../test/oracle/flask_serve.py', import.meta.url))

/** Serves the Flask app on a free loopback port; resolves once it accepts connections. */
export async function startLegacyFlask(
  python: string,
  flaskDir: string,
  app: string | undefined,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Outcome<RunningService>> {
  const port = await freePort()
  const child = spawn(python, [serveScript, flaskDir, String(port), ...(app ? [app] : [])], {
    env: { PYTHONHASHSEED: '0', ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000)
  })
  let exited = false
  child.on('exit', () => {
    exited = true
  })
  child.on('error', () => {
    exited = true
  })
  const killOnExit = (): void => {
    try {
      if (child.pid !== undefined && !exited) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  process.once('exit', killOnExit)
  const legacy: RunningService = {
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      await stopProcessGroup(child)
      process.removeListener('exit', killOnExit)
    },
  }
  const lastLine = (): string => output.trim().split('\n').pop() ?? ''
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (exited) {
      await legacy.stop()
      return { ok: false, message: `the legacy Flask app did not start (${python} exited with ${child.exitCode ?? child.signalCode}): ${lastLine()}` }
    }
    if (await acceptsConnections(port)) return { ok: true, value: legacy }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await legacy.stop()
  return { ok: false, message: `the legacy Flask app did not listen on ${legacy.baseUrl} within ${timeoutMs / 1000}s: ${lastLine()}` }
}
