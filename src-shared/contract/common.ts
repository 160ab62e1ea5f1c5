// What several domains of the contract share: the shape of a method, number and id schemas, and
// the limits a transport enforces before any schema runs.
import { z } from 'zod'
import { nameSchema } from '../names'

export const noInput = z.object({}).strict().optional()
export const num = z.number()
export const count = z.number().int()

/** Token amounts travel as decimal strings of base units: integers beyond 2^53 stay exact. */
export const baseUnitsSchema = z
  .string({ error: 'must be a string of base units' })
  .regex(/^\d{1,19}$/, { message: 'must be a whole number of base units' })
export const txIdSchema = z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be 64 hex digits' })

/** a market participant's id */
export const prosumerSchema = nameSchema().nullable()

/** a path as long as Linux allows */
export const MAX_PATH_CHARS = 4096
/** the files and folders one meter.import takes: a chosen volume's logs, or folders of them */
export const MAX_IMPORT_PATHS = 256
/**
 * The largest call serve mode carries, as an HTTP body or one WebSocket frame: meter.import's
 * largest input, each path character at most 3 bytes of UTF-8 in JSON (the control characters and
 * lone surrogates that JSON writes as 6 are refused), and room for the call around it. Every other
 * method's input is bounded well below it.
 */
export const MAX_CALL_BYTES = Math.ceil((MAX_IMPORT_PATHS * (3 * MAX_PATH_CHARS + 3) + 64 * 1024) / (1 << 20)) * (1 << 20)

export function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output }
}
