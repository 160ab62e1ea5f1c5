// Alt+0..Alt+9 open the views from anywhere, then put focus on the view's heading so the next Tab
// starts inside the view.
import { nextTick, onBeforeUnmount, onMounted } from 'vue'
import type { Router } from 'vue-router'
import { viewForShortcut } from '../navigation'

export function focusViewHeading(): void {
  document.querySelector<HTMLElement>('[data-view-heading]')?.focus()
}

export function useViewShortcuts(router: Router): void {
  async function onKeydown(event: KeyboardEvent): Promise<void> {
    const view = viewForShortcut(event)
    if (!view) return
    event.preventDefault()
    await router.push(view.path)
    await nextTick()
    focusViewHeading()
  }
  const listener = (event: KeyboardEvent) => void onKeydown(event)
  onMounted(() => window.addEventListener('keydown', listener))
  onBeforeUnmount(() => window.removeEventListener('keydown', listener))
}
