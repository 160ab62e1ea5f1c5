// Load generators, as IOTA nodes have: `spam` issues valid signed data transactions at a rate;
// `submitAtRate` stores transactions signed elsewhere (a client, a benchmark) at a rate, checked
// as gossip is and queued like peers' transactions. Each batch is committed before its
// transactions are counted as accepted.
import { generateKeyPairSync } from 'node:crypto'
import type { ConfirmationTracker } from './confirmation'
import type { IngestOutcome, Ledger } from './ledger'
import { SignatureVerifier } from './signing'
import { TxKind, type Payload } from './transaction'
import { checkIntrinsic } from './validation'

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

export interface SubmitResult extends SpamResult {
  /** the first refusals, each with the transaction's place in what was submitted */
  refused: { index: number; reason: string }[]
  /**
   * The machine's clock (ms since the epoch) at the first transaction and after the last commit:
   * a caller submitting to several nodes on one machine times them all on one clock.
   */
  startedAtMs: number
  endedAtMs: number
}

const wallClockMs = () => performance.timeOrigin + performance.now()

const MAX_BATCH = 64
const CONFIRM_EVERY_MS = 250
const MAX_REFUSALS_LISTED = 10

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * batches issued but not yet committed: a submitter paces by the rate, as many clients do, and
 * does not wait out each batch's group commit (up to 50 ms, ingestQueue.ts) before the next
 */
const MAX_BATCHES_IN_FLIGHT = 16

/** Calls `issueBatch(from, size)` until `count` are issued, no faster than the rate; batches stay small so the pace is smooth. */
async function atRate(
  ledger: Ledger,
  options: SpamOptions,
  issueBatch: (from: number, size: number) => Promise<IngestOutcome[]> | IngestOutcome[]
): Promise<SpamResult> {
  const started = performance.now()
  let issued = 0
  let accepted = 0
  const inFlight: Promise<IngestOutcome[]>[] = []
  const committed = (outcomes: IngestOutcome[]) => {
    accepted += outcomes.filter((o) => o.status === 'accepted').length
    options.onCommitted?.(accepted, issued)
  }
  while (issued < options.count) {
    const elapsedMs = performance.now() - started
    // how many the rate allows by now
    const allowed = options.ratePerSecond ? Math.floor((elapsedMs / 1000) * options.ratePerSecond) + 1 - issued : MAX_BATCH
    if (allowed <= 0) {
      await sleep(Math.max(1, 1000 / options.ratePerSecond! - 1))
      continue
    }
    const batch = Math.min(allowed, MAX_BATCH, options.count - issued)
    const outcomes = issueBatch(issued, batch)
    issued += batch
    if (Array.isArray(outcomes)) committed(outcomes)
    else {
      outcomes.catch(() => {}) // handled where it is awaited: a failed commit ends the loop there
      inFlight.push(outcomes)
    }
    while (inFlight.length > MAX_BATCHES_IN_FLIGHT) committed(await inFlight.shift()!)
    await sleep(0) // let timers and signals run between batches
    await ledger.ingestQueue.room() // and peers' transactions first, when they have filled the queue
  }
  while (inFlight.length) committed(await inFlight.shift()!)
  const seconds = (performance.now() - started) / 1000
  return { issued, accepted, seconds, txPerSecond: accepted / seconds }
}

export async function spam(ledger: Ledger, confirmation: ConfirmationTracker, options: SpamOptions): Promise<SpamResult> {
  if (ledger.isEmpty)
    throw new Error('the tangle has no genesis yet: create the operator wallet first (dv2g wallet create --role operator)')
  const { privateKey } = generateKeyPairSync('ed25519')
  let lastConfirmation = performance.now()
  const result = await atRate(ledger, options, (from, size) => {
    const payloads: Payload[] = Array.from({ length: size }, (_, i) => ({
      kind: TxKind.Data,
      topic: 'spam',
      body: new TextEncoder().encode(String(from + i))
    }))
    const outcomes = ledger.attachMany(privateKey, payloads)
    if (performance.now() - lastConfirmation > CONFIRM_EVERY_MS) {
      confirmation.update()
      lastConfirmation = performance.now()
    }
    return outcomes
  })
  confirmation.update()
  return result
}

/** Stores transactions signed elsewhere, in their order, at a rate: each checked as a peer's would be. */
export async function submitAtRate(
  ledger: Ledger,
  transactions: readonly Uint8Array[],
  options: Omit<SpamOptions, 'count'>
): Promise<SubmitResult> {
  const verifier = new SignatureVerifier()
  const refused: SubmitResult['refused'] = []
  const startedAtMs = wallClockMs()
  const result = await atRate(ledger, { ...options, count: transactions.length }, async (from, size) => {
    const now = ledger.options.now()
    const checked = transactions.slice(from, from + size).map((bytes) => checkIntrinsic(bytes, ledger.options, now, verifier))
    const outcomes = await ledger.ingestQueue.submit('local', checked)
    outcomes.forEach((o, i) => {
      if (o.status === 'refused' && refused.length < MAX_REFUSALS_LISTED) refused.push({ index: from + i, reason: o.reason })
    })
    return outcomes
  })
  return { ...result, refused, startedAtMs, endedAtMs: wallClockMs() }
}
