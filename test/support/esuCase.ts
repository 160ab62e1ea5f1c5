import type { EsuParametersInput } from '../../src-shared/contract'

/** The reference ESU case: ω = 0.14236 per kWh, CD ≈ 2.909 per day. */
export const referenceEsuCase: EsuParametersInput = {
  capacityKWh: 24,
  depthOfDischarge: 0.8,
  cycleLife: 3000,
  combinedCost: 8200,
  maintenancePerYear: 0,
  interestRate: 0.05,
  lifetimeYears: 10,
  daysPerYear: 365
}
