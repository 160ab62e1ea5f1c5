import { describe, expect, it } from 'vitest'
import type { TangleTx } from '../../../src-shared/contract'
import { applyUpdates } from '../../../src-renderer/stores/tangle'

const hex = (n: number) => n.toString(16).padStart(64, '0')
const tx = (n: number, parents: [number, number] | null, tip = true): TangleTx => ({
  id: hex(n),
  trunk: parents ? hex(parents[0]) : null,
  branch: parents ? hex(parents[1]) : null,
  kind: parents ? 'data' : 'genesis',
  status: 'pending',
  tip,
  receivedAt: n
})

describe('explorer buffer', () => {
  it('keeps only the newest transactions', () => {
    const recent = Array.from({ length: 10 }, (_, i) => tx(i, i ? [i - 1, i - 1] : null, false))
    const updated = applyUpdates(recent, [tx(10, [9, 9]), tx(11, [10, 9])], new Map(), 5)
    expect(updated.map((t) => t.receivedAt)).toEqual([7, 8, 9, 10, 11])
  })

  it('applies status changes and unmarks the tips that new transactions approve', () => {
    const recent = [tx(0, null, false), tx(1, [0, 0]), tx(2, [0, 0])]
    const updated = applyUpdates(recent, [tx(3, [1, 1])], new Map([[hex(0), 'confirmed' as const]]))
    expect(updated.map((t) => [t.receivedAt, t.status, t.tip])).toEqual([
      [0, 'confirmed', false],
      [1, 'pending', false],
      [2, 'pending', true],
      [3, 'pending', true]
    ])
    expect(updated[2]).toBe(recent[2]) // unchanged entries are not copied: cheap renders
  })
})
