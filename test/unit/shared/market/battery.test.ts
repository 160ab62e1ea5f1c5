import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { batteryAfterSlot, deliverableKWh, evSupplyKWh, minimumStateKWh, type Battery } from '../../../../src-shared/market/battery'

// the paper's settings: 3 kW limits, efficiencies 0.6 (charge) and 0.4 (discharge)
const battery: Battery = {
  capacityKWh: 24,
  depthOfDischarge: 0.8,
  maxChargeKW: 3,
  maxDischargeKW: 3,
  chargeEfficiency: 0.6,
  dischargeEfficiency: 0.4
}

describe('EV battery (4)–(8), (13), (15)', () => {
  it('delivers at most its discharge limit and what lies above E_min, after losses', () => {
    expect(minimumStateKWh(battery)).toBeCloseTo(4.8, 12)
    expect(deliverableKWh(battery, 24)).toBe(3) // limited by 3 kW · 1 h
    expect(deliverableKWh(battery, 6)).toBeCloseTo(0.4 * 1.2, 12) // limited by the stored energy
    expect(deliverableKWh(battery, minimumStateKWh(battery))).toBe(0)
    expect(deliverableKWh(battery, 4)).toBe(0) // below the floor: nothing, never negative
  })

  it('offers its surplus plus what the battery can deliver, covering its own deficit first', () => {
    expect(evSupplyKWh(battery, 24, 5, 1)).toBe(7)
    expect(evSupplyKWh(battery, 24, 0, 2)).toBe(1)
    expect(evSupplyKWh(battery, 4.8, 0, 2)).toBe(0)
  })

  it('stores a surplus up to the charging limit with η_cp, and draws a deficit with η_dp', () => {
    expect(batteryAfterSlot(battery, 10, 6, 1, 0)).toBeCloseTo(10 + 3 * 0.6, 12)
    expect(batteryAfterSlot(battery, 10, 0, 0, 1)).toBeCloseTo(10 - 1 / 0.4, 12)
  })

  it('stays within [E_min, E_cap] over any day in which it sells no more than it offers', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 4.8, max: 24, noNaN: true }),
        fc.array(
          fc.record({
            p: fc.double({ min: 0, max: 6, noNaN: true }),
            c: fc.double({ min: 0, max: 6, noNaN: true }),
            share: fc.double({ min: 0, max: 1, noNaN: true })
          }),
          { minLength: 24, maxLength: 24 }
        ),
        (start, day) => {
          let state = start
          for (const { p, c, share } of day) {
            const sold = share * evSupplyKWh(battery, state, p, c)
            state = batteryAfterSlot(battery, state, p, c, sold)
            expect(state).toBeGreaterThanOrEqual(minimumStateKWh(battery) - 1e-9)
            expect(state).toBeLessThanOrEqual(battery.capacityKWh + 1e-9)
          }
        }
      ),
      { numRuns: 200, seed: 13 }
    )
  })
})
