// What the main process says about itself and its data dir (app.info), refreshed on demand.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppInfo } from '../../src-shared/contract'
import { call, errorMessage } from '../api'

export const useAppInfoStore = defineStore('appInfo', () => {
  const info = ref<AppInfo | null>(null)
  /** the last refresh's failure; info then still holds the previous answer, labelled by updatedAt */
  const error = ref<string | null>(null)
  const loading = ref(false)
  const updatedAt = ref<Date | null>(null)
  let inFlight: Promise<void> | null = null

  function refresh(): Promise<void> {
    // one call at a time: the poll, an event and a button press may all ask at once
    inFlight ??= (async () => {
      loading.value = true
      try {
        info.value = await call('app.info')
        updatedAt.value = new Date()
        error.value = null
      } catch (failure) {
        error.value = errorMessage(failure)
      } finally {
        loading.value = false
        inFlight = null
      }
    })()
    return inFlight
  }

  return { info, error, loading, updatedAt, refresh }
})
