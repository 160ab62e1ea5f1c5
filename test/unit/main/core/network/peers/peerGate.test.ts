// The ban list: a ban has a reason and an end, keeps the peer out until then, is not shortened by
// a later ban or refusal, and the list stays bounded whatever number of peer ids a rogue makes up.
import { describe, expect, it } from 'vitest'
import { BAN_MS, MAX_KEPT_OUT, PeerGate } from '../../../../../../src-main/core/network/peers/peerGate'

function clock(): { now: () => number; advance: (ms: number) => void } {
  let ms = 1_700_000_000_000
  return { now: () => ms, advance: (by) => (ms += by) }
}

describe('PeerGate', () => {
  it('keeps a banned peer out, with its reason and end, until the ban is over', () => {
    const time = clock()
    const gate = new PeerGate(time.now)
    const start = time.now()
    expect(gate.ban('rogue', 'sent an invalid transaction by gossip (signature does not verify against the issuer key)')).toBe(true)
    expect(gate.isRefused('rogue')).toBe(true)
    expect(gate.isBanned('rogue')).toBe(true)
    expect(gate.isRefused('honest')).toBe(false)
    expect(gate.banned()).toEqual([
      { id: 'rogue', kind: 'banned', reason: expect.stringContaining('invalid transaction'), untilMs: start + BAN_MS }
    ])

    time.advance(BAN_MS - 1)
    expect(gate.isRefused('rogue')).toBe(true)
    time.advance(1)
    expect(gate.isRefused('rogue')).toBe(false)
    expect(gate.banned()).toEqual([])
  })

  it('keeps the first reason and end of a ban: a second offence or a refusal does not move it', () => {
    const time = clock()
    const gate = new PeerGate(time.now)
    gate.ban('rogue', 'sent an oversized frame on /dv2g/tx/1.0.0')
    const until = gate.banned()[0]!.untilMs
    time.advance(60_000)
    expect(gate.ban('rogue', 'flooded /dv2g/tx/1.0.0')).toBe(false)
    gate.refuse('rogue', 'it is on network 00…')
    expect(gate.banned()).toEqual([{ id: 'rogue', kind: 'banned', reason: 'sent an oversized frame on /dv2g/tx/1.0.0', untilMs: until }])
  })

  it('lists refusals (another network) as kept out but not as bans; a refused peer that misbehaves is banned', () => {
    const time = clock()
    const gate = new PeerGate(time.now)
    gate.refuse('stranger', 'it is on network ab…')
    gate.ban('rogue', 'flooded gossip')
    expect(gate.refused().map((p) => [p.id, p.kind])).toEqual([
      ['stranger', 'refused'],
      ['rogue', 'banned']
    ])
    expect(gate.banned().map((p) => p.id)).toEqual(['rogue'])
    expect(gate.ban('stranger', 'sent an invalid transaction by gossip')).toBe(true)
    expect(
      gate
        .banned()
        .map((p) => p.id)
        .sort()
    ).toEqual(['rogue', 'stranger'])
  })

  it('holds at most MAX_KEPT_OUT peers, letting the soonest free go first', () => {
    const time = clock()
    const gate = new PeerGate(time.now)
    gate.ban('first', 'flooded gossip', 1_000)
    gate.ban('long', 'flooded gossip', BAN_MS * 2)
    for (let i = 0; i < MAX_KEPT_OUT; i++) gate.ban(`made-up-${i}`, 'flooded gossip')
    expect(gate.banned()).toHaveLength(MAX_KEPT_OUT)
    expect(gate.isBanned('first')).toBe(false)
    expect(gate.isBanned('long')).toBe(true)
  })
})
