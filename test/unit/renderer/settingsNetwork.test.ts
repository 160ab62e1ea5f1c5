// Settings, Network: the operator turns networking on with a bootstrap peer, sees a wrong peer
// named under its field, and sees the node run once the settings are right; a dv2g serve whose
// command line decided the node shows it and cannot change it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'
import { createFakeBridge } from './support/fakeBridge'
import { mountConsole, settle } from './support/mountConsole'

const bridge = createFakeBridge()
window.dv2g = bridge

let wrapper: VueWrapper
const byTestId = (id: string) => wrapper.get(`[data-testid="${id}"]`)
const PEER = '/ip4/192.0.2.10/tcp/4781/p2p/12D3KooWPeerPeerPeerPeerPeerPeerPeerPeerPeerPeer'

beforeEach(async () => {
  bridge.reset()
})
afterEach(() => wrapper.unmount())

async function openSettings(): Promise<void> {
  ;({ wrapper } = await mountConsole('/settings'))
  await settle()
}

describe('Settings: network', () => {
  it('turns networking on with the peers typed one per line, after naming a peer without its id', async () => {
    await openSettings()
    expect(byTestId('network-switch-status').text()).toContain('Networking is off')
    expect((byTestId('network-enabled').element as HTMLInputElement).checked).toBe(false)

    await byTestId('network-enabled').setValue(true)
    await byTestId('network-peers-input').setValue('/ip4/192.0.2.11/tcp/4781\n')
    await byTestId('network-apply').trigger('submit')
    await settle()
    expect(byTestId('network-peers-error').text()).toContain("needs the peer's id at the end")
    expect(bridge.networkSwitch.settings.enabled).toBe(false)

    await byTestId('network-peers-input').setValue(`  ${PEER}  \n\n`)
    await byTestId('network-apply').trigger('submit')
    await settle()
    expect(wrapper.find('[data-testid="network-peers-error"]').exists()).toBe(false)
    expect(bridge.calls.filter((c) => c.method === 'network.configure').at(-1)?.input).toEqual({
      enabled: true,
      listen: ['/ip4/127.0.0.1/tcp/4781'],
      peers: [PEER],
      mdns: false
    })
    expect(byTestId('network-switch-status').text()).toContain('The node runs')
  })

  it('shows the reason when the node does not run as the settings ask', async () => {
    bridge.networkSwitch = {
      ...bridge.networkSwitch,
      settings: { ...bridge.networkSwitch.settings, enabled: true },
      error: 'a listen address is in use (/ip4/127.0.0.1/tcp/4781); tcp/0 picks a free port'
    }
    await openSettings()
    expect(byTestId('network-switch-status').text()).toContain('a listen address is in use')
    expect((byTestId('network-enabled').element as HTMLInputElement).checked).toBe(true)
  })

  it('shows the node the command line decided, and offers nothing to change', async () => {
    bridge.networkSwitch = {
      settings: { enabled: true, listen: ['/ip4/127.0.0.1/tcp/0'], peers: [PEER], mdns: true },
      editable: false,
      running: true,
      error: null
    }
    await openSettings()
    expect((byTestId('network-peers-input').element as HTMLTextAreaElement).value).toBe(PEER)
    expect((byTestId('network-enabled').element as HTMLInputElement).disabled).toBe(true)
    expect(byTestId('network-apply').attributes('disabled')).toBeDefined()
    expect(byTestId('network-switch-status').text()).toContain('command line')
  })
})

describe('Settings: OCPP', () => {
  it('turns the central system on at an address, as the Chargers view does', async () => {
    await openSettings()
    expect(wrapper.find('[data-testid="ocpp-none"]').exists()).toBe(true)
    await byTestId('ocpp-listen').setValue('127.0.0.1:9220')
    await byTestId('ocpp-listen-form').trigger('submit')
    await settle()
    expect(byTestId('ocpp-endpoint').text()).toContain('ws://127.0.0.1:9220/ocpp/<charger id>')
    expect(bridge.ocpp.state.settings.listen).toBe('127.0.0.1:9220')
  })
})
