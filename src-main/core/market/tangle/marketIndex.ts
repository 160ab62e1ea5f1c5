// The market's messages, read from the ledger once a milestone confirms them, into
// market_messages (migration 007): what every node then asks of the market (who is registered,
// which runs exist, a slot's inputs and results) is a query in milestone order, the order all
// nodes share. Only confirmed messages count: two nodes that hold the same milestones read
// the same market.
import { DATA_TOPIC_AT, decodeTransaction, encodedTopic } from '../../ledger/codec'
import type { WritableDB } from '../../db/connection'
import { TxKind } from '../../ledger/transaction'
import { isMarketTopic, MARKET_TOPICS, parseBody, type MarketTopic } from './messages'
import { readResultPart } from './result'

const CURSOR_KEY = 'market_index_milestone'
/** SQL true for a data transaction of a market topic: other data (spam, meter summaries) is never read out or decoded */
const IS_MARKET_DATA = `b.kind = ${TxKind.Data} AND (${Object.values(MARKET_TOPICS)
  .map((topic) => encodedTopic(topic))
  .map((encoded) => `substr(b.bytes, ${DATA_TOPIC_AT + 1}, ${encoded.length}) = X'${Buffer.from(encoded).toString('hex')}'`)
  .join(' OR ')})`
/** milestones indexed per call: a node catching up on a long history does it a slice at a time */
const MILESTONES_PER_CALL = 50

export interface MarketMessage {
  seq: number
  milestone: number
  position: number
  topic: MarketTopic
  runId: string | null
  t: number | null
  participant: string | null
  issuer: Uint8Array
  timestampMs: number
  body: Uint8Array
  /** why the body could not be read, or null */
  problem: string | null
}

type Place = { runId: string | null; t: number | null; participant: string | null; problem: string | null; digest: string | null }

interface MessageRow {
  seq: number
  milestone: number
  position: number
  topic: string
  run_id: string | null
  t: number | null
  participant: string | null
  issuer: Buffer
  timestamp_ms: number
  body: Buffer
  problem: string | null
  digest: string | null
}

const toMessage = (row: MessageRow): MarketMessage => ({
  seq: row.seq,
  milestone: row.milestone,
  position: row.position,
  topic: row.topic as MarketTopic,
  runId: row.run_id,
  t: row.t,
  participant: row.participant,
  issuer: new Uint8Array(row.issuer),
  timestampMs: row.timestamp_ms,
  body: new Uint8Array(row.body),
  problem: row.problem
})

/** Where a message belongs (run, slot, participant), read from its body; or why the body is unreadable. */
function placeOf(topic: MarketTopic, body: Uint8Array): Place {
  const unreadable = (problem: string): Place => ({ runId: null, t: null, participant: null, problem, digest: null })
  if (topic === MARKET_TOPICS.result) {
    const part = readResultPart(body)
    return part.ok
      ? { runId: part.header.run, t: part.header.t, participant: null, problem: null, digest: part.header.digest }
      : unreadable(part.reason)
  }
  const parsed = parseBody(topic, body)
  if (!parsed.ok) return unreadable(parsed.reason)
  const value = parsed.value as { run?: string; t?: number; id?: string }
  return {
    runId: value.run ?? null,
    t: value.t ?? null,
    participant: topic === MARKET_TOPICS.run ? null : (value.id ?? null),
    problem: null,
    digest: null
  }
}

export class MarketIndex {
  private readonly readCursor: () => unknown
  private readonly writeCursor: (milestone: number) => void
  private readonly latestMilestone: () => number
  private readonly confirmedData: (
    after: number,
    upTo: number
  ) => { seq: number; milestone: number; position: number; issuer: Buffer; timestamp_ms: number; bytes: Buffer }[]
  private readonly insert: (m: Omit<MessageRow, 'issuer' | 'body'> & { issuer: Uint8Array; body: Uint8Array }) => void

  constructor(private readonly db: WritableDB) {
    const read = db.prepare<[string], unknown>('SELECT value FROM ledger_meta WHERE key = ?').pluck()
    const write = db.prepare<[string, number]>(
      'INSERT INTO ledger_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'
    )
    this.readCursor = () => read.get(CURSOR_KEY)
    this.writeCursor = (milestone) => write.run(CURSOR_KEY, milestone)
    const latest = db.prepare<[], number>('SELECT coalesce(max(idx), 0) FROM milestones').pluck()
    this.latestMilestone = () => latest.get()!
    const data = db.prepare<[number, number], ReturnType<typeof this.confirmedData>[number]>(
      `SELECT r.seq, r.milestone, r.position, b.issuer, b.timestamp_ms, b.bytes FROM milestone_refs r JOIN transaction_bodies b ON b.seq = r.seq
       WHERE r.milestone > ? AND r.milestone <= ? AND r.position IS NOT NULL AND ${IS_MARKET_DATA} ORDER BY r.milestone, r.position`
    )
    this.confirmedData = (after, upTo) => data.all(after, upTo)
    const insert = db.prepare<Parameters<typeof this.insert>[0]>(
      `INSERT OR IGNORE INTO market_messages (seq, milestone, position, topic, run_id, t, participant, issuer, timestamp_ms, body, problem, digest)
       VALUES (@seq, @milestone, @position, @topic, @run_id, @t, @participant, @issuer, @timestamp_ms, @body, @problem, @digest)`
    )
    this.insert = (m) => insert.run(m)
  }

  /** The last milestone whose market messages are indexed (0 before any). */
  get indexedMilestone(): number {
    const value = this.readCursor()
    return typeof value === 'number' ? value : 0
  }

  /**
   * Indexes the market messages of milestones applied since the last call, up to a slice of
   * them, in one commit with the cursor. Returns the milestone indexed up to.
   */
  catchUp(): number {
    const from = this.indexedMilestone
    const upTo = Math.min(this.latestMilestone(), from + MILESTONES_PER_CALL)
    if (upTo <= from) return from
    this.db.transaction(() => {
      for (const row of this.confirmedData(from, upTo)) {
        const { payload } = decodeTransaction(row.bytes).tx
        if (payload.kind !== TxKind.Data || !isMarketTopic(payload.topic)) continue
        const place = placeOf(payload.topic, payload.body)
        this.insert({
          seq: row.seq,
          milestone: row.milestone,
          position: row.position,
          topic: payload.topic,
          run_id: place.runId,
          t: place.t,
          participant: place.participant,
          issuer: row.issuer,
          timestamp_ms: row.timestamp_ms,
          body: payload.body,
          problem: place.problem,
          digest: place.digest
        })
      }
      this.writeCursor(upTo)
    })()
    return upTo
  }

  /** Indexes until the cursor reaches the latest milestone. */
  catchUpAll(): number {
    let reached = this.indexedMilestone
    for (let next = this.catchUp(); next > reached; next = this.catchUp()) reached = next
    return reached
  }

  /** Messages of these topics confirmed by milestone `upTo` or earlier, in milestone order. */
  byTopic(topics: readonly MarketTopic[], upTo = Number.MAX_SAFE_INTEGER): MarketMessage[] {
    const rows = this.db
      .prepare<unknown[], MessageRow>(
        `SELECT * FROM market_messages WHERE topic IN (${topics.map(() => '?').join(', ')}) AND milestone <= ? ORDER BY milestone, position`
      )
      .all(...topics, upTo)
    return rows.map(toMessage)
  }

  /** A run's messages of these topics, in milestone order. */
  byRun(runId: string, topics: readonly MarketTopic[]): MarketMessage[] {
    const rows = this.db
      .prepare<unknown[], MessageRow>(
        `SELECT * FROM market_messages WHERE run_id = ? AND topic IN (${topics.map(() => '?').join(', ')}) ORDER BY milestone, position`
      )
      .all(runId, ...topics)
    return rows.map(toMessage)
  }

  /** A run's result parts, in milestone order. */
  resultsOf(runId: string): MarketMessage[] {
    const rows = this.db
      .prepare<unknown[], MessageRow>('SELECT * FROM market_messages WHERE run_id = ? AND digest IS NOT NULL ORDER BY milestone, position')
      .all(runId)
    return rows.map(toMessage)
  }

  /** Result parts of results this node has no verdict on yet, in milestone order: what the verifier looks at, however long the history. */
  unverifiedResults(): MarketMessage[] {
    const rows = this.db
      .prepare<unknown[], MessageRow>(
        `SELECT m.* FROM market_messages m WHERE m.digest IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM market_verifications v WHERE v.run_id = m.run_id AND v.t = m.t AND v.digest = m.digest)
         ORDER BY m.milestone, m.position`
      )
      .all()
    return rows.map(toMessage)
  }

  /** A slot's messages of these topics, in milestone order (confirmed by any milestone so far). */
  ofSlot(runId: string, t: number, topics: readonly MarketTopic[]): MarketMessage[] {
    const rows = this.db
      .prepare<unknown[], MessageRow>(
        `SELECT * FROM market_messages WHERE run_id = ? AND t = ? AND topic IN (${topics.map(() => '?').join(', ')}) ORDER BY milestone, position`
      )
      .all(runId, t, ...topics)
    return rows.map(toMessage)
  }

  /** The id of a stored transaction by its seq. */
  txIdOf(seq: number): Uint8Array {
    const id = this.db.prepare<[number], Buffer>('SELECT id FROM transactions WHERE seq = ?').pluck().get(seq)!
    return new Uint8Array(id)
  }
}
