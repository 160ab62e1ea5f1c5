// A gossip message's id is its transaction's id. Gossipsub hashes the message for it and, a moment
// later, hands the same bytes to the topic validator, which needs the id again: the last hash is
// kept for it. It is found by the very same Uint8Array, so other bytes never get this id.
import { txId } from '../../ledger/hash'

let lastBytes: Uint8Array | undefined
let lastId: Uint8Array | undefined

export function gossipMessageId(bytes: Uint8Array): Uint8Array {
  if (bytes !== lastBytes || !lastId) {
    lastId = txId(bytes)
    lastBytes = bytes
  }
  return lastId
}
