// The requester against peers given as plain functions: which peer is asked for what, and when an id is given up.
import { describe, expect, it } from 'vitest'
import { toHex, txId } from '../../../../../../src-main/core/ledger/hash'
import { MAX_IDS_PER_REQUEST, MAX_STREAMS_PER_PEER } from '../../../../../../src-main/core/network/reqresp/txExchange'
import { TX_ASKING_LIMIT, PEER_LIMITS, txRequestCost } from '../../../../../../src-main/core/network/peers/conduct'
import { RateLimiter } from '../../../../../../src-main/core/limits/rateLimit'
import { Requester } from '../../../../../../src-main/core/network/reqresp/requester'
import { until } from '../../../../../support/until'

/** A fake transaction: any bytes; its id is their hash, as on the wire. */
const transaction = (n: number) => new TextEncoder().encode(`transaction ${n}`)
const idOf = (bytes: Uint8Array) => toHex(txId(bytes))

function network(holdings: Record<string, Uint8Array[]>, options: { hold?: boolean } = {}) {
  const byId = new Map(Object.entries(holdings).map(([peer, list]) => [peer, new Map(list.map((bytes) => [idOf(bytes), bytes]))]))
  const asked: { peer: string; ids: string[]; atMs: number }[] = []
  const delivered: string[] = []
  const waiting: (() => void)[] = []
  const requester = new Requester({
    peers: () => Object.keys(holdings),
    request: async (peer, ids) => {
      asked.push({ peer, ids: ids.map(toHex), atMs: Date.now() })
      if (options.hold) await new Promise<void>((resolve) => waiting.push(resolve))
      return ids.map((id) => byId.get(peer)!.get(toHex(id)))
    },
    delivered: (transactions) => delivered.push(...transactions.map(idOf))
  })
  return { requester, asked, delivered, release: () => waiting.splice(0).forEach((go) => go()) }
}

describe('Requester', () => {
  it('asks the peer that named the id first, then another peer, and drops an id no peer holds', async () => {
    const held = transaction(1)
    const { requester, asked, delivered } = network({ sender: [], other: [held] })
    requester.want([idOf(held), idOf(transaction(2))], 'sender')
    await until(() => requester.size === 0, 5_000, 'every id fetched or dropped')
    expect(asked[0]).toMatchObject({ peer: 'sender', ids: [idOf(held), idOf(transaction(2))] })
    expect(delivered).toEqual([idOf(held)])
    expect(requester.dropped).toBe(1)
  })

  it('batches ids into requests of at most 256 and keeps at most 4 requests in flight per peer', async () => {
    const many = Array.from({ length: MAX_IDS_PER_REQUEST * (MAX_STREAMS_PER_PEER + 1) }, (_, i) => transaction(i))
    const { requester, asked, delivered, release } = network({ only: many }, { hold: true })
    requester.want(many.map(idOf))
    await until(() => asked.length === MAX_STREAMS_PER_PEER, 5_000, 'the first requests')
    expect(asked.every((request) => request.ids.length === MAX_IDS_PER_REQUEST)).toBe(true)
    release()
    await until(() => asked.length === MAX_STREAMS_PER_PEER + 1, 5_000, 'the fifth request once one finished')
    release()
    await until(() => requester.size === 0, 5_000, 'every id fetched')
    expect(new Set(delivered).size).toBe(many.length)
  })

  it('ignores an answer that is not the transaction asked for', async () => {
    const delivered: string[] = []
    // this peer answers every id with the same other transaction
    const requester = new Requester({
      peers: () => ['liar'],
      request: async (_peer, ids) => ids.map(() => transaction(99)),
      delivered: (t) => delivered.push(...t.map(idOf))
    })
    requester.want([idOf(transaction(1))])
    await until(() => requester.size === 0, 5_000, 'the id to be dropped')
    expect(delivered).toEqual([])
    expect(requester.dropped).toBe(1)
  })

  it('asks a peer no faster than the peer tolerates, waiting for its pace rather than being refused', async () => {
    const many = Array.from({ length: MAX_IDS_PER_REQUEST * 20 }, (_, i) => transaction(i))
    const { requester, asked, delivered } = network({ only: many })
    requester.want(many.map(idOf))
    await until(() => requester.size === 0, 20_000, 'every id fetched')
    expect(new Set(delivered).size).toBe(many.length)
    // replayed against the peer's own limit at the moments they were asked: none is refused
    let replayMs = 0
    const peerSide = new RateLimiter(PEER_LIMITS.tx, 10, () => replayMs)
    for (const { ids, atMs } of asked) {
      replayMs = atMs
      expect(peerSide.take('only', txRequestCost(ids.length)), `${ids.length} ids asked at ${atMs - asked[0]!.atMs} ms`).toBe('allowed')
    }
  })

  it('asks another peer while one peer’s pace holds the rest back', async () => {
    const many = Array.from({ length: MAX_IDS_PER_REQUEST * 20 }, (_, i) => transaction(i))
    const { requester, asked } = network({ hinted: many, other: many })
    requester.want(many.map(idOf), 'hinted')
    await until(() => requester.size === 0, 20_000, 'every id fetched')
    const askedOf = (peer: string) => asked.filter((a) => a.peer === peer).reduce((n, a) => n + a.ids.length, 0)
    expect(askedOf('hinted')).toBeGreaterThanOrEqual(TX_ASKING_LIMIT.burst)
    expect(askedOf('other')).toBeGreaterThan(0)
    expect(askedOf('hinted') + askedOf('other')).toBe(many.length)
  })
})
