// Mounts the whole console (App, router, pinia) on a route, as the page would, with the preload
// bridge faked at window.dv2g. ECharts needs a real canvas, which happy-dom has not: its Vue
// component (vue-echarts, registered as "Echarts") is stubbed, the chart option is tested on its own.
import { mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { nextTick } from 'vue'
import { createMemoryHistory } from 'vue-router'
import App from '../../../../src-renderer/App.vue'
import { createConsoleRouter } from '../../../../src-renderer/router'
import { until } from '../../../support/until'
import type { FakeBridge } from './fakeBridge'

export async function mountConsole(path: string) {
  const router = createConsoleRouter(createMemoryHistory())
  await router.push(path)
  await router.isReady()
  const wrapper = mount(App, {
    attachTo: document.body,
    global: { plugins: [createPinia(), router], stubs: { Echarts: true } }
  })
  await settle()
  return { wrapper, router }
}

/**
 * Waits until the console is quiet: every call it made to the fake bridge has been answered and
 * none began or ended over one polling interval, so the work chained on those answers and Vue's
 * re-render have run. A count of promise flushes is not enough on a busy machine: a lazy route or
 * a fake import that yields to the event loop can take longer than any fixed number of them.
 */
export async function settle(timeoutMs = 10_000): Promise<void> {
  const bridge = window.dv2g as FakeBridge
  let seen = -1
  await until(
    () => {
      const quiet = bridge.pending === 0 && bridge.activity === seen
      seen = bridge.activity
      return quiet
    },
    timeoutMs,
    'the console’s calls to the bridge to be answered'
  )
  await nextTick()
}
