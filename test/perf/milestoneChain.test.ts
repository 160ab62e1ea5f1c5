import { createHash, type KeyObject } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src-main/core/db/connection'
import { addressOf } from '../../src-main/core/ledger/address'
import { encodeEssence } from '../../src-main/core/ledger/codec'
import { Ledger, type IngestOutcome } from '../../src-main/core/ledger/ledger'
import { solveProofOfWork } from '../../src-main/core/ledger/proofOfWork'
import { privateKeyFromSeed, publicKeyBytes, signBytes } from '../../src-main/core/ledger/signing'
import { TxKind, type Payload } from '../../src-main/core/ledger/transaction'
import { seededRandom } from '../../src-shared/random'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs()
const POW_BITS = 2
const CHAIN_LENGTH = 50_000
const BATCH = 5000
const operator = privateKeyFromSeed(new Uint8Array(32).fill(1))
const bob = privateKeyFromSeed(new Uint8Array(32).fill(3))

function accepted(outcome: IngestOutcome): Extract<IngestOutcome, { status: 'accepted' }> {
  if (outcome.status !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(outcome)}`)
  return outcome
}

/** A signed, mined data transaction approving `parent` twice: links of one long chain. */
function chainLink(key: KeyObject, payload: Payload, parent: Uint8Array): Uint8Array {
  const essence = encodeEssence({ trunk: parent, branch: parent, issuer: publicKeyBytes(key), timestampMs: Date.now(), payload })
  const signature = signBytes(key, essence)
  const prefix = new Uint8Array(essence.length + signature.length)
  prefix.set(essence)
  prefix.set(signature, essence.length)
  const { nonce } = solveProofOfWork(prefix, POW_BITS)
  const bytes = new Uint8Array(prefix.length + 8)
  bytes.set(prefix)
  new DataView(bytes.buffer).setBigUint64(prefix.length, nonce, true)
  return bytes
}

/** Every stored transaction's bytes, in this ledger's arrival order. */
const allBytes = (db: ReturnType<typeof openDatabase>) =>
  db.prepare('SELECT bytes FROM transaction_bodies ORDER BY seq').pluck().all() as Buffer[]

describe('a milestone over a long chain', () => {
  it(
    'takes a chain of 50,000 transactions newest first and applies a milestone over it without overflowing the stack',
    { timeout: 300_000 },
    () => {
      const a = { db: openDatabase(join(tempDir(), 'a.sqlite')) }
      const issuer = new Ledger(a.db, { powBits: POW_BITS, random: seededRandom(9) })
      accepted(
        issuer.createGenesis(operator, [{ address: addressOf(publicKeyBytes(operator)), amount: 1_000_000n }], [publicKeyBytes(operator)])
      )
      let previous = issuer.graph.idAt(0).slice()
      for (let done = 0; done < CHAIN_LENGTH; done += BATCH) {
        const batch = Array.from({ length: BATCH }, (_, i) => {
          const bytes = chainLink(bob, { kind: TxKind.Data, topic: 'chain', body: new TextEncoder().encode(String(done + i)) }, previous)
          previous = createHash('sha256').update(bytes).digest()
          return bytes
        })
        expect(issuer.ingest(batch).every((o) => o.status === 'accepted')).toBe(true)
      }
      expect(issuer.graph.tips.size).toBe(1)
      accepted(issuer.issueMilestone(operator))
      const bytes = allBytes(a.db).map((b) => new Uint8Array(b))

      // the receiver gets the chain newest first, as gossip may: the solidifier holds it all until the first arrives
      const b = { db: openDatabase(join(tempDir(), 'b.sqlite')) }
      const receiver = new Ledger(b.db, { powBits: POW_BITS, solidifierCapacity: CHAIN_LENGTH + 10 })
      const chainNewestFirst = bytes.slice(0, -1).reverse()
      for (let i = 0; i < chainNewestFirst.length; i += BATCH) receiver.ingest(chainNewestFirst.slice(i, i + BATCH))
      expect(receiver.graph.size).toBe(CHAIN_LENGTH + 1)
      accepted(receiver.ingest([bytes.at(-1)!])[0]!)
      expect(receiver.latestMilestone()?.stateHash).toEqual(issuer.latestMilestone()?.stateHash)
      expect(b.db.prepare('SELECT count(*) FROM milestone_refs WHERE milestone = 1').pluck().get()).toBe(CHAIN_LENGTH + 2)
    }
  )
})
