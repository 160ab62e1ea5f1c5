// Fetches transactions this node lacks (the missing parents of held ones) from its peers: ids are
// batched per request, each peer has at most MAX_STREAMS_PER_PEER requests in flight, an id a
// peer did not deliver is asked of another peer, and an id no peer delivered is dropped. The
// wanted list is bounded, so one peer naming endless unknown parents cannot grow memory. Each
// peer is asked no faster than it tolerates (TX_ASKING_LIMIT): while one peer's pace holds an id
// back, another may be asked for it.
import { toHex, txId } from '../../ledger/hash'
import { TX_ASKING_LIMIT, txRequestCost } from '../peers/conduct'
import { RateLimiter } from '../../limits/rateLimit'
import { fromHex } from '../hex'
import { MAX_IDS_PER_REQUEST, MAX_STREAMS_PER_PEER } from './txExchange'

export const MAX_WANTED = 10_000
/** peers asked for one id before it is dropped */
const MAX_ATTEMPTS = 3

interface Wanted {
  /** the peer that told us of it: asked first */
  hint?: string
  tried: Set<string>
  inFlight: boolean
}

export interface RequesterLinks {
  /** peers that may be asked now */
  peers(): string[]
  request(peer: string, ids: Uint8Array[]): Promise<(Uint8Array | undefined)[]>
  /** transactions that arrived, to be checked and stored */
  delivered(transactions: Uint8Array[], from: string): void
}

export class Requester {
  private readonly wanted = new Map<string, Wanted>()
  private readonly inFlightPerPeer = new Map<string, number>()
  private scheduled = false
  /** the dispatch that waits for a peer's pace to allow the next request */
  private paused?: NodeJS.Timeout
  private pausedUntilMs = 0
  private readonly pace = new RateLimiter(TX_ASKING_LIMIT)
  dropped = 0

  constructor(private readonly links: RequesterLinks) {}

  /** ids still wanted (asked or waiting for a free peer) */
  get size(): number {
    return this.wanted.size
  }

  want(idsHex: readonly string[], hint?: string): void {
    for (const id of idsHex) {
      if (this.wanted.has(id)) continue
      if (this.wanted.size >= MAX_WANTED) {
        this.dropped++
        continue
      }
      this.wanted.set(id, { ...(hint ? { hint } : {}), tried: new Set(), inFlight: false })
    }
    this.schedule()
  }

  /** A transaction that arrived another way (gossip) is no longer wanted. */
  arrived(idHex: string): void {
    const entry = this.wanted.get(idHex)
    if (entry && !entry.inFlight) this.wanted.delete(idHex)
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    // ids wanted in the same turn go out in one request
    setImmediate(() => {
      this.scheduled = false
      this.dispatch()
    })
  }

  private dispatch(): void {
    const peers = this.links.peers()
    for (const [id, entry] of this.wanted) {
      if (!entry.inFlight && !peers.some((p) => !entry.tried.has(p))) {
        this.wanted.delete(id)
        this.dropped++
      }
    }
    for (const peer of peers) {
      while ((this.inFlightPerPeer.get(peer) ?? 0) < MAX_STREAMS_PER_PEER) {
        const batch = this.batchFor(peer)
        if (!batch.length) break
        const waitMs = this.pace.reserve(peer, txRequestCost(batch.length))
        if (waitMs > 0) {
          this.dispatchAfter(waitMs)
          break
        }
        this.send(peer, batch)
      }
    }
  }

  /** Dispatches again once the first held-back peer's pace allows. */
  private dispatchAfter(ms: number): void {
    const atMs = Date.now() + ms
    if (this.paused && this.pausedUntilMs <= atMs) return
    clearTimeout(this.paused)
    this.pausedUntilMs = atMs
    this.paused = setTimeout(() => {
      this.paused = undefined
      this.dispatch()
    }, ms)
    // a node stopping does not wait for it
    this.paused.unref()
  }

  /** Up to one request's worth of ids for this peer: those it told us of first, then any it was not asked for. */
  private batchFor(peer: string): string[] {
    const batch = new Set<string>()
    for (const hintedOnly of [true, false]) {
      for (const [id, entry] of this.wanted) {
        if (batch.size >= MAX_IDS_PER_REQUEST) return [...batch]
        if (entry.inFlight || entry.tried.has(peer) || (hintedOnly && entry.hint !== peer)) continue
        batch.add(id)
      }
    }
    return [...batch]
  }

  private send(peer: string, ids: string[]): void {
    for (const id of ids) {
      const entry = this.wanted.get(id)!
      entry.inFlight = true
      entry.tried.add(peer)
    }
    this.inFlightPerPeer.set(peer, (this.inFlightPerPeer.get(peer) ?? 0) + 1)
    const settle = (answers: (Uint8Array | undefined)[] | undefined) => {
      this.inFlightPerPeer.set(peer, (this.inFlightPerPeer.get(peer) ?? 1) - 1)
      const got: Uint8Array[] = []
      ids.forEach((id, i) => {
        const entry = this.wanted.get(id)
        if (!entry) return
        entry.inFlight = false
        const bytes = answers?.[i]
        // a peer answers with the transaction asked for or nothing: anything else counts as nothing
        if (bytes && toHex(txId(bytes)) === id) {
          got.push(bytes)
          this.wanted.delete(id)
        } else if (entry.tried.size >= MAX_ATTEMPTS) {
          this.wanted.delete(id)
          this.dropped++
        }
      })
      if (got.length) this.links.delivered(got, peer)
      this.schedule()
    }
    this.links.request(peer, ids.map(fromHex)).then(settle, () => settle(undefined))
  }
}
