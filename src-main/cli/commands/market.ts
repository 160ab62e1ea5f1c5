import { existsSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'
import { marketClockSchema, type MarketRun } from '../../../src-shared/contract'
import { scenarioSchema, slotInputSchema } from '../../../src-shared/market/scenario'
import { solveSlotInput } from '../../../src-shared/market/slot'
import { readJsonFile } from '../../core/inputFile'
import { paperScenario } from '../../core/market/paperScenario'
import type { MarketService } from '../../core/market/service'
import { registrationSchema } from '../../core/market/tangle/messages'
import { readHolder } from '../../core/owner/lock'
import { numberOption, parseArgs, requireOption, stringOption, UsageError } from '../args'
import { significant, type Output } from '../output'
import { readPassphrase } from '../passphrase'
import { withApp } from '../withApp'
import { runWrite } from '../writer'

export const marketUsage = `dv2g market solve --input FILE [--json] | example [--out FILE] | runs [--json] | settle --run ID [--json]
  solve: one slot, the EVs' Stackelberg game with the grids' evolutionary game inside (Algorithms 1, 2).
    FILE: {"sellers":[{"id","supplyKWh","reservePrice","initialPrice"?}],
           "buyers":[{"id","xi","kappa","demandCapKWh"}], "priceCap", "game":{"sigma1"?,"sigma2"?,"C"?,"maxIterations"?,"egtMaxIterations"?,"seed"?}}
  example: the default scenario (3 grids, 10 EVs, 24 slots) as JSON, to start your own from.
  runs: the data dir's market runs, newest first, with how many of their slots are settled.
  settle: settles every converged slot of the run not on the ledger yet, each grid–EV pair paid
    exactly once, so it also finishes a settlement that a crash or a failure interrupted
    (passphrase from DV2G_PASSPHRASE or a prompt). Exits 1 when a slot could not be settled.
dv2g market start --scenario NAME|FILE --clock instant|accelerated|hourly|network [--slot-seconds S] [--settle] [--json]
  Starts a run in the process that holds the data dir (or here). The network clock announces the
  run on the tangle; agents offer and bid each slot; at each close a milestone fixes the inputs
  and the operator's node solves and publishes the result (passphrase as for settle).
dv2g market trades --run ID [--json]
  The run's trades, with the columns of dv2g simulate's trades.csv.
dv2g market register --id ID --role ev|grid --address ADDRESS | register --file FILE | revoke --id ID | participants [--json]
  register: binds a wallet address to a participant id and role, signed by the operator's wallet
    (passphrase from DV2G_PASSPHRASE or a prompt); only registered wallets may offer or bid. Final
    once a milestone confirms it. --file registers every participant a JSON file lists, as
    [{"id","role","address"}] (what participants --json prints) or {"participants":[...]} (what
    dv2g agent swarm writes); ones already registered as listed are left as they are.
  revoke: its inputs are left out from then on.
  participants: the registered EVs and grids, as the latest milestone confirmed them.
dv2g market inputs --run ID --slot T [--json]
  Slot T (1-based) of a network run as this node reads it: the offers and bids it was solved from,
  with their participant and transaction, the ones left out and why, and its verification.
dv2g market delivery --run ID [--json]
  Each solved slot of a network run: what each EV sold, and the net export its meter counted in
  the slot's delivery window (signed by its agent, dv2g agent --meter), with the deviation.
dv2g market verify --run ID [--slot T] [--json]
  What this node found when it solved each published result of the run again (slot T, 1-based):
  its milestone, how many inputs, and whether it matches, with every difference named. Exits 1
  when a result does not match.`

export async function runMarket(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'solve') {
    const args = parseArgs(rest, { input: { value: true } })
    if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
    const input = readJsonFile(requireOption(stringOption(args, 'input'), 'input'), slotInputSchema)
    const { trace, ...solution } = solveSlotInput(input)
    out.result(solution, () =>
      [
        `converged ${solution.converged ? 'yes' : 'NO'} after ${solution.iterations.stackelberg} price rounds, ${solution.iterations.egt} EGT iterations (${trace.length} kept)`,
        `clearing price ${solution.clearingPrice === null ? '— (nothing trades)' : significant(solution.clearingPrice)}`,
        '',
        'seller      price      Q    supply kWh   demand kWh   first-price ask',
        ...solution.sellers.map(
          (s, m) =>
            `${s.id.padEnd(10)} ${significant(s.price).padStart(7)} ${s.probability.toFixed(3).padStart(6)} ${s.supplyKWh.toFixed(3).padStart(12)} ${s.demandKWh.toFixed(3).padStart(12)} ${significant(solution.baseline.sellers[m]!.ask).padStart(17)}`
        ),
        '',
        'buyer      bought kWh     paid   welfare',
        ...solution.buyers.map(
          (b) =>
            `${b.id.padEnd(10)} ${b.boughtKWh.toFixed(3).padStart(10)} ${b.paid.toFixed(4).padStart(8)} ${b.welfare.toFixed(4).padStart(9)}`
        ),
        '',
        `paid in total ${solution.buyers.reduce((sum, b) => sum + b.paid, 0).toFixed(4)}; first-price auction ${solution.baseline.totalPaid.toFixed(4)}`
      ].join('\n')
    )
    return 0
  }
  if (sub === 'example') {
    const args = parseArgs(rest, { out: { value: true } })
    const text = `${JSON.stringify(paperScenario(), null, 2)}\n`
    const path = stringOption(args, 'out')
    if (path) {
      writeFileSync(path, text)
      out.note(`wrote ${path}`)
    } else process.stdout.write(text)
    return 0
  }
  if (sub === 'runs') return listRuns(rest, out, dataDir)
  if (sub === 'settle') return settleRun(rest, out, dataDir)
  if (sub === 'start') return startRun(rest, out, dataDir)
  if (sub === 'trades') return trades(rest, out, dataDir)
  if (sub === 'register') return register(rest, out, dataDir)
  if (sub === 'revoke') return revoke(rest, out, dataDir)
  if (sub === 'participants') return participants(rest, out, dataDir)
  if (sub === 'verify') return verify(rest, out, dataDir)
  if (sub === 'inputs') return inputs(rest, out, dataDir)
  if (sub === 'delivery') return delivery(rest, out, dataDir)
  const commands = 'solve, example, runs, start, trades, settle, register, revoke, participants, inputs, verify or delivery'
  throw new UsageError(sub ? `unknown market command ${JSON.stringify(sub)}; use ${commands}` : `market needs a command: ${commands}`)
}

async function startRun(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, {
    scenario: { value: true },
    clock: { value: true },
    'slot-seconds': { value: true },
    settle: { value: false }
  })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const named = requireOption(stringOption(args, 'scenario'), 'scenario')
  const clock = requireOption(stringOption(args, 'clock'), 'clock')
  const parsedClock = marketClockSchema.safeParse(clock)
  if (!parsedClock.success) throw new UsageError(`--clock ${parsedClock.error.issues[0]!.message}`)
  const slotSeconds = numberOption(args, 'slot-seconds')
  const settle = args.options.has('settle')
  // a path names a scenario file; anything else a scenario of the data dir's folder
  const definition = existsSync(named) ? readJsonFile(named, scenarioSchema) : undefined
  // a paced run lives in the process that holds the data dir: a command would exit under it
  if (parsedClock.data !== 'instant' && !readHolder(resolve(dataDir))) {
    throw new UsageError(
      `a run on the ${parsedClock.data} clock runs in the process that holds the data dir: start it first (dv2g node${parsedClock.data === 'network' ? ' --milestone-seconds S' : ''}, dv2g serve or the app), then run this again`
    )
  }
  const needsKeys = parsedClock.data === 'network' || settle
  const run = await runWrite(
    dataDir,
    'market start',
    'market.start',
    {
      scenario: definition?.name ?? named,
      ...(definition ? { definition } : {}),
      clock: parsedClock.data,
      ...(slotSeconds === undefined ? {} : { slotSeconds }),
      settle,
      ...(needsKeys ? { passphrase: await readPassphrase('Keystore passphrase: ') } : {})
    },
    out
  )
  out.result({ runId: run.id }, () => `started run ${run.id} of ${run.scenario} on the ${run.clock} clock (${run.slots} slots)`)
  return 0
}

function trades(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { run: { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const runId = requireOption(stringOption(args, 'run'), 'run')
  return withApp(
    dataDir,
    (app) => {
      const { day } = app.market().day(runId)
      const rows = day.slots.flatMap((slot) => slot.trades.map((trade) => ({ t: slot.t, ...trade })))
      // the same columns as dv2g simulate's trades.csv
      out.result(rows, () => app.market().tradesCsv(runId).csv.trimEnd())
      return 0
    },
    { readOnly: true }
  )
}

/** A list of registrations, bare or as the swarm writes it. */
const participantsFileSchema = z
  .union([z.array(registrationSchema), z.object({ participants: z.array(registrationSchema) }).passthrough()])
  .transform((file) => ({ participants: Array.isArray(file) ? file : file.participants }))

async function register(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { id: { value: true }, role: { value: true }, address: { value: true }, file: { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const file = stringOption(args, 'file')
  if (file !== undefined) {
    if (args.options.has('id') || args.options.has('role') || args.options.has('address'))
      throw new UsageError('--file registers the participants the file lists: give --id, --role and --address only without it')
    const { participants } = readJsonFile(file, participantsFileSchema)
    const result = await runWrite(
      dataDir,
      'market register',
      'market.registerAll',
      { participants, passphrase: await readPassphrase('Keystore passphrase: ') },
      out
    )
    out.result(
      result,
      () =>
        `registered ${result.registered} participants (${result.unchanged} already registered as listed); final once a milestone confirms them`
    )
    return 0
  }
  const id = requireOption(stringOption(args, 'id'), 'id')
  const role = requireOption(stringOption(args, 'role'), 'role')
  if (role !== 'ev' && role !== 'grid') throw new UsageError(`--role must be ev or grid, not ${JSON.stringify(role)}`)
  const address = requireOption(stringOption(args, 'address'), 'address')
  const result = await runWrite(
    dataDir,
    'market register',
    'market.register',
    { id, role, address, passphrase: await readPassphrase('Keystore passphrase: ') },
    out
  )
  out.result(
    result,
    () =>
      `registered ${id} as ${role === 'ev' ? 'an EV' : 'a grid'} (${address}) in transaction ${result.tx}; final once a milestone confirms it`
  )
  return 0
}

async function revoke(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { id: { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const id = requireOption(stringOption(args, 'id'), 'id')
  const result = await runWrite(
    dataDir,
    'market revoke',
    'market.revoke',
    { id, passphrase: await readPassphrase('Keystore passphrase: ') },
    out
  )
  out.result(result, () => `revoked ${id} in transaction ${result.tx}; its inputs are left out once a milestone confirms it`)
  return 0
}

async function participants(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, {})
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const list = await runWrite(dataDir, 'market participants', 'market.participants', {}, out)
  out.result(
    list.map(({ id, role, address }) => ({ id, role, address })),
    () =>
      list.length === 0
        ? 'no participants registered (as confirmed so far)'
        : ['id                role  address', ...list.map((p) => `${p.id.padEnd(16)}  ${p.role.padEnd(4)}  ${p.address}`)].join('\n')
  )
  return 0
}

/** slot numbers from 1, as an operator reads them */
function slotNumber(value: number | undefined): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value < 1))
    throw new UsageError(`--slot must be a slot number from 1, not ${value}`)
  return value
}

async function inputs(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { run: { value: true }, slot: { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const runId = requireOption(stringOption(args, 'run'), 'run')
  const slot = requireOption(slotNumber(numberOption(args, 'slot')), 'slot')
  const found = await runWrite(dataDir, 'market inputs', 'market.slotInputs', { runId, t: slot - 1 }, out)
  out.result(found, () =>
    [
      `slot ${slot} of run ${runId}: ${found.milestone === null ? 'not solved yet (inputs confirmed so far)' : `solved from milestone ${found.milestone}`}${found.verification ? `, ${found.verification.matches ? 'verified' : 'MISMATCH'}` : ''}`,
      ...found.inputs.map(
        (i) => `  ${i.kind.padEnd(5)} ${i.participant.padEnd(12)} ${String(i.energyWh).padStart(8)} Wh  ${i.tx.slice(0, 12)}…`
      ),
      ...found.excluded.map((e) => `  left out ${e.tx.slice(0, 12)}… (${e.participant ?? 'unknown'}): ${e.reason}`)
    ].join('\n')
  )
  return 0
}

async function delivery(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { run: { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const runId = requireOption(stringOption(args, 'run'), 'run')
  const found = await runWrite(dataDir, 'market delivery', 'market.deliveries', { runId }, out)
  const rows = found.slots.flatMap((s) => s.evs.map((ev) => ({ t: s.t + 1, ...ev })))
  const kWh = (v: number | null) => (v === null ? '-' : v.toFixed(3))
  out.result(rows, () =>
    rows.length === 0
      ? `no slot of run ${runId} solved on this node yet`
      : [
          'slot  ev            sold kWh  delivered kWh  deviation kWh',
          ...rows.map(
            (r) =>
              `${String(r.t).padStart(4)}  ${r.id.padEnd(12)}  ${kWh(r.soldKWh).padStart(8)}  ${kWh(r.deliveredKWh).padStart(13)}  ${kWh(r.deviationKWh).padStart(13)}`
          )
        ].join('\n')
  )
  return 0
}

async function verify(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { run: { value: true }, slot: { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const runId = requireOption(stringOption(args, 'run'), 'run')
  const slot = slotNumber(numberOption(args, 'slot'))
  const found = await runWrite(dataDir, 'market verify', 'market.verify', { runId, ...(slot === undefined ? {} : { t: slot - 1 }) }, out)
  // slots are numbered from 1 wherever an operator reads them
  const report = { run: found.run, slots: found.slots.map((s) => ({ ...s, t: s.t + 1 })) }
  out.result(report, () =>
    report.slots.length === 0
      ? `no results of run ${runId} verified on this node yet`
      : report.slots
          .map(
            (s) =>
              `slot ${s.t}: ${s.matches ? 'verified' : 'MISMATCH'} (milestone ${s.milestone ?? '-'}, ${s.inputs ?? '-'} inputs)${s.differences.map((d) => `\n  ${d}`).join('')}`
          )
          .join('\n')
  )
  return report.slots.every((s) => s.matches) ? 0 : 1
}

function listRuns(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, {})
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  return withApp(
    dataDir,
    (app) => {
      const market = app.market()
      const runs = market.runs().map((r) => ({ ...r, unsettled: unsettledSlots(market, r) }))
      const shown = (t: number) => t + 1
      out.result(
        runs.map((r) => ({
          id: r.id,
          scenario: r.scenario,
          status: r.status,
          slots: r.slots,
          settledSlots: r.settledSlots,
          unsettledSlots: r.unsettled.length,
          unsettled: r.unsettled.map((u) => ({ ...u, t: shown(u.t) }))
        })),
        () =>
          runs.length === 0
            ? 'no market runs in this data dir'
            : [
                'run                                   scenario        status    slots  solved  settled  unsettled  created',
                ...runs.map(
                  (r) =>
                    `${r.id.padEnd(36)}  ${r.scenario.padEnd(14)}  ${r.status.padEnd(8)}  ${String(r.slots).padStart(5)}  ${String(r.solvedSlots).padStart(6)}  ${String(r.settledSlots).padStart(7)}  ${String(r.unsettled.length).padStart(9)}  ${r.createdAt}`
                ),
                ...runs
                  .filter((r) => r.unsettled.length)
                  .map(
                    (r) =>
                      `run ${r.id}: ${r.unsettled.length} slot${r.unsettled.length === 1 ? '' : 's'} NOT settled (${r.unsettled.map((u) => `slot ${shown(u.t)}: ${u.error}`).join('; ')}); dv2g market settle --run ${r.id} settles them`
                  )
              ].join('\n')
      )
      return 0
    },
    { readOnly: true }
  )
}

/**
 * The converged slots of a run that are not on the ledger though they should be: a settlement
 * failed, or a run that settles as it clears ended without settling them.
 */
function unsettledSlots(market: MarketService, run: MarketRun): { t: number; error: string }[] {
  if (run.solvedSlots - run.unconvergedSlots === run.settledSlots) return []
  const open = run.status === 'running' || run.status === 'paused'
  const { day, settlement } = market.day(run.id)
  return settlement.flatMap((s, i) => {
    if (s.settled || !day.slots[i]!.converged) return []
    if (s.error !== null) return [{ t: s.t, error: s.error }]
    return run.settle && !open ? [{ t: s.t, error: 'never settled' }] : []
  })
}

async function settleRun(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { run: { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const runId = requireOption(stringOption(args, 'run'), 'run')
  // an unknown run is named before the passphrase is asked for
  await withApp(dataDir, (app) => app.market().day(runId), { readOnly: true })
  const result = await runWrite(
    dataDir,
    'market settle',
    'market.settle',
    { runId, passphrase: await readPassphrase('Keystore passphrase: ') },
    out
  )
  out.result(result, () =>
    [
      `settled ${result.settled} slot${result.settled === 1 ? '' : 's'} of run ${runId}; ${result.alreadySettled} already settled`,
      ...result.failed.map((f) => `slot ${f.t} NOT settled: ${f.error}`)
    ].join('\n')
  )
  return result.failed.length ? 1 : 0
}
