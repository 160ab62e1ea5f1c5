// The network node of the main process (dv2g serve --listen/--peer) as the console sees it: its
// status and its peers, polled while a view shows them (the node emits no events of its own).
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { NetworkPeer, NetworkStatus } from '../../src-shared/contract'
import { call, errorMessage } from '../api'

export const useNetworkStore = defineStore('network', () => {
  const status = ref<NetworkStatus | null>(null)
  const peers = ref<NetworkPeer[]>([])
  /** the last refresh's failure; status and peers then still hold the previous answer */
  const error = ref<string | null>(null)
  const updatedAt = ref<Date | null>(null)
  let inFlight: Promise<void> | null = null

  function refresh(): Promise<void> {
    // one call at a time: two views and a visibility change may all ask at once
    inFlight ??= (async () => {
      try {
        const [nextStatus, nextPeers] = await Promise.all([call('network.status'), call('network.peers')])
        status.value = nextStatus
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

  return { status, peers, error, updatedAt, refresh }
})
