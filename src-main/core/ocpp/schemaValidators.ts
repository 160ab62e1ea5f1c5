// Strict-mode validators for ocpp-rpc. Its 1.6 and 2.0.1 validators work as published; its 2.1
// one refuses every call, because the 2.1 schemas are named `urn:XRequest` / `urn:XResponse`
// while the library looks up `urn:X.req` / `urn:X.conf`. We build our own validators from the
// same bundled schemas, 2.1's with the names the library looks up, and hand them over as
// strictModeValidators (they replace the library's, protocol by protocol).
// Compiling a schema costs 10-95 ms on its first use: warmUpSchemas() pays that at start-up, not
// in a charger's first call.
import { createRequire } from 'node:module'
import { createValidator } from 'ocpp-rpc'
import { z } from 'zod'
import { OCPP_PROTOCOLS, type OcppProtocol } from './protocol'

type Validator = ReturnType<typeof createValidator>

const require = createRequire(import.meta.url)

const schemaListSchema = z.array(z.looseObject({ $id: z.string() }))

/** Every action the central system handles or calls, per protocol: the schemas worth compiling early. */
export const ACTIONS_IN_USE: Record<OcppProtocol, readonly string[]> = {
  'ocpp1.6': [
    'BootNotification',
    'Heartbeat',
    'StatusNotification',
    'Authorize',
    'DataTransfer',
    'StartTransaction',
    'StopTransaction',
    'MeterValues',
    'ChangeConfiguration',
    'SetChargingProfile',
    'ClearChargingProfile',
    'GetCompositeSchedule'
  ],
  'ocpp2.0.1': [
    'BootNotification',
    'Heartbeat',
    'StatusNotification',
    'Authorize',
    'DataTransfer',
    'TransactionEvent',
    'MeterValues',
    'NotifyEvent',
    'NotifyReport',
    'SecurityEventNotification',
    'SetVariables',
    'SetChargingProfile',
    'ClearChargingProfile',
    'GetCompositeSchedule'
  ],
  'ocpp2.1': [
    'BootNotification',
    'Heartbeat',
    'StatusNotification',
    'Authorize',
    'DataTransfer',
    'TransactionEvent',
    'MeterValues',
    'NotifyEvent',
    'NotifyReport',
    'SecurityEventNotification',
    'SetVariables',
    'SetChargingProfile',
    'ClearChargingProfile',
    'GetCompositeSchedule'
  ]
}

/** `urn:BootNotificationRequest` -> `urn:BootNotification.req`, as ocpp-rpc looks schemas up. */
export function lookedUpId(id: string): string {
  return id.replace(/^urn:(.+)Request$/, 'urn:$1.req').replace(/^urn:(.+)Response$/, 'urn:$1.conf')
}

/**
 * The 2.1 schemas also put `additionalProperties` on string enums, which means nothing there (it
 * only constrains objects) but makes Ajv print a warning per definition; it is dropped.
 */
function withoutNoOpKeywords(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutNoOpKeywords)
  if (node === null || typeof node !== 'object') return node
  const copy: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) copy[key] = withoutNoOpKeywords(value)
  if (typeof copy.type === 'string' && copy.type !== 'object') delete copy.additionalProperties
  return copy
}

const SCHEMA_FILES: Record<OcppProtocol, string> = {
  'ocpp1.6': 'ocpp-rpc/lib/schemas/ocpp1_6.json',
  'ocpp2.0.1': 'ocpp-rpc/lib/schemas/ocpp2_0_1.json',
  'ocpp2.1': 'ocpp-rpc/lib/schemas/ocpp2_1.json'
}

const validators = new Map<OcppProtocol, Validator>()

/**
 * Our validator for a protocol, built from the schemas ocpp-rpc bundles (one per process: its
 * compiled schemas are kept). 1.6 and 2.0.1 come out as the library's own; 2.1 is the fixed one.
 */
export function validatorFor(protocol: OcppProtocol): Validator {
  let validator = validators.get(protocol)
  if (!validator) {
    const parsed = schemaListSchema.safeParse(require(SCHEMA_FILES[protocol]))
    if (!parsed.success) throw new Error(`${SCHEMA_FILES[protocol]} is not a list of schemas with $id: ${parsed.error.issues[0]?.message}`)
    const schemas =
      protocol === 'ocpp2.1'
        ? parsed.data.map((schema) => ({ ...(withoutNoOpKeywords(schema) as object), $id: lookedUpId(schema.$id) }))
        : parsed.data
    validator = createValidator(protocol, schemas)
    validators.set(protocol, validator)
  }
  return validator
}

/** What the server (and our own test client) pass as strictModeValidators: they replace the library's. */
export function strictModeValidators(): Validator[] {
  return OCPP_PROTOCOLS.map(validatorFor)
}

/**
 * Checks a payload as strict mode does: throws the RPC error ocpp-rpc would answer with (its
 * `rpcErrorCode` is the CALLERROR code). What the warm-up and the tests of our payloads use.
 */
export function validatePayload(protocol: OcppProtocol, action: string, direction: 'req' | 'conf', payload: unknown): void {
  validatorFor(protocol).validate(`urn:${action}.${direction}`, payload)
}

let warmedUp = false

/** Compiles the schema of every action in use, both ways, for every protocol: once per process. */
export function warmUpSchemas(): void {
  if (warmedUp) return
  for (const [protocol, actions] of Object.entries(ACTIONS_IN_USE) as [OcppProtocol, readonly string[]][]) {
    for (const action of actions) {
      for (const direction of ['req', 'conf'] as const) {
        try {
          validatePayload(protocol, action, direction, {})
        } catch (error) {
          // an empty payload may well be invalid: only a missing schema is a fault of ours
          if ((error as { rpcErrorCode?: string }).rpcErrorCode === 'ProtocolError') throw error
        }
      }
    }
  }
  warmedUp = true
}
