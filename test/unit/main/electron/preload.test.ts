import { describe, expect, it, vi } from 'vitest'
import { bridgeMethodNames, EVENT_CHANNEL, methodChannel } from '../../../../src-shared/bridge'
import { methodNames } from '../../../../src-shared/contract'

const exposed = vi.hoisted(() => ({ value: undefined as unknown }))
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => key === 'dv2g' && (exposed.value = api) },
  ipcRenderer: { invoke: vi.fn(), on: vi.fn(), off: vi.fn() }
}))

const { createBridge } = await import('../../../../src-main/electron/preload')

function fakeIpc() {
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>()
  return {
    invoke: vi.fn(async (channel: string, input: unknown) => ({ ok: true, output: { channel, input } })),
    on: vi.fn((channel: string, listener: (...args: unknown[]) => void) =>
      listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener))
    ),
    off: vi.fn((channel: string, listener: (...args: unknown[]) => void) => listeners.get(channel)?.delete(listener)),
    emit: (channel: string, ...args: unknown[]) => listeners.get(channel)?.forEach((l) => l(...args))
  }
}

describe('preload bridge', () => {
  it('exposes window.dv2g with one function per contract method and no ipcRenderer', () => {
    const bridge = exposed.value as Record<string, unknown>
    expect(Object.keys(bridge).sort()).toEqual(['methods', 'onEvent'])
    expect(Object.keys(bridge.methods as object).sort()).toEqual([...methodNames].sort())
    expect([...bridgeMethodNames].sort()).toEqual([...methodNames].sort())
  })

  it('sends each method on its own channel', async () => {
    const ipc = fakeIpc()
    const bridge = createBridge(ipc as never)
    expect(await bridge.methods['esu.deleteProfile']({ name: 'a' })).toEqual({
      ok: true,
      output: { channel: methodChannel('esu.deleteProfile'), input: { name: 'a' } }
    })
  })

  it('passes listeners the event name and payload only, and unsubscribes', () => {
    const ipc = fakeIpc()
    const bridge = createBridge(ipc as never)
    const listener = vi.fn()
    const unsubscribe = bridge.onEvent(listener)
    ipc.emit(EVENT_CHANNEL, { sender: 'the IpcRendererEvent' }, { name: 'esu.profilesChanged', payload: { names: ['a'] } })
    expect(listener).toHaveBeenCalledWith('esu.profilesChanged', { names: ['a'] })
    unsubscribe()
    ipc.emit(EVENT_CHANNEL, {}, { name: 'esu.profilesChanged', payload: { names: [] } })
    expect(listener).toHaveBeenCalledTimes(1)
  })
})
