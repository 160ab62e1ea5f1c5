import { describe, expect, it } from 'vitest'
import { describeIssues, scenarioSchema, slotInputSchema } from '../../../../src-shared/market/scenario'
import { paperScenario } from '../../../../src-main/core/market/paperScenario'

const problems = (input: unknown) => {
  const parsed = scenarioSchema.safeParse(input)
  return parsed.success ? [] : describeIssues(parsed.error, 20)
}

describe('scenario file', () => {
  it('accepts the default scenario and fills the game defaults', () => {
    const { game: _game, ...withoutGame } = paperScenario()
    const parsed = scenarioSchema.parse(withoutGame)
    expect(parsed.game).toMatchObject({ sigma1: 1, C: 1e-6 })
    expect(parsed.evs).toHaveLength(10)
  })

  it('names the JSON path of a wrong field', () => {
    const bad = paperScenario()
    bad.evs[2]!.battery.capacityKWh = -4
    expect(problems(bad)).toContain('evs[2].battery.capacityKWh: must be greater than 0')
  })

  it('refuses NaN, negative energy and unknown fields', () => {
    const bad = paperScenario() as unknown as Record<string, unknown> & ReturnType<typeof paperScenario>
    bad.grids[1]!.xi = Number.NaN
    bad.evs[0]!.productionKWh[5] = -1
    bad.extra = true
    expect(problems(bad)).toEqual([
      'evs[0].productionKWh[5]: must not be negative',
      'grids[1].xi: must be a number',
      '(top level): Unrecognized key: "extra"'
    ])
  })

  it('refuses short profiles and repeated ids', () => {
    const bad = paperScenario()
    bad.grids[0]!.consumptionKWh = bad.grids[0]!.consumptionKWh.slice(0, 23)
    bad.grids[2]!.id = 'EV1'
    expect(problems(bad)).toEqual([
      'grids[0].consumptionKWh: must have 24 values, one per slot (has 23)',
      'grids[2].id: repeats the id "EV1"'
    ])
  })

  it('refuses reserved ids and control characters in ids, naming the EV or grid', () => {
    const bad = paperScenario()
    bad.evs[0]!.id = '__proto__'
    bad.evs[1]!.id = 'EV\x1b[8mhidden\x1b[0m'
    bad.grids[0]!.id = 'constructor'
    expect(problems(bad)).toEqual([
      'evs[0].id: "__proto__" is reserved',
      'evs[1].id: "EV\\x1b[8mhidden\\x1b[0m" holds a control character (U+001B)',
      'grids[0].id: "constructor" is reserved'
    ])
    expect(problems({ ...paperScenario(), name: 'prototype' })).toEqual(['name: "prototype" is reserved'])
  })

  it('refuses a price cap below every reserve price, naming the slot', () => {
    const bad = paperScenario()
    bad.priceCap[3] = 0.01
    expect(problems(bad)).toEqual(["priceCap[3]: is below every EV's reserve price (0.01 < 0.045)"])
  })

  it('refuses a battery that starts outside [E_min, E_cap]', () => {
    const bad = paperScenario()
    bad.evs[1]!.battery.initialKWh = 2
    expect(problems(bad)).toEqual(['evs[1].battery.initialKWh: must be within [E_min, E_cap] = [12, 60]'])
  })
})

describe('one-slot input', () => {
  const slot = {
    sellers: [{ id: 'EV1', supplyKWh: 3, reservePrice: 0.05 }],
    buyers: [{ id: 'G1', xi: 0.3, kappa: 0.01, demandCapKWh: 12 }],
    priceCap: 0.2
  }

  it('fills the game defaults', () => {
    expect(slotInputSchema.parse(slot).game).toMatchObject({ sigma1: 1, sigma2: 0.002, maxIterations: 200 })
  })

  it('refuses a cap below every reserve price and a negative supply', () => {
    const parsed = slotInputSchema.safeParse({ ...slot, priceCap: 0.04, sellers: [{ id: 'EV1', supplyKWh: -1, reservePrice: 0.05 }] })
    expect(parsed.success).toBe(false)
    expect(describeIssues(parsed.error!)).toEqual([
      'sellers[0].supplyKWh: must not be negative',
      "priceCap: is below every seller's reserve price (0.04 < 0.05)"
    ])
  })
})
