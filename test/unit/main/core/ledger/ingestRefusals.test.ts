import type { KeyObject } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../../../src-main/core/db/connection'
import { addressOf } from '../../../../../src-main/core/ledger/address'
import { decodeTransaction, encodeEssence, encodeTransaction } from '../../../../../src-main/core/ledger/codec'
import { ConfirmationTracker } from '../../../../../src-main/core/ledger/confirmation'
import { TxStatus } from '../../../../../src-main/core/ledger/graph'
import { fromHex } from '../../../../../src-main/core/ledger/hash'
import { Ledger, REFUSAL_CODES, type IngestOutcome, type RefusalCode } from '../../../../../src-main/core/ledger/ledger'
import { ParallelVerifier } from '../../../../../src-main/core/ledger/parallelVerifier'
import { solveProofOfWork } from '../../../../../src-main/core/ledger/proofOfWork'
import { privateKeyFromSeed, publicKeyBytes, signBytes } from '../../../../../src-main/core/ledger/signing'
import { TxKind, type Essence, type Payload } from '../../../../../src-main/core/ledger/transaction'
import { seededRandom } from '../../../../../src-shared/random'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const POW_BITS = 2
const SUPPLY = 1000n
const ZERO = new Uint8Array(32)
const operator = privateKeyFromSeed(new Uint8Array(32).fill(1))
const alice = privateKeyFromSeed(new Uint8Array(32).fill(2))
const bob = privateKeyFromSeed(new Uint8Array(32).fill(3))
const addressOfKey = (key: KeyObject) => addressOf(publicKeyBytes(key))

function openLedger(options: { seed?: number; window?: boolean } = {}) {
  const db = openDatabase(join(tempDir(), 'ledger.sqlite'))
  const tipSelection = options.window ? { tipSelection: { alpha: 0.2, window: 64, windowPerTip: 50, maxWindow: 8192 } } : {}
  return { db, ledger: new Ledger(db, { powBits: POW_BITS, random: seededRandom(options.seed ?? 9), ...tipSelection }) }
}

function accepted(outcome: IngestOutcome): Extract<IngestOutcome, { status: 'accepted' }> {
  if (outcome.status !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(outcome)}`)
  return outcome
}

/** A ledger whose genesis mints the supply to the operator; with milestones, it names the operator their issuer. */
function withGenesis({ milestones = false, seed = 9, window = false } = {}) {
  const opened = openLedger({ seed, window })
  const issuers = milestones ? [publicKeyBytes(operator)] : []
  const genesis = accepted(opened.ledger.createGenesis(operator, [{ address: addressOfKey(operator), amount: SUPPLY }], issuers))
  return { ...opened, genesisId: fromHex(genesis.id) }
}

/** Signed and mined by hand: what a peer could send that this node would never issue. */
function handBuilt(key: KeyObject, payload: Payload, [trunk, branch]: [Uint8Array, Uint8Array], timestampMs = Date.now()): Uint8Array {
  const essence: Essence = { trunk, branch, issuer: publicKeyBytes(key), timestampMs, payload }
  const signature = signBytes(key, encodeEssence(essence))
  const prefix = encodeTransaction({ ...essence, signature, nonce: 0n }).slice(0, -8)
  return encodeTransaction({ ...essence, signature, nonce: solveProofOfWork(prefix, POW_BITS).nonce })
}

const data = (i: number): Payload => ({ kind: TxKind.Data, topic: 'test', body: new Uint8Array([i & 255]) })
const transfer = (from: Uint8Array, index: number, to: KeyObject, amount: bigint): Payload => ({
  kind: TxKind.Transfer,
  inputs: [{ txId: from, index }],
  outputs: [{ address: addressOfKey(to), amount }]
})

/** The refusal's code, failing with the outcome when it was not refused. */
function codeOf(outcome: IngestOutcome | undefined): RefusalCode {
  if (outcome?.status !== 'refused') throw new Error(`expected refused, got ${JSON.stringify(outcome)}`)
  expect(outcome.reason.length).toBeGreaterThan(5)
  return outcome.code
}

/** The codes each test below saw, so the last one can check that every code has its path. */
const seen = new Set<RefusalCode>()
function expectCode(outcome: IngestOutcome | undefined, code: RefusalCode): void {
  expect(codeOf(outcome)).toBe(code)
  seen.add(code)
}

describe('ingest refusal codes', () => {
  it('names what a transaction fails on its own: decoding, proof of work, clock, signature', async () => {
    const { ledger, genesisId } = withGenesis()
    expectCode(ledger.ingest([new Uint8Array([1, 2, 3])])[0], 'malformed')

    // mined for 2 bits: a ledger asking 24 almost surely finds fewer
    const strict = new Ledger(openDatabase(join(tempDir(), 'strict.sqlite')), { powBits: 24 })
    expectCode(strict.ingest([handBuilt(operator, data(1), [genesisId, genesisId])])[0], 'weak_proof_of_work')

    expectCode(ledger.ingest([handBuilt(operator, data(2), [genesisId, genesisId], Date.now() + 3_600_000)])[0], 'clock_skew')

    const { tx } = decodeTransaction(handBuilt(operator, data(3), [genesisId, genesisId]))
    const signature = tx.signature.slice()
    signature[0]! ^= 1
    const prefix = encodeTransaction({ ...tx, signature }).slice(0, -8)
    const forged = encodeTransaction({ ...tx, signature, nonce: solveProofOfWork(prefix, POW_BITS).nonce })
    expectCode(ledger.ingest([forged])[0], 'bad_signature')
    const verifier = new ParallelVerifier(1)
    try {
      expectCode((await ledger.ingestParallel([forged], verifier))[0], 'bad_signature')
    } finally {
      await verifier.close()
    }
  })

  it('names what the tangle refuses: no genesis, a second one, its parents, a re-mined copy, an amount too large', () => {
    const empty = openLedger().ledger
    expectCode(empty.attach(operator, data(1)), 'no_genesis')
    expectCode(empty.issueMilestone(operator), 'no_genesis')
    const minted: Payload = { kind: TxKind.Genesis, outputs: [{ address: addressOfKey(operator), amount: SUPPLY }] }
    expectCode(empty.ingest([handBuilt(operator, minted, [ZERO, fromHex('01'.repeat(32))])])[0], 'genesis_parents')
    expectCode(empty.createGenesis(operator, [{ address: addressOfKey(operator), amount: 1n << 63n }]), 'amount_too_large')

    const { ledger, genesisId } = withGenesis()
    expectCode(ledger.createGenesis(operator, [{ address: addressOfKey(alice), amount: 5n }]), 'second_genesis')
    const original = handBuilt(operator, data(2), [genesisId, genesisId])
    accepted(ledger.ingest([original])[0]!)
    const { tx } = decodeTransaction(original)
    const { nonce } = solveProofOfWork(original.slice(0, -8), POW_BITS, tx.nonce + 1n)
    expectCode(ledger.ingest([encodeTransaction({ ...tx, nonce })])[0], 're_mined')
  })

  it("names what a transfer's inputs and outputs break", () => {
    const { ledger, genesisId } = withGenesis()
    const unknown = new Uint8Array(32).fill(9)
    expectCode(ledger.attach(operator, transfer(unknown, 0, alice, 1n)), 'unknown_input')
    expectCode(ledger.attach(operator, transfer(genesisId, 5, alice, 1n)), 'no_such_output')
    expectCode(ledger.attach(alice, transfer(genesisId, 0, alice, SUPPLY)), 'not_owner')
    expectCode(ledger.attach(operator, transfer(genesisId, 0, alice, SUPPLY + 1n)), 'unbalanced')
    const twice: Payload = {
      kind: TxKind.Transfer,
      inputs: [
        { txId: genesisId, index: 0 },
        { txId: genesisId, index: 0 }
      ],
      outputs: [{ address: addressOfKey(alice), amount: 2n * SUPPLY }]
    }
    expectCode(ledger.attach(operator, twice), 'input_twice')

    const first = accepted(ledger.ingest([handBuilt(operator, transfer(genesisId, 0, alice, SUPPLY), [genesisId, genesisId])])[0]!)
    // every tip approves the first spend now
    expectCode(ledger.attach(operator, transfer(genesisId, 0, bob, SUPPLY)), 'spent_in_cone')
    const second = accepted(ledger.ingest([handBuilt(operator, transfer(genesisId, 0, bob, SUPPLY), [genesisId, genesisId])])[0]!)
    expectCode(ledger.ingest([handBuilt(alice, data(3), [fromHex(first.id), fromHex(second.id)])])[0], 'inconsistent')
  })

  it("names what the walk's verdicts refuse on a ledger without milestones", () => {
    const { ledger, db, genesisId } = withGenesis({ seed: 2, window: true })
    for (let i = 0; i < 20; i++) accepted(ledger.attach(alice, data(i)))
    // two spends of the genesis output, neither approving the other, settled by the walk
    const parents = [ledger.size - 1, ledger.size - 2].map((at) => ledger.idAt(at).slice())
    const spends = ledger
      .ingest([
        handBuilt(operator, transfer(genesisId, 0, alice, SUPPLY), [parents[0]!, parents[0]!]),
        handBuilt(operator, transfer(genesisId, 0, bob, SUPPLY), [parents[1]!, parents[1]!])
      ])
      .map((o) => accepted(o))
    const tracker = new ConfirmationTracker(ledger, db, { walks: 64, threshold: 0.9, window: 20_000 })
    for (let round = 0; ledger.openConflicts.size > 0 && round < 200; round++) {
      for (let i = 0; i < 5; i++) accepted(ledger.attach(alice, data(i)))
      tracker.update()
    }
    const [loser, winner] = [...spends].sort((a, b) => ledger.walkStatusAt(b.index) - ledger.walkStatusAt(a.index))
    expect(ledger.walkStatusAt(loser!.index)).toBe(TxStatus.Rejected)
    expect(ledger.walkStatusAt(winner!.index)).toBe(TxStatus.Confirmed)

    const loserId = fromHex(loser!.id)
    const loserOwner = ledger.balanceOf(addressOfKey(alice)) === SUPPLY ? bob : alice
    expectCode(ledger.ingest([handBuilt(alice, data(7), [loserId, loserId])])[0], 'approves_rejected')
    expectCode(
      ledger.ingest([handBuilt(loserOwner, transfer(loserId, 0, loserOwner, SUPPLY), [genesisId, genesisId])])[0],
      'spends_rejected'
    )
    expectCode(ledger.ingest([handBuilt(operator, transfer(genesisId, 0, alice, SUPPLY), [genesisId, genesisId])])[0], 'spent_by_confirmed')
  })

  it('names what a milestone gets wrong', () => {
    const plain = withGenesis()
    const milestone = (index: number, previous: Uint8Array, stateHash: Uint8Array): Payload => ({
      kind: TxKind.Milestone,
      index,
      previous,
      stateHash
    })
    const genesisParents: [Uint8Array, Uint8Array] = [plain.genesisId, plain.genesisId]
    expectCode(plain.ledger.ingest([handBuilt(operator, milestone(1, ZERO, ZERO), genesisParents)])[0], 'no_milestone_issuers')

    const { ledger, genesisId } = withGenesis({ milestones: true })
    const parents: [Uint8Array, Uint8Array] = [genesisId, genesisId]
    expectCode(ledger.ingest([handBuilt(alice, milestone(1, ZERO, ZERO), parents)])[0], 'not_milestone_issuer')
    expectCode(ledger.ingest([handBuilt(operator, milestone(1, ZERO, new Uint8Array(32).fill(7)), parents)])[0], 'wrong_state_hash')
    expectCode(ledger.ingest([handBuilt(operator, milestone(3, ZERO, ZERO), parents)])[0], 'milestone_gap')
    const first = accepted(ledger.issueMilestone(operator))
    expectCode(ledger.ingest([handBuilt(operator, milestone(1, ZERO, ZERO), parents)])[0], 'milestone_applied')
    const firstId = fromHex(first.id)
    expectCode(ledger.ingest([handBuilt(operator, milestone(2, genesisId, ZERO), [firstId, firstId])])[0], 'wrong_previous_milestone')
  })

  it('has a path for every code', () => {
    expect([...seen].sort()).toEqual([...REFUSAL_CODES].sort())
  })
})
