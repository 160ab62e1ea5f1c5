import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'
import type { NetworkPeer, NetworkStatus } from '../../../src-shared/contract'
import { createFakeBridge } from './support/fakeBridge'
import { until } from '../../support/until'
import { mountConsole, settle } from './support/mountConsole'

const bridge = createFakeBridge()
window.dv2g = bridge

let wrapper: VueWrapper
const byTestId = (id: string) => wrapper.get(`[data-testid="${id}"]`)
const tileValue = (id: string) => byTestId(id).get('[data-tile-value]').text()

const SELF = '12D3KooWSelfSelfSelfSelfSelfSelfSelfSelfSelfSelfSelf'
const GENESIS = 'ab'.repeat(32)
const runningNode = (changes: Partial<Extract<NetworkStatus, { running: true }>> = {}): NetworkStatus => ({
  running: true,
  peerId: SELF,
  networkId: GENESIS,
  listen: ['/ip4/127.0.0.1/tcp/4781/p2p/' + SELF],
  peers: 1,
  latestMilestone: 7,
  stateHash: 'cd'.repeat(32),
  syncing: false,
  transactions: 1234,
  ...changes
})
const peers: NetworkPeer[] = [
  { id: '12D3KooWRefused', addresses: ['/ip4/127.0.0.1/tcp/4790'], connected: false, latencyMs: null, score: -12.5 },
  { id: '12D3KooWHonest', addresses: ['/ip4/127.0.0.1/tcp/4782', '/ip4/10.0.0.2/tcp/4782'], connected: true, latencyMs: 3.4, score: 0.75 }
]

async function open(path: string): Promise<void> {
  ;({ wrapper } = await mountConsole(path))
  await settle()
}

beforeEach(() => bridge.reset())
afterEach(() => wrapper.unmount())

describe('Network view', () => {
  it('says how to start a node when this process runs none', async () => {
    await open('/network')
    const none = byTestId('network-none').text()
    expect(none).toContain('dv2g serve --listen')
    expect(none).toContain('--peer')
    expect(none).toContain('dv2g node')
    expect(wrapper.find('[data-testid="network-node"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="network-peer-table"]').exists()).toBe(false)
  })

  it('shows the node, its milestone and state hash, and its peers, connected ones first', async () => {
    bridge.network.status = runningNode()
    bridge.network.peers = peers
    await open('/network')
    expect(wrapper.find('[data-testid="network-none"]').exists()).toBe(false)
    expect(byTestId('network-peer-id').text()).toBe(SELF)
    expect(byTestId('network-id').text()).toBe(GENESIS)
    expect(byTestId('network-listen').text()).toBe(`/ip4/127.0.0.1/tcp/4781/p2p/${SELF}`)
    expect(byTestId('network-state-hash').text()).toBe('cd'.repeat(32))
    expect(tileValue('network-milestone')).toBe('7')
    expect(tileValue('network-peers')).toBe('1')
    expect(tileValue('network-transactions')).toBe('1,234')
    expect(tileValue('network-syncing')).toBe('in sync')

    const rows = wrapper.findAll('[data-testid="network-peer-row"]').map((row) => row.findAll('td').map((cell) => cell.text()))
    expect(rows).toEqual([
      ['12D3KooWHonest', '/ip4/127.0.0.1/tcp/4782/ip4/10.0.0.2/tcp/4782', 'connected', '3 ms', '0.8'],
      ['12D3KooWRefused', '/ip4/127.0.0.1/tcp/4790', 'not connected', '—', '-12.5']
    ])
  })

  it('follows the node while visible: a new milestone and a sync show without a reload', async () => {
    bridge.network.status = runningNode()
    await open('/network')
    expect(byTestId('network-no-peers').text()).toContain('No peers yet')
    bridge.network.status = runningNode({ latestMilestone: 8, stateHash: 'ef'.repeat(32), syncing: true })
    await until(() => tileValue('network-milestone') === '8', 6000, 'the next poll to show milestone 8')
    expect(byTestId('network-state-hash').text()).toBe('ef'.repeat(32))
    expect(tileValue('network-syncing')).toBe('syncing')
  })

  it('shows a node that has no genesis yet and no milestone', async () => {
    bridge.network.status = runningNode({ networkId: null, latestMilestone: null, stateHash: null, peers: 0 })
    await open('/network')
    expect(byTestId('network-id').text()).toContain('none yet')
    expect(tileValue('network-milestone')).toBe('—')
    expect(byTestId('network-state-hash').text()).toBe('—')
  })
})

describe('Overview', () => {
  it('shows the network at a glance: off without a node, else its peers and milestone', async () => {
    await open('/overview')
    expect(tileValue('tile-network')).toBe('off')
    expect(byTestId('tile-network').text()).toContain('no node runs · see Network')
    wrapper.unmount()

    bridge.network.status = runningNode({ peers: 2, latestMilestone: 41 })
    await open('/overview')
    expect(tileValue('tile-network')).toBe('2')
    expect(byTestId('tile-network').text()).toContain('milestone 41')
  })

  it('shows gossip in and out per second from two polls, the sync under way, the ingest backlog, and the banned peers with why and until when', async () => {
    bridge.network.status = runningNode({ syncing: true })
    bridge.network.peers = peers
    bridge.network.activity = {
      gossip: { received: 1000, rejected: 0, published: 40 },
      sync: { peer: '12D3KooWHonest', target: 20_000, received: 4_500 },
      ingest: { queued: 120, capacity: 10_000, turnedAway: 0 }
    }
    bridge.network.banned = [
      {
        id: '12D3KooWRogue',
        reason: 'sent an invalid transaction by gossip (signature does not verify)',
        until: '2026-11-30T05:10:00.000Z'
      }
    ]
    // only the clock the rates are computed with is set by hand
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(new Date('2026-11-30T05:00:00Z'))
      await open('/network')
      expect(byTestId('network-syncing').text()).toContain('4,500 of 20,000 from …oWHonest')
      expect(tileValue('network-gossip-in')).toBe('—')
      expect(tileValue('network-ingest')).toBe('120')
      expect(byTestId('network-ingest').classes()).not.toContain('warn')

      bridge.network.activity = {
        gossip: { received: 1100, rejected: 2, published: 44 },
        sync: null,
        ingest: { queued: 9_000, capacity: 10_000, turnedAway: 31 }
      }
      vi.setSystemTime(new Date('2026-11-30T05:00:02Z'))
      await byTestId('network-refresh').trigger('click')
      await settle()
    } finally {
      vi.useRealTimers()
    }
    expect(tileValue('network-gossip-in')).toBe('50/s')
    expect(byTestId('network-gossip-in').text()).toContain('1,100 received, 2 rejected')
    expect(tileValue('network-gossip-out')).toBe('2.0/s')
    expect(tileValue('network-ingest')).toBe('9,000')
    expect(byTestId('network-ingest').text()).toContain('of 10,000; 31 gossiped transactions turned away when full')
    expect(byTestId('network-ingest').classes()).toContain('warn')
    const row = byTestId('network-banned-row')
    expect(row.attributes('data-peer')).toBe('12D3KooWRogue')
    expect(row.text()).toContain('invalid transaction')
  })
})
