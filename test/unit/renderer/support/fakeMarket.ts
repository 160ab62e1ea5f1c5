// The market behind the fake bridge: the real pure model (MarketDay) on the default scenario,
// with runs held in memory and advanced only when the test says so ('step', or 'instant' which
// solves the whole day at once), so component tests are exact and need no timers.
import scenarioJson from '../../../../resources/scenarios/paper-3x10.json'
import { ApiError, parseInput, type EventName, type MarketRun, type MethodName, type MethodOutput } from '../../../../src-shared/contract'
import { MarketDay, type SlotOutcome } from '../../../../src-shared/market/day'
import { scenarioSchema, type Scenario } from '../../../../src-shared/market/scenario'

interface FakeRun {
  run: MarketRun
  scenario: Scenario
  day: MarketDay
  slots: SlotOutcome[]
  participants: ReturnType<MarketDay['runSlot']>[]
  settled: Set<number>
}

type Participant = MethodOutput<'market.participants'>[number]
type Verdict = MethodOutput<'market.verifications'>[number]

export function createFakeMarket(emit: (name: EventName, payload: unknown) => void) {
  const runs = new Map<string, FakeRun>()
  let nextId = 1
  // the market on the network: registrations, and the verdicts a test gives a network run's slots
  let participants: Participant[] = []
  const verdicts = new Map<string, Verdict[]>()
  const fakeTx = (n: number) => n.toString(16).padStart(64, '0')

  const summary = (r: FakeRun): MarketRun => ({
    ...r.run,
    nextSlot: r.slots.length + 1,
    solvedSlots: r.slots.length,
    settledSlots: r.settled.size,
    unconvergedSlots: r.slots.filter((s) => !s.converged).length,
    tradedKWh: r.slots.reduce((sum, s) => sum + s.tradedKWh, 0),
    paid: r.slots.reduce((sum, s) => sum + s.totalPaid, 0),
    game: { sigma1: r.scenario.game.sigma1, sigma2: r.scenario.game.sigma2, C: r.scenario.game.C }
  })

  function runOf(runId: string): FakeRun {
    const r = runs.get(runId)
    if (!r) throw new ApiError('not_found', `no market run ${runId}`)
    return r
  }

  function solveNext(r: FakeRun): void {
    const t = r.slots.length
    const slot = r.day.runSlot(t, { trace: true })
    r.slots.push(slot.outcome)
    r.participants.push(slot)
    if (r.run.settle && slot.outcome.converged) r.settled.add(slot.outcome.t)
    emit('market.slotSolved', {
      runId: r.run.id,
      outcome: { ...slot.outcome, trace: null },
      settled: r.settled.has(slot.outcome.t),
      settleError: null
    })
    const trace = slot.outcome.trace
    if (trace) {
      // two batches, as the service sends several
      const half = Math.ceil(trace.steps.length / 2)
      emit('market.iterations', {
        runId: r.run.id,
        t: slot.outcome.t,
        sellers: trace.sellers,
        from: 0,
        steps: trace.steps.slice(0, half),
        total: trace.steps.length
      })
      emit('market.iterations', {
        runId: r.run.id,
        t: slot.outcome.t,
        sellers: trace.sellers,
        from: half,
        steps: trace.steps.slice(half),
        total: trace.steps.length
      })
    }
    if (r.slots.length === r.scenario.slots) r.run = { ...r.run, status: 'finished', finishedAt: new Date(0).toISOString() }
    emit('market.runChanged', summary(r))
  }

  function day(r: FakeRun) {
    const p = r.participants
    return {
      run: summary(r),
      day: {
        scenario: r.scenario.name,
        slots: r.slots.map((s) => ({ ...s, trace: null })),
        evs: r.scenario.evs.map((ev, m) => ({
          id: ev.id,
          pcr: p.map((s) => s.evs.pcr[m]!),
          exportableKWh: p.map((s) => s.evs.exportable[m]!),
          soldKWh: p.map((s) => s.evs.soldKWh[m]!),
          batteryKWh: p.map((s) => s.evs.batteryKWh[m]!)
        })),
        grids: r.scenario.grids.map((g, n) => ({
          id: g.id,
          pcr: p.map((s) => s.grids.pcr[n]!),
          demandCapKWh: p.map((s) => s.grids.demandCaps[n]!),
          boughtKWh: p.map((s) => s.grids.boughtKWh[n]!),
          storageKWh: p.map((s) => s.grids.storageKWh[n]!)
        })),
        converged: r.slots.every((s) => s.converged),
        totalTradedKWh: r.slots.reduce((sum, s) => sum + s.tradedKWh, 0),
        totalPaid: r.slots.reduce((sum, s) => sum + s.totalPaid, 0)
      },
      settlement: r.slots.map((s) => ({ t: s.t, settled: r.settled.has(s.t), error: null }))
    }
  }

  function handle(method: MethodName, rawInput: unknown): unknown {
    switch (method) {
      case 'market.scenarios': {
        const s = scenarioSchema.parse(scenarioJson)
        return [
          {
            name: s.name,
            description: s.description ?? '',
            evs: s.evs.length,
            grids: s.grids.length,
            slots: s.slots,
            currency: s.currency,
            game: { sigma1: s.game.sigma1, sigma2: s.game.sigma2, C: s.game.C }
          }
        ]
      }
      case 'market.start': {
        const input = parseInput(method, rawInput)
        if (input.scenario !== 'paper-3x10') throw new ApiError('not_found', `no scenario named "${input.scenario}"`)
        const scenario = scenarioSchema.parse(scenarioJson)
        scenario.game = { ...scenario.game, ...input.game }
        const id = `00000000-0000-4000-8000-${String(nextId++).padStart(12, '0')}`
        const run: MarketRun = {
          id,
          scenario: scenario.name,
          clock: input.clock,
          slotSeconds: input.slotSeconds ?? null,
          settle: input.settle,
          status: 'running',
          slots: scenario.slots,
          nextSlot: 1,
          solvedSlots: 0,
          settledSlots: 0,
          unconvergedSlots: 0,
          tradedKWh: 0,
          paid: 0,
          currency: scenario.currency,
          tokenBaseUnitsPerCurrencyUnit: scenario.tokenBaseUnitsPerCurrencyUnit,
          game: { sigma1: scenario.game.sigma1, sigma2: scenario.game.sigma2, C: scenario.game.C },
          createdAt: new Date(0).toISOString(),
          finishedAt: null,
          // as in the main process: a paced run's first slot is due at once
          nextSlotAt: input.clock === 'instant' ? null : Date.now()
        }
        const r: FakeRun = { run, scenario, day: new MarketDay(scenario), slots: [], participants: [], settled: new Set() }
        runs.set(id, r)
        if (input.clock === 'instant') while (r.slots.length < scenario.slots) solveNext(r)
        return summary(r)
      }
      case 'market.control': {
        const { runId, action } = parseInput(method, rawInput)
        const r = runOf(runId)
        if (action === 'step') solveNext(r)
        else {
          const status = action === 'pause' ? 'paused' : action === 'resume' ? 'running' : 'stopped'
          r.run = { ...r.run, status, nextSlotAt: status === 'running' ? Date.now() + (r.run.slotSeconds ?? 0) * 1000 : null }
        }
        return summary(r)
      }
      case 'market.setGame': {
        const { runId, game } = parseInput(method, rawInput)
        const r = runOf(runId)
        r.scenario.game = { ...r.scenario.game, ...game }
        return summary(r)
      }
      case 'market.settle': {
        const r = runOf(parseInput(method, rawInput).runId)
        const before = r.settled.size
        r.slots.filter((s) => s.converged).forEach((s) => r.settled.add(s.t))
        return { settled: r.settled.size - before, alreadySettled: before, failed: [] }
      }
      case 'market.runs':
        return [...runs.values()].reverse().map(summary)
      case 'market.day':
        return day(runOf(parseInput(method, rawInput).runId))
      case 'market.slot': {
        const { runId, t } = parseInput(method, rawInput)
        const slot = runOf(runId).slots[t - 1]
        if (!slot) throw new ApiError('not_found', `run ${runId} has no solved slot ${t}`)
        return slot
      }
      case 'market.participants':
        return participants
      case 'market.register': {
        const input = parseInput(method, rawInput)
        participants = [...participants.filter((p) => p.id !== input.id), { ...input, order: participants.length, lastInput: null }]
        return { tx: fakeTx(participants.length) }
      }
      case 'market.revoke': {
        const { id } = parseInput(method, rawInput)
        if (!participants.some((p) => p.id === id)) throw new ApiError('invalid_argument', `no participant "${id}" is registered`)
        participants = participants.filter((p) => p.id !== id)
        return { tx: fakeTx(999) }
      }
      case 'market.slotInputs': {
        const { runId, t } = parseInput(method, rawInput)
        const slot = runOf(runId).slots[t - 1]
        if (!slot) throw new ApiError('not_found', `run ${runId} has no solved slot ${t}`)
        const verdict = verdicts.get(runId)?.find((v) => v.t === t)
        return {
          milestone: 10 + t,
          inputs: [
            ...slot.sellers.map((s, i) => ({
              participant: s.id,
              kind: 'offer',
              wallet: `dv2g1${s.id.toLowerCase()}wallet`,
              tx: fakeTx(100 * t + i),
              energyWh: Math.round(s.supplyKWh * 1000),
              reservePrice: s.reservePrice,
              xi: null,
              kappa: null
            })),
            ...slot.buyers.map((b, i) => ({
              participant: b.id,
              kind: 'bid',
              wallet: `dv2g1${b.id.toLowerCase()}wallet`,
              tx: fakeTx(100 * t + 50 + i),
              energyWh: Math.round(b.demandCapKWh * 1000),
              reservePrice: null,
              xi: 0.3,
              kappa: 0.01
            }))
          ],
          excluded: [{ tx: fakeTx(9000 + t), participant: 'EV99', reason: 'signed by a wallet that is not registered' }],
          verification: verdict ? { matches: verdict.matches, differences: verdict.differences } : null
        }
      }
      case 'market.verifications':
        return verdicts.get(parseInput(method, rawInput).runId) ?? []
      case 'market.deliveries': {
        // EV1's meter reports each solved slot: what it sold give or take 10 Wh, but 2 kWh short in slot 2
        const r = runOf(parseInput(method, rawInput).runId)
        return r.slots.map((slot) => {
          const soldKWh = slot.sellers.find((s) => s.id === 'EV1')?.soldKWh ?? 0
          const deviationKWh = slot.t === 2 ? -2 : 0.01
          return {
            t: slot.t,
            evs: [
              { id: 'EV1', soldKWh, deliveredKWh: soldKWh + deviationKWh, deviationKWh, tx: fakeTx(7000 + slot.t) },
              ...slot.sellers
                .filter((s) => s.id !== 'EV1')
                .map(({ id, soldKWh }) => ({ id, soldKWh, deliveredKWh: null, deviationKWh: null, tx: null }))
            ]
          }
        })
      }
      case 'market.tradesCsv': {
        const r = runOf(parseInput(method, rawInput).runId)
        const lines = r.slots.flatMap((s) => s.trades.map((t) => `${s.t},${t.buyer},${t.seller},${t.energyKWh.toFixed(6)}`))
        return { fileName: `dv2g-${r.scenario.name}-trades.csv`, csv: ['slot,buyer,seller,energy_kwh', ...lines].join('\n') }
      }
    }
    return undefined
  }

  return {
    handle,
    runs,
    /** what this node found for a network run's slot (1-based) */
    setVerdict: (runId: string, verdict: Verdict) =>
      verdicts.set(runId, [...(verdicts.get(runId) ?? []).filter((v) => v.t !== verdict.t), verdict]),
    reset: () => {
      runs.clear()
      participants = []
      verdicts.clear()
    }
  }
}
