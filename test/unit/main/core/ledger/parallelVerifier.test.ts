// Signatures checked across worker threads give the same verdicts as this thread, in order.
import { generateKeyPairSync } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { ParallelVerifier, type SignedMessage } from '../../../../../src-main/core/ledger/parallelVerifier'
import { publicKeyBytes, signBytes } from '../../../../../src-main/core/ledger/signing'

const verifiers: ParallelVerifier[] = []
afterEach(async () => {
  await Promise.all(verifiers.splice(0).map((v) => v.close()))
})

const key = generateKeyPairSync('ed25519').privateKey

function signed(n: number): SignedMessage {
  const message = new TextEncoder().encode(`transaction ${n} ${'x'.repeat(n % 50)}`)
  return { publicKey: publicKeyBytes(key), message, signature: signBytes(key, message) }
}

describe('ParallelVerifier', () => {
  it.each([
    ['with this thread taking a share', true],
    ['with the workers taking all', false]
  ])('keeps each verdict in its place %s: forged, tampered and malformed ones are false', async (_, verifyHere) => {
    const verifier = new ParallelVerifier(2, verifyHere)
    verifiers.push(verifier)
    const items = Array.from({ length: 30 }, (_, n) => signed(n))
    const expected = items.map(() => true)
    const forged = (n: number) => {
      const signature = items[n]!.signature.slice()
      signature[7]! ^= 1
      items[n] = { ...items[n]!, signature }
      expected[n] = false
    }
    forged(0)
    forged(17)
    items[25] = { ...items[25]!, message: new TextEncoder().encode('something else') }
    expected[25] = false
    items[29] = { ...items[29]!, publicKey: items[29]!.publicKey.subarray(0, 31) }
    expected[29] = false
    expect(await verifier.verifyAll(items)).toEqual(expected)
    expect(await verifier.verifyAll([])).toEqual([])
  })
})
