import { statSync } from 'node:fs'
import { ledgerStats, verifyLedger } from '../../core/ledger/audit'
import { simulateTangle } from '../../core/ledger/simulator'
import { numberOption, parseArgs, requireOption, UsageError, type ParsedArgs } from '../args'
import { significant, table, type Output } from '../output'
import { withApp } from '../withApp'
import { runWrite } from '../writer'

export const tangleUsage = `dv2g tangle spam --count N [--rate R] | verify | stats | sim --rate L --delay H --tx N [--alpha A] [--seed S]
  spam: issue N valid signed data transactions (at R per second), each counted once committed.
  verify: re-check every stored transaction, the outputs, the supply and SQLite's integrity.
  stats: transactions by status, tips, database size.
  sim: discrete-event simulation (Poisson arrivals at rate λ, attachment delay h, the walk's α):
  mean tip count against Popov's 2λh, and the mean time to first approval.`

function positive(args: ParsedArgs, name: string, { integer = false, allowZero = false } = {}): number {
  const value = requireOption(numberOption(args, name), name)
  if (integer && !Number.isInteger(value)) throw new UsageError(`--${name} must be a whole number (got ${value})`)
  if (allowZero ? value < 0 : value <= 0)
    throw new UsageError(`--${name} must be ${allowZero ? 'zero or more' : 'greater than 0'} (got ${value})`)
  return value
}

function runSim(argv: readonly string[], out: Output): number {
  const args = parseArgs(argv, {
    rate: { value: true },
    delay: { value: true },
    tx: { value: true },
    alpha: { value: true },
    seed: { value: true }
  })
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
    rate,
    delay,
    transactions,
    alpha,
    seed,
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

function databaseBytes(file: string): number {
  return ['', '-wal'].reduce((sum, suffix) => {
    try {
      return sum + statSync(file + suffix).size
    } catch {
      return sum
    }
  }, 0)
}

async function runSpam(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { count: { value: true }, rate: { value: true } })
  const count = positive(args, 'count', { integer: true })
  const rate = args.options.has('rate') ? positive(args, 'rate') : undefined
  const result = await runWrite(dataDir, 'tangle spam', 'tangle.spam', { count, ...(rate ? { rate } : {}) }, out)
  out.result(result, () =>
    table([
      ['issued', String(result.issued)],
      ['accepted (committed)', String(result.accepted)],
      ['seconds', result.seconds.toFixed(2)],
      ['rate', result.txPerSecond.toFixed(0), 'tx/s']
    ])
  )
  return 0
}

function runVerify(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  parseArgs(argv, {})
  return withApp(
    dataDir,
    (app) => {
      const report = verifyLedger(app.db, (done, total) => out.note(`tangle verify: ${done} of ${total} transactions`))
      out.result(report, () =>
        [
          `${report.ok ? 'ok' : 'PROBLEMS FOUND'}: ${report.transactions} transactions, ${report.tips} tips`,
          ...report.problems.map((p) => `  ${p}`)
        ].join('\n')
      )
      return report.ok ? 0 : 1
    },
    { readOnly: true }
  )
}

function runStats(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  parseArgs(argv, {})
  return withApp(
    dataDir,
    (app) => {
      const stats = ledgerStats(app.db, databaseBytes(app.databaseFile))
      out.result(stats, () => table(Object.entries(stats).map(([k, v]) => [k, String(v)])))
      return 0
    },
    { readOnly: true }
  )
}

const subcommands: Record<string, (argv: readonly string[], out: Output, dataDir: string) => number | Promise<number>> = {
  spam: runSpam,
  verify: runVerify,
  stats: runStats,
  sim: runSim
}

export function runTangle(argv: readonly string[], out: Output, dataDir: string): number | Promise<number> {
  const [name, ...rest] = argv
  const sub = name ? subcommands[name] : undefined
  if (!sub)
    throw new UsageError(
      `${name ? `unknown tangle command ${JSON.stringify(name)}` : 'missing tangle command'}; one of: ${Object.keys(subcommands).join(', ')}`
    )
  return sub(rest, out, dataDir)
}
