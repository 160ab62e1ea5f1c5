// What "confirmed" means to an operator: final by a milestone where the genesis names milestone
// issuers (the walk only pre-confirms), the walk's verdict on a tangle from before milestones; and
// balances count exactly what those states say changed the ledger.
import type { KeyObject } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../../../src-main/core/db/connection'
import { addressOf } from '../../../../../src-main/core/ledger/address'
import { encodeEssence, encodeTransaction } from '../../../../../src-main/core/ledger/codec'
import { ConfirmationTracker } from '../../../../../src-main/core/ledger/confirmation'
import { finalityOf, stateCounts } from '../../../../../src-main/core/ledger/finality'
import { TxStatus } from '../../../../../src-main/core/ledger/graph'
import { Ledger, type IngestOutcome } from '../../../../../src-main/core/ledger/ledger'
import { solveProofOfWork } from '../../../../../src-main/core/ledger/proofOfWork'
import { privateKeyFromSeed, publicKeyBytes, signBytes } from '../../../../../src-main/core/ledger/signing'
import { TxKind, type Essence, type Payload } from '../../../../../src-main/core/ledger/transaction'
import { seededRandom } from '../../../../../src-shared/random'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const treasury = privateKeyFromSeed(new Uint8Array(32).fill(1))
const alice = privateKeyFromSeed(new Uint8Array(32).fill(2))
const bob = privateKeyFromSeed(new Uint8Array(32).fill(3))
const address = (key: KeyObject) => addressOf(publicKeyBytes(key))
const SUPPLY = 1000n

/** A ledger with its genesis (naming the treasury as milestone issuer, or no one) and a walk tracker. */
function setUp({ issuers, seed = 3 }: { issuers: boolean; seed?: number }) {
  const db = openDatabase(join(tempDir(), 'ledger.sqlite'))
  const ledger = new Ledger(db, {
    powBits: 2,
    random: seededRandom(seed),
    tipSelection: { alpha: 0.2, window: 64, windowPerTip: 50, maxWindow: 8192 }
  })
  const genesis = indexOf(
    ledger.createGenesis(treasury, [{ address: address(treasury), amount: SUPPLY }], issuers ? [publicKeyBytes(treasury)] : [])
  )
  const tracker = new ConfirmationTracker(ledger, db, { walks: 64, threshold: 0.9, window: 20_000 })
  return { db, ledger, tracker, genesis }
}

function indexOf(outcome: IngestOutcome | undefined): number {
  if (outcome?.status !== 'accepted') throw new Error(JSON.stringify(outcome))
  return outcome.index
}

const data = (ledger: Ledger, i: number) =>
  indexOf(ledger.attach(alice, { kind: TxKind.Data, topic: 'meter', body: new Uint8Array([i & 255]) }))
const payAll = (ledger: Ledger, genesis: number, to: KeyObject): Payload => ({
  kind: TxKind.Transfer,
  inputs: [{ txId: ledger.graph.idAt(genesis).slice(), index: 0 }],
  outputs: [{ address: address(to), amount: SUPPLY }]
})

/** A treasury transaction with parents chosen here, as another node may have chosen them. */
function signedWithParents(ledger: Ledger, trunk: number, branch: number, payload: Payload): Uint8Array {
  const essence: Essence = {
    trunk: ledger.graph.idAt(trunk).slice(),
    branch: ledger.graph.idAt(branch).slice(),
    issuer: publicKeyBytes(treasury),
    timestampMs: Date.now(),
    payload
  }
  const signature = signBytes(treasury, encodeEssence(essence))
  const prefix = encodeTransaction({ ...essence, signature, nonce: 0n }).slice(0, -8)
  return encodeTransaction({ ...essence, signature, nonce: solveProofOfWork(prefix, 2).nonce })
}

/** Two spends of the genesis output, in parts of the tangle that do not approve each other. */
function doubleSpend(ledger: Ledger, genesis: number): [toAlice: number, toBob: number] {
  for (let i = 0; i < 12; i++) data(ledger, i)
  const tip = ledger.graph.tips.at(0)
  const parent = ledger.graph.trunk[tip]!
  const [toAlice, toBob] = ledger.ingest([
    signedWithParents(ledger, tip, tip, payAll(ledger, genesis, alice)),
    signedWithParents(ledger, parent, parent, payAll(ledger, genesis, bob))
  ])
  return [indexOf(toAlice), indexOf(toBob)]
}

/** Milestones until every transaction is referenced (bounded). */
function finalizeAll(ledger: Ledger): void {
  for (let i = 0; ledger.awaitsMilestone() && i < 20; i++) indexOf(ledger.issueMilestone(treasury))
  expect(ledger.awaitsMilestone()).toBe(false)
}

describe('finality on a ledger whose genesis names milestone issuers', () => {
  it('keeps a transfer pending until a milestone applies it, then names that milestone', () => {
    const { db, ledger, genesis } = setUp({ issuers: true })
    indexOf(ledger.issueMilestone(treasury))
    expect(finalityOf(ledger, genesis)).toEqual({ state: 'confirmed', milestone: 1 })

    const transfer = indexOf(
      ledger.attach(treasury, {
        kind: TxKind.Transfer,
        inputs: [{ txId: ledger.graph.idAt(genesis).slice(), index: 0 }],
        outputs: [
          { address: address(alice), amount: 300n },
          { address: address(treasury), amount: 700n }
        ]
      })
    )
    expect(finalityOf(ledger, transfer)).toEqual({ state: 'pending', milestone: null })
    expect(stateCounts(db)).toMatchObject({ transactions: 3, confirmed: 2, pending: 1, preconfirmed: 0, conflicting: 0, rejected: 0 })

    const milestone = indexOf(ledger.issueMilestone(treasury))
    expect(finalityOf(ledger, transfer)).toEqual({ state: 'confirmed', milestone: 2 })
    expect(finalityOf(ledger, milestone)).toEqual({ state: 'confirmed', milestone: 2 })
    expect(stateCounts(db)).toMatchObject({ transactions: 4, confirmed: 4, pending: 0 })
    expect([ledger.balanceOf(address(alice)), ledger.balanceOf(address(treasury))]).toEqual([300n, 700n])
  })

  it('calls a transaction the walk confirmed pre-confirmed, not confirmed, until a milestone references it', () => {
    const { db, ledger, tracker } = setUp({ issuers: true })
    const first = data(ledger, 0)
    for (let round = 0; ledger.graph.status[first] !== TxStatus.Confirmed && round < 200; round++) {
      for (let i = 0; i < 5; i++) data(ledger, i)
      tracker.update()
    }
    expect(ledger.graph.status[first]).toBe(TxStatus.Confirmed)
    expect(finalityOf(ledger, first)).toEqual({ state: 'preconfirmed', milestone: null })
    const before = stateCounts(db)
    expect(before.confirmed).toBe(0)
    expect(before.preconfirmed).toBeGreaterThan(0)
    expect(before.preconfirmed + before.pending).toBe(before.transactions)

    finalizeAll(ledger)
    expect(finalityOf(ledger, first)).toMatchObject({ state: 'confirmed', milestone: expect.any(Number) })
    expect(stateCounts(db)).toMatchObject({ preconfirmed: 0, pending: 0, confirmed: ledger.graph.size })
  })

  it('marks the side of a double spend White Flag did not apply conflicting, and counts nothing it paid', () => {
    const { db, ledger, genesis } = setUp({ issuers: true })
    const [toAlice, toBob] = doubleSpend(ledger, genesis)
    expect([finalityOf(ledger, toAlice).state, finalityOf(ledger, toBob).state]).toEqual(['pending', 'pending'])

    finalizeAll(ledger)
    const states = [finalityOf(ledger, toAlice), finalityOf(ledger, toBob)]
    expect(states.map((s) => s.state).sort()).toEqual(['confirmed', 'conflicting'])
    expect(states.every((s) => s.milestone !== null && s.milestone > 0)).toBe(true)
    const [winner, loser] = states[0]!.state === 'confirmed' ? [alice, bob] : [bob, alice]
    expect(ledger.balanceOf(address(winner))).toBe(SUPPLY)
    expect(ledger.balanceOf(address(loser))).toBe(0n)
    expect(ledger.unspentOutputs(address(loser))).toEqual([])
    expect(ledger.balanceOf(address(treasury))).toBe(0n)
    expect(stateCounts(db)).toMatchObject({ conflicting: 1, confirmed: ledger.graph.size - 1, pending: 0 })
  })
})

describe('finality on a ledger whose genesis names no milestone issuers (data dirs from before milestones)', () => {
  it("keeps the walk's meaning: confirmed and rejected are its verdicts, no milestone, nothing pre-confirmed", () => {
    const { db, ledger, tracker, genesis } = setUp({ issuers: false })
    const [toAlice, toBob] = doubleSpend(ledger, genesis)
    expect(finalityOf(ledger, toAlice)).toEqual({ state: 'pending', milestone: null })
    for (let round = 0; ledger.openConflicts.size > 0 && round < 200; round++) {
      for (let i = 0; i < 5; i++) data(ledger, i)
      tracker.update()
    }
    const states = [finalityOf(ledger, toAlice), finalityOf(ledger, toBob)]
    expect(states.map((s) => s.state).sort()).toEqual(['confirmed', 'rejected'])
    expect(states.map((s) => s.milestone)).toEqual([null, null])
    const [winner, loser] = states[0]!.state === 'confirmed' ? [alice, bob] : [bob, alice]
    expect([ledger.balanceOf(address(winner)), ledger.balanceOf(address(loser))]).toEqual([SUPPLY, 0n])
    const counts = stateCounts(db)
    expect(counts).toMatchObject({ preconfirmed: 0, conflicting: 0 })
    expect(counts.rejected).toBeGreaterThan(0)
    expect(counts.confirmed + counts.pending + counts.rejected).toBe(counts.transactions)
  })
})
