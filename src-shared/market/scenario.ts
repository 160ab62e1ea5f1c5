// The scenario file (a day of a microgrid) and the one-slot input of `dv2g market solve`, as zod
// schemas: every file is checked here before the model sees it, and a wrong field is reported
// with its JSON path.
import { z } from 'zod'
import { nameSchema } from '../names'
import { DEFAULT_GAME } from './stackelberg'

const finite = z.number({ error: 'must be a number' }).refine(Number.isFinite, { message: 'must be a finite number' })
const nonNegative = finite.refine((v) => v >= 0, { message: 'must not be negative' })
const positive = finite.refine((v) => v > 0, { message: 'must be greater than 0' })
const share = finite.refine((v) => v > 0 && v <= 1, { message: 'must be greater than 0 and at most 1' })
/** participant ids and the scenario's name: wallets, payments and charts are keyed by them */
const id = nameSchema()

/** σ1, σ2, C and the iteration limits of Algorithms 1 and 2; every field has a default. */
export const gameSchema = z
  .object({
    sigma1: positive.default(DEFAULT_GAME.sigma1),
    sigma2: positive.default(DEFAULT_GAME.sigma2),
    C: positive.default(DEFAULT_GAME.tolerance),
    maxIterations: z.number().int({ message: 'must be a whole number' }).min(1).max(100_000).default(DEFAULT_GAME.maxIterations),
    egtMaxIterations: z.number().int({ message: 'must be a whole number' }).min(1).max(1_000_000).default(DEFAULT_GAME.egtMaxIterations),
    seed: z
      .number()
      .int({ message: 'must be a whole number' })
      .min(0)
      .max(2 ** 32 - 1)
      .optional()
  })
  .strict()
export type GameInput = z.infer<typeof gameSchema>

export const gameOptions = (g: GameInput) => ({
  sigma1: g.sigma1,
  sigma2: g.sigma2,
  tolerance: g.C,
  maxIterations: g.maxIterations,
  egtMaxIterations: g.egtMaxIterations,
  ...(g.seed === undefined ? {} : { seed: g.seed })
})

const buyerSchema = z.object({ id, xi: positive, kappa: positive, demandCapKWh: nonNegative }).strict()

function uniqueIds(items: readonly { id: string }[], path: string, ctx: z.RefinementCtx, seen = new Set<string>()) {
  items.forEach((item, i) => {
    if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [path, i, 'id'], message: `repeats the id "${item.id}"` })
    seen.add(item.id)
  })
}

/** One slot for `dv2g market solve`. */
export const slotInputSchema = z
  .object({
    sellers: z
      .array(z.object({ id, supplyKWh: nonNegative, reservePrice: nonNegative, initialPrice: nonNegative.optional() }).strict())
      .min(1, { message: 'needs at least one seller' }),
    buyers: z.array(buyerSchema).min(1, { message: 'needs at least one buyer' }),
    priceCap: positive,
    game: gameSchema.default(gameSchema.parse({}))
  })
  .strict()
  .superRefine((slot, ctx) => {
    uniqueIds(slot.sellers, 'sellers', ctx)
    uniqueIds(slot.buyers, 'buyers', ctx)
    if (slot.sellers.every((s) => s.reservePrice > slot.priceCap))
      ctx.addIssue({
        code: 'custom',
        path: ['priceCap'],
        message: `is below every seller's reserve price (${slot.priceCap} < ${Math.min(...slot.sellers.map((s) => s.reservePrice))})`
      })
  })
export type SlotInput = z.infer<typeof slotInputSchema>

const batterySchema = z
  .object({
    capacityKWh: positive,
    depthOfDischarge: share,
    maxChargeKW: nonNegative,
    maxDischargeKW: nonNegative,
    chargeEfficiency: share,
    dischargeEfficiency: share,
    initialKWh: nonNegative
  })
  .strict()
  .superRefine((b, ctx) => {
    const floor = (1 - b.depthOfDischarge) * b.capacityKWh
    if (b.initialKWh < floor - 1e-9 || b.initialKWh > b.capacityKWh)
      ctx.addIssue({
        code: 'custom',
        path: ['initialKWh'],
        message: `must be within [E_min, E_cap] = [${Number(floor.toFixed(6))}, ${b.capacityKWh}]`
      })
  })

const profile = z.array(nonNegative)

/** An EV of a scenario: also what `dv2g agent --role ev --profile FILE` reads. */
export const evParticipantSchema = z
  .object({ id, battery: batterySchema, reservePrice: nonNegative, productionKWh: profile, consumptionKWh: profile })
  .strict()
/** A grid of a scenario: also what `dv2g agent --role grid --profile FILE` reads. */
export const gridParticipantSchema = buyerSchema
  .omit({ demandCapKWh: true })
  .extend({
    productionKWh: profile,
    consumptionKWh: profile,
    storage: z.object({ capacityKWh: nonNegative, initialKWh: nonNegative }).strict().optional()
  })
  .strict()
export type EvParticipant = z.infer<typeof evParticipantSchema>
export type GridParticipant = z.infer<typeof gridParticipantSchema>

export const scenarioSchema = z
  .object({
    name: id,
    description: z.string().optional(),
    /** where the profiles come from, or how they were generated */
    sources: z.record(z.string(), z.string()).optional(),
    slots: z.number().int({ message: 'must be a whole number' }).min(1).max(96).default(24),
    slotHours: positive.default(1),
    currency: z.string().min(1).default('USD'),
    /** tokens (base units) paid per currency unit when trades are settled */
    tokenBaseUnitsPerCurrencyUnit: z.number().int({ message: 'must be a whole number' }).min(1).max(1e9),
    /** ϖ^max per slot, currency per kWh: the grids' retail price */
    priceCap: z.array(positive),
    game: gameSchema.default(gameSchema.parse({})),
    evs: z.array(evParticipantSchema).min(1, { message: 'needs at least one EV' }),
    grids: z.array(gridParticipantSchema).min(1, { message: 'needs at least one grid' })
  })
  .strict()
  .superRefine((s, ctx) => {
    const lengthIs = (values: readonly unknown[], path: (string | number)[]) => {
      if (values.length !== s.slots)
        ctx.addIssue({ code: 'custom', path, message: `must have ${s.slots} values, one per slot (has ${values.length})` })
    }
    lengthIs(s.priceCap, ['priceCap'])
    s.evs.forEach((ev, i) => {
      lengthIs(ev.productionKWh, ['evs', i, 'productionKWh'])
      lengthIs(ev.consumptionKWh, ['evs', i, 'consumptionKWh'])
    })
    s.grids.forEach((grid, i) => {
      lengthIs(grid.productionKWh, ['grids', i, 'productionKWh'])
      lengthIs(grid.consumptionKWh, ['grids', i, 'consumptionKWh'])
      if (grid.storage && grid.storage.initialKWh > grid.storage.capacityKWh)
        ctx.addIssue({
          code: 'custom',
          path: ['grids', i, 'storage', 'initialKWh'],
          message: `must be at most the capacity (${grid.storage.capacityKWh})`
        })
    })
    const ids = new Set<string>()
    uniqueIds(s.evs, 'evs', ctx, ids)
    uniqueIds(s.grids, 'grids', ctx, ids)
    const cheapest = Math.min(...s.evs.map((ev) => ev.reservePrice))
    s.priceCap.forEach((cap, t) => {
      if (cap < cheapest)
        ctx.addIssue({ code: 'custom', path: ['priceCap', t], message: `is below every EV's reserve price (${cap} < ${cheapest})` })
    })
  })
export type Scenario = z.infer<typeof scenarioSchema>

/** The scenario's first `slots` slots (a shorter day to rehearse or test on), every profile cut to them. */
export function firstSlotsOf(scenario: Scenario, slots: number, name = `${scenario.name}-${slots}`): Scenario {
  const cut = (values: number[]) => values.slice(0, slots)
  return {
    ...scenario,
    name,
    slots,
    priceCap: cut(scenario.priceCap),
    evs: scenario.evs.map((ev) => ({ ...ev, productionKWh: cut(ev.productionKWh), consumptionKWh: cut(ev.consumptionKWh) })),
    grids: scenario.grids.map((g) => ({ ...g, productionKWh: cut(g.productionKWh), consumptionKWh: cut(g.consumptionKWh) }))
  }
}

/** "evs[3].battery.capacityKWh: must be greater than 0" for the first problem zod found. */
export function describeIssues(error: z.ZodError, limit = 5): string[] {
  return error.issues.slice(0, limit).map((issue) => `${jsonPath(issue.path)}: ${issue.message}`)
}

export function jsonPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key)
  return out || '(top level)'
}
