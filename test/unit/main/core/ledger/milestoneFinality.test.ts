// With milestone issuers in the genesis, this node's weighted walk is its own view: a transaction a
// peer sends that approves what the walk rejected here is stored, and the milestones reference it,
// so every node applies the same milestones whatever its walk decided.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../../../src-main/core/db/connection'
import { addressOf } from '../../../../../src-main/core/ledger/address'
import { encodeEssence, encodeTransaction } from '../../../../../src-main/core/ledger/codec'
import { ConfirmationTracker } from '../../../../../src-main/core/ledger/confirmation'
import { TxStatus } from '../../../../../src-main/core/ledger/graph'
import { fromHex, toHex } from '../../../../../src-main/core/ledger/hash'
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
const address = (key: typeof alice) => addressOf(publicKeyBytes(key))
const SUPPLY = 1000n

function openLedger(seed: number) {
  const db = openDatabase(join(tempDir(), 'ledger.sqlite'))
  const ledger = new Ledger(db, {
    powBits: 2,
    random: seededRandom(seed),
    tipSelection: { alpha: 0.2, window: 64, windowPerTip: 50, maxWindow: 8192 }
  })
  return { db, ledger }
}

function indexOf(ledger: Ledger, outcome: IngestOutcome | undefined): number {
  if (outcome?.status !== 'accepted') throw new Error(JSON.stringify(outcome))
  return outcome.index
}

/** A transaction of the treasury's with parents chosen here, as a peer's node may have chosen them. */
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

describe('finality by milestones', () => {
  it("stores a peer's transaction approving what this node's walk rejected, references it, and a peer applies the same milestones", () => {
    const { db, ledger } = openLedger(2)
    const genesis = indexOf(
      ledger,
      ledger.createGenesis(treasury, [{ address: address(treasury), amount: SUPPLY }], [publicKeyBytes(treasury)])
    )
    const tracker = new ConfirmationTracker(ledger, db, { walks: 64, threshold: 0.9, window: 20_000 })
    const data = (i: number) => ledger.attach(alice, { kind: TxKind.Data, topic: 'meter', body: new Uint8Array([i & 255]) })
    for (let i = 0; i < 20; i++) data(i)

    // a double spend in two parts of the tangle, settled by this node's walk: one side rejected here
    const g = ledger.graph
    const tip = g.tips.at(0)
    const spend = (to: typeof alice, parent: number) =>
      signedWithParents(ledger, parent, parent, {
        kind: TxKind.Transfer,
        inputs: [{ txId: g.idAt(genesis).slice(), index: 0 }],
        outputs: [{ address: address(to), amount: SUPPLY }]
      })
    const [toAlice, toBob] = ledger.ingest([spend(alice, tip), spend(bob, g.trunk[tip]!)]).map((outcome) => indexOf(ledger, outcome))
    for (let round = 0; ledger.openConflicts.size > 0 && round < 200; round++) {
      for (let i = 0; i < 5; i++) data(i)
      tracker.update()
    }
    const rejected = g.status[toAlice!] === TxStatus.Rejected ? toAlice! : toBob!
    const other = rejected === toAlice ? toBob! : toAlice!
    expect(g.status[rejected]).toBe(TxStatus.Rejected)

    // a peer whose walk did not reject it builds on it: stored here, not refused
    const [onLoser] = ledger.ingest([
      signedWithParents(ledger, rejected, rejected, { kind: TxKind.Data, topic: 'meter', body: new Uint8Array([1]) })
    ])
    const child = indexOf(ledger, onLoser)

    // the milestones reference every tip, the rejected side's too, and White Flag picks one side (not the walk)
    for (let i = 0; ledger.awaitsMilestone() && i < 20; i++) expect(ledger.issueMilestone(treasury)).toMatchObject({ status: 'accepted' })
    expect(ledger.awaitsMilestone()).toBe(false)
    const applied = (l: Ledger, at: number) => l.milestones.outcomeOf(at)?.applied
    const sides = [applied(ledger, rejected), applied(ledger, other)]
    expect([...sides].sort()).toEqual([false, true])
    expect(ledger.milestones.outcomeOf(child)).toMatchObject({ applied: true })

    // a peer that holds the same transactions, its own walk never run, applies every milestone the same
    const peer = openLedger(5)
    const bodies = db.prepare('SELECT bytes FROM transaction_bodies ORDER BY seq').pluck().all() as Buffer[]
    const outcomes = peer.ledger.ingest(bodies.map((b) => new Uint8Array(b)))
    expect(outcomes.filter((o) => o.status !== 'accepted')).toEqual([])
    expect(toHex(peer.ledger.latestMilestone()!.stateHash)).toBe(toHex(ledger.latestMilestone()!.stateHash))
    const peerIndex = (at: number) => peer.ledger.graph.indexOf(fromHex(toHex(g.idAt(at))))
    expect([applied(peer.ledger, peerIndex(rejected)), applied(peer.ledger, peerIndex(other))]).toEqual(sides)
  })
})
