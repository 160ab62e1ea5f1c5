// Gossipsub writes every RPC (one transaction, one IDONTWANT) to its peer's stream at once: a
// Yamux frame, a Noise seal and a socket write each, and as many reads and opens on the other
// side. At a few thousand transactions a second that framing cost a node more than storing them.
// What one turn of the event loop sends to a peer is written together instead: the RPCs stay
// length-prefixed one after another, so the receiver reads the same RPCs in the same order.
import type { GossipSub } from '@libp2p/gossipsub'

/** past this many bytes waiting, a peer's RPCs go out at once rather than at the end of the turn */
const FLUSH_BYTES = 64 * 1024

/** bytes, or a list of byte chunks (gossipsub passes it-length-prefixed's Uint8ArrayList) */
type Chunk = Uint8Array | { subarray(): Uint8Array }

/** What this module uses of gossipsub's outbound stream (stream.ts in @libp2p/gossipsub). */
export interface PrefixedPush {
  pushPrefixed(data: Chunk): void
}

/** Makes the stream gather what is pushed in one turn and write it with one send. */
export function coalesceWrites(stream: PrefixedPush, onError: (error: unknown) => void): void {
  const write = stream.pushPrefixed.bind(stream)
  let waiting: Uint8Array[] = []
  let waitingBytes = 0
  const flush = () => {
    if (waiting.length === 0) return
    const data = Buffer.concat(waiting, waitingBytes)
    waiting = []
    waitingBytes = 0
    try {
      write(data)
    } catch (error) {
      // the stream closed meanwhile: gossipsub drops what it cannot send to a gone peer, and so do we
      onError(error)
    }
  }
  stream.pushPrefixed = (data) => {
    const bytes = data instanceof Uint8Array ? data : data.subarray()
    if (waiting.length === 0) setImmediate(flush)
    waiting.push(bytes)
    waitingBytes += bytes.length
    if (waitingBytes >= FLUSH_BYTES) flush()
  }
}

/** Every outbound gossip stream of this node, present and future, coalesces its writes. */
export function coalesceGossipWrites(pubsub: GossipSub, log: (line: string) => void): void {
  const streams = (pubsub as unknown as { streamsOutbound: Map<string, PrefixedPush> }).streamsOutbound
  if (!(streams instanceof Map))
    throw new Error('@libp2p/gossipsub no longer keeps its outbound streams in streamsOutbound: see gossipWrites.ts')
  const set = streams.set.bind(streams)
  streams.set = (peer, stream) => {
    coalesceWrites(stream, (error) =>
      log(`dv2g node: gossip to ${peer} not sent: ${error instanceof Error ? error.message : String(error)}`)
    )
    return set(peer, stream)
  }
}
