// One local process opening as many connections to a node as it can: a libp2p node with our
// transports and no cap of its own, dialling the same address again and again (`force`: a new
// connection each time, not the one it has).
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import '../../src-main/core/network/polyfill'

export class ConnectionFlood {
  private constructor(private readonly node: Libp2p) {}

  static async start(): Promise<ConnectionFlood> {
    const node = await createLibp2p({
      privateKey: await generateKeyPair('Ed25519'),
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { maxConnections: 10_000 }
    })
    await node.start()
    return new ConnectionFlood(node)
  }

  /** Dials `address` `times` times, one after the other; returns how many dials the node accepted. */
  async open(address: string, times: number): Promise<number> {
    let accepted = 0
    for (let i = 0; i < times; i++) {
      try {
        await this.node.dial(multiaddr(address), { force: true, signal: AbortSignal.timeout(10_000) })
        accepted++
      } catch {
        // refused or reset: a flood dials on
      }
    }
    return accepted
  }

  /** Connections to this peer open now. */
  openTo(peerId: string): number {
    return this.node.getConnections().filter((c) => c.remotePeer.toString() === peerId && c.status === 'open').length
  }

  async stop(): Promise<void> {
    await this.node.stop()
  }
}
