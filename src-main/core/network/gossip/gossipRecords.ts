// Gossipsub keeps a delivery record (who delivered a message, and whether it was valid) for every
// message for two minutes, a constant of @libp2p/gossipsub. At a couple of thousand transactions a
// second that is a quarter of a million records, tens of megabytes of each node's heap that the
// garbage collector walks again and again. Once the seen cache has forgotten a message, a copy of
// it is no longer recognised as a duplicate anyway: its record is kept as long, and no longer.
import type { GossipSub } from '@libp2p/gossipsub'

/** What this module uses of gossipsub's delivery records (score/message-deliveries.ts). */
interface DeliveryRecords {
  records: Map<string, unknown>
  /** sorted by expiry, oldest first: gc() drops from the front while expired */
  queue: { peekBack(): { expire: number } | undefined }
  ensureRecord(msgIdStr: string): unknown
}

/** Makes every delivery record of this node expire `ttlMs` after the message was first seen. */
export function expireDeliveryRecordsAfter(pubsub: GossipSub, ttlMs: number): void {
  const deliveries = (pubsub as unknown as { score?: { deliveryRecords?: DeliveryRecords } }).score?.deliveryRecords
  if (
    !(deliveries?.records instanceof Map) ||
    typeof deliveries.ensureRecord !== 'function' ||
    typeof deliveries.queue?.peekBack !== 'function'
  ) {
    throw new Error('@libp2p/gossipsub no longer keeps its delivery records in score.deliveryRecords: see gossipRecords.ts')
  }
  const ensureRecord = deliveries.ensureRecord.bind(deliveries)
  deliveries.ensureRecord = (msgIdStr) => {
    const known = deliveries.records.has(msgIdStr)
    const record = ensureRecord(msgIdStr)
    // every record gets the same shorter life, so the queue stays sorted by expiry
    if (!known) deliveries.queue.peekBack()!.expire = Date.now() + ttlMs
    return record
  }
}
