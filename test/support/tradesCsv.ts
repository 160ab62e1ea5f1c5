import { toBaseUnits } from '../../src-main/core/market/settlement'
import { parseCsv } from './csv'

/**
 * What each EV earned according to a trades.csv, in base units, rounded as settlement rounds:
 * per slot and grid–EV pair, the sum of that pair's trades. Also the pairs that pay something.
 */
export function earnedFromTradesCsv(csv: string, unitsPerCurrency: number): { earned: Map<string, bigint>; pairs: string[] } {
  const [columns, ...records] = parseCsv(csv)
  const at = (name: string) => columns!.findIndex((c) => c === name || c.startsWith(`${name}_`))
  const [slot, buyer, seller, paid] = [at('slot'), at('buyer'), at('seller'), at('paid')]
  const perPair = new Map<string, { ev: string; paid: number }>()
  for (const cells of records) {
    const key = `${cells[slot]}/${cells[buyer]}/${cells[seller]}`
    const pair = perPair.get(key) ?? { ev: cells[seller]!, paid: 0 }
    pair.paid += Number(cells[paid])
    perPair.set(key, pair)
  }
  const earned = new Map<string, bigint>()
  const pairs: string[] = []
  for (const [key, { ev, paid: sum }] of perPair) {
    const amount = toBaseUnits(sum, unitsPerCurrency)
    if (amount === 0n) continue
    pairs.push(key)
    earned.set(ev, (earned.get(ev) ?? 0n) + amount)
  }
  return { earned, pairs: pairs.sort() }
}
