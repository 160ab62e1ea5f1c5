// A data dir's node on the network: the libp2p node with its protocols, the status handshake
// that keeps each network to itself, gossip of transactions, and the fetching of missing parents.
import './polyfill'
import type { PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Db } from '../db/connection'
import { toHex, txId } from '../ledger/hash'
import type { Ledger } from '../ledger/ledger'
import { IssuerAdmission, type RegisteredIssuer } from './peers/admission'
import { OversizedAnswerError, PeerConduct } from './peers/conduct'
import { TransactionGossip, type StrangerIntake } from './gossip/gossip'
import { peerIdOf } from './address'
import { fromHex } from './hex'
import { HEARTBEAT_MS, LagWatch } from './sync/heartbeat'
import { loadOrCreatePeerKey } from './identity'
import { createNode, type NetworkLibp2p } from './libp2pConfig'
import { NetworkStore } from './networkStore'
import { BAN_MS, PeerGate } from './peers/peerGate'
import { Requester } from './reqresp/requester'
import { exchangeStatus, serveStatus, STATUS_PROTOCOL, type PeerStatus } from './reqresp/status'
import { requestSyncBatch, serveSync, SYNC_PROTOCOL, SyncError } from './reqresp/syncBatches'
import { checkHistoric, Syncer, type SyncProgress } from './sync/syncer'
import { requestTransactions, serveTransactions, TX_PROTOCOL } from './reqresp/txExchange'
import type { BannedPeer, NetworkActivity, NetworkStatus, NetworkView, PeerEntry } from './view'

export interface NetworkOptions {
  dataDir: string
  ledger: Ledger
  db: Db
  listen: string[]
  /** bootstrap peers, each with its /p2p/ peer id: dialled at start and whenever the connection drops */
  peers: string[]
  mdns: boolean
  log: (line: string) => void
  /** whether a key is a registered market participant's: admitted, as the milestone issuers are */
  registeredIssuer?: RegisteredIssuer
}

const REDIAL_MS = 3_000
/** a refused peer keeps its connection this long, so its own handshake with us completes and it learns why */
const REFUSAL_GRACE_MS = 1_000

/** libp2p rejects with Errors, and sometimes with an abort Event. */
export function describe(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof Event !== 'undefined' && error instanceof Event) return `${error.type} event`
  return String(error)
}

export class NetworkNode implements NetworkView {
  private gossip: TransactionGossip | undefined
  private adopting = false
  private readonly sameNetwork = new Set<string>()
  private readonly lag = new LagWatch()
  /** peers whose status this node has weighed for a first sync since they connected (or it joined a network) */
  private readonly firstHeard = new Set<string>()
  private readonly redial: NodeJS.Timeout
  private readonly heartbeat: NodeJS.Timeout

  private constructor(
    private readonly node: NetworkLibp2p,
    private readonly options: NetworkOptions,
    private readonly gate: PeerGate,
    private readonly requester: Requester,
    private readonly syncer: Syncer,
    private readonly conduct: PeerConduct,
    private readonly intake: StrangerIntake
  ) {
    this.redial = setInterval(() => this.dialBootstrapPeers(), REDIAL_MS)
    this.redial.unref()
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS)
    this.heartbeat.unref()
  }

  static async start(options: NetworkOptions): Promise<NetworkNode> {
    const gate = new PeerGate()
    const node = await createNode({
      privateKey: await loadOrCreatePeerKey(options.dataDir),
      listen: options.listen,
      peers: options.peers,
      mdns: options.mdns,
      gate,
      log: options.log
    })
    // the requester and the node refer to each other: the node exists once the requester does
    const ref: { self?: NetworkNode } = {}
    const conduct = new PeerConduct((peer, reason) => ref.self?.ban(peer, reason))
    // an answer that breaks the protocol (an oversized frame, a sync going backwards) bans the peer that sent it
    const banOnBrokenAnswer = <T>(peer: string, protocol: string, answer: Promise<T>) =>
      answer.catch((error: unknown) => {
        if (error instanceof OversizedAnswerError) ref.self?.ban(peer, error.message)
        else if (error instanceof SyncError) ref.self?.ban(peer, `broke ${protocol} (${error.message})`)
        throw error
      })
    const requester = new Requester({
      peers: () => ref.self?.peersOnNetwork() ?? [],
      request: (peer, ids) => {
        const connection = node.getConnections().find((c) => c.remotePeer.toString() === peer)
        if (!connection) return Promise.reject(new Error('not connected'))
        return banOnBrokenAnswer(peer, TX_PROTOCOL, requestTransactions(node, connection.remotePeer, ids))
      },
      delivered: (transactions, from) => ref.self?.gossip?.ingestFetched(transactions, from)
    })
    const store = new NetworkStore(options.db)
    const syncer = new Syncer({
      ledger: options.ledger,
      cursors: store,
      request: (peer, afterSeq, limit, sent) => {
        const connection = node.getConnections().find((c) => c.remotePeer.toString() === peer)
        if (!connection) return Promise.reject(new Error('not connected'))
        return banOnBrokenAnswer(peer, SYNC_PROTOCOL, requestSyncBatch(node, connection.remotePeer, afterSeq, limit, sent))
      },
      storing: (ids) => ref.self?.gossip?.fromPeers(ids),
      admits: (peer, checked) => ref.self?.gossip?.admitsFromPeer(checked, peer) ?? checked.map(() => true),
      held: (peer, checked, outcomes) => ref.self?.gossip?.heldFromPeer(checked, outcomes, peer),
      refusedHistory: (peer, reason) => ref.self?.ban(peer, reason),
      log: options.log
    })
    // the peers the operator named apply the same rule where they take transactions in
    const named = new Set(options.peers.flatMap((address) => peerIdOf(multiaddr(address)) ?? []))
    const intake: StrangerIntake = {
      admission: new IssuerAdmission(() => options.ledger.genesisIssuers(), options.registeredIssuer),
      trusted: (peer) => named.has(peer),
      relayed: conduct.of('strangers', 'gossip with transactions of issuers not admitted', 'refused transactions')
    }
    const running = new NetworkNode(node, options, gate, requester, syncer, conduct, intake)
    ref.self = running
    await serveTransactions(node, (ids) => ids.map((id) => options.ledger.bytesOf(id)), conduct.of('tx', TX_PROTOCOL, 'ids asked for'))
    await serveSync(node, (afterSeq, limit) => store.historyAfter(afterSeq, limit), conduct.of('sync', SYNC_PROTOCOL, 'requests'))
    await serveStatus(
      node,
      () => running.localStatus(),
      (peer, status) => running.heard(peer, status),
      conduct.of('status', STATUS_PROTOCOL, 'requests')
    )
    node.addEventListener('peer:connect', (event) => void running.handshake(event.detail))
    node.addEventListener('peer:disconnect', (event) => {
      running.sameNetwork.delete(event.detail.toString())
      running.lag.forget(event.detail.toString())
      running.firstHeard.delete(event.detail.toString())
      syncer.forget(event.detail.toString())
    })
    node.addEventListener('peer:discovery', (event) => {
      if (!gate.isRefused(event.detail.id.toString())) node.dial(event.detail.id).catch(() => undefined)
    })
    await node.start()
    const networkId = running.networkId
    if (networkId) running.startGossip(networkId)
    running.dialBootstrapPeers()
    return running
  }

  get peerId(): string {
    return this.node.peerId.toString()
  }

  get listenAddresses(): string[] {
    return this.node.getMultiaddrs().map((address) => address.toString())
  }

  /** The genesis id, or null while this node has none. */
  get networkId(): string | null {
    return this.options.ledger.isEmpty ? null : toHex(this.options.ledger.idAt(0))
  }

  status(): NetworkStatus {
    const milestone = this.options.ledger.latestMilestone()
    return {
      peerId: this.peerId,
      networkId: this.networkId,
      listen: this.listenAddresses,
      peers: this.sameNetwork.size,
      latestMilestone: milestone?.index ?? null,
      stateHash: milestone ? toHex(milestone.stateHash) : null,
      syncing: this.adopting || this.syncer.syncing || this.requester.size > 0 || (this.gossip?.queued ?? 0) > 0,
      transactions: this.options.ledger.size
    }
  }

  /** The sync under way (peer, its count at the handshake, transactions received), or null. */
  syncProgress(): SyncProgress | null {
    return this.syncer.progress
  }

  /** Counters since the node started, for the console's rates, and the sync under way. */
  activity(): NetworkActivity {
    const { queued, capacity, turnedAway } = this.options.ledger.ingestCounters
    return {
      gossip: { ...(this.gossip?.counters ?? { received: 0, rejected: 0, published: 0 }) },
      sync: this.syncer.progress,
      ingest: { queued, capacity, turnedAway }
    }
  }

  /** Peers that receive this node's transactions by gossip (subscribed to the network's topic). */
  gossipPeers(): string[] {
    return this.gossip?.subscribers() ?? []
  }

  peers(): PeerEntry[] {
    const byPeer = new Map<string, PeerEntry>()
    for (const connection of this.node.getConnections()) {
      const id = connection.remotePeer.toString()
      const entry = byPeer.get(id) ?? { id, addresses: [], connected: true, latencyMs: null, score: this.gossip?.scoreOf(id) ?? 0 }
      entry.addresses.push(connection.remoteAddr.toString())
      if (connection.rtt !== undefined) entry.latencyMs = Math.min(entry.latencyMs ?? Infinity, connection.rtt)
      byPeer.set(id, entry)
    }
    for (const { id } of this.gate.refused()) {
      if (!byPeer.has(id)) byPeer.set(id, { id, addresses: [], connected: false, latencyMs: null, score: this.gossip?.scoreOf(id) ?? 0 })
    }
    return [...byPeer.values()]
  }

  /** Transactions of issuers nobody admitted that the admission rule left out since the node started. */
  strangersLeftOut(): number {
    return this.intake.admission.refused
  }

  /** Peers banned for misbehaving, with what they did and until when. */
  banned(): BannedPeer[] {
    return this.gate.banned().map(({ id, reason, untilMs }) => ({ id, reason, until: new Date(untilMs).toISOString() }))
  }

  async stop(): Promise<void> {
    clearInterval(this.redial)
    clearInterval(this.heartbeat)
    this.syncer.stop()
    this.gossip?.stop()
    await this.node.stop()
  }

  private peersOnNetwork(): string[] {
    return [...this.sameNetwork]
  }

  private localStatus(): PeerStatus {
    return {
      networkId: this.networkId,
      transactions: this.options.ledger.size,
      milestone: this.options.ledger.latestMilestone()?.index ?? null
    }
  }

  private startGossip(networkId: string): void {
    this.gossip = new TransactionGossip(
      this.node.services.pubsub,
      this.options.ledger,
      networkId,
      this.requester,
      this.options.log,
      this.conduct.of('gossip', 'gossip', 'messages'),
      this.intake
    )
  }

  private async handshake(peer: PeerId): Promise<void> {
    try {
      this.heard(peer, await exchangeStatus(this.node, peer, this.localStatus()))
    } catch (error) {
      // the peer's own handshake with us may still succeed; a peer that never answers gets no gossip from us
      this.options.log(`dv2g node: no status from ${peer.toString()}: ${describe(error)}`)
    }
  }

  /** Asks every peer on this network its status again; one that gossip did not keep us up with is synced from. */
  private beat(): void {
    for (const connection of this.node.getConnections()) {
      const peer = connection.remotePeer
      if (this.sameNetwork.has(peer.toString())) void this.checkLag(peer)
    }
  }

  private async checkLag(peer: PeerId): Promise<void> {
    const id = peer.toString()
    let status: PeerStatus
    try {
      status = await exchangeStatus(this.node, peer, this.localStatus())
    } catch {
      return // a missed heartbeat: the next one asks again
    }
    this.heard(peer, status)
    const ours = this.localStatus()
    if (this.sameNetwork.has(id) && this.lag.behind(id, status, ours)) {
      this.options.log(
        `dv2g node: behind ${id} (${ours.transactions} transactions and milestone ${ours.milestone ?? 'none'} here, it held more a heartbeat ago): syncing from it`
      )
      this.syncer.offer(id, status.transactions, { evenIfNotMore: true })
    }
  }

  /** A peer's status, from our handshake or theirs. */
  private heard(peer: PeerId, status: PeerStatus): void {
    const id = peer.toString()
    const ours = this.networkId
    if (ours && status.networkId && status.networkId !== ours) {
      this.refuse(peer, `it is on network ${status.networkId}, this node on ${ours}`)
      return
    }
    if (status.networkId) this.sameNetwork.add(id)
    // a peer holding more than we do when first heard is where a joining or restarted node catches
    // up from; after that the heartbeat decides (a peer a few gossip hops ahead is not a reason)
    if (ours && status.networkId && !this.firstHeard.has(id)) {
      this.firstHeard.add(id)
      this.syncer.offer(id, status.transactions)
    }
    if (!ours && status.networkId) void this.adopt(peer, status.networkId)
  }

  private refuse(peer: PeerId, reason: string): void {
    const id = peer.toString()
    // both handshakes (ours and theirs) find the mismatch: one refusal
    if (this.gate.isRefused(id)) return
    this.sameNetwork.delete(id)
    this.gate.refuse(id, reason)
    this.options.log(`dv2g node: refused peer ${id}: ${reason}`)
    setTimeout(() => this.node.hangUp(peer).catch(() => undefined), REFUSAL_GRACE_MS).unref()
  }

  /** A peer that misbehaved is cut off at once and kept out (no dial, no inbound connection) until its ban ends. */
  private ban(id: string, reason: string): void {
    if (!this.gate.ban(id, reason)) return
    this.sameNetwork.delete(id)
    this.syncer.forget(id)
    this.conduct.forget(id)
    this.options.log(`dv2g node: banned peer ${id} for ${BAN_MS / 60_000} minutes: ${reason}`)
    const connection = this.node.getConnections().find((c) => c.remotePeer.toString() === id)
    if (connection) this.node.hangUp(connection.remotePeer).catch(() => undefined)
  }

  /** A node with no genesis joins its first peer's network: the genesis is fetched and checked against its id. */
  private async adopt(peer: PeerId, networkId: string): Promise<void> {
    if (this.adopting) return
    this.adopting = true
    try {
      const [bytes] = await requestTransactions(this.node, peer, [fromHex(networkId)])
      if (!bytes || toHex(txId(bytes)) !== networkId) throw new Error('it did not send the genesis it names')
      if (this.networkId) return // adopted from another peer meanwhile
      // the genesis is as old as the network: checked as history, not against the gossip clock skew
      const { ledger } = this.options
      const [outcome] = await ledger.submit('sync', [checkHistoric(bytes, ledger.options, ledger.options.now())])
      if (outcome?.status !== 'accepted')
        throw new Error(`its genesis was not accepted: ${outcome && 'reason' in outcome ? outcome.reason : outcome?.status}`)
      this.options.log(`dv2g node: joined network ${networkId} (genesis from ${peer.toString()})`)
      this.startGossip(networkId)
      this.firstHeard.clear()
      // peers heard us say "no network" at connect: tell them again, so they count us in
      for (const connected of this.node.getPeers()) void this.handshake(connected)
    } catch (error) {
      this.options.log(`dv2g node: could not join the network of ${peer.toString()}: ${describe(error)}`)
    } finally {
      this.adopting = false
    }
  }

  /** Bootstrap peers are kept connected: libp2p redials a lost peer a few times only. */
  private dialBootstrapPeers(): void {
    for (const address of this.options.peers) {
      const peerId = peerIdOf(multiaddr(address))
      if (!peerId || this.gate.isRefused(peerId)) continue
      if (this.node.getConnections().some((c) => c.remotePeer.toString() === peerId)) continue
      this.node.dial(multiaddr(address)).catch(() => undefined)
    }
  }
}
