// A slot's published result (`market.result`): what the operator's node solved from the input set
// a milestone fixed. A result for a thousand EVs is larger than one transaction may be, so it
// travels in parts: each body is a JSON header line (run, slot, part, parts, digest of the whole)
// and then its share of the result's JSON text. A node reassembles the parts that agree on the
// digest, checks the digest, and parses the whole.
import { createHash } from 'node:crypto'
import { z } from 'zod'

/** a part's body stays well inside a transaction (MAX_TX_BYTES 4096, less the header fields) */
export const MAX_PART_BYTES = 3500
const MAX_PARTS = 1000
/**
 * Trades are listed up to this many. Beyond it (a thousand EVs and fifty grids make 50,000, five
 * megabytes) the list is left out: each trade is x_nm = share_m · p*_n(ϖ_m) (MODEL.md, "Trades
 * and settlement"), which follows from the sellers' prices and shares here and the grids' bids
 * in the input set the result names, as every node that verifies it computes it.
 */
export const MAX_LISTED_TRADES = 1000

const finite = z.number().finite()
const excludedSchema = z.object({ tx: z.string(), participant: z.string().nullable(), reason: z.string() }).strict()
export type Excluded = z.infer<typeof excludedSchema>

export const marketResultSchema = z
  .object({
    run: z.string(),
    t: z.number().int().min(0),
    /** the milestone whose confirmed inputs were solved */
    milestone: z.number().int().min(1),
    /** SHA-256 over the included input transactions' ids, in input-set order */
    inputHash: z.string().regex(/^[0-9a-f]{64}$/),
    inputs: z.number().int().min(0),
    excluded: z.array(excludedSchema),
    converged: z.boolean(),
    clearingPrice: finite.nullable(),
    /** per seller in the game: its price ϖ_m, its probability Q_m, the share of each grid's demand it serves (Q_m · min(1, R_m)) and what it sold */
    sellers: z.array(z.object({ id: z.string(), price: finite, probability: finite, share: finite, soldKWh: finite }).strict()),
    buyers: z.array(z.object({ id: z.string(), boughtKWh: finite, paid: finite }).strict()),
    /** null when there are more than MAX_LISTED_TRADES */
    trades: z.array(z.object({ buyer: z.string(), seller: z.string(), energyKWh: finite, price: finite, paid: finite }).strict()).nullable()
  })
  .strict()
export type MarketResult = z.infer<typeof marketResultSchema>

const headerSchema = z
  .object({
    run: z.string().min(1).max(64),
    t: z.number().int().min(0),
    part: z.number().int().min(0),
    parts: z.number().int().min(1).max(MAX_PARTS),
    digest: z.string().regex(/^[0-9a-f]{64}$/)
  })
  .strict()
  .refine((h) => h.part < h.parts, { message: 'part is beyond parts' })
export type ResultPartHeader = z.infer<typeof headerSchema>

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** The result's bodies, one per transaction, in order. */
export function resultParts(result: MarketResult): Uint8Array[] {
  const whole = textEncoder.encode(JSON.stringify(result))
  const digest = sha256(whole)
  const parts = Math.max(1, Math.ceil(whole.length / MAX_PART_BYTES))
  if (parts > MAX_PARTS) throw new Error(`a result of ${whole.length} bytes needs more than ${MAX_PARTS} parts`)
  return Array.from({ length: parts }, (_, part) => {
    const header = textEncoder.encode(`${JSON.stringify({ run: result.run, t: result.t, part, parts, digest })}\n`)
    // split on bytes: a character cut in two is whole again once the parts are joined
    const chunk = whole.subarray(part * MAX_PART_BYTES, (part + 1) * MAX_PART_BYTES)
    const body = new Uint8Array(header.length + chunk.length)
    body.set(header)
    body.set(chunk, header.length)
    return body
  })
}

/** A part's header and its bytes of the whole, or why the body is not a result part. */
export function readResultPart(
  body: Uint8Array
): { ok: true; header: ResultPartHeader; chunk: Uint8Array } | { ok: false; reason: string } {
  const newline = body.indexOf(0x0a)
  if (newline < 0) return { ok: false, reason: 'market.result: the body has no header line' }
  let json: unknown
  try {
    json = JSON.parse(textDecoder.decode(body.subarray(0, newline)))
  } catch {
    return { ok: false, reason: 'market.result: the header line is not JSON' }
  }
  const parsed = headerSchema.safeParse(json)
  if (!parsed.success)
    return {
      ok: false,
      reason: `market.result: header ${parsed.error.issues[0]!.path.join('.') || ''} ${parsed.error.issues[0]!.message}`.replace('  ', ' ')
    }
  return { ok: true, header: parsed.data, chunk: body.subarray(newline + 1) }
}

/** The whole result from all its parts (in part order), checked against their digest. */
export function assembleResult(
  header: ResultPartHeader,
  chunks: readonly Uint8Array[]
): { ok: true; result: MarketResult } | { ok: false; reason: string } {
  const length = chunks.reduce((sum, c) => sum + c.length, 0)
  const whole = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    whole.set(chunk, offset)
    offset += chunk.length
  }
  if (sha256(whole) !== header.digest) return { ok: false, reason: 'the parts do not hash to the digest their headers state' }
  let json: unknown
  try {
    json = JSON.parse(textDecoder.decode(whole))
  } catch {
    return { ok: false, reason: 'the joined parts are not JSON' }
  }
  const parsed = marketResultSchema.safeParse(json)
  if (!parsed.success)
    return { ok: false, reason: `${parsed.error.issues[0]!.path.join('.') || 'result'} ${parsed.error.issues[0]!.message}` }
  if (parsed.data.run !== header.run || parsed.data.t !== header.t)
    return {
      ok: false,
      reason: `the parts are headed run ${header.run} slot ${header.t}, the result says run ${parsed.data.run} slot ${parsed.data.t}`
    }
  return { ok: true, result: parsed.data }
}
