// A rogue peer in this process: a libp2p node built like ours (createNode, the same transports and
// gossip settings) that speaks our protocols badly: gossip with forged signatures, frames past the
// size limits, a flood of requests. Each misbehaviour is a function that runs until the node cut
// the rogue off (or a bound), so a test can say what it did and check what the node made of it.
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, PeerId } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { solveProofOfWork } from '../../src-main/core/ledger/proofOfWork'
import { topicOf } from '../../src-main/core/network/gossip/gossip'
import { createNode, type NetworkLibp2p } from '../../src-main/core/network/libp2pConfig'
import { PeerGate } from '../../src-main/core/network/peers/peerGate'
import { SYNC_PROTOCOL } from '../../src-main/core/network/reqresp/syncBatches'
import { MAX_IDS_PER_REQUEST, MAX_STREAMS_PER_PEER, TX_PROTOCOL } from '../../src-main/core/network/reqresp/txExchange'
import { until } from './until'

const SIGNATURE_BYTES = 64
const NONCE_BYTES = 8

/**
 * A copy of a real transaction with one byte of its signature flipped and its proof of work
 * solved again: it decodes, meets the work and the clock, and fails only the signature check.
 */
export function forgeSignature(bytes: Uint8Array, powBits: number, flip = 0): Uint8Array {
  const forged = new Uint8Array(bytes)
  const signatureAt = forged.length - NONCE_BYTES - SIGNATURE_BYTES
  forged[signatureAt + (flip % SIGNATURE_BYTES)]! ^= 0xff
  const { nonce } = solveProofOfWork(forged.subarray(0, forged.length - NONCE_BYTES), powBits)
  new DataView(forged.buffer, forged.length - NONCE_BYTES).setBigUint64(0, nonce, true)
  return forged
}

/** libp2p aborts a dial or a read past its deadline with an abort, whatever the other side did. */
const isTimeout = (error: unknown) =>
  error instanceof Error &&
  (/timeout|timed out|aborted/i.test(error.message) || error.name === 'AbortError' || error.name === 'TimeoutError')

export class RoguePeer {
  private constructor(readonly node: NetworkLibp2p) {}

  static async start(): Promise<RoguePeer> {
    const node = await createNode({
      privateKey: await generateKeyPair('Ed25519'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      peers: [],
      mdns: false,
      gate: new PeerGate()
    })
    await node.start()
    return new RoguePeer(node)
  }

  get peerId(): string {
    return this.node.peerId.toString()
  }

  /** Whether the rogue holds an open connection to this peer. */
  connectedTo(peerId: string): boolean {
    return this.node.getConnections().some((c) => c.remotePeer.toString() === peerId && c.status === 'open')
  }

  /** The peer's id as libp2p takes it: from the connection to it (the rogue dials by address first). */
  private peer(peerId: string): PeerId {
    const connection = this.node.getConnections().find((c) => c.remotePeer.toString() === peerId)
    if (!connection) throw new Error(`the rogue is not connected to ${peerId}`)
    return connection.remotePeer
  }

  /** Dials the peer; a dial that timed out (a node busy storing can be slow to finish the handshake) is tried again, as a rogue would. */
  async connect(address: string, attempts = 3): Promise<Connection> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dialOnce(address)
      } catch (error) {
        if (attempt >= attempts || !isTimeout(error)) throw error
      }
    }
  }

  private dialOnce(address: string): Promise<Connection> {
    return this.node.dial(multiaddr(address), { signal: AbortSignal.timeout(15_000) })
  }

  /**
   * Dials again and says whether the peer let the rogue back in: refused if the dial fails, or if
   * the connection it got is closed before a request on it is answered. A timeout says neither,
   * and fails.
   */
  async reconnect(address: string, peerId: string): Promise<'refused' | 'admitted'> {
    let connection: Connection
    try {
      connection = await this.dialOnce(address)
    } catch (error) {
      if (isTimeout(error)) throw error
      return 'refused'
    }
    try {
      // a gated connection is closed by the other side right after the encryption handshake
      const stream = await connection.newStream(TX_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
      const lp = lpStream(stream, { maxDataLength: 1 << 20 })
      await lp.write(randomBytes(32), { signal: AbortSignal.timeout(10_000) })
      await lp.read({ signal: AbortSignal.timeout(10_000) })
      await stream.close()
      return this.connectedTo(peerId) ? 'admitted' : 'refused'
    } catch (error) {
      if (isTimeout(error)) throw error
      return 'refused'
    }
  }

  /** Waits until the peer's subscription to the network's topic has reached the rogue: gossip can go to it then. */
  async seesSubscribed(networkId: string, peerId: string): Promise<void> {
    const topic = topicOf(networkId)
    await until(
      () => this.node.services.pubsub.getSubscribers(topic).some((p) => p.toString() === peerId),
      30_000,
      'the rogue to see the node subscribed'
    )
    // the subscription arrives on the node's stream; what the rogue publishes needs its own, which
    // may open later on a busy machine (gossipsub drops a message for a peer without one)
    const outbound = (this.node.services.pubsub as unknown as { streamsOutbound: Map<string, unknown> }).streamsOutbound
    await until(() => outbound.has(peerId), 30_000, 'the rogue to open its gossip stream to the node')
  }

  /**
   * Publishes transactions with forged signatures on the network's topic, to the peer (the rogue
   * is not subscribed itself: it sends and takes nothing in).
   */
  async gossipForgedSignatures(networkId: string, peerId: string, genuine: Uint8Array, powBits: number, count = 3): Promise<void> {
    const topic = topicOf(networkId)
    const { pubsub } = this.node.services
    await this.seesSubscribed(networkId, peerId)
    for (let i = 0; i < count && this.connectedTo(peerId); i++) {
      await pubsub.publish(topic, forgeSignature(genuine, powBits, i)).catch(() => undefined)
    }
  }

  /** Sends one frame of `bytes` bytes on a protocol, past whatever the peer allows there. */
  async sendOversizedFrame(peerId: string, protocol: typeof TX_PROTOCOL | typeof SYNC_PROTOCOL, bytes: number): Promise<void> {
    const signal = AbortSignal.timeout(10_000)
    try {
      const stream = await this.node.dialProtocol(this.peer(peerId), protocol, { signal })
      const lp = lpStream(stream, { maxDataLength: bytes + 16 })
      await lp.write(new Uint8Array(bytes).fill(0xab), { signal })
      await lp.read({ signal })
    } catch {
      // the peer resets the stream (and the connection): that is the point
    }
  }

  /**
   * Asks for MAX_IDS_PER_REQUEST unknown ids at a time on /dv2g/tx, as many streams at once as the
   * peer allows, as fast as answers (or refusals) come, until the peer cuts the rogue off or
   * `maxRequests` have gone out. Returns the requests sent.
   */
  async floodTransactionRequests(peerId: string, maxRequests = 20_000): Promise<number> {
    const peer = this.peer(peerId)
    // made once: the rogue's own CPU (on this machine, the honest nodes' too) goes into asking
    const request = randomBytes(MAX_IDS_PER_REQUEST * 32)
    let sent = 0
    const worker = async () => {
      while (sent < maxRequests && this.connectedTo(peerId)) {
        sent++
        try {
          const signal = AbortSignal.timeout(5_000)
          const stream = await this.node.dialProtocol(peer, TX_PROTOCOL, { signal })
          const lp = lpStream(stream, { maxDataLength: 1 << 16 })
          await lp.write(request, { signal })
          // the answer is not read: a flood asks, it does not listen
          await stream.close({ signal })
        } catch (error) {
          // cut off: the connection stays listed a moment after its muxer closed
          if (error instanceof Error && error.name === 'ConnectionClosedError') return
          // refused or reset: ask again at once, which is what makes it a flood
        }
      }
    }
    await Promise.all(Array.from({ length: MAX_STREAMS_PER_PEER }, worker))
    return sent
  }

  async stop(): Promise<void> {
    await this.node.stop()
  }
}
