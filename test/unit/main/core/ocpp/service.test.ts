import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../../../../src-main/core/db/connection'
import type { OcppChange } from '../../../../../src-main/core/ocpp/liveState'
import { OcppService } from '../../../../../src-main/core/ocpp/service'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function open(file = join(tempDir(), 'dv2g.sqlite')): { db: Db; service: OcppService; logs: string[]; file: string } {
  const db = openDatabase(file)
  const logs: string[] = []
  const service = new OcppService(db, { log: (line) => logs.push(line) })
  cleanups.push(async () => {
    await service.stop()
    db.close()
  })
  return { db, service, logs, file }
}

describe('the OCPP service', () => {
  it('refuses to listen beyond loopback without TLS, and bad listen options, before binding anything', async () => {
    const { service } = open()
    await expect(service.start({ host: '192.168.1.10', port: 0 })).rejects.toThrow(
      'tls: OCPP on 192.168.1.10 needs TLS (security profile 2): give a certificate and key, or listen on 127.0.0.1 (profile 1, Basic auth without TLS, loopback only)'
    )
    await expect(service.start({ host: '127.0.0.1', port: 70_000 })).rejects.toThrow(/^port: /)
    await expect(service.start({ host: '0.0.0.0', port: 0, tls: { cert: 'not a certificate', key: 'not a key' } })).rejects.toThrow(
      /^tls: the certificate and key cannot be used: /
    )
    expect(service.listening).toBe(false)
    const at = await service.start({ host: '127.0.0.1', port: 0 })
    expect(at).toMatchObject({ host: '127.0.0.1', securityProfile: 1 })
    expect(at.url).toBe(`ws://127.0.0.1:${at.port}/ocpp/`)
    await expect(service.start({ host: '127.0.0.1', port: 0 })).rejects.toThrow('the central system is listening already')
    await service.stop()
    expect(service.listening).toBe(false)
  })

  it('lists registered chargers in the shape of `dv2g ocpp chargers --json`, and forgets a removed one', async () => {
    const { service } = open()
    await service.addCharger({ id: 'CP1' })
    await service.addCharger({ id: 'CP2', dischargeByNegativeLimit: true, prosumer: 'EV2' })
    expect(service.chargers()).toEqual([
      { id: 'CP1', protocol: null, connected: false, connectors: [] },
      { id: 'CP2', protocol: null, connected: false, connectors: [] }
    ])
    expect(service.listChargers().map((c) => [c.id, c.dischargeByNegativeLimit, c.prosumer])).toEqual([
      ['CP1', false, null],
      ['CP2', true, 'EV2']
    ])
    service.removeCharger('CP1')
    expect(service.chargers().map((c) => c.id)).toEqual(['CP2'])
    expect(() => service.removeCharger('CP1')).toThrow('id: no charger CP1 is registered')
  })

  it('refuses a setpoint it cannot send, naming what is wrong', async () => {
    const { service } = open()
    await service.addCharger({ id: 'CP1' })
    const now = Date.now()
    await expect(service.sendSetpoint('CP1', 1, -7000, now, now + 60_000)).rejects.toThrow('chargerId: CP1 is not connected')
    await expect(service.sendSetpoint('CP1', 1, -7000, now, now)).rejects.toThrow('slotEndMs: must be after slotStartMs')
    await expect(service.sendSetpoint('CP1', 0, -7000, now, now + 1)).rejects.toThrow(/^connectorId: /)
    await expect(service.sendSetpoint('CP1', 1, Number.NaN, now, now + 1)).rejects.toThrow(/^setpointW: /)
  })

  it('tells every listener of a change, even when one of them throws', async () => {
    const { service, logs } = open()
    const heard: OcppChange[] = []
    service.onChange(() => {
      throw new Error('a broken listener')
    })
    const unsubscribe = service.onChange((change) => heard.push(change))
    await service.addCharger({ id: 'CP1' })
    service.removeCharger('CP1')
    expect(heard.map((c) => c.type)).toEqual(['charger', 'removed'])
    expect(logs).toEqual([
      'a listener of charger changes failed: a broken listener',
      'a listener of charger changes failed: a broken listener'
    ])
    unsubscribe()
    await service.addCharger({ id: 'CP2' })
    expect(heard).toHaveLength(2)
  })

  it('after a restart shows each registered charger disconnected, with its open sessions and last profiles', async () => {
    const first = open()
    await first.service.addCharger({ id: 'CP1' })
    first.service.sessions.open2('CP1', 'TX-OPEN', 1, null, 1000, null)
    first.service.sessions.open2('CP1', 'TX-DONE', 2, null, 1000, null)
    first.service.sessions.close('CP1', 'TX-DONE', 2000, 10, null)
    const outcome = {
      setpointW: 0,
      requestedW: -7000,
      clamped: true,
      status: 'Accepted' as const,
      reason: 'clamped',
      transactionId: 'TX-OPEN',
      slotStartMs: 0,
      slotEndMs: 900_000,
      sentMs: 5,
      confirmedW: null
    }
    first.service.sessions.recordProfile('CP1', 1, { ...outcome, sentMs: 4, requestedW: 1000, setpointW: 1000, clamped: false })
    first.service.sessions.recordProfile('CP1', 1, outcome)

    const second = open(first.file)
    expect(second.service.chargerStates()).toEqual([
      {
        id: 'CP1',
        registered: true,
        protocol: null,
        connected: false,
        registration: null,
        lastSeenMs: null,
        connectors: [
          {
            id: 1,
            status: null,
            session: 'TX-OPEN',
            powerW: null,
            socPercent: null,
            energyImportWh: null,
            energyExportWh: null,
            sampledAtMs: null,
            lastProfile: outcome
          }
        ]
      }
    ])
    expect(second.service.chargers()[0]!.connectors[0]!.lastProfile).toEqual({ setpointW: 0, status: 'Accepted' })
  })
})
