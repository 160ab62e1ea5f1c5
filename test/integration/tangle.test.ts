import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { dv2gBin, runDv2g } from '../support/cli'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs()
const passphrase = { DV2G_PASSPHRASE: 'integration-test-passphrase' }

function dataDirWithTreasury(): string {
  const dir = tempDir()
  const created = runDv2g(['--data-dir', dir, 'wallet', 'create', '--name', 'treasury', '--role', 'operator', '--json'], passphrase)
  expect(created.status, created.stderr).toBe(0)
  expect(JSON.parse(created.stdout)).toMatchObject({ role: 'operator', treasury: true })
  return dir
}

const json = (args: string[], env = {}) => {
  const result = runDv2g([...args, '--json'], env)
  return { ...result, value: JSON.parse(result.stdout) }
}

describe('dv2g tangle and wallet', () => {
  it('simulates the tangle and reports the fields of the CLI contract', () => {
    const { value, status } = json(['tangle', 'sim', '--rate', '10', '--delay', '1', '--tx', '5000', '--seed', '4'])
    expect(status).toBe(0)
    expect(Object.keys(value).sort()).toEqual(
      ['alpha', 'delay', 'expectedTips', 'meanFirstApprovalDelay', 'meanTips', 'rate', 'transactions'].sort()
    )
    expect(value).toMatchObject({ rate: 10, delay: 1, transactions: 5000, alpha: 0, expectedTips: 20 })
    expect(runDv2g(['tangle', 'sim', '--rate', '10', '--delay', '1']).stderr).toMatch(/missing --tx/)
  })

  it('reports transactions by status and an empty tangle as such', () => {
    const dir = tempDir()
    expect(json(['--data-dir', dir, 'tangle', 'stats']).value).toMatchObject({
      transactions: 0,
      tips: 0,
      confirmed: 0,
      pending: 0,
      rejected: 0
    })
    const spam = runDv2g(['--data-dir', dir, 'tangle', 'spam', '--count', '5'])
    expect(spam.status).toBe(2)
    expect(spam.stderr).toMatch(/no genesis yet: create the operator wallet first/)
  })

  it('survives kill -9 during spam: verify is ok and every reported transaction is stored', async () => {
    const dir = dataDirWithTreasury()
    const child = spawn(process.execPath, [dv2gBin, '--data-dir', dir, 'tangle', 'spam', '--count', '1000000'], {
      stdio: ['ignore', 'ignore', 'pipe']
    })
    const reported = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('spam reported nothing within 60 s')), 60_000)
      let last = 0
      child.stderr.on('data', (chunk: Buffer) => {
        for (const match of chunk.toString().matchAll(/(\d+) accepted/g)) last = Number(match[1])
        if (last >= 1500) {
          clearTimeout(timer)
          child.kill('SIGKILL')
          resolve(last)
        }
      })
      child.once('exit', () => reject(new Error('spam ended before it was killed')))
    })
    await new Promise((resolve) => child.once('exit', resolve))

    const verify = json(['--data-dir', dir, 'tangle', 'verify'])
    expect(verify.status, verify.stdout).toBe(0)
    expect(verify.value).toMatchObject({ ok: true, problems: [] })
    const stats = json(['--data-dir', dir, 'tangle', 'stats'])
    expect(stats.value.transactions).toBeGreaterThanOrEqual(reported + 1) // + the genesis
  })

  it('moves tokens between wallets and keeps verify ok', () => {
    const dir = dataDirWithTreasury()
    const bus = json(['--data-dir', dir, 'wallet', 'create', '--name', 'bus 7', '--role', 'ev'], passphrase).value
    const sent = runDv2g(['--data-dir', dir, 'wallet', 'send', '--from', 'treasury', '--to', bus.address, '--amount', '2500'], passphrase)
    expect(sent.status, sent.stderr).toBe(0)
    expect(json(['--data-dir', dir, 'wallet', 'balance', 'bus 7']).value).toEqual({ name: 'bus 7', balance: '2500' })
    const list = json(['--data-dir', dir, 'wallet', 'list']).value as { name: string; balance: string }[]
    expect(list.map((w) => [w.name, w.balance])).toEqual([
      ['treasury', String(10n ** 15n - 2500n)],
      ['bus 7', '2500']
    ])
    expect(json(['--data-dir', dir, 'tangle', 'verify']).value.ok).toBe(true)
  })

  it('refuses a wrong passphrase, a bad address and a fractional amount with one clear line', () => {
    const dir = dataDirWithTreasury()
    const cases: [string[], Record<string, string>, RegExp][] = [
      [
        ['wallet', 'send', '--from', 'treasury', '--to', 'dv2g1qqqq', '--amount', '5'],
        { DV2G_PASSPHRASE: 'not the passphrase' },
        /wrong passphrase/
      ],
      [['wallet', 'send', '--from', 'treasury', '--to', 'dv2g1qqqq', '--amount', '5'], passphrase, /--to not a valid address/],
      [['wallet', 'send', '--from', 'treasury', '--to', 'dv2g1qqqq', '--amount', '2.5'], passphrase, /--amount must be a whole number/],
      [['wallet', 'create', '--name', 'x', '--role', 'boss'], passphrase, /--role must be one of operator, grid, ev/]
    ]
    for (const [args, env, message] of cases) {
      const result = runDv2g(['--data-dir', dir, ...args], env)
      expect(result.status).toBe(2)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toMatch(message)
    }
  })

  // five processes, each deriving a keystore key with scrypt: slow on a busy machine
  it('leaves the old keystore readable when a write is killed half way', async () => {
    const dir = dataDirWithTreasury()
    const keystore = join(dir, 'keystore.json')
    const before = readFileSync(keystore, 'utf8')
    const writer = fileURLToPath(new URL('../support/keystoreWriter.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', writer, keystore, passphrase.DV2G_PASSPHRASE], {
      stdio: ['ignore', 'ignore', 'pipe']
    })
    // killed once it has saved three times: it is then writing its fourth save
    await new Promise<void>((resolve, reject) => {
      let output = ''
      const timer = setTimeout(() => reject(new Error(`writer saved fewer than 3 times within 60 s:\n${output}`)), 60_000)
      child.once('exit', (code) => reject(new Error(`writer exited (${code}) before its third save:\n${output}`)))
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        if (!/^saved 3$/m.test(output)) return
        clearTimeout(timer)
        child.kill('SIGKILL')
        resolve()
      })
    })
    await new Promise((resolve) => child.once('exit', resolve))
    expect(readFileSync(keystore, 'utf8')).not.toBe(before)
    const list = json(['--data-dir', dir, 'wallet', 'list']).value as { name: string }[]
    expect(list[0]!.name).toBe('treasury')
    const send = runDv2g(
      [
        '--data-dir',
        dir,
        'wallet',
        'send',
        '--from',
        'treasury',
        '--to',
        (list[1] as unknown as { address: string }).address,
        '--amount',
        '1'
      ],
      passphrase
    )
    expect(send.status, send.stderr).toBe(0)
  }, 120_000)
})
