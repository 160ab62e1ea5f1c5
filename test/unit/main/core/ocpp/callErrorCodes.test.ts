import { describe, expect, it } from 'vitest'
import { callErrorCode, translateOutgoing } from '../../../../../src-main/core/ocpp/callErrorCodes'

describe('CALLERROR codes per version', () => {
  it("names ocpp-rpc's codes as 1.6 does", () => {
    expect(callErrorCode('ocpp1.6', 'RpcFrameworkError')).toBe('FormationViolation')
    expect(callErrorCode('ocpp1.6', 'FormatViolation')).toBe('FormationViolation')
    expect(callErrorCode('ocpp1.6', 'OccurrenceConstraintViolation')).toBe('OccurenceConstraintViolation')
    expect(callErrorCode('ocpp1.6', 'OccurenceConstraintViolation')).toBe('OccurenceConstraintViolation')
    expect(callErrorCode('ocpp1.6', 'MessageTypeNotSupported')).toBe('GenericError')
    expect(callErrorCode('ocpp1.6', 'SecurityError')).toBe('SecurityError')
  })

  it('names them as 2.0.1 and 2.1 do', () => {
    for (const protocol of ['ocpp2.0.1', 'ocpp2.1'] as const) {
      expect(callErrorCode(protocol, 'OccurenceConstraintViolation')).toBe('OccurrenceConstraintViolation')
      expect(callErrorCode(protocol, 'FormationViolation')).toBe('FormatViolation')
      expect(callErrorCode(protocol, 'RpcFrameworkError')).toBe('RpcFrameworkError')
      expect(callErrorCode(protocol, 'MessageTypeNotSupported')).toBe('MessageTypeNotSupported')
    }
  })

  it('answers a code no version defines as GenericError', () => {
    expect(callErrorCode('ocpp1.6', 'SomethingElse')).toBe('GenericError')
    expect(callErrorCode('ocpp2.1', 'SomethingElse')).toBe('GenericError')
  })

  it('rewrites only the code of a CALLERROR frame, and leaves every other frame as it is', () => {
    expect(translateOutgoing('ocpp1.6', '[4,"m1","RpcFrameworkError","Message must be an array",{}]')).toBe(
      '[4,"m1","FormationViolation","Message must be an array",{}]'
    )
    expect(translateOutgoing('ocpp1.6', '[4,"-1","MessageTypeNotSupported","Unrecognised message type",{}]')).toBe(
      '[4,"-1","GenericError","Unrecognised message type",{}]'
    )
    const result = '[3,"m2",{"note":"RpcFrameworkError"}]'
    expect(translateOutgoing('ocpp1.6', result)).toBe(result)
    const call = '[2,"m3","ChangeConfiguration",{"key":"k","value":"OccurenceConstraintViolation"}]'
    expect(translateOutgoing('ocpp2.1', call)).toBe(call)
  })
})
