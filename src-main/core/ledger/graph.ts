// The tangle's shape in memory, in typed arrays so a million transactions stay small: parents,
// approvers (a linked list of edges), statuses, tips, and an id -> index table. Index order is
// arrival order, and a transaction is only added after its parents, so a lower index never
// approves a higher one: index order is a topological order.

export const NONE = -1

export enum TxStatus {
  Pending = 0,
  Confirmed = 1,
  Rejected = 2
}

const INITIAL_CAPACITY = 1 << 12

export class TangleGraph {
  size = 0
  private capacity = INITIAL_CAPACITY
  ids = new Uint8Array(INITIAL_CAPACITY * 32)
  trunk = new Int32Array(INITIAL_CAPACITY)
  branch = new Int32Array(INITIAL_CAPACITY)
  status = new Uint8Array(INITIAL_CAPACITY)
  /** rejected, or approving something rejected: the walk never steps here */
  invalid = new Uint8Array(INITIAL_CAPACITY)
  /** milliseconds since the epoch, when this node stored it */
  receivedMs = new Float64Array(INITIAL_CAPACITY)
  private firstEdge = new Int32Array(INITIAL_CAPACITY).fill(NONE)
  /** edge e = 2·child + (0 trunk | 1 branch); nextEdge links the approvers of one parent */
  private nextEdge = new Int32Array(INITIAL_CAPACITY * 2).fill(NONE)
  readonly tips = new TipSet()
  private readonly idTable = new IdTable()

  /** Forgets everything, keeping the allocated memory: for a rebuild from the database. */
  clear(): void {
    this.size = 0
    this.firstEdge.fill(NONE)
    this.nextEdge.fill(NONE)
    this.tips.clear()
    this.idTable.clear()
  }

  indexOf(id: Uint8Array): number {
    return this.idTable.find(id, this.ids)
  }

  idAt(index: number): Uint8Array {
    return this.ids.subarray(index * 32, index * 32 + 32)
  }

  /** Makes room for n transactions at once, instead of doubling on the way there. */
  reserve(n: number): void {
    while (this.capacity < n) this.grow()
    this.idTable.reserve(n, this.ids)
  }

  /**
   * Adds a transaction whose parents are already here (NONE for the genesis). A bulk load
   * passes trackTips = false and calls rebuildTips() once at the end.
   */
  add(id: Uint8Array, trunk: number, branch: number, receivedMs: number, status = TxStatus.Pending, trackTips = true): number {
    if (this.size === this.capacity) this.grow()
    const index = this.size++
    this.ids.set(id, index * 32)
    this.trunk[index] = trunk
    this.branch[index] = branch
    this.status[index] = status
    this.receivedMs[index] = receivedMs
    const approvesInvalid = (trunk !== NONE && this.invalid[trunk] === 1) || (branch !== NONE && this.invalid[branch] === 1)
    this.invalid[index] = status === TxStatus.Rejected || approvesInvalid ? 1 : 0
    this.idTable.insert(id, index, this.ids)
    if (trunk !== NONE) this.link(index, trunk, 0, trackTips)
    if (branch !== NONE && branch !== trunk) this.link(index, branch, 1, trackTips)
    if (trackTips) this.tips.add(index)
    return index
  }

  /** The tips are the transactions nobody approves yet. */
  rebuildTips(): void {
    this.tips.clear()
    for (let i = 0; i < this.size; i++) if (this.firstEdge[i] === NONE) this.tips.add(i)
  }

  private link(child: number, parent: number, slot: 0 | 1, trackTips: boolean) {
    const edge = child * 2 + slot
    this.nextEdge[edge] = this.firstEdge[parent]!
    this.firstEdge[parent] = edge
    if (trackTips) this.tips.delete(parent)
  }

  /** Calls visit for each direct approver of index. */
  forEachApprover(index: number, visit: (approver: number) => void): void {
    for (let edge = this.firstEdge[index]!; edge !== NONE; edge = this.nextEdge[edge]!) visit(edge >> 1)
  }

  approvers(index: number): number[] {
    const found: number[] = []
    this.forEachApprover(index, (a) => found.push(a))
    return found
  }

  /** Marks index rejected and everything that approves it, directly or not, invalid. */
  reject(index: number): number[] {
    this.status[index] = TxStatus.Rejected
    const touched: number[] = []
    const stack = [index]
    while (stack.length) {
      const x = stack.pop()!
      if (this.invalid[x] === 1 && x !== index) continue
      this.invalid[x] = 1
      touched.push(x)
      this.forEachApprover(x, (a) => stack.push(a))
    }
    return touched
  }

  /** True when `descendant` approves `ancestor` directly or indirectly (or is it). */
  approves(descendant: number, ancestor: number): boolean {
    if (descendant === ancestor) return true
    if (descendant < ancestor) return false
    const seen = new Set<number>()
    const stack = [descendant]
    while (stack.length) {
      const x = stack.pop()!
      for (const parent of [this.trunk[x]!, this.branch[x]!]) {
        if (parent === ancestor) return true
        if (parent > ancestor && !seen.has(parent)) {
          seen.add(parent)
          stack.push(parent)
        }
      }
    }
    return false
  }

  private grow() {
    const capacity = this.capacity * 2
    const grown = <T extends Int32Array | Uint8Array | Float64Array>(old: T, length: number, fill?: number): T => {
      const next = new (old.constructor as new (n: number) => T)(length)
      if (fill !== undefined) next.fill(fill)
      next.set(old)
      return next
    }
    this.ids = grown(this.ids, capacity * 32)
    this.trunk = grown(this.trunk, capacity)
    this.branch = grown(this.branch, capacity)
    this.status = grown(this.status, capacity)
    this.invalid = grown(this.invalid, capacity)
    this.receivedMs = grown(this.receivedMs, capacity)
    this.firstEdge = grown(this.firstEdge, capacity, NONE)
    this.nextEdge = grown(this.nextEdge, capacity * 2, NONE)
    this.capacity = capacity
  }
}

/** The current tips, with O(1) add, delete and uniform pick. */
export class TipSet {
  private items: number[] = []
  private readonly position = new Map<number, number>()

  get size() {
    return this.items.length
  }
  has(index: number) {
    return this.position.has(index)
  }
  add(index: number) {
    if (this.position.has(index)) return
    this.position.set(index, this.items.length)
    this.items.push(index)
  }
  delete(index: number) {
    const at = this.position.get(index)
    if (at === undefined) return
    const last = this.items.pop()!
    if (last !== index) {
      this.items[at] = last
      this.position.set(last, at)
    }
    this.position.delete(index)
  }
  at(i: number) {
    return this.items[i]!
  }
  clear() {
    this.items = []
    this.position.clear()
  }
  values(): readonly number[] {
    return this.items
  }
}

/**
 * Open-addressing id -> index table over the ids stored in the graph. Ids are hashes, but proof
 * of work zeroes their first bytes, so the slot comes from their last four.
 */
class IdTable {
  private slots = new Int32Array(1 << 13).fill(NONE)
  private count = 0

  clear() {
    this.slots.fill(NONE)
    this.count = 0
  }

  private slotOf(id: Uint8Array, mask: number) {
    return ((id[28]! | (id[29]! << 8) | (id[30]! << 16) | (id[31]! << 24)) >>> 0) & mask
  }

  find(id: Uint8Array, ids: Uint8Array): number {
    const mask = this.slots.length - 1
    for (let slot = this.slotOf(id, mask); ; slot = (slot + 1) & mask) {
      const index = this.slots[slot]!
      if (index === NONE) return NONE
      if (sameId(ids, index, id)) return index
    }
  }

  reserve(n: number, ids: Uint8Array) {
    if (n * 2 > this.slots.length) this.rehash(ids, 1 << Math.ceil(Math.log2(n * 2 + 1)))
  }

  insert(id: Uint8Array, index: number, ids: Uint8Array) {
    if ((this.count + 1) * 2 > this.slots.length) this.rehash(ids, this.slots.length * 2)
    const mask = this.slots.length - 1
    let slot = this.slotOf(id, mask)
    while (this.slots[slot] !== NONE) slot = (slot + 1) & mask
    this.slots[slot] = index
    this.count++
  }

  private rehash(ids: Uint8Array, length: number) {
    const old = this.slots
    this.slots = new Int32Array(length).fill(NONE)
    const mask = this.slots.length - 1
    for (const index of old) {
      if (index === NONE) continue
      let slot = this.slotOf(ids.subarray(index * 32, index * 32 + 32), mask)
      while (this.slots[slot] !== NONE) slot = (slot + 1) & mask
      this.slots[slot] = index
    }
  }
}

function sameId(ids: Uint8Array, index: number, id: Uint8Array) {
  const base = index * 32
  for (let i = 31; i >= 0; i--) if (ids[base + i] !== id[i]) return false
  return true
}
