import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../../../../src-main/core/db/connection'
import { ReadingStore } from '../../../../../src-main/core/meters/readingStore'
import { ChargerRegistry } from '../../../../../src-main/core/ocpp/chargerRegistry'
import { Intake, meterIdOf } from '../../../../../src-main/core/ocpp/intake'
import { LiveState } from '../../../../../src-main/core/ocpp/liveState'
import type { MeterSample } from '../../../../../src-main/core/ocpp/meterValues'
import { SessionStore } from '../../../../../src-main/core/ocpp/sessionStore'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const opened: Db[] = []
afterEach(() => {
  for (const db of opened.splice(0)) db.close()
})

const T0 = Date.parse('2025-06-01T12:00:00Z')
const MINUTE = 60_000

function sample(minute: number, values: Partial<Omit<MeterSample, 'tsMs'>>): MeterSample {
  return { tsMs: T0 + minute * MINUTE, importWh: null, exportWh: null, powerW: null, socPercent: null, ...values }
}

async function setUp() {
  const db = openDatabase(join(tempDir(), 'dv2g.sqlite'))
  opened.push(db)
  const logs: string[] = []
  const registry = new ChargerRegistry(db)
  await registry.add({ id: 'CP1', prosumer: 'EV1' })
  const live = new LiveState((line) => logs.push(line))
  const readings = new ReadingStore(db)
  const sessions = new SessionStore(db)
  const intake = new Intake(db, readings, sessions, live, registry, (line) => logs.push(line))
  const stored = (connectorId = 1) => readings.readings(meterIdOf('CP1', connectorId), 0, Number.MAX_SAFE_INTEGER)
  return { db, logs, live, sessions, intake, stored }
}

describe('intake of what chargers report', () => {
  it('gives a 1.6 StartTransaction sent again the transaction id it was given, and a new one only to a new session', async () => {
    const { intake, sessions, stored } = await setUp()
    const first = intake.startSession16('CP1', 1, 'TAG', T0, 1000)
    expect(intake.startSession16('CP1', 1, 'TAG', T0, 1000)).toBe(first)
    const second = intake.startSession16('CP1', 2, 'TAG', T0, 0)
    expect(Number(second)).toBe(Number(first) + 1)
    expect(sessions.openSessions().map((s) => s.transactionId)).toEqual([first, second])
    expect(stored()).toEqual([{ tsMs: T0, importWh: 1000, exportWh: 0, powerW: null, flags: 0 }])
  })

  it('stores each meter value once however often it comes, and lets a replayed old value leave the live state alone', async () => {
    const { intake, live, sessions, stored } = await setUp()
    const values = [
      sample(1, { importWh: 1100, powerW: 6000, socPercent: 50 }),
      sample(2, { importWh: 1200, powerW: 6100, socPercent: 51 })
    ]
    intake.meterSamples('CP1', 1, '7', values)
    intake.meterSamples('CP1', 1, '7', values)
    intake.meterSamples('CP1', 1, '7', [values[0]!])
    expect(stored().map((r) => [r.tsMs - T0, r.importWh, r.powerW])).toEqual([
      [MINUTE, 1100, 6000],
      [2 * MINUTE, 1200, 6100]
    ])
    expect(sessions.socReadings('CP1', 1)).toEqual([
      { tsMs: T0 + MINUTE, socPercent: 50, transactionId: '7' },
      { tsMs: T0 + 2 * MINUTE, socPercent: 51, transactionId: '7' }
    ])
    expect(live.state('CP1')!.connectors[0]).toMatchObject({
      powerW: 6100,
      socPercent: 51,
      energyImportWh: 1200,
      sampledAtMs: T0 + 2 * MINUTE
    })
  })

  it('fills a register the charger did not send with the one before it, the same however the values arrive', async () => {
    const { intake, stored } = await setUp()
    intake.meterSamples('CP1', 1, null, [sample(0, { importWh: 100, exportWh: 10 })])
    intake.meterSamples('CP1', 1, null, [sample(2, { exportWh: 30 }), sample(1, { importWh: 150 })])
    intake.meterSamples('CP1', 1, null, [sample(3, { powerW: -5000 }), sample(4, { socPercent: 20 })])
    expect(stored().map((r) => [r.importWh, r.exportWh])).toEqual([
      [100, 10],
      [150, 10],
      [150, 30]
    ])
  })

  it("puts a connector's meter under the charger's market participant; connector 0 is stored but not shown", async () => {
    const { db, intake, live, stored } = await setUp()
    intake.meterSamples('CP1', 0, null, [sample(0, { importWh: 5 })])
    intake.meterSamples('CP1', 3, null, [sample(0, { importWh: 5 })])
    expect(stored(0)).toHaveLength(1)
    expect(db.prepare("SELECT id, prosumer FROM meters WHERE id LIKE 'ocpp:%' ORDER BY id").all()).toEqual([
      { id: 'ocpp:CP1:0', prosumer: 'EV1' },
      { id: 'ocpp:CP1:3', prosumer: 'EV1' }
    ])
    expect(live.state('CP1')!.connectors.map((c) => c.id)).toEqual([3])
  })

  it('follows a 2.x transaction by its events: once per sequence number, opened by a first Updated whose Started was lost, closed once', async () => {
    const { intake, sessions, live, logs } = await setUp()
    const event = (seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', evseId: number | null) => ({
      eventType,
      transactionId: 'TX',
      seqNo,
      triggerReason: 'MeterValuePeriodic',
      tsMs: T0 + seqNo * MINUTE,
      evseId,
      idTag: null,
      stoppedReason: eventType === 'Ended' ? 'Local' : null
    })
    expect(intake.transactionEvent('CP1', event(1, 'Updated', 2), [sample(1, { importWh: 10 })])).toEqual({ connectorId: 2, ended: false })
    expect(intake.transactionEvent('CP1', event(2, 'Updated', null), [])).toEqual({ connectorId: 2, ended: false })
    expect(live.sessionOf('CP1', 2)).toBe('TX')
    expect(intake.transactionEvent('CP1', event(3, 'Ended', null), [sample(3, { importWh: 30 })])).toEqual({ connectorId: 2, ended: true })
    expect(intake.transactionEvent('CP1', event(3, 'Ended', null), [sample(3, { importWh: 30 })])).toEqual({ connectorId: 2, ended: true })
    // an Updated's register is somewhere mid-session: not where it started
    expect(sessions.session('CP1', 'TX')).toMatchObject({
      connectorId: 2,
      startedMs: T0 + MINUTE,
      meterStartWh: null,
      stoppedMs: T0 + 3 * MINUTE,
      meterStopWh: 30,
      stopReason: 'Local'
    })
    expect(live.sessionOf('CP1', 2)).toBeNull()
    expect(logs).toEqual(['CP1: TransactionEvent 3 of TX again (a replay); stored once'])

    expect(
      intake.transactionEvent('CP1', { ...event(0, 'Updated', null), transactionId: 'NOWHERE' }, [sample(0, { importWh: 1 })])
    ).toBeNull()
    expect(logs.at(-1)).toMatch(/^CP1: TransactionEvent Updated for transaction NOWHERE, which names no EVSE/)
  })

  it("keeps the register a 2.x Started event carries as the session's start, also when the Started comes after an Updated opened it", async () => {
    const { intake, sessions } = await setUp()
    const event = (transactionId: string, seqNo: number, eventType: 'Started' | 'Updated') => ({
      eventType,
      transactionId,
      seqNo,
      triggerReason: 'CablePluggedIn',
      tsMs: T0 + seqNo * MINUTE,
      evseId: 1,
      idTag: 'TAG',
      stoppedReason: null
    })
    intake.transactionEvent('CP1', event('TX-A', 0, 'Started'), [
      sample(0, { importWh: 20_000.4, socPercent: 40 }),
      sample(0.5, { importWh: 20_010 })
    ])
    expect(sessions.session('CP1', 'TX-A')).toMatchObject({ startedMs: T0, meterStartWh: 20_000, meterStopWh: null })
    // a Started with no register leaves the start unknown
    intake.transactionEvent('CP1', event('TX-B', 0, 'Started'), [sample(0, { socPercent: 40 })])
    expect(sessions.session('CP1', 'TX-B')).toMatchObject({ meterStartWh: null })
    // the Started was held back (offline) and comes after the first Updated
    intake.transactionEvent('CP1', event('TX-C', 1, 'Updated'), [sample(1, { importWh: 5_100 })])
    intake.transactionEvent('CP1', event('TX-C', 0, 'Started'), [sample(0, { importWh: 5_000 })])
    expect(sessions.session('CP1', 'TX-C')).toMatchObject({ meterStartWh: 5_000 })
    intake.transactionEvent('CP1', event('TX-C', 0, 'Started'), [sample(0, { importWh: 4_000 })])
    expect(sessions.session('CP1', 'TX-C')).toMatchObject({ meterStartWh: 5_000 })
  })

  it('acknowledges a 1.6 StopTransaction for a transaction it never saw, leaving its readings out', async () => {
    const { intake, logs, stored } = await setUp()
    expect(intake.stopSession16('CP1', '404', T0, 100, null, [sample(0, { importWh: 100 })])).toBeNull()
    expect(stored()).toEqual([])
    expect(logs).toEqual(['CP1: StopTransaction for transaction 404, which it never started here; acknowledged, its readings left out'])
  })
})
