// White Flag (docs/model.md "Milestones and White Flag"): the order in which a milestone applies
// its new past cone, what each transaction does to the milestone-confirmed unspent outputs, and
// the state hash every node computes and compares. Pure: a graph shape, a payload lookup and
// the unspent outputs before the milestone go in, so it is testable without SQL.
import { createHash } from 'node:crypto'
import { ID_BYTES, STATE_HASH_BYTES, TxKind, type Payload } from './transaction'

const NO_PARENT = -1

/** The parents of each transaction by index; a parent's index is below its child's. */
export interface ConeGraph {
  readonly size: number
  readonly trunk: ArrayLike<number>
  readonly branch: ArrayLike<number>
}

export interface UnspentOutput {
  txId: Uint8Array
  index: number
  address: Uint8Array
  amount: bigint
}

export interface WhiteFlagEntry {
  /** graph index */
  at: number
  id: Uint8Array
  /** false: it spends an output already spent or never created, and changed nothing */
  applied: boolean
}

export interface WhiteFlagResult {
  entries: WhiteFlagEntry[]
  /** outputs this milestone adds to the unspent set, in the order they were created */
  created: UnspentOutput[]
  /** keys (outputKey) of outputs that were unspent before this milestone and are spent now */
  spent: Set<string>
}

export const ZERO_STATE_HASH = new Uint8Array(STATE_HASH_BYTES)
/** id | index u16 | address | amount u64 */
const OUTPUT_RECORD_BYTES = ID_BYTES + 2 + ID_BYTES + 8

export const outputKey = (txId: Uint8Array, index: number) =>
  `${Buffer.from(txId.buffer, txId.byteOffset, txId.byteLength).toString('hex')}:${index}`

/**
 * Every transaction reachable from `parents` that no milestone referenced yet, in White Flag order:
 * depth-first from the milestone, trunk before branch, each one after its parents (post-order).
 * Iterative with an explicit stack: a cone can be a chain 100,000 deep.
 */
export function whiteFlagOrder(graph: ConeGraph, parents: readonly [number, number], isReferenced: (at: number) => boolean): number[] {
  const order: number[] = []
  const seen = new Uint8Array(graph.size)
  // a value v >= 0 asks to expand v; ~v (negative) asks to emit v once its parents are done
  const stack: number[] = []
  const push = (at: number) => {
    if (at !== NO_PARENT && seen[at] === 0 && !isReferenced(at)) stack.push(at)
  }
  // the milestone itself is the root: its branch is visited after its whole trunk side
  push(parents[1])
  push(parents[0])
  while (stack.length) {
    const top = stack.pop()!
    if (top < 0) {
      order.push(~top)
      continue
    }
    if (seen[top] === 1) continue
    seen[top] = 1
    stack.push(~top)
    push(graph.branch[top]!)
    push(graph.trunk[top]!)
  }
  return order
}

/**
 * Applies transactions in the given order against the unspent outputs before the milestone
 * (`unspentBefore` answers for those only). A transfer whose inputs are all unspent at that
 * moment spends them and creates its outputs; otherwise it is conflicting and changes nothing.
 */
export function applyInOrder(
  order: readonly number[],
  idAt: (at: number) => Uint8Array,
  /** null for a transaction that neither spends nor creates outputs (data, a milestone) */
  payloadAt: (at: number) => Payload | null,
  unspentBefore: (txId: Uint8Array, index: number) => boolean
): WhiteFlagResult {
  const entries: WhiteFlagEntry[] = []
  const createdByKey = new Map<string, UnspentOutput>()
  const spent = new Set<string>()
  const isUnspent = (key: string, txId: Uint8Array, index: number) =>
    createdByKey.has(key) || (!spent.has(key) && unspentBefore(txId, index))
  for (const at of order) {
    const id = idAt(at)
    const payload = payloadAt(at)
    let applied = true
    if (payload?.kind === TxKind.Transfer) {
      const keys = payload.inputs.map((i) => outputKey(i.txId, i.index))
      applied = new Set(keys).size === keys.length && payload.inputs.every((input, i) => isUnspent(keys[i]!, input.txId, input.index))
      if (applied) {
        for (const key of keys) {
          // created within this milestone and spent again: it never reaches the unspent set
          if (!createdByKey.delete(key)) spent.add(key)
        }
      }
    }
    if (applied && (payload?.kind === TxKind.Transfer || payload?.kind === TxKind.Genesis)) {
      payload.outputs.forEach((o, index) =>
        createdByKey.set(outputKey(id, index), { txId: id, index, address: o.address, amount: o.amount })
      )
    }
    entries.push({ at, id, applied })
  }
  return { entries, created: [...createdByKey.values()], spent }
}

/** Byte order of the id, then the output index: the order the state hash reads outputs in. */
export function compareOutputs(a: { txId: Uint8Array; index: number }, b: { txId: Uint8Array; index: number }): number {
  return Buffer.compare(a.txId, b.txId) || a.index - b.index
}

/**
 * The unspent outputs after a milestone, sorted: the sorted set before it (streamed, e.g. from an
 * index scan) without the spent ones, merged with the created ones.
 */
export function* mergeUnspent(
  sortedBefore: Iterable<UnspentOutput>,
  result: Pick<WhiteFlagResult, 'created' | 'spent'>
): Generator<UnspentOutput> {
  const created = [...result.created].sort(compareOutputs)
  let c = 0
  for (const output of sortedBefore) {
    if (result.spent.has(outputKey(output.txId, output.index))) continue
    while (c < created.length && compareOutputs(created[c]!, output) < 0) yield created[c++]!
    yield output
  }
  while (c < created.length) yield created[c++]!
}

/**
 * SHA-256 over the previous state hash; then each entry's id (32 bytes) and one byte, 1 applied or
 * 0 conflicting, in White Flag order; then each unspent output in sorted order as id (32) |
 * index (u16 LE) | address (32) | amount (u64 LE).
 */
export function stateHash(
  previous: Uint8Array,
  entries: readonly Pick<WhiteFlagEntry, 'id' | 'applied'>[],
  sortedUnspent: Iterable<UnspentOutput>
): Uint8Array {
  const hash = createHash('sha256').update(previous)
  const flag = new Uint8Array(1)
  for (const entry of entries) {
    if (entry.id.length !== ID_BYTES) throw new Error(`a transaction id is ${ID_BYTES} bytes`)
    flag[0] = entry.applied ? 1 : 0
    hash.update(entry.id).update(flag)
  }
  // records are gathered into one buffer and hashed a chunk at a time: one update per 74-byte
  // record costs more in calls than in hashing
  const chunk = new Uint8Array(OUTPUT_RECORD_BYTES * 1024)
  const view = new DataView(chunk.buffer)
  let used = 0
  for (const o of sortedUnspent) {
    if (used === chunk.length) {
      hash.update(chunk)
      used = 0
    }
    chunk.set(o.txId, used)
    view.setUint16(used + ID_BYTES, o.index, true)
    chunk.set(o.address, used + ID_BYTES + 2)
    view.setBigUint64(used + ID_BYTES + 2 + ID_BYTES, o.amount, true)
    used += OUTPUT_RECORD_BYTES
  }
  hash.update(chunk.subarray(0, used))
  return new Uint8Array(hash.digest())
}
