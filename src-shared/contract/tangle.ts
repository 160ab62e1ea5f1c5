// The tangle: its transactions, their status and the explorer's queries.
import { z } from 'zod'
import { baseUnitsSchema, method, noInput, txIdSchema } from './common'

/**
 * With milestone issuers in the genesis: confirmed is final (a milestone applied it), conflicting
 * lost a double spend at a milestone, preconfirmed is the weighted walk's confidence before that.
 * A tangle from before milestones has only pending, confirmed and rejected (the walk's verdicts).
 */
export const txStatusSchema = z.enum(['pending', 'preconfirmed', 'confirmed', 'conflicting', 'rejected'])

export const tangleTxSchema = z.object({
  id: txIdSchema,
  trunk: txIdSchema.nullable(),
  branch: txIdSchema.nullable(),
  kind: z.enum(['genesis', 'transfer', 'data']),
  status: txStatusSchema,
  tip: z.boolean(),
  receivedAt: z.number()
})
export type TangleTx = z.infer<typeof tangleTxSchema>

export const tangleStatsSchema = z.object({
  transactions: z.number().int(),
  tips: z.number().int(),
  confirmed: z.number().int(),
  pending: z.number().int(),
  rejected: z.number().int(),
  preconfirmed: z.number().int(),
  conflicting: z.number().int(),
  dbBytes: z.number(),
  txPerSecond: z.number(),
  medianConfirmationMs: z.number().nullable()
})

export const tangleTxDetailSchema = tangleTxSchema.extend({
  approvers: z.array(txIdSchema),
  issuer: z.string(),
  issuerAddress: z.string(),
  timestamp: z.number(),
  payload: z.union([
    z.object({ kind: z.literal('genesis'), outputs: z.array(z.object({ address: z.string(), amount: baseUnitsSchema })) }),
    z.object({
      kind: z.literal('transfer'),
      inputs: z.array(z.object({ txId: txIdSchema, index: z.number().int() })),
      outputs: z.array(z.object({ address: z.string(), amount: baseUnitsSchema }))
    }),
    z.object({ kind: z.literal('data'), topic: z.string(), body: z.string() })
  ]),
  cumulativeWeight: z.number().int(),
  confidence: z.number(),
  /** the milestone that made it confirmed or conflicting; null while pending (and on a tangle without milestones) */
  milestone: z.number().int().nullable()
})
export type TangleTxDetail = z.infer<typeof tangleTxDetailSchema>

export const tangleMethods = {
  'tangle.stats': method(noInput, tangleStatsSchema),
  'tangle.recent': method(z.object({ limit: z.number().int().min(1).max(2000) }).strict(), z.array(tangleTxSchema)),
  'tangle.transaction': method(z.object({ id: txIdSchema }).strict(), tangleTxDetailSchema),
  /** the load generator, for rehearsals: data transactions at a rate, in the background */
  'tangle.spam': method(
    z.object({ count: z.number().int().min(1).max(1_000_000), rate: z.number().min(1).max(10_000) }).strict(),
    z.object({ started: z.literal(true) })
  ),
  'tangle.search': method(
    z.object({ query: z.string().trim().min(1, { message: 'must not be empty' }).max(512) }).strict(),
    z.array(tangleTxSchema)
  )
} as const

export const tangleEvents = {
  /** new transactions, batched at most every 100 ms */
  'tangle.attached': z.object({ transactions: z.array(tangleTxSchema) }),
  'tangle.statusChanged': z.object({ changes: z.array(z.object({ id: txIdSchema, status: txStatusSchema })) })
} as const
