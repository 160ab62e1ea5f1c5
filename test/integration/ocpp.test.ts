// The OCPP central system against chargers it did not write: two independent charger-side
// libraries (ocpp-ts for 1.6, @extrawest/node-ts-ocpp for 2.0.1), ocpp-rpc's own client for 2.1
// (the same library as the server: not independent), and raw WebSocket frames for what no
// well-behaved library sends. Every server binds 127.0.0.1 on a port of its own choosing.
import { readFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { OcppClient as Extrawest201Client, type SetChargingProfileRequest as Extrawest201SetChargingProfile } from '@extrawest/node-ts-ocpp'
import { RPCClient } from 'ocpp-rpc'
import { OcppClient as OcppTs16Client, type SetChargingProfileRequest as OcppTs16SetChargingProfile } from 'ocpp-ts'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { openDatabase, type Db } from '../../src-main/core/db/connection'
import type { CentralSystemSettings } from '../../src-main/core/ocpp/centralSystem'
import type { ConnectorState } from '../../src-main/core/ocpp/liveState'
import { strictModeValidators } from '../../src-main/core/ocpp/schemaValidators'
import { OcppService } from '../../src-main/core/ocpp/service'
import { selfSignedCert } from '../support/selfSignedCert'
import { useTempDirs } from '../support/tempDir'
import { until } from '../support/until'

const tempDir = useTempDirs()
const WAIT_MS = 20_000
const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface Running {
  service: OcppService
  db: Db
  url: string
  logs: string[]
}

async function startCentralSystem(settings: Partial<CentralSystemSettings> = {}, tls?: { cert: Buffer; key: Buffer }): Promise<Running> {
  const db = openDatabase(join(tempDir(), 'dv2g.sqlite'))
  const logs: string[] = []
  const service = new OcppService(db, { log: (line) => logs.push(line), settings })
  const { url } = await service.start({ host: '127.0.0.1', port: 0, tls })
  cleanups.push(async () => {
    await service.stop()
    db.close()
  })
  return { service, db, url, logs }
}

function basicAuth(id: string, password: string): string {
  return `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}`
}

function connectorOf(service: OcppService, chargerId: string, connectorId: number): ConnectorState | undefined {
  return service
    .chargerStates()
    .find((c) => c.id === chargerId)
    ?.connectors.find((c) => c.id === connectorId)
}

function readingsOf(db: Db, meterId: string) {
  return db
    .prepare(
      'SELECT ts_ms AS tsMs, import_wh AS importWh, export_wh AS exportWh, power_w AS powerW FROM readings WHERE meter_id = ? ORDER BY ts_ms'
    )
    .all(meterId) as {
    tsMs: number
    importWh: number
    exportWh: number
    powerW: number | null
  }[]
}

/** A slot of 15 minutes starting now: what the market hands the dispatcher. */
function slotFromNow(): { startMs: number; endMs: number } {
  const startMs = Date.now()
  return { startMs, endMs: startMs + 15 * 60_000 }
}

const iso = (ms: number) => new Date(ms).toISOString()

type RpcClientOptions = ConstructorParameters<typeof RPCClient>[0]

function rpcClient(options: Partial<RpcClientOptions> & { identity: string; endpoint: string }): RPCClient {
  const client = new RPCClient({
    reconnect: false,
    strictMode: true,
    strictModeValidators: strictModeValidators(),
    ...options
  } as RpcClientOptions)
  cleanups.push(async () => {
    await client.close({ force: true })
  })
  return client
}

/**
 * A charger made of raw frames: it sends what it is told, byte for byte, and keeps every frame it
 * receives. Calls from the central system are answered by `answer` (empty objects by default).
 */
class RawCharger {
  readonly frames: unknown[][] = []
  readonly closed: Promise<{ code: number; reason: string }>
  answer: (action: string, payload: Record<string, unknown>) => unknown = () => ({})

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
    ws.on('message', (data) => {
      let frame: unknown[]
      try {
        frame = JSON.parse(String(data)) as unknown[]
      } catch {
        frame = ['unparsable', String(data)]
      }
      this.frames.push(frame)
      if (frame[0] === 2) ws.send(JSON.stringify([3, frame[1], this.answer(String(frame[2]), frame[3] as Record<string, unknown>)]))
    })
  }

  /** Connects, or rejects with the HTTP status the handshake was refused with. */
  static open(url: string, id: string, options: { password?: string; protocol: string; ca?: Buffer }): Promise<RawCharger> {
    const headers = options.password === undefined ? {} : { Authorization: basicAuth(id, options.password) }
    const ws = new WebSocket(`${url}${id}`, [options.protocol], { headers, ca: options.ca })
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_request, response) => {
        reject(Object.assign(new Error(`handshake refused: ${response.statusCode}`), { status: response.statusCode }))
        ws.terminate()
      })
      // kept for the socket's life: an error after the handshake (a reset) is the test's to see, not a crash
      ws.on('error', reject)
      ws.once('open', () => {
        const charger = new RawCharger(ws)
        cleanups.push(() => charger.ws.terminate())
        resolve(charger)
      })
    })
  }

  send(text: string): void {
    this.ws.send(text)
  }

  /** Waits for the first frame that passes, received so far or later. */
  async frame(passes: (frame: unknown[]) => boolean, label: string): Promise<unknown[]> {
    await until(() => this.frames.some(passes), WAIT_MS, label)
    return this.frames.find(passes)!
  }

  /** Sends a CALL and waits for its CALLRESULT or CALLERROR. */
  async call(action: string, payload: unknown, messageId: string = randomUUID()): Promise<unknown[]> {
    this.send(JSON.stringify([2, messageId, action, payload]))
    return this.frame((f) => (f[0] === 3 || f[0] === 4) && f[1] === messageId, `the answer to ${action} ${messageId}`)
  }
}

async function refusedStatus(opening: Promise<unknown>): Promise<number> {
  try {
    await opening
  } catch (error) {
    return (error as { status?: number }).status ?? -1
  }
  throw new Error('the handshake was not refused')
}

describe('OCPP central system against independent charger-side clients', () => {
  it('ocpp-ts (1.6): boot, a session, meter values, and a -7000 W discharge profile its own validator accepts; cleared when the session ends', async () => {
    const { service, db, url, logs } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'CP16', dischargeByNegativeLimit: true, prosumer: 'EV1' })

    const charger = new OcppTs16Client('CP16')
    const errors: Error[] = []
    const configured: string[] = []
    const profiles: OcppTs16SetChargingProfile[] = []
    const cleared: unknown[] = []
    charger.on('error', (error) => errors.push(error))
    charger.on('ChangeConfiguration', (request, reply) => {
      configured.push(`${request.key}=${request.value}`)
      reply({ status: 'Accepted' })
    })
    // ocpp-ts validates a call against its own 1.6 schema before it calls its listener
    charger.on('SetChargingProfile', (request, reply) => {
      profiles.push(request)
      reply({ status: 'Accepted' })
    })
    charger.on('GetCompositeSchedule', (request, reply) => {
      const schedule = profiles.at(-1)!.csChargingProfiles.chargingSchedule
      reply({
        status: 'Accepted',
        connectorId: request.connectorId,
        scheduleStart: new Date().toISOString(),
        chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: schedule.chargingSchedulePeriod }
      })
    })
    charger.on('ClearChargingProfile', (request, reply) => {
      cleared.push(request)
      reply({ status: 'Accepted' })
    })
    const connected = new Promise<void>((resolve) => charger.once('connect', () => resolve()))
    charger.connect(url, { Authorization: basicAuth('CP16', password) })
    await connected

    const boot = await charger.callRequest('BootNotification', { chargePointVendor: 'Test', chargePointModel: 'Sim16' })
    expect(boot.status).toBe('Accepted')
    await until(() => configured.length === 2, WAIT_MS, 'the sampled measurands to be configured')
    expect(configured).toEqual([
      'MeterValuesSampledData=Energy.Active.Import.Register,Energy.Active.Export.Register,Power.Active.Import,Power.Active.Export,SoC',
      'MeterValueSampleInterval=60'
    ])

    await charger.callRequest('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' })
    const t0 = Date.now() - 60_000
    const started = await charger.callRequest('StartTransaction', {
      connectorId: 1,
      idTag: 'EV1TAG',
      meterStart: 10_000,
      timestamp: iso(t0)
    })
    expect(started.idTagInfo.status).toBe('Accepted')
    await charger.callRequest('MeterValues', {
      connectorId: 1,
      transactionId: started.transactionId,
      meterValue: [
        {
          timestamp: iso(t0 + 30_000),
          sampledValue: [
            { value: '10.5', measurand: 'Energy.Active.Import.Register', unit: 'kWh' },
            { value: '250', measurand: 'Energy.Active.Export.Register', unit: 'Wh' },
            { value: '7.0', measurand: 'Power.Active.Export', unit: 'kW' },
            { value: '61', measurand: 'SoC', unit: 'Percent', location: 'EV' }
          ]
        }
      ]
    })
    const connector = connectorOf(service, 'CP16', 1)!
    expect(connector).toMatchObject({
      status: 'Charging',
      session: String(started.transactionId),
      powerW: -7000,
      socPercent: 61,
      energyImportWh: 10_500,
      energyExportWh: 250
    })

    const slot = slotFromNow()
    const outcome = await service.sendSetpoint('CP16', 1, -7000, slot.startMs, slot.endMs)
    expect(outcome).toMatchObject({ setpointW: -7000, requestedW: -7000, clamped: false, status: 'Accepted', confirmedW: -7000 })
    expect(profiles).toHaveLength(1)
    expect(profiles[0]).toMatchObject({
      connectorId: 1,
      csChargingProfiles: {
        transactionId: started.transactionId,
        chargingProfilePurpose: 'TxProfile',
        chargingSchedule: { chargingRateUnit: 'W', duration: 900, chargingSchedulePeriod: [{ startPeriod: 0, limit: -7000 }] }
      }
    })
    expect(service.chargers()).toEqual([
      {
        id: 'CP16',
        protocol: 'ocpp1.6',
        connected: true,
        connectors: [
          {
            id: 1,
            status: 'Charging',
            session: String(started.transactionId),
            powerW: -7000,
            socPercent: 61,
            energyImportWh: 10_500,
            energyExportWh: 250,
            lastProfile: { setpointW: -7000, status: 'Accepted' }
          }
        ]
      }
    ])

    await charger.callRequest('StopTransaction', {
      transactionId: started.transactionId,
      meterStop: 10_600,
      timestamp: iso(t0 + 45_000),
      reason: 'EVDisconnected'
    })
    await until(() => cleared.length === 1, WAIT_MS, 'ClearChargingProfile at the session end')
    expect(cleared[0]).toEqual({ id: profiles[0]!.csChargingProfiles.chargingProfileId })
    expect(connectorOf(service, 'CP16', 1)!.session).toBeNull()
    expect(readingsOf(db, 'ocpp:CP16:1')).toEqual([
      { tsMs: t0, importWh: 10_000, exportWh: 0, powerW: null },
      { tsMs: t0 + 30_000, importWh: 10_500, exportWh: 250, powerW: -7000 },
      { tsMs: t0 + 45_000, importWh: 10_600, exportWh: 250, powerW: null }
    ])
    // the connector's meter stands for the charger's market participant
    expect(db.prepare("SELECT prosumer FROM meters WHERE id = 'ocpp:CP16:1'").pluck().get()).toBe('EV1')
    expect(errors).toEqual([])
    expect(logs).toEqual([])
  })

  it('ocpp-ts (1.6) on a charger not marked discharge-by-negative-limit: the discharge is sent as 0 W and reported as clamped', async () => {
    const { service, url } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'CP16-plain' })
    const charger = new OcppTs16Client('CP16-plain')
    const limits: number[] = []
    charger.on('error', () => undefined)
    charger.on('SetChargingProfile', (request, reply) => {
      limits.push(request.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0]!.limit)
      reply({ status: 'Accepted' })
    })
    charger.on('GetCompositeSchedule', (_request, reply) => reply({ status: 'Rejected' }))
    const connected = new Promise<void>((resolve) => charger.once('connect', () => resolve()))
    charger.connect(url, { Authorization: basicAuth('CP16-plain', password) })
    await connected
    const started = await charger.callRequest('StartTransaction', {
      connectorId: 2,
      idTag: 'TAG',
      meterStart: 0,
      timestamp: new Date().toISOString()
    })

    const slot = slotFromNow()
    const outcome = await service.sendSetpoint('CP16-plain', 2, -7000, slot.startMs, slot.endMs)
    expect(limits).toEqual([0])
    expect(outcome).toMatchObject({ setpointW: 0, requestedW: -7000, clamped: true, status: 'Accepted', confirmedW: null })
    expect(outcome.reason).toMatch(/clamped to 0 W/)
    expect(service.chargers()[0]!.connectors).toEqual([
      expect.objectContaining({ id: 2, session: String(started.transactionId), lastProfile: { setpointW: 0, status: 'Accepted' } })
    ])
  })

  it('@extrawest/node-ts-ocpp (2.0.1): boot, a session, meter values, and a -7000 W discharge profile its own validator accepts; cleared when the session ends', async () => {
    const { service, db, url, logs } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'CS201', dischargeByNegativeLimit: true, prosumer: 'EV2' })

    const station = new Extrawest201Client('CS201')
    const errors: Error[] = []
    const variables: string[] = []
    const profiles: Extrawest201SetChargingProfile[] = []
    const cleared: unknown[] = []
    station.on('error', (error) => errors.push(error))
    station.on('SetVariables', (request, reply) => {
      variables.push(...request.setVariableData.map((d) => `${d.component.name}.${d.variable.name}`))
      const [first, ...rest] = request.setVariableData.map((d) => ({
        attributeStatus: 'Accepted' as const,
        component: d.component,
        variable: d.variable
      }))
      reply({ setVariableResult: [first!, ...rest] })
    })
    // the library validates a call against its own 2.0.1 schema before it calls its listener
    station.on('SetChargingProfile', (request, reply) => {
      profiles.push(request)
      reply({ status: 'Accepted' })
    })
    station.on('GetCompositeSchedule', (request, reply) => {
      const period = profiles.at(-1)!.chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0]
      reply({
        status: 'Accepted',
        schedule: {
          evseId: request.evseId,
          duration: request.duration,
          scheduleStart: new Date().toISOString(),
          chargingRateUnit: 'W',
          chargingSchedulePeriod: [period]
        }
      })
    })
    station.on('ClearChargingProfile', (request, reply) => {
      cleared.push(request)
      reply({ status: 'Accepted' })
    })
    const connected = new Promise<void>((resolve) => station.once('connect', () => resolve()))
    station.connect(url, { Authorization: basicAuth('CS201', password) })
    await connected

    const boot = await station.callRequest('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: 'Sim201', vendorName: 'Test' }
    })
    expect(boot.status).toBe('Accepted')
    await until(() => variables.length === 4, WAIT_MS, 'the sampled measurands to be configured')
    expect(variables).toEqual([
      'SampledDataCtrlr.TxStartedMeasurands',
      'SampledDataCtrlr.TxUpdatedMeasurands',
      'SampledDataCtrlr.TxEndedMeasurands',
      'SampledDataCtrlr.TxUpdatedInterval'
    ])

    const t0 = Date.now() - 60_000
    await station.callRequest('StatusNotification', { timestamp: iso(t0), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 })
    await station.callRequest('TransactionEvent', {
      eventType: 'Started',
      timestamp: iso(t0),
      triggerReason: 'CablePluggedIn',
      seqNo: 0,
      transactionInfo: { transactionId: 'EW-TX-1', chargingState: 'EVConnected' },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: 'EV2TAG', type: 'ISO14443' },
      meterValue: [
        { timestamp: iso(t0), sampledValue: [{ value: 20_000, measurand: 'Energy.Active.Import.Register', context: 'Transaction.Begin' }] }
      ]
    })
    await station.callRequest('MeterValues', {
      evseId: 1,
      meterValue: [
        {
          timestamp: iso(t0 + 30_000),
          sampledValue: [
            { value: 20.5, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh' } },
            { value: 300, measurand: 'Energy.Active.Export.Register' },
            { value: 7, measurand: 'Power.Active.Export', unitOfMeasure: { unit: 'kW' } },
            { value: 64, measurand: 'SoC', unitOfMeasure: { unit: 'Percent' }, location: 'EV' }
          ]
        }
      ]
    })
    expect(connectorOf(service, 'CS201', 1)).toMatchObject({
      status: 'Occupied',
      session: 'EW-TX-1',
      powerW: -7000,
      socPercent: 64,
      energyImportWh: 20_500,
      energyExportWh: 300
    })

    const slot = slotFromNow()
    const outcome = await service.sendSetpoint('CS201', 1, -7000, slot.startMs, slot.endMs)
    expect(outcome).toMatchObject({ setpointW: -7000, clamped: false, status: 'Accepted', confirmedW: -7000 })
    expect(profiles[0]).toMatchObject({
      evseId: 1,
      chargingProfile: {
        transactionId: 'EW-TX-1',
        chargingProfilePurpose: 'TxProfile',
        chargingSchedule: [{ chargingRateUnit: 'W', duration: 900, chargingSchedulePeriod: [{ startPeriod: 0, limit: -7000 }] }]
      }
    })

    await station.callRequest('TransactionEvent', {
      eventType: 'Ended',
      timestamp: iso(t0 + 45_000),
      triggerReason: 'EVDeparted',
      seqNo: 1,
      transactionInfo: { transactionId: 'EW-TX-1', stoppedReason: 'EVDisconnected' },
      meterValue: [
        {
          timestamp: iso(t0 + 45_000),
          sampledValue: [{ value: 20_600, measurand: 'Energy.Active.Import.Register', context: 'Transaction.End' }]
        }
      ]
    })
    await until(() => cleared.length === 1, WAIT_MS, 'ClearChargingProfile at the session end')
    expect(cleared[0]).toEqual({ chargingProfileId: profiles[0]!.chargingProfile.id })
    expect(service.chargers()).toEqual([
      {
        id: 'CS201',
        protocol: 'ocpp2.0.1',
        connected: true,
        connectors: [
          {
            id: 1,
            status: 'Occupied',
            session: null,
            powerW: null,
            socPercent: 64,
            energyImportWh: 20_600,
            energyExportWh: 300,
            lastProfile: { setpointW: -7000, status: 'Accepted' }
          }
        ]
      }
    ])
    expect(service.sessions.session('CS201', 'EW-TX-1')).toMatchObject({
      connectorId: 1,
      idTag: 'EV2TAG',
      startedMs: t0,
      meterStartWh: 20_000,
      stoppedMs: t0 + 45_000,
      meterStopWh: 20_600,
      stopReason: 'EVDisconnected'
    })
    expect(readingsOf(db, 'ocpp:CS201:1')).toEqual([
      { tsMs: t0, importWh: 20_000, exportWh: 0, powerW: null },
      { tsMs: t0 + 30_000, importWh: 20_500, exportWh: 300, powerW: -7000 },
      { tsMs: t0 + 45_000, importWh: 20_600, exportWh: 300, powerW: null }
    ])
    expect(errors).toEqual([])
    expect(logs).toEqual([])
  })

  it("ocpp-rpc's own RPCClient on 2.1 (not independent: the server's library): a -7000 W CentralSetpoint with dischargeLimit, which its strict validator accepts", async () => {
    const { service, db, url } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'CS21', prosumer: 'EV3' })
    const client = rpcClient({ endpoint: url.slice(0, -1), identity: 'CS21', password, protocols: ['ocpp2.1'] })
    const profiles: { chargingProfile: { chargingSchedule: { chargingSchedulePeriod: Record<string, unknown>[] }[] } }[] = []
    client.handle('SetVariables', async ({ params }) => ({
      setVariableResult: (params as { setVariableData: { component: object; variable: object }[] }).setVariableData.map((d) => ({
        attributeStatus: 'Accepted',
        component: d.component,
        variable: d.variable
      }))
    }))
    client.handle('SetChargingProfile', async ({ params }) => {
      profiles.push(params as (typeof profiles)[number])
      return { status: 'Accepted' }
    })
    client.handle('GetCompositeSchedule', async ({ params }) => {
      const request = params as { evseId: number; duration: number }
      return {
        status: 'Accepted',
        schedule: {
          evseId: request.evseId,
          duration: request.duration,
          scheduleStart: new Date().toISOString(),
          chargingRateUnit: 'W',
          chargingSchedulePeriod: profiles.at(-1)!.chargingProfile.chargingSchedule[0]!.chargingSchedulePeriod
        }
      }
    })
    await client.connect()
    expect(client.protocol).toBe('ocpp2.1')
    expect(
      await client.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'Sim21', vendorName: 'Test' } })
    ).toMatchObject({ status: 'Accepted' })
    const t0 = Date.now() - 10_000
    await client.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: iso(t0),
      triggerReason: 'EVDetected',
      seqNo: 0,
      transactionInfo: { transactionId: 'V2X-1' },
      evse: { id: 1, connectorId: 1 },
      meterValue: [
        {
          timestamp: iso(t0),
          sampledValue: [
            { value: 80, measurand: 'SoC', unitOfMeasure: { unit: 'Percent' } },
            { value: 5000, measurand: 'Energy.Active.Import.Register' }
          ]
        }
      ]
    })

    const slot = slotFromNow()
    const outcome = await service.sendSetpoint('CS21', 1, -7000, slot.startMs, slot.endMs)
    expect(outcome).toMatchObject({ setpointW: -7000, clamped: false, status: 'Accepted', confirmedW: -7000 })
    expect(profiles[0]!.chargingProfile.chargingSchedule[0]!.chargingSchedulePeriod).toEqual([
      { startPeriod: 0, operationMode: 'CentralSetpoint', setpoint: -7000, dischargeLimit: -7000 }
    ])
    expect(connectorOf(service, 'CS21', 1)).toMatchObject({
      session: 'V2X-1',
      socPercent: 80,
      lastProfile: expect.objectContaining({ setpointW: -7000, status: 'Accepted' })
    })
    expect(readingsOf(db, 'ocpp:CS21:1')).toEqual([{ tsMs: t0, importWh: 5000, exportWh: 0, powerW: null }])
    expect(service.sessions.session('CS21', 'V2X-1')).toMatchObject({ startedMs: t0, meterStartWh: 5000, stoppedMs: null })
  })
})

describe('OCPP DataTransfer', () => {
  it('ocpp-ts (1.6, Core profile): UnknownVendorId for a vendor it does not know, UnknownMessageId for its own', async () => {
    const { service, url, logs } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'DT16' })
    const charger = new OcppTs16Client('DT16')
    charger.on('error', () => undefined)
    const connected = new Promise<void>((resolve) => charger.once('connect', () => resolve()))
    charger.connect(url, { Authorization: basicAuth('DT16', password) })
    await connected
    expect(await charger.callRequest('DataTransfer', { vendorId: 'com.example.charger', messageId: 'Diagnostics', data: 'x' })).toEqual({
      status: 'UnknownVendorId'
    })
    expect(await charger.callRequest('DataTransfer', { vendorId: 'dv2g-operator', messageId: 'Anything' })).toEqual({
      status: 'UnknownMessageId'
    })
    expect(logs).toEqual([])
  })

  it('@extrawest/node-ts-ocpp (2.0.1): UnknownVendorId for a vendor it does not know, UnknownMessageId for its own', async () => {
    const { service, url, logs } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'DT201' })
    const station = new Extrawest201Client('DT201')
    station.on('error', () => undefined)
    const connected = new Promise<void>((resolve) => station.once('connect', () => resolve()))
    station.connect(url, { Authorization: basicAuth('DT201', password) })
    await connected
    expect(await station.callRequest('DataTransfer', { vendorId: 'com.example.station', data: { any: ['json'] } })).toEqual({
      status: 'UnknownVendorId'
    })
    expect(await station.callRequest('DataTransfer', { vendorId: 'dv2g-operator', messageId: 'Anything' })).toEqual({
      status: 'UnknownMessageId'
    })
    expect(logs).toEqual([])
  })

  it('2.1 (raw frames): UnknownVendorId for a vendor it does not know, UnknownMessageId for its own', async () => {
    const { service, url, logs } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'DT21' })
    const charger = await RawCharger.open(url, 'DT21', { password, protocol: 'ocpp2.1' })
    expect(await charger.call('DataTransfer', { vendorId: 'com.example.v2x' }, 'd1')).toEqual([3, 'd1', { status: 'UnknownVendorId' }])
    expect(await charger.call('DataTransfer', { vendorId: 'dv2g-operator', messageId: 'Anything', data: 42 }, 'd2')).toEqual([
      3,
      'd2',
      { status: 'UnknownMessageId' }
    ])
    expect(logs).toEqual([])
  })
})

describe('OCPP central system against bad input', () => {
  it('answers a malformed frame, an unknown action and schema violations with the CALLERROR OCPP-J names, and the connection lives on', async () => {
    const { service, url } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'RAW201' })
    const charger = await RawCharger.open(url, 'RAW201', { password, protocol: 'ocpp2.0.1' })

    charger.send('[2, "m1", "Heartbeat", {')
    // the message id cannot be read from a frame that is not JSON: OCPP-J answers with id "-1"
    expect(await charger.frame((f) => f[0] === 4 && f[1] === '-1', 'the answer to malformed JSON')).toEqual([
      4,
      '-1',
      'RpcFrameworkError',
      'Message must be a JSON structure',
      {}
    ])
    expect((await charger.call('FlyToTheMoon', {}, 'm2')).slice(0, 3)).toEqual([4, 'm2', 'NotImplemented'])
    expect(
      (await charger.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 42, vendorName: 'Test' } }, 'm3')).slice(0, 3)
    ).toEqual([4, 'm3', 'TypeConstraintViolation'])
    expect((await charger.call('Heartbeat', { unexpected: true }, 'm4')).slice(0, 3)).toEqual([4, 'm4', 'PropertyConstraintViolation'])
    expect((await charger.call('StatusNotification', { timestamp: iso(Date.now()), evseId: 1, connectorId: 1 }, 'm5')).slice(0, 3)).toEqual(
      [4, 'm5', 'OccurrenceConstraintViolation']
    )
    // a binary frame, an empty array, a CALL without an action: answered, never thrown
    charger.ws.send(Buffer.from([0xff, 0x00, 0x13]))
    charger.send('[]')
    charger.send('[2, "m6"]')
    expect((await charger.frame((f) => f[0] === 4 && f[1] === 'm6', 'the answer to a CALL without an action')).slice(0, 3)).toEqual([
      4,
      'm6',
      'RpcFrameworkError'
    ])
    // 2.0.1's extension fallback: a message type it does not know is answered (ocpp-rpc reads no id from it), not ignored
    charger.send('[7, "m8", "Heartbeat", {}]')
    await charger.frame((f) => f[0] === 4 && f[2] === 'MessageTypeNotSupported', 'the answer to message type 7')

    const heartbeat = await charger.call('Heartbeat', {}, 'm7')
    expect(heartbeat[0]).toBe(3)
    expect(Date.parse((heartbeat[2] as { currentTime: string }).currentTime)).toBeGreaterThan(0)
    expect(service.chargers()[0]!.connected).toBe(true)
  })

  it('on 1.6 answers a schema violation with FormationViolation, the 1.6 name, and keeps serving', async () => {
    const { service, url } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'RAW16' })
    const charger = await RawCharger.open(url, 'RAW16', { password, protocol: 'ocpp1.6' })
    expect(
      (
        await charger.call(
          'BootNotification',
          { chargePointVendor: 'A vendor name well over twenty characters', chargePointModel: 'Sim' },
          'a1'
        )
      ).slice(0, 3)
    ).toEqual([4, 'a1', 'FormationViolation'])
    expect((await charger.call('MeterValues', { connectorId: '1', meterValue: [] }, 'a2')).slice(0, 3)).toEqual([
      4,
      'a2',
      'TypeConstraintViolation'
    ])
    expect((await charger.call('GetConfiguration', {}, 'a3')).slice(0, 3)).toEqual([4, 'a3', 'NotImplemented'])
    // values it cannot read are left out and named in the log, and the message acknowledged, so the charger does not send it forever
    const readings = await charger.call(
      'MeterValues',
      {
        connectorId: 1,
        meterValue: [{ timestamp: iso(Date.now()), sampledValue: [{ value: 'lots', measurand: 'Energy.Active.Import.Register' }] }]
      },
      'a4'
    )
    expect(readings).toEqual([3, 'a4', {}])
    expect((await charger.call('StopTransaction', { transactionId: 999, meterStop: 1, timestamp: iso(Date.now()) }, 'a5'))[0]).toBe(3)
    expect((await charger.call('Heartbeat', {}, 'a6'))[0]).toBe(3)
  })

  it('on 1.6 answers malformed frames with FormationViolation and a missing field with OccurenceConstraintViolation, the codes 1.6 defines, and an unknown message type with GenericError', async () => {
    const { service, url } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'RAW16F' })
    const charger = await RawCharger.open(url, 'RAW16F', { password, protocol: 'ocpp1.6' })
    const answerTo = async (frame: string, id: string) => {
      charger.send(frame)
      return (await charger.frame((f) => f[0] === 4 && f[1] === id, `the answer to ${frame}`)).slice(0, 3)
    }
    expect(await answerTo('[2, "f1", "Heartbeat", {', '-1')).toEqual([4, '-1', 'FormationViolation'])
    charger.frames.length = 0
    expect(await answerTo('{"not": "an array"}', '-1')).toEqual([4, '-1', 'FormationViolation'])
    charger.frames.length = 0
    expect(await answerTo('[2, 42, "Heartbeat", {}]', '-1')).toEqual([4, '-1', 'FormationViolation'])
    expect(await answerTo('[2, "f2"]', 'f2')).toEqual([4, 'f2', 'FormationViolation'])
    // 1.6's errata keep its spec's spelling of this one on the wire
    expect((await charger.call('BootNotification', { chargePointVendor: 'Test' }, 'f3')).slice(0, 3)).toEqual([
      4,
      'f3',
      'OccurenceConstraintViolation'
    ])
    charger.frames.length = 0
    expect(await answerTo('[7, "f4", "Heartbeat", {}]', '-1')).toEqual([4, '-1', 'GenericError'])
    expect(
      charger.frames.every(
        (f) => f[0] !== 4 || ['FormationViolation', 'OccurenceConstraintViolation', 'GenericError'].includes(String(f[2]))
      )
    ).toBe(true)
  })

  it('on 2.1 names a missing field OccurrenceConstraintViolation and a malformed frame RpcFrameworkError, as 2.1 does', async () => {
    const { service, url } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'RAW21F' })
    const charger = await RawCharger.open(url, 'RAW21F', { password, protocol: 'ocpp2.1' })
    expect((await charger.call('StatusNotification', { timestamp: iso(Date.now()), evseId: 1, connectorId: 1 }, 'g1')).slice(0, 3)).toEqual(
      [4, 'g1', 'OccurrenceConstraintViolation']
    )
    charger.send('[2, "g2"]')
    expect((await charger.frame((f) => f[0] === 4 && f[1] === 'g2', 'the answer to a CALL without an action')).slice(0, 3)).toEqual([
      4,
      'g2',
      'RpcFrameworkError'
    ])
    charger.send('[7, "g3", "Heartbeat", {}]')
    expect(
      (await charger.frame((f) => f[0] === 4 && f[2] === 'MessageTypeNotSupported', 'the answer to message type 7')).slice(0, 3)
    ).toEqual([4, '-1', 'MessageTypeNotSupported'])
    expect((await charger.call('Heartbeat', {}, 'g4'))[0]).toBe(3)
  })

  it('answers a failure of its own with InternalError, logs it, and keeps the connection', async () => {
    const { service, db, url, logs } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'BROKEN' })
    const charger = await RawCharger.open(url, 'BROKEN', { password, protocol: 'ocpp2.0.1' })
    // the store the state of charge goes to is gone: a failure no charger can cause, and none may see
    db.exec('DROP TABLE ocpp_soc')
    const answer = await charger.call(
      'MeterValues',
      { evseId: 1, meterValue: [{ timestamp: iso(Date.now()), sampledValue: [{ value: 50, measurand: 'SoC' }] }] },
      'i1'
    )
    expect(answer).toEqual([4, 'i1', 'InternalError', 'the central system could not process MeterValues', {}])
    expect(logs.some((l) => l.startsWith('BROKEN: MeterValues failed: SqliteError: no such table: ocpp_soc'))).toBe(true)
    expect((await charger.call('Heartbeat', {}))[0]).toBe(3)
  })

  it('refuses a wrong or missing password at the handshake with 401, and a charger at the wrong path with 404', async () => {
    const { service, url } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'LOCKED' })
    expect(await refusedStatus(RawCharger.open(url, 'LOCKED', { password: 'not-the-password-at-all', protocol: 'ocpp2.0.1' }))).toBe(401)
    expect(await refusedStatus(RawCharger.open(url, 'LOCKED', { protocol: 'ocpp2.0.1' }))).toBe(401)
    expect(await refusedStatus(RawCharger.open(url.replace('/ocpp/', '/elsewhere/'), 'LOCKED', { password, protocol: 'ocpp2.0.1' }))).toBe(
      404
    )
    const charger = await RawCharger.open(url, 'LOCKED', { password, protocol: 'ocpp2.0.1' })
    expect((await charger.call('Heartbeat', {}))[0]).toBe(3)
  })

  it('wrong passwords for a connected charger neither cut it off nor keep it from reconnecting with the right one', async () => {
    const { service, url, logs } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'TARGET' })
    const charger = await RawCharger.open(url, 'TARGET', { password, protocol: 'ocpp1.6' })
    expect((await charger.call('Heartbeat', {}))[0]).toBe(3)

    const statuses: number[] = []
    for (let batch = 0; batch < 10; batch++) {
      const guesses = Array.from({ length: 30 }, (_, i) =>
        refusedStatus(RawCharger.open(url, 'TARGET', { password: `guess-${batch}-${i}-not-it`, protocol: 'ocpp1.6' }))
      )
      statuses.push(...(await Promise.all(guesses)))
    }
    expect(statuses).toHaveLength(300)
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true)
    // the guesses are slowed down: once their own budget is spent, they are refused without a password check
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0)

    // the charger's own frames are not what the guesses spent
    for (let i = 0; i < 5; i++) expect((await charger.call('Heartbeat', {}))[0]).toBe(3)
    expect(service.chargers()[0]!.connected).toBe(true)
    expect(logs.filter((l) => l.includes('flooding'))).toEqual([])

    // and its right password still opens the door at once
    const again = await RawCharger.open(url, 'TARGET', { password, protocol: 'ocpp1.6' })
    expect((await again.call('Heartbeat', {}))[0]).toBe(3)
    expect((await charger.closed).code).toBe(4000)
  })

  it('answers an unregistered charger Pending or Rejected, as the operator chose, and nothing else', async () => {
    const { service, url } = await startCentralSystem()
    expect(service.unknownChargers).toBe('Rejected')
    const stranger = await RawCharger.open(url, 'STRANGER', { protocol: 'ocpp1.6' })
    const boot = { chargePointVendor: 'Test', chargePointModel: 'Sim' }
    expect(((await stranger.call('BootNotification', boot))[2] as { status: string }).status).toBe('Rejected')
    expect(
      (await stranger.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }, 's1')).slice(0, 3)
    ).toEqual([4, 's1', 'SecurityError'])
    service.setUnknownChargers('Pending')
    expect(((await stranger.call('BootNotification', boot))[2] as { status: string }).status).toBe('Pending')
    expect(service.chargerStates()).toEqual([
      expect.objectContaining({ id: 'STRANGER', registered: false, connected: true, registration: 'Pending' })
    ])
    await expect(service.sendSetpoint('STRANGER', 1, 1000, Date.now(), Date.now() + 60_000)).rejects.toThrow(
      'chargerId: STRANGER is not registered'
    )

    // registered while connected: it is asked to come back with its password
    await service.addCharger({ id: 'STRANGER' })
    expect((await stranger.closed).code).toBe(4001)
  })

  it('rate-limits a flood from one charger, then disconnects it, while other chargers are served', async () => {
    const rate = { perSecond: 2, burst: 10, floodAfter: 20 }
    const { service, url, logs } = await startCentralSystem({ messageRate: rate })
    const flooder = await service.addCharger({ id: 'FLOOD' })
    const neighbour = await service.addCharger({ id: 'QUIET' })
    const charger = await RawCharger.open(url, 'FLOOD', { password: flooder.password, protocol: 'ocpp2.0.1' })
    const startedMs = Date.now()
    for (let i = 0; i < 60; i++) charger.send(JSON.stringify([2, `h${i}`, 'Heartbeat', {}]))
    expect((await charger.closed).code).toBe(1008)
    const elapsedS = (Date.now() - startedMs) / 1000
    const answered = charger.frames.filter((f) => f[0] === 3)
    const limited = charger.frames.filter((f) => f[0] === 4 && f[2] === 'GenericError' && String(f[3]).startsWith('rate limit'))
    // the burst (less the token its handshake spent) is served, and what trickled back meanwhile; the rest is refused
    expect(answered.length).toBeGreaterThanOrEqual(rate.burst - 1)
    expect(answered.length).toBeLessThanOrEqual(rate.burst + Math.ceil(rate.perSecond * elapsedS))
    expect(limited.length).toBeGreaterThan(0)
    expect(logs.some((l) => l.startsWith('FLOOD: disconnected for flooding'))).toBe(true)
    // deep in debt, it may not even reconnect at once
    expect(await refusedStatus(RawCharger.open(url, 'FLOOD', { password: flooder.password, protocol: 'ocpp2.0.1' }))).toBe(429)

    const quiet = await RawCharger.open(url, 'QUIET', { password: neighbour.password, protocol: 'ocpp2.0.1' })
    expect((await quiet.call('Heartbeat', {}))[0]).toBe(3)
  })

  it('closes a connection that sends a frame over the size limit, and goes on serving', async () => {
    const { service, url } = await startCentralSystem({ maxPayloadBytes: 4096 })
    const { password } = await service.addCharger({ id: 'BIG' })
    const charger = await RawCharger.open(url, 'BIG', { password, protocol: 'ocpp2.0.1' })
    charger.send(
      JSON.stringify([
        2,
        'big',
        'NotifyReport',
        { requestId: 1, generatedAt: iso(Date.now()), seqNo: 0, reportData: [], padding: 'x'.repeat(10_000) }
      ])
    )
    expect((await charger.closed).code).toBe(1009)
    const again = await RawCharger.open(url, 'BIG', { password, protocol: 'ocpp2.0.1' })
    expect((await again.call('Heartbeat', {}))[0]).toBe(3)
  })
})

describe('OCPP 2.1 strict mode', () => {
  it('refuses bad 2.1 payloads (the published library refuses good ones too), and accepts good ones', async () => {
    const { service, db, url } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'RAW21' })
    const charger = await RawCharger.open(url, 'RAW21', { password, protocol: 'ocpp2.1' })
    expect(charger.ws.protocol).toBe('ocpp2.1')
    expect((await charger.call('Heartbeat', {}, 'g1'))[0]).toBe(3)
    expect((await charger.call('BootNotification', { reason: 'PowerUp' }, 'b1')).slice(0, 3)).toEqual([
      4,
      'b1',
      'OccurrenceConstraintViolation'
    ])
    const badEvent = {
      eventType: 'Paused',
      timestamp: iso(Date.now()),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: 'T' }
    }
    const refused = await charger.call('TransactionEvent', badEvent, 'b2')
    expect(refused.slice(0, 2)).toEqual([4, 'b2'])
    expect(refused[3]).toMatch(/eventType must be equal to one of the allowed values/)
    expect(db.prepare("SELECT count(*) FROM ocpp_sessions WHERE charger_id = 'RAW21'").pluck().get()).toBe(0)
  })

  it("records a rejected profile with the charger's reason, and refuses an answer that breaks the 2.1 schema as Failed, naming it", async () => {
    const { service, url } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'ODD21' })
    const charger = await RawCharger.open(url, 'ODD21', { password, protocol: 'ocpp2.1' })
    const answers = [
      { status: 'Rejected', statusInfo: { reasonCode: 'NoV2X', additionalInfo: 'this vehicle cannot discharge' } },
      { status: 'Perhaps' }
    ]
    charger.answer = (action) => (action === 'SetChargingProfile' ? answers.shift() : {})
    const now = Date.now()
    await charger.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: iso(now),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: 'T21' },
      evse: { id: 1 }
    })
    const rejected = await service.sendSetpoint('ODD21', 1, -3000, now, now + 60_000)
    expect(rejected).toMatchObject({
      status: 'Rejected',
      reason: 'NoV2X: this vehicle cannot discharge',
      setpointW: -3000,
      confirmedW: null
    })
    expect(service.chargers()[0]!.connectors[0]!.lastProfile).toEqual({ setpointW: -3000, status: 'Rejected' })
    const broken = await service.sendSetpoint('ODD21', 1, -3000, now, now + 60_000)
    expect(broken).toMatchObject({ status: 'Failed', setpointW: -3000 })
    expect(broken.reason).toMatch(/^FormatViolation: .*status must be equal to one of the allowed values/)
  })
})

describe('OCPP sessions across reconnects', () => {
  it('1.6: a charger that drops mid-session and replays its queued messages has every reading stored once', async () => {
    const { service, db, url } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'FLAKY16' })
    const t0 = Date.now() - 10 * 60_000
    const meterValue = (i: number) => ({
      timestamp: iso(t0 + i * 60_000),
      sampledValue: [
        { value: String(1000 + i * 100), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
        { value: String(3000 + i), measurand: 'Power.Active.Import', unit: 'W' },
        { value: String(40 + i), measurand: 'SoC', unit: 'Percent' }
      ]
    })
    const first = await RawCharger.open(url, 'FLAKY16', { password, protocol: 'ocpp1.6' })
    const start = { connectorId: 1, idTag: 'TAG', meterStart: 1000, timestamp: iso(t0) }
    const transactionId = ((await first.call('StartTransaction', start))[2] as { transactionId: number }).transactionId
    for (const i of [1, 2, 3]) await first.call('MeterValues', { connectorId: 1, transactionId, meterValue: [meterValue(i)] })
    // the fourth goes out, and the link dies before its answer comes back
    first.send(JSON.stringify([2, 'lost', 'MeterValues', { connectorId: 1, transactionId, meterValue: [meterValue(4)] }]))
    first.ws.terminate()
    await until(() => service.chargers()[0]?.connected === false, WAIT_MS, 'the central system to see the charger gone')

    // back online: the charger sends again what it never saw answered, and what it queued meanwhile
    const second = await RawCharger.open(url, 'FLAKY16', { password, protocol: 'ocpp1.6' })
    expect(((await second.call('StartTransaction', start))[2] as { transactionId: number }).transactionId).toBe(transactionId)
    for (const i of [3, 4, 5, 6])
      expect((await second.call('MeterValues', { connectorId: 1, transactionId, meterValue: [meterValue(i)] }))[0]).toBe(3)
    const stop = { transactionId, meterStop: 1700, timestamp: iso(t0 + 7 * 60_000), transactionData: [1, 2, 3, 4, 5, 6].map(meterValue) }
    expect((await second.call('StopTransaction', stop))[0]).toBe(3)
    expect((await second.call('StopTransaction', stop))[0]).toBe(3)

    const readings = readingsOf(db, 'ocpp:FLAKY16:1')
    expect(readings.map((r) => r.tsMs)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => t0 + i * 60_000))
    expect(readings.map((r) => r.importWh)).toEqual([1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700])
    expect(readings.slice(1, 7).map((r) => r.powerW)).toEqual([3001, 3002, 3003, 3004, 3005, 3006])
    expect(service.sessions.socReadings('FLAKY16', 1).map((s) => s.socPercent)).toEqual([41, 42, 43, 44, 45, 46])
    expect(db.prepare("SELECT count(*) FROM ocpp_sessions WHERE charger_id = 'FLAKY16'").pluck().get()).toBe(1)
    expect(service.sessions.session('FLAKY16', String(transactionId))).toMatchObject({ stoppedMs: t0 + 7 * 60_000, meterStopWh: 1700 })
  })

  it('2.0.1: TransactionEvents replayed by sequence number after a reconnect are recorded once, their readings stored once', async () => {
    const { service, db, url, logs } = await startCentralSystem()
    const { password } = await service.addCharger({ id: 'FLAKY201' })
    const t0 = Date.now() - 10 * 60_000
    const event = (seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', offline = false) => ({
      eventType,
      timestamp: iso(t0 + seqNo * 60_000),
      triggerReason: eventType === 'Updated' ? 'MeterValuePeriodic' : eventType === 'Started' ? 'CablePluggedIn' : 'EVDeparted',
      seqNo,
      offline,
      transactionInfo: { transactionId: 'TX-R' },
      ...(seqNo === 0 ? { evse: { id: 2, connectorId: 1 } } : {}),
      meterValue: [
        {
          timestamp: iso(t0 + seqNo * 60_000),
          sampledValue: [
            { value: 100 * seqNo, measurand: 'Energy.Active.Import.Register' },
            { value: 50 + seqNo, measurand: 'SoC' }
          ]
        }
      ]
    })
    const first = await RawCharger.open(url, 'FLAKY201', { password, protocol: 'ocpp2.0.1' })
    await first.call('TransactionEvent', event(0, 'Started'))
    for (const seqNo of [1, 2]) await first.call('TransactionEvent', event(seqNo, 'Updated'))
    first.send(JSON.stringify([2, 'lost', 'TransactionEvent', event(3, 'Updated')]))
    first.ws.terminate()
    await until(() => service.chargers()[0]?.connected === false, WAIT_MS, 'the central system to see the station gone')

    const second = await RawCharger.open(url, 'FLAKY201', { password, protocol: 'ocpp2.0.1' })
    for (const seqNo of [2, 3, 4, 5]) expect((await second.call('TransactionEvent', event(seqNo, 'Updated', seqNo > 3)))[0]).toBe(3)
    expect((await second.call('TransactionEvent', event(6, 'Ended', true)))[0]).toBe(3)
    expect((await second.call('TransactionEvent', event(6, 'Ended', true)))[0]).toBe(3)

    expect(db.prepare("SELECT seq_no FROM ocpp_transaction_events WHERE charger_id = 'FLAKY201' ORDER BY seq_no").pluck().all()).toEqual([
      0, 1, 2, 3, 4, 5, 6
    ])
    expect(readingsOf(db, 'ocpp:FLAKY201:2').map((r) => [r.tsMs - t0, r.importWh])).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((i) => [i * 60_000, 100 * i])
    )
    expect(service.sessions.socReadings('FLAKY201', 2).map((s) => s.socPercent)).toEqual([50, 51, 52, 53, 54, 55, 56])
    expect(service.sessions.session('FLAKY201', 'TX-R')).toMatchObject({
      connectorId: 2,
      stoppedMs: t0 + 6 * 60_000,
      meterStopWh: 600,
      stopReason: null
    })
    expect(connectorOf(service, 'FLAKY201', 2)).toMatchObject({ session: null, energyImportWh: 600, socPercent: 56 })
    expect(logs.filter((l) => l.includes('again (a replay)'))).toHaveLength(3)
  })
})

describe('OCPP security profile 2', () => {
  it('serves Basic auth inside TLS, and refuses to listen beyond loopback without a certificate', async () => {
    const { certFile, keyFile } = selfSignedCert(tempDir(), 'ocpp')
    const tls = { cert: readFileSync(certFile), key: readFileSync(keyFile) }
    const { service, url } = await startCentralSystem({}, tls)
    expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/ocpp\/$/)
    const { password } = await service.addCharger({ id: 'SECURE' })
    const charger = await RawCharger.open(url, 'SECURE', { password, protocol: 'ocpp2.0.1', ca: tls.cert })
    expect((await charger.call('Heartbeat', {}))[0]).toBe(3)
    expect(
      await refusedStatus(RawCharger.open(url, 'SECURE', { password: 'a-wrong-password-here', protocol: 'ocpp2.0.1', ca: tls.cert }))
    ).toBe(401)

    const otherDb = openDatabase(join(tempDir(), 'dv2g.sqlite'))
    cleanups.push(() => {
      otherDb.close()
    })
    const other = new OcppService(otherDb, { log: () => undefined })
    await expect(other.start({ host: '0.0.0.0', port: 0 })).rejects.toThrow('tls: OCPP on 0.0.0.0 needs TLS (security profile 2)')
    expect(other.listening).toBe(false)
  })
})
