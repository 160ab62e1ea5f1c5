import { EventEmitter } from 'node:events'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { scenarioSchema } from '../../../../../src-shared/market/scenario'
import { deliverableKWh } from '../../../../../src-shared/market/battery'
import { MarketDay } from '../../../../../src-shared/market/day'
import { open, type App } from '../../../../../src-main/core/app'
import { MeterError } from '../../../../../src-main/core/meters/service'
import type { PortLike } from '../../../../../src-main/core/meters/serialLink'
import { newSimulatedMeter, nextTelegram } from '../../../../../src-main/core/meters/simulator'
import { useTempDirs } from '../../../../support/tempDir'
import { until } from '../../../../support/until'

const tempDir = useTempDirs()

/** A serial port at the boundary: the test plugs it in, feeds it bytes, pulls it out, and makes it fail. */
class FakePort extends EventEmitter implements PortLike {
  isOpen = false
  static plugged = true
  static all: FakePort[] = []
  /** what the next constructions throw, as serialport does for a path or settings it refuses */
  static refuse: Error | null = null
  static dataRequestError: Error | null = null
  static closeError: Error | null = null
  constructor() {
    super()
    if (FakePort.refuse) throw FakePort.refuse
    FakePort.all.push(this)
  }
  open(callback: (error: Error | null) => void): void {
    setImmediate(() => {
      if (!FakePort.plugged) return callback(new Error('No such file or directory'))
      this.isOpen = true
      callback(null)
    })
  }
  close(callback?: (error: Error | null) => void): void {
    this.isOpen = false
    setImmediate(() => callback?.(FakePort.closeError))
  }
  set(_options: { dtr?: boolean; rts?: boolean }, callback: (error: Error | null) => void): void {
    setImmediate(() => callback(FakePort.dataRequestError))
  }
  unplug(): void {
    this.isOpen = false
    this.emit('close', new Error('disconnected'))
  }
}

const opened: App[] = []
afterEach(() => {
  for (const app of opened.splice(0)) app.close()
  FakePort.all = []
  FakePort.plugged = true
  FakePort.refuse = null
  FakePort.dataRequestError = null
  FakePort.closeError = null
})

function openApp(): App {
  const app = open(tempDir(), { ledger: { powBits: 2 }, meters: { openPort: () => new FakePort() } })
  opened.push(app)
  return app
}

describe('meter bridge', () => {
  it('stores each telegram from a port once, survives unplugging, and resumes without duplicates', async () => {
    const app = openApp()
    const meters = app.meters()
    const readings: unknown[] = []
    app.events.subscribe((name, payload) => name === 'meter.reading' && readings.push(payload))
    meters.addPort('/dev/ttyP1', { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 }, 'EV3')
    await until(() => meters.ports()[0]!.status === 'connected')
    const meter = newSimulatedMeter('E0000000000000001')
    const telegrams = Array.from({ length: 6 }, (_, i) => nextTelegram(meter, new Date(Date.UTC(2026, 5, 1, 10, 0, i)), 1))
    const port = () => FakePort.all.at(-1)!
    // the first three in awkward pieces, then pulled out
    const bytes = telegrams.slice(0, 3).join('')
    for (let at = 0; at < bytes.length; at += 97) port().emit('data', Buffer.from(bytes.slice(at, at + 97), 'latin1'))
    expect(readings).toHaveLength(3)
    FakePort.plugged = false
    port().unplug()
    expect(meters.ports()[0]).toMatchObject({ status: 'disconnected', detail: expect.stringMatching(/^disconnected; retrying in 0\.5 s/) })
    FakePort.plugged = true
    await until(() => meters.ports()[0]!.status === 'connected')
    // after reconnecting the meter repeats its last telegram, then goes on
    port().emit('data', Buffer.from(telegrams.slice(2).join(''), 'latin1'))
    expect(readings).toHaveLength(6)
    const list = meters.meters()
    expect(list).toEqual([expect.objectContaining({ id: 'E0000000000000001', port: '/dev/ttyP1', prosumer: 'EV3', readings: 6 })])
    expect(meters.ports()[0]).toMatchObject({ telegrams: 7, rejected: 0 })
  })

  it('counts a corrupt telegram as rejected and stores nothing of it', async () => {
    const app = openApp()
    const meters = app.meters()
    meters.addPort('/dev/ttyP2', { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 }, null)
    await until(() => meters.ports()[0]!.status === 'connected')
    const good = nextTelegram(newSimulatedMeter(), new Date(Date.UTC(2026, 5, 1)), 1)
    FakePort.all.at(-1)!.emit('data', Buffer.from(good.replace('1-0:1.8.1(00', '1-0:1.8.1(90'), 'latin1'))
    expect(meters.ports()[0]).toMatchObject({ telegrams: 0, rejected: 1 })
    expect(meters.meters()).toEqual([])
  })

  it('reports serial port errors in the port’s detail and its event instead of dropping them', async () => {
    const app = openApp()
    const meters = app.meters()
    const announced: string[] = []
    app.events.subscribe(
      (name, payload) =>
        name === 'meter.portsChanged' && announced.push((payload as { ports: { detail: string | null }[] }).ports[0]?.detail ?? '')
    )
    const detail = () => meters.ports()[0]!.detail

    // Data Request could not be raised (a pty, or a cable without the line): connected, and said so
    FakePort.dataRequestError = new Error('Inappropriate ioctl for device')
    meters.addPort('/dev/ttyP4', { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 }, null)
    const dataRequest = 'Data Request (DTR/RTS) could not be raised: Inappropriate ioctl for device; a meter that needs it stays silent'
    await until(() => detail() === dataRequest, 10_000, 'the Data Request failure in the detail')
    expect(meters.ports()[0]!.status).toBe('connected')
    expect(announced.at(-1)).toBe(dataRequest)

    // a telegram the database will not take: the port goes on, the detail says why, until one is stored
    const meter = newSimulatedMeter('E0000000000000004')
    const telegram = (second: number) => Buffer.from(nextTelegram(meter, new Date(Date.UTC(2026, 5, 1, 10, 0, second)), 1), 'latin1')
    app.db.pragma('query_only = ON')
    FakePort.all.at(-1)!.emit('data', telegram(0))
    expect(detail()).toBe(`${dataRequest}; a telegram could not be handled: attempt to write a readonly database`)
    app.db.pragma('query_only = OFF')
    FakePort.all.at(-1)!.emit('data', telegram(1))
    expect(detail()).toBe(dataRequest)
    expect(meters.meters()[0]).toMatchObject({ id: 'E0000000000000004', readings: 1 })

    // a port that fails and then will not close: both reasons stay
    FakePort.closeError = new Error('EIO: i/o error, close')
    FakePort.plugged = false
    FakePort.all.at(-1)!.emit('error', new Error('EIO: i/o error, read'))
    await until(() => /closing the port failed/.test(detail() ?? ''), 10_000, 'the close failure in the detail')
    expect(meters.ports()[0]).toMatchObject({
      status: 'disconnected',
      detail: 'EIO: i/o error, read; retrying in 0.5 s; closing the port failed: EIO: i/o error, close'
    })
  })

  it('reports a port serialport refuses before opening, and retries instead of throwing', async () => {
    const app = openApp()
    const meters = app.meters()
    FakePort.refuse = new Error('"path" is not a valid serial port')
    meters.addPort('/dev/ttyP5', { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 }, null)
    expect(meters.ports()[0]).toMatchObject({ status: 'disconnected', detail: '"path" is not a valid serial port; retrying in 0.5 s' })
    FakePort.refuse = null
    await until(() => meters.ports()[0]!.status === 'connected', 10_000, 'the retry to connect')
    expect(meters.ports()[0]!.detail).toBeNull()
  })

  it('gives a prosumer the production and consumption its meters measured, scaled to the slot', () => {
    const app = openApp()
    const meters = app.meters()
    const t0 = Date.UTC(2026, 5, 1, 12)
    meters.store.store(
      [
        { meterId: 'A', tsMs: t0, importWh: 1000, exportWh: 5000 },
        { meterId: 'A', tsMs: t0 + 10_000, importWh: 1001, exportWh: 5010 }
      ],
      'test'
    )
    meters.assign('A', 'EV1')
    // 10 s with 1 Wh in and 10 Wh out is 0.36 kWh and 3.6 kWh over a one-hour slot
    const energy = meters.prosumerEnergy(t0, t0 + 10_000, 1).get('EV1')!
    expect(energy.consumptionKWh).toBeCloseTo(0.36, 9)
    expect(energy.productionKWh).toBeCloseTo(3.6, 9)
    expect(() => meters.assign('nope', 'EV1')).toThrow(/no meter nope/)
  })

  it('changes the supply of the EV its meter is assigned to in the next slot of a live run', async () => {
    const app = openApp()
    const meters = app.meters()
    meters.addPort('/dev/ttyP3', { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 }, 'EV2')
    await until(() => meters.ports()[0]!.status === 'connected')
    // a simulated meter exporting 1 Wh a second (3.6 kW) and importing nothing, telegrams a second apart, just now
    const now = Math.floor(Date.now() / 1000) * 1000
    const telegram = (i: number) =>
      nextTelegram(
        {
          ...newSimulatedMeter('E0000000000000002'),
          deliveredWh: [5000, 5000],
          returnedWh: [0, 1_000_000 + i],
          pvPeakKW: 0,
          baseLoadKW: 0
        },
        new Date(now - 4000 + i * 1000),
        0
      )
    FakePort.all.at(-1)!.emit('data', Buffer.from([0, 1, 2, 3].map(telegram).join(''), 'latin1'))
    expect(meters.meters()[0]).toMatchObject({ prosumer: 'EV2', readings: 4 })

    const market = app.market()
    const run = market.start({ scenario: 'paper-3x10', clock: 'accelerated', slotSeconds: 5, settle: false })
    await until(() => market.runs()[0]!.solvedSlots === 1)
    market.control(run.id, 'stop')
    const ev2 = market.day(run.id).day.evs.find((ev) => ev.id === 'EV2')!
    expect(market.slot(run.id, 1).fromMeters).toEqual(['EV2'])
    // without the meter, the scenario's own profile for EV2 in slot 1
    const scenario = scenarioSchema.parse(JSON.parse(readFileSync('resources/scenarios/paper-3x10.json', 'utf8')))
    const plain = new MarketDay(scenario).runSlot(0)
    expect(plain.evs.exportable[1]).not.toBeCloseTo(ev2.exportableKWh[0]!, 3)
    // 3 Wh over 3 s is 3.6 kWh produced and nothing used in a one-hour slot, plus what its battery can deliver
    expect(ev2.exportableKWh[0]).toBeCloseTo(3.6 + deliverableKWh(scenario.evs[1]!.battery, scenario.evs[1]!.battery.initialKWh), 6)
  })

  it('posts each assigned meter’s hour as a data transaction signed by its prosumer’s wallet, and says why when it cannot', () => {
    const app = openApp()
    const meters = app.meters()
    const hour = Date.UTC(2026, 5, 1, 10)
    meters.store.store(
      [0, 20, 40, 60].map((minute, i) => ({ meterId: 'M9', tsMs: hour + minute * 60_000, importWh: 1000 + i * 100, exportWh: 50 })),
      'test'
    )
    meters.assign('M9', 'bus-7')
    expect(meters.postHourlySummaries(hour)).toEqual({ posted: [], skipped: [{ meterId: 'M9', reason: 'the keystore is locked' }] })
    const { wallets, tangle } = app.ledger()
    wallets.keystore.unlock('a long passphrase for tests')
    wallets.create('treasury', 'operator')
    expect(meters.postHourlySummaries(hour).skipped).toEqual([{ meterId: 'M9', reason: 'no wallet named "bus-7"' }])
    const bus = wallets.create('bus-7', 'ev').wallet
    const { posted } = meters.postHourlySummaries(hour)
    expect(posted).toHaveLength(1)
    const tx = tangle.transaction(posted[0]!)!
    expect(tx.issuerAddress).toBe(bus.address)
    expect(tx.payload).toMatchObject({ kind: 'data', topic: 'meter.hourly' })
    const body = JSON.parse((tx.payload as { body: string }).body)
    expect(body).toMatchObject({ meter: 'M9', prosumer: 'bus-7', importWh: 300, exportWh: 0, readings: 4 })
  })
})

describe('meter log imports', () => {
  it('imports what it can read and lists the folder it could not list, with the reason; all unreadable is an error', async () => {
    // root (as in CI) can list any folder: readdir stands in for one that refuses, as it would for a user
    const stick = tempDir()
    mkdirSync(join(stick, 'locked'))
    writeFileSync(join(stick, 'day.csv'), 'M1,2026-01-01 00:00Z,1,0\n')
    const refuse = (dir: string) => {
      if (dir.endsWith('locked')) throw Object.assign(new Error(`EACCES: permission denied, scandir '${dir}'`), { code: 'EACCES' })
      return readdirSync(dir)
    }
    const app = open(tempDir(), { ledger: { powBits: 2 }, meters: { readDir: refuse } })
    opened.push(app)
    const result = await app.meters().importPaths([stick])
    expect(result.files).toEqual([expect.objectContaining({ path: join(stick, 'day.csv'), inserted: 1 })])
    expect(result.skipped).toEqual([{ path: join(stick, 'locked'), reason: 'the folder cannot be read: permission denied' }])
    await expect(app.meters().importPaths([join(stick, 'locked')])).rejects.toThrow(
      new MeterError(
        `no meter logs (.csv, .txt, .log, .p1, .dsmr) in ${join(stick, 'locked')}; skipped ${join(stick, 'locked')}: the folder cannot be read: permission denied`
      )
    )
  })
})
