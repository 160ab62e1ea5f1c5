// Who sells and who buys in a slot, eqs. (12)–(16), as docs/model.md reads them.

/** ζ_i^t = P_i^t / C_i^t (12), the PCR of figs. 3–4; null when nothing is consumed (ζ is unbounded). */
export function productionConsumptionRatio(productionKWh: number, consumptionKWh: number): number | null {
  return consumptionKWh > 0 ? productionKWh / consumptionKWh : null
}

/** G_n^t = max(0, C − P) (14), plus the refill ϱ − ϱ_n^t of the grid's storage (16). */
export function gridDemandCapKWh(
  productionKWh: number,
  consumptionKWh: number,
  storage?: { capacityKWh: number; levelKWh: number }
): number {
  const refill = storage ? Math.max(0, storage.capacityKWh - storage.levelKWh) : 0
  return Math.max(0, consumptionKWh - productionKWh) + refill
}

/**
 * The grid's storage after the slot: what it bought beyond its own deficit, and its own surplus,
 * fill the storage; a deficit it did not buy is met upstream, not from storage, so (16) stays a
 * refill demand.
 */
export function gridStorageAfterSlot(
  storage: { capacityKWh: number; levelKWh: number },
  productionKWh: number,
  consumptionKWh: number,
  boughtKWh: number
): number {
  const deficit = Math.max(0, consumptionKWh - productionKWh)
  const surplus = Math.max(0, productionKWh - consumptionKWh)
  return Math.min(storage.capacityKWh, storage.levelKWh + Math.max(0, boughtKWh - deficit) + surplus)
}
