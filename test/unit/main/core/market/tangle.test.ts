import type { KeyObject } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { clearSlot } from '../../../../../src-shared/market/day'
import { gameSchema } from '../../../../../src-shared/market/scenario'
import { seededRandom } from '../../../../../src-shared/random'
import { bestResponse } from '../../../../../src-shared/market/welfare'
import { openDatabase } from '../../../../../src-main/core/db/connection'
import { addressOf } from '../../../../../src-main/core/ledger/address'
import { Ledger, type IngestOutcome } from '../../../../../src-main/core/ledger/ledger'
import { privateKeyFromSeed, publicKeyBytes } from '../../../../../src-main/core/ledger/signing'
import { TxKind } from '../../../../../src-main/core/ledger/transaction'
import { solveInputSet } from '../../../../../src-main/core/market/tangle/clearing'
import { inputSetAt, naturalCompare, registryAt, slotCloseMs } from '../../../../../src-main/core/market/tangle/inputSet'
import { MarketIndex } from '../../../../../src-main/core/market/tangle/marketIndex'
import { encodeBody, MARKET_TOPICS, type RunAnnouncement } from '../../../../../src-main/core/market/tangle/messages'
import {
  assembleResult,
  MAX_LISTED_TRADES,
  readResultPart,
  resultParts,
  type MarketResult
} from '../../../../../src-main/core/market/tangle/result'
import { ResultVerifier } from '../../../../../src-main/core/market/tangle/verifier'
import { encodeAddress } from '../../../../../src-main/core/wallet/keys'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const key = (n: number) => privateKeyFromSeed(new Uint8Array(32).fill(n))
const operator = key(1)
const ev1 = key(2)
const ev2 = key(3)
const grid = key(4)
const stranger = key(5)
const addressOfKey = (k: KeyObject) => encodeAddress(addressOf(publicKeyBytes(k)))

const START_MS = Date.UTC(2026, 10, 30, 10)
const run: RunAnnouncement = {
  run: 'r1',
  scenario: 'unit',
  slots: 2,
  slotSeconds: 60,
  startMs: START_MS,
  slotHours: 1,
  priceCap: [0.1, 0.1],
  game: gameSchema.parse({ sigma2: 0.002, seed: 2020 }),
  currency: 'USD'
}

function accepted(outcome: IngestOutcome) {
  if (outcome.status !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(outcome)}`)
  return outcome
}

/** A ledger whose genesis names the operator as milestone issuer, on a clock the test moves. */
function market() {
  const clock = { now: START_MS }
  const db = openDatabase(join(tempDir(), 'market.sqlite'))
  const ledger = new Ledger(db, { powBits: 2, random: seededRandom(4), now: () => clock.now })
  accepted(ledger.createGenesis(operator, [{ address: addressOf(publicKeyBytes(operator)), amount: 1000n }], [publicKeyBytes(operator)]))
  const post = (by: KeyObject, topic: string, body: unknown) =>
    accepted(ledger.attach(by, { kind: TxKind.Data, topic, body: encodeBody(body) })).id
  const index = new MarketIndex(db)
  const milestone = () => {
    accepted(ledger.issueMilestone(operator))
    return index.catchUpAll()
  }
  const verifier = new ResultVerifier(db, index, () => [publicKeyBytes(operator)])
  return { db, ledger, clock, post, index, milestone, verifier }
}

function publish(m: ReturnType<typeof market>, by: KeyObject, result: MarketResult) {
  for (const body of resultParts(result)) accepted(m.ledger.attach(by, { kind: TxKind.Data, topic: MARKET_TOPICS.result, body }))
}

describe('the market on the tangle', () => {
  it('solves a slot from the inputs a milestone confirmed, leaving out the forged, the late and the duplicate with reasons, and every verifier agrees', () => {
    const m = market()
    m.post(operator, MARKET_TOPICS.register, { id: 'EV1', role: 'ev', address: addressOfKey(ev1) })
    m.post(operator, MARKET_TOPICS.register, { id: 'EV2', role: 'ev', address: addressOfKey(ev2) })
    m.post(operator, MARKET_TOPICS.register, { id: 'G1', role: 'grid', address: addressOfKey(grid) })
    // a registration signed by anyone but the operator binds nothing
    m.post(stranger, MARKET_TOPICS.register, { id: 'EV9', role: 'ev', address: addressOfKey(stranger) })
    m.post(operator, MARKET_TOPICS.run, run)
    m.milestone()

    m.clock.now = START_MS + 10_000
    const offer2 = m.post(ev2, MARKET_TOPICS.offer, { run: 'r1', t: 0, id: 'EV2', supplyWh: 6000, reservePrice: 0.06 })
    const offer1 = m.post(ev1, MARKET_TOPICS.offer, { run: 'r1', t: 0, id: 'EV1', supplyWh: 8000, reservePrice: 0.055 })
    const bid = m.post(grid, MARKET_TOPICS.bid, { run: 'r1', t: 0, id: 'G1', xi: 0.3, kappa: 0.01, demandCapWh: 12_000 })
    const duplicate = m.post(ev1, MARKET_TOPICS.offer, { run: 'r1', t: 0, id: 'EV1', supplyWh: 9000, reservePrice: 0.05 })
    const forged = m.post(stranger, MARKET_TOPICS.offer, { run: 'r1', t: 0, id: 'EV9', supplyWh: 5000, reservePrice: 0.01 })
    const posing = m.post(stranger, MARKET_TOPICS.offer, { run: 'r1', t: 0, id: 'EV1', supplyWh: 5000, reservePrice: 0.01 })
    m.clock.now = slotCloseMs(run, 0) + 2000
    const late = m.post(ev2, MARKET_TOPICS.offer, { run: 'r1', t: 0, id: 'EV2', supplyWh: 1000, reservePrice: 0.07 })
    const closing = m.milestone()

    const registry = registryAt(m.index, [publicKeyBytes(operator)], closing)
    expect([...registry.byId.keys()]).toEqual(['EV1', 'EV2', 'G1'])
    const inputs = inputSetAt(m.index, run, 0, closing, registry)
    // solved in the order of their ids, whatever order they arrived in
    expect(inputs.offers.map((o) => [o.participant.id, o.tx])).toEqual([
      ['EV1', offer1],
      ['EV2', offer2]
    ])
    expect(inputs.bids.map((b) => b.tx)).toEqual([bid])
    const reasons = new Map(inputs.excluded.map((e) => [e.tx, e.reason]))
    expect(reasons.get(duplicate)).toMatch(/a second input from EV1 for slot 1/)
    expect(reasons.get(forged)).toBe('signed by a wallet that is not registered')
    expect(reasons.get(posing)).toBe('signed by a wallet that is not registered')
    expect(reasons.get(late)).toMatch(/^late: signed 2\.0 s after slot 1 closed/)

    const { result, outcome } = solveInputSet(run, 0, inputs, { trace: false })
    // the same arithmetic as every other clock, from the same figures
    const direct = clearSlot(
      0,
      [
        { id: 'EV1', supplyKWh: 8, reservePrice: 0.055 },
        { id: 'EV2', supplyKWh: 6, reservePrice: 0.06 }
      ],
      [{ id: 'G1', xi: 0.3, kappa: 0.01, demandCapKWh: 12 }],
      0.1,
      run.game,
      { trace: false }
    )
    expect(outcome).toEqual(direct)
    expect(result.trades).toEqual(outcome.trades)
    expect(result.trades!.length).toBeGreaterThan(0)
    expect(result.milestone).toBe(closing)

    publish(m, operator, result)
    m.milestone()
    const [verdict, ...others] = m.verifier.verifyPending()
    expect(others).toEqual([])
    expect(verdict).toMatchObject({ run: 'r1', t: 0, milestone: closing, inputs: 3, matches: true, differences: [] })
    // once verified, a result is not verified again
    expect(m.verifier.verifyPending()).toEqual([])
  })

  it('marks a tampered result mismatched: a price re-signed by another key, or the operator naming the wrong inputs', () => {
    const m = market()
    m.post(operator, MARKET_TOPICS.register, { id: 'EV1', role: 'ev', address: addressOfKey(ev1) })
    m.post(operator, MARKET_TOPICS.register, { id: 'G1', role: 'grid', address: addressOfKey(grid) })
    m.post(operator, MARKET_TOPICS.run, run)
    m.milestone()
    m.clock.now = START_MS + 5000
    m.post(ev1, MARKET_TOPICS.offer, { run: 'r1', t: 0, id: 'EV1', supplyWh: 8000, reservePrice: 0.055 })
    m.post(grid, MARKET_TOPICS.bid, { run: 'r1', t: 0, id: 'G1', xi: 0.3, kappa: 0.01, demandCapWh: 12_000 })
    const closing = m.milestone()
    const { result } = solveInputSet(
      run,
      0,
      inputSetAt(m.index, run, 0, closing, registryAt(m.index, [publicKeyBytes(operator)], closing)),
      { trace: false }
    )

    publish(m, operator, result)
    m.milestone()
    expect(m.verifier.verifyPending()).toMatchObject([{ matches: true }])
    // results for a slot verified already are still looked at: the same slot, another digest
    publish(m, stranger, { ...result, sellers: result.sellers.map((s) => ({ ...s, price: s.price * 1.5 })) })
    publish(m, operator, { ...result, inputHash: 'f'.repeat(64) })
    m.milestone()
    const verdicts = m.verifier.verifyPending()
    expect(verdicts).toHaveLength(2)
    const [forged, wrongInputs] = verdicts
    expect(forged).toMatchObject({ matches: false })
    expect(forged!.differences[0]).toMatch(/^signed by [0-9a-f]{16}…, not by the operator$/)
    expect(wrongInputs).toMatchObject({ matches: false })
    expect(wrongInputs!.differences).toEqual([`input hash: published "${'f'.repeat(64)}", computed "${result.inputHash}"`])
  })

  it("leaves out the trades of a large market, which follow from each seller's share and each grid's bid", () => {
    const random = seededRandom(9)
    const participant = (id: string, role: 'ev' | 'grid', order: number) => ({ id, role, address: addressOfKey(stranger), order })
    const offers = Array.from({ length: 120 }, (_, m) => ({
      tx: 'a'.repeat(64),
      participant: participant(`EV${m + 1}`, 'ev', m),
      value: { run: 'r1', t: 0, id: `EV${m + 1}`, supplyWh: 1000 + Math.round(3000 * random()), reservePrice: 0.03 + 0.05 * random() }
    }))
    const bids = Array.from({ length: 10 }, (_, n) => ({
      tx: 'b'.repeat(64),
      participant: participant(`G${n + 1}`, 'grid', 200 + n),
      value: { run: 'r1', t: 0, id: `G${n + 1}`, xi: 0.25 + 0.1 * random(), kappa: 0.0005, demandCapWh: 40_000 }
    }))
    const { outcome, result } = solveInputSet(
      run,
      0,
      { milestone: 3, offers, bids, excluded: [], inputHash: 'c'.repeat(64) },
      { trace: false }
    )
    expect(outcome.trades.length).toBeGreaterThan(MAX_LISTED_TRADES)
    expect(result.trades).toBeNull()
    const seller = new Map(result.sellers.map((s) => [s.id, s]))
    for (const trade of outcome.trades) {
      const bid = bids.find((b) => b.value.id === trade.buyer)!.value
      const buyer = { xi: bid.xi, kappa: bid.kappa, demandCapKWh: bid.demandCapWh / 1000 }
      expect(trade.energyKWh).toBeCloseTo(seller.get(trade.seller)!.share * bestResponse(buyer, seller.get(trade.seller)!.price), 12)
    }
    // the result still fits the tangle's parts
    expect(resultParts(result).length).toBeLessThan(20)
  })

  it('orders participants naturally, digits as numbers, the same on every runtime', () => {
    const ids = ['EV10', 'G2', 'EV2', 'EV1', 'ev1', 'EV002', 'G10', 'EV']
    expect([...ids].sort(naturalCompare)).toEqual(['EV', 'EV1', 'EV002', 'EV2', 'EV10', 'G2', 'G10', 'ev1'])
  })

  it('joins a result of many parts, and refuses parts that do not hash to their digest', () => {
    const m = market()
    const big: MarketResult = {
      run: 'r1',
      t: 0,
      milestone: 1,
      inputHash: '0'.repeat(64),
      inputs: 0,
      excluded: Array.from({ length: 200 }, (_, i) => ({
        tx: i.toString(16).padStart(64, '0'),
        participant: `EV${i}`,
        reason: 'signed by a wallet that is not registered'
      })),
      converged: true,
      clearingPrice: null,
      sellers: [],
      buyers: [],
      trades: []
    }
    const parts = resultParts(big)
    expect(parts.length).toBeGreaterThan(5)
    m.post(operator, MARKET_TOPICS.run, run)
    for (const body of parts) accepted(m.ledger.attach(operator, { kind: TxKind.Data, topic: MARKET_TOPICS.result, body }))
    m.milestone()
    const [verdict] = m.verifier.verifyPending()
    // it joined and parsed: what differs is the arithmetic, not the transport
    expect(verdict!.differences.some((d) => d.startsWith('left out'))).toBe(true)
    expect(verdict!.inputs).toBe(0)

    const read = parts.map((body) => readResultPart(body))
    const chunks = read.map((part) => (part.ok ? part.chunk.slice() : new Uint8Array()))
    const header = read[0]!.ok ? read[0]!.header : undefined
    expect(assembleResult(header!, chunks)).toMatchObject({ ok: true })
    chunks[2]![10]! ^= 1
    expect(assembleResult(header!, chunks)).toEqual({ ok: false, reason: 'the parts do not hash to the digest their headers state' })
  })
})
