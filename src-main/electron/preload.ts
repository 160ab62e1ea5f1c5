// The sandboxed preload: exposes window.dv2g with one function per contract method and one event
// subscription. ipcRenderer itself never reaches the page, nor does an IPC event object.
import { contextBridge, ipcRenderer } from 'electron'
import { bridgeMethodNames, EVENT_CHANNEL, methodChannel, type BridgeMethods, type Dv2gBridge } from '../../src-shared/bridge'
import type { EventName } from '../../src-shared/contract'

export function createBridge(ipc: Pick<typeof ipcRenderer, 'invoke' | 'on' | 'off'>): Dv2gBridge {
  const methods = Object.fromEntries(
    bridgeMethodNames.map((name) => [name, (input?: unknown) => ipc.invoke(methodChannel(name), input)])
  ) as BridgeMethods
  return {
    methods: Object.freeze(methods),
    onEvent(listener) {
      const forward = (_event: unknown, message: { name: EventName; payload: unknown }) => listener(message.name, message.payload)
      ipc.on(EVENT_CHANNEL, forward)
      return () => {
        ipc.off(EVENT_CHANNEL, forward)
      }
    }
  }
}

contextBridge.exposeInMainWorld('dv2g', createBridge(ipcRenderer))
