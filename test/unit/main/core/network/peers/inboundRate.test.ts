import type { MultiaddrConnection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { INBOUND_CONNECTIONS_PER_SECOND_PER_IP, InboundRate } from '../../../../../../src-main/core/network/peers/inboundRate'

const from = (address: string) => ({ remoteAddr: multiaddr(address) }) as unknown as MultiaddrConnection

describe('inbound connection rate per IP', () => {
  it('refuses a remote host dialling faster than the rate, and waives the rate for loopback only', () => {
    const rate = new InboundRate()
    const dials = (address: string) => Array.from({ length: 20 }, () => rate.refuses(from(address))).filter((refused) => !refused).length
    expect(dials('/ip4/192.0.2.7/tcp/4000')).toBe(INBOUND_CONNECTIONS_PER_SECOND_PER_IP)
    expect(dials('/ip4/192.0.2.8/tcp/4000')).toBe(INBOUND_CONNECTIONS_PER_SECOND_PER_IP)
    expect(dials('/ip4/127.0.0.1/tcp/4000')).toBe(20)
    expect(dials('/ip4/127.1.2.3/tcp/4000')).toBe(20)
    expect(dials('/ip6/::1/tcp/4000')).toBe(20)
  })
})
