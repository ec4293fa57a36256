/**
 * Runs fuzz cases in child processes (runner.ts, each running many cases in-process through
 * main()), watching every case: one that gives no result within `caseTimeoutMs` is a hang, one
 * whose process dies is a crash; either way the process is replaced and the next case goes on.
 */
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { generateCase } from './generate.js'
import type { CaseResult, RunnerMessage } from './runner.js'

const REPO = join(dirname(new URL(import.meta.url).pathname), '..', '..')

export interface FuzzOptions {
  seed: number
  /** First case index, and how many. */
  from?: number
  count: number
  /** Processes running cases side by side. */
  workers?: number
  caseTimeoutMs?: number
  big?: boolean
  /** Keep services worth type-checking here. */
  keepDir?: string
  onResult?: (result: CaseResult) => void
}

export async function runFuzz(options: FuzzOptions): Promise<CaseResult[]> {
  const from = options.from ?? 0
  const workers = Math.max(1, Math.min(options.workers ?? 1, options.count))
  const timeout = options.caseTimeoutMs ?? 30_000
  const results: CaseResult[] = []
  const record = (result: CaseResult): void => {
    results.push(result)
    options.onResult?.(result)
  }
  // Contiguous slices: one per worker.
  const size = Math.ceil(options.count / workers)
  const slices: [number, number][] = []
  for (let start = from; start < from + options.count; start += size) slices.push([start, Math.min(start + size, from + options.count)])
  await Promise.all(slices.map(([start, end]) => runSlice(start, end)))
  return results.sort((a, b) => a.index - b.index)

  async function runSlice(start: number, end: number): Promise<void> {
    let next = start
    while (next < end) next = await runProcess(next, end)
  }

  /** Runs cases from `start` in one process until it ends or one case fails to finish; returns the next case to run. */
  function runProcess(start: number, end: number): Promise<number> {
    return new Promise((resolve) => {
      const args = ['--import', 'tsx', join(REPO, 'test/fuzz/runner.ts'), String(options.seed), String(start), String(end)]
      if (options.big) args.push('--big')
      if (options.keepDir !== undefined) args.push('--keep', options.keepDir)
      const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=3072' } })
      let current: number | null = null
      let root: string | undefined
      let done = start
      let timer: NodeJS.Timeout | undefined
      let stderr = ''
      let settled = false
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000)
      })
      const finish = (nextIndex: number): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        // A killed or crashed runner leaves its case's folder behind: removed once the process is gone.
        const cleanUp = (): void => {
          if (current !== null && root !== undefined) rmSync(root, { recursive: true, force: true })
          resolve(nextIndex)
        }
        if (child.exitCode !== null || child.signalCode !== null) cleanUp()
        else child.once('exit', cleanUp)
      }
      child.on('message', (message: RunnerMessage) => {
        if (message.type === 'start') {
          current = message.index
          root = message.root
          clearTimeout(timer)
          timer = setTimeout(() => {
            const index = current!
            record(failure(options, index, `hang: no result within ${timeout / 1000} s`, stderr))
            child.kill('SIGKILL')
            finish(index + 1)
          }, timeout)
        } else {
          clearTimeout(timer)
          record(message.result)
          done = message.result.index + 1
          current = null
        }
      })
      child.on('exit', (code, signal) => {
        if (settled) return
        if (current !== null) {
          record(failure(options, current, `crash: the process ended (${signal ?? `exit ${code}`}) during the case`, stderr))
          finish(current + 1)
        } else if (done < end) {
          // Died between cases (or before the first): count it against the next case, so the run goes on.
          record(failure(options, done, `crash: the runner ended (${signal ?? `exit ${code}`}) before the case`, stderr))
          finish(done + 1)
        } else finish(end)
      })
    })
  }
}

function failure(options: { seed: number; big?: boolean }, index: number, problem: string, stderr: string): CaseResult {
  // The case as the runner made it (--big makes other inputs under the same seed and index).
  const fuzzCase = generateCase(options.seed, index, { big: options.big === true })
  return { index, kind: fuzzCase.kind, description: fuzzCase.description, argv: [], exitCode: null, ms: 0, problems: [problem], service: [], stderr: stderr.slice(-800) }
}

/** How to run one case again on its own. */
export function reproduce(seed: number, index: number, big = false): string {
  return `node --import tsx test/fuzz/runner.ts ${seed} ${index} ${index + 1}${big ? ' --big' : ''}`
}
