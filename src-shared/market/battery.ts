// The EV battery (ESU) through a slot, eqs. (4)–(8), (13), (15), as docs/model.md reads them. In one
// slot a battery charges or discharges, never both (4).

export interface Battery {
  capacityKWh: number
  /** D_D: E_min = (1 − D_D)·E_cap */
  depthOfDischarge: number
  maxChargeKW: number
  maxDischargeKW: number
  /** η_cp: share of the charging energy that is stored */
  chargeEfficiency: number
  /** η_dp: share of the drawn energy that reaches the terminals */
  dischargeEfficiency: number
}

export const minimumStateKWh = (b: Battery) => (1 - b.depthOfDischarge) * b.capacityKWh

/** V_m^t = min(B_dp^max·Δt, η_dp·(E^{t−1} − E_min)): what the battery can deliver at its terminals. */
export function deliverableKWh(b: Battery, stateKWh: number, slotHours = 1): number {
  return Math.max(0, Math.min(b.maxDischargeKW * slotHours, b.dischargeEfficiency * (stateKWh - minimumStateKWh(b))))
}

/** S_m^t = max(0, (P − C) + V) (13), (15): the EV first covers its own deficit, then offers the rest. */
export function evSupplyKWh(b: Battery, stateKWh: number, productionKWh: number, consumptionKWh: number, slotHours = 1): number {
  return Math.max(0, productionKWh - consumptionKWh + deliverableKWh(b, stateKWh, slotHours))
}

/**
 * The battery after the slot (5)–(7): what the EV produced, minus what it used and sold, is
 * stored (up to the charging limit, with η_cp) or drawn from the battery (with η_dp). Selling no
 * more than its supply keeps the state within [E_min, E_cap] (8).
 */
export function batteryAfterSlot(
  b: Battery,
  stateKWh: number,
  productionKWh: number,
  consumptionKWh: number,
  soldKWh: number,
  slotHours = 1
): number {
  const netKWh = productionKWh - consumptionKWh - soldKWh
  if (netKWh >= 0) {
    const charged = Math.min(netKWh, b.maxChargeKW * slotHours) * b.chargeEfficiency // ϕ (5)
    return Math.min(b.capacityKWh, stateKWh + charged)
  }
  const drawn = -netKWh / b.dischargeEfficiency // φ (6)
  return Math.max(minimumStateKWh(b), stateKWh - drawn)
}
