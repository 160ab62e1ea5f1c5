// What each protocol tolerates from one peer, and what happens past it: every protocol we serve has
// a per-peer rate limit (a peer past it is refused; one that keeps asking while refused is banned),
// and a peer that breaks a protocol (an oversized frame, an invalid transaction, refused history)
// is banned at once. The bounds are generous: far beyond what an honest node asks for on this
// machine, so only a peer that means harm (or is broken) meets them.
import { RateLimiter, type RateLimit } from '../../limits/rateLimit'
import { Dv2gError } from '../../../../src-shared/errors'

export const PEER_LIMITS = {
  /**
   * /dv2g/tx/1.0.0 in ids asked for (a request costs at least MIN_TX_REQUEST_COST): an honest node
   * asks for the missing parents of what it holds, and paces itself below this (TX_ASKING_LIMIT);
   * catching up in bulk is sync's job. The burst is small because every stream costs the node's
   * main thread, which is what issues and stores: a peer flooding requests is banned after about a
   * dozen requests of 256 ids.
   */
  tx: { perSecond: 2_048, burst: 2_048, floodAfter: 512 },
  /** /dv2g/sync/1.0.0 in requests: a syncing node has one in flight, each up to 500 transactions (2 MiB) */
  sync: { perSecond: 20, burst: 40, floodAfter: 40 },
  /** /dv2g/status/1.0.0 in exchanges: one at each connection, then a heartbeat now and then */
  status: { perSecond: 2, burst: 10, floodAfter: 20 },
  /**
   * gossip in messages first delivered by one peer: 5,000 a second is over three times what one
   * node on this 2-core machine verifies and stores (about 1,500); beyond it messages are ignored
   * (not forwarded), and a peer that keeps sending past ten seconds' worth is banned
   */
  gossip: { perSecond: 5_000, burst: 10_000, floodAfter: 50_000 },
  /**
   * transactions of issuers nobody admitted that one peer delivered and the admission rule refused
   * (admission.ts): an honest peer forwards only what its own rule took, about the rule's rate;
   * one that keeps relaying past it is the flood's source, and is banned
   */
  strangers: { perSecond: 64, burst: 512, floodAfter: 1_000 }
} satisfies Record<string, RateLimit>

export type LimitedProtocol = keyof typeof PEER_LIMITS

/**
 * The least a /dv2g/tx request costs, however few ids it names: a stream costs the serving node
 * about as much as reading and sending 64 transactions, so a flood of one-id requests is not cheap.
 */
const MIN_TX_REQUEST_COST = 64

/** What a /dv2g/tx request of this many ids costs, in the units of PEER_LIMITS.tx. */
export const txRequestCost = (ids: number) => Math.max(MIN_TX_REQUEST_COST, ids)

/**
 * What our own requester allows itself per peer, so that the peer never refuses it. The peer counts
 * a request when it reads it, and reads late when busy; but at most MAX_STREAMS_PER_PEER (4)
 * requests of 256 ids are ever on their way, so in any span T the peer reads at most those 1,024
 * ids plus what was sent within T: 1,024 + 1,024 + 1,536 T, within its 2,048 + 2,048 T.
 */
export const TX_ASKING_LIMIT: RateLimit = { perSecond: (PEER_LIMITS.tx.perSecond * 3) / 4, burst: PEER_LIMITS.tx.burst / 2, floodAfter: 0 }

/** What a protocol handler asks of the node about one peer's request. */
export interface Conduct {
  /** Whether this peer may be served `cost` more now; a peer flooding past its limit is banned meanwhile. */
  admit(peer: string, cost?: number): boolean
  /** The peer broke the protocol: it is banned, for this reason. */
  broke(peer: string, reason: string): void
}

/** The rate limits of every protocol, and the ban for whoever floods them. */
export class PeerConduct {
  private readonly limiters = new Map<LimitedProtocol, RateLimiter>()

  constructor(
    private readonly ban: (peer: string, reason: string) => void,
    now: () => number = Date.now,
    limits: Record<LimitedProtocol, RateLimit> = PEER_LIMITS
  ) {
    for (const protocol of Object.keys(limits) as LimitedProtocol[])
      this.limiters.set(protocol, new RateLimiter(limits[protocol], undefined, now))
  }

  of(protocol: LimitedProtocol, name: string, unit: string): Conduct {
    const limiter = this.limiters.get(protocol)!
    return {
      admit: (peer, cost = 1) => {
        const verdict = limiter.take(peer, cost)
        if (verdict === 'flooding')
          this.ban(peer, `flooded ${name}: past ${limiter.limit.perSecond} ${unit} per second, and kept on while refused`)
        return verdict === 'allowed'
      },
      broke: (peer, reason) => this.ban(peer, reason)
    }
  }

  /** A banned or gone peer starts afresh when it comes back. */
  forget(peer: string): void {
    for (const limiter of this.limiters.values()) limiter.forget(peer)
  }
}

/** An lpStream read refused because the peer announced a frame past the limit. */
export function isOversizedFrame(error: unknown): boolean {
  return error instanceof Error && (error.name === 'InvalidDataLengthError' || error.name === 'InvalidDataLengthLengthError')
}

export const oversizedReason = (protocol: string, limitBytes: number) => `sent a frame over the ${limitBytes}-byte limit on ${protocol}`

/** A peer's answer to our request came in a frame past the limit: the peer is at fault, and is banned. */
export class OversizedAnswerError extends Dv2gError {
  constructor(protocol: string, limitBytes: number) {
    super('malformed', oversizedReason(protocol, limitBytes))
    this.name = 'OversizedAnswerError'
  }
}

/** The error a request fails with: an oversized frame is named as the peer's fault. */
export const answerError = (error: unknown, protocol: string, limitBytes: number): unknown =>
  isOversizedFrame(error) ? new OversizedAnswerError(protocol, limitBytes) : error
