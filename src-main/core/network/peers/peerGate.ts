// Peers kept out for a while: a peer of another network is refused, a peer that misbehaved (sent
// invalid transactions, oversized frames, or flooded past a rate limit) is banned. The connection
// gater asks here, so neither is dialled, nor let in, until its time is up.
export const REFUSAL_MS = 10 * 60_000
/** long enough that a rogue gives up costing us anything, short enough that a peer fixed by its operator comes back */
export const BAN_MS = 10 * 60_000
/** peers kept out at once; a rogue making up peer ids cannot grow the list without bound (the soonest free goes first) */
export const MAX_KEPT_OUT = 10_000

export type KeptOutKind = 'refused' | 'banned'

export interface KeptOut {
  id: string
  kind: KeptOutKind
  reason: string
  untilMs: number
}

export class PeerGate {
  private readonly keptOut = new Map<string, Omit<KeptOut, 'id'>>()

  constructor(private readonly now: () => number = Date.now) {}

  refuse(peerId: string, reason: string, forMs = REFUSAL_MS): void {
    // a ban is not shortened, nor its reason lost, by a refusal
    if (this.isBanned(peerId)) return
    this.keepOut(peerId, { kind: 'refused', reason, untilMs: this.now() + forMs })
  }

  /** Bans a misbehaving peer; a peer banned already keeps its first reason and time. */
  ban(peerId: string, reason: string, forMs = BAN_MS): boolean {
    if (this.isBanned(peerId)) return false
    this.keepOut(peerId, { kind: 'banned', reason, untilMs: this.now() + forMs })
    return true
  }

  /** Whether the peer is kept out now, refused or banned. */
  isRefused(peerId: string): boolean {
    return this.current(peerId) !== undefined
  }

  isBanned(peerId: string): boolean {
    return this.current(peerId)?.kind === 'banned'
  }

  /** The peers kept out now, with why: for the operator's views. */
  refused(): KeptOut[] {
    return [...this.keptOut.keys()].flatMap((id) => {
      const entry = this.current(id)
      return entry ? [{ id, ...entry }] : []
    })
  }

  /** The peers banned now, with why and until when. */
  banned(): KeptOut[] {
    return this.refused().filter((entry) => entry.kind === 'banned')
  }

  private current(peerId: string): Omit<KeptOut, 'id'> | undefined {
    const entry = this.keptOut.get(peerId)
    if (!entry) return undefined
    if (entry.untilMs > this.now()) return entry
    this.keptOut.delete(peerId)
    return undefined
  }

  private keepOut(peerId: string, entry: Omit<KeptOut, 'id'>): void {
    this.keptOut.delete(peerId)
    this.keptOut.set(peerId, entry)
    while (this.keptOut.size > MAX_KEPT_OUT) {
      let soonest: string | undefined
      for (const [id, { untilMs }] of this.keptOut) if (soonest === undefined || untilMs < this.keptOut.get(soonest)!.untilMs) soonest = id
      this.keptOut.delete(soonest!)
    }
  }
}
