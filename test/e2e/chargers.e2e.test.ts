// A charger end to end: the console served with a central system, a charger added in
// the Chargers view, a simulated V2G charger (OCPP 2.1) plugging an EV in; the session shows in
// the view, the EV trades in a live slot, and the discharge profile sent to the charger is shown
// with the charger's answer.
import { describe, expect, it } from 'vitest'
import { runDv2g } from '../support/cli'
import { SimulatedCharger } from '../support/simulatedCharger'
import { screenshot, useServedConsole } from './support'

const served = useServedConsole('dv2g-e2e-chargers-', '#/chargers', ['--ocpp-listen', '127.0.0.1:0'])
const PASSWORD = 'e2e-charger-password-17'

describe('a charger in the Chargers view', () => {
  it('shows its session, and the profile its EV was sent after trading in a live slot', { timeout: 180_000 }, async () => {
    const { page, errors } = served().watched
    const endpoint = `${(await page.getByTestId('ocpp-endpoint').textContent())!.match(/wss?:\/\/[^\s/]+\/ocpp/)![0]}/`

    await page.getByTestId('ocpp-add-id').fill('CP1')
    await page.getByTestId('ocpp-add-password').fill(PASSWORD)
    await page.getByTestId('ocpp-add-prosumer').fill('EV1')
    await page.getByTestId('ocpp-add').click()
    await page.getByTestId('charger-CP1').waitFor()

    const charger = await SimulatedCharger.connect(endpoint, 'CP1', PASSWORD)
    try {
      await charger.startSession('TX-1', 90, 12_000)
      const card = page.getByTestId('charger-CP1')
      await expect.poll(() => card.getByTestId('connector-session').first().textContent(), { timeout: 30_000 }).toBe('TX-1')
      await expect.poll(() => card.getByTestId('connector-soc').first().textContent(), { timeout: 30_000 }).toBe('90 %')

      // a live run on the accelerated clock, started from another shell through the served app
      const started = runDv2g([
        '--data-dir',
        served().dataDir,
        'market',
        'start',
        '--scenario',
        'paper-3x10',
        '--clock',
        'accelerated',
        '--slot-seconds',
        '3',
        '--json'
      ])
      expect(started.status, started.stderr).toBe(0)
      const { runId } = JSON.parse(started.stdout) as { runId: string }
      await expect.poll(() => charger.profiles.length, { timeout: 60_000 }).toBeGreaterThan(0)

      const trades = JSON.parse(runDv2g(['--data-dir', served().dataDir, 'market', 'trades', '--run', runId, '--json']).stdout) as {
        t: number
        seller: string
        energyKWh: number
      }[]
      const soldInSlot1 = trades.filter((tr) => tr.t === 1 && tr.seller === 'EV1').reduce((sum, tr) => sum + tr.energyKWh, 0)
      expect(soldInSlot1).toBeGreaterThan(0)
      const [setpointW] = charger.setpoints()
      expect(setpointW).toBe(-Math.round(soldInSlot1 * 1000))

      // the view shows the latest slot's profile: one the charger was sent, and accepted
      const profile = card.getByTestId('connector-profile').first()
      await expect.poll(() => profile.getByTestId('connector-profile-answer').textContent(), { timeout: 30_000 }).toBe('Accepted')
      const shownKW = (await profile.textContent())!.match(/(-?\d+\.\d{2}) kW/)![1]
      expect(charger.setpoints().map((w) => (w / 1000).toFixed(2))).toContain(shownKW)
      await screenshot(page, 'chargers-dispatch')
      expect(errors).toEqual([])
    } finally {
      await charger.close()
    }
  })
})
