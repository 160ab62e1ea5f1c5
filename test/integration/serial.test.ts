// The meter bridge over a real (virtual) serial line: socat makes a pty pair, `dv2g meter
// simulate` writes telegrams into one end, the bridge reads the other. Killing socat pulls the
// cable out; starting it again plugs it back in.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { open, type App } from '../../src-main/core/app'
import { DSMR5_SETTINGS } from '../../src-main/core/meters/serialLink'
import { dv2gBin } from '../support/cli'
import { useTempDirs } from '../support/tempDir'
import { until } from '../support/until'

const tempDir = useTempDirs()
const children: ChildProcess[] = []
let app: App | undefined

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  app?.close()
  app = undefined
})

function startSocat(a: string, b: string): ChildProcess {
  const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' })
  children.push(socat)
  return socat
}

describe('meter bridge over a socat pty pair', () => {
  it('reads and stores the simulated meter’s telegrams, and resumes without duplicates after the line is cut', async () => {
    const dir = tempDir()
    const [meterEnd, bridgeEnd] = [join(dir, 'ttyA'), join(dir, 'ttyB')]
    let socat = startSocat(meterEnd, bridgeEnd)
    await until(() => existsSync(meterEnd) && existsSync(bridgeEnd), 5000, 'socat')
    const simulator = spawn(
      process.execPath,
      [dv2gBin, 'meter', 'simulate', '--port', meterEnd, '--protocol', 'dsmr', '--interval', '0.2'],
      { stdio: 'ignore' }
    )
    children.push(simulator)

    app = open(join(dir, 'data'), { ledger: { powBits: 2 } })
    const meters = app.meters()
    meters.addPort(bridgeEnd, DSMR5_SETTINGS, 'EV1')
    const stored = () => meters.meters()[0]?.readings ?? 0
    await until(() => stored() >= 5, 30_000, 'five readings')
    expect(meters.ports()[0]).toMatchObject({ status: 'connected', rejected: 0 })

    socat.kill('SIGKILL')
    await until(() => meters.ports()[0]!.status === 'disconnected', 10_000, 'the bridge to notice')
    const before = stored()
    socat = startSocat(meterEnd, bridgeEnd)
    await until(() => meters.ports()[0]!.status === 'connected' && stored() >= before + 5, 60_000, 'five more readings after the reconnect')

    const meterId = meters.meters()[0]!.id
    const readings = meters.store.readings(meterId, 0, Number.MAX_SAFE_INTEGER)
    expect(readings).toHaveLength(stored())
    // the meter's clock moves a second per telegram: every reading is a new second, none twice
    for (let i = 1; i < readings.length; i++) expect(readings[i]!.tsMs).toBeGreaterThan(readings[i - 1]!.tsMs)
    expect(meters.meters()[0]).toMatchObject({ prosumer: 'EV1' })
  }, 120_000)
})
