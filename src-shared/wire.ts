// Messages of the serve-mode WebSocket. Electron IPC carries the same calls natively.
import { z } from 'zod'
import { apiErrorSchema } from './contract'

export const callMessageSchema = z.object({
  type: z.literal('call'),
  id: z.number().int().nonnegative(),
  method: z.string(),
  input: z.unknown().optional()
})
export type CallMessage = z.infer<typeof callMessageSchema>

export type ResultMessage =
  | { type: 'result'; id: number; ok: true; output: unknown }
  | { type: 'result'; id: number; ok: false; error: z.infer<typeof apiErrorSchema> }

export interface EventMessage {
  type: 'event'
  name: string
  payload: unknown
}

export type ServerMessage = ResultMessage | EventMessage

/** What every transport answers a call with; failures carry the contract's error body. */
export type CallResult<T = unknown> = { ok: true; output: T } | { ok: false; error: z.infer<typeof apiErrorSchema> }
