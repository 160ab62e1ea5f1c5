// The market as the console sees it: the scenarios, the runs, and the live slot of the run the
// operator follows (its iterations arrive in batches from 'market.iterations', its result from
// 'market.slotSolved'). History loads a run's whole day on demand.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { EventPayload, MarketRun, MethodInput, MethodOutput } from '../../src-shared/contract'
import type { SlotOutcome, SlotTrace } from '../../src-shared/market/day'
import { call, CallError, errorMessage, onEvent } from '../api'

type Scenario = MethodOutput<'market.scenarios'>[number]
type Day = MethodOutput<'market.day'>
type Action = MethodInput<'market.control'>['action']

/** The slot on screen: its iterations so far and, once solved, its outcome. */
export interface LiveSlot {
  runId: string
  t: number
  trace: SlotTrace
  /** iterations announced for the slot; the trace is complete when it holds them all */
  total: number
  outcome: SlotOutcome | null
  settled: boolean
  settleError: string | null
}

export const useMarketStore = defineStore('market', () => {
  const scenarios = ref<Scenario[]>([])
  const runs = ref<MarketRun[]>([])
  const followedRunId = ref<string | null>(null)
  const live = shallowRef<LiveSlot | null>(null)
  const history = shallowRef<Day | null>(null)
  const error = ref<string | null>(null)
  const fieldErrors = ref<Record<string, string>>({})

  const followed = computed(() => runs.value.find((r) => r.id === followedRunId.value) ?? null)

  function upsert(run: MarketRun): void {
    const index = runs.value.findIndex((r) => r.id === run.id)
    if (index < 0) runs.value = [run, ...runs.value]
    else runs.value = runs.value.map((r, i) => (i === index ? run : r))
  }

  onEvent('market.runChanged', upsert)
  onEvent('market.iterations', (batch: EventPayload<'market.iterations'>) => {
    if (batch.runId !== followedRunId.value) return
    const current = live.value
    const same = current && current.runId === batch.runId && current.t === batch.t
    const steps =
      same && batch.from === current.trace.steps.length ? [...current.trace.steps, ...batch.steps] : batch.from === 0 ? batch.steps : null
    if (!steps) return void showSlot(batch.runId, batch.t) // a batch was missed: fetch the whole slot
    live.value = {
      ...(same ? current : { runId: batch.runId, t: batch.t, outcome: null, settled: false, settleError: null }),
      trace: { sellers: batch.sellers, steps },
      total: batch.total
    }
  })
  onEvent('market.slotSolved', ({ runId, outcome, settled, settleError }) => {
    if (history.value?.run.id === runId) void loadDay(runId)
    if (runId !== followedRunId.value) return
    const current = live.value
    const trace =
      current && current.runId === runId && current.t === outcome.t
        ? current.trace
        : { sellers: outcome.sellers.map((s) => s.id), steps: [] }
    live.value = {
      runId,
      t: outcome.t,
      trace,
      total: current?.t === outcome.t ? current.total : outcome.iterations.stackelberg,
      outcome,
      settled,
      settleError
    }
  })

  async function attempt<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await work()
      error.value = null
      fieldErrors.value = {}
      return result
    } catch (failure) {
      error.value = errorMessage(failure)
      fieldErrors.value = failure instanceof CallError ? Object.fromEntries((failure.fields ?? []).map((f) => [f.path, f.message])) : {}
      return undefined
    }
  }

  async function load(): Promise<void> {
    await attempt(async () => {
      ;[scenarios.value, runs.value] = await Promise.all([call('market.scenarios'), call('market.runs')])
      // follow the newest run still open, so reopening the view shows what is going on
      if (!followedRunId.value) {
        const open = runs.value.find((r) => r.status === 'running' || r.status === 'paused')
        if (open) await follow(open.id)
      }
    })
  }

  async function follow(runId: string): Promise<void> {
    followedRunId.value = runId
    const run = runs.value.find((r) => r.id === runId)
    if (run && run.solvedSlots > 0) await showSlot(runId, run.nextSlot - 1)
    else live.value = null
  }

  /** Shows a solved slot of the followed run, with all its iterations. */
  async function showSlot(runId: string, t: number): Promise<void> {
    await attempt(async () => {
      const [outcome, day] = await Promise.all([call('market.slot', { runId, t }), call('market.day', { runId })])
      const status = day.settlement.find((s) => s.t === t)
      live.value = {
        runId,
        t,
        trace: outcome.trace ?? { sellers: outcome.sellers.map((s) => s.id), steps: [] },
        total: outcome.trace?.steps.length ?? 0,
        outcome,
        settled: status?.settled ?? false,
        settleError: status?.error ?? null
      }
    })
  }

  async function start(input: MethodInput<'market.start'>): Promise<void> {
    const run = await attempt(() => call('market.start', input))
    if (!run) return
    upsert(run)
    followedRunId.value = run.id
    live.value = null
  }

  async function control(action: Action): Promise<void> {
    if (!followedRunId.value) return
    const runId = followedRunId.value
    const run = await attempt(() => call('market.control', { runId, action }))
    if (run) upsert(run)
  }

  async function setGame(game: MethodInput<'market.setGame'>['game']): Promise<boolean> {
    if (!followedRunId.value) return false
    const runId = followedRunId.value
    const run = await attempt(() => call('market.setGame', { runId, game }))
    if (run) upsert(run)
    return run !== undefined
  }

  async function settle(runId: string) {
    const result = await attempt(() => call('market.settle', { runId }))
    const first = result?.failed[0]
    // the call succeeds even when slots fail: the operator still has to hear why
    if (first)
      error.value = `${result.failed.length === 1 ? '1 slot was' : `${result.failed.length} slots were`} not settled; slot ${first.t}: ${first.error}`
    if (result && live.value?.runId === runId) await showSlot(runId, live.value.t)
    return result
  }

  async function loadDay(runId: string): Promise<void> {
    const day = await attempt(() => call('market.day', { runId }))
    if (day) history.value = day
  }

  async function tradesCsv(runId: string) {
    return attempt(() => call('market.tradesCsv', { runId }))
  }

  // the market on the network: its participants, the shown slot's inputs, and the verdicts on a run's results
  const participants = ref<MethodOutput<'market.participants'>>([])
  const slotInputs = shallowRef<(MethodOutput<'market.slotInputs'> & { runId: string; t: number }) | null>(null)
  const verifications = shallowRef<{ runId: string; slots: MethodOutput<'market.verifications'> } | null>(null)
  const deliveries = shallowRef<{ runId: string; slots: MethodOutput<'market.deliveries'> } | null>(null)

  async function loadParticipants(): Promise<void> {
    const list = await attempt(() => call('market.participants'))
    if (list) participants.value = list
  }

  async function register(input: MethodInput<'market.register'>): Promise<boolean> {
    const done = await attempt(() => call('market.register', input))
    if (done) await loadParticipants()
    return done !== undefined
  }

  async function revoke(id: string): Promise<void> {
    if (await attempt(() => call('market.revoke', { id }))) await loadParticipants()
  }

  /** The inputs and verdict of a network run's slot; null for a run of a local clock. */
  async function loadSlotInputs(runId: string, t: number): Promise<void> {
    const run = runs.value.find((r) => r.id === runId)
    if (run?.clock !== 'network') return void (slotInputs.value = null)
    const inputs = await attempt(() => call('market.slotInputs', { runId, t }))
    slotInputs.value = inputs ? { ...inputs, runId, t } : null
  }

  async function loadVerifications(runId: string): Promise<void> {
    const slots = await attempt(() => call('market.verifications', { runId }))
    verifications.value = slots ? { runId, slots } : null
  }

  async function loadDeliveries(runId: string): Promise<void> {
    const slots = await attempt(() => call('market.deliveries', { runId }))
    deliveries.value = slots ? { runId, slots } : null
  }

  return {
    scenarios,
    runs,
    followedRunId,
    followed,
    live,
    history,
    error,
    fieldErrors,
    participants,
    slotInputs,
    verifications,
    deliveries,
    load,
    follow,
    showSlot,
    start,
    control,
    setGame,
    settle,
    loadDay,
    tradesCsv,
    loadParticipants,
    register,
    revoke,
    loadSlotInputs,
    loadVerifications,
    loadDeliveries
  }
})
