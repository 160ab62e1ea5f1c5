// The market's messages on the tangle: data transactions whose topic names the kind
// and whose body is JSON, checked here with zod, so a node reads every party's input, and every
// result, from the ledger it verified. Energy is in Wh integers as everywhere on the ledger;
// prices are the model's floats, written as JSON numbers, which read back bit for bit.
import { z } from 'zod'
import { gameSchema } from '../../../../src-shared/market/scenario'
import { nameFieldProblem } from '../../../../src-shared/names'

export const MARKET_TOPICS = {
  register: 'market.register',
  revoke: 'market.revoke',
  run: 'market.run',
  offer: 'market.offer',
  bid: 'market.bid',
  result: 'market.result',
  delivery: 'market.delivery'
} as const
export type MarketTopic = (typeof MARKET_TOPICS)[keyof typeof MARKET_TOPICS]

export const isMarketTopic = (topic: string): topic is MarketTopic => (Object.values(MARKET_TOPICS) as string[]).includes(topic)

/** as given, not trimmed: what a party signed is what it is known by; the names rule holds on every node */
const participantId = z.string().superRefine((id, ctx) => {
  const problem = nameFieldProblem(id)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})
const runId = z.string().min(1).max(64)
const slot = z.number().int().min(0).max(10_000)
const wh = z.number().int().min(0).max(1e12)
const finite = z.number().finite()
const nonNegative = finite.min(0)
export const roleSchema = z.enum(['ev', 'grid'])
export type Role = z.infer<typeof roleSchema>

/** Operator-signed: this wallet address bids as this participant, in this role. */
export const registrationSchema = z.object({ id: participantId, role: roleSchema, address: z.string().min(1).max(100) }).strict()
export const revocationSchema = z.object({ id: participantId }).strict()

/** Operator-signed: a run on the network clock, what every agent times its slots by and every verifier solves with. */
export const runAnnouncementSchema = z
  .object({
    run: runId,
    scenario: z.string().max(200),
    slots: z.number().int().min(1).max(1000),
    slotSeconds: finite.positive(),
    /** when slot 0 opens (ms since the epoch); slot t closes at startMs + (t + 1) × slotSeconds */
    startMs: z.number().int().min(0),
    slotHours: finite.positive(),
    priceCap: z.array(finite.positive()),
    game: gameSchema,
    currency: z.string().max(16)
  })
  .strict()
  .refine((run) => run.priceCap.length === run.slots, { message: 'priceCap needs one price per slot', path: ['priceCap'] })

/** An EV's input for one slot, signed by its registered wallet. */
export const offerSchema = z.object({ run: runId, t: slot, id: participantId, supplyWh: wh, reservePrice: nonNegative }).strict()
/** A grid's input for one slot, signed by its registered wallet. */
export const bidSchema = z
  .object({ run: runId, t: slot, id: participantId, xi: finite.positive(), kappa: finite.positive(), demandCapWh: wh })
  .strict()

/**
 * An EV agent's meter summary for the slot's delivery, the slot's length after it closed
 * (`dv2g agent --meter`), signed by its registered wallet: the meter bridge's hourly summary,
 * cut to the slot.
 */
export const deliverySchema = z
  .object({
    run: runId,
    t: slot,
    id: participantId,
    meter: z.string().min(1).max(64),
    fromMs: z.number().int().min(0),
    toMs: z.number().int().min(0),
    importWh: wh,
    exportWh: wh,
    readings: z.number().int().min(2)
  })
  .strict()
  .refine((d) => d.toMs > d.fromMs, { message: 'must end after it starts', path: ['toMs'] })

export type Registration = z.infer<typeof registrationSchema>
export type RunAnnouncement = z.infer<typeof runAnnouncementSchema>
export type Offer = z.infer<typeof offerSchema>
export type Bid = z.infer<typeof bidSchema>
export type Delivery = z.infer<typeof deliverySchema>

export const schemaOf = {
  [MARKET_TOPICS.register]: registrationSchema,
  [MARKET_TOPICS.revoke]: revocationSchema,
  [MARKET_TOPICS.run]: runAnnouncementSchema,
  [MARKET_TOPICS.offer]: offerSchema,
  [MARKET_TOPICS.bid]: bidSchema,
  [MARKET_TOPICS.delivery]: deliverySchema
} as const

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

export const encodeBody = (value: unknown): Uint8Array => textEncoder.encode(JSON.stringify(value))

/** A body parsed by its topic's schema, or why it could not be: the message names the field. */
export function parseBody<T extends keyof typeof schemaOf>(
  topic: T,
  body: Uint8Array
): { ok: true; value: z.infer<(typeof schemaOf)[T]> } | { ok: false; reason: string } {
  let json: unknown
  try {
    json = JSON.parse(textDecoder.decode(body))
  } catch {
    return { ok: false, reason: `${topic}: the body is not UTF-8 JSON` }
  }
  const parsed = schemaOf[topic].safeParse(json)
  if (parsed.success) return { ok: true, value: parsed.data as z.infer<(typeof schemaOf)[T]> }
  const issue = parsed.error.issues[0]!
  return { ok: false, reason: `${topic}: ${issue.path.join('.') || 'body'} ${issue.message}` }
}
