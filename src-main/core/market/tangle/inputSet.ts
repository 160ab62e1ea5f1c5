// What a slot is solved from, decided by a milestone: the registrations it confirmed, and the
// offers and bids for the slot it confirmed, each kept or left out by the same rules on every
// node. An input is left out when its body does not parse, its wallet is not registered (or is
// registered as someone else, or in the other role), it was signed after the slot closed, or
// its participant already has an input in the slot. The kept ones are ordered by their
// participants' ids, and hashed, so a result names exactly what it was solved from.
import { createHash } from 'node:crypto'
import { toHex } from '../../ledger/hash'
import { addressOf, sameBytes } from '../../ledger/address'
import { decodeAddress, encodeAddress } from '../../wallet/keys'
import type { MarketIndex, MarketMessage } from './marketIndex'
import { MARKET_TOPICS, parseBody, type Bid, type Offer, type Role, type RunAnnouncement } from './messages'
import type { Excluded } from './result'

export interface Participant {
  id: string
  role: Role
  /** the wallet address, as wallets show it */
  address: string
  /** place in registration order, as participants are listed */
  order: number
}

export interface Registry {
  byId: Map<string, Participant>
  /** by the hex of the address's bytes */
  byAddress: Map<string, Participant>
}

/** Whether a message was signed by the operator (a milestone issuer the genesis names). */
export const isOperator = (issuer: Uint8Array, operatorKeys: readonly Uint8Array[]) => operatorKeys.some((key) => sameBytes(key, issuer))

/** The participants registered as of a milestone: operator-signed registrations and revocations applied in order. */
export function registryAt(index: MarketIndex, operatorKeys: readonly Uint8Array[], milestone: number): Registry {
  const byId = new Map<string, Participant>()
  let order = 0
  for (const message of index.byTopic([MARKET_TOPICS.register, MARKET_TOPICS.revoke], milestone)) {
    if (message.problem || !isOperator(message.issuer, operatorKeys)) continue
    if (message.topic === MARKET_TOPICS.revoke) {
      byId.delete(message.participant!)
      continue
    }
    const parsed = parseBody(MARKET_TOPICS.register, message.body)
    if (!parsed.ok) continue
    let address: Uint8Array
    try {
      address = decodeAddress(parsed.value.address)
    } catch {
      continue
    }
    const previous = byId.get(parsed.value.id)
    byId.set(parsed.value.id, {
      id: parsed.value.id,
      role: parsed.value.role,
      address: encodeAddress(address),
      order: previous?.order ?? order++
    })
  }
  const byAddress = new Map([...byId.values()].map((p) => [toHex(decodeAddress(p.address)), p]))
  return { byId, byAddress }
}

/**
 * Participant ids in natural order (EV2 before EV10), the order a slot is solved in: the game's
 * arithmetic depends on it, so it must not depend on when inputs arrived. Written out rather than
 * left to a locale collator, whose rules may differ between two nodes' runtimes.
 */
export function naturalCompare(a: string, b: string): number {
  const runs = (s: string) => s.match(/\d+|\D+/g) ?? []
  const left = runs(a)
  const right = runs(b)
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]!
    const y = right[i]!
    if (x === y) continue
    const numeric = /^\d/.test(x) && /^\d/.test(y)
    if (numeric) {
      const [p, q] = [x.replace(/^0+(?=\d)/, ''), y.replace(/^0+(?=\d)/, '')]
      if (p.length !== q.length) return p.length - q.length
      if (p !== q) return p < q ? -1 : 1
    }
    return x < y ? -1 : 1
  }
  return left.length - right.length || (a < b ? -1 : a > b ? 1 : 0)
}

/** When slot t of a run closes (ms since the epoch). */
export const slotCloseMs = (run: RunAnnouncement, t: number) => run.startMs + (t + 1) * run.slotSeconds * 1000

export interface KeptInput<T> {
  participant: Participant
  tx: string
  value: T
}

export interface InputSet {
  milestone: number
  offers: KeptInput<Offer>[]
  bids: KeptInput<Bid>[]
  excluded: Excluded[]
  /** SHA-256 over the kept inputs' ids, offers then bids, each in natural id order */
  inputHash: string
}

/** Why an input is left out, or null when it counts. */
function exclusionOf(
  message: MarketMessage,
  run: RunAnnouncement,
  t: number,
  registry: Registry,
  taken: Map<string, string>
): string | null {
  if (message.problem) return message.problem
  const wallet = toHex(addressOf(message.issuer))
  const registered = registry.byAddress.get(wallet)
  if (!registered) return 'signed by a wallet that is not registered'
  if (registered.id !== message.participant) return `signed by the wallet registered as ${registered.id}, not ${message.participant}`
  const role: Role = message.topic === MARKET_TOPICS.offer ? 'ev' : 'grid'
  if (registered.role !== role)
    return `${registered.id} is registered as ${registered.role === 'ev' ? 'an EV' : 'a grid'}, not ${role === 'ev' ? 'an EV' : 'a grid'}`
  if (message.timestampMs > slotCloseMs(run, t))
    return `late: signed ${((message.timestampMs - slotCloseMs(run, t)) / 1000).toFixed(1)} s after slot ${t + 1} closed`
  const earlier = taken.get(registered.id)
  if (earlier) return `a second input from ${registered.id} for slot ${t + 1} (the first is ${earlier.slice(0, 12)}…)`
  return null
}

/** The inputs of slot t that milestone `milestone` confirmed, kept or left out with their reasons. */
export function inputSetAt(index: MarketIndex, run: RunAnnouncement, t: number, milestone: number, registry: Registry): InputSet {
  const offers: KeptInput<Offer>[] = []
  const bids: KeptInput<Bid>[] = []
  const excluded: Excluded[] = []
  const taken = new Map<string, string>()
  for (const message of index.ofSlot(run.run, t, [MARKET_TOPICS.offer, MARKET_TOPICS.bid])) {
    if (message.milestone > milestone) break
    const tx = toHex(index.txIdOf(message.seq))
    const reason = exclusionOf(message, run, t, registry, taken)
    if (reason) {
      excluded.push({ tx, participant: message.participant, reason })
      continue
    }
    const participant = registry.byId.get(message.participant!)!
    taken.set(participant.id, tx)
    if (message.topic === MARKET_TOPICS.offer) {
      const parsed = parseBody(MARKET_TOPICS.offer, message.body)
      if (parsed.ok) offers.push({ participant, tx, value: parsed.value })
    } else {
      const parsed = parseBody(MARKET_TOPICS.bid, message.body)
      if (parsed.ok) bids.push({ participant, tx, value: parsed.value })
    }
  }
  const byId = (a: KeptInput<unknown>, b: KeptInput<unknown>) => naturalCompare(a.participant.id, b.participant.id)
  offers.sort(byId)
  bids.sort(byId)
  const hash = createHash('sha256')
  for (const input of [...offers, ...bids]) hash.update(Buffer.from(input.tx, 'hex'))
  return { milestone, offers, bids, excluded, inputHash: hash.digest('hex') }
}
