// The market on the tangle as a node's service: the operator registers and revokes participants
// and publishes runs and results; every node indexes what milestones confirm and verifies every
// result, on a timer while the node runs.
import type { KeyObject } from 'node:crypto'
import type { MarketLedger } from '../ledgerPort'
import type { Db } from '../../db/connection'
import { TxKind } from '../../ledger/transaction'
import type { MethodOutput } from '../../../../src-shared/contract'
import { addressOf } from '../../ledger/address'
import { decodeAddress, encodeAddress } from '../../wallet/keys'
import { milestoneIssuerWallet } from '../../wallet/wallets'
import { deliveriesOf, type SlotDelivery } from './delivery'
import { inputSetAt, registryAt, type Participant } from './inputSet'
import { MarketIndex } from './marketIndex'
import { encodeBody, MARKET_TOPICS, registrationSchema, type MarketTopic, type Registration, type RunAnnouncement } from './messages'
import { announcedRuns, operatorResults, ResultVerifier, type Verification } from './verifier'
import { Dv2gError, type RefusalOptions } from '../../../../src-shared/errors'

/** A request the market cannot carry out (a locked keystore, no operator wallet, a bad address): the message says which. */
export class MarketTangleError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'invalid_argument', message, options)
  }
}

/** how often a running node indexes newly confirmed market messages and verifies new results */
export const FOLLOW_MS = 250

export type SlotInputs = MethodOutput<'market.slotInputs'>

export interface SlotVerification {
  t: number
  milestone: number | null
  inputs: number | null
  matches: boolean
  differences: string[]
}

/** A registration as it is published: its fields checked, its address in canonical form. */
function checkedRegistration(input: Registration): Registration {
  const parsed = registrationSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const field = issue.path.join('.')
    throw new MarketTangleError(`${field}: ${issue.message}`, field ? { field } : {})
  }
  try {
    return { ...parsed.data, address: encodeAddress(decodeAddress(parsed.data.address)) }
  } catch (error) {
    throw new MarketTangleError(`address: ${(error as Error).message}`, { field: 'address' })
  }
}

export class MarketTangle {
  readonly index: MarketIndex
  readonly verifier: ResultVerifier
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly db: Db,
    private readonly ledger: () => MarketLedger
  ) {
    this.index = new MarketIndex(db)
    this.verifier = new ResultVerifier(db, this.index, () => this.operatorKeys())
  }

  /** The public keys the genesis names as milestone issuers: the operator's, who alone registers and clears. */
  operatorKeys(): Uint8Array[] {
    return this.ledger().ledger.genesisIssuers()
  }

  /** The operator's signing key from the unlocked keystore. */
  operatorKey(): KeyObject {
    const { wallets, ledger } = this.ledger()
    if (ledger.isEmpty)
      throw new MarketTangleError(
        'the tangle has no genesis yet: create the operator wallet first (dv2g wallet create --name treasury --role operator)'
      )
    if (!wallets.keystore.isUnlocked) throw new MarketTangleError('the keystore is locked: unlock it to sign as the operator')
    const wallet = milestoneIssuerWallet(wallets.keystore, ledger)
    if (!wallet)
      throw new MarketTangleError(
        "this data dir does not hold the operator's wallet (the milestone issuer its genesis names): only the operator registers participants and clears the market"
      )
    return wallets.keystore.key(wallet.name).privateKey
  }

  /** Attaches a market message signed by `key`; its transaction id. */
  publish(key: KeyObject, topic: MarketTopic, body: Uint8Array): string {
    const outcome = this.ledger().ledger.attach(key, { kind: TxKind.Data, topic, body })
    if (outcome.status !== 'accepted')
      throw new MarketTangleError(`the ${topic} transaction was refused: ${'reason' in outcome ? outcome.reason : outcome.status}`)
    return outcome.id
  }

  /** Binds a wallet address to a participant id and role; final once a milestone confirms it. */
  register(input: Registration): { tx: string } {
    return { tx: this.publish(this.operatorKey(), MARKET_TOPICS.register, encodeBody(checkedRegistration(input))) }
  }

  /**
   * Registers many at once (a swarm's participants): every entry is checked before any is
   * published, and one already registered with the same role and address is left as it is.
   */
  registerAll(inputs: readonly Registration[]): { registered: number; unchanged: number } {
    const checked = inputs.map((input, i) => {
      try {
        return checkedRegistration(input)
      } catch (error) {
        throw new MarketTangleError(`participant ${i + 1} (${JSON.stringify(input.id)}): ${(error as Error).message}`)
      }
    })
    const current = new Map(this.participants().map((p) => [p.id, p]))
    const changed = checked.filter((r) => current.get(r.id)?.role !== r.role || current.get(r.id)?.address !== r.address)
    const key = changed.length ? this.operatorKey() : undefined
    for (const registration of changed) this.publish(key!, MARKET_TOPICS.register, encodeBody(registration))
    return { registered: changed.length, unchanged: checked.length - changed.length }
  }

  /** Ends a participant's registration: its inputs from then on are left out. */
  revoke(id: string): { tx: string } {
    if (!this.participants().some((p) => p.id === id))
      throw new MarketTangleError(`no participant ${JSON.stringify(id)} is registered (as confirmed so far)`)
    return { tx: this.publish(this.operatorKey(), MARKET_TOPICS.revoke, encodeBody({ id })) }
  }

  /** The participants registered as the latest indexed milestone confirmed them, in registration order. */
  participants(): Participant[] {
    this.index.catchUpAll()
    const registry = registryAt(this.index, this.operatorKeys(), this.index.indexedMilestone)
    return [...registry.byId.values()].sort((a, b) => a.order - b.order)
  }

  /** The registered participants with the last input this node holds from each (confirmed, signed by its wallet). */
  participantsWithLastInput(): (Participant & { lastInput: { run: string; t: number; atMs: number } | null })[] {
    const participants = this.participants()
    const byId = new Map(participants.map((p) => [p.id, p]))
    const last = new Map<string, { run: string; t: number; atMs: number }>()
    for (const message of this.index.byTopic([MARKET_TOPICS.offer, MARKET_TOPICS.bid]).reverse()) {
      const participant = message.participant && byId.get(message.participant)
      if (!participant || last.has(participant.id) || message.problem) continue
      if (encodeAddress(addressOf(message.issuer)) !== participant.address) continue
      last.set(participant.id, { run: message.runId!, t: message.t!, atMs: message.timestampMs })
    }
    return participants.map((p) => ({ ...p, lastInput: last.get(p.id) ?? null }))
  }

  /**
   * A network run's slot t (0-based) as the console shows it: the inputs its result was solved
   * from (or, before its close, the ones confirmed so far), with their source, the ones left out
   * with their reasons, and what this node found when it solved the result again.
   */
  slotInputs(runId: string, t: number): SlotInputs {
    this.refresh()
    const keys = this.operatorKeys()
    const run = this.announcedRun(runId)
    const result = operatorResults(this.index, keys, runId).get(t)
    const milestone = result?.milestone ?? this.index.indexedMilestone
    const set = inputSetAt(this.index, run, t, milestone, registryAt(this.index, keys, milestone))
    const verdicts = this.storedVerifications(runId, t)
    const verdict = verdicts.find((v) => !v.matches) ?? verdicts[0]
    return {
      milestone: result ? result.milestone : null,
      inputs: [
        ...set.offers.map((o) => ({
          participant: o.participant.id,
          kind: 'offer' as const,
          wallet: o.participant.address,
          tx: o.tx,
          energyWh: o.value.supplyWh,
          reservePrice: o.value.reservePrice,
          xi: null,
          kappa: null
        })),
        ...set.bids.map((b) => ({
          participant: b.participant.id,
          kind: 'bid' as const,
          wallet: b.participant.address,
          tx: b.tx,
          energyWh: b.value.demandCapWh,
          reservePrice: null,
          xi: b.value.xi,
          kappa: b.value.kappa
        }))
      ],
      excluded: set.excluded,
      verification: verdict ? { matches: verdict.matches, differences: verdict.differences } : null
    }
  }

  /** Each solved slot of a network run: what its EVs sold and what their meters say they delivered. */
  deliveries(runId: string): { run: string; slots: SlotDelivery[] } {
    this.refresh()
    return { run: runId, slots: deliveriesOf(this.index, this.operatorKeys(), this.announcedRun(runId)) }
  }

  private announcedRun(runId: string): RunAnnouncement {
    const run = announcedRuns(this.index, this.operatorKeys()).get(runId)
    if (!run)
      throw new MarketTangleError(
        `run ${runId} was not announced on this tangle (not a network run, or its announcement is not confirmed yet)`
      )
    return run
  }

  /** Indexes what milestones confirmed since the last call and verifies the results now complete. */
  refresh(): Verification[] {
    if (this.ledger().ledger.isEmpty) return []
    this.index.catchUp()
    return this.verifier.verifyPending()
  }

  /** What this node found for a run's results, slot by slot (a slot may have more than one result). */
  verifications(runId: string, t?: number): { run: string; slots: SlotVerification[] } {
    this.refresh()
    return { run: runId, slots: this.storedVerifications(runId, t) }
  }

  /** The verdicts recorded here, without indexing or verifying first. */
  private storedVerifications(runId: string, t?: number): SlotVerification[] {
    const rows = this.db
      .prepare<unknown[], { t: number; milestone: number | null; inputs: number | null; matches: number; differences: string }>(
        `SELECT t, milestone, inputs, matches, differences FROM market_verifications WHERE run_id = ? ${t === undefined ? '' : 'AND t = ?'} ORDER BY t, checked_ms`
      )
      .all(...(t === undefined ? [runId] : [runId, t]))
    return rows.map((r) => ({
      t: r.t,
      milestone: r.milestone,
      inputs: r.inputs,
      matches: r.matches === 1,
      differences: JSON.parse(r.differences) as string[]
    }))
  }

  /** Follows the tangle while the node runs. */
  follow(onVerified: (verifications: Verification[]) => void = () => {}): void {
    if (this.timer) return
    this.timer = setInterval(() => {
      try {
        const made = this.refresh()
        if (made.length) onVerified(made)
      } catch (error) {
        console.error('dv2g: market verification:', error)
      }
    }, FOLLOW_MS)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }
}
