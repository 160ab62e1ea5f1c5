import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../../../../src-main/core/db/connection'
import { ChargerRegistry, chargerIdSchema } from '../../../../../src-main/core/ocpp/chargerRegistry'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const opened: Db[] = []
afterEach(() => {
  for (const db of opened.splice(0)) db.close()
})

function registry(): ChargerRegistry {
  const db = openDatabase(join(tempDir(), 'dv2g.sqlite'))
  opened.push(db)
  return new ChargerRegistry(db, () => Date.parse('2025-06-01T12:00:00Z'))
}

describe('charger ids', () => {
  it('refuses a reserved id or prosumer at registration, naming it, and registers nothing', async () => {
    const chargers = registry()
    await expect(chargers.add({ id: '__proto__' })).rejects.toThrow('id: charger id "__proto__" is reserved')
    await expect(chargers.add({ id: 'constructor' })).rejects.toThrow('id: charger id "constructor" is reserved')
    await expect(chargers.add({ id: 'CP1', prosumer: '__proto__' })).rejects.toThrow('prosumer: "__proto__" is reserved')
    await chargers.add({ id: 'CP2' })
    expect(() => chargers.update('CP2', { prosumer: 'EV\x1b[8m' })).toThrow('prosumer: "EV\\x1b[8m" holds a control character (U+001B)')
    expect(chargers.list().map((c) => [c.id, c.prosumer])).toEqual([['CP2', null]])
  })

  it('refuses a reserved identity at the handshake, where an unknown charger would otherwise wait as Pending', () => {
    expect(chargerIdSchema.safeParse('prototype').error?.issues[0]?.message).toBe('charger id "prototype" is reserved')
    expect(chargerIdSchema.safeParse('CP-001').success).toBe(true)
  })
})
