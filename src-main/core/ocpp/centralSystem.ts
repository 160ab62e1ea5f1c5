// The OCPP-J endpoint: one ocpp-rpc RPCServer behind our own HTTP or HTTPS server, at
// ws(s)://HOST:PORT/ocpp/{chargerId}, offering ocpp2.1, ocpp2.0.1 and ocpp1.6 with strict schema
// validation. Malformed frames, unknown actions and schema violations are answered by ocpp-rpc
// with a CALLERROR, its code named as the charger's version names it (callErrorCodes.ts), and the
// connection stays up. What we add: admission (admission.ts), a token bucket per charger over
// every frame it sends, answers for registered chargers only (one that is not may boot, to hear
// Pending or Rejected), and a guard around every handler, so that nothing a charger sends can
// throw out of the server.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { createRPCError, RPCServer } from 'ocpp-rpc'
import { z } from 'zod'
import { RateLimiter, type RateLimit } from '../limits/rateLimit'
import { admit, isLoopbackHost } from './admission'
import { translateOutgoing } from './callErrorCodes'
import { ChargerLink, type RpcPeer } from './chargerLink'
import { KnownPasswords } from './knownPasswords'
import type { ChargerRegistry } from './chargerRegistry'
import { describeCallError, firstIssue, issueField, OcppError } from './errors'
import type { HandlerContext, HandlerTable } from './handlerContext'
import { handlers16 } from './handlers16'
import { handlers2 } from './handlers2'
import type { Intake } from './intake'
import type { LiveState, RegistrationStatus } from './liveState'
import { measurandConfig16, measurandConfig2 } from './measurandConfig'
import type * as V16 from './messages16'
import type * as V2 from './messages2'
import { isOcppProtocol, OCPP_PATH, OCPP_PROTOCOLS } from './protocol'
import { strictModeValidators, warmUpSchemas } from './schemaValidators'

export interface CentralSystemSettings {
  /** what an accepted charger is told to keep to between heartbeats */
  heartbeatIntervalS: number
  /** how often a charger is asked to sample meter values during a session */
  sampleIntervalS: number
  /** how long a call to a charger may wait for its answer */
  callTimeoutMs: number
  /** WebSocket pings, to notice a charger that is gone without closing */
  pingIntervalMs: number
  /** the largest frame a charger may send */
  maxPayloadBytes: number
  /** per charger, over every frame it sends and every handshake that lets it in */
  messageRate: RateLimit
  /** per remote address (not loopback), over handshakes */
  handshakeRate: RateLimit
  /** per charger id, over slow password checks: a right password is checked so once, then remembered */
  passwordChecksPerCharger: RateLimit
  /** per remote address (not loopback), over slow password checks */
  passwordChecksPerAddress: RateLimit
  maxUnknownConnections: number
  /** how long a stopping server lets connections close before cutting them */
  closeGraceMs: number
}

export const DEFAULT_CENTRAL_SYSTEM_SETTINGS: CentralSystemSettings = {
  heartbeatIntervalS: 300,
  sampleIntervalS: 60,
  callTimeoutMs: 30_000,
  pingIntervalMs: 30_000,
  maxPayloadBytes: 256 * 1024,
  messageRate: { perSecond: 10, burst: 60, floodAfter: 120 },
  handshakeRate: { perSecond: 2, burst: 30, floodAfter: 60 },
  // checks are refused, never owed: floodAfter has no use here
  passwordChecksPerCharger: { perSecond: 0.2, burst: 10, floodAfter: 0 },
  passwordChecksPerAddress: { perSecond: 1, burst: 20, floodAfter: 0 },
  maxUnknownConnections: 100,
  closeGraceMs: 2_000
}

const pemSchema = z.union([z.string().min(1), z.instanceof(Buffer)])

export const listenOptionsSchema = z.strictObject({
  host: z.string().min(1),
  port: z.int().min(0).max(65_535),
  /** PEM certificate (chain) and key: security profile 2 */
  tls: z.strictObject({ cert: pemSchema, key: pemSchema }).optional()
})

export type ListenOptions = z.input<typeof listenOptionsSchema>

export interface Listening {
  /** where chargers connect, their id appended: ws://127.0.0.1:9000/ocpp/ */
  url: string
  host: string
  port: number
  /** 1: Basic auth on loopback; 2: Basic auth inside TLS */
  securityProfile: 1 | 2
}

export interface CentralSystemDeps {
  registry: ChargerRegistry
  intake: Intake
  live: LiveState
  now: () => number
  log: (line: string) => void
  /** a session ended on a connection: its charging profile is to be cleared */
  sessionEnded(link: ChargerLink, connectorId: number, transactionId: string): void
}

/** What the auth callback hands to ocpp-rpc for the connection it admits. */
interface AdmittedSession {
  chargerId: string
  registered: boolean
}

/** ocpp-rpc's server client, as much of it as we touch. */
interface RpcServerClient extends RpcPeer {
  readonly protocol: string | undefined
  /** every frame ocpp-rpc sends goes through here, its CALLERRORs included */
  sendRaw(message: string | Buffer): void
  readonly session: Record<string, unknown>
  handle(method: string, handler: (call: { params?: unknown }) => unknown): void
  on(event: 'message', listener: (event: { outbound: boolean }) => void): void
  on(event: 'badMessage', listener: (event: { error: Error }) => void): void
  on(event: 'close', listener: () => void): void
}

function isRpcError(error: unknown): boolean {
  return typeof (error as { rpcErrorCode?: unknown } | null)?.rpcErrorCode === 'string'
}

export class CentralSystem {
  private rpc: RPCServer | null = null
  private http: Server | null = null
  private readonly sockets = new Set<Duplex>()
  private readonly links = new Map<string, ChargerLink>()
  private readonly chargerLimiter: RateLimiter
  private readonly addressLimiter: RateLimiter
  private readonly passwordChecksPerCharger: RateLimiter
  private readonly passwordChecksPerAddress: RateLimiter
  private readonly knownPasswords = new KnownPasswords()

  constructor(
    private readonly deps: CentralSystemDeps,
    private readonly settings: CentralSystemSettings = DEFAULT_CENTRAL_SYSTEM_SETTINGS
  ) {
    this.chargerLimiter = new RateLimiter(settings.messageRate, 100_000, deps.now)
    this.addressLimiter = new RateLimiter(settings.handshakeRate, 10_000, deps.now)
    this.passwordChecksPerCharger = new RateLimiter(settings.passwordChecksPerCharger, 100_000, deps.now)
    this.passwordChecksPerAddress = new RateLimiter(settings.passwordChecksPerAddress, 10_000, deps.now)
  }

  get listening(): boolean {
    return this.http !== null
  }

  /**
   * Starts listening. Without TLS only on loopback (security profile 1); anywhere else TLS is
   * required (profile 2), and its absence is refused before anything binds.
   */
  async listen(options: ListenOptions): Promise<Listening> {
    const parsed = listenOptionsSchema.safeParse(options)
    if (!parsed.success) throw new OcppError(firstIssue(parsed.error, 'listen'), { field: issueField(parsed.error, 'listen') })
    const { host, port, tls } = parsed.data
    if (!isLoopbackHost(host) && !tls) {
      throw new OcppError(
        `tls: OCPP on ${host} needs TLS (security profile 2): give a certificate and key, or listen on 127.0.0.1 (profile 1, Basic auth without TLS, loopback only)`,
        { field: 'tls' }
      )
    }
    if (this.http) throw new OcppError('the central system is listening already')
    warmUpSchemas()
    const rpc = new RPCServer({
      protocols: [...OCPP_PROTOCOLS],
      strictMode: true,
      strictModeValidators: strictModeValidators(),
      callTimeoutMs: this.settings.callTimeoutMs,
      pingIntervalMs: this.settings.pingIntervalMs,
      respondWithDetailedErrors: false,
      wssOptions: { maxPayload: this.settings.maxPayloadBytes }
    })
    rpc.auth((accept, reject, handshake, signal) => {
      admit(handshake, {
        passwordHash: (id) => this.deps.registry.passwordHash(id),
        chargerLimiter: this.chargerLimiter,
        addressLimiter: this.addressLimiter,
        passwordChecksPerCharger: this.passwordChecksPerCharger,
        passwordChecksPerAddress: this.passwordChecksPerAddress,
        knownPasswords: this.knownPasswords,
        unknownConnections: () => [...this.links.values()].filter((l) => !l.registered).length,
        maxUnknownConnections: this.settings.maxUnknownConnections
      })
        .then((admission) => {
          if (signal?.aborted) return
          if (admission.admitted) accept({ chargerId: admission.chargerId, registered: admission.registered } satisfies AdmittedSession)
          else reject(admission.code, admission.message)
        })
        .catch(
          this.guarded(`${handshake.identity}: refusing its handshake`, (error: unknown) => {
            this.deps.log(`${handshake.identity}: its handshake could not be checked: ${(error as Error).message}`)
            reject(500, 'the central system could not check this charger')
          })
        )
    })
    rpc.on('client', (client: RpcServerClient) => {
      try {
        this.attach(client)
      } catch (error) {
        this.deps.log(`a connection could not be set up: ${(error as Error).stack}`)
        client.close({ code: 1011, reason: 'internal error' }).catch(() => undefined)
      }
    })
    rpc.on('error', (error: Error) => this.deps.log(`server: ${error.message}`))
    rpc.on(
      'upgradeAborted',
      this.guarded('logging a refused handshake', ({ identity, error }: { identity: string; error?: Error & { code?: number } }) =>
        this.deps.log(`${identity}: handshake refused (${error?.code ?? ''} ${error?.message ?? ''})`)
      )
    )

    const notFound = (_request: IncomingMessage, response: ServerResponse) => {
      response.statusCode = 404
      response.end()
    }
    let http: Server
    try {
      http = tls ? createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, notFound) : createHttpServer(notFound)
    } catch (error) {
      throw new OcppError(`tls: the certificate and key cannot be used: ${(error as Error).message}`, { field: 'tls' })
    }
    http.on('connection', (socket: Socket) => {
      this.sockets.add(socket)
      socket.once('close', () => this.sockets.delete(socket))
    })
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      rpc.handleUpgrade(request, socket as Socket, head).catch((error: unknown) => {
        this.deps.log(`an upgrade failed: ${(error as Error).message}`)
        socket.destroy()
      })
    })
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject)
      http.listen(port, host, () => {
        http.off('error', reject)
        resolve()
      })
    })
    http.on('error', (error) => this.deps.log(`server: ${error.message}`))
    this.rpc = rpc
    this.http = http
    const address = http.address()
    const boundPort = typeof address === 'object' && address ? address.port : port
    const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
    return { url: `${tls ? 'wss' : 'ws'}://${urlHost}:${boundPort}${OCPP_PATH}/`, host, port: boundPort, securityProfile: tls ? 2 : 1 }
  }

  /** Closes every connection (chargers hear 1001, going away) and stops listening. */
  async close(): Promise<void> {
    const { rpc, http } = this
    if (!rpc || !http) return
    this.rpc = null
    this.http = null
    for (const link of this.links.values()) link.close(1001, 'the central system is stopping')
    const cutOff = setTimeout(() => {
      for (const socket of this.sockets) socket.destroy()
    }, this.settings.closeGraceMs)
    try {
      await rpc.close({ code: 1001, reason: 'the central system is stopping' })
      await new Promise<void>((resolve) => http.close(() => resolve()))
    } finally {
      clearTimeout(cutOff)
    }
  }

  link(chargerId: string): ChargerLink | null {
    const link = this.links.get(chargerId)
    return link && !link.closed ? link : null
  }

  /** Closes a charger's connection (it was removed, or must log in again with a password). */
  disconnect(chargerId: string, reason: string): void {
    this.links.get(chargerId)?.close(4001, reason)
  }

  private attach(client: RpcServerClient): void {
    const { chargerId, registered } = client.session as unknown as AdmittedSession
    const protocol = client.protocol
    if (!isOcppProtocol(protocol)) {
      client.close({ code: 1002, reason: 'no OCPP subprotocol' }).catch(() => undefined)
      return
    }
    // before anything is sent: the charger hears CALLERROR codes its own version defines
    const sendRaw = client.sendRaw.bind(client)
    client.sendRaw = (message) => {
      sendRaw(typeof message === 'string' ? translateOutgoing(protocol, message) : message)
    }
    // a charger that connects again replaces its old connection (often one that died unnoticed)
    this.links.get(chargerId)?.close(4000, 'replaced by a newer connection')
    const link = new ChargerLink(chargerId, protocol, registered, client, this.settings.callTimeoutMs)
    this.links.set(chargerId, link)
    const charger = this.deps.live.charger(chargerId, registered)
    charger.protocol = protocol
    charger.connected = true
    charger.lastSeenMs = this.deps.now()
    this.deps.live.changed(chargerId)

    const context: HandlerContext = {
      link,
      intake: this.deps.intake,
      boot: () => this.boot(link),
      sessionEnded: (connectorId, transactionId) => this.deps.sessionEnded(link, connectorId, transactionId),
      now: this.deps.now,
      log: this.deps.log
    }
    const table: HandlerTable = protocol === 'ocpp1.6' ? handlers16(context) : handlers2(context)
    for (const [action, handler] of Object.entries(table)) client.handle(action, ({ params }) => this.run(link, action, handler, params))

    // ocpp-rpc emits these from inside the socket's own events: a throw here would escape the server
    const counted = ({ outbound }: { outbound: boolean }) => {
      if (!outbound) this.count(link)
    }
    client.on('message', this.guarded(`${chargerId}: counting a frame`, counted))
    client.on(
      'badMessage',
      this.guarded(`${chargerId}: a bad frame`, ({ error }: { error: Error }) =>
        this.deps.log(`${chargerId}: a bad frame: ${error.message}`)
      )
    )
    client.on(
      'close',
      this.guarded(`${chargerId}: closing`, () => this.detach(link))
    )
  }

  /** A listener that logs what it throws instead of throwing it. */
  private guarded<A extends unknown[]>(what: string, listener: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      try {
        listener(...args)
      } catch (error) {
        this.deps.log(`${what} failed: ${(error as Error).stack ?? String(error)}`)
      }
    }
  }

  /** Every frame a charger sends costs a token; a charger deep in debt is disconnected. */
  private count(link: ChargerLink): void {
    const verdict = this.chargerLimiter.take(link.chargerId)
    link.limited = verdict !== 'allowed'
    if (this.deps.live.has(link.chargerId)) this.deps.live.charger(link.chargerId).lastSeenMs = this.deps.now()
    if (verdict === 'flooding' && !link.closed) {
      this.deps.log(`${link.chargerId}: disconnected for flooding (more than ${this.settings.messageRate.perSecond} messages a second)`)
      link.close(1008, 'message rate limit exceeded')
    }
  }

  /** Runs a handler for a charger's call; whatever goes wrong becomes a CALLERROR, never a throw out of here. */
  private run(link: ChargerLink, action: string, handler: HandlerTable[string], params: unknown): object {
    if (link.limited) throw createRPCError('GenericError', `rate limit: at most ${this.settings.messageRate.perSecond} messages a second`)
    if (!link.registered && action !== 'BootNotification')
      throw createRPCError('SecurityError', `${link.chargerId} is not registered here: only BootNotification is answered`)
    try {
      return handler(params)
    } catch (error) {
      if (isRpcError(error)) throw error
      this.deps.log(`${link.chargerId}: ${action} failed: ${(error as Error).stack ?? String(error)}`)
      throw createRPCError('InternalError', `the central system could not process ${action}`)
    }
  }

  /** A BootNotification's answer: Accepted for a registered charger (which is then configured), else the operator's choice. */
  private boot(link: ChargerLink): { status: RegistrationStatus; intervalS: number } {
    const status: RegistrationStatus = link.registered ? 'Accepted' : this.deps.registry.unknownChargers
    link.registration = status
    const charger = this.deps.live.charger(link.chargerId, link.registered)
    charger.registration = status
    this.deps.live.changed(link.chargerId)
    // after the charger has its answer: a central system may not call a charger before accepting it
    if (status === 'Accepted') setImmediate(() => void this.configureMeasurands(link))
    return { status, intervalS: this.settings.heartbeatIntervalS }
  }

  private async configureMeasurands(link: ChargerLink): Promise<void> {
    const refused: string[] = []
    try {
      if (link.protocol === 'ocpp1.6') {
        for (const change of measurandConfig16(this.settings.sampleIntervalS)) {
          if (link.closed) return
          const answer = await link.call<V16.ChangeConfigurationResponse>('ChangeConfiguration', change)
          if (answer.status !== 'Accepted') refused.push(`${change.key}: ${answer.status}`)
        }
      } else {
        const answer = await link.call<V2.SetVariablesResponse>('SetVariables', measurandConfig2(this.settings.sampleIntervalS))
        for (const result of answer.setVariableResult)
          if (result.attributeStatus !== 'Accepted')
            refused.push(`${result.component.name}.${result.variable.name}: ${result.attributeStatus}`)
      }
    } catch (error) {
      if (!link.closed) refused.push(describeCallError(error))
    }
    if (refused.length > 0) this.deps.log(`${link.chargerId}: sampled measurands not (all) configured: ${refused.join('; ')}`)
  }

  private detach(link: ChargerLink): void {
    link.closed = true
    if (this.links.get(link.chargerId) !== link) return
    this.links.delete(link.chargerId)
    // an unknown charger, or one removed while connected, leaves the console with its connection
    if (!this.deps.registry.get(link.chargerId)) {
      this.deps.live.remove(link.chargerId)
      return
    }
    this.deps.live.charger(link.chargerId).connected = false
    this.deps.live.changed(link.chargerId)
  }
}
