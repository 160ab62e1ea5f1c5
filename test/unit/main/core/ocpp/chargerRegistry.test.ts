import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../../../../src-main/core/db/connection'
import { ChargerRegistry } from '../../../../../src-main/core/ocpp/chargerRegistry'
import { hashPassword, newChargerPassword, PasswordHashError, verifyPassword } from '../../../../../src-main/core/ocpp/passwords'
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

describe('charger passwords', () => {
  it('are stored as salted scrypt hashes and checked in constant time', async () => {
    const first = await hashPassword('correct-horse-battery')
    const second = await hashPassword('correct-horse-battery')
    expect(first).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
    expect(first).not.toBe(second)
    expect(first).not.toContain('correct-horse-battery')
    expect(await verifyPassword('correct-horse-battery', first)).toBe(true)
    expect(await verifyPassword(Buffer.from('correct-horse-battery'), second)).toBe(true)
    expect(await verifyPassword('correct-horse-batterY', first)).toBe(false)
    await expect(verifyPassword('x', 'md5$abc')).rejects.toThrow(PasswordHashError)
  })

  it('made for a charger are 24 URL-safe characters, new each time', () => {
    const password = newChargerPassword()
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/)
    expect(newChargerPassword()).not.toBe(password)
  })
})

describe('charger registry', () => {
  it('adds, lists and removes chargers, keeping only the hash of each password', async () => {
    const chargers = registry()
    const added = await chargers.add({ id: 'CP-1', password: 'a-long-enough-password', dischargeByNegativeLimit: true, prosumer: 'EV1' })
    expect(added).toEqual({
      charger: { id: 'CP-1', dischargeByNegativeLimit: true, prosumer: 'EV1', createdAt: '2025-06-01T12:00:00.000Z' },
      password: 'a-long-enough-password'
    })
    const made = await chargers.add({ id: 'CP-2' })
    expect(made.password).toMatch(/^[A-Za-z0-9_-]{24}$/)
    expect(made.charger).toEqual({ id: 'CP-2', dischargeByNegativeLimit: false, prosumer: null, createdAt: '2025-06-01T12:00:00.000Z' })
    expect(chargers.list().map((c) => c.id)).toEqual(['CP-1', 'CP-2'])
    expect(await verifyPassword(made.password, chargers.passwordHash('CP-2')!)).toBe(true)
    expect(JSON.stringify(chargers.list())).not.toContain('password')

    chargers.remove('CP-1')
    expect(chargers.get('CP-1')).toBeNull()
    expect(chargers.passwordHash('CP-1')).toBeNull()
    expect(() => chargers.remove('CP-1')).toThrow('id: no charger CP-1 is registered')
  })

  it("changes a charger's flag and prosumer, and moves its connectors' meters along unless assigned elsewhere", async () => {
    const db = openDatabase(join(tempDir(), 'dv2g.sqlite'))
    opened.push(db)
    const chargers = new ChargerRegistry(db)
    await chargers.add({ id: 'CP_1', prosumer: 'EV1' })
    const meter = db.prepare('INSERT INTO meters (id, prosumer, first_seen_ms, last_seen_ms) VALUES (?, ?, 0, 0)')
    meter.run('ocpp:CP_1:1', 'EV1')
    meter.run('ocpp:CP_1:2', 'GRID7')
    meter.run('ocpp:CPx1:1', 'EV1')
    expect(chargers.update('CP_1', { dischargeByNegativeLimit: true })).toMatchObject({ dischargeByNegativeLimit: true, prosumer: 'EV1' })
    expect(chargers.update('CP_1', { prosumer: 'EV9' })).toMatchObject({ dischargeByNegativeLimit: true, prosumer: 'EV9' })
    expect(chargers.get('CP_1')).toMatchObject({ dischargeByNegativeLimit: true, prosumer: 'EV9' })
    expect(db.prepare('SELECT id, prosumer FROM meters ORDER BY id').all()).toEqual([
      { id: 'ocpp:CP_1:1', prosumer: 'EV9' },
      { id: 'ocpp:CP_1:2', prosumer: 'GRID7' },
      { id: 'ocpp:CPx1:1', prosumer: 'EV1' }
    ])
    expect(chargers.update('CP_1', { prosumer: null })).toMatchObject({ prosumer: null })
    expect(() => chargers.update('nobody', { prosumer: null })).toThrow('id: no charger nobody is registered')
    expect(() => chargers.update('CP_1', { prosumer: '' })).toThrow(/^prosumer: /)
  })

  it('refuses what OCPP cannot carry, naming the field', async () => {
    const chargers = registry()
    await expect(chargers.add({ id: 'has:colon' })).rejects.toThrow(/^id: a charger id is 1 to 48 of/)
    await expect(chargers.add({ id: 'x'.repeat(49) })).rejects.toThrow(/^id: /)
    await expect(chargers.add({ id: 'CP', password: 'short' })).rejects.toThrow(
      'password: a charger password is 16 to 40 printable ASCII characters, no spaces'
    )
    await expect(chargers.add({ id: 'CP', password: 'has spaces in it, sixteen+' })).rejects.toThrow(/^password: /)
    await expect(chargers.add({ id: 'CP', prosumer: '' })).rejects.toThrow(/^prosumer: /)
    await chargers.add({ id: 'CP' })
    await expect(chargers.add({ id: 'CP' })).rejects.toThrow('id: a charger CP is already registered')
  })

  it('answers unknown chargers Rejected until the operator chooses Pending', () => {
    const chargers = registry()
    expect(chargers.unknownChargers).toBe('Rejected')
    chargers.setUnknownChargers('Pending')
    expect(chargers.unknownChargers).toBe('Pending')
    expect(() => chargers.setUnknownChargers('Accepted' as 'Pending')).toThrow(
      'unknownChargers: "Accepted" is neither Pending nor Rejected'
    )
  })
})
