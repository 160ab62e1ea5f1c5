// Who may open an OCPP connection. Security profile 1 (Basic auth over plain WebSocket) is only
// offered on loopback, where the network is this machine; anywhere else the server needs TLS
// (profile 2: Basic auth inside TLS). A registered charger must give its password; one that is
// not registered is let in to hear Pending or Rejected, and nothing more (see centralSystem.ts).
// Every handshake costs a token before its password is hashed, so a flood of handshakes cannot
// keep the hashing threads busy.
import { isIP } from 'node:net'
import type { RateLimiter } from '../network/rateLimit'
import { chargerIdSchema } from './chargerRegistry'
import { verifyPassword } from './passwords'
import { OCPP_PATH, OCPP_PROTOCOLS } from './protocol'

export interface Handshake {
  /** the path before the charger id */
  endpoint: string
  identity: string
  protocols: ReadonlySet<string>
  password: Buffer | undefined
  remoteAddress: string | undefined
}

export type Admission = { admitted: true; chargerId: string; registered: boolean } | { admitted: false; code: number; message: string }

export interface AdmissionRules {
  passwordHash(chargerId: string): string | null
  /** spends a token of this charger's bucket (shared with its messages) */
  chargerLimiter: RateLimiter
  /** spends a token of this address's bucket: ids are free to invent, addresses less so */
  addressLimiter: RateLimiter
  unknownConnections(): number
  maxUnknownConnections: number
}

/** Whether a host name or address stays on this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1')
  if (bare === 'localhost') return true
  if (isIP(bare) === 4) return bare.startsWith('127.')
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./i.test(bare)
  return false
}

export async function admit(handshake: Handshake, rules: AdmissionRules): Promise<Admission> {
  if (handshake.endpoint !== OCPP_PATH) return { admitted: false, code: 404, message: `chargers connect to ${OCPP_PATH}/{chargerId}` }
  const id = chargerIdSchema.safeParse(handshake.identity)
  if (!id.success) return { admitted: false, code: 400, message: id.error.issues[0]!.message }
  if (!OCPP_PROTOCOLS.some((p) => handshake.protocols.has(p))) return { admitted: false, code: 400, message: `no subprotocol in common: this central system speaks ${OCPP_PROTOCOLS.join(', ')}` }
  const address = handshake.remoteAddress ?? 'unknown'
  // chargers on this machine (tests, simulators, a bench) are trusted with their address
  if (!isLoopbackHost(address) && rules.addressLimiter.take(address) !== 'allowed') return { admitted: false, code: 429, message: 'too many connection attempts from this address' }
  if (rules.chargerLimiter.take(id.data) !== 'allowed') return { admitted: false, code: 429, message: 'too many connection attempts for this charger' }
  const hash = rules.passwordHash(id.data)
  if (hash === null) {
    if (rules.unknownConnections() >= rules.maxUnknownConnections) return { admitted: false, code: 503, message: 'too many unregistered chargers connected' }
    return { admitted: true, chargerId: id.data, registered: false }
  }
  if (!handshake.password || !(await verifyPassword(handshake.password, hash))) return { admitted: false, code: 401, message: 'wrong or missing password' }
  return { admitted: true, chargerId: id.data, registered: true }
}
