import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'
import FigureChart from '../../../src-renderer/components/market/FigureChart.vue'
import { powerSeries } from '../../../src-renderer/stores/meters'
import { createFakeBridge } from './support/fakeBridge'
import { until } from '../../support/until'
import { mountConsole, settle } from './support/mountConsole'

const bridge = createFakeBridge()
window.dv2g = bridge

let wrapper: VueWrapper
const byTestId = (id: string) => wrapper.get(`[data-testid="${id}"]`)
const meter = (id: string, prosumer: string | null = null) => ({
  id,
  port: null,
  prosumer,
  readings: 2,
  firstSeenMs: 0,
  lastSeenMs: 1000,
  last: { tsMs: 1000, importWh: 1500, exportWh: 0, powerW: 200 }
})

async function mount(): Promise<void> {
  ;({ wrapper } = await mountConsole('/meters'))
  await settle()
}

beforeEach(() => bridge.reset())
afterEach(() => wrapper.unmount())

describe('Meters view', () => {
  it('adds a serial port, shows its status as the bridge reports it, and names a refused path under the field', async () => {
    await mount()
    await byTestId('meter-port-path').setValue('/tmp/ttyB')
    await byTestId('meter-prosumer').setValue('EV3')
    await byTestId('meter-add-form').trigger('submit')
    await settle()
    expect(bridge.calls.find((c) => c.method === 'meter.addPort')?.input).toEqual({ path: '/tmp/ttyB', protocol: 'dsmr5', prosumer: 'EV3' })
    expect(byTestId('meter-port-row-/tmp/ttyB').text()).toMatch(/connecting/)

    const port = { ...bridge.meters.state.ports[0]!, status: 'disconnected', detail: 'the port closed; retrying in 1.0 s' }
    bridge.emit('meter.portsChanged', { ports: [port] })
    await settle()
    expect(byTestId('meter-port-row-/tmp/ttyB').text()).toMatch(/disconnected · the port closed; retrying in 1\.0 s/)

    await byTestId('meter-port-path').setValue('/tmp/ttyB')
    await byTestId('meter-add-form').trigger('submit')
    await settle()
    expect(byTestId('meter-port-path-error').text()).toBe('/tmp/ttyB is already a meter port')
    expect(wrapper.find('[data-testid="meter-error"]').exists()).toBe(false)

    await byTestId('meter-port-path').setValue('/tmp/ttyC')
    await byTestId('meter-prosumer').setValue('P'.repeat(65))
    await byTestId('meter-add-form').trigger('submit')
    await settle()
    expect(byTestId('meter-prosumer-error').text()).not.toBe('')
    expect(wrapper.find('[data-testid="meter-port-path-error"]').exists()).toBe(false)
  })

  it('removes a port and says so', async () => {
    bridge.meters.state.ports.push({
      path: '/dev/ttyUSB0',
      protocol: 'dsmr',
      settings: { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 },
      prosumer: 'G1',
      status: 'connected',
      detail: null,
      telegrams: 12,
      rejected: 0,
      lastTelegramAt: 1000
    })
    await mount()
    expect(byTestId('meter-port-row-/dev/ttyUSB0').text()).toMatch(/connected.*12/)
    await byTestId('meter-remove-/dev/ttyUSB0').trigger('click')
    await settle()
    expect(bridge.calls.find((c) => c.method === 'meter.removePort')?.input).toEqual({ path: '/dev/ttyUSB0' })
    expect(wrapper.find('[data-testid="meter-port-row-/dev/ttyUSB0"]').exists()).toBe(false)
    expect(byTestId('meter-notice').text()).toContain('Removed /dev/ttyUSB0')
  })

  it('assigns a meter to a prosumer', async () => {
    bridge.meters.state.meters.push(meter('E001'))
    await mount()
    await byTestId('meter-assign-E001').setValue('EV2')
    await byTestId('meter-assign-E001').element.closest('form')!.dispatchEvent(new Event('submit'))
    await settle()
    expect(bridge.calls.find((c) => c.method === 'meter.assign')?.input).toEqual({ meterId: 'E001', prosumer: 'EV2' })
    expect((byTestId('meter-assign-E001').element as HTMLInputElement).value).toBe('EV2')
  })

  it('edits the prosumer of a meter stored under an id a plain object already has', async () => {
    // an earlier release stored any id a log held
    bridge.meters.state.meters.push(meter('constructor'))
    await mount()
    expect((byTestId('meter-assign-constructor').element as HTMLInputElement).value).toBe('')
    await byTestId('meter-assign-constructor').setValue('EV2')
    await byTestId('meter-assign-constructor').element.closest('form')!.dispatchEvent(new Event('submit'))
    await settle()
    expect(bridge.calls.find((c) => c.method === 'meter.assign')?.input).toEqual({ meterId: 'constructor', prosumer: 'EV2' })
  })

  it('charts the chosen meter’s power and adds live readings to it', async () => {
    bridge.meters.state.meters.push(meter('E002'))
    bridge.meters.state.readings.set('E002', [
      { tsMs: 0, importWh: 1000, exportWh: 0, powerW: null, flags: 0 },
      { tsMs: 3_600_000, importWh: 1500, exportWh: 100, powerW: null, flags: 0 }
    ])
    await mount()
    // rows are chosen from the keyboard as well as by click
    await byTestId('meter-row-E002').trigger('keydown', { key: 'Enter' })
    await settle()
    const data = () => (wrapper.findComponent(FigureChart).props('option') as { series: { data: unknown[] }[] }).series[0]!.data
    // 500 Wh in and 100 Wh out over an hour: 400 W drawn
    expect(data()).toEqual([
      [0, null],
      [3_600_000, 400]
    ])
    bridge.emit('meter.reading', { meterId: 'E002', port: '/tmp/ttyB', tsMs: 3_601_000, importWh: 1501, exportWh: 100, powerW: -250 })
    bridge.emit('meter.reading', { meterId: 'OTHER', port: '/tmp/ttyC', tsMs: 3_601_000, importWh: 1, exportWh: 1, powerW: 5 })
    // the store gathers live readings and draws them a moment later: wait for that, bounded
    await until(() => data().length > 2, 5000, 'the live reading on the chart')
    // both readings arrived before the one redraw: the other meter's would show as a fourth point
    expect(data().at(-1)).toEqual([3_601_000, -250])
    expect(data()).toHaveLength(3)
  })

  it('imports a checked file from a USB stick and a typed folder, with progress, then the results and rejected lines', async () => {
    bridge.meters.state.volumes.push({
      name: 'STICK',
      path: '/media/op/STICK',
      files: ['/media/op/STICK/p1.log', '/media/op/STICK/day.csv']
    })
    bridge.meters.state.imports.set('/media/op/STICK/day.csv', {
      path: '/media/op/STICK/day.csv',
      kind: 'csv',
      inserted: 96,
      duplicates: 0,
      resets: 1,
      gaps: 0,
      rejected: [{ line: 7, reason: 'timestamp "x" is not YYYY-MM-DD hh:mm[:ss][offset]' }],
      rejectedCount: 1
    })
    bridge.meters.state.imports.set('/data/logs', {
      path: '/data/logs/b.csv',
      kind: 'csv',
      inserted: 10,
      duplicates: 5,
      resets: 0,
      gaps: 2,
      rejected: [],
      rejectedCount: 0
    })
    await mount()
    expect(byTestId('meter-volume-STICK').text()).toContain('day.csv')
    const dayBox = wrapper
      .findAll('[data-testid="meter-volume-STICK"] input[type="checkbox"]')
      .find((c) => (c.element as HTMLInputElement).value.endsWith('day.csv'))!
    await dayBox.setValue(true)
    await byTestId('meter-import-path').setValue('/data/logs')
    const progress: string[] = []
    bridge.onEvent((name) => {
      if (name === 'meter.importProgress')
        void Promise.resolve().then(() =>
          progress.push(wrapper.find('[data-testid="meter-import-progress"]').attributes('aria-valuenow') ?? '')
        )
    })
    await byTestId('meter-import').trigger('submit')
    await settle() // the import's answer, after all its progress events
    expect(bridge.calls.find((c) => c.method === 'meter.import')?.input).toEqual({ paths: ['/media/op/STICK/day.csv', '/data/logs'] })
    expect(new Set(progress).size).toBeGreaterThan(1)
    expect(byTestId('meter-import-progress').attributes('aria-valuenow')).toBe('100')
    const results = byTestId('meter-import-results').text()
    expect(results).toContain('/media/op/STICK/day.csv')
    expect(results).toContain('96')
    expect(byTestId('meter-import-rejected').text()).toContain(
      '/media/op/STICK/day.csv line 7: timestamp "x" is not YYYY-MM-DD hh:mm[:ss][offset]'
    )
  })

  it('says which path does not exist', async () => {
    await mount()
    await byTestId('meter-import-path').setValue('/nope')
    await byTestId('meter-import').trigger('submit')
    await settle()
    expect(byTestId('meter-import-error').text()).toBe('/nope does not exist')
  })

  it('names a time zone it does not know under the time zone', async () => {
    bridge.meters.state.imports.set('/data/a.csv', {
      path: '/data/a.csv',
      kind: 'csv',
      inserted: 1,
      duplicates: 0,
      resets: 0,
      gaps: 0,
      rejected: [],
      rejectedCount: 0
    })
    await mount()
    await byTestId('meter-import-path').setValue('/data/a.csv')
    await byTestId('meter-import-tz').setValue('Europe/Atlantis')
    await byTestId('meter-import').trigger('submit')
    await settle()
    expect(bridge.calls.find((c) => c.method === 'meter.import')?.input).toEqual({ paths: ['/data/a.csv'], timeZone: 'Europe/Atlantis' })
    expect(byTestId('meter-import-tz-error').text()).toBe('is not a time zone (e.g. Europe/Amsterdam)')
    expect(wrapper.find('[data-testid="meter-import-results"]').exists()).toBe(false)
  })

  it('lists the first 200 rejected lines and counts the rest', async () => {
    const rejected = Array.from({ length: 200 }, (_, i) => ({ line: i + 2, reason: 'no timestamp' }))
    bridge.meters.state.imports.set('/data/bad.csv', {
      path: '/data/bad.csv',
      kind: 'csv',
      inserted: 0,
      duplicates: 0,
      resets: 0,
      gaps: 0,
      rejected,
      rejectedCount: 250
    })
    await mount()
    await byTestId('meter-import-path').setValue('/data/bad.csv')
    await byTestId('meter-import').trigger('submit')
    // the fake import yields to the event loop between progress events: settle waits for its answer
    await settle()
    const lines = byTestId('meter-import-rejected')
      .findAll('li')
      .map((li) => li.text())
    expect(lines[0]).toBe('line 2: no timestamp')
    expect(lines).toHaveLength(201)
    expect(lines.at(-1)).toBe('… and 50 more')
  })
  it('lists what the import skipped, with the reason, under the results', async () => {
    bridge.meters.state.imports.set('/media/op/STICK', {
      path: '/media/op/STICK/day.csv',
      kind: 'csv',
      inserted: 4,
      duplicates: 0,
      resets: 0,
      gaps: 0,
      rejected: [],
      rejectedCount: 0
    })
    bridge.meters.state.skipped = [
      { path: '/media/op/STICK/old', reason: 'the folder cannot be read: permission denied' },
      { path: '/media/op/STICK/home', reason: 'the link leads out of the chosen folder (to /home/op), so it is not followed' }
    ]
    await mount()
    await byTestId('meter-import-path').setValue('/media/op/STICK')
    await byTestId('meter-import').trigger('submit')
    await until(() => wrapper.find('[data-testid="meter-import-skipped"]').exists(), 5000, 'the skipped list')
    expect(byTestId('meter-import-results').text()).toContain('/media/op/STICK/day.csv')
    expect(
      byTestId('meter-import-skipped')
        .findAll('li')
        .map((li) => li.text())
    ).toEqual([
      'skipped /media/op/STICK/old: the folder cannot be read: permission denied',
      'skipped /media/op/STICK/home: the link leads out of the chosen folder (to /home/op), so it is not followed'
    ])
  })
})

describe('meter power from readings', () => {
  it('uses the reported power, else the counters, and leaves a reset without a value', () => {
    expect(
      powerSeries([
        { tsMs: 0, importWh: 0, exportWh: 0, powerW: 120, flags: 0 },
        { tsMs: 1_800_000, importWh: 100, exportWh: 0, powerW: null, flags: 0 },
        { tsMs: 3_600_000, importWh: 10, exportWh: 0, powerW: null, flags: 1 }
      ]).map((p) => p.watts)
    ).toEqual([120, 200, null])
  })
})
