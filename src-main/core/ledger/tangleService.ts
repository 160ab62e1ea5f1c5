// The tangle as the console sees it: statistics, the newest transactions, one transaction in
// detail, search; and, while a face runs, confirmation rounds and batched live events.
import type { TangleTx, TangleTxDetail } from '../../../src-shared/contract'
import type { Db } from '../db/connection'
import type { EventBus } from '../events'
import { addressOf, encodeAddress } from './address'
import { ledgerStats } from './audit'
import { decodeTransaction, kindOf } from './codec'
import type { ConfirmationTracker } from './confirmation'
import { confirmationLatenciesMs, finalityOf, type TxState } from './finality'
import { NONE, TxStatus, type TangleGraph } from './graph'
import { fromHex, toHex } from './hash'
import type { Ledger } from './ledger'
import { TxKind } from './transaction'

// a milestone shows as data (topic "milestone") until the console's contract names it
const KIND_NAMES = ['genesis', 'transfer', 'data', 'data'] as const
/** counting approvers further than this would stall the explorer on an old transaction */
const MAX_WEIGHT_COUNT = 200_000
/** the console keeps the newest few hundred: a milestone over a long sync announces its newest only */
const MAX_ANNOUNCED_PER_MILESTONE = 500
/** the window of the arrival rate in stats */
const ARRIVAL_WINDOW_S = 10

export interface TangleServiceOptions {
  confirmEveryMs: number
  eventEveryMs: number
}

export class TangleService {
  private readonly graph: TangleGraph
  private readonly sql
  private timers: NodeJS.Timeout[] = []
  private unsubscribe: (() => void) | undefined
  private attachedSince: number[] = []
  /** transactions stored per second (Unix second -> count), for the last ARRIVAL_WINDOW_S seconds */
  private readonly arrivalsBySecond = new Map<number, number>()
  /** the latest milestone whose outcome the console has been told of */
  private announcedMilestone = 0

  constructor(
    private readonly ledger: Ledger,
    private readonly confirmation: ConfirmationTracker,
    private readonly db: Db,
    private readonly databaseBytes: () => number
  ) {
    this.graph = ledger.graph
    this.sql = {
      referencedBy: db
        .prepare<[number, number], number>('SELECT seq FROM milestone_refs WHERE milestone = ? ORDER BY seq DESC LIMIT ?')
        .pluck(),
      touchingAddress: db
        .prepare<[Uint8Array, Uint8Array], number>(
          `SELECT DISTINCT o.tx_seq AS seq FROM outputs o WHERE o.address = ?
           UNION SELECT b.seq FROM transaction_bodies b WHERE b.issuer = ?
           ORDER BY seq DESC LIMIT 500`
        )
        .pluck()
    }
  }

  /** Confirmation rounds and live events, for as long as a face is running. */
  start(events: EventBus, options: TangleServiceOptions = { confirmEveryMs: 500, eventEveryMs: 100 }): void {
    this.announcedMilestone = this.ledger.latestMilestone()?.index ?? 0
    const announce = (indexes: Iterable<number>) => {
      if (!events.listening) return
      const changes = [...new Set(indexes)].map((i) => ({ id: toHex(this.graph.idAt(i)), status: finalityOf(this.ledger, i).state }))
      if (changes.length) events.emit('tangle.statusChanged', { changes })
    }
    this.unsubscribe = this.ledger.onStored((indexes) => {
      this.attachedSince.push(...indexes)
      // counted per second and pruned as it goes: a node may run for months at thousands a second
      const second = Math.floor(Date.now() / 1000)
      this.arrivalsBySecond.set(second, (this.arrivalsBySecond.get(second) ?? 0) + indexes.length)
      for (const earlier of this.arrivalsBySecond.keys()) if (earlier < second - ARRIVAL_WINDOW_S) this.arrivalsBySecond.delete(earlier)
    })
    this.timers.push(
      setInterval(() => {
        // the walk's verdicts, as finality.ts names them (on a milestone ledger: pre-confirmed or pending)
        announce(this.confirmation.update().map((c) => c.index))
      }, options.confirmEveryMs),
      setInterval(() => {
        announce(this.newlyReferenced())
        // summaries cost a read or two each: made only for a console that is there to draw them
        if (!events.listening) this.attachedSince.length = 0
        if (this.attachedSince.length === 0) return
        // the console draws the newest; a flood is summarised by its last 500 of each batch
        const batch = this.attachedSince.splice(0).slice(-500)
        events.emit('tangle.attached', { transactions: batch.map((i) => this.summary(i)) })
      }, options.eventEveryMs)
    )
    for (const timer of this.timers) timer.unref()
  }

  /** What the milestones applied since the last call referenced (confirmed or conflicting now). */
  private newlyReferenced(): number[] {
    const latest = this.ledger.latestMilestone()?.index ?? 0
    const referenced: number[] = []
    for (; this.announcedMilestone < latest; this.announcedMilestone++) {
      const seqs = this.sql.referencedBy.all(this.announcedMilestone + 1, MAX_ANNOUNCED_PER_MILESTONE)
      for (const seq of seqs) referenced.push(seq - 1)
    }
    return referenced
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer)
    this.timers = []
    this.unsubscribe?.()
  }

  stats() {
    const counts = ledgerStats(this.db, this.databaseBytes())
    const now = Date.now()
    const since = Math.floor(now / 1000) - ARRIVAL_WINDOW_S
    let arrivals = 0
    for (const [second, count] of this.arrivalsBySecond) if (second > since) arrivals += count
    const latencies = confirmationLatenciesMs(this.db, this.ledger.finalByMilestones).sort((a, b) => a - b)
    return {
      ...counts,
      txPerSecond: arrivals / ARRIVAL_WINDOW_S,
      medianConfirmationMs: latencies.length ? latencies[Math.floor(latencies.length / 2)]! : null
    }
  }

  recent(limit: number): TangleTx[] {
    const from = Math.max(0, this.graph.size - limit)
    return Array.from({ length: this.graph.size - from }, (_, i) => this.summary(from + i))
  }

  transaction(idHex: string): TangleTxDetail | undefined {
    const index = this.graph.indexOf(fromHex(idHex))
    if (index === NONE) return undefined
    const { tx } = decodeTransaction(this.ledger.bodyAt(index)!)
    const amount = (o: { address: Uint8Array; amount: bigint }) => ({ address: encodeAddress(o.address), amount: o.amount.toString() })
    const payload =
      tx.payload.kind === TxKind.Genesis
        ? { kind: 'genesis' as const, outputs: tx.payload.outputs.map(amount) }
        : tx.payload.kind === TxKind.Transfer
          ? {
              kind: 'transfer' as const,
              inputs: tx.payload.inputs.map((i) => ({ txId: toHex(i.txId), index: i.index })),
              outputs: tx.payload.outputs.map(amount)
            }
          : tx.payload.kind === TxKind.Milestone
            ? {
                kind: 'data' as const,
                topic: 'milestone',
                body: JSON.stringify({
                  index: tx.payload.index,
                  previous: toHex(tx.payload.previous),
                  stateHash: toHex(tx.payload.stateHash)
                })
              }
            : { kind: 'data' as const, topic: tx.payload.topic, body: new TextDecoder().decode(tx.payload.body) }
    const { state, milestone } = finalityOf(this.ledger, index)
    return {
      ...this.summary(index),
      approvers: this.graph.approvers(index).map((a) => toHex(this.graph.idAt(a))),
      issuer: toHex(tx.issuer),
      issuerAddress: encodeAddress(addressOf(tx.issuer)),
      timestamp: tx.timestampMs,
      payload,
      cumulativeWeight: this.cumulativeWeight(index),
      confidence: this.confidenceOf(index, state),
      milestone
    }
  }

  /** The walk's confidence, as the explorer shows it beside the state: 1 once it holds, 0 once it lost. */
  private confidenceOf(index: number, state: TxState): number {
    if (state === 'confirmed' || state === 'preconfirmed') return 1
    if (state === 'conflicting' || state === 'rejected' || this.graph.status[index] === TxStatus.Rejected) return 0
    return this.confirmation.lastConfidenceOf(index)
  }

  /** A transaction by id (64 hex digits), or every transaction paying or issued by a dv2g address. */
  search(query: string, publicKeyOf: (address: string) => Uint8Array | undefined, decodeAddress: (a: string) => Uint8Array): TangleTx[] {
    const q = query.trim().toLowerCase()
    if (/^[0-9a-f]{64}$/.test(q)) {
      const index = this.graph.indexOf(fromHex(q))
      return index === NONE ? [] : [this.summary(index)]
    }
    const hash = decodeAddress(q)
    const issuer = publicKeyOf(q) ?? new Uint8Array(0)
    return this.sql.touchingAddress.all(hash, issuer).map((seq) => this.summary(seq - 1))
  }

  summary(index: number): TangleTx {
    const g = this.graph
    const parent = (p: number) => (p === NONE ? null : toHex(g.idAt(p)))
    return {
      id: toHex(g.idAt(index)),
      trunk: parent(g.trunk[index]!),
      branch: parent(g.branch[index]!),
      kind: KIND_NAMES[this.kindAt(index)],
      status: finalityOf(this.ledger, index).state,
      tip: g.tips.has(index),
      receivedAt: g.receivedMs[index]!
    }
  }

  private kindAt(index: number): TxKind {
    if (index === 0) return TxKind.Genesis
    const bytes = this.ledger.bodyAt(index)
    return bytes ? kindOf(bytes) : TxKind.Data
  }

  /** CW(x) = 1 + the number of transactions approving x directly or not, counted up to a bound. */
  private cumulativeWeight(index: number): number {
    const seen = new Set<number>([index])
    const stack = [index]
    while (stack.length && seen.size < MAX_WEIGHT_COUNT) {
      this.graph.forEachApprover(stack.pop()!, (a) => {
        if (!seen.has(a)) {
          seen.add(a)
          stack.push(a)
        }
      })
    }
    return seen.size
  }
}
