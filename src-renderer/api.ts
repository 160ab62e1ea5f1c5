// The console's one typed client for the contract. It picks the transport (Electron preload or the
// serve-mode WebSocket), checks every answer against the contract's output schemas and turns
// failures into CallError, which carries the contract's error body.
import { shallowRef, type ShallowRef } from 'vue'
import {
  apiErrorSchema,
  events,
  isEventName,
  methods,
  type ApiErrorBody,
  type EventName,
  type EventPayload,
  type MethodInput,
  type MethodName,
  type MethodOutput
} from '../src-shared/contract'
import type { Dv2gBridge } from '../src-shared/bridge'
import { SOCKET_PROTOCOL, socketProtocols } from '../src-shared/serveAuth'
import { createBridgeTransport } from './transport/bridge'
import { takePageToken, type TokenPage } from './transport/pageToken'
import { createSocketTransport } from './transport/socket'
import { TransportError, type ConnectionState, type Transport } from './transport/types'

export type { ConnectionState } from './transport/types'

/** The contract's error codes; 'unavailable' also when the call could not reach the main process. */
export type CallErrorCode = ApiErrorBody['code']

export class CallError extends Error {
  override name = 'CallError'

  constructor(
    readonly method: MethodName,
    readonly code: CallErrorCode,
    message: string,
    readonly fields?: ApiErrorBody['fields'],
    /** the input field at fault, where the main process named one */
    readonly field?: string
  ) {
    super(message)
  }

  /** The server's message for one input field (dotted path), if it named that field. */
  fieldMessage(path: string): string | undefined {
    return this.fields?.find((field) => field.path === path)?.message
  }
}

/** Methods whose input may be left out take no argument; the others require it. */
export type InputArgs<M extends MethodName> = undefined extends MethodInput<M> ? [input?: MethodInput<M>] : [input: MethodInput<M>]

export interface ApiClient {
  call<M extends MethodName>(method: M, ...input: InputArgs<M>): Promise<MethodOutput<M>>
  onEvent<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void
  /** reactive, for the status bar */
  readonly connection: Readonly<ShallowRef<ConnectionState>>
  close(): void
}

export function createApiClient(transport: Transport): ApiClient {
  const connection = shallowRef<ConnectionState>(transport.state)
  const stopWatchingState = transport.onStateChange((state) => (connection.value = state))
  const listeners = new Map<EventName, Set<(payload: never) => void>>()

  const stopWatchingEvents = transport.onEvent((name, payload) => {
    if (!isEventName(name)) return
    const parsed = events[name].safeParse(payload)
    if (!parsed.success) {
      console.warn(`dv2g: dropped event ${name}: its payload does not match the contract`)
      return
    }
    for (const listener of listeners.get(name) ?? []) listener(parsed.data as never)
  })

  async function call<M extends MethodName>(method: M, ...[input]: InputArgs<M>): Promise<MethodOutput<M>> {
    let result
    try {
      result = await transport.call(method, input)
    } catch (error) {
      const message = error instanceof TransportError ? error.message : `${method} failed: ${String(error)}`
      throw new CallError(method, 'unavailable', message)
    }
    if (!result.ok) {
      const body = apiErrorSchema.safeParse(result.error)
      if (!body.success) throw new CallError(method, 'internal', `${method} failed with an error the contract does not describe`)
      throw new CallError(method, body.data.code, body.data.message, body.data.fields, body.data.field)
    }
    const output = methods[method].output.safeParse(result.output)
    if (!output.success) {
      const where = output.error.issues.map((issue) => issue.path.join('.') || '(output)').join(', ')
      throw new CallError(method, 'internal', `${method} answered with output that does not match the contract (${where})`)
    }
    return output.data as MethodOutput<M>
  }

  function onEvent<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
    const set = listeners.get(name) ?? new Set()
    listeners.set(name, set)
    set.add(listener as (payload: never) => void)
    return () => set.delete(listener as (payload: never) => void)
  }

  return {
    call,
    onEvent,
    connection,
    close() {
      stopWatchingState()
      stopWatchingEvents()
      transport.close()
    }
  }
}

/** The serve-mode socket URL: the page's own origin. The token is not in it (URLs get logged). */
export function socketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}/ws`
}

export function transportForPage(page: TokenPage & { dv2g?: Dv2gBridge; location: Location }): Transport {
  if (page.dv2g) return createBridgeTransport(page.dv2g)
  // the token rides in the subprotocol list: a browser cannot set headers on a WebSocket upgrade
  const token = takePageToken(page)
  return createSocketTransport({ url: socketUrl(page.location), protocols: token ? socketProtocols(token) : [SOCKET_PROTOCOL] })
}

let pageClient: ApiClient | undefined

/** The page's client, connected on first use. */
export function apiClient(): ApiClient {
  pageClient ??= createApiClient(transportForPage(window))
  return pageClient
}

export function call<M extends MethodName>(method: M, ...input: InputArgs<M>): Promise<MethodOutput<M>> {
  return apiClient().call(method, ...input)
}

export function onEvent<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
  return apiClient().onEvent(name, listener)
}

/** A short message for a failed call or any other error, for messages and alerts. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
