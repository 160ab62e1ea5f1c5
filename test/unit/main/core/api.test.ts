import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../../../../src-shared/contract'
import { open } from '../../../../src-main/core/app'
import { createDispatcher, toErrorBody } from '../../../../src-main/core/api'
import { useTempDirs } from '../../../support/tempDir'

const tempDir = useTempDirs()

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('wallet and tangle over the contract', () => {
  it('creates the treasury, funds a wallet, and shows the transfer in history, stats and the explorer', async () => {
    const app = open(tempDir(), { ledger: { powBits: 2 } })
    const call = createDispatcher(app)
    const events: string[] = []
    app.events.subscribe((name) => events.push(name))

    expect(await call('wallet.list', {})).toEqual({ unlocked: false, newKeystore: true, wallets: [] })
    expect((await refusal(call('wallet.create', { name: 'treasury', role: 'operator' }))).fields).toEqual([
      { path: 'name', message: 'the keystore is locked: unlock it with its passphrase first' }
    ])
    await call('wallet.unlock', { passphrase: 'a long passphrase' })
    const treasury = (await call('wallet.create', { name: 'treasury', role: 'operator' })) as { treasury: boolean; mnemonic: string }
    expect(treasury.treasury).toBe(true)
    expect(treasury.mnemonic.split(' ')).toHaveLength(24)
    const bus = (await call('wallet.create', { name: 'bus', role: 'ev' })) as { wallet: { address: string } }

    const { id } = (await call('wallet.send', { from: 'treasury', to: bus.wallet.address, amount: '1500' })) as { id: string }
    const list = (await call('wallet.list', {})) as { wallets: { name: string; balance: string }[] }
    expect(list.wallets.map((w) => [w.name, w.balance])).toEqual([
      ['treasury', (10n ** 15n - 1500n).toString()],
      ['bus', '1500']
    ])
    expect(await call('wallet.history', { name: 'bus' })).toEqual([
      { id, direction: 'in', amount: '1500', status: 'pending', receivedAt: expect.any(Number) }
    ])
    expect(await call('wallet.history', { name: 'treasury' })).toMatchObject([
      { id, direction: 'out', amount: '1500' },
      { direction: 'in' }
    ])

    const detail = (await call('tangle.transaction', { id })) as { payload: { kind: string; outputs: { address: string }[] } }
    expect(detail.payload.kind).toBe('transfer')
    expect(detail.payload.outputs[0]!.address).toBe(bus.wallet.address)
    expect(await call('tangle.search', { query: bus.wallet.address })).toMatchObject([{ id }])
    expect(await call('tangle.stats', {})).toMatchObject({ transactions: 2, pending: expect.any(Number) })
    expect(((await call('tangle.recent', { limit: 10 })) as unknown[]).length).toBe(2)
    expect(events).toContain('wallet.changed')
    app.close()
  })

  it('names the field of each bad argument', async () => {
    const app = open(tempDir(), { ledger: { powBits: 2 } })
    const call = createDispatcher(app)
    await call('wallet.unlock', { passphrase: 'a long passphrase' })
    await call('wallet.create', { name: 'treasury', role: 'operator' })
    expect((await refusal(call('wallet.send', { from: 'treasury', to: 'dv2g1nope', amount: '5' }))).fields?.[0]?.path).toBe('to')
    expect((await refusal(call('wallet.send', { from: 'treasury', to: 'x', amount: '1.5' }))).fields?.[0]?.path).toBe('amount')
    expect((await refusal(call('wallet.create', { name: 'x', role: 'king' }))).fields?.[0]?.path).toBe('role')
    expect((await refusal(call('tangle.transaction', { id: 'ab' }))).fields?.[0]?.path).toBe('id')
    expect((await refusal(call('tangle.transaction', { id: 'ab'.repeat(32) }))).code).toBe('not_found')
    app.close()
  })

  it('reports insufficient funds against the amount, an unknown sender against from', async () => {
    const app = open(tempDir(), { ledger: { powBits: 2 } })
    const call = createDispatcher(app)
    await call('wallet.unlock', { passphrase: 'a long passphrase' })
    const treasury = (await call('wallet.create', { name: 'treasury', role: 'operator' })) as { wallet: { address: string } }
    await call('wallet.create', { name: 'bus', role: 'ev' })
    const broke = await refusal(call('wallet.send', { from: 'bus', to: treasury.wallet.address, amount: '5' }))
    expect(broke.code).toBe('invalid_argument')
    expect(broke.fields).toEqual([{ path: 'amount', message: 'bus has 0 base units available, 5 needed' }])
    expect((await refusal(call('wallet.send', { from: 'nobody', to: treasury.wallet.address, amount: '5' }))).fields).toEqual([
      { path: 'from', message: 'no wallet named "nobody"' }
    ])
    app.close()
  })

  it('refuses a wrong passphrase against the passphrase field', async () => {
    const dir = tempDir()
    const first = open(dir, { ledger: { powBits: 2 } })
    const call = createDispatcher(first)
    await call('wallet.unlock', { passphrase: 'the right passphrase' })
    await call('wallet.create', { name: 'treasury', role: 'operator' })
    first.close()
    const second = open(dir)
    const error = await refusal(createDispatcher(second)('wallet.unlock', { passphrase: 'the wrong passphrase' }))
    expect(error.fields).toEqual([
      {
        path: 'passphrase',
        message:
          'wrong passphrase: the keystore could not be opened with it (or the key parameters in keystore.json were changed outside DV2G)'
      }
    ])
    second.close()
  })
})

describe('a damaged keystore', () => {
  it('fails the wallet calls with its reason and leaves the rest of the app working', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'keystore.json'), '{ this is not json')
    const app = open(dir)
    const call = createDispatcher(app)
    app.startLive()
    expect(await call('tangle.stats', {})).toMatchObject({ transactions: 0 })
    expect((await refusal(call('wallet.unlock', { passphrase: 'whatever it is' }))).message).toMatch(/not a readable keystore/)
    app.close()
  })
})

describe('a broken scenario file', () => {
  it('is refused naming the file and the JSON path, while the readable scenarios still start', async () => {
    const scenariosDir = tempDir()
    const paper = JSON.parse(readFileSync('resources/scenarios/paper-3x10.json', 'utf8'))
    writeFileSync(join(scenariosDir, 'another-day.json'), JSON.stringify({ ...paper, name: 'another-day' }))
    paper.evs[4].battery.dischargeEfficiency = 1.5
    writeFileSync(join(scenariosDir, 'paper-3x10.json'), JSON.stringify(paper))
    writeFileSync(join(scenariosDir, 'a-draft.json'), '{ "name": "draft", ')
    const app = open(tempDir(), { market: { scenariosDir } })
    const call = createDispatcher(app)

    expect(await call('market.scenarios', undefined)).toEqual([expect.objectContaining({ name: 'another-day' })])
    expect(await call('market.start', { scenario: 'another-day', clock: 'instant', settle: false })).toMatchObject({
      scenario: 'another-day'
    })

    const refused = await refusal(call('market.start', { scenario: 'paper-3x10', clock: 'instant', settle: false }))
    expect(refused.code).toBe('invalid_argument')
    expect(refused.message).toContain('paper-3x10.json: evs[4].battery.dischargeEfficiency: must be greater than 0 and at most 1')
    expect(refused.message).toMatch(/a-draft\.json is not valid JSON/)
    // the renderer is told the file's name, not where the installation lives
    expect(refused.message).not.toContain(scenariosDir)
    expect(toErrorBody(refused)).toMatchObject({ code: 'invalid_argument', message: refused.message })
    app.close()
  })
})

describe('ESU cost over the contract', () => {
  it('refuses a capacity of 5e-324 kWh against capacityKWh instead of failing on an infinite figure', async () => {
    const app = open(tempDir())
    const call = createDispatcher(app)
    const input = {
      capacityKWh: 5e-324,
      depthOfDischarge: 0.8,
      cycleLife: 3000,
      combinedCost: 8200,
      maintenancePerYear: 0,
      interestRate: 0.05,
      lifetimeYears: 10,
      daysPerYear: 365
    }
    const error = await refusal(Promise.resolve().then(() => call('esu.compute', input)))
    expect(error.code).toBe('invalid_argument')
    expect(error.fields).toEqual([{ path: 'capacityKWh', message: 'must be between 0.1 and 100000' }])
    app.close()
  })
})
