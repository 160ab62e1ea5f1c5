// Delivery: what each EV's meter counted in a slot's delivery window, signed by its
// registered wallet (`market.delivery`), against what the operator's result says it sold. Net
// export is what reached the grid; over a window shorter than the slot's hours (an accelerated
// run) it is scaled to the slot, as the live clocks scale meter readings.
import { addressOf } from '../../ledger/address'
import { toHex } from '../../ledger/hash'
import { encodeAddress } from '../../wallet/keys'
import { naturalCompare, registryAt } from './inputSet'
import type { MarketIndex } from './marketIndex'
import { MARKET_TOPICS, parseBody, type RunAnnouncement } from './messages'
import { operatorResults } from './verifier'

const HOUR_MS = 3_600_000

export interface EvDelivery {
  id: string
  soldKWh: number
  /** net export over the delivery window, scaled to the slot; null without the EV's meter summary */
  deliveredKWh: number | null
  /** delivered − sold; null without a summary */
  deviationKWh: number | null
  /** the summary's transaction */
  tx: string | null
}

export interface SlotDelivery {
  t: number
  evs: EvDelivery[]
}

/**
 * Each solved slot of the run with the EVs that sold in it or sent a summary for it, in the
 * result's order, then the others by id. A summary counts when it is the first confirmed one
 * for its slot from the wallet registered for its participant, as an EV.
 */
export function deliveriesOf(index: MarketIndex, operatorKeys: readonly Uint8Array[], run: RunAnnouncement): SlotDelivery[] {
  const registry = registryAt(index, operatorKeys, index.indexedMilestone)
  // slot -> participant -> the first summary that counts
  const delivered = new Map<number, Map<string, { kWh: number; tx: string }>>()
  for (const message of index.byRun(run.run, [MARKET_TOPICS.delivery])) {
    const participant = message.participant === null ? undefined : registry.byId.get(message.participant)
    if (message.problem || !participant || participant.role !== 'ev' || encodeAddress(addressOf(message.issuer)) !== participant.address)
      continue
    const parsed = parseBody(MARKET_TOPICS.delivery, message.body)
    if (!parsed.ok) continue
    const ofSlot = delivered.get(parsed.value.t) ?? new Map<string, { kWh: number; tx: string }>()
    delivered.set(parsed.value.t, ofSlot)
    if (ofSlot.has(participant.id)) continue
    const { exportWh, importWh, fromMs, toMs } = parsed.value
    ofSlot.set(participant.id, {
      kWh: ((exportWh - importWh) / 1000) * ((run.slotHours * HOUR_MS) / (toMs - fromMs)),
      tx: toHex(index.txIdOf(message.seq))
    })
  }
  const results = operatorResults(index, operatorKeys, run.run)
  return [...results.keys()]
    .sort((a, b) => a - b)
    .map((t) => {
      const sold = new Map(results.get(t)!.sellers.map((s) => [s.id, s.soldKWh]))
      const summaries = delivered.get(t) ?? new Map<string, { kWh: number; tx: string }>()
      const ids = [...sold.keys(), ...[...summaries.keys()].filter((id) => !sold.has(id)).sort(naturalCompare)]
      return {
        t,
        evs: ids.map((id) => {
          const soldKWh = sold.get(id) ?? 0
          const summary = summaries.get(id)
          return {
            id,
            soldKWh,
            deliveredKWh: summary?.kWh ?? null,
            deviationKWh: summary ? summary.kWh - soldKWh : null,
            tx: summary?.tx ?? null
          }
        })
      }
    })
}
