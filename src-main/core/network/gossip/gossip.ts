// Transactions over gossipsub: one topic per network. Every message is checked (codec, proof of
// work, signature) before anything else; an invalid one is rejected, which costs its sender score.
// Valid ones go into the ledger's ingest queue (ingestQueue.ts), which stores them in batches and
// turns them away when full; a transaction is forwarded only once it is stored, i.e. solid; one
// whose parents are missing waits (still in the message cache) while the parents are fetched.
// Transactions attached here are published. A transaction of an issuer nobody admitted passes the
// admission rule (admission.ts) first, unless it comes from a peer the operator named or is
// vouched for: a parent of a held transaction that a milestone or an admitted issuer approves.
import { TopicValidatorResult, type GossipSub, type GossipsubMessage } from '@libp2p/gossipsub'
import type { PeerScoreParams, TopicScoreParams } from '@libp2p/gossipsub/score'
import { createTopicScoreParams } from '@libp2p/gossipsub/score'
import { NONE } from '../../ledger/graph'
import { leadingZeroBits, toHex } from '../../ledger/hash'
import type { IngestOutcome, Ledger, RefusalCode } from '../../ledger/ledger'
import { SignatureVerifier } from '../../ledger/signing'
import { checkAllButSignature, checkIntrinsic, signatureRefusal, signedPart, type Checked } from '../../ledger/validation'
import type { IssuerAdmission } from '../peers/admission'
import type { Conduct } from '../peers/conduct'
import { gossipMessageId } from './messageId'
import type { Requester } from '../reqresp/requester'

export const topicOf = (networkId: string) => `/dv2g/${networkId}/tx/1`

const isClockSkew = (refused: { code: RefusalCode }) => refused.code === 'clock_skew'

/** gossiped transactions awaiting storage or their parents; beyond this one is still stored, but not forwarded */
const MAX_WAITING = 10_000
/** how long a held transaction may wait for its parents before it is given up (and not forwarded) */
const HELD_TIMEOUT_MS = 30_000
/** ids of transactions that came from peers, remembered until stored so they are not published again */
const MAX_RECEIVED = 50_000

/**
 * Scoring for the transaction topic. A rejected message (invalid codec, work or signature) costs
 * its sender -100 per message squared: one is enough to fall below the graylist threshold (-80),
 * after which its messages are ignored. The topic is quiet most of the time, so the default
 * penalty for mesh peers that deliver few messages is off.
 */
export function transactionTopicScore(): TopicScoreParams {
  return createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1_000,
    timeInMeshCap: 100,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 50,
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: -100,
    invalidMessageDeliveriesDecay: 0.9
  })
}

/** What gossipsub offers beyond its public interface that this module uses. */
type GossipSubInternals = GossipSub & {
  score: { params: PeerScoreParams }
  getScore(peerId: string): number
  reportMessageValidationResult(msgId: string, propagationSource: string, acceptance: TopicValidatorResult): void
}

type Valid = Extract<Checked, { ok: true }>

interface Waiting {
  source: string
  sinceMs: number
}

export interface GossipCounters {
  received: number
  rejected: number
  published: number
}

/** How transactions of issuers nobody admitted are taken in from peers. */
export interface StrangerIntake {
  admission: IssuerAdmission
  /** peers the operator named (--peer): they apply the rule themselves */
  trusted(peer: string): boolean
  /** counts a peer's transactions refused by the rule; a peer that keeps relaying a flood of them is banned */
  relayed: Conduct
}

/** ids vouched for (parents of held transactions a milestone or an admitted issuer approves), until stored */
const MAX_VOUCHED = 50_000

export class TransactionGossip {
  readonly topic: string
  private readonly pubsub: GossipSubInternals
  private readonly verifier = new SignatureVerifier()
  /** checked by the validator, awaiting the message event */
  private readonly checkedByMsgId = new Map<string, Valid>()
  /** gossiped transactions not yet stored, by id (the message id: node.ts): reported Accept (forwarded) once stored */
  private readonly waiting = new Map<string, Waiting>()
  /** ids that arrived from peers another way (fetched), not to be published when stored */
  private readonly fetched = new Set<string>()
  /** ids fetched because what approves them is vouched for: taken in whatever their issuer */
  private readonly vouched = new Set<string>()
  private readonly unsubscribeStored: () => void
  private readonly sweep: NodeJS.Timeout
  readonly counters: GossipCounters = { received: 0, rejected: 0, published: 0 }

  constructor(
    pubsub: GossipSub,
    private readonly ledger: Ledger,
    networkId: string,
    private readonly requester: Requester,
    private readonly log: (line: string) => void,
    /** the gossip rate limit per sender, and the ban for one that sends an invalid transaction */
    private readonly conduct: Conduct,
    private readonly intake: StrangerIntake
  ) {
    this.pubsub = pubsub as GossipSubInternals
    this.topic = topicOf(networkId)
    // the topic is known only once the genesis is: its scoring is added here, before subscribing
    this.pubsub.score.params.topics[this.topic] = transactionTopicScore()
    this.pubsub.topicValidators.set(this.topic, (peer, message) => this.validate(peer.toString(), message.data))
    this.pubsub.addEventListener('gossipsub:message', this.onMessage)
    this.unsubscribeStored = ledger.onStored((indexes) => this.onStored(indexes))
    this.pubsub.subscribe(this.topic)
    this.sweep = setInterval(() => this.giveUpOnOldHeld(), HELD_TIMEOUT_MS / 3)
    this.sweep.unref()
  }

  get queued(): number {
    return this.waiting.size
  }

  /** Peers subscribed to this network's transactions, as far as this node knows. */
  subscribers(): string[] {
    return this.pubsub.getSubscribers(this.topic).map((peer) => peer.toString())
  }

  /** The peer's gossip score (0 for a peer gossipsub does not know). */
  scoreOf(peerId: string): number {
    return this.pubsub.getScore(peerId)
  }

  stop(): void {
    this.unsubscribeStored()
    clearInterval(this.sweep)
    this.pubsub.removeEventListener('gossipsub:message', this.onMessage)
    this.pubsub.topicValidators.delete(this.topic)
    this.pubsub.unsubscribe(this.topic)
  }

  /** Transactions fetched from peers: stored like gossip, but neither forwarded nor published. */
  ingestFetched(transactions: Uint8Array[], from: string): void {
    const now = this.ledger.options.now()
    const checked = transactions.map((bytes) => checkIntrinsic(bytes, this.ledger.options, now, this.verifier))
    const invalid = checked.find((c): c is Extract<Checked, { ok: false }> => !c.ok && !isClockSkew(c))
    if (invalid) this.conduct.broke(from, `sent an invalid transaction on request (${invalid.reason})`)
    const taken = checked.filter((c) => !c.ok || this.vouched.has(toHex(c.id)) || this.admitFrom(from, c))
    for (const c of taken) if (c.ok) this.fetched.add(toHex(c.id))
    // parents are what held transactions wait for: they wait for room rather than be turned away
    this.ledger.submit('fetched', taken).then(
      (outcomes) => this.askForMissingParents(taken, outcomes, () => from),
      (error: unknown) =>
        this.log(
          `dv2g node: could not store ${transactions.length} fetched transactions: ${error instanceof Error ? error.message : String(error)}`
        )
    )
  }

  /**
   * Whether each of a peer's checked transactions passes the admission rule (sync): the rest is
   * not stored. History may hold strangers' transactions taken in at the rule's pace over a long
   * time, so what is left out here does not count against the peer serving it.
   */
  admitsFromPeer(checked: readonly Checked[], peer: string): boolean[] {
    return checked.map((c) => !c.ok || this.admitFrom(peer, c, false))
  }

  /** Held transactions stored from a peer's history: their parents are fetched as gossip's are. */
  heldFromPeer(checked: readonly Checked[], outcomes: IngestOutcome[], peer: string): void {
    this.askForMissingParents(checked, outcomes, () => peer)
  }

  /** Whether a stranger's transaction from this peer passes the rule (and is counted); a refusal counts against the peer. */
  private admitFrom(peer: string, checked: Extract<Checked, { ok: true }>, countsAgainstPeer = true): boolean {
    if (this.intake.trusted(peer)) return true
    const verdict = this.intake.admission.admit(checked.tx, leadingZeroBits(checked.id), this.ledger.options.powBits)
    if (!verdict.ok && countsAgainstPeer) this.intake.relayed.admit(peer)
    return verdict.ok
  }

  /** Transactions about to be stored from a peer's history (sync): they are neither forwarded nor published. */
  fromPeers(ids: readonly string[]): void {
    if (this.fetched.size + ids.length > MAX_RECEIVED) this.fetched.clear()
    for (const id of ids) this.fetched.add(id)
  }

  private validate(peer: string, data: Uint8Array): TopicValidatorResult {
    // before the signature check, which is most of a message's cost: past the limit it is not forwarded either
    if (!this.conduct.admit(peer)) return TopicValidatorResult.Ignore
    // held here already (it came back after gossipsub forgot it): nothing to check or forward
    const id = gossipMessageId(data) // gossipsub's hash for the message id, for the lookup and the checks
    if (this.ledger.indexOf(id) !== NONE) return TopicValidatorResult.Ignore
    const unsigned = checkAllButSignature(data, this.ledger.options, this.ledger.options.now(), id)
    // a stranger past the admission rule costs no signature check: ignored, and counted against its relay
    const judged = unsigned.ok && !this.intake.trusted(peer) && !this.vouched.has(toHex(unsigned.id))
    const verdict = judged ? this.intake.admission.judge(unsigned.tx, leadingZeroBits(unsigned.id), this.ledger.options.powBits) : null
    if (verdict && !verdict.ok) {
      this.intake.relayed.admit(peer)
      return TopicValidatorResult.Ignore
    }
    const checked = unsigned.ok && !this.verifies(unsigned) ? signatureRefusal(unsigned) : unsigned
    if (!checked.ok) {
      this.counters.rejected++
      // a clock skew may be ours, not the sender's fault: ignored, not penalised
      if (isClockSkew(checked)) return TopicValidatorResult.Ignore
      // an honest peer forwards only what it checked: whoever passed this on is cut off
      this.conduct.broke(peer, `sent an invalid transaction by gossip (${checked.reason})`)
      return TopicValidatorResult.Reject
    }
    if (verdict?.ok && !verdict.admitted) this.intake.admission.take(checked.tx)
    if (this.checkedByMsgId.size < MAX_WAITING) this.checkedByMsgId.set(toHex(checked.id), checked)
    return TopicValidatorResult.Accept
  }

  private verifies(checked: Extract<Checked, { ok: true }>): boolean {
    const { publicKey, message, signature } = signedPart(checked)
    return this.verifier.verify(publicKey, message, signature)
  }

  private readonly onMessage = (event: CustomEvent<GossipsubMessage>): void => {
    const { msgId, propagationSource, msg } = event.detail
    if (msg.topic !== this.topic) return
    const checked = this.checkedByMsgId.get(msgId)
    this.checkedByMsgId.delete(msgId)
    const source = propagationSource.toString()
    const stored = checked && this.ledger.offer('gossip', [checked])
    if (!stored) {
      // beyond what this node can store now: not forwarded, and nobody is penalised
      this.pubsub.reportMessageValidationResult(msgId, source, TopicValidatorResult.Ignore)
      return
    }
    this.counters.received++
    // registered before the commit: onStored, called at the commit, forwards it
    const forwardWhenStored = this.waiting.size < MAX_WAITING
    if (forwardWhenStored && !this.waiting.has(msgId)) this.waiting.set(msgId, { source, sinceMs: Date.now() })
    stored.then(
      (outcomes) => {
        this.askForMissingParents([checked], outcomes, () => source)
        const outcome = outcomes[0]!
        if (forwardWhenStored && (outcome.status === 'accepted' || outcome.status === 'held')) return
        // known already, or against the ledger's rules here (which may depend on what this node holds)
        this.waiting.delete(msgId)
        this.pubsub.reportMessageValidationResult(msgId, source, TopicValidatorResult.Ignore)
      },
      (error: unknown) => {
        // the database refused the commit (disk full, I/O): it is neither stored nor forwarded
        this.log(`dv2g node: could not store a gossiped transaction: ${error instanceof Error ? error.message : String(error)}`)
        this.waiting.delete(msgId)
        this.pubsub.reportMessageValidationResult(msgId, source, TopicValidatorResult.Ignore)
      }
    )
  }

  /** Asks peers for the parents of the transactions held, the sender first. */
  private askForMissingParents(checked: readonly Checked[], outcomes: IngestOutcome[], senderOf: (i: number) => string): void {
    checked.forEach((c, i) => {
      const outcome = outcomes[i]!
      if (!c.ok) return
      if (outcome.status !== 'held') {
        if (outcome.status !== 'accepted') this.fetched.delete(toHex(c.id))
        return
      }
      const missing = [c.tx.trunk, c.tx.branch].filter((parent) => this.ledger.indexOf(parent) === NONE).map(toHex)
      // what a milestone or an admitted issuer approves is taken in whoever issued it: every node can then apply every milestone
      if (this.vouched.has(toHex(c.id)) || this.intake.admission.isAdmitted(c.tx.issuer))
        for (const parent of missing) this.vouched.add(parent)
      if (missing.length) this.requester.want(missing, senderOf(i))
    })
    if (this.fetched.size > MAX_RECEIVED) this.fetched.clear()
    if (this.vouched.size > MAX_VOUCHED) this.vouched.clear()
  }

  private onStored(indexes: number[]): void {
    for (const index of indexes) {
      const idBytes = this.ledger.idAt(index)
      const id = toHex(idBytes)
      this.requester.arrived(id)
      this.vouched.delete(id)
      const waiting = this.waiting.get(id)
      if (waiting) {
        this.waiting.delete(id)
        this.pubsub.reportMessageValidationResult(id, waiting.source, TopicValidatorResult.Accept)
      } else if (this.fetched.has(id)) {
        this.fetched.delete(id)
      } else {
        this.publish(idBytes.slice())
      }
    }
  }

  /** A transaction attached on this node (a wallet send, spam, settlement) goes out to the network. */
  private publish(id: Uint8Array): void {
    const bytes = this.ledger.bytesOf(id)
    if (!bytes) return
    this.pubsub.publish(this.topic, bytes).then(
      () => this.counters.published++,
      (error: unknown) => this.log(`dv2g node: could not publish ${toHex(id)}: ${error instanceof Error ? error.message : String(error)}`)
    )
  }

  private giveUpOnOldHeld(): void {
    const cutoff = Date.now() - HELD_TIMEOUT_MS
    for (const [id, waiting] of this.waiting) {
      if (waiting.sinceMs > cutoff) continue
      this.waiting.delete(id)
      this.pubsub.reportMessageValidationResult(id, waiting.source, TopicValidatorResult.Ignore)
    }
  }
}
