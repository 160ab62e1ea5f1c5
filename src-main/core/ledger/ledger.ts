// The tangle ledger: the one place transactions are stored. It keeps the graph in memory (rebuilt
// on open), attaches new transactions, holds those whose parents have not arrived, and commits
// each batch in one SQLite transaction; the rules (rules.ts) decide what may be stored, the store
// (store.ts) writes it.
import type { KeyObject } from 'node:crypto'
import type { Db } from '../db/connection'
import { DecodeError, encodeEssence } from './codec'
import { TangleGraph, NONE, type TxStatus } from './graph'
import { toHex, txId } from './hash'
import { DEFAULT_POW_BITS, solveProofOfWork } from './proofOfWork'
import { publicKeyBytes, SignatureVerifier, signBytes } from './signing'
import { Solidifier } from './solidifier'
import { DEFAULT_TIP_SELECTION, TipSelector, type Random, type TipSelectionOptions } from './tipSelection'
import { TxKind, type Payload, type Transaction } from './transaction'
import type { ParallelVerifier } from './parallelVerifier'
import { DEFAULT_INGEST_CAPACITY, IngestQueue, type IngestCounters, type IngestSource } from './ingestQueue'
import type { IngestOutcome } from './ingestOutcome'
import { LedgerRules, Refused, ZERO_ID } from './rules'
import { TangleStore } from './store'
import { MilestoneRefusal, Milestones, type MilestoneEvaluation, type MilestoneInfo } from './milestones'
import { checkAllButSignature, checkIntrinsic, DEFAULT_MAX_SKEW_MS, signatureRefusal, signedPart, type Checked } from './validation'

/** a data transaction that only joins two tips before a milestone */
export const CHECKPOINT_TOPIC = 'milestone.checkpoint'
/** checkpoints before one milestone at most: what is left waits for the next */
const MAX_CHECKPOINTS = 256

export interface LedgerOptions {
  powBits: number
  maxSkewMs: number
  tipSelection: TipSelectionOptions
  solidifierCapacity: number
  /** peers' transactions that may wait to be stored (ingestQueue.ts) */
  ingestCapacity: number
  random: Random
  now: () => number
}

export const DEFAULT_LEDGER_OPTIONS: LedgerOptions = {
  powBits: DEFAULT_POW_BITS,
  maxSkewMs: DEFAULT_MAX_SKEW_MS,
  tipSelection: DEFAULT_TIP_SELECTION,
  solidifierCapacity: 10_000,
  ingestCapacity: DEFAULT_INGEST_CAPACITY,
  random: Math.random,
  now: Date.now
}

export { REFUSAL_CODES, type IngestOutcome, type RefusalCode } from './ingestOutcome'

type Valid = Extract<Checked, { ok: true }>

const NO_GENESIS: IngestOutcome = { status: 'refused', code: 'no_genesis', reason: 'the tangle has no genesis yet' }

export class Ledger {
  readonly graph = new TangleGraph()
  readonly selector: TipSelector
  readonly options: LedgerOptions
  private readonly verifier = new SignatureVerifier()
  private readonly solidifier: Solidifier<Valid>
  /** milestones and their White Flag application: finality shared by every node */
  readonly milestones: Milestones
  private readonly store: TangleStore
  private readonly rules: LedgerRules
  /** the one way in: peers' transactions queue here, the node's own attaches go ahead (ingestQueue.ts) */
  readonly ingestQueue: IngestQueue
  private readonly stored: number[] = []
  private readonly storedListeners = new Set<(indexes: number[]) => void>()
  /** how deep the current call is in nested transactions (0: none open) */
  private depth = 0
  /** the graph size up to which the id chunks in the database are written */
  private idChunksThrough = 0

  constructor(
    private readonly db: Db,
    options: Partial<LedgerOptions> = {}
  ) {
    this.options = { ...DEFAULT_LEDGER_OPTIONS, ...options }
    this.selector = new TipSelector(this.graph, this.options.random, this.options.tipSelection)
    this.solidifier = new Solidifier(this.options.solidifierCapacity)
    this.store = new TangleStore(db)
    this.milestones = new Milestones(db, this.graph, this.store)
    this.rules = new LedgerRules(this.graph, this.store, this.milestones)
    this.selector.entryCeiling = () => this.rules.belowOpenConflicts()
    this.ingestQueue = new IngestQueue(
      { commit: (work) => this.transaction(work), store: (checked) => this.storeChecked(checked), size: () => this.graph.size },
      this.options.ingestCapacity
    )
    this.load()
  }

  /** Rebuilds the in-memory graph and the open conflicts from the database. */
  private load(): void {
    this.rules.openConflicts = this.store.loadInto(this.graph)
    this.idChunksThrough = this.graph.size
  }

  /** unresolved double spends: output key -> graph indexes of its spenders */
  get openConflicts(): Map<string, number[]> {
    return this.rules.openConflicts
  }

  get isEmpty(): boolean {
    return this.graph.size === 0
  }

  // What the network asks of the tangle, so it reads no internal of the ledger's.

  /** transactions stored */
  get size(): number {
    return this.graph.size
  }

  /** the graph index of a stored transaction, NONE when it is not here */
  indexOf(id: Uint8Array): number {
    return this.graph.indexOf(id)
  }

  idAt(index: number): Uint8Array {
    return this.graph.idAt(index)
  }

  /** the milestone issuers the genesis names (none on a ledger from before milestones) */
  genesisIssuers(): Uint8Array[] {
    return this.milestones.genesisIssuers()
  }

  /** Queues checked transactions from a peer behind those before them (ingestQueue.ts). */
  submit(source: IngestSource, checked: readonly Checked[], alongside?: () => void): Promise<IngestOutcome[]> {
    return this.ingestQueue.submit(source, checked, alongside)
  }

  /** As submit, but null instead of waiting when the queue is full. */
  offer(source: IngestSource, checked: readonly Checked[], alongside?: () => void): Promise<IngestOutcome[]> | null {
    return this.ingestQueue.offer(source, checked, alongside)
  }

  get ingestCounters(): IngestCounters {
    return this.ingestQueue.counters
  }

  /** Refuses what is still queued, with the reason, and everything offered after. */
  closeIngest(reason: string): void {
    this.ingestQueue.close(reason)
  }

  /**
   * Mints the supply into the tangle's first transaction; only an empty tangle takes one. The
   * public keys in milestoneIssuers may sign milestones (none: this tangle has no milestones).
   */
  createGenesis(
    issuerKey: KeyObject,
    outputs: { address: Uint8Array; amount: bigint }[],
    milestoneIssuers: Uint8Array[] = []
  ): IngestOutcome {
    const payload: Payload = { kind: TxKind.Genesis, outputs, ...(milestoneIssuers.length ? { milestoneIssuers } : {}) }
    const genesis = this.build(issuerKey, payload, [ZERO_ID, ZERO_ID])
    if (!genesis.ok) return { status: 'refused', code: genesis.code, reason: genesis.reason }
    return this.ingestQueue.local(() => this.storeAndRelease(genesis))
  }

  /** Selects two tips, signs, does the proof of work and stores: what a wallet's send does. */
  attach(issuerKey: KeyObject, payload: Payload): IngestOutcome {
    return this.attachMany(issuerKey, [payload])[0]!
  }

  /** Attaches one after the other, committed together: one fsync for the lot. */
  attachMany(issuerKey: KeyObject, payloads: readonly Payload[]): IngestOutcome[] {
    return this.ingestQueue.local(() =>
      payloads.map((payload): IngestOutcome => {
        if (this.isEmpty) return NO_GENESIS
        const [trunk, branch] = this.consistentPair(publicKeyBytes(issuerKey), payload)
        const built = this.build(issuerKey, payload, [this.graph.idAt(trunk).slice(), this.graph.idAt(branch).slice()])
        return built.ok ? this.storeAndRelease(built) : { status: 'refused', code: built.code, reason: built.reason }
      })
    )
  }

  /**
   * Issues the next milestone, signed by a milestone issuer the genesis names, approving the two
   * oldest tips (the ones longest waiting for finality), and applies it. With `referenceAllTips`,
   * checkpoints first join the other tips two by two (as IOTA's coordinator did), so the
   * milestone references everything stored here: a market slot's close needs every input in.
   */
  issueMilestone(issuerKey: KeyObject, { referenceAllTips = false } = {}): IngestOutcome {
    return this.ingestQueue.local(() => {
      if (this.isEmpty) return NO_GENESIS
      for (let joined = 0; referenceAllTips && this.graph.tips.size > 2 && joined < MAX_CHECKPOINTS; joined++) {
        const [trunk, branch] = this.milestoneParents()
        const checkpoint = this.build(issuerKey, { kind: TxKind.Data, topic: CHECKPOINT_TOPIC, body: new Uint8Array(0) }, [
          this.graph.idAt(trunk).slice(),
          this.graph.idAt(branch).slice()
        ])
        if (!checkpoint.ok) return { status: 'refused', code: checkpoint.code, reason: checkpoint.reason }
        const stored = this.storeAndRelease(checkpoint)
        if (stored.status !== 'accepted') return stored
      }
      const parents = this.milestoneParents()
      const evaluation = this.milestones.evaluate(parents)
      const payload: Payload = {
        kind: TxKind.Milestone,
        index: evaluation.index,
        previous: evaluation.previous,
        stateHash: evaluation.stateHash
      }
      const built = this.build(issuerKey, payload, [this.graph.idAt(parents[0]).slice(), this.graph.idAt(parents[1]).slice()])
      return built.ok ? this.storeAndRelease(built) : { status: 'refused', code: built.code, reason: built.reason }
    })
  }

  /** The latest applied milestone, or null before the first. */
  latestMilestone(): MilestoneInfo | null {
    return this.milestones.latest()
  }

  /**
   * The two oldest tips, whatever this node's walk thinks of them: White Flag marks a conflicting
   * side as such, and a tip left out because one node's walk rejected it would never be final.
   */
  private milestoneParents(): [number, number] {
    const [first, second] = [...this.graph.tips.values()].sort((a, b) => a - b)
    return [first!, second ?? first!]
  }

  /** Milestones decide conflicts (the genesis names milestone issuers): see rules.ts. */
  get finalByMilestones(): boolean {
    return this.rules.finalByMilestones
  }

  walkStatusAt(at: number): TxStatus {
    return this.graph.status[at] as TxStatus
  }

  milestoneReferencing(at: number): number {
    return this.milestones.referencedBy(at)
  }

  /**
   * Whether a milestone issued now would take in something new: a tip no milestone references yet
   * (a referenced transaction that is still a tip can only be the latest milestone).
   */
  awaitsMilestone(): boolean {
    if (this.isEmpty) return false
    return this.graph.tips.values().some((tip) => this.milestones.referencedBy(tip) === 0)
  }

  appliedByMilestone(at: number): boolean | undefined {
    return this.milestones.outcomeOf(at)?.applied
  }

  /** Encodes, signs and solves the proof of work for a transaction issued here. */
  private build(issuerKey: KeyObject, payload: Payload, [trunk, branch]: [Uint8Array, Uint8Array]): Checked {
    const essence = { trunk, branch, issuer: publicKeyBytes(issuerKey), timestampMs: Math.floor(this.options.now()), payload }
    let essenceBytes: Uint8Array
    try {
      essenceBytes = encodeEssence(essence)
    } catch (error) {
      if (error instanceof DecodeError) return { ok: false, code: 'malformed', reason: `malformed: ${error.message}` }
      throw error
    }
    const signature = signBytes(issuerKey, essenceBytes)
    const prefix = new Uint8Array(essenceBytes.length + signature.length)
    prefix.set(essenceBytes)
    prefix.set(signature, essenceBytes.length)
    const { nonce, id } = solveProofOfWork(prefix, this.options.powBits)
    const bytes = new Uint8Array(prefix.length + 8)
    bytes.set(prefix)
    new DataView(bytes.buffer).setBigUint64(prefix.length, nonce, true)
    const tx: Transaction = { ...essence, signature, nonce }
    return { ok: true, tx, id, bytes, essenceLength: essenceBytes.length }
  }

  /**
   * Validates received transactions fully and stores the valid ones in one database
   * transaction (one fsync for the batch). Each gets an outcome with a reason when refused.
   */
  ingest(batch: readonly Uint8Array[]): IngestOutcome[] {
    const now = this.options.now()
    const checked = batch.map((bytes) => checkIntrinsic(bytes, this.options, now, this.verifier))
    return this.ingestChecked(checked)
  }

  /** As ingest, with the signatures verified across threads: the fast path for bulk ingest. */
  async ingestParallel(batch: readonly Uint8Array[], verifier: ParallelVerifier): Promise<IngestOutcome[]> {
    const now = this.options.now()
    const checked = batch.map((bytes) => checkAllButSignature(bytes, this.options, now))
    const valid = checked.filter((c): c is Valid => c.ok)
    const holds = await verifier.verifyAll(valid.map(signedPart))
    const refused = new Set(valid.filter((_, i) => !holds[i]))
    return this.ingestChecked(checked.map((c) => (c.ok && refused.has(c) ? signatureRefusal(c) : c)))
  }

  /** Stores transactions whose intrinsic checks (signature included) were done elsewhere. */
  ingestChecked(checked: readonly Checked[]): IngestOutcome[] {
    return this.transaction(() => this.storeChecked(checked))
  }

  /** Stores checked transactions inside the caller's transaction. */
  private storeChecked(checked: readonly Checked[]): IngestOutcome[] {
    return checked.map((c) =>
      c.ok ? this.storeAndRelease(c) : { status: 'refused' as const, code: c.code, reason: c.reason, ...(c.id ? { id: toHex(c.id) } : {}) }
    )
  }

  /**
   * Runs work in one database transaction: ledger writes and the caller's own rows commit
   * together or not at all. A call inside another joins it as a savepoint, so the outermost one
   * commits. The graph and conflict indexes change as the work goes; whenever the database rolls
   * back (disk full, I/O error, the caller's own failure), they are rebuilt from what the
   * database holds, so memory never claims what was not committed. Listeners hear of stored
   * transactions once the outermost transaction has committed.
   */
  transaction<T>(work: () => T): T {
    if (this.depth > 0) return this.savepoint(work)
    // a savepoint inside someone else's transaction would tell listeners of writes not yet committed
    if (this.db.inTransaction)
      throw new Error('ledger writes inside a transaction the ledger did not open: wrap them in ledger.transaction')
    this.depth++
    let result: T
    try {
      result = this.db.transaction(() => {
        const done = work()
        this.saveIdChunks()
        return done
      })()
    } catch (error) {
      this.stored.length = 0
      this.reload()
      throw error
    } finally {
      this.depth--
    }
    const committed = this.stored.splice(0)
    if (committed.length) for (const listener of this.storedListeners) listener(committed)
    return result
  }

  /** A nested transaction: on failure its writes roll back and the outer one goes on without them. */
  private savepoint<T>(work: () => T): T {
    // the outer work's own stores get their id chunks first, so a rebuild below finds them
    this.saveIdChunks()
    const storedBefore = this.stored.length
    this.depth++
    try {
      return this.db.transaction(() => {
        const done = work()
        this.saveIdChunks()
        return done
      })()
    } catch (error) {
      this.stored.length = storedBefore
      this.reload()
      throw error
    } finally {
      this.depth--
    }
  }

  /** Forgets the graph and the open conflicts and reads them again from the database. */
  private reload(): void {
    this.graph.clear()
    this.milestones.reset()
    this.load()
  }

  /**
   * Transfers paying an address from elsewhere (in) or issued by its key (out, without the change),
   * each with its graph index for finality.ts.
   */
  transfersOf(address: Uint8Array, publicKey: Uint8Array, limit: number) {
    return this.store
      .transfersOf(address, publicKey, limit)
      .map((r) => ({ id: toHex(r.id), direction: r.direction, amount: r.amount, at: Number(r.seq) - 1, receivedAt: Number(r.received_ms) }))
  }

  /** The encoded transaction, if it is held: the graph answers for an id not held, so that costs no read. */
  bytesOf(id: Uint8Array): Uint8Array | undefined {
    const index = this.graph.indexOf(id)
    const bytes = index === NONE ? undefined : this.store.bodyAt(index)
    return bytes && new Uint8Array(bytes)
  }

  /** The encoded transaction at this graph index, if any. */
  bodyAt(index: number): Buffer | undefined {
    return this.store.bodyAt(index)
  }

  /** Rewrites the id chunks that the transactions stored since the last save fell into. */
  private saveIdChunks(): void {
    if (this.graph.size === this.idChunksThrough) return
    this.store.saveIdChunks(this.graph, this.idChunksThrough)
    this.idChunksThrough = this.graph.size
  }

  /** Called after each commit with the graph indexes it stored. */
  onStored(listener: (indexes: number[]) => void): () => void {
    this.storedListeners.add(listener)
    return () => this.storedListeners.delete(listener)
  }

  /**
   * Base units held by an address: outputs of transactions that are not rejected or conflicting
   * (finality.ts), not spent by one that is neither.
   */
  balanceOf(address: Uint8Array): bigint {
    return this.store.balanceOf(address, this.finalByMilestones)
  }

  unspentOutputs(address: Uint8Array): { txId: Uint8Array; index: number; amount: bigint }[] {
    return this.store.unspentOutputs(address, this.finalByMilestones)
  }

  /**
   * Stores a transaction, then whatever waited for it, and what waited for those: with an explicit
   * stack, since a chain held newest first is released thousands deep.
   */
  private storeAndRelease(valid: Valid): IngestOutcome {
    const outcome = this.storeOne(valid)
    if (outcome.status !== 'accepted') return outcome
    const released = this.solidifier.release(valid.id).reverse()
    while (released.length) {
      const child = released.pop()!
      if (this.storeOne(child).status === 'accepted') released.push(...this.solidifier.release(child.id).reverse())
    }
    return outcome
  }

  private storeOne(valid: Valid): IngestOutcome {
    const id = toHex(valid.id)
    if (this.graph.indexOf(valid.id) !== NONE) return { status: 'duplicate', id }
    const essenceId = txId(valid.bytes.subarray(0, valid.essenceLength))
    const original = this.store.sameEssence(valid.tx.timestampMs, essenceId)
    if (original) return { status: 'refused', id, code: 're_mined', reason: `a copy of ${toHex(original)} re-mined with another nonce` }
    try {
      const parents = this.rules.parentsOf(valid.tx)
      if ('missing' in parents) {
        this.solidifier.hold(parents.missing, valid)
        return { status: 'held', id, reason: `waiting for parent ${toHex(parents.missing)}` }
      }
      let milestone: MilestoneEvaluation | undefined
      if (valid.tx.payload.kind === TxKind.Milestone) {
        const checked = this.milestones.check(valid.tx, [parents.trunk, parents.branch])
        if ('missing' in checked) {
          this.solidifier.hold(checked.missing, valid)
          return { status: 'held', id, reason: `waiting for previous milestone ${toHex(checked.missing)}` }
        }
        milestone = checked
      }
      const spends = this.rules.spendsOf(valid.tx, parents.trunk, parents.branch)
      const row = { ...valid, essenceId, ...parents, receivedMs: this.options.now(), spends, powBits: this.options.powBits }
      const doubleSpent = this.store.insert(row, this.graph.size + 1)
      const index = this.graph.add(valid.id, parents.trunk, parents.branch, row.receivedMs)
      this.rules.opened(doubleSpent, index)
      this.stored.push(index)
      // applied in the same SQLite transaction that stores the milestone
      if (milestone) this.milestones.record(milestone, index, this.options.now())
      return { status: 'accepted', id, index }
    } catch (error) {
      if (error instanceof Refused || error instanceof MilestoneRefusal)
        return { status: 'refused', id, code: error.refusal, reason: error.message }
      throw error
    }
  }

  /** Picks a pair of tips that, with the payload's spends, holds no double spend (bounded tries). */
  private consistentPair(issuer: Uint8Array, payload: Payload): [number, number] {
    for (let attempt = 0; ; attempt++) {
      const pair = this.selector.selectPair()
      if (attempt >= 20 || this.rules.wouldAccept(issuer, payload, pair[0], pair[1])) return pair
    }
  }
}
