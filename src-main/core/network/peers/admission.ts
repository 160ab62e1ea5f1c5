// What an issuer nobody admitted can make this node store. Admitted issuers are the milestone
// issuers the genesis names and the market's registered participants; everyone else is a stranger.
// A stranger's transactions from peers are taken in only within two token buckets: its own key's,
// and one that all strangers share (keys cost nothing, so a flood under fresh keys meets the
// shared one). Within its own bucket a stranger pays with work: every doubling of what it spent
// recently asks one more leading zero bit of its id (adaptive proof of work), so a burst costs it
// far more than a trickle. What is refused here is ignored, not stored, and not forwarded.
//
// The rule is local (each node counts what it saw), so nodes may differ on which strangers'
// transactions they took. Milestones settle that: what a milestone or an admitted issuer's
// transaction approves is fetched as vouched for and bypasses the rule (gossip.ts), so every node
// can apply every milestone. Transactions from peers this node's operator named (--peer) bypass it
// too: they apply the same rule where they take transactions in.
import { sameBytes } from '../../ledger/address'
import { toHex } from '../../ledger/hash'
import type { Transaction } from '../../ledger/transaction'
import { RateLimiter, type RateLimit } from '../../limits/rateLimit'

export interface AdmissionLimits {
  /** one stranger's key */
  perIssuer: RateLimit
  /** all strangers together */
  strangers: RateLimit
  /** what an issuer may have spent of its bucket recently before its work must rise */
  freeSpent: number
  /** the most extra bits ever asked: the id still has to be findable */
  maxExtraBits: number
}

export const STRANGER_LIMITS: AdmissionLimits = {
  perIssuer: { perSecond: 8, burst: 128, floodAfter: 0 },
  strangers: { perSecond: 64, burst: 512, floodAfter: 0 },
  freeSpent: 32,
  maxExtraBits: 12
}

export type AdmissionVerdict = { ok: true; admitted: boolean } | { ok: false; reason: string }

/** registered participants' keys: asked rarely (verdicts are cached), so it may read the market */
export type RegisteredIssuer = (issuer: Uint8Array) => boolean

/** how long an issuer's standing (admitted or not) is remembered before it is looked up again */
const STANDING_TTL_MS = 10_000
const MAX_STANDINGS = 10_000
const SHARED = 'strangers'

export class IssuerAdmission {
  private readonly perIssuer: RateLimiter
  private readonly shared: RateLimiter
  private readonly standings = new Map<string, { admitted: boolean; atMs: number }>()
  /** transactions refused by this rule since the node started */
  refused = 0

  constructor(
    private readonly genesisIssuers: () => readonly Uint8Array[],
    private readonly registered: RegisteredIssuer = () => false,
    private readonly now: () => number = Date.now,
    readonly limits: AdmissionLimits = STRANGER_LIMITS
  ) {
    this.perIssuer = new RateLimiter(limits.perIssuer, MAX_STANDINGS, now)
    this.shared = new RateLimiter(limits.strangers, 1, now)
  }

  isAdmitted(issuer: Uint8Array): boolean {
    const key = toHex(issuer)
    const nowMs = this.now()
    const known = this.standings.get(key)
    if (known && nowMs - known.atMs < STANDING_TTL_MS) return known.admitted
    const admitted = this.genesisIssuers().some((named) => sameBytes(named, issuer)) || this.registered(issuer)
    this.standings.delete(key)
    this.standings.set(key, { admitted, atMs: nowMs })
    if (this.standings.size > MAX_STANDINGS) this.standings.delete(this.standings.keys().next().value!)
    return admitted
  }

  /** Leading zero bits a stranger's next transaction needs, with `baseBits` the network's. */
  requiredBits(issuer: Uint8Array, baseBits: number): number {
    const spent = this.limits.perIssuer.burst - this.perIssuer.available(toHex(issuer))
    const extra = spent < this.limits.freeSpent ? 0 : Math.floor(Math.log2(spent / this.limits.freeSpent)) + 1
    return baseBits + Math.min(extra, this.limits.maxExtraBits)
  }

  /** Whether this transaction may be taken in, without spending anything: checked before its signature. */
  judge(tx: Transaction, workBits: number, baseBits: number): AdmissionVerdict {
    if (this.isAdmitted(tx.issuer)) return { ok: true, admitted: true }
    const needed = this.requiredBits(tx.issuer, baseBits)
    if (workBits < needed) return this.refuse(`issuer not admitted: its recent rate asks ${needed} bits of work, the id has ${workBits}`)
    if (this.perIssuer.available(toHex(tx.issuer)) < 1)
      return this.refuse(`issuer not admitted: past ${this.limits.perIssuer.perSecond} transactions per second for one key`)
    if (this.shared.available(SHARED) < 1)
      return this.refuse(`issuer not admitted: past ${this.limits.strangers.perSecond} transactions per second for all such issuers`)
    return { ok: true, admitted: false }
  }

  /** Counts a stranger's transaction that was taken in against both buckets. */
  take(tx: Transaction): void {
    this.perIssuer.take(toHex(tx.issuer))
    this.shared.take(SHARED)
  }

  /** judge, then take if it may be taken: for a transaction whose signature was checked already. */
  admit(tx: Transaction, workBits: number, baseBits: number): AdmissionVerdict {
    const verdict = this.judge(tx, workBits, baseBits)
    if (verdict.ok && !verdict.admitted) this.take(tx)
    return verdict
  }

  private refuse(reason: string): AdmissionVerdict {
    this.refused++
    return { ok: false, reason }
  }
}
