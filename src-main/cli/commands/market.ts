import { writeFileSync } from 'node:fs'
import { slotInputSchema } from '../../../src-shared/market/scenario'
import { solveSlotInput } from '../../../src-shared/market/slot'
import { readJsonFile } from '../../core/inputFile'
import { paperScenario } from '../../core/market/paperScenario'
import { parseArgs, requireOption, stringOption, UsageError } from '../args'
import { significant, type Output } from '../output'
import { readPassphrase } from '../passphrase'
import { withApp } from '../withApp'
import { runWrite } from '../writer'

export const marketUsage = `dv2g market solve --input FILE [--json] | example [--out FILE] | runs [--json] | settle --run ID [--json]
  solve: one slot, the EVs' Stackelberg game with the grids' evolutionary game inside (Algorithms 1, 2).
    FILE: {"sellers":[{"id","supplyKWh","reservePrice","initialPrice"?}],
           "buyers":[{"id","xi","kappa","demandCapKWh"}], "priceCap", "game":{"sigma1"?,"sigma2"?,"C"?,"maxIterations"?,"egtMaxIterations"?,"seed"?}}
  example: the default scenario (3 grids, 10 EVs, 24 slots) as JSON, to start your own from.
  runs: the data dir's market runs, newest first, with how many of their slots are settled.
  settle: settles every converged slot of the run not on the ledger yet, each grid–EV pair paid
    exactly once, so it also finishes a settlement that a crash or a failure interrupted
    (passphrase from DV2G_PASSPHRASE or a prompt). Exits 1 when a slot could not be settled.`

export async function runMarket(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'solve') {
    const args = parseArgs(rest, { input: { value: true } })
    if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
    const input = readJsonFile(requireOption(stringOption(args, 'input'), 'input'), slotInputSchema)
    const { trace, ...solution } = solveSlotInput(input)
    out.result(solution, () =>
      [
        `converged ${solution.converged ? 'yes' : 'NO'} after ${solution.iterations.stackelberg} price rounds, ${solution.iterations.egt} EGT iterations (${trace.length} kept)`,
        `clearing price ${solution.clearingPrice === null ? '— (nothing trades)' : significant(solution.clearingPrice)}`,
        '',
        'seller      price      Q    supply kWh   demand kWh   first-price ask',
        ...solution.sellers.map((s, m) =>
          `${s.id.padEnd(10)} ${significant(s.price).padStart(7)} ${s.probability.toFixed(3).padStart(6)} ${s.supplyKWh.toFixed(3).padStart(12)} ${s.demandKWh.toFixed(3).padStart(12)} ${significant(solution.baseline.sellers[m]!.ask).padStart(17)}`
        ),
        '',
        'buyer      bought kWh     paid   welfare',
        ...solution.buyers.map((b) => `${b.id.padEnd(10)} ${b.boughtKWh.toFixed(3).padStart(10)} ${b.paid.toFixed(4).padStart(8)} ${b.welfare.toFixed(4).padStart(9)}`),
        '',
        `paid in total ${solution.buyers.reduce((sum, b) => sum + b.paid, 0).toFixed(4)}; first-price auction ${solution.baseline.totalPaid.toFixed(4)}`
      ].join('\n')
    )
    return 0
  }
  if (sub === 'example') {
    const args = parseArgs(rest, { out: { value: true } })
    const text = `${JSON.stringify(paperScenario(), null, 2)}\n`
    const path = stringOption(args, 'out')
    if (path) {
      writeFileSync(path, text)
      out.note(`wrote ${path}`)
    } else process.stdout.write(text)
    return 0
  }
  if (sub === 'runs') return listRuns(rest, out, dataDir)
  if (sub === 'settle') return settleRun(rest, out, dataDir)
  throw new UsageError(sub ? `unknown market command ${JSON.stringify(sub)}; use solve, example, runs or settle` : 'market needs a command: solve, example, runs or settle')
}

function listRuns(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, {})
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  return withApp(dataDir, (app) => {
    const runs = app.market().runs()
    out.result(
      runs.map((r) => ({ id: r.id, scenario: r.scenario, status: r.status, slots: r.slots, settledSlots: r.settledSlots })),
      () =>
        runs.length === 0
          ? 'no market runs in this data dir'
          : [
              'run                                   scenario        status    slots  solved  settled  created',
              ...runs.map((r) => `${r.id.padEnd(36)}  ${r.scenario.padEnd(14)}  ${r.status.padEnd(8)}  ${String(r.slots).padStart(5)}  ${String(r.solvedSlots).padStart(6)}  ${String(r.settledSlots).padStart(7)}  ${r.createdAt}`)
            ].join('\n')
    )
    return 0
  }, { readOnly: true })
}

async function settleRun(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { run: { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const runId = requireOption(stringOption(args, 'run'), 'run')
  // an unknown run is named before the passphrase is asked for
  await withApp(dataDir, (app) => app.market().day(runId), { readOnly: true })
  const result = await runWrite(dataDir, 'market settle', 'market.settle', { runId, passphrase: await readPassphrase('Keystore passphrase: ') }, out)
  out.result(result, () =>
    [
      `settled ${result.settled} slot${result.settled === 1 ? '' : 's'} of run ${runId}; ${result.alreadySettled} already settled`,
      ...result.failed.map((f) => `slot ${f.t} NOT settled: ${f.error}`)
    ].join('\n')
  )
  return result.failed.length ? 1 : 0
}
