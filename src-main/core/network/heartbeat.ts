// After the first sync a node follows gossip, and gossip can miss: a message dropped while the
// mesh was forming after a restart, a queue that was full. Every heartbeat each peer is asked its
// status again; a node that holds less than a peer held a heartbeat earlier was not kept up by
// gossip (which takes well under a heartbeat) and syncs from that peer. Comparing with the
// earlier figure, not the current one, keeps a node merely a few gossip hops behind from syncing.

export const HEARTBEAT_MS = 5_000

export class LagWatch {
  /** peer -> the transactions it held at the previous heartbeat; one entry per connected peer */
  private readonly previous = new Map<string, number>()

  /** Records what a peer holds now; true when this node holds less than that peer held a heartbeat ago. */
  behind(peer: string, theirs: number, ours: number): boolean {
    const before = this.previous.get(peer)
    this.previous.set(peer, theirs)
    return before !== undefined && ours < before
  }

  forget(peer: string): void {
    this.previous.delete(peer)
  }
}
