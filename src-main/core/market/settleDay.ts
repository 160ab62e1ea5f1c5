// Settling a whole simulated day on the ledger: wallets for every participant, grids funded for
// what they will pay, then every converged slot in order.
import { randomUUID } from 'node:crypto'
import type { DayResult } from '../../../src-shared/market/day'
import type { Scenario } from '../../../src-shared/market/scenario'
import type { Ledger } from '../ledger/ledger'
import type { Wallets } from '../wallet/wallets'
import { operatorWallet, pairPayments, prepareParticipants, settleSlot } from './settlement'

export function settleDay(wallets: Wallets, ledger: Ledger, scenario: Scenario, day: DayResult, note: (line: string) => void = () => {}) {
  const runId = randomUUID()
  const operator = operatorWallet(wallets)
  const units = scenario.tokenBaseUnitsPerCurrencyUnit
  const needs = new Map(scenario.grids.map((g) => [g.id, 0n]))
  for (const slot of day.slots.filter((s) => s.converged))
    for (const p of pairPayments(slot, units)) needs.set(p.buyer, needs.get(p.buyer)! + p.amount)
  const prepared = prepareParticipants(wallets, { evs: scenario.evs.map((ev) => ev.id), grids: [...needs].map(([id, amount]) => ({ id, needs: amount })) }, operator)
  if (prepared.created.length) note(`created wallets ${prepared.created.join(', ')}`)
  for (const f of prepared.funded) note(`funded ${f.grid} with ${f.amount} base units from ${operator}`)
  let transfers = 0
  let records = 0
  for (const slot of day.slots) {
    if (!slot.converged) {
      note(`slot ${slot.t} did not converge: not settled`)
      continue
    }
    const settled = settleSlot(wallets, ledger, runId, slot, units, operator)
    transfers += settled.transfers.length
    records += settled.records.length
  }
  note(`settled run ${runId}: ${transfers} transfers, ${records} market records`)
  return { runId, transfers, records, createdWallets: prepared.created, funded: prepared.funded }
}
