import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'
import type { Router } from 'vue-router'
import { consoleViews, viewForShortcut } from '../../../src-renderer/navigation'
import { createFakeBridge } from './support/fakeBridge'
import { until } from '../../support/until'
import { mountConsole, settle } from './support/mountConsole'

const bridge = createFakeBridge()
window.dv2g = bridge

let wrapper: VueWrapper
let router: Router

async function press(init: KeyboardEventInit): Promise<KeyboardEvent> {
  const event = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init })
  window.dispatchEvent(event)
  await settle()
  return event
}

beforeEach(async () => {
  bridge.reset()
  ;({ wrapper, router } = await mountConsole('/overview'))
})

afterEach(() => wrapper.unmount())

describe('navigation', () => {
  it('lists the ten views in order as focusable links with their shortcut', () => {
    const links = wrapper.findAll('nav a[data-testid^="nav-"]')
    expect(links.map((link) => link.attributes('data-testid'))).toEqual([
      'nav-overview',
      'nav-wallets',
      'nav-auctions',
      'nav-tangle',
      'nav-esu',
      'nav-history',
      'nav-meters',
      'nav-chargers',
      'nav-network',
      'nav-settings'
    ])
    // the digits operators learned stay; Chargers, added later, takes the free Alt+0
    expect(links.map((link) => link.attributes('aria-keyshortcuts'))).toEqual([
      'Alt+1',
      'Alt+2',
      'Alt+3',
      'Alt+4',
      'Alt+5',
      'Alt+6',
      'Alt+7',
      'Alt+0',
      'Alt+8',
      'Alt+9'
    ])
    expect(new Set(consoleViews.map((view) => view.shortcutDigit)).size).toBe(consoleViews.length)
    expect(links[0]!.attributes('aria-current')).toBe('page')
  })

  it.each(consoleViews.map((view) => [view.shortcutDigit, view.name] as const))(
    'Alt+%i opens %s and focuses its heading',
    async (digit, name) => {
      const event = await press({ altKey: true, code: `Digit${digit}`, key: String(digit) })
      expect(event.defaultPrevented).toBe(true)
      // the ESU view is loaded on first use, so the route may change a little later
      await until(() => document.activeElement?.id === `heading-${name}`, 5000, `focus on heading-${name}`)
      expect(router.currentRoute.value.path).toBe(`/${name}`)
      expect(wrapper.find(`[data-testid="view-${name}"]`).exists()).toBe(true)
    }
  )

  it('leaves other key presses alone', async () => {
    for (const init of [
      { code: 'Digit5' },
      { ctrlKey: true, altKey: true, code: 'Digit5' },
      { altKey: true, shiftKey: true, code: 'Digit0' },
      { altKey: true, code: 'Minus' },
      { altKey: true, code: 'KeyE' }
    ]) {
      const event = await press(init)
      expect(event.defaultPrevented).toBe(false)
      expect(router.currentRoute.value.path).toBe('/overview')
    }
  })

  it('maps key codes to views, numpad included', () => {
    const key = (init: Partial<KeyboardEvent>) =>
      viewForShortcut({ altKey: true, ctrlKey: false, metaKey: false, shiftKey: false, code: '', ...init })?.name
    expect(key({ code: 'Digit1' })).toBe('overview')
    expect(key({ code: 'Numpad9' })).toBe('settings')
    expect(key({ code: 'Digit7' })).toBe('meters')
    expect(key({ code: 'Digit8' })).toBe('network')
    expect(key({ code: 'Digit0' })).toBe('chargers')
    expect(key({ code: 'Numpad0' })).toBe('chargers')
    expect(key({ code: 'Digit1', shiftKey: true })).toBeUndefined()
    expect(key({ code: 'Minus' })).toBeUndefined()
  })

  it('lists every view shortcut in Settings', async () => {
    await router.push('/settings')
    await settle()
    const rows = wrapper.findAll('[data-testid="shortcut-row"]').map((row) =>
      row
        .findAll('td')
        .map((cell) => cell.text())
        .join(' ')
    )
    expect(rows).toEqual(consoleViews.map((view) => `Alt+${view.shortcutDigit} open ${view.label}`))
  })
})

describe('views show the real state of the data dir', () => {
  // the views that show the data dir itself; the others have their own tests
  const laterViews = consoleViews
    .filter((v) => !['esu', 'wallets', 'tangle', 'auctions', 'history', 'meters', 'chargers', 'network'].includes(v.name))
    .map((v) => v.name)
  it.each(laterViews)('%s shows its purpose and the data dir from app.info', async (name) => {
    await router.push(`/${name}`)
    await settle()
    const view = wrapper.get(`[data-testid="view-${name}"]`)
    expect(view.text()).toContain(consoleViews.find((v) => v.name === name)!.purpose)
    expect(view.get('[data-testid="data-dir-path"]').text()).toBe(bridge.info.dataDir)
    expect(view.get('[data-testid="data-dir-schema"]').text()).toBe('1')
    expect(view.get('[data-testid="data-dir-tables"]').text()).toContain('esu_profiles')
    expect(view.text()).not.toMatch(/coming soon|not implemented|placeholder|lorem/i)
  })

  it('overview tiles carry the numbers app.info and the profile list give', async () => {
    const tile = (id: string) => wrapper.get(`[data-testid="tile-${id}"] [data-tile-value]`).text()
    expect(tile('database-size')).toBe('32.0 KiB')
    expect(tile('schema-version')).toBe('1')
    expect(tile('esu-profiles')).toBe('0')
    // formatted in minutes and seconds, from the app's start to now (however slow the mount was)
    const uptime = tile('uptime').match(/^(\d+) min (\d{2}) s$/)
    expect(uptime, tile('uptime')).not.toBeNull()
    const shownS = Number(uptime![1]) * 60 + Number(uptime![2])
    expect(shownS).toBeGreaterThanOrEqual(65)
    expect(shownS).toBeLessThanOrEqual((Date.now() - Date.parse(bridge.info.startedAt)) / 1000)
    expect(tile('version')).toBe('0.1.0')
    expect(tile('transport')).toBe('IPC')

    await bridge.methods['esu.saveProfile']({
      name: 'Depot A',
      parameters: {
        capacityKWh: 24,
        depthOfDischarge: 0.8,
        cycleLife: 3000,
        combinedCost: 8200,
        maintenancePerYear: 0,
        interestRate: 0.05,
        lifetimeYears: 10,
        daysPerYear: 365
      }
    })
    await settle()
    expect(tile('esu-profiles')).toBe('1')
    expect(wrapper.get('[data-testid="data-dir-tables"]').text()).toMatch(/esu_profiles\s*1/)
  })

  it('shows the status bar from the connection and app.info', () => {
    expect(wrapper.get('[data-testid="status-connection"]').text()).toBe('connected')
    expect(wrapper.get('[data-testid="status-transport"]').text()).toBe('Electron IPC')
    expect(wrapper.get('[data-testid="status-data-dir"]').text()).toContain(bridge.info.dataDir)
    expect(wrapper.get('[data-testid="status-schema"]').text()).toContain('v1')
  })
})
