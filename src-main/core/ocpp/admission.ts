// Who may open an OCPP connection. Security profile 1 (Basic auth over plain WebSocket) is only
// offered on loopback, where the network is this machine; anywhere else the server needs TLS
// (profile 2: Basic auth inside TLS). A registered charger must give its password; one that is
// not registered is let in to hear Pending or Rejected, and nothing more (see centralSystem.ts).
// A password is checked the slow way (scrypt) only for a token of its id's and its address's
// password-check buckets, so a flood of guesses cannot keep the hashing threads busy. A right
// password is remembered (knownPasswords.ts): what keeps spending those buckets are wrong ones, and
// a charger with its right password is let in even while they are empty. Guesses never touch the
// charger's own bucket, the one its frames spend: they cannot get a connected charger cut off.
import { isIP } from 'node:net'
import type { RateLimiter } from '../limits/rateLimit'
import { chargerIdSchema } from './chargerRegistry'
import type { KnownPasswords } from './knownPasswords'
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
  /**
   * the charger's own bucket, shared with its frames: a charger that gets in spends a token, so one
   * disconnected deep in debt for flooding cannot come straight back
   */
  chargerLimiter: RateLimiter
  /** spends a token of this address's bucket per handshake: ids are free to invent, addresses less so */
  addressLimiter: RateLimiter
  /** a slow password check costs a token of its charger id's bucket here, or is refused */
  passwordChecksPerCharger: RateLimiter
  /** ... and one of its address's (beyond loopback) */
  passwordChecksPerAddress: RateLimiter
  knownPasswords: KnownPasswords
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
  if (!OCPP_PROTOCOLS.some((p) => handshake.protocols.has(p)))
    return { admitted: false, code: 400, message: `no subprotocol in common: this central system speaks ${OCPP_PROTOCOLS.join(', ')}` }
  const address = handshake.remoteAddress ?? 'unknown'
  // chargers on this machine (tests, simulators, a bench) are trusted with their address
  const remote = !isLoopbackHost(address)
  if (remote && rules.addressLimiter.take(address) !== 'allowed')
    return { admitted: false, code: 429, message: 'too many connection attempts from this address' }
  const hash = rules.passwordHash(id.data)
  if (hash === null) {
    if (rules.unknownConnections() >= rules.maxUnknownConnections)
      return { admitted: false, code: 503, message: 'too many unregistered chargers connected' }
    return { admitted: true, chargerId: id.data, registered: false }
  }
  const password = handshake.password
  if (!password) return { admitted: false, code: 401, message: 'wrong or missing password' }
  if (!rules.knownPasswords.matches(id.data, hash, password)) {
    if (remote && rules.passwordChecksPerAddress.reserve(address, 1) !== 0)
      return { admitted: false, code: 429, message: 'too many wrong passwords from this address: try again later' }
    if (rules.passwordChecksPerCharger.reserve(id.data, 1) !== 0)
      return { admitted: false, code: 429, message: 'too many wrong passwords for this charger: try again later' }
    if (!(await verifyPassword(password, hash))) return { admitted: false, code: 401, message: 'wrong or missing password' }
    rules.knownPasswords.remember(id.data, hash, password)
  }
  if (rules.chargerLimiter.take(id.data) !== 'allowed')
    return { admitted: false, code: 429, message: 'too many connection attempts for this charger' }
  return { admitted: true, chargerId: id.data, registered: true }
}
