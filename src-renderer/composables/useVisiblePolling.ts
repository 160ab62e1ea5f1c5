// Runs a refresh every intervalMs while the page is visible, and at once when it becomes visible
// again: a hidden console should not keep the main process busy.
import { onBeforeUnmount, onMounted } from 'vue'

export function useVisiblePolling(refresh: () => unknown, intervalMs: number): void {
  let timer: ReturnType<typeof setInterval> | undefined
  const visible = () => document.visibilityState !== 'hidden'
  const tick = () => {
    if (visible()) refresh()
  }
  const onVisibility = () => {
    if (visible()) refresh()
  }
  onMounted(() => {
    timer = setInterval(tick, intervalMs)
    document.addEventListener('visibilitychange', onVisibility)
  })
  onBeforeUnmount(() => {
    clearInterval(timer)
    document.removeEventListener('visibilitychange', onVisibility)
  })
}
