import { describe, expect, it } from 'vitest'
import { txId } from '../../../../../../src-main/core/ledger/hash'
import { gossipMessageId } from '../../../../../../src-main/core/network/gossip/messageId'

describe('gossipMessageId', () => {
  it('is the transaction id of the bytes', () => {
    const bytes = new Uint8Array([1, 2, 3])
    expect(gossipMessageId(bytes)).toEqual(txId(bytes))
  })

  it('gives the validator the hash gossipsub made for the same bytes', () => {
    const bytes = new Uint8Array([4, 5, 6])
    expect(gossipMessageId(bytes)).toBe(gossipMessageId(bytes))
  })

  it('never gives one message the id of another, even of equal length', () => {
    const first = new Uint8Array([7, 8, 9])
    const second = new Uint8Array([7, 8, 10])
    const firstId = gossipMessageId(first)
    expect(gossipMessageId(second)).toEqual(txId(second))
    expect(gossipMessageId(first)).toEqual(firstId)
  })
})
