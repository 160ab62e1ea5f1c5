// Gossipsub's delivery records live as long as its seen cache, not its built-in two minutes.
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { GossipSub } from '@libp2p/gossipsub'
import { describe, expect, it } from 'vitest'
import { expireDeliveryRecordsAfter } from '../../../src-main/core/network/gossip/gossipRecords'
import { createNode, SEEN_TTL_MS } from '../../../src-main/core/network/libp2pConfig'
import { PeerGate } from '../../../src-main/core/network/peers/peerGate'

interface Deliveries {
  ensureRecord(msgIdStr: string): unknown
  queue: { length: number; peekBack(): { msgId: string; expire: number } }
}

describe('gossip delivery records', () => {
  it('expire when the seen cache forgets the message, once per message', async () => {
    const node = await createNode({
      privateKey: await generateKeyPair('Ed25519'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      peers: [],
      mdns: false,
      gate: new PeerGate()
    })
    const deliveries = (node.services.pubsub as unknown as { score: { deliveryRecords: Deliveries } }).score.deliveryRecords
    const before = Date.now()
    const record = deliveries.ensureRecord('a transaction id')
    expect(deliveries.ensureRecord('a transaction id')).toBe(record)
    expect(deliveries.queue.length).toBe(1)
    const { msgId, expire } = deliveries.queue.peekBack()
    expect(msgId).toBe('a transaction id')
    expect(expire).toBeGreaterThanOrEqual(before + SEEN_TTL_MS)
    expect(expire).toBeLessThanOrEqual(Date.now() + SEEN_TTL_MS)
  })

  it('say so when gossipsub keeps its records elsewhere', () => {
    expect(() => expireDeliveryRecordsAfter({} as GossipSub, SEEN_TTL_MS)).toThrow(
      /no longer keeps its delivery records in score\.deliveryRecords/
    )
  })
})
