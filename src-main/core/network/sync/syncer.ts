// Catches a joining or restarted node up with a peer that holds more: batches over
// /dv2g/sync/1.0.0 from a cursor into the peer's arrival order, each batch checked and stored in
// one SQLite transaction together with the new cursor, so a node killed mid-sync resumes where
// its last commit left it. One sync at a time (the peer holding most first, among those with a
// clean record: syncStanding.ts); gossip goes on meanwhile and whatever it brought arrives here
// again as a duplicate, which costs a lookup. A peer whose request times out, or that claims more
// than it serves, is benched and the next peer is asked: one peer cannot hold a node back.
import { availableParallelism } from 'node:os'
import { NONE } from '../../ledger/graph'
import { toHex, txId } from '../../ledger/hash'
import type { IngestOutcome, Ledger } from '../../ledger/ledger'
import { ParallelVerifier } from '../../ledger/parallelVerifier'
import { SignatureVerifier } from '../../ledger/signing'
import { checkAllButSignature, signatureRefusal, signedPart, type Checked } from '../../ledger/validation'
import type { SyncCursors } from '../networkStore'
import { MAX_SYNC_BATCH, SyncTimeoutError, type SyncBatch } from '../reqresp/syncBatches'
import { SyncStanding } from './syncStanding'

/** failed requests in a row before a peer is left until it connects again */
const MAX_FAILURES = 3
/** peers remembered as ahead of us; beyond this a new offer is ignored until one is done */
const MAX_CANDIDATES = 64

export interface SyncerLinks {
  ledger: Ledger
  cursors: SyncCursors
  /** `sent` is called once the request has gone out */
  request(peer: string, afterSeq: number, limit: number, sent: () => void): Promise<SyncBatch>
  /** told the ids of a batch before it is stored: what came from a peer is not published again */
  storing(ids: string[]): void
  /** whether each of a batch's transactions (signature not yet checked) passes the admission rule for issuers nobody admitted; the rest is not stored */
  admits(peer: string, checked: Checked[]): boolean[]
  /** transactions of a batch held for a missing parent (one the admission rule left out): their parents are fetched */
  held(peer: string, checked: Checked[], outcomes: IngestOutcome[]): void
  /** the peer served history this node refuses: it is banned */
  refusedHistory(peer: string, reason: string): void
  log(line: string): void
}

export interface SyncProgress {
  peer: string
  /** transactions the peer said it held at the handshake */
  target: number
  /** transactions received from it in this sync */
  received: number
}

export class Syncer {
  private readonly candidates = new Map<string, number>()
  readonly standing: SyncStanding
  /** candidates to sync from even if they hold no more than this node: it lacks their milestone */
  private readonly behindDespiteCounts = new Set<string>()
  private current: SyncProgress | null = null
  private running = false
  private stopped = false
  /** worker threads while a sync runs, one per core, checking every signature: they are most of a batch's cost, and this thread reads and stores meanwhile */
  private verifier: ParallelVerifier | null = null

  constructor(
    private readonly links: SyncerLinks,
    now: () => number = Date.now
  ) {
    this.standing = new SyncStanding(now)
  }

  get syncing(): boolean {
    return this.current !== null
  }

  get progress(): SyncProgress | null {
    return this.current && { ...this.current }
  }

  /** Where the sync from this peer stands: the last of its seqs stored here (0 before the first). */
  cursorOf(peer: string): number {
    return this.links.cursors.syncCursor(peer)
  }

  /**
   * A peer said how many transactions it holds: sync from it if that is more than here, or, with
   * `evenIfNotMore` (the heartbeat found this node behind it), whatever the counts say.
   */
  offer(peer: string, transactions: number, { evenIfNotMore = false } = {}): void {
    if (this.stopped || (!evenIfNotMore && transactions <= this.links.ledger.size)) return
    if (!this.candidates.has(peer) && this.candidates.size >= MAX_CANDIDATES) return
    this.candidates.set(peer, transactions)
    if (evenIfNotMore) this.behindDespiteCounts.add(peer)
    if (!this.running) void this.run()
  }

  /** A peer that disconnected is no longer a candidate. */
  forget(peer: string): void {
    this.candidates.delete(peer)
    this.behindDespiteCounts.delete(peer)
  }

  stop(): void {
    this.stopped = true
    this.candidates.clear()
    this.behindDespiteCounts.clear()
  }

  private async run(): Promise<void> {
    this.running = true
    while (!this.stopped) {
      // a benched peer waits for its time to end: the heartbeat offers it again then
      const next = [...this.candidates].filter(([peer]) => !this.standing.isBenched(peer)).sort((a, b) => b[1] - a[1])[0]
      if (!next) break
      const [peer, target] = next
      this.candidates.delete(peer)
      if (!this.behindDespiteCounts.delete(peer) && target <= this.links.ledger.size) continue
      this.current = { peer, target, received: 0 }
      this.verifier ??= new ParallelVerifier(availableParallelism(), false)
      try {
        await this.syncFrom(peer, target)
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error)
        if (error instanceof SyncTimeoutError) this.demote(peer, why)
        else this.links.log(`dv2g node: sync from ${peer} stopped: ${why}`)
      }
    }
    this.current = null
    const verifier = this.verifier
    this.verifier = null
    await verifier?.close()
    this.running = false
    // a peer offered while the threads were closing
    if (this.candidates.size && !this.stopped) void this.run()
  }

  private demote(peer: string, reason: string): void {
    const forMs = this.standing.demote(peer, reason)
    this.links.log(`dv2g node: sync from ${peer} passed over for ${forMs / 1000} s: ${reason}; asking the next peer`)
  }

  private async syncFrom(peer: string, target: number): Promise<void> {
    const started = Date.now()
    let cursor = this.cursorOf(peer)
    let failures = 0
    let stored = 0
    // the next batch is asked for before this one is checked and stored (one request in flight),
    // so the peer sends meanwhile
    const ask = (afterSeq: number) => {
      let markSent = () => {}
      const sent = new Promise<void>((resolve) => (markSent = resolve))
      const batch = this.links.request(peer, afterSeq, MAX_SYNC_BATCH, () => markSent())
      // a prefetched batch left behind (the sync stopped) must not fail unheard
      batch.catch(() => markSent())
      return { batch, sent }
    }
    /** the batch checked last, stored while the worker threads check the next one */
    /** the seq before the first transaction the admission rule left out: the cursor saved stays there, so the next sync asks again */
    let resumeAfter: number | null = null
    let held: { checked: Checked[]; last: number; received: number } | null = null
    const storeHeld = async (): Promise<void> => {
      if (!held) return
      const { checked, last, received } = held
      held = null
      const outcomes = await this.store(peer, checked, resumeAfter ?? last)
      cursor = last
      this.current!.received += received
      stored += outcomes.filter((o) => o.status === 'accepted').length
      const refused = outcomes.find((o): o is Extract<IngestOutcome, { status: 'refused' }> => o.status === 'refused')
      // an honest peer serves only what it stored: anything refused is a reason to stop trusting its history
      if (refused) {
        // a timestamp ahead of our clock may be our clock's fault: the sync stops, the peer is not banned
        if (refused.code !== 'clock_skew') this.links.refusedHistory(peer, `sent history this node refuses on sync (${refused.reason})`)
        throw new Error(`it sent a transaction this node refuses (${refused.reason})`)
      }
    }
    let handedOn = cursor
    let pending = ask(cursor)
    while (!this.stopped) {
      let batch: SyncBatch
      try {
        batch = await pending.batch
        failures = 0
      } catch (error) {
        // a peer that let a request time out is not waited on again now
        if (error instanceof SyncTimeoutError || ++failures >= MAX_FAILURES) throw error
        pending = ask(handedOn)
        continue
      }
      if (batch.transactions.length === 0) break
      const last = batch.seqs.at(-1)!
      pending = ask(last)
      // out before this thread is busy storing: a store holds the event loop for a whole commit
      await pending.sent
      const [{ checked, leftOutAt }] = await Promise.all([this.check(peer, batch), storeHeld()])
      if (this.stopped) break
      if (leftOutAt !== null) resumeAfter ??= leftOutAt - 1
      handedOn = last
      held = { checked, last, received: batch.transactions.length }
    }
    if (!this.stopped) await storeHeld()
    if (this.stopped) return
    // caught up with it: its history ends at `cursor`, its own seq, which counts what it stored
    if (cursor < target) this.demote(peer, `it claimed ${target} transactions and served ${cursor}`)
    else this.standing.served(peer)
    const received = this.current!.received
    if (received)
      this.links.log(
        `dv2g node: synced from ${peer}: ${stored} new of ${received} received in ${Date.now() - started} ms (cursor ${cursor})`
      )
  }

  /**
   * The intrinsic checks of a batch, signatures across threads; what is held here already is
   * skipped, and what the admission rule leaves out is dropped (`leftOutAt`: the seq of the first).
   */
  private async check(peer: string, batch: SyncBatch): Promise<{ checked: Checked[]; leftOutAt: number | null }> {
    const { ledger } = this.links
    const now = ledger.options.now()
    // what gossip brought meanwhile (or an earlier sync from another peer) is skipped before the costly signature check
    const unknown = batch.transactions.flatMap((bytes, i) => (ledger.indexOf(txId(bytes)) === NONE ? [i] : []))
    const unsigned = unknown.map((i) => checkHistoricAllButSignature(batch.transactions[i]!, ledger.options, now))
    // and so is what the admission rule leaves out
    const admitted = this.links.admits(peer, unsigned)
    const leftOut = admitted.indexOf(false)
    const checked = unsigned.filter((_, i) => admitted[i])
    const valid = checked.filter((c): c is Extract<Checked, { ok: true }> => c.ok)
    const holds = await this.verifier!.verifyAll(valid.map(signedPart))
    const refused = new Set(valid.filter((_, i) => !holds[i]))
    return {
      checked: checked.map((c) => (c.ok && refused.has(c) ? signatureRefusal(c) : c)),
      leftOutAt: leftOut < 0 ? null : batch.seqs[unknown[leftOut]!]!
    }
  }

  /**
   * Stores a checked batch with the new cursor in one commit, through the ingest queue (waiting
   * for room when gossip has filled it): after a kill, both or neither are there.
   */
  private async store(peer: string, checked: Checked[], cursor: number): Promise<IngestOutcome[]> {
    this.links.storing(checked.flatMap((c) => (c.ok ? [toHex(c.id)] : [])))
    const outcomes = await this.links.ledger.submit('sync', checked, () => this.links.cursors.saveSyncCursor(peer, cursor))
    if (outcomes.some((o) => o.status === 'held')) this.links.held(peer, checked, outcomes)
    return outcomes
  }
}

/** As checkHistoricAllButSignature, the signature verified here: for a single transaction (a genesis taken from a peer). */
export function checkHistoric(bytes: Uint8Array, rules: { powBits: number; maxSkewMs: number }, nowMs: number): Checked {
  const checked = checkHistoricAllButSignature(bytes, rules, nowMs)
  if (!checked.ok) return checked
  const { publicKey, message, signature } = signedPart(checked)
  return new SignatureVerifier().verify(publicKey, message, signature) ? checked : signatureRefusal(checked)
}

/**
 * The intrinsic checks for history: a synced transaction may be as old as the tangle, so only a
 * timestamp too far in the future is refused (gossip refuses one too far either way).
 */
export function checkHistoricAllButSignature(bytes: Uint8Array, rules: { powBits: number; maxSkewMs: number }, nowMs: number): Checked {
  const checked = checkAllButSignature(bytes, { powBits: rules.powBits, maxSkewMs: Infinity }, nowMs)
  if (checked.ok && checked.tx.timestampMs > nowMs + rules.maxSkewMs) {
    return {
      ok: false,
      id: checked.id,
      code: 'clock_skew',
      reason: `timestamp ${new Date(checked.tx.timestampMs).toISOString()} is more than ${rules.maxSkewMs / 1000} s ahead of this node's clock`
    }
  }
  return checked
}
