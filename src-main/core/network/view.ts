// What a running node tells the operator: the Network view, `dv2g peers` and `dv2g network status`
// read it through the network control the app's composition holds.
export interface PeerEntry {
  id: string
  addresses: string[]
  connected: boolean
  latencyMs: number | null
  score: number
}

/** A peer banned for misbehaving: refused, dialled by no one here, until the time is up. */
export interface BannedPeer {
  id: string
  /** what it did: an invalid transaction, an oversized frame, a flood past a rate limit, refused history */
  reason: string
  /** ISO 8601 */
  until: string
}

export interface NetworkStatus {
  peerId: string
  /** the genesis id; null until this node has one (it takes its first peer's) */
  networkId: string | null
  listen: string[]
  /** connected peers on this network */
  peers: number
  /** the index of the latest milestone applied here, and the ledger state hash it carries; null before the first */
  latestMilestone: number | null
  stateHash: string | null
  /** fetching transactions or waiting for parents */
  syncing: boolean
  transactions: number
}

/** What the node has done since it started: the console turns the counters into rates. */
export interface NetworkActivity {
  /** gossiped transactions received (valid), rejected (invalid, costing their sender), published (attached here) */
  gossip: { received: number; rejected: number; published: number }
  /** the sync under way: the peer, what it held when asked, what came from it so far */
  sync: { peer: string; target: number; received: number } | null
  /** the ledger's ingest queue: transactions waiting, its bound, gossip turned away when it was full */
  ingest: { queued: number; capacity: number; turnedAway: number }
}

export interface NetworkView {
  status(): NetworkStatus
  peers(): PeerEntry[]
  banned(): BannedPeer[]
  activity(): NetworkActivity
}
