// Chargers in the market (docs/chargers.md, "The market", "Dispatch"): a V2G charger registered for EV1
// connects to the central system of a running app, an EV plugs in at 90 % state of charge, and a
// live (accelerated) run takes that as EV1's battery and sends EV1's allocation to the charger as
// a discharge setpoint, slot after slot.
import { afterEach, describe, expect, it } from 'vitest'
import { open, type App } from '../../src-main/core/app'
import { OcppControl } from '../../src-main/core/ocpp/switch'
import { scenarioSchema } from '../../src-shared/market/scenario'
import { paperScenario } from '../../src-main/core/market/paperScenario'
import { evSupplyKWh } from '../../src-shared/market/battery'
import { SimulatedCharger } from '../support/simulatedCharger'
import { useTempDirs } from '../support/tempDir'
import { until } from '../support/until'

const tempDir = useTempDirs()
let app: App | undefined
let control: OcppControl | undefined
let charger: SimulatedCharger | undefined

afterEach(async () => {
  await charger?.close()
  await control?.stop()
  app?.close()
  ;[app, control, charger] = [undefined, undefined, undefined]
})

describe('a charger in the market', () => {
  it("gives a live slot its EV's state of charge and gets the EV's allocation back as a setpoint", async () => {
    app = open(tempDir(), { ledger: { powBits: 2 } })
    const { password } = await app.ocpp().addCharger({ id: 'CP1', prosumer: 'EV1' })
    control = OcppControl.create(app, { listen: '127.0.0.1:0', tls: null }, () => {})
    const { endpoint } = await control.start()
    charger = await SimulatedCharger.connect(endpoint!, 'CP1', password)
    await charger.startSession('TX-1', 90, 12_000)
    await until(() => app!.ocpp().sessionsByProsumer().get('EV1')?.socPercent === 90, 10_000, 'the session and its state of charge')

    const run = app.market().start({ scenario: 'paper-3x10', clock: 'accelerated', slotSeconds: 1, settle: false })
    await until(() => charger!.profiles.length >= 2, 30_000, 'two slots dispatched to the charger')
    app.market().control(run.id, 'stop')

    const scenario = scenarioSchema.parse(paperScenario())
    const ev1 = scenario.evs[0]!
    // slot 1 started from the battery the charger reported, not the scenario's initial level
    const first = app.market().slot(run.id, 1)
    const offered = first.sellers.find((s) => s.id === 'EV1')!
    expect(offered.supplyKWh).toBeCloseTo(
      evSupplyKWh(ev1.battery, 0.9 * ev1.battery.capacityKWh, ev1.productionKWh[0]!, ev1.consumptionKWh[0]!, 1),
      9
    )
    // each slot's allocation went out as the power that delivers what EV1 sold over the slot's hour
    const sold = [1, 2].map(
      (t) =>
        app!
          .market()
          .slot(run.id, t)
          .sellers.find((s) => s.id === 'EV1')?.soldKWh ?? 0
    )
    expect(charger.setpoints().slice(0, 2)).toEqual(sold.map((kWh) => -Math.round(kWh * 1000)))
    expect(sold[0]).toBeGreaterThan(0)
    const [view] = app.ocpp().consoleView()
    expect(view!.connectors[0]!.lastProfile).toMatchObject({ status: 'Accepted', clamped: false })
  })
})
