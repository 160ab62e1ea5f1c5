import { describe, expect, it } from 'vitest'
import { LagWatch } from '../../../../../../src-main/core/network/sync/heartbeat'

const holding = (transactions: number, milestone: number | null = null) => ({ transactions, milestone })

describe('LagWatch', () => {
  it('says behind only when this node holds less than the peer held a heartbeat earlier', () => {
    const lag = new LagWatch()
    // the first heartbeat only records: the handshake decided the first sync
    expect(lag.behind('peer', holding(100), holding(40))).toBe(false)
    // a few gossip hops behind the peer's figure now, but past what it held before: kept up
    expect(lag.behind('peer', holding(130), holding(110))).toBe(false)
    // still short of what it held a heartbeat ago: gossip did not bring it
    expect(lag.behind('peer', holding(130), holding(120))).toBe(true)
    expect(lag.behind('peer', holding(130), holding(130))).toBe(false)
  })

  it('says behind when as many transactions are held but the peer had a later milestone a heartbeat ago', () => {
    const lag = new LagWatch()
    // each lacks one of the other's: the counts agree, the milestone does not
    lag.behind('operator', holding(50, 7), holding(50, 6))
    expect(lag.behind('operator', holding(50, 7), holding(50, 6))).toBe(true)
    expect(lag.behind('operator', holding(51, 7), holding(51, 7))).toBe(false)
    // before any milestone, none is behind by milestones
    const fresh = new LagWatch()
    fresh.behind('peer', holding(3), holding(3))
    expect(fresh.behind('peer', holding(3), holding(3))).toBe(false)
  })

  it('starts over for a peer that disconnected, and keeps peers apart', () => {
    const lag = new LagWatch()
    lag.behind('a', holding(500), holding(10))
    lag.behind('b', holding(5), holding(10))
    expect(lag.behind('b', holding(5), holding(10))).toBe(false)
    lag.forget('a')
    expect(lag.behind('a', holding(500), holding(10))).toBe(false)
    expect(lag.behind('a', holding(500), holding(10))).toBe(true)
  })
})
