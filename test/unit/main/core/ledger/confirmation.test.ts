import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../../../src-main/core/db/connection'
import { addressOf } from '../../../../../src-main/core/ledger/address'
import { encodeEssence, encodeTransaction } from '../../../../../src-main/core/ledger/codec'
import { ConfirmationTracker } from '../../../../../src-main/core/ledger/confirmation'
import { TxStatus } from '../../../../../src-main/core/ledger/graph'
import { fromHex } from '../../../../../src-main/core/ledger/hash'
import { Ledger, type IngestOutcome } from '../../../../../src-main/core/ledger/ledger'
import { solveProofOfWork } from '../../../../../src-main/core/ledger/proofOfWork'
import { privateKeyFromSeed, publicKeyBytes, signBytes } from '../../../../../src-main/core/ledger/signing'
import { seededRandom } from '../../../../../src-shared/random'
import { TxKind, type Essence } from '../../../../../src-main/core/ledger/transaction'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const treasury = privateKeyFromSeed(new Uint8Array(32).fill(1))
const alice = privateKeyFromSeed(new Uint8Array(32).fill(2))
const bob = privateKeyFromSeed(new Uint8Array(32).fill(3))
const address = (key: typeof alice) => addressOf(publicKeyBytes(key))
const SUPPLY = 1000n

function setUp(seed: number) {
  const db = openDatabase(join(tempDir(), 'ledger.sqlite'))
  const ledger = new Ledger(db, {
    powBits: 2,
    random: seededRandom(seed),
    tipSelection: { alpha: 0.2, window: 64, windowPerTip: 50, maxWindow: 8192 }
  })
  const genesis = ledger.createGenesis(treasury, [{ address: address(treasury), amount: SUPPLY }])
  const tracker = new ConfirmationTracker(ledger, db, { walks: 64, threshold: 0.9, window: 20_000 })
  return { db, ledger, tracker, genesisId: fromHex(idOf(genesis)) }
}

function idOf(outcome: IngestOutcome): string {
  if (outcome.status !== 'accepted') throw new Error(JSON.stringify(outcome))
  return outcome.id
}

const data = (ledger: Ledger, i: number) =>
  idOf(ledger.attach(alice, { kind: TxKind.Data, topic: 'meter', body: new Uint8Array([i & 255]) }))

function issueWithParents(essence: Essence): Uint8Array {
  const signature = signBytes(treasury, encodeEssence(essence))
  const prefix = encodeTransaction({ ...essence, signature, nonce: 0n }).slice(0, -8)
  return encodeTransaction({ ...essence, signature, nonce: solveProofOfWork(prefix, 2).nonce })
}

describe('confirmation', () => {
  it('confirms what every walk approves and leaves the newest pending', () => {
    const { ledger, tracker } = setUp(1)
    for (let i = 0; i < 60; i++) data(ledger, i)
    const confidence = tracker.confidence()
    expect(confidence.get(0)).toBe(1)
    const changes = tracker.update()
    expect(changes.some((c) => c.index === 0 && c.status === TxStatus.Confirmed)).toBe(true)
    const tips = [...ledger.graph.tips.values()]
    for (const tip of tips) expect(ledger.graph.status[tip]).toBe(TxStatus.Pending)
  })

  it('scores each pending transaction by the share of walks whose tip approves it, stopping at confirmed ones', () => {
    const { ledger, tracker } = setUp(3)
    const g = ledger.graph
    // rounds on the way: older transactions confirmed, the newest pending
    for (let i = 0; i < 240; i++) {
      data(ledger, i)
      if (i % 40 === 19) tracker.update()
    }
    let tips: number[] = []
    const selectTips = ledger.selector.selectTips.bind(ledger.selector)
    ledger.selector.selectTips = (count) => (tips = selectTips(count))

    const confidence = tracker.confidence()

    // each walk on its own: its tip's past cone, not entering below a confirmed transaction
    const expected = new Map<number, number>()
    for (const tip of tips) {
      const seen = new Set<number>()
      const stack = [g.trunk[tip]!, g.branch[tip]!]
      while (stack.length) {
        const x = stack.pop()!
        if (x < 0 || seen.has(x)) continue
        seen.add(x)
        if (g.status[x] === TxStatus.Confirmed) continue
        if (g.status[x] === TxStatus.Pending) expected.set(x, (expected.get(x) ?? 0) + 1 / tips.length)
        stack.push(g.trunk[x]!, g.branch[x]!)
      }
    }
    expect(confidence.size).toBeGreaterThan(10)
    expect([...g.status].some((s) => s === TxStatus.Confirmed)).toBe(true)
    expect([...confidence.keys()].sort((a, b) => a - b)).toEqual([...expected.keys()].sort((a, b) => a - b))
    for (const [x, c] of confidence) expect(c).toBeCloseTo(expected.get(x)!, 9)
    // what the explorer shows: the same round's scores, and none for a tip (no walk approves its own tip)
    for (const [x, c] of confidence) expect(tracker.lastConfidenceOf(x)).toBe(c)
    for (const tip of g.tips.values()) expect(tracker.lastConfidenceOf(tip)).toBe(0)
    expect(tracker.lastConfidenceOf(g.size)).toBe(0)
  })

  it('settles a double spend attached in two parts of the tangle: one confirmed, the other rejected', () => {
    const { ledger, tracker, genesisId, db } = setUp(2)
    for (let i = 0; i < 20; i++) data(ledger, i)
    const g = ledger.graph
    // a tip and its trunk: spends approving one or the other do not approve each other
    const tip = g.tips.at(0)
    const parts = [tip, g.trunk[tip]!]
    const spend = (to: typeof alice, parent: number) =>
      issueWithParents({
        trunk: g.idAt(parent).slice(),
        branch: g.idAt(parent).slice(),
        issuer: publicKeyBytes(treasury),
        timestampMs: Date.now(),
        payload: { kind: TxKind.Transfer, inputs: [{ txId: genesisId, index: 0 }], outputs: [{ address: address(to), amount: SUPPLY }] }
      })
    const [toAlice, toBob] = ledger
      .ingest([spend(alice, parts[0]!), spend(bob, parts[1]!)])
      .map(idOf)
      .map((id) => g.indexOf(fromHex(id)))
    expect(ledger.openConflicts.size).toBe(1)

    let rounds = 0
    while (ledger.openConflicts.size > 0 && rounds < 200) {
      for (let i = 0; i < 5; i++) {
        const [a, b] = ledger.selector.selectPair()
        for (const tip of [a, b]) expect(g.approves(tip, toAlice!) && g.approves(tip, toBob!)).toBe(false)
        data(ledger, i)
      }
      tracker.update()
      rounds++
    }
    expect(ledger.openConflicts.size).toBe(0)
    const statuses = [g.status[toAlice!], g.status[toBob!]].sort()
    expect(statuses).toEqual([TxStatus.Confirmed, TxStatus.Rejected])
    const winner = g.status[toAlice!] === TxStatus.Confirmed ? alice : bob
    const loser = winner === alice ? bob : alice
    expect(ledger.balanceOf(address(winner))).toBe(SUPPLY)
    expect(ledger.balanceOf(address(loser))).toBe(0n)
    expect(ledger.balanceOf(address(treasury))).toBe(0n)
    const loserIndex = winner === alice ? toBob! : toAlice!
    for (let i = 0; i < 100; i++) {
      for (const tip of ledger.selector.selectPair()) expect(g.approves(tip, loserIndex)).toBe(false)
    }
    expect(db.prepare('SELECT winner_seq FROM conflicts').pluck().get()).toBe((winner === alice ? toAlice! : toBob!) + 1)
    expect(
      db
        .prepare('SELECT status FROM transactions WHERE seq = ?')
        .pluck()
        .get(loserIndex + 1)
    ).toBe(TxStatus.Rejected)
  })
})
