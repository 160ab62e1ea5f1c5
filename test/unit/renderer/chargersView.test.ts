// The Chargers view against the fake central system: what the operator sees of chargers,
// connectors and the profiles sent, and what the view asks the central system to do.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'
import type { OcppProfile } from '../../../src-shared/contract'
import { createFakeBridge } from './support/fakeBridge'
import { ocppCharger, ocppConnector } from './support/fakeOcpp'
import { mountConsole, settle } from './support/mountConsole'

const bridge = createFakeBridge()
window.dv2g = bridge

let wrapper: VueWrapper
const byTestId = (id: string) => wrapper.get(`[data-testid="${id}"]`)
const exists = (id: string) => wrapper.find(`[data-testid="${id}"]`).exists()
/** naive-ui dialogs and messages render in a teleport on document.body */
const inDocument = (id: string) => document.body.querySelector<HTMLElement>(`[data-testid="${id}"]`)
const cell = (charger: string, connector: number, name: string) =>
  byTestId(`connector-${charger}-${connector}`).get(`[data-testid="connector-${name}"]`)

const SENT_MS = Date.UTC(2024, 5, 1, 10, 0, 0)
const accepted: OcppProfile = {
  setpointW: -7000,
  requestedW: -7000,
  clamped: false,
  status: 'Accepted',
  reason: null,
  sentMs: SENT_MS,
  confirmedW: -7000
}

/** CP1 on OCPP 2.1, an EV discharging 7 kW on connector 1 in session tx-42, connector 2 free. */
function dischargingCharger(profile: OcppProfile | null = accepted) {
  return ocppCharger({
    id: 'CP1',
    protocol: 'ocpp2.1',
    connected: true,
    prosumer: 'EV1',
    lastSeenMs: SENT_MS + 5000,
    connectors: [
      ocppConnector({
        id: 1,
        status: 'Occupied',
        session: 'tx-42',
        powerW: -7000,
        socPercent: 63.5,
        energyImportWh: 12_345,
        energyExportWh: 2_500,
        lastProfile: profile
      }),
      ocppConnector({ id: 2, status: 'Available' })
    ]
  })
}

async function mount(): Promise<void> {
  ;({ wrapper } = await mountConsole('/chargers'))
  await settle()
}

beforeEach(() => bridge.reset())
afterEach(() => wrapper.unmount())

describe('Chargers view', () => {
  it('tells the operator what to do when no charger is added and no central system runs', async () => {
    await mount()
    const empty = byTestId('ocpp-empty').text()
    expect(empty).toContain('No charger has been added yet')
    expect(empty).toContain('dv2g serve --ocpp-listen 127.0.0.1:9220')
    expect(empty).toContain('ws://HOST:PORT/ocpp/<its id>')
    expect(byTestId('ocpp-none').text()).toContain('No central system runs')
    expect(byTestId('ocpp-none').text()).toContain('dv2g serve --ocpp-listen 127.0.0.1:9220')
    expect(exists('ocpp-endpoint')).toBe(false)
    expect(exists('ocpp-waiting')).toBe(false)

    // the button in the empty state takes the operator to the form
    await byTestId('ocpp-empty-add').trigger('click')
    await settle()
    expect(document.activeElement?.id).toBe('ocpp-add-id')
  })

  it('says why the chargers could not be read instead of claiming there are none', async () => {
    bridge.failNext('ocpp.chargers', { code: 'internal', message: 'the central system is not available' })
    await mount()
    expect(byTestId('ocpp-error').text()).toBe('the central system is not available')
    expect(exists('ocpp-empty')).toBe(false)
    await byTestId('ocpp-refresh').trigger('click')
    await settle()
    expect(exists('ocpp-error')).toBe(false)
    expect(exists('ocpp-empty')).toBe(true)
  })

  it('starts the central system where the operator says, after naming a bad address under its field, and sets the unknown-chargers policy', async () => {
    await mount()
    await byTestId('ocpp-listen').setValue('localhost')
    await byTestId('ocpp-listen-form').trigger('submit')
    await settle()
    expect(byTestId('ocpp-listen-error').text()).toBe('must be HOST:PORT, e.g. 127.0.0.1:9220')
    expect(exists('ocpp-error')).toBe(false)

    await byTestId('ocpp-listen').setValue('127.0.0.1:9220')
    await byTestId('ocpp-listen-form').trigger('submit')
    await settle()
    expect(bridge.calls.filter((c) => c.method === 'ocpp.configure').at(-1)?.input).toEqual({ listen: '127.0.0.1:9220' })
    expect(exists('ocpp-listen-error')).toBe(false)
    expect(byTestId('ocpp-endpoint').text()).toContain('ws://127.0.0.1:9220/ocpp/<charger id>')
    expect(byTestId('ocpp-endpoint').text()).toContain('security profile 1')
    expect(exists('ocpp-none')).toBe(false)
    // the empty state now gives the real URL and no longer asks to start a central system
    expect(byTestId('ocpp-empty').text()).toContain('ws://127.0.0.1:9220/ocpp/<its id>')
    expect(byTestId('ocpp-empty').text()).not.toContain('--ocpp-listen')

    expect((byTestId('ocpp-unknown').element as HTMLSelectElement).value).toBe('Pending')
    await byTestId('ocpp-unknown').setValue('Rejected')
    await settle()
    expect(bridge.calls.filter((c) => c.method === 'ocpp.configure').at(-1)?.input).toEqual({ unknownChargers: 'Rejected' })
    expect(bridge.ocpp.state.settings.unknownChargers).toBe('Rejected')
  })

  it('shows a central system fixed by --ocpp-listen, and why it does not run', async () => {
    bridge.ocpp.state.settings = {
      listen: '0.0.0.0:9220',
      editable: false,
      endpoint: null,
      error: 'no TLS certificate: off loopback the central system needs one',
      securityProfile: null,
      unknownChargers: 'Pending'
    }
    await mount()
    expect(byTestId('ocpp-settings-error').text()).toContain('no TLS certificate')
    expect((byTestId('ocpp-listen').element as HTMLInputElement).value).toBe('0.0.0.0:9220')
    expect((byTestId('ocpp-listen').element as HTMLInputElement).disabled).toBe(true)
    expect(byTestId('ocpp-listen-fixed').text()).toContain('--ocpp-listen')
  })

  it('shows a connected charger’s connectors: status, session, signed power, SoC, energy and an accepted profile in green', async () => {
    bridge.ocpp.state.chargers = [dischargingCharger()]
    await mount()
    expect(exists('ocpp-empty')).toBe(false)
    expect(byTestId('charger-CP1-connection').text()).toBe('connected')
    expect(byTestId('charger-CP1-protocol').text()).toBe('OCPP 2.1')
    expect((byTestId('charger-CP1-prosumer').element as HTMLInputElement).value).toBe('EV1')
    expect(byTestId('charger-CP1-last-seen').text()).not.toBe('—')
    expect(byTestId('ocpp-counts').text()).toBe('1 charger · 1 connected · 1 session')

    expect(cell('CP1', 1, 'status').text()).toBe('Occupied')
    expect(cell('CP1', 1, 'session').text()).toBe('tx-42')
    expect(cell('CP1', 1, 'power').text()).toBe('-7.00')
    expect(cell('CP1', 1, 'power').classes()).toContain('discharge')
    expect(cell('CP1', 1, 'soc').text()).toBe('63.5 %')
    expect(cell('CP1', 1, 'import').text()).toBe('12.345')
    expect(cell('CP1', 1, 'export').text()).toBe('2.500')
    expect(cell('CP1', 1, 'profile').text()).toContain('-7.00 kW')
    const answer = cell('CP1', 1, 'profile').get('[data-testid="connector-profile-answer"]')
    expect(answer.text()).toBe('Accepted')
    expect(answer.classes()).toContain('ok-text')
    // what the charger's composite schedule says it will do
    expect(cell('CP1', 1, 'profile').get('[data-testid="connector-profile-confirmed"]').text()).toBe('schedule confirms -7.00 kW')
    expect(cell('CP1', 1, 'profile').find('[data-testid="connector-profile-clamped"]').exists()).toBe(false)

    // the free connector: no session, nothing measured, no profile yet
    expect(cell('CP1', 2, 'session').text()).toBe('no session')
    expect(cell('CP1', 2, 'power').text()).toBe('—')
    expect(cell('CP1', 2, 'profile').text()).toBe('none yet')
  })

  it('shows a rejected or failed profile in red with the charger’s reason', async () => {
    const rejected = dischargingCharger({ ...accepted, status: 'Rejected', reason: 'TxProfile with a negative limit is not supported' })
    const failed = ocppCharger({
      id: 'CP2',
      protocol: 'ocpp1.6',
      connected: true,
      connectors: [
        ocppConnector({
          id: 1,
          status: 'Charging',
          session: '17',
          powerW: 3700,
          lastProfile: {
            setpointW: 3700,
            requestedW: 3700,
            clamped: false,
            status: 'Failed',
            reason: null,
            sentMs: SENT_MS,
            confirmedW: null
          }
        })
      ]
    })
    bridge.ocpp.state.chargers = [rejected, failed]
    await mount()
    const answer = cell('CP1', 1, 'profile').get('[data-testid="connector-profile-answer"]')
    expect(answer.text()).toBe('Rejected: TxProfile with a negative limit is not supported')
    expect(answer.classes()).toContain('error-text')
    const failedAnswer = cell('CP2', 1, 'profile').get('[data-testid="connector-profile-answer"]')
    expect(failedAnswer.text()).toBe('Failed: no reason given')
    expect(failedAnswer.classes()).toContain('error-text')
    expect(cell('CP2', 1, 'power').text()).toBe('3.70')
  })

  it('says when a discharge was clamped to 0 because the charger does not read a negative limit as discharge', async () => {
    bridge.ocpp.state.chargers = [
      ocppCharger({
        id: 'CP16',
        protocol: 'ocpp1.6',
        connected: true,
        dischargeByNegativeLimit: false,
        connectors: [
          ocppConnector({
            id: 1,
            status: 'SuspendedEV',
            session: '5',
            powerW: 0,
            lastProfile: {
              setpointW: 0,
              requestedW: -7000,
              clamped: true,
              status: 'Accepted',
              reason: null,
              sentMs: SENT_MS,
              confirmedW: 0
            }
          })
        ]
      })
    ]
    await mount()
    expect(cell('CP16', 1, 'profile').text()).toContain('0.00 kW')
    const note = cell('CP16', 1, 'profile').get('[data-testid="connector-profile-clamped"]')
    expect(note.text()).toContain(
      'The slot asked for -7.00 kW (discharge); 0 kW was sent because this charger is not set to read a negative limit as discharge'
    )
    expect((byTestId('charger-CP16-discharge').element as HTMLInputElement).checked).toBe(false)
  })

  it('adds a charger: a short password is named under its field, a typed one is not shown again, a made one is shown once', async () => {
    await mount()
    await byTestId('ocpp-add-id').setValue('CP-7')
    await byTestId('ocpp-add-password').setValue('short')
    expect(byTestId('ocpp-add-password').attributes('type')).toBe('password')
    await byTestId('ocpp-add-form').trigger('submit')
    await settle()
    expect(byTestId('ocpp-add-password-error').text()).toBe('must be 16–40 printable characters without spaces')
    expect(exists('ocpp-error')).toBe(false)
    expect(bridge.ocpp.state.chargers).toEqual([])

    await byTestId('ocpp-add-password').setValue('a-long-enough-secret-1')
    await byTestId('ocpp-add-discharge').setValue(true)
    await byTestId('ocpp-add-prosumer').setValue(' EV7 ')
    await byTestId('ocpp-add-form').trigger('submit')
    await settle()
    expect(bridge.calls.filter((c) => c.method === 'ocpp.add').at(-1)?.input).toEqual({
      id: 'CP-7',
      password: 'a-long-enough-secret-1',
      dischargeByNegativeLimit: true,
      prosumer: 'EV7'
    })
    expect(exists('ocpp-add-password-error')).toBe(false)
    expect(exists('ocpp-empty')).toBe(false)
    expect(byTestId('charger-CP-7-connection').text()).toBe('not connected')
    expect(byTestId('charger-CP-7-protocol').text()).toBe('never connected')
    expect((byTestId('charger-CP-7-discharge').element as HTMLInputElement).checked).toBe(true)
    expect((byTestId('charger-CP-7-prosumer').element as HTMLInputElement).value).toBe('EV7')
    expect(document.body.textContent).toContain('Added charger CP-7: its password is stored hashed and cannot be shown again.')
    expect(document.body.textContent).not.toContain('a-long-enough-secret-1')
    expect(inDocument('ocpp-password-done')).toBeNull()
    expect((byTestId('ocpp-add-id').element as HTMLInputElement).value).toBe('')
    expect((byTestId('ocpp-add-password').element as HTMLInputElement).value).toBe('')

    // the same id again is refused under the id
    await byTestId('ocpp-add-id').setValue('CP-7')
    await byTestId('ocpp-add-form').trigger('submit')
    await settle()
    expect(byTestId('ocpp-add-id-error').text()).toBe('a charger CP-7 is already registered')

    // no password typed: the central system makes one, shown once until acknowledged
    await byTestId('ocpp-add-id').setValue('CP-8')
    await byTestId('ocpp-add-form').trigger('submit')
    await settle()
    expect(bridge.calls.filter((c) => c.method === 'ocpp.add').at(-1)?.input).toEqual({
      id: 'CP-8',
      dischargeByNegativeLimit: false,
      prosumer: null
    })
    expect(document.body.textContent).toContain(bridge.ocpp.state.madePassword)
    expect(document.body.textContent).toContain('It is stored hashed and is not shown again.')
    inDocument('ocpp-password-done')!.click()
    await settle()
    expect(exists('charger-CP-8')).toBe(true)
    // nowhere in the view itself: only the dialog had it
    expect(wrapper.text()).not.toContain(bridge.ocpp.state.madePassword)
  })

  it('edits a charger’s prosumer and discharge setting in place, naming a refused prosumer under it', async () => {
    bridge.ocpp.state.chargers = [dischargingCharger()]
    await mount()
    const prosumer = byTestId('charger-CP1-prosumer')
    await prosumer.setValue('P'.repeat(65))
    await prosumer.element.closest('form')!.dispatchEvent(new Event('submit'))
    await settle()
    expect(byTestId('charger-CP1-prosumer-error').text()).not.toBe('')
    expect(exists('ocpp-error')).toBe(false)
    expect(bridge.ocpp.state.chargers[0]!.prosumer).toBe('EV1')

    await prosumer.setValue('EV9')
    await prosumer.element.closest('form')!.dispatchEvent(new Event('submit'))
    await settle()
    expect(bridge.calls.filter((c) => c.method === 'ocpp.update').at(-1)?.input).toEqual({ id: 'CP1', prosumer: 'EV9' })
    expect(exists('charger-CP1-prosumer-error')).toBe(false)
    expect((byTestId('charger-CP1-prosumer').element as HTMLInputElement).value).toBe('EV9')

    await byTestId('charger-CP1-discharge').setValue(true)
    await settle()
    expect(bridge.calls.filter((c) => c.method === 'ocpp.update').at(-1)?.input).toEqual({ id: 'CP1', dischargeByNegativeLimit: true })
    expect(bridge.ocpp.state.chargers[0]).toMatchObject({ prosumer: 'EV9', dischargeByNegativeLimit: true })

    // removed meanwhile (dv2g ocpp remove, no event yet): the refusal shows and the box goes back
    bridge.ocpp.state.chargers = []
    await byTestId('charger-CP1-discharge').setValue(false)
    await settle()
    expect(byTestId('ocpp-error').text()).toBe('id: no charger CP1 is registered')
    expect((byTestId('charger-CP1-discharge').element as HTMLInputElement).checked).toBe(true)
  })

  it('removes a charger only after the operator confirms', async () => {
    bridge.ocpp.state.chargers = [dischargingCharger()]
    await mount()
    await byTestId('charger-CP1-remove').trigger('click')
    await settle()
    expect(document.body.textContent).toContain('Remove charger “CP1”?')
    expect(bridge.calls.some((c) => c.method === 'ocpp.remove')).toBe(false)
    inDocument('ocpp-remove-confirm')!.click()
    await settle()
    expect(bridge.calls.find((c) => c.method === 'ocpp.remove')?.input).toEqual({ id: 'CP1' })
    expect(exists('charger-CP1')).toBe(false)
    expect(byTestId('ocpp-notice').text()).toContain('Removed charger CP1')
    expect(exists('ocpp-empty')).toBe(true)
  })

  it('follows ocpp.chargersChanged: new readings, a new profile and a charger waiting to be added', async () => {
    bridge.ocpp.state.chargers = [dischargingCharger()]
    await mount()
    expect(cell('CP1', 1, 'power').text()).toBe('-7.00')

    const [charger] = bridge.ocpp.state.chargers
    charger!.connectors[0] = {
      ...charger!.connectors[0]!,
      powerW: 11_000,
      socPercent: 64,
      energyImportWh: 12_400,
      lastProfile: { ...accepted, setpointW: 11_000, requestedW: 11_000, sentMs: SENT_MS + 900_000 }
    }
    bridge.ocpp.state.chargers.push(
      ocppCharger({ id: 'STRANGER', registered: false, protocol: 'ocpp2.0.1', connected: true, lastSeenMs: SENT_MS })
    )
    bridge.ocpp.announce()
    await settle()
    expect(cell('CP1', 1, 'power').text()).toBe('11.00')
    expect(cell('CP1', 1, 'power').classes()).not.toContain('discharge')
    expect(cell('CP1', 1, 'soc').text()).toBe('64 %')
    expect(cell('CP1', 1, 'import').text()).toBe('12.400')
    expect(cell('CP1', 1, 'profile').text()).toContain('11.00 kW')
    expect(byTestId('ocpp-waiting-STRANGER').text()).toContain('OCPP 2.0.1')
    expect(exists('charger-STRANGER')).toBe(false)

    // adding a waiting charger starts the form with its id and puts the cursor on the password
    await byTestId('ocpp-admit-STRANGER').trigger('click')
    await settle()
    expect((byTestId('ocpp-add-id').element as HTMLInputElement).value).toBe('STRANGER')
    expect(document.activeElement?.id).toBe('ocpp-add-password')
  })
})
