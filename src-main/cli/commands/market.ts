import { writeFileSync } from 'node:fs'
import { slotInputSchema } from '../../../src-shared/market/scenario'
import { solveSlotInput } from '../../../src-shared/market/slot'
import { readJsonFile } from '../../core/inputFile'
import { paperScenario } from '../../core/market/paperScenario'
import { parseArgs, requireOption, stringOption, UsageError } from '../args'
import { significant, type Output } from '../output'

export const marketUsage = `dv2g market solve --input FILE [--json] | example [--out FILE]
  solve: one slot, the EVs' Stackelberg game with the grids' evolutionary game inside (Algorithms 1, 2).
    FILE: {"sellers":[{"id","supplyKWh","reservePrice","initialPrice"?}],
           "buyers":[{"id","xi","kappa","demandCapKWh"}], "priceCap", "game":{"sigma1"?,"sigma2"?,"C"?,"maxIterations"?,"egtMaxIterations"?,"seed"?}}
  example: the default scenario (3 grids, 10 EVs, 24 slots) as JSON, to start your own from.`

export function runMarket(argv: readonly string[], out: Output): number {
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
  throw new UsageError(sub ? `unknown market command ${JSON.stringify(sub)}; use solve or example` : 'market needs a command: solve or example')
}
