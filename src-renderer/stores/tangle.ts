// The explorer's view of the tangle: the newest transactions in a bounded buffer, kept live from
// the 'tangle.attached' and 'tangle.statusChanged' events. Events are coalesced and applied at
// most four times a second, so a flood of 1,000 tx/s costs four renders a second, not 1,000.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { MethodOutput, TangleTx, TangleTxDetail } from '../../src-shared/contract'
import { call, errorMessage, onEvent } from '../api'

export const RECENT_LIMIT = 300
const FLUSH_EVERY_MS = 250

type Stats = MethodOutput<'tangle.stats'>

/** Appends arrivals and status changes to the buffer, dropping the oldest beyond the limit. */
export function applyUpdates(
  recent: readonly TangleTx[],
  arrived: readonly TangleTx[],
  statuses: ReadonlyMap<string, TangleTx['status']>,
  limit = RECENT_LIMIT
): TangleTx[] {
  const approved = new Set<string>()
  for (const tx of arrived) {
    if (tx.trunk) approved.add(tx.trunk)
    if (tx.branch) approved.add(tx.branch)
  }
  const merged = [...recent, ...arrived].slice(-limit)
  return merged.map((tx) => {
    const status = statuses.get(tx.id) ?? tx.status
    const tip = tx.tip && !approved.has(tx.id)
    return status === tx.status && tip === tx.tip ? tx : { ...tx, status, tip }
  })
}

export const useTangleStore = defineStore('tangle', () => {
  const recent = shallowRef<TangleTx[]>([])
  const stats = ref<Stats | null>(null)
  const selected = ref<TangleTxDetail | null>(null)
  const results = ref<TangleTx[] | null>(null)
  const error = ref<string | null>(null)

  let arrived: TangleTx[] = []
  const statuses = new Map<string, TangleTx['status']>()
  let timer: ReturnType<typeof setTimeout> | undefined

  function scheduleFlush(): void {
    timer ??= setTimeout(() => {
      timer = undefined
      recent.value = applyUpdates(recent.value, arrived, statuses)
      arrived = []
      if (selected.value && statuses.has(selected.value.id)) void select(selected.value.id)
      statuses.clear()
    }, FLUSH_EVERY_MS)
  }

  onEvent('tangle.attached', ({ transactions }) => {
    arrived.push(...transactions)
    if (arrived.length > RECENT_LIMIT) arrived = arrived.slice(-RECENT_LIMIT)
    scheduleFlush()
  })
  onEvent('tangle.statusChanged', ({ changes }) => {
    for (const { id, status } of changes) statuses.set(id, status)
    scheduleFlush()
  })

  async function load(): Promise<void> {
    try {
      recent.value = await call('tangle.recent', { limit: RECENT_LIMIT })
      error.value = null
    } catch (failure) {
      error.value = errorMessage(failure)
    }
  }

  async function refreshStats(): Promise<void> {
    try {
      stats.value = await call('tangle.stats')
    } catch (failure) {
      error.value = errorMessage(failure)
    }
  }

  async function select(id: string): Promise<void> {
    try {
      selected.value = await call('tangle.transaction', { id })
    } catch (failure) {
      error.value = errorMessage(failure)
    }
  }

  async function search(query: string): Promise<void> {
    results.value = await call('tangle.search', { query })
  }

  return { recent, stats, selected, results, error, load, refreshStats, select, search }
})
