// Serve mode: the contract over one WebSocket to the page's own origin. Calls made while the socket
// is (re)connecting wait in a queue; a lost socket reconnects with exponential backoff.
import type { MethodName } from '../../src-shared/contract'
import type { CallMessage, CallResult } from '../../src-shared/wire'
import { TransportError, type ConnectionState, type Transport } from './types'

/** The part of the browser's WebSocket we use; tests pass a fake with the same shape. */
export interface SocketLike {
  readonly readyState: number
  onopen: ((event: unknown) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

export interface SocketTransportOptions {
  url: string
  /** offered in Sec-WebSocket-Protocol; serve mode reads the page's token there */
  protocols?: readonly string[]
  createSocket?: (url: string, protocols: readonly string[]) => SocketLike
  /** first reconnect delay, doubled per failed attempt up to maxRetryMs */
  initialRetryMs?: number
  maxRetryMs?: number
  /** a call with no answer after this long fails rather than hanging the view */
  callTimeoutMs?: number
}

const OPEN = 1

interface PendingCall {
  message: CallMessage
  sent: boolean
  resolve(result: CallResult): void
  reject(error: Error): void
  timer: ReturnType<typeof setTimeout>
}

export function retryDelayMs(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1))
}

export function createSocketTransport(options: SocketTransportOptions): Transport {
  const createSocket =
    options.createSocket ?? ((url: string, protocols: readonly string[]) => new WebSocket(url, [...protocols]) as unknown as SocketLike)
  const protocols = options.protocols ?? []
  const initialRetryMs = options.initialRetryMs ?? 250
  const maxRetryMs = options.maxRetryMs ?? 10_000
  const callTimeoutMs = options.callTimeoutMs ?? 30_000

  const pending = new Map<number, PendingCall>()
  const eventListeners = new Set<(name: string, payload: unknown) => void>()
  const stateListeners = new Set<(state: ConnectionState) => void>()
  let state: ConnectionState = { transport: 'serve', status: 'connecting', attempt: 0, retryAt: null, lastError: null }
  let socket: SocketLike | null = null
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let nextId = 1
  let closed = false

  function setState(patch: Partial<ConnectionState>): void {
    state = { ...state, ...patch }
    for (const listener of stateListeners) listener(state)
  }

  function send(call: PendingCall): void {
    socket!.send(JSON.stringify(call.message))
    call.sent = true
  }

  function settle(id: number): PendingCall | undefined {
    const call = pending.get(id)
    if (!call) return undefined
    pending.delete(id)
    clearTimeout(call.timer)
    return call
  }

  function connect(): void {
    retryTimer = null
    let ws: SocketLike
    try {
      ws = createSocket(options.url, protocols)
    } catch (error) {
      // e.g. a malformed URL: the browser throws instead of closing, so retry from here
      scheduleReconnect(error instanceof Error ? error.message : String(error))
      return
    }
    socket = ws
    ws.onopen = () => {
      if (socket !== ws) return
      setState({ status: 'connected', attempt: 0, retryAt: null, lastError: null })
      for (const call of pending.values()) if (!call.sent) send(call)
    }
    ws.onmessage = (event) => {
      if (socket === ws) receive(event.data)
    }
    // the browser follows every error with a close event; reconnecting is handled there
    ws.onerror = () => {}
    ws.onclose = (event) => {
      if (socket !== ws) return
      socket = null
      const why = event.reason || `socket closed (code ${event.code})`
      // a call already sent may or may not have run; only the caller can decide to retry it
      for (const [id, call] of pending) {
        if (call.sent) settle(id)?.reject(new TransportError(`connection lost before ${call.message.method} was answered`))
      }
      if (!closed) scheduleReconnect(why)
    }
  }

  function scheduleReconnect(why: string): void {
    const attempt = state.attempt + 1
    const delay = retryDelayMs(attempt, initialRetryMs, maxRetryMs)
    setState({ status: 'reconnecting', attempt, retryAt: Date.now() + delay, lastError: why })
    retryTimer = setTimeout(connect, delay)
  }

  function receive(data: unknown): void {
    let message: unknown
    try {
      message = JSON.parse(String(data))
    } catch {
      console.warn('dv2g: ignoring a server message that is not JSON')
      return
    }
    if (typeof message !== 'object' || message === null) return
    const m = message as Record<string, unknown>
    if (m.type === 'event' && typeof m.name === 'string') {
      for (const listener of eventListeners) listener(m.name, m.payload)
    } else if (m.type === 'result' && typeof m.id === 'number') {
      const call = settle(m.id)
      if (!call) return
      call.resolve(m.ok === true ? { ok: true, output: m.output } : ({ ok: false, error: m.error } as CallResult))
    }
  }

  connect()

  return {
    kind: 'serve',
    get state() {
      return state
    },
    call(method: MethodName, input: unknown): Promise<CallResult> {
      if (closed) return Promise.reject(new TransportError('the connection is closed'))
      return new Promise<CallResult>((resolve, reject) => {
        const id = nextId++
        const timer = setTimeout(() => {
          settle(id)?.reject(new TransportError(`no answer to ${method} within ${Math.round(callTimeoutMs / 1000)} s`))
        }, callTimeoutMs)
        const call: PendingCall = { message: { type: 'call', id, method, input }, sent: false, resolve, reject, timer }
        pending.set(id, call)
        if (socket?.readyState === OPEN) send(call)
      })
    },
    onEvent(listener) {
      eventListeners.add(listener)
      return () => eventListeners.delete(listener)
    },
    onStateChange(listener) {
      stateListeners.add(listener)
      return () => stateListeners.delete(listener)
    },
    close() {
      closed = true
      if (retryTimer) clearTimeout(retryTimer)
      for (const id of [...pending.keys()]) settle(id)?.reject(new TransportError('the connection is closed'))
      socket?.close()
      socket = null
    }
  }
}
