import { describe, expect, it } from 'vitest'
import { methodChannel } from '../../../../src-shared/bridge'
import { methodNames } from '../../../../src-shared/contract'
import { open } from '../../../../src-main/core/app'
import { createDispatcher } from '../../../../src-main/core/api'
import { isTrustedSender, registerContractHandlers, type IpcEvent, type IpcMainLike } from '../../../../src-main/electron/ipc'
import { referenceEsuCase } from '../../../support/esuCase'
import { useTempDirs } from '../../../support/tempDir'

const tempDir = useTempDirs()
const appUrl = 'file:///opt/dv2g/out/renderer/index.html'
const ourContents = { id: 1 }
const mainFrame = { url: `${appUrl}#/esu`, parent: null }

describe('isTrustedSender', () => {
  it('trusts only the main frame of our window showing our page', () => {
    expect(isTrustedSender(mainFrame, true, appUrl)).toBe(true)
    expect(isTrustedSender(mainFrame, false, appUrl)).toBe(false) // another window
    expect(isTrustedSender({ url: appUrl, parent: mainFrame }, true, appUrl)).toBe(false) // a subframe
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null }, true, appUrl)).toBe(false) // navigated away
    expect(isTrustedSender(null, true, appUrl)).toBe(false) // frame destroyed
  })
})

function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcEvent, input: unknown) => Promise<unknown>>()
  const ipc: IpcMainLike = {
    handle: (channel, listener) => handlers.set(channel, listener),
    removeHandler: (channel) => handlers.delete(channel)
  }
  return { ipc, handlers }
}

describe('contract handlers over IPC', () => {
  function setUp() {
    const app = open(tempDir())
    const { ipc, handlers } = fakeIpcMain()
    const unregister = registerContractHandlers(ipc, createDispatcher(app), {
      isOurWebContents: (s) => s === ourContents,
      appUrl: () => appUrl
    })
    const call = (method: string, input: unknown, event: IpcEvent = { senderFrame: mainFrame, sender: ourContents }) =>
      handlers.get(methodChannel(method as never))!(event, input)
    return { app, handlers, unregister, call }
  }

  it('registers exactly one channel per contract method, and removes them', () => {
    const { handlers, unregister, app } = setUp()
    expect([...handlers.keys()].sort()).toEqual(methodNames.map(methodChannel).sort())
    unregister()
    expect(handlers.size).toBe(0)
    app.close()
  })

  it('answers a trusted call and names the field of a bad argument', async () => {
    const { call, app } = setUp()
    expect(await call('esu.compute', referenceEsuCase)).toMatchObject({
      ok: true,
      output: { degradationCostPerKWh: expect.closeTo(0.14236, 5) }
    })
    expect(await call('esu.compute', { ...referenceEsuCase, interestRate: -1 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', fields: [{ path: 'interestRate' }] }
    })
    app.close()
  })

  it('refuses a call from a foreign frame before touching the core', async () => {
    const { call, app } = setUp()
    const outcome = await call(
      'esu.saveProfile',
      { name: 'x', parameters: referenceEsuCase },
      { senderFrame: { url: 'https://evil.example/', parent: null }, sender: ourContents }
    )
    expect(outcome).toMatchObject({ ok: false, error: { message: expect.stringMatching(/did not come from the console/) } })
    expect(app.esuProfiles.list()).toEqual([])
    app.close()
  })
})
