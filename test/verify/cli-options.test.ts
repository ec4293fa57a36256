import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'

// `migrate verify`'s own options reach runVerify as given (test/cli covers the rest of the CLI).

const root = mkdtempSync(join(tmpdir(), 'verify-cli-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
mkdirSync(join(root, 'app'))
mkdirSync(join(root, 'svc'))

async function verify(args: string[]): Promise<{ code: number; calls: unknown[]; stderr: string }> {
  const calls: unknown[] = []
  let stderr = ''
  const code = await main(['verify', join(root, 'app'), '--out', join(root, 'svc'), ...args], {
    stdout: () => {},
    stderr: (text) => (stderr += text),
    env: {},
    runVerify: async (options) => {
      calls.push(options)
      return 0
    },
  })
  return { code, calls, stderr }
}

describe('migrate verify --env', () => {
  it('collects K=V pairs in order, a later K winning, values kept whole ({tmp} and = included)', async () => {
    const { code, calls } = await verify(['--env', 'A=1', '--env', 'DATABASE_URL=sqlite:///{tmp}/x.sqlite?a=b', '--env', 'A=2', '--env', 'EMPTY='])
    expect(code).toBe(0)
    // The CLI also hands over where verify's lines go (output, error): only the data is compared.
    expect(calls).toEqual([
      expect.objectContaining({ flaskDir: join(root, 'app'), serviceDir: join(root, 'svc'), env: { A: '2', DATABASE_URL: 'sqlite:///{tmp}/x.sqlite?a=b', EMPTY: '' } }),
    ])
  })

  it('passes no env without --env', async () => {
    const { calls } = await verify([])
    expect(calls).toEqual([expect.objectContaining({ flaskDir: join(root, 'app'), serviceDir: join(root, 'svc') })])
    expect(calls[0]).not.toHaveProperty('env')
  })

  it('refuses a value without K= (exit 2)', async () => {
    const { code, calls, stderr } = await verify(['--env', 'NOEQUALS'])
    expect(code).toBe(2)
    expect(calls).toEqual([])
    expect(stderr).toMatch(/--env <K=V>.*expected K=V/)
  })
})

describe('migrate verify request sources and modes', () => {
  it('hands --har, --access-log, --noise and --legacy to runVerify', async () => {
    const { code, calls } = await verify(['--har', 'a.har', '--noise', '--legacy'])
    expect(code).toBe(0)
    expect(calls).toEqual([expect.objectContaining({ har: 'a.har', noise: true, legacy: true })])
    const other = await verify(['--access-log', 'access.log'])
    expect(other.calls).toEqual([expect.objectContaining({ accessLog: 'access.log' })])
    expect(other.calls[0]).not.toHaveProperty('noise')
  })
})
