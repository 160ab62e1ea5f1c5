// Every node solves every published result again (docs/market.md, "Verification"): from the milestone
// the result names, it reads the registrations and the slot's input set as that milestone fixed
// them, solves with the run's announced prices and game, and compares field by field. A result
// not signed by the operator, or whose parts do not join, is a mismatch too. Each result (by
// the digest of its parts) is verified once, and the verdict stored.
import type { Db } from '../../db/connection'
import { toHex } from '../../ledger/hash'
import { resultDifferences, solveInputSet } from './clearing'
import { inputSetAt, isOperator, registryAt } from './inputSet'
import type { MarketIndex, MarketMessage } from './marketIndex'
import { MARKET_TOPICS, parseBody, type RunAnnouncement } from './messages'
import { assembleResult, readResultPart, type MarketResult, type ResultPartHeader } from './result'

export interface Verification {
  run: string
  t: number
  digest: string
  /** the milestone the result names, when its parts could be read */
  milestone: number | null
  inputs: number | null
  matches: boolean
  differences: string[]
}

/** A result's parts as published: those that agree on a digest, by part number. */
interface PartGroup {
  header: ResultPartHeader
  parts: Map<number, { chunk: Uint8Array; issuer: Uint8Array }>
}

/** The operator-announced runs by id (the first announcement of an id counts). */
export function announcedRuns(index: MarketIndex, operatorKeys: readonly Uint8Array[]): Map<string, RunAnnouncement> {
  const runs = new Map<string, RunAnnouncement>()
  for (const message of index.byTopic([MARKET_TOPICS.run])) {
    if (message.problem || !isOperator(message.issuer, operatorKeys)) continue
    const parsed = parseBody(MARKET_TOPICS.run, message.body)
    if (parsed.ok && !runs.has(parsed.value.run)) runs.set(parsed.value.run, parsed.value)
  }
  return runs
}

export class ResultVerifier {
  private readonly verified: (run: string, t: number, digest: string) => boolean
  private readonly record: (v: Verification, nowMs: number) => void

  constructor(
    private readonly db: Db,
    private readonly index: MarketIndex,
    private readonly operatorKeys: () => readonly Uint8Array[]
  ) {
    const has = db.prepare('SELECT 1 FROM market_verifications WHERE run_id = ? AND t = ? AND digest = ?')
    this.verified = (run, t, digest) => has.get(run, t, digest) !== undefined
    const insert = db.prepare(
      'INSERT OR IGNORE INTO market_verifications (run_id, t, digest, milestone, inputs, matches, differences, checked_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
    )
    this.record = (v, nowMs) =>
      insert.run(v.run, v.t, v.digest, v.milestone, v.inputs, v.matches ? 1 : 0, JSON.stringify(v.differences), nowMs)
  }

  /** Verifies every result whose parts are all confirmed here and that has no verdict yet. */
  verifyPending(nowMs = Date.now()): Verification[] {
    const keys = this.operatorKeys()
    const runs = announcedRuns(this.index, keys)
    const made: Verification[] = []
    for (const group of completeGroups(this.index.unverifiedResults())) {
      const { run, t, digest } = group.header
      if (this.verified(run, t, digest)) continue
      const verification = this.verify(group, runs.get(run), keys)
      this.record(verification, nowMs)
      made.push(verification)
    }
    return made
  }

  private verify(group: PartGroup, run: RunAnnouncement | undefined, keys: readonly Uint8Array[]): Verification {
    const { header } = group
    const verdict = (result: MarketResult | null, differences: string[]): Verification => ({
      run: header.run,
      t: header.t,
      digest: header.digest,
      milestone: result?.milestone ?? null,
      inputs: result?.inputs ?? null,
      matches: differences.length === 0,
      differences
    })
    const parts = chunksOf(group)
    const assembled = assembleResult(
      header,
      parts.map((p) => p.chunk)
    )
    const result = assembled.ok ? assembled.result : null
    const strangers = [...new Set(parts.filter((p) => !isOperator(p.issuer, keys)).map((p) => toHex(p.issuer).slice(0, 16)))]
    if (strangers.length) return verdict(result, [`signed by ${strangers.join(', ')}…, not by the operator`])
    if (!assembled.ok) return verdict(null, [assembled.reason])
    if (!run) return verdict(result, [`run ${header.run} was never announced by the operator`])
    if (header.t >= run.slots) return verdict(result, [`run ${header.run} has ${run.slots} slots, not a slot ${header.t + 1}`])
    const registry = registryAt(this.index, keys, assembled.result.milestone)
    const inputs = inputSetAt(this.index, run, header.t, assembled.result.milestone, registry)
    const computed = solveInputSet(run, header.t, inputs, { trace: false }).result
    return verdict(assembled.result, resultDifferences(assembled.result, computed))
  }
}

/** Result parts grouped by (run, slot, digest), in the order their first parts were confirmed: the groups whose every part is here. */
function completeGroups(messages: readonly MarketMessage[]): PartGroup[] {
  const groups = new Map<string, PartGroup>()
  for (const message of messages) {
    const part = partOf(message)
    if (!part) continue
    const key = `${part.header.run}\u0000${part.header.t}\u0000${part.header.digest}`
    let group = groups.get(key)
    if (!group) groups.set(key, (group = { header: part.header, parts: new Map() }))
    // the first copy of a part counts; parts that disagree on the count are not this group's
    if (part.header.parts === group.header.parts && !group.parts.has(part.header.part))
      group.parts.set(part.header.part, { chunk: part.chunk, issuer: message.issuer })
  }
  return [...groups.values()].filter((g) => g.parts.size === g.header.parts)
}

const chunksOf = (group: PartGroup) => [...group.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, part]) => part)

/**
 * The operator's result of each slot of a run, by slot (the first confirmed, whole and signed by
 * the operator): what an agent follows, its battery after the slot, before any verdict.
 */
export function operatorResults(index: MarketIndex, operatorKeys: readonly Uint8Array[], runId: string): Map<number, MarketResult> {
  const results = new Map<number, MarketResult>()
  for (const group of completeGroups(index.resultsOf(runId))) {
    if (results.has(group.header.t)) continue
    const parts = chunksOf(group)
    if (!parts.every((p) => isOperator(p.issuer, operatorKeys))) continue
    const assembled = assembleResult(
      group.header,
      parts.map((p) => p.chunk)
    )
    if (assembled.ok) results.set(group.header.t, assembled.result)
  }
  return results
}

function partOf(message: MarketMessage): { header: ResultPartHeader; chunk: Uint8Array } | null {
  if (message.problem) return null
  const part = readResultPart(message.body)
  return part.ok ? part : null
}
