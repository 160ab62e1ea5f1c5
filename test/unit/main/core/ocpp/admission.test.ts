import { describe, expect, it } from 'vitest'
import { RateLimiter } from '../../../../../src-main/core/network/rateLimit'
import { admit, isLoopbackHost, type AdmissionRules, type Handshake } from '../../../../../src-main/core/ocpp/admission'
import { hashPassword } from '../../../../../src-main/core/ocpp/passwords'

const hash = await hashPassword('the-right-password')

function rules(overrides: Partial<AdmissionRules> = {}): AdmissionRules {
  return {
    passwordHash: (id) => (id === 'CP1' ? hash : null),
    chargerLimiter: new RateLimiter({ perSecond: 1, burst: 5, floodAfter: 5 }),
    addressLimiter: new RateLimiter({ perSecond: 1, burst: 5, floodAfter: 5 }),
    unknownConnections: () => 0,
    maxUnknownConnections: 2,
    ...overrides
  }
}

function handshake(overrides: Partial<Handshake> = {}): Handshake {
  return { endpoint: '/ocpp', identity: 'CP1', protocols: new Set(['ocpp1.6']), password: Buffer.from('the-right-password'), remoteAddress: '127.0.0.1', ...overrides }
}

describe('admission', () => {
  it('knows loopback from the rest', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true)
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.org', '128.0.0.1']) expect(isLoopbackHost(host), host).toBe(false)
  })

  it('lets a registered charger in with its password only', async () => {
    expect(await admit(handshake(), rules())).toEqual({ admitted: true, chargerId: 'CP1', registered: true })
    expect(await admit(handshake({ password: Buffer.from('the-wrong-password') }), rules())).toEqual({ admitted: false, code: 401, message: 'wrong or missing password' })
    expect(await admit(handshake({ password: undefined }), rules())).toMatchObject({ admitted: false, code: 401 })
  })

  it('lets an unknown charger in unregistered, up to a bound', async () => {
    expect(await admit(handshake({ identity: 'NEW', password: undefined }), rules())).toEqual({ admitted: true, chargerId: 'NEW', registered: false })
    expect(await admit(handshake({ identity: 'NEW' }), rules({ unknownConnections: () => 2 }))).toEqual({ admitted: false, code: 503, message: 'too many unregistered chargers connected' })
  })

  it('refuses the wrong path, a bad id and a protocol it does not speak', async () => {
    expect(await admit(handshake({ endpoint: '/' }), rules())).toMatchObject({ admitted: false, code: 404 })
    expect(await admit(handshake({ identity: 'a:b' }), rules())).toMatchObject({ admitted: false, code: 400 })
    expect(await admit(handshake({ protocols: new Set(['ocpp1.5']) }), rules())).toEqual({ admitted: false, code: 400, message: 'no subprotocol in common: this central system speaks ocpp2.1, ocpp2.0.1, ocpp1.6' })
  })

  it('spends a token per handshake before any password is hashed: per charger, and per address beyond loopback', async () => {
    const shared = rules()
    for (let i = 0; i < 5; i++) expect(await admit(handshake({ password: Buffer.from('guess') }), shared)).toMatchObject({ code: 401 })
    expect(await admit(handshake(), shared)).toEqual({ admitted: false, code: 429, message: 'too many connection attempts for this charger' })

    const remote = rules()
    for (let i = 0; i < 5; i++) await admit(handshake({ identity: `ID${i}`, remoteAddress: '203.0.113.7' }), remote)
    expect(await admit(handshake({ identity: 'ID9', remoteAddress: '203.0.113.7' }), remote)).toEqual({ admitted: false, code: 429, message: 'too many connection attempts from this address' })
    expect(await admit(handshake({ identity: 'ID9', remoteAddress: '198.51.100.1' }), remote)).toMatchObject({ admitted: true })
  })
})
