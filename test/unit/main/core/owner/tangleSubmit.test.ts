// Transactions signed elsewhere (a wallet, an agent, the network bench's presigner) submitted to a
// node through its channel operation: checked as gossip is, stored in order, paced at a rate.
import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Presigner } from '../../../../../src-main/cli/networkBench/presigner'
import { open } from '../../../../../src-main/core/app'
import { addressOf } from '../../../../../src-main/core/ledger/address'
import { publicKeyBytes } from '../../../../../src-main/core/ledger/signing'
import type { SubmitResult } from '../../../../../src-main/core/ledger/spammer'
import { runOperation } from '../../../../../src-main/core/owner/operations'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()

/** A data dir with a genesis, closed, and `count` transactions signed for it elsewhere. */
function signedForNewDataDir(count: number) {
  const dir = tempDir()
  const treasury = generateKeyPairSync('ed25519').privateKey
  const app = open(dir)
  app.ledger().ledger.createGenesis(treasury, [{ address: addressOf(publicKeyBytes(treasury)), amount: 1_000n }])
  app.close()
  const presigner = new Presigner(dir, tempDir())
  const transactions = presigner.sign(count)
  presigner.close()
  return { dir, transactions }
}

describe('tangle.submit', () => {
  it('stores transactions signed elsewhere in their order, at no more than the rate, and names each refused one', async () => {
    const { dir, transactions } = signedForNewDataDir(30)
    const last = Buffer.from(transactions[29]!, 'base64')
    last[last.length - 20]! ^= 0xff // inside the signature (the nonce is the last 8 bytes)
    transactions[29] = last.toString('base64')
    const app = open(dir)
    try {
      const result = (await runOperation(app, 'tangle.submit', { transactions, rate: 200 }, () => {})) as SubmitResult
      expect(result).toMatchObject({ issued: 30, accepted: 29 })
      expect(result.refused).toEqual([{ index: 29, reason: expect.stringMatching(/signature does not verify|proof of work/) }])
      // 30 at 200 tx/s: the last batch may go out no sooner than 145 ms after the first
      expect(result.seconds).toBeGreaterThanOrEqual(29 / 200)
      // the span on the machine's clock holds the node's own timing (to a millisecond of rounding)
      expect(result.endedAtMs - result.startedAtMs).toBeGreaterThanOrEqual(result.seconds * 1000 - 1)
      expect(Math.abs(result.endedAtMs - Date.now())).toBeLessThan(1000)
      expect(app.ledger().ledger.graph.size).toBe(30)
      expect(app.ledger().ledger.ingestQueue.counters.stored.local).toBe(29)
    } finally {
      app.close()
    }
  })

  it('refuses what is not base64 with the field, and stores nothing', async () => {
    const { dir, transactions } = signedForNewDataDir(2)
    const app = open(dir)
    try {
      await expect(runOperation(app, 'tangle.submit', { transactions: [transactions[0], 'not base64!'] }, () => {})).rejects.toThrow(
        /^transactions\.1: /
      )
      expect(app.ledger().ledger.graph.size).toBe(1)
    } finally {
      app.close()
    }
  })
})
