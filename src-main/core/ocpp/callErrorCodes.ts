// CALLERROR codes as each OCPP-J version names them. ocpp-rpc answers a bad frame in 2.0.1's
// terms whatever the version (RpcFrameworkError, MessageTypeNotSupported), and spells the
// occurrence code the wrong way round for 1.6 and 2.1: 1.6's errata keep the typo of its spec,
// OccurenceConstraintViolation, as the code on the wire, while 2.0.1 and 2.1 spell it
// OccurrenceConstraintViolation. Every CALLERROR the server sends passes through here on its way
// out (see centralSystem.ts), so a charger only ever hears codes its version defines.
import type { OcppProtocol } from './protocol'

/** OCPP-J 1.6, section 4.2.3. */
const CODES_16: ReadonlySet<string> = new Set([
  'NotImplemented',
  'NotSupported',
  'InternalError',
  'ProtocolError',
  'SecurityError',
  'FormationViolation',
  'PropertyConstraintViolation',
  'OccurenceConstraintViolation',
  'TypeConstraintViolation',
  'GenericError'
])

/** OCPP-J 2.0.1 and 2.1, section 4.3. */
const CODES_2: ReadonlySet<string> = new Set([
  'FormatViolation',
  'GenericError',
  'InternalError',
  'MessageTypeNotSupported',
  'NotImplemented',
  'NotSupported',
  'OccurrenceConstraintViolation',
  'PropertyConstraintViolation',
  'ProtocolError',
  'RpcFrameworkError',
  'SecurityError',
  'TypeConstraintViolation'
])

/** A code of the other version's, as this version names the same fault. */
const RENAMED_16: ReadonlyMap<string, string> = new Map([
  // a frame that is not JSON, not an array, has no string id or no action: not the PDU structure
  ['RpcFrameworkError', 'FormationViolation'],
  ['FormatViolation', 'FormationViolation'],
  ['OccurrenceConstraintViolation', 'OccurenceConstraintViolation'],
  // 1.6 (4.1.3) has the server ignore the payload of a message type not in its list; an answer in
  // a code it defines still tells the charger not to wait for one
  ['MessageTypeNotSupported', 'GenericError']
])

const RENAMED_2: ReadonlyMap<string, string> = new Map([
  ['FormationViolation', 'FormatViolation'],
  ['OccurenceConstraintViolation', 'OccurrenceConstraintViolation']
])

/** The code a charger on this version is to hear for `code`. */
export function callErrorCode(protocol: OcppProtocol, code: string): string {
  const [known, renamed] = protocol === 'ocpp1.6' ? [CODES_16, RENAMED_16] : [CODES_2, RENAMED_2]
  if (known.has(code)) return code
  return renamed.get(code) ?? 'GenericError'
}

/** An outgoing frame as this version says it: a CALLERROR with its code named the version's way, anything else as it is. */
export function translateOutgoing(protocol: OcppProtocol, frame: string): string {
  // ocpp-rpc writes its frames with JSON.stringify: a CALLERROR starts so, and nothing else does
  if (!frame.startsWith('[4,')) return frame
  const parsed = JSON.parse(frame) as unknown[]
  if (typeof parsed[2] !== 'string') return frame
  const code = callErrorCode(protocol, parsed[2])
  if (code === parsed[2]) return frame
  parsed[2] = code
  return JSON.stringify(parsed)
}
