// The networking switch of the desktop app and dv2g serve, through the contract the Settings view
// calls: networking off by default, on and off again as saved, kept across a restart, and a wrong
// address or a damaged settings file refused with the setting named and nothing else changed.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiError, type NetworkSettings } from '../../../src-shared/contract'
import { createDispatcher } from '../../../src-main/core/api'
import { open, type App } from '../../../src-main/core/app'
import { NETWORK_SETTINGS_FILE } from '../../../src-main/core/network/settings'
import { NetworkSwitch } from '../../../src-main/core/network/switch'
import { useTempDirs } from '../../support/tempDir'

const tempDir = useTempDirs()
const running: { app: App; networkSwitch: NetworkSwitch }[] = []

afterEach(async () => {
  for (const { app, networkSwitch } of running.splice(0)) {
    await networkSwitch.stop()
    app.close()
  }
})

async function startApp(dataDir = tempDir()) {
  const app = open(dataDir)
  const networkSwitch = new NetworkSwitch(app, () => {})
  running.push({ app, networkSwitch })
  app.running.network = networkSwitch
  await networkSwitch.start()
  return { app, call: createDispatcher(app), dataDir }
}

const on: NetworkSettings = { enabled: true, listen: ['/ip4/127.0.0.1/tcp/0'], peers: [], mdns: false }

describe('the networking switch', () => {
  it('is off by default, runs the node once turned on, keeps it on across a restart, and stops it when turned off', async () => {
    const first = await startApp()
    await expect(first.call('network.settings', {})).resolves.toMatchObject({
      settings: { enabled: false },
      editable: true,
      running: false,
      error: null
    })
    expect(first.app.running.network?.node()).toBeUndefined()

    await expect(first.call('network.configure', on)).resolves.toMatchObject({ settings: on, running: true, error: null })
    expect(first.app.running.network?.node()?.status().listen[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
    expect(JSON.parse(readFileSync(join(first.dataDir, NETWORK_SETTINGS_FILE), 'utf8'))).toEqual(on)

    // the app closed and started again on the same data dir: networking comes back on
    const { networkSwitch } = running.shift()!
    await networkSwitch.stop()
    first.app.close()
    const again = await startApp(first.dataDir)
    await expect(again.call('network.status', {})).resolves.toMatchObject({ running: true })

    await expect(again.call('network.configure', { ...on, enabled: false })).resolves.toMatchObject({ running: false })
    await expect(again.call('network.status', {})).resolves.toEqual({ running: false })
  })

  it('refuses a peer without its id and a listen address that is no multiaddr, naming the setting, and keeps what was saved', async () => {
    const { call, dataDir } = await startApp()
    await call('network.configure', on)
    const saved = readFileSync(join(dataDir, NETWORK_SETTINGS_FILE), 'utf8')

    const noPeerId = call('network.configure', { ...on, peers: ['/ip4/127.0.0.1/tcp/4781'] })
    await expect(noPeerId).rejects.toBeInstanceOf(ApiError)
    await expect(noPeerId).rejects.toMatchObject({
      code: 'invalid_argument',
      fields: [{ path: 'peers', message: expect.stringContaining("needs the peer's id at the end") }]
    })
    await expect(call('network.configure', { ...on, listen: ['localhost:4781'] })).rejects.toMatchObject({
      fields: [{ path: 'listen', message: expect.stringContaining('is not a multiaddr') }]
    })
    await expect(call('network.configure', { ...on, listen: [] })).rejects.toMatchObject({ code: 'invalid_argument' })

    expect(readFileSync(join(dataDir, NETWORK_SETTINGS_FILE), 'utf8')).toBe(saved)
    await expect(call('network.settings', {})).resolves.toMatchObject({ settings: on, running: true })
  })

  it('leaves networking off with the reason when the settings file is damaged, until settings are saved again', async () => {
    const dataDir = tempDir()
    writeFileSync(join(dataDir, NETWORK_SETTINGS_FILE), '{"enabled": true, "listen": ')
    const { call } = await startApp(dataDir)
    await expect(call('network.settings', {})).resolves.toMatchObject({
      running: false,
      error: expect.stringMatching(/network\.json is not JSON .*networking stays off until it is saved again from Settings/)
    })

    await expect(call('network.configure', on)).resolves.toMatchObject({ running: true, error: null })
  })
})
