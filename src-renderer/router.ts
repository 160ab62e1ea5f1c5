// Hash history: the Electron app loads the console from file://, where path URLs cannot resolve.
import { createRouter, createWebHashHistory, type RouterHistory, type RouteRecordRaw } from 'vue-router'
import { consoleViews, type ViewName } from './navigation'
import OverviewView from './views/OverviewView.vue'
import WalletsView from './views/WalletsView.vue'
import AuctionsView from './views/AuctionsView.vue'
import TangleView from './views/TangleView.vue'
import HistoryView from './views/HistoryView.vue'
import MetersView from './views/MetersView.vue'
import ChargersView from './views/ChargersView.vue'
import NetworkView from './views/NetworkView.vue'
import SettingsView from './views/SettingsView.vue'

const components: Record<ViewName, RouteRecordRaw['component']> = {
  overview: OverviewView,
  wallets: WalletsView,
  auctions: AuctionsView,
  tangle: TangleView,
  // ECharts is the largest dependency; load it with the view that draws
  esu: () => import('./views/EsuView.vue'),
  history: HistoryView,
  meters: MetersView,
  chargers: ChargersView,
  network: NetworkView,
  settings: SettingsView
}

export function createConsoleRouter(history: RouterHistory = createWebHashHistory()) {
  const routes: RouteRecordRaw[] = [
    { path: '/', redirect: '/overview' },
    ...consoleViews.map((view) => ({ path: view.path, name: view.name, component: components[view.name]! })),
    { path: '/:unknown(.*)*', redirect: '/overview' }
  ]
  return createRouter({ history, routes })
}
