import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evSupplyKWh } from '../../../../src-shared/market/battery'
import { MarketDay, runDay } from '../../../../src-shared/market/day'
import { scenarioSchema, type Scenario } from '../../../../src-shared/market/scenario'
import { paperScenario } from '../../../../src-main/core/market/paperScenario'

const energy = fc.double({ min: 0, max: 8, noNaN: true })

const scenarioArbitrary = fc.integer({ min: 1, max: 6 }).chain((slots) => {
  const profile = fc.array(energy, { minLength: slots, maxLength: slots })
  const ev = fc.record({
    capacityKWh: fc.double({ min: 10, max: 80, noNaN: true }),
    depthOfDischarge: fc.double({ min: 0.5, max: 0.9, noNaN: true }),
    soc: fc.double({ min: 0, max: 1, noNaN: true }),
    reservePrice: fc.double({ min: 0.02, max: 0.09, noNaN: true }),
    productionKWh: profile,
    consumptionKWh: profile
  })
  const grid = fc.record({
    xi: fc.double({ min: 0.15, max: 0.4, noNaN: true }),
    kappa: fc.double({ min: 0.005, max: 0.05, noNaN: true }),
    productionKWh: profile,
    consumptionKWh: fc.array(fc.double({ min: 0, max: 40, noNaN: true }), { minLength: slots, maxLength: slots }),
    storageKWh: fc.option(fc.double({ min: 1, max: 20, noNaN: true }), { nil: undefined })
  })
  return fc.record({
    slots: fc.constant(slots),
    evs: fc.array(ev, { minLength: 1, maxLength: 6 }),
    grids: fc.array(grid, { minLength: 1, maxLength: 3 }),
    caps: fc.array(fc.double({ min: 0.1, max: 0.3, noNaN: true }), { minLength: slots, maxLength: slots }),
    seed: fc.nat()
  })
})

function toScenario(r: typeof scenarioArbitrary extends fc.Arbitrary<infer T> ? T : never): Scenario {
  return scenarioSchema.parse({
    name: 'random',
    slots: r.slots,
    tokenBaseUnitsPerCurrencyUnit: 1000,
    priceCap: r.caps,
    game: { seed: r.seed, maxIterations: 5 },
    evs: r.evs.map((ev, m) => {
      const floor = (1 - ev.depthOfDischarge) * ev.capacityKWh
      return {
        id: `EV${m}`,
        battery: {
          capacityKWh: ev.capacityKWh,
          depthOfDischarge: ev.depthOfDischarge,
          maxChargeKW: 3,
          maxDischargeKW: 3,
          chargeEfficiency: 0.6,
          dischargeEfficiency: 0.4,
          initialKWh: Math.min(ev.capacityKWh, floor + ev.soc * (ev.capacityKWh - floor))
        },
        reservePrice: ev.reservePrice,
        productionKWh: ev.productionKWh,
        consumptionKWh: ev.consumptionKWh
      }
    }),
    grids: r.grids.map((g, n) => ({
      id: `G${n}`,
      xi: g.xi,
      kappa: g.kappa,
      productionKWh: g.productionKWh,
      consumptionKWh: g.consumptionKWh,
      ...(g.storageKWh === undefined ? {} : { storage: { capacityKWh: g.storageKWh, initialKWh: 0 } })
    }))
  })
}

describe('a day of trading', () => {
  it('over random days: batteries stay within [E_min, E_cap], Q on the simplex, trades conserve energy and money', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (raw) => {
        const scenario = toScenario(raw)
        const day = runDay(scenario, { trace: 'all' })
        day.evs.forEach((ev, m) => {
          const b = scenario.evs[m]!.battery
          for (const level of ev.batteryKWh) {
            expect(level).toBeGreaterThanOrEqual((1 - b.depthOfDischarge) * b.capacityKWh - 1e-9)
            expect(level).toBeLessThanOrEqual(b.capacityKWh + 1e-9)
          }
        })
        for (const slot of day.slots) {
          if (slot.sellers.length > 0 && slot.buyers.length > 0) {
            expect(slot.sellers.reduce((sum, s) => sum + s.probability, 0)).toBeCloseTo(1, 9)
            for (const step of slot.trace!.steps) {
              step.q.forEach((q) => expect(q).toBeGreaterThanOrEqual(0))
              expect(step.q.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
            }
          }
          for (const seller of slot.sellers) {
            const sold = slot.trades.filter((t) => t.seller === seller.id).reduce((sum, t) => sum + t.energyKWh, 0)
            expect(sold).toBeLessThanOrEqual(seller.supplyKWh * (1 + 1e-9))
          }
          for (const trade of slot.trades) expect(trade.paid).toBeCloseTo(trade.price * trade.energyKWh, 12)
          const bought = slot.buyers.reduce((sum, b) => sum + b.boughtKWh, 0)
          expect(bought).toBeCloseTo(slot.tradedKWh, 9)
        }
      }),
      { numRuns: 80, seed: 11 }
    )
  })

  it('gives the same day for the same seed', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (raw) => {
        const scenario = toScenario(raw)
        expect(runDay(scenario, { trace: 'all' })).toEqual(runDay(scenario, { trace: 'all' }))
      }),
      { numRuns: 20, seed: 12 }
    )
  })

  it('runs the default scenario: 24 slots, all converged, energy traded at prices between reserve and cap', () => {
    const scenario = scenarioSchema.parse(JSON.parse(readFileSync('resources/scenarios/paper-3x10.json', 'utf8')))
    const day = runDay(scenario)
    expect(day.slots).toHaveLength(24)
    expect(day.converged).toBe(true)
    expect(day.totalTradedKWh).toBeGreaterThan(50)
    for (const slot of day.slots)
      for (const seller of slot.sellers.filter((s) => s.soldKWh > 0)) {
        expect(seller.price).toBeGreaterThanOrEqual(seller.reservePrice)
        expect(seller.price).toBeLessThanOrEqual(slot.priceCap)
      }
  })

  it('keeps resources/scenarios/paper-3x10.json equal to what its stated generator gives', () => {
    expect(JSON.parse(readFileSync('resources/scenarios/paper-3x10.json', 'utf8'))).toEqual(paperScenario())
  })

  it("takes an EV's battery level from its charger where one reports it, and carries on from there", () => {
    const scenario = scenarioSchema.parse(paperScenario())
    const ev = scenario.evs[0]!
    const day = new MarketDay(scenario)
    const full = day.runSlot(0, { overrides: new Map([[ev.id, { batteryKWh: ev.battery.capacityKWh * 0.9 }]]) })
    expect(full.evs.exportable[0]).toBeCloseTo(
      evSupplyKWh(ev.battery, ev.battery.capacityKWh * 0.9, ev.productionKWh[0]!, ev.consumptionKWh[0]!, 1),
      12
    )
    expect(full.evs.exportable[0]).toBeGreaterThan(new MarketDay(scenario).runSlot(0).evs.exportable[0]!)
    // a reading beyond the battery is held to it
    expect(new MarketDay(scenario).runSlot(0, { overrides: new Map([[ev.id, { batteryKWh: 10_000 }]]) }).evs.exportable[0]).toBeCloseTo(
      evSupplyKWh(ev.battery, ev.battery.capacityKWh, ev.productionKWh[0]!, ev.consumptionKWh[0]!, 1),
      12
    )
  })
})
