// The ESU cost model and the parameter profiles an operator saves.
import { z } from 'zod'
import { method, noInput } from './common'

const between = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).refine((v) => Number.isFinite(v) && v >= min && v <= max, {
    message: `must be between ${min} and ${max}`
  })
const above = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).refine((v) => Number.isFinite(v) && v > min && v <= max, {
    message: `must be greater than ${min} and at most ${max}`
  })

/**
 * Inputs of the ESU cost model, eqs. (9)–(11); ranges are what a real battery can have, and keep
 * every figure finite: L_T is at least 0.001 kWh, the annuity's (1+r)^l − 1 never underflows to 0.
 */
export const esuParametersSchema = z.object({
  capacityKWh: between(0.1, 100_000),
  depthOfDischarge: between(0.01, 1),
  cycleLife: between(1, 1_000_000).refine(Number.isInteger, { message: 'must be a whole number of cycles' }),
  combinedCost: between(0, 1e12),
  maintenancePerYear: between(0, 1e12),
  interestRate: between(0, 1),
  lifetimeYears: between(1, 100),
  daysPerYear: between(1, 366)
})
export type EsuParametersInput = z.infer<typeof esuParametersSchema>

/**
 * A saved profile's parameters as earlier versions accepted them: a profile saved then still
 * lists and loads, and the calculator names the field now out of range.
 */
export const storedEsuParametersSchema = esuParametersSchema.extend({
  capacityKWh: above(0, 100_000),
  depthOfDischarge: above(0, 1),
  lifetimeYears: above(0, 100)
})

export const esuCostSchema = z.object({
  annuityFactor: z.number(),
  costPerDay: z.number(),
  lifetimeThroughputKWh: z.number(),
  degradationCostPerKWh: z.number()
})

export const profileNameSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(64, { message: 'must be at most 64 characters' })

export const esuProfileSchema = z.object({
  name: profileNameSchema,
  parameters: storedEsuParametersSchema,
  updatedAt: z.string()
})
export type EsuProfile = z.infer<typeof esuProfileSchema>

export const esuMethods = {
  'esu.compute': method(esuParametersSchema, esuCostSchema),
  'esu.listProfiles': method(noInput, z.array(esuProfileSchema)),
  'esu.saveProfile': method(z.object({ name: profileNameSchema, parameters: esuParametersSchema }).strict(), esuProfileSchema),
  'esu.deleteProfile': method(z.object({ name: profileNameSchema }).strict(), z.object({ deleted: z.boolean() }))
} as const

export const esuEvents = {
  'esu.profilesChanged': z.object({ names: z.array(z.string()) })
} as const
