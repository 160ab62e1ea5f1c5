// One charger's open connection, as the rest of the central system sees it: who it is, on which
// protocol, whether it may do more than boot, and calls to it. Wraps ocpp-rpc's server client so
// nothing else depends on that library's loosely typed API.
import type { RegistrationStatus } from './liveState'
import type { OcppProtocol } from './protocol'

/** The part of ocpp-rpc's RPCServerClient we use. */
export interface RpcPeer {
  call(method: string, params?: unknown, options?: Record<string, unknown>): Promise<unknown>
  close(options?: { code?: number; reason?: string; awaitPending?: boolean; force?: boolean }): Promise<unknown>
}

export class ChargerLink {
  registration: RegistrationStatus | null = null
  /**
   * The rate limiter's verdict on the frame being handled. ocpp-rpc emits a frame's 'message'
   * event and runs its handler in the same synchronous turn, so the handler reads its own frame's
   * verdict here.
   */
  limited = false
  closed = false

  constructor(
    readonly chargerId: string,
    readonly protocol: OcppProtocol,
    /** a registered charger may send anything; one that is not may only boot, to hear Pending or Rejected */
    readonly registered: boolean,
    private readonly peer: RpcPeer,
    private readonly callTimeoutMs: number
  ) {}

  /**
   * Calls the charger. Strict mode checks our payload before it goes and the charger's answer
   * when it comes (a bad answer rejects), so the answer has the shape of the action's response.
   */
  async call<Response>(action: string, payload: object): Promise<Response> {
    return (await this.peer.call(action, payload, { callTimeoutMs: this.callTimeoutMs })) as Response
  }

  close(code: number, reason: string): void {
    this.closed = true
    // closing a socket that is already going away is not an error worth more than ignoring
    this.peer.close({ code, reason }).catch(() => undefined)
  }
}
