// Peers refused for a while (a peer of another network, for now): the connection gater keeps
// them out until the time is up, so they are not dialled and redialled in a loop.
export const REFUSAL_MS = 10 * 60_000

export class PeerGate {
  private readonly refusedUntil = new Map<string, { until: number; reason: string }>()

  constructor(private readonly now: () => number = Date.now) {}

  refuse(peerId: string, reason: string, forMs = REFUSAL_MS): void {
    this.refusedUntil.set(peerId, { until: this.now() + forMs, reason })
  }

  isRefused(peerId: string): boolean {
    const entry = this.refusedUntil.get(peerId)
    if (!entry) return false
    if (entry.until > this.now()) return true
    this.refusedUntil.delete(peerId)
    return false
  }

  /** The peers refused now, with why: for the operator's views. */
  refused(): { id: string; reason: string; untilMs: number }[] {
    return [...this.refusedUntil].filter(([id]) => this.isRefused(id)).map(([id, { reason, until }]) => ({ id, reason, untilMs: until }))
  }
}
