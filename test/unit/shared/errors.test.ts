import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../src-main/cli/args'
import { MarketError } from '../../../src-main/core/market/service'
import { MarketTangleError } from '../../../src-main/core/market/tangle/marketTangle'
import { SettlementError } from '../../../src-main/core/market/settlement'
import { MeterError } from '../../../src-main/core/meters/service'
import { DecodeError } from '../../../src-main/core/ledger/codec'
import { SyncTimeoutError } from '../../../src-main/core/network/reqresp/syncBatches'
import { NetworkSettingsError } from '../../../src-main/core/network/settings'
import { OcppError } from '../../../src-main/core/ocpp/errors'
import { DataDirHeldError } from '../../../src-main/core/owner/lock'
import { KeyInputError } from '../../../src-main/core/wallet/keys'
import { KeystoreError } from '../../../src-main/core/wallet/keystore'
import { codeOf, Dv2gError, ERROR_CODES } from '../../../src-shared/errors'

const holder = { owner: 'dv2g serve', pid: 1, token: 't', channel: null, startedAt: 0 } as never

describe('typed errors', () => {
  const cases: [Error, string, string?][] = [
    [new UsageError('--count must be a number'), 'invalid_argument'],
    [new MarketError('run r1 not found', true), 'not_found'],
    [new MarketError('slotSeconds: too short'), 'invalid_argument'],
    [new MarketTangleError('unknown participant'), 'invalid_argument'],
    [new SettlementError('no operator wallet'), 'failed_precondition'],
    [new MeterError('port: unknown'), 'invalid_argument'],
    [new DecodeError('truncated'), 'malformed'],
    [new SyncTimeoutError(), 'unavailable'],
    [new NetworkSettingsError('not a multiaddr', 'listen'), 'invalid_argument', 'listen'],
    [new OcppError('charger: unknown'), 'invalid_argument'],
    [new DataDirHeldError(holder, 'busy'), 'held'],
    [new KeyInputError('mnemonic', 'not 24 words'), 'invalid_argument', 'mnemonic'],
    [new KeystoreError('wrong passphrase'), 'invalid_argument']
  ]

  it.each(cases)('%s carries a stable code and the field at fault', (error, code, field) => {
    expect(error).toBeInstanceOf(Dv2gError)
    expect(ERROR_CODES).toContain(code)
    expect(codeOf(error)).toBe(code)
    expect((error as Dv2gError).field).toBe(field)
  })

  it('keeps the message for people and calls anything else internal', () => {
    expect(new MarketError('run r1 not found', true).message).toBe('run r1 not found')
    expect(codeOf(new Error('boom'))).toBe('internal')
    expect(codeOf('a string')).toBe('internal')
  })
})
