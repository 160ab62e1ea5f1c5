// The libp2p node of a data dir: TCP, Noise on every connection, Yamux streams, identify,
// gossipsub for transactions, the --peer addresses as bootstrap peers, mDNS on request.
import './polyfill'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { gossipsub, StrictNoSign, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { mdns } from '@libp2p/mdns'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p'
import { toHex } from '../ledger/hash'
import { MAX_TX_BYTES } from '../ledger/transaction'
import { expireDeliveryRecordsAfter } from './gossip/gossipRecords'
import { coalesceGossipWrites } from './gossip/gossipWrites'
import { InboundRate } from './peers/inboundRate'
import { gossipMessageId } from './gossip/messageId'
import type { PeerGate } from './peers/peerGate'

export interface NodeOptions {
  privateKey: PrivateKey
  listen: string[]
  /** bootstrap peers: multiaddrs with their /p2p/ peer id */
  peers: string[]
  mdns: boolean
  gate: PeerGate
  /** where a gossip write to a peer that went away is noted */
  log?: (line: string) => void
}

export type NetworkLibp2p = Libp2p<{ pubsub: GossipSub; identify: unknown }>

/** Loopback (and one LAN host running several nodes) shows many peers behind one address. */
export const COLOCATED_IPS = ['127.0.0.1', '::1']

/** a gossip frame carries one transaction plus protobuf framing */
const MAX_GOSSIP_RPC_BYTES = MAX_TX_BYTES * 16

/**
 * How long gossipsub knows a message id as seen, and keeps its delivery record (gossipRecords.ts).
 * Both are held per message, so their memory is this times the rate. A copy comes within a few
 * seconds (gossip advertises the last 3, a forward waits for its store); one later than this is
 * found in the ledger before its signature is checked (gossip.ts), and ignored.
 */
export const SEEN_TTL_MS = 10_000

/** connections at once, inbound and outbound, loopback included; beyond it new inbound ones are refused and the least useful pruned */
export const MAX_CONNECTIONS = 100
/** inbound connections still in their handshakes at once, loopback included */
export const MAX_PENDING_INBOUND = 10

export async function createNode(options: NodeOptions): Promise<NetworkLibp2p> {
  const inboundRate = new InboundRate()
  const discovery: NonNullable<Libp2pOptions['peerDiscovery']> = []
  if (options.peers.length) discovery.push(bootstrap({ list: options.peers }))
  // mDNS answers anyone on the LAN: off unless the operator asks (a microgrid on one segment)
  if (options.mdns) discovery.push(mdns())
  const node = (await createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen: options.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: discovery,
    connectionGater: {
      denyInboundConnection: (connection) => inboundRate.refuses(connection),
      // peers of another network, refused at the status handshake, stay out for a while
      denyDialPeer: (peerId) => options.gate.isRefused(peerId.toString()),
      denyInboundEncryptedConnection: (peerId) => options.gate.isRefused(peerId.toString()),
      denyOutboundEncryptedConnection: (peerId) => options.gate.isRefused(peerId.toString())
    },
    connectionManager: {
      // no allow list: it would exempt its addresses from every cap and from pruning. The per-IP
      // inbound rate, which several nodes on one machine exceed, is applied by the gater instead
      // (inboundRate.ts), with loopback exempt; libp2p's own is set out of reach
      inboundConnectionThreshold: Number.MAX_SAFE_INTEGER,
      maxConnections: MAX_CONNECTIONS,
      maxIncomingPendingConnections: MAX_PENDING_INBOUND
    },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        // transactions carry their own Ed25519 signatures: signing the gossip message again costs a
        // second verify per message and makes the same transaction from two peers two messages
        globalSignaturePolicy: StrictNoSign,
        msgIdFn: (message) => gossipMessageId(message.data),
        msgIdToStrFn: (id) => toHex(id),
        // a held transaction (parents missing) is forwarded once it is solid, or never
        asyncValidation: true,
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        maxInboundDataLength: MAX_GOSSIP_RPC_BYTES,
        // the default is two minutes: 40 MB of seen ids at 1,500 tx/s
        seenTTL: SEEN_TTL_MS,
        scoreParams: {
          // the default IP co-location penalty drives the score of more than 10 peers on one
          // address to -125 and they stop receiving anything: all nodes on a machine share 127.0.0.1
          IPColocationFactorWhitelist: new Set(COLOCATED_IPS)
        }
      })
    }
  })) as NetworkLibp2p
  coalesceGossipWrites(node.services.pubsub, options.log ?? (() => {}))
  expireDeliveryRecordsAfter(node.services.pubsub, SEEN_TTL_MS)
  return node
}
