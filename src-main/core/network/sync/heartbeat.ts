// After the first sync a node follows gossip, and gossip can miss: a message dropped while the
// mesh was forming after a restart, a queue that was full. Every heartbeat each peer is asked its
// status again; a node that holds fewer transactions, or an earlier milestone, than a peer held a
// heartbeat earlier was not kept up by gossip (which takes well under a heartbeat) and syncs from
// that peer. Comparing with the earlier figures, not the current ones, keeps a node merely a few
// gossip hops behind from syncing. Counts alone are not enough: two nodes that each lack what the
// other has may hold as many, and the milestone a node lacks tells it then.

export const HEARTBEAT_MS = 5_000

/** What a node holds, as its status says. */
export interface Holding {
  transactions: number
  /** the latest milestone's index; null before the first */
  milestone: number | null
}

export class LagWatch {
  /** peer -> what it held at the previous heartbeat; one entry per connected peer */
  private readonly previous = new Map<string, Holding>()

  /** Records what a peer holds now; true when this node holds less than that peer held a heartbeat ago. */
  behind(peer: string, theirs: Holding, ours: Holding): boolean {
    const before = this.previous.get(peer)
    this.previous.set(peer, theirs)
    if (!before) return false
    return ours.transactions < before.transactions || (ours.milestone ?? 0) < (before.milestone ?? 0)
  }

  forget(peer: string): void {
    this.previous.delete(peer)
  }
}
