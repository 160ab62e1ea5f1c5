// A load generator, as IOTA nodes have one: issues valid signed data transactions at a rate,
// each batch committed before its transactions are counted as accepted.
import { generateKeyPairSync } from 'node:crypto'
import type { ConfirmationTracker } from './confirmation'
import type { Ledger } from './ledger'
import { TxKind, type Payload } from './transaction'

export interface SpamOptions {
  count: number
  /** transactions per second; unset: as fast as the node attaches */
  ratePerSecond?: number
  /** called after every commit with the totals so far */
  onCommitted?: (accepted: number, issued: number) => void
}

export interface SpamResult {
  issued: number
  accepted: number
  seconds: number
  txPerSecond: number
}

const MAX_BATCH = 64
const CONFIRM_EVERY_MS = 250

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function spam(ledger: Ledger, confirmation: ConfirmationTracker, options: SpamOptions): Promise<SpamResult> {
  if (ledger.isEmpty) throw new Error('the tangle has no genesis yet: create the operator wallet first (dv2g wallet create --role operator)')
  const { privateKey } = generateKeyPairSync('ed25519')
  const started = performance.now()
  let issued = 0
  let accepted = 0
  let lastConfirmation = started
  while (issued < options.count) {
    const elapsedMs = performance.now() - started
    // how many the rate allows by now; batches stay small so the pace is smooth
    const allowed = options.ratePerSecond ? Math.floor((elapsedMs / 1000) * options.ratePerSecond) + 1 - issued : MAX_BATCH
    if (allowed <= 0) {
      await sleep(Math.max(1, 1000 / options.ratePerSecond! - 1))
      continue
    }
    const batch = Math.min(allowed, MAX_BATCH, options.count - issued)
    const payloads: Payload[] = Array.from({ length: batch }, (_, i) => ({
      kind: TxKind.Data,
      topic: 'spam',
      body: new TextEncoder().encode(String(issued + i))
    }))
    const outcomes = ledger.attachMany(privateKey, payloads)
    issued += batch
    accepted += outcomes.filter((o) => o.status === 'accepted').length
    options.onCommitted?.(accepted, issued)
    if (performance.now() - lastConfirmation > CONFIRM_EVERY_MS) {
      confirmation.update()
      lastConfirmation = performance.now()
    }
    await sleep(0) // let timers and signals run between batches
    await ledger.ingestQueue.room() // and peers' transactions first, when they have filled the queue
  }
  confirmation.update()
  const seconds = (performance.now() - started) / 1000
  return { issued, accepted, seconds, txPerSecond: accepted / seconds }
}
