import { describe, expect, it } from 'vitest'
import { open } from '../../../../../src-main/core/app'
import { referenceEsuCase } from '../../../../support/esuCase'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()

describe('ESU profile store', () => {
  it('saves, lists in name order, replaces by name (any case) and deletes', () => {
    const app = open(tempDir())
    app.esuProfiles.save('Taxi fleet', referenceEsuCase)
    app.esuProfiles.save('bus depot', { ...referenceEsuCase, capacityKWh: 300 })
    expect(app.esuProfiles.list().map((p) => p.name)).toEqual(['bus depot', 'Taxi fleet'])

    app.esuProfiles.save('TAXI FLEET', { ...referenceEsuCase, cycleLife: 5000 })
    const names = app.esuProfiles.list().map((p) => p.name)
    expect(names).toEqual(['bus depot', 'TAXI FLEET'])
    expect(app.esuProfiles.list()[1]?.parameters.cycleLife).toBe(5000)

    expect(app.esuProfiles.delete('Bus Depot')).toBe(true)
    expect(app.esuProfiles.delete('no such profile')).toBe(false)
    expect(app.esuProfiles.list().map((p) => p.name)).toEqual(['TAXI FLEET'])
    app.close()
  })

  it('survives closing and reopening the data dir', () => {
    const dir = tempDir()
    const first = open(dir)
    first.esuProfiles.save('kept', referenceEsuCase)
    first.close()
    const second = open(dir)
    expect(second.esuProfiles.list()).toMatchObject([{ name: 'kept', parameters: referenceEsuCase }])
    second.close()
  })

  it('refuses out-of-range parameters and keeps what was stored', () => {
    const app = open(tempDir())
    app.esuProfiles.save('good', referenceEsuCase)
    expect(() => app.esuProfiles.save('good', { ...referenceEsuCase, depthOfDischarge: 1.5 })).toThrow(/depthOfDischarge|between|greater/)
    expect(app.esuProfiles.list()[0]?.parameters.depthOfDischarge).toBe(0.8)
    app.close()
  })

  it('announces every change with the current names', () => {
    const app = open(tempDir())
    const seen: unknown[] = []
    app.events.subscribe((name, payload) => seen.push([name, payload]))
    app.esuProfiles.save('a', referenceEsuCase)
    app.esuProfiles.delete('a')
    app.esuProfiles.delete('a')
    expect(seen).toEqual([
      ['esu.profilesChanged', { names: ['a'] }],
      ['esu.profilesChanged', { names: [] }]
    ])
    app.close()
  })

  it('still lists a profile saved under the wider ranges of earlier versions, and saves only within today’s', () => {
    const app = open(tempDir())
    const old = { ...referenceEsuCase, lifetimeYears: 0.5, capacityKWh: 0.05 }
    app.db
      .prepare('INSERT INTO esu_profiles (name, parameters, created_at, updated_at) VALUES (?, ?, ?, ?)')
      .run('old', JSON.stringify(old), '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')
    expect(app.esuProfiles.list().map((p) => p.parameters)).toEqual([old])
    expect(() => app.esuProfiles.save('again', old)).toThrow(/capacityKWh|lifetimeYears/)
    app.close()
  })
})
