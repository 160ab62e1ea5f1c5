import { describe, expect, it } from 'vitest'
import { LiveState } from '../../../../../src-main/core/ocpp/liveState'

describe('live state', () => {
  it('shows a 2.x EVSE Occupied while any of its connectors is, else as its connector reported last', () => {
    const live = new LiveState(() => undefined)
    live.setPartStatus('CS', 1, 1, 'Available')
    live.setPartStatus('CS', 1, 2, 'Occupied')
    live.setPartStatus('CS', 1, 1, 'Unavailable')
    expect(live.state('CS')!.connectors[0]!.status).toBe('Occupied')
    live.setPartStatus('CS', 1, 2, 'Available')
    expect(live.state('CS')!.connectors[0]!.status).toBe('Available')
    live.setPartStatus('CS', 1, 1, 'Faulted')
    expect(live.state('CS')!.connectors[0]!.status).toBe('Faulted')
  })

  it('summarises exactly the fields of `dv2g ocpp chargers --json`, connectors in order', () => {
    const live = new LiveState(() => undefined)
    live.connector('CP', 2).session = '9'
    live.connector('CP', 1).lastProfile = {
      setpointW: 0,
      requestedW: -7000,
      clamped: true,
      status: 'Rejected',
      reason: 'no',
      transactionId: '9',
      slotStartMs: 0,
      slotEndMs: 1,
      sentMs: 0,
      confirmedW: null
    }
    const [summary] = live.summaries()
    expect(Object.keys(summary!)).toEqual(['id', 'protocol', 'connected', 'connectors'])
    expect(summary!.connectors.map((c) => c.id)).toEqual([1, 2])
    expect(Object.keys(summary!.connectors[0]!)).toEqual([
      'id',
      'status',
      'session',
      'powerW',
      'socPercent',
      'energyImportWh',
      'energyExportWh',
      'lastProfile'
    ])
    expect(summary!.connectors[0]!.lastProfile).toEqual({ setpointW: 0, status: 'Rejected' })
    expect(summary!.connectors[1]!.lastProfile).toBeNull()
  })

  it('hands out copies: what a listener keeps does not change under it', () => {
    const live = new LiveState(() => undefined)
    const seen: unknown[] = []
    live.onChange((change) => seen.push(change))
    live.connector('CP', 1).powerW = 100
    live.changed('CP')
    live.connector('CP', 1).powerW = 200
    live.changed('CP')
    expect(seen).toEqual([
      { type: 'charger', charger: expect.objectContaining({ connectors: [expect.objectContaining({ powerW: 100 })] }) },
      { type: 'charger', charger: expect.objectContaining({ connectors: [expect.objectContaining({ powerW: 200 })] }) }
    ])
    expect(live.sessionOf('nobody', 1)).toBeNull()
    expect(live.has('nobody')).toBe(false)
  })
})
