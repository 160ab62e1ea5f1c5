// A single operator console reaches finality: while its keystore is unlocked and holds the wallet
// the genesis names as milestone issuer, the running app issues milestones itself, and transfers
// become confirmed (final) in the wallets' histories and the explorer.
import { describe, expect, it } from 'vitest'
import { open } from '../../../../../src-main/core/app'
import { createDispatcher } from '../../../../../src-main/core/api'
import { LocalMilestones } from '../../../../../src-main/core/network/localMilestones'
import { useTempDirs } from '../../../../support/tempDir'
import { waitFor } from '../../../../support/until'

const tempDir = useTempDirs()
const PASSPHRASE = 'a long passphrase'

describe("the console's own milestones", () => {
  it('make a transfer sent from the unlocked console confirmed, naming the milestone, in history and explorer', async () => {
    const app = open(tempDir(), { ledger: { powBits: 2 }, localMilestones: { intervalMs: 100 } })
    const call = createDispatcher(app)
    const confirmedEvents = new Set<string>()
    app.events.subscribe((name, payload) => {
      if (name !== 'tangle.statusChanged') return
      for (const change of (payload as { changes: { id: string; status: string }[] }).changes)
        if (change.status === 'confirmed') confirmedEvents.add(change.id)
    })
    app.startLive()
    try {
      await call('wallet.unlock', { passphrase: PASSPHRASE })
      await call('wallet.create', { name: 'treasury', role: 'operator' })
      const bus = (await call('wallet.create', { name: 'bus', role: 'ev' })) as { wallet: { address: string } }
      const { id } = (await call('wallet.send', { from: 'treasury', to: bus.wallet.address, amount: '1500' })) as { id: string }

      const history = () => call('wallet.history', { name: 'bus' }) as Promise<{ id: string; status: string }[]>
      await waitFor(history, (h) => h[0]?.status === 'confirmed', 30_000, 'the transfer to be confirmed in the history')
      const detail = (await call('tangle.transaction', { id })) as { status: string; milestone: number | null; confidence: number }
      expect(detail).toMatchObject({ status: 'confirmed', confidence: 1 })
      expect(detail.milestone).toBeGreaterThanOrEqual(1)
      await waitFor(
        async () => confirmedEvents.has(id),
        (seen) => seen,
        30_000,
        'the explorer to be told the transfer is confirmed'
      )
      expect((await call('tangle.stats', {})) as { pending: number; confirmed: number }).toMatchObject({ pending: 0 })
    } finally {
      app.close()
    }
  })

  it('run only while the keystore is unlocked and holds the issuer wallet, and issue at once what waited', async () => {
    const app = open(tempDir(), { ledger: { powBits: 2 } })
    const call = createDispatcher(app)
    const { ledger, wallets } = app.ledger()
    const local = new LocalMilestones(ledger, wallets.keystore, app.events, 60_000, () => {})
    try {
      expect(local.running).toBe(false)
      await call('wallet.unlock', { passphrase: PASSPHRASE })
      expect(local.running).toBe(false) // no tangle yet, so no issuer to sign for
      await call('wallet.create', { name: 'treasury', role: 'operator' })
      // the genesis waited for a milestone: issued now, not an interval (a minute here) later
      expect(local.running).toBe(true)
      expect(ledger.latestMilestone()?.index).toBe(1)

      await call('wallet.lock', {})
      expect(local.running).toBe(false)
      await call('wallet.unlock', { passphrase: PASSPHRASE })
      expect(local.running).toBe(true)
      expect(ledger.latestMilestone()?.index).toBe(1) // nothing new waited: no milestone

      // another data dir's keystore without the issuer wallet never issues
      const other = open(tempDir(), { ledger: { powBits: 2 } })
      const otherWallets = other.ledger().wallets
      const elsewhere = new LocalMilestones(ledger, otherWallets.keystore, other.events, 60_000, () => {})
      otherWallets.keystore.unlock(PASSPHRASE)
      otherWallets.create('auditor', 'operator')
      other.events.emit('wallet.changed', { unlocked: true })
      expect(elsewhere.running).toBe(false)
      elsewhere.stop()
      other.close()
    } finally {
      local.stop()
      app.close()
    }
    expect(local.running).toBe(false)
  })
})
