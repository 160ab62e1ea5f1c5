import { simulateTangle } from '../../core/ledger/simulator'
import { numberOption, parseArgs, requireOption, UsageError, type ParsedArgs } from '../args'
import { significant, table, type Output } from '../output'

export const tangleUsage = `dv2g tangle sim --rate L --delay H --tx N [--alpha A] [--seed S]
  Discrete-event simulation of the tangle (Poisson arrivals at rate λ, attachment delay h, the
  walk's α): mean tip count against Popov's 2λh, and the mean time to first approval.`

function positive(args: ParsedArgs, name: string, { integer = false, allowZero = false } = {}): number {
  const value = requireOption(numberOption(args, name), name)
  if (integer && !Number.isInteger(value)) throw new UsageError(`--${name} must be a whole number (got ${value})`)
  if (allowZero ? value < 0 : value <= 0) throw new UsageError(`--${name} must be ${allowZero ? 'zero or more' : 'greater than 0'} (got ${value})`)
  return value
}

function runSim(argv: readonly string[], out: Output): number {
  const args = parseArgs(argv, { rate: { value: true }, delay: { value: true }, tx: { value: true }, alpha: { value: true }, seed: { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const rate = positive(args, 'rate')
  const delay = positive(args, 'delay', { allowZero: true })
  const transactions = positive(args, 'tx', { integer: true })
  if (transactions < 2 || transactions > 10_000_000) throw new UsageError(`--tx must be from 2 to 10000000 (got ${transactions})`)
  const alpha = numberOption(args, 'alpha') ?? 0
  if (alpha < 0) throw new UsageError(`--alpha must be zero or more (got ${alpha})`)
  const seed = numberOption(args, 'seed') ?? 1
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be a whole number (got ${seed})`)

  const result = simulateTangle({
    rate, delay, transactions, alpha, seed,
    onProgress: (done, total) => out.note(`tangle sim: ${done} of ${total} transactions`)
  })
  out.result(result, () =>
    table([
      ['transactions', String(result.transactions)],
      ['rate λ', String(result.rate), 'per unit time'],
      ['attachment delay h', String(result.delay), 'units'],
      ['walk α', String(result.alpha)],
      ['mean tips', significant(result.meanTips)],
      ['expected tips 2λh (Popov)', significant(result.expectedTips)],
      ['mean time to first approval', significant(result.meanFirstApprovalDelay), 'units']
    ])
  )
  return 0
}

const subcommands: Record<string, (argv: readonly string[], out: Output, dataDir: string) => number | Promise<number>> = {
  sim: runSim
}

export function runTangle(argv: readonly string[], out: Output, dataDir: string): number | Promise<number> {
  const [name, ...rest] = argv
  const sub = name ? subcommands[name] : undefined
  if (!sub) throw new UsageError(`${name ? `unknown tangle command ${JSON.stringify(name)}` : 'missing tangle command'}; one of: ${Object.keys(subcommands).join(', ')}`)
  return sub(rest, out, dataDir)
}
