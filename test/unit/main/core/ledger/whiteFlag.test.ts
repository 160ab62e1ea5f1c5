import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { TxKind, type Payload } from '../../../../../src-main/core/ledger/transaction'
import {
  applyInOrder,
  mergeUnspent,
  outputKey,
  stateHash,
  whiteFlagOrder,
  ZERO_STATE_HASH,
  type ConeGraph,
  type UnspentOutput
} from '../../../../../src-main/core/ledger/whiteFlag'
import { seededRandom } from '../../../../../src-shared/random'

const NONE = -1
const idOf = (n: number) => createHash('sha256').update(`tx ${n}`).digest()
const address = (n: number) => new Uint8Array(32).fill(n)

function graphOf(parents: [number, number][]): ConeGraph {
  return { size: parents.length, trunk: parents.map((p) => p[0]), branch: parents.map((p) => p[1]) }
}

/** The definition, written the plain recursive way, for small graphs. */
function recursiveOrder(g: ConeGraph, parents: [number, number], referenced: Set<number>): number[] {
  const order: number[] = []
  const seen = new Set<number>()
  const visit = (x: number) => {
    if (x === NONE || seen.has(x) || referenced.has(x)) return
    seen.add(x)
    visit(g.trunk[x]!)
    visit(g.branch[x]!)
    order.push(x)
  }
  visit(parents[0])
  visit(parents[1])
  return order
}

describe('White Flag', () => {
  it('orders a cone depth-first, trunk before branch, each transaction after its parents', () => {
    //      0
    //    1   2
    //    3 (1,2)   4 (2,1)
    const g = graphOf([
      [NONE, NONE],
      [0, 0],
      [0, 0],
      [1, 2],
      [2, 1]
    ])
    expect(whiteFlagOrder(g, [3, 4], () => false)).toEqual([0, 1, 2, 3, 4])
    expect(whiteFlagOrder(g, [4, 3], () => false)).toEqual([0, 2, 1, 4, 3])
    // what an earlier milestone referenced is left out, and so is its past cone
    expect(whiteFlagOrder(g, [4, 3], (x) => x <= 1)).toEqual([2, 4, 3])
  })

  it('matches the recursive definition on random DAGs', () => {
    const random = seededRandom(7)
    for (let round = 0; round < 50; round++) {
      const parents: [number, number][] = [[NONE, NONE]]
      const size = 2 + Math.floor(random() * 60)
      for (let i = 1; i < size; i++) parents.push([Math.floor(random() * i), Math.floor(random() * i)])
      const g = graphOf(parents)
      const referenced = new Set(recursiveOrder(g, [Math.floor(random() * size), Math.floor(random() * size)], new Set()))
      const tips: [number, number] = [size - 1, Math.floor(random() * size)]
      expect(whiteFlagOrder(g, tips, (x) => referenced.has(x))).toEqual(recursiveOrder(g, tips, referenced))
    }
  })

  it('walks a chain 200,000 deep without overflowing the stack', () => {
    const n = 200_000
    const g: ConeGraph = {
      size: n,
      trunk: Int32Array.from({ length: n }, (_, i) => i - 1),
      branch: Int32Array.from({ length: n }, (_, i) => i - 1)
    }
    const order = whiteFlagOrder(g, [n - 1, n - 1], () => false)
    expect(order.length).toBe(n)
    expect(order[0]).toBe(0)
    expect(order[n - 1]).toBe(n - 1)
  })

  it('applies the first spend of an output in order and marks the later one conflicting', () => {
    const genesis = idOf(0)
    const payloads: Payload[] = [
      { kind: TxKind.Genesis, outputs: [{ address: address(1), amount: 100n }] },
      { kind: TxKind.Transfer, inputs: [{ txId: genesis, index: 0 }], outputs: [{ address: address(2), amount: 100n }] },
      { kind: TxKind.Transfer, inputs: [{ txId: genesis, index: 0 }], outputs: [{ address: address(3), amount: 100n }] },
      { kind: TxKind.Data, topic: 't', body: new Uint8Array() },
      // spends the output of the conflicting transfer 1, which was never created
      { kind: TxKind.Transfer, inputs: [{ txId: idOf(1), index: 0 }], outputs: [{ address: address(4), amount: 100n }] }
    ]
    const result = applyInOrder(
      [0, 2, 1, 3, 4],
      idOf,
      (at) => payloads[at]!,
      () => false
    )
    expect(result.entries.map((e) => [e.at, e.applied])).toEqual([
      [0, true],
      [2, true],
      [1, false],
      [3, true],
      [4, false]
    ])
    // created by the genesis and spent again within the milestone: only transfer 2's output remains
    expect(result.created.map((o) => [outputKey(o.txId, o.index), o.address[0]])).toEqual([[outputKey(idOf(2), 0), 3]])
    expect(result.spent.size).toBe(0)
  })

  it('keeps the unspent set incrementally equal to sorting it from scratch, and hashes the definition', () => {
    const random = seededRandom(3)
    const all = new Map<string, UnspentOutput>()
    let sortedBefore: UnspentOutput[] = []
    for (let round = 0; round < 20; round++) {
      const created: UnspentOutput[] = Array.from({ length: 1 + Math.floor(random() * 20) }, (_, i) => ({
        txId: idOf(round * 100 + i),
        index: Math.floor(random() * 3),
        address: address(round),
        amount: BigInt(1 + Math.floor(random() * 1000))
      }))
      const spent = new Set([...all.keys()].filter(() => random() < 0.3))
      for (const key of spent) all.delete(key)
      for (const o of created) all.set(outputKey(o.txId, o.index), o)
      const merged = [...mergeUnspent(sortedBefore, { created, spent })]
      const fromScratch = [...all.values()].sort((a, b) => Buffer.compare(a.txId, b.txId) || a.index - b.index)
      expect(merged).toEqual(fromScratch)
      sortedBefore = merged
    }
    // the state hash, byte by byte as docs/model.md defines it
    const entries = [
      { id: idOf(1), applied: true },
      { id: idOf(2), applied: false }
    ]
    const expected = createHash('sha256').update(ZERO_STATE_HASH)
    for (const e of entries) expected.update(e.id).update(Buffer.from([e.applied ? 1 : 0]))
    for (const o of sortedBefore) {
      const record = Buffer.alloc(74)
      Buffer.from(o.txId).copy(record, 0)
      record.writeUInt16LE(o.index, 32)
      Buffer.from(o.address).copy(record, 34)
      record.writeBigUInt64LE(o.amount, 66)
      expected.update(record)
    }
    expect(Buffer.from(stateHash(ZERO_STATE_HASH, entries, sortedBefore))).toEqual(expected.digest())
    // and a single flipped outcome changes it
    expect(stateHash(ZERO_STATE_HASH, [entries[0]!, { ...entries[1]!, applied: true }], sortedBefore)).not.toEqual(
      stateHash(ZERO_STATE_HASH, entries, sortedBefore)
    )
  })
})
