import { describe, expect, it } from 'vitest'
import { LagWatch } from '../../../../../src-main/core/network/heartbeat'

describe('LagWatch', () => {
  it('says behind only when this node holds less than the peer held a heartbeat earlier', () => {
    const lag = new LagWatch()
    // the first heartbeat only records: the handshake decided the first sync
    expect(lag.behind('peer', 100, 40)).toBe(false)
    // a few gossip hops behind the peer's figure now, but past what it held before: kept up
    expect(lag.behind('peer', 130, 110)).toBe(false)
    // still short of what it held a heartbeat ago: gossip did not bring it
    expect(lag.behind('peer', 130, 120)).toBe(true)
    expect(lag.behind('peer', 130, 130)).toBe(false)
  })

  it('starts over for a peer that disconnected, and keeps peers apart', () => {
    const lag = new LagWatch()
    lag.behind('a', 500, 10)
    lag.behind('b', 5, 10)
    expect(lag.behind('b', 5, 10)).toBe(false)
    lag.forget('a')
    expect(lag.behind('a', 500, 10)).toBe(false)
    expect(lag.behind('a', 500, 10)).toBe(true)
  })
})
