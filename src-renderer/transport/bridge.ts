// Electron: the preload's window.dv2g carries every call over IPC; there is no connection to lose.
import type { MethodName } from '../../src-shared/contract'
import type { Dv2gBridge } from '../../src-shared/bridge'
import { TransportError, type ConnectionState, type Transport } from './types'

export function createBridgeTransport(bridge: Dv2gBridge): Transport {
  const state: ConnectionState = { transport: 'electron', status: 'connected', attempt: 0, retryAt: null, lastError: null }
  return {
    kind: 'electron',
    state,
    async call(method: MethodName, input: unknown) {
      const invoke = bridge.methods[method] as ((input?: unknown) => ReturnType<Dv2gBridge['methods'][MethodName]>) | undefined
      if (typeof invoke !== 'function') throw new TransportError(`the preload exposes no ${method}`)
      try {
        return await invoke(input)
      } catch (error) {
        throw new TransportError(`IPC call ${method} failed: ${error instanceof Error ? error.message : String(error)}`)
      }
    },
    onEvent: (listener) => bridge.onEvent(listener),
    onStateChange: () => () => {},
    close: () => {}
  }
}
