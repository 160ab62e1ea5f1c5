// The one contract between the console and the main process. Every method is named here with
// the zod schemas of its input and output; both transports (Electron IPC, serve mode) and the
// renderer's client validate against these same schemas.
import { z } from 'zod'

const between = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).refine((v) => Number.isFinite(v) && v >= min && v <= max, {
    message: `must be between ${min} and ${max}`
  })
const above = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).refine((v) => Number.isFinite(v) && v > min && v <= max, {
    message: `must be greater than ${min} and at most ${max}`
  })

/** Inputs of the ESU cost model, eqs. (9)–(11); ranges are what a real battery can have. */
export const esuParametersSchema = z.object({
  capacityKWh: above(0, 100_000),
  depthOfDischarge: above(0, 1),
  cycleLife: between(1, 1_000_000).refine(Number.isInteger, { message: 'must be a whole number of cycles' }),
  combinedCost: between(0, 1e12),
  maintenancePerYear: between(0, 1e12),
  interestRate: between(0, 1),
  lifetimeYears: above(0, 100),
  daysPerYear: between(1, 366)
})
export type EsuParametersInput = z.infer<typeof esuParametersSchema>

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
  parameters: esuParametersSchema,
  updatedAt: z.string()
})
export type EsuProfile = z.infer<typeof esuProfileSchema>

export const appInfoSchema = z.object({
  version: z.string(),
  dataDir: z.string(),
  databaseFile: z.string(),
  databaseBytes: z.number(),
  schemaVersion: z.number().int(),
  latestSchemaVersion: z.number().int(),
  journalMode: z.string(),
  tables: z.array(z.object({ name: z.string(), rows: z.number().int() })),
  transport: z.enum(['electron', 'serve']),
  nodeVersion: z.string(),
  startedAt: z.string()
})
export type AppInfo = z.infer<typeof appInfoSchema>

const noInput = z.object({}).strict().optional()

export const roleSchema = z.enum(['operator', 'grid', 'ev'], { error: 'must be operator, grid or ev' })
const walletNameSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .regex(/^[\w .-]{1,64}$/, { message: 'must be 1 to 64 letters, digits, spaces, dots, dashes or underscores' })
/** Token amounts travel as decimal strings of base units: integers beyond 2^53 stay exact. */
const baseUnitsSchema = z.string({ error: 'must be a string of base units' }).regex(/^\d{1,19}$/, { message: 'must be a whole number of base units' })
const txIdSchema = z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be 64 hex digits' })
export const txStatusSchema = z.enum(['pending', 'confirmed', 'rejected'])

export const walletSchema = z.object({
  name: z.string(),
  role: roleSchema,
  address: z.string(),
  balance: baseUnitsSchema,
  createdAt: z.string()
})
export type Wallet = z.infer<typeof walletSchema>

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
  confidence: z.number()
})
export type TangleTxDetail = z.infer<typeof tangleTxDetailSchema>

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output }
}

export const methods = {
  'app.info': method(noInput, appInfoSchema),
  'esu.compute': method(esuParametersSchema, esuCostSchema),
  'esu.listProfiles': method(noInput, z.array(esuProfileSchema)),
  'esu.saveProfile': method(
    z.object({ name: profileNameSchema, parameters: esuParametersSchema }).strict(),
    esuProfileSchema
  ),
  'esu.deleteProfile': method(z.object({ name: profileNameSchema }).strict(), z.object({ deleted: z.boolean() })),

  'wallet.list': method(noInput, z.object({ unlocked: z.boolean(), newKeystore: z.boolean(), wallets: z.array(walletSchema) })),
  'wallet.unlock': method(z.object({ passphrase: z.string().min(1, { message: 'must not be empty' }) }).strict(), z.object({ unlocked: z.literal(true) })),
  'wallet.lock': method(noInput, z.object({ unlocked: z.literal(false) })),
  'wallet.create': method(
    z.object({ name: walletNameSchema, role: roleSchema }).strict(),
    z.object({ wallet: walletSchema, mnemonic: z.string(), treasury: z.boolean() })
  ),
  'wallet.import': method(
    z.object({ name: walletNameSchema, role: roleSchema, mnemonic: z.string().min(1, { message: 'must not be empty' }) }).strict(),
    z.object({ wallet: walletSchema, treasury: z.boolean() })
  ),
  'wallet.send': method(
    z.object({ from: walletNameSchema, to: z.string().min(1, { message: 'must not be empty' }), amount: baseUnitsSchema }).strict(),
    z.object({ id: txIdSchema })
  ),
  'wallet.history': method(
    z.object({ name: walletNameSchema, limit: z.number().int().min(1).max(500).optional() }).strict(),
    z.array(z.object({ id: txIdSchema, direction: z.enum(['in', 'out']), amount: baseUnitsSchema, status: txStatusSchema, receivedAt: z.number() }))
  ),

  'tangle.stats': method(noInput, tangleStatsSchema),
  'tangle.recent': method(z.object({ limit: z.number().int().min(1).max(2000) }).strict(), z.array(tangleTxSchema)),
  'tangle.transaction': method(z.object({ id: txIdSchema }).strict(), tangleTxDetailSchema),
  /** the load generator, for rehearsals: data transactions at a rate, in the background */
  'tangle.spam': method(
    z.object({ count: z.number().int().min(1).max(1_000_000), rate: z.number().min(1).max(10_000) }).strict(),
    z.object({ started: z.literal(true) })
  ),
  'tangle.search': method(z.object({ query: z.string().trim().min(1, { message: 'must not be empty' }) }).strict(), z.array(tangleTxSchema))
} as const

export type MethodName = keyof typeof methods
export type MethodInput<M extends MethodName> = z.input<(typeof methods)[M]['input']>
export type MethodOutput<M extends MethodName> = z.output<(typeof methods)[M]['output']>
export const methodNames = Object.keys(methods) as MethodName[]

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name)
}

/** Events pushed from the main process to every connected console. */
export const events = {
  'esu.profilesChanged': z.object({ names: z.array(z.string()) }),
  /** new transactions, batched at most every 100 ms */
  'tangle.attached': z.object({ transactions: z.array(tangleTxSchema) }),
  'tangle.statusChanged': z.object({ changes: z.array(z.object({ id: txIdSchema, status: txStatusSchema })) }),
  'wallet.changed': z.object({ unlocked: z.boolean() })
} as const

export type EventName = keyof typeof events
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>
export const eventNames = Object.keys(events) as EventName[]

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name)
}

/** What a failed call returns on every transport. */
export const apiErrorSchema = z.object({
  code: z.enum(['invalid_argument', 'unknown_method', 'not_found', 'internal']),
  message: z.string(),
  /** the offending fields, as dotted paths */
  fields: z.array(z.object({ path: z.string(), message: z.string() })).optional()
})
export type ApiErrorBody = z.infer<typeof apiErrorSchema>

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorBody['code'],
    message: string,
    readonly fields?: ApiErrorBody['fields']
  ) {
    super(message)
    this.name = 'ApiError'
  }

  toBody(): ApiErrorBody {
    return { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) }
  }
}

/** Turns zod issues into one message that names every offending field. */
export function invalidArgument(where: string, error: z.ZodError): ApiError {
  const fields = error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(input)',
    message: issue.message
  }))
  const summary = fields.map((f) => `${f.path} ${f.message}`).join('; ')
  return new ApiError('invalid_argument', `${where}: ${summary}`, fields)
}

/** Parses a method's input, throwing an ApiError that names the field on failure. */
export function parseInput<M extends MethodName>(name: M, input: unknown): z.output<(typeof methods)[M]['input']> {
  const result = methods[name].input.safeParse(input)
  if (!result.success) throw invalidArgument(name, result.error)
  return result.data as z.output<(typeof methods)[M]['input']>
}
