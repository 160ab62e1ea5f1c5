import { describe, expect, it } from 'vitest'
import { gridDemandCapKWh, gridStorageAfterSlot, productionConsumptionRatio } from '../../../../src-shared/market/classify'

describe('classification (12)–(16)', () => {
  it('gives the PCR, unbounded (null) when nothing is consumed', () => {
    expect(productionConsumptionRatio(6, 4)).toBe(1.5)
    expect(productionConsumptionRatio(0, 4)).toBe(0)
    expect(productionConsumptionRatio(3, 0)).toBeNull()
  })

  it("caps a grid's demand at its deficit plus what its storage lacks", () => {
    expect(gridDemandCapKWh(5, 12)).toBe(7)
    expect(gridDemandCapKWh(12, 5)).toBe(0)
    expect(gridDemandCapKWh(5, 12, { capacityKWh: 10, levelKWh: 4 })).toBe(13)
    expect(gridDemandCapKWh(12, 5, { capacityKWh: 10, levelKWh: 10 })).toBe(0)
  })

  it('fills the storage with what was bought beyond the deficit and with surplus, never beyond capacity', () => {
    expect(gridStorageAfterSlot({ capacityKWh: 10, levelKWh: 4 }, 5, 12, 9)).toBe(6)
    expect(gridStorageAfterSlot({ capacityKWh: 10, levelKWh: 4 }, 12, 5, 0)).toBe(10)
    expect(gridStorageAfterSlot({ capacityKWh: 10, levelKWh: 4 }, 5, 12, 3)).toBe(4)
  })
})
