// The network node of the main process (Settings, or dv2g serve --listen/--peer) as the console
// sees it: its status, peers, banned peers and activity, polled while a view shows them (the node
// emits no events of its own). Gossip rates come from the counters of two successive polls.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { BannedPeer, NetworkActivity, NetworkPeer, NetworkStatus } from '../../src-shared/contract'
import { call, errorMessage } from '../api'

export const useNetworkStore = defineStore('network', () => {
  const status = ref<NetworkStatus | null>(null)
  const peers = ref<NetworkPeer[]>([])
  const banned = ref<BannedPeer[]>([])
  const activity = ref<NetworkActivity | null>(null)
  /** gossip per second between the last two polls; null until there are two */
  const rates = ref<{ inPerSecond: number; outPerSecond: number; rejectedPerSecond: number } | null>(null)
  let lastSample: { at: number; gossip: NetworkActivity['gossip'] } | null = null
  /** the last refresh's failure; status and peers then still hold the previous answer */
  const error = ref<string | null>(null)
  const updatedAt = ref<Date | null>(null)
  let inFlight: Promise<void> | null = null

  function refresh(): Promise<void> {
    // one call at a time: two views and a visibility change may all ask at once
    inFlight ??= (async () => {
      try {
        const [nextStatus, nextPeers, nextBanned, nextActivity] = await Promise.all([
          call('network.status'),
          call('network.peers'),
          call('network.banned'),
          call('network.activity')
        ])
        status.value = nextStatus
        banned.value = nextBanned
        activity.value = nextActivity
        sample(nextActivity)
        // connected peers first, then by id, so rows do not jump between polls
        peers.value = [...nextPeers].sort((a, b) => Number(b.connected) - Number(a.connected) || a.id.localeCompare(b.id))
        updatedAt.value = new Date()
        error.value = null
      } catch (failure) {
        error.value = errorMessage(failure)
      } finally {
        inFlight = null
      }
    })()
    return inFlight
  }

  function sample(next: NetworkActivity | null): void {
    const at = Date.now()
    const previous = lastSample
    lastSample = next && { at, gossip: next.gossip }
    // a restarted node counts from zero again: no rate across it
    if (!next || !previous || at <= previous.at || next.gossip.received < previous.gossip.received) {
      if (!next) rates.value = null
      return
    }
    const seconds = (at - previous.at) / 1000
    const per = (key: keyof NetworkActivity['gossip']) => (next.gossip[key] - previous.gossip[key]) / seconds
    rates.value = { inPerSecond: per('received'), outPerSecond: per('published'), rejectedPerSecond: per('rejected') }
  }

  return { status, peers, banned, activity, rates, error, updatedAt, refresh }
})
