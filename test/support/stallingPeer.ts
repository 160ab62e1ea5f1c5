// A peer that claims to hold far more than anyone and serves none of it: a libp2p node built like
// ours (createNode) that answers the status handshake with the network's id and a huge
// transaction count, and takes /dv2g/sync requests without ever answering them. It stays
// connected and well-behaved otherwise, so nothing it does is a reason to ban it.
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { createNode, type NetworkLibp2p } from '../../src-main/core/network/libp2pConfig'
import { PeerGate } from '../../src-main/core/network/peers/peerGate'
import { serveStatus } from '../../src-main/core/network/reqresp/status'
import { SYNC_PROTOCOL } from '../../src-main/core/network/reqresp/syncBatches'

export const STALLER_CLAIM = 1_000_000_000

export class StallingPeer {
  /** sync requests taken and left unanswered */
  stalled = 0
  private readonly held: Stream[] = []

  private constructor(readonly node: NetworkLibp2p) {}

  static async start(networkId: string): Promise<StallingPeer> {
    const node = await createNode({
      privateKey: await generateKeyPair('Ed25519'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      peers: [],
      mdns: false,
      gate: new PeerGate()
    })
    const staller = new StallingPeer(node)
    const anyone = { admit: () => true, broke: () => {} }
    await serveStatus(
      node,
      () => ({ networkId, transactions: STALLER_CLAIM, milestone: null }),
      () => {},
      anyone
    )
    await node.handle(
      SYNC_PROTOCOL,
      async (stream: Stream) => {
        // the request is read, so the asking side knows it went out; the answer never comes
        await lpStream(stream, { maxDataLength: 64 })
          .read()
          .catch(() => undefined)
        staller.stalled++
        staller.held.push(stream)
      },
      { maxInboundStreams: 64 }
    )
    await node.start()
    return staller
  }

  get peerId(): string {
    return this.node.peerId.toString()
  }

  /** The address another node's --peer takes. */
  get address(): string {
    return this.node.getMultiaddrs()[0]!.toString()
  }

  connectedTo(peerId: string): boolean {
    return this.node.getConnections().some((c) => c.remotePeer.toString() === peerId && c.status === 'open')
  }

  async stop(): Promise<void> {
    for (const stream of this.held.splice(0)) stream.abort(new Error('the staller stops'))
    await this.node.stop()
  }
}
