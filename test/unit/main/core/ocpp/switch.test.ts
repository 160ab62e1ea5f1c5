// The OCPP switch of the long-running faces: Settings (ocpp.json) turns the central system on and
// off and survives a restart; a command line's --ocpp-listen is shown and cannot be changed there.
import { createServer } from 'node:net'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { open, type App } from '../../../../../src-main/core/app'
import { OCPP_SETTINGS_FILE, OcppSettingsError } from '../../../../../src-main/core/ocpp/settings'
import { OcppControl } from '../../../../../src-main/core/ocpp/switch'
import { liveOverrides } from '../../../../../src-main/core/ocpp/marketLink'
import { scenarioSchema } from '../../../../../src-shared/market/scenario'
import { paperScenario } from '../../../../../src-main/core/market/paperScenario'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const opened: { app: App; control: OcppControl }[] = []
afterEach(async () => {
  for (const { app, control } of opened.splice(0)) {
    await control.stop()
    app.close()
  }
})

function attach(dir: string, pinned: Parameters<typeof OcppControl.create>[1] = null) {
  const app = open(dir, { ledger: { powBits: 2 } })
  const control = OcppControl.create(app, pinned, () => {})
  opened.push({ app, control })
  return control
}

describe('the OCPP switch', () => {
  it('starts the central system Settings asks for, saves it, and starts it again after a restart', async () => {
    const dir = tempDir()
    const first = attach(dir)
    expect(await first.start()).toMatchObject({ listen: null, endpoint: null, editable: true, error: null, unknownChargers: 'Rejected' })
    const on = await first.configure({ listen: '127.0.0.1:0', unknownChargers: 'Pending' })
    expect(on.endpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ocpp\/$/)
    expect(on).toMatchObject({ securityProfile: 1, unknownChargers: 'Pending' })
    expect(JSON.parse(readFileSync(join(dir, OCPP_SETTINGS_FILE), 'utf8'))).toEqual({ listen: '127.0.0.1:0', tls: null })
    await first.stop()
    opened.pop()!.app.close()

    const again = attach(dir)
    expect(await again.start()).toMatchObject({
      listen: '127.0.0.1:0',
      endpoint: expect.stringMatching(/^ws:/),
      unknownChargers: 'Pending'
    })
    expect(await again.configure({ listen: null })).toMatchObject({ listen: null, endpoint: null })
  })

  it('says why it does not run: a port in use, a broken ocpp.json, a wrong address', async () => {
    const busy = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => busy.once('listening', resolve))
    const port = (busy.address() as { port: number }).port
    try {
      const control = attach(tempDir())
      expect(await control.configure({ listen: `127.0.0.1:${port}` })).toMatchObject({
        endpoint: null,
        error: `127.0.0.1:${port} is in use`
      })
      // a command line's address that cannot be had stops the command
      await expect(attach(tempDir(), { listen: `127.0.0.1:${port}`, tls: null }).start()).rejects.toThrow(
        `--ocpp-listen 127.0.0.1:${port}: 127.0.0.1:${port} is in use`
      )
    } finally {
      busy.close()
    }
    const broken = tempDir()
    writeFileSync(join(broken, OCPP_SETTINGS_FILE), '{"listen": 5')
    expect(await attach(broken).start()).toMatchObject({ endpoint: null, error: expect.stringMatching(/ocpp\.json is not JSON/) })
    await expect(attach(tempDir()).configure({ listen: 'localhost' })).rejects.toThrow(OcppSettingsError)
  })

  it("shows the command line's central system and refuses to change its address", async () => {
    const control = attach(tempDir(), { listen: '127.0.0.1:0', tls: null })
    expect(await control.start()).toMatchObject({ editable: false, endpoint: expect.stringMatching(/^ws:/) })
    await expect(control.configure({ listen: null })).rejects.toThrow(/--ocpp-listen/)
    // what an unknown charger is told is the operator's to change either way
    expect(await control.configure({ unknownChargers: 'Pending' })).toMatchObject({ unknownChargers: 'Pending' })
  })
})

describe("a plugged-in EV's state of charge in a live slot", () => {
  it("sets the EV's battery level beside its meters' energy, and leaves others alone", () => {
    const scenario = scenarioSchema.parse(paperScenario())
    const meters = new Map([
      ['EV1', { productionKWh: 1, consumptionKWh: 0.5 }],
      ['G1', { productionKWh: 3 }]
    ])
    const merged = liveOverrides(
      scenario,
      meters,
      new Map([
        ['EV1', { socPercent: 50 }],
        ['EV2', { socPercent: null }],
        ['nobody', { socPercent: 10 }]
      ])
    )!
    expect(merged.get('EV1')).toEqual({ productionKWh: 1, consumptionKWh: 0.5, batteryKWh: scenario.evs[0]!.battery.capacityKWh / 2 })
    expect(merged.get('G1')).toEqual({ productionKWh: 3 })
    expect(merged.has('EV2')).toBe(false)
    expect(merged.has('nobody')).toBe(false)
    expect(liveOverrides(scenario, meters, new Map())).toBe(meters)
  })
})
