import { describe, expect, it } from 'vitest'
import { ApiError, parseInput } from '../../../src-shared/contract'

function refusal(work: () => unknown): ApiError {
  try {
    work()
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('names in the contract', () => {
  it('refuses a new wallet named "__proto__" or holding a control character, naming the field', () => {
    expect(refusal(() => parseInput('wallet.create', { name: '__proto__', role: 'ev' })).toBody()).toEqual({
      code: 'invalid_argument',
      message: 'wallet.create: name "__proto__" is reserved',
      field: 'name',
      fields: [{ path: 'name', message: '"__proto__" is reserved' }]
    })
    expect(refusal(() => parseInput('wallet.import', { name: 'constructor', role: 'grid', mnemonic: 'some words' })).message).toBe(
      'wallet.import: name "constructor" is reserved'
    )
    expect(refusal(() => parseInput('wallet.create', { name: 'bus\x1b[8m', role: 'ev' })).message).toBe(
      'wallet.create: name "bus\\x1b[8m" holds a control character (U+001B)'
    )
    expect(parseInput('wallet.create', { name: ' bus ', role: 'ev' })).toEqual({ name: 'bus', role: 'ev' })
  })

  it('still finds wallets by any name an earlier release stored, so their funds can be moved', () => {
    expect(parseInput('wallet.send', { from: '__proto__', to: 'dv2g1x', amount: '5' })).toMatchObject({ from: '__proto__' })
    expect(parseInput('wallet.history', { name: '__proto__' })).toEqual({ name: '__proto__' })
  })

  it('refuses reserved charger and participant ids where they are made', () => {
    expect(refusal(() => parseInput('ocpp.add', { id: 'prototype', dischargeByNegativeLimit: false, prosumer: null })).fields).toEqual([
      { path: 'id', message: '"prototype" is reserved' }
    ])
    expect(refusal(() => parseInput('ocpp.add', { id: 'CP1', dischargeByNegativeLimit: false, prosumer: '__proto__' })).fields).toEqual([
      { path: 'prosumer', message: '"__proto__" is reserved' }
    ])
    expect(refusal(() => parseInput('market.register', { id: '__proto__', role: 'ev', address: 'dv2g1x' })).fields).toEqual([
      { path: 'id', message: '"__proto__" is reserved' }
    ])
    expect(refusal(() => parseInput('market.register', { id: 'EV\u009b1', role: 'ev', address: 'dv2g1x' })).message).toBe(
      'market.register: id "EV\\x9b1" holds a control character (U+009B)'
    )
    expect(refusal(() => parseInput('meter.assign', { meterId: 'M1', prosumer: 'toString' })).fields).toEqual([
      { path: 'prosumer', message: '"toString" is reserved' }
    ])
    // a charger stored under such an id before can still be removed
    expect(parseInput('ocpp.remove', { id: '__proto__' })).toEqual({ id: '__proto__' })
  })
})
