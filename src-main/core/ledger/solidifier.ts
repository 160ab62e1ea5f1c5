// Transactions whose parents have not arrived yet wait here, bounded: a flood of transactions
// naming parents that never come evicts the oldest waiting ones instead of growing memory.
import { toHex } from './hash'

interface Entry<T> {
  parent: string
  item: T
  waiting: boolean
}

export class Solidifier<T> {
  private readonly byParent = new Map<string, Entry<T>[]>()
  private queue: Entry<T>[] = []
  private head = 0
  private live = 0
  evicted = 0

  constructor(readonly capacity = 10_000) {}

  get size(): number {
    return this.live
  }

  hold(missingParent: Uint8Array, item: T): void {
    const entry = { parent: toHex(missingParent), item, waiting: true }
    const list = this.byParent.get(entry.parent)
    if (list) list.push(entry)
    else this.byParent.set(entry.parent, [entry])
    this.queue.push(entry)
    this.live++
    while (this.live > this.capacity) this.evictOldest()
  }

  /** Everything that was waiting for this transaction, now free to try again. */
  release(arrived: Uint8Array): T[] {
    // asked for every transaction stored, and nothing waits most of the time
    if (this.byParent.size === 0) return []
    const parent = toHex(arrived)
    const list = this.byParent.get(parent)
    if (!list) return []
    this.byParent.delete(parent)
    for (const entry of list) entry.waiting = false
    this.live -= list.length
    this.compact()
    return list.map((entry) => entry.item)
  }

  private evictOldest(): void {
    while (this.head < this.queue.length && !this.queue[this.head]!.waiting) this.head++
    const entry = this.queue[this.head++]
    if (!entry) return
    entry.waiting = false
    const list = this.byParent.get(entry.parent)!
    list.splice(list.indexOf(entry), 1)
    if (list.length === 0) this.byParent.delete(entry.parent)
    this.live--
    this.evicted++
    this.compact()
  }

  /** Drops the queue's dead prefix now and then, so the queue stays proportional to what waits. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
  }
}
