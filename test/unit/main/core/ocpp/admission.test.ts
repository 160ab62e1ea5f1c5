import { describe, expect, it } from 'vitest'
import { RateLimiter } from '../../../../../src-main/core/limits/rateLimit'
import { admit, isLoopbackHost, type AdmissionRules, type Handshake } from '../../../../../src-main/core/ocpp/admission'
import { KnownPasswords } from '../../../../../src-main/core/ocpp/knownPasswords'
import { hashPassword } from '../../../../../src-main/core/ocpp/passwords'

const hash = await hashPassword('the-right-password')

function rules(overrides: Partial<AdmissionRules> = {}): AdmissionRules {
  return {
    passwordHash: (id) => (id.startsWith('CP') ? hash : null),
    chargerLimiter: new RateLimiter({ perSecond: 1, burst: 5, floodAfter: 5 }),
    addressLimiter: new RateLimiter({ perSecond: 1, burst: 5, floodAfter: 5 }),
    // no refill within a test: a clock that stands still
    passwordChecksPerCharger: new RateLimiter({ perSecond: 1, burst: 3, floodAfter: 0 }, 100, () => 0),
    passwordChecksPerAddress: new RateLimiter({ perSecond: 1, burst: 4, floodAfter: 0 }, 100, () => 0),
    knownPasswords: new KnownPasswords(),
    unknownConnections: () => 0,
    maxUnknownConnections: 2,
    ...overrides
  }
}

function handshake(overrides: Partial<Handshake> = {}): Handshake {
  return {
    endpoint: '/ocpp',
    identity: 'CP1',
    protocols: new Set(['ocpp1.6']),
    password: Buffer.from('the-right-password'),
    remoteAddress: '127.0.0.1',
    ...overrides
  }
}

describe('admission', () => {
  it('knows loopback from the rest', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(true)
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.org', '128.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(false)
  })

  it('lets a registered charger in with its password only', async () => {
    expect(await admit(handshake(), rules())).toEqual({ admitted: true, chargerId: 'CP1', registered: true })
    expect(await admit(handshake({ password: Buffer.from('the-wrong-password') }), rules())).toEqual({
      admitted: false,
      code: 401,
      message: 'wrong or missing password'
    })
    expect(await admit(handshake({ password: undefined }), rules())).toMatchObject({ admitted: false, code: 401 })
  })

  it('lets an unknown charger in unregistered, up to a bound', async () => {
    expect(await admit(handshake({ identity: 'NEW', password: undefined }), rules())).toEqual({
      admitted: true,
      chargerId: 'NEW',
      registered: false
    })
    expect(await admit(handshake({ identity: 'NEW' }), rules({ unknownConnections: () => 2 }))).toEqual({
      admitted: false,
      code: 503,
      message: 'too many unregistered chargers connected'
    })
  })

  it('refuses the wrong path, a bad id and a protocol it does not speak', async () => {
    expect(await admit(handshake({ endpoint: '/' }), rules())).toMatchObject({ admitted: false, code: 404 })
    expect(await admit(handshake({ identity: 'a:b' }), rules())).toMatchObject({ admitted: false, code: 400 })
    expect(await admit(handshake({ protocols: new Set(['ocpp1.5']) }), rules())).toEqual({
      admitted: false,
      code: 400,
      message: 'no subprotocol in common: this central system speaks ocpp2.1, ocpp2.0.1, ocpp1.6'
    })
  })

  it('checks passwords the slow way only while its id has checks to spend; a right one, once checked, is let in even when they are spent', async () => {
    const shared = rules()
    // its first check costs the right password a check too: 2 of the 3 are left for guesses
    expect(await admit(handshake(), shared)).toMatchObject({ admitted: true })
    for (let i = 0; i < 2; i++) expect(await admit(handshake({ password: Buffer.from(`guess-${i}`) }), shared)).toMatchObject({ code: 401 })
    expect(await admit(handshake({ password: Buffer.from('guess-2') }), shared)).toEqual({
      admitted: false,
      code: 429,
      message: 'too many wrong passwords for this charger: try again later'
    })
    expect(await admit(handshake(), shared)).toEqual({ admitted: true, chargerId: 'CP1', registered: true })
    // another charger's checks are its own
    expect(await admit(handshake({ identity: 'CP2', password: Buffer.from('guess') }), shared)).toMatchObject({ code: 401 })
  })

  it("never spends the charger's own bucket on a guess; a charger that gets in spends one", async () => {
    const shared = rules({ chargerLimiter: new RateLimiter({ perSecond: 1, burst: 3, floodAfter: 5 }, 100, () => 0) })
    expect(await admit(handshake(), shared)).toMatchObject({ admitted: true })
    for (let i = 0; i < 10; i++) await admit(handshake({ password: Buffer.from(`guess-${i}`) }), shared)
    expect(await admit(handshake(), shared)).toMatchObject({ admitted: true })
    expect(await admit(handshake(), shared)).toMatchObject({ admitted: true })
    expect(await admit(handshake(), shared)).toEqual({
      admitted: false,
      code: 429,
      message: 'too many connection attempts for this charger'
    })
  })

  it('checks a password again once the stored one has changed', async () => {
    let stored = hash
    const shared = rules({ passwordHash: () => stored })
    expect(await admit(handshake(), shared)).toMatchObject({ admitted: true })
    stored = await hashPassword('a-new-password')
    expect(await admit(handshake(), shared)).toMatchObject({ admitted: false, code: 401 })
    expect(await admit(handshake({ password: Buffer.from('a-new-password') }), shared)).toMatchObject({ admitted: true })
  })

  it('spends a token per handshake per address beyond loopback, and a password check per address across ids', async () => {
    const remote = rules()
    for (let i = 0; i < 5; i++) await admit(handshake({ identity: `ID${i}`, remoteAddress: '203.0.113.7' }), remote)
    expect(await admit(handshake({ identity: 'ID9', remoteAddress: '203.0.113.7' }), remote)).toEqual({
      admitted: false,
      code: 429,
      message: 'too many connection attempts from this address'
    })
    expect(await admit(handshake({ identity: 'ID9', remoteAddress: '198.51.100.1' }), remote)).toMatchObject({ admitted: true })

    const guesser = rules()
    for (let i = 0; i < 4; i++)
      expect(
        await admit(handshake({ identity: `CP${i}`, password: Buffer.from('guess'), remoteAddress: '192.0.2.5' }), guesser)
      ).toMatchObject({ code: 401 })
    expect(await admit(handshake({ identity: 'CP4', password: Buffer.from('guess'), remoteAddress: '192.0.2.5' }), guesser)).toEqual({
      admitted: false,
      code: 429,
      message: 'too many wrong passwords from this address: try again later'
    })
    expect(await admit(handshake({ identity: 'CP4', password: Buffer.from('guess'), remoteAddress: '192.0.2.6' }), guesser)).toMatchObject({
      code: 401
    })
    // on loopback the address is every local charger's: only the ids count
    for (let i = 5; i < 10; i++)
      expect(await admit(handshake({ identity: `CP${i}`, password: Buffer.from('guess') }), guesser)).toMatchObject({ code: 401 })
  })
})
