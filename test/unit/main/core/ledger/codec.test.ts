import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  DATA_TOPIC_AT,
  decodeTransaction,
  DecodeError,
  encodedTopic,
  encodeEssence,
  encodeTransaction,
  kindOf,
  tokenPayloadOf
} from '../../../../../src-main/core/ledger/codec'
import { leadingZeroBits, txId } from '../../../../../src-main/core/ledger/hash'
import { solveProofOfWork } from '../../../../../src-main/core/ledger/proofOfWork'
import { privateKeyFromSeed, publicKeyBytes, SignatureVerifier, signBytes } from '../../../../../src-main/core/ledger/signing'
import { MAX_TX_BYTES, TxKind, type Essence, type Transaction } from '../../../../../src-main/core/ledger/transaction'

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill)

const transfer: Essence = {
  trunk: bytes(32, 1),
  branch: bytes(32, 2),
  issuer: bytes(32, 3),
  timestampMs: 1_764_000_000_000,
  payload: {
    kind: TxKind.Transfer,
    inputs: [{ txId: bytes(32, 4), index: 1 }],
    outputs: [
      { address: bytes(32, 5), amount: 1_000n },
      { address: bytes(32, 6), amount: (1n << 64n) - 1n }
    ]
  }
}

const signed = (essence: Essence): Transaction => ({ ...essence, signature: bytes(64, 9), nonce: 42n })

describe('transaction codec', () => {
  it.each([
    ['transfer', transfer],
    ['genesis', { ...transfer, payload: { kind: TxKind.Genesis, outputs: [{ address: bytes(32, 7), amount: 10n ** 15n }] } }],
    ['data', { ...transfer, payload: { kind: TxKind.Data, topic: 'meter.hourly', body: new TextEncoder().encode('{"wh":1234}') } }],
    [
      'genesis naming milestone issuers',
      {
        ...transfer,
        payload: { kind: TxKind.Genesis, outputs: [{ address: bytes(32, 7), amount: 5n }], milestoneIssuers: [bytes(32, 8), bytes(32, 9)] }
      }
    ],
    [
      'milestone',
      { ...transfer, payload: { kind: TxKind.Milestone, index: 4_000_000_000, previous: bytes(32, 10), stateHash: bytes(32, 11) } }
    ]
  ] as [string, Essence][])('round-trips a %s exactly', (_, essence) => {
    const tx = signed(essence)
    const encoded = encodeTransaction(tx)
    const { tx: decoded, essenceLength } = decodeTransaction(encoded)
    expect(decoded).toEqual(tx)
    expect(essenceLength).toBe(encodeEssence(essence).length)
    expect(encodeTransaction(decoded)).toEqual(encoded)
  })

  it.each([
    ['an unknown version', (b: Uint8Array) => (b[0] = 9), /unsupported version 9/],
    ['an unknown kind', (b: Uint8Array) => (b[1] = 77), /unknown transaction kind 77/],
    // amount 0 of output 0: header 106 + input count 1 + input 34 + output count 1 + address 32
    ['a zero output amount', (b: Uint8Array) => b.fill(0, 174, 182), /amount 0/]
  ])('refuses %s with a reason', (_, mutate, reason) => {
    const encoded = encodeTransaction(signed(transfer))
    mutate(encoded)
    expect(() => decodeTransaction(encoded)).toThrow(reason)
  })

  it('writes a data topic where an index looks for it without decoding', () => {
    const topic = 'market.bid'
    const encoded = encodeTransaction(signed({ ...transfer, payload: { kind: TxKind.Data, topic, body: new Uint8Array([1, 2]) } }))
    const expected = encodedTopic(topic)
    expect(expected[0]).toBe(topic.length)
    expect(encoded.subarray(DATA_TOPIC_AT, DATA_TOPIC_AT + expected.length)).toEqual(expected)
  })

  it('gives White Flag the payload of a transaction that moves tokens, and nothing for data or a milestone', () => {
    expect(tokenPayloadOf(encodeTransaction(signed(transfer)))).toEqual(transfer.payload)
    const data = encodeTransaction(signed({ ...transfer, payload: { kind: TxKind.Data, topic: 'spam', body: new Uint8Array([1]) } }))
    const milestone = encodeTransaction(
      signed({ ...transfer, payload: { kind: TxKind.Milestone, index: 3, previous: bytes(32, 10), stateHash: bytes(32, 11) } })
    )
    expect([kindOf(data), kindOf(milestone)]).toEqual([TxKind.Data, TxKind.Milestone])
    expect(tokenPayloadOf(data)).toBeNull()
    expect(tokenPayloadOf(milestone)).toBeNull()
  })

  it('keeps a genesis without milestone issuers in version 1, byte for byte as written before milestones', () => {
    const genesisPayload = { kind: TxKind.Genesis as const, outputs: [{ address: bytes(32, 7), amount: 10n }] }
    const old: Essence = { ...transfer, payload: genesisPayload }
    // version 1 | kind 0 | trunk | branch | issuer | timestamp | 1 output | address | amount
    const layout = new Uint8Array([
      1,
      0,
      ...bytes(32, 1),
      ...bytes(32, 2),
      ...bytes(32, 3),
      ...new Uint8Array(new BigUint64Array([1_764_000_000_000n]).buffer),
      1,
      ...bytes(32, 7),
      10,
      0,
      0,
      0,
      0,
      0,
      0,
      0
    ])
    expect(encodeEssence(old)).toEqual(layout)
    expect(encodeEssence({ ...old, payload: { ...genesisPayload, milestoneIssuers: [] } })).toEqual(layout)
    const decoded = decodeTransaction(encodeTransaction(signed(old))).tx
    expect(decoded.payload).toEqual({ kind: TxKind.Genesis, outputs: [{ address: bytes(32, 7), amount: 10n }] })
    expect(encodeEssence({ ...old, payload: { ...genesisPayload, milestoneIssuers: [bytes(32, 8)] } })[0]).toBe(2)
  })

  it('refuses a milestone in version 1, a transfer in version 2, index 0 and an empty issuer list', () => {
    const milestone = encodeTransaction(
      signed({ ...transfer, payload: { kind: TxKind.Milestone, index: 1, previous: bytes(32, 0), stateHash: bytes(32, 1) } })
    )
    expect(() => decodeTransaction(Uint8Array.from(milestone, (b, i) => (i === 0 ? 1 : b)))).toThrow(/a milestone needs codec version 2/)
    expect(() => decodeTransaction(Uint8Array.from(milestone, (b, i) => (i >= 106 && i < 110 ? 0 : b)))).toThrow(/milestone index 0/)
    const plain = encodeTransaction(signed(transfer))
    expect(() => decodeTransaction(Uint8Array.from(plain, (b, i) => (i === 0 ? 2 : b)))).toThrow(
      /a Transfer transaction is encoded in version 1, not 2/
    )
    const genesis = encodeTransaction(
      signed({
        ...transfer,
        payload: { kind: TxKind.Genesis, outputs: [{ address: bytes(32, 7), amount: 5n }], milestoneIssuers: [bytes(32, 8)] }
      })
    )
    // issuer count (after header 106, output count 1, output 40) set to 0
    expect(() => decodeTransaction(Uint8Array.from(genesis, (b, i) => (i === 147 ? 0 : b)))).toThrow(/milestone issuer count 0/)
    expect(() =>
      encodeEssence({ ...transfer, payload: { kind: TxKind.Milestone, index: 0, previous: bytes(32, 0), stateHash: bytes(32, 1) } })
    ).toThrow(/milestone index/)
    expect(() =>
      encodeEssence({ ...transfer, payload: { kind: TxKind.Milestone, index: 1, previous: bytes(31, 0), stateHash: bytes(32, 1) } })
    ).toThrow(/previous milestone id must be 32 bytes/)
  })

  it('refuses truncated and padded encodings, naming what is missing', () => {
    const encoded = encodeTransaction(signed(transfer))
    expect(() => decodeTransaction(encoded.slice(0, encoded.length - 3))).toThrow(/truncated: nonce/)
    expect(() => decodeTransaction(new Uint8Array([...encoded, 0]))).toThrow(/1 trailing bytes/)
    expect(() => decodeTransaction(new Uint8Array(MAX_TX_BYTES + 1))).toThrow(/limit is 4096/)
  })

  it('never throws anything but a DecodeError on random bytes', () => {
    for (let i = 0; i < 2000; i++) {
      const junk = randomBytes(Math.floor(Math.random() * 400))
      try {
        decodeTransaction(junk)
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError)
      }
    }
  })
})

describe('proof of work', () => {
  it('counts leading zero bits across bytes', () => {
    expect(leadingZeroBits(new Uint8Array([0, 0, 0x0f, 0xff]))).toBe(20)
    expect(leadingZeroBits(new Uint8Array([0x80]))).toBe(0)
    expect(leadingZeroBits(new Uint8Array(4))).toBe(32)
  })

  it('finds a nonce whose id, the hash of the whole encoding, meets the difficulty', () => {
    const tx = signed(transfer)
    const essenceAndSignature = encodeTransaction(tx).slice(0, -8)
    const { nonce, id } = solveProofOfWork(essenceAndSignature, 10)
    const encoded = encodeTransaction({ ...tx, nonce })
    expect(id).toEqual(new Uint8Array(txId(encoded)))
    expect(leadingZeroBits(id)).toBeGreaterThanOrEqual(10)
  })
})

describe('Ed25519 signing', () => {
  it('verifies what the key signed and nothing else', () => {
    const key = privateKeyFromSeed(bytes(32, 11))
    const publicKey = publicKeyBytes(key)
    const message = encodeEssence({ ...transfer, issuer: publicKey })
    const signature = signBytes(key, message)
    const verifier = new SignatureVerifier()
    expect(verifier.verify(publicKey, message, signature)).toBe(true)
    const tampered = message.slice()
    tampered[50]! ^= 1
    expect(verifier.verify(publicKey, tampered, signature)).toBe(false)
    expect(verifier.verify(publicKeyBytes(privateKeyFromSeed(bytes(32, 12))), message, signature)).toBe(false)
  })

  it('treats a key that is not a curve point as never valid', () => {
    expect(new SignatureVerifier().verify(bytes(32, 0xff), new Uint8Array(10), bytes(64, 0))).toBe(false)
  })
})
