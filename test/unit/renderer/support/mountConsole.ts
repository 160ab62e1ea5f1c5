// Mounts the whole console (App, router, pinia) on a route, as the page would, with the preload
// bridge faked at window.dv2g. ECharts needs a real canvas, which happy-dom has not: its Vue
// component (vue-echarts, registered as "Echarts") is stubbed, the chart option is tested on its own.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createMemoryHistory } from 'vue-router'
import App from '../../../../src-renderer/App.vue'
import { createConsoleRouter } from '../../../../src-renderer/router'

export async function mountConsole(path: string) {
  const router = createConsoleRouter(createMemoryHistory())
  await router.push(path)
  await router.isReady()
  const wrapper = mount(App, {
    attachTo: document.body,
    global: { plugins: [createPinia(), router], stubs: { Echarts: true } }
  })
  await flushPromises()
  return { wrapper, router }
}

/** Lets async chains (calls, events, lazy routes) and the re-render after them finish. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await flushPromises()
}
