import { describe, expect, it } from 'vitest'
import type { Transaction } from '../../../../../../src-main/core/ledger/transaction'
import { IssuerAdmission, STRANGER_LIMITS } from '../../../../../../src-main/core/network/peers/admission'

const BASE_BITS = 6
const key = (n: number) => {
  const bytes = new Uint8Array(32)
  new DataView(bytes.buffer).setUint32(0, n)
  return bytes
}
const from = (issuer: Uint8Array) => ({ issuer }) as Transaction

describe('issuer admission', () => {
  const operator = key(0)
  const participant = key(1)
  participant[31] = 1
  const make = (nowMs: { at: number }) =>
    new IssuerAdmission(
      () => [operator],
      (issuer) => issuer[31] === 1,
      () => nowMs.at
    )

  it('takes in whatever a milestone issuer or a registered participant sends', () => {
    const admission = make({ at: 0 })
    for (let i = 0; i < 10_000; i++) {
      expect(admission.admit(from(operator), BASE_BITS, BASE_BITS)).toEqual({ ok: true, admitted: true })
      expect(admission.admit(from(participant), BASE_BITS, BASE_BITS)).toEqual({ ok: true, admitted: true })
    }
  })

  it('asks a stranger for one more bit of work with every doubling of its recent rate, and refuses weaker ids', () => {
    const clock = { at: 0 }
    const admission = make(clock)
    const stranger = from(key(7))
    let atBase = 0
    while (admission.admit(stranger, BASE_BITS, BASE_BITS).ok) atBase++
    expect(atBase).toBe(STRANGER_LIMITS.freeSpent)
    expect(admission.judge(stranger, BASE_BITS, BASE_BITS)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^issuer not admitted: its recent rate asks 7 bits of work, the id has 6$/)
    })
    expect(admission.requiredBits(stranger.issuer, BASE_BITS)).toBe(BASE_BITS + 1)
    // a stranger that pays with work gets no more than its key's bucket
    let withWork = atBase
    while (admission.admit(stranger, 30, BASE_BITS).ok) withWork++
    expect(withWork).toBe(STRANGER_LIMITS.perIssuer.burst)
    expect(admission.requiredBits(stranger.issuer, BASE_BITS)).toBe(BASE_BITS + 3)
    // and it recovers at the bucket's rate: a trickle at the network's work is taken in
    clock.at += 60_000
    expect(admission.requiredBits(stranger.issuer, BASE_BITS)).toBe(BASE_BITS)
    expect(admission.admit(stranger, BASE_BITS, BASE_BITS).ok).toBe(true)
  })

  it('shares one bucket among all strangers, so fresh keys do not multiply what a flood stores', () => {
    const clock = { at: 0 }
    const admission = make(clock)
    let taken = 0
    for (let n = 100; n < 10_000; n++) if (admission.admit(from(key(n)), BASE_BITS, BASE_BITS).ok) taken++
    expect(taken).toBe(STRANGER_LIMITS.strangers.burst)
    expect(admission.judge(from(key(20_000)), BASE_BITS, BASE_BITS)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('for all such issuers')
    })
    expect(admission.refused).toBe(10_000 - 100 - taken + 1)
    // the operator is never held back by strangers
    expect(admission.admit(from(operator), BASE_BITS, BASE_BITS).ok).toBe(true)
    clock.at += 1_000
    let nextSecond = 0
    for (let n = 30_000; n < 31_000; n++) if (admission.admit(from(key(n)), BASE_BITS, BASE_BITS).ok) nextSecond++
    expect(nextSecond).toBe(STRANGER_LIMITS.strangers.perSecond)
  })
})
