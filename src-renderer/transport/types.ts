// What the API client needs from a transport: Electron IPC through the preload bridge, or the
// serve-mode WebSocket. Both answer a call with the contract's CallResult envelope.
import type { MethodName } from '../../src-shared/contract'
import type { CallResult } from '../../src-shared/wire'

export type TransportKind = 'electron' | 'serve'
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting'

export interface ConnectionState {
  transport: TransportKind
  status: ConnectionStatus
  /** reconnect attempts since the connection was last up */
  attempt: number
  /** epoch ms of the next reconnect attempt, while reconnecting */
  retryAt: number | null
  /** why the connection was lost, for the status bar */
  lastError: string | null
}

export interface Transport {
  readonly kind: TransportKind
  readonly state: ConnectionState
  /** Resolves with the envelope; rejects with TransportError when no answer can come. */
  call(method: MethodName, input: unknown): Promise<CallResult>
  onEvent(listener: (name: string, payload: unknown) => void): () => void
  onStateChange(listener: (state: ConnectionState) => void): () => void
  close(): void
}

/** The call never reached the main process or its answer was lost on the way back. */
export class TransportError extends Error {
  override name = 'TransportError'
}
