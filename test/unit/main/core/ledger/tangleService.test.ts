import { describe, expect, it } from 'vitest'
import { open } from '../../../../../src-main/core/app'
import { TxKind } from '../../../../../src-main/core/ledger/transaction'
import { privateKeyFromSeed } from '../../../../../src-main/core/ledger/signing'
import { useTempDirs } from '../../../../support/tempDir'
import { until } from '../../../../support/until'

const tempDir = useTempDirs()

describe('tangle service', () => {
  it("pushes new transactions in batches, the walk's pre-confirmations, and confirmations once a milestone applies them", async () => {
    const app = open(tempDir(), { ledger: { powBits: 2 } })
    const { wallets, ledger, tangle } = app.ledger()
    wallets.keystore.unlock('a long passphrase')
    wallets.create('treasury', 'operator')
    const attached: number[] = []
    const announced = new Map<string, string[]>()
    app.events.subscribe((name, payload) => {
      if (name === 'tangle.attached') attached.push((payload as { transactions: unknown[] }).transactions.length)
      if (name === 'tangle.statusChanged') {
        for (const c of (payload as { changes: { id: string; status: string }[] }).changes)
          announced.set(c.id, [...(announced.get(c.id) ?? []), c.status])
      }
    })
    tangle.start(app.events, { confirmEveryMs: 50, eventEveryMs: 20 })
    try {
      const key = privateKeyFromSeed(new Uint8Array(32).fill(5))
      const first = ledger.attach(key, { kind: TxKind.Data, topic: 'meter', body: new Uint8Array([1]) })
      if (first.status !== 'accepted') throw new Error(JSON.stringify(first))
      for (let i = 0; i < 40; i++) ledger.attach(key, { kind: TxKind.Data, topic: 'meter', body: new Uint8Array([i + 2]) })
      expect(tangle.stats().txPerSecond).toBeCloseTo(4.1, 1) // 41 arrivals over the last 10 s
      await until(
        () => announced.get(first.id)?.includes('preconfirmed') === true,
        10_000,
        'the first transaction to be pre-confirmed by the walk'
      )
      expect(attached.reduce((a, b) => a + b, 0)).toBe(41)
      expect(attached.length).toBeLessThan(41) // batched, not one event per transaction
      expect(tangle.transaction(first.id)).toMatchObject({ status: 'preconfirmed', milestone: null, confidence: 1 })
      expect(tangle.stats()).toMatchObject({ confirmed: 0, medianConfirmationMs: null })

      // the walk pre-confirms; only a milestone makes it final
      const issuer = wallets.keystore.key('treasury').privateKey
      for (let i = 0; i < 20 && ledger.milestones.referencedBy(ledger.graph.indexOf(Buffer.from(first.id, 'hex'))) === 0; i++)
        ledger.issueMilestone(issuer)
      await until(
        () => announced.get(first.id)?.includes('confirmed') === true,
        10_000,
        'the first transaction to be confirmed by a milestone'
      )
      expect(tangle.transaction(first.id)).toMatchObject({ status: 'confirmed', milestone: expect.any(Number) })
      expect(announced.get(first.id)!.indexOf('preconfirmed')).toBeLessThan(announced.get(first.id)!.indexOf('confirmed'))
      const stats = tangle.stats()
      expect(stats.transactions).toBeGreaterThanOrEqual(43)
      expect(stats.confirmed).toBeGreaterThan(0)
      expect(stats.medianConfirmationMs).not.toBeNull()
    } finally {
      app.close()
    }
  })

  it('shows a milestone in the explorer as data on the topic "milestone" with its index and state hash', () => {
    const app = open(tempDir(), { ledger: { powBits: 2 } })
    try {
      const { wallets, ledger, tangle } = app.ledger()
      wallets.keystore.unlock('a long passphrase')
      wallets.create('treasury', 'operator')
      const milestone = ledger.issueMilestone(wallets.keystore.key('treasury').privateKey)
      if (milestone.status !== 'accepted') throw new Error(JSON.stringify(milestone))
      const shown = tangle.transaction(milestone.id)
      expect(shown?.kind).toBe('data')
      expect(shown?.payload).toEqual({
        kind: 'data',
        topic: 'milestone',
        body: JSON.stringify({
          index: 1,
          previous: '0'.repeat(64),
          stateHash: Buffer.from(ledger.latestMilestone()!.stateHash).toString('hex')
        })
      })
    } finally {
      app.close()
    }
  })
})
