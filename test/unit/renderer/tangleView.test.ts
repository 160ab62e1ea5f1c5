// The explorer tells final from not yet final: pending grey, pre-confirmed by the walk, confirmed
// only once a milestone applied it (naming that milestone), conflicting when a milestone did not.
import type { VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TangleTxDetail } from '../../../src-shared/contract'
import { until } from '../../support/until'
import { createFakeBridge } from './support/fakeBridge'
import { mountConsole, settle } from './support/mountConsole'

const bridge = createFakeBridge()
window.dv2g = bridge

let wrapper: VueWrapper
const byTestId = (id: string) => wrapper.get(`[data-testid="${id}"]`)

const id = (n: number) => n.toString(16).padStart(64, '0')
function transfer(n: number, status: TangleTxDetail['status'], milestone: number | null): TangleTxDetail {
  return {
    id: id(n),
    trunk: id(0),
    branch: id(0),
    kind: 'transfer',
    status,
    tip: false,
    receivedAt: n,
    approvers: [],
    issuer: 'ab'.repeat(32),
    issuerAddress: 'dv2g1treasuryqqqq',
    timestamp: n,
    payload: { kind: 'transfer', inputs: [{ txId: id(0), index: 0 }], outputs: [{ address: 'dv2g1busqqqq', amount: '900' }] },
    cumulativeWeight: 1,
    confidence: status === 'preconfirmed' || status === 'confirmed' ? 1 : 0,
    milestone
  }
}

async function open(n: number): Promise<void> {
  await byTestId(`tangle-open-${id(n)}`).trigger('click')
  await settle()
}

beforeEach(async () => {
  bridge.reset()
  bridge.tangle.transactions.push(
    transfer(1, 'confirmed', 3),
    transfer(2, 'conflicting', 4),
    transfer(3, 'preconfirmed', null),
    transfer(4, 'pending', null)
  )
  ;({ wrapper } = await mountConsole('/tangle'))
  await settle()
})

afterEach(() => wrapper.unmount())

describe('Tangle view', () => {
  it('shows each state in words, counts them, and names the milestone that decided a transaction', async () => {
    expect(byTestId(`tangle-status-${id(3)}`).text()).toBe('pre-confirmed')
    expect(byTestId(`tangle-status-${id(4)}`).text()).toBe('pending')
    expect(byTestId('tangle-stats').text()).toMatch(/pre-confirmed\s*1/)
    expect(byTestId('tangle-stats').text()).toMatch(/conflicting\s*1/)

    await open(1)
    expect(byTestId('tangle-detail-status').text()).toBe('confirmed')
    expect(byTestId('tangle-detail-milestone').text()).toBe('final at milestone 3')
    await open(2)
    expect(byTestId('tangle-detail-status').text()).toBe('conflicting')
    expect(byTestId('tangle-detail-milestone').text()).toBe('lost a double spend at milestone 4')
    await open(4)
    expect(byTestId('tangle-detail-milestone').text()).toBe('not referenced yet')
  })

  it('turns a pre-confirmed transaction green only when the main process says a milestone made it final', async () => {
    await open(3)
    expect(byTestId('tangle-detail-status').classes()).toContain('preconfirmed')
    bridge.tangle.transactions[2] = transfer(3, 'confirmed', 5)
    bridge.emit('tangle.statusChanged', { changes: [{ id: id(3), status: 'confirmed' }] })
    await until(() => byTestId('tangle-detail-status').text() === 'confirmed', 10_000, 'the detail to show the transaction confirmed')
    expect(byTestId('tangle-detail-status').classes()).toContain('confirmed')
    expect(byTestId('tangle-detail-milestone').text()).toBe('final at milestone 5')
    expect(byTestId(`tangle-status-${id(3)}`).text()).toBe('confirmed')
  })
})
