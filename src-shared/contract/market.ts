// The V2G market: runs of the game, their slots, settlement, and the participants on the tangle.
import { z } from 'zod'
import { nameSchema } from '../names'
import { count, method, noInput, num } from './common'

/** One price announcement of Algorithm 2: prices, Q, D, R and u per seller, and ū (figs. 7–9, 11). */
export const traceStepSchema = z.object({
  prices: z.array(num),
  q: z.array(num),
  demand: z.array(num),
  ratio: z.array(num.nullable()),
  utility: z.array(num),
  meanUtility: num,
  egtIterations: count
})

export const slotOutcomeSchema = z.object({
  t: count,
  priceCap: num,
  converged: z.boolean(),
  iterations: z.object({ stackelberg: count, egt: count }),
  clearingPrice: num.nullable(),
  sellers: z.array(
    z.object({
      id: z.string(),
      supplyKWh: num,
      reservePrice: num,
      price: num,
      probability: num,
      demandKWh: num,
      ratio: num.nullable(),
      utility: num,
      soldKWh: num,
      earned: num
    })
  ),
  buyers: z.array(z.object({ id: z.string(), demandCapKWh: num, boughtKWh: num, paid: num, welfare: num })),
  trades: z.array(z.object({ buyer: z.string(), seller: z.string(), energyKWh: num, price: num, paid: num })),
  baseline: z.object({ sellers: z.array(z.object({ id: z.string(), ask: num, soldKWh: num })), totalPaid: num }),
  tradedKWh: num,
  totalPaid: num,
  fromMeters: z.array(z.string()),
  trace: z.object({ sellers: z.array(z.string()), steps: z.array(traceStepSchema) }).nullable()
})

export const dayResultSchema = z.object({
  scenario: z.string(),
  slots: z.array(slotOutcomeSchema),
  evs: z.array(
    z.object({ id: z.string(), pcr: z.array(num.nullable()), exportableKWh: z.array(num), soldKWh: z.array(num), batteryKWh: z.array(num) })
  ),
  grids: z.array(
    z.object({
      id: z.string(),
      pcr: z.array(num.nullable()),
      demandCapKWh: z.array(num),
      boughtKWh: z.array(num),
      storageKWh: z.array(num)
    })
  ),
  converged: z.boolean(),
  totalTradedKWh: num,
  totalPaid: num
})

/** σ1, σ2 and C as the operator edits them between slots. */
export const gameEditSchema = z
  .object({
    sigma1: z.number().positive({ message: 'must be greater than 0' }).max(1e6).optional(),
    sigma2: z.number().positive({ message: 'must be greater than 0' }).max(1e6).optional(),
    C: z.number().positive({ message: 'must be greater than 0' }).max(1).optional()
  })
  .strict()

export const marketClockSchema = z.enum(['instant', 'accelerated', 'hourly', 'network'], {
  error: 'must be instant, accelerated, hourly or network'
})

export const marketRunSchema = z.object({
  id: z.string(),
  scenario: z.string(),
  clock: marketClockSchema,
  slotSeconds: num.nullable(),
  settle: z.boolean(),
  status: z.enum(['running', 'paused', 'finished', 'stopped']),
  slots: count,
  nextSlot: count,
  solvedSlots: count,
  settledSlots: count,
  unconvergedSlots: count,
  tradedKWh: num,
  paid: num,
  currency: z.string(),
  /** token base units settled per currency unit */
  tokenBaseUnitsPerCurrencyUnit: count,
  game: z.object({ sigma1: num, sigma2: num, C: num }),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** when the next slot is due (ms since the epoch), null when none is scheduled */
  nextSlotAt: num.nullable()
})
export type MarketRun = z.infer<typeof marketRunSchema>

const runIdSchema = z.string().uuid({ message: 'must be a run id' })

export const marketMethods = {
  'market.scenarios': method(
    noInput,
    z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        evs: count,
        grids: count,
        slots: count,
        currency: z.string(),
        game: z.object({ sigma1: num, sigma2: num, C: num })
      })
    )
  ),
  /** starts a run: the whole day now, one slot every slotSeconds, or one slot per real hour */
  'market.start': method(
    z
      .object({
        scenario: z.string().min(1, { message: 'must not be empty' }),
        clock: marketClockSchema,
        slotSeconds: z.number().min(0.5, { message: 'must be at least 0.5 s' }).max(3600, { message: 'must be at most 3600 s' }).optional(),
        settle: z.boolean(),
        game: gameEditSchema.optional()
      })
      .strict(),
    marketRunSchema
  ),
  'market.control': method(
    z
      .object({ runId: runIdSchema, action: z.enum(['pause', 'resume', 'step', 'stop'], { error: 'must be pause, resume, step or stop' }) })
      .strict(),
    marketRunSchema
  ),
  'market.setGame': method(z.object({ runId: runIdSchema, game: gameEditSchema }).strict(), marketRunSchema),
  /**
   * settles every converged slot of the run not yet on the ledger, each pair paid exactly once:
   * slots settled now, slots settled before, and the slots that failed with why
   */
  'market.settle': method(
    z.object({ runId: runIdSchema }).strict(),
    z.object({ settled: count, alreadySettled: count, failed: z.array(z.object({ t: count, error: z.string() })) })
  ),
  'market.runs': method(noInput, z.array(marketRunSchema)),
  'market.day': method(
    z.object({ runId: runIdSchema }).strict(),
    z.object({
      run: marketRunSchema,
      day: dayResultSchema,
      settlement: z.array(z.object({ t: count, settled: z.boolean(), error: z.string().nullable() }))
    })
  ),
  'market.slot': method(z.object({ runId: runIdSchema, t: z.number().int().min(1) }).strict(), slotOutcomeSchema),
  /** the registered EVs and grids (as milestones confirmed them), with the last input of each */
  'market.participants': method(
    noInput,
    z.array(
      z.object({
        id: z.string(),
        role: z.enum(['ev', 'grid']),
        address: z.string(),
        order: z.number(),
        lastInput: z.object({ run: z.string(), t: z.number().int(), atMs: z.number() }).nullable()
      })
    )
  ),
  /** binds a wallet address to a participant id and role, signed by the operator's wallet (the keystore unlocked) */
  'market.register': method(
    z
      .object({
        id: nameSchema(),
        role: z.enum(['ev', 'grid'], { error: 'must be ev or grid' }),
        address: z.string().trim().min(1, { message: 'must not be empty' }).max(512)
      })
      .strict(),
    z.object({ tx: z.string() })
  ),
  'market.revoke': method(z.object({ id: z.string().min(1) }).strict(), z.object({ tx: z.string() })),
  /** a network run's slot (1-based): its inputs with their source, the ones left out, and this node's verification */
  'market.slotInputs': method(
    z.object({ runId: runIdSchema, t: z.number().int().min(1) }).strict(),
    z.object({
      /** the milestone the result was solved at; null before the slot's result */
      milestone: z.number().nullable(),
      inputs: z.array(
        z.object({
          participant: z.string(),
          kind: z.enum(['offer', 'bid']),
          wallet: z.string(),
          tx: z.string(),
          /** supply offered, or the demand cap bid for */
          energyWh: z.number(),
          reservePrice: z.number().nullable(),
          xi: z.number().nullable(),
          kappa: z.number().nullable()
        })
      ),
      excluded: z.array(z.object({ tx: z.string(), participant: z.string().nullable(), reason: z.string() })),
      verification: z.object({ matches: z.boolean(), differences: z.array(z.string()) }).nullable()
    })
  ),
  /** what this node found for each of a run's results (slots 1-based); empty for a run of a local clock */
  'market.verifications': method(
    z.object({ runId: runIdSchema }).strict(),
    z.array(z.object({ t: z.number().int(), matches: z.boolean(), differences: z.array(z.string()) }))
  ),
  /** a network run's solved slots (t from 1): what each EV sold and what its meter says it delivered */
  'market.deliveries': method(
    z.object({ runId: runIdSchema }).strict(),
    z.array(
      z.object({
        t: z.number().int(),
        evs: z.array(
          z.object({
            id: z.string(),
            soldKWh: z.number(),
            deliveredKWh: z.number().nullable(),
            deviationKWh: z.number().nullable(),
            tx: z.string().nullable()
          })
        )
      })
    )
  ),
  'market.tradesCsv': method(z.object({ runId: runIdSchema }).strict(), z.object({ fileName: z.string(), csv: z.string() }))
} as const

export const marketEvents = {
  'market.runChanged': marketRunSchema,
  /** a slot solved: its outcome without the iterations, which follow in market.iterations */
  'market.slotSolved': z.object({
    runId: z.string(),
    outcome: slotOutcomeSchema,
    settled: z.boolean(),
    settleError: z.string().nullable()
  }),
  /** the literal iterations of the slot, a few at a time, at a pace the eye can follow */
  'market.iterations': z.object({
    runId: z.string(),
    t: count,
    sellers: z.array(z.string()),
    from: count,
    steps: z.array(traceStepSchema),
    total: count
  })
} as const
