// What the Electron preload exposes on window.dv2g: one function per contract method and one
// event subscription, never ipcRenderer itself.
import type { EventName, MethodInput, MethodName, MethodOutput } from './contract'
import type { CallResult } from './wire'

export type BridgeMethods = {
  [M in MethodName]: (input?: MethodInput<M>) => Promise<CallResult<MethodOutput<M>>>
}

export interface Dv2gBridge {
  methods: BridgeMethods
  /** Subscribes to every contract event; returns the unsubscribe function. */
  onEvent(listener: (name: EventName, payload: unknown) => void): () => void
}

/** IPC channel names: one per method, one for events. */
export const methodChannel = (name: MethodName) => `dv2g:call:${name}`
export const EVENT_CHANNEL = 'dv2g:event'

/**
 * The method names without their schemas, for the preload: a sandboxed preload should stay
 * small and not bundle zod. A unit test keeps this list equal to the contract's.
 */
export const bridgeMethodNames: readonly MethodName[] = [
  'app.info',
  'esu.compute',
  'esu.listProfiles',
  'esu.saveProfile',
  'esu.deleteProfile',
  'wallet.list',
  'wallet.unlock',
  'wallet.lock',
  'wallet.create',
  'wallet.import',
  'wallet.send',
  'wallet.history',
  'tangle.stats',
  'tangle.recent',
  'tangle.transaction',
  'tangle.spam',
  'tangle.search',
  'market.scenarios',
  'market.start',
  'market.control',
  'market.setGame',
  'market.settle',
  'market.runs',
  'market.day',
  'market.slot',
  'market.participants',
  'market.register',
  'market.revoke',
  'market.slotInputs',
  'market.verifications',
  'market.deliveries',
  'market.tradesCsv',
  'meter.availablePorts',
  'meter.ports',
  'meter.addPort',
  'meter.removePort',
  'meter.list',
  'meter.assign',
  'meter.readings',
  'meter.volumes',
  'meter.import',
  'network.status',
  'network.peers',
  'network.banned',
  'network.activity',
  'network.settings',
  'network.configure',
  'ocpp.chargers',
  'ocpp.add',
  'ocpp.update',
  'ocpp.remove',
  'ocpp.settings',
  'ocpp.configure'
]
