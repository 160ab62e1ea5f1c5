import { esuParametersSchema, type EsuParametersInput } from '../../../src-shared/contract'
import { esuCost, EsuNotFiniteError, type EsuCost } from '../../../src-shared/market/esu'
import { numberOption, parseArgs, requireOption, UsageError, type OptionSpec } from '../args'
import { significant, table, type Output } from '../output'

/** CLI option for each ESU parameter; errors are reported under the option's name. */
const optionFor: Record<keyof EsuParametersInput, string> = {
  capacityKWh: 'capacity-kwh',
  depthOfDischarge: 'dod',
  cycleLife: 'cycle-life',
  combinedCost: 'combined-cost',
  maintenancePerYear: 'maintenance',
  interestRate: 'rate',
  lifetimeYears: 'lifetime-years',
  daysPerYear: 'days-per-year'
}
const DEFAULT_DAYS_PER_YEAR = 365

export const esuUsage = `dv2g esu --capacity-kwh E --dod D --cycle-life N --combined-cost CU --maintenance MC --rate r --lifetime-years l [--days-per-year Y] [--json]
  ESU cost of the paper, eqs. (9)-(11): annuity factor, cost per day CD, lifetime throughput L_T, degradation cost ω.
  --dod and --rate are fractions (0.8 = 80 %, 0.05 = 5 %).`

export function runEsu(argv: readonly string[], out: Output): number {
  const spec: Record<string, OptionSpec> = Object.fromEntries(Object.values(optionFor).map((name) => [name, { value: true }]))
  const args = parseArgs(argv, spec)
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)

  const raw = Object.fromEntries(
    (Object.entries(optionFor) as [keyof EsuParametersInput, string][]).map(([key, option]) => {
      const value = numberOption(args, option)
      return [key, key === 'daysPerYear' ? (value ?? DEFAULT_DAYS_PER_YEAR) : requireOption(value, option)]
    })
  )
  const checked = esuParametersSchema.safeParse(raw)
  if (!checked.success) {
    const issue = checked.error.issues[0]!
    const option = optionFor[issue.path[0] as keyof EsuParametersInput]
    throw new UsageError(`--${option} ${issue.message} (got ${raw[issue.path[0] as string]})`)
  }

  let cost: EsuCost
  try {
    cost = esuCost(checked.data)
  } catch (error) {
    if (error instanceof EsuNotFiniteError) throw new UsageError(error.message)
    throw error
  }
  out.result(cost, () =>
    table([
      ['annuity factor CRF', significant(cost.annuityFactor)],
      ['cost per day CD (9)', significant(cost.costPerDay), 'per day'],
      ['lifetime throughput L_T (11)', significant(cost.lifetimeThroughputKWh), 'kWh'],
      ['degradation cost ω (10)', significant(cost.degradationCostPerKWh), 'per kWh']
    ])
  )
  return 0
}
