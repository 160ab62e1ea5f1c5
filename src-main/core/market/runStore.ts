// Market runs and their slots in SQLite (migration 003). Every row read back is parsed with zod,
// not cast: a damaged row is named (run, slot, column) when it is read, instead of surfacing later
// as a wrong figure on a chart or the ledger.
import { z } from 'zod'
import { marketClockSchema, slotOutcomeSchema } from '../../../src-shared/contract'
import type { DayState, SlotOutcome } from '../../../src-shared/market/day'
import { scenarioSchema, type Scenario } from '../../../src-shared/market/scenario'
import type { WritableDB } from '../db/connection'
import { runAnnouncementSchema, type RunAnnouncement } from './tangle/messages'
import { Dv2gError } from '../../../src-shared/errors'

/** A run or slot missing, or a row that does not read back: the message names which. */
export class RunStoreError extends Dv2gError {
  constructor(
    message: string,
    readonly notFound = false
  ) {
    super(notFound ? 'not_found' : 'invalid_argument', message)
  }
}

/** A JSON column, parsed and then checked against its schema. */
const json = <S extends z.ZodType>(schema: S) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not JSON' })
        return z.NEVER
      }
    })
    .pipe(schema)

const flag = z.union([z.literal(0), z.literal(1)]).transform((v) => v === 1)
const statusSchema = z.enum(['running', 'paused', 'finished', 'stopped'])
const dayStateSchema = z.object({ batteryKWh: z.array(z.number()), storageKWh: z.array(z.number()) })

/** What each participant did in a slot, beside the slot's outcome: the day's per-participant series. */
const participantsSchema = z.object({
  evs: z.array(
    z.object({ id: z.string(), pcr: z.number().nullable(), exportableKWh: z.number(), soldKWh: z.number(), batteryKWh: z.number() })
  ),
  grids: z.array(
    z.object({ id: z.string(), pcr: z.number().nullable(), demandCapKWh: z.number(), boughtKWh: z.number(), storageKWh: z.number() })
  )
})
export type SlotParticipants = z.infer<typeof participantsSchema>

const settlementSchema = z.object({
  slot: z.number().int(),
  transfers: z.array(z.object({ buyer: z.string(), seller: z.string(), amount: z.string(), id: z.string() })),
  records: z.array(z.string())
})

const runRowSchema = z
  .object({
    id: z.string(),
    scenario_name: z.string(),
    scenario: json(scenarioSchema),
    clock: marketClockSchema,
    slot_seconds: z.number().positive().nullable(),
    settle: flag,
    status: statusSchema,
    next_slot: z.number().int().min(0),
    state: json(dayStateSchema),
    created_at: z.string(),
    finished_at: z.string().nullable(),
    announcement: json(runAnnouncementSchema).nullable()
  })
  .transform((r) => ({
    id: r.id,
    scenarioName: r.scenario_name,
    scenario: r.scenario,
    clock: r.announcement ? ('network' as const) : r.clock,
    /** a network run's announcement on the tangle: its slot times, price caps and game */
    network: r.announcement,
    slotSeconds: r.slot_seconds,
    settle: r.settle,
    status: r.status,
    nextSlot: r.next_slot,
    state: r.state,
    createdAt: r.created_at,
    finishedAt: r.finished_at
  }))
export type StoredRun = z.infer<typeof runRowSchema>

const slotRowSchema = z
  .object({
    t: z.number().int(),
    converged: flag,
    outcome: json(slotOutcomeSchema),
    participants: json(participantsSchema),
    settlement: json(settlementSchema).nullable(),
    settle_error: z.string().nullable()
  })
  .transform((r) => ({
    t: r.t,
    converged: r.converged,
    outcome: r.outcome,
    participants: r.participants,
    settlement: r.settlement,
    settleError: r.settle_error
  }))
export type StoredSlot = z.infer<typeof slotRowSchema>

const totalsSchema = z.object({ solved: z.number(), settled: z.number(), unconverged: z.number(), traded: z.number(), paid: z.number() })
export type RunTotals = z.infer<typeof totalsSchema>

function parsed<S extends z.ZodType>(schema: S, row: unknown, where: string): z.output<S> {
  const result = schema.safeParse(row)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  throw new RunStoreError(`${where}: the stored ${issue.path.join('.') || 'row'} is damaged (${issue.message})`)
}

export class RunStore {
  private readonly sql

  constructor(private readonly db: WritableDB) {
    this.sql = {
      // a stored row is read as unknown and parsed (runRowSchema, slotRowSchema): an older release may have written it
      run: db.prepare<[string], unknown>(
        'SELECT r.*, n.announcement FROM market_runs r LEFT JOIN market_network_runs n ON n.run_id = r.id WHERE r.id = ?'
      ),
      insertNetwork: db.prepare<[string, string, string]>('INSERT INTO market_network_runs (run_id, announcement, tx_id) VALUES (?, ?, ?)'),
      runIds: db.prepare<[], string>('SELECT id FROM market_runs ORDER BY created_at DESC, rowid DESC').pluck(),
      slots: db.prepare<[string], { t: unknown }>(
        'SELECT t, converged, outcome, participants, settlement, settle_error FROM market_slots WHERE run_id = ? ORDER BY t'
      ),
      slot: db.prepare<[string, number], unknown>(
        'SELECT t, converged, outcome, participants, settlement, settle_error FROM market_slots WHERE run_id = ? AND t = ?'
      ),
      insertRun: db.prepare(
        `INSERT INTO market_runs (id, scenario_name, scenario, clock, slot_seconds, settle, status, next_slot, state, created_at, finished_at)
         VALUES (:id, :scenarioName, :scenario, :clock, :slotSeconds, :settle, :status, :nextSlot, :state, :createdAt, :finishedAt)`
      ),
      insertSlot: db.prepare(
        `INSERT INTO market_slots (run_id, t, converged, clearing_price, traded_kwh, paid, outcome, participants, solved_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
      ),
      advance: db.prepare<[number, string, string]>('UPDATE market_runs SET next_slot = ?, state = ? WHERE id = ?'),
      setScenario: db.prepare<[string, string]>('UPDATE market_runs SET scenario = ? WHERE id = ?'),
      setStatus: db.prepare<[string, string]>('UPDATE market_runs SET status = ? WHERE id = ?'),
      finish: db.prepare<[string, string, string]>('UPDATE market_runs SET status = ?, finished_at = ? WHERE id = ?'),
      pauseRunning: db.prepare<[]>("UPDATE market_runs SET status = 'paused' WHERE status = 'running'"),
      settled: db.prepare<[string, string, number]>(
        'UPDATE market_slots SET settlement = ?, settle_error = NULL WHERE run_id = ? AND t = ?'
      ),
      settleError: db.prepare<[string, string, number]>('UPDATE market_slots SET settle_error = ? WHERE run_id = ? AND t = ?'),
      totals: db.prepare(
        `SELECT count(*) AS solved, coalesce(sum(settlement IS NOT NULL), 0) AS settled, coalesce(sum(converged = 0), 0) AS unconverged,
                coalesce(sum(traded_kwh), 0) AS traded, coalesce(sum(paid), 0) AS paid FROM market_slots WHERE run_id = ?`
      )
    }
  }

  run(runId: string): StoredRun {
    const row = this.sql.run.get(runId)
    if (!row) throw new RunStoreError(`no market run ${runId}`, true)
    return parsed(runRowSchema, row, `market run ${runId}`)
  }

  /** Newest first. */
  runIds(): string[] {
    return this.sql.runIds.all()
  }

  slots(runId: string): StoredSlot[] {
    return this.sql.slots.all(runId).map((row) => parsed(slotRowSchema, row, `market run ${runId}, slot ${String(row.t)}`))
  }

  slot(runId: string, t: number): StoredSlot | undefined {
    const row = this.sql.slot.get(runId, t)
    return row === undefined ? undefined : parsed(slotRowSchema, row, `market run ${runId}, slot ${t}`)
  }

  /** A network run is stored as an accelerated one with its announcement beside it (migration 007). */
  insertRun(
    run: Omit<StoredRun, 'finishedAt' | 'network'> & {
      finishedAt?: string | null
      network?: { announcement: RunAnnouncement; txId: string }
    }
  ): void {
    const { network, ...row } = run
    this.sql.insertRun.run({
      ...row,
      clock: row.clock === 'network' ? 'accelerated' : row.clock,
      scenario: JSON.stringify(run.scenario),
      state: JSON.stringify(run.state),
      settle: run.settle ? 1 : 0,
      finishedAt: run.finishedAt ?? null
    })
    if (network) this.sql.insertNetwork.run(run.id, JSON.stringify(network.announcement), network.txId)
  }

  insertSlot(runId: string, outcome: SlotOutcome, participants: SlotParticipants, solvedAt: string): void {
    this.sql.insertSlot.run(
      runId,
      outcome.t,
      outcome.converged ? 1 : 0,
      outcome.clearingPrice,
      outcome.tradedKWh,
      outcome.totalPaid,
      JSON.stringify(outcome),
      JSON.stringify(participants),
      solvedAt
    )
  }

  /** The slot the run goes on with, and the batteries and storage it carries into it. */
  advance(runId: string, nextSlot: number, state: DayState): void {
    this.sql.advance.run(nextSlot, JSON.stringify(state), runId)
  }

  setScenario(runId: string, scenario: Scenario): void {
    this.sql.setScenario.run(JSON.stringify(scenario), runId)
  }

  setStatus(runId: string, status: StoredRun['status']): void {
    this.sql.setStatus.run(status, runId)
  }

  finish(runId: string, status: 'finished' | 'stopped', at: string): void {
    this.sql.finish.run(status, at, runId)
  }

  /** At start-up: a run that was running when the app stopped waits for the operator to resume it. */
  pauseRunning(): void {
    this.sql.pauseRunning.run()
  }

  recordSettlement(runId: string, t: number, settlement: z.input<typeof settlementSchema>): void {
    this.sql.settled.run(JSON.stringify(settlement), runId, t)
  }

  recordSettleError(runId: string, t: number, message: string): void {
    this.sql.settleError.run(message, runId, t)
  }

  totals(runId: string): RunTotals {
    return parsed(totalsSchema, this.sql.totals.get(runId), `market run ${runId}'s totals`)
  }

  /** Runs work in one SQLite transaction. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)()
  }
}
