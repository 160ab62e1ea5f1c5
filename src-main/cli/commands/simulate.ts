import { liveliestSlot } from '../../../src-shared/charts/marketFigures'
import { runDay } from '../../../src-shared/market/day'
import { scenarioSchema } from '../../../src-shared/market/scenario'
import { join, resolve } from 'node:path'
import { KEYSTORE_FILE_NAME } from '../../core/app'
import { readJsonFile } from '../../core/inputFile'
import { writeDayFiles } from '../../core/market/dayFiles'
import type { SettleRunResult } from '../../core/market/service'
import { Keystore } from '../../core/wallet/keystore'
import { numberOption, parseArgs, requireOption, stringOption, UsageError } from '../args'
import { readPassphrase } from '../passphrase'
import { runWrite } from '../writer'
import type { Output } from '../output'

export const simulateUsage = `dv2g simulate --scenario FILE [--out DIR] [--settle] [--trace-slot N] [--json]
  Runs the scenario's day slot by slot (batteries carried across slots) and prints each slot.
  --out DIR      writes results.json, trades.csv and report.html (figures 3-11 of the paper)
  --settle       stores the day as a run of the data dir and records every trade on its ledger:
                 one transfer per grid-EV pair and one market record per slot (wallets named by
                 participant id; grids are funded from the operator wallet; passphrase from
                 DV2G_PASSPHRASE or a prompt). If interrupted, dv2g market settle --run ID
                 pays what is missing, each pair exactly once. Exits 1 when a slot failed.
  --trace-slot N the slot whose iterations figures 7-9 and 11 show (default: the one with most sellers)`

export async function runSimulate(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { scenario: { value: true }, out: { value: true }, settle: { value: false }, 'trace-slot': { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const scenario = readJsonFile(requireOption(stringOption(args, 'scenario'), 'scenario'), scenarioSchema)
  const chosen = numberOption(args, 'trace-slot')
  if (chosen !== undefined && (!Number.isInteger(chosen) || chosen < 1 || chosen > scenario.slots))
    throw new UsageError(`--trace-slot must be a slot from 1 to ${scenario.slots} (got ${chosen})`)

  const started = performance.now()
  // the day is deterministic: a first pass finds the slot to trace, the second keeps its iterations
  const traceSlot = chosen ?? liveliestSlot(runDay(scenario))
  const day = runDay(scenario, {
    trace: traceSlot === null ? 'none' : [traceSlot],
    onSlot: (s) =>
      out.note(
        `slot ${String(s.t).padStart(2)}: ${s.sellers.length} sellers, ${s.buyers.length} buyers, ${s.tradedKWh.toFixed(2)} kWh${s.converged ? '' : ' — NOT converged, not traded'}`
      )
  })
  out.note(`day solved in ${(performance.now() - started).toFixed(1)} ms`)

  const outDir = stringOption(args, 'out')
  if (outDir) {
    const files = writeDayFiles(outDir, scenario, day, traceSlot)
    out.note(`wrote ${files.results}, ${files.trades} and ${files.report}`)
  }
  let settlement: { runId: string; result: SettleRunResult } | undefined
  if (args.options.has('settle')) {
    const keystoreIsNew = new Keystore(join(resolve(dataDir), KEYSTORE_FILE_NAME)).isNew
    const passphrase = await readPassphrase(keystoreIsNew ? 'New keystore passphrase: ' : 'Keystore passphrase: ')
    settlement = await runWrite(dataDir, 'simulate --settle', 'market.settleDay', { scenario, traceSlot, passphrase }, out)
  }

  const summary = {
    slots: day.slots.map((s) => ({
      t: s.t,
      sellers: s.sellers.length,
      buyers: s.buyers.length,
      clearingPrice: s.clearingPrice,
      tradedKWh: s.tradedKWh,
      iterations: s.iterations,
      converged: s.converged
    })),
    totalTradedKWh: day.totalTradedKWh,
    totalPaid: day.totalPaid,
    ...(settlement ? { runId: settlement.runId, settlement: settlement.result } : {})
  }
  out.result(summary, () =>
    [
      'slot  sellers  buyers  clearing price  traded kWh  converged',
      ...summary.slots.map(
        (s) =>
          `${String(s.t).padStart(4)}  ${String(s.sellers).padStart(7)}  ${String(s.buyers).padStart(6)}  ${(s.clearingPrice === null ? '—' : s.clearingPrice.toFixed(4)).padStart(14)}  ${s.tradedKWh.toFixed(3).padStart(10)}  ${s.converged ? 'yes' : 'NO'}`
      ),
      `total ${day.totalTradedKWh.toFixed(3)} kWh for ${day.totalPaid.toFixed(4)} ${scenario.currency}`,
      ...(settlement
        ? [
            `settled ${settlement.result.settled} slots of run ${settlement.runId}`,
            ...settlement.result.failed.map((f) => `slot ${f.t} NOT settled: ${f.error}`)
          ]
        : [])
    ].join('\n')
  )
  return settlement?.result.failed.length ? 1 : 0
}
