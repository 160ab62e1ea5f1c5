// Grid utility, welfare and best response, eqs. (17), (18), (21), as docs/model.md reads them.

export interface Buyer {
  /** ξ_n: how much the grid values energy */
  xi: number
  /** κ_n > 0: how fast that value saturates */
  kappa: number
  /** G_n^t: what the grid may buy this slot, kWh (14), (16) */
  demandCapKWh: number
}

/**
 * U_n(p) = ξp − κp²/2 up to its peak at p = ξ/κ, flat at ξ²/(2κ) beyond (17); the paper prints
 * ξ/κ for the flat branch, continuity needs ξ²/(2κ).
 */
export function gridUtility(b: Pick<Buyer, 'xi' | 'kappa'>, energyKWh: number): number {
  const peak = b.xi / b.kappa
  return energyKWh <= peak ? b.xi * energyKWh - (b.kappa * energyKWh * energyKWh) / 2 : (b.xi * b.xi) / (2 * b.kappa)
}

/** W_n(p, ϖ) = U_n(p) − ϖp  (18) */
export function gridWelfare(b: Pick<Buyer, 'xi' | 'kappa'>, energyKWh: number, price: number): number {
  return gridUtility(b, energyKWh) - price * energyKWh
}

/** p*_n(ϖ) = clamp((ξ − ϖ)/κ, 0, G)  (21): what grid n buys at price ϖ. */
export function bestResponse(b: Buyer, price: number): number {
  return Math.min(Math.max((b.xi - price) / b.kappa, 0), b.demandCapKWh)
}

/** Σ_n p*_n(ϖ): the grids' total demand at one price. */
export function totalDemand(buyers: readonly Buyer[], price: number): number {
  let sum = 0
  for (const b of buyers) sum += bestResponse(b, price)
  return sum
}
