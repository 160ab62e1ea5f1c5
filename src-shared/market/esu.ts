import { Dv2gError } from '../errors'
// ESU (battery) cost model of the paper, eqs. (9)–(11), as docs/model.md "ESU cost" reads them.

export interface EsuParameters {
  capacityKWh: number
  /** D_D: usable share of capacity, 0 < D_D ≤ 1 */
  depthOfDischarge: number
  /** L_c: full cycles until end of life (docs/model.md reads l in (11) as the cycle life) */
  cycleLife: number
  /** CU: combined cost of converter and ESU, currency units */
  combinedCost: number
  /** MC: maintenance per year, currency units */
  maintenancePerYear: number
  /** r: interest rate per year, as a fraction (0.05 = 5 %) */
  interestRate: number
  /** l: financing lifetime in years */
  lifetimeYears: number
  /** Y_d */
  daysPerYear: number
}

export interface EsuCost {
  /** CRF: the annuity factor that spreads CU over l years at rate r */
  annuityFactor: number
  /** CD (9), currency units per day */
  costPerDay: number
  /** L_T (11), kWh the ESU delivers over its life */
  lifetimeThroughputKWh: number
  /** ω (10), currency units per kWh cycled */
  degradationCostPerKWh: number
}

/** Capital recovery factor r(1+r)^l / ((1+r)^l − 1); its limit 1/l at r = 0. */
export function capitalRecoveryFactor(rate: number, years: number): number {
  if (rate === 0) return 1 / years
  // expm1/log1p keep (1+r)^l − 1 exact for tiny rates, where the plain form cancels
  const growthMinusOne = Math.expm1(years * Math.log1p(rate))
  return (rate * (growthMinusOne + 1)) / growthMinusOne
}

/** CD = (MC + CRF·CU) / Y_d  (9) */
export function costPerDay(p: EsuParameters): number {
  const annuity = capitalRecoveryFactor(p.interestRate, p.lifetimeYears)
  return (p.maintenancePerYear + annuity * p.combinedCost) / p.daysPerYear
}

/** L_T = D_D · E_cap · L_c  (11) */
export function lifetimeThroughputKWh(p: Pick<EsuParameters, 'capacityKWh' | 'depthOfDischarge' | 'cycleLife'>): number {
  return p.depthOfDischarge * p.capacityKWh * p.cycleLife
}

/** ω = CU / L_T  (10) */
export function degradationCostPerKWh(p: Pick<EsuParameters, 'capacityKWh' | 'depthOfDischarge' | 'cycleLife' | 'combinedCost'>): number {
  return p.combinedCost / lifetimeThroughputKWh(p)
}

/** A figure that overflowed or has no value for the parameters given: never shown as a result. */
export class EsuNotFiniteError extends Dv2gError {
  declare readonly field: keyof EsuCost
  constructor(field: keyof EsuCost) {
    super('invalid_argument', `${field}: the parameters give no finite value; check that each is within its range`, { field })
    this.name = 'EsuNotFiniteError'
  }
}

export function esuCost(p: EsuParameters): EsuCost {
  const cost: EsuCost = {
    annuityFactor: capitalRecoveryFactor(p.interestRate, p.lifetimeYears),
    costPerDay: costPerDay(p),
    lifetimeThroughputKWh: lifetimeThroughputKWh(p),
    degradationCostPerKWh: degradationCostPerKWh(p)
  }
  for (const field of ['annuityFactor', 'costPerDay', 'lifetimeThroughputKWh', 'degradationCostPerKWh'] as const) {
    if (!Number.isFinite(cost[field])) throw new EsuNotFiniteError(field)
  }
  return cost
}

/** The ESU pays for itself when what it saves a day exceeds what it costs a day (CD). */
export function esuWorthIt(cost: EsuCost, dailySaving: number): { worthIt: boolean; marginPerDay: number } {
  const marginPerDay = dailySaving - cost.costPerDay
  return { worthIt: marginPerDay > 0, marginPerDay }
}
