// The tangle ledger service: validates and stores transactions in SQLite, keeps the graph in
// memory (rebuilt on open), attaches new transactions, and tracks outputs and double spends.
import type { KeyObject } from 'node:crypto'
import type { Db } from '../db/connection'
import { addressOf, sameBytes } from './address'
import { DecodeError, encodeEssence } from './codec'
import { TangleGraph, NONE, TxStatus } from './graph'
import { toHex, txId } from './hash'
import { DEFAULT_POW_BITS, solveProofOfWork } from './proofOfWork'
import { publicKeyBytes, SignatureVerifier, signBytes } from './signing'
import { Solidifier } from './solidifier'
import { DEFAULT_TIP_SELECTION, TipSelector, type Random, type TipSelectionOptions } from './tipSelection'
import { ID_BYTES, TxKind, type Payload, type Transaction } from './transaction'
import type { ParallelVerifier } from './parallelVerifier'
import { changedNothingSql } from './finality'
import { MilestoneRefusal, Milestones, type MilestoneEvaluation, type MilestoneInfo } from './milestones'
import { checkAllButSignature, checkIntrinsic, DEFAULT_MAX_SKEW_MS, signatureRefusal, signedPart, type Checked } from './validation'

export interface LedgerOptions {
  powBits: number
  maxSkewMs: number
  tipSelection: TipSelectionOptions
  solidifierCapacity: number
  random: Random
  now: () => number
}

export const DEFAULT_LEDGER_OPTIONS: LedgerOptions = {
  powBits: DEFAULT_POW_BITS,
  maxSkewMs: DEFAULT_MAX_SKEW_MS,
  tipSelection: DEFAULT_TIP_SELECTION,
  solidifierCapacity: 10_000,
  random: Math.random,
  now: Date.now
}

/** Amounts are stored as SQLite integers (signed 64-bit). */
const MAX_AMOUNT = (1n << 63n) - 1n
const ZERO_ID = new Uint8Array(ID_BYTES)
/** ids per id_chunks row: small enough to rewrite the last one on every commit */
export const ID_CHUNK = 256

export type IngestOutcome =
  | { status: 'accepted'; id: string; index: number }
  | { status: 'duplicate'; id: string }
  | { status: 'held'; id: string; reason: string }
  | { status: 'refused'; id?: string; reason: string }

type Valid = Extract<Checked, { ok: true }>

class Refused extends Error {}

export class Ledger {
  readonly graph = new TangleGraph()
  readonly selector: TipSelector
  readonly options: LedgerOptions
  private readonly verifier = new SignatureVerifier()
  private readonly solidifier: Solidifier<Valid>
  /** unresolved double spends: output key -> graph indexes of its spenders */
  readonly openConflicts = new Map<string, number[]>()
  /** milestones and their White Flag application: finality shared by every node */
  readonly milestones: Milestones
  private readonly sql
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
    this.selector.entryCeiling = () => this.belowOpenConflicts()
    this.milestones = new Milestones(db, this.graph)
    this.sql = {
      insertTx: db.prepare('INSERT INTO transactions (seq, id, trunk_seq, branch_seq, received_ms, status) VALUES (?, ?, ?, ?, ?, ?)'),
      insertBody: db.prepare(
        'INSERT INTO transaction_bodies (seq, essence_id, kind, issuer, timestamp_ms, bytes) VALUES (?, ?, ?, ?, ?, ?)'
      ),
      setMeta: db.prepare('INSERT INTO ledger_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      sameEssence: db.prepare('SELECT t.id FROM transaction_bodies b JOIN transactions t USING (seq) WHERE b.essence_id = ?').pluck(),
      insertApprover: db.prepare('INSERT OR IGNORE INTO approvers (parent_seq, approver_seq) VALUES (?, ?)'),
      deleteTip: db.prepare('DELETE FROM tips WHERE seq = ?'),
      insertTip: db.prepare('INSERT INTO tips (seq) VALUES (?)'),
      insertOutput: db.prepare('INSERT INTO outputs (tx_seq, idx, address, amount) VALUES (?, ?, ?, ?)'),
      output: db.prepare('SELECT address, amount FROM outputs WHERE tx_seq = ? AND idx = ?').safeIntegers(true),
      spenders: db.prepare('SELECT spender_seq FROM spends WHERE tx_seq = ? AND idx = ?').pluck(),
      insertSpend: db.prepare('INSERT INTO spends (tx_seq, idx, spender_seq) VALUES (?, ?, ?)'),
      openConflict: db.prepare('INSERT OR IGNORE INTO conflicts (tx_seq, idx, opened_ms) VALUES (?, ?, ?)'),
      count: db.prepare('SELECT count(*) FROM transactions').pluck(),
      transfersOf: db
        .prepare(
          `SELECT t.id, 'in' AS direction, SUM(o.amount) AS amount, t.seq, t.received_ms
             FROM outputs o JOIN transactions t ON t.seq = o.tx_seq JOIN transaction_bodies b ON b.seq = o.tx_seq
            WHERE o.address = :address AND NOT (b.issuer = :publicKey AND b.kind = 1) GROUP BY t.seq
           UNION ALL
           SELECT t.id, 'out', COALESCE((SELECT SUM(o.amount) FROM outputs o WHERE o.tx_seq = t.seq AND o.address != :address), 0), t.seq, t.received_ms
             FROM transaction_bodies b JOIN transactions t ON t.seq = b.seq
            WHERE b.issuer = :publicKey AND b.kind = 1
           ORDER BY 5 DESC LIMIT :limit`
        )
        .safeIntegers(true),
      loadIds: db.prepare('SELECT ids FROM id_chunks ORDER BY chunk').pluck(),
      loadGraph: db.prepare('SELECT trunk_seq, branch_seq, status, received_ms FROM transactions ORDER BY seq').raw(),
      saveIdChunk: db.prepare('INSERT INTO id_chunks (chunk, ids) VALUES (?, ?) ON CONFLICT(chunk) DO UPDATE SET ids = excluded.ids'),
      // per meaning of "changed nothing" (finality.ts): chosen at each call, a genesis may arrive later
      balance: ([false, true] as const).map((final) =>
        db
          .prepare(`SELECT COALESCE(SUM(o.amount), 0) FROM outputs o JOIN transactions t ON t.seq = o.tx_seq
                    WHERE o.address = ? AND NOT ${changedNothingSql(final, 't')} AND NOT EXISTS (
                      SELECT 1 FROM spends s JOIN transactions st ON st.seq = s.spender_seq
                      WHERE s.tx_seq = o.tx_seq AND s.idx = o.idx AND NOT ${changedNothingSql(final, 'st')})`)
          .pluck()
          .safeIntegers(true)
      ),
      unspent: ([false, true] as const).map((final) =>
        db
          .prepare(`SELECT t.id, o.idx, o.amount FROM outputs o JOIN transactions t ON t.seq = o.tx_seq
                    WHERE o.address = ? AND NOT ${changedNothingSql(final, 't')} AND NOT EXISTS (
                      SELECT 1 FROM spends s JOIN transactions st ON st.seq = s.spender_seq
                      WHERE s.tx_seq = o.tx_seq AND s.idx = o.idx AND NOT ${changedNothingSql(final, 'st')})
                    ORDER BY o.tx_seq, o.idx`)
          .safeIntegers(true)
      ),
      loadOpenConflicts: db.prepare(
        `SELECT c.tx_seq, c.idx, s.spender_seq FROM conflicts c JOIN spends s USING (tx_seq, idx) WHERE c.resolved_ms IS NULL`
      )
    }
    this.load()
  }

  /** Rebuilds the in-memory graph from the database, in arrival order. */
  private load(): void {
    const count = this.sql.count.get() as number
    this.graph.reserve(count)
    const ids = Buffer.concat(this.sql.loadIds.all() as Buffer[])
    if (ids.length !== count * ID_BYTES) throw new Error(`the id chunks hold ${ids.length / ID_BYTES} ids for ${count} transactions: the database is damaged`)
    let index = 0
    for (const row of this.sql.loadGraph.iterate() as Iterable<[number | null, number | null, number, number]>) {
      const [trunkSeq, branchSeq, status, receivedMs] = row
      const id = ids.subarray(index * ID_BYTES, ++index * ID_BYTES)
      this.graph.add(id, trunkSeq === null ? NONE : trunkSeq - 1, branchSeq === null ? NONE : branchSeq - 1, receivedMs, status, false)
    }
    this.graph.rebuildTips()
    for (const { tx_seq, idx, spender_seq } of this.sql.loadOpenConflicts.all() as { tx_seq: number; idx: number; spender_seq: number }[]) {
      const key = `${tx_seq}:${idx}`
      this.openConflicts.set(key, [...(this.openConflicts.get(key) ?? []), spender_seq - 1])
    }
    this.idChunksThrough = this.graph.size
  }

  /** The highest index below every parent of an open double spend's sides. */
  private belowOpenConflicts(): number {
    let ceiling = Number.POSITIVE_INFINITY
    for (const spenders of this.openConflicts.values()) {
      for (const s of spenders) ceiling = Math.min(ceiling, this.graph.trunk[s]!, this.graph.branch[s]!)
    }
    return ceiling
  }

  get isEmpty(): boolean {
    return this.graph.size === 0
  }

  /**
   * Mints the supply into the tangle's first transaction; only an empty tangle takes one. The
   * public keys in milestoneIssuers may sign milestones (none: this tangle has no milestones).
   */
  createGenesis(issuerKey: KeyObject, outputs: { address: Uint8Array; amount: bigint }[], milestoneIssuers: Uint8Array[] = []): IngestOutcome {
    const payload: Payload = { kind: TxKind.Genesis, outputs, ...(milestoneIssuers.length ? { milestoneIssuers } : {}) }
    const genesis = this.build(issuerKey, payload, [ZERO_ID, ZERO_ID])
    if (!genesis.ok) return { status: 'refused', reason: genesis.reason }
    return this.transaction(() => this.store(genesis))
  }

  /** Selects two tips, signs, does the proof of work and stores: what a wallet's send does. */
  attach(issuerKey: KeyObject, payload: Payload): IngestOutcome {
    return this.attachMany(issuerKey, [payload])[0]!
  }

  /** Attaches one after the other, committed together: one fsync for the lot. */
  attachMany(issuerKey: KeyObject, payloads: readonly Payload[]): IngestOutcome[] {
    return this.transaction(() =>
      payloads.map((payload): IngestOutcome => {
        if (this.isEmpty) return { status: 'refused', reason: 'the tangle has no genesis yet' }
        const [trunk, branch] = this.consistentPair(payload)
        const built = this.build(issuerKey, payload, [this.graph.idAt(trunk).slice(), this.graph.idAt(branch).slice()])
        return built.ok ? this.store(built) : { status: 'refused', reason: built.reason }
      })
    )
  }

  /**
   * Issues the next milestone, signed by a milestone issuer the genesis names, approving the two
   * oldest tips (the ones longest waiting for finality), and applies it.
   */
  issueMilestone(issuerKey: KeyObject): IngestOutcome {
    return this.transaction(() => {
      if (this.isEmpty) return { status: 'refused', reason: 'the tangle has no genesis yet' }
      const parents = this.milestoneParents()
      const evaluation = this.milestones.evaluate(parents)
      const payload: Payload = { kind: TxKind.Milestone, index: evaluation.index, previous: evaluation.previous, stateHash: evaluation.stateHash }
      const built = this.build(issuerKey, payload, [this.graph.idAt(parents[0]).slice(), this.graph.idAt(parents[1]).slice()])
      return built.ok ? this.store(built) : { status: 'refused', reason: built.reason }
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

  /**
   * With milestone issuers in the genesis, milestones decide conflicts, the same on every node; the
   * weighted walk's rejections and confirmations are this node's own view and must not refuse what
   * peers send (a node that refused a transaction another applied could never apply that milestone).
   */
  get finalByMilestones(): boolean {
    return this.milestones.genesisIssuers().length > 0
  }

  /** Encodes, signs and solves the proof of work for a transaction issued here. */
  private build(issuerKey: KeyObject, payload: Payload, [trunk, branch]: [Uint8Array, Uint8Array]): Checked {
    const essence = { trunk, branch, issuer: publicKeyBytes(issuerKey), timestampMs: Math.floor(this.options.now()), payload }
    let essenceBytes: Uint8Array
    try {
      essenceBytes = encodeEssence(essence)
    } catch (error) {
      if (error instanceof DecodeError) return { ok: false, reason: `malformed: ${error.message}` }
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
    return this.transaction(() =>
      checked.map((c) => (c.ok ? this.store(c) : { status: 'refused' as const, reason: c.reason, ...(c.id ? { id: toHex(c.id) } : {}) }))
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
    if (this.db.inTransaction) throw new Error('ledger writes inside a transaction the ledger did not open: wrap them in ledger.transaction')
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
    this.openConflicts.clear()
    this.milestones.reset()
    this.load()
  }

  /**
   * Transfers paying an address from elsewhere (in) or issued by its key (out, without the change),
   * each with its graph index for finality.ts.
   */
  transfersOf(address: Uint8Array, publicKey: Uint8Array, limit: number) {
    const rows = this.sql.transfersOf.all({ address, publicKey, limit }) as { id: Buffer; direction: 'in' | 'out'; amount: bigint; seq: bigint; received_ms: bigint }[]
    return rows.map((r) => ({ id: toHex(r.id), direction: r.direction, amount: r.amount, at: Number(r.seq) - 1, receivedAt: Number(r.received_ms) }))
  }

  /** Rewrites the id chunks that the transactions stored since the last save fell into. */
  private saveIdChunks(): void {
    const size = this.graph.size
    if (size === this.idChunksThrough) return
    for (let chunk = Math.floor(this.idChunksThrough / ID_CHUNK); chunk * ID_CHUNK < size; chunk++) {
      const end = Math.min(size, (chunk + 1) * ID_CHUNK)
      this.sql.saveIdChunk.run(chunk, this.graph.ids.subarray(chunk * ID_CHUNK * ID_BYTES, end * ID_BYTES))
    }
    this.idChunksThrough = size
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
    return this.sql.balance[Number(this.finalByMilestones)]!.get(address) as bigint
  }

  unspentOutputs(address: Uint8Array): { txId: Uint8Array; index: number; amount: bigint }[] {
    const rows = this.sql.unspent[Number(this.finalByMilestones)]!.all(address) as { id: Buffer; idx: bigint; amount: bigint }[]
    return rows.map((r) => ({ txId: new Uint8Array(r.id), index: Number(r.idx), amount: r.amount }))
  }

  /**
   * Stores a transaction, then whatever waited for it, and what waited for those: with an explicit
   * stack, since a chain held newest first is released thousands deep.
   */
  private store(valid: Valid): IngestOutcome {
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
    const original = this.sql.sameEssence.get(essenceId) as Buffer | undefined
    if (original) return { status: 'refused', id, reason: `a copy of ${toHex(original)} re-mined with another nonce` }
    try {
      const parents = this.parentsOf(valid)
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
      const spends = this.checkLedgerRules(valid.tx, parents.trunk, parents.branch)
      const index = this.insert(valid, essenceId, parents.trunk, parents.branch, spends)
      // applied in the same SQLite transaction that stores the milestone
      if (milestone) this.milestones.record(milestone, index, this.options.now())
      return { status: 'accepted', id, index }
    } catch (error) {
      if (error instanceof Refused || error instanceof MilestoneRefusal) return { status: 'refused', id, reason: error.message }
      throw error
    }
  }

  private parentsOf({ tx }: Valid): { trunk: number; branch: number } | { missing: Uint8Array } {
    if (tx.payload.kind === TxKind.Genesis) {
      if (!this.isEmpty) throw new Refused('a genesis is only accepted into an empty tangle')
      if (!sameBytes(tx.trunk, ZERO_ID) || !sameBytes(tx.branch, ZERO_ID)) throw new Refused('a genesis approves nothing: its parents must be zero')
      return { trunk: NONE, branch: NONE }
    }
    const trunk = this.graph.indexOf(tx.trunk)
    if (trunk === NONE) return { missing: tx.trunk }
    const branch = this.graph.indexOf(tx.branch)
    if (branch === NONE) return { missing: tx.branch }
    // a milestone may approve what this node's walk rejected: White Flag decides, the same on every node
    if (tx.payload.kind === TxKind.Milestone || this.finalByMilestones) return { trunk, branch }
    for (const parent of [trunk, branch]) {
      if (this.graph.invalid[parent] === 1) throw new Refused(`approves ${toHex(this.graph.idAt(parent))}, which is rejected or approves a rejected transaction`)
    }
    return { trunk, branch }
  }

  /** Outputs exist, belong to the issuer, add up, and the new transaction keeps its cone consistent. */
  private checkLedgerRules(tx: Transaction, trunk: number, branch: number): { txSeq: number; idx: number; key: string }[] {
    const payload = tx.payload
    // White Flag, not this check, decides between the sides of a double spend a milestone approves
    if (payload.kind === TxKind.Milestone) return []
    if (payload.kind !== TxKind.Data) {
      for (const [i, output] of payload.outputs.entries()) {
        if (output.amount > MAX_AMOUNT) throw new Refused(`output ${i} amount exceeds ${MAX_AMOUNT}`)
      }
    }
    if (payload.kind !== TxKind.Transfer) {
      this.checkConsistency(trunk, branch, [])
      return []
    }
    const owner = addressOf(tx.issuer)
    const spends: { txSeq: number; idx: number; key: string }[] = []
    let totalIn = 0n
    for (const [i, input] of payload.inputs.entries()) {
      const source = this.graph.indexOf(input.txId)
      if (source === NONE) throw new Refused(`input ${i} spends an output of unknown transaction ${toHex(input.txId)}`)
      if (this.graph.invalid[source] === 1 && !this.finalByMilestones) throw new Refused(`input ${i} spends an output of a rejected transaction`)
      const txSeq = source + 1
      const key = `${txSeq}:${input.index}`
      if (spends.some((s) => s.key === key)) throw new Refused(`input ${i} spends the same output twice`)
      const output = this.sql.output.get(txSeq, input.index) as { address: Buffer; amount: bigint } | undefined
      if (!output) throw new Refused(`input ${i}: transaction ${toHex(input.txId)} has no output ${input.index}`)
      if (!sameBytes(output.address, owner)) throw new Refused(`input ${i} is not owned by the issuer`)
      for (const spender of this.sql.spenders.all(txSeq, input.index) as number[]) {
        if (this.graph.status[spender - 1] === TxStatus.Confirmed && !this.finalByMilestones) throw new Refused(`input ${i} was already spent by a confirmed transaction`)
        if (this.approvesEither(trunk, branch, spender - 1)) throw new Refused(`input ${i} is already spent in this transaction's own past cone`)
      }
      totalIn += output.amount
      spends.push({ txSeq, idx: input.index, key })
    }
    const totalOut = payload.outputs.reduce((sum, o) => sum + o.amount, 0n)
    if (totalIn !== totalOut) throw new Refused(`inputs total ${totalIn} but outputs total ${totalOut}: a transfer neither mints nor burns`)
    this.checkConsistency(trunk, branch, spends.map((s) => s.key))
    return spends
  }

  /**
   * Refuses a transaction whose past cone, with its own spends, holds two spends of one output.
   * A spend a milestone referenced no longer counts: White Flag has decided it, the same on every
   * node, and a cone that approves a milestone over both sides is consistent.
   */
  private checkConsistency(trunk: number, branch: number, ownSpendKeys: string[]): void {
    for (const [key, spenders] of this.openConflicts) {
      const approved = spenders.filter((s) => this.milestones.referencedBy(s) === 0 && this.approvesEither(trunk, branch, s)).length
      if (approved + (ownSpendKeys.includes(key) ? 1 : 0) > 1) throw new Refused('inconsistent: its past cone holds both sides of a double spend')
    }
  }

  private approvesEither(trunk: number, branch: number, x: number): boolean {
    return (trunk !== NONE && this.graph.approves(trunk, x)) || (branch !== NONE && this.graph.approves(branch, x))
  }

  /** Picks a pair of tips that, with the payload's spends, holds no double spend (bounded tries). */
  private consistentPair(payload: Payload): [number, number] {
    for (let attempt = 0; ; attempt++) {
      const pair = this.selector.selectPair()
      if (this.openConflicts.size === 0 && payload.kind !== TxKind.Transfer) return pair
      try {
        this.checkLedgerRules({ payload } as Transaction, pair[0], pair[1])
        return pair
      } catch (error) {
        if (!(error instanceof Refused) || attempt >= 20) return pair
      }
    }
  }

  private insert(valid: Valid, essenceId: Uint8Array, trunk: number, branch: number, spends: { txSeq: number; idx: number; key: string }[]): number {
    const { tx, id, bytes } = valid
    const seq = this.graph.size + 1
    const receivedMs = this.options.now()
    const trunkSeq = trunk === NONE ? null : trunk + 1
    const branchSeq = branch === NONE ? null : branch + 1
    this.sql.insertTx.run(seq, id, trunkSeq, branchSeq, receivedMs, TxStatus.Pending)
    // the proof of work this tangle asks for, recorded with its genesis however it arrived (made
    // here or taken from a peer), so tangle verify checks every transaction against it
    if (tx.payload.kind === TxKind.Genesis) this.sql.setMeta.run('pow_bits', this.options.powBits)
    this.sql.insertBody.run(seq, essenceId, tx.payload.kind, tx.issuer, tx.timestampMs, bytes)
    for (const parentSeq of new Set([trunkSeq, branchSeq])) {
      if (parentSeq === null) continue
      this.sql.insertApprover.run(parentSeq, seq)
      this.sql.deleteTip.run(parentSeq)
    }
    this.sql.insertTip.run(seq)
    if (tx.payload.kind === TxKind.Genesis || tx.payload.kind === TxKind.Transfer) {
      tx.payload.outputs.forEach((o, i) => this.sql.insertOutput.run(seq, i, o.address, o.amount))
    }
    for (const spend of spends) {
      const earlier = this.sql.spenders.all(spend.txSeq, spend.idx) as number[]
      this.sql.insertSpend.run(spend.txSeq, spend.idx, seq)
      if (earlier.length) {
        this.sql.openConflict.run(spend.txSeq, spend.idx, receivedMs)
        this.openConflicts.set(spend.key, [...earlier.map((s) => s - 1), seq - 1])
      }
    }
    const index = this.graph.add(id, trunk, branch, receivedMs)
    this.stored.push(index)
    return index
  }
}
