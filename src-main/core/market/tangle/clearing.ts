// The network clock's slot: solved from an input set with the same arithmetic as every other
// clock (clearSlot), published as a result, and solved again by every node that verifies it.
import { clearSlot, type SlotOutcome } from '../../../../src-shared/market/day'
import type { InputSet } from './inputSet'
import type { RunAnnouncement } from './messages'
import { MAX_LISTED_TRADES, type MarketResult } from './result'

const WH_PER_KWH = 1000

/** Slot t (0-based) of a run from its input set: the outcome the run store keeps and the result the tangle carries. */
export function solveInputSet(
  run: RunAnnouncement,
  t: number,
  inputs: InputSet,
  options: { trace: boolean }
): { outcome: SlotOutcome; result: MarketResult } {
  const outcome = clearSlot(
    t,
    inputs.offers.map(({ participant, value }) => ({
      id: participant.id,
      supplyKWh: value.supplyWh / WH_PER_KWH,
      reservePrice: value.reservePrice
    })),
    inputs.bids.map(({ participant, value }) => ({
      id: participant.id,
      xi: value.xi,
      kappa: value.kappa,
      demandCapKWh: value.demandCapWh / WH_PER_KWH
    })),
    run.priceCap[t]!,
    run.game,
    options
  )
  const result: MarketResult = {
    run: run.run,
    t,
    milestone: inputs.milestone,
    inputHash: inputs.inputHash,
    inputs: inputs.offers.length + inputs.bids.length,
    excluded: inputs.excluded,
    converged: outcome.converged,
    clearingPrice: outcome.clearingPrice,
    // R_m is null where nothing was asked of the seller (infinite): it then serves its full Q_m;
    // an unconverged slot serves nothing
    sellers: outcome.sellers.map((s) => ({
      id: s.id,
      price: s.price,
      probability: s.probability,
      share: outcome.converged ? s.probability * Math.min(1, s.ratio ?? 1) : 0,
      soldKWh: s.soldKWh
    })),
    buyers: outcome.buyers.map((b) => ({ id: b.id, boughtKWh: b.boughtKWh, paid: b.paid })),
    trades:
      outcome.trades.length > MAX_LISTED_TRADES
        ? null
        : outcome.trades.map((tr) => ({ buyer: tr.buyer, seller: tr.seller, energyKWh: tr.energyKWh, price: tr.price, paid: tr.paid }))
  }
  return { outcome, result }
}

/**
 * Where a published result differs from the one this node computed, field by field, named so
 * an operator can read it ("sellers EV3 price: published 0.125, computed 0.12"). Empty: it matches.
 */
export function resultDifferences(published: MarketResult, computed: MarketResult): string[] {
  const differences: string[] = []
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
  const compare = (what: string, a: unknown, b: unknown) => {
    if (!same(a, b)) differences.push(`${what}: published ${JSON.stringify(a)}, computed ${JSON.stringify(b)}`)
  }
  compare('input hash', published.inputHash, computed.inputHash)
  compare('inputs', published.inputs, computed.inputs)
  compare(
    'left out',
    published.excluded.map((e) => `${e.tx.slice(0, 12)} ${e.reason}`),
    computed.excluded.map((e) => `${e.tx.slice(0, 12)} ${e.reason}`)
  )
  compare('converged', published.converged, computed.converged)
  compare('clearing price', published.clearingPrice, computed.clearingPrice)
  const byId = (list: readonly { id: string }[]) => new Map<string, object>(list.map((x) => [x.id, x]))
  for (const [kind, pub, com] of [
    ['sellers', byId(published.sellers), byId(computed.sellers)],
    ['buyers', byId(published.buyers), byId(computed.buyers)]
  ] as const) {
    for (const id of new Set([...pub.keys(), ...com.keys()])) {
      const a = pub.get(id)
      const b = com.get(id)
      if (!a || !b) {
        differences.push(`${kind} ${id}: ${a ? 'published but not computed' : 'computed but not published'}`)
        continue
      }
      for (const field of Object.keys(b))
        if (field !== 'id') compare(`${kind} ${id} ${field}`, Reflect.get(a, field), Reflect.get(b, field))
    }
  }
  compare('trades', published.trades, computed.trades)
  return differences
}
